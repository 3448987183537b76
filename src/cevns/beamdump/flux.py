"""Dark matter χ from meson decays in the target, as seen by a detector.

Seeded Monte Carlo of the decay chain, all decays isotropic in the parent's rest frame:

1. mesons M (π⁰, η) with lab momenta and polar angles from
   :class:`~cevns.beamdump.mesons.BurmanSmith`, uniform azimuth;
2. M → γV: |p*_V| = (m_M² − m_V²)/(2m_M) in the M frame, isotropic;
3. V → χχ̄: |p*_χ| = √(m_V²/4 − m_χ²) in the V frame. V from M → γV is transverse
   (helicity ±1 along its direction in the M frame), so χ follow sin²θ* (complex scalar)
   or (1 + cos²θ*) + (4m_χ²/m_V²) sin²θ* (Dirac fermion) about that axis
   (:func:`polarized_cosines`); χ are boosted V frame → M frame → lab, so the helicity
   axis is exact (no Wigner rotation is skipped);
4. π⁻p → nV at rest: V with the fixed momentum of
   :func:`~cevns.beamdump.portals.capture_momentum`, decaying isotropically (its
   polarisation is not modelled).

Each χ carries the weight yield × BR(M → γV) × BR(V → χχ̄) × P(decay before absorption)
/ (mesons drawn), two χ per mediator, so that the weights sum to χ per POT.

The flux at a detector at distance L and polar angle θ_d from the beam is azimuthally
symmetric about the beam, so it is estimated from the χ within a band |θ − θ_d| < Δ
(a cone for θ_d < Δ): dN/dΩ = Σ w / (2π [cos(θ_d − Δ) − cos(θ_d + Δ)]), and the flux
per POT is (dN/dΩ)/L² — the band's energy distribution is the spectrum at the detector.
Lorentz boost of a rest-frame momentum (e*, q*) by velocity β = p/E:
E = γ(e* + β·q*), q = q* + [(γ − 1)(β̂·q*) + γβ e*] β̂.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cevns.beamdump.mesons import (
    ETA_LIFETIME,
    ETA_MASS,
    MERCURY_INTERACTION_LENGTH,
    PI0_LIFETIME,
    PI0_MASS,
    BurmanSmith,
    MesonYields,
    decay_fraction,
)
from cevns.beamdump.portals import DarkSector, capture_momentum
from cevns.constants import speed_of_light
from cevns.errors import CevnsInputError, require_positive
from cevns.units import m as metre

#: Default Monte Carlo size (mesons per production channel) and seed.
DEFAULT_MESONS = 200_000
DEFAULT_SEED = 2026
#: Half-width of the polar-angle band that estimates dN/dΩ at the detector.
DEFAULT_BAND = math.radians(10.0)


def _isotropic(count: int, rng: np.random.Generator) -> np.ndarray:
    cos_t = rng.uniform(-1.0, 1.0, count)
    phi = rng.uniform(0.0, 2.0 * math.pi, count)
    sin_t = np.sqrt(1.0 - cos_t**2)
    return np.stack([sin_t * np.cos(phi), sin_t * np.sin(phi), cos_t], axis=1)


def boost(energy: np.ndarray, momentum: np.ndarray, parent_energy: np.ndarray,
          parent_momentum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Rest-frame four-momenta (``energy``, ``momentum`` (n, 3)) boosted to the frame where
    the parent has (``parent_energy``, ``parent_momentum``)."""
    beta = parent_momentum / parent_energy[:, None]
    b2 = np.sum(beta**2, axis=1)
    gamma = 1.0 / np.sqrt(np.maximum(1.0 - b2, 1e-300))
    bq = np.sum(beta * momentum, axis=1)
    factor = np.where(b2 > 0, (gamma - 1.0) * bq / np.where(b2 > 0, b2, 1.0), 0.0)
    lab_momentum = momentum + (factor + gamma * energy)[:, None] * beta
    return gamma * (energy + bq), lab_momentum


def polarized_cosines(
    count: int, spin: str, mass_ratio_squared: float | np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """cos θ* of χ about the helicity axis of a transversely polarised V (helicity ±1):
    ∝ sin²θ* for complex scalars, ∝ (1 + cos²θ*) + (4m_χ²/m_V²) sin²θ* for Dirac fermions
    (from |ε·(p₁ − p₂)|² and the trace 4[(ε·p₁)(ε*·p₂) + (ε·p₂)(ε*·p₁) − (ε·ε*)(p₁·p₂ + m²)]
    with circular ε), drawn by rejection; ``mass_ratio_squared`` = 4m_χ²/m_V² (one value,
    or one per draw)."""
    r = np.broadcast_to(np.asarray(mass_ratio_squared, dtype=float), (count,))
    out = np.empty(count)
    pending = np.arange(count)
    while pending.size:
        c = rng.uniform(-1.0, 1.0, pending.size)
        if spin == "scalar":
            accept = rng.random(c.size) < 1.0 - c * c
        else:
            ratio = r[pending]
            accept = rng.random(c.size) * 2.0 < (1.0 + c * c) + ratio * (1.0 - c * c)
        out[pending[accept]] = c[accept]
        pending = pending[~accept]
    return out


def _around(axis: np.ndarray, cosine: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors at polar angle arccos(``cosine``) about the unit vectors ``axis``,
    uniform in azimuth."""
    helper = np.where(np.abs(axis[:, 2:3]) < 0.9, [[0.0, 0.0, 1.0]], [[1.0, 0.0, 0.0]])
    first = np.cross(axis, helper)
    first /= np.linalg.norm(first, axis=1)[:, None]
    second = np.cross(axis, first)
    phi = rng.uniform(0.0, 2.0 * math.pi, axis.shape[0])
    sine = np.sqrt(np.maximum(1.0 - cosine**2, 0.0))
    return (cosine[:, None] * axis + sine[:, None] * (np.cos(phi)[:, None] * first
            + np.sin(phi)[:, None] * second))  # fmt: skip


def _off_shell_masses(
    sector: DarkSector, meson: str, meson_mass: float, count: int, rng: np.random.Generator
) -> tuple[float, np.ndarray]:
    """∫ dBR(M → γχχ̄)/ds ds and ``count`` pair masses √s drawn from it (inverse CDF on a
    grid dense near the pole)."""
    low, high = (2.0 * sector.dark_matter_mass) ** 2, meson_mass**2
    if low >= high:
        return 0.0, np.empty(0)
    grid = low + (high - low) * np.concatenate(([0.0], np.geomspace(1e-8, 1.0, 3000)))
    m2, width = sector.mediator_mass**2, sector.total_width() * sector.mediator_mass
    if low < m2 < high and width > 0:
        pole = m2 + width * np.tan(np.linspace(-1.55, 1.55, 2001))
        grid = np.unique(np.concatenate((grid, pole[(pole > low) & (pole < high)])))
    density = sector.off_shell_density(meson, grid)
    cumulative = np.concatenate(([0.0], np.cumsum(0.5 * (density[1:] + density[:-1])
                                                  * np.diff(grid))))  # fmt: skip
    total = float(cumulative[-1])
    if not total > 0:
        return 0.0, np.empty(0)
    s = np.interp(rng.random(count) * total, cumulative, grid)
    return total, np.sqrt(s)


@dataclass(frozen=True)
class DarkMatterSample:
    """χ in the lab: total energies, polar angles and weights (χ per POT each)."""

    energies: np.ndarray
    cos_theta: np.ndarray
    weights: np.ndarray
    mass: float

    @property
    def total(self) -> float:
        """χ per POT over all directions."""
        return float(np.sum(self.weights))


def simulate(
    sector: DarkSector,
    yields: MesonYields | None = None,
    mesons: int = DEFAULT_MESONS,
    seed: int = DEFAULT_SEED,
    production: BurmanSmith | None = None,
    polarized: bool = True,
) -> DarkMatterSample:
    """χ from π⁰ and η decays in flight and π⁻ capture at rest (see the module docstring);
    ``polarized`` = False decays V isotropically."""
    yields = yields or MesonYields()
    production = production or BurmanSmith()
    rng = np.random.default_rng(seed)
    m_v, m_chi = sector.mediator_mass, sector.dark_matter_mass
    invisible = sector.invisible_fraction()
    energies, cosines, weights = [], [], []

    def chain(v_mass, v_energy, v_momentum, axis, frame_energy, frame_momentum, weight,
              polarized):  # fmt: skip
        """χχ̄ from V of mass ``v_mass`` (per event) with (``v_energy``, ``v_momentum``) in
        a frame that moves with (``frame_energy``, ``frame_momentum``) in the lab; ``axis``:
        V's helicity axis."""
        count = v_energy.size
        q_chi = np.sqrt(np.maximum(0.25 * v_mass**2 - m_chi**2, 0.0))
        if polarized:
            cosine = polarized_cosines(count, sector.spin, 4.0 * (m_chi / v_mass) ** 2, rng)
            direction = _around(axis, cosine, rng)
        else:
            direction = _isotropic(count, rng)
        e_star = 0.5 * v_mass
        for sign in (1.0, -1.0):
            e, p = boost(e_star, sign * q_chi[:, None] * direction, v_energy, v_momentum)
            if frame_energy is not None:
                e, p = boost(e, p, frame_energy, frame_momentum)
            energies.append(e)
            cosines.append(p[:, 2] / np.maximum(np.linalg.norm(p, axis=1), 1e-300))
            weights.append(weight)

    for meson, mass, lifetime, per_pot in (
        ("pi0", PI0_MASS, PI0_LIFETIME, yields.pi0),
        ("eta", ETA_MASS, ETA_LIFETIME, yields.eta),
    ):
        if per_pot <= 0:
            continue
        if sector.off_shell:
            branching, v_mass = _off_shell_masses(sector, meson, mass, mesons, rng)
        else:
            branching = sector.meson_branching_ratio(meson) * invisible
            v_mass = np.full(mesons, m_v)
        if branching <= 0:
            continue
        momentum, theta = production.sample(mesons, mass, rng)
        phi = rng.uniform(0.0, 2.0 * math.pi, mesons)
        p_vec = momentum[:, None] * np.stack(
            [np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)], axis=1
        )
        e_meson = np.sqrt(momentum**2 + mass**2)
        # V in the meson's rest frame (its direction there is the helicity axis)
        q_v = (mass**2 - v_mass**2) / (2.0 * mass)
        axis = _isotropic(mesons, rng)
        v_energy = np.sqrt(q_v**2 + v_mass**2)
        survive = decay_fraction(momentum, mass, lifetime, MERCURY_INTERACTION_LENGTH)
        weight = per_pot * branching * survive / mesons
        chain(v_mass, v_energy, q_v[:, None] * axis, axis, e_meson, p_vec, weight, polarized)
    ratio = sector.capture_ratio()
    if yields.pi_minus_radiative_captures > 0 and ratio > 0:
        q = capture_momentum(m_v)
        direction = _isotropic(mesons, rng)
        v_energy = np.full(mesons, math.sqrt(q * q + m_v * m_v))
        weight = np.full(mesons, yields.pi_minus_radiative_captures * ratio * invisible / mesons)
        v_mass = np.full(mesons, m_v)
        chain(v_mass, v_energy, q * direction, direction, None, None, weight, False)
    if not energies:
        return DarkMatterSample(np.empty(0), np.empty(0), np.empty(0), m_chi)
    return DarkMatterSample(
        np.concatenate(energies), np.concatenate(cosines), np.concatenate(weights), m_chi
    )


@dataclass(frozen=True)
class DarkMatterFlux:
    """χ reaching a detector: energies and weights as χ per POT per area (internal units),
    and the mean arrival delay after a light-speed particle (L/c)(1/β − 1)."""

    energies: np.ndarray
    weights: np.ndarray
    mass: float
    distance: float
    angle: float
    mean_delay: float

    @property
    def per_pot_per_area(self) -> float:
        return float(np.sum(self.weights))

    @property
    def relative_error(self) -> float:
        """Monte Carlo relative error of the flux, √(Σw²)/Σw (the two χ of a pair are
        counted as independent, a slight underestimate)."""
        total = float(np.sum(self.weights))
        return float(np.sqrt(np.sum(self.weights**2)) / total) if total > 0 else float("inf")


def flux_at_detector(
    sample: DarkMatterSample, distance: float, angle: float, band: float = DEFAULT_BAND
) -> DarkMatterFlux:
    """The χ flux per POT at ``distance`` and polar ``angle`` (rad) from the beam axis,
    from the χ of ``sample`` within ±``band`` of that angle (see the module docstring)."""
    require_positive("detector distance", distance, "internal length units")
    if not 0.0 <= angle <= math.pi:
        raise CevnsInputError(
            f"detector angle must be in [0, 180] degrees; got {math.degrees(angle):g}"
        )
    low, high = max(angle - band, 0.0), min(angle + band, math.pi)
    theta = np.arccos(np.clip(sample.cos_theta, -1.0, 1.0))
    inside = (theta >= low) & (theta <= high)
    solid_angle = 2.0 * math.pi * (math.cos(low) - math.cos(high))
    energies = sample.energies[inside]
    weights = sample.weights[inside] / solid_angle / distance**2
    if weights.size and np.sum(weights) > 0:
        beta = np.sqrt(np.maximum(1.0 - (sample.mass / energies) ** 2, 1e-12))
        delay = float(np.average(distance / speed_of_light * (1.0 / beta - 1.0), weights=weights))
    else:
        delay = 0.0
    return DarkMatterFlux(energies, weights, sample.mass, distance, angle, delay)


#: Detector positions: distance, polar angle from the beam. CsI[Na] in Neutrino Alley,
#: 19.3 m (arXiv:2110.07730) at ≈ 90° (arXiv:2110.11453); COH-Ar-750 at the CENNS-10
#: location, 27.5 m (arXiv:2006.12659), taken at 90° like the rest of Neutrino Alley (an
#: assumption); a 10 t argon detector on axis at the Second Target Station, 20 m, 0°
#: (seeds/001; the on-axis study of arXiv:1911.06422).
DETECTOR_POSITIONS: dict[str, tuple[float, float]] = {
    "csi-neutrino-alley": (19.3 * metre, math.radians(90.0)),
    "ar-750-neutrino-alley": (27.5 * metre, math.radians(90.0)),
    "argon-sts-on-axis": (20.0 * metre, 0.0),
}
#: The position of each experiment document's detector.
EXPERIMENT_POSITIONS: dict[str, str] = {
    "coherent-csi-2021": "csi-neutrino-alley",
    "coherent-ar-750": "ar-750-neutrino-alley",
    "sts-ar-10t": "argon-sts-on-axis",
}


__all__ = [
    "DEFAULT_BAND",
    "DEFAULT_MESONS",
    "DEFAULT_SEED",
    "DETECTOR_POSITIONS",
    "EXPERIMENT_POSITIONS",
    "DarkMatterFlux",
    "DarkMatterSample",
    "boost",
    "flux_at_detector",
    "polarized_cosines",
    "simulate",
]
