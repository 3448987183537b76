"""The neutrino fog of ``cevns fog``: the n = 2 boundary and discovery limits against mass.

Drawn from the command's JSON-ready report (cross sections in cm², masses in GeV): the
n = 2 boundary as a thick line, the discovery limit at each reported exposure as thin lines,
and the published boundary values as markers. matplotlib is imported inside the function.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from cevns.plotting.figures import axes_or_new, save

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def plot_fog(
    report: dict[str, Any], path: str | Path | None = None, *, ax: Axes | None = None
) -> Figure:
    """The fog figure of ``report`` (from :func:`cevns.cli.fog.fog_report`) on ``ax``
    (default: a new figure), saved to ``path`` if given; returns the figure."""
    figure, axes = axes_or_new(ax, figsize=(6.5, 4.5), layout="constrained")
    masses = report["masses"]
    exposures = [d["exposure_tonne_year"] for d in masses[0]["discovery_limits"]]
    for index, exposure in enumerate(exposures):
        points = [(m["wimp_mass_gev"], m["discovery_limits"][index]["cross_section_cm2"])
                  for m in masses if m["discovery_limits"][index]["cross_section_cm2"]]  # fmt: skip
        if points:
            x, y = zip(*points, strict=True)
            axes.plot(x, y, lw=1, alpha=0.8, label=f"discovery limit, {exposure:g} t yr")
    boundary = [(m["wimp_mass_gev"], m["n2_boundary"]["cross_section_cm2"])
                for m in masses if m["n2_boundary"]]  # fmt: skip
    if boundary:
        x, y = zip(*boundary, strict=True)
        axes.plot(x, y, color="black", lw=2.5, label="n = 2 boundary (this work)")
    for key, marker in (("ohare_2021", "o"), ("billard_2014", "s")):
        entry = report["published"].get(key)
        if entry and entry["comparisons"]:
            axes.plot(
                [c["wimp_mass_gev"] for c in entry["comparisons"]],
                [c["published_cm2"] for c in entry["comparisons"]],
                marker,
                mfc="none",
                color="tab:red",
                label=key.replace("_", " "),
            )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("WIMP mass [GeV]")
    axes.set_ylabel("SI WIMP–nucleon cross section [cm²]")
    axes.set_title(
        f"Neutrino fog on {report['target']} (threshold {report['threshold_kev']:g} keV, "
        f"inputs {report['inputs']})",
        fontsize=10,
    )
    axes.legend(fontsize=7)
    save(figure, path)
    return figure


__all__ = ["plot_fog"]
