"""Background components of a document as histograms on named axes.

Each component (:class:`~cevns.experiments.schema.BackgroundSpec`) has a shape and a
normalisation:

* ``flat`` — uniform in every axis;
* ``events`` — a histogram of listed events (e.g. the anti-coincident CsI data);
* ``template`` — rows of bin centres with a ``weight`` (e.g. the argon release's 3D
  templates), columns that are no axis summed over;
* ``separable`` — a product of one factor per axis: a table projected on that axis, flat,
  or exp(−r·x) with a rate r that a fit may free (the steady-state afterglow in time);
  axes without a factor are flat;
* ``histogram`` — a histogram file on the analysis axes (HDF5, e.g. a XENONnT template),
  or one per grid point of nuisance parameters, interpolated multilinearly between them
  (:mod:`cevns.detectors.template_grid`): the nominal histogram times the grid's ratio to
  its nominal point, so a normalisation set by ``counts`` or ``rate`` is kept there.

Normalised to ``counts`` in the analysis region, to ``rate`` × exposure, or to the shape's
own total (an event list's count in the region, a template's sum; for a separable shape,
its first table factor's total). ``apply_efficiency`` then multiplies by the detector's
energy and time efficiencies, bin-averaged.

A file that cannot be found in the document's folder or the data directory makes the
component unavailable for a prediction (with that reason); a file that is found but cannot
be read, or whose columns do not match, is an error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cevns.data.tables import resolve_path
from cevns.detectors.template_grid import GridHistograms
from cevns.errors import CevnsInputError
from cevns.experiments.analysis_schema import TableSpec
from cevns.experiments.background_schema import BackgroundSpec, FactorSpec
from cevns.experiments.build import Experiment, exposure_time
from cevns.experiments.exponential_factors import (
    exponential_fraction_slopes,
    exponential_fractions,
)
from cevns.experiments.histograms import (
    Axis,
    binning_axes,
    efficiency_along,
    expand,
    table_histogram,
)
from cevns.experiments.template_files import load_histogram_grid
from cevns.experiments.template_schema import fill_pattern
from cevns.units import day, kg, tonne, year

#: Exposure per unit of ``rate.per``: (detector mass unit, time unit) or protons.
_EXPOSURE_UNITS = {
    "kg day": (kg, day),
    "kg yr": (kg, year),
    "t yr": (tonne, year),
}


class MissingFileError(CevnsInputError):
    """A table a component needs is in neither the document's folder nor the data
    directory (predictions report the component as unavailable)."""


@dataclass(frozen=True)
class BackgroundShape:
    """A background's histogram as a function of its shape parameters.

    ``parameters`` maps the parameters the shape reads (an exponential's free rate) to
    their document values; :meth:`histogram` evaluates at given values (missing ones take
    the document values).
    """

    name: str
    fixed: np.ndarray
    exponential_axes: tuple[tuple[int, np.ndarray, str | None, float], ...] = ()
    parameters: Mapping[str, float] = field(default_factory=dict)
    grid: GridHistograms | None = None

    def __call__(self, values: Mapping[str, float] | None = None) -> np.ndarray:
        return self.histogram(values)

    def gradient(self, values: Mapping[str, float]) -> dict[str, np.ndarray]:
        """∂histogram/∂θ by the product rule: the grid's slope times the fixed ratio to its
        nominal point, and each free exponential rate's
        :func:`exponential_fraction_slopes`, times the other factors."""
        base = self.fixed
        result: dict[str, np.ndarray] = {}
        if self.grid is not None:
            nominal = self.grid.at(self.grid.nominal_point)
            safe = np.where(nominal > 0, nominal, 1.0)
            ratio = np.where(nominal > 0, self.fixed / safe, 0.0)
            base = ratio * self.grid.at(values)
            result = {k: ratio * v for k, v in self.grid.gradient(values).items()}
        factors = []
        for position, edges, parameter, rate in self.exponential_axes:
            if parameter is not None:
                rate = values.get(parameter, rate)
            shape = [1] * base.ndim
            shape[position] = edges.size - 1
            factors.append((
                parameter,
                (exponential_fractions(edges, rate) * (edges.size - 1)).reshape(shape),
                (exponential_fraction_slopes(edges, rate) * (edges.size - 1)).reshape(shape),
            ))  # fmt: skip
        for name in result:
            for _, factor, _ in factors:
                result[name] = result[name] * factor
        for index, (parameter, _, slope) in enumerate(factors):
            if parameter is None:
                continue
            term = base * slope
            for other, (_, factor, _) in enumerate(factors):
                if other != index:
                    term = term * factor
            result[parameter] = result[parameter] + term if parameter in result else term
        return result

    def histogram(self, values: Mapping[str, float] | None = None) -> np.ndarray:
        values = values or {}
        result = self.fixed
        if self.grid is not None:
            # ``fixed`` is the histogram at the nominal point; the grid moves it.
            nominal = self.grid.at(self.grid.nominal_point)
            safe = np.where(nominal > 0, nominal, 1.0)
            result = np.where(nominal > 0, self.fixed / safe, 0.0) * self.grid.at(values)
        for position, edges, parameter, rate in self.exponential_axes:
            if parameter is not None:
                rate = values.get(parameter, rate)
            # ``fixed`` is uniform per bin along this axis: the fractions times the number
            # of bins keep its total.
            fractions = exponential_fractions(edges, rate) * (edges.size - 1)
            shape = [1] * result.ndim
            shape[position] = fractions.size
            result = result * fractions.reshape(shape)
        return result


@dataclass(frozen=True)
class BackgroundComponent:
    """One background of a prediction: its histogram (None if unavailable) and why."""

    name: str
    expected_counts: float
    uncertainty: float
    histogram: np.ndarray | None
    unavailable_reason: str = ""

    @property
    def available(self) -> bool:
        return self.histogram is not None


def _exposure(spec: BackgroundSpec, experiment: Experiment) -> float:
    assert spec.rate is not None  # called for a background given as a rate
    return _exposure_in(spec.rate.per, spec.name, experiment)


def _exposure_in(per: str, name: str, experiment: Experiment) -> float:
    """The experiment's exposure in units of ``per`` (protons, or mass × time)."""
    if per == "protons":
        if experiment.spec.source.kind != "pion-decay-at-rest":
            raise CevnsInputError(
                f"background {name}: rate per protons needs an accelerator source; "
                f"this experiment's is {experiment.spec.source.kind}"
            )
        return experiment.flux.units_of_source
    mass_unit, time_unit = _EXPOSURE_UNITS[per]
    time = exposure_time(experiment.spec)
    if time is None:
        raise CevnsInputError(
            f"background {name}: rate per {per} needs exposure.time (or exposure.exposure) "
            "in the document"
        )
    return experiment.detector_mass / mass_unit * time / time_unit


def _factor(
    factor: FactorSpec,
    axes: Sequence[Axis],
    field_name: str,
    folders: tuple[Path | None, str | os.PathLike[str] | None],
) -> np.ndarray:
    """A table factor projected on its axis (unnormalised)."""
    assert factor.table is not None  # FactorSpec: a factor without a function has a table
    histogram, present = table_histogram(
        factor.table,
        axes,
        field_name,
        base_dir=folders[0],
        data_dir=folders[1],
        required=[factor.axis],
    )
    keep = [a.name for a in present].index(factor.axis)
    other = tuple(i for i in range(histogram.ndim) if i != keep)
    return histogram.sum(axis=other) if other else histogram


def check_files(spec: BackgroundSpec, base_dir: Path | None, data_dir) -> None:
    """Raise :class:`MissingFileError` if a table of ``spec`` is in neither place."""
    tables = [spec.table] if spec.table is not None else []
    tables += [f.table for f in spec.factors if f.table is not None]
    # A background's systematics are template systematics (BackgroundSpec): tables.
    tables += [s.up for s in spec.systematics if isinstance(s.up, TableSpec)]
    tables += [s.down for s in spec.systematics if isinstance(s.down, TableSpec)]
    files = [table.file for table in tables]
    if spec.histogram is not None:
        points = spec.histogram.grid_points() if spec.histogram.grid else [{}]
        files += [fill_pattern(spec.histogram.file, point) for point in points]
    for file in files:
        try:
            resolve_path(file, f"backgrounds.{spec.name}", base_dir, data_dir)
        except FileNotFoundError as error:
            raise MissingFileError(str(error)) from None


def background_shape(
    spec: BackgroundSpec,
    experiment: Experiment,
    axes: Sequence[Axis],
    data_dir: str | os.PathLike[str] | None = None,
) -> BackgroundShape:
    """The histogram of background ``spec`` on ``axes``, normalised as the document says."""
    folders = (experiment.spec.folder, data_dir)
    where = f"backgrounds.{spec.name}"
    check_files(spec, *folders)
    shape_sizes = tuple(a.size for a in axes)
    exponentials: list[tuple[int, np.ndarray, str | None, float]] = []
    parameters: dict[str, float] = {}
    own_total = None
    grid = None
    if spec.shape == "histogram":
        assert spec.histogram is not None  # BackgroundSpec: shape histogram has its files
        stored = load_histogram_grid(spec.histogram, f"{where}.histogram", *folders)
        check_axes_match(stored.axis_names, stored.edges, axes, f"{where}.histogram")
        grid = GridHistograms(
            stored.grid.parameters,
            stored.grid.values,
            stored.grid.histograms.reshape(
                stored.grid.histograms.shape[: len(stored.grid.parameters)] + shape_sizes
            ),
        )
        fixed = grid.at(grid.nominal_point)
        parameters.update(grid.nominal_point)
        own_total = float(fixed.sum())
        if spec.histogram.per is not None:
            own_total *= _exposure_in(spec.histogram.per, spec.name, experiment)
    elif spec.shape == "flat":
        fixed = expand(np.array(1.0), [], axes)
    elif spec.shape in ("events", "template"):
        assert spec.table is not None  # BackgroundSpec: these shapes need a table
        histogram, present = table_histogram(
            spec.table, axes, f"{where}.table", base_dir=folders[0], data_dir=data_dir
        )
        fixed = expand(histogram, present, axes)
        own_total = float(fixed.sum())
    else:
        names = [a.name for a in axes]
        fixed = np.ones(shape_sizes)
        for index, factor in enumerate(spec.factors):
            if factor.axis not in names:
                raise CevnsInputError(
                    f"{where}.factors[{index}]: axis {factor.axis!r} is not an analysis axis "
                    f"({', '.join(names)})"
                )
            position = names.index(factor.axis)
            axis = axes[position]
            if factor.function == "exponential":
                exponentials.append((position, axis.edges, factor.rate_parameter, factor.rate))
                if factor.rate_parameter is not None:
                    parameters[factor.rate_parameter] = factor.rate
                continue
            if factor.function == "flat":
                values = np.diff(axis.edges)
            else:
                values = _factor(factor, axes, f"{where}.factors[{index}].table", folders)
                if values.sum() <= 0:
                    raise CevnsInputError(
                        f"{where}.factors[{index}]: the table has no weight inside the "
                        f"analysis region of axis {factor.axis!r}"
                    )
                own_total = float(values.sum()) if own_total is None else own_total
            shape = [1] * len(axes)
            shape[position] = axis.size
            fixed = fixed * (values / values.sum()).reshape(shape)
        for position, axis in enumerate(axes):
            if axis.name not in [f.axis for f in spec.factors]:
                shape = [1] * len(axes)
                shape[position] = axis.size
                fixed = fixed * np.diff(axis.edges).reshape(shape)
        fixed = fixed / fixed.sum()
    if fixed.sum() <= 0:
        raise CevnsInputError(f"{where}: its shape has no weight inside the analysis region")
    if spec.counts is not None:
        total = spec.counts
    elif spec.rate is not None:
        total = spec.rate.value * _exposure(spec, experiment)
    else:
        own = own_total if spec.shape != "separable" else own_total or 1.0
        # BackgroundSpec: a flat shape has counts or rate; the other shapes set own_total.
        assert own is not None
        total = own
    fixed = fixed / fixed.sum() * total
    if spec.apply_efficiency:
        fixed = fixed * efficiency_factors(experiment, axes)
    return BackgroundShape(spec.name, fixed, tuple(exponentials), parameters, grid)


def check_axes_match(
    names: Sequence[str], edges: Sequence[np.ndarray], axes: Sequence[Axis], where: str
) -> None:
    """Refuse a stored histogram whose bins differ from the analysis axes (same number of
    axes, bins and edges to 1e-6 relative; the names may differ)."""
    if len(edges) != len(axes) or any(
        e.size != a.edges.size or not np.allclose(e, a.edges, rtol=1e-6, atol=1e-12)
        for e, a in zip(edges, axes, strict=False)
    ):
        stored = ", ".join(f"{n} ({e.size - 1} bins)" for n, e in zip(names, edges, strict=True))
        declared = ", ".join(f"{a.name} ({a.size} bins)" for a in axes)
        raise CevnsInputError(
            f"{where}: the file's bins ({stored}) differ from the analysis axes ({declared}); "
            "give analysis.axes the file's edges"
        )


def efficiency_factors(experiment: Experiment, axes: Sequence[Axis]) -> np.ndarray:
    """The detector's energy efficiency along ``observable`` times its time efficiency
    along ``time``, bin-averaged and broadcast to the histogram's shape."""
    factors = np.ones(tuple(a.size for a in axes))
    for position, axis in enumerate(axes):
        if axis.name == "observable":
            along = efficiency_along(axis, experiment.energy_efficiency)
        elif axis.name == "time":
            along = efficiency_along(axis, experiment.time_efficiency)
        else:
            continue
        shape = [1] * len(axes)
        shape[position] = axis.size
        factors = factors * along.reshape(shape)
    return factors


def build_backgrounds(
    experiment: Experiment, data_dir: str | os.PathLike[str] | None = None
) -> list[BackgroundComponent]:
    """Every background of ``experiment`` on its binning axes, at the document's values.

    A component whose file is in neither the document's folder nor the data directory is
    unavailable (with the reason); any other problem with a file raises.
    """
    templates = experiment.recoil_templates
    if templates is not None:
        # Template bins: the templates' own axes, flattened like the engine's bins.
        axes = [
            Axis(n, e, None) for n, e in zip(templates.axis_names, templates.edges, strict=True)
        ]
    else:
        axes = binning_axes(experiment.spec)
    components = []
    for spec in experiment.spec.backgrounds:
        try:
            shape = background_shape(spec, experiment, axes, data_dir)
        except MissingFileError as error:
            components.append(
                BackgroundComponent(
                    spec.name, spec.counts or 0.0, spec.uncertainty, None, str(error)
                )
            )
            continue
        histogram = shape.histogram()
        if len(axes) == 1 or templates is not None:
            histogram = histogram.reshape(-1, 1)
        components.append(
            BackgroundComponent(spec.name, float(histogram.sum()), spec.uncertainty, histogram)
        )
    return components


__all__ = [
    "BackgroundComponent",
    "BackgroundShape",
    "MissingFileError",
    "background_shape",
    "build_backgrounds",
    "efficiency_factors",
    "exponential_fraction_slopes",
    "exponential_fractions",
]
