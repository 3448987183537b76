"""The ``cevns flux`` command (registered on a local Typer app)."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from cevns.cli import flux as flux_command

app = typer.Typer()


@app.callback()
def _root() -> None:
    """Test application."""


flux_command.register(app)
runner = CliRunner()


def _json(*args: str) -> dict:
    result = runner.invoke(app, ["flux", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_sns_json_report():
    report = _json("sns-fts")
    assert report["kind"] == "accelerator" and report["distance_m"] == 20.0
    rows = {r["flavor"]: r for r in report["flavors"]}
    assert set(rows) == {"nu_mu", "nu_e", "nu_mu_bar"}
    # 1.4 MW / 1.01 GeV × 0.09 (the yield model at 1.01 GeV) / (4π (20 m)²)
    assert rows["nu_e"]["flux"] == pytest.approx(1.4596e7 * 0.09 / 0.0848, rel=1e-3)
    assert rows["nu_mu"]["mean_energy_mev"] == pytest.approx(29.79, abs=0.005)
    assert rows["nu_e"]["endpoint_mev"] == pytest.approx(52.83, abs=0.005)
    assert rows["nu_e"]["fraction_before_1us"] == pytest.approx(0.3566, abs=1e-4)
    assert rows["nu_mu"]["fraction_before_1us"] == pytest.approx(1.0, abs=1e-8)
    assert report["total_flux"] == pytest.approx(3 * rows["nu_e"]["flux"])
    grid = report["time_density"]
    assert len(grid["time_us"]) == len(grid["nu_e"]) == 20
    assert report["duty_factor"] == pytest.approx(2.12e-5, rel=1e-2)


def test_distance_scaling_and_table_output():
    near = _json("sns-sts", "--distance", "10")
    far = _json("sns-sts", "--distance", "20")
    assert near["total_flux"] == pytest.approx(4 * far["total_flux"])
    result = runner.invoke(app, ["flux", "sns-fts"])
    assert result.exit_code == 0
    assert "fraction < 1 µs" in result.stdout and "duty factor" in result.stdout


def test_extrapolated_yield_is_flagged():
    report = _json("ess")
    assert report["yield_extrapolated"] is True
    result = runner.invoke(app, ["flux", "ess"])
    assert "extrapolated beyond 1.3 GeV" in result.stdout


def test_reactor_and_supernova():
    reactor = _json("reactor", "--power", "3")
    assert reactor["flavors"][0]["flavor"] == "nu_e_bar"
    assert reactor["flavors"][0]["endpoint_mev"] == pytest.approx(8.0)
    assert reactor["fissions_per_second"] == pytest.approx(9.10e19, rel=2e-3)
    assert _json("reactor", "--power", "1.5")["total_flux"] == pytest.approx(
        reactor["total_flux"] / 2
    )
    supernova = _json("supernova")
    assert supernova["distance_kpc"] == pytest.approx(10.0)
    assert supernova["quantity"].startswith("fluence")
    assert len(supernova["flavors"]) == 6
    assert "time_density" not in supernova


def test_tabulated_file(tmp_path):
    path = tmp_path / "spectrum.txt"
    path.write_text("# columns: energy_MeV nu_e_bar\n0 0\n1 2\n4 0\n")
    report = _json(str(path), "--distance", "1")
    assert report["kind"] == "tabulated"
    # 4 ν̄ per second over 4π (100 cm)²
    assert report["flavors"][0]["flux"] == pytest.approx(4 / (4 * 3.141592653589793 * 1e4))


def test_plot_option(tmp_path):
    target = tmp_path / "sns.png"
    report = _json("sns-fts", "--plot", str(target))
    assert report["plot"] == str(target)
    assert target.stat().st_size > 10_000
    reactor_png = tmp_path / "reactor.png"
    _json("reactor", "--plot", str(reactor_png))
    assert reactor_png.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sns-ft"], "unknown source"),
        (["sns-fts", "--distance", "-20"], "--distance must be a positive"),
        (["reactor", "--power", "-1"], "--power must be a positive"),
        (["sns-fts", "--power", "1"], "--power applies to the reactor source only"),
    ],
)
def test_bad_input_is_a_one_line_error(args, message):
    result = runner.invoke(app, ["flux", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


def test_unknown_facility_suggests_close_match():
    result = runner.invoke(app, ["flux", "sns-ft"])
    assert "did you mean" in result.stderr and "sns-fts" in result.stderr


def test_malformed_file_is_reported(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("# columns: energy_MeV nu_e\n1 2\n0 x\n")
    result = runner.invoke(app, ["flux", str(path)])
    assert result.exit_code == 2
    assert "expected numbers" in result.stderr
