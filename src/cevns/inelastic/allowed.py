"""Charged-current ν_e capture in the allowed approximation, with sum-rule strengths.

For ν_e + (Z, A) → e⁻ + (Z+1, A)* through allowed transitions k (zero momentum transfer,
long-wavelength limit; e.g. Kuramoto, Fukugita, Kohyama, Kubodera, Nucl. Phys. A 512, 711
(1990), Eq. (2.1); the same form MARLEY uses for bound states, Gardiner, Phys. Rev. C 103,
044604 (2021)):

    σ(E_ν) = (G_F² |V_ud|² / π) (ħc)² Σ_k p_e E_e F(Z+1, E_e) [B_k(F) + g_A² B_k(GT)],

with E_e = E_ν − Q_k + m_e the electron's total energy, p_e its momentum, Q_k the
neutrino-energy threshold of transition k (atomic-mass difference plus excitation energy;
then the electron kinetic energy is T_e = E_ν − Q_k), and F the Fermi function.

Where no measured strength distribution is at hand (¹²⁷I, ⁵⁶Fe), :func:`sum_rule_transitions`
places the two sum rules at their systematic energies:

* Fermi: B(F) = N − Z (exact for isospin-pure states) at the isobaric analogue state, whose
  threshold is Q_IAS = ΔE_C − (m_n − m_H), with the Coulomb displacement energy
  ΔE_C = 1.444 Z̄ A^(−1/3) − 1.13 MeV, Z̄ = Z + ½ (Anderson, Wong, McClure, Phys. Rev. 138,
  B615 (1965));
* Gamow–Teller: the Ikeda sum rule S(GT⁻) − S(GT⁺) = 3(N − Z) (Ikeda, Fujii, Fujita, Phys.
  Lett. 3, 271 (1963)), of which (p,n) reactions find about 60 % in the resonance region
  (Gaarde et al., Nucl. Phys. A 369, 258 (1981)) — the ``gt_quenching`` factor — at the
  Gamow–Teller resonance, E_GTR − E_IAS = 26 A^(−1/3) − 18.5 (N − Z)/A MeV (Nakayama et al.,
  Phys. Lett. B 114, 217 (1982)).

This is a schematic model (no low-lying Gamow–Teller states, no forbidden transitions, no
resonance widths). Checks (``tests/test_inelastic_allowed.py``): for ⁴⁰Ar the formula puts
the analogue state at Q = 5.90 MeV against the measured 1.504 + 4.384 = 5.888 MeV; with
B(F) = 1 and B(GT) = 3 the prefactor, 0.0940 × 10⁻⁴² cm² × E_e p_e / MeV², is the
zeroth-order inverse-beta-decay cross section σ₀ = 0.0952 × 10⁻⁴² cm² × E_e p_e / MeV² of
Vogel & Beacom, Phys. Rev. D 60, 053003 (1999), Eq. (9), to 1.3 % (they take g_A = 1.26 and
include the inner radiative correction; the test allows 3 %); F → 1 as Z → 0; σ = 0
below each threshold. Its Michel averages are compared with published values in
docs/inelastic.md.

Fermi function, non-relativistic point-charge form (E. Fermi, Z. Phys. 88, 161 (1934)):
F(Z, E) = 2πη / (1 − exp(−2πη)), η = Z α E_e / p_e.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from cevns.constants import (
    electron_mass,
    fermi_constant,
    fine_structure_constant,
    hbar_c,
    neutron_mass,
    proton_mass,
)
from cevns.errors import CevnsInputError
from cevns.units import MeV

#: |V_ud| = 0.97367 ± 0.00032 (PDG 2024, Review "V_ud, V_us, the Cabibbo angle and CKM
#: unitarity", superallowed 0⁺ → 0⁺ average).
V_UD = 0.97367
#: g_A = 1.2754 ± 0.0013 (PDG 2024 neutron listing, λ = g_A/g_V = −1.2754).
G_A = 1.2754
#: Coulomb displacement energy ΔE_C = a Z̄ A^(−1/3) − b (Anderson, Wong, McClure 1965).
COULOMB_DISPLACEMENT_SLOPE = 1.444 * MeV
COULOMB_DISPLACEMENT_OFFSET = 1.13 * MeV
#: E_GTR − E_IAS = c A^(−1/3) − d (N − Z)/A (Nakayama et al. 1982).
GTR_OFFSET_SURFACE = 26.0 * MeV
GTR_OFFSET_ASYMMETRY = 18.5 * MeV
#: Fraction of the Ikeda sum rule seen in (p,n) at the resonance (Gaarde et al. 1981).
DEFAULT_GT_QUENCHING = 0.6


@dataclass(frozen=True)
class AllowedTransition:
    """One final state: threshold Q (neutrino energy), Fermi and Gamow–Teller strengths."""

    threshold: float
    fermi_strength: float
    gamow_teller_strength: float
    label: str = ""


def allowed_prefactor() -> float:
    """G_F² |V_ud|² (ħc)² / π: area per energy² (multiplies p_e E_e and the strengths)."""
    return fermi_constant**2 * V_UD**2 * hbar_c**2 / math.pi


def fermi_function(charge: int, total_energy: ArrayLike) -> np.ndarray:
    """Non-relativistic Fermi function 2πη/(1 − e^(−2πη)), η = Zα E/p, for an electron of
    total energy E > m_e leaving a nucleus of charge Z (1 where Z = 0)."""
    energy = np.asarray(total_energy, dtype=float)
    momentum = np.sqrt(np.maximum(energy**2 - electron_mass**2, 0.0))
    if charge == 0:
        return np.ones_like(energy)
    with np.errstate(divide="ignore", invalid="ignore"):
        two_pi_eta = 2.0 * math.pi * charge * fine_structure_constant * energy / momentum
        value = two_pi_eta / (-np.expm1(-two_pi_eta))
    return np.where(momentum > 0, value, 0.0)


def analogue_state_threshold(Z: int, A: int) -> float:
    """Q_IAS = ΔE_C − (m_n − m_H): neutrino threshold of the isobaric analogue state."""
    displacement = COULOMB_DISPLACEMENT_SLOPE * (Z + 0.5) / A ** (1.0 / 3.0)
    displacement -= COULOMB_DISPLACEMENT_OFFSET
    return displacement - (neutron_mass - proton_mass - electron_mass)


def sum_rule_transitions(
    Z: int, A: int, gt_quenching: float = DEFAULT_GT_QUENCHING
) -> tuple[AllowedTransition, AllowedTransition]:
    """The Fermi (IAS) and Gamow–Teller (GTR) transitions of the schematic model."""
    N = A - Z
    if N <= Z:
        raise CevnsInputError(f"sum-rule model needs N > Z; got Z = {Z}, A = {A}")
    if not 0 < gt_quenching <= 1:
        raise CevnsInputError(f"gt_quenching must lie in (0, 1]; got {gt_quenching!r}")
    q_ias = analogue_state_threshold(Z, A)
    q_gtr = q_ias + GTR_OFFSET_SURFACE / A ** (1.0 / 3.0) - GTR_OFFSET_ASYMMETRY * (N - Z) / A
    return (
        AllowedTransition(q_ias, float(N - Z), 0.0, "isobaric analogue state (Fermi)"),
        AllowedTransition(q_gtr, 0.0, gt_quenching * 3.0 * (N - Z), "Gamow-Teller resonance"),
    )


def transition_cross_section(
    energy: ArrayLike, transition: AllowedTransition, final_charge: int
) -> np.ndarray:
    """σ_k(E_ν) of one allowed transition (area); zero below its threshold."""
    neutrino = np.asarray(energy, dtype=float)
    total = neutrino - transition.threshold + electron_mass
    open_ = total > electron_mass
    safe = np.where(open_, total, 2.0 * electron_mass)
    momentum = np.sqrt(safe**2 - electron_mass**2)
    strength = transition.fermi_strength + G_A**2 * transition.gamow_teller_strength
    value = allowed_prefactor() * momentum * safe * fermi_function(final_charge, safe) * strength
    return np.where(open_, value, 0.0)


__all__ = [
    "DEFAULT_GT_QUENCHING",
    "G_A",
    "V_UD",
    "AllowedTransition",
    "allowed_prefactor",
    "analogue_state_threshold",
    "fermi_function",
    "sum_rule_transitions",
    "transition_cross_section",
]
