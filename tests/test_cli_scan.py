"""`cevns scan` and `cevns limit` on the real CsI 2021 likelihood (skipped without the data)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import cevns.cli.scan as cli_scan
import cevns.stats.scan as stats_scan
from cevns.cli.app import app

runner = CliRunner()
CSI = "coherent-csi-2021"


def invoke(*arguments: str):
    return runner.invoke(app, [str(a) for a in arguments])


def scan_json(data, tmp_path, *arguments: str, name: str = "scan.jsonl") -> dict:
    result = invoke(
        "scan",
        CSI,
        "--data",
        data,
        "--output",
        tmp_path / name,
        "--workers",
        1,
        "--json",
        *arguments,
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_signal_scale_interval_matches_the_minos_errors_of_cevns_fit(shared_data_dir, tmp_path):
    report = scan_json(shared_data_dir, tmp_path, "--param", "csi_cevns_scale=0.5:1.3:33")
    assert report["points"] == 33 and report["not_converged"] == 0
    assert len(report["rows"]) == 33
    assert set(report["rows"][0]) == {"csi_cevns_scale", "chi2", "delta_chi2", "converged"}
    assert report["signal_scales_held"] is False
    fitted = invoke("fit", CSI, "--data", shared_data_dir, "--json")
    scale = json.loads(fitted.stdout)["experiments"][0]["signal_scale"]
    one_sigma = next(i for i in report["intervals"] if i["confidence_level"] == 0.6827)
    [(low, high)] = one_sigma["segments"]
    # The 1D profile-likelihood interval is what MINOS computes (grid step 0.025).
    assert low == pytest.approx(scale["value"] - scale["error_low"], abs=0.003)
    assert high == pytest.approx(scale["value"] + scale["error_high"], abs=0.003)
    assert report["global_fit"]["values"]["csi_cevns_scale"] == pytest.approx(
        scale["value"], abs=1e-3
    )


def test_weak_mixing_angle_scan_in_one_and_two_dimensions(shared_data_dir, tmp_path):
    curve = tmp_path / "curve.png"
    report = scan_json(
        shared_data_dir, tmp_path, "--param", "sin2_theta_w=0.1:0.4:16", "--plot", curve
    )
    assert curve.stat().st_size > 10_000
    assert report["model_parameters"] == {"sin2_theta_w": 0.23868}
    assert report["signal_scales_held"] is True  # the model sets the CEvNS normalisation
    best = report["global_fit"]["values"]["sin2_theta_w"]
    assert 0.18 < best < 0.26
    [(low, high)] = next(i for i in report["intervals"] if i["confidence_level"] == 0.9)["segments"]
    assert low < best < high and high - low < 0.15

    figure = tmp_path / "regions.png"
    result = invoke(
        "scan",
        CSI,
        "--data",
        shared_data_dir,
        "--output",
        tmp_path / "2d.jsonl",
        "--workers",
        1,
        "--param",
        "sin2_theta_w=0.1:0.4:7",
        "--param",
        "flux_norm=0.7:1.3:5",
        "--plot",
        figure,
    )
    assert result.exit_code == 0, result.output
    for text in (
        "Profile-likelihood scan of coherent-csi-2021",
        "Intervals (1D profile, Wilks)",
        "Regions (2D, Wilks)",
        "Points",
        "35 points (0 not converged)",
    ):
        assert text in result.stdout
    assert figure.stat().st_size > 10_000


def test_default_output_file_resume_and_its_refusals(shared_data_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    arguments = [
        "scan",
        CSI,
        "--data",
        shared_data_dir,
        "--workers",
        1,
        "--json",
        "--param",
        "csi_cevns_scale=0.6:1.2:7",
    ]
    first = invoke(*arguments)
    assert first.exit_code == 0, first.output
    default = tmp_path / "scan-coherent-csi-2021-csi_cevns_scale.jsonl"
    assert json.loads(first.stdout)["output"] == default.name and default.exists()

    again = invoke(*arguments)
    assert again.exit_code == 2
    assert again.stderr.startswith("error: output file scan-coherent-csi-2021-csi_cevns_scale")
    assert "continue it with --resume" in again.stderr

    resumed = invoke(*arguments, "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert json.loads(resumed.stdout)["rows"] == json.loads(first.stdout)["rows"]

    other = invoke(*arguments[:-1], "csi_cevns_scale=0.6:1.2:9", "--output", default, "--resume")
    assert other.exit_code == 2 and "holds a different scan (axes: file" in other.stderr


def test_an_interrupted_scan_says_what_is_saved_and_resumes(shared_data_dir, tmp_path, monkeypatch):
    real_run_scan = stats_scan.run_scan

    def interrupted_run_scan(*args, **kwargs):
        def stop(chunks_done: int) -> None:
            if chunks_done == 2:
                raise KeyboardInterrupt

        return real_run_scan(*args, **kwargs, chunk_size=3, on_chunk=stop)

    monkeypatch.setattr(stats_scan, "run_scan", interrupted_run_scan)
    path = tmp_path / "cut.jsonl"
    arguments = [
        "scan",
        CSI,
        "--data",
        shared_data_dir,
        "--workers",
        1,
        "--output",
        path,
        "--param",
        "csi_cevns_scale=0.6:1.2:13",
    ]
    result = invoke(*arguments)
    assert result.exit_code == 130
    assert result.stderr == (
        f"interrupted: 6 of 13 points are saved in {path}; continue with --resume\n"
    )
    monkeypatch.setattr(
        stats_scan, "run_scan", lambda *a, **k: real_run_scan(*a, **k, chunk_size=3)
    )
    resumed = invoke(*arguments, "--resume", "--json")
    assert resumed.exit_code == 0, resumed.output
    whole = scan_json(
        shared_data_dir, tmp_path, "--param", "csi_cevns_scale=0.6:1.2:13", name="whole.jsonl"
    )
    # The default chunking (2 points) differs from the interrupted run's (3), so the warm
    # starts differ: the same χ² to the minimiser's precision.
    np.testing.assert_allclose(
        [r["chi2"] for r in json.loads(resumed.stdout)["rows"]],
        [r["chi2"] for r in whole["rows"]],
        atol=1e-3,
    )


def test_vector_mediator_limit_against_its_mass(shared_data_dir, tmp_path):
    figure = tmp_path / "limit.png"
    result = invoke(
        "limit",
        CSI,
        "--data",
        shared_data_dir,
        "--mass",
        "zprime_mass=2500:10000:3",
        "--coupling",
        "zprime_bl_g",
        "--workers",
        1,
        "--output",
        tmp_path / "limit.jsonl",
        "--plot",
        figure,
        "--json",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["coupling"] == "zprime_bl_g" and report["delta_chi2_threshold"] == (
        pytest.approx(2.7055, abs=1e-4)
    )
    assert report["signal_scales_held"] is True
    limits = np.array([row["limit"] for row in report["rows"]])
    masses = np.array([row["zprime_mass"] for row in report["rows"]])
    assert np.all(limits > 0) and all(row["converged"] for row in report["rows"])
    # A heavy mediator acts as a contact interaction, g²/M² fixed: the limit grows as M.
    np.testing.assert_allclose(limits / masses, limits[-1] / masses[-1], rtol=0.05)
    assert figure.stat().st_size > 10_000

    table = invoke(
        "limit",
        CSI,
        "--data",
        shared_data_dir,
        "--mass",
        "zprime_mass=2500:10000:3",
        "--coupling",
        "zprime_bl_g",
        "--workers",
        1,
        "--output",
        tmp_path / "limit.jsonl",
        "--resume",
    )
    assert table.exit_code == 0, table.output
    assert "Upper limits on zprime_bl_g (90 % CL, one-sided, Δχ² = 2.706)" in table.stdout


def test_scan_on_a_dask_cluster_equals_the_local_scan(shared_data_dir, tmp_path):
    distributed = pytest.importorskip("distributed")
    local = scan_json(shared_data_dir, tmp_path, "--param", "flux_norm=0.8:1.2:4")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        result = invoke(
            "scan",
            CSI,
            "--data",
            shared_data_dir,
            "--param",
            "flux_norm=0.8:1.2:4",
            "--output",
            tmp_path / "dask.jsonl",
            "--scheduler",
            cluster.scheduler_address,
            "--json",
        )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == local["rows"]


def test_bad_input_is_one_line_with_exit_code_2(shared_data_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(cli_scan, "SCHEDULER_TIMEOUT", "0.5s")
    data = ["--data", shared_data_dir, "--output", tmp_path / "x.jsonl", "--workers", 1]
    cases = {
        ("scan", CSI, *data, "--param", "csi_cevns_scale"): (
            "error: --param must be NAME=LO:HI:N or NAME=LO:HI:N:log (e.g. flux_norm=0.5:1.5:41); got 'csi_cevns_scale'"
        ),
        ("scan", CSI, *data, "--param", "csi_cevns_scale=1:0:5"): (
            "error: --param csi_cevns_scale: LO and HI must be finite numbers with LO < HI"
        ),
        ("scan", CSI, *data, "--param", "nope=0:1:3"): "error: unknown --param parameter 'nope'",
        ("scan", CSI, *data, *["--param", "flux_norm=0.9:1.1:3"] * 3): (
            "error: --param must be given once or twice; got 3"
        ),
        ("scan", CSI, *data, "--param", "flux_norm=0:1:3"): (
            "error: --param flux_norm: the range 0:1 leaves the parameter's allowed range"
        ),
        ("scan", "coherent-ge-mini", *data, "--param", "flux_norm=0.9:1.1:3"): (
            "error: coherent-ge-mini: the document has no [analysis] table"
        ),
        ("scan", CSI, *data[:-1], "0", "--param", "flux_norm=0.9:1.1:3"): (
            "error: --workers must be between 1 and 256; got 0"
        ),
        ("scan", CSI, *data, "--param", "flux_norm=0.9:1.1:3", "--fix", "flux"): (
            "error: --fix must be NAME=VALUE"
        ),
        (
            "limit",
            CSI,
            *data,
            "--mass",
            "zprime_mass=1:10:3",
            "--coupling",
            "zprime_bl_g",
            "--cl",
            "1.5",
        ): "error: --cl (confidence level) must be between 0 and 1; got 1.5",
        ("limit", CSI, *data, "--mass", "zprime_mass=1:10:3", "--coupling", "nope"): (
            "error: --coupling nope is not a coupling of zprime_mass"
        ),
        (
            "scan",
            CSI,
            *data,
            "--param",
            "flux_norm=0.9:1.1:3",
            "--scheduler",
            "tcp://127.0.0.1:9",
        ): "error: --scheduler: cannot connect to a Dask scheduler",
    }
    for arguments, message in cases.items():
        result = invoke(*arguments)
        assert result.exit_code == 2, (arguments, result.output)
        assert result.stderr.startswith(message), result.stderr
        assert result.stderr.count("\n") == 1
