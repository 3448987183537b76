"""No command prints a NaN or an infinity as a result (issue 15: 13 inputs printed `nan`
or `inf`, and `--json` turned them silently into `null`).

Each command's result is forced to hold a non-finite number (monkeypatch); the command must
refuse in one line naming the quantity, exit code 2, and print nothing on standard output,
as a table and as JSON. Values that are absent by construction (a scan point whose fit did
not converge, an interval open at the grid's edge, a limit not reached on the coupling's
range) are reported as JSON null and "—" in tables, and are not refused.
"""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from cevns.cli.app import app
from cevns.stats.grid import ScanAxis
from cevns.stats.limit_table import LimitTable
from cevns.stats.scan_table import ScanTable

runner = CliRunner()


def invoke(*arguments) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in arguments])
    return result.exit_code, result.stdout, result.stderr


def assert_refused(arguments, quantity: str) -> None:
    for extra in ([], ["--json"]):
        code, stdout, stderr = invoke(*arguments, *extra)
        lines = stderr.strip().splitlines()
        assert code == 2, (arguments, extra, stdout, stderr)
        assert len(lines) == 1 and lines[0].startswith("error: "), stderr
        assert quantity in lines[0] and "non-finite" in lines[0], lines[0]
        assert "Traceback" not in stderr
        assert stdout == "", stdout


def test_predict_refuses_a_non_finite_prediction(monkeypatch):
    from cevns.experiments.prediction import Prediction

    original = Prediction.to_dict

    def broken(self):
        report = original(self)
        report["total_events"] = math.nan
        return report

    monkeypatch.setattr(Prediction, "to_dict", broken)
    assert_refused(["predict", "coherent-ge-mini"], "total_events = nan")


def test_fit_refuses_a_non_finite_result(monkeypatch):
    import cevns.stats.fitting as fitting

    report = {"experiments": [], "parameters": {"flux_norm": {"value": math.inf}}, "chi2": 3.0}

    def fake_fit(*args, **kwargs):
        return SimpleNamespace(report=report, analyses=[], result=None)

    monkeypatch.setattr(fitting, "fit_experiments", fake_fit)
    assert_refused(["fit", "coherent-csi-2021"], "parameters.flux_norm.value = inf")


SCAN_AXIS = ScanAxis("sin2_theta_w", 0.2, 0.3, 3)


def _scan_table(chi2_of_second: float | None, converged: bool) -> ScanTable:
    chi2 = [3.0, chi2_of_second, 4.0]
    records = [
        {"index": i, "chi2": c, "converged": converged or i != 1, "profiled": {}}
        for i, c in enumerate(chi2)
    ]
    return ScanTable.from_records([SCAN_AXIS], records, {"converged": False})


def _fake_scan(table):
    def run_scan(recipe, axes, **options):
        return table

    return run_scan


def test_scan_refuses_a_converged_point_with_a_non_finite_chi2(monkeypatch, tmp_path):
    import cevns.stats.scan as stats_scan

    monkeypatch.setattr(stats_scan, "run_scan", _fake_scan(_scan_table(math.nan, True)))
    arguments = ["scan", "coherent-csi-2021", "--param", "sin2_theta_w=0.2:0.3:3",
                 "--workers", 1, "--output", tmp_path / "scan.jsonl"]  # fmt: skip
    assert_refused(arguments, "chi2 = nan")


def test_scan_reports_a_point_that_did_not_converge_as_absent(monkeypatch, tmp_path):
    import cevns.stats.scan as stats_scan

    monkeypatch.setattr(stats_scan, "run_scan", _fake_scan(_scan_table(None, False)))
    arguments = ["scan", "coherent-csi-2021", "--param", "sin2_theta_w=0.2:0.3:3",
                 "--workers", 1, "--output", tmp_path / "scan.jsonl"]  # fmt: skip
    code, stdout, stderr = invoke(*arguments, "--json")
    assert code == 0, stderr
    report = json.loads(stdout)
    assert report["rows"][1]["chi2"] is None and report["rows"][1]["delta_chi2"] is None
    assert report["not_converged"] == 1
    code, stdout, stderr = invoke(*arguments)
    assert code == 0, stderr
    assert "nan" not in stdout
    point = next(line for line in stdout.splitlines() if " 0.25 " in line)
    assert "—" in point and point.rstrip(" │").endswith("no")


MASS_AXIS = ScanAxis("zprime_mass", 10.0, 1000.0, 2, log=True)


def _limit_table(limit: float | None, bracketed: bool) -> LimitTable:
    records = [
        {"index": 0, "limit": 1e-4, "best_coupling": 0.0, "delta_chi2_null": 0.0,
         "converged": True, "bracketed": True, "allowed_intervals": [[0.0, 1e-4]]},
        {"index": 1, "limit": limit, "best_coupling": 0.0, "delta_chi2_null": 0.0,
         "converged": True, "bracketed": bracketed, "allowed_intervals": [[0.0, None]]},
    ]  # fmt: skip
    return LimitTable.from_records(MASS_AXIS, "zprime_bl_g", 0.9, records)


def _fake_limit(table):
    def run_limit(recipe, axis, coupling, **options):
        return table

    return run_limit


def _limit_arguments(tmp_path):
    return ["limit", "coherent-csi-2021", "--mass", "zprime_mass=10:1000:2:log", "--coupling",
            "zprime_bl_g", "--workers", 1, "--output", tmp_path / "limit.jsonl"]  # fmt: skip


def test_limit_refuses_a_limit_found_but_not_finite(monkeypatch, tmp_path):
    import cevns.stats.limits as limits

    monkeypatch.setattr(limits, "run_limit", _fake_limit(_limit_table(math.inf, True)))
    assert_refused(_limit_arguments(tmp_path), "rows[1].limit = inf")


def test_limit_reports_no_limit_in_range_as_absent(monkeypatch, tmp_path):
    import cevns.stats.limits as limits

    monkeypatch.setattr(limits, "run_limit", _fake_limit(_limit_table(None, False)))
    code, stdout, stderr = invoke(*_limit_arguments(tmp_path), "--json")
    assert code == 0, stderr
    row = json.loads(stdout)["rows"][1]
    assert row["limit"] is None and row["allowed_intervals"] == [[0.0, None]]
    code, stdout, stderr = invoke(*_limit_arguments(tmp_path))
    assert code == 0, stderr
    assert "no limit in range" in stdout and "nan" not in stdout


def test_flux_refuses_a_non_finite_flux(monkeypatch):
    import cevns.cli.flux as cli_flux

    original = cli_flux.flux_report

    def broken(*args, **kwargs):
        report, source = original(*args, **kwargs)
        report["flavors"][0]["mean_energy_mev"] = math.nan
        return report, source

    monkeypatch.setattr(cli_flux, "flux_report", broken)
    assert_refused(["flux", "reactor"], "flavors[0].mean_energy_mev = nan")


def test_fog_refuses_a_non_finite_limit_and_reports_no_signal_as_absent(monkeypatch):
    import cevns.cli.fog as cli_fog

    # A 1 GeV WIMP leaves no recoil above 20 keV in argon: no discovery limit (JSON null).
    arguments = ["fog", "Ar", "--masses", "1,10", "--exposures", "1", "--threshold", "20"]
    code, stdout, stderr = invoke(*arguments, "--json")
    assert code == 0, stderr
    masses = json.loads(stdout)["masses"]
    assert masses[0]["discovery_limits"][0]["cross_section_cm2"] is None
    assert masses[1]["discovery_limits"][0]["cross_section_cm2"] > 0
    code, stdout, stderr = invoke(*arguments)
    assert code == 0 and "no signal" in stdout and "inf" not in stdout, stderr

    original = cli_fog.fog_report

    def broken(*args, **kwargs):
        report = original(*args, **kwargs)
        report["masses"][1]["discovery_limits"][0]["cross_section_cm2"] = math.nan
        return report

    monkeypatch.setattr(cli_fog, "fog_report", broken)
    assert_refused(arguments, "masses[1].discovery_limits[0].cross_section_cm2 = nan")


def test_darkmatter_refuses_a_non_finite_prediction(monkeypatch):
    import cevns.beamdump.report as beamdump_report

    original = beamdump_report.darkmatter_report

    def broken(*args, **kwargs):
        report = original(*args, **kwargs)
        report["masses"][0]["events_reference"] = -math.inf
        return report

    monkeypatch.setattr(beamdump_report, "darkmatter_report", broken)
    arguments = ["darkmatter", "--mass", "10", "--no-limits", "--mesons", "2000"]
    assert_refused(arguments, "masses[0].events_reference = -inf")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_print_json_never_writes_null_for_a_number(value, capsys):
    from cevns.cli.output import print_json
    from cevns.errors import CevnsInputError

    with pytest.raises(CevnsInputError, match=r"non-finite result \(a\.b\[1\] = "):
        print_json({"a": {"b": [1.0, value]}, "c": None})
    assert capsys.readouterr().out == ""
