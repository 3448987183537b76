"""Nuclear form factors F(q), normalised to F(0) = 1, for proton and neutron densities.

Each form factor is a small frozen object called with the momentum transfer ``q``
(internal energy units; the radius enters through ``q·R/ħc``). Proton and neutron
distributions are kept separate in :class:`NuclearFormFactors`, so that a neutron radius
can be a fit parameter while the proton radius stays fixed.

Models
------
* Helm (R. H. Helm, Phys. Rev. 104, 1466 (1956)), with the parameters of Lewin & Smith
  (J. D. Lewin and P. F. Smith, Astropart. Phys. 6, 87 (1996), section 4.1):
  ``F(q) = 3 j₁(qR₀)/(qR₀) · exp(−q²s²/2)``, ``R₀² = c² + (7/3)π²a² − 5s²``,
  ``c = 1.23 A^{1/3} − 0.60 fm``, ``a = 0.52 fm``, ``s = 0.9 fm``;
  ``⟨r²⟩ = (3/5)R₀² + 3s²``.
* Klein–Nystrand (S. Klein and J. Nystrand, Phys. Rev. C 60, 014903 (1999), eq. (12)):
  a hard sphere of radius R_A = 1.2 A^{1/3} fm folded with a Yukawa of range
  a_k = 0.7 fm, ``F(q) = 3 j₁(qR_A)/(qR_A) · 1/(1 + q²a_k²)``;
  ``⟨r²⟩ = (3/5)R_A² + 6a_k²``. This is the form used by COHERENT in 2017
  (arXiv:1708.01294).
* Symmetrised Fermi (D. W. L. Sprung and J. Martorell, J. Phys. A 30, 6525 (1997);
  J. Piekarewicz et al., Phys. Rev. C 94, 034316 (2016), eq. (9)):
  ``F(q) = 3/(qc[(qc)² + (πqa)²]) · πqa/sinh(πqa) · [πqa/tanh(πqa)·sin(qc) − qc·cos(qc)]``;
  ``⟨r²⟩ = (3/5)c² + (7/5)π²a²``; defaults c = 1.23 A^{1/3} − 0.60 fm, a = 0.52 fm.
* Unity: F = 1 (full coherence).
* Dipole, for hydrogen (A = 1), whose "nucleus" is the proton itself: the nuclear models
  above describe a density of nucleons and would give the proton an rms radius of 2.0 fm
  (Helm with the Lewin–Smith parameters at A = 1). The proton's own form factors are
  dipoles, ``F(q) = (1 + q²/Λ²)⁻²`` with ``⟨r²⟩ = 12/Λ²`` (ħ = c = 1): the vector (charge)
  form factor with the CODATA 2018 proton rms charge radius r_p = 0.8414(19) fm
  (E. Tiesinga et al., Rev. Mod. Phys. 93, 025010 (2021); Λ² = 0.66 GeV², close to the
  classic dipole fit Λ² = 0.71 GeV²), and the axial form factor with the axial mass
  M_A = 1.026(21) GeV, the average of (quasi)elastic neutrino scattering (V. Bernard,
  L. Elouadrhiri and U.-G. Meißner, J. Phys. G 28, R1 (2002), hep-ph/0107088), i.e. an
  axial radius √12/M_A = 0.666 fm.
  :func:`form_factors_for` uses them for A = 1 with every model but ``none``.

Every model can also be built from a root-mean-square radius with its shape parameter
(skin thickness, Yukawa range or diffuseness) held at its default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike

from cevns.constants import hbar_c
from cevns.errors import CevnsInputError, require_choice, require_non_negative, require_positive
from cevns.units import MeV, fm

#: Names accepted by :func:`form_factors_for`.
FORM_FACTOR_MODELS = ("helm", "klein-nystrand", "symmetrized-fermi", "none")

LEWIN_SMITH_SKIN = 0.9 * fm
LEWIN_SMITH_DIFFUSENESS = 0.52 * fm
KLEIN_NYSTRAND_RANGE = 0.7 * fm

#: Proton rms charge radius, 0.8414(19) fm (CODATA 2018).
PROTON_CHARGE_RADIUS = 0.8414 * fm
#: Nucleon axial mass M_A = 1.026(21) GeV (Bernard, Elouadrhiri and Meißner 2002).
NUCLEON_AXIAL_MASS = 1026.0 * MeV


class FormFactor(Protocol):
    """A normalised form factor: ``F(q)`` with ``F(0) = 1``."""

    def __call__(self, momentum_transfer: ArrayLike) -> np.ndarray: ...

    @property
    def rms_radius(self) -> float: ...


def spherical_bessel_ratio(x: np.ndarray) -> np.ndarray:
    """``3 j₁(x)/x = 3(sin x − x cos x)/x³``, the form factor of a uniform sphere.

    A Taylor series ``1 − x²/10 + x⁴/280 − x⁶/15120`` replaces the closed form for
    ``|x| < 0.01``, where the closed form loses digits to cancellation.
    """
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < 1e-2
    safe = np.where(small, 1.0, x)
    closed = 3.0 * (np.sin(safe) - safe * np.cos(safe)) / safe**3
    x2 = x * x
    series = 1.0 - x2 / 10.0 + x2 * x2 / 280.0 - x2 * x2 * x2 / 15120.0
    return np.where(small, series, closed)


def lewin_smith_half_density_radius(mass_number: int) -> float:
    """c = 1.23 A^{1/3} − 0.60 fm (Lewin & Smith 1996, eq. 4.10)."""
    return (1.23 * mass_number ** (1.0 / 3.0) - 0.60) * fm


@dataclass(frozen=True)
class HelmFormFactor:
    """Helm form factor with box radius ``box_radius`` (R₀) and skin thickness ``skin`` (s)."""

    box_radius: float
    skin: float = LEWIN_SMITH_SKIN

    @classmethod
    def lewin_smith(cls, mass_number: int) -> HelmFormFactor:
        """Lewin–Smith parameters: R₀² = c² + (7/3)π²a² − 5s² with a = 0.52 fm, s = 0.9 fm."""
        c = lewin_smith_half_density_radius(mass_number)
        a = LEWIN_SMITH_DIFFUSENESS
        s = LEWIN_SMITH_SKIN
        return cls(box_radius=math.sqrt(c * c + (7.0 / 3.0) * math.pi**2 * a * a - 5 * s * s))

    @classmethod
    def from_rms_radius(cls, rms_radius: float, skin: float = LEWIN_SMITH_SKIN) -> HelmFormFactor:
        """R₀ = √(5/3 (⟨r²⟩ − 3s²)); the rms radius must exceed √3·s."""
        rms = float(require_positive("rms_radius", rms_radius))
        box_squared = 5.0 / 3.0 * (rms * rms - 3.0 * skin * skin)
        if box_squared <= 0:
            raise_small_radius("Helm", rms, math.sqrt(3.0) * skin)
        return cls(box_radius=math.sqrt(box_squared), skin=skin)

    @property
    def rms_radius(self) -> float:
        """√((3/5)R₀² + 3s²)."""
        return math.sqrt(0.6 * self.box_radius**2 + 3.0 * self.skin**2)

    def __call__(self, momentum_transfer: ArrayLike) -> np.ndarray:
        q = np.asarray(momentum_transfer, dtype=float) / hbar_c
        return spherical_bessel_ratio(q * self.box_radius) * np.exp(-0.5 * (q * self.skin) ** 2)


@dataclass(frozen=True)
class KleinNystrandFormFactor:
    """Klein–Nystrand form factor: a hard sphere folded with a Yukawa of range a_k."""

    sphere_radius: float
    yukawa_range: float = KLEIN_NYSTRAND_RANGE

    @classmethod
    def default(cls, mass_number: int) -> KleinNystrandFormFactor:
        """R_A = 1.2 A^{1/3} fm, a_k = 0.7 fm (Klein & Nystrand 1999)."""
        return cls(sphere_radius=1.2 * mass_number ** (1.0 / 3.0) * fm)

    @classmethod
    def from_rms_radius(
        cls, rms_radius: float, yukawa_range: float = KLEIN_NYSTRAND_RANGE
    ) -> KleinNystrandFormFactor:
        """R_A = √(5/3 (⟨r²⟩ − 6a_k²))."""
        rms = float(require_positive("rms_radius", rms_radius))
        sphere_squared = 5.0 / 3.0 * (rms * rms - 6.0 * yukawa_range**2)
        if sphere_squared <= 0:
            raise_small_radius("Klein-Nystrand", rms, math.sqrt(6.0) * yukawa_range)
        return cls(sphere_radius=math.sqrt(sphere_squared), yukawa_range=yukawa_range)

    @property
    def rms_radius(self) -> float:
        """√((3/5)R_A² + 6a_k²)."""
        return math.sqrt(0.6 * self.sphere_radius**2 + 6.0 * self.yukawa_range**2)

    def __call__(self, momentum_transfer: ArrayLike) -> np.ndarray:
        q = np.asarray(momentum_transfer, dtype=float) / hbar_c
        return spherical_bessel_ratio(q * self.sphere_radius) / (1.0 + (q * self.yukawa_range) ** 2)


@dataclass(frozen=True)
class SymmetrizedFermiFormFactor:
    """Symmetrised-Fermi form factor with half-density radius ``c`` and diffuseness ``a``."""

    half_density_radius: float
    diffuseness: float = LEWIN_SMITH_DIFFUSENESS

    @classmethod
    def default(cls, mass_number: int) -> SymmetrizedFermiFormFactor:
        """c = 1.23 A^{1/3} − 0.60 fm, a = 0.52 fm (the Lewin–Smith density parameters)."""
        return cls(half_density_radius=lewin_smith_half_density_radius(mass_number))

    @classmethod
    def from_rms_radius(
        cls, rms_radius: float, diffuseness: float = LEWIN_SMITH_DIFFUSENESS
    ) -> SymmetrizedFermiFormFactor:
        """c = √(5/3 (⟨r²⟩ − (7/5)π²a²))."""
        rms = float(require_positive("rms_radius", rms_radius))
        c_squared = 5.0 / 3.0 * (rms * rms - 1.4 * math.pi**2 * diffuseness**2)
        if c_squared <= 0:
            raise_small_radius("symmetrized-Fermi", rms, math.sqrt(1.4) * math.pi * diffuseness)
        return cls(half_density_radius=math.sqrt(c_squared), diffuseness=diffuseness)

    @property
    def rms_radius(self) -> float:
        """√((3/5)c² + (7/5)π²a²)."""
        return math.sqrt(
            0.6 * self.half_density_radius**2 + 1.4 * (math.pi * self.diffuseness) ** 2
        )

    def __call__(self, momentum_transfer: ArrayLike) -> np.ndarray:
        q = np.abs(np.asarray(momentum_transfer, dtype=float)) / hbar_c
        c, a = self.half_density_radius, self.diffuseness
        small = q * c < 1e-3
        q_safe = np.where(small, 1.0 / c, q)
        qc = q_safe * c
        pqa = math.pi * q_safe * a
        closed = (
            3.0
            / (qc * (qc**2 + pqa**2))
            * (pqa / np.sinh(pqa))
            * (pqa / np.tanh(pqa) * np.sin(qc) - qc * np.cos(qc))
        )
        series = 1.0 - (q * self.rms_radius) ** 2 / 6.0
        return np.where(small, series, closed)


@dataclass(frozen=True)
class UnityFormFactor:
    """F(q) = 1: a point-like nucleus (full coherence at every momentum transfer)."""

    @property
    def rms_radius(self) -> float:
        return 0.0

    def __call__(self, momentum_transfer: ArrayLike) -> np.ndarray:
        return np.ones_like(np.asarray(momentum_transfer, dtype=float))


@dataclass(frozen=True)
class DipoleFormFactor:
    """Dipole form factor of a nucleon, F(q) = (1 + q²/Λ²)⁻², with Λ = √12 ħc/⟨r²⟩^½."""

    dipole_mass: float

    @classmethod
    def from_rms_radius(cls, rms_radius: float) -> DipoleFormFactor:
        """Λ = √12 ħc / r, since F(q) = 1 − q²⟨r²⟩/6 + … = 1 − 2q²/Λ² + …."""
        rms = float(require_positive("rms_radius", rms_radius))
        return cls(dipole_mass=math.sqrt(12.0) * hbar_c / rms)

    @classmethod
    def proton_charge(cls) -> DipoleFormFactor:
        """The proton's charge form factor with the CODATA 2018 radius 0.8414 fm."""
        return cls.from_rms_radius(PROTON_CHARGE_RADIUS)

    @classmethod
    def nucleon_axial(cls) -> DipoleFormFactor:
        """The nucleon axial form factor, Λ = M_A = 1.026 GeV."""
        return cls(dipole_mass=NUCLEON_AXIAL_MASS)

    @property
    def rms_radius(self) -> float:
        """√12 ħc / Λ."""
        return math.sqrt(12.0) * hbar_c / self.dipole_mass

    def __call__(self, momentum_transfer: ArrayLike) -> np.ndarray:
        q = np.asarray(momentum_transfer, dtype=float)
        return 1.0 / (1.0 + (q / self.dipole_mass) ** 2) ** 2


@dataclass(frozen=True)
class NuclearFormFactors:
    """The proton and neutron form factors of one nucleus.

    The weak vector charge at momentum transfer q is
    ``G_V(q) = g_V^p Z F_p(q) + g_V^n N F_n(q)``; the axial charge uses ``axial``
    (by default the neutron form factor). That is an approximation: the axial term is a
    per-mille correction for the nuclei of interest, and the shell-model spin structure
    functions (M. Hoferichter, J. Menéndez and A. Schwenk, Phys. Rev. D 102, 074018
    (2020), arXiv:2007.08529) fall somewhat faster with q.
    """

    proton: FormFactor
    neutron: FormFactor
    axial: FormFactor | None = None

    @property
    def axial_form_factor(self) -> FormFactor:
        return self.axial if self.axial is not None else self.neutron


def raise_small_radius(model: str, rms: float, minimum: float) -> None:
    """Raise the error for an rms radius too small for a model's fixed shape parameter."""
    raise CevnsInputError(
        f"rms_radius must exceed {minimum / fm:.3f} fm for the {model} form factor with its "
        f"default shape parameter; got {rms / fm:.4g} fm"
    )


def _model_for(model: str, mass_number: int, rms_radius: float | None) -> FormFactor:
    if model == "none":
        return UnityFormFactor()
    if model == "helm":
        if rms_radius is None:
            return HelmFormFactor.lewin_smith(mass_number)
        return HelmFormFactor.from_rms_radius(rms_radius)
    if model == "klein-nystrand":
        if rms_radius is None:
            return KleinNystrandFormFactor.default(mass_number)
        return KleinNystrandFormFactor.from_rms_radius(rms_radius)
    if rms_radius is None:
        return SymmetrizedFermiFormFactor.default(mass_number)
    return SymmetrizedFermiFormFactor.from_rms_radius(rms_radius)


def form_factors_for(
    mass_number: int,
    model: str = "helm",
    *,
    proton_rms_radius: float | None = None,
    neutron_rms_radius: float | None = None,
) -> NuclearFormFactors:
    """Proton and neutron form factors of a nucleus of mass number ``mass_number``.

    With no radius given, both distributions use the model's default parameters (so
    F_p = F_n and the charges factorise); a given ``proton_rms_radius`` or
    ``neutron_rms_radius`` (internal length units) rebuilds that distribution from its
    rms radius with the model's shape parameter unchanged.

    Hydrogen (``mass_number`` 1) is a free proton: every model but ``none`` gives it the
    proton's dipole form factors (:class:`DipoleFormFactor`; charge radius 0.8414 fm, or
    ``proton_rms_radius``, and the axial dipole with M_A = 1.026 GeV). Its neutron form
    factor, which multiplies N = 0, is the charge dipole too (or a dipole of
    ``neutron_rms_radius``).
    """
    require_choice("form_factor", model, FORM_FACTOR_MODELS)
    require_positive("mass_number", mass_number)
    if proton_rms_radius is not None:
        require_non_negative("proton_rms_radius", proton_rms_radius)
    if neutron_rms_radius is not None:
        require_non_negative("neutron_rms_radius", neutron_rms_radius)
    if mass_number == 1 and model != "none":
        charge = (
            DipoleFormFactor.proton_charge()
            if proton_rms_radius is None
            else DipoleFormFactor.from_rms_radius(proton_rms_radius)
        )
        neutron: FormFactor = (
            charge
            if neutron_rms_radius is None
            else DipoleFormFactor.from_rms_radius(neutron_rms_radius)
        )
        return NuclearFormFactors(
            proton=charge, neutron=neutron, axial=DipoleFormFactor.nucleon_axial()
        )
    proton = _model_for(model, mass_number, proton_rms_radius)
    neutron = _model_for(model, mass_number, neutron_rms_radius)
    return NuclearFormFactors(proton=proton, neutron=neutron)
