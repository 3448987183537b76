"""Reading the numeric tables a detector-response spec names (quenching and efficiency
tables): whitespace- or comma-separated columns, ``#`` comments."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from cevns.errors import CevnsInputError


def resolve_table_path(path: Path, base_dir: Path | None) -> Path:
    """``path`` as given when absolute or without a ``base_dir``, else below ``base_dir``."""
    return path if path.is_absolute() or base_dir is None else Path(base_dir) / path


_SEPARATOR = re.compile(r"[\s,]+")


def read_columns(path: str | Path, columns: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """Read the given 0-based ``columns`` of a whitespace- or comma-separated numeric table.

    ``#`` starts a comment; blank lines are skipped. Raises :class:`CevnsInputError` naming
    the file and line for a missing column or a value that is not a finite number.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CevnsInputError(f"cannot read table {str(file)!r}: {error}") from None
    rows: list[list[float]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        fields = [f for f in _SEPARATOR.split(content) if f]
        if max(columns) >= len(fields):
            raise CevnsInputError(
                f"{file}:{number}: needs column {max(columns)} (0-based) but has {len(fields)}"
            )
        try:
            values = [float(fields[c]) for c in columns]
        except ValueError:
            raise CevnsInputError(f"{file}:{number}: not a number in {content!r}") from None
        if not all(math.isfinite(v) for v in values):
            raise CevnsInputError(f"{file}:{number}: values must be finite; got {content!r}")
        rows.append(values)
    if not rows:
        raise CevnsInputError(f"table {str(file)!r} has no data rows")
    table = np.array(rows)
    return tuple(table[:, i] for i in range(len(columns)))


__all__ = ["read_columns", "resolve_table_path"]
