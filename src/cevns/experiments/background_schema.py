"""The background and published-value parts of a document (validated by pydantic).

``[[backgrounds]]`` entries describe each background's shape on the analysis axes and its
normalisation (:class:`BackgroundSpec`); ``[published]`` values carry their uncertainties
(:class:`PublishedValue`). Both belong to :class:`cevns.experiments.schema.ExperimentSpec`.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator

from cevns.experiments.analysis_schema import (
    Name,
    StrictModel,
    SystematicSpec,
    TableSpec,
    require_distinct,
)
from cevns.experiments.template_schema import HistogramFilesSpec


class FactorSpec(StrictModel):
    """One factor of a separable background shape, along one axis: a ``table`` (an event
    list or a shape of bin centres and weights, projected on ``axis``), or a ``function``:
    ``flat``, or ``exponential`` exp(−rate·x) with ``rate`` per unit of the axis (a free
    decay rate when ``rate_parameter`` names a parameter)."""

    axis: Name
    table: TableSpec | None = None
    function: Literal["flat", "exponential"] | None = None
    rate: float = 0.0
    rate_parameter: Name | None = None

    @model_validator(mode="after")
    def _one_form(self) -> FactorSpec:
        if (self.table is None) == (self.function is None):
            raise ValueError(f"factor on axis {self.axis!r}: give exactly one of table, function")
        if not math.isfinite(self.rate):
            raise ValueError(f"rate must be finite; got {self.rate}")
        if self.function != "exponential" and (self.rate != 0.0 or self.rate_parameter):
            raise ValueError("rate and rate_parameter belong to an exponential factor")
        return self


class RateSpec(StrictModel):
    """A normalisation as a rate per exposure: ``value`` events per ``per``."""

    value: float = Field(ge=0, allow_inf_nan=False)
    per: Literal["kg day", "kg yr", "t yr", "protons"]


class BackgroundSpec(StrictModel):
    """A background component: its shape on the analysis axes and its normalisation.

    Shapes: ``flat`` (uniform in every axis); ``events`` (a histogram of the rows of
    ``table``, an event list); ``template`` (``table`` rows of bin centres with a
    ``weight`` column); ``separable`` (the product of ``factors``, one per axis, each a
    table or an analytic form); ``histogram`` (a histogram file over the analysis axes,
    optionally one per grid point of nuisance parameters, ``histogram``:
    :class:`~cevns.experiments.template_schema.HistogramFilesSpec`). Columns that are not
    analysis axes are summed over.

    Normalisation: ``counts`` expected in the analysis region, or ``rate`` per exposure,
    or neither: the shape's own total (an event list's count, a template as released, a
    histogram's contents — times the exposure when they are a rate ``per`` exposure).
    In fits the component is multiplied by ``norm_parameter`` (default
    ``<document>_<name>_norm``) with a ``prior`` of fractional width ``uncertainty``
    (none when 0). ``apply_efficiency`` multiplies the shape by the detector's energy
    and time efficiencies (for shapes given before detection). ``systematics`` are
    template variants (``kind = "template"``).
    """

    name: Name
    counts: float | None = Field(default=None, ge=0, le=1e15, allow_inf_nan=False)
    rate: RateSpec | None = None
    uncertainty: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    prior: Literal["gaussian", "lognormal"] = "gaussian"
    norm_parameter: Name | None = None
    shape: Literal["flat", "events", "template", "separable", "histogram"] = "flat"
    table: TableSpec | None = None
    histogram: HistogramFilesSpec | None = None
    factors: list[FactorSpec] = Field(default_factory=list)
    apply_efficiency: bool = False
    systematics: list[SystematicSpec] = Field(default_factory=list)
    reference: str = ""

    @model_validator(mode="after")
    def _shape_fields(self) -> BackgroundSpec:
        if self.counts is not None and self.rate is not None:
            raise ValueError("give counts or rate, not both")
        if self.shape in ("events", "template") and self.table is None:
            raise ValueError(f"shape {self.shape!r} needs a table")
        if self.shape not in ("events", "template") and self.table is not None:
            raise ValueError(f"shape {self.shape!r} takes no table (factors for 'separable')")
        if (self.shape == "histogram") != (self.histogram is not None):
            raise ValueError("shape 'histogram' goes with a histogram = { file = ... } entry")
        if self.shape == "separable" and not self.factors:
            raise ValueError("shape 'separable' needs factors, one per axis")
        if self.shape != "separable" and self.factors:
            raise ValueError(f"shape {self.shape!r} takes no factors")
        axes = [f.axis for f in self.factors]
        require_distinct(axes, "the axes of the factors")
        if self.shape == "flat" and self.counts is None and self.rate is None:
            raise ValueError("a flat background needs counts or rate")
        for systematic in self.systematics:
            if systematic.kind != "template":
                raise ValueError(
                    f"systematic {systematic.parameter!r}: a background takes template "
                    "systematics only"
                )
        return self


class PublishedValue(StrictModel):
    """A published number with its (symmetric or asymmetric) uncertainty."""

    value: float = Field(allow_inf_nan=False)
    error: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    error_low: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    error_high: float | None = Field(default=None, ge=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _errors(self) -> PublishedValue:
        if self.error is not None and (self.error_low is not None or self.error_high is not None):
            raise ValueError("give error, or error_low and error_high, not both")
        if (self.error_low is None) != (self.error_high is None):
            raise ValueError("give both error_low and error_high")
        return self

    @property
    def errors(self) -> tuple[float, float] | None:
        """(lower, upper) uncertainty, or None when the value has none."""
        if self.error is not None:
            return (self.error, self.error)
        if self.error_low is not None and self.error_high is not None:
            return (self.error_low, self.error_high)
        return None


def published_json(
    published: dict[str, PublishedValue | float | str],
) -> dict[str, float | str | dict[str, float]]:
    """Published numbers as plain JSON values (a value with errors as a mapping of
    ``value``, ``error_low`` and ``error_high``)."""
    result: dict[str, float | str | dict[str, float]] = {}
    for key, value in published.items():
        if isinstance(value, PublishedValue):
            entry = {"value": value.value}
            if value.errors is not None:
                entry["error_low"], entry["error_high"] = value.errors
            result[key] = entry
        else:
            result[key] = value
    return result


__all__ = ["BackgroundSpec", "FactorSpec", "PublishedValue", "RateSpec", "published_json"]
