"""The isotropic neutrino fluence at a detector, and exposure helpers.

A :class:`Flux` is a source, an amount of it (``units_of_source``: protons on target,
fissions, seconds, bursts, ...) and a distance L. Neutrinos leave the source isotropically,
so the number per area at the detector is the emitted number × 1/(4π L²); an optional
:class:`~cevns.sources.oscillation.Oscillation` multiplies each quadrature node by its
survival probability P(E, L) (for a line, the one node's weight is simply scaled).

``units_of_source`` is either a number of units (protons on target, fissions, bursts, or
seconds of reactor operation as ``time / s``), giving a fluence (number per area), or a
*rate* of units per time (e.g. :attr:`Facility.protons_per_second`, or ``1 / s`` for a
source whose unit is the second), giving a flux per area per time:
``flux.fluence("nu_e") / (1 / cm2 / s)`` is then in ν cm⁻² s⁻¹.

The exposure helpers turn an integrated beam energy or a power × time into protons on
target, N = E_beam / T_p, with T_p the proton kinetic energy (the beam energy delivered per
proton). Example (full COHERENT CsI dataset, arXiv:2110.07730): 13.99 GWh at 0.983 GeV
gives 3.198e23 protons.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from cevns.errors import require_positive
from cevns.sources.base import (
    DEFAULT_QUADRATURE_POINTS,
    EnergyQuadrature,
    NeutrinoSource,
    isotropic_dilution,
)
from cevns.sources.oscillation import Oscillation


class Flux:
    """Neutrinos per area at ``distance`` from ``units_of_source`` units of ``source``.

    Raises :class:`~cevns.errors.CevnsInputError` for a non-positive number of units or
    distance.

    >>> from cevns import Flux, PionDecayAtRest
    >>> from cevns.units import cm2, m
    >>> flux = Flux(PionDecayAtRest(0.0848), 2e23, 19.3 * m)  # 2e23 protons, at 19.3 m
    >>> print(f"{flux.fluence('nu_e') * cm2:.3g} nu_e per cm2")
    3.62e+14 nu_e per cm2
    """

    def __init__(
        self,
        source: NeutrinoSource,
        units_of_source: float,
        distance: float,
        oscillation: Oscillation | None = None,
    ):
        self.source = source
        self.units_of_source = float(require_positive("units_of_source", units_of_source))
        self.distance = float(require_positive("distance", distance, "internal length units"))
        self.oscillation = oscillation

    @property
    def flavors(self) -> tuple[str, ...]:
        """The flavours emitted by the source (an oscillation only rescales them)."""
        return self.source.flavors

    @property
    def scale(self) -> float:
        """Source units × 1/(4π L²): from per-unit emission to number per area."""
        return self.units_of_source * isotropic_dilution(self.distance)

    def energy_quadrature(
        self, flavor: str, n_points: int = DEFAULT_QUADRATURE_POINTS
    ) -> EnergyQuadrature:
        """Source quadrature with weights in number per area, times P(E, L) if oscillating."""
        quadrature = self.source.energy_quadrature(flavor, n_points)
        weights = quadrature.weights * self.scale
        if self.oscillation is not None:
            weights = weights * self.oscillation.survival_probability(
                flavor, quadrature.energies, self.distance
            )
        return EnergyQuadrature(quadrature.energies, weights)

    def fluence(self, flavor: str) -> float:
        """Number of ``flavor`` neutrinos per area (per second if the units are per second)."""
        if self.oscillation is None:
            return self.source.neutrinos_per_unit(flavor) * self.scale
        return self.energy_quadrature(flavor).total

    def spectral_fluence(self, flavor: str, energy: ArrayLike) -> np.ndarray:
        """d(fluence)/dE at ``energy`` (continuous flavours only; see the source)."""
        density = self.source.spectral_density(flavor, energy) * self.scale
        if self.oscillation is not None:
            density = density * self.oscillation.survival_probability(
                flavor, np.asarray(energy, dtype=float), self.distance
            )
        return density


def protons_on_target_from_beam_energy(energy: float, proton_kinetic_energy: float) -> float:
    """Protons on target delivering an integrated beam ``energy`` (e.g. ``13.99 * GWh``)."""
    beam = float(require_positive("beam energy", energy, "internal energy units"))
    proton = float(
        require_positive("proton kinetic energy", proton_kinetic_energy, "internal energy units")
    )
    return beam / proton


def protons_on_target_from_power(power: float, time: float, proton_kinetic_energy: float) -> float:
    """Protons on target from a beam ``power`` running for ``time``: P t / T_p."""
    p = float(require_positive("beam power", power, "internal power units"))
    t = float(require_positive("time", time, "internal time units"))
    return protons_on_target_from_beam_energy(p * t, proton_kinetic_energy)


__all__ = [
    "Flux",
    "protons_on_target_from_beam_energy",
    "protons_on_target_from_power",
]
