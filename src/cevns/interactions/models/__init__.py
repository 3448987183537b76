"""Physics beyond the Standard Model, each model entering the engine through charges.

Modules (formula and source in each): :mod:`.weak_mixing`, :mod:`.nsi`,
:mod:`.vector_mediator`, :mod:`.scalar_mediator`, :mod:`.magnetic_moment`,
:mod:`.charge_radius`, :mod:`.nuclear_radius`, :mod:`.flavored`; :mod:`.composite` puts
them together. Sterile-neutrino oscillations change the flux, not the charges
(:mod:`cevns.sources.oscillation`).
"""

from cevns.interactions.models.composite import (
    PARAMETERS,
    NewPhysicsCharges,
    check_parameters,
    default_values,
)
from cevns.interactions.models.parameters import ModelParameter

__all__ = [
    "PARAMETERS",
    "ModelParameter",
    "NewPhysicsCharges",
    "check_parameters",
    "default_values",
]
