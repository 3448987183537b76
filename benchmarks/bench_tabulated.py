"""Benchmark: predicting from a finely tabulated spectrum (1000 rows, like a solar ⁸B table).

Prints, in one run: the time to build the prediction engine of a 1-tonne xenon detector
(recoil-energy bins) for the ν_e Michel spectrum given analytically and as a table of
1000 rows; the same for the table with every row kept as its own support piece (the
behaviour before tables were merged into ``MAX_SUPPORT_PIECES`` groups; run on 200 rows,
its cost grows with the square of the rows); and the largest relative difference per bin
between the table and the analytic spectrum.

Usage: python benchmarks/bench_tabulated.py
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

from cevns.experiments import kernels
from cevns.experiments.build import build_experiment
from cevns.experiments.engine import PredictionEngine
from cevns.experiments.load import parse_experiment
from cevns.sources import Flux
from cevns.units import m

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_tabulated_speed import XENON, tabulated_michel


def timed(experiment) -> tuple[float, dict]:
    start = time.perf_counter()
    spectra = PredictionEngine(experiment).observable_spectra()
    return time.perf_counter() - start, spectra


def main() -> None:
    experiment = build_experiment(parse_experiment(XENON))
    analytic_time, analytic = timed(experiment)
    table = replace(experiment, flux=Flux(tabulated_michel(1000), 1e23, 20 * m))
    table_time, tabulated = timed(table)
    merged = kernels.MAX_SUPPORT_PIECES
    kernels.MAX_SUPPORT_PIECES = 10**9  # every row its own piece
    rows = 200
    slow = replace(experiment, flux=Flux(tabulated_michel(rows), 1e23, 20 * m))
    slow_time, _ = timed(slow)
    kernels.MAX_SUPPORT_PIECES = merged
    worst = max(abs(t / a - 1) for t, a in zip(tabulated["nu_e"], analytic["nu_e"], strict=True))
    print("xenon, 1 t, 6 recoil bins, ν_e Michel spectrum")
    print(f"  analytic spectrum                        {analytic_time:8.2f} s")
    print(f"  1000-row table (merged pieces)           {table_time:8.2f} s")
    print(f"  {rows}-row table, one piece per row (old)   {slow_time:8.2f} s")
    print(f"  old cost scaled to 1000 rows (× 25)      {slow_time * 25:8.1f} s")
    print(f"  ratio table / analytic                   {table_time / analytic_time:8.2f}")
    print(f"  largest relative difference per bin      {worst:.1e}")


if __name__ == "__main__":
    main()
