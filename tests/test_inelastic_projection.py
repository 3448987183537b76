"""Asimov projections (``data = "asimov"``) and the Ge-Mini projection in the flux study.

The Ge-Mini projection (preset ``coherent-ge-mini-asimov``) sizes its background from
seeds/002's observation 124 (+14 −12) events; its fit must give back the published
statistical precision, and a D₂O flux measurement must tighten its flux normalisation.
"""

import math
import tomllib

import numpy as np
import pytest
from iminuit import Minuit

from cevns.errors import CevnsInputError
from cevns.experiments.load import document_text, load_experiment, parse_experiment
from cevns.stats.analysis import combine
from cevns.stats.assemble import build_analysis
from cevns.stats.d2o_flux import d2o_flux_analysis, flux_precision

GE = "coherent-ge-mini-asimov"


def _fit(*analyses, fix=()):
    start = {k: v for a in analyses for k, v in a.start.items()}
    minuit = Minuit(combine(*analyses), **start)
    for analysis in analyses:
        for name in analysis.fixed:
            minuit.fixed[name] = True
    for name in fix:
        minuit.fixed[name] = True
    minuit.migrad()
    minuit.hesse()
    assert minuit.valid
    return minuit


def test_asimov_sample_is_the_expectation_at_the_standard_model():
    analysis = build_analysis(GE)
    [sample] = analysis.samples
    expected = sample.model.expected_by_component(analysis.start)
    assert np.allclose(sample.observed, sum(expected.values()), rtol=1e-12)
    # 45 = 13^2 - 124 background events (the preset's notes), flat in energy and time.
    assert expected["steady-state"].sum() == pytest.approx(45.0, rel=1e-12)
    # A scan starting away from the Standard Model sees the same data set.
    shifted = build_analysis(GE, model_parameters={"eps_ee_u": 0.3})
    assert np.allclose(shifted.samples[0].observed, sample.observed, rtol=1e-12)


def test_ge_projection_reproduces_the_published_statistical_error():
    # seeds/002: 124 (+14 -12) events, i.e. +-13/124 = 10.5 % statistical. With the flux
    # held, the binned Asimov fit of ge_cevns_scale gives 10.2 %; tolerance 10 %. It cannot
    # exceed the counting error sqrt(S + B)/S (the bins only add information).
    analysis = build_analysis(GE)
    minuit = _fit(analysis, fix=("flux_norm",))
    assert minuit.values["ge_cevns_scale"] == pytest.approx(1.0, abs=1e-6)
    error = minuit.errors["ge_cevns_scale"]
    assert error == pytest.approx(13 / 124, rel=0.10)
    signal = analysis.samples[0].model.expected_by_component(analysis.start)["cevns"].sum()
    assert error <= math.sqrt(signal + 45.0) / signal


def test_d2o_term_constrains_the_ge_flux_normalisation():
    # Alone, flux_norm keeps the documents' 10 % prior; one D2O year (1061 events,
    # sigma_xs = 2 %) brings it to the two constraints in quadrature, 3.4 %.
    ge = build_analysis(GE)
    alone = _fit(ge)
    assert alone.errors["flux_norm"] == pytest.approx(0.10, rel=0.01)
    d2o = d2o_flux_analysis(1061.2)
    joint = _fit(ge, d2o)
    combined = 1 / math.sqrt(1 / 0.10**2 + 1 / flux_precision(1061.2) ** 2)
    assert joint.errors["flux_norm"] == pytest.approx(combined, rel=0.02)
    assert joint.errors["ge_cevns_scale"] < 0.8 * alone.errors["ge_cevns_scale"]


def test_asimov_data_only_in_projections():
    document = tomllib.loads(document_text(GE))
    document["kind"] = "measurement"
    with pytest.raises(CevnsInputError, match=r"'asimov'.*kind = 'projection'") as error:
        parse_experiment(document)
    assert "\n" not in str(error.value)
    assert load_experiment(GE).kind == "projection"
