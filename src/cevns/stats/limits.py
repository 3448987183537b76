"""One-sided upper limits on a coupling against a mass: exclusion curves for mediators.

For each mass m on a grid, the couplings g ≥ 0 allowed at confidence level CL are

    A(m) = {g : Δχ²(g; m) ≤ t_CL},
    Δχ²(g; m) = χ²_prof(g; m) − min_{0 ≤ g′ ≤ g_max} χ²_prof(g′; m),

with χ²_prof the profile likelihood (every other free parameter minimised) and the
minimum taken over the whole coupling range [0, g_max] at that mass: the global best fit
ĝ(m) ≥ 0 (an excess moves it above 0, a deficit leaves it at 0). The limit is the
largest coupling not excluded, g_lim(m) = sup A(m), and A(m) is reported as intervals.
A(m) need not be one interval. The Z′ term of a mediator whose charge opposes the
Standard-Model one (the universal Z′ of :mod:`cevns.interactions.models.vector_mediator`:
Δg_V^n = +g²/(√2 G_F (q² + M²)) against g_V^n = −0.51) can flip the sign of the weak
charge, G_V → −G_V, and give back the Standard-Model rate at a coupling far above the
first crossing: an allowed island, which a limit set at the first crossing above a local
best fit would exclude. The threshold is
t_CL = F⁻¹_{χ²_1}(CL): 2.71 at 90 %, 3.84 at 95 % CL (:func:`limit_threshold`), the value
used for exclusion curves drawn from Δχ² profiles. A strictly one-sided test at the
boundary g = 0 (the statistic q_μ of G. Cowan et al., Eur. Phys. J. C 71, 1554 (2011),
eqs. 14–16, distributed as ½δ + ½χ²₁) would use [Φ⁻¹(CL)]² = 1.64 at 90 %; with 2.71 the
"90 %" curve has 95 % one-sided coverage asymptotically, so it is conservative.

The search at one mass (:func:`limit_at_mass`):

1. the profile at g = 0; then, from a guess (the previous mass's limit), couplings ×1/4
   down until χ²_prof is within ``FLAT_TOLERANCE`` of χ²_prof(0), and ×4 up while it
   stays there: where the coupling does nothing yet;
2. from there a geometric grid, ratio ``GRID_RATIO`` = 2^(1/4) (13 points per decade),
   up to the coupling's upper bound, or until Δχ² has risen monotonically over a full
   decade of couplings while staying above ``FAR_DELTA_CHI2`` = 25, or until a profile fit
   fails while Δχ² is rising above that (the prediction is then far from the data: for
   the B − L Z′ at 1 MeV on CsI 2021, Δχ² ≈ 4 × 10⁵ at 25 times the limit). The grid
   assumes that the profile cannot come back below the threshold after that: true of
   mediators, whose rate grows as g⁴ once the new term dominates;
3. every local minimum of the sampled profile is refined by a fit with the coupling free
   between its grid neighbours; the smallest χ² met anywhere is the reference; between
   excluded neighbours, couplings where the cost with known nuisances is already allowed
   (one batched evaluation, :func:`allowed_between`) are profiled too;
4. wherever Δχ² − t_CL changes sign between neighbouring couplings, Brent's method
   (:func:`scipy.optimize.brentq`) finds the crossing. A profile below the reference met
   there makes it the reference and step 4 is redone (at most ``RESTARTS`` times).

Every profile is warm-started from the nearest coupling already profiled. An allowed
region narrower than the grid spacing whose profile shows no local minimum on the grid is
resolved only where the batched check of step 3 sees it (an excluded sliver between two
allowed grid points is not resolved). If Δχ² stays
below t_CL up to the coupling's upper limit, the mass has no limit in range
(``bracketed = False``) and its last interval ends at that bound.

Masses run as the points of a 1D grid through the machinery of scans
(:mod:`cevns.stats.executors`, :mod:`cevns.stats.results`): chunks of consecutive masses
go to any executor, finished masses are appended to a JSON Lines file, and
``resume=True`` continues it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
from scipy.optimize import brentq

from cevns.errors import CevnsInputError, unknown_name_error
from cevns.stats.executors import DEFAULT_WORKERS, run_chunks
from cevns.stats.grid import ScanAxis, ScanPoint, scan_points
from cevns.stats.likelihood import (
    SCAN_STRATEGY,
    Likelihood,
    LikelihoodRecipe,
    ProfiledPoint,
    ShippedLikelihood,
    likelihood_for,
    profile_with_retry,
    shipped,
)
from cevns.stats.limit_table import LimitTable, limit_threshold
from cevns.stats.results import finite_or_none, open_results
from cevns.stats.scan import check_axes, resolve_chunk_size, scan_identity

#: The search method, stored in the result file's header (a file written by another
#: method is not resumed).
SEARCH_METHOD = "all-crossings"

#: The coupling tried first at the first mass of a chunk (later masses start from the
#: previous limit). The search steps by ×4 from there, so the coupling's scale need not
#: be known.
INITIAL_GUESS = 1e-6

#: Coarse step (×4) of the search for the region where the coupling does nothing, and the
#: maximum number of such steps.
COARSE_FACTOR = 4.0
COARSE_STEPS = 40

#: |χ²(g) − χ²(0)| below which the coupling counts as doing nothing; also the depth a
#: grid minimum needs to be refined.
FLAT_TOLERANCE = 1e-2

#: Ratio of neighbouring couplings on the grid, 2^(1/4): 13.3 points per decade.
GRID_RATIO = 2.0**0.25

#: The grid stops once Δχ² has risen monotonically over a factor ``FAR_SPAN`` of couplings
#: while staying at or above ``FAR_DELTA_CHI2``; and after ``MAX_GRID_POINTS`` points.
FAR_DELTA_CHI2 = 25.0
FAR_SPAN = 10.0
MAX_GRID_POINTS = 400

#: Couplings tried between neighbouring grid points that are both excluded, in one
#: batched evaluation of the cost with the nearer point's profiled nuisances
#: (:func:`allowed_between`): an allowed sliver narrower than the grid spacing shows there.
BETWEEN_POINTS = 4

#: Relative precision of each crossing (Brent's method).
RELATIVE_TOLERANCE = 1e-6

#: A profile this far (in χ²) below the reference makes it the new reference; the
#: crossings are then found again, at most ``RESTARTS`` times per mass.
LOWER_MINIMUM_TOLERANCE = 1e-3
RESTARTS = 3


class _ProfileFailedError(RuntimeError):
    """A profile fit inside the limit search did not converge."""


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
class CouplingProfile:
    """χ²_prof(g) along the coupling at one mass: profiled on demand, cached, each
    profile warm-started from the nearest coupling profiled before."""

    likelihood: Likelihood
    chunk: LimitChunk
    mass_value: float
    warm: dict[str, float]
    points: dict[float, ProfiledPoint] = field(default_factory=dict)
    calls: int = 0

    def chi2(self, coupling: float) -> float:
        """χ²_prof at ``coupling``; raises :class:`_ProfileFailedError` if the fit fails."""
        coupling = float(coupling)
        if coupling not in self.points:
            chunk = self.chunk
            point = profile_with_retry(
                self.likelihood,
                {chunk.mass: self.mass_value, chunk.coupling: coupling},
                self.start_near(coupling),
                dict(chunk.start),
                strategy=chunk.strategy,
                steps=dict(chunk.steps),
            )
            self.calls += point.calls
            if not point.converged:
                raise _ProfileFailedError(f"profile at {chunk.coupling} = {coupling:g}")
            self.points[coupling] = point
        return self.points[coupling].chi2

    def start_near(self, coupling: float) -> dict[str, float]:
        """Parameter values of the profiled coupling nearest to ``coupling``."""
        if not self.points:
            return dict(self.warm)
        nearest = min(self.points, key=lambda g: abs(g - coupling))
        return dict(self.points[nearest].values)

    def refine(self, low: float, high: float, start: float) -> None:
        """Fit with the coupling free in [low, high] from ``start``; a converged fit
        joins the profiled points (its χ² is the profile at its coupling)."""
        chunk = self.chunk
        step = (high - low) / 4.0
        point = profile_with_retry(
            self.likelihood,
            {chunk.mass: self.mass_value},
            {**self.start_near(start), chunk.coupling: start},
            {**dict(chunk.start), chunk.coupling: start},
            strategy=chunk.strategy,
            steps={**dict(chunk.steps), chunk.coupling: step},
            limits={chunk.coupling: (low, high)},
        )
        self.calls += point.calls
        coupling = float(point.values[chunk.coupling])
        if point.converged and low <= coupling <= high:
            known = self.points.get(coupling)
            if known is None or point.chi2 < known.chi2:
                self.points[coupling] = point

    def sorted(self) -> tuple[np.ndarray, np.ndarray]:
        """Profiled couplings in increasing order, with their χ²."""
        couplings = np.array(sorted(self.points))
        return couplings, np.array([self.points[g].chi2 for g in couplings])

    def best(self) -> tuple[float, ProfiledPoint]:
        """The profiled coupling with the smallest χ², and its point."""
        coupling = min(self.points, key=lambda g: self.points[g].chi2)
        return coupling, self.points[coupling]


def flat_region_end(profile: CouplingProfile, guess: float, upper: float) -> float:
    """The largest coupling on a ×4 ladder through ``guess`` whose χ² is within
    ``FLAT_TOLERANCE`` of χ²(0): down from ``guess`` until flat, then up while flat
    (stopping at ``upper``)."""
    null = profile.chi2(0.0)
    coupling = min(guess if guess > 0 else INITIAL_GUESS, upper / 2.0)
    for _ in range(COARSE_STEPS):
        if abs(profile.chi2(coupling) - null) < FLAT_TOLERANCE:
            break
        coupling /= COARSE_FACTOR
    for _ in range(COARSE_STEPS):
        following = min(coupling * COARSE_FACTOR, upper)
        if following <= coupling or abs(profile.chi2(following) - null) >= FLAT_TOLERANCE:
            break
        coupling = following
    return coupling


def far_and_rising(couplings: list[float], chi2: list[float], minimum: float) -> bool:
    """True once χ² has risen monotonically over the last factor ``FAR_SPAN`` of
    ``couplings`` (ascending), every point of it ``FAR_DELTA_CHI2`` or more above
    ``minimum``."""
    last = couplings[-1]
    if couplings[0] > last / FAR_SPAN:
        return False
    first = max(i for i, g in enumerate(couplings) if g <= last / FAR_SPAN)
    window = chi2[first:]
    rising = all(b > a for a, b in pairwise(window))
    return rising and min(window) - minimum >= FAR_DELTA_CHI2


def scan_couplings(profile: CouplingProfile, start: float, upper: float) -> None:
    """Profile the geometric grid start·r^k (r = ``GRID_RATIO``) up to ``upper``, or
    until :func:`far_and_rising`, or until a profile fails to converge while Δχ² is
    rising at or above ``FAR_DELTA_CHI2`` (a fit that fails there has nothing left to
    allow; any other failure is raised)."""
    couplings: list[float] = []
    chi2: list[float] = []
    coupling = start
    minimum = math.inf
    for _ in range(MAX_GRID_POINTS):
        try:
            value = profile.chi2(coupling)
        except _ProfileFailedError:
            rising = len(chi2) >= 2 and chi2[-1] > chi2[-2]
            if rising and chi2[-1] - minimum >= FAR_DELTA_CHI2:
                return  # the fit fails far above the minimum, where the model is hopeless
            raise
        couplings.append(coupling)
        chi2.append(value)
        if coupling >= upper:
            return
        minimum = min(point.chi2 for point in profile.points.values())
        if far_and_rising(couplings, chi2, minimum):
            return
        coupling = min(coupling * GRID_RATIO, upper)


def refine_minima(profile: CouplingProfile) -> None:
    """Refine every local minimum of the profiled χ² (deeper than ``FLAT_TOLERANCE``
    below a neighbour, or at an end of the profiled range) between its neighbours."""
    couplings, chi2 = profile.sorted()
    for i in range(len(couplings)):
        low = couplings[max(i - 1, 0)]
        high = couplings[min(i + 1, len(couplings) - 1)]
        neighbours = [chi2[j] for j in (i - 1, i + 1) if 0 <= j < len(couplings)]
        if all(chi2[i] < c for c in neighbours) and (
            max(neighbours) - chi2[i] > FLAT_TOLERANCE or i in (0, len(couplings) - 1)
        ):
            profile.refine(float(low), float(high), float(couplings[i]))


def allowed_between(profile: CouplingProfile, reference: float, threshold: float) -> int:
    """Profile the couplings between excluded grid neighbours where the cost is already
    allowed; returns how many.

    Between each pair of neighbouring profiled couplings a and b with both Δχ² above
    ``threshold``, :data:`BETWEEN_POINTS` couplings (geometric between a > 0 and b, linear
    from 0) take the profiled nuisances of the nearer of a and b, and those of the best
    point (where the model meets the data, as it does again in a sliver: the island of a
    sign flip); the cost there, all at once
    (:meth:`~cevns.stats.likelihood.Likelihood.values`), is an upper bound of the profile
    χ²_prof(g). Where it is within ``threshold`` of ``reference`` the coupling is allowed
    though the grid stepped over it (a dip on a slope, with no local minimum on the grid
    to refine): it is profiled and joins the points, and the crossings around it are
    found as everywhere else. A sliver that none of these nuisances reveal, or narrower
    than these points' spacing, is still not resolved."""
    likelihood, name = profile.likelihood, profile.chunk.coupling
    couplings, chi2 = profile.sorted()
    best = profile.best()[1].values
    candidates: list[float] = []
    rows: list[list[float]] = []
    fractions = (np.arange(BETWEEN_POINTS) + 1.0) / (BETWEEN_POINTS + 1.0)
    for i in range(len(couplings) - 1):
        a, b = float(couplings[i]), float(couplings[i + 1])
        if min(chi2[i], chi2[i + 1]) - reference <= threshold:
            continue  # a crossing or an allowed stretch: found by the crossings
        inner = a * (b / a) ** fractions if a > 0 else b * fractions
        for fraction, coupling in zip(fractions, inner.tolist(), strict=True):
            nearer = profile.points[a if fraction < 0.5 else b].values
            for nuisances in (nearer, best):
                candidates.append(coupling)
                rows.append([coupling if n == name else nuisances[n] for n in likelihood.names])
    if not rows:
        return 0
    with np.errstate(all="ignore"):
        bounds = likelihood.values(np.array(rows))
    allowed = sorted({g for g, value in zip(candidates, bounds.tolist(), strict=True)
                      if value - reference <= threshold})  # fmt: skip
    for coupling in allowed:
        profile.chi2(coupling)
    return len(allowed)


def allowed_intervals(
    profile: CouplingProfile, reference: float, threshold: float, upper: float
) -> list[list[float]]:
    """The couplings with χ² − ``reference`` ≤ ``threshold``, as [low, high] pairs.

    Crossings between neighbouring profiled couplings are found with Brent's method; an
    interval still open at the last profiled coupling ends at ``upper``.
    """
    couplings, chi2 = profile.sorted()
    excess = chi2 - reference - threshold

    def crossing(a: float, b: float) -> float:
        return float(
            brentq(
                lambda g: profile.chi2(g) - reference - threshold,
                a,
                b,
                xtol=1e-12 * b,
                rtol=RELATIVE_TOLERANCE,
            )
        )

    intervals: list[list[float]] = []
    low: float | None = 0.0 if excess[0] <= 0 else None
    for i in range(len(couplings) - 1):
        a, b = float(couplings[i]), float(couplings[i + 1])
        if excess[i] <= 0 < excess[i + 1] and low is not None:
            intervals.append([low, crossing(a, b)])
            low = None
        elif excess[i] > 0 >= excess[i + 1] and low is None:
            low = b if excess[i + 1] == 0 else crossing(a, b)
    if low is not None:
        intervals.append([low, upper])
    return intervals


def limit_at_mass(
    likelihood: Likelihood,
    chunk: LimitChunk,
    mass_value: float,
    warm: Mapping[str, float],
    guess: float,
) -> dict[str, Any]:
    """The limit search at one mass (see the module docstring), from nuisances ``warm``
    and the coupling ``guess``.

    Returns a record: the limit (the largest allowed coupling; None without one in
    range or if the reference kept moving), the allowed intervals, ĝ, χ²(ĝ), Δχ²(0),
    flags, MIGRAD calls, and the parameter values at the profiled coupling nearest the
    limit (``values``, to warm-start the next mass).
    """
    upper = chunk.coupling_upper
    profile = CouplingProfile(likelihood, chunk, mass_value, dict(warm))
    try:
        start = flat_region_end(profile, min(guess, upper / 2.0), upper)
        scan_couplings(profile, start, upper)
        refine_minima(profile)
        allowed_between(profile, profile.best()[1].chi2, chunk.threshold)
        converged = False
        for _ in range(RESTARTS + 1):
            reference = profile.best()[1].chi2
            intervals = allowed_intervals(profile, reference, chunk.threshold, upper)
            if profile.best()[1].chi2 >= reference - LOWER_MINIMUM_TOLERANCE:
                converged = True
                break
    except _ProfileFailedError:
        return _record(False, None, [], None, None, None, True, profile.calls, warm)
    best_coupling, best = profile.best()
    null = profile.points[0.0].chi2
    bracketed = intervals[-1][1] < upper
    limit = intervals[-1][1] if bracketed and converged else None
    return _record(
        converged,
        limit,
        intervals,
        best_coupling,
        best.chi2,
        null - best.chi2,
        bracketed,
        profile.calls,
        profile.start_near(limit if limit is not None else upper),
    )


def _record(
    converged: bool,
    limit: float | None,
    intervals: list[list[float]],
    best_coupling: float | None,
    chi2_best: float | None,
    delta_null: float | None,
    bracketed: bool,
    calls: int,
    values: Mapping[str, float],
) -> dict[str, Any]:
    return {
        "limit": limit,
        "allowed_intervals": [[finite_or_none(a), finite_or_none(b)] for a, b in intervals],
        "best_coupling": best_coupling,
        "chi2_best": None if chi2_best is None else finite_or_none(chi2_best),
        "delta_chi2_null": None if delta_null is None else finite_or_none(delta_null),
        "converged": converged,
        "bracketed": bracketed,
        "calls": calls,
        "values": dict(values),
    }


def evaluate_limit_chunk(
    recipe: LikelihoodRecipe | ShippedLikelihood, chunk: LimitChunk
) -> list[dict[str, Any]]:
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

    Parameters
    ----------
    spec
        The likelihood, with the mediator's parameters among its ``model_parameters``
        (:class:`~cevns.stats.likelihood.LikelihoodRecipe`).
    mass
        The mass grid (``ScanAxis.parse("zprime_mass=1:1e4:40:log")``).
    coupling
        The coupling limited at each mass (``zprime_bl_g``; ``cevns models`` lists them).
    confidence_level
        Of the limit (Δχ² threshold :func:`limit_threshold`: 2.71 at 90 %).

    Returns
    -------
    LimitTable
        The limit, the allowed intervals and the best coupling at each mass.

    Raises
    ------
    CevnsInputError
        A mass or coupling that is not a free parameter of the likelihood, a coupling
        whose range does not start at 0, a result file of another limit.

    Examples
    --------
    >>> from cevns import LikelihoodRecipe, ScanAxis, limit
    >>> mass = ScanAxis.parse("zprime_mass=1:1e4:40:log")
    >>> print(mass, mass.values[0], mass.values[-1])
    zprime_mass=1:10000:40:log 1.0 10000.0
    >>> recipe = LikelihoodRecipe.create(  # doctest: +SKIP
    ...     ["coherent-csi-2021"], "../shared/data", {"zprime_mass": 1.0, "zprime_bl_g": 0.0},
    ...     hold_signal_scales=True,
    ... )
    >>> table = limit(recipe, mass, "zprime_bl_g", output_path="limit.jsonl")  # doctest: +SKIP
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
        method=SEARCH_METHOD,
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
            shipped(spec),
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
