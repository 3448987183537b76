"""Simple sources: a monochromatic line and a user-tabulated spectrum.

:class:`MonochromaticSource` emits neutrinos of one energy (e.g. a ⁵¹Cr-like electron-capture
source, or a test line); its quadrature is one node carrying the full weight.

:class:`TabulatedSource` takes dN/dE per source unit at increasing energies (one array per
flavour), linear in between. Nothing is assumed outside the table: the spectral density
refuses energies outside the tabulated range. Its quadrature applies
Gauss–Legendre on every table interval (at least 2 nodes each), which is exact for the
linear interpolant times any linear g.

File format (:meth:`TabulatedSource.from_file`): plain text, ``#`` comments, columns
separated by spaces, tabs or commas. The first column is the neutrino energy in MeV
(strictly increasing, ≥ 0); each further column is dN/dE in neutrinos per MeV per source
unit (≥ 0), one column per flavour. Flavour names come from the ``flavors`` argument or
from a header comment ``# columns: energy_MeV nu_e nu_mu_bar`` (the first name is ignored);
a ``# source_unit: second`` comment sets the source unit. Any malformed line, non-numeric
or non-finite value, negative density, repeated or decreasing energy, or a column count
that differs from the header gives a one-line error naming the file and line.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from cevns.errors import CevnsInputError, require_finite, require_increasing, require_positive
from cevns.sources.base import NeutrinoSource
from cevns.sources.flavors import check_flavor
from cevns.units import MeV


class MonochromaticSource(NeutrinoSource):
    """``neutrinos_per_unit`` neutrinos of each of ``flavors`` at one ``energy``."""

    def __init__(
        self,
        energy: float,
        flavors: str | tuple[str, ...] = "nu_e",
        neutrinos_per_unit: float = 1.0,
        source_unit: str = "decay",
    ):
        self.energy = float(require_positive("energy", energy, "internal energy units"))
        names = (flavors,) if isinstance(flavors, str) else tuple(flavors)
        if not names:
            raise CevnsInputError("flavors must name at least one flavour")
        self.flavors = tuple(check_flavor(f) for f in names)
        self._per_unit = float(require_positive("neutrinos_per_unit", neutrinos_per_unit))
        self.source_unit = source_unit

    def neutrinos_per_unit(self, flavor: str) -> float:
        self.check_emitted(flavor)
        return self._per_unit

    def line_energy(self, flavor: str) -> float | None:
        self.check_emitted(flavor)
        return self.energy


class TabulatedSource(NeutrinoSource):
    """A spectrum given as dN/dE per source unit at increasing energies, per flavour."""

    def __init__(
        self,
        energies: ArrayLike,
        densities: Mapping[str, ArrayLike],
        source_unit: str = "second",
        origin: str = "table",
    ):
        grid = np.asarray(require_finite(f"{origin}: energies", energies), dtype=float).ravel()
        if grid.size < 2:
            raise CevnsInputError(f"{origin}: a tabulated spectrum needs at least 2 energies")
        if grid[0] < 0:
            raise CevnsInputError(f"{origin}: energies must be ≥ 0; got {grid[0] / MeV!r} MeV")
        require_increasing(f"{origin}: energies", grid, MeV, "MeV")
        if not densities:
            raise CevnsInputError(f"{origin}: no flavour columns were given")
        self.energies = grid
        self.densities: dict[str, np.ndarray] = {}
        for flavor, values in densities.items():
            name = check_flavor(flavor)
            column = np.asarray(
                require_finite(f"{origin}: {name} density", values), dtype=float
            ).ravel()
            if column.size != grid.size:
                raise CevnsInputError(
                    f"{origin}: {name} has {column.size} values for {grid.size} energies"
                )
            if np.any(column < 0):
                raise CevnsInputError(f"{origin}: {name} density must be ≥ 0")
            if not np.any(column > 0):
                raise CevnsInputError(f"{origin}: {name} density is zero everywhere")
            self.densities[name] = column
        self.flavors = tuple(self.densities)
        self.source_unit = source_unit
        self.origin = origin

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        flavors: tuple[str, ...] | None = None,
        source_unit: str | None = None,
    ) -> TabulatedSource:
        """Read a spectrum file (format in the module docstring)."""
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CevnsInputError(f"cannot read flux file {str(file)!r}: {error}") from None
        header_flavors, unit, rows = _parse(text, str(file))
        names = flavors if flavors is not None else header_flavors
        n_columns = len(rows[0]) - 1
        if names is None:
            if n_columns == 1:
                raise CevnsInputError(
                    f"{file}: name the flavour of the density column with flavors=(...) or a "
                    "'# columns: energy_MeV nu_e' header"
                )
            raise CevnsInputError(
                f"{file}: name the {n_columns} density columns with flavors=(...) or a "
                "'# columns: energy_MeV nu_e ...' header"
            )
        if len(names) != n_columns:
            raise CevnsInputError(
                f"{file}: {len(names)} flavour name(s) for {n_columns} density column(s)"
            )
        table = np.array(rows, dtype=float)
        densities = {name: table[:, k + 1] / MeV for k, name in enumerate(names)}
        return cls(
            table[:, 0] * MeV,
            densities,
            source_unit=source_unit or unit or "second",
            origin=str(file),
        )

    def neutrinos_per_unit(self, flavor: str) -> float:
        name = self.check_emitted(flavor)
        return float(np.trapezoid(self.densities[name], self.energies))

    def _support(self, flavor: str) -> np.ndarray:
        return self.energies

    def _density(self, flavor: str, energy: np.ndarray) -> np.ndarray:
        if np.any(energy < self.energies[0]) or np.any(energy > self.energies[-1]):
            outside = energy[(energy < self.energies[0]) | (energy > self.energies[-1])][0]
            raise CevnsInputError(
                f"energy {outside / MeV:g} MeV is outside the tabulated spectrum of "
                f"{self.origin} ({self.energies[0] / MeV:g}–{self.energies[-1] / MeV:g} MeV)"
            )
        return np.interp(energy, self.energies, self.densities[flavor])


def _parse(text: str, origin: str) -> tuple[tuple[str, ...] | None, str | None, list[list[float]]]:
    header: tuple[str, ...] | None = None
    unit: str | None = None
    rows: list[list[float]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            body = line.lstrip("#").strip()
            key, sep, value = body.partition(":")
            if sep and key.strip().lower() == "columns":
                names = value.replace(",", " ").split()
                if len(names) < 2:
                    raise CevnsInputError(f"{origin}:{number}: '# columns:' needs ≥ 2 names")
                header = tuple(check_flavor(n, f"{origin}:{number}: column") for n in names[1:])
            elif sep and key.strip().lower() == "source_unit":
                unit = value.strip()
            continue
        fields = line.replace(",", " ").split()
        try:
            values = [float(f) for f in fields]
        except ValueError:
            raise CevnsInputError(
                f"{origin}:{number}: expected numbers, got {raw.strip()!r}"
            ) from None
        if len(values) < 2:
            raise CevnsInputError(
                f"{origin}:{number}: expected an energy and at least one density, got "
                f"{raw.strip()!r}"
            )
        if rows and len(values) != len(rows[0]):
            raise CevnsInputError(
                f"{origin}:{number}: {len(values)} columns where earlier lines have {len(rows[0])}"
            )
        if not all(np.isfinite(values)):
            raise CevnsInputError(f"{origin}:{number}: non-finite value in {raw.strip()!r}")
        rows.append(values)
    if len(rows) < 2:
        raise CevnsInputError(f"{origin}: a flux file needs at least 2 data lines; got {len(rows)}")
    return header, unit, rows


__all__ = ["MonochromaticSource", "TabulatedSource"]
