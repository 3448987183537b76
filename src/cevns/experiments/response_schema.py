"""The ``[response]`` and ``[binning]`` parts of a document, and the checks that the
response fits the observable (quantity kinds).

keVnr, keVee and PE are distinct quantities (docs/detectors.md, "Quantity kinds"): a
recoil-energy observable takes the identity quenching only; photoelectron bins need a light
yield and energy bins refuse one; per-element quenchings must name nuclei of the target and
cover it; response systematics obey the same rules; recoil templates are the whole response
and go with template bins. :func:`response_kind_problems` lists every problem with its
location, for :class:`~cevns.experiments.schema.ExperimentSpec` to report each at its field.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator, model_validator

from cevns.detectors.specs import (
    KINDS_BY_OBSERVABLE,
    EnergyEfficiencySpec,
    QuenchingSpec,
    SmearingSpec,
    TimeEfficiencySpec,
    unit_kind,
    units_of_kinds,
)
from cevns.experiments.analysis_schema import StrictModel
from cevns.experiments.quantity_fields import Edge, PositiveFloat
from cevns.experiments.template_schema import RecoilTemplatesSpec
from cevns.nuclear.materials import get_material

if TYPE_CHECKING:
    from cevns.experiments.analysis_schema import AnalysisSpec


_KIND_NAMES = {
    "photoelectrons": "a photoelectron count",
    "recoil": "a nuclear-recoil energy",
    "electron-equivalent": "an electron-equivalent energy",
    "energy": "an energy",
}


def kind_problem(unit: str, observable: str) -> str | None:
    """Why ``unit`` cannot measure ``observable`` (None when it can)."""
    kind = unit_kind(unit)
    allowed = KINDS_BY_OBSERVABLE[observable]
    if kind in allowed:
        return None
    return (
        f"unit {unit!r} is {_KIND_NAMES[kind]}, but binning.observable is {observable}; "
        f"allowed: {', '.join(units_of_kinds(allowed))}"
    )


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
            problem = kind_problem(self.observable_unit, self.observable)
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
        problem = kind_problem(unit, observable)
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


def response_kind_problems(
    response: ResponseSpec,
    binning: BinningSpec,
    material_name: str,
    analysis: AnalysisSpec | None,
) -> list[tuple[tuple, str, object]]:
    """Every (location, message, value) where the response does not fit the observable.

    Kinds: keVnr, keVee and PE are distinct quantities (docs/detectors.md, "Quantity
    kinds"); a recoil-energy observable takes the identity quenching only; photoelectron
    bins need a light yield and energy bins refuse one; the per-element quenching must
    name nuclei of the target and cover it; response systematics obey the same rules.
    """
    observable = binning.observable
    if observable == "template-bins" or response.recoil_templates is not None:
        return _template_problems(response, binning, analysis)
    problems: list[tuple[tuple, str, object]] = []
    problems += _quenching_problems(("response", "quenching"), response.quenching, observable)
    material = get_material(material_name)
    isotopes = [(iso.name, iso.symbol) for iso in material.isotopes]
    by_element = response.quenching_by_element or {}
    names = sorted({symbol for _, symbol in isotopes}) + [name for name, _ in isotopes]
    for key, quenching in by_element.items():
        if key not in names:
            problems.append(
                (
                    ("response", "quenching_by_element", key),
                    f"{key!r} is not an element or isotope of {material_name}; "
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
    if analysis is not None:
        covered = bool(by_element) and not uncovered
        for index, systematic in enumerate(analysis.signal.systematics):
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


def _template_problems(
    response: ResponseSpec, binning: BinningSpec, analysis: AnalysisSpec | None
) -> list[tuple[tuple, str, object]]:
    """Recoil templates are the whole response and define the bins: they go with
    ``binning.observable = "template-bins"`` and nothing else of the response chain, and
    the analysis names the templates' axes (not ``observable`` or ``time``)."""
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


__all__ = [
    "BinningSpec",
    "ObservableKind",
    "ResponseSpec",
    "kind_problem",
    "response_kind_problems",
]
