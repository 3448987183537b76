"""What ``cevns darkmatter`` computes: predictions and limits per dark-matter mass."""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from cevns.beamdump.flux import (
    DETECTOR_POSITIONS,
    EXPERIMENT_POSITIONS,
    DarkMatterFlux,
    flux_at_detector,
    simulate,
)
from cevns.beamdump.mesons import (
    ETA_MASS,
    ETA_PER_POT,
    PI0_MASS,
    PI0_PER_POT,
    PI_MINUS_RADIATIVE_CAPTURES_PER_POT,
    MesonYields,
)
from cevns.beamdump.portals import DarkSector, relic_y
from cevns.beamdump.published import comparisons, published
from cevns.beamdump.published import event_limit as _published_event_limit
from cevns.beamdump.signal import predict, prompt_time_template
from cevns.errors import CevnsInputError, require_choice
from cevns.experiments.build import Experiment
from cevns.units import MeV, cm, m, ns, us

#: Where each default yield per POT comes from (``docs/accelerator-dark-matter.md``).
YIELD_SOURCES: dict[str, str] = {
    "pi0": "BdNMC's SNS card (arXiv:1609.01770; pgdeniverville/BdNMC par_writer.py, "
    "coherent_default: pi0_per_POT 0.09 at 1.01 GeV)",
    "pi_minus_radiative_captures": "0.63 captures per pi0 (same card) x 1/(1 + P), Panofsky "
    "ratio P = 1.546 on hydrogen (Spuller et al. 1977): an upper estimate for mercury",
    "eta": "effective yield implied by COHERENT's leptophobic limit (arXiv:2205.12414) under "
    "this modelling; no simulated SNS eta yield was found",
}


def darkmatter_report(
    masses_mev: list[float],
    *,
    ratio: float = 3.0,
    coupling: float = 1e-4,
    dark_coupling: float = 0.5,
    portal: str = "vector",
    spin: str = "scalar",
    experiment_name: str = "coherent-csi-2021",
    detector: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    limits: bool = True,
    mesons: int = 200_000,
    seed: int = 2026,
    pi0_per_pot: float = PI0_PER_POT,
    eta_per_pot: float = ETA_PER_POT,
    pi_minus_captures_per_pot: float = PI_MINUS_RADIATIVE_CAPTURES_PER_POT,
    toys: int = 0,
    beam_timing: bool = False,
    off_shell: bool = False,
) -> dict[str, Any]:
    """Expected χ–nucleus events of ``experiment_name`` at each m_χ (m_V = ``ratio`` m_χ)
    and, with ``limits``, the 90 % CL event and coupling limits: from the data for a
    document with an ``[analysis]`` (CsI 2021), the median projected ones otherwise."""
    require_choice("experiment", experiment_name, EXPERIMENT_POSITIONS)
    detector = detector or EXPERIMENT_POSITIONS[experiment_name]
    require_choice("detector", detector, DETECTOR_POSITIONS)
    if not math.isfinite(ratio) or not ratio > (0.0 if off_shell else 2.0):
        raise CevnsInputError(
            f"--ratio = {ratio:g}: an on-shell mediator needs m_V/m_chi > 2"
            if not off_shell
            else f"--ratio = {ratio:g}: m_V/m_chi must be > 0"
        )
    sectors = [
        DarkSector(ratio * mass * MeV, mass * MeV, coupling, dark_coupling, portal, spin, off_shell)
        for mass in masses_mev
    ]
    yields = MesonYields(pi0_per_pot, eta_per_pot, pi_minus_captures_per_pot)
    from cevns.beamdump.analysis import (
        TIMING_SIGMA_US,
        coupling_limit,
        csi_analysis,
        event_limit,
        response_variants,
        toy_event_limit,
        with_dark_matter,
    )
    from cevns.beamdump.projection import projection_analysis
    from cevns.experiments.build import build_experiment
    from cevns.experiments.load import load_experiment

    spec = load_experiment(experiment_name)
    projection = spec.analysis is None
    variants: list[tuple[str, Experiment, Experiment | None]] = []
    if limits and not projection:
        base, experiment, spec = csi_analysis(data_dir, experiment_name, beam_timing)
        variants = response_variants(spec, data_dir)
    else:
        experiment = build_experiment(spec, data_dir)
    pot = experiment.flux.units_of_source
    distance, angle = DETECTOR_POSITIONS[detector]
    rows = []
    for mass, sector in zip(masses_mev, sectors, strict=True):
        sample = simulate(sector, yields, mesons, seed)
        if sample.total <= 0:
            reach = max(
                [m for m, n in ((PI0_MASS, yields.pi0), (ETA_MASS, yields.eta)) if n > 0],
                default=0.0,
            )
            raise CevnsInputError(
                f"m_V = {ratio * mass:g} MeV is beyond the mesons' reach with these yields: "
                f"m_V must be below {reach / MeV:.1f} MeV"
            )
        flux = flux_at_detector(sample, distance, angle)
        prediction = predict(experiment, flux, sector, pot)
        row: dict[str, Any] = {
            "m_chi_mev": mass,
            "m_v_mev": ratio * mass,
            "y_reference": sector.y,
            "chi_per_pot": sample.total,
            "flux_per_pot_cm2": flux.per_pot_per_area * cm**2,
            "flux_mc_relative_error": flux.relative_error,
            "mean_flight_delay_ns": flux.mean_delay / ns,
            "events_reference": prediction.events,
            "y_relic": relic_y(sector.dark_matter_mass, ratio, spin)
            if portal == "vector"
            else None,
        }
        if limits:
            timing: tuple[np.ndarray, np.ndarray] | None = None
            if beam_timing and not projection:
                shift = TIMING_SIGMA_US * us
                up, down = (
                    np.outer(
                        prediction.observable,
                        prompt_time_template(experiment, flux.mean_delay + sign * shift),
                    )
                    for sign in (1.0, -1.0)
                )
                timing = (up, down)
            analysis = (
                projection_analysis(experiment, prediction.histogram)
                if projection
                else with_dark_matter(
                    base,
                    prediction.histogram,
                    timing=timing,
                    response=_response_histograms(variants, flux, sector, pot),
                )
            )
            result = event_limit(analysis)
            if toys > 0:
                limit, critical = toy_event_limit(analysis, result, toys, seed)
                row["event_limit_feldman_cousins_toys"] = limit
                row["critical_delta_chi2_toys"] = critical
            key = "y_limit" if portal == "vector" else "alpha_b_limit"
            reference = sector.y if portal == "vector" else sector.coupling
            row.update(
                {
                    "event_limit_feldman_cousins": result.feldman_cousins,
                    "event_limit_wilks": result.wilks,
                    "best_fit_events": result.best_fit,
                    "sigma_events": result.sigma,
                    key: coupling_limit(reference, prediction.events, result.feldman_cousins),
                    "wilks_" + key: coupling_limit(reference, prediction.events, result.wilks),
                    "published_event_limit": None if projection else _published_event_limit(mass),
                }
            )
        rows.append(row)
    report: dict[str, Any] = {
        "portal": portal,
        "spin": spin,
        "ratio_m_v_over_m_chi": ratio,
        "off_shell": off_shell,
        "reference_coupling": coupling,
        "dark_coupling": dark_coupling,
        "detector": {
            "name": detector,
            "distance_m": distance / m,
            "angle_deg": math.degrees(angle),
        },
        "experiment": spec.name,
        "projection": projection,
        "protons_on_target": pot,
        "yields_per_pot": {
            "pi0": yields.pi0,
            "eta": yields.eta,
            "pi_minus_radiative_captures": yields.pi_minus_radiative_captures,
            "sources": {
                key: YIELD_SOURCES[key] if value == default else "user input"
                for key, value, default in (
                    ("pi0", pi0_per_pot, PI0_PER_POT),
                    ("eta", eta_per_pot, ETA_PER_POT),
                    (
                        "pi_minus_radiative_captures",
                        pi_minus_captures_per_pot,
                        PI_MINUS_RADIATIVE_CAPTURES_PER_POT,
                    ),
                )
            },
        },
        "monte_carlo": {"mesons": mesons, "seed": seed, "toys": toys},
        "beam_timing_nuisance_us": TIMING_SIGMA_US if beam_timing else None,
        "limit_method": ("median (Asimov, CEvNS background only) " if projection else "")
        + "90 % CL; Feldman-Cousins critical values in the asymptotic (Gaussian) "
        "form near N_DM >= 0, Wilks 2.71 alongside; couplings scale as N ∝ Y² (fixed alpha_D)",
        "masses": rows,
    }
    report["published"] = comparisons(report)
    return report


def _response_histograms(
    variants: list[tuple[str, Experiment, Experiment | None]],
    flux: DarkMatterFlux,
    sector: DarkSector,
    pot: float,
) -> list[tuple[str, np.ndarray, np.ndarray | None]]:
    """The dark matter folded through each (parameter, +1σ, −1σ) response variant."""
    return [
        (
            name,
            predict(up, flux, sector, pot).histogram,
            None if down is None else predict(down, flux, sector, pot).histogram,
        )
        for name, up, down in variants
    ]


__all__ = ["YIELD_SOURCES", "darkmatter_report", "published"]
