"""``cevns schema``: the JSON schema of experiment and analysis documents."""

from __future__ import annotations

from typing import Annotated

import typer

from cevns.cli.output import print_json, print_table, reports_input_errors


def document_schema() -> dict:
    """The JSON schema of a document (:class:`cevns.experiments.schema.ExperimentSpec`)."""
    from cevns.experiments.analysis_schema import SCHEMA_VERSION
    from cevns.experiments.schema import ExperimentSpec

    schema = ExperimentSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"cevns experiment and analysis document, schema_version {SCHEMA_VERSION}"
    return schema


def _describe(schema: dict, field: dict) -> str:
    """A field's description, or that of the definition it refers to."""
    if field.get("description"):
        return field["description"]
    for option in [field, *field.get("anyOf", []), *field.get("oneOf", [])]:
        reference = option.get("$ref", "")
        if reference.startswith("#/$defs/"):
            return schema["$defs"][reference.split("/")[-1]].get("description", "")
    return field.get("title", "")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def register(app: typer.Typer) -> None:
    """Add the ``schema`` command to ``app``."""

    @app.command("schema")
    @reports_input_errors
    def schema_command(
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON (the schema).")] = False,
    ) -> None:
        """Print the JSON schema of experiment and analysis documents (TOML files)."""
        schema = document_schema()
        if as_json:
            print_json(schema)
            return
        print_table(
            schema["title"],
            ["top-level field", "required", "description"],
            [
                [
                    name,
                    "yes" if name in schema.get("required", []) else "",
                    _first_line(_describe(schema, field)),
                ]
                for name, field in schema["properties"].items()
            ],
        )
        typer.echo("The full schema: cevns schema --json")
