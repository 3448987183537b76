"""The registry of inelastic channels, keyed by ``process:target`` (``cc:H2``, ``nin-1n:Pb208``).

Read from ``data/channels.toml``, which names the origin of every table and number (its
``[sources]``). A :class:`Channel` gives σ(E) per flavour — the sum of its components
(tables or the allowed sum-rule model of :mod:`cevns.inelastic.allowed`) —, the charged
lepton's kinetic energy T_e = E_ν − Q_k of each final state k (for charged-current
channels), and the neutrons emitted per interaction (neutrino-induced-neutron channels,
the deuteron breakups).

Processes: ``cc`` (charged current), ``nc`` (neutral-current excitation or breakup),
``nin-1n``, ``nin-2n`` (one or two neutrons, charged and neutral current added). CEvNS is
not in this registry: it is :mod:`cevns.interactions`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from numpy.typing import ArrayLike

from cevns.errors import CevnsInputError, require_choice, require_positive
from cevns.inelastic.allowed import (
    AllowedTransition,
    sum_rule_transitions,
    transition_cross_section,
)
from cevns.inelastic.tables import TabulatedCrossSection, read_table
from cevns.nuclear.isotopes import canonical_isotope_name
from cevns.sources.flavors import FLAVORS
from cevns.units import MeV

#: Inelastic processes of the registry (``cevns`` is the elastic channel of cevns.interactions).
PROCESSES: tuple[str, ...] = ("cc", "nc", "nin-1n", "nin-2n")


@dataclass(frozen=True)
class Component:
    """One contribution to a channel's σ for one flavour: a table or allowed transitions."""

    source: str
    table: TabulatedCrossSection | None = None
    transitions: tuple[AllowedTransition, ...] = ()
    final_charge: int = 0
    neutrons: int | None = None

    def cross_section(self, energy: np.ndarray) -> np.ndarray:
        if self.table is not None:
            return self.table(energy)
        return sum(
            (transition_cross_section(energy, t, self.final_charge) for t in self.transitions),
            start=np.zeros_like(energy),
        )

    @property
    def max_energy(self) -> float:
        return self.table.max_energy if self.table is not None else float("inf")

    @property
    def threshold(self) -> float:
        if self.table is not None:
            return self.table.threshold
        return min(t.threshold for t in self.transitions)


@dataclass(frozen=True)
class Channel:
    """An inelastic channel on one target nucleus (all energies in internal units)."""

    process: str
    target: str
    reaction: str
    q_value: float
    q_source: str
    components: dict[str, tuple[Component, ...]]
    citations: dict[str, str]
    electron_offset: float | None = None
    electron_source: str = ""
    neutrons: int | None = None

    @property
    def name(self) -> str:
        return f"{self.process}:{self.target}"

    @property
    def flavors(self) -> tuple[str, ...]:
        """Flavours with a cross section, in the order of :data:`FLAVORS`."""
        return tuple(f for f in FLAVORS if f in self.components)

    @property
    def charged_lepton(self) -> bool:
        """True for charged-current channels (an electron or positron in the final state)."""
        return self.process == "cc"

    def check_flavor(self, flavor: str, parameter: str = "flavor") -> str:
        """Return ``flavor`` if this channel has it, else raise naming what it has."""
        require_choice(parameter, flavor, FLAVORS)
        if flavor not in self.components:
            raise CevnsInputError(
                f"{parameter} {flavor!r}: channel {self.name} has cross sections for "
                f"{', '.join(self.flavors)} only"
            )
        return flavor

    def cross_section(self, energy: ArrayLike, flavor: str) -> np.ndarray:
        """σ(E) per target nucleus (area), summed over the flavour's components."""
        self.check_flavor(flavor)
        values = np.asarray(energy, dtype=float)
        return sum(
            (c.cross_section(values) for c in self.components[flavor]),
            start=np.zeros_like(values),
        )

    def check_energy(self, energy: ArrayLike, flavor: str, parameter: str = "energy") -> None:
        """Raise unless every ``energy`` is positive and within the flavour's tables."""
        values = require_positive(parameter, energy)
        top = self.max_energy(flavor)
        if float(np.max(values)) > top * (1 + 1e-12):
            raise CevnsInputError(
                f"{parameter} must be at most {top / MeV:g} MeV for channel {self.name} "
                f"({flavor}), the end of its table; got {float(np.max(values)) / MeV:g} MeV"
            )

    def max_energy(self, flavor: str) -> float:
        """Highest neutrino energy the flavour's tables reach (inf for a model)."""
        return min(c.max_energy for c in self.components[self.check_flavor(flavor)])

    def threshold(self, flavor: str) -> float:
        """Lowest neutrino energy with a non-zero cross section."""
        return min(c.threshold for c in self.components[self.check_flavor(flavor)])

    def breakpoints(self, flavor: str) -> np.ndarray:
        """Energies where σ of ``flavor`` has kinks: table rows and model thresholds."""
        points = []
        for component in self.components[self.check_flavor(flavor)]:
            if component.table is not None:
                points.append(component.table.energies)
            else:
                points.append(np.array([t.threshold for t in component.transitions]))
        return np.unique(np.concatenate(points))

    def electron_lines(self, energy: ArrayLike, flavor: str) -> list[tuple[np.ndarray, float]]:
        """(σ_k(E), Q_k) per final state: the charged lepton has T_e = E_ν − Q_k.

        Tables give one line at ``electron_offset``; the allowed model one per transition.
        Empty for channels without a charged lepton.
        """
        if not self.charged_lepton:
            return []
        values = np.asarray(energy, dtype=float)
        lines = []
        for component in self.components[self.check_flavor(flavor)]:
            if component.table is not None:
                # channels.toml gives electron_offset_mev for every tabulated cc channel.
                assert self.electron_offset is not None
                lines.append((component.table(values), float(self.electron_offset)))
            else:
                lines += [
                    (transition_cross_section(values, t, component.final_charge), t.threshold)
                    for t in component.transitions
                ]
        return lines

    def neutrons_for(self, flavor: str) -> int | None:
        """Neutrons emitted per interaction of ``flavor`` (None if the channel says none)."""
        components = self.components[self.check_flavor(flavor)]
        for component in components:
            if component.neutrons is not None:
                return component.neutrons
        return self.neutrons

    def sources_for(self, flavor: str) -> list[str]:
        """The citations of the flavour's components."""
        keys = dict.fromkeys(c.source for c in self.components[self.check_flavor(flavor)])
        return [self.citations[k] for k in keys]


def _from_threshold(table: TabulatedCrossSection, threshold: float) -> TabulatedCrossSection:
    """A table whose first row already has σ > 0, extended linearly down to σ(Q) = 0."""
    if table.sigma[0] <= 0 or threshold >= table.energies[0]:
        return table
    return TabulatedCrossSection(
        np.concatenate([[threshold], table.energies]),
        np.concatenate([[0.0], table.sigma]),
        f"{table.origin} (from the threshold {threshold / MeV:g} MeV)",
    )


def _component(spec: dict, channel: str, flavor: str, threshold: float) -> Component:
    where = f"channels.toml {channel} {flavor}"
    neutrons = spec.get("neutrons")
    if "table" in spec:
        return Component(
            source=spec["source"],
            table=_from_threshold(
                read_table(spec["table"], spec["column"]),
                spec.get("threshold_mev", threshold / MeV) * MeV,
            ),
            neutrons=neutrons,
        )
    if spec.get("model") == "allowed-sum-rule":
        transitions = sum_rule_transitions(spec["Z"], spec["A"], spec["gt_quenching"])
        return Component(
            source=spec["source"],
            transitions=transitions,
            final_charge=int(spec["Z"]) + 1,
            neutrons=neutrons,
        )
    raise CevnsInputError(f"{where}: give a table or model = 'allowed-sum-rule'")


@cache
def _document() -> dict:
    text = resources.files("cevns.inelastic").joinpath("data", "channels.toml").read_text("utf-8")
    return tomllib.loads(text)


def missing_reason(process: str, target: str) -> str:
    """Why ``process`` on ``target`` has no cross section (``[missing]`` of channels.toml),
    or an empty string when no reason is recorded."""
    name = canonical_isotope_name(target) or target
    return str(_document().get("missing", {}).get(f"{process}:{name}", ""))


@cache
def _registry() -> dict[str, Channel]:
    document = _document()
    citations = document["sources"]
    registry: dict[str, Channel] = {}
    for spec in document["channel"]:
        name = f"{spec['process']}:{spec['target']}"
        require_choice(f"channels.toml {name}: process", spec["process"], PROCESSES)
        threshold = spec["q_value_mev"] * MeV
        components = {
            flavor: tuple(_component(c, name, flavor, threshold) for c in parts)
            for flavor, parts in spec["flavors"].items()
        }
        for flavor, parts in components.items():
            require_choice(f"channels.toml {name}: flavour", flavor, FLAVORS)
            unknown = [c.source for c in parts if c.source not in citations]
            if unknown:
                raise CevnsInputError(f"channels.toml {name}: unknown source {unknown[0]!r}")
        offset = spec.get("electron_offset_mev")
        registry[name] = Channel(
            process=spec["process"],
            target=spec["target"],
            reaction=spec["reaction"],
            q_value=spec["q_value_mev"] * MeV,
            q_source=spec["q_source"],
            components=components,
            citations=citations,
            electron_offset=None if offset is None else offset * MeV,
            electron_source=spec.get("electron_source", ""),
            neutrons=spec.get("neutrons"),
        )
    return registry


def channel_names() -> tuple[str, ...]:
    """Every ``process:target`` of the registry."""
    return tuple(_registry())


def targets_for(process: str) -> tuple[str, ...]:
    """Target nuclei that have ``process``."""
    return tuple(sorted(c.target for c in _registry().values() if c.process == process))


def channels_for_target(target: str) -> tuple[Channel, ...]:
    """Every channel on the isotope ``target`` (``Ar40``, ``40Ar``, ``H2``)."""
    name = canonical_isotope_name(target) or target
    return tuple(c for c in _registry().values() if c.target == name)


def get_channel(process: str, target: str, parameter: str = "channel") -> Channel:
    """The channel ``process`` on the isotope ``target``; one-line errors otherwise.

    ``process`` may also be a full ``process:target`` name, then ``target`` must match.
    """
    if ":" in process:
        process, _, named = process.partition(":")
        target = target or named
    require_choice(parameter, process, PROCESSES)
    name = canonical_isotope_name(target) or target
    channel = _registry().get(f"{process}:{name}")
    if channel is None:
        reason = missing_reason(process, target)
        raise CevnsInputError(
            f"{parameter} {process!r} has no cross section for target {target!r}; "
            f"allowed targets: {', '.join(targets_for(process))}"
            + (f" ({reason})" if reason else "")
        )
    return channel


__all__ = [
    "PROCESSES",
    "Channel",
    "Component",
    "channel_names",
    "channels_for_target",
    "get_channel",
    "missing_reason",
    "targets_for",
]
