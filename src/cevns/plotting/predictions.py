"""Figures of a prediction: recoil, observable and time spectra by flavour.

The time panel is drawn only when the prediction has time bins (a pulsed source binned in
time); a steady source (a reactor, the Sun) gets the two energy panels alone.
matplotlib is imported inside the function so the physics core never loads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from cevns.plotting.figures import figure_or_new, save
from cevns.sources.flavors import FLAVOR_LATEX

if TYPE_CHECKING:
    from matplotlib.figure import Figure, SubFigure

    from cevns.experiments.prediction import Prediction


def plot_prediction(
    prediction: Prediction,
    path: str | Path | None = None,
    *,
    fig: Figure | SubFigure | None = None,
) -> Figure | SubFigure:
    """The panels dN/dT, observable spectrum and, with time bins, time spectrum.

    Drawn on ``fig`` (default: a new figure, 5 inches wide per panel and 4.5 high), saved
    to ``path`` if given; returns the figure.
    """
    report = prediction.to_dict()
    times = report["time_edges_us"]
    timed = times is not None and len(times) > 2
    panels = 3 if timed else 2
    figure = figure_or_new(fig, figsize=(5 * panels, 4.5), layout="constrained")
    axes = figure.subplots(1, panels)
    recoil = report["recoil_spectrum"]
    for flavor, values in recoil["events_per_kev"].items():
        axes[0].plot(recoil["recoil_energy_kev"], values, label=FLAVOR_LATEX.get(flavor, flavor))
    axes[0].set_xlabel("nuclear recoil energy T [keV]")
    axes[0].set_ylabel("dN/dT [events/keV] (before response)")
    axes[0].legend()

    edges = np.asarray(report["observable_edges"])
    unit = "PE" if report["observable"] == "photoelectrons" else "keVee"
    _stacked_steps(
        axes[1], edges, report["observable_spectrum"], f"{report['observable']} [{unit}]", unit
    )
    if timed:
        _stacked_steps(axes[2], np.asarray(times), report["time_spectrum"], "time [µs]", "µs")
    figure.suptitle(
        f"{report['title'] or report['experiment']}: {report['total_events']:.1f} CEvNS events"
    )
    save(figure, path, dpi=130)
    return figure


def _stacked_steps(
    axis, edges: np.ndarray, by_flavor: dict[str, list[float]], label: str, unit: str
) -> None:
    """Events per unit of the axis, stacked by flavour, as step histograms."""
    widths = np.diff(edges)
    bottom = np.zeros(len(widths))
    for flavor, counts in by_flavor.items():
        density = np.asarray(counts) / widths
        axis.stairs(
            bottom + density,
            edges,
            baseline=bottom,
            fill=True,
            alpha=0.7,
            label=FLAVOR_LATEX.get(flavor, flavor),
        )
        bottom = bottom + density
    axis.set_xlabel(label)
    axis.set_ylabel(f"events per {unit}")
    axis.legend()
