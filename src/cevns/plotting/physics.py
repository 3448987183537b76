"""Physics figures: the flux-averaged cross section against neutron number.

:func:`stopped_pion_cross_section` averages σ(E) over the three stopped-pion spectra
(equal numbers of ν_μ, ν_e, ν̄_μ), per nucleus, in 10⁻⁴⁰ cm². The figure follows
seeds/004 (Barbeau et al., figure 9): the F = 1 curve, the Helm curve with a band for
±3 % on the nuclear radius, and measured points.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from cevns.interactions.cross_section import total_cross_section
from cevns.nuclear.form_factors import form_factors_for
from cevns.nuclear.isotopes import get_isotope
from cevns.plotting.figures import axes_or_new, save
from cevns.plotting.labels import confidence_label, parameter_label
from cevns.sources import PionDecayAtRest
from cevns.units import cm2

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from cevns.stats.limit_table import LimitTable
    from cevns.stats.scan_table import ScanTable

#: Nuclei drawn on the N axis (stable, spin-zero where possible).
REFERENCE_NUCLEI = ("C12", "O16", "Na23", "Si28", "Ar40", "Ca48", "Zn68", "Ge74", "Ge76",
                    "I127", "Xe132", "Cs133", "Xe136", "W184", "Pb208")  # fmt: skip


def stopped_pion_cross_section(isotope_name: str, radius_scale: float | None = 1.0) -> float:
    """⟨σ⟩ over the stopped-pion flux (10⁻⁴⁰ cm²); ``radius_scale=None`` means F = 1."""
    iso = get_isotope(isotope_name)
    source = PionDecayAtRest(1.0)
    if radius_scale is None:
        form_factors = form_factors_for(iso.A, "none")
    else:
        default = form_factors_for(iso.A, "helm")
        radius = default.proton.rms_radius * radius_scale
        form_factors = form_factors_for(
            iso.A, "helm", proton_rms_radius=radius, neutron_rms_radius=radius
        )
    numerator = denominator = 0.0
    for flavor in source.flavors:
        quadrature = source.energy_quadrature(flavor)
        sigma = total_cross_section(quadrature.energies, iso, flavor, form_factors=form_factors)
        numerator += float(np.sum(quadrature.weights * sigma))
        denominator += quadrature.total
    return numerator / denominator / (1e-40 * cm2)


def plot_cross_section_vs_neutron_number(
    measurements: list[dict],
    path: str | Path | None = None,
    nuclei: tuple[str, ...] = REFERENCE_NUCLEI,
    *,
    ax: Axes | None = None,
) -> Figure:
    """σ vs N with F = 1, Helm ± 3 % radius, and ``measurements`` (dicts with label, N,
    value, error_low, error_high in 10⁻⁴⁰ cm²), on ``ax`` (default: a new figure), saved
    to ``path`` if given; returns the figure."""
    neutrons = np.array([get_isotope(n).N for n in nuclei])
    unity = [stopped_pion_cross_section(n, None) for n in nuclei]
    helm = [stopped_pion_cross_section(n, 1.0) for n in nuclei]
    low = [stopped_pion_cross_section(n, 1.03) for n in nuclei]
    high = [stopped_pion_cross_section(n, 0.97) for n in nuclei]
    figure, axis = axes_or_new(ax, figsize=(7, 5), layout="constrained")
    axis.plot(neutrons, unity, "k-", linewidth=0.8, label="F = 1")
    axis.fill_between(neutrons, low, high, color="tab:green", alpha=0.4, label="Helm, R ± 3 %")
    axis.plot(neutrons, helm, color="tab:green")
    for point in measurements:
        errors = [[point["error_low"]], [point["error_high"]]]
        axis.errorbar([point["N"]], [point["value"]], yerr=errors, fmt="o", capsize=3,
                      label=point["label"])  # fmt: skip
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("neutron number N")
    axis.set_ylabel("flux-averaged cross section [10⁻⁴⁰ cm²]")
    axis.set_title("CEvNS at a stopped-pion source")
    axis.legend()
    save(figure, path, dpi=130)
    return figure


def plot_overlaid_regions(
    tables: dict[str, ScanTable], path: str | Path | None = None, confidence_level: float = 0.9,
    labels: tuple[str, str] | None = None, title: str = "", *, ax: Axes | None = None,
) -> Figure:  # fmt: skip
    """The ``confidence_level`` regions of several 2D scans (``{label: ScanTable}``) in one
    plane, with the Standard-Model point (the grid value of each axis's SM default), on
    ``ax`` (default: a new figure), saved to ``path`` if given; returns the figure."""
    from cevns.interactions.models import PARAMETERS
    from cevns.stats.inference import critical_delta_chi2

    threshold = critical_delta_chi2(confidence_level, 2)
    figure, axis = axes_or_new(ax, figsize=(6, 5.5), layout="constrained")
    colours = ("tab:blue", "tab:orange", "tab:green", "tab:red")
    first = next(iter(tables.values()))
    names = first.parameters
    last = len(tables) - 1
    for index, ((label, table), colour) in enumerate(zip(tables.items(), colours, strict=False)):
        x, y = table.axes[0].values, table.axes[1].values
        surface = table.surface().T
        if index == last and last > 0:
            # The combination on top: hatched, so the single regions stay visible.
            axis.contourf(x, y, surface, levels=[-1, threshold], colors="none", hatches=["///"])
            axis.contour(x, y, surface, levels=[threshold], colors=[colour], linewidths=2)
            axis.fill([], [], facecolor="none", edgecolor=colour, hatch="///", label=label)
            continue
        axis.contourf(x, y, surface, levels=[-1, threshold], colors=[colour], alpha=0.3)
        axis.contour(x, y, surface, levels=[threshold], colors=[colour])
        axis.plot([], [], color=colour, linewidth=6, alpha=0.5, label=label)
    standard = [PARAMETERS[n].default if n in PARAMETERS else 1.0 for n in names]
    axis.plot(*standard, "k*", markersize=12, label="Standard Model")
    axis.set_xlabel(labels[0] if labels else parameter_label(names[0]))
    axis.set_ylabel(labels[1] if labels else parameter_label(names[1]))
    axis.set_title(title or f"{confidence_label(confidence_level)} regions (Wilks, 2 dof)")
    axis.legend()
    save(figure, path, dpi=130)
    return figure


def plot_overlaid_limits(
    tables: dict[str, LimitTable],
    path: str | Path | None = None,
    labels: tuple[str, str] | None = None,
    title: str = "",
    *,
    ax: Axes | None = None,
) -> Figure:
    """Upper-limit curves of several LimitTables (``{label: table}``), log-log, on ``ax``
    (default: a new figure), saved to ``path`` if given; returns the figure. ``labels``
    name the axes (default: the symbols and units of the first table's mass and coupling)."""
    figure, axis = axes_or_new(ax, figsize=(6.5, 5), layout="constrained")
    for label, table in tables.items():
        found = np.isfinite(table.limit)
        axis.plot(table.masses[found], table.limit[found], linewidth=1.8, label=label)
    axis.set_xscale("log")
    axis.set_yscale("log")
    if labels is None:
        first = next(iter(tables.values()))
        labels = (parameter_label(first.mass.name), parameter_label(first.coupling))
    axis.set_xlabel(labels[0])
    axis.set_ylabel(labels[1])
    axis.set_title(title)
    axis.legend(title="excluded above each curve")
    save(figure, path, dpi=130)
    return figure
