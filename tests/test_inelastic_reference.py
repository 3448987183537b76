"""Flux-averaged cross sections over the Michel nu_e spectrum against published values.

Each test names the published number (data/published.toml has the citations) and the
tolerance; docs/inelastic.md explains every difference.
"""

import numpy as np
import pytest

from cevns.constants import muon_mass
from cevns.inelastic.averages import flux_averaged_cross_section, published_for
from cevns.inelastic.channels import get_channel
from cevns.sources.pion_dar import PionDecayAtRest
from cevns.units import MeV, cm2

UNIT = 1e-42 * cm2


def average(name: str) -> float:
    return flux_averaged_cross_section(get_channel(*name.split(":"))) / UNIT


def published(name: str, kind: str, label_start: str = ""):
    [value] = [v for v in published_for(name) if v.kind == kind and v.label.startswith(label_start)]
    return value


def test_average_agrees_with_a_trapezoid_over_the_table_rows():
    # Independent integration: trapezoid of sigma(E) x 192 x^2 (1/2 - x)/m_mu on a fine grid.
    channel = get_channel("cc", "H2")
    energy = np.linspace(0, 0.5 * muon_mass, 200001)
    x = energy / muon_mass
    weight = 192 * x**2 * (0.5 - x) / muon_mass
    by_hand = np.trapezoid(weight * channel.cross_section(energy, "nu_e"), energy)
    by_hand /= np.trapezoid(weight, energy)
    assert average("cc:H2") == pytest.approx(by_hand / UNIT, rel=1e-5)


def test_michel_spectrum_mean_energy():
    # <E> = 0.3 m_mu for the Michel nu_e (cevns.sources.pion_dar): the spectrum averaged.
    source = PionDecayAtRest()
    assert source.mean_energy("nu_e") / MeV == pytest.approx(0.3 * muon_mass / MeV, rel=1e-9)


def test_deuteron_cc_against_lampf():
    # Nakamura et al. (2002) table: 55.2e-42 cm^2; LAMPF E225 measured 52 +- 18 (1 sigma).
    ours = average("cc:H2")
    lampf = published("cc:H2", "measurement")
    assert ours == pytest.approx(55.16, rel=2e-3)
    assert abs(ours - lampf.value / UNIT) < lampf.error_high / UNIT


def test_argon_cc_against_athar():
    # MARLEY via snowglobes-data: 257.8e-42 cm^2; Athar et al. (RPA) 228: within 15 %.
    ours = average("cc:Ar40")
    assert ours == pytest.approx(257.8, rel=2e-3)
    assert ours == pytest.approx(published("cc:Ar40", "theory").value / UNIT, rel=0.15)


def test_oxygen_cc_against_athar():
    # Kolbe et al. (2002) table: 8.99e-42 cm^2; Athar et al. 14.55 — 38 % apart (two models;
    # the 15.4 MeV threshold sits where the Michel flux falls, so the average is sensitive
    # to the strength near threshold). Tolerance: within a factor 0.5-0.75 of Athar.
    ours = average("cc:O16")
    assert ours == pytest.approx(8.99, rel=2e-3)
    assert 0.5 < ours / (published("cc:O16", "theory").value / UNIT) < 0.75


def test_oxygen_cc_against_the_shell_model():
    # A second calculation: Suzuki et al. (2018) shell model, 10.99e-42 cm^2 (Michel average
    # of the SNOwGLoBES table, published.toml). The continuum RPA table is 18 % below it,
    # Athar et al. 32 % above: the 40 % gap is the models' spread near threshold, not a
    # reading error. Tolerance: the ratio to 0.01; the shell model between the other two.
    ours = average("cc:O16")
    shell_model = published("cc:O16", "derived").value / UNIT
    athar = published("cc:O16", "theory").value / UNIT
    assert ours / shell_model == pytest.approx(0.818, abs=0.01)
    assert ours < shell_model < athar


def test_iodine_cc_against_coherent_and_theory():
    ours = average("cc:I127")
    marley = published("cc:I127", "derived").value / UNIT  # 9.2 / (1 - 0.41) = 15.6e-40
    coherent = published("cc:I127", "measurement", "COHERENT")
    assert ours == pytest.approx(1446.9, rel=2e-3)
    # The sum-rule model lies within 10 % of the MARLEY-based prediction ...
    assert ours == pytest.approx(marley, rel=0.10)
    # ... so COHERENT's 9.2e-40 is 36 % below it (41 % below MARLEY), 2.6 sigma of the
    # measurement's upper error.
    shortfall = 1 - coherent.value / UNIT / ours
    assert shortfall == pytest.approx(0.364, abs=0.01)
    pull = (ours - coherent.value / UNIT) / (coherent.error_high / UNIT)
    assert pull == pytest.approx(2.51, abs=0.05)


def test_iron_cc_against_karmen():
    ours = average("cc:Fe56")
    karmen = published("cc:Fe56", "measurement")
    assert ours == pytest.approx(226.9, rel=2e-3)
    assert abs(ours - karmen.value / UNIT) < karmen.error_low / UNIT


def test_iron_cc_lies_below_a_calculation_with_forbidden_transitions():
    # Kolbe, Langanke, Martinez-Pinedo (1999): 273e-42 cm^2 for the KARMEN nu_e spectrum,
    # shell-model Gamow-Teller plus continuum-RPA forbidden strength. The allowed sum-rule
    # model has no forbidden transitions, so it must lie below; it is 17 % below (226.9).
    ours = average("cc:Fe56")
    klm = published("cc:Fe56", "theory", "Kolbe")
    assert 0.8 < ours / (klm.value / UNIT) < 1.0
