"""Property tests of detector responses (hypothesis): efficiencies lie in [0, 1] and the
response chain T → E_ee → observable → bins loses events but never creates them.

For random quenching models, light yields, smearings, efficiencies, recoil nodes and bin
edges, R[k, j] = P(recoil T_j lands in bin k and passes) must be finite and non-negative,
each column (one recoil energy) must sum to at most 1, and an efficiency may only lower
R (the chain without it is an upper bound, element by element). Formulas and sources are
in :mod:`cevns.detectors`; the smearing models alone are tested in
tests/test_detectors_smearing.py.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cevns.detectors.efficiency import (
    CsI2021TimeEfficiency,
    LogisticEfficiency,
    LogisticStepEfficiency,
    TabulatedEfficiency,
    ThresholdEfficiency,
)
from cevns.detectors.quenching import ConstantQuenching, LindhardQuenching, LinearQuenching
from cevns.detectors.response import build_response_matrix
from cevns.detectors.smearing import (
    GammaSmearing,
    GaussianSmearing,
    NoiseFanoSmearing,
    NoSmearing,
    PoissonSmearing,
)
from cevns.errors import CevnsInputError
from cevns.units import eV, keVee, keVnr, us

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Rounding allowed on a probability (sums of bin integrals).
ROUNDING = 1e-9


def _finite(low: float, high: float):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


quenchings = st.one_of(
    st.builds(ConstantQuenching, _finite(0.02, 1.0)),
    st.builds(
        LindhardQuenching,
        _finite(0.05, 0.3),
        st.integers(1, 92),
        st.one_of(st.none(), _finite(0.01, 1.0).map(lambda x: x * keVnr)),
    ),
    # E_ee = (a + b T) T with a > 0 and b ≥ 0 (the CENNS-10 form): monotone in T.
    st.builds(LinearQuenching, _finite(0.02, 0.5), _finite(0.0, 0.004)),
)


@st.composite
def detectors(draw):
    """(light yield or None, smearing, observable bin edges) that belong together."""
    photoelectrons = draw(st.booleans())
    if photoelectrons:
        light_yield = draw(_finite(1.0, 30.0)) / keVee
        smearing = draw(
            st.one_of(
                st.just(PoissonSmearing()),
                st.builds(GammaSmearing, _finite(0.01, 0.2), _finite(0.0, 20.0)),
                st.builds(GaussianSmearing, _finite(0.05, 1.0), st.just(1.0)),
                st.just(NoSmearing()),
            )
        )
        scale = 1.0
    else:
        light_yield = None
        smearing = draw(
            st.one_of(
                st.builds(GaussianSmearing, _finite(0.05, 1.0), st.just(keVee)),
                st.builds(
                    NoiseFanoSmearing,
                    _finite(0.0, 200.0).map(lambda x: x * eV),
                    _finite(0.0, 0.3),
                    st.just(2.96 * eV),
                ),
                st.just(NoSmearing()),
            )
        )
        scale = keVee
    cuts = draw(st.lists(_finite(0.0, 300.0), min_size=2, max_size=10, unique=True))
    edges = np.sort(np.array(cuts)) * scale
    assume(np.all(np.diff(edges) > 0))
    return light_yield, smearing, edges, scale


@st.composite
def efficiencies(draw, scale: float):
    """An energy efficiency on the observable (PE, or keVee × ``scale``), or None."""
    kind = draw(st.sampled_from(["none", "logistic", "step", "table", "threshold"]))
    if kind == "none":
        return None
    if kind == "threshold":
        return ThresholdEfficiency(draw(_finite(0.0, 100.0)) * scale)
    if kind == "table":
        nodes = np.sort(np.array(draw(st.lists(_finite(0.0, 200.0), min_size=2, max_size=8,
                                               unique=True))))  # fmt: skip
        values = draw(st.lists(_finite(0.0, 1.0), min_size=nodes.size, max_size=nodes.size))
        return TabulatedEfficiency(nodes * scale, values)
    a, b, c, d = (
        draw(_finite(0.0, 2.0)),
        draw(_finite(-2.0, 2.0)),
        draw(_finite(0, 50)),
        draw(_finite(-1.0, 1.0)),
    )
    try:
        if kind == "logistic":
            return LogisticEfficiency(a, b / scale, c * scale, d)
        return LogisticStepEfficiency(a, b / scale, c * scale, d, draw(_finite(0, 20)) * scale)
    except CevnsInputError:
        assume(False)  # an efficiency above 1 or never positive is refused (tested elsewhere)


@SETTINGS
@given(
    quenching=quenchings,
    detector=detectors(),
    recoils=st.lists(_finite(0.0, 100.0), min_size=1, max_size=12),
    data=st.data(),
)
def test_response_columns_are_probabilities_and_efficiency_only_removes(
    quenching, detector, recoils, data
):
    light_yield, smearing, edges, scale = detector
    efficiency = data.draw(efficiencies(scale))
    nodes = np.array(recoils) * keVnr
    response = build_response_matrix(nodes, quenching, light_yield, smearing, edges, efficiency)
    assert response.shape == (edges.size - 1, nodes.size)
    assert np.all(np.isfinite(response))
    assert np.all(response >= 0.0)
    assert np.all(response.sum(axis=0) <= 1.0 + ROUNDING)
    without = build_response_matrix(nodes, quenching, light_yield, smearing, edges)
    assert np.all(response <= without + ROUNDING)


@SETTINGS
@given(
    parameters=st.tuples(_finite(0.0, 2.0), _finite(-5.0, 5.0), _finite(-20, 60), _finite(-1, 1)),
    observable=st.lists(_finite(0.0, 1e4), min_size=1, max_size=20),
)
def test_a_logistic_efficiency_that_is_accepted_lies_in_0_1(parameters, observable):
    try:
        efficiency = LogisticEfficiency(*parameters)
    except CevnsInputError:
        return  # refused: rises above 1 or is never positive on x ≥ 0
    values = efficiency(np.array(observable))
    assert np.all((values >= 0.0) & (values <= 1.0))


@SETTINGS
@given(
    nodes=st.lists(_finite(-10.0, 100.0), min_size=2, max_size=8, unique=True),
    data=st.data(),
    observable=st.lists(_finite(-50.0, 200.0), min_size=1, max_size=20),
    onset=_finite(-1.0, 2.0),
    decay=_finite(0.0, 1.0),
)
def test_tabulated_and_time_efficiencies_lie_in_0_1(nodes, data, observable, onset, decay):
    x = np.sort(np.array(nodes))
    values = data.draw(st.lists(_finite(0.0, 1.0), min_size=x.size, max_size=x.size))
    below = data.draw(_finite(0.0, 1.0))
    above = data.draw(st.one_of(st.just("flat"), _finite(0.0, 1.0)))
    for interpolation in ("linear", "step"):
        table = TabulatedEfficiency(x, values, below, above, interpolation)
        result = table(np.array(observable))
        assert np.all((result >= 0.0) & (result <= 1.0))
    timing = CsI2021TimeEfficiency(onset * us, decay / us)
    result = timing(np.array(observable) * 0.1 * us)
    assert np.all((result >= 0.0) & (result <= 1.0))
