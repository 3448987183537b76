"""The results of a profile-likelihood scan: the table, its intervals and its regions.

:class:`ScanTable` holds the grid, χ² and Δχ² of every point (sorted by index); 1D scans
give Wilks intervals (:class:`Interval`) and 2D scans confidence regions (:class:`Region`)
at the levels of :data:`CONFIDENCE_LEVELS`, with the Δχ² thresholds of
:func:`cevns.stats.intervals.critical_delta_chi2`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cevns.errors import CevnsInputError
from cevns.stats.grid import ScanAxis, scan_points
from cevns.stats.intervals import critical_delta_chi2, threshold_segments

#: Confidence levels of the reported intervals and regions (1σ, 90 %, 95 %).
CONFIDENCE_LEVELS: tuple[float, ...] = (0.6827, 0.90, 0.95)


@dataclass(frozen=True)
class Interval:
    """A 1D profile-likelihood interval at one confidence level.

    ``segments``: the (low, high) ranges where Δχ² ≤ ``delta_chi2``; ±inf where a range
    reaches the edge of the scanned grid.
    """

    parameter: str
    confidence_level: float
    delta_chi2: float
    segments: tuple[tuple[float, float], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "parameter": self.parameter,
            "confidence_level": self.confidence_level,
            "delta_chi2": self.delta_chi2,
            "segments": [list(s) for s in self.segments],
        }


@dataclass(frozen=True)
class Region:
    """A 2D Wilks region: grid points with Δχ² ≤ ``delta_chi2`` (2 degrees of freedom).

    ``extent`` maps each parameter to the (low, high) range the region covers (from the
    surface profiled over the other axis, interpolated; ±inf where it reaches the grid
    edge); ``closed`` says the region does not touch the edge of the grid.
    """

    confidence_level: float
    delta_chi2: float
    inside: np.ndarray
    extent: dict[str, tuple[float, float]]
    closed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "confidence_level": self.confidence_level,
            "delta_chi2": self.delta_chi2,
            "points_inside": int(self.inside.sum()),
            "extent": {k: list(v) for k, v in self.extent.items()},
            "closed": self.closed,
        }


@dataclass
class ScanTable:
    """The result of a scan, one row per grid point, sorted by index.

    Columns: the axes' values, ``chi2`` (minimum of the full cost at the point),
    ``delta_chi2`` (``chi2 − reference_chi2``, see the module docstring) and ``converged``;
    ``profiled`` holds the best-fit values of the profiled parameters.
    """

    axes: tuple[ScanAxis, ...]
    index: np.ndarray
    coordinates: np.ndarray
    chi2: np.ndarray
    converged: np.ndarray
    profiled: dict[str, np.ndarray]
    global_fit: dict[str, Any] = field(default_factory=dict)
    reference_chi2: float = field(init=False)
    delta_chi2: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        candidates = self.chi2[self.converged & np.isfinite(self.chi2)]
        minima = [float(candidates.min())] if candidates.size else []
        if self.global_fit.get("minimum") is not None:
            minima.append(float(self.global_fit["minimum"]))
        self.reference_chi2 = min(minima) if minima else math.nan
        self.delta_chi2 = self.chi2 - self.reference_chi2

    @classmethod
    def from_records(
        cls,
        axes: Sequence[ScanAxis],
        records: Iterable[Mapping[str, Any]],
        global_fit: Mapping[str, Any] | None = None,
    ) -> ScanTable:
        """The table of a complete set of point records (as written to the scan file)."""
        axes = tuple(axes)
        ordered = sorted(records, key=lambda r: int(r["index"]))
        expected = math.prod(axis.count for axis in axes)
        indices = np.array([int(r["index"]) for r in ordered], dtype=int)
        if indices.size != expected or np.any(indices != np.arange(expected)):
            raise CevnsInputError(
                f"the scan is incomplete: {indices.size} of {expected} points are finished"
            )
        points = scan_points(axes)
        names = list(ordered[0]["profiled"]) if ordered else []
        return cls(
            axes=axes,
            index=indices,
            coordinates=np.array([p.values for p in points], dtype=float),
            chi2=np.array([_float(r["chi2"], math.inf) for r in ordered]),
            converged=np.array([bool(r["converged"]) for r in ordered]),
            profiled={
                n: np.array([_float(r["profiled"][n], math.nan) for r in ordered]) for n in names
            },
            global_fit=dict(global_fit or {}),
        )

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(axis.name for axis in self.axes)

    def column(self, name: str) -> np.ndarray:
        """The values of axis ``name`` at every point."""
        return self.coordinates[:, self.parameters.index(name)]

    def rows(self) -> list[dict[str, Any]]:
        """One dict per point: the axes' values, chi2, delta_chi2, converged."""
        return [
            {
                **dict(zip(self.parameters, map(float, point), strict=True)),
                "chi2": float(chi2),
                "delta_chi2": float(delta),
                "converged": bool(ok),
            }
            for point, chi2, delta, ok in zip(
                self.coordinates, self.chi2, self.delta_chi2, self.converged, strict=True
            )
        ]

    def surface(self) -> np.ndarray:
        """Δχ² shaped like the grid (axis counts); NaN where the fit did not converge."""
        values = np.where(self.converged, self.delta_chi2, np.nan)
        return values.reshape([axis.count for axis in self.axes])

    def profile_along(self, name: str) -> np.ndarray:
        """Δχ² along axis ``name`` minimised over the other axis (the 1D profile on the
        grid); NaN where no point of the other axis converged."""
        surface = self.surface()
        axis = self.parameters.index(name)
        if surface.ndim == 1:
            return surface
        other = 1 - axis
        filled = np.where(np.isfinite(surface), surface, np.inf).min(axis=other)
        return np.where(np.isfinite(filled), filled, np.nan)

    def best(self) -> dict[str, float]:
        """The converged grid point with the smallest χ² (its values, chi2, delta_chi2)."""
        candidates = np.where(self.converged, self.chi2, np.inf)
        position = int(np.argmin(candidates))
        return self.rows()[position]

    def intervals(self, levels: Iterable[float] = CONFIDENCE_LEVELS) -> list[Interval]:
        """1D intervals (one degree of freedom) of each axis, from its profile."""
        return [
            Interval(
                name,
                level,
                critical_delta_chi2(level, 1),
                threshold_segments(
                    axis.values, self.profile_along(name), critical_delta_chi2(level, 1)
                ),
            )
            for axis, name in zip(self.axes, self.parameters, strict=True)
            for level in levels
        ]

    def regions(self, levels: Iterable[float] = CONFIDENCE_LEVELS) -> list[Region]:
        """2D Wilks regions (two degrees of freedom); empty for a 1D scan."""
        if len(self.axes) != 2:
            return []
        surface = self.surface()
        regions = []
        for level in levels:
            threshold = critical_delta_chi2(level, 2)
            inside = np.nan_to_num(surface, nan=np.inf) <= threshold
            extent = {}
            for axis in self.axes:
                segments = threshold_segments(axis.values, self.profile_along(axis.name), threshold)
                extent[axis.name] = (
                    (min(s[0] for s in segments), max(s[1] for s in segments))
                    if segments
                    else (math.nan, math.nan)
                )
            edge = inside.copy()
            edge[1:-1, 1:-1] = False
            regions.append(Region(level, threshold, inside, extent, not edge.any()))
        return regions

    def summary(self) -> dict[str, Any]:
        """Everything but the rows, JSON-ready: axes, global fit, best point, intervals,
        regions and the number of points that did not converge."""
        fitted = self.global_fit
        return {
            "axes": [axis.to_json() for axis in self.axes],
            "points": int(self.index.size),
            "global_fit": {
                "converged": fitted.get("converged"),
                "minimum": fitted.get("minimum"),
                "values": fitted.get("values", {}),
            },
            "reference_chi2": self.reference_chi2,
            "best_point": self.best(),
            "intervals": [i.to_json() for i in self.intervals()],
            "regions": [r.to_json() for r in self.regions()],
            "not_converged": int((~self.converged).sum()),
        }


def _float(value: float | None, missing: float) -> float:
    return missing if value is None else float(value)
