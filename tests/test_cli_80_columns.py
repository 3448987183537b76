"""The command line at 80 columns: names whole, numbers right-aligned, text left-aligned,
no line wider than the terminal, no `<bool>` after flags in `--help`, a spinner only on a
terminal and never with `--json` (issue 15, item 6)."""

from __future__ import annotations

import io
import json
import re
from contextlib import nullcontext
from pathlib import Path

import pytest
import typer
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

import cevns.cli.output as output
from cevns.cli.app import app
from cevns.cli.tables import print_table
from cevns.errors import CevnsInputError
from cevns.experiments import presets
from cevns.interactions.models import PARAMETERS
from cevns.nuclear.isotopes import all_isotopes
from cevns.nuclear.materials import get_material, preset_material_names

runner = CliRunner()
WIDTH = 80


def narrow(*arguments, tables_only: bool = False) -> str:
    """The command's standard output at COLUMNS=80; every line fits (``tables_only``:
    every line of a table; a note may be left to the terminal to wrap)."""
    result = runner.invoke(app, [str(a) for a in arguments], env={"COLUMNS": str(WIDTH)})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    if tables_only:
        lines = [line for line in lines if set(line) & set("│┃━─")]
    widest = max(lines, key=cell_len)
    assert cell_len(widest) <= WIDTH, widest
    return result.stdout


def words(text: str) -> set[str]:
    """Every whitespace- or border-separated token of the output."""
    return set(re.split(r"[\s│┃]+", text))


def test_every_preset_name_appears_whole():
    folder = Path(presets.__file__).parent
    names = {p.stem for p in folder.glob("*.toml")}
    names |= {p.stem for p in (folder.parent / "combinations").glob("*.toml")}
    assert len(names) >= 15
    out = narrow("experiments")
    assert names <= words(out), sorted(names - words(out))
    # Titles wrap under their names; kinds and materials stay whole, masses right-aligned.
    assert "measurement" in words(out) and "projection" in words(out)
    assert re.search(r"│ +14\.6 kg │", out)


def test_every_parameter_name_appears_whole_and_columns_are_aligned():
    out = narrow("models")
    assert set(PARAMETERS) <= words(out), sorted(set(PARAMETERS) - words(out))
    row = next(line for line in out.splitlines() if "zprime_mass" in line)
    cells = row.strip("│").split("│")
    # Name and text left-aligned (one space after the border), the number right-aligned.
    assert cells[0].startswith(" zprime_mass ") and cells[3].startswith(" vector-mediator")
    assert cells[1].endswith(" 1000 ") and cells[1].startswith("  ")


def test_every_isotope_and_material_appears_whole():
    out = narrow("nuclei")
    materials = {get_material(name).name for name in preset_material_names()}
    expected = set(all_isotopes()) | materials
    assert expected <= words(out), sorted(expected - words(out))


def test_predict_and_flux_tables_fit(shared_data_dir):
    out = narrow("predict", "coherent-csi-2021", "--data", shared_data_dir)
    assert {"steady-state", "brn", "nin", "Cs133", "I127"} <= words(out)
    out = narrow("flux", "solar")
    assert {"pp", "pep", "hep", "7Be", "8B", "13N", "15O", "17F"} <= words(out)
    assert "5.98e+10" in words(out)  # numbers whole, even in the compact layout


def test_fit_table_keeps_parameter_names_and_values_whole(shared_data_dir):
    fitted = json.loads(
        runner.invoke(
            app, ["fit", "coherent-csi-2021", "--data", str(shared_data_dir), "--json"]
        ).stdout
    )
    out = narrow("fit", "coherent-csi-2021", "--data", shared_data_dir)
    assert set(fitted["parameters"]) <= words(out)
    assert re.search(r"\d+\.\d ± \d+\.\d", out)  # "313.1 ± 32.7" on one line


def test_fog_and_darkmatter_tables_fit():
    out = narrow("fog", "Ar", "--masses", "10,100", "--threshold", "20")
    assert {"atmospheric", "DSNB", "ohare_2021"} <= words(out)
    out = narrow("darkmatter", "--mass", "10", "--no-limits", "--mesons", "2000", tables_only=True)
    assert {"m_chi", "m_V", "10", "30"} <= words(out)


def test_scan_and_limit_tables_fit(monkeypatch, tmp_path):
    import cevns.stats.limits as limits
    import cevns.stats.scan as stats_scan
    from cevns.stats.grid import ScanAxis
    from cevns.stats.limit_table import LimitTable
    from cevns.stats.scan_table import ScanTable

    first, second = ScanAxis("eps_mutau_u", -0.5, 0.5, 3), ScanAxis("eps_mutau_d", -0.5, 0.5, 3)
    records = [{"index": i, "chi2": 1.0 + i % 4, "converged": True, "profiled": {}}
               for i in range(9)]  # fmt: skip
    table = ScanTable.from_records([first, second], records, {"converged": False})
    monkeypatch.setattr(stats_scan, "run_scan", lambda *a, **k: table)
    out = narrow("scan", "coherent-csi-2021", "--param", "eps_mutau_u=-0.5:0.5:3", "--param",
                 "eps_mutau_d=-0.5:0.5:3", "--workers", 1, "--output", tmp_path / "s.jsonl")  # fmt: skip
    assert {"eps_mutau_u", "eps_mutau_d", "68", "90", "95"} <= words(out)

    mass = ScanAxis("scalar_mass", 10.0, 1000.0, 2, log=True)
    rows = [{"index": i, "limit": 1e-5, "best_coupling": 0.0, "delta_chi2_null": 0.0,
             "converged": True, "bracketed": True, "allowed_intervals": [[0.0, 1e-5]]}
            for i in range(2)]  # fmt: skip
    limit = LimitTable.from_records(mass, "scalar_g", 0.9, rows)
    monkeypatch.setattr(limits, "run_limit", lambda *a, **k: limit)
    out = narrow("limit", "coherent-csi-2021", "--mass", "scalar_mass=10:1000:2:log",
                 "--coupling", "scalar_g", "--workers", 1, "--output", tmp_path / "l.jsonl")  # fmt: skip
    assert {"scalar_mass", "1e-05", "ok"} <= words(out)


def test_a_table_too_wide_for_the_box_keeps_names_and_numbers_whole():
    console = Console(width=WIDTH, file=io.StringIO())
    # 20 + 5 × 10 characters: 89 columns boxed, 75 compact.
    numbers = [f"{10.0**-k:.4e}" for k in range(5)]
    print_table("five numbers", ["a name column", *[f"value {i}" for i in range(5)]],
                [["neutron_radius_Cs133", *numbers]], console)  # fmt: skip
    out = console.file.getvalue()
    assert {"neutron_radius_Cs133", *numbers} <= words(out)
    assert max(map(cell_len, out.splitlines())) <= WIDTH


def test_flags_show_no_bool_type_in_help():
    command = typer.main.get_command(app)
    names = [[]] + [[name] for name in command.commands] + [["experiment", "show"]]
    for name in names:
        result = runner.invoke(app, [*name, "--help"], env={"COLUMNS": str(WIDTH)})
        assert result.exit_code == 0, (name, result.output)
        assert "<bool>" not in result.stdout, name
        assert re.search(r"--help +Show this", result.stdout), (name, result.stdout)


def test_the_spinner_shows_on_a_terminal_and_never_with_json(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(
        output, "Console", lambda **kw: Console(file=stream, force_terminal=True, **kw)
    )
    with output.working("fitting coherent-csi-2021"):
        pass
    assert "fitting coherent-csi-2021" in stream.getvalue()
    assert isinstance(output.working("fitting", enabled=False), nullcontext)


@pytest.mark.parametrize(
    ("module", "attribute", "arguments"),
    [("cevns.cli.fit", "cevns.stats.fitting.fit_experiments", ["fit", "coherent-csi-2021"]),
     ("cevns.cli.xsec", "cevns.cli.xsec.cross_section_report", ["xsec", "CsI", "--energy", 30])],
)  # fmt: skip
def test_fit_and_xsec_work_under_the_spinner_unless_json(monkeypatch, module, attribute, arguments):
    import importlib

    enabled: list[bool] = []
    monkeypatch.setattr(
        importlib.import_module(module),
        "working",
        lambda text, on=True: enabled.append(on) or nullcontext(),
    )

    def stop(*args, **kwargs):
        raise CevnsInputError("stopped here")

    owner, name = attribute.rsplit(".", 1)
    monkeypatch.setattr(importlib.import_module(owner), name, stop)
    for extra, expected in (([], True), (["--json"], False)):
        result = runner.invoke(app, [*map(str, arguments), *extra])
        assert result.exit_code == 2 and "stopped here" in result.stderr
        assert enabled.pop() is expected
