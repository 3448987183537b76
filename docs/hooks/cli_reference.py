"""The command-line reference as Markdown, written from the Typer application's own help.

Every command of ``cevns.cli.app`` (through ``typer.main.get_command``, the Click command
tree that ``cevns --help`` prints) gives its help text, its usage line and one table row
per argument or option, in the words and order of ``cevns COMMAND --help``. Nothing here is
copied by hand: a new command or option appears on the next build.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any


def _cell(text: str) -> str:
    """Text for one Markdown table cell: HTML-escaped, pipes escaped, on one line."""
    return html.escape(" ".join(text.split()), quote=False).replace("|", "\\|")


def _code_cell(text: str) -> str:
    """Option names and metavars as a code span in a table cell (no HTML escaping)."""
    return "`" + " ".join(text.split()).replace("`", "").replace("|", "\\|") + "`"


def _walk(
    command: Any, context: Any, path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], Any, Any]]:
    """Yield (path, command, context) for ``command`` and, depth first, its sub-commands."""
    yield path, command, context
    if not hasattr(command, "list_commands"):
        return
    for name in command.list_commands(context):
        sub = command.get_command(context, name)
        if sub is None or sub.hidden:
            continue
        sub_context = sub.make_context(name, [], parent=context, resilient_parsing=True)
        yield from _walk(sub, sub_context, (*path, name))


def _section(path: tuple[str, ...], command: Any, context: Any) -> list[str]:
    """The Markdown of one command: heading, help, usage and the table of its parameters."""
    name = " ".join(path)
    usage = " ".join([name, *command.collect_usage_pieces(context)])
    lines = [f"## `{name}`", ""]
    if command.help:
        lines += [command.help.strip(), ""]
    lines += ["```text", usage, "```", ""]
    rows = [
        record
        for parameter in command.get_params(context)
        if (record := parameter.get_help_record(context)) is not None
    ]
    if hasattr(command, "list_commands"):
        for sub_name in command.list_commands(context):
            sub = command.get_command(context, sub_name)
            if sub is not None and not sub.hidden:
                rows.append((f"{sub_name}", f"(command) {sub.help or ''}"))
    if rows:
        lines += ["| argument or option | meaning |", "|---|---|"]
        lines += [f"| {_code_cell(opts)} | {_cell(help_text)} |" for opts, help_text in rows]
        lines.append("")
    return lines


def cli_reference_markdown(app: Any, program: str = "cevns") -> tuple[str, list[str]]:
    """The reference page of the Typer ``app`` and the list of its command paths."""
    import typer.main

    root = typer.main.get_command(app)
    context = root.make_context(program, [], resilient_parsing=True)
    lines = [
        "# Command line",
        "",
        "Generated at build time from the help of the `cevns` application "
        "(`cevns.cli.app`), so it lists every command and option of the installed version; "
        "`cevns COMMAND --help` prints the same in the terminal. Every command takes "
        "`--json` for machine-readable output; bad input is refused in one line "
        "(`error: ...`) with exit code 2.",
        "",
    ]
    commands = []
    for path, command, command_context in _walk(root, context, (program,)):
        lines += _section(path, command, command_context)
        commands.append(" ".join(path))
    return "\n".join(lines), commands
