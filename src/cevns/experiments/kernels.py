"""Flux-folded kinematic kernels on a recoil-energy grid (design guide, "Speed by construction").

For each isotope, flavour f and basis term b (the Standard-Model terms and the magnetic and
scalar terms of :mod:`cevns.interactions.basis`), the kernel at recoil node T_j is

    I_{b,f}(T_j) = ∫ dE φ_f(E) k_b(E, T_j),

with φ_f the fluence per energy at the detector and k_b the kinematic basis terms of
:mod:`cevns.interactions.basis` (which vanish for E < E_min(T_j)). The integral runs over
[max(E_min(T_j), E_low), E_high] piece by piece of the spectrum's support with
Gauss–Legendre nodes, so the kinematic step is an integration limit rather than a jump
inside a fixed grid; a monochromatic line contributes its weight times k_b(E_line, T_j).
The recoil spectrum is then dN/dT(T_j) = N_targets Σ_{b,f} C_{b,f}(T_j) I_{b,f}(T_j) for
any charges C (Standard Model or a new-physics model).

Recoil nodes are composite Gauss–Legendre nodes on [0, T_end], split where the spectrum
has kinks: at T_max of each line and at T_max of each support breakpoint, and at the
recoil energies where the observable crosses a bin edge (useful without smearing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from cevns.interactions.basis import ALL_BASIS, all_basis
from cevns.interactions.kinematics import (
    momentum_transfer,
    neutrino_energy_min,
    recoil_energy_max,
)
from cevns.nuclear.form_factors import NuclearFormFactors
from cevns.nuclear.isotopes import Isotope
from cevns.quadrature import gauss_legendre, unit_gauss_legendre
from cevns.sources import Flux

#: Gauss–Legendre nodes per support piece for the neutrino-energy integral.
ENERGY_NODES_PER_PIECE = 48
#: Recoil nodes shared over the recoil range (at least MIN_RECOIL_NODES_PER_PIECE each piece).
RECOIL_NODES = 320
MIN_RECOIL_NODES_PER_PIECE = 12


#: At most this many support pieces enter the energy integral and the recoil breakpoints.
#: A finely tabulated spectrum (a 1000-row solar ⁸B table) has a breakpoint at every row;
#: its pieces are merged into this many groups of consecutive rows, each integrated with
#: ENERGY_NODES_PER_PIECE nodes (the table is smooth on that scale: merging 1000 rows of a
#: tabulated Michel spectrum changes a CsI prediction by < 1e-5, tests/test_tabulated_speed.py).
MAX_SUPPORT_PIECES = 32


def support_breakpoints(flux: Flux, flavor: str) -> np.ndarray:
    """Energies where a continuous spectrum's formula changes (its support pieces), at
    most MAX_SUPPORT_PIECES + 1 of them (every k-th row of a long table, both ends kept)."""
    low, high = flux.source.energy_range(flavor)
    pieces = getattr(flux.source, "_support", None)
    if pieces is None:
        return np.array([low, high])
    points = np.asarray(pieces(flavor), dtype=float)
    if points.size <= MAX_SUPPORT_PIECES + 1:
        return points
    keep = np.unique(np.round(np.linspace(0, points.size - 1, MAX_SUPPORT_PIECES + 1)))
    return points[keep.astype(int)]


def recoil_nodes(
    breakpoints: np.ndarray, n_nodes: int = RECOIL_NODES
) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss–Legendre nodes and weights on the intervals between ``breakpoints``."""
    edges = np.unique(np.asarray(breakpoints, dtype=float))
    lengths = np.diff(edges)
    share = np.maximum(MIN_RECOIL_NODES_PER_PIECE, np.round(n_nodes * lengths / lengths.sum()))
    nodes, weights = [], []
    for low, high, count in zip(edges[:-1], edges[1:], share.astype(int), strict=True):
        x, w = gauss_legendre(low, high, count)
        nodes.append(x)
        weights.append(w)
    return np.concatenate(nodes), np.concatenate(weights)


def folded_basis(
    flux: Flux, flavor: str, recoil: np.ndarray, nuclear_mass: float
) -> dict[str, np.ndarray]:
    """I_{b,f}(T_j) for every basis term b (number per area × area per energy = per energy)."""
    line = flux.source.line_energy(flavor)
    if line is not None:
        quadrature = flux.energy_quadrature(flavor)
        basis = all_basis(quadrature.energies[0], recoil, nuclear_mass)
        return {name: quadrature.weights[0] * values for name, values in basis.items()}
    x, w = unit_gauss_legendre(ENERGY_NODES_PER_PIECE)
    e_min = neutrino_energy_min(recoil, nuclear_mass)[:, np.newaxis]
    totals = {name: np.zeros_like(recoil) for name in ALL_BASIS}
    pieces = support_breakpoints(flux, flavor)
    for low, high in pairwise(pieces):
        lower = np.clip(e_min, low, high)
        half = 0.5 * (high - lower)
        energies = lower + half * (x + 1.0)
        weights = half * w
        density = flux.spectral_fluence(flavor, energies.ravel()).reshape(energies.shape)
        basis = all_basis(energies, recoil[:, np.newaxis], nuclear_mass)
        for name, values in basis.items():
            totals[name] += np.sum(values * density * weights, axis=1)
    return totals


@dataclass
class IsotopeKernel:
    """Everything the fast path needs for one isotope of the target.

    ``form_factor_*`` hold F(q(T_j)) at the recoil nodes for the default form factors; a
    model that changes a radius recomputes its own.
    """

    isotope: Isotope
    targets: float
    recoil: np.ndarray
    weights: np.ndarray
    folded: dict[str, dict[str, np.ndarray]]
    form_factors: NuclearFormFactors
    form_factor_proton: np.ndarray = field(init=False)
    form_factor_neutron: np.ndarray = field(init=False)
    form_factor_axial: np.ndarray = field(init=False)
    momentum_transfer: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        q = momentum_transfer(self.recoil, self.isotope.nuclear_mass)
        self.momentum_transfer = q
        self.form_factor_proton = self.form_factors.proton(q)
        self.form_factor_neutron = self.form_factors.neutron(q)
        self.form_factor_axial = self.form_factors.axial_form_factor(q)


def recoil_breakpoints(
    flux: Flux, nuclear_mass: float, extra_recoils: np.ndarray | None = None
) -> np.ndarray:
    """0, T_max of every line and support breakpoint, and ``extra_recoils`` below T_end."""
    points = [0.0]
    for flavor in flux.flavors:
        line = flux.source.line_energy(flavor)
        energies = [line] if line is not None else support_breakpoints(flux, flavor)
        points.extend(float(recoil_energy_max(e, nuclear_mass)) for e in energies if e > 0)
    end = max(points)
    if extra_recoils is not None:
        points.extend(float(t) for t in extra_recoils if 0 < t < end)
    return np.array(sorted(set(points)))
