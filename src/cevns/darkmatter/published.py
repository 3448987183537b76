"""Published neutrino-fog numbers and the inputs of the published calculations.

The numbers live once, in ``data/fog_published.toml`` (each with its source): O'Hare's n = 2
boundary (PRL 127, 251802 (2021), arXiv:2109.03116) for Xe, Ar, Ge, CaWO₄ and NaI at 6 and
100 GeV, and Billard, Strigari & Figueroa-Feliciano's xenon neutrino floor (PRD 89, 023524
(2014), arXiv:1307.5458). ``cevns fog`` prints them next to its own values and
``tests/test_darkmatter_reference.py`` reads them from here.

:func:`ohare_2021_settings` returns the inputs of O'Hare's calculation (halo, threshold,
binning, discovery criterion, the ⁸B, atmospheric and DSNB fluxes and uncertainties he used),
so that a comparison can be made with the same inputs.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

from cevns.darkmatter.discovery import DiscoveryCriterion
from cevns.darkmatter.fog import FogSettings
from cevns.darkmatter.halo import StandardHaloModel, km_per_s
from cevns.units import GeV, cm, cm2, keV, s

#: Named input sets of ``cevns fog --inputs``.
INPUT_SETS = ("cevns", "ohare-2021")


@cache
def _data() -> dict[str, Any]:
    text = (
        resources.files("cevns.darkmatter").joinpath("data/fog_published.toml").read_text("utf-8")
    )
    return tomllib.loads(text)


def published_values(target: str) -> dict[str, Any]:
    """For each publication: its reference, the quantity, where the numbers come from and
    the values for ``target`` (mass in GeV as a string → cross section in cm²; empty if the
    publication has none for this target)."""
    out = {}
    for key, table in _data().items():
        values_key = next(k for k in table if k.endswith("_cm2"))
        out[key] = {
            "reference": table["reference"],
            "quantity": table["quantity"],
            "data": table["data"],
            "values_cm2": dict(table[values_key].get(target, {})),
        }
    return out


def ohare_2021_settings() -> FogSettings:
    """The inputs of O'Hare (2021) as :class:`~cevns.darkmatter.fog.FogSettings`."""
    table = _data()["ohare_2021"]["inputs"]
    halo = StandardHaloModel(
        local_density=table["local_density_GeV_cm3"] * GeV / cm**3,
        circular_speed=table["circular_speed_km_s"] * km_per_s,
        escape_speed=table["escape_speed_km_s"] * km_per_s,
        earth_speed=table["earth_speed_km_s"] * km_per_s,
        reference="O'Hare 2021 (github.com/cajohare/NeutrinoFog src/WIMPFuncs.py defaults)",
    )
    return FogSettings(
        threshold=table["threshold_keV"] * keV,
        max_recoil=table["max_recoil_keV"] * keV,
        bins=table["bins"],
        criterion=DiscoveryCriterion(table["significance"], table["probability"]),
        halo=halo,
        fluxes={name: entry["flux"] / cm2 / s for name, entry in table["fluxes"].items()},
        uncertainties={
            name: entry["relative_uncertainty"] for name, entry in table["fluxes"].items()
        },
        name="ohare-2021",
    )


def settings_named(name: str) -> FogSettings:
    """``cevns`` (the package defaults) or ``ohare-2021``."""
    from cevns.errors import require_choice

    require_choice("--inputs", name, INPUT_SETS)
    return FogSettings() if name == "cevns" else ohare_2021_settings()


__all__ = ["INPUT_SETS", "ohare_2021_settings", "published_values", "settings_named"]
