"""Interactions: kinematics, couplings, kinematic basis terms, charges and cross sections."""

from cevns.interactions.couplings import NucleonCouplings, standard_model_couplings
from cevns.interactions.cross_section import differential_cross_section, total_cross_section
from cevns.interactions.kinematics import (
    momentum_transfer,
    neutrino_energy_min,
    recoil_energy_max,
)
from cevns.interactions.standard_model import weak_charge

__all__ = [
    "NucleonCouplings",
    "differential_cross_section",
    "momentum_transfer",
    "neutrino_energy_min",
    "recoil_energy_max",
    "standard_model_couplings",
    "total_cross_section",
    "weak_charge",
]
