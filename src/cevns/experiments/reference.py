"""The slow reference prediction: adaptive quadrature, bin by bin, no precomputed kernels.

For each isotope, flavour and observable bin k,

    s_{f,k} = N_iso ∫₀^{T_end} dT P_k(T) ∫ dE φ_f(E) dσ/dT(E, T)

with scipy's adaptive ``quad`` for both integrals (the neutrino-energy integral starts at
E_min(T); a line is its weight times dσ/dT at the line energy), dσ/dT from
:func:`cevns.interactions.cross_section.differential_cross_section`, and P_k(T) the
probability to reconstruct a recoil T in bin k and pass the energy efficiency (the same
detector model as the fast path). Time enters through the same per-flavour templates.

It exists to check the fast engine's numerics (tests, ``benchmarks/bench_predict.py``)
and takes seconds to minutes; use :class:`~cevns.experiments.engine.PredictionEngine` for
real work.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import quad

from cevns.experiments.engine import PredictionEngine
from cevns.interactions.couplings import standard_model_couplings
from cevns.interactions.cross_section import differential_cross_section
from cevns.interactions.kinematics import neutrino_energy_min, recoil_energy_max


def _recoil_rate(engine: PredictionEngine, kernel, flavor: str, recoil: float, sin2: float | None):
    """∫ dE φ_f(E) dσ/dT(E, T) by adaptive quadrature (per target nucleus)."""
    flux = engine.experiment.flux
    couplings = standard_model_couplings(flavor, sin2_theta_w=sin2)
    mass = kernel.isotope.nuclear_mass

    def cross_section(energy):
        return float(
            differential_cross_section(
                energy,
                recoil,
                kernel.isotope,
                flavor,
                form_factors=kernel.form_factors,
                couplings=couplings,
            )
        )

    line = flux.source.line_energy(flavor)
    if line is not None:
        quadrature = flux.energy_quadrature(flavor)
        return quadrature.weights[0] * cross_section(line)
    low, high = flux.source.energy_range(flavor)
    start = max(low, float(neutrino_energy_min(recoil, mass)))
    if start >= high:
        return 0.0
    value, _ = quad(
        lambda e: float(flux.spectral_fluence(flavor, e)) * cross_section(e),
        start,
        high,
        epsrel=1e-9,
        limit=200,
    )
    return value


def reference_observable_spectra(
    engine: PredictionEngine, sin2_theta_w: float | None = None
) -> dict[str, np.ndarray]:
    """s_f[k] by nested adaptive quadrature, for comparison with the fast engine."""
    exp = engine.experiment
    n_bins = len(exp.observable_edges) - 1
    spectra = {f: np.zeros(n_bins) for f in engine.flavors}
    for kernel in engine.kernels:
        mass = kernel.isotope.nuclear_mass
        end = max(
            float(recoil_energy_max(exp.flux.source.energy_range(f)[1], mass))
            for f in engine.flavors
        )
        for flavor in engine.flavors:
            for k in range(n_bins):
                value, _ = quad(
                    _bin_integrand(engine, kernel, flavor, k, sin2_theta_w),
                    0.0,
                    end,
                    epsrel=1e-7,
                    limit=200,
                    points=_kinks(engine, kernel, flavor, end),
                )
                spectra[flavor][k] += kernel.targets * value
    return spectra


def _bin_integrand(engine: PredictionEngine, kernel, flavor: str, k: int, sin2: float | None):
    """T ↦ P_k(T) · ∫ dE φ_f dσ/dT, the integrand of bin k."""
    exp = engine.experiment
    quenching = exp.quenching_for(kernel.isotope.name)

    def integrand(recoil: float) -> float:
        mean = quenching.electron_equivalent(np.array([recoil]))
        if exp.light_yield is not None:
            mean = mean * exp.light_yield
        probability = exp.smearing.bin_probabilities(
            mean, exp.observable_edges, exp.energy_efficiency
        )[0, k]
        return probability * _recoil_rate(engine, kernel, flavor, recoil, sin2)

    return integrand


def _kinks(engine: PredictionEngine, kernel, flavor: str, end: float) -> list[float]:
    """Where the integrand has kinks or steps: the line's T_max, and the recoils whose
    mean observable sits on a bin edge (steps of the response without smearing)."""
    quenching = engine.experiment.quenching_for(kernel.isotope.name)
    points = [float(t) for t in engine._recoils_at_observable_edges(quenching, end)]
    line = engine.experiment.flux.source.line_energy(flavor)
    if line is not None:
        points.append(float(recoil_energy_max(line, kernel.isotope.nuclear_mass)))
    return sorted(points)


def reference_histograms(
    engine: PredictionEngine, sin2_theta_w: float | None = None
) -> dict[str, np.ndarray]:
    """H_f[k, t] from :func:`reference_observable_spectra` and the time templates."""
    spectra = reference_observable_spectra(engine, sin2_theta_w)
    return {f: np.outer(spectra[f], engine.time_templates[f]) for f in engine.flavors}
