"""A core-collapse supernova burst: pinched Fermi–Dirac spectra and the fluence at Earth.

Each flavour's time-integrated spectrum is the "alpha fit" of M. T. Keil, G. G. Raffelt and
H.-T. Janka, ApJ 590, 971 (2003), arXiv:astro-ph/0208035, Sec. 2:

    f(E) = (α+1)^(α+1) / Γ(α+1) · E^α / ⟨E⟩^(α+1) · exp(−(α+1) E / ⟨E⟩),

normalised to 1, with mean ⟨E⟩ and pinching α (α ≈ 2.3 has the width of a Fermi–Dirac
spectrum with zero chemical potential; larger α is more pinched, same paper Sec. 2). The
number emitted per flavour is N = E_tot / ⟨E⟩, with E_tot the energy the flavour carries
(or a luminosity × duration). The source unit is one burst; the fluence at distance d is
N f(E) / (4π d²) (use :class:`~cevns.sources.flux.Flux` with ``units_of_source=1``).

Default parameters (:data:`DEFAULT_SUPERNOVA`), an illustrative benchmark: a total of
3e53 erg shared equally by the six flavours (5e52 erg each) and mean energies
⟨E_νe⟩ = 12, ⟨E_ν̄e⟩ = 15, ⟨E_νx⟩ = 18 MeV for the four heavy-lepton flavours, all with
α = 2.3 — the canonical hierarchy reviewed by K. Scholberg, Ann. Rev. Nucl. Part. Sci. 62,
81 (2012), arXiv:1205.6003, Sec. 2; the default distance is 10 kpc (same review).
Oscillations in the star are not applied (CEvNS is flavour blind at tree level).

The quadrature uses Gauss–Legendre on [0, E_max] with E_max where the upper tail holds
< 1e-13 of the flavour's neutrinos (E_max from the inverse regularised incomplete gamma
function).

**Time structure.** :class:`SupernovaModel` reads a simulated burst — luminosity L(t), ⟨E⟩(t)
and ⟨E²⟩(t) per flavour, the Garching models s27.0c and s11.2c with the LS220 equation of
state (R. Bollig et al., Garching supernova archive; A. Mirizzi et al., Riv. Nuovo Cim. 39, 1
(2016), arXiv:1508.00785, Fig. 17; files in ``data/supernova/``, provenance in their
headers) — and gives

* the time-integrated spectrum dN/dE = ∫ dt Ṅ(t) f_{α(t)}(E; ⟨E⟩(t)), Ṅ = L/⟨E⟩, with the
  pinching of each time step from its moments, α = (2⟨E⟩² − ⟨E²⟩)/(⟨E²⟩ − ⟨E⟩²) (Keil,
  Raffelt & Janka 2003, eq. 4), trapezoid rule over the table's times;
* the emission-time distribution Ṅ(t)/N, linear between the table's times (its CDF and bin
  fractions exact for that interpolant).

The prediction engine folds energy and time as a product: each flavour's time-integrated
spectrum times its emission-time distribution. The spectrum's evolution during the burst
(harder in the first second) is therefore averaged in each time bin; totals and the recoil
spectrum summed over time are exact. :class:`SupernovaBurst` takes the same time profiles
(``time_profile``, default the s27.0c model's Ṅ(t) shape per flavour) for its benchmark
spectra. The ν_x file is used for ν_μ, ν_τ and their antineutrinos; no flavour conversion
is applied (CEvNS is flavour blind at tree level). t = 0 is the core bounce.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammainccinv, gammaln

from cevns.errors import CevnsInputError, require_choice, require_finite, require_positive
from cevns.sources.base import NeutrinoSource
from cevns.sources.flavors import FLAVORS, check_flavor
from cevns.sources.timing import bin_fractions_from_cdf
from cevns.units import MeV, joule, kpc, parsec, s

#: The erg, 1e-7 J (CGS).
erg: float = 1e-7 * joule

#: Tail fraction left beyond the quadrature's upper end.
_TAIL = 1e-13


@dataclass(frozen=True)
class FlavorEmission:
    """Time-integrated emission of one flavour: total energy, mean energy and pinching α."""

    total_energy: float
    mean_energy: float
    alpha: float

    def __post_init__(self) -> None:
        require_positive("total energy", self.total_energy, "internal energy units")
        require_positive("mean energy", self.mean_energy, "internal energy units")
        alpha = float(require_finite("alpha", self.alpha))
        if alpha <= -1:
            raise CevnsInputError(f"alpha (pinching) must exceed -1; got {alpha!r}")

    @classmethod
    def from_luminosity(
        cls, luminosity: float, duration: float, mean_energy: float, alpha: float
    ) -> FlavorEmission:
        """Emission of a constant ``luminosity`` (energy per time) for ``duration``."""
        power = float(require_positive("luminosity", luminosity, "internal power units"))
        time = float(require_positive("duration", duration, "internal time units"))
        return cls(power * time, mean_energy, alpha)

    @property
    def number(self) -> float:
        """Neutrinos emitted, E_tot / ⟨E⟩."""
        return self.total_energy / self.mean_energy


def _default_emission() -> dict[str, FlavorEmission]:
    energy = 5e52 * erg
    means = {"nu_e": 12.0, "nu_e_bar": 15.0}
    return {
        flavor: FlavorEmission(energy, means.get(flavor, 18.0) * MeV, 2.3)
        for flavor in ("nu_e", "nu_mu", "nu_tau", "nu_e_bar", "nu_mu_bar", "nu_tau_bar")
    }


#: The benchmark burst of the module docstring (Scholberg 2012 review values).
DEFAULT_SUPERNOVA: dict[str, FlavorEmission] = _default_emission()
#: Default distance, 10 kpc.
DEFAULT_DISTANCE: float = 10 * kpc


def alpha_fit_density(
    energy: np.ndarray, mean_energy: float | np.ndarray, alpha: ArrayLike
) -> np.ndarray:
    """The normalised alpha-fit shape f(E) of Keil, Raffelt & Janka (module docstring);
    ``mean_energy`` and ``alpha`` broadcast against ``energy``."""
    a1 = np.asarray(alpha, dtype=float) + 1.0
    x = a1 * energy / mean_energy
    positive = x > 0
    safe = np.where(positive, x, 1.0)
    shape = np.exp((a1 - 1.0) * np.log(safe) - safe - gammaln(a1))
    # At E = 0 the density is 0 for α > 0, 1/Γ(1) = 1 for α = 0 (and divergent but
    # integrable for −1 < α < 0, never sampled by the quadrature).
    at_zero = np.where(a1 > 1.0, 0.0, np.where(a1 == 1.0, 1.0, np.inf))
    return np.where(positive, shape, at_zero) * a1 / mean_energy


#: Simulated bursts with time structure (``data/supernova/garching_<model>_<flavour>.csv``).
SUPERNOVA_MODELS: tuple[str, ...] = ("garching-s27.0c-LS220", "garching-s11.2c-LS220")
_MODEL_FILES = {"nu_e": "nue", "nu_e_bar": "nuebar"}
_FOE = 1e51 * 1e-7 * joule


@dataclass(frozen=True)
class FlavorHistory:
    """One flavour of a simulated burst: times, number rate Ṅ = L/⟨E⟩, ⟨E⟩ and α per time."""

    times: np.ndarray
    number_rate: np.ndarray
    mean_energy: np.ndarray
    alpha: np.ndarray

    @property
    def weights(self) -> np.ndarray:
        """Trapezoid weights of the times: Σ w_i g(t_i) ≈ ∫ g dt."""
        steps = np.diff(self.times)
        return 0.5 * (np.concatenate([steps, [0.0]]) + np.concatenate([[0.0], steps]))

    @property
    def number(self) -> float:
        """Neutrinos emitted: ∫ Ṅ dt (trapezoid rule, the integral of the linear Ṅ)."""
        return float(np.sum(self.weights * self.number_rate))

    @property
    def energy(self) -> float:
        """Energy emitted: ∫ Ṅ ⟨E⟩ dt (trapezoid rule)."""
        return float(np.sum(self.weights * self.number_rate * self.mean_energy))


def supernova_history(model: str, flavor: str) -> FlavorHistory:
    """The time history of ``flavor`` in a simulated burst (:data:`SUPERNOVA_MODELS`);
    the heavy-lepton flavours share one history object (one table)."""
    name = require_choice("supernova model", model, SUPERNOVA_MODELS)
    return _history_from_table(name, _MODEL_FILES.get(check_flavor(flavor), "nux"))


@cache
def _history_from_table(name: str, key: str) -> FlavorHistory:
    stem = name.replace("garching-", "garching_").replace("-LS220", "_LS220")
    path = f"data/supernova/{stem}_{key}.csv"
    text = resources.files("cevns.sources").joinpath(path).read_text("utf-8")
    rows = [
        [float(x) for x in line.split(",")]
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    ]
    time, luminosity, mean, mean2 = np.array(rows).T
    alpha = (2.0 * mean**2 - mean2) / (mean2 - mean**2)
    return FlavorHistory(
        time * s, luminosity * _FOE / s / (mean * MeV), mean * MeV, np.clip(alpha, -0.9, None)
    )


class TimeProfile:
    """An emission-time distribution from a rate sampled at ``times`` (linear between them,
    zero outside), normalised to 1; density, CDF and bin fractions exact for that shape."""

    def __init__(self, times: np.ndarray, rate: np.ndarray):
        self.times = np.asarray(times, dtype=float)
        rate = np.asarray(rate, dtype=float)
        areas = 0.5 * (rate[1:] + rate[:-1]) * np.diff(self.times)
        total = float(np.sum(areas))
        self.rate = rate / total
        self._cumulative = np.concatenate([[0.0], np.cumsum(areas) / total])

    def density(self, t: ArrayLike) -> np.ndarray:
        """Fraction emitted per unit time at ``t``."""
        return np.interp(np.asarray(t, dtype=float), self.times, self.rate, left=0.0, right=0.0)

    def cdf(self, t: ArrayLike) -> np.ndarray:
        """Fraction emitted before ``t`` (quadratic within a step of the linear rate)."""
        x = np.asarray(t, dtype=float)
        k = np.clip(np.searchsorted(self.times, x, side="right") - 1, 0, len(self.times) - 2)
        t0, r0 = self.times[k], self.rate[k]
        slope = (self.rate[k + 1] - r0) / (self.times[k + 1] - t0)
        dt = np.clip(x - t0, 0.0, self.times[k + 1] - t0)
        value = self._cumulative[k] + r0 * dt + 0.5 * slope * dt**2
        return np.where(x <= self.times[0], 0.0, np.where(x >= self.times[-1], 1.0, value))


def model_time_profiles(model: str) -> dict[str, TimeProfile]:
    """Each flavour's emission-time distribution Ṅ(t)/N in a simulated burst."""
    profiles = {}
    for flavor in FLAVORS:
        history = supernova_history(model, flavor)
        profiles[flavor] = TimeProfile(history.times, history.number_rate)
    return profiles


class _TimedSource:
    """Time methods shared by the bursts (the engine's pulsed-source interface)."""

    time_profiles: dict[str, TimeProfile] | None

    if TYPE_CHECKING:
        # Provided by NeutrinoSource, the other base of every class using this mixin.
        def check_emitted(self, flavor: object) -> str: ...

    def _profile(self, flavor: str) -> TimeProfile:
        name = self.check_emitted(flavor)
        if not self.time_profiles or name not in self.time_profiles:
            raise CevnsInputError(
                f"this supernova source has no time profile for {name}; give time_profile="
                f"(one of {', '.join(SUPERNOVA_MODELS)}) or leave the time bins out"
            )
        return self.time_profiles[name]

    def time_density(self, flavor: str, t: ArrayLike) -> np.ndarray:
        """Emission-time density of ``flavor`` (per time, normalised to 1); t = 0 at bounce."""
        return self._profile(flavor).density(t)

    def time_cdf(self, flavor: str, t: ArrayLike) -> np.ndarray:
        """Fraction of ``flavor`` emitted before ``t``."""
        return self._profile(flavor).cdf(t)

    def time_bin_fractions(self, flavor: str, edges: ArrayLike) -> np.ndarray:
        """Fraction of ``flavor`` emitted in each bin between increasing ``edges``."""
        profile = self._profile(flavor)
        return bin_fractions_from_cdf(profile.cdf, edges)


class SupernovaBurst(_TimedSource, NeutrinoSource):
    """A supernova burst; ``emission`` maps flavour → :class:`FlavorEmission`;
    ``time_profile`` names the simulated burst whose Ṅ(t) shape gives the emission times
    (default ``garching-s27.0c-LS220``; None: no time structure).

    >>> from cevns import SupernovaBurst
    >>> from cevns.units import MeV
    >>> burst = SupernovaBurst()
    >>> print(f"{burst.neutrinos_per_unit('nu_e'):.3g} nu_e per burst")
    2.6e+57 nu_e per burst
    >>> print(f"<E(nu_e)> = {burst.mean_energy('nu_e') / MeV:.1f} MeV")
    <E(nu_e)> = 12.0 MeV
    """

    source_unit = "burst"

    def __init__(
        self,
        emission: dict[str, FlavorEmission] | None = None,
        time_profile: str | None = "garching-s27.0c-LS220",
    ):
        chosen = DEFAULT_SUPERNOVA if emission is None else emission
        if not chosen:
            raise CevnsInputError("a supernova burst needs at least one flavour")
        self.emission = {check_flavor(k): v for k, v in chosen.items()}
        self.flavors = tuple(self.emission)
        self.time_profiles = None if time_profile is None else model_time_profiles(time_profile)

    def neutrinos_per_unit(self, flavor: str) -> float:
        return self.emission[self.check_emitted(flavor)].number

    def _support(self, flavor: str) -> np.ndarray:
        e = self.emission[flavor]
        x_max = float(gammainccinv(e.alpha + 1.0, _TAIL))
        return np.array([0.0, x_max * e.mean_energy / (e.alpha + 1.0)])

    def _density(self, flavor: str, energy: np.ndarray) -> np.ndarray:
        e = self.emission[flavor]
        return e.number * alpha_fit_density(energy, e.mean_energy, e.alpha)

    def mean_energy(self, flavor: str) -> float:
        """⟨E⟩ of the flavour (exact)."""
        return self.emission[self.check_emitted(flavor)].mean_energy


class SupernovaModel(_TimedSource, NeutrinoSource):
    """A simulated burst (:data:`SUPERNOVA_MODELS`) per burst: the time-integrated spectrum
    and the emission times of each flavour (module docstring)."""

    source_unit = "burst"

    def __init__(self, model: str = "garching-s27.0c-LS220"):
        self.model = require_choice("supernova model", model, SUPERNOVA_MODELS)
        self._use({f: supernova_history(self.model, f) for f in FLAVORS})

    def _use(self, histories: dict[str, FlavorHistory]) -> None:
        self.flavors = tuple(histories)
        self.histories = histories
        self.time_profiles = {f: TimeProfile(h.times, h.number_rate) for f, h in histories.items()}
        self._grids: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    @classmethod
    def from_histories(cls, label: str, histories: dict[str, FlavorHistory]) -> SupernovaModel:
        """A burst from per-flavour histories (e.g. a snewpy model's,
        :func:`cevns.sources.snewpy_models.snewpy_histories`); ``label`` names it."""
        if not histories:
            raise CevnsInputError("a supernova model needs at least one flavour history")
        burst = cls.__new__(cls)
        burst.model = label
        burst._use({check_flavor(k): v for k, v in histories.items()})
        return burst

    def neutrinos_per_unit(self, flavor: str) -> float:
        return self.histories[self.check_emitted(flavor)].number

    def total_energy(self, flavor: str) -> float:
        """Energy carried by ``flavor`` (internal energy units)."""
        return self.histories[self.check_emitted(flavor)].energy

    def _support(self, flavor: str) -> np.ndarray:
        h = self.histories[flavor]
        tail = gammainccinv(h.alpha + 1.0, _TAIL) * h.mean_energy / (h.alpha + 1.0)
        top = float(np.max(tail[h.number_rate > 0]))
        # Extra breakpoints where the spectra peak, for the engine's piecewise integrals.
        inner = np.array([1.0, 2.5, 5.0, 10.0, 20.0, 40.0]) * MeV
        return np.concatenate([[0.0], inner[inner < top], [top]])

    def exact_density(self, flavor: str, energy: ArrayLike) -> np.ndarray:
        """dN/dE = Σ_i w_i Ṅ_i f_{α_i}(E; ⟨E⟩_i), summed over the table's times (slow)."""
        h = self.histories[self.check_emitted(flavor)]
        e = np.asarray(energy, dtype=float)[..., np.newaxis]
        shapes = alpha_fit_density(e, h.mean_energy, h.alpha)
        return np.sum(shapes * (h.weights * h.number_rate), axis=-1)

    def _grid(self, flavor: str) -> tuple[np.ndarray, np.ndarray]:
        # Flavours sharing one history (ν_μ, ν_τ) share one grid.
        key = id(self.histories[flavor])
        if key not in self._grids:
            self._grids[key] = self._fine_grid(flavor)
        return self._grids[key]

    def _fine_grid(self, flavor: str) -> tuple[np.ndarray, np.ndarray]:
        # The sum over ~500 time steps is evaluated once on a fine grid (2.5 keV steps to
        # 40 MeV, then 0.1 MeV) and interpolated linearly: 1e-5 of the normalisation, < 1e-4
        # of the density where it matters (tests/test_sources_supernova_time.py).
        top = self._support(flavor)[-1]
        grid = np.unique(
            np.concatenate(
                [
                    np.linspace(0.0, 40.0 * MeV, 16001),
                    np.arange(40.0 * MeV, top, 0.1 * MeV),
                    [top],
                ]
            )
        )
        return grid, self.exact_density(flavor, grid)

    def _density(self, flavor: str, energy: np.ndarray) -> np.ndarray:
        grid, values = self._grid(flavor)
        return np.interp(energy, grid, values, left=0.0, right=0.0)


def luminosity_unit() -> float:
    """erg per second, the usual unit of supernova neutrino luminosity."""
    return erg / s


__all__ = [
    "DEFAULT_DISTANCE",
    "DEFAULT_SUPERNOVA",
    "SUPERNOVA_MODELS",
    "FlavorEmission",
    "FlavorHistory",
    "SupernovaBurst",
    "SupernovaModel",
    "TimeProfile",
    "alpha_fit_density",
    "erg",
    "kpc",
    "luminosity_unit",
    "model_time_profiles",
    "parsec",
    "supernova_history",
]
