"""The documentation site builds with warnings as errors, and its pages are there.

One build (module scope) of ``mkdocs build --strict`` into a temporary folder, as the
README's "Documentation" command runs it: the tutorials execute on the public data
releases (``CEVNS_DATA_DIR``, else ``../shared/data``), the getting-started output, the API
and CLI references and the changelog are generated from the package. The test skips only
when the data releases are absent; without mkdocs (part of the test extra) it fails.
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cevns

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = sorted((ROOT / "docs" / "tutorials").glob("*.py"))
#: The releases the tutorials read.
RELEASES = ("coherent-csi-2021", "xenonnt-cevns-2026")
#: The build's time limit [s]; it takes about a minute on a quiet machine.
TIMEOUT = 900


def _data_directory() -> Path:
    """``CEVNS_DATA_DIR``, else ``../shared/data`` next to the project (as tests/conftest.py)."""
    from_environment = os.environ.get("CEVNS_DATA_DIR", "").strip()
    return (
        Path(from_environment).expanduser() if from_environment else ROOT.parent / "shared" / "data"
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site built once by ``mkdocs build --strict``; its output must hold no warning."""
    data = _data_directory()
    missing = [name for name in RELEASES if not (data / name).is_dir()]
    if missing:
        pytest.skip(f"data releases {missing} not found in {data} (set CEVNS_DATA_DIR)")
    if importlib.util.find_spec("mkdocs") is None:
        pytest.fail("mkdocs is not installed; it is in the test extra: pip install '.[test]'")
    folder = tmp_path_factory.mktemp("site")
    environment = {
        **os.environ,
        "CEVNS_DATA_DIR": str(data.resolve()),
        "NO_MKDOCS_2_WARNING": "1",  # mkdocs-material's notice about MkDocs 2.0
    }
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    warnings = [line for line in output.splitlines() if "WARNING" in line]
    assert warnings == [], "\n".join(warnings)
    return folder


def _text(page: Path) -> str:
    """The text of a built page, tags removed (highlighted code keeps its spacing)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


def test_home_and_getting_started(site):
    assert (site / "index.html").is_file()
    text = _text(site / "getting-started" / "index.html")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.search(r"^```bash\n(.*?)^```", readme, re.MULTILINE | re.DOTALL).group(1)
    for command in commands.strip().splitlines():
        assert command in text
    # what `cevns predict coherent-csi-2021` printed during the build
    assert "$ cevns predict coherent-csi-2021" in text
    assert "CEvNS total" in text
    assert "arXiv:2110.07730" in text


@pytest.mark.parametrize("tutorial", TUTORIALS, ids=lambda path: path.stem)
def test_every_tutorial_executed_with_output_and_figure(site, tutorial):
    page = site / "tutorials" / tutorial.stem / "index.html"
    content = page.read_text(encoding="utf-8")
    assert re.search(r'class="[^"]*jp-OutputArea-output', content)  # an executed cell's output
    assert "data:image/png;base64," in content  # a figure
    assert "Traceback (most recent call last)" not in content
    assert '.md"' not in content  # links between pages point at the pages


def test_api_reference_lists_the_public_api(site):
    text = _text(site / "reference" / "api" / "index.html")
    public = [name for name in cevns.__all__ if name != "__version__"]
    assert len(public) >= 20
    for name in public:
        assert f"cevns.{name}" in text, name
    assert "dσ/dT" in text  # a docstring rendered
    assert ":func:" not in text and ":class:" not in text  # Sphinx roles rewritten


def test_cli_reference_lists_every_command(site):
    import typer.main

    from cevns.cli.app import app

    root = typer.main.get_command(app)
    context = root.make_context("cevns", [], resilient_parsing=True)
    commands = []
    for name in root.list_commands(context):
        command = root.get_command(context, name)
        commands.append(f"cevns {name}")
        if hasattr(command, "list_commands"):
            sub_context = command.make_context(name, [], parent=context, resilient_parsing=True)
            commands += [f"cevns {name} {sub}" for sub in command.list_commands(sub_context)]
    assert "cevns predict" in commands and "cevns experiment show" in commands
    text = _text(site / "reference" / "cli" / "index.html")
    for command in commands:
        assert re.search(rf"(?<![\w-]){re.escape(command)}\s*¶", text), command
    assert "--json" in text and "--form-factor" in text


def test_changelog_and_physics_pages(site):
    source = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = re.search(r"^## (\S+)(.*)$", source, re.MULTILINE)
    assert newest.group(1) == cevns.__version__
    assert newest.group(0)[3:].strip() in _text(site / "changelog" / "index.html")
    for page in ("architecture", "physics", "sources", "statistics", "analyse-your-own-data"):
        assert (site / page / "index.html").is_file(), page
    architecture = (site / "architecture" / "index.html").read_text(encoding="utf-8")
    assert 'class="arithmatex"' in architecture  # equations marked for MathJax
    assert "mathjax" in architecture


def test_theory_page_states_the_formulas_in_display_math(site):
    page = (site / "theory" / "index.html").read_text(encoding="utf-8")
    # arithmatex (generic mode) turns each $$...$$ block into a \[...\] div for MathJax
    blocks = re.findall(r'<div class="arithmatex">\\\[(.*?)\\\]</div>', page, re.DOTALL)
    assert len(blocks) >= 30, len(blocks)
    assert any(r"\frac{G_F^2 M}{2\pi}" in block for block in blocks)  # dσ/dT of the SM
    text = _text(site / "theory" / "index.html")
    assert "$$" not in text  # no block left unconverted
    for module in ("cevns.interactions.basis", "cevns.nuclear.form_factors", "cevns.stats.cost"):
        assert module in text, module
    assert 'href="theory/"' in (site / "index.html").read_text(encoding="utf-8")  # in the nav
    # the links into the theory page from the other pages name headings that exist
    anchors = set(re.findall(r'id="([^"]+)"', page))
    links = [
        (other.parent.name, anchor)
        for other in site.glob("*/index.html")
        for anchor in re.findall(r'href="\.\./theory/#([^"]+)"', other.read_text(encoding="utf-8"))
    ]
    assert len(links) >= 5, links
    assert [link for link in links if link[1] not in anchors] == []
