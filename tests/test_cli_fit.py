"""`cevns fit` on the command line (needs the public releases; skipped without)."""

import json

import pytest
from typer.testing import CliRunner

from cevns.cli.app import app
from cevns.experiments.load import load_experiment

runner = CliRunner()


def _published(experiment: str, key: str):
    return load_experiment(experiment).published_value(key)


def test_fit_json_has_the_documented_keys(shared_data_dir, tmp_path):
    figure = tmp_path / "fit.png"
    result = runner.invoke(
        app,
        [
            "fit",
            "coherent-csi-2021",
            "--data",
            str(shared_data_dir),
            "--json",
            "--plot",
            str(figure),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"value", "error"} <= set(report["cevns_events"])
    assert {"value", "error_low", "error_high"} <= set(report["flux_averaged_cross_section_cm2"])
    assert report["ndof"] == _published("coherent-csi-2021", "ndof").value
    assert report["chi2"] > 0
    assert report["significance_no_cevns"] >= 10
    # The document's form factor (Klein–Nystrand) and its published numbers are reported.
    (csi,) = report["experiments"]
    assert csi["form_factor"] == "klein-nystrand"
    assert csi["published"]["cevns_best_fit"]["value"] == (
        _published("coherent-csi-2021", "cevns_best_fit").value
    )
    # This likelihood's fit: 313.1 ± 32.7 CEvNS events (tests/test_stats_csi2021.py).
    assert report["cevns_events"]["value"] == pytest.approx(313.1, abs=0.5)
    assert report["cevns_events"]["error"] == pytest.approx(32.7, abs=0.5)
    assert figure.stat().st_size > 10_000


def test_form_factor_option_overrides_the_document(shared_data_dir):
    # Helm instead of the document's Klein–Nystrand: 315.8 ± 33 events (regression).
    result = runner.invoke(
        app,
        [
            "fit",
            "coherent-csi-2021",
            "--data",
            str(shared_data_dir),
            "--form-factor",
            "helm",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["experiments"][0]["form_factor"] == "helm"
    assert report["cevns_events"]["value"] == pytest.approx(315.8, abs=0.5)


def test_joint_fit_reports_both_experiments(shared_data_dir):
    result = runner.invoke(
        app,
        ["fit", "coherent-csi-2021", "coherent-lar-2020", "--data", str(shared_data_dir), "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    names = [entry["experiment"] for entry in report["experiments"]]
    assert names == ["coherent-csi-2021", "coherent-lar-2020"]
    argon = report["experiments"][1]
    # arXiv:2003.10630: 159 ± 43 (issue: within ±15, error in [35, 50]).
    published = _published("coherent-lar-2020", "cevns_best_fit")
    assert argon["cevns_events"]["value"] == pytest.approx(published.value, abs=15)
    assert 35 <= argon["cevns_events"]["error"] <= 50
    assert argon["form_factor"] == "helm"
    assert report["parameters"]["flux_norm"]["error"] == pytest.approx(0.1, rel=0.05)


def test_a_fit_that_does_not_converge_exits_non_zero_and_prints_no_result(shared_data_dir):
    result = runner.invoke(
        app,
        ["fit", "coherent-csi-2021", "--data", str(shared_data_dir), "--max-calls", "5", "--json"],
    )
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith("error: the fit did not converge")


def test_fixing_parameters_and_bad_input(shared_data_dir):
    fixed = runner.invoke(
        app,
        [
            "fit",
            "coherent-csi-2021",
            "--data",
            str(shared_data_dir),
            "--fix",
            "flux_norm=1",
            "--json",
        ],
    )
    assert fixed.exit_code == 0, fixed.output
    assert json.loads(fixed.stdout)["parameters"]["flux_norm"]["fixed"] is True
    bad = runner.invoke(
        app, ["fit", "coherent-csi-2021", "--data", str(shared_data_dir), "--fix", "nope=1"]
    )
    assert bad.exit_code == 2
    assert bad.stderr.startswith("error: cannot fix nope: not a parameter of the likelihood")
    typo = runner.invoke(
        app, ["fit", "coherent-csi-2021", "--data", str(shared_data_dir), "--fix", "flux_nrm=1"]
    )
    assert typo.exit_code == 2 and "did you mean flux_norm?" in typo.stderr
    # A projection without an [analysis] table cannot be fitted.
    unknown = runner.invoke(app, ["fit", "coherent-ge-mini"])
    assert unknown.exit_code == 2
    assert "coherent-ge-mini: the document has no [analysis] table" in unknown.stderr
    assert unknown.stderr.count("\n") == 1
