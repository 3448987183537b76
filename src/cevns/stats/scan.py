"""Profile-likelihood scans on a grid: parallel, resumable, with Wilks intervals and regions.

A scan fixes one or two parameters (the *axes*) at every point of a grid and minimises the
cost over every other free parameter (the profile likelihood,
Δχ²(θ) = min_ν χ²(θ, ν) − χ²_min). Confidence intervals and regions follow from Wilks'
theorem (S. S. Wilks, Ann. Math. Statist. 9, 60 (1938)): at confidence level CL the
region is Δχ² ≤ F⁻¹_{χ²_k}(CL) with k the number of scanned parameters
(:func:`cevns.stats.inference.critical_delta_chi2`; 1D: 1.00, 2.71, 3.84 and 2D: 2.30,
4.61, 5.99 for 68.27 %, 90 %, 95 %).

How a scan runs (the machinery is in :mod:`cevns.stats.likelihood`, :mod:`cevns.stats.results`
and :mod:`cevns.stats.executors`):

* the grid is row-major (the first axis varies slowest) with an integer index per point;
  it is cut into chunks of consecutive indices, each evaluated in serpentine order so
  every point starts from the profiled values of its grid neighbour (warm start), with
  MIGRAD at strategy 0 on the compiled cost and no HESSE, and a second start from just
  inside a bound only where the cost falls into the allowed range
  (:class:`~cevns.stats.likelihood.Profiler`). A point that does not converge is retried
  from the global fit with strategy 1; if it still fails it is recorded with
  ``converged = False``;
* chunks go to any :class:`concurrent.futures.Executor` (by default two local processes)
  with the compiled likelihood (:class:`~cevns.stats.likelihood.ShippedLikelihood`, a few
  kB of arrays) when it compiles to arrays alone, otherwise with the
  :class:`~cevns.stats.likelihood.LikelihoodRecipe`, from which each worker builds it once;
* each finished chunk is appended to a JSON Lines file (a header line describing the
  scan, then one object per point), so an interrupted scan continues with
  ``resume=True``. Every chunk starts from the global fit stored in the header, so a
  resumed scan computes exactly what an uninterrupted one would;
* finally, points that a neighbour's or the global fit's nuisances beat are refitted
  (:mod:`cevns.stats.scan_repair`), and their new records appended (the last record of
  an index wins).

Δχ² convention: ``chi2`` is the minimum of the full cost at the point (data terms,
auxiliary measurements and constraints: −2 ln L up to a constant). ``delta_chi2`` is
``chi2`` minus the smaller of the global fit's minimum (all parameters free, run once
before the scan) and the smallest converged ``chi2`` on the grid.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from cevns.errors import CevnsInputError, unknown_name_error
from cevns.stats.executors import (
    DEFAULT_WORKERS,
    local_executor,
    run_chunks,
    single_threaded_workers,
)
from cevns.stats.grid import ScanAxis, ScanPoint, scan_points
from cevns.stats.likelihood import (
    SCAN_STRATEGY,
    LikelihoodRecipe,
    Profiler,
    ShippedLikelihood,
    likelihood_for,
    profile_with_retry,
    shipped,
)
from cevns.stats.results import FILE_FORMAT, FILE_VERSION, finite_or_none, open_results
from cevns.stats.scan_repair import cold_refit, on_a_bound, repair_profiler, repair_scan
from cevns.stats.scan_table import (  # re-exported: the results of a scan
    CONFIDENCE_LEVELS,
    Interval,
    Region,
    ScanTable,
    threshold_segments,
)


def check_axes(
    axes: Sequence[ScanAxis],
    parameters: Mapping[str, tuple[float, float]],
    fixed: Iterable[str] = (),
    option: str = "scan axis",
) -> None:
    """Raise a one-line error unless the axes are 1 or 2 distinct free parameters of the
    likelihood, each scanned inside the parameter's allowed range."""
    if not 1 <= len(axes) <= 2:
        raise CevnsInputError(f"a scan takes 1 or 2 axes; got {len(axes)}")
    names = [axis.name for axis in axes]
    if len(set(names)) != len(names):
        raise CevnsInputError(f"the scan names the same parameter twice: {', '.join(names)}")
    fixed = set(fixed)
    for axis in axes:
        if axis.name not in parameters:
            raise unknown_name_error(f"{option} parameter", axis.name, parameters)
        if axis.name in fixed:
            raise CevnsInputError(
                f"{option} {axis.name}: the parameter is fixed (held by the caller, or as a CEvNS "
                "signal scale held at 1 while new-physics parameters are scanned)"
            )
        low, high = parameters[axis.name]
        if axis.low < low or axis.high > high:
            raise CevnsInputError(
                f"{option} {axis.name}: the range {axis.low:g}:{axis.high:g} leaves the "
                f"parameter's allowed range [{low:g}, {high:g}]"
            )


# ------------------------------------------------------------------ work units


@dataclass(frozen=True)
class ScanChunk:
    """Consecutive grid points, in the order a worker evaluates them.

    ``start`` and ``steps`` (the global fit's values and errors) start the first point and
    any retry; each later point starts from the previous converged one.
    """

    names: tuple[str, ...]
    points: tuple[ScanPoint, ...]
    start: tuple[tuple[str, float], ...]
    steps: tuple[tuple[str, float], ...]
    strategy: int = SCAN_STRATEGY

    @property
    def indices(self) -> tuple[int, ...]:
        return tuple(point.index for point in self.points)


def serpentine(points: Sequence[ScanPoint], axes: Sequence[ScanAxis]) -> list[ScanPoint]:
    """``points`` (consecutive, row-major) reordered so that each follows a grid neighbour:
    every other row of the last axis is walked backwards."""
    if len(axes) == 1:
        return list(points)
    row_length = axes[-1].count
    rows: dict[int, list[ScanPoint]] = {}
    for point in points:
        rows.setdefault(point.index // row_length, []).append(point)
    ordered: list[ScanPoint] = []
    for position, row in enumerate(rows.values()):
        ordered.extend(row if position % 2 == 0 else reversed(row))
    return ordered


def default_chunk_size(axes: Sequence[ScanAxis]) -> int:
    """Points per chunk: one row of the last axis in 2D, an eighth of the grid in 1D.

    It depends on the grid only (not on the number of workers), so that a resumed scan
    cuts the grid the same way.
    """
    if len(axes) >= 2:
        return axes[-1].count
    return max(1, math.ceil(axes[0].count / 8))


def resolve_chunk_size(axes: Sequence[ScanAxis], chunk_size: int | None) -> int:
    """``chunk_size``, or :func:`default_chunk_size` when None; an integer ≥ 1."""
    size = default_chunk_size(axes) if chunk_size is None else chunk_size
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise CevnsInputError(f"chunk_size must be an integer ≥ 1; got {chunk_size!r}")
    return size


def make_chunks(
    axes: Sequence[ScanAxis],
    chunk_size: int,
    start: Mapping[str, float],
    steps: Mapping[str, float],
    strategy: int = SCAN_STRATEGY,
) -> list[ScanChunk]:
    """The grid cut into chunks of ``chunk_size`` consecutive indices (serpentine inside)."""
    points = scan_points(axes)
    start_items = tuple((k, float(v)) for k, v in start.items())
    step_items = tuple((k, float(v)) for k, v in steps.items())
    names = tuple(axis.name for axis in axes)
    return [
        ScanChunk(
            names,
            tuple(serpentine(points[i : i + chunk_size], axes)),
            start_items,
            step_items,
            strategy,
        )
        for i in range(0, len(points), chunk_size)
    ]


def evaluate_scan_chunk(
    recipe: LikelihoodRecipe | ShippedLikelihood, chunk: ScanChunk
) -> list[dict[str, Any]]:
    """The work unit: profile every point of ``chunk``; one record per point.

    A top-level function of picklable arguments, so any executor can run it; the
    likelihood comes with the work unit or is built once per process
    (:func:`likelihood_for`). The points are profiled on one :class:`Profiler`, each
    from the previous converged point's values; a point after one that ended with a
    profiled parameter on a bound from the analysis's cold start instead
    (:func:`~cevns.stats.scan_repair.cold_refit`, the refit the repair gives every point
    on a bound; recorded as ``cold_refit``, so the repair does not repeat it). In the
    100 × 100 NSI benchmark this replaced 3 000 warm profiles that the repair refitted
    anyway.
    """
    likelihood = likelihood_for(recipe)
    cold = dict(chunk.start)
    steps = dict(chunk.steps)
    warm = dict(cold)
    profiled_names = likelihood.free_parameters(chunk.names)
    # A second start from inside a bound only where the slope falls inside: the repair
    # refits every point on a bound from the cold start with both starts.
    profiler = Profiler(likelihood, strategy=chunk.strategy, steps=steps, second_start="slope")
    refitter: Profiler | None = None
    after_a_bound = False  # whether the previous point ended with a parameter on a bound
    records = []
    for point in chunk.points:
        fixed_values = dict(zip(chunk.names, point.values, strict=True))
        cold_refitted = False
        try:
            if after_a_bound:
                # Its neighbour ended on a bound, so this point likely does too, and the
                # repair would refit it from the cold start: that profile is done here
                # instead of the warm one (a warm start is still a repair candidate).
                refitter = refitter or repair_profiler(likelihood)
                result, cold_refitted = cold_refit(refitter, fixed_values), True
            if not cold_refitted or not result.converged:
                result = profile_with_retry(
                    likelihood, fixed_values, warm, cold, strategy=chunk.strategy, steps=steps,
                    profiler=profiler,
                )  # fmt: skip
        except CevnsInputError as error:
            # The model refuses this point (a radius below its form factor's minimum): it
            # is recorded as not converged, with the reason, and the scan goes on.
            records.append(
                {
                    "index": point.index,
                    "values": list(point.values),
                    "chi2": None,
                    "converged": False,
                    "profiled": dict.fromkeys(profiled_names),
                    "calls": 0,
                    "error": str(error),
                }
            )
            continue
        profiled = {n: finite_or_none(result.values[n]) for n in profiled_names}
        if result.converged:
            warm = result.values
        after_a_bound = result.converged and on_a_bound(profiled, likelihood.limits)
        record = {
            "index": point.index,
            "values": list(point.values),
            "chi2": finite_or_none(result.chi2),
            "converged": result.converged,
            "profiled": profiled,
            "calls": result.calls,
        }
        if cold_refitted:
            record["cold_refit"] = True
        records.append(record)
    return records


# ------------------------------------------------------------------- the scan


def scan_identity(
    kind: str,
    recipe: LikelihoodRecipe,
    axes: Sequence[ScanAxis],
    chunk_size: int,
    strategy: int,
    **extra: Any,
) -> dict[str, Any]:
    """The header fields that determine a scan's results (compared on resume)."""
    return {
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "kind": kind,
        "recipe": recipe.to_json(),
        "axes": [axis.to_json() for axis in axes],
        "chunk_size": chunk_size,
        "strategy": strategy,
        **extra,
    }


def _owned(stack: ExitStack, executor: Executor) -> Executor:
    """``executor``, shut down when ``stack`` closes: waiting for it after success,
    cancelling what is left after an error or Ctrl-C (finished points are saved)."""

    def close(kind, error, traceback) -> bool:
        executor.shutdown(wait=kind is None, cancel_futures=kind is not None)
        return False

    stack.push(close)
    return executor


def run_scan(
    spec: LikelihoodRecipe,
    axes: Sequence[ScanAxis],
    *,
    output_path: str | os.PathLike[str],
    executor: Executor | None = None,
    workers: int = DEFAULT_WORKERS,
    resume: bool = False,
    chunk_size: int | None = None,
    progress: bool = True,
    on_chunk: Callable[[int], None] | None = None,
    axis_option: str = "scan axis",
) -> ScanTable:
    """Profile-likelihood scan of ``spec`` over the grid of ``axes`` (1 or 2 axes).

    ``axis_option`` names the axes in error messages (the CLI passes ``--param``).

    ``executor``: any :class:`concurrent.futures.Executor` (not shut down here); by
    default ``workers`` local processes (1: in this process). Finished points go to
    ``output_path`` as they complete; ``resume=True`` continues that file (it must hold
    the same scan). ``chunk_size``: points per work unit (default
    :func:`default_chunk_size`). ``on_chunk(n)`` runs after the n-th chunk is saved.

    Parameters
    ----------
    spec
        The likelihood: :meth:`LikelihoodRecipe.create(experiments, data_directory,
        model_parameters) <cevns.stats.likelihood.LikelihoodRecipe.create>`.
    axes
        One or two :class:`ScanAxis` (``ScanAxis.parse("sin2_theta_w=0.1:0.4:16")``).

    Returns
    -------
    ScanTable
        Δχ² at every point, profiled parameters, and 68.27/90/95 % CL intervals
        (1D) or regions (2D).

    Raises
    ------
    CevnsInputError
        An axis outside its parameter's range or held fixed, a result file of another
        scan, bad execution settings.

    Examples
    --------
    >>> from cevns import LikelihoodRecipe, ScanAxis, scan
    >>> ScanAxis.parse("sin2_theta_w=0.1:0.4:16").values[:3]
    array([0.1 , 0.12, 0.14])
    >>> from cevns.interactions.models import default_values
    >>> recipe = LikelihoodRecipe.create(  # doctest: +SKIP
    ...     ["coherent-csi-2021"], "../shared/data", default_values(["sin2_theta_w"]),
    ...     hold_signal_scales=True,
    ... )
    >>> axis = ScanAxis("sin2_theta_w", 0.1, 0.4, 16)
    >>> table = scan(recipe, [axis], output_path="scan.jsonl")  # doctest: +SKIP
    >>> table.intervals([0.9])  # doctest: +SKIP
    """
    axes = tuple(axes)
    likelihood = likelihood_for(spec)
    check_axes(axes, likelihood.limits, likelihood.fixed, option=axis_option)
    size = resolve_chunk_size(axes, chunk_size)
    identity = scan_identity("scan", spec, axes, size, SCAN_STRATEGY)
    results, header = open_results(output_path, identity, likelihood, resume)
    fitted = header["global_fit"]
    chunks = make_chunks(axes, size, fitted["values"], fitted["errors"], SCAN_STRATEGY)
    source = shipped(spec)
    with ExitStack() as stack:
        stack.callback(results.close)
        if executor is None:
            stack.enter_context(single_threaded_workers())
            executor = _owned(stack, local_executor(workers))
        records = run_chunks(
            source,
            evaluate_scan_chunk,
            chunks,
            results,
            executor=executor,
            workers=workers,
            progress=progress,
            description="scan",
            on_chunk=on_chunk,
        )
        repair_scan(source, axes, records, fitted["values"], executor, results)
    return ScanTable.from_records(axes, records.values(), fitted)


__all__ = [
    "CONFIDENCE_LEVELS",
    "Interval",
    "Region",
    "ScanAxis",
    "ScanChunk",
    "ScanPoint",
    "ScanTable",
    "check_axes",
    "default_chunk_size",
    "evaluate_scan_chunk",
    "make_chunks",
    "run_scan",
    "scan_identity",
    "scan_points",
    "serpentine",
    "threshold_segments",
]
