"""Named histogram axes and tables binned on them.

A document's histograms live on named axes: ``observable`` and ``time`` (the experiment's
``[binning]``, in its units) and any further axis an analysis declares (a pulse-shape
variable, an analysis score). Tables place their rows in the bins of the axes their
columns are named after (half-open bins [low, high), the last one too), weighted by a
``weight`` column if there is one; columns that are no axis are summed over.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cevns import units
from cevns.data.tables import NamedTable, read_named_table, resolve_path, verify_if_released
from cevns.errors import CevnsInputError
from cevns.experiments.analysis_schema import (
    WEIGHT_COLUMN,
    AxisSpec,
    EdgesFileSpec,
    TableSpec,
    check_edges,
    unit_factor,
)
from cevns.experiments.schema import ExperimentSpec

#: Internal value of one unit of each axis unit (to evaluate efficiencies).
_INTERNAL = {
    "PE": 1.0,
    "eVee": units.eV,
    "keVee": units.keVee,
    "MeVee": units.MeVee,
    "eVnr": units.eV,
    "keVnr": units.keVnr,
    "MeVnr": units.MeVnr,
    "eV": units.eV,
    "keV": units.keV,
    "MeV": units.MeV,
    "ns": units.ns,
    "us": units.us,
    "ms": units.ms,
    "s": units.s,
}


@dataclass(frozen=True)
class Axis:
    """One histogram axis: its name, edges (in ``unit``) and unit (None: a pure number)."""

    name: str
    edges: np.ndarray
    unit: str | None

    @property
    def size(self) -> int:
        return int(self.edges.size - 1)

    @property
    def internal_edges(self) -> np.ndarray:
        """Edges in internal units (as the prediction engine uses them)."""
        return self.edges * (_INTERNAL[self.unit] if self.unit else 1.0)


def observable_unit(spec: ExperimentSpec) -> str:
    """The unit of the observable axis: ``PE`` for photoelectrons, else the binning's."""
    binning = spec.binning
    if binning.observable == "photoelectrons":
        return "PE"
    if binning.observable == "recoil-energy" and binning.observable_unit == "keV":
        return "keVnr"
    if binning.observable == "electron-equivalent-energy" and binning.observable_unit == "keV":
        return "keVee"
    return str(binning.observable_unit)


def binning_axes(spec: ExperimentSpec) -> list[Axis]:
    """The experiment's own axes: ``observable`` and, when binned in time, ``time``."""
    binning = spec.binning
    axes = [Axis("observable", np.asarray(binning.observable_edges, float), observable_unit(spec))]
    if binning.time_edges is not None:
        axes.append(Axis("time", np.asarray(binning.time_edges, float), binning.time_unit))
    return axes


def read_edges(
    edges: EdgesFileSpec, field: str, base_dir: Path | None, data_dir: str | os.PathLike[str] | None
) -> np.ndarray:
    """Bin edges stored under ``edges.key`` in a YAML or JSON file (checksum-verified when
    it belongs to a public release)."""
    import yaml

    try:
        path = resolve_path(edges.file, field, base_dir, data_dir)
    except FileNotFoundError as error:
        raise CevnsInputError(str(error)) from None
    verify_if_released(path, data_dir)
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        reason = str(error).splitlines()[0]
        raise CevnsInputError(f"{field}: cannot read {path} as YAML or JSON: {reason}") from None
    if not isinstance(content, dict) or edges.key not in content:
        keys = ", ".join(map(str, content)) if isinstance(content, dict) else "none"
        raise CevnsInputError(f"{field}: {path} has no key {edges.key!r} (keys: {keys})")
    try:
        values = [float(v) for v in content[edges.key]]
        check_edges(values, f"{field} ({path}, key {edges.key!r})")
    except (TypeError, ValueError) as error:
        raise CevnsInputError(f"{field}: {error}") from None
    return np.asarray(values)


def analysis_axes(
    spec: ExperimentSpec,
    declared: Sequence[AxisSpec] | None,
    data_dir: str | os.PathLike[str] | None = None,
) -> list[Axis]:
    """The axes of an analysis histogram, in order (default: the binning's axes); edges
    given as ``{ file, key }`` are read from the document's folder or the data directory."""
    own = {axis.name: axis for axis in binning_axes(spec)}
    if declared is None:
        return list(own.values())
    axes = []
    for item in declared:
        if item.name in own:
            axes.append(own[item.name])
        elif item.name == "time":
            raise CevnsInputError(
                f"{spec.name}: analysis.axes names 'time' but [binning] has no time_edges"
            )
        elif isinstance(item.edges, EdgesFileSpec):
            field = f"analysis.axes.{item.name}.edges"
            axes.append(
                Axis(item.name, read_edges(item.edges, field, spec.folder, data_dir), item.unit)
            )
        else:
            axes.append(Axis(item.name, np.asarray(item.edges, float), item.unit))
    if "time" in own and "time" not in [a.name for a in axes]:
        raise CevnsInputError(
            f"{spec.name}: analysis.axes must include 'time', which [binning] defines"
        )
    return axes


def read_table(
    table_spec: TableSpec,
    field: str,
    *,
    base_dir: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> NamedTable:
    """The table a document's ``table_spec`` names (see :func:`read_named_table`)."""
    return read_named_table(
        table_spec.file,
        table_spec.columns,
        field,
        base_dir=base_dir,
        data_dir=data_dir,
        delimiter=table_spec.delimiter,
        skip_rows=table_spec.skip_rows,
    )


def table_histogram(
    table_spec: TableSpec,
    axes: Sequence[Axis],
    field: str,
    *,
    base_dir: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    required: Sequence[str] | None = None,
) -> tuple[np.ndarray, list[Axis]]:
    """Histogram of the table's rows on the axes its columns name.

    Returns the histogram over those axes (in the order of ``axes``) and the axes. Rows
    outside any of them are dropped. ``required`` axes must all be columns of the table
    (default: every axis).
    """
    table = read_table(table_spec, field, base_dir=base_dir, data_dir=data_dir)
    present = [axis for axis in axes if axis.name in table.columns]
    wanted = [a.name for a in axes] if required is None else list(required)
    missing = [name for name in wanted if name not in table.columns]
    if missing:
        raise CevnsInputError(
            f"{field}: table {table_spec.file} has no column for axis {', '.join(missing)} "
            f"(its columns: {', '.join(table_spec.columns)})"
        )
    coordinates = []
    for axis in present:
        given = table_spec.units.get(axis.name)
        values = table.column(axis.name)
        if given is not None:
            if axis.unit is None:
                raise CevnsInputError(
                    f"{field}: column {axis.name!r} has unit {given} but axis {axis.name!r} "
                    "has none"
                )
            try:
                values = values * unit_factor(given, axis.unit)
            except ValueError as error:
                raise CevnsInputError(f"{field}: column {axis.name!r}: {error}") from None
        coordinates.append(values)
    if WEIGHT_COLUMN in table.columns:
        weights = table.column(WEIGHT_COLUMN)
        if np.any(weights < 0):
            raise CevnsInputError(f"{field}: table {table_spec.file} has negative weights")
    else:
        weights = np.ones(table.rows)
    histogram = bin_rows(coordinates, [a.edges for a in present], weights)
    return histogram, present


def bin_rows(
    coordinates: Sequence[np.ndarray], edges: Sequence[np.ndarray], weights: np.ndarray
) -> np.ndarray:
    """Sum of ``weights`` per bin, rows placed by ``coordinates`` in half-open bins."""
    shape = tuple(e.size - 1 for e in edges)
    inside = np.ones(weights.shape, dtype=bool)
    indices = []
    for values, axis_edges in zip(coordinates, edges, strict=True):
        index = np.searchsorted(axis_edges, values, side="right") - 1
        inside &= (index >= 0) & (index < axis_edges.size - 1)
        indices.append(index)
    if not shape:
        return np.array(weights.sum())
    flat = np.ravel_multi_index(tuple(i[inside] for i in indices), shape)
    counts = np.bincount(flat, weights=weights[inside], minlength=int(np.prod(shape)))
    return counts.reshape(shape)


def expand(histogram: np.ndarray, present: Sequence[Axis], axes: Sequence[Axis]) -> np.ndarray:
    """A histogram over the ``present`` axes broadcast to all ``axes``, uniform in density
    along the missing ones (each bin gets the share of its width)."""
    names = [a.name for a in present]
    result = np.asarray(histogram, dtype=float)
    for position, axis in enumerate(axes):
        if axis.name not in names:
            widths = np.diff(axis.edges) / (axis.edges[-1] - axis.edges[0])
            shape = [1] * (result.ndim + 1)
            shape[position] = axis.size
            result = np.expand_dims(result, position) * widths.reshape(shape)
    return result


def efficiency_along(axis: Axis, efficiency, nodes_per_bin: int = 16) -> np.ndarray:
    """Mean of ``efficiency`` over each bin of ``axis`` (midpoint rule on a sub-grid)."""
    edges = axis.internal_edges
    fractions = (np.arange(nodes_per_bin) + 0.5) / nodes_per_bin
    points = edges[:-1, None] + np.diff(edges)[:, None] * fractions[None, :]
    if axis.name != "time":
        points = np.maximum(points, 0.0)
    values = np.asarray(efficiency(points), dtype=float)
    return values.mean(axis=1)


__all__ = [
    "Axis",
    "analysis_axes",
    "bin_rows",
    "binning_axes",
    "efficiency_along",
    "expand",
    "observable_unit",
    "read_table",
    "table_histogram",
]
