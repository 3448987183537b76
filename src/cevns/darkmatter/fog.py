"""The neutrino fog: discovery limits against exposure, the opacity index and its n = 2 boundary.

For a target material, recoil energies from a threshold to ``max_recoil`` are split into
logarithmic bins; each neutrino background (:mod:`cevns.darkmatter.neutrinos`) and the WIMP
signal (:mod:`cevns.darkmatter.wimp`) are integrated over the bins (Gauss–Legendre in ln E_R,
:data:`NODES_PER_BIN` nodes per bin), per unit exposure. The detector is ideal: every
nuclear recoil above threshold is seen with its true energy, no other background.

* **Discovery limit** σ_DL(X, m_χ): :mod:`cevns.darkmatter.discovery` (Billard, Strigari &
  Figueroa-Feliciano, PRD 89, 023524 (2014), arXiv:1307.5458; Asimov approximation).
* **Opacity index** (C. A. J. O'Hare, "Fog on the horizon: a new definition of the neutrino
  floor for direct dark matter searches", PRL 127, 251802 (2021), arXiv:2109.03116):

      n = −(d ln σ_DL / d ln X)⁻¹,

  1 where the search is background free (σ_DL ∝ 1/X), 2 where it is background limited with
  Poisson statistics (σ_DL ∝ X^{−1/2}), and larger where the background uncertainty saturates
  the limit (the fog). It is evaluated by second-order finite differences of ln σ_DL on a grid
  of :data:`EXPOSURES_PER_DECADE` exposures per decade.
* **n = 2 boundary**: following the exposure upwards from the background-free regime, the
  discovery-limit cross section at which n first reaches 2 (interpolated linearly in n between
  grid points) — O'Hare's neutrino floor, the edge of the fog. Below it n ≥ 2 somewhere;
  deeper in the fog n can fall back towards 2 where spectral differences win.

Defaults follow O'Hare (2021) as published with his code (github.com/cajohare/NeutrinoFog,
``src/runNuFloor_SI.py``): threshold 10⁻⁴ keV (an idealised, essentially threshold-free
detector), 50 logarithmic bins up to 200 keV. The discovery criterion defaults to Billard's
(3σ in 90 % of experiments); O'Hare used the median experiment (:data:`MEDIAN_3SIGMA`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from cevns.darkmatter.discovery import (
    BILLARD_2014,
    BinnedModel,
    DiscoveryCriterion,
    discovery_limit,
    warm_discovery_limit,
)
from cevns.darkmatter.halo import BAXTER_2021, StandardHaloModel
from cevns.darkmatter.neutrinos import (
    NeutrinoBackground,
    default_backgrounds,
    recoil_spectrum,
    with_total_flux,
    with_uncertainties,
)
from cevns.darkmatter.wimp import differential_rate
from cevns.errors import CevnsInputError, require_positive
from cevns.nuclear.materials import Material, get_target
from cevns.quadrature import unit_gauss_legendre
from cevns.sources.solar import DEFAULT_MODEL
from cevns.units import keV, tonne, year

#: Recoil threshold of the ideal detector (O'Hare 2021: E_th = 1e-4 keV).
DEFAULT_THRESHOLD: float = 1e-4 * keV
#: Upper end of the recoil range (O'Hare 2021: 200 keV).
DEFAULT_MAX_RECOIL: float = 200.0 * keV
#: Logarithmic recoil bins (O'Hare 2021: 50).
DEFAULT_BINS = 50
#: Gauss–Legendre nodes per bin, in ln E_R.
NODES_PER_BIN = 4
#: Exposures per decade of the grid on which the opacity index is differentiated.
EXPOSURES_PER_DECADE = 10
#: The grid starts where the target expects this many neutrino events …
FIRST_BACKGROUND_EVENTS = 1e-3
#: … and stops two decades after n reaches 2, or at this exposure.
LARGEST_EXPOSURE: float = 1e12 * tonne * year

TONNE_YEAR: float = tonne * year


@dataclass(frozen=True)
class RecoilBinning:
    """Logarithmic bins from ``edges[0]`` to ``edges[-1]`` with quadrature ``nodes`` and
    ``weights`` (Σ over a bin's nodes of weight × f(node) ≈ ∫_bin f dE); ``owner[i]`` is the
    bin of node i."""

    edges: np.ndarray
    nodes: np.ndarray
    weights: np.ndarray
    owner: np.ndarray

    @classmethod
    def logarithmic(cls, threshold: float, max_recoil: float, bins: int) -> RecoilBinning:
        low = float(require_positive("threshold", threshold, "internal energy units"))
        high = float(require_positive("max_recoil", max_recoil, "internal energy units"))
        if high <= low:
            raise CevnsInputError(
                f"max_recoil must exceed the threshold ({low / keV:g} keV); got {high / keV:g} keV"
            )
        if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
            raise CevnsInputError(f"bins must be an integer ≥ 1; got {bins!r}")
        edges = np.geomspace(low, high, bins + 1)
        x, w = unit_gauss_legendre(NODES_PER_BIN)
        log_edges = np.log(edges)
        half = 0.5 * np.diff(log_edges)[:, None]
        log_nodes = log_edges[:-1, None] + half * (x + 1.0)
        nodes = np.exp(log_nodes)
        weights = half * w * nodes  # dE = E d(ln E)
        owner = np.repeat(np.arange(bins), NODES_PER_BIN)
        return cls(edges, nodes.ravel(), weights.ravel(), owner)

    def integrate(self, density: np.ndarray) -> np.ndarray:
        """Per-bin integrals of a density given at :attr:`nodes`."""
        return np.bincount(self.owner, self.weights * density, minlength=self.edges.size - 1)


@dataclass(frozen=True)
class FogSettings:
    """What a fog calculation assumes: the ideal detector's recoil range and bins, the
    discovery criterion, the halo, the solar model, and replacements for background fluxes
    (total flux per area per time, by background name) and relative uncertainties.
    ``name`` labels the set (``cevns``: these defaults)."""

    threshold: float = DEFAULT_THRESHOLD
    max_recoil: float = DEFAULT_MAX_RECOIL
    bins: int = DEFAULT_BINS
    criterion: DiscoveryCriterion = BILLARD_2014
    halo: StandardHaloModel = BAXTER_2021
    solar_model: str = DEFAULT_MODEL
    fluxes: Mapping[str, float] = field(default_factory=dict)
    uncertainties: Mapping[str, float] = field(default_factory=dict)
    name: str = "cevns"

    def binning(self) -> RecoilBinning:
        return RecoilBinning.logarithmic(self.threshold, self.max_recoil, self.bins)

    def backgrounds(self) -> tuple[NeutrinoBackground, ...]:
        """:func:`default_backgrounds` with the fluxes and uncertainties replaced."""
        found = default_backgrounds(self.solar_model)
        known = [b.name for b in found]
        for name in (*self.fluxes, *self.uncertainties):
            if name not in known:
                raise CevnsInputError(
                    f"unknown neutrino background {name!r}; known: {', '.join(sorted(known))}"
                )
        chosen = [
            with_total_flux(b, self.fluxes[b.name]) if b.name in self.fluxes else b for b in found
        ]
        return with_uncertainties(chosen, self.uncertainties)


@dataclass
class FogTarget:
    """A target with its binned neutrino backgrounds (per unit exposure), ready for any mass."""

    material: Material
    settings: FogSettings
    binning: RecoilBinning
    backgrounds: tuple[NeutrinoBackground, ...]
    background_rates: np.ndarray
    _signal_cache: dict[float, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def uncertainties(self) -> np.ndarray:
        return np.array([b.relative_uncertainty for b in self.backgrounds])

    def signal_rates(self, wimp_mass: float) -> np.ndarray:
        """WIMP events per bin per unit exposure and unit WIMP–nucleon cross section."""
        key = float(require_positive("wimp_mass", wimp_mass, "internal mass units"))
        if key not in self._signal_cache:
            density = differential_rate(
                self.binning.nodes, key, 1.0, self.material, self.settings.halo
            )
            self._signal_cache[key] = self.binning.integrate(density)
        return self._signal_cache[key]

    def model(self, wimp_mass: float) -> BinnedModel:
        """The binned signal and backgrounds for a WIMP of mass ``wimp_mass``."""
        return BinnedModel(self.signal_rates(wimp_mass), self.background_rates, self.uncertainties)


def prepare_target(
    target: Material | str,
    settings: FogSettings | None = None,
    backgrounds: tuple[NeutrinoBackground, ...] | None = None,
) -> FogTarget:
    """Bin the neutrino backgrounds (``backgrounds``, default those of ``settings``) on the
    target's recoil range."""
    material = get_target(target) if isinstance(target, str) else target
    settings = settings or FogSettings()
    binning = settings.binning()
    chosen = tuple(backgrounds) if backgrounds is not None else settings.backgrounds()
    if not chosen:
        raise CevnsInputError("the fog needs at least one neutrino background")
    rates = np.array(
        [binning.integrate(recoil_spectrum(b, material, binning.nodes)) for b in chosen]
    )
    return FogTarget(material, settings, binning, chosen, rates)


def opacity_index(exposures: ArrayLike, limits: ArrayLike) -> np.ndarray:
    """n = −(d ln σ / d ln X)⁻¹ on a grid (second-order differences of ln σ against ln X);
    infinite where σ stops falling."""
    log_x = np.log(np.asarray(exposures, dtype=float))
    log_sigma = np.log(np.asarray(limits, dtype=float))
    slope = np.gradient(log_sigma, log_x)
    with np.errstate(divide="ignore"):
        return np.where(slope < 0, -1.0 / slope, np.inf)


def n2_boundary(
    exposures: ArrayLike, limits: ArrayLike, opacity: ArrayLike | None = None
) -> tuple[float, float] | None:
    """(σ, X) where n first reaches 2 with growing exposure (linear in n between grid
    points; σ and X interpolated in their logarithms), or None if it never does."""
    x = np.asarray(exposures, dtype=float)
    sigma = np.asarray(limits, dtype=float)
    n = opacity_index(x, sigma) if opacity is None else np.asarray(opacity, dtype=float)
    reached = np.flatnonzero(n >= 2.0)
    if reached.size == 0:
        return None
    i = int(reached[0])
    if i == 0:
        return float(sigma[0]), float(x[0])
    fraction = 1.0 if not math.isfinite(n[i]) else (2.0 - n[i - 1]) / (n[i] - n[i - 1])
    log_sigma = math.log(sigma[i - 1]) + fraction * math.log(sigma[i] / sigma[i - 1])
    log_x = math.log(x[i - 1]) + fraction * math.log(x[i] / x[i - 1])
    return math.exp(log_sigma), math.exp(log_x)


@dataclass(frozen=True)
class MassFog:
    """The fog at one WIMP mass: discovery limits on an exposure grid, the opacity index
    there and the n = 2 boundary (σ, X), or None when n does not reach 2 on the grid."""

    wimp_mass: float
    exposures: np.ndarray
    limits: np.ndarray
    opacity: np.ndarray
    boundary: tuple[float, float] | None


def fog_for_mass(
    fog_target: FogTarget,
    wimp_mass: float,
    criterion: DiscoveryCriterion | None = None,
    per_decade: int = EXPOSURES_PER_DECADE,
    largest_exposure: float = LARGEST_EXPOSURE,
) -> MassFog:
    """Discovery limits from the background-free regime upwards in exposure, until two decades
    past the n = 2 boundary (or ``largest_exposure``); ``criterion`` defaults to the
    settings' criterion."""
    criterion = criterion or fog_target.settings.criterion
    model = fog_target.model(wimp_mass)
    if isinstance(per_decade, bool) or not isinstance(per_decade, int) or per_decade < 2:
        raise CevnsInputError(f"per_decade must be an integer ≥ 2; got {per_decade!r}")
    background_rate = float(model.total_background.sum())
    start = FIRST_BACKGROUND_EVENTS / background_rate if background_rate > 0 else TONNE_YEAR
    start = min(start, largest_exposure / 1e3)
    step = 10.0 ** (1.0 / per_decade)
    exposures: list[float] = []
    limits: list[float] = []
    guess, theta = None, None
    crossed_at = None
    exposure = start
    while exposure <= largest_exposure * (1 + 1e-9):
        limit, theta = warm_discovery_limit(model, exposure, criterion, guess, theta)
        if not math.isfinite(limit):
            break
        exposures.append(exposure)
        limits.append(limit)
        guess = limit
        if crossed_at is None and len(limits) >= 3:
            n = opacity_index(exposures[-3:], limits[-3:])
            if n[1] >= 2.0:
                crossed_at = len(limits)
        if crossed_at is not None and len(limits) - crossed_at >= 2 * per_decade:
            break
        exposure *= step
    x, sigma = np.array(exposures), np.array(limits)
    n = opacity_index(x, sigma) if x.size >= 2 else np.full(x.size, np.nan)
    return MassFog(float(wimp_mass), x, sigma, n, n2_boundary(x, sigma, n) if x.size >= 2 else None)


def discovery_limit_at(
    fog_target: FogTarget,
    wimp_mass: float,
    exposure: float,
    criterion: DiscoveryCriterion | None = None,
) -> float:
    """σ_DL for one WIMP mass and one exposure (criterion: the settings' by default)."""
    criterion = criterion or fog_target.settings.criterion
    return discovery_limit(fog_target.model(wimp_mass), exposure, criterion)


__all__ = [
    "DEFAULT_BINS",
    "DEFAULT_MAX_RECOIL",
    "DEFAULT_THRESHOLD",
    "FogSettings",
    "FogTarget",
    "MassFog",
    "RecoilBinning",
    "discovery_limit_at",
    "fog_for_mass",
    "n2_boundary",
    "opacity_index",
    "prepare_target",
]
