"""The discovery limit: Asimov q0 against independent formulas, and its scaling regimes."""

import math

import numpy as np
import pytest
from scipy.optimize import minimize, minimize_scalar

from cevns.darkmatter.discovery import (
    BILLARD_2014,
    MEDIAN_3SIGMA,
    BinnedModel,
    DiscoveryCriterion,
    asimov_discovery_statistic,
    discovery_limit,
    discovery_limits,
)
from cevns.darkmatter.fog import opacity_index
from cevns.errors import CevnsInputError


def test_criteria():
    # 90 % of experiments at 3σ: (3 + Φ⁻¹(0.9))² = (3 + 1.281552)²; ≥ 1 event: −ln 0.1.
    assert BILLARD_2014.asimov_threshold == pytest.approx((3 + 1.2815515655446004) ** 2)
    assert BILLARD_2014.minimum_signal == pytest.approx(math.log(10))
    assert MEDIAN_3SIGMA.asimov_threshold == pytest.approx(9.0)
    assert MEDIAN_3SIGMA.minimum_signal == pytest.approx(math.log(2))
    with pytest.raises(CevnsInputError, match="probability must be between 0 and 1"):
        DiscoveryCriterion(3.0, 1.0)


def test_one_bin_without_uncertainty_is_the_poisson_formula():
    # q0 = 2[(s + b) ln(1 + s/b) − s] (Cowan et al. 2011, eq. 97 for one bin).
    model = BinnedModel(np.array([1.0]), np.array([[1.0]]), np.array([1e-9]))
    for s, b in ((3.0, 10.0), (30.0, 2.0), (0.1, 1e4)):
        q0, _ = asimov_discovery_statistic(model, s / b, b)
        assert q0 == pytest.approx(2 * ((s + b) * math.log1p(s / b) - s), rel=1e-6)


def test_profile_over_normalisations_matches_a_generic_minimiser():
    rng = np.random.default_rng(7)
    signal = rng.uniform(0.1, 2.0, 12)
    backgrounds = rng.uniform(0.0, 3.0, (3, 12))
    widths = np.array([0.05, 0.3, 0.8])
    model = BinnedModel(signal, backgrounds, widths)
    sigma, exposure = 0.7, 40.0
    observed = exposure * (sigma * signal + backgrounds.sum(axis=0))

    def objective(theta):
        mu = exposure * theta @ backgrounds
        return 2 * np.sum(mu - observed - observed * np.log(mu / observed)) + np.sum(
            ((theta - 1) / widths) ** 2
        )

    reference = minimize(objective, np.ones(3), method="Nelder-Mead",
                         options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})  # fmt: skip
    q0, theta = asimov_discovery_statistic(model, sigma, exposure)
    assert q0 == pytest.approx(reference.fun, rel=1e-7)
    np.testing.assert_allclose(theta, reference.x, rtol=1e-5)
    # One bin, one background: a one-dimensional minimisation.
    single = BinnedModel(np.array([2.0]), np.array([[5.0]]), np.array([0.2]))
    n = 10.0 * (0.3 * 2.0 + 5.0)
    one = minimize_scalar(
        lambda t: 2 * (50 * t - n - n * math.log(50 * t / n)) + ((t - 1) / 0.2) ** 2,
        bounds=(0.5, 2.0), method="bounded", options={"xatol": 1e-12},
    )  # fmt: skip
    assert asimov_discovery_statistic(single, 0.3, 10.0)[0] == pytest.approx(one.fun, rel=1e-8)


def test_the_limit_solves_the_criterion():
    model = BinnedModel(np.array([3.0, 1.0, 0.2]), np.array([[1.0, 2.0, 4.0]]), np.array([0.1]))
    limit = discovery_limit(model, 50.0)
    q0, _ = asimov_discovery_statistic(model, limit, 50.0)
    assert q0 == pytest.approx(BILLARD_2014.asimov_threshold, rel=1e-6)
    assert discovery_limit(model, 50.0, MEDIAN_3SIGMA) < limit


def test_background_free_regime_scales_as_one_over_exposure():
    # A background far below one event: 2.30 expected WIMP events discover in 90 % of
    # experiments, σ_DL = N_min / (X Σs) ∝ 1/X and n = 1 (Billard et al. 2014, section III).
    model = BinnedModel(np.array([2.0, 1.0]), np.array([[1e-9, 1e-9]]), np.array([0.1]))
    exposures = np.geomspace(1e-3, 1e2, 11)
    limits = discovery_limits(model, exposures)
    np.testing.assert_allclose(limits * exposures * 3.0, math.log(10), rtol=1e-12)
    np.testing.assert_allclose(opacity_index(exposures, limits), 1.0, rtol=1e-9)


def test_background_free_bins_next_to_background_bins():
    # Bin 2 has no background: one event there is a discovery.
    model = BinnedModel(np.array([1.0, 1.0, 0.5]), np.array([[5.0, 5.0, 0.0]]), np.array([0.5]))
    exposure = 1e4
    assert discovery_limit(model, exposure) == pytest.approx(math.log(10) / (exposure * 0.5))


def test_poisson_regime_scales_as_one_over_square_root_of_exposure():
    # Negligible normalisation uncertainty and different shapes: σ_DL ∝ X^{-1/2}, n → 2.
    model = BinnedModel(np.array([3.0, 1.0, 0.1]), np.array([[1.0, 1.0, 1.0]]), np.array([1e-6]))
    exposures = np.geomspace(1e6, 1e8, 5)
    n = opacity_index(exposures, discovery_limits(model, exposures))
    np.testing.assert_allclose(n, 2.0, rtol=1e-3)


def test_saturation_when_signal_and_background_look_alike():
    # Identical shapes: only the normalisation tells them apart, so as X → ∞ the limit
    # saturates at σ s = √q_crit δ b (deep in the fog: n ≫ 2).
    shape = np.array([1.0, 2.0, 3.0])
    delta = 0.1
    model = BinnedModel(shape, np.array(2.5 * shape)[None, :], np.array([delta]))
    floor = math.sqrt(BILLARD_2014.asimov_threshold) * delta * 2.5
    exposures = np.geomspace(1e6, 1e9, 7)
    limits = discovery_limits(model, exposures)
    assert limits[-1] == pytest.approx(floor, rel=1e-3)
    assert np.all(opacity_index(exposures, limits)[1:] > 10)


def test_bad_inputs():
    with pytest.raises(CevnsInputError, match=r"backgrounds must have shape \(backgrounds, bins\)"):
        BinnedModel(np.ones(3), np.ones((2, 4)), np.ones(2))
    with pytest.raises(CevnsInputError, match="uncertainties must be a positive"):
        BinnedModel(np.ones(2), np.ones((1, 2)), np.zeros(1))
    model = BinnedModel(np.ones(2), np.ones((1, 2)), np.ones(1))
    with pytest.raises(CevnsInputError, match="exposure must be a positive"):
        discovery_limit(model, 0.0)
    assert discovery_limit(BinnedModel(np.zeros(2), np.ones((1, 2)), np.ones(1)), 1.0) == math.inf
