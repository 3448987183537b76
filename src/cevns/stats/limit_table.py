"""The result of a coupling–mass limit scan: one row per mass with the limit and every
allowed interval (mirrors :mod:`cevns.stats.scan_table` for scans)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cevns.errors import CevnsInputError
from cevns.stats.grid import ScanAxis
from cevns.stats.intervals import critical_delta_chi2


def limit_threshold(confidence_level: float) -> float:
    """Δχ² at which the limit is set: F⁻¹_{χ²_1}(CL), 2.706 at 0.9 and 3.841 at 0.95."""
    if not 0.0 < confidence_level < 1.0:
        raise CevnsInputError(f"confidence level must be between 0 and 1; got {confidence_level!r}")
    return critical_delta_chi2(confidence_level, 1)


@dataclass
class LimitTable:
    """Upper limits on ``coupling`` against the mass, sorted by mass.

    ``limit`` is the largest coupling not excluded; NaN where the search did not converge
    or Δχ² stayed below the threshold up to the coupling's upper limit (``bracketed``
    False). ``allowed_intervals[i]`` lists the allowed [low, high] pairs at mass i (an
    interval open to an unbounded coupling range ends at +inf).
    """

    mass: ScanAxis
    coupling: str
    confidence_level: float
    masses: np.ndarray
    limit: np.ndarray
    best_coupling: np.ndarray
    delta_chi2_null: np.ndarray
    converged: np.ndarray
    bracketed: np.ndarray
    global_fit: dict[str, Any] = field(default_factory=dict)
    allowed_intervals: list[list[list[float]]] = field(default_factory=list)

    @property
    def threshold(self) -> float:
        return limit_threshold(self.confidence_level)

    @classmethod
    def from_records(
        cls,
        mass: ScanAxis,
        coupling: str,
        confidence_level: float,
        records: Iterable[Mapping[str, Any]],
        global_fit: Mapping[str, Any] | None = None,
    ) -> LimitTable:
        """The table of a complete set of records (as written to the result file)."""
        ordered = sorted(records, key=lambda r: int(r["index"]))
        if [int(r["index"]) for r in ordered] != list(range(mass.count)):
            raise CevnsInputError(
                f"the limit scan is incomplete: {len(ordered)} of {mass.count} masses are done"
            )

        def column(key: str) -> np.ndarray:
            return np.array([math.nan if r[key] is None else float(r[key]) for r in ordered])

        def intervals(record: Mapping[str, Any]) -> list[list[float]]:
            return [
                [float(low), math.inf if high is None else float(high)]
                for low, high in record.get("allowed_intervals", [])
            ]

        return cls(
            mass=mass,
            coupling=coupling,
            confidence_level=confidence_level,
            masses=mass.values,
            limit=column("limit"),
            best_coupling=column("best_coupling"),
            delta_chi2_null=column("delta_chi2_null"),
            converged=np.array([bool(r["converged"]) for r in ordered]),
            bracketed=np.array([bool(r["bracketed"]) for r in ordered]),
            global_fit=dict(global_fit or {}),
            allowed_intervals=[intervals(r) for r in ordered],
        )

    def rows(self) -> list[dict[str, Any]]:
        """One dict per mass: mass, limit, allowed_intervals (a list of [low, high]),
        best_coupling, delta_chi2_null, converged, bracketed."""
        return [
            {
                self.mass.name: float(m),
                "limit": float(g),
                "allowed_intervals": [[float(low), float(high)] for low, high in a],
                "best_coupling": float(b),
                "delta_chi2_null": float(d),
                "converged": bool(c),
                "bracketed": bool(k),
            }
            for m, g, a, b, d, c, k in zip(
                self.masses,
                self.limit,
                self.allowed_intervals,
                self.best_coupling,
                self.delta_chi2_null,
                self.converged,
                self.bracketed,
                strict=True,
            )
        ]

    def summary(self) -> dict[str, Any]:
        """Everything but the rows, JSON-ready."""
        return {
            "mass": self.mass.to_json(),
            "coupling": self.coupling,
            "confidence_level": self.confidence_level,
            "delta_chi2_threshold": self.threshold,
            "convention": (
                "one-sided; Δχ² from the global best fit over the coupling range (≥ 0) at "
                "each mass; limit = the largest coupling not excluded"
            ),
            "points": int(self.masses.size),
            "not_converged": int((~self.converged).sum()),
            "no_limit_in_range": int((self.converged & ~self.bracketed).sum()),
        }


__all__ = ["LimitTable", "limit_threshold"]
