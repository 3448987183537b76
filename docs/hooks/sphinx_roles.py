"""Griffe extension for the API reference: Sphinx cross-reference roles as code spans.

cevns's docstrings are numpy style and name other objects with Sphinx roles
(``:func:`cevns.stats.scan.run_scan```, ``:class:`~cevns.sources.flux.Flux```), which
``help()`` and IDEs show as they are. Markdown has no such roles, so before mkdocstrings
renders a docstring this extension writes each role as a code span, as Sphinx would label
it: the full name, the last component for ``~name``, or the title of ``title <name>``; a
paragraph's closing ``::`` (a reStructuredText literal block follows) becomes ``:``.
"""

from __future__ import annotations

import re
from typing import Any

from griffe import Extension

_ROLE = re.compile(
    r":(?:py:)?(?:func|class|meth|mod|data|attr|exc|obj|const|type):"
    r"`(?P<tilde>~?)(?P<text>[^`<]+?)(?:\s*<(?P<target>[^`>]+)>)?`"
)
_LITERAL_BLOCK = re.compile(r"(?<=\S)::$", re.MULTILINE)


def _label(match: re.Match[str]) -> str:
    text = match.group("text").strip()
    if match.group("target") is None and match.group("tilde"):
        text = text.rsplit(".", 1)[-1]
    return f"`{text}`"


def markdown_docstring(text: str) -> str:
    """The docstring ``text`` with roles as code spans and ``::`` as ``:``."""
    return _LITERAL_BLOCK.sub(":", _ROLE.sub(_label, text))


class SphinxRolesAsCode(Extension):
    """Rewrite the docstring of every object once the tree is loaded."""

    def on_object(self, *, obj: Any, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown_docstring(obj.docstring.value)
