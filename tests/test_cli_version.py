"""One version, in ``cevns.__version__``: the installed metadata and ``cevns --version``."""

from importlib.metadata import version

from typer.testing import CliRunner

import cevns
from cevns.cli.app import app


def test_version_has_one_source():
    assert version("cevns") == cevns.__version__
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"cevns {cevns.__version__}"


def test_a_malformed_unit_scale_is_one_line_even_with_help():
    """The audit's case: any malformed CEVNS_UNIT_SCALE gave a traceback, even with --help."""
    import os
    import subprocess
    import sys

    for setting, named in (("garbage", "'garbage'"), ("MeV=abc", "'abc'"), ("cm=-1", "'-1'")):
        environment = {**os.environ, "CEVNS_UNIT_SCALE": setting}
        result = subprocess.run(
            [sys.executable, "-c", "from cevns.cli.entry import main; main()", "--help"],
            env=environment, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: CEVNS_UNIT_SCALE"), result.stderr
        assert named in lines[0] and "Traceback" not in result.stderr
