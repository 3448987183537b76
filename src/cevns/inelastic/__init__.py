"""Inelastic neutrino–nucleus channels: cross sections, flux averages, observables, rates.

* :mod:`~cevns.inelastic.tables` — σ(E) tables (snowglobes-data, cevns's own CSV);
* :mod:`~cevns.inelastic.allowed` — allowed-approximation CC capture with sum-rule strengths;
* :mod:`~cevns.inelastic.channels` — the registry ``process:target`` (``cc:H2``, ``nc:Ar40``,
  ``nin-1n:Pb208``), each number with its source (``data/channels.toml``);
* :mod:`~cevns.inelastic.averages` — flux-averaged cross sections (Michel ν_e by default)
  and the published values (``data/published.toml``);
* :mod:`~cevns.inelastic.rates` — interactions, electron spectra with a Gaussian resolution,
  neutrons, and the time to a statistical precision.

See docs/inelastic.md.
"""

from cevns.inelastic.averages import flux_averaged_cross_section, published_for
from cevns.inelastic.channels import (
    PROCESSES,
    Channel,
    channel_names,
    channels_for_target,
    get_channel,
)
from cevns.inelastic.rates import (
    ChannelRate,
    GaussianResolution,
    channel_rate,
    years_to_precision,
)

__all__ = [
    "PROCESSES",
    "Channel",
    "ChannelRate",
    "GaussianResolution",
    "channel_names",
    "channel_rate",
    "channels_for_target",
    "flux_averaged_cross_section",
    "get_channel",
    "published_for",
    "years_to_precision",
]
