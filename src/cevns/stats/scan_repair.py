"""Repair of profile scans: points left in a local minimum are refitted.

A warm-started scan (each point starts from its grid neighbour's profile) can follow a
local minimum of the nuisance parameters across a ridge and leave points far above their
true profile (audit: up to Δχ² = 72 in a 100 × 100 NSI scan). After the scan each point is
checked three ways:

* against candidate starts — the global fit, the analysis's cold start and each grid
  neighbour's profiled nuisances: the cost at the point's scanned values with a
  candidate's nuisances is one evaluation, and if it is lower than the point's minimum
  the point is not at its profile minimum;
* against its neighbours: a point that sticks out by more than :data:`BUMP` along an
  axis is a spike that a smooth profile does not have. Its excess over the mean of its two
  neighbours is compared with theirs: on a smooth surface all are about −f''·h²/2 (up to
  0.1 and more where the NSI profile is steep on a 100 × 100 grid, which flagged 900
  points whose refits improved 25), so they cancel, while a spike of height E has excess
  E and its neighbours −E/2;
* a point with a profiled parameter on one of its bounds: MIGRAD can follow a basin along
  a bound that a cold start avoids (in the 100 × 100 NSI benchmark a corner of the plane
  sat 54 above its cold fit, with the flux normalisation and a quenching nuisance on their
  bounds, smooth among its neighbours).

A point that a candidate beats is refitted from those candidates; otherwise a spike from
the candidate with the lowest cost, and a point on a bound from the cold start
(:func:`cold_refit`: MIGRAD, and once more from where it stopped if it did not converge;
once per point, since that refit is deterministic and later sweeps would repeat it; the
scan's first pass runs it instead of the warm profile where the previous point ended on a
bound, and records it); it keeps the lowest minimum. The checks and refits run on the
scan's executor, in chunks of points, on one :class:`~cevns.stats.likelihood.Profiler` per
chunk. Later sweeps check the neighbours of the points that improved, until none does, so
a repair propagates along the grid.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np

from cevns.errors import CevnsInputError
from cevns.stats.grid import ScanAxis
from cevns.stats.likelihood import (
    Likelihood,
    LikelihoodRecipe,
    Profiler,
    ShippedLikelihood,
    likelihood_for,
)
from cevns.stats.results import ResultFile, finite_or_none

#: A candidate start must lower a point's χ² by more than this to trigger a refit.
REPAIR_TOLERANCE = 1e-3

#: At most this many sweeps over the grid.
MAX_SWEEPS = 20

#: MIGRAD strategy of refits: 0, as the scan (the cold start does the work; strategy 1 found
#: the same minima in the 100 × 100 benchmark at 1.4 times the cost).
REPAIR_STRATEGY = 0

#: A point this far above the mean of its two neighbours along an axis is refitted (less
#: their own excesses, :func:`spikes`). In the 100 × 100 NSI benchmark a cold refit
#: stopped in a local minimum 0.017 above the one its neighbours' warm profiles
#: continue (a spike of excess 1.5 × 0.017), which 0.05 missed; in the first pass 0.02 flags
#: 578 points (0.05: 391), of which 104 were not already refitted from the cold start.
BUMP = 0.02


def grid_neighbours(index: int, shape: Sequence[int]) -> list[int]:
    """Row-major indices of the points next to ``index`` along each axis."""
    neighbours = []
    stride = math.prod(shape)
    for size in shape:
        stride //= size
        position = (index // stride) % size
        if position > 0:
            neighbours.append(index - stride)
        if position < size - 1:
            neighbours.append(index + stride)
    return neighbours


def _chi2(record: Mapping[str, Any]) -> float:
    value = record.get("chi2")
    return math.inf if value is None or not record.get("converged") else float(value)


def spikes(shape: Sequence[int], chi2: Mapping[int, float]) -> np.ndarray:
    """Which points of the grid stick out by more than :data:`BUMP` along some axis (flat,
    row-major): a point's excess over the mean of its two neighbours, less the mean of
    those neighbours' own excesses where they have one (a smooth profile's excesses are
    all about −f''h²/2 and cancel; a spike of height E has excess E and its neighbours
    −E/2, which leaves 1.5 E). A point at +∞ between finite neighbours sticks out; one
    next to +∞ does not."""
    values = np.full(math.prod(shape), math.inf)
    values[list(chi2)] = list(chi2.values())
    grid = values.reshape(tuple(shape))
    result = np.zeros(grid.shape, dtype=bool)
    for axis in range(grid.ndim):
        line = np.moveaxis(grid, axis, 0)
        excess = np.full(line.shape, math.nan)
        with np.errstate(invalid="ignore"):
            excess[1:-1] = line[1:-1] - 0.5 * (line[:-2] + line[2:])
        before = np.full(line.shape, math.nan)
        after = np.full(line.shape, math.nan)
        before[1:], after[:-1] = excess[:-1], excess[1:]
        finite_before, finite_after = np.isfinite(before), np.isfinite(after)
        known = finite_before.astype(float) + finite_after
        total = np.where(finite_before, before, 0.0) + np.where(finite_after, after, 0.0)
        curvature = np.where(known > 0, total / np.maximum(known, 1.0), 0.0)
        with np.errstate(invalid="ignore"):
            sticks_out = np.where(np.isfinite(excess), excess - curvature > BUMP, excess > 0)
        result |= np.moveaxis(sticks_out, 0, axis)
    return result.ravel()


@dataclass(frozen=True)
class RepairJob:
    """One point to check: its record, its starts (global fit, cold start, neighbours) and
    whether it is a spike. Small and picklable, so workers can take it."""

    record: dict[str, Any]
    names: tuple[str, ...]
    starts: tuple[dict[str, float], ...]
    spike: bool
    #: Whether a point on a bound may still need its cold-start refit: a profile from the
    #: same point and start is deterministic, so once done it is never repeated.
    bound_refit: bool = True

    @property
    def indices(self) -> tuple[int, ...]:
        return (int(self.record["index"]),)


def on_a_bound(
    profiled: Mapping[str, float | None], limits: Mapping[str, tuple[float, float]]
) -> bool:
    """Whether one of the ``profiled`` parameters' values sits on one of its bounds."""
    for name, value in profiled.items():
        if value is None:
            continue
        for bound in limits[name]:
            if math.isfinite(bound) and abs(value - bound) <= 1e-6 * max(1.0, abs(bound)):
                return True
    return False


def _lowest_start(starts: Sequence[dict[str, float]], values: Sequence[float]) -> dict[str, float]:
    """The start a spike is refitted from: of the candidates other than the cold start
    (the second), the one where the cost is lowest (a spike's neighbours are below it).
    In the 100 × 100 NSI benchmark refits from every start (about six per spike), and
    then from this one and the cold start, found the same minima at 3 and 1.5 times the
    cost."""
    others = [position for position in range(len(starts)) if position != 1]
    return starts[min(others, key=lambda position: values[position])]


def _refit(profiler: Profiler, point: Mapping[str, float], start: Mapping[str, float]):
    """A profile from ``start``, started as on a new Minuit with its own curvature
    (:class:`~cevns.stats.likelihood.Profiler`: a refit must not inherit the path of the
    previous one, which can end in another basin); MIGRAD again from where it stopped if
    it did not converge."""
    refit = profiler(point, start)
    if not refit.converged:
        refit = profiler(point, refit.values)
    return refit


def repair_profiler(likelihood: Likelihood) -> Profiler:
    """The profiler of refits: MIGRAD at :data:`REPAIR_STRATEGY`, Minuit's own first
    steps, a second start from inside after any minimum on a bound."""
    return Profiler(likelihood, strategy=REPAIR_STRATEGY)


def cold_start(likelihood: Likelihood) -> dict[str, float]:
    """The analysis's cold start: its start values, with the recipe's fixed values."""
    return {**likelihood.start, **likelihood.fixed}


def cold_refit(profiler: Profiler, point: Mapping[str, float]):
    """The profile at ``point`` from the analysis's cold start (its start values), on a
    :func:`repair_profiler`: the refit every point on a bound gets once. Deterministic,
    so the scan's first pass may run it instead (:func:`cevns.stats.scan.
    evaluate_scan_chunk`, recorded as ``cold_refit``) and the repair then skips it."""
    return _refit(profiler, point, {**cold_start(profiler.likelihood), **point})


def evaluate_repair_chunk(
    recipe: LikelihoodRecipe | ShippedLikelihood, jobs: Sequence[RepairJob]
) -> tuple[list[dict], list[int]]:
    """The work unit: check each job's point and refit it where needed. Returns the
    records of the points that improved (the others are left out) and the indices of the
    points whose cold-start refit ran (never repeated by later sweeps)."""
    likelihood = likelihood_for(recipe)
    profiler = repair_profiler(likelihood)
    improved = []
    cold_done: list[int] = []
    # Every start of every job in one batched evaluation of the cost.
    every_start = [
        [start[name] for name in likelihood.names] for job in jobs for start in job.starts
    ]
    all_values = likelihood.values(np.array(every_start)).tolist() if every_start else []
    offset = 0
    for job in jobs:
        record = job.record
        point = dict(zip(job.names, record["values"], strict=True))
        best = _chi2(record)
        values = all_values[offset : offset + len(job.starts)]
        offset += len(job.starts)
        # Refit from the starts that beat the point; otherwise a spike from the lowest
        # other start, and a point with a parameter on a bound from the cold start (the
        # second start; once per point).
        chosen = [t for t, v in zip(job.starts, values, strict=True) if v < best - REPAIR_TOLERANCE]
        if not chosen:
            if job.spike:
                chosen.append(_lowest_start(job.starts, values))
            if job.bound_refit and on_a_bound(record["profiled"], likelihood.limits):
                chosen.append(job.starts[1])
                cold_done.append(int(record["index"]))
        for start in chosen:
            try:
                refit = _refit(profiler, point, start)
            except CevnsInputError:
                break  # the model refuses this point (recorded with its reason)
            if refit.converged and refit.chi2 < best - REPAIR_TOLERANCE:
                best = refit.chi2
                record = {
                    **record,
                    "chi2": finite_or_none(refit.chi2),
                    "converged": True,
                    "profiled": {n: finite_or_none(refit.values[n]) for n in record["profiled"]},
                    "calls": int(record.get("calls", 0)) + refit.calls,
                    "repaired": True,
                }
        if record is not job.record:
            improved.append(record)
    return improved, cold_done


def repair_scan(
    recipe: LikelihoodRecipe | ShippedLikelihood,
    axes: Sequence[ScanAxis],
    records: dict[int, dict[str, Any]],
    global_values: Mapping[str, float],
    executor: Executor,
    results: ResultFile | None = None,
    chunk_size: int = 50,
) -> int:
    """Check every point and refit those a candidate start beats, that stick out above
    their neighbours or sit on a bound (module docstring), on ``executor``; update
    ``records`` in place and append replaced records to ``results``. Returns the number of
    points that improved."""
    likelihood = likelihood_for(recipe)
    names = tuple(axis.name for axis in axes)
    shape = [axis.count for axis in axes]
    base = {**likelihood.start, **dict(global_values), **likelihood.fixed}
    cold = cold_start(likelihood)
    repaired = 0
    pending = set(records)  # the first sweep checks every point, later ones the neighbours
    # Points whose cold-start refit is done (deterministic): by the first pass, then here.
    cold_refitted = {index for index, record in records.items() if record.get("cold_refit")}
    for _ in range(MAX_SWEEPS):
        sticking_out = spikes(shape, {index: _chi2(record) for index, record in records.items()})
        candidates: dict[int, dict[str, float]] = {}
        futures = []
        jobs: list[RepairJob] = []
        for index in sorted(pending):
            record = records[index]
            if record.get("error"):
                continue
            point = dict(zip(names, record["values"], strict=True))
            neighbours = []
            for n in grid_neighbours(index, shape):
                if n in records and records[n].get("converged"):
                    if n not in candidates:
                        profiled = records[n]["profiled"].items()
                        candidates[n] = {**base, **{k: v for k, v in profiled if v is not None}}
                    neighbours.append(candidates[n])
            starts = tuple({**c, **point} for c in [base, cold, *neighbours])
            spike = bool(sticking_out[index])
            jobs.append(RepairJob(record, names, starts, spike, index not in cold_refitted))
            if len(jobs) == chunk_size:  # workers start while the next chunk is prepared
                futures.append(executor.submit(evaluate_repair_chunk, recipe, jobs))
                jobs = []
        if jobs:
            futures.append(executor.submit(evaluate_repair_chunk, recipe, jobs))
        improved = []
        for future in futures:
            better, cold_done = future.result()
            improved.extend(better)
            cold_refitted.update(cold_done)
        for record in improved:
            records[int(record["index"])] = record
        if results is not None and improved:
            results.append(improved)
        repaired += len(improved)
        pending = {
            n
            for record in improved
            for n in grid_neighbours(int(record["index"]), shape)
            if n in records
        }
        if not pending:
            break
    return repaired


__all__ = [
    "BUMP",
    "MAX_SWEEPS",
    "REPAIR_TOLERANCE",
    "RepairJob",
    "cold_refit",
    "evaluate_repair_chunk",
    "grid_neighbours",
    "on_a_bound",
    "repair_profiler",
    "repair_scan",
    "spikes",
]
