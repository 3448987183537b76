"""The discovery limit of a binned counting experiment with normalisation-uncertain backgrounds.

Model: in recoil bin k, an exposure X expects

    μ_k(σ, θ) = X (σ s_k + Σ_j θ_j b_jk),

with s_k the signal per unit exposure and cross section, b_jk the background j per unit
exposure, and θ_j its normalisation, constrained by a Gaussian of width δ_j around 1
(the flux uncertainty). The likelihood is Poisson in every bin times those Gaussians
(J. Billard, L. Strigari and E. Figueroa-Feliciano, PRD 89, 023524 (2014), arXiv:1307.5458,
section III).

**Discovery test.** q₀ = −2 ln[L(0, θ̂̂) / L(σ̂, θ̂)], the profile likelihood ratio of the
background-only hypothesis. Billard et al. define the discovery limit as the smallest σ for
which 90 % of experiments would see q₀ ≥ 9 (a 3σ discovery); they evaluate it with Monte
Carlo experiments. Here it is evaluated in the **Asimov approximation** (G. Cowan,
K. Cranmer, E. Gross and O. Vitells, Eur. Phys. J. C 71, 1554 (2011), arXiv:1007.1727,
sections 3 and 5): on the Asimov data set n_k = μ_k(σ, 1) the unconditional fit returns
σ̂ = σ, θ̂ = 1, so

    q₀,A = min_θ { 2 Σ_k [μ_k(0, θ) − n_k − n_k ln(μ_k(0, θ)/n_k)] + Σ_j (θ_j − 1)²/δ_j² },

and for large samples √q₀ is Gaussian with unit width around √q₀,A. A fraction p of
experiments then reaches significance Z when √q₀,A = Z + Φ⁻¹(p): q₀,A = (3 + 1.2816)² = 18.33
for Billard's 90 % and 3σ (:class:`DiscoveryCriterion`; p = 0.5 gives the median
experiment, q₀,A = 9, the criterion of C. A. J. O'Hare, PRL 127, 251802 (2021)).
The minimisation over θ is convex (μ is linear in θ) and is done by Newton's method with
exact derivatives.

**Few events.** The asymptotic formula fails when almost no background is expected: with
b → 0 it would call a fraction of an event a discovery. A discovery needs at least one event,
and a fraction p of experiments sees one or more when the expected signal is
N_min = −ln(1 − p) (2.30 events for p = 0.9). So the limit is

    σ_DL = min( max(σ_A, N_min / (X Σ_k s_k)),  N_min / (X Σ_{k: b_k = 0} s_k) ),

σ_A solving q₀,A = (Z + Φ⁻¹(p))² on the bins with background, and the second term the
background-free bins (if any), where one event is a discovery. In the background-free
regime σ_DL ∝ 1/X exactly (Billard et al., section III; tested).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq
from scipy.stats import norm

from cevns.errors import CevnsInputError, require_non_negative, require_positive

#: Newton iterations allowed for one profile fit (it converges in a handful).
MAX_NEWTON_STEPS = 100
#: Relative tolerance on ln σ of the discovery limit.
LIMIT_TOLERANCE = 1e-7


@dataclass(frozen=True)
class DiscoveryCriterion:
    """A discovery at ``significance`` (in σ) in a fraction ``probability`` of experiments."""

    significance: float = 3.0
    probability: float = 0.9

    def __post_init__(self) -> None:
        z, p = self.significance, self.probability
        if not (isinstance(z, int | float) and math.isfinite(z) and z > 0):
            raise CevnsInputError(f"significance must be a positive number of σ; got {z!r}")
        if not (isinstance(p, int | float) and 0.0 < p < 1.0):
            raise CevnsInputError(f"probability must be between 0 and 1 (exclusive); got {p!r}")

    @property
    def asimov_threshold(self) -> float:
        """(Z + Φ⁻¹(p))²: q₀ of the Asimov data set at the discovery limit."""
        return (self.significance + float(norm.ppf(self.probability))) ** 2

    @property
    def minimum_signal(self) -> float:
        """−ln(1 − p): expected events for which a fraction p of experiments sees ≥ 1."""
        return -math.log1p(-self.probability)


#: Billard, Strigari & Figueroa-Feliciano (2014): 3σ in 90 % of experiments.
BILLARD_2014 = DiscoveryCriterion(3.0, 0.9)
#: O'Hare (2021): 3σ for the median experiment.
MEDIAN_3SIGMA = DiscoveryCriterion(3.0, 0.5)


@dataclass(frozen=True)
class BinnedModel:
    """Signal per unit exposure and cross section (``signal[k]``), backgrounds per unit
    exposure (``backgrounds[j, k]``) and their relative uncertainties (``uncertainties[j]``);
    any consistent units (the products X σ s and X b are numbers of events)."""

    signal: np.ndarray
    backgrounds: np.ndarray
    uncertainties: np.ndarray

    def __post_init__(self) -> None:
        signal = np.asarray(require_non_negative("signal", self.signal), dtype=float).ravel()
        backgrounds = np.atleast_2d(require_non_negative("backgrounds", self.backgrounds))
        uncertainties = np.asarray(
            require_positive("uncertainties", self.uncertainties), dtype=float
        ).ravel()
        if backgrounds.shape != (uncertainties.size, signal.size):
            raise CevnsInputError(
                f"backgrounds must have shape (backgrounds, bins) = ({uncertainties.size}, "
                f"{signal.size}); got {backgrounds.shape}"
            )
        object.__setattr__(self, "signal", signal)
        object.__setattr__(self, "backgrounds", backgrounds.astype(float))
        object.__setattr__(self, "uncertainties", uncertainties)

    @property
    def total_background(self) -> np.ndarray:
        """Σ_j b_jk per bin."""
        return self.backgrounds.sum(axis=0)


def _deviance_terms(expected: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """2[μ − n − n ln(μ/n)] per bin, accurate when μ ≈ n (a series for |μ/n − 1| < 1e-3)."""
    r = expected / observed - 1.0
    series = r * r * (0.5 - r / 3.0 + r * r / 4.0)
    closed = r - np.log1p(np.maximum(r, -1.0 + 1e-300))
    return 2.0 * observed * np.where(np.abs(r) < 1e-3, series, closed)


def asimov_discovery_statistic(
    model: BinnedModel,
    cross_section: float,
    exposure: float,
    start: np.ndarray | None = None,
) -> tuple[float, np.ndarray]:
    """q₀ of the Asimov data set of (``cross_section``, ``exposure``), and the profiled
    background normalisations θ̂̂. Bins without background are left out (see
    :func:`discovery_limit`). ``start`` is a first guess for θ."""
    has_background = model.total_background > 0
    signal = exposure * cross_section * model.signal[has_background]
    backgrounds = exposure * model.backgrounds[:, has_background]
    widths = model.uncertainties
    observed = signal + backgrounds.sum(axis=0)
    theta = np.ones(widths.size) if start is None else np.array(start, dtype=float)
    inverse_variance = 1.0 / widths**2

    def objective(t: np.ndarray) -> float:
        expected = t @ backgrounds
        if np.any(expected <= 0):
            return math.inf
        return float(
            np.sum(_deviance_terms(expected, observed)) + np.sum((t - 1.0) ** 2 * inverse_variance)
        )

    value = objective(theta)
    if not math.isfinite(value):
        theta = np.ones(widths.size)
        value = objective(theta)
    for _ in range(MAX_NEWTON_STEPS):
        expected = theta @ backgrounds
        ratio = observed / expected
        gradient = 2.0 * backgrounds @ (1.0 - ratio) + 2.0 * (theta - 1.0) * inverse_variance
        hessian = 2.0 * (backgrounds * (ratio / expected)) @ backgrounds.T + np.diag(
            2.0 * inverse_variance
        )
        step = np.linalg.solve(hessian, -gradient)
        decrement = float(-gradient @ step)
        if decrement < 1e-12 * max(1.0, value):
            break
        length = 1.0
        while length > 1e-12:
            trial = theta + length * step
            trial_value = objective(trial)
            if trial_value <= value:
                break
            length *= 0.5
        else:
            break
        theta, value = trial, trial_value
    return max(value, 0.0), theta


def discovery_limit(
    model: BinnedModel,
    exposure: float,
    criterion: DiscoveryCriterion = BILLARD_2014,
    guess: float | None = None,
) -> float:
    """The discovery limit σ_DL at ``exposure`` (formula in the module docstring); ``guess``
    (a nearby limit, e.g. at the previous exposure) only speeds up the search."""
    return warm_discovery_limit(model, exposure, criterion, guess)[0]


def warm_discovery_limit(
    model: BinnedModel,
    exposure: float,
    criterion: DiscoveryCriterion = BILLARD_2014,
    guess: float | None = None,
    start: np.ndarray | None = None,
) -> tuple[float, np.ndarray | None]:
    """:func:`discovery_limit` started from a nearby limit ``guess`` and nuisance values
    ``start`` (from the previous exposure of a scan); returns the limit and the profiled
    normalisations at its last evaluation, to start the next search from."""
    exposure = float(require_positive("exposure", exposure, "internal exposure units"))
    background = model.total_background
    free_signal = float(model.signal[background == 0].sum())
    total_signal = float(model.signal.sum())
    if total_signal <= 0:
        return math.inf, start
    few_events = criterion.minimum_signal / exposure
    free = few_events / free_signal if free_signal > 0 else math.inf
    counting = few_events / total_signal
    if not np.any(model.signal[background > 0] > 0):
        return free, start
    threshold = criterion.asimov_threshold
    theta = start
    cache: dict[float, float] = {}

    def excess(log_sigma: float) -> float:
        nonlocal theta
        if log_sigma not in cache:
            q0, theta = asimov_discovery_statistic(model, math.exp(log_sigma), exposure, theta)
            cache[log_sigma] = math.log(max(q0, 1e-300)) - math.log(threshold)
        return cache[log_sigma]

    # σ_DL ≥ the few-events limit: if the Asimov test already passes there, that is the answer.
    floor = math.log(counting)
    if excess(floor) >= 0:
        return min(free, counting), theta
    low = floor
    high = max(floor, math.log(guess)) if guess else floor
    while excess(high) < 0:
        low, high = high, high + math.log(4.0)
        if high - floor > 300:  # the signal never stands out (identical to a background)
            return free, theta
    asimov = math.exp(brentq(excess, low, high, xtol=LIMIT_TOLERANCE, rtol=LIMIT_TOLERANCE))
    return min(free, asimov), theta


def discovery_limits(
    model: BinnedModel,
    exposures: ArrayLike,
    criterion: DiscoveryCriterion = BILLARD_2014,
) -> np.ndarray:
    """σ_DL at each of ``exposures`` (any order; each search starts from its neighbour's)."""
    grid = np.asarray(require_positive("exposures", exposures), dtype=float).ravel()
    limits = np.empty_like(grid)
    guess, theta = None, None
    for index in np.argsort(grid):
        limit, theta = warm_discovery_limit(model, float(grid[index]), criterion, guess, theta)
        limits[index] = limit
        guess = limit if math.isfinite(limit) else None
    return limits


__all__ = [
    "BILLARD_2014",
    "MEDIAN_3SIGMA",
    "BinnedModel",
    "DiscoveryCriterion",
    "asimov_discovery_statistic",
    "discovery_limit",
    "discovery_limits",
    "warm_discovery_limit",
]
