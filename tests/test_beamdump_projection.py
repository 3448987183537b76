"""Projected sensitivity of a 10 t argon detector on axis at the second target station."""

from __future__ import annotations

import math

import pytest

from cevns.beamdump.analysis import event_limit
from cevns.beamdump.flux import DETECTOR_POSITIONS, flux_at_detector, simulate
from cevns.beamdump.portals import DarkSector, relic_y
from cevns.beamdump.projection import projection_analysis
from cevns.beamdump.signal import predict
from cevns.experiments.build import build_experiment
from cevns.experiments.load import load_experiment
from cevns.units import MeV


@pytest.fixture(scope="module")
def sts():
    return build_experiment(load_experiment("sts-ar-10t"))


@pytest.mark.parametrize("m_chi", [10.0, 30.0])
def test_on_axis_argon_reaches_below_the_scalar_relic_line(sts, m_chi):
    # seeds/001: an on-axis ~10 t detector at the STS tests all couplings (alpha_D <= 0.5)
    # above a few MeV for m_V = 3 m_chi; alpha_D = 0.5 is the weakest case at fixed Y.
    sector = DarkSector(3 * m_chi * MeV, m_chi * MeV, 1e-4, 0.5)
    flux = flux_at_detector(
        simulate(sector, mesons=50_000), *DETECTOR_POSITIONS["argon-sts-on-axis"]
    )
    prediction = predict(sts, flux, sector, sts.flux.units_of_source)
    limit = event_limit(projection_analysis(sts, prediction.histogram))
    y_limit = sector.y * math.sqrt(limit.feldman_cousins / prediction.events)
    assert y_limit < relic_y(m_chi * MeV)
    assert limit.best_fit < 1.0  # Asimov background-only data
