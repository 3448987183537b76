"""Save the slide figures of the SNS neutrino source to docs/figures/.

* docs/figures/sns_spectra.png — the ν_μ line and the Michel ν_e and ν̄_μ spectra;
* docs/figures/sns_timing.png — prompt and delayed emission-time densities for the SNS
  Gaussian proton pulse (σ = 150 ns, arXiv:2006.12659), with the fraction before 1 µs.

Run from the repository root: ``python scripts/make_source_figures.py``.
"""

from __future__ import annotations

from pathlib import Path

from cevns.plotting.sources import plot_energy_spectra, plot_time_densities, save_figure
from cevns.sources import get_facility

OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "figures"


def main() -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    source = get_facility("sns-fts").source()
    spectra = save_figure(
        plot_energy_spectra, OUTPUT / "sns_spectra.png",
        title="SNS stopped-pion neutrino spectra", source=source,
    )  # fmt: skip
    timing = save_figure(
        plot_time_densities, OUTPUT / "sns_timing.png",
        title="SNS neutrino emission time (Gaussian pulse, σ = 150 ns)", source=source,
    )  # fmt: skip
    print(spectra)
    print(timing)


if __name__ == "__main__":
    main()
