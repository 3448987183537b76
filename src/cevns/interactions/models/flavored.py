"""Flavoured CEvNS cross sections, σ_e and σ_μ, separated by timing at a pulsed source.

At the SNS the prompt ν_μ and the delayed ν_e, ν̄_μ arrive at different times, so the
data constrain the cross sections of electron and muon flavours separately (seeds/003,
"Flavored CEvNS cross section"). The parameters scale the cross section of each flavour
relative to the Standard Model: ``flavor_scale_e`` (ν_e, ν̄_e) and ``flavor_scale_mu``
(ν_μ, ν̄_μ); σ_ℓ = flavor_scale_ℓ × σ_ℓ,SM.
"""

from __future__ import annotations

from collections.abc import Mapping

from cevns.interactions.models.parameters import ModelParameter

#: The neutrino of each flavour in figure text (mathtext).
_NEUTRINOS = {"e": r"\nu_e", "mu": r"\nu_\mu", "tau": r"\nu_\tau"}

PARAMETERS = {
    f"flavor_scale_{lepton}": ModelParameter(
        f"flavor_scale_{lepton}",
        1.0,
        "",
        f"cross section of ν_{lepton} relative to the SM",
        (0.0, None),
        symbol=rf"$\sigma_{{{_NEUTRINOS[lepton]}}}/\sigma_{{{_NEUTRINOS[lepton]}}}^{{\rm SM}}$",
    )
    for lepton in ("e", "mu", "tau")
}


def flavor_scale(values: Mapping[str, float], lepton: str) -> float:
    return values.get(f"flavor_scale_{lepton}", 1.0)
