"""One-sided upper limits on a coupling against a mass: exclusion curves for mediators.

For each mass m on a grid, the limit is the coupling g_lim(m) > ĝ(m) where

    Δχ²(g; m) = χ²_prof(g; m) − χ²_prof(ĝ(m); m) = t_CL,

with χ²_prof the profile likelihood (every other free parameter minimised) and ĝ(m) the
best fit with g ≥ 0 at that mass (so Δχ² is measured from the best physical coupling at
each mass, the usual convention of exclusion curves; an excess moves ĝ above 0, a deficit
leaves it at 0). The threshold is t_CL = F⁻¹_{χ²_1}(CL): 2.71 at 90 %, 3.84 at 95 % CL
(:func:`limit_threshold`), the value used for exclusion curves drawn from Δχ² profiles.
A strictly one-sided test at the boundary g = 0 (the statistic q_μ of G. Cowan et al.,
Eur. Phys. J. C 71, 1554 (2011), eqs. 14–16, distributed as ½δ + ½χ²₁) would use
[Φ⁻¹(CL)]² = 1.64 at 90 %; with 2.71 the "90 %" curve has 95 % one-sided coverage
asymptotically, so it is conservative.

The crossing is bracketed by stepping geometrically from a guess (the previous mass's
limit) and then found with Brent's method (:func:`scipy.optimize.brentq`) on the
profiled Δχ²; each profile starts from the nuisances of the previous evaluation. If Δχ²
stays below t_CL up to the coupling's upper limit, the mass has no limit in range
(``bracketed = False``).

Masses run as the points of a 1D grid through the machinery of scans
(:mod:`cevns.stats.runner`): chunks of consecutive masses go to any executor, finished
masses are appended to a JSON Lines file, and ``resume=True`` continues it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import brentq

from cevns.errors import CevnsInputError, unknown_name_error
from cevns.stats.inference import critical_delta_chi2
from cevns.stats.runner import (
    DEFAULT_WORKERS,
    SCAN_STRATEGY,
    Likelihood,
    LikelihoodRecipe,
    ProfiledPoint,
    finite_or_none,
    likelihood_for,
    open_results,
    profile_with_retry,
    run_chunks,
)
from cevns.stats.scan import (
    ScanAxis,
    ScanPoint,
    check_axes,
    resolve_chunk_size,
    scan_identity,
    scan_points,
)

#: Geometric step of the bracket search, and its maximum number of steps.
BRACKET_FACTOR = 4.0
BRACKET_STEPS = 40

#: The coupling tried first at the first mass of a chunk (later masses start from the
#: previous limit). The bracket search steps by ×4 from there, so the coupling's scale
#: need not be known; starting small keeps every fit in the region where it converges.
INITIAL_GUESS = 1e-6

#: Relative precision of the limit (Brent's method).
RELATIVE_TOLERANCE = 1e-6

#: A profile this far (in χ²) below the best fit with coupling ≥ 0 means that fit missed
#: the minimum: it is redone from there, at most ``RESTARTS`` times per mass.
LOWER_MINIMUM_TOLERANCE = 1e-3
RESTARTS = 3


def limit_threshold(confidence_level: float) -> float:
    """Δχ² at which the limit is set: F⁻¹_{χ²_1}(CL), 2.706 at 0.9 and 3.841 at 0.95."""
    if not 0.0 < confidence_level < 1.0:
        raise CevnsInputError(
            f"--cl (confidence level) must be between 0 and 1; got {confidence_level!r}"
        )
    return critical_delta_chi2(confidence_level, 1)


class _ProfileFailedError(RuntimeError):
    """A profile fit inside the limit search did not converge."""


class _LowerMinimumError(RuntimeError):
    """A profile found a χ² below the best fit: the best fit is to be redone."""

    def __init__(self, point: ProfiledPoint):
        super().__init__(f"lower minimum χ² = {point.chi2:.6g}")
        self.point = point


@dataclass(frozen=True)
class LimitChunk:
    """Consecutive masses of the grid, with what the limit search needs."""

    mass: str
    coupling: str
    points: tuple[ScanPoint, ...]
    start: tuple[tuple[str, float], ...]
    steps: tuple[tuple[str, float], ...]
    threshold: float
    coupling_upper: float
    initial_guess: float = INITIAL_GUESS
    strategy: int = SCAN_STRATEGY

    @property
    def indices(self) -> tuple[int, ...]:
        return tuple(point.index for point in self.points)


@dataclass
class _Search:
    """The profiled Δχ² − t along the coupling at one mass, with memory of evaluations."""

    likelihood: Likelihood
    chunk: LimitChunk
    mass_value: float
    chi2_best: float
    warm: dict[str, float]
    cold: dict[str, float]
    calls: int = 0
    cache: dict[float, float] = field(default_factory=dict)

    def excess(self, coupling: float) -> float:
        """Δχ²(coupling) − threshold, profiling every other free parameter."""
        coupling = float(coupling)
        if coupling not in self.cache:
            chunk = self.chunk
            fixed = {chunk.mass: self.mass_value, chunk.coupling: coupling}
            point = profile_with_retry(
                self.likelihood,
                fixed,
                self.warm,
                self.cold,
                strategy=chunk.strategy,
                steps=dict(chunk.steps),
            )
            self.calls += point.calls
            if not point.converged:
                raise _ProfileFailedError(f"profile at {chunk.coupling} = {coupling:g}")
            if point.chi2 < self.chi2_best - LOWER_MINIMUM_TOLERANCE:
                raise _LowerMinimumError(point)
            self.warm = point.values
            self.cache[coupling] = point.chi2 - self.chi2_best - chunk.threshold
        return self.cache[coupling]


def bracket(
    excess: Callable[[float], float], low: float, guess: float, upper: float
) -> tuple[float, float] | None:
    """(a, b) with low ≤ a < b ≤ upper, excess(a) < 0 < excess(b); None if excess stays
    below 0 up to ``upper``. ``excess(low)`` must be negative (it is not evaluated).

    From b = low + (guess − low, or guess, or 1), steps of ×4 in (b − low): down while
    excess(b) > 0, up while excess(b) < 0.
    """
    width = guess - low if guess > low else (guess if guess > 0 else 1.0)
    b = min(low + width, upper)
    if b <= low:
        return None
    if excess(b) > 0:
        for _ in range(BRACKET_STEPS):
            width /= BRACKET_FACTOR
            a = low + width
            if a <= low or excess(a) < 0:
                return (max(a, low), b)
            b = a
        return (low, b)
    for _ in range(BRACKET_STEPS):
        if b >= upper:
            return None
        a, width = b, width * BRACKET_FACTOR
        b = min(low + width, upper)
        if excess(b) > 0:
            return (a, b)
    return None


def _free_fit(
    likelihood: Likelihood, chunk: LimitChunk, mass_value: float, start: Mapping[str, float]
) -> ProfiledPoint:
    """The best fit at ``mass_value`` with the coupling free in [0, upper]."""
    coupling = chunk.coupling
    step = max(start[coupling], chunk.initial_guess) / 2
    return profile_with_retry(
        likelihood,
        {chunk.mass: mass_value},
        start,
        {**dict(chunk.start), coupling: step},
        strategy=chunk.strategy,
        steps={**dict(chunk.steps), coupling: step},
        limits={coupling: (0.0, chunk.coupling_upper)},
    )


def limit_at_mass(
    likelihood: Likelihood,
    chunk: LimitChunk,
    mass_value: float,
    warm: Mapping[str, float],
    guess: float,
) -> dict[str, Any]:
    """The limit search at one mass, from nuisances ``warm`` and the coupling ``guess``.

    The reference χ² is the smallest of the fit at coupling 0, the fit with the coupling
    free (≥ 0, started at ``guess``), and any profile met during the search (which then
    restarts the free fit from there). Returns a record: the limit, ĝ, χ²(ĝ),
    Δχ²(0) − Δχ²(ĝ), flags, MIGRAD calls, and the parameter values at the last profile
    (``values``, to warm-start the next mass).
    """
    cold = dict(chunk.start)
    mass, coupling = chunk.mass, chunk.coupling
    guess = min(guess, chunk.coupling_upper / 2)
    null = profile_with_retry(
        likelihood,
        {mass: mass_value, coupling: 0.0},
        warm,
        cold,
        strategy=chunk.strategy,
        steps=dict(chunk.steps),
    )
    calls = null.calls
    candidates = [null] if null.converged else []
    free_start = {**(null.values if null.converged else warm), coupling: guess}
    for _ in range(RESTARTS + 1):
        free = _free_fit(likelihood, chunk, mass_value, free_start)
        calls += free.calls
        candidates += [free] if free.converged else []
        if not candidates:
            break
        best = min(candidates, key=lambda p: p.chi2)
        if null.converged and best.chi2 > null.chi2 - LOWER_MINIMUM_TOLERANCE:
            best = null  # within the fits' precision the best coupling is 0
        best_coupling = max(best.values[coupling], 0.0)
        delta_null = null.chi2 - best.chi2 if null.converged else None
        search = _Search(likelihood, chunk, mass_value, best.chi2, dict(best.values), cold)
        try:
            found = bracket(search.excess, best_coupling, guess, chunk.coupling_upper)
            limit = None
            if found is not None:
                a, b = found
                limit = float(brentq(search.excess, a, b, xtol=1e-12 * b, rtol=RELATIVE_TOLERANCE))
                search.excess(limit)  # the nuisances at the limit warm-start the next mass
        except _LowerMinimumError as lower:
            calls += search.calls
            candidates.append(lower.point)
            free_start = lower.point.values
            continue
        except _ProfileFailedError:
            calls += search.calls
            return _record(
                False, None, best_coupling, best.chi2, delta_null, True, calls, best.values
            )
        return _record(
            True,
            limit,
            best_coupling,
            best.chi2,
            delta_null,
            found is not None,
            calls + search.calls,
            search.warm,
        )
    return _record(False, None, None, None, None, True, calls, warm)


def _record(
    converged: bool,
    limit: float | None,
    best_coupling: float | None,
    chi2_best: float | None,
    delta_null: float | None,
    bracketed: bool,
    calls: int,
    values: Mapping[str, float],
) -> dict[str, Any]:
    return {
        "limit": limit,
        "best_coupling": best_coupling,
        "chi2_best": None if chi2_best is None else finite_or_none(chi2_best),
        "delta_chi2_null": None if delta_null is None else finite_or_none(delta_null),
        "converged": converged,
        "bracketed": bracketed,
        "calls": calls,
        "values": dict(values),
    }


def evaluate_limit_chunk(recipe: LikelihoodRecipe, chunk: LimitChunk) -> list[dict[str, Any]]:
    """The work unit: the limit at every mass of ``chunk``, in order; one record each.

    Each mass starts from the nuisances and the limit of the previous one (the first from
    the fit stored in the file header and ``initial_guess``).
    """
    likelihood = likelihood_for(recipe)
    warm = dict(chunk.start)
    guess = chunk.initial_guess
    records = []
    for point in chunk.points:
        mass_value = point.values[0]
        record = limit_at_mass(likelihood, chunk, mass_value, warm, guess)
        state = record.pop("values")
        if record["converged"]:
            warm = state
            if record["limit"] is not None:
                guess = record["limit"]
        records.append({"index": point.index, "values": [mass_value], **record})
    return records


def check_coupling(coupling: str, mass: ScanAxis, likelihood: Likelihood) -> tuple[float, float]:
    """The coupling's allowed range; a one-line error unless it is a free parameter of the
    likelihood, other than the mass, whose range contains 0."""
    if coupling not in likelihood.limits:
        raise unknown_name_error("--coupling parameter", coupling, likelihood.limits)
    if coupling == mass.name:
        raise CevnsInputError(f"--coupling {coupling} is also the --mass parameter")
    if coupling in likelihood.fixed:
        raise CevnsInputError(f"--coupling {coupling}: the parameter is fixed (--fix)")
    low, high = likelihood.limits[coupling]
    if not low <= 0.0 < high:
        raise CevnsInputError(
            f"--coupling {coupling}: its allowed range [{low:g}, {high:g}] must contain 0 "
            "(an upper limit is set against coupling = 0)"
        )
    return low, high


def run_limit(
    spec: LikelihoodRecipe,
    mass: ScanAxis,
    coupling: str,
    *,
    output_path: str | os.PathLike[str],
    confidence_level: float = 0.9,
    executor: Executor | None = None,
    workers: int = DEFAULT_WORKERS,
    resume: bool = False,
    chunk_size: int | None = None,
    progress: bool = True,
    on_chunk: Callable[[int], None] | None = None,
) -> LimitTable:
    """One-sided upper limits on ``coupling`` at every mass of ``mass`` (see the module
    docstring). Execution, the result file and ``resume`` work as in
    :func:`cevns.stats.scan.run_scan`; the fit stored in the header (start values of the
    nuisances) has the coupling at 0 and the mass at its first grid value.
    """
    likelihood = likelihood_for(spec)
    check_axes([mass], likelihood.limits, likelihood.fixed, option="--mass")
    _, upper = check_coupling(coupling, mass, likelihood)
    threshold = limit_threshold(confidence_level)
    size = resolve_chunk_size([mass], chunk_size)
    identity = scan_identity(
        "limit",
        spec,
        [mass],
        size,
        SCAN_STRATEGY,
        coupling=coupling,
        confidence_level=confidence_level,
    )
    null_point = {mass.name: mass.low, coupling: 0.0}
    results, header = open_results(output_path, identity, likelihood, resume, null_point)
    fitted = header["global_fit"]
    steps = {k: v for k, v in fitted["errors"].items() if k not in (mass.name, coupling)}
    start = tuple((k, float(v)) for k, v in fitted["values"].items())
    points = scan_points([mass])
    chunks = [
        LimitChunk(
            mass.name,
            coupling,
            tuple(points[i : i + size]),
            start,
            tuple(steps.items()),
            threshold,
            upper,
        )
        for i in range(0, len(points), size)
    ]
    try:
        records = run_chunks(
            spec,
            evaluate_limit_chunk,
            chunks,
            results,
            executor=executor,
            workers=workers,
            progress=progress,
            description="limit",
            on_chunk=on_chunk,
        )
    finally:
        results.close()
    return LimitTable.from_records(mass, coupling, confidence_level, records.values(), fitted)


@dataclass
class LimitTable:
    """Upper limits on ``coupling`` against the mass, sorted by mass.

    ``limit`` is NaN where the search did not converge or Δχ² stayed below the threshold
    up to the coupling's upper limit (``bracketed`` False).
    """

    mass: ScanAxis
    coupling: str
    confidence_level: float
    masses: np.ndarray
    limit: np.ndarray
    best_coupling: np.ndarray
    delta_chi2_null: np.ndarray
    converged: np.ndarray
    bracketed: np.ndarray
    global_fit: dict[str, Any] = field(default_factory=dict)

    @property
    def threshold(self) -> float:
        return limit_threshold(self.confidence_level)

    @classmethod
    def from_records(
        cls,
        mass: ScanAxis,
        coupling: str,
        confidence_level: float,
        records: Iterable[Mapping[str, Any]],
        global_fit: Mapping[str, Any] | None = None,
    ) -> LimitTable:
        """The table of a complete set of records (as written to the result file)."""
        ordered = sorted(records, key=lambda r: int(r["index"]))
        if [int(r["index"]) for r in ordered] != list(range(mass.count)):
            raise CevnsInputError(
                f"the limit scan is incomplete: {len(ordered)} of {mass.count} masses are done"
            )

        def column(key: str) -> np.ndarray:
            return np.array([math.nan if r[key] is None else float(r[key]) for r in ordered])

        return cls(
            mass=mass,
            coupling=coupling,
            confidence_level=confidence_level,
            masses=mass.values,
            limit=column("limit"),
            best_coupling=column("best_coupling"),
            delta_chi2_null=column("delta_chi2_null"),
            converged=np.array([bool(r["converged"]) for r in ordered]),
            bracketed=np.array([bool(r["bracketed"]) for r in ordered]),
            global_fit=dict(global_fit or {}),
        )

    def rows(self) -> list[dict[str, Any]]:
        """One dict per mass: mass, limit, best_coupling, delta_chi2_null, converged,
        bracketed."""
        return [
            {
                self.mass.name: float(m),
                "limit": float(g),
                "best_coupling": float(b),
                "delta_chi2_null": float(d),
                "converged": bool(c),
                "bracketed": bool(k),
            }
            for m, g, b, d, c, k in zip(
                self.masses,
                self.limit,
                self.best_coupling,
                self.delta_chi2_null,
                self.converged,
                self.bracketed,
                strict=True,
            )
        ]

    def summary(self) -> dict[str, Any]:
        """Everything but the rows, JSON-ready."""
        return {
            "mass": self.mass.to_json(),
            "coupling": self.coupling,
            "confidence_level": self.confidence_level,
            "delta_chi2_threshold": self.threshold,
            "convention": "one-sided; Δχ² from the best fit with coupling ≥ 0 at each mass",
            "points": int(self.masses.size),
            "not_converged": int((~self.converged).sum()),
            "no_limit_in_range": int((self.converged & ~self.bracketed).sum()),
        }
