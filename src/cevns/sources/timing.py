"""Time structure of a pulsed pion-decay-at-rest source.

A proton pulse p(t) (normalised to 1) makes pions; π⁺ → μ⁺ ν_μ follows with lifetime τ_π
(the *prompt* ν_μ) and μ⁺ → e⁺ ν_e ν̄_μ with lifetime τ_μ (the *delayed* ν_e and ν̄_μ).
With the normalised decay law e_τ(t) = exp(−t/τ)/τ for t > 0, the time densities are

* prompt:  n_π(t) = (p ⊗ e_τπ)(t);
* delayed: n_μ(t) = (p ⊗ e_τπ ⊗ e_τμ)(t) = [τ_μ (p ⊗ e_τμ)(t) − τ_π (p ⊗ e_τπ)(t)] / (τ_μ − τ_π),

the second because e_τπ ⊗ e_τμ = (e^{−t/τμ} − e^{−t/τπ})/(τ_μ − τ_π) (the Bateman solution
for a two-step decay chain, H. Bateman, Proc. Cambridge Philos. Soc. 15, 423 (1910)).
The cumulative distributions follow from τ g′ = p − g for g = p ⊗ e_τ:
∫_{−∞}^t g = P(t) − τ g(t), with P the pulse's cumulative distribution, so

* prompt CDF:  P(t) − τ_π n_π(t);
* delayed CDF: P(t) − [τ_μ² (p ⊗ e_τμ)(t) − τ_π² (p ⊗ e_τπ)(t)] / (τ_μ − τ_π).

Everything therefore reduces to p ⊗ e_τ, which is exact here for each pulse model:

* :class:`GaussianPulse` (mean μ, width σ): p ⊗ e_τ is the exponentially modified Gaussian
  (E. Grushka, Anal. Chem. 44, 1733 (1972)),
  g(t) = (1/τ) exp(σ²/(2τ²) − (t−μ)/τ) Φ((t−μ)/σ − σ/τ), evaluated with the scaled
  complementary error function where it would overflow;
* :class:`TabulatedPulse` (a measured trace, linear between samples): the convolution of
  each linear segment with an exponential is done in closed form (recursion over
  segments), so it is exact for the piecewise-linear trace — no numerical convolution grid;
* :class:`InstantPulse`: all protons at one instant (p a Dirac delta), g = e_τ.

Time origin: t = 0 is the *nominal pulse centre* — the Gaussian mean (0 by default; set it
to e.g. 440 ns to use the trigger time of the COHERENT CENNS-10 release), the instant of an
:class:`InstantPulse`, and whatever the sample times of a tabulated trace say. Lifetimes
default to the PDG values of :mod:`cevns.constants`.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import erfcx, ndtr

from cevns.constants import charged_pion_lifetime, muon_lifetime
from cevns.errors import CevnsInputError, require_finite, require_positive

#: FWHM / σ of a Gaussian, 2√(2 ln 2).
GAUSSIAN_FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))


class ProtonPulse(ABC):
    """The time distribution of protons on target within one pulse (normalised to 1)."""

    @abstractmethod
    def density(self, t: np.ndarray) -> np.ndarray:
        """p(t): protons per unit time per proton."""

    @abstractmethod
    def cdf(self, t: np.ndarray) -> np.ndarray:
        """P(t) = ∫_{−∞}^t p."""

    @abstractmethod
    def exp_convolution(self, t: np.ndarray, lifetime: float) -> np.ndarray:
        """(p ⊗ e_τ)(t) with e_τ(t) = exp(−t/τ)/τ for t > 0."""

    @property
    @abstractmethod
    def fwhm(self) -> float:
        """Full width at half maximum of the pulse (0 for an instantaneous pulse)."""


class InstantPulse(ProtonPulse):
    """All protons arrive at ``time`` (a Dirac delta): the pure decay laws."""

    def __init__(self, time: float = 0.0):
        self.time = float(require_finite("pulse time", time))

    def density(self, t: np.ndarray) -> np.ndarray:
        raise CevnsInputError(
            "an instantaneous pulse is a Dirac delta and has no density; use cdf() or a "
            "GaussianPulse"
        )

    def cdf(self, t: np.ndarray) -> np.ndarray:
        return np.where(np.asarray(t, dtype=float) >= self.time, 1.0, 0.0)

    def exp_convolution(self, t: np.ndarray, lifetime: float) -> np.ndarray:
        dt = np.asarray(t, dtype=float) - self.time
        return np.where(dt >= 0, np.exp(-np.maximum(dt, 0.0) / lifetime) / lifetime, 0.0)

    @property
    def fwhm(self) -> float:
        return 0.0


class GaussianPulse(ProtonPulse):
    """A Gaussian proton pulse with ``mean`` and standard deviation ``sigma``.

    The COHERENT CENNS-10 data release (arXiv:2006.12659, file LArParametersAnlA.yaml,
    ``snsPOTTraceTiming``) describes the SNS protons-on-target trace as a Gaussian of width
    150 ns (mean 440 ± 200 ns on its trigger clock).
    """

    def __init__(self, sigma: float, mean: float = 0.0):
        self.sigma = float(require_positive("pulse sigma", sigma, "internal time units"))
        self.mean = float(require_finite("pulse mean", mean, "internal time units"))

    @classmethod
    def from_fwhm(cls, fwhm: float, mean: float = 0.0) -> GaussianPulse:
        """A Gaussian pulse with the given full width at half maximum."""
        return cls(float(require_positive("pulse FWHM", fwhm)) / GAUSSIAN_FWHM_PER_SIGMA, mean)

    def density(self, t: np.ndarray) -> np.ndarray:
        x = (np.asarray(t, dtype=float) - self.mean) / self.sigma
        return np.exp(-0.5 * x * x) / (self.sigma * math.sqrt(2.0 * math.pi))

    def cdf(self, t: np.ndarray) -> np.ndarray:
        return ndtr((np.asarray(t, dtype=float) - self.mean) / self.sigma)

    def exp_convolution(self, t: np.ndarray, lifetime: float) -> np.ndarray:
        x = (np.asarray(t, dtype=float) - self.mean) / self.sigma
        k = self.sigma / lifetime
        y = x - k
        # y >= 0: direct form, the exponent k(k/2 - x) <= -k²/2 cannot overflow.
        direct = np.exp(k * (0.5 * k - np.maximum(x, k))) * ndtr(np.maximum(y, 0.0))
        # y < 0: Φ(y) = ½ exp(−y²/2) erfcx(−y/√2) and k²/2 − kx − y²/2 = −x²/2.
        scaled = 0.5 * np.exp(-0.5 * x * x) * erfcx(-np.minimum(y, 0.0) / math.sqrt(2.0))
        return np.where(y >= 0, direct, scaled) / lifetime

    @property
    def fwhm(self) -> float:
        return GAUSSIAN_FWHM_PER_SIGMA * self.sigma


class TabulatedPulse(ProtonPulse):
    """A measured proton trace: intensities at increasing times, linear in between.

    The trace is zero before the first and after the last sample and is normalised to unit
    area (the trapezoid rule is exact for the linear interpolant). Convolutions with the
    decay laws are exact for this interpolant.
    """

    def __init__(self, times: ArrayLike, intensity: ArrayLike):
        t = np.asarray(require_finite("pulse times", times), dtype=float).ravel()
        y = np.asarray(require_finite("pulse intensity", intensity), dtype=float).ravel()
        if t.size != y.size or t.size < 2:
            raise CevnsInputError(
                "a tabulated pulse needs equally long time and intensity arrays with at least "
                f"2 samples; got {t.size} times and {y.size} intensities"
            )
        if np.any(np.diff(t) <= 0):
            raise CevnsInputError("pulse times must be strictly increasing")
        if np.any(y < 0):
            raise CevnsInputError(f"pulse intensity must be non-negative; got {y[y < 0][0]!r}")
        segment_areas = 0.5 * (y[1:] + y[:-1]) * np.diff(t)
        area = float(np.sum(segment_areas))
        if not area > 0:
            raise CevnsInputError("pulse intensity must have a positive area")
        self.times = t
        self.intensity = y / area
        self._cumulative = np.concatenate([[0.0], np.cumsum(segment_areas / area)])
        self._node_convolutions: dict[float, np.ndarray] = {}

    def density(self, t: np.ndarray) -> np.ndarray:
        return np.interp(np.asarray(t, dtype=float), self.times, self.intensity, 0.0, 0.0)

    def _locate(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        index = np.clip(np.searchsorted(self.times, t, side="right") - 1, 0, self.times.size - 2)
        u = t - self.times[index]
        slope = (self.intensity[index + 1] - self.intensity[index]) / (
            self.times[index + 1] - self.times[index]
        )
        return index, u, slope

    def cdf(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        index, u, slope = self._locate(t)
        inside = self._cumulative[index] + self.intensity[index] * u + 0.5 * slope * u * u
        return np.where(t < self.times[0], 0.0, np.where(t >= self.times[-1], 1.0, inside))

    def _at_nodes(self, lifetime: float) -> np.ndarray:
        """(p ⊗ e_τ) at the sample times, by exact recursion over the linear segments."""
        if lifetime not in self._node_convolutions:
            values = np.zeros(self.times.size)
            for i in range(self.times.size - 1):
                width = self.times[i + 1] - self.times[i]
                values[i + 1] = self._segment(values[i], i, width, lifetime)
            self._node_convolutions[lifetime] = values
        return self._node_convolutions[lifetime]

    def _segment(self, start, index, u, lifetime):
        """g(t_i + u) from g(t_i) for a linear segment: with E = exp(−u/τ),
        g = g(t_i) E + p_i (1 − E) + m (u − τ (1 − E))."""
        one_minus = -np.expm1(-u / lifetime)
        slope = (self.intensity[index + 1] - self.intensity[index]) / (
            self.times[index + 1] - self.times[index]
        )
        return (
            start * (1.0 - one_minus)
            + self.intensity[index] * one_minus
            + slope * (u - lifetime * one_minus)
        )

    def exp_convolution(self, t: np.ndarray, lifetime: float) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        nodes = self._at_nodes(lifetime)
        index, u, _ = self._locate(t)
        width = self.times[index + 1] - self.times[index]
        inside = self._segment(nodes[index], index, np.clip(u, 0.0, width), lifetime)
        after = nodes[-1] * np.exp(-np.maximum(t - self.times[-1], 0.0) / lifetime)
        return np.where(t < self.times[0], 0.0, np.where(t >= self.times[-1], after, inside))

    @property
    def fwhm(self) -> float:
        """Total time the linear trace spends at or above half its maximum.

        For a single-peaked trace this is the FWHM; for a multi-bunch trace it is the sum of
        the bunch widths (what the duty factor needs).
        """
        half = 0.5 * float(np.max(self.intensity))
        y0, y1 = self.intensity[:-1], self.intensity[1:]
        width = np.diff(self.times)
        low, high = np.minimum(y0, y1), np.maximum(y0, y1)
        spread = np.where(high > low, high - low, 1.0)
        fraction = np.where(low >= half, 1.0, np.where(high < half, 0.0, (high - half) / spread))
        return float(np.sum(fraction * width))


class DecayTimeProfile:
    """Prompt (π decay) and delayed (μ decay) time densities for a proton pulse."""

    def __init__(
        self,
        pulse: ProtonPulse,
        pion_lifetime: float = charged_pion_lifetime,
        muon_lifetime_: float = muon_lifetime,
    ):
        self.pulse = pulse
        self.pion_lifetime = float(require_positive("pion lifetime", pion_lifetime))
        self.muon_lifetime = float(require_positive("muon lifetime", muon_lifetime_))
        if math.isclose(self.pion_lifetime, self.muon_lifetime):
            raise CevnsInputError("pion and muon lifetimes must differ")

    def prompt_density(self, t: ArrayLike) -> np.ndarray:
        """Time density of π⁺ → μ⁺ ν_μ neutrinos (normalised to 1)."""
        return self.pulse.exp_convolution(_times(t), self.pion_lifetime)

    def delayed_density(self, t: ArrayLike) -> np.ndarray:
        """Time density of μ⁺ → e⁺ ν_e ν̄_μ neutrinos (normalised to 1)."""
        times = _times(t)
        tau_pi, tau_mu = self.pion_lifetime, self.muon_lifetime
        return (
            tau_mu * self.pulse.exp_convolution(times, tau_mu)
            - tau_pi * self.pulse.exp_convolution(times, tau_pi)
        ) / (tau_mu - tau_pi)

    def prompt_cdf(self, t: ArrayLike) -> np.ndarray:
        """Fraction of prompt neutrinos emitted before ``t``."""
        times = _times(t)
        return self.pulse.cdf(times) - self.pion_lifetime * self.prompt_density(times)

    def delayed_cdf(self, t: ArrayLike) -> np.ndarray:
        """Fraction of delayed neutrinos emitted before ``t``."""
        times = _times(t)
        tau_pi, tau_mu = self.pion_lifetime, self.muon_lifetime
        return self.pulse.cdf(times) - (
            tau_mu**2 * self.pulse.exp_convolution(times, tau_mu)
            - tau_pi**2 * self.pulse.exp_convolution(times, tau_pi)
        ) / (tau_mu - tau_pi)


def _times(t: ArrayLike) -> np.ndarray:
    return np.asarray(require_finite("time", t, "internal time units"), dtype=float)


def bin_fractions_from_cdf(cdf, edges: ArrayLike) -> np.ndarray:
    """Differences of a cumulative distribution over bins with increasing ``edges``."""
    e = np.asarray(require_finite("time bin edges", edges), dtype=float).ravel()
    if e.size < 2 or np.any(np.diff(e) <= 0):
        raise CevnsInputError(
            f"time bin edges must be at least 2 strictly increasing values; got {e.size} value(s)"
        )
    values = cdf(e)
    return np.diff(values)


__all__ = [
    "GAUSSIAN_FWHM_PER_SIGMA",
    "DecayTimeProfile",
    "GaussianPulse",
    "InstantPulse",
    "ProtonPulse",
    "TabulatedPulse",
    "bin_fractions_from_cdf",
]
