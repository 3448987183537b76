"""Tests of the CENNS-10 Analysis A likelihood (cevns.stats.analyses.lar2020).

Published numbers: D. Akimov et al. (COHERENT), PRL 126, 012002 (2021), arXiv:2003.10630,
and its data-release companion arXiv:2006.12659 (Table 2: best fit CEvNS 159 ± 43,
prompt BRN 553 ± 34, delayed BRN 10 ± 11, steady state 3131 ± 23; prediction 497, 33,
3152 events; data 3752). The tests read ``../shared/data`` (or ``CEVNS_DATA_DIR``) and
skip when it is absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cevns import constants
from cevns.data.lar2020 import (
    BEST_FIT_COUNTS,
    BEST_FIT_UNCERTAINTIES,
    DATA_TOTAL,
    PREDICTED_COUNTS,
)
from cevns.errors import CevnsInputError
from cevns.experiments.build import build_experiment
from cevns.experiments.engine import PredictionEngine, StandardModelCharges
from cevns.experiments.load import load_experiment
from cevns.stats.analyses.lar2020 import (
    PRESET,
    SHAPE_SYSTEMATICS,
    build_lar_2020,
    distribute_signal,
    energy_bin_shapes,
)
from cevns.stats.analysis import Analysis, signal_from_charges
from cevns.stats.fit import FitResult, fit, propagate_error
from cevns.units import cm2, keVee

RELEASE = "coherent-lar-2020"
#: Issue 5: fitted CEvNS events within ±15 of the published 159 (arXiv:2003.10630) ...
CEVNS_TOLERANCE = 15.0
#: ... with an uncertainty between 35 and 50 (published ±43, statistical + systematic).
CEVNS_ERROR_RANGE = (35.0, 50.0)
#: Background normalisations of the profiled fit within this many published σ.
#: The profiled BRN timing-width nuisance moves the prompt BRN by about 1.2σ (see
#: test_nominal_template_fit_reproduces_the_published_normalisations for the fit
#: with the collaboration's nominal templates).
BACKGROUND_PULL_TOLERANCE = 1.5
#: With all shape nuisances at their nominal value (the collaboration's central fit;
#: systematics were evaluated separately by refitting, arXiv:2006.12659 section 3),
#: every normalisation within this many published σ.
NOMINAL_PULL_TOLERANCE = 0.25
#: Template bins are printed with six significant digits (release files).
SUM_TOLERANCE = 1e-3
#: Measured flux-averaged cross section (2.2 ± 0.7) × 10⁻³⁹ cm² (arXiv:2003.10630,
#: abstract); ours within half of the published uncertainty (our SM prediction, 124
#: events, is 3 % below the release's 128, so the fitted scale is a little larger).
PUBLISHED_CROSS_SECTION = 2.2e-39 * cm2
CROSS_SECTION_TOLERANCE = 0.35e-39 * cm2

COMPONENT_KEYS = {
    "prompt-brn": "prompt_brn",
    "delayed-brn": "delayed_brn",
    "steady-state": "steady_state",
}


@pytest.fixture(scope="module")
def lar_dir(shared_data_dir: Path) -> Path:
    if not (shared_data_dir / RELEASE).is_dir():
        pytest.skip(f"{RELEASE} not found in {shared_data_dir}")
    return shared_data_dir


@pytest.fixture(scope="module")
def engine(lar_dir: Path) -> PredictionEngine:
    return PredictionEngine(build_experiment(load_experiment(PRESET), lar_dir))


@pytest.fixture(scope="module")
def analysis(lar_dir: Path, engine: PredictionEngine) -> Analysis:
    return build_lar_2020(lar_dir, engine=engine)


@pytest.fixture(scope="module")
def result(analysis: Analysis) -> FitResult:
    return fit(analysis.cost, analysis.start, minos=["lar_cevns_scale"])


def component_totals(analysis: Analysis, values: Mapping[str, float]) -> dict[str, float]:
    expected = analysis.data.model.expected_by_component(values)
    return {name: float(counts.sum()) for name, counts in expected.items()}


# --- construction ------------------------------------------------------------------------
def test_template_sums(analysis: Analysis, engine: PredictionEngine) -> None:
    totals = component_totals(analysis, analysis.start)
    for component, key in COMPONENT_KEYS.items():
        assert totals[component] == pytest.approx(PREDICTED_COUNTS[key], abs=SUM_TOLERANCE)
    assert analysis.data.observed.sum() == DATA_TOTAL
    assert analysis.data.model.shape == (12, 8, 10)
    # The engine's signal, less the 2e-4 events it puts above 60 keVee where the
    # release template is empty.
    assert totals["cevns"] == pytest.approx(engine.histogram().sum(), abs=1e-3)
    assert totals["cevns"] == pytest.approx(analysis.predicted_cevns_events, rel=1e-12)


def test_signal_keeps_the_engine_energy_spectrum_and_the_template_shape(
    analysis: Analysis, engine: PredictionEngine, lar_dir: Path
) -> None:
    from cevns.data.lar2020 import load_lar_2020

    template = load_lar_2020(lar_dir).cevns.counts
    signal = analysis.data.model.component("cevns").expected(analysis.start)
    engine_spectrum = engine.histogram().sum(axis=1)
    filled = template.sum(axis=(1, 2)) > 0
    np.testing.assert_allclose(signal.sum(axis=(1, 2))[filled], engine_spectrum[filled])
    assert np.all(signal[~filled] == 0)
    # Within each energy bin, the F90 × time shape is the template's.
    for index in np.flatnonzero(filled):
        np.testing.assert_allclose(
            signal[index] / signal[index].sum(), template[index] / template[index].sum()
        )


def test_energy_bin_shapes_are_normalised_per_energy_bin() -> None:
    template = np.zeros((3, 2, 2))
    template[0] = [[1.0, 3.0], [0.0, 4.0]]
    template[2] = [[2.0, 2.0], [2.0, 2.0]]
    shapes = energy_bin_shapes(template)
    np.testing.assert_allclose(shapes.sum(axis=(1, 2)), [1.0, 0.0, 1.0])
    np.testing.assert_allclose(shapes[0], [[0.125, 0.375], [0.0, 0.5]])
    spectrum = np.array([8.0, 5.0, 2.0])
    np.testing.assert_allclose(distribute_signal(spectrum, shapes).sum(axis=(1, 2)), [8, 0, 2])
    histogram = np.column_stack([spectrum / 2, spectrum / 2])
    np.testing.assert_allclose(
        distribute_signal(histogram, shapes), distribute_signal(spectrum, shapes)
    )


def test_bad_shapes_raise() -> None:
    with pytest.raises(CevnsInputError, match="template must be a 3D histogram"):
        energy_bin_shapes(np.ones((12, 8)))
    with pytest.raises(CevnsInputError, match=r"signal histogram must have shape \(12"):
        distribute_signal(np.ones(11), np.ones((12, 8, 10)))


def test_other_binning_raises(lar_dir: Path) -> None:
    experiment = build_experiment(load_experiment(PRESET), lar_dir)
    coarse = replace(experiment, observable_edges=np.arange(0.0, 121.0, 20.0) * keVee)
    with pytest.raises(CevnsInputError, match="observable_edges must be the release binning"):
        build_lar_2020(lar_dir, engine=PredictionEngine(coarse))


def test_analysis_metadata(analysis: Analysis, engine: PredictionEngine) -> None:
    assert analysis.signal_scale == "lar_cevns_scale"
    assert analysis.signal_component == "cevns"
    assert analysis.published["cevns_best_fit"] == 159
    labels = [label for label, _ in analysis.axes]
    assert labels == ["E_ee [keVee]", "F90", "t_trig [µs]"]
    np.testing.assert_allclose(analysis.axes[0][1], np.arange(0.0, 121.0, 10.0))
    np.testing.assert_allclose(analysis.axes[1][1], np.linspace(0.5, 0.9, 9))
    np.testing.assert_allclose(analysis.axes[2][1], np.linspace(-0.1, 4.9, 11))
    sigma = engine.flux_averaged_cross_sections()["per_nucleus"]
    assert analysis.standard_model_cross_section == sigma
    expected = {
        "lar_cevns_scale",
        "flux_norm",
        "lar_brn_prompt_norm",
        "lar_brn_delayed_norm",
        "lar_steady_state_norm",
        *SHAPE_SYSTEMATICS,
    }
    assert set(analysis.cost._parameters) == expected
    assert set(analysis.start) == expected


# --- shape systematics ---------------------------------------------------------------------
def test_shape_systematics_are_sensible(analysis: Analysis) -> None:
    model = analysis.data.model
    by_component = {"cevns": model.component("cevns"), "prompt_brn": model.component("prompt-brn")}
    seen = set()
    for component in by_component.values():
        nominal = component.expected(analysis.start)
        for systematic in component.shape_systematics:
            seen.add(systematic.parameter)
            np.testing.assert_array_equal(systematic.factor(0.0), 1.0)
            for alpha in (-2.0, -1.0, -0.5, 0.5, 1.0, 2.0):
                factor = systematic.factor(alpha)
                assert np.all(np.isfinite(factor))
                assert np.all(factor >= 0)
            for alpha in (-1.0, 1.0):
                factor = systematic.factor(alpha)
                # Positive wherever the component has content (no bin switched off) ...
                assert np.all(factor[nominal > 0] > 0)
                # ... a real variation, and shape-only (alternative templates rescaled to
                # the nominal total, arXiv:2006.12659 sections 2.2-2.3).
                assert np.max(np.abs(factor - 1)) > 0.05
                varied = (nominal * factor).sum()
                assert varied == pytest.approx(nominal.sum(), rel=0.02)
    assert seen == set(SHAPE_SYSTEMATICS)


def test_brn_timing_mean_variant_is_renormalised(analysis: Analysis) -> None:
    # brnpdf+1sigBRNTimingMean sums to 523.7; the +1σ variation keeps the 497 events.
    component = analysis.data.model.component("prompt-brn")
    values = dict(analysis.start, lar_brn_timing_mean=1.0)
    assert component.expected(values).sum() == pytest.approx(497.0, abs=SUM_TOLERANCE)


def test_single_file_systematics_are_mirrored(analysis: Analysis) -> None:
    component = analysis.data.model.component("cevns")
    timing = next(s for s in component.shape_systematics if s.parameter == "lar_cevns_timing")
    np.testing.assert_allclose(timing.factor(-1.0), 2.0 - timing.factor(1.0))
    # The +1σ file moves the signal out of the first time bin (a later t_trig mean).
    nominal = component.expected(analysis.start).sum(axis=(0, 1))
    later = component.expected(dict(analysis.start, lar_cevns_timing=1.0)).sum(axis=(0, 1))
    assert later[0] < 0.2 * nominal[0]


# --- signal functions ----------------------------------------------------------------------
def test_signal_function_doubling_doubles_the_signal(
    lar_dir: Path, analysis: Analysis, engine: PredictionEngine
) -> None:
    def doubled(values: Mapping[str, float]) -> np.ndarray:
        return 2.0 * engine.histogram()

    doubled_analysis = build_lar_2020(lar_dir, signal=doubled, engine=engine)
    nominal = analysis.data.model.component("cevns").expected(analysis.start)
    twice = doubled_analysis.data.model.component("cevns").expected(doubled_analysis.start)
    np.testing.assert_allclose(twice, 2.0 * nominal)
    assert doubled_analysis.signal_events(doubled_analysis.start) == pytest.approx(
        2.0 * analysis.signal_events(analysis.start)
    )


def test_signal_from_charges_through_the_engine(
    lar_dir: Path, analysis: Analysis, engine: PredictionEngine
) -> None:
    def model_for(values: Mapping[str, float]) -> StandardModelCharges:
        return StandardModelCharges(sin2_theta_w=values["sin2_theta_w"])

    weak_mixing = constants.sin2_theta_w  # the Standard-Model default of the engine
    new_physics = build_lar_2020(
        lar_dir,
        signal=signal_from_charges(engine, model_for),
        signal_parameters={"sin2_theta_w": weak_mixing},
        engine=engine,
    )
    assert "sin2_theta_w" in new_physics.cost._parameters
    assert new_physics.start["sin2_theta_w"] == weak_mixing
    reference = new_physics.signal_events(new_physics.start)
    assert reference == pytest.approx(analysis.signal_events(analysis.start), rel=1e-12)
    # The weak charge Q_W = N g_V^n + Z g_V^p with g_V^p = 1/2 − 2 sin²θ_W (tree level)
    # grows in magnitude with sin²θ_W: 0.30 raises the argon signal by about
    # ((22/2 + 18 · 0.1) / (22/2 − 18 · 0.023))² ≈ 1.46.
    larger = new_physics.signal_events(dict(new_physics.start, sin2_theta_w=0.30))
    assert larger / reference == pytest.approx(1.46, rel=0.03)


# --- the fit ---------------------------------------------------------------------------------
def test_fit_reproduces_the_published_cevns_count(analysis: Analysis, result: FitResult) -> None:
    events = analysis.signal_events(result.values)
    # σ_N through the covariance: N depends on the scale, flux_norm and CEvNS nuisances.
    error = propagate_error(analysis.signal_events, result)
    assert abs(events - BEST_FIT_COUNTS["cevns"]) < CEVNS_TOLERANCE
    assert CEVNS_ERROR_RANGE[0] <= error <= CEVNS_ERROR_RANGE[1]
    lower, upper = result.minos["lar_cevns_scale"]
    assert lower < 0 < upper
    assert result.ndof == 12 * 8 * 10 - 1
    assert result.chi2 / result.ndof < 1.2


def test_fit_background_normalisations(analysis: Analysis, result: FitResult) -> None:
    totals = component_totals(analysis, result.values)
    for component, key in COMPONENT_KEYS.items():
        pull = (totals[component] - BEST_FIT_COUNTS[key]) / BEST_FIT_UNCERTAINTIES[key]
        assert abs(pull) < BACKGROUND_PULL_TOLERANCE, (component, totals[component])


def test_nominal_template_fit_reproduces_the_published_normalisations(
    analysis: Analysis,
) -> None:
    nominal = fit(analysis.cost, analysis.start, fixed=[*SHAPE_SYSTEMATICS, "flux_norm"])
    totals = component_totals(analysis, nominal.values)
    for component, key in {"cevns": "cevns", **COMPONENT_KEYS}.items():
        pull = (totals[component] - BEST_FIT_COUNTS[key]) / BEST_FIT_UNCERTAINTIES[key]
        assert abs(pull) < NOMINAL_PULL_TOLERANCE, (component, totals[component])
    # The prompt-BRN error of that fit is the published ±34.
    brn_error = nominal.errors["lar_brn_prompt_norm"] * PREDICTED_COUNTS["prompt_brn"]
    assert brn_error == pytest.approx(BEST_FIT_UNCERTAINTIES["prompt_brn"], rel=0.1)


def test_flux_averaged_cross_section(analysis: Analysis, result: FitResult) -> None:
    measured = result.values["lar_cevns_scale"] * analysis.standard_model_cross_section
    assert abs(measured - PUBLISHED_CROSS_SECTION) < CROSS_SECTION_TOLERANCE
