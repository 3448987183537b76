"""Upper limits on a coupling against a mass, on a Gaussian model with a known answer.

The model (:func:`build_gaussian`): one measurement d ± σ of g·s(m) + β, with a nuisance β
constrained to 0 ± σ_β. Profiling β gives Δχ²(g; m) = (g s(m) − d)²/Σ² with
Σ² = σ² + σ_β², so with ĝ = max(d, 0)/s(m) (the best fit with g ≥ 0) the limit at
threshold t solves (g s − d)² = min(d, 0)² + t Σ²:

    g_lim(m) = (d + √(min(d, 0)² + t Σ²)) / s(m).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from iminuit.cost import LeastSquares

from cevns.errors import CevnsInputError
from cevns.stats.analysis import Analysis, gaussian_constraint
from cevns.stats.limits import (
    LimitTable,
    bracket,
    check_coupling,
    limit_threshold,
    run_limit,
)
from cevns.stats.runner import Likelihood, LikelihoodRecipe, read_result_file
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


def build_gaussian(name, data_directory=None, model_parameters=None) -> Analysis:
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
        with pytest.raises(CevnsInputError, match=r"--cl .* must be between 0 and 1"):
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
    np.testing.assert_allclose(
        table.best_coupling, max(measurement, 0.0) / strength(MASSES.values), rtol=1e-3, atol=1e-3
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


def test_bracket_steps_geometrically_towards_the_crossing():
    calls: list[float] = []

    def excess(x: float) -> float:
        calls.append(x)
        return x - 1.0e-3

    a, b = bracket(excess, 0.0, 1.0e-6, math.inf)
    assert a < 1e-3 < b and b / a <= 4.0 + 1e-12
    a, b = bracket(excess, 0.0, 5.0, math.inf)
    assert a < 1e-3 < b and b / a <= 4.0 + 1e-12
    assert bracket(excess, 0.0, 1e-6, 1e-4) is None  # never crosses below the cap
    assert len(calls) < 40


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
