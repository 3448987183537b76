"""``cevns scan`` and ``cevns limit``: profile-likelihood scans and exclusion curves.

Both run on local processes (``--workers``, default 2) or a Dask cluster
(``--scheduler ADDRESS``), show progress, and save finished points to a JSON Lines file
as they go (``--output``, by default named after the scan in the current directory), so
``--resume`` continues an interrupted run. Parameters named in ``--param``, ``--mass``,
``--coupling`` or ``--fix`` that are new-physics parameters (``cevns models``) join the
likelihood; the CEvNS signal scales are then held at 1, as in ``cevns fit --free``.

Reports say None where a value is absent by construction — a point whose fit did not
converge, an interval or region that reaches the edge of the grid, a limit not reached on
the coupling's range, an allowed interval open towards large couplings — and refuse any
other NaN or infinity (:func:`cevns.cli.output.require_finite_report`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cevns.cli.fit import parse_assignments
from cevns.cli.output import (
    FORM_FACTOR_OPTION,
    check_data_dir,
    check_distinct,
    check_form_factor,
    check_name_length,
    check_output_path,
    check_plot_path,
    print_json,
    print_table,
    print_text,
    reports_input_errors,
    require_finite_report,
    shorten,
    shorten_path,
)
from cevns.errors import CevnsInputError
from cevns.plotting.labels import confidence_label, confidence_percent

if TYPE_CHECKING:
    from cevns.stats.grid import ScanAxis
    from cevns.stats.likelihood import LikelihoodRecipe

#: Exit code of a run stopped by Ctrl-C (128 + SIGINT, the shell convention).
EXIT_INTERRUPTED = 130

#: Scans with at most this many points print every row in the readable output.
MAX_PRINTED_ROWS = 200

#: How long to try reaching a Dask scheduler.
SCHEDULER_TIMEOUT = "10s"

#: Largest grid a scan or limit accepts (points; a 2D scan counts the product).
MAX_GRID_POINTS = 1_000_000

#: Most local worker processes ``--workers`` accepts.
MAX_WORKERS = 256


# Options shared by both commands (module level: Typer reads the annotations by name).
_EXPERIMENTS = typer.Argument(
    help="Preset names (cevns experiments) or document files; several: joint likelihood."
)
_DATA = typer.Option(help="Folder holding the release folders (else CEVNS_DATA_DIR).")
_OUTPUT = typer.Option(
    help="JSON Lines file of finished points (default: named after the scan, here)."
)
_RESUME = typer.Option("--resume", help="Continue the --output file of an interrupted run.")
_SCHEDULER = typer.Option(help="Run on a Dask cluster: the scheduler's address.")
_WORKERS = typer.Option(help="Local worker processes (1: in this process).")
_FIX = typer.Option(help="Fix a parameter: NAME=VALUE (repeatable).")
_JSON = typer.Option("--json", help="Print JSON.")


def likelihood_recipe(
    experiments: Sequence[str],
    data: Path | None,
    parameters: Iterable[str],
    fix: dict[str, float],
    form_factor: str | None = None,
) -> LikelihoodRecipe:
    """The recipe of the likelihood: new-physics parameters among ``parameters`` and
    ``fix`` join the model (at their Standard-Model value, or the fixed one)."""
    from cevns.interactions.models import PARAMETERS
    from cevns.stats.likelihood import LikelihoodRecipe

    names = [*parameters, *fix]
    model = {n: fix.get(n, PARAMETERS[n].default) for n in names if n in PARAMETERS}
    scanned_model = any(n in PARAMETERS for n in parameters)
    return LikelihoodRecipe.create(
        experiments,
        data,
        model,
        fix,
        hold_signal_scales=scanned_model,
        form_factor=form_factor,
    )


def check_run_options(
    axes: Sequence[ScanAxis], option: str, workers: int, output: Path, plot: Path | None
) -> None:
    """Refuse, before any work, a grid above :data:`MAX_GRID_POINTS`, an axis outside a
    new-physics parameter's range, a worker count outside 1…:data:`MAX_WORKERS` and an
    output or figure file that cannot be written."""
    from cevns.interactions.models import PARAMETERS

    check_name_length(option, [axis.name for axis in axes])
    points = math.prod(axis.count for axis in axes)
    if points > MAX_GRID_POINTS:
        raise CevnsInputError(
            f"{option}: {' × '.join(str(a.count) for a in axes)} = {points} grid points; at "
            f"most {MAX_GRID_POINTS} are allowed (use fewer points per axis)"
        )
    names = [axis.name for axis in axes]
    if len(set(names)) < len(names):
        raise CevnsInputError(f"{option} names {names[0]} twice; scan two different parameters")
    for axis in axes:
        if axis.name in PARAMETERS:
            low, high = PARAMETERS[axis.name].limits
            if (low is not None and axis.low < low) or (high is not None and axis.high > high):
                raise CevnsInputError(
                    f"{option} {axis.name}={axis.low:g}:{axis.high:g}: outside the parameter's "
                    f"range [{'-inf' if low is None else f'{low:g}'}, "
                    f"{'inf' if high is None else f'{high:g}'}] (cevns models)"
                )
    if not 1 <= workers <= MAX_WORKERS:
        raise CevnsInputError(f"--workers must be between 1 and {MAX_WORKERS}; got {workers}")
    check_output_path(output)
    check_plot_path(plot)


def check_inputs(experiments: Sequence[str], data: Path | None) -> None:
    """Refuse a missing ``--data`` folder or an experiment given twice."""
    check_data_dir(data)
    check_distinct("EXPERIMENTS", experiments)


def check_limit_pair(mass: str, coupling: str) -> None:
    """Refuse a ``--mass`` that is not a mediator mass, or a ``--coupling`` that is not a
    coupling of that mediator (``zprime_mass`` with ``zprime_bl_g``, ``scalar_mass`` with
    ``scalar_g``, ``sterile_dm2`` with ``sterile_ue4_sq``)."""
    from cevns.interactions.models import PARAMETERS

    pairs = {
        name: [
            n
            for n in PARAMETERS
            if n.startswith(name.removesuffix("_mass") + "_") and n.endswith("_g")
        ]
        for name in PARAMETERS
        if name.endswith("_mass")
    }
    pairs["sterile_dm2"] = [n for n in PARAMETERS if n.startswith("sterile_") and n.endswith("_sq")]
    if mass not in pairs:
        raise CevnsInputError(
            f"--mass {shorten(mass)} is not a mediator mass; allowed: {', '.join(pairs)}"
        )
    if coupling not in pairs[mass]:
        raise CevnsInputError(
            f"--coupling {shorten(coupling)} is not a coupling of {mass}; allowed: "
            f"{', '.join(pairs[mass])}"
        )


def _check_fixed(fixed: dict[str, float], varied: Sequence[str]) -> None:
    for name, value in fixed.items():
        if name in varied:
            raise CevnsInputError(
                f"--fix {shorten(name)}: the parameter is scanned; leave out --fix or the scan"
            )
        if not math.isfinite(value):
            raise CevnsInputError(f"--fix {shorten(name)}={value}: the value must be finite")


def default_output(kind: str, experiments: Sequence[str], names: Sequence[str]) -> Path:
    """``KIND-EXPERIMENTS-PARAMETERS.jsonl`` in the current directory (documents by their
    file stem)."""
    stems = dict.fromkeys(Path(e).stem if e.endswith(".toml") else e for e in experiments)
    return Path(f"{kind}-{'+'.join(stems)}-{'-'.join(names)}.jsonl")


@contextmanager
def executor_for(scheduler: str | None, workers: int) -> Iterator[tuple[Any, int]]:
    """(executor, workers): None and ``workers`` locally; a Dask client's executor and
    its thread count with ``scheduler``. The client is closed on exit."""
    if scheduler is None:
        yield None, workers
        return
    try:
        from distributed import Client
    except ImportError:
        raise CevnsInputError(
            "--scheduler needs Dask distributed: pip install 'cevns[dask]'"
        ) from None
    try:
        client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError) as error:
        raise CevnsInputError(
            f"--scheduler: cannot connect to a Dask scheduler at {scheduler!r} ({error})"
        ) from None
    try:
        threads = max(1, sum(client.nthreads().values()))
        yield client.get_executor(), threads
    finally:
        client.close()


def _interrupted(path: Path, total: int) -> typer.Exit:
    from cevns.stats.results import read_result_file

    saved = len(read_result_file(path)[1]) if path.exists() and path.stat().st_size else 0
    typer.echo(
        f"interrupted: {saved} of {total} points are saved in {path}; continue with --resume",
        err=True,
    )
    return typer.Exit(EXIT_INTERRUPTED)


def _segments(segments: Sequence[Sequence[float]]) -> str:
    if not segments:
        return "none on the grid"
    return ", ".join(f"[{_end(low, 'below')}, {_end(high, 'above')}]" for low, high in segments)


def _end(value: float | None, side: str) -> str:
    return f"{side} grid" if value is None else f"{value:.4g}"


def _shown(value: float | None) -> float | str:
    """A number for a table, "—" for an absent one."""
    return "—" if value is None else value


def _print_scan(report: dict[str, Any]) -> None:
    names = [axis["name"] for axis in report["axes"]]
    fitted = report["global_fit"]
    best = report["best_point"]
    title = " × ".join(
        f"{a['name']} {a['low']:g}…{a['high']:g} ({a['count']}{', log' if a['log'] else ''})"
        for a in report["axes"]
    )
    rows = [
        [name, best[name], fitted["values"].get(name, "—") if fitted["converged"] else "—"]
        for name in names
    ]
    rows.append(["χ²", _shown(best["chi2"]), fitted["minimum"] if fitted["converged"] else "—"])
    print_table(
        f"Profile-likelihood scan of {', '.join(report['experiments'])}: {title}",
        ["", "best grid point", "global fit"],
        rows,
    )
    print_table(
        "Intervals (1D profile, Wilks)",
        ["parameter", "CL", "Δχ²", "interval"],
        [
            [
                i["parameter"],
                confidence_percent(i["confidence_level"]),
                i["delta_chi2"],
                _segments(i["segments"]),
            ]
            for i in report["intervals"]
        ],
    )
    if report["regions"]:
        print_table(
            "Regions (2D, Wilks)",
            ["CL", "Δχ²", "points inside", *[f"{n} range" for n in names], "closed"],
            [
                [
                    confidence_percent(r["confidence_level"]),
                    r["delta_chi2"],
                    r["points_inside"],
                    *[_segments([r["extent"][n]] if r["extent"][n] else []) for n in names],
                    "yes" if r["closed"] else "no",
                ]
                for r in report["regions"]
            ],
        )
    if report["points"] <= MAX_PRINTED_ROWS:
        print_table(
            "Points",
            [*names, "χ²", "Δχ²", "converged"],
            [
                [
                    *[row[n] for n in names],
                    _shown(row["chi2"]),
                    _shown(row["delta_chi2"]),
                    "yes" if row["converged"] else "no",
                ]
                for row in report["rows"]
            ],
        )
    reference = report["reference_chi2"]
    print_text(
        f"{report['points']} points ({report['not_converged']} not converged); Δχ² relative "
        f"to χ² = {'—' if reference is None else f'{reference:.4f}'}; points in "
        f"{report['output']}"
    )


def _print_limit(report: dict[str, Any]) -> None:
    mass = report["mass"]["name"]
    coupling = report["coupling"]
    rows = []
    for row in report["rows"]:
        status = "ok" if row["converged"] else "not converged"
        if row["converged"] and not row["bracketed"]:
            status = "no limit in range"
        rows.append([row[mass], _shown(row["limit"]), _shown(row["best_coupling"]),
                     _shown(row["delta_chi2_null"]), status])  # fmt: skip
    print_table(
        f"Upper limits on {coupling} ({confidence_label(report['confidence_level'])}, one-sided, "
        f"Δχ² = {report['delta_chi2_threshold']:.3f}) of {', '.join(report['experiments'])}",
        [mass, f"{coupling} limit", f"best {coupling} (≥ 0)", "Δχ²(0)", "status"],
        rows,
    )
    print_text(
        f"{report['points']} masses ({report['not_converged']} not converged, "
        f"{report['no_limit_in_range']} without a limit in range); points in {report['output']}"
    )


def _report(recipe, table, path: Path) -> dict:
    """The JSON document of ``cevns scan`` and ``cevns limit``, absent values as None
    (module docstring)."""
    report = {
        "experiments": list(recipe.experiments),
        "model_parameters": dict(recipe.model_parameters),
        "fixed": dict(recipe.fixed),
        "signal_scales_held": recipe.hold_signal_scales,
        **table.summary(),
        "output": str(path),
        "rows": table.rows(),
    }
    _absent_as_none(report)
    return report


def _absent_as_none(report: dict[str, Any]) -> None:
    """Write None where a scan or limit report has no value by construction (a NaN or
    infinity anywhere else is left for :func:`require_finite_report` to refuse)."""
    for row in [*report["rows"], *([report["best_point"]] if "best_point" in report else [])]:
        if not row["converged"]:  # no fit result at this point
            for key in ("chi2", "delta_chi2", "limit", "best_coupling", "delta_chi2_null"):
                if key in row:
                    row[key] = _none_unless_finite(row[key])
        elif "limit" in row and not row["bracketed"]:  # not reached on the coupling's range
            row["limit"] = _none_unless_finite(row["limit"])
        for interval in row.get("allowed_intervals", []):
            if interval[1] == math.inf:  # open towards large couplings
                interval[1] = None
    if "reference_chi2" in report and math.isnan(report["reference_chi2"]):
        report["reference_chi2"] = None  # no point converged
    for interval in report.get("intervals", []):
        interval["segments"] = [[_edge(low), _edge(high)] for low, high in interval["segments"]]
    for region in report.get("regions", []):
        for name, (low, high) in region["extent"].items():
            nowhere = math.isnan(low) and math.isnan(high)  # no grid point inside the region
            region["extent"][name] = None if nowhere else [_edge(low), _edge(high)]


def _none_unless_finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _edge(value: float) -> float | None:
    """An interval's end, or None where it reaches the edge of the grid (±inf)."""
    return None if math.isinf(value) else value


def register(app: typer.Typer) -> None:
    """Add the ``scan`` and ``limit`` commands to ``app``."""

    @app.command("scan")
    @reports_input_errors
    def scan_command(
        experiments: Annotated[list[str], _EXPERIMENTS],
        param: Annotated[
            list[str],
            typer.Option(help="Scanned parameter NAME=LO:HI:N[:log] (once for 1D, twice for 2D)."),
        ],
        data: Annotated[Path | None, _DATA] = None,
        as_json: Annotated[bool, _JSON] = False,
        plot: Annotated[
            Path | None, typer.Option(help="Draw Δχ² (1D) or the CL regions (2D).")
        ] = None,
        output: Annotated[Path | None, _OUTPUT] = None,
        resume: Annotated[bool, _RESUME] = False,
        scheduler: Annotated[str | None, _SCHEDULER] = None,
        workers: Annotated[int, _WORKERS] = 2,
        fix: Annotated[list[str] | None, _FIX] = None,
        form_factor: Annotated[str | None, FORM_FACTOR_OPTION] = None,
    ) -> None:
        """Profile-likelihood scan in 1 or 2 parameters, with 68/90/95 % CL intervals."""
        check_form_factor(form_factor)
        from cevns.stats.scan import ScanAxis, run_scan

        axes = [ScanAxis.parse(text, "--param") for text in param]
        if not 1 <= len(axes) <= 2:
            raise CevnsInputError(f"--param must be given once or twice; got {len(axes)}")
        names = [axis.name for axis in axes]
        path = output or default_output("scan", experiments, names)
        check_run_options(axes, "--param", workers, path, plot)
        check_inputs(experiments, data)
        fixed = parse_assignments(fix or [])
        _check_fixed(fixed, names)
        recipe = likelihood_recipe(experiments, data, names, fixed, form_factor)
        try:
            with executor_for(scheduler, workers) as (executor, count):
                table = run_scan(
                    recipe,
                    axes,
                    output_path=path,
                    executor=executor,
                    workers=count,
                    resume=resume,
                    axis_option="--param",
                )
        except KeyboardInterrupt:
            raise _interrupted(path, math.prod(a.count for a in axes)) from None
        report = _report(recipe, table, path)
        require_finite_report(report, f"the scan (points in {shorten_path(path)})")
        if plot is not None:
            from cevns.plotting.scans import plot_scan

            plot_scan(table, plot, ", ".join(recipe.experiments))
        if as_json:
            print_json(report)
            return
        _print_scan(report)
        if plot is not None:
            typer.echo(f"wrote {plot}")

    @app.command("limit")
    @reports_input_errors
    def limit_command(
        experiments: Annotated[list[str], _EXPERIMENTS],
        mass: Annotated[
            str, typer.Option(help="Mass grid NAME=LO:HI:N[:log] (e.g. zprime_mass=1:1e4:30:log).")
        ],
        coupling: Annotated[str, typer.Option(help="Coupling to limit (e.g. zprime_bl_g).")],
        cl: Annotated[float, typer.Option(help="Confidence level of the one-sided limit.")] = 0.9,
        fix: Annotated[list[str] | None, _FIX] = None,
        data: Annotated[Path | None, _DATA] = None,
        as_json: Annotated[bool, _JSON] = False,
        plot: Annotated[
            Path | None, typer.Option(help="Draw the limit against the mass (log-log).")
        ] = None,
        output: Annotated[Path | None, _OUTPUT] = None,
        resume: Annotated[bool, _RESUME] = False,
        scheduler: Annotated[str | None, _SCHEDULER] = None,
        workers: Annotated[int, _WORKERS] = 2,
        form_factor: Annotated[str | None, FORM_FACTOR_OPTION] = None,
    ) -> None:
        """Upper limits on a coupling against a mass (exclusion curve, with every allowed
        interval)."""
        check_form_factor(form_factor)
        from cevns.stats.limits import run_limit
        from cevns.stats.scan import ScanAxis

        axis = ScanAxis.parse(mass, "--mass")
        if not 0.0 < cl < 1.0:
            raise CevnsInputError(f"--cl (confidence level) must be between 0 and 1; got {cl!r}")
        check_limit_pair(axis.name, coupling)
        path = output or default_output("limit", experiments, [coupling, axis.name])
        check_run_options([axis], "--mass", workers, path, plot)
        check_inputs(experiments, data)
        fixed = parse_assignments(fix or [])
        _check_fixed(fixed, [axis.name, coupling])
        recipe = likelihood_recipe(experiments, data, [axis.name, coupling], fixed, form_factor)
        try:
            with executor_for(scheduler, workers) as (executor, count):
                table = run_limit(
                    recipe,
                    axis,
                    coupling,
                    output_path=path,
                    confidence_level=cl,
                    executor=executor,
                    workers=count,
                    resume=resume,
                )
        except KeyboardInterrupt:
            raise _interrupted(path, axis.count) from None
        report = _report(recipe, table, path)
        require_finite_report(report, f"the limit scan (points in {shorten_path(path)})")
        if plot is not None:
            from cevns.plotting.scans import plot_limit

            plot_limit(table, plot, ", ".join(recipe.experiments))
        if as_json:
            print_json(report)
            return
        _print_limit(report)
        if plot is not None:
            typer.echo(f"wrote {plot}")
