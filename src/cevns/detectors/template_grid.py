"""Histograms on a grid of nuisance values, interpolated between the grid points.

A release that simulates its templates at a few values of each nuisance (XENONnT: the
light- and charge-yield shifts at −3, −2, …, +3σ) gives one histogram per grid point;
between points cevns interpolates multilinearly (for two parameters, bilinear):

    H(θ) = Σ_corners Π_k w_k(θ_k) · H(corner),   w_k = 1 − |θ_k − g_k| / Δg_k

over the 2ᴺ grid points that surround θ (multilinear interpolation on a rectangular grid,
W. H. Press et al., *Numerical Recipes*, 3rd ed., Sec. 3.6). It is exact at the grid
points, continuous, and linear in each parameter between them. Outside the grid the value
at the nearest edge is used; fits bound the parameters to the grid (the default bounds of
a grid parameter).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import product

import numpy as np

from cevns.errors import CevnsInputError


@dataclass(frozen=True)
class GridHistograms:
    """``histograms[i, j, …]`` at grid values ``values[0][i]``, ``values[1][j]``, … of
    ``parameters``; the trailing axes are the histogram's."""

    parameters: tuple[str, ...]
    values: tuple[np.ndarray, ...]
    histograms: np.ndarray

    def __post_init__(self) -> None:
        grid_shape = tuple(v.size for v in self.values)
        if self.histograms.shape[: len(grid_shape)] != grid_shape:
            raise CevnsInputError(
                f"grid histograms have shape {self.histograms.shape}, expected the grid "
                f"{grid_shape} first"
            )

    @property
    def bounds(self) -> dict[str, tuple[float, float]]:
        """Each parameter's grid range."""
        pairs = zip(self.parameters, self.values, strict=True)
        return {p: (float(v[0]), float(v[-1])) for p, v in pairs}

    @property
    def nominal_point(self) -> dict[str, float]:
        """0 for each parameter whose grid spans 0, else the grid's middle value."""
        point = {}
        for name, grid in zip(self.parameters, self.values, strict=True):
            point[name] = 0.0 if grid[0] <= 0.0 <= grid[-1] else float(grid[grid.size // 2])
        return point

    def _cell(self, name: str, grid: np.ndarray, point: Mapping[str, float]):
        value = float(point.get(name, self.nominal_point[name]))
        clipped = min(max(value, float(grid[0])), float(grid[-1]))
        upper = int(np.clip(np.searchsorted(grid, clipped, side="right"), 1, grid.size - 1))
        inside = float(grid[0]) <= value <= float(grid[-1])
        return (
            upper - 1,
            upper,
            (clipped - grid[upper - 1]) / (grid[upper] - grid[upper - 1]),
            inside,
        )

    def gradient(self, point: Mapping[str, float]) -> dict[str, np.ndarray]:
        """∂H/∂θ_k of the interpolation, by parameter: the slope of the cell holding the
        point (the cell above at a grid point, 0 outside the grid where H is constant)."""
        cells = [self._cell(n, g, point) for n, g in zip(self.parameters, self.values, strict=True)]
        result = {}
        for k, name in enumerate(self.parameters):
            lower, upper, _, inside = cells[k]
            width = float(self.values[k][upper] - self.values[k][lower])
            total = np.zeros(self.histograms.shape[len(self.parameters) :])
            if inside:
                choices = []
                for j, (low, high, weight, _) in enumerate(cells):
                    if j == k:
                        choices.append(((low, -1.0 / width), (high, 1.0 / width)))
                    else:
                        choices.append(((low, 1.0 - weight), (high, weight)))
                for choice in product(*choices):
                    weight = float(np.prod([w for _, w in choice]))
                    if weight != 0.0:
                        total = total + weight * self.histograms[tuple(i for i, _ in choice)]
            result[name] = total
        return result

    def at(self, point: Mapping[str, float]) -> np.ndarray:
        """The multilinear interpolation at ``point`` (missing parameters: nominal)."""
        corners = []
        for name, grid in zip(self.parameters, self.values, strict=True):
            value = float(point.get(name, self.nominal_point[name]))
            value = min(max(value, float(grid[0])), float(grid[-1]))
            upper = int(np.clip(np.searchsorted(grid, value, side="right"), 1, grid.size - 1))
            lower = upper - 1
            weight = (value - grid[lower]) / (grid[upper] - grid[lower])
            corners.append(((lower, 1.0 - weight), (upper, weight)))
        result = np.zeros(self.histograms.shape[len(self.parameters) :])
        for choice in product(*corners):
            weight = float(np.prod([w for _, w in choice]))
            if weight != 0.0:
                result = result + weight * self.histograms[tuple(i for i, _ in choice)]
        return result


__all__ = ["GridHistograms"]
