"""The fog: recoil binning, the opacity index and the n = 2 boundary, on a ⁸B-like background."""

import math

import numpy as np
import pytest

from cevns.darkmatter.discovery import BILLARD_2014, MEDIAN_3SIGMA
from cevns.darkmatter.fog import (
    TONNE_YEAR,
    FogSettings,
    RecoilBinning,
    discovery_limit_at,
    fog_for_mass,
    n2_boundary,
    opacity_index,
    prepare_target,
)
from cevns.darkmatter.neutrinos import tabulated_background
from cevns.errors import CevnsInputError
from cevns.units import GeV, MeV, cm2, keV, s

COARSE = FogSettings(threshold=0.01 * keV, max_recoil=50 * keV, bins=20)


@pytest.fixture(scope="module")
def b8_fog():
    """Xe with one ⁸B-like background: E²(16 MeV − E)², 5.46e6 cm⁻² s⁻¹, 12 % uncertainty."""
    energies = np.linspace(0.0, 16.0, 81)
    shape = energies**2 * (16.0 - energies) ** 2
    density = 5.46e6 * shape / (16.0**5 / 30.0) / (cm2 * s * MeV)
    background = tabulated_background("8B-like", energies * MeV, {"nu_e": density}, 0.12, "test")
    return prepare_target("Xe", COARSE, (background,))


def test_binning_integrates_over_each_logarithmic_bin():
    binning = RecoilBinning.logarithmic(1e-3 * keV, 100 * keV, 10)
    np.testing.assert_allclose(binning.edges[1:] / binning.edges[:-1], 10.0**0.5, rtol=1e-12)
    # ∫ E⁻² dE over each bin.
    exact = 1 / binning.edges[:-1] - 1 / binning.edges[1:]
    np.testing.assert_allclose(binning.integrate(binning.nodes**-2.0), exact, rtol=1e-6)


def test_opacity_index_and_boundary_on_analytic_curves():
    x = np.geomspace(1e-3, 1e3, 61)
    np.testing.assert_allclose(opacity_index(x, 5.0 / x), 1.0, rtol=1e-12)
    np.testing.assert_allclose(opacity_index(x, x**-0.5), 2.0, rtol=1e-12)
    # n(u) = 1 + u/10 with u = ln X ≥ 0, i.e. ln σ = −10 ln(1 + u/10): n = 2 at u = 10, where
    # σ = 2⁻¹⁰.
    u = np.linspace(0, 20, 401)
    sigma = np.exp(-10 * np.log1p(u / 10))
    boundary = n2_boundary(np.exp(u), sigma)
    assert boundary[0] == pytest.approx(2.0**-10, rel=1e-4)
    assert boundary[1] == pytest.approx(math.exp(10), rel=1e-3)
    assert n2_boundary(x, 5.0 / x) is None


def test_fog_of_a_b8_like_background(b8_fog):
    result = fog_for_mass(b8_fog, 6 * GeV)
    n = result.opacity
    # Background free at first (σ ∝ 1/X, n = 1), then the fog (n > 2), and a boundary.
    np.testing.assert_allclose(n[:5], 1.0, rtol=1e-9)
    assert n.max() > 2.5
    sigma, exposure = result.boundary
    assert 1e-46 * cm2 < sigma < 1e-43 * cm2
    assert result.exposures[0] < exposure < result.exposures[-1]
    assert np.all(np.diff(result.limits) < 0)
    # The boundary lies on the discovery-limit curve.
    assert discovery_limit_at(b8_fog, 6 * GeV, exposure) == pytest.approx(sigma, rel=0.05)
    # The median experiment discovers earlier than 90 % of them.
    median = discovery_limit_at(b8_fog, 6 * GeV, TONNE_YEAR, MEDIAN_3SIGMA)
    assert median < discovery_limit_at(b8_fog, 6 * GeV, TONNE_YEAR, BILLARD_2014)


def test_a_wimp_far_above_the_background_never_enters_the_fog(b8_fog):
    # 1 TeV recoils reach far beyond the ⁸B end point (~4 keV on Xe): no n = 2 crossing up to
    # 1e6 t yr.
    result = fog_for_mass(b8_fog, 1000 * GeV, per_decade=4, largest_exposure=1e6 * TONNE_YEAR)
    assert result.boundary is None
    assert result.opacity.max() < 2


def test_bad_settings_are_refused_in_one_line():
    with pytest.raises(CevnsInputError, match="max_recoil must exceed the threshold"):
        FogSettings(threshold=10 * keV, max_recoil=5 * keV).binning()
    with pytest.raises(CevnsInputError, match="bins must be an integer ≥ 1; got 0"):
        FogSettings(bins=0).binning()
    with pytest.raises(CevnsInputError, match="unknown neutrino background 'B8'"):
        FogSettings(uncertainties={"B8": 0.02}).backgrounds()
    with pytest.raises(CevnsInputError, match="threshold must be a positive"):
        FogSettings(threshold=-1.0).binning()
