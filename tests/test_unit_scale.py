"""Results do not move when the internal unit scale changes (catches unit slips).

The package is run twice in fresh interpreters, once with the default scale and once with
CEVNS_UNIT_SCALE set to odd values; every quantity taken out in explicit units must agree.
"""

import os
import subprocess
import sys

import pytest

PROBE = r"""
import json
from cevns import constants
from cevns.units import MeV, cm2, keV, fm, kg, s, m
from cevns.interactions.cross_section import total_cross_section, differential_cross_section
from cevns.interactions.kinematics import recoil_energy_max
from cevns.nuclear.form_factors import form_factors_for
from cevns.nuclear.materials import get_material
from cevns.experiments.prediction import predict
out = {
    "sigma_cs_30": float(total_cross_section(30 * MeV, "Cs133") / cm2),
    "sigma_ar_50_e": float(total_cross_section(50 * MeV, "Ar40", "nu_e") / cm2),
    "dsigma_i": float(differential_cross_section(40 * MeV, 5 * keV, "I127") / (cm2 / keV)),
    "tmax_na": float(recoil_energy_max(30 * MeV, 21409.2 * MeV) / keV),
    "rms_ge": form_factors_for(76, "klein-nystrand").neutron.rms_radius / fm,
    "csi_nuclei_per_kg": get_material("CsI").nuclei_per_mass("Cs133") * kg,
    "muon_lifetime_us": constants.muon_lifetime / (1e-6 * s),
    "c_m_per_s": constants.speed_of_light / (m / s),
    "csi_2021_events": predict("coherent-csi-2021").total_events,
    "csi_2021_sigma_cm2": (
        predict("coherent-csi-2021").flux_averaged_cross_sections["per_nucleus"] / cm2
    ),
    "ge_mini_events": predict("coherent-ge-mini").total_events,
    "conus_events": predict("conus-brokdorf").total_events,
}
print(json.dumps(out))
"""


def test_results_do_not_depend_on_the_unit_scale(run_probe):
    default = run_probe(PROBE)
    scaled = run_probe(PROBE, "MeV=3.7e-3,cm=4.1e12,s=2.9e-7")
    for key, value in default.items():
        # abs=0: the cross sections in cm² (~1e-40) are far below pytest.approx's default
        # absolute tolerance of 1e-12, which would accept any value.
        assert scaled[key] == pytest.approx(value, rel=1e-9, abs=0), key


LIKELIHOOD_PROBE = r"""
import json
from cevns.stats.assemble import build_analysis
from cevns.units import cm2
out = {}
for name in ("coherent-csi-2021", "coherent-lar-2020"):
    analysis = build_analysis(name, DATA)
    cost = analysis.cost
    out[name] = {
        "predicted_cevns_events": analysis.predicted_cevns_events,
        "sigma_sm_cm2": analysis.standard_model_cross_section / cm2,
        "cost_at_start": cost(*[analysis.start[p] for p in cost._parameters]),
    }
print(json.dumps(out))
"""


def test_document_likelihoods_do_not_depend_on_the_unit_scale(run_probe, shared_data_dir):
    # The likelihoods the documents declare (signal, response systematics, backgrounds
    # from the releases), at their start values.
    code = LIKELIHOOD_PROBE.replace("DATA", repr(str(shared_data_dir)))
    default = run_probe(code)
    scaled = run_probe(code, "MeV=3.7e-3,cm=4.1e12,s=2.9e-7")
    for name, values in default.items():
        for key, value in values.items():
            assert scaled[name][key] == pytest.approx(value, rel=1e-9, abs=0), (name, key)


def test_a_malformed_scale_is_refused():
    env = dict(os.environ, CEVNS_UNIT_SCALE="eV=2")
    result = subprocess.run(
        [sys.executable, "-c", "import cevns.units"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "CEVNS_UNIT_SCALE entry 'eV=2'" in result.stderr
