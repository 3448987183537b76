"""Figures of scans and limits: Δχ² curves, confidence regions, exclusion curves.

* 1D scan: Δχ² against the parameter, with the 68/90/95 % CL lines of one degree of
  freedom (Wilks; :func:`cevns.stats.inference.critical_delta_chi2`);
* 2D scan: filled regions at 68/90/95 % CL (Δχ² ≤ 2.30, 4.61, 5.99) and the best-fit
  point (the global fit, or the best grid point when the fit is outside the grid);
* limit: the upper limit on the coupling against the mass, log-log where the values are
  positive, the excluded side shaded.

Axes carry the parameters' symbols and units from the registry of new-physics parameters
(:mod:`cevns.plotting.labels`), legends name the levels "68 % CL", and scan figures mark
the Standard-Model point (each parameter's registered SM value) when it lies on the
plotted range. matplotlib is imported inside the functions (:mod:`cevns.plotting.figures`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from cevns.plotting.figures import axes_or_new, save
from cevns.plotting.labels import confidence_label, parameter_label, standard_model_value
from cevns.stats.inference import critical_delta_chi2
from cevns.stats.scan import CONFIDENCE_LEVELS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_COLOURS = ("#1b9e77", "#7570b3", "#d95f02")
#: Legend text of the Standard-Model point.
STANDARD_MODEL_LABEL = "Standard Model"


def plot_scan(
    table,
    path: str | Path | None = None,
    title: str = "",
    labels: Mapping[str, str] | None = None,
    *,
    ax: Axes | None = None,
) -> Figure:
    """The Δχ² curve (1D) or the confidence regions (2D) of a ScanTable.

    Drawn on ``ax`` (default: a new 6 × 4.5 inch figure), saved to ``path`` if given;
    returns the figure. ``labels`` maps parameter names to axis labels (default: each
    parameter's symbol and unit, :func:`~cevns.plotting.labels.parameter_label`).
    """
    figure, axes = axes_or_new(ax, figsize=(6, 4.5), layout="constrained")
    labels = labels or {}
    if len(table.axes) == 1:
        _curve(axes, table, labels)
    else:
        _regions(axes, table, labels)
    if title:
        axes.set_title(title)
    save(figure, path, dpi=120)
    return figure


def _curve(axes, table, labels: Mapping[str, str]) -> None:
    axis = table.axes[0]
    surface = table.surface()
    axes.plot(axis.values, surface, "k-", linewidth=1.5)
    bad = ~table.converged
    if bad.any():
        axes.plot(axis.values[bad], table.delta_chi2[bad], "rx", label="not converged")
    for level, colour in zip(CONFIDENCE_LEVELS, _COLOURS, strict=True):
        axes.axhline(
            critical_delta_chi2(level, 1),
            color=colour,
            linestyle="--",
            linewidth=1,
            label=confidence_label(level),
        )
    standard = _standard_model_point(table)
    if standard is not None:
        axes.axvline(standard[0], color="grey", linestyle=":", linewidth=1.5,
                     label=STANDARD_MODEL_LABEL)  # fmt: skip
    top = critical_delta_chi2(CONFIDENCE_LEVELS[-1], 1)
    finite = surface[np.isfinite(surface)]
    axes.set_ylim(0, max(2.0 * top, float(finite.max()) if finite.size else top) * 1.05)
    if axis.log:
        axes.set_xscale("log")
    axes.set_xlabel(labels.get(axis.name) or parameter_label(axis.name))
    axes.set_ylabel("Δχ²")
    axes.legend(fontsize="small")


def _regions(axes, table, labels: Mapping[str, str]) -> None:
    first, second = table.axes
    surface = table.surface()
    levels = [critical_delta_chi2(level, 2) for level in CONFIDENCE_LEVELS]
    filled = np.ma.masked_invalid(surface.T)
    axes.contourf(
        first.values, second.values, filled, levels=[0.0, *levels], colors=_COLOURS, alpha=0.5
    )
    axes.contour(first.values, second.values, filled, levels=levels, colors=_COLOURS, linewidths=1)
    best = _best_point(table)
    axes.plot(*best, "k*", markersize=10, label="best fit")
    standard = _standard_model_point(table)
    if standard is not None:
        axes.plot(*standard, "D", color="white", markeredgecolor="black", markersize=7,
                  label=STANDARD_MODEL_LABEL)  # fmt: skip
    for level, colour in zip(CONFIDENCE_LEVELS, _COLOURS, strict=True):
        axes.fill_between([], [], color=colour, alpha=0.5, label=confidence_label(level))
    bad = ~table.converged
    if bad.any():
        axes.plot(
            table.coordinates[bad, 0],
            table.coordinates[bad, 1],
            "rx",
            markersize=4,
            label="not converged",
        )
    if first.log:
        axes.set_xscale("log")
    if second.log:
        axes.set_yscale("log")
    axes.set_xlabel(labels.get(first.name) or parameter_label(first.name))
    axes.set_ylabel(labels.get(second.name) or parameter_label(second.name))
    axes.legend(fontsize="small")


def _standard_model_point(table) -> tuple[float, ...] | None:
    """Every scanned parameter's Standard-Model value, if all are registered and the point
    lies on the scanned range; else None."""
    point = []
    for axis in table.axes:
        value = standard_model_value(axis.name)
        if value is None or not min(axis.low, axis.high) <= value <= max(axis.low, axis.high):
            return None
        point.append(value)
    return tuple(point)


def _best_point(table) -> tuple[float, float]:
    """The global fit's values if they lie on the grid's area, else the best grid point."""
    values = table.global_fit.get("values") or {}
    names = table.parameters
    if table.global_fit.get("converged") and all(n in values for n in names):
        point = (float(values[names[0]]), float(values[names[1]]))
        if all(a.low <= v <= a.high for a, v in zip(table.axes, point, strict=True)):
            return point
    best = table.best()
    return (best[names[0]], best[names[1]])


def plot_limit(
    table,
    path: str | Path | None = None,
    title: str = "",
    labels: Mapping[str, str] | None = None,
    *,
    ax: Axes | None = None,
) -> Figure:
    """The limit curve of a LimitTable (coupling against mass).

    Drawn on ``ax`` (default: a new 6 × 4.5 inch figure), saved to ``path`` if given;
    returns the figure. ``labels`` maps parameter names to axis labels (default: each
    parameter's symbol and unit, :func:`~cevns.plotting.labels.parameter_label`).
    """
    labels = labels or {}
    figure, axes = axes_or_new(ax, figsize=(6, 4.5), layout="constrained")
    found = np.isfinite(table.limit)
    masses, limits = table.masses[found], table.limit[found]
    axes.plot(
        masses,
        limits,
        "k-",
        linewidth=1.5,
        label=f"{confidence_label(table.confidence_level)} upper limit",
    )
    if limits.size:
        top = float(limits.max()) * 10
        axes.fill_between(masses, limits, top, color=_COLOURS[1], alpha=0.3, label="excluded")
    if masses.size and np.all(masses > 0):
        axes.set_xscale("log")
    if limits.size and np.all(limits > 0):
        axes.set_yscale("log")
        axes.set_ylim(float(limits.min()) / 2, float(limits.max()) * 5)
    axes.set_xlabel(labels.get(table.mass.name) or parameter_label(table.mass.name))
    axes.set_ylabel(labels.get(table.coupling) or parameter_label(table.coupling))
    axes.legend(fontsize="small")
    if title:
        axes.set_title(title)
    save(figure, path, dpi=120)
    return figure
