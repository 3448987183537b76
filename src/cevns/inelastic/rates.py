"""Event rates of inelastic channels at a detector, with the observables they produce.

For a flux Φ (number per area; per flavour f a spectrum dΦ_f/dE or a line) and N target
nuclei, a channel's interactions are

    N_f = N ∫ dΦ_f/dE σ_f(E) dE,

its charged lepton (charged-current channels) has the kinetic energy T_e = E_ν − Q_k of
final state k (:meth:`Channel.electron_lines`), observed with the Gaussian resolution of
:class:`GaussianResolution`, and its neutrons are N_f × multiplicity
(:meth:`Channel.neutrons_for`). The integral uses the breakpoint-aware nodes of
:func:`cevns.inelastic.averages.energy_nodes`; a line (the prompt ν_μ) is one node.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from cevns.errors import CevnsInputError, require_increasing, require_non_negative
from cevns.inelastic.averages import energy_nodes
from cevns.inelastic.channels import Channel
from cevns.sources.flux import Flux
from cevns.units import MeV


@dataclass(frozen=True)
class GaussianResolution:
    """σ_E(E) = √(a² E·MeV + (b E)²): ``stochastic`` a (fractional resolution at 1 MeV) and
    ``constant`` b, added in quadrature — the usual calorimeter form (e.g. PDG Review
    "Particle detectors at accelerators", Sec. calorimetry). Both 0: a perfect detector."""

    stochastic: float = 0.0
    constant: float = 0.0

    def __post_init__(self) -> None:
        require_non_negative("resolution.stochastic", self.stochastic)
        require_non_negative("resolution.constant", self.constant)

    def width(self, energy: np.ndarray) -> np.ndarray:
        """σ_E at true energy ``energy`` (internal units)."""
        energy = np.maximum(np.asarray(energy, dtype=float), 0.0)
        return np.sqrt(self.stochastic**2 * energy * MeV + (self.constant * energy) ** 2)

    def bin_probabilities(self, energy: np.ndarray, edges: np.ndarray) -> np.ndarray:
        """P[..., k]: probability that true ``energy`` is observed in bin [edges[k], edges[k+1])."""
        energy = np.asarray(energy, dtype=float)[..., np.newaxis]
        width = self.width(energy)
        safe = np.where(width > 0, width, 1.0)
        cdf = np.where(width > 0, ndtr((edges - energy) / safe), (edges > energy) * 1.0)
        return np.diff(cdf, axis=-1)


@dataclass(frozen=True)
class ChannelRate:
    """Interactions of one channel by flavour, their electron spectra and neutrons."""

    channel: Channel
    interactions: dict[str, float]
    electron_spectrum: dict[str, np.ndarray] | None
    neutrons: dict[str, float] | None

    @property
    def total_interactions(self) -> float:
        return float(sum(self.interactions.values()))


def _nodes(channel: Channel, flavor: str, flux: Flux) -> tuple[np.ndarray, np.ndarray]:
    """Energies and weights (number per area) of ``flux`` for integrals with σ of ``channel``."""
    source = flux.source
    if source.line_energy(flavor) is not None:
        quadrature = flux.energy_quadrature(flavor)
        return quadrature.energies, quadrature.weights
    lower, upper = source.energy_range(flavor)
    lower = max(lower, min(channel.threshold(flavor), upper))
    nodes, weights = energy_nodes(channel, flavor, lower, upper)
    return nodes, weights * flux.spectral_fluence(flavor, nodes)


def channel_rate(
    channel: Channel,
    flux: Flux,
    nuclei: float,
    electron_edges: np.ndarray | None = None,
    resolution: GaussianResolution | None = None,
    efficiency: float = 1.0,
) -> ChannelRate:
    """Interactions (× ``efficiency``) of ``channel`` for ``nuclei`` targets in ``flux``.

    With ``electron_edges`` (internal energy units, increasing) a charged-current channel
    also gets its electron kinetic-energy spectrum per bin, smeared by ``resolution``;
    channels that fix a neutron multiplicity get their neutron count.
    """
    require_non_negative("nuclei", nuclei)
    edges = None
    if electron_edges is not None:
        edges = require_increasing("electron energy edges", electron_edges, MeV, "MeV")
    resolution = resolution or GaussianResolution()
    interactions, spectra, neutrons = {}, {}, {}
    for flavor in flux.flavors:
        if flavor not in channel.components:
            continue
        energies, weights = _nodes(channel, flavor, flux)
        scale = nuclei * efficiency
        sigma = channel.cross_section(energies, flavor)
        interactions[flavor] = scale * float(np.dot(weights, sigma))
        multiplicity = channel.neutrons_for(flavor)
        if multiplicity is not None:
            neutrons[flavor] = multiplicity * interactions[flavor]
        if edges is not None and channel.charged_lepton:
            spectrum = np.zeros(len(edges) - 1)
            for sigma, offset in channel.electron_lines(energies, flavor):
                kinetic = np.maximum(energies - offset, 0.0)
                spectrum += (weights * sigma) @ resolution.bin_probabilities(kinetic, edges)
            spectra[flavor] = scale * spectrum
    return ChannelRate(
        channel=channel,
        interactions=interactions,
        electron_spectrum=spectra if edges is not None and channel.charged_lepton else None,
        neutrons=neutrons or None,
    )


def years_to_precision(
    signal_per_year: float, precision: float, background_per_year: float = 0.0
) -> float:
    """Years until a Poisson counting measurement of the signal rate reaches the relative
    statistical ``precision``: √(S + B)/S = p with S, B ∝ t gives
    t = (S₁ + B₁) / (p² S₁²) for S₁, B₁ per year (B measured separately with no error)."""
    require_non_negative("background_per_year", background_per_year)
    if signal_per_year <= 0 or precision <= 0:
        raise CevnsInputError(
            f"signal_per_year and precision must be positive; got {signal_per_year!r}, "
            f"{precision!r}"
        )
    return (signal_per_year + background_per_year) / (precision**2 * signal_per_year**2)


__all__ = ["ChannelRate", "GaussianResolution", "channel_rate", "years_to_precision"]
