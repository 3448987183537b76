"""Binned models: expected counts per bin as a function of named parameters.

A model is a sum of components. Each component has a nominal histogram (an array, or a
function of some named parameters — the CEvNS signal from the prediction engine at a
new-physics point), multiplied by

* normalisation parameters (their product; e.g. ``brn_norm``, or ``cevns_scale`` ×
  ``flux_norm``), and
* shape systematics: per-bin relative variations at ±1σ (``up``, ``down``), interpolated
  in a nuisance α quadratically inside |α| ≤ 1 and linearly outside (the
  quadratic-interpolation, linear-extrapolation scheme of HistFactory's histosys, K. Cranmer
  et al., CERN-OPEN-2012-016, applied multiplicatively):
  ``f(α) = 1 + α (up − down)/2 + α² (up + down − 2)/2`` for |α| ≤ 1, continued with the
  slope at ±1 beyond, clipped at 0. f(±1) are the ±1σ templates and f is smooth at α = 0
  (a piecewise-linear interpolation has a kink there that stalls MIGRAD).

Parameters are shared by name, so two components (or two experiments) that use the same
name move together.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from cevns.errors import CevnsInputError


@dataclass(frozen=True)
class ShapeSystematic:
    """Relative ±1σ variations (arrays shaped like the histogram) driven by ``parameter``."""

    parameter: str
    up: np.ndarray
    down: np.ndarray
    _half_difference: np.ndarray = field(init=False, repr=False, compare=False)
    _half_sum: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The interpolation's coefficients, computed once (fits evaluate factors often).
        object.__setattr__(self, "_half_difference", 0.5 * (self.up - self.down))
        object.__setattr__(self, "_half_sum", 0.5 * (self.up + self.down) - 1.0)

    def factor(self, alpha: float) -> np.ndarray:
        """Per-bin multiplicative factor at nuisance value ``alpha``."""
        half_difference, half_sum = self._half_difference, self._half_sum
        if abs(alpha) <= 1.0:
            value = 1.0 + alpha * half_difference + alpha * alpha * half_sum
        else:
            edge = math.copysign(1.0, alpha)
            at_edge = 1.0 + edge * half_difference + half_sum
            slope = half_difference + 2.0 * edge * half_sum
            value = at_edge + (alpha - edge) * slope
        return np.maximum(value, 0.0)

    def derivative(self, alpha: float) -> np.ndarray:
        """d factor / dα: the interpolation's slope, 0 where the factor is clipped at 0."""
        half_difference, half_sum = self._half_difference, self._half_sum
        if abs(alpha) <= 1.0:
            slope = half_difference + 2.0 * alpha * half_sum
        else:
            slope = half_difference + 2.0 * math.copysign(1.0, alpha) * half_sum
        return np.where(self.factor(alpha) > 0.0, slope, 0.0)

    @classmethod
    def from_histograms(
        cls, parameter: str, nominal: np.ndarray, up: np.ndarray, down: np.ndarray | None = None
    ) -> ShapeSystematic:
        """Ratios up/nominal and down/nominal; a missing ``down`` mirrors ``up``."""
        safe = np.where(nominal > 0, nominal, 1.0)
        up_ratio = np.where(nominal > 0, up / safe, 1.0)
        mirrored = down is None
        down_ratio = 2.0 - up_ratio if mirrored else np.where(nominal > 0, down / safe, 1.0)
        return cls(parameter, up_ratio, np.maximum(down_ratio, 0.0))


@dataclass(frozen=True)
class Component:
    """One contribution to the expected histogram.

    ``model_parameters`` maps the names the ``nominal`` function reads to their default
    (Standard-Model) values.
    """

    name: str
    nominal: np.ndarray | Callable[[Mapping[str, float]], np.ndarray]
    scale_parameters: tuple[str, ...] = ()
    shape_systematics: tuple[ShapeSystematic, ...] = ()
    model_parameters: Mapping[str, float] = field(default_factory=dict)
    _last: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def parameters(self) -> tuple[str, ...]:
        names = [*self.model_parameters, *self.scale_parameters]
        names += [s.parameter for s in self.shape_systematics]
        return tuple(dict.fromkeys(names))

    def nominal_histogram(self, values: Mapping[str, float]) -> np.ndarray:
        """The nominal histogram; a function's last result is reused while its parameters
        are unchanged (profile scans move only the nuisances between calls)."""
        if not callable(self.nominal):
            return self.nominal
        key = tuple(values[name] for name in self.model_parameters)
        if self._last.get("key") != key:
            self._last["histogram"] = self.nominal(values)
            self._last["key"] = key
        return self._last["histogram"]

    def expected(self, values: Mapping[str, float]) -> np.ndarray:
        histogram = self.nominal_histogram(values)
        scale = 1.0
        for name in self.scale_parameters:
            scale *= values[name]
        result = scale * histogram
        for systematic in self.shape_systematics:
            result = result * systematic.factor(values[systematic.parameter])
        return result

    def gradient(self, values: Mapping[str, float]) -> dict[str, np.ndarray]:
        """∂(expected)/∂θ for each parameter θ of the component (product rule over the
        scales, the systematics' factors and the nominal histogram). The nominal's
        derivative is analytic when it offers ``gradient(values)`` (a polynomial signal,
        a grid of templates), else a central difference of step 1e-6 (relative)."""
        histogram = self.nominal_histogram(values)
        scales = [values[name] for name in self.scale_parameters]
        factors = [s.factor(values[s.parameter]) for s in self.shape_systematics]
        product = histogram * math.prod(scales)
        for factor in factors:
            product = product * factor
        result: dict[str, np.ndarray] = {}

        def add(name: str, term: np.ndarray) -> None:
            result[name] = result[name] + term if name in result else term

        for index, name in enumerate(self.scale_parameters):
            others = math.prod(v for k, v in enumerate(scales) if k != index)
            term = histogram * others
            for factor in factors:
                term = term * factor
            add(name, term)
        for index, systematic in enumerate(self.shape_systematics):
            term = (
                histogram * math.prod(scales) * systematic.derivative(values[systematic.parameter])
            )
            for k, factor in enumerate(factors):
                if k != index:
                    term = term * factor
            add(systematic.parameter, term)
        if self.model_parameters:
            outer: float | np.ndarray = math.prod(scales)
            for factor in factors:
                outer = outer * factor
            for name, derivative in self._nominal_gradient(values).items():
                add(name, outer * derivative)
        return result

    def _nominal_gradient(
        self, values: Mapping[str, float], skip: frozenset[str] = frozenset()
    ) -> dict[str, np.ndarray]:
        """∂(nominal)/∂θ for its model parameters: analytic where the function offers
        ``gradient(values)``, else a central difference; not for those in ``skip`` (held
        parameters: left out of the result)."""
        nominal = self.nominal
        assert callable(nominal)  # called only for components with model parameters
        analytic = getattr(nominal, "gradient", None)
        result = dict(analytic(values)) if analytic is not None else {}
        for name in self.model_parameters:
            if name in result or name in skip:
                continue
            step = 1e-6 * max(abs(values[name]), 1e-3)
            up = nominal({**values, name: values[name] + step})
            down = nominal({**values, name: values[name] - step})
            result[name] = (up - down) / (2.0 * step)
        return result


@dataclass
class BinnedModel:
    """A sum of components over the same bins."""

    components: Sequence[Component]
    shape: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        if not self.components:
            raise CevnsInputError("a binned model needs at least one component")
        shapes = {np.shape(c.expected(_probe(c))) for c in self.components}
        if len(shapes) != 1:
            raise CevnsInputError(f"components have different histogram shapes: {sorted(shapes)}")
        self.shape = shapes.pop()

    @property
    def parameters(self) -> tuple[str, ...]:
        names: list[str] = []
        for component in self.components:
            names.extend(component.parameters)
        return tuple(dict.fromkeys(names))

    def expected(self, values: Mapping[str, float]) -> np.ndarray:
        """Expected counts per bin at the parameter ``values``."""
        return sum((c.expected(values) for c in self.components), np.zeros(self.shape))

    def gradient(self, values: Mapping[str, float]) -> dict[str, np.ndarray]:
        """∂(expected counts)/∂θ per parameter, summed over the components."""
        total: dict[str, np.ndarray] = {}
        for component in self.components:
            for name, term in component.gradient(values).items():
                total[name] = total[name] + term if name in total else term
        return total

    def expected_by_component(self, values: Mapping[str, float]) -> dict[str, np.ndarray]:
        return {c.name: c.expected(values) for c in self.components}

    def component(self, name: str) -> Component:
        for c in self.components:
            if c.name == name:
                return c
        raise CevnsInputError(
            f"no component {name!r}; components: {', '.join(c.name for c in self.components)}"
        )


def _probe(component: Component) -> dict[str, float]:
    """Neutral parameter values to evaluate a component once (shape check)."""
    values = dict.fromkeys(component.scale_parameters, 1.0)
    values.update({s.parameter: 0.0 for s in component.shape_systematics})
    values.update(component.model_parameters)
    return values
