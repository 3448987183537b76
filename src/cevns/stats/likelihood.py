"""The likelihood a scan, a limit or a fit works on, and the profile at one point.

* A :class:`LikelihoodRecipe` is a small frozen description of a likelihood
  (experiments, data directory, new-physics parameters with their defaults, fixed
  parameters, form factor). Work units carry it instead of the cost; each process builds
  the cost once and caches it (:func:`likelihood_for`).
* :func:`profile` minimises over every parameter that is not fixed (MIGRAD only, no
  HESSE: a scan needs minima, not errors), from a given start (warm starts); a
  :class:`Profiler` does it point after point on one Minuit, which keeps the curvature
  of the last minimum; :func:`global_fit` is the fit with every parameter free.
* Minuit works on the compiled cost (:mod:`cevns.stats.lean_cost`) when the cost
  compiles; a :class:`ShippedLikelihood` carries it to workers, so that they need not
  build the likelihood.
"""

from __future__ import annotations

import importlib
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from iminuit import Minuit
from numpy.typing import ArrayLike

from cevns.errors import CevnsInputError, unknown_name_error
from cevns.stats.fit import DEFAULT_TOLERANCE, TOLERANCE
from cevns.stats.lean_batch import many_values
from cevns.stats.lean_cost import FirstCurvature, lean_minuit

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
            builder(name, self.data_directory, model_parameters=model_parameters or None, **options)
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
                    f"cannot fix {name} at {value:g}: outside its allowed range [{low:g}, {high:g}]"
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
    #: The compiled cost of a likelihood sent to workers without its cost (:meth:`portable`).
    lean: Any = None

    @classmethod
    def of_cost(cls, cost: Any, start: Mapping[str, float]) -> Likelihood:
        """The likelihood of a cost as it is (a pseudo-experiment's, for instance): its
        parameters and limits, ``start`` values for every parameter, nothing fixed."""
        names = tuple(cost._parameters)
        missing = [name for name in names if name not in start]
        if missing:
            raise CevnsInputError(f"no start value for parameters {', '.join(missing)}")
        limits = {name: _bounds(bounds) for name, bounds in cost._parameters.items()}
        return cls(cost, {n: float(start[n]) for n in names}, names, limits, {})

    def free_parameters(self, scanned: Iterable[str] = ()) -> tuple[str, ...]:
        """Parameters profiled at a scan point: neither fixed nor scanned."""
        excluded = set(self.fixed) | set(scanned)
        return tuple(n for n in self.names if n not in excluded)

    def compiled(self):
        """The compiled cost (:func:`cevns.stats.lean_cost.lean_cost`), None if the cost
        does not compile or compiled costs are off."""
        from cevns.stats.lean_cost import lean_cost

        return self.lean if self.cost is None else lean_cost(self.cost)

    def value(self, values: Mapping[str, float]) -> float:
        """The cost at parameter ``values`` (every parameter by name)."""
        point = [values[n] for n in self.names]
        lean = self.compiled()
        if lean is not None:
            return float(lean(np.array(point, dtype=float)))
        return float(self.cost(*point))

    def values(self, points: Mapping[str, ArrayLike] | ArrayLike) -> np.ndarray:
        """The cost at many points at once.

        ``points`` maps parameter names to arrays of one length P (a parameter left out
        keeps its start value, a fixed one its fixed value), or is a (P × parameters)
        array with columns in :attr:`names` order. The compiled cost evaluates them in
        batches (:func:`cevns.stats.lean_batch.many_values`: 3 µs a point for CsI 2021
        against 30–40 µs one at a time); a cost that does not compile, point by point.

        Raises
        ------
        CevnsInputError
            An unknown parameter name, arrays of different lengths, a matrix of the wrong
            shape, or a value that is not finite.
        """
        if isinstance(points, Mapping):
            unknown = [name for name in points if name not in self.names]
            if unknown:
                raise unknown_name_error("parameter", unknown[0], self.names)
            columns = {
                name: np.atleast_1d(np.asarray(v, dtype=float)) for name, v in points.items()
            }
            lengths = {name: column.size for name, column in columns.items()}
            if len(set(lengths.values())) > 1:
                raise CevnsInputError(
                    "points: every parameter needs the same number of values; got "
                    + ", ".join(f"{name}: {size}" for name, size in lengths.items())
                )
            count = next(iter(lengths.values()), 1)
            base = {**self.start, **self.fixed}
            matrix = np.column_stack(
                [
                    columns[n].ravel() if n in columns else np.full(count, base[n])
                    for n in self.names
                ]
            )
        else:
            matrix = np.asarray(points, dtype=float)
            if matrix.ndim != 2 or matrix.shape[1] != len(self.names):
                raise CevnsInputError(
                    f"points must have shape (P, {len(self.names)}), one column per parameter "
                    f"({', '.join(self.names)}); got {matrix.shape}"
                )
        if not np.isfinite(matrix).all():
            row, column = np.argwhere(~np.isfinite(matrix))[0]
            raise CevnsInputError(
                f"points: {self.names[column]} = {matrix[row, column]} at point {row}; "
                "every value must be finite"
            )
        lean = self.compiled()
        if lean is not None:
            return many_values(lean, matrix)
        return np.array([float(self.cost(*row)) for row in matrix.tolist()])

    def portable(self) -> Likelihood | None:
        """This likelihood without its cost and analyses, with the compiled cost: what a
        worker needs, a few kB of arrays to pickle instead of a likelihood to build.
        None when the cost does not compile to arrays alone (a signal computed by the
        engine at each point) or compiled costs are off."""
        lean = self.compiled()
        if lean is None or not lean.self_contained:
            return None
        return Likelihood(None, self.start, self.names, self.limits, self.fixed, [], lean)


@dataclass(frozen=True)
class ShippedLikelihood:
    """A recipe with its portable likelihood (:meth:`Likelihood.portable`): work units
    carry it instead of the bare recipe, so that workers start without building."""

    recipe: LikelihoodRecipe
    likelihood: Likelihood = field(compare=False, hash=False)


def shipped(recipe: LikelihoodRecipe) -> LikelihoodRecipe | ShippedLikelihood:
    """What to send to workers for ``recipe``: its :class:`ShippedLikelihood` when the
    likelihood is portable, else the recipe (each worker then builds it once)."""
    portable = likelihood_for(recipe).portable()
    return recipe if portable is None else ShippedLikelihood(recipe, portable)


#: Likelihoods built or received in this process, by recipe (each worker builds each
#: recipe at most once).
_LIKELIHOODS: dict[LikelihoodRecipe, Likelihood] = {}


def likelihood_for(source: LikelihoodRecipe | ShippedLikelihood) -> Likelihood:
    """The likelihood of a recipe, built on first use in this process and cached; a
    :class:`ShippedLikelihood` brings its own (kept for the recipe)."""
    if isinstance(source, ShippedLikelihood):
        return _LIKELIHOODS.setdefault(source.recipe, source.likelihood)
    if source not in _LIKELIHOODS:
        _LIKELIHOODS[source] = source.build()
    return _LIKELIHOODS[source]


# ------------------------------------------------------------------ one point


@dataclass(frozen=True)
class ProfiledPoint:
    """The profile minimum at one point: χ², MIGRAD's validity, all parameter values."""

    chi2: float
    converged: bool
    values: dict[str, float]
    calls: int


def _minuit(
    likelihood: Likelihood,
    values: Mapping[str, float],
    held: frozenset[str],
    curvature: FirstCurvature | None = None,
) -> tuple[Minuit, FirstCurvature | None]:
    """A Minuit on the likelihood's compiled cost (analytic gradient, ``curvature`` or a
    new one, the cost's limits; :func:`cevns.stats.lean_cost.lean_minuit`) with its
    curvature, or on its cost; the parameters ``held`` fixed."""
    start = [values[n] for n in likelihood.names]
    lean = likelihood.compiled()
    if lean is None:
        minuit, curvature = Minuit(likelihood.cost, *start, name=likelihood.names), None
    else:
        if curvature is None:
            curvature = FirstCurvature(lean, frozenset(lean.names.index(n) for n in held))
        minuit = lean_minuit(lean, start, curvature, held)
    for name in held:
        minuit.fixed[name] = True
    return minuit, curvature


#: Profiles start (and, after ending on a bound, start again) this fraction of a
#: parameter's allowed range inside its bounds (:meth:`Profiler._inside`).
BOUND_MARGIN = 1e-3


def initial_step(value: float) -> float:
    """Minuit's first step for a parameter without a given one: 1 % of its value, 0.1 at
    0 (iminuit's own guess, set explicitly so that a reused Minuit starts as a new one)."""
    return 0.01 * abs(value) if value != 0 else 0.1


#: When a profile that ended on a bound starts MIGRAD once more from just inside
#: (:meth:`Profiler._may_fall_inside`): ``"always"``, or ``"slope"`` (only where the cost
#: falls into the allowed range).
SECOND_STARTS = ("always", "slope")


class Profiler:
    """Profile minima, point after point, with the same settings.

    Each point starts as on a new Minuit: from the values it is given, with the analytic
    gradient and the curvature at that start
    (:class:`~cevns.stats.lean_cost.FirstCurvature`, MIGRAD's starting error matrix), and
    no memory of the previous point. The Minuit object itself is kept per set of held
    parameters and reset (values, steps, limits, fixed flags, curvature and call counters
    set anew: the same start as a new object, a third of the set-up time). Carrying the
    previous point's error matrix or curvature over instead saved a third of the time
    along a scan row but let MIGRAD stop early where the matrix no longer fitted (up to
    0.04 above a cold fit in the 100 × 100 NSI benchmark).
    MIGRAD runs at ``strategy`` and tolerance :data:`cevns.stats.fit.TOLERANCE`, then
    Minuit's default if that fails; no HESSE: a scan needs minima, not errors.
    ``steps`` are initial step sizes (HESSE errors of the global fit; otherwise
    :func:`initial_step`); ``limits`` override the cost's limits of some parameters.
    Starts are moved just inside the bounds, and a minimum on a bound is sought once more
    from just inside (:meth:`_inside`): always, or with ``second_start="slope"`` only
    where the cost's slope falls into the allowed range (what a scan's first pass does:
    its repair refits every point on a bound from the cold start with both starts; in the
    100 × 100 NSI benchmark the second start, skipped in those refits too, had moved one
    point 0.018 lower into a nearby basin).
    """

    def __init__(
        self,
        likelihood: Likelihood,
        *,
        strategy: int = SCAN_STRATEGY,
        steps: Mapping[str, float] | None = None,
        limits: Mapping[str, tuple[float, float]] | None = None,
        second_start: str = "always",
    ) -> None:
        self.likelihood = likelihood
        self.strategy = strategy
        self.steps = dict(steps or {})
        self.limits = dict(limits or {})
        if second_start not in SECOND_STARTS:
            raise CevnsInputError(
                f"second_start must be one of {', '.join(SECOND_STARTS)}; got {second_start!r}"
            )
        self.second_start = second_start
        self._kept: dict[frozenset[str], tuple[Minuit, FirstCurvature | None]] = {}

    def _fresh(self, values: Mapping[str, float], held: frozenset[str]) -> Minuit:
        """A Minuit at ``values`` with ``held`` fixed, in the state of a new one."""
        names = self.likelihood.names
        kept = self._kept.get(held)
        if kept is None:
            minuit, curvature = _minuit(self.likelihood, values, held)
            minuit.print_level = 0
            self._kept[held] = (minuit, curvature)
        else:
            minuit, curvature = kept
            minuit.reset()  # the first state: no error matrix, no limits, nothing fixed
            minuit.values = [values[n] for n in names]
            lean = self.likelihood.compiled()
            minuit.limits = (
                lean.limits if lean is not None else [self.likelihood.limits[n] for n in names]
            )
            for name in held:
                minuit.fixed[name] = True
            if curvature is not None:
                curvature.reset()
        minuit.strategy = self.strategy
        for name, bounds in self.limits.items():
            minuit.limits[name] = bounds
        minuit.errors = [self._step(n, values[n]) for n in names]
        return minuit

    def _step(self, name: str, value: float) -> float:
        step = self.steps.get(name, math.nan)
        return step if math.isfinite(step) and step > 0 else initial_step(value)

    def __call__(
        self, fixed_values: Mapping[str, float], start: Mapping[str, float]
    ) -> ProfiledPoint:
        """The minimum over every parameter not in ``fixed_values`` (nor fixed by the
        recipe), from ``start``."""
        likelihood = self.likelihood
        names = likelihood.names
        values = {**start, **likelihood.fixed, **fixed_values}
        held = frozenset((*likelihood.fixed, *fixed_values))
        if held >= set(names):
            chi2 = likelihood.value(values)
            return ProfiledPoint(chi2, math.isfinite(chi2), {n: values[n] for n in names}, 1)
        values = self._inside(values, held)
        minuit = self._fresh(values, held)
        calls = minuit.nfcn
        point = self._migrad(minuit, calls)
        ended = dict(point.values)
        moved = self._inside(ended, held)
        if point.converged and moved != ended and self._may_fall_inside(ended, moved):
            # Ended on a bound: once more from just inside, where the slope is not 0.
            minuit.values = [moved[n] for n in names]
            again = self._migrad(minuit, calls)
            if again.converged and again.chi2 < point.chi2:
                point = again
        return point

    def _may_fall_inside(self, ended: Mapping[str, float], moved: Mapping[str, float]) -> bool:
        """Whether a minimum that ended on a bound gets its second start: always with
        ``second_start="always"``; with ``"slope"``, when the cost falls from ``ended``
        towards ``moved`` (just inside the bounds) along some parameter on a bound, its
        analytic slope into the allowed range being negative (the Karush–Kuhn–Tucker
        condition of a minimum on a bound fails), or when the cost has no compiled
        gradient."""
        if self.second_start == "always":
            return True
        lean = self.likelihood.compiled()
        if lean is None:
            return True
        names = self.likelihood.names
        slopes = lean.gradient(np.array([ended[n] for n in names], dtype=float))
        for position, name in enumerate(names):
            inward = moved[name] - ended[name]
            if inward != 0.0 and slopes[position] * inward < 0.0:
                return True
        return False

    def _migrad(self, minuit: Minuit, calls: int) -> ProfiledPoint:
        """MIGRAD at :data:`~cevns.stats.fit.TOLERANCE`, then at Minuit's default if that
        fails (numerical derivatives may be too noisy for it); calls counted from
        ``calls``."""
        minuit.tol = TOLERANCE
        minuit.migrad()
        if not minuit.valid:
            minuit.tol = DEFAULT_TOLERANCE
            minuit.migrad()
        return ProfiledPoint(
            float(minuit.fval),
            bool(minuit.valid) and math.isfinite(minuit.fval),
            dict(zip(self.likelihood.names, (float(v) for v in minuit.values), strict=True)),
            int(minuit.nfcn - calls),
        )

    def _inside(self, values: Mapping[str, float], held: frozenset[str]) -> dict[str, float]:
        """``values`` with every free parameter at least :data:`BOUND_MARGIN` of its
        allowed range (of the bound's size when one side is open) inside its bounds.

        Minuit maps a bounded parameter to an internal one through a sine, whose slope
        is 0 at the bounds: MIGRAD started (or stopped) on a bound sees no gradient along
        it, and with an analytic gradient can stay there while the minimum is just
        inside (in the 100 × 100 NSI benchmark, up to 0.018 above a cold fit)."""
        result = dict(values)
        for name, value in values.items():
            if name in held:
                continue
            low, high = self.limits.get(name, self.likelihood.limits[name])
            if math.isfinite(low) and math.isfinite(high):
                margin = BOUND_MARGIN * (high - low)
            else:
                margin = BOUND_MARGIN * max(1.0, abs(low if math.isfinite(low) else high))
            if value < low + margin:
                result[name] = min(low + margin, high)
            elif value > high - margin:
                result[name] = max(high - margin, low)
        return result


def profile(
    likelihood: Likelihood,
    fixed_values: Mapping[str, float],
    start: Mapping[str, float],
    *,
    strategy: int = SCAN_STRATEGY,
    steps: Mapping[str, float] | None = None,
    limits: Mapping[str, tuple[float, float]] | None = None,
) -> ProfiledPoint:
    """Minimise over every parameter not in ``fixed_values`` (nor fixed by the recipe),
    from ``start``, on a fresh Minuit (:class:`Profiler`, which explains the options)."""
    return Profiler(likelihood, strategy=strategy, steps=steps, limits=limits)(fixed_values, start)


def profile_with_retry(
    likelihood: Likelihood,
    fixed_values: Mapping[str, float],
    warm_start: Mapping[str, float],
    cold_start: Mapping[str, float],
    *,
    strategy: int = SCAN_STRATEGY,
    steps: Mapping[str, float] | None = None,
    limits: Mapping[str, tuple[float, float]] | None = None,
    profiler: Profiler | None = None,
) -> ProfiledPoint:
    """:func:`profile` from ``warm_start`` (on ``profiler`` when given, which then keeps
    its Minuit for the next point); if that fails, again from ``cold_start`` with
    strategy ≥ 1. The result says whether either converged (calls are summed)."""
    if profiler is None:
        profiler = Profiler(likelihood, strategy=strategy, steps=steps, limits=limits)
    first = profiler(fixed_values, warm_start)
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
    "SECOND_STARTS",
    "Likelihood",
    "LikelihoodRecipe",
    "ProfiledPoint",
    "Profiler",
    "ShippedLikelihood",
    "global_fit",
    "likelihood_for",
    "profile",
    "profile_with_retry",
]
