"""Named new-physics parameters with their Standard-Model values.

Each model module declares its parameters as :class:`ModelParameter` entries; the
registry :data:`cevns.interactions.models.PARAMETERS` collects them. Values are plain
numbers in the unit stated by ``unit`` (for example a mediator mass in MeV, a magnetic
moment in 10⁻¹⁰ Bohr magnetons), so that they can be written on the command line.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelParameter:
    """A scannable parameter: name, Standard-Model value, unit and meaning."""

    name: str
    default: float
    unit: str
    description: str
    #: Physical range (fits and scans stay inside it); None for an unbounded side.
    limits: tuple[float | None, float | None] = (None, None)
