"""A light scalar mediator φ coupled to neutrinos and quarks.

Its scattering adds incoherently (no interference with the vector term; D. G. Cerdeño et al.,
JHEP 05 (2016) 118, arXiv:1604.01025; J. B. Dent et al., Phys. Rev. D 96, 095007 (2017),
arXiv:1701.07443):

    (dσ/dT)_φ = M² T / (4π E²) · (g_ν Q_φ(q))² / (q² + m_φ²)²,   q² = 2MT,

where Q_φ(q) = Σ_q g_q [Z F_p(q) (m_p/m_q) f^p_Tq + N F_n(q) (m_n/m_q) f^n_Tq] is the
scalar charge of the nucleus. The scalar couples to the nucleons, so, like the vector
charge, the coherent sum runs over the nucleon densities and each carries its form
factor: both papers multiply the point-nucleus cross section by the nuclear form factor
F²(q) (Helm). We use the proton and neutron form factors of the Standard-Model vector
charge of the same nucleus (including a neutron radius set by
:mod:`.nuclear_radius`), so the scalar and Standard-Model rates share their nuclear
structure. We take one coupling g = g_ν = g_q for all quarks (``scalar_g``), so
Q_φ = g (c_p Z F_p + c_n N F_n) with c_N = Σ_{q=u,d,s} (m_N/m_q) f^N_Tq. Nucleon scalar form
factors: f^p_Tu = 0.020, f^p_Td = 0.026, f^n_Tu = 0.014, f^n_Td = 0.036, f_Ts = 0.118
(J. Ellis, K. A. Olive and C. Savage, Phys. Rev. D 77, 065026 (2008)); quark masses from
the PDG via ``particle`` (MS-bar at 2 GeV). This gives c_p ≈ 15, c_n ≈ 14, the 15.1 Z + 14 N
of Cerdeño et al. The kinematic factor is the ``scalar`` basis term. Parameters:
``scalar_g`` and ``scalar_mass`` (MeV).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import numpy as np

from cevns.constants import neutron_mass, pdg_mass, proton_mass
from cevns.interactions.models.parameters import ModelParameter
from cevns.units import MeV

#: Nucleon scalar form factors (Ellis, Olive and Savage 2008).
SCALAR_FORM_FACTORS = {
    "p": {"u": 0.020, "d": 0.026, "s": 0.118},
    "n": {"u": 0.014, "d": 0.036, "s": 0.118},
}

PARAMETERS = {
    "scalar_g": ModelParameter(
        "scalar_g", 0.0, "", "scalar coupling g = g_ν = g_q", symbol=r"$g_\phi$"
    ),
    "scalar_mass": ModelParameter(
        "scalar_mass", 1000.0, "MeV", "scalar-mediator mass", (1e-3, 1e7), symbol=r"$m_\phi$"
    ),
}


@cache
def nucleon_scalar_charges() -> tuple[float, float]:
    """(c_p, c_n) = Σ_q (m_N/m_q) f^N_Tq for q = u, d, s."""
    pdg_numbers = {"u": 2, "d": 1, "s": 3}
    quark_masses = {q: pdg_mass(n) for q, n in pdg_numbers.items()}
    c_p = sum(proton_mass / quark_masses[q] * f for q, f in SCALAR_FORM_FACTORS["p"].items())
    c_n = sum(neutron_mass / quark_masses[q] * f for q, f in SCALAR_FORM_FACTORS["n"].items())
    return c_p, c_n


def scalar_charge(
    values: Mapping[str, float],
    protons: np.ndarray | float,
    neutrons: np.ndarray | float,
    momentum_transfer_squared: np.ndarray,
) -> np.ndarray | float:
    """[g² (c_p Z F_p(q) + c_n N F_n(q))]² / (q² + m_φ²)² (energy⁻⁴), the charge of the
    ``scalar`` basis term.

    ``protons`` and ``neutrons`` are Z F_p(q) and N F_n(q) at the momenta of
    ``momentum_transfer_squared`` (plain Z and N for a point-like nucleus).
    """
    g = values.get("scalar_g", 0.0)
    if g == 0.0:
        return 0.0
    mass = values.get("scalar_mass", PARAMETERS["scalar_mass"].default) * MeV
    c_p, c_n = nucleon_scalar_charges()
    charge = g * g * (c_p * np.asarray(protons) + c_n * np.asarray(neutrons))
    return charge**2 / (momentum_transfer_squared + mass**2) ** 2
