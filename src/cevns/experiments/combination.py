"""Combinations: one name for a joint fit of several analysis documents.

A collaboration's result often combines data sets fitted together: XENONnT's ⁸B
measurement fits science runs 0 and 1, each with its own exposure, templates and
backgrounds, sharing the ⁸B flux and the yield nuisances. A *combination document* names
its members and carries the published numbers of the combined result::

    schema_version = 1
    name = "xenonnt-b8-2024"
    title = "XENONnT solar 8B CEvNS, SR0 + SR1"
    reference = "PRL 133, 191002 (2024), arXiv:2408.02877"
    combine = ["xenonnt-b8-sr0", "xenonnt-b8-sr1"]   # presets, or paths relative to this file

    [published]
    significance = 2.73

Every command that takes experiments (``cevns fit``, ``scan``, ``limit``) accepts a
combination's name or file and fits its members jointly; parameters with the same name
are shared. Combinations shipped with cevns live in ``experiments/combinations/``.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator

from cevns.errors import CevnsInputError
from cevns.experiments.analysis_schema import SCHEMA_VERSION, Name, StrictModel, require_distinct
from cevns.experiments.background_schema import PublishedValue, published_json

_PACKAGE = "cevns.experiments.combinations"


class CombinationSpec(StrictModel):
    """A joint fit of ``combine`` (at least two presets or document paths)."""

    schema_version: Literal[1] = SCHEMA_VERSION
    name: Name
    title: str = ""
    reference: str = ""
    combine: list[str] = Field(min_length=2)
    published: dict[str, PublishedValue | float | str] = Field(default_factory=dict)
    notes: str = ""

    @field_validator("combine")
    @classmethod
    def _distinct(cls, members: list[str]) -> list[str]:
        require_distinct(members, "combined documents")
        return members

    def published_json(self) -> dict:
        """The published numbers as plain JSON values (see :func:`published_json`)."""
        return published_json(self.published)


def combination_names() -> list[str]:
    """Names of the combinations shipped with cevns."""
    folder = resources.files(_PACKAGE)
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def _parse(document: dict, origin: str, folder: Path | None) -> tuple[CombinationSpec, Path | None]:
    from cevns.experiments.load import validation_message

    try:
        return CombinationSpec.model_validate(document), folder
    except ValidationError as error:
        raise CevnsInputError(validation_message(error, origin)) from None


@cache
def _shipped(name: str) -> CombinationSpec:
    text = resources.files(_PACKAGE).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return _parse(tomllib.loads(text), f"combination {name}", None)[0]


def load_combination(name_or_path: str | Path) -> tuple[CombinationSpec, Path | None] | None:
    """The combination a name or file means, with the folder its relative members resolve
    in (None for shipped ones); None when it is not a combination (a preset, an
    experiment document, or an unknown name, which the experiment loader reports)."""
    text = str(name_or_path)
    if text in combination_names():
        return _shipped(text), None
    path = Path(text)
    try:
        if path.suffix != ".toml" or not path.is_file():
            return None
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError, RecursionError):
        return None  # the experiment loader reports it
    if "combine" not in document:
        return None
    return _parse(document, path.name, path.resolve().parent)


def combination_text(name_or_path: str | Path) -> str:
    """The text of a combination document (shipped or a file), after validating it."""
    found = load_combination(name_or_path)
    if found is None:
        raise CevnsInputError(f"{name_or_path!r} is not a combination document")
    if str(name_or_path) in combination_names():
        return resources.files(_PACKAGE).joinpath(f"{name_or_path}.toml").read_text("utf-8")
    return Path(name_or_path).read_text(encoding="utf-8")


def expand_combinations(names: list[str] | tuple[str, ...]) -> list[str]:
    """``names`` with each combination replaced by its members (paths made absolute),
    repeats removed; other names pass unchanged."""
    result: list[str] = []
    for name in names:
        found = load_combination(name)
        if found is None:
            result.append(str(name))
            continue
        spec, folder = found
        for member in spec.combine:
            candidate = folder / member if folder is not None else None
            if candidate is not None and candidate.is_file():
                result.append(str(candidate))
            else:
                result.append(member)
    return list(dict.fromkeys(result))


__all__ = [
    "CombinationSpec",
    "combination_names",
    "combination_text",
    "expand_combinations",
    "load_combination",
]
