"""Neutrino magnetic moment per flavour.

The electromagnetic scattering adds incoherently to the weak one (seeds/001, seeds/002;
P. Vogel and J. Engel, Phys. Rev. D 39, 3378 (1989)):

    (dσ/dT)_μ = (π α² μ_ν² Z² / m_e²) [(1 − T/E)/T + T/(4E²)] F_p(q)²,

with μ_ν in Bohr magnetons; the kinematic factor is the ``magnetic`` basis term of
:mod:`cevns.interactions.basis`, the charge here is (μ_ν/μ_B)² Z² F_p². Parameters
``mu_nu_e``, ``mu_nu_mu``, ``mu_nu_tau`` in units of 10⁻¹⁰ μ_B (the effective moment of
each flavour; antineutrinos share their flavour's).
"""

from __future__ import annotations

from collections.abc import Mapping

from cevns.interactions.models.parameters import ModelParameter

UNIT = 1e-10  # parameters are in 10⁻¹⁰ μ_B

#: Flavour subscripts in figure text (mathtext).
_SYMBOLS = {"e": "e", "mu": r"\mu", "tau": r"\tau"}

PARAMETERS = {
    f"mu_nu_{lepton}": ModelParameter(
        f"mu_nu_{lepton}",
        0.0,
        "1e-10 mu_B",
        f"effective magnetic moment of ν_{lepton}",
        (0.0, None),
        symbol=rf"$\mu_{{\nu_{{{_SYMBOLS[lepton]}}}}}$",
        unit_label=r"$10^{-10}\,\mu_B$",
    )
    for lepton in ("e", "mu", "tau")
}


def moment_in_bohr_magnetons(values: Mapping[str, float], lepton: str) -> float:
    """μ_ν/μ_B of flavour ``lepton``."""
    return values.get(f"mu_nu_{lepton}", 0.0) * UNIT
