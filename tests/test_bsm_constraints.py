"""New-physics constraints from the public data (skipped without the releases)."""

import pytest

from cevns.experiments.load import load_experiment
from cevns.interactions.models import default_values
from cevns.stats.assemble import build_analysis
from cevns.stats.fit import fit
from cevns.stats.inference import critical_delta_chi2
from cevns.stats.likelihood import LikelihoodRecipe
from cevns.stats.scan import ScanAxis, run_scan


def test_weak_mixing_angle_from_csi(shared_data_dir):
    # arXiv:2110.07730: sin²θ_W = 0.220 (+0.028 −0.026) (the document's published value).
    # Issue tolerance: 0.01 on the value, 30 % on each error.
    published = load_experiment("coherent-csi-2021").published_value("sin2_theta_w")
    analysis = build_analysis("coherent-csi-2021", shared_data_dir, {"sin2_theta_w": None})
    start = {**analysis.start, analysis.signal_scale: 1.0}
    result = fit(analysis.cost, start, fixed=[analysis.signal_scale], minos=["sin2_theta_w"])
    low, high = result.minos["sin2_theta_w"]
    assert result.values["sin2_theta_w"] == pytest.approx(published.value, abs=0.01)
    assert -low == pytest.approx(published.errors[0], rel=0.30)
    assert high == pytest.approx(published.errors[1], rel=0.30)


def test_flavoured_cross_sections_include_the_standard_model(shared_data_dir):
    # seeds/003: "the SM prediction is included within the 1σ contour" (2D, Δχ² < 2.30).
    names = {"flavor_scale_e": None, "flavor_scale_mu": None}
    analysis = build_analysis("coherent-csi-2021", shared_data_dir, names)
    start = {**analysis.start, analysis.signal_scale: 1.0}
    best = fit(analysis.cost, start, fixed=[analysis.signal_scale])
    at_sm = fit(analysis.cost, start, fixed=[analysis.signal_scale, *names])
    assert at_sm.minimum - best.minimum < critical_delta_chi2(0.6827, 2)


def _nsi_area(experiments, data, tmp_path) -> tuple[int, bool]:
    recipe = LikelihoodRecipe.create(
        experiments, data, default_values(("eps_ee_u", "eps_ee_d")), hold_signal_scales=True
    )
    axes = [ScanAxis.parse("eps_ee_u=-1.2:1.2:13"), ScanAxis.parse("eps_ee_d=-1.2:1.2:13")]
    output = tmp_path / f"{'-'.join(experiments)}.jsonl"
    table = run_scan(recipe, axes, output_path=output, workers=2, progress=False)
    surface = table.surface()
    inside = surface <= critical_delta_chi2(0.90, 2)
    return int(inside.sum()), bool(inside[6, 6])  # index 6 of 13 is ε = 0


def test_nsi_degeneracy_is_reduced_by_combining_targets(shared_data_dir, tmp_path):
    # seeds/000: each target alone allows a band (its weak charge fixes one combination of
    # ε^u and ε^d); CsI and argon have different N/Z, so the joint 90 % region is smaller
    # than either one; the Standard Model (ε = 0) lies inside every region.
    csi, csi_sm = _nsi_area(("coherent-csi-2021",), shared_data_dir, tmp_path)
    argon, argon_sm = _nsi_area(("coherent-lar-2020",), shared_data_dir, tmp_path)
    joint, joint_sm = _nsi_area(
        ("coherent-csi-2021", "coherent-lar-2020"), shared_data_dir, tmp_path
    )
    assert csi_sm and argon_sm and joint_sm
    assert joint < csi and joint < argon
    # A band, not a blob: the CsI region reaches both ends of the grid diagonal.
    assert csi > 13
