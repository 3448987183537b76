"""Pseudo-experiments minimised all at once (:mod:`cevns.stats.toy_fits`), checked toy by
toy against MIGRAD, and the toy data they are given (:func:`cevns.stats.inference.
toy_counts`) against the toy costs of :func:`cevns.stats.inference.toys`."""

from __future__ import annotations

import numpy as np
import pytest
from iminuit.cost import NormalConstraint

from cevns.errors import CevnsInputError
from cevns.stats.cost import LogNormalConstraint, PoissonHistogram
from cevns.stats.inference import toy_counts, toys, with_counts
from cevns.stats.lean_cost import compile_cost
from cevns.stats.likelihood import Likelihood, Profiler
from cevns.stats.model import BinnedModel, Component, ShapeSystematic
from cevns.stats.toy_fits import minimise_toys

SIGNAL = np.array([[3.0, 9.0, 14.0, 6.0], [8.0, 12.0, 5.0, 2.0]])
BACKGROUND = np.array([[6.0, 5.0, 4.0, 3.0], [5.0, 4.0, 3.0, 2.0]])
SIDE = np.array([20.0, 18.0, 15.0])


def _cost():
    """A signal (scale mu ≥ 0, one shape systematic alpha with a correlated prior on
    alpha and beta), a background with a log-normal prior in two samples (the second
    auxiliary), and a Gaussian prior on a second systematic beta."""
    up = SIGNAL * np.array([[1.2, 1.1, 1.0, 0.9], [1.15, 1.0, 0.95, 0.85]])
    alpha = ShapeSystematic.from_histograms("alpha", SIGNAL, up)
    beta = ShapeSystematic.from_histograms("beta", BACKGROUND, BACKGROUND * 1.1)
    model = BinnedModel([
        Component("signal", SIGNAL, ("mu",), (alpha,)),
        Component("background", BACKGROUND, ("b",), (beta,)),
    ])  # fmt: skip
    side = BinnedModel([Component("side", SIDE, ("b",))])
    limits = {"mu": (0.0, 5.0), "b": (0.1, 5.0), "alpha": (-5.0, 5.0), "beta": (-5.0, 5.0)}
    observed = np.array([[9.0, 14.0, 17.0, 10.0], [12.0, 17.0, 8.0, 3.0]])
    return (
        PoissonHistogram(observed, model, "main", limits)
        + PoissonHistogram(np.array([21.0, 15.0, 16.0]), side, "side", limits, auxiliary=True)
        + NormalConstraint(["alpha", "beta"], [0.0, 0.0], [[1.0, 0.4], [0.4, 1.0]])
        + LogNormalConstraint("b", 1.0, 0.2)
    )


TRUTH = {"mu": 1.0, "b": 1.0, "alpha": 0.0, "beta": 0.0}
#: A weak signal: deficits leave some toys' signal on its bound at 0.
WEAK = {**TRUTH, "mu": 0.1}


def test_toy_counts_are_the_toys_data_in_the_compiled_order():
    """The same draws as the toy costs of :func:`toys` (same seed), their Poisson terms'
    bins end to end; ``with_counts`` gives a toy cost back."""
    cost = _cost()
    counts = toy_counts(cost, TRUTH, 5, seed=9)
    for row, toy in zip(counts, toys(cost, TRUTH, 5, seed=9), strict=True):
        poisson = [term for term in toy if isinstance(term, PoissonHistogram)]
        observed = np.concatenate([term.observed.ravel() for term in poisson])
        np.testing.assert_array_equal(row, observed)
        again = with_counts(cost, row)
        point = [TRUTH[n] for n in cost._parameters]
        assert again(*point) == toy(*point)


@pytest.mark.parametrize("held", [(), ("mu",)])
def test_toys_minimised_at_once_match_migrad_toy_by_toy(held):
    """Every toy's minimum (all free, or the signal held at its truth) equals a MIGRAD
    profile of that toy to 10⁻⁴ (MIGRAD stops within its tolerance of the minimum, so
    it may be higher by that much, never lower by more than 10⁻⁶); held parameters stay
    where they started; every value within its bounds."""
    cost = _cost()
    lean = compile_cost(cost)
    assert lean is not None
    counts = toy_counts(cost, WEAK, 60, seed=4)
    start = np.array([WEAK[n] for n in lean.names])
    minima = minimise_toys(lean, counts, start, held=held)
    assert minima.converged.all()
    limits = np.array(lean.limits)
    assert (minima.values >= limits[:, 0]).all() and (minima.values <= limits[:, 1]).all()
    for name in held:
        position = lean.names.index(name)
        np.testing.assert_array_equal(minima.values[:, position], start[position])
    on_bound = 0
    for row, chi2, values in zip(counts, minima.chi2, minima.values, strict=True):
        toy = with_counts(cost, row)
        profiled = Profiler(Likelihood.of_cost(toy, WEAK), strategy=1)(
            {name: WEAK[name] for name in held}, WEAK
        )
        assert profiled.converged
        assert chi2 == pytest.approx(profiled.chi2, abs=1e-4)
        assert chi2 <= profiled.chi2 + 1e-6
        assert toy(*values) == pytest.approx(chi2, rel=1e-12)
        on_bound += values[lean.names.index("mu")] == 0.0
    if not held:
        assert on_bound > 0  # some toys end with the signal on its bound at 0


def test_a_parameter_that_moves_nothing_does_not_stop_the_toys():
    """A free parameter with no effect and no prior (zero curvature) leaves the step's
    linear systems solvable: the toys converge to the minima without it, and it stays
    where it started."""
    idle = Component("idle", np.zeros((2, 4)), ("nu",))
    model = BinnedModel([Component("signal", SIGNAL, ("mu",)), idle])
    observed = np.array([[2.0, 10.0, 15.0, 5.0], [7.0, 13.0, 4.0, 3.0]])
    limits = {"mu": (0.0, 5.0), "nu": (0.0, 5.0)}
    lean = compile_cost(PoissonHistogram(observed, model, "idle", limits))
    assert lean is not None
    counts = np.array([observed.ravel(), observed.ravel() + 1.0])
    start = np.array([{"mu": 1.0, "nu": 2.0}[n] for n in lean.names])
    minima = minimise_toys(lean, counts, start)
    assert minima.converged.all()
    mu_hat = counts.sum(axis=1) / SIGNAL.sum()  # a single scale: μ̂ = Σn/Σs
    np.testing.assert_allclose(minima.values[:, lean.names.index("mu")], mu_hat, rtol=1e-6)
    np.testing.assert_array_equal(minima.values[:, lean.names.index("nu")], 2.0)


def test_bad_toy_input_is_refused():
    lean = compile_cost(_cost())
    assert lean is not None
    start = np.array([TRUTH[n] for n in lean.names])
    with pytest.raises(CevnsInputError, match="counts must be finite"):
        minimise_toys(lean, np.ones((3, 5)), start)
    with pytest.raises(CevnsInputError, match="counts must be finite"):
        minimise_toys(lean, -np.ones((3, lean._size)), start)
    with pytest.raises(CevnsInputError, match="held: 'nu' is not a parameter"):
        minimise_toys(lean, np.ones((3, lean._size)), start, held=["nu"])
