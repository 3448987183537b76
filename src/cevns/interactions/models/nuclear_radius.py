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

Declared ranges are the ranges the form factors accept. A shape with a fixed shape
parameter has a smallest rms radius: √3·s = 1.56 fm for Helm (s = 0.9 fm, Lewin–Smith)
and √6·a = 1.71 fm for Klein–Nystrand (a = 0.7 fm), since ⟨r²⟩ = 3/5 R_A² + 6a² (S. R.
Klein and J. Nystrand, Phys. Rev. C 60, 014903 (1999)). Radii therefore start at
:data:`MINIMUM_RADIUS` = 1.8 fm, and the skin at −1 fm, which keeps R_n above it for every
nucleus with R_p > 2.8 fm (A ≳ 20); a lighter nucleus with a skin that takes R_n below the
form factor's minimum is refused in one line naming it (use its own radius parameter).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from cevns.errors import CevnsInputError
from cevns.interactions.models.parameters import ModelParameter
from cevns.nuclear.form_factors import form_factors_for
from cevns.nuclear.isotopes import all_isotopes
from cevns.units import fm

#: Smallest neutron rms radius every form-factor model accepts (fm; module docstring).
MINIMUM_RADIUS = 1.8
#: Range of the common neutron skin (fm).
SKIN_RANGE = (-1.0, 3.0)


def _radius_parameters() -> dict[str, ModelParameter]:
    parameters = {}
    for name, isotope in all_isotopes().items():
        if isotope.N == 0:
            continue  # no neutron distribution to measure
        default = form_factors_for(isotope.A, "helm").neutron.rms_radius / fm
        key = f"neutron_radius_{name}"
        parameters[key] = ModelParameter(
            key,
            default,
            "fm",
            f"neutron rms radius of {name}",
            (MINIMUM_RADIUS, 15.0),
            symbol=rf"$R_n(^{{{isotope.A}}}\mathrm{{{isotope.symbol}}})$",
        )
    return parameters


PARAMETERS = {
    "neutron_skin": ModelParameter(
        "neutron_skin",
        0.0,
        "fm",
        "neutron skin R_n − R_p of every target nucleus",
        SKIN_RANGE,
        symbol=r"$\Delta R_{np}$",
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
    try:
        return _neutron_form_factor(proton, kernel.momentum_transfer.tobytes(), float(radius))
    except CevnsInputError as error:
        raise CevnsInputError(
            f"neutron radius of {kernel.isotope.name} = {radius:.4g} fm "
            f"(neutron_skin {skin:+.4g} fm): {error}"
        ) from None
