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
