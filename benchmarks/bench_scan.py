"""Benchmark: a 100 × 100 profile-likelihood scan of CsI 2021 with every nuisance profiled.

Prints, in one run on this machine (with the load average, since other work shares it),
  * the wall time of the whole scan and its parts: building the likelihood in this
    process, the global fit, the profile pass over the grid (starting the worker
    processes, which receive the compiled likelihood, and the points) and the repair of
    points left in a local minimum (:mod:`cevns.stats.scan_repair`);
  * the cost per point: core-seconds (wall time of the points × workers / points) and
    MIGRAD calls;
  * a slow reference on a random subsample of the same points: a cold fit from the
    analysis' start values with strategy 1 and HESSE (``cevns.stats.fit.fit``), as
    ``cevns fit --fix`` would do point by point; its time per point scaled to the whole
    grid on the same number of workers, and the χ² differences from the scan (overall,
    and where Δχ² < 10, the region that decides the 68–95 % CL contours).

The default scan is the NSI plane (eps_ee_u, eps_ee_d) with the signal scale held at 1,
so the engine recomputes the CEvNS histogram at every point and flux_norm and the seven
CsI nuisances are profiled; ``--params signal`` scans csi_cevns_scale × flux_norm instead
(seven nuisances profiled, the signal histogram fixed).

With ``--serial`` the same scan also runs in this process (one worker) and with
``--dask`` on a local Dask cluster of ``--workers`` processes; the largest Δχ² difference
from the table of the local workers is printed for each (they should be identical).

Usage: python benchmarks/bench_scan.py [DATA_DIR] [--points N] [--workers W]
       [--sample K] [--params nsi|signal] [--serial] [--dask] [--json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from timing import load_average

import cevns.stats.scan as scan_module
from cevns.stats.fit import FitNotConvergedError, fit
from cevns.stats.likelihood import LikelihoodRecipe, likelihood_for
from cevns.stats.results import read_result_file
from cevns.stats.scan import ScanAxis, run_scan

#: Δχ² below which the accuracy matters for the reported regions (95 % CL in 2D: 5.99).
INNER_DELTA_CHI2 = 10.0

SCANS = {
    "nsi": (
        {"eps_ee_u": 0.0, "eps_ee_d": 0.0},
        ("eps_ee_u", -0.5, 0.8),
        ("eps_ee_d", -0.5, 0.8),
    ),
    "signal": ({}, ("csi_cevns_scale", 0.3, 1.6), ("flux_norm", 0.7, 1.3)),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=None)
    parser.add_argument("--points", type=int, default=100, help="grid points per axis")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--sample", type=int, default=100, help="points of the slow reference (≥ N²: all)"
    )
    parser.add_argument("--params", choices=sorted(SCANS), default="nsi")
    parser.add_argument("--serial", action="store_true", help="compare with one worker")
    parser.add_argument("--dask", action="store_true", help="compare with a Dask cluster")
    parser.add_argument("--keep", help="copy the scan's result file here")
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    phases = _time_phases()

    model, first, second = SCANS[options.params]
    recipe = LikelihoodRecipe.create(
        ["coherent-csi-2021"], options.data, model, hold_signal_scales=bool(model)
    )
    axes = [ScanAxis(*first, options.points), ScanAxis(*second, options.points)]

    load_before = load_average()
    begin = time.perf_counter()
    likelihood = likelihood_for(recipe)
    built = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "scan.jsonl"
        table = run_scan(
            recipe, axes, output_path=path, workers=options.workers, progress=not options.json
        )
        end = time.perf_counter()
        _, records, _ = read_result_file(path)
        if options.keep:
            Path(options.keep).write_text(path.read_text())
    load_after = load_average()
    phases = dict(phases)  # the comparisons below run the same functions again
    calls = np.array([records[i]["calls"] for i in sorted(records)])
    total = end - begin
    comparisons = {}
    if options.serial:
        comparisons["serial"] = _compare(table, recipe, axes, options, workers=1)
    if options.dask:
        comparisons["dask"] = _compare(table, recipe, axes, options, dask=True)
    scan_time = end - built
    points = table.index.size
    core_seconds_per_point = scan_time * options.workers / points

    # Slow reference: cold fits with strategy 1 and HESSE on a subsample.
    generator = np.random.default_rng(1)
    sample = generator.choice(points, size=min(options.sample, points), replace=False)
    names = table.parameters
    reference_chi2, failures = [], 0
    started = time.perf_counter()
    for position in sample:
        fixed = dict(zip(names, table.coordinates[position], strict=True))
        try:
            result = fit(
                likelihood.cost,
                {**likelihood.start, **fixed},
                fixed=[*likelihood.fixed, *fixed],
                strategy=1,
            )
            reference_chi2.append((position, result.minimum))
        except FitNotConvergedError:
            failures += 1
    reference_per_point = (time.perf_counter() - started) / sample.size
    reference_total = reference_per_point * points / options.workers
    differences = [abs(table.chi2[p] - chi2) for p, chi2 in reference_chi2]
    inner = [
        abs(table.chi2[p] - chi2)
        for p, chi2 in reference_chi2
        if chi2 - table.reference_chi2 < INNER_DELTA_CHI2
    ]
    excess = max((table.chi2[p] - chi2 for p, chi2 in reference_chi2), default=None)
    worst = max(reference_chi2, key=lambda pair: table.chi2[pair[0]] - pair[1], default=None)
    worst_point = None if worst is None else [float(v) for v in table.coordinates[worst[0]]]
    above_points = [
        {"index": int(table.index[p]), "values": [float(v) for v in table.coordinates[p]],
         "excess": float(table.chi2[p] - chi2)}
        for p, chi2 in reference_chi2 if table.chi2[p] - chi2 > 1e-3
    ]  # fmt: skip
    repaired = sum(bool(records[i].get("repaired")) for i in records)
    below = sum(table.chi2[p] - chi2 > 1e-3 for p, chi2 in reference_chi2)
    above = sum(chi2 - table.chi2[p] > 1e-3 for p, chi2 in reference_chi2)

    report = {
        "scan": f"{axes[0]} × {axes[1]}",
        "profiled_parameters": len(likelihood.free_parameters(names)),
        "points": points,
        "workers": options.workers,
        "load_average": [load_before, load_after],
        "total_s": total,
        "build_in_parent_s": built - begin,
        "scan_s": scan_time,
        "global_fit_s": phases.get("global fit"),
        "profile_pass_s": phases.get("profile pass"),
        "repair_s": phases.get("repair"),
        "largest_delta_chi2_difference": comparisons,
        "core_seconds_per_point_ms": core_seconds_per_point * 1e3,
        "migrad_calls_per_point_mean": float(calls.mean()),
        "not_converged": int((~table.converged).sum()),
        "reference_per_point_ms": reference_per_point * 1e3,
        "reference_total_scaled_s": reference_total,
        "speed_ratio": reference_total / scan_time,
        "reference_sample": int(sample.size),
        "reference_failures": failures,
        "max_abs_chi2_difference": float(max(differences)) if differences else None,
        "max_abs_chi2_difference_inner": float(max(inner)) if inner else None,
        "inner_points": len(inner),
        "scan_above_reference_by_1e-3": int(below),
        "largest_excess_over_cold_fit": None if excess is None else float(excess),
        "largest_excess_at": worst_point,
        "points_above_cold_fit": above_points,
        "repaired_points": int(repaired),
        "reference_above_scan_by_1e-3": int(above),
    }
    if options.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"CsI 2021 profile scan {report['scan']} ({points} points, "
        f"{report['profiled_parameters']} parameters profiled, {options.workers} workers)"
    )
    print(f"  load average {load_before:.2f} → {load_after:.2f}")
    print(f"  total wall time                     {total:8.1f} s")
    print(f"    likelihood build in this process  {built - begin:8.1f} s")
    print(f"    the scan (run_scan)               {scan_time:8.1f} s")
    print(f"      global fit                      {phases.get('global fit', 0.0):8.2f} s")
    print(f"      profile pass (workers, points)  {phases.get('profile pass', 0.0):8.2f} s")
    print(f"      repair                          {phases.get('repair', 0.0):8.2f} s")
    for name, difference in comparisons.items():
        print(f"  largest |Δχ² − Δχ²({name})|         {difference:.1e}")
    print(
        f"  per point                           {core_seconds_per_point * 1e3:8.2f} ms "
        f"(core time), {calls.mean():.0f} MIGRAD calls on average"
    )
    print(f"  not converged                       {report['not_converged']:8d}")
    print(f"  reference: cold start, strategy 1, HESSE, {sample.size} points ({failures} failed)")
    print(f"    per point                         {reference_per_point * 1e3:8.2f} ms")
    print(
        f"    whole grid on {options.workers} workers (scaled)  {reference_total:8.1f} s   "
        f"ratio {report['speed_ratio']:.1f}"
    )
    print(
        f"    max |χ²(scan) − χ²(reference)|     {report['max_abs_chi2_difference']:.2e} "
        f"(scan above the reference at {below} points, below it at {above}, by > 1e-3)"
    )
    inner_max = report["max_abs_chi2_difference_inner"] or 0.0
    print(f"      where Δχ² < {INNER_DELTA_CHI2:g} ({len(inner)} points)      {inner_max:.2e}")
    print(
        "    largest excess of the scan over a cold fit  "
        f"{report['largest_excess_over_cold_fit']:.2e} ({repaired} points repaired after the scan)"
    )


def _time_phases() -> dict[str, float]:
    """Wall times of the scan's parts, recorded by wrapping the functions run_scan calls."""
    phases: dict[str, float] = {}

    def timed(label, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                phases[label] = time.perf_counter() - started

        return wrapper

    scan_module.open_results = timed("global fit", scan_module.open_results)
    scan_module.run_chunks = timed("profile pass", scan_module.run_chunks)
    scan_module.repair_scan = timed("repair", scan_module.repair_scan)
    return phases


def _compare(table, recipe, axes, options, workers=None, dask=False) -> float:
    """The largest |Δχ²| difference of the same scan run otherwise."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "other.jsonl"
        if dask:
            import distributed

            with (
                distributed.LocalCluster(
                    n_workers=options.workers, threads_per_worker=1, dashboard_address=None
                ) as cluster,
                distributed.Client(cluster) as client,
            ):
                other = run_scan(
                    recipe, axes, output_path=path, executor=client.get_executor(),
                    workers=options.workers, progress=False,
                )  # fmt: skip
        else:
            other = run_scan(recipe, axes, output_path=path, workers=workers, progress=False)
    return float(np.nanmax(np.abs(other.delta_chi2 - table.delta_chi2)))


if __name__ == "__main__":
    main()
