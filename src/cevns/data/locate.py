"""Where the public data releases live on this machine, and reading their text tables.

The data directory holds one folder per release (``coherent-csi-2021/``,
``coherent-lar-2020/``), each with the files exactly as published. It is chosen, in
this order of precedence:

1. an explicit ``directory`` argument (to a loader, to :func:`data_directory` or to
   :func:`release_path`);
2. the environment variable ``CEVNS_DATA_DIR``;
3. the user cache directory, ``platformdirs.user_cache_dir("cevns")``, which is where
   :func:`cevns.data.download_release` puts the releases by default.

An explicit argument wins over the environment so that a call naming a folder always
reads that folder. Only the chosen directory is searched; a missing release raises a
:class:`~cevns.errors.CevnsInputError` that says where cevns looked and how to point it
elsewhere.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from cevns.errors import CevnsInputError, require_choice

#: The environment variable naming the folder that holds the release folders.
DATA_DIR_VARIABLE = "CEVNS_DATA_DIR"

#: The release folders cevns knows, by name.
RELEASES = ("coherent-csi-2021", "coherent-lar-2020", "xenonnt-cevns-2026")


def cache_directory() -> Path:
    """The per-user cache folder of cevns (``platformdirs.user_cache_dir("cevns")``)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("cevns"))


def _explicit_path(explicit: object) -> Path:
    if isinstance(explicit, os.PathLike) or (isinstance(explicit, str) and explicit.strip()):
        return Path(os.fspath(explicit)).expanduser()
    raise CevnsInputError(
        f"directory must be a non-empty path (str or pathlib.Path); got {explicit!r}"
    )


def _chosen(explicit: object) -> tuple[Path, str]:
    """The data directory and a phrase saying which setting chose it."""
    if explicit is not None:
        return _explicit_path(explicit), "the directory argument"
    from_environment = os.environ.get(DATA_DIR_VARIABLE, "").strip()
    if from_environment:
        return Path(from_environment).expanduser(), f"{DATA_DIR_VARIABLE}={from_environment}"
    return cache_directory(), "the user cache (neither a directory argument nor CEVNS_DATA_DIR)"


def data_directory(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The folder that holds the release folders (it need not exist yet).

    ``explicit`` wins; otherwise ``CEVNS_DATA_DIR``; otherwise the user cache directory.
    A leading ``~`` is expanded.
    """
    return _chosen(explicit)[0]


def release_path(release: str, explicit: str | os.PathLike[str] | None = None) -> Path:
    """The folder of one release; raise a clear error if it is not there.

    ``release`` is one of :data:`RELEASES`; ``explicit`` is an optional data directory
    (see :func:`data_directory`).
    """
    require_choice("release", release, RELEASES)
    directory, chosen_by = _chosen(explicit)
    path = directory / release
    if not path.is_dir():
        raise CevnsInputError(
            f"data release {release} not found: looked for the folder {path} "
            f"(data directory chosen by {chosen_by}); pass directory=..., set "
            f"{DATA_DIR_VARIABLE} to the folder that contains {release}/, or run "
            f"cevns.data.download_release({release!r}) to fetch it into {directory}"
        )
    return path


def read_columns(path: str | os.PathLike[str], n_columns: int, header_lines: int = 0) -> np.ndarray:
    """Read a whitespace-separated numeric table with ``n_columns`` columns.

    Lines starting with ``#`` and blank lines are skipped, as are the first
    ``header_lines`` lines. Returns a float array of shape ``(rows, n_columns)``; a
    file that is not such a table raises :class:`~cevns.errors.CevnsInputError` naming
    the file.
    """
    try:
        with warnings.catch_warnings():
            # An empty file makes numpy warn; the shape check below reports it instead.
            warnings.simplefilter("ignore", UserWarning)
            table = np.loadtxt(path, comments="#", skiprows=header_lines, ndmin=2)
    except (OSError, ValueError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CevnsInputError(
            f"release file {path} must be a numeric table with {n_columns} columns; "
            f"reading it failed: {message}"
        ) from None
    if table.shape[0] == 0 or table.shape[1] != n_columns:
        raise CevnsInputError(
            f"release file {path} must be a numeric table with {n_columns} columns; "
            f"got shape {table.shape}"
        )
    if not np.all(np.isfinite(table)):
        raise CevnsInputError(f"release file {path} must contain finite numbers only")
    return table


__all__ = [
    "DATA_DIR_VARIABLE",
    "RELEASES",
    "cache_directory",
    "data_directory",
    "read_columns",
    "release_path",
]
