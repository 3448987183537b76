"""A neutrino charge radius beyond the Standard Model's.

The Standard-Model charge radii are already in the couplings
(:mod:`cevns.interactions.couplings`). An additional ⟨r²_νℓ⟩ shifts the proton coupling
(M. Cadeddu et al., Phys. Rev. D 98, 113010 (2018), arXiv:1810.05606, eq. (4)):

    Δg_V^p(ν_ℓ) = −(√2 π α / (3 G_F)) Δ⟨r²_νℓ⟩.

Parameters ``charge_radius_e``, ``charge_radius_mu``, ``charge_radius_tau``: Δ⟨r²⟩ in
units of 10⁻³² cm² (the scale of the SM values, −0.83, −0.48, −0.30 for e, μ, τ).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from cevns.constants import fermi_constant, fine_structure_constant, hbar_c_squared
from cevns.interactions.models.parameters import ModelParameter
from cevns.units import cm2

UNIT = 1e-32 * cm2

#: Flavour subscripts in figure text (mathtext).
_SYMBOLS = {"e": "e", "mu": r"\mu", "tau": r"\tau"}

PARAMETERS = {
    f"charge_radius_{lepton}": ModelParameter(
        f"charge_radius_{lepton}",
        0.0,
        "1e-32 cm2",
        f"additional charge radius ⟨r²⟩ of ν_{lepton}",
        symbol=rf"$\Delta\langle r^2_{{\nu_{{{_SYMBOLS[lepton]}}}}}\rangle$",
        unit_label=r"$10^{-32}\,\mathrm{cm}^2$",
    )
    for lepton in ("e", "mu", "tau")
}


def proton_coupling_shift(values: Mapping[str, float], lepton: str) -> float:
    """Δg_V^p = −(√2 π α/(3 G_F)) Δ⟨r²⟩ (⟨r²⟩ converted to energy⁻² with ħc)."""
    radius_squared = values.get(f"charge_radius_{lepton}", 0.0) * UNIT / hbar_c_squared
    return (
        -math.sqrt(2.0)
        * math.pi
        * fine_structure_constant
        / (3.0 * fermi_constant)
        * radius_squared
    )
