"""Neutrino-nucleon neutral-current couplings, with radiative corrections by flavour.

Two schemes are offered by :func:`standard_model_couplings`:

``"radiative"`` (default)
    The ν_μ-nucleon couplings with electroweak radiative corrections of the Review of
    Particle Physics (J. Erler and A. Freitas, "Electroweak model and constraints on new
    physics", PDG; the values quoted in seeds/001):
    g_V^p = 0.0298, g_V^n = −0.5117, g_A^p = 0.4955, g_A^n = −0.5121.
    They contain the ν_μ charge radius. Other flavours differ only through the neutrino
    charge radius, ⟨r²_νℓ⟩ = −(G_F / 2√2π²)[3 − 2 ln(m_ℓ²/m_W²)]
    (J. Bernabéu, J. Papavassiliou and J. Vidal, Phys. Rev. Lett. 89, 101802 (2002);
    M. Cadeddu et al., Phys. Rev. D 98, 113010 (2018), arXiv:1810.05606, eq. (3)), which
    shifts the proton coupling by −(√2πα/3G_F)⟨r²_νℓ⟩ = (α/6π)[3 − 2 ln(m_ℓ²/m_W²)].
    Relative to ν_μ this gives
    ``g_V^p(ν_ℓ) = g_V^p(ν_μ) + (2α/3π) ln(m_μ/m_ℓ)``,
    i.e. +0.0083 for ν_e and −0.0044 for ν_τ (compare g_V^p = 0.0379, 0.0297, 0.0253 for
    e, μ, τ in M. Atzori Corona et al., JHEP 05 (2022) 109, arXiv:2202.11002).
    Antineutrinos share the couplings of their flavour. A value of sin²θ_W other than the
    default moves the vector proton coupling by its tree-level derivative,
    ``g_V^p → g_V^p − 2 (sin²θ_W − sin²θ̂_W(0))``.

``"tree"``
    Tree-level couplings from sin²θ_W, flavour-universal:
    g_V^p = 1/2 − 2 sin²θ_W, g_V^n = −1/2, g_A^p = 1/2, g_A^n = −1/2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cevns import constants
from cevns.errors import require_choice, require_finite

COUPLING_SCHEMES = ("radiative", "tree")

#: PDG ν_μ-nucleon couplings including radiative corrections (Erler & Freitas, PDG;
#: quoted in seeds/001).
PDG_NU_MU_COUPLINGS = {"g_v_p": 0.0298, "g_v_n": -0.5117, "g_a_p": 0.4955, "g_a_n": -0.5121}

_FLAVOR_ALIASES = {
    "e": "e", "mu": "mu", "tau": "tau",
    "nu_e": "e", "nu_mu": "mu", "nu_tau": "tau",
    "nu_e_bar": "e", "nu_mu_bar": "mu", "nu_tau_bar": "tau",
}  # fmt: skip


@dataclass(frozen=True)
class NucleonCouplings:
    """Vector and axial neutral-current couplings of a neutrino to protons and neutrons."""

    g_v_proton: float
    g_v_neutron: float
    g_a_proton: float
    g_a_neutron: float


def lepton_flavor_of(flavor: str) -> str:
    """``"e"``, ``"mu"`` or ``"tau"`` for a flavour name (``nu_e``, ``nu_mu_bar``, ``e``, ...)."""
    require_choice("flavor", flavor, _FLAVOR_ALIASES)
    return _FLAVOR_ALIASES[flavor]


def charge_radius_shift(flavor: str) -> float:
    """g_V^p(ν_ℓ) − g_V^p(ν_μ) = (2α/3π) ln(m_μ/m_ℓ) from the neutrino charge radius."""
    lepton = lepton_flavor_of(flavor)
    ratio = constants.muon_mass / constants.lepton_mass_by_flavor[lepton]
    return 2.0 * constants.fine_structure_constant / (3.0 * math.pi) * math.log(ratio)


def standard_model_couplings(
    flavor: str = "nu_mu",
    scheme: str = "radiative",
    sin2_theta_w: float | None = None,
) -> NucleonCouplings:
    """Standard-Model couplings for a neutrino flavour; see the module docstring."""
    require_choice("coupling scheme", scheme, COUPLING_SCHEMES)
    lepton_flavor_of(flavor)
    if sin2_theta_w is None:
        sin2 = constants.sin2_theta_w
    else:
        sin2 = float(require_finite("sin2_theta_w", sin2_theta_w))
    if scheme == "tree":
        return NucleonCouplings(0.5 - 2.0 * sin2, -0.5, 0.5, -0.5)
    pdg = PDG_NU_MU_COUPLINGS
    g_v_p = pdg["g_v_p"] + charge_radius_shift(flavor) - 2.0 * (sin2 - constants.sin2_theta_w)
    return NucleonCouplings(g_v_p, pdg["g_v_n"], pdg["g_a_p"], pdg["g_a_n"])
