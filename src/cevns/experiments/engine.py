"""The fast prediction engine: expected histograms (observable × time) per flavour.

Set-up (once per experiment) builds, for each isotope of the target, the recoil nodes
T_j with weights w_j, the flux-folded kernels I_{b,f}(T_j) (:mod:`.kernels`), the form
factors at the nodes and the response matrix R[k, j] (probability that a recoil T_j is
reconstructed in observable bin k and passes the energy efficiency); and, per flavour,
the time template τ_f[t] = ∫_{bin t} ρ_f(t) ε_t(t) dt. A parameter point then costs

    s_f[k] = Σ_iso N_iso Σ_j R[k, j] w_j Σ_b C_{b,f}(T_j) I_{b,f}(T_j),
    H[k, t] = Σ_f s_f[k] τ_f[t],

a few vector products (design guide, "Speed by construction"). Charges C come from a
:class:`ChargeModel`; the Standard Model is :class:`StandardModelCharges`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Protocol

import numpy as np

from cevns.detectors.efficiency import UnitTimeEfficiency
from cevns.detectors.response import build_response_matrix
from cevns.experiments.build import Experiment
from cevns.experiments.kernels import (
    IsotopeKernel,
    folded_basis,
    recoil_breakpoints,
    recoil_nodes,
)
from cevns.interactions.couplings import standard_model_couplings
from cevns.interactions.cross_section import total_cross_section
from cevns.interactions.standard_model import spin_excesses
from cevns.nuclear.form_factors import form_factors_for
from cevns.nuclear.isotopes import get_isotope
from cevns.sources import Disappearance, Flux
from cevns.sources.base import gauss_legendre

#: Gauss–Legendre nodes per time bin (and per piece where the time efficiency has a kink).
TIME_NODES_PER_BIN = 48


class ChargeModel(Protocol):
    """A physics model as the engine sees it: charges at the recoil nodes.

    ``charges(kernel, flavors)`` returns, per basis term, an array of shape
    (len(flavors), len(kernel.recoil)).
    """

    def charges(self, kernel: IsotopeKernel, flavors: tuple[str, ...]) -> dict[str, np.ndarray]: ...


@lru_cache(maxsize=256)
def coupling_table(
    flavors: tuple[str, ...], scheme: str, sin2_theta_w: float | None
) -> tuple[np.ndarray, ...]:
    """Per-flavour columns (g_V^p, g_V^n, g_A^p, g_A^n, helicity), each shaped (n, 1)."""
    rows = []
    for flavor in flavors:
        c = standard_model_couplings(flavor, scheme, sin2_theta_w)
        helicity = -1.0 if flavor.endswith("_bar") else 1.0
        rows.append((c.g_v_proton, c.g_v_neutron, c.g_a_proton, c.g_a_neutron, helicity))
    table = np.array(rows)
    return tuple(table[:, i : i + 1] for i in range(table.shape[1]))


@dataclass(frozen=True)
class StandardModelCharges:
    """Standard-Model charges G_V², G_A², 2hG_VG_A at the recoil nodes.

    ``sin2_theta_w`` moves the couplings (see :mod:`cevns.interactions.couplings`);
    ``scheme`` chooses radiative or tree-level couplings. This is the Standard-Model
    specialisation of :class:`cevns.interactions.models.NewPhysicsCharges` (which gives the
    same histograms bit for bit, ``tests/test_models.py``); it is kept as the fast path
    because it skips the new-physics terms: 45 µs against 170 µs for the CsI histogram.
    """

    sin2_theta_w: float | None = None
    scheme: str = "radiative"

    def charges(self, kernel: IsotopeKernel, flavors: tuple[str, ...]) -> dict[str, np.ndarray]:
        g_v_p, g_v_n, g_a_p, g_a_n, helicity = coupling_table(
            flavors, self.scheme, self.sin2_theta_w
        )
        iso = kernel.isotope
        g_v = g_v_p * (iso.Z * kernel.form_factor_proton) + g_v_n * (
            iso.N * kernel.form_factor_neutron
        )
        proton_excess, neutron_excess = spin_excesses(iso)
        g_a = (g_a_p * proton_excess + g_a_n * neutron_excess) * kernel.form_factor_axial
        return {"vector": g_v * g_v, "axial": g_a * g_a, "interference": 2 * helicity * g_v * g_a}


class PredictionEngine:
    """Expected CEvNS histograms of one experiment, fast at any parameter point."""

    def __init__(self, experiment: Experiment, form_factor: str | None = None):
        """``form_factor`` (a name of :data:`cevns.nuclear.form_factors.FORM_FACTOR_MODELS`)
        overrides the document's ``form_factor``."""
        self.experiment = experiment
        form_factor = form_factor or experiment.spec.form_factor
        self.form_factor = form_factor
        self.flavors = experiment.flux.flavors
        self.kernels = [
            self._kernel(name, count, form_factor)
            for name, count in experiment.nuclei_by_isotope().items()
        ]
        self.responses = [self._response(kernel) for kernel in self.kernels]
        self.time_templates = self._time_templates()
        self._weighted_responses = [
            r * k.weights * k.targets for r, k in zip(self.responses, self.kernels, strict=True)
        ]
        self._standard_model = StandardModelCharges()
        self._stacked_folded = [
            {b: np.stack([k.folded[f][b] for f in self.flavors]) for b in k.folded[self.flavors[0]]}
            for k in self.kernels
        ]
        self._time_matrix = np.stack([self.time_templates[f] for f in self.flavors])
        self._oscillation_cache: dict[float, list[dict[str, np.ndarray]]] = {}

    # --- set-up ---------------------------------------------------------------------------
    def _kernel(self, isotope_name: str, targets: float, form_factor: str) -> IsotopeKernel:
        iso = get_isotope(isotope_name)
        extra = self._recoils_at_observable_edges(iso.nuclear_mass)
        nodes, weights = recoil_nodes(
            recoil_breakpoints(self.experiment.flux, iso.nuclear_mass, extra)
        )
        folded = {
            f: folded_basis(self.experiment.flux, f, nodes, iso.nuclear_mass) for f in self.flavors
        }
        return IsotopeKernel(
            iso, targets, nodes, weights, folded, form_factors_for(iso.A, form_factor)
        )

    def _recoils_at_observable_edges(self, nuclear_mass: float) -> np.ndarray:
        """Recoil energies whose mean observable sits on a bin edge (kinks without smearing)."""
        exp = self.experiment
        grid = np.geomspace(1e-9, 1.0, 4000) * nuclear_mass * 1e-3
        mean = exp.quenching.electron_equivalent(grid)
        if exp.light_yield is not None:
            mean = mean * exp.light_yield
        if not np.all(np.diff(mean) > 0):
            return np.array([])
        edges = np.interp(exp.observable_edges, mean, grid, left=np.nan, right=np.nan)
        return edges[np.isfinite(edges)]

    def _response(self, kernel: IsotopeKernel) -> np.ndarray:
        exp = self.experiment
        return build_response_matrix(
            kernel.recoil,
            exp.quenching,
            exp.light_yield,
            exp.smearing,
            exp.observable_edges,
            exp.energy_efficiency,
        )

    def _time_templates(self) -> dict[str, np.ndarray]:
        exp = self.experiment
        if not exp.pulsed:
            return {f: np.ones(1) for f in self.flavors}
        source, edges, efficiency = exp.flux.source, exp.time_edges, exp.time_efficiency
        if isinstance(efficiency, UnitTimeEfficiency):
            # Exact bin fractions from the source's emission-time CDF (kinks of tabulated
            # arrival times need no quadrature).
            return {f: np.asarray(source.time_bin_fractions(f, edges)) for f in self.flavors}
        # Split bins where the time efficiency has a kink (its breakpoints), so that each
        # Gauss–Legendre piece integrates a smooth function.
        kinks = np.asarray(efficiency.breakpoints, dtype=float)
        pieces = []
        for low, high in pairwise(edges):
            cuts = [low, *kinks[(kinks > low) & (kinks < high)], high]
            pieces.append([gauss_legendre(a, b, TIME_NODES_PER_BIN) for a, b in pairwise(cuts)])
        templates = {}
        for flavor in self.flavors:
            templates[flavor] = np.array(
                [
                    sum(
                        np.sum(w * source.time_density(flavor, t) * efficiency(t))
                        for t, w in bin_pieces
                    )
                    for bin_pieces in pieces
                ]
            )
        return templates

    # --- fast evaluation --------------------------------------------------------------------
    def observable_matrix(
        self, model: ChargeModel | None = None, folded: list[dict] | None = None
    ) -> np.ndarray:
        """s[f, k]: expected events per flavour and observable bin (before time efficiency).

        ``folded`` replaces the flux-folded kernels (one dict of stacked arrays per
        isotope), for models that change the flux (oscillations).
        """
        model = model or self._standard_model
        total = 0.0
        kernels = folded or self._stacked_folded
        for kernel, weighted, isotope_kernels in zip(
            self.kernels, self._weighted_responses, kernels, strict=True
        ):
            charges = model.charges(kernel, self.flavors)
            rate = sum(charges[name] * isotope_kernels[name] for name in charges)
            total = total + rate @ weighted.T
        return total

    def observable_spectra(self, model: ChargeModel | None = None) -> dict[str, np.ndarray]:
        """s_f[k] per flavour (before time efficiency)."""
        matrix = self.observable_matrix(model)
        return {f: matrix[i] for i, f in enumerate(self.flavors)}

    def histograms(self, model: ChargeModel | None = None) -> dict[str, np.ndarray]:
        """H_f[k, t] per flavour: observable × time (one time bin for steady sources)."""
        matrix = self.observable_matrix(model)
        return {f: np.outer(matrix[i], self._time_matrix[i]) for i, f in enumerate(self.flavors)}

    def histogram(
        self, model: ChargeModel | None = None, folded: list[dict] | None = None
    ) -> np.ndarray:
        """H[k, t] = Σ_f s_f[k] τ_f[t], summed over flavours (the fast path of fits)."""
        return self.observable_matrix(model, folded).T @ self._time_matrix

    def oscillation_kernels(self, delta_m2: float) -> list[dict[str, np.ndarray]]:
        """Per isotope, ∫ φ_f(E) sin²(Δm² L/4E) k_b(E, T_j) dE stacked over flavours.

        The kernels of a flux that oscillates with amplitudes A_f are then
        I_f − A_f × (these); cached per Δm².
        """
        key = float(delta_m2)
        if key not in self._oscillation_cache:
            flux = self.experiment.flux
            full = Disappearance.flavor_blind(key, 1.0)
            oscillated = Flux(flux.source, flux.units_of_source, flux.distance, full)
            kernels = []
            for kernel, nominal in zip(self.kernels, self._stacked_folded, strict=True):
                mass = kernel.isotope.nuclear_mass
                refolded = {
                    f: folded_basis(oscillated, f, kernel.recoil, mass) for f in self.flavors
                }
                kernels.append({b: nominal[b] - np.stack([refolded[f][b] for f in self.flavors])
                                for b in nominal})  # fmt: skip
            self._oscillation_cache[key] = kernels
        return self._oscillation_cache[key]

    def oscillated_kernels(
        self, delta_m2: float, amplitudes: dict[str, float]
    ) -> list[dict[str, np.ndarray]]:
        """Kernels I_f − A_f S_f(Δm²) for amplitudes A per flavour (missing flavours: 0)."""
        column = np.array([[amplitudes.get(f, 0.0)] for f in self.flavors])
        return [{b: nominal[b] - column * sine[b] for b in nominal}
                for nominal, sine in zip(self._stacked_folded, self.oscillation_kernels(delta_m2),
                                         strict=True)]  # fmt: skip

    # --- slower outputs for reports and plots ------------------------------------------------
    def recoil_spectrum(
        self, recoil: np.ndarray, model: ChargeModel | None = None
    ) -> dict[str, np.ndarray]:
        """dN/dT at arbitrary recoil energies per flavour, summed over isotopes (no response)."""
        model = model or self._standard_model
        out = {f: np.zeros_like(recoil, dtype=float) for f in self.flavors}
        for kernel in self.kernels:
            probe = IsotopeKernel(
                kernel.isotope,
                kernel.targets,
                np.asarray(recoil, dtype=float),
                np.zeros_like(recoil, dtype=float),
                {
                    f: folded_basis(
                        self.experiment.flux,
                        f,
                        np.asarray(recoil, dtype=float),
                        kernel.isotope.nuclear_mass,
                    )
                    for f in self.flavors
                },
                kernel.form_factors,
            )
            charges = model.charges(probe, self.flavors)
            for index, flavor in enumerate(self.flavors):
                out[flavor] += kernel.targets * sum(
                    charges[name][index] * probe.folded[flavor][name] for name in charges
                )
        return out

    def flux_averaged_cross_sections(self) -> dict[str, float]:
        """⟨σ⟩ per isotope: Σ_f ∫φ_f σ_f dE / Σ_f ∫φ_f dE (area), and the per-nucleus mean."""
        flux = self.experiment.flux
        per_isotope = {}
        for kernel in self.kernels:
            numerator = denominator = 0.0
            for flavor in self.flavors:
                quadrature = flux.energy_quadrature(flavor)
                sigma = total_cross_section(
                    quadrature.energies, kernel.isotope, flavor, form_factors=kernel.form_factors
                )
                numerator += float(np.sum(quadrature.weights * sigma))
                denominator += quadrature.total
            per_isotope[kernel.isotope.name] = numerator / denominator
        targets = {k.isotope.name: k.targets for k in self.kernels}
        per_isotope["per_nucleus"] = sum(per_isotope[n] * t for n, t in targets.items()) / sum(
            targets.values()
        )
        return per_isotope
