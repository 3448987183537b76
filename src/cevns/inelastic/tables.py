"""Tabulated inelastic cross sections: SNOwGLoBES tables and cevns's own CSV tables.

A :class:`TabulatedCrossSection` is σ(E) per target nucleus on a grid of neutrino energies,
linear in between and zero below the first row; asking beyond the last row is an error
(:meth:`TabulatedCrossSection.check_range`), since the tables stop at 100 MeV.

Two formats:

* ``snowglobes:<file>`` — a table of the ``snowglobes-data`` package (PyPI 1.3.2, the data
  of SNOwGLoBES 1.3). Each row is ``log10(E / GeV)`` followed by σ/E in units of
  10⁻³⁸ cm² GeV⁻¹ for ν_e, ν_μ, ν_τ, ν̄_e, ν̄_μ, ν̄_τ (SNOwGLoBES 1.3 manual, Sec. 8.8
  and ``xscns/scripts/README.md``: "log_10(E/1GeV) and sigma(E)/(E [GeV])"), per target
  nucleus (the manual's target weighting factor 1 for nuclei). Hence

      σ(E) = (σ/E)_table × 10⁻³⁸ cm² GeV⁻¹ × E,   E = 10^x GeV.

  ``tests/test_inelastic_tables.py`` checks this reading at one energy against the
  Nakamura et al. (2002) ν_e d value written out by hand (4.130 × 10⁻⁴¹ cm² at 30 MeV).
  Some headers say "10^-8 cm^2/GeV" (``xs_nue_O16.dat``), a typographical slip: the values
  are the same scale as the others.
* ``cevns:<file>`` — a CSV file of ``cevns/inelastic/data`` with ``#`` comments, a header
  line ``energy_mev,<column>,...`` and σ in cm².

Never read the CEvNS tables of ``snowglobes-data`` (``xs_coh_*``) here: they integrate
recoils only up to 10 keV. :func:`read_table` refuses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from numpy.typing import ArrayLike

from cevns.errors import CevnsInputError, require_finite
from cevns.units import GeV, MeV, cm2

#: Column order of every SNOwGLoBES cross-section table (SNOwGLoBES 1.3 manual).
SNOWGLOBES_COLUMNS = ("nu_e", "nu_mu", "nu_tau", "nu_e_bar", "nu_mu_bar", "nu_tau_bar")
#: The unit of the tabulated σ/E: 10⁻³⁸ cm² per GeV.
SNOWGLOBES_SIGMA_OVER_E_UNIT = 1e-38 * cm2 / GeV
#: Negative entries up to this fraction of a column's maximum are rounding or fit artefacts
#: below threshold and are set to 0; larger ones are refused.
NEGATIVE_TOLERANCE = 1e-3


@dataclass(frozen=True)
class TabulatedCrossSection:
    """σ(E) per nucleus, linear between ``energies`` (internal units, increasing)."""

    energies: np.ndarray
    sigma: np.ndarray
    origin: str

    @property
    def threshold(self) -> float:
        """The lowest tabulated energy with σ > 0 (or the first row if σ is nowhere zero)."""
        positive = np.flatnonzero(self.sigma > 0)
        if positive.size == 0:
            return float(self.energies[-1])
        first = positive[0]
        return float(self.energies[max(first - 1, 0)])

    @property
    def max_energy(self) -> float:
        return float(self.energies[-1])

    def check_range(self, energy: ArrayLike, what: str = "energy") -> None:
        """Raise if any ``energy`` lies above the table's last row."""
        values = np.asarray(energy, dtype=float)
        if values.size and float(values.max()) > self.max_energy * (1 + 1e-12):
            raise CevnsInputError(
                f"{what} {float(values.max()) / MeV:g} MeV is above the last row of "
                f"{self.origin} ({self.max_energy / MeV:g} MeV); allowed: up to "
                f"{self.max_energy / MeV:g} MeV"
            )

    def __call__(self, energy: ArrayLike) -> np.ndarray:
        """σ at ``energy``: linear interpolation, 0 below the table, error above it."""
        values = np.asarray(energy, dtype=float)
        self.check_range(values)
        return np.interp(values, self.energies, self.sigma, left=0.0, right=0.0)


def _data_text(filename: str) -> str:
    return resources.files("cevns.inelastic").joinpath("data", filename).read_text("utf-8")


def _snowglobes_text(filename: str) -> str:
    try:
        import snowglobes_data
    except ImportError:  # pragma: no cover - a declared dependency
        raise CevnsInputError(
            "the inelastic cross sections need the snowglobes-data package "
            "(pip install 'snowglobes-data>=1.3.2')"
        ) from None
    path = resources.files(snowglobes_data).joinpath("xscns", filename)
    if not path.is_file():
        raise CevnsInputError(f"snowglobes-data has no table {filename!r} in xscns/")
    return path.read_text("utf-8")


def _rows(text: str, origin: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            rows.append(stripped.replace(",", " ").split())
    if not rows:
        raise CevnsInputError(f"{origin}: no data rows")
    return rows


@cache
def read_table(reference: str, column: str) -> TabulatedCrossSection:
    """The table ``reference`` (``snowglobes:<file>`` or ``cevns:<file>``), one column."""
    kind, _, filename = reference.partition(":")
    if kind == "snowglobes":
        if filename.startswith("xs_coh"):
            raise CevnsInputError(
                f"table {reference!r}: the SNOwGLoBES CEvNS tables integrate recoils only up "
                "to 10 keV and are not used; CEvNS comes from cevns.interactions"
            )
        if column not in SNOWGLOBES_COLUMNS:
            raise CevnsInputError(
                f"column {column!r} of {reference}: allowed: {', '.join(SNOWGLOBES_COLUMNS)}"
            )
        values = np.asarray(_rows(_snowglobes_text(filename), reference), dtype=float)
        energies = 10.0 ** values[:, 0] * GeV
        sigma_over_e = values[:, 1 + SNOWGLOBES_COLUMNS.index(column)]
        sigma = sigma_over_e * SNOWGLOBES_SIGMA_OVER_E_UNIT * energies
    elif kind == "cevns":
        rows = _rows(_data_text(filename), reference)
        header, body = rows[0], np.asarray(rows[1:], dtype=float)
        if header[0] != "energy_mev" or column not in header[1:]:
            raise CevnsInputError(
                f"column {column!r} of {reference}: allowed: {', '.join(header[1:])}"
            )
        energies = body[:, 0] * MeV
        sigma = body[:, header.index(column)] * cm2
    else:
        raise CevnsInputError(
            f"table reference {reference!r}: allowed: snowglobes:<file>, cevns:<file>"
        )
    require_finite(f"{reference} energies", energies)
    if np.any(np.diff(energies) <= 0):
        raise CevnsInputError(f"{reference}: energies must increase from row to row")
    if np.any(sigma < -NEGATIVE_TOLERANCE * sigma.max()):
        raise CevnsInputError(f"{reference}, column {column}: negative cross section")
    # The QRPA 40Ar NC tables dip to -1.3e-44 cm^2 between 8.0 and 9.0 MeV (rows 528-550 of
    # xs_nc_*_Ar40.dat, a fitted curve crossing zero below the first excited state): 0 there.
    sigma = np.maximum(sigma, 0.0)
    # Cached: shared between callers, so read-only.
    energies.setflags(write=False)
    sigma.setflags(write=False)
    return TabulatedCrossSection(energies, sigma, reference)


__all__ = [
    "SNOWGLOBES_COLUMNS",
    "SNOWGLOBES_SIGMA_OVER_E_UNIT",
    "TabulatedCrossSection",
    "read_table",
]
