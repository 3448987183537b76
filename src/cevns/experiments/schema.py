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

import math
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveFloat,
    field_validator,
    model_validator,
)

from cevns.detectors.specs import (
    EnergyEfficiencySpec,
    QuenchingSpec,
    SmearingSpec,
    TimeEfficiencySpec,
)
from cevns.errors import CevnsInputError
from cevns.nuclear.materials import get_material
from cevns.quantities import BeamEnergy, Energy, Length, Mass, Power, Time


class StrictModel(BaseModel):
    """Base for all schema models: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


PositiveLength = Annotated[Length, Field(gt=0)]
PositiveMass = Annotated[Mass, Field(gt=0)]
PositiveTime = Annotated[Time, Field(gt=0)]
PositiveEnergy = Annotated[Energy, Field(gt=0)]
PositivePower = Annotated[Power, Field(gt=0)]


# --- sources ------------------------------------------------------------------------------
class GaussianPulseSpec(StrictModel):
    """A Gaussian proton pulse with ``mean`` and either ``fwhm`` or ``sigma`` (times)."""

    shape: Literal["gaussian"] = "gaussian"
    mean: Time = 0.0
    fwhm: PositiveTime | None = None
    sigma: PositiveTime | None = None

    @model_validator(mode="after")
    def _one_width(self) -> GaussianPulseSpec:
        if (self.fwhm is None) == (self.sigma is None):
            raise ValueError("give exactly one of fwhm and sigma")
        return self

    @property
    def full_width_half_maximum(self) -> float:
        """FWHM = 2√(2 ln 2) σ when the width is given as σ."""
        return (
            self.fwhm if self.fwhm is not None else 2.0 * (2.0 * math.log(2.0)) ** 0.5 * self.sigma
        )


class PionDecayAtRestSpec(StrictModel):
    """Stopped-pion neutrinos (ν_μ line, ν_e and ν̄_μ Michel spectra) from a facility."""

    kind: Literal["pion-decay-at-rest"]
    facility: str = "sns-fts"
    neutrinos_per_proton_per_flavor: PositiveFloat | str | None = None
    pulse: GaussianPulseSpec | None = None
    reference: str = ""


class ReactorSpec(StrictModel):
    """Reactor antineutrinos: thermal power and fission fractions (name or mapping)."""

    kind: Literal["reactor"]
    thermal_power: PositivePower
    fission_fractions: str | dict[str, float] = "pwr-typical"
    reference: str = ""


class MonochromaticSpec(StrictModel):
    """A line of one flavour: ``energy``; ``neutrinos_per_unit`` per source unit."""

    kind: Literal["monochromatic"]
    energy: PositiveEnergy
    flavor: str = "nu_e"
    neutrinos_per_unit: PositiveFloat = 1.0
    reference: str = ""


SourceSpec = Annotated[
    PionDecayAtRestSpec | ReactorSpec | MonochromaticSpec, Field(discriminator="kind")
]


class ExposureSpec(StrictModel):
    """How much source: give exactly one form.

    * ``protons_on_target`` (a number);
    * ``beam_energy`` (integrated, e.g. ``"13.99 GWh"``) with ``proton_kinetic_energy``;
    * ``power`` with ``time`` (and ``proton_kinetic_energy`` for an accelerator);
    * ``time`` alone, for sources counted per second (reactors) or for an accelerator at its
      facility's nominal power.
    """

    protons_on_target: PositiveFloat | None = None
    beam_energy: Annotated[BeamEnergy, Field(gt=0)] | None = None
    proton_kinetic_energy: PositiveEnergy | None = None
    power: PositivePower | None = None
    time: PositiveTime | None = None
    reference: str = ""

    @model_validator(mode="after")
    def _one_form(self) -> ExposureSpec:
        forms = [
            self.protons_on_target is not None,
            self.beam_energy is not None,
            self.power is not None,
        ]
        if sum(forms) > 1:
            raise ValueError("give only one of protons_on_target, beam_energy, power")
        if not any(forms) and self.time is None:
            raise ValueError("give protons_on_target, beam_energy, power with time, or time")
        if self.power is not None and self.time is None:
            raise ValueError("power needs a time")
        return self


class DetectorSpec(StrictModel):
    """Target material (name or formula), its mass and the distance from the source."""

    material: str
    mass: PositiveMass
    distance: PositiveLength
    reference: str = ""

    @field_validator("material")
    @classmethod
    def _known_material(cls, value: str) -> str:
        try:
            get_material(value)
        except CevnsInputError as error:
            raise ValueError(str(error)) from None
        return value


class ResponseSpec(StrictModel):
    """Detector response: quenching, light yield (PE per keVee), smearing, efficiencies.

    Quenching defaults to the identity (E_ee = T), which is what a recoil-energy
    observable needs; every other observable should give its quenching explicitly.
    """

    quenching: QuenchingSpec = Field(
        default={"model": "constant", "factor": 1.0}, validate_default=True
    )
    light_yield_pe_per_kevee: PositiveFloat | None = None
    smearing: SmearingSpec = Field(default={"model": "none"}, validate_default=True)
    energy_efficiency: EnergyEfficiencySpec = Field(
        default={"model": "unit"}, validate_default=True
    )
    time_efficiency: TimeEfficiencySpec = Field(default={"model": "unit"}, validate_default=True)
    reference: str = ""


ObservableKind = Literal["photoelectrons", "electron-equivalent-energy", "recoil-energy"]


class BinningSpec(StrictModel):
    """Observable bins (PE, or energies in ``observable_unit``) and optional time bins."""

    observable: ObservableKind
    observable_edges: list[float] = Field(min_length=2)
    observable_unit: Literal["keVee", "keVnr", "keV", "eV", "MeV"] | None = None
    time_edges: list[float] | None = Field(default=None, min_length=2)
    time_unit: Literal["ns", "us", "ms", "s"] = "us"
    reference: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> BinningSpec:
        for name, edges in (
            ("observable_edges", self.observable_edges),
            ("time_edges", self.time_edges),
        ):
            if edges is not None and any(b <= a for a, b in pairwise(edges)):
                raise ValueError(f"{name} must be strictly increasing")
        if self.observable == "photoelectrons" and self.observable_unit is not None:
            raise ValueError("photoelectron bins have no unit; remove observable_unit")
        if self.observable != "photoelectrons" and self.observable_unit is None:
            raise ValueError(f"{self.observable} bins need observable_unit (e.g. keVee)")
        return self


class BackgroundSpec(StrictModel):
    """A background component: expected ``counts`` in the analysis window and its shape.

    Shapes: ``"flat"`` (uniform in observable and time); ``"events"`` (``events_file``, a
    two-column text file of observable and time values, histogrammed); ``"separable"``
    (``observable_shape_file`` × ``time_shape_file``, each two columns: bin centre,
    weight); ``"template"`` (``template_file``, rows of bin centres and a weight; the
    observable, time and weight columns are given by ``template_columns``, other columns
    such as F90 are summed over).
    File paths are relative to the data directory (``CEVNS_DATA_DIR``); a component whose
    files are missing is reported as unavailable instead of failing the prediction.
    ``uncertainty`` is the fractional 1σ of ``counts`` (used by fits).
    """

    name: str
    counts: float = Field(ge=0)
    uncertainty: float = Field(default=0.0, ge=0)
    shape: Literal["flat", "events", "separable", "template"] = "flat"
    events_file: str | None = None
    template_file: str | None = None
    template_columns: tuple[int, int, int] = (0, 1, 2)
    observable_shape_file: str | None = None
    time_shape_file: str | None = None
    time_shape_unit: Literal["ns", "us"] = "us"
    reference: str = ""

    @model_validator(mode="after")
    def _files_match_shape(self) -> BackgroundSpec:
        if self.shape == "events" and not self.events_file:
            raise ValueError("shape 'events' needs events_file")
        if self.shape == "template" and not self.template_file:
            raise ValueError("shape 'template' needs template_file")
        if self.shape == "separable" and not (self.observable_shape_file and self.time_shape_file):
            raise ValueError("shape 'separable' needs observable_shape_file and time_shape_file")
        return self


class ExperimentSpec(StrictModel):
    """A whole experiment description."""

    name: str
    title: str = ""
    reference: str = ""
    kind: Literal["measurement", "projection"] = "measurement"
    source: SourceSpec
    exposure: ExposureSpec
    detector: DetectorSpec
    response: ResponseSpec
    binning: BinningSpec
    backgrounds: list[BackgroundSpec] = Field(default_factory=list)
    published: dict[str, float | str] = Field(default_factory=dict)
    notes: str = ""
