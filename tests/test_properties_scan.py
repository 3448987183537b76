"""Property tests of profile-likelihood scans (hypothesis) on the CsI 2021 likelihood.

For tiny scans (2–4 points) over random ranges of a new-physics parameter (sin²θ_W,
ε_ee^uV) and of a document parameter (the CEvNS signal scale), every point converges,
its profiled χ² is finite and never below the global fit's minimum (a profile minimises
over fewer parameters than the global fit), and Δχ² is finite and ≥ 0. The likelihood is
built once (cached per process by :func:`cevns.stats.likelihood.likelihood_for`); each
example runs one small scan in this process (``workers=1``). ``max_examples`` is 8 here,
not 20–30: an example costs a global fit and a few profile fits (~0.2 s).
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cevns.interactions.models import default_values
from cevns.stats.grid import ScanAxis
from cevns.stats.likelihood import LikelihoodRecipe
from cevns.stats.scan import run_scan

#: A profiled point may undercut the global minimum by MIGRAD's tolerance at most (EDM ~
#: 1e-4 in χ² units).
MINIMUM_TOLERANCE = 1e-3

#: (parameter, lowest, highest) of the random ranges: around the CsI best fits and the
#: Standard Model (sin²θ_W = 0.220 +0.028 −0.026, arXiv:2110.07730).
RANGES = (
    ("sin2_theta_w", 0.12, 0.35),
    ("eps_ee_u", -0.3, 0.5),
    ("csi_cevns_scale", 0.5, 1.5),
)


@st.composite
def axes(draw):
    name, lowest, highest = draw(st.sampled_from(RANGES))
    ends = draw(st.lists(st.floats(lowest, highest), min_size=2, max_size=2, unique=True))
    low, high = sorted(ends)
    if high - low < 1e-3 * (highest - lowest):
        high = low + 1e-3 * (highest - lowest)
    return ScanAxis(name, low, high, draw(st.integers(2, 4)))


@pytest.fixture(scope="module")
def recipes(shared_data_dir):
    """A new-physics parameter joins the model with the signal scales held at 1 (as
    ``cevns scan`` does); the signal scale is a parameter of the document itself."""
    csi = ["coherent-csi-2021"]
    recipes = {
        name: LikelihoodRecipe.create(
            csi, shared_data_dir, default_values([name]), hold_signal_scales=True
        )
        for name in ("sin2_theta_w", "eps_ee_u")
    }
    recipes["csi_cevns_scale"] = LikelihoodRecipe.create(csi, shared_data_dir)
    return recipes


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(axis=axes())
def test_a_tiny_scan_is_finite_and_never_below_the_global_minimum(recipes, axis):
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "scan.jsonl"
        table = run_scan(recipes[axis.name], [axis], output_path=output, workers=1,
                         progress=False)  # fmt: skip
    minimum = table.global_fit["minimum"]
    assert table.global_fit["converged"] and math.isfinite(minimum)
    assert table.converged.all(), table.rows()
    for row in table.rows():
        assert math.isfinite(row["chi2"]) and math.isfinite(row["delta_chi2"]), row
        assert row["chi2"] >= minimum - MINIMUM_TOLERANCE, (row, minimum)
        assert row["delta_chi2"] >= 0.0, row
