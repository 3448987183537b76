"""``cevns experiments`` and ``cevns experiment show``: the experiment presets."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.cells import cell_len
from rich.text import Text

from cevns.cli.output import console_width, print_json, print_table, reports_input_errors
from cevns.quantities import format_quantity
from cevns.units import MeV, cm2


def experiment_summary(name: str) -> dict[str, Any]:
    """One line of ``cevns experiments``."""
    from cevns.experiments.load import load_experiment

    spec = load_experiment(name)
    return {
        "name": spec.name,
        "title": spec.title,
        "kind": spec.kind,
        "source": spec.source.kind,
        "material": spec.detector.material,
        "mass": format_quantity(spec.detector.mass, "mass"),
        "distance": format_quantity(spec.detector.distance, "length"),
        "reference": spec.reference,
    }


def combination_summary(name: str) -> dict[str, Any]:
    """One line of ``cevns experiments`` for a combination of documents."""
    from cevns.experiments.combination import load_combination

    loaded = load_combination(name)
    assert loaded is not None  # called with the names of shipped combinations
    spec, _ = loaded
    return {
        "name": spec.name,
        "title": spec.title,
        "kind": "combination",
        "source": "",
        "material": "",
        "mass": "",
        "distance": "",
        "combine": list(spec.combine),
        "reference": spec.reference,
    }


def resolved_experiment(name: str) -> dict[str, Any]:
    """The full description with defaults filled in, plus derived quantities."""
    from cevns.experiments.build import build_experiment
    from cevns.experiments.load import load_experiment

    spec = load_experiment(name)
    experiment = build_experiment(spec)
    flux = experiment.flux
    document = spec.model_dump(mode="json")
    document["resolved"] = {
        "source_units": flux.units_of_source,
        "source_unit": flux.source.source_unit,
        "fluence_per_cm2": {f: flux.fluence(f) * cm2 for f in flux.flavors},
        "mean_energy_mev": {f: flux.source.mean_energy(f) / MeV for f in flux.flavors},
        "nuclei": experiment.nuclei_by_isotope(),
    }
    return document


def register(app: typer.Typer) -> None:
    """Add ``experiments`` and ``experiment show`` to ``app``."""

    @app.command("experiments")
    @reports_input_errors
    def experiments(
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """List the experiment presets and the combinations of them (joint fits)."""
        from cevns.experiments.combination import combination_names
        from cevns.experiments.load import preset_names

        rows = [experiment_summary(name) for name in preset_names()]
        rows += [combination_summary(name) for name in combination_names()]
        if as_json:
            print_json({"experiments": rows})
            return
        _print_experiments(rows)

    experiment_app = typer.Typer(help="Inspect one experiment.", no_args_is_help=True)

    @experiment_app.command("show")
    @reports_input_errors
    def show(
        name: Annotated[str, typer.Argument(help="Preset name or TOML file.")],
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        as_toml: Annotated[
            bool,
            typer.Option("--toml", help="Print the document itself, to edit and fit as a file."),
        ] = False,
    ) -> None:
        """Print one experiment fully resolved (defaults filled in, derived numbers added),
        or with --toml the document as written (its comments cite each number)."""
        from cevns.experiments.combination import load_combination

        combination = load_combination(name)
        if combination is not None:
            spec, _ = combination
            if as_toml:
                from cevns.experiments.combination import combination_text

                typer.echo(combination_text(name), nl=False)
            elif as_json:
                print_json(spec.model_dump(mode="json"))
            else:
                typer.echo(f"{spec.name}: {spec.title}\ncombines {', '.join(spec.combine)}")
            return
        if as_toml:
            from cevns.experiments.load import document_text

            typer.echo(document_text(name), nl=False)
            return
        document = resolved_experiment(name)
        if as_json:
            print_json(document)
            return
        rows = list(_flatten(document))
        print_table(f"{name}", ["field", "value"], rows)

    app.add_typer(experiment_app, name="experiment")


_SUMMARY_KEYS = ("name", "kind", "material", "mass", "distance")


def _print_experiments(rows: list[dict[str, Any]]) -> None:
    """One line per preset with its title in the last column when the terminal is wide
    enough; otherwise each title under its name (names stay whole, titles wrap)."""
    keys = [*_SUMMARY_KEYS, "title"]
    # Each column's widest cell, plus a border and a space either side of every cell.
    wide = sum(max(cell_len(str(r[k])) for r in [dict.fromkeys(keys, k), *rows]) for k in keys)
    if wide + 3 * len(keys) + 1 <= console_width():
        print_table("Experiment presets", keys, [[r[k] for k in keys] for r in rows])
        return
    print_table(
        "Experiment presets",
        ["name and title", *_SUMMARY_KEYS[1:]],
        [[_name_and_title(r), *(r[k] for k in _SUMMARY_KEYS[1:])] for r in rows],
    )


def _name_and_title(row: dict[str, Any]) -> Text:
    cell = Text(row["name"])
    cell.append(f"\n{row['title']}", style="dim")
    return cell


def _flatten(document: Any, prefix: str = ""):
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(document, list) and document and isinstance(document[0], dict):
        for index, value in enumerate(document):
            yield from _flatten(value, f"{prefix}[{index}]")
    else:
        yield [prefix, document if not isinstance(document, str) else document.strip()]
