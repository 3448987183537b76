"""Malformed documents and tables through the command line: each is refused with one line
``error: ...`` on standard error naming the offending field or file, exit code 2, and no
traceback.

Every case starts from a small valid synthetic release written in a temporary folder (a
PE × time event list in a header-less comma-separated table, an anti-coincident sample, a
neutron template with a weight column, flat and exponential factors) and breaks one
thing. Likelihood problems go through ``cevns fit``, experiment problems through
``cevns predict``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cevns.cli.app import app

runner = CliRunner()

DOCUMENT = """\
schema_version = 1
name = "toy"
title = "A synthetic CsI-like release"

[source]
kind = "pion-decay-at-rest"
facility = "sns-fts"
neutrinos_per_proton_per_flavor = 0.0848
pulse = { shape = "gaussian", mean = "0.5 us", fwhm = "340 ns" }

[exposure]
protons_on_target = 3.2e23

[detector]
material = "CsI"
mass = "14.6 kg"
distance = "19.3 m"

[response]
quenching = { model = "constant", factor = 0.08 }
light_yield_pe_per_kevee = 13.35

[binning]
observable = "photoelectrons"
observable_edges = [0, 10, 20, 40, 60]
time_edges = [0, 1, 2, 4, 6]

[[backgrounds]]
name = "steady-state"
shape = "separable"
factors = [
    { axis = "observable", table = { file = "anti.csv", columns = ["observable", "time"] } },
    { axis = "time", function = "exponential", rate = 0.0, rate_parameter = "toy_decay" },
]

[[backgrounds]]
name = "neutrons"
shape = "template"
table = { file = "neutrons.csv", columns = ["observable", "time", "weight"] }
counts = 20
uncertainty = 0.25

[[backgrounds]]
name = "flat"
shape = "separable"
counts = 5
factors = [
    { axis = "observable", function = "flat" },
    { axis = "time", function = "exponential", rate = 0.3 },
]

[analysis]
reference = "synthetic"

[analysis.signal]
scale_parameters = ["toy_scale", "flux_norm"]

[[analysis.samples]]
name = "coincident"
data = { file = "coincident.csv", columns = ["observable", "time"] }

[[analysis.samples]]
name = "anticoincident"
data = { file = "anti.csv", columns = ["observable", "time"] }
components = ["steady-state"]
auxiliary = true

[analysis.parameters]
flux_norm = { bounds = [0.3, 2.0], prior = { kind = "gaussian", mean = 1.0, sigma = 0.1 } }
toy_decay = { bounds = [-2.0, 2.0] }

[published]
cevns_expected = { value = 100, error = 10 }
"""

# Lines of DOCUMENT that cases edit (each occurs once).
NEUTRON_TABLE = 'table = { file = "neutrons.csv", columns = ["observable", "time", "weight"] }'
NEUTRON_COUNTS = "counts = 20\n"
FLAT_FACTORS = """\
factors = [
    { axis = "observable", function = "flat" },
    { axis = "time", function = "exponential", rate = 0.3 },
]
"""
ANALYSIS = '[analysis]\nreference = "synthetic"\n'
SIGNAL = '[analysis.signal]\nscale_parameters = ["toy_scale", "flux_norm"]\n'
FLUX_NORM = (
    'flux_norm = { bounds = [0.3, 2.0], prior = { kind = "gaussian", mean = 1.0, sigma = 0.1 } }'
)
DECAY = "toy_decay = { bounds = [-2.0, 2.0] }"


@dataclass
class Toy:
    """A synthetic release in ``folder`` and the text of its document ``toy.toml``."""

    folder: Path
    text: str = DOCUMENT

    @property
    def path(self) -> Path:
        return self.folder / "toy.toml"

    def replace(self, old: str, new: str) -> None:
        assert self.text.count(old) == 1, f"the toy document has no single {old!r}"
        self.text = self.text.replace(old, new)

    def after(self, anchor: str, addition: str) -> None:
        self.replace(anchor, anchor + addition)

    def table(self, name: str, content: str | bytes) -> Path:
        path = self.folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def write(self) -> Path:
        self.path.write_text(self.text, encoding="utf-8")
        return self.path


def _write_release(folder: Path) -> None:
    rng = np.random.default_rng(7)

    def events(count: int, name: str) -> None:
        pe = rng.uniform(0.0, 60.0, count)
        time = rng.exponential(2.0, count) % 6.0
        np.savetxt(folder / name, np.c_[pe, time], delimiter=",", fmt="%.4f")

    events(300, "coincident.csv")
    events(600, "anti.csv")
    pe, time = np.meshgrid(np.arange(2.0, 60.0, 4.0), np.arange(0.25, 6.0, 0.5), indexing="ij")
    weight = np.exp(-pe / 20.0) * np.exp(-((time - 0.8) ** 2))
    np.savetxt(
        folder / "neutrons.csv", np.c_[pe.ravel(), time.ravel(), weight.ravel()],
        delimiter=",", fmt="%.6g",
    )  # fmt: skip


@pytest.fixture
def toy(tmp_path) -> Toy:
    _write_release(tmp_path)
    return Toy(tmp_path)


def _invoke(arguments: list[str]):
    return runner.invoke(app, arguments)


def assert_one_line_refusal(result, *names: str) -> str:
    """Exit code 2, one ``error: `` line on stderr naming each of ``names``, no traceback."""
    output = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}\nexception: {result.exception!r}"
    assert result.exit_code == 2, output
    assert "Traceback" not in result.stdout + result.stderr, output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].strip(), output
    line = lines[0]
    assert line.startswith("error: "), output
    for name in names:
        assert name in line, f"{name!r} not in {line!r}"
    assert result.stdout == "", output
    return line


# --------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    """One malformed document: how it breaks the toy, the command that reads it (with its
    options; ``{folder}`` is the toy's folder) and what the error line must name."""

    id: str
    edit: Callable[[Toy], None]
    names: tuple[str, ...]
    command: tuple[str, ...] = ("fit",)


PREDICT = ("predict",)
SCAN = ("scan", "--param", "toy_scale=0.5:2:3", "--workers", "1", "--output", "{folder}/s.jsonl")
LIMIT = (
    "limit", "--mass", "zprime_mass=10:1000:2:log", "--coupling", "zprime_universal_g",
    "--workers", "1", "--output", "{folder}/l.jsonl",
)  # fmt: skip


def _set(old: str, new: str) -> Callable[[Toy], None]:
    return lambda toy: toy.replace(old, new)


def _add(anchor: str, addition: str) -> Callable[[Toy], None]:
    return lambda toy: toy.after(anchor, addition)


def _both(*edits: Callable[[Toy], None]) -> Callable[[Toy], None]:
    def edit(toy: Toy) -> None:
        for step in edits:
            step(toy)

    return edit


def _table(name: str, content: str | bytes) -> Callable[[Toy], None]:
    return lambda toy: toy.table(name, content)


def _directory_for_file(toy: Toy) -> None:
    (toy.folder / "coincident.csv").unlink()
    (toy.folder / "coincident.csv").mkdir()


def _rows(name: str, row: int, transform: Callable[[str], str]) -> Callable[[Toy], None]:
    """Change one row of the toy's table ``name``."""

    def edit(toy: Toy) -> None:
        path = toy.folder / name
        lines = path.read_text(encoding="utf-8").splitlines()
        lines[row] = transform(lines[row])
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    return edit


def _three_columns(toy: Toy) -> None:
    path = toy.folder / "coincident.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(f"{line},0.5" for line in lines) + "\n", encoding="utf-8")


def _weight(value: str) -> Callable[[str], str]:
    return lambda row: f"{row.rsplit(',', 1)[0]},{value}"


def _first_cell(value: str) -> Callable[[str], str]:
    return lambda row: f"{value},{row.split(',')[1]}"


def _axes(*items: str) -> Callable[[Toy], None]:
    return _add(ANALYSIS, f"axes = [{', '.join(items)}]\n")


def _parameter(line: str) -> Callable[[Toy], None]:
    return _add(DECAY + "\n", line + "\n")


def _neutron_systematic(up: str) -> Callable[[Toy], None]:
    return _add(
        NEUTRON_COUNTS,
        f'systematics = [{{ parameter = "toy_nshape", kind = "template", up = {up} }}]\n',
    )


def _signal_systematic(kind: str, up: str) -> Callable[[Toy], None]:
    return _add(
        SIGNAL,
        f'\n[[analysis.signal.systematics]]\nparameter = "toy_shape"\nkind = "{kind}"\nup = {up}\n',
    )


OBSERVABLE, TIME = '{ name = "observable" }', '{ name = "time" }'
F90 = '{ name = "f90", edges = [0.0, 0.5, 1.0] }'
NEUTRONS = '{ file = "neutrons.csv", columns = ["observable", "time", "weight"] }'
FLAT_OBSERVABLE = '{ axis = "observable", function = "flat" }'
EVENTS = 'data = { file = "coincident.csv", columns = ["observable", "time"] }'

CASES = [
    # ---- table files
    Case(
        "missing-file",
        _set('"coincident.csv"', '"nowhere.csv"'),
        ("analysis.samples.coincident.data", "nowhere.csv", "not found"),
    ),
    Case(
        "missing-background-file",
        _set(
            '"anti.csv", columns = ["observable", "time"] } }',
            '"gone.csv", columns = ["observable", "time"] } }',
        ),
        ("backgrounds.steady-state", "gone.csv", "not found"),
    ),
    Case("folder-for-file", _directory_for_file, ("coincident.csv", "is a folder")),
    Case(
        "non-utf8-table",
        _table("coincident.csv", b"1.0,2.0\n\xff\xfe3.0,4.0\n"),
        ("analysis.samples.coincident.data", "coincident.csv", "UTF-8"),
    ),
    Case(
        "binary-garbage-table",
        _table("coincident.csv", bytes(range(1, 128)) * 4),
        ("analysis.samples.coincident.data", "coincident.csv", "not a numeric table"),
    ),
    Case(
        "random-bytes-table",
        _table("neutrons.csv", bytes(range(256)) * 3),
        ("backgrounds.neutrons.table", "neutrons.csv"),
    ),
    Case(
        "wrong-column-count",
        _three_columns,
        ("coincident.csv", "has 3 columns", "names 2"),
    ),
    Case(
        "ragged-rows",
        _rows("coincident.csv", 4, lambda row: row + ",1.0"),
        ("coincident.csv", "not a numeric table"),
    ),
    Case(
        "non-numeric-cell",
        _rows("coincident.csv", 5, _first_cell("abc")),
        ("coincident.csv", "not a numeric table", "abc"),
    ),
    Case(
        "nan-in-table",
        _rows("neutrons.csv", 3, _weight("nan")),
        ("backgrounds.neutrons.table", "neutrons.csv", "non-finite"),
    ),
    Case(
        "inf-in-table",
        _rows("coincident.csv", 5, _first_cell("inf")),
        ("coincident.csv", "non-finite"),
    ),
    Case(
        "overflow-in-table",
        _rows("coincident.csv", 5, _first_cell("1e400")),
        ("coincident.csv", "non-finite"),
    ),
    Case(
        "empty-table",
        _table("neutrons.csv", "# nothing here\n\n"),
        ("backgrounds.neutrons.table", "neutrons.csv", "no data rows"),
    ),
    Case(
        "negative-weights",
        _rows("neutrons.csv", 3, _weight("-0.5")),
        ("backgrounds.neutrons.table", "neutrons.csv", "negative weights"),
    ),
    Case(
        "whitespace-delimiter-on-a-csv",
        _set(EVENTS, EVENTS[:-2] + ', delimiter = "whitespace" }'),
        ("analysis.samples.coincident.data", "coincident.csv"),
    ),
    # ---- backgrounds
    Case(
        "negative-counts",
        _set(NEUTRON_COUNTS, "counts = -20\n"),
        ("toy.toml", "backgrounds.1.counts"),
        PREDICT,
    ),
    Case("counts-inf", _set(NEUTRON_COUNTS, "counts = inf\n"), ("backgrounds.1.counts",), PREDICT),
    Case(
        "unknown-shape",
        _set('shape = "template"', 'shape = "gaussian"'),
        ("backgrounds.1.shape", "template"),
        PREDICT,
    ),
    Case(
        "template-without-table",
        _set(NEUTRON_TABLE, ""),
        ("backgrounds.1", "needs a table"),
        PREDICT,
    ),
    Case(
        "separable-without-factors",
        _set(FLAT_FACTORS, ""),
        ("backgrounds.2", "needs factors"),
        PREDICT,
    ),
    Case(
        "factor-on-unknown-axis",
        _set(FLAT_OBSERVABLE, '{ axis = "energy", function = "flat" }'),
        ("backgrounds.flat.factors[0]", "'energy'", "not an analysis axis"),
        PREDICT,
    ),
    Case(
        "factor-with-table-and-function",
        _set(FLAT_OBSERVABLE, f'{{ axis = "observable", function = "flat", table = {NEUTRONS} }}'),
        ("backgrounds.2.factors.0", "table, function"),
        PREDICT,
    ),
    Case(
        "factor-table-outside-the-region",
        _both(
            _table("far.csv", "100,1\n200,1\n"),
            _set(
                FLAT_OBSERVABLE,
                '{ axis = "observable", table = { file = "far.csv", '
                'columns = ["observable", "weight"] } }',
            ),
        ),
        ("backgrounds.flat.factors[0]", "no weight"),
    ),
    Case(
        "rate-and-counts",
        _add(NEUTRON_COUNTS, 'rate = { value = 1.0, per = "kg yr" }\n'),
        ("backgrounds.1", "counts or rate"),
        PREDICT,
    ),
    Case(
        "rate-per-unknown-unit",
        _set(NEUTRON_COUNTS, 'rate = { value = 1.0, per = "kg s" }\n'),
        ("backgrounds.1.rate.per",),
        PREDICT,
    ),
    Case(
        "rate-per-t-yr-without-exposure-time",
        _set(NEUTRON_COUNTS, 'rate = { value = 1.0, per = "t yr" }\n'),
        ("neutrons", "exposure.time"),
        PREDICT,
    ),
    Case(
        "accelerator-exposure-as-mass-times-time",
        _set("protons_on_target = 3.2e23", 'exposure = "1 t yr"'),
        ("exposure.exposure", "pion-decay-at-rest", "protons_on_target"),
        PREDICT,
    ),
    Case(
        "duplicate-background-names",
        _set('name = "flat"\n', 'name = "neutrons"\n'),
        ("background names", "neutrons"),
        PREDICT,
    ),
    Case(
        "background-named-like-the-signal",
        _set('name = "flat"\n', 'name = "cevns"\n'),
        ("background 'cevns'", "signal"),
        PREDICT,
    ),
    # ---- samples
    Case(
        "unknown-component-in-sample",
        _set('components = ["steady-state"]', 'components = ["steady-state", "muons"]'),
        ("sample 'anticoincident'", "muons"),
    ),
    Case(
        "all-samples-auxiliary",
        _add('name = "coincident"\n', "auxiliary = true\n"),
        ("analysis", "auxiliary"),
    ),
    Case(
        "duplicate-sample-names",
        _set('name = "anticoincident"', 'name = "coincident"'),
        ("analysis", "sample names"),
    ),
    # ---- axes
    Case(
        "time-axis-given-edges",
        _axes(OBSERVABLE, '{ name = "time", edges = [0.0, 6.0] }'),
        ("analysis.axes.1", "'time'", "[binning]"),
    ),
    Case(
        "extra-axis-without-edges",
        _axes(OBSERVABLE, TIME, '{ name = "f90" }'),
        ("analysis.axes.2", "'f90'", "edges"),
    ),
    Case(
        "non-increasing-axis-edges",
        _axes(OBSERVABLE, TIME, '{ name = "f90", edges = [0.0, 0.5, 0.5, 1.0] }'),
        ("analysis.axes.2", "increasing"),
    ),
    Case(
        "nan-axis-edge",
        _axes(OBSERVABLE, TIME, '{ name = "f90", edges = [0.0, nan] }'),
        ("analysis.axes.2", "finite"),
    ),
    Case(
        "duplicate-axis-names",
        _axes(OBSERVABLE, TIME, TIME),
        ("analysis.axes", "distinct"),
    ),
    Case("axes-without-observable", _axes(TIME), ("analysis.axes", "'observable'")),
    Case(
        "column-unit-of-another-kind",
        _set(EVENTS, EVENTS[:-2] + ', units = { observable = "keVnr" } }'),
        ("analysis.samples.coincident.data", "'observable'", "keVnr", "PE"),
    ),
    Case(
        "column-unit-pe-on-time-axis",
        _set(NEUTRON_TABLE, NEUTRON_TABLE[:-2] + ', units = { time = "PE" } }'),
        ("backgrounds.neutrons.table", "'time'", "PE"),
    ),
    Case(
        "units-name-a-column-not-in-columns",
        _set(NEUTRON_TABLE, NEUTRON_TABLE[:-2] + ', units = { energy = "keVee" } }'),
        ("backgrounds.1.table", "'energy'"),
        PREDICT,
    ),
    Case(
        "unknown-column-unit",
        _set(NEUTRON_TABLE, NEUTRON_TABLE[:-2] + ', units = { time = "fortnight" } }'),
        ("backgrounds.1.table", "fortnight"),
        PREDICT,
    ),
    Case(
        "axes-differ-from-binning-without-spread",
        _axes(OBSERVABLE, TIME, F90),
        ("analysis.axes", "analysis.signal.spread"),
    ),
    Case(
        "spread-keep-names-an-unknown-axis",
        _both(
            _axes(OBSERVABLE, TIME, F90),
            _add(SIGNAL, f'spread = {{ table = {NEUTRONS}, keep = ["observable", "energy"] }}\n'),
        ),
        ("analysis.signal.spread.keep",),
    ),
    Case(
        "spread-template-without-the-extra-axis",
        _both(
            _axes(OBSERVABLE, TIME, F90),
            _add(SIGNAL, f'spread = {{ table = {NEUTRONS}, keep = ["observable", "time"] }}\n'),
        ),
        ("analysis.signal.spread.table", "neutrons.csv", "f90"),
    ),
    # ---- parameters and priors
    Case(
        "prior-on-fixed-parameter",
        _set(DECAY, "toy_decay = { fixed = 0.1, prior = { mean = 0.0, sigma = 1.0 } }"),
        ("analysis.parameters.toy_decay", "prior"),
    ),
    Case(
        "prior-sigma-zero",
        _set("sigma = 0.1 }", "sigma = 0.0 }"),
        ("analysis.parameters.flux_norm.prior", "sigma"),
    ),
    Case(
        "prior-sigma-negative",
        _set("sigma = 0.1 }", "sigma = -0.1 }"),
        ("analysis.parameters.flux_norm.prior", "sigma"),
    ),
    Case(
        "lognormal-prior-mean-not-positive",
        _set('kind = "gaussian", mean = 1.0', 'kind = "lognormal", mean = 0.0'),
        ("analysis.parameters.flux_norm.prior", "mean > 0"),
    ),
    Case(
        "parameter-the-likelihood-does-not-have",
        _parameter("toy_quenching = { start = 0.5 }"),
        ("analysis.parameters.toy_quenching", "not a parameter"),
    ),
    Case(
        "start-outside-declared-bounds",
        _set(DECAY, "toy_decay = { bounds = [-2.0, 2.0], start = 3.0 }"),
        ("analysis.parameters.toy_decay", "bounds"),
    ),
    Case(
        "start-outside-default-bounds",
        _parameter("toy_scale = { start = 20.0 }"),
        ("analysis.parameters.toy_scale", "20", "bounds"),
    ),
    Case(
        "bounds-low-not-below-high",
        _set(DECAY, "toy_decay = { bounds = [2.0, 2.0] }"),
        ("analysis.parameters.toy_decay", "low < high"),
    ),
    Case(
        "fixed-nan",
        _parameter("toy_scale = { fixed = nan }"),
        ("analysis.parameters.toy_scale", "finite"),
    ),
    Case(
        "duplicate-scale-parameters",
        _both(
            _set('["toy_scale", "flux_norm"]', '["toy_scale", "toy_scale"]'),
            _set(FLUX_NORM, ""),
        ),
        ("analysis.signal.scale_parameters", "distinct"),
    ),
    # ---- systematics
    Case(
        "response-systematic-with-a-table",
        _signal_systematic("response", NEUTRONS),
        ("analysis.signal.systematics.0", "response change"),
    ),
    Case(
        "template-systematic-with-a-response-change",
        _neutron_systematic('{ quenching = { model = "constant", factor = 0.07 } }'),
        ("backgrounds.1.systematics.0", "a table"),
        PREDICT,
    ),
    Case(
        "signal-template-systematic-without-reference",
        _signal_systematic("template", NEUTRONS),
        ("analysis.signal.systematics[0]", "reference"),
    ),
    Case(
        "variant-template-with-another-binning",
        _both(
            _table("neutrons-up.csv", "2,1.0\n6,0.5\n10,0.2\n"),
            _neutron_systematic('{ file = "neutrons-up.csv", columns = ["observable", "weight"] }'),
        ),
        ("backgrounds.neutrons.systematics[0].up", "neutrons-up.csv", "axis time"),
    ),
    Case(
        "pulse-mean-without-unit",
        _signal_systematic("response", '{ pulse_mean = "0.6" }'),
        ("pulse_mean", "unit"),
    ),
    # ---- one parameter in two roles
    Case(
        "normalisation-named-like-a-decay-rate",
        _add(NEUTRON_COUNTS, 'norm_parameter = "toy_decay"\n'),
        ("parameter toy_decay", "background normalisation", "background shape parameter"),
    ),
    Case(
        "nuisance-named-like-the-signal-scale",
        _add(
            NEUTRON_COUNTS,
            'systematics = [{ parameter = "toy_scale", kind = "template", up = '
            '{ file = "neutrons.csv", columns = ["observable", "time", "weight"] } }]\n',
        ),
        ("parameter toy_scale", "signal scale", "shape nuisance"),
    ),
    # ---- the document
    Case(
        "schema-version-2",
        _set("schema_version = 1", "schema_version = 2"),
        ("toy.toml", "schema_version"),
        PREDICT,
    ),
    Case(
        "unknown-top-level-key",
        _add('title = "A synthetic CsI-like release"\n', 'colour = "blue"\n'),
        ("toy.toml", "colour", "unknown field"),
        PREDICT,
    ),
    Case(
        "published-value-with-error-and-error-low",
        _set("error = 10 }", "error = 10, error_low = 5, error_high = 5 }"),
        ("published.cevns_expected", "not both"),
        PREDICT,
    ),
    Case(
        "nan-binning-edge",
        _set("observable_edges = [0, 10, 20, 40, 60]", "observable_edges = [0, 10, nan, 40, 60]"),
        ("observable_edges", "finite"),
        PREDICT,
    ),
    Case(
        "toml-syntax-error",
        _set(NEUTRON_COUNTS, "counts = = 20\n"),
        ("toy.toml", "not valid TOML", "line"),
    ),
    # ---- the other commands that read documents
    Case("scan-nan-in-table", _rows("neutrons.csv", 3, _weight("nan")), ("neutrons.csv",), SCAN),
    Case(
        "limit-prior-sigma-zero",
        _set("sigma = 0.1 }", "sigma = 0.0 }"),
        ("analysis.parameters.flux_norm.prior", "sigma"),
        LIMIT,
    ),
    Case(
        "fixed-outside-default-bounds",
        _parameter("toy_scale = { fixed = 20.0 }"),
        ("analysis.parameters.toy_scale", "20"),
    ),
]

#: Cases whose refusal needs a change outside the files this suite may fix.
KNOWN_DEFECTS: dict[str, str] = {}


def _marked(case: Case):
    marks = []
    if case.id in KNOWN_DEFECTS:
        marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_DEFECTS[case.id]))
    return pytest.param(case, id=case.id, marks=marks)


def test_the_cases_have_distinct_ids():
    assert len({c.id for c in CASES}) == len(CASES) >= 45


@pytest.mark.parametrize("case", [_marked(c) for c in CASES])
def test_a_malformed_document_is_refused_in_one_line(case: Case, toy: Toy):
    case.edit(toy)
    path = toy.write()
    command, *options = (part.format(folder=toy.folder) for part in case.command)
    result = _invoke([command, str(path), *options])
    assert_one_line_refusal(result, *case.names)
    assert not list(toy.folder.glob("*.jsonl")), "a refused scan wrote results"


def test_the_toy_itself_is_valid(toy: Toy):
    """The base of every case predicts and fits (so each refusal is the case's doing)."""
    path = toy.write()
    predicted = _invoke(["predict", str(path), "--json"])
    assert predicted.exit_code == 0, predicted.output
    fitted = _invoke(["fit", str(path), "--json"])
    assert fitted.exit_code == 0, fitted.output


def test_a_non_utf8_document_is_refused(toy: Toy):
    toy.path.write_bytes(DOCUMENT.replace("synthetic CsI", "synth\xe9tic CsI").encode("latin-1"))
    assert_one_line_refusal(_invoke(["fit", str(toy.path)]), "toy.toml", "UTF-8")


def test_a_folder_as_the_document_is_refused(tmp_path):
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    assert_one_line_refusal(_invoke(["predict", str(folder)]), "folder.toml")


def test_a_shared_parameter_with_two_priors_is_refused_in_a_joint_fit(toy: Toy):
    first = toy.write()
    second = toy.folder / "toy-b.toml"
    text = toy.text.replace('name = "toy"', 'name = "toy-b"')
    second.write_text(text.replace("sigma = 0.1 }", "sigma = 0.2 }"), encoding="utf-8")
    result = _invoke(["fit", str(first), str(second)])
    assert_one_line_refusal(result, "flux_norm", "toy", "toy-b", "different priors")


def _run_cevns(arguments: list[str], **environment: str) -> subprocess.CompletedProcess:
    """The ``cevns`` command in a fresh interpreter (what a user's shell runs)."""
    env = {**os.environ, **environment}
    return subprocess.run(
        [sys.executable, "-c", "from cevns.cli.entry import main; main()", *arguments],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_a_toml_syntax_error_in_a_subprocess(toy: Toy):
    toy.replace('name = "toy"', 'name = "toy')
    completed = _run_cevns(["predict", str(toy.write())])
    assert completed.returncode == 2, completed.stderr
    assert completed.stdout == "" and "Traceback" not in completed.stderr
    lines = completed.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: toy.toml: not valid TOML"), lines


def _damage(shared_data_dir: Path, data: Path) -> None:
    """Copy the CsI release's brnPE.txt under ``data`` with one digit changed."""
    release = data / "coherent-csi-2021"
    release.mkdir(parents=True)
    lines = (shared_data_dir / "coherent-csi-2021" / "brnPE.txt").read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.split() and line.split()[-1] != "0")
    digit = lines[index].rstrip()[-1]
    lines[index] = lines[index].rstrip()[:-1] + ("1" if digit != "1" else "2")
    (release / "brnPE.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.data
@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_damaged_release_file_is_refused_naming_it(toy: Toy, shared_data_dir, tmp_path, how):
    data = tmp_path / "data"
    _damage(shared_data_dir, data)
    toy.replace(
        FLAT_OBSERVABLE,
        '{ axis = "observable", table = { file = "coherent-csi-2021/brnPE.txt", '
        'columns = ["observable", "weight"] } }',
    )
    path = toy.write()
    names = ("brnPE.txt", "coherent-csi-2021", "damaged")
    if how == "option":
        assert_one_line_refusal(_invoke(["fit", str(path), "--data", str(data)]), *names)
        return
    completed = _run_cevns(["fit", str(path)], CEVNS_DATA_DIR=str(data))
    assert completed.returncode == 2, completed.stderr
    assert completed.stdout == "" and "Traceback" not in completed.stderr
    lines = completed.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert all(name in lines[0] for name in names), lines[0]
