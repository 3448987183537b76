"""Time-resolved supernova bursts: the Garching tables, time profiles, documents, CLI."""

import json

import numpy as np
import pytest
from scipy.integrate import quad

from cevns.errors import CevnsInputError
from cevns.interactions.cross_section import differential_cross_section
from cevns.nuclear.materials import get_material
from cevns.sources import Flux
from cevns.sources.supernova import (
    SupernovaBurst,
    SupernovaModel,
    TimeProfile,
    alpha_fit_density,
    erg,
)
from cevns.units import MeV, keV, kpc, s, tonne

# Number and energy of each flavour integrated over the full SNEWPY tables (9490–9850 rows;
# trapezoid rule), against which the reduced tables shipped here are checked.
FULL_TABLE = {
    "nu_e": (3.2457e57, 5.8759e52),
    "nu_e_bar": (2.4462e57, 5.4398e52),
    "nu_mu": (2.3020e57, 5.1062e52),
}


def test_reduced_tables_keep_the_emission():
    """Number and energy per flavour of the s27.0c model within 4e-4 of the full tables;
    total energy 3.17e53 erg (Mirizzi et al. 2016 quote ≈ 3e53 erg for such models)."""
    model = SupernovaModel("garching-s27.0c-LS220")
    for flavor, (number, energy) in FULL_TABLE.items():
        assert model.neutrinos_per_unit(flavor) == pytest.approx(number, rel=4e-4)
        assert model.total_energy(flavor) / erg == pytest.approx(energy, rel=4e-4)
    total = sum(model.total_energy(f) for f in model.flavors) / erg
    assert total == pytest.approx(3.174e53, rel=1e-3)


def test_alpha_fit_shape_is_normalised():
    for mean, alpha in ((10.0, 2.3), (14.0, 4.5), (8.0, 0.4)):
        area, _ = quad(lambda e, m=mean, a=alpha: float(alpha_fit_density(e, m, a)), 0, 400)
        first, _ = quad(lambda e, m=mean, a=alpha: e * float(alpha_fit_density(e, m, a)), 0, 400)
        assert area == pytest.approx(1.0, rel=1e-9)
        assert first == pytest.approx(mean, rel=1e-9)


def test_interpolated_spectrum_matches_the_sum_over_time():
    model = SupernovaModel("garching-s11.2c-LS220")
    energies = np.linspace(0.5, 60.0, 300) * MeV
    for flavor in ("nu_e", "nu_e_bar", "nu_tau"):
        exact = model.exact_density(flavor, energies)
        interpolated = model.spectral_density(flavor, energies)
        relevant = exact > 1e-3 * exact.max()
        assert np.max(np.abs(interpolated[relevant] / exact[relevant] - 1)) < 1e-4
        quadrature = model.energy_quadrature(flavor)
        assert quadrature.total == pytest.approx(model.neutrinos_per_unit(flavor), rel=2e-5)
        mean = model.total_energy(flavor) / model.neutrinos_per_unit(flavor)
        assert quadrature.mean_energy == pytest.approx(mean, rel=2e-5)


def test_time_profile_is_a_distribution():
    times = np.array([0.0, 1.0, 3.0, 4.0]) * s
    profile = TimeProfile(times, np.array([0.0, 2.0, 1.0, 0.0]))
    grid = np.linspace(-1.0, 5.0, 60001) * s
    density = profile.density(grid)
    assert np.trapezoid(density, grid) == pytest.approx(1.0, rel=1e-6)
    cumulative = np.concatenate(
        [[0.0], np.cumsum(0.5 * (density[1:] + density[:-1]) * np.diff(grid))]
    )
    assert profile.cdf(grid) == pytest.approx(cumulative, abs=1e-7)
    assert float(profile.cdf(-1.0 * s)) == 0.0 and float(profile.cdf(10.0 * s)) == 1.0
    # Area of the first triangle piece: 1 (of the total 1 + 3 + 0.5 = 4.5).
    assert float(profile.cdf(1.0 * s)) == pytest.approx(1.0 / 4.5, rel=1e-12)


def test_burst_time_fractions():
    model = SupernovaModel()
    edges = np.array([-0.4, 0.0, 0.1, 0.5, 1.0, 3.0, 9.0]) * s
    for flavor in model.flavors:
        fractions = model.time_bin_fractions(flavor, edges)
        assert np.all(fractions >= 0) and fractions.sum() == pytest.approx(1.0, rel=1e-12)
    # The ν_e neutronisation burst: a larger share of ν_e than of ν̄_e in the first 50 ms.
    early = np.array([0.0, 0.05]) * s
    assert (
        model.time_bin_fractions("nu_e", early)[0]
        > 2 * model.time_bin_fractions("nu_e_bar", early)[0]
    )
    benchmark = SupernovaBurst()
    assert benchmark.time_bin_fractions("nu_mu", edges).sum() == pytest.approx(1.0)
    with pytest.raises(CevnsInputError) as error:
        SupernovaBurst(time_profile=None).time_bin_fractions("nu_e", edges)
    assert "\n" not in str(error.value) and "time_profile" in str(error.value)
    with pytest.raises(CevnsInputError):
        SupernovaModel("garching-s40")


def _direct_events(source, threshold: float, mass: float, distance: float) -> float:
    """Σ_flavours Σ_isotopes N ∫∫ fluence dσ/dT over T > threshold, independently of the
    prediction engine."""
    material = get_material("Xe")
    flux = Flux(source, 1.0, distance)
    recoil = np.concatenate(
        [np.linspace(threshold, 5 * keV, 800), np.linspace(5.01 * keV, 60 * keV, 1500)]
    )
    events = 0.0
    for flavor in source.flavors:
        q = flux.energy_quadrature(flavor, 512)
        for isotope, per_mass in material.nuclei_per_mass_by_isotope().items():
            d = differential_cross_section(q.energies[:, None], recoil, isotope, flavor)
            events += per_mass * mass * np.trapezoid((q.weights[:, None] * d).sum(axis=0), recoil)
    return events


def test_darwin_supernova_preset():
    """40 t of xenon, s27.0c at 10 kpc, recoils above 1 keVnr: 681.6 events through the engine
    (the direct σ integral agrees to 2e-3), against 704 from Lang et al., PRD 94, 103009 (2016),
    arXiv:1606.09243 (their S2 detector model instead of a sharp 1 keVnr threshold): −3 %.
    Every event falls in a time bin (the bins span the simulation)."""
    from cevns.experiments.load import load_experiment
    from cevns.experiments.prediction import predict

    spec = load_experiment("darwin-supernova-10kpc")
    assert spec.detector.distance == pytest.approx(10 * kpc)
    prediction = predict(spec)
    total = prediction.total_events
    direct = _direct_events(SupernovaModel(), 1.0 * keV, 40 * tonne, 10 * kpc)
    assert total == pytest.approx(direct, rel=2e-3)
    assert total == pytest.approx(681.6, rel=2e-3)
    published = spec.published_value("cevns_expected").value
    assert total == pytest.approx(published, rel=0.05)
    signal = np.asarray(prediction.signal)
    assert signal.shape == (9, 9)
    assert signal.sum() == pytest.approx(total, rel=1e-9)
    time_profile = signal.sum(axis=0)
    assert time_profile[0] < 0.01 * total  # before bounce


def _document(source: dict, exposure: dict | None = None) -> dict:
    return {
        "schema_version": 1,
        "name": "xe-supernova",
        "reference": "test document",
        "kind": "projection",
        "source": source,
        "exposure": exposure or {"bursts": 1},
        "detector": {"material": "Xe", "mass": "1 t"},
        "response": {},
        "binning": {
            "observable": "recoil-energy",
            "observable_unit": "keVnr",
            "observable_edges": [1.0, 5.0, 20.0],
            "time_unit": "s",
            "time_edges": [0.0, 1.0, 10.0],
        },
    }


def test_benchmark_document_with_overrides():
    from cevns.experiments.build import build_source
    from cevns.experiments.load import parse_experiment
    from cevns.experiments.prediction import predict

    document = _document(
        {
            "kind": "supernova",
            "emission": {"nu_e_bar": {"total_energy_erg": 6e52, "mean_energy": "14 MeV"}},
        }
    )
    spec = parse_experiment(document)
    assert spec.detector.distance == pytest.approx(10 * kpc)
    source, bursts = build_source(spec)
    assert bursts == 1.0 and isinstance(source, SupernovaBurst)
    assert source.emission["nu_e_bar"].total_energy == pytest.approx(6e52 * erg)
    assert source.emission["nu_e_bar"].mean_energy == pytest.approx(14 * MeV)
    assert source.emission["nu_e"].mean_energy == pytest.approx(12 * MeV)
    prediction = predict(spec)
    assert prediction.total_events > 0
    # The time bins cover 0–10 s: the s27.0c profile's share of each flavour.
    within = sum(source.time_bin_fractions(f, np.array([0.0, 10.0]) * s)[0] for f in source.flavors)
    assert within / 6 > 0.99


_OVERRIDE = {"total_energy_erg": 1e52, "mean_energy": "10 MeV"}
_S27 = "garching-s27.0c-LS220"
_REACTOR = {"kind": "reactor", "thermal_power": "3 GW"}


@pytest.mark.parametrize(
    ("source", "exposure", "words"),
    [
        ({"kind": "supernova", "model": _S27, "emission": {"nu_e": _OVERRIDE}}, None,
         ["emission", "benchmark"]),
        ({"kind": "supernova", "emission": {"nu_x": _OVERRIDE}}, None, ["nu_x", "nu_e_bar"]),
        ({"kind": "supernova", "model": "s40"}, None, ["source.supernova.model", "benchmark"]),
        ({"kind": "supernova"}, {"time": "1 s"}, ["exposure.bursts"]),
        (_REACTOR, {"bursts": 1}, ["exposure.bursts", "reactor"]),
    ],
)  # fmt: skip
def test_supernova_document_errors_are_one_line(source, exposure, words):
    from cevns.experiments.build import build_source
    from cevns.experiments.load import parse_experiment

    document = _document(source, exposure)
    if source["kind"] == "reactor":
        document["detector"]["distance"] = "20 m"
    with pytest.raises(CevnsInputError) as error:
        build_source(parse_experiment(document))
    message = str(error.value)
    assert "\n" not in message
    for word in words:
        assert word in message, message


def test_cli_flux_supernova_models():
    import typer
    from typer.testing import CliRunner

    from cevns.cli import flux as flux_command

    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test application."""

    flux_command.register(app)
    runner = CliRunner()
    result = runner.invoke(app, ["flux", "supernova", "--model", "garching-s27.0c-LS220", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["model"] == "garching-s27.0c-LS220" and report["distance_kpc"] == 10.0
    rows = {r["flavor"]: r for r in report["flavors"]}
    assert rows["nu_e"]["mean_energy_mev"] == pytest.approx(11.30, abs=0.01)
    bad = runner.invoke(app, ["flux", "supernova", "--model", "s99"])
    assert bad.exit_code == 2 and "benchmark" in bad.output
