"""Tests of cevns.data.csi2021 against the public COHERENT CsI[Na] release (arXiv:2110.07730).

The facts of the analysis that are not in the release files (exposure, detector, response,
binning, published results) live in the ``coherent-csi-2021`` document; the tests read
them from there. The data tests read ``../shared/data`` (or ``CEVNS_DATA_DIR``) and skip
when it is absent.
"""

from __future__ import annotations

import math
import re
import shutil
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from cevns.data import ReleaseChecksumError, binned_counts, load_csi_2021, verify_release
from cevns.data.csi2021 import CsI2021Release
from cevns.errors import CevnsInputError
from cevns.experiments.build import build_experiment
from cevns.experiments.histograms import binning_axes
from cevns.experiments.load import load_experiment
from cevns.units import MeV, keV, kg, m, ns, us

RELEASE = "coherent-csi-2021"
DOCUMENT = load_experiment(RELEASE)
#: The analysis bins of the document, in internal units (PE are pure numbers).
PE_EDGES, TIME_EDGES = (axis.internal_edges for axis in binning_axes(DOCUMENT))


@pytest.fixture(scope="module")
def csi_dir(shared_data_dir: Path) -> Path:
    if not (shared_data_dir / RELEASE).is_dir():
        pytest.skip(f"{RELEASE} not found in {shared_data_dir}")
    return shared_data_dir


@pytest.fixture(scope="module")
def release(csi_dir: Path) -> CsI2021Release:
    return load_csi_2021(csi_dir)


@pytest.fixture
def copy_dir(csi_dir: Path, tmp_path: Path) -> Path:
    """A temporary data directory holding a copy of the release (to tamper with)."""
    shutil.copytree(csi_dir / RELEASE, tmp_path / RELEASE)
    return tmp_path


def _published(key: str) -> float:
    return DOCUMENT.published_value(key).value


# --- the document's facts (arXiv:2110.07730, as collected in ../shared/data/README.md) --


def test_document_quantities_in_internal_units() -> None:
    # Each dimensional entry of the TOML text, read back from the parsed document in its
    # own unit: the parser applied the unit, whatever the internal scale.
    text = resources.files("cevns.experiments.presets").joinpath(f"{RELEASE}.toml").read_text()
    raw = tomllib.loads(text)
    units = {"kg": kg, "m": m, "us": us, "ns": ns}

    def number_and_unit(entry: str) -> tuple[float, float]:
        match = re.fullmatch(r"\s*([-+0-9.eE]+)\s*(\w+)\s*", entry)
        assert match, entry
        return float(match.group(1)), units[match.group(2)]

    for parsed, entry in (
        (DOCUMENT.detector.mass, raw["detector"]["mass"]),
        (DOCUMENT.detector.distance, raw["detector"]["distance"]),
        (DOCUMENT.source.pulse.mean, raw["source"]["pulse"]["mean"]),
        (DOCUMENT.source.pulse.fwhm, raw["source"]["pulse"]["fwhm"]),
        (DOCUMENT.response.time_efficiency.onset, raw["response"]["time_efficiency"]["onset"]),
    ):
        value, unit = number_and_unit(entry)
        assert parsed / unit == pytest.approx(value, rel=1e-12), entry
    experiment = build_experiment(DOCUMENT)
    assert experiment.flux.units_of_source == DOCUMENT.exposure.protons_on_target
    assert experiment.detector_mass == pytest.approx(DOCUMENT.detector.mass, rel=1e-12)


def test_time_efficiency_follows_the_document() -> None:
    # 1 before the onset, exp(−rate (t − onset)) after (arXiv:2110.07730 supplement).
    spec = DOCUMENT.response.time_efficiency
    efficiency = build_experiment(DOCUMENT).time_efficiency
    onset = spec.onset
    assert float(efficiency(0.5 * onset)) == pytest.approx(1.0)
    after = float(efficiency(onset + 2 * us))
    assert after == pytest.approx(math.exp(-2 * spec.decay_rate_per_us), rel=1e-9)


def test_published_numbers_are_consistent() -> None:
    # The measured over the Standard-Model cross section is about the best-fit over the
    # expected CEvNS count (169/189 = 0.894 against 306/333 = 0.919: within 3 %); a typo
    # in either pair would break it.
    measured = _published("measured_flux_averaged_cross_section_cm2")
    ratio = measured / _published("flux_averaged_cross_section_cm2")
    counts = _published("cevns_best_fit") / _published("cevns_expected")
    assert ratio == pytest.approx(counts, rel=0.03)
    # The expected backgrounds of the document are the paper's, next to its best fit
    # (within the width of each prior).
    for background in DOCUMENT.backgrounds:
        if background.counts is not None:
            best_fit = _published(f"{background.name}_best_fit")
            assert abs(background.counts - best_fit) <= background.counts * background.uncertainty
    # χ²/dof: 99 analysis bins and one free CEvNS normalisation.
    bins = (PE_EDGES.size - 1) * (TIME_EDGES.size - 1)
    assert _published("ndof") == bins - 1


def test_gamma_smearing_mean_is_the_light_yield() -> None:
    # The mean of Gamma(shape 1 + b, scale 1/(a(1 + b))) is 1/a = E_ee / a_coefficient
    # (a = a_coefficient/E_ee, b = b_coefficient·E_ee, E_ee in keVee): the light yield to
    # its quoted precision (13.351 against 13.35 PE/keVee).
    response = DOCUMENT.response
    energy = 5.0  # keVee
    a = response.smearing.a / energy
    b = response.smearing.b * energy
    mean = (1 + b) / (a * (1 + b))
    assert mean == pytest.approx(response.light_yield_pe_per_kevee * energy, rel=1e-3)


def test_analysis_binning_is_9_by_11() -> None:
    # arXiv:2110.07730: 9 PE bins × 11 t_rec bins, 0 ≤ PE < 60, 0 ≤ t < 6 µs.
    assert PE_EDGES.size - 1 == 9
    assert TIME_EDGES.size - 1 == 11
    assert PE_EDGES[[0, -1]].tolist() == [0.0, 60.0]
    assert (TIME_EDGES[[0, -1]] / us).tolist() == pytest.approx([0.0, 6.0])


# --- binned_counts ----------------------------------------------------------------


def _events(pe: list[float], time_us: list[float]) -> np.ndarray:
    events = np.empty(len(pe), dtype=[("pe", float), ("time", float)])
    events["pe"] = pe
    events["time"] = np.asarray(time_us) * us
    return events


def test_binned_counts_bins_are_half_open() -> None:
    events = _events([0.0, 8.0, 59.999, 60.0, -1.0, 10.0], [0.0, 0.125, 5.9, 1.0, 1.0, 6.0])
    counts = binned_counts(events, PE_EDGES, TIME_EDGES)
    assert counts.shape == (9, 11)
    assert counts.sum() == 3  # PE = 60, PE < 0 and t = 6 µs are outside
    assert counts[0, 0] == 1 and counts[1, 1] == 1 and counts[8, 10] == 1


@pytest.mark.parametrize(
    ("pe_edges", "message"),
    [([0.0], "at least two"), ([0.0, 5.0, 5.0], "strictly increasing"), ([0, np.nan], "finite")],
)
def test_binned_counts_rejects_bad_edges(pe_edges: list[float], message: str) -> None:
    with pytest.raises(CevnsInputError, match=message):
        binned_counts(_events([1.0], [1.0]), pe_edges, TIME_EDGES)


def test_binned_counts_rejects_plain_arrays() -> None:
    with pytest.raises(CevnsInputError, match="structured array with fields pe and time"):
        binned_counts(np.zeros((3, 2)), PE_EDGES, TIME_EDGES)


# --- the release ---------------------------------------------------------------------


@pytest.mark.data
def test_event_counts(release: CsI2021Release) -> None:
    assert release.coincident_events.size == 5142
    assert release.anticoincident_events.size == 4890
    for events in (release.coincident_events, release.anticoincident_events):
        assert events.dtype.names == ("pe", "time")
        assert not events.flags.writeable
        assert np.all(events["pe"] > 0) and np.all(events["pe"] < 250)
        assert np.all(events["time"] >= 0) and np.all(events["time"] < 12 * us)


@pytest.mark.data
def test_first_event_in_internal_units(release: CsI2021Release) -> None:
    # dataBeamOnC.txt, first event: 111.189 PE at 2.24 µs.
    assert release.coincident_events["pe"][0] == pytest.approx(111.189)
    assert release.coincident_events["time"][0] / us == pytest.approx(2.24)


@pytest.mark.data
@pytest.mark.parametrize("window", ["coincident_events", "anticoincident_events"])
def test_binned_total_is_the_fit_region(release: CsI2021Release, window: str) -> None:
    events = getattr(release, window)
    counts = binned_counts(events, PE_EDGES, TIME_EDGES)
    in_region = (
        (events["pe"] >= PE_EDGES[0])
        & (events["pe"] < PE_EDGES[-1])
        & (events["time"] >= TIME_EDGES[0])
        & (events["time"] < TIME_EDGES[-1])
    )
    assert counts.shape == (9, 11)
    assert counts.sum() == np.count_nonzero(in_region)
    # No event sits on an outer edge, so numpy's histogram2d (last bin closed) agrees.
    reference, _, _ = np.histogram2d(events["pe"], events["time"], bins=[PE_EDGES, TIME_EDGES])
    assert np.array_equal(counts, reference)


@pytest.mark.data
def test_coincident_region_count_near_best_fit(release: CsI2021Release) -> None:
    # 1578 events in the fit region; the published best-fit total (steady state, BRN,
    # NIN and CEvNS: 1601) is within 1σ (√1601 ≈ 40).
    total = binned_counts(release.coincident_events, PE_EDGES, TIME_EDGES).sum()
    assert total == 1578
    keys = ("steady_state_best_fit", "brn_best_fit", "nin_best_fit", "cevns_best_fit")
    best_fit = sum(_published(key) for key in keys)
    assert abs(total - best_fit) < math.sqrt(total)


@pytest.mark.data
def test_background_shapes(release: CsI2021Release) -> None:
    for shape in (release.brn_pe_shape, release.nin_pe_shape):
        assert shape.centres.size == 250
        assert shape.width == pytest.approx(1.0)
        assert shape.edges[[0, -1]].tolist() == pytest.approx([0.0, 250.0])
    for shape in (release.brn_time_shape, release.nin_time_shape):
        assert shape.centres.size == 650
        assert shape.width / us == pytest.approx(0.01)
        assert (shape.edges[[0, -1]] / us).tolist() == pytest.approx([-0.25, 6.25])
    for shape in (
        release.brn_pe_shape,
        release.brn_time_shape,
        release.nin_pe_shape,
        release.nin_time_shape,
    ):
        assert shape.weights.sum() == pytest.approx(1.0, abs=1e-12)
        assert np.all(shape.weights >= 0)
        assert not shape.weights.flags.writeable


@pytest.mark.data
def test_efficiency_coefficients(release: CsI2021Release) -> None:
    curves = release.energy_efficiency_coefficients
    assert list(curves) == ["nominal", "plus_1sigma", "minus_1sigma"]
    # effCoefficients.txt, nominal row: 1.32045 0.285979 10.8646 -0.333322.
    nominal = curves["nominal"]
    assert (nominal.a, nominal.b, nominal.c, nominal.d) == (1.32045, 0.285979, 10.8646, -0.333322)
    x = 10.0
    expected = 1.32045 / (1 + math.exp(-0.285979 * (x - 10.8646))) - 0.333322
    assert curves["nominal"](x) == pytest.approx(expected)
    assert curves["plus_1sigma"](x) > curves["nominal"](x) > curves["minus_1sigma"](x)
    for curve in curves.values():
        assert curve(60.0) == pytest.approx(0.987, abs=0.002)  # plateau a + d
        assert curve(0.0) == 0.0


@pytest.mark.data
def test_quenching_coefficients(release: CsI2021Release) -> None:
    models = release.quenching_coefficients
    assert set(models) == {
        "nominal",
        "model0_plus_1sigma",
        "model0_minus_1sigma",
        "model1_plus_1sigma",
        "model1_minus_1sigma",
    }
    # scintRespCoefficients.txt, nominal: 0.0554628 4.30681 -111.707 840.384 (MeVee vs MeVnr).
    x = 0.010
    expected = 0.0554628 * x + 4.30681 * x**2 - 111.707 * x**3 + 840.384 * x**4
    nominal = models["nominal"].electron_equivalent(10 * keV)
    assert nominal / MeV == pytest.approx(expected)
    # About 8.8 % of a 10 keV recoil becomes scintillation; every variant within 5 %.
    assert nominal / (10 * keV) == pytest.approx(0.088, abs=0.001)
    for model in models.values():
        assert model.electron_equivalent(10 * keV) == pytest.approx(nominal, rel=0.05)


@pytest.mark.data
def test_verify_clean_release(csi_dir: Path) -> None:
    assert verify_release(RELEASE, csi_dir) == []


@pytest.mark.data
def test_tampered_copy_is_detected(copy_dir: Path) -> None:
    path = copy_dir / RELEASE / "dataBeamOnC.txt"
    path.write_text(path.read_text().replace("111.189 2.24", "111.189 2.25", 1))
    problems = verify_release(RELEASE, copy_dir)
    assert len(problems) == 1 and "dataBeamOnC.txt" in problems[0]
    with pytest.raises(ReleaseChecksumError, match=r"dataBeamOnC\.txt: SHA-256 is") as caught:
        load_csi_2021(copy_dir)
    assert "\n" not in str(caught.value)
    # Without verification the changed file is read as it is.
    loaded = load_csi_2021(copy_dir, verify=False)
    assert loaded.coincident_events["time"][0] / us == pytest.approx(2.25)


@pytest.mark.data
def test_missing_file_is_detected(copy_dir: Path) -> None:
    (copy_dir / RELEASE / "ninTrec.txt").unlink()
    with pytest.raises(ReleaseChecksumError, match=r"ninTrec\.txt: missing"):
        load_csi_2021(copy_dir)


@pytest.mark.data
def test_damaged_files_name_themselves_without_verification(copy_dir: Path) -> None:
    folder = copy_dir / RELEASE
    (folder / "effCoefficients.txt").write_text("# Nominal efficiency model\n1 2 3\n")
    with pytest.raises(CevnsInputError, match=r"effCoefficients\.txt must give four"):
        load_csi_2021(copy_dir, verify=False)
    text = "# Nominal efficiency model\n1 2 3 4\n# Syst model, +1 sigma\n1 2 3 4\n"
    (folder / "effCoefficients.txt").write_text(text)
    with pytest.raises(CevnsInputError, match="must hold the models"):
        load_csi_2021(copy_dir, verify=False)


@pytest.mark.data
def test_event_count_is_checked(copy_dir: Path) -> None:
    path = copy_dir / RELEASE / "dataBeamOnAC.txt"
    path.write_text(path.read_text() + "10.0 1.0\n")
    with pytest.raises(CevnsInputError, match=r"dataBeamOnAC\.txt must list 4890 events"):
        load_csi_2021(copy_dir, verify=False)


@pytest.mark.data
def test_non_uniform_shape_is_rejected(copy_dir: Path) -> None:
    path = copy_dir / RELEASE / "brnPE.txt"
    path.write_text(path.read_text().replace("2.5 0\n", "2.6 0\n", 1))
    with pytest.raises(CevnsInputError, match=r"brnPE\.txt must have uniformly spaced"):
        load_csi_2021(copy_dir, verify=False)
