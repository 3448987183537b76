"""A full prediction of one experiment: signal by flavour, backgrounds, spectra, ⟨σ⟩."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from cevns.experiments.backgrounds import BackgroundComponent, build_backgrounds
from cevns.experiments.build import Experiment, build_experiment
from cevns.experiments.engine import ChargeModel, PredictionEngine
from cevns.experiments.inelastic_prediction import InelasticPrediction, predict_inelastic
from cevns.experiments.load import load_experiment
from cevns.experiments.schema import ExperimentSpec
from cevns.units import cm2, keV, keVee, us

#: Points of the recoil-energy and electron-equivalent spectra in reports.
SPECTRUM_POINTS = 120


@dataclass
class Prediction:
    """Expected events of an experiment, split by flavour and component."""

    engine: PredictionEngine
    signal_by_flavor: dict[str, np.ndarray]
    backgrounds: list[BackgroundComponent]
    flux_averaged_cross_sections: dict[str, float]
    inelastic: InelasticPrediction | None = None

    @property
    def experiment(self) -> Experiment:
        return self.engine.experiment

    @property
    def signal(self) -> np.ndarray:
        """CEvNS histogram (observable × time), all flavours."""
        histograms = list(self.signal_by_flavor.values())
        return sum(histograms, np.zeros_like(histograms[0]))

    @property
    def total_events(self) -> float:
        """Expected CEvNS events in the analysis window."""
        return float(self.signal.sum())

    def events_by_flavor(self) -> dict[str, float]:
        return {f: float(h.sum()) for f, h in self.signal_by_flavor.items()}

    def events_by_component(self) -> dict[str, float | None]:
        components: dict[str, float | None] = {"cevns": self.total_events}
        for background in self.backgrounds:
            components[background.name] = (
                float(background.histogram.sum()) if background.histogram is not None else None
            )
        return components

    def recoil_spectrum(
        self, points: int = SPECTRUM_POINTS
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """dN/dT per flavour on a grid up to the largest recoil (no detector response)."""
        end = max(k.recoil[-1] for k in self.engine.kernels)
        recoil = np.linspace(end / points, end, points)
        return recoil, self.engine.recoil_spectrum(recoil)

    def electron_equivalent_spectrum(
        self, points: int = SPECTRUM_POINTS
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """dN/dE_ee per flavour (quenching only, no smearing), summed over isotopes.

        Each isotope's dN/dT becomes dN/dE_ee = dN/dT / (dE_ee/dT) with its own quenching
        (``response.quenching_by_element``); with one quenching for all isotopes the
        spectrum is given at E_ee(T) of the recoil grid, otherwise on a common grid of
        E_ee up to the largest value, each isotope interpolated there (0 beyond its
        largest E_ee).
        """
        exp = self.experiment
        recoil, spectra = self.recoil_spectrum(points)
        names = [k.isotope.name for k in self.engine.kernels]
        quenchings = [exp.quenching_for(name) for name in names]
        if all(q is quenchings[0] for q in quenchings):
            e_ee = quenchings[0].electron_equivalent(recoil)
            slope = np.gradient(e_ee, recoil)
            return e_ee, {f: values / slope for f, values in spectra.items()}
        per_isotope = []
        for kernel, quenching in zip(self.engine.kernels, quenchings, strict=True):
            grid = np.linspace(kernel.recoil[-1] / points, kernel.recoil[-1], points)
            e_ee = quenching.electron_equivalent(grid)
            slope = np.gradient(e_ee, grid)
            rates = self.engine.recoil_spectrum(grid, isotopes=(kernel.isotope.name,))
            per_isotope.append((e_ee, {f: v / slope for f, v in rates.items()}))
        top = max(float(e[-1]) for e, _ in per_isotope)
        common = np.linspace(top / points, top, points)
        totals = {f: np.zeros(points) for f in self.engine.flavors}
        for e_ee, rates in per_isotope:
            for flavor, values in rates.items():
                totals[flavor] += np.interp(common, e_ee, values, left=values[0], right=0.0)
        return common, totals

    def flux_fraction_in_time_window(self) -> dict[str, float]:
        """Per flavour, the fraction of the emitted flux inside the time window (first to
        last time edge; 1 without a time window)."""
        return self.engine.flux_fraction_in_time_window()

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``cevns predict --json``."""
        exp = self.experiment
        unscaled = ("photoelectrons", "template-bins")
        obs_scale = 1.0 if exp.spec.binning.observable in unscaled else keVee
        time_edges = None if exp.time_edges is None else (exp.time_edges / us).tolist()
        recoil, recoil_spectra = self.recoil_spectrum()
        e_ee, ee_spectra = self.electron_equivalent_spectrum()
        per_kev = 1.0 / keV
        return {
            "experiment": exp.name,
            "title": exp.spec.title,
            "total_events": self.total_events,
            "events_by_flavor": self.events_by_flavor(),
            "events_by_component": self.events_by_component(),
            "total_with_backgrounds": sum(v for v in self.events_by_component().values() if v),
            "unavailable_backgrounds": {
                b.name: b.unavailable_reason for b in self.backgrounds if not b.available
            },
            "flux_averaged_cross_section_cm2": self.flux_averaged_cross_sections["per_nucleus"]
            / cm2,
            "flux_averaged_cross_section_by_isotope_cm2": {
                k: v / cm2
                for k, v in self.flux_averaged_cross_sections.items()
                if k != "per_nucleus"
            },
            "flux_fraction_in_time_window": self.flux_fraction_in_time_window(),
            "observable": exp.spec.binning.observable,
            "observable_edges": (exp.observable_edges / obs_scale).tolist(),
            "time_edges_us": time_edges,
            "observable_spectrum": {
                f: h.sum(axis=1).tolist() for f, h in self.signal_by_flavor.items()
            },
            "time_spectrum": {f: h.sum(axis=0).tolist() for f, h in self.signal_by_flavor.items()},
            "histogram_2d": self.signal.tolist(),
            "background_histograms_2d": {
                b.name: b.histogram.tolist() for b in self.backgrounds if b.histogram is not None
            },
            "recoil_spectrum": {
                "recoil_energy_kev": (recoil / keV).tolist(),
                "events_per_kev": {f: (v / per_kev).tolist() for f, v in recoil_spectra.items()},
            },
            "electron_equivalent_spectrum": {
                "energy_kevee": (e_ee / keVee).tolist(),
                "events_per_kevee": {f: (v * keVee).tolist() for f, v in ee_spectra.items()},
            },
            "form_factor": self.engine.form_factor,
            "published": exp.spec.published_json(),
            **({} if self.inelastic is None else {"inelastic": self._inelastic_dict()}),
        }

    def _inelastic_dict(self) -> dict[str, Any]:
        from cevns.experiments.background_schema import published_json

        inelastic, spec = self.inelastic, self.experiment.spec.inelastic
        # Called only when the prediction has an inelastic part, which its [inelastic] made.
        assert inelastic is not None and spec is not None
        block = inelastic.to_dict()
        block["published"] = published_json(spec.published)
        return block


def predict(
    experiment: str | os.PathLike[str] | ExperimentSpec | Experiment,
    *,
    data_directory: str | os.PathLike[str] | None = None,
    model: ChargeModel | None = None,
    form_factor: str | None = None,
) -> Prediction:
    """Predict an experiment given by preset name, TOML path, spec or built experiment.

    Parameters
    ----------
    experiment
        A preset name (``coherent-csi-2021``), a TOML path, an ``ExperimentSpec`` or a
        built :class:`~cevns.experiments.build.Experiment`.
    data_directory
        The folder holding the public releases (for documents that read them).
    model
        A new-physics ``ChargeModel`` (default: the Standard Model).
    form_factor
        Overrides the document's (its ``form_factor``, Helm by default).

    Returns
    -------
    Prediction
        Events by flavour and component, spectra, timing and flux-averaged cross
        sections (``to_dict()`` gives the report of ``cevns predict --json``).

    Raises
    ------
    CevnsInputError
        An unknown preset, an invalid document or a missing or damaged table.

    Examples
    --------
    >>> from cevns import predict
    >>> prediction = predict("coherent-ge-mini")
    >>> print(f"{prediction.total_events:.1f} CEvNS events")
    112.7 CEvNS events
    """
    if isinstance(experiment, str | os.PathLike):
        experiment = load_experiment(experiment)
    if isinstance(experiment, ExperimentSpec):
        experiment = build_experiment(experiment, data_directory)
    engine = PredictionEngine(experiment, form_factor=form_factor)
    return Prediction(
        engine=engine,
        signal_by_flavor=engine.histograms(model),
        backgrounds=build_backgrounds(experiment, data_directory),
        flux_averaged_cross_sections=engine.flux_averaged_cross_sections(),
        inelastic=predict_inelastic(experiment),
    )
