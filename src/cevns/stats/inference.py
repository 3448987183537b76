"""Inference on a fitted likelihood: profiles, Wilks intervals, significance, Asimov, toys.

* Profile likelihood: Δχ²(θ) = min over the other parameters of χ²(θ) − χ²_min.
* Wilks' theorem (S. S. Wilks, Ann. Math. Statist. 9, 60 (1938)): Δχ² follows a χ²
  distribution with as many degrees of freedom as profiled-over-fixed parameters, so the
  intervals at confidence level CL are where Δχ² < F⁻¹_{χ²_k}(CL) (1D: 1.00, 2.71, 3.84 for
  68.27 %, 90 %, 95 %; 2D: 2.30, 4.61, 5.99).
* Significance of a signal over the background-only hypothesis (signal scale fixed at 0):
  Z = √(Δχ²) (one parameter, Wilks; G. Cowan et al., Eur. Phys. J. C 71, 1554 (2011)).
* Asimov data: the expected counts at given parameters, used as data (Cowan et al. 2011),
  for expected sensitivities; toys: Poisson draws from a seeded generator.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from iminuit.cost import CostSum

from cevns.stats.cost import PoissonHistogram
from cevns.stats.fit import FitNotConvergedError, FitResult, cost_terms, fit
from cevns.stats.intervals import critical_delta_chi2, threshold_segments


@dataclass
class Profile1D:
    """Δχ² along one parameter."""

    parameter: str
    grid: np.ndarray
    delta_chi2: np.ndarray
    best_value: float

    def segments(self, confidence_level: float = 0.6827) -> tuple[tuple[float, float], ...]:
        """Every range where Δχ² ≤ the Wilks threshold (:func:`threshold_segments`)."""
        threshold = critical_delta_chi2(confidence_level, 1)
        return threshold_segments(self.grid, self.delta_chi2, threshold)

    def interval(self, confidence_level: float = 0.6827) -> tuple[float, float]:
        """Wilks interval: from the lowest to the highest crossing of the critical Δχ²
        (NaN, NaN when no grid point is inside; ±inf where it reaches the grid's edge)."""
        segments = self.segments(confidence_level)
        if not segments:
            return (math.nan, math.nan)
        return (segments[0][0], segments[-1][1])


@dataclass
class Profile2D:
    """Δχ² on a grid of two parameters (indexing [i, j] ↔ (first[i], second[j]))."""

    parameters: tuple[str, str]
    first: np.ndarray
    second: np.ndarray
    delta_chi2: np.ndarray

    def inside(self, confidence_level: float) -> np.ndarray:
        """Boolean mask of grid points inside the Wilks region."""
        return self.delta_chi2 <= critical_delta_chi2(confidence_level, 2)


def _minimum_with(cost, start: Mapping[str, float], fixed_values: Mapping[str, float],
                  fixed: Iterable[str] = ()) -> float:  # fmt: skip
    values = {**start, **fixed_values}
    result = fit(cost, values, fixed=[*fixed_values, *fixed])
    return result.minimum


def profile_1d(
    cost, best: FitResult, parameter: str, grid: Iterable[float], fixed: Iterable[str] = ()
) -> Profile1D:
    """Δχ² profile of ``parameter`` on ``grid``, starting each point from the best fit."""
    grid = np.asarray(list(grid), dtype=float)
    values = np.array([
        _minimum_with(cost, best.values, {parameter: float(x)}, fixed) for x in grid
    ]) - best.minimum  # fmt: skip
    return Profile1D(parameter, grid, np.maximum(values, 0.0), best.values[parameter])


def profile_2d(
    cost,
    best: FitResult,
    parameters: tuple[str, str],
    first: Iterable[float],
    second: Iterable[float],
    fixed: Iterable[str] = (),
) -> Profile2D:
    """Δχ² on the grid first × second, profiling every other free parameter."""
    a, b = parameters
    first, second = np.asarray(list(first), float), np.asarray(list(second), float)
    surface = np.empty((first.size, second.size))
    for i, x in enumerate(first):
        for j, y in enumerate(second):
            surface[i, j] = _minimum_with(cost, best.values, {a: float(x), b: float(y)}, fixed)
    return Profile2D(parameters, first, second, np.maximum(surface - best.minimum, 0.0))


def significance(cost, best: FitResult, signal_scale: str, null_value: float = 0.0) -> float:
    """Z = √(χ²(signal fixed at ``null_value``) − χ²_min), one-sided (0 if the fit is below)."""
    null = _minimum_with(cost, best.values, {signal_scale: null_value}, best.fixed)
    if best.values[signal_scale] <= null_value:
        return 0.0
    return float(np.sqrt(max(null - best.minimum, 0.0)))


def at_lower_bound(result: FitResult, name: str, bound: float) -> bool:
    """Whether the fit's ``name`` sits at (or its MINOS interval reaches) ``bound``: the
    parameter is at a physical boundary and its interval is one-sided."""
    if not math.isfinite(bound):
        return False
    value = result.values[name]
    low = result.minos.get(name, (-result.errors[name], result.errors[name]))[0]
    return value + low <= bound + 1e-9 * max(1.0, abs(bound), abs(value))


def one_sided_upper_limit(
    cost,
    best: FitResult,
    name: str,
    confidence_level: float = 0.9,
    upper_bound: float = math.inf,
) -> float | None:
    """Upper limit of ``name`` at a physical lower boundary: the value above the best fit
    where the profile Δχ² reaches the χ²₁ quantile of ``confidence_level`` (2.71 at 90 %,
    the convention of :mod:`cevns.stats.limits`), every other free parameter profiled.

    The crossing is bracketed by doubling a step from the best fit (starting at its upper
    MINOS or HESSE error) and found with Brent's method. None if Δχ² stays below the
    threshold up to ``upper_bound``.
    """
    from scipy.optimize import brentq

    threshold = critical_delta_chi2(confidence_level, 1)
    value = best.values[name]

    def excess(x: float) -> float:
        return _minimum_with(cost, best.values, {name: x}, best.fixed) - best.minimum - threshold

    step = best.minos.get(name, (0.0, best.errors[name]))[1] or best.errors[name] or 1.0
    low, high = value, value + abs(step)
    for _ in range(60):
        high = min(high, upper_bound)
        if excess(high) > 0:
            return float(brentq(excess, low, high, xtol=1e-6 * abs(step), rtol=1e-8))
        if high >= upper_bound:
            return None
        low, high = high, value + 2.0 * (high - value)
    return None


def replace_observed(cost, observed_for: Callable[[PoissonHistogram], np.ndarray]):
    """A copy of ``cost`` whose Poisson terms observe ``observed_for(term)`` instead."""
    if isinstance(cost, CostSum):
        terms = [replace_observed(term, observed_for) for term in cost]
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total
    if isinstance(cost, PoissonHistogram):
        return cost.with_observed(observed_for(cost))
    return cost


def asimov(cost, values: Mapping[str, float]):
    """The cost with every Poisson term observing its expectation at ``values``."""
    return replace_observed(cost, lambda term: term.model.expected(values))


def toys(cost, values: Mapping[str, float], count: int, seed: int):
    """``count`` costs with Poisson-fluctuated data around ``values`` (reproducible by seed).

    Gaussian constraint terms keep their nominal centres (toys conditional on the
    auxiliary Gaussian measurements).
    """
    generator = np.random.default_rng(seed)
    for _ in range(count):
        yield replace_observed(cost, lambda term: generator.poisson(term.model.expected(values)))


def toy_counts(cost, values: Mapping[str, float], count: int, seed: int) -> np.ndarray:
    """The data of ``count`` pseudo-experiments around ``values`` as one matrix (toys ×
    bins: every Poisson term's bins end to end, in the cost's order, as the compiled
    cost lays them out): the same draws as :func:`toys` with the same seed, each term's
    expectation computed once."""
    terms = [term for term in cost_terms(cost) if isinstance(term, PoissonHistogram)]
    expected = [term.model.expected(values) for term in terms]
    generator = np.random.default_rng(seed)
    rows = [
        np.concatenate([np.ravel(generator.poisson(mu)) for mu in expected]) for _ in range(count)
    ]
    size = sum(int(np.size(mu)) for mu in expected)
    return np.array(rows, dtype=float).reshape(count, size)


def with_counts(cost, counts: np.ndarray):
    """``cost`` observing ``counts`` (one row of :func:`toy_counts`)."""
    remaining = np.asarray(counts, dtype=float)

    def next_term(term: PoissonHistogram) -> np.ndarray:
        nonlocal remaining
        size = term.observed.size
        observed, remaining = remaining[:size], remaining[size:]
        return observed.reshape(term.observed.shape)

    return replace_observed(cost, next_term)


def expected_significance(cost, values: Mapping[str, float], signal_scale: str,
                          start: Mapping[str, float]) -> float:  # fmt: skip
    """Median significance for the signal at ``values``: the Asimov-data significance."""
    data = asimov(cost, values)
    try:
        best = fit(data, {**start, **values})
    except FitNotConvergedError:
        return float("nan")
    return significance(data, best, signal_scale)
