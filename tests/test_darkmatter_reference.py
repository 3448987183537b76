"""Reference test: the n = 2 boundary against O'Hare (2021) and Billard et al. (2014).

The published numbers and their sources are read from cevns/darkmatter/data/fog_published.toml
(the JSON of ``cevns fog`` carries the same block).

* O'Hare, PRL 127, 251802 (2021), arXiv:2109.03116: the n = 2 boundary of Xe, Ar, Ge, CaWO₄
  and NaI at 6 and 100 GeV, from the floors released with the paper. With his inputs
  (``--inputs ohare-2021``: his halo, ⁸B flux 5.16e6 cm⁻² s⁻¹ ± 2 %, atmospheric 10.7 ± 25 %,
  DSNB 85.7 ± 50 %, the median experiment, threshold 1e-4 keV, 50 bins to 200 keV) cevns
  agrees within 7 % (measured: Xe +4 %/+5 %, Ar +6 %/−4 %, Ge +1 %/+2 %, CaWO₄ +3 %/−6 %,
  NaI +3 %/+1 % at 6/100 GeV); tolerance 15 %. The remaining differences: O'Hare smooths the
  exposure curves before differentiating, uses one isotope per element (Xe131, Ar40, Ge74,
  Ca40, W184, O16, Na23, I127) with mass-number fractions for compounds, and his own tables
  of the solar and atmospheric spectra.
* Billard et al., PRD 89, 023524 (2014): their xenon neutrino floor is a discovery limit at
  the thresholds and exposures of the paper, not an n = 2 boundary. With the cevns defaults
  and their criterion (3σ in 90 % of experiments) the n = 2 boundary is 1.8× (6 GeV) and 2.2×
  (100 GeV) their floor; a loose factor-3 check of consistency.
"""

from functools import cache

import pytest

from cevns.darkmatter.fog import fog_for_mass, prepare_target
from cevns.darkmatter.published import ohare_2021_settings, published_values
from cevns.units import GeV, cm2


@cache
def _target(name: str, inputs: str):
    settings = ohare_2021_settings() if inputs == "ohare-2021" else None
    return prepare_target(name, settings)


def _boundary(name: str, inputs: str, mass_gev: float) -> float:
    boundary = fog_for_mass(_target(name, inputs), mass_gev * GeV).boundary
    assert boundary is not None
    return boundary[0] / cm2


@pytest.mark.parametrize("target", ["Xe", "Ar", "Ge", "CaWO4", "NaI"])
@pytest.mark.parametrize("mass", ["6", "100"])
def test_n2_boundary_matches_ohare_2021_with_his_inputs(target, mass):
    published = published_values(target)["ohare_2021"]["values_cm2"][mass]
    assert _boundary(target, "ohare-2021", float(mass)) == pytest.approx(published, rel=0.15)


@pytest.mark.parametrize("mass", ["6", "100"])
def test_n2_boundary_is_within_a_factor_three_of_the_billard_2014_floor(mass):
    published = published_values("Xe")["billard_2014"]["values_cm2"][mass]
    ratio = _boundary("Xe", "cevns", float(mass)) / published
    assert 1 / 3 < ratio < 3
