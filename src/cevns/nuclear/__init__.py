"""Nuclear data: isotopes (masses, abundances, spins) and target materials."""

from cevns.nuclear.isotopes import Isotope, all_isotopes, get_isotope, natural_isotopes
from cevns.nuclear.materials import Material, get_material, get_target, preset_material_names

__all__ = [
    "Isotope",
    "Material",
    "all_isotopes",
    "get_isotope",
    "get_material",
    "get_target",
    "natural_isotopes",
    "preset_material_names",
]
