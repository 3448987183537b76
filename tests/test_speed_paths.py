"""The fast paths of issue 14 against the direct ones they replace.

* Polynomial signals (:mod:`cevns.stats.polynomial`): exact against the engine's direct
  evaluation (tolerance 1e-12 of the largest bin for NSI; the module's own check is 1e-10),
  inside and outside the set-up box; non-polynomial models keep the direct path.
* Analytic gradients of the Poisson cost: against central finite differences (1e-4
  relative, the differences' own accuracy), and fits with and without them agree.
"""

from __future__ import annotations

import numpy as np
import pytest

import cevns.stats.cost as cost_module
import cevns.stats.signal_component as signal_component
from cevns.stats.analysis import combine
from cevns.stats.assemble import build_analysis
from cevns.stats.fit import fit
from cevns.stats.polynomial import PolynomialSignal, build_polynomial, chebyshev_points

CSI = "coherent-csi-2021"


def signal_functions(data_dir, parameters):
    """(fast, direct) signal functions of the CsI analysis with new-physics ``parameters``."""
    analysis = build_analysis(CSI, data_dir, model_parameters=dict.fromkeys(parameters))
    fast = analysis.data.model.component("cevns").nominal
    signal_component.POLYNOMIAL_SIGNALS = False
    try:
        direct_analysis = build_analysis(CSI, data_dir, model_parameters=dict.fromkeys(parameters))
    finally:
        signal_component.POLYNOMIAL_SIGNALS = True
    return analysis, fast, direct_analysis.data.model.component("cevns").nominal


def test_polynomial_interpolation_of_a_known_polynomial() -> None:
    def function(values):
        x, y = values["x"], values["y"]
        return np.array([1 + 2 * x + 3 * x * x * y, 5 - y + y * y, 7.0])

    polynomial = build_polynomial(function, ("x", "y"), {"x": 0.1, "y": -0.2}, {"x": 1, "y": 2})
    assert isinstance(polynomial, PolynomialSignal)
    assert polynomial.degrees == (2, 2)
    for x, y in [(0.0, 0.0), (3.0, -4.0), (-0.7, 0.3)]:
        np.testing.assert_allclose(polynomial({"x": x, "y": y}), function({"x": x, "y": y}),
                                   rtol=1e-12, atol=1e-12)  # fmt: skip
    points = np.array([[0.2, 0.5], [1.0, -1.0]])
    np.testing.assert_allclose(
        polynomial.many(points)[1], function({"x": 1.0, "y": -1.0}), rtol=1e-12, atol=1e-12
    )
    gradient = polynomial.gradient({"x": 0.5, "y": 2.0})
    np.testing.assert_allclose(gradient["x"], [2 + 6 * 0.5 * 2.0, 0.0, 0.0], rtol=1e-12)
    np.testing.assert_allclose(gradient["y"], [3 * 0.25, -1 + 4.0, 0.0], rtol=1e-12)
    assert (
        build_polynomial(lambda v: np.array([np.exp(v["x"])]), ("x",), {"x": 0}, {"x": 1}) is None
    )
    np.testing.assert_allclose(chebyshev_points(3), [-1.0, 0.0, 1.0], atol=1e-15)


@pytest.mark.data
def test_written_out_plane_monomials_match_the_outer_product() -> None:
    """The (2, 2) plane's written-out monomials are the generic outer product of powers,
    in the coefficients' C order (a wrong order would pass a polynomial symmetric in its
    two parameters, so this one is not)."""
    from cevns.stats.polynomial import _PLANE_MONOMIALS, _POWERS

    for degrees, plane in _PLANE_MONOMIALS.items():
        for u, w in [(0.3, -1.7), (2.0, 0.5)]:
            generic = [a * b for a in _POWERS[degrees[0]](u) for b in _POWERS[degrees[1]](w)]
            assert plane(u, w) == pytest.approx(generic, rel=1e-15)

    def function(values):
        x, y = values["x"], values["y"]
        return np.array([x - 2 * y, x * x * y - 3 * y * y * x, 1.5 + x * y])

    polynomial = build_polynomial(function, ("x", "y"), {"x": 0.1, "y": -0.2}, {"x": 1, "y": 1})
    assert polynomial is not None and polynomial.degrees == (2, 2)
    assert polynomial._plane is not None  # the written-out path is the one tested
    for x, y in [(0.4, -0.9), (-1.3, 2.2)]:
        np.testing.assert_allclose(polynomial({"x": x, "y": y}), function({"x": x, "y": y}),
                                   rtol=1e-12, atol=1e-12)  # fmt: skip


def test_nsi_signal_is_a_polynomial_and_exact(shared_data_dir) -> None:
    analysis, fast, direct = signal_functions(shared_data_dir, ("eps_ee_u", "eps_ee_d"))
    assert isinstance(fast, PolynomialSignal) and fast.degrees == (2, 2)
    for point in [(0.0, 0.0), (0.3, -0.2), (-1.5, 2.0), (4.0, -3.0), (0.05, 0.01)]:
        values = {**analysis.start, "eps_ee_u": point[0], "eps_ee_d": point[1]}
        expected = direct(values)
        assert np.max(np.abs(fast(values) - expected)) <= 1e-12 * np.max(np.abs(expected))
    batch = np.array([[0.1, 0.2], [-0.3, 0.4], [0.0, 0.0]])
    many = fast.many(batch)
    for row, point in zip(many, batch, strict=True):
        values = {**analysis.start, "eps_ee_u": point[0], "eps_ee_d": point[1]}
        np.testing.assert_allclose(row, fast(values), rtol=1e-13)


@pytest.mark.data
@pytest.mark.parametrize(
    "parameters",
    [("sin2_theta_w",), ("mu_nu_mu",), ("charge_radius_mu",), ("flavor_scale_e", "eps_mumu_u")],
)
def test_other_polynomial_models(shared_data_dir, parameters) -> None:
    analysis, fast, direct = signal_functions(shared_data_dir, parameters)
    assert isinstance(fast, PolynomialSignal)
    rng = np.random.default_rng(3)
    for _ in range(3):
        values = dict(analysis.start)
        for name, centre, spread in zip(fast.names, fast.centres, fast.spreads, strict=True):
            values[name] = max(centre + spread * rng.uniform(-1.5, 1.5), 0.0)
        expected = direct(values)
        # 1e-12 of the largest bin, the target (measured: 8e-16 to 5e-15).
        assert np.max(np.abs(fast(values) - expected)) <= 1e-12 * np.max(np.abs(expected))


@pytest.mark.data
def test_non_polynomial_models_keep_the_direct_path(shared_data_dir) -> None:
    analysis = build_analysis(
        CSI, shared_data_dir, model_parameters={"zprime_universal_g": 1e-4, "zprime_mass": 10.0}
    )
    assert not isinstance(analysis.data.model.component("cevns").nominal, PolynomialSignal)


def _mediator(values):
    """A mediator-like signal: (1 − g²/(1 + m²))² per bin, polynomial in g, not in m."""
    shape = np.array([1.0, 2.0, 3.0])
    return shape * (1.0 - values["g"] ** 2 / (1.0 + values["m"] ** 2)) ** 2


def test_a_sliced_polynomial_is_built_per_slice_and_exact() -> None:
    """Direct until a slice has been asked for at SLICE_AFTER couplings, then the
    polynomial in the coupling at that mass: equal to the direct function to 1e-12 inside
    and outside its box, with the analytic derivative; other masses stay direct."""
    from cevns.stats.polynomial import SLICE_AFTER, SlicedPolynomial

    calls = []

    def counted(values):
        calls.append(dict(values))
        return _mediator(values)

    sliced = SlicedPolynomial(counted, {"m": 2.0, "g": 0.0}, ("g",), {"g": (0.0, None)})
    assert sliced.slow == ("m",)
    couplings = [0.1 * (k + 1) for k in range(SLICE_AFTER)]
    for g in couplings[:-1]:
        assert sliced.polynomial_at({"m": 2.0, "g": g}) is None
        np.testing.assert_array_equal(sliced({"m": 2.0, "g": g}), _mediator({"m": 2.0, "g": g}))
    assert sliced.gradient({"m": 2.0, "g": 0.1}) == {}
    polynomial = sliced.polynomial_at({"m": 2.0, "g": couplings[-1]})
    assert isinstance(polynomial, PolynomialSignal) and polynomial.names == ("g",)
    assert polynomial.degrees == (4,)
    calls.clear()
    for g in (0.0, 0.37, 1.2, 5.0, 40.0):
        values = {"m": 2.0, "g": g}
        expected = _mediator(values)
        assert np.max(np.abs(sliced(values) - expected)) <= 1e-12 * max(1.0, np.max(expected))
        slope = 4.0 * g / 5.0 * (1.0 - g * g / 5.0) * np.array([1.0, 2.0, 3.0])
        np.testing.assert_allclose(
            sliced.gradient(values)["g"], -slope, rtol=1e-9, atol=1e-12 * (1.0 + g) ** 3
        )
    assert calls == []  # the built slice no longer calls the function
    other = {"m": 7.0, "g": 0.3}
    assert sliced.polynomial_at(other) is None and sliced.gradient(other) == {}
    np.testing.assert_array_equal(sliced(other), _mediator(other))


def test_a_slice_that_is_no_polynomial_stays_direct() -> None:
    """A slice along which the function is not a polynomial of degree ≤ 4 is built once,
    found wanting, and evaluated directly from then on."""
    from cevns.stats.polynomial import SLICE_AFTER, SlicedPolynomial

    def function(values):
        return np.array([np.exp(values["g"] * values["m"]), 1.0])

    sliced = SlicedPolynomial(function, {"m": 1.0, "g": 0.0}, ("g",), {"g": (None, None)})
    for k in range(SLICE_AFTER + 2):
        values = {"m": 1.0, "g": 0.1 * k}
        assert sliced.polynomial_at(values) is None
        np.testing.assert_array_equal(sliced(values), function(values))


@pytest.mark.data
def test_a_mediator_is_sliced_along_its_mass_and_exact(shared_data_dir) -> None:
    """The universal Z′ signal is a polynomial in its coupling at each mass (a
    :class:`SlicedPolynomial` with the mass slow); a built slice equals the direct engine
    to 1e-12 of its largest bin, from zero to ten times the CsI limit."""
    from cevns.stats.polynomial import SLICE_AFTER, SlicedPolynomial

    parameters = ("zprime_mass", "zprime_universal_g")
    analysis = build_analysis(
        CSI, shared_data_dir, model_parameters={"zprime_mass": 10.0, "zprime_universal_g": 0.0}
    )
    sliced = analysis.data.model.component("cevns").nominal
    assert isinstance(sliced, SlicedPolynomial)
    assert sliced.fast == ("zprime_universal_g",) and sliced.slow == ("zprime_mass",)
    _, _, direct = signal_functions(shared_data_dir, parameters)
    for k in range(SLICE_AFTER):
        sliced({**analysis.start, "zprime_mass": 30.0, "zprime_universal_g": 1e-5 * (k + 1)})
    assert sliced.polynomial_at({"zprime_mass": 30.0, "zprime_universal_g": 0.0}) is not None
    for g in (0.0, 1e-5, 3e-5, 2.4e-4):
        values = {**analysis.start, "zprime_mass": 30.0, "zprime_universal_g": g}
        expected = direct(values)
        assert np.max(np.abs(sliced(values) - expected)) <= 1e-12 * np.max(np.abs(expected))


def finite_difference_check(cost, start) -> float:
    names = list(cost._parameters)
    rng = np.random.default_rng(1)
    x = np.array([start[n] for n in names], dtype=float)
    x = x + rng.normal(0.0, 0.05, x.size) * np.maximum(np.abs(x), 0.1)
    analytic = cost.grad(*x)
    worst = 0.0
    for i in range(x.size):
        step = 1e-6 * max(abs(x[i]), 1e-2)
        up, down = x.copy(), x.copy()
        up[i] += step
        down[i] -= step
        numeric = (cost(*up) - cost(*down)) / (2 * step)
        worst = max(worst, abs(numeric - analytic[i]) / max(abs(numeric), 1e-2))
    return worst


@pytest.mark.data
@pytest.mark.parametrize(
    ("names", "model"),
    [
        ([CSI], None),
        ([CSI], {"eps_ee_u": None, "eps_ee_d": None}),
        (["coherent-lar-2020"], None),
    ],
)
def test_cost_gradient_matches_finite_differences(shared_data_dir, names, model) -> None:
    analyses = [build_analysis(n, shared_data_dir, model_parameters=model) for n in names]
    cost = combine(*analyses)
    assert cost.has_grad
    start = {k: v for a in analyses for k, v in a.start.items()}
    assert finite_difference_check(cost, start) < 1e-4


@pytest.mark.data
def test_template_grid_gradient(shared_data_dir) -> None:
    if not (shared_data_dir / "xenonnt-cevns-2026").is_dir():
        pytest.skip("xenonnt-cevns-2026 not found")
    analysis = build_analysis("xenonnt-b8-sr0", shared_data_dir)
    start = {**analysis.start, "t_ly": 0.37, "t_qy": -1.41}  # inside grid cells
    assert finite_difference_check(analysis.cost, start) < 1e-4


@pytest.mark.data
def test_fits_agree_with_and_without_gradients(shared_data_dir) -> None:
    analysis = build_analysis(CSI, shared_data_dir)
    with_gradient = fit(analysis.cost, analysis.start)
    cost_module.ANALYTIC_GRADIENTS = False
    try:
        numeric = fit(analysis.cost, analysis.start)
    finally:
        cost_module.ANALYTIC_GRADIENTS = True
    scale = analysis.signal_scale
    assert with_gradient.values[scale] == pytest.approx(numeric.values[scale], rel=1e-4)
    assert with_gradient.minimum == pytest.approx(numeric.minimum, abs=1e-4)
