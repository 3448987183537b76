"""mypy reports no error on ``src/cevns`` (configuration: ``[tool.mypy]`` in pyproject.toml).

mypy is in the test extras, so the README's test command runs this check; it is skipped
only where mypy is not installed. On a clean checkout mypy takes about 16 s (20 s on a
loaded machine); its cache, ``.mypy_cache``, makes reruns take about 1 s.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_reports_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    api = pytest.importorskip("mypy.api", reason="mypy is not installed (pip install '.[test]')")
    monkeypatch.chdir(ROOT)
    stdout, stderr, status = api.run(["--config-file", "pyproject.toml"])
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    assert status == 0 and not errors, f"mypy: {len(errors)} errors\n{stdout}{stderr}"
