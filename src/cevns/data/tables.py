"""Numeric tables named by a document: find the file, verify it, read named columns.

Analysis and experiment documents point at text tables (event lists, histograms, shapes,
efficiency curves) with a path and the names of the file's columns. This module

* resolves the path: an absolute path as is; a relative one against the document's
  folder first, then against the data directory (:func:`cevns.data.locate.data_directory`);
* verifies a file of a known public release (listed in ``checksums.toml``) against its
  published SHA-256 before it is read, whichever command reads it;
* reads whitespace- or comma-separated numbers (``#`` comments and blank lines skipped,
  ``skip_rows`` header lines dropped) and checks the column count against the names
  the document declares.

Every failure is one :class:`~cevns.errors.CevnsInputError` line naming the file, the
document field and the cause.
"""

from __future__ import annotations

import functools
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cevns.data.checksums import (
    ReleaseChecksumError,
    ReleaseGroup,
    group_problem,
    release_record,
    sha256_of,
)
from cevns.data.locate import RELEASES, data_directory
from cevns.errors import CevnsInputError


@dataclass(frozen=True)
class NamedTable:
    """Columns of a numeric table by name (each a read-only float array), and its file."""

    path: Path
    columns: dict[str, np.ndarray]

    @property
    def rows(self) -> int:
        return int(next(iter(self.columns.values())).size) if self.columns else 0

    def column(self, name: str) -> np.ndarray:
        return self.columns[name]


def resolve_path(
    path: str | os.PathLike[str],
    field: str,
    base_dir: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """The file a document means by ``path``: absolute as is, else relative to
    ``base_dir`` (the document's folder), else to the data directory.

    Raises a one-line error naming ``field`` and both places looked in when the file
    exists in neither (or is a folder there).
    """
    given = Path(os.fspath(path)).expanduser()
    if given.is_absolute():
        candidates = [given]
    else:
        candidates = [] if base_dir is None else [Path(base_dir) / given]
        candidates.append(data_directory(data_dir) / given)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    places = " or ".join(str(c) for c in candidates)
    folders = [c for c in candidates if c.is_dir()]
    if folders:
        raise FileNotFoundError(
            f"{field}: {os.fspath(path)!r} is a folder, not a file ({folders[0]})"
        )
    raise FileNotFoundError(f"{field}: file {os.fspath(path)!r} not found (looked for {places})")


def _release_entry(path: Path, data_dir: str | os.PathLike[str] | None):
    """(release, published sha256 or the :class:`ReleaseGroup` holding the file, release
    folder) if ``path`` is a listed file of a known release."""
    try:
        relative = path.resolve().relative_to(data_directory(data_dir).resolve())
    except ValueError:
        relative = None
    parts = relative.parts if relative is not None else path.resolve().parts
    for index, part in enumerate(parts[:-1]):
        if part in RELEASES:
            inner = "/".join(parts[index + 1 :])
            record = release_record(part)
            root = Path(*parts[: index + 1]) if relative is None else (
                data_directory(data_dir).resolve() / Path(*parts[: index + 1])
            )  # fmt: skip
            for entry in record.files:
                if entry.path == inner:
                    return part, entry.sha256, root
            for group in record.groups:
                if group.contains(inner):
                    return part, group, root
    return None


@functools.cache
def _digest(path: str, size: int, mtime_ns: int) -> str:
    return sha256_of(path)


@functools.cache
def _group_problem(release: str, root: str, group: ReleaseGroup, stamp: int) -> str | None:
    return group_problem(release, root, group)


def _folder_stamp(folder: Path) -> int:
    """Changes whenever a file of ``folder`` is added, removed, resized or rewritten."""
    entries = sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in os.scandir(folder))
    return hash(tuple(entries))


def verify_if_released(path: Path, data_dir: str | os.PathLike[str] | None = None) -> None:
    """Check ``path`` against its published SHA-256 if it is a file of a known release."""
    entry = _release_entry(path, data_dir)
    if entry is None:
        return
    release, published, root = entry
    if isinstance(published, ReleaseGroup):
        folder = Path(root) / published.folder
        problem = _group_problem(release, str(root), published, _folder_stamp(folder))
        if problem is not None:
            raise ReleaseChecksumError(
                f"release file {path} of {release} cannot be trusted: {problem}; restore the "
                "folder from the release"
            )
        return
    status = path.stat()
    actual = _digest(str(path.resolve()), status.st_size, status.st_mtime_ns)
    if actual != published:
        raise ReleaseChecksumError(
            f"release file {path} of {release} is damaged or changed: SHA-256 {actual[:12]}… "
            f"differs from the published {published[:12]}…; restore the file from the release"
        )


def verify_released_files(
    paths: list[Path], data_dir: str | os.PathLike[str] | None = None
) -> None:
    """:func:`verify_if_released` for many files, checking each release group only once
    (a folder of thousands of templates is hashed once, not once per file)."""
    seen_groups: set[tuple[str, str]] = set()
    for path in paths:
        entry = _release_entry(path, data_dir)
        if entry is None:
            continue
        _, published, root = entry
        if isinstance(published, ReleaseGroup):
            key = (str(root), published.folder)
            if key in seen_groups:
                continue
            seen_groups.add(key)
        verify_if_released(path, data_dir)


def _parse(text: str, delimiter: str | None) -> np.ndarray:
    return np.loadtxt(io.StringIO(text), comments="#", delimiter=delimiter, ndmin=2)


def read_named_table(
    path: str | os.PathLike[str],
    columns: list[str] | tuple[str, ...],
    field: str,
    *,
    base_dir: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    delimiter: str = "auto",
    skip_rows: int = 0,
) -> NamedTable:
    """Read the table ``path`` whose columns are named ``columns`` (in file order).

    ``delimiter`` is ``"auto"`` (comma if the first data line has one, else whitespace),
    ``","`` or ``"whitespace"``. A missing or unreadable file, a count of columns other
    than declared, no rows, or a non-finite number raise one line naming ``field``.
    """
    try:
        resolved = resolve_path(path, field, base_dir, data_dir)
    except FileNotFoundError as error:
        raise CevnsInputError(str(error)) from None
    verify_if_released(resolved, data_dir)
    try:
        raw = resolved.read_bytes()
        text = raw.decode("utf-8-sig")  # a byte-order mark (spreadsheet exports) is dropped
    except OSError as error:
        raise CevnsInputError(
            f"{field}: file {resolved} cannot be read ({error.strerror})"
        ) from None
    except UnicodeDecodeError:
        raise CevnsInputError(f"{field}: file {resolved} is not UTF-8 text") from None
    lines = text.splitlines()[skip_rows:]
    data_lines = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not data_lines:
        raise CevnsInputError(f"{field}: file {resolved} has no data rows")
    if delimiter == "auto":
        delimiter = "," if "," in data_lines[0] else "whitespace"
    try:
        table = _parse("\n".join(lines), None if delimiter == "whitespace" else delimiter)
    except ValueError as error:
        cause = str(error).splitlines()[0] if str(error) else "not a numeric table"
        raise CevnsInputError(
            f"{field}: file {resolved} is not a numeric table ({cause})"
        ) from None
    if table.shape[1] != len(columns):
        raise CevnsInputError(
            f"{field}: file {resolved} has {table.shape[1]} columns but the document names "
            f"{len(columns)} ({', '.join(columns)})"
        )
    if not np.all(np.isfinite(table)):
        raise CevnsInputError(f"{field}: file {resolved} holds non-finite numbers (nan or inf)")
    named = {}
    for index, name in enumerate(columns):
        values = np.array(table[:, index])
        values.flags.writeable = False
        named[name] = values
    return NamedTable(resolved, named)


__all__ = [
    "NamedTable",
    "read_named_table",
    "resolve_path",
    "verify_if_released",
    "verify_released_files",
]
