"""`cevns xsec` and `cevns nuclei` through the command line."""

import json

import pytest
from typer.testing import CliRunner

from cevns.cli.app import app
from cevns.interactions.cross_section import total_cross_section
from cevns.units import MeV, cm2

runner = CliRunner()


def test_xsec_json_has_the_documented_keys_and_values():
    result = runner.invoke(app, ["xsec", "Cs133", "--energy", "30", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"total_cross_section_cm2", "recoil_energy_max_kev", "weak_charge"} <= set(report)
    assert report["total_cross_section_cm2"] == pytest.approx(
        float(total_cross_section(30 * MeV, "Cs133") / cm2), rel=1e-12, abs=0
    )
    assert report["recoil_energy_max_kev"] == pytest.approx(14.54, rel=1e-3)
    # Q_W = 2(55 × 0.0298 − 78 × 0.5117) for ν_μ.
    assert report["weak_charge"] == pytest.approx(2 * (55 * 0.0298 - 78 * 0.5117), rel=1e-12)


def test_xsec_material_sums_its_nuclei_and_prints_a_table():
    result = runner.invoke(app, ["xsec", "CsI", "--energy", "30", "--flavor", "e", "--json"])
    report = json.loads(result.stdout)
    parts = {row["isotope"]: row["total_cross_section_cm2"] for row in report["isotopes"]}
    # abs=0: values of 1e-38 are within pytest's default absolute tolerance of anything.
    assert report["total_cross_section_cm2"] == pytest.approx(
        parts["Cs133"] + parts["I127"], rel=1e-12, abs=0
    )
    table = runner.invoke(app, ["xsec", "CsI", "--energy", "30"])
    assert table.exit_code == 0
    assert "σ [cm²]" in table.stdout and "per formula unit" in table.stdout


def test_xsec_spectrum_ends_at_the_endpoint():
    result = runner.invoke(
        app, ["xsec", "Ar40", "--energy", "30", "--spectrum", "--form-factor", "none", "--json"]
    )
    grid = json.loads(result.stdout)["spectrum"]
    assert grid["recoil_energy_kev"][-1] == pytest.approx(
        json.loads(result.stdout)["recoil_energy_max_kev"]
    )
    assert all(value >= 0 for value in grid["differential_cross_section_cm2_per_kev"])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["Cs133", "--energy", "-1"], "error: --energy must be a positive finite number in MeV; got -1.0"),
        (["Cs133", "--energy", "0"], "error: --energy must be a positive finite number in MeV; got 0.0"),
        (["Cs133", "--energy", "nan"], "error: --energy must be a finite number in MeV; got nan"),
        (["Cs133", "--energy", "inf"], "error: --energy must be a finite number in MeV; got inf"),
        (["Cs134x", "--energy", "30"], "error: unknown nucleus or material 'Cs134x'; did you mean Cs133"),
        (["Cs133", "--energy", "30", "--form-factor", "gauss"],
         "error: --form-factor must be one of helm, klein-nystrand, symmetrized-fermi, none; got 'gauss'"),
        (["Cs133", "--energy", "30", "--flavor", "x"], "error: --flavor must be one of e, mu, tau; got 'x'"),
    ],
)  # fmt: skip
def test_bad_input_gives_one_line_error_and_exit_code_2(arguments, message):
    result = runner.invoke(app, ["xsec", *arguments])
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_nuclei_lists_isotopes_and_materials():
    result = runner.invoke(app, ["nuclei", "--json"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    names = {iso["name"] for iso in report["isotopes"]}
    assert {"Cs133", "I127", "Ar40", "Ge76", "Na23", "Xe132"} <= names
    materials = {m["name"] for m in report["materials"]}
    assert {
        "CsI",
        "NaI",
        "Ar",
        "Ge",
        "Xe",
        "Si",
        "CaWO4",
        "Al2O3",
        "C3F8",
        "H2O",
        "D2O",
        "Pb",
    } <= materials
    csi = next(m for m in report["materials"] if m["name"] == "CsI")
    assert csi["molar_mass_g_per_mol"] == pytest.approx(259.81, abs=0.01)
    table = runner.invoke(app, ["nuclei"])
    assert table.exit_code == 0 and "Cs133" in table.stdout
