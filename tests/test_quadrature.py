"""Gauss–Legendre nodes kept per order (:mod:`cevns.quadrature`)."""

from __future__ import annotations

import numpy as np
import pytest

from cevns.quadrature import gauss_legendre, unit_gauss_legendre


def test_nodes_are_computed_once_and_read_only():
    first = unit_gauss_legendre(80)
    assert unit_gauss_legendre(80) is first
    with pytest.raises(ValueError):
        first[0][0] = 0.0
    np.testing.assert_array_equal(first[0], np.polynomial.legendre.leggauss(80)[0])


@pytest.mark.parametrize("n", [1, 4, 17])
def test_exact_for_polynomials_up_to_degree_2n_minus_1(n):
    """∫_a^b x^k dx for k ≤ 2n − 1 (A&S 25.4.29), on an interval other than [−1, 1]."""
    low, high = -0.3, 2.2
    x, w = gauss_legendre(low, high, n)
    for k in range(2 * n):
        exact = (high ** (k + 1) - low ** (k + 1)) / (k + 1)
        assert np.sum(w * x**k) == pytest.approx(exact, rel=1e-12, abs=1e-12)
    degree = 2 * n
    exact = (high ** (degree + 1) - low ** (degree + 1)) / (degree + 1)
    assert abs(np.sum(w * x**degree) - exact) > 1e-9  # one degree more is not exact
