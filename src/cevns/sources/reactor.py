"""Reactor electron antineutrinos: Huber–Mueller spectra, fission fractions and power.

Per fission of isotope i the spectrum is S_i(E) = exp(Σ_k a_k E^(k−1)) (E in MeV, per MeV)
with the coefficients of Huber (235U, 239Pu, 241Pu; arXiv:1106.0687, Table III) and Mueller
et al. (238U; arXiv:1101.2663, Table VI), valid for 2 ≤ E ≤ 8 MeV. Inputs and sources are
in ``data/reactor.toml``.

**Below 2 MeV** (where the conversion method has no data, but CEvNS is sensitive): we use
the *shape* of the Vogel–Engel fit exp(a₀ + a₁E + a₂E²) (PRD 39, 3378 (1989), Table I),
scaled so that it joins S_i continuously at 2 MeV:
S_i(E < 2 MeV) = S_i(2 MeV) · VE_i(E) / VE_i(2 MeV). This is a smooth, documented
extrapolation; it gives 5.0–6.4 ν̄ per fission in total (235U 5.72, 238U 6.36, 239Pu 4.97,
241Pu 5.32), somewhat below the ≈ 6 ν̄ per fission of the ~6 β decays of the
fission-fragment chains, so the spectrum below ~2 MeV should be taken as uncertain at the
10–20 % level. Antineutrinos
from neutron capture on 238U (²³⁹U and ²³⁹Np β decays, below 1.3 MeV) and from spent fuel
are not included. Above 8 MeV the spectrum is cut (the fits end there; the 8–10 MeV tail
is ≈ 2e-4 of the yield above the inverse-beta threshold).

A :class:`Reactor` of thermal power P with fission fractions f_i produces
P / Σ_i f_i E_i fissions per second (E_i the energy released per fission, Ma et al.,
PRC 88, 014605 (2013)) and Σ_i f_i S_i(E) antineutrinos per fission; its source unit is one
second of operation.
"""

from __future__ import annotations

import math
import tomllib
from functools import cache
from importlib import resources

import numpy as np
from numpy.typing import ArrayLike

from cevns.constants import electron_mass, neutron_mass, proton_mass
from cevns.errors import CevnsInputError, require_non_negative, require_positive, unknown_name_error
from cevns.sources.base import NeutrinoSource, composite_gauss_legendre
from cevns.units import MeV, s

#: The fissioning isotopes, in the usual order.
ISOTOPES: tuple[str, ...] = ("U235", "U238", "Pu239", "Pu241")


@cache
def _data() -> dict:
    text = resources.files("cevns.sources").joinpath("data/reactor.toml").read_text("utf-8")
    return tomllib.loads(text)


def join_energy() -> float:
    """2 MeV: below it the low-energy shape is used (lower end of the Huber/Mueller fits)."""
    return _data()["join_energy_mev"] * MeV


def maximum_energy() -> float:
    """8 MeV: the upper end of the fits, where the spectrum is cut."""
    return _data()["max_energy_mev"] * MeV


def inverse_beta_threshold() -> float:
    """E_th of ν̄_e p → e⁺ n: ((m_n + m_e)² − m_p²) / (2 m_p) ≈ 1.806 MeV."""
    return ((neutron_mass + electron_mass) ** 2 - proton_mass**2) / (2.0 * proton_mass)


def _isotope(name: str) -> dict:
    isotopes = _data()["isotopes"]
    if name not in isotopes:
        raise unknown_name_error("fission isotope", name, isotopes)
    return isotopes[name]


def energy_per_fission(isotope: str) -> float:
    """Mean energy released per fission of ``isotope`` (Ma et al., PRC 88, 014605 (2013))."""
    return _isotope(isotope)["energy_per_fission_mev"] * MeV


def _exp_polynomial(coefficients: list[float], e_mev: np.ndarray) -> np.ndarray:
    return np.exp(np.polynomial.polynomial.polyval(e_mev, coefficients))


def isotope_spectrum(isotope: str, energy: ArrayLike) -> np.ndarray:
    """dN/dE per fission of ``isotope`` (internal units: per energy); 0 above 8 MeV."""
    spec = _isotope(isotope)
    e_mev = np.asarray(require_non_negative("energy", energy, "internal energy units")) / MeV
    join = _data()["join_energy_mev"]
    high = _exp_polynomial(spec["exp_polynomial"], np.maximum(e_mev, join))
    low_shape = _exp_polynomial(spec["low_energy_quadratic"], e_mev)
    low = (
        _exp_polynomial(spec["exp_polynomial"], np.array(join))
        * low_shape
        / _exp_polynomial(spec["low_energy_quadratic"], np.array(join))
    )
    per_mev = np.where(e_mev < join, low, high)
    return np.where(e_mev <= _data()["max_energy_mev"], per_mev, 0.0) / MeV


def antineutrinos_per_fission(isotope: str, energy_min: float = 0.0, n_points: int = 256) -> float:
    """∫ S_i dE from ``energy_min`` to 8 MeV, per fission (Gauss–Legendre, split at 2 MeV)."""
    lower = float(require_non_negative("energy_min", energy_min))
    breaks = sorted({lower, max(lower, join_energy()), maximum_energy()})
    if lower >= maximum_energy():
        return 0.0
    nodes, weights = composite_gauss_legendre(np.array(breaks), n_points)
    return float(np.sum(weights * isotope_spectrum(isotope, nodes)))


def reference_per_fission_above_ibd(isotope: str) -> float:
    """Comparison value: ν̄ per fission above 1.8 MeV, Bemporad et al. RMP 74, 297 (2002)."""
    return float(_isotope(isotope)["reference_per_fission_above_ibd"])


def fission_fraction_presets() -> dict[str, dict[str, float]]:
    """Named fission-fraction sets (see ``data/reactor.toml`` for their sources)."""
    return {k: dict(v) for k, v in _data()["fission_fractions"].items()}


def resolve_fission_fractions(fractions: str | dict[str, float]) -> dict[str, float]:
    """A preset name or a mapping isotope → fraction (summing to 1 within 1e-6)."""
    presets = fission_fraction_presets()
    if isinstance(fractions, str):
        if fractions not in presets:
            raise unknown_name_error("fission-fraction preset", fractions, presets)
        return presets[fractions]
    result = dict.fromkeys(ISOTOPES, 0.0)
    for isotope, value in fractions.items():
        if isotope not in ISOTOPES:
            raise unknown_name_error("fission isotope", str(isotope), ISOTOPES)
        result[isotope] = float(require_non_negative(f"fission fraction of {isotope}", value))
    total = sum(result.values())
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        raise CevnsInputError(f"fission fractions must sum to 1; got {total:.6g}")
    return result


class Reactor(NeutrinoSource):
    """ν̄_e from a reactor of ``thermal_power`` (internal power units); unit: one second.

    ``fission_fractions`` is a preset name (``"pwr-typical"``, ``"heu"``) or a mapping
    isotope → fraction of fissions. Raises :class:`~cevns.errors.CevnsInputError` for a
    non-positive power or unknown fractions.

    >>> from cevns import Reactor
    >>> from cevns.units import GW, s
    >>> reactor = Reactor(3.9 * GW)
    >>> print(f"{reactor.neutrinos_per_unit('nu_e_bar') * s:.3g} antineutrinos per second")
    6.53e+20 antineutrinos per second
    """

    flavors = ("nu_e_bar",)
    source_unit = "second"

    def __init__(
        self, thermal_power: float, fission_fractions: str | dict[str, float] = "pwr-typical"
    ):
        self.thermal_power = float(
            require_positive("thermal power", thermal_power, "internal power units")
        )
        self.fission_fractions = resolve_fission_fractions(fission_fractions)

    @property
    def energy_per_fission(self) -> float:
        """Σ_i f_i E_i: mean energy released per fission of this fuel."""
        return sum(f * energy_per_fission(i) for i, f in self.fission_fractions.items())

    @property
    def fissions_per_second(self) -> float:
        """P / Σ f_i E_i, as a number per second of operation."""
        return self.thermal_power * s / self.energy_per_fission

    def _per_fission(self, energy: np.ndarray) -> np.ndarray:
        return sum(
            (f * isotope_spectrum(i, energy) for i, f in self.fission_fractions.items() if f > 0),
            np.zeros_like(energy, dtype=float),
        )

    def neutrinos_per_unit(self, flavor: str) -> float:
        self.check_emitted(flavor)
        per_fission = sum(
            f * antineutrinos_per_fission(i) for i, f in self.fission_fractions.items() if f > 0
        )
        return self.fissions_per_second * per_fission

    def _support(self, flavor: str) -> np.ndarray:
        return np.array([0.0, join_energy(), maximum_energy()])

    def _density(self, flavor: str, energy: np.ndarray) -> np.ndarray:
        return self.fissions_per_second * self._per_fission(energy)


__all__ = [
    "ISOTOPES",
    "Reactor",
    "antineutrinos_per_fission",
    "energy_per_fission",
    "fission_fraction_presets",
    "inverse_beta_threshold",
    "isotope_spectrum",
    "join_energy",
    "maximum_energy",
    "reference_per_fission_above_ibd",
    "resolve_fission_fractions",
]
