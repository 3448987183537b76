"""Light yield: the mean number of photoelectrons for an electron-equivalent energy.

μ_PE = LY · E_ee, with the light yield LY in photoelectrons per energy. In internal units LY
is a number divided by an energy unit: the CsI[Na] 2021 detector of COHERENT has
LY = 13.35 PE/keVee (D. Akimov et al., PRL 129, 081801 (2022), arXiv:2110.07730), written
``13.35 / keVee``. The photoelectron count itself is dimensionless.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from cevns.errors import require_non_negative, require_positive


def check_light_yield(light_yield: object) -> float:
    """Return ``light_yield`` as a float; raise unless it is a positive finite number."""
    return float(require_positive("light_yield", light_yield, "PE per internal energy unit"))


def mean_photoelectrons(electron_equivalent_energy: ArrayLike, light_yield: float) -> np.ndarray:
    """μ_PE = LY · E_ee (E_ee in internal energy units, LY in PE per internal energy unit)."""
    energies = require_non_negative(
        "electron_equivalent_energy", electron_equivalent_energy, "internal energy units"
    )
    return check_light_yield(light_yield) * energies


__all__ = ["check_light_yield", "mean_photoelectrons"]
