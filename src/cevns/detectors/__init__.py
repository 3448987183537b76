"""Detector response: quenching, light yield, smearing, efficiencies and response matrices.

* :mod:`~cevns.detectors.quenching` — E_ee(T): constant, Lindhard (with the adiabatic
  correction of germanium), linear (argon 2020), polynomial (CsI 2021), tabulated;
* :mod:`~cevns.detectors.light_yield` — μ_PE = LY · E_ee;
* :mod:`~cevns.detectors.smearing` — Poisson, Gamma (CsI 2021), Gaussian (argon 2020),
  noise plus Fano (germanium), none; bin integration with an efficiency;
* :mod:`~cevns.detectors.efficiency` — energy efficiencies of the observable (logistic,
  logistic × step, tabulated with jumps or steps, threshold, unit) and time efficiencies
  (CsI 2021, unit);
* :mod:`~cevns.detectors.response` — the response matrix R[k, j] and analysis windows;
* :mod:`~cevns.detectors.specs` — pydantic specs that build each component from TOML.

See ``docs/detectors.md`` for every formula and its source.
"""

from cevns.detectors.efficiency import (
    CsI2021TimeEfficiency,
    EnergyEfficiency,
    LogisticEfficiency,
    LogisticStepEfficiency,
    TabulatedEfficiency,
    ThresholdEfficiency,
    TimeEfficiency,
    UnitEfficiency,
    UnitTimeEfficiency,
)
from cevns.detectors.light_yield import check_light_yield, mean_photoelectrons
from cevns.detectors.quenching import (
    ConstantQuenching,
    LindhardQuenching,
    LinearQuenching,
    PolynomialQuenching,
    Quenching,
    TabulatedQuenching,
)
from cevns.detectors.response import (
    AnalysisWindow,
    ObservableKind,
    build_response_matrix,
    observable_kind,
)
from cevns.detectors.smearing import (
    GammaSmearing,
    GaussianSmearing,
    NoiseFanoSmearing,
    NoSmearing,
    PoissonSmearing,
    Smearing,
    check_edges,
)
from cevns.detectors.specs import (
    EnergyEfficiencySpec,
    QuenchingSpec,
    SmearingSpec,
    TimeEfficiencySpec,
)

__all__ = [
    "AnalysisWindow",
    "ConstantQuenching",
    "CsI2021TimeEfficiency",
    "EnergyEfficiency",
    "EnergyEfficiencySpec",
    "GammaSmearing",
    "GaussianSmearing",
    "LindhardQuenching",
    "LinearQuenching",
    "LogisticEfficiency",
    "LogisticStepEfficiency",
    "NoSmearing",
    "NoiseFanoSmearing",
    "ObservableKind",
    "PoissonSmearing",
    "PolynomialQuenching",
    "Quenching",
    "QuenchingSpec",
    "Smearing",
    "SmearingSpec",
    "TabulatedEfficiency",
    "TabulatedQuenching",
    "ThresholdEfficiency",
    "TimeEfficiency",
    "TimeEfficiencySpec",
    "UnitEfficiency",
    "UnitTimeEfficiency",
    "build_response_matrix",
    "check_edges",
    "check_light_yield",
    "mean_photoelectrons",
    "observable_kind",
]
