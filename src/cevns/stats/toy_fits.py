"""Many pseudo-experiments of one likelihood minimised at once.

The toys of a binned likelihood share the expectation μ(θ) and differ in their counts
n_t. Each toy's χ² is the Poisson deviance plus the priors (S. Baker and R. D. Cousins,
Nucl. Instrum. Meth. 221, 437 (1984), eq. 10):

    χ²_t(θ) = 2 Σ_k [μ_k(θ) − n_tk + n_tk ln(n_tk/μ_k(θ))] + χ²_prior(θ),

so all toys can take one step together, every operation an array over the toys
(:func:`minimise_toys`): μ at each toy's parameters (:func:`cevns.stats.lean_batch.
expected_rows`), its Jacobian ∂μ/∂θ by forward differences (one more batch per free
parameter), the gradient g = Σ_k 2(1 − n_tk/μ_k) ∂μ_k/∂θ + ∇χ²_prior and the expected
(Fisher) curvature F = Σ_k (2/μ_k) ∂μ_k/∂θ ∂μ_k/∂θᵀ + ∇²χ²_prior (positive, equal to the
Gauss–Newton matrix where μ = n), and the Levenberg–Marquardt step δ = −(F + λ diag F)⁻¹ g
(K. Levenberg, Q. Appl. Math. 2, 164 (1944); D. W. Marquardt, J. SIAM 11, 431 (1963)),
projected into the bounds. A parameter on a bound whose gradient points out of the allowed
range is held for the step (an active set). A toy keeps a step that lowers its χ² and
divides its λ by 3; otherwise it multiplies λ by 4 and tries again. It has converged when
the expected decrease gᵀF⁻¹g/2 over its free parameters is below :data:`EDM_GOAL`
(MIGRAD's estimated distance to the minimum, with the same meaning; iminuit's goal at the
fits' tolerance 0.01 is 2 × 10⁻⁵). Toys that do not converge within
:data:`MAX_ITERATIONS` are reported, for the caller to minimise otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cevns.errors import CevnsInputError
from cevns.stats.lean_batch import expected_rows, prior_rows
from cevns.stats.lean_cost import LeanCost

#: Converged when the expected decrease gᵀF⁻¹g/2 is below this (χ² units).
EDM_GOAL = 1e-8
#: Steps tried per toy before it is reported as not converged.
MAX_ITERATIONS = 100
#: Forward-difference step of the Jacobian, relative to max(1, |θ|).
JACOBIAN_STEP = 1e-7
#: λ of the first step, and its bounds.
FIRST_DAMPING = 1e-3
DAMPING_RANGE = (1e-12, 1e12)
#: Damped steps tried per iteration (λ × 4 each time) before the toy waits for the next.
DAMPING_TRIES = 12
#: Added to the curvature's diagonal, relative to max(1, |F_pp|): a free parameter that
#: moves nothing (no curvature, no gradient) leaves the linear systems solvable.
RIDGE = 1e-12


@dataclass(frozen=True)
class ToyMinima:
    """Each toy's minimum: χ², parameter values (toys × parameters, in the cost's order),
    whether it converged, and the iterations it took."""

    chi2: np.ndarray
    values: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray


def toy_deviance(mu: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """2 Σ_k [μ − n + n ln(n/μ)] per row (an empty bin's term is μ); +∞ where a bin with
    counts has no expectation."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(counts > 0, counts * np.log(counts / mu), 0.0)
    total = 2.0 * (mu - counts + logs).sum(axis=1)
    starved = ((mu <= 0.0) & (counts > 0)).any(axis=1)
    return np.where(starved, math.inf, total)


def _prior_derivatives(lean: LeanCost, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """∇χ²_prior (toys × P) and ∇²χ²_prior (toys × P × P) of the compiled priors:
    Gaussian (x − m)²/σ², correlated Gaussian blocks δᵀ V⁻¹ δ, log-normal
    ((ln x − ln m)/w)²."""
    toys, size = x.shape
    gradient = np.zeros((toys, size))
    hessian = np.zeros((toys, size, size))
    for index, mean, inverse_variance in lean._gaussian:
        gradient[:, index] += 2.0 * (x[:, index] - mean) * inverse_variance
        hessian[:, index, index] += 2.0 * inverse_variance
    for indices, means, inverse in lean._gaussian_blocks:
        gradient[:, indices] += 2.0 * (x[:, indices] - means) @ inverse.T
        hessian[:, indices[:, None], indices[None, :]] += 2.0 * inverse
    for index, log_median, width in lean._lognormal:
        value = np.maximum(x[:, index], 1e-300)
        shifted = np.log(value) - log_median
        gradient[:, index] += 2.0 * shifted / (width**2 * value)
        hessian[:, index, index] += np.maximum(2.0 * (1.0 - shifted) / (width * value) ** 2, 0.0)
    return gradient, hessian


def _jacobian(lean: LeanCost, x: np.ndarray, mu: np.ndarray, free: Sequence[int],
              limits: np.ndarray) -> np.ndarray:  # fmt: skip
    """∂μ/∂θ_p (toys × P × bins) by forward differences along the free parameters (the
    step taken inward at an upper bound); zeros for the others."""
    jacobian = np.zeros((x.shape[0], x.shape[1], mu.shape[1]))
    for p in free:
        step = JACOBIAN_STEP * np.maximum(1.0, np.abs(x[:, p]))
        step = np.where(x[:, p] + step > limits[p, 1], -step, step)
        moved = x.copy()
        moved[:, p] += step
        jacobian[:, p, :] = (expected_rows(lean, moved) - mu) / step[:, None]
    return jacobian


def minimise_toys(
    lean: LeanCost,
    counts: np.ndarray,
    starts: np.ndarray,
    held: Sequence[str] = (),
) -> ToyMinima:
    """Minimise the χ² of every toy (rows of ``counts``, in the compiled cost's bin
    order) over the parameters not ``held``, from ``starts`` (toys × parameters or one
    row for all), inside the cost's limits (module docstring)."""
    counts = np.atleast_2d(np.asarray(counts, dtype=float))
    if counts.shape[1] != lean._size or not np.all(np.isfinite(counts)) or (counts < 0).any():
        raise CevnsInputError(
            f"counts must be finite, ≥ 0 and of shape (toys, {lean._size}); got {counts.shape}"
        )
    unknown = [name for name in held if name not in lean.names]
    if unknown:
        raise CevnsInputError(f"held: {unknown[0]!r} is not a parameter ({', '.join(lean.names)})")
    toys = counts.shape[0]
    x = np.array(np.broadcast_to(np.asarray(starts, dtype=float), (toys, len(lean.names))))
    limits = np.array(lean.limits, dtype=float)
    x = np.clip(x, limits[:, 0], limits[:, 1])
    free = [p for p, name in enumerate(lean.names) if name not in held]
    free_mask = np.zeros(len(lean.names), dtype=bool)
    free_mask[free] = True

    def chi2_at(points: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mu = expected_rows(lean, points)
        return toy_deviance(mu, counts[rows]) + prior_rows(lean, points), mu

    every = np.arange(toys)
    chi2, mu = chi2_at(x, every)
    damping = np.full(toys, FIRST_DAMPING)
    converged = np.zeros(toys, dtype=bool)
    iterations = np.zeros(toys, dtype=int)
    active = np.isfinite(chi2)
    for _ in range(MAX_ITERATIONS):
        rows = np.flatnonzero(active & ~converged)
        if rows.size == 0:
            break
        iterations[rows] += 1
        xr, mur, nr = x[rows], mu[rows], counts[rows]
        jacobian = _jacobian(lean, xr, mur, free, limits)
        floor = np.maximum(mur, 1e-300)
        prior_gradient, prior_hessian = _prior_derivatives(lean, xr)
        residual = (2.0 * (1.0 - nr / floor))[:, :, None]
        gradient = (jacobian @ residual)[:, :, 0] + prior_gradient
        weighted = jacobian * (2.0 / floor)[:, None, :]
        fisher = weighted @ jacobian.transpose(0, 2, 1) + prior_hessian  # batched BLAS
        # Free for this step: not held, and not on a bound the gradient pushes against.
        at_low = (xr <= limits[:, 0]) & (gradient > 0)
        at_high = (xr >= limits[:, 1]) & (gradient < 0)
        moving = free_mask[None, :] & ~at_low & ~at_high
        eye = np.eye(len(lean.names))
        mask = moving[:, :, None] & moving[:, None, :]
        reduced = np.where(mask, fisher, eye)
        scale = np.maximum(np.abs(np.einsum("tpp->tp", reduced)), 1.0)
        reduced = reduced + RIDGE * scale[:, :, None] * eye
        reduced_gradient = np.where(moving, gradient, 0.0)
        newton = np.linalg.solve(reduced, reduced_gradient[:, :, None])[:, :, 0]
        edm = 0.5 * np.einsum("tp,tp->t", reduced_gradient, newton)
        done = edm < EDM_GOAL
        converged[rows[done]] = True
        stepping = ~done
        for _attempt in range(DAMPING_TRIES):
            if not stepping.any():
                break
            sub = np.flatnonzero(stepping)
            diagonal = np.einsum("tpp->tp", reduced[sub])
            damped = reduced[sub] + damping[rows[sub], None, None] * np.einsum(
                "tp,pq->tpq", diagonal, eye
            )
            step = -np.linalg.solve(damped, reduced_gradient[sub][:, :, None])[:, :, 0]
            trial = np.clip(xr[sub] + step, limits[:, 0], limits[:, 1])
            trial_chi2, trial_mu = chi2_at(trial, rows[sub])
            better = trial_chi2 <= chi2[rows[sub]]
            kept = rows[sub[better]]
            x[kept], chi2[kept], mu[kept] = trial[better], trial_chi2[better], trial_mu[better]
            damping[kept] = np.maximum(damping[kept] / 3.0, DAMPING_RANGE[0])
            worse = rows[sub[~better]]
            damping[worse] = np.minimum(damping[worse] * 4.0, DAMPING_RANGE[1])
            stepping[sub[better]] = False
            stuck = damping[rows] >= DAMPING_RANGE[1]
            stepping &= ~stuck
            active[rows[stuck & ~converged[rows]]] = False
    return ToyMinima(chi2, x, converged, iterations)


__all__ = ["EDM_GOAL", "MAX_ITERATIONS", "ToyMinima", "minimise_toys", "toy_deviance"]
