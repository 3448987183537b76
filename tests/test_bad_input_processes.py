"""Worker processes of a scan die with their parent: after ``kill -9`` of a running
``cevns scan --workers 2``, none of its child processes (the workers, the resource
tracker) is left after 5 s."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_documents_malformed import Toy, _write_release

psutil = pytest.importorskip("psutil")

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="process parentage checked on Linux only"
)


def _descendants(process) -> list:
    try:
        return process.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def test_scan_workers_die_with_a_killed_parent(tmp_path: Path):
    toy = Toy(tmp_path)
    _write_release(tmp_path)
    document = toy.write()
    command = [
        sys.executable, "-c", "from cevns.cli.entry import main; main()",
        "scan", str(document), "--param", "toy_scale=0.5:2:4000", "--workers", "2",
        "--output", str(tmp_path / "scan.jsonl"), "--json",
    ]  # fmt: skip
    parent = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path
    )
    children: list = []
    try:
        watched = psutil.Process(parent.pid)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and parent.poll() is None:
            children = _descendants(watched)
            workers = [c for c in children if "resource_tracker" not in " ".join(c.cmdline())]
            if len(workers) >= 2 and (tmp_path / "scan.jsonl").exists():
                break
            time.sleep(0.2)
        assert parent.poll() is None, "the scan ended before it could be killed"
        assert len(children) >= 2, f"no workers started: {children}"
        time.sleep(2)
        children = _descendants(watched) or children
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        _gone, alive = psutil.wait_procs(children, timeout=5)
        assert not alive, f"still running 5 s after kill -9 of the scan: {alive}"
    finally:
        if parent.poll() is None:
            parent.kill()
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
