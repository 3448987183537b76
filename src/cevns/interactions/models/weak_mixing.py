"""The low-energy weak mixing angle as a free parameter.

``sin2_theta_w`` replaces sin²θ̂_W(0) in the couplings (:mod:`cevns.interactions.couplings`):
g_V^p moves by −2 Δsin²θ_W, so Q_W = Z(1 − 4 sin²θ_W) − N at tree level (seeds/001,
seeds/003). Default: 0.23868 (arXiv:1712.09146). COHERENT measured 0.220 (+0.028 −0.026)
with CsI (arXiv:2110.07730).
"""

from __future__ import annotations

from cevns.constants import sin2_theta_w
from cevns.interactions.models.parameters import ModelParameter

PARAMETERS = {
    "sin2_theta_w": ModelParameter(
        "sin2_theta_w",
        sin2_theta_w,
        "",
        "low-energy weak mixing angle sin²θ_W",
        (0.0, 1.0),
        symbol=r"$\sin^2\theta_W$",
    )
}
