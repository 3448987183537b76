"""Benchmark: pseudo-experiments of a release likelihood minimised all at once.

Prints, in one run on this machine (with the load average), for N Poisson toys of the
CsI 2021 (or argon 2020) likelihood around its best fit, every nuisance free:

* the time of :func:`cevns.stats.toy_fits.minimise_toys` for all toys at once, the
  largest number of steps a toy took and how many did not converge;
* the reference: a MIGRAD profile of each toy in turn on its own compiled cost
  (:class:`~cevns.stats.likelihood.Profiler`, strategy 0, no HESSE, what the toys did
  before), its time and the ratio;
* the differences of the minima, toy by toy (batched minus MIGRAD: negative where the
  batched minimum is lower).

Usage: python benchmarks/bench_toys.py [DATA_DIR] [--experiment NAME] [--toys N] [--json]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from timing import load_average

from cevns.stats.inference import toy_counts, with_counts
from cevns.stats.likelihood import Likelihood, LikelihoodRecipe, Profiler, likelihood_for
from cevns.stats.toy_fits import minimise_toys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=None)
    parser.add_argument("--experiment", default="coherent-csi-2021")
    parser.add_argument("--toys", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()

    likelihood = likelihood_for(LikelihoodRecipe.create([options.experiment], options.data))
    lean = likelihood.compiled()
    best = Profiler(likelihood, strategy=1)({}, likelihood.start)
    counts = toy_counts(likelihood.cost, best.values, options.toys, seed=2026)
    start = np.array([best.values[n] for n in lean.names])
    load_before = load_average()

    began = time.perf_counter()
    minima = minimise_toys(lean, counts, start, held=list(likelihood.fixed))
    batched_s = time.perf_counter() - began

    began = time.perf_counter()
    reference = []
    for row in counts:
        toy = Likelihood.of_cost(with_counts(likelihood.cost, row), best.values)
        reference.append(Profiler(toy, strategy=0)(likelihood.fixed, best.values))
    migrad_s = time.perf_counter() - began

    both = minima.converged & np.array([point.converged for point in reference])
    differences = minima.chi2[both] - np.array([p.chi2 for p in reference])[both]
    report = {
        "experiment": options.experiment,
        "toys": options.toys,
        "parameters_free": len(lean.names) - len(likelihood.fixed),
        "bins": int(counts.shape[1]),
        "batched_s": batched_s,
        "migrad_each_s": migrad_s,
        "speed_up": migrad_s / batched_s,
        "batched_not_converged": int((~minima.converged).sum()),
        "batched_most_steps": int(minima.iterations.max()),
        "largest_difference": float(differences.max()),
        "smallest_difference": float(differences.min()),
        "load_average": [load_before, load_average()],
    }
    if options.json:
        print(json.dumps(report, indent=2))
        return
    low, high = report["load_average"]
    free = report["parameters_free"]
    print(f"{options.experiment}: {options.toys} toys, {report['bins']} bins, {free} free "
          f"parameters (load average {low:.2f} → {high:.2f})")  # fmt: skip
    print(f"  all at once (minimise_toys)      {batched_s:7.2f} s   "
          f"({report['batched_most_steps']} steps at most, "
          f"{report['batched_not_converged']} not converged)")  # fmt: skip
    print(f"  a MIGRAD profile each            {migrad_s:7.2f} s   ratio {report['speed_up']:.1f}")
    print(f"  minima, batched − MIGRAD         {report['smallest_difference']:+.1e} to "
          f"{report['largest_difference']:+.1e}")  # fmt: skip


if __name__ == "__main__":
    main()
