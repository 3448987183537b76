"""An analysis: a likelihood with the bookkeeping needed to report physics from a fit.

:class:`Analysis` holds the cost (data term, auxiliary measurements and constraints), the
start values and limits of its parameters, which parameter scales the CEvNS signal, and
the Standard-Model prediction it is compared with. Analyses of different experiments add
with ``+`` through their costs; parameters with the same name (``flux_norm``) are shared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from iminuit.cost import NormalConstraint

from cevns.stats.cost import PoissonHistogram


@dataclass
class Analysis:
    """One experiment's likelihood and what it measures.

    ``axes`` label the histogram's dimensions for figures: (label, bin edges) each.
    """

    name: str
    data: PoissonHistogram
    constraints: list = field(default_factory=list)
    start: dict[str, float] = field(default_factory=dict)
    limits: dict[str, tuple[float, float]] = field(default_factory=dict)
    signal_component: str = "cevns"
    signal_scale: str = "cevns_scale"
    predicted_cevns_events: float = 0.0
    standard_model_cross_section: float = 0.0
    published: Mapping[str, float | str] = field(default_factory=dict)
    axes: list[tuple[str, np.ndarray]] = field(default_factory=list)

    @property
    def cost(self):
        """Data term + auxiliary measurements + constraints."""
        total = self.data
        for term in self.constraints:
            total = total + term
        return total

    def signal_events(self, values: Mapping[str, float]) -> float:
        """Expected CEvNS events in the analysis window at parameter ``values``."""
        component = self.data.model.component(self.signal_component)
        return float(np.sum(component.expected(values)))


def gaussian_constraint(parameter: str, mean: float, sigma: float) -> NormalConstraint:
    """A Gaussian constraint term N(parameter; mean, sigma) (χ² = ((p − mean)/sigma)²)."""
    return NormalConstraint(parameter, mean, sigma)


def _constraint_key(term) -> tuple | None:
    """Identity of a Gaussian constraint: its parameters, centre and covariance."""
    if not isinstance(term, NormalConstraint):
        return None

    def rounded(values) -> tuple[float, ...]:
        return tuple(float(f"{v:.12g}") for v in np.ravel(values))

    return (tuple(term._parameters), rounded(term.value), rounded(term.covariance))


def combine(*analyses: Analysis):
    """The joint cost of several analyses (shared parameter names are one parameter).

    A Gaussian constraint that several analyses share (the same parameter, centre and
    width, e.g. ``flux_norm``) enters once: it is one external measurement, not several.
    """
    total = None
    seen: set[tuple] = set()
    for analysis in analyses:
        for term in [analysis.data, *analysis.constraints]:
            key = _constraint_key(term)
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)
            total = term if total is None else total + term
    return total


def merged_start(*analyses: Analysis) -> dict[str, float]:
    start: dict[str, float] = {}
    for analysis in analyses:
        start.update(analysis.start)
    return start


def signal_from_charges(engine, model_for: Callable[[Mapping[str, float]], object]):
    """A ``signal`` function for the analysis builders: parameter values → the engine's
    histogram for the charge model ``model_for(values)`` (new-physics fits)."""

    def signal(values: Mapping[str, float]) -> np.ndarray:
        return engine.histogram(model_for(values))

    return signal
