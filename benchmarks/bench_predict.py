"""Benchmark: one prediction of the COHERENT CsI 2021 99-bin histogram at a new point.

Times, in one run on this machine,
  * the set-up of the fast engine (kernels, response matrices, time templates);
  * one evaluation of the 9 × 11 histogram at a new parameter point (sin²θ_W = 0.23),
    median over many repetitions;
  * the same histogram by slow direct quadrature (:mod:`cevns.experiments.reference`);
and prints the speed ratio and the largest relative difference per bin.

Usage: python benchmarks/bench_predict.py [--repeat N] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from cevns.experiments.build import build_experiment
from cevns.experiments.engine import PredictionEngine, StandardModelCharges
from cevns.experiments.load import load_experiment
from cevns.experiments.reference import reference_histograms

NEW_POINT = 0.23  # sin²θ_W, away from the default 0.23868


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    experiment = build_experiment(load_experiment("coherent-csi-2021"))
    start = time.perf_counter()
    engine = PredictionEngine(experiment)
    setup = time.perf_counter() - start

    model = StandardModelCharges(sin2_theta_w=NEW_POINT)
    fast = engine.histogram(model)
    timings = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        engine.histogram(model)
        timings.append(time.perf_counter() - start)
    fast_median = statistics.median(timings)

    start = time.perf_counter()
    slow = sum(reference_histograms(engine, sin2_theta_w=NEW_POINT).values())
    slow_time = time.perf_counter() - start

    nonzero = slow > 0
    worst = float(np.max(np.abs(fast[nonzero] / slow[nonzero] - 1)))
    result = {
        "bins": int(fast.size),
        "form_factor": engine.form_factor,
        "setup_s": setup,
        "fast_median_us": fast_median * 1e6,
        "slow_quadrature_s": slow_time,
        "speed_ratio": slow_time / fast_median,
        "max_relative_difference_per_bin": worst,
        "total_events_fast": float(fast.sum()),
        "total_events_slow": float(slow.sum()),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"CsI 2021, {result['bins']} bins, sin2_theta_W = {NEW_POINT}, "
        f"{engine.form_factor} form factor (the document's)"
    )
    print(f"  set-up of the fast engine      {setup:10.3f} s")
    print(f"  fast evaluation (median)       {fast_median * 1e6:10.1f} us")
    print(f"  slow adaptive quadrature       {slow_time:10.3f} s")
    print(f"  speed ratio slow / fast        {result['speed_ratio']:10.3g}")
    print(f"  largest |fast/slow - 1| in a bin {worst:8.2e}")
    print(f"  total events fast / slow       {fast.sum():.4f} / {slow.sum():.4f}")


if __name__ == "__main__":
    main()
