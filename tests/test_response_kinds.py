"""Detector-response findings of the audit, through `cevns predict FILE.toml`.

Quantity kinds (keVnr, keVee, PE) are distinct; quenching is applied per nucleus and only
where recoils occur; efficiencies are probabilities; time bins of any width are integrated
to the same precision; the JSON report says how much flux the time window keeps.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate
from typer.testing import CliRunner

from cevns.cli.app import app
from cevns.detectors import LindhardQuenching
from cevns.experiments.build import build_experiment
from cevns.experiments.engine import time_bin_integrals
from cevns.experiments.load import load_experiment
from cevns.nuclear.materials import get_material
from cevns.units import keVnr, us

runner = CliRunner()


def _preset(name: str) -> str:
    return resources.files("cevns.experiments.presets").joinpath(f"{name}.toml").read_text()


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _predict_json(path: Path | str) -> dict:
    result = runner.invoke(app, ["predict", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _refused(path: Path) -> str:
    result = runner.invoke(app, ["predict", str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    return result.stderr.strip()


CONUS_THRESHOLD = 'energy_efficiency = { model = "threshold", threshold = 0.21, unit = "keVee" }'
GE_THRESHOLD = 'energy_efficiency = { model = "threshold", threshold = 2.5, unit = "keVnr" }'
CSI_EFFICIENCY = (
    'energy_efficiency = { model = "logistic", a = 1.32045, b = 0.285979, c = 10.8646, '
    "d = -0.333322 }"
)
CSI_LIGHT_YIELD = "light_yield_pe_per_kevee = 13.35  # arXiv:2110.07730 supplement"
CONUS_QUENCHING = 'quenching = { model = "lindhard", k = 0.18, Z = 32 }'


# ----------------------------------------------------------------------------- 1. kinds


@pytest.mark.parametrize(
    ("preset", "old", "new", "message"),
    [
        pytest.param(
            "conus-brokdorf",
            CONUS_THRESHOLD,
            CONUS_THRESHOLD.replace("keVee", "keVnr"),
            "response.energy_efficiency.unit: unit 'keVnr' is a nuclear-recoil energy, but "
            "binning.observable is electron-equivalent-energy; allowed: eV, keV, MeV, GeV, "
            "keVee, MeVee",
            id="keVnr-threshold-on-keVee-axis",
        ),
        pytest.param(
            "conus-brokdorf",
            'observable_unit = "keVee"',
            'observable_unit = "keVnr"',
            "binning: observable_unit: unit 'keVnr' is a nuclear-recoil energy",
            id="keVnr-edges-on-keVee-axis",
        ),
        pytest.param(
            "conus-brokdorf",
            CONUS_THRESHOLD,
            'energy_efficiency = { model = "threshold", threshold = 0.21 }',
            "response.energy_efficiency.unit: unit 'PE' is a photoelectron count",
            id="default-PE-threshold-on-keVee-axis",
        ),
        pytest.param(
            "coherent-ge-mini",
            GE_THRESHOLD,
            GE_THRESHOLD.replace("keVnr", "keVee"),
            "response.energy_efficiency.unit: unit 'keVee' is an electron-equivalent energy, "
            "but binning.observable is recoil-energy; allowed: eV, keV, MeV, GeV, keVnr, MeVnr",
            id="keVee-threshold-on-recoil-axis",
        ),
        pytest.param(
            "coherent-ge-mini",
            GE_THRESHOLD,
            'energy_efficiency = { model = "tabulated", x = [1, 3], efficiency = [0.5, 1], '
            'x_unit = "keVee" }',
            "response.energy_efficiency.x_unit: unit 'keVee' is an electron-equivalent energy",
            id="keVee-table-on-recoil-axis",
        ),
        pytest.param(
            "coherent-ge-mini",
            GE_THRESHOLD,
            GE_THRESHOLD + '\nquenching = { model = "lindhard", k = 0.157, Z = 32 }',
            "response.quenching.model: a recoil-energy observable takes no quenching",
            id="quenching-on-recoil-axis",
        ),
        pytest.param(
            "coherent-ge-mini",
            GE_THRESHOLD,
            GE_THRESHOLD + '\nsmearing = { model = "noise-fano", noise_sigma = "20 eV" }',
            "response.smearing.model: model 'noise-fano' describes electron-equivalent-energy, "
            "but binning.observable is recoil-energy",
            id="fano-smearing-on-recoil-axis",
        ),
        pytest.param(
            "coherent-csi-2021",
            CSI_EFFICIENCY,
            'energy_efficiency = { model = "threshold", threshold = 5, unit = "keVee" }',
            "response.energy_efficiency.unit: unit 'keVee' is an electron-equivalent energy, "
            "but binning.observable is photoelectrons; allowed: PE",
            id="keVee-threshold-on-PE-axis",
        ),
        pytest.param(
            "coherent-csi-2021",
            CSI_LIGHT_YIELD,
            "",
            "response.light_yield_pe_per_kevee: photoelectron bins need a light yield",
            id="PE-axis-without-light-yield",
        ),
        pytest.param(
            "conus-brokdorf",
            CONUS_THRESHOLD,
            CONUS_THRESHOLD + "\nlight_yield_pe_per_kevee = 10",
            "response.light_yield_pe_per_kevee: a light yield makes the observable a "
            "photoelectron count",
            id="light-yield-on-keVee-axis",
        ),
        pytest.param(
            "conus-brokdorf",
            CONUS_QUENCHING,
            "",
            "response.quenching: the electron-equivalent-energy observable needs the quenching",
            id="keVee-axis-without-quenching",
        ),
        pytest.param(
            "conus-brokdorf",
            CONUS_THRESHOLD,
            CONUS_THRESHOLD + '\nsmearing = { model = "gaussian", resolution = 0.1, '
            'unit = "keVnr" }',
            "response.smearing.unit: unit 'keVnr' is a nuclear-recoil energy",
            id="keVnr-resolution-on-keVee-axis",
        ),
        pytest.param(
            "conus-brokdorf",
            CONUS_THRESHOLD,
            CONUS_THRESHOLD + '\nsmearing = { model = "gamma", a = 0.0749, b = 9.56 }',
            "response.smearing.model: model 'gamma' describes photoelectrons",
            id="PE-smearing-on-keVee-axis",
        ),
        pytest.param(
            "coherent-csi-2021",
            'up = { energy_efficiency = { model = "logistic", a = 1.3439, b = 0.285366, c = '
            "9.84596, d = -0.356364 } }",
            'up = { energy_efficiency = { model = "logistic", a = 1.3439, b = 0.285366, c = '
            '9.84596, d = -0.356364, unit = "keVee" } }',
            "analysis.signal.systematics.2.up.energy_efficiency.unit: unit 'keVee' is an "
            "electron-equivalent energy",
            id="systematic-of-the-wrong-kind",
        ),
    ],
)
def test_a_unit_of_the_wrong_kind_is_refused_naming_the_field(tmp_path, preset, old, new, message):
    path = _write(tmp_path, "doc.toml", _replace(_preset(preset), old, new))
    assert _refused(path).startswith(f"error: doc.toml: {message}")


REACTOR_GE = """
name = "reactor-ge"
kind = "projection"
[source]
kind = "reactor"
thermal_power = "3.9 GW"
[exposure]
time = "1 year"
[detector]
material = "Ge"
mass = "4 kg"
distance = "17.1 m"
[response]
RESPONSE
[binning]
BINNING
"""


def test_a_kevnr_threshold_means_recoil_energy_and_is_refused_on_a_kevee_axis(tmp_path):
    # The audit's case: a keVnr threshold on the keVee axis of a germanium detector was
    # read as keVee. Now it is refused there; on a recoil-energy axis it means what it
    # says, and the count equals the keVee-axis count above E_ee(1.5 keVnr) of the same
    # Lindhard quenching (independent route to the same events, to 1e-6).
    threshold_ee = float(LindhardQuenching(0.18, 32).electron_equivalent(1.5 * keVnr) / keVnr)
    quenching = 'quenching = { model = "lindhard", k = 0.18, Z = 32 }'
    documents = {
        "wrong": (
            f'{quenching}\nenergy_efficiency = {{ model = "threshold", threshold = 1.5, '
            'unit = "keVnr" }',
            'observable = "electron-equivalent-energy"\nobservable_unit = "keVee"\n'
            f"observable_edges = [{threshold_ee!r}, 10]",
        ),
        "recoil": (
            'energy_efficiency = { model = "threshold", threshold = 1.5, unit = "keVnr" }',
            'observable = "recoil-energy"\nobservable_unit = "keVnr"\n'
            "observable_edges = [1.5, 100]",
        ),
        "energy": (
            f'{quenching}\nenergy_efficiency = {{ model = "threshold", '
            f'threshold = {threshold_ee!r}, unit = "keVee" }}',
            'observable = "electron-equivalent-energy"\nobservable_unit = "keVee"\n'
            f"observable_edges = [{threshold_ee!r}, 10]",
        ),
    }
    paths = {
        name: _write(
            tmp_path,
            f"{name}.toml",
            REACTOR_GE.replace("RESPONSE", response).replace("BINNING", binning),
        )
        for name, (response, binning) in documents.items()
    }
    assert _refused(paths["wrong"]).startswith(
        "error: wrong.toml: response.energy_efficiency.unit: unit 'keVnr' is a nuclear-recoil"
    )
    recoil_axis = _predict_json(paths["recoil"])["total_events"]
    energy_axis = _predict_json(paths["energy"])["total_events"]
    assert recoil_axis > 0
    assert recoil_axis == pytest.approx(energy_axis, rel=1e-6)


# --------------------------------------------------------------------- 3. per nucleus

NAI_QUENCHING = """[response.quenching_by_element]
Na = { model = "constant", factor = 0.11 }
I = { model = "constant", factor = 0.05 }"""


def _single_element_document(symbol: str, mass_kg: float, threshold_kevnr: float) -> str:
    """The NaI projection's source and geometry for one element of it, binned in recoil
    energy above ``threshold_kevnr`` (no quenching)."""
    return f"""
name = "nai-{symbol.lower()}-part"
kind = "projection"
[source]
kind = "pion-decay-at-rest"
facility = "sns-fts-ppu"
[exposure]
time = "1 year"
[detector]
material = "{symbol}"
mass = "{mass_kg!r} kg"
distance = "25 m"
[response]
energy_efficiency = {{ model = "threshold", threshold = {threshold_kevnr!r}, unit = "keVnr" }}
[binning]
observable = "recoil-energy"
observable_unit = "keVnr"
observable_edges = [{threshold_kevnr!r}, 1000]
time_edges = [-0.5, 1, 6]
"""


def test_sodium_and_iodine_are_quenched_separately(tmp_path):
    # Independent calculation: with one constant QF per nucleus, the NaI count above
    # 1.43 keVee is the sodium count above 1.43/0.11 = 13 keVnr plus the iodine count above
    # 1.43/0.05 = 28.6 keVnr, each predicted for that element alone (its mass share of the
    # 3.5 t) on a recoil-energy axis.
    nai = _predict_json("coherent-nai-3.5t")
    material = get_material("NaI")
    parts = []
    for symbol, isotope, qf in (("Na", "Na23", 0.11), ("I", "I127", 0.05)):
        mass = 3500.0 * material.mass_fraction(isotope)
        text = _single_element_document(symbol, mass, 1.43 / qf)
        parts.append(_predict_json(_write(tmp_path, f"{symbol}.toml", text))["total_events"])
    assert nai["total_events"] == pytest.approx(sum(parts), rel=1e-9)
    # Iodine recoils reach 47 keVnr: above 28.6 keVnr they are 1676 of 7656 events (22 %),
    # where one recoil-energy threshold for both gave 29569 of 35549 (83 %).
    assert parts[1] / nai["total_events"] == pytest.approx(0.219, abs=0.001)
    assert nai["total_events"] == pytest.approx(7655.93, rel=1e-5)
    assert np.all(np.isfinite(nai["electron_equivalent_spectrum"]["energy_kevee"]))


def test_one_quenching_for_every_element_is_the_common_quenching(tmp_path):
    text = _preset("coherent-nai-3.5t")
    same = _replace(text, 'I = { model = "constant", factor = 0.05 }',
                    'I = { model = "constant", factor = 0.11 }')  # fmt: skip
    common = _replace(same, NAI_QUENCHING.replace("0.05", "0.11"),
                      'quenching = { model = "constant", factor = 0.11 }')  # fmt: skip
    by_element = _predict_json(_write(tmp_path, "same.toml", same))
    one = _predict_json(_write(tmp_path, "common.toml", common))
    assert by_element["total_events"] == pytest.approx(one["total_events"], rel=1e-12)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'I = { model = "constant", factor = 0.05 }',
            'Cs = { model = "constant", factor = 0.05 }',
            "response.quenching_by_element.Cs: 'Cs' is not an element or isotope of NaI; "
            "allowed: I, Na, Na23, I127",
        ),
        (
            'I = { model = "constant", factor = 0.05 }',
            "",
            "response.quenching_by_element: no quenching for I127; give one per element "
            "(I, Na) or a common response.quenching",
        ),
        (
            'I = { model = "constant", factor = 0.05 }',
            'I127 = { model = "constant", factor = 1.5 }',
            "response.quenching_by_element.I127: factor must lie in (0, 1]; got 1.5",
        ),
    ],
)
def test_bad_per_element_quenching_is_refused(tmp_path, old, new, message):
    path = _write(tmp_path, "nai.toml", _replace(_preset("coherent-nai-3.5t"), old, new))
    assert message in _refused(path)


# ------------------------------------------------------------ 2. tabulated quenching range

GE_EE_DOCUMENT = """
name = "ge-keVee"
kind = "projection"
[source]
kind = "pion-decay-at-rest"
facility = "sns-fts"
[exposure]
time = "1 day"
[detector]
material = "Ge"
mass = "18 kg"
distance = "19.2 m"
[response]
QUENCHING
energy_efficiency = { model = "threshold", threshold = 0.5, unit = "keVee" }
[binning]
observable = "electron-equivalent-energy"
observable_unit = "keVee"
observable_edges = [0.5, 1, 2, 3, 5, 10, 20]
time_edges = [-0.5, 1, 6]
"""


def _ge_table(top_kevnr: float, first: float = 0.0) -> str:
    nodes = np.concatenate(([first], np.geomspace(0.01, top_kevnr, 400)))
    nodes = np.unique(nodes[nodes >= first])
    factors = LindhardQuenching(0.157, 32).quenching_factor(np.maximum(nodes, 1e-6) * keVnr)
    return (
        f'quenching = {{ model = "tabulated", recoil_energies = {nodes.tolist()!r}, '
        f'quenching_factors = {factors.tolist()!r}, unit = "keVnr" }}'
    )


def test_a_quenching_table_is_needed_only_where_recoils_occur(tmp_path):
    # Germanium recoils from stopped-pion neutrinos reach 85.6 keVnr (Ge70): a table to
    # 90 keVnr suffices (no padding to ~70 MeV), and gives the Lindhard model's count
    # when it tabulates Lindhard (independent model of the same E_ee, to 1e-5).
    lindhard = GE_EE_DOCUMENT.replace(
        "QUENCHING", 'quenching = { model = "lindhard", k = 0.157, Z = 32 }'
    )
    table = GE_EE_DOCUMENT.replace("QUENCHING", _ge_table(90.0))
    expected = _predict_json(_write(tmp_path, "lindhard.toml", lindhard))["total_events"]
    got = _predict_json(_write(tmp_path, "table.toml", table))["total_events"]
    assert got == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize(
    ("top", "first", "message"),
    [
        (10.0, 0.0, "from 0 to 10 keVnr, but Ge70 recoils reach 85.58 keVnr"),
        (90.0, 0.5, "from 0.5 to 90 keVnr, but Ge70 recoils reach 85.58 keVnr"),
    ],
)
def test_a_quenching_table_that_stops_short_is_refused(tmp_path, top, first, message):
    text = GE_EE_DOCUMENT.replace("QUENCHING", _ge_table(top, first))
    error = _refused(_write(tmp_path, "short.toml", text))
    assert error.startswith("error: response.quenching: the quenching is defined for recoils")
    assert message in error and "a table needs a node at T = 0" in error


# ------------------------------------------------------------------ 4. germanium response


def test_noise_fano_smearing_end_to_end(tmp_path):
    # Limit: with a vanishing noise and no Fano term, the smeared prediction is the ideal
    # one; with the germanium values events migrate over the 210 eVee threshold of the
    # falling reactor spectrum, so the count rises.
    ideal = _predict_json("conus-brokdorf")["total_events"]
    counts = {}
    for name, smearing in (
        ("limit", 'smearing = { model = "noise-fano", noise_sigma = "1e-9 eV", fano = 0 }'),
        ("ge", 'smearing = { model = "noise-fano", noise_fwhm = "60 eV" }'),
    ):
        text = _replace(
            _preset("conus-brokdorf"), CONUS_THRESHOLD, CONUS_THRESHOLD + "\n" + smearing
        )
        counts[name] = _predict_json(_write(tmp_path, f"{name}.toml", text))["total_events"]
    assert counts["limit"] == pytest.approx(ideal, rel=1e-6)
    assert counts["ge"] > ideal


def test_adiabatic_lindhard_lowers_the_reactor_count(tmp_path):
    # The adiabatic factor 1 − exp(−T/ξ) < 1 removes ionisation, so fewer events pass.
    plain = _predict_json("conus-brokdorf")["total_events"]
    adiabatic = 'quenching = { model = "lindhard", k = 0.18, Z = 32, xi_kevnr = 0.16 }'
    text = _replace(_preset("conus-brokdorf"), CONUS_QUENCHING, adiabatic)
    assert _predict_json(_write(tmp_path, "adiabatic.toml", text))["total_events"] < plain


# ----------------------------------------------------------------------- 5. efficiencies


@pytest.mark.parametrize(
    ("a", "message"),
    [
        ("5", "response.energy_efficiency: logistic efficiency (a=5, b=0.285979, c=10.8646, "
              "d=-0.333322) reaches 4.667 for large x (a + d); an efficiency must lie in [0, 1]"),
        ("-1.32045", "response.energy_efficiency: logistic efficiency (a=-1.32045"),
    ],
)  # fmt: skip
def test_a_logistic_efficiency_outside_zero_one_is_refused(tmp_path, a, message):
    text = _replace(_preset("coherent-csi-2021"), "a = 1.32045, b", f"a = {a}, b")
    error = _refused(_write(tmp_path, "csi.toml", text))
    assert error.startswith(f"error: {message}")


# ------------------------------------------------------------------------ 6. time bins


def test_one_wide_time_bin_holds_what_many_narrow_ones_do(tmp_path):
    # Done criterion of the audit: the CsI preset with its time axis replaced by one
    # [0, 1000] µs bin predicts the same total as with 1000 bins of 1 µs, to 1e-4 (the
    # adaptive integration gives 1e-12).
    text = _preset("coherent-csi-2021")
    old = "time_edges = [0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1, 2, 4, 6]"
    one = _replace(text, old, "time_edges = [0, 1000]")
    many = _replace(text, old, f"time_edges = {list(range(1001))!r}")
    wide = _predict_json(_write(tmp_path, "one.toml", one))["total_events"]
    narrow = _predict_json(_write(tmp_path, "many.toml", many))["total_events"]
    assert wide == pytest.approx(narrow, rel=1e-4)
    assert wide == pytest.approx(narrow, rel=1e-10)
    assert wide == pytest.approx(345.858, abs=0.001)


def test_time_templates_against_adaptive_quadrature():
    # Independent calculation: scipy's adaptive quadrature of ρ_f(t) ε(t), split by hand
    # at the pulse and the efficiency's onset, over a narrow and a very wide bin.
    experiment = build_experiment(load_experiment("coherent-csi-2021"))
    source, efficiency = experiment.flux.source, experiment.time_efficiency
    edges = np.array([0.3, 0.7, 1000.0]) * us
    got = time_bin_integrals(source, ("nu_mu", "nu_e"), edges, efficiency)
    for flavor in ("nu_mu", "nu_e"):

        def integrand(t: float, f: str = flavor) -> float:
            x = np.array([t])
            return float(source.time_density(f, x)[0] * efficiency(x)[0])

        pieces = [(0.3, 0.52), (0.52, 0.7), (0.7, 1.5), (1.5, 10), (10, 100), (100, 1000)]
        values = [
            integrate.quad(integrand, a * us, b * us, epsabs=1e-15, epsrel=1e-12, limit=500)[0]
            for a, b in pieces
        ]
        expected = [sum(values[:2]), sum(values[2:])]
        assert got[flavor] == pytest.approx(expected, rel=1e-9, abs=1e-13)


# ------------------------------------------------------------------ 7. flux in the window


def test_the_report_gives_the_flux_fraction_in_the_time_window():
    report = _predict_json("coherent-ge-mini")
    fractions = report["flux_fraction_in_time_window"]
    assert set(fractions) == {"nu_mu", "nu_e", "nu_mu_bar"}
    # Independent: quadrature of the emission-time density over the −0.5 … 6 µs window.
    source = build_experiment(load_experiment("coherent-ge-mini")).flux.source
    for flavor, fraction in fractions.items():
        value = integrate.quad(
            lambda t, f=flavor: float(source.time_density(f, np.array([t]))[0]),
            -0.5 * us,
            6.0 * us,
            points=[0.0, 1.0 * us],
            epsabs=1e-13,
            limit=200,
        )[0]
        assert fraction == pytest.approx(value, abs=1e-9)
    # The presets' window keeps the prompt flux and drops 6.6 % of the delayed flux
    # (about exp(−6 µs/τ_μ) = 6.5 %, the muon decays after the window).
    assert fractions["nu_mu"] > 0.999
    assert 1 - fractions["nu_e"] == pytest.approx(math.exp(-6.0 / 2.197), abs=0.002)
    assert _predict_json("conus-brokdorf")["flux_fraction_in_time_window"] == {"nu_e_bar": 1.0}
