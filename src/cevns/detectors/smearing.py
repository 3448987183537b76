"""Smearing: the distribution of the reconstructed observable around its true mean.

Each model maps a true mean μ of the observable (a mean photoelectron count, or an
electron-equivalent energy in internal units) to a probability distribution p(x | μ) of the
reconstructed observable x, and integrates it over analysis bins with
:meth:`Smearing.bin_probabilities`::

    P[i, k] = ∫_{edges[k]}^{edges[k+1]} p(x | μ_i) ε(x) dx

(a sum over the integers in the bin for the Poisson count). Bins are half-open,
[edges[k], edges[k+1]). Without an efficiency ε the integrals are differences of closed-form
CDFs. With an efficiency, each bin is split at the efficiency's ``breakpoints`` and then
bisected adaptively until, on every piece, a quadratic through three Gauss–Legendre points
reproduces ε to 1e-9 at four test points; the integral of p times that quadratic is exact
(partial moments of order 0–2 of p in closed form). The error of an entry is thus bounded by
the interpolation error of ε times the probability in the bin, whatever the width of p —
well below the 1e-6 absolute target.

Models and sources:

* :class:`PoissonSmearing` — photon counting: x ~ Poisson(μ), integer x;
* :class:`GammaSmearing` — the CsI[Na] 2021 PE smearing of COHERENT (D. Akimov et al.,
  PRL 129, 081801 (2022), arXiv:2110.07730 and its supplemental material);
* :class:`GaussianSmearing` — σ/E = a / √(E/unit), the CENNS-10 argon resolution
  (COHERENT, PRL 126, 012002 (2021), arXiv:2003.10630; data release
  ``LArParametersAnlA.yaml``: a = 0.58 with E in keVee);
* :class:`NoiseFanoSmearing` — σ² = σ_noise² + F ε E, the resolution of an ionisation
  detector (electronic noise plus the Fano-reduced fluctuation of the number of
  electron–hole pairs, U. Fano, Phys. Rev. 72, 26 (1947)); germanium at 77 K:
  ε = 2.96 eV per pair, F ≈ 0.11 (measured 0.06–0.13, see the class);
* :class:`NoSmearing` — x = μ exactly.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammainc, ndtr, pdtr, pdtrc
from scipy.stats import poisson

from cevns.detectors.efficiency import UnitEfficiency
from cevns.errors import (
    CevnsInputError,
    require_finite,
    require_increasing,
    require_non_negative,
    require_positive,
)

Efficiency = Callable[[np.ndarray], np.ndarray]

#: Largest deviation allowed between an efficiency and its quadratic interpolant on a piece.
EFFICIENCY_INTERPOLATION_TOLERANCE = 1e-9
_INITIAL_PIECES_PER_INTERVAL = 4
_MAX_REFINEMENTS = 60
_GAUSS_3 = math.sqrt(0.6)  # 3-point Gauss–Legendre nodes are 0, ±√(3/5) on [−1, 1]
_TEST_POINTS = np.array([-0.95, -0.5, 0.5, 0.95])


def check_edges(name: str, edges: ArrayLike) -> np.ndarray:
    """Return bin ``edges`` as a 1-D float array; raise unless ≥ 2, finite, strictly increasing."""
    array = np.asarray(require_finite(name, edges), dtype=float)
    if array.ndim != 1 or array.size < 2:
        raise CevnsInputError(
            f"{name} must be a 1-D sequence of at least 2 bin edges; got shape {array.shape}"
        )
    return require_increasing(name, array)


def _check_means(true_means: ArrayLike) -> np.ndarray:
    means = np.atleast_1d(np.asarray(require_non_negative("true_means", true_means), dtype=float))
    if means.ndim != 1:
        raise CevnsInputError(f"true_means must be a 1-D array; got shape {means.shape}")
    return means


def _evaluate(efficiency: Efficiency, x: np.ndarray) -> np.ndarray:
    values = np.broadcast_to(np.asarray(efficiency(x), dtype=float), x.shape)
    bad = ~np.isfinite(values) | (values < 0) | (values > 1)
    if np.any(bad):
        raise CevnsInputError(
            f"efficiency must return values in [0, 1]; got {float(values[bad].ravel()[0])!r} at "
            f"x = {float(x[bad].ravel()[0]):g}"
        )
    return values


def _delta_probabilities(
    locations: np.ndarray, edges: np.ndarray, efficiency: Efficiency | None
) -> np.ndarray:
    """P[i, k] = ε(x_i) if edges[k] ≤ x_i < edges[k+1] else 0 (all mass at x_i)."""
    n_bins = edges.size - 1
    result = np.zeros((locations.size, n_bins))
    index = np.searchsorted(edges, locations, side="right") - 1
    rows = np.nonzero((index >= 0) & (index < n_bins))[0]
    weight = np.ones(rows.size) if efficiency is None else _evaluate(efficiency, locations[rows])
    result[rows, index[rows]] = weight
    return result


class Smearing(ABC):
    """Distribution of the reconstructed observable given its true mean."""

    #: True when the reconstructed observable is a photoelectron count, so that the response
    #: needs a light yield to turn E_ee into a mean number of photoelectrons.
    photoelectron_observable: bool = False

    def bin_probabilities(
        self,
        true_means: ArrayLike,
        edges: ArrayLike,
        efficiency: Efficiency | None = None,
    ) -> np.ndarray:
        """∫_{bin k} p(x | μ_i) ε(x) dx for each true mean μ_i: shape (len(μ), len(edges) − 1).

        ``true_means`` (≥ 0) and ``edges`` are in the observable's units; ``efficiency`` is any
        callable ε(x) ∈ [0, 1] (its ``breakpoints`` attribute, if present, lists points where
        it is not smooth); ``None`` means ε = 1.
        """
        means = _check_means(true_means)
        bins = check_edges("edges", edges)
        if isinstance(efficiency, UnitEfficiency):
            efficiency = None
        return self._bin_probabilities(means, bins, efficiency)

    @abstractmethod
    def _bin_probabilities(
        self, means: np.ndarray, edges: np.ndarray, efficiency: Efficiency | None
    ) -> np.ndarray: ...


class NoSmearing(Smearing):
    """x = μ: the reconstructed observable equals its true mean (a delta distribution)."""

    def _bin_probabilities(self, means, edges, efficiency):
        return _delta_probabilities(means, edges, efficiency)

    def __repr__(self) -> str:
        return "NoSmearing()"


class PoissonSmearing(Smearing):
    """x ~ Poisson(μ): the photoelectron count of pure photon counting (integer x).

    Bin k holds the integers n with edges[k] ≤ n < edges[k+1]; its probability is
    Σ_n e^{−μ} μ^n / n! · ε(n), from the Poisson CDF when there is no efficiency.
    """

    photoelectron_observable = True

    def _bin_probabilities(self, means, edges, efficiency):
        first = np.maximum(np.ceil(edges[:-1]), 0.0)  # smallest integer in each bin
        last = np.ceil(edges[1:]) - 1.0  # largest integer in each bin
        if efficiency is None:
            mu = means[:, None]
            below_last = _poisson_cdf(last[None, :], mu)
            below_first = _poisson_cdf(first[None, :] - 1.0, mu)
            above_first = _poisson_sf(first[None, :] - 1.0, mu)
            above_last = _poisson_sf(last[None, :], mu)
            # difference of CDFs below the mean, of survival functions above (no cancellation)
            mass = np.where(
                first[None, :] <= mu, below_last - below_first, above_first - above_last
            )
            return np.where(last >= first, np.clip(mass, 0.0, 1.0), 0.0)
        top = means.max(initial=0.0)
        cap = math.ceil(top + 40.0 * math.sqrt(top) + 60.0)  # Poisson mass beyond is < 1e-300
        low, high = int(max(first[0], 0.0)), int(min(last[-1], cap))
        if high < low:
            return np.zeros((means.size, edges.size - 1))
        counts = np.arange(low, high + 1, dtype=float)
        weights = poisson.pmf(counts[None, :], means[:, None]) * _evaluate(efficiency, counts)
        cumulative = np.concatenate((np.zeros((means.size, 1)), np.cumsum(weights, axis=1)), axis=1)
        start = np.clip(first - low, 0, counts.size).astype(int)
        stop = np.clip(last + 1 - low, 0, counts.size).astype(int)
        stop = np.maximum(stop, start)
        return np.clip(cumulative[:, stop] - cumulative[:, start], 0.0, 1.0)

    def __repr__(self) -> str:
        return "PoissonSmearing()"


def _poisson_cdf(k: np.ndarray, mu: np.ndarray) -> np.ndarray:
    k, mu = np.broadcast_arrays(k, mu)
    return np.where(k < 0, 0.0, pdtr(np.maximum(k, 0.0), mu))


def _poisson_sf(k: np.ndarray, mu: np.ndarray) -> np.ndarray:
    k, mu = np.broadcast_arrays(k, mu)
    return np.where(k < 0, 1.0, pdtrc(np.maximum(k, 0.0), mu))


class _ContinuousSmearing(Smearing):
    """A continuous p(x | μ) with closed-form partial moments of order 0, 1, 2."""

    def _bin_probabilities(self, means, edges, efficiency):
        result = np.empty((means.size, edges.size - 1))
        point = self._is_point_mass(means)
        if np.any(point):
            result[point] = _delta_probabilities(means[point], edges, efficiency)
        spread = means[~point]
        if spread.size:
            if efficiency is None:
                centres = 0.5 * (edges[:-1] + edges[1:])
                result[~point] = self._partial_moments(spread, edges, centres, 0)[0]
            else:
                result[~point] = self._integrate_efficiency(spread, edges, efficiency)
        return np.clip(result, 0.0, 1.0)

    def _integrate_efficiency(self, means, edges, efficiency):
        nodes, coefficients, first_piece = _efficiency_pieces(edges, efficiency)
        centres = 0.5 * (nodes[:-1] + nodes[1:])
        moments = self._partial_moments(means, nodes, centres, 2)
        pieces = sum(c[None, :] * m for c, m in zip(coefficients, moments, strict=True))
        return np.add.reduceat(pieces, first_piece, axis=1)

    @abstractmethod
    def _is_point_mass(self, means: np.ndarray) -> np.ndarray:
        """Rows whose distribution is a point mass at μ (zero width)."""

    @abstractmethod
    def _partial_moments(
        self, means: np.ndarray, nodes: np.ndarray, centres: np.ndarray, order: int
    ) -> list[np.ndarray]:
        """[∫_{nodes[j]}^{nodes[j+1]} (x − centres[j])^k p(x | μ_i) dx for k = 0..order]."""


def _efficiency_pieces(
    edges: np.ndarray, efficiency: Efficiency
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Split [edges[0], edges[-1]] into pieces where ε is a quadratic to within tolerance.

    Returns the piece boundaries, the coefficients (c0, c1, c2) of ε ≈ c0 + c1 u + c2 u² with
    u = x − centre on each piece, and the index of the first piece of every bin.
    """
    breakpoints = np.asarray(getattr(efficiency, "breakpoints", ()), dtype=float).ravel()
    inside = breakpoints[(breakpoints > edges[0]) & (breakpoints < edges[-1])]
    base = np.unique(np.concatenate((edges, inside)))
    fractions = np.arange(_INITIAL_PIECES_PER_INTERVAL) / _INITIAL_PIECES_PER_INTERVAL
    starts = (base[:-1, None] + np.diff(base)[:, None] * fractions[None, :]).ravel()
    pending_lo = starts
    pending_hi = np.append(starts[1:], base[-1])
    min_width = 1e-10 * (edges[-1] - edges[0])
    done_lo, done_hi, done_c = [], [], []
    for _ in range(_MAX_REFINEMENTS):
        centre = 0.5 * (pending_lo + pending_hi)
        half = 0.5 * (pending_hi - pending_lo)
        step = _GAUSS_3 * half
        f_minus = _evaluate(efficiency, centre - step)
        f_mid = _evaluate(efficiency, centre)
        f_plus = _evaluate(efficiency, centre + step)
        c0 = f_mid
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            c1 = (f_plus - f_minus) / (2.0 * step)
            c2 = (f_plus - 2.0 * f_mid + f_minus) / (2.0 * step**2)
        degenerate = ~(np.isfinite(c1) & np.isfinite(c2))  # pieces too narrow to fit a slope
        c1[degenerate] = 0.0
        c2[degenerate] = 0.0
        u = half[:, None] * _TEST_POINTS[None, :]
        fitted = c0[:, None] + c1[:, None] * u + c2[:, None] * u**2
        error = np.abs(_evaluate(efficiency, centre[:, None] + u) - fitted).max(axis=1)
        fits = error <= EFFICIENCY_INTERPOLATION_TOLERANCE
        # A piece that still does not fit at the minimum width straddles an undeclared jump:
        # use ε at its centre there (error ≤ jump × probability in a piece of width 1e-10 ×
        # span), since a quadratic through a jump has huge coefficients.
        forced = ~fits & (2.0 * half <= min_width)
        c1[forced] = 0.0
        c2[forced] = 0.0
        good = fits | forced
        done_lo.append(pending_lo[good])
        done_hi.append(pending_hi[good])
        done_c.append(np.stack((c0[good], c1[good], c2[good])))
        if np.all(good):
            break
        lo, mid, hi = pending_lo[~good], centre[~good], pending_hi[~good]
        pending_lo, pending_hi = np.concatenate((lo, mid)), np.concatenate((mid, hi))
    else:  # pragma: no cover - refinement always reaches the minimum width first
        raise AssertionError("efficiency refinement did not terminate")
    lo = np.concatenate(done_lo)
    order = np.argsort(lo, kind="stable")
    hi = np.concatenate(done_hi)[order]
    coefficients = np.concatenate(done_c, axis=1)[:, order]
    nodes = np.append(lo[order], hi[-1])
    first_piece = np.searchsorted(nodes[:-1], edges[:-1])
    return nodes, list(coefficients), first_piece


class GammaSmearing(_ContinuousSmearing):
    """The CsI[Na] 2021 photoelectron smearing: a Gamma distribution in the PE count x.

    D. Akimov et al. (COHERENT), PRL 129, 081801 (2022), arXiv:2110.07730, supplemental
    material: for an electron-equivalent energy E_ee (keVee), a = a_coefficient / E_ee and
    b = b_coefficient · E_ee, and x follows a Gamma distribution with shape 1 + b and scale
    1 / (a (1 + b)), i.e. p(x) ∝ x^b e^{−a(1+b)x}. Its mean is 1/a = E_ee / a_coefficient and
    its variance 1 / (a² (1 + b)). Published values: a_coefficient = 0.0749 keVee/PE
    (= 1/LY for LY = 13.35 PE/keVee) and b_coefficient = 9.56 keVee⁻¹.

    Given the true mean μ = 1/a, E_ee = a_coefficient · μ, so the shape is
    k = 1 + a_coefficient · b_coefficient · μ and the scale μ / k: only the dimensionless
    product a_coefficient · b_coefficient (0.716 per PE) enters, and the two coefficients
    need only share one energy unit. The response builder passes μ = LY · E_ee; with
    LY = 13.35 PE/keVee rather than 1/0.0749 = 13.351 the two readings of E_ee differ by
    8e-5 (relative).
    """

    photoelectron_observable = True

    def __init__(self, a_coefficient: float, b_coefficient: float):
        self.a_coefficient = float(require_positive("a_coefficient", a_coefficient))
        self.b_coefficient = float(require_non_negative("b_coefficient", b_coefficient))

    def shape_and_scale(self, true_means: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Gamma shape k = 1 + a_coefficient·b_coefficient·μ and scale μ / k for means μ."""
        means = require_non_negative("true_means", true_means)
        shape = 1.0 + self.a_coefficient * self.b_coefficient * means
        return shape, means / shape

    def _is_point_mass(self, means):
        return self.shape_and_scale(means)[1] == 0  # μ = 0, or a scale below the float range

    def _partial_moments(self, means, nodes, centres, order):
        shape, scale = self.shape_and_scale(means)
        with np.errstate(over="ignore"):  # x/θ → ∞ for tiny θ, where the CDF is 1
            x = np.maximum(nodes, 0.0)[None, :] / scale[:, None]
        raw = []
        factor = np.ones_like(means)  # scale^j · shape (shape+1) … (shape+j−1)
        for j in range(order + 1):
            cdf = gammainc((shape + j)[:, None], x)
            raw.append(factor[:, None] * np.diff(cdf, axis=1))
            factor = factor * scale * (shape + j)
        return _shift_moments(raw, centres[None, :])

    def __repr__(self) -> str:
        return (
            f"GammaSmearing(a_coefficient={self.a_coefficient!r}, "
            f"b_coefficient={self.b_coefficient!r})"
        )


def _shift_moments(raw: list[np.ndarray], centre: np.ndarray) -> list[np.ndarray]:
    """Moments about ``centre`` from moments about 0 (binomial expansion, order ≤ 2)."""
    shifted = [raw[0]]
    if len(raw) > 1:
        shifted.append(raw[1] - centre * raw[0])
    if len(raw) > 2:
        shifted.append(raw[2] - 2.0 * centre * raw[1] + centre**2 * raw[0])
    return shifted


class _GaussianBase(_ContinuousSmearing):
    """A Gaussian of mean μ and width σ(μ) (defined by a subclass), optionally truncated
    at zero and renormalised on x ≥ 0."""

    truncate_at_zero: bool = True

    @abstractmethod
    def sigma(self, true_means: ArrayLike) -> np.ndarray:
        """σ(μ) before any truncation."""

    def _is_point_mass(self, means):
        return self.sigma(means) == 0  # zero width, or a width below the float range

    def _partial_moments(self, means, nodes, centres, order):
        sigma = self.sigma(means)[:, None]
        mu = means[:, None]
        x = np.maximum(nodes, 0.0) if self.truncate_at_zero else nodes
        with np.errstate(over="ignore"):  # |z| → ∞ for tiny σ, where Φ is 0 or 1
            z = (x[None, :] - mu) / sigma
        cdf = ndtr(z)
        g0 = np.diff(cdf, axis=1)
        about_mean = [g0]
        if order >= 1:
            with np.errstate(over="ignore"):  # z² → ∞ far in the tails, where φ = 0
                density = np.exp(-0.5 * z**2) / math.sqrt(2.0 * math.pi)
            about_mean.append(-sigma * np.diff(density, axis=1))
            if order >= 2:
                z_density = np.where(density > 0, z * density, 0.0)
                about_mean.append(sigma**2 * (g0 - np.diff(z_density, axis=1)))
        moments = _shift_moments(about_mean, centres[None, :] - mu)
        if self.truncate_at_zero:
            kept = ndtr(mu / sigma)  # probability of x ≥ 0 before truncation
            moments = [m / kept for m in moments]
        return moments


def _truncation_flag(value: object) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise CevnsInputError(f"truncate_at_zero must be True or False; got {value!r}")
    return bool(value)


class GaussianSmearing(_GaussianBase):
    """Gaussian smearing with σ/E = a / √(E / unit), i.e. σ = a √(E · unit).

    The CENNS-10 liquid-argon resolution (COHERENT, PRL 126, 012002 (2021),
    arXiv:2003.10630; data release ``LArParametersAnlA.yaml`` and companion section 2.7:
    a = 0.58 with E in keVee, from ⁸³ᵐKr calibration). ``resolution_at_unit`` is a (the
    relative resolution at E = unit) and ``unit`` the energy scale in internal units
    (``keVee``; use ``1.0`` for a photoelectron observable). σ is evaluated at the true
    mean E = μ, the usual approximation for a resolution quoted as a function of energy.

    ``truncate_at_zero`` (default True) restricts the reconstructed energy to x ≥ 0 and
    renormalises the Gaussian there, so that every row sums to 1 over [0, ∞) — a
    reconstructed energy is never negative. With False the Gaussian is used as it is and
    the probability below 0 is lost unless the edges extend below 0.
    """

    def __init__(self, resolution_at_unit: float, unit: float, truncate_at_zero: bool = True):
        self.resolution_at_unit = float(require_positive("resolution_at_unit", resolution_at_unit))
        self.unit = float(require_positive("unit", unit, "internal units of the observable"))
        self.truncate_at_zero = _truncation_flag(truncate_at_zero)

    def sigma(self, true_means: ArrayLike) -> np.ndarray:
        """σ(μ) = a √(μ · unit) (before any truncation)."""
        means = require_non_negative("true_means", true_means)
        return self.resolution_at_unit * np.sqrt(means * self.unit)

    def __repr__(self) -> str:
        return (
            f"GaussianSmearing(resolution_at_unit={self.resolution_at_unit!r}, "
            f"unit={self.unit!r}, truncate_at_zero={self.truncate_at_zero!r})"
        )


#: Mean energy per electron–hole pair in germanium at 77 K, 2.96 eV: the reference value of
#: T. Papp et al., X-Ray Spectrom. 34, 106 (2005) (no arXiv; abstract), and of G. F. Knoll,
#: Radiation Detection and Measurement, 4th ed. (Wiley, 2010), Table 11.1.
GERMANIUM_PAIR_ENERGY_EV = 2.96
#: Fano factor of germanium used by default, F = 0.11. Measurements scatter: 0.059–0.083
#: as upper limits with ε = 2.96 eV (Papp et al. 2005, abstract) and 0.123 ± 0.003 for
#: a HPGe spectrometer (Sains Malaysiana 44, 761 (2015), abstract, which quotes 0.13 as
#: the usual value); 0.11 lies inside that spread.
GERMANIUM_FANO_FACTOR = 0.11


class NoiseFanoSmearing(_GaussianBase):
    """Gaussian smearing of an ionisation energy with σ² = σ_noise² + F · ε · E.

    E is the true electron-equivalent (ionisation) energy μ; N = E/ε electron–hole pairs
    are made on average, with variance F · N (the definition of the Fano factor, U. Fano,
    Phys. Rev. 72, 26 (1947), no arXiv), so the pair statistics contribute ε² F N = F ε E
    to the variance of the energy, and the independent electronic noise σ_noise (the
    pulser or baseline width) adds in quadrature. Germanium at 77 K:
    ε = 2.96 eV per pair and F ≈ 0.11 (:data:`GERMANIUM_PAIR_ENERGY_EV`,
    :data:`GERMANIUM_FANO_FACTOR`).

    ``noise_sigma`` (≥ 0) and ``pair_energy`` (> 0) are energies in internal units, ``fano``
    ≥ 0 is dimensionless. ``truncate_at_zero`` as in :class:`GaussianSmearing`.
    """

    def __init__(
        self,
        noise_sigma: float,
        fano: float,
        pair_energy: float,
        truncate_at_zero: bool = True,
    ):
        self.noise_sigma = float(
            require_non_negative("noise_sigma", noise_sigma, "internal energy units")
        )
        self.fano = float(require_non_negative("fano", fano))
        self.pair_energy = float(
            require_positive("pair_energy", pair_energy, "internal energy units")
        )
        self.truncate_at_zero = _truncation_flag(truncate_at_zero)

    def sigma(self, true_means: ArrayLike) -> np.ndarray:
        """σ(μ) = √(σ_noise² + F ε μ) (before any truncation)."""
        means = require_non_negative("true_means", true_means)
        return np.sqrt(self.noise_sigma**2 + self.fano * self.pair_energy * means)

    def __repr__(self) -> str:
        return (
            f"NoiseFanoSmearing(noise_sigma={self.noise_sigma!r}, fano={self.fano!r}, "
            f"pair_energy={self.pair_energy!r}, truncate_at_zero={self.truncate_at_zero!r})"
        )


__all__ = [
    "EFFICIENCY_INTERPOLATION_TOLERANCE",
    "GERMANIUM_FANO_FACTOR",
    "GERMANIUM_PAIR_ENERGY_EV",
    "GammaSmearing",
    "GaussianSmearing",
    "NoSmearing",
    "NoiseFanoSmearing",
    "PoissonSmearing",
    "Smearing",
    "check_edges",
]
