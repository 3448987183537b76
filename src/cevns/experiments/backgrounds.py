"""Background components of an experiment as observable × time histograms.

Each component is normalised to its expected ``counts`` inside the analysis window and
shaped by one of (see :class:`~cevns.experiments.schema.BackgroundSpec`):

* ``flat`` — uniform density in the observable and in time;
* ``events`` — a histogram of listed events (e.g. the anti-coincident CsI data as the
  steady-state shape);
* ``separable`` — an observable shape times a time shape, each a table of bin centres
  and weights (e.g. the CsI beam-related-neutron PE and t_rec shapes); each centre's weight
  goes to the analysis bin containing it.

Files are read relative to the data directory (:func:`cevns.data.locate.data_directory`);
when they are missing the component is returned as unavailable, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cevns.data.locate import data_directory
from cevns.errors import CevnsInputError
from cevns.experiments.build import Experiment
from cevns.experiments.schema import BackgroundSpec
from cevns.units import keVee, ns, us


@dataclass(frozen=True)
class BackgroundComponent:
    """One background: its histogram (None if unavailable) and why it is unavailable."""

    name: str
    expected_counts: float
    uncertainty: float
    histogram: np.ndarray | None
    unavailable_reason: str = ""

    @property
    def available(self) -> bool:
        return self.histogram is not None


def _observable_scale(experiment: Experiment) -> float:
    """Internal units of one observable unit in the data files (PE, or keVee)."""
    return 1.0 if experiment.spec.binning.observable == "photoelectrons" else keVee


def _read_table(path: Path, columns: int) -> np.ndarray:
    try:
        table = np.loadtxt(path, comments="#", ndmin=2)
    except (OSError, ValueError) as error:
        raise CevnsInputError(f"background file {path}: cannot be read ({error})") from None
    if table.shape[1] < columns:
        raise CevnsInputError(
            f"background file {path}: needs {columns} columns, has {table.shape[1]}"
        )
    return table


def _time_axis(experiment: Experiment) -> np.ndarray:
    if experiment.time_edges is None:
        return np.array([-np.inf, np.inf])
    return experiment.time_edges


def _shape(spec: BackgroundSpec, experiment: Experiment, folder: Path) -> np.ndarray:
    obs_edges = experiment.observable_edges
    time_edges = _time_axis(experiment)
    obs_scale = _observable_scale(experiment)
    time_scale = us if spec.time_shape_unit == "us" else ns
    if spec.shape == "flat":
        obs_width = np.diff(obs_edges) / (obs_edges[-1] - obs_edges[0])
        time_width = (
            np.diff(time_edges) / (time_edges[-1] - time_edges[0])
            if experiment.time_edges is not None
            else np.ones(1)
        )
        return np.outer(obs_width, time_width)
    if spec.shape == "events":
        events = _read_table(folder / spec.events_file, 2)
        histogram, _, _ = np.histogram2d(
            events[:, 0] * obs_scale, events[:, 1] * time_scale, bins=(obs_edges, time_edges)
        )
        return histogram
    if spec.shape == "template":
        obs_col, time_col, weight_col = spec.template_columns
        table = _read_table(folder / spec.template_file, max(spec.template_columns) + 1)
        histogram, _, _ = np.histogram2d(
            table[:, obs_col] * obs_scale,
            table[:, time_col] * time_scale,
            bins=(obs_edges, time_edges),
            weights=table[:, weight_col],
        )
        return histogram
    observable = _read_table(folder / spec.observable_shape_file, 2)
    times = _read_table(folder / spec.time_shape_file, 2)
    obs_hist, _ = np.histogram(
        observable[:, 0] * obs_scale, bins=obs_edges, weights=observable[:, 1]
    )
    time_hist, _ = np.histogram(times[:, 0] * time_scale, bins=time_edges, weights=times[:, 1])
    return np.outer(obs_hist, time_hist)


def build_backgrounds(
    experiment: Experiment, directory: str | Path | None = None
) -> list[BackgroundComponent]:
    """All background components of ``experiment``, normalised to their expected counts."""
    components = []
    for spec in experiment.spec.backgrounds:
        try:
            folder = data_directory(directory) if spec.shape != "flat" else Path(".")
            shape = _shape(spec, experiment, folder)
        except CevnsInputError as error:
            components.append(
                BackgroundComponent(spec.name, spec.counts, spec.uncertainty, None, str(error))
            )
            continue
        total = shape.sum()
        if total <= 0:
            reason = f"background {spec.name!r}: its shape has no weight inside the analysis window"
            components.append(
                BackgroundComponent(spec.name, spec.counts, spec.uncertainty, None, reason)
            )
            continue
        components.append(
            BackgroundComponent(
                spec.name, spec.counts, spec.uncertainty, shape / total * spec.counts
            )
        )
    return components
