"""Property tests of the prediction engine (hypothesis) on the CsI 2021 and argon 2020
analyses: at random valid points of the new-physics parameters (`cevns models`),

* every expected histogram is finite and non-negative (a cross section is a sum of
  squares; Vogel & Engel 1989 for the magnetic term, Cerdeño et al. 2016 for the scalar);
* the histograms do not move when the internal unit scale changes
  (``CEVNS_UNIT_SCALE``, :mod:`cevns.unit_scale`): two interpreters, one at the default
  scale and one at MeV=3.7e-3, cm=4.1e12, s=2.9e-7, evaluate the same points; event counts
  are dimensionless, so they must agree to 1e-9;
* the engine's response matrices are probabilities (columns sum to at most 1).

Engines are built once per module; the two interpreters stay up for the whole module and
evaluate one point per line of standard input.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cevns.experiments.build import build_experiment
from cevns.experiments.engine import PredictionEngine
from cevns.experiments.load import load_experiment
from cevns.interactions.models import NewPhysicsCharges

EXPERIMENTS = ("coherent-csi-2021", "coherent-lar-2020")
SCALE = "MeV=3.7e-3,cm=4.1e12,s=2.9e-7"
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _finite(low: float, high: float):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


#: Ranges of a random valid point, inside each parameter's declared range (`cevns models`)
#: and wide enough to reach far beyond the published limits (NSI |ε| ≲ 0.5, μ_ν ≲ 50).
RANGES = {
    "sin2_theta_w": _finite(0.0, 0.5),
    **{f"eps_{p}_{q}": _finite(-1.0, 1.0) for p in ("ee", "mumu", "emu", "etau") for q in "ud"},
    "zprime_bl_g": _finite(0.0, 1e-3),
    "zprime_universal_g": _finite(0.0, 1e-3),
    "zprime_mass": _finite(0.0, 5.0).map(lambda x: 10.0**x),  # 1 MeV … 100 GeV
    "scalar_g": _finite(0.0, 1e-3),
    "scalar_mass": _finite(0.0, 5.0).map(lambda x: 10.0**x),
    "mu_nu_e": _finite(0.0, 100.0),
    "mu_nu_mu": _finite(0.0, 100.0),
    "charge_radius_e": _finite(-50.0, 50.0),
    "charge_radius_mu": _finite(-50.0, 50.0),
    "neutron_skin": _finite(-0.5, 1.0),
    "flavor_scale_e": _finite(0.0, 3.0),
    "flavor_scale_mu": _finite(0.0, 3.0),
}

points = st.lists(st.sampled_from(sorted(RANGES)), min_size=1, max_size=6, unique=True).flatmap(
    lambda names: st.fixed_dictionaries({name: RANGES[name] for name in names})
)


@pytest.fixture(scope="module")
def engines(shared_data_dir):
    return {
        name: PredictionEngine(build_experiment(load_experiment(name), shared_data_dir))
        for name in EXPERIMENTS
    }


def test_the_engines_response_matrices_are_probabilities(engines):
    for name, engine in engines.items():
        for response in engine.responses:
            assert np.all(np.isfinite(response)) and np.all(response >= 0), name
            assert np.all(response.sum(axis=0) <= 1.0 + 1e-9), name


@SETTINGS
@given(point=points)
def test_expectations_are_finite_and_never_negative(engines, point):
    for name, engine in engines.items():
        standard = engine.histogram()
        histogram = engine.histogram(NewPhysicsCharges(point))
        assert histogram.shape == standard.shape, name
        assert np.all(np.isfinite(histogram)), (name, point)
        # Rounding of the flavour sums: 1e-12 of the largest bin.
        assert np.all(histogram >= -1e-12 * histogram.max()), (name, point)
        if point.keys() <= {"mu_nu_e", "mu_nu_mu"}:
            # The magnetic moment adds incoherently: never fewer events than the SM.
            assert histogram.sum() >= standard.sum() * (1 - 1e-12), (name, point)


WORKER = r"""
import json, sys
from cevns.experiments.build import build_experiment
from cevns.experiments.engine import PredictionEngine
from cevns.experiments.load import load_experiment
from cevns.interactions.models import NewPhysicsCharges
engines = {n: PredictionEngine(build_experiment(load_experiment(n), sys.argv[1]))
           for n in sys.argv[2:]}
print("ready", flush=True)
for line in sys.stdin:
    point = json.loads(line)
    print(json.dumps({n: e.histogram(NewPhysicsCharges(point)).tolist()
                      for n, e in engines.items()}), flush=True)
"""


class _Worker:
    """A Python interpreter at a unit scale, evaluating one point per line."""

    def __init__(self, scale: str | None, data: str):
        environment = {k: v for k, v in os.environ.items() if k != "CEVNS_UNIT_SCALE"}
        if scale:
            environment["CEVNS_UNIT_SCALE"] = scale
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER, data, *EXPERIMENTS],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=environment,
        )

    def wait_ready(self) -> None:
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "ready"

    def evaluate(self, point: dict[str, float]) -> dict[str, list]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(point) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.fixture(scope="module")
def workers(shared_data_dir):
    pair = [_Worker(None, str(shared_data_dir)), _Worker(SCALE, str(shared_data_dir))]
    try:
        for worker in pair:
            worker.wait_ready()
        yield pair
    finally:
        for worker in pair:
            worker.close()


@SETTINGS
@given(point=points)
def test_histograms_do_not_depend_on_the_unit_scale(workers, point):
    default, scaled = (worker.evaluate(point) for worker in workers)
    for name in EXPERIMENTS:
        expected, found = np.array(default[name]), np.array(scaled[name])
        assert found == pytest.approx(expected, rel=1e-9, abs=1e-12 * expected.max()), (
            name,
            point,
        )
