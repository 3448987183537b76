"""MkDocs hook: the environment in which the tutorials execute, and their timing.

mkdocs-jupyter executes ``docs/tutorials/*.py`` in a Jupyter kernel started from this
process, so the kernel inherits what is set here:

* ``CEVNS_DATA_DIR``: kept when set; otherwise ``../shared/data`` next to the repository
  (the folder the test suite uses) when it exists, else cevns's own default (the cache
  that ``cevns.data.download_release`` fills);
* ``JUPYTER_CONFIG_PATH`` gains ``docs/hooks/jupyter``, whose nbconvert configuration
  starts the kernel on IPC sockets instead of TCP on localhost (ipykernel warns on every
  start over unencrypted TCP; with IPC nothing leaves the machine's file system);
* ``JUPYTER_PATH`` gains the base interpreter's ``share/jupyter`` when the build runs in a
  virtual environment that inherits the system's packages (``--system-site-packages``):
  nbconvert's HTML templates are installed there, and Jupyter looks only under the
  environment's own prefix.

Markdown links between pages (``../analyse-your-own-data.md``) are left as they are by the
notebook converter; here they become the pages' URLs, and a link to a page that does not
exist is a warning (an error under ``--strict``), as on every other page. Each tutorial's
execution time is logged (INFO) after its page is rendered.
"""

from __future__ import annotations

import html
import logging
import os
import posixpath
import re
import sys
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.tutorial_environment")

ROOT = Path(__file__).resolve().parents[2]
JUPYTER_CONFIG = Path(__file__).resolve().parent / "jupyter"
TUTORIALS = "tutorials/"

_LINK = re.compile(r'href="(?![a-z]+:|#|/)([^"#]+\.md)(#[^"]*)?"')

_started: dict[str, float] = {}
timings: dict[str, float] = {}


def on_config(config: Any) -> Any:
    """Set the data folder and the kernel transport for the tutorials."""
    data = os.environ.get("CEVNS_DATA_DIR", "").strip()
    shared = ROOT.parent / "shared" / "data"
    if not data and shared.is_dir():
        os.environ["CEVNS_DATA_DIR"] = str(shared)
    log.info(
        "tutorials read the data releases in %s", os.environ.get("CEVNS_DATA_DIR", "the user cache")
    )
    paths = [
        str(JUPYTER_CONFIG),
        *filter(None, os.environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep)),
    ]
    os.environ["JUPYTER_CONFIG_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    inherited = Path(sys.base_prefix) / "share" / "jupyter"
    if sys.base_prefix != sys.prefix and inherited.is_dir():
        data_paths = [*filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
        os.environ["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys([*data_paths, str(inherited)]))
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Start a tutorial's clock (mkdocs-jupyter executes it when the page renders)."""
    if page.file.src_uri.startswith(TUTORIALS):
        _started[page.file.src_uri] = time.perf_counter()
    return markdown


def _resolve_links(content: str, page: Any, files: Any) -> str:
    """Point a tutorial's links to Markdown pages at those pages' URLs."""

    def replace(match: re.Match[str]) -> str:
        target = html.unescape(match.group(1))
        path = posixpath.normpath(posixpath.join(posixpath.dirname(page.file.src_uri), target))
        linked = files.get_file_from_path(path)
        if linked is None:
            log.warning(
                "%s links to '%s', which is not a page of the site", page.file.src_uri, target
            )
            return match.group(0)
        return f'href="{linked.url_relative_to(page.file)}{match.group(2) or ""}"'

    return _LINK.sub(replace, content)


def on_page_content(content: str, page: Any, config: Any, files: Any) -> str:
    """Resolve a tutorial's page links; log how long it took to execute and render."""
    start = _started.pop(page.file.src_uri, None)
    if start is not None:
        timings[page.file.src_uri] = time.perf_counter() - start
        log.info("tutorial %s executed in %.1f s", page.file.src_uri, timings[page.file.src_uri])
        content = _resolve_links(content, page, files)
    return content


def on_post_build(config: Any) -> None:
    """Log the tutorials' total execution time."""
    if timings:
        log.info("tutorials: %d executed in %.1f s in total", len(timings), sum(timings.values()))
