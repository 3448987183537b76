"""``cevns flux``: per-flavour neutrino flux, mean energy and timing of a source.

SOURCE is an accelerator facility (``cevns flux sns-fts``; the names are listed in the
error for an unknown one), ``reactor`` (with ``--power`` in GW thermal), ``supernova`` (the
benchmark burst of :mod:`cevns.sources.supernova`), ``solar`` (a standard solar model,
``--model B16-GS98`` or ``B16-AGSS09met``: each component's flux at Earth next to its table
value, uncertainty, mean energy, endpoint or lines and ν_e survival probability) or the path
of a tabulated spectrum file (format in :mod:`cevns.sources.simple`). Steady and pulsed
sources give a flux per cm² per second; the supernova gives a time-integrated fluence per
cm²; a tabulated file whose source unit is not the second gives a fluence per cm² per
source unit. Pulsed sources also
give the fraction of each flavour emitted within 1 µs of the pulse centre (t = 0) and the
time densities on a grid.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from cevns.cli.output import (
    check_plot_path,
    print_json,
    print_table,
    reports_input_errors,
    require_finite_report,
    shorten_path,
)
from cevns.errors import CevnsInputError, require_choice, require_positive, unknown_name_error
from cevns.sources.base import DETECTOR_DISTANCE, NeutrinoSource
from cevns.sources.facilities import facility_names, get_facility
from cevns.sources.flavors import FLAVOR_LABELS
from cevns.sources.flux import Flux
from cevns.sources.pion_dar import PionDecayAtRest
from cevns.sources.reactor import Reactor
from cevns.sources.simple import TabulatedSource
from cevns.sources.solar import SolarNeutrinos, component_reaction, solar_model_names
from cevns.sources.supernova import (
    DEFAULT_DISTANCE,
    SUPERNOVA_MODELS,
    SupernovaBurst,
    SupernovaModel,
    kpc,
)
from cevns.units import GW, MW, GeV, Hz, MeV, au, cm2, eV, m, ns, s, us

#: Default distance for accelerators, reactors and files: 20 m.
DEFAULT_DISTANCE_M = 20.0
#: The time after the pulse centre up to which the emitted fraction is reported.
EARLY_TIME = 1 * us


#: ``--distance`` range [m]: 1 cm to 1 Gpc; ``--power`` at most this many GW.
DISTANCE_RANGE_M = (0.01, 3.0857e25)
MAX_POWER_GW = 1e4


def _time_grid(source: PionDecayAtRest) -> np.ndarray:
    """Samples across the pulse (±1.5 FWHM) and into the muon-decay tail."""
    width = max(source.pulse.fwhm, 100 * ns)
    across = np.linspace(-1.5 * width, 1.5 * width, 13)
    tail = 1.5 * width + source.timing.muon_lifetime * np.array([0.25, 0.5, 1, 2, 3, 4, 5])
    return np.concatenate([across, tail])


def _flavor_rows(flux: Flux, per_unit: float) -> list[dict[str, Any]]:
    rows = []
    for flavor in flux.flavors:
        low, high = flux.source.energy_range(flavor)
        rows.append(
            {
                "flavor": flavor,
                "flux": flux.fluence(flavor) / per_unit,
                "mean_energy_mev": flux.source.mean_energy(flavor) / MeV,
                "min_energy_mev": low / MeV,
                "endpoint_mev": high / MeV,
            }
        )
    return rows


#: Sources whose flux is defined at the detector (no --distance): the 1 AU convention.
DIFFUSE_SOURCES = ("solar", "atmospheric", "dsnb")


def _solar_components(source: SolarNeutrinos) -> list[dict[str, Any]]:
    """Per component: the spectrum's integral (before oscillation) and the table value."""
    rows = []
    for name in source.components:
        table = source.component(name)
        quadrature = source.component_quadrature(name)
        low, high = source.component_energy_range(name)
        lines = source.line_energies(name)
        rows.append(
            {
                "component": name,
                "reaction": component_reaction(name),
                "flux": quadrature.total / (1 / cm2 / s),
                "table_flux": table.flux / (1 / cm2 / s),
                "relative_uncertainty": table.relative_uncertainty,
                "reference": table.reference,
                "mean_energy_mev": quadrature.mean_energy / MeV,
                "endpoint_mev": None if lines else high / MeV,
                "line_energies_mev": [e / MeV for e in lines],
                "min_energy_mev": low / MeV,
                "survival_probability_nu_e": source.mean_survival_probability(name),
            }
        )
    return rows


def flux_report(
    source_name: str,
    distance_m: float | None = None,
    power_gw: float | None = None,
    model: str | None = None,
) -> tuple[dict[str, Any], NeutrinoSource]:
    """The numbers ``cevns flux`` prints, as a JSON-ready dictionary, and the source."""
    if distance_m is not None:
        require_positive("--distance", distance_m, "m")
        low, high = DISTANCE_RANGE_M
        if not low <= distance_m <= high:
            raise CevnsInputError(
                f"--distance must lie between {low:g} m and {high:g} m (1 cm to 1 Gpc); "
                f"got {distance_m:g}"
            )
        if source_name in DIFFUSE_SOURCES:
            raise CevnsInputError(
                f"--distance does not apply to the {source_name} source (its flux is given at "
                "the detector); leave it out"
            )
    if power_gw is not None and source_name != "reactor":
        raise CevnsInputError(f"--power applies to the reactor source only; got {source_name!r}")
    if model is not None and source_name not in ("solar", "supernova"):
        raise CevnsInputError(
            f"--model applies to the solar and supernova sources only; got {source_name!r}"
        )
    if power_gw is not None and power_gw > MAX_POWER_GW:
        raise CevnsInputError(
            f"--power must be a thermal power of at most {MAX_POWER_GW:g} GW; got {power_gw:g}"
        )
    report: dict[str, Any] = {"source": source_name}
    source: NeutrinoSource
    if source_name == "solar":
        if model is not None:
            require_choice("--model", model, solar_model_names())
        source = solar = SolarNeutrinos(model or "B16-GS98")
        distance = 1 * au
        flux = Flux(source, 1 / s, distance)
        per_unit = 1 / cm2 / s
        parameters = solar.parameters
        report |= {
            "kind": "solar",
            "label": f"solar neutrinos, {solar.model}, MSW-LMA, at 1 AU",
            "quantity": "flux [ν cm⁻² s⁻¹]",
            "model": solar.model,
            "models": list(solar_model_names()),
            "reference": solar.reference,
            "oscillation": solar.oscillation,
            "oscillation_parameters": {
                "sin2_theta12": parameters.sin2_theta12,
                "sin2_theta13": parameters.sin2_theta13,
                "sin2_theta23": parameters.sin2_theta23,
                "delta_m2_21_ev2": parameters.delta_m2_21 / eV**2,
                "reference": parameters.reference,
            },
            "components": _solar_components(solar),
            "distance_au": 1.0,
        }
    elif source_name in ("atmospheric", "dsnb"):
        from cevns.sources.atmospheric import AtmosphericNeutrinos
        from cevns.sources.dsnb import PUBLISHED_TOTAL_FLUX_CM2_S, DiffuseSupernovaBackground

        atmospheric = source_name == "atmospheric"
        source = background = (
            AtmosphericNeutrinos() if atmospheric else DiffuseSupernovaBackground()
        )
        distance = DETECTOR_DISTANCE
        flux = Flux(source, 1 / s, distance)
        per_unit = 1 / cm2 / s
        report |= {
            "kind": source_name,
            "label": "atmospheric neutrinos at Kamioka (FLUKA, 13–944 MeV)"
            if atmospheric
            else "diffuse supernova neutrino background",
            "quantity": "flux [ν cm⁻² s⁻¹]",
            "reference": background.reference,
            "relative_uncertainty": background.relative_uncertainty,
            "distance_au": None,
        }
        if isinstance(background, DiffuseSupernovaBackground):
            report["published_total_flux"] = PUBLISHED_TOTAL_FLUX_CM2_S
            report["published_reference"] = (
                "Billard, Strigari & Figueroa-Feliciano, PRD 89, 023524 (2014), Table I"
            )
            report["temperatures_mev"] = {f: t / MeV for f, t in background.temperatures.items()}
    elif source_name in facility_names():
        facility = get_facility(source_name)
        source = facility.source()
        distance = (distance_m or DEFAULT_DISTANCE_M) * m
        flux = Flux(source, facility.protons_per_second, distance)
        per_unit = 1 / cm2 / s
        report |= {
            "kind": "accelerator",
            "label": facility.label,
            "quantity": "flux [ν cm⁻² s⁻¹]",
            "power_mw": facility.power / MW,
            "proton_kinetic_energy_gev": facility.proton_kinetic_energy / GeV,
            "repetition_rate_hz": facility.repetition_rate / Hz,
            "protons_per_second": facility.protons_per_second * s,
            "neutrinos_per_proton_per_flavor": facility.neutrinos_per_proton_per_flavor,
            "yield_origin": facility.yield_origin,
            "yield_extrapolated": facility.yield_is_extrapolated,
            "pulse_fwhm_ns": facility.pulse.fwhm / ns,
            "duty_factor": facility.duty_factor,
            "references": list(facility.references),
        }
    elif source_name == "reactor":
        power = 3.0 if power_gw is None else float(require_positive("--power", power_gw, "GW"))
        source = reactor = Reactor(power * GW)
        distance = (distance_m or DEFAULT_DISTANCE_M) * m
        flux = Flux(source, 1 / s, distance)
        per_unit = 1 / cm2 / s
        report |= {
            "kind": "reactor",
            "label": f"reactor, {power:g} GW thermal",
            "quantity": "flux [ν cm⁻² s⁻¹]",
            "thermal_power_gw": power,
            "fission_fractions": reactor.fission_fractions,
            "fissions_per_second": reactor.fissions_per_second,
        }
    elif source_name == "supernova":
        if model is not None:
            require_choice("--model", model, ("benchmark", *SUPERNOVA_MODELS))
        if model is None or model == "benchmark":
            source = SupernovaBurst()
            label = "benchmark core-collapse supernova (3e53 erg)"
        else:
            source = SupernovaModel(model)
            label = f"simulated core-collapse supernova {model}"
        distance = DEFAULT_DISTANCE if distance_m is None else distance_m * m
        flux = Flux(source, 1.0, distance)
        per_unit = 1 / cm2
        report |= {
            "kind": "supernova",
            "label": label,
            "quantity": "fluence [ν cm⁻²]",
            "model": model or "benchmark",
            "models": ["benchmark", *SUPERNOVA_MODELS],
        }
    elif _is_file(source_name):
        source = TabulatedSource.from_file(source_name)
        distance = (distance_m or DEFAULT_DISTANCE_M) * m
        per_second = source.source_unit == "second"
        flux = Flux(source, 1 / s if per_second else 1.0, distance)
        per_unit = 1 / cm2 / s if per_second else 1 / cm2
        report |= {
            "kind": "tabulated",
            "label": f"tabulated spectrum from {source_name}",
            "quantity": "flux [ν cm⁻² s⁻¹]" if per_second
            else f"fluence [ν cm⁻² per {source.source_unit}]",
        }  # fmt: skip
    elif "/" in source_name or Path(source_name).suffix:
        raise CevnsInputError(
            f"source file {shorten_path(source_name)}: not an existing regular file (missing, "
            "a folder or a pipe); give a table of energies and spectra"
        )
    else:
        raise unknown_name_error(
            "source (facility, 'reactor', 'supernova', 'solar', 'atmospheric', 'dsnb' or an "
            "existing file)",
            source_name,
            (*facility_names(), "reactor", "supernova", *DIFFUSE_SOURCES),
        )
    report["source_unit"] = source.source_unit
    report["distance_m"] = distance / m
    report["distance_kpc"] = distance / kpc if report["kind"] == "supernova" else None
    rows = _flavor_rows(flux, per_unit)
    report["flavors"] = rows
    report["total_flux"] = sum(r["flux"] for r in rows)
    if isinstance(source, PionDecayAtRest):
        for row in rows:
            row["fraction_before_1us"] = float(source.time_cdf(row["flavor"], EARLY_TIME))
        times = _time_grid(source)
        report["time_density"] = {
            "time_us": times / us,
            **{f: source.time_density(f, times) * us for f in source.flavors},
        }
    return report, source


def register(app: typer.Typer) -> None:
    """Add the ``flux`` command to ``app``."""

    @app.command("flux")
    @reports_input_errors
    def flux(
        source: Annotated[
            str,
            typer.Argument(
                help="Facility (sns-fts, sns-fts-ppu, sns-sts, lujan, ess, jparc-mlf, csns), "
                "'reactor', 'supernova', 'solar', 'atmospheric', 'dsnb' or a spectrum file."
            ),
        ],
        distance: Annotated[
            float | None,
            typer.Option(help="Distance in metres (default 20 m; 10 kpc for the supernova)."),
        ] = None,
        power: Annotated[
            float | None, typer.Option(help="Reactor thermal power in GW (default 3).")
        ] = None,
        model: Annotated[
            str | None,
            typer.Option(
                help="Solar model (B16-GS98, B16-AGSS09met) or supernova model (benchmark, "
                "garching-s27.0c-LS220, garching-s11.2c-LS220)."
            ),
        ] = None,
        plot: Annotated[
            Path | None, typer.Option(help="Save a figure of the spectra (and timing) here.")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Per-flavour flux, mean energy, endpoint and (pulsed sources) timing."""
        check_plot_path(plot)
        report, neutrino_source = flux_report(source, distance, power, model)
        require_finite_report(report, f"cevns flux {shorten_path(source, 60)}")
        if plot is not None:
            from cevns.plotting.sources import plot_source_overview

            plot_source_overview(neutrino_source, plot, title=report["label"])
            report["plot"] = str(plot)
        if as_json:
            print_json(report)
            return
        _print(report)


def _print(report: dict[str, Any]) -> None:
    if report["kind"] == "solar":
        _print_solar(report)
        return
    where = (
        f"{report['distance_kpc']:g} kpc"
        if report["distance_kpc"] is not None
        else f"{report['distance_m']:g} m"
    )
    if report["kind"] in DIFFUSE_SOURCES:
        where = f"the detector (±{100 * report['relative_uncertainty']:g} %; {report['reference']})"
    pulsed = "time_density" in report
    columns = ["flavour", report["quantity"], "⟨E⟩ [MeV]", "E range [MeV]"]
    columns += ["fraction < 1 µs"] if pulsed else []
    rows = []
    for r in report["flavors"]:
        row = [FLAVOR_LABELS[r["flavor"]], r["flux"], r["mean_energy_mev"],
               f"{r['min_energy_mev']:.4g}–{r['endpoint_mev']:.4g}"]  # fmt: skip
        rows.append(row + ([r["fraction_before_1us"]] if pulsed else []))
    rows.append(["total", report["total_flux"], "", ""] + ([""] if pulsed else []))
    print_table(f"{report['label']} at {where}", columns, rows)
    if "published_total_flux" in report:
        print(f"published total: {report['published_total_flux']:g} ν cm⁻² s⁻¹ "
              f"({report['published_reference']})")  # fmt: skip
    if report["kind"] == "accelerator":
        note = " (extrapolated beyond 1.3 GeV)" if report["yield_extrapolated"] else ""
        print_table(
            "beam",
            ["quantity", "value"],
            [
                ["protons per second", report["protons_per_second"]],
                ["ν per flavour per proton", f"{report['neutrinos_per_proton_per_flavor']:.4g} "
                 f"[{report['yield_origin']}]{note}"],
                ["pulse FWHM [ns]", report["pulse_fwhm_ns"]],
                ["duty factor", report["duty_factor"]],
            ],
        )  # fmt: skip
    if pulsed:
        grid = report["time_density"]
        flavors = [f for f in grid if f != "time_us"]
        print_table(
            "time density [per µs], t = 0 at the pulse centre",
            ["t [µs]", *(FLAVOR_LABELS[f] for f in flavors)],
            [[t, *(grid[f][i] for f in flavors)] for i, t in enumerate(grid["time_us"])],
        )


def _print_solar(report: dict[str, Any]) -> None:
    rows = []
    for r in report["components"]:
        energy = (
            ", ".join(f"{e:.4g}" for e in r["line_energies_mev"]) + " (lines)"
            if r["line_energies_mev"]
            else f"{r['endpoint_mev']:.4g}"
        )
        uncertainty = f"{100 * r['relative_uncertainty']:.3g} %"
        rows.append([r["component"], r["flux"], r["table_flux"], uncertainty,
                     r["mean_energy_mev"], energy, r["survival_probability_nu_e"]])  # fmt: skip
    print_table(
        f"{report['label']} (before oscillation) — {report['reference']}",
        [
            "component",
            "flux [cm⁻² s⁻¹]",
            "table",
            "1σ",
            "⟨E⟩ [MeV]",
            "endpoint or lines [MeV]",
            "⟨P_ee⟩",
        ],
        rows,
    )
    flavors = [
        [FLAVOR_LABELS[r["flavor"]], r["flux"], r["mean_energy_mev"]] for r in report["flavors"]
    ]
    flavors.append(["total", report["total_flux"], ""])
    print_table(
        f"at Earth after MSW-LMA ({report['oscillation_parameters']['reference']})",
        ["flavour", report["quantity"], "⟨E⟩ [MeV]"],
        flavors,
    )


def _is_file(name: str) -> bool:
    """Whether ``name`` is an existing file (False for a name the system refuses)."""
    try:
        return Path(name).is_file()
    except OSError:
        return False
