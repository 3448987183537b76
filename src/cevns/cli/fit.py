"""``cevns fit``: fit the public COHERENT releases, alone or jointly."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cevns.cli.output import print_json, print_table, reports_input_errors
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
        if not sep or not name.strip():
            raise CevnsInputError(f"--fix must be NAME=VALUE with a number; got {item!r}")
    return values


def parse_free(items: list[str]) -> dict[str, float | None]:
    """``NAME`` or ``NAME=START`` → {name: start or None (the Standard-Model value)}."""
    free: dict[str, float | None] = {}
    for item in items:
        name, sep, text = item.partition("=")
        try:
            free[name.strip()] = float(text) if sep else None
        except ValueError:
            raise CevnsInputError(f"--free must be NAME or NAME=START; got {item!r}") from None
    return free


def run_fit(
    experiments: list[str],
    data: Path | None = None,
    fix: dict[str, float] | None = None,
    max_calls: int | None = None,
    free: dict[str, float | None] | None = None,
) -> tuple[dict[str, Any], list, Any]:
    """Fit ``experiments`` jointly; return the report, the analyses and the fit result.

    ``free`` names new-physics parameters (:data:`cevns.interactions.models.PARAMETERS`)
    to fit; the CEvNS signal scales are then held at 1, so that the model sets the
    normalisation, and MINOS errors are reported for those parameters.
    """
    from cevns.interactions.models import PARAMETERS, default_values
    from cevns.stats.fit import fit
    from cevns.stats.inference import significance
    from cevns.stats.report import analysis_report, parameter_table
    from cevns.stats.runner import LikelihoodRecipe

    fix = fix or {}
    free = free or {}
    # Model parameters named in --fix join the model (held at their fixed value); --free
    # starts from the given value or the Standard-Model one.
    named = [n for n in fix if n in PARAMETERS]
    model_parameters = {
        **default_values([*named, *free]),
        **{n: v for n, v in free.items() if v is not None},
    }
    recipe = LikelihoodRecipe.create(
        experiments, data, model_parameters, fix, hold_signal_scales=bool(free)
    )
    likelihood = recipe.build()  # checks --fix names and ranges, holds the signal scales
    analyses, cost, start = likelihood.analyses, likelihood.cost, likelihood.start
    fix = likelihood.fixed
    scales = [a.signal_scale for a in analyses]
    minos = [s for s in scales if s not in fix] + [n for n in free if n not in fix]
    result = fit(cost, start, fixed=list(fix), minos=minos, max_calls=max_calls)  # fmt: skip
    per_experiment = []
    for analysis in analyses:
        z = (
            significance(cost, result, analysis.signal_scale)
            if analysis.signal_scale not in fix
            else None
        )
        per_experiment.append(analysis_report(analysis, result, z))
    report: dict[str, Any] = {
        "experiments": per_experiment,
        "chi2": result.chi2,
        "ndof": result.ndof,
        "parameters": parameter_table(result),
    }
    if len(analyses) == 1:
        single = per_experiment[0]
        for key in ("cevns_events", "flux_averaged_cross_section_cm2", "significance_no_cevns"):
            report[key] = single[key]
    else:
        report["significance_no_cevns"] = _joint_significance(cost, result, scales, fix)
    return report, analyses, result


def _joint_significance(cost, result, scales, fix) -> float | None:
    from cevns.stats.fit import fit

    free = [s for s in scales if s not in fix]
    if not free:
        return None
    null = fit(cost, {**result.values, **dict.fromkeys(free, 0.0)}, fixed=[*free, *fix])
    return float(max(null.minimum - result.minimum, 0.0) ** 0.5)


def _print(report: dict[str, Any]) -> None:
    for entry in report["experiments"]:
        events = entry["cevns_events"]
        sigma = {k: v / 1e-40 for k, v in entry["flux_averaged_cross_section_cm2"].items()}
        published = entry["published"]
        z = entry["significance_no_cevns"]
        rows = [
            ["CEvNS events", f"{events['value']:.1f} ± {events['error']:.1f}",
             _published(published, "cevns_best_fit", "cevns_best_fit_uncertainty")],
            ["⟨σ⟩ [1e-40 cm²]",
             f"{sigma['value']:.1f} −{sigma['error_low']:.1f} +{sigma['error_high']:.1f}",
             _scaled(published.get("measured_flux_averaged_cross_section_cm2"))],
            ["⟨σ⟩ Standard Model [1e-40 cm²]", f"{sigma['standard_model']:.1f}",
             _scaled(published.get("flux_averaged_cross_section_cm2"))],
            ["no-CEvNS rejection [σ]",
             "—" if z is None else f"{z:.1f}",
             str(published.get("significance_no_cevns", ""))],
            ["χ² (this experiment's bins)", f"{entry['chi2']:.1f} / {entry['bins']} bins",
             f"{published['chi2']}/{published['ndof']}" if "chi2" in published else ""],
        ]  # fmt: skip
        rows += [
            [f"  {name}", f"{value:.1f}", ""]
            for name, value in entry["events_by_component"].items()
        ]
        print_table(f"Fit of {entry['experiment']}", ["quantity", "fit", "published"], rows)
    print_table(
        "Parameters",
        ["parameter", "value", "error"],
        [[name, f"{p['value']:.4g}", "fixed" if p["fixed"] else f"{p['error']:.3g}"]
         for name, p in report["parameters"].items()],
    )  # fmt: skip
    typer.echo(f"χ²/ndof = {report['chi2']:.1f}/{report['ndof']}")


def _published(published: dict, key: str, error_key: str) -> str:
    if key not in published:
        return ""
    return f"{published[key]} ± {published.get(error_key, '?')}"


def _scaled(value) -> str:
    return "" if value is None else f"{value / 1e-40:.0f}"


def register(app: typer.Typer) -> None:
    """Add the ``fit`` command to ``app``."""

    @app.command("fit")
    @reports_input_errors
    def fit_command(
        experiments: Annotated[
            list[str],
            typer.Argument(help="coherent-csi-2021, coherent-lar-2020 (several: joint fit)."),
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
    ) -> None:
        """Fit CEvNS and backgrounds to the public data; several experiments fit jointly."""
        from cevns.stats.fit import FitNotConvergedError

        try:
            report, analyses, result = run_fit(
                experiments, data, parse_assignments(fix or []), max_calls, parse_free(free or [])
            )
        except FitNotConvergedError as error:
            typer.echo(f"error: {error}; no result is reported", err=True)
            raise typer.Exit(EXIT_FIT_FAILED) from None
        if plot is not None:
            from cevns.plotting.fits import plot_fit

            plot_fit(analyses, result, plot)
        if as_json:
            print_json(report)
            return
        _print(report)
        if plot is not None:
            typer.echo(f"wrote {plot}")
