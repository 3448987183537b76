"""Readable tables of the ``cevns`` command, at any terminal width down to 80 columns.

:func:`print_table` lays a table out itself before rich draws it:

* the first column holds the names a user types (preset, parameter, isotope names) and is
  never wrapped or cut (a cell of several lines keeps its first line whole);
* a column whose cells read as numbers (``0.93``, ``313.1 ± 32.7``, ``14.6 kg``) is
  right-aligned and its cells are never broken; other columns are left-aligned text that
  wraps at spaces;
* each column gets its natural width if the table fits; otherwise names and numbers keep
  theirs (their headers too, if there is room) and the text columns share the rest (at
  least their longest word, or 12 characters); headers wrap at spaces;
* a table that does not fit boxed is drawn compact (a rule under the header, one space
  between columns); one that does not fit even then folds its widest cells onto more
  lines, never cutting them with an ellipsis;
* the title is printed on its own line, so it wraps at the terminal's width only.

The width is the terminal's, or ``COLUMNS`` when set; output that is not a terminal is
200 columns wide otherwise, so that piped tables keep one line per row.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

#: A cell that reads as a number, a value with errors or a quantity with its unit: "0.93",
#: "313.1 ± 32.7", "172.4 −25.6 +29.8", "-0.138 / +0.161", "82.4/98", "< 0.12", "0–8",
#: "1e-40", "14.6 kg", "3.5 tonne".
_NUMERIC = re.compile(r"^[<>≤≥~]?\s*[-+−]?(\d|\.\d)[\d.,eE+\-−±/–… %]*(\s[^\W\d_]+[²³]?)?$")
#: Placeholders of an absent value, neutral for a column's alignment.
_PLACEHOLDERS = ("—", "-", "")
#: Narrowest width a wrapping text column is squeezed to (unless its text is shorter).
_TEXT_MINIMUM = 12


@dataclass(frozen=True)
class _Column:
    header: str
    numeric: bool
    wraps: bool  # text that wraps (not a number, not a one-line name)
    natural: int  # widest line of the header and the cells
    minimum: int  # narrowest width that breaks no name, number or word


def print_table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    console: Console | None = None,
    *,
    names: bool = True,
) -> None:
    """Print a table with a title, column headers and rows (numbers formatted compactly).

    ``names``: the first column holds names, kept whole on one line (a :class:`Text`
    cell of several lines, a name with a description under it, keeps its first line
    whole and wraps the rest); with False it wraps like other text. Layout in the module
    docstring.
    """
    console = console or table_console()
    cells = [[format_cell(cell) for cell in row] for row in rows]
    plan = [_column(header, [row[i] for row in cells], names and i == 0)
            for i, header in enumerate(columns)]  # fmt: skip
    table = _draw(plan, cells, _widths(plan, console.width))
    console.print(Text(title, style="table.title"))
    console.print(table)


def print_text(text: str, console: Console | None = None) -> None:
    """Print a line of prose (a note, a summary) wrapped at spaces to the table width."""
    (console or table_console()).print(Text(text))


def format_cell(cell: Any) -> Text:
    """One table cell as text (never markup): 4 significant digits for floats, rich Text
    as it is, str() otherwise."""
    if isinstance(cell, Text):
        return cell
    if isinstance(cell, float | np.floating):
        return Text(f"{cell:.4g}")
    return Text(str(cell))


def table_console() -> Console:
    """A console: the terminal's width, or ``COLUMNS`` when set; when output is not a
    terminal and ``COLUMNS`` is unset, 200 columns, so that tables do not wrap."""
    console = Console()
    if console.is_terminal or os.environ.get("COLUMNS", "").strip().isdigit():
        return console
    return Console(width=200)


def console_width() -> int:
    """The width tables are printed at (see :func:`table_console`)."""
    return table_console().width


def _column(header: str, cells: Sequence[Text], name: bool) -> _Column:
    values = [cell.plain for cell in cells]
    lines = [line for value in values for line in value.split("\n")]
    words = [word for line in lines for word in line.split()]
    numeric = _numeric(values)
    natural = max(map(cell_len, [header, *lines]), default=1)
    header_word = max(map(cell_len, header.split()), default=1)
    if numeric:
        kept = max(map(cell_len, lines), default=1)
    elif name:
        kept = max((cell_len(v.split("\n", 1)[0]) for v in values), default=1)
    else:
        kept = max(max(map(cell_len, words), default=1), min(natural, _TEXT_MINIMUM))
    wraps = not numeric and not (name and len(lines) == len(values))
    return _Column(header, numeric, wraps, natural, max(kept, header_word))


def _numeric(values: Sequence[str]) -> bool:
    """True when most cells of a column read as numbers (placeholders aside)."""
    filled = [v.strip() for v in values if v.strip() not in _PLACEHOLDERS]
    numeric = sum(bool(_NUMERIC.match(v)) for v in filled)
    return bool(filled) and 2 * numeric > len(filled)


@dataclass(frozen=True)
class _Layout:
    compact: bool
    widths: list[int] | None  # None: rich's natural widths


def _widths(plan: Sequence[_Column], width: int) -> _Layout:
    """Column widths (without padding) for a terminal ``width`` (module docstring)."""
    count = len(plan)
    boxed = width - (3 * count + 1)  # borders and a space either side of every cell
    compact = width - (count - 1)  # one space between columns
    natural = [c.natural for c in plan]
    minimum = [c.minimum for c in plan]
    if sum(natural) <= boxed:
        return _Layout(False, None)
    wraps = [c.wraps for c in plan]
    if sum(minimum) <= boxed:
        return _Layout(False, _share(minimum, natural, wraps, boxed))
    if sum(minimum) <= compact:
        return _Layout(True, _share(minimum, natural, wraps, compact))
    # Too narrow for whole names and numbers: every column shrinks in proportion.
    return _Layout(True, [max(1, m * max(compact, count) // sum(minimum)) for m in minimum])


def _share(minimum: list[int], natural: list[int], wraps: list[bool], available: int) -> list[int]:
    """Widths from ``minimum`` up towards ``natural``: names and numbers first, then the
    text columns; within each group the room is shared in proportion to what each column
    lacks."""
    widths = list(minimum)
    room = available - sum(minimum)
    for group in (False, True):
        members = [i for i, w in enumerate(wraps) if w is group]
        lacking = {i: natural[i] - widths[i] for i in members}
        total = sum(lacking.values())
        for i in members:
            widths[i] += lacking[i] if total <= room else room * lacking[i] // total
        room -= min(total, room)
    return widths


def _draw(plan: Sequence[_Column], cells: list[list[Text]], layout: _Layout) -> Table:
    table = (
        Table(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 0), pad_edge=False)
        if layout.compact
        else Table()
    )
    for index, column in enumerate(plan):
        table.add_column(
            Text(column.header),
            justify="right" if column.numeric else "left",
            overflow="fold",
            width=None if layout.widths is None else layout.widths[index],
        )
    for row in cells:
        table.add_row(*row)
    return table


__all__ = ["console_width", "format_cell", "print_table", "print_text", "table_console"]
