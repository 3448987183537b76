"""Poisson likelihood of a binned model, as an iminuit cost function.

:class:`PoissonHistogram` is an :class:`iminuit.cost.Cost`, so likelihoods of several
experiments, Gaussian constraints (:class:`iminuit.cost.NormalConstraint`) and auxiliary
measurements add with ``+`` and share parameters by name.

The value is the Poisson deviance (S. Baker and R. D. Cousins, Nucl. Instrum. Meth. 221,
437 (1984), eq. 10)

    χ² = 2 Σ_k [ μ_k − n_k + n_k ln(n_k / μ_k) ],

which differs from −2 ln L by a constant and follows a χ² distribution at the best fit,
so its minimum is the goodness-of-fit statistic (errordef = 1).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from iminuit.cost import Cost, CostSum, NormalConstraint

from cevns.errors import CevnsInputError
from cevns.stats.model import BinnedModel

_TINY = 1e-300
#: Give MIGRAD the analytic gradients of the costs (False: numerical derivatives, for
#: comparisons; see benchmarks/bench_fit.py).
ANALYTIC_GRADIENTS = True


def poisson_deviance(observed: np.ndarray, expected: np.ndarray) -> float:
    """2 Σ [μ − n + n ln(n/μ)] with the n = 0 terms reduced to 2μ.

    Events observed where the model expects none have likelihood zero: the deviance is
    +∞ (a fit in that state cannot converge, and says so).
    """
    if np.any((observed > 0) & (expected <= 0)):
        return float("inf")
    mu = np.maximum(expected, _TINY)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_term = np.where(observed > 0, observed * np.log(observed / mu), 0.0)
    return float(2.0 * np.sum(mu - observed + log_term))


class _FastDeviance:
    """:func:`poisson_deviance` against fixed counts, with the occupied and empty bins
    found once: 2 [Σ_{n>0} (μ − n − n ln(μ/n)) + Σ_{n=0} μ]. Each occupied term is
    small near the minimum, so the sum keeps the precision of the per-bin form."""

    __slots__ = ("_counts", "_empty", "_occupied")

    def __init__(self, observed: np.ndarray) -> None:
        flat = observed.ravel()
        self._occupied = np.flatnonzero(flat > 0)
        self._empty = np.flatnonzero(flat <= 0)
        self._counts = flat[self._occupied]

    def __call__(self, expected: np.ndarray) -> float:
        flat = expected.ravel()
        mu = flat[self._occupied]
        if mu.size and mu.min() <= 0.0:
            return float("inf")
        counts = self._counts
        occupied = float(np.sum(mu - counts - counts * np.log(mu / counts)))
        empty = float(np.sum(np.maximum(flat[self._empty], _TINY)))
        return 2.0 * (occupied + empty)


class PoissonHistogram(Cost):
    """χ² = Poisson deviance between observed counts and a :class:`BinnedModel`."""

    __slots__ = ("_deviance", "_model", "_names", "_observed", "auxiliary", "name")

    def __init__(
        self,
        observed: np.ndarray,
        model: BinnedModel,
        name: str = "data",
        limits: dict[str, tuple[float, float]] | None = None,
        auxiliary: bool = False,
    ):
        """``auxiliary`` marks a measurement that constrains nuisances (for example the
        anti-coincident CsI data for the steady-state background): it enters the
        likelihood but not the goodness of fit."""
        observed = np.asarray(observed, dtype=float)
        if observed.shape != model.shape:
            raise CevnsInputError(
                f"{name}: observed histogram has shape {observed.shape}, model has {model.shape}"
            )
        if np.any(observed < 0) or not np.all(np.isfinite(observed)):
            raise CevnsInputError(f"{name}: observed counts must be finite and non-negative")
        self._observed = observed
        self._deviance = _FastDeviance(observed)
        self._model = model
        self._names = model.parameters
        self.name = name
        self.auxiliary = auxiliary
        limits = limits or {}
        super().__init__({p: limits.get(p) for p in self._names}, verbose=0)

    @property
    def observed(self) -> np.ndarray:
        return self._observed

    @property
    def model(self) -> BinnedModel:
        return self._model

    def values_from(self, args: Sequence[float]) -> dict[str, float]:
        return dict(zip(self._names, args, strict=True))

    def expected(self, args: Sequence[float]) -> np.ndarray:
        return self._model.expected(self.values_from(args))

    def _value(self, args: Sequence[float]) -> float:
        return self._deviance(self.expected(args))

    def _grad(self, args: Sequence[float]) -> np.ndarray:
        """∂χ²/∂θ = 2 Σ_k (1 − n_k/μ_k) ∂μ_k/∂θ (the derivative of the deviance above),
        with ∂μ/∂θ from :meth:`BinnedModel.gradient`."""
        values = self.values_from(args)
        mu = np.maximum(self._model.expected(values), _TINY)
        weight = 2.0 * (1.0 - self._observed / mu)
        derivatives = self._model.gradient(values)
        return np.array(
            [float(np.sum(weight * derivatives[n])) if n in derivatives else 0.0
             for n in self._names]
        )  # fmt: skip

    def _has_grad(self) -> bool:
        return ANALYTIC_GRADIENTS

    def _ndata(self) -> int:
        return int(self._observed.size)

    def with_observed(self, observed: np.ndarray) -> PoissonHistogram:
        """The same model against other counts (Asimov data, toys)."""
        limits = {k: v for k, v in self._parameters.items() if v is not None}
        return PoissonHistogram(observed, self._model, self.name, limits, self.auxiliary)


class LogNormalConstraint(Cost):
    """A log-normal prior on a positive parameter θ with median m and log-width s,

        χ² = (ln θ − ln m)² / s²,

    the Gaussian constraint on ln θ (HistFactory's ``lognormal`` constraint term, K. Cranmer
    et al., CERN-OPEN-2012-016, section 4.1); +∞ for θ ≤ 0.
    """

    __slots__ = ("_log_median", "_width", "median")

    def __init__(self, parameter: str, median: float, width: float):
        if not (median > 0 and width > 0 and np.isfinite(median) and np.isfinite(width)):
            raise CevnsInputError(
                f"a log-normal prior needs median > 0 and width > 0; got {median}, {width}"
            )
        self.median = float(median)
        self._log_median = float(np.log(median))
        self._width = float(width)
        super().__init__({parameter: (0.0, None)}, verbose=0)

    @property
    def width(self) -> float:
        return self._width

    def _value(self, args: Sequence[float]) -> float:
        value = args[0]
        if value <= 0:
            return float("inf")
        return float(((np.log(value) - self._log_median) / self._width) ** 2)

    def _grad(self, args: Sequence[float]) -> np.ndarray:
        """d/dθ (ln θ − ln m)²/s² = 2 (ln θ − ln m) / (s² θ)."""
        value = args[0]
        if value <= 0:
            return np.array([np.nan])
        return np.array([2.0 * (np.log(value) - self._log_median) / (self._width**2 * value)])

    def _has_grad(self) -> bool:
        return ANALYTIC_GRADIENTS

    def _ndata(self) -> int:
        return 1


def prior_term(parameter: str, prior) -> Cost:
    """The cost term of a document prior (``gaussian``: N(mean, sigma); ``lognormal``:
    :class:`LogNormalConstraint` with median ``mean`` and log-width ``sigma``)."""
    if prior.kind == "lognormal":
        return LogNormalConstraint(parameter, prior.mean, prior.sigma)
    return NormalConstraint(parameter, prior.mean, prior.sigma)


def cost_terms(cost) -> list:
    """The individual terms of a cost (a CostSum is flattened)."""
    if isinstance(cost, CostSum):
        terms = []
        for item in cost:
            terms.extend(cost_terms(item))
        return terms
    return [cost]
