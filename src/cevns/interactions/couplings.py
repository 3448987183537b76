"""Neutrino-nucleon neutral-current couplings, with radiative corrections by flavour.

Two schemes are offered by :func:`standard_model_couplings`:

``"radiative"`` (default)
    The ν_μ couplings with electroweak radiative corrections of the Review of Particle
    Physics (J. Erler and A. Freitas, "Electroweak model and constraints on new physics",
    PDG; the values quoted in seeds/001): g_V^p = 0.0298, g_V^n = −0.5117, and the
    combinations 2g_A^u + g_A^d = 0.4955, g_A^u + 2g_A^d = −0.5121 of the quark axial
    couplings (seeds/001 quotes these as "g_A^p, g_A^n").
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
    Tree-level couplings from sin²θ_W, flavour-universal: g_V^p = 1/2 − 2 sin²θ_W,
    g_V^n = −1/2, quark axial couplings g_A^u = 1/2, g_A^d = g_A^s = −1/2.

Axial couplings of the nucleons
    The vector current is conserved, so a nucleon's vector charge counts its valence
    quarks (g_V^p = 2g_V^u + g_V^d). The axial current is not: its nucleon matrix element
    is weighted by the quark spin content Δq^N, ⟨N|q̄γ^μγ_5 q|N⟩ = 2 s^μ Δq^N, so

        g_A^p = g_A^u Δu + g_A^d Δd + g_A^s Δs,
        g_A^n = g_A^u Δd + g_A^d Δu + g_A^s Δs   (isospin: Δu^n = Δd^p, Δd^n = Δu^p)

    (the axial-vector nucleon couplings of M. Hoferichter, J. Menéndez and A. Schwenk,
    Phys. Rev. D 102, 074018 (2020), arXiv:2007.08529). The spin content is that of the
    HERMES analysis of g₁ (A. Airapetian et al., Phys. Rev. D 75, 012007 (2007),
    hep-ex/0609039; MS-bar at Q² = 5 GeV², uncertainties combined): Δu = 0.842(12),
    Δd = −0.427(13), Δs = −0.085(18). Their isovector
    combination Δu − Δd = 1.269 is the nucleon axial charge g_A = 1.2754(13) of neutron
    β decay (PDG 2024, S. Navas et al., Phys. Rev. D 110, 030001, baryon listings,
    λ = g_A/g_V) to 0.5 %, the Bjorken sum rule. The quark couplings of the radiative
    scheme follow by inverting the two PDG combinations above:
    g_A^u = (2·0.4955 + 0.5121)/3 = 0.5010, g_A^d = g_A^s = −(0.4955 + 2·0.5121)/3 = −0.5066
    (s and d share their couplings). This gives g_A^p = +0.681 and g_A^n = −0.597
    (tree level: (Δu − Δd − Δs)/2 = +0.677 and (Δd − Δu − Δs)/2 = −0.592). The sign
    convention is that of :mod:`cevns.interactions.standard_model`: g_A^p > 0, and a free
    proton (spin excess 1) gives σ → G_F²E²(g_V^p² + 3g_A^p²)/π at E ≪ m_p, the
    low-energy limit of elastic ν–p neutral-current scattering (C. H. Llewellyn Smith,
    Phys. Rep. 3, 261 (1972); L. A. Ahrens et al., Phys. Rev. D 35, 785 (1987)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cevns import constants
from cevns.errors import require_choice, require_finite

COUPLING_SCHEMES = ("radiative", "tree")

#: PDG ν_μ couplings including radiative corrections (Erler & Freitas, PDG; quoted in
#: seeds/001): the nucleon vector couplings and the valence-quark sums of the quark axial
#: couplings, ``a_uud`` = 2g_A^u + g_A^d and ``a_udd`` = g_A^u + 2g_A^d (seeds/001 labels
#: these g_A^p and g_A^n; they are not the nucleon axial couplings, see the module
#: docstring).
PDG_NU_MU_COUPLINGS = {"g_v_p": 0.0298, "g_v_n": -0.5117, "a_uud": 0.4955, "a_udd": -0.5121}

#: Quark spin content of the proton, Δu, Δd, Δs (HERMES, A. Airapetian et al., Phys. Rev.
#: D 75, 012007 (2007), hep-ex/0609039; MS-bar, Q² = 5 GeV²). The neutron's follows by
#: isospin (Δu ↔ Δd).
PROTON_SPIN_CONTENT = {"u": 0.842, "d": -0.427, "s": -0.085}

#: Tree-level quark axial couplings to the Z, g_A^q = T₃(q): +1/2 (u), −1/2 (d, s).
TREE_QUARK_AXIAL_COUPLINGS = {"u": 0.5, "d": -0.5, "s": -0.5}

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


def radiative_quark_axial_couplings() -> dict[str, float]:
    """g_A^u, g_A^d = g_A^s from the PDG sums 2g_A^u + g_A^d and g_A^u + 2g_A^d.

    Inverting the two sums: g_A^u = (2a_uud − a_udd)/3 = 0.50103,
    g_A^d = (2a_udd − a_uud)/3 = −0.50657 (s shares the d coupling).
    """
    a_uud, a_udd = PDG_NU_MU_COUPLINGS["a_uud"], PDG_NU_MU_COUPLINGS["a_udd"]
    down = (2.0 * a_udd - a_uud) / 3.0
    return {"u": (2.0 * a_uud - a_udd) / 3.0, "d": down, "s": down}


def nucleon_axial_couplings(quark_couplings: dict[str, float]) -> tuple[float, float]:
    """(g_A^p, g_A^n) = Σ_q g_A^q Δq^N, with Δq^p of :data:`PROTON_SPIN_CONTENT` and
    Δu^n = Δd^p, Δd^n = Δu^p, Δs^n = Δs^p (isospin symmetry)."""
    spin = PROTON_SPIN_CONTENT
    g_u, g_d, g_s = quark_couplings["u"], quark_couplings["d"], quark_couplings["s"]
    proton = g_u * spin["u"] + g_d * spin["d"] + g_s * spin["s"]
    neutron = g_u * spin["d"] + g_d * spin["u"] + g_s * spin["s"]
    return proton, neutron


#: (g_A^p, g_A^n) of the radiative scheme: (+0.6812, −0.5974).
_RADIATIVE_NUCLEON_AXIAL = nucleon_axial_couplings(radiative_quark_axial_couplings())


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
        return NucleonCouplings(
            0.5 - 2.0 * sin2, -0.5, *nucleon_axial_couplings(TREE_QUARK_AXIAL_COUPLINGS)
        )
    pdg = PDG_NU_MU_COUPLINGS
    g_v_p = pdg["g_v_p"] + charge_radius_shift(flavor) - 2.0 * (sin2 - constants.sin2_theta_w)
    return NucleonCouplings(g_v_p, pdg["g_v_n"], *_RADIATIVE_NUCLEON_AXIAL)
