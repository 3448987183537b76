"""Isotope data: masses, natural abundances and ground-state spins.

The table lives in ``cevns/nuclear/data/isotopes.csv``; its comment header names the
source of every column:

* atomic masses — AME2020 (W.J. Huang et al., Chin. Phys. C 45, 030002 (2021);
  M. Wang et al., Chin. Phys. C 45, 030003 (2021));
* natural abundances — IUPAC/CIAAW "Isotopic compositions of the elements 2013"
  (J. Meija et al., Pure Appl. Chem. 88, 293 (2016)), atmospheric argon;
* ground-state spins J — NUBASE2020 (F.G. Kondev et al., Chin. Phys. C 45, 030001 (2021));
* spin expectation values <S_p>, <S_n> — per row, in the ``spin_source`` column.

The table is read once (lazily) through :mod:`importlib.resources` and validated on load,
so that a damaged file fails with a message naming the line and the column.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from dataclasses import dataclass
from importlib import resources

from cevns import constants
from cevns.errors import unknown_name_error
from cevns.units import eV

#: The columns of ``isotopes.csv``, in order.
CSV_COLUMNS = (
    "name",
    "symbol",
    "Z",
    "A",
    "atomic_mass_u",
    "abundance",
    "spin",
    "spin_proton",
    "spin_neutron",
    "spin_source",
)

_DATA_FILE = "isotopes.csv"
# How far the abundances of an element may sum away from one (the published values sum to
# one within 1e-4; the check only catches a damaged file).
_ABUNDANCE_SUM_TOLERANCE = 1e-3


class NuclearDataError(RuntimeError):
    """The packaged nuclear data table is damaged; the message says where and how."""


def electron_binding_energy(Z: int) -> float:
    """Total binding energy of the Z electrons of a neutral atom (internal energy units).

    B_el(Z) = (14.4381 Z^2.39 + 1.55468e-6 Z^5.35) eV, the fit of D. Lunney, J.M. Pearson
    and C. Thibault, Rev. Mod. Phys. 75, 1021 (2003), eq. (A4), quoted by AME2020
    (M. Wang et al., Chin. Phys. C 45, 030003 (2021), eq. (2)). It is about 14.4 keV for
    argon and 760 keV for uranium.
    """
    return (14.4381 * Z**2.39 + 1.55468e-6 * Z**5.35) * eV


@dataclass(frozen=True)
class Isotope:
    """One nuclide with its mass, natural abundance and ground-state spin structure.

    Attributes
    ----------
    name:
        Canonical name, element symbol then mass number (``"Cs133"``).
    symbol, Z, A:
        Element symbol, proton number and mass number.
    atomic_mass:
        Mass of the neutral atom in internal units (AME2020 value in u times
        :data:`cevns.constants.atomic_mass_unit`).
    abundance:
        Natural isotopic abundance, atom fraction in [0, 1] (IUPAC 2013).
    spin:
        Ground-state spin J (NUBASE2020).
    spin_proton, spin_neutron:
        Spin expectation values <S_p>, <S_n> of the ground state (0 for even-even nuclei).
    spin_source:
        Short citation for ``spin_proton`` and ``spin_neutron``.
    """

    name: str
    symbol: str
    Z: int
    A: int
    atomic_mass: float
    abundance: float
    spin: float
    spin_proton: float
    spin_neutron: float
    spin_source: str

    @property
    def N(self) -> int:
        """Neutron number N = A - Z."""
        return self.A - self.Z

    @property
    def nuclear_mass(self) -> float:
        """Mass of the bare nucleus (internal units).

        m_nucleus = m_atom - Z m_e + B_el(Z), with the total electron binding energy B_el of
        :func:`electron_binding_energy` (Lunney, Pearson, Thibault, Rev. Mod. Phys. 75,
        1021 (2003), eq. (A4)) and the electron mass of :mod:`cevns.constants`.
        """
        return self.atomic_mass - self.Z * constants.electron_mass + electron_binding_energy(self.Z)


# --- name parsing -----------------------------------------------------------------------
_SYMBOL_FIRST = re.compile(r"^([A-Za-z]{1,2})\s*[-_ ]?\s*(\d{1,3})$")
_MASS_FIRST = re.compile(r"^(\d{1,3})\s*[-_ ]?\s*([A-Za-z]{1,2})$")


def _split_isotope_name(name: str) -> tuple[str, int] | None:
    """Return (symbol, A) for ``Cs133``, ``cs133``, ``133Cs``, ``Cs-133``, ``Cs 133``."""
    text = name.strip()
    match = _SYMBOL_FIRST.match(text)
    if match:
        symbol, mass_number = match.group(1), match.group(2)
    else:
        match = _MASS_FIRST.match(text)
        if not match:
            return None
        mass_number, symbol = match.group(1), match.group(2)
    return symbol.capitalize(), int(mass_number)


def canonical_isotope_name(name: str) -> str | None:
    """The canonical form (``"Cs133"``) of an isotope name, or None if it has no such form.

    Accepts ``Cs133``, ``cs133``, ``133Cs``, ``Cs-133``, ``Cs 133`` and ``Cs_133``; it does
    not check that the isotope is in the table.
    """
    parts = _split_isotope_name(name)
    if parts is None:
        return None
    symbol, mass_number = parts
    return f"{symbol}{mass_number}"


# --- loading and validation -------------------------------------------------------------
def parse_isotope_table(text: str, source: str = _DATA_FILE) -> dict[str, Isotope]:
    """Parse and validate the text of an isotope CSV table.

    Lines starting with ``#`` are comments; the first other line is the header, which must
    list :data:`CSV_COLUMNS`. Each row is checked: integer Z and A with 1 <= Z < A (or
    Z = A = 1 for 1H), name equal to symbol + A, one symbol per Z, positive atomic mass
    within 0.5 u of A, abundance in [0, 1], spin a non-negative multiple of 1/2 (0 for
    even-even nuclei, whose <S_p>, <S_n> must vanish), finite spin expectation values,
    no duplicate names, and for every element with natural isotopes abundances that sum
    to one within 1e-3.

    Raises
    ------
    NuclearDataError
        On the first problem found, naming ``source``, the line and the column.
    """
    numbered = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not numbered:
        raise NuclearDataError(f"{source}: no header line and no data")
    header_number, header_line = numbered[0]
    header = next(csv.reader([header_line]))
    if tuple(h.strip() for h in header) != CSV_COLUMNS:
        raise NuclearDataError(
            f"{source}, line {header_number}: header must be {','.join(CSV_COLUMNS)}; "
            f"got {header_line.strip()!r}"
        )
    isotopes: dict[str, Isotope] = {}
    symbol_of_z: dict[int, str] = {}
    for number, line in numbered[1:]:
        fields = next(csv.reader([line]))
        if len(fields) != len(CSV_COLUMNS):
            raise NuclearDataError(
                f"{source}, line {number}: expected {len(CSV_COLUMNS)} fields, "
                f"got {len(fields)}: {line.strip()!r}"
            )
        row = dict(zip(CSV_COLUMNS, (f.strip() for f in fields), strict=True))
        isotope = _row_to_isotope(row, f"{source}, line {number}")
        where = f"{source}, line {number}"
        if isotope.name in isotopes:
            raise NuclearDataError(f"{where}: duplicate isotope {isotope.name!r}")
        known_symbol = symbol_of_z.setdefault(isotope.Z, isotope.symbol)
        if known_symbol != isotope.symbol:
            raise NuclearDataError(
                f"{where}: Z={isotope.Z} has symbol {known_symbol!r} on an earlier line, "
                f"{isotope.symbol!r} here"
            )
        isotopes[isotope.name] = isotope
    _check_abundance_sums(isotopes, source)
    return isotopes


def _row_to_isotope(row: dict[str, str], where: str) -> Isotope:
    def number(column: str) -> float:
        try:
            value = float(row[column])
        except ValueError:
            raise NuclearDataError(
                f"{where}: column {column} must be a number; got {row[column]!r}"
            ) from None
        if not math.isfinite(value):
            raise NuclearDataError(f"{where}: column {column} must be finite; got {value}")
        return value

    def integer(column: str) -> int:
        try:
            return int(row[column])
        except ValueError:
            raise NuclearDataError(
                f"{where}: column {column} must be an integer; got {row[column]!r}"
            ) from None

    symbol, Z, A = row["symbol"], integer("Z"), integer("A")
    if not re.fullmatch(r"[A-Z][a-z]?", symbol):
        raise NuclearDataError(f"{where}: column symbol must be an element symbol; got {symbol!r}")
    if Z < 1 or not (Z < A or Z == A == 1):
        raise NuclearDataError(
            f"{where}: need 1 <= Z < A (Z = A = 1 only for 1H); got Z={Z}, A={A}"
        )
    if row["name"] != f"{symbol}{A}":
        raise NuclearDataError(
            f"{where}: column name must be {symbol}{A} (symbol then A); got {row['name']!r}"
        )
    mass_u = number("atomic_mass_u")
    if not (mass_u > 0 and abs(mass_u - A) < 0.5):
        raise NuclearDataError(
            f"{where}: column atomic_mass_u must be positive and within 0.5 u of A={A}; "
            f"got {mass_u}"
        )
    abundance = number("abundance")
    if not 0 <= abundance <= 1:
        raise NuclearDataError(f"{where}: column abundance must be in [0, 1]; got {abundance}")
    spin = number("spin")
    if spin < 0 or not float(2 * spin).is_integer():
        raise NuclearDataError(
            f"{where}: column spin must be a non-negative multiple of 1/2; got {spin}"
        )
    spin_proton, spin_neutron = number("spin_proton"), number("spin_neutron")
    if Z % 2 == 0 and (A - Z) % 2 == 0 and (spin != 0 or spin_proton or spin_neutron):
        raise NuclearDataError(
            f"{where}: an even-even nucleus must have spin 0 and <S_p> = <S_n> = 0"
        )
    if not row["spin_source"]:
        raise NuclearDataError(f"{where}: column spin_source is empty")
    return Isotope(
        name=row["name"],
        symbol=symbol,
        Z=Z,
        A=A,
        atomic_mass=mass_u * constants.atomic_mass_unit,
        abundance=abundance,
        spin=spin,
        spin_proton=spin_proton,
        spin_neutron=spin_neutron,
        spin_source=row["spin_source"],
    )


def _check_abundance_sums(isotopes: dict[str, Isotope], source: str) -> None:
    totals: dict[str, float] = {}
    for isotope in isotopes.values():
        totals[isotope.symbol] = totals.get(isotope.symbol, 0.0) + isotope.abundance
    for symbol, total in totals.items():
        if total > 0 and abs(total - 1) > _ABUNDANCE_SUM_TOLERANCE:
            raise NuclearDataError(
                f"{source}: the abundances of {symbol} sum to {total:.6g}, not 1"
            )


@functools.cache
def _table() -> dict[str, Isotope]:
    text = (resources.files("cevns.nuclear") / "data" / _DATA_FILE).read_text("utf-8")
    return parse_isotope_table(text, _DATA_FILE)


# --- public look-ups --------------------------------------------------------------------
def all_isotopes() -> dict[str, Isotope]:
    """All isotopes of the table by canonical name (a fresh dict; the table loads once)."""
    return dict(_table())


def get_isotope(name: str) -> Isotope:
    """The isotope called ``name``: ``Cs133``, ``cs133``, ``133Cs``, ``Cs-133`` or ``Cs 133``.

    Parameters
    ----------
    name
        The isotope's name in any of those spellings (``cevns nuclei`` lists them).

    Returns
    -------
    Isotope
        Z, N, A, the AME2020 mass, the IUPAC abundance and the spin (NUBASE).

    Raises
    ------
    CevnsInputError
        If no isotope of the table has that name; the message suggests close matches.

    Examples
    --------
    >>> from cevns import get_isotope
    >>> cs = get_isotope("133Cs")
    >>> cs.name, cs.Z, cs.N
    ('Cs133', 55, 78)
    """
    table = _table()
    canonical = canonical_isotope_name(name) if isinstance(name, str) else None
    if canonical is None or canonical not in table:
        raise unknown_name_error("nucleus", str(name), table)
    return table[canonical]


def element_symbols() -> list[str]:
    """The element symbols of the table, ordered by Z."""
    by_z = {isotope.Z: isotope.symbol for isotope in _table().values()}
    return [by_z[z] for z in sorted(by_z)]


def natural_isotopes(symbol: str) -> list[Isotope]:
    """The naturally occurring isotopes (abundance > 0) of an element, ordered by A.

    ``symbol`` is an element symbol, in any letter case (``"Ge"``, ``"ge"``).

    Raises
    ------
    CevnsInputError
        If the table has no element with that symbol.
    """
    wanted = symbol.strip().capitalize() if isinstance(symbol, str) else None
    if wanted not in element_symbols():
        raise unknown_name_error("element", str(symbol), element_symbols())
    return sorted(
        (i for i in _table().values() if i.symbol == wanted and i.abundance > 0),
        key=lambda i: i.A,
    )


__all__ = [
    "CSV_COLUMNS",
    "Isotope",
    "NuclearDataError",
    "all_isotopes",
    "canonical_isotope_name",
    "electron_binding_energy",
    "element_symbols",
    "get_isotope",
    "natural_isotopes",
    "parse_isotope_table",
]
