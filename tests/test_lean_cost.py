"""The compiled cost (:mod:`cevns.stats.lean_cost`) against the cost objects it compiles.

The compiled cost must give the same numbers as ``cost(*x)`` and ``cost.grad(*x)`` (value
to 1e-12 relative: only the order of the additions differs), its Jacobian the central
differences of the expectation (1e-6, the differences' own accuracy), on synthetic models
that exercise every part (shared components, clipped shape systematics, exponential,
polynomial and generic nominals, every prior) and on the CsI 2021 and argon 2020 releases.
Fits on it reach the minimum of a tightly converged fit on the cost objects.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from iminuit import Minuit
from iminuit.cost import NormalConstraint

import cevns.stats.lean_batch as lean_batch
import cevns.stats.lean_cost as lean_module
from cevns.errors import CevnsInputError
from cevns.experiments.backgrounds import BackgroundShape
from cevns.stats.analysis import combine
from cevns.stats.assemble import build_analysis
from cevns.stats.cost import LogNormalConstraint, PoissonHistogram
from cevns.stats.d2o_flux import PoissonCount
from cevns.stats.fit import fit
from cevns.stats.lean_cost import compile_cost
from cevns.stats.likelihood import Likelihood, LikelihoodRecipe, Profiler, profile
from cevns.stats.model import BinnedModel, Component, ShapeSystematic
from cevns.stats.polynomial import build_polynomial

SHAPE = (3, 4)
EDGES_TIME = np.array([0.0, 0.5, 1.0, 3.0, 6.0])
EDGES_ENERGY = np.array([0.0, 1.0, 2.0, 3.0])


def _synthetic_cost():
    """Two samples sharing a decaying background; a signal with three shape systematics
    (one steep enough to clip at 0) and a polynomial nominal; a generic nominal function;
    every prior kind."""
    rng = np.random.default_rng(5)
    signal = rng.uniform(5.0, 20.0, SHAPE)
    up = signal * rng.uniform(0.8, 1.3, SHAPE)
    steep = signal * np.where(rng.uniform(size=SHAPE) > 0.5, 2.5, 0.1)
    systematics = (
        ShapeSystematic.from_histograms("alpha", signal, up),
        ShapeSystematic.from_histograms("beta", signal, up[::-1, ::-1], signal * 0.9),
        ShapeSystematic.from_histograms("gamma", signal, steep),
    )

    def quadratic(values):
        g = values["g"]
        return signal * (1.0 + 0.3 * g + 0.2 * g * g)

    polynomial = build_polynomial(quadratic, ("g",), {"g": 0.0}, {"g": 1.0})
    assert polynomial is not None
    decay = BackgroundShape(
        "decay", rng.uniform(1.0, 3.0, SHAPE), ((1, EDGES_TIME, "rate", 0.2),), {"rate": 0.2}
    )
    double = BackgroundShape(
        "double",
        rng.uniform(1.0, 3.0, SHAPE),
        ((0, EDGES_ENERGY, "slope", 0.1), (1, EDGES_TIME, "rate", 0.2)),
        {"slope": 0.1, "rate": 0.2},
    )

    def generic(values):
        return np.outer(np.arange(1.0, 4.0), np.ones(4)) * np.exp(0.1 * values["w"])

    components = {
        "signal": Component("signal", polynomial, ("mu", "flux"), systematics, {"g": 0.0}),
        "decay": Component("decay", decay, ("b",), (), {"rate": 0.2}),
        "double": Component("double", double, ("d",), (), {"slope": 0.1, "rate": 0.2}),
        "flat": Component("flat", np.full(SHAPE, 2.0), ("c", "flux")),
        "generic": Component("generic", generic, ("e",), (), {"w": 0.0}),
    }
    limits = {"mu": (0.0, 5.0), "b": (0.0, 5.0), "rate": (-1.0, 1.0)}
    model = BinnedModel(list(components.values()))
    observed = rng.poisson(model.expected({
        "mu": 1.0, "flux": 1.0, "b": 1.0, "d": 1.0, "c": 1.0, "e": 1.0, "g": 0.1,
        "alpha": 0.0, "beta": 0.0, "gamma": 0.0, "rate": 0.2, "slope": 0.1, "w": 0.0,
    })).astype(float)  # fmt: skip
    observed[0, 0] = 0.0  # an empty bin
    side = BinnedModel([components["decay"], components["flat"]])
    side_observed = rng.poisson(side.expected({"b": 1.0, "c": 1.0, "flux": 1.0, "rate": 0.2}))
    return (
        PoissonHistogram(observed, model, "main", limits)
        + PoissonHistogram(side_observed.astype(float), side, "side", limits, auxiliary=True)
        + NormalConstraint("flux", 1.0, 0.1)
        + NormalConstraint(["alpha", "beta"], [0.0, 0.0], [[1.0, 0.3], [0.3, 1.0]])
        + NormalConstraint("gamma", 0.0, 1.0)
        + LogNormalConstraint("b", 1.0, 0.25)
    )


def _points(cost, count, seed=11):
    rng = np.random.default_rng(seed)
    base = {"mu": 1.0, "flux": 1.0, "b": 1.0, "d": 1.0, "c": 1.0, "e": 1.0, "rate": 0.2}
    names = list(cost._parameters)
    for _ in range(count):
        x = np.array([base.get(n, 0.0) for n in names])
        x += rng.normal(0.0, 0.4, x.size)
        for i, name in enumerate(names):
            if name in ("alpha", "beta", "gamma"):
                x[i] = rng.uniform(-2.5, 2.5)  # both sides of |α| = 1; gamma clips at 0
            if name in ("mu", "b", "flux", "c", "d", "e"):
                x[i] = abs(x[i]) + 0.05
        yield x


def _relative(a, b):
    return np.max(np.abs(np.asarray(a) - np.asarray(b)) / np.maximum(np.abs(b), 1e-300))


def test_synthetic_cost_value_gradient_and_jacobian() -> None:
    cost = _synthetic_cost()
    lean = compile_cost(cost)
    assert lean is not None and lean.names == tuple(cost._parameters)
    clipped = 0
    for x in _points(cost, 40):
        assert lean(x) == pytest.approx(cost(*x), rel=1e-12)
        np.testing.assert_allclose(lean.gradient(x), cost.grad(*x), rtol=1e-10, atol=1e-9)
        clipped += any(pieces[-1] is True for pieces in lean._last_state[1])
        jacobian = lean.jacobian(x)
        for i in range(x.size):
            step = 1e-5 * max(abs(x[i]), 0.1)  # smaller steps meet cancellation near r = 0
            up, down = x.copy(), x.copy()
            up[i] += step
            down[i] -= step
            difference = (lean.expected(up) - lean.expected(down)) / (2 * step)
            np.testing.assert_allclose(jacobian[i], difference, rtol=1e-5, atol=1e-6)
    assert clipped > 0  # the steep systematic was clipped at some points


def test_many_points_at_once_equal_one_at_a_time() -> None:
    """The batched cost equals the single-point cost row by row (1e-12 relative) on the
    synthetic model: clipped systematics, polynomial, one- and two-axis exponential and
    generic nominals, every prior; a zero or negative log-normal argument and an occupied
    bin without expectation give +inf in their row only; more rows than one batch."""
    cost = _synthetic_cost()
    lean = compile_cost(cost)
    assert lean is not None
    points = np.array(list(_points(cost, 300)))
    names = list(lean.names)
    points[7, names.index("b")] = 0.0  # log-normal prior on b: +inf
    points[8, names.index("b")] = -0.5
    points[9, [names.index(n) for n in ("mu", "b", "d", "c", "e")]] = 0.0  # μ = 0 in bins
    single = np.array([lean(x) for x in points])
    batched = lean_batch.many_values(lean, points)
    assert np.isinf(single[[7, 8, 9]]).all() and np.isinf(batched[[7, 8, 9]]).all()
    finite = np.isfinite(single)
    assert finite.sum() == points.shape[0] - 3
    np.testing.assert_allclose(batched[finite], single[finite], rtol=1e-12)
    small = lean_batch.BATCH_VALUES
    try:
        lean_batch.BATCH_VALUES = 3 * lean._size  # three rows per batch: 100 batches
        # the same numbers up to the rounding of products over fewer rows
        np.testing.assert_allclose(lean_batch.many_values(lean, points), batched, rtol=1e-13)
    finally:
        lean_batch.BATCH_VALUES = small
    with pytest.raises(ValueError, match=r"points must have shape \(P, 13\)"):
        lean_batch.many_values(lean, points[:, :3])


def test_likelihood_values_at_many_points() -> None:
    """``Likelihood.values`` by names (left-out parameters at their start, fixed ones at
    their value) or as a matrix, compiled or not, equals ``value`` point by point; bad
    points are refused in one line naming what is wrong."""
    from cevns.errors import CevnsInputError

    cost = _synthetic_cost()
    names = tuple(cost._parameters)
    start = {n: 1.0 if n in ("mu", "flux", "b", "d", "c", "e") else 0.1 for n in names}
    likelihood = Likelihood(cost, start, names, {}, {"w": 0.2})
    points = np.array(list(_points(cost, 50)))
    points[:, names.index("w")] = 0.2
    expected = [likelihood.value(dict(zip(names, row, strict=True))) for row in points]
    np.testing.assert_allclose(likelihood.values(points), expected, rtol=1e-12)
    by_name = likelihood.values({"mu": points[:, 1], "alpha": points[:, 3]})
    partial = [
        likelihood.value({**start, "w": 0.2, "mu": row[1], "alpha": row[3]}) for row in points
    ]
    np.testing.assert_allclose(by_name, partial, rtol=1e-12)
    plain = _plain_cost() + PoissonCount(12.0, 10.0, ["mu"])  # does not compile
    uncompiled = Likelihood(plain, {"mu": 1.0}, ("mu",), {"mu": (0.0, 5.0)}, {})
    assert uncompiled.compiled() is None
    np.testing.assert_allclose(
        uncompiled.values({"mu": [0.5, 1.0, 2.0]}), [plain(0.5), plain(1.0), plain(2.0)]
    )
    refused = [
        ({"mu": [1.0, 2.0], "b": [1.0]}, "the same number of values; got mu: 2, b: 1"),
        ({"muu": [1.0]}, "muu"),
        (points[:, :4], r"shape \(P, 13\)"),
        ({"mu": [1.0, np.nan]}, "mu = nan at point 1; every value must be finite"),
    ]
    for bad, message in refused:
        with pytest.raises(CevnsInputError, match=message):
            likelihood.values(bad)


def test_curvature_is_the_gauss_newton_diagonal() -> None:
    cost = _synthetic_cost()
    lean = compile_cost(cost)
    assert lean is not None
    x = next(_points(cost, 1))
    observed = np.concatenate([t.observed.ravel() for t in cost if hasattr(t, "observed")])
    expected = lean.expected(x)
    jacobian = lean.jacobian(x)
    data = 2.0 * (jacobian**2) @ (observed / expected**2)
    priors = np.zeros(x.size)
    names = lean.names
    priors[names.index("flux")] = 2.0 / 0.1**2
    priors[names.index("gamma")] = 2.0
    inverse = np.linalg.inv([[1.0, 0.3], [0.3, 1.0]])
    priors[names.index("alpha")] = 2.0 * inverse[0, 0]
    priors[names.index("beta")] = 2.0 * inverse[1, 1]
    b = x[names.index("b")]
    priors[names.index("b")] = 2.0 * (1.0 - np.log(b)) / (0.25 * b) ** 2  # median 1
    np.testing.assert_allclose(lean.curvature(x), data + priors, rtol=1e-12)


def _plain_cost():
    model = BinnedModel([Component("s", np.array([2.0, 4.0, 1.0]), ("mu",))])
    data = PoissonHistogram(np.array([3.0, 5.0, 0.0]), model, "p", {"mu": (0.0, 5.0)})
    return data + NormalConstraint("mu", 1.0, 0.5)


def test_a_cost_with_another_term_does_not_compile_and_fits_as_before() -> None:
    assert compile_cost(_synthetic_cost() + PoissonCount(12.0, 10.0, ["mu"])) is None
    cost = _plain_cost() + PoissonCount(12.0, 10.0, ["mu"])
    result = fit(cost, {"mu": 1.0})
    assert result.minuit is not None and result.minuit.fcn._fcn is cost
    compiled = fit(_plain_cost(), {"mu": 1.0})
    assert compiled.minuit is not None and compiled.minuit.fcn._fcn is not _plain_cost


def test_infinite_where_events_meet_no_expectation() -> None:
    model = BinnedModel([Component("s", np.array([1.0, 0.0]), ("mu",))])
    cost = PoissonHistogram(np.array([1.0, 2.0]), model, "x", {"mu": (0.0, 2.0)})
    lean = compile_cost(cost)
    assert lean is not None
    assert lean(np.array([1.0])) == np.inf == cost(1.0)


def test_portable_likelihood_pickles_to_the_same_numbers() -> None:
    cost = _synthetic_cost()
    names = tuple(cost._parameters)
    likelihood = Likelihood(cost, dict.fromkeys(names, 1.0), names, {}, {})
    assert likelihood.portable() is None  # the generic nominal needs its function
    plain = _plain_cost()
    simple = Likelihood(plain, {"mu": 1.0}, ("mu",), {"mu": (0.0, 5.0)}, {})
    portable = simple.portable()
    assert portable is not None and portable.cost is None
    copy = pickle.loads(pickle.dumps(portable))
    for mu in (0.3, 1.0, 2.2):
        assert copy.value({"mu": mu}) == simple.value({"mu": mu}) == pytest.approx(plain(mu))


def test_profiles_start_inside_the_bounds() -> None:
    """A start on a bound is moved 10⁻³ of the range inside (Minuit's internal
    coordinate has no slope on a bound), and the minimum is the same as from inside."""
    cost = _plain_cost()
    likelihood = Likelihood(cost, {"mu": 1.0}, ("mu",), {"mu": (0.0, 5.0)}, {})
    profiler = Profiler(likelihood)
    assert profiler._inside({"mu": 0.0}, frozenset()) == {"mu": 0.005}
    assert profiler._inside({"mu": 5.0}, frozenset()) == {"mu": 4.995}
    assert profiler._inside({"mu": 0.0}, frozenset({"mu"})) == {"mu": 0.0}
    on_bound = profiler({}, {"mu": 0.0})
    inside = profile(likelihood, {}, {"mu": 1.3})
    assert on_bound.converged and inside.converged
    assert on_bound.chi2 == pytest.approx(inside.chi2, abs=1e-6)


def test_held_parameters_of_a_generic_nominal_are_not_differentiated() -> None:
    """A nominal function without an analytic gradient is differentiated numerically (two
    evaluations per parameter); a held parameter (``skip``) is not: the gradient's other
    entries are unchanged and the function is evaluated twice less."""
    calls = []

    def generic(values):
        calls.append(dict(values))
        return np.array([2.0, 5.0, 9.0]) * (1.0 + values["g"] ** 2 / (1.0 + values["m"] ** 2))

    component = Component("signal", generic, ("mu",), (), {"m": 1.0, "g": 0.0})
    model = BinnedModel([component])
    observed = np.array([3.0, 4.0, 12.0])
    lean = compile_cost(PoissonHistogram(observed, model, "toy", {"mu": (0.0, 5.0)}))
    assert lean is not None
    names = lean.names
    x = np.array([{"m": 2.0, "g": 0.4, "mu": 1.1}[n] for n in names])
    held = frozenset({names.index("m")})
    lean(x)
    calls.clear()
    full = lean.gradient(x)
    all_calls = len(calls)
    calls.clear()
    skipped = lean.gradient(x, held)
    assert all_calls - len(calls) == 2
    for position in range(len(names)):
        if position not in held:
            assert skipped[position] == pytest.approx(full[position], rel=1e-12)
    jacobian = lean.jacobian(x, held)
    assert not jacobian[names.index("m")].any()


def test_likelihood_of_a_cost_takes_its_parameters_and_limits() -> None:
    """``Likelihood.of_cost`` (what pseudo-experiments are profiled on) reads names and
    limits from the cost, fixes nothing, and refuses a start without every parameter."""
    cost = _synthetic_cost()
    start = dict.fromkeys(cost._parameters, 1.0)
    likelihood = Likelihood.of_cost(cost, start)
    assert likelihood.names == tuple(cost._parameters) and likelihood.fixed == {}
    for name, bounds in cost._parameters.items():
        low, high = bounds if bounds is not None else (None, None)
        assert likelihood.limits[name] == (
            -math.inf if low is None else low,
            math.inf if high is None else high,
        )
    point = [start[n] for n in likelihood.names]
    assert likelihood.value(start) == pytest.approx(float(cost(*point)), rel=1e-12)
    missing = likelihood.names[-1]
    with pytest.raises(CevnsInputError, match=f"no start value for parameters {missing}"):
        Likelihood.of_cost(cost, {n: 1.0 for n in likelihood.names[:-1]})


@pytest.mark.data
@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("coherent-csi-2021", None),
        ("coherent-csi-2021", {"eps_ee_u": None, "eps_ee_d": None}),
        ("coherent-lar-2020", None),
    ],
)
def test_release_likelihoods_compile_exactly(shared_data_dir, name, model) -> None:
    analysis = build_analysis(name, shared_data_dir, model_parameters=model)
    cost = combine(analysis)
    lean = compile_cost(cost)
    assert lean is not None and lean.self_contained
    names = list(cost._parameters)
    centre = np.array([analysis.start[n] for n in names])
    low = np.array([bound[0] for bound in lean.limits])
    high = np.array([bound[1] for bound in lean.limits])
    rng = np.random.default_rng(4)
    for scale in (0.0, 0.1, 0.5, 1.5):  # nuisances beyond ±1 at the largest spread
        x = np.clip(centre + rng.normal(0.0, scale, centre.size), low, high)
        assert lean(x) == pytest.approx(cost(*x), rel=1e-12)
        assert _relative(lean.gradient(x), cost.grad(*x)) < 1e-9
    points = np.clip(centre + rng.normal(0.0, 0.5, (400, centre.size)), low, high)
    batched = lean_batch.many_values(lean, points)
    np.testing.assert_allclose(batched, [lean(x) for x in points], rtol=1e-12)


@pytest.mark.data
def test_fit_reaches_the_minimum_of_a_tight_fit(shared_data_dir) -> None:
    """The fit on the compiled cost against MIGRAD (strategy 2, tolerance 1e-6) on the
    cost objects: within 10⁻³σ in every parameter, 10⁻⁴ relative in the signal and flux
    scales, 10⁻⁵ in χ² (Minuit's default tolerance left the previous fit 10⁻²σ away)."""
    analysis = build_analysis("coherent-csi-2021", shared_data_dir)
    cost = analysis.cost
    names = list(cost._parameters)
    reference = Minuit(cost, *[analysis.start[n] for n in names], name=names)
    reference.strategy = 2
    reference.tol = 1e-6
    reference.migrad()
    reference.hesse()
    assert reference.valid
    result = fit(cost, analysis.start)
    assert result.minimum == pytest.approx(reference.fval, abs=1e-5)
    for name in names:
        error = reference.errors[name]
        assert abs(result.values[name] - reference.values[name]) < 1e-3 * error
        assert result.errors[name] == pytest.approx(error, rel=5e-3)
    for name in ("csi_cevns_scale", "flux_norm"):
        assert result.values[name] == pytest.approx(reference.values[name], rel=1e-4)
    lean_module.LEAN_COSTS = False
    try:
        slow = fit(cost, analysis.start)
    finally:
        lean_module.LEAN_COSTS = True
    assert slow.minimum == pytest.approx(result.minimum, abs=1e-5)


@pytest.mark.data
def test_shipped_likelihood_is_portable_for_the_nsi_scan(shared_data_dir) -> None:
    from cevns.stats.likelihood import ShippedLikelihood, likelihood_for, shipped

    recipe = LikelihoodRecipe.create(
        ["coherent-csi-2021"], shared_data_dir, {"eps_ee_u": 0.0, "eps_ee_d": 0.0},
        hold_signal_scales=True,
    )  # fmt: skip
    source = shipped(recipe)
    assert isinstance(source, ShippedLikelihood)
    copy = pickle.loads(pickle.dumps(source))
    built = likelihood_for(recipe)
    values = {**built.start, **built.fixed, "eps_ee_u": 0.2, "eps_ee_d": -0.1}
    assert copy.likelihood.value(values) == built.value(values)
    assert built.value(values) == pytest.approx(
        float(built.cost(*[values[n] for n in built.names])), rel=1e-12
    )
