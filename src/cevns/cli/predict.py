"""``cevns predict``: expected CEvNS events, spectra and timing of an experiment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cevns.cli.output import (
    FORM_FACTOR_OPTION,
    check_data_dir,
    check_form_factor,
    check_plot_path,
    print_json,
    print_table,
    reports_input_errors,
    require_finite_report,
    shorten,
)


def _print_report(report: dict[str, Any]) -> None:
    print_table(
        f"{report['experiment']}: {report['title']}",
        ["component", "events"],
        [
            *([f"CEvNS {f}", v] for f, v in report["events_by_flavor"].items()),
            ["CEvNS total", report["total_events"]],
            *(
                [name, "unavailable" if v is None else v]
                for name, v in report["events_by_component"].items()
                if name != "cevns"
            ),
            ["all components", report["total_with_backgrounds"]],
        ],
    )
    sigma = report["flux_averaged_cross_section_by_isotope_cm2"]
    print_table(
        "Flux-averaged cross section [1e-40 cm²]",
        ["nucleus", "⟨σ⟩"],
        [
            *([name, value / 1e-40] for name, value in sigma.items()),
            ["per nucleus", report["flux_averaged_cross_section_cm2"] / 1e-40],
        ],
    )
    _print_spectra(report)
    if "inelastic" in report:
        _print_inelastic(report["inelastic"])
    published = report["published"]
    comparisons = [
        (
            "CEvNS events (published expectation)",
            report["total_events"],
            _value(published.get("cevns_expected")),
        ),
        (
            "⟨σ⟩ per nucleus [1e-40 cm²]",
            report["flux_averaged_cross_section_cm2"] / 1e-40,
            (_value(published.get("flux_averaged_cross_section_cm2")) or 0) / 1e-40 or None,
        ),
    ]
    rows = [
        [name, ours, theirs, f"{ours / theirs - 1:+.1%}"]
        for name, ours, theirs in comparisons
        if theirs
    ]
    if rows:
        print_table(
            f"Against {published.get('reference', 'the publication')}",
            ["quantity", "cevns", "published", "difference"],
            rows,
        )
    missing = report["unavailable_backgrounds"]
    if missing:
        typer.echo(
            f"note: background components {', '.join(missing)} are unavailable: "
            f"{next(iter(missing.values()))} (pass --data or set CEVNS_DATA_DIR to the folder "
            "holding the release)",
            err=True,
        )


def _print_spectra(report: dict[str, Any]) -> None:
    """The CEvNS events per observable bin and, with time bins, per time bin (all flavours)."""
    edges = report["observable_edges"]
    spectrum = [sum(values) for values in zip(*report["observable_spectrum"].values(), strict=True)]
    print_table(
        f"CEvNS events per {report['observable']} bin",
        ["bin", "events"],
        [
            [f"{low:g}–{high:g}", n]
            for low, high, n in zip(edges, edges[1:], spectrum, strict=False)
        ],
    )
    times = report["time_edges_us"]
    if times is None or len(times) < 3:
        return
    profile = [sum(values) for values in zip(*report["time_spectrum"].values(), strict=True)]
    scale, unit = (1e6, "s") if max(abs(t) for t in times) >= 1e5 else (1.0, "µs")
    print_table(
        f"CEvNS events per time bin [{unit}]",
        ["time", "events"],
        [
            [f"{a / scale:g}–{b / scale:g}", n]
            for a, b, n in zip(times, times[1:], profile, strict=False)
        ],
    )


def _print_inelastic(block: dict[str, Any]) -> None:
    """Inelastic interactions, events (electron window × efficiency) and neutrons by channel."""
    edges = block["electron_edges_mev"]
    window = f"events (T_e {edges[0]:g}–{edges[-1]:g} MeV)" if edges else "events"
    print_table(
        f"Inelastic channels (efficiency {block['efficiency']:g})",
        ["channel", "interactions", window, "neutrons"],
        [
            [
                c["channel"],
                c["interactions"],
                c["events"],
                "" if c["neutrons"] is None else c["neutrons"],
            ]
            for c in block["channels"]
        ],
    )


def _value(entry: Any) -> float | None:
    """The number of a published entry (a mapping with ``value``, or a number)."""
    if isinstance(entry, dict):
        return entry["value"]
    return entry if isinstance(entry, int | float) else None


def register(app: typer.Typer) -> None:
    """Add the ``predict`` command to ``app``."""

    @app.command("predict")
    @reports_input_errors
    def predict_command(
        experiments: Annotated[
            list[str],
            typer.Argument(help="Preset names (cevns experiments) or document files."),
        ],
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        plot: Annotated[
            Path | None,
            typer.Option(help="Draw recoil, observable and time spectra (one experiment)."),
        ] = None,
        data: Annotated[
            Path | None, typer.Option(help="Data directory for background templates.")
        ] = None,
        form_factor: Annotated[str | None, FORM_FACTOR_OPTION] = None,
    ) -> None:
        """Expected CEvNS events (by flavour and component), spectra and ⟨σ⟩; several
        experiments are predicted one after the other."""
        from cevns.errors import CevnsInputError
        from cevns.experiments.prediction import predict

        check_form_factor(form_factor)
        check_plot_path(plot)
        check_data_dir(data)
        if plot is not None and len(experiments) > 1:
            raise CevnsInputError(
                f"--plot draws one experiment; got {len(experiments)} ({', '.join(experiments)})"
            )
        predictions = [
            predict(name, data_directory=data, form_factor=form_factor) for name in experiments
        ]
        reports = [prediction.to_dict() for prediction in predictions]
        for name, report in zip(experiments, reports, strict=True):
            require_finite_report(report, f"the prediction of {shorten(name)}")
        if plot is not None:
            from cevns.plotting.predictions import plot_prediction

            plot_prediction(predictions[0], plot)
        if as_json:
            print_json(reports[0] if len(reports) == 1 else {"experiments": reports})
            return
        for report in reports:
            _print_report(report)
        if plot is not None:
            typer.echo(f"wrote {plot}")
