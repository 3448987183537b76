"""Estimate where the SNS proton pulse sits on the t_rec axis of the CsI 2021 release.

The release gives reconstructed times but not the arrival time of the beam. This script
scans the mean of the Gaussian proton pulse (the document's width, 340 ns FWHM) and, at
each value, fits the CEvNS normalisation (the document's prediction, Klein–Nystrand form
factor) to the 9 × 11 coincident data with the backgrounds as the ``coherent-csi-2021``
document gives them (steady state: the anti-coincident events in the window, flat in
time; BRN and NIN: the paper's expected counts), printing the Poisson −2 ln L profile.
Usage: python scripts/estimate_csi_pulse_mean.py [DATA_DIR]
"""

from __future__ import annotations

import sys

import numpy as np
from scipy.optimize import minimize_scalar

from cevns.data.csi2021 import binned_counts, load_csi_2021
from cevns.experiments.backgrounds import build_backgrounds
from cevns.experiments.build import build_experiment
from cevns.experiments.engine import PredictionEngine
from cevns.experiments.load import load_experiment


def profile(data_dir: str | None) -> list[tuple[float, float, float]]:
    release = load_csi_2021(data_dir)
    base = load_experiment("coherent-csi-2021")
    rows = []
    for mean_us in np.arange(0.20, 0.81, 0.05):
        document = base.model_dump(mode="json")
        document["source"]["pulse"]["mean"] = f"{mean_us:.3f} us"
        spec = type(base).model_validate(document)
        experiment = build_experiment(spec)
        signal = PredictionEngine(experiment).histogram()
        background = sum(b.histogram for b in build_backgrounds(experiment, data_dir))
        observed = binned_counts(
            release.coincident_events, experiment.observable_edges, experiment.time_edges
        )

        def minus_two_log_likelihood(
            scale, signal=signal, background=background, observed=observed
        ):
            expected = background + scale * signal
            return 2 * np.sum(expected - observed * np.log(expected))

        best = minimize_scalar(minus_two_log_likelihood, bounds=(0.1, 3.0), method="bounded")
        rows.append((float(mean_us), float(best.fun), float(best.x)))
    return rows


def parabola_minimum(rows: list[tuple[float, float, float]]) -> tuple[float, float]:
    """Vertex and 1σ half-width (Δ(−2 ln L) = 1) of the parabola through the lowest
    interior grid point and its two neighbours."""
    values = [value for _, value, _ in rows]
    k = min(range(1, len(rows) - 1), key=lambda i: values[i])
    (x0, y0, _), (x1, y1, _), (x2, y2, _) = rows[k - 1 : k + 2]
    curvature, slope, _ = np.polyfit([x0, x1, x2], [y0, y1, y2], 2)
    return -slope / (2 * curvature), 1 / np.sqrt(curvature)


def main() -> None:
    rows = profile(sys.argv[1] if len(sys.argv) > 1 else None)
    lowest = min(value for _, value, _ in rows)
    print("pulse mean [us]   delta(-2 ln L)   CEvNS scale")
    for mean_us, value, scale in rows:
        print(f"{mean_us:14.2f} {value - lowest:16.2f} {scale:13.3f}")
    centre, width = parabola_minimum(rows)
    print(f"parabola through the lowest three points: {centre:.3f} +- {width:.3f} us")


if __name__ == "__main__":
    main()
