"""Solar neutrinos: B16 fluxes, spectral shapes, MSW-LMA probabilities, document and CLI."""

import math

import numpy as np
import pytest

from cevns.errors import CevnsInputError
from cevns.interactions.cross_section import total_cross_section
from cevns.nuclear.materials import get_material
from cevns.sources import Flux, SolarComponent, SolarNeutrinos, solar_components
from cevns.sources.solar import (
    COMPONENT_NAMES,
    _LineShape,
    electron_survival_probability,
    flavor_probabilities,
    nufit_parameters,
    production_electron_density,
)
from cevns.units import MeV, au, cm, cm2, keV, s, tonne, year

PER_CM2_S = 1 / cm2 / s

# Vinyoles et al., ApJ 835, 202 (2017), arXiv:1611.09867, Table 6 (flux [cm⁻² s⁻¹], 1σ).
B16 = {
    "B16-GS98": {
        "pp": (5.98e10, 0.006), "pep": (1.44e8, 0.01), "hep": (7.98e3, 0.30),
        "7Be": (4.93e9, 0.06), "8B": (5.46e6, 0.12), "13N": (2.78e8, 0.15),
        "15O": (2.05e8, 0.17), "17F": (5.28e6, 0.20),
    },
    "B16-AGSS09met": {
        "pp": (6.03e10, 0.005), "pep": (1.46e8, 0.009), "hep": (8.25e3, 0.30),
        "7Be": (4.50e9, 0.06), "8B": (4.50e6, 0.12), "13N": (2.04e8, 0.14),
        "15O": (1.44e8, 0.16), "17F": (3.26e6, 0.18),
    },
}  # fmt: skip

# Mean neutrino energies [MeV] of the unoscillated spectra: J. N. Bahcall, Neutrino
# Astrophysics (CUP 1989), Table 6.1 / Bahcall & Ulrich RMP 60, 297 (1988); ⁸B: Bahcall et
# al., PRC 54, 411 (1996) (Winter et al.'s measured spectrum is slightly harder).
MEAN_ENERGY = {"pp": 0.2668, "hep": 9.628, "13N": 0.7063, "15O": 0.9964, "17F": 0.9977}


@pytest.mark.parametrize("model", B16)
def test_components_carry_the_b16_table(model):
    components = solar_components(model)
    assert [c.name for c in components] == list(COMPONENT_NAMES)
    for component in components:
        assert isinstance(component, SolarComponent)
        flux, uncertainty = B16[model][component.name]
        assert component.flux / PER_CM2_S == pytest.approx(flux, rel=1e-12)
        assert component.relative_uncertainty == uncertainty
        assert "arXiv:1611.09867" in component.reference


@pytest.mark.parametrize("model", B16)
def test_each_spectrum_integrates_to_its_table_flux(model):
    """Quadrature to 2e-5 (the long tables are integrated in groups of rows) and, as an
    independent check, the trapezoid rule on a fine grid holding every breakpoint to 1e-4."""
    source = SolarNeutrinos(model)
    for component in solar_components(model):
        quadrature = source.component_quadrature(component.name)
        assert quadrature.total == pytest.approx(component.flux, rel=2e-5)
        low, high = source.component_energy_range(component.name)
        breaks = source._support("nu_e")
        grid = np.union1d(np.linspace(low, high, 40001), breaks[(breaks >= low) & (breaks <= high)])
        integral = np.trapezoid(source.component_spectrum(component.name, grid), grid)
        assert integral == pytest.approx(component.flux, rel=1e-4), component.name


def test_mean_energies_match_bahcall():
    source = SolarNeutrinos()
    for name, mean in MEAN_ENERGY.items():
        measured = source.component_quadrature(name).mean_energy / MeV
        assert measured == pytest.approx(mean, rel=3e-3), name
    assert source.component_quadrature("8B").mean_energy / MeV == pytest.approx(6.735, rel=1e-2)


def test_8b_spectrum_shape():
    source = SolarNeutrinos(components=["8B"], oscillation="none")
    low, high = source.energy_range("nu_e")
    assert low == 0.0
    # Winter et al.'s table ends at 15.3 MeV (the spectrum beyond carries ~1e-5).
    assert 15.0 * MeV <= high <= 17.0 * MeV
    energies = np.linspace(0.0, 16.0, 161) * MeV
    shape = source.component_spectrum("8B", energies) / source.component("8B").flux
    assert np.all(shape >= 0)
    assert np.trapezoid(shape, energies) == pytest.approx(1.0, rel=1e-4)
    assert energies[np.argmax(shape)] / MeV == pytest.approx(6.5, abs=0.2)


def test_lines_carry_their_branching_and_energies():
    source = SolarNeutrinos(components=["7Be", "pep"], oscillation="none")
    assert np.array(source.line_energies("7Be")) / MeV == pytest.approx([0.3843, 0.8613])
    assert np.array(source.line_energies("pep")) / MeV == pytest.approx([1.442])
    quadrature = source.component_quadrature("7Be")
    low_line = quadrature.energies < 0.6 * MeV
    fraction = quadrature.weights[low_line].sum() / quadrature.total
    assert fraction == pytest.approx(0.1044, rel=1e-12)
    assert source.component_quadrature("pep").mean_energy / MeV == pytest.approx(1.442, rel=1e-12)


def test_line_width_does_not_change_a_cevns_rate():
    """The triangle line shape is a device: narrowing it tenfold moves σ-weighted ⁷Be
    fluxes on xenon by < 1e-6."""
    wide = _LineShape([0.3843, 0.8613], [0.1044, 0.8956], [0.9, 1.5])
    narrow = _LineShape([0.3843, 0.8613], [0.1044, 0.8956], [0.09, 0.15])
    values = []
    for shape in (wide, narrow):
        nodes, weights = shape.quadrature(256)
        values.append(np.sum(weights * total_cross_section(nodes, "Xe131", "nu_e")))
    assert values[0] == pytest.approx(values[1], rel=1e-6)


def test_survival_probability_limits():
    """Low-energy (vacuum) and high-energy (adiabatic MSW) limits of P_ee, computed here
    from the mixing angles independently of the code's cos 2θ form."""
    p = nufit_parameters()
    theta12 = math.asin(math.sqrt(p.sin2_theta12))
    c13_4 = (1 - p.sin2_theta13) ** 2
    s13_4 = p.sin2_theta13**2
    vacuum = c13_4 * (1 - 0.5 * math.sin(2 * theta12) ** 2) + s13_4
    matter = c13_4 * math.sin(theta12) ** 2 + s13_4
    density = production_electron_density("B16-GS98", "8B")
    assert float(electron_survival_probability(1e-4 * MeV, density)) == pytest.approx(
        vacuum, rel=1e-4
    )
    assert float(electron_survival_probability(1e5 * MeV, density)) == pytest.approx(
        matter, rel=1e-3
    )
    assert vacuum == pytest.approx(0.550, abs=2e-3) and matter == pytest.approx(0.294, abs=2e-3)
    energies = np.geomspace(0.05, 20, 200) * MeV
    pee = electron_survival_probability(energies, density)
    assert np.all(np.diff(pee) < 0)  # decreasing from the vacuum to the MSW plateau
    assert np.all((pee > matter) & (pee < vacuum))


def test_survival_probability_against_measurements():
    """SNO: P_ee(10 MeV) = 0.317 ± 0.016 (stat) ± 0.009 (syst) (B. Aharmim et al., PRC 88,
    025501 (2013), c₀); Borexino (Nature 562, 505 (2018)): pp 0.57 ± 0.09, ⁷Be
    0.53 ± 0.05, ⁸B (> 3 MeV) 0.37 ± 0.08 — checked within the 1σ errors."""
    source = SolarNeutrinos()
    sno = float(source.survival_probability("8B", 10 * MeV))
    assert sno == pytest.approx(0.317, abs=math.hypot(0.016, 0.009))
    assert source.mean_survival_probability("pp") == pytest.approx(0.57, abs=0.09)
    assert source.mean_survival_probability("7Be") == pytest.approx(0.53, abs=0.05)
    energies = np.linspace(3, 15, 121) * MeV
    spectrum = source.component_spectrum("8B", energies)
    above3 = np.trapezoid(spectrum * source.survival_probability("8B", energies), energies)
    assert above3 / np.trapezoid(spectrum, energies) == pytest.approx(0.37, abs=0.08)


def test_flavours_share_the_flux():
    p = nufit_parameters()
    density = production_electron_density("B16-GS98", "7Be")
    probabilities = flavor_probabilities(np.array([0.1, 1.0, 10.0]) * MeV, density)
    total = sum(probabilities.values())
    assert total == pytest.approx(np.ones(3), rel=1e-14)
    ratio = probabilities["nu_tau"] / probabilities["nu_mu"]
    assert ratio == pytest.approx(p.sin2_theta23 / (1 - p.sin2_theta23), rel=1e-14)


def test_flux_at_earth_and_units_of_source():
    """Flux(SolarNeutrinos(), 1/s, 1 au) is the flux at Earth: Σ flavours = Σ table fluxes."""
    source = SolarNeutrinos("B16-AGSS09met")
    assert source.source_unit == "second"
    assert source.flavors == ("nu_e", "nu_mu", "nu_tau")
    flux = Flux(source, 1 / s, 1 * au)
    total = sum(flux.fluence(f) for f in source.flavors)
    table = sum(c.flux for c in solar_components("B16-AGSS09met"))
    assert total == pytest.approx(table, rel=1e-5)
    plain = SolarNeutrinos("B16-AGSS09met", oscillation="none")
    assert plain.flavors == ("nu_e",)
    assert Flux(plain, 1 / s, 1 * au).fluence("nu_e") == pytest.approx(table, rel=1e-5)
    # The continuous density (used by the prediction engine) agrees with the quadrature.
    energies = np.linspace(2.0, 16.0, 1401) * MeV
    b8 = SolarNeutrinos(components="8B")
    density = Flux(b8, 1 / s, 1 * au).spectral_fluence("nu_mu", energies)
    quadrature = Flux(b8, 1 / s, 1 * au).energy_quadrature("nu_mu")
    in_range = quadrature.energies >= 2.0 * MeV
    assert np.trapezoid(density, energies) == pytest.approx(
        quadrature.weights[in_range].sum(), rel=1e-3
    )


def test_b8_rate_on_xenon():
    """The ⁸B CEvNS rate on natural xenon, and its flux-weighted cross section
    σ̄ = R / (N_Xe Φ T) against XENONnT's measurement (1.1 +0.8 −0.5) × 10⁻³⁹ cm² (E. Aprile
    et al., PRL 133, 191002 (2024), arXiv:2408.02877), and a simple estimate:
    σ ≈ G_F² Q_W² ⟨E²⟩ / 4π with Q_W ≈ N − (1 − 4 sin²θ_W) Z ≈ 74.9 for ¹³¹Xe gives
    1.2e-39 cm² before the form factor (~0.97)."""
    material = get_material("Xe")
    source = SolarNeutrinos("B16-GS98", ["8B"])
    flux = Flux(source, year / s, 1 * au)
    events = 0.0
    for flavor in source.flavors:
        quadrature = flux.energy_quadrature(flavor)
        for isotope, per_mass in material.nuclei_per_mass_by_isotope().items():
            sigma = total_cross_section(quadrature.energies, isotope, flavor)
            events += per_mass * tonne * np.sum(quadrature.weights * sigma)
    nuclei = sum(material.nuclei_per_mass_by_isotope().values()) * tonne
    sigma_bar = events / (nuclei * source.component("8B").flux * year) / cm2
    assert 1.1e-39 - 0.5e-39 <= sigma_bar <= 1.1e-39 + 0.8e-39
    assert sigma_bar == pytest.approx(1.2e-39, rel=0.1)
    assert events == pytest.approx(1000.0, rel=0.02)  # per tonne-year above 0 keV


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"model": "B16"}, ["model", "'B16'", "B16-GS98", "B16-AGSS09met"]),
        ({"components": ["8B", "7Li"]}, ["components", "'7Li'", "pp", "17F"]),
        ({"components": []}, ["components", "pp"]),
        ({"components": ["8B", "8B"]}, ["components", "8B"]),
        ({"oscillation": "vacuum"}, ["oscillation", "'vacuum'", "msw-lma", "none"]),
    ],
)
def test_bad_input_is_one_line(kwargs, words):
    with pytest.raises(CevnsInputError) as error:
        SolarNeutrinos(**kwargs)
    message = str(error.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_flavour_not_emitted_without_oscillation():
    with pytest.raises(CevnsInputError, match="nu_mu"):
        SolarNeutrinos(oscillation="none").energy_quadrature("nu_mu")


def test_production_densities_are_physical():
    """⟨n_e⟩/N_A between 50 and 100 cm⁻³ (the solar core, B16 profiles), ⁸B the densest."""
    densities = {c: production_electron_density("B16-GS98", c) for c in COMPONENT_NAMES}
    per_na = {c: d * cm**3 / 6.02214076e23 for c, d in densities.items()}
    assert all(50 < v < 100 for v in per_na.values())
    assert max(per_na, key=per_na.get) == "8B"


def test_line_shape_energy_is_positive():
    source = SolarNeutrinos(components="pep", oscillation="none")
    low, high = source.energy_range("nu_e")
    assert high - low == pytest.approx(2 * 1.5 * keV, rel=1e-9)


SCALE_PROBE = r"""
import json
from cevns.sources import Flux, SolarNeutrinos
from cevns.units import MeV, au, cm2, s
source = SolarNeutrinos()
flux = Flux(source, 1 / s, 1 * au)
from cevns.sources import AtmosphericNeutrinos, DiffuseSupernovaBackground, DETECTOR_DISTANCE
atm = Flux(AtmosphericNeutrinos(), 1 / s, DETECTOR_DISTANCE)
dsnb = Flux(DiffuseSupernovaBackground(), 1 / s, DETECTOR_DISTANCE)
from cevns.sources.supernova import SupernovaModel
from cevns.units import kpc
burst = SupernovaModel()
print(json.dumps({
    "sn_fluence": Flux(burst, 1.0, 10 * kpc).energy_quadrature("nu_e").total * cm2,
    "sn_before_1s": float(burst.time_cdf("nu_e_bar", 1 * s)),
    "atm_nu_mu": atm.fluence("nu_mu") * cm2 * s,
    "dsnb_nu_e_bar": dsnb.fluence("nu_e_bar") * cm2 * s,
    "dsnb_mean": dsnb.energy_quadrature("nu_tau").mean_energy / MeV,
    "nu_e": flux.fluence("nu_e") * cm2 * s,
    "pee_8b_10": float(source.survival_probability("8B", 10 * MeV)),
    "mean_8b": source.component_quadrature("8B").mean_energy / MeV,
}))
"""


def test_unit_scale_invariance(run_probe):
    default = run_probe(SCALE_PROBE)
    scaled = run_probe(SCALE_PROBE, "MeV=3.7e-3,cm=4.1e12,s=2.9e-7")
    for key, value in default.items():
        assert scaled[key] == pytest.approx(value, rel=1e-9, abs=0), key


def _solar_document(**source) -> dict:
    return {
        "schema_version": 1,
        "name": "xe-solar-8b",
        "reference": "test document",
        "kind": "projection",
        "source": {"kind": "solar", **source},
        "exposure": {"time": "1 yr"},
        "detector": {"material": "Xe", "mass": "1 t"},
        "response": {},
        "binning": {
            "observable": "recoil-energy",
            "observable_unit": "keVnr",
            "observable_edges": [1.0, 2.0, 3.0, 5.0],
        },
    }


def test_solar_document_round_trip_and_prediction():
    """A solar document validates, defaults its distance to 1 AU, builds a per-second source
    and predicts through the engine the rate computed from σ(E) directly (above 1 keVnr)."""
    from cevns.experiments.build import build_experiment, build_source
    from cevns.experiments.load import parse_experiment
    from cevns.experiments.prediction import predict
    from cevns.experiments.schema import ExperimentSpec
    from cevns.interactions.cross_section import differential_cross_section

    spec = parse_experiment(_solar_document(components=["8B"], model="B16-GS98"))
    assert spec.detector.distance == pytest.approx(1 * au)
    again = ExperimentSpec.model_validate(spec.model_dump())
    assert again == spec
    source, seconds = build_source(spec)
    assert isinstance(source, SolarNeutrinos) and source.components == ("8B",)
    assert seconds == pytest.approx(year / s)
    experiment = build_experiment(spec)
    assert experiment.flux.distance == pytest.approx(1 * au)
    assert experiment.flux.units_of_source == pytest.approx(year / s)
    events = predict(spec).total_events
    # Direct: Σ_flavours Σ_isotopes N ∫∫ Φ(E) dσ/dT dT dE over 1–5 keV.
    material = get_material("Xe")
    flux = Flux(source, seconds, 1 * au)
    recoil = np.linspace(1.0, 5.0, 801) * keV
    direct = 0.0
    for flavor in source.flavors:
        quadrature = flux.energy_quadrature(flavor)
        for isotope, per_mass in material.nuclei_per_mass_by_isotope().items():
            d = differential_cross_section(quadrature.energies[:, None], recoil, isotope, flavor)
            rate = (quadrature.weights[:, None] * d).sum(axis=0)
            direct += per_mass * tonne * np.trapezoid(rate, recoil)
    assert events == pytest.approx(direct, rel=2e-3)
    assert events == pytest.approx(102, rel=0.05)


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ({"model": "SSM"}, ["source.solar.model", "SSM", "B16-GS98"]),
        ({"components": ["8B", "9C"]}, ["source.solar.components", "9C", "hep"]),
        ({"oscillation": "vac"}, ["source.solar.oscillation", "msw-lma"]),
    ],
)
def test_solar_document_errors_are_one_line(source, words):
    from cevns.experiments.load import parse_experiment

    with pytest.raises(CevnsInputError) as error:
        parse_experiment(_solar_document(**source))
    message = str(error.value)
    assert "\n" not in message
    for word in words:
        assert word in message, message


def test_solar_document_keeps_an_explicit_distance():
    from cevns.experiments.load import parse_experiment

    document = _solar_document()
    document["detector"]["distance"] = "0.983 AU"
    assert parse_experiment(document).detector.distance == pytest.approx(0.983 * au)


def _cli(*args: str):
    """``cevns flux ARGS`` through the real command-line application."""
    from typer.testing import CliRunner

    from cevns.cli.app import app

    return CliRunner().invoke(app, ["flux", *args])


@pytest.mark.parametrize("model", B16)
def test_cli_flux_solar_json(model):
    import json

    result = _cli("solar", "--model", model, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["kind"] == "solar" and report["model"] == model
    assert report["source_unit"] == "second" and report["distance_au"] == 1.0
    rows = {r["component"]: r for r in report["components"]}
    assert list(rows) == list(COMPONENT_NAMES)
    keys = {"flux", "table_flux", "relative_uncertainty", "reference", "mean_energy_mev"}
    keys |= {"endpoint_mev", "line_energies_mev", "survival_probability_nu_e", "reaction"}
    for name, row in rows.items():
        assert keys <= set(row)
        assert row["flux"] == pytest.approx(B16[model][name][0], rel=2e-5)
        assert row["table_flux"] == B16[model][name][0]
        assert row["relative_uncertainty"] == B16[model][name][1]
        assert 0.29 < row["survival_probability_nu_e"] < 0.56
    assert rows["7Be"]["line_energies_mev"] == [0.3843, 0.8613]
    assert rows["7Be"]["endpoint_mev"] is None
    assert rows["8B"]["endpoint_mev"] == pytest.approx(15.3)
    assert report["total_flux"] == pytest.approx(sum(v[0] for v in B16[model].values()), rel=1e-5)
    assert {r["flavor"] for r in report["flavors"]} == {"nu_e", "nu_mu", "nu_tau"}


def test_cli_flux_solar_table_and_errors():
    result = _cli("solar")
    assert result.exit_code == 0, result.output
    assert (
        "8B" in result.stdout and "⟨P_ee⟩" in result.stdout and "arXiv:1611.09867" in result.stdout
    )
    bad = _cli("solar", "--model", "SSM")
    assert bad.exit_code == 2
    assert "model must be one of B16-GS98, B16-AGSS09met; got 'SSM'" in bad.output
    assert _cli("solar", "--distance", "3").exit_code == 2
    assert _cli("reactor", "--model", "B16-GS98").exit_code == 2
