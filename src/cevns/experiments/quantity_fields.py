"""Constrained quantity fields of the document schemas: positive lengths, masses, times,
energies and powers with their units (:mod:`cevns.quantities`), finite positive numbers,
bin edges, and the bounded ranges of detector masses, distances, line energies and pulse
widths. The bounds are far beyond any physical use; they keep a typo (1e300 kg) from
reaching the numerics (docs/architecture.md, "Command line")."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from cevns.quantities import Energy, Length, Mass, Power, Time, format_quantity
from cevns.units import GeV, eV, kg, kpc, mm, us

PositiveLength = Annotated[Length, Field(gt=0)]
PositiveMass = Annotated[Mass, Field(gt=0)]
PositiveTime = Annotated[Time, Field(gt=0)]
PositiveEnergy = Annotated[Energy, Field(gt=0)]
PositivePower = Annotated[Power, Field(gt=0)]
#: A positive finite number below 1e100 (counts of protons, yields, light yields, …).
PositiveFloat = Annotated[float, Field(gt=0, lt=1e100, allow_inf_nan=False)]
#: A finite bin edge of at most 1e12 in magnitude (in the document's unit).
Edge = Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]


def _within(dimension: str, low: float, high: float) -> AfterValidator:
    """A validator refusing a quantity outside [low, high] (internal units), in one line."""

    def check(value: float) -> float:
        if not low <= value <= high:
            raise ValueError(
                f"must lie between {format_quantity(low, dimension)} and "
                f"{format_quantity(high, dimension)}; got {format_quantity(value, dimension)}"
            )
        return value

    return AfterValidator(check)


#: A detector's mass (1 µg to 10 Mt), its distance (1 mm to 1 Gpc), a line's energy (1 eV to
#: 1 GeV: coherence is long lost above) and a pulse width (at most 1 s).
DetectorMass = Annotated[PositiveMass, _within("mass", 1e-9 * kg, 1e10 * kg)]
DetectorDistance = Annotated[PositiveLength, _within("length", 1 * mm, 1e6 * kpc)]
LineEnergy = Annotated[PositiveEnergy, _within("energy", 1 * eV, 1 * GeV)]
PulseWidth = Annotated[PositiveTime, _within("time", 0.0, 1e6 * us)]
