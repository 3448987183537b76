"""``cevns nuclei``: the isotopes and materials cevns knows."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cevns.cli.output import print_json, print_table, reports_input_errors
from cevns.constants import atomic_mass_unit
from cevns.nuclear.isotopes import all_isotopes
from cevns.nuclear.materials import get_material, preset_material_names
from cevns.units import MeV, kg


def nuclei_report() -> dict[str, Any]:
    """Isotopes (Z, N, masses, abundance, spin data with sources) and preset materials."""
    isotopes = [
        {
            "name": iso.name,
            "Z": iso.Z,
            "N": iso.N,
            "A": iso.A,
            "atomic_mass_u": iso.atomic_mass / atomic_mass_unit,
            "nuclear_mass_mev": iso.nuclear_mass / MeV,
            "abundance": iso.abundance,
            "spin": iso.spin,
            "spin_proton": iso.spin_proton,
            "spin_neutron": iso.spin_neutron,
            "spin_source": iso.spin_source,
        }
        for iso in all_isotopes().values()
    ]
    materials = []
    for name in preset_material_names():
        material = get_material(name)
        materials.append(
            {
                "name": material.name,
                "formula": material.formula,
                "molar_mass_g_per_mol": material.molar_mass / atomic_mass_unit,
                "nuclei_per_kg": {
                    iso: value * kg for iso, value in material.nuclei_per_mass_by_isotope().items()
                },
            }
        )
    return {"isotopes": isotopes, "materials": materials}


def register(app: typer.Typer) -> None:
    """Add the ``nuclei`` command to ``app``."""

    @app.command("nuclei")
    @reports_input_errors
    def nuclei(
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """List the isotopes and preset materials."""
        report = nuclei_report()
        if as_json:
            print_json(report)
            return
        print_table(
            "Isotopes (AME2020 masses, IUPAC abundances, shell-model spin expectation values)",
            ["isotope", "Z", "N", "atomic mass [u]", "abundance", "J", "<S_p>", "<S_n>"],
            [
                [
                    i["name"],
                    i["Z"],
                    i["N"],
                    f"{i['atomic_mass_u']:.6f}",
                    i["abundance"],
                    i["spin"],
                    i["spin_proton"],
                    i["spin_neutron"],
                ]
                for i in report["isotopes"]
            ],
        )
        print_table(
            "Materials",
            ["material", "formula", "molar mass [g/mol]", "nuclei per kg"],
            [
                [
                    m["name"],
                    m["formula"],
                    f"{m['molar_mass_g_per_mol']:.4f}",
                    ", ".join(f"{k}: {v:.4g}" for k, v in m["nuclei_per_kg"].items()),
                ]
                for m in report["materials"]
            ],
        )
