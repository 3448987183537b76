"""The Standard Halo Model: parameters and the closed-form mean inverse speed η(v_min)."""

import math

import numpy as np
import pytest
from scipy.integrate import quad

from cevns.darkmatter.halo import BAXTER_2021, StandardHaloModel, km_per_s
from cevns.errors import CevnsInputError
from cevns.units import GeV, cm


def numerical_eta(v_min: float, v0: float, v_esc: float, v_e: float) -> float:
    """η = ∫_{|v|>v_min} f(v + v_E)/|v| d³v for the truncated Maxwellian, by quadrature over
    the speed v and the cosine c between v and v_E (speeds in km/s, result in s/km).

    Written independently of the closed form: f(u) = exp(−u²/v0²) Θ(v_esc − u)/(N π^{3/2} v0³)
    and N from the integral of the untruncated shape over the escape sphere."""
    norm = quad(lambda u: 4 * math.pi * u * u * math.exp(-((u / v0) ** 2)), 0, v_esc)[0]

    def over_angles(v: float) -> float:
        if v_e == 0:
            return 2.0 * math.exp(-((v / v0) ** 2)) if v < v_esc else 0.0
        c_max = min(1.0, (v_esc**2 - v**2 - v_e**2) / (2 * v * v_e))
        if c_max <= -1.0:
            return 0.0
        return quad(
            lambda c: math.exp(-(v * v + v_e * v_e + 2 * v * v_e * c) / v0**2), -1.0, c_max
        )[0]

    top = v_esc + v_e
    if v_min >= top:
        return 0.0
    # ∫ d³v f / v = ∫ v dv ∫ dc 2π f
    value = quad(lambda v: 2 * math.pi * v * over_angles(v), v_min, top, limit=200, epsabs=0)[0]
    return value / norm


def test_parameters_are_those_of_baxter_et_al_2021():
    assert BAXTER_2021.local_density / (GeV / cm**3) == pytest.approx(0.3, rel=1e-12)
    assert BAXTER_2021.circular_speed / km_per_s == pytest.approx(238.0, rel=1e-12)
    assert BAXTER_2021.escape_speed / km_per_s == pytest.approx(544.0, rel=1e-12)
    assert BAXTER_2021.earth_speed / km_per_s == pytest.approx(250.5, rel=1e-12)
    assert BAXTER_2021.maximum_speed / km_per_s == pytest.approx(794.5, rel=1e-12)
    # N_esc = erf(z) − 2z e^{−z²}/√π, z = 544/238.
    z = 544 / 238
    assert BAXTER_2021.normalisation == pytest.approx(
        math.erf(z) - 2 * z * math.exp(-z * z) / math.sqrt(math.pi), rel=1e-14
    )


@pytest.mark.parametrize("v_min", [0.0, 50.0, 200.0, 293.0, 294.0, 450.0, 700.0, 790.0])
def test_closed_form_matches_numerical_integration(v_min):
    # The three regimes: x < z − y (v_min < 293.5 km/s), z − y ≤ x < z + y, and beyond.
    closed = float(BAXTER_2021.mean_inverse_speed(v_min * km_per_s)) * km_per_s
    assert closed == pytest.approx(numerical_eta(v_min, 238.0, 544.0, 250.5), rel=1e-7)


def test_eta_vanishes_above_the_fastest_wimp_and_decreases():
    top = BAXTER_2021.maximum_speed
    assert float(BAXTER_2021.mean_inverse_speed(top * (1 + 1e-9))) == 0.0
    assert float(BAXTER_2021.mean_inverse_speed(top * (1 - 1e-3))) > 0.0
    speeds = np.linspace(0, 800, 400) * km_per_s
    eta = BAXTER_2021.mean_inverse_speed(speeds)
    assert np.all(np.diff(eta) <= 0)
    assert np.all(eta >= 0)


@pytest.mark.parametrize(
    ("v0", "v_esc", "v_e", "v_min"),
    [(220.0, 544.0, 0.0, 100.0), (220.0, 544.0, 0.0, 600.0), (150.0, 100.0, 250.0, 100.0),
     (150.0, 100.0, 250.0, 200.0), (150.0, 100.0, 250.0, 340.0)],
)  # fmt: skip
def test_limits_without_earth_motion_and_with_a_small_escape_speed(v0, v_esc, v_e, v_min):
    # v_E = 0: η = 2(e^{−x²} − e^{−z²})/(√π N v0); v_esc < v_E: η = 1/v_E while every WIMP is
    # faster than v_min (the shell theorem), then the second branch.
    halo = StandardHaloModel(
        circular_speed=v0 * km_per_s, escape_speed=v_esc * km_per_s, earth_speed=v_e * km_per_s
    )
    closed = float(halo.mean_inverse_speed(v_min * km_per_s)) * km_per_s
    assert closed == pytest.approx(numerical_eta(v_min, v0, v_esc, v_e), rel=1e-7, abs=1e-15)
    if v_e > v_esc and v_min < v_e - v_esc:
        assert closed == pytest.approx(1 / v_e, rel=1e-12)


def test_bad_halo_and_speed_are_refused_in_one_line():
    with pytest.raises(CevnsInputError, match=r"escape_speed must be a positive .*got -5"):
        StandardHaloModel(escape_speed=-5 * km_per_s)
    with pytest.raises(CevnsInputError, match="earth_speed"):
        StandardHaloModel(earth_speed=float("nan"))
    with pytest.raises(CevnsInputError, match="minimum_speed must be a non-negative"):
        BAXTER_2021.mean_inverse_speed(-1.0)
