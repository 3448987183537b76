"""Nominal histograms that depend on parameters, read from the parameter list.

The compiled cost (:mod:`cevns.stats.lean_cost`) evaluates a component's nominal histogram
through an adapter with two methods, both taking the parameter values as a list of floats
in the cost's order:

* ``value(x)``: the histogram, flattened;
* ``weighted_gradient(x, weights, skip)``: ∂(h · weights)/∂θ_i for the adapter's
  parameters ``indices`` (the derivative contracted with per-bin weights, which is all
  the gradient of a cost needs); those at positions in ``skip`` (held) may be given as 0;
* ``jacobian(x, skip)``: ∂h/∂θ_i per bin, for each of ``indices`` (``skip`` as above);
* optionally ``many(x)``: the histograms at each row of a parameter matrix (the compiled
  cost's :func:`~cevns.stats.lean_batch.many_values`; adapters without it are evaluated
  row by row).

:func:`nominal_adapter` picks the fastest one that computes what the component computes:
a :class:`~cevns.stats.polynomial.PolynomialSignal` by its monomials (batched too), a
background with exponential factors by its fractions and their analytic slopes
(:mod:`cevns.experiments.exponential_factors`), anything else through its
:class:`~cevns.stats.model.Component` (values by name, its own cache and gradient).
Adapters hold arrays only (except the last kind), so a compiled cost can be pickled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cevns.experiments.exponential_factors import (
    exponential_fraction_slopes,
    exponential_fractions,
    log_weight_slope,
)
from cevns.stats.model import Component


class PolynomialNominal:
    """A :class:`~cevns.stats.polynomial.PolynomialSignal`: the monomial vector in Python
    floats (outer products of each parameter's powers, first parameter slowest), times
    the coefficient matrix; the last histogram is kept while its parameters stay."""

    __slots__ = ("_flat", "_key", "_last", "_terms", "indices")

    def __init__(self, polynomial: Any, indices: Sequence[int]) -> None:
        self.indices = tuple(indices)
        self._flat = polynomial.coefficients.reshape(polynomial.coefficients.shape[0], -1)
        self._terms = tuple(
            zip(self.indices, polynomial.centres.tolist(), polynomial.spreads.tolist(),
                polynomial.degrees, strict=True)
        )  # fmt: skip
        self._key: list[float] | None = None
        self._last = self._flat[0]

    def value(self, x: list[float]) -> np.ndarray:
        key = [x[i] for i in self.indices]
        if key != self._key:
            vector = [1.0]
            for index, centre, spread, degree in self._terms:
                u = (x[index] - centre) / spread
                powers = [1.0]
                for _ in range(degree):
                    powers.append(powers[-1] * u)
                vector = [a * b for a in vector for b in powers]
            self._last = np.dot(vector, self._flat)
            self._key = key
        return self._last

    def many(self, x: np.ndarray) -> np.ndarray:
        """The histograms at each row of the parameter matrix ``x``, (rows × bins): the
        monomial matrix (the same C order of powers as :meth:`value`) times the
        coefficients."""
        vector = np.ones((x.shape[0], 1))
        for index, centre, spread, degree in self._terms:
            powers = ((x[:, index] - centre) / spread)[:, None] ** np.arange(degree + 1)
            vector = (vector[:, :, None] * powers[:, None, :]).reshape(x.shape[0], -1)
        return vector @ self._flat

    def _derivative_monomials(self, x: list[float]) -> list[list[float]]:
        """∂(u^m)/∂θ_i for each parameter i: the i-th factor's powers differentiated."""
        scaled = [(x[i] - c) / s for i, c, s, _ in self._terms]
        result = []
        for target, (_, _, spread, degree) in enumerate(self._terms):
            vector = [1.0]
            for position, (_, _, _, other) in enumerate(self._terms):
                u = scaled[position]
                if position == target:
                    powers = [0.0] + [k * u ** (k - 1) / spread for k in range(1, degree + 1)]
                else:
                    powers = [u**k for k in range(other + 1)]
                vector = [a * b for a in vector for b in powers]
            result.append(vector)
        return result

    def weighted_gradient(
        self, x: list[float], weights: np.ndarray, skip: frozenset[int] = frozenset()
    ) -> list[float]:
        """The monomials' derivatives times the coefficients contracted with the weights
        (every parameter's: ``skip`` saves nothing here)."""
        contracted = (self._flat @ weights).tolist()
        return [
            math.fsum(a * b for a, b in zip(vector, contracted, strict=True))
            for vector in self._derivative_monomials(x)
        ]

    def jacobian(self, x: list[float], skip: frozenset[int] = frozenset()) -> list[np.ndarray]:
        """∂h/∂θ_i per bin, for each of ``indices``."""
        return list(np.array(self._derivative_monomials(x)) @ self._flat)


class ExponentialNominal:
    """A background shape whose only parameters are exponential rates
    (:class:`~cevns.experiments.backgrounds.BackgroundShape` without a grid): the fixed
    histogram times the fractions of exp(−r x) per bin along each axis.

    One free rate along the last axis (the CsI steady state in time) takes a short path:
    the fractions from one exponential, d ln f_i/dr = −s_i + Δ_i g(rΔ_i) − ⟨…⟩ with g
    evaluated once per distinct bin width, and the last fractions kept for the gradient.
    """

    __slots__ = ("_axes", "_fixed", "_last", "_single", "indices")

    def __init__(self, shape: Any, positions: Mapping[str, int]) -> None:
        self._fixed = shape.fixed
        axes = []
        for position, edges, parameter, rate in shape.exponential_axes:
            reshape = [1] * shape.fixed.ndim
            reshape[position] = edges.size - 1
            axes.append((None if parameter is None else positions[parameter], edges, rate,
                         tuple(reshape)))  # fmt: skip
        self._axes = tuple(axes)
        self.indices = tuple(a[0] for a in axes if a[0] is not None)
        self._single: tuple | None = None
        self._last: tuple[float, np.ndarray, np.ndarray] | None = None
        last_axis = shape.fixed.ndim - 1
        if len(axes) == 1 and axes[0][0] is not None and axes[0][3][last_axis] > 1:
            edges = axes[0][1]
            shifted = edges - edges[0]
            widths, where = np.unique(np.diff(shifted), return_inverse=True)
            count = edges.size - 1
            self._single = (
                axes[0][0],
                -shifted,
                float(shifted[-1]),
                float(count),
                shifted[:-1].copy(),
                widths.tolist(),
                where,
                exponential_fractions(edges, 0.0) * count,
                shape.fixed.reshape(-1, count),
            )

    def _fractions(self, rate: float) -> np.ndarray:
        """``exponential_fractions(edges, rate)`` × bins, from one exponential."""
        assert self._single is not None
        _, negative_shifted, span, count, _, _, _, uniform, _ = self._single
        if abs(rate) * span < 1e-12:
            return uniform
        decay = np.exp(negative_shifted * rate)
        weights = decay[:-1] - decay[1:]
        return weights * (count / weights.sum())

    def _factors(self, x: list[float], slopes: bool) -> list[tuple[Any, np.ndarray, Any]]:
        factors = []
        for index, edges, rate, reshape in self._axes:
            if index is not None:
                rate = x[index]
            count = edges.size - 1
            fraction = (exponential_fractions(edges, rate) * count).reshape(reshape)
            slope = None
            if slopes and index is not None:
                slope = (exponential_fraction_slopes(edges, rate) * count).reshape(reshape)
            factors.append((index, fraction, slope))
        return factors

    def value(self, x: list[float]) -> np.ndarray:
        if self._single is not None:
            rate = x[self._single[0]]
            last = self._last
            if last is not None and last[0] == rate:
                return last[2]
            fractions = self._fractions(rate)
            result = (self._single[8] * fractions).ravel()
            self._last = (rate, fractions, result)
            return result
        result = self._fixed
        for _, fraction, _ in self._factors(x, False):
            result = result * fraction
        return result.ravel()

    def many(self, x: np.ndarray) -> np.ndarray:
        """The histograms at each row of the parameter matrix ``x``, (rows × bins): one
        free rate along the last axis in one array expression (as :meth:`_fractions`),
        anything else row by row."""
        if self._single is None:
            return np.array([self.value(row) for row in x.tolist()])
        index, negative_shifted, span, count, _, _, _, uniform, fixed = self._single
        rates = x[:, index]
        decay = np.exp(rates[:, None] * negative_shifted)
        weights = decay[:, :-1] - decay[:, 1:]
        with np.errstate(invalid="ignore", divide="ignore"):  # rate 0 rows: replaced below
            fractions = weights * (count / weights.sum(axis=1, keepdims=True))
        flat = np.abs(rates) * span < 1e-12
        if flat.any():
            fractions[flat] = uniform
        return (fixed[None, :, :] * fractions[:, None, :]).reshape(x.shape[0], -1)

    def _single_slopes(self, rate: float) -> np.ndarray:
        """d(fractions × bins)/dr along the one axis (:func:`exponential_fraction_slopes`)."""
        assert self._single is not None
        _, _, _, count, left, widths, where, _, _ = self._single
        last = self._last
        fractions = last[1] if last is not None and last[0] == rate else self._fractions(rate)
        if len(widths) == 1:  # equal bins: d ln f_i/dr = ⟨s⟩ − s_i
            log_slopes = -left
        else:
            shifts = [w * log_weight_slope(rate * w) for w in widths]
            log_slopes = np.array(shifts)[where] - left
        return fractions * (log_slopes - float(fractions @ log_slopes) / count)

    def weighted_gradient(
        self, x: list[float], weights: np.ndarray, skip: frozenset[int] = frozenset()
    ) -> list[float]:
        if self._single is not None:
            slopes = self._single_slopes(x[self._single[0]])
            return [float((self._single[8] * slopes).ravel() @ weights)]
        return [float(term @ weights) for term in self.jacobian(x)]

    def jacobian(self, x: list[float], skip: frozenset[int] = frozenset()) -> list[np.ndarray]:
        """∂h/∂r per bin for each free rate, by the product rule over the axes."""
        if self._single is not None:
            return [(self._single[8] * self._single_slopes(x[self._single[0]])).ravel()]
        factors = self._factors(x, True)
        totals: dict[int, np.ndarray] = {}
        for position, (index, _, slope) in enumerate(factors):
            if index is None:
                continue
            term = self._fixed * slope
            for other, (_, fraction, _) in enumerate(factors):
                if other != position:
                    term = term * fraction
            totals[index] = totals[index] + term if index in totals else term
        return [totals[i].ravel() for i in self.indices]


class ComponentNominal:
    """Any other nominal function, through its :class:`Component` (values by name; its
    own cache and gradient, analytic where the function offers one)."""

    __slots__ = ("_component", "_names", "indices")

    def __init__(self, component: Component, names: Sequence[str]) -> None:
        self._component = component
        self._names = tuple(names)
        self.indices = tuple(self._names.index(n) for n in component.model_parameters)

    def _values(self, x: list[float]) -> dict[str, float]:
        return dict(zip(self._names, x, strict=True))

    def value(self, x: list[float]) -> np.ndarray:
        return np.asarray(self._component.nominal_histogram(self._values(x)), float).ravel()

    def weighted_gradient(
        self, x: list[float], weights: np.ndarray, skip: frozenset[int] = frozenset()
    ) -> list[float]:
        return [float(term @ weights) for term in self.jacobian(x, skip)]

    def jacobian(self, x: list[float], skip: frozenset[int] = frozenset()) -> list[np.ndarray]:
        """∂h/∂θ_i per bin for each of ``indices``; zeros for those in ``skip`` (held
        parameters, whose derivatives a numerical difference would spend two evaluations
        of the function on)."""
        held = frozenset(self._names[i] for i in skip)
        gradient = self._component._nominal_gradient(self._values(x), held)
        zeros = None
        terms = []
        for i in self.indices:
            term = gradient.get(self._names[i])
            if term is None:
                zeros = np.zeros(np.size(self.value(x))) if zeros is None else zeros
                terms.append(zeros)
            else:
                terms.append(np.ravel(term))
        return terms


def nominal_adapter(
    component: Component, names: Sequence[str]
) -> PolynomialNominal | ExponentialNominal | ComponentNominal:
    """The fastest adapter that evaluates ``component``'s nominal function as it does."""
    from cevns.experiments.backgrounds import BackgroundShape
    from cevns.stats.polynomial import PolynomialSignal

    nominal = component.nominal
    positions = {n: i for i, n in enumerate(names)}
    parameters = set(component.model_parameters)
    if isinstance(nominal, PolynomialSignal) and set(nominal.names) == parameters:
        return PolynomialNominal(nominal, [positions[n] for n in nominal.names])
    rates = {p for _, _, p, _ in getattr(nominal, "exponential_axes", ()) if p is not None}
    if isinstance(nominal, BackgroundShape) and nominal.grid is None and rates == parameters:
        return ExponentialNominal(nominal, positions)
    return ComponentNominal(component, names)


__all__ = ["ComponentNominal", "ExponentialNominal", "PolynomialNominal", "nominal_adapter"]
