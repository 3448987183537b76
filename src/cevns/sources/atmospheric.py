"""Low-energy atmospheric neutrinos at an underground site, from the FLUKA tables.

dΦ/dE for ν_e, ν̄_e, ν_μ, ν̄_μ integrated over all directions, 13–944 MeV, at the
Super-Kamiokande site (``site="kamioka"``) at solar average: G. Battistoni, A. Ferrari,
T. Montaruli and P. R. Sala, Astropart. Phys. 23, 526 (2005) — the table of the
neutrino-floor studies (e.g. J. Billard, L. Strigari, E. Figueroa-Feliciano, PRD 89, 023524
(2014)). The numbers and their provenance are in ``data/atmospheric_fluka_kamioka.csv``;
linear between rows, nothing outside 13–944 MeV (below 13 MeV the ⁸B, hep and DSNB fluxes
dominate; a power-law continuation of the last rows, ∝ E^−2.3, would add 4–6 % to each
flavour's integral above 944 MeV). No oscillation is applied (the table is the production
flux; CEvNS is flavour blind at tree level, and ν_τ appearance is absent from the table).

Relative uncertainty of the normalisation: 20 % (Billard et al. 2014, Table I, following
the FLUKA and Honda comparisons of Battistoni et al. 2005 and Honda et al., PRD 83, 123001
(2011)).

Convention (shared with the Sun and the DSNB, :data:`cevns.sources.base.EMITTING_AREA_TIME`):
the source unit is one second and the source emits Φ · 4π (1 au)² per second, so
``Flux(AtmosphericNeutrinos(), T / s, DETECTOR_DISTANCE)`` is the fluence of an exposure T.
"""

from __future__ import annotations

from importlib import resources

import numpy as np

from cevns.errors import require_choice
from cevns.sources.base import EMITTING_AREA_TIME
from cevns.sources.simple import TabulatedSource
from cevns.units import MeV, cm2, s

#: Sites with a table: name → data file.
SITES: dict[str, str] = {"kamioka": "data/atmospheric_fluka_kamioka.csv"}
#: 1σ relative uncertainty of the normalisation (Billard et al., PRD 89, 023524 (2014)).
RELATIVE_UNCERTAINTY = 0.20
REFERENCE = (
    "G. Battistoni, A. Ferrari, T. Montaruli and P. R. Sala, Astropart. Phys. 23, 526 (2005) "
    "(FLUKA, Super-Kamiokande site, solar average)"
)


def _read(site: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    text = resources.files("cevns.sources").joinpath(SITES[site]).read_text("utf-8")
    header = next(line for line in text.splitlines() if line.startswith("# columns:"))
    names = header.split(":", 1)[1].strip().split(",")
    rows = [
        [float(x) for x in line.split(",")]
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    ]
    table = np.array(rows)
    return table[:, 0], {name: table[:, k] for k, name in enumerate(names) if k > 0}


class AtmosphericNeutrinos(TabulatedSource):
    """Atmospheric ν_e, ν̄_e, ν_μ, ν̄_μ per second (module docstring for the convention)."""

    def __init__(self, site: str = "kamioka"):
        self.site = require_choice("site", site, tuple(SITES))
        energies, fluxes = _read(self.site)
        per_area_time = 1 / (MeV * cm2 * s)
        super().__init__(
            energies * MeV,
            {name: values * per_area_time * EMITTING_AREA_TIME for name, values in fluxes.items()},
            source_unit="second",
            origin=f"atmospheric neutrinos at {self.site} (FLUKA)",
        )
        self.reference = REFERENCE
        self.relative_uncertainty = RELATIVE_UNCERTAINTY

    def flux_at_detector(self, flavor: str) -> float:
        """Φ of ``flavor`` (internal units per area per time), integrated over the table."""
        return self.neutrinos_per_unit(flavor) / EMITTING_AREA_TIME


__all__ = ["RELATIVE_UNCERTAINTY", "SITES", "AtmosphericNeutrinos"]
