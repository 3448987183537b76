"""The likelihood a scan, a limit or a fit works on, and the profile at one point.

* A :class:`LikelihoodRecipe` is a small frozen description of a likelihood
  (experiments, data directory, new-physics parameters with their defaults, fixed
  parameters, form factor). Work units carry it instead of the cost; each process builds
  the cost once and caches it (:func:`likelihood_for`).
* :func:`profile` minimises over every parameter that is not fixed (MIGRAD only, no
  HESSE: a scan needs minima, not errors), from a given start (warm starts);
  :func:`global_fit` is the fit with every parameter free.
"""

from __future__ import annotations

import importlib
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iminuit import Minuit

from cevns.errors import CevnsInputError

#: Document → analysis: ``build_analysis(name_or_path, data_directory, model_parameters=...,
#: form_factor=...)``.
DEFAULT_BUILDER = "cevns.stats.assemble:build_analysis"

#: MIGRAD strategy of scan points (0: fewest calls; the retry of a failure uses 1).
SCAN_STRATEGY = 0


@dataclass(frozen=True)
class LikelihoodRecipe:
    """What a worker needs to build the likelihood: small, frozen, picklable, hashable.

    ``experiments`` are preset names or document paths (made absolute). ``builder`` is
    ``"module:function"`` with the signature of :func:`cevns.stats.assemble.build_analysis`,
    ``builder(name, data_directory, model_parameters=..., form_factor=...)``
    (``model_parameters`` None when there are no new-physics parameters; ``form_factor``
    is passed only when set, otherwise each document keeps its own). The cost is the
    joint cost of the experiments (:func:`cevns.stats.analysis.combine`). ``fixed``
    parameters keep their value in every fit (with those the documents fix);
    ``hold_signal_scales`` also holds each analysis's CEvNS signal scale at 1 unless
    it is in ``fixed`` (as ``cevns fit --free`` does: the new-physics model then sets the
    signal normalisation, with the flux uncertainty still profiled).
    """

    experiments: tuple[str, ...]
    data_directory: str | None = None
    model_parameters: tuple[tuple[str, float], ...] = ()
    fixed: tuple[tuple[str, float], ...] = ()
    builder: str = DEFAULT_BUILDER
    hold_signal_scales: bool = False
    form_factor: str | None = None

    @classmethod
    def create(
        cls,
        experiments: Iterable[str],
        data_directory: str | os.PathLike[str] | None = None,
        model_parameters: Mapping[str, float] | None = None,
        fixed: Mapping[str, float] | None = None,
        builder: str = DEFAULT_BUILDER,
        hold_signal_scales: bool = False,
        form_factor: str | None = None,
    ) -> LikelihoodRecipe:
        """A recipe with normalised fields (unique experiments, absolute paths)."""
        from cevns.experiments.combination import expand_combinations

        expanded = expand_combinations(list(experiments))
        names = tuple(dict.fromkeys(_absolute_if_file(name) for name in expanded))
        if not names:
            raise CevnsInputError("a likelihood needs at least one experiment; got none")
        directory = None if data_directory is None else str(Path(data_directory).resolve())
        return cls(
            names,
            directory,
            tuple((k, float(v)) for k, v in (model_parameters or {}).items()),
            tuple((k, float(v)) for k, v in (fixed or {}).items()),
            builder,
            bool(hold_signal_scales),
            form_factor,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "experiments": list(self.experiments),
            "data_directory": self.data_directory,
            "model_parameters": dict(self.model_parameters),
            "fixed": dict(self.fixed),
            "builder": self.builder,
            "hold_signal_scales": self.hold_signal_scales,
            "form_factor": self.form_factor,
        }

    def build(self) -> Likelihood:
        """Build the analyses, combine them and collect start values and limits."""
        from cevns.stats.analysis import combine, merged_start

        module_name, _, function_name = self.builder.partition(":")
        builder = getattr(importlib.import_module(module_name), function_name)
        model_parameters = dict(self.model_parameters)
        options = {} if self.form_factor is None else {"form_factor": self.form_factor}
        analyses = [
            builder(
                name, self.data_directory, model_parameters=model_parameters or None, **options
            )
            for name in self.experiments
        ]
        cost = combine(*analyses)
        names = tuple(cost._parameters)
        limits = {name: _bounds(limits) for name, limits in cost._parameters.items()}
        fixed = {name: value for a in analyses for name, value in a.fixed.items()}
        fixed.update(self.fixed)
        if self.hold_signal_scales:
            for analysis in analyses:
                fixed.setdefault(analysis.signal_scale, 1.0)
        unknown = sorted(set(fixed) - set(names))
        if unknown:
            raise CevnsInputError(
                f"cannot fix {', '.join(unknown)}: not a parameter of the likelihood "
                f"{_close_match_hint(unknown[0], names)}"
            )
        for name, value in fixed.items():
            low, high = limits[name]
            if not low <= value <= high:
                raise CevnsInputError(
                    f"cannot fix {name} at {value:g}: outside its allowed range "
                    f"[{low:g}, {high:g}]"
                )
        start = {**merged_start(*analyses), **model_parameters, **fixed}
        missing = [name for name in names if name not in start]
        if missing:
            raise CevnsInputError(f"no start value for parameters {', '.join(missing)}")
        start = {n: float(start[n]) for n in names}
        return Likelihood(cost, start, names, limits, fixed, analyses)


def _absolute_if_file(name: str) -> str:
    """A document path made absolute (workers may run elsewhere); preset names unchanged."""
    path = Path(name)
    return str(path.resolve()) if path.suffix == ".toml" or path.is_file() else name


def _close_match_hint(name: str, names: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, names, n=3)
    if close:
        return f"(did you mean {', '.join(close)}?)"
    return f"(its parameters: {', '.join(names)})"


def _bounds(limits: tuple[float | None, float | None] | None) -> tuple[float, float]:
    """A cost's limits of one parameter as two floats (±inf where open)."""
    low, high = limits if limits is not None else (None, None)
    return (-math.inf if low is None else float(low), math.inf if high is None else float(high))


@dataclass
class Likelihood:
    """A built cost with its parameter names, start values, limits and fixed values, and
    the analyses it combines (for reports)."""

    cost: Any
    start: dict[str, float]
    names: tuple[str, ...]
    limits: dict[str, tuple[float, float]]
    fixed: dict[str, float]
    analyses: list = field(default_factory=list)

    def free_parameters(self, scanned: Iterable[str] = ()) -> tuple[str, ...]:
        """Parameters profiled at a scan point: neither fixed nor scanned."""
        excluded = set(self.fixed) | set(scanned)
        return tuple(n for n in self.names if n not in excluded)


#: Likelihoods built in this process, by recipe (each worker builds each recipe once).
_LIKELIHOODS: dict[LikelihoodRecipe, Likelihood] = {}


def likelihood_for(recipe: LikelihoodRecipe) -> Likelihood:
    """The likelihood of ``recipe``, built on first use in this process and cached."""
    if recipe not in _LIKELIHOODS:
        _LIKELIHOODS[recipe] = recipe.build()
    return _LIKELIHOODS[recipe]


# ------------------------------------------------------------------ one point


@dataclass(frozen=True)
class ProfiledPoint:
    """The profile minimum at one point: χ², MIGRAD's validity, all parameter values."""

    chi2: float
    converged: bool
    values: dict[str, float]
    calls: int


def profile(
    likelihood: Likelihood,
    fixed_values: Mapping[str, float],
    start: Mapping[str, float],
    *,
    strategy: int = SCAN_STRATEGY,
    steps: Mapping[str, float] | None = None,
    limits: Mapping[str, tuple[float, float]] | None = None,
) -> ProfiledPoint:
    """Minimise over every parameter not in ``fixed_values`` (nor fixed by the recipe).

    MIGRAD only (no HESSE): a scan needs the minimum, not the errors. ``steps`` are
    initial step sizes (HESSE errors of the global fit); ``limits`` override the cost's
    limits of some parameters.
    """
    names = likelihood.names
    values = {**start, **likelihood.fixed, **fixed_values}
    minuit = Minuit(likelihood.cost, *[values[n] for n in names], name=names)
    minuit.strategy = strategy
    minuit.print_level = 0
    for name, bounds in (limits or {}).items():
        minuit.limits[name] = bounds
    for name, step in (steps or {}).items():
        if math.isfinite(step) and step > 0:
            minuit.errors[name] = step
    for name in (*likelihood.fixed, *fixed_values):
        minuit.fixed[name] = True
    if all(minuit.fixed):
        chi2 = float(likelihood.cost(*[values[n] for n in names]))
        return ProfiledPoint(chi2, math.isfinite(chi2), {n: values[n] for n in names}, 1)
    minuit.migrad()
    return ProfiledPoint(
        float(minuit.fval),
        bool(minuit.valid) and math.isfinite(minuit.fval),
        dict(zip(names, (float(v) for v in minuit.values), strict=True)),
        int(minuit.nfcn),
    )


def profile_with_retry(
    likelihood: Likelihood,
    fixed_values: Mapping[str, float],
    warm_start: Mapping[str, float],
    cold_start: Mapping[str, float],
    *,
    strategy: int = SCAN_STRATEGY,
    steps: Mapping[str, float] | None = None,
    limits: Mapping[str, tuple[float, float]] | None = None,
) -> ProfiledPoint:
    """:func:`profile` from ``warm_start``; if that fails, again from ``cold_start`` with
    strategy ≥ 1. The result says whether either converged (calls are summed)."""
    first = profile(
        likelihood, fixed_values, warm_start, strategy=strategy, steps=steps, limits=limits
    )
    if first.converged:
        return first
    second = profile(
        likelihood, fixed_values, cold_start, strategy=max(strategy, 1), steps=steps, limits=limits
    )
    kept = second if second.converged or not first.chi2 < second.chi2 else first
    return ProfiledPoint(kept.chi2, kept.converged, kept.values, first.calls + second.calls)


def global_fit(
    likelihood: Likelihood, fixed_values: Mapping[str, float] | None = None
) -> dict[str, Any]:
    """The fit with every parameter free except the recipe's fixed ones and
    ``fixed_values`` (MIGRAD + HESSE, strategy 1: :func:`cevns.stats.fit.fit`).

    Returns ``converged``, ``minimum``, ``values`` and ``errors``; a fit that does not
    converge gives ``converged = False``, no minimum, and the start values.
    """
    from cevns.stats.fit import FitNotConvergedError, fit

    fixed_values = dict(fixed_values or {})
    start = {**likelihood.start, **fixed_values}
    try:
        result = fit(likelihood.cost, start, fixed=[*likelihood.fixed, *fixed_values])
    except FitNotConvergedError:
        return {"converged": False, "minimum": None, "values": start, "errors": {}}
    return {
        "converged": True,
        "minimum": result.minimum,
        "values": {k: float(v) for k, v in result.values.items()},
        "errors": {k: float(v) for k, v in result.errors.items()},
    }


__all__ = [
    "DEFAULT_BUILDER",
    "SCAN_STRATEGY",
    "Likelihood",
    "LikelihoodRecipe",
    "ProfiledPoint",
    "global_fit",
    "likelihood_for",
    "profile",
    "profile_with_retry",
]
