"""Named new-physics parameters with their Standard-Model values.

Each model module declares its parameters as :class:`ModelParameter` entries; the
registry :data:`cevns.interactions.models.PARAMETERS` collects them. Values are plain
numbers in the unit stated by ``unit`` (for example a mediator mass in MeV, a magnetic
moment in 10⁻¹⁰ Bohr magnetons), so that they can be written on the command line.

Each entry also carries its physics symbol and unit as figure text, in the LaTeX subset
that matplotlib's mathtext renders (``symbol``, ``unit_label``); figures label their axes
with :attr:`ModelParameter.axis_label`, e.g. ``$m_{Z'}$ [MeV]``. They are plain strings:
nothing here imports matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelParameter:
    """A scannable parameter: name, Standard-Model value, unit, meaning, physical range,
    and its symbol and unit as figure text (mathtext)."""

    name: str
    default: float
    unit: str
    description: str
    #: Physical range (fits and scans stay inside it); None for an unbounded side.
    limits: tuple[float | None, float | None] = (None, None)
    #: The symbol as mathtext, e.g. ``r"$\sin^2\theta_W$"`` (empty: figures use the name).
    symbol: str = ""
    #: The unit as figure text, e.g. ``r"$10^{-10}\,\mu_B$"`` (empty: ``unit`` as written).
    unit_label: str = ""

    @property
    def axis_label(self) -> str:
        """``symbol [unit]`` for a figure axis; the symbol alone when dimensionless."""
        symbol = self.symbol or self.name
        unit = self.unit_label or self.unit
        return f"{symbol} [{unit}]" if unit else symbol
