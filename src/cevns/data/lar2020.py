"""The COHERENT CENNS-10 liquid-argon release, Analysis A (Zenodo 10.5281/zenodo.3903810).

The release (companion document arXiv:2006.12659) accompanies the first detection of
CEvNS on argon, D. Akimov et al., PRL 126, 012002 (2021), arXiv:2003.10630. It holds:

* 3D histograms in reconstructed energy E_ee, pulse-shape parameter F90 and time to
  trigger t_trig — CEvNS (``cevnspdf.txt``), prompt beam-related neutrons
  (``brnpdf.txt``), delayed BRN (``delbrnpdf.txt``), steady-state background
  (``bkgpdf.txt``, measured off beam) and the on-beam data (``datanobkgsub.txt``) — each
  line giving the three bin centres and the content; 12 × 8 × 10 bins (companion
  Table 1). The bin centres are uniform in each axis, which :func:`load_lar_2020` checks
  before rebuilding the edges as centre ± half the spacing: E_ee 0–120 keVee in 10 keVee
  steps, F90 0.5–0.9 in 0.05 steps, t_trig −0.1–4.9 µs in 0.5 µs steps;
* the ±1σ alternative templates of ``SystErrors/`` (companion Table 3), the 1D
  projections of data and best fit (``OneDProjections/``) and the 1D systematic
  envelopes (``systerrors1d*.txt``);
* the acceptance efficiency table and the single-value parameters
  (``LArParametersAnlA.yaml``).

Each template is normalised to the central-value prediction of Analysis A (companion
Table 2), the values of ``LArParametersAnlA.yaml`` (:class:`LArParameters`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from cevns.errors import CevnsInputError, require_choice, require_non_negative
from cevns.units import keVee, keVnr, kg, m, ns, us

from .checksums import verified_release_folder
from .locate import read_columns

#: Folder name of this release inside the data directory.
RELEASE = "coherent-lar-2020"

#: Number of bins in E_ee, F90 and t_trig (companion of arXiv:2006.12659, Table 1).
HISTOGRAM_SHAPE = (12, 8, 10)
#: The three axes in the order of the histogram dimensions.
AXES = ("energy", "f90", "time")

#: The steady-state template was sampled in a window this many times longer than the
#: beam window; when subtracting it, the error of a bin of content N is √(5N)/5
#: (arXiv:2006.12659 section 2.4).
STEADY_STATE_OVERSAMPLING = 5

#: File of each template.
TEMPLATE_FILES: Mapping[str, str] = MappingProxyType(
    {
        "cevns": "cevnspdf.txt",
        "prompt_brn": "brnpdf.txt",
        "delayed_brn": "delbrnpdf.txt",
        "steady_state": "bkgpdf.txt",
    }
)
#: Each systematic of Analysis A: the component it changes and its alternative
#: templates in ``SystErrors/``, by file stem ('-' is −1σ, '+' is +1σ; a single file is
#: the one alternative). arXiv:2006.12659 Table 3.
SYSTEMATICS: Mapping[str, tuple[str, tuple[str, ...]]] = MappingProxyType(
    {
        "cevns_f90_energy_dependence": ("cevns", ("cevnspdf-1sigF90", "cevnspdf+1sigF90")),
        "cevns_time_mean": ("cevns", ("cevnspdfCEvNSTimingMeanSyst",)),
        "brn_energy": ("prompt_brn", ("brnpdf-1sigEnergy", "brnpdf+1sigEnergy")),
        "brn_time_mean": (
            "prompt_brn",
            ("brnpdf-1sigBRNTimingMean", "brnpdf+1sigBRNTimingMean"),
        ),
        "brn_time_width": ("prompt_brn", ("brnpdfBRNTimingWidthSyst",)),
    }
)
_PROJECTION_FILES = {
    "energy": "energydata1d.txt",
    "f90": "f90data1d.txt",
    "time": "timingdata1d.txt",
}
_ENVELOPE_FILES = {
    "energy": "systerrors1denergy.txt",
    "f90": "systerrors1dpsd.txt",
    "time": "systerrors1dtime.txt",
}
_AXIS_UNITS = {"energy": keVee, "f90": 1.0, "time": us}
# Bin edges are rebuilt from centres printed with a few decimals; rounding the edges to
# this many decimals (in keVee, F90, µs) removes the floating-point residue of ± half steps.
_EDGE_DECIMALS = 9


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class Histogram3D:
    """Counts in (E_ee, F90, t_trig) bins with their edges (energy and time internal)."""

    counts: np.ndarray
    energy_edges: np.ndarray
    f90_edges: np.ndarray
    time_edges: np.ndarray

    @property
    def total(self) -> float:
        """The sum of all bins."""
        return float(self.counts.sum())

    def edges(self, axis: str) -> np.ndarray:
        """The bin edges of ``axis`` (``"energy"``, ``"f90"`` or ``"time"``)."""
        require_choice("axis", axis, AXES)
        return {"energy": self.energy_edges, "f90": self.f90_edges, "time": self.time_edges}[axis]

    def centres(self, axis: str) -> np.ndarray:
        """The bin centres of ``axis``."""
        edges = self.edges(axis)
        return 0.5 * (edges[1:] + edges[:-1])

    def projection(self, axis: str) -> np.ndarray:
        """Counts summed over the two other axes."""
        require_choice("axis", axis, AXES)
        others = tuple(i for i, name in enumerate(AXES) if name != axis)
        return self.counts.sum(axis=others)


@dataclass(frozen=True)
class Projection1D:
    """A 1D projection of data and best fit (``OneDProjections/``), per bin.

    ``data`` is the on-beam data minus the steady-state background, with its statistical
    error; ``cevns``, ``brn`` and ``cevns_plus_brn`` are the best-fit predictions;
    ``band_low`` and ``band_high`` are the lower and upper edges of the systematic band
    around ``cevns_plus_brn`` (absolute counts, as in Fig. 4 of arXiv:2003.10630).
    """

    centres: np.ndarray
    data: np.ndarray
    data_stat_error: np.ndarray
    cevns: np.ndarray
    brn: np.ndarray
    cevns_plus_brn: np.ndarray
    band_low: np.ndarray
    band_high: np.ndarray


@dataclass(frozen=True)
class SystematicEnvelope1D:
    """The 1D systematic envelope: per bin, the lowest and highest fit as a fraction."""

    centres: np.ndarray
    low_fraction: np.ndarray
    high_fraction: np.ndarray


@dataclass(frozen=True)
class AcceptanceEfficiency:
    """The Analysis A acceptance after cuts, in bins of reconstructed energy.

    ``energy_centres`` (uniform, internal units) with the matching nuclear-recoil
    energies ``recoil_centres`` and the efficiency; above the last bin the efficiency is
    that of the last bin (arXiv:2006.12659 section 2.6).
    """

    energy_centres: np.ndarray
    recoil_centres: np.ndarray
    efficiency: np.ndarray

    @property
    def energy_edges(self) -> np.ndarray:
        """Bin edges in reconstructed energy (internal units)."""
        half = 0.5 * (self.energy_centres[1] - self.energy_centres[0])
        return np.append(self.energy_centres - half, self.energy_centres[-1] + half)

    def __call__(self, energy: ArrayLike) -> np.ndarray:
        """The efficiency of the bin holding each reconstructed ``energy`` (≥ 0)."""
        values = require_non_negative("energy", energy, "internal energy units")
        edges = self.energy_edges
        index = np.searchsorted(edges, values, side="right") - 1
        return self.efficiency[np.clip(index, 0, self.efficiency.size - 1)]


@dataclass(frozen=True)
class LArParameters:
    """The single-value parameters of ``LArParametersAnlA.yaml`` in internal units.

    QF(T) = quenching_a + quenching_b · T for recoil energy T; σ/E = resolution_a/√E for
    reconstructed energy E; the proton pulse is a Gaussian in time with the given mean
    and width. ``raw`` keeps the whole parsed file, including the comments.
    """

    protons_on_target: float
    baseline: float
    fiducial_mass: float
    fiducial_mass_uncertainty: float
    quenching_a: float
    quenching_a_uncertainty: float
    quenching_b: float
    quenching_b_uncertainty: float
    neutrinos_per_flavor_per_proton: float
    neutrinos_per_flavor_per_proton_uncertainty: float
    resolution_a: float
    pot_trace_mean: float
    pot_trace_mean_uncertainty: float
    pot_trace_width: float
    predicted_counts: Mapping[str, float]
    predicted_uncertainties: Mapping[str, float]
    best_fit_counts: Mapping[str, float]
    best_fit_uncertainties: Mapping[str, float]
    raw: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class LAr2020Release:
    """The loaded CENNS-10 Analysis A release (arrays are read-only).

    Attributes
    ----------
    cevns, prompt_brn, delayed_brn, steady_state:
        The templates, each normalised to its central prediction (128, 497, 33, 3152).
    data:
        The on-beam data, 3752 events.
    systematic_variants:
        The alternative templates of ``SystErrors/`` by file stem, for example
        ``"cevnspdf+1sigF90"`` (see :data:`SYSTEMATICS`). They are kept as released;
        all sum to their component's prediction except ``brnpdf+1sigBRNTimingMean``,
        which sums to 523.7 instead of 497.
    projections, systematic_envelopes:
        :class:`Projection1D` and :class:`SystematicEnvelope1D` by axis (``"energy"``,
        ``"f90"``, ``"time"``).
    efficiency:
        The :class:`AcceptanceEfficiency` table.
    parameters:
        :class:`LArParameters` read from ``LArParametersAnlA.yaml``.
    directory:
        The release folder the files were read from.
    """

    cevns: Histogram3D
    prompt_brn: Histogram3D
    delayed_brn: Histogram3D
    steady_state: Histogram3D
    data: Histogram3D
    systematic_variants: Mapping[str, Histogram3D]
    projections: Mapping[str, Projection1D]
    systematic_envelopes: Mapping[str, SystematicEnvelope1D]
    efficiency: AcceptanceEfficiency
    parameters: LArParameters
    directory: str

    @property
    def templates(self) -> Mapping[str, Histogram3D]:
        """The four templates by component name: ``cevns``, ``prompt_brn``, ``delayed_brn``,
        ``steady_state``."""
        return MappingProxyType(
            {
                "cevns": self.cevns,
                "prompt_brn": self.prompt_brn,
                "delayed_brn": self.delayed_brn,
                "steady_state": self.steady_state,
            }
        )


def _uniform_centres(path: Path, values: np.ndarray, count: int, what: str) -> np.ndarray:
    """The sorted distinct centres of one axis; raise unless there are ``count`` uniform."""
    centres = np.unique(values)
    if centres.size != count:
        raise CevnsInputError(
            f"release file {path} must have {count} distinct {what} bin centres; got {centres.size}"
        )
    steps = np.diff(centres)
    if not np.allclose(steps, steps[0], rtol=1e-6, atol=0.0):
        raise CevnsInputError(
            f"release file {path} must have uniformly spaced {what} bin centres; "
            f"got spacings from {steps.min()} to {steps.max()}"
        )
    return centres


def _edges_from_centres(centres: np.ndarray) -> np.ndarray:
    step = (centres[-1] - centres[0]) / (centres.size - 1)
    edges = centres[0] - 0.5 * step + step * np.arange(centres.size + 1)
    return np.round(edges, _EDGE_DECIMALS)


def _read_histogram(path: Path) -> Histogram3D:
    table = read_columns(path, 4)
    indices = []
    edges = {}
    for column, (axis, count) in enumerate(zip(AXES, HISTOGRAM_SHAPE, strict=True)):
        centres = _uniform_centres(path, table[:, column], count, axis)
        indices.append(np.searchsorted(centres, table[:, column]))
        edges[axis] = _read_only(_edges_from_centres(centres) * _AXIS_UNITS[axis])
    flat = np.ravel_multi_index(tuple(indices), HISTOGRAM_SHAPE)
    if table.shape[0] != math.prod(HISTOGRAM_SHAPE) or np.unique(flat).size != flat.size:
        raise CevnsInputError(
            f"release file {path} must list each of the {math.prod(HISTOGRAM_SHAPE)} bins "
            f"exactly once; got {table.shape[0]} lines for {np.unique(flat).size} bins"
        )
    counts = np.zeros(math.prod(HISTOGRAM_SHAPE))
    counts[flat] = table[:, 3]
    return Histogram3D(
        counts=_read_only(counts.reshape(HISTOGRAM_SHAPE)),
        energy_edges=edges["energy"],
        f90_edges=edges["f90"],
        time_edges=edges["time"],
    )


def _read_projection(path: Path, axis: str) -> Projection1D:
    with open(path, encoding="utf-8") as stream:
        header = stream.readline()
    if not header.startswith("Bin Center"):
        raise CevnsInputError(
            f"release file {path} must start with the column header 'Bin Center ...'; "
            f"got {header.strip()!r}"
        )
    table = read_columns(path, 8, header_lines=1)
    columns = [_read_only(np.array(table[:, i])) for i in range(8)]
    return Projection1D(
        _read_only(table[:, 0] * _AXIS_UNITS[axis]),
        *columns[1:],
    )


def _read_envelope(path: Path, axis: str) -> SystematicEnvelope1D:
    table = read_columns(path, 3)
    return SystematicEnvelope1D(
        centres=_read_only(table[:, 0] * _AXIS_UNITS[axis]),
        low_fraction=_read_only(np.array(table[:, 1])),
        high_fraction=_read_only(np.array(table[:, 2])),
    )


def _read_efficiency(path: Path) -> AcceptanceEfficiency:
    table = read_columns(path, 3)
    _uniform_centres(path, table[:, 0], table.shape[0], "energy")
    if np.any(np.diff(table[:, 0]) <= 0):
        raise CevnsInputError(f"release file {path} must list increasing energies")
    return AcceptanceEfficiency(
        energy_centres=_read_only(table[:, 0] * keVee),
        recoil_centres=_read_only(table[:, 1] * keVnr),
        efficiency=_read_only(np.array(table[:, 2])),
    )


def _entry(raw: Mapping[str, Any], path: Path, name: str, units: str) -> Mapping[str, Any]:
    entry = raw.get(name)
    if not isinstance(entry, Mapping) or str(entry.get("units", "")).strip() != units:
        found = entry.get("units") if isinstance(entry, Mapping) else entry
        raise CevnsInputError(
            f"release file {path} must have an entry {name} with units {units!r}; got {found!r}"
        )
    return entry


def _number(entry: Mapping[str, Any], key: str, path: Path, name: str) -> float:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CevnsInputError(f"release file {path}: {name}.{key} must be a number; got {value!r}")
    return float(value)


def _sub_parameter(entry: Mapping[str, Any], label: str, path: Path, name: str) -> Mapping:
    for item in entry.get("parameters") or ():
        if isinstance(item, Mapping) and item.get("name") == label:
            return item
    raise CevnsInputError(f"release file {path}: {name} must have a parameter named {label!r}")


_NORMALISATION_ENTRIES = {
    "cevns": ("cevnsPredictionNormalization", "cevnsBestfitNormalization"),
    "prompt_brn": (
        "promptBeamRelatedNeutronPredictionNormalization",
        "promptBeamRelatedNeutronBestfitNormalization",
    ),
    "delayed_brn": (
        "delayedBeamRelatedNeutronPredictionNormalization",
        "delayedBeamRelatedNeutronBestfitNormalization",
    ),
    "steady_state": ("ssBackgroundPredictionNormalization", "ssBackgroundBestfitNormalization"),
}


def parse_parameters(path: str | os.PathLike[str]) -> LArParameters:
    """Read ``LArParametersAnlA.yaml`` into :class:`LArParameters` (internal units).

    The file nests lists of mappings and block-scalar comments, so it is read with
    PyYAML's safe loader. The units string of each entry is checked against the one
    the conversion assumes; a different one raises naming the entry.
    """
    import yaml

    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        first = str(error).splitlines()[0]
        raise CevnsInputError(f"release file {path} must be valid YAML: {first}") from None
    if not isinstance(raw, Mapping):
        raise CevnsInputError(f"release file {path} must hold a mapping of named entries")

    exposure = _entry(raw, path, "beamExposure", "E22 POT")
    distance = _entry(raw, path, "distanceToTarget", "m")
    mass = _entry(raw, path, "fiducialMass", "kg")
    flux = _entry(raw, path, "neutrinosPerProton", "nu/flavor/proton")
    quenching = raw.get("larQF") or {}
    qf_a = _sub_parameter(quenching, "a", path, "larQF")
    qf_b = _sub_parameter(quenching, "b", path, "larQF")
    resolution = _sub_parameter(raw.get("energyResolution") or {}, "a", path, "energyResolution")
    trace = raw.get("snsPOTTraceTiming") or {}
    trace_mean = _sub_parameter(trace, "a", path, "snsPOTTraceTiming")
    trace_width = _sub_parameter(trace, "b", path, "snsPOTTraceTiming")
    for item, units, name in (
        (qf_a, "none", "larQF a"),
        (qf_b, "(keVnr)^-1", "larQF b"),
        (resolution, "(keVee)^(1/2)", "energyResolution a"),
        (trace_mean, "ns", "snsPOTTraceTiming a"),
        (trace_width, "ns", "snsPOTTraceTiming b"),
    ):
        if str(item.get("units", "")).strip() != units:
            raise CevnsInputError(
                f"release file {path}: {name} must have units {units!r}; got {item.get('units')!r}"
            )

    predicted, predicted_error, best, best_error = {}, {}, {}, {}
    for component, (prediction_name, fit_name) in _NORMALISATION_ENTRIES.items():
        prediction = _entry(raw, path, prediction_name, "none")
        fit = _entry(raw, path, fit_name, "none")
        predicted[component] = _number(prediction, "value", path, prediction_name)
        predicted_error[component] = _number(prediction, "uncertainty", path, prediction_name)
        best[component] = _number(fit, "value", path, fit_name)
        # The CEvNS best-fit entry names its uncertainty "uncertainty_stat".
        key = "uncertainty" if "uncertainty" in fit else "uncertainty_stat"
        best_error[component] = _number(fit, key, path, fit_name)

    return LArParameters(
        protons_on_target=_number(exposure, "value", path, "beamExposure") * 1e22,
        baseline=_number(distance, "value", path, "distanceToTarget") * m,
        fiducial_mass=_number(mass, "value", path, "fiducialMass") * kg,
        fiducial_mass_uncertainty=_number(mass, "uncertainty", path, "fiducialMass") * kg,
        quenching_a=_number(qf_a, "value", path, "larQF a"),
        quenching_a_uncertainty=_number(qf_a, "uncertainty", path, "larQF a"),
        quenching_b=_number(qf_b, "value", path, "larQF b") / keVnr,
        quenching_b_uncertainty=_number(qf_b, "uncertainty", path, "larQF b") / keVnr,
        neutrinos_per_flavor_per_proton=_number(flux, "value", path, "neutrinosPerProton"),
        neutrinos_per_flavor_per_proton_uncertainty=_number(
            flux, "uncertainty", path, "neutrinosPerProton"
        ),
        resolution_a=_number(resolution, "value", path, "energyResolution a") * math.sqrt(keVee),
        pot_trace_mean=_number(trace_mean, "value", path, "snsPOTTraceTiming a") * ns,
        pot_trace_mean_uncertainty=(
            _number(trace_mean, "uncertainty", path, "snsPOTTraceTiming a") * ns
        ),
        pot_trace_width=_number(trace_width, "value", path, "snsPOTTraceTiming b") * ns,
        predicted_counts=MappingProxyType(predicted),
        predicted_uncertainties=MappingProxyType(predicted_error),
        best_fit_counts=MappingProxyType(best),
        best_fit_uncertainties=MappingProxyType(best_error),
        raw=MappingProxyType(dict(raw)),
    )


def load_lar_2020(
    directory: str | os.PathLike[str] | None = None, verify: bool = True
) -> LAr2020Release:
    """Load the COHERENT CENNS-10 Analysis A release (arXiv:2006.12659, arXiv:2003.10630).

    ``directory`` is the data directory holding ``coherent-lar-2020/`` (default: see
    :func:`cevns.data.data_directory`). With ``verify`` (the default) every file is first
    checked against its published SHA-256 and a mismatch raises
    :class:`~cevns.data.ReleaseChecksumError` naming the file.
    """
    folder = verified_release_folder(RELEASE, directory, verify)
    templates = {name: _read_histogram(folder / file) for name, file in TEMPLATE_FILES.items()}
    variants = {
        stem: _read_histogram(folder / "SystErrors" / f"{stem}.txt")
        for _, stems in SYSTEMATICS.values()
        for stem in stems
    }
    return LAr2020Release(
        cevns=templates["cevns"],
        prompt_brn=templates["prompt_brn"],
        delayed_brn=templates["delayed_brn"],
        steady_state=templates["steady_state"],
        data=_read_histogram(folder / "datanobkgsub.txt"),
        systematic_variants=MappingProxyType(variants),
        projections=MappingProxyType(
            {
                axis: _read_projection(folder / "OneDProjections" / file, axis)
                for axis, file in _PROJECTION_FILES.items()
            }
        ),
        systematic_envelopes=MappingProxyType(
            {axis: _read_envelope(folder / file, axis) for axis, file in _ENVELOPE_FILES.items()}
        ),
        efficiency=_read_efficiency(folder / "CENNS10AnlAEfficiency.txt"),
        parameters=parse_parameters(folder / "LArParametersAnlA.yaml"),
        directory=str(folder),
    )


__all__ = [
    "AXES",
    "HISTOGRAM_SHAPE",
    "RELEASE",
    "STEADY_STATE_OVERSAMPLING",
    "SYSTEMATICS",
    "TEMPLATE_FILES",
    "AcceptanceEfficiency",
    "Histogram3D",
    "LAr2020Release",
    "LArParameters",
    "Projection1D",
    "SystematicEnvelope1D",
    "load_lar_2020",
    "parse_parameters",
]
