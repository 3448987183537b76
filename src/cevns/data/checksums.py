"""SHA-256 checksums of the public release files, and verification of a release folder.

The table ``checksums.toml`` (next to this module) lists, for every file of every
release, its path inside the release folder, its SHA-256 digest, the address it is
published at and whether the loaders need it. The digests were computed from the copies
in ``../shared/data``; for the argon release they agree with Zenodo record 3903810 v1.0.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from cevns.errors import CevnsInputError, require_choice

from .locate import RELEASES, release_path

_TABLE = "checksums.toml"
_CHUNK = 1 << 20


class ReleaseChecksumError(CevnsInputError):
    """A release file is missing or differs from the published one; the message names it."""


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release: where it sits, its digest and where it is published.

    ``path`` is relative to the release folder with ``/`` separators; ``url`` is empty for
    files that are not downloaded; ``required`` is False for files the loaders never read
    (they are checked only when present).
    """

    path: str
    sha256: str
    url: str
    required: bool


@dataclass(frozen=True)
class ReleaseGroup:
    """A folder of many files checked together: ``count`` files matching ``pattern`` in
    ``folder`` (relative to the release folder), whose sha256sum listing — one line
    ``"<sha256>  <file name>\\n"`` per file, sorted by name — has the SHA-256 ``sha256``."""

    folder: str
    pattern: str
    count: int
    sha256: str

    def contains(self, inner: str) -> bool:
        """Whether the release-relative path ``inner`` belongs to this group."""
        folder, _, name = inner.rpartition("/")
        return folder == self.folder and fnmatch.fnmatchcase(name, self.pattern)


@dataclass(frozen=True)
class ReleaseRecord:
    """A release: its title, the publication it accompanies, its record, its files and its
    groups of files; ``archive`` releases are published as one archive (no per-file
    addresses)."""

    name: str
    title: str
    reference: str
    record: str
    files: tuple[ReleaseFile, ...]
    groups: tuple[ReleaseGroup, ...] = ()
    archive: bool = False


def _parse_record(name: str, table: dict[str, Any]) -> ReleaseRecord:
    files = []
    for entry in table["files"]:
        files.append(
            ReleaseFile(
                path=str(entry["path"]),
                sha256=str(entry["sha256"]).lower(),
                url=str(entry.get("url", "")),
                required=bool(entry.get("required", True)),
            )
        )
    groups = tuple(
        ReleaseGroup(
            folder=str(entry["folder"]),
            pattern=str(entry["pattern"]),
            count=int(entry["count"]),
            sha256=str(entry["sha256"]).lower(),
        )
        for entry in table.get("groups", ())
    )
    return ReleaseRecord(
        name=name,
        title=str(table["title"]),
        reference=str(table["reference"]),
        record=str(table["record"]),
        files=tuple(files),
        groups=groups,
        archive=bool(table.get("archive", False)),
    )


@functools.cache
def _records() -> dict[str, ReleaseRecord]:
    text = resources.files("cevns.data").joinpath(_TABLE).read_text(encoding="utf-8")
    table = tomllib.loads(text)
    return {name: _parse_record(name, table[name]) for name in RELEASES}


def release_record(release: str) -> ReleaseRecord:
    """The checksum table entry of ``release`` (one of :data:`cevns.data.RELEASES`)."""
    require_choice("release", release, RELEASES)
    return _records()[release]


def sha256_of(path: str | os.PathLike[str]) -> str:
    """The SHA-256 digest of a file, as 64 lower-case hexadecimal digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def group_digest(root: str | os.PathLike[str], group: ReleaseGroup) -> tuple[int, str]:
    """(number of files, SHA-256 of their sha256sum listing) of ``group`` under ``root``."""
    folder = Path(root) / group.folder
    names = sorted(
        p.name for p in folder.glob(group.pattern) if p.is_file()
    ) if folder.is_dir() else []  # fmt: skip
    listing = "".join(f"{sha256_of(folder / name)}  {name}\n" for name in names)
    return len(names), hashlib.sha256(listing.encode("utf-8")).hexdigest()


def group_problem(release: str, root: str | os.PathLike[str], group: ReleaseGroup) -> str | None:
    """Why ``group`` of ``release`` under ``root`` differs from the published files (None:
    it does not)."""
    count, digest = group_digest(root, group)
    where = f"{release}/{group.folder}/{group.pattern}"
    if count != group.count:
        folder = Path(root) / group.folder
        return f"{where}: {count} files in {folder}, the release has {group.count}"
    if digest != group.sha256:
        return (
            f"{where}: the files' SHA-256 listing hashes to {digest[:12]}…, the published "
            f"files to {group.sha256[:12]}… (a file in {Path(root) / group.folder} was changed "
            "or damaged)"
        )
    return None


def verify_folder(release: str, folder: str | os.PathLike[str]) -> list[str]:
    """Compare a release folder (for example ``…/coherent-csi-2021``) with the table.

    Returns one line per problem, each naming the file: a required file that is missing,
    or any listed file whose SHA-256 differs. An empty list means the folder holds the
    published bytes. Files that are not in the table are ignored.
    """
    record = release_record(release)
    root = Path(folder)
    problems = []
    for entry in record.files:
        path = root / entry.path
        if not path.is_file():
            if entry.required:
                problems.append(f"{release}/{entry.path}: missing from {root}")
            continue
        actual = sha256_of(path)
        if actual != entry.sha256:
            problems.append(
                f"{release}/{entry.path}: SHA-256 is {actual}, the published file has "
                f"{entry.sha256} (file {path} was changed or damaged)"
            )
    for group in record.groups:
        problem = group_problem(release, root, group)
        if problem is not None:
            problems.append(problem)
    return problems


def verify_release(release: str, directory: str | os.PathLike[str] | None = None) -> list[str]:
    """Check the files of ``release`` in a data directory against their published SHA-256.

    ``directory`` is the data directory holding the release folder, as for the loaders
    (default: see :func:`cevns.data.data_directory`); a missing release folder raises.
    Returns the problems found by :func:`verify_folder`, one line each; empty if none.
    """
    return verify_folder(release, release_path(release, directory))


def require_verified(release: str, folder: str | os.PathLike[str]) -> None:
    """Raise :class:`ReleaseChecksumError` unless :func:`verify_folder` finds nothing."""
    problems = verify_folder(release, folder)
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise ReleaseChecksumError(
            f"release check failed: {problems[0]}{more}; re-download with "
            f"cevns.data.download_release({release!r}) or pass verify=False"
        )


__all__ = [
    "ReleaseChecksumError",
    "ReleaseFile",
    "ReleaseGroup",
    "ReleaseRecord",
    "group_digest",
    "group_problem",
    "release_record",
    "require_verified",
    "sha256_of",
    "verify_folder",
    "verify_release",
]


def verified_release_folder(
    release: str, directory: str | os.PathLike[str] | None, verify: bool
) -> Path:
    """The release folder (see :func:`~cevns.data.locate.release_path`), checksum-verified
    first when ``verify`` is true."""
    from cevns.data.locate import release_path

    folder = release_path(release, directory)
    if verify:
        require_verified(release, folder)
    return folder
