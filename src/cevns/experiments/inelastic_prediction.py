"""Inelastic event rates of an experiment document's ``[inelastic]`` table.

For each requested channel (:class:`cevns.experiments.inelastic_schema.InelasticSpec`) the
target nuclei are those of the channel's isotope in the detector mass, the flux the
document's (all emission times), and the observables those of :mod:`cevns.inelastic.rates`:
interactions × efficiency per flavour, the electron kinetic-energy spectrum of
charged-current channels in ``electron_edges`` (smeared by ``resolution``), and neutrons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cevns.experiments.build import Experiment
from cevns.inelastic.channels import get_channel
from cevns.inelastic.rates import ChannelRate, GaussianResolution, channel_rate
from cevns.units import MeV, keV


@dataclass(frozen=True)
class InelasticPrediction:
    """Rates of every inelastic channel of one experiment."""

    rates: tuple[ChannelRate, ...]
    nuclei: dict[str, float]
    electron_edges: np.ndarray | None
    efficiency: float

    def events(self, rate: ChannelRate) -> float:
        """Events of a channel: inside the electron window for charged-current channels
        with edges, all interactions otherwise (both × efficiency)."""
        if rate.electron_spectrum is not None:
            return float(sum(spectrum.sum() for spectrum in rate.electron_spectrum.values()))
        return rate.total_interactions

    @property
    def total_events(self) -> float:
        return float(sum(self.events(rate) for rate in self.rates))

    def to_dict(self) -> dict[str, Any]:
        """The ``inelastic`` block of ``cevns predict --json``."""
        edges = None if self.electron_edges is None else (self.electron_edges / MeV).tolist()
        channels = []
        for rate in self.rates:
            channel = rate.channel
            spectra = rate.electron_spectrum
            channels.append(
                {
                    "channel": channel.name,
                    "reaction": channel.reaction,
                    "target": channel.target,
                    "target_nuclei": self.nuclei[channel.name],
                    "interactions_by_flavor": rate.interactions,
                    "interactions": rate.total_interactions,
                    "events": self.events(rate),
                    "electron_spectrum": None
                    if spectra is None
                    else {f: v.tolist() for f, v in spectra.items()},
                    "neutrons_by_flavor": rate.neutrons,
                    "neutrons": None if rate.neutrons is None else sum(rate.neutrons.values()),
                    "sources": sorted(
                        {s for f in rate.interactions for s in channel.sources_for(f)}
                    ),
                }
            )
        return {
            "efficiency": self.efficiency,
            "electron_edges_mev": edges,
            "channels": channels,
            "total_events": self.total_events,
        }


def predict_inelastic(experiment: Experiment) -> InelasticPrediction | None:
    """The inelastic rates of ``experiment`` (None when the document has no ``[inelastic]``)."""
    spec = experiment.spec.inelastic
    if spec is None:
        return None
    isotopes = [iso.name for iso in experiment.material.isotopes]
    names = spec.channel_names(isotopes, experiment.spec.detector.material)
    unit = {"MeV": MeV, "keV": keV}[spec.electron_unit]
    edges = None if spec.electron_edges is None else np.asarray(spec.electron_edges) * unit
    resolution = GaussianResolution(spec.resolution.stochastic, spec.resolution.constant)
    nuclei_by_isotope = experiment.nuclei_by_isotope()
    rates, nuclei = [], {}
    for name in names:
        channel = get_channel(*name.split(":"))
        nuclei[name] = nuclei_by_isotope[channel.target]
        rates.append(
            channel_rate(channel, experiment.flux, nuclei[name], edges, resolution, spec.efficiency)
        )
    return InelasticPrediction(tuple(rates), nuclei, edges, spec.efficiency)


__all__ = ["InelasticPrediction", "predict_inelastic"]
