"""The neutron distribution's radius as a parameter.

The weak charge weighs the neutron density far more than the proton density, so CEvNS
measures the neutron rms radius R_n (seeds/001: R_n = 5.5 (+0.9 −1.1) fm for CsI,
M. Cadeddu et al., Phys. Rev. Lett. 120, 072501 (2018), arXiv:1710.02730). Two kinds of
parameter rebuild the neutron form factor from R_n with the model's shape parameter held
(:func:`cevns.nuclear.form_factors.form_factors_for`):

* ``neutron_radius_<isotope>`` (fm; e.g. ``neutron_radius_Cs133``), the neutron rms radius
  of that nucleus, defaulting to the Helm (Lewin–Smith) rms radius of its mass number;
  there is none for hydrogen (H1, no neutrons), whose neutron form factor the skin leaves
  alone as well;
* ``neutron_skin`` (fm, default 0): R_n = R_p + ΔR_np for every nucleus without its own
  radius parameter, with R_p the proton rms radius of the form-factor model.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from cevns.interactions.models.parameters import ModelParameter
from cevns.nuclear.form_factors import form_factors_for
from cevns.nuclear.isotopes import all_isotopes
from cevns.units import fm


def _radius_parameters() -> dict[str, ModelParameter]:
    parameters = {}
    for name, isotope in all_isotopes().items():
        if isotope.N == 0:
            continue  # no neutron distribution to measure
        default = form_factors_for(isotope.A, "helm").neutron.rms_radius / fm
        key = f"neutron_radius_{name}"
        parameters[key] = ModelParameter(
            key, default, "fm", f"neutron rms radius of {name}", (1.0, 15.0)
        )
    return parameters


PARAMETERS = {
    "neutron_skin": ModelParameter(
        "neutron_skin", 0.0, "fm", "neutron skin R_n − R_p of every target nucleus", (-3.0, 3.0)
    ),
    **_radius_parameters(),
}


@lru_cache(maxsize=4096)
def _neutron_form_factor(form_factor, momentum_key: bytes, radius_fm: float) -> np.ndarray:
    """F_n at the cached momenta for neutron rms radius ``radius_fm`` (model shape held)."""
    momenta = np.frombuffer(momentum_key)
    return type(form_factor).from_rms_radius(radius_fm * fm)(momenta)


def neutron_form_factor(kernel, values: Mapping[str, float]) -> np.ndarray:
    """F_n(q) at the kernel's recoil nodes for the radius parameters in ``values``."""
    proton = kernel.form_factors.proton
    if kernel.isotope.N == 0 or not hasattr(proton, "from_rms_radius"):
        return kernel.form_factor_neutron  # no neutrons, or F = 1: nothing to act on
    own = values.get(f"neutron_radius_{kernel.isotope.name}")
    skin = values.get("neutron_skin", 0.0)
    current = kernel.form_factors.neutron.rms_radius / fm
    if (own is None and skin == 0.0) or (own is not None and abs(own - current) <= 1e-12 * current):
        return kernel.form_factor_neutron
    radius = own if own is not None else proton.rms_radius / fm + skin
    return _neutron_form_factor(proton, kernel.momentum_transfer.tobytes(), float(radius))
