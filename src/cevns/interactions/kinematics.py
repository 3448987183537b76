"""Elastic neutrino-nucleus kinematics (nucleus of mass M at rest, neutrino massless).

* Largest recoil energy for neutrino energy E: ``T_max(E) = 2E² / (M + 2E)``.
* Smallest neutrino energy that can give recoil T (the inverse):
  ``E_min(T) = (T + √(T² + 2MT)) / 2``.
* Momentum transfer (three-momentum of the recoiling nucleus):
  ``|q| = √(T² + 2MT)``, which is ``√(2MT)`` up to a relative correction T/(4M): at the
  Michel endpoint (52.8 MeV) 1.0e-6 on ⁴⁰Ar, 9e-8 on ¹³³Cs (it grows as 1/M² for lighter
  nuclei).

These follow from energy-momentum conservation; see e.g. any two-body elastic-scattering
derivation (D. Z. Freedman, Phys. Rev. D 9, 1389 (1974) for the CEvNS context).
All energies and masses in internal units.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def recoil_energy_max(neutrino_energy: ArrayLike, nuclear_mass: float) -> np.ndarray:
    """T_max = 2E² / (M + 2E)."""
    energy = np.asarray(neutrino_energy, dtype=float)
    return 2.0 * energy * energy / (nuclear_mass + 2.0 * energy)


def neutrino_energy_min(recoil_energy: ArrayLike, nuclear_mass: float) -> np.ndarray:
    """E_min(T) = (T + √(T² + 2MT)) / 2, the inverse of :func:`recoil_energy_max`."""
    recoil = np.asarray(recoil_energy, dtype=float)
    return 0.5 * (recoil + np.sqrt(recoil * recoil + 2.0 * nuclear_mass * recoil))


def momentum_transfer(recoil_energy: ArrayLike, nuclear_mass: float) -> np.ndarray:
    """|q| = √(T² + 2MT)."""
    recoil = np.asarray(recoil_energy, dtype=float)
    return np.sqrt(recoil * recoil + 2.0 * nuclear_mass * recoil)
