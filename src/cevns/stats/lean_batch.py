"""The compiled cost at many parameter vectors at once.

:func:`many_values` gives χ² at each row of a (P × parameters) matrix, equal to
:class:`~cevns.stats.lean_cost.LeanCost` called row by row (to rounding;
``tests/test_lean_cost.py``), from the same compiled arrays. The rows go a batch at a
time (:data:`BATCH_VALUES` numbers in a rows × bins array), so that the arrays stay in
cache. Within a batch every step is one array operation over the rows:

* the normalisations' products, and the fixed histograms' matrix product with them;
* the nominal histograms that depend on parameters through their adapters' ``many``
  (:mod:`cevns.stats.lean_nominals`: a polynomial's monomial matrix times its
  coefficients, a single exponential rate's fractions), others row by row;
* the shape-systematic factors f(α) = 1 + αΔ + β(α)Σ (β = α² inside ±1, 2|α| − 1
  beyond; K. Cranmer et al., CERN-OPEN-2012-016), one (rows × 3)·(3 × bins) product
  per systematic, clipped at 0;
* the Poisson deviance 2 [Σ_k μ_k − Σ_{n>0} n_k − Σ_{n>0} n_k ln(μ_k/n_k)] (S. Baker and
  R. D. Cousins, Nucl. Instrum. Meth. 221, 437 (1984), eq. 10), +∞ in a row where an
  occupied bin has no expectation;
* the Gaussian and log-normal priors (+∞ for a log-normal argument ≤ 0).

It reads the compiled cost's arrays as :meth:`LeanCost._compute` does: this module is
that class's batched evaluation, kept apart for its size (and imports it, never the
other way round).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from cevns.errors import CevnsInputError
from cevns.stats.lean_cost import LeanCost

#: Numbers in one (rows × bins) array of a batch: 256 kB, which stays in a core's cache
#: (165 rows of the CsI likelihood's 198 bins, 34 of argon's 960).
BATCH_VALUES = 2**15


def many_values(lean: LeanCost, points: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """χ² of ``lean`` at each row of ``points`` (P × parameters, columns in
    ``lean.names`` order); a matrix of another shape is refused in one line."""
    matrix = np.asarray(points, dtype=float)
    if matrix.ndim != 2 or matrix.shape[1] != len(lean.names):
        raise CevnsInputError(
            f"points must have shape (P, {len(lean.names)}) (one column per parameter: "
            f"{', '.join(lean.names)}); got {matrix.shape}"
        )
    result = np.empty(matrix.shape[0])
    step = max(1, BATCH_VALUES // max(lean._size, 1))
    for start in range(0, matrix.shape[0], step):
        batch = matrix[start : start + step]
        result[start : start + batch.shape[0]] = _batch_values(lean, batch)
    return result


def expected_rows(lean: LeanCost, x: np.ndarray) -> np.ndarray:
    """μ (rows × bins) at each row of ``x``, clipped at 0 as a single point's is."""
    rows = x.shape[0]
    if lean._plain_matrix is not None:
        scales = np.ones((rows, len(lean._plain_scales)))
        for column, indices in enumerate(lean._plain_scales):
            for i in indices:
                scales[:, column] *= x[:, i]
        mu = scales @ lean._plain_matrix
    else:
        mu = np.zeros((rows, lean._size))
    for component in lean._shaped:
        scale = np.ones(rows)
        for i in component.scales:
            scale = scale * x[:, i]
        if component.constant is not None:
            nominal = np.broadcast_to(component.constant, (rows, component.constant.size))
        elif hasattr(component.nominal, "many"):
            nominal = component.nominal.many(x)
        else:
            nominal = np.array([component.nominal.value(row) for row in x.tolist()])
        if component.stacked is not None:
            nominal = nominal * _systematic_factors(x, component)
        expected = scale[:, None] * nominal
        for start, repeats, size in component.blocks:
            for repeat in range(repeats):
                mu[:, start + repeat * size : start + (repeat + 1) * size] += expected
    np.maximum(mu, 0.0, out=mu)
    return mu


def _systematic_factors(x: np.ndarray, component) -> np.ndarray:
    """Π_s max(f_s(α_s), 0) per row and bin: (1, α, β(α)) times the stacked (1, Δ, Σ)."""
    alphas = x[:, list(component.systematic_indices)]
    betas = np.where(np.abs(alphas) <= 1.0, alphas * alphas, 2.0 * np.abs(alphas) - 1.0)
    coefficients = np.stack([np.ones_like(alphas), alphas, betas], axis=-1)
    product = np.ones((x.shape[0], component.stacked.shape[-1]))
    for position, stacked in enumerate(component.stacked):
        factor = coefficients[:, position, :] @ stacked  # (rows × bins)
        np.maximum(factor, 0.0, out=factor)
        product *= factor
    return product


def _batch_values(lean: LeanCost, x: np.ndarray) -> np.ndarray:
    mu = expected_rows(lean, x)
    occupied = mu[:, lean._occupied]
    empty_where_counted = (occupied <= 0.0).any(axis=1) if occupied.size else False
    with np.errstate(divide="ignore"):
        log_term = np.log(occupied * lean._inverse_counts) @ lean._counts
    deviance = 2.0 * (mu.sum(axis=1) - lean._total_counts - log_term)
    total = deviance + prior_rows(lean, x)
    return np.where(empty_where_counted, math.inf, total)


def prior_rows(lean: LeanCost, x: np.ndarray) -> np.ndarray:
    """The priors' χ² at each row of ``x``."""
    total = np.zeros(x.shape[0])
    for index, mean, inverse_variance in lean._gaussian:
        delta = x[:, index] - mean
        total += delta * delta * inverse_variance
    for indices, means, inverse in lean._gaussian_blocks:
        delta = x[:, indices] - means
        total += np.einsum("pi,ij,pj->p", delta, inverse, delta)
    for index, log_median, width in lean._lognormal:
        value = x[:, index]
        positive = value > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            term = ((np.log(np.where(positive, value, 1.0)) - log_median) / width) ** 2
        total += np.where(positive, term, math.inf)
    return total


__all__ = ["BATCH_VALUES", "expected_rows", "many_values", "prior_rows"]
