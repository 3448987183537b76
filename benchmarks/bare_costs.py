"""Bare-numpy references of a compiled cost: its array arithmetic alone.

:func:`bare_kernels` takes a :class:`cevns.stats.lean_cost.LeanCost` and a point and
returns two functions that run only the numpy array operations the cost's value and
gradient need at that point, every scalar (normalisation products, interpolation
coefficients, prior terms) computed beforehand: no Python around them, no cache, no
bookkeeping. They are the limit the compiled cost is measured against (the analogue of
the polynomial signal's bare product, ``bench_polynomial.py``); the value must equal the
compiled cost's (checked in ``bench_fit.py``), and the gradient runs the same kernels
(its terms in another order). Layouts: fixed histograms with
normalisations, components with a fixed histogram and stacked shape systematics, and
backgrounds with one free exponential rate along their last axis (CsI 2021, argon 2020).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from cevns.experiments.exponential_factors import log_weight_slope
from cevns.stats.lean_cost import LeanCost, _factor_rows
from cevns.stats.lean_nominals import ExponentialNominal


def bare_kernels(
    lean: LeanCost, x: np.ndarray
) -> tuple[Callable[[], float], Callable[[], np.ndarray]]:
    """(value, gradient) at ``x`` as bare array operations (module docstring)."""
    xl = x.tolist()
    plain_scales = [math.prod(xl[i] for i in indices) for indices in lean._plain_scales]
    plain_matrix = lean._plain_matrix
    systematic, exponential = [], []
    for component in lean._shaped:
        scale = math.prod(xl[i] for i in component.scales)
        start, repeats, size = component.blocks[0]
        if component.stacked is not None:
            assert component.constant is not None and repeats == 1
            rows = _factor_rows([xl[i] for i in component.systematic_indices])
            systematic.append((scale * component.constant, rows, component.stacked, start, size))
        else:
            nominal = component.nominal
            assert isinstance(nominal, ExponentialNominal) and nominal._single is not None
            index, negative_shifted, _, count, left, widths, where, _, fixed = nominal._single
            rate = xl[index]
            shifts = np.array([w * log_weight_slope(rate * w) for w in widths])[where]
            exponential.append(
                (scale, negative_shifted * rate, count, fixed, shifts - left, start, repeats, size)
            )
    occupied, counts, inverse = lean._occupied, lean._counts, lean._inverse_counts
    total_counts, twice_observed = lean._total_counts, lean._twice_observed
    priors = lean._priors(x, xl)

    def expected() -> tuple[np.ndarray, list, list]:
        mu = np.dot(plain_scales, plain_matrix)
        kept_systematic, kept_exponential = [], []
        for scaled, rows, stacked, start, size in systematic:
            both = np.matmul(rows, stacked)
            product = both[:, 0, :].prod(axis=0)
            mu[start : start + size] += scaled * product
            kept_systematic.append((both, product))
        for scale, exponent, count, fixed, _, start, repeats, size in exponential:
            decay = np.exp(exponent)
            weights = decay[:-1] - decay[1:]
            fractions = weights * (count / weights.sum())
            shape = (fixed * fractions).ravel()
            mu[start : start + repeats * size].reshape(repeats, size)[...] += scale * shape
            kept_exponential.append((fractions, shape))
        return mu, kept_systematic, kept_exponential

    def value() -> float:
        mu = expected()[0]
        log_term = counts @ np.log(mu[occupied] * inverse)
        return 2.0 * (float(mu.sum()) - total_counts - float(log_term)) + priors

    def gradient() -> np.ndarray:
        mu, kept_systematic, kept_exponential = expected()
        weights = 2.0 - twice_observed / np.maximum(mu, 1e-300)
        parts = [plain_matrix @ weights]
        for (scaled, _, _, start, size), (both, product) in zip(
            systematic, kept_systematic, strict=True
        ):
            local = weights[start : start + size]
            parts.append(np.array([(scaled * product) @ local]))
            parts.append((both[:, 1, :] / both[:, 0, :]) @ (scaled * product * local))
        for (_, _, count, fixed, log_slopes, start, repeats, size), (fractions, shape) in zip(
            exponential, kept_exponential, strict=True
        ):
            local = weights[start : start + repeats * size].reshape(repeats, size).sum(axis=0)
            slopes = fractions * (log_slopes - fractions @ log_slopes / count)
            parts.append(np.array([shape @ local, (fixed * slopes).ravel() @ local]))
        return np.concatenate(parts)

    return value, gradient


__all__ = ["bare_kernels"]
