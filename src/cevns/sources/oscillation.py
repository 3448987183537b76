"""Short-baseline oscillation factors P(E, L) that reweight any source's flux.

All models use one new mass splitting Δm²₄₁ and the short-baseline phase

    Δ = Δm² L / (4 E)   (natural units; = 1.267 Δm²[eV²] L[m] / E[MeV]),

evaluated here as Δm² L / (4 E ħc) with ħc from :mod:`cevns.constants`. Neutrinos and
antineutrinos of a flavour get the same probability (CP is conserved with one splitting).

* :class:`SterileActiveSurvival` — 3+1 active-to-sterile oscillation as seen by a
  neutral-current detector (CEvNS): what is lost is only P(ν_α → ν_s), so the factor is
  1 − P(ν_α → ν_s) with, for the mixing U = R₃₄ R₂₄ R₁₄ (|U_e4| = s₁₄, |U_μ4| = c₁₄ s₂₄,
  |U_τ4| = c₁₄ c₂₄ s₃₄, |U_s4| = c₁₄ c₂₄ c₃₄; J. Kopp, P. A. N. Machado, M. Maltoni,
  T. Schwetz, JHEP 05 (2013) 050, arXiv:1303.3011, Sec. 2):

  - P(ν_e → ν_s) = sin²2θ₁₄ cos²θ₂₄ cos²θ₃₄ sin²Δ,
  - P(ν_μ → ν_s) = cos⁴θ₁₄ sin²2θ₂₄ cos²θ₃₄ sin²Δ,
  - P(ν_τ → ν_s) = cos⁴θ₁₄ cos⁴θ₂₄ sin²2θ₃₄ sin²Δ,

  the first two as on K. Scholberg's slide "Sterile neutrino sensitivity" (MITP 2022,
  seeds/001), the third from 4|U_τ4|²|U_s4|².
* :class:`Disappearance` — the charged-current-style survival
  P_αα = 1 − sin²2θ_αα sin²Δ with an amplitude per flavour (seeds/001, "Sterile Neutrino
  Oscillations"); :meth:`Disappearance.flavor_blind` uses one amplitude for all flavours
  (the flavour-blind disappearance of seeds/000).

No averaging over the source or detector size is applied: L is one baseline.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import numpy as np
from numpy.typing import ArrayLike

from cevns.constants import hbar_c
from cevns.errors import CevnsInputError, require_finite, require_non_negative, require_positive
from cevns.sources.flavors import FLAVORS, check_flavor, lepton_flavor
from cevns.units import eV


def oscillation_phase(delta_m2: float, energy: ArrayLike, distance: float) -> np.ndarray:
    """Δ = Δm² L / (4 E ħc): Δm² in energy², E in energy, L in length (internal units)."""
    e = require_positive("energy", energy, "internal energy units")
    return delta_m2 * distance / (4.0 * e * hbar_c)


class Oscillation(ABC):
    """A survival factor P(flavour, E, L) ∈ [0, 1] multiplying a flux."""

    @abstractmethod
    def survival_probability(self, flavor: str, energy: ArrayLike, distance: float) -> np.ndarray:
        """Factor multiplying the flux of ``flavor`` at ``energy`` and baseline ``distance``."""

    @staticmethod
    def _check(energy: ArrayLike, distance: float) -> tuple[np.ndarray, float]:
        e = require_positive("energy", energy, "internal energy units")
        d = float(require_positive("distance", distance, "internal length units"))
        return e, d


def _check_angle(name: str, value: float) -> float:
    angle = float(require_finite(name, value, "radians"))
    if not 0.0 <= angle <= math.pi / 2:
        raise CevnsInputError(f"{name} must lie in [0, π/2] radians; got {angle!r}")
    return angle


def _check_dm2(delta_m2: float) -> float:
    return float(require_non_negative("delta_m2", delta_m2, "internal energy² units (eV²)"))


class SterileActiveSurvival(Oscillation):
    """3+1: 1 − P(ν_α → ν_s) for a neutral-current detector (angles in radians)."""

    def __init__(
        self,
        delta_m2_41: float,
        theta_14: float = 0.0,
        theta_24: float = 0.0,
        theta_34: float = 0.0,
    ):
        self.delta_m2_41 = _check_dm2(delta_m2_41)
        self.theta_14 = _check_angle("theta_14", theta_14)
        self.theta_24 = _check_angle("theta_24", theta_24)
        self.theta_34 = _check_angle("theta_34", theta_34)

    def sterile_amplitude(self, flavor: str) -> float:
        """The coefficient A_αs of sin²Δ in P(ν_α → ν_s) = 4|U_α4|²|U_s4|²."""
        c14, c24, c34 = (math.cos(a) for a in (self.theta_14, self.theta_24, self.theta_34))
        lepton = lepton_flavor(flavor)
        if lepton == "e":
            return math.sin(2 * self.theta_14) ** 2 * c24**2 * c34**2
        if lepton == "mu":
            return c14**4 * math.sin(2 * self.theta_24) ** 2 * c34**2
        return c14**4 * c24**4 * math.sin(2 * self.theta_34) ** 2

    def survival_probability(self, flavor: str, energy: ArrayLike, distance: float) -> np.ndarray:
        e, d = self._check(energy, distance)
        phase = oscillation_phase(self.delta_m2_41, e, d)
        return 1.0 - self.sterile_amplitude(flavor) * np.sin(phase) ** 2


class Disappearance(Oscillation):
    """P_αα = 1 − sin²2θ_αα sin²Δ with ``amplitudes[flavour] = sin²2θ_αα``.

    Keys may be flavour names (``"nu_e"``) or lepton flavours (``"e"``, applying to the
    neutrino and the antineutrino); flavours not listed do not oscillate.
    """

    def __init__(self, delta_m2: float, amplitudes: dict[str, float]):
        self.delta_m2 = _check_dm2(delta_m2)
        self.amplitudes: dict[str, float] = {}
        for key, value in amplitudes.items():
            amplitude = float(require_finite(f"amplitude for {key}", value))
            if not 0.0 <= amplitude <= 1.0:
                raise CevnsInputError(
                    f"amplitude (sin²2θ) for {key} must lie in [0, 1]; got {amplitude!r}"
                )
            names = (
                [f for f in FLAVORS if lepton_flavor(f) == key]
                if key in ("e", "mu", "tau")
                else [check_flavor(key, "amplitude flavour")]
            )
            for name in names:
                self.amplitudes[name] = amplitude

    @classmethod
    def flavor_blind(cls, delta_m2: float, amplitude: float) -> Disappearance:
        """The same sin²2θ for every flavour."""
        return cls(delta_m2, dict.fromkeys(FLAVORS, amplitude))

    def survival_probability(self, flavor: str, energy: ArrayLike, distance: float) -> np.ndarray:
        e, d = self._check(energy, distance)
        amplitude = self.amplitudes.get(check_flavor(flavor), 0.0)
        return 1.0 - amplitude * np.sin(oscillation_phase(self.delta_m2, e, d)) ** 2


#: eV², for building Δm² values: ``1.0 * eV2``.
eV2: float = eV * eV  # noqa: N816 - the unit symbol eV² (as cevns.units.eV)

__all__ = [
    "Disappearance",
    "Oscillation",
    "SterileActiveSurvival",
    "eV2",
    "oscillation_phase",
]
