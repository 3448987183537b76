"""χ–nucleus elastic scattering through a vector mediator, coherent on the nucleus.

For χ of mass m, energy E and momentum p on a nucleus of mass M at rest, with recoil
kinetic energy T (t = −2MT), exchange of V of mass m_V gives

    dσ/dT = 2π α_N α_χ F²(q) M B(E, T) / (p² (2MT + m_V²)²),

with the coupling strengths α_N = ε²α Z² (vector portal: the nucleus' charge, with
α_χ = α_D) or α_B A² (leptophobic: baryon number A) and

    B = (2E − T)²                  for a complex scalar χ,
    B = (2E − T)² − 2MT − T²       for a Dirac fermion χ (spin averaged).

Derivation: dσ/dT = |M|²/(32π M p²) in the lab; for a scalar χ and a spin-0 nucleus
|M|² = g_N² g_χ² F² (s − u)²/(t − m_V²)² with s − u = 2M(2E − T); the Dirac trace gives
(s − u)² + t(4M² − t). At T → 0 both reduce to 8π α_N α_χ M E²/(p² m_V⁴), the coherent
spin-independent limit; this is the form of COHERENT's CsI search
(arXiv:2110.11453, eq. 2, and arXiv:1911.06422, eq. 3), whose sub-leading terms in T/E
differ by their kinematic convention. The maximum recoil is
T_max = 2Mp²/(m² + M² + 2ME); (ħc)² turns the natural-unit result into an area per
energy. F is the Helm form factor with the Lewin–Smith parameters
(J. D. Lewin and P. F. Smith, Astropart. Phys. 6, 87 (1996)), q² = 2MT + T².
"""

from __future__ import annotations

import math

import numpy as np

from cevns.constants import fine_structure_constant, hbar_c_squared
from cevns.nuclear.form_factors import HelmFormFactor


def max_recoil(energy: np.ndarray, mass: float, nuclear_mass: float) -> np.ndarray:
    """T_max = 2Mp²/(m² + M² + 2ME) for χ of total ``energy`` and ``mass``."""
    e = np.asarray(energy, dtype=float)
    p2 = np.maximum(e * e - mass * mass, 0.0)
    return 2.0 * nuclear_mass * p2 / (mass * mass + nuclear_mass**2 + 2.0 * nuclear_mass * e)


def nuclear_coupling(portal: str, coupling: float, z: int, a: int) -> float:
    """α_N: ε²α Z² (vector portal, ``coupling`` = ε) or α_B A² (leptophobic)."""
    if portal == "vector":
        return coupling**2 * fine_structure_constant * z * z
    return coupling * a * a


def differential_cross_section(
    energy: np.ndarray,
    recoil: np.ndarray,
    *,
    dark_matter_mass: float,
    mediator_mass: float,
    nuclear_mass: float,
    nuclear_strength: float,
    dark_coupling: float,
    spin: str,
    form_factor: HelmFormFactor | None,
) -> np.ndarray:
    """dσ/dT (area per energy) for χ energies × recoils broadcast together; 0 above T_max."""
    e = np.asarray(energy, dtype=float)
    t = np.asarray(recoil, dtype=float)
    m, big_m = dark_matter_mass, nuclear_mass
    p2 = np.maximum(e * e - m * m, 1e-300)
    bracket = (2.0 * e - t) ** 2
    if spin == "fermion":
        bracket = bracket - 2.0 * big_m * t - t * t
    propagator = (2.0 * big_m * t + mediator_mass**2) ** 2
    value = (
        2.0
        * math.pi
        * nuclear_strength
        * dark_coupling
        * big_m
        * bracket
        / (p2 * propagator)
        * hbar_c_squared
    )
    if form_factor is not None:
        value = value * form_factor(np.sqrt(2.0 * big_m * t + t * t)) ** 2
    return np.where(t <= max_recoil(e, m, big_m), np.maximum(value, 0.0), 0.0)


__all__ = ["differential_cross_section", "max_recoil", "nuclear_coupling"]
