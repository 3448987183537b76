"""``cevns fit``: fit the data of presets or documents, alone or jointly."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer

from cevns.cli.output import (
    FORM_FACTOR_OPTION,
    check_data_dir,
    check_distinct,
    check_form_factor,
    check_name_length,
    check_plot_path,
    print_json,
    print_table,
    reports_input_errors,
    require_finite_report,
    shorten,
    working,
)
from cevns.errors import CevnsInputError

#: Exit code of a fit that did not converge (bad input is 2).
EXIT_FIT_FAILED = 3


def parse_assignments(items: list[str]) -> dict[str, float]:
    """``NAME=VALUE`` strings → {name: value}; one-line error otherwise."""
    values = {}
    for item in items:
        name, sep, text = item.partition("=")
        try:
            values[name.strip()] = float(text)
        except ValueError:
            sep = ""
        if not sep or not name.strip() or not math.isfinite(values.get(name.strip(), 0.0)):
            raise CevnsInputError(
                f"--fix must be NAME=VALUE with a finite number; got {shorten(item)!r}"
            )
    check_name_length("--fix", list(values))
    return values


def parse_free(items: list[str]) -> dict[str, float | None]:
    """``NAME`` or ``NAME=START`` → {name: start or None (the Standard-Model value)}."""
    free: dict[str, float | None] = {}
    for item in items:
        name, sep, text = item.partition("=")
        try:
            free[name.strip()] = float(text) if sep else None
        except ValueError:
            raise CevnsInputError(
                f"--free must be NAME or NAME=START; got {shorten(item)!r}"
            ) from None
        start = free[name.strip()]
        if start is not None and not math.isfinite(start):
            raise CevnsInputError(f"--free {shorten(name)}: START must be finite; got {start}")
    check_name_length("--free", list(free))
    return free


def _print(report: dict[str, Any]) -> None:
    for entry in report["experiments"]:
        events = entry["cevns_events"]
        sigma = {k: v / 1e-40 for k, v in entry["flux_averaged_cross_section_cm2"].items()}
        published = entry["published"]
        z = entry["significance_no_cevns"]
        rows = [
            ["CEvNS events", f"{events['value']:.1f} ± {events['error']:.1f}",
             _published(published, "cevns_best_fit")],
            ["⟨σ⟩ [1e-40 cm²]",
             f"{sigma['value']:.1f} −{sigma['error_low']:.1f} +{sigma['error_high']:.1f}",
             _published(published, "measured_flux_averaged_cross_section_cm2", 1e-40)],
            [f"⟨σ⟩ Standard Model [1e-40 cm²] ({entry['form_factor']})",
             f"{sigma['standard_model']:.1f}",
             _published(published, "flux_averaged_cross_section_cm2", 1e-40)],
            ["no-CEvNS rejection [σ]",
             "—" if z is None else f"{z:.1f}",
             _published(published, "significance_no_cevns")],
            ["χ² (this experiment's bins)", f"{entry['chi2']:.1f} / {entry['bins']} bins",
             f"{published['chi2']:g}/{published['ndof']:g}" if "chi2" in published else ""],
        ]  # fmt: skip
        rows += [
            [f"  {name}", f"{value:.1f}", ""]
            for name, value in entry["events_by_component"].items()
        ]
        print_table(
            f"Fit of {entry['experiment']}", ["quantity", "fit", "published"], rows, names=False
        )
    if "background_events" in report and len(report["experiments"]) > 1:
        _print_summary(report)
    print_table(
        "Parameters",
        ["parameter", "value", "error"],
        [[name, f"{p['value']:.4g}", _error_text(p)]
         for name, p in report["parameters"].items()],
    )  # fmt: skip
    typer.echo(f"χ²/ndof = {report['chi2']:.1f}/{report['ndof']}")


def _print_summary(report: dict[str, Any]) -> None:
    """The joint result of analyses sharing one signal scale (see cevns.stats.summary)."""
    published = report.get("published", {})
    rows = []
    for key, entry in report.items():
        if key.endswith("_flux_cm2_s") and isinstance(entry, dict):
            fit = f"{entry['value']:.3g} −{entry['error_low']:.2g} +{entry['error_high']:.2g}"
            label = f"{key} (nominal {entry['nominal']:.3g})"
            rows.append([label, fit, _published(published, key)])
    sigma = report.get("flux_weighted_cross_section_cm2")
    if sigma is not None:
        fit = f"{sigma['value']:.3g} −{sigma['error_low']:.2g} +{sigma['error_high']:.2g}"
        rows.append([f"flux-weighted ⟨σ⟩ [cm²] (SM {sigma['standard_model']:.3g})", fit,
                     _published(published, "flux_weighted_cross_section_cm2")])  # fmt: skip
    z = report.get("significance")
    rows.append(["significance [σ]", "—" if z is None else f"{z:.2f}",
                 _published(published, "significance")])  # fmt: skip
    background = report["background_events"]
    rows.append(["expected background events",
                 f"{background['value']:.1f} ± {background['error']:.1f}",
                 _published(published, "background_events")])  # fmt: skip
    title = f"Joint result ({report.get('combination') or report['signal_scale']})"
    print_table(title, ["quantity", "fit", "published"], rows, names=False)


def _error_text(row: dict) -> str:
    """HESSE error, MINOS interval, or the one-sided limit of a parameter at its bound."""
    if row["fixed"]:
        return "fixed"
    if "upper_limit" in row:
        limit = row["upper_limit"]
        level = f"{limit['confidence_level']:.0%} CL"
        return (
            "no limit in range" if limit["value"] is None else f"< {limit['value']:.3g} ({level})"
        )
    if "minos_low" in row:
        return f"{row['minos_low']:+.3g} / {row['minos_high']:+.3g}"
    return f"{row['error']:.3g}"


def _published(published: dict, key: str, scale: float = 1.0) -> str:
    """A published value with its errors, as text (empty if the document has none)."""
    entry = published.get(key)
    if entry is None:
        return ""
    if not isinstance(entry, dict):
        return f"{entry / scale:g}" if isinstance(entry, int | float) else str(entry)
    value = f"{entry['value'] / scale:g}"
    if "error_low" not in entry:
        return value
    low, high = entry["error_low"] / scale, entry["error_high"] / scale
    return f"{value} ± {low:g}" if low == high else f"{value} −{low:g} +{high:g}"


def register(app: typer.Typer) -> None:
    """Add the ``fit`` command to ``app``."""

    @app.command("fit")
    @reports_input_errors
    def fit_command(
        experiments: Annotated[
            list[str],
            typer.Argument(
                help="Preset names (cevns experiments) or document files; several: joint fit."
            ),
        ],
        data: Annotated[
            Path | None,
            typer.Option(help="Folder holding the release folders (else CEVNS_DATA_DIR)."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        plot: Annotated[
            Path | None, typer.Option(help="Draw data against the stacked fit.")
        ] = None,
        fix: Annotated[
            list[str] | None, typer.Option(help="Fix a parameter: NAME=VALUE (repeatable).")
        ] = None,
        free: Annotated[
            list[str] | None,
            typer.Option(
                help="Fit a new-physics parameter, NAME or NAME=START (see cevns models)."
            ),
        ] = None,
        max_calls: Annotated[
            int | None, typer.Option(help="Limit MIGRAD's function calls.")
        ] = None,
        form_factor: Annotated[str | None, FORM_FACTOR_OPTION] = None,
    ) -> None:
        """Fit the data a document describes (signal, backgrounds, nuisances); several
        documents fit jointly, sharing parameters by name."""
        from cevns.stats.fit import FitNotConvergedError
        from cevns.stats.fitting import fit_experiments

        check_form_factor(form_factor)
        check_plot_path(plot)
        check_data_dir(data)
        check_distinct("EXPERIMENTS", experiments)
        if max_calls is not None and max_calls < 1:
            raise CevnsInputError(f"--max-calls must be a positive integer; got {max_calls}")
        fixed, freed = parse_assignments(fix or []), parse_free(free or [])
        both = sorted(set(fixed) & set(freed))
        if both:
            raise CevnsInputError(
                f"{both[0]} is given to both --fix and --free; a parameter is fixed or free"
            )
        try:
            with working(f"fitting {', '.join(map(shorten, experiments))}", not as_json):
                outcome = fit_experiments(
                    experiments,
                    data,
                    fix=fixed,
                    free=freed,
                    max_calls=max_calls,
                    form_factor=form_factor,
                )
        except FitNotConvergedError as error:
            typer.echo(f"error: {error}; no result is reported", err=True)
            raise typer.Exit(EXIT_FIT_FAILED) from None
        report = outcome.report
        require_finite_report(report, "the fit")
        if plot is not None:
            from cevns.plotting.fits import plot_fit

            plot_fit(outcome.analyses, outcome.result, plot)
        if as_json:
            print_json(report)
            return
        _print(report)
        if plot is not None:
            typer.echo(f"wrote {plot}")
