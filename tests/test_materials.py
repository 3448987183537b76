"""Tests of cevns.nuclear.materials: presets, formulas, pure isotopes and targets per mass."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cevns import constants
from cevns.errors import CevnsInputError
from cevns.nuclear import (
    Material,
    all_isotopes,
    get_isotope,
    get_material,
    get_target,
    preset_material_names,
)
from cevns.nuclear.isotopes import canonical_isotope_name, element_symbols
from cevns.nuclear.materials import parse_formula
from cevns.units import gram, kg

N_A = constants.avogadro
u = constants.atomic_mass_unit


def grams_per_mole(material: Material) -> float:
    return material.molar_mass * N_A / gram


# IUPAC 2013 standard atomic weights (Meija et al., Pure Appl. Chem. 88, 265 (2016)),
# abridged/conventional values: H 1.008, C 12.011, O 15.999, F 18.998403163,
# Al 26.9815385, Ca 40.078, W 183.84(1), Ge 72.630(8).
STANDARD_MOLAR_MASS = {
    "C3F8": 3 * 12.011 + 8 * 18.998403163,
    "CaWO4": 40.078 + 183.84 + 4 * 15.999,
    "Al2O3": 2 * 26.9815385 + 3 * 15.999,
    "H2O": 2 * 1.008 + 15.999,
    "CF4": 12.011 + 4 * 18.998403163,
    "C2H6O": 2 * 12.011 + 6 * 1.008 + 15.999,
}


def test_csi_targets_per_kg():
    # AME2020 atomic masses: 133Cs 132.905451958 u, 127I 126.904472592 u, so
    # M(CsI) = 259.80992455 g/mol (~259.81 g/mol) and each of Cs133 and I127 has
    # N_A / M nuclei per gram: 2 N_A / M nuclei in total. Tolerance 1e-4 relative.
    csi = get_material("CsI")
    molar_mass = 132.905451958 + 126.904472592
    per_kg_each = 6.02214076e23 * 1000 / molar_mass
    assert csi.nuclei_per_mass("Cs133") * kg == pytest.approx(per_kg_each, rel=1e-4)
    assert csi.nuclei_per_mass("I127") * kg == pytest.approx(per_kg_each, rel=1e-4)
    total = sum(csi.nuclei_per_mass_by_isotope().values()) * kg
    assert total == pytest.approx(2 * 6.02214076e23 * 1000 / 259.81, rel=1e-4)
    assert grams_per_mole(csi) == pytest.approx(259.81, abs=0.01)
    assert csi.mass_fraction("Cs133") == pytest.approx(132.905451958 / molar_mass, rel=1e-9)


def test_natural_germanium_molar_mass():
    # IUPAC standard atomic weight of Ge: 72.630(8); tolerance 0.01 g/mol.
    assert grams_per_mole(get_material("Ge")) == pytest.approx(72.630, abs=0.01)


@pytest.mark.parametrize("formula", sorted(STANDARD_MOLAR_MASS))
def test_formula_molar_masses(formula):
    # Molar masses from our isotopes vs standard atomic weights; tolerance 0.01 g/mol.
    material = get_material(formula)
    assert grams_per_mole(material) == pytest.approx(STANDARD_MOLAR_MASS[formula], abs=0.01)


def test_formula_composition():
    c3f8 = get_material("C3F8")
    assert {i.name for i in c3f8.isotopes} == {"C12", "C13", "F19"}
    carbon = sum(n for i, n in c3f8.components if i.symbol == "C")
    fluorine = sum(n for i, n in c3f8.components if i.symbol == "F")
    assert (carbon, fluorine) == (pytest.approx(3.0, rel=1e-12), pytest.approx(8.0, rel=1e-12))
    cawo4 = get_material("CaWO4")
    assert {i.symbol for i in cawo4.isotopes} == {"Ca", "W", "O"}
    assert sum(n for i, n in cawo4.components if i.symbol == "O") == pytest.approx(4.0)
    al2o3 = get_material("Al2O3")
    assert dict((i.name, n) for i, n in al2o3.components)["Al27"] == pytest.approx(2.0)
    h2o = get_material("H2O")
    assert sum(n for i, n in h2o.components if i.symbol == "H") == pytest.approx(2.0)


def test_heavy_water_uses_deuterium_only():
    d2o = get_material("D2O")
    hydrogen = [(i.name, n) for i, n in d2o.components if i.symbol == "H"]
    assert hydrogen == [("H2", 2.0)]
    assert d2o.nuclei_per_mass("H1") == 0.0
    # 16O is 0.99757 of the oxygen atoms (IUPAC 2013 interval midpoint; renormalised, the
    # oxygen abundances sum to 0.9999985), so per unit mass 2H/16O = 2 x 0.9999985/0.99757.
    ratio = d2o.nuclei_per_mass("H2") / d2o.nuclei_per_mass("O16")
    assert ratio == pytest.approx(2 * 0.9999985 / 0.99757, rel=1e-9)
    assert grams_per_mole(d2o) == pytest.approx(20.0276, abs=0.001)


def test_presets_and_aliases():
    names = preset_material_names()
    required_names = ["CsI", "NaI", "Ar", "LAr", "Ge", "Xe", "LXe", "Si", "CaWO4"]
    required_names += ["Al2O3", "C3F8", "H2O", "D2O", "Pb", "Zn", "Th"]
    for required in required_names:
        assert required in names
        assert get_material(required).molar_mass > 0
    assert get_material("LAr") == get_material("Ar")
    assert get_material("LXe") == get_material("Xe")
    argon = get_material("Ar")
    # Atmospheric argon (IUPAC 2013): 40Ar 0.996035 of the atoms.
    ar40 = dict((i.name, n) for i, n in argon.components)["Ar40"]
    assert ar40 == pytest.approx(0.996035, rel=1e-9)
    assert [i.A for i in get_material("Xe").isotopes] == [
        124,
        126,
        128,
        129,
        130,
        131,
        132,
        134,
        136,
    ]


def test_case_insensitive_presets_and_elements():
    assert get_material("csi") == get_material("CsI")
    assert get_material("lxe") == get_material("Xe")
    assert get_material(" NaI ") == get_material("NaI")
    assert get_material("cs").formula == "Cs"


@pytest.mark.parametrize("name", ["Ar40", "Ge76", "Xe132", "76Ge", "Xe-132"])
def test_isotope_names_are_pure_targets(name):
    material = get_material(name)
    isotope = get_isotope(name)
    assert material.components == ((isotope, 1.0),)
    assert material.nuclei_per_mass(isotope.name) * isotope.atomic_mass == pytest.approx(1.0)
    assert get_target(name) == material


def test_get_target_accepts_materials_and_isotopes():
    assert get_target("CsI") == get_material("CsI")
    assert get_target("cs133").components[0][0].name == "Cs133"
    assert get_target("C2H6O") == get_material("C2H6O")


@pytest.mark.parametrize(("name", "suggestion"), [("CsJ", "CsI"), ("Cs134x", "Cs133")])
def test_get_target_errors_suggest_close_matches(name, suggestion):
    with pytest.raises(CevnsInputError, match="nucleus or material") as info:
        get_target(name)
    assert name in str(info.value)
    assert suggestion in str(info.value)


@pytest.mark.parametrize("name", ["CsJ", "C3F8)", "xyz", "", "Co", "C0F4", "()"])
def test_unknown_materials_raise(name):
    with pytest.raises(CevnsInputError, match="material") as info:
        get_material(name)
    assert repr(name) in str(info.value)


def test_unknown_material_suggests_preset():
    with pytest.raises(CevnsInputError) as info:
        get_material("CsJ")
    assert "CsI" in str(info.value)
    with pytest.raises(CevnsInputError, match="Co"):
        get_material("CoF2")  # well-formed, but cobalt is not in the table
    with pytest.raises(CevnsInputError):
        get_material(42)  # type: ignore[arg-type]


def test_parse_formula():
    assert parse_formula("Ca(OH)2") == {"Ca": 1.0, "O": 2.0, "H": 2.0}
    assert parse_formula("C2H6O") == {"C": 2.0, "H": 6.0, "O": 1.0}
    assert parse_formula("Gd0.5O1.5") == {"Gd": 0.5, "O": 1.5}
    assert parse_formula("[Ca(OH)2]3") == {"Ca": 3.0, "O": 6.0, "H": 6.0}
    assert parse_formula("CH3CH2OH") == {"C": 2.0, "H": 6.0, "O": 1.0}
    for bad in ["", "C3F8)", "(CF4", "C0", "()", "c3f8", "C-F"]:
        with pytest.raises(ValueError):
            parse_formula(bad)


def test_decimal_and_bracket_formulas_are_materials():
    mixed = get_material("(CF4)0.5(C3F8)0.5")
    assert sum(n for i, n in mixed.components if i.symbol == "C") == pytest.approx(2.0)
    assert sum(n for i, n in mixed.components if i.symbol == "F") == pytest.approx(6.0)
    # 'HDO' mixes natural hydrogen and pure deuterium; H2 counts are merged.
    hdo = get_material("HDO")
    names = [i.name for i in hdo.isotopes]
    assert len(names) == len(set(names))
    assert dict((i.name, n) for i, n in hdo.components)["H2"] == pytest.approx(1.000145)


def test_mass_fractions_and_absent_isotopes():
    cawo4 = get_material("CaWO4")
    assert sum(cawo4.mass_fraction(i.name) for i in cawo4.isotopes) == pytest.approx(1.0)
    assert cawo4.nuclei_per_mass("Xe132") == 0.0
    assert cawo4.mass_fraction("Xe132") == 0.0
    with pytest.raises(CevnsInputError, match="Cs134x"):
        cawo4.nuclei_per_mass("Cs134x")


_SYMBOLS = element_symbols()
_COUNTS = st.one_of(
    st.integers(min_value=1, max_value=30).map(str),
    st.floats(min_value=0.01, max_value=100, allow_nan=False).map(repr),
    st.just(""),
)


@settings(deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_SYMBOLS), _COUNTS), min_size=1, max_size=6))
def test_nuclei_per_mass_sum_to_one_formula_unit(terms):
    formula = "".join(symbol + count for symbol, count in terms)
    # A formula that reads as an isotope name ('H2', 'Ar40') is taken as the isotope.
    assume(canonical_isotope_name(formula) not in all_isotopes())
    material = get_material(formula)
    per_mass = material.nuclei_per_mass_by_isotope()
    assert per_mass and all(value > 0 for value in per_mass.values())
    # Σ_i (nuclei of i per unit mass) × m_i = 1: the isotopes make up all of the mass.
    total = sum(value * get_isotope(name).atomic_mass for name, value in per_mass.items())
    assert total == pytest.approx(1.0, rel=1e-12)
    # Per element, the nuclei per unit mass add up to the element count per formula unit.
    expected_counts: dict[str, float] = {}
    for symbol, count in terms:
        expected_counts[symbol] = expected_counts.get(symbol, 0.0) + float(count or 1)
    for symbol, count in expected_counts.items():
        nuclei = sum(v for name, v in per_mass.items() if get_isotope(name).symbol == symbol)
        assert nuclei * material.molar_mass == pytest.approx(count, rel=1e-12)
    assert material.molar_mass == pytest.approx(
        sum(
            c * sum(i.abundance * i.atomic_mass for i in _natural(s)) / _total(s)
            for s, c in expected_counts.items()
        ),
        rel=1e-12,
    )


def _natural(symbol):
    return [i for i in all_isotopes().values() if i.symbol == symbol and i.abundance > 0]


def _total(symbol):
    return sum(i.abundance for i in _natural(symbol))


def test_units_of_molar_mass():
    # molar_mass is the mass of one formula unit: for pure 40Ar it is its atomic mass.
    assert get_material("Ar40").molar_mass / u == pytest.approx(39.96238312204, rel=1e-12)
