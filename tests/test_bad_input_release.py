"""A release file with one changed digit: ``cevns predict``, ``fit``, ``scan`` and
``limit`` of the CsI 2021 preset refuse it with one line naming the file, exit code 2
(``predict`` does not read the coincident data, which only the likelihood needs)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cevns.cli.app import app
from test_documents_malformed import assert_one_line_refusal

runner = CliRunner()

RELEASE = "coherent-csi-2021"
COMMANDS = {
    "predict": ["predict", RELEASE],
    "fit": ["fit", RELEASE],
    "scan": ["scan", RELEASE, "--param", "flux_norm=0.8:1.2:3", "--workers", "1"],
    "limit": [
        "limit", RELEASE, "--mass", "zprime_mass=10:1000:2:log", "--coupling", "zprime_bl_g",
        "--workers", "1",
    ],
}  # fmt: skip


def _one_digit_changed(shared_data_dir: Path, data: Path, name: str) -> None:
    """Copy the release under ``data`` with one digit of its file ``name`` changed."""
    shutil.copytree(shared_data_dir / RELEASE, data / RELEASE)
    path = data / RELEASE / name
    text = path.read_text(encoding="utf-8")
    index = max(i for i, c in enumerate(text) if c.isdigit() and c != "0")
    digit = "1" if text[index] != "1" else "2"
    path.write_text(text[:index] + digit + text[index + 1 :], encoding="utf-8")


#: Files each command reads: every command reads the backgrounds (the steady-state one is
#: the anti-coincident data); the likelihoods also read the coincident data.
CASES = [
    (command, name)
    for command in sorted(COMMANDS)
    for name in ("brnPE.txt", "ninTrec.txt", "dataBeamOnAC.txt")
    + (() if command == "predict" else ("dataBeamOnC.txt",))
]


@pytest.mark.data
@pytest.mark.parametrize(("command", "name"), CASES)
def test_a_release_file_with_one_changed_digit_is_refused(
    shared_data_dir: Path, tmp_path: Path, monkeypatch, command: str, name: str
):
    if not (shared_data_dir / RELEASE / name).is_file():
        pytest.skip(f"{RELEASE}/{name} not in {shared_data_dir}")
    data = tmp_path / "data"
    _one_digit_changed(shared_data_dir, data, name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CEVNS_DATA_DIR", str(data))
    result = runner.invoke(app, [*COMMANDS[command], "--data", str(data)])
    assert_one_line_refusal(result, name)
    assert not list(tmp_path.glob("*.jsonl")), "a refused scan wrote results"
