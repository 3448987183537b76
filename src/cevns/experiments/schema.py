"""The schema of an experiment description (a TOML file), validated by pydantic.

An experiment is a neutrino source with its exposure, a detector (material, mass,
distance), a detector response, an observable binning (energy-like × time) and optional
background components. Every dimensional number is a string with its unit
(``mass = "14.6 kg"``); :mod:`cevns.quantities` refuses a missing or wrong unit. Unknown
keys are refused, so a typo cannot silently fall back to a default.

The parsed model keeps internal-unit floats. :func:`describe` turns it back into plain
numbers in display units for ``cevns experiment show``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from cevns.errors import CevnsInputError
from cevns.experiments.analysis_schema import (
    SCHEMA_VERSION,
    AnalysisSpec,
    Name,
    StrictModel,
    require_distinct,
)
from cevns.experiments.background_schema import (
    BackgroundSpec,
    PublishedValue,
    published_json,
)
from cevns.experiments.inelastic_schema import InelasticSpec
from cevns.experiments.quantity_fields import (
    DetectorDistance,
    DetectorMass,
    PositiveEnergy,
    PositiveFloat,
    PositivePower,
    PositiveTime,
)
from cevns.experiments.response_schema import BinningSpec, ResponseSpec, response_kind_problems
from cevns.experiments.source_schema import (
    DEFAULT_DISTANCE_BY_KIND,
    DIFFUSE_KINDS,
    SourceSpec,
)
from cevns.nuclear.materials import get_material
from cevns.quantities import (
    BeamEnergy,
    Exposure,
)


class ExposureSpec(StrictModel):
    """How much source: give exactly one form.

    * ``protons_on_target`` (a number);
    * ``beam_energy`` (integrated, e.g. ``"13.99 GWh"``) with ``proton_kinetic_energy``;
    * ``power`` with ``time`` (and ``proton_kinetic_energy`` for an accelerator);
    * ``time`` alone, for sources counted per second (reactors) or for an accelerator at its
      facility's nominal power;
    * ``exposure`` alone (detector mass × time, ``"1.17 t yr"``), for sources counted per
      second: the time is the exposure over ``detector.mass`` (dark-matter releases quote
      exposures, and give background rates per t·yr);
    * ``bursts`` (a number, usually 1) for a supernova source.
    """

    protons_on_target: PositiveFloat | None = None
    beam_energy: Annotated[BeamEnergy, Field(gt=0)] | None = None
    proton_kinetic_energy: PositiveEnergy | None = None
    power: PositivePower | None = None
    time: PositiveTime | None = None
    exposure: Annotated[Exposure, Field(gt=0)] | None = None
    bursts: PositiveFloat | None = None
    reference: str = ""

    @model_validator(mode="after")
    def _one_form(self) -> ExposureSpec:
        forms = [
            self.protons_on_target is not None,
            self.beam_energy is not None,
            self.power is not None,
            self.exposure is not None,
            self.bursts is not None,
        ]
        if self.exposure is not None and self.time is not None:
            raise ValueError("give exposure (mass × time) or time, not both")
        if self.bursts is not None and self.time is not None:
            raise ValueError("give bursts (a supernova) or time, not both")
        if sum(forms) > 1:
            raise ValueError(
                "give only one of protons_on_target, beam_energy, power, exposure, bursts"
            )
        if not any(forms) and self.time is None:
            raise ValueError(
                "give protons_on_target, beam_energy, power with time, time, or bursts"
            )
        if self.power is not None and self.time is None:
            raise ValueError("power needs a time")
        return self


class DetectorSpec(StrictModel):
    """Target material (name or formula), its mass and the distance from the source."""

    material: str
    mass: DetectorMass
    distance: DetectorDistance
    reference: str = ""

    @field_validator("material")
    @classmethod
    def _known_material(cls, value: str) -> str:
        try:
            get_material(value)
        except CevnsInputError as error:
            raise ValueError(str(error)) from None
        return value


class ExperimentSpec(StrictModel):
    """A whole experiment document: the experiment, and optionally its analysis."""

    schema_version: Literal[1] = SCHEMA_VERSION
    name: Name
    title: str = ""
    reference: str = ""
    kind: Literal["measurement", "projection"] = "measurement"
    source: SourceSpec
    exposure: ExposureSpec
    detector: DetectorSpec
    response: ResponseSpec
    binning: BinningSpec
    form_factor: Literal["helm", "klein-nystrand", "symmetrized-fermi", "none"] = "helm"
    backgrounds: list[BackgroundSpec] = Field(default_factory=list)
    analysis: AnalysisSpec | None = None
    inelastic: InelasticSpec | None = None
    published: dict[str, PublishedValue | float | str] = Field(default_factory=dict)
    notes: str = ""

    _folder: Path | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _default_distance(cls, data: object) -> object:
        # A solar (or diffuse) source's detector sits at 1 AU unless the document says.
        if isinstance(data, dict) and isinstance(data.get("source"), dict):
            default = DEFAULT_DISTANCE_BY_KIND.get(data["source"].get("kind"))
            detector = data.get("detector")
            if default and isinstance(detector, dict) and "distance" not in detector:
                data = {**data, "detector": {**detector, "distance": default}}
        return data

    @model_validator(mode="after")
    def _diffuse_has_no_distance(self) -> ExperimentSpec:
        from cevns.sources.base import DETECTOR_DISTANCE

        kind = self.source.kind
        if kind in DIFFUSE_KINDS and abs(self.detector.distance / DETECTOR_DISTANCE - 1) > 1e-9:
            raise ValueError(
                f"detector.distance: a {kind} flux is given at the detector and has no "
                "distance; leave detector.distance out (or write '1 AU')"
            )
        return self

    @property
    def folder(self) -> Path | None:
        """The folder of the file this document was read from (None for presets): relative
        paths in it resolve there first, then in the data directory."""
        return self._folder

    def with_folder(self, folder: Path | None) -> ExperimentSpec:
        """This document, remembering the folder it was read from."""
        self._folder = folder
        return self

    @model_validator(mode="after")
    def _response_fits_the_observable(self) -> ExperimentSpec:
        # Raised as a ValidationError so that each problem keeps its own location
        # (``response.energy_efficiency.unit``, …) in the one-line message.
        problems = response_kind_problems(
            self.response, self.binning, self.detector.material, self.analysis
        )
        if problems:
            raise ValidationError.from_exception_data(
                "ExperimentSpec",
                [
                    InitErrorDetails(
                        type=PydanticCustomError("response_kind", "{message}", {"message": m}),
                        loc=location,
                        input=value,
                    )
                    for location, m, value in problems
                ],
            )
        return self

    @model_validator(mode="after")
    def _observable_axis(self) -> ExperimentSpec:
        axes = self.analysis.axes if self.analysis is not None else None
        templated = self.binning.observable == "template-bins"
        if axes is not None and not templated and "observable" not in [a.name for a in axes]:
            raise ValueError(
                "analysis.axes must include the experiment's observable axis 'observable'"
            )
        return self

    @model_validator(mode="after")
    def _asimov_only_in_projections(self) -> ExperimentSpec:
        # Asimov data are the model's own expectation: a measurement must name its data.
        samples = self.analysis.samples if self.analysis is not None else []
        asimov = [s.name for s in samples if s.data == "asimov"]
        if asimov and self.kind != "projection":
            raise ValueError(
                f"analysis.samples.{asimov[0]}.data: 'asimov' (the expected counts as data) "
                f"belongs to kind = 'projection' documents; this one is kind = {self.kind!r}"
            )
        return self

    @model_validator(mode="after")
    def _inelastic_channels_exist(self) -> ExperimentSpec:
        # Each inelastic channel must have a target among the detector's isotopes.
        if self.inelastic is not None:
            material = get_material(self.detector.material)
            isotopes = [iso.name for iso in material.isotopes]
            try:
                self.inelastic.channel_names(isotopes, self.detector.material)
            except CevnsInputError as error:
                message = {"message": str(error).removeprefix("inelastic.channels: ")}
                raise ValidationError.from_exception_data(
                    "ExperimentSpec",
                    [
                        InitErrorDetails(
                            type=PydanticCustomError("inelastic", "{message}", message),
                            loc=("inelastic", "channels"),
                            input=self.inelastic.channels,
                        )
                    ],
                ) from None
        return self

    @model_validator(mode="after")
    def _distinct_components(self) -> ExperimentSpec:
        names = [b.name for b in self.backgrounds]
        require_distinct(names, "background names")
        signal = self.analysis.signal.name if self.analysis is not None else "cevns"
        if signal in names:
            raise ValueError(f"background {signal!r} has the signal's name")
        if self.analysis is not None:
            for sample in self.analysis.samples:
                unknown = sorted(set(sample.components or ()) - {signal, *names})
                if unknown:
                    raise ValueError(
                        f"sample {sample.name!r} names unknown components {unknown}; "
                        f"components: {[signal, *names]}"
                    )
        return self

    def published_json(self) -> dict[str, float | str | dict[str, float]]:
        """The published numbers as plain JSON values (a value with errors as a mapping of
        ``value``, ``error_low`` and ``error_high``)."""
        return published_json(self.published)

    def published_value(self, key: str) -> PublishedValue | None:
        """A published number as :class:`PublishedValue` (None if the document has none)."""
        value = self.published.get(key)
        if isinstance(value, PublishedValue):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return PublishedValue(value=float(value))
        return None
