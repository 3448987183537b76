"""The CsI study scripts quoted in docs/experiments.md and docs/statistics.md."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from cevns.experiments.backgrounds import build_backgrounds
from cevns.experiments.build import build_experiment
from cevns.experiments.engine import PredictionEngine
from cevns.experiments.load import load_experiment

ROOT = Path(__file__).resolve().parents[1]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pulse_mean_parabola_recovers_a_known_parabola():
    # −2 ln L = 4 (x − 0.53)² / 0.045² on a 0.05 grid: vertex 0.53, Δ = 1 at ±0.0225.
    grid = np.arange(0.20, 0.81, 0.05)
    rows = [(x, 4 * (x - 0.53) ** 2 / 0.045**2, 1.0) for x in grid]
    centre, width = _script("estimate_csi_pulse_mean").parabola_minimum(rows)
    assert centre == pytest.approx(0.53, abs=1e-12)
    assert width == pytest.approx(0.0225, rel=1e-9)


def test_fisher_bound_against_the_curvature_of_the_likelihood(shared_data_dir):
    # Independent route: the Fisher information of the CEvNS scale s is half the second
    # derivative of the expected −2 ln L at s = 1, taken here by central differences of
    # 2 Σ (μ(s) − μ(1) ln μ(s)) with μ(s) = s S + B; the bound on N = Σ S is N/√I.
    module = _script("csi_fisher_bound")
    events, bound = module.fisher_bound(str(shared_data_dir), None)
    experiment = build_experiment(load_experiment("coherent-csi-2021"))
    signal = PredictionEngine(experiment).histogram()
    background = sum(b.histogram for b in build_backgrounds(experiment, str(shared_data_dir)))
    expected = signal + background
    used = expected > 0

    def deviance(scale: float) -> float:
        mu = scale * signal[used] + background[used]
        return 2 * float(np.sum(mu - expected[used] * np.log(mu)))

    step = 1e-3
    second = (deviance(1 + step) - 2 * deviance(1) + deviance(1 - step)) / step**2
    assert events == pytest.approx(signal.sum(), rel=1e-12)
    assert bound == pytest.approx(events / np.sqrt(second / 2), rel=1e-5)
    # docs/statistics.md: ≈ 30 events, and finer binning lowers it by under 2 %.
    assert 28 < bound < 32
    finest = module.fisher_bound(str(shared_data_dir), (60, 96))[1]
    assert 0.98 * bound < finest <= bound
