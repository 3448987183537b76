"""Smearing models: normalisation, published forms, closed forms, efficiency integration."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from scipy import integrate, stats

from cevns.detectors import (
    GammaSmearing,
    GaussianSmearing,
    LogisticEfficiency,
    NoiseFanoSmearing,
    NoSmearing,
    PoissonSmearing,
    SmearingSpec,
    TabulatedEfficiency,
    ThresholdEfficiency,
    UnitEfficiency,
)
from cevns.errors import CevnsInputError
from cevns.units import eV, keVee

SMEARING_SPEC = TypeAdapter(SmearingSpec)

# CsI[Na] 2021 (arXiv:2110.07730 and supplement): a = 0.0749/E_ee, b = 9.56·E_ee, E_ee in keVee.
CSI_GAMMA = GammaSmearing(0.0749, 9.56)
# CsI[Na] 2021 nominal energy efficiency (effCoefficients.txt of the same release), x in PE.
CSI_EFFICIENCY = LogisticEfficiency(1.32045, 0.285979, 10.8646, -0.333322)
CSI_PE_EDGES = np.array([0, 8, 12, 16, 20, 24, 32, 40, 50, 60.0])
# CENNS-10 argon resolution (arXiv:2003.10630 release): σ/E = 0.58/√(E/keVee).
ARGON_GAUSSIAN = GaussianSmearing(0.58, keVee)

PE_MEANS = np.array([0.0, 0.05, 0.7, 3.0, 13.35, 40.0, 80.0])
ENERGY_MEANS = np.array([0.0, 0.02, 0.5, 3.0, 20.0, 70.0]) * keVee


def _covering(model, means):
    """Edges covering all but ≲1e-12 of every row's distribution, split into uneven bins."""
    top = float(means.max())
    if isinstance(model, PoissonSmearing | GammaSmearing):
        return np.concatenate(([0.0], np.geomspace(0.5, top + 60 * math.sqrt(top) + 80, 40)))
    return np.concatenate(([0.0], np.geomspace(1e-4, 3.0, 20) * (top + 50 * keVee)))


@pytest.mark.parametrize(
    ("model", "means"),
    [
        (PoissonSmearing(), PE_MEANS),
        (CSI_GAMMA, PE_MEANS),
        (ARGON_GAUSSIAN, ENERGY_MEANS),
        (NoSmearing(), ENERGY_MEANS),
    ],
    ids=["poisson", "gamma", "gaussian", "none"],
)
def test_rows_sum_to_one_over_edges_covering_the_support(model, means):
    probabilities = model.bin_probabilities(means, _covering(model, means))
    assert probabilities.shape[0] == means.size
    assert probabilities.sum(axis=1) == pytest.approx(np.ones(means.size), abs=1e-6)
    assert np.all((probabilities >= 0) & (probabilities <= 1))


def test_untruncated_gaussian_needs_negative_edges_to_sum_to_one():
    model = GaussianSmearing(0.58, keVee, truncate_at_zero=False)
    means = ENERGY_MEANS[1:]
    positive = model.bin_probabilities(means, np.linspace(0, 200, 41) * keVee)
    whole = model.bin_probabilities(means, np.linspace(-50, 200, 51) * keVee)
    assert whole.sum(axis=1) == pytest.approx(np.ones(means.size), abs=1e-9)
    lost = stats.norm.cdf(0.0, loc=means, scale=0.58 * np.sqrt(means * keVee))
    assert positive.sum(axis=1) == pytest.approx(1 - lost, abs=1e-12)


def test_gamma_matches_the_published_form():
    # arXiv:2110.07730 supplement: shape 1 + b, scale 1/(a(1 + b)) with a = 0.0749/E_ee and
    # b = 9.56 E_ee; mean 1/a = E_ee/0.0749 PE. Reference: scipy.stats.gamma; tolerance 1e-12.
    for energy in (0.2, 1.0, 2.5, 6.0):  # keVee
        a, b = 0.0749 / energy, 9.56 * energy
        reference = stats.gamma(1 + b, scale=1 / (a * (1 + b)))
        mean = 1 / a
        shape, scale = CSI_GAMMA.shape_and_scale(mean)
        assert shape == pytest.approx(1 + b, rel=1e-12)
        assert shape * scale == pytest.approx(reference.mean(), rel=1e-12)
        assert shape * scale**2 == pytest.approx(reference.var(), rel=1e-12)
        assert reference.mean() == pytest.approx(energy / 0.0749, rel=1e-12)
        got = CSI_GAMMA.bin_probabilities([mean], CSI_PE_EDGES)[0]
        assert got == pytest.approx(np.diff(reference.cdf(CSI_PE_EDGES)), abs=1e-12)


def test_gamma_moments_from_fine_bins():
    # Mean and variance of the binned distribution (0.01-PE bins, Sheppard's correction)
    # reproduce shape·scale and shape·scale²; tolerance 1e-6 relative.
    edges = np.linspace(0.0, 200.0, 20001)
    centres = 0.5 * (edges[:-1] + edges[1:])
    for mean in (5.0, 13.35, 40.0):
        shape, scale = CSI_GAMMA.shape_and_scale(mean)
        p = CSI_GAMMA.bin_probabilities([mean], edges)[0]
        binned_mean = np.sum(p * centres)
        binned_var = np.sum(p * (centres - binned_mean) ** 2) - 0.01**2 / 12
        assert binned_mean == pytest.approx(shape * scale, rel=1e-6)
        assert binned_var == pytest.approx(shape * scale**2, rel=1e-6)


def test_gaussian_resolution_follows_a_over_sqrt_e():
    # LArParametersAnlA.yaml: σ/E = 0.58/√(E/keVee): 0.58 at 1 keVee, 0.29 at 4, 0.116 at 25.
    energies = np.array([1.0, 4.0, 25.0]) * keVee
    assert ARGON_GAUSSIAN.sigma(energies) / energies == pytest.approx([0.58, 0.29, 0.116])
    edges = np.linspace(0.0, 60.0, 31) * keVee
    sigma = ARGON_GAUSSIAN.sigma(energies)
    reference = stats.norm(loc=energies[:, None], scale=sigma[:, None])
    kept = reference.sf(0.0)  # renormalisation of the truncation at zero
    expected = np.diff(reference.cdf(edges[None, :]), axis=1) / kept
    assert ARGON_GAUSSIAN.bin_probabilities(energies, edges) == pytest.approx(expected, abs=1e-12)


def test_poisson_against_scipy():
    edges = np.array([0, 0.5, 3, 3.5, 8, 12.2, 20, 60, 200])
    got = PoissonSmearing().bin_probabilities(PE_MEANS, edges)
    counts = np.ceil(edges) - 1  # largest integer below each edge
    expected = np.diff(stats.poisson.cdf(counts[None, :], PE_MEANS[:, None]), axis=1)
    assert got == pytest.approx(expected, abs=1e-14)
    # [0, 0.5) holds n = 0 only
    assert got[:, 0] == pytest.approx(stats.poisson.pmf(0, PE_MEANS), abs=1e-15)


def test_poisson_with_efficiency_against_a_direct_sum():
    got = PoissonSmearing().bin_probabilities(PE_MEANS, CSI_PE_EDGES, CSI_EFFICIENCY)
    for i, mean in enumerate(PE_MEANS):
        for k in range(CSI_PE_EDGES.size - 1):
            n = np.arange(int(CSI_PE_EDGES[k]), int(CSI_PE_EDGES[k + 1]))
            expected = np.sum(stats.poisson.pmf(n, mean) * CSI_EFFICIENCY(n))
            assert got[i, k] == pytest.approx(expected, abs=1e-14)


def test_no_smearing_puts_each_mean_in_its_half_open_bin():
    edges = np.array([0.0, 1.0, 2.0, 3.0])
    got = NoSmearing().bin_probabilities([0.0, 0.5, 1.0, 2.999, 3.0, 7.0], edges)
    assert got.tolist() == [
        [1, 0, 0],
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [0, 0, 0],
        [0, 0, 0],
    ]
    half = NoSmearing().bin_probabilities([1.5], edges, lambda x: np.full_like(x, 0.25))
    assert half.tolist() == [[0.0, 0.25, 0.0]]


def _quad_reference(pdf, efficiency, edges, extra_points=()):
    values = []
    for low, high in itertools.pairwise(edges):
        points = [p for p in (*efficiency.breakpoints, *extra_points) if low < p < high]
        value, _ = integrate.quad(
            lambda x: pdf(x) * float(efficiency(x)),
            low,
            high,
            points=points or None,
            epsabs=1e-14,
            epsrel=1e-12,
            limit=500,
        )
        values.append(value)
    return np.array(values)


def test_gamma_with_logistic_efficiency_against_adaptive_quadrature():
    # Slow reference: adaptive quadrature of p(x)·ε(x) per bin; fast path to 1e-9 absolute.
    means = np.array([0.3, 2.0, 7.0, 13.35, 30.0, 55.0])
    got = CSI_GAMMA.bin_probabilities(means, CSI_PE_EDGES, CSI_EFFICIENCY)
    for i, mean in enumerate(means):
        shape, scale = CSI_GAMMA.shape_and_scale(mean)
        density = stats.gamma(shape, scale=scale).pdf
        expected = _quad_reference(density, CSI_EFFICIENCY, CSI_PE_EDGES)
        assert got[i] == pytest.approx(expected, abs=1e-9)


def test_gaussian_with_tabulated_efficiency_against_adaptive_quadrature():
    # An argon-like acceptance: linear pieces every 0.5 keVee, zero below, flat above.
    nodes = np.arange(0.25, 40.0, 0.5)
    efficiency = TabulatedEfficiency(nodes * keVee, 0.95 * (1 - np.exp(-nodes / 4.0)))
    edges = np.arange(0.0, 121.0, 10.0) * keVee
    means = np.array([0.01, 0.4, 2.0, 8.0, 35.0, 90.0]) * keVee
    got = ARGON_GAUSSIAN.bin_probabilities(means, edges, efficiency)
    for i, mean in enumerate(means):
        sigma = float(ARGON_GAUSSIAN.sigma(mean))
        norm = stats.norm.sf(0.0, loc=mean, scale=sigma)
        expected = _quad_reference(
            lambda x, m=mean, s=sigma, n=norm: stats.norm.pdf(x, m, s) / n,
            efficiency,
            edges,
            extra_points=(mean,),
        )
        assert got[i] == pytest.approx(expected, abs=1e-9)


def test_undeclared_discontinuity_is_still_integrated_accurately():
    # A plain callable without breakpoints: the adaptive split localises the jump.
    def step(x):
        return np.where(np.asarray(x) >= 9.3, 0.8, 0.1)

    means = np.array([6.0, 9.0, 14.0])
    got = CSI_GAMMA.bin_probabilities(means, CSI_PE_EDGES, step)
    for i, mean in enumerate(means):
        shape, scale = CSI_GAMMA.shape_and_scale(mean)
        reference = stats.gamma(shape, scale=scale)
        cdf = reference.cdf(CSI_PE_EDGES)
        expected = 0.1 * np.diff(cdf)
        expected[1] += 0.7 * (reference.cdf(12.0) - reference.cdf(9.3))
        expected[2:] = 0.8 * np.diff(cdf)[2:]
        assert got[i] == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("model", "means", "efficiency"),
    [
        (PoissonSmearing(), PE_MEANS, CSI_EFFICIENCY),
        (CSI_GAMMA, PE_MEANS, CSI_EFFICIENCY),
        (ARGON_GAUSSIAN, ENERGY_MEANS, ThresholdEfficiency(4 * keVee)),
        (NoSmearing(), ENERGY_MEANS, ThresholdEfficiency(4 * keVee)),
    ],
    ids=["poisson", "gamma", "gaussian", "none"],
)
def test_efficiency_never_increases_a_bin(model, means, efficiency):
    edges = _covering(model, means)
    without = model.bin_probabilities(means, edges)
    with_efficiency = model.bin_probabilities(means, edges, efficiency)
    assert np.all(with_efficiency <= without + 1e-12)
    assert model.bin_probabilities(means, edges, UnitEfficiency()) == pytest.approx(
        without, abs=1e-15
    )


def test_threshold_efficiency_equals_cutting_the_bins():
    edges = np.array([0.0, 3.0, 7.0, 12.0, 40.0]) * keVee
    means = np.array([2.0, 6.0, 15.0]) * keVee
    cut = ARGON_GAUSSIAN.bin_probabilities(means, edges, ThresholdEfficiency(5 * keVee))
    split = ARGON_GAUSSIAN.bin_probabilities(means, np.insert(edges, 2, 5 * keVee))
    # bin [3, 7) keeps only its part above 5 keVee, i.e. the bin [5, 7) of the split edges
    expected = np.column_stack((np.zeros(3), split[:, 2], split[:, 3], split[:, 4]))
    assert cut == pytest.approx(expected, abs=1e-12)


@settings(max_examples=60, deadline=None)
# regressions found by hypothesis: subnormal means (θ, σ underflow) and a subnormal bin width
@example(means=[5e-324], cuts=[0.0, 1.0], model_index=1)
@example(means=[5e-324], cuts=[0.0, 1.0], model_index=2)
@example(means=[1.0], cuts=[0.0, 1.7558200943615418e-212], model_index=1)
@given(
    means=st.lists(st.floats(0.0, 200.0), min_size=1, max_size=6),
    cuts=st.lists(st.floats(0.0, 300.0), min_size=2, max_size=8, unique=True),
    model_index=st.integers(0, 3),
)
def test_probabilities_are_finite_bounded_and_rows_at_most_one(means, cuts, model_index):
    model = [PoissonSmearing(), CSI_GAMMA, GaussianSmearing(0.58, 1.0), NoSmearing()][model_index]
    edges = np.sort(np.array(cuts))
    if np.any(np.diff(edges) <= 0):
        return
    for efficiency in (None, CSI_EFFICIENCY):
        p = model.bin_probabilities(np.array(means), edges, efficiency)
        assert np.all(np.isfinite(p))
        assert np.all((p >= 0) & (p <= 1))
        assert np.all(p.sum(axis=1) <= 1 + 1e-9)


def test_specs_build_every_model():
    assert isinstance(SMEARING_SPEC.validate_python({"model": "poisson"}).build(), PoissonSmearing)
    gamma = SMEARING_SPEC.validate_python({"model": "gamma", "a": 0.0749, "b": 9.56}).build()
    assert (gamma.a_coefficient, gamma.b_coefficient) == (0.0749, 9.56)
    gauss = SMEARING_SPEC.validate_python(
        {"model": "gaussian", "resolution": 0.58, "unit": "keVee"}
    ).build()
    assert gauss.unit == keVee and gauss.truncate_at_zero
    pe = SMEARING_SPEC.validate_python({"model": "gaussian", "resolution": 1.0, "unit": "PE"})
    assert pe.build().unit == 1.0
    assert isinstance(SMEARING_SPEC.validate_python({"model": "none"}).build(), NoSmearing)


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ({"model": "gamma", "a": 0.0749}, "gamma.b"),
        ({"model": "gamma", "a": 0.0749, "b": 9.56, "c": 1.0}, "gamma.c"),
        ({"model": "gaussian", "resolution": float("inf")}, "gaussian.resolution"),
        ({"model": "gaussian", "resolution": 0.5, "unit": "cm"}, "gaussian.unit"),
        ({"model": "lorentzian"}, "does not match any of the expected tags"),
    ],
)
def test_specs_refuse_bad_tables(table, field):
    with pytest.raises(ValidationError, match=field):
        SMEARING_SPEC.validate_python(table)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: CSI_GAMMA.bin_probabilities([-1.0], CSI_PE_EDGES), "true_means must be a non"),
        (lambda: CSI_GAMMA.bin_probabilities([1.0], [0, 8, 4]), "edges must be strictly incr"),
        (lambda: CSI_GAMMA.bin_probabilities([1.0], [0.0]), "at least 2 bin edges"),
        (lambda: CSI_GAMMA.bin_probabilities([1.0], [0, np.nan]), "edges must be a finite"),
        (
            lambda: CSI_GAMMA.bin_probabilities([5.0], CSI_PE_EDGES, lambda x: 2 + 0 * x),
            "efficiency must return values in",
        ),
        (lambda: GammaSmearing(0.0, 9.56), "a_coefficient must be a positive"),
        (lambda: GammaSmearing(0.0749, float("nan")), "b_coefficient must be a finite"),
        (lambda: GaussianSmearing(-0.58, keVee), "resolution_at_unit must be a positive"),
        (lambda: GaussianSmearing(0.58, keVee, truncate_at_zero="yes"), "truncate_at_zero"),
    ],
)
def test_bad_input_gives_one_line_errors(call, message):
    with pytest.raises(CevnsInputError, match=message) as error:
        call()
    assert "\n" not in str(error.value)


# --- noise plus Fano (germanium) ---------------------------------------------------------------

# A germanium spectrometer: σ_noise = 20 eV, F = 0.11, ε = 2.96 eV per pair at 77 K.
GERMANIUM = NoiseFanoSmearing(20 * eV, 0.11, 2.96 * eV)


def test_noise_fano_width_by_hand_and_its_limits():
    # σ² = σ_noise² + F ε E, written out: at 1 keVee, 400 + 0.11 · 2.96 · 1000 eV².
    assert float(GERMANIUM.sigma(1.0 * keVee)) == pytest.approx(
        math.sqrt(20.0**2 + 0.11 * 2.96 * 1000.0) * eV, rel=1e-12
    )
    energies = np.array([0.0, 0.1, 1.0, 10.0]) * keVee
    noise_only = NoiseFanoSmearing(20 * eV, 0.0, 2.96 * eV)
    assert noise_only.sigma(energies) == pytest.approx(np.full(4, 20 * eV), rel=1e-12)
    fano_only = NoiseFanoSmearing(0.0, 0.11, 2.96 * eV)
    assert fano_only.sigma(energies) == pytest.approx(np.sqrt(0.11 * 2.96 * eV * energies))
    # Pair statistics: N = E/ε pairs with variance F N, so σ_E = ε √(F N).
    pairs = 1.0 * keVee / (2.96 * eV)
    assert float(fano_only.sigma(1.0 * keVee)) == pytest.approx(
        2.96 * eV * math.sqrt(0.11 * pairs), rel=1e-12
    )


def test_noise_fano_bins_against_the_normal_distribution():
    # Untruncated: bin probabilities are differences of Φ with σ(μ) by hand (scipy.stats).
    model = NoiseFanoSmearing(20 * eV, 0.11, 2.96 * eV, truncate_at_zero=False)
    edges = np.array([-0.5, 0.1, 0.21, 0.3, 0.5, 1.0, 3.0]) * keVee
    means = np.array([0.15, 0.25, 0.6, 2.0]) * keVee
    got = model.bin_probabilities(means, edges)
    for row, mean in zip(got, means, strict=True):
        sigma = math.sqrt((20 * eV) ** 2 + 0.11 * 2.96 * eV * mean)
        assert row == pytest.approx(np.diff(stats.norm.cdf(edges, mean, sigma)), abs=1e-14)
    # With a threshold efficiency at 210 eVee: adaptive quadrature of the truncated density.
    threshold = ThresholdEfficiency(0.21 * keVee)
    truncated = GERMANIUM.bin_probabilities(means, edges[1:], threshold)
    for row, mean in zip(truncated, means, strict=True):
        sigma = float(GERMANIUM.sigma(mean))
        kept = stats.norm.sf(0.0, mean, sigma)
        expected = _quad_reference(
            lambda x, m=mean, s=sigma, k=kept: stats.norm.pdf(x, m, s) / k,
            threshold,
            edges[1:],
            extra_points=(mean,),
        )
        assert row == pytest.approx(expected, abs=1e-9)


def test_noise_fano_spec():
    spec = SMEARING_SPEC.validate_python(
        {"model": "noise-fano", "noise_fwhm": "47.1 eV", "fano": 0.11, "pair_energy": "2.96 eV"}
    )
    built = spec.build()
    assert built.noise_sigma == pytest.approx(47.1 * eV / (2 * math.sqrt(2 * math.log(2))))
    assert (built.fano, built.pair_energy) == (0.11, pytest.approx(2.96 * eV))
    default = SMEARING_SPEC.validate_python({"model": "noise-fano", "noise_sigma": "20 eV"})
    assert default.build().fano == 0.11 and default.build().pair_energy == pytest.approx(2.96 * eV)
    with pytest.raises(ValidationError, match="exactly one of noise_sigma and noise_fwhm"):
        SMEARING_SPEC.validate_python({"model": "noise-fano"})
    with pytest.raises(ValidationError, match="fano"):
        SMEARING_SPEC.validate_python({"model": "noise-fano", "noise_sigma": "20 eV", "fano": -1})
    with pytest.raises(CevnsInputError, match="pair_energy must be a positive"):
        NoiseFanoSmearing(20 * eV, 0.11, 0.0)


# --- efficiency tables with jumps and steps -----------------------------------------------------


def test_half_step_table_is_integrated_exactly_across_its_jump():
    # ε = 0 below 0.3 keVee, 0.5 from 0.3 to 0.6 keVee, then linear to 1 at 1 keVee: a
    # repeated node makes each jump; the "step" form of the first part agrees with it.
    jumps = TabulatedEfficiency(
        np.array([0.0, 0.3, 0.3, 0.6, 0.6, 1.0]) * keVee, [0.0, 0.0, 0.5, 0.5, 0.7, 1.0]
    )
    assert jumps(np.array([0.29999, 0.3, 0.45, 0.59999, 0.6, 0.8, 2.0]) * keVee) == (
        pytest.approx([0.0, 0.5, 0.5, 0.5, 0.7, 0.85, 1.0])
    )
    steps = TabulatedEfficiency(
        np.array([0.0, 0.3, 0.6]) * keVee, [0.0, 0.5, 0.7], interpolation="step", above=0.7
    )
    assert steps(np.array([0.1, 0.3, 0.59, 0.6, 5.0]) * keVee) == pytest.approx(
        [0.0, 0.5, 0.5, 0.7, 0.7]
    )
    edges = np.array([0.1, 0.2, 0.5, 0.8, 1.5]) * keVee
    means = np.array([0.25, 0.35, 0.7]) * keVee
    for efficiency in (jumps, steps):
        got = GERMANIUM.bin_probabilities(means, edges, efficiency)
        for row, mean in zip(got, means, strict=True):
            sigma = float(GERMANIUM.sigma(mean))
            kept = stats.norm.sf(0.0, mean, sigma)
            expected = _quad_reference(
                lambda x, m=mean, s=sigma, k=kept: stats.norm.pdf(x, m, s) / k,
                efficiency,
                edges,
                extra_points=(mean,),
            )
            assert row == pytest.approx(expected, abs=1e-9)
