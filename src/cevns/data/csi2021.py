"""The COHERENT CsI[Na] full dataset (D. Akimov et al., PRL 129, 081801 (2022)).

The release accompanies arXiv:2110.07730 (ancillary files of version 2) and holds:

* unbinned selected events — reconstructed photoelectrons (PE) and recoil time t_rec —
  in the beam-coincident window (``dataBeamOnC.txt``, 5142 events) and in the
  anti-coincident window before the beam (``dataBeamOnAC.txt``, 4890 events), the in-situ
  steady-state background estimate;
* the beam-related-neutron (BRN) and neutrino-induced-neutron (NIN) shapes in PE (1-PE
  bins) and in t_rec (0.01 µs bins);
* the energy-efficiency curve and the quenching (scintillation response) polynomial,
  each with its systematic variants.

The facts of the analysis that are not in the files (exposure, detector, response,
binning, published results) live in one place, the ``coherent-csi-2021`` document
(``cevns experiment show coherent-csi-2021 --toml``), with their sources.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike

from cevns.detectors.efficiency import LogisticEfficiency
from cevns.detectors.quenching import PolynomialQuenching
from cevns.errors import CevnsInputError, require_finite
from cevns.units import MeV, us

from .checksums import verified_release_folder
from .locate import read_columns

#: Folder name of this release inside the data directory.
RELEASE = "coherent-csi-2021"

_EVENT_DTYPE = np.dtype([("pe", np.float64), ("time", np.float64)])
_EFFICIENCY_LABELS = (
    "Nominal efficiency model",
    "Syst model, +1 sigma",
    "Syst model, +1 sigma",
)
_QUENCHING_LABELS = {
    "Nominal scintillation model": "nominal",
    "Syst model 0, +1 sigma": "model0_plus_1sigma",
    "Syst model 0, -1 sigma": "model0_minus_1sigma",
    "Syst model 1, +1 sigma": "model1_plus_1sigma",
    "Syst model 1, -1 sigma": "model1_minus_1sigma",
}


@dataclass(frozen=True)
class BinnedShape:
    """A released 1D shape: uniform bin centres and weights normalised to sum to one.

    ``centres`` are in PE (dimensionless) or in internal time units; ``edges`` are
    reconstructed as the centres ± half the (uniform) spacing.
    """

    centres: np.ndarray
    weights: np.ndarray

    @property
    def width(self) -> float:
        """The common bin width."""
        return float(self.centres[1] - self.centres[0])

    @property
    def edges(self) -> np.ndarray:
        """Bin edges, one more than the centres."""
        half = 0.5 * self.width
        return np.append(self.centres - half, self.centres[-1] + half)


@dataclass(frozen=True)
class CsI2021Release:
    """The loaded CsI[Na] release (arrays are read-only).

    Attributes
    ----------
    coincident_events, anticoincident_events:
        Structured arrays with fields ``pe`` (photoelectrons) and ``time`` (reconstructed
        time t_rec, internal units): 5142 and 4890 events.
    brn_pe_shape, brn_time_shape, nin_pe_shape, nin_time_shape:
        :class:`BinnedShape` of the BRN and NIN backgrounds in PE (1-PE bins from 0 to
        250 PE) and in time (0.01 µs bins from −0.25 to 6.25 µs), weights summing to one.
    energy_efficiency_coefficients:
        ``"nominal"``, ``"plus_1sigma"`` and ``"minus_1sigma"``
        :class:`~cevns.detectors.efficiency.LogisticEfficiency`,
        eff(x) = a/(1+exp(−b(x−c))) + d with x in PE. The file labels both variants
        "+1 sigma"; they are named here by their effect: ``plus_1sigma`` is the one with
        the higher efficiency (turn-on c = 9.85 PE), ``minus_1sigma`` the lower
        (c = 11.88 PE), listed in that order in the file.
    quenching_coefficients:
        ``"nominal"`` and ``"model{0,1}_{plus,minus}_1sigma"``
        :class:`~cevns.detectors.quenching.PolynomialQuenching`,
        E_ee[MeVee] = a x + b x² + c x³ + d x⁴ with x the recoil energy in MeVnr.
    directory:
        The release folder the files were read from.
    """

    coincident_events: np.ndarray
    anticoincident_events: np.ndarray
    brn_pe_shape: BinnedShape
    brn_time_shape: BinnedShape
    nin_pe_shape: BinnedShape
    nin_time_shape: BinnedShape
    energy_efficiency_coefficients: Mapping[str, LogisticEfficiency]
    quenching_coefficients: Mapping[str, PolynomialQuenching]
    directory: str


def binned_counts(events: np.ndarray, pe_edges: ArrayLike, time_edges: ArrayLike) -> np.ndarray:
    """Histogram events in (PE, time): counts of shape (len(pe_edges)−1, len(time_edges)−1).

    Every bin is half open, [low, high), the last one too: an event exactly on the upper
    edge of the last bin is outside, so with the published binning the total is the
    number of events with 0 ≤ PE < 60 and 0 ≤ t < 6 µs. ``events`` has fields ``pe`` and
    ``time`` (internal units); ``time_edges`` are in internal units.
    """
    names = getattr(getattr(events, "dtype", None), "names", None) or ()
    if not isinstance(events, np.ndarray) or not {"pe", "time"} <= set(names):
        raise CevnsInputError(
            "events must be a structured array with fields pe and time "
            f"(for example CsI2021Release.coincident_events); got {type(events).__name__}"
        )
    counts_shape = []
    indices = []
    inside = np.ones(events.shape, dtype=bool)
    for name, given, values in (
        ("pe_edges", pe_edges, events["pe"]),
        ("time_edges", time_edges, events["time"]),
    ):
        edges = require_finite(name, given)
        if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise CevnsInputError(
                f"{name} must be at least two strictly increasing numbers; got {given!r}"
            )
        index = np.searchsorted(edges, values, side="right") - 1
        inside &= (index >= 0) & (index < edges.size - 1)
        indices.append(index)
        counts_shape.append(edges.size - 1)
    flat = np.ravel_multi_index((indices[0][inside], indices[1][inside]), counts_shape)
    counts = np.bincount(flat, minlength=counts_shape[0] * counts_shape[1])
    return counts.reshape(counts_shape)


def _read_events(path: os.PathLike[str], expected: int) -> np.ndarray:
    table = read_columns(path, 2)
    if table.shape[0] != expected:
        raise CevnsInputError(
            f"release file {path} must list {expected} events; got {table.shape[0]}"
        )
    events = np.empty(table.shape[0], dtype=_EVENT_DTYPE)
    events["pe"] = table[:, 0]
    events["time"] = table[:, 1] * us
    events.flags.writeable = False
    return events


def _read_shape(path: os.PathLike[str], unit: float) -> BinnedShape:
    table = read_columns(path, 2)
    centres = table[:, 0]
    steps = np.diff(centres)
    if centres.size < 2 or not np.allclose(steps, steps[0], rtol=1e-6, atol=1e-9):
        raise CevnsInputError(f"release file {path} must have uniformly spaced bin centres")
    weights = table[:, 1]
    if np.any(weights < 0) or weights.sum() <= 0:
        raise CevnsInputError(f"release file {path} must have non-negative weights")
    shape = BinnedShape(centres=centres * unit, weights=weights / weights.sum())
    shape.centres.flags.writeable = False
    shape.weights.flags.writeable = False
    return shape


def _read_coefficient_blocks(path: os.PathLike[str]) -> list[tuple[str, tuple[float, ...]]]:
    """(label, coefficients) pairs: each row of four numbers after its ``#`` label line."""
    blocks: list[tuple[str, tuple[float, ...]]] = []
    label = ""
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            text = line.strip()
            if text.startswith("#"):
                label = text.lstrip("#").strip()
            elif text:
                fields = text.split()
                try:
                    numbers = tuple(float(field) for field in fields)
                except ValueError:
                    numbers = ()
                if len(numbers) != 4 or not all(np.isfinite(numbers)):
                    raise CevnsInputError(
                        f"release file {path} must give four coefficients a b c d per row; "
                        f"got {text!r}"
                    )
                blocks.append((label, numbers))
    return blocks


def _read_efficiency(path: os.PathLike[str]) -> Mapping[str, LogisticEfficiency]:
    blocks = _read_coefficient_blocks(path)
    labels = tuple(label for label, _ in blocks)
    if labels != _EFFICIENCY_LABELS:
        raise CevnsInputError(
            f"release file {path} must hold the models {list(_EFFICIENCY_LABELS)}; got "
            f"{list(labels)}"
        )
    names = ("nominal", "plus_1sigma", "minus_1sigma")
    pairs = zip(names, blocks, strict=True)
    return MappingProxyType({name: LogisticEfficiency(*numbers) for name, (_, numbers) in pairs})


def _read_quenching(path: os.PathLike[str]) -> Mapping[str, PolynomialQuenching]:
    """E_ee[MeVee] = a x + b x² + c x³ + d x⁴ with x in MeVnr, as :class:`PolynomialQuenching`."""
    blocks = _read_coefficient_blocks(path)
    labels = [re.sub(r"\s+", " ", label) for label, _ in blocks]
    if sorted(labels) != sorted(_QUENCHING_LABELS):
        raise CevnsInputError(
            f"release file {path} must hold the models {list(_QUENCHING_LABELS)}; got {labels}"
        )
    return MappingProxyType(
        {
            _QUENCHING_LABELS[label]: PolynomialQuenching([0.0, *numbers], MeV)
            for label, (_, numbers) in zip(labels, blocks, strict=True)
        }
    )


def load_csi_2021(
    directory: str | os.PathLike[str] | None = None, verify: bool = True
) -> CsI2021Release:
    """Load the COHERENT CsI[Na] 2021 release (arXiv:2110.07730).

    ``directory`` is the data directory holding ``coherent-csi-2021/`` (default: see
    :func:`cevns.data.data_directory`). With ``verify`` (the default) every file is first
    checked against its published SHA-256 and a mismatch raises
    :class:`~cevns.data.ReleaseChecksumError` naming the file.
    """
    folder = verified_release_folder(RELEASE, directory, verify)
    return CsI2021Release(
        coincident_events=_read_events(folder / "dataBeamOnC.txt", 5142),
        anticoincident_events=_read_events(folder / "dataBeamOnAC.txt", 4890),
        brn_pe_shape=_read_shape(folder / "brnPE.txt", 1.0),
        brn_time_shape=_read_shape(folder / "brnTrec.txt", us),
        nin_pe_shape=_read_shape(folder / "ninPE.txt", 1.0),
        nin_time_shape=_read_shape(folder / "ninTrec.txt", us),
        energy_efficiency_coefficients=_read_efficiency(folder / "effCoefficients.txt"),
        quenching_coefficients=_read_quenching(folder / "scintRespCoefficients.txt"),
        directory=str(folder),
    )


__all__ = [
    "RELEASE",
    "BinnedShape",
    "CsI2021Release",
    "binned_counts",
    "load_csi_2021",
]
