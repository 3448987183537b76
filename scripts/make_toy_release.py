"""Write the synthetic release of the tutorial (docs/analyse-your-own-data.md).

    python scripts/make_toy_release.py FOLDER [--seed 2026] [--signal-scale 1.0]

FOLDER must hold ``toy-csi.toml`` (docs/examples/toy-release/). The script writes, next to
it, files shaped like a public release:

* ``arrival-times.csv`` — neutrino arrival-time densities per flavour (time in µs): the
  stopped-pion model of cevns with a Gaussian pulse of 340 ns FWHM centred at 0.3 µs;
* ``efficiency.csv`` — an acceptance against PE with a step-like turn-on;
* ``neutrons.csv`` — a prompt-neutron template (PE and time bin centres, weight);
* ``coincident.csv`` and ``anticoincident.csv`` — event lists (PE, time in µs): CEvNS
  sampled from the document's own prediction times ``signal-scale``, prompt neutrons from
  the template, and a steady-state background falling in PE and (slowly) in time, which
  the anti-coincident sample measures on its own.

The events are drawn with numpy's PCG64 generator from ``seed``: the same seed gives the
same files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from cevns.experiments.build import build_experiment
from cevns.experiments.engine import PredictionEngine
from cevns.experiments.load import load_experiment
from cevns.sources import GaussianPulse, PionDecayAtRest
from cevns.units import ns, us

DOCUMENT = "toy-csi.toml"
#: Steady state: dN/dPE ∝ exp(−PE/15), dN/dt ∝ exp(−0.04 t/µs) on the 0–6 µs window.
STEADY_STATE_EVENTS = 900
STEADY_STATE_PE_SCALE = 15.0
STEADY_STATE_DECAY_PER_US = 0.04
#: Prompt neutrons: time Gaussian (0.35 ± 0.15 µs), PE ∝ exp(−PE/30).
NEUTRON_EVENTS = 25
WINDOW = (0.0, 64.0, 0.0, 6.0)  # PE low, PE high, time low, time high (µs)


def write_arrival_times(folder: Path) -> None:
    """Densities per µs on a 10 ns grid from −0.5 to 10 µs."""
    source = PionDecayAtRest(0.0848, GaussianPulse.from_fwhm(340 * ns, mean=0.3 * us))
    times = np.arange(-0.5, 10.0 + 1e-9, 0.01)
    columns = [source.time_density(f, times * us) * us for f in ("nu_mu", "nu_e", "nu_mu_bar")]
    header = "time_us,nu_mu,nu_e,nu_mu_bar"
    np.savetxt(folder / "arrival-times.csv", np.column_stack([times, *columns]),
               delimiter=",", header=header, comments="", fmt="%.6g")  # fmt: skip


def write_efficiency(folder: Path) -> None:
    pe = np.array([0.0, 4.0, 5.0, 8.0, 12.0, 20.0, 64.0])
    efficiency = np.array([0.0, 0.0, 0.35, 0.6, 0.8, 0.9, 0.9])
    np.savetxt(folder / "efficiency.csv", np.column_stack([pe, efficiency]), delimiter=",",
               header="pe,efficiency", comments="# ", fmt="%.6g")  # fmt: skip


def neutron_template() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bin centres (PE, µs) of a 2 PE × 0.1 µs grid and normalised weights."""
    pe = np.arange(1.0, 64.0, 2.0)
    t = np.arange(0.05, 6.0, 0.1)
    grid_pe, grid_t = np.meshgrid(pe, t, indexing="ij")
    weight = np.exp(-grid_pe / 30.0) * np.exp(-0.5 * ((grid_t - 0.35) / 0.15) ** 2)
    return grid_pe.ravel(), grid_t.ravel(), weight.ravel() / weight.sum()


def write_neutrons(folder: Path) -> None:
    pe, t, weight = neutron_template()
    np.savetxt(folder / "neutrons.csv", np.column_stack([pe, t, weight]), delimiter=",",
               header="pe,time_us,weight", comments="", fmt="%.6g")  # fmt: skip


def _steady_state(rng: np.random.Generator, count: int) -> np.ndarray:
    pe_low, pe_high, t_low, t_high = WINDOW
    u = rng.random(count)
    span = 1 - np.exp(-(pe_high - pe_low) / STEADY_STATE_PE_SCALE)
    pe = pe_low - STEADY_STATE_PE_SCALE * np.log(1 - u * span)
    v = rng.random(count)
    tspan = 1 - np.exp(-STEADY_STATE_DECAY_PER_US * (t_high - t_low))
    t = t_low - np.log(1 - v * tspan) / STEADY_STATE_DECAY_PER_US
    return np.column_stack([pe, t])


def _from_bins(rng, weights, pe_edges, t_edges, count) -> np.ndarray:
    """``count`` events from a binned density, uniform inside each bin."""
    flat = weights.ravel() / weights.sum()
    index = rng.choice(flat.size, size=count, p=flat)
    i, j = np.unravel_index(index, weights.shape)
    pe = pe_edges[i] + rng.random(count) * np.diff(pe_edges)[i]
    t = t_edges[j] + rng.random(count) * np.diff(t_edges)[j]
    return np.column_stack([pe, t])


def _signal(rng, folder: Path, scale: float) -> np.ndarray:
    """CEvNS events from the document's prediction on a fine 1 PE × 0.05 µs grid."""
    document = load_experiment(folder / DOCUMENT)
    pe_edges = np.arange(0.0, 64.0 + 0.5, 1.0)
    t_edges = np.arange(0.0, 6.0 + 1e-9, 0.05)
    edges = {"observable_edges": pe_edges.tolist(), "time_edges": t_edges.tolist()}
    fine = document.model_copy(update={"binning": document.binning.model_copy(update=edges)})
    histogram = PredictionEngine(build_experiment(fine.with_folder(document.folder))).histogram()
    count = rng.poisson(scale * histogram.sum())
    return _from_bins(rng, histogram, pe_edges, t_edges, count)


def _neutrons(rng, count: int) -> np.ndarray:
    pe, t, weight = neutron_template()
    index = rng.choice(weight.size, size=count, p=weight)
    return np.column_stack([pe[index] + rng.uniform(-1, 1, count),
                            t[index] + rng.uniform(-0.05, 0.05, count)])  # fmt: skip


def write_toy_release(folder: str | Path, seed: int = 2026, signal_scale: float = 1.0) -> None:
    """Write every file of the toy release next to ``folder/toy-csi.toml``."""
    folder = Path(folder)
    rng = np.random.Generator(np.random.PCG64(seed))
    write_arrival_times(folder)
    write_efficiency(folder)
    write_neutrons(folder)
    coincident = np.vstack([
        _signal(rng, folder, signal_scale),
        _neutrons(rng, rng.poisson(NEUTRON_EVENTS)),
        _steady_state(rng, rng.poisson(STEADY_STATE_EVENTS)),
    ])  # fmt: skip
    anticoincident = _steady_state(rng, rng.poisson(STEADY_STATE_EVENTS))
    for name, events in (("coincident", coincident), ("anticoincident", anticoincident)):
        events = events[rng.permutation(len(events))]
        np.savetxt(folder / f"{name}.csv", events, delimiter=",", header="pe,time_us",
                   comments="", fmt="%.4f")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--signal-scale", type=float, default=1.0)
    arguments = parser.parse_args()
    write_toy_release(arguments.folder, arguments.seed, arguments.signal_scale)


if __name__ == "__main__":
    main()
