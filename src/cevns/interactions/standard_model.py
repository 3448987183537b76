"""Standard-Model weak charges of a nucleus, the 'charges' that multiply the basis terms.

Vector charge (seeds/002, with separate proton and neutron densities as in seeds/003):
    G_V(q) = g_V^p Z F_p(q) + g_V^n N F_n(q)
Axial charge (seeds/001, seeds/002):
    G_A(q) = [g_A^p (Z₊ − Z₋) + g_A^n (N₊ − N₋)] F_A(q)
with g_A^p, g_A^n the nucleon axial couplings (quark couplings weighted by the nucleon
spin content, :mod:`cevns.interactions.couplings`).
For an unpolarised target the spin-averaged square of the axial matrix element in the
long-wavelength limit is (4/3)(J+1)/J · (g_A^p⟨S_p⟩ + g_A^n⟨S_n⟩)² (J. Engel, Phys. Lett.
B 264, 114 (1991); M. Hoferichter, J. Menéndez and A. Schwenk, Phys. Rev. D 102, 074018
(2020), arXiv:2007.08529), so the effective spin excesses are
    Z₊ − Z₋ = 2 √((J+1)/(3J)) ⟨S_p⟩,   N₊ − N₋ = 2 √((J+1)/(3J)) ⟨S_n⟩,
which give exactly 1 for a free nucleon (J = 1/2, ⟨S⟩ = 1/2), and 0 for J = 0.
Weak charge: Q_W = 2 G_V(0) = 2 (g_V^p Z + g_V^n N), which is Z(1 − 4 sin²θ_W) − N at tree
level (the sign convention of seeds/001 and of atomic parity violation).
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike

from cevns.interactions.couplings import NucleonCouplings
from cevns.interactions.kinematics import momentum_transfer
from cevns.nuclear.form_factors import NuclearFormFactors


class NucleusLike(Protocol):
    """What the charges need to know about a nucleus (satisfied by ``cevns.nuclear.Isotope``)."""

    # Read-only members, so that frozen dataclasses (``Isotope``) satisfy the protocol.
    @property
    def Z(self) -> int: ...

    @property
    def A(self) -> int: ...

    @property
    def spin(self) -> float: ...

    @property
    def spin_proton(self) -> float: ...

    @property
    def spin_neutron(self) -> float: ...

    @property
    def N(self) -> int: ...

    @property
    def nuclear_mass(self) -> float: ...


def spin_excesses(nucleus: NucleusLike) -> tuple[float, float]:
    """(Z₊ − Z₋, N₊ − N₋) = 2√((J+1)/(3J)) (⟨S_p⟩, ⟨S_n⟩); zero for J = 0."""
    if nucleus.spin <= 0:
        return 0.0, 0.0
    factor = 2.0 * math.sqrt((nucleus.spin + 1.0) / (3.0 * nucleus.spin))
    return factor * nucleus.spin_proton, factor * nucleus.spin_neutron


def weak_charge(nucleus: NucleusLike, couplings: NucleonCouplings) -> float:
    """Q_W = 2 (g_V^p Z + g_V^n N) (no form factor)."""
    return 2.0 * (couplings.g_v_proton * nucleus.Z + couplings.g_v_neutron * nucleus.N)


def vector_charge(
    nucleus: NucleusLike,
    couplings: NucleonCouplings,
    form_factors: NuclearFormFactors,
    recoil_energy: ArrayLike,
) -> np.ndarray:
    """G_V(q(T)) = g_V^p Z F_p(q) + g_V^n N F_n(q)."""
    q = momentum_transfer(recoil_energy, nucleus.nuclear_mass)
    return couplings.g_v_proton * nucleus.Z * form_factors.proton(
        q
    ) + couplings.g_v_neutron * nucleus.N * form_factors.neutron(q)


def axial_charge(
    nucleus: NucleusLike,
    couplings: NucleonCouplings,
    form_factors: NuclearFormFactors,
    recoil_energy: ArrayLike,
) -> np.ndarray:
    """G_A(q(T)) = [g_A^p (Z₊ − Z₋) + g_A^n (N₊ − N₋)] F_A(q)."""
    proton_excess, neutron_excess = spin_excesses(nucleus)
    strength = couplings.g_a_proton * proton_excess + couplings.g_a_neutron * neutron_excess
    q = momentum_transfer(recoil_energy, nucleus.nuclear_mass)
    return strength * form_factors.axial_form_factor(q)


def standard_model_charges(
    nucleus: NucleusLike,
    couplings: NucleonCouplings,
    form_factors: NuclearFormFactors,
    recoil_energy: ArrayLike,
    antineutrino: bool = False,
) -> dict[str, np.ndarray]:
    """Charges C_b(T) multiplying the basis terms: G_V², G_A², 2hG_VG_A."""
    g_v = vector_charge(nucleus, couplings, form_factors, recoil_energy)
    g_a = axial_charge(nucleus, couplings, form_factors, recoil_energy)
    helicity = -1.0 if antineutrino else 1.0
    return {"vector": g_v * g_v, "axial": g_a * g_a, "interference": 2.0 * helicity * g_v * g_a}
