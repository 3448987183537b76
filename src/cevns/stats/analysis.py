"""An analysis: a likelihood with the bookkeeping needed to report physics from a fit.

:class:`Analysis` holds the cost terms (observed samples, auxiliary samples and priors),
the start values, limits and fixed values of its parameters, which parameter scales the
CEvNS signal, and the Standard-Model prediction it is compared with. Analyses of different
experiments combine (:func:`combine`); parameters with the same name (``flux_norm``) are
one parameter, and a prior that several declare enters once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from iminuit.cost import NormalConstraint

from cevns.errors import CevnsInputError
from cevns.stats.cost import LogNormalConstraint, PoissonHistogram


@dataclass
class Analysis:
    """One experiment's likelihood and what it measures.

    ``samples`` are the Poisson terms (observed data; ``auxiliary`` ones constrain
    nuisances); ``priors`` the document priors by parameter (their cost terms are
    ``constraints``); ``axes`` label the histogram's dimensions for figures: (label, bin
    edges) each; ``source_flux`` the source's nominal flux, which a fitted signal scale
    turns into a measured flux.
    """

    name: str
    samples: list[PoissonHistogram]
    constraints: list = field(default_factory=list)
    start: dict[str, float] = field(default_factory=dict)
    limits: dict[str, tuple[float, float]] = field(default_factory=dict)
    fixed: dict[str, float] = field(default_factory=dict)
    priors: dict[str, Any] = field(default_factory=dict)
    signal_component: str = "cevns"
    signal_scale: str = "cevns_scale"
    predicted_cevns_events: float = 0.0
    standard_model_cross_section: float = 0.0
    published: Mapping[str, Any] = field(default_factory=dict)
    axes: list[tuple[str, np.ndarray]] = field(default_factory=list)
    form_factor: str = "helm"
    #: The nominal neutrino flux at the detector of a steady source, per cm² per s, under
    #: a report key (``b8_flux_cm2_s`` for the ⁸B component of a solar source); empty for
    #: sources counted per proton or burst.
    source_flux: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.samples, list | tuple):
            self.samples = [self.samples]  # one cost term given alone
        self.samples = list(self.samples)

    @property
    def measurements(self) -> list[PoissonHistogram]:
        """The samples that are measurements (not auxiliary)."""
        return [s for s in self.samples if isinstance(s, PoissonHistogram) and not s.auxiliary]

    @property
    def data(self) -> PoissonHistogram:
        """The first measured sample (the one figures show)."""
        return self.measurements[0]

    @property
    def cost(self):
        """Samples + priors."""
        return combine(self)

    def signal_events(self, values: Mapping[str, float]) -> float:
        """Expected CEvNS events in the measured samples at parameter ``values``."""
        total = 0.0
        for sample in self.measurements:
            names = [c.name for c in sample.model.components]
            if self.signal_component in names:
                component = sample.model.component(self.signal_component)
                total += float(np.sum(component.expected(values)))
        return total


def _prior_key(prior) -> tuple:
    return (prior.kind, float(f"{prior.mean:.12g}"), float(f"{prior.sigma:.12g}"))


def shared_priors(*analyses: Analysis) -> dict[str, Any]:
    """The priors of several analyses by parameter; a parameter that two analyses give
    different priors is refused (one line naming both)."""
    priors: dict[str, tuple[str, Any]] = {}
    for analysis in analyses:
        for name, prior in analysis.priors.items():
            if name in priors and _prior_key(priors[name][1]) != _prior_key(prior):
                other, first = priors[name]
                raise CevnsInputError(
                    f"parameter {name} has different priors in {other} ({first.kind} "
                    f"{first.mean:g} ± {first.sigma:g}) and {analysis.name} ({prior.kind} "
                    f"{prior.mean:g} ± {prior.sigma:g}); a shared parameter needs one prior"
                )
            priors.setdefault(name, (analysis.name, prior))
    return {name: prior for name, (_, prior) in priors.items()}


def gaussian_constraint(parameter: str, mean: float, sigma: float) -> NormalConstraint:
    """A Gaussian constraint term N(parameter; mean, sigma) (χ² = ((p − mean)/sigma)²)."""
    return NormalConstraint(parameter, mean, sigma)


def _constraint_key(term) -> tuple | None:
    """Identity of a prior term: its kind, parameters, centre and width (None: not a
    prior, e.g. a measurement)."""

    def rounded(values) -> tuple[float, ...]:
        return tuple(float(f"{v:.12g}") for v in np.ravel(values))

    if isinstance(term, NormalConstraint):
        return ("gaussian", tuple(term._parameters), rounded(term.value), rounded(term.covariance))
    if isinstance(term, LogNormalConstraint):
        return ("lognormal", tuple(term._parameters), rounded([term.median, term.width]))
    return None


def combine(*analyses: Analysis):
    """The joint cost of several analyses (shared parameter names are one parameter).

    A prior that several analyses declare for the same parameter (``flux_norm``) enters
    once: it is one external measurement, not several; different priors on one shared
    parameter are refused (:func:`shared_priors`).
    """
    shared_priors(*analyses)
    total = None
    seen: set[tuple] = set()
    for analysis in analyses:
        for term in [*analysis.samples, *analysis.constraints]:
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
