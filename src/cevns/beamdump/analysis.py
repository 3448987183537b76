"""Dark matter as a component of a CEvNS analysis, and its limits.

The χ–nucleus histogram (:mod:`cevns.beamdump.signal`), normalised to one event, enters
every measured sample of the document's likelihood (CsI 2021: the coincident data) as the
component ``dark-matter`` scaled by ``dm_events`` ≥ 0, fitted with CEvNS, the steady
state, BRN and NIN and their priors (``cevns.stats.assemble``). The dark matter is folded
through the ±1σ responses of the document's signal systematics too (quenching and
efficiency variants of the CsI release), so it follows the same nuisances as the CEvNS
(:func:`response_variants`); ``dm_events`` counts events with the nominal response.

**Event-count limits.** Δχ²(N) is the profile (every other parameter refitted) relative
to the best fit with N ≥ 0. COHERENT (arXiv:2110.11453) took the critical values from the
Feldman–Cousins construction near the boundary N ≥ 0 (G. J. Feldman and R. D. Cousins,
PRD 57, 3873 (1998)). Here that construction is done in its asymptotic (Gaussian) form:
with x ~ N(μ, σ) the unbounded estimate, the statistic is t = (x − μ)²/σ² for x ≥ 0 and
(μ² − 2μx)/σ² for x < 0, and the critical value c(μ/σ) solves P(t ≤ c) = CL; it runs from
1.64 at μ = 0 to 2.71 for μ ≫ σ (90 % CL). σ and the unbounded estimate come from a
parabola through the profile. The limit is the largest N with Δχ²(N) ≤ c(N/σ).
The Wilks value (2.71, the convention of :mod:`cevns.stats.limits`) is reported too;
:func:`toy_critical_value` builds the critical value from pseudo-experiments instead (the
check of the asymptotic form).

**Coupling limits.** The expected events scale as ε⁴α_D (production ∝ ε², scattering
∝ ε²α_D) at fixed masses, so Y_lim = Y_ref (N_lim/N_ref)^{1/2} at fixed α_D, with N_ref
the events at a reference point (ε = 10⁻⁴); for the leptophobic portal N ∝ α_B² α_χ and
α_B,lim = α_B,ref (N_lim/N_ref)^{1/2}.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr

from cevns.errors import CevnsInputError
from cevns.experiments.build import Experiment
from cevns.experiments.schema import ExperimentSpec
from cevns.stats.analysis import Analysis
from cevns.stats.cost import PoissonHistogram
from cevns.stats.fit import fit
from cevns.stats.model import BinnedModel, Component, ShapeSystematic

DM_PARAMETER = "dm_events"
DM_COMPONENT = "dark-matter"


#: Nuisance of the proton-pulse arrival time shared by the prompt CEvNS and the dark
#: matter (``--beam-timing``), and its ±1σ shift: the 0.56 ± 0.04 µs of the CsI preset.
TIMING_PARAMETER = "csi_pulse_mean_shift"
TIMING_SIGMA_US = 0.04


def with_dark_matter(
    base: Analysis,
    unit_histogram: np.ndarray,
    upper: float = 2000.0,
    timing: tuple[np.ndarray, np.ndarray] | None = None,
    response: Sequence[tuple[str, np.ndarray, np.ndarray | None]] = (),
) -> Analysis:
    """``base`` with the component ``dark-matter`` (``unit_histogram`` × ``dm_events``) in
    each measured sample; ``timing`` = (up, down) histograms with the pulse moved by ±1σ
    make the shape follow :data:`TIMING_PARAMETER`; ``response`` = (parameter, up, down)
    histograms folded with the ±1σ responses of the document's signal systematics make it
    follow the same nuisances as the CEvNS (:func:`response_variants`). ``dm_events`` is
    the number of events with the nominal response."""
    total = float(np.sum(unit_histogram))
    if not total > 0:
        raise CevnsInputError("the dark-matter histogram has no events in the analysis region")
    shape = np.asarray(unit_histogram, dtype=float) / total
    limits = {**base.limits, DM_PARAMETER: (0.0, upper)}
    variations = list(response)
    if timing is not None:
        variations.append((TIMING_PARAMETER, timing[0], timing[1]))
    systematics = tuple(
        ShapeSystematic.from_histograms(
            name,
            shape,
            np.asarray(up, dtype=float) / total,
            None if down is None else np.asarray(down, dtype=float) / total,
        )
        for name, up, down in variations
    )
    samples = []
    for sample in base.samples:
        if sample.auxiliary:
            samples.append(sample)
            continue
        dark = Component(DM_COMPONENT, shape, (DM_PARAMETER,), systematics)
        model = BinnedModel([*sample.model.components, dark])
        samples.append(PoissonHistogram(sample.observed, model, sample.name, limits, False))
    return dataclasses.replace(
        base, samples=samples, limits=limits, start={**base.start, DM_PARAMETER: 1.0}
    )


def feldman_cousins_critical(mu_over_sigma: float, confidence_level: float = 0.9) -> float:
    """Asymptotic Feldman–Cousins critical Δχ² for a true value μ ≥ 0 at a boundary (see
    the module docstring): 1.64 at μ = 0, → 2.71 for μ ≫ σ at 90 % CL."""
    mu = max(float(mu_over_sigma), 0.0)

    def coverage(c: float) -> float:
        root = math.sqrt(c)
        positive = ndtr(root) - ndtr(max(-mu, -root))  # x - mu in [max(-mu, -root), root]
        negative = 0.0
        if mu * mu < c:
            low = -math.inf if mu == 0 else (mu * mu - c) / (2.0 * mu)
            negative = ndtr(-mu) - ndtr(low - mu)
        return positive + negative - confidence_level

    return float(brentq(coverage, 1e-9, 30.0, xtol=1e-10))


@dataclass(frozen=True)
class EventLimit:
    """Upper limits on the dark-matter events and the fit they come from."""

    best_fit: float
    feldman_cousins: float
    wilks: float
    sigma: float
    chi2_best: float
    cevns_events: float


def _profile(cost, best, value: float) -> float:
    values = {**best.values, DM_PARAMETER: value}
    result = fit(cost, values, fixed=[DM_PARAMETER, *best.fixed], strategy=0)
    return result.minimum - best.minimum


def event_limit(analysis: Analysis, confidence_level: float = 0.9) -> EventLimit:
    """Feldman–Cousins (asymptotic) and Wilks upper limits on ``dm_events``."""
    cost = analysis.cost
    start = {name: analysis.start.get(name, 1.0) for name in cost._parameters}
    best = fit(cost, start, fixed=list(analysis.fixed))
    from scipy.stats import chi2

    wilks_value = float(chi2.ppf(confidence_level, 1))
    n0 = best.values[DM_PARAMETER]
    step = max(best.errors[DM_PARAMETER], 1.0)
    high = n0 + step
    while _profile(cost, best, high) < wilks_value:
        high = n0 + 2.0 * (high - n0)
        if high > analysis.limits[DM_PARAMETER][1]:
            raise CevnsInputError("the dark-matter events are not bounded below the fit range")
    wilks = float(brentq(lambda n: _profile(cost, best, n) - wilks_value, n0, high, xtol=1e-3))
    # Parabola through the profile above the best fit: Δχ² ≈ ((N − x̂)/σ)² − ((n0 − x̂)/σ)².
    points = np.array([n0 + (wilks - n0) * f for f in (0.4, 0.7, 1.0)])
    values = np.array([_profile(cost, best, n) for n in points])
    a, _, _ = np.polyfit(points, values, 2)
    sigma = 1.0 / math.sqrt(a) if a > 0 else (wilks - n0) / math.sqrt(wilks_value)

    def excess(n: float) -> float:
        return _profile(cost, best, n) - feldman_cousins_critical(n / sigma, confidence_level)

    low = n0 + 1e-6
    if excess(low) >= 0:
        fc = n0
    else:
        # The FC critical value is at most the Wilks one, so the crossing lies below the
        # Wilks limit; the profile is refitted at each point, so near μ ≫ σ (critical value
        # ≈ 2.71) its value at the Wilks limit can fall short by the fit tolerance: widen.
        high = wilks
        for _ in range(20):
            if excess(high) >= 0:
                break
            high = n0 + 1.1 * (high - n0) + 1e-3
        fc = float(brentq(excess, low, high, xtol=1e-3))
    return EventLimit(n0, fc, wilks, sigma, best.minimum, analysis.signal_events(best.values))


def toy_critical_value(
    analysis: Analysis,
    true_events: float,
    toys: int = 200,
    seed: int = 2026,
    confidence_level: float = 0.9,
) -> float:
    """The Feldman–Cousins critical value at ``true_events`` by pseudo-experiments, as
    COHERENT constructed it: Poisson toys of every sample around the best fit with
    N = ``true_events`` (Gaussian priors at their nominal centres), t = Δχ²(N_true)
    against the fit with N ≥ 0, and the ``confidence_level`` quantile of t.

    All toys are minimised at once, both ways (:func:`cevns.stats.toy_fits.
    minimise_toys`: 300 toys in 0.4 s against 1.0 s for a MIGRAD profile of each, the
    minima lower than MIGRAD's by up to 4 × 10⁻⁵); a toy that does not converge there is
    profiled with MIGRAD (:class:`~cevns.stats.likelihood.Profiler`, strategy 0, no
    HESSE: t needs minima, not errors)."""
    from cevns.stats.inference import toy_counts, with_counts
    from cevns.stats.lean_cost import lean_cost
    from cevns.stats.likelihood import Likelihood, Profiler
    from cevns.stats.toy_fits import minimise_toys

    cost = analysis.cost
    start = {name: analysis.start.get(name, 1.0) for name in cost._parameters}
    truth = fit(cost, {**start, DM_PARAMETER: true_events}, fixed=[DM_PARAMETER])
    counts = toy_counts(cost, truth.values, toys, seed)
    lean = lean_cost(cost)
    free_chi2 = np.full(toys, np.nan)
    held_chi2 = np.full(toys, np.nan)
    pending = list(range(toys))
    if lean is not None:
        row = np.array([truth.values[name] for name in lean.names])
        free = minimise_toys(lean, counts, row)
        held = minimise_toys(lean, counts, row, held=[DM_PARAMETER])
        both = free.converged & held.converged
        free_chi2[both], held_chi2[both] = free.chi2[both], held.chi2[both]
        pending = np.flatnonzero(~both).tolist()
    for index in pending:
        toy = with_counts(cost, counts[index])
        profiler = Profiler(Likelihood.of_cost(toy, truth.values), strategy=0)
        free_point = profiler({}, truth.values)
        held_point = profiler({DM_PARAMETER: true_events}, truth.values)
        if free_point.converged and held_point.converged:
            free_chi2[index], held_chi2[index] = free_point.chi2, held_point.chi2
    kept = np.isfinite(free_chi2) & np.isfinite(held_chi2)
    statistics = np.maximum(held_chi2[kept] - free_chi2[kept], 0.0).tolist()
    if not statistics:
        raise CevnsInputError("no pseudo-experiment converged")
    return float(np.quantile(statistics, confidence_level))


def toy_event_limit(
    analysis: Analysis,
    asymptotic: EventLimit,
    toys: int = 300,
    seed: int = 2026,
    confidence_level: float = 0.9,
) -> tuple[float, float]:
    """The Feldman–Cousins upper limit with the critical value from pseudo-experiments at
    the asymptotic limit (held constant nearby: it changes by < 0.1 per event there), and
    that critical value. With n toys the quantile's statistical error is about
    √(q(1 − q)/n)/f(c) ≈ 0.35 √(200/n) at 90 % CL."""
    cost = analysis.cost
    start = {name: analysis.start.get(name, 1.0) for name in cost._parameters}
    best = fit(cost, start, fixed=list(analysis.fixed))
    critical = toy_critical_value(analysis, asymptotic.feldman_cousins, toys, seed,
                                  confidence_level)  # fmt: skip
    n0 = asymptotic.best_fit

    def excess(n: float) -> float:
        return _profile(cost, best, n) - critical

    high = max(asymptotic.wilks, n0 + 1.0)
    while excess(high) < 0:
        high = n0 + 1.5 * (high - n0)
    if excess(n0 + 1e-6) >= 0:
        return n0, critical
    return float(brentq(excess, n0 + 1e-6, high, xtol=1e-3)), critical


def coupling_limit(reference_value: float, reference_events: float, event_limit_: float) -> float:
    """The coupling (Y, or α_B) at which ``event_limit_`` events are expected, for a model
    whose events scale with the coupling squared (see the module docstring)."""
    if not reference_events > 0:
        return math.inf
    return reference_value * math.sqrt(event_limit_ / reference_events)


def csi_analysis(
    data_dir: str | os.PathLike[str] | None,
    document: str = "coherent-csi-2021",
    beam_timing: bool = False,
):
    """The CEvNS analysis of ``document`` and its experiment (for the dark-matter folds).

    ``beam_timing`` adds the pulse arrival time as a nuisance of the CEvNS signal (the
    engine refolds it with the pulse mean moved by ±:data:`TIMING_SIGMA_US`; unit Gaussian
    prior), the beam-timing systematic of arXiv:2110.11453 that the release does not size.
    """
    from cevns.experiments.analysis_schema import SystematicSpec
    from cevns.experiments.build import build_experiment
    from cevns.experiments.load import load_experiment
    from cevns.stats.assemble import build_document_analysis

    spec = load_experiment(document)
    if beam_timing:
        pulse = getattr(spec.source, "pulse", None)
        if pulse is None or spec.analysis is None:
            raise CevnsInputError(f"{document}: --beam-timing needs source.pulse and [analysis]")
        mean_us = float(pulse.mean) / _microsecond()
        systematic = SystematicSpec.model_validate(
            {
                "parameter": TIMING_PARAMETER,
                "kind": "response",
                "up": {"pulse_mean": f"{mean_us + TIMING_SIGMA_US} us"},
                "down": {"pulse_mean": f"{mean_us - TIMING_SIGMA_US} us"},
            }
        )
        signal = spec.analysis.signal.model_copy(
            update={"systematics": [*spec.analysis.signal.systematics, systematic]}
        )
        spec = spec.model_copy(
            update={"analysis": spec.analysis.model_copy(update={"signal": signal})}
        )
    return build_document_analysis(spec, data_dir), build_experiment(spec, data_dir), spec


def response_variants(
    spec: ExperimentSpec, data_dir: str | os.PathLike[str] | None
) -> list[tuple[str, Experiment, Experiment | None]]:
    """The document's response systematics of the signal (quenching, efficiency, …; not
    the pulse time, which :data:`TIMING_PARAMETER` handles) as (parameter, +1σ experiment,
    −1σ experiment or None): the dark matter folded through them follows the same
    nuisances as the CEvNS, as in COHERENT's fit (arXiv:2110.11453)."""
    from cevns.experiments.analysis_schema import ResponseChange
    from cevns.experiments.build import build_experiment
    from cevns.stats.signal_component import changed_document

    if spec.analysis is None:
        return []
    out: list[tuple[str, Experiment, Experiment | None]] = []
    for systematic in spec.analysis.signal.systematics:
        changes = [c for c in (systematic.up, systematic.down) if c is not None]
        if (
            systematic.kind != "response"
            or systematic.parameter == TIMING_PARAMETER
            or not all(isinstance(c, ResponseChange) and c.pulse_mean is None for c in changes)
        ):
            continue
        built = [
            build_experiment(changed_document(spec, c), data_dir)
            if isinstance(c, ResponseChange)
            else None
            for c in (systematic.up, systematic.down)
        ]
        up, down = built
        assert up is not None  # SystematicSpec: up is required
        out.append((systematic.parameter, up, down))
    return out


def _microsecond() -> float:
    from cevns.units import us

    return us


__all__ = [
    "DM_COMPONENT",
    "DM_PARAMETER",
    "TIMING_PARAMETER",
    "TIMING_SIGMA_US",
    "EventLimit",
    "coupling_limit",
    "csi_analysis",
    "event_limit",
    "feldman_cousins_critical",
    "response_variants",
    "toy_critical_value",
    "toy_event_limit",
    "with_dark_matter",
]
