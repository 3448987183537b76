"""Neutrino backgrounds of the fog: recoil spectra from cevns's cross section, flux handling."""

import math

import numpy as np
import pytest
from scipy.integrate import quad

from cevns.darkmatter.neutrinos import (
    NeutrinoBackground,
    default_backgrounds,
    recoil_spectrum,
    tabulated_background,
    tabulated_copy,
    total_flux,
    with_total_flux,
    with_uncertainties,
)
from cevns.errors import CevnsInputError
from cevns.interactions.cross_section import differential_cross_section
from cevns.interactions.kinematics import neutrino_energy_min
from cevns.nuclear.materials import get_material
from cevns.sources import Flux
from cevns.sources.dsnb import DiffuseSupernovaBackground
from cevns.sources.solar import solar_components
from cevns.units import MeV, au, cm2, keV, s

B8_ENDPOINT = 16.0  # MeV
B8_FLUX = 5.46e6  # cm^-2 s^-1


def b8_like_density(energy_mev):
    """An allowed-β-like shape E²(Q − E)² on [0, 16] MeV, normalised to 5.46e6 cm⁻² s⁻¹."""
    e = np.asarray(energy_mev, dtype=float)
    shape = np.where(e < B8_ENDPOINT, e**2 * (B8_ENDPOINT - e) ** 2, 0.0)
    return B8_FLUX * shape / (B8_ENDPOINT**5 / 30.0)  # ∫ E²(Q−E)² dE = Q⁵/30


@pytest.fixture(scope="module")
def b8_like():
    energies = np.linspace(0.0, B8_ENDPOINT, 161)
    density = b8_like_density(energies) / (cm2 * s * MeV)
    return tabulated_background("8B-like", energies * MeV, {"nu_e": density}, 0.12, "test shape")


def test_tabulated_background_is_the_table_per_area_per_time(b8_like):
    assert total_flux(b8_like) / (1 / cm2 / s) == pytest.approx(B8_FLUX, rel=1e-3)
    rescaled = with_total_flux(b8_like, 2.0 * B8_FLUX / cm2 / s)
    assert total_flux(rescaled) / (1 / cm2 / s) == pytest.approx(2.0 * B8_FLUX, rel=1e-3)


def test_recoil_spectrum_is_the_flux_folded_cevns_cross_section(b8_like):
    # Independent: adaptive quadrature of φ(E) dσ/dT over E > E_min(T) with
    # cevns.interactions.cross_section, per nucleus of Xe132 times nuclei per unit mass.
    target = get_material("Xe132")
    iso = target.isotopes[0]
    recoil = np.array([0.05, 0.5, 2.0]) * keV
    ours = recoil_spectrum(b8_like, target, recoil)
    for t, value in zip(recoil, ours, strict=True):
        e_min = float(neutrino_energy_min(t, iso.nuclear_mass)) / MeV

        def integrand(e_mev, t=t):
            sigma = differential_cross_section(e_mev * MeV, t, iso, "nu_e")
            return float(b8_like_density(e_mev) * sigma) / cm2 * MeV

        flux_per_nucleus = quad(integrand, e_min, B8_ENDPOINT, epsrel=1e-9)[0] / (cm2 * s * MeV)
        expected = flux_per_nucleus * target.nuclei_per_mass(iso.name)
        assert value == pytest.approx(expected, rel=2e-4)


def test_default_backgrounds_are_the_solar_components_and_the_others():
    found = default_backgrounds()
    solar = solar_components()
    names = [b.name for b in found]
    assert names == [*(c.name for c in solar), "atmospheric", "DSNB"]
    for background, component in zip(found, solar, strict=False):
        assert background.relative_uncertainty == component.relative_uncertainty
        assert total_flux(background) == pytest.approx(component.flux, rel=1e-3)
    changed = {
        b.name: b.relative_uncertainty for b in default_backgrounds(uncertainties={"8B": 0.02})
    }
    assert changed["8B"] == 0.02


def test_bad_uncertainties_are_refused(b8_like):
    with pytest.raises(CevnsInputError, match=r"background must be one of 8B-like; got 'pp'"):
        with_uncertainties([b8_like], {"pp": 0.1})
    with pytest.raises(CevnsInputError, match="relative uncertainty of the x background"):
        NeutrinoBackground("x", b8_like.flux, -0.1, "")


def test_tabulating_the_dsnb_changes_its_recoil_spectrum_by_less_than_1e_4():
    source = DiffuseSupernovaBackground()
    exact = NeutrinoBackground("DSNB", Flux(source, 1 / s, 1 * au), 0.5, "")
    target = get_material("Xe132")
    recoil = np.geomspace(1e-3, 30, 9) * keV
    copy = tabulated_copy(exact)
    direct = recoil_spectrum(exact, target, recoil)
    from_table = recoil_spectrum(copy, target, recoil)
    relevant = direct > 0.01 * direct.max()
    assert math.isclose(total_flux(copy), total_flux(exact), rel_tol=1e-4)
    np.testing.assert_allclose(from_table[relevant], direct[relevant], rtol=1e-4)
