"""Physics figures: the flux-averaged cross section against neutron number.

:func:`stopped_pion_cross_section` averages σ(E) over the three stopped-pion spectra
(equal numbers of ν_μ, ν_e, ν̄_μ), per nucleus, in 10⁻⁴⁰ cm². The figure follows
seeds/004 (Barbeau et al., figure 9): the F = 1 curve, the Helm curve with a band for
±3 % on the nuclear radius, and measured points.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cevns.interactions.cross_section import total_cross_section
from cevns.nuclear.form_factors import form_factors_for
from cevns.nuclear.isotopes import get_isotope
from cevns.sources import PionDecayAtRest
from cevns.units import cm2

#: Nuclei drawn on the N axis (stable, spin-zero where possible).
REFERENCE_NUCLEI = ("C12", "O16", "Na23", "Si28", "Ar40", "Ca48", "Ge74", "Ge76", "Sn120",
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
    measurements: list[dict], path: str | Path, nuclei: tuple[str, ...] = REFERENCE_NUCLEI
) -> Path:
    """σ vs N with F = 1, Helm ± 3 % radius, and ``measurements`` (dicts with label, N,
    value, error_low, error_high in 10⁻⁴⁰ cm²)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    neutrons = np.array([get_isotope(n).N for n in nuclei])
    unity = [stopped_pion_cross_section(n, None) for n in nuclei]
    helm = [stopped_pion_cross_section(n, 1.0) for n in nuclei]
    low = [stopped_pion_cross_section(n, 1.03) for n in nuclei]
    high = [stopped_pion_cross_section(n, 0.97) for n in nuclei]
    figure, axis = plt.subplots(figsize=(7, 5), constrained_layout=True)
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
    output = Path(path)
    figure.savefig(output, dpi=130)
    plt.close(figure)
    return output
