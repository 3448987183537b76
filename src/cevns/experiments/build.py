"""Turn a validated :class:`ExperimentSpec` into physics objects in internal units."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar

import numpy as np

from cevns.data.tables import resolve_path, verify_if_released
from cevns.detectors.efficiency import EnergyEfficiency, TimeEfficiency
from cevns.detectors.quenching import Quenching
from cevns.detectors.recoil_templates import RecoilTemplateResponse
from cevns.detectors.smearing import Smearing
from cevns.errors import CevnsInputError
from cevns.experiments.histograms import read_table
from cevns.experiments.schema import ExperimentSpec
from cevns.experiments.source_schema import (
    AtmosphericSpec,
    DsnbSpec,
    MonochromaticSpec,
    PionDecayAtRestSpec,
    ReactorSpec,
    SolarSpec,
    SupernovaSpec,
    TabulatedSourceSpec,
)
from cevns.experiments.template_files import load_recoil_templates
from cevns.nuclear.materials import Material, get_material
from cevns.sources import (
    Flux,
    GaussianPulse,
    MonochromaticSource,
    NeutrinoSource,
    PionDecayAtRest,
    Reactor,
    TabulatedPulse,
    TabulatedSource,
    get_facility,
)
from cevns.units import MeV, keV, keVee, ns, s, us

_Component_co = TypeVar("_Component_co", covariant=True)

_TIME_UNITS = {"ns": ns, "us": us, "ms": 1e-3 * s, "s": s}
_ENERGY_UNITS = {
    "keVee": keVee,
    "keVnr": keVee,
    "keV": keVee,
    "eV": 1e-3 * keVee,
    "MeV": 1e3 * keVee,
}


@dataclass(frozen=True)
class Experiment:
    """An experiment ready for prediction: flux, target, response and binning.

    ``observable_edges`` are in PE for photoelectron observables and in internal energy
    units otherwise; ``time_edges`` in internal time units, or None when the experiment
    has no time observable (steady sources).

    ``quenching`` is the document's common ``response.quenching``;
    ``quenching_by_isotope`` holds the quenching that applies to each isotope of the
    target (the per-element entries of ``response.quenching_by_element`` where given) and
    ``quenching_fields`` the document field it came from (for messages). Use
    :meth:`quenching_for`.

    ``recoil_templates`` (a dark-matter detector's released response) replaces quenching,
    smearing and efficiencies; ``observable_edges`` are then the bin indices 0 … K.
    """

    spec: ExperimentSpec
    flux: Flux
    material: Material
    detector_mass: float
    quenching: Quenching
    light_yield: float | None
    smearing: Smearing
    energy_efficiency: EnergyEfficiency
    time_efficiency: TimeEfficiency
    observable_edges: np.ndarray
    time_edges: np.ndarray | None
    quenching_by_isotope: dict[str, Quenching] = field(default_factory=dict)
    quenching_fields: dict[str, str] = field(default_factory=dict)
    recoil_templates: RecoilTemplateResponse | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    def quenching_for(self, isotope: str) -> Quenching:
        """The quenching of recoils of ``isotope`` (e.g. ``"I127"``)."""
        return self.quenching_by_isotope.get(isotope, self.quenching)

    def quenching_field(self, isotope: str) -> str:
        """The document field that sets the quenching of ``isotope``."""
        return self.quenching_fields.get(isotope, "response.quenching")

    @property
    def pulsed(self) -> bool:
        """True when the source has a time structure and the binning has time bins."""
        return self.time_edges is not None and hasattr(self.flux.source, "time_bin_fractions")

    def nuclei_by_isotope(self) -> dict[str, float]:
        """Number of target nuclei of each isotope in the detector mass."""
        return {
            name: per_mass * self.detector_mass
            for name, per_mass in self.material.nuclei_per_mass_by_isotope().items()
        }


def _arrival_times(
    spec: ExperimentSpec, source_spec: PionDecayAtRestSpec, data_dir: str | os.PathLike[str] | None
) -> dict[str, TabulatedPulse]:
    """Tabulated arrival-time densities by flavour, from the document's table."""
    arrival = source_spec.arrival_times
    if arrival is None:
        return {}
    table = read_table(
        arrival.table, "source.arrival_times.table", base_dir=spec.folder, data_dir=data_dir
    )
    times = table.column("time") * _TIME_UNITS[arrival.unit]
    densities: dict[str, TabulatedPulse] = {}
    for flavor in ("nu_mu", "nu_e", "nu_mu_bar"):
        if flavor in table.columns:
            try:
                densities[flavor] = TabulatedPulse(times, table.column(flavor))
            except CevnsInputError as error:
                raise CevnsInputError(
                    f"source.arrival_times: file {table.path}, column {flavor}: {error}"
                ) from None
    return densities


def _tabulated_source(
    spec: ExperimentSpec, source_spec: TabulatedSourceSpec, data_dir: str | os.PathLike[str] | None
) -> TabulatedSource:
    """The spectrum of a ``tabulated`` source, read from its table."""
    table = read_table(source_spec.table, "source.table", base_dir=spec.folder, data_dir=data_dir)
    unit = {"keV": keV, "MeV": MeV}[source_spec.energy_unit]
    densities = {
        name: table.column(name) / unit for name in source_spec.table.columns if name != "energy"
    }
    return TabulatedSource(
        table.column("energy") * unit, densities, origin=f"source.table ({table.path})"
    )


def build_source(
    spec: ExperimentSpec, data_dir: str | os.PathLike[str] | None = None
) -> tuple[NeutrinoSource, float]:
    """The source and the number of its units in the exposure."""
    source_spec, exposure = spec.source, spec.exposure
    if exposure.bursts is not None and not isinstance(source_spec, SupernovaSpec):
        raise CevnsInputError(
            f"{spec.name}: exposure.bursts counts supernova bursts; a {source_spec.kind} source "
            "needs protons_on_target, beam_energy, power, time or exposure"
        )
    if isinstance(source_spec, PionDecayAtRestSpec):
        facility = get_facility(
            source_spec.facility,
            proton_kinetic_energy=exposure.proton_kinetic_energy,
            neutrinos_per_proton_per_flavor=source_spec.neutrinos_per_proton_per_flavor,
        )
        pulse = facility.pulse
        if source_spec.pulse is not None:
            pulse = GaussianPulse.from_fwhm(
                source_spec.pulse.full_width_half_maximum, mean=source_spec.pulse.mean
            )
        source = PionDecayAtRest(
            facility.neutrinos_per_proton_per_flavor,
            pulse,
            _arrival_times(spec, source_spec, data_dir),
        )
        if exposure.protons_on_target is not None:
            protons = exposure.protons_on_target
        elif exposure.beam_energy is not None:
            protons = exposure.beam_energy / facility.proton_kinetic_energy
        elif exposure.time is None:
            # Only exposure.exposure (mass × time) is left, which counts seconds of a source
            # without a beam.
            raise CevnsInputError(
                f"{spec.name}: exposure.exposure (mass × time) is for sources counted per "
                f"second; a {source_spec.kind} source needs protons_on_target, beam_energy, "
                "power with time, or time"
            )
        elif exposure.power is not None:
            protons = exposure.power * exposure.time / facility.proton_kinetic_energy
        else:
            protons = facility.protons_per_second * exposure.time
        return source, protons
    if isinstance(source_spec, ReactorSpec):
        return Reactor(source_spec.thermal_power, source_spec.fission_fractions), _seconds(spec)
    if isinstance(source_spec, TabulatedSourceSpec):
        return _tabulated_source(spec, source_spec, data_dir), _seconds(spec)
    if isinstance(source_spec, MonochromaticSpec):
        line = MonochromaticSource(
            source_spec.energy, source_spec.flavor, source_spec.neutrinos_per_unit, "second"
        )
        return line, _seconds(spec)
    if isinstance(source_spec, SolarSpec):
        from cevns.sources.solar import SolarNeutrinos

        solar = SolarNeutrinos(source_spec.model, source_spec.components, source_spec.oscillation)
        return solar, _seconds(spec)
    if isinstance(source_spec, AtmosphericSpec):
        from cevns.sources.atmospheric import AtmosphericNeutrinos

        return AtmosphericNeutrinos(source_spec.site), _seconds(spec)
    if isinstance(source_spec, DsnbSpec):
        from cevns.sources.dsnb import DiffuseSupernovaBackground

        return DiffuseSupernovaBackground(source_spec.temperatures), _seconds(spec)
    if isinstance(source_spec, SupernovaSpec):
        return _supernova(source_spec, spec.folder, data_dir), _bursts(spec)
    raise AssertionError(f"unhandled source kind {source_spec!r}")  # pragma: no cover


def exposure_time(spec: ExperimentSpec) -> float | None:
    """The exposure time (internal units): ``exposure.time``, or ``exposure.exposure``
    (mass × time) over the detector mass; None when the document gives neither."""
    if spec.exposure.exposure is not None:
        return spec.exposure.exposure / spec.detector.mass
    return spec.exposure.time


def _supernova(
    source_spec: SupernovaSpec, folder: Path | None = None, data_dir=None
) -> NeutrinoSource:
    """The benchmark burst (with overrides and a time profile), a simulated burst, or a
    snewpy model read from the user's file."""
    from cevns.sources.supernova import (
        DEFAULT_SUPERNOVA,
        FlavorEmission,
        SupernovaBurst,
        SupernovaModel,
        erg,
    )

    if source_spec.snewpy is not None:
        from cevns.sources.snewpy_models import load_snewpy_model, snewpy_histories

        chosen = source_spec.snewpy
        try:
            path = resolve_path(chosen.file, "source.snewpy.file", folder, data_dir)
        except FileNotFoundError:
            # The Garching loaders take a file stem, which is no file itself.
            path = Path(chosen.file) if folder is None else Path(folder) / chosen.file
        model = load_snewpy_model(chosen.loader, path, chosen.options)
        return SupernovaModel.from_histories(f"snewpy {chosen.loader}", snewpy_histories(model))
    if source_spec.model != "benchmark":
        return SupernovaModel(source_spec.model)
    emission = dict(DEFAULT_SUPERNOVA)
    for flavor, override in (source_spec.emission or {}).items():
        emission[flavor] = FlavorEmission(
            override.total_energy_erg * erg, override.mean_energy, override.alpha
        )
    profile = None if source_spec.time_profile == "none" else source_spec.time_profile
    return SupernovaBurst(emission, profile)


def _bursts(spec: ExperimentSpec) -> float:
    if spec.exposure.bursts is None:
        raise CevnsInputError(
            f"{spec.name}: exposure.bursts is required for a supernova source (bursts = 1)"
        )
    return spec.exposure.bursts


def _seconds(spec: ExperimentSpec) -> float:
    time = exposure_time(spec)
    if time is None:
        raise CevnsInputError(
            f"{spec.name}: exposure.time (or exposure.exposure) is required for a "
            f"{spec.source.kind} source"
        )
    return time / s


class _ComponentSpec(Protocol[_Component_co]):
    """A response component's spec (:mod:`cevns.detectors.specs`): builds the component."""

    def build(self, base_dir: Path | None = None) -> _Component_co: ...

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> Self: ...


def _build_component(
    component_spec: _ComponentSpec[_Component_co],
    spec: ExperimentSpec,
    data_dir: str | os.PathLike[str] | None,
    field: str,
) -> _Component_co:
    """Build a response component; a table ``file`` resolves against the document's folder,
    then the data directory, and a file of a public release is checksum-verified. A value
    that only the component can judge (an efficiency above 1, a negative factor) is refused
    with a message that starts with the field, ``response.<field>: …``."""
    file = getattr(component_spec, "file", None)
    if file is not None:
        try:
            path = resolve_path(file, f"response.{field}.file", spec.folder, data_dir)
        except FileNotFoundError as error:
            raise CevnsInputError(
                f"{error}; set CEVNS_DATA_DIR (or pass --data) to the folder holding the release"
            ) from None
        verify_if_released(path, data_dir)
        component_spec = component_spec.model_copy(update={"file": path})
    try:
        return component_spec.build()
    except CevnsInputError as error:
        message = str(error)
        if message.startswith("response.") or ": response." in message:
            raise
        raise CevnsInputError(f"response.{field}: {message}") from None


def build_experiment(
    spec: ExperimentSpec, data_dir: str | os.PathLike[str] | None = None
) -> Experiment:
    """Resolve every part of ``spec`` into objects in internal units.

    Response tables given as files (for example the argon acceptance) are read relative
    to the document's folder, then the data directory (``data_dir`` or ``CEVNS_DATA_DIR``;
    see :mod:`cevns.data`).

    Parameters
    ----------
    spec
        A document, from :func:`~cevns.experiments.load.load_experiment`.
    data_dir
        The folder holding the public releases (default: ``CEVNS_DATA_DIR``, else the
        user cache).

    Returns
    -------
    Experiment
        Flux at the detector, material, mass, quenching, smearing, efficiencies and bins.

    Raises
    ------
    CevnsInputError
        A table that is missing, damaged (checksum) or malformed, or an inconsistent
        document.

    Examples
    --------
    >>> from cevns import build_experiment, load_experiment
    >>> from cevns.units import kg
    >>> experiment = build_experiment(load_experiment("coherent-ge-mini"))
    >>> print(experiment.material.name, f"{experiment.detector_mass / kg:.1f} kg")
    Ge 18.0 kg
    """
    source, units_of_source = build_source(spec, data_dir)
    flux = Flux(source, units_of_source, spec.detector.distance)
    response = spec.response
    binning = spec.binning
    templates = None
    if response.recoil_templates is not None:
        templates = load_recoil_templates(response.recoil_templates, spec.folder, data_dir)
        observable_edges = np.arange(templates.n_bins + 1, dtype=float)
    elif binning.observable == "photoelectrons":
        observable_edges = np.asarray(binning.observable_edges, dtype=float)
    else:
        # BinningSpec requires observable_unit for energy observables.
        assert binning.observable_unit is not None
        observable_edges = (
            np.asarray(binning.observable_edges) * _ENERGY_UNITS[binning.observable_unit]
        )
    # A recoil-energy observable only accepts the identity quenching (the schema refuses
    # any other), so the quenching built here is the one that applies.
    quenching = _build_component(response.quenching, spec, data_dir, "quenching")
    material = get_material(spec.detector.material)
    by_element = {
        key: _build_component(q, spec, data_dir, f"quenching_by_element.{key}")
        for key, q in (response.quenching_by_element or {}).items()
    }
    quenching_by_isotope, quenching_fields = {}, {}
    for isotope in material.isotopes:
        key = response.quenching_key_for(isotope.name, isotope.symbol)
        quenching_by_isotope[isotope.name] = quenching if key is None else by_element[key]
        quenching_fields[isotope.name] = (
            "response.quenching" if key is None else f"response.quenching_by_element.{key}"
        )
    time_edges = None
    if binning.time_edges is not None:
        time_edges = np.asarray(binning.time_edges) * _TIME_UNITS[binning.time_unit]
    light_yield = None
    if response.light_yield_pe_per_kevee is not None:
        light_yield = response.light_yield_pe_per_kevee / keVee
    return Experiment(
        spec=spec,
        flux=flux,
        material=material,
        detector_mass=spec.detector.mass,
        quenching=quenching,
        light_yield=light_yield,
        smearing=_build_component(response.smearing, spec, data_dir, "smearing"),
        energy_efficiency=_build_component(
            response.energy_efficiency, spec, data_dir, "energy_efficiency"
        ),
        time_efficiency=_build_component(
            response.time_efficiency, spec, data_dir, "time_efficiency"
        ),
        observable_edges=observable_edges,
        time_edges=time_edges,
        quenching_by_isotope=quenching_by_isotope,
        quenching_fields=quenching_fields,
        recoil_templates=templates,
    )
