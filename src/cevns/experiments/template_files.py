"""Read the histogram files a document names (:mod:`.template_schema`) into objects.

* :func:`load_histogram_grid` — a background's histogram, one file or one per grid point,
  as :class:`~cevns.detectors.template_grid.GridHistograms` with the axes of the files;
* :func:`load_recoil_templates` — mono-energetic recoil templates, one file per energy
  and grid point, as :class:`~cevns.detectors.recoil_templates.RecoilTemplateResponse`.

Every file of a set must have the same axes (names, edges and shape); the first file's
are the set's. Files of a public release are checksum-verified once per release group.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cevns.data.hdf5_histograms import StoredHistogram, read_hdf5_histograms
from cevns.detectors.recoil_templates import RecoilTemplateResponse
from cevns.detectors.template_grid import GridHistograms
from cevns.errors import CevnsInputError
from cevns.experiments.template_schema import (
    HistogramFilesSpec,
    RecoilTemplatesSpec,
    fill_pattern,
)
from cevns.units import eV, keV


@dataclass(frozen=True)
class HistogramSet:
    """Histograms of one set of files on a grid, with their common axes."""

    grid: GridHistograms
    axis_names: tuple[str, ...]
    edges: tuple[np.ndarray, ...]


def _common_axes(histograms: list[StoredHistogram], field: str) -> tuple[tuple, tuple]:
    first = histograms[0]
    for other in histograms[1:]:
        same = other.contents.shape == first.contents.shape and all(
            a.shape == b.shape and np.array_equal(a, b)
            for a, b in zip(other.edges, first.edges, strict=True)
        )
        if not same:
            raise CevnsInputError(
                f"{field}: {other.path.name} has other bins than {first.path.name} (every "
                "file of a template set must share the axes)"
            )
    return first.axis_names, first.edges


def _read_set(
    paths: list[str], field: str, dataset: str, folder, data_dir
) -> list[StoredHistogram]:
    return list(_cached_read(tuple(paths), field, dataset, _key(folder), _key(data_dir)))


def _key(path) -> str | None:
    return None if path is None else os.fspath(path)


@functools.lru_cache(maxsize=16)
def _cached_read(
    paths: tuple[str, ...], field: str, dataset: str, folder: str | None, data_dir: str | None
) -> tuple[StoredHistogram, ...]:
    # Cached within a process: building a joint fit or a scan re-reads the same thousands of
    # template files otherwise. Each cached read was checksum-verified when it was made.
    return tuple(
        read_hdf5_histograms(
            list(paths), field, dataset=dataset, base_dir=folder, data_dir=data_dir
        )
    )


def load_histogram_grid(
    spec: HistogramFilesSpec,
    field: str,
    folder: str | os.PathLike[str] | Path | None,
    data_dir: str | os.PathLike[str] | None,
) -> HistogramSet:
    """The histogram(s) of ``spec``: one per grid point (a single file without a grid)."""
    points = spec.grid_points() if spec.grid else [{}]
    paths = [fill_pattern(spec.file, point) for point in points]
    stored = _read_set(paths, field, spec.dataset, folder, data_dir)
    names, edges = _common_axes(stored, field)
    grid_shape = tuple(len(v) for v in spec.grid.values())
    contents = np.stack([h.contents for h in stored]).reshape(grid_shape + stored[0].contents.shape)
    grid = GridHistograms(
        tuple(spec.grid), tuple(np.asarray(v, dtype=float) for v in spec.grid.values()), contents
    )
    return HistogramSet(grid, names, edges)


def load_recoil_templates(
    spec: RecoilTemplatesSpec,
    folder: str | os.PathLike[str] | Path | None,
    data_dir: str | os.PathLike[str] | None,
) -> RecoilTemplateResponse:
    """The mono-energetic templates of ``spec`` (energies × grid points files)."""
    field = "response.recoil_templates"
    energies = spec.energy_values()
    points = spec.grid_points() if spec.grid else [{}]
    paths = [
        fill_pattern(spec.file, {**point, "energy": energy})
        for point in points
        for energy in energies
    ]
    stored = _read_set(paths, field, spec.dataset, folder, data_dir)
    names, edges = _common_axes(stored, field)
    n_bins = int(np.prod(stored[0].contents.shape))
    grid_shape = tuple(len(v) for v in spec.grid.values())
    flat = np.stack([h.contents.ravel() for h in stored])
    if np.any(flat.sum(axis=1) > 1.0 + 1e-9):
        worst = int(np.argmax(flat.sum(axis=1)))
        raise CevnsInputError(
            f"{field}: {stored[worst].path.name} sums to {flat[worst].sum():.6g} over its bins; "
            "a detection efficiency cannot exceed 1"
        )
    templates = GridHistograms(
        tuple(spec.grid),
        tuple(np.asarray(v, dtype=float) for v in spec.grid.values()),
        flat.reshape((*grid_shape, len(energies), n_bins)),
    )
    unit = keV if spec.energy_unit == "keVnr" else eV
    return RecoilTemplateResponse(
        np.asarray(energies, dtype=float) * unit, templates, names, edges, spec.beyond_last
    )


__all__ = ["HistogramSet", "load_histogram_grid", "load_recoil_templates"]
