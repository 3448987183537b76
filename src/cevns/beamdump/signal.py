"""Dark-matter recoil spectra and histograms through an experiment's detector response.

The expected histogram of χ–nucleus recoils reuses the pieces of the CEvNS prediction
(:mod:`cevns.experiments.engine`):

    dN/dT_iso(T) = POT · N_iso · Σ_i φ_i dσ/dT(E_i, T)         (φ_i: χ per POT per area),
    s[k] = Σ_iso Σ_j R_iso[k, j] w_j dN/dT_iso(T_j),
    H[k, t] = s[k] · τ[t],

with R[k, j] the response matrix of :func:`cevns.detectors.response.build_response_matrix`
(the experiment's quenching per element, light yield, smearing and energy efficiency) on
composite Gauss–Legendre recoil nodes, and τ[t] = ∫_bin p(t − δ) ε_t(t) dt the prompt
time template: the proton pulse p of the experiment's source delayed by the mean χ flight
delay δ, times the time efficiency (the engine's adaptive :func:`time_bin_integrals`).
Unlike neutrinos from π⁺ and μ⁺ decay at rest, χ carry no decay-time tail.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cevns.beamdump.flux import DarkMatterFlux
from cevns.beamdump.portals import DarkSector
from cevns.beamdump.scattering import differential_cross_section, max_recoil, nuclear_coupling
from cevns.detectors.response import build_response_matrix
from cevns.errors import CevnsInputError
from cevns.experiments.build import Experiment
from cevns.experiments.engine import time_bin_integrals
from cevns.experiments.kernels import recoil_nodes
from cevns.nuclear.form_factors import HelmFormFactor
from cevns.nuclear.isotopes import get_isotope
from cevns.sources.timing import GaussianPulse, ProtonPulse

#: Energy bins into which the χ sample is grouped before folding (log-spaced).
ENERGY_GROUPS = 120


def _grouped(flux: DarkMatterFlux) -> tuple[np.ndarray, np.ndarray]:
    """The flux's χ grouped in log-spaced energy bins: weighted mean energies, weights."""
    if flux.energies.size == 0:
        return np.empty(0), np.empty(0)
    kinetic = np.maximum(flux.energies - flux.mass, 1e-12 * flux.mass)
    edges = np.geomspace(kinetic.min() * 0.999, kinetic.max() * 1.001, ENERGY_GROUPS + 1)
    index = np.clip(np.searchsorted(edges, kinetic) - 1, 0, ENERGY_GROUPS - 1)
    weight = np.bincount(index, flux.weights, ENERGY_GROUPS)
    energy = np.bincount(index, flux.weights * flux.energies, ENERGY_GROUPS)
    keep = weight > 0
    return energy[keep] / weight[keep], weight[keep]


def recoil_cap(experiment: Experiment, isotope: str, t_max: float) -> float:
    """Largest recoil worth folding: T_max of the flux, cut where the quenching stops being
    valid or the mean observable passes 3× the last bin edge (no events beyond)."""
    quenching = experiment.quenching_for(isotope)
    high = min(t_max, getattr(quenching, "valid_range", (0.0, np.inf))[1],
               getattr(quenching, "monotonic_limit", np.inf) * (1 - 1e-9))  # fmt: skip
    grid = high * np.geomspace(1e-6, 1.0, 400)
    scale = 1.0 if experiment.light_yield is None else experiment.light_yield
    mean = np.asarray(quenching.electron_equivalent(grid), dtype=float) * scale
    beyond = np.nonzero(mean > 3.0 * float(experiment.observable_edges[-1]))[0]
    return float(grid[beyond[0]]) if beyond.size else float(high)


@dataclass(frozen=True)
class _PromptSource:
    pulse: ProtonPulse

    def time_density(self, flavor: str, t: np.ndarray) -> np.ndarray:
        return self.pulse.density(t)


def prompt_time_template(experiment: Experiment, delay: float = 0.0) -> np.ndarray:
    """τ[t]: fraction of prompt arrivals per time bin, with the time efficiency."""
    if experiment.time_edges is None:
        return np.ones(1)
    pulse = getattr(experiment.flux.source, "pulse", None)
    if not isinstance(pulse, GaussianPulse):
        raise CevnsInputError(
            f"{experiment.name}: the dark-matter time template needs a Gaussian proton pulse "
            "in source.pulse"
        )
    shifted = _PromptSource(GaussianPulse(pulse.sigma, pulse.mean + delay))
    result = time_bin_integrals(shifted, ("dm",), experiment.time_edges, experiment.time_efficiency)
    return result["dm"]


@dataclass(frozen=True)
class DarkMatterPrediction:
    """Expected dark-matter events: per observable bin (before time), time template, and
    the recoil spectrum summed over isotopes at ``recoil`` (per energy, per exposure)."""

    observable: np.ndarray
    time: np.ndarray
    recoil: np.ndarray
    recoil_rate: np.ndarray

    @property
    def histogram(self) -> np.ndarray:
        return np.outer(self.observable, self.time)

    @property
    def events(self) -> float:
        return float(np.sum(self.histogram))


def predict(
    experiment: Experiment,
    flux: DarkMatterFlux,
    sector: DarkSector,
    protons_on_target: float,
    nodes: int = 240,
) -> DarkMatterPrediction:
    """Expected χ–nucleus recoil events of ``experiment`` (see the module docstring)."""
    energies, weights = _grouped(flux)
    observable = np.zeros(len(experiment.observable_edges) - 1)
    all_recoil, all_rate = [], []
    for name, targets in experiment.nuclei_by_isotope().items():
        iso = get_isotope(name)
        mass = iso.nuclear_mass
        if energies.size == 0:
            continue
        top = float(max_recoil(energies.max(), flux.mass, mass))
        cap = recoil_cap(experiment, name, top)
        breaks = np.concatenate(([0.0], cap * np.geomspace(1e-4, 1.0, 25)))
        t, w = recoil_nodes(breaks, nodes)
        sigma = differential_cross_section(
            energies[:, None], t[None, :],
            dark_matter_mass=flux.mass, mediator_mass=sector.mediator_mass,
            nuclear_mass=mass,
            nuclear_strength=nuclear_coupling(sector.portal, sector.coupling, iso.Z, iso.A),
            dark_coupling=sector.dark_coupling, spin=sector.spin,
            form_factor=HelmFormFactor.lewin_smith(iso.A),
        )  # fmt: skip
        rate = protons_on_target * targets * (weights @ sigma)
        response = build_response_matrix(
            t, experiment.quenching_for(name), experiment.light_yield, experiment.smearing,
            experiment.observable_edges, experiment.energy_efficiency,
        )  # fmt: skip
        observable = observable + response @ (w * rate)
        all_recoil.append(t)
        all_rate.append(rate)
    time = prompt_time_template(experiment, flux.mean_delay)
    recoil = np.concatenate(all_recoil) if all_recoil else np.empty(0)
    rates = np.concatenate(all_rate) if all_rate else np.empty(0)
    return DarkMatterPrediction(observable, time, recoil, rates)


__all__ = ["DarkMatterPrediction", "predict", "prompt_time_template", "recoil_cap"]
