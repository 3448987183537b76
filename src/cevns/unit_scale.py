"""Parsing the ``CEVNS_UNIT_SCALE`` setting (the numerical values of the base units).

Kept apart from :mod:`cevns.units`, which reads it at import, so that the command line can
catch a malformed setting and say so in one line before anything else is imported.
"""

from __future__ import annotations

import math

#: The base units whose numerical value the setting may change.
ALLOWED_BASES = ("MeV", "cm", "s")


class UnitScaleError(ValueError):
    """``CEVNS_UNIT_SCALE`` is malformed; the message says which entry and what is allowed."""


def read_scale(text: str | None) -> dict[str, float]:
    """Parse ``CEVNS_UNIT_SCALE`` ("MeV=a,cm=b,s=c"), defaulting every base to 1."""
    scale = dict.fromkeys(ALLOWED_BASES, 1.0)
    if not text:
        return scale
    for item in text.split(","):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in scale:
            raise UnitScaleError(
                f"CEVNS_UNIT_SCALE entry {item.strip()[:40]!r} is not of the form NAME=VALUE "
                f"with NAME in {', '.join(ALLOWED_BASES)}"
            )
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not (math.isfinite(number) and number > 0):
            raise UnitScaleError(
                f"CEVNS_UNIT_SCALE value for {name} must be a positive number; "
                f"got {value.strip()[:40]!r}"
            )
        scale[name] = number
    return scale


__all__ = ["ALLOWED_BASES", "UnitScaleError", "read_scale"]
