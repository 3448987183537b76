"""``cevns models``: the new-physics parameters that fits and scans accept."""

from __future__ import annotations

from typing import Annotated

import typer

from cevns.cli.output import print_json, print_table, reports_input_errors


def register(app: typer.Typer) -> None:
    """Add the ``models`` command to ``app``."""

    @app.command("models")
    @reports_input_errors
    def models(
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """List new-physics parameters with their Standard-Model values and units (with
        --json also their figure labels, LaTeX as matplotlib's mathtext reads it)."""
        from cevns.interactions.models import PARAMETERS

        rows = [
            {
                "name": p.name,
                "default": p.default,
                "unit": p.unit,
                "description": p.description,
                "label": p.axis_label,  # symbol and unit as figure text (mathtext)
            }
            for p in PARAMETERS.values()
        ]
        if as_json:
            print_json({"parameters": rows})
            return
        print_table(
            "New-physics parameters (use with cevns fit --free, cevns scan --param)",
            ["parameter", "SM value", "unit", "meaning"],
            [[r["name"], r["default"], r["unit"], r["description"]] for r in rows],
        )
