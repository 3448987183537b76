"""Portals between the Standard Model and light dark matter χ: the mediator V.

**Vector portal** (kinetic mixing ε of a dark photon V with the photon, dark coupling
α_D = g_D²/4π). A meson M = π⁰, η decays to γV with (B. Batell, M. Pospelov and A. Ritz,
PRD 80, 095024 (2009), arXiv:0906.5614, eq. 6; used in arXiv:2110.11453)

    BR(M → γV) = 2 ε² (1 − m_V²/m_M²)³ BR(M → γγ),

the factor 2 because the two photons of M → γγ are identical. V decays to χχ̄
(on shell, m_V > 2m_χ) with

    Γ(V → χχ*) = α_D m_V/12 · β³             (complex scalar χ),
    Γ(V → χχ̄)  = α_D m_V/3 · (1 + 2m_χ²/m_V²) β   (Dirac fermion χ),

β = √(1 − 4m_χ²/m_V²) (a vector of mass m coupling g to a pair: g² m/(48π) β³ and
g² m/(12π)(1 + 2μ²/m²)β); the visible width Γ(V → e⁺e⁻) = ε² α m_V/3 (…) is the
fermion formula with α_D → ε²α. The accelerator variable is Y = ε² α_D (m_χ/m_V)⁴.

**Leptophobic (baryonic) portal** (a vector V_B coupled to baryon number with α_B and
to χ with α_χ). The anomaly gives (S. Tulin, PRD 89, 114008 (2014), arXiv:1404.4370)

    BR(π⁰ → γV_B) = 2 (α_B/α) (1 − m_V²/m_π²)³ BR(π⁰ → γγ):

the quark traces tr(τ³{Q, B}) and tr(τ³{Q, Q}) are equal (both 1/3 with B = 1/3), so
only the coupling and the identical-photon factor differ. For η the same holds for a pure
octet η (tr(λ⁸{Q, B}) = tr(λ⁸{Q, Q})), used here; η–η′ mixing changes it at the tens of
per cent level (documented difference). BR(V_B → χχ̄) = 1 (α_χ ≫ α_B assumed).

**π⁻ capture at rest**, π⁻p → nV against π⁻p → nγ: the ratio is taken as ε² p_V/p_γ
(same matrix element, two-body phase space ∝ momentum), with
p = [(s − (m_n + m_V)²)(s − (m_n − m_V)²)]^{1/2}/(2√s), √s = m_π⁻ + m_p; it tends to ε²
for m_V → 0 and vanishes at threshold. An approximation (longitudinal V ignored).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cevns.beamdump.mesons import (
    ETA_GAMMA_GAMMA,
    ETA_MASS,
    NEUTRON_MASS,
    PI0_GAMMA_GAMMA,
    PI0_MASS,
    PION_CHARGED_MASS,
    PROTON_MASS,
)
from cevns.constants import fine_structure_constant
from cevns.errors import CevnsInputError, require_choice
from cevns.units import MeV

PORTALS = ("vector", "leptophobic")
DARK_MATTER_SPINS = ("scalar", "fermion")
#: Mesons whose decays M → γV make mediators, with (mass, BR(M → γγ)).
MESONS: dict[str, tuple[float, float]] = {
    "pi0": (PI0_MASS, PI0_GAMMA_GAMMA),
    "eta": (ETA_MASS, ETA_GAMMA_GAMMA),
}


def _check_number(name: str, value: float, *, positive: bool, unit: str = "") -> float:
    value = float(value)
    if not math.isfinite(value):
        raise CevnsInputError(f"{name} must be a finite number; got {value!r}")
    if positive and value <= 0:
        raise CevnsInputError(f"{name} must be > 0{unit}; got {value:g}")
    if not positive and value < 0:
        raise CevnsInputError(f"{name} must be >= 0{unit}; got {value:g}")
    return value


@dataclass(frozen=True)
class DarkSector:
    """One model point: portal, χ spin, masses and couplings.

    ``coupling`` is ε (vector portal) or α_B (leptophobic); ``dark_coupling`` α_D (or α_χ).
    Masses in internal energy units. An on-shell mediator (the default) must satisfy
    m_V > 2m_χ and be lighter than the heaviest meson that makes it (η); with
    ``off_shell`` the decay M → γχχ̄ goes through V* of any mass (see
    :meth:`off_shell_density`) and only 2m_χ < m_η is required. Anything else is refused
    in one line.
    """

    mediator_mass: float
    dark_matter_mass: float
    coupling: float = 1e-4
    dark_coupling: float = 0.5
    portal: str = "vector"
    spin: str = "scalar"
    off_shell: bool = False

    def __post_init__(self) -> None:
        require_choice("portal", self.portal, PORTALS)
        require_choice("dark-matter spin", self.spin, DARK_MATTER_SPINS)
        m_chi = _check_number("m_chi", self.dark_matter_mass / MeV, positive=True, unit=" MeV")
        m_v = _check_number("m_V", self.mediator_mass / MeV, positive=True, unit=" MeV")
        name = "epsilon" if self.portal == "vector" else "alpha_B"
        _check_number(name, self.coupling, positive=False)
        _check_number("alpha_D", self.dark_coupling, positive=False)
        if self.off_shell:
            if 2.0 * m_chi >= ETA_MASS / MeV:
                raise CevnsInputError(
                    f"m_chi = {m_chi:g} MeV is beyond the mesons' reach: pairs need "
                    f"2 m_chi < m_eta = {ETA_MASS / MeV:.1f} MeV"
                )
            return
        if m_v <= 2.0 * m_chi:
            raise CevnsInputError(
                f"m_V = {m_v:g} MeV: an on-shell mediator needs m_V > 2 m_chi = {2 * m_chi:g} MeV"
            )
        if m_v >= ETA_MASS / MeV:
            raise CevnsInputError(
                f"m_V = {m_v:g} MeV is beyond the mesons' reach: pi0 and eta decays make "
                f"mediators lighter than m_eta = {ETA_MASS / MeV:.1f} MeV"
            )

    @property
    def y(self) -> float:
        """Y = ε² α_D (m_χ/m_V)⁴ (vector portal) or α_B α_χ (m_χ/m_V)⁴ by analogy."""
        strength = self.coupling**2 if self.portal == "vector" else self.coupling
        return strength * self.dark_coupling * (self.dark_matter_mass / self.mediator_mass) ** 4

    def meson_branching_ratio(self, meson: str) -> float:
        """BR(M → γV) for M = ``"pi0"`` or ``"eta"``; 0 if m_V ≥ m_M."""
        mass, gamma_gamma = MESONS[require_choice("meson", meson, MESONS)]
        return meson_to_gamma_v(self.mediator_mass, mass, gamma_gamma, self.portal, self.coupling)

    def total_width(self) -> float:
        """Γ_V at m_V: Γ(V → χχ̄) + Γ(V → e⁺e⁻) (vector portal) or Γ(V → χχ̄)."""
        chi = mediator_width(self.mediator_mass, self.dark_matter_mass, self.dark_coupling,
                             self.spin)  # fmt: skip
        if self.portal != "vector":
            return chi
        from cevns.constants import electron_mass

        alpha_ee = self.coupling**2 * fine_structure_constant
        return chi + mediator_width(self.mediator_mass, electron_mass, alpha_ee, "fermion")

    def off_shell_density(self, meson: str, s: np.ndarray) -> np.ndarray:
        """dBR(M → γχχ̄)/ds at pair mass² s, through V* (propagator factorisation):

            dBR/ds = BR(M → γV)|_{m_V² → s} · √s Γ(V* → χχ̄)(√s) / (π [(s − m_V²)² + m_V² Γ_V²]),

        with BR(M → γV) and Γ(V → χχ̄) of this module at mass √s. In the narrow-width limit
        (m_V > 2m_χ, Γ_V ≪ m_V) its integral is BR(M → γV) · BR(V → χχ̄)."""
        mass, gamma_gamma = MESONS[require_choice("meson", meson, MESONS)]
        s = np.asarray(s, dtype=float)
        root = np.sqrt(s)
        production = np.array([meson_to_gamma_v(r, mass, gamma_gamma, self.portal,
                                                self.coupling) for r in root])  # fmt: skip
        width = np.array([mediator_width(r, self.dark_matter_mass, self.dark_coupling,
                                         self.spin) for r in root])  # fmt: skip
        m2 = self.mediator_mass**2
        gamma = self.total_width()
        return production * root * width / (math.pi * ((s - m2) ** 2 + m2 * gamma**2))

    def capture_ratio(self) -> float:
        """Γ(π⁻p → nV)/Γ(π⁻p → nγ) ≈ ε² p_V/p_γ (vector portal; 0 for leptophobic, whose
        V_B does not replace the photon of radiative capture at this order)."""
        if self.portal != "vector":
            return 0.0
        return self.coupling**2 * capture_momentum(self.mediator_mass) / capture_momentum(0.0)

    def invisible_fraction(self) -> float:
        """BR(V → χχ̄) = Γ_χ/(Γ_χ + Γ_ee) (vector portal); 1 for the leptophobic portal."""
        if self.portal != "vector":
            return 1.0
        chi = mediator_width(self.mediator_mass, self.dark_matter_mass, self.dark_coupling,
                             self.spin)  # fmt: skip
        from cevns.constants import electron_mass

        ee = mediator_width(self.mediator_mass, electron_mass,
                            self.coupling**2 * fine_structure_constant, "fermion")  # fmt: skip
        total = chi + ee
        return chi / total if total > 0 else 0.0


def meson_to_gamma_v(
    mediator_mass: float, meson_mass: float, gamma_gamma: float, portal: str, coupling: float
) -> float:
    """BR(M → γV): 2ε²(1 − m_V²/m_M²)³ BR(γγ) (vector) or 2(α_B/α)(1 − m_V²/m_M²)³ BR(γγ)
    (leptophobic); 0 at and above m_V = m_M."""
    if mediator_mass >= meson_mass:
        return 0.0
    strength = coupling**2 if portal == "vector" else coupling / fine_structure_constant
    return 2.0 * strength * (1.0 - (mediator_mass / meson_mass) ** 2) ** 3 * gamma_gamma


def mediator_width(mediator_mass: float, daughter_mass: float, alpha: float, spin: str) -> float:
    """Γ(V → χχ̄) for coupling ``alpha``: α m β³/12 (complex scalar) or
    α m (1 + 2μ²/m²) β/3 (Dirac fermion), β² = 1 − 4μ²/m²; 0 below threshold."""
    ratio = (daughter_mass / mediator_mass) ** 2
    if ratio >= 0.25:
        return 0.0
    beta = math.sqrt(1.0 - 4.0 * ratio)
    if spin == "scalar":
        return alpha * mediator_mass * beta**3 / 12.0
    return alpha * mediator_mass * (1.0 + 2.0 * ratio) * beta / 3.0


def capture_momentum(mediator_mass: float) -> float:
    """Momentum of V (or γ for m_V = 0) in π⁻p → nV at rest (two-body kinematics)."""
    root_s = PION_CHARGED_MASS + PROTON_MASS
    s = root_s**2
    a = s - (NEUTRON_MASS + mediator_mass) ** 2
    b = s - (NEUTRON_MASS - mediator_mass) ** 2
    return float(np.sqrt(max(a * b, 0.0)) / (2.0 * root_s))


def two_body_momentum(parent: float, first: float, second: float) -> float:
    """|p| of either daughter in the rest frame of ``parent`` → ``first`` + ``second``."""
    a = parent**2 - (first + second) ** 2
    b = parent**2 - (first - second) ** 2
    return float(np.sqrt(max(a * b, 0.0)) / (2.0 * parent))


#: Annihilation cross section for the observed relic density of a non-self-conjugate
#: particle (complex scalar, Dirac fermion), ⟨σv⟩ = 4.4 × 10⁻²⁶ cm³ s⁻¹: twice the
#: 2.2 × 10⁻²⁶ of a self-conjugate one (G. Steigman, B. Dasgupta and J. F. Beacom,
#: PRD 86, 023506 (2012), arXiv:1204.3622).
RELIC_SIGMA_V_CM3_S: float = 4.4e-26
#: Freeze-out x_f = m/T_f = 20 (E. W. Kolb and M. S. Turner, The Early Universe (1990),
#: ch. 5); at MeV masses x_f is nearer 15, which lowers the p-wave (scalar) line by 25 %.
FREEZE_OUT_X: float = 20.0


def relic_y(dark_matter_mass: float, ratio: float = 3.0, spin: str = "scalar") -> float:
    """Y = ε²α_D(m_χ/m_V)⁴ that gives the observed relic density by χχ̄ → V* → e⁺e⁻.

    σv_rel = (8π/3) ε²αα_D v² m_χ²/(m_V² − 4m_χ²)² (complex scalar, p-wave) or
    16π ε²αα_D m_χ²/(m_V² − 4m_χ²)² (Dirac fermion, s-wave): the crossed e⁺e⁻ → π⁺π⁻
    and e⁺e⁻ → μ⁺μ⁻ cross sections with the photon propagator replaced by the massive V.
    The s-wave value is set to :data:`RELIC_SIGMA_V_CM3_S`; a p-wave b v² gives the same
    abundance as an s-wave 3b/x_f (the freeze-out integral ∫⟨σv⟩dx/x² with ⟨v²⟩ = 6/x),
    so b = ⟨σv⟩ x_f/3. Thresholds of other channels are ignored, and the formula fails
    near the resonance m_V ≈ 2m_χ (thermal averaging of the pole is not done).
    """
    from cevns.constants import hbar_c_squared, speed_of_light
    from cevns.units import cm, s

    require_choice("dark-matter spin", spin, DARK_MATTER_SPINS)
    sigma_v = RELIC_SIGMA_V_CM3_S * cm**3 / s / (hbar_c_squared * speed_of_light)  # energy⁻²
    r4 = ratio**4
    denominator = (ratio**2 - 4.0) ** 2  # (m_V² − 4m_χ²)²/m_χ⁴
    if spin == "scalar":
        b = sigma_v * FREEZE_OUT_X / 3.0
        return (
            b
            * dark_matter_mass**2
            * denominator
            / (8.0 * math.pi / 3.0 * fine_structure_constant * r4)
        )
    return (
        sigma_v
        * dark_matter_mass**2
        * denominator
        / (16.0 * math.pi * fine_structure_constant * r4)
    )


__all__ = [
    "DARK_MATTER_SPINS",
    "FREEZE_OUT_X",
    "MESONS",
    "PORTALS",
    "RELIC_SIGMA_V_CM3_S",
    "DarkSector",
    "capture_momentum",
    "mediator_width",
    "meson_to_gamma_v",
    "relic_y",
    "two_body_momentum",
]
