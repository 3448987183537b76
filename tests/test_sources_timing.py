"""Proton pulses and the prompt/delayed emission-time densities."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.integrate import quad

from cevns.constants import charged_pion_lifetime, muon_lifetime
from cevns.errors import CevnsInputError
from cevns.sources import (
    DecayTimeProfile,
    GaussianPulse,
    InstantPulse,
    PionDecayAtRest,
    TabulatedPulse,
    get_facility,
)
from cevns.units import ns, us

TAU_PI, TAU_MU = charged_pion_lifetime, muon_lifetime
SNS = get_facility("sns-fts").source()  # Gaussian pulse, σ = 150 ns, centred on t = 0


def _trapezoid_total(density, t_min, t_max, n):
    t = np.linspace(t_min, t_max, n)
    return float(np.trapezoid(density(t), t))


@pytest.mark.parametrize("flavor", ["nu_mu", "nu_e", "nu_mu_bar"])
def test_time_densities_integrate_to_one_and_converge(flavor):
    def density(t):
        return SNS.time_density(flavor, t)

    window = (-3 * us, 60 * us)  # the muon tail beyond 60 µs holds e^{-27} ≈ 1.4e-12
    grids = (80, 160, 320, 640, 1280, 2560)
    errors = [abs(_trapezoid_total(density, *window, n) - 1.0) for n in grids]
    assert errors[-1] < 1e-6
    # refining the grid converges (quickly: the trapezoid rule is spectrally accurate for a
    # smooth density that vanishes at both ends): each doubling at least halves the error
    # until it reaches the 1e-10 level (SNS: ν_e 5.6e-2, 2.3e-3, 2.4e-7, 1.4e-12, ...)
    for coarse, fine in itertools.pairwise(errors):
        assert fine < coarse / 2 or fine < 1e-10


def test_cdf_matches_integral_of_density():
    for flavor in ("nu_mu", "nu_e"):
        for t in (-0.2 * us, 0.3 * us, 1 * us, 5 * us):
            integral, _ = quad(lambda x, f=flavor: SNS.time_density(f, x), -3 * us, t,
                               epsabs=1e-13, epsrel=1e-12, limit=200)  # fmt: skip
            assert SNS.time_cdf(flavor, t) == pytest.approx(integral, abs=1e-10)


def test_exponentially_modified_gaussian_matches_brute_force_convolution():
    pulse = GaussianPulse(sigma=150 * ns, mean=40 * ns)
    for tau in (TAU_PI, TAU_MU):
        for t in (-500 * ns, -100 * ns, 0.0, 200 * ns, 900 * ns, 5 * us):
            brute, _ = quad(
                lambda s, t=t, tau=tau: pulse.density(s) * math.exp(-(t - s) / tau) / tau,
                -2 * us, t, epsabs=1e-16, epsrel=1e-12, limit=400,
            )  # fmt: skip
            assert pulse.exp_convolution(t, tau) == pytest.approx(brute, rel=1e-8, abs=1e-18)


def test_instant_pulse_gives_the_decay_laws():
    profile = DecayTimeProfile(InstantPulse())
    t = np.array([0.1, 1.0, 3.0]) * us
    assert profile.prompt_density(t) == pytest.approx(np.exp(-t / TAU_PI) / TAU_PI, rel=1e-13)
    bateman = (np.exp(-t / TAU_MU) - np.exp(-t / TAU_PI)) / (TAU_MU - TAU_PI)
    assert profile.delayed_density(t) == pytest.approx(bateman, rel=1e-12)
    cdf = 1 - (TAU_MU * np.exp(-t / TAU_MU) - TAU_PI * np.exp(-t / TAU_PI)) / (TAU_MU - TAU_PI)
    assert profile.delayed_cdf(t) == pytest.approx(cdf, rel=1e-12)
    assert profile.delayed_cdf(-1 * us) == 0.0
    with pytest.raises(CevnsInputError, match="Dirac delta"):
        InstantPulse().density(0.0)


def test_delayed_fraction_before_one_microsecond():
    """Fraction of ν_e / ν̄_μ emitted before t = 1 µs after the pulse centre.

    Instantaneous pulse: 1 − (τ_μ e^{−t/τμ} − τ_π e^{−t/τπ})/(τ_μ − τ_π) = 0.3581 at 1 µs.
    SNS Gaussian pulse (σ = 150 ns, centred on 0): 0.3566 (the pulse spread delays a little).
    """
    instant = PionDecayAtRest(pulse=InstantPulse()).time_cdf("nu_e", 1 * us)
    expected = 1 - (TAU_MU * math.exp(-1 * us / TAU_MU) - TAU_PI * math.exp(-1 * us / TAU_PI)) / (
        TAU_MU - TAU_PI
    )
    assert instant == pytest.approx(expected, rel=1e-13)
    assert instant == pytest.approx(0.3581, abs=1e-4)
    gaussian = SNS.time_cdf("nu_e", 1 * us)
    assert gaussian == pytest.approx(0.3566, abs=1e-4)
    assert SNS.time_cdf("nu_mu_bar", 1 * us) == gaussian
    assert SNS.time_cdf("nu_mu", 1 * us) == pytest.approx(1.0, abs=1e-8)


def test_time_bin_fractions_are_exact():
    edges = np.array([-1, -0.25, 0, 0.125, 0.25, 0.5, 1, 2, 4, 6]) * us
    for flavor in ("nu_mu", "nu_e"):
        fractions = SNS.time_bin_fractions(flavor, edges)
        for k, (low, high) in enumerate(itertools.pairwise(edges)):
            brute, _ = quad(lambda t, f=flavor: SNS.time_density(f, t), low, high,
                            epsabs=1e-14, epsrel=1e-12, limit=200)  # fmt: skip
            assert fractions[k] == pytest.approx(brute, abs=1e-9)
        assert np.sum(fractions) == pytest.approx(
            SNS.time_cdf(flavor, edges[-1]) - SNS.time_cdf(flavor, edges[0]), abs=1e-15
        )
    with pytest.raises(CevnsInputError, match="strictly increasing"):
        SNS.time_bin_fractions("nu_e", [0.0, 2 * us, 1 * us])
    with pytest.raises(CevnsInputError, match="strictly increasing"):
        SNS.time_bin_fractions("nu_e", [1 * us])


def test_tabulated_pulse_is_exact_for_its_linear_trace():
    # triangle pulse: brute-force convolution of the piecewise-linear trace
    pulse = TabulatedPulse(np.array([-300, 0, 300]) * ns, [0, 1, 0])
    assert pulse.fwhm == pytest.approx(300 * ns)
    assert pulse.cdf(0.0) == pytest.approx(0.5)
    for tau in (TAU_PI, TAU_MU):
        for t in (-200 * ns, 0.0, 150 * ns, 300 * ns, 2 * us):
            brute, _ = quad(
                lambda s, t=t, tau=tau: pulse.density(s) * math.exp(-(t - s) / tau) / tau,
                -300 * ns, min(t, 300 * ns), points=[0.0] if t > 0 else None,
                epsabs=1e-16, epsrel=1e-12,
            )  # fmt: skip
            assert pulse.exp_convolution(t, tau) == pytest.approx(brute, rel=1e-9, abs=1e-18)


def test_finely_sampled_gaussian_trace_matches_the_analytic_pulse():
    gaussian = GaussianPulse(sigma=150 * ns)
    times = np.linspace(-1.2 * us, 1.2 * us, 2401)
    traced = PionDecayAtRest(pulse=TabulatedPulse(times, gaussian.density(times)))
    analytic = PionDecayAtRest(pulse=gaussian)
    t = np.linspace(-0.5 * us, 8 * us, 50)
    for flavor in ("nu_mu", "nu_e"):
        assert traced.time_density(flavor, t) == pytest.approx(
            analytic.time_density(flavor, t), rel=1e-4, abs=1e-7 / us
        )
        assert traced.time_cdf(flavor, 1 * us) == pytest.approx(
            analytic.time_cdf(flavor, 1 * us), abs=1e-6
        )


def test_extreme_times_are_finite():
    t = np.array([-1e3, -50, -1, 0, 1, 50, 1e3]) * us
    for flavor in ("nu_mu", "nu_e"):
        density = SNS.time_density(flavor, t)
        cdf = SNS.time_cdf(flavor, t)
        assert np.all(np.isfinite(density)) and np.all(density >= 0)
        assert np.all(np.isfinite(cdf))
        assert cdf[0] == pytest.approx(0.0, abs=1e-15) and cdf[-1] == pytest.approx(1.0, abs=1e-15)
    narrow = GaussianPulse(sigma=1 * ns)  # k = σ/τ_π tiny and huge x: no overflow
    assert np.all(np.isfinite(narrow.exp_convolution(t, TAU_PI)))


def test_pulse_input_errors():
    with pytest.raises(CevnsInputError, match="pulse sigma must be a positive"):
        GaussianPulse(sigma=-1 * ns)
    with pytest.raises(CevnsInputError, match="strictly increasing"):
        TabulatedPulse([0, 2, 1], [0, 1, 0])
    with pytest.raises(CevnsInputError, match="non-negative"):
        TabulatedPulse([0, 1, 2], [0, -1, 0])
    with pytest.raises(CevnsInputError, match="positive area"):
        TabulatedPulse([0, 1, 2], [0, 0, 0])
    with pytest.raises(CevnsInputError, match="at least 2 samples"):
        TabulatedPulse([0], [1])
    with pytest.raises(CevnsInputError, match="time must be a finite"):
        SNS.time_density("nu_e", float("nan"))
    with pytest.raises(CevnsInputError, match="lifetimes must differ"):
        DecayTimeProfile(InstantPulse(), 1 * us, 1 * us)
