"""Figure of ``cevns darkmatter``: event limits and the coupling limit against m_chi."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from cevns.beamdump.published import published_curves
from cevns.plotting.figures import figure_or_new, save

if TYPE_CHECKING:
    from matplotlib.figure import Figure, SubFigure


def plot_darkmatter(
    report: dict[str, Any], path: str | Path | None = None, *, fig: Figure | SubFigure | None = None
) -> Figure | SubFigure:
    """Expected events at the reference coupling and, if fitted, the 90 % CL limits, with
    COHERENT's published event limits and coupling curve when the run's settings are the
    published figure's (:func:`cevns.beamdump.published.published_curves`).

    Two panels drawn on ``fig`` (default: a new 10 × 4 inch figure), saved to ``path`` if
    given; returns the figure.
    """
    rows = report["masses"]
    masses = [r["m_chi_mev"] for r in rows]
    fig = figure_or_new(fig, figsize=(10, 4), layout="tight")
    axes = fig.subplots(1, 2)
    axes[0].loglog(masses, [max(r["events_reference"], 1e-30) for r in rows], "o-",
                   label="expected (reference coupling)")  # fmt: skip
    if "event_limit_feldman_cousins" in rows[0]:
        axes[0].plot(masses, [r["event_limit_feldman_cousins"] for r in rows], "s-",
                     label="90 % CL limit (FC)")  # fmt: skip
        published = [(r["m_chi_mev"], r["published_event_limit"]) for r in rows
                     if r["published_event_limit"]]  # fmt: skip
        if published:
            axes[0].plot(*zip(*published, strict=True), "k*", label="arXiv:2110.11453")
        key = "y_limit" if report["portal"] == "vector" else "alpha_b_limit"
        limits = [float("nan") if r[key] is None else r[key] for r in rows]  # None: no limit
        axes[1].loglog(masses, limits, "o-", label="cevns, 90 % CL")
        if rows[0].get("y_relic"):
            axes[1].plot(masses, [r["y_relic"] for r in rows], "k--", label="relic density (cevns)")
        for (label, curve_masses, values), style in zip(
            published_curves(report), ("-", ":"), strict=False
        ):
            axes[1].plot(curve_masses, values, style, color="purple", label=label)
        axes[1].set_ylabel(r"$Y$" if key == "y_limit" else r"$\alpha_B$")
        axes[1].legend()
    axes[0].set_ylabel("dark-matter events")
    for ax in axes:
        ax.set_xlabel(r"$m_\chi$ [MeV]")
    axes[0].legend()
    save(fig, path)
    return fig
