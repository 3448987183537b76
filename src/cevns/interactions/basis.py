"""Kinematic basis terms of the CEvNS differential cross section.

The Standard-Model cross section on a nucleus of mass M (seeds/002; D. K. Papoulias and
T. S. Kosmas, Phys. Rev. D 97, 033003 (2018); J. Barranco, O. G. Miranda and T. I.
Rashba, JHEP 12 (2005) 021) is

    dσ/dT = G_F² M / (2π) · [ (G_V + h G_A)² + (G_V − h G_A)² (1 − T/E)²
                              − (G_V² − G_A²) M T / E² ]

with h = +1 for neutrinos and −1 for antineutrinos, G_V and G_A the (momentum-dependent)
weak vector and axial charges of the nucleus. (seeds/001 writes the prefactor as
G_F²M/π; with G_V ≈ Q_W/2 that would double the familiar G_F²M Q_W²/(4π)(1 − MT/2E²)
quoted on the same slide and the σ ≈ G_F² Q_W² E²/(4π) of seeds/003, so the G_F²M/(2π)
of seeds/002 is used.) Expanding the squares separates kinematics from charges:

    dσ/dT = G_V² k_vector + G_A² k_axial + (2 h G_V G_A) k_interference

    k_vector       = P · [1 + (1 − y)² − M T/E²]
    k_axial        = P · [1 + (1 − y)² + M T/E²]
    k_interference = P · [1 − (1 − y)²]

with y = T/E, P = G_F² M (ħc)² / (2π) and every term zero above T_max(E). A model
enters the fast prediction engine only through its charges (design guide, "Speed by
construction"). At T = T_max, k_vector = P·y² ≥ 0 exactly.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from cevns.constants import (
    electron_mass,
    fermi_constant,
    fine_structure_constant,
    hbar_c_squared,
)
from cevns.interactions.kinematics import recoil_energy_max

#: Names of the Standard-Model kinematic basis terms, in a fixed order.
STANDARD_MODEL_BASIS = ("vector", "axial", "interference")
#: Basis terms of new-physics interactions with their own kinematics.
NEW_PHYSICS_BASIS = ("magnetic", "scalar")
#: Every basis term the prediction engine folds.
ALL_BASIS = STANDARD_MODEL_BASIS + NEW_PHYSICS_BASIS


def cross_section_prefactor(nuclear_mass: float) -> float:
    """P = G_F² M (ħc)² / (2π): area per energy."""
    return fermi_constant**2 * nuclear_mass * hbar_c_squared / (2.0 * math.pi)


def standard_model_basis(
    neutrino_energy: ArrayLike, recoil_energy: ArrayLike, nuclear_mass: float
) -> dict[str, np.ndarray]:
    """The three basis terms k_b(E, T) (area per energy), broadcast over E and T."""
    energy = np.asarray(neutrino_energy, dtype=float)
    recoil = np.asarray(recoil_energy, dtype=float)
    allowed = (recoil >= 0) & (recoil <= recoil_energy_max(energy, nuclear_mass))
    prefactor = cross_section_prefactor(nuclear_mass) * allowed
    y = recoil / energy
    one_minus_y_squared = (1.0 - y) ** 2
    mass_term = nuclear_mass * recoil / (energy * energy)
    return {
        "vector": prefactor * (1.0 + one_minus_y_squared - mass_term),
        "axial": prefactor * (1.0 + one_minus_y_squared + mass_term),
        "interference": prefactor * (1.0 - one_minus_y_squared),
    }


def new_physics_basis(
    neutrino_energy: ArrayLike, recoil_energy: ArrayLike, nuclear_mass: float
) -> dict[str, np.ndarray]:
    """Basis terms with their own kinematics (area per energy), zero above T_max.

    * ``magnetic`` — neutrino magnetic moment (seeds/001; P. Vogel and J. Engel, Phys. Rev.
      D 39, 3378 (1989); A. C. Dodd et al., Phys. Lett. B 266, 434 (1991)):
      dσ/dT = (π α² μ_ν² Z² / m_e²) [(1 − T/E)/T + T/(4E²)] F²(q) with μ_ν in Bohr
      magnetons; the basis term is π α² (ħc)² / m_e² · [1/T − 1/E + T/(4E²)] and the
      charge (μ_ν/μ_B)² Z² F_p(q)². It grows as 1/T at low recoil.
    * ``scalar`` — a scalar mediator (D. G. Cerdeño et al., JHEP 05 (2016) 118,
      arXiv:1604.01025): dσ/dT = M² T / (4π E²) · C_S with C_S = (g_ν Q_φ(q))² /
      (q² + m_φ²)², the scalar charge Q_φ(q) carrying the nuclear form factors
      (:mod:`cevns.interactions.models.scalar_mediator`); the basis term is
      (ħc)² M² T / (4π E²). It does not interfere with the
      vector term (the scalar interaction flips helicity).
    """
    energy = np.asarray(neutrino_energy, dtype=float)
    recoil = np.asarray(recoil_energy, dtype=float)
    allowed = (recoil > 0) & (recoil <= recoil_energy_max(energy, nuclear_mass))
    safe_recoil = np.where(recoil > 0, recoil, 1.0)
    magnetic_scale = math.pi * fine_structure_constant**2 * hbar_c_squared / electron_mass**2
    magnetic = magnetic_scale * (1.0 / safe_recoil - 1.0 / energy + recoil / (4.0 * energy**2))
    scalar = hbar_c_squared * nuclear_mass**2 * recoil / (4.0 * math.pi * energy**2)
    return {"magnetic": np.where(allowed, magnetic, 0.0), "scalar": np.where(allowed, scalar, 0.0)}


def all_basis(
    neutrino_energy: ArrayLike, recoil_energy: ArrayLike, nuclear_mass: float
) -> dict[str, np.ndarray]:
    """Standard-Model and new-physics basis terms together (see :data:`ALL_BASIS`)."""
    return {
        **standard_model_basis(neutrino_energy, recoil_energy, nuclear_mass),
        **new_physics_basis(neutrino_energy, recoil_energy, nuclear_mass),
    }
