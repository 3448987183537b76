"""Shared output conventions of the ``cevns`` command: JSON or a readable table.

Every command takes ``--json``; with it, the command prints one JSON document on standard
output and nothing else. Without it, it prints rich tables. Bad input is reported as one
line, ``error: <message>``, on standard error with exit code 2.
"""

from __future__ import annotations

import functools
import json
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cevns.errors import CevnsInputError

F = TypeVar("F", bound=Callable[..., Any])

#: Exit code for bad input (same as typer's usage errors).
EXIT_BAD_INPUT = 2


def to_builtin(value: Any) -> Any:
    """Convert numpy scalars and arrays (recursively) to JSON-ready Python objects."""
    if isinstance(value, dict):
        return {str(k): to_builtin(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_builtin(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_builtin(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def print_json(document: dict[str, Any]) -> None:
    """Print ``document`` as indented JSON on standard output."""
    sys.stdout.write(json.dumps(to_builtin(document), indent=2) + "\n")


def print_table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    console: Console | None = None,
) -> None:
    """Print a table with a title, column headers and rows (numbers formatted compactly)."""
    table = Table(title=escape(title), title_justify="left")
    for column in columns:
        table.add_column(escape(column), justify="right" if column != columns[0] else "left")
    for row in rows:
        table.add_row(*(format_cell(cell) for cell in row))
    (console or _console()).print(table)


def _console() -> Console:
    """A console; when output is not a terminal, wide enough that tables do not wrap."""
    console = Console()
    return console if console.is_terminal else Console(width=200)


def format_cell(cell: Any) -> str:
    """Format one table cell: 4 significant digits for floats, str() otherwise."""
    if isinstance(cell, float | np.floating):
        return f"{cell:.4g}"
    return escape(str(cell))


def fail(message: str) -> typer.Exit:
    """Print ``error: message`` on standard error and return the exit to raise."""
    sys.stderr.write(f"error: {message}\n")
    return typer.Exit(EXIT_BAD_INPUT)


def reports_input_errors(command: F) -> F:
    """Decorate a command so that a :class:`CevnsInputError` becomes a one-line error."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CevnsInputError as error:
            raise fail(str(error)) from None

    return wrapper  # type: ignore[return-value]


#: The ``--form-factor`` option of every command that predicts (None: the document's).
FORM_FACTOR_OPTION = typer.Option(
    "--form-factor",
    help="helm, klein-nystrand, symmetrized-fermi or none (default: each document's).",
)


def check_form_factor(form_factor: str | None) -> None:
    """Refuse a ``--form-factor`` that is not a known model (None passes)."""
    if form_factor is not None:
        from cevns.errors import require_choice
        from cevns.nuclear.form_factors import FORM_FACTOR_MODELS

        require_choice("--form-factor", form_factor, FORM_FACTOR_MODELS)


def parse_positive_list(option: str, text: str, unit: str) -> list[float]:
    """``"6,100"`` → [6.0, 100.0]; a one-line error for anything but positive numbers."""
    values = []
    for item in text.split(","):
        try:
            value = float(item)
        except ValueError:
            value = float("nan")
        if not value > 0 or value == float("inf"):
            raise CevnsInputError(
                f"{option} must be comma-separated positive numbers in {unit}; got {item.strip()!r}"
            )
        values.append(value)
    if not values:
        raise CevnsInputError(f"{option} must name at least one value in {unit}")
    return sorted(set(values))
