"""`cevns darkmatter` through the command line."""

import json

import pytest
from typer.testing import CliRunner

from cevns.cli.app import app

runner = CliRunner()


def test_prediction_only_json():
    result = runner.invoke(
        app, ["darkmatter", "--mass", "10", "--no-limits", "--mesons", "20000", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    row = report["masses"][0]
    assert row["m_v_mev"] == pytest.approx(30.0)
    assert row["events_reference"] > 0
    assert report["yields_per_pot"]["eta_is_placeholder"] is True


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--ratio", "1.5"], "--ratio = 1.5"),
        (["--mass", "300"], "beyond the mesons' reach"),
        (["--coupling", "-1"], "--coupling must be a non-negative finite number"),
        (["--alpha-d", "-0.5"], "--alpha-d must be a non-negative finite number"),
        (["--mass", "ten"], "--mass must be"),
        (["--portal", "axial"], "portal"),
        (["--mass", "50", "--eta-per-pot", "0"], "must be below 135.0 MeV"),
    ],
)
def test_bad_input_is_one_line(arguments, message):
    result = runner.invoke(app, ["darkmatter", "--no-limits", "--mesons", "2000", *arguments])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_limits_json(shared_data_dir):
    result = runner.invoke(
        app,
        ["darkmatter", "--mass", "10", "--mesons", "50000", "--data", str(shared_data_dir),
         "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)["masses"][0]
    assert row["published_event_limit"] == 27.0
    assert row["event_limit_feldman_cousins"] == pytest.approx(27.0, rel=0.3)
    assert 1e-12 < row["y_limit"] < 1e-9
