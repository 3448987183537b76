"""Analysis documents end to end: round trips of the presets, a dataset that is not a
preset fitted, scanned and limited from the command line, and the document mechanics
(path resolution, comma-separated tables, arrival-time tables, priors, spreads)."""

from __future__ import annotations

import importlib.util
import itertools
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cevns.cli.app import app
from cevns.experiments.load import load_experiment

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
TOY_FOLDER = ROOT / "docs" / "examples" / "toy-release"


def _toy_generator():
    spec = importlib.util.spec_from_file_location(
        "make_toy_release", ROOT / "scripts" / "make_toy_release.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _json(arguments: list[str]) -> dict:
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ------------------------------------------------------------------ preset round trips


@pytest.fixture(scope="module")
def preset_copies(tmp_path_factory, shared_data_dir):
    """The presets as printed by `cevns experiment show NAME --toml`, saved to files."""
    folder = tmp_path_factory.mktemp("copies")
    paths = {}
    for name in ("coherent-csi-2021", "coherent-lar-2020"):
        result = runner.invoke(app, ["experiment", "show", name, "--toml"])
        assert result.exit_code == 0, result.output
        paths[name] = folder / f"my-{name}.toml"
        paths[name].write_text(result.stdout, encoding="utf-8")
    return paths


def _fit_numbers(report: dict) -> list[float]:
    numbers = [report["chi2"]]
    for entry in report["experiments"]:
        numbers += [entry["cevns_events"]["value"], entry["cevns_events"]["error"]]
        numbers += list(entry["flux_averaged_cross_section_cm2"].values())
    numbers += [p["value"] for p in report["parameters"].values()]
    return numbers


@pytest.mark.parametrize(
    "names",
    [["coherent-csi-2021"], ["coherent-lar-2020"], ["coherent-csi-2021", "coherent-lar-2020"]],
    ids=["csi", "argon", "joint"],
)
def test_an_unchanged_copy_of_a_preset_fits_to_the_same_numbers(
    names, preset_copies, shared_data_dir
):
    data = ["--data", str(shared_data_dir), "--json"]
    preset = _json(["fit", *names, *data])
    copies = _json(["fit", *[str(preset_copies[n]) for n in names], *data])
    assert _fit_numbers(copies) == pytest.approx(_fit_numbers(preset), rel=1e-6, abs=1e-9)


def test_the_printed_document_is_the_preset():
    text = runner.invoke(app, ["experiment", "show", "coherent-csi-2021", "--toml"]).stdout
    assert text.startswith("# COHERENT CsI[Na], full dataset.")
    assert "[analysis]" in text and "[published]" in text


def test_form_factor_option_overrides_the_document(shared_data_dir):
    """Helm keeps 8 % more CsI events than the document's Klein–Nystrand (docs/experiments.md)."""
    own = _json(["predict", "coherent-csi-2021", "--json"])
    helm = _json(["predict", "coherent-csi-2021", "--form-factor", "helm", "--json"])
    assert own["form_factor"] == "klein-nystrand" and helm["form_factor"] == "helm"
    assert helm["total_events"] / own["total_events"] == pytest.approx(1.078, abs=0.01)


# --------------------------------------------------------- a dataset that is no preset


@pytest.fixture(scope="module")
def toy_release(tmp_path_factory):
    """A fresh synthetic release (seed 7, injected signal scale 1.3) next to the tutorial's
    document."""
    folder = tmp_path_factory.mktemp("toy")
    shutil.copy(TOY_FOLDER / "toy-csi.toml", folder / "toy-csi.toml")
    _toy_generator().write_toy_release(folder, seed=7, signal_scale=1.3)
    return folder / "toy-csi.toml"


def test_a_synthetic_release_recovers_the_injected_signal(toy_release):
    report = _json(["fit", str(toy_release), "--json"])
    scale = report["parameters"]["toy_cevns_scale"]
    # Injected 1.3; the fitted scale's error includes the 10 % flux prior.
    assert abs(scale["value"] - 1.3) < 2 * scale["error"]
    assert 0.05 < scale["error"] < 0.3
    assert report["significance_no_cevns"] > 5
    events = report["experiments"][0]["events_by_component"]
    assert set(events) == {"cevns", "steady-state", "prompt-neutrons"}


def test_a_synthetic_release_is_scanned_and_limited(toy_release, tmp_path):
    scan = _json([
        "scan", str(toy_release), "--param", "toy_cevns_scale=0.5:2.0:7", "--workers", "1",
        "--output", str(tmp_path / "scan.jsonl"), "--json",
    ])  # fmt: skip
    interval = next(i for i in scan["intervals"] if abs(i["confidence_level"] - 0.6827) < 1e-3)
    low, high = interval["segments"][0]
    assert low < 1.3 < high
    limit = _json([
        "limit", str(toy_release), "--mass", "zprime_mass=10:1000:3:log", "--coupling",
        "zprime_universal_g", "--workers", "1", "--output", str(tmp_path / "limit.jsonl"),
        "--json",
    ])  # fmt: skip
    limits = [row["limit"] for row in limit["rows"]]
    assert all(value is not None and value > 0 for value in limits)
    # A heavy mediator's coupling limit grows with its mass (g²/m² fixed).
    assert limits[0] < limits[-1]


def test_the_tutorial_dataset_fits_as_the_tutorial_says():
    """docs/analyse-your-own-data.md quotes this fit of the committed toy release."""
    report = _json(["fit", str(TOY_FOLDER / "toy-csi.toml"), "--json"])
    scale = report["parameters"]["toy_cevns_scale"]
    assert scale["value"] == pytest.approx(0.994, abs=0.005)
    assert scale["error"] == pytest.approx(0.132, abs=0.005)
    assert report["chi2"] == pytest.approx(30.7, abs=0.1) and report["ndof"] == 34


# ------------------------------------------------------------------------- mechanics


def _write_toy(folder: Path, **replacements: str) -> Path:
    """A copy of the tutorial document and its files, with text replacements."""
    for path in TOY_FOLDER.iterdir():
        shutil.copy(path, folder / path.name)
    document = folder / "toy-csi.toml"
    text = document.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    document.write_text(text, encoding="utf-8")
    return document


def test_relative_paths_resolve_in_the_document_folder_before_the_data_directory(tmp_path):
    documents = tmp_path / "documents"
    data = tmp_path / "data"
    documents.mkdir()
    data.mkdir()
    document = _write_toy(documents)
    # The data directory holds a different efficiency table under the same name.
    (data / "efficiency.csv").write_text("0,1\n64,1\n", encoding="utf-8")
    near = _json(["predict", str(document), "--data", str(data), "--json"])
    (documents / "efficiency.csv").unlink()
    far = _json(["predict", str(document), "--data", str(data), "--json"])
    assert far["total_events"] > near["total_events"] * 1.1  # unit efficiency from data/


def test_whitespace_and_comma_tables_give_the_same_fit(tmp_path):
    document = _write_toy(tmp_path)
    comma = _json(["fit", str(document), "--json"])
    events = np.loadtxt(tmp_path / "coincident.csv", delimiter=",", skiprows=1)
    np.savetxt(tmp_path / "coincident.txt", events, header="pe time", fmt="%.4f")
    text = document.read_text(encoding="utf-8").replace(
        'file = "coincident.csv", columns = ["observable", "time"], skip_rows = 1',
        'file = "coincident.txt", columns = ["observable", "time"]',
    )
    document.write_text(text, encoding="utf-8")
    spaces = _json(["fit", str(document), "--json"])
    assert spaces["chi2"] == pytest.approx(comma["chi2"], rel=1e-12)


def test_arrival_time_table_sets_the_time_templates(tmp_path):
    """With a tabulated arrival time the engine's time fractions are the table's integral
    over each bin (the time efficiency is 1 here)."""
    from cevns.experiments.build import build_experiment
    from cevns.experiments.engine import PredictionEngine

    document = load_experiment(_write_toy(tmp_path))
    engine = PredictionEngine(build_experiment(document))
    table = np.loadtxt(tmp_path / "arrival-times.csv", delimiter=",", skiprows=1)
    edges = np.asarray(document.binning.time_edges)
    for column, flavor in enumerate(("nu_mu", "nu_e", "nu_mu_bar"), start=1):
        fine = np.linspace(table[0, 0], table[-1, 0], 200_001)
        density = np.interp(fine, table[:, 0], table[:, column])
        cumulative = np.concatenate(
            [[0], np.cumsum(0.5 * (density[1:] + density[:-1]) * np.diff(fine))]
        )
        cumulative /= cumulative[-1]
        expected = np.diff(np.interp(edges, fine, cumulative))
        assert engine.time_templates[flavor] == pytest.approx(expected, abs=1e-6)


def test_lognormal_prior_is_gaussian_in_the_logarithm():
    from cevns.stats.cost import LogNormalConstraint

    prior = LogNormalConstraint("x", 2.0, 0.3)
    assert prior(2.0) == 0.0
    assert prior(2.0 * math.exp(0.3)) == pytest.approx(1.0)
    assert prior(2.0 * math.exp(-0.6)) == pytest.approx(4.0)
    assert prior(0.0) == math.inf


def test_exponential_fractions_limits():
    from cevns.experiments.backgrounds import exponential_fractions

    edges = np.array([0.0, 0.5, 1.0, 2.0, 6.0])
    assert exponential_fractions(edges, 0.0) == pytest.approx(np.diff(edges) / 6.0)
    rate = 0.7
    exact = np.diff(-np.exp(-rate * edges)) / (1 - math.exp(-rate * 6.0))
    assert exponential_fractions(edges, rate) == pytest.approx(exact, rel=1e-12)
    assert exponential_fractions(edges, 1e-14) == pytest.approx(np.diff(edges) / 6.0)


def test_spread_keeps_the_engine_spectrum_and_takes_the_template_shape(shared_data_dir):
    """argon: S[E, F90, t] = s[E] · T[E, F90, t] / Σ_{F90, t} T (arXiv:2006.12659 §5)."""
    from cevns.data.lar2020 import load_lar_2020
    from cevns.stats.assemble import build_analysis

    analysis = build_analysis("coherent-lar-2020", shared_data_dir)
    signal = analysis.data.model.component("cevns").nominal
    template = load_lar_2020(shared_data_dir).cevns.counts
    filled = template.sum(axis=(1, 2)) > 0
    per_energy = signal.sum(axis=(1, 2))
    assert signal[filled] / per_energy[filled, None, None] == pytest.approx(
        template[filled] / template.sum(axis=(1, 2))[filled, None, None]
    )
    assert np.all(signal[~filled] == 0)


def test_schema_command_prints_the_document_schema():
    schema = _json(["schema", "--json"])
    assert {"source", "detector", "analysis", "backgrounds"} <= set(schema["properties"])
    assert "AnalysisSpec" in schema["$defs"]


def test_package_imports_have_no_cycle():
    """Imports point one way (docs/architecture.md): no module of src/cevns reaches back,
    function-level imports included."""
    import ast

    root = ROOT / "src"
    modules = {}
    for path in (root / "cevns").rglob("*.py"):
        name = ".".join(path.relative_to(root).with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            for target in targets:
                if target in modules and target != name and not name.startswith(target + "."):
                    graph[name].add(target)
    state: dict[str, int] = {}
    cycles = []

    def visit(name: str, stack: list[str]) -> None:
        state[name] = 1
        stack.append(name)
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target, stack)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert not cycles, " ; ".join(" -> ".join(c) for c in cycles[:5])


def _analysis(document: Path):
    from cevns.stats.assemble import build_analysis

    return build_analysis(document)


def test_background_efficiency_and_rate_per_exposure(tmp_path):
    """A flat background of 5e-22 events per proton (2e23 protons: 100 events) through the
    document's tabulated efficiency: 100 × (bin width share) × (bin-averaged efficiency)."""
    document = _write_toy(
        tmp_path,
        **{
            "[analysis]\n": (
                '[[backgrounds]]\nname = "beam-flat"\nshape = "flat"\n'
                'rate = { value = 5e-22, per = "protons" }\napply_efficiency = true\n\n'
                "[analysis]\n"
            )
        },
    )
    analysis = _analysis(document)
    histogram = analysis.data.model.component("beam-flat").expected({"toy_csi_beam_flat_norm": 1.0})
    spec = load_experiment(document)
    pe = np.asarray(spec.binning.observable_edges, float)
    time = np.asarray(spec.binning.time_edges, float)
    table = np.loadtxt(tmp_path / "efficiency.csv", delimiter=",")
    fine = [np.linspace(a, b, 2001) for a, b in itertools.pairwise(pe)]
    efficiency = np.array([np.interp(x, table[:, 0], table[:, 1]).mean() for x in fine])
    expected = 100.0 * np.outer(np.diff(pe) / 64.0 * efficiency, np.diff(time) / 6.0)
    assert histogram == pytest.approx(expected, rel=2e-3)


def test_background_only_sample_constrains_its_background(tmp_path):
    """A beam-off sample that sees only the steady state (like the anti-coincident one)
    is a second, auxiliary Poisson term of the same component."""
    analysis = _analysis(_write_toy(tmp_path))
    auxiliary = [s for s in analysis.samples if s.auxiliary]
    assert [c.name for c in auxiliary[0].model.components] == ["steady-state"]
    events = np.loadtxt(tmp_path / "anticoincident.csv", delimiter=",", skiprows=1)
    inside = (events[:, 0] < 64) & (events[:, 1] < 6)
    assert auxiliary[0].observed.sum() == inside.sum()


def test_response_systematics_refold_light_yield_and_pulse(tmp_path):
    """A lower light yield moves events to lower PE; a later pulse moves them later."""
    document = _write_toy(
        tmp_path,
        **{
            'arrival_times = { table = { file = "arrival-times.csv", columns = ["time", '
            '"nu_mu", "nu_e", "nu_mu_bar"], skip_rows = 1 } }': (
                'pulse = { shape = "gaussian", mean = "0.3 us", fwhm = "340 ns" }'
            ),
            '[[analysis.samples]]\nname = "coincident"': (
                "[[analysis.signal.systematics]]\n"
                'parameter = "toy_light_yield"\nkind = "response"\n'
                "up = { light_yield_pe_per_kevee = 16.0 }\n\n"
                "[[analysis.signal.systematics]]\n"
                'parameter = "toy_pulse"\nkind = "response"\n'
                'up = { pulse_mean = "0.5 us" }\n\n'
                '[[analysis.samples]]\nname = "coincident"'
            ),
        },
    )
    analysis = _analysis(document)
    signal = analysis.data.model.component("cevns")
    light, pulse = signal.shape_systematics
    nominal = signal.nominal
    brighter = nominal * light.up
    later = nominal * pulse.up
    mean_pe = (nominal.sum(axis=1) * np.arange(7)).sum() / nominal.sum()
    assert (brighter.sum(axis=1) * np.arange(7)).sum() / brighter.sum() > mean_pe
    assert later[:, 0].sum() < nominal[:, 0].sum() and later[:, -1].sum() > nominal[:, -1].sum()
    # Mirrored down variants: 2 − up.
    assert light.down == pytest.approx(np.maximum(2.0 - light.up, 0.0))


def test_a_byte_order_mark_is_read(tmp_path):
    document = _write_toy(tmp_path)
    plain = _json(["fit", str(document), "--json"])
    path = tmp_path / "coincident.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    marked = _json(["fit", str(document), "--json"])
    assert marked["chi2"] == pytest.approx(plain["chi2"], rel=1e-12)
