"""Tests of cevns.data.csi2021 against the public COHERENT CsI[Na] release (arXiv:2110.07730).

The data tests read ``../shared/data`` (or ``CEVNS_DATA_DIR``) and skip when it is absent.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from cevns.data import ReleaseChecksumError, binned_counts, csi2021, load_csi_2021, verify_release
from cevns.data.csi2021 import (
    ANALYSIS_PE_EDGES,
    ANALYSIS_TIME_EDGES,
    CsI2021Release,
)
from cevns.errors import CevnsInputError
from cevns.units import GWh, MeV, cm2, keV, keVee, kg, m, us

RELEASE = "coherent-csi-2021"


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


# --- constants (arXiv:2110.07730, as collected in ../shared/data/README.md) ----------


def test_cited_constants_in_their_units() -> None:
    assert csi2021.PROTONS_ON_TARGET == 3.198e23
    assert csi2021.INTEGRATED_BEAM_ENERGY / GWh == pytest.approx(13.99)
    assert csi2021.DETECTOR_MASS / kg == pytest.approx(14.6)
    assert csi2021.BASELINE / m == pytest.approx(19.3)
    assert csi2021.NEUTRINOS_PER_FLAVOR_PER_PROTON == 0.0848
    assert csi2021.LIGHT_YIELD * keVee == pytest.approx(13.35)
    assert csi2021.TIME_EFFICIENCY_ONSET / us == pytest.approx(0.52)
    assert csi2021.TIME_EFFICIENCY_DECAY_RATE * us == pytest.approx(0.0494)
    assert csi2021.CROSS_SECTION_MEASURED / cm2 == pytest.approx(169e-40)
    assert csi2021.CROSS_SECTION_STANDARD_MODEL / cm2 == pytest.approx(189e-40)
    assert sum(csi2021.EXPECTED_COUNTS.values()) == 1286 + 18 + 6 + 333
    assert sum(csi2021.BEST_FIT_COUNTS.values()) == 1273 + 17 + 5 + 306
    assert csi2021.BEST_FIT_CHI2 == 82.4
    assert csi2021.BEST_FIT_DEGREES_OF_FREEDOM == 98


def test_gamma_smearing_mean_is_the_light_yield() -> None:
    # The mean of Gamma(shape 1 + b, scale 1/(a(1 + b))) is 1/a = E_ee / (0.0749 keVee),
    # that is 13.351 PE/keVee · E_ee: the light yield to its quoted precision.
    energy = 5 * keVee
    a = csi2021.GAMMA_SMEARING_A / energy
    b = csi2021.GAMMA_SMEARING_B * energy
    mean = (1 + b) / (a * (1 + b))
    assert mean == pytest.approx(csi2021.LIGHT_YIELD * energy, rel=1e-3)


def test_analysis_binning_is_9_by_11() -> None:
    assert ANALYSIS_PE_EDGES.size - 1 == 9
    assert ANALYSIS_TIME_EDGES.size - 1 == 11
    assert ANALYSIS_PE_EDGES[[0, -1]].tolist() == [0.0, 60.0]
    assert (ANALYSIS_TIME_EDGES[[0, -1]] / us).tolist() == pytest.approx([0.0, 6.0])
    with pytest.raises(ValueError, match="read-only"):
        ANALYSIS_PE_EDGES[0] = 1.0


# --- binned_counts ----------------------------------------------------------------


def _events(pe: list[float], time_us: list[float]) -> np.ndarray:
    events = np.empty(len(pe), dtype=[("pe", float), ("time", float)])
    events["pe"] = pe
    events["time"] = np.asarray(time_us) * us
    return events


def test_binned_counts_bins_are_half_open() -> None:
    events = _events([0.0, 8.0, 59.999, 60.0, -1.0, 10.0], [0.0, 0.125, 5.9, 1.0, 1.0, 6.0])
    counts = binned_counts(events, ANALYSIS_PE_EDGES, ANALYSIS_TIME_EDGES)
    assert counts.shape == (9, 11)
    assert counts.sum() == 3  # PE = 60, PE < 0 and t = 6 µs are outside
    assert counts[0, 0] == 1 and counts[1, 1] == 1 and counts[8, 10] == 1


@pytest.mark.parametrize(
    ("pe_edges", "message"),
    [([0.0], "at least two"), ([0.0, 5.0, 5.0], "strictly increasing"), ([0, np.nan], "finite")],
)
def test_binned_counts_rejects_bad_edges(pe_edges: list[float], message: str) -> None:
    with pytest.raises(CevnsInputError, match=message):
        binned_counts(_events([1.0], [1.0]), pe_edges, ANALYSIS_TIME_EDGES)


def test_binned_counts_rejects_plain_arrays() -> None:
    with pytest.raises(CevnsInputError, match="structured array with fields pe and time"):
        binned_counts(np.zeros((3, 2)), ANALYSIS_PE_EDGES, ANALYSIS_TIME_EDGES)


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
    counts = binned_counts(events, ANALYSIS_PE_EDGES, ANALYSIS_TIME_EDGES)
    in_region = (
        (events["pe"] >= 0)
        & (events["pe"] < 60)
        & (events["time"] >= 0)
        & (events["time"] < 6 * us)
    )
    assert counts.shape == (9, 11)
    assert counts.sum() == np.count_nonzero(in_region)
    # No event sits on an outer edge, so numpy's histogram2d (last bin closed) agrees.
    reference, _, _ = np.histogram2d(
        events["pe"], events["time"], bins=[ANALYSIS_PE_EDGES, ANALYSIS_TIME_EDGES]
    )
    assert np.array_equal(counts, reference)


@pytest.mark.data
def test_coincident_region_count_near_best_fit(release: CsI2021Release) -> None:
    # 1578 events in the fit region; the best-fit total 1601 is within 1σ (√1601 ≈ 40).
    total = binned_counts(release.coincident_events, ANALYSIS_PE_EDGES, ANALYSIS_TIME_EDGES).sum()
    assert total == 1578
    assert abs(total - sum(csi2021.BEST_FIT_COUNTS.values())) < math.sqrt(total)


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
