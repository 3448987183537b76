"""Accelerator dark matter under a changed internal unit scale: nothing physical moves."""

import pytest

PROBE = """
import json
from cevns.beamdump.report import darkmatter_report
from cevns.beamdump.portals import relic_y
from cevns.units import MeV
r = darkmatter_report([10.0], limits=False, mesons=20000)
row = r["masses"][0]
print(json.dumps({"events": row["events_reference"], "flux": row["flux_per_pot_cm2"],
                  "delay": row["mean_flight_delay_ns"], "relic": relic_y(10 * MeV)}))
"""


def test_dark_matter_prediction_is_unit_independent(run_probe):
    default = run_probe(PROBE)
    scaled = run_probe(PROBE, "MeV=3.7e-3,cm=4.1e12,s=2.9e-7")
    for key, value in default.items():
        assert scaled[key] == pytest.approx(value, rel=1e-9), key
