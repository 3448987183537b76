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

    def factor(self, alpha: float) -> np.ndarray:
        """Per-bin multiplicative factor at nuisance value ``alpha``."""
        half_difference = 0.5 * (self.up - self.down)
        half_sum = 0.5 * (self.up + self.down) - 1.0
        if abs(alpha) <= 1.0:
            value = 1.0 + alpha * half_difference + alpha * alpha * half_sum
        else:
            edge = math.copysign(1.0, alpha)
            at_edge = 1.0 + edge * half_difference + half_sum
            slope = half_difference + 2.0 * edge * half_sum
            value = at_edge + (alpha - edge) * slope
        return np.maximum(value, 0.0)

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
        return sum(c.expected(values) for c in self.components)

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
