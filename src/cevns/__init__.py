"""cevns: coherent elastic neutrino-nucleus scattering, from source to constraint.

The package follows the data flow source → interaction → target → detector → prediction
→ statistics → reports; see ``docs/architecture.md``. All dimensional quantities are
plain floats in the internal units of :mod:`cevns.units`: multiply by a unit to bring a
number in, divide by it to take a number out.

Public API (``cevns.NAME``; each is imported on first use, so ``import cevns`` stays fast):

Cross sections
    ``total_cross_section``, ``differential_cross_section`` — Standard-Model CEvNS σ(E)
    and dσ/dT(E, T) of any isotope
    (:mod:`cevns.interactions.cross_section`); ``get_isotope`` — nuclear data.
Sources
    ``PionDecayAtRest``, ``Reactor``, ``SolarNeutrinos``, ``SupernovaBurst``,
    ``AtmosphericNeutrinos``, ``DiffuseSupernovaBackground``, ``MonochromaticSource``,
    ``TabulatedSource`` (neutrino spectra per flavour), ``get_facility`` (SNS, ESS, …)
    and ``Flux`` (a source seen at a distance) (:mod:`cevns.sources`).
Experiments
    ``load_experiment`` (preset name or TOML document → spec), ``build_experiment``
    (spec → flux, material, response), ``predict`` (expected events and spectra).
Statistics
    ``build_analysis`` (a document's ``[analysis]`` → likelihood), ``fit`` (joint fit of
    documents: :func:`cevns.stats.fitting.fit_experiments`), ``scan`` (profile-likelihood
    scans: :func:`cevns.stats.scan.run_scan`), ``limit`` (coupling–mass exclusion curves:
    :func:`cevns.stats.limits.run_limit`), with ``LikelihoodRecipe`` and ``ScanAxis``
    to describe them.
Units and errors
    ``units`` (the module of units), ``CevnsInputError`` (every refused input),
    ``__version__``.

>>> import cevns
>>> from cevns.units import MeV, cm2
>>> print(f"{cevns.total_cross_section(30 * MeV, 'Cs133', 'nu_e') / cm2:.3g} cm2")
1.73e-38 cm2
"""

import sys

# Nothing heavier than ``sys`` at import: ``typing`` and ``importlib`` alone would
# multiply the import time of ``cevns`` (and of ``cevns --help``) several times.
TYPE_CHECKING = False

__version__ = "0.1.0"

#: Public name → (module, attribute in it); ``None`` means the module itself.
_API = {  # type: dict[str, tuple[str, str | None]]
    # cross sections and nuclei
    "total_cross_section": ("cevns.interactions.cross_section", "total_cross_section"),
    "differential_cross_section": (
        "cevns.interactions.cross_section",
        "differential_cross_section",
    ),
    "get_isotope": ("cevns.nuclear.isotopes", "get_isotope"),
    # sources
    "AtmosphericNeutrinos": ("cevns.sources.atmospheric", "AtmosphericNeutrinos"),
    "DiffuseSupernovaBackground": ("cevns.sources.dsnb", "DiffuseSupernovaBackground"),
    "Flux": ("cevns.sources.flux", "Flux"),
    "MonochromaticSource": ("cevns.sources.simple", "MonochromaticSource"),
    "PionDecayAtRest": ("cevns.sources.pion_dar", "PionDecayAtRest"),
    "Reactor": ("cevns.sources.reactor", "Reactor"),
    "SolarNeutrinos": ("cevns.sources.solar", "SolarNeutrinos"),
    "SupernovaBurst": ("cevns.sources.supernova", "SupernovaBurst"),
    "TabulatedSource": ("cevns.sources.simple", "TabulatedSource"),
    "get_facility": ("cevns.sources.facilities", "get_facility"),
    # experiments
    "build_experiment": ("cevns.experiments.build", "build_experiment"),
    "load_experiment": ("cevns.experiments.load", "load_experiment"),
    "predict": ("cevns.experiments.prediction", "predict"),
    # statistics
    "LikelihoodRecipe": ("cevns.stats.likelihood", "LikelihoodRecipe"),
    "ScanAxis": ("cevns.stats.grid", "ScanAxis"),
    "build_analysis": ("cevns.stats.assemble", "build_analysis"),
    "fit": ("cevns.stats.fitting", "fit_experiments"),
    "limit": ("cevns.stats.limits", "run_limit"),
    "scan": ("cevns.stats.scan", "run_scan"),
    # units and errors
    "CevnsInputError": ("cevns.errors", "CevnsInputError"),
    "units": ("cevns.units", None),
}

__all__ = [
    "AtmosphericNeutrinos",
    "CevnsInputError",
    "DiffuseSupernovaBackground",
    "Flux",
    "LikelihoodRecipe",
    "MonochromaticSource",
    "PionDecayAtRest",
    "Reactor",
    "ScanAxis",
    "SolarNeutrinos",
    "SupernovaBurst",
    "TabulatedSource",
    "__version__",
    "build_analysis",
    "build_experiment",
    "differential_cross_section",
    "fit",
    "get_facility",
    "get_isotope",
    "limit",
    "load_experiment",
    "predict",
    "scan",
    "total_cross_section",
    "units",
]


def __getattr__(name: str) -> object:
    """Import a public name on first use (PEP 562) and keep it in the module."""
    try:
        module_name, attribute = _API[name]
    except KeyError:
        raise AttributeError(f"module 'cevns' has no attribute {name!r}") from None
    __import__(module_name)
    module = sys.modules[module_name]
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # the same names, for type checkers and IDEs
    from cevns import units
    from cevns.errors import CevnsInputError
    from cevns.experiments.build import build_experiment
    from cevns.experiments.load import load_experiment
    from cevns.experiments.prediction import predict
    from cevns.interactions.cross_section import (
        differential_cross_section,
        total_cross_section,
    )
    from cevns.nuclear.isotopes import get_isotope
    from cevns.sources.atmospheric import AtmosphericNeutrinos
    from cevns.sources.dsnb import DiffuseSupernovaBackground
    from cevns.sources.facilities import get_facility
    from cevns.sources.flux import Flux
    from cevns.sources.pion_dar import PionDecayAtRest
    from cevns.sources.reactor import Reactor
    from cevns.sources.simple import MonochromaticSource, TabulatedSource
    from cevns.sources.solar import SolarNeutrinos
    from cevns.sources.supernova import SupernovaBurst
    from cevns.stats.assemble import build_analysis
    from cevns.stats.fitting import fit_experiments as fit
    from cevns.stats.grid import ScanAxis
    from cevns.stats.likelihood import LikelihoodRecipe
    from cevns.stats.limits import run_limit as limit
    from cevns.stats.scan import run_scan as scan
