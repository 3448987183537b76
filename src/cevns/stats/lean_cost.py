"""A cost compiled at set-up into numpy functions of the parameter vector.

:func:`compile_cost` turns a cost made of :class:`~cevns.stats.cost.PoissonHistogram`
terms, Gaussian (:class:`iminuit.cost.NormalConstraint`) and log-normal
(:class:`~cevns.stats.cost.LogNormalConstraint`) priors into a :class:`LeanCost`:
``cost(x)`` and ``cost.gradient(x)`` for the parameter vector ``x`` in the order of the
cost's parameters. They give the cost's own ``cost(*x)`` and ``cost.grad(*x)`` (to
rounding; ``tests/test_lean_cost.py``) without validation, dictionaries or per-term
bookkeeping on the way. What does not depend on the parameters is prepared once:

* the samples' bins are laid end to end, so that the Poisson deviance (S. Baker and
  R. D. Cousins, Nucl. Instrum. Meth. 221, 437 (1984), eq. 10) is one vector expression,
  χ² = 2 [Σ_k μ_k − Σ_{n>0} n_k − Σ_{n>0} n_k ln(μ_k/n_k)] (an empty bin's term is μ_k);
* components with a fixed histogram and no shape systematic are rows of one matrix,
  placed in every sample that uses them: their expectation is one product with the
  vector of their normalisations;
* a component's shape systematics are stacked as rows (1, Δ, Σ) per systematic, with
  Δ = (up − down)/2 and Σ = (up + down)/2 − 1, so that every factor of
  :class:`~cevns.stats.model.ShapeSystematic`, f(α) = 1 + α Δ + β(α) Σ with β = α² for
  |α| ≤ 1 and 2|α| − 1 beyond (HistFactory's quadratic interpolation and linear
  extrapolation, K. Cranmer et al., CERN-OPEN-2012-016), and every slope Δ + β'(α) Σ,
  comes out of one batched product;
* a nominal histogram that depends on parameters is read through an adapter
  (:mod:`cevns.stats.lean_nominals`).

The gradient is ∂χ²/∂θ = 2 Σ_k (1 − n_k/μ_k) ∂μ_k/∂θ with ∂μ/∂θ by the product rule over
normalisations, systematic factors and nominal histograms, plus the priors' gradients.
The expectation of the last point is kept: MIGRAD asks for the gradient where it has
just evaluated the cost.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from iminuit import Minuit
from iminuit.cost import NormalConstraint

from cevns.stats.cost import _TINY, LogNormalConstraint, PoissonHistogram, cost_terms
from cevns.stats.lean_nominals import ExponentialNominal, PolynomialNominal, nominal_adapter
from cevns.stats.model import Component

#: Fits and profiles minimise the compiled cost (False: Minuit on the cost objects, for
#: comparisons; benchmarks/bench_fit.py measures the previous path with it off).
LEAN_COSTS = True

#: μ below this counts as this in the curvature's n/μ² (no overflow; such a bin's cost is
#: +∞ anyway when it holds events).
_CURVATURE_FLOOR = 1e-100

# ------------------------------------------------------------------ components


@dataclass
class _Shaped:
    """A component with a parameter-dependent nominal or shape systematics.

    ``scale_terms`` pair each normalisation's index with the indices of the others (the
    product rule); ``nominal`` is an adapter, or None when ``constant`` holds the
    histogram; ``blocks`` is where it adds to the bin vector: (start, repeats, size) for
    ``repeats`` consecutive samples of ``size`` bins each from ``start``.
    """

    scales: tuple[int, ...]
    scale_terms: tuple[tuple[int, tuple[int, ...]], ...]
    nominal: Any
    constant: np.ndarray | None
    blocks: tuple[tuple[int, int, int], ...]
    systematic_indices: tuple[int, ...] = ()
    #: (systematics, 3, bins): rows 1, Δ, Σ of each systematic.
    stacked: np.ndarray | None = None


def _scale_terms(indices: tuple[int, ...]) -> tuple[tuple[int, tuple[int, ...]], ...]:
    return tuple(
        (index, indices[:position] + indices[position + 1 :])
        for position, index in enumerate(indices)
    )


def _blocks(slices: list[tuple[int, int]]) -> tuple[tuple[int, int, int], ...]:
    """Runs of consecutive equal-size slices as (start, repeats, size)."""
    blocks: list[list[int]] = []
    for start, stop in slices:
        size = stop - start
        if blocks and blocks[-1][2] == size and blocks[-1][0] + blocks[-1][1] * size == start:
            blocks[-1][1] += 1
        else:
            blocks.append([start, 1, size])
    return tuple((a, b, c) for a, b, c in blocks)


def _factor_rows(alphas: list[float]) -> np.ndarray:
    """Rows (1, α, β(α)) and (0, 1, β'(α)) per systematic, shaped (systematics, 2, 3):
    β = α² and β' = 2α inside |α| ≤ 1, β = 2|α| − 1 and β' = ±2 beyond."""
    values: list[float] = []
    for alpha in alphas:
        if -1.0 <= alpha <= 1.0:
            values += (1.0, alpha, alpha * alpha, 0.0, 1.0, 2.0 * alpha)
        elif alpha > 0:
            values += (1.0, alpha, 2.0 * alpha - 1.0, 0.0, 1.0, 2.0)
        else:
            values += (1.0, alpha, -2.0 * alpha - 1.0, 0.0, 1.0, -2.0)
    return np.array(values).reshape(len(alphas), 2, 3)


def _others(factors: np.ndarray) -> np.ndarray:
    """Π_{j≠r} F_j for each row r, by products from both ends (no division)."""
    before = np.cumprod(factors, axis=0)
    after = np.cumprod(factors[::-1], axis=0)[::-1]
    result = np.ones_like(factors)
    result[1:] *= before[:-1]
    result[:-1] *= after[1:]
    return result


# ------------------------------------------------------------------ the compiled cost


class LeanCost:
    """χ²(x) and ∇χ²(x) of a compiled cost (module docstring); ``names`` and ``limits``
    are the cost's parameters in order. ``errordef`` is 1 (a χ²)."""

    errordef = 1.0

    def __init__(
        self,
        names: Sequence[str],
        limits: Sequence[tuple[float, float]],
        observed: np.ndarray,
        plain: tuple[tuple[tuple[int, ...], ...], np.ndarray] | None,
        shaped: Sequence[_Shaped],
        gaussian: Sequence[tuple[int, float, float]],
        gaussian_blocks: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]],
        lognormal: Sequence[tuple[int, float, float]],
    ) -> None:
        self.names = tuple(names)
        self.limits = tuple(limits)
        self._size = observed.size
        self._occupied = np.flatnonzero(observed > 0)
        self._counts = observed[self._occupied]
        self._inverse_counts = 1.0 / self._counts
        self._total_counts = float(self._counts.sum())
        self._twice_observed = 2.0 * observed
        self._plain_scales: tuple[tuple[int, ...], ...] = () if plain is None else plain[0]
        self._plain_matrix: np.ndarray | None = None if plain is None else plain[1]
        self._plain_terms = tuple(_scale_terms(s) for s in self._plain_scales)
        self._shaped = tuple(shaped)
        self._gaussian = tuple(gaussian)
        self._gaussian_blocks = tuple(gaussian_blocks)
        self._lognormal = tuple(lognormal)
        self._state_key: list[float] | None = None
        self._last_state: tuple[np.ndarray, list[tuple]] = (np.zeros(0), [])

    @property
    def self_contained(self) -> bool:
        """Whether the compiled cost holds arrays only (no component evaluated through
        its own function), so that pickling it is cheap and complete."""
        return all(
            c.nominal is None or isinstance(c.nominal, PolynomialNominal | ExponentialNominal)
            for c in self._shaped
        )

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_state_key": None, "_last_state": (np.zeros(0), [])}

    # -- expectation --------------------------------------------------------------

    def _compute(self, x: list[float]) -> tuple[np.ndarray, list[tuple]]:
        """μ over the bin vector, and each shaped component's pieces for the gradient:
        (scale, nominal, nominal × factors, factors, their slopes, factor product,
        whether a factor is clipped)."""
        if self._plain_matrix is not None:
            scales = []
            for indices in self._plain_scales:
                scale = 1.0
                for i in indices:
                    scale *= x[i]
                scales.append(scale)
            mu = np.dot(scales, self._plain_matrix)
        else:
            mu = np.zeros(self._size)
        pieces = []
        for component in self._shaped:
            scale = 1.0
            for i in component.scales:
                scale *= x[i]
            nominal = component.constant
            if nominal is None:
                nominal = component.nominal.value(x)
            factors = slopes = product = None
            clipped = False
            if component.stacked is not None:
                rows = _factor_rows([x[i] for i in component.systematic_indices])
                both = np.matmul(rows, component.stacked)
                factors, slopes = both[:, 0, :], both[:, 1, :]
                clipped = bool(factors.min() <= 0.0)
                if clipped:  # a factor is clipped at 0, where its slope is 0
                    np.maximum(factors, 0.0, out=factors)
                product = factors[0] if len(factors) == 1 else factors.prod(axis=0)
                shaped = nominal * product
            else:
                shaped = nominal
            expected = scale * shaped
            for start, repeats, size in component.blocks:
                if repeats == 1:
                    mu[start : start + size] += expected
                else:
                    mu[start : start + repeats * size].reshape(repeats, size)[...] += expected
            pieces.append((scale, nominal, shaped, factors, slopes, product, clipped))
        return mu, pieces

    def _state(self, x: list[float]) -> tuple[np.ndarray, list[tuple]]:
        """:meth:`_compute` with μ clipped at 0, kept for the next call at the same point."""
        if x != self._state_key:
            mu, pieces = self._compute(x)
            np.maximum(mu, 0.0, out=mu)
            self._state_key = x
            self._last_state = (mu, pieces)
        return self._last_state

    def expected(self, x: Sequence[float] | np.ndarray) -> np.ndarray:
        """The expected counts over all samples' bins, end to end."""
        return self._compute(np.asarray(x, dtype=float).tolist())[0]

    # -- value ---------------------------------------------------------------------

    def _priors(self, x: np.ndarray, xl: list[float]) -> float:
        total = 0.0
        for index, mean, inverse_variance in self._gaussian:
            delta = xl[index] - mean
            total += delta * delta * inverse_variance
        for indices, means, inverse in self._gaussian_blocks:
            delta = x[indices] - means
            total += float(delta @ inverse @ delta)
        for index, log_median, width in self._lognormal:
            value = xl[index]
            if value <= 0:
                return math.inf
            total += ((math.log(value) - log_median) / width) ** 2
        return total

    def __call__(self, x: np.ndarray) -> float:
        """χ² at the parameter vector ``x``."""
        xl = x.tolist()
        mu = self._state(xl)[0]
        occupied = mu[self._occupied]
        if occupied.size and occupied.min() <= 0.0:
            return math.inf
        log_term = float(self._counts @ np.log(occupied * self._inverse_counts))
        deviance = 2.0 * (float(mu.sum()) - self._total_counts - log_term)
        return deviance + self._priors(x, xl)

    value = __call__

    # -- gradient ------------------------------------------------------------------

    def gradient(self, x: np.ndarray, skip: frozenset[int] = frozenset()) -> np.ndarray:
        """∇χ² at ``x`` (module docstring); the derivatives of nominal histograms whose
        parameters are all in ``skip`` (held parameters, whose slots are then not needed)
        are left out."""
        xl = x.tolist()
        mu, pieces = self._state(xl)
        weights = 2.0 - self._twice_observed / np.maximum(mu, _TINY)
        gradient = [0.0] * len(xl)
        if self._plain_matrix is not None:
            totals = (self._plain_matrix @ weights).tolist()
            for terms, total in zip(self._plain_terms, totals, strict=True):
                for index, others in terms:
                    term = total
                    for j in others:
                        term *= xl[j]
                    gradient[index] += term
        for component, (scale, nominal, shaped, factors, slopes, product, clipped) in zip(
            self._shaped, pieces, strict=True
        ):
            local = None
            for start, repeats, size in component.blocks:
                block = weights[start : start + repeats * size]
                block = block if repeats == 1 else block.reshape(repeats, size).sum(axis=0)
                local = block if local is None else local + block
            assert local is not None
            if component.scale_terms:
                total = float(shaped @ local)
                for index, others in component.scale_terms:
                    term = total
                    for j in others:
                        term *= xl[j]
                    gradient[index] += term
            if factors is not None and slopes is not None:
                weighted = (scale * nominal) * local
                if clipped:
                    slopes = slopes * (factors > 0.0) * _others(factors)
                elif len(factors) > 1:  # Π_{j≠r} F_j = product / F_r, all F > 0
                    slopes = slopes / factors
                    weighted = weighted * product
                for index, term in zip(
                    component.systematic_indices, (slopes @ weighted).tolist(), strict=True
                ):
                    gradient[index] += term
            adapter = component.nominal
            if adapter is not None and not skip.issuperset(adapter.indices):
                outer = scale * local if product is None else (scale * product) * local
                for index, term in zip(
                    adapter.indices, adapter.weighted_gradient(xl, outer, skip), strict=True
                ):
                    gradient[index] += term
        self._add_prior_gradient(x, xl, gradient)
        return np.array(gradient)

    def jacobian(self, x: np.ndarray, skip: frozenset[int] = frozenset()) -> np.ndarray:
        """∂μ_k/∂θ_i: (parameters × bins), by the same product rule as :meth:`gradient`
        (``skip`` as there)."""
        xl = np.asarray(x, dtype=float).tolist()
        pieces = self._state(xl)[1]  # MIGRAD asks for the curvature where it evaluated
        result = np.zeros((len(xl), self._size))
        if self._plain_matrix is not None:
            for terms, row in zip(self._plain_terms, self._plain_matrix, strict=True):
                for index, others in terms:
                    result[index] += math.prod(xl[j] for j in others) * row
        for component, (scale, nominal, shaped, factors, slopes, product, _) in zip(
            self._shaped, pieces, strict=True
        ):
            columns: list[tuple[int, np.ndarray]] = [
                (index, math.prod(xl[j] for j in others) * shaped)
                for index, others in component.scale_terms
            ]
            if factors is not None and slopes is not None:
                slopes = slopes * (factors > 0.0) * _others(factors) * (scale * nominal)
                columns += zip(component.systematic_indices, slopes, strict=True)
            adapter = component.nominal
            if adapter is not None and not skip.issuperset(adapter.indices):
                outer = scale if product is None else scale * product
                columns += [
                    (index, outer * term)
                    for index, term in zip(adapter.indices, adapter.jacobian(xl, skip), strict=True)
                ]
            for index, column in columns:
                for start, repeats, size in component.blocks:
                    block = result[index, start : start + repeats * size]
                    block.reshape(repeats, size)[...] += column
        return result

    def curvature(self, x: np.ndarray, skip: frozenset[int] = frozenset()) -> np.ndarray:
        """The diagonal of the Hessian in the Gauss–Newton form, 2 Σ_k n_k (∂_iμ_k)²/μ_k²
        (the expected curvature of the deviance at μ = n), plus the priors' exact second
        derivatives: MIGRAD's starting curvature (``g2``), which saves it two cost calls
        per parameter and cycle."""
        xl = np.asarray(x, dtype=float).tolist()
        mu = self._state(xl)[0]
        jacobian = self.jacobian(x, skip)
        floor = np.maximum(mu, _CURVATURE_FLOOR)
        result = (jacobian * jacobian) @ (self._twice_observed / floor / floor)
        for index, _, inverse_variance in self._gaussian:
            result[index] += 2.0 * inverse_variance
        for indices, _, inverse in self._gaussian_blocks:
            result[indices] += 2.0 * np.diag(inverse)
        for index, log_median, width in self._lognormal:
            value = xl[index]
            if value > 0:
                result[index] += 2.0 * (1.0 - math.log(value) + log_median) / (width * value) ** 2
        return result

    def _add_prior_gradient(self, x: np.ndarray, xl: list[float], result: list[float]) -> None:
        for index, mean, inverse_variance in self._gaussian:
            result[index] += 2.0 * (xl[index] - mean) * inverse_variance
        for indices, means, inverse in self._gaussian_blocks:
            terms = (2.0 * inverse @ (x[indices] - means)).tolist()
            for index, term in zip(indices.tolist(), terms, strict=True):
                result[index] += term
        for index, log_median, width in self._lognormal:
            value = xl[index]
            result[index] += (
                2.0 * (math.log(value) - log_median) / (width**2 * value) if value > 0 else math.nan
            )


# ------------------------------------------------------------------ compilation


def _limits(cost) -> list[tuple[float, float]]:
    result = []
    for bounds in cost._parameters.values():
        low, high = bounds if bounds is not None else (None, None)
        result.append((-math.inf if low is None else float(low),
                       math.inf if high is None else float(high)))  # fmt: skip
    return result


def _flat(values, shape: tuple[int, ...]) -> np.ndarray:
    """``values`` broadcast to a sample's histogram shape, flattened (a copy)."""
    return np.broadcast_to(np.asarray(values, dtype=float), shape).ravel().copy()


def _component_entry(
    component: Component,
    shape: tuple[int, ...],
    slices: list[tuple[int, int]],
    names: list[str],
) -> _Shaped:
    positions = {n: i for i, n in enumerate(names)}
    scales = tuple(positions[n] for n in component.scale_parameters)
    constant = None if callable(component.nominal) else _flat(component.nominal, shape)
    entry = _Shaped(
        scales,
        _scale_terms(scales),
        None if constant is not None else nominal_adapter(component, names),
        constant,
        _blocks(slices),
    )
    if component.shape_systematics:
        ones = np.ones(math.prod(shape))
        entry.systematic_indices = tuple(
            positions[s.parameter] for s in component.shape_systematics
        )
        entry.stacked = np.stack([
            np.stack([ones, _flat(s._half_difference, shape), _flat(s._half_sum, shape)])
            for s in component.shape_systematics
        ])  # fmt: skip
    return entry


def compile_cost(cost) -> LeanCost | None:
    """The :class:`LeanCost` of ``cost``, or None when it holds a term of another kind
    (which then keeps its own evaluation)."""
    names = list(cost._parameters)
    positions = {n: i for i, n in enumerate(names)}
    terms = cost_terms(cost)
    supported = (PoissonHistogram, NormalConstraint, LogNormalConstraint)
    if not all(type(t) in supported for t in terms) or any(t.errordef != 1 for t in terms):
        return None
    samples = [t for t in terms if isinstance(t, PoissonHistogram)]
    offsets = np.cumsum([0] + [t.observed.size for t in samples]).tolist()
    observed = np.concatenate([t.observed.ravel() for t in samples]) if samples else np.zeros(0)
    placements: dict[int, tuple[Component, tuple[int, ...], list[tuple[int, int]]]] = {}
    for sample, start, stop in zip(samples, offsets[:-1], offsets[1:], strict=True):
        for component in sample.model.components:
            entry = placements.setdefault(id(component), (component, sample.observed.shape, []))
            entry[2].append((start, stop))
    plain_scales, plain_rows, shaped = [], [], []
    for component, shape, slices in placements.values():
        if not callable(component.nominal) and not component.shape_systematics:
            row = np.zeros(observed.size)
            for start, stop in slices:
                row[start:stop] = _flat(component.nominal, shape)
            plain_scales.append(tuple(positions[n] for n in component.scale_parameters))
            plain_rows.append(row)
        else:
            shaped.append(_component_entry(component, shape, slices, names))
    plain = (tuple(plain_scales), np.array(plain_rows)) if plain_rows else None
    gaussian: list[tuple[int, float, float]] = []
    blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    lognormal: list[tuple[int, float, float]] = []
    for term in terms:
        indices = [positions[n] for n in term._parameters]
        if isinstance(term, NormalConstraint):
            inverse = np.asarray(term._covinv, float)
            if inverse.ndim < 2:
                means = np.broadcast_to(term.value, (len(indices),)).tolist()
                weights = np.broadcast_to(inverse, (len(indices),)).tolist()
                gaussian.extend(zip(indices, means, weights, strict=True))
            else:
                blocks.append((np.array(indices), np.asarray(term.value, float), inverse))
        elif isinstance(term, LogNormalConstraint):
            lognormal.append((indices[0], term._log_median, term.width))
    return LeanCost(names, _limits(cost), observed, plain, shaped, gaussian, blocks, lognormal)


#: Compiled costs by the identity of the cost they were compiled from (with the cost,
#: so that the identity cannot be reused while the entry lives).
_COMPILED: dict[int, tuple[Any, LeanCost | None]] = {}


def lean_cost(cost) -> LeanCost | None:
    """The compiled form of ``cost`` (:func:`compile_cost`), made once per cost object;
    None when it does not compile or :data:`LEAN_COSTS` is off."""
    if not LEAN_COSTS:
        return None
    entry = _COMPILED.get(id(cost))
    if entry is None or entry[0] is not cost:
        if len(_COMPILED) >= 64:
            _COMPILED.clear()
        entry = (cost, compile_cost(cost))
        _COMPILED[id(cost)] = entry
    return entry[1]


class FirstCurvature:
    """MIGRAD's ``g2``: :meth:`LeanCost.curvature` where it is first asked for, then the
    same values until :meth:`reset`. Minuit asks with every gradient, but uses the
    diagonal only to start its error matrix and to size its steps, so the curvature at
    the start point serves a whole minimisation (HESSE computes its own)."""

    __slots__ = ("_lean", "_skip", "_value")

    def __init__(self, lean: LeanCost, skip: frozenset[int] = frozenset()) -> None:
        self._lean = lean
        self._skip = skip
        self._value: np.ndarray | None = None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self._value is None:
            self._value = self._lean.curvature(x, self._skip)
        return self._value

    def reset(self) -> None:
        self._value = None


def lean_minuit(
    lean: LeanCost,
    start: Sequence[float],
    curvature: FirstCurvature | None = None,
    held: Iterable[str] = (),
) -> Minuit:
    """A Minuit on ``lean`` from ``start``: the cost's limits, its analytic gradient and
    its curvature as ``g2`` (``curvature``, or a new :class:`FirstCurvature`). Parameters
    ``held`` are fixed by the caller: their derivatives are not computed where they
    would cost a nominal's derivative."""
    skip = frozenset(lean.names.index(n) for n in held)
    gradient = partial(lean.gradient, skip=skip) if skip else lean.gradient
    minuit = Minuit(
        lean, np.asarray(start, dtype=float), grad=gradient,
        g2=curvature if curvature is not None else FirstCurvature(lean, skip), name=lean.names,
    )  # fmt: skip
    minuit.limits = lean.limits
    return minuit


__all__ = [
    "LEAN_COSTS",
    "FirstCurvature",
    "LeanCost",
    "compile_cost",
    "lean_cost",
    "lean_minuit",
]
