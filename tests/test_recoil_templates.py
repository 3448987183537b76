"""Dark-matter-detector response: mono-energetic recoil templates, grids, histogram files.

Synthetic releases written here (HDF5 in the XENONnT layout) check the folding against an
independent calculation: n_k = ∫ dN/dT ε_k(T) dT by adaptive quadrature of the engine's
recoil spectrum (scipy.integrate.quad_vec), against the engine's fast path.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import h5py
import numpy as np
import pytest
from scipy.integrate import quad_vec

from cevns.data.hdf5_histograms import read_hdf5_histogram
from cevns.detectors.recoil_templates import hat_weights
from cevns.detectors.template_grid import GridHistograms
from cevns.errors import CevnsInputError
from cevns.experiments.build import build_experiment
from cevns.experiments.engine import PredictionEngine
from cevns.experiments.load import load_experiment
from cevns.experiments.template_schema import RecoilTemplatesSpec, pattern_fields
from cevns.stats.assemble import build_analysis
from cevns.units import keV

EDGES = (np.array([0.0, 1.0, 2.0]), np.array([10.0, 20.0, 30.0, 40.0]))
ENERGIES = np.round(np.arange(0.5, 5.01, 0.5), 3)
GRID = (-1.0, 0.0, 1.0)


def write_histogram(path: Path, contents: np.ndarray, edges=EDGES) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as handle:
        for index, axis_edges in enumerate(edges):
            dataset = handle.create_dataset(f"bins/{index}", data=axis_edges)
            dataset.attrs["name"] = f"axis{index}"
        handle.create_dataset("templates/template", data=contents)


def efficiency(energy: float, shift: float) -> np.ndarray:
    """A smooth synthetic detection efficiency per bin (2 × 3), ≤ 1 in total."""
    weights = np.arange(1.0, 7.0).reshape(2, 3) / 21.0
    rise = 0.9 * (1.0 - np.exp(-(energy - 0.5) / 1.5)) * (1.0 + 0.1 * shift)
    return weights * rise


def write_release(folder: Path) -> None:
    for ly in GRID:
        for energy in ENERGIES:
            write_histogram(
                folder / f"mono/mono_{energy:.3f}_ly_{ly:.1f}.h5", efficiency(energy, ly)
            )
        write_histogram(folder / f"bg/bg_ly_{ly:.1f}.h5", np.full((2, 3), 2.0 + ly))
    write_histogram(folder / "flat.h5", np.full((2, 3), 0.5))
    events = "a,b\n0.5,15\n1.5,35\n1.2,25\n0.2,12\n"
    (folder / "events.csv").write_text(events)


DOCUMENT = """
schema_version = 1
name = "synthetic-dm"
[source]
kind = "monochromatic"
energy = "15 MeV"
flavor = "nu_e"
neutrinos_per_unit = 1e35
[exposure]
exposure = "2 t yr"
[detector]
material = "Xe"
mass = "1 t"
distance = "1 AU"
[response.recoil_templates]
file = "mono/mono_{energy:.3f}_ly_{ly:.1f}.h5"
energies = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]
grid = { ly = [-1, 0, 1] }
[binning]
observable = "template-bins"
[[backgrounds]]
name = "flat"
shape = "histogram"
histogram = { file = "flat.h5", per = "t yr" }
uncertainty = 0.1
[[backgrounds]]
name = "moving"
shape = "histogram"
histogram = { file = "bg/bg_ly_{ly:.1f}.h5", grid = { ly = [-1, 0, 1] } }
[analysis]
axes = [{ name = "a", edges = [0, 1, 2] }, { name = "b", edges = [10, 20, 30, 40] }]
[[analysis.samples]]
name = "events"
data = { file = "events.csv", columns = ["a", "b"], skip_rows = 1 }
[analysis.parameters.ly]
prior = { kind = "gaussian", mean = 0.0, sigma = 1.0 }
"""


@pytest.fixture
def release(tmp_path: Path) -> Path:
    write_release(tmp_path)
    (tmp_path / "doc.toml").write_text(DOCUMENT)
    return tmp_path


def test_grid_interpolation_is_exact_at_points_and_bilinear_between() -> None:
    values = (np.array([0.0, 1.0, 3.0]), np.array([-1.0, 1.0]))
    histograms = np.arange(6.0).reshape(3, 2, 1) ** 2  # H[i, j] = (2i + j)²
    grid = GridHistograms(("x", "y"), values, histograms)
    for i, x in enumerate(values[0]):
        for j, y in enumerate(values[1]):
            assert grid.at({"x": x, "y": y})[0] == histograms[i, j, 0]
    # Bilinear by hand at x = 2 (halfway between 1 and 3), y = 0 (halfway).
    expected = 0.25 * (histograms[1, 0] + histograms[1, 1] + histograms[2, 0] + histograms[2, 1])
    assert grid.at({"x": 2.0, "y": 0.0})[0] == pytest.approx(expected[0], rel=1e-14)
    # Outside the grid: the edge value.
    assert grid.at({"x": 10.0, "y": -5.0})[0] == histograms[2, 0, 0]
    assert grid.nominal_point == {"x": 0.0, "y": 0.0}
    assert grid.bounds == {"x": (0.0, 3.0), "y": (-1.0, 1.0)}


def test_hat_weights_interpolate_linearly_and_respect_the_range() -> None:
    energies = np.array([1.0, 2.0, 4.0])
    recoil = np.array([0.5, 1.0, 1.5, 3.0, 4.0, 5.0])
    hold = hat_weights(recoil, energies, "hold")
    np.testing.assert_allclose(hold.sum(axis=0), [0, 1, 1, 1, 1, 1])
    np.testing.assert_allclose(hold[:, 2], [0.5, 0.5, 0.0])
    np.testing.assert_allclose(hold[:, 3], [0.0, 0.5, 0.5])
    zero = hat_weights(recoil, energies, "zero")
    assert zero[:, -1].sum() == 0.0


def test_folding_matches_quadrature_of_the_recoil_spectrum(release: Path) -> None:
    experiment = build_experiment(load_experiment(release / "doc.toml"))
    engine = PredictionEngine(experiment)
    fast = engine.histogram()[:, 0]
    templates = experiment.recoil_templates
    t_max = max(k.recoil[-1] for k in engine.kernels)

    def integrand(t: float) -> np.ndarray:
        rate = sum(engine.recoil_spectrum(np.array([t])).values())[0]
        return rate * templates.matrix(np.array([t]))[:, 0]

    points = [e for e in templates.energies if e < t_max]
    slow, _ = quad_vec(integrand, 0.0, t_max, points=points, epsrel=1e-9)
    np.testing.assert_allclose(fast, slow, rtol=1e-6)
    assert t_max > 3 * keV  # the test spans several templates


def test_template_grid_histograms_interpolate_the_folded_signal(release: Path) -> None:
    experiment = build_experiment(load_experiment(release / "doc.toml"))
    engine = PredictionEngine(experiment)
    grid = engine.template_grid_histograms()
    np.testing.assert_allclose(grid.at({"ly": 0.0}), engine.histogram(), rtol=1e-12)
    # The synthetic efficiency scales by (1 + 0.1 ly): so does the folded signal.
    np.testing.assert_allclose(grid.at({"ly": 1.0}), 1.1 * engine.histogram(), rtol=1e-12)
    np.testing.assert_allclose(grid.at({"ly": -0.5}), 0.95 * engine.histogram(), rtol=1e-12)


def test_document_analysis_with_histogram_backgrounds(release: Path) -> None:
    analysis = build_analysis(release / "doc.toml")
    assert analysis.limits["ly"] == (-1.0, 1.0)  # a grid parameter is bounded by its grid
    sample = analysis.data
    values = {**analysis.start}
    by_component = sample.model.expected_by_component(values)
    # 0.5 per t yr per bin × 2 t yr × 6 bins; the moving background as stored (2 per bin).
    assert by_component["flat"].sum() == pytest.approx(6.0, rel=1e-12)
    assert by_component["moving"].sum() == pytest.approx(12.0, rel=1e-12)
    moved = sample.model.expected_by_component({**values, "ly": 1.0})
    assert moved["moving"].sum() == pytest.approx(18.0, rel=1e-12)
    assert moved["cevns"].sum() == pytest.approx(1.1 * by_component["cevns"].sum(), rel=1e-12)
    assert sample.observed.sum() == 4


def test_refusals(release: Path) -> None:
    base = (release / "doc.toml").read_text()
    cases = {
        'observable = "template-bins"': (
            'observable = "recoil-energy"\nobservable_edges = [1, 2]\nobservable_unit = "keVnr"',
            "write observable = 'template-bins'",
        ),
        "[binning]": (
            '[response.quenching]\nmodel = "constant"\nfactor = 0.2\n[binning]',
            "remove quenching",
        ),
        "grid = { ly = [-1, 0, 1] }\n[binning]": (
            "grid = { ly = [1, 0, -1] }\n[binning]",
            "strictly increasing",
        ),
        'file = "flat.h5"': ('file = "flat_{x}.h5"', "no grid is given"),
        "energies = [0.5, 1.0": ("energies = [1.0, 0.5", "strictly increasing"),
    }
    for old, (new, fragment) in cases.items():
        path = release / "bad.toml"
        path.write_text(base.replace(old, new, 1))
        with pytest.raises(CevnsInputError, match=fragment):
            build_analysis(path)


def test_mismatched_histogram_bins_are_refused(release: Path) -> None:
    write_histogram(release / "flat.h5", np.ones((2, 2)), (EDGES[0], np.array([10.0, 25.0, 40.0])))
    with pytest.raises(CevnsInputError, match="differ from the analysis axes"):
        build_analysis(release / "doc.toml")


def test_efficiency_above_one_is_refused(release: Path) -> None:
    write_histogram(release / "mono/mono_2.000_ly_0.0.h5", np.full((2, 3), 0.5))
    with pytest.raises(CevnsInputError, match="cannot exceed 1"):
        build_analysis(release / "doc.toml")


def test_hdf5_reader_errors(tmp_path: Path) -> None:
    path = tmp_path / "h.h5"
    write_histogram(path, np.ones((2, 3)))
    histogram = read_hdf5_histogram(path, "field")
    assert histogram.axis_names == ("axis0", "axis1")
    with pytest.raises(CevnsInputError, match="no dataset 'templates/other'"):
        read_hdf5_histogram(path, "field", dataset="templates/other")
    (tmp_path / "not.h5").write_text("plain text")
    with pytest.raises(CevnsInputError, match=r"cannot read .* as HDF5"):
        read_hdf5_histogram(tmp_path / "not.h5", "field")
    with pytest.raises(CevnsInputError, match="not found"):
        read_hdf5_histogram(tmp_path / "missing.h5", "field")


def test_pattern_fields_and_energy_ranges() -> None:
    assert pattern_fields("a_{energy:.3f}_{t_ly:.1f}") == ["energy", "t_ly"]
    spec = RecoilTemplatesSpec(
        file="m_{energy:.3f}_{x:.1f}.h5",
        energy_start=0.5,
        energy_stop=5.0,
        energy_step=0.1,
        grid={"x": [0.0, 1.0]},
    )
    values = spec.energy_values()
    assert len(values) == 46 and values[2] == 0.7 and values[-1] == 5.0
    with pytest.raises(ValueError, match="must contain"):
        RecoilTemplatesSpec(file="m_{energy:.3f}.h5", energies=[1, 2], grid={"x": [0.0, 1.0]})
    with pytest.raises(ValueError, match="not grid parameters"):
        RecoilTemplatesSpec(file="m_{energy}_{y}.h5", energies=[1, 2])


def test_edges_from_a_binning_file(release: Path) -> None:
    (release / "binning.yaml").write_text(
        textwrap.dedent(
            """\
            a: [0.0, 1.0, 2.0]
            b: [10.0, 20.0, 30.0, 40.0]
            """
        )
    )
    text = (
        (release / "doc.toml")
        .read_text()
        .replace(
            'axes = [{ name = "a", edges = [0, 1, 2] }, { name = "b", edges = [10, 20, 30, 40] }]',
            'axes = [{ name = "a", edges = { file = "binning.yaml", key = "a" } }, '
            '{ name = "b", edges = { file = "binning.yaml", key = "b" } }]',
        )
    )
    (release / "doc.toml").write_text(text)
    analysis = build_analysis(release / "doc.toml")
    np.testing.assert_allclose(analysis.axes[1][1], [10.0, 20.0, 30.0, 40.0])
    (release / "doc.toml").write_text(text.replace('key = "b"', 'key = "c"'))
    with pytest.raises(CevnsInputError, match="has no key 'c'"):
        build_analysis(release / "doc.toml")


def test_a_recoil_efficiency_curve_and_one_bin_templates_agree(release: Path) -> None:
    """The two descriptions of a dark-matter detector's response give the same counts:
    a tabulated nuclear-recoil efficiency ε(T) on recoil-energy bins, and one-bin
    templates ε(T_e) at the same energies (both linear in T between the nodes)."""
    energies = [0.5, 1.0, 2.0, 3.0, 4.0, 5.0]
    values = [0.0, 0.1, 0.35, 0.5, 0.55, 0.6]
    for energy, value in zip(energies, values, strict=True):
        write_histogram(release / f"one/t_{energy:.3f}.h5", np.array([[value]]),
                        (np.array([0.0, 1.0]), np.array([0.0, 1.0])))  # fmt: skip
    common = """
schema_version = 1
name = "{name}"
[source]
kind = "monochromatic"
energy = "15 MeV"
flavor = "nu_e"
neutrinos_per_unit = 1e35
[exposure]
exposure = "1 t yr"
[detector]
material = "Xe"
mass = "1 t"
distance = "1 AU"
"""
    curve = (
        common.format(name="curve")
        + f"""
[response.energy_efficiency]
model = "tabulated"
x = {energies}
efficiency = {values}
x_unit = "keVnr"
[binning]
observable = "recoil-energy"
observable_edges = [0.0, 50.0]
observable_unit = "keVnr"
"""
    )
    templates = (
        common.format(name="templates")
        + f"""
[response.recoil_templates]
file = "one/t_{{energy:.3f}}.h5"
energies = {energies}
[binning]
observable = "template-bins"
"""
    )
    (release / "curve.toml").write_text(curve)
    (release / "templates.toml").write_text(templates)
    by_curve = PredictionEngine(build_experiment(load_experiment(release / "curve.toml")))
    by_templates = PredictionEngine(build_experiment(load_experiment(release / "templates.toml")))
    assert by_curve.histogram().sum() > 0
    # 1e-5: the efficiency-curve route integrates ε over recoil nodes that do not sit on
    # the curve's kinks (1, 2, 3, 4 keVnr); the template route puts nodes there.
    assert by_templates.histogram().sum() == pytest.approx(by_curve.histogram().sum(), rel=1e-5)
