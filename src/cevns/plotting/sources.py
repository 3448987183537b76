"""Slide-ready figures of neutrino sources: energy spectra and emission-time densities.

matplotlib is imported inside each function, never at import of the physics core; figures
are bare :class:`matplotlib.figure.Figure` objects (:mod:`cevns.plotting.figures`), so no
backend is chosen, and the slide style (larger fonts) applies only to figures made here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cevns.errors import CevnsInputError
from cevns.plotting.figures import axes_or_new, figure_or_new, save
from cevns.sources.base import NeutrinoSource
from cevns.sources.flavors import FLAVOR_LATEX
from cevns.units import MeV, ns, us

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

#: Colours per flavour (colour-blind-safe Okabe–Ito palette).
FLAVOR_COLORS = {
    "nu_e": "#0072B2",
    "nu_mu": "#D55E00",
    "nu_tau": "#009E73",
    "nu_e_bar": "#56B4E9",
    "nu_mu_bar": "#E69F00",
    "nu_tau_bar": "#CC79A7",
}


#: Font sizes of the slide-ready figures made here (never set globally).
SLIDE_STYLE: dict[Any, float] = {"font.size": 14, "axes.labelsize": 15, "legend.fontsize": 13}


@contextmanager
def _slide_style(active: bool = True) -> Iterator[None]:
    """:data:`SLIDE_STYLE` while figures are made here (not on the caller's axes)."""
    if not active:
        yield
        return
    import matplotlib

    with matplotlib.rc_context(SLIDE_STYLE):
        yield


def plot_energy_spectra(
    source: NeutrinoSource, ax: Axes | None = None, normalised: bool = True
) -> Figure:
    """Draw dN/dE per flavour (per MeV); lines (deltas) as labelled vertical bars.

    With ``normalised`` each flavour is divided by its number of neutrinos, so the curves
    are probability densities (per MeV) and a line's bar is drawn to the top of the axes.
    Drawn on ``ax`` (default: a new 8 × 5.5 inch figure); returns the figure.
    """
    with _slide_style(ax is None):
        figure, ax = axes_or_new(ax, figsize=(8, 5.5))
        _energy_spectra(source, ax, normalised)
    return figure


def _energy_spectra(source: NeutrinoSource, ax: Axes, normalised: bool) -> None:
    top = 0.0
    lines = []
    for flavor in source.flavors:
        scale = 1.0 / source.neutrinos_per_unit(flavor) if normalised else 1.0
        color = FLAVOR_COLORS[flavor]
        low, high = source.energy_range(flavor)
        if low == high:
            lines.append((flavor, low, color))
            continue
        energies = np.linspace(low, high, 600)
        density = source.spectral_density(flavor, energies) * scale * MeV
        top = max(top, float(np.max(density)))
        mean = source.mean_energy(flavor) / MeV
        label = rf"{FLAVOR_LATEX[flavor]} ($\langle E\rangle$ = {mean:.1f} MeV)"
        ax.plot(energies / MeV, density, color=color, lw=2.5, label=label)
        ax.axvline(mean, color=color, lw=1, ls=":", alpha=0.8)
    height = 1.15 * top if top > 0 else 1.0
    for flavor, energy, color in lines:
        ax.vlines(energy / MeV, 0, height, color=color, lw=3.5, label=FLAVOR_LATEX[flavor])
        ax.annotate(
            f"{energy / MeV:.2f} MeV line",
            (energy / MeV, 0.93 * height),
            xytext=(6, 0),
            textcoords="offset points",
            color=color,
            fontsize=12,
        )
    ax.set_ylim(0, height * 1.02)
    ax.set_xlim(left=0)
    ax.set_xlabel(r"neutrino energy $E_\nu$ [MeV]")
    ax.set_ylabel(r"$(1/N)\,dN/dE$ [MeV$^{-1}$]" if normalised else r"$dN/dE$ [MeV$^{-1}$]")
    ax.legend(frameon=False)


def plot_time_densities(
    source: Any, ax: Axes | None = None, t_min: float | None = None, t_max: float | None = None
) -> Figure:
    """Draw the emission-time density per flavour (per µs) of a pulsed source.

    The default window runs from −max(1 µs, 1.5 FWHM) to max(10 µs, 1.5 FWHM + 4 τ_μ).
    Drawn on ``ax`` (default: a new 8 × 5.5 inch figure); returns the figure.
    """
    with _slide_style(ax is None):
        figure, ax = axes_or_new(ax, figsize=(8, 5.5))
        _time_densities(source, ax, t_min, t_max)
    return figure


def _time_densities(source: Any, ax: Axes, t_min: float | None, t_max: float | None) -> None:
    width = 1.5 * source.pulse.fwhm
    if t_min is None:
        t_min = -max(1 * us, width)
    if t_max is None:
        t_max = max(10 * us, width + 4 * source.timing.muon_lifetime)
    times = np.linspace(t_min, t_max, 2000)
    ax.plot(times / us, _pulse_curve(source, times), color="0.6", lw=1.5, ls="--",
            label="proton pulse")  # fmt: skip
    groups: list[tuple[list[str], np.ndarray]] = []  # flavours sharing one time density
    for flavor in source.flavors:
        density = source.time_density(flavor, times) * us
        for names, shared in groups:
            if np.allclose(density, shared, rtol=1e-12, atol=0.0):
                names.append(flavor)
                break
        else:
            groups.append(([flavor], density))
    for names, density in groups:
        fraction = float(source.time_cdf(names[0], 1 * us))
        label = ", ".join(FLAVOR_LATEX[f] for f in names)
        ax.plot(times / us, density, color=FLAVOR_COLORS[names[0]], lw=2.5,
                label=f"{label} ({100 * fraction:.2f}% before 1 µs)")  # fmt: skip
    ax.axvline(1.0, color="0.3", lw=1, ls=":")
    ax.set_xlim(t_min / us, t_max / us)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(r"time after pulse centre $t$ [µs]")
    ax.set_ylabel(r"emission density [µs$^{-1}$]")
    fwhm = source.pulse.fwhm / ns
    ax.legend(frameon=False, title=f"pulse FWHM {fwhm:.0f} ns" if fwhm > 0 else None)


def _pulse_curve(source, times: np.ndarray) -> np.ndarray:
    """The proton pulse density per µs (zeros for an instantaneous pulse)."""
    try:
        return source.pulse.density(times) * us
    except CevnsInputError:  # an instantaneous pulse has no density
        return np.zeros_like(times)


def plot_source_overview(
    source: NeutrinoSource,
    path: str | Path | None = None,
    title: str | None = None,
    *,
    fig: Figure | SubFigure | None = None,
) -> Figure | SubFigure:
    """The energy spectra, and for pulsed sources the time densities, side by side.

    Drawn on ``fig`` (default: a new figure in the slide style), saved to ``path`` if
    given; returns the figure.
    """
    pulsed = hasattr(source, "time_density")
    with _slide_style(fig is None):
        fig = figure_or_new(fig, figsize=(15 if pulsed else 8, 5.5), layout="tight")
        axes = fig.subplots(1, 2 if pulsed else 1, squeeze=False)[0]
        _energy_spectra(source, axes[0], normalised=True)
        if pulsed:
            _time_densities(source, axes[1], None, None)
        if title:
            fig.suptitle(title, fontsize=16)
        save(fig, path, dpi=150)  # in the style: tick labels are made when drawn
    return fig


def save_figure(
    draw: Callable[..., Any], path: str | Path, title: str | None = None, **kwargs: Any
) -> Path:
    """Call ``draw(ax=..., **kwargs)`` on a new 8×5.5-inch axes and save it to ``path``."""
    with _slide_style():
        fig, ax = axes_or_new(None, figsize=(8, 5.5), layout="tight")
        draw(ax=ax, **kwargs)
        if title:
            ax.set_title(title, fontsize=15)
        save(fig, path, dpi=150)
    return Path(path)


__all__ = [
    "FLAVOR_COLORS",
    "SLIDE_STYLE",
    "plot_energy_spectra",
    "plot_source_overview",
    "plot_time_densities",
    "save_figure",
]
