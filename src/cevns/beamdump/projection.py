"""Projected sensitivity of a future detector (a document without data, ``kind =
"projection"``): the median 90 % CL upper limit on dark-matter events under the
background-only hypothesis.

The background is the detector's CEvNS prediction (all flavours, the engine's histogram in
its observable × time bins) with the 10 % flux normalisation of arXiv:2110.07730 as a
Gaussian prior, plus any ``[[backgrounds]]`` with ``counts`` the document declares at their
nominal size (shapes flat over the bins). The data are the Asimov data set of that
background (G. Cowan, K. Cranmer, E. Gross and O. Vitells, EPJC 71, 1554 (2011)), for
which the limit is the median one; the limit itself is
:func:`cevns.beamdump.analysis.event_limit`. Steady-state and beam-related neutron
backgrounds that a projection document does not list are not included, so the
projections are optimistic in that respect.
"""

from __future__ import annotations

import numpy as np

from cevns.beamdump.analysis import DM_PARAMETER
from cevns.experiments.build import Experiment
from cevns.experiments.engine import PredictionEngine
from cevns.stats.analysis import Analysis, gaussian_constraint
from cevns.stats.cost import PoissonHistogram
from cevns.stats.model import BinnedModel, Component

#: Fractional uncertainty of the neutrino flux, 10 % (arXiv:2110.07730).
FLUX_UNCERTAINTY = 0.10


def projection_analysis(experiment: Experiment, dark_matter: np.ndarray) -> Analysis:
    """An Asimov likelihood: CEvNS (× ``flux_norm``) + dark matter (× ``dm_events``, shape
    ``dark_matter`` normalised to one event)."""
    cevns = PredictionEngine(experiment).histogram()
    background = cevns.copy()
    for spec in experiment.spec.backgrounds:
        counts = getattr(spec, "counts", None)
        if counts:
            background = background + float(counts) / background.size
    shape = dark_matter / float(np.sum(dark_matter))
    model = BinnedModel(
        [
            Component("cevns", cevns, ("flux_norm",)),
            Component("other", background - cevns),
            Component("dark-matter", shape, (DM_PARAMETER,)),
        ]
    )
    limits = {"flux_norm": (0.3, 2.0), DM_PARAMETER: (0.0, 1e7)}
    sample = PoissonHistogram(background, model, f"{experiment.name}:asimov", limits)
    return Analysis(
        name=experiment.name,
        samples=[sample],
        constraints=[gaussian_constraint("flux_norm", 1.0, FLUX_UNCERTAINTY)],
        start={"flux_norm": 1.0, DM_PARAMETER: 1.0},
        limits=limits,
        signal_component="cevns",
        signal_scale="flux_norm",
        predicted_cevns_events=float(np.sum(cevns)),
    )


__all__ = ["FLUX_UNCERTAINTY", "projection_analysis"]
