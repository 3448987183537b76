"""Figure text for parameters and confidence levels.

* :func:`parameter_label` — the axis label of a parameter: its physics symbol and unit
  from the registry of new-physics parameters
  (:attr:`cevns.interactions.models.ModelParameter.axis_label`, e.g. ``$m_{Z'}$ [MeV]``);
  a parameter of an analysis document (``flux_norm``, ``csi_cevns_scale``) keeps its name;
* :func:`standard_model_value` — a registered parameter's Standard-Model value (its
  default), for the Standard-Model point of scan figures;
* :func:`confidence_label` — ``68 % CL``, ``90 % CL``, ``95 % CL``: the Gaussian 1σ, 2σ
  and 3σ levels, P(|x − μ| < nσ) = erf(n/√2) = 0.6827, 0.9545, 0.9973 (Review of
  Particle Physics, chapter "Statistics", table of Gaussian tail areas), are named by
  their conventional rounded percentages (68 %, 95.4 %, 99.7 %); any other level by its
  percentage to four significant digits.

Nothing here imports matplotlib; the labels are mathtext strings.
"""

from __future__ import annotations

import math

#: Gaussian nσ levels P(|x| < nσ) = erf(n/√2) and the way figures name them.
_SIGMA_LEVELS = {
    math.erf(1 / math.sqrt(2)): "68 %",
    math.erf(2 / math.sqrt(2)): "95.4 %",
    math.erf(3 / math.sqrt(2)): "99.7 %",
}
#: A level within this of a Gaussian nσ level is that level (0.6827 is 1σ rounded).
_SIGMA_TOLERANCE = 5e-5


def parameter_label(name: str) -> str:
    """The axis label of parameter ``name``: symbol and unit from the registry, else the
    name itself."""
    from cevns.interactions.models import PARAMETERS

    parameter = PARAMETERS.get(name)
    return name if parameter is None else parameter.axis_label


def standard_model_value(name: str) -> float | None:
    """The Standard-Model value of a registered parameter; None for any other name."""
    from cevns.interactions.models import PARAMETERS

    parameter = PARAMETERS.get(name)
    return None if parameter is None else float(parameter.default)


def confidence_percent(level: float) -> str:
    """``"68 %"`` for 0.6827, ``"90 %"`` for 0.9 (see the module docstring)."""
    for sigma_level, text in _SIGMA_LEVELS.items():
        if abs(level - sigma_level) < _SIGMA_TOLERANCE:
            return text
    return f"{100 * level:.4g} %"


def confidence_label(level: float) -> str:
    """``"68 % CL"`` for 0.6827, ``"90 % CL"`` for 0.9 (see the module docstring)."""
    return f"{confidence_percent(level)} CL"


__all__ = ["confidence_label", "confidence_percent", "parameter_label", "standard_model_value"]
