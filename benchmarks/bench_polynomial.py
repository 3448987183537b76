"""Benchmark: the CsI 2021 signal at new NSI points.

Prints, in one run on this machine (medians; the load average with them):

* one 99-bin histogram at a new (ε_ee^uV, ε_ee^dV) point (values as Python floats, as
  fits and scans pass them) through the direct engine path, through the precomputed
  polynomial (:mod:`cevns.stats.polynomial`), and the bare-numpy limit of the
  polynomial's arithmetic (the monomial vector times the coefficient matrix, with the
  monomials already computed); ratios to that limit and to the direct path;
* 10⁴ points at once through ``PolynomialSignal.many``, per point;
* a universal Z′ at a fixed mass (30 MeV), new couplings: the direct engine against the
  slice of a :class:`~cevns.stats.polynomial.SlicedPolynomial` (polynomial in the
  coupling at that mass), the slice's set-up time, and a CsI 2021 fit with the coupling
  free at that mass (every nuisance free) both ways.

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

    zprime = _zprime_at_fixed_mass(args.repeat)
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
        "zprime_at_fixed_mass": zprime,
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
    print(f"universal Z' at m = {ZPRIME_MASS:g} MeV, new coupling")
    print(f"  direct engine path              {zprime['direct_point_us']:9.1f} us")
    print(f"  sliced polynomial               {zprime['sliced_point_us']:9.2f} us")
    print(f"  the slice's set-up              {zprime['slice_setup_ms']:9.1f} ms")
    print(f"  fit, coupling free, direct      {zprime['fit_direct_ms']:9.1f} ms")
    print(f"  fit, coupling free, sliced      {zprime['fit_sliced_ms']:9.1f} ms")
    print(f"  largest relative difference     {zprime['largest_relative_difference']:9.2e}")
    print(f"  fits' minima differ by          {zprime['fit_minimum_difference']:9.1e}")


#: The Z′ mass of the fixed-mass benchmark [MeV].
ZPRIME_MASS = 30.0


def _zprime_at_fixed_mass(repeat: int) -> dict[str, float]:
    """The Z′ signal at a fixed mass through the direct engine and its built slice, and
    a fit with the coupling free at that mass (every nuisance free) both ways."""
    from cevns.stats.fit import fit
    from cevns.stats.polynomial import SLICE_AFTER

    model = {"zprime_mass": ZPRIME_MASS, "zprime_universal_g": 0.0}
    sliced_analysis = build_analysis("coherent-csi-2021", model_parameters=model)
    sliced = sliced_analysis.data.model.component("cevns").nominal
    signal_component.POLYNOMIAL_SIGNALS = False
    direct_analysis = build_analysis("coherent-csi-2021", model_parameters=model)
    signal_component.POLYNOMIAL_SIGNALS = True
    direct = direct_analysis.data.model.component("cevns").nominal
    base = {**sliced_analysis.start, **model}
    started = time.perf_counter()
    for k in range(SLICE_AFTER):
        sliced({**base, "zprime_universal_g": 1e-5 * (k + 1)})
    setup_s = time.perf_counter() - started
    couplings = np.random.default_rng(2).uniform(0.0, 5e-5, repeat).tolist()
    values = [{**base, "zprime_universal_g": g} for g in couplings]
    cycle = iter(range(10**9))

    def one(function):
        return lambda: function(values[next(cycle) % len(values)])

    direct_s = median_time(one(direct), min(repeat, 300))
    sliced_s = median_time(one(sliced), repeat)
    worst = max(
        float(np.max(np.abs(sliced(v) - direct(v))) / np.max(np.abs(direct(v))))
        for v in values[:20]
    )
    fits = {}
    for label, analysis in (("direct", direct_analysis), ("sliced", sliced_analysis)):
        start = {**analysis.start, **model, "zprime_universal_g": 2e-5}
        fixed = ["zprime_mass", *analysis.fixed]
        fit(analysis.cost, start, fixed=fixed)  # first call: the slice is built here
        fits[label] = (
            median_time(lambda a=analysis, s=start, f=fixed: fit(a.cost, s, fixed=f), 5),
            fit(analysis.cost, start, fixed=fixed).minimum,
        )
    return {
        "mass_mev": ZPRIME_MASS,
        "direct_point_us": direct_s * 1e6,
        "sliced_point_us": sliced_s * 1e6,
        "direct_over_sliced": direct_s / sliced_s,
        "slice_setup_ms": setup_s * 1e3,
        "largest_relative_difference": worst,
        "fit_direct_ms": fits["direct"][0] * 1e3,
        "fit_sliced_ms": fits["sliced"][0] * 1e3,
        "fit_minimum_difference": abs(fits["direct"][1] - fits["sliced"][1]),
    }


if __name__ == "__main__":
    main()
