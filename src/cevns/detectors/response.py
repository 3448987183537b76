"""Response matrices: from recoil-energy nodes to reconstructed-observable bins.

:func:`build_response_matrix` chains the detector components,

    T_j ──quenching──► E_ee(T_j) ──light yield──► μ_j ──smearing × efficiency──► bins k,

and returns R[k, j], the probability that a nuclear recoil of energy T_j is reconstructed in
observable bin k *and* passes the energy efficiency. The prediction engine turns a recoil
spectrum into expected counts with its own quadrature weights w_j,

    counts_k = Σ_j R[k, j] · w_j · dN/dT(T_j).

The observable is either a photoelectron count (when a light yield is given; the CsI[Na]
detector of arXiv:2110.07730) or the electron-equivalent energy itself (no light yield; the
CENNS-10 argon detector of arXiv:2003.10630, binned in keVee). :class:`AnalysisWindow`
holds the validated observable and time bin edges of an analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from cevns.detectors.efficiency import EnergyEfficiency
from cevns.detectors.light_yield import check_light_yield
from cevns.detectors.quenching import Quenching
from cevns.detectors.smearing import Efficiency, Smearing, check_edges
from cevns.errors import CevnsInputError, require_non_negative

ObservableKind = Literal["photoelectrons", "electron_equivalent_energy"]


def observable_kind(light_yield: float | None) -> ObservableKind:
    """``"photoelectrons"`` when a light yield is given, else ``"electron_equivalent_energy"``.

    Photoelectron edges and efficiencies are dimensionless counts; electron-equivalent edges
    and efficiencies are in internal energy units (multiply by ``keVee``).
    """
    if light_yield is None:
        return "electron_equivalent_energy"
    check_light_yield(light_yield)
    return "photoelectrons"


def build_response_matrix(
    recoil_nodes: ArrayLike,
    quenching: Quenching,
    light_yield: float | None,
    smearing: Smearing,
    observable_edges: ArrayLike,
    efficiency: EnergyEfficiency | Efficiency | None = None,
) -> np.ndarray:
    """R[k, j]: probability that a recoil of energy ``recoil_nodes[j]`` lands in bin k and passes.

    Parameters
    ----------
    recoil_nodes
        Nuclear recoil energies T_j ≥ 0 (internal energy units), 1-D.
    quenching
        Any object with ``electron_equivalent(T)`` (see :mod:`cevns.detectors.quenching`).
    light_yield
        Photoelectrons per unit electron-equivalent energy (e.g. ``13.35 / keVee``), or
        ``None`` to use E_ee itself as the observable.
    smearing
        A :class:`~cevns.detectors.smearing.Smearing`; photoelectron-count models (Poisson,
        Gamma) require a light yield.
    observable_edges
        Bin edges of the reconstructed observable, strictly increasing: photoelectrons
        (dimensionless) when ``light_yield`` is given, internal energy units otherwise.
        Bins are half-open, [edges[k], edges[k+1]).
    efficiency
        Energy efficiency as a function of the reconstructed observable (same units as the
        edges), or ``None`` for none.

    Returns
    -------
    numpy.ndarray
        Shape (len(observable_edges) − 1, len(recoil_nodes)); every column sums to at most 1
        (the rest is lost below, above or to the efficiency).

    The mean observable is μ_j = LY · E_ee(T_j) (or E_ee(T_j)); R[k, j] =
    ∫_{bin k} p(x | μ_j) ε(x) dx with the smearing's p — see
    :meth:`~cevns.detectors.smearing.Smearing.bin_probabilities`.
    """
    nodes = np.asarray(
        require_non_negative("recoil_nodes", recoil_nodes, "internal energy units"), dtype=float
    )
    if nodes.ndim != 1:
        raise CevnsInputError(f"recoil_nodes must be a 1-D array; got shape {nodes.shape}")
    edges = check_edges("observable_edges", observable_edges)
    if not isinstance(smearing, Smearing):
        raise CevnsInputError(f"smearing must be a cevns.detectors Smearing; got {smearing!r}")
    kind = observable_kind(light_yield)
    if smearing.photoelectron_observable and kind != "photoelectrons":
        raise CevnsInputError(
            f"smearing {smearing!r} describes a photoelectron count; give a light_yield "
            "(PE per energy) or use GaussianSmearing/NoSmearing for an energy observable"
        )
    electron_equivalent = np.asarray(quenching.electron_equivalent(nodes), dtype=float)
    means = electron_equivalent if light_yield is None else float(light_yield) * electron_equivalent
    return smearing.bin_probabilities(means, edges, efficiency).T


@dataclass(frozen=True)
class AnalysisWindow:
    """Validated bin edges of an analysis: observable bins and (optionally) time bins.

    ``observable_edges`` are photoelectrons or internal energy units (see
    :func:`observable_kind`); ``time_edges`` are times since the nominal beam time in
    internal units, or ``None`` for a time-integrated analysis. Both must be finite and
    strictly increasing with at least two entries; they are stored as read-only arrays.
    Bins are half-open, [edges[k], edges[k+1]). Example, the CsI[Na] 2021 analysis
    (arXiv:2110.07730): PE edges 0, 8, 12, 16, 20, 24, 32, 40, 50, 60 and time edges
    0, 0.125, …, 1, 2, 4, 6 µs.
    """

    observable_edges: np.ndarray
    time_edges: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        observable = check_edges("observable_edges", self.observable_edges).copy()
        observable.flags.writeable = False
        object.__setattr__(self, "observable_edges", observable)
        if self.time_edges is not None:
            time = check_edges("time_edges", self.time_edges).copy()
            time.flags.writeable = False
            object.__setattr__(self, "time_edges", time)

    @property
    def n_observable_bins(self) -> int:
        """Number of observable bins."""
        return self.observable_edges.size - 1

    @property
    def n_time_bins(self) -> int:
        """Number of time bins (1 for a time-integrated analysis)."""
        return 1 if self.time_edges is None else self.time_edges.size - 1

    @property
    def shape(self) -> tuple[int, int]:
        """(observable bins, time bins)."""
        return (self.n_observable_bins, self.n_time_bins)


__all__ = ["AnalysisWindow", "ObservableKind", "build_response_matrix", "observable_kind"]
