"""The ``cevns`` command: one Typer application, one module per sub-command."""

from __future__ import annotations

from typing import Annotated

import typer

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

app = typer.Typer(
    name="cevns",
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
