"""Figures of a fit: data against the stacked fitted components in every projection.

For each analysis and each axis of its histogram, the data and the fitted components are
summed over the other axes; a lower panel shows the residuals (data − fit)/√fit.
matplotlib is imported inside the function (:mod:`cevns.plotting.figures`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from cevns.plotting.figures import figure_or_new, save

if TYPE_CHECKING:
    from matplotlib.figure import Figure, SubFigure


def plot_fit(
    analyses, result, path: str | Path | None = None, *, fig: Figure | SubFigure | None = None
) -> Figure | SubFigure:
    """One row of projections per analysis, drawn on ``fig`` (default: a new figure).

    Saved to ``path`` if given; returns the figure.
    """
    n_rows = len(analyses)
    n_cols = max(len(a.axes) for a in analyses)
    figure = figure_or_new(fig, figsize=(5 * n_cols, 5 * n_rows), layout="constrained")
    axes = figure.subplots(
        2 * n_rows, n_cols, squeeze=False, gridspec_kw={"height_ratios": [3, 1] * n_rows}
    )
    for row, analysis in enumerate(analyses):
        values = {name: result.values[name] for name in analysis.data._parameters}
        components = analysis.data.model.expected_by_component(values)
        observed = analysis.data.observed
        for column, (label, edges) in enumerate(analysis.axes):
            others = tuple(i for i in range(observed.ndim) if i != column)
            top, bottom = axes[2 * row, column], axes[2 * row + 1, column]
            _projection(top, bottom, np.asarray(edges), observed.sum(axis=others),
                        {n: h.sum(axis=others) for n, h in components.items()}, label)  # fmt: skip
            top.set_title(f"{analysis.name}")
        for column in range(len(analysis.axes), n_cols):
            axes[2 * row, column].set_axis_off()
            axes[2 * row + 1, column].set_axis_off()
    save(figure, path, dpi=120)
    return figure


def _projection(top, bottom, edges, data, components, label) -> None:
    """Stacked components and data: densities (events per unit of the axis) when the axis
    label names a unit in brackets, events per bin when it names none (a unitless axis
    such as a release's cS2 bins, whose widths would otherwise rescale the panel)."""
    unit = label[label.find("[") + 1 : label.find("]")] if "[" in label else None
    widths = np.diff(edges) if unit else np.ones(len(edges) - 1)
    baseline = np.zeros(len(edges) - 1)
    for name, counts in components.items():
        top.stairs((baseline + counts) / widths, edges, baseline=baseline / widths, fill=True,
                   alpha=0.6, label=name)  # fmt: skip
        baseline = baseline + counts
    centres = 0.5 * (edges[:-1] + edges[1:])
    top.errorbar(centres, data / widths, yerr=np.sqrt(data) / widths, fmt="ko", markersize=3,
                 label="data")  # fmt: skip
    top.set_ylabel(f"events per {unit or 'bin'}")
    top.legend(fontsize="small")
    safe = np.where(baseline > 0, baseline, 1.0)
    bottom.axhline(0, color="grey", linewidth=0.8)
    bottom.plot(centres, (data - baseline) / np.sqrt(safe), "ko", markersize=3)
    bottom.set_xlabel(label)
    bottom.set_ylabel("(data − fit)/√fit")
