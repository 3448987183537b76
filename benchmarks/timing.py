"""Timing helper shared by the benchmark scripts (run as ``python benchmarks/bench_*.py``,
which puts this folder on the import path)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_time(function: Callable[[], object], repeat: int) -> float:
    """The median wall time in seconds of ``repeat`` calls of ``function``."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)
