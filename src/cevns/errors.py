"""Errors raised on bad input, and the validation helpers that raise them.

Every message is one line naming the parameter, the value received and what is allowed,
so that the command line can print it as it is (``error: energy must be ...``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import numpy as np


class CevnsInputError(ValueError):
    """A parameter has a value that cevns cannot accept; the message says which and why.

    Every refused input of the package and of the command line raises it (the commands
    print its one-line message as ``error: …`` and exit with code 2).

    >>> import cevns
    >>> try:
    ...     cevns.get_isotope("Cs999")
    ... except cevns.CevnsInputError as error:
    ...     print(error)
    unknown nucleus 'Cs999'...
    """


def require_finite(name: str, value: object, unit: str = "") -> np.ndarray:
    """Return ``value`` as a float array; raise if any element is NaN or infinite."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise CevnsInputError(
            f"{name} must be a number{_unit_suffix(unit)}; got {value!r}"
        ) from None
    if not np.all(np.isfinite(array)):
        offender = float(array[~np.isfinite(array)].ravel()[0])
        raise CevnsInputError(
            f"{name} must be a finite number{_unit_suffix(unit)}; got {offender!r}"
        )
    return array


def require_positive(name: str, value: object, unit: str = "") -> np.ndarray:
    """Return ``value`` as a float array; raise unless every element is finite and > 0."""
    array = require_finite(name, value, unit)
    if np.any(array <= 0):
        offender = float(array[array <= 0].ravel()[0])
        raise CevnsInputError(
            f"{name} must be a positive finite number{_unit_suffix(unit)}; got {offender!r}"
        )
    return array


def require_non_negative(name: str, value: object, unit: str = "") -> np.ndarray:
    """Return ``value`` as a float array; raise unless every element is finite and ≥ 0."""
    array = require_finite(name, value, unit)
    if np.any(array < 0):
        offender = float(array[array < 0].ravel()[0])
        raise CevnsInputError(
            f"{name} must be a non-negative finite number{_unit_suffix(unit)}; got {offender!r}"
        )
    return array


def require_increasing(name: str, values: object, scale: float = 1.0, unit: str = "") -> np.ndarray:
    """Return ``values`` as a finite float array; raise unless strictly increasing.

    ``scale`` and ``unit`` only format the message (values shown divided by ``scale``).
    """
    array = np.asarray(require_finite(name, values), dtype=float)
    steps = np.diff(array)
    if np.any(steps <= 0):
        bad = int(np.argmax(steps <= 0)) + 1
        suffix = f" {unit}" if unit else ""
        raise CevnsInputError(
            f"{name} must be strictly increasing; entry {bad} ({array[bad] / scale:g}{suffix}) "
            f"does not exceed entry {bad - 1} ({array[bad - 1] / scale:g}{suffix})"
        )
    return array


def require_choice(name: str, value: object, allowed: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``allowed``; otherwise raise, listing the choices."""
    choices = list(allowed)
    if isinstance(value, str) and value in choices:
        return value
    raise CevnsInputError(f"{name} must be one of {', '.join(choices)}; got {_shown(value)}")


def unknown_name_error(kind: str, name: str, known: Iterable[str]) -> CevnsInputError:
    """An error for an unknown ``name`` of a ``kind``, listing close matches if any."""
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
    if not close:
        lowered = name.lower()
        close = [k for k in known if lowered and lowered in k.lower()][:5]
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    if kind in ("nucleus", "material", "nucleus or material"):
        listing = f"`cevns nuclei` lists the {len(known)} known names"
    elif len(known) > MAX_LISTED:
        listing = f"{len(known)} known, e.g. {', '.join(known[:MAX_LISTED])}, …"
    else:
        listing = f"known: {', '.join(known)}"
    return CevnsInputError(f"unknown {kind} {_shown(name)}{hint} ({listing})")


#: Longest value echoed whole in a message, and most names listed as known.
MAX_SHOWN = 60
MAX_LISTED = 20


def _shown(value: object) -> str:
    """``repr(value)``, cut to :data:`MAX_SHOWN` characters with the length if longer."""
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else f"{text[:MAX_SHOWN]}… ({len(text)} characters)"


def _unit_suffix(unit: str) -> str:
    return f" in {unit}" if unit else ""


__all__ = [
    "CevnsInputError",
    "require_choice",
    "require_finite",
    "require_increasing",
    "require_non_negative",
    "require_positive",
    "unknown_name_error",
]
