"""Atmospheric neutrinos (FLUKA table) and the diffuse supernova neutrino background."""

import json
import math
from importlib import resources

import numpy as np
import pytest
from scipy.integrate import quad

from cevns.constants import speed_of_light
from cevns.errors import CevnsInputError
from cevns.sources import Flux
from cevns.sources.atmospheric import AtmosphericNeutrinos
from cevns.sources.base import DETECTOR_DISTANCE
from cevns.sources.dsnb import (
    CORE_COLLAPSE_RATE,
    HUBBLE_CONSTANT,
    OMEGA_LAMBDA,
    OMEGA_MATTER,
    PUBLISHED_TOTAL_FLUX_CM2_S,
    DiffuseSupernovaBackground,
    fermi_dirac_spectrum,
    star_formation_shape,
)
from cevns.units import MeV, cm2, s

PER_CM2_S = 1 / cm2 / s


def _table() -> np.ndarray:
    path = resources.files("cevns.sources").joinpath("data/atmospheric_fluka_kamioka.csv")
    return np.loadtxt(str(path), delimiter=",", comments="#")


def test_atmospheric_fluxes_integrate_the_fluka_table():
    """Each flavour's flux is the trapezoid integral of its FLUKA column (Battistoni et al.
    2005, Kamioka): 1.269 (ν_e), 2.455 (ν_μ), 1.167 (ν̄_e), 2.453 (ν̄_μ) cm⁻² s⁻¹."""
    table = _table()
    source = AtmosphericNeutrinos()
    assert source.flavors == ("nu_e", "nu_mu", "nu_e_bar", "nu_mu_bar")
    expected = {"nu_e": 1.269, "nu_mu": 2.455, "nu_e_bar": 1.167, "nu_mu_bar": 2.453}
    for k, flavor in enumerate(source.flavors, start=1):
        integral = np.trapezoid(table[:, k], table[:, 0])
        assert source.flux_at_detector(flavor) / PER_CM2_S == pytest.approx(integral, rel=1e-12)
        assert integral == pytest.approx(expected[flavor], abs=1e-3)
        flux = Flux(source, 1 / s, DETECTOR_DISTANCE)
        assert flux.energy_quadrature(flavor).total / PER_CM2_S == pytest.approx(integral, rel=1e-6)
    energies = np.linspace(13, 944, 500) * MeV
    assert np.all(source.spectral_density("nu_mu", energies) > 0)
    assert source.relative_uncertainty == 0.2


def test_atmospheric_errors_are_one_line():
    with pytest.raises(CevnsInputError) as error:
        AtmosphericNeutrinos("gran-sasso")
    message = str(error.value)
    assert "\n" not in message and "site" in message and "kamioka" in message


def test_fermi_dirac_burst_normalisation():
    """∫ E dN/dE = E_ν and ⟨E⟩ = 7π⁴/(180 ζ(3)) T = 3.1514 T (zero chemical potential)."""
    temperature, total = 5.0, 1.0
    number, _ = quad(lambda e: float(fermi_dirac_spectrum(e, temperature, total)), 0, 300)
    energy, _ = quad(lambda e: e * float(fermi_dirac_spectrum(e, temperature, total)), 0, 300)
    assert energy == pytest.approx(total, rel=1e-9)
    assert energy / number == pytest.approx(3.15137 * temperature, rel=1e-5)


def test_star_formation_shape():
    """S(0) = 1; rises as (1+z)^3.4 at low z, flat between z = 1 and 4, falls beyond."""
    assert float(star_formation_shape(0.0)) == pytest.approx(1.0, rel=1e-6)
    assert float(star_formation_shape(0.2) / star_formation_shape(0.1)) == pytest.approx(
        (1.2 / 1.1) ** 3.4, rel=1e-3
    )
    assert float(star_formation_shape(4.5)) < float(star_formation_shape(3.0))


def test_dsnb_redshift_integral_against_adaptive_quadrature():
    """(c/H₀) R_SN(0) ∫ S(z) dN/dE(E(1+z)) / h(z) dz by adaptive quadrature, to 1e-6."""
    source = DiffuseSupernovaBackground()
    prefactor = speed_of_light / HUBBLE_CONSTANT * CORE_COLLAPSE_RATE
    for flavor, energy in (("nu_e_bar", 10.0 * MeV), ("nu_mu", 25.0 * MeV), ("nu_e", 3.0 * MeV)):
        temperature = source.temperatures[flavor]
        integrand = lambda z, e=energy, t=temperature: (  # noqa: E731
            float(star_formation_shape(z))
            * float(fermi_dirac_spectrum(e * (1 + z), t, source.energy_per_flavor))
            / math.sqrt(OMEGA_MATTER * (1 + z) ** 3 + OMEGA_LAMBDA)
        )
        value, _ = quad(integrand, 0, 5, points=[1, 4], epsrel=1e-10, limit=200)
        code = float(source.flux_density(flavor, energy))
        assert code == pytest.approx(prefactor * value, rel=1e-6), flavor


def test_dsnb_total_against_published():
    """Total DSNB flux 90.9 cm⁻² s⁻¹ against 85.5 ± 42.7 (Billard et al., PRD 89, 023524
    (2014), Table I): +6 %, well inside the 50 % model uncertainty (their rate and
    integration limits are not stated to better than that)."""
    source = DiffuseSupernovaBackground()
    fluxes = {f: source.flux_at_detector(f) / PER_CM2_S for f in source.flavors}
    total = sum(fluxes.values())
    assert total == pytest.approx(PUBLISHED_TOTAL_FLUX_CM2_S, rel=0.10)
    assert abs(total - PUBLISHED_TOTAL_FLUX_CM2_S) < 0.5 * PUBLISHED_TOTAL_FLUX_CM2_S
    assert fluxes["nu_mu"] == pytest.approx(fluxes["nu_tau_bar"], rel=1e-14)
    assert fluxes["nu_e"] > fluxes["nu_e_bar"] > fluxes["nu_mu"]  # cooler → more numerous
    energies = np.linspace(0.1, 100, 300) * MeV
    assert np.all(source.spectral_density("nu_e_bar", energies) > 0)


def test_dsnb_temperature_override_and_errors():
    hot = DiffuseSupernovaBackground({"nu_e_bar": 8.0 * MeV})
    base = DiffuseSupernovaBackground()
    # Same energy, higher temperature: fewer neutrinos (N ∝ 1/T at fixed E_ν).
    ratio = hot.flux_at_detector("nu_e_bar") / base.flux_at_detector("nu_e_bar")
    assert ratio == pytest.approx(5.0 / 8.0, rel=0.05)
    with pytest.raises(CevnsInputError) as error:
        DiffuseSupernovaBackground({"nu_s": 5 * MeV})
    assert "\n" not in str(error.value) and "nu_s" in str(error.value)


def _document(source: dict, distance: str | None = None) -> dict:
    detector = {"material": "Xe", "mass": "1 t"}
    if distance is not None:
        detector["distance"] = distance
    return {
        "schema_version": 1,
        "name": "xe-diffuse",
        "reference": "test document",
        "kind": "projection",
        "source": source,
        "exposure": {"time": "1 yr"},
        "detector": detector,
        "response": {},
        "binning": {
            "observable": "recoil-energy",
            "observable_unit": "keVnr",
            "observable_edges": [1.0, 10.0, 50.0],
        },
    }


@pytest.mark.parametrize("kind", ["atmospheric", "dsnb"])
def test_diffuse_documents(kind):
    from cevns.experiments.build import build_experiment
    from cevns.experiments.load import parse_experiment
    from cevns.experiments.prediction import predict

    spec = parse_experiment(_document({"kind": kind}))
    assert spec.detector.distance == pytest.approx(DETECTOR_DISTANCE)
    experiment = build_experiment(spec)
    assert experiment.flux.source.source_unit == "second"
    assert predict(spec).total_events > 0
    with pytest.raises(CevnsInputError) as error:
        parse_experiment(_document({"kind": kind}, distance="20 m"))
    assert "\n" not in str(error.value) and "detector.distance" in str(error.value)
    assert parse_experiment(_document({"kind": kind}, distance="1 AU")) == spec


def test_dsnb_document_temperatures():
    from cevns.experiments.build import build_source
    from cevns.experiments.load import parse_experiment

    spec = parse_experiment(_document({"kind": "dsnb", "temperatures": {"nu_e_bar": "6 MeV"}}))
    source, _ = build_source(spec)
    assert source.temperatures["nu_e_bar"] == pytest.approx(6 * MeV)
    with pytest.raises(CevnsInputError) as error:
        parse_experiment(_document({"kind": "dsnb", "temperatures": {"nu_x": "6 MeV"}}))
    assert "nu_x" in str(error.value) and "\n" not in str(error.value)


def _cli(*args: str):
    """``cevns flux ARGS`` through the real command-line application."""
    from typer.testing import CliRunner

    from cevns.cli.app import app

    return CliRunner().invoke(app, ["flux", *args])


def test_cli_flux_atmospheric_and_dsnb():
    atmospheric = _cli("atmospheric", "--json")
    assert atmospheric.exit_code == 0, atmospheric.output
    report = json.loads(atmospheric.stdout)
    assert report["kind"] == "atmospheric" and report["relative_uncertainty"] == 0.2
    assert report["total_flux"] == pytest.approx(7.345, abs=2e-3)
    dsnb = json.loads(_cli("dsnb", "--json").stdout)
    assert dsnb["published_total_flux"] == 85.5 and "Billard" in dsnb["published_reference"]
    assert dsnb["total_flux"] == pytest.approx(90.9, abs=0.1)
    assert len(dsnb["flavors"]) == 6
    assert _cli("dsnb").exit_code == 0
    assert _cli("atmospheric", "--distance", "5").exit_code == 2
