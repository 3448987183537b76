"""The likelihood part of an experiment document: observed samples, axes, components,
systematics, parameters and their priors (validated by pydantic).

One TOML document describes an experiment (source, exposure, detector, response,
binning, backgrounds: :mod:`cevns.experiments.schema`) and, in its ``[analysis]`` table,
how its data are fitted. The layout, with every key optional unless marked::

    [analysis]
    axes = [{ name = "observable" }, { name = "f90", edges = [0.5, 0.6, 0.7] }, { name = "time" }]

    [analysis.signal]                      # the experiment's CEvNS prediction
    scale_parameters = ["cevns_scale", "flux_norm"]   # first: the signal strength μ
    spread = { table = { file = "signal.txt", columns = [...] }, keep = ["observable"] }
    [[analysis.signal.systematics]]        # ±1σ variants: refolded response or templates
    parameter = "quenching_shape"
    kind = "response"
    up = { quenching = { model = "linear", a = 0.25, b_per_kevnr = 0.0008 } }

    [[analysis.samples]]                   # required: at least one
    name = "coincident"
    data = { file = "events.csv", columns = ["observable", "time"] }
    components = ["cevns", "steady-state"] # default: the signal and every background
    auxiliary = false                      # true: constrains nuisances, not in χ²/ndof

    [analysis.parameters.flux_norm]        # start, bounds, prior, fixed
    bounds = [0.3, 2.0]
    prior = { kind = "gaussian", mean = 1.0, sigma = 0.1 }

Axes. The histogram's axes are named; ``observable`` and ``time`` are the experiment's
binning (their edges come from ``[binning]``), any other axis (a pulse-shape variable, an
analysis score) gives its ``edges`` and optional ``unit``. Default: the binning's axes.

Tables (``{ file, columns, delimiter, skip_rows, units }``) name every column of the file in
order. Columns named after an axis place rows in bins (event lists: one row per event;
histograms and shapes: bin centres); a column named ``weight`` weights the rows; other
columns (``f90`` when it is not an axis) are summed over. ``units`` maps a column to its
unit when it differs from the axis's (``{ time = "ns" }``); units of another kind (keVnr
on a keVee axis) are refused. Relative paths resolve against the document's folder, then
the data directory.
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cevns.detectors.specs import (
    EnergyEfficiencySpec,
    QuenchingSpec,
    SmearingSpec,
    TimeEfficiencySpec,
)

#: The version of the document format this package reads and writes.
SCHEMA_VERSION: Final = 1

#: Column name that holds row weights (histogram contents, shape weights).
WEIGHT_COLUMN = "weight"

#: Units an axis or a table column can carry, by kind. Quantities of different kinds
#: (nuclear-recoil against electron-equivalent energy, photoelectrons against energy)
#: are never converted into each other.
UNIT_KINDS: dict[str, dict[str, float]] = {
    "photoelectrons": {"PE": 1.0},
    "electron-equivalent energy": {"eVee": 1e-3, "keVee": 1.0, "MeVee": 1e3},
    "nuclear-recoil energy": {"eVnr": 1e-3, "keVnr": 1.0, "MeVnr": 1e3},
    "energy": {"eV": 1e-3, "keV": 1.0, "MeV": 1e3},
    "time": {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6},
}
UNITS = tuple(unit for units in UNIT_KINDS.values() for unit in units)


def unit_kind(unit: str) -> str:
    """The kind of quantity ``unit`` measures (a key of :data:`UNIT_KINDS`)."""
    for kind, units in UNIT_KINDS.items():
        if unit in units:
            return kind
    raise ValueError(f"unknown unit {unit!r}; allowed: {', '.join(UNITS)}")


def unit_factor(source: str, target: str) -> float:
    """Multiply a value in ``source`` by this to express it in ``target`` (same kind)."""
    source_kind, target_kind = unit_kind(source), unit_kind(target)
    if source_kind != target_kind:
        raise ValueError(
            f"a value in {source} ({source_kind}) cannot be used on an axis in {target} "
            f"({target_kind})"
        )
    return UNIT_KINDS[source_kind][source] / UNIT_KINDS[target_kind][target]


def require_distinct(names: list[str], what: str) -> None:
    """Refuse a list of names with a repeat (``what`` names them in the message)."""
    if len(set(names)) != len(names):
        raise ValueError(f"{what} must be distinct; got {names}")


def check_edges(edges: list[float], what: str) -> None:
    """Refuse fewer than 2 edges, non-finite or not strictly increasing ones."""
    if len(edges) < 2:
        raise ValueError(f"{what} need at least 2 values; got {edges}")
    for edge in edges:
        _finite(edge, what)
    if any(b <= a for a, b in pairwise(edges)):
        raise ValueError(f"{what} must be strictly increasing; got {edges}")


def _finite(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number; got {value}")
    return value


class StrictModel(BaseModel):
    """Base of every document model: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


Name = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.+\-]+$")]


class TableSpec(StrictModel):
    """A numeric text table: its file and the name of each column, in order."""

    file: str = Field(min_length=1)
    columns: list[Name] = Field(min_length=1)
    delimiter: Literal["auto", ",", "whitespace"] = "auto"
    skip_rows: int = Field(default=0, ge=0)
    units: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> TableSpec:
        require_distinct(self.columns, "column names")
        for column, unit in self.units.items():
            if column not in self.columns:
                raise ValueError(f"units names column {column!r}, not one of {self.columns}")
            unit_kind(unit)
        return self


class EdgesFileSpec(StrictModel):
    """Bin edges read from a YAML or JSON file: the list stored under ``key`` (a release's
    binning file, e.g. ``{ file = "xenonnt-cevns-2026/binning/sr0.yaml", key = "cs2" }``)."""

    file: str = Field(min_length=1)
    key: str = Field(min_length=1)


class AxisSpec(StrictModel):
    """One axis of the analysis histogram. ``observable`` and ``time`` take their edges
    from the experiment's ``[binning]``; any other axis gives ``edges`` — a list, or
    ``{ file, key }`` to read them from a binning file — and a ``unit`` when its values
    have one."""

    name: Name
    edges: list[float] | EdgesFileSpec | None = None
    unit: str | None = None

    @model_validator(mode="after")
    def _edges(self) -> AxisSpec:
        binned = self.name in ("observable", "time")
        if binned and (self.edges is not None or self.unit is not None):
            raise ValueError(f"axis {self.name!r} takes its edges and unit from [binning]")
        if not binned and self.edges is None:
            raise ValueError(f"axis {self.name!r} needs edges")
        if isinstance(self.edges, list):
            check_edges(self.edges, f"edges of axis {self.name!r}")
        if self.unit is not None:
            unit_kind(self.unit)
        return self


class PriorSpec(StrictModel):
    """A constraint on one parameter: ``gaussian`` N(mean, sigma), or ``lognormal`` with
    median ``mean`` and ``sigma`` the width of ln(parameter)."""

    kind: Literal["gaussian", "lognormal"] = "gaussian"
    mean: float
    sigma: float = Field(gt=0)

    @model_validator(mode="after")
    def _finite_values(self) -> PriorSpec:
        _finite(self.mean, "mean")
        _finite(self.sigma, "sigma")
        if self.kind == "lognormal" and self.mean <= 0:
            raise ValueError(f"a lognormal prior needs mean > 0; got {self.mean}")
        return self


class ParameterSpec(StrictModel):
    """What a document says of one parameter: start value, bounds, prior, or a fixed value.

    Everything not given keeps the default of the parameter's role (a signal strength
    starts at 1 in [0, 10], a normalisation at 1 in [0, 5] with the background's
    uncertainty as prior, a shape nuisance at 0 in [−5, 5] with a unit Gaussian prior).
    ``prior = "none"`` removes a default prior.
    """

    start: float | None = None
    bounds: tuple[float | None, float | None] | None = None
    prior: PriorSpec | Literal["none"] | None = None
    fixed: float | None = None
    description: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> ParameterSpec:
        for value, what in ((self.start, "start"), (self.fixed, "fixed")):
            if value is not None:
                _finite(value, what)
        if self.bounds is not None:
            low, high = self.bounds
            if low is not None and high is not None and not low < high:
                raise ValueError(f"bounds must be [low, high] with low < high; got {self.bounds}")
            for value in (self.start, self.fixed):
                if value is not None and (
                    (low is not None and value < low) or (high is not None and value > high)
                ):
                    raise ValueError(f"value {value} lies outside bounds {list(self.bounds)}")
        if self.fixed is not None and isinstance(self.prior, PriorSpec):
            raise ValueError("a fixed parameter cannot have a prior")
        return self


class ResponseChange(StrictModel):
    """A variation of the response or the pulse that the engine refolds."""

    quenching: QuenchingSpec | None = None
    smearing: SmearingSpec | None = None
    energy_efficiency: EnergyEfficiencySpec | None = None
    time_efficiency: TimeEfficiencySpec | None = None
    light_yield_pe_per_kevee: float | None = Field(default=None, gt=0)
    pulse_mean: str | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> ResponseChange:
        if not self.model_fields_set:
            raise ValueError("a response change must change something (e.g. quenching)")
        return self


class SystematicSpec(StrictModel):
    """A shape systematic driven by a nuisance ``parameter`` (HistFactory-style
    interpolation between the ±1σ variants; a missing ``down`` mirrors ``up``).

    ``kind = "response"``: ``up``/``down`` change the detector response or the pulse
    (signal only), and the engine refolds the prediction. ``kind = "template"``: ``up``/
    ``down`` are tables on the analysis axes; their ratio to ``reference`` (default: the
    component's own table) is applied, after rescaling to the reference's total when
    ``shape_only`` (normalisations stay with the normalisation parameters).
    """

    parameter: Name
    kind: Literal["response", "template"]
    up: ResponseChange | TableSpec
    down: ResponseChange | TableSpec | None = None
    reference: TableSpec | None = None
    shape_only: bool = True
    description: str = ""

    @model_validator(mode="after")
    def _kinds_match(self) -> SystematicSpec:
        wanted = ResponseChange if self.kind == "response" else TableSpec
        for side in ("up", "down"):
            value = getattr(self, side)
            if value is not None and not isinstance(value, wanted):
                raise ValueError(
                    f"{side} of a {self.kind} systematic must be "
                    f"{'a response change' if wanted is ResponseChange else 'a table'}"
                )
        if self.kind == "response" and self.reference is not None:
            raise ValueError("a response systematic has no reference table")
        return self


class SpreadSpec(StrictModel):
    """Spread the engine's prediction over more axes with a template: within each bin of
    the ``keep`` axes the signal takes the template's distribution over the other axes,
    S = s(keep) · T / Σ_{other axes} T (the release prescription of arXiv:2006.12659 §5)."""

    table: TableSpec
    keep: list[Literal["observable", "time"]] = Field(min_length=1)


class SignalSpec(StrictModel):
    """The CEvNS signal: the experiment's prediction times ``scale_parameters`` (the first
    is the signal strength μ, σ_measured = μ σ_SM)."""

    name: Name = "cevns"
    scale_parameters: list[Name] = Field(default_factory=lambda: ["cevns_scale"], min_length=1)
    spread: SpreadSpec | None = None
    systematics: list[SystematicSpec] = Field(default_factory=list)

    @field_validator("scale_parameters")
    @classmethod
    def _distinct_scales(cls, names: list[str]) -> list[str]:
        require_distinct(names, "scale parameters")
        return names


class SampleSpec(StrictModel):
    """Observed data: an event list or a histogram (table), and the components that
    contribute to it (default: all). ``auxiliary`` samples constrain nuisances (an
    anti-coincident or beam-off sample) and are left out of the goodness of fit.

    ``data = "asimov"`` makes a projection's sample: the expected counts of its components
    at the nominal parameters (every start value, new-physics parameters at their
    Standard-Model values), the Asimov data set of G. Cowan, K. Cranmer, E. Gross,
    O. Vitells, Eur. Phys. J. C 71, 1554 (2011), Sec. 3.2, whose fits give the median
    sensitivity. Only documents of ``kind = "projection"`` may use it."""

    name: Name
    data: TableSpec | Literal["asimov"]
    components: list[Name] | None = None
    auxiliary: bool = False


class AnalysisSpec(StrictModel):
    """How the experiment's data are fitted: the whole likelihood."""

    axes: list[AxisSpec] | None = None
    signal: SignalSpec = Field(default_factory=SignalSpec)
    samples: list[SampleSpec] = Field(min_length=1)
    parameters: dict[Name, ParameterSpec] = Field(default_factory=dict)
    reference: str = ""

    @field_validator("axes")
    @classmethod
    def _axes(cls, axes: list[AxisSpec] | None) -> list[AxisSpec] | None:
        if axes is None:
            return axes
        require_distinct([a.name for a in axes], "axis names")
        return axes

    @model_validator(mode="after")
    def _samples(self) -> AnalysisSpec:
        names = [s.name for s in self.samples]
        require_distinct(names, "sample names")
        if all(s.auxiliary for s in self.samples):
            raise ValueError("at least one sample must be the measurement (auxiliary = false)")
        return self


__all__ = [
    "SCHEMA_VERSION",
    "UNITS",
    "UNIT_KINDS",
    "WEIGHT_COLUMN",
    "AnalysisSpec",
    "AxisSpec",
    "EdgesFileSpec",
    "ParameterSpec",
    "PriorSpec",
    "ResponseChange",
    "SampleSpec",
    "SignalSpec",
    "SpreadSpec",
    "SystematicSpec",
    "TableSpec",
    "check_edges",
    "require_distinct",
    "unit_factor",
    "unit_kind",
]
