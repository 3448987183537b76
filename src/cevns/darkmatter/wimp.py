"""The spin-independent WIMP–nucleus recoil rate in the Standard Halo Model.

For a WIMP of mass m_χ coupling equally to protons and neutrons with WIMP–nucleon cross
section σ_n, the rate per unit detector mass and recoil energy on a material is the sum over
its isotopes i (n_i nuclei per unit mass, mass number A_i, nuclear mass m_i):

    dR/dE_R = Σ_i n_i m_i · ρ₀ σ_n A_i² F_i²(q) / (2 m_χ μ_n²) · η(v_min,i) · c²,
    v_min,i = c √(m_i E_R / (2 μ_i²)),   q = √(2 m_i E_R + E_R²) ≈ √(2 m_i E_R),

with μ_i and μ_n the WIMP–nucleus and WIMP–nucleon reduced masses and η the mean inverse
speed of :mod:`cevns.darkmatter.halo` (J. D. Lewin and P. F. Smith, Astropart. Phys. 6, 87
(1996): the coherent cross section σ_0 = σ_n A² μ_i²/μ_n² at zero momentum transfer and the
rate integral, sections 3–4 and 7). For a pure isotope n m = m_N/m_atom (the detector's mass
includes the electrons, 2e-4 of it for xenon) and the formula is the familiar
ρ₀ σ_n A² F² η / (2 m_χ μ_n²) per unit nuclear mass. Masses are energies (c = 1 internally), so the
factor c² turns η (an inverse speed) into the natural-unit inverse velocity.

Form factor: Helm with the Lewin–Smith parameters (c = 1.23 A^{1/3} − 0.60 fm, a = 0.52 fm,
s = 0.9 fm; :class:`cevns.nuclear.form_factors.HelmFormFactor.lewin_smith`), the same object
the CEvNS cross section uses by default.

Nucleon mass in μ_n: the proton mass (PDG, :data:`cevns.constants.proton_mass`). wimprates
and C. O'Hare's NeutrinoFog code use the atomic mass unit instead (0.7 % lighter), which gives
rates up to 1.5 % higher for heavy WIMPs; pass ``nucleon_mass`` to follow them.

Kinematic end point: E_max = 2 μ_i² (v_esc + v_E)² / (m_i c²); the rate vanishes above it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from cevns.constants import proton_mass, speed_of_light
from cevns.darkmatter.halo import BAXTER_2021, StandardHaloModel
from cevns.errors import require_non_negative, require_positive
from cevns.interactions.kinematics import momentum_transfer
from cevns.nuclear.form_factors import HelmFormFactor
from cevns.nuclear.materials import Material, get_target
from cevns.quadrature import unit_gauss_legendre


def reduced_mass(first: float, second: float) -> float:
    """m₁ m₂ / (m₁ + m₂)."""
    return first * second / (first + second)


def minimum_speed(recoil_energy: ArrayLike, wimp_mass: float, nuclear_mass: float) -> np.ndarray:
    """v_min = c √(m_N E_R / (2 μ²)): the slowest WIMP that can give a recoil E_R."""
    recoil = require_non_negative("recoil_energy", recoil_energy, "internal energy units")
    mu = reduced_mass(wimp_mass, nuclear_mass)
    return speed_of_light * np.sqrt(nuclear_mass * recoil / (2.0 * mu * mu))


def maximum_recoil(wimp_mass: float, nuclear_mass: float, speed: float) -> float:
    """E_max = 2 μ² v² / (m_N c²): the largest recoil a WIMP of speed v can give."""
    mu = reduced_mass(wimp_mass, nuclear_mass)
    return 2.0 * mu * mu * (speed / speed_of_light) ** 2 / nuclear_mass


def _material(target: Material | str) -> Material:
    return get_target(target) if isinstance(target, str) else target


def differential_rate(
    recoil_energy: ArrayLike,
    wimp_mass: float,
    cross_section: float,
    target: Material | str,
    halo: StandardHaloModel = BAXTER_2021,
    nucleon_mass: float = proton_mass,
) -> np.ndarray:
    """dR/dE_R per unit detector mass, time and recoil energy (internal units).

    ``cross_section`` is the spin-independent WIMP–nucleon cross section σ_n (area);
    ``target`` a :class:`~cevns.nuclear.materials.Material` or a name for
    :func:`~cevns.nuclear.materials.get_target`. Divide by ``1 / (tonne * year * keV)`` for
    events per tonne-year per keV.
    """
    recoil = require_non_negative("recoil_energy", recoil_energy, "internal energy units")
    mass = float(require_positive("wimp_mass", wimp_mass, "internal mass units"))
    sigma = float(require_non_negative("cross_section", cross_section, "internal area units"))
    material = _material(target)
    mu_n = reduced_mass(mass, nucleon_mass)
    prefactor = halo.local_density * sigma * speed_of_light**2 / (2.0 * mass * mu_n * mu_n)
    total = np.zeros_like(recoil)
    for isotope, count in material.components:
        per_mass = count / material.molar_mass
        form_factor = HelmFormFactor.lewin_smith(isotope.A)(
            momentum_transfer(recoil, isotope.nuclear_mass)
        )
        eta = halo.mean_inverse_speed(minimum_speed(recoil, mass, isotope.nuclear_mass))
        total = total + per_mass * isotope.nuclear_mass * isotope.A**2 * form_factor**2 * eta
    return prefactor * total


def maximum_recoil_on(
    target: Material | str, wimp_mass: float, halo: StandardHaloModel = BAXTER_2021
) -> float:
    """The largest E_max over the target's isotopes for the halo's fastest WIMP."""
    mass = float(require_positive("wimp_mass", wimp_mass, "internal mass units"))
    return max(
        maximum_recoil(mass, isotope.nuclear_mass, halo.maximum_speed)
        for isotope in _material(target).isotopes
    )


def integrated_rate(
    threshold: float,
    wimp_mass: float,
    cross_section: float,
    target: Material | str,
    halo: StandardHaloModel = BAXTER_2021,
    upper: float | None = None,
    nucleon_mass: float = proton_mass,
    nodes: int = 400,
) -> float:
    """∫ dR/dE_R from ``threshold`` to ``upper`` (default: the kinematic end point), per unit
    mass and time; Gauss–Legendre in ln E_R with ``nodes`` nodes."""
    low = float(require_positive("threshold", threshold, "internal energy units"))
    end = maximum_recoil_on(target, wimp_mass, halo)
    high = end if upper is None else min(float(require_positive("upper", upper)), end)
    if high <= low:
        return 0.0
    x, w = unit_gauss_legendre(nodes)
    half = 0.5 * np.log(high / low)
    energies = low * np.exp(half * (x + 1.0))
    rate = differential_rate(energies, wimp_mass, cross_section, target, halo, nucleon_mass)
    return float(np.sum(w * half * energies * rate))


__all__ = [
    "differential_rate",
    "integrated_rate",
    "maximum_recoil",
    "maximum_recoil_on",
    "minimum_speed",
    "reduced_mass",
]
