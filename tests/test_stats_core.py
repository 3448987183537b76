"""Likelihood machinery on synthetic histograms: models, costs, fits, inference."""

import math

import numpy as np
import pytest
from iminuit.cost import NormalConstraint

from cevns.errors import CevnsInputError
from cevns.experiments.analysis_schema import PriorSpec
from cevns.stats.analysis import Analysis, combine, shared_priors
from cevns.stats.cost import LogNormalConstraint, PoissonHistogram, poisson_deviance, prior_term
from cevns.stats.fit import FitNotConvergedError, fit, propagate_error
from cevns.stats.inference import (
    asimov,
    critical_delta_chi2,
    profile_1d,
    profile_2d,
    significance,
    toys,
)
from cevns.stats.model import BinnedModel, Component, ShapeSystematic

SIGNAL = np.array([[5.0, 20.0, 40.0], [30.0, 15.0, 5.0]])
BACKGROUND = np.full((2, 3), 50.0)


def _model(with_shape: bool = False) -> BinnedModel:
    systematics = ()
    if with_shape:
        up = SIGNAL * np.array([[1.2, 1.0, 0.9], [1.1, 1.0, 1.0]])
        systematics = (ShapeSystematic.from_histograms("alpha", SIGNAL, up),)
    return BinnedModel([
        Component("signal", SIGNAL, ("mu",), systematics),
        Component("background", BACKGROUND, ("b",)),
    ])  # fmt: skip


B_PRIOR = PriorSpec(mean=1.0, sigma=0.05)


def _cost(observed, with_shape=False):
    data = PoissonHistogram(observed, _model(with_shape), limits={"mu": (0, 10), "b": (0.1, 10)})
    return data + prior_term("b", B_PRIOR)


def test_deviance_is_twice_the_poisson_log_likelihood_ratio():
    observed = np.array([0.0, 3.0, 10.0])
    expected = np.array([1.5, 2.0, 12.0])
    log_l = lambda n, m: np.sum(n * np.log(np.where(n > 0, m, 1)) - m)  # noqa: E731
    saturated = log_l(observed, np.where(observed > 0, observed, 1e-300))
    assert poisson_deviance(observed, expected) == pytest.approx(
        2 * (saturated - log_l(observed, expected))
    )
    assert poisson_deviance(observed, observed + 0.0) == pytest.approx(0.0, abs=1e-12)


def test_shape_systematic_interpolates_smoothly_and_mirrors():
    nominal = np.array([10.0, 20.0])
    systematic = ShapeSystematic.from_histograms("a", nominal, np.array([12.0, 18.0]))
    assert systematic.factor(0.0) == pytest.approx([1.0, 1.0])
    assert systematic.factor(1.0) == pytest.approx([1.2, 0.9])
    assert systematic.factor(-1.0) == pytest.approx([0.8, 1.1])  # mirrored
    assert systematic.factor(0.5) == pytest.approx([1.1, 0.95])  # symmetric: linear
    assert systematic.factor(2.0) == pytest.approx([1.4, 0.8])  # linear beyond ±1
    assert np.all(systematic.factor(-10.0) >= 0)
    # Asymmetric variations: smooth at α = 0 (equal one-sided slopes), continuous at ±1.
    skewed = ShapeSystematic("b", np.array([1.3]), np.array([0.9]))
    step = 1e-6
    left = (skewed.factor(0.0) - skewed.factor(-step)) / step
    right = (skewed.factor(step) - skewed.factor(0.0)) / step
    assert right == pytest.approx(left, rel=1e-4)
    assert skewed.factor(1.0 + 1e-9) == pytest.approx(skewed.factor(1.0), abs=1e-8)
    assert skewed.factor(-1.0) == pytest.approx([0.9])


def test_asimov_fit_recovers_the_truth_and_toys_are_reproducible():
    truth = {"mu": 1.3, "b": 1.0}
    cost = asimov(_cost(np.zeros((2, 3))), truth)
    result = fit(cost, {"mu": 1.0, "b": 1.0})
    assert result.values["mu"] == pytest.approx(1.3, rel=1e-3)  # MIGRAD tolerance
    assert result.chi2 == pytest.approx(0.0, abs=1e-4)  # MIGRAD tolerance (EDM 2e-4)
    first = [t[0].observed.copy() for t in toys(_cost(np.zeros((2, 3))), truth, 3, seed=7)]
    second = [t[0].observed.copy() for t in toys(_cost(np.zeros((2, 3))), truth, 3, seed=7)]
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    assert not np.array_equal(first[0], first[1])


def test_profile_interval_matches_minos_and_wilks_thresholds():
    assert critical_delta_chi2(0.6827, 1) == pytest.approx(1.0, abs=1e-3)
    assert critical_delta_chi2(0.90, 2) == pytest.approx(4.605, abs=1e-3)
    cost = asimov(_cost(np.zeros((2, 3)), with_shape=True), {"mu": 1.0, "b": 1.0, "alpha": 0.0})
    cost = cost + NormalConstraint("alpha", 0.0, 1.0)
    best = fit(cost, {"mu": 1.2, "b": 1.0, "alpha": 0.0}, minos=["mu"])
    profile = profile_1d(cost, best, "mu", np.linspace(0.5, 1.6, 45))
    low, high = profile.interval(0.6827)
    assert low == pytest.approx(1.0 + best.minos["mu"][0], abs=0.01)
    assert high == pytest.approx(1.0 + best.minos["mu"][1], abs=0.01)
    surface = profile_2d(
        cost, best, ("mu", "alpha"), np.linspace(0.6, 1.4, 5), np.linspace(-2, 2, 5)
    )
    assert surface.delta_chi2.shape == (5, 5)
    assert surface.inside(0.68)[2, 2]  # the best fit (1.0, 0.0) is inside


def test_significance_against_a_counting_approximation():
    # Asimov significance of a strong signal: √Δχ² grows like S/√B for S ≪ B.
    cost = asimov(PoissonHistogram(np.zeros((2, 3)), _model()), {"mu": 0.2, "b": 1.0})
    best = fit(cost, {"mu": 0.2, "b": 1.0}, fixed=["b"])
    z = significance(cost, best, "mu")
    s, b = 0.2 * SIGNAL, BACKGROUND
    asimov_z = math.sqrt(2 * np.sum((s + b) * np.log(1 + s / b) - s))  # Cowan et al. 2011 eq. 97
    assert z == pytest.approx(asimov_z, rel=1e-3)


def test_propagated_error_of_a_product_uses_the_covariance():
    cost = asimov(_cost(np.zeros((2, 3))), {"mu": 1.0, "b": 1.0})
    best = fit(cost, {"mu": 1.0, "b": 1.0})
    error = propagate_error(lambda v: v["mu"] * v["b"], best)
    c = best.covariance
    expected = math.sqrt(c["mu", "mu"] + c["b", "b"] + 2 * c["mu", "b"])
    assert error == pytest.approx(expected, rel=1e-4)


def test_an_impossible_fit_raises_instead_of_returning_a_result():
    # Observed events where the model can never put any: the cost is infinite everywhere.
    model = BinnedModel([Component("signal", np.array([0.0, 1.0]), ("mu",))])
    cost = PoissonHistogram(np.array([5.0, 1.0]), model, limits={"mu": (0, 10)})
    with pytest.raises(FitNotConvergedError, match="did not converge"):
        fit(cost, {"mu": 1.0})
    with pytest.raises(FitNotConvergedError, match="call limit"):
        fit(_cost(np.full((2, 3), 60.0)), {"mu": 5.0, "b": 0.2}, max_calls=3)


def _analysis(name: str, prior: PriorSpec, auxiliary: bool = False) -> Analysis:
    observed = np.full((2, 3), 60.0)
    samples = [PoissonHistogram(observed, _model(), name)]
    if auxiliary:
        background = BinnedModel([Component("background", BACKGROUND, ("b",))])
        samples.append(PoissonHistogram(observed, background, f"{name}-aux", auxiliary=True))
    return Analysis(
        name, samples, [prior_term("b", prior)], priors={"b": prior}, signal_component="signal"
    )


def test_combine_counts_a_shared_prior_once():
    one, two = _analysis("a", B_PRIOR), _analysis("b", PriorSpec(mean=1.0, sigma=0.05))
    assert len(list(combine(one, two))) == 3
    assert len(list(one.cost)) == 2
    other = _analysis("c", PriorSpec(mean=1.0, sigma=0.10))
    with pytest.raises(CevnsInputError, match="parameter b has different priors in a"):
        combine(one, other)
    with pytest.raises(CevnsInputError, match="a shared parameter needs one prior"):
        shared_priors(one, other)


def test_measurements_leave_out_auxiliary_samples():
    analysis = _analysis("a", B_PRIOR, auxiliary=True)
    assert [s.name for s in analysis.measurements] == ["a"]
    assert analysis.data is analysis.samples[0]
    # The signal is counted in the measured sample only.
    values = {"mu": 2.0, "b": 1.0}
    assert analysis.signal_events(values) == pytest.approx(2.0 * SIGNAL.sum())
    assert len(list(analysis.cost)) == 3


def test_prior_terms():
    gaussian = prior_term("b", PriorSpec(mean=1.0, sigma=0.1))
    assert isinstance(gaussian, NormalConstraint)
    assert gaussian(1.2) == pytest.approx(4.0)
    lognormal = prior_term("b", PriorSpec(kind="lognormal", mean=2.0, sigma=0.5))
    assert isinstance(lognormal, LogNormalConstraint)
    # χ² = (ln θ − ln m)² / s²: one unit at θ = m·e^s, and the same at m·e^−s.
    assert lognormal(2.0 * math.exp(0.5)) == pytest.approx(1.0)
    assert lognormal(2.0 * math.exp(-0.5)) == pytest.approx(1.0)
    assert lognormal(0.0) == math.inf
    with pytest.raises(CevnsInputError, match="median > 0"):
        LogNormalConstraint("b", 0.0, 0.5)


def test_bad_histograms_are_refused():
    with pytest.raises(CevnsInputError, match="shape"):
        PoissonHistogram(np.zeros(4), _model())
    with pytest.raises(CevnsInputError, match="non-negative"):
        PoissonHistogram(-np.ones((2, 3)), _model())
