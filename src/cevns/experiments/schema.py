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

from itertools import pairwise
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

from cevns.detectors.specs import (
    KINDS_BY_OBSERVABLE,
    EnergyEfficiencySpec,
    QuenchingSpec,
    SmearingSpec,
    TimeEfficiencySpec,
    unit_kind,
    units_of_kinds,
)
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
    Edge,
    PositiveEnergy,
    PositiveFloat,
    PositivePower,
    PositiveTime,
)
from cevns.experiments.source_schema import (
    DEFAULT_DISTANCE_BY_KIND,
    DIFFUSE_KINDS,
    SourceSpec,
)
from cevns.experiments.template_schema import RecoilTemplatesSpec
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


class ResponseSpec(StrictModel):
    """Detector response: quenching, light yield (PE per keVee), smearing, efficiencies.

    ``quenching`` maps a nuclear recoil energy to the electron-equivalent energy. It
    defaults to the identity (E_ee = T), which is what a recoil-energy observable needs
    (and the only quenching such an observable accepts); photoelectron and
    electron-equivalent observables must give their quenching explicitly.

    ``quenching_by_element`` gives a quenching per nucleus of a compound target, keyed by
    element symbol (``Na``, ``I``: every isotope of the element) or isotope name
    (``I127``; overrides its element's entry), e.g. ``[response.quenching_by_element]``
    with ``Na = {model = "constant", factor = 0.11}`` and ``I = {...}``. The engine applies
    each to the recoils of its isotopes; isotopes without an entry take ``quenching``,
    which must then be given explicitly.

    ``recoil_templates`` replaces the whole chain by mono-energetic nuclear-recoil templates
    (a dark-matter detector's released response, :mod:`cevns.detectors.recoil_templates`);
    the binning is then ``observable = "template-bins"``.
    """

    quenching: QuenchingSpec = Field(
        default={"model": "constant", "factor": 1.0}, validate_default=True
    )
    quenching_by_element: dict[str, QuenchingSpec] | None = None
    light_yield_pe_per_kevee: PositiveFloat | None = None
    smearing: SmearingSpec = Field(default={"model": "none"}, validate_default=True)
    energy_efficiency: EnergyEfficiencySpec = Field(
        default={"model": "unit"}, validate_default=True
    )
    time_efficiency: TimeEfficiencySpec = Field(default={"model": "unit"}, validate_default=True)
    recoil_templates: RecoilTemplatesSpec | None = None
    reference: str = ""

    @field_validator("quenching_by_element")
    @classmethod
    def _not_empty(cls, value: dict | None) -> dict | None:
        if value is not None and not value:
            raise ValueError("give at least one element (e.g. Na = {...}), or leave it out")
        return value

    def quenching_key_for(self, isotope: str, symbol: str) -> str | None:
        """The ``quenching_by_element`` key that applies to ``isotope`` (None: the common
        ``quenching``)."""
        table = self.quenching_by_element or {}
        if isotope in table:
            return isotope
        if symbol in table:
            return symbol
        return None


ObservableKind = Literal[
    "photoelectrons", "electron-equivalent-energy", "recoil-energy", "template-bins"
]

_KIND_NAMES = {
    "photoelectrons": "a photoelectron count",
    "recoil": "a nuclear-recoil energy",
    "electron-equivalent": "an electron-equivalent energy",
    "energy": "an energy",
}


def _kind_problem(unit: str, observable: str) -> str | None:
    """Why ``unit`` cannot measure ``observable`` (None when it can)."""
    kind = unit_kind(unit)
    allowed = KINDS_BY_OBSERVABLE[observable]
    if kind in allowed:
        return None
    return (
        f"unit {unit!r} is {_KIND_NAMES[kind]}, but binning.observable is {observable}; "
        f"allowed: {', '.join(units_of_kinds(allowed))}"
    )


class BinningSpec(StrictModel):
    """Observable bins (PE, or energies in ``observable_unit``) and optional time bins.

    ``observable = "template-bins"``: the bins are those of the response's recoil
    templates (no edges here; the ``[analysis]`` axes name them).

    The unit's kind must match the observable: ``keVnr`` (nuclear recoil) for
    ``recoil-energy``, ``keVee`` (electron-equivalent) for ``electron-equivalent-energy``;
    the plain ``keV``, ``eV``, ``MeV`` take the observable's kind.
    """

    observable: ObservableKind
    observable_edges: list[Edge] | None = Field(default=None, min_length=2)
    observable_unit: Literal["keVee", "keVnr", "keV", "eV", "MeV"] | None = None
    time_edges: list[Edge] | None = Field(default=None, min_length=2)
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
        if self.observable == "template-bins":
            if self.observable_edges is not None or self.observable_unit is not None:
                raise ValueError(
                    "template-bins take their bins from response.recoil_templates; remove "
                    "observable_edges and observable_unit"
                )
            return self
        if self.observable_edges is None:
            raise ValueError(f"{self.observable} bins need observable_edges")
        if self.observable == "photoelectrons" and self.observable_unit is not None:
            raise ValueError("photoelectron bins have no unit; remove observable_unit")
        if self.observable != "photoelectrons" and self.observable_unit is None:
            raise ValueError(f"{self.observable} bins need observable_unit (e.g. keVee)")
        if self.observable_unit is not None:
            problem = _kind_problem(self.observable_unit, self.observable)
            if problem is not None:
                raise ValueError(f"observable_unit: {problem}")
        return self


def _component_problems(
    where: tuple, component: SmearingSpec | EnergyEfficiencySpec, observable: str
) -> list[tuple[tuple, str, object]]:
    """Kind problems of a smearing or efficiency spec on ``observable``: units of the
    wrong kind, or a model that describes another observable."""
    problems: list[tuple[tuple, str, object]] = []
    allowed = getattr(component, "observables", None)
    if allowed is not None and observable not in allowed:
        problems.append(
            (
                (*where, "model"),
                f"model {component.model!r} describes {' or '.join(allowed)}, but "
                f"binning.observable is {observable}",
                component.model,
            )
        )
    for field, unit in component.observable_units().items():
        problem = _kind_problem(unit, observable)
        if problem is not None:
            problems.append(((*where, field), problem, unit))
    return problems


def _quenching_problems(
    where: tuple, quenching: QuenchingSpec, observable: str
) -> list[tuple[tuple, str, object]]:
    if observable == "recoil-energy" and not quenching.is_identity:
        return [
            (
                (*where, "model"),
                f"a recoil-energy observable takes no quenching (its bins are nuclear recoil "
                f"energies, E = T); got model {quenching.model!r}: remove it, or bin in "
                "electron-equivalent-energy",
                quenching.model,
            )
        ]
    return []


def response_kind_problems(document: ExperimentSpec) -> list[tuple[tuple, str, object]]:
    """Every (location, message, value) where the response does not fit the observable.

    Kinds: keVnr, keVee and PE are distinct quantities (docs/detectors.md, "Quantity
    kinds"); a recoil-energy observable takes the identity quenching only; photoelectron
    bins need a light yield and energy bins refuse one; the per-element quenching must
    name nuclei of the target and cover it; response systematics obey the same rules.
    """
    observable = document.binning.observable
    response = document.response
    if observable == "template-bins" or response.recoil_templates is not None:
        return _template_problems(document)
    problems: list[tuple[tuple, str, object]] = []
    problems += _quenching_problems(("response", "quenching"), response.quenching, observable)
    material = get_material(document.detector.material)
    isotopes = [(iso.name, iso.symbol) for iso in material.isotopes]
    by_element = response.quenching_by_element or {}
    names = sorted({symbol for _, symbol in isotopes}) + [name for name, _ in isotopes]
    for key, quenching in by_element.items():
        if key not in names:
            problems.append(
                (
                    ("response", "quenching_by_element", key),
                    f"{key!r} is not an element or isotope of {document.detector.material}; "
                    f"allowed: {', '.join(names)}",
                    key,
                )
            )
        problems += _quenching_problems(
            ("response", "quenching_by_element", key), quenching, observable
        )
    uncovered = [
        name for name, symbol in isotopes if response.quenching_key_for(name, symbol) is None
    ]
    explicit = "quenching" in response.model_fields_set
    if by_element and uncovered and not explicit:
        problems.append(
            (
                ("response", "quenching_by_element"),
                f"no quenching for {', '.join(uncovered)}; give one per element "
                f"({', '.join(sorted({s for _, s in isotopes}))}) or a common "
                "response.quenching",
                sorted(by_element),
            )
        )
    if observable != "recoil-energy" and not explicit and not by_element:
        problems.append(
            (
                ("response", "quenching"),
                f"the {observable} observable needs the quenching of nuclear recoils; the "
                "default is the identity E_ee = T, meant for recoil-energy bins (write "
                'model = "constant", factor = 1.0 if that is intended)',
                None,
            )
        )
    light_yield = response.light_yield_pe_per_kevee
    if observable == "photoelectrons" and light_yield is None:
        problems.append(
            (
                ("response", "light_yield_pe_per_kevee"),
                "photoelectron bins need a light yield (PE per keVee); got none",
                None,
            )
        )
    if observable != "photoelectrons" and light_yield is not None:
        problems.append(
            (
                ("response", "light_yield_pe_per_kevee"),
                f"a light yield makes the observable a photoelectron count, but "
                f"binning.observable is {observable}; remove it or bin in photoelectrons",
                light_yield,
            )
        )
    for name in ("smearing", "energy_efficiency"):
        problems += _component_problems(("response", name), getattr(response, name), observable)
    if document.analysis is not None:
        covered = bool(by_element) and not uncovered
        for index, systematic in enumerate(document.analysis.signal.systematics):
            if systematic.kind != "response":
                continue
            for side in ("up", "down"):
                change = getattr(systematic, side)
                if change is None:
                    continue
                where = ("analysis", "signal", "systematics", index, side)
                if change.quenching is not None:
                    problems += _quenching_problems(
                        (*where, "quenching"), change.quenching, observable
                    )
                    if covered:
                        problems.append(
                            (
                                (*where, "quenching"),
                                "response.quenching_by_element sets the quenching of every "
                                "nucleus, so a change of the common quenching would change "
                                "nothing",
                                change.quenching.model,
                            )
                        )
                for name in ("smearing", "energy_efficiency"):
                    component = getattr(change, name)
                    if component is not None:
                        problems += _component_problems((*where, name), component, observable)
                if change.light_yield_pe_per_kevee is not None and observable != "photoelectrons":
                    problems.append(
                        (
                            (*where, "light_yield_pe_per_kevee"),
                            f"a light yield belongs to photoelectron bins; binning.observable "
                            f"is {observable}",
                            change.light_yield_pe_per_kevee,
                        )
                    )
    return problems


def _template_problems(document: ExperimentSpec) -> list[tuple[tuple, str, object]]:
    """Recoil templates are the whole response and define the bins: they go with
    ``binning.observable = "template-bins"`` and nothing else of the response chain, and
    the analysis names the templates' axes (not ``observable`` or ``time``)."""
    response, binning = document.response, document.binning
    if response.recoil_templates is None:
        return [
            (
                ("response", "recoil_templates"),
                "binning.observable = 'template-bins' needs response.recoil_templates (the "
                "mono-energetic templates that define the bins)",
                None,
            )
        ]
    if binning.observable != "template-bins":
        return [
            (
                ("binning", "observable"),
                "response.recoil_templates define the bins: write observable = "
                f"'template-bins' (got {binning.observable!r})",
                binning.observable,
            )
        ]
    problems: list[tuple[tuple, str, object]] = []
    chain = ("quenching", "quenching_by_element", "light_yield_pe_per_kevee", "smearing",
             "energy_efficiency", "time_efficiency")  # fmt: skip
    for name in chain:
        if name in response.model_fields_set:
            problems.append(
                (
                    ("response", name),
                    "response.recoil_templates already hold the whole response (detection "
                    f"efficiency per bin); remove {name}",
                    None,
                )
            )
    if binning.time_edges is not None:
        problems.append((("binning", "time_edges"), "template-bins have no time bins", None))
    analysis = document.analysis
    if analysis is not None:
        names = [a.name for a in analysis.axes or []]
        if not names:
            problems.append(
                (
                    ("analysis", "axes"),
                    "template-bins need analysis.axes: the templates' axes, with their edges",
                    None,
                )
            )
        for name in ("observable", "time"):
            if name in names:
                problems.append(
                    (
                        ("analysis", "axes"),
                        f"template-bins have no {name!r} axis; name the templates' axes",
                        name,
                    )
                )
        for index, systematic in enumerate(analysis.signal.systematics):
            if systematic.kind == "response":
                problems.append(
                    (
                        ("analysis", "signal", "systematics", index, "kind"),
                        "response systematics change the response chain, which recoil "
                        "templates replace; give the templates a grid instead",
                        systematic.kind,
                    )
                )
        if analysis.signal.spread is not None:
            problems.append(
                (
                    ("analysis", "signal", "spread"),
                    "the recoil templates already spread the signal over every axis",
                    None,
                )
            )
    return problems


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
        problems = response_kind_problems(self)
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
