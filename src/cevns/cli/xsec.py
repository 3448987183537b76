"""``cevns xsec``: the cross section of a nucleus or material — CEvNS (Standard Model) or,
with ``--channel``, an inelastic channel of :mod:`cevns.inelastic` (``cc``, ``nc``,
``nin-1n``, ``nin-2n``) with the same JSON keys."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import typer

from cevns.cli.output import (
    print_json,
    print_table,
    reports_input_errors,
    require_finite_report,
    shorten,
    working,
)
from cevns.errors import CevnsInputError, require_choice, require_positive
from cevns.interactions.couplings import standard_model_couplings
from cevns.interactions.cross_section import differential_cross_section, total_cross_section
from cevns.interactions.kinematics import recoil_energy_max
from cevns.interactions.standard_model import weak_charge
from cevns.nuclear.form_factors import FORM_FACTOR_MODELS
from cevns.nuclear.materials import get_target
from cevns.units import MeV, cm2, keV

FLAVOR_CHOICES = ("e", "mu", "tau")
SPECTRUM_POINTS = 41
#: ``--channel`` values: elastic CEvNS and the inelastic processes of cevns.inelastic.
CHANNEL_CHOICES = ("cevns", "cc", "nc", "nin-1n", "nin-2n")
#: The neutrino energies ``cevns xsec`` accepts, in MeV: 1 eV to 1 GeV (coherence is lost
#: long before 1 GeV, and the quadrature's cost grows as E²).
ENERGY_RANGE_MEV = (1e-6, 1e3)


def checked_energy(energy_mev: float) -> float:
    """``--energy`` in internal units; a one-line error outside :data:`ENERGY_RANGE_MEV`."""
    value = float(require_positive("--energy", energy_mev, "MeV"))
    low, high = ENERGY_RANGE_MEV
    if not low <= value <= high:
        raise CevnsInputError(
            f"--energy must be between {low:g} and {high:g} MeV (1 eV to 1 GeV); got {value:g}"
        )
    return value * MeV


def cross_section_report(
    target: str,
    energy_mev: float,
    flavor: str = "mu",
    form_factor: str = "helm",
    antineutrino: bool = False,
    spectrum: bool = False,
) -> dict[str, Any]:
    """The numbers ``cevns xsec`` prints, as a JSON-ready dictionary.

    For a material, the cross section and weak charge are per formula unit (sums over its
    nuclei weighted by atoms per formula unit) and the recoil endpoint is that of its
    lightest nucleus.
    """
    energy = checked_energy(energy_mev)
    require_choice("--flavor", flavor, FLAVOR_CHOICES)
    require_choice("--form-factor", form_factor, FORM_FACTOR_MODELS)
    material = get_target(target)
    neutrino = f"nu_{flavor}" + ("_bar" if antineutrino else "")
    couplings = standard_model_couplings(neutrino)
    rows: list[dict[str, Any]] = []
    for isotope, count in material.components:
        sigma = float(total_cross_section(energy, isotope, neutrino, form_factors=form_factor))
        rows.append(
            {
                "isotope": isotope.name,
                "atoms_per_formula_unit": count,
                "total_cross_section_cm2": sigma / cm2,
                "recoil_energy_max_kev": float(recoil_energy_max(energy, isotope.nuclear_mass))
                / keV,
                "weak_charge": weak_charge(isotope, couplings),
            }
        )
    report: dict[str, Any] = {
        "target": material.name,
        "neutrino_energy_mev": energy / MeV,
        "flavor": neutrino,
        "form_factor": form_factor,
        "total_cross_section_cm2": sum(
            r["total_cross_section_cm2"] * r["atoms_per_formula_unit"] for r in rows
        ),
        "recoil_energy_max_kev": max(r["recoil_energy_max_kev"] for r in rows),
        "weak_charge": sum(r["weak_charge"] * r["atoms_per_formula_unit"] for r in rows),
        "isotopes": rows,
    }
    if spectrum:
        report["spectrum"] = _spectrum(material, energy, neutrino, form_factor, report)
    require_finite_report(report, f"--energy {energy_mev:g}")
    return report


def inelastic_report(
    target: str, energy_mev: float, channel: str, flavor: str = "e", antineutrino: bool = False
) -> dict[str, Any]:
    """The ``cevns xsec --channel`` report of an inelastic process (the keys of
    :func:`cross_section_report`; the CEvNS-only ones — form factor, recoil endpoint, weak
    charge — are null), summed over the isotopes of ``target`` that have the channel."""
    from cevns.inelastic.channels import channels_for_target, missing_reason, targets_for

    energy = checked_energy(energy_mev)
    require_choice("--channel", channel, CHANNEL_CHOICES)
    require_choice("--flavor", flavor, FLAVOR_CHOICES)
    neutrino = f"nu_{flavor}" + ("_bar" if antineutrino else "")
    if channels_for_target(target):
        components = [(target, 1.0)]
        name = target
    else:
        material = get_target(target)
        components = [(iso.name, count) for iso, count in material.components]
        name = material.name
    rows: list[dict[str, Any]] = []
    for isotope, count in components:
        found = [c for c in channels_for_target(isotope) if c.process == channel]
        if not found:
            continue
        chosen = found[0]
        chosen.check_flavor(neutrino, "--flavor")
        chosen.check_energy(energy, neutrino, "--energy")
        sigma = float(chosen.cross_section(energy, neutrino))
        lines = chosen.electron_lines(np.array([energy]), neutrino)
        rows.append(
            {
                "isotope": chosen.target,
                "atoms_per_formula_unit": count,
                "total_cross_section_cm2": sigma / cm2,
                "recoil_energy_max_kev": None,
                "weak_charge": None,
                "channel": chosen.name,
                "reaction": chosen.reaction,
                "q_value_mev": chosen.q_value / MeV,
                "electron_lines": [
                    {
                        "q_mev": offset / MeV,
                        "electron_kinetic_energy_mev": max(energy - offset, 0.0) / MeV,
                        "cross_section_cm2": float(value[0]) / cm2,
                    }
                    for value, offset in lines
                ],
                "neutrons": chosen.neutrons_for(neutrino),
                "sources": chosen.sources_for(neutrino),
            }
        )
    if not rows:
        reason = missing_reason(channel, name)
        raise CevnsInputError(
            f"--channel {channel!r} has no cross section for {name}; allowed targets: "
            f"{', '.join(targets_for(channel))}" + (f" ({reason})" if reason else "")
        )
    report: dict[str, Any] = {
        "target": name,
        "neutrino_energy_mev": energy / MeV,
        "flavor": neutrino,
        "form_factor": None,
        "channel": channel,
        "total_cross_section_cm2": sum(
            r["total_cross_section_cm2"] * r["atoms_per_formula_unit"] for r in rows
        ),
        "recoil_energy_max_kev": None,
        "weak_charge": None,
        "isotopes": rows,
    }
    require_finite_report(report, f"--energy {energy_mev:g}")
    return report


def _spectrum(material, energy, neutrino, form_factor, report) -> dict[str, list[float]]:
    recoil = np.linspace(0.0, report["recoil_energy_max_kev"], SPECTRUM_POINTS) * keV
    total = np.zeros_like(recoil)
    for isotope, count in material.components:
        total += count * differential_cross_section(
            energy, recoil, isotope, neutrino, form_factors=form_factor
        )
    return {
        "recoil_energy_kev": (recoil / keV).tolist(),
        "differential_cross_section_cm2_per_kev": (total / (cm2 / keV)).tolist(),
    }


def register(app: typer.Typer) -> None:
    """Add the ``xsec`` command to ``app``."""

    @app.command("xsec")
    @reports_input_errors
    def xsec(
        nucleus: Annotated[str, typer.Argument(help="Isotope (Cs133) or material (CsI, Ar, Ge).")],
        energy: Annotated[float, typer.Option("--energy", help="Neutrino energy in MeV.")],
        flavor: Annotated[str, typer.Option(help="Neutrino flavour: e, mu or tau.")] = "mu",
        form_factor: Annotated[
            str, typer.Option(help="helm, klein-nystrand, symmetrized-fermi or none.")
        ] = "helm",
        antineutrino: Annotated[bool, typer.Option(help="Antineutrino of that flavour.")] = False,
        spectrum: Annotated[bool, typer.Option(help="Also print dσ/dT on a recoil grid.")] = False,
        channel: Annotated[
            str, typer.Option(help="cevns, or an inelastic process: cc, nc, nin-1n, nin-2n.")
        ] = "cevns",
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Total and differential Standard-Model CEvNS cross section, or the total cross
        section of an inelastic channel (--channel)."""
        require_choice("--channel", channel, CHANNEL_CHOICES)
        if channel != "cevns":
            if spectrum:
                raise CevnsInputError(
                    f"--spectrum is the CEvNS recoil spectrum dσ/dT; allowed only with "
                    f"--channel cevns (got --channel {channel})"
                )
            with working(f"cross section of {channel} on {shorten(nucleus)}", not as_json):
                report = inelastic_report(nucleus, energy, channel, flavor, antineutrino)
            _print_inelastic(report, as_json)
            return
        with working(f"cross section on {shorten(nucleus)}", not as_json):
            report = cross_section_report(
                nucleus, energy, flavor, form_factor, antineutrino, spectrum
            )
        report["channel"] = "cevns"
        if as_json:
            print_json(report)
            return
        title = (
            f"{report['flavor']} on {report['target']} at {report['neutrino_energy_mev']:g} MeV "
            f"({report['form_factor']} form factor)"
        )
        columns = ["isotope", "atoms/formula unit", "σ [cm²]", "T_max [keV]", "Q_W"]
        rows = [
            [r["isotope"], r["atoms_per_formula_unit"], r["total_cross_section_cm2"],
             r["recoil_energy_max_kev"], r["weak_charge"]]
            for r in report["isotopes"]
        ]  # fmt: skip
        if len(rows) > 1:
            rows.append(["per formula unit", "", report["total_cross_section_cm2"],
                         report["recoil_energy_max_kev"], report["weak_charge"]])  # fmt: skip
        print_table(title, columns, rows)
        if spectrum:
            grid = report["spectrum"]
            print_table(
                "dσ/dT per formula unit",
                ["T [keV]", "dσ/dT [cm²/keV]"],
                list(
                    zip(
                        grid["recoil_energy_kev"],
                        grid["differential_cross_section_cm2_per_kev"],
                        strict=True,
                    )
                ),
            )


def _print_inelastic(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(report)
        return
    print_table(
        f"{report['flavor']} on {report['target']} at {report['neutrino_energy_mev']:g} MeV "
        f"(channel {report['channel']})",
        ["channel", "atoms/formula unit", "σ [cm²]", "Q [MeV]", "neutrons"],
        [
            [
                r["channel"],
                r["atoms_per_formula_unit"],
                r["total_cross_section_cm2"],
                r["q_value_mev"],
                "" if r["neutrons"] is None else r["neutrons"],
            ]
            for r in report["isotopes"]
        ],
    )
