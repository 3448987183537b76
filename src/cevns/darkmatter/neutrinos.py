"""Neutrino backgrounds of a dark-matter search: CEvNS recoil spectra with flux uncertainties.

A :class:`NeutrinoBackground` is one independently normalised neutrino flux at the detector
(a :class:`~cevns.sources.flux.Flux` per area per time) with its 1σ relative normalisation
uncertainty and the reference of both. Its recoil spectrum on a target material is the
Standard-Model CEvNS rate of cevns itself,

    dR/dT = Σ_i n_i Σ_f Σ_b C_{b,f,i}(T) I_{b,f,i}(T),

with n_i the nuclei of isotope i per unit mass, C the Standard-Model charges
(:func:`cevns.interactions.standard_model.standard_model_charges`, Helm form factors with the
Lewin–Smith parameters, radiative couplings of flavour f) and I the flux-folded kinematic
kernels ∫ dE φ_f(E) k_b(E, T) of the prediction engine
(:func:`cevns.experiments.kernels.folded_basis`, where the kinematic threshold E_min(T) is an
integration limit). No second cross section is written here.

Components (:func:`default_backgrounds`):

* the Sun, one background per component of :func:`cevns.sources.solar.solar_components`
  (pp, pep, hep, ⁷Be, ⁸B, ¹³N, ¹⁵O, ¹⁷F; B16 fluxes and model uncertainties, MSW-LMA
  flavours), each ``Flux(SolarNeutrinos(model, components=[name]), 1 / s, 1 * au)``;
* atmospheric neutrinos (:class:`cevns.sources.atmospheric.AtmosphericNeutrinos`, FLUKA at
  the Kamioka site) and the diffuse supernova neutrino background
  (:class:`cevns.sources.dsnb.DiffuseSupernovaBackground`), each with the
  ``relative_uncertainty`` and ``reference`` its source carries, as
  ``Flux(source, 1 / s, 1 * au)`` (the sources emit Φ · 4π (1 au)² per second, the solar
  convention). The DSNB density is a redshift integral (64 nodes per energy), so it is
  tabulated once (:func:`tabulated_copy`).

:func:`tabulated_background` builds a background from a flux table given at the detector (a
test fixture, or a user's spectrum).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

from cevns.errors import CevnsInputError, require_choice, require_positive
from cevns.experiments.kernels import folded_basis
from cevns.interactions.couplings import standard_model_couplings
from cevns.interactions.standard_model import standard_model_charges
from cevns.nuclear.form_factors import form_factors_for
from cevns.nuclear.materials import Material
from cevns.sources import Flux, TabulatedSource
from cevns.sources.atmospheric import AtmosphericNeutrinos
from cevns.sources.dsnb import DiffuseSupernovaBackground
from cevns.sources.solar import DEFAULT_MODEL, SolarNeutrinos, solar_components
from cevns.units import au, m, s

#: Energies of :func:`tabulated_copy`: logarithmic from 1e-4 of the support's end.
TABULATION_POINTS = 2000


@dataclass(frozen=True)
class NeutrinoBackground:
    """One neutrino flux at the detector (per area per time) with its 1σ relative
    normalisation uncertainty and the reference of both."""

    name: str
    flux: Flux
    relative_uncertainty: float
    reference: str

    def __post_init__(self) -> None:
        value = self.relative_uncertainty
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise CevnsInputError(
                f"relative uncertainty of the {self.name} background must be a positive "
                f"number; got {value!r}"
            )


def solar_backgrounds(
    model: str = DEFAULT_MODEL, oscillation: str = "msw-lma"
) -> tuple[NeutrinoBackground, ...]:
    """One background per solar component of ``model`` (B16 flux and model uncertainty)."""
    return tuple(
        NeutrinoBackground(
            component.name,
            Flux(SolarNeutrinos(model, [component.name], oscillation), 1 / s, 1 * au),
            component.relative_uncertainty,
            component.reference,
        )
        for component in solar_components(model)
    )


def atmospheric_background() -> NeutrinoBackground:
    """Atmospheric neutrinos (FLUKA, Kamioka) with the uncertainty their source carries."""
    source = AtmosphericNeutrinos()
    flux = Flux(source, 1 / s, 1 * au)
    return NeutrinoBackground("atmospheric", flux, source.relative_uncertainty, source.reference)


def dsnb_background() -> NeutrinoBackground:
    """The diffuse supernova neutrino background, tabulated once (:func:`tabulated_copy`)."""
    source = DiffuseSupernovaBackground()
    flux = Flux(source, 1 / s, 1 * au)
    exact = NeutrinoBackground("DSNB", flux, source.relative_uncertainty, source.reference)
    return tabulated_copy(exact)


def default_backgrounds(
    model: str = DEFAULT_MODEL, uncertainties: Mapping[str, float] | None = None
) -> tuple[NeutrinoBackground, ...]:
    """Every solar component of ``model``, the atmospheric neutrinos and the DSNB.

    ``uncertainties`` replaces the relative uncertainty of named components (for example
    ``{"8B": 0.02}``, the global-fit uncertainty O'Hare 2021 uses instead of the SSM's 12 %).
    """
    backgrounds = (*solar_backgrounds(model), atmospheric_background(), dsnb_background())
    return with_uncertainties(backgrounds, uncertainties)


def with_uncertainties(
    backgrounds: list[NeutrinoBackground] | tuple[NeutrinoBackground, ...],
    uncertainties: Mapping[str, float] | None,
) -> tuple[NeutrinoBackground, ...]:
    """``backgrounds`` with the relative uncertainties of the named ones replaced."""
    changes = dict(uncertainties or {})
    names = [b.name for b in backgrounds]
    for name, value in changes.items():
        require_choice("background", name, names)
        require_positive(f"uncertainty of {name}", value)
    return tuple(
        replace(b, relative_uncertainty=float(changes[b.name])) if b.name in changes else b
        for b in backgrounds
    )


def total_flux(background: NeutrinoBackground) -> float:
    """The background's flux summed over flavours (internal units: per area per time)."""
    return sum(background.flux.fluence(flavor) for flavor in background.flux.flavors)


def with_total_flux(background: NeutrinoBackground, flux: float) -> NeutrinoBackground:
    """``background`` rescaled to a total flux ``flux`` (per area per time), same spectrum."""
    target = float(require_positive(f"flux of {background.name}", flux))
    old = background.flux
    factor = target / total_flux(background)
    scaled = Flux(old.source, old.units_of_source * factor, old.distance, old.oscillation)
    return replace(background, flux=scaled)


def tabulated_background(
    name: str,
    energies: ArrayLike,
    flux_density: Mapping[str, ArrayLike],
    relative_uncertainty: float,
    reference: str,
) -> NeutrinoBackground:
    """A background from dΦ/dE at the detector (internal units: per area, time and energy)
    tabulated at increasing ``energies``, one column per flavour (linear in between).

    The table is wrapped as a :class:`~cevns.sources.simple.TabulatedSource` whose unit is
    "per second at the detector" and a :class:`Flux` of 4π(1 m)² such units per second at
    1 m, so that the flux is the table itself.
    """
    per_time = {flavor: np.asarray(values, dtype=float) * s for flavor, values in
                flux_density.items()}  # fmt: skip
    source = TabulatedSource(energies, per_time, source_unit="second", origin=name)
    flux = Flux(source, 4.0 * math.pi * m**2 / s, 1 * m)
    return NeutrinoBackground(name, flux, relative_uncertainty, reference)


def tabulated_copy(
    background: NeutrinoBackground, points: int = TABULATION_POINTS
) -> NeutrinoBackground:
    """``background`` with its flux tabulated once: 0 and ``points`` logarithmic energies from
    10⁻⁴ of the highest support energy to it, linear in between (for a smooth spectrum whose
    density is costly; the DSNB's recoil spectrum on xenon moves by < 1e-4 where it exceeds
    1 % of its maximum and by 1e-3 in its far tail, tests/test_darkmatter_neutrinos.py)."""
    flux = background.flux
    end = max(flux.source.energy_range(f)[1] for f in flux.flavors)
    energies = np.concatenate(([0.0], np.geomspace(1e-4 * end, end, points)))
    densities = {f: flux.spectral_fluence(f, energies) for f in flux.flavors}
    return tabulated_background(
        background.name, energies, densities, background.relative_uncertainty, background.reference
    )


def recoil_spectrum(
    background: NeutrinoBackground, target: Material, recoil_energy: ArrayLike
) -> np.ndarray:
    """dR/dT of ``background`` on ``target`` per unit mass, time and recoil energy."""
    recoil = np.asarray(recoil_energy, dtype=float)
    total = np.zeros_like(recoil)
    flux = background.flux
    for isotope, count in target.components:
        per_mass = count / target.molar_mass
        form_factors = form_factors_for(isotope.A, "helm")
        for flavor in flux.flavors:
            kernels = folded_basis(flux, flavor, recoil, isotope.nuclear_mass)
            charges = standard_model_charges(
                isotope,
                standard_model_couplings(flavor),
                form_factors,
                recoil,
                antineutrino=flavor.endswith("_bar"),
            )
            total = total + per_mass * sum(charges[b] * kernels[b] for b in charges)
    return total


__all__ = [
    "NeutrinoBackground",
    "atmospheric_background",
    "default_backgrounds",
    "dsnb_background",
    "recoil_spectrum",
    "solar_backgrounds",
    "tabulated_background",
    "tabulated_copy",
    "total_flux",
    "with_total_flux",
    "with_uncertainties",
]
