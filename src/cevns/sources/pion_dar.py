"""Neutrinos from π⁺ decay at rest: the prompt ν_μ line and the delayed Michel spectra.

π⁺ → μ⁺ ν_μ at rest gives a line at E_ν = (m_π² − m_μ²)/(2 m_π) ≈ 29.79 MeV (two-body
kinematics). μ⁺ → e⁺ ν_e ν̄_μ at rest gives, neglecting the electron mass and radiative
corrections, with x = E/m_μ ∈ [0, 1/2] (L. Michel, Proc. Phys. Soc. A 63, 514 (1950); in
the form used for stopped-pion CEvNS by K. Scholberg, Phys. Rev. D 73, 033005 (2006),
arXiv:hep-ex/0511042):

* ν_e:  dN/dE = (192/m_μ) x² (1/2 − x), mean (3/5)(m_μ/2) = 0.3 m_μ;
* ν̄_μ: dN/dE = (64/m_μ) x² (3/4 − x), mean (7/10)(m_μ/2) = 0.35 m_μ;

both normalised to 1 and ending at m_μ/2 ≈ 52.83 MeV. Each flavour carries
``neutrinos_per_proton_per_flavor`` neutrinos per proton on target (the source unit).
π⁻ are almost all captured in the heavy target and decays in flight are below 1 %
(COHERENT, arXiv:2109.11049, Sec. I), so both are neglected.

Neutrinos per flavour per proton — presets (each with the 10 % uncertainty quoted by its
source) in :data:`NEUTRINOS_PER_PROTON_PRESETS`:

* ``"2017-csi"`` 0.08 — COHERENT, Science 357, 1123 (2017), arXiv:1708.01294 (first CsI
  exposure, 1.76e23 POT = 7.48 GWh, mean proton energy 0.955 GeV);
* ``"2021-csi"`` 0.0848 — COHERENT, PRL 129, 081801 (2022), arXiv:2110.07730, from the
  Geant4 flux simulation of arXiv:2109.11049 (PRD 106, 032003); full CsI dataset, 3.198e23
  POT = 13.99 GWh, mean proton energy 0.983 GeV;
* ``"2020-lar"`` 0.09 — COHERENT CENNS-10, PRL 126, 012002 (2021), arXiv:2003.10630, and
  its data release arXiv:2006.12659 (``neutrinosPerProton`` in LArParametersAnlA.yaml, which
  attributes the increase over 0.08 to the higher proton energy); 13.8e22 POT = 6.12 GWh,
  mean proton energy 0.997 GeV.

Energy dependence (:func:`neutrinos_per_proton_at_energy`): the yield per proton grows with
the proton kinetic energy T between the three COHERENT exposures above — 0.08 at 0.955 GeV,
0.0848 at 0.983 GeV, 0.09 at 0.997 GeV (the argon release attributes the rise to the higher
proton energy) — and the model interpolates linearly between them. Above 0.997 GeV it is held
at 0.09: seeds/002 (R. Wendell, NPN 2026) quotes 4.7e7 ν cm⁻² s⁻¹ at 20 m for 1.9 MW at
1.3 GeV, which implies 0.086 ν/flavour/proton, consistent with a flat yield within its 10 %
uncertainty and inconsistent with a steep rise. Below 0.955 GeV the slope of the lowest
segment is continued down to zero at T ≈ 0.49 GeV. Outside 0.955–1.3 GeV the values are
extrapolations, flagged by :func:`yield_model_is_extrapolated` (Lujan at 0.8 GeV, ESS at 2 GeV,
J-PARC at 3 GeV, CSNS at 1.6 GeV). The target material (Hg at the SNS, W elsewhere) is not
modelled. The energy-dependence curve of the Geant4 study arXiv:2109.11049 should replace this
model when its tabulated values are at hand.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from cevns.constants import charged_pion_mass, muon_mass
from cevns.errors import CevnsInputError, require_positive, unknown_name_error
from cevns.sources.base import NeutrinoSource
from cevns.sources.timing import (
    DecayTimeProfile,
    GaussianPulse,
    ProtonPulse,
    bin_fractions_from_cdf,
)
from cevns.units import GeV, ns

#: Prompt flavour (π⁺ decay) and delayed flavours (μ⁺ decay).
PROMPT_FLAVORS: tuple[str, ...] = ("nu_mu",)
DELAYED_FLAVORS: tuple[str, ...] = ("nu_e", "nu_mu_bar")

#: Neutrinos per flavour per proton on target, by name; see the module docstring.
NEUTRINOS_PER_PROTON_PRESETS: dict[str, float] = {
    "2017-csi": 0.08,
    "2021-csi": 0.0848,
    "2020-lar": 0.09,
}
#: Relative uncertainty of each preset (10 %, as quoted by each source above).
NEUTRINOS_PER_PROTON_RELATIVE_UNCERTAINTY = 0.10

#: Mean proton kinetic energy of each preset's exposure: beam energy / protons on target
#: (2017: 7.48 GWh / 1.76e23; 2021: 13.99 GWh / 3.198e23; 2020: 6.12 GWh / 1.38e23).
PRESET_PROTON_ENERGIES: dict[str, float] = {
    "2017-csi": 0.955 * GeV,
    "2021-csi": 0.983 * GeV,
    "2020-lar": 0.997 * GeV,
}

#: Anchors of the yield model, in increasing proton energy (the three presets).
_MODEL_ANCHORS = ("2017-csi", "2021-csi", "2020-lar")
#: Proton energies over which the yield model is supported by published values: the
#: anchors up to the seeds/002 cross-check at 1.3 GeV.
YIELD_MODEL_VALIDITY = (0.955 * GeV, 1.3 * GeV)


def neutrinos_per_proton_at_energy(proton_kinetic_energy: float) -> float:
    """Neutrinos per flavour per proton at proton kinetic energy T.

    Piecewise linear through (0.955 GeV, 0.08), (0.983 GeV, 0.0848), (0.997 GeV, 0.09),
    constant above, and continued with the lowest segment's slope below (see the module
    docstring for sources and caveats). Raises where that continuation reaches zero.
    """
    energy = float(
        require_positive("proton kinetic energy", proton_kinetic_energy, "internal energy units")
    )
    energies = np.array([PRESET_PROTON_ENERGIES[name] for name in _MODEL_ANCHORS])
    yields = np.array([NEUTRINOS_PER_PROTON_PRESETS[name] for name in _MODEL_ANCHORS])
    if energy >= energies[0]:
        return float(np.interp(energy, energies, yields))
    slope = (yields[1] - yields[0]) / (energies[1] - energies[0])
    value = yields[0] + slope * (energy - energies[0])
    if value <= 0:
        threshold = energies[0] - yields[0] / slope
        raise CevnsInputError(
            f"proton kinetic energy must exceed the yield model's effective threshold "
            f"{threshold / GeV:.3f} GeV; got {energy / GeV:.3f} GeV"
        )
    return float(value)


def yield_model_is_extrapolated(proton_kinetic_energy: float) -> bool:
    """True if T lies outside the 0.955–1.3 GeV range the yield model is supported on."""
    low, high = YIELD_MODEL_VALIDITY
    return not (low <= proton_kinetic_energy <= high)


def resolve_neutrinos_per_proton(value: float | str) -> float:
    """A preset name or a positive number → neutrinos per flavour per proton."""
    if isinstance(value, str):
        if value not in NEUTRINOS_PER_PROTON_PRESETS:
            raise unknown_name_error(
                "neutrinos-per-proton preset", value, NEUTRINOS_PER_PROTON_PRESETS
            )
        return NEUTRINOS_PER_PROTON_PRESETS[value]
    return float(require_positive("neutrinos_per_proton_per_flavor", value))


def nu_mu_line_energy() -> float:
    """E_ν of π⁺ → μ⁺ ν_μ at rest: (m_π² − m_μ²)/(2 m_π) (two-body kinematics)."""
    return (charged_pion_mass**2 - muon_mass**2) / (2.0 * charged_pion_mass)


def michel_endpoint() -> float:
    """The end of the μ⁺ decay-at-rest neutrino spectra, m_μ/2 (massless electron)."""
    return 0.5 * muon_mass


class PionDecayAtRest(NeutrinoSource):
    """Stopped-π⁺ neutrinos per proton on target, with optional pulse timing.

    ``neutrinos_per_proton_per_flavor`` is a number or a preset name of
    :data:`NEUTRINOS_PER_PROTON_PRESETS` (default ``"2021-csi"``). ``pulse`` sets the proton
    time structure for :meth:`time_density` (default: the SNS Gaussian, σ = 150 ns,
    centred on t = 0; see :mod:`cevns.sources.timing`). ``arrival_times`` replaces the
    computed time density of some flavours by a measured or simulated one (a
    :class:`~cevns.sources.timing.ProtonPulse` used as a normalised density, e.g.
    :class:`~cevns.sources.timing.TabulatedPulse` from a release's arrival-time table).

    Raises :class:`~cevns.errors.CevnsInputError` for a non-positive yield or an unknown
    preset.

    >>> from cevns import PionDecayAtRest
    >>> from cevns.units import MeV
    >>> source = PionDecayAtRest(0.0848)
    >>> source.flavors, source.neutrinos_per_unit("nu_e")
    (('nu_mu', 'nu_e', 'nu_mu_bar'), 0.0848)
    >>> print(f"<E(nu_e)> = {source.mean_energy('nu_e') / MeV:.2f} MeV")
    <E(nu_e)> = 31.70 MeV
    """

    flavors = ("nu_mu", "nu_e", "nu_mu_bar")
    source_unit = "proton on target"

    def __init__(
        self,
        neutrinos_per_proton_per_flavor: float | str = "2021-csi",
        pulse: ProtonPulse | None = None,
        arrival_times: Mapping[str, ProtonPulse] | None = None,
    ):
        self.neutrinos_per_proton_per_flavor = resolve_neutrinos_per_proton(
            neutrinos_per_proton_per_flavor
        )
        self.timing = DecayTimeProfile(pulse if pulse is not None else sns_default_pulse())
        self.arrival_times = dict(arrival_times or {})
        for flavor in self.arrival_times:
            self.check_emitted(flavor)

    @classmethod
    def at_proton_energy(
        cls, proton_kinetic_energy: float, pulse: ProtonPulse | None = None
    ) -> PionDecayAtRest:
        """A source whose yield follows :func:`neutrinos_per_proton_at_energy`."""
        return cls(neutrinos_per_proton_at_energy(proton_kinetic_energy), pulse)

    @property
    def pulse(self) -> ProtonPulse:
        """The proton pulse used for the time densities."""
        return self.timing.pulse

    # --- energy -------------------------------------------------------------------------
    def neutrinos_per_unit(self, flavor: str) -> float:
        self.check_emitted(flavor)
        return self.neutrinos_per_proton_per_flavor

    def line_energy(self, flavor: str) -> float | None:
        return nu_mu_line_energy() if self.check_emitted(flavor) == "nu_mu" else None

    def _support(self, flavor: str) -> np.ndarray:
        return np.array([0.0, michel_endpoint()])

    def _density(self, flavor: str, energy: np.ndarray) -> np.ndarray:
        x = energy / muon_mass
        inside = x <= 0.5
        # ν_e: 192 x²(1/2 − x); ν̄_μ: 64 x²(3/4 − x) (per m_μ, normalised to 1).
        shape = 192.0 * x**2 * (0.5 - x) if flavor == "nu_e" else 64.0 * x**2 * (0.75 - x)
        return np.where(inside, shape, 0.0) * self.neutrinos_per_proton_per_flavor / muon_mass

    def mean_energy(self, flavor: str) -> float:
        """Analytic means: m_π line for ν_μ, 0.3 m_μ for ν_e, 0.35 m_μ for ν̄_μ."""
        name = self.check_emitted(flavor)
        return {"nu_mu": nu_mu_line_energy(), "nu_e": 0.3 * muon_mass,
                "nu_mu_bar": 0.35 * muon_mass}[name]  # fmt: skip

    # --- time ---------------------------------------------------------------------------
    def time_density(self, flavor: str, t: ArrayLike) -> np.ndarray:
        """Emission-time density of ``flavor`` per unit time, normalised to 1 over time.

        Prompt (ν_μ): pulse ⊗ pion decay; delayed (ν_e, ν̄_μ): pulse ⊗ pion ⊗ muon decay.
        t = 0 is the nominal pulse centre (see :mod:`cevns.sources.timing`).
        """
        if self.check_emitted(flavor) in self.arrival_times:
            return self.arrival_times[flavor].density(np.asarray(t, dtype=float))
        if flavor in PROMPT_FLAVORS:
            return self.timing.prompt_density(t)
        return self.timing.delayed_density(t)

    def time_cdf(self, flavor: str, t: ArrayLike) -> np.ndarray:
        """Fraction of ``flavor`` emitted before ``t`` (exact)."""
        if self.check_emitted(flavor) in self.arrival_times:
            return self.arrival_times[flavor].cdf(np.asarray(t, dtype=float))
        if flavor in PROMPT_FLAVORS:
            return self.timing.prompt_cdf(t)
        return self.timing.delayed_cdf(t)

    def time_bin_fractions(self, flavor: str, edges: ArrayLike) -> np.ndarray:
        """Exact fraction of ``flavor`` emitted in each bin between increasing ``edges``."""
        self.check_emitted(flavor)
        return bin_fractions_from_cdf(lambda t: self.time_cdf(flavor, t), edges)


def sns_default_pulse() -> GaussianPulse:
    """The SNS proton pulse: Gaussian, σ = 150 ns, centred on t = 0 (arXiv:2006.12659)."""
    return GaussianPulse(sigma=150 * ns, mean=0.0)


__all__ = [
    "DELAYED_FLAVORS",
    "NEUTRINOS_PER_PROTON_PRESETS",
    "NEUTRINOS_PER_PROTON_RELATIVE_UNCERTAINTY",
    "PRESET_PROTON_ENERGIES",
    "PROMPT_FLAVORS",
    "YIELD_MODEL_VALIDITY",
    "PionDecayAtRest",
    "michel_endpoint",
    "neutrinos_per_proton_at_energy",
    "nu_mu_line_energy",
    "resolve_neutrinos_per_proton",
    "sns_default_pulse",
    "yield_model_is_extrapolated",
]
