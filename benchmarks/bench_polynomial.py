"""Benchmark: the CsI 2021 signal at new NSI points.

Prints, in one run on this machine (medians; the load average with them):

* one 99-bin histogram at a new (ε_ee^uV, ε_ee^dV) point (values as Python floats, as
  fits and scans pass them) through the direct engine path, through the precomputed
  polynomial (:mod:`cevns.stats.polynomial`), and the bare-numpy limit of the
  polynomial's arithmetic (the monomial vector times the coefficient matrix, with the
  monomials already computed); ratios to that limit and to the direct path;
* 10⁴ points at once through ``PolynomialSignal.many``, per point.

Fits are in ``bench_fit.py``.

Usage: CEVNS_DATA_DIR=../shared/data python benchmarks/bench_polynomial.py [--json]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from timing import load_average, median_time

import cevns.stats.signal_component as signal_component
from cevns.stats.assemble import build_analysis

PARAMETERS = ("eps_ee_u", "eps_ee_d")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    start = time.perf_counter()
    analysis = build_analysis("coherent-csi-2021", model_parameters=dict.fromkeys(PARAMETERS))
    setup_polynomial = time.perf_counter() - start
    polynomial = analysis.data.model.component("cevns").nominal
    signal_component.POLYNOMIAL_SIGNALS = False
    direct = (
        build_analysis("coherent-csi-2021", model_parameters=dict.fromkeys(PARAMETERS))
        .data.model.component("cevns")
        .nominal
    )
    signal_component.POLYNOMIAL_SIGNALS = True

    rng = np.random.default_rng(1)
    points = rng.uniform(-0.5, 0.5, (args.repeat, 2))
    values = [{**analysis.start, "eps_ee_u": u, "eps_ee_d": d} for u, d in points.tolist()]
    load_before = load_average()
    cycle = iter(range(10**9))

    def one(function):
        return lambda: function(values[next(cycle) % len(values)])

    direct_s = median_time(one(direct), min(args.repeat, 500))
    polynomial_s = median_time(one(polynomial), args.repeat)
    flat = polynomial.coefficients.reshape(polynomial.coefficients.shape[0], -1)
    monomial = polynomial.monomials(points[:1])
    limit_s = median_time(lambda: monomial @ flat, args.repeat)
    batch = rng.uniform(-0.5, 0.5, (10_000, 2))
    batch_s = median_time(lambda: polynomial.many(batch), 20) / batch.shape[0]
    worst = max(
        float(np.max(np.abs(polynomial(v) - direct(v))) / np.max(np.abs(direct(v))))
        for v in values[:20]
    )

    report = {
        "bins": int(np.prod(polynomial.histogram_shape)),
        "polynomial_degrees": list(polynomial.degrees),
        "setup_with_polynomial_s": setup_polynomial,
        "direct_point_us": direct_s * 1e6,
        "polynomial_point_us": polynomial_s * 1e6,
        "bare_numpy_limit_us": limit_s * 1e6,
        "polynomial_over_limit": polynomial_s / limit_s,
        "direct_over_polynomial": direct_s / polynomial_s,
        "batched_per_point_us": batch_s * 1e6,
        "batched_over_limit": batch_s / limit_s,
        "largest_relative_difference": worst,
        "load_average": [load_before, load_average()],
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    low, high = report["load_average"]
    print("CsI 2021, 99 bins, new NSI point (eps_ee_u, eps_ee_d); "
          f"load average {low:.2f} → {high:.2f}")  # fmt: skip
    print(f"  direct engine path              {report['direct_point_us']:9.1f} us")
    print(f"  precomputed polynomial          {report['polynomial_point_us']:9.2f} us")
    print(f"  bare-numpy limit (product only) {report['bare_numpy_limit_us']:9.2f} us")
    print(f"  polynomial / limit              {report['polynomial_over_limit']:9.2f}")
    print(f"  direct / polynomial             {report['direct_over_polynomial']:9.1f}")
    print(f"  batched, per point (1e4 points) {report['batched_per_point_us']:9.3f} us")
    print(f"  largest relative difference     {worst:9.2e}")


if __name__ == "__main__":
    main()
