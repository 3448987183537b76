"""Figures of the new-physics constraints from the COHERENT CsI 2021 and argon 2020 data.

Writes to docs/figures/ (and prints the numbers quoted in docs/physics.md):
  nsi_ee.png          ε_ee^uV vs ε_ee^dV, 90 % CL regions of CsI, argon and both
  zprime_bl.png       B−L vector-mediator exclusion, CsI, argon and both
  sin2_theta_w.png    Δχ²(sin²θ_W) from CsI
  magnetic_moment.png Δχ²(μ_νμ) from CsI
  flavored.png        σ_e/σ_e,SM vs σ_μ/σ_μ,SM from CsI
  sigma_vs_n.png      flux-averaged cross section against neutron number, with the fits

Usage: python scripts/make_physics_figures.py DATA_DIR [--quick]
(--quick: coarse grids, for a check that everything runs). Scan results are cached in
scan-results/ and reused with --resume semantics, so an interrupted run continues.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cevns.interactions.models import default_values
from cevns.plotting.physics import (
    plot_cross_section_vs_neutron_number,
    plot_overlaid_limits,
    plot_overlaid_regions,
)
from cevns.plotting.scans import plot_scan
from cevns.stats.assemble import build_analysis
from cevns.stats.fit import fit
from cevns.stats.likelihood import LikelihoodRecipe
from cevns.stats.limits import run_limit
from cevns.stats.scan import ScanAxis, run_scan
from cevns.units import cm2

FIGURES = Path("docs/figures")
RESULTS = Path("scan-results")
CSI, LAR = "coherent-csi-2021", "coherent-lar-2020"
COMBINATIONS = {"CsI": (CSI,), "Ar": (LAR,), "CsI + Ar": (CSI, LAR)}


def _scan(experiments, parameters, axes_text, name, data):
    recipe = LikelihoodRecipe.create(experiments, data, default_values(parameters),
                                     hold_signal_scales=True)  # fmt: skip
    axes = [ScanAxis.parse(text) for text in axes_text]
    output = RESULTS / f"{name}.jsonl"
    return run_scan(recipe, axes, output_path=output, resume=output.exists())


def nsi(data, n):
    grid = [f"eps_ee_u=-1:1:{n}", f"eps_ee_d=-1:1:{n}"]
    names = ("eps_ee_u", "eps_ee_d")
    tables = {
        label: _scan(exps, names, grid, f"nsi-{'-'.join(exps)}-{n}", data)
        for label, exps in COMBINATIONS.items()
    }
    labels = (r"$\varepsilon_{ee}^{uV}$", r"$\varepsilon_{ee}^{dV}$")
    plot_overlaid_regions(tables, FIGURES / "nsi_ee.png", 0.9, labels)
    for label, table in tables.items():
        inside = (table.surface() <= 4.605).sum()
        print(f"NSI {label}: {inside} of {table.surface().size} grid points inside the 90 % region")


def zprime(data, n):
    tables = {}
    for label, exps in COMBINATIONS.items():
        parameters = default_values(("zprime_bl_g", "zprime_mass"))
        recipe = LikelihoodRecipe.create(exps, data, parameters, hold_signal_scales=True)
        output = RESULTS / f"zprime-{'-'.join(exps)}-{n}.jsonl"
        mass = ScanAxis.parse(f"zprime_mass=1:10000:{n}:log")
        tables[label] = run_limit(
            recipe, mass, "zprime_bl_g", output_path=output, resume=output.exists()
        )
        table = tables[label]
        print(f"Z' (B-L) {label}: g < {table.limit[0]:.3g} at {table.masses[0]:.3g} MeV")
    plot_overlaid_limits(tables, FIGURES / "zprime_bl.png", ("$M_{Z'}$ [MeV]", "$g_{B-L}$"),
                         "B−L vector mediator, 90 % CL")  # fmt: skip


def one_dimensional(data, n):
    table = _scan((CSI,), ("sin2_theta_w",), [f"sin2_theta_w=0.12:0.34:{n}"], f"sin2-{n}", data)
    plot_scan(
        table, FIGURES / "sin2_theta_w.png", "CsI 2021", {"sin2_theta_w": r"$\sin^2\theta_W$"}
    )
    print("sin2_theta_w intervals:", [i.to_json() for i in table.intervals()])
    table = _scan((CSI,), ("mu_nu_mu",), [f"mu_nu_mu=0:400:{n}"], f"munu-{n}", data)
    plot_scan(table, FIGURES / "magnetic_moment.png", "CsI 2021",
              {"mu_nu_mu": r"$\mu_{\nu_\mu}$ [$10^{-10}\,\mu_B$]"})  # fmt: skip
    print("mu_nu_mu intervals:", [i.to_json() for i in table.intervals()])


def flavored(data, n):
    names = ("flavor_scale_e", "flavor_scale_mu")
    grid = [f"flavor_scale_e=0:2.5:{n}", f"flavor_scale_mu=0:2.5:{n}"]
    table = _scan((CSI,), names, grid, f"flavored-{n}", data)
    labels = {
        "flavor_scale_e": r"$\sigma_e/\sigma_e^{SM}$",
        "flavor_scale_mu": r"$\sigma_\mu/\sigma_\mu^{SM}$",
    }
    plot_scan(table, FIGURES / "flavored.png", "CsI 2021: flavoured cross sections", labels)


def sigma_vs_n(data):
    points = []
    for label, name, neutrons in (
        ("CsI 2021 (this fit)", CSI, 76),
        ("Ar 2020 (this fit)", LAR, 22),
    ):
        analysis = build_analysis(name, data)
        result = fit(analysis.cost, analysis.start, minos=[analysis.signal_scale])
        low, high = result.minos[analysis.signal_scale]
        sigma = analysis.standard_model_cross_section / (1e-40 * cm2)
        value = result.values[analysis.signal_scale]
        points.append({"label": label, "N": neutrons, "value": value * sigma,
                       "error_low": -low * sigma, "error_high": high * sigma})  # fmt: skip
    plot_cross_section_vs_neutron_number(points, FIGURES / "sigma_vs_n.png")


def main() -> None:
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    data = arguments[0] if arguments else None
    quick = "--quick" in sys.argv
    FIGURES.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    nsi(data, 11 if quick else 41)
    zprime(data, 5 if quick else 25)
    one_dimensional(data, 11 if quick else 45)
    flavored(data, 9 if quick else 31)
    sigma_vs_n(data)


if __name__ == "__main__":
    main()
