"""3+1 sterile-neutrino oscillation at the detector's baseline, as a fit model.

A neutral-current detector loses only what oscillates into the sterile state, so the flux
of flavour α is multiplied by 1 − A_α sin²(Δm²₄₁ L / 4E), with the amplitudes of
:class:`cevns.sources.oscillation.SterileActiveSurvival` (seeds/001, "Sterile neutrino
sensitivity"; J. Kopp et al., JHEP 05 (2013) 050): A_e = sin²2θ₁₄ cos²θ₂₄ cos²θ₃₄,
A_μ = cos⁴θ₁₄ sin²2θ₂₄ cos²θ₃₄, A_τ = cos⁴θ₁₄ cos⁴θ₂₄ sin²2θ₃₄. We take θ₃₄ = 0 and
parametrise by |U_e4|² = sin²θ₁₄ and |U_μ4|² = cos²θ₁₄ sin²θ₂₄.

This model changes the flux, not the charges: the prediction engine refolds its kernels
with sin²(Δm² L / 4E) for each Δm² (:meth:`PredictionEngine.oscillation_kernels`) and
combines them linearly in the amplitudes. Parameters: ``sterile_dm2`` (eV²),
``sterile_ue4_sq``, ``sterile_umu4_sq``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from cevns.errors import CevnsInputError
from cevns.interactions.models.parameters import ModelParameter
from cevns.sources.oscillation import SterileActiveSurvival, eV2

PARAMETERS = {
    "sterile_dm2": ModelParameter(
        "sterile_dm2",
        1.0,
        "eV2",
        "mass splitting Δm²₄₁",
        (1e-4, 1e4),
        symbol=r"$\Delta m^2_{41}$",
        unit_label=r"$\mathrm{eV}^2$",
    ),
    "sterile_ue4_sq": ModelParameter(
        "sterile_ue4_sq", 0.0, "", "|U_e4|² = sin²θ₁₄", (0.0, 0.5), symbol=r"$|U_{e4}|^2$"
    ),
    "sterile_umu4_sq": ModelParameter(
        "sterile_umu4_sq",
        0.0,
        "",
        "|U_μ4|² = cos²θ₁₄ sin²θ₂₄",
        (0.0, 0.5),
        symbol=r"$|U_{\mu4}|^2$",
    ),
}


def is_sterile(name: str) -> bool:
    return name in PARAMETERS


def survival(values: Mapping[str, float]) -> SterileActiveSurvival:
    """The oscillation for the parameter values (θ₃₄ = 0)."""
    ue4 = values.get("sterile_ue4_sq", 0.0)
    umu4 = values.get("sterile_umu4_sq", 0.0)
    if not (0.0 <= ue4 < 1.0 and 0.0 <= umu4 <= 1.0 - ue4):
        raise CevnsInputError(
            f"sterile mixing needs 0 ≤ |U_e4|² < 1 and 0 ≤ |U_μ4|² ≤ 1 − |U_e4|²; got "
            f"{ue4!r} and {umu4!r}"
        )
    theta_14 = math.asin(math.sqrt(ue4))
    theta_24 = math.asin(math.sqrt(umu4 / (1.0 - ue4)))
    dm2 = values.get("sterile_dm2", PARAMETERS["sterile_dm2"].default)
    return SterileActiveSurvival(dm2 * eV2, theta_14, theta_24, 0.0)
