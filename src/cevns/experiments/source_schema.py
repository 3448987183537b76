"""The ``[source]`` part of an experiment document (validated by pydantic): pion decay at
rest with its pulse or tabulated arrival times, reactors, lines, tabulated spectra, the
Sun, the atmosphere, the diffuse supernova background and supernova bursts (built in,
simulated, or a snewpy model). :class:`~cevns.experiments.schema.ExperimentSpec` holds one
of them (``SourceSpec``, discriminated by ``kind``)."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from cevns.experiments.analysis_schema import StrictModel, TableSpec, require_distinct
from cevns.experiments.quantity_fields import (
    LineEnergy,
    PositiveEnergy,
    PositiveFloat,
    PositivePower,
    PulseWidth,
)
from cevns.quantities import Time


class GaussianPulseSpec(StrictModel):
    """A Gaussian proton pulse with ``mean`` and either ``fwhm`` or ``sigma`` (times)."""

    shape: Literal["gaussian"] = "gaussian"
    mean: Time = 0.0
    fwhm: PulseWidth | None = None
    sigma: PulseWidth | None = None

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


class ArrivalTimesSpec(StrictModel):
    """Measured or simulated neutrino arrival-time densities, where a release gives them
    instead of a pulse shape: a table with a ``time`` column (in ``unit``) and one column
    per flavour it replaces (``nu_mu``, ``nu_e``, ``nu_mu_bar``); linear in between,
    normalised to unit area. Flavours without a column keep the pulse model."""

    table: TableSpec
    unit: Literal["ns", "us"] = "us"

    @model_validator(mode="after")
    def _columns(self) -> ArrivalTimesSpec:
        flavours = {"nu_mu", "nu_e", "nu_mu_bar"}
        if "time" not in self.table.columns:
            raise ValueError("the arrival-time table needs a 'time' column")
        if not flavours & set(self.table.columns):
            raise ValueError("the arrival-time table needs a column nu_mu, nu_e or nu_mu_bar")
        return self


class PionDecayAtRestSpec(StrictModel):
    """Stopped-pion neutrinos (ν_μ line, ν_e and ν̄_μ Michel spectra) from a facility."""

    kind: Literal["pion-decay-at-rest"]
    facility: str = "sns-fts"
    neutrinos_per_proton_per_flavor: PositiveFloat | str | None = None
    pulse: GaussianPulseSpec | None = None
    arrival_times: ArrivalTimesSpec | None = None
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
    energy: LineEnergy
    flavor: str = "nu_e"
    neutrinos_per_unit: PositiveFloat = 1.0
    reference: str = ""


class TabulatedSourceSpec(StrictModel):
    """A spectrum from a table: an ``energy`` column (in ``energy_unit``) and one column per
    flavour it emits (``nu_e``, ``nu_mu_bar``, …) holding dN/dE in neutrinos per second per
    ``energy_unit``; linear between rows (:class:`cevns.sources.TabulatedSource`). The
    exposure is a ``time``."""

    kind: Literal["tabulated"]
    table: TableSpec
    energy_unit: Literal["keV", "MeV"] = "MeV"
    reference: str = ""

    @model_validator(mode="after")
    def _columns(self) -> TabulatedSourceSpec:
        flavours = {"nu_e", "nu_mu", "nu_tau", "nu_e_bar", "nu_mu_bar", "nu_tau_bar"}
        if "energy" not in self.table.columns:
            raise ValueError("a tabulated source needs an 'energy' column")
        unknown = sorted(set(self.table.columns) - flavours - {"energy"})
        if unknown:
            raise ValueError(
                f"columns {unknown} are not flavours; allowed: energy, "
                f"{', '.join(sorted(flavours))}"
            )
        if not flavours & set(self.table.columns):
            raise ValueError("a tabulated source needs at least one flavour column")
        return self


class SolarSpec(StrictModel):
    """Solar neutrinos (:class:`cevns.sources.SolarNeutrinos`): a standard solar ``model``
    (``B16-GS98``, ``B16-AGSS09met``), its ``components`` (default all: pp, pep, hep, 7Be, 8B,
    13N, 15O, 17F) and the ``oscillation`` (``msw-lma`` or ``none``). The exposure is a
    ``time`` (or a mass × time ``exposure``); ``detector.distance`` defaults to 1 AU."""

    kind: Literal["solar"]
    model: str = "B16-GS98"
    components: list[str] | None = None
    oscillation: Literal["msw-lma", "none"] = "msw-lma"
    reference: str = ""

    @field_validator("model")
    @classmethod
    def _known_model(cls, value: str) -> str:
        from cevns.sources.solar import solar_model_names

        if value not in solar_model_names():
            raise ValueError(
                f"unknown solar model {value!r}; allowed: {', '.join(solar_model_names())}"
            )
        return value

    @field_validator("components")
    @classmethod
    def _known_components(cls, value: list[str] | None) -> list[str] | None:
        from cevns.sources.solar import COMPONENT_NAMES

        if value is None:
            return value
        if not value:
            raise ValueError(f"give at least one of {', '.join(COMPONENT_NAMES)}, or leave it out")
        unknown = [name for name in value if name not in COMPONENT_NAMES]
        if unknown:
            raise ValueError(
                f"unknown solar component {unknown[0]!r}; allowed: {', '.join(COMPONENT_NAMES)}"
            )
        require_distinct(value, "solar components")
        return value


class AtmosphericSpec(StrictModel):
    """Low-energy atmospheric neutrinos (:class:`cevns.sources.atmospheric.
    AtmosphericNeutrinos`, FLUKA tables) at a ``site`` (``kamioka``). The exposure is a
    ``time`` (or ``exposure``); the flux is given at the detector (no distance)."""

    kind: Literal["atmospheric"]
    site: Literal["kamioka"] = "kamioka"
    reference: str = ""


class DsnbSpec(StrictModel):
    """The diffuse supernova neutrino background (:class:`cevns.sources.dsnb.
    DiffuseSupernovaBackground`); ``temperatures`` overrides Fermi–Dirac temperatures per
    flavour (energies, e.g. ``nu_e_bar = "6 MeV"``). The flux is given at the detector."""

    kind: Literal["dsnb"]
    temperatures: dict[str, PositiveEnergy] | None = None
    reference: str = ""

    @field_validator("temperatures")
    @classmethod
    def _flavours(cls, value: dict | None) -> dict | None:
        flavours = ("nu_e", "nu_mu", "nu_tau", "nu_e_bar", "nu_mu_bar", "nu_tau_bar")
        unknown = sorted(set(value or {}) - set(flavours))
        if unknown:
            raise ValueError(f"unknown flavour {unknown[0]!r}; allowed: {', '.join(flavours)}")
        return value


class SupernovaFlavorSpec(StrictModel):
    """One flavour of the benchmark burst: emitted energy (erg), mean energy, pinching α."""

    total_energy_erg: PositiveFloat
    mean_energy: PositiveEnergy
    alpha: float = Field(default=2.3, gt=-1)


class SnewpySpec(StrictModel):
    """A supernova model of snewpy (:mod:`cevns.sources.snewpy_models`): ``loader`` is a
    class of ``snewpy.models.ccsn_loaders`` (``Nakazato_2013``, ``Bollig_2016``, …), ``file``
    the model file (resolved against the document's folder, then the data directory; for
    the Garching loaders the file stem), ``options`` further keyword arguments (``eos``)."""

    loader: str = Field(min_length=1)
    file: str = Field(min_length=1)
    options: dict[str, str | float | int] = Field(default_factory=dict)


class SupernovaSpec(StrictModel):
    """A core-collapse supernova burst (:mod:`cevns.sources.supernova`): ``model`` is the
    ``benchmark`` burst (3e53 erg, ⟨E⟩ = 12/15/18 MeV, α = 2.3; any flavour overridable in
    ``emission``, e.g. ``nu_e_bar = {total_energy_erg = 5e52, mean_energy = "14 MeV"}``) with
    the emission times of ``time_profile``, or a simulated burst (``garching-s27.0c-LS220``,
    ``garching-s11.2c-LS220``) with its own spectra and times. The exposure is ``bursts``
    (1); ``detector.distance`` defaults to 10 kpc; time bins (``binning.time_edges`` in
    ``ms`` or ``s``, t = 0 at bounce) give the burst's time profile."""

    kind: Literal["supernova"]
    model: Literal["benchmark", "garching-s27.0c-LS220", "garching-s11.2c-LS220"] = "benchmark"
    emission: dict[str, SupernovaFlavorSpec] | None = None
    time_profile: Literal["garching-s27.0c-LS220", "garching-s11.2c-LS220", "none"] = (
        "garching-s27.0c-LS220"
    )
    snewpy: SnewpySpec | None = None
    reference: str = ""

    @model_validator(mode="after")
    def _benchmark_only(self) -> SupernovaSpec:
        flavours = ("nu_e", "nu_mu", "nu_tau", "nu_e_bar", "nu_mu_bar", "nu_tau_bar")
        unknown = sorted(set(self.emission or {}) - set(flavours))
        if unknown:
            raise ValueError(
                f"emission: unknown flavour {unknown[0]!r}; allowed: {', '.join(flavours)}"
            )
        if self.snewpy is not None and (self.model != "benchmark" or self.emission is not None):
            raise ValueError(
                "snewpy gives the whole burst: leave model and emission out when it is given"
            )
        if self.model != "benchmark" and self.emission is not None:
            raise ValueError(
                f"emission overrides the benchmark burst only; model {self.model!r} has its "
                "own spectra (remove emission or use model = 'benchmark')"
            )
        return self


#: Source kinds whose flux is given at the detector: it sits at 1 AU by convention (the
#: Sun's real distance; for the diffuse backgrounds only the reference of the convention);
#: a supernova defaults to 10 kpc.
DEFAULT_DISTANCE_BY_KIND = {
    "solar": "1 AU",
    "atmospheric": "1 AU",
    "dsnb": "1 AU",
    "supernova": "10 kpc",
}
#: Of those, the kinds without any distance: detector.distance must be left out (or 1 AU).
DIFFUSE_KINDS = ("atmospheric", "dsnb")

SourceSpec = Annotated[
    PionDecayAtRestSpec
    | ReactorSpec
    | MonochromaticSpec
    | TabulatedSourceSpec
    | SolarSpec
    | AtmosphericSpec
    | DsnbSpec
    | SupernovaSpec,
    Field(discriminator="kind"),
]
