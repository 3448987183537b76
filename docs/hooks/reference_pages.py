"""MkDocs hook: the pages written at build time from the package itself.

* ``reference/api.md``: one mkdocstrings entry per name of ``cevns.__all__``, pointing at
  the object in the module that defines it (``cevns._API``; the package imports its public
  names lazily, PEP 562), grouped by layer;
* ``reference/cli.md``: the command-line reference from the Typer application's own help
  (:mod:`cli_reference`);
* ``changelog.md``: ``CHANGELOG.md`` of the repository root, whose newest version must be
  ``cevns.__version__``;
* ``getting-started.md``: its markers are replaced by the README's first code block (the
  two commands) and by what ``cevns predict coherent-csi-2021`` prints, run at build time.

Anything that cannot be generated stops the build (``PluginError``) instead of leaving a
stale page.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from cli_reference import cli_reference_markdown  # a sibling module: see mkdocs.yml hooks
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.reference_pages")

ROOT = Path(__file__).resolve().parents[2]

#: Public-API sections of the API page: heading and the module prefixes they hold.
API_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Cross sections and nuclei", ("cevns.interactions", "cevns.nuclear")),
    ("Sources", ("cevns.sources",)),
    ("Experiments", ("cevns.experiments",)),
    ("Statistics", ("cevns.stats",)),
    ("Units and errors", ("cevns.units", "cevns.errors")),
)

README_MARKER = "<!-- generated: the README's two commands -->"
OUTPUT_MARKER = re.compile(r"<!-- generated: output of `cevns ([^`]+)` -->")
_VERSION_HEADING = re.compile(r"^## \[?v?(\d[^\]\s]*)", re.MULTILINE)


def api_reference_markdown() -> tuple[str, list[str]]:
    """The API page and the public names it documents (``cevns.__all__``)."""
    import cevns

    public = [name for name in cevns.__all__ if name != "__version__"]
    missing = sorted(set(public) - set(cevns._API))
    if missing:
        raise PluginError(f"cevns.__all__ names without a defining module: {missing}")
    sections: dict[str, list[str]] = {title: [] for title, _ in API_SECTIONS}
    for name in public:
        module, _ = cevns._API[name]
        title = next(
            (t for t, prefixes in API_SECTIONS if module.startswith(prefixes)), "Other names"
        )
        sections.setdefault(title, []).append(name)

    lines = [
        "# Python API",
        "",
        "The public API is the top level of the package, `cevns.__all__` "
        f"(version {cevns.__version__}): each name is imported on first use, so "
        "`import cevns` stays fast, and `help(cevns)` lists them. Each entry is documented "
        "where it is defined (the module is named under the heading); all dimensional "
        "numbers are plain floats in the internal units of `cevns.units` (multiply by a "
        "unit to bring a number in, divide to take it out).",
        "",
        "Generated at build time from `cevns.__all__` and the docstrings; their examples "
        "run as doctests in the test suite.",
        "",
    ]
    for title, names in sections.items():
        if not names:
            continue
        lines += [f"## {title}", ""]
        for name in names:
            module, attribute = cevns._API[name]
            target = module if attribute is None else f"{module}.{attribute}"
            lines += [
                f"::: {target}",
                "    options:",
                f"      heading: cevns.{name}",
                f"      toc_label: cevns.{name}",
            ]
            if attribute is None:  # a module (cevns.units): its values have no docstrings
                lines.append("      show_if_no_docstring: true")
            lines += ["", f"*Defined in `{module}`.*", ""]
    return "\n".join(lines), [f"cevns.{name}" for name in public]


def changelog_markdown() -> str:
    """CHANGELOG.md, checked to start at the package's version."""
    import cevns

    path = ROOT / "CHANGELOG.md"
    if not path.is_file():
        raise PluginError(f"{path} is missing (the site includes it as the changelog)")
    text = path.read_text(encoding="utf-8")
    newest = _VERSION_HEADING.search(text)
    if newest is None or newest.group(1) != cevns.__version__:
        found = newest.group(1) if newest else "none"
        raise PluginError(
            f"CHANGELOG.md: the newest version heading is {found}; "
            f"cevns.__version__ is {cevns.__version__}"
        )
    return text


def readme_commands() -> str:
    """The README's first fenced code block, verbatim."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^```[^\n]*\n.*?^```$", text, re.MULTILINE | re.DOTALL)
    if match is None:
        raise PluginError("README.md has no fenced code block")
    return match.group(0)


def command_output(arguments: str) -> str:
    """What ``cevns ARGUMENTS`` prints, run now with the build's environment."""
    command = [
        sys.executable,
        "-c",
        "import sys; sys.argv[0] = 'cevns'; from cevns.cli.entry import main; main()",
        *arguments.split(),
    ]
    environment = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    result = subprocess.run(
        command, capture_output=True, text=True, env=environment, timeout=300, check=False
    )
    if result.returncode != 0:
        raise PluginError(f"`cevns {arguments}` failed ({result.returncode}): {result.stderr}")
    return result.stdout.rstrip()


def on_files(files: Files, config: Any) -> Files:
    """Add the generated pages to the site."""
    from cevns.cli.app import app

    api, names = api_reference_markdown()
    cli, commands = cli_reference_markdown(app)
    for uri, content in (
        ("reference/api.md", api),
        ("reference/cli.md", cli),
        ("changelog.md", changelog_markdown()),
    ):
        files.append(File.generated(config, uri, content=content))
    log.info(
        "API reference: %d public names; CLI reference: %d commands", len(names), len(commands)
    )
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Fill the getting-started page's markers with the README and the command output."""
    if README_MARKER not in markdown and not OUTPUT_MARKER.search(markdown):
        return markdown
    markdown = markdown.replace(README_MARKER, readme_commands())
    return OUTPUT_MARKER.sub(
        lambda match: f"```text\n$ cevns {match.group(1)}\n{command_output(match.group(1))}\n```",
        markdown,
    )
