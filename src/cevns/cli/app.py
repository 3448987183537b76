"""The ``cevns`` command: one Typer application, one module per sub-command."""

from __future__ import annotations

import inspect
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


def _tidy_help(command: Any, ctx: Any) -> None:
    """``--help`` of ``command`` and its sub-commands (``cevns experiment show``): a flag
    (``--json``, ``--help``) takes no value, so no type (``<bool>``) is shown for it; a
    docstring's line breaks inside a paragraph are spaces, so the list of commands wraps
    at the terminal's width and not where the source line ended."""
    for param in command.get_params(ctx):
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    if command.help:
        paragraphs = inspect.cleandoc(command.help).split("\n\n")
        command.help = "\n\n".join(" ".join(p.split()) for p in paragraphs)
    for subcommand in getattr(command, "commands", {}).values():
        _tidy_help(subcommand, ctx)


class _OneLineUsageErrors(TyperGroup):
    """The command group: a usage error of a command (a value that is not a number, a
    missing or unknown option) is one line, ``error: ...``, exit code 2, like bad input.
    Its help and its commands' help show no ``<bool>`` type after flags."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        return params

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _tidy_help(command, ctx)
        return command

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
