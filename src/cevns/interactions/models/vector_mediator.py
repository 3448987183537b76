"""A light vector mediator Z′ coupled to neutrinos and quarks.

The vector charge of the nucleus gains a momentum-dependent term (M. Atzori Corona et al.,
JHEP 05 (2022) 109, arXiv:2202.11002; the formula of seeds/002):

    Δg_V^p(q²) = g² Q′_ν (2Q′_u + Q′_d) / (√2 G_F (q² + M²)),
    Δg_V^n(q²) = g² Q′_ν (Q′_u + 2Q′_d) / (√2 G_F (q² + M²)),   q² = 2MT.

For M² ≫ q² this is vector NSI with ε^q = g² Q′_ν Q′_q / (√2 G_F M²). (seeds/001 quotes
the universal case as 3g²/(2√2 G_F(q² + M²)), i.e. a coupling g normalised a factor √2
larger; the convention here is seeds/002's.)

Charge assignments (parameter names ``zprime_<model>_g`` and the shared mass
``zprime_mass`` in MeV):

* ``universal``: Q′_ν = Q′_u = Q′_d = 1;
* ``bl`` (B − L): Q′_u = Q′_d = 1/3, Q′_ν = −1;
* ``baryonic``: Q′_u = Q′_d = 1/3 with a neutrino coupling of the same strength
  (Q′_ν = 1): leptophobic towards charged leptons. A purely baryonic mediator has no
  tree-level neutrino coupling and no CEvNS signal; this variant is the usual benchmark
  for a baryon-number mediator with a separate neutrino coupling.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from cevns.constants import fermi_constant
from cevns.interactions.models.parameters import ModelParameter
from cevns.units import MeV

#: (Q′_ν, Q′_u, Q′_d) per charge assignment.
CHARGES = {
    "universal": (1.0, 1.0, 1.0),
    "bl": (-1.0, 1 / 3, 1 / 3),
    "baryonic": (1.0, 1 / 3, 1 / 3),
}

#: Superscripts naming the charge assignment in figure text (mathtext).
_CHARGE_SYMBOLS = {"universal": r"\rm univ", "bl": "B-L", "baryonic": "B"}

PARAMETERS = {
    **{
        f"zprime_{model}_g": ModelParameter(
            f"zprime_{model}_g",
            0.0,
            "",
            f"coupling g of a vector mediator with {model} charges",
            symbol=rf"$g_{{Z'}}^{{{_CHARGE_SYMBOLS[model]}}}$",
        )
        for model in CHARGES
    },
    "zprime_mass": ModelParameter(
        "zprime_mass", 1000.0, "MeV", "vector-mediator mass", (1e-3, 1e7), symbol=r"$m_{Z'}$"
    ),
}


def coupling_shifts(
    values: Mapping[str, float], momentum_transfer_squared: np.ndarray
) -> tuple[np.ndarray | float, np.ndarray | float]:
    """(Δg_V^p(q²), Δg_V^n(q²)) summed over the charge assignments with non-zero coupling."""
    mass = values.get("zprime_mass", PARAMETERS["zprime_mass"].default) * MeV
    shift_p: np.ndarray | float = 0.0
    shift_n: np.ndarray | float = 0.0
    for model, (q_nu, q_u, q_d) in CHARGES.items():
        g = values.get(f"zprime_{model}_g", 0.0)
        if g == 0.0:
            continue
        propagator = (
            g * g * q_nu / (math.sqrt(2.0) * fermi_constant * (momentum_transfer_squared + mass**2))
        )
        shift_p = shift_p + propagator * (2.0 * q_u + q_d)
        shift_n = shift_n + propagator * (q_u + 2.0 * q_d)
    return shift_p, shift_n


def equivalent_nsi(model: str, coupling: float, mass: float) -> dict[str, float]:
    """ε^u, ε^d of the heavy-mediator limit: g² Q′_ν Q′_q / (√2 G_F M²) (mass internal)."""
    q_nu, q_u, q_d = CHARGES[model]
    scale = coupling**2 * q_nu / (math.sqrt(2.0) * fermi_constant * mass**2)
    return {"u": scale * q_u, "d": scale * q_d}
