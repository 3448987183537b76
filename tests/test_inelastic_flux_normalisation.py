"""The D2O flux term (cevns.stats.d2o_flux): its statistics and its place in the likelihood."""

import math

import numpy as np
import pytest
from iminuit import Minuit

from cevns.errors import CevnsInputError
from cevns.stats.analysis import combine
from cevns.stats.d2o_flux import (
    PoissonCount,
    build_analysis_with_d2o,
    d2o_events,
    d2o_flux_analysis,
    flux_precision,
    is_d2o_document,
)


def test_poisson_count_is_the_deviance_with_its_gradient():
    cost = PoissonCount(100.0, 100.0, ("a", "b"))
    assert cost(1.0, 1.0) == pytest.approx(0.0, abs=1e-12)
    # 2 [mu - n + n ln(n/mu)] at mu = 110.
    assert cost(1.1, 1.0) == pytest.approx(2 * (110 - 100 + 100 * math.log(100 / 110)))
    step = 1e-6
    numeric = (cost(1.1 + step, 0.9) - cost(1.1 - step, 0.9)) / (2 * step)
    assert cost.grad(1.1, 0.9)[0] == pytest.approx(numeric, rel=1e-6)
    with pytest.raises(CevnsInputError, match="expected > 0"):
        PoissonCount(1.0, 0.0, ("a",))


def test_flux_precision_is_statistics_and_cross_section_in_quadrature():
    analysis = d2o_flux_analysis(2000.0, xs_uncertainty=0.02)
    minuit = Minuit(combine(analysis), flux_norm=1.0, d2o_xs_scale=1.0)
    minuit.migrad()
    minuit.hesse()
    assert minuit.values["flux_norm"] == pytest.approx(1.0, abs=1e-6)  # Asimov
    expected = flux_precision(2000.0, 0.02)
    assert expected == pytest.approx(np.hypot(1 / np.sqrt(2000), 0.02))
    assert minuit.errors["flux_norm"] == pytest.approx(expected, rel=0.02)
    with pytest.raises(CevnsInputError, match=r"xs_uncertainty must lie in \(0, 1\)"):
        d2o_flux_analysis(100.0, xs_uncertainty=0.0)


def test_builder_recognises_d2o_documents():
    assert is_d2o_document("coherent-d2o")
    assert not is_d2o_document("coherent-ar-750")  # no nu_e d channel
    analysis = build_analysis_with_d2o("coherent-d2o")
    assert analysis.constraints[0].expected == pytest.approx(d2o_events("coherent-d2o"))
    assert d2o_events("coherent-d2o") == pytest.approx(1061.2, rel=2e-3)
    with pytest.raises(CevnsInputError, match="no \\[inelastic\\] table"):
        d2o_events("coherent-ge-mini")
