"""Document parts for templates stored as histogram files (validated by pydantic).

Dark-matter-detector releases give their response and backgrounds as histograms over the
analysis bins, often on a grid of nuisance values (XENONnT: light-yield and charge-yield
shifts ``tly``, ``tqy`` from −3σ to +3σ). Two kinds of entries use them:

* :class:`HistogramFilesSpec` — a background's histogram (``[[backgrounds]]`` with
  ``shape = "histogram"``), one file or one file per grid point::

      histogram = { file = "rg/template_rg_tly_{t_ly:.1f}_tqy_{t_qy:.1f}.h5", per = "t yr",
                    grid = { t_ly = [-3, -2, -1, 0, 1, 2, 3], t_qy = [-3, -2, -1, 0, 1, 2, 3] } }

* :class:`RecoilTemplatesSpec` — the detector response as mono-energetic nuclear-recoil
  templates (``[response.recoil_templates]``): the detection efficiency in each analysis
  bin for recoils of one energy, one file per energy (and grid point); ``{energy}`` in the
  file pattern is the recoil energy in keVnr.

File patterns use Python's format syntax (``{t_ly:.1f}``); every field must be a grid
parameter (or ``energy``), and every grid parameter must appear in the pattern.
"""

from __future__ import annotations

import math
import string
from itertools import pairwise, product
from typing import Literal

from pydantic import Field, model_validator

from cevns.experiments.analysis_schema import Name, StrictModel

#: Exposure units a histogram's contents can be a rate per.
EXPOSURE_UNITS = ("t yr", "kg yr", "kg day")


def pattern_fields(pattern: str) -> list[str]:
    """The field names of a format pattern (``"a_{x:.1f}_{y}"`` → ``["x", "y"]``)."""
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as error:
        raise ValueError(
            f"file pattern {pattern!r} is not a valid format string: {error}"
        ) from None
    return [field for _, field, _, _ in parsed if field is not None]


def fill_pattern(pattern: str, values: dict[str, float]) -> str:
    """The file name of the pattern at ``values`` (each value a float)."""
    return pattern.format(**{k: float(v) for k, v in values.items()})


def _check_grid(grid: dict[str, list[float]]) -> None:
    for name, values in grid.items():
        if len(values) < 2:
            raise ValueError(f"grid.{name} needs at least 2 values; got {values}")
        if not all(math.isfinite(v) for v in values):
            raise ValueError(f"grid.{name} must hold finite numbers; got {values}")
        if any(b <= a for a, b in pairwise(values)):
            raise ValueError(f"grid.{name} must be strictly increasing; got {values}")


def _check_fields(pattern: str, allowed: set[str], required: set[str], what: str) -> None:
    fields = pattern_fields(pattern)
    for field in fields:
        if field == "" or not field.isidentifier():
            raise ValueError(
                f"{what}: every field of the file pattern needs a name; got {pattern!r}"
            )
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValueError(
            f"{what}: the file pattern names {unknown}, which are not "
            f"{'grid parameters' if allowed else 'allowed (no grid is given)'}"
            + (f" ({', '.join(sorted(allowed))})" if allowed else "")
        )
    missing = sorted(required - set(fields))
    if missing:
        raise ValueError(f"{what}: the file pattern must contain {{{missing[0]}}}")


class HistogramFilesSpec(StrictModel):
    """A histogram stored in HDF5 files: ``file`` (a pattern over ``grid`` when the
    histogram depends on nuisance parameters, interpolated multilinearly between grid
    points), the ``dataset`` holding it, and ``per``: the exposure its contents are a
    rate per (``"t yr"``: events per tonne-year) or None (events)."""

    file: str = Field(min_length=1)
    dataset: str = "templates/template"
    grid: dict[Name, list[float]] = Field(default_factory=dict)
    per: Literal["t yr", "kg yr", "kg day"] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> HistogramFilesSpec:
        _check_grid(self.grid)
        _check_fields(self.file, set(self.grid), set(self.grid), "histogram")
        return self

    def grid_points(self) -> list[dict[str, float]]:
        """Every grid point (a mapping parameter → value), the last parameter fastest."""
        names = list(self.grid)
        return [dict(zip(names, point, strict=True)) for point in product(*self.grid.values())]


class RecoilTemplatesSpec(StrictModel):
    """Mono-energetic nuclear-recoil templates: for each recoil energy in ``energies``
    (keVnr), a histogram over the analysis bins of the probability that a recoil of that
    energy is detected in each bin. The response of a recoil of energy T is interpolated
    linearly in T between the templates; below the first energy it is 0 (nothing is
    detected there: the release's first template is at its threshold), above the last it
    is the last template (``beyond_last = "hold"``) or 0 (``"zero"``)."""

    file: str = Field(min_length=1)
    dataset: str = "templates/template"
    energies: list[float] | None = None
    energy_start: float | None = Field(default=None, ge=0)
    energy_stop: float | None = Field(default=None, gt=0)
    energy_step: float | None = Field(default=None, gt=0)
    energy_unit: Literal["keVnr", "eVnr"] = "keVnr"
    grid: dict[Name, list[float]] = Field(default_factory=dict)
    beyond_last: Literal["hold", "zero"] = "hold"
    reference: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> RecoilTemplatesSpec:
        _check_grid(self.grid)
        if "energy" in self.grid:
            raise ValueError("'energy' is the recoil energy, not a grid parameter")
        _check_fields(self.file, {*self.grid, "energy"}, {*self.grid, "energy"}, "recoil_templates")
        ranged = [self.energy_start, self.energy_stop, self.energy_step]
        if self.energies is not None and any(v is not None for v in ranged):
            raise ValueError("give energies, or energy_start/energy_stop/energy_step, not both")
        if self.energies is None and any(v is None for v in ranged):
            raise ValueError("give energies, or all of energy_start, energy_stop, energy_step")
        values = self.energy_values()
        if len(values) < 2:
            raise ValueError(f"recoil templates need at least 2 energies; got {values}")
        if any(b <= a for a, b in pairwise(values)) or values[0] < 0:
            raise ValueError("recoil template energies must be ≥ 0 and strictly increasing")
        return self

    def energy_values(self) -> list[float]:
        """The template energies in ``energy_unit``."""
        if self.energies is not None:
            return [float(e) for e in self.energies]
        start, stop, step = self.energy_start, self.energy_stop, self.energy_step
        # The validator requires all three when energies is not given.
        assert start is not None and stop is not None and step is not None
        count = math.floor((stop - start) / step + 1e-9) + 1
        # Rounded to 12 significant digits so that a file pattern like {energy:.3f} finds
        # 0.700 rather than 0.7000000000000001.
        return [float(f"{start + k * step:.12g}") for k in range(count)]

    def grid_points(self) -> list[dict[str, float]]:
        names = list(self.grid)
        return [dict(zip(names, point, strict=True)) for point in product(*self.grid.values())]


__all__ = [
    "EXPOSURE_UNITS",
    "HistogramFilesSpec",
    "RecoilTemplatesSpec",
    "fill_pattern",
    "pattern_fields",
]
