"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """The folder holding the public COHERENT releases; skip the test when it is absent.

    ``CEVNS_DATA_DIR`` if set, else ``../shared/data`` next to the project root.
    """
    from_environment = os.environ.get("CEVNS_DATA_DIR", "").strip()
    if from_environment:
        directory = Path(from_environment).expanduser()
    else:
        directory = Path(__file__).resolve().parents[2] / "shared" / "data"
    if not directory.is_dir():
        pytest.skip(f"public COHERENT data not found at {directory} (set CEVNS_DATA_DIR)")
    return directory


@pytest.fixture(scope="session")
def run_probe():
    """Run Python ``code`` that prints one JSON document in a fresh interpreter.

    ``run_probe(code, scale)`` sets ``CEVNS_UNIT_SCALE`` to ``scale`` (None: the default
    units), so that tests can compare results under different internal unit scales.
    """
    import json
    import subprocess
    import sys

    def run(code: str, scale: str | None = None) -> dict:
        environment = dict(os.environ)
        environment.pop("CEVNS_UNIT_SCALE", None)
        if scale:
            environment["CEVNS_UNIT_SCALE"] = scale
        result = subprocess.run(
            [sys.executable, "-c", code],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(result.stdout)

    return run
