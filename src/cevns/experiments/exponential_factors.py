"""Exponential factors of background shapes: the fraction of exp(−r·x) in each bin of an
axis, and its derivative in the rate r.

Kept apart from :mod:`cevns.experiments.backgrounds` (which uses them for ``separable``
shapes with an exponential factor, such as the CsI steady-state afterglow in time) so that
the compiled likelihood (:mod:`cevns.stats.lean_cost`) reads them with numpy alone.
"""

from __future__ import annotations

import math

import numpy as np


def exponential_fractions(edges: np.ndarray, rate: float) -> np.ndarray:
    """Fractions of exp(−rate·x) in each bin between ``edges`` (they sum to 1).

    ∫ exp(−r x) dx over [a, b] = (exp(−r a) − exp(−r b))/r, measured from the first edge
    for numerical range; the r → 0 limit is the bin width.
    """
    shifted = edges - edges[0]
    if abs(rate) * shifted[-1] < 1e-12:
        weights = np.diff(edges)
    else:
        weights = -np.diff(np.exp(-rate * shifted)) / rate
    return weights / weights.sum()


#: Below this |z| = |r·Δ| the slope of a bin's log-weight uses its Taylor series.
_SERIES_BELOW = 1e-3


def log_weight_slope(z: float) -> float:
    """g(z) = 1/(e^z − 1) − 1/z, so that d ln w/dr = −s + Δ g(rΔ) for the weight
    w = ∫_s^(s+Δ) e^(−r x) dx = e^(−r s) (1 − e^(−rΔ))/r of a bin.

    Below |z| = 10⁻³ the series −1/2 + z/12 − z³/720 (from the Bernoulli numbers,
    M. Abramowitz and I. A. Stegun, *Handbook of Mathematical Functions*, 23.1.1), where
    the difference would cancel; above z = 700, −1/z (e^z overflows, 1/(e^z − 1) < 10⁻³⁰⁰).
    """
    if abs(z) < _SERIES_BELOW:
        return -0.5 + z / 12.0 - z**3 / 720.0
    if z > 700.0:
        return -1.0 / z
    return 1.0 / math.expm1(z) - 1.0 / z


def exponential_fraction_slopes(edges: np.ndarray, rate: float) -> np.ndarray:
    """d/dr of :func:`exponential_fractions`.

    With s_i the shifted edges and Δ_i the widths, each bin's weight moves by
    d ln w_i/dr = −s_i + Δ_i g(rΔ_i) (:func:`log_weight_slope`), and the fractions
    f_i = w_i / Σ w by df_i/dr = f_i (d ln w_i/dr − Σ_j f_j d ln w_j/dr).
    """
    shifted = edges - edges[0]
    widths = np.diff(shifted)
    log_slopes = -shifted[:-1] + widths * np.array([log_weight_slope(rate * w) for w in widths])
    fractions = exponential_fractions(edges, rate)
    return fractions * (log_slopes - fractions @ log_slopes)


__all__ = ["exponential_fraction_slopes", "exponential_fractions", "log_weight_slope"]
