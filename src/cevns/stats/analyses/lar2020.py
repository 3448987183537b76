"""The COHERENT CENNS-10 liquid-argon likelihood, Analysis A (arXiv:2003.10630).

Binned Poisson likelihood over the 12 × 8 × 10 (E_ee × F90 × t_trig) bins of the on-beam
data ``datanobkgsub.txt`` (3752 events) of the public release (companion document
arXiv:2006.12659, Tables 1–3), with four components:

* CEvNS — the prediction engine's reconstructed-energy spectrum of the
  ``coherent-lar-2020`` preset, spread over F90 and time as the companion's section 5
  prescribes (step 1f): within each energy bin E, with the F90 × t_trig shape of the
  release CEvNS template,

      S[E, F90, t] = s[E] · T[E, F90, t] / Σ_{F90, t} T[E, F90, t],

  where s[E] is the engine's count in E (its histogram summed over time: the engine's
  own time profile is replaced by the template's) and T the template ``cevnspdf.txt``;
  energy bins where the template is empty (60–120 keVee, where the engine puts 2·10⁻⁴
  events) stay empty. Scaled by ``lar_cevns_scale`` (free, σ_measured = scale ×
  σ_SM) and ``flux_norm`` (Gaussian 1 ± 0.10: 0.09 ± 0.009 ν/flavour/proton,
  ``LArParametersAnlA.yaml``; the same parameter as in the CsI analysis, so joint fits
  share it);
* prompt beam-related neutrons — ``brnpdf.txt`` (497 events) times
  ``lar_brn_prompt_norm``, Gaussian 1 ± 160/497;
* delayed beam-related neutrons — ``delbrnpdf.txt`` (33) times ``lar_brn_delayed_norm``,
  Gaussian 1 ± 33/33;
* steady state — ``bkgpdf.txt`` times ``lar_steady_state_norm``, Gaussian 1 ± 25/3154.

Normalisations and their Gaussian widths are the central predictions with prior
uncertainties of ``LArParametersAnlA.yaml`` (companion Table 2). The steady-state
template is used as released: it sums to 3152, the companion's Table 2 value, while the
yaml gives 3154 ± 25; the constraint width 25/3154 is taken from the yaml (25/3152 differs
by 0.06 %).

Shape systematics (companion Table 3; HistFactory-style piecewise-linear
interpolation of :class:`~cevns.stats.model.ShapeSystematic`, each driven by a
unit-Gaussian nuisance):

* on the CEvNS component, as ratios variant / nominal of the release CEvNS templates
  applied on top of the engine-based signal: the F90 energy dependence
  (``lar_cevns_f90``, ``cevnspdf±1sigF90``) and the t_trig mean (``lar_cevns_timing``,
  the single file ``cevnspdfCEvNSTimingMeanSyst`` taken as +1σ and mirrored for −1σ);
* on the prompt BRN component: energy distribution (``lar_brn_energy``,
  ``brnpdf±1sigEnergy``), t_trig mean (``lar_brn_timing_mean``,
  ``brnpdf±1sigBRNTimingMean``) and t_trig width (``lar_brn_timing_width``, the single
  file ``brnpdfBRNTimingWidthSyst`` taken as +1σ and mirrored).

The companion does not say which side a single alternative template stands for; taking
it as +1σ is a sign convention for the nuisance and does not change the fit.

The companion states that every template is normalised to its component's central
prediction (sections 2.2–2.3), and all alternative templates sum to it except
``brnpdf+1sigBRNTimingMean`` (523.7 instead of 497, while its −1σ partner sums to 497).
Every alternative template is therefore rescaled to its nominal template's total before
the ratios are taken, so that the systematics change shapes only and normalisations stay
with the (constrained) normalisation parameters.

The collaboration evaluated these systematics by refitting with each alternative
template and quoting the envelope (companion section 3); here they are profiled as
nuisance parameters instead, so one fit gives statistical and systematic uncertainty
together. The fit gives 158 ± 44 CEvNS events against the published 159 ± 43. The
BRN timing-width nuisance is pulled by about +0.9σ, which lowers the prompt BRN to about
513 events (published 553 ± 34); with every nuisance held at 0, as in the collaboration's
central fit, the fit gives 555 ± 34 prompt BRN, 11 delayed BRN and 3132 steady-state
events (published 553 ± 34, 10 ± 11, 3131 ± 23). ``tests/test_stats_lar2020.py`` checks
both fits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType

import numpy as np

from cevns.data.lar2020 import SYSTEMATICS as RELEASE_SYSTEMATICS
from cevns.data.lar2020 import LAr2020Release, load_lar_2020
from cevns.errors import CevnsInputError
from cevns.experiments.build import Experiment, build_experiment
from cevns.experiments.engine import PredictionEngine
from cevns.experiments.load import load_experiment
from cevns.stats.analysis import Analysis, gaussian_constraint
from cevns.stats.cost import PoissonHistogram
from cevns.stats.model import BinnedModel, Component, ShapeSystematic
from cevns.units import keVee, us

PRESET = "coherent-lar-2020"
#: 0.09 ± 0.009 ν/flavour/proton (LArParametersAnlA.yaml, neutrinosPerProton).
FLUX_UNCERTAINTY = 0.009 / 0.09
#: Prior widths relative to the central predictions (LArParametersAnlA.yaml; companion
#: of arXiv:2006.12659, Table 2): prompt BRN 497 ± 160, delayed BRN 33 ± 33, steady
#: state 3154 ± 25.
PROMPT_BRN_UNCERTAINTY = 160.0 / 497.0
DELAYED_BRN_UNCERTAINTY = 33.0 / 33.0
STEADY_STATE_UNCERTAINTY = 25.0 / 3154.0

#: Nuisance parameter of each systematic of the release (keys of
#: :data:`cevns.data.lar2020.SYSTEMATICS`, companion Table 3).
NUISANCE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "cevns_f90_energy_dependence": "lar_cevns_f90",
        "cevns_time_mean": "lar_cevns_timing",
        "brn_energy": "lar_brn_energy",
        "brn_time_mean": "lar_brn_timing_mean",
        "brn_time_width": "lar_brn_timing_width",
    }
)
#: Shape systematics: nuisance parameter → (component, alternative template file stems).
#: One stem is the +1σ template, mirrored for −1σ; two are (−1σ, +1σ).
SHAPE_SYSTEMATICS: Mapping[str, tuple[str, tuple[str, ...]]] = MappingProxyType(
    {NUISANCE_NAMES[key]: entry for key, entry in RELEASE_SYSTEMATICS.items()}
)

#: Parameter limits; flux_norm has the limits of the CsI analysis, since it is shared.
LIMITS: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "lar_cevns_scale": (0.0, 10.0),
        "flux_norm": (0.3, 2.0),
        "lar_brn_prompt_norm": (0.0, 5.0),
        "lar_brn_delayed_norm": (0.0, 5.0),
        "lar_steady_state_norm": (0.5, 1.5),
        **{name: (-5.0, 5.0) for name in SHAPE_SYSTEMATICS},
    }
)


def energy_bin_shapes(template: np.ndarray) -> np.ndarray:
    """T[E, F90, t] / Σ_{F90, t} T[E, F90, t]: the F90 × time shape in each energy bin.

    Energy bins where the template is empty are all zero (arXiv:2006.12659 section 5,
    step 1f).
    """
    template = np.asarray(template, dtype=float)
    if template.ndim != 3:
        raise CevnsInputError(
            f"template must be a 3D histogram (energy × F90 × time); got shape {template.shape}"
        )
    per_energy = template.sum(axis=(1, 2), keepdims=True)
    safe = np.where(per_energy > 0, per_energy, 1.0)
    return np.where(per_energy > 0, template / safe, 0.0)


def distribute_signal(histogram: np.ndarray, shapes: np.ndarray) -> np.ndarray:
    """The 3D signal S[E, F90, t] = s[E] · shapes[E, F90, t].

    ``histogram`` is the engine's energy × time histogram (summed over time to give
    s[E]) or directly the energy spectrum s[E].
    """
    histogram = np.asarray(histogram, dtype=float)
    energy_bins = shapes.shape[0]
    if histogram.ndim == 2 and histogram.shape[0] == energy_bins:
        spectrum = histogram.sum(axis=1)
    elif histogram.shape == (energy_bins,):
        spectrum = histogram
    else:
        raise CevnsInputError(
            f"signal histogram must have shape ({energy_bins}, n_time) or ({energy_bins},); "
            f"got {histogram.shape}"
        )
    return spectrum[:, None, None] * shapes


def _require_same_binning(experiment: Experiment, release: LAr2020Release) -> None:
    """The engine's energy and time bins must be the release's (companion Table 1)."""
    pairs = (
        ("observable_edges", experiment.observable_edges, release.data.energy_edges, keVee),
        ("time_edges", experiment.time_edges, release.data.time_edges, us),
    )
    for name, engine_edges, release_edges, unit in pairs:
        same = (
            engine_edges is not None
            and np.shape(engine_edges) == np.shape(release_edges)
            and np.allclose(engine_edges, release_edges, rtol=1e-9)
        )
        if not same:
            got = None if engine_edges is None else (np.asarray(engine_edges) / unit).tolist()
            raise CevnsInputError(
                f"experiment {experiment.name}: {name} must be the release binning "
                f"{(release_edges / unit).tolist()}; got {got}"
            )


def _shape_systematics(release: LAr2020Release) -> dict[str, tuple[ShapeSystematic, ...]]:
    """Per component, its shape systematics from the alternative templates."""
    by_component: dict[str, list[ShapeSystematic]] = {"cevns": [], "prompt_brn": []}
    for parameter, (component, stems) in SHAPE_SYSTEMATICS.items():
        nominal = release.templates[component].counts
        # Alternative templates rescaled to the nominal total: shape-only variations.
        variants = [
            release.systematic_variants[stem].counts
            * (nominal.sum() / release.systematic_variants[stem].counts.sum())
            for stem in stems
        ]
        if len(variants) == 1:
            systematic = ShapeSystematic.from_histograms(parameter, nominal, variants[0])
        else:
            down, up = variants
            systematic = ShapeSystematic.from_histograms(parameter, nominal, up, down)
        by_component[component].append(systematic)
    return {name: tuple(items) for name, items in by_component.items()}


def build_lar_2020(
    data_directory: str | Path | None = None,
    signal: Callable[[Mapping[str, float]], np.ndarray] | None = None,
    signal_parameters: Mapping[str, float] | None = None,
    engine: PredictionEngine | None = None,
) -> Analysis:
    """The CENNS-10 Analysis A likelihood (arXiv:2003.10630, release arXiv:2006.12659).

    ``signal`` (optional) maps parameter values to the engine's energy × time CEvNS
    histogram (or the energy spectrum alone), for fits of new-physics models through the
    prediction engine — for example ``signal_from_charges(engine, model_for)``;
    ``signal_parameters`` names its parameters with their Standard-Model values. Either
    way the signal is spread over F90 and time with the release template's shape per
    energy bin. By default the signal is the Standard-Model prediction.
    """
    release = load_lar_2020(data_directory)
    if engine is None:
        engine = PredictionEngine(build_experiment(load_experiment(PRESET), data_directory))
    experiment = engine.experiment
    _require_same_binning(experiment, release)
    shapes = energy_bin_shapes(release.cevns.counts)
    nominal = distribute_signal(engine.histogram(), shapes)
    systematics = _shape_systematics(release)

    def signal_3d(values: Mapping[str, float]) -> np.ndarray:
        return distribute_signal(signal(values), shapes)

    cevns = Component(
        "cevns",
        signal_3d if signal is not None else nominal,
        scale_parameters=("lar_cevns_scale", "flux_norm"),
        shape_systematics=systematics["cevns"],
        model_parameters=dict(signal_parameters or {}),
    )
    prompt_brn = Component(
        "prompt-brn",
        np.array(release.prompt_brn.counts),
        ("lar_brn_prompt_norm",),
        systematics["prompt_brn"],
    )
    delayed_brn = Component(
        "delayed-brn", np.array(release.delayed_brn.counts), ("lar_brn_delayed_norm",)
    )
    steady_state = Component(
        "steady-state", np.array(release.steady_state.counts), ("lar_steady_state_norm",)
    )
    limits = dict(LIMITS)
    model = BinnedModel([cevns, prompt_brn, delayed_brn, steady_state])
    data = PoissonHistogram(np.array(release.data.counts), model, "lar-2020", limits)
    constraints = [
        gaussian_constraint("flux_norm", 1.0, FLUX_UNCERTAINTY),
        gaussian_constraint("lar_brn_prompt_norm", 1.0, PROMPT_BRN_UNCERTAINTY),
        gaussian_constraint("lar_brn_delayed_norm", 1.0, DELAYED_BRN_UNCERTAINTY),
        gaussian_constraint("lar_steady_state_norm", 1.0, STEADY_STATE_UNCERTAINTY),
        *(gaussian_constraint(name, 0.0, 1.0) for name in SHAPE_SYSTEMATICS),
    ]
    start = {name: 0.0 if name in SHAPE_SYSTEMATICS else 1.0 for name in limits}
    start.update(signal_parameters or {})
    return Analysis(
        name=PRESET,
        data=data,
        constraints=constraints,
        start=start,
        limits=limits,
        signal_scale="lar_cevns_scale",
        # The Standard-Model signal as the likelihood sees it (the engine's total less the
        # 2e-4 events above 60 keVee), so that signal_events / predicted = scale × flux.
        predicted_cevns_events=float(nominal.sum()),
        standard_model_cross_section=engine.flux_averaged_cross_sections()["per_nucleus"],
        published=dict(experiment.spec.published),
        axes=[
            ("E_ee [keVee]", release.data.energy_edges / keVee),
            ("F90", np.array(release.data.f90_edges)),
            ("t_trig [µs]", release.data.time_edges / us),
        ],
    )


__all__ = [
    "LIMITS",
    "NUISANCE_NAMES",
    "PRESET",
    "SHAPE_SYSTEMATICS",
    "build_lar_2020",
    "distribute_signal",
    "energy_bin_shapes",
]
