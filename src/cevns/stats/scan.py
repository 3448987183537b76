"""Profile-likelihood scans on a grid: parallel, resumable, with Wilks intervals and regions.

A scan fixes one or two parameters (the *axes*) at every point of a grid and minimises the
cost over every other free parameter (the profile likelihood,
Δχ²(θ) = min_ν χ²(θ, ν) − χ²_min). Confidence intervals and regions follow from Wilks'
theorem (S. S. Wilks, Ann. Math. Statist. 9, 60 (1938)): at confidence level CL the
region is Δχ² ≤ F⁻¹_{χ²_k}(CL) with k the number of scanned parameters
(:func:`cevns.stats.inference.critical_delta_chi2`; 1D: 1.00, 2.71, 3.84 and 2D: 2.30,
4.61, 5.99 for 68.27 %, 90 %, 95 %).

How a scan runs (the machinery is in :mod:`cevns.stats.runner`):

* the grid is row-major (the first axis varies slowest) with an integer index per point;
  it is cut into chunks of consecutive indices, each evaluated in serpentine order so
  every point starts from the profiled values of its grid neighbour (warm start), with
  MIGRAD at strategy 0 and no HESSE. A point that does not converge is retried from the
  global fit with strategy 1; if it still fails it is recorded with ``converged = False``;
* chunks go to any :class:`concurrent.futures.Executor` (by default two local processes);
  each worker builds the likelihood once from a :class:`~cevns.stats.runner.LikelihoodRecipe`;
* each finished chunk is appended to a JSON Lines file (a header line describing the
  scan, then one object per point), so an interrupted scan continues with
  ``resume=True``. Every chunk starts from the global fit stored in the header, so a
  resumed scan computes exactly what an uninterrupted one would.

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
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from cevns.errors import CevnsInputError, unknown_name_error
from cevns.stats.inference import critical_delta_chi2
from cevns.stats.runner import (
    DEFAULT_WORKERS,
    FILE_FORMAT,
    FILE_VERSION,
    SCAN_STRATEGY,
    LikelihoodRecipe,
    finite_or_none,
    likelihood_for,
    open_results,
    profile_with_retry,
    run_chunks,
)

#: Confidence levels of the reported intervals and regions (1σ, 90 %, 95 %).
CONFIDENCE_LEVELS: tuple[float, ...] = (0.6827, 0.90, 0.95)


# --------------------------------------------------------------------------- axes


@dataclass(frozen=True)
class ScanAxis:
    """``count`` values of parameter ``name`` from ``low`` to ``high``: equally spaced, or
    with ``log`` equally spaced in the logarithm (masses of mediators, for example)."""

    name: str
    low: float
    high: float
    count: int
    log: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise CevnsInputError(f"scan axis name must be a parameter name; got {self.name!r}")
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 2:
            raise CevnsInputError(
                f"scan axis {self.name}: N must be an integer ≥ 2; got {self.count!r}"
            )
        finite = all(isinstance(v, int | float) and math.isfinite(v) for v in (self.low, self.high))
        if not finite or not self.low < self.high:
            raise CevnsInputError(
                f"scan axis {self.name}: LO and HI must be finite numbers with LO < HI; "
                f"got {self.low!r}:{self.high!r}"
            )
        if self.log and self.low <= 0:
            raise CevnsInputError(
                f"scan axis {self.name}: a log grid needs LO > 0; got {self.low!r}"
            )

    @classmethod
    def parse(cls, text: str, option: str = "--param") -> ScanAxis:
        """``NAME=LO:HI:N`` or ``NAME=LO:HI:N:log`` (for example ``flux_norm=0.5:1.5:41``,
        ``zprime_mass=1:1e4:40:log``) → a :class:`ScanAxis`.

        ``option`` names the setting in the error messages.
        """
        name, sep, grid = text.partition("=")
        parts = grid.split(":")
        log = len(parts) == 4 and parts[3].strip().lower() == "log"
        if not sep or not name.strip() or len(parts) != 3 + log:
            raise CevnsInputError(
                f"{option} must be NAME=LO:HI:N or NAME=LO:HI:N:log "
                f"(e.g. flux_norm=0.5:1.5:41); got {text!r}"
            )
        name = name.strip()
        try:
            low, high = float(parts[0]), float(parts[1])
        except ValueError:
            raise CevnsInputError(
                f"{option} {name}: LO and HI must be numbers; got {parts[0]!r}:{parts[1]!r}"
            ) from None
        try:
            count = int(parts[2])
        except ValueError:
            raise CevnsInputError(
                f"{option} {name}: N must be an integer ≥ 2; got {parts[2]!r}"
            ) from None
        try:
            return cls(name, low, high, count, log)
        except CevnsInputError as error:
            raise CevnsInputError(str(error).replace("scan axis", option, 1)) from None

    @property
    def values(self) -> np.ndarray:
        """The grid values (``numpy.linspace``, or ``numpy.geomspace`` for a log grid)."""
        spacing = np.geomspace if self.log else np.linspace
        return spacing(self.low, self.high, self.count)

    def __str__(self) -> str:
        return f"{self.name}={self.low:g}:{self.high:g}:{self.count}{':log' if self.log else ''}"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "low": self.low,
            "high": self.high,
            "count": self.count,
            "log": self.log,
        }


class ScanPoint(NamedTuple):
    """One grid point: its row-major index and the axes' values."""

    index: int
    values: tuple[float, ...]


def scan_points(axes: Sequence[ScanAxis]) -> list[ScanPoint]:
    """Every grid point in row-major order (the first axis varies slowest), indexed 0…N−1."""
    grids = [axis.values for axis in axes]
    mesh = np.meshgrid(*grids, indexing="ij")
    flat = np.stack([m.ravel() for m in mesh], axis=1)
    return [ScanPoint(i, tuple(float(v) for v in row)) for i, row in enumerate(flat)]


def check_axes(
    axes: Sequence[ScanAxis],
    parameters: Mapping[str, tuple[float, float]],
    fixed: Iterable[str] = (),
    option: str = "--param",
) -> None:
    """Raise a one-line error unless the axes are 1 or 2 distinct free parameters of the
    likelihood, each scanned inside the parameter's allowed range."""
    if not 1 <= len(axes) <= 2:
        raise CevnsInputError(f"a scan takes 1 or 2 {option} axes; got {len(axes)}")
    names = [axis.name for axis in axes]
    if len(set(names)) != len(names):
        raise CevnsInputError(f"{option} names the same parameter twice: {', '.join(names)}")
    fixed = set(fixed)
    for axis in axes:
        if axis.name not in parameters:
            raise unknown_name_error(f"{option} parameter", axis.name, parameters)
        if axis.name in fixed:
            raise CevnsInputError(
                f"{option} {axis.name}: the parameter is fixed (by --fix, or as a CEvNS "
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


def evaluate_scan_chunk(recipe: LikelihoodRecipe, chunk: ScanChunk) -> list[dict[str, Any]]:
    """The work unit: profile every point of ``chunk``; one record per point.

    A top-level function of picklable arguments, so any executor can run it; the
    likelihood is built once per process (:func:`likelihood_for`).
    """
    likelihood = likelihood_for(recipe)
    cold = dict(chunk.start)
    steps = dict(chunk.steps)
    warm = dict(cold)
    profiled_names = likelihood.free_parameters(chunk.names)
    records = []
    for point in chunk.points:
        fixed_values = dict(zip(chunk.names, point.values, strict=True))
        result = profile_with_retry(
            likelihood, fixed_values, warm, cold, strategy=chunk.strategy, steps=steps
        )
        if result.converged:
            warm = result.values
        records.append(
            {
                "index": point.index,
                "values": list(point.values),
                "chi2": finite_or_none(result.chi2),
                "converged": result.converged,
                "profiled": {n: finite_or_none(result.values[n]) for n in profiled_names},
                "calls": result.calls,
            }
        )
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
) -> ScanTable:
    """Profile-likelihood scan of ``spec`` over the grid of ``axes`` (1 or 2 axes).

    ``executor``: any :class:`concurrent.futures.Executor` (not shut down here); by
    default ``workers`` local processes (1: in this process). Finished points go to
    ``output_path`` as they complete; ``resume=True`` continues that file (it must hold
    the same scan). ``chunk_size``: points per work unit (default
    :func:`default_chunk_size`). ``on_chunk(n)`` runs after the n-th chunk is saved.
    """
    axes = tuple(axes)
    likelihood = likelihood_for(spec)
    check_axes(axes, likelihood.limits, likelihood.fixed)
    size = resolve_chunk_size(axes, chunk_size)
    identity = scan_identity("scan", spec, axes, size, SCAN_STRATEGY)
    results, header = open_results(output_path, identity, likelihood, resume)
    fitted = header["global_fit"]
    chunks = make_chunks(axes, size, fitted["values"], fitted["errors"], SCAN_STRATEGY)
    try:
        records = run_chunks(
            spec,
            evaluate_scan_chunk,
            chunks,
            results,
            executor=executor,
            workers=workers,
            progress=progress,
            description="scan",
            on_chunk=on_chunk,
        )
    finally:
        results.close()
    return ScanTable.from_records(axes, records.values(), fitted)


# -------------------------------------------------------------- table & regions


@dataclass(frozen=True)
class Interval:
    """A 1D profile-likelihood interval at one confidence level.

    ``segments``: the (low, high) ranges where Δχ² ≤ ``delta_chi2``; ±inf where a range
    reaches the edge of the scanned grid.
    """

    parameter: str
    confidence_level: float
    delta_chi2: float
    segments: tuple[tuple[float, float], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "parameter": self.parameter,
            "confidence_level": self.confidence_level,
            "delta_chi2": self.delta_chi2,
            "segments": [list(s) for s in self.segments],
        }


@dataclass(frozen=True)
class Region:
    """A 2D Wilks region: grid points with Δχ² ≤ ``delta_chi2`` (2 degrees of freedom).

    ``extent`` maps each parameter to the (low, high) range the region covers (from the
    surface profiled over the other axis, interpolated; ±inf where it reaches the grid
    edge); ``closed`` says the region does not touch the edge of the grid.
    """

    confidence_level: float
    delta_chi2: float
    inside: np.ndarray
    extent: dict[str, tuple[float, float]]
    closed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "confidence_level": self.confidence_level,
            "delta_chi2": self.delta_chi2,
            "points_inside": int(self.inside.sum()),
            "extent": {k: list(v) for k, v in self.extent.items()},
            "closed": self.closed,
        }


def threshold_segments(
    grid: np.ndarray, delta_chi2: np.ndarray, threshold: float
) -> tuple[tuple[float, float], ...]:
    """Ranges of ``grid`` where ``delta_chi2 ≤ threshold`` (NaN points are skipped).

    Each end is interpolated linearly in √Δχ² between the grid points around the
    crossing, which is exact for a parabola (Δχ² = ((x − x̂)/σ)² has √Δχ² = |x − x̂|/σ).
    An end that reaches the edge of the grid is ±inf.
    """
    valid = np.isfinite(delta_chi2)
    x = np.asarray(grid, float)[valid]
    y = np.maximum(np.asarray(delta_chi2, float)[valid], 0.0)
    inside = y <= threshold
    segments = []
    position = 0
    while position < x.size:
        if not inside[position]:
            position += 1
            continue
        first = position
        while position + 1 < x.size and inside[position + 1]:
            position += 1
        last = position
        low = -math.inf if first == 0 else _crossing(x, y, first - 1, first, threshold)
        high = math.inf if last == x.size - 1 else _crossing(x, y, last + 1, last, threshold)
        segments.append((low, high))
        position += 1
    return tuple(segments)


def _crossing(x: np.ndarray, y: np.ndarray, outside: int, inside: int, threshold: float) -> float:
    root_out, root_in = math.sqrt(y[outside]), math.sqrt(y[inside])
    fraction = (math.sqrt(threshold) - root_in) / (root_out - root_in)
    return float(x[inside] + fraction * (x[outside] - x[inside]))


@dataclass
class ScanTable:
    """The result of a scan, one row per grid point, sorted by index.

    Columns: the axes' values, ``chi2`` (minimum of the full cost at the point),
    ``delta_chi2`` (``chi2 − reference_chi2``, see the module docstring) and ``converged``;
    ``profiled`` holds the best-fit values of the profiled parameters.
    """

    axes: tuple[ScanAxis, ...]
    index: np.ndarray
    coordinates: np.ndarray
    chi2: np.ndarray
    converged: np.ndarray
    profiled: dict[str, np.ndarray]
    global_fit: dict[str, Any] = field(default_factory=dict)
    reference_chi2: float = field(init=False)
    delta_chi2: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        candidates = self.chi2[self.converged & np.isfinite(self.chi2)]
        minima = [float(candidates.min())] if candidates.size else []
        if self.global_fit.get("minimum") is not None:
            minima.append(float(self.global_fit["minimum"]))
        self.reference_chi2 = min(minima) if minima else math.nan
        self.delta_chi2 = self.chi2 - self.reference_chi2

    @classmethod
    def from_records(
        cls,
        axes: Sequence[ScanAxis],
        records: Iterable[Mapping[str, Any]],
        global_fit: Mapping[str, Any] | None = None,
    ) -> ScanTable:
        """The table of a complete set of point records (as written to the scan file)."""
        axes = tuple(axes)
        ordered = sorted(records, key=lambda r: int(r["index"]))
        expected = math.prod(axis.count for axis in axes)
        indices = np.array([int(r["index"]) for r in ordered], dtype=int)
        if indices.size != expected or np.any(indices != np.arange(expected)):
            raise CevnsInputError(
                f"the scan is incomplete: {indices.size} of {expected} points are finished"
            )
        points = scan_points(axes)
        names = list(ordered[0]["profiled"]) if ordered else []
        return cls(
            axes=axes,
            index=indices,
            coordinates=np.array([p.values for p in points], dtype=float),
            chi2=np.array([_float(r["chi2"], math.inf) for r in ordered]),
            converged=np.array([bool(r["converged"]) for r in ordered]),
            profiled={
                n: np.array([_float(r["profiled"][n], math.nan) for r in ordered]) for n in names
            },
            global_fit=dict(global_fit or {}),
        )

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(axis.name for axis in self.axes)

    def column(self, name: str) -> np.ndarray:
        """The values of axis ``name`` at every point."""
        return self.coordinates[:, self.parameters.index(name)]

    def rows(self) -> list[dict[str, Any]]:
        """One dict per point: the axes' values, chi2, delta_chi2, converged."""
        return [
            {
                **dict(zip(self.parameters, map(float, point), strict=True)),
                "chi2": float(chi2),
                "delta_chi2": float(delta),
                "converged": bool(ok),
            }
            for point, chi2, delta, ok in zip(
                self.coordinates, self.chi2, self.delta_chi2, self.converged, strict=True
            )
        ]

    def surface(self) -> np.ndarray:
        """Δχ² shaped like the grid (axis counts); NaN where the fit did not converge."""
        values = np.where(self.converged, self.delta_chi2, np.nan)
        return values.reshape([axis.count for axis in self.axes])

    def profile_along(self, name: str) -> np.ndarray:
        """Δχ² along axis ``name`` minimised over the other axis (the 1D profile on the
        grid); NaN where no point of the other axis converged."""
        surface = self.surface()
        axis = self.parameters.index(name)
        if surface.ndim == 1:
            return surface
        other = 1 - axis
        filled = np.where(np.isfinite(surface), surface, np.inf).min(axis=other)
        return np.where(np.isfinite(filled), filled, np.nan)

    def best(self) -> dict[str, float]:
        """The converged grid point with the smallest χ² (its values, chi2, delta_chi2)."""
        candidates = np.where(self.converged, self.chi2, np.inf)
        position = int(np.argmin(candidates))
        return self.rows()[position]

    def intervals(self, levels: Iterable[float] = CONFIDENCE_LEVELS) -> list[Interval]:
        """1D intervals (one degree of freedom) of each axis, from its profile."""
        return [
            Interval(
                name,
                level,
                critical_delta_chi2(level, 1),
                threshold_segments(
                    axis.values, self.profile_along(name), critical_delta_chi2(level, 1)
                ),
            )
            for axis, name in zip(self.axes, self.parameters, strict=True)
            for level in levels
        ]

    def regions(self, levels: Iterable[float] = CONFIDENCE_LEVELS) -> list[Region]:
        """2D Wilks regions (two degrees of freedom); empty for a 1D scan."""
        if len(self.axes) != 2:
            return []
        surface = self.surface()
        regions = []
        for level in levels:
            threshold = critical_delta_chi2(level, 2)
            inside = np.nan_to_num(surface, nan=np.inf) <= threshold
            extent = {}
            for axis in self.axes:
                segments = threshold_segments(axis.values, self.profile_along(axis.name), threshold)
                extent[axis.name] = (
                    (min(s[0] for s in segments), max(s[1] for s in segments))
                    if segments
                    else (math.nan, math.nan)
                )
            edge = inside.copy()
            edge[1:-1, 1:-1] = False
            regions.append(Region(level, threshold, inside, extent, not edge.any()))
        return regions

    def summary(self) -> dict[str, Any]:
        """Everything but the rows, JSON-ready: axes, global fit, best point, intervals,
        regions and the number of points that did not converge."""
        fitted = self.global_fit
        return {
            "axes": [axis.to_json() for axis in self.axes],
            "points": int(self.index.size),
            "global_fit": {
                "converged": fitted.get("converged"),
                "minimum": fitted.get("minimum"),
                "values": fitted.get("values", {}),
            },
            "reference_chi2": self.reference_chi2,
            "best_point": self.best(),
            "intervals": [i.to_json() for i in self.intervals()],
            "regions": [r.to_json() for r in self.regions()],
            "not_converged": int((~self.converged).sum()),
        }


def _float(value: float | None, missing: float) -> float:
    return missing if value is None else float(value)
