"""The signal component of a document's likelihood: the engine's prediction on the
analysis axes.

* :class:`SignalLayout` puts the engine's (observable × time) histogram on the analysis
  axes, spread over further axes by a template (``analysis.signal.spread``), or reshaped
  to a dark-matter detector's template bins;
* :class:`SignalBuilder` builds the nominal signal, its response and template systematics
  (:func:`template_ratio`; :func:`changed_document` for a refolded response) and, with
  new-physics parameters or template-grid nuisances, the signal as a function of them —
  a precomputed polynomial where the signal is one (:func:`polynomial_or_direct`,
  :mod:`cevns.stats.polynomial`), else the direct engine path.

Used by :mod:`cevns.stats.assemble`; nothing here is specific to one dataset.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cevns.detectors.recoil_templates import RecoilTemplateResponse
from cevns.detectors.template_grid import GridHistograms
from cevns.errors import CevnsInputError
from cevns.experiments.analysis_schema import ResponseChange, SystematicSpec
from cevns.experiments.backgrounds import check_axes_match
from cevns.experiments.build import Experiment, build_experiment
from cevns.experiments.engine import PredictionEngine
from cevns.experiments.histograms import Axis, table_histogram
from cevns.experiments.schema import ExperimentSpec
from cevns.quantities import parse_quantity
from cevns.stats.model import ShapeSystematic
from cevns.stats.polynomial import SlicedPolynomial, build_polynomial, parameter_boxes


class SignalLayout:
    """Puts the engine's (observable × time) histogram on the analysis axes, spreading it
    over further axes with a template when the document asks (``signal.spread``)."""

    def __init__(
        self,
        document: ExperimentSpec,
        axes: Sequence[Axis],
        folders: tuple,
        templates: RecoilTemplateResponse | None = None,
    ) -> None:
        self.shape = tuple(a.size for a in axes)
        self.names = [a.name for a in axes]
        self.engine_axes = ["observable", "time"] if document.binning.time_edges else ["observable"]
        assert document.analysis is not None  # only documents with [analysis] are assembled
        spread = document.analysis.signal.spread
        self.conditional = None
        if templates is not None:
            # The engine's observable bins are the templates' bins, flattened in C order.
            check_axes_match(
                templates.axis_names, templates.edges, axes, "response.recoil_templates"
            )
            return
        if spread is None:
            if self.names != self.engine_axes:
                raise CevnsInputError(
                    f"{document.name}: analysis.axes {self.names} differ from the prediction's "
                    f"{self.engine_axes}; give analysis.signal.spread to spread the signal "
                    "over the other axes"
                )
            return
        template, _ = table_histogram(
            spread.table, axes, "analysis.signal.spread.table", base_dir=folders[0],
            data_dir=folders[1],
        )  # fmt: skip
        self.keep = [n for n in self.engine_axes if n in spread.keep]
        unknown = sorted(set(spread.keep) - set(self.engine_axes))
        if unknown:
            raise CevnsInputError(
                f"{document.name}: analysis.signal.spread.keep names {unknown}, which the "
                f"prediction does not have (its axes: {self.engine_axes})"
            )
        summed = tuple(i for i, n in enumerate(self.names) if n not in self.keep)
        per_kept = template.sum(axis=summed, keepdims=True)
        safe = np.where(per_kept > 0, per_kept, 1.0)
        self.conditional = np.where(per_kept > 0, template / safe, 0.0)

    def __call__(self, histogram: np.ndarray) -> np.ndarray:
        """The engine's histogram (observable × time, or observable × 1) on the axes."""
        histogram = np.asarray(histogram, dtype=float)
        if self.conditional is None:
            return histogram.reshape(self.shape)
        engine = histogram.reshape([histogram.shape[0], -1][: len(self.engine_axes)])
        dropped = tuple(i for i, n in enumerate(self.engine_axes) if n not in self.keep)
        marginal = engine.sum(axis=dropped) if dropped else engine
        shape = [1] * len(self.names)
        for name, size in zip(self.keep, marginal.shape, strict=True):
            shape[self.names.index(name)] = size
        return marginal.reshape(shape) * self.conditional


def changed_document(document: ExperimentSpec, change: ResponseChange) -> ExperimentSpec:
    """The document with a response (or pulse) change applied."""
    response_fields = change.model_dump(exclude_unset=True, exclude={"pulse_mean"})
    updated: dict[str, Any] = {"response": document.response.model_copy(update={
        key: getattr(change, key) for key in response_fields
    })}  # fmt: skip
    if change.pulse_mean is not None:
        pulse = getattr(document.source, "pulse", None)
        if pulse is None:
            raise CevnsInputError(
                f"{document.name}: a pulse_mean systematic needs source.pulse in the document"
            )
        mean = parse_quantity(change.pulse_mean, "time", "pulse_mean")
        updated["source"] = document.source.model_copy(
            update={"pulse": pulse.model_copy(update={"mean": mean})}
        )
    return document.model_copy(update=updated)


def template_ratio(
    systematic: SystematicSpec,
    reference: np.ndarray,
    axes: Sequence[Axis],
    folders: tuple,
    where: str,
) -> ShapeSystematic:
    """A template systematic: variants over ``reference`` (rescaled to its total when
    ``shape_only``), as a :class:`ShapeSystematic`."""
    variants: list[np.ndarray | None] = []
    for side in ("up", "down"):
        table = getattr(systematic, side)
        if table is None:
            variants.append(None)
            continue
        variant, _ = table_histogram(
            table, axes, f"{where}.{side}", base_dir=folders[0], data_dir=folders[1]
        )
        if systematic.shape_only:
            if variant.sum() <= 0:
                raise CevnsInputError(
                    f"{where}.{side}: the template is empty in the analysis region"
                )
            variant = variant * (reference.sum() / variant.sum())
        variants.append(variant)
    assert variants[0] is not None  # SystematicSpec: up is required
    return ShapeSystematic.from_histograms(
        systematic.parameter, reference, variants[0], variants[1]
    )


class SignalBuilder:
    """The signal component: the engine's prediction, its systematics and new physics."""

    def __init__(
        self,
        document: ExperimentSpec,
        experiment: Experiment,
        engine: PredictionEngine,
        axes: Sequence[Axis],
        folders: tuple,
        model_parameters: Mapping[str, float],
    ) -> None:
        self.document = document
        self.engine = engine
        self.layout = SignalLayout(document, axes, folders, experiment.recoil_templates)
        self.nominal = self.layout(engine.histogram())
        self.model_parameters = dict(model_parameters)
        templates = experiment.recoil_templates
        self.grid = None
        if templates is not None and templates.parameters:
            self.grid = engine.template_grid_histograms()
        #: Parameters of the templates' nuisance grid, at their nominal values.
        self.grid_parameters = dict(self.grid.nominal_point) if self.grid is not None else {}
        assert document.analysis is not None  # only documents with [analysis] are assembled
        self.systematics = tuple(
            self._systematic(s, index, experiment, axes, folders)
            for index, s in enumerate(document.analysis.signal.systematics)
        )

    def _systematic(self, systematic, index, experiment, axes, folders) -> ShapeSystematic:
        where = f"analysis.signal.systematics[{index}]"
        if systematic.kind == "template":
            if systematic.reference is None:
                raise CevnsInputError(
                    f"{where}: a template systematic of the signal needs a reference table "
                    "(the nominal template the variants are relative to)"
                )
            reference, _ = table_histogram(
                systematic.reference, axes, f"{where}.reference", base_dir=folders[0],
                data_dir=folders[1],
            )  # fmt: skip
            return template_ratio(systematic, reference, axes, folders, where)
        histograms: list[np.ndarray | None] = []
        for change in (systematic.up, systematic.down):
            if change is None:
                histograms.append(None)
                continue
            variant = build_experiment(changed_document(self.document, change), folders[1])
            engine = PredictionEngine(variant, self.engine.form_factor)
            histograms.append(self.layout(engine.histogram()))
        assert histograms[0] is not None  # SystematicSpec: up is required
        return ShapeSystematic.from_histograms(
            systematic.parameter, self.nominal, histograms[0], histograms[1]
        )

    def function(self) -> np.ndarray | Callable[[Mapping[str, float]], np.ndarray]:
        """The nominal histogram, or a function of the new-physics parameters and of the
        recoil templates' nuisances (interpolated between their grid points)."""
        if not self.model_parameters and self.grid is None:
            return self.nominal
        if not self.model_parameters and self.grid is not None:
            return GridSignal(self.grid, self.layout)
        from cevns.interactions.models import NewPhysicsCharges, sterile

        engine, layout = self.engine, self.layout
        names = tuple(self.model_parameters)
        charge_names = tuple(n for n in names if not sterile.is_sterile(n))
        oscillates = len(charge_names) < len(names)
        if self.grid is not None and oscillates:
            raise CevnsInputError(
                f"{self.document.name}: sterile oscillations with recoil-template nuisances "
                "are not supported; fix the template nuisances or drop the sterile parameters"
            )

        def signal(values: Mapping[str, float]) -> np.ndarray:
            charges = NewPhysicsCharges({n: values[n] for n in charge_names})
            if self.grid is not None:
                return layout(engine.template_grid_histograms(charges).at(values))
            if not oscillates:
                return layout(engine.histogram(charges))
            oscillation = sterile.survival(values)
            amplitudes = {f: oscillation.sterile_amplitude(f) for f in engine.flavors}
            kernels = engine.oscillated_kernels(oscillation.delta_m2_41, amplitudes)
            return layout(engine.histogram(charges, kernels))

        if self.grid is not None or oscillates or not POLYNOMIAL_SIGNALS:
            return signal
        return polynomial_or_direct(signal, self.model_parameters)


@dataclass(frozen=True)
class GridSignal:
    """The signal interpolated on the recoil templates' nuisance grid, with its gradient."""

    grid: GridHistograms
    layout: SignalLayout

    def __call__(self, values: Mapping[str, float]) -> np.ndarray:
        return self.layout(self.grid.at(values))

    def gradient(self, values: Mapping[str, float]) -> dict[str, np.ndarray]:
        return {k: self.layout(v) for k, v in self.grid.gradient(values).items()}


#: Precompute signals that are polynomials in their new-physics parameters
#: (:mod:`cevns.stats.polynomial`); False keeps the direct path (for comparisons).
POLYNOMIAL_SIGNALS = True


def polynomial_or_direct(
    signal: Callable[[Mapping[str, float]], np.ndarray], start: Mapping[str, float]
) -> Callable[[Mapping[str, float]], np.ndarray]:
    """The polynomial form of ``signal`` in the parameters of ``start`` when it has one
    (exact to 1e-10 of the largest bin, checked at random points); else, when it is a
    polynomial in some of them alone (a mediator's coupling, not its mass), a
    :class:`~cevns.stats.polynomial.SlicedPolynomial` in those; else ``signal``."""
    from cevns.interactions.models import PARAMETERS

    limits = {name: PARAMETERS[name].limits for name in start}
    centres, spreads = parameter_boxes(signal, start, tuple(start), limits)
    if len(spreads) == len(start):
        polynomial = build_polynomial(signal, tuple(start), centres, spreads)
        if polynomial is not None:
            return polynomial
    # Each parameter alone, with the others moved off the start into their boxes (at
    # zero coupling a mediator's mass moves nothing, so it would pass at the start): a
    # polynomial along it is fast, the others (the mass, and any parameter without a
    # box) are sliced along.
    moved = {name: centres[name] + 0.5 * spreads[name] for name in spreads}
    fast = [
        name
        for name in spreads
        if len(start) > 1
        and build_polynomial(signal, (name,), {**start, **moved, name: centres[name]}, spreads)
    ]
    if not fast or len(fast) == len(start):
        return signal
    return SlicedPolynomial(signal, start, fast, limits)


__all__ = [
    "POLYNOMIAL_SIGNALS",
    "GridSignal",
    "SignalBuilder",
    "SignalLayout",
    "changed_document",
    "polynomial_or_direct",
    "template_ratio",
]
