"""Neutrino sources: spectra per flavour, time structure, fluxes and oscillation factors.

* :mod:`~cevns.sources.flavors` — the six flavour names;
* :mod:`~cevns.sources.base` — :class:`NeutrinoSource` and :class:`EnergyQuadrature`;
* :mod:`~cevns.sources.pion_dar` — π⁺ decay at rest (ν_μ line, Michel ν_e and ν̄_μ);
* :mod:`~cevns.sources.timing` — proton pulses and prompt/delayed time densities;
* :mod:`~cevns.sources.facilities` — SNS (FTS, PPU, STS), Lujan, ESS, J-PARC MLF, CSNS;
* :mod:`~cevns.sources.reactor` — Huber–Mueller reactor ν̄_e;
* :mod:`~cevns.sources.simple` — monochromatic and tabulated sources;
* :mod:`~cevns.sources.supernova` — pinched Fermi–Dirac supernova burst;
* :mod:`~cevns.sources.solar` — B16 standard-solar-model neutrinos with MSW-LMA flavours;
* :mod:`~cevns.sources.atmospheric` — low-energy atmospheric neutrinos (FLUKA tables);
* :mod:`~cevns.sources.dsnb` — the diffuse supernova neutrino background;
* :mod:`~cevns.sources.oscillation` — 3+1 and disappearance factors;
* :mod:`~cevns.sources.flux` — :class:`Flux` at a distance and exposure helpers.

See ``docs/sources.md`` for the models, formulas and their sources.
"""

from cevns.sources.atmospheric import AtmosphericNeutrinos
from cevns.sources.base import DETECTOR_DISTANCE, EnergyQuadrature, NeutrinoSource
from cevns.sources.dsnb import DiffuseSupernovaBackground
from cevns.sources.facilities import Facility, facility_names, get_facility
from cevns.sources.flavors import FLAVORS, is_antineutrino, lepton_flavor
from cevns.sources.flux import (
    Flux,
    protons_on_target_from_beam_energy,
    protons_on_target_from_power,
)
from cevns.sources.oscillation import (
    Disappearance,
    Oscillation,
    SterileActiveSurvival,
    eV2,
    oscillation_phase,
)
from cevns.sources.pion_dar import (
    NEUTRINOS_PER_PROTON_PRESETS,
    PionDecayAtRest,
    michel_endpoint,
    neutrinos_per_proton_at_energy,
    nu_mu_line_energy,
)
from cevns.sources.reactor import (
    ISOTOPES,
    Reactor,
    antineutrinos_per_fission,
    energy_per_fission,
    inverse_beta_threshold,
)
from cevns.sources.simple import MonochromaticSource, TabulatedSource
from cevns.sources.solar import SolarComponent, SolarNeutrinos, solar_components
from cevns.sources.supernova import FlavorEmission, SupernovaBurst, kpc
from cevns.sources.timing import (
    DecayTimeProfile,
    GaussianPulse,
    InstantPulse,
    ProtonPulse,
    TabulatedPulse,
)

__all__ = [
    "DETECTOR_DISTANCE",
    "FLAVORS",
    "ISOTOPES",
    "NEUTRINOS_PER_PROTON_PRESETS",
    "AtmosphericNeutrinos",
    "DecayTimeProfile",
    "DiffuseSupernovaBackground",
    "Disappearance",
    "EnergyQuadrature",
    "Facility",
    "FlavorEmission",
    "Flux",
    "GaussianPulse",
    "InstantPulse",
    "MonochromaticSource",
    "NeutrinoSource",
    "Oscillation",
    "PionDecayAtRest",
    "ProtonPulse",
    "Reactor",
    "SolarComponent",
    "SolarNeutrinos",
    "SterileActiveSurvival",
    "SupernovaBurst",
    "TabulatedPulse",
    "TabulatedSource",
    "antineutrinos_per_fission",
    "eV2",
    "energy_per_fission",
    "facility_names",
    "get_facility",
    "inverse_beta_threshold",
    "is_antineutrino",
    "kpc",
    "lepton_flavor",
    "michel_endpoint",
    "neutrinos_per_proton_at_energy",
    "nu_mu_line_energy",
    "oscillation_phase",
    "protons_on_target_from_beam_energy",
    "protons_on_target_from_power",
    "solar_components",
]
