"""Configuration specs: pydantic models that build detector components from TOML tables.

Each component is written as a table with a ``model`` key that selects the model, e.g.::

    quenching = {model = "linear", a = 0.246, b = 0.00078}
    quenching = {model = "lindhard", k = 0.1789, Z = 32, xi_kevnr = 0.16}
    smearing = {model = "gamma", a = 0.0749, b = 9.56}
    smearing = {model = "noise-fano", noise_sigma = "20 eV", fano = 0.11, pair_energy = "2.96 eV"}
    efficiency = {model = "logistic", a = 1.32045, b = 0.285979, c = 10.8646, d = -0.333322}
    time_efficiency = {model = "csi-2021", onset = "0.52 us", decay_rate_per_us = 0.0494}

:data:`QuenchingSpec`, :data:`SmearingSpec`, :data:`EnergyEfficiencySpec` and
:data:`TimeEfficiencySpec` are discriminated unions on ``model``; validate a table with
``pydantic.TypeAdapter(QuenchingSpec).validate_python(table)`` or use them as fields of a
larger model. Unknown keys, NaN or infinite numbers and unknown models are refused with a
``pydantic.ValidationError`` naming the field. ``.build()`` returns the component; bad values
that only the component can judge (a negative factor, …) raise
:class:`~cevns.errors.CevnsInputError`.

Units. Energies written as strings carry their unit (``"0.52 us"`` via
:mod:`cevns.quantities`). Parameters with the dimension of the reconstructed observable (a
threshold, the logistic midpoint ``c``, table nodes) are numbers in the spec's ``unit``:
``"PE"`` (the default: photoelectrons, dimensionless) or an energy unit such as ``"keVee"``
for an energy observable; the logistic slope ``b`` is per that unit. Each model's formula
and source are in :mod:`cevns.detectors.quenching`, :mod:`~cevns.detectors.smearing` and
:mod:`~cevns.detectors.efficiency`.

Quantity kinds. keV of nuclear recoil (``keVnr``, ``MeVnr``) and keV electron-equivalent
(``keVee``, ``MeVee``) are the same internal unit, so only the name tells them apart;
:func:`unit_kind` classifies a unit name ("photoelectrons", "recoil", "electron-equivalent",
or "energy" for the plain ``eV``/``keV``/``MeV``/``GeV``, which take the kind of the axis).
Each spec lists the units it measures the observable in (:meth:`observable_units`), and the
experiment schema refuses a unit of the wrong kind for its observable axis. The recoil
energies of a quenching table are nuclear-recoil energies: ``keVee`` is refused there.

Tables read from files (``file = "..."``): plain text, ``#`` comments and blank lines
ignored, columns separated by spaces, tabs or commas; ``*_column`` picks a column (0-based).
A relative path is resolved against the ``base_dir`` given to ``build`` (default: the working
directory); every spec's ``build`` takes that optional argument, so that a caller can pass
it to any component (the file-less ones ignore it).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, Field, model_validator

from cevns.detectors.efficiency import (
    CsI2021TimeEfficiency,
    LogisticEfficiency,
    LogisticStepEfficiency,
    TabulatedEfficiency,
    ThresholdEfficiency,
    UnitEfficiency,
    UnitTimeEfficiency,
)
from cevns.detectors.quenching import (
    ConstantQuenching,
    LindhardQuenching,
    LinearQuenching,
    PolynomialQuenching,
    TabulatedQuenching,
)
from cevns.detectors.smearing import (
    GERMANIUM_FANO_FACTOR,
    GERMANIUM_PAIR_ENERGY_EV,
    GammaSmearing,
    GaussianSmearing,
    NoiseFanoSmearing,
    NoSmearing,
    PoissonSmearing,
)
from cevns.detectors.table_files import read_columns, resolve_table_path
from cevns.quantities import UNITS_BY_DIMENSION, Energy, Time
from cevns.units import eV, keVnr, us

_ENERGY_UNITS = UNITS_BY_DIMENSION["energy"]
_OBSERVABLE_UNITS = {"PE": 1.0, **_ENERGY_UNITS}


def _unit_name(allowed: dict[str, float], kind: str) -> Callable[[str], str]:
    """A validator for a string field that must name one of ``allowed`` (reported with the
    field's name)."""

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"unknown {kind} unit {value!r}; allowed: {', '.join(allowed)}")
        return value

    return check


EnergyUnitName = Annotated[str, AfterValidator(_unit_name(_ENERGY_UNITS, "energy"))]
ObservableUnitName = Annotated[str, AfterValidator(_unit_name(_OBSERVABLE_UNITS, "observable"))]

UnitKind = Literal["photoelectrons", "recoil", "electron-equivalent", "energy"]


def unit_kind(unit: str) -> UnitKind:
    """The quantity kind a unit name stands for.

    ``"PE"`` → photoelectrons; ``keVnr``, ``MeVnr`` → recoil (energy of the recoiling
    nucleus); ``keVee``, ``MeVee`` → electron-equivalent (visible energy); the plain energy
    units (``eV``, ``keV``, ``MeV``, ``GeV``) → ``"energy"``, which takes the kind of the
    axis it is used on.
    """
    if unit == "PE":
        return "photoelectrons"
    if unit.endswith("nr"):
        return "recoil"
    if unit.endswith("ee"):
        return "electron-equivalent"
    return "energy"


#: Unit kinds allowed for each observable (binning.observable) of an experiment.
KINDS_BY_OBSERVABLE: dict[str, tuple[UnitKind, ...]] = {
    "photoelectrons": ("photoelectrons",),
    "electron-equivalent-energy": ("electron-equivalent", "energy"),
    "recoil-energy": ("recoil", "energy"),
}


def units_of_kinds(kinds: tuple[UnitKind, ...]) -> list[str]:
    """The observable unit names of the given kinds (for messages)."""
    return [name for name in _OBSERVABLE_UNITS if unit_kind(name) in kinds]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)

    #: Observables (binning.observable) this component can describe; None: any.
    observables: ClassVar[tuple[str, ...] | None] = None

    def observable_units(self) -> dict[str, str]:
        """Field name → unit name of every parameter measured in the observable's unit."""
        return {}

    @property
    def is_identity(self) -> bool:
        """True for a quenching model that is E_ee = T (only ``constant`` with factor 1)."""
        return False


# --- quenching ---------------------------------------------------------------------------


class ConstantQuenchingSpec(_Spec):
    """``{model = "constant", factor = 0.08}`` → :class:`ConstantQuenching`."""

    model: Literal["constant"]
    factor: float

    @property
    def is_identity(self) -> bool:
        return self.factor == 1.0

    def build(self, base_dir: Path | None = None) -> ConstantQuenching:
        return ConstantQuenching(self.factor)


class LindhardQuenchingSpec(_Spec):
    """``{model = "lindhard", k = 0.157, Z = 32}`` → :class:`LindhardQuenching`.

    ``xi_kevnr`` adds the adiabatic correction 1 − exp(−T/ξ) with ξ in keVnr (germanium:
    k = 0.1789, ξ = 0.16 keVnr, B. J. Scholz et al., PRD 94, 122003 (2016),
    arXiv:1608.03588).
    """

    model: Literal["lindhard"]
    k: float
    Z: int
    xi_kevnr: float | None = Field(default=None, gt=0)

    def build(self, base_dir: Path | None = None) -> LindhardQuenching:
        xi = None if self.xi_kevnr is None else self.xi_kevnr * keVnr
        return LindhardQuenching(self.k, self.Z, adiabatic_xi=xi)


class LinearQuenchingSpec(_Spec):
    """``{model = "linear", a = 0.246, b_per_kevnr = 0.00078}`` → :class:`LinearQuenching`.

    QF = a + b·T[keVnr]; the slope may be written ``b_per_kevnr`` or ``b`` (per keVnr).
    """

    model: Literal["linear"]
    a: float
    b_per_kevnr: float = Field(validation_alias=AliasChoices("b_per_kevnr", "b"))

    def build(self, base_dir: Path | None = None) -> LinearQuenching:
        return LinearQuenching(self.a, self.b_per_kevnr)


class PolynomialQuenchingSpec(_Spec):
    """``{model = "polynomial", coefficients = [c0, c1, c2, …], unit = "MeV"}``.

    E_ee = Σ_k c_k x^k in ``unit`` with x = T in ``unit``, lowest power first and c0 = 0
    (:class:`PolynomialQuenching`); CsI 2021: ``coefficients = [0, 0.0554628, 4.30681,
    -111.707, 840.384], unit = "MeV"``.
    """

    model: Literal["polynomial"]
    coefficients: list[float] = Field(min_length=2)
    unit: EnergyUnitName

    def build(self, base_dir: Path | None = None) -> PolynomialQuenching:
        return PolynomialQuenching(self.coefficients, _ENERGY_UNITS[self.unit])


class TabulatedQuenchingSpec(_Spec):
    """QF tabulated against recoil energy (:class:`TabulatedQuenching`).

    Inline, ``{model = "tabulated", recoil_energies = [...], quenching_factors = [...],
    unit = "keVnr"}``, or from a file, ``{model = "tabulated", file = "qf.txt",
    recoil_column = 0, quenching_column = 1, unit = "keVnr"}``; ``unit`` is the unit of the
    recoil energies.
    """

    model: Literal["tabulated"]
    recoil_energies: list[float] | None = None
    quenching_factors: list[float] | None = None
    file: Path | None = None
    recoil_column: int = Field(default=0, ge=0)
    quenching_column: int = Field(default=1, ge=0)
    unit: EnergyUnitName = "keVnr"

    @model_validator(mode="after")
    def _one_source(self):
        _require_one_source(self, "recoil_energies", "quenching_factors")
        if unit_kind(self.unit) == "electron-equivalent":
            allowed = ", ".join(units_of_kinds(("recoil", "energy")))
            raise ValueError(
                f"unit {self.unit!r} is electron-equivalent, but a quenching table lists "
                f"nuclear recoil energies; allowed: {allowed}"
            )
        return self

    def build(self, base_dir: Path | None = None) -> TabulatedQuenching:
        if self.file is not None:
            energies, factors = read_columns(
                resolve_table_path(self.file, base_dir), (self.recoil_column, self.quenching_column)
            )
        else:
            energies, factors = np.array(self.recoil_energies), np.array(self.quenching_factors)
        return TabulatedQuenching(energies * _ENERGY_UNITS[self.unit], factors)


QuenchingSpec = Annotated[
    ConstantQuenchingSpec
    | LindhardQuenchingSpec
    | LinearQuenchingSpec
    | PolynomialQuenchingSpec
    | TabulatedQuenchingSpec,
    Field(discriminator="model"),
]


# --- smearing ----------------------------------------------------------------------------


class PoissonSmearingSpec(_Spec):
    """``{model = "poisson"}`` → :class:`PoissonSmearing`."""

    model: Literal["poisson"]
    observables: ClassVar[tuple[str, ...] | None] = ("photoelectrons",)

    def build(self, base_dir: Path | None = None) -> PoissonSmearing:
        return PoissonSmearing()


class GammaSmearingSpec(_Spec):
    """``{model = "gamma", a = 0.0749, b = 9.56}`` → :class:`GammaSmearing`.

    a in keVee per PE and b per keVee, as in arXiv:2110.07730 (only a·b enters).
    """

    model: Literal["gamma"]
    observables: ClassVar[tuple[str, ...] | None] = ("photoelectrons",)
    a: float
    b: float

    def build(self, base_dir: Path | None = None) -> GammaSmearing:
        return GammaSmearing(self.a, self.b)


class GaussianSmearingSpec(_Spec):
    """``{model = "gaussian", resolution = 0.58, unit = "keVee"}`` → :class:`GaussianSmearing`.

    σ/E = resolution / √(E / unit); ``unit`` is an energy unit or ``"PE"``;
    ``truncate_at_zero`` (default true) renormalises the Gaussian to x ≥ 0.
    """

    model: Literal["gaussian"]
    resolution: float
    unit: ObservableUnitName = "keVee"
    truncate_at_zero: bool = True

    def observable_units(self) -> dict[str, str]:
        return {"unit": self.unit}

    def build(self, base_dir: Path | None = None) -> GaussianSmearing:
        return GaussianSmearing(
            self.resolution, _OBSERVABLE_UNITS[self.unit], truncate_at_zero=self.truncate_at_zero
        )


class NoiseFanoSmearingSpec(_Spec):
    """``{model = "noise-fano", noise_sigma = "20 eV", fano = 0.11, pair_energy = "2.96 eV"}``.

    → :class:`NoiseFanoSmearing`, σ² = σ_noise² + F ε E for an electron-equivalent
    (ionisation) energy observable. Give the electronic noise as ``noise_sigma`` or as
    ``noise_fwhm`` (= 2√(2 ln 2) σ); ``fano`` and ``pair_energy`` default to germanium at
    77 K (F = 0.11, ε = 2.96 eV; sources in :mod:`cevns.detectors.smearing`).
    """

    model: Literal["noise-fano"]
    observables: ClassVar[tuple[str, ...] | None] = ("electron-equivalent-energy",)
    noise_sigma: Energy | None = Field(default=None, ge=0)
    noise_fwhm: Energy | None = Field(default=None, ge=0)
    fano: float = Field(default=GERMANIUM_FANO_FACTOR, ge=0)
    pair_energy: Energy = Field(default=GERMANIUM_PAIR_ENERGY_EV * eV, gt=0)
    truncate_at_zero: bool = True

    @model_validator(mode="after")
    def _one_noise(self):
        if (self.noise_sigma is None) == (self.noise_fwhm is None):
            raise ValueError("give exactly one of noise_sigma and noise_fwhm")
        return self

    @property
    def sigma_noise(self) -> float:
        """σ_noise in internal units (from ``noise_fwhm`` / 2√(2 ln 2) if given so)."""
        if self.noise_sigma is not None:
            return self.noise_sigma
        assert self.noise_fwhm is not None  # _one_noise requires exactly one of the two
        return self.noise_fwhm / (2.0 * math.sqrt(2.0 * math.log(2.0)))

    def build(self, base_dir: Path | None = None) -> NoiseFanoSmearing:
        return NoiseFanoSmearing(
            self.sigma_noise, self.fano, self.pair_energy, truncate_at_zero=self.truncate_at_zero
        )


class NoSmearingSpec(_Spec):
    """``{model = "none"}`` → :class:`NoSmearing`."""

    model: Literal["none"]

    def build(self, base_dir: Path | None = None) -> NoSmearing:
        return NoSmearing()


SmearingSpec = Annotated[
    PoissonSmearingSpec
    | GammaSmearingSpec
    | GaussianSmearingSpec
    | NoiseFanoSmearingSpec
    | NoSmearingSpec,
    Field(discriminator="model"),
]


# --- energy efficiency -------------------------------------------------------------------


class LogisticEfficiencySpec(_Spec):
    """``{model = "logistic", a, b, c, d, unit = "PE"}`` → :class:`LogisticEfficiency`."""

    model: Literal["logistic"]
    a: float
    b: float
    c: float
    d: float
    unit: ObservableUnitName = "PE"

    def observable_units(self) -> dict[str, str]:
        return {"unit": self.unit}

    def build(self, base_dir: Path | None = None) -> LogisticEfficiency:
        scale = _OBSERVABLE_UNITS[self.unit]
        return LogisticEfficiency(self.a, self.b / scale, self.c * scale, self.d)


class LogisticStepEfficiencySpec(_Spec):
    """``{model = "logistic-step", a, b, c, d, threshold, unit = "PE"}``.

    → :class:`LogisticStepEfficiency` (logistic times a hard threshold).
    """

    model: Literal["logistic-step"]
    a: float
    b: float
    c: float
    d: float
    threshold: float
    unit: ObservableUnitName = "PE"

    def observable_units(self) -> dict[str, str]:
        return {"unit": self.unit}

    def build(self, base_dir: Path | None = None) -> LogisticStepEfficiency:
        scale = _OBSERVABLE_UNITS[self.unit]
        return LogisticStepEfficiency(
            self.a, self.b / scale, self.c * scale, self.d, self.threshold * scale
        )


class ThresholdEfficiencySpec(_Spec):
    """``{model = "threshold", threshold = 5, unit = "PE"}`` → :class:`ThresholdEfficiency`."""

    model: Literal["threshold"]
    threshold: float
    unit: ObservableUnitName = "PE"

    def observable_units(self) -> dict[str, str]:
        return {"unit": self.unit}

    def build(self, base_dir: Path | None = None) -> ThresholdEfficiency:
        return ThresholdEfficiency(self.threshold * _OBSERVABLE_UNITS[self.unit])


class UnitEfficiencySpec(_Spec):
    """``{model = "unit"}`` → :class:`UnitEfficiency` (no loss)."""

    model: Literal["unit"]

    def build(self, base_dir: Path | None = None) -> UnitEfficiency:
        return UnitEfficiency()


class TabulatedEfficiencySpec(_Spec):
    """Efficiency tabulated against the observable (:class:`TabulatedEfficiency`).

    Inline, ``{model = "tabulated", x = [...], efficiency = [...], x_unit = "keVee"}``, or
    from a file, e.g. the CENNS-10 argon acceptance (keVee centre, keVnr centre,
    efficiency): ``{model = "tabulated", file = "CENNS10AnlAEfficiency.txt", x_column = 0,
    efficiency_column = 2, x_unit = "keVee"}``. ``below`` and ``above`` set ε outside the
    table: a number in [0, 1] or ``"flat"`` (defaults 0 below, flat above).
    ``interpolation``: ``"linear"`` (default; a repeated x makes a jump) or ``"step"``
    (ε_i from x_i up to the next node).
    """

    model: Literal["tabulated"]
    x: list[float] | None = None
    efficiency: list[float] | None = None
    file: Path | None = None
    x_column: int = Field(default=0, ge=0)
    efficiency_column: int = Field(default=1, ge=0)
    x_unit: ObservableUnitName = "PE"
    below: float | Literal["flat"] = 0.0
    above: float | Literal["flat"] = "flat"
    interpolation: Literal["linear", "step"] = "linear"

    @model_validator(mode="after")
    def _one_source(self):
        _require_one_source(self, "x", "efficiency")
        return self

    def observable_units(self) -> dict[str, str]:
        return {"x_unit": self.x_unit}

    def build(self, base_dir: Path | None = None) -> TabulatedEfficiency:
        if self.file is not None:
            x, eff = read_columns(
                resolve_table_path(self.file, base_dir), (self.x_column, self.efficiency_column)
            )
        else:
            x, eff = np.array(self.x), np.array(self.efficiency)
        return TabulatedEfficiency(
            x * _OBSERVABLE_UNITS[self.x_unit],
            eff,
            below=self.below,
            above=self.above,
            interpolation=self.interpolation,
        )


EnergyEfficiencySpec = Annotated[
    LogisticEfficiencySpec
    | LogisticStepEfficiencySpec
    | ThresholdEfficiencySpec
    | UnitEfficiencySpec
    | TabulatedEfficiencySpec,
    Field(discriminator="model"),
]


# --- time efficiency ---------------------------------------------------------------------


class CsI2021TimeEfficiencySpec(_Spec):
    """``{model = "csi-2021", onset = "0.52 us", decay_rate_per_us = 0.0494}``.

    → :class:`CsI2021TimeEfficiency`; the defaults are the published values
    (arXiv:2110.07730).
    """

    model: Literal["csi-2021"]
    onset: Time = 0.52 * us
    decay_rate_per_us: float = Field(default=0.0494, ge=0)

    def build(self, base_dir: Path | None = None) -> CsI2021TimeEfficiency:
        return CsI2021TimeEfficiency(self.onset, self.decay_rate_per_us / us)


class UnitTimeEfficiencySpec(_Spec):
    """``{model = "unit"}`` → :class:`UnitTimeEfficiency`."""

    model: Literal["unit"]

    def build(self, base_dir: Path | None = None) -> UnitTimeEfficiency:
        return UnitTimeEfficiency()


TimeEfficiencySpec = Annotated[
    CsI2021TimeEfficiencySpec | UnitTimeEfficiencySpec,
    Field(discriminator="model"),
]


# --- helpers -----------------------------------------------------------------------------


def _require_one_source(
    spec: TabulatedQuenchingSpec | TabulatedEfficiencySpec, first: str, second: str
) -> None:
    inline = getattr(spec, first) is not None or getattr(spec, second) is not None
    if spec.file is not None and inline:
        raise ValueError(f"give either file or {first} and {second}, not both")
    if spec.file is None and (getattr(spec, first) is None or getattr(spec, second) is None):
        raise ValueError(f"give file, or both {first} and {second}")


__all__ = [
    "KINDS_BY_OBSERVABLE",
    "ConstantQuenchingSpec",
    "CsI2021TimeEfficiencySpec",
    "EnergyEfficiencySpec",
    "GammaSmearingSpec",
    "GaussianSmearingSpec",
    "LindhardQuenchingSpec",
    "LinearQuenchingSpec",
    "LogisticEfficiencySpec",
    "LogisticStepEfficiencySpec",
    "NoSmearingSpec",
    "NoiseFanoSmearingSpec",
    "PoissonSmearingSpec",
    "PolynomialQuenchingSpec",
    "QuenchingSpec",
    "SmearingSpec",
    "TabulatedEfficiencySpec",
    "TabulatedQuenchingSpec",
    "ThresholdEfficiencySpec",
    "TimeEfficiencySpec",
    "UnitEfficiencySpec",
    "UnitKind",
    "UnitTimeEfficiencySpec",
    "read_columns",
    "unit_kind",
    "units_of_kinds",
]
