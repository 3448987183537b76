"""Maximum-likelihood fits with iminuit: MIGRAD, HESSE and MINOS, with honest failure.

:func:`fit` minimises a cost (a :class:`~cevns.stats.cost.PoissonHistogram`, or a sum of
them with constraints) and returns a :class:`FitResult`. A minimum that MIGRAD does not
declare valid raises :class:`FitNotConvergedError`, so no caller can print it as a result.

Goodness of fit: ``chi2`` is the Poisson deviance of the data terms at the minimum
(auxiliary measurements and constraints excluded); ``ndof`` is the number of data bins
minus the number of free parameters without a constraint term (parameters tied to a
Gaussian constraint or an auxiliary measurement are counted by their constraint, the
convention behind the published CsI 82.4/98, arXiv:2110.07730).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from iminuit import Minuit
from iminuit.cost import NormalConstraint

from cevns.stats.cost import LogNormalConstraint, PoissonHistogram, cost_terms


class FitNotConvergedError(RuntimeError):
    """MIGRAD did not find a valid minimum; the message says what Minuit reported."""


def data_terms(cost) -> list[PoissonHistogram]:
    """Poisson terms that are data, not auxiliary measurements."""
    return [t for t in cost_terms(cost) if isinstance(t, PoissonHistogram) and not t.auxiliary]


def constrained_parameters(cost) -> set[str]:
    """Parameters that appear in a prior (Gaussian or log-normal) or an auxiliary measurement."""
    names: set[str] = set()
    for term in cost_terms(cost):
        auxiliary = isinstance(term, PoissonHistogram) and term.auxiliary
        if auxiliary or isinstance(term, NormalConstraint | LogNormalConstraint):
            names.update(term._parameters)
    return names


@dataclass
class FitResult:
    """Best-fit values, errors and goodness of fit."""

    values: dict[str, float]
    errors: dict[str, float]
    covariance: dict[tuple[str, str], float]
    minimum: float
    chi2: float
    ndof: int
    minos: dict[str, tuple[float, float]] = field(default_factory=dict)
    fixed: tuple[str, ...] = ()
    minuit: Minuit | None = field(default=None, repr=False)

    def correlation(self, first: str, second: str) -> float:
        return self.covariance[first, second] / (self.errors[first] * self.errors[second])


def fit(
    cost,
    start: Mapping[str, float],
    *,
    fixed: Iterable[str] = (),
    minos: Iterable[str] = (),
    strategy: int = 1,
    max_calls: int | None = None,
) -> FitResult:
    """Minimise ``cost`` from ``start``; raise :class:`FitNotConvergedError` if it fails.

    ``max_calls`` limits MIGRAD's function calls (Minuit's default when None).
    """
    names = list(cost._parameters)
    missing = [n for n in names if n not in start]
    if missing:
        raise ValueError(f"no start value for parameters {', '.join(missing)}")
    minuit = minuit_for(cost, [start[n] for n in names], names)
    fixed = tuple(fixed)
    for name in fixed:
        minuit.fixed[name] = True
    if all(minuit.fixed[n] for n in names):
        return _fixed_point(cost, minuit, names, fixed)
    # MIGRAD at strategy 0 first: a higher strategy adds a numerical Hessian at the end,
    # which HESSE below computes anyway; a failure, or an EDM above tolerance once HESSE
    # has the accurate matrix, continues at ``strategy``.
    minuit.strategy = min(strategy, FIRST_STRATEGY)
    minuit.tol = TOLERANCE
    minuit.migrad(ncall=max_calls)
    minuit.strategy = strategy
    if not minuit.valid and max_calls is None:
        _migrad_again(minuit)
    if not minuit.valid:
        raise FitNotConvergedError(_failure_message(minuit))
    minuit.hesse()
    if not minuit.valid and max_calls is None:
        _migrad_again(minuit)
        minuit.hesse()
    if not minuit.valid:
        raise FitNotConvergedError(_failure_message(minuit))
    result_minos: dict[str, tuple[float, float]] = {}
    wanted = [n for n in minos if n not in fixed]
    if wanted:
        minuit.minos(*wanted)
        for name in wanted:
            error = minuit.merrors[name]
            result_minos[name] = _minos_interval(cost, minuit, name, error, fixed)
    free = [n for n in names if not minuit.fixed[n]]
    unconstrained_free = [n for n in free if n not in constrained_parameters(cost)]
    bins = sum(t.ndata for t in data_terms(cost))
    values = dict(zip(names, minuit.values, strict=True))
    chi2 = sum(t._value([values[p] for p in t._parameters]) for t in data_terms(cost))
    covariance = {
        (a, b): float(minuit.covariance[a, b]) if minuit.covariance is not None else np.nan
        for a in names
        for b in names
    }
    return FitResult(
        values=values,
        errors=dict(zip(names, minuit.errors, strict=True)),
        covariance=covariance,
        minimum=float(minuit.fval),
        chi2=float(chi2),
        ndof=bins - len(unconstrained_free),
        minos=result_minos,
        fixed=fixed,
        minuit=minuit,
    )


#: MIGRAD's strategy on the first pass of :func:`fit` (see there).
FIRST_STRATEGY = 0

#: MIGRAD's tolerance: it stops at an estimated distance to the minimum (EDM) below
#: 0.002 × tol (F. James and M. Winkler, *Minuit2 user's guide*, sec. "MnMigrad"). Minuit's
#: default 0.1 leaves the CsI 2021 fit 1.5 × 10⁻⁴ above its minimum and its nuisances
#: 0.01σ away; 0.01 brings that to 10⁻⁶ and 7 × 10⁻⁴σ for two more calls (analytic
#: gradients converge quadratically there).
TOLERANCE = 0.01


#: Minuit's own default tolerance, the last resort of a fit that does not reach
#: :data:`TOLERANCE` (a cost with numerical derivatives can be too noisy for it).
DEFAULT_TOLERANCE = 0.1


def _migrad_again(minuit: Minuit) -> None:
    """MIGRAD once more from where it stopped; then, if still not converged, at Minuit's
    default tolerance."""
    minuit.migrad()
    if not minuit.valid and minuit.tol < DEFAULT_TOLERANCE:
        minuit.tol = DEFAULT_TOLERANCE
        minuit.migrad()


def minuit_for(cost, start: Sequence[float], names: Sequence[str]) -> Minuit:
    """A Minuit on the compiled form of ``cost`` (:func:`cevns.stats.lean_cost.lean_cost`:
    a numpy function of the parameter vector with its analytic gradient, curvature and
    the cost's limits), or on ``cost`` itself when it does not compile or analytic
    gradients are off."""
    from cevns.stats import cost as cost_module
    from cevns.stats.lean_cost import lean_cost, lean_minuit

    lean = lean_cost(cost) if cost_module.ANALYTIC_GRADIENTS else None
    if lean is None:
        return Minuit(cost, *start, name=names)
    return lean_minuit(lean, start)


def _fixed_point(cost, minuit: Minuit, names: list[str], fixed: tuple[str, ...]) -> FitResult:
    """The 'fit' of a cost with every parameter fixed: its value at that point."""
    values = dict(zip(names, minuit.values, strict=True))
    minimum = float(cost(*minuit.values))
    if not np.isfinite(minimum):
        raise FitNotConvergedError("the cost is not finite at the fixed parameter values")
    chi2 = sum(t._value([values[p] for p in t._parameters]) for t in data_terms(cost))
    return FitResult(
        values=values,
        errors=dict.fromkeys(names, 0.0),
        covariance={(a, b): 0.0 for a in names for b in names},
        minimum=minimum,
        chi2=float(chi2),
        ndof=sum(t.ndata for t in data_terms(cost)),
        fixed=fixed,
        minuit=minuit,
    )


def _minos_interval(cost, minuit: Minuit, name: str, error, fixed) -> tuple[float, float]:
    """MINOS's (lower, upper) errors of ``name``.

    A side that MINOS cannot close because the interval runs into the parameter's bound
    (a physical boundary, such as a magnetic moment ≥ 0) ends at the bound, provided the
    profile Δχ² at the bound is below 1: that side of the interval is one-sided. Any
    other failure raises :class:`FitNotConvergedError` in one line.
    """
    value = minuit.values[name]
    bounds = minuit.limits[name]
    sides = []
    for valid, found, bound in ((error.lower_valid, error.lower, bounds[0]),
                                (error.upper_valid, error.upper, bounds[1])):  # fmt: skip
        if valid:
            sides.append(float(found))
            continue
        if np.isfinite(bound):
            start = {**dict(zip(minuit.parameters, minuit.values, strict=True)), name: bound}
            at_bound = fit(cost, start, fixed=[*fixed, name]).minimum
            if at_bound - minuit.fval < minuit.errordef:
                sides.append(float(bound - value))
                continue
        raise FitNotConvergedError(
            f"MINOS failed for {name} (lower side valid: {error.lower_valid}, upper side "
            f"valid: {error.upper_valid})"
        )
    return (sides[0], sides[1])


def _failure_message(minuit: Minuit) -> str:
    fmin = minuit.fmin
    reasons = []
    if fmin is not None:
        if fmin.has_reached_call_limit:
            reasons.append("call limit reached")
        if fmin.is_above_max_edm:
            reasons.append(f"EDM {fmin.edm:.3g} above tolerance")
        if fmin.has_parameters_at_limit:
            reasons.append("parameters at their limits")
        if not np.isfinite(fmin.fval):
            reasons.append("the cost is not finite")
    detail = "; ".join(reasons) or "MIGRAD reported an invalid minimum"
    return f"the fit did not converge ({detail})"


def propagate_error(function, result: FitResult, relative_step: float = 1e-3) -> float:
    """Standard error of ``function(values)`` at the best fit, σ² = ∇fᵀ C ∇f.

    The gradient is taken by central differences with steps of ``relative_step`` × each
    parameter's error; fixed parameters do not contribute.
    """
    free = [n for n in result.values if n not in result.fixed and result.errors[n] > 0]
    gradient = np.empty(len(free))
    for index, name in enumerate(free):
        step = relative_step * result.errors[name]
        up, down = dict(result.values), dict(result.values)
        up[name] += step
        down[name] -= step
        gradient[index] = (function(up) - function(down)) / (2 * step)
    covariance = np.array([[result.covariance[a, b] for b in free] for a in free])
    return float(np.sqrt(max(gradient @ covariance @ gradient, 0.0)))
