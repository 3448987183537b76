"""The allowed-approximation CC model: limits and independent checks of its ingredients."""

import math

import numpy as np
import pytest

from cevns.errors import CevnsInputError
from cevns.inelastic.allowed import (
    G_A,
    AllowedTransition,
    allowed_prefactor,
    analogue_state_threshold,
    fermi_function,
    sum_rule_transitions,
    transition_cross_section,
)
from cevns.units import MeV, cm2


def test_prefactor_is_the_zeroth_order_inverse_beta_decay_cross_section():
    # Vogel & Beacom, PRD 60, 053003 (1999), Eq. (9): sigma_0 (f^2 + 3 g^2) =
    # 0.0952e-42 cm^2 x E_e p_e / MeV^2 (with g = 1.26 and the inner radiative correction).
    # Ours has g_A = 1.2754 and no radiative correction: agreement to 3 %.
    ibd = allowed_prefactor() * (1 + 3 * G_A**2) * MeV**2 / cm2
    assert ibd == pytest.approx(0.0952e-42, rel=0.03)


def test_fermi_function_limits():
    energies = np.array([1.0, 10.0, 50.0]) * MeV
    assert np.allclose(fermi_function(0, energies), 1.0)
    # Weak field: F = 1 + pi eta + O(eta^2).
    from cevns.constants import electron_mass, fine_structure_constant

    p = np.sqrt(energies**2 - electron_mass**2)
    eta = fine_structure_constant * energies / p
    assert np.allclose(fermi_function(1, energies), 1 + math.pi * eta, rtol=5e-4)
    # Relativistic limit: 2 pi Z alpha / (1 - exp(-2 pi Z alpha)).
    z_alpha = 54 * fine_structure_constant
    limit = 2 * math.pi * z_alpha / (1 - math.exp(-2 * math.pi * z_alpha))
    assert float(fermi_function(54, 1000 * MeV)) == pytest.approx(limit, rel=1e-5)


def test_coulomb_displacement_systematics_reproduce_the_argon_analogue_state():
    # 40K analogue of 40Ar: Q = 1.504 MeV (AME2020) + E_x 4.384 MeV (Bhattacharya et al. 1998).
    assert analogue_state_threshold(18, 40) / MeV == pytest.approx(1.504 + 4.384, rel=5e-3)


def test_cross_section_vanishes_below_threshold_and_grows_above():
    transition = AllowedTransition(threshold=10 * MeV, fermi_strength=1.0, gamow_teller_strength=0)
    energies = np.array([5.0, 10.0, 10.3, 20.0, 40.0]) * MeV
    sigma = transition_cross_section(energies, transition, 20)
    assert sigma[0] == 0 and sigma[1] == 0
    assert np.all(np.diff(sigma[2:]) > 0)
    # At 40 MeV: prefactor x p E F x B(F), written out.
    from cevns.constants import electron_mass

    total = 30 * MeV + electron_mass
    by_hand = allowed_prefactor() * math.sqrt(total**2 - electron_mass**2) * total
    assert sigma[-1] == pytest.approx(by_hand * float(fermi_function(20, total)), rel=1e-12)


def test_sum_rules():
    fermi, gamow_teller = sum_rule_transitions(53, 127, gt_quenching=0.6)
    assert fermi.fermi_strength == 21 and fermi.gamow_teller_strength == 0
    assert gamow_teller.gamow_teller_strength == pytest.approx(0.6 * 3 * 21)
    # E_GTR - E_IAS = 26 A^(-1/3) - 18.5 (N - Z)/A MeV (Nakayama et al. 1982).
    offset = 26 / 127 ** (1 / 3) - 18.5 * 21 / 127
    assert (gamow_teller.threshold - fermi.threshold) / MeV == pytest.approx(offset)
    with pytest.raises(CevnsInputError, match="N > Z"):
        sum_rule_transitions(20, 40)
    with pytest.raises(CevnsInputError, match=r"gt_quenching must lie in \(0, 1\]"):
        sum_rule_transitions(53, 127, gt_quenching=1.5)
