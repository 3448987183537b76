"""Detector response given as mono-energetic nuclear-recoil templates.

Dark-matter detectors release their response to nuclear recoils as templates: for recoils
of one energy T_e, the probability ε_k(T_e) that the event is detected and lands in
analysis bin k (XENONnT ⁸B release, arXiv:2408.02877 and Zenodo 10.5281/zenodo.20576156:
46 energies from 0.5 to 5.0 keVnr, 3⁴ bins in cS2, S2 shadow, S1 and S2 BDT scores). The
expected counts of any recoil spectrum dN/dT are then

    n_k = ∫ (dN/dT)(T) ε_k(T) dT,

with ε_k(T) linear in T between the template energies (the "fold the NR spectrum through
the mono-energetic templates" prescription of the release's README), 0 below the first
energy and, above the last, the last template (``beyond_last = "hold"``) or 0 (``"zero"``).
The response matrix at recoil nodes T_j is R[k, j] = ε_k(T_j); the prediction engine adds
the quadrature weights. Templates that depend on nuisance parameters (light and charge
yield) are held on a grid (:class:`~cevns.experiments.template_grid.GridHistograms`) and
interpolated multilinearly; because the counts are linear in ε, interpolating the counts
between grid points is the same as interpolating the templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from cevns.detectors.template_grid import GridHistograms
from cevns.errors import CevnsInputError


def hat_weights(recoil: np.ndarray, energies: np.ndarray, beyond_last: str) -> np.ndarray:
    """W[e, j]: the weight of template e at recoil T_j under linear interpolation in T
    (each column sums to 1 inside [E_0, E_last], to 0 below E_0 and, above E_last, to 1
    with ``"hold"`` or 0 with ``"zero"``)."""
    recoil = np.asarray(recoil, dtype=float)
    weights = np.zeros((energies.size, recoil.size))
    inside = (recoil >= energies[0]) & (recoil <= energies[-1])
    upper = np.clip(np.searchsorted(energies, recoil[inside], side="right"), 1, energies.size - 1)
    lower = upper - 1
    fraction = (recoil[inside] - energies[lower]) / (energies[upper] - energies[lower])
    columns = np.flatnonzero(inside)
    weights[lower, columns] += 1.0 - fraction
    weights[upper, columns] += fraction
    if beyond_last == "hold":
        weights[-1, recoil > energies[-1]] = 1.0
    return weights


@dataclass(frozen=True)
class RecoilTemplateResponse:
    """Mono-energetic templates ε_k(T_e) on a grid of nuisance values.

    ``energies`` are the template energies (internal units, increasing); ``templates``
    holds, per grid point, an array (energies × analysis bins) with the bins flattened in
    C order of ``axis_names``/``edges`` (``bin_shape``).
    """

    energies: np.ndarray
    templates: GridHistograms
    axis_names: tuple[str, ...]
    edges: tuple[np.ndarray, ...]
    beyond_last: str = "hold"

    def __post_init__(self) -> None:
        if self.beyond_last not in ("hold", "zero"):
            raise CevnsInputError(f"beyond_last must be 'hold' or 'zero'; got {self.beyond_last!r}")
        shape = self.templates.histograms.shape[len(self.templates.parameters) :]
        if shape != (self.energies.size, self.n_bins):
            raise CevnsInputError(
                f"recoil templates have shape {shape}, expected ({self.energies.size} energies, "
                f"{self.n_bins} bins)"
            )

    @property
    def bin_shape(self) -> tuple[int, ...]:
        return tuple(e.size - 1 for e in self.edges)

    @property
    def n_bins(self) -> int:
        return int(np.prod(self.bin_shape))

    @property
    def breakpoints(self) -> np.ndarray:
        """Recoil energies where ε_k(T) has a kink (the template energies)."""
        return self.energies

    @property
    def parameters(self) -> tuple[str, ...]:
        return self.templates.parameters

    def efficiency(self, point: Mapping[str, float] | None = None) -> np.ndarray:
        """The templates (energies × bins) at a nuisance ``point`` (default: nominal)."""
        return self.templates.at(point or {})

    def matrix(self, recoil: np.ndarray, point: Mapping[str, float] | None = None) -> np.ndarray:
        """R[k, j] = ε_k(T_j) at a nuisance ``point``: shape (bins, len(recoil))."""
        return self.matrix_from(self.efficiency(point), recoil)

    def matrix_from(self, efficiency: np.ndarray, recoil: np.ndarray) -> np.ndarray:
        """R[k, j] for given templates (energies × bins), e.g. one grid point's."""
        return efficiency.T @ hat_weights(recoil, self.energies, self.beyond_last)

    def total_efficiency(
        self, recoil: ArrayLike, point: Mapping[str, float] | None = None
    ) -> np.ndarray:
        """Σ_k ε_k(T): the probability that a recoil of energy T is detected in any bin."""
        values = np.asarray(recoil, dtype=float)
        return self.matrix(values.ravel(), point).sum(axis=0).reshape(values.shape)


__all__ = ["RecoilTemplateResponse", "hat_weights"]
