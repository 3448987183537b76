"""A D₂O measurement of the SNS flux as an extra term of the CEvNS likelihoods.

The ν_e d charged-current rate of a heavy-water detector (preset ``coherent-d2o``,
:mod:`cevns.inelastic`) measures the SNS neutrino yield per proton, the ``flux_norm`` that
the CsI and argon documents share. Its term is a Poisson count with an uncertain cross
section:

    χ²_D2O = 2 [μ − n + n ln(n/μ)] + ((s − 1)/σ_xs)²,   μ = flux_norm × s × N_D2O,

with N_D2O the predicted ν_e d events of the exposure (all T_e in the document's electron
window, × efficiency), n the observed count (Asimov: n = N_D2O), s = ``d2o_xs_scale`` the
ν_e d cross-section scale and σ_xs its uncertainty (2–3 %: seeds/002 "better than 3 %",
seeds/003 "known to 2-3 % from calculations"; default 2 %). Alone it fixes flux_norm to
√(1/N_D2O + σ_xs²); the documents' own 10 % prior stays in the joint cost (the Geant4
estimate is an independent input).

:func:`d2o_flux_analysis` returns an :class:`~cevns.stats.analysis.Analysis` without
samples whose constraints are these two terms; :func:`build_analysis_with_d2o` is a
likelihood builder (``LikelihoodRecipe.create(..., builder=BUILDER)``) that builds D₂O
documents this way and every other document with :func:`cevns.stats.assemble.build_analysis`,
so that scans and fits of CsI + argon + D₂O run through the usual machinery.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence

import numpy as np
from iminuit.cost import Cost, NormalConstraint

from cevns.errors import CevnsInputError
from cevns.stats.analysis import Analysis
from cevns.stats.cost import poisson_deviance

#: ``LikelihoodRecipe`` builder that understands D₂O documents.
BUILDER = "cevns.stats.d2o_flux:build_analysis_with_d2o"
#: Default relative uncertainty of the ν_e d cross section (seeds/003: 2-3 %).
DEFAULT_XS_UNCERTAINTY = 0.02
#: Name of the cross-section scale parameter.
XS_SCALE = "d2o_xs_scale"
#: The channel whose rate measures the flux.
CHANNEL = "cc:H2"


class PoissonCount(Cost):
    """One Poisson count n with expectation μ = ``expected`` × Π parameters (deviance)."""

    __slots__ = ("expected", "observed")

    def __init__(self, observed: float, expected: float, parameters: Sequence[str]):
        if not (expected > 0 and observed >= 0):
            raise CevnsInputError(
                f"a Poisson count needs expected > 0 and observed ≥ 0; got {expected}, {observed}"
            )
        self.observed = float(observed)
        self.expected = float(expected)
        super().__init__({name: (0.0, None) for name in parameters}, verbose=0)

    def _value(self, args: Sequence[float]) -> float:
        mu = self.expected * math.prod(args)
        return poisson_deviance(np.array([self.observed]), np.array([mu]))

    def _grad(self, args: Sequence[float]) -> np.ndarray:
        """dχ²/dθ_i = 2 (1 − n/μ) μ/θ_i."""
        product = math.prod(args)
        mu = self.expected * product
        factor = 2.0 * (1.0 - self.observed / mu) * mu if mu > 0 else np.nan
        return np.array([factor / value if value != 0 else np.nan for value in args])

    def _has_grad(self) -> bool:
        return True

    def _ndata(self) -> int:
        return 1


def d2o_events(document: str | os.PathLike[str], data_directory=None) -> float:
    """Predicted ν_e d events of a D₂O document (its exposure, window and efficiency)."""
    from cevns.experiments.prediction import predict

    inelastic = predict(document, data_directory=data_directory).inelastic
    if inelastic is None:
        raise CevnsInputError(f"{document}: no [inelastic] table; a D2O term needs {CHANNEL}")
    for rate in inelastic.rates:
        if rate.channel.name == CHANNEL:
            return inelastic.events(rate)
    raise CevnsInputError(f"{document}: [inelastic] has no {CHANNEL} channel")


def d2o_flux_analysis(
    events: float,
    observed: float | None = None,
    xs_uncertainty: float = DEFAULT_XS_UNCERTAINTY,
    name: str = "coherent-d2o",
) -> Analysis:
    """The D₂O flux term for ``events`` predicted ν_e d events (Asimov: observed = events)."""
    if not 0 < xs_uncertainty < 1:
        raise CevnsInputError(f"xs_uncertainty must lie in (0, 1); got {xs_uncertainty!r}")
    count = PoissonCount(events if observed is None else observed, events, ("flux_norm", XS_SCALE))
    return Analysis(
        name=name,
        samples=[],
        constraints=[count, NormalConstraint(XS_SCALE, 1.0, xs_uncertainty)],
        start={"flux_norm": 1.0, XS_SCALE: 1.0},
        limits={"flux_norm": (0.3, 2.0), XS_SCALE: (0.5, 1.5)},
        signal_scale=XS_SCALE,
    )


def flux_precision(events: float, xs_uncertainty: float = DEFAULT_XS_UNCERTAINTY) -> float:
    """Relative uncertainty of flux_norm from the D₂O term alone: √(1/N + σ_xs²)."""
    return math.sqrt(1.0 / events + xs_uncertainty**2)


def is_d2o_document(name: str | os.PathLike[str]) -> bool:
    """True for a document with ν_e d CC among its ``[inelastic]`` channels and no
    ``[analysis]`` (its likelihood is then the flux term)."""
    from cevns.experiments.load import load_experiment
    from cevns.nuclear.materials import get_material

    document = load_experiment(name)
    if document.inelastic is None or document.analysis is not None:
        return False
    material = document.detector.material
    isotopes = [iso.name for iso in get_material(material).isotopes]
    return CHANNEL in document.inelastic.channel_names(isotopes, material)


def build_analysis_with_d2o(
    name_or_path: str | os.PathLike[str],
    data_directory: str | os.PathLike[str] | None = None,
    model_parameters: Mapping[str, float | None] | None = None,
    form_factor: str | None = None,
) -> Analysis:
    """:func:`cevns.stats.assemble.build_analysis`, except that a D₂O document (an
    ``[inelastic]`` table with ν_e d CC and no ``[analysis]``) becomes its Asimov flux term
    (new-physics parameters do not change ν_e d CC and are ignored there)."""
    from cevns.stats.assemble import build_analysis

    if is_d2o_document(name_or_path):
        events = d2o_events(name_or_path, data_directory)
        return d2o_flux_analysis(events, name=str(name_or_path))
    options = {} if form_factor is None else {"form_factor": form_factor}
    return build_analysis(name_or_path, data_directory, model_parameters, **options)


__all__ = [
    "BUILDER",
    "DEFAULT_XS_UNCERTAINTY",
    "XS_SCALE",
    "PoissonCount",
    "build_analysis_with_d2o",
    "d2o_events",
    "d2o_flux_analysis",
    "flux_precision",
    "is_d2o_document",
]
