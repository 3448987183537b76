"""Upper limits on a coupling against a mass, on models with a known answer.

The Gaussian model (:func:`build_gaussian`): one measurement d ± σ of g·s(m) + β, with a
nuisance β constrained to 0 ± σ_β. Profiling β gives Δχ²(g; m) = (g s(m) − d)²/Σ² with
Σ² = σ² + σ_β², so with ĝ = max(d, 0)/s(m) (the best fit with g ≥ 0) the limit at
threshold t solves (g s − d)² = min(d, 0)² + t Σ²:

    g_lim(m) = (d + √(min(d, 0)² + t Σ²)) / s(m).

The sign-flip model (:func:`flip_likelihood`): the same measurement of
r(g) = (1 − x)² + β, x = (g/g₀(m))², the rate of a mediator whose amplitude opposes the
Standard-Model one (the universal Z′). r returns to 1 at x = 2, so Δχ² has two minima and
the allowed set {|r − d| ≤ √t Σ} is two intervals: x ≤ 1 − √(d − √tΣ) and
1 + √(d − √tΣ) ≤ x ≤ 1 + √(d + √tΣ) (for 0 < d − √tΣ < 1).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from iminuit.cost import LeastSquares, NormalConstraint

from cevns.errors import CevnsInputError
from cevns.stats.analysis import Analysis, gaussian_constraint
from cevns.stats.likelihood import Likelihood, LikelihoodRecipe
from cevns.stats.limits import (
    GRID_RATIO,
    CouplingProfile,
    LimitChunk,
    LimitTable,
    allowed_between,
    allowed_intervals,
    check_coupling,
    far_and_rising,
    limit_at_mass,
    limit_threshold,
    run_limit,
)
from cevns.stats.results import read_result_file
from cevns.stats.scan import ScanAxis

BUILDER = "test_stats_limits:build_gaussian"
SIGMA, SIGMA_BETA = 0.8, 0.6
TOTAL_SIGMA = math.hypot(SIGMA, SIGMA_BETA)
MASSES = ScanAxis("m", 0.0, 3.0, 7)


def strength(mass):
    """s(m) = 1/(1 + m²): the signal per unit coupling falls with the mediator mass."""
    return 1.0 / (1.0 + mass**2)


def measured(x, g, m, beta):
    return g * strength(m) + beta + 0.0 * x


def build_gaussian(name, data_directory=None, model_parameters=None, **_: object) -> Analysis:
    """'gauss:D' measures D; 'capped:D' also caps the coupling at 0.05."""
    kind, _, value = name.partition(":")
    data = LeastSquares(np.array([0.0]), np.array([float(value)]), np.array([SIGMA]), measured)
    data._parameters["m"] = (0.0, 10.0)
    if kind == "capped":
        data._parameters["g"] = (-1.0, 0.05)
    constraint = gaussian_constraint("beta", 0.0, SIGMA_BETA)
    return Analysis(name, data, [constraint], {"g": 0.0, "m": 1.0, "beta": 0.0}, signal_scale="g")


def analytic_limit(d: float, threshold: float, masses: np.ndarray) -> np.ndarray:
    return (d + math.sqrt(min(d, 0.0) ** 2 + threshold * TOTAL_SIGMA**2)) / strength(masses)


def recipe(name: str) -> LikelihoodRecipe:
    return LikelihoodRecipe.create([name], builder=BUILDER)


def test_threshold_is_the_chi2_quantile_of_one_degree_of_freedom():
    assert limit_threshold(0.9) == pytest.approx(2.7055, abs=1e-4)
    assert limit_threshold(0.95) == pytest.approx(3.8415, abs=1e-4)
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(CevnsInputError, match=r"confidence level must be between 0 and 1"):
            limit_threshold(bad)


@pytest.mark.parametrize("measurement", [0.0, 1.5, -1.0])
def test_limits_match_the_analytic_answer(tmp_path, measurement):
    table = run_limit(
        recipe(f"gauss:{measurement}"), MASSES, "g", output_path=tmp_path / "limit.jsonl", workers=1
    )
    threshold = limit_threshold(0.9)
    np.testing.assert_allclose(
        table.limit, analytic_limit(measurement, threshold, MASSES.values), rtol=1e-4
    )
    # ĝ is the minimum of the profile, whose χ² MIGRAD finds to ~1e-4 (its EDM tolerance):
    # that places ĝ·s to ~0.01 Σ. Tolerance 0.02 Σ in ĝ·s.
    np.testing.assert_allclose(
        table.best_coupling * strength(MASSES.values),
        max(measurement, 0.0),
        atol=0.02 * TOTAL_SIGMA,
    )
    # Δχ² of coupling 0 from the best fit: (d/Σ)² with an excess, 0 otherwise.
    expected_null = max(measurement, 0.0) ** 2 / TOTAL_SIGMA**2
    np.testing.assert_allclose(table.delta_chi2_null, expected_null, atol=1e-3)
    assert table.converged.all() and table.bracketed.all()


def test_the_confidence_level_sets_the_threshold(tmp_path):
    table = run_limit(
        recipe("gauss:0.0"),
        MASSES,
        "g",
        output_path=tmp_path / "l.jsonl",
        confidence_level=0.95,
        workers=1,
    )
    np.testing.assert_allclose(table.limit, analytic_limit(0.0, 3.8415, MASSES.values), rtol=1e-4)
    summary = table.summary()
    assert summary["confidence_level"] == 0.95
    assert summary["delta_chi2_threshold"] == pytest.approx(3.8415, abs=1e-4)
    assert set(table.rows()[0]) == {
        "m",
        "limit",
        "allowed_intervals",
        "best_coupling",
        "delta_chi2_null",
        "converged",
        "bracketed",
    }


def test_no_limit_below_the_coupling_cap_is_reported_as_such(tmp_path):
    # The limits run from 1.3 (m = 0) upwards, all above the cap of 0.05.
    table = run_limit(
        recipe("capped:0.0"), MASSES, "g", output_path=tmp_path / "c.jsonl", workers=1
    )
    assert table.converged.all()
    assert not table.bracketed.any()
    assert np.isnan(table.limit).all()
    assert table.summary()["no_limit_in_range"] == MASSES.count


def test_resumed_and_parallel_limits_equal_the_serial_ones(tmp_path):
    serial = run_limit(
        recipe("gauss:0.5"), MASSES, "g", output_path=tmp_path / "s.jsonl", workers=1, chunk_size=2
    )
    path = tmp_path / "r.jsonl"

    def stop(chunks_done: int) -> None:
        if chunks_done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_limit(
            recipe("gauss:0.5"),
            MASSES,
            "g",
            output_path=path,
            workers=1,
            chunk_size=2,
            on_chunk=stop,
        )
    header, saved, _ = read_result_file(path)
    assert header["kind"] == "limit" and header["coupling"] == "g" and len(saved) == 4
    resumed = run_limit(
        recipe("gauss:0.5"), MASSES, "g", output_path=path, workers=1, chunk_size=2, resume=True
    )
    parallel = run_limit(
        recipe("gauss:0.5"),
        MASSES,
        "g",
        output_path=tmp_path / "p.jsonl",
        workers=2,
        chunk_size=2,
        progress=False,
    )
    for table in (resumed, parallel):
        np.testing.assert_array_equal(table.limit, serial.limit)
        np.testing.assert_array_equal(table.best_coupling, serial.best_coupling)
    with pytest.raises(CevnsInputError, match="holds a different scan \\(confidence_level"):
        run_limit(
            recipe("gauss:0.5"),
            MASSES,
            "g",
            output_path=path,
            workers=1,
            chunk_size=2,
            confidence_level=0.95,
            resume=True,
        )


def test_allowed_intervals_of_the_gaussian_model(tmp_path):
    # d = 3 excludes g = 0: the allowed set is g s ∈ [d − √tΣ, d + √tΣ], one interval
    # away from 0; with a deficit it starts at 0 and ends at the limit.
    threshold = limit_threshold(0.9)
    half_width = math.sqrt(threshold) * TOTAL_SIGMA
    excess = run_limit(
        recipe("gauss:3.0"), MASSES, "g", output_path=tmp_path / "e.jsonl", workers=1
    )
    deficit = run_limit(
        recipe("gauss:-1.0"), MASSES, "g", output_path=tmp_path / "d.jsonl", workers=1
    )
    s = strength(MASSES.values)
    for i in range(MASSES.count):
        [(low, high)] = excess.allowed_intervals[i]
        assert low * s[i] == pytest.approx(3.0 - half_width, rel=1e-5)
        assert high == excess.limit[i]
        assert high * s[i] == pytest.approx(3.0 + half_width, rel=1e-5)
        [(zero, end)] = deficit.allowed_intervals[i]
        assert zero == 0.0 and end == deficit.limit[i]
    assert excess.delta_chi2_null == pytest.approx((3.0 / TOTAL_SIGMA) ** 2, rel=1e-4)


# --- the sign-flip model: two minima, an allowed island above the first crossing --------

FLIP_DATA = 1.05
FLIP_SIGMA, FLIP_SIGMA_BETA = 0.12, 0.09  # Σ = 0.15, a CsI-like 15 % rate uncertainty
FLIP_TOTAL_SIGMA = math.hypot(FLIP_SIGMA, FLIP_SIGMA_BETA)


def flip_rate(g, m):
    """r(g) = (1 − (g/g₀)²)² with g₀ = 1 + m."""
    return (1.0 - (g / (1.0 + m)) ** 2) ** 2


def flip_likelihood(measurement: float = FLIP_DATA) -> Likelihood:
    """Δχ²(g) = (r(g) − d)²/Σ² after profiling β: built directly as a Likelihood."""
    data = LeastSquares(
        np.array([0.0]),
        np.array([measurement]),
        np.array([FLIP_SIGMA]),
        lambda x, g, m, beta: flip_rate(g, m) + beta + 0.0 * x,
    )
    cost = data + NormalConstraint("beta", 0.0, FLIP_SIGMA_BETA)
    return Likelihood(
        cost=cost,
        start={"g": 0.0, "m": 0.0, "beta": 0.0},
        names=("g", "m", "beta"),
        limits={"g": (-math.inf, math.inf), "m": (0.0, 10.0), "beta": (-math.inf, math.inf)},
        fixed={},
    )


def flip_allowed(m: float, d: float, threshold: float) -> list[tuple[float, float]]:
    """The analytic allowed intervals of the sign-flip model (0 < d − √tΣ < 1)."""
    half = math.sqrt(threshold) * FLIP_TOTAL_SIGMA
    low, high = math.sqrt(d - half), math.sqrt(d + half)
    g0 = 1.0 + m
    return [(0.0, g0 * math.sqrt(1 - low)), (g0 * math.sqrt(1 + low), g0 * math.sqrt(1 + high))]


def flip_chunk(threshold: float) -> LimitChunk:
    return LimitChunk(
        "m", "g", (), (("g", 0.0), ("m", 0.0), ("beta", 0.0)), (), threshold, math.inf
    )


@pytest.mark.parametrize("mass", np.linspace(0.0, 0.7, 8))
def test_the_allowed_island_of_a_sign_flip_is_found(mass):
    # Δχ² from the global minimum (at the island, x = 1 + √d), not from the local one at
    # g = 0: the limit is the island's upper end, far above the first crossing. The masses
    # move the island across the grid (g₀ from 1 to 1.7 spans three grid steps of 2^(1/4))
    # so that it falls between grid points as well as on them.
    threshold = limit_threshold(0.9)
    record = limit_at_mass(flip_likelihood(), flip_chunk(threshold), mass, {"beta": 0.0}, 1e-6)
    expected = flip_allowed(mass, FLIP_DATA, threshold)
    assert record["converged"] and record["bracketed"]
    assert len(record["allowed_intervals"]) == 2
    for got, want in zip(record["allowed_intervals"], expected, strict=True):
        # Tolerance 1e-4: the reference χ² is MIGRAD's minimum, good to ~1e-4.
        assert got == pytest.approx(want, rel=1e-4, abs=1e-9)
    assert record["limit"] == pytest.approx(expected[1][1], rel=1e-4)
    g0 = 1.0 + mass
    assert record["best_coupling"] == pytest.approx(
        g0 * math.sqrt(1 + math.sqrt(FLIP_DATA)), rel=1e-3
    )
    # Δχ²(0) from the global minimum: ((1 − d)/Σ)².
    assert record["delta_chi2_null"] == pytest.approx(
        ((1 - FLIP_DATA) / FLIP_TOTAL_SIGMA) ** 2, abs=1e-3
    )


def sliver_likelihood() -> Likelihood:
    """A rate 1 + 20 g² with a narrow dip back to 1 at g = 0.5 (width 0.05), measured 1 ±
    0.12 with a Gaussian offset β (σ 0.09): allowed near 0 and in a sliver around 0.5."""

    def rate(x, g, m, beta):
        return 1.0 + 20.0 * g * g - 5.0 * math.exp(-(((g - 0.5) / 0.05) ** 2)) + beta + 0.0 * x

    data = LeastSquares(np.array([0.0]), np.array([1.0]), np.array([FLIP_SIGMA]), rate)
    cost = data + NormalConstraint("beta", 0.0, FLIP_SIGMA_BETA)
    return Likelihood(
        cost=cost,
        start={"g": 0.0, "m": 0.0, "beta": 0.0},
        names=("g", "m", "beta"),
        limits={"g": (0.0, math.inf), "m": (0.0, 10.0), "beta": (-math.inf, math.inf)},
        fixed={},
    )


def test_an_allowed_sliver_between_excluded_grid_points_is_found():
    """Profiled at 0, 0.42 and 0.6 only (both of the latter excluded, 0.42 no local
    minimum), the sliver around g = 0.5 is invisible to the crossings; the batched check
    between the points finds a coupling the cost already allows there, profiles it, and
    the sliver becomes an allowed interval, with its ends where Δχ² = t."""
    threshold = limit_threshold(0.9)
    profile = CouplingProfile(sliver_likelihood(), flip_chunk(threshold), 0.0, {"beta": 0.0})
    for coupling in (0.0, 0.42, 0.6):
        profile.chi2(coupling)
    reference = profile.best()[1].chi2
    assert len(allowed_intervals(profile, reference, threshold, 1.0)) == 1
    assert allowed_between(profile, reference, threshold) >= 1
    intervals = allowed_intervals(profile, reference, threshold, 1.0)
    assert len(intervals) == 2
    low, high = intervals[1]
    assert 0.42 < low < 0.5 < high < 0.6
    half = math.sqrt(threshold) * FLIP_TOTAL_SIGMA  # |rate − 1| ≤ half at the ends
    for end in (low, high):
        rate = 1.0 + 20.0 * end**2 - 5.0 * math.exp(-(((end - 0.5) / 0.05) ** 2))
        assert abs(rate - 1.0) == pytest.approx(half, rel=1e-3)


def test_no_coupling_a_fine_scan_allows_is_excluded():
    # Brute force: Δχ² of the profile on a fine grid (β profiled analytically), against
    # the reported intervals; every allowed grid point must lie in one of them.
    threshold = limit_threshold(0.9)
    for measurement in (0.95, 1.05, 1.2):
        record = limit_at_mass(
            flip_likelihood(measurement), flip_chunk(threshold), 0.3, {"beta": 0.0}, 1e-6
        )
        grid = np.linspace(0.0, 3.0, 30001)
        delta = (flip_rate(grid, 0.3) - measurement) ** 2 / FLIP_TOTAL_SIGMA**2
        allowed = grid[delta - delta.min() <= threshold]
        inside = np.zeros(allowed.size, dtype=bool)
        for low, high in record["allowed_intervals"]:
            inside |= (allowed >= low * (1 - 1e-6)) & (allowed <= high * (1 + 1e-6))
        assert inside.all(), measurement
        assert record["limit"] >= allowed.max() * (1 - 1e-6)


def test_the_grid_stops_only_after_a_decade_of_rising_far_above_the_minimum():
    couplings = list(1e-3 * GRID_RATIO ** np.arange(20))
    rising = [100.0 + i for i in range(20)]
    assert far_and_rising(couplings, rising, 0.0)
    assert not far_and_rising(couplings[:13], rising[:13], 0.0)  # less than a decade
    assert not far_and_rising(couplings, rising, 85.0)  # the decade starts 21 above it
    dip = rising.copy()
    dip[15] = 90.0
    assert not far_and_rising(couplings, dip, 0.0)  # turns down: maybe an island ahead


def test_coupling_is_checked_against_the_likelihood():
    likelihood = Likelihood(
        cost=None,
        start={},
        names=("g", "m", "positive", "fixed"),
        limits={
            "g": (-math.inf, math.inf),
            "m": (0.0, 10.0),
            "positive": (0.5, 2.0),
            "fixed": (-1.0, 1.0),
        },
        fixed={"fixed": 0.0},
    )
    assert check_coupling("g", MASSES, likelihood) == (-math.inf, math.inf)
    with pytest.raises(CevnsInputError, match="unknown --coupling parameter 'gg'"):
        check_coupling("gg", MASSES, likelihood)
    with pytest.raises(CevnsInputError, match="--coupling m is also the --mass parameter"):
        check_coupling("m", MASSES, likelihood)
    with pytest.raises(CevnsInputError, match=r"range \[0.5, 2\] must contain 0"):
        check_coupling("positive", MASSES, likelihood)
    with pytest.raises(CevnsInputError, match="--coupling fixed: the parameter is fixed"):
        check_coupling("fixed", MASSES, likelihood)


def test_an_incomplete_record_set_is_refused():
    with pytest.raises(CevnsInputError, match="incomplete: 0 of 7 masses"):
        LimitTable.from_records(MASSES, "g", 0.9, [])


def test_universal_zprime_limit_keeps_the_sign_flip_island_of_csi(shared_data_dir, tmp_path):
    # CsI 2021 at M = 100 MeV: the universal Z′ flips the sign of G_V near g ≈ 2.0e-4 and
    # gives back the Standard-Model rate; `cevns scan` finds the global best fit there,
    # with a 90 % island [1.93, 2.07]e-4 beside the interval [0, 5.3e-5] (measured with
    # `cevns scan coherent-csi-2021 --param zprime_universal_g=0:3e-4:61
    # --fix zprime_mass=100`). The limit must be the island's upper end, not 5.3e-5.
    spec = LikelihoodRecipe.create(
        ["coherent-csi-2021"],
        shared_data_dir,
        {"zprime_mass": 100.0, "zprime_universal_g": 0.0},
        hold_signal_scales=True,
    )
    axis = ScanAxis("zprime_mass", 100.0, 200.0, 2)
    table = run_limit(spec, axis, "zprime_universal_g", output_path=tmp_path / "z.jsonl", workers=1)
    assert table.converged.all() and table.bracketed.all()
    first, island = table.allowed_intervals[0]
    assert first[0] == 0.0 and first[1] == pytest.approx(5.33e-5, rel=0.03)
    assert island[0] == pytest.approx(1.93e-4, rel=0.03)
    assert island[1] == pytest.approx(2.07e-4, rel=0.03) and table.limit[0] == island[1]
    assert island[0] < table.best_coupling[0] < island[1]
    # At twice the mass the island moves to about twice the coupling (M² ≫ q²).
    assert table.allowed_intervals[1][-1][1] == pytest.approx(2 * island[1], rel=0.15)
