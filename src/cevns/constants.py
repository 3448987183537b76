"""Physical constants in the internal unit system, each with its source.

Particle masses and lifetimes come from the ``particle`` package (scikit-hep), which
ships the Review of Particle Physics tables of the 2026 edition (``particle2026.csv``,
particle >= 1.1). ħc and the exact SI definitions come from ``hepunits`` (CODATA 2018).
The remaining values are quoted below with their source.

Weak mixing angle: three values are kept, selectable by name through
:data:`WEAK_MIXING_ANGLE_VALUES`:

* ``"low-energy"`` — the MS-bar value in the Thomson limit, sin²θ̂_W(0) = 0.23868(5)
  (J. Erler and R. Ferro-Hernández, JHEP 03 (2018) 196, arXiv:1712.09146). This is the
  default for CEvNS, whose momentum transfers are ≲ 100 MeV.
* ``"mz-msbar"`` — sin²θ̂_W(M_Z) = 0.23129(4) (PDG 2024, Electroweak model review,
  S. Navas et al., Phys. Rev. D 110, 030001).
* ``"on-shell"`` — s²_W = 1 − M_W²/M_Z² = 0.22339(10) (PDG 2024, same review).
"""

from __future__ import annotations

import math

import hepunits
from hepunits import constants as _hep
from particle import Particle

from cevns.units import GeV, MeV, cm, fm, ns

# --- exact or CODATA 2018 --------------------------------------------------------------
#: ħc = 197.3269804 MeV fm (CODATA 2018, exact given the SI 2019 definitions), via hepunits.
hbar_c: float = _hep.hbarc / (hepunits.MeV * hepunits.fermi) * MeV * fm
#: (ħc)², the conversion from MeV⁻² to area.
hbar_c_squared: float = hbar_c**2
#: Speed of light, c = 299792458 m/s (exact, SI), via hepunits; internal length per time.
speed_of_light: float = _hep.c_light / (hepunits.cm / hepunits.ns) * cm / ns
#: Fine-structure constant α = 7.2973525693(11)e-3 (CODATA 2018, E. Tiesinga et al.,
#: Rev. Mod. Phys. 93, 025010 (2021)).
fine_structure_constant: float = 7.2973525693e-3
#: Atomic mass unit, u c² = 931.49410242(28) MeV (CODATA 2018, same reference).
atomic_mass_unit: float = 931.49410242 * MeV
#: Avogadro constant, 6.02214076e23 mol⁻¹ (exact, SI 2019), via hepunits.
avogadro: float = _hep.Avogadro * hepunits.mole

# --- PDG -------------------------------------------------------------------------------
#: Fermi coupling constant G_F/(ħc)³ = 1.1663788(6)e-5 GeV⁻² (PDG 2024, Physical
#: Constants table; MuLan muon lifetime). Units: energy⁻².
fermi_constant: float = 1.1663788e-5 / GeV**2


# Looked up by PDG Monte Carlo number (Particle.from_pdgid is a direct look-up; from_name
# scans the table).
def pdg_mass(pdgid: int) -> float:
    """The mass of the particle with PDG Monte Carlo number ``pdgid``, in internal units."""
    mass = Particle.from_pdgid(pdgid).mass
    if mass is None:
        raise LookupError(f"the particle table has no mass for PDG id {pdgid}")
    return mass * MeV


def pdg_lifetime(pdgid: int) -> float:
    """The lifetime of the particle with PDG Monte Carlo number ``pdgid``, in internal units."""
    lifetime = Particle.from_pdgid(pdgid).lifetime
    if lifetime is None:
        raise LookupError(f"the particle table has no lifetime for PDG id {pdgid}")
    return lifetime * ns


#: Electron mass (PDG 2026 via particle).
electron_mass: float = pdg_mass(11)
#: Muon mass (PDG 2026 via particle).
muon_mass: float = pdg_mass(13)
#: Tau mass (PDG 2026 via particle).
tau_mass: float = pdg_mass(15)
#: Charged-pion mass (PDG 2026 via particle).
charged_pion_mass: float = pdg_mass(211)
#: Proton mass (PDG 2026 via particle).
proton_mass: float = pdg_mass(2212)
#: Neutron mass (PDG 2026 via particle).
neutron_mass: float = pdg_mass(2112)
#: W boson mass (PDG 2026 via particle).
w_boson_mass: float = pdg_mass(24)
#: Z boson mass (PDG 2026 via particle).
z_boson_mass: float = pdg_mass(23)
#: Charged-pion mean lifetime τ_π = 26.03 ns (PDG 2026 via particle).
charged_pion_lifetime: float = pdg_lifetime(211)
#: Muon mean lifetime τ_μ = 2196.98 ns (PDG 2026 via particle).
muon_lifetime: float = pdg_lifetime(-13)

#: Charged-lepton masses by neutrino flavour name.
lepton_mass_by_flavor: dict[str, float] = {
    "e": electron_mass,
    "mu": muon_mass,
    "tau": tau_mass,
}

#: Named values of sin²θ_W; see the module docstring for their sources.
WEAK_MIXING_ANGLE_VALUES: dict[str, float] = {
    "low-energy": 0.23868,
    "mz-msbar": 0.23129,
    "on-shell": 0.22339,
}
#: The default: the low-energy MS-bar value sin²θ̂_W(0) (arXiv:1712.09146).
sin2_theta_w: float = WEAK_MIXING_ANGLE_VALUES["low-energy"]

#: Bohr magneton μ_B = e ħ / (2 m_e), in natural Heaviside-Lorentz units
#: μ_B = √(4πα) / (2 m_e) (energy⁻¹).
bohr_magneton: float = math.sqrt(4 * math.pi * fine_structure_constant) / (2 * electron_mass)
