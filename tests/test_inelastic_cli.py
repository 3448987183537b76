"""`cevns xsec --channel` and the inelastic block of `cevns predict`."""

import json

import pytest
from typer.testing import CliRunner

from cevns.cli.app import app
from cevns.errors import CevnsInputError
from cevns.inelastic.channels import get_channel
from cevns.units import MeV, cm2

runner = CliRunner()

CEVNS_KEYS = {
    "target",
    "neutrino_energy_mev",
    "flavor",
    "form_factor",
    "total_cross_section_cm2",
    "recoil_energy_max_kev",
    "weak_charge",
    "isotopes",
}


def xsec(*arguments: str) -> dict:
    result = runner.invoke(app, ["xsec", *arguments, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_channel_reports_keep_the_cevns_keys():
    elastic = xsec("Ar40", "--energy", "30")
    inelastic = xsec("Ar40", "--energy", "30", "--channel", "cc", "--flavor", "e")
    assert set(elastic) >= CEVNS_KEYS and set(inelastic) >= CEVNS_KEYS
    assert elastic["channel"] == "cevns" and inelastic["channel"] == "cc"
    row_keys = set(elastic["isotopes"][0])
    assert row_keys <= set(inelastic["isotopes"][0])
    expected = float(get_channel("cc", "Ar40").cross_section(30 * MeV, "nu_e") / cm2)
    assert inelastic["isotopes"][0]["total_cross_section_cm2"] == pytest.approx(expected, rel=1e-12)
    assert inelastic["form_factor"] is None and inelastic["weak_charge"] is None


def test_material_sums_the_isotopes_that_have_the_channel():
    report = xsec("D2O", "--energy", "30", "--channel", "cc", "--flavor", "e")
    parts = {row["isotope"]: row for row in report["isotopes"]}
    assert set(parts) == {"H2", "O16"}
    assert parts["H2"]["atoms_per_formula_unit"] == 2
    total = sum(r["total_cross_section_cm2"] * r["atoms_per_formula_unit"] for r in parts.values())
    assert report["total_cross_section_cm2"] == pytest.approx(total, rel=1e-12, abs=0)
    # Electron kinetic energy T_e = E - Q of the deuteron breakup.
    [line] = parts["H2"]["electron_lines"]
    assert line["electron_kinetic_energy_mev"] == pytest.approx(30 - 1.442)


def test_neutron_channels_and_antineutrinos():
    report = xsec("Pb208", "--energy", "40", "--channel", "nin-2n", "--flavor", "mu")
    assert report["isotopes"][0]["neutrons"] == 2
    anti = xsec("H2", "--energy", "30", "--channel", "cc", "--flavor", "e", "--antineutrino")
    assert anti["flavor"] == "nu_e_bar" and anti["isotopes"][0]["neutrons"] == 2
    table = runner.invoke(
        app, ["xsec", "Fe56", "--energy", "40", "--channel", "cc", "--flavor", "e"]
    )
    assert table.exit_code == 0 and "cc:Fe56" in table.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["Ar40", "--energy", "30", "--channel", "inelastic"],
            "error: --channel must be one of cevns, cc, nc, nin-1n, nin-2n; got 'inelastic'",
        ),
        (
            ["Xe", "--energy", "30", "--channel", "cc", "--flavor", "e"],
            "error: --channel 'cc' has no cross section for Xe; allowed targets: Ar40, Fe56, H2, I127, O16",
        ),
        (
            ["Ar", "--energy", "30", "--channel", "cc"],
            "error: --flavor 'nu_mu': channel cc:Ar40 has cross sections for nu_e only",
        ),
        (
            ["H2", "--energy", "150", "--channel", "cc", "--flavor", "e"],
            "error: --energy must be at most 100 MeV for channel cc:H2 (nu_e), the end of its table; got 150 MeV",
        ),
        (
            ["Ar40", "--energy", "30", "--channel", "cc", "--spectrum"],
            "error: --spectrum is the CEvNS recoil spectrum dσ/dT; allowed only with --channel cevns (got --channel cc)",
        ),
        (
            ["Ar40", "--energy", "-3", "--channel", "nc"],
            "error: --energy must be a positive finite number in MeV; got -3.0",
        ),
    ],
)
def test_bad_combinations_are_one_line_errors(arguments, message):
    result = runner.invoke(app, ["xsec", *arguments])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0] == message


def test_iron_neutron_channels_say_why_they_are_missing():
    # Issue 13 asks for nin-1n/nin-2n on 56Fe; no cited table was available offline, and
    # the refusal says so (channels.toml [missing]) instead of inventing one.
    for process in ("nin-1n", "nin-2n"):
        result = runner.invoke(app, ["xsec", "Fe56", "--energy", "30", "--channel", process])
        assert result.exit_code == 2
        [line] = result.output.strip().splitlines()
        assert line.startswith(f"error: --channel '{process}' has no cross section for Fe56; ")
        assert "Kolbe and K. Langanke, Phys. Rev. C 63, 025802 (2001)" in line
    with pytest.raises(CevnsInputError, match="could not be read here"):
        get_channel("nin-1n", "Fe56")
