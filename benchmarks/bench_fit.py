"""Benchmark: the CsI 2021 and argon 2020 likelihoods and full fits with every nuisance.

Prints, in one run on this machine, for each likelihood:

* one evaluation at a new point, and one evaluation with its gradient (as MIGRAD asks
  for them), through the compiled cost (:mod:`cevns.stats.lean_cost`); each with its
  ratio to the bare-numpy limit (``bare_costs.py``: the same array operations with every
  scalar computed beforehand) and to the previous path (the cost objects,
  ``cost(*x)`` and ``cost.grad(*x)``), and the largest relative difference between the
  compiled cost and the cost objects;
* 10⁴ evaluations at once (:func:`~cevns.stats.lean_batch.many_values`, what the scan
  repair uses to test its candidate starts), per point, with its ratio to the bare-numpy
  single evaluation and its speed-up over one evaluation at a time, and the largest
  relative difference from them;
* a full fit (MIGRAD + HESSE, every nuisance free): its median time and calls, the
  previous fit (cost objects, MIGRAD strategy 1 at Minuit's default tolerance) and the
  fit's bare limit (its calls times the bare evaluations, Minuit's own time excluded);
  how far each fit's parameters are from a tightly converged one (MIGRAD strategy 2,
  tolerance 10⁻⁶), in units of the HESSE errors, and the relative change of the signal
  strength between the previous and the new fit.

Times are the least disturbed of several repetitions (``timing.best_mean_time``) for
evaluations, medians for fits; the load average is printed with them.

Usage: python benchmarks/bench_fit.py [DATA_DIR] [NAME ...] [--repeat N] [--json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from bare_costs import bare_kernels
from iminuit import Minuit
from timing import best_mean_time, load_average, median_time

import cevns.stats.fit as fit_module
import cevns.stats.lean_cost as lean_module
from cevns.stats.assemble import build_analysis
from cevns.stats.fit import fit
from cevns.stats.lean_batch import many_values
from cevns.stats.lean_cost import compile_cost

EXPERIMENTS = ("coherent-csi-2021", "coherent-lar-2020")


def _points(lean, start: np.ndarray, count: int) -> list[np.ndarray]:
    """Points around ``start`` inside the limits, as a fit visits them."""
    rng = np.random.default_rng(7)
    low = np.array([bound[0] for bound in lean.limits])
    high = np.array([bound[1] for bound in lean.limits])
    steps = rng.normal(0.0, 0.05, (count, start.size)) * np.maximum(np.abs(start), 0.1)
    return [np.clip(start + step, low, high) for step in steps]


def _previous_fit(cost, start):
    """The fit as it was before the compiled cost: Minuit on the cost objects, MIGRAD
    strategy 1 at Minuit's default tolerance, then HESSE."""
    saved = lean_module.LEAN_COSTS, fit_module.FIRST_STRATEGY, fit_module.TOLERANCE
    lean_module.LEAN_COSTS, fit_module.FIRST_STRATEGY, fit_module.TOLERANCE = False, 1, 0.1
    try:
        return fit(cost, start)
    finally:
        lean_module.LEAN_COSTS, fit_module.FIRST_STRATEGY, fit_module.TOLERANCE = saved


def measure(name: str, repeat: int, data: str | None = None) -> dict[str, Any]:
    analysis = build_analysis(name, data)
    cost = analysis.cost
    lean = compile_cost(cost)
    assert lean is not None
    names = list(cost._parameters)
    start = np.array([analysis.start[n] for n in names])
    points = _points(lean, start, 1000)
    cycle = iter(range(10**12))

    def lean_value():
        lean(points[next(cycle) % 1000])

    def lean_both():
        x = points[next(cycle) % 1000]
        lean(x)
        lean.gradient(x)

    def old_value():
        cost(*points[next(cycle) % 1000])

    def old_both():
        x = points[next(cycle) % 1000]
        cost(*x)
        cost.grad(*x)

    difference = max(abs(lean(x) / cost(*x) - 1.0) for x in points[:50])
    gradient_difference = 0.0
    for x in points[:20]:
        reference = cost.grad(*x)
        change = np.abs(lean.gradient(x) - reference) / np.maximum(np.abs(reference), 1e-3)
        gradient_difference = max(gradient_difference, float(np.max(change)))
    batch = np.array(_points(lean, start, 10_000))
    batch_difference = float(
        np.max(np.abs(many_values(lean, batch[:500]) / [lean(x) for x in batch[:500]] - 1.0))
    )
    bare_value, bare_gradient = bare_kernels(lean, points[0])
    assert abs(bare_value() / lean(points[0]) - 1.0) < 1e-12
    load_before = load_average()
    times = {
        "value_us": best_mean_time(lean_value, repeat) * 1e6,
        "value_and_gradient_us": best_mean_time(lean_both, repeat // 2) * 1e6,
        "bare_value_us": best_mean_time(bare_value, repeat) * 1e6,
        "bare_value_and_gradient_us": best_mean_time(bare_gradient, repeat // 2) * 1e6,
        "previous_value_us": best_mean_time(old_value, repeat // 10) * 1e6,
        "previous_value_and_gradient_us": best_mean_time(old_both, repeat // 20) * 1e6,
        "batched_value_per_point_us": median_time(lambda: many_values(lean, batch), 15) / 1e4 * 1e6,
    }
    result = fit(cost, analysis.start)
    fit_s = median_time(lambda: fit(cost, analysis.start), 30)
    previous = _previous_fit(cost, analysis.start)
    previous_s = median_time(lambda: _previous_fit(cost, analysis.start), 10)
    minuit = result.minuit
    assert minuit is not None and previous.minuit is not None
    calls, gradients = int(minuit.nfcn), int(minuit.ngrad)
    bare = calls * times["bare_value_us"] + gradients * times["bare_value_and_gradient_us"]
    limit_s = bare * 1e-6
    tight = Minuit(cost, *start, name=names)
    tight.strategy, tight.tol = 2, 1e-6
    tight.migrad()
    tight.hesse()
    errors = dict(zip(names, tight.errors, strict=True))

    def distance(values) -> float:
        return max(abs(values[n] - tight.values[n]) / errors[n] for n in names)

    scale = analysis.signal_scale
    report = {
        "experiment": name,
        "bins": int(lean._size),
        "parameters": len(names),
        "load_average": [load_before, load_average()],
        **times,
        "value_over_bare": times["value_us"] / times["bare_value_us"],
        "value_and_gradient_over_bare": times["value_and_gradient_us"]
        / times["bare_value_and_gradient_us"],
        "previous_over_value": times["previous_value_us"] / times["value_us"],
        "previous_over_value_and_gradient": times["previous_value_and_gradient_us"]
        / times["value_and_gradient_us"],
        "batched_over_bare_value": times["batched_value_per_point_us"] / times["bare_value_us"],
        "value_over_batched": times["value_us"] / times["batched_value_per_point_us"],
        "largest_relative_difference_batched": batch_difference,
        "largest_relative_difference_value": difference,
        "largest_relative_difference_gradient": gradient_difference,
        "fit_ms": fit_s * 1e3,
        "fit_calls": calls,
        "fit_gradient_calls": gradients,
        "fit_bare_limit_ms": limit_s * 1e3,
        "fit_over_bare_limit": fit_s / limit_s,
        "previous_fit_ms": previous_s * 1e3,
        "previous_fit_calls": int(previous.minuit.nfcn),
        "previous_fit_over_fit": previous_s / fit_s,
        "minimum": result.minimum,
        "previous_minimum": previous.minimum,
        "tight_minimum": float(tight.fval),
        "fit_distance_sigma": distance(result.values),
        "previous_fit_distance_sigma": distance(previous.values),
        "signal_scale_relative_change": result.values[scale] / previous.values[scale] - 1.0,
        "largest_error_relative_change": max(
            abs(result.errors[n] / previous.errors[n] - 1.0) for n in names
        ),
    }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "experiments", nargs="*", help="presets (default: both); a folder is the data directory"
    )
    parser.add_argument("--repeat", type=int, default=4000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folders = [a for a in args.experiments if Path(a).is_dir()]
    names = [a for a in args.experiments if a not in folders] or list(EXPERIMENTS)
    started = time.perf_counter()
    reports = [measure(name, args.repeat, folders[0] if folders else None) for name in names]
    if args.json:
        print(json.dumps(reports, indent=2))
        return
    for r in reports:
        low, high = r["load_average"]
        print(f"{r['experiment']}: {r['bins']} bins, {r['parameters']} parameters "
              f"(load average {low:.2f} → {high:.2f})")  # fmt: skip
        print("                              compiled    bare numpy   ratio   previous  speed-up")
        for label, key in (("one evaluation", "value"),
                           ("evaluation + gradient", "value_and_gradient")):  # fmt: skip
            t, bare, old = r[f"{key}_us"], r[f"bare_{key}_us"], r[f"previous_{key}_us"]
            print(f"  {label:26s} {t:8.1f} us {bare:8.1f} us {t / bare:6.2f} {old:8.1f} us "
                  f"{old / t:7.1f}")  # fmt: skip
        t = r["batched_value_per_point_us"]
        print(f"  {'batched, per point (1e4)':26s} {t:8.2f} us {r['bare_value_us']:8.1f} us "
              f"{r['batched_over_bare_value']:6.2f} {r['value_us']:8.1f} us "
              f"{r['value_over_batched']:7.1f}   (vs one at a time: "
              f"{r['largest_relative_difference_batched']:.0e})")  # fmt: skip
        print(f"  largest relative difference from the cost objects: value "
              f"{r['largest_relative_difference_value']:.1e}, gradient "
              f"{r['largest_relative_difference_gradient']:.1e}")  # fmt: skip
        print(f"  full fit (MIGRAD + HESSE)  {r['fit_ms']:8.2f} ms "
              f"{r['fit_bare_limit_ms']:8.2f} ms {r['fit_over_bare_limit']:6.2f} "
              f"{r['previous_fit_ms']:8.2f} ms {r['previous_fit_over_fit']:7.1f}")  # fmt: skip
        print(f"    calls {r['fit_calls']} (+{r['fit_gradient_calls']} gradients), previous "
              f"{r['previous_fit_calls']}; from a tight fit: {r['fit_distance_sigma']:.1e} σ "
              f"(previous {r['previous_fit_distance_sigma']:.1e} σ); signal strength moves "
              f"{r['signal_scale_relative_change']:+.1e}, errors at most "
              f"{r['largest_error_relative_change']:.1e} (relative)")  # fmt: skip
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
