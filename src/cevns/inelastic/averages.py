"""Flux-averaged cross sections and the published values they are compared with.

⟨σ⟩ = ∫ φ(E) σ(E) dE / ∫ φ(E) dE over a source's spectrum of one flavour; by default the
Michel ν_e spectrum of μ⁺ decay at rest, φ ∝ x²(1/2 − x), x = E/m_μ
(:class:`cevns.sources.pion_dar.PionDecayAtRest`). The integral uses the source's
piecewise Gauss–Legendre quadrature between the table rows (:func:`energy_nodes`); the
tests check it against trapezoidal integration over the rows.

Published Michel-averaged values, each with its source, are in ``data/published.toml``
(:func:`published_values`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from cevns.errors import CevnsInputError
from cevns.inelastic.channels import Channel
from cevns.quadrature import unit_gauss_legendre
from cevns.sources.base import NeutrinoSource
from cevns.sources.pion_dar import PionDecayAtRest
from cevns.units import MeV, cm2

#: Gauss–Legendre nodes per interval between breakpoints, and the least number of
#: intervals on the spectrum's support (long intervals are split evenly).
NODES_PER_INTERVAL = 4
MIN_INTERVALS = 256


def energy_nodes(
    channel: Channel, flavor: str, lower: float, upper: float
) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights for ∫_lower^upper g(E) dE of integrands holding σ(E) of ``channel``.

    Composite Gauss–Legendre with :data:`NODES_PER_INTERVAL` nodes between consecutive
    breakpoints — the table rows and model thresholds inside [lower, upper], so σ is smooth
    on each piece — with at least :data:`MIN_INTERVALS` pieces. Nodes above the channel's
    last table row raise (:meth:`Channel.max_energy`).
    """
    inside = channel.breakpoints(flavor)
    inside = inside[(inside > lower) & (inside < upper)]
    even = np.linspace(lower, upper, MIN_INTERVALS + 1)
    edges = np.unique(np.concatenate([even, inside]))
    if upper > channel.max_energy(flavor) * (1 + 1e-12):
        raise CevnsInputError(
            f"the spectrum of {flavor} reaches {upper / MeV:g} MeV, above the last row of "
            f"channel {channel.name} ({channel.max_energy(flavor) / MeV:g} MeV)"
        )
    x, w = unit_gauss_legendre(NODES_PER_INTERVAL)
    half = 0.5 * np.diff(edges)[:, np.newaxis]
    nodes = edges[:-1, np.newaxis] + half * (x + 1.0)
    return nodes.ravel(), (half * w).ravel()


def flux_averaged_cross_section(
    channel: Channel,
    flavor: str = "nu_e",
    source: NeutrinoSource | None = None,
) -> float:
    """⟨σ⟩ (area) of ``channel`` over ``source``'s ``flavor`` spectrum (Michel ν_e default)."""
    channel.check_flavor(flavor)
    spectrum = source if source is not None else PionDecayAtRest()
    lower, upper = spectrum.energy_range(flavor)
    if lower == upper:
        return float(channel.cross_section(np.array([lower]), flavor)[0])
    nodes, weights = energy_nodes(channel, flavor, lower, upper)
    density = spectrum.spectral_density(flavor, nodes)
    sigma = channel.cross_section(nodes, flavor)
    return float(np.dot(weights * density, sigma) / np.dot(weights, density))


@dataclass(frozen=True)
class PublishedValue:
    """A published flux-averaged cross section (internal area units)."""

    channel: str
    label: str
    kind: str
    value: float
    source: str
    error_low: float | None = None
    error_high: float | None = None
    note: str = ""


@cache
def published_values() -> tuple[PublishedValue, ...]:
    """Every entry of ``data/published.toml`` (values in internal units)."""
    text = resources.files("cevns.inelastic").joinpath("data", "published.toml").read_text()
    unit = 1e-42 * cm2
    values = []
    for entry in tomllib.loads(text)["value"]:
        low, high = entry.get("error_low"), entry.get("error_high")
        values.append(
            PublishedValue(
                channel=entry["channel"],
                label=entry["label"],
                kind=entry["kind"],
                value=entry["value"] * unit,
                source=entry["source"],
                error_low=None if low is None else low * unit,
                error_high=None if high is None else high * unit,
                note=entry.get("note", ""),
            )
        )
    return tuple(values)


def published_for(channel: str) -> tuple[PublishedValue, ...]:
    """Published Michel-averaged values of ``channel`` (``cc:I127``)."""
    return tuple(v for v in published_values() if v.channel == channel)


def michel_average_report(channel: Channel, flavor: str = "nu_e") -> dict:
    """⟨σ⟩ over the Michel ν_e spectrum with the published values, in 1e-42 cm² (JSON-ready)."""
    unit = 1e-42 * cm2
    ours = flux_averaged_cross_section(channel, flavor)
    return {
        "channel": channel.name,
        "flavor": flavor,
        "flux_averaged_cross_section_1e42_cm2": ours / unit,
        "threshold_mev": channel.threshold(flavor) / MeV,
        "sources": channel.sources_for(flavor),
        "published": [
            {
                "label": v.label,
                "kind": v.kind,
                "value_1e42_cm2": v.value / unit,
                "error_low_1e42_cm2": None if v.error_low is None else v.error_low / unit,
                "error_high_1e42_cm2": None if v.error_high is None else v.error_high / unit,
                "ratio_cevns_over_published": ours / v.value,
                "source": v.source,
            }
            for v in published_for(channel.name)
        ],
    }


__all__ = [
    "PublishedValue",
    "energy_nodes",
    "flux_averaged_cross_section",
    "michel_average_report",
    "published_for",
    "published_values",
]
