"""Document → model: the likelihood an experiment document declares, as an :class:`Analysis`.

The ``[analysis]`` table of a document (:mod:`cevns.experiments.analysis_schema`) names
the observed samples, the axes, the signal and its systematics, and the parameters; the
``[[backgrounds]]`` give the background components. This module reads the tables, asks
the prediction engine for the signal (refolding it for response systematics) and returns
the model, cost terms and bookkeeping; nothing here is specific to one dataset.

Parameter roles and their defaults (a document's ``[analysis.parameters]`` overrides any
field; see :class:`~cevns.experiments.analysis_schema.ParameterSpec`):

=====================  =======  ===========  ==========================================
role                   start    bounds       prior
=====================  =======  ===========  ==========================================
signal strength μ      1        [0, 10]      none
other signal scales    1        [0, 10]      none (declare one, e.g. the flux's)
background norm        1        [0, 5]       ``uncertainty`` of the background (if > 0)
shape nuisance         0        [−5, 5]      unit Gaussian
shape parameter        doc      open         none
new-physics parameter  SM       the model's  none
=====================  =======  ===========  ==========================================
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from cevns.detectors.template_grid import GridHistograms
from cevns.errors import CevnsInputError
from cevns.experiments.analysis_schema import (
    ParameterSpec,
    PriorSpec,
    TableSpec,
)
from cevns.experiments.background_schema import BackgroundSpec
from cevns.experiments.backgrounds import background_shape
from cevns.experiments.build import Experiment, build_experiment
from cevns.experiments.engine import PredictionEngine
from cevns.experiments.histograms import Axis, analysis_axes, table_histogram
from cevns.experiments.schema import ExperimentSpec
from cevns.stats.analysis import Analysis
from cevns.stats.cost import PoissonHistogram, prior_term
from cevns.stats.model import BinnedModel, Component
from cevns.stats.signal_component import SignalBuilder, SignalLayout, template_ratio
from cevns.units import cm2

#: Default (start, bounds, prior) by parameter role.
_ROLE_DEFAULTS: dict[str, tuple[float, tuple[float, float], PriorSpec | None]] = {
    "signal": (1.0, (0.0, 10.0), None),
    "normalisation": (1.0, (0.0, 5.0), None),
    "shape": (0.0, (-5.0, 5.0), PriorSpec(mean=0.0, sigma=1.0)),
}


@dataclass(frozen=True)
class ParameterDeclaration:
    """A likelihood parameter after the document's declarations: where the fit starts,
    its bounds, its prior (None: unconstrained) and, if held, its fixed value."""

    name: str
    start: float
    bounds: tuple[float, float]
    prior: PriorSpec | None
    fixed: float | None = None


def slug(text: str) -> str:
    """A parameter-name fragment: lower case, runs of other characters as ``_``."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def norm_parameter(document: ExperimentSpec, background: BackgroundSpec) -> str:
    """The normalisation parameter of a background (``<document>_<name>_norm`` unless named)."""
    return background.norm_parameter or f"{slug(document.name)}_{slug(background.name)}_norm"


# ------------------------------------------------------------------------- parameters


class _Roles:
    """The role of each parameter; one name in two roles (a normalisation that is also a
    decay rate, a nuisance named like a signal scale) is refused. Normalisations and shape
    nuisances may be shared by several components (``shared``)."""

    _NAMES: ClassVar[dict[str, str]] = {
        "model": "new-physics parameter",
        "signal": "signal scale",
        "shape": "shape nuisance",
        "normalisation": "background normalisation",
        "shape-parameter": "background shape parameter",
    }

    def __init__(self, document: str) -> None:
        self.document = document
        self.roles: dict[str, str] = {}

    def add(self, name: str, role: str, shared: bool = False) -> None:
        known = self.roles.get(name)
        # A background may scale with a signal scale (neutrino-induced neutrons follow
        # the flux normalisation).
        flux_like = {known, role} == {"signal", "normalisation"}
        if known is None:
            self.roles[name] = role
        elif not flux_like and (known != role or not shared):
            raise CevnsInputError(
                f"{self.document}: parameter {name} is both a {self._NAMES[known]} and a "
                f"{self._NAMES[role]}; give each role its own name"
            )


def _declarations(
    document: ExperimentSpec,
    roles: Mapping[str, str],
    role_priors: Mapping[str, PriorSpec],
    shape_defaults: Mapping[str, float],
    model_parameters: Mapping[str, float],
    shape_bounds: Mapping[str, tuple[float, float]] | None = None,
) -> dict[str, ParameterDeclaration]:
    """Every parameter with the defaults of its role and the document's declarations."""
    assert document.analysis is not None  # only documents with [analysis] are assembled
    declared: Mapping[str, ParameterSpec] = document.analysis.parameters
    unknown = sorted(set(declared) - set(roles))
    if unknown:
        raise CevnsInputError(
            f"{document.name}: analysis.parameters.{unknown[0]}: not a parameter of this "
            f"likelihood (its parameters: {', '.join(roles)})"
        )
    result = {}
    for name, role in roles.items():
        if role == "model":
            from cevns.interactions.models import PARAMETERS

            low, high = PARAMETERS[name].limits
            start, bounds, prior = model_parameters[name], (low, high), None
        elif role == "shape-parameter":
            bounds = (shape_bounds or {}).get(name, (None, None))
            start, prior = shape_defaults[name], None
        else:
            start, bounds, prior = _ROLE_DEFAULTS[role]
            prior = role_priors.get(name, prior)
        spec = declared.get(name)
        if spec is not None:
            start = spec.start if spec.start is not None else start
            bounds = spec.bounds if spec.bounds is not None else bounds
            if spec.prior is not None:
                prior = None if spec.prior == "none" else spec.prior
        low = -math.inf if bounds[0] is None else float(bounds[0])
        high = math.inf if bounds[1] is None else float(bounds[1])
        fixed = spec.fixed if spec is not None else None
        value, what = (start, "start") if fixed is None else (fixed, "fixed value")
        if not low <= value <= high:
            raise CevnsInputError(
                f"{document.name}: analysis.parameters.{name}: {what} {value:g} outside its "
                f"bounds [{low:g}, {high:g}]"
            )
        if prior is not None and prior.kind == "lognormal" and low < 0:
            low = 0.0
        result[name] = ParameterDeclaration(name, float(start), (low, high), prior, fixed)
    return result


# ----------------------------------------------------------------------------- builder


def build_document_analysis(
    document: ExperimentSpec,
    data_dir: str | os.PathLike[str] | None = None,
    *,
    model_parameters: Mapping[str, float] | None = None,
    form_factor: str | None = None,
) -> Analysis:
    """The likelihood of ``document`` (which must have an ``[analysis]`` table).

    ``model_parameters`` (new-physics parameter names with start values) make the signal
    a function of them through the prediction engine; ``form_factor`` overrides the
    document's. Raises a one-line :class:`~cevns.errors.CevnsInputError` for any problem
    with the document or its files.
    """
    if document.analysis is None:
        raise CevnsInputError(
            f"{document.name}: the document has no [analysis] table, so it cannot be fitted "
            "(see docs/analyse-your-own-data.md)"
        )
    analysis_spec = document.analysis
    model_parameters = dict(model_parameters or {})
    folders = (document.folder, data_dir)
    experiment = build_experiment(document, data_dir)
    engine = PredictionEngine(experiment, form_factor)
    axes = analysis_axes(document, analysis_spec.axes, data_dir)
    signal = SignalBuilder(document, experiment, engine, axes, folders, model_parameters)

    roles = _Roles(document.name)
    for name in model_parameters:
        roles.add(name, "model")
    scales = analysis_spec.signal.scale_parameters
    for name in scales:
        roles.add(name, "signal")
    for systematic in signal.systematics:
        roles.add(systematic.parameter, "shape")
    role_priors: dict[str, PriorSpec] = {}
    shape_defaults: dict[str, float] = {}
    shape_bounds: dict[str, tuple[float, float]] = {}
    if signal.grid is not None:
        for name, value in signal.grid_parameters.items():
            roles.add(name, "shape-parameter", shared=True)
            shape_defaults[name] = value
            shape_bounds[name] = signal.grid.bounds[name]
    components = {
        analysis_spec.signal.name: Component(
            analysis_spec.signal.name,
            signal.function(),
            scale_parameters=tuple(scales),
            shape_systematics=signal.systematics,
            model_parameters={**model_parameters, **signal.grid_parameters},
        )
    }
    for background in document.backgrounds:
        component, prior, grid = _background_component(
            document, experiment, background, axes, data_dir
        )
        components[background.name] = component
        norm = component.scale_parameters[0]
        roles.add(norm, "normalisation", shared=True)
        if prior is not None:
            if norm in role_priors and role_priors[norm] != prior:
                raise CevnsInputError(
                    f"{document.name}: backgrounds sharing the normalisation {norm} give it "
                    "different uncertainties"
                )
            role_priors[norm] = prior
        for systematic in component.shape_systematics:
            roles.add(systematic.parameter, "shape", shared=True)
        for name, value in component.model_parameters.items():
            roles.add(name, "shape-parameter", shared=True)
            shape_defaults[name] = value
        if grid is not None:
            for name, bounds in grid.bounds.items():
                low, high = shape_bounds.get(name, bounds)
                shape_bounds[name] = (max(low, bounds[0]), min(high, bounds[1]))
    parameters = _declarations(
        document, roles.roles, role_priors, shape_defaults, model_parameters, shape_bounds
    )
    limits = {name: p.bounds for name, p in parameters.items()}

    samples = []
    for sample in analysis_spec.samples:
        names = sample.components or list(components)
        model = BinnedModel([components[n] for n in names])
        if sample.data == "asimov":
            observed = model.expected(_nominal_values(parameters, model_parameters))
        else:
            observed, _ = table_histogram(
                sample.data, axes, f"analysis.samples.{sample.name}.data",
                base_dir=folders[0], data_dir=data_dir,
            )  # fmt: skip
        samples.append(
            PoissonHistogram(
                observed, model, f"{document.name}:{sample.name}", limits, sample.auxiliary
            )
        )
    constraints = [
        prior_term(name, p.prior) for name, p in parameters.items() if p.prior is not None
    ]
    start = {name: p.fixed if p.fixed is not None else p.start for name, p in parameters.items()}
    return Analysis(
        name=document.name,
        samples=samples,
        constraints=constraints,
        start=start,
        limits=limits,
        fixed={n: p.fixed for n, p in parameters.items() if p.fixed is not None},
        priors={n: p.prior for n, p in parameters.items() if p.prior is not None},
        signal_component=analysis_spec.signal.name,
        signal_scale=scales[0],
        predicted_cevns_events=float(np.sum(signal.nominal)),
        standard_model_cross_section=engine.flux_averaged_cross_sections()["per_nucleus"],
        published=document.published_json(),
        axes=[(_axis_label(document, axis), axis.edges) for axis in axes],
        form_factor=engine.form_factor,
        source_flux=source_flux(experiment),
    )


def _nominal_values(
    parameters: Mapping[str, ParameterDeclaration], model_parameters: Mapping[str, float]
) -> dict[str, float]:
    """Where Asimov data are evaluated: every parameter at its fixed or start value, the
    new-physics parameters at their Standard-Model values (not the fit's start), so that
    a scan's projection is the same data set at every point."""
    values = {n: p.fixed if p.fixed is not None else p.start for n, p in parameters.items()}
    if model_parameters:
        from cevns.interactions.models import default_values

        values.update(default_values(model_parameters))
    return values


def build_analysis(
    name_or_path: str | os.PathLike[str],
    data_directory: str | os.PathLike[str] | None = None,
    model_parameters: Mapping[str, float | None] | None = None,
    form_factor: str | None = None,
) -> Analysis:
    """The analysis of a preset (``coherent-csi-2021``) or a document file.

    Parameters
    ----------
    name_or_path
        A preset or a TOML document with an ``[analysis]`` table.
    data_directory
        The folder holding the data the document names (default: ``CEVNS_DATA_DIR``,
        else the user cache).
    model_parameters
        Names of :data:`cevns.interactions.models.PARAMETERS` with start values (None:
        the Standard-Model value).
    form_factor
        Overrides the document's form factor.

    Returns
    -------
    Analysis
        Observed histograms, the expectation model and the parameters with their priors.

    Raises
    ------
    CevnsInputError
        A document without ``[analysis]``, missing or damaged data files, unknown names.

    Examples
    --------
    >>> from cevns import build_analysis
    >>> build_analysis("coherent-ge-mini")
    Traceback (most recent call last):
    ...
    cevns.errors.CevnsInputError: coherent-ge-mini: the document has no [analysis] table...
    >>> analysis = build_analysis("coherent-csi-2021", "../shared/data")  # doctest: +SKIP
    """
    from cevns.experiments.load import load_experiment

    document = load_experiment(name_or_path)
    start = None
    if model_parameters:
        from cevns.interactions.models import default_values

        defaults = default_values(model_parameters)
        start = {k: defaults[k] if v is None else float(v) for k, v in model_parameters.items()}
    return build_document_analysis(
        document, data_directory, model_parameters=start, form_factor=form_factor
    )


def _background_component(
    document: ExperimentSpec,
    experiment: Experiment,
    background: BackgroundSpec,
    axes: Sequence[Axis],
    data_dir,
) -> tuple[Component, PriorSpec | None, GridHistograms | None]:
    shape = background_shape(background, experiment, axes, data_dir)
    where = f"backgrounds.{background.name}.systematics"
    nominal_table: TableSpec | None = background.table
    reference = None
    systematics = []
    for index, systematic in enumerate(background.systematics):
        table = systematic.reference or nominal_table
        if table is None:
            raise CevnsInputError(
                f"{where}[{index}]: needs a reference table (the background has no table of "
                "its own)"
            )
        if systematic.reference is None:
            reference = shape.histogram() if reference is None else reference
            ref = reference
        else:
            ref, _ = table_histogram(
                table, axes, f"{where}[{index}].reference", base_dir=document.folder,
                data_dir=data_dir,
            )  # fmt: skip
        systematics.append(
            template_ratio(systematic, ref, axes, (document.folder, data_dir), f"{where}[{index}]")
        )
    nominal = shape if shape.parameters else shape.histogram()
    component = Component(
        background.name,
        nominal,
        scale_parameters=(norm_parameter(document, background),),
        shape_systematics=tuple(systematics),
        model_parameters=dict(shape.parameters),
    )
    prior = None
    if background.uncertainty > 0:
        prior = PriorSpec(kind=background.prior, mean=1.0, sigma=background.uncertainty)
    return component, prior, shape.grid


#: Source kinds counted per second, whose flux at the detector is a rate per area.
_STEADY_SOURCES = ("solar", "reactor", "monochromatic", "tabulated", "atmospheric", "dsnb")


def flux_key(document: ExperimentSpec) -> str:
    """The report key of a source's flux: ``b8_flux_cm2_s`` for a solar source of the ⁸B
    component alone (isotope names as element + mass number: 7Be → be7), else
    ``<kind>_flux_cm2_s``."""
    source = document.source
    components = getattr(source, "components", None)
    if source.kind == "solar" and components and len(components) == 1:
        match = re.fullmatch(r"(\d+)([A-Za-z]+)", components[0])
        name = f"{match.group(2)}{match.group(1)}" if match else components[0]
        return f"{slug(name)}_flux_cm2_s"
    return f"{slug(source.kind)}_flux_cm2_s"


def source_flux(experiment: Experiment) -> dict[str, float]:
    """The nominal flux at the detector (all flavours, per cm² per s) of a steady source
    under its report key (:func:`flux_key`); empty for other sources."""
    document = experiment.spec
    if document.source.kind not in _STEADY_SOURCES:
        return {}
    flux = experiment.flux
    per_second = sum(flux.fluence(f) for f in flux.flavors) / flux.units_of_source
    # Source units are seconds (a count), so this is per area per second.
    return {flux_key(document): per_second * cm2}


def _axis_label(document: ExperimentSpec, axis: Axis) -> str:
    """A figure label: the observable's kind (photoelectrons, E_ee, recoil energy), t for
    time, or the axis's own name, with its unit."""
    observables = {
        "photoelectrons": "photoelectrons",
        "electron-equivalent-energy": "E_ee",
        "recoil-energy": "recoil energy",
        "template-bins": "analysis bin",
    }
    names = {"observable": observables[document.binning.observable], "time": "t"}
    label = names.get(axis.name, axis.name)
    return f"{label} [{axis.unit}]" if axis.unit else label


__all__ = [
    "ParameterDeclaration",
    "SignalLayout",
    "build_analysis",
    "build_document_analysis",
    "norm_parameter",
    "slug",
]
