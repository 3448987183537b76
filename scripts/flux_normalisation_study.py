"""The SNS flux normalisation from the D2O detector and what it does to the CsI + argon NSI
region (issue 13, item 4; docs/inelastic.md, "Flux normalisation").

1. The D2O flux precision against running time: statistical 1/sqrt(N) and with the
   nu_e d cross-section uncertainty (2 % and 3 %) added.
2. A 41 x 41 profile-likelihood scan of eps_ee^uV x eps_ee^dV over [-1, 1]^2 for the
   COHERENT CsI 2021 + argon 2020 data with the documents' 10 % flux prior, and again with
   an Asimov D2O measurement (2 years of the coherent-d2o preset, sigma_xs = 2 %) added as
   a term of the likelihood (cevns.stats.d2o_flux): the 90 % CL areas, and a figure.
3. sin^2 theta_W from CsI + argon with and without the D2O term.

Usage: python scripts/flux_normalisation_study.py DATA_DIR [--quick]
(--quick: an 11 x 11 grid). Scan results are cached in scan-results/ (resumed).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from iminuit import Minuit

from cevns.experiments.load import document_text
from cevns.interactions.models import default_values
from cevns.plotting.physics import plot_overlaid_regions
from cevns.stats.d2o_flux import BUILDER, d2o_events, flux_precision
from cevns.stats.likelihood import LikelihoodRecipe
from cevns.stats.scan import ScanAxis, run_scan

FIGURES = Path("docs/figures")
RESULTS = Path("scan-results")
CSI, LAR = "coherent-csi-2021", "coherent-lar-2020"
HELD = {"csi_cevns_scale": 1.0, "lar_cevns_scale": 1.0}
D2O_YEARS = 2


def d2o_document(years: float, folder: Path) -> str:
    """The coherent-d2o preset with an exposure of ``years`` calendar years."""
    text = document_text("coherent-d2o").replace('time = "1 year"', f'time = "{years} year"')
    path = folder / f"coherent-d2o-{years}y.toml"
    path.write_text(text.replace('name = "coherent-d2o"', f'name = "coherent-d2o-{years}y"'))
    return str(path)


def precision_table() -> None:
    per_year = d2o_events("coherent-d2o")
    print(f"D2O nu_e d CC events per year (coherent-d2o): {per_year:.1f}")
    print("years  N      stat    +2 % xs  +3 % xs")
    for years in (0.25, 0.5, 1, 2, 3, 5):
        n = per_year * years
        print(
            f"{years:<6g} {n:<6.0f} {1 / np.sqrt(n):.2%}   {flux_precision(n, 0.02):.2%}   "
            f"{flux_precision(n, 0.03):.2%}"
        )


def scan(experiments, name, data, n):
    recipe = LikelihoodRecipe.create(
        experiments, data, default_values(("eps_ee_u", "eps_ee_d")), fixed=HELD, builder=BUILDER
    )
    axes = [ScanAxis.parse(f"eps_ee_u=-1:1:{n}"), ScanAxis.parse(f"eps_ee_d=-1:1:{n}")]
    output = RESULTS / f"{name}-{n}.jsonl"
    return run_scan(recipe, axes, output_path=output, resume=output.exists())


def sin2_theta_w(experiments, data) -> tuple[float, float, float, float]:
    """sin^2 theta_W with MINOS errors, and the fitted flux_norm error (HESSE)."""
    recipe = LikelihoodRecipe.create(
        experiments, data, default_values(("sin2_theta_w",)), fixed=HELD, builder=BUILDER
    )
    likelihood = recipe.build()
    minuit = Minuit(likelihood.cost, **likelihood.start)
    for name in likelihood.fixed:
        minuit.fixed[name] = True
    minuit.migrad()
    minuit.hesse()
    minuit.minos("sin2_theta_w")
    error = minuit.merrors["sin2_theta_w"]
    return (
        minuit.values["sin2_theta_w"],
        error.lower,
        error.upper,
        minuit.errors["flux_norm"],
    )


def main(data: str, quick: bool) -> None:
    n = 11 if quick else 41
    precision_table()
    # The D2O document sits next to the scan results, which name its path.
    RESULTS.mkdir(exist_ok=True)
    d2o = d2o_document(D2O_YEARS, RESULTS)
    print(f"D2O term: {d2o_events(d2o):.0f} events in {D2O_YEARS} years, flux precision "
          f"{flux_precision(d2o_events(d2o)):.2%} with sigma_xs = 2 %")  # fmt: skip
    scenarios = {
        "CsI + Ar, 10 % flux prior": (CSI, LAR),
        f"CsI + Ar + D2O ({D2O_YEARS} y)": (CSI, LAR, d2o),
    }
    tables = {
        label: scan(experiments, f"nsi-flux-{index}", data, n)
        for index, (label, experiments) in enumerate(scenarios.items())
    }
    cell = (2 / (n - 1)) ** 2
    areas = {}
    for label, table in tables.items():
        inside = int((table.surface() <= 4.605).sum())
        areas[label] = inside * cell
        print(f"NSI 90 % CL, {label}: {inside} grid points, area {inside * cell:.3f}")
    first, second = areas.values()
    print(f"area ratio (D2O / 10 %): {second / first:.3f}")
    FIGURES.mkdir(parents=True, exist_ok=True)
    labels = (r"$\varepsilon_{ee}^{uV}$", r"$\varepsilon_{ee}^{dV}$")
    plot_overlaid_regions(tables, FIGURES / "nsi_flux_d2o.png", 0.9, labels,
                          "CsI + Ar: 10 % flux prior vs a D$_2$O measurement")  # fmt: skip
    for label, experiments in scenarios.items():
        value, low, high, flux = sin2_theta_w(experiments, data)
        print(f"sin2_theta_w, {label}: {value:.4f} ({low:+.4f} {high:+.4f}), "
              f"flux_norm error {flux:.3f}")  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], "--quick" in sys.argv[2:])
