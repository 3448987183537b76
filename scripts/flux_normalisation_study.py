"""The SNS flux normalisation from the D2O detector and what it does to the COHERENT NSI
and weak-mixing-angle sensitivity (issue 13, item 4; docs/inelastic.md, "Flux
normalisation").

1. The D2O flux precision against running time: statistical 1/sqrt(N), with the nu_e d
   cross-section uncertainty (2 % and 3 %) added, and with the background of a
   signal-to-background ratio given by --d2o-background (default: none).
2. 41 x 41 profile-likelihood scans of eps_ee^uV x eps_ee^dV over [-1, 1]^2 for COHERENT
   CsI 2021 + argon 2020 data, without and with the Ge-Mini Asimov projection
   (coherent-ge-mini-asimov), each with the documents' 10 % flux prior alone and with an
   Asimov D2O measurement (2 years of coherent-d2o, sigma_xs = 2 %: a flux error of about
   3 %) added as a term of the likelihood (cevns.stats.d2o_flux): the 90 % CL areas.
3. sin^2 theta_W for the same four likelihoods: MINOS intervals (1 sigma widths) and 1D
   profile scans.

Usage: python scripts/flux_normalisation_study.py DATA_DIR [--quick] [--json]
                                                  [--plot PATH] [--workers N]
--quick: an 11 x 11 grid (and 15 sin^2 theta_W points). --json: one JSON document on
stdout. --plot: the figure (NSI regions for CsI + Ar and CsI + Ar + Ge, sin^2 theta_W
profiles); default docs/figures/nsi_flux_d2o.png. Scan results are cached in
scan-results/ (resumed).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from iminuit import Minuit

from cevns.experiments.load import document_text
from cevns.interactions.models import default_values
from cevns.plotting.figures import new_figure, save
from cevns.plotting.physics import plot_overlaid_regions
from cevns.stats.d2o_flux import BUILDER, d2o_events, flux_precision
from cevns.stats.inference import critical_delta_chi2
from cevns.stats.likelihood import LikelihoodRecipe
from cevns.stats.scan import ScanAxis, run_scan
from cevns.stats.scan_table import ScanTable

FIGURE = Path("docs/figures/nsi_flux_d2o.png")
RESULTS = Path("scan-results")
CSI, LAR, GE = "coherent-csi-2021", "coherent-lar-2020", "coherent-ge-mini-asimov"
#: The CEvNS signal scale of each document, held at 1: the new-physics model sets the
#: signal, the flux normalisation stays free (10 % prior, or the D2O term).
SIGNAL_SCALES = {CSI: "csi_cevns_scale", LAR: "lar_cevns_scale", GE: "ge_cevns_scale"}
D2O_YEARS = 2
SIN2_RANGE = (0.15, 0.33)


def d2o_document(years: float, folder: Path) -> str:
    """The coherent-d2o preset with an exposure of ``years`` calendar years."""
    text = document_text("coherent-d2o").replace('time = "1 year"', f'time = "{years} year"')
    path = folder / f"coherent-d2o-{years}y.toml"
    path.write_text(text.replace('name = "coherent-d2o"', f'name = "coherent-d2o-{years}y"'))
    return str(path)


def precision_rows(background_ratio: float) -> tuple[float, list[dict[str, float]]]:
    """ν_e d events per year and the flux precision after 0.25–5 years."""
    per_year = d2o_events("coherent-d2o")
    rows = []
    for years in (0.25, 0.5, 1, 2, 3, 5):
        n = per_year * years
        statistical = float(np.sqrt(n + background_ratio * n) / n)
        rows.append(
            {
                "years": years,
                "events": n,
                "statistical": statistical,
                "with_2pc_xs": float(np.hypot(statistical, 0.02)),
                "with_3pc_xs": float(np.hypot(statistical, 0.03)),
            }
        )
    return per_year, rows


def held(experiments: tuple[str, ...]) -> dict[str, float]:
    """The signal scales of the CEvNS documents among ``experiments``, at 1."""
    return {SIGNAL_SCALES[e]: 1.0 for e in experiments if e in SIGNAL_SCALES}


def recipe(experiments: tuple[str, ...], data: str, parameters: tuple[str, ...]):
    return LikelihoodRecipe.create(
        experiments, data, default_values(parameters), fixed=held(experiments), builder=BUILDER
    )


def scan(recipe_, axes: list[ScanAxis], name: str, workers: int, quiet: bool) -> ScanTable:
    output = RESULTS / f"{name}.jsonl"
    return run_scan(
        recipe_, axes, output_path=output, resume=output.exists(), workers=workers,
        progress=not quiet,
    )  # fmt: skip


def sin2_fit(experiments: tuple[str, ...], data: str) -> dict[str, float]:
    """sin²θ_W with MINOS errors, its 1σ half-width, and the fitted flux_norm error."""
    likelihood = recipe(experiments, data, ("sin2_theta_w",)).build()
    minuit = Minuit(likelihood.cost, **likelihood.start)
    for name in likelihood.fixed:
        minuit.fixed[name] = True
    minuit.migrad()
    minuit.hesse()
    minuit.minos("sin2_theta_w")
    error = minuit.merrors["sin2_theta_w"]
    return {
        "value": float(minuit.values["sin2_theta_w"]),
        "error_low": float(error.lower),
        "error_high": float(error.upper),
        "half_width_1sigma": float((error.upper - error.lower) / 2),
        "flux_norm_error": float(minuit.errors["flux_norm"]),
    }


def figure(nsi: dict[str, ScanTable], sin2: dict[str, ScanTable], path: Path) -> None:
    """Three panels: NSI regions of CsI + Ar and of CsI + Ar + Ge (10 % prior against the
    D2O constraint), and the sin²θ_W profiles of all four likelihoods."""
    fig = new_figure(figsize=(16, 5.2), layout="constrained")
    left, middle, right = fig.subplots(1, 3)
    labels = (r"$\varepsilon_{ee}^{uV}$", r"$\varepsilon_{ee}^{dV}$")
    plot_overlaid_regions(dict(list(nsi.items())[:2]), None, 0.9, labels,
                          "CsI + Ar: 10 % flux prior vs D$_2$O (≈3 %)", ax=left)  # fmt: skip
    plot_overlaid_regions(dict(list(nsi.items())[2:]), None, 0.9, labels,
                          "CsI + Ar + Ge (Asimov): 10 % vs D$_2$O", ax=middle)  # fmt: skip
    styles = ("-", "--", "-", "--")
    colours = ("tab:blue", "tab:blue", "tab:green", "tab:green")
    for (label, table), style, colour in zip(sin2.items(), styles, colours, strict=True):
        x = table.axes[0].values
        right.plot(x, table.surface(), style, color=colour, label=label)
    for level, text in ((1.0, "1σ"), (critical_delta_chi2(0.9, 1), "90 %")):
        right.axhline(level, color="grey", linewidth=0.8)
        right.text(SIN2_RANGE[0] + 0.003, level + 0.1, text, color="grey")
    right.set_xlabel(r"$\sin^2\theta_W$")
    right.set_ylabel(r"$\Delta\chi^2$")
    right.set_ylim(0, 6)
    right.set_xlim(*SIN2_RANGE)
    right.set_title(r"$\sin^2\theta_W$ profile")
    right.legend(fontsize=8)
    save(fig, path, dpi=130)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", help="data directory (COHERENT CsI 2021 and argon 2020)")
    parser.add_argument("--quick", action="store_true", help="11 x 11 grid")
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    parser.add_argument("--plot", type=Path, default=FIGURE, help=f"figure ({FIGURE})")
    parser.add_argument("--workers", type=int, default=2, help="scan processes (2)")
    parser.add_argument("--d2o-background", type=float, default=0.0,
                        help="D2O background per signal event (precision table only)")  # fmt: skip
    options = parser.parse_args(argv)
    if options.d2o_background < 0 or options.workers < 1:
        parser.error("--d2o-background must be >= 0 and --workers >= 1")
    n, m = (11, 15) if options.quick else (41, 37)
    RESULTS.mkdir(exist_ok=True)
    d2o = d2o_document(D2O_YEARS, RESULTS)
    d2o_count = d2o_events(d2o)
    per_year, rows = precision_rows(options.d2o_background)
    scenarios = {
        "CsI + Ar, 10 % flux": (CSI, LAR),
        f"CsI + Ar + D2O {D2O_YEARS} y": (CSI, LAR, d2o),
        "CsI + Ar + Ge, 10 % flux": (CSI, LAR, GE),
        f"CsI + Ar + Ge + D2O {D2O_YEARS} y": (CSI, LAR, GE, d2o),
    }
    slugs = ("csi-ar-10pc", "csi-ar-d2o", "csi-ar-ge-10pc", "csi-ar-ge-d2o")
    nsi_axes = [ScanAxis.parse(f"eps_ee_u=-1:1:{n}"), ScanAxis.parse(f"eps_ee_d=-1:1:{n}")]
    sin2_axis = [ScanAxis.parse(f"sin2_theta_w={SIN2_RANGE[0]}:{SIN2_RANGE[1]}:{m}")]
    cell = (2 / (n - 1)) ** 2
    threshold = critical_delta_chi2(0.9, 2)
    nsi, sin2_tables, report = {}, {}, {}
    for (label, experiments), slug in zip(scenarios.items(), slugs, strict=True):
        nsi[label] = table = scan(
            recipe(experiments, options.data, ("eps_ee_u", "eps_ee_d")), nsi_axes,
            f"nsi-{slug}-{n}", options.workers, options.json,
        )  # fmt: skip
        sin2_tables[label] = scan(
            recipe(experiments, options.data, ("sin2_theta_w",)), sin2_axis,
            f"sin2-{slug}-{m}", options.workers, options.json,
        )  # fmt: skip
        inside = int((table.surface() <= threshold).sum())
        report[label] = {
            "experiments": [Path(e).stem for e in experiments],
            "nsi_points_90cl": inside,
            "nsi_area_90cl": inside * cell,
            "sin2_theta_w": sin2_fit(experiments, options.data),
        }
    labels = list(scenarios)
    ratios = {
        "csi_ar": report[labels[1]]["nsi_area_90cl"] / report[labels[0]]["nsi_area_90cl"],
        "csi_ar_ge": report[labels[3]]["nsi_area_90cl"] / report[labels[2]]["nsi_area_90cl"],
        "ge_added_10pc": report[labels[2]]["nsi_area_90cl"] / report[labels[0]]["nsi_area_90cl"],
        "ge_added_d2o": report[labels[3]]["nsi_area_90cl"] / report[labels[1]]["nsi_area_90cl"],
    }
    options.plot.parent.mkdir(parents=True, exist_ok=True)
    figure(nsi, sin2_tables, options.plot)
    result = {
        "d2o": {
            "nu_e_d_events_per_year": per_year,
            "years": D2O_YEARS,
            "events": d2o_count,
            "flux_precision_2pc_xs": flux_precision(d2o_count),
            "background_per_signal": options.d2o_background,
            "precision_vs_time": rows,
        },
        "grid": {"points_per_axis": n, "cell_area": cell, "delta_chi2_90cl": threshold},
        "scenarios": report,
        "area_ratios": ratios,
        "figure": str(options.plot),
    }
    if options.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"D2O nu_e d CC events per year (coherent-d2o): {per_year:.1f}")
    print("years  N      stat    +2 % xs  +3 % xs")
    for row in rows:
        print(f"{row['years']:<6g} {row['events']:<6.0f} {row['statistical']:.2%}   "
              f"{row['with_2pc_xs']:.2%}   {row['with_3pc_xs']:.2%}")  # fmt: skip
    print(f"D2O term: {d2o_count:.0f} events in {D2O_YEARS} years, flux precision "
          f"{flux_precision(d2o_count):.2%} with sigma_xs = 2 %")  # fmt: skip
    for label, entry in report.items():
        s = entry["sin2_theta_w"]
        print(f"{label:<28} NSI 90 % CL: {entry['nsi_points_90cl']:4d} points, area "
              f"{entry['nsi_area_90cl']:.3f};  sin2_theta_w {s['value']:.4f} "
              f"({s['error_low']:+.4f} {s['error_high']:+.4f}, 1 sigma half-width "
              f"{s['half_width_1sigma']:.4f}), flux_norm error "
              f"{s['flux_norm_error']:.3f}")  # fmt: skip
    print("area ratios: " + ", ".join(f"{k} {v:.3f}" for k, v in ratios.items()))
    print(f"figure: {options.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
