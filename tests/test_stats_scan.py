"""Profile-likelihood scans on synthetic likelihoods: grid, resume, executors, regions.

The likelihoods are built by :func:`build_toy` in this module, which worker processes
import by name (``test_stats_scan:build_toy``): pytest puts ``tests/`` on ``sys.path`` and
spawned processes (local pools and Dask workers alike) inherit it.

Interruptions are simulated two ways: a callback that raises KeyboardInterrupt after k
chunks (in-process and with worker processes), and a real ``SIGKILL`` of a subprocess
running a scan, which can leave a half-written last line.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from iminuit.cost import NormalConstraint

from cevns.errors import CevnsInputError
from cevns.stats.analysis import Analysis, gaussian_constraint
from cevns.stats.cost import PoissonHistogram
from cevns.stats.executors import SerialExecutor
from cevns.stats.fit import fit
from cevns.stats.inference import critical_delta_chi2
from cevns.stats.likelihood import LikelihoodRecipe, likelihood_for
from cevns.stats.model import BinnedModel, Component, ShapeSystematic
from cevns.stats.results import read_result_file
from cevns.stats.scan import (
    ScanAxis,
    ScanTable,
    check_axes,
    make_chunks,
    run_scan,
    scan_points,
    serpentine,
    threshold_segments,
)

BUILDER = "test_stats_scan:build_toy"

# A 3 × 4 histogram: signal with a shape systematic, a flat and a falling background.
SIGNAL = np.array([[4.0, 12.0, 30.0, 18.0], [10.0, 25.0, 14.0, 6.0], [20.0, 9.0, 5.0, 2.0]])
FLAT = np.full((3, 4), 40.0)
FALLING = np.array([[30.0, 20.0, 12.0, 8.0], [25.0, 15.0, 10.0, 6.0], [20.0, 12.0, 8.0, 5.0]])

# The parabola: (x, y, nu) Gaussian with correlations; profiling nu leaves the (x, y)
# block of the covariance (Schur complement of the precision matrix).
PARABOLA_MEAN = np.array([0.3, -0.2, 0.0])
PARABOLA_COVARIANCE = np.array([[0.04, 0.012, 0.01], [0.012, 0.09, -0.02], [0.01, -0.02, 0.25]])


def build_toy(name, data_directory=None, model_parameters=None) -> Analysis:
    """Synthetic analyses: 'poisson' (binned, 4 parameters), 'parabola' (Gaussian) and
    'blind' (bins only the signal reaches: χ² = +∞ at zero signal)."""
    if name == "blind":
        model = BinnedModel(
            [
                Component("signal", np.array([10.0, 20.0, 0.0, 0.0]), ("mu",)),
                Component("background", np.array([0.0, 0.0, 30.0, 30.0]), ("b",)),
            ]
        )
        data = PoissonHistogram(
            np.array([9.0, 22.0, 28.0, 33.0]), model, "blind", {"mu": (0.0, 5.0), "b": (0.1, 5.0)}
        )
        return Analysis("blind", data, start={"mu": 1.0, "b": 1.0}, signal_scale="mu")
    if name == "parabola":
        term = NormalConstraint(["x", "y", "nu"], PARABOLA_MEAN, PARABOLA_COVARIANCE)
        return Analysis("parabola", term, start={"x": 0.0, "y": 0.0, "nu": 0.0})
    if name != "poisson":
        raise CevnsInputError(f"unknown toy {name!r}")
    up = SIGNAL * np.array([[1.3, 1.1, 1.0, 0.9], [1.2, 1.0, 0.95, 0.9], [1.1, 1.0, 0.9, 0.8]])
    shape = ShapeSystematic.from_histograms("alpha", SIGNAL, up)
    model = BinnedModel(
        [
            Component("signal", SIGNAL, ("mu",), (shape,)),
            Component("flat", FLAT, ("b",)),
            Component("falling", FALLING, ("c",)),
        ]
    )
    observed = np.random.default_rng(7).poisson(
        model.expected({"mu": 1.0, "b": 1.0, "c": 1.0, "alpha": 0.3})
    )
    limits = {"mu": (0.0, 5.0), "b": (0.2, 3.0), "c": (0.0, 5.0), "alpha": (-5.0, 5.0)}
    data = PoissonHistogram(observed, model, "toy", limits)
    constraints = [
        gaussian_constraint("b", 1.0, 0.1),
        gaussian_constraint("alpha", 0.0, 1.0),
        gaussian_constraint("c", 1.0, 0.3),
    ]
    start = {"mu": 1.0, "b": 1.0, "c": 1.0, "alpha": 0.0}
    return Analysis("poisson", data, constraints, start, limits, signal_scale="mu")


def poisson_recipe(**fixed: float) -> LikelihoodRecipe:
    return LikelihoodRecipe.create(["poisson"], fixed=fixed, builder=BUILDER)


POISSON_AXES = (ScanAxis("mu", 0.2, 2.0, 9), ScanAxis("b", 0.8, 1.25, 7))


def assert_same_table(first: ScanTable, second: ScanTable) -> None:
    """Identical results: every column equal, not just close."""
    np.testing.assert_array_equal(first.index, second.index)
    np.testing.assert_array_equal(first.coordinates, second.coordinates)
    np.testing.assert_array_equal(first.chi2, second.chi2)
    np.testing.assert_array_equal(first.delta_chi2, second.delta_chi2)
    np.testing.assert_array_equal(first.converged, second.converged)
    assert first.profiled.keys() == second.profiled.keys()
    for name in first.profiled:
        np.testing.assert_array_equal(first.profiled[name], second.profiled[name])


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> ScanTable:
    """The uninterrupted serial scan of the Poisson toy."""
    path = tmp_path_factory.mktemp("reference") / "scan.jsonl"
    return run_scan(poisson_recipe(), POISSON_AXES, output_path=path, workers=1, chunk_size=5)


# ----------------------------------------------------------------------------- axes


def test_axis_parsing_and_its_errors():
    axis = ScanAxis.parse("flux_norm=0.5:1.5:41")
    assert axis == ScanAxis("flux_norm", 0.5, 1.5, 41)
    assert axis.values[[0, 20, -1]] == pytest.approx([0.5, 1.0, 1.5])
    assert str(axis) == "flux_norm=0.5:1.5:41"
    masses = ScanAxis.parse("zprime_mass=1:1e4:5:log", "--mass")
    assert masses.log and masses.values == pytest.approx([1.0, 10.0, 100.0, 1e3, 1e4])
    assert str(masses) == "zprime_mass=1:10000:5:log"
    bad = {
        "flux_norm": (
            "--param must be NAME=LO:HI:N or NAME=LO:HI:N:log (e.g. flux_norm=0.5:1.5:41); "
            "got 'flux_norm'"
        ),
        "m=0:1:5:log": "--param m: a log grid needs LO > 0; got 0.0",
        "m=1:2:5:lin": "--param must be NAME=LO:HI:N or NAME=LO:HI:N:log",
        "flux_norm=0.5:1.5": "--param must be NAME=LO:HI:N",
        "=0:1:3": "--param must be NAME=LO:HI:N",
        "mu=0:1:1": "--param mu: N must be an integer ≥ 2; got 1",
        "mu=0:1:2.5": "--param mu: N must be an integer ≥ 2; got '2.5'",
        "mu=1:0:5": "--param mu: LO and HI must be finite numbers with LO < HI; got 1.0:0.0",
        "mu=0:inf:5": "--param mu: LO and HI must be finite numbers with LO < HI",
        "mu=a:1:5": "--param mu: LO and HI must be numbers; got 'a':'1'",
    }
    for text, message in bad.items():
        with pytest.raises(CevnsInputError) as error:
            ScanAxis.parse(text, "--param")
        assert str(error.value).startswith(message)
        assert "\n" not in str(error.value)
    with pytest.raises(CevnsInputError, match="--mass m: N must be"):
        ScanAxis.parse("m=1:2:0", "--mass")


def test_grid_is_row_major_with_an_index_per_point():
    axes = [ScanAxis("a", 0.0, 1.0, 3), ScanAxis("b", 10.0, 20.0, 2)]
    points = scan_points(axes)
    assert [p.index for p in points] == list(range(6))
    assert [p.values for p in points] == [
        (0.0, 10.0),
        (0.0, 20.0),
        (0.5, 10.0),
        (0.5, 20.0),
        (1.0, 10.0),
        (1.0, 20.0),
    ]


def test_serpentine_chunks_step_between_grid_neighbours():
    axes = [ScanAxis("a", 0.0, 1.0, 4), ScanAxis("b", 0.0, 1.0, 5)]
    chunks = make_chunks(axes, 10, {"a": 0.0}, {})
    assert [c.indices for c in chunks] == [
        (0, 1, 2, 3, 4, 9, 8, 7, 6, 5),
        (10, 11, 12, 13, 14, 19, 18, 17, 16, 15),
    ]
    for chunk in chunks:
        steps = np.diff(np.array([p.values for p in chunk.points]), axis=0)
        assert np.all(np.count_nonzero(steps, axis=1) == 1)  # one axis moves by one step
    one_dimensional = [ScanAxis("a", 0.0, 1.0, 4)]
    assert serpentine(scan_points(one_dimensional), one_dimensional) == scan_points(one_dimensional)


def test_axes_are_checked_against_the_likelihood():
    likelihood = likelihood_for(poisson_recipe(c=1.0))
    with pytest.raises(CevnsInputError) as error:
        check_axes([ScanAxis("nope", 0, 1, 3)], likelihood.limits, likelihood.fixed)
    assert str(error.value) == "unknown scan axis parameter 'nope' (known: alpha, b, c, mu)"
    with pytest.raises(CevnsInputError, match="did you mean mu"):
        check_axes([ScanAxis("muu", 0, 1, 3)], likelihood.limits, likelihood.fixed)
    with pytest.raises(CevnsInputError, match=r"leaves the parameter's allowed range \[0, 5\]"):
        check_axes([ScanAxis("mu", -1, 1, 3)], likelihood.limits, likelihood.fixed)
    with pytest.raises(CevnsInputError, match="names the same parameter twice"):
        check_axes([ScanAxis("mu", 0, 1, 3)] * 2, likelihood.limits, likelihood.fixed)
    with pytest.raises(CevnsInputError, match="takes 1 or 2 axes; got 3"):
        check_axes([ScanAxis(n, 0, 1, 3) for n in "mba"], likelihood.limits, likelihood.fixed)
    with pytest.raises(CevnsInputError, match="scan axis c: the parameter is fixed"):
        check_axes([ScanAxis("c", 0, 1, 3)], likelihood.limits, likelihood.fixed)
    with pytest.raises(CevnsInputError, match="cannot fix zz: not a parameter of the likelihood"):
        likelihood_for(poisson_recipe(zz=1.0))
    with pytest.raises(
        CevnsInputError, match=r"cannot fix c at 7: outside its allowed range \[0, 5\]"
    ):
        likelihood_for(poisson_recipe(c=7.0))


# ----------------------------------------------------------------------------- scans


def test_scan_table_profiles_every_other_parameter(reference):
    table = reference
    assert table.parameters == ("mu", "b")
    np.testing.assert_array_equal(table.index, np.arange(63))
    assert table.column("mu")[:8] == pytest.approx([0.2] * 7 + [0.425])
    assert table.converged.all()
    assert set(table.profiled) == {"c", "alpha"}
    assert set(table.rows()[0]) == {"mu", "b", "chi2", "delta_chi2", "converged"}
    # Δχ² is relative to the global fit, which is at or below every grid point.
    assert table.reference_chi2 == pytest.approx(table.global_fit["minimum"])
    assert table.delta_chi2.min() >= -1e-6
    # Each point agrees with an independent full fit (MIGRAD strategy 1 + HESSE, cold start).
    likelihood = likelihood_for(poisson_recipe())
    for position in (0, 17, 40, 62):
        mu, b = table.coordinates[position]
        start = {**likelihood.start, "mu": mu, "b": b}
        independent = fit(likelihood.cost, start, fixed=["mu", "b"])
        assert table.chi2[position] == pytest.approx(independent.minimum, abs=2e-4)
        assert table.profiled["alpha"][position] == pytest.approx(
            independent.values["alpha"], abs=0.02
        )


def test_file_holds_a_header_and_one_line_per_point(reference, tmp_path):
    path = tmp_path / "scan.jsonl"
    run_scan(poisson_recipe(), POISSON_AXES, output_path=path, workers=1, chunk_size=5)
    lines = path.read_text().splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "cevns-scan-points" and header["kind"] == "scan"
    assert header["axes"][0] == {"name": "mu", "low": 0.2, "high": 2.0, "count": 9, "log": False}
    assert header["global_fit"]["converged"] is True
    records = [json.loads(line) for line in lines[1:]]
    assert sorted(r["index"] for r in records) == list(range(63))
    assert {"index", "values", "chi2", "converged", "profiled", "calls"} <= set(records[0])


def test_resume_after_an_interrupt_gives_the_same_table(reference, tmp_path):
    path = tmp_path / "scan.jsonl"

    def stop_after_three(chunks_done: int) -> None:
        if chunks_done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_scan(
            poisson_recipe(),
            POISSON_AXES,
            output_path=path,
            workers=1,
            chunk_size=5,
            on_chunk=stop_after_three,
        )
    _, saved, _ = read_result_file(path)
    assert len(saved) == 15  # three chunks of five, nothing lost, nothing more
    computed = []
    resumed = run_scan(
        poisson_recipe(),
        POISSON_AXES,
        output_path=path,
        workers=1,
        chunk_size=5,
        resume=True,
        on_chunk=computed.append,
    )
    assert len(computed) == 13 - 3  # only the missing chunks ran
    assert_same_table(resumed, reference)
    lines = path.read_text().splitlines()
    assert len(lines) == 1 + 63  # no point written twice


def test_resume_with_worker_processes(reference, tmp_path):
    path = tmp_path / "scan.jsonl"

    def stop_after_two(chunks_done: int) -> None:
        if chunks_done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_scan(
            poisson_recipe(),
            POISSON_AXES,
            output_path=path,
            workers=2,
            chunk_size=5,
            on_chunk=stop_after_two,
            progress=False,
        )
    assert 10 <= len(read_result_file(path)[1]) < 63  # at least the two chunks seen
    resumed = run_scan(
        poisson_recipe(),
        POISSON_AXES,
        output_path=path,
        workers=2,
        chunk_size=5,
        resume=True,
        progress=False,
    )
    assert_same_table(resumed, reference)


KILLED_SCAN = """
import sys
sys.path.insert(0, {tests!r})
from test_stats_scan import BIG_AXES, poisson_recipe
from cevns.stats.scan import run_scan
run_scan(poisson_recipe(), BIG_AXES, output_path={path!r}, workers=1, chunk_size=4)
"""

BIG_AXES = (ScanAxis("mu", 0.2, 2.0, 30), ScanAxis("b", 0.8, 1.25, 24))


def test_a_killed_scan_resumes_to_the_uninterrupted_table(tmp_path):
    path = tmp_path / "killed.jsonl"
    script = KILLED_SCAN.format(tests=str(Path(__file__).parent), path=str(path))
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)], start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if path.exists() and path.read_bytes().count(b"\n") > 60:
                break
            time.sleep(0.005)
        assert process.poll() is None, "the scan finished before it could be killed"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    saved = read_result_file(path)[1]
    assert 60 <= len(saved) < 720
    resumed = run_scan(
        poisson_recipe(), BIG_AXES, output_path=path, workers=1, chunk_size=4, resume=True
    )
    uninterrupted = run_scan(
        poisson_recipe(), BIG_AXES, output_path=tmp_path / "whole.jsonl", workers=1, chunk_size=4
    )
    assert_same_table(resumed, uninterrupted)


def test_resume_discards_a_half_written_line_and_refuses_another_scan(reference, tmp_path):
    path = tmp_path / "scan.jsonl"
    run_scan(poisson_recipe(), POISSON_AXES, output_path=path, workers=1, chunk_size=5)
    lines = path.read_text().splitlines(keepends=True)
    # Keep the header and 20 points, then half of the next line (a kill during a write).
    path.write_text("".join(lines[:21]) + lines[21][: len(lines[21]) // 2])
    resumed = run_scan(
        poisson_recipe(), POISSON_AXES, output_path=path, workers=1, chunk_size=5, resume=True
    )
    assert_same_table(resumed, reference)
    assert all(json.loads(line) for line in path.read_text().splitlines())

    other_axes = (ScanAxis("mu", 0.2, 2.0, 11), POISSON_AXES[1])
    with pytest.raises(CevnsInputError) as error:
        run_scan(poisson_recipe(), other_axes, output_path=path, workers=1, resume=True)
    message = str(error.value)
    assert message.startswith(f"{path} holds a different scan (axes: file ")
    assert "resume it with the same settings or choose another --output" in message
    with pytest.raises(CevnsInputError, match="holds a different scan \\(recipe: "):
        run_scan(poisson_recipe(c=1.0), POISSON_AXES, output_path=path, workers=1, resume=True)
    with pytest.raises(CevnsInputError, match="exists; continue it with --resume"):
        run_scan(poisson_recipe(), POISSON_AXES, output_path=path, workers=1)
    other = tmp_path / "other.jsonl"
    other.write_text('{"some": "json"}\n')
    with pytest.raises(CevnsInputError, match="is not a cevns scan file"):
        run_scan(poisson_recipe(), POISSON_AXES, output_path=other, workers=1, resume=True)
    broken = tmp_path / "broken.jsonl"
    broken.write_text(lines[0] + "[1, 2]\n")
    with pytest.raises(CevnsInputError, match=r"broken\.jsonl line 2 is not a point record"):
        run_scan(poisson_recipe(), POISSON_AXES, output_path=broken, workers=1, resume=True)


def test_a_run_killed_while_writing_its_header_starts_afresh(reference, tmp_path):
    path = tmp_path / "scan.jsonl"
    path.write_text('{"format": "cevns-sc')
    table = run_scan(
        poisson_recipe(), POISSON_AXES, output_path=path, workers=1, chunk_size=5, resume=True
    )
    assert_same_table(table, reference)


def test_resume_of_a_finished_scan_computes_nothing(reference, tmp_path):
    path = tmp_path / "scan.jsonl"
    run_scan(poisson_recipe(), POISSON_AXES, output_path=path, workers=1, chunk_size=5)
    computed = []
    again = run_scan(
        poisson_recipe(),
        POISSON_AXES,
        output_path=path,
        workers=1,
        chunk_size=5,
        resume=True,
        on_chunk=computed.append,
    )
    assert computed == []
    assert_same_table(again, reference)


def test_any_executor_gives_the_same_table(reference, tmp_path):
    table = run_scan(
        poisson_recipe(),
        POISSON_AXES,
        output_path=tmp_path / "scan.jsonl",
        executor=SerialExecutor(),
        chunk_size=5,
    )
    assert_same_table(table, reference)


def test_dask_local_cluster_gives_the_same_table_as_serial(reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        table = run_scan(
            poisson_recipe(),
            POISSON_AXES,
            output_path=tmp_path / "dask.jsonl",
            executor=client.get_executor(),
            workers=2,
            chunk_size=5,
        )
        held = client.run(lambda: len(sys.modules["cevns.stats.likelihood"]._LIKELIHOODS))
    # The cluster's worker processes profiled the points: they received the compiled
    # likelihood with the work (cevns.stats.likelihood.ShippedLikelihood) and kept it.
    assert any(held.values())
    assert_same_table(table, reference)


def test_a_point_that_cannot_converge_is_recorded_not_dropped(tmp_path):
    # At mu = 0 two bins with events expect none: χ² = +∞ whatever b is.
    recipe = LikelihoodRecipe.create(["blind"], builder=BUILDER)
    table = run_scan(
        recipe, [ScanAxis("mu", 0.0, 1.0, 3)], output_path=tmp_path / "s.jsonl", workers=1
    )
    assert table.converged.tolist() == [False, True, True]
    assert math.isinf(table.chi2[0])
    assert math.isnan(table.surface()[0])
    assert table.summary()["not_converged"] == 1
    record = json.loads((tmp_path / "s.jsonl").read_text().splitlines()[1])
    assert record["index"] == 0 and record["chi2"] is None and record["converged"] is False


# ----------------------------------------------------------------- intervals, regions


def test_intervals_and_regions_of_a_parabola(tmp_path):
    recipe = LikelihoodRecipe.create(["parabola"], builder=BUILDER)
    axes = (ScanAxis("x", -0.5, 1.1, 33), ScanAxis("y", -1.4, 1.0, 49))
    table = run_scan(recipe, axes, output_path=tmp_path / "p.jsonl", workers=1)
    assert table.converged.all()
    x0, y0 = PARABOLA_MEAN[:2]
    sx, sy = np.sqrt(np.diag(PARABOLA_COVARIANCE)[:2])
    # Analytic Δχ² on the grid: zᵀ C_xy⁻¹ z (nu profiled out).
    inverse = np.linalg.inv(PARABOLA_COVARIANCE[:2, :2])
    z = table.coordinates - [x0, y0]
    analytic = np.einsum("ni,ij,nj->n", z, inverse, z)
    np.testing.assert_allclose(table.delta_chi2, analytic, atol=2e-4)
    assert table.reference_chi2 == pytest.approx(0.0, abs=1e-8)
    # 1D intervals from the grid profile: x0 ± σx √t (one degree of freedom).
    for interval in table.intervals():
        centre, sigma = (x0, sx) if interval.parameter == "x" else (y0, sy)
        half = sigma * math.sqrt(critical_delta_chi2(interval.confidence_level, 1))
        [(low, high)] = interval.segments
        grid_step = 0.05
        # The profile over the other axis is taken on the grid, off by ≤ (step/2)²/σ².
        assert low == pytest.approx(centre - half, abs=0.05 * grid_step)
        assert high == pytest.approx(centre + half, abs=0.05 * grid_step)
    # 2D regions: the ellipse extents x0 ± σx √t₂ and its inside points.
    for region in table.regions():
        threshold = critical_delta_chi2(region.confidence_level, 2)
        assert region.delta_chi2 == pytest.approx(threshold)
        assert region.closed
        for name, centre, sigma in (("x", x0, sx), ("y", y0, sy)):
            low, high = region.extent[name]
            assert low == pytest.approx(centre - sigma * math.sqrt(threshold), abs=0.01)
            assert high == pytest.approx(centre + sigma * math.sqrt(threshold), abs=0.01)
        surface = analytic.reshape(33, 49)
        mismatched = np.argwhere(region.inside != (surface <= threshold))
        assert all(abs(surface[tuple(i)] - threshold) < 1e-3 for i in mismatched)


def test_a_one_dimensional_parabola_gives_exact_intervals(tmp_path):
    recipe = LikelihoodRecipe.create(["parabola"], builder=BUILDER)
    table = run_scan(
        recipe, [ScanAxis("y", -1.4, 1.0, 25)], output_path=tmp_path / "y.jsonl", workers=1
    )
    # Profiling x and nu leaves Δχ² = ((y − y0)/σy)²; the √Δχ² interpolation is exact.
    sy = math.sqrt(PARABOLA_COVARIANCE[1, 1])
    for interval in table.intervals():
        half = sy * math.sqrt(interval.delta_chi2)
        assert interval.segments[0] == pytest.approx((-0.2 - half, -0.2 + half), abs=1e-4)
    assert table.regions() == []
    summary = table.summary()
    assert summary["best_point"]["y"] == pytest.approx(-0.2)
    assert {"axes", "global_fit", "intervals", "regions", "not_converged"} <= set(summary)


def test_threshold_segments_handle_edges_gaps_and_several_ranges():
    grid = np.linspace(0.0, 10.0, 11)
    double_well = np.array([9.0, 4.0, 1.0, 0.0, 1.0, 4.0, 1.0, 0.0, 1.0, 4.0, 9.0])
    segments = threshold_segments(grid, double_well, 2.0)
    assert len(segments) == 2
    assert segments[0][0] == pytest.approx(1 + (2 - math.sqrt(2)))  # √ interpolation
    open_below = threshold_segments(grid, (grid - 0.0) ** 2 / 4, 1.0)
    assert open_below == ((-math.inf, pytest.approx(2.0)),)
    with_gap = double_well.copy()
    with_gap[3] = np.nan  # a point that did not converge is skipped
    assert len(threshold_segments(grid, with_gap, 2.0)) == 2
    assert threshold_segments(grid, double_well + 10, 2.0) == ()


def test_scan_rejects_bad_settings(tmp_path):
    with pytest.raises(CevnsInputError, match="chunk_size must be an integer ≥ 1; got 0"):
        run_scan(poisson_recipe(), POISSON_AXES, output_path=tmp_path / "a", chunk_size=0)
    with pytest.raises(CevnsInputError, match="workers must be an integer ≥ 1; got 0"):
        run_scan(poisson_recipe(), POISSON_AXES, output_path=tmp_path / "b", workers=0)
    with pytest.raises(CevnsInputError, match="at least one experiment"):
        LikelihoodRecipe.create([])


def test_figures_of_one_and_two_dimensional_scans(tmp_path):
    from cevns.plotting.scans import plot_scan

    blind = run_scan(
        LikelihoodRecipe.create(["blind"], builder=BUILDER),
        [ScanAxis("mu", 0.0, 2.0, 9)],
        output_path=tmp_path / "b.jsonl",
        workers=1,
    )
    parabola = run_scan(
        LikelihoodRecipe.create(["parabola"], builder=BUILDER),
        [ScanAxis("x", 0.01, 1.1, 12, log=True), ScanAxis("y", -1.4, 1.0, 13)],
        output_path=tmp_path / "p.jsonl",
        workers=1,
    )
    assert not blind.converged.all()  # drawn as crosses
    for table, name in ((blind, "one.png"), (parabola, "two.png")):
        plot_scan(table, tmp_path / name, title="toy", labels={"x": "x [units]"})
        assert (tmp_path / name).stat().st_size > 10_000


def test_a_point_left_in_a_local_minimum_is_refitted(reference, tmp_path):
    """A point whose record is far above its true profile (as a warm start stuck in a
    local minimum leaves it) is refitted on resume from a neighbour's nuisances and ends
    at the independent cold fit; the repaired record replaces the old one in the file."""
    path = tmp_path / "scan.jsonl"
    run_scan(poisson_recipe(), POISSON_AXES, output_path=path, workers=1, chunk_size=5)
    lines = path.read_text().splitlines()
    damaged = json.loads(lines[1 + 30])
    index = damaged["index"]
    damaged["profiled"] = {"c": 2.5, "alpha": -3.0}
    damaged["chi2"] += 50.0
    lines[1 + 30] = json.dumps(damaged)
    path.write_text("\n".join(lines) + "\n")
    repaired = run_scan(
        poisson_recipe(), POISSON_AXES, output_path=path, workers=1, chunk_size=5, resume=True
    )
    position = int(np.flatnonzero(repaired.index == index)[0])
    assert repaired.chi2[position] == pytest.approx(reference.chi2[position], abs=2e-4)
    likelihood = likelihood_for(poisson_recipe())
    mu, b = repaired.coordinates[position]
    cold = fit(likelihood.cost, {**likelihood.start, "mu": mu, "b": b}, fixed=["mu", "b"])
    assert repaired.chi2[position] <= cold.minimum + 1e-3
    records = [json.loads(line) for line in path.read_text().splitlines()[1:]]
    assert [r.get("repaired", False) for r in records if r["index"] == index] == [False, True]


def test_grid_neighbours_in_one_and_two_dimensions():
    from cevns.stats.scan_repair import grid_neighbours

    assert grid_neighbours(0, [5]) == [1]
    assert grid_neighbours(2, [5]) == [1, 3]
    assert sorted(grid_neighbours(4, [3, 3])) == [1, 3, 5, 7]
    assert sorted(grid_neighbours(0, [3, 3])) == [1, 3]


def test_a_point_on_a_bound_gets_its_cold_refit_once(monkeypatch):
    """A point with a profiled parameter on a bound is refitted from the cold start, and
    the chunk reports it; a job that says the refit was done (a later sweep) does not
    repeat it: the refit from the same point and start is deterministic."""
    import cevns.stats.scan_repair as repair

    recipe = poisson_recipe()
    likelihood = likelihood_for(recipe)
    point = {"mu": 1.0, "b": 1.0}
    cold = {**likelihood.start, **point}
    truth = fit(likelihood.cost, cold, fixed=["mu", "b"])
    record = {
        "index": 7,
        "values": [1.0, 1.0],
        "chi2": truth.minimum,  # no start beats it: only the bound can ask for a refit
        "converged": True,
        "profiled": {"c": 0.0, "alpha": float(truth.values["alpha"])},  # c on its bound
    }
    calls = []
    real_refit = repair._refit
    monkeypatch.setattr(repair, "_refit", lambda *a: calls.append(a) or real_refit(*a))
    starts = ({**cold}, {**cold})
    first = repair.RepairJob(record, ("mu", "b"), starts, spike=False, bound_refit=True)
    improved, cold_done = repair.evaluate_repair_chunk(recipe, [first])
    assert cold_done == [7] and len(calls) == 1 and improved == []
    again = repair.RepairJob(record, ("mu", "b"), starts, spike=False, bound_refit=False)
    assert repair.evaluate_repair_chunk(recipe, [again]) == ([], [])
    assert len(calls) == 1


def test_a_point_after_a_neighbour_on_a_bound_is_profiled_from_the_cold_start(monkeypatch):
    """In the first pass, a point whose predecessor ended with a parameter on a bound is
    profiled from the cold start on the repair's profiler instead of the warm start:
    the record is the repair's cold refit (equal, bit for bit) and says so, and the
    repair does not run that refit again; a point after one inside its bounds, or the
    first of a chunk, is profiled from the warm start as before."""
    import cevns.stats.scan_repair as repair
    from cevns.stats.grid import ScanPoint
    from cevns.stats.scan import ScanChunk, evaluate_scan_chunk

    recipe = poisson_recipe()
    likelihood = likelihood_for(recipe)
    # b = 3 leaves no room for the falling background: c ends on its lower bound 0.
    values = [(1.0, 3.0), (1.1, 3.0), (1.0, 1.0), (1.1, 1.0)]
    points = tuple(ScanPoint(index, point) for index, point in enumerate(values))
    start = tuple(likelihood.start.items())
    chunk = ScanChunk(("mu", "b"), points, start, ())
    records = evaluate_scan_chunk(recipe, chunk)
    on_bound = [repair.on_a_bound(r["profiled"], likelihood.limits) for r in records]
    assert on_bound == [True, True, False, False]
    assert [bool(r.get("cold_refit")) for r in records] == [False, True, True, False]
    profiler = repair.repair_profiler(likelihood)
    for record in records[1:3]:
        point = dict(zip(("mu", "b"), record["values"], strict=True))
        refit = repair.cold_refit(profiler, point)
        assert record["chi2"] == refit.chi2
        assert record["profiled"] == {n: refit.values[n] for n in ("c", "alpha")}
    # The repair skips the cold refit of the points the first pass refitted.
    cold_starts = []
    real_refit = repair._refit
    monkeypatch.setattr(
        repair, "_refit", lambda p, x, s: cold_starts.append(dict(x)) or real_refit(p, x, s)
    )
    by_index = {r["index"]: r for r in records}
    axes = [ScanAxis("mu", 1.0, 1.1, 2), ScanAxis("b", 1.0, 3.0, 2)]
    grid = {0: 2, 1: 0, 2: 3, 3: 1}  # (mu, b) row-major on the 2 × 2 grid
    on_grid = {grid[i]: {**r, "index": grid[i]} for i, r in by_index.items()}
    repair.repair_scan(recipe, axes, on_grid, dict(likelihood.start), SerialExecutor())
    assert {"mu": 1.1, "b": 3.0} not in cold_starts  # refitted in the first pass
    assert {"mu": 1.0, "b": 3.0} in cold_starts  # first of its chunk: the repair's refit


def test_a_spike_is_refitted_from_its_lowest_candidate(monkeypatch):
    """A spike (no candidate beats it, but it sticks out of its neighbours) is refitted
    from the start other than the cold one where the cost is lowest; a spike with a
    parameter on a bound also gets its cold-start refit, once."""
    import cevns.stats.scan_repair as repair

    recipe = poisson_recipe()
    likelihood = likelihood_for(recipe)
    point = {"mu": 1.0, "b": 1.0}
    truth = fit(likelihood.cost, {**likelihood.start, **point}, fixed=["mu", "b"])
    alpha = float(truth.values["alpha"])
    base = {**likelihood.start, **point}
    starts = (
        {**base, "alpha": 2.0},  # the global fit's nuisances, far off
        {**base},  # the cold start
        {**base, "alpha": alpha + 0.1},  # the closest neighbour
        {**base, "alpha": -2.5},
    )
    values = [likelihood.value(start) for start in starts]
    assert repair._lowest_start(starts, values) == starts[2]
    calls = []
    real_refit = repair._refit
    monkeypatch.setattr(repair, "_refit", lambda p, x, s: calls.append(s) or real_refit(p, x, s))
    for c_value, expected_calls, expected_cold in [
        (float(truth.values["c"]), [starts[2]], []),  # inside its bounds
        (0.0, [starts[2], starts[1]], [3]),  # c on its bound
    ]:
        calls.clear()
        record = {
            "index": 3,
            "values": [1.0, 1.0],
            "chi2": truth.minimum,
            "converged": True,
            "profiled": {"c": c_value, "alpha": alpha},
        }
        job = repair.RepairJob(record, ("mu", "b"), starts, spike=True, bound_refit=True)
        improved, cold_done = repair.evaluate_repair_chunk(recipe, [job])
        assert calls == expected_calls and cold_done == expected_cold and improved == []


def test_a_reused_profiler_gives_what_a_new_one_gives():
    """Profiles on one Profiler (its Minuit reset between points, with and without given
    steps, limits overridden, held sets alternating) equal profiles on a new Profiler
    each, bit for bit: resetting must not carry anything from one point to the next."""
    from cevns.stats.likelihood import Profiler

    likelihood = likelihood_for(poisson_recipe())
    steps = {"c": 0.3, "alpha": 0.5}
    limits = {"alpha": (-4.0, 4.0)}
    points = [
        ({"mu": 1.0, "b": 1.0}, {"c": 1.0, "alpha": 0.0}),
        ({"mu": 0.4}, {"b": 1.1, "c": 0.5, "alpha": 1.5}),
        ({"mu": 1.8, "b": 0.9}, {"c": 3.0, "alpha": -2.0}),
        ({"mu": 0.4}, {"b": 0.9, "c": 0.0, "alpha": 0.2}),
    ]
    for options in ({}, {"steps": steps, "limits": limits}):
        kept = Profiler(likelihood, **options)
        for fixed_values, start in points:
            start = {**likelihood.start, **start}
            again = kept(fixed_values, start)
            new = Profiler(likelihood, **options)(fixed_values, start)
            assert again == new


def test_a_second_start_from_inside_a_bound_only_where_the_cost_falls_inside():
    """With ``second_start="slope"`` a profile that ended on a bound starts again from
    just inside only where the analytic slope into the allowed range is negative; with
    ``"always"`` (the default) whenever it ended on a bound; another value is refused."""
    from cevns.stats.likelihood import Profiler

    likelihood = likelihood_for(poisson_recipe())
    lean = likelihood.compiled()
    assert lean is not None
    slope = Profiler(likelihood, second_start="slope")
    always = Profiler(likelihood)
    names = likelihood.names
    position = names.index("c")
    for mu in (0.2, 1.0, 3.0, 5.0):
        ended = {**likelihood.start, "mu": mu, "c": 0.0}  # c on its lower bound
        moved = {**ended, "c": 0.005}
        inward = lean.gradient(np.array([ended[n] for n in names]))[position]
        assert slope._may_fall_inside(ended, moved) is bool(inward < 0.0)
        assert always._may_fall_inside(ended, moved) is True
    falls = [slope._may_fall_inside(e, {**e, "c": 0.005}) for e in (
        {**likelihood.start, "mu": 1.0, "b": 3.0, "c": 0.0},  # too much: c stays at 0
        {**likelihood.start, "mu": 1.0, "b": 1.0, "c": 0.0},  # c's prior pulls it up
    )]  # fmt: skip
    assert falls == [False, True]
    with pytest.raises(CevnsInputError, match="second_start must be one of always, slope"):
        Profiler(likelihood, second_start="sometimes")
