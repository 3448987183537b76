"""Target materials: isotopic composition per formula unit and nuclei per unit mass.

A :class:`Material` is a list of isotopes, each with its number of atoms per formula unit
(element count times isotopic abundance). :func:`get_material` builds one from

* a preset name (:func:`preset_material_names`: ``CsI``, ``NaI``, ``Ar``/``LAr``, ``Ge``,
  ``Xe``/``LXe``, ``Si``, ``CaWO4``, ``Al2O3``, ``C3F8``, ``H2O``, ``D2O``, ``Pb``, ``Zn``,
  ``Th``);
* an isotope name (``Ar40``, ``76Ge``, ``Xe-132``): an isotopically pure target;
* a chemical formula over the elements of the isotope table (``CF4``, ``C2H6O``,
  ``NaCl``, ``Ca(OH)2``, ``(CF4)0.5(C3F8)0.5``), with natural isotopic abundances (IUPAC 2013,
  atmospheric argon; see ``data/isotopes.csv``). The symbol ``D`` stands for pure ²H.

Natural abundances of each element are renormalised to sum to exactly one, so that a
formula unit holds exactly the element counts of the formula (the published
representative abundances sum to one within 1e-4).

A name that reads both as an isotope and as a formula is taken as the isotope: ``H2`` is
deuterium, not hydrogen gas (per unit mass, hydrogen gas is the formula ``H``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from cevns.errors import CevnsInputError, unknown_name_error
from cevns.nuclear.isotopes import (
    Isotope,
    all_isotopes,
    canonical_isotope_name,
    element_symbols,
    get_isotope,
    natural_isotopes,
)

# Preset materials, in the order they are listed, with the formula each stands for.
_PRESETS: dict[str, str] = {
    "CsI": "CsI",
    "NaI": "NaI",
    "Ar": "Ar",  # natural argon = atmospheric argon (IUPAC 2013)
    "Ge": "Ge",
    "Xe": "Xe",
    "Si": "Si",
    "CaWO4": "CaWO4",
    "Al2O3": "Al2O3",
    "C3F8": "C3F8",
    "H2O": "H2O",
    "D2O": "D2O",  # heavy water with deuterium as pure 2H
    "Pb": "Pb",
    "Zn": "Zn",
    "Th": "Th",
}
# Aliases: liquid argon and liquid xenon are the natural elements.
_ALIASES: dict[str, str] = {"LAr": "Ar", "LXe": "Xe"}
_LISTED_ORDER = (
    "CsI",
    "NaI",
    "Ar",
    "LAr",
    "Ge",
    "Xe",
    "LXe",
    "Si",
    "CaWO4",
    "Al2O3",
    "C3F8",
    "H2O",
    "D2O",
    "Pb",
    "Zn",
    "Th",
)
# Formula symbol for deuterium, read as the pure isotope 2H.
_DEUTERIUM = "D"
_DEUTERIUM_ISOTOPE = "H2"


@dataclass(frozen=True)
class Material:
    """A target material: isotopes with their number of atoms per formula unit.

    Attributes
    ----------
    name:
        The name the material was requested by (preset, isotope or formula).
    formula:
        The chemical formula (for a pure isotope, the isotope name).
    components:
        ``(isotope, atoms per formula unit)`` pairs, one per isotope; for natural elements
        the count is element count x isotopic abundance.
    """

    name: str
    formula: str
    components: tuple[tuple[Isotope, float], ...]

    @property
    def isotopes(self) -> tuple[Isotope, ...]:
        """The isotopes of the material, in the order of :attr:`components`."""
        return tuple(isotope for isotope, _ in self.components)

    @property
    def molar_mass(self) -> float:
        """Mass of one formula unit (internal mass units): Σ_i n_i m_i over the isotopes.

        n_i is the number of atoms of isotope i per formula unit and m_i its atomic mass.
        Multiply by :data:`cevns.constants.avogadro` and divide by
        :data:`cevns.units.gram` to get g/mol.
        """
        return sum(count * isotope.atomic_mass for isotope, count in self.components)

    def _count(self, isotope_name: str) -> tuple[Isotope, float]:
        isotope = get_isotope(isotope_name)
        count = sum(n for i, n in self.components if i.name == isotope.name)
        return isotope, count

    def nuclei_per_mass(self, isotope_name: str) -> float:
        """Number of nuclei of an isotope per unit mass of material, n_i / molar_mass.

        In internal units (inverse mass): divide by ``1 / kg`` to get nuclei per kg.
        Zero for an isotope the material does not contain.

        Raises
        ------
        CevnsInputError
            If ``isotope_name`` is not an isotope of the table.
        """
        _, count = self._count(isotope_name)
        return count / self.molar_mass

    def nuclei_per_mass_by_isotope(self) -> dict[str, float]:
        """:meth:`nuclei_per_mass` of every isotope of the material, by isotope name."""
        molar_mass = self.molar_mass
        return {isotope.name: count / molar_mass for isotope, count in self.components}

    def mass_fraction(self, isotope_name: str) -> float:
        """Fraction of the material's mass carried by an isotope, n_i m_i / molar_mass."""
        isotope, count = self._count(isotope_name)
        return count * isotope.atomic_mass / self.molar_mass


# --- formula parsing --------------------------------------------------------------------
class _FormulaError(ValueError):
    """A formula that cannot be read; the message says why."""


_SYMBOL = re.compile(r"[A-Z][a-z]?")
_COUNT = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_CLOSING = {"(": ")", "[": "]"}


def parse_formula(formula: str) -> dict[str, float]:
    """Element counts of a chemical formula, in order of first appearance.

    The grammar: element symbols (an upper-case letter and an optional lower-case one),
    each followed by an optional integer or decimal count (default 1), and groups in
    round or square brackets followed by an optional count, nested to any depth:
    ``parse_formula("Ca(OH)2") == {"Ca": 1.0, "O": 2.0, "H": 2.0}``. Symbols are not
    checked against the isotope table.

    Raises
    ------
    ValueError
        If the text is not of that form or a count is zero.
    """
    text = formula.strip()
    if not text:
        raise _FormulaError("the formula is empty")
    counts, end = _parse_sequence(text, 0, closing=None)
    if end != len(text):
        raise _FormulaError(f"unexpected {text[end]!r} at position {end + 1}")
    return counts


def _parse_sequence(text: str, pos: int, closing: str | None) -> tuple[dict[str, float], int]:
    counts: dict[str, float] = {}
    while pos < len(text):
        char = text[pos]
        if char in _CLOSING:
            inner, pos = _parse_sequence(text, pos + 1, closing=_CLOSING[char])
            if pos >= len(text) or text[pos] != _CLOSING[char]:
                raise _FormulaError(f"{char!r} is not closed")
            if not inner:
                raise _FormulaError(f"empty group at position {pos}")
            multiplier, pos = _parse_count(text, pos + 1)
            for symbol, count in inner.items():
                counts[symbol] = counts.get(symbol, 0.0) + count * multiplier
        elif char == closing:
            return counts, pos
        elif match := _SYMBOL.match(text, pos):
            symbol = match.group()
            count, pos = _parse_count(text, match.end())
            counts[symbol] = counts.get(symbol, 0.0) + count
        else:
            raise _FormulaError(f"unexpected {char!r} at position {pos + 1}")
    return counts, pos


def _parse_count(text: str, pos: int) -> tuple[float, int]:
    match = _COUNT.match(text, pos)
    if not match:
        return 1.0, pos
    value = float(match.group())
    if value <= 0:
        raise _FormulaError(f"count {match.group()!r} at position {pos + 1} must be positive")
    return value, match.end()


def _components(counts: dict[str, float]) -> tuple[tuple[Isotope, float], ...]:
    """Isotope counts per formula unit from element counts (natural abundances)."""
    merged: dict[str, list] = {}
    for symbol, count in counts.items():
        if symbol == _DEUTERIUM:
            shares = [(get_isotope(_DEUTERIUM_ISOTOPE), 1.0)]
        else:
            natural = natural_isotopes(symbol)
            total = sum(isotope.abundance for isotope in natural)
            shares = [(isotope, isotope.abundance / total) for isotope in natural]
        for isotope, share in shares:
            entry = merged.setdefault(isotope.name, [isotope, 0.0])
            entry[1] += count * share
    return tuple((isotope, count) for isotope, count in merged.values())


# --- look-ups ---------------------------------------------------------------------------
def preset_material_names() -> list[str]:
    """Names of the preset materials, aliases included (``LAr``, ``LXe``)."""
    return list(_LISTED_ORDER)


def _known_material_names() -> list[str]:
    """Presets, aliases and element symbols, without repeats."""
    return list(dict.fromkeys([*preset_material_names(), *element_symbols()]))


def _pure_isotope(isotope: Isotope) -> Material:
    return Material(name=isotope.name, formula=isotope.name, components=((isotope, 1.0),))


def _from_formula(name: str, formula: str) -> Material:
    """A material from a formula whose syntax and elements are already known to be valid."""
    return Material(name=name, formula=formula, components=_components(parse_formula(formula)))


def _unknown_elements(counts: dict[str, float]) -> list[str]:
    known = {*element_symbols(), _DEUTERIUM}
    return [symbol for symbol in counts if symbol not in known]


@functools.lru_cache(maxsize=256)
def _lookup(text: str) -> Material:
    # 1. a preset or alias, exactly as written
    if text in _PRESETS or text in _ALIASES:
        canonical = _ALIASES.get(text, text)
        return _from_formula(canonical, _PRESETS[canonical])
    # 2. an isotope of the table: an isotopically pure target
    isotope_name = canonical_isotope_name(text)
    if isotope_name is not None and isotope_name in all_isotopes():
        return _pure_isotope(get_isotope(isotope_name))
    # 3. a chemical formula over known elements
    detail = ""
    try:
        counts = parse_formula(text)
    except _FormulaError as error:
        counts, detail = None, str(error)
    if counts is not None:
        unknown = _unknown_elements(counts)
        if not unknown:
            return _from_formula(text, text)
        detail = f"no isotope data for element symbol(s) {', '.join(unknown)}"
    # 4. a preset, alias or element symbol in another letter case
    folded = {name.lower(): name for name in _known_material_names()}
    if text.lower() in folded:
        return _lookup(folded[text.lower()])
    refusal = unknown_name_error("material", text, _known_material_names())
    if counts is not None and detail:
        # A well-formed formula with an unknown element: say which element.
        raise CevnsInputError(f"{refusal} — {detail}")
    raise refusal


def get_material(name: str) -> Material:
    """The material called ``name``: a preset, an isotope name or a chemical formula.

    The name is tried, in order, as a preset (``CsI``, ``LAr``, ...), as an isotope of
    the table (``Ar40``: isotopically pure), as a formula (``CF4``, ``C2H6O``), and
    finally as a preset or element symbol in another letter case (``csi``, ``lxe``).
    Aliases return the material of the preset they stand for (``LAr`` gives ``Ar``).

    Raises
    ------
    CevnsInputError
        If ``name`` is none of these; the message suggests close matches among the
        presets and element symbols.
    """
    if not isinstance(name, str):
        raise CevnsInputError(f"material must be a name or a formula; got {name!r}")
    return _lookup(name.strip())


def get_target(name: str) -> Material:
    """The target called ``name``: an isotope (pure-isotope material) or a material.

    Used by the command line. Accepts everything :func:`get_material` accepts.

    Raises
    ------
    CevnsInputError
        If ``name`` is neither; the message suggests close matches among the isotopes and
        the materials.
    """
    try:
        return get_material(name)
    except CevnsInputError:
        known = dict.fromkeys([*all_isotopes(), *_known_material_names()])
        raise unknown_name_error("nucleus or material", str(name), known) from None


__all__ = [
    "Material",
    "get_material",
    "get_target",
    "parse_formula",
    "preset_material_names",
]
