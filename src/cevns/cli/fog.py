"""``cevns fog TARGET``: discovery limits and the n = 2 boundary of the neutrino fog."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Annotated, Any

import typer

from cevns.cli.output import (
    check_plot_path,
    parse_positive_list,
    print_json,
    print_table,
    print_text,
    reports_input_errors,
    require_finite_report,
)
from cevns.errors import CevnsInputError, unknown_name_error

#: WIMP masses [GeV] computed by default (6 and 100 GeV are always among them).
DEFAULT_MASSES = "1,2,3,4,5,6,8,10,15,20,30,50,100,200,500,1000"
#: Exposures [tonne-year] at which discovery limits are reported by default.
DEFAULT_EXPOSURES = "0.01,1,100,10000"
#: Exit code after Ctrl-C (128 + SIGINT, as the other long commands).
EXIT_INTERRUPTED = 130
#: Allowed WIMP masses [GeV], exposures [tonne-year], recoil bins and significances [σ].
MASS_RANGE_GEV = (0.1, 1e5)
EXPOSURE_RANGE_TONNE_YEAR = (1e-6, 1e9)
MAX_BINS = 1000
MAX_SIGNIFICANCE = 40.0


def check_range(option: str, values: list[float], allowed: tuple[float, float], unit: str) -> None:
    """Refuse values of ``option`` outside ``allowed`` (inclusive), in one line."""
    low, high = allowed
    for value in values:
        if not low <= value <= high:
            raise CevnsInputError(
                f"{option} must lie between {low:g} and {high:g} {unit}; got {value:g}"
            )


def parse_uncertainties(items: list[str]) -> dict[str, float]:
    """``["8B=0.02"]`` → {"8B": 0.02}."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not sep or not name.strip() or not 0 < number < float("inf"):
            raise CevnsInputError(
                f"--uncertainty must be NAME=VALUE with a positive relative uncertainty "
                f"(e.g. 8B=0.02); got {item!r}"
            )
        out[name.strip()] = number
    return out


def fog_settings(
    inputs: str,
    threshold: float | None = None,
    max_recoil: float | None = None,
    bins: int | None = None,
    significance: float | None = None,
    probability: float | None = None,
    solar_model: str | None = None,
    uncertainties: dict[str, float] | None = None,
) -> Any:
    """The named input set with the options that were given replaced."""
    from cevns.darkmatter.discovery import DiscoveryCriterion
    from cevns.darkmatter.fog import default_backgrounds
    from cevns.darkmatter.published import settings_named
    from cevns.errors import require_positive
    from cevns.sources.solar import solar_model_names
    from cevns.units import keV

    settings = settings_named(inputs)
    if bins is not None and not 2 <= bins <= MAX_BINS:
        raise CevnsInputError(f"--bins must be between 2 and {MAX_BINS}; got {bins}")
    if significance is not None and not 0 < significance <= MAX_SIGNIFICANCE:
        raise CevnsInputError(
            f"--significance must be a number of σ above 0 and at most {MAX_SIGNIFICANCE:g}; "
            f"got {significance!r}"
        )
    if probability is not None and not 0 < probability < 1:
        raise CevnsInputError(
            f"--probability must be between 0 and 1 (exclusive); got {probability!r}"
        )
    if solar_model is not None:
        from cevns.errors import require_choice

        require_choice("--solar-model", solar_model, solar_model_names())
    known = [b.name for b in default_backgrounds(solar_model or settings.solar_model)]
    for name in uncertainties or {}:
        if name not in known:
            raise unknown_name_error("--uncertainty background", name, known)
    changes: dict[str, Any] = {}
    if threshold is not None:
        changes["threshold"] = float(require_positive("--threshold", threshold, "keV")) * keV
    if max_recoil is not None:
        changes["max_recoil"] = float(require_positive("--max-recoil", max_recoil, "keV")) * keV
    if bins is not None:
        changes["bins"] = bins
    if significance is not None or probability is not None:
        changes["criterion"] = DiscoveryCriterion(
            settings.criterion.significance if significance is None else significance,
            settings.criterion.probability if probability is None else probability,
        )
    if solar_model is not None:
        changes["solar_model"] = solar_model
    if uncertainties:
        changes["uncertainties"] = {**settings.uncertainties, **uncertainties}
    settings = dataclasses.replace(settings, **changes)
    if not settings.threshold < settings.max_recoil:
        raise CevnsInputError(
            f"--max-recoil ({settings.max_recoil / keV:g} keV) must exceed --threshold "
            f"({settings.threshold / keV:g} keV)"
        )
    settings.binning()  # refuses a bad threshold, range or bin count now, in one line
    return settings


def fog_report(
    target: str,
    masses_gev: list[float],
    exposures_tonne_year: list[float],
    settings: Any,
    progress: bool = False,
) -> dict[str, Any]:
    """Everything ``cevns fog`` prints, as a JSON-ready dictionary."""
    from cevns.darkmatter.fog import TONNE_YEAR, discovery_limit_at, fog_for_mass, prepare_target
    from cevns.darkmatter.halo import km_per_s
    from cevns.darkmatter.published import published_values
    from cevns.nuclear.materials import get_target
    from cevns.stats.executors import _progress_bar
    from cevns.units import GeV, cm, cm2, keV

    material = get_target(target)
    criterion = settings.criterion
    with _progress_bar(progress) as bar:
        task = bar.add_task(f"fog of {material.name}", total=len(masses_gev) + 1)
        fog_target = prepare_target(material, settings)
        bar.advance(task)
        masses = []
        for mass in masses_gev:
            result = fog_for_mass(fog_target, mass * GeV)
            boundary = result.boundary
            masses.append(
                {
                    "wimp_mass_gev": mass,
                    "discovery_limits": [
                        {
                            "exposure_tonne_year": x,
                            "cross_section_cm2": _limit_or_none(
                                discovery_limit_at(fog_target, mass * GeV, x * TONNE_YEAR) / cm2
                            ),
                        }
                        for x in exposures_tonne_year
                    ],
                    "n2_boundary": None
                    if boundary is None
                    else {
                        "cross_section_cm2": boundary[0] / cm2,
                        "exposure_tonne_year": boundary[1] / TONNE_YEAR,
                    },
                    "largest_opacity_index": float(result.opacity.max())
                    if result.opacity.size
                    else None,
                    "exposure_range_tonne_year": [
                        float(result.exposures[0] / TONNE_YEAR),
                        float(result.exposures[-1] / TONNE_YEAR),
                    ]
                    if result.exposures.size
                    else None,
                }
            )
            bar.advance(task)
    backgrounds = [
        {
            "name": b.name,
            "events_per_tonne_year": float(rates.sum() * TONNE_YEAR),
            "relative_uncertainty": b.relative_uncertainty,
            "reference": b.reference,
        }
        for b, rates in zip(fog_target.backgrounds, fog_target.background_rates, strict=True)
    ]
    halo = settings.halo
    return {
        "target": material.name,
        "inputs": settings.name,
        "threshold_kev": settings.threshold / keV,
        "max_recoil_kev": settings.max_recoil / keV,
        "bins": settings.bins,
        "criterion": {
            "significance": criterion.significance,
            "probability": criterion.probability,
            "asimov_q0": criterion.asimov_threshold,
            "minimum_signal_events": criterion.minimum_signal,
            "method": "Asimov profile likelihood ratio (Cowan et al. 2011), Gaussian-constrained "
            "flux normalisations; at least minimum_signal_events expected WIMP events",
        },
        "halo": {
            "local_density_gev_cm3": halo.local_density / (GeV / cm**3),
            "circular_speed_km_s": halo.circular_speed / km_per_s,
            "escape_speed_km_s": halo.escape_speed / km_per_s,
            "earth_speed_km_s": halo.earth_speed / km_per_s,
            "reference": halo.reference,
        },
        "backgrounds": backgrounds,
        "masses": masses,
        "published": _published(material.name, masses, settings.name, published_values),
    }


def _limit_or_none(cross_section: float) -> float | None:
    """A discovery limit, or None where there is none: +inf means no WIMP recoil of this
    mass reaches the recoil range (no signal, no discovery at any cross section)."""
    return None if cross_section == math.inf else cross_section


def _published(target: str, masses: list[dict], inputs: str, values_for) -> dict[str, Any]:
    """Each publication's values for the target next to this run's n = 2 boundary."""
    boundaries = {
        m["wimp_mass_gev"]: m["n2_boundary"]["cross_section_cm2"] if m["n2_boundary"] else None
        for m in masses
    }
    out: dict[str, Any] = {}
    for key, entry in values_for(target).items():
        comparisons = []
        for mass_text, value in entry["values_cm2"].items():
            ours = boundaries.get(float(mass_text))
            comparisons.append(
                {
                    "wimp_mass_gev": float(mass_text),
                    "published_cm2": value,
                    "n2_boundary_cm2": ours,
                    "ratio": None if ours is None else ours / value,
                }
            )
        out[key] = {**{k: entry[k] for k in ("reference", "quantity", "data")},
                    "comparisons": comparisons}  # fmt: skip
    if inputs != "ohare-2021":
        out["note"] = (
            "this run does not use O'Hare's inputs (his 8B flux uncertainty is 2 % from a global "
            "fit, here the solar model's; his halo, atmospheric and DSNB fluxes and median-"
            "experiment criterion differ too); run with --inputs ohare-2021 to compare like with "
            "like"
        )
    return out


def _print_report(report: dict[str, Any]) -> None:
    print_table(
        f"neutrino backgrounds on {report['target']} above {report['threshold_kev']:g} keV "
        f"(inputs: {report['inputs']})",
        ["background", "events / t yr", "uncertainty"],
        [[b["name"], b["events_per_tonne_year"], b["relative_uncertainty"]]
         for b in report["backgrounds"]],
    )  # fmt: skip
    exposures = [d["exposure_tonne_year"] for d in report["masses"][0]["discovery_limits"]]
    criterion = report["criterion"]
    rows = []
    for m in report["masses"]:
        boundary = m["n2_boundary"]
        rows.append(
            [m["wimp_mass_gev"],
             boundary["cross_section_cm2"] if boundary else "not reached",
             boundary["exposure_tonne_year"] if boundary else "",
             *[_or_none(d["cross_section_cm2"], "no signal") for d in m["discovery_limits"]]]
        )  # fmt: skip
    print_table(
        f"n = 2 boundary and discovery limits ({criterion['significance']:g}σ in "
        f"{100 * criterion['probability']:g} % of experiments) [cm²]",
        ["mass [GeV]", "n = 2 boundary", "at [t yr]", *[f"σ_DL at {x:g} t yr" for x in exposures]],
        rows,
    )
    comparison_rows = [
        [key, c["wimp_mass_gev"], c["published_cm2"], c["n2_boundary_cm2"] or "", c["ratio"] or ""]
        for key, entry in report["published"].items()
        if key != "note"
        for c in entry["comparisons"]
    ]
    if comparison_rows:
        print_table(
            "published values",
            ["source", "mass [GeV]", "published [cm²]", "n = 2 boundary [cm²]", "ratio"],
            comparison_rows,
        )
    if "note" in report["published"]:
        print_text(f"note: {report['published']['note']}")


def _or_none(value: float | None, text: str) -> float | str:
    return text if value is None else value


def register(app: typer.Typer) -> None:
    """Add the ``fog`` command to ``app``."""

    @app.command("fog")
    @reports_input_errors
    def fog(
        target: Annotated[str, typer.Argument(help="Target material (Xe, Ar, Ge, CaWO4, NaI, …).")],
        masses: Annotated[
            str, typer.Option(help="WIMP masses in GeV, comma-separated.")
        ] = DEFAULT_MASSES,
        exposures: Annotated[
            str, typer.Option(help="Exposures in tonne-years for the discovery-limit table.")
        ] = DEFAULT_EXPOSURES,
        threshold: Annotated[
            float | None, typer.Option(help="Recoil threshold in keV (input set's: 1e-4).")
        ] = None,
        max_recoil: Annotated[
            float | None,
            typer.Option(help="Upper end of the recoil range in keV (input set's: 200)."),
        ] = None,
        bins: Annotated[
            int | None, typer.Option(help="Logarithmic recoil bins (input set's: 50).")
        ] = None,
        significance: Annotated[
            float | None, typer.Option(help="Discovery significance in σ (input set's: 3).")
        ] = None,
        probability: Annotated[
            float | None,
            typer.Option(
                help="Fraction of experiments that must discover (cevns: 0.9, ohare-2021: 0.5)."
            ),
        ] = None,
        solar_model: Annotated[
            str | None, typer.Option(help="Solar model: B16-GS98 (default) or B16-AGSS09met.")
        ] = None,
        uncertainty: Annotated[
            list[str] | None,
            typer.Option(help="Replace a background's relative uncertainty, NAME=VALUE (8B=0.02)."),
        ] = None,
        inputs: Annotated[
            str,
            typer.Option(
                help="Input set: cevns (Baxter et al. halo, B16 fluxes) or ohare-2021 (the "
                "published calculation's inputs); the options above override it."
            ),
        ] = "cevns",
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        plot: Annotated[
            Path | None, typer.Option(help="Draw the boundary and discovery limits to FILE.")
        ] = None,
    ) -> None:
        """Discovery limits against exposure and the n = 2 boundary of the neutrino fog."""
        check_plot_path(plot)
        mass_list = parse_positive_list("--masses", masses, "GeV")
        check_range("--masses", mass_list, MASS_RANGE_GEV, "GeV")
        exposure_list = parse_positive_list("--exposures", exposures, "tonne-years")
        check_range("--exposures", exposure_list, EXPOSURE_RANGE_TONNE_YEAR, "tonne-years")
        settings = fog_settings(
            inputs, threshold, max_recoil, bins, significance, probability, solar_model,
            parse_uncertainties(uncertainty or []),
        )  # fmt: skip
        try:
            report = fog_report(target, mass_list, exposure_list, settings, progress=not as_json)
        except KeyboardInterrupt:
            typer.echo("interrupted: nothing was written", err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        require_finite_report(report, f"cevns fog {target}")
        if plot is not None:
            from cevns.plotting.fog import plot_fog

            plot_fog(report, plot)
        if as_json:
            print_json(report)
            return
        _print_report(report)
        if plot is not None:
            typer.echo(f"wrote {plot}")
