"""Solar neutrinos: standard-solar-model fluxes, spectra and MSW-LMA flavour content.

**Fluxes.** Every component of the pp chain and the CNO cycle — pp, pep, hep, ⁷Be, ⁸B, ¹³N,
¹⁵O, ¹⁷F — with its flux at Earth Φ_c and 1σ relative uncertainty from the B16 standard
solar models (N. Vinyoles et al., ApJ 835, 202 (2017), arXiv:1611.09867, Table 6):
``B16-GS98`` (high metallicity) and ``B16-AGSS09met`` (low metallicity). The numbers and their
sources are in ``data/solar.toml``.

**Spectra.** dΦ_c/dE = Φ_c λ_c(E) with a shape λ_c normalised to 1:

* tables (``data/solar/*.csv``, each file names its source; linear between rows, normalised
  to unit area by the trapezoid rule): pp and hep from J. N. Bahcall, PRC 56, 3391 (1997);
  ¹³N, ¹⁵O, ¹⁷F from J. N. Bahcall and R. K. Ulrich, RMP 60, 297 (1988); ⁸B measured by
  W. T. Winter et al., PRC 73, 025503 (2006);
* lines: pep at 1.442 MeV; ⁷Be at 0.3843 MeV (10.44 %) and 0.8613 MeV (89.56 %)
  (J. N. Bahcall, PRD 49, 3923 (1994)). A line is a symmetric triangle of the thermal
  full width at half maximum w (1.5 keV and 0.9 keV for the two ⁷Be lines, from Bahcall's
  tabulated shapes; 1.5 keV for pep): λ(E) = (w − |E − E₀|)/w² for |E − E₀| < w. This keeps
  every flavour a continuous spectrum (one integrand for the prediction engine); a CEvNS
  rate does not notice the shape (< 1e-6 between w and w/10, tested).

**Oscillations** (``oscillation="msw-lma"``). Adiabatic MSW conversion in the Sun, averaged
over the fast oscillations on the way to Earth, three flavours with one effective two-flavour
problem (e.g. M. C. Gonzalez-Garcia and Y. Nir, RMP 75, 345 (2003), arXiv:hep-ph/0202058,
Sec. III; S. Goswami and A. Yu. Smirnov, PRD 72, 053011 (2005), eqs. 2–5):

    P_ee = c₁₃⁴ P_2ν(E; n_e c₁₃²) + s₁₃⁴,
    P_2ν = ½ (1 + cos 2θ₁₂ cos 2θ₁₂ᵐ),
    cos 2θ₁₂ᵐ = (cos 2θ₁₂ − β) / √((cos 2θ₁₂ − β)² + sin² 2θ₁₂),
    β = 2 √2 G_F n_e c₁₃² E / Δm²₂₁,

with n_e the electron density where the neutrino is produced. Limits: β → 0 gives the
vacuum average P_ee = c₁₃⁴ (1 − ½ sin² 2θ₁₂) + s₁₃⁴ (≈ 0.55); β ≫ 1 gives
c₁₃⁴ sin²θ₁₂ + s₁₃⁴ (≈ 0.29). Each component uses one electron density, its
production-averaged ⟨n_e⟩ from the B16 production profiles (``data/solar.toml``). Averaging
P_ee over the full production profile instead (measured, docs/sources.md) changes it by
< 0.3 % for ⁸B, < 0.1 % for pp, pep, ⁷Be and CNO at their energies, and up to 3–5 % for hep
at 10–15 MeV (hep is made over a wide range of radii). Earth matter
(day–night asymmetry, ~3 % for ⁸B) is neglected. What is not ν_e is ν_μ and ν_τ in the ratio
cos²θ₂₃ : sin²θ₂₃. Oscillation parameters: NuFIT 6.0 (arXiv:2410.05380), normal ordering.
``oscillation="none"`` keeps every neutrino a ν_e.

**Source unit.** One second of the Sun. The Sun emits, per second, Φ_c · 4π (1 au)² per
component, so ``Flux(SolarNeutrinos(), 1 / s, 1 * au)`` gives the flux at Earth per area per
time and ``Flux(SolarNeutrinos(), T / s, 1 * au)`` the fluence of an exposure T. The
Earth–Sun distance varies by ±1.7 % over the year (±3.4 % in flux); the tables are for 1 au.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from numpy.typing import ArrayLike

from cevns.constants import avogadro, fermi_constant, hbar_c
from cevns.errors import CevnsInputError, require_choice
from cevns.sources.base import (
    DEFAULT_QUADRATURE_POINTS,
    EMITTING_AREA_TIME,
    EnergyQuadrature,
    NeutrinoSource,
    check_energies,
    check_n_points,
    composite_gauss_legendre,
)
from cevns.units import MeV, cm, cm2, eV, keV, s

#: Component names, in the order of the B16 tables.
COMPONENT_NAMES: tuple[str, ...] = ("pp", "pep", "hep", "7Be", "8B", "13N", "15O", "17F")
#: Flavour treatments: MSW-LMA conversion in the Sun, or none (every neutrino a ν_e).
OSCILLATIONS: tuple[str, ...] = ("msw-lma", "none")
#: The default solar model.
DEFAULT_MODEL = "B16-GS98"


@cache
def _data() -> dict:
    text = resources.files("cevns.sources").joinpath("data/solar.toml").read_text("utf-8")
    return tomllib.loads(text)


def solar_model_names() -> tuple[str, ...]:
    """The named standard solar models (``B16-GS98``, ``B16-AGSS09met``)."""
    return tuple(_data()["models"])


def _check_model(model: object) -> str:
    return require_choice("model", model, solar_model_names())


@dataclass(frozen=True)
class SolarComponent:
    """One component of a solar model: its flux at Earth (1 au), in internal units per area
    per time (``flux / (1 / cm2 / s)`` is in cm⁻² s⁻¹), its 1σ relative model uncertainty and
    the reference of the numbers."""

    name: str
    flux: float
    relative_uncertainty: float
    reference: str


def solar_components(model: str = DEFAULT_MODEL) -> tuple[SolarComponent, ...]:
    """Every component of ``model`` (B16 Table 6, arXiv:1611.09867), in the table's order."""
    table = _data()["models"][_check_model(model)]
    return tuple(
        SolarComponent(
            name,
            table[name]["flux"] / cm2 / s,
            float(table[name]["relative_uncertainty"]),
            table["reference"],
        )
        for name in COMPONENT_NAMES
    )


def production_electron_density(model: str, component: str) -> float:
    """⟨n_e⟩ where ``component`` is produced in ``model`` (internal units: per volume)."""
    table = _data()["models"][_check_model(model)]
    name = require_choice("component", component, COMPONENT_NAMES)
    return table[name]["production_density_per_NA"] * avogadro / cm**3


# --- oscillations ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SolarOscillationParameters:
    """θ₁₂, θ₁₃, θ₂₃ (as sin²) and Δm²₂₁ (internal units of energy²)."""

    sin2_theta12: float
    sin2_theta13: float
    sin2_theta23: float
    delta_m2_21: float
    reference: str = ""

    def __post_init__(self) -> None:
        for name in ("sin2_theta12", "sin2_theta13", "sin2_theta23"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and 0.0 <= value <= 1.0):
                raise CevnsInputError(f"{name} must be a number in [0, 1]; got {value!r}")
        if not (isinstance(self.delta_m2_21, int | float) and self.delta_m2_21 > 0):
            raise CevnsInputError(
                f"delta_m2_21 must be a positive energy² (e.g. 7.49e-5 * eV**2); "
                f"got {self.delta_m2_21!r}"
            )


def nufit_parameters() -> SolarOscillationParameters:
    """NuFIT 6.0 best fit, normal ordering (``data/solar.toml``, arXiv:2410.05380)."""
    table = _data()["oscillation"]
    return SolarOscillationParameters(
        table["sin2_theta12"],
        table["sin2_theta13"],
        table["sin2_theta23"],
        table["delta_m2_21_eV2"] * eV**2,
        table["reference"],
    )


def matter_potential(electron_density: float) -> float:
    """V = √2 G_F n_e (an energy; ħc³ converts the density to natural units)."""
    return math.sqrt(2.0) * fermi_constant * electron_density * hbar_c**3


def electron_survival_probability(
    energy: ArrayLike,
    electron_density: float,
    parameters: SolarOscillationParameters | None = None,
) -> np.ndarray:
    """Adiabatic MSW P_ee(E) for production at ``electron_density`` (formula in the module
    docstring: P_ee = c₁₃⁴ P_2ν(n_e c₁₃²) + s₁₃⁴)."""
    p = parameters or nufit_parameters()
    e = check_energies(energy)
    s13 = p.sin2_theta13
    c13 = 1.0 - s13
    cos2 = 1.0 - 2.0 * p.sin2_theta12
    sin2_2 = 1.0 - cos2**2
    beta = 2.0 * matter_potential(electron_density) * c13 * e / p.delta_m2_21
    cos2_matter = (cos2 - beta) / np.sqrt((cos2 - beta) ** 2 + sin2_2)
    two_flavor = 0.5 * (1.0 + cos2 * cos2_matter)
    return c13**2 * two_flavor + s13**2


def flavor_probabilities(
    energy: ArrayLike,
    electron_density: float,
    parameters: SolarOscillationParameters | None = None,
) -> dict[str, np.ndarray]:
    """P(ν_e → ν_α) at Earth for α = e, μ, τ: P_ee, (1 − P_ee) cos²θ₂₃, (1 − P_ee) sin²θ₂₃."""
    p = parameters or nufit_parameters()
    pee = electron_survival_probability(energy, electron_density, p)
    return {
        "nu_e": pee,
        "nu_mu": (1.0 - pee) * (1.0 - p.sin2_theta23),
        "nu_tau": (1.0 - pee) * p.sin2_theta23,
    }


# --- spectral shapes ------------------------------------------------------------------------
class _Shape:
    """A spectrum shape λ(E) normalised to 1 (internal units: per energy)."""

    breakpoints: np.ndarray
    lines: tuple[float, ...] = ()

    def density(self, energy: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def quadrature(self, n_points: int) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
        raise NotImplementedError


class _TableShape(_Shape):
    def __init__(self, path: str):
        text = resources.files("cevns.sources").joinpath(f"data/{path}").read_text("utf-8")
        rows = [
            [float(x) for x in line.split(",")]
            for line in text.splitlines()
            if line.strip() and not line.startswith("#")
        ]
        table = np.array(rows)
        self.energies = table[:, 0] * MeV
        values = table[:, 1]
        self.values = values / np.trapezoid(values, self.energies)
        self.breakpoints = np.array([self.energies[0], self.energies[-1]])

    def density(self, energy: np.ndarray) -> np.ndarray:
        return np.interp(energy, self.energies, self.values, left=0.0, right=0.0)

    def quadrature(self, n_points: int) -> tuple[np.ndarray, np.ndarray]:
        # A table of at most n_points/2 intervals: 2 Gauss–Legendre nodes per interval, exact
        # for the linear interpolant times any quadratic. A longer table: groups of rows with
        # 8 nodes each (the interpolant is smooth within a group to the table's precision;
        # 1e-6 of the normalisation for the 1000-row hep table).
        intervals = len(self.energies) - 1
        if intervals <= n_points // 2:
            nodes, weights = composite_gauss_legendre(self.energies, 2 * intervals)
        else:
            groups = max(1, n_points // 8)
            keep = np.unique(np.round(np.linspace(0, intervals, groups + 1))).astype(int)
            nodes, weights = composite_gauss_legendre(self.energies[keep], n_points, 8)
        return nodes, weights * self.density(nodes)


class _LineShape(_Shape):
    def __init__(self, energies_mev: list, branching: list, fwhm_kev: list):
        self.centres = np.array(energies_mev, dtype=float) * MeV
        self.branching = np.array(branching, dtype=float)
        self.widths = np.array(fwhm_kev, dtype=float) * keV
        self.lines = tuple(float(e) for e in self.centres)
        self.breakpoints = np.sort(
            np.concatenate([self.centres - self.widths, self.centres, self.centres + self.widths])
        )

    def density(self, energy: np.ndarray) -> np.ndarray:
        total = np.zeros_like(np.asarray(energy, dtype=float))
        for centre, fraction, width in zip(self.centres, self.branching, self.widths, strict=True):
            total = (
                total + fraction * np.clip(width - np.abs(energy - centre), 0.0, None) / width**2
            )
        return total

    def quadrature(self, n_points: int) -> tuple[np.ndarray, np.ndarray]:
        # Each half of a triangle is linear: 2 Gauss–Legendre nodes per half integrate it
        # times any cubic exactly; 4 nodes per half are used.
        nodes, weights = [], []
        for centre, width in zip(self.centres, self.widths, strict=True):
            x, w = composite_gauss_legendre(
                np.array([centre - width, centre, centre + width]), 8, min_per_piece=4
            )
            nodes.append(x)
            weights.append(w)
        x, w = np.concatenate(nodes), np.concatenate(weights)
        return x, w * self.density(x)


@cache
def _shape(component: str) -> _Shape:
    spec = _data()["components"][component]
    if spec["kind"] == "table":
        return _TableShape(spec["table"])
    return _LineShape(spec["energies_MeV"], spec["branching"], spec["fwhm_keV"])


def component_reaction(component: str) -> str:
    """The reaction that produces ``component`` (e.g. ``"8B -> 8Be* + e+ + nu_e"``)."""
    return _data()["components"][require_choice("component", component, COMPONENT_NAMES)][
        "reaction"
    ]


# --- the source ------------------------------------------------------------------------------
def _check_components(components: str | Iterable[str] | None) -> tuple[str, ...]:
    if components is None:
        return COMPONENT_NAMES
    names = (components,) if isinstance(components, str) else tuple(components)
    if not names:
        raise CevnsInputError(
            f"components must name at least one of {', '.join(COMPONENT_NAMES)}; got none"
        )
    chosen = tuple(require_choice("components", name, COMPONENT_NAMES) for name in names)
    repeated = sorted({n for n in chosen if chosen.count(n) > 1})
    if repeated:
        raise CevnsInputError(f"components must not repeat a name; {', '.join(repeated)} repeats")
    return chosen


class SolarNeutrinos(NeutrinoSource):
    """The Sun's neutrinos per second (source unit ``"second"``), emitting Φ_c · 4π (1 au)²
    per component per second; see the module docstring for the model.

    ``model``: ``"B16-GS98"`` or ``"B16-AGSS09met"``; ``components``: a subset of
    :data:`COMPONENT_NAMES` (default all); ``oscillation``: ``"msw-lma"`` (ν_e, ν_μ, ν_τ at
    Earth) or ``"none"`` (ν_e only); ``parameters``: oscillation parameters (default NuFIT 6.0).
    Raises :class:`~cevns.errors.CevnsInputError` for an unknown model or component.

    >>> from cevns import SolarNeutrinos
    >>> from cevns.units import MeV
    >>> boron = SolarNeutrinos(components=["8B"])
    >>> boron.flavors
    ('nu_e', 'nu_mu', 'nu_tau')
    >>> print(f"{boron.mean_energy('nu_e') / MeV:.2f} MeV")
    6.44 MeV
    """

    source_unit = "second"

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        components: str | list[str] | tuple[str, ...] | None = None,
        oscillation: str = "msw-lma",
        parameters: SolarOscillationParameters | None = None,
    ):
        self.model = _check_model(model)
        self.components = _check_components(components)
        self.oscillation = require_choice("oscillation", oscillation, OSCILLATIONS)
        self.parameters = parameters or nufit_parameters()
        self.flavors = ("nu_e", "nu_mu", "nu_tau") if self.oscillation == "msw-lma" else ("nu_e",)
        table = {c.name: c for c in solar_components(self.model)}
        self._table = {name: table[name] for name in self.components}
        self.reference = next(iter(self._table.values())).reference

    # --- components -----------------------------------------------------------------------
    def component(self, name: str) -> SolarComponent:
        """The table entry (flux at Earth, uncertainty, reference) of component ``name``."""
        return self._table[self._check_component(name)]

    def _check_component(self, name: object) -> str:
        return require_choice("component", name, self.components)

    def line_energies(self, name: str) -> tuple[float, ...]:
        """The line energies of a monochromatic component (empty for a continuous one)."""
        return _shape(self._check_component(name)).lines

    def component_energy_range(self, name: str) -> tuple[float, float]:
        """Lowest and highest energy of a component's spectrum (the lines' full extent)."""
        points = _shape(self._check_component(name)).breakpoints
        return float(points[0]), float(points[-1])

    def component_spectrum(self, name: str, energy: ArrayLike) -> np.ndarray:
        """dΦ_c/dE at Earth before oscillation (internal units: per area, time, energy)."""
        component = self.component(name)
        return component.flux * _shape(component.name).density(check_energies(energy))

    def component_quadrature(
        self, name: str, n_points: int = DEFAULT_QUADRATURE_POINTS
    ) -> EnergyQuadrature:
        """Nodes and weights of dΦ_c/dE at Earth before oscillation: Σ w = Φ_c."""
        component = self.component(name)
        nodes, weights = _shape(component.name).quadrature(check_n_points(n_points))
        return EnergyQuadrature(nodes, weights * component.flux)

    def survival_probability(
        self, name: str, energy: ArrayLike, flavor: str = "nu_e"
    ) -> np.ndarray:
        """P(ν_e → ``flavor``) at Earth for neutrinos of component ``name`` at ``energy``."""
        component = self._check_component(name)
        flavor = self.check_emitted(flavor)
        energies = check_energies(energy)
        if self.oscillation == "none":
            return np.ones_like(energies)
        density = production_electron_density(self.model, component)
        return flavor_probabilities(energies, density, self.parameters)[flavor]

    def mean_survival_probability(self, name: str, flavor: str = "nu_e") -> float:
        """P(ν_e → ``flavor``) averaged over the component's spectrum."""
        quadrature = self.component_quadrature(name)
        weighted = quadrature.integrate(lambda e: self.survival_probability(name, e, flavor))
        return weighted / quadrature.total

    # --- NeutrinoSource -------------------------------------------------------------------
    def neutrinos_per_unit(self, flavor: str) -> float:
        return self.energy_quadrature(flavor).total

    def _support(self, flavor: str) -> np.ndarray:
        points = np.concatenate([_shape(name).breakpoints for name in self.components])
        return np.unique(points)

    def _density(self, flavor: str, energy: np.ndarray) -> np.ndarray:
        total = np.zeros_like(energy)
        for name in self.components:
            total = total + self.component_spectrum(name, energy) * self.survival_probability(
                name, energy, flavor
            )
        return total * EMITTING_AREA_TIME

    def energy_quadrature(
        self, flavor: str, n_points: int = DEFAULT_QUADRATURE_POINTS
    ) -> EnergyQuadrature:
        """Each component's own quadrature (``n_points`` nodes per table, 8 per line) times
        its flavour probability, merged and sorted; weights per second of the Sun."""
        name = self.check_emitted(flavor)
        count = check_n_points(n_points)
        nodes, weights = [], []
        for component in self.components:
            quadrature = self.component_quadrature(component, count)
            probability = self.survival_probability(component, quadrature.energies, name)
            nodes.append(quadrature.energies)
            weights.append(quadrature.weights * probability * EMITTING_AREA_TIME)
        x, w = np.concatenate(nodes), np.concatenate(weights)
        order = np.argsort(x, kind="stable")
        return EnergyQuadrature(x[order], w[order])


__all__ = [
    "COMPONENT_NAMES",
    "DEFAULT_MODEL",
    "EMITTING_AREA_TIME",
    "OSCILLATIONS",
    "SolarComponent",
    "SolarNeutrinos",
    "SolarOscillationParameters",
    "component_reaction",
    "electron_survival_probability",
    "flavor_probabilities",
    "matter_potential",
    "nufit_parameters",
    "production_electron_density",
    "solar_components",
    "solar_model_names",
]
