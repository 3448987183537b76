"""The ``cevns`` command: one Typer application, one module per sub-command."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from typer._click.exceptions import UsageError  # the Click copy Typer raises from
from typer.core import TyperGroup

from cevns.cli import (
    darkmatter,
    experiments,
    fit,
    flux,
    fog,
    models,
    nuclei,
    predict,
    scan,
    schema,
    xsec,
)


class _OneLineUsageErrors(TyperGroup):
    """The command group: a usage error of a command (a value that is not a number, a
    missing or unknown option) is one line, ``error: ...``, exit code 2, like bad input."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as error:  # Typer's own copy of Click's
            message = " ".join(error.format_message().split())
            command = error.ctx.command_path if error.ctx is not None else "cevns"
            sys.stderr.write(f"error: {message} (see {command} --help)\n")
            raise typer.Exit(2) from None


app = typer.Typer(
    name="cevns",
    cls=_OneLineUsageErrors,
    help="Coherent elastic neutrino-nucleus scattering: cross sections, fluxes, predictions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from cevns import __version__

        typer.echo(f"cevns {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_print_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Coherent elastic neutrino-nucleus scattering: cross sections, fluxes, predictions."""


_COMMANDS = (xsec, nuclei, predict, experiments, flux, fit, models, scan, schema, fog, darkmatter)
for _command_module in _COMMANDS:
    _command_module.register(app)
