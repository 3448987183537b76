"""Fit documents: build the joint likelihood, fit it, and report physics per experiment.

:func:`fit_experiments` is what ``cevns fit`` runs: it builds the likelihood of the named
presets or documents (:class:`~cevns.stats.likelihood.LikelihoodRecipe`), decides which
parameters are held (``fix``; with new-physics parameters ``free``, each CEvNS signal
strength is held at 1 so that the model sets the signal normalisation, with the flux
uncertainty still profiled), fits with MIGRAD/HESSE and MINOS on the measured
parameters, and returns the report (:mod:`cevns.stats.report`). A free parameter whose
interval reaches its physical boundary (a magnetic moment at 0) gets a one-sided 90 % CL
upper limit (``upper_limit`` in its row).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cevns.experiments.combination import load_combination
from cevns.stats.analysis import Analysis
from cevns.stats.fit import FitResult, fit
from cevns.stats.inference import at_lower_bound, one_sided_upper_limit, significance
from cevns.stats.likelihood import Likelihood, LikelihoodRecipe
from cevns.stats.report import analysis_report, parameter_table
from cevns.stats.summary import shared_signal_summary

#: Confidence level of the one-sided limit reported for a free parameter at its physical
#: boundary (Δχ² = 2.71, as ``cevns limit``).
LIMIT_LEVEL = 0.9


@dataclass
class FitOutcome:
    """The report of a fit, with the analyses, the fit result and the likelihood."""

    report: dict[str, Any]
    analyses: list[Analysis]
    result: FitResult
    likelihood: Likelihood


def fit_experiments(
    experiments: Sequence[str],
    data_directory: str | os.PathLike[str] | None = None,
    *,
    fix: Mapping[str, float] | None = None,
    free: Mapping[str, float | None] | None = None,
    max_calls: int | None = None,
    form_factor: str | None = None,
) -> FitOutcome:
    """Fit ``experiments`` (preset names or document paths) jointly (``cevns.fit``).

    Parameters
    ----------
    experiments
        Preset names, combination names or document paths, fitted with one likelihood
        (parameters of the same name are shared).
    data_directory
        The folder holding the data the documents name (default: ``CEVNS_DATA_DIR``,
        else the user cache).
    fix
        Parameters held at values.
    free
        New-physics parameters (:data:`cevns.interactions.models.PARAMETERS`) to fit,
        from a start value or (None) the Standard-Model one.
    max_calls
        Limit on MIGRAD's function calls.
    form_factor
        Overrides every document's form factor.

    Returns
    -------
    FitOutcome
        ``report`` (what ``cevns fit --json`` prints), the analyses, the fit result and
        the likelihood.

    Raises
    ------
    CevnsInputError
        No experiment, an unknown name, missing or damaged data files.
    FitNotConvergedError
        If the fit fails (:class:`~cevns.stats.fit.FitNotConvergedError`).

    Examples
    --------
    >>> from cevns import fit
    >>> fit([])
    Traceback (most recent call last):
    ...
    cevns.errors.CevnsInputError: a likelihood needs at least one experiment; got none
    >>> outcome = fit(["coherent-csi-2021"], "../shared/data")  # doctest: +SKIP
    >>> outcome.report["parameters"]["csi_cevns_scale"]  # doctest: +SKIP
    """
    from cevns.interactions.models import PARAMETERS, default_values

    fix = dict(fix or {})
    free = dict(free or {})
    # Model parameters that are held join the model at their value; free ones start from
    # the given value or the Standard-Model one.
    held_models = [n for n in fix if n in PARAMETERS]
    model_parameters = {
        **default_values([*held_models, *free]),
        **{n: v for n, v in free.items() if v is not None},
    }
    recipe = LikelihoodRecipe.create(
        experiments,
        data_directory,
        model_parameters,
        fix,
        hold_signal_scales=bool(free),
        form_factor=form_factor,
    )
    likelihood = recipe.build()
    analyses, cost, held = likelihood.analyses, likelihood.cost, likelihood.fixed
    scales = [a.signal_scale for a in analyses]
    minos = [s for s in scales if s not in held] + [n for n in free if n not in held]
    result = fit(cost, likelihood.start, fixed=list(held), minos=minos, max_calls=max_calls)
    per_experiment = []
    for analysis in analyses:
        z = None
        if analysis.signal_scale not in held:
            z = significance(cost, result, analysis.signal_scale)
        per_experiment.append(analysis_report(analysis, result, z))
    parameters: dict[str, dict[str, Any]] = parameter_table(result)
    for name in free:
        low, high = likelihood.limits[name]
        if name not in held and at_lower_bound(result, name, low):
            limit = one_sided_upper_limit(cost, result, name, LIMIT_LEVEL, high)
            parameters[name]["upper_limit"] = {"confidence_level": LIMIT_LEVEL, "value": limit}
    report: dict[str, Any] = {
        "experiments": per_experiment,
        "chi2": result.chi2,
        "ndof": result.ndof,
        "parameters": parameters,
    }
    if len(analyses) == 1:
        single = per_experiment[0]
        for key in ("cevns_events", "flux_averaged_cross_section_cm2", "significance_no_cevns"):
            report[key] = single[key]
    else:
        report["significance_no_cevns"] = _joint_significance(cost, result, scales, held)
    if not set(scales) & set(held):
        report |= shared_signal_summary(analyses, result, report["significance_no_cevns"])
    combinations = [c for c in map(load_combination, experiments) if c is not None]
    if len(combinations) == 1 and len(experiments) == 1:
        spec = combinations[0][0]
        report["combination"] = spec.name
        report["published"] = spec.published_json()
    return FitOutcome(report, analyses, result, likelihood)


def _joint_significance(cost, result: FitResult, scales, held) -> float | None:
    """√Δχ² of every free signal strength at 0 against the best fit."""
    free = [s for s in scales if s not in held]
    if not free:
        return None
    null = fit(cost, {**result.values, **dict.fromkeys(free, 0.0)}, fixed=[*free, *held])
    return float(max(null.minimum - result.minimum, 0.0) ** 0.5)


__all__ = ["FitOutcome", "fit_experiments"]
