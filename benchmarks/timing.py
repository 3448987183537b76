"""Timing helper shared by the benchmark scripts (run as ``python benchmarks/bench_*.py``,
which puts this folder on the import path)."""

from __future__ import annotations

import os
import statistics
import time
import timeit
from collections.abc import Callable


def median_time(function: Callable[[], object], repeat: int) -> float:
    """The median wall time in seconds of ``repeat`` calls of ``function``."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def best_mean_time(function: Callable[[], object], number: int, repeat: int = 5) -> float:
    """The smallest mean wall time in seconds over ``repeat`` runs of ``number`` calls:
    the least disturbed estimate on a machine shared with other work."""
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number


def load_average() -> float:
    """The machine's one-minute load average (processes wanting a core)."""
    return os.getloadavg()[0]
