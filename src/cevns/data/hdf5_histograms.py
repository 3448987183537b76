"""Histograms stored in HDF5 files, as the XENONnT inference codes write them.

The XENONnT releases store each template as an HDF5 file with

* ``bins/0``, ``bins/1``, …: the bin edges of each axis, each dataset with an attribute
  ``name`` (the axis name);
* ``templates/<name>``: the histogram, an array with one dimension per axis
  (for example ``templates/template`` of shape 3 × 3 × 3 × 3).

This is the layout read by ``inference_interface.template_to_multihist`` (XENONnT's
``inference_interface`` package); cevns reads it with h5py. A file of a known public
release is checksum-verified before it is read (:mod:`cevns.data.tables`); many files of
one release folder are verified together with :func:`read_hdf5_histograms`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cevns.data.tables import resolve_path, verify_released_files
from cevns.errors import CevnsInputError

#: The dataset of the histogram in the XENONnT template files.
DEFAULT_DATASET = "templates/template"


@dataclass(frozen=True)
class StoredHistogram:
    """A histogram read from a file: its contents, axis names and bin edges, and its path."""

    path: Path
    contents: np.ndarray
    axis_names: tuple[str, ...]
    edges: tuple[np.ndarray, ...]


def _read(path: Path, dataset: str, field: str) -> StoredHistogram:
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            if dataset not in handle:
                raise CevnsInputError(
                    f"{field}: {path} has no dataset {dataset!r}; it holds "
                    f"{', '.join(_datasets(handle)) or 'no datasets'}"
                )
            contents = np.asarray(handle[dataset][()], dtype=float)
            names, edges = [], []
            bins = handle.get("bins")
            for index in range(contents.ndim):
                entry = None if bins is None else bins.get(str(index))
                if entry is None:
                    raise CevnsInputError(
                        f"{field}: {path} has no bins/{index} (the edges of axis {index} of "
                        f"{dataset}, shape {contents.shape})"
                    )
                axis_edges = np.asarray(entry[()], dtype=float)
                if axis_edges.ndim != 1 or axis_edges.size != contents.shape[index] + 1:
                    raise CevnsInputError(
                        f"{field}: {path}: bins/{index} has {axis_edges.size} edges for "
                        f"{contents.shape[index]} bins"
                    )
                name = entry.attrs.get("name", str(index))
                names.append(name.decode() if isinstance(name, bytes) else str(name))
                edges.append(axis_edges)
    except OSError as error:
        raise CevnsInputError(f"{field}: cannot read {path} as HDF5: {error}") from None
    if not np.all(np.isfinite(contents)) or np.any(contents < 0):
        raise CevnsInputError(f"{field}: {path}: {dataset} must hold finite, non-negative values")
    return StoredHistogram(path, contents, tuple(names), tuple(edges))


def _datasets(handle) -> list[str]:
    found: list[str] = []
    handle.visititems(lambda name, item: found.append(name) if hasattr(item, "shape") else None)
    return found


def read_hdf5_histograms(
    paths: Sequence[str | os.PathLike[str]],
    field: str,
    *,
    dataset: str = DEFAULT_DATASET,
    base_dir: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> list[StoredHistogram]:
    """Read the histogram ``dataset`` of each file in ``paths`` (resolved against the
    document's folder, then the data directory; release files checksum-verified once per
    file or per release group). Every problem is one line naming ``field`` and the file."""
    resolved = []
    for path in paths:
        try:
            resolved.append(resolve_path(path, field, base_dir, data_dir))
        except FileNotFoundError as error:
            raise CevnsInputError(
                f"{error}; set CEVNS_DATA_DIR (or pass --data) to the folder holding the release"
            ) from None
    verify_released_files(resolved, data_dir)
    return [_read(path, dataset, field) for path in resolved]


def read_hdf5_histogram(
    path: str | os.PathLike[str],
    field: str,
    *,
    dataset: str = DEFAULT_DATASET,
    base_dir: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> StoredHistogram:
    """One histogram (see :func:`read_hdf5_histograms`)."""
    return read_hdf5_histograms(
        [path], field, dataset=dataset, base_dir=base_dir, data_dir=data_dir
    )[0]


__all__ = ["DEFAULT_DATASET", "StoredHistogram", "read_hdf5_histogram", "read_hdf5_histograms"]
