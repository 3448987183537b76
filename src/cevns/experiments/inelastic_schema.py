"""The ``[inelastic]`` table of an experiment document: inelastic channels and their response.

::

    [inelastic]
    channels = ["cc", "nc"]          # processes, or process:target ("cc:H2", "nin-1n:Pb208")
    efficiency = 0.8                 # detection efficiency, every channel (fraction)
    electron_edges = [10, 20, 30, 40, 50, 60]   # electron kinetic-energy bins
    electron_unit = "MeV"
    resolution = { stochastic = 0.2, constant = 0.0 }   # σ_E = √(a² E·MeV + (b E)²)
    reference = "..."

A process (``cc``, ``nc``, ``nin-1n``, ``nin-2n``) applies to every isotope of
``detector.material`` that has it in the registry (:mod:`cevns.inelastic.channels`); a
``process:target`` names one. Charged-current channels are binned in the electron's kinetic
energy T_e = E_ν − Q (:meth:`cevns.inelastic.channels.Channel.electron_lines`), smeared by
the Gaussian ``resolution``; the window [first, last edge] selects their events. Other
channels count interactions; those with a fixed neutron multiplicity also count neutrons.
Rates integrate over all emission times (the document's time bins are CEvNS's).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Literal

from pydantic import Field, model_validator

from cevns.errors import CevnsInputError
from cevns.experiments.analysis_schema import StrictModel
from cevns.experiments.background_schema import PublishedValue


class ResolutionSpec(StrictModel):
    """Gaussian energy resolution σ_E = √(a² E·MeV + (b E)²): ``stochastic`` a (fraction at
    1 MeV) and ``constant`` b (fraction), in quadrature; both 0 is a perfect detector."""

    stochastic: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    constant: float = Field(default=0.0, ge=0, allow_inf_nan=False)


class InelasticSpec(StrictModel):
    """Inelastic channels of the detector's nuclei and their observables (see the module)."""

    channels: list[str] = Field(min_length=1)
    efficiency: float = Field(default=1.0, gt=0, le=1, allow_inf_nan=False)
    electron_edges: list[float] | None = Field(default=None, min_length=2)
    electron_unit: Literal["MeV", "keV"] = "MeV"
    resolution: ResolutionSpec = ResolutionSpec()
    reference: str = ""
    published: dict[str, PublishedValue | float | str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _edges(self) -> InelasticSpec:
        edges = self.electron_edges
        if edges is not None:
            if any(b <= a for a, b in pairwise(edges)):
                raise ValueError("electron_edges must be strictly increasing")
            if edges[0] < 0:
                raise ValueError(f"electron_edges must be ≥ 0; got {edges[0]:g}")
        if len(set(self.channels)) != len(self.channels):
            raise ValueError("channels must be distinct")
        return self

    def channel_names(self, isotopes: list[str], material: str) -> list[str]:
        """``process:target`` of every requested channel on the given isotopes; a one-line
        :class:`CevnsInputError` for a channel no isotope of ``material`` has."""
        from cevns.inelastic.channels import PROCESSES, channel_names, get_channel

        available = channel_names()
        names: list[str] = []
        for entry in self.channels:
            if ":" in entry:
                process, _, target = entry.partition(":")
                channel = get_channel(process, target, parameter="inelastic.channels")
                if channel.target not in isotopes:
                    raise CevnsInputError(
                        f"inelastic.channels: {entry!r} needs {channel.target}, which "
                        f"{material} does not contain; its isotopes: {', '.join(isotopes)}"
                    )
                names.append(channel.name)
                continue
            if entry not in PROCESSES:
                raise CevnsInputError(
                    f"inelastic.channels: {entry!r} is not a process; allowed: "
                    f"{', '.join(PROCESSES)} (or process:target)"
                )
            found = [f"{entry}:{iso}" for iso in isotopes if f"{entry}:{iso}" in available]
            if not found:
                offered = sorted(
                    {n.split(":")[0] for n in available if n.split(":")[1] in isotopes}
                )
                raise CevnsInputError(
                    f"inelastic.channels: {entry!r} has no cross section for any isotope of "
                    f"{material}; allowed for it: {', '.join(offered) or 'none'}"
                )
            names += found
        return list(dict.fromkeys(names))


__all__ = ["InelasticSpec", "ResolutionSpec"]
