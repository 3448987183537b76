"""`cevns darkmatter` through the command line."""

import json

import pytest
from typer.testing import CliRunner

from cevns.beamdump.mesons import ETA_PER_POT, PI0_PER_POT, PI_MINUS_RADIATIVE_CAPTURES_PER_POT
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
    # the defaults are the cited yields, each with its source; no comparison without limits
    yields = report["yields_per_pot"]
    assert (yields["pi0"], yields["eta"], yields["pi_minus_radiative_captures"]) == (
        PI0_PER_POT, ETA_PER_POT, PI_MINUS_RADIATIVE_CAPTURES_PER_POT,
    )  # fmt: skip
    assert "BdNMC" in yields["sources"]["pi0"] and "2205.12414" in yields["sources"]["eta"]
    assert report["published"] == {}


def test_user_yield_is_labelled_and_scales_the_events():
    """--pi0-per-pot 0.18 with the other channels off doubles the events of 0.09."""
    args = ["darkmatter", "--mass", "10", "--no-limits", "--mesons", "20000", "--json",
            "--pi-minus-captures", "0", "--eta-per-pot", "0"]  # fmt: skip
    one, two = (
        json.loads(runner.invoke(app, [*args, "--pi0-per-pot", v]).stdout) for v in ("0.09", "0.18")
    )
    assert two["masses"][0]["events_reference"] == pytest.approx(
        2 * one["masses"][0]["events_reference"], rel=1e-9
    )
    assert two["yields_per_pot"]["sources"]["pi0"] == "user input"
    assert two["yields_per_pot"]["sources"]["pi_minus_radiative_captures"] == "user input"
    assert two["yields_per_pot"]["sources"]["eta"] == "user input"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--ratio", "1.5"], "--ratio = 1.5"),
        (["--mass", "300"], "beyond the mesons' reach"),
        (["--mass", "300", "--off-shell", "--ratio", "1"], "beyond the mesons' reach"),
        (["--coupling", "-1"], "--coupling must be a non-negative finite number"),
        (["--portal", "leptophobic", "--coupling", "-1e-6"], "--coupling must be a non-negative"),
        (["--alpha-d", "-0.5"], "--alpha-d must be a non-negative finite number"),
        (["--pi-minus-captures", "-0.1"], "--pi-minus-captures must be a non-negative"),
        (["--pi0-per-pot", "nan"], "--pi0-per-pot must be a finite number"),
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


def test_limits_json_carries_the_published_values(shared_data_dir):
    """The event limit and the Y limit at 10 MeV next to COHERENT's, with their sources
    (tolerances: 30 % on the event limit, the issue's; a factor 2 on Y)."""
    result = runner.invoke(
        app,
        ["darkmatter", "--mass", "10", "--mesons", "50000", "--data", str(shared_data_dir),
         "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    row = report["masses"][0]
    assert row["published_event_limit"] == 27.0
    assert row["event_limit_feldman_cousins"] == pytest.approx(27.0, rel=0.3)
    published = report["published"]
    assert published["event_limits"]["reference"].startswith("arXiv:2110.11453")
    block = published["y_limit"]
    assert "2110.11453" in block["reference"] and "purple solid.csv" in block["data"]
    (entry,) = block["comparisons"]
    assert entry["ours"] == pytest.approx(row["y_limit"])
    assert entry["published"] == pytest.approx(3.40e-11, rel=0.01)  # the curve at 10 MeV
    assert 0.5 < entry["ratio"] < 2.0
