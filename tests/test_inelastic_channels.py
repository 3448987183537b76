"""The inelastic channel registry: thresholds, flavours, sums of components, errors."""

import numpy as np
import pytest

from cevns.constants import electron_mass, neutron_mass, proton_mass
from cevns.errors import CevnsInputError
from cevns.inelastic.channels import (
    PROCESSES,
    channel_names,
    channels_for_target,
    get_channel,
    targets_for,
)
from cevns.inelastic.tables import read_table
from cevns.nuclear.isotopes import get_isotope
from cevns.units import MeV


def test_registry_covers_the_issue_channels():
    expected = {"cc:H2", "nc:H2", "cc:O16", "nc:O16", "cc:Ar40", "nc:Ar40", "cc:I127",
                "cc:Fe56", "nin-1n:Pb208", "nin-2n:Pb208"}  # fmt: skip
    assert expected <= set(channel_names())
    for name in channel_names():
        process, target = name.split(":")
        channel = get_channel(process, target)
        assert process in PROCESSES
        for flavor in channel.flavors:
            assert channel.sources_for(flavor), name  # every component names its source
            assert channel.q_source


def test_deuteron_thresholds_from_masses():
    deuteron = get_isotope("H2").nuclear_mass
    cc = get_channel("cc", "H2")
    assert cc.q_value / MeV == pytest.approx(
        (2 * proton_mass + electron_mass - deuteron) / MeV, abs=1e-3
    )
    # nu_e_bar d -> e+ n n: 2 m_n + m_e - m_d = 4.029 MeV; zero below it.
    threshold = (2 * neutron_mass + electron_mass - deuteron) / MeV
    assert threshold == pytest.approx(4.029, abs=1e-3)
    assert float(cc.cross_section(threshold * MeV, "nu_e_bar")) == pytest.approx(0, abs=1e-60)
    nc = get_channel("nc", "H2")
    binding = (proton_mass + neutron_mass - deuteron) / MeV
    assert nc.q_value / MeV == pytest.approx(binding, abs=1e-3)


def test_neutral_current_is_the_same_for_every_neutrino_flavour():
    for name in ("nc:H2", "nc:O16", "nc:Ar40", "nin-1n:Pb208"):
        channel = get_channel(*name.split(":"))
        energies = np.linspace(5, 95, 10) * MeV
        mu = channel.cross_section(energies, "nu_mu")
        assert np.allclose(channel.cross_section(energies, "nu_tau"), mu, rtol=1e-12)
        if name != "nin-1n:Pb208":  # nu_e adds the charged current there
            assert np.allclose(channel.cross_section(energies, "nu_e"), mu, rtol=1e-12)


def test_nin_channels_add_charged_and_neutral_current():
    channel = get_channel("nin-1n", "Pb208")
    energies = np.array([15.0, 30.0, 45.0]) * MeV
    cc = read_table("snowglobes:xs_nue_Pb208_1n.dat", "nu_e")(energies)
    nc = read_table("snowglobes:xs_nc_nue_Pb208_1n.dat", "nu_e")(energies)
    assert np.allclose(channel.cross_section(energies, "nu_e"), cc + nc, rtol=1e-12)
    assert channel.neutrons_for("nu_e") == 1
    assert get_channel("nin-2n", "Pb208").neutrons_for("nu_mu") == 2
    assert get_channel("cc", "H2").neutrons_for("nu_e_bar") == 2
    assert get_channel("cc", "H2").neutrons_for("nu_e") is None


def test_electron_lines():
    argon = get_channel("cc", "Ar40")
    [(sigma, offset)] = argon.electron_lines(np.array([30 * MeV]), "nu_e")
    assert offset / MeV == pytest.approx(5.888)
    assert sigma[0] == pytest.approx(float(argon.cross_section(30 * MeV, "nu_e")))
    iodine = get_channel("cc", "I127")
    lines = iodine.electron_lines(np.array([40 * MeV]), "nu_e")
    assert len(lines) == 2  # analogue state and Gamow-Teller resonance
    total = sum(float(s[0]) for s, _ in lines)
    assert total == pytest.approx(float(iodine.cross_section(40 * MeV, "nu_e")), rel=1e-12)
    assert get_channel("nc", "Ar40").electron_lines(np.array([30 * MeV]), "nu_e") == []


def test_targets_accept_other_spellings():
    assert get_channel("cc", "40Ar").name == "cc:Ar40"
    assert get_channel("cc:Ar40", "").name == "cc:Ar40"
    assert {c.process for c in channels_for_target("Ar-40")} == {"cc", "nc"}
    assert targets_for("nin-1n") == ("Pb208",)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: get_channel("xx", "Ar40"),
            "channel must be one of cc, nc, nin-1n, nin-2n; got 'xx'",
        ),
        (
            lambda: get_channel("cc", "Xe131"),
            "channel 'cc' has no cross section for target 'Xe131'; allowed targets: Ar40, Fe56, H2, I127, O16",
        ),
        (
            lambda: get_channel("cc", "Ar40").cross_section(30 * MeV, "nu_mu"),
            "flavor 'nu_mu': channel cc:Ar40 has cross sections for nu_e only",
        ),
        (
            lambda: get_channel("cc", "Ar40").cross_section(30 * MeV, "muon"),
            "flavor must be one of nu_e",
        ),
        (
            lambda: get_channel("cc", "H2").check_energy(120 * MeV, "nu_e", "--energy"),
            "--energy must be at most 100 MeV for channel cc:H2 (nu_e), the end of its table; got 120 MeV",
        ),
    ],
)
def test_one_line_errors(call, message):
    with pytest.raises(CevnsInputError) as error:
        call()
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)
