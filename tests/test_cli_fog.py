"""`cevns fog` through the command line (coarse bins to stay fast)."""

import json

import pytest
from typer.testing import CliRunner

from cevns.cli.app import app

runner = CliRunner()
FAST = ["--bins", "12", "--max-recoil", "100", "--exposures", "1,1000"]


@pytest.fixture(scope="module")
def xenon_report():
    result = runner.invoke(app, ["fog", "Xe", "--masses", "6,100", *FAST, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_has_limits_boundaries_and_published_values(xenon_report):
    report = xenon_report
    assert report["target"] == "Xe"
    assert report["threshold_kev"] == pytest.approx(1e-4)
    assert report["criterion"]["asimov_q0"] == pytest.approx(18.3317, rel=1e-5)
    by_mass = {m["wimp_mass_gev"]: m for m in report["masses"]}
    assert set(by_mass) == {6.0, 100.0}
    for entry in by_mass.values():
        limits = entry["discovery_limits"]
        assert [d["exposure_tonne_year"] for d in limits] == [1.0, 1000.0]
        assert limits[1]["cross_section_cm2"] < limits[0]["cross_section_cm2"]
        assert 1e-50 < limits[0]["cross_section_cm2"] < 1e-43
    assert 1e-46 < by_mass[6.0]["n2_boundary"]["cross_section_cm2"] < 1e-43
    names = [b["name"] for b in report["backgrounds"]]
    assert names[:8] == ["pp", "pep", "hep", "7Be", "8B", "13N", "15O", "17F"]
    ohare = report["published"]["ohare_2021"]
    assert "arXiv:2109.03116" in ohare["reference"]
    assert {c["wimp_mass_gev"] for c in ohare["comparisons"]} == {6.0, 100.0}
    assert "note" in report["published"]
    assert names[8:] == ["atmospheric", "DSNB"]
    assert 1e-50 < by_mass[100.0]["n2_boundary"]["cross_section_cm2"] < 1e-47


def test_table_and_plot(tmp_path):
    figure = tmp_path / "fog.png"
    result = runner.invoke(
        app, ["fog", "Ar", "--masses", "6", *FAST, "--inputs", "ohare-2021", "--plot", str(figure)]
    )
    assert result.exit_code == 0, result.output
    assert "n = 2 boundary" in result.stdout and "ohare_2021" in result.stdout
    assert "note:" not in result.stdout  # O'Hare's inputs: no warning about differing inputs
    assert figure.stat().st_size > 1000


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["fog", "Xx"], "error: unknown nucleus or material 'Xx'"),
        (
            ["fog", "Xe", "--masses", "6,-1"],
            "error: --masses must be comma-separated positive numbers in GeV; got '-1'",
        ),
        (
            ["fog", "Xe", "--exposures", "x"],
            "error: --exposures must be comma-separated positive numbers in tonne-years; got 'x'",
        ),
        (
            ["fog", "Xe", "--uncertainty", "8B"],
            "error: --uncertainty must be NAME=VALUE with a positive relative uncertainty (e.g. 8B=0.02); got '8B'",
        ),
        (
            ["fog", "Xe", "--uncertainty", "B8=0.1"],
            "error: unknown --uncertainty background 'B8'; did you mean 8B?",
        ),
        (
            ["fog", "Xe", "--inputs", "fancy"],
            "error: --inputs must be one of cevns, ohare-2021; got 'fancy'",
        ),
        (
            ["fog", "Xe", "--threshold", "300"],
            "error: --max-recoil (200 keV) must exceed --threshold (300 keV)",
        ),
        (
            ["fog", "Xe", "--probability", "1.5"],
            "error: --probability must be between 0 and 1 (exclusive); got 1.5",
        ),
        (
            ["fog", "Xe", "--threshold", "-1"],
            "error: --threshold must be a positive finite number in keV; got -1.0",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(arguments, message):
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(message), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
