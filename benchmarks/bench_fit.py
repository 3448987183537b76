"""Benchmark: the CsI 2021 likelihood and a full fit with every nuisance parameter.

Prints, in one run on this machine,
  * the median time of one likelihood evaluation (data, AC auxiliary term, priors),
    next to a slow reference: the same −2 ln L written as a plain Python loop over bins
    (which must agree to 1e-9);
  * the median time of a full fit (MIGRAD + HESSE, 9 parameters) over repetitions, next to
    scipy's Nelder–Mead on the same cost (whose minimum it should match or beat).

The likelihood is the one the ``coherent-csi-2021`` document declares
(:func:`cevns.stats.assemble.build_analysis`, its Klein–Nystrand form factor).

Usage: python benchmarks/bench_fit.py [DATA_DIR] [--json]
"""

from __future__ import annotations

import json
import math
import sys
import time

import numpy as np
from scipy.optimize import minimize
from timing import median_time

from cevns.stats.assemble import build_analysis
from cevns.stats.fit import cost_terms, fit


def slow_value(cost, values: dict) -> float:
    """Σ over terms of the deviance written bin by bin in plain Python."""
    total = 0.0
    for term in cost_terms(cost):
        if hasattr(term, "model"):
            expected = term.model.expected({p: values[p] for p in term._parameters})
            for n, mu in zip(
                term.observed.ravel().tolist(), expected.ravel().tolist(), strict=True
            ):
                total += 2 * (mu - n + (n * math.log(n / mu) if n > 0 else 0.0))
        else:
            total += term(*[values[p] for p in term._parameters])
    return total


def main() -> None:
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    analysis = build_analysis("coherent-csi-2021", arguments[0] if arguments else None)
    cost, start = analysis.cost, analysis.start
    names = list(cost._parameters)
    point = [start[n] for n in names]

    fast_eval = median_time(lambda: cost(*point), 5000)
    slow_eval = median_time(lambda: slow_value(cost, start), 200)
    agreement = abs(cost(*point) - slow_value(cost, start))

    result = fit(cost, start)
    fit_time = median_time(lambda: fit(cost, start), 5)
    limits = [cost._parameters[n] or (None, None) for n in names]

    def objective(x):
        clipped = [min(max(v, lo if lo is not None else -np.inf), hi if hi is not None else np.inf)
                   for v, (lo, hi) in zip(x, limits, strict=True)]  # fmt: skip
        return cost(*clipped)

    begin = time.perf_counter()
    options = {"maxiter": 40000, "maxfev": 40000, "xatol": 1e-6, "fatol": 1e-8}
    reference = minimize(objective, point, method="Nelder-Mead", options=options)
    reference_time = time.perf_counter() - begin

    report = {
        "likelihood_eval_median_us": fast_eval * 1e6,
        "slow_loop_eval_median_us": slow_eval * 1e6,
        "eval_speed_ratio": slow_eval / fast_eval,
        "eval_agreement": agreement,
        "fit_median_s": fit_time,
        "fit_parameters": len(names),
        "nelder_mead_s": reference_time,
        "fit_speed_ratio": reference_time / fit_time,
        "minimum_migrad": result.minimum,
        "minimum_nelder_mead": float(reference.fun),
    }
    if "--json" in sys.argv:
        print(json.dumps(report, indent=2))
        return
    bins = " + ".join(
        f"{s.observed.size} {'auxiliary ' if s.auxiliary else ''}bins" for s in analysis.samples
    )
    print(f"CsI 2021 likelihood ({bins} + {len(analysis.constraints)} priors)")
    print(f"  one evaluation (median)          {fast_eval * 1e6:9.1f} us")
    eval_ratio = report["eval_speed_ratio"]
    print(f"  plain-Python loop (median)       {slow_eval * 1e6:9.1f} us   ratio {eval_ratio:.1f}")
    print(f"  |difference|                     {agreement:9.2e}")
    print(f"  full fit, {len(names)} parameters (median) {fit_time:9.3f} s")
    fit_ratio = report["fit_speed_ratio"]
    print(f"  Nelder-Mead on the same cost     {reference_time:9.3f} s   ratio {fit_ratio:.1f}")
    print(f"  minima MIGRAD / Nelder-Mead      {result.minimum:.4f} / {reference.fun:.4f}")


if __name__ == "__main__":
    main()
