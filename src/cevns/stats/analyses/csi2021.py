"""The COHERENT CsI[Na] 2021 likelihood (arXiv:2110.07730), built from the public release.

Binned Poisson likelihood over the 9 × 11 (PE × t_rec) analysis bins of the coincident
data with four components:

* CEvNS — the prediction engine's histogram of the ``coherent-csi-2021`` preset, times
  ``csi_cevns_scale`` (free; σ_measured = scale × σ_SM) and ``flux_norm`` (Gaussian,
  1 ± 0.10: the 10 % uncertainty of 0.0848 ν/flavour/proton, arXiv:2110.07730), with
  shape systematics from the release's ±1σ models: two quenching models
  (``csi_quenching_0``, ``csi_quenching_1``) and the energy efficiency
  (``csi_efficiency``), each a unit Gaussian nuisance;
* steady state — separable: the PE distribution of the anti-coincident (AC) data (summed
  over time) times an exponential in t_rec, exp(−λ t), the afterglow-driven time
  dependence of steady-state events (seeds/003), with the decay rate λ =
  ``csi_steady_state_decay_per_us`` free, normalised to the AC events in the window times
  ``csi_steady_state_norm``. The AC data enter as an auxiliary Poisson measurement of the
  same component (the in-situ background estimate with its own statistics). A smooth time
  model matters: using the AC histogram bin by bin as the template would add its Poisson
  noise to every bin (about √2 on the background variance);
* beam-related neutrons — the release's PE × t shape, 18 events expected, times
  ``csi_brn_norm`` (Gaussian 1 ± 0.25);
* neutrino-induced neutrons — 6 expected, ``csi_nin_norm`` (Gaussian 1 ± 0.35).

The 25 % and 35 % priors are those of the 2017 CsI analysis (arXiv:1708.01294); the
release does not state the 2021 ones. The beam-timing systematic of the paper is not
included (the release does not give its size).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np

from cevns.data.csi2021 import binned_counts, load_csi_2021
from cevns.experiments.backgrounds import build_backgrounds
from cevns.experiments.build import Experiment, build_experiment
from cevns.experiments.engine import PredictionEngine
from cevns.experiments.load import load_experiment
from cevns.stats.analysis import Analysis, gaussian_constraint
from cevns.stats.cost import PoissonHistogram
from cevns.stats.model import BinnedModel, Component, ShapeSystematic
from cevns.units import us

PRESET = "coherent-csi-2021"
FLUX_UNCERTAINTY = 0.10  # arXiv:2110.07730: 0.0848 ν/flavour/proton ± 10 %
BRN_UNCERTAINTY = 0.25  # arXiv:1708.01294 (2017 CsI analysis)
NIN_UNCERTAINTY = 0.35  # arXiv:1708.01294 (2017 CsI analysis)


def _variant_histogram(experiment: Experiment, **changes) -> np.ndarray:
    return PredictionEngine(replace(experiment, **changes)).histogram()


def _signal_systematics(experiment: Experiment, nominal: np.ndarray, release) -> tuple:
    quenching = release.quenching_coefficients
    efficiency = release.energy_efficiency_coefficients
    systematics = []
    for index in (0, 1):
        up = _variant_histogram(experiment, quenching=quenching[f"model{index}_plus_1sigma"])
        down = _variant_histogram(experiment, quenching=quenching[f"model{index}_minus_1sigma"])
        systematics.append(
            ShapeSystematic.from_histograms(f"csi_quenching_{index}", nominal, up, down)
        )
    up = _variant_histogram(experiment, energy_efficiency=efficiency["plus_1sigma"])
    down = _variant_histogram(experiment, energy_efficiency=efficiency["minus_1sigma"])
    systematics.append(ShapeSystematic.from_histograms("csi_efficiency", nominal, up, down))
    return tuple(systematics)


def exponential_time_fractions(edges: np.ndarray, rate: float) -> np.ndarray:
    """Fractions of exp(−rate·t) in each bin between ``edges`` (sum 1 over the window)."""
    if abs(rate) < 1e-9:
        weights = np.diff(edges)
    else:
        weights = -np.diff(np.exp(-rate * (edges - edges[0]))) / rate
    return weights / weights.sum()


def steady_state_model(anticoincident: np.ndarray, time_edges: np.ndarray):
    """The steady-state histogram as a function of its decay rate (per µs)."""
    pe_counts = anticoincident.sum(axis=1)
    edges_us = time_edges / us

    def model(values: Mapping[str, float]) -> np.ndarray:
        fractions = exponential_time_fractions(edges_us, values["csi_steady_state_decay_per_us"])
        return np.outer(pe_counts, fractions)

    return model


def build_csi_2021(
    data_directory: str | Path | None = None,
    signal: Callable[[Mapping[str, float]], np.ndarray] | None = None,
    signal_parameters: Mapping[str, float] | None = None,
    engine: PredictionEngine | None = None,
) -> Analysis:
    """The CsI 2021 analysis.

    ``signal`` (optional) maps parameter values to the CEvNS histogram, for fits of
    new-physics models through the prediction engine; ``signal_parameters`` names its
    parameters with their Standard-Model values. By default the signal is the
    Standard-Model prediction.
    """
    release = load_csi_2021(data_directory)
    experiment = build_experiment(load_experiment(PRESET), data_directory)
    engine = engine or PredictionEngine(experiment)
    nominal = engine.histogram()
    systematics = _signal_systematics(experiment, nominal, release)
    backgrounds = {b.name: b for b in build_backgrounds(experiment, data_directory)}
    edges = (experiment.observable_edges, experiment.time_edges)
    anticoincident = binned_counts(release.anticoincident_events, *edges)
    coincident = binned_counts(release.coincident_events, *edges)

    cevns = Component(
        "cevns",
        signal if signal is not None else nominal,
        scale_parameters=("csi_cevns_scale", "flux_norm"),
        shape_systematics=systematics,
        model_parameters=dict(signal_parameters or {}),
    )
    steady_state = Component(
        "steady-state",
        steady_state_model(anticoincident, experiment.time_edges),
        ("csi_steady_state_norm",),
        model_parameters={"csi_steady_state_decay_per_us": 0.0},
    )
    brn = Component("brn", backgrounds["brn"].histogram, ("csi_brn_norm",))
    nin = Component("nin", backgrounds["nin"].histogram, ("csi_nin_norm",))
    limits = {
        "csi_cevns_scale": (0.0, 10.0),
        "flux_norm": (0.3, 2.0),
        "csi_steady_state_norm": (0.5, 1.5),
        "csi_steady_state_decay_per_us": (-2.0, 2.0),
        "csi_brn_norm": (0.0, 5.0),
        "csi_nin_norm": (0.0, 5.0),
        "csi_quenching_0": (-5.0, 5.0),
        "csi_quenching_1": (-5.0, 5.0),
        "csi_efficiency": (-5.0, 5.0),
    }
    data = PoissonHistogram(
        coincident, BinnedModel([cevns, steady_state, brn, nin]), "csi-2021", limits
    )
    auxiliary = PoissonHistogram(
        anticoincident,
        BinnedModel([steady_state]),
        "csi-2021-anticoincident",
        limits,
        auxiliary=True,
    )
    constraints = [
        auxiliary,
        gaussian_constraint("flux_norm", 1.0, FLUX_UNCERTAINTY),
        gaussian_constraint("csi_brn_norm", 1.0, BRN_UNCERTAINTY),
        gaussian_constraint("csi_nin_norm", 1.0, NIN_UNCERTAINTY),
        gaussian_constraint("csi_quenching_0", 0.0, 1.0),
        gaussian_constraint("csi_quenching_1", 0.0, 1.0),
        gaussian_constraint("csi_efficiency", 0.0, 1.0),
    ]
    zero_start = ("csi_quenching", "csi_efficiency", "csi_steady_state_decay")
    start = {name: 0.0 if name.startswith(zero_start) else 1.0 for name in limits}  # fmt: skip
    start.update(signal_parameters or {})
    return Analysis(
        name="coherent-csi-2021",
        data=data,
        constraints=constraints,
        start=start,
        limits=limits,
        signal_scale="csi_cevns_scale",
        predicted_cevns_events=float(nominal.sum()),
        standard_model_cross_section=engine.flux_averaged_cross_sections()["per_nucleus"],
        published=dict(experiment.spec.published),
        axes=[("photoelectrons [PE]", edges[0]), ("t_rec [µs]", edges[1] / us)],
    )
