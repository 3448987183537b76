"""The Fisher bound on the CEvNS count of the CsI 2021 analysis, against the binning.

With every background known exactly, the only free parameter is the CEvNS normalisation
s; for Poisson bins with expectation μ_k = s S_k + B_k the Fisher information at s = 1 is
I = Σ_k S_k² / μ_k, so no unbiased estimate of the count N = Σ_k S_k has an error below
N / √I (the Cramér–Rao bound; H. Cramér, Mathematical Methods of Statistics (1946),
§32.3). This script evaluates it for the document's 9 × 11 (PE × t_rec) binning and for
uniform finer binnings of the same region (0–60 PE, 0–6 µs), with the document's nominal
CEvNS prediction and backgrounds as :func:`cevns.predict` gives them. If finer bins do
not lower the bound, an unbinned fit could not either.

Usage: python scripts/csi_fisher_bound.py [DATA_DIR]
"""

from __future__ import annotations

import sys

import numpy as np

from cevns.experiments.load import load_experiment
from cevns.experiments.prediction import predict

#: (PE bins, t_rec bins) of the uniform finer binnings; None: the document's own 9 × 11.
BINNINGS = (None, (15, 24), (30, 48), (60, 96))


def fisher_bound(data_dir: str | None, binning: tuple[int, int] | None) -> tuple[float, float]:
    """(CEvNS events, their Fisher bound) for ``binning``."""
    base = load_experiment("coherent-csi-2021")
    document = base.model_dump(mode="json")
    if binning is not None:
        energy_bins, time_bins = binning
        document["binning"]["observable_edges"] = np.linspace(0, 60, energy_bins + 1).tolist()
        document["binning"]["time_edges"] = np.linspace(0, 6, time_bins + 1).tolist()
    prediction = predict(type(base).model_validate(document), data_directory=data_dir)
    signal = prediction.signal
    background = sum(b.histogram for b in prediction.backgrounds if b.histogram is not None)
    total = signal + background
    used = total > 0  # a bin with nothing expected carries no information
    information = np.sum(signal[used] ** 2 / total[used])
    return float(signal.sum()), float(signal.sum() / np.sqrt(information))


def main() -> None:
    data_dir = sys.argv[1] if len(sys.argv) > 1 else None
    print("binning (PE x t_rec)   CEvNS events   Fisher bound on their error")
    for binning in BINNINGS:
        events, bound = fisher_bound(data_dir, binning)
        label = "9 x 11 (document)" if binning is None else f"{binning[0]} x {binning[1]}"
        print(f"{label:>20} {events:14.1f} {bound:17.2f}")


if __name__ == "__main__":
    main()
