"""Result files of scans and limits: JSON Lines, written as points finish, resumable.

:class:`ResultFile` is a JSON Lines file: a header line describing the run (compared on
resume), then one object per finished point, flushed and synced as chunks finish; a last
line cut short by a kill is discarded on resume.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from cevns.errors import CevnsInputError
from cevns.stats.likelihood import Likelihood, global_fit

#: The first field of the header line of a result file, and its format version.
FILE_FORMAT = "cevns-scan-points"
FILE_VERSION = 1


def finite_or_none(value: float) -> float | None:
    """``value`` as a float, or None if it is NaN or infinite (JSON has no such numbers)."""
    return float(value) if math.isfinite(value) else None


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float (recursively) replaced by None."""
    if isinstance(value, Mapping):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, float):
        return finite_or_none(value)
    return value


class ResultFile:
    """The JSON Lines file of a scan: a header line, then one object per finished point.

    Opening it for a new scan refuses an existing file unless ``resume`` is true; with
    ``resume`` an existing file must hold the same scan (same ``identity``), its points are
    read, and a last line cut short by a kill is discarded. A missing or empty file with
    ``resume`` starts a new scan.
    """

    def __init__(self, path: str | os.PathLike[str], identity: Mapping[str, Any], resume: bool):
        self.path = Path(path)
        self.identity = dict(identity)
        self.header: dict[str, Any] | None = None
        self.records: dict[int, dict[str, Any]] = {}
        valid_length = 0
        if self.path.exists() and self.path.stat().st_size > 0:
            if not resume:
                raise CevnsInputError(
                    f"output file {self.path} exists; continue it with --resume or choose "
                    "another --output"
                )
            self.header, self.records, valid_length = read_result_file(self.path)
            mismatch = self.header and _identity_mismatch(self.header, self.identity)
            if mismatch:
                raise CevnsInputError(
                    f"{self.path} holds a different scan ({mismatch}); resume it with the "
                    "same settings or choose another --output"
                )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        mode = "r+" if valid_length else "w"
        self._stream = open(self.path, mode, encoding="utf-8")  # noqa: SIM115
        self._stream.seek(valid_length)
        self._stream.truncate()

    def write_header(self, extra: Mapping[str, Any]) -> dict[str, Any]:
        """Write the header line (identity plus ``extra``, such as the global fit)."""
        self.header = {**self.identity, **extra}
        self._write_lines([self.header])
        return self.header

    def append(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Append point records (each one line), flush and sync to disk."""
        records = list(records)
        self._write_lines(records)
        for record in records:
            self.records[int(record["index"])] = dict(record)

    def _write_lines(self, objects: Sequence[Mapping[str, Any]]) -> None:
        text = "".join(json.dumps(o, allow_nan=False) + "\n" for o in objects)
        self._stream.write(text)
        self._stream.flush()
        os.fsync(self._stream.fileno())

    def close(self) -> None:
        self._stream.close()


def read_result_file(
    path: Path,
) -> tuple[dict[str, Any] | None, dict[int, dict[str, Any]], int]:
    """Header, records by index, and the length in bytes of the complete lines.

    A file holding only part of a header line (a run killed while starting) has no header
    (None) and no complete lines.
    """
    content = path.read_bytes()
    lines = content.split(b"\n")
    complete = lines[:-1]  # the text after the last newline is an unfinished line
    header_start = json.dumps({"format": FILE_FORMAT})[:-1].encode()
    if not complete and (content.startswith(header_start) or header_start.startswith(content)):
        return None, {}, 0
    try:
        header = json.loads(complete[0]) if complete else None
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FILE_FORMAT:
        raise CevnsInputError(f"{path} is not a cevns scan file (its first line is no header)")
    records: dict[int, dict[str, Any]] = {}
    for number, line in enumerate(complete[1:], start=2):
        try:
            record = json.loads(line)
            index = int(record["index"])
        except (json.JSONDecodeError, TypeError, KeyError, ValueError):
            raise CevnsInputError(f"{path} line {number} is not a point record") from None
        records[index] = record  # a later record (a repaired point) replaces an earlier
    return header, records, len(content) - len(lines[-1])


def _identity_mismatch(header: Mapping[str, Any], identity: Mapping[str, Any]) -> str:
    """'' if the header describes the requested scan, else which fields differ."""
    differences = [
        f"{key}: file {json.dumps(header.get(key))}, requested {json.dumps(value)}"
        for key, value in identity.items()
        if header.get(key) != value
    ]
    return "; ".join(differences)


def open_results(
    path: str | os.PathLike[str],
    identity: Mapping[str, Any],
    likelihood: Likelihood,
    resume: bool,
    fixed_values: Mapping[str, float] | None = None,
) -> tuple[ResultFile, dict[str, Any]]:
    """Open the result file; for a new run, fit (:func:`global_fit` with
    ``fixed_values``) and write the header with the fit.

    Returns the file and its header (a resumed run reuses the stored fit, so it starts
    its chunks exactly where the interrupted run did).
    """
    results = ResultFile(path, identity, resume)
    try:
        header = results.header or results.write_header(
            {"global_fit": json_safe(global_fit(likelihood, fixed_values))}
        )
    except BaseException:
        results.close()
        raise
    return results, header


__all__ = [
    "FILE_FORMAT",
    "FILE_VERSION",
    "ResultFile",
    "finite_or_none",
    "json_safe",
    "open_results",
    "read_result_file",
]
