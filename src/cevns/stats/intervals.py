"""Confidence intervals from a Δχ² profile (Wilks' theorem), shared by fits and scans.

Wilks' theorem (S. S. Wilks, Ann. Math. Statist. 9, 60 (1938)): the profile Δχ² follows
a χ² distribution with as many degrees of freedom as fixed parameters, so the interval
or region at confidence level CL is where Δχ² ≤ F⁻¹_{χ²_k}(CL) (1D: 1.00, 2.71, 3.84 for
68.27 %, 90 %, 95 %; 2D: 2.30, 4.61, 5.99).
"""

from __future__ import annotations

import math

import numpy as np


def critical_delta_chi2(confidence_level: float, dimensions: int = 1) -> float:
    """Δχ² threshold of a Wilks interval or region at ``confidence_level``.

    scipy.stats is imported here, not with the module: scan workers import this module
    (through :mod:`cevns.stats.scan`) and never need it, and it takes 0.7 s to load."""
    from scipy.stats import chi2 as chi2_distribution

    return float(chi2_distribution.ppf(confidence_level, dimensions))


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


__all__ = ["critical_delta_chi2", "threshold_segments"]
