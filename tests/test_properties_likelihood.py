"""Property tests of the likelihoods (hypothesis).

* The Poisson deviance χ² = 2 Σ [μ − n + n ln(n/μ)] (Baker & Cousins, NIM 221, 437
  (1984), eq. 10; :func:`cevns.stats.cost.poisson_deviance`) is finite and ≥ 0 for any
  counts n ≥ 0 and expectations μ > 0, and 0 exactly at μ = n (each term is ≥ 0 by
  x − 1 − ln x ≥ 0).
* The costs of the CsI 2021 and argon 2020 documents (data + priors) are finite at random
  points around their best fits (within ±3 HESSE errors, inside the parameters' limits)
  and never below the minimum MIGRAD found: the fit is a global minimum of that region.
* The cost of a joint likelihood is the sum of its parts (iminuit costs add with ``+``,
  a shared prior counted once).

Analyses and fits are built once per module.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cevns.stats.assemble import build_analysis
from cevns.stats.cost import poisson_deviance
from cevns.stats.fit import fit

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: A random point may lie below MIGRAD's minimum by its convergence tolerance at most
#: (EDM ~ 1e-4 in χ² units); a lower point by more means the fit missed the minimum.
MINIMUM_TOLERANCE = 1e-3
EXPERIMENTS = ("coherent-csi-2021", "coherent-lar-2020")


@SETTINGS
@given(
    counts=st.lists(st.integers(0, 10_000), min_size=1, max_size=40),
    data=st.data(),
)
def test_the_poisson_deviance_is_finite_non_negative_and_zero_at_the_data(counts, data):
    observed = np.array(counts, dtype=float)
    expected = np.array(
        data.draw(
            st.lists(
                st.floats(1e-6, 1e5, allow_nan=False, allow_infinity=False),
                min_size=observed.size,
                max_size=observed.size,
            )
        )
    )
    value = poisson_deviance(observed, expected)
    assert math.isfinite(value) and value >= 0.0
    # The same counts, expected exactly where observed (empty bins: a tiny expectation).
    assert poisson_deviance(observed, np.where(observed > 0, observed, 1e-300)) == pytest.approx(
        0.0, abs=1e-9
    )


@pytest.fixture(scope="module")
def fitted(shared_data_dir):
    """{name: (cost, names, best fit)} of each document, fitted once."""
    out = {}
    for name in EXPERIMENTS:
        analysis = build_analysis(name, shared_data_dir)
        cost = analysis.cost
        start = {**analysis.start, **analysis.fixed}
        result = fit(cost, start, fixed=list(analysis.fixed))
        out[name] = (cost, list(cost._parameters), analysis, result)
    return out


def _point(analysis, result, names, shifts) -> list[float]:
    """The best fit moved by ``shifts`` × 3 HESSE errors, clipped to the limits; fixed
    parameters stay at their values."""
    values = []
    for name, shift in zip(names, shifts, strict=True):
        value = result.values[name]
        if name not in analysis.fixed:
            value += 3.0 * shift * result.errors[name]
            low, high = analysis.limits.get(name, (-math.inf, math.inf))
            value = min(max(value, -math.inf if low is None else low),
                        math.inf if high is None else high)  # fmt: skip
        values.append(value)
    return values


@SETTINGS
@given(data=st.data())
def test_document_costs_are_finite_and_never_below_the_fitted_minimum(fitted, data):
    for name, (cost, names, analysis, result) in fitted.items():
        shifts = data.draw(
            st.lists(st.floats(-1.0, 1.0), min_size=len(names), max_size=len(names)),
            label=name,
        )
        value = cost(*_point(analysis, result, names, shifts))
        assert math.isfinite(value), (name, shifts)
        assert value >= result.minimum - MINIMUM_TOLERANCE, (name, value, result.minimum)


@SETTINGS
@given(data=st.data())
def test_a_joint_cost_is_the_sum_of_its_parts_with_shared_priors_once(fitted, data):
    from cevns.stats.analysis import combine

    (csi_cost, csi_names, csi, csi_fit), (lar_cost, lar_names, lar, lar_fit) = fitted.values()
    joint = combine(csi, lar)
    names = list(joint._parameters)
    shifts = data.draw(st.lists(st.floats(-1.0, 1.0), min_size=len(names), max_size=len(names)))
    best = {**lar_fit.values, **csi_fit.values}
    errors = {**lar_fit.errors, **csi_fit.errors}
    values = {n: best[n] + 0.5 * s * errors[n] for n, s in zip(names, shifts, strict=True)}
    total = joint(*[values[n] for n in names])
    parts = csi_cost(*[values[n] for n in csi_names]) + lar_cost(*[values[n] for n in lar_names])
    # A prior that both documents declare on a shared parameter (flux_norm) enters each
    # part once and the joint cost once.
    both = set(csi.priors) & set(lar.priors)
    twice = sum(
        term(*[values[p] for p in term._parameters])
        for term in csi.constraints
        if set(term._parameters) <= both
    )
    assert math.isfinite(total)
    assert total == pytest.approx(parts - twice, rel=1e-9, abs=1e-9)
