"""Accelerator dark matter: each formula against a limit or an independent calculation."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from cevns.beamdump.analysis import feldman_cousins_critical
from cevns.beamdump.flux import boost, flux_at_detector, polarized_cosines, simulate
from cevns.beamdump.mesons import (
    ETA_MASS,
    PI0_GAMMA_GAMMA,
    PI0_LIFETIME,
    PI0_MASS,
    BurmanSmith,
    MesonYields,
    decay_fraction,
    radiative_capture_fraction_hydrogen,
)
from cevns.beamdump.portals import (
    DarkSector,
    capture_momentum,
    mediator_width,
    meson_to_gamma_v,
    two_body_momentum,
)
from cevns.beamdump.scattering import differential_cross_section, max_recoil
from cevns.constants import fine_structure_constant, hbar_c_squared
from cevns.errors import CevnsInputError
from cevns.units import MeV, cm, keV, m


def test_meson_branching_ratio_limits():
    eps = 1e-3
    at_zero = meson_to_gamma_v(1e-9 * MeV, PI0_MASS, PI0_GAMMA_GAMMA, "vector", eps)
    assert at_zero == pytest.approx(2 * eps**2 * PI0_GAMMA_GAMMA, rel=1e-12)
    near = meson_to_gamma_v(0.999 * PI0_MASS, PI0_MASS, PI0_GAMMA_GAMMA, "vector", eps)
    assert near < 1e-8 * at_zero
    assert meson_to_gamma_v(PI0_MASS, PI0_MASS, PI0_GAMMA_GAMMA, "vector", eps) == 0.0
    # (1 − x²)³ at m_V = m/2
    half = meson_to_gamma_v(0.5 * PI0_MASS, PI0_MASS, PI0_GAMMA_GAMMA, "vector", eps)
    assert half / at_zero == pytest.approx(0.75**3, rel=1e-9)
    lepto = meson_to_gamma_v(1e-9 * MeV, PI0_MASS, PI0_GAMMA_GAMMA, "leptophobic", 1e-6)
    assert lepto == pytest.approx(2e-6 / fine_structure_constant * PI0_GAMMA_GAMMA, rel=1e-9)


def test_mediator_widths():
    mv = 30 * MeV
    assert mediator_width(mv, 15 * MeV, 0.5, "scalar") == 0.0
    assert mediator_width(mv, 1e-9 * MeV, 0.5, "scalar") == pytest.approx(0.5 * mv / 12, rel=1e-9)
    assert mediator_width(mv, 1e-9 * MeV, 0.5, "fermion") == pytest.approx(0.5 * mv / 3, rel=1e-9)
    # fermion against the trace formula g² m/(12π) (1 + 2μ²/m²) β with g² = 4πα
    mu = 10 * MeV
    beta = math.sqrt(1 - 4 * mu**2 / mv**2)
    expected = 4 * math.pi * 0.5 * mv / (12 * math.pi) * (1 + 2 * mu**2 / mv**2) * beta
    assert mediator_width(mv, mu, 0.5, "fermion") == pytest.approx(expected, rel=1e-12)


def test_two_body_and_capture_kinematics():
    assert two_body_momentum(PI0_MASS, 0.0, 0.0) == pytest.approx(PI0_MASS / 2)
    mv = 60 * MeV
    assert two_body_momentum(PI0_MASS, mv, 0.0) == pytest.approx(
        (PI0_MASS**2 - mv**2) / (2 * PI0_MASS)
    )
    # π⁻p → nγ at rest: the photon line at 129.4 MeV
    assert capture_momentum(0.0) / MeV == pytest.approx(129.4, abs=0.1)
    sector = DarkSector(1e-6 * MeV, 1e-7 * MeV, 1e-3, 0.5)
    assert sector.capture_ratio() == pytest.approx(1e-6, rel=1e-6)
    assert radiative_capture_fraction_hydrogen() == pytest.approx(1 / 2.546)


def test_y_variable_and_input_errors():
    sector = DarkSector(30 * MeV, 10 * MeV, 1e-4, 0.5)
    assert sector.y == pytest.approx(1e-8 * 0.5 / 81)
    with pytest.raises(CevnsInputError, match=r"^m_V = 15 MeV: an on-shell mediator"):
        DarkSector(15 * MeV, 10 * MeV)
    with pytest.raises(CevnsInputError, match="epsilon must be >= 0"):
        DarkSector(30 * MeV, 10 * MeV, -1e-4)
    with pytest.raises(CevnsInputError, match="alpha_D must be >= 0"):
        DarkSector(30 * MeV, 10 * MeV, 1e-4, -0.5)
    with pytest.raises(CevnsInputError, match="beyond the mesons' reach"):
        DarkSector(ETA_MASS + 1 * MeV, 10 * MeV)
    with pytest.raises(CevnsInputError, match="portal"):
        DarkSector(30 * MeV, 10 * MeV, portal="axial")


def test_decay_before_absorption():
    length = 15 * cm
    assert decay_fraction(np.array([300 * MeV]), PI0_MASS, PI0_LIFETIME, length)[0] > 1 - 1e-6
    assert decay_fraction(np.array([0.0]), PI0_MASS, PI0_LIFETIME, length)[0] == 1.0
    # a long-lived particle: fraction ≈ λ m/(p c τ)
    from cevns.units import s as second

    tau = 1e-6 * second
    from cevns.constants import speed_of_light

    p = 100 * MeV
    small = decay_fraction(np.array([p]), PI0_MASS, tau, length)[0]
    assert small == pytest.approx(length * PI0_MASS / (p * speed_of_light * tau), rel=1e-3)


def test_burman_smith_shape_and_seed():
    shape = BurmanSmith()
    assert np.all(shape.density(np.linspace(0, 800, 50) * MeV, np.full(50, 0.5)) >= 0)
    a = shape.sample(2000, PI0_MASS, np.random.default_rng(3))
    b = shape.sample(2000, PI0_MASS, np.random.default_rng(3))
    assert np.array_equal(a[0], b[0])
    # forward-peaked and energetic forward: mean cos θ > 0, forward mesons faster
    momentum, theta = shape.sample(50_000, PI0_MASS, np.random.default_rng(4))
    assert 0.1 < np.mean(np.cos(theta)) < 0.6
    assert np.mean(momentum[theta < 0.5]) > 1.5 * np.mean(momentum[theta > 1.5])


def test_boost_preserves_mass():
    rng = np.random.default_rng(1)
    mass = 20.0 * MeV
    q = rng.normal(size=(100, 3)) * 10 * MeV
    e = np.sqrt(np.sum(q**2, axis=1) + mass**2)
    parent_p = rng.normal(size=(100, 3)) * 100 * MeV
    parent_e = np.sqrt(np.sum(parent_p**2, axis=1) + (150 * MeV) ** 2)
    lab_e, lab_p = boost(e, q, parent_e, parent_p)
    assert np.allclose(lab_e**2 - np.sum(lab_p**2, axis=1), mass**2, rtol=1e-9)


def test_monte_carlo_total_and_capture_line():
    sector = DarkSector(30 * MeV, 10 * MeV, 1e-3, 0.5)
    sample = simulate(sector, MesonYields(0.1, 0.0, 0.0), mesons=20_000, seed=1)
    expected = 2 * 0.1 * sector.meson_branching_ratio("pi0") * sector.invisible_fraction()
    assert sample.total == pytest.approx(expected, rel=1e-6)
    # π⁻ capture: V at rest-frame momentum q, isotropic: χ energies flat in [E−, E+]
    capture = simulate(sector, MesonYields(0.0, 0.0, 0.01), mesons=40_000, seed=2)
    q = capture_momentum(sector.mediator_mass)
    e_v = math.hypot(q, sector.mediator_mass)
    gamma, beta = e_v / sector.mediator_mass, q / e_v
    p_star = two_body_momentum(sector.mediator_mass, 10 * MeV, 10 * MeV)
    e_star = math.hypot(p_star, 10 * MeV)
    low, high = gamma * (e_star - beta * p_star), gamma * (e_star + beta * p_star)
    assert capture.energies.min() >= low * (1 - 1e-9)
    assert capture.energies.max() <= high * (1 + 1e-9)
    assert np.mean(capture.energies) == pytest.approx(e_v / 2, rel=3e-3)
    # an isotropic source: dN/dΩ = total/4π at any angle
    for angle in (0.3, 1.6, 2.8):
        flux = flux_at_detector(capture, 1 * m, angle)
        assert flux.per_pot_per_area * m**2 == pytest.approx(
            capture.total / (4 * math.pi), rel=0.03
        )


def _mandelstam_cross_section(e, t, m_chi, m_n, m_v, strength, spin):
    """dσ/dT = |M|²/(32π M p²) with |M|² from four-vectors built explicitly (CM frame)."""
    p2 = e * e - m_chi**2
    s = m_chi**2 + m_n**2 + 2 * m_n * e
    tt = -2 * m_n * t
    u = 2 * m_chi**2 + 2 * m_n**2 - s - tt
    amplitude = (s - u) ** 2 if spin == "scalar" else (s - u) ** 2 + tt * (4 * m_n**2 - tt)
    return strength * amplitude / (tt - m_v**2) ** 2 / (32 * math.pi * m_n * p2) * hbar_c_squared


@pytest.mark.parametrize("spin", ["scalar", "fermion"])
def test_cross_section_against_mandelstam(spin):
    m_n, m_chi, m_v = 124_000 * MeV, 10 * MeV, 30 * MeV
    e = 80 * MeV
    t = np.linspace(0.1, 50, 30) * keV
    common = dict(dark_matter_mass=m_chi, mediator_mass=m_v, nuclear_mass=m_n,
                  nuclear_strength=0.3, dark_coupling=0.5, spin=spin, form_factor=None)  # fmt: skip
    ours = differential_cross_section(e, t, **common)
    strength = (4 * math.pi) ** 2 * 0.3 * 0.5
    independent = _mandelstam_cross_section(e, t, m_chi, m_n, m_v, strength, spin)
    assert np.allclose(ours, independent, rtol=1e-10)
    # endpoint: zero above T_max
    tmax = float(max_recoil(e, m_chi, m_n))
    above = differential_cross_section(e, np.array([tmax * 1.001]), **common)
    assert above[0] == 0.0
    assert tmax == pytest.approx(2 * m_n * (e**2 - m_chi**2) / (m_chi**2 + m_n**2 + 2 * m_n * e))


def test_feldman_cousins_critical_values():
    assert feldman_cousins_critical(0.0) == pytest.approx(1.6424, abs=2e-3)
    assert feldman_cousins_critical(20.0) == pytest.approx(2.7055, abs=2e-3)
    values = [feldman_cousins_critical(x) for x in np.linspace(0, 4, 9)]
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(values))
    # Monte Carlo of the statistic at μ = 1σ
    rng = np.random.default_rng(7)
    x = rng.normal(1.0, 1.0, 400_000)
    t = np.where(x >= 0, (x - 1.0) ** 2, 1.0 - 2.0 * x)
    assert np.quantile(t, 0.9) == pytest.approx(feldman_cousins_critical(1.0), abs=0.02)


def test_polarized_decay_angles():
    rng = np.random.default_rng(11)
    scalar = polarized_cosines(200_000, "scalar", 0.5, rng)
    assert np.mean(scalar**2) == pytest.approx(0.2, abs=3e-3)  # ∫c²(1−c²)/∫(1−c²)
    light = polarized_cosines(200_000, "fermion", 0.0, rng)
    assert np.mean(light**2) == pytest.approx(0.4, abs=3e-3)  # ∫c²(1+c²)/∫(1+c²)
    # at threshold (4m²/m_V² → 1) the fermion pair is isotropic: <c²> = 1/3
    heavy = polarized_cosines(200_000, "fermion", 1.0, rng)
    assert np.mean(heavy**2) == pytest.approx(1 / 3, abs=3e-3)


def test_polarisation_keeps_the_yield_and_the_energy_range():
    sector = DarkSector(60 * MeV, 20 * MeV, 1e-3, 0.5)
    yields = MesonYields(0.1, 0.0, 0.0)
    polarized = simulate(sector, yields, mesons=20_000, seed=3)
    isotropic = simulate(sector, yields, mesons=20_000, seed=3, polarized=False)
    assert polarized.total == pytest.approx(isotropic.total, rel=1e-12)
    assert np.all(polarized.energies >= 20 * MeV * (1 - 1e-9))
    # transverse V: χ go sideways in the V frame, so their energies spread less
    assert np.std(polarized.energies) < np.std(isotropic.energies)


def test_off_shell_reduces_to_on_shell_for_a_narrow_mediator():
    on = DarkSector(60 * MeV, 20 * MeV, 1e-3, 0.05)
    off = DarkSector(60 * MeV, 20 * MeV, 1e-3, 0.05, off_shell=True)
    yields = MesonYields(0.1, 0.0, 0.0)
    a = simulate(on, yields, mesons=20_000, seed=1)
    b = simulate(off, yields, mesons=20_000, seed=1)
    assert b.total == pytest.approx(a.total, rel=5e-3)
    # below the pair threshold of the mediator the rate is suppressed but finite
    below = simulate(DarkSector(30 * MeV, 20 * MeV, 1e-3, 0.5, off_shell=True), yields,
                     mesons=20_000, seed=1)  # fmt: skip
    assert 0 < below.total < 0.05 * a.total
    with pytest.raises(CevnsInputError, match="beyond the mesons' reach"):
        DarkSector(30 * MeV, 300 * MeV, off_shell=True)
