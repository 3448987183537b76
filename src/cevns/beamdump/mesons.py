"""Neutral mesons and stopped π⁻ from ~1 GeV protons on the SNS mercury target.

**Yields per proton on target (POT).** Every number names its source here and in
``docs/accelerator-dark-matter.md``:

* π⁰: :data:`PI0_PER_POT` = 0.09, the SNS card of the BdNMC generator
  (P. deNiverville et al., arXiv:1609.01770; repository pgdeniverville/BdNMC,
  ``par_writer.py``, ``coherent_default``: ``pi0_per_POT`` 0.09 at ``beam_energy`` 1.01 GeV,
  Burman–Smith shape on Z = 80), read there in this work. The 0.06 used before this
  revision is the card's *LSND* value (``lsnd_default``, 0.8 GeV protons), not the SNS one:
  the SNS events per Y² rise by 1.5 with the correction. ``--pi0-per-pot`` changes it;
  Y limits scale as yield^(−1/2).
* π⁻ captured at rest: :data:`PI_MINUS_CAPTURES_PER_POT` = 0.63 per π⁰ (the same card's
  ``meson_per_pi0_coherent``), i.e. 0.057; π⁻ that stop are captured (> 99 %,
  arXiv:2109.11049). Only the radiative captures (π⁻p → nγ, with γ replaced by V) make
  mediators: :data:`PI_MINUS_RADIATIVE_CAPTURES_PER_POT` = captures × 1/(1 + P) with the
  Panofsky ratio P = 1.546 of capture on hydrogen (Spuller et al. 1977), i.e. 0.022 per POT.
  This is the hydrogen-like convention of the reference modelling — BdNMC's
  ``piminus_capture`` channel of the same card takes ½ of the captures as radiative (its
  ``piminus_capture_gen``: "photon production only occurs half the time") — and likely an
  overestimate for capture on mercury nuclei rather than free protons (no mercury value was
  found in the sources read). ``--pi-minus-captures`` sets the radiative captures per POT
  (0 removes the channel).
* η: :data:`ETA_PER_POT` = 1.0 × 10⁻³. At T_p ≈ 1 GeV the beam is below the free
  pp → ppη threshold (T_p = 1.255 GeV, from (2m_p + m_η)² = 2m_p² + 2m_p E_p), η come only
  from Fermi motion and multi-step processes, and no simulated SNS η yield could be read in
  this work (BdNMC's SNS card has no η channel). The default is the *effective* yield that
  COHERENT's own leptophobic limit implies (arXiv:2205.12414, figure for scalar χ,
  α_χ = 0.5, as digitised in noctildon/lightDM ``limits/2205.12414/COHERENT CsI.csv``,
  checked against the figure): with it this chain gives α_B limits within 2 % of the
  published ones at m_V = 163 and 198 MeV, where only η make mediators (η/π⁰ ≈ 0.011;
  ``docs/accelerator-dark-matter.md``, "η yield"). It is an inferred input, not a
  measurement: limits for m_V > m_π⁰ scale as (η yield)^(−1/2), and a comparison with
  COHERENT's curves above m_π⁰ tests the consistency of its two papers under this
  modelling, not the η yield itself.

**Momentum–angle distribution.** The π⁰ double-differential distribution is the
Burman–Smith parametrisation of pion production by 585–800 MeV protons
(R. L. Burman and E. S. Smith, Los Alamos report LA-11502-MS (1989); its parameters as
implemented in the BdNMC generator, P. deNiverville et al., arXiv:1609.01770, which
uses it for π⁰ at LANSCE and COHERENT as the isospin average of π⁺ and π⁻):

    d²N/(dT dΩ) ∝ A(θ) exp[−(T − T̄(θ))²/(2σ(θ)²)] / (1 + exp[(T − T_F)/B]),

with T̄(θ) = 48 + 330 exp(−θ/θ_A) MeV, σ(θ) = σ_A exp(−θ/85°), θ in degrees, the
Fermi-like cut-off T_F = T_p − 140 MeV − 2B, B = 25 MeV, and θ_A, σ_A linear in T_p
between their 585 and 730 MeV values (Z > 8: θ_A = 26.0°, 29.9°; σ_A = 135, 166 MeV).
A(θ) is a quadratic B-spline on knots (0, 0, 0, 30, 70, 180, 180, 180)° with amplitudes
a₀ = min(27, 27 − 4((730 − T_p)/145)²), a₁ = 18.2, a₂ = 8, a₃ = 13 + (Z − 12)/10,
a₄ = 9 + (Z − 12)/10 − (T_p − 685)/20 (T_p in MeV). Only the shape is used; the yield
normalises it. At the SNS's 1 GeV this is an extrapolation above the fitted range (as in
BdNMC's COHERENT runs); the same shape in kinetic energy is used for η (an assumption).

**Decay before absorption.** A meson of momentum p travels βγcτ = pcτ/m before decaying;
with absorption length λ the fraction that decays first is 1 − exp(−λ m/(p cτ))
(:func:`decay_fraction`). For π⁰ (cτ = 25.3 nm) and η (cτ = 0.15 nm) it is 1 to better
than 10⁻⁵ for λ ≈ 15 cm (:data:`MERCURY_INTERACTION_LENGTH`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cevns.constants import (
    charged_pion_mass,
    neutron_mass,
    pdg_lifetime,
    pdg_mass,
    proton_mass,
)
from cevns.errors import CevnsInputError, require_non_negative, require_positive
from cevns.units import MeV, cm

#: π⁰ mass and lifetime (PDG 2026 via particle).
PI0_MASS: float = pdg_mass(111)
PI0_LIFETIME: float = pdg_lifetime(111)
#: η mass and lifetime (PDG 2026 via particle; lifetime from the total width 1.31 keV).
ETA_MASS: float = pdg_mass(221)
ETA_LIFETIME: float = pdg_lifetime(221)
#: Charged-pion, proton and neutron masses: those of :mod:`cevns.constants`.
PION_CHARGED_MASS: float = charged_pion_mass
PROTON_MASS: float = proton_mass
NEUTRON_MASS: float = neutron_mass

#: BR(π⁰ → γγ) = 0.98823 (PDG 2024, π⁰ listing).
PI0_GAMMA_GAMMA: float = 0.98823
#: BR(η → γγ) = 0.3936 (PDG 2024, η listing).
ETA_GAMMA_GAMMA: float = 0.3936

#: π⁰ per POT at the SNS: BdNMC's SNS card (arXiv:1609.01770; ``coherent_default``).
PI0_PER_POT: float = 0.09
#: π⁻ captured at rest per POT: 0.63 per π⁰ (same card), i.e. 0.057.
PI_MINUS_CAPTURES_PER_POT: float = 0.63 * PI0_PER_POT
#: Panofsky ratio P = σ(π⁻p → π⁰n)/σ(π⁻p → nγ) at rest in hydrogen, 1.546 ± 0.009
#: (J. Spuller et al., Phys. Lett. B 67, 479 (1977)).
PANOFSKY_RATIO: float = 1.546
#: Radiative π⁻ captures per POT: captures × 1/(1 + P) (hydrogen-like; see the docstring).
PI_MINUS_RADIATIVE_CAPTURES_PER_POT: float = PI_MINUS_CAPTURES_PER_POT / (1.0 + PANOFSKY_RATIO)
#: η per POT at the SNS: the effective yield implied by arXiv:2205.12414 (see the docstring).
ETA_PER_POT: float = 1.0e-3
#: SNS proton kinetic energy used for the production shape, 1.0 GeV (arXiv:2110.07730:
#: 0.984 GeV average for the CsI run; the shape is not sensitive to 2 %).
SNS_PROTON_KINETIC_ENERGY: float = 1000.0 * MeV
#: Atomic number of mercury.
MERCURY_Z: int = 80
#: Nuclear interaction length of lead, 199.6 g cm⁻² (PDG Atomic and Nuclear Properties),
#: used for mercury (Z = 80 vs 82) with mercury's density 13.546 g cm⁻³ (same tables).
MERCURY_INTERACTION_LENGTH: float = 199.6 / 13.546 * cm

_BS_KNOTS = np.array([0.0, 0.0, 0.0, 30.0, 70.0, 180.0, 180.0, 180.0])
_BS_NORM_Z = (0.8851, -0.1015, 0.1459, -0.0265)
_BS_B = 25.0  # MeV


def _bspline(p: int, i: int, theta: np.ndarray) -> np.ndarray | float:
    """Cox–de Boor recursion for the B-spline of order ``p`` on :data:`_BS_KNOTS` (0.0 where
    both terms vanish identically)."""
    k = _BS_KNOTS
    if p == 0:
        return ((theta >= k[i]) & (theta <= k[i + 1])).astype(float)
    left = (
        0.0 if k[i + p] == k[i] else (theta - k[i]) / (k[i + p] - k[i]) * _bspline(p - 1, i, theta)
    )
    right = (
        0.0
        if k[i + p + 1] == k[i + 1]
        else (k[i + p + 1] - theta) / (k[i + p + 1] - k[i + 1]) * _bspline(p - 1, i + 1, theta)
    )
    return left + right


@dataclass(frozen=True)
class BurmanSmith:
    """Burman–Smith pion production shape d²N/(dT dΩ) (LA-11502-MS) for a nucleus of charge
    ``z`` (> 8) and proton kinetic energy ``proton_energy``; see the module docstring."""

    proton_energy: float = SNS_PROTON_KINETIC_ENERGY
    z: int = MERCURY_Z

    def __post_init__(self) -> None:
        require_positive("proton kinetic energy", self.proton_energy, "internal energy units")
        if self.z <= 8:
            raise CevnsInputError(
                f"target charge z = {self.z}: the Burman-Smith shape is implemented for "
                "nuclei with Z > 8"
            )

    def _parameters(self) -> tuple[float, float, np.ndarray, float]:
        tp = self.proton_energy / MeV
        theta_a = (29.9 * (tp - 585.0) - 26.0 * (tp - 730.0)) / 145.0
        sigma_a = (166.0 * (tp - 585.0) - 135.0 * (tp - 730.0)) / 145.0
        z = float(self.z)
        a0 = min(27.0 - 4.0 * ((730.0 - tp) / 145.0) ** 2, 27.0)
        amps = np.array([a0, 18.2, 8.0, 13.0 + (z - 12.0) / 10.0,
                         9.0 + (z - 12.0) / 10.0 - (tp - 685.0) / 20.0])  # fmt: skip
        cutoff = tp - 140.0 - 2.0 * _BS_B
        return theta_a, sigma_a, amps, cutoff

    def density(self, kinetic: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """d²N/(dT dΩ) up to normalisation; ``kinetic`` in internal energy units, ``theta``
        in radians (the parametrisation's degrees inside)."""
        theta_a, sigma_a, amps, cutoff = self._parameters()
        t = np.asarray(kinetic, dtype=float) / MeV
        deg = np.degrees(np.asarray(theta, dtype=float))
        amplitude = sum(a * _bspline(2, i, deg) for i, a in enumerate(amps))
        amplitude = np.maximum(amplitude, 0.0)
        mean = 48.0 + 330.0 * np.exp(-deg / theta_a)
        width = sigma_a * np.exp(-deg / 85.0)
        gauss = np.exp(-0.5 * ((t - mean) / width) ** 2)
        fermi = 1.0 / (1.0 + np.exp(np.clip((t - cutoff) / _BS_B, -700, 700)))
        return np.where(t >= 0, amplitude * gauss * fermi, 0.0)

    def sample(
        self, count: int, mass: float, rng: np.random.Generator, bins: int = 200
    ) -> tuple[np.ndarray, np.ndarray]:
        """``count`` mesons of ``mass``: lab momenta (internal units) and polar angles (rad),
        drawn cell by cell from the density × 2π sin θ on a (T, θ) grid, uniform in a cell."""
        t_max = self.proton_energy - PION_CHARGED_MASS
        t_edges = np.linspace(0.0, t_max, bins + 1)
        th_edges = np.linspace(0.0, math.pi, bins + 1)
        tc, thc = 0.5 * (t_edges[1:] + t_edges[:-1]), 0.5 * (th_edges[1:] + th_edges[:-1])
        weight = self.density(tc[:, None], thc[None, :]) * np.sin(thc)[None, :]
        p = weight.ravel() / weight.sum()
        cells = rng.choice(p.size, size=count, p=p)
        i, j = np.divmod(cells, bins)
        kinetic = t_edges[i] + rng.random(count) * (t_edges[1] - t_edges[0])
        theta = th_edges[j] + rng.random(count) * (th_edges[1] - th_edges[0])
        momentum = np.sqrt(kinetic * (kinetic + 2.0 * mass))
        return momentum, theta


def decay_fraction(
    momentum: np.ndarray, mass: float, lifetime: float, absorption_length: float
) -> np.ndarray:
    """Fraction of mesons of lab ``momentum`` that decay before being absorbed:
    1 − exp(−λ m / (p c τ)) (exponential decay against exponential absorption, the
    absorption treated as a sharp length λ); 1 for mesons at rest."""
    from cevns.constants import speed_of_light

    require_positive("absorption length", absorption_length, "internal length units")
    p = np.asarray(require_non_negative("momentum", momentum), dtype=float)
    with np.errstate(divide="ignore"):
        decay_length = p * speed_of_light * lifetime / mass
        ratio = np.where(p > 0, absorption_length / np.where(p > 0, decay_length, 1.0), np.inf)
    return -np.expm1(-ratio)


def radiative_capture_fraction_hydrogen(panofsky: float = PANOFSKY_RATIO) -> float:
    """BR(π⁻p → nγ) at rest on a free proton: 1/(1 + P) with the Panofsky ratio P
    (the two channels π⁰n and nγ exhaust the capture; Spuller et al. 1977)."""
    return 1.0 / (1.0 + float(require_positive("Panofsky ratio", panofsky)))


@dataclass(frozen=True)
class MesonYields:
    """Production per POT of the sources of dark photons: π⁰ and η decaying in flight, and
    π⁻ captured at rest with a radiative (nγ) fraction."""

    pi0: float = PI0_PER_POT
    eta: float = ETA_PER_POT
    pi_minus_radiative_captures: float = PI_MINUS_RADIATIVE_CAPTURES_PER_POT

    def __post_init__(self) -> None:
        for name in ("pi0", "eta", "pi_minus_radiative_captures"):
            require_non_negative(f"{name} per POT", getattr(self, name))


__all__ = [
    "ETA_GAMMA_GAMMA",
    "ETA_LIFETIME",
    "ETA_MASS",
    "ETA_PER_POT",
    "MERCURY_INTERACTION_LENGTH",
    "PANOFSKY_RATIO",
    "PI0_GAMMA_GAMMA",
    "PI0_LIFETIME",
    "PI0_MASS",
    "PI0_PER_POT",
    "PI_MINUS_CAPTURES_PER_POT",
    "PI_MINUS_RADIATIVE_CAPTURES_PER_POT",
    "BurmanSmith",
    "MesonYields",
    "decay_fraction",
    "radiative_capture_fraction_hydrogen",
]
