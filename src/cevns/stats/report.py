"""Physics results of a fit: CEvNS events, the flux-averaged cross section, components.

For an analysis with signal scale μ (expected CEvNS = μ × flux_norm × prediction):

* fitted CEvNS events N = Σ_bins of the signal component at the best fit, with the error
  propagated through the full covariance (:func:`cevns.stats.fit.propagate_error`);
* measured flux-averaged cross section ⟨σ⟩ = μ × ⟨σ⟩_SM, with asymmetric MINOS errors of μ
  (which profile the flux normalisation and every nuisance), as in arXiv:2110.07730;
* significance of CEvNS: Z = √Δχ² against μ = 0 (:func:`cevns.stats.inference.significance`).
"""

from __future__ import annotations

from typing import Any

from cevns.stats.analysis import Analysis
from cevns.stats.fit import FitResult, propagate_error
from cevns.units import cm2


def analysis_report(
    analysis: Analysis, result: FitResult, significance: float | None
) -> dict[str, Any]:
    """The per-experiment part of ``cevns fit --json``."""
    values = result.values
    scale = analysis.signal_scale
    sigma_sm = analysis.standard_model_cross_section
    low, high = result.minos.get(scale, (-result.errors[scale], result.errors[scale]))
    components: dict[str, float] = {}
    chi2, bins, observed = 0.0, 0, 0.0
    for sample in analysis.measurements:
        sample_values = [values[name] for name in sample._parameters]
        expected = sample.model.expected_by_component(sample.values_from(sample_values))
        for name, histogram in expected.items():
            components[name] = components.get(name, 0.0) + float(histogram.sum())
        chi2 += sample._value(sample_values)
        bins += int(sample.observed.size)
        observed += float(sample.observed.sum())
    return {
        "experiment": analysis.name,
        "cevns_events": {
            "value": analysis.signal_events(values),
            "error": propagate_error(analysis.signal_events, result),
        },
        "predicted_cevns_events": analysis.predicted_cevns_events,
        "signal_scale": {"value": values[scale], "error_low": -low, "error_high": high},
        "flux_averaged_cross_section_cm2": {
            "value": values[scale] * sigma_sm / cm2,
            "error_low": -low * sigma_sm / cm2,
            "error_high": high * sigma_sm / cm2,
            "standard_model": sigma_sm / cm2,
        },
        "significance_no_cevns": significance,
        "events_by_component": components,
        "observed_events": observed,
        "chi2": chi2,
        "bins": bins,
        "form_factor": analysis.form_factor,
        "published": dict(analysis.published),
    }


def parameter_table(result: FitResult) -> dict[str, dict[str, float]]:
    """Best-fit value and HESSE error of every parameter (MINOS where computed)."""
    table = {}
    for name, value in result.values.items():
        entry = {"value": value, "error": result.errors[name], "fixed": name in result.fixed}
        if name in result.minos:
            entry["minos_low"], entry["minos_high"] = result.minos[name]
        table[name] = entry
    return table
