"""The interface every neutrino source implements, and its energy quadrature.

A source emits neutrinos of some flavours per *source unit* (one proton on target, one
fission, one second, one burst, ...). For each flavour it gives the spectrum dN/dE per unit
(internal units: number per energy) and an :class:`EnergyQuadrature`: nodes and weights
such that ``Σ_i weights[i] g(energies[i]) ≈ ∫ (dN/dE)(E) g(E) dE`` for any smooth g. The
prediction engine folds cross sections with these weights, so a monochromatic line (a
Dirac delta, which has no density) and a continuous spectrum are handled alike: a line is
one node carrying the full weight.

Continuous spectra use composite Gauss–Legendre quadrature on the pieces of their support
(the pieces split where the spectrum has a kink or changes formula), with the nodes shared
out in proportion to each piece's length. Gauss–Legendre with n nodes is exact for
polynomials of degree 2n − 1 (Abramowitz & Stegun, *Handbook of Mathematical Functions*,
eq. 25.4.29), so the default 256 nodes integrate smooth g to far better than 1e-8.

``spectral_density`` outside a spectrum's support returns 0 for analytic spectra (the
physics says there are no neutrinos there); tabulated spectra refuse energies outside
their table (nothing is known there); negative or non-finite energies are always refused.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from cevns.errors import CevnsInputError, require_non_negative
from cevns.quadrature import gauss_legendre
from cevns.sources.flavors import check_flavor
from cevns.units import au, s

#: Default number of quadrature nodes per flavour.
DEFAULT_QUADRATURE_POINTS = 256

#: Sources whose flux is known at the detector (the Sun seen from Earth, the atmospheric and
#: diffuse supernova backgrounds) share one convention: the source unit is one second, and
#: the source emits Φ · 4π (1 au)² per second, Φ being the flux per area per time at the
#: detector. ``Flux(source, T / s, DETECTOR_DISTANCE)`` is then the fluence Φ T. For the Sun
#: the distance is real (1 au); for diffuse backgrounds it is only the reference distance.
DETECTOR_DISTANCE: float = au
#: 4π (1 au)² × 1 s: flux per area per time at the detector → neutrinos per source second.
EMITTING_AREA_TIME: float = 4.0 * math.pi * au**2 * s


@dataclass(frozen=True)
class EnergyQuadrature:
    """Quadrature nodes and weights for one flavour of a source or flux.

    ``energies`` are increasing nodes in internal energy units; ``weights`` are numbers
    (per source unit for a source, per area for a :class:`~cevns.sources.flux.Flux`) such
    that ``Σ weights[i] g(energies[i]) ≈ ∫ (dN/dE) g dE``. ``Σ weights`` is the number of
    neutrinos of the flavour.
    """

    energies: np.ndarray
    weights: np.ndarray

    @property
    def total(self) -> float:
        """Σ weights: the number of neutrinos (per source unit, or per area for a flux)."""
        return float(np.sum(self.weights))

    @property
    def mean_energy(self) -> float:
        """The weight-averaged energy Σ w E / Σ w (0 if there are no neutrinos)."""
        total = self.total
        return float(np.sum(self.weights * self.energies) / total) if total > 0 else 0.0

    def integrate(self, function) -> float:
        """Σ weights[i] · function(energies[i]) for a vectorised ``function``."""
        return float(np.sum(self.weights * np.asarray(function(self.energies), dtype=float)))


def composite_gauss_legendre(
    breakpoints: np.ndarray, n_points: int, min_per_piece: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Legendre on each interval between consecutive ``breakpoints``.

    About ``n_points`` nodes in all, shared in proportion to the interval lengths, with at
    least ``min_per_piece`` per interval (so the total can exceed ``n_points`` when there
    are many intervals, as for a long table).
    """
    edges = np.asarray(breakpoints, dtype=float)
    lengths = np.diff(edges)
    share = n_points * lengths / np.sum(lengths)
    counts = np.maximum(min_per_piece, np.round(share).astype(int))
    nodes, weights = [], []
    for lower, upper, count in zip(edges[:-1], edges[1:], counts, strict=True):
        x, w = gauss_legendre(lower, upper, int(count))
        nodes.append(x)
        weights.append(w)
    return np.concatenate(nodes), np.concatenate(weights)


def check_n_points(n_points: object) -> int:
    """Return ``n_points`` as an int ≥ 1, or raise a one-line error."""
    if isinstance(n_points, bool) or not isinstance(n_points, int | np.integer) or n_points < 1:
        raise CevnsInputError(f"n_points must be an integer ≥ 1; got {n_points!r}")
    return int(n_points)


def check_energies(energy: object) -> np.ndarray:
    """Return ``energy`` as a float array, refusing negative or non-finite values."""
    return require_non_negative("energy", energy, "internal energy units")


class NeutrinoSource(ABC):
    """A source of neutrinos: spectra per flavour per source unit.

    Subclasses set :attr:`flavors` and :attr:`source_unit` and implement
    :meth:`neutrinos_per_unit` and either :meth:`line_energy` (for a monochromatic flavour)
    or :meth:`_density` with :meth:`_support` (for a continuous one).
    """

    #: The flavours this source emits.
    flavors: tuple[str, ...] = ()
    #: What one unit of this source is ("proton on target", "fission", "second", ...).
    source_unit: str = ""

    # --- what subclasses provide --------------------------------------------------------
    @abstractmethod
    def neutrinos_per_unit(self, flavor: str) -> float:
        """Number of neutrinos of ``flavor`` emitted per source unit."""

    def line_energy(self, flavor: str) -> float | None:
        """The energy of a monochromatic flavour, or None for a continuous spectrum."""
        self.check_emitted(flavor)
        return None

    def _density(self, flavor: str, energy: np.ndarray) -> np.ndarray:
        """dN/dE per unit for a continuous flavour (energies already validated)."""
        raise NotImplementedError  # pragma: no cover - every continuous source overrides

    def _support(self, flavor: str) -> np.ndarray:
        """Breakpoints of the support of a continuous flavour: increasing energies."""
        raise NotImplementedError  # pragma: no cover - every continuous source overrides

    def _min_nodes_per_piece(self, flavor: str) -> int:
        return 2

    # --- the public interface -----------------------------------------------------------
    def check_emitted(self, flavor: object) -> str:
        """Return ``flavor`` if this source emits it; otherwise raise a one-line error."""
        name = check_flavor(flavor)
        if name not in self.flavors:
            raise CevnsInputError(
                f"flavor {name!r} is not emitted by {type(self).__name__}; "
                f"it emits {', '.join(self.flavors)}"
            )
        return name

    def spectral_density(self, flavor: str, energy: ArrayLike) -> np.ndarray:
        """dN/dE per source unit at ``energy`` (internal units: number per energy).

        A monochromatic flavour has no density (it is a Dirac delta): this raises and
        points to :meth:`energy_quadrature`, which represents the line exactly.
        """
        name = self.check_emitted(flavor)
        energies = check_energies(energy)
        line = self.line_energy(name)
        if line is not None:
            raise CevnsInputError(
                f"{name} from {type(self).__name__} is a monochromatic line, which has no "
                "spectral density; use energy_quadrature() (one node carrying the full weight)"
            )
        return self._density(name, energies)

    def energy_quadrature(
        self, flavor: str, n_points: int = DEFAULT_QUADRATURE_POINTS
    ) -> EnergyQuadrature:
        """Nodes and weights with Σ w g(E) ≈ ∫ (dN/dE) g dE per source unit."""
        name = self.check_emitted(flavor)
        count = check_n_points(n_points)
        line = self.line_energy(name)
        if line is not None:
            return EnergyQuadrature(np.array([line]), np.array([self.neutrinos_per_unit(name)]))
        nodes, weights = composite_gauss_legendre(
            self._support(name), count, self._min_nodes_per_piece(name)
        )
        return EnergyQuadrature(nodes, weights * self._density(name, nodes))

    def energy_range(self, flavor: str) -> tuple[float, float]:
        """The lowest and highest energy with neutrinos (equal for a line)."""
        name = self.check_emitted(flavor)
        line = self.line_energy(name)
        if line is not None:
            return (line, line)
        support = self._support(name)
        return (float(support[0]), float(support[-1]))

    def mean_energy(self, flavor: str) -> float:
        """The mean neutrino energy of ``flavor`` (internal units)."""
        name = self.check_emitted(flavor)
        line = self.line_energy(name)
        if line is not None:
            return line
        return self.energy_quadrature(name).mean_energy


def isotropic_dilution(distance: float) -> float:
    """1 / (4π L²): the fraction of an isotropic emission crossing unit area at ``distance``."""
    return 1.0 / (4.0 * math.pi * distance**2)


__all__ = [
    "DEFAULT_QUADRATURE_POINTS",
    "DETECTOR_DISTANCE",
    "EMITTING_AREA_TIME",
    "EnergyQuadrature",
    "NeutrinoSource",
    "check_energies",
    "check_n_points",
    "composite_gauss_legendre",
    "gauss_legendre",
    "isotropic_dilution",
]
