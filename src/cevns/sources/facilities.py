"""Accelerator stopped-pion facilities as cited presets.

Each preset in ``data/facilities.toml`` (every number there carries its source) gives the
beam power P, the proton kinetic energy T_p, the repetition rate f, the proton pulse shape
and the neutrino yield per proton. Derived quantities:

* protons per second = P / T_p;
* neutrinos per flavour per second = yield × P / T_p;
* duty factor = pulse FWHM × f — the fraction of time the beam is on, by which a
  steady-state background measured over the full cycle scales into an in-pulse window of
  one FWHM (e.g. SNS: 353 ns × 60 Hz = 2.1e-5).

``get_facility(name)`` returns a :class:`Facility`; unknown names give a one-line error with
close matches. :meth:`Facility.source` returns the :class:`PionDecayAtRest` with the
facility's yield and pulse, and :meth:`Facility.flux` the flux per second at a distance.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np

from cevns.errors import CevnsInputError, require_positive, unknown_name_error
from cevns.sources.flux import Flux
from cevns.sources.oscillation import Oscillation
from cevns.sources.pion_dar import (
    PionDecayAtRest,
    neutrinos_per_proton_at_energy,
    resolve_neutrinos_per_proton,
    yield_model_is_extrapolated,
)
from cevns.sources.timing import GaussianPulse, ProtonPulse, TabulatedPulse
from cevns.units import MW, GeV, Hz, ns, us

#: Value of ``neutrinos_per_proton`` selecting the proton-energy model.
ENERGY_MODEL = "energy-model"


@dataclass(frozen=True)
class Facility:
    """A pulsed stopped-pion neutrino source (all quantities in internal units)."""

    name: str
    label: str
    power: float
    proton_kinetic_energy: float
    repetition_rate: float
    pulse: ProtonPulse
    neutrinos_per_proton_per_flavor: float
    yield_origin: str
    target: str = ""
    references: tuple[str, ...] = field(default_factory=tuple)

    @property
    def protons_per_second(self) -> float:
        """Protons on target per second, P / T_p (internal units: per time)."""
        return self.power / self.proton_kinetic_energy

    @property
    def neutrinos_per_second_per_flavor(self) -> float:
        """Neutrinos of each flavour emitted per second (per time)."""
        return self.neutrinos_per_proton_per_flavor * self.protons_per_second

    @property
    def protons_per_pulse(self) -> float:
        """Protons per pulse, (P / T_p) / f."""
        return self.protons_per_second / self.repetition_rate

    @property
    def duty_factor(self) -> float:
        """Pulse FWHM × repetition rate (dimensionless)."""
        return self.pulse.fwhm * self.repetition_rate

    @property
    def yield_is_extrapolated(self) -> bool:
        """True if the yield comes from the energy model outside its range of validity,
        :data:`~cevns.sources.pion_dar.YIELD_MODEL_VALIDITY` (0.955–1.3 GeV)."""
        return self.yield_origin == ENERGY_MODEL and yield_model_is_extrapolated(
            self.proton_kinetic_energy
        )

    def source(self) -> PionDecayAtRest:
        """The neutrino source per proton on target, with this facility's pulse."""
        return PionDecayAtRest(self.neutrinos_per_proton_per_flavor, self.pulse)

    def flux(self, distance: float, oscillation: Oscillation | None = None) -> Flux:
        """Neutrinos per area per time at ``distance`` (isotropic emission).

        ``flux.fluence(flavor) / (1 / cm2 / s)`` is then in ν cm⁻² s⁻¹.
        """
        return Flux(self.source(), self.protons_per_second, distance, oscillation)


def _pulse(name: str, spec: dict) -> ProtonPulse:
    shape = spec.get("shape")
    if shape == "gaussian":
        return GaussianPulse.from_fwhm(spec["fwhm_ns"] * ns)
    if shape == "flat":
        half, ramp = 0.5 * spec["length_us"] * us, spec["ramp_us"] * us
        times = np.array([-half - ramp, -half, half, half + ramp])
        return TabulatedPulse(times, np.array([0.0, 1.0, 1.0, 0.0]))
    if shape == "double-gaussian":
        bunch = GaussianPulse.from_fwhm(spec["bunch_fwhm_ns"] * ns)
        offset = 0.5 * spec["spacing_ns"] * ns
        times = np.linspace(-offset - 6 * bunch.sigma, offset + 6 * bunch.sigma, 4001)
        intensity = bunch.density(times + offset) + bunch.density(times - offset)
        return TabulatedPulse(times, intensity)
    raise CevnsInputError(f"facility {name!r}: unknown pulse shape {shape!r}")


@cache
def _presets() -> dict[str, dict]:
    text = resources.files("cevns.sources").joinpath("data/facilities.toml").read_text("utf-8")
    return tomllib.loads(text)


def facility_names() -> tuple[str, ...]:
    """Names of the facility presets."""
    return tuple(_presets())


def get_facility(
    name: str,
    *,
    power: float | None = None,
    proton_kinetic_energy: float | None = None,
    neutrinos_per_proton_per_flavor: float | str | None = None,
) -> Facility:
    """The preset ``name``, optionally with a different power, proton energy or yield.

    Overriding the proton energy of a preset whose yield is the energy model re-evaluates
    the yield at the new energy.
    """
    presets = _presets()
    if name not in presets:
        raise unknown_name_error("facility", name, presets)
    spec = presets[name]
    beam_power = spec["power_mw"] * MW if power is None else float(require_positive("power", power))
    energy = (
        spec["proton_kinetic_energy_gev"] * GeV
        if proton_kinetic_energy is None
        else float(require_positive("proton kinetic energy", proton_kinetic_energy))
    )
    origin = (
        spec["neutrinos_per_proton"]
        if neutrinos_per_proton_per_flavor is None
        else neutrinos_per_proton_per_flavor
    )
    if origin == ENERGY_MODEL:
        yield_per_proton = neutrinos_per_proton_at_energy(energy)
    else:
        yield_per_proton = resolve_neutrinos_per_proton(origin)
        origin = origin if isinstance(origin, str) else "user"
    return Facility(
        name=name,
        label=spec["label"],
        power=beam_power,
        proton_kinetic_energy=energy,
        repetition_rate=spec["repetition_rate_hz"] * Hz,
        pulse=_pulse(name, spec["pulse"]),
        neutrinos_per_proton_per_flavor=yield_per_proton,
        yield_origin=str(origin),
        target=spec.get("target", ""),
        references=tuple(spec.get("references", ())),
    )


__all__ = ["ENERGY_MODEL", "Facility", "facility_names", "get_facility"]
