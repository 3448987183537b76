"""Dark matter in the COHERENT CsI 2021 likelihood (needs ../shared/data)."""

from __future__ import annotations

import numpy as np
import pytest

from cevns.beamdump.analysis import csi_analysis, event_limit, with_dark_matter
from cevns.beamdump.flux import DETECTOR_POSITIONS, flux_at_detector, simulate
from cevns.beamdump.portals import DarkSector
from cevns.beamdump.report import published
from cevns.beamdump.signal import predict, prompt_time_template
from cevns.units import MeV


@pytest.fixture(scope="module")
def csi(shared_data_dir):
    return csi_analysis(shared_data_dir)


def _prediction(experiment, m_chi):
    sector = DarkSector(3 * m_chi * MeV, m_chi * MeV, 1e-4, 0.5)
    flux = flux_at_detector(
        simulate(sector, mesons=50_000), *DETECTOR_POSITIONS["csi-neutrino-alley"]
    )
    return predict(experiment, flux, sector, 3.198e23)


def test_prompt_template_is_the_pulse(csi):
    _, experiment, _ = csi
    template = prompt_time_template(experiment)
    # all arrivals within the 0-1 us bins; the 1-6 us bins only see the pulse's tail
    assert template[:8].sum() > 0.99
    assert template[8:].sum() < 2e-3  # 3 sigma above the mean
    # the peak bin holds the pulse mean (0.56 us in [0.5, 0.625))
    assert int(np.argmax(template)) == 4


def test_event_limit_at_10_mev_next_to_published(csi):
    base, experiment, _ = csi
    prediction = _prediction(experiment, 10.0)
    assert prediction.events > 0
    limit = event_limit(with_dark_matter(base, prediction.histogram))
    table = published()["coherent-csi-2021"]["event_limits"]
    reference = dict(zip(table["mass_mev"], table["events"], strict=True))[10.0]
    assert limit.feldman_cousins == pytest.approx(reference, rel=0.3)
    assert limit.feldman_cousins <= limit.wilks + 1e-6
    assert limit.best_fit < 5


def test_toy_critical_value_near_the_asymptotic_one(csi):
    from cevns.beamdump.analysis import feldman_cousins_critical, toy_critical_value

    base, experiment, _ = csi
    analysis = with_dark_matter(base, _prediction(experiment, 10.0).histogram)
    # 40 toys: the 90 % quantile is known to ~±0.5; the asymptotic value is 2.69 here
    critical = toy_critical_value(analysis, 27.0, toys=40, seed=5)
    assert abs(critical - feldman_cousins_critical(27.0 / 18.5)) < 1.2


def test_toys_minimised_at_once_give_the_critical_value_of_migrad_profiles(csi, monkeypatch):
    """The toys minimised all at once and, when none converges there (one step allowed),
    the MIGRAD profile of each give the same critical value, to 10⁻³ (the minima agree to
    4 × 10⁻⁵; the quantile interpolates between toys)."""
    import cevns.stats.toy_fits as toy_fits
    from cevns.beamdump.analysis import toy_critical_value

    base, experiment, _ = csi
    analysis = with_dark_matter(base, _prediction(experiment, 10.0).histogram)
    batched = toy_critical_value(analysis, 27.0, toys=40, seed=5)
    monkeypatch.setattr(toy_fits, "MAX_ITERATIONS", 1)
    profiled = toy_critical_value(analysis, 27.0, toys=40, seed=5)
    assert batched == pytest.approx(profiled, abs=1e-3)


def test_beam_timing_nuisance_shared_by_cevns_and_dark_matter(shared_data_dir):
    from cevns.beamdump.analysis import TIMING_PARAMETER, TIMING_SIGMA_US
    from cevns.units import us

    base, experiment, _ = csi_analysis(shared_data_dir, beam_timing=True)
    prediction = _prediction(experiment, 10.0)
    timing = tuple(
        np.outer(prediction.observable, prompt_time_template(experiment, s * TIMING_SIGMA_US * us))
        for s in (1.0, -1.0)
    )
    analysis = with_dark_matter(base, prediction.histogram, timing=timing)
    assert TIMING_PARAMETER in analysis.cost._parameters
    limit = event_limit(analysis)
    assert limit.feldman_cousins == pytest.approx(27.0, rel=0.3)


def test_dark_matter_uses_the_engines_response(csi):
    """The DM fold calls the same response builder as the engine: at the engine's recoil
    nodes it reproduces the engine's R[k, j] exactly."""
    from cevns.detectors.response import build_response_matrix
    from cevns.experiments.engine import PredictionEngine

    _, experiment, _ = csi
    engine = PredictionEngine(experiment)
    kernel = engine.kernels[0]
    ours = build_response_matrix(
        kernel.recoil,
        experiment.quenching_for(kernel.isotope.name),
        experiment.light_yield,
        experiment.smearing,
        experiment.observable_edges,
        experiment.energy_efficiency,
    )
    assert np.array_equal(ours, engine.responses[0])


def test_event_limit_of_a_signal_in_one_energy_bin(csi):
    """A prompt signal confined to 12-16 PE, where the data lie 1σ above the fit: the
    profile at the Wilks limit can fall short of 2.71 by the refit's tolerance, which made
    the Feldman-Cousins crossing unbracketed (ValueError) before the bracket was widened."""
    base, experiment, _ = csi
    energy = np.zeros(len(experiment.observable_edges) - 1)
    energy[2] = 1.0  # 12-16 PE
    limit = event_limit(with_dark_matter(base, np.outer(energy, prompt_time_template(experiment))))
    assert np.isfinite(limit.feldman_cousins) and limit.best_fit > 0
    assert limit.best_fit < limit.feldman_cousins <= limit.wilks + 1e-3


def test_dark_matter_follows_the_response_nuisances(csi, shared_data_dir):
    """The DM folded through the release's ±1σ efficiency curves moves the way the
    efficiency does (turn-on at 9.85 PE: more events; 11.88 PE: fewer), and the DM
    component of the fit depends on the same nuisance parameters as the CEvNS."""
    from cevns.beamdump.analysis import DM_COMPONENT, response_variants

    base, experiment, spec = csi
    variants = {name: (up, down) for name, up, down in response_variants(spec, shared_data_dir)}
    assert set(variants) == {"csi_quenching_0", "csi_quenching_1", "csi_efficiency"}
    sector = DarkSector(30 * MeV, 10 * MeV, 1e-4, 0.5)
    flux = flux_at_detector(
        simulate(sector, mesons=20_000), *DETECTOR_POSITIONS["csi-neutrino-alley"]
    )
    nominal = predict(experiment, flux, sector, 3.198e23).events
    up, down = (predict(e, flux, sector, 3.198e23).events for e in variants["csi_efficiency"])
    assert up > nominal > down
    response = [(name, predict(u, flux, sector, 3.198e23).histogram,
                 predict(d, flux, sector, 3.198e23).histogram)
                for name, (u, d) in variants.items()]  # fmt: skip
    analysis = with_dark_matter(base, predict(experiment, flux, sector, 3.198e23).histogram,
                                response=response)  # fmt: skip
    dark = analysis.samples[0].model.component(DM_COMPONENT)
    assert {s.parameter for s in dark.shape_systematics} == set(variants)
