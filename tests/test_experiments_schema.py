"""Experiment descriptions: presets load, bad TOML is refused with a one-line error."""

import tomllib
from importlib import resources

import pytest

from cevns.errors import CevnsInputError
from cevns.experiments.build import build_experiment
from cevns.experiments.load import load_experiment, parse_experiment, preset_names
from cevns.units import kg, m, tonne

REQUIRED_PRESETS = {
    "coherent-csi-2021",
    "coherent-lar-2020",
    "coherent-ge-mini",
    "coherent-nai-3.5t",
    "coherent-ar-750",
    "sts-ar-10t",
    "conus-brokdorf",
}


def _preset_document(name: str) -> dict:
    text = resources.files("cevns.experiments.presets").joinpath(f"{name}.toml").read_text()
    return tomllib.loads(text)


def test_all_required_presets_exist_and_validate():
    assert set(preset_names()) >= REQUIRED_PRESETS
    for name in preset_names():
        spec = load_experiment(name)
        assert spec.name == name
        assert spec.reference, f"{name} must cite its source"


def _number_and_unit(text: str) -> tuple[float, float]:
    number, unit = text.split()
    return float(number), {"kg": kg, "tonne": tonne, "m": m}[unit]


@pytest.mark.parametrize("name", sorted(REQUIRED_PRESETS))
def test_preset_values_are_read_in_internal_units(name):
    # The detector's mass and distance as written in the TOML text, read back from the
    # parsed document in their own units.
    raw = _preset_document(name)["detector"]
    spec = load_experiment(name)
    for parsed, text in (
        (spec.detector.mass, raw["mass"]),
        (spec.detector.distance, raw["distance"]),
    ):
        number, unit = _number_and_unit(text)
        assert parsed / unit == pytest.approx(number, rel=1e-12), text


def test_csi_exposure_reaches_the_flux():
    spec = load_experiment("coherent-csi-2021")
    experiment = build_experiment(spec)
    assert experiment.flux.units_of_source == spec.exposure.protons_on_target
    assert experiment.pulsed


def _broken(mutate) -> dict:
    document = _preset_document("coherent-csi-2021")
    mutate(document)
    return document


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["detector"].pop("mass"), "detector.mass: this field is required but missing"),
        (
            lambda d: d["detector"].update(mass="14.6 m"),
            "detector.mass: mass has unit 'm', which is a length unit",
        ),
        (lambda d: d["detector"].update(mass="14.6"), "detector.mass: mass needs a unit"),
        (
            lambda d: d["detector"].update(mass="-14.6 kg"),
            "detector.mass: Input should be greater than 0",
        ),
        (
            lambda d: d["detector"].update(distance="19.3 kg"),
            "detector.distance: length has unit 'kg'",
        ),
        (lambda d: d["detector"].update(colour="blue"), "detector.colour: unknown field"),
        (lambda d: d.pop("source"), "source: this field is required but missing"),
        (
            lambda d: d["exposure"].update(beam_energy="13.99 GWh"),
            "exposure: give only one of protons_on_target",
        ),
        (
            lambda d: d["binning"].update(observable_edges=[0, 8, 4]),
            "binning: observable_edges must be strictly increasing",
        ),
        # The likelihood part of the document ([analysis], [published], backgrounds).
        (
            lambda d: d["analysis"]["samples"][1].update(components=["steady-state", "x"]),
            "top level: sample 'anticoincident' names unknown components ['x']",
        ),
        (
            lambda d: d["analysis"]["samples"][0].update(auxiliary=True),
            "analysis: at least one sample must be the measurement",
        ),
        (
            lambda d: d["analysis"]["parameters"].update(flux_norm={"bounds": [2.0, 0.3]}),
            "analysis.parameters.flux_norm: bounds must be [low, high] with low < high",
        ),
        (
            lambda d: d["analysis"]["signal"]["systematics"][0].update(kind="template"),
            "analysis.signal.systematics.0: up of a template systematic must be a table",
        ),
        (
            lambda d: d["backgrounds"][1].update(rate={"value": 1, "per": "protons"}),
            "backgrounds.1: give counts or rate, not both",
        ),
        (
            lambda d: d["published"]["cevns_best_fit"].update(error_low=19),
            "published.cevns_best_fit: give error, or error_low and error_high, not both",
        ),
    ],
)
def test_bad_descriptions_are_refused_naming_the_field(mutate, expected):
    with pytest.raises(CevnsInputError) as info:
        parse_experiment(_broken(mutate), "my.toml")
    message = str(info.value)
    assert message.startswith(f"my.toml: {expected}")
    assert "\n" not in message


def test_unknown_material_and_preset_are_refused():
    with pytest.raises(
        CevnsInputError,
        match=r"^experiment: detector.material: unknown material 'CsJ'; did you mean .*CsI",
    ):
        parse_experiment(_broken(lambda d: d["detector"].update(material="CsJ")))
    with pytest.raises(
        CevnsInputError,
        match="unknown experiment preset 'coherent-csi-2012'; did you mean coherent-csi-2021",
    ):
        load_experiment("coherent-csi-2012")


def test_user_toml_file(tmp_path):
    text = resources.files("cevns.experiments.presets").joinpath("coherent-ar-750.toml").read_text()
    path = tmp_path / "my-argon.toml"
    path.write_text(text.replace('mass = "610 kg"', 'mass = "1 tonne"'))
    spec = load_experiment(path)
    assert spec.detector.mass / kg == pytest.approx(1000)
    (tmp_path / "bad.toml").write_text("name = [")
    with pytest.raises(CevnsInputError, match=r"bad\.toml: not valid TOML"):
        load_experiment(tmp_path / "bad.toml")
    with pytest.raises(CevnsInputError, match="does not exist"):
        load_experiment(tmp_path / "missing.toml")
