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
