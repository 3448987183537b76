"""The dark-matter results do not move when the internal unit scale changes."""

import pytest

PROBE = r"""
import json
from cevns.darkmatter.halo import BAXTER_2021, km_per_s
from cevns.darkmatter.wimp import differential_rate, integrated_rate
from cevns.darkmatter.fog import FogSettings, TONNE_YEAR, discovery_limit_at, fog_for_mass
from cevns.darkmatter.fog import prepare_target
from cevns.darkmatter.neutrinos import solar_backgrounds
from cevns.units import GeV, cm2, keV, tonne, year
solar = solar_backgrounds()
fog = prepare_target("Xe", FogSettings(threshold=0.1 * keV, max_recoil=20 * keV, bins=8), solar)
boundary = fog_for_mass(fog, 6 * GeV).boundary
out = {
    "eta_s_per_km": float(BAXTER_2021.mean_inverse_speed(300 * km_per_s) * km_per_s),
    "rate": float(differential_rate(2 * keV, 50 * GeV, 1e-45 * cm2, "Ge") * tonne * year * keV),
    "rate_above_5": integrated_rate(5 * keV, 100 * GeV, 1e-45 * cm2, "Xe") * tonne * year,
    "b8_per_t_yr": float(fog.background_rates[4].sum() * TONNE_YEAR),
    "limit": discovery_limit_at(fog, 6 * GeV, 1 * TONNE_YEAR) / cm2,
    "boundary": boundary[0] / cm2,
}
print(json.dumps(out))
"""


def test_results_do_not_depend_on_the_unit_scale(run_probe):
    default = run_probe(PROBE)
    scaled = run_probe(PROBE, "MeV=3.7e-3,cm=4.1e12,s=2.9e-7")
    for key, value in default.items():
        # Root finding stops at 1e-7 in ln σ; everything else is exact to rounding.
        tolerance = 1e-5 if key in ("limit", "boundary") else 1e-9
        assert scaled[key] == pytest.approx(value, rel=tolerance, abs=0), key
