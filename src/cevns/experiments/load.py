"""Find and validate experiment descriptions: shipped presets or a user's TOML file."""

from __future__ import annotations

import os
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from cevns.errors import CevnsInputError, unknown_name_error
from cevns.experiments.schema import ExperimentSpec

_PRESET_PACKAGE = "cevns.experiments.presets"


def preset_names() -> list[str]:
    """Names of the experiment presets shipped with cevns (file stems of presets/*.toml)."""
    folder = resources.files(_PRESET_PACKAGE)
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def validation_message(error: ValidationError, origin: str) -> str:
    """One line naming the first offending field, e.g. ``detector.mass: ...``."""
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"] if not str(part).startswith("function-"))
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        message = "this field is required but missing"
    elif first["type"] == "extra_forbidden":
        message = "unknown field (check the spelling; see `cevns experiment show` for the layout)"
    if len(message) > MAX_MESSAGE:
        message = f"{message[:MAX_MESSAGE]}… (cut)"
    extra = f" (and {len(error.errors()) - 1} more problems)" if len(error.errors()) > 1 else ""
    return f"{origin}: {location or 'top level'}: {message}{extra}"


#: Longest message of a field's validator quoted whole (longer ones echo long input).
MAX_MESSAGE = 240


def parse_experiment(document: dict, origin: str = "experiment") -> ExperimentSpec:
    """Validate a parsed TOML document; raise a one-line :class:`CevnsInputError`."""
    try:
        return ExperimentSpec.model_validate(document)
    except ValidationError as error:
        raise CevnsInputError(validation_message(error, origin)) from None


def _preset_text(name: str) -> str:
    return resources.files(_PRESET_PACKAGE).joinpath(f"{name}.toml").read_text(encoding="utf-8")


@cache
def _load_preset(name: str) -> ExperimentSpec:
    return parse_experiment(tomllib.loads(_preset_text(name)), f"preset {name}")


def document_text(name_or_path: str | Path) -> str:
    """The text of a preset or document, after checking that it is valid.

    Saved to a file unchanged, it is the same document: its relative paths resolve in the
    data directory when they are not next to the file.
    """
    load_experiment(name_or_path)
    text = str(name_or_path)
    if text in preset_names():
        return _preset_text(text)
    return Path(text).read_text(encoding="utf-8")


def load_experiment(name_or_path: str | os.PathLike[str]) -> ExperimentSpec:
    """A preset by name (``coherent-csi-2021``) or a TOML file by path.

    Parameters
    ----------
    name_or_path
        A preset name (``cevns experiments`` lists them) or the path of a TOML document
        (``cevns schema`` gives its JSON schema).

    Returns
    -------
    ExperimentSpec
        The validated document (pydantic model), with its folder for relative paths.

    Raises
    ------
    CevnsInputError
        An unknown preset, a missing, unreadable or invalid file (naming the field).

    Examples
    --------
    >>> from cevns import load_experiment
    >>> spec = load_experiment("coherent-csi-2021")
    >>> spec.detector.material
    'CsI'
    >>> load_experiment("no-such-preset")
    Traceback (most recent call last):
    ...
    cevns.errors.CevnsInputError: unknown experiment preset 'no-such-preset'...
    """
    text = os.fspath(name_or_path)
    if text in preset_names():
        return _load_preset(text)
    path = Path(text)
    if path.suffix == ".toml" or _exists(path):
        if not _exists(path):
            raise CevnsInputError(f"experiment file {_shorten(text)!r} does not exist")
        if not path.is_file():
            raise CevnsInputError(
                f"experiment file {_shorten(text)!r} is not a regular file (a folder, pipe or "
                "device); give the path of a TOML document"
            )
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise CevnsInputError(f"{path.name}: not valid TOML: {error}") from None
        except RecursionError:
            raise CevnsInputError(
                f"{path.name}: not a usable TOML document (arrays or tables nested too deeply)"
            ) from None
        except UnicodeDecodeError:
            raise CevnsInputError(f"{path.name}: not UTF-8 text (is it a TOML file?)") from None
        except OSError as error:
            raise CevnsInputError(f"{path.name}: cannot be read ({error.strerror})") from None
        return parse_experiment(document, path.name).with_folder(path.resolve().parent)
    raise unknown_name_error("experiment preset", text, preset_names())


def _exists(path: Path) -> bool:
    """``path.exists()``, False for a name the system refuses (too long, for example)."""
    try:
        return path.exists()
    except OSError:
        return False


def _shorten(text: str, limit: int = 160) -> str:
    """A path as given, or its last ``limit`` characters (the file's name) if longer."""
    return text if len(text) <= limit else f"…{text[-limit:]}"
