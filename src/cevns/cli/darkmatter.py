"""``cevns darkmatter``: accelerator-produced dark matter in the COHERENT CsI data."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer

from cevns.cli.output import (
    check_plot_path,
    parse_positive_list,
    print_json,
    print_table,
    reports_input_errors,
    require_finite_report,
)
from cevns.errors import CevnsInputError

EXPERIMENT_HELP = "coherent-csi-2021 (data), coherent-ar-750 or sts-ar-10t (projections)."


#: Allowed dark-matter masses [MeV] (below the η mass, with room), meson draws and toys.
MASS_RANGE_MEV = (1e-3, 1e3)
MAX_MESONS = 100_000_000
MAX_TOYS = 1_000_000


def _masses(text: str) -> list[float]:
    masses = parse_positive_list("--mass", text, "MeV")
    low, high = MASS_RANGE_MEV
    for value in masses:
        if not low <= value <= high:
            raise CevnsInputError(
                f"--mass must lie between {low:g} and {high:g} MeV; got {value:g}"
            )
    return masses


def _check_options(numbers: dict[str, float | None], choices: dict[str, tuple[str, tuple]]) -> None:
    """Refuse negative or non-finite couplings and yields, and unknown names, in one line."""
    from cevns.errors import require_choice, require_non_negative

    for option, value in numbers.items():
        if value is not None:
            require_non_negative(option, value)
    for option, (name, allowed) in choices.items():
        require_choice(option, name, allowed)


def register(app: typer.Typer) -> None:
    @app.command("darkmatter")
    @reports_input_errors
    def darkmatter(
        mass: Annotated[
            str, typer.Option("--mass", help="m_chi [MeV], comma-separated.")
        ] = "1,10,100",
        ratio: Annotated[float, typer.Option("--ratio", help="m_V / m_chi (> 2, on shell).")] = 3.0,
        portal: Annotated[str, typer.Option("--portal", help="vector or leptophobic.")] = "vector",
        spin: Annotated[str, typer.Option("--spin", help="scalar or fermion.")] = "scalar",
        coupling: Annotated[
            float,
            typer.Option("--coupling", help="Reference epsilon (vector) or alpha_B (leptophobic)."),
        ] = 1e-4,
        alpha_d: Annotated[float, typer.Option("--alpha-d", help="Dark coupling alpha_D.")] = 0.5,
        pi0_per_pot: Annotated[
            float | None,
            typer.Option("--pi0-per-pot", help="pi0 per proton (default 0.09, BdNMC's SNS card)."),
        ] = None,
        eta_per_pot: Annotated[
            float | None,
            typer.Option(
                "--eta-per-pot",
                help="eta per proton (default 1e-3, the effective yield of arXiv:2205.12414).",
            ),
        ] = None,
        pi_minus: Annotated[
            float | None,
            typer.Option(
                "--pi-minus-captures",
                help="Radiative pi- captures per proton (default 0.022, hydrogen-like; 0: off).",
            ),
        ] = None,
        experiment: Annotated[
            str,
            typer.Option(
                "--experiment",
                help="coherent-csi-2021 (data), coherent-ar-750 or sts-ar-10t (projections).",
            ),
        ] = "coherent-csi-2021",
        off_shell: Annotated[
            bool,
            typer.Option(
                "--off-shell", help="Pairs through V* of any mass (M -> gamma chi chibar)."
            ),
        ] = False,
        beam_timing: Annotated[
            bool,
            typer.Option(
                "--beam-timing",
                help="Pulse arrival time as a nuisance (+-0.04 us) of CEvNS and DM.",
            ),
        ] = False,
        no_limits: Annotated[
            bool, typer.Option("--no-limits", help="Predict only; no fit to the CsI data.")
        ] = False,
        toys: Annotated[
            int,
            typer.Option(
                "--toys",
                help="Pseudo-experiments per Feldman-Cousins critical value (0: asymptotic only).",
            ),
        ] = 0,
        mesons: Annotated[
            int, typer.Option("--mesons", help="Mesons drawn per channel.")
        ] = 200_000,
        seed: Annotated[int, typer.Option("--seed", help="Monte Carlo seed.")] = 2026,
        data: Annotated[
            Path | None, typer.Option("--data", help="Folder of the public releases.")
        ] = None,
        json_output: Annotated[
            bool, typer.Option("--json", help="Print one JSON document.")
        ] = False,
        plot: Annotated[
            Path | None, typer.Option("--plot", help="Write a figure of the limits.")
        ] = None,
    ) -> None:
        """Dark matter from pi0/eta decays at the SNS: events, CsI 2021 limits, projections."""
        from cevns.beamdump.flux import EXPERIMENT_POSITIONS
        from cevns.beamdump.mesons import (
            ETA_PER_POT,
            PI0_PER_POT,
            PI_MINUS_RADIATIVE_CAPTURES_PER_POT,
        )
        from cevns.beamdump.portals import DARK_MATTER_SPINS, PORTALS
        from cevns.beamdump.report import darkmatter_report

        check_plot_path(plot)
        if not 0 <= toys <= MAX_TOYS:
            raise CevnsInputError(
                f"--toys = {toys}: use 0 (asymptotic) or a count up to {MAX_TOYS}"
            )
        if not 1000 <= mesons <= MAX_MESONS:
            raise CevnsInputError(
                f"--mesons = {mesons}: use 1000 to {MAX_MESONS} mesons per channel"
            )
        if seed < 0:
            raise CevnsInputError(f"--seed must be a non-negative integer; got {seed}")
        if data is not None and not data.is_dir():
            raise CevnsInputError(f"--data {data}: no such folder")
        _check_options(
            {"--coupling": coupling, "--alpha-d": alpha_d, "--pi0-per-pot": pi0_per_pot,
             "--eta-per-pot": eta_per_pot, "--pi-minus-captures": pi_minus},
            {"--portal": (portal, PORTALS), "--spin": (spin, DARK_MATTER_SPINS),
             "--experiment": (experiment, tuple(EXPERIMENT_POSITIONS))},
        )  # fmt: skip
        report = darkmatter_report(
            _masses(mass), ratio=ratio, coupling=coupling, dark_coupling=alpha_d, portal=portal,
            spin=spin, experiment_name=experiment, data_dir=data, limits=not no_limits,
            mesons=mesons, seed=seed, toys=toys, beam_timing=beam_timing,
            off_shell=off_shell,
            pi0_per_pot=PI0_PER_POT if pi0_per_pot is None else pi0_per_pot,
            eta_per_pot=ETA_PER_POT if eta_per_pot is None else eta_per_pot,
            pi_minus_captures_per_pot=(
                PI_MINUS_RADIATIVE_CAPTURES_PER_POT if pi_minus is None else pi_minus
            ),
        )  # fmt: skip
        _no_limit_as_none(report)
        require_finite_report(report, "cevns darkmatter")
        if plot is not None:
            from cevns.plotting.beamdump import plot_darkmatter

            plot_darkmatter(report, plot)
            report["plot"] = str(plot)
        if json_output:
            print_json(report)
            return
        _print(report)


def _no_limit_as_none(report: dict[str, Any]) -> None:
    """A coupling limit of +inf means no dark-matter event is expected at that mass (no
    limit at any coupling): reported as None ("none" in the table), not as infinity."""
    for row in report["masses"]:
        for key in ("y_limit", "wilks_y_limit", "alpha_b_limit", "wilks_alpha_b_limit"):
            if row.get(key) == math.inf:
                row[key] = None


def _print(report: dict[str, Any]) -> None:
    limits = "event_limit_wilks" in report["masses"][0]
    key = "y_limit" if report["portal"] == "vector" else "alpha_b_limit"
    columns = ["m_chi [MeV]", "m_V [MeV]", "events (ref.)"]
    if limits:
        columns += ["N_DM < (FC)", "N_DM < (2.71)", "published", key, "relic Y"]
    rows = []
    for r in report["masses"]:
        row = [r["m_chi_mev"], r["m_v_mev"], r["events_reference"]]
        if limits:
            row += [r["event_limit_feldman_cousins"], r["event_limit_wilks"],
                    r["published_event_limit"] or "", "none" if r[key] is None else r[key],
                    r["y_relic"] or ""]  # fmt: skip
        rows.append(row)
    print_table(
        f"{report['portal']} portal, {report['spin']} dark matter, {report['experiment']} "
        f"(reference coupling {report['reference_coupling']:g}, "
        f"alpha_D {report['dark_coupling']:g})",
        columns,
        rows,
    )
    _print_published(report.get("published", {}))


def _print_published(published: dict[str, Any]) -> None:
    """The published values next to this run's (``report["published"]``), with sources."""
    for key, block in published.items():
        rows = block["comparisons"]
        if key != "event_limits" and rows:
            mass_key = "m_chi_mev" if "m_chi_mev" in rows[0] else "m_v_mev"
            relic = "published_over_relic" in rows[0]
            columns = [mass_key.replace("_mev", " [MeV]"), "published", "cevns", "ratio"]
            columns += ["published/relic", "cevns/relic"] if relic else []
            table = [
                [r[mass_key], r["published"], "none" if r["ours"] is None else r["ours"],
                 r["ratio"] or ""]
                + ([r["published_over_relic"] or "", r["ours_over_relic"] or ""] if relic else [])
                for r in rows
            ]  # fmt: skip
            print_table(f"published {key}: {block['reference']}", columns, table)
            typer.echo(f"  read: {block['data']}")
        if "note" in block:
            typer.echo(f"note ({key}): {block['note']}")
