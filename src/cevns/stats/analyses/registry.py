"""The analyses ``cevns fit`` knows, by experiment name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from cevns.errors import unknown_name_error
from cevns.stats.analysis import Analysis


def _builder(name: str) -> Callable[..., Analysis]:
    if name == "coherent-csi-2021":
        from cevns.stats.analyses.csi2021 import build_csi_2021

        return build_csi_2021
    from cevns.stats.analyses.lar2020 import build_lar_2020

    return build_lar_2020


#: Experiments with a public data release and a likelihood.
ANALYSES = ("coherent-csi-2021", "coherent-lar-2020")


def build_analysis(
    name: str,
    data_directory: str | Path | None = None,
    model_parameters: Mapping[str, float] | None = None,
) -> Analysis:
    """The analysis of experiment ``name`` on the release found in ``data_directory``.

    ``model_parameters`` (names of :data:`cevns.interactions.models.PARAMETERS` with start
    values; ``None`` values take the Standard-Model default) make the CEvNS signal a
    function of those parameters through the prediction engine and add them to the cost.
    """
    if name not in ANALYSES:
        raise unknown_name_error("analysis", name, ANALYSES)
    builder = _builder(name)
    if not model_parameters:
        return builder(data_directory)
    from cevns.experiments.build import build_experiment
    from cevns.experiments.engine import PredictionEngine
    from cevns.experiments.load import load_experiment
    from cevns.interactions.models import PARAMETERS, NewPhysicsCharges, default_values, sterile

    defaults = default_values(model_parameters)
    start = {k: defaults[k] if v is None else float(v) for k, v in model_parameters.items()}
    engine = PredictionEngine(build_experiment(load_experiment(name), data_directory))
    names = tuple(start)

    charge_names = tuple(n for n in names if not sterile.is_sterile(n))
    oscillates = len(charge_names) < len(names)

    def signal(values: Mapping[str, float]):
        charges = NewPhysicsCharges({n: values[n] for n in charge_names})
        if not oscillates:
            return engine.histogram(charges)
        oscillation = sterile.survival(values)
        amplitudes = {f: oscillation.sterile_amplitude(f) for f in engine.flavors}
        kernels = engine.oscillated_kernels(oscillation.delta_m2_41, amplitudes)
        return engine.histogram(charges, kernels)

    analysis = builder(data_directory, signal=signal, signal_parameters=start, engine=engine)
    for name in names:
        low, high = PARAMETERS[name].limits
        if low is not None or high is not None:
            limits = (-np.inf if low is None else low, np.inf if high is None else high)
            analysis.data._parameters[name] = limits
            analysis.limits[name] = limits
    return analysis
