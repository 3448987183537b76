"""Figures without pyplot: no backend is chosen, switched or needed.

Every plotting function of :mod:`cevns.plotting` draws on an axes (or a figure) that the
caller passes, or on a new :class:`matplotlib.figure.Figure` made here, and returns the
figure. A bare ``Figure`` needs no backend: ``savefig`` picks the canvas from the file's
extension, so ``cevns … --plot FILE`` works headless, and the user's session keeps its
backend (``matplotlib.use`` is never called, pyplot never imported). matplotlib is
imported inside these functions, never at import of the physics core.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure


def new_figure(**options: Any) -> Figure:
    """A new figure that belongs to no backend and no pyplot state (``Figure(**options)``)."""
    from matplotlib.figure import Figure

    return Figure(**options)


def root_figure(figure: Figure | SubFigure) -> Figure:
    """The figure that holds ``figure`` (itself, or the top figure of a subfigure)."""
    from matplotlib.figure import Figure

    while not isinstance(figure, Figure):
        figure = figure.figure
    return figure


def axes_or_new(ax: Axes | None, **options: Any) -> tuple[Figure, Axes]:
    """``(its figure, ax)`` for the caller's axes, else a new figure with one axes."""
    if ax is not None:
        figure = ax.figure
        if figure is None:
            raise ValueError("the axes given belongs to no figure")
        return root_figure(figure), ax
    figure = new_figure(**options)
    return figure, figure.subplots()


def figure_or_new(fig: Figure | SubFigure | None, **options: Any) -> Figure | SubFigure:
    """The caller's figure (or subfigure) to draw panels on, else a new figure."""
    return new_figure(**options) if fig is None else fig


def save(figure: Figure | SubFigure, path: str | Path | None, dpi: float | None = None) -> None:
    """Save ``figure`` to ``path`` (nothing when ``path`` is None)."""
    if path is not None:
        root_figure(figure).savefig(Path(path), dpi="figure" if dpi is None else dpi)


__all__ = ["axes_or_new", "figure_or_new", "new_figure", "root_figure", "save"]
