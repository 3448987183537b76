"""The ``cevns`` console script: imports the application, refusing a malformed
``CEVNS_UNIT_SCALE`` in one line (exit code 2) instead of a traceback."""

from __future__ import annotations

import sys

from cevns.unit_scale import UnitScaleError


def main() -> None:
    """Entry point of the ``cevns`` console script."""
    try:
        from cevns.cli.app import app
    except UnitScaleError as error:
        print(f"error: {error} (unset it, or fix it and run again)", file=sys.stderr)
        raise SystemExit(2) from None
    app()
