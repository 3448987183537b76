"""The headline numbers of a fit whose analyses share one signal scale.

When every analysis of a fit scales its signal with the same parameter μ (the science runs
of one detector sharing the ⁸B flux; one experiment alone), the fit measures:

* the flux of the source, Φ = μ Φ_nominal, with MINOS errors of μ (``<name>_flux_cm2_s``,
  e.g. ``b8_flux_cm2_s``; for steady sources only);
* the flux-weighted cross section ⟨σ⟩ = μ ⟨σ⟩_SM (``flux_weighted_cross_section_cm2``);
* the significance of the signal, √Δχ² of μ = 0 against the best fit (``significance``);
* the background: the expected number of background events summed over the measured
  samples at the nominal parameter values, with the uncertainty the background priors give
  (each prior of relative width σ_p scales the events of its components; priors add in
  quadrature), and the number at the best fit (``background_events``).

This is the form in which XENONnT quotes its ⁸B result (PRL 133, 191002 (2024)): a flux
with asymmetric errors, a significance of the background-only hypothesis, and the expected
background.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from cevns.stats.analysis import Analysis
from cevns.stats.fit import FitResult
from cevns.units import cm2


def _background_events(
    analyses: Sequence[Analysis], values: dict[str, float]
) -> tuple[float, dict[str | None, float]]:
    """Σ background events over the measured samples at ``values``, and per norm parameter."""
    total = 0.0
    by_norm: dict[str | None, float] = {}
    for analysis in analyses:
        for sample in analysis.measurements:
            for component in sample.model.components:
                if component.name == analysis.signal_component:
                    continue
                events = float(component.expected(values).sum())
                total += events
                norm = component.scale_parameters[0] if component.scale_parameters else None
                by_norm[norm] = by_norm.get(norm, 0.0) + events
    return total, by_norm


def shared_signal_summary(
    analyses: Sequence[Analysis], result: FitResult, significance: float | None
) -> dict[str, Any]:
    """The summary keys (module docstring); empty when the analyses' signal scales differ."""
    scales = {a.signal_scale for a in analyses}
    if len(scales) != 1:
        return {}
    scale = scales.pop()
    value = result.values[scale]
    low, high = result.minos.get(scale, (-result.errors[scale], result.errors[scale]))
    summary: dict[str, Any] = {"signal_scale": scale, "significance": significance}
    fluxes = analyses[0].source_flux
    same = all(
        a.source_flux.keys() == fluxes.keys()
        and all(math.isclose(a.source_flux[k], v, rel_tol=1e-9) for k, v in fluxes.items())
        for a in analyses
    )
    if fluxes and same:
        for key, nominal in fluxes.items():
            summary[key] = {
                "value": value * nominal,
                "error_low": -low * nominal,
                "error_high": high * nominal,
                "nominal": nominal,
            }
    sigma = analyses[0].standard_model_cross_section
    if all(math.isclose(a.standard_model_cross_section, sigma, rel_tol=1e-9) for a in analyses):
        summary["flux_weighted_cross_section_cm2"] = {
            "value": value * sigma / cm2,
            "error_low": -low * sigma / cm2,
            "error_high": high * sigma / cm2,
            "standard_model": sigma / cm2,
        }
    start: dict[str, float] = {}
    for analysis in analyses:
        start.update(analysis.start)
        start.update(analysis.fixed)
    expected, by_norm = _background_events(analyses, {**result.values, **start})
    priors: dict[str, Any] = {}
    for analysis in analyses:
        priors.update(analysis.priors)
    variance = 0.0
    for norm, events in by_norm.items():
        prior = priors.get(norm) if norm is not None else None
        if prior is not None:
            width = prior.sigma / prior.mean if prior.kind == "gaussian" else prior.sigma
            variance += (width * events) ** 2
    fitted, _ = _background_events(analyses, result.values)
    summary["background_events"] = {
        "value": expected,
        "error": math.sqrt(variance),
        "fitted": fitted,
    }
    return summary


__all__ = ["shared_signal_summary"]
