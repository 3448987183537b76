"""Elastic kinematics: T_max, its inverse and the momentum transfer."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cevns.interactions.kinematics import (
    momentum_transfer,
    neutrino_energy_min,
    recoil_energy_max,
)
from cevns.units import GeV, MeV, keV

M_CS = 123.8 * GeV  # approximate 133Cs nuclear mass; exact value irrelevant here


def test_recoil_endpoint_matches_published_values():
    # seeds/002: T_max ≈ 2E²/M is ~10.1 keV for 133Cs and ~18.4 keV for 74Ge at 25 MeV;
    # seeds/003: "only 15 keV for CsI at 30 MeV". Tolerance 1 % (slides round).
    m_ge74 = 73.9211777 * 931.494 * MeV
    assert recoil_energy_max(25 * MeV, M_CS) / keV == pytest.approx(10.1, rel=0.01)
    assert recoil_energy_max(25 * MeV, m_ge74) / keV == pytest.approx(18.1, rel=0.02)
    assert recoil_energy_max(30 * MeV, M_CS) / keV == pytest.approx(14.5, rel=0.01)


@given(st.floats(min_value=1e-3, max_value=1e3))
def test_energy_min_inverts_recoil_max(energy_mev):
    energy = energy_mev * MeV
    t_max = recoil_energy_max(energy, M_CS)
    assert neutrino_energy_min(t_max, M_CS) == pytest.approx(energy, rel=1e-9)


def test_momentum_transfer_is_sqrt_2MT_at_low_recoil():
    recoil = np.array([1, 10, 50]) * keV
    assert momentum_transfer(recoil, M_CS) == pytest.approx(np.sqrt(2 * M_CS * recoil), rel=1e-6)
    # Exact relation for elastic scattering: q² = T² + 2MT.
    assert momentum_transfer(recoil, M_CS) ** 2 == pytest.approx(recoil**2 + 2 * M_CS * recoil)
