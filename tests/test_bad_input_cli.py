"""A corpus of bad input through the command line: each case is refused with one line
``error: ...`` (on standard error) naming the offending option, field or file, exit code 2,
no traceback, no result printed — and before any heavy work starts.

Families: extreme numbers, unknown names (with close matches), wrong units, bad files
(missing, empty, binary, non-UTF-8, deeply nested, directories, FIFOs, symbolic-link loops),
output and plot paths, scan grids and worker counts, mass/coupling mix-ups, documents of
every source kind with bad fields. The malformed analysis documents of
``tests/test_documents_malformed.py`` are the rest of the corpus.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cevns.cli.app import app
from test_documents_malformed import DOCUMENT, Toy, _write_release, assert_one_line_refusal

runner = CliRunner()

#: No case may run longer than this before refusing (seconds).
CASE_TIMEOUT = 20

LONG = "x" * 5000


@dataclass(frozen=True)
class Bad:
    """One bad input: the arguments (``{tmp}``: a temporary folder, ``{toy}``: the toy
    document of tests/test_documents_malformed.py, edited by ``edit``), the files it needs
    (``None``: a folder) and the words its error line must hold."""

    id: str
    args: tuple[str, ...]
    names: tuple[str, ...] = ()
    files: dict[str, str | bytes | None] = field(default_factory=dict)
    edit: Callable[[Toy], None] | None = None


def _set(old: str, new: str) -> Callable[[Toy], None]:
    return lambda toy: toy.replace(old, new)


def _add(anchor: str, addition: str) -> Callable[[Toy], None]:
    return lambda toy: toy.after(anchor, addition)


# --------------------------------------------------------------------------- xsec

XSEC_ENERGIES = {
    "1e5": "1e5",
    "1e308": "1e308",
    "1e-300": "1e-300",
    "nan": "nan",
    "inf": "inf",
    "minus-inf": "-inf",
    "negative": "-1",
    "zero": "0",
    "minus-zero": "-0.0",
    "1e4": "1e4",
    "1e-20": "1e-20",
}
CASES: list[Bad] = [
    Bad(f"xsec-energy-{key}", ("xsec", "Cs133", "--energy", value), ("--energy",))
    for key, value in XSEC_ENERGIES.items()
]
CASES += [
    Bad(f"xsec-material-energy-{key}", ("xsec", "CsI", "--energy", value), ("--energy",))
    for key, value in {"1e5": "1e5", "nan": "nan", "1e-300": "1e-300", "1e300": "1e300"}.items()
]
CASES += [
    Bad(f"xsec-spectrum-energy-{key}", ("xsec", "Ar", "--spectrum", "--energy", v), ("--energy",))
    for key, v in {"1e5": "1e5", "1e-300": "1e-300", "inf": "inf"}.items()
]
CASES += [
    Bad(
        f"xsec-cc-energy-{key}",
        ("xsec", "I127", "--channel", "cc", "--flavor", "e", "--energy", value),
        ("--energy",),
    )
    for key, value in {
        "1e5": "1e5", "1e308": "1e308", "1e-300": "1e-300", "nan": "nan", "inf": "inf",
        "negative": "-5", "zero": "0",
    }.items()
]  # fmt: skip
CASES += [
    Bad("xsec-energy-not-a-number", ("xsec", "Cs133", "--energy", "abc"), ("--energy",)),
    Bad("xsec-energy-empty", ("xsec", "Cs133", "--energy", ""), ("--energy",)),
    Bad("xsec-energy-with-unit", ("xsec", "Cs133", "--energy", "30MeV"), ("--energy",)),
    Bad("xsec-energy-missing", ("xsec", "Cs133"), ("--energy",)),
    Bad("xsec-unknown-option", ("xsec", "Cs133", "--energy", "30", "--enrgy", "3"), ("--enrgy",)),
    Bad("xsec-flavor-muon", ("xsec", "Cs133", "--energy", "30", "--flavor", "muon"), ("--flavor",)),
    Bad("xsec-flavor-upper", ("xsec", "Cs133", "--energy", "30", "--flavor", "E"), ("--flavor",)),
    Bad("xsec-flavor-empty", ("xsec", "Cs133", "--energy", "30", "--flavor", ""), ("--flavor",)),
    Bad("xsec-flavor-nu-e", ("xsec", "Cs133", "--energy", "30", "--flavor", "nu_e"), ("--flavor",)),
    Bad("xsec-flavor-long", ("xsec", "Cs133", "--energy", "30", "--flavor", LONG), ("--flavor",)),
    Bad(
        "xsec-form-factor-typo",
        ("xsec", "Cs133", "--energy", "30", "--form-factor", "helmm"),
        ("--form-factor", "helm"),
    ),
    Bad(
        "xsec-form-factor-empty",
        ("xsec", "Cs133", "--energy", "30", "--form-factor", ""),
        ("--form-factor",),
    ),
    Bad("xsec-target-unknown", ("xsec", "Xx", "--energy", "30"), ("Xx",)),
    Bad("xsec-target-typo", ("xsec", "CsJ", "--energy", "30"), ("CsJ",)),
    Bad("xsec-target-unknown-element", ("xsec", "Q133", "--energy", "30"), ("Q133",)),
    Bad("xsec-target-empty", ("xsec", "", "--energy", "30"), ("nucleus",)),
    Bad("xsec-target-long", ("xsec", LONG, "--energy", "30"), ("xxxx",)),
    Bad("xsec-target-path", ("xsec", "../etc/passwd", "--energy", "30"), ("passwd",)),
    Bad("xsec-target-formula-garbage", ("xsec", "Cs)I(", "--energy", "30"), ("Cs)I(",)),
    Bad("xsec-target-formula-zero", ("xsec", "Cs0I", "--energy", "30"), ("Cs0I",)),
    Bad("xsec-target-snowman", ("xsec", "\u2603", "--energy", "30"), ("\u2603",)),
    Bad("xsec-target-digits", ("xsec", "133", "--energy", "30"), ("133",)),
    Bad(
        "xsec-channel-unknown",
        ("xsec", "I127", "--energy", "30", "--channel", "ccc"),
        ("--channel",),
    ),
    Bad(
        "xsec-channel-upper", ("xsec", "I127", "--energy", "30", "--channel", "CC"), ("--channel",)
    ),
    Bad(
        "xsec-channel-nin-3n",
        ("xsec", "Pb208", "--energy", "30", "--channel", "nin-3n"),
        ("--channel",),
    ),
    Bad("xsec-channel-long", ("xsec", "I127", "--energy", "30", "--channel", LONG), ("--channel",)),
    Bad(
        "xsec-channel-target-without-it",
        ("xsec", "Ge", "--energy", "30", "--channel", "cc"),
        ("--channel", "Ge"),
    ),
    Bad(
        "xsec-channel-unknown-target",
        ("xsec", "Qq", "--energy", "30", "--channel", "cc"),
        ("Qq",),
    ),
    Bad(
        "xsec-channel-with-spectrum",
        ("xsec", "I127", "--energy", "30", "--channel", "cc", "--spectrum"),
        ("--spectrum",),
    ),
    Bad(
        "xsec-channel-wrong-flavor",
        ("xsec", "I127", "--energy", "30", "--channel", "cc", "--flavor", "tau"),
        ("--flavor",),
    ),
    Bad(
        "xsec-channel-nin-on-caesium",
        ("xsec", "Cs133", "--energy", "30", "--channel", "nin-1n"),
        ("--channel",),
    ),
]

# --------------------------------------------------------------------------- flux

SPECTRUM = "energy,nu_e\n1,1\n10,2\n20,1\n"
CASES += [
    Bad(f"flux-distance-{key}", ("flux", "sns-fts", "--distance", value), ("--distance",))
    for key, value in {
        "1e-300": "1e-300", "zero": "0", "negative": "-3", "nan": "nan", "inf": "inf",
        "1e308": "1e308", "1e-20": "1e-20",
    }.items()
]  # fmt: skip
CASES += [
    Bad(f"flux-supernova-distance-{key}", ("flux", "supernova", "--distance", v), ("--distance",))
    for key, v in {"1e-300": "1e-300", "nan": "nan", "1e300": "1e300"}.items()
]
CASES += [
    Bad(f"flux-reactor-power-{key}", ("flux", "reactor", "--power", value), ("--power",))
    for key, value in {
        "zero": "0", "negative": "-1", "nan": "nan", "inf": "inf", "1e300": "1e300",
    }.items()
]  # fmt: skip
CASES += [
    Bad("flux-unknown-source", ("flux", "sns-ftss"), ("sns-ftss", "sns-fts")),
    Bad("flux-empty-source", ("flux", ""), ("source",)),
    Bad("flux-long-source", ("flux", LONG), ("xxxx",)),
    Bad("flux-power-not-reactor", ("flux", "sns-fts", "--power", "3"), ("--power",)),
    Bad("flux-model-not-solar", ("flux", "reactor", "--model", "B16-GS98"), ("--model",)),
    Bad("flux-solar-model-unknown", ("flux", "solar", "--model", "X"), ("--model",)),
    Bad("flux-solar-model-typo", ("flux", "solar", "--model", "B16-GS99"), ("--model", "B16-GS98")),
    Bad("flux-solar-model-long", ("flux", "solar", "--model", LONG), ("--model",)),
    Bad("flux-supernova-model-unknown", ("flux", "supernova", "--model", "X"), ("--model",)),
    Bad("flux-solar-distance", ("flux", "solar", "--distance", "3"), ("--distance",)),
    Bad("flux-dsnb-distance", ("flux", "dsnb", "--distance", "3"), ("--distance",)),
    Bad("flux-atmospheric-power", ("flux", "atmospheric", "--power", "3"), ("--power",)),
    Bad("flux-distance-not-a-number", ("flux", "sns-fts", "--distance", "far"), ("--distance",)),
    Bad(
        "flux-plot-missing-folder",
        ("flux", "sns-fts", "--plot", "{tmp}/no/such/folder/f.png"),
        ("--plot", "folder"),
    ),
    Bad(
        "flux-plot-unknown-extension",
        ("flux", "sns-fts", "--plot", "{tmp}/f.xyz"),
        ("--plot", "xyz"),
    ),
    Bad("flux-plot-no-extension", ("flux", "sns-fts", "--plot", "{tmp}/figure"), ("--plot",)),
    Bad(
        "flux-plot-folder", ("flux", "sns-fts", "--plot", "{tmp}/figs"), ("--plot",), {"figs": None}
    ),
    Bad(
        "flux-plot-under-a-file",
        ("flux", "sns-fts", "--plot", "{tmp}/a.txt/f.png"),
        ("--plot",),
        {"a.txt": "x"},
    ),
    # tabulated spectra
    Bad("flux-table-empty", ("flux", "{tmp}/s.csv"), ("s.csv",), {"s.csv": ""}),
    Bad("flux-table-binary", ("flux", "{tmp}/s.csv"), ("s.csv",), {"s.csv": bytes(range(256)) * 4}),
    Bad(
        "flux-table-non-utf8",
        ("flux", "{tmp}/s.csv"),
        ("s.csv",),
        {"s.csv": "energy,nu_e\n1,\xe9\n".encode("latin-1")},
    ),
    Bad(
        "flux-table-nan",
        ("flux", "{tmp}/s.csv"),
        ("s.csv",),
        {"s.csv": "energy,nu_e\n1,1\n2,nan\n3,1\n"},
    ),
    Bad(
        "flux-table-inf",
        ("flux", "{tmp}/s.csv"),
        ("s.csv",),
        {"s.csv": "energy,nu_e\n1,1\n2,inf\n3,1\n"},
    ),
    Bad(
        "flux-table-negative",
        ("flux", "{tmp}/s.csv"),
        ("s.csv",),
        {"s.csv": "energy,nu_e\n1,1\n2,-1\n3,1\n"},
    ),
    Bad(
        "flux-table-decreasing",
        ("flux", "{tmp}/s.csv"),
        ("s.csv",),
        {"s.csv": "energy,nu_e\n3,1\n2,1\n1,1\n"},
    ),
    Bad(
        "flux-table-unknown-column",
        ("flux", "{tmp}/s.csv"),
        ("s.csv",),
        {"s.csv": "energy,nu_x\n1,1\n2,1\n"},
    ),
    Bad("flux-table-header-only", ("flux", "{tmp}/s.csv"), ("s.csv",), {"s.csv": "energy,nu_e\n"}),
    Bad("flux-table-one-row", ("flux", "{tmp}/s.csv"), ("s.csv",), {"s.csv": "energy,nu_e\n1,1\n"}),
    Bad(
        "flux-table-1-TeV",
        ("flux", "{tmp}/s.csv"),
        ("s.csv",),
        {"s.csv": "energy,nu_e\n1,1\n1e6,1\n"},
    ),
    Bad(
        "flux-table-ragged",
        ("flux", "{tmp}/s.csv"),
        ("s.csv",),
        {"s.csv": "energy,nu_e\n1,1\n2\n3,1\n"},
    ),
    Bad("flux-table-folder", ("flux", "{tmp}/s.csv"), ("s.csv",), {"s.csv": None}),
    Bad(
        "flux-table-zero-energy",
        ("flux", "{tmp}/s.csv"),
        ("s.csv",),
        {"s.csv": "energy,nu_e\n-1,1\n2,1\n"},
    ),
]

# --------------------------------------------------------------------------- fog

CASES += [
    Bad(f"fog-masses-{key}", ("fog", "Xe", "--masses", value), ("--masses",))
    for key, value in {
        "negative": "-1", "nan": "nan", "zero": "0", "text": "abc", "inf": "inf",
        "empty": "", "1e300": "1e300", "1e-300": "1e-300", "comma": ",",
    }.items()
]  # fmt: skip
CASES += [
    Bad(f"fog-exposures-{key}", ("fog", "Xe", "--exposures", value), ("--exposures",))
    for key, value in {"negative": "-1", "inf": "inf", "nan": "nan", "1e300": "1e300"}.items()
]
CASES += [
    Bad(f"fog-threshold-{key}", ("fog", "Xe", "--threshold", v), ("--threshold",))
    for key, v in {
        "negative": "-1",
        "nan": "nan",
        "inf": "inf",
        "zero": "0",
        "1e300": "1e300",
    }.items()
]
CASES += [
    Bad(f"fog-bins-{key}", ("fog", "Xe", "--bins", v), ("--bins",))
    for key, v in {"zero": "0", "negative": "-1", "1e9": "1000000000", "text": "many"}.items()
]
CASES += [
    Bad(f"fog-significance-{key}", ("fog", "Xe", "--significance", v), ("--significance",))
    for key, v in {"zero": "0", "negative": "-3", "nan": "nan", "inf": "inf", "1e3": "1000"}.items()
]
CASES += [
    Bad("fog-unknown-target", ("fog", "Xenon"), ("Xenon",)),
    Bad("fog-long-target", ("fog", LONG), ("xxxx",)),
    Bad(
        "fog-max-recoil-below-threshold",
        ("fog", "Xe", "--threshold", "10", "--max-recoil", "1"),
        ("--max-recoil",),
    ),
    Bad("fog-max-recoil-nan", ("fog", "Xe", "--max-recoil", "nan"), ("--max-recoil",)),
    Bad("fog-probability-two", ("fog", "Xe", "--probability", "2"), ("--probability",)),
    Bad("fog-probability-negative", ("fog", "Xe", "--probability", "-0.1"), ("--probability",)),
    Bad("fog-probability-nan", ("fog", "Xe", "--probability", "nan"), ("--probability",)),
    Bad("fog-solar-model", ("fog", "Xe", "--solar-model", "X"), ("--solar-model",)),
    Bad("fog-uncertainty-text", ("fog", "Xe", "--uncertainty", "8B=abc"), ("--uncertainty",)),
    Bad(
        "fog-uncertainty-unknown", ("fog", "Xe", "--uncertainty", "9B=0.1"), ("--uncertainty", "9B")
    ),
    Bad("fog-uncertainty-negative", ("fog", "Xe", "--uncertainty", "8B=-1"), ("--uncertainty",)),
    Bad("fog-uncertainty-nan", ("fog", "Xe", "--uncertainty", "8B=nan"), ("--uncertainty",)),
    Bad("fog-uncertainty-no-equals", ("fog", "Xe", "--uncertainty", "8B"), ("--uncertainty",)),
    Bad("fog-inputs-unknown", ("fog", "Xe", "--inputs", "X"), ("--inputs",)),
    Bad("fog-plot-missing-folder", ("fog", "Xe", "--plot", "{tmp}/none/f.png"), ("--plot",)),
    Bad("fog-plot-extension", ("fog", "Xe", "--plot", "{tmp}/f.docx"), ("--plot",)),
    Bad("fog-plot-folder", ("fog", "Xe", "--plot", "{tmp}"), ("--plot",)),
]

# --------------------------------------------------------------------------- darkmatter

DM = ("darkmatter", "--no-limits", "--mesons", "2000")
CASES += [
    Bad(f"darkmatter-mass-{key}", (*DM, "--mass", v), ("--mass",))
    for key, v in {
        "negative": "-1", "nan": "nan", "text": "abc", "1e300": "1e300", "zero": "0",
        "inf": "inf", "1e-300": "1e-300",
    }.items()
]  # fmt: skip
CASES += [
    Bad(f"darkmatter-{option[2:]}-{key}", (*DM, option, v), (option,))
    for option in ("--ratio", "--coupling", "--alpha-d", "--pi0-per-pot", "--eta-per-pot")
    for key, v in {"negative": "-1", "nan": "nan", "inf": "inf"}.items()
]
CASES += [
    Bad("darkmatter-ratio-below-two", (*DM, "--ratio", "1.5"), ("--ratio",)),
    Bad("darkmatter-portal", (*DM, "--portal", "vectr"), ("--portal",)),
    Bad("darkmatter-spin", (*DM, "--spin", "vector"), ("--spin",)),
    Bad("darkmatter-experiment", (*DM, "--experiment", "X"), ("--experiment",)),
    Bad("darkmatter-mesons-zero", ("darkmatter", "--no-limits", "--mesons", "0"), ("--mesons",)),
    Bad(
        "darkmatter-mesons-negative", ("darkmatter", "--no-limits", "--mesons", "-5"), ("--mesons",)
    ),
    Bad(
        "darkmatter-mesons-1e12",
        ("darkmatter", "--no-limits", "--mesons", "1000000000000"),
        ("--mesons",),
    ),
    Bad(
        "darkmatter-toys-negative", ("darkmatter", "--toys", "-1", "--mesons", "2000"), ("--toys",)
    ),
    Bad(
        "darkmatter-toys-1e12",
        ("darkmatter", "--toys", "1000000000000", "--mesons", "2000"),
        ("--toys",),
    ),
    Bad("darkmatter-seed-negative", (*DM, "--seed", "-1"), ("--seed",)),
    Bad("darkmatter-plot-folder", (*DM, "--plot", "{tmp}"), ("--plot",)),
    Bad("darkmatter-plot-extension", (*DM, "--plot", "{tmp}/f.abc"), ("--plot",)),
    Bad("darkmatter-plot-missing-folder", (*DM, "--plot", "{tmp}/no/f.png"), ("--plot",)),
    Bad(
        "darkmatter-data-missing",
        ("darkmatter", "--mesons", "2000", "--data", "{tmp}/nothing"),
        ("--data",),
    ),
]

# --------------------------------------------------------------------------- documents as files

NESTED = "a = " + "[" * 5000 + "]" * 5000 + "\n"
NESTED_TABLES = "a = " + "{ b = " * 3000 + "1" + " }" * 3000 + "\n"
CASES += [
    Bad("predict-unknown-preset", ("predict", "coherent-csi"), ("coherent-csi",)),
    Bad("predict-long-preset", ("predict", LONG), ("xxxx",)),
    Bad("predict-missing-file", ("predict", "{tmp}/none.toml"), ("none.toml",)),
    Bad("predict-empty-file", ("predict", "{tmp}/e.toml"), ("e.toml",), {"e.toml": ""}),
    Bad(
        "predict-binary-file",
        ("predict", "{tmp}/b.toml"),
        ("b.toml",),
        {"b.toml": bytes(range(256))},
    ),
    Bad("predict-nul-bytes", ("predict", "{tmp}/b.toml"), ("b.toml",), {"b.toml": b"\0" * 100}),
    Bad(
        "predict-non-utf8",
        ("predict", "{tmp}/l.toml"),
        ("l.toml",),
        {"l.toml": 'name = "\xe9"\n'.encode("latin-1")},
    ),
    Bad(
        "predict-utf16",
        ("predict", "{tmp}/u.toml"),
        ("u.toml",),
        {"u.toml": DOCUMENT.encode("utf-16")},
    ),
    Bad("predict-nested-arrays", ("predict", "{tmp}/n.toml"), ("n.toml",), {"n.toml": NESTED}),
    Bad(
        "predict-nested-tables", ("predict", "{tmp}/n.toml"), ("n.toml",), {"n.toml": NESTED_TABLES}
    ),
    Bad("predict-folder", ("predict", "{tmp}/d.toml"), ("d.toml",), {"d.toml": None}),
    Bad("predict-json-file", ("predict", "{tmp}/j.toml"), ("j.toml",), {"j.toml": '{"name": "x"}'}),
    Bad("predict-no-extension", ("predict", "{tmp}/doc"), ("doc",), {"doc": "name = 1\n"}),
    Bad("predict-form-factor", ("predict", "{toy}", "--form-factor", "helmm"), ("--form-factor",)),
    Bad("predict-data-missing", ("predict", "{toy}", "--data", "{tmp}/nothing"), ("--data",)),
    Bad("predict-data-file", ("predict", "{toy}", "--data", "{toy}"), ("--data",)),
    Bad(
        "predict-plot-missing-folder", ("predict", "{toy}", "--plot", "{tmp}/no/p.png"), ("--plot",)
    ),
    Bad("predict-plot-extension", ("predict", "{toy}", "--plot", "{tmp}/p.exe"), ("--plot",)),
    Bad("predict-plot-folder", ("predict", "{toy}", "--plot", "{tmp}"), ("--plot",)),
    Bad("predict-no-experiment", ("predict",), ("experiments",)),
    Bad("show-unknown-preset", ("experiment", "show", "coherent-csj-2021"), ("coherent-csj-2021",)),
    Bad("show-empty-file", ("experiment", "show", "{tmp}/e.toml"), ("e.toml",), {"e.toml": ""}),
    Bad(
        "show-binary-file",
        ("experiment", "show", "{tmp}/b.toml"),
        ("b.toml",),
        {"b.toml": bytes(range(256))},
    ),
    Bad("show-folder", ("experiment", "show", "{tmp}/d.toml"), ("d.toml",), {"d.toml": None}),
    Bad("show-nested", ("experiment", "show", "{tmp}/n.toml"), ("n.toml",), {"n.toml": NESTED}),
    Bad(
        "show-infinite-counts",
        ("experiment", "show", "{toy}"),
        ("counts",),
        edit=_set("counts = 20\n", "counts = inf\n"),
    ),
    Bad(
        "show-huge-mass",
        ("experiment", "show", "{toy}"),
        ("mass",),
        edit=_set('mass = "14.6 kg"', 'mass = "1e300 kg"'),
    ),
]
if hasattr(os, "mkfifo"):
    CASES.append(
        Bad("predict-fifo", ("predict", "{tmp}/fifo.toml"), ("fifo.toml",), {"fifo.toml": "FIFO"})
    )
    CASES.append(Bad("flux-fifo", ("flux", "{tmp}/fifo.csv"), ("fifo.csv",), {"fifo.csv": "FIFO"}))
CASES += [
    Bad(
        "predict-symlink-loop",
        ("predict", "{tmp}/loop.toml"),
        ("loop.toml",),
        {"loop.toml": "LOOP"},
    ),
    Bad(
        "predict-dangling-symlink",
        ("predict", "{tmp}/dangling.toml"),
        ("dangling.toml",),
        {"dangling.toml": "DANGLING"},
    ),
    Bad("flux-symlink-loop", ("flux", "{tmp}/loop.csv"), ("loop.csv",), {"loop.csv": "LOOP"}),
]

# --------------------------------------------------------------------------- document fields

MASS = 'mass = "14.6 kg"'
DISTANCE = 'distance = "19.3 m"'
COUNTS = "counts = 20\n"
POT = "protons_on_target = 3.2e23"
YIELD = "neutrinos_per_proton_per_flavor = 0.0848"
PULSE = 'pulse = { shape = "gaussian", mean = "0.5 us", fwhm = "340 ns" }'
LIGHT = "light_yield_pe_per_kevee = 13.35"
QF = 'quenching = { model = "constant", factor = 0.08 }'
SOURCE = """kind = "pion-decay-at-rest"
facility = "sns-fts"
neutrinos_per_proton_per_flavor = 0.0848
pulse = { shape = "gaussian", mean = "0.5 us", fwhm = "340 ns" }
"""
FIELD_EDITS: dict[str, tuple[Callable[[Toy], None], tuple[str, ...]]] = {
    "counts-inf": (_set(COUNTS, "counts = inf\n"), ("counts",)),
    "counts-nan": (_set(COUNTS, "counts = nan\n"), ("counts",)),
    "counts-1e308": (_set(COUNTS, "counts = 1e308\n"), ("counts",)),
    "counts-text": (_set(COUNTS, 'counts = "many"\n'), ("counts",)),
    "uncertainty-inf": (_set("uncertainty = 0.25", "uncertainty = inf"), ("uncertainty",)),
    "uncertainty-negative": (_set("uncertainty = 0.25", "uncertainty = -0.25"), ("uncertainty",)),
    "mass-1e300-kg": (_set(MASS, 'mass = "1e300 kg"'), ("mass",)),
    "mass-1e-300-kg": (_set(MASS, 'mass = "1e-300 kg"'), ("mass",)),
    "mass-inf": (_set(MASS, 'mass = "inf kg"'), ("mass",)),
    "mass-nan": (_set(MASS, 'mass = "nan kg"'), ("mass",)),
    "mass-negative": (_set(MASS, 'mass = "-14.6 kg"'), ("mass",)),
    "mass-zero": (_set(MASS, 'mass = "0 kg"'), ("mass",)),
    "mass-in-metres": (_set(MASS, 'mass = "14.6 m"'), ("mass",)),
    "mass-unknown-unit": (_set(MASS, 'mass = "14.6 furlong"'), ("mass",)),
    "mass-without-unit": (_set(MASS, "mass = 14.6"), ("mass",)),
    "mass-empty": (_set(MASS, 'mass = ""'), ("mass",)),
    "mass-long": (_set(MASS, f'mass = "{LONG}"'), ("mass",)),
    "distance-1e-300-m": (_set(DISTANCE, 'distance = "1e-300 m"'), ("distance",)),
    "distance-zero": (_set(DISTANCE, 'distance = "0 m"'), ("distance",)),
    "distance-1e300-m": (_set(DISTANCE, 'distance = "1e300 m"'), ("distance",)),
    "distance-in-kg": (_set(DISTANCE, 'distance = "19.3 kg"'), ("distance",)),
    "distance-nan": (_set(DISTANCE, 'distance = "nan m"'), ("distance",)),
    "protons-inf": (_set(POT, "protons_on_target = inf"), ("protons_on_target",)),
    "protons-negative": (_set(POT, "protons_on_target = -3.2e23"), ("protons_on_target",)),
    "protons-zero": (_set(POT, "protons_on_target = 0"), ("protons_on_target",)),
    "protons-1e300": (_set(POT, "protons_on_target = 1e300"), ("protons_on_target",)),
    "yield-inf": (_set(YIELD, "neutrinos_per_proton_per_flavor = inf"), ("neutrinos_per_proton",)),
    "yield-negative": (
        _set(YIELD, "neutrinos_per_proton_per_flavor = -1"),
        ("neutrinos_per_proton",),
    ),
    "yield-1e300": (
        _set(YIELD, "neutrinos_per_proton_per_flavor = 1e300"),
        ("neutrinos_per_proton",),
    ),
    "pulse-fwhm-negative": (_set('fwhm = "340 ns"', 'fwhm = "-340 ns"'), ("fwhm",)),
    "pulse-fwhm-in-kg": (_set('fwhm = "340 ns"', 'fwhm = "340 kg"'), ("fwhm",)),
    "pulse-fwhm-1e300": (_set('fwhm = "340 ns"', 'fwhm = "1e300 s"'), ("fwhm",)),
    "pulse-shape": (_set('shape = "gaussian", mean', 'shape = "square", mean'), ("shape",)),
    "facility-unknown": (
        _set('facility = "sns-fts"', 'facility = "sns-ftss"'),
        ("facility", "sns-ftss"),
    ),
    "facility-long": (_set('facility = "sns-fts"', f'facility = "{LONG}"'), ("facility",)),
    "material-unknown": (_set('material = "CsI"', 'material = "CsJ"'), ("material", "CsJ")),
    "material-long": (_set('material = "CsI"', f'material = "{LONG}"'), ("material",)),
    "light-yield-inf": (_set(LIGHT, "light_yield_pe_per_kevee = inf"), ("light_yield",)),
    "light-yield-negative": (_set(LIGHT, "light_yield_pe_per_kevee = -1"), ("light_yield",)),
    "light-yield-1e300": (_set(LIGHT, "light_yield_pe_per_kevee = 1e300"), ("light_yield",)),
    "quenching-factor-two": (
        _set(QF, 'quenching = { model = "constant", factor = 2.0 }'),
        ("factor",),
    ),
    "quenching-factor-nan": (
        _set(QF, 'quenching = { model = "constant", factor = nan }'),
        ("factor",),
    ),
    "quenching-model-unknown": (
        _set(QF, 'quenching = { model = "konstant", factor = 0.08 }'),
        ("model",),
    ),
    "form-factor-unknown": (
        _add('title = "A synthetic CsI-like release"\n', 'form_factor = "helmm"\n'),
        ("form_factor",),
    ),
    "name-long": (_set('name = "toy"', f'name = "{LONG}"'), ("name",)),
    "edges-1e9-wide": (
        _set("observable_edges = [0, 10, 20, 40, 60]", "observable_edges = [0, 10, 20, 40, 1e300]"),
        ("observable_edges",),
    ),
    "edges-inf": (
        _set("observable_edges = [0, 10, 20, 40, 60]", "observable_edges = [0, 10, 20, 40, inf]"),
        ("observable_edges",),
    ),
    "time-edges-negative-inf": (
        _set("time_edges = [0, 1, 2, 4, 6]", "time_edges = [-inf, 1, 2, 4, 6]"),
        ("time_edges",),
    ),
    "parameter-start-outside": (
        _set(
            "toy_decay = { bounds = [-2.0, 2.0] }",
            "toy_decay = { bounds = [-2.0, 2.0], start = 50.0 }",
        ),
        ("toy_decay",),
    ),
    "parameter-bounds-nan": (
        _set("toy_decay = { bounds = [-2.0, 2.0] }", "toy_decay = { bounds = [nan, 2.0] }"),
        ("toy_decay",),
    ),
    "prior-sigma-inf": (_set("sigma = 0.1 }", "sigma = inf }"), ("sigma",)),
    "prior-mean-nan": (_set("mean = 1.0, sigma", "mean = nan, sigma"), ("mean",)),
    "prior-kind-unknown": (
        _set('kind = "gaussian", mean = 1.0', 'kind = "gauss", mean = 1.0'),
        ("kind",),
    ),
    "source-kind-unknown": (_set('kind = "pion-decay-at-rest"', 'kind = "pion-decay"'), ("kind",)),
    "monochromatic-1-TeV": (
        _set(SOURCE, 'kind = "monochromatic"\nenergy = "1 TeV"\n'),
        ("energy",),
    ),
    "monochromatic-1e6-MeV": (
        _set(SOURCE, 'kind = "monochromatic"\nenergy = "1e6 MeV"\n'),
        ("energy",),
    ),
    "monochromatic-1e-300-MeV": (
        _set(SOURCE, 'kind = "monochromatic"\nenergy = "1e-300 MeV"\n'),
        ("energy",),
    ),
    "monochromatic-in-metres": (
        _set(SOURCE, 'kind = "monochromatic"\nenergy = "30 m"\n'),
        ("energy",),
    ),
    "monochromatic-flavour": (
        _set(SOURCE, 'kind = "monochromatic"\nenergy = "30 MeV"\nflavor = "nu_x"\n'),
        ("flavor",),
    ),
    "reactor-power-inf": (
        _set(SOURCE, 'kind = "reactor"\nthermal_power = "inf GW"\n'),
        ("thermal_power",),
    ),
    "reactor-power-in-kg": (
        _set(SOURCE, 'kind = "reactor"\nthermal_power = "3 kg"\n'),
        ("thermal_power",),
    ),
    "reactor-fractions-unknown": (
        _set(SOURCE, 'kind = "reactor"\nthermal_power = "3 GW"\nfission_fractions = "pwr"\n'),
        ("fission-fraction", "pwr"),
    ),
    "solar-model-unknown": (_set(SOURCE, 'kind = "solar"\nmodel = "B16-X"\n'), ("model",)),
    "solar-component-unknown": (
        _set(SOURCE, 'kind = "solar"\ncomponents = ["9B"]\n'),
        ("components",),
    ),
    "supernova-model-unknown": (
        _set(SOURCE, 'kind = "supernova"\nmodel = "garching-X"\n'),
        ("model",),
    ),
    "tabulated-1-TeV": (
        _set(
            SOURCE,
            'kind = "tabulated"\ntable = { file = "line.csv", columns = ["energy", "nu_e"] }\n',
        ),
        ("line.csv",),
    ),
}
CASES += [
    Bad(f"document-{key}", ("predict", "{toy}"), names, edit=edit)
    for key, (edit, names) in FIELD_EDITS.items()
]
CASES += [
    Bad(f"document-fit-{key}", ("fit", "{toy}"), FIELD_EDITS[key][1], edit=FIELD_EDITS[key][0])
    for key in (
        "counts-inf",
        "mass-1e300-kg",
        "distance-1e-300-m",
        "uncertainty-inf",
        "parameter-start-outside",
    )
]

# --------------------------------------------------------------------------- fit

CASES += [
    Bad("fit-max-calls-negative", ("fit", "{toy}", "--max-calls", "-1"), ("--max-calls",)),
    Bad("fit-max-calls-zero", ("fit", "{toy}", "--max-calls", "0"), ("--max-calls",)),
    Bad("fit-max-calls-text", ("fit", "{toy}", "--max-calls", "many"), ("--max-calls",)),
    Bad("fit-fix-unknown", ("fit", "{toy}", "--fix", "flux_nrom=1"), ("flux_nrom", "flux_norm")),
    Bad("fit-fix-long-name", ("fit", "{toy}", "--fix", f"{LONG}=1"), ("--fix",)),
    Bad("fit-fix-text", ("fit", "{toy}", "--fix", "flux_norm=abc"), ("--fix", "flux_norm")),
    Bad("fit-fix-nan", ("fit", "{toy}", "--fix", "flux_norm=nan"), ("--fix", "flux_norm")),
    Bad("fit-fix-inf", ("fit", "{toy}", "--fix", "flux_norm=inf"), ("--fix", "flux_norm")),
    Bad("fit-fix-no-equals", ("fit", "{toy}", "--fix", "flux_norm"), ("--fix",)),
    Bad("fit-fix-empty-name", ("fit", "{toy}", "--fix", "=1"), ("--fix",)),
    Bad("fit-fix-outside-bounds", ("fit", "{toy}", "--fix", "flux_norm=100"), ("flux_norm",)),
    Bad(
        "fit-fix-model-outside-range",
        ("fit", "{toy}", "--fix", "sin2_theta_w=5"),
        ("sin2_theta_w",),
    ),
    Bad("fit-free-unknown", ("fit", "{toy}", "--free", "sin2_theta"), ("sin2_theta",)),
    Bad(
        "fit-free-start-outside-range",
        ("fit", "{toy}", "--free", "sin2_theta_w=5"),
        ("sin2_theta_w",),
    ),
    Bad("fit-free-start-nan", ("fit", "{toy}", "--free", "sin2_theta_w=nan"), ("sin2_theta_w",)),
    Bad("fit-free-mass-negative", ("fit", "{toy}", "--free", "zprime_mass=-5"), ("zprime_mass",)),
    Bad(
        "fit-fix-and-free",
        ("fit", "{toy}", "--fix", "sin2_theta_w=0.2", "--free", "sin2_theta_w"),
        ("sin2_theta_w",),
    ),
    Bad("fit-form-factor", ("fit", "{toy}", "--form-factor", "Helm"), ("--form-factor",)),
    Bad("fit-plot-missing-folder", ("fit", "{toy}", "--plot", "{tmp}/no/f.png"), ("--plot",)),
    Bad("fit-plot-extension", ("fit", "{toy}", "--plot", "{tmp}/f.toml"), ("--plot",)),
    Bad("fit-plot-folder", ("fit", "{toy}", "--plot", "{tmp}"), ("--plot",)),
    Bad("fit-data-missing", ("fit", "{toy}", "--data", "{tmp}/none"), ("--data",)),
    Bad("fit-unknown-preset", ("fit", "coherent-csi-2012"), ("coherent-csi-2012",)),
    Bad("fit-same-document-twice", ("fit", "{toy}", "{toy}"), ("toy",)),
]

# --------------------------------------------------------------------------- scan

SCAN = ("scan", "{toy}", "--workers", "1", "--output", "{tmp}/s.jsonl")
CASES += [
    Bad(f"scan-axis-{key}", (*SCAN, "--param", value), ("--param",))
    for key, value in {
        "1e9-points": "toy_scale=0.5:2:1000000000",
        "1e9-points-log": "toy_scale=0.5:2:1000000000:log",
        "count-float": "toy_scale=0.5:2:1e9",
        "count-one": "toy_scale=0.5:2:1",
        "count-negative": "toy_scale=0.5:2:-3",
        "reversed": "toy_scale=2:0.5:3",
        "equal": "toy_scale=1:1:3",
        "nan": "toy_scale=nan:2:3",
        "inf": "toy_scale=0.5:inf:3",
        "log-zero": "toy_scale=0:2:3:log",
        "no-equals": "toy_scale",
        "two-parts": "toy_scale=0.5:2",
        "five-parts": "toy_scale=0.5:2:3:log:x",
        "bad-flag": "toy_scale=0.5:2:3:lin",
        "empty": "",
        "text": "toy_scale=a:b:3",
        "unknown-parameter": "toy_scal=0.5:2:3",
        "long-name": f"{LONG}=0.5:2:3",
        "outside-model-range": "sin2_theta_w=-1:2:3",
        "model-mass-negative": "zprime_mass=-10:10:3",
        "outside-declared-bounds": "toy_decay=-50:50:3",
    }.items()
]  # fmt: skip
CASES += [
    Bad(
        "scan-2d-1e10-points",
        (*SCAN, "--param", "toy_scale=0.5:2:100000", "--param", "flux_norm=0.5:1.5:100000"),
        ("--param",),
    ),
    Bad(
        "scan-three-axes",
        (
            *SCAN,
            "--param",
            "toy_scale=0.5:2:3",
            "--param",
            "flux_norm=0.5:1.5:3",
            "--param",
            "toy_decay=0:1:3",
        ),
        ("--param",),
    ),
    Bad(
        "scan-same-axis-twice",
        (*SCAN, "--param", "toy_scale=0.5:2:3", "--param", "toy_scale=0.5:2:3"),
        ("toy_scale",),
    ),
    Bad(
        "scan-workers-zero",
        ("scan", "{toy}", "--param", "toy_scale=0.5:2:3", "--workers", "0"),
        ("--workers",),
    ),
    Bad(
        "scan-workers-negative",
        ("scan", "{toy}", "--param", "toy_scale=0.5:2:3", "--workers", "-2"),
        ("--workers",),
    ),
    Bad(
        "scan-workers-1e6",
        ("scan", "{toy}", "--param", "toy_scale=0.5:2:3", "--workers", "1000000"),
        ("--workers",),
    ),
    Bad(
        "scan-output-missing-folder",
        (
            "scan",
            "{toy}",
            "--param",
            "toy_scale=0.5:2:3",
            "--workers",
            "1",
            "--output",
            "{tmp}/no/s.jsonl",
        ),
        ("--output",),
    ),
    Bad(
        "scan-output-folder",
        ("scan", "{toy}", "--param", "toy_scale=0.5:2:3", "--workers", "1", "--output", "{tmp}"),
        ("--output",),
    ),
    Bad(
        "scan-output-under-a-file",
        (
            "scan",
            "{toy}",
            "--param",
            "toy_scale=0.5:2:3",
            "--workers",
            "1",
            "--output",
            "{toy}/s.jsonl",
        ),
        ("--output",),
    ),
    Bad(
        "scan-resume-garbage",
        (*SCAN, "--param", "toy_scale=0.5:2:3", "--resume"),
        ("s.jsonl",),
        {"s.jsonl": "garbage\n"},
    ),
    Bad(
        "scan-resume-binary",
        (*SCAN, "--param", "toy_scale=0.5:2:3", "--resume"),
        ("s.jsonl",),
        {"s.jsonl": bytes(range(256))},
    ),
    Bad(
        "scan-resume-json-list",
        (*SCAN, "--param", "toy_scale=0.5:2:3", "--resume"),
        ("s.jsonl",),
        {"s.jsonl": "[1, 2]\n"},
    ),
    Bad(
        "scan-resume-other-scan",
        (*SCAN, "--param", "toy_scale=0.5:2:3", "--resume"),
        ("s.jsonl",),
        {
            "s.jsonl": '{"kind": "scan", "axes": [{"name": "flux_norm", "low": 0.5, '
            '"high": 1.5, "count": 3, "log": false}]}\n'
        },
    ),
    Bad(
        "scan-resume-folder",
        (
            "scan",
            "{toy}",
            "--param",
            "toy_scale=0.5:2:3",
            "--workers",
            "1",
            "--resume",
            "--output",
            "{tmp}",
        ),
        ("--output",),
    ),
    Bad(
        "scan-plot-missing-folder",
        (*SCAN, "--param", "toy_scale=0.5:2:3", "--plot", "{tmp}/no/p.png"),
        ("--plot",),
    ),
    Bad(
        "scan-plot-extension",
        (*SCAN, "--param", "toy_scale=0.5:2:3", "--plot", "{tmp}/p.jsonl"),
        ("--plot",),
    ),
    Bad(
        "scan-plot-folder", (*SCAN, "--param", "toy_scale=0.5:2:3", "--plot", "{tmp}"), ("--plot",)
    ),
    Bad(
        "scan-fix-unknown",
        (*SCAN, "--param", "toy_scale=0.5:2:3", "--fix", "toy_decy=0"),
        ("toy_decy",),
    ),
    Bad(
        "scan-fix-scanned",
        (*SCAN, "--param", "toy_scale=0.5:2:3", "--fix", "toy_scale=1"),
        ("toy_scale",),
    ),
    Bad(
        "scan-fix-nan",
        (*SCAN, "--param", "toy_scale=0.5:2:3", "--fix", "toy_decay=nan"),
        ("toy_decay",),
    ),
    Bad(
        "scan-form-factor",
        (*SCAN, "--param", "toy_scale=0.5:2:3", "--form-factor", "x"),
        ("--form-factor",),
    ),
    Bad("scan-no-param", ("scan", "{toy}"), ("--param",)),
]

# --------------------------------------------------------------------------- limit

LIMIT = ("limit", "{toy}", "--workers", "1", "--output", "{tmp}/l.jsonl")
CASES += [
    Bad(
        "limit-mass-not-a-mass",
        (*LIMIT, "--mass", "flux_norm=0.5:1.5:3", "--coupling", "zprime_universal_g"),
        ("--mass", "flux_norm"),
    ),
    Bad(
        "limit-mass-a-coupling",
        (*LIMIT, "--mass", "zprime_bl_g=0.1:1:3", "--coupling", "zprime_universal_g"),
        ("--mass", "zprime_bl_g"),
    ),
    Bad(
        "limit-coupling-a-mass",
        (*LIMIT, "--mass", "zprime_mass=10:1000:3:log", "--coupling", "scalar_mass"),
        ("--coupling", "scalar_mass"),
    ),
    Bad(
        "limit-coupling-not-model",
        (*LIMIT, "--mass", "zprime_mass=10:1000:3:log", "--coupling", "flux_norm"),
        ("--coupling", "flux_norm"),
    ),
    Bad(
        "limit-coupling-unknown",
        (*LIMIT, "--mass", "zprime_mass=10:1000:3:log", "--coupling", "zprime_g"),
        ("--coupling", "zprime_g"),
    ),
    Bad(
        "limit-mediator-mismatch",
        (*LIMIT, "--mass", "scalar_mass=10:1000:3:log", "--coupling", "zprime_bl_g"),
        ("scalar_mass", "zprime_bl_g"),
    ),
    Bad(
        "limit-mass-1e9-points",
        (*LIMIT, "--mass", "zprime_mass=10:1000:1000000000:log", "--coupling", "zprime_bl_g"),
        ("--mass",),
    ),
    Bad(
        "limit-mass-outside-range",
        (*LIMIT, "--mass", "zprime_mass=1e-9:1e12:3:log", "--coupling", "zprime_bl_g"),
        ("zprime_mass",),
    ),
    Bad(
        "limit-mass-negative",
        (*LIMIT, "--mass", "zprime_mass=-10:10:3", "--coupling", "zprime_bl_g"),
        ("zprime_mass",),
    ),
    Bad(
        "limit-cl-zero",
        (*LIMIT, "--mass", "zprime_mass=10:1000:3:log", "--coupling", "zprime_bl_g", "--cl", "0"),
        ("--cl",),
    ),
    Bad(
        "limit-cl-one",
        (*LIMIT, "--mass", "zprime_mass=10:1000:3:log", "--coupling", "zprime_bl_g", "--cl", "1"),
        ("--cl",),
    ),
    Bad(
        "limit-cl-nan",
        (*LIMIT, "--mass", "zprime_mass=10:1000:3:log", "--coupling", "zprime_bl_g", "--cl", "nan"),
        ("--cl",),
    ),
    Bad(
        "limit-cl-percent",
        (*LIMIT, "--mass", "zprime_mass=10:1000:3:log", "--coupling", "zprime_bl_g", "--cl", "90"),
        ("--cl",),
    ),
    Bad(
        "limit-workers-zero",
        (
            "limit",
            "{toy}",
            "--mass",
            "zprime_mass=10:1000:3:log",
            "--coupling",
            "zprime_bl_g",
            "--workers",
            "0",
        ),
        ("--workers",),
    ),
    Bad(
        "limit-output-folder",
        (
            "limit",
            "{toy}",
            "--mass",
            "zprime_mass=10:1000:3:log",
            "--coupling",
            "zprime_bl_g",
            "--workers",
            "1",
            "--output",
            "{tmp}",
        ),
        ("--output",),
    ),
    Bad(
        "limit-output-missing-folder",
        (
            "limit",
            "{toy}",
            "--mass",
            "zprime_mass=10:1000:3:log",
            "--coupling",
            "zprime_bl_g",
            "--workers",
            "1",
            "--output",
            "{tmp}/a/b.jsonl",
        ),
        ("--output",),
    ),
    Bad(
        "limit-resume-garbage",
        (*LIMIT, "--mass", "zprime_mass=10:1000:3:log", "--coupling", "zprime_bl_g", "--resume"),
        ("l.jsonl",),
        {"l.jsonl": "{not json\n"},
    ),
    Bad(
        "limit-plot-extension",
        (
            *LIMIT,
            "--mass",
            "zprime_mass=10:1000:3:log",
            "--coupling",
            "zprime_bl_g",
            "--plot",
            "{tmp}/p.txt2",
        ),
        ("--plot",),
    ),
    Bad(
        "limit-plot-folder",
        (
            *LIMIT,
            "--mass",
            "zprime_mass=10:1000:3:log",
            "--coupling",
            "zprime_bl_g",
            "--plot",
            "{tmp}",
        ),
        ("--plot",),
    ),
    Bad(
        "limit-fix-coupling",
        (
            *LIMIT,
            "--mass",
            "zprime_mass=10:1000:3:log",
            "--coupling",
            "zprime_bl_g",
            "--fix",
            "zprime_bl_g=0.1",
        ),
        ("zprime_bl_g",),
    ),
]


# --------------------------------------------------------------------------- running them


def _prepare(case: Bad, tmp_path: Path) -> list[str]:
    for name, content in case.files.items():
        path = tmp_path / name
        if content is None:
            path.mkdir()
        elif content == "FIFO":
            os.mkfifo(path)
        elif content == "LOOP":
            path.symlink_to(path)
        elif content == "DANGLING":
            path.symlink_to(tmp_path / "nowhere")
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    toy = Toy(tmp_path / "toy")
    toy.folder.mkdir()
    _write_release(toy.folder)
    (toy.folder / "line.csv").write_text("energy,nu_e\n1,0\n5e5,1\n1e6,0\n", encoding="utf-8")
    if case.edit is not None:
        case.edit(toy)
    toy.write()
    return [a.format(tmp=tmp_path, toy=toy.path) for a in case.args]


def _timeout(signum, frame):
    raise TimeoutError(f"no refusal within {CASE_TIMEOUT} s")


def invoke(arguments: list[str]):
    """Run the command in this process, failing it if it runs past CASE_TIMEOUT."""
    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(CASE_TIMEOUT)
    try:
        return runner.invoke(app, arguments)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_the_cases_have_distinct_ids():
    ids = [c.id for c in CASES]
    assert len(set(ids)) == len(ids), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_in_one_line(case: Bad, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    arguments = _prepare(case, tmp_path)
    before = {p.name for p in tmp_path.iterdir()}
    result = invoke(arguments)
    line = assert_one_line_refusal(result, *case.names)
    assert len(line) < 600, f"the error line is {len(line)} characters long"
    after = {p.name for p in tmp_path.iterdir()}
    assert after == before, f"a refused command wrote {sorted(after - before)}"
