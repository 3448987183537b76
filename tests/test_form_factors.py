"""Form factors: normalisation, limits, rms radii and published shapes."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import spherical_jn

from cevns.constants import hbar_c
from cevns.errors import CevnsInputError
from cevns.nuclear.form_factors import (
    FORM_FACTOR_MODELS,
    DipoleFormFactor,
    HelmFormFactor,
    KleinNystrandFormFactor,
    SymmetrizedFermiFormFactor,
    UnityFormFactor,
    form_factors_for,
    spherical_bessel_ratio,
)
from cevns.units import GeV, MeV, fm

MODELS = [
    HelmFormFactor.lewin_smith(133),
    KleinNystrandFormFactor.default(133),
    SymmetrizedFermiFormFactor.default(133),
    DipoleFormFactor.proton_charge(),
    UnityFormFactor(),
]


@pytest.mark.parametrize("form_factor", MODELS, ids=lambda f: type(f).__name__)
def test_form_factor_is_one_at_zero_momentum(form_factor):
    assert form_factor(0.0) == pytest.approx(1.0, abs=1e-15)
    assert form_factor(np.array([0.0, 1e-9 * MeV])) == pytest.approx([1.0, 1.0], abs=1e-12)


@pytest.mark.parametrize("form_factor", MODELS[:4], ids=lambda f: type(f).__name__)
def test_small_q_slope_gives_the_rms_radius(form_factor):
    # F(q) = 1 − q²⟨r²⟩/6 + O(q⁴) for any normalised spherical density.
    q = 0.05 * MeV
    slope_radius = math.sqrt(6 * (1 - form_factor(q)) / (q / hbar_c) ** 2)
    assert slope_radius == pytest.approx(form_factor.rms_radius, rel=1e-5)


@pytest.mark.parametrize("form_factor", MODELS[:3], ids=lambda f: type(f).__name__)
def test_form_factor_keeps_precision_across_the_series_switch(form_factor):
    # The closed forms switch to Taylor series at small argument (qR ~ 1e-2 or 1e-3). Across
    # the switch, 1 − F must follow its leading behaviour q²⟨r²⟩/6 to 1e-4 relative (the
    # next order is below that for q ≤ 1 MeV) plus 2e-9 absolute (the symmetrised-Fermi
    # closed form loses ~5e-10 to cancellation just above its switch, harmless for rates).
    q = np.geomspace(1e-3, 1.0, 400) * MeV
    leading = (q / hbar_c * form_factor.rms_radius) ** 2 / 6
    assert 1 - form_factor(q) == pytest.approx(leading, rel=1e-4, abs=2e-9)
    assert np.all(np.diff(form_factor(q)) <= 0)


def test_helm_matches_scipy_bessel_and_lewin_smith_radius():
    # Lewin & Smith (1996) eq. 4.11: c = 1.23 A^(1/3) − 0.60 fm, a = 0.52 fm, s = 0.9 fm.
    helm = HelmFormFactor.lewin_smith(133)
    c = 1.23 * 133 ** (1 / 3) - 0.60
    r0 = math.sqrt(c**2 + 7 / 3 * math.pi**2 * 0.52**2 - 5 * 0.81)
    assert helm.box_radius / fm == pytest.approx(r0, rel=1e-12)
    q = np.linspace(1, 300, 50) * MeV
    x = q / hbar_c * helm.box_radius
    expected = 3 * spherical_jn(1, x) / x * np.exp(-((q / hbar_c * 0.9 * fm) ** 2) / 2)
    assert helm(q) == pytest.approx(expected, rel=1e-10, abs=1e-14)


def test_spherical_bessel_ratio_series_and_closed_form_agree():
    x = np.array([0.009, 0.0101, 0.5, 3.0])
    closed = 3 * spherical_jn(1, x) / x
    assert spherical_bessel_ratio(x) == pytest.approx(closed, rel=1e-12)


def test_symmetrized_fermi_approaches_hard_sphere_for_small_diffuseness():
    sharp = SymmetrizedFermiFormFactor(half_density_radius=5 * fm, diffuseness=1e-4 * fm)
    q = np.linspace(1, 200, 30) * MeV
    sphere = spherical_bessel_ratio(q / hbar_c * 5 * fm)
    assert sharp(q) == pytest.approx(sphere, abs=1e-6)


def test_helm_and_symmetrized_fermi_agree_at_low_momentum():
    # Same c and a: same rms radius, so the shapes agree to O(q⁴) (~1e-3 at 50 MeV for Cs).
    q = np.linspace(1, 50, 20) * MeV
    helm = HelmFormFactor.lewin_smith(133)(q)
    fermi = SymmetrizedFermiFormFactor.default(133)(q)
    assert fermi == pytest.approx(helm, rel=2e-3)


@pytest.mark.parametrize("model", ["helm", "klein-nystrand", "symmetrized-fermi"])
def test_rms_radius_round_trip_and_separate_neutron_radius(model):
    default = form_factors_for(133, model)
    assert default.proton == default.neutron
    moved = form_factors_for(133, model, neutron_rms_radius=5.5 * fm)
    assert moved.neutron.rms_radius / fm == pytest.approx(5.5, rel=1e-12)
    assert moved.proton == default.proton


def test_bad_form_factor_input_is_refused():
    with pytest.raises(CevnsInputError, match="form_factor must be one of helm"):
        form_factors_for(40, "gaussian")
    with pytest.raises(CevnsInputError, match="rms_radius must exceed"):
        HelmFormFactor.from_rms_radius(1.0 * fm)
    with pytest.raises(CevnsInputError, match="rms_radius must be a positive"):
        HelmFormFactor.from_rms_radius(-1.0 * fm)
    assert set(FORM_FACTOR_MODELS) == {"helm", "klein-nystrand", "symmetrized-fermi", "none"}


@given(st.floats(min_value=0, max_value=1000), st.integers(min_value=1, max_value=260))
def test_form_factors_are_finite_and_bounded(q_mev, mass_number):
    for model in ("helm", "klein-nystrand", "symmetrized-fermi"):
        value = form_factors_for(mass_number, model).neutron(q_mev * MeV)
        assert np.isfinite(value)
        assert abs(value) <= 1.0 + 1e-12


def test_hydrogen_uses_the_proton_dipoles_not_a_nuclear_density():
    # A free proton: the charge dipole with the CODATA 2018 radius 0.8414 fm, not the
    # Lewin–Smith Helm radius of 2.0 fm; the axial dipole with M_A = 1.026 GeV.
    assert form_factors_for(1, "helm").proton.rms_radius / fm == pytest.approx(0.8414, rel=1e-12)
    for model in ("helm", "klein-nystrand", "symmetrized-fermi"):
        hydrogen = form_factors_for(1, model)
        assert hydrogen.proton == DipoleFormFactor.proton_charge()
        assert hydrogen.axial_form_factor == DipoleFormFactor.nucleon_axial()
    assert isinstance(form_factors_for(1, "none").proton, UnityFormFactor)
    assert HelmFormFactor.lewin_smith(1).rms_radius / fm == pytest.approx(1.99, abs=0.01)
    # Deuterium and heavier nuclei keep the nuclear models.
    assert isinstance(form_factors_for(2, "helm").proton, HelmFormFactor)
    moved = form_factors_for(1, "helm", proton_rms_radius=0.88 * fm)
    assert moved.proton.rms_radius / fm == pytest.approx(0.88, rel=1e-12)


def test_dipole_against_its_textbook_form():
    # G(Q²) = (1 + Q²/Λ²)⁻²: Λ² = 12(ħc)²/r² = 0.660 GeV² for r = 0.8414 fm (close to the
    # classic 0.71 GeV²); the axial dipole has Λ = M_A = 1.026 GeV, r_A = √12 ħc/M_A =
    # 0.666 fm (Bernard, Elouadrhiri and Meißner 2002 quote ≈ 0.67 fm).
    charge = DipoleFormFactor.proton_charge()
    assert charge.dipole_mass**2 / GeV**2 == pytest.approx(0.660, abs=1e-3)
    q = np.linspace(0.0, 500.0, 11) * MeV
    lam2 = 12 * hbar_c**2 / (0.8414 * fm) ** 2
    assert charge(q) == pytest.approx(1 / (1 + q**2 / lam2) ** 2, rel=1e-12)
    axial = DipoleFormFactor.nucleon_axial()
    assert axial.rms_radius / fm == pytest.approx(0.666, abs=1e-3)
    assert axial(1.026 * GeV) == pytest.approx(0.25, rel=1e-12)
    with pytest.raises(CevnsInputError, match="rms_radius must be a positive"):
        DipoleFormFactor.from_rms_radius(0.0)
