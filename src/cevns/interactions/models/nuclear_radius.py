"""The neutron distribution's radius as a parameter.

The weak charge weighs the neutron density far more than the proton density, so CEvNS
measures the neutron rms radius R_n (seeds/001: R_n = 5.5 (+0.9 −1.1) fm for CsI,
M. Cadeddu et al., Phys. Rev. Lett. 120, 072501 (2018), arXiv:1710.02730). The parameter
``neutron_skin`` (fm, default 0) sets R_n = R_p + ΔR_np for every nucleus, with R_p the
proton rms radius of the form-factor model; the neutron form factor is rebuilt from R_n
with the model's shape parameter held (:func:`cevns.nuclear.form_factors.form_factors_for`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from cevns.interactions.models.parameters import ModelParameter
from cevns.units import fm

PARAMETERS = {
    "neutron_skin": ModelParameter(
        "neutron_skin", 0.0, "fm", "neutron skin R_n − R_p of every target nucleus"
    )
}


@lru_cache(maxsize=4096)
def _neutron_form_factor(form_factor, momentum_key: bytes, skin_fm: float) -> np.ndarray:
    """F_n at the cached momenta with R_n = R_p + skin (shape parameter of the model held)."""
    momenta = np.frombuffer(momentum_key)
    model = type(form_factor)
    radius = form_factor.rms_radius + skin_fm * fm
    return model.from_rms_radius(radius)(momenta)


def neutron_form_factor(kernel, skin_fm: float) -> np.ndarray:
    """F_n(q) at the kernel's recoil nodes for a neutron skin of ``skin_fm`` fm."""
    if skin_fm == 0.0 or not hasattr(kernel.form_factors.proton, "from_rms_radius"):
        # F = 1 (no radius): a skin has nothing to act on.
        return kernel.form_factor_neutron
    return _neutron_form_factor(
        kernel.form_factors.proton, kernel.momentum_transfer.tobytes(), float(skin_fm)
    )
