"""Inelastic rates through experiment documents and `cevns predict`."""

import json
import tomllib

import numpy as np
import pytest
from typer.testing import CliRunner

from cevns.cli.app import app
from cevns.errors import CevnsInputError
from cevns.experiments.build import build_experiment
from cevns.experiments.load import _preset_text, load_experiment, parse_experiment
from cevns.experiments.prediction import predict
from cevns.inelastic.averages import flux_averaged_cross_section
from cevns.inelastic.channels import get_channel
from cevns.inelastic.rates import GaussianResolution, years_to_precision
from cevns.units import MeV

runner = CliRunner()


@pytest.fixture(scope="module")
def d2o():
    return predict("coherent-d2o")


def rate(prediction, name):
    [found] = [r for r in prediction.inelastic.rates if r.channel.name == name]
    return found


def test_deuteron_events_are_nuclei_times_fluence_times_average(d2o):
    # Independent path: N_d x Phi(nu_e) x <sigma>_Michel (the pion-DAR nu_e spectrum).
    experiment = d2o.experiment
    nuclei = experiment.nuclei_by_isotope()["H2"]
    fluence = experiment.flux.fluence("nu_e")
    sigma = flux_averaged_cross_section(get_channel("cc", "H2"))
    expected = nuclei * fluence * sigma
    assert rate(d2o, "cc:H2").interactions["nu_e"] == pytest.approx(expected, rel=1e-6)
    # 592 kg D2O at 20 m, one calendar year at 2 MW and 1.3 GeV, efficiency 1.
    assert rate(d2o, "cc:H2").total_interactions == pytest.approx(1065.5, rel=2e-3)
    # NC breakup: every flavour, one neutron each.
    nc = rate(d2o, "nc:H2")
    assert set(nc.interactions) == {"nu_mu", "nu_e", "nu_mu_bar"}
    assert sum(nc.neutrons.values()) == pytest.approx(nc.total_interactions)


def test_years_to_a_five_percent_flux_normalisation(d2o):
    events = d2o.inelastic.events(rate(d2o, "cc:H2"))
    assert years_to_precision(events, 0.05) == pytest.approx(400 / events)
    assert years_to_precision(events, 0.05) == pytest.approx(0.377, abs=0.005)
    # A background equal to the signal doubles the time.
    assert years_to_precision(100, 0.05, 100) == pytest.approx(2 * years_to_precision(100, 0.05))
    with pytest.raises(CevnsInputError, match="must be positive"):
        years_to_precision(0, 0.05)


def test_d2o_oxygen_background_and_the_two_year_claim(d2o):
    # The D2O design paper's efficiency and backgrounds were not available offline (only
    # the abstract of arXiv:2104.09605): what can be derived is (1) the nu_e 16O CC events
    # in the same electron window, 8.2 % of the nu_e d signal, and (2) the efficiency x
    # purity that turns cevns's ideal rate into the abstract's "better than 5 % in 2 years".
    signal = d2o.inelastic.events(rate(d2o, "cc:H2"))
    oxygen = d2o.inelastic.events(rate(d2o, "cc:O16"))
    assert oxygen / signal == pytest.approx(0.0816, abs=0.001)
    assert years_to_precision(signal, 0.05, oxygen) == pytest.approx(0.408, abs=0.005)
    assert 400 / (2 * signal) == pytest.approx(0.188, abs=0.002)  # N = 1/0.05^2 in 2 years


def test_electron_spectrum_keeps_every_event_in_a_wide_window():
    prediction = predict("coherent-ar-750")  # no smearing, window 0-50 MeV > 52.8 - 5.888
    cc = rate(prediction, "cc:Ar40")
    assert cc.electron_spectrum["nu_e"].sum() == pytest.approx(cc.interactions["nu_e"], rel=1e-9)
    # seeds/003: ~400 inelastic interactions per year; cevns 859 with the same beam
    # assumptions that give 6.1e3 CEvNS against its 3000: the ratios agree to 6 %.
    total = sum(r.total_interactions for r in prediction.inelastic.rates)
    assert total == pytest.approx(859.0, rel=3e-3)
    assert (total / prediction.total_events) / (400 / 3000) == pytest.approx(1.06, abs=0.02)


def test_ar750_like_for_like_with_seeds_003():
    # seeds/003 (D. Pershey, 2021) quotes "~3000 CEvNS / year" and "~400 inelastic
    # interactions / year" for COH-Ar-750 with its own beam (slide 14: 1.4 MW at 1.01 GeV),
    # 610 kg fiducial and a 20 keVnr threshold (slide 18), but no beam time per year.
    data = tomllib.loads(_preset_text("coherent-ar-750"))
    data["source"]["facility"] = "sns-fts"
    prediction = predict(parse_experiment(data))
    cevns = prediction.total_events
    inelastic = sum(r.total_interactions for r in prediction.inelastic.rates)
    assert cevns == pytest.approx(5485, rel=3e-3)  # one calendar year at 1.4 MW
    # The beam time that makes cevns's CEvNS count the talk's 3000: 0.547 of a year
    # (4.8e3 hours); the same exposure gives 423 inelastic interactions (CC 334 + NC 89),
    # 6 % above the talk's 400. Tolerance: 10 % (the talk rounds to one figure).
    fraction = 3000 / cevns
    assert fraction * 8766 == pytest.approx(4795, rel=5e-3)
    assert fraction * inelastic == pytest.approx(400, rel=0.10)
    assert fraction * inelastic == pytest.approx(423.3, rel=3e-3)


def test_resolution_moves_events_but_keeps_them():
    resolution = GaussianResolution(stochastic=0.5)
    edges = np.array([-100.0, 20.0, 100.0]) * MeV
    p = resolution.bin_probabilities(np.array([10.0, 30.0]) * MeV, edges)
    assert np.allclose(p.sum(axis=1), 1.0)
    # sigma = 0.5 sqrt(30) MeV = 2.74 MeV at 30 MeV: P(E_obs < 20 MeV) = Phi(-10/2.74).
    from scipy.stats import norm

    assert p[1, 0] == pytest.approx(norm.cdf(-10 / (0.5 * np.sqrt(30))), rel=1e-9)
    perfect = GaussianResolution().bin_probabilities(np.array([19.9, 20.0]) * MeV, edges)
    assert perfect.tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_water_module_sees_oxygen():
    water = predict("coherent-h2o")
    o16 = rate(water, "cc:O16").total_interactions
    assert o16 == pytest.approx(86.9, rel=3e-3)
    # ~10 % statistical precision in 2 years needs 100 events: 1.16 years at efficiency 1.
    assert years_to_precision(o16, 0.10) == pytest.approx(1.15, abs=0.02)


def test_iodine_and_lead_presets():
    naive = predict("coherent-naive")
    cc = rate(naive, "cc:I127")
    assert cc.total_interactions == pytest.approx(336.4, rel=3e-3)
    assert naive.inelastic.events(cc) < cc.total_interactions  # 10-55 MeV window
    lead = predict("coherent-nin-pb")
    neutrons = {r.channel.name: sum(r.neutrons.values()) for r in lead.inelastic.rates}
    assert neutrons["nin-1n:Pb208"] == pytest.approx(2250.3, rel=3e-3)
    assert neutrons["nin-2n:Pb208"] == pytest.approx(2 * 1240.6, rel=3e-3)


def document(**inelastic):
    data = tomllib.loads(_preset_text("coherent-ar-750"))
    data["inelastic"] = inelastic
    return data


@pytest.mark.parametrize(
    ("inelastic", "message"),
    [
        (
            {"channels": ["nin-1n"]},
            "x.toml: inelastic.channels: 'nin-1n' has no cross section for any isotope of Ar; allowed for it: cc, nc",
        ),
        (
            {"channels": ["cc:H2"]},
            "x.toml: inelastic.channels: 'cc:H2' needs H2, which Ar does not contain; its isotopes: Ar36, Ar38, Ar40",
        ),
        (
            {"channels": ["elastic"]},
            "x.toml: inelastic.channels: 'elastic' is not a process; allowed: cc, nc, nin-1n, nin-2n (or process:target)",
        ),
        (
            {"channels": ["cc"], "efficiency": 1.5},
            "x.toml: inelastic.efficiency: Input should be less than or equal to 1",
        ),
        (
            {"channels": ["cc"], "electron_edges": [10, 5]},
            "x.toml: inelastic: electron_edges must be strictly increasing",
        ),
        ({"channels": []}, "x.toml: inelastic.channels: List should have at least 1 item"),
    ],
)
def test_bad_inelastic_tables_are_refused_naming_the_field(inelastic, message):
    with pytest.raises(CevnsInputError) as error:
        parse_experiment(document(**inelastic), "x.toml")
    assert str(error.value).startswith(message)


def test_predict_json_and_table():
    result = runner.invoke(app, ["predict", "coherent-naive", "--json"])
    assert result.exit_code == 0, result.output
    block = json.loads(result.stdout)["inelastic"]
    [channel] = block["channels"]
    assert channel["channel"] == "cc:I127" and channel["events"] < channel["interactions"]
    assert len(channel["electron_spectrum"]["nu_e"]) == len(block["electron_edges_mev"]) - 1
    assert block["published"]["flux_averaged_cross_section_cm2"]["value"] == 9.2e-40
    table = runner.invoke(app, ["predict", "coherent-ar-750"])
    assert "Inelastic channels" in table.stdout and "cc:Ar40" in table.stdout
    # A document without [inelastic] has no block.
    assert "inelastic" not in predict("coherent-ge-mini").to_dict()


def test_schema_lists_the_inelastic_table():
    result = runner.invoke(app, ["schema", "--json"])
    schema = json.loads(result.stdout)
    assert "inelastic" in schema["properties"]
    assert "InelasticSpec" in schema["$defs"]


def test_build_keeps_the_spec():
    spec = load_experiment("coherent-d2o")
    assert spec.inelastic.channel_names(["H2", "O16", "O17", "O18"], "D2O") == [
        "cc:H2", "cc:O16", "nc:H2", "nc:O16"
    ]  # fmt: skip
    assert build_experiment(spec).spec.inelastic is spec.inelastic


PROBE = r"""
import json
from cevns.experiments.prediction import predict
from cevns.inelastic.averages import flux_averaged_cross_section
from cevns.inelastic.channels import get_channel
from cevns.units import cm2
d2o = predict("coherent-d2o").inelastic
out = {r.channel.name: r.total_interactions for r in d2o.rates}
out["spectrum_bin3"] = d2o.rates[0].electron_spectrum["nu_e"][3]
out["sigma_i"] = flux_averaged_cross_section(get_channel("cc", "I127")) / cm2
print(json.dumps(out))
"""


def test_inelastic_results_do_not_depend_on_the_unit_scale(run_probe):
    default = run_probe(PROBE)
    scaled = run_probe(PROBE, "MeV=3.7e-3,cm=4.1e12,s=2.9e-7")
    for key, value in default.items():
        assert scaled[key] == pytest.approx(value, rel=1e-9, abs=0), key
