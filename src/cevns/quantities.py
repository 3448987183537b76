"""Quantities with units in configuration files: ``"14.6 kg"``, ``"19.3 m"``, ``"13.99 GWh"``.

Experiment descriptions (TOML) write every dimensional number as a string with its unit,
so that a wrong unit is caught instead of silently misread. :func:`parse_quantity`
turns such a string into an internal-unit float after checking that the unit has the
expected dimension. The pydantic types at the bottom (``Mass``, ``Length``, …) do the
same inside schema models, so that a bad value is reported with the field's name.
"""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

from cevns import units
from cevns.errors import CevnsInputError

#: Allowed unit spellings per dimension, with their values in internal units.
UNITS_BY_DIMENSION: dict[str, dict[str, float]] = {
    "energy": {
        "eV": units.eV, "keV": units.keV, "MeV": units.MeV, "GeV": units.GeV,
        "keVee": units.keVee, "keVnr": units.keVnr, "MeVee": units.MeVee, "MeVnr": units.MeVnr,
    },
    "length": {
        "fm": units.fm, "mm": units.mm, "cm": units.cm, "m": units.m, "km": units.km,
        "AU": units.au, "au": units.au, "pc": units.parsec, "kpc": units.kpc,
    },
    "mass": {"g": units.gram, "kg": units.kg, "t": units.tonne, "tonne": units.tonne},
    "exposure": {
        "kg day": units.kg * units.day, "kg yr": units.kg * units.year,
        "t yr": units.tonne * units.year, "tonne year": units.tonne * units.year,
    },
    "time": {
        "ns": units.ns, "us": units.us, "µs": units.us, "ms": units.ms, "s": units.s,
        "h": units.hour, "day": units.day, "year": units.year, "yr": units.year,
    },
    "power": {"W": units.W, "kW": units.kW, "MW": units.MW, "GW": units.GW},
    "beam_energy": {"MWh": units.MWh, "GWh": units.GWh, "J": units.joule},
    "frequency": {"Hz": units.Hz},
}  # fmt: skip

_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([^\d\s].*?)?\s*$")


def parse_quantity(text: object, dimension: str, field: str = "value") -> float:
    """Parse ``"<number> <unit>"`` with a unit of ``dimension``; return internal units.

    Raises :class:`CevnsInputError` naming ``field`` when the text is not a quantity,
    lacks a unit, has a unit of another dimension, or is not finite.
    """
    allowed = UNITS_BY_DIMENSION[dimension]
    allowed_text = ", ".join(allowed)
    if isinstance(text, int | float) and not isinstance(text, bool):
        raise CevnsInputError(
            f'{field} needs a unit: write it as a string like "{text} {next(iter(allowed))}" '
            f"(allowed {dimension} units: {allowed_text})"
        )
    if not isinstance(text, str):
        raise CevnsInputError(
            f'{field} must be a string like "1.0 {next(iter(allowed))}"; got {text!r}'
        )
    match = _QUANTITY.match(text)
    if match is None:
        raise CevnsInputError(f"{field} must be a number followed by a unit; got {text!r}")
    number, unit = float(match.group(1)), (match.group(2) or "").strip()
    if not unit:
        raise CevnsInputError(
            f"{field} needs a unit; got {text!r} (allowed {dimension} units: {allowed_text})"
        )
    if unit not in allowed:
        other = next((dim for dim, table in UNITS_BY_DIMENSION.items() if unit in table), None)
        what = f"a {other.replace('_', ' ')} unit" if other else "not a known unit"
        raise CevnsInputError(
            f"{field} has unit {unit!r}, which is {what}; expected a {dimension.replace('_', ' ')}"
            f" unit ({allowed_text})"
        )
    if not math.isfinite(number):
        raise CevnsInputError(f"{field} must be finite; got {text!r}")
    return number * allowed[unit]


#: Display units, largest first: a value is shown in the first unit it reaches 1 in.
DISPLAY_UNITS: dict[str, tuple[str, ...]] = {
    "energy": ("GeV", "MeV", "keV", "eV"),
    "length": ("kpc", "pc", "AU", "km", "m", "cm", "mm", "fm"),
    "mass": ("tonne", "kg", "g"),
    "exposure": ("t yr", "kg yr", "kg day"),
    "time": ("year", "day", "h", "s", "ms", "us", "ns"),
    "power": ("GW", "MW", "kW", "W"),
    "beam_energy": ("GWh", "MWh", "J"),
    "frequency": ("Hz",),
}


def format_quantity(value: float, dimension: str) -> str:
    """An internal-unit value as a readable ``"<number> <unit>"`` string."""
    table = UNITS_BY_DIMENSION[dimension]
    names = DISPLAY_UNITS[dimension]
    chosen = next((n for n in names if abs(value) >= table[n]), names[-1])
    return f"{value / table[chosen]:.6g} {chosen}"


def _validator(dimension: str):
    def convert(value: object) -> float:
        # pydantic reports the field's location itself; the message names the dimension.
        try:
            return parse_quantity(value, dimension, field=dimension.replace("_", " "))
        except CevnsInputError as error:
            raise ValueError(str(error)) from None

    return BeforeValidator(convert)


def _serializer(dimension: str):
    return PlainSerializer(lambda value: format_quantity(value, dimension), return_type=str)


Energy = Annotated[float, _validator("energy"), _serializer("energy")]
Length = Annotated[float, _validator("length"), _serializer("length")]
Mass = Annotated[float, _validator("mass"), _serializer("mass")]
Time = Annotated[float, _validator("time"), _serializer("time")]
Power = Annotated[float, _validator("power"), _serializer("power")]
BeamEnergy = Annotated[float, _validator("beam_energy"), _serializer("beam_energy")]
Exposure = Annotated[float, _validator("exposure"), _serializer("exposure")]
