"""The grid of a scan: axes of parameter values and the points they span."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from cevns.errors import CevnsInputError


@dataclass(frozen=True)
class ScanAxis:
    """``count`` values of parameter ``name`` from ``low`` to ``high``: equally spaced, or
    with ``log`` equally spaced in the logarithm (masses of mediators, for example)."""

    name: str
    low: float
    high: float
    count: int
    log: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise CevnsInputError(f"scan axis name must be a parameter name; got {self.name!r}")
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 2:
            raise CevnsInputError(
                f"scan axis {self.name}: N must be an integer ≥ 2; got {self.count!r}"
            )
        finite = all(isinstance(v, int | float) and math.isfinite(v) for v in (self.low, self.high))
        if not finite or not self.low < self.high:
            raise CevnsInputError(
                f"scan axis {self.name}: LO and HI must be finite numbers with LO < HI; "
                f"got {self.low!r}:{self.high!r}"
            )
        if self.log and self.low <= 0:
            raise CevnsInputError(
                f"scan axis {self.name}: a log grid needs LO > 0; got {self.low!r}"
            )

    @classmethod
    def parse(cls, text: str, option: str = "scan axis") -> ScanAxis:
        """``NAME=LO:HI:N`` or ``NAME=LO:HI:N:log`` (for example ``flux_norm=0.5:1.5:41``,
        ``zprime_mass=1:1e4:40:log``) → a :class:`ScanAxis`.

        ``option`` names the setting in the error messages.
        """
        name, sep, grid = text.partition("=")
        parts = grid.split(":")
        log = len(parts) == 4 and parts[3].strip().lower() == "log"
        if not sep or not name.strip() or len(parts) != 3 + log:
            raise CevnsInputError(
                f"{option} must be NAME=LO:HI:N or NAME=LO:HI:N:log "
                f"(e.g. flux_norm=0.5:1.5:41); got {text!r}"
            )
        name = name.strip()
        try:
            low, high = float(parts[0]), float(parts[1])
        except ValueError:
            raise CevnsInputError(
                f"{option} {name}: LO and HI must be numbers; got {parts[0]!r}:{parts[1]!r}"
            ) from None
        try:
            count = int(parts[2])
        except ValueError:
            raise CevnsInputError(
                f"{option} {name}: N must be an integer ≥ 2; got {parts[2]!r}"
            ) from None
        try:
            return cls(name, low, high, count, log)
        except CevnsInputError as error:
            raise CevnsInputError(str(error).replace("scan axis", option, 1)) from None

    @property
    def values(self) -> np.ndarray:
        """The grid values (``numpy.linspace``, or ``numpy.geomspace`` for a log grid)."""
        spacing = np.geomspace if self.log else np.linspace
        return spacing(self.low, self.high, self.count)

    def __str__(self) -> str:
        return f"{self.name}={self.low:g}:{self.high:g}:{self.count}{':log' if self.log else ''}"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "low": self.low,
            "high": self.high,
            "count": self.count,
            "log": self.log,
        }


class ScanPoint(NamedTuple):
    """One grid point: its row-major index and the axes' values."""

    # The field shadows tuple.index; renaming it would change ScanPoint's public API.
    index: int  # type: ignore[assignment]
    values: tuple[float, ...]


def scan_points(axes: Sequence[ScanAxis]) -> list[ScanPoint]:
    """Every grid point in row-major order (the first axis varies slowest), indexed 0…N−1."""
    grids = [axis.values for axis in axes]
    mesh = np.meshgrid(*grids, indexing="ij")
    flat = np.stack([m.ravel() for m in mesh], axis=1)
    return [ScanPoint(i, tuple(float(v) for v in row)) for i, row in enumerate(flat)]


__all__ = ["ScanAxis", "ScanPoint", "scan_points"]
