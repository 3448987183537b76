"""Parameters at a physical boundary: one-sided intervals and limits instead of failures."""

from __future__ import annotations

import json
import math

import pytest
from iminuit.cost import NormalConstraint
from typer.testing import CliRunner

from cevns.cli.app import app
from cevns.stats.fit import fit
from cevns.stats.inference import at_lower_bound, one_sided_upper_limit


def test_limit_at_a_boundary_matches_the_parabola():
    """χ²(μ) = (μ + 0.5)², μ ≥ 0: the fit sits at 0 and Δχ²(x) = (x + 0.5)² − 0.25 reaches
    2.706 at x = −0.5 + √2.956 (the 90 % CL threshold of cevns limit)."""
    cost = NormalConstraint("mu", -0.5, 1.0)
    cost._parameters["mu"] = (0.0, None)  # the bound, as cost terms carry them
    best = fit(cost, {"mu": 1.0}, minos=["mu"])
    assert best.values["mu"] == pytest.approx(0.0, abs=1e-6)
    assert at_lower_bound(best, "mu", 0.0)
    limit = one_sided_upper_limit(cost, best, "mu", 0.9)
    threshold = 2.705543454095404  # χ²₁ quantile at 0.9
    assert limit == pytest.approx(-0.5 + math.sqrt(threshold + 0.25), rel=1e-5)
    assert best.minos["mu"][0] == pytest.approx(0.0, abs=1e-6)


def test_a_limit_beyond_the_upper_bound_is_none():
    cost = NormalConstraint("mu", -0.5, 1.0)
    cost._parameters["mu"] = (0.0, 1.0)
    best = fit(cost, {"mu": 0.5})
    assert one_sided_upper_limit(cost, best, "mu", 0.9, upper_bound=1.0) is None


@pytest.mark.parametrize(("form_factor", "expected"), [("helm", 21.0), ("klein-nystrand", 22.9)])
def test_magnetic_moment_at_zero_gives_a_one_sided_limit(shared_data_dir, form_factor, expected):
    """cevns fit --free mu_nu_mu exits 0 with a 90 % CL upper limit (×10⁻¹⁰ μ_B); the
    earlier Helm-based analysis found 20.8 (docs/physics.md)."""
    result = CliRunner().invoke(app, [
        "fit", "coherent-csi-2021", "--free", "mu_nu_mu", "--form-factor", form_factor,
        "--data", str(shared_data_dir), "--json",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)["parameters"]["mu_nu_mu"]
    assert row["upper_limit"]["confidence_level"] == 0.9
    assert row["upper_limit"]["value"] == pytest.approx(expected, rel=0.03)
    assert row["minos_low"] == pytest.approx(-row["value"], abs=1e-6)
