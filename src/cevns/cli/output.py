"""Shared output conventions of the ``cevns`` command: JSON or a readable table.

Every command takes ``--json``; with it, the command prints one JSON document on standard
output and nothing else. Without it, it prints rich tables. Bad input is reported as one
line, ``error: <message>``, on standard error with exit code 2.

Tables (:mod:`cevns.cli.tables`, re-exported here) stay readable at 80 columns: names
whole, numbers right-aligned and never broken, text left-aligned and wrapped.

Results are never printed with a NaN or an infinity in them: :func:`print_json` and
:func:`require_finite_report` refuse such a document in one line naming the quantity
(exit code 2), instead of printing ``nan`` or turning it silently into JSON ``null``.
Commands that print a value that is legitimately absent (a limit not reached on the grid,
a point whose fit did not converge) write ``None`` for it. Slow commands show a spinner on
standard error while they work (:func:`working`), only on a terminal and never with
``--json``.
"""

from __future__ import annotations

import functools
import json
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import typer
from rich.console import Console
from rich.markup import escape

from cevns.cli.tables import console_width as console_width
from cevns.cli.tables import format_cell as format_cell
from cevns.cli.tables import print_table as print_table
from cevns.cli.tables import print_text as print_text
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


def print_json(document: dict[str, Any], what: str = "the command") -> None:
    """Print ``document`` as indented JSON on standard output; refuse (one line naming the
    key) a document holding NaN or ±inf, which JSON cannot hold."""
    require_finite_report(document, what)
    sys.stdout.write(json.dumps(to_builtin(document), indent=2) + "\n")


def working(message: str, enabled: bool = True) -> AbstractContextManager[Any]:
    """A spinner with ``message`` on standard error while a slow command works; nothing
    when ``enabled`` is False (``--json``) or standard error is not a terminal."""
    console = Console(stderr=True)
    if not (enabled and console.is_terminal):
        return nullcontext()
    return console.status(escape(message), spinner="dots")


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


#: Figure formats ``--plot`` accepts (matplotlib's, by file extension).
PLOT_FORMATS = ("png", "pdf", "svg", "svgz", "eps", "ps", "jpg", "jpeg", "tif", "tiff", "webp")

#: Longest name echoed back whole in an error message (longer ones are cut).
MAX_ECHOED = 60


def shorten(text: str, limit: int = MAX_ECHOED) -> str:
    """``text``, or its first ``limit`` characters and the length, if it is longer."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def shorten_path(path: Path | str, limit: int = 160) -> str:
    """A path as given, or its last ``limit`` characters (the file's name) if longer."""
    text = str(path)
    return text if len(text) <= limit else f"…{text[-limit:]}"


def _check_folder(option: str, path: Path) -> None:
    parent = path.parent
    if not parent.is_dir():
        raise CevnsInputError(
            f"{option} {shorten_path(path)}: the folder {shorten_path(parent)} does not exist; "
            "create it or choose another path"
        )
    if not os.access(parent, os.W_OK):
        raise CevnsInputError(f"{option} {shorten_path(path)}: the folder is not writable")


def check_plot_path(path: Path | None, option: str = "--plot") -> None:
    """Refuse, before any work, a figure path that cannot be written (None passes): a
    folder, a missing or read-only parent folder, an extension that is not a format."""
    if path is None:
        return
    if path.is_dir():
        raise CevnsInputError(
            f"{option} {shorten_path(path)} is a folder; give a file name such as "
            f"{shorten_path(path / 'figure.png')}"
        )
    extension = path.suffix.lower().lstrip(".")
    if extension not in PLOT_FORMATS:
        raise CevnsInputError(
            f"{option} {shorten_path(path)}: unknown figure format {extension or '(none)'!r}; "
            f"allowed extensions: {', '.join(PLOT_FORMATS)}"
        )
    _check_folder(option, path)


def check_output_path(path: Path, option: str = "--output") -> None:
    """Refuse, before any work, a results file that cannot be written: a folder, a missing
    or read-only parent folder, an existing file that is not writable."""
    if path.is_dir():
        raise CevnsInputError(
            f"{option} {shorten_path(path)} is a folder; give a file name such as "
            f"{shorten_path(path / 'scan.jsonl')}"
        )
    _check_folder(option, path)
    if path.exists() and not os.access(path, os.W_OK):
        raise CevnsInputError(f"{option} {shorten_path(path)}: the file is not writable")


def check_data_dir(path: Path | None, option: str = "--data") -> None:
    """Refuse a ``--data`` that is not an existing folder (None passes)."""
    if path is not None and not path.is_dir():
        raise CevnsInputError(
            f"{option} {shorten_path(path)}: no such folder (the folder holding the release "
            "folders, such as coherent-csi-2021/)"
        )


def check_distinct(option: str, names: Sequence[str]) -> None:
    """Refuse an experiment given twice in a joint likelihood (its data would count twice)."""
    seen: set[str] = set()
    for name in names:
        key = str(Path(name).resolve()) if name.endswith(".toml") else name
        if key in seen:
            raise CevnsInputError(
                f"{option}: {shorten_path(name)} is given twice; a joint fit counts each data "
                "set once"
            )
        seen.add(key)


def check_name_length(option: str, names: Sequence[str], limit: int = 100) -> None:
    """Refuse a parameter name longer than ``limit`` characters (none is), in one line."""
    for name in names:
        if len(name) > limit:
            raise CevnsInputError(
                f"{option}: a parameter name of {len(name)} characters ({shorten(name)}); "
                "`cevns models` and the documents name every parameter"
            )


def require_finite_report(report: Any, what: str) -> None:
    """Refuse a result holding NaN or ±inf (named by its key) rather than print it."""
    for key, value in _numbers(report, ""):
        if not math.isfinite(value):
            raise CevnsInputError(
                f"{what} gives a non-finite result ({key.lstrip('.')} = {value}); the input is "
                "outside the range where cevns computes reliably"
            )


def _numbers(value: Any, key: str) -> Iterator[tuple[str, float]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _numbers(v, f"{key}.{k}")
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from _numbers(v, f"{key}[{i}]")
    elif isinstance(value, np.ndarray):
        yield from _numbers(value.tolist(), key)
    elif isinstance(value, float | np.floating):
        yield key, float(value)


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
