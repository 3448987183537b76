"""Parallel execution of scan chunks on any :class:`concurrent.futures.Executor`.

:func:`run_chunks` sends work units to an executor (by default local spawned processes; a
Dask ``distributed.Client(...).get_executor()`` works the same way), shows progress, and
appends results to a :class:`~cevns.stats.results.ResultFile` as they arrive, so an
interrupted run keeps every finished point and continues with ``resume``.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from multiprocessing import get_context
from typing import Any, Protocol, TypeVar

from cevns.errors import CevnsInputError
from cevns.stats.likelihood import LikelihoodRecipe, ShippedLikelihood
from cevns.stats.results import ResultFile

#: Local worker processes when no executor is given.
DEFAULT_WORKERS = 2


class SerialExecutor(Executor):
    """Run each call at submission, in this process (one worker, nothing pickled)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            result = fn(*args, **kwargs)
        except Exception as error:  # KeyboardInterrupt propagates
            future.set_exception(error)
        else:
            future.set_result(result)
        return future


#: How often a local worker checks that its parent is alive (seconds).
PARENT_CHECK_INTERVAL = 0.5


def _ignore_interrupts() -> None:
    """Worker initializer: Ctrl-C is handled by the parent, which stops the run; the worker
    exits as soon as its parent is gone (killed with ``kill -9``, for example), so that no
    worker — nor the resource tracker they keep open — outlives the run."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    threading.Thread(
        target=_exit_with_parent, args=(parent,), name="cevns-parent-watchdog", daemon=True
    ).start()


def _exit_with_parent(parent: int) -> None:
    """Exit this process at once when its parent ``parent`` is no longer its parent."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_INTERVAL)
    os._exit(1)


#: Thread-count settings of the numerical libraries, set to 1 in local workers.
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextmanager
def single_threaded_workers() -> Iterator[None]:
    """Let processes started inside the block run their BLAS on one thread.

    One process per core is the parallelism; threaded BLAS in each would oversubscribe
    the cores (building the CsI likelihood in two workers at once took 11 s instead of
    6 s). Spawned processes copy the environment when they start, and OpenBLAS reads it
    when loaded, so the variables are set here (unless the user set them) and restored
    on exit. Dask's nanny sets the same variables for its workers.
    """
    saved = {name: os.environ.get(name) for name in _THREAD_VARIABLES}
    for name, value in saved.items():
        if value is None:
            os.environ[name] = "1"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)


def local_executor(workers: int = DEFAULT_WORKERS) -> Executor:
    """``workers`` local processes (spawned, so no state is inherited); 1: in-process.

    Start the processes inside :func:`single_threaded_workers` (as :func:`run_chunks`
    does with the executor it creates).
    """
    check_workers(workers)
    if workers == 1:
        return SerialExecutor()
    return ProcessPoolExecutor(
        workers, mp_context=get_context("spawn"), initializer=_ignore_interrupts
    )


def check_workers(workers: int) -> int:
    """``workers`` if it is an integer ≥ 1; otherwise a one-line error."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise CevnsInputError(f"workers must be an integer ≥ 1; got {workers!r}")
    return workers


class WorkChunk(Protocol):
    """What :func:`run_chunks` needs of a work unit: the indices of its points."""

    @property
    def indices(self) -> tuple[int, ...]: ...


C = TypeVar("C", bound=WorkChunk)


def run_chunks(
    recipe: LikelihoodRecipe | ShippedLikelihood,
    work: Callable[[LikelihoodRecipe | ShippedLikelihood, C], list[dict[str, Any]]],
    chunks: Sequence[C],
    results: ResultFile,
    *,
    executor: Executor | None = None,
    workers: int = DEFAULT_WORKERS,
    progress: bool = True,
    description: str = "scan",
    on_chunk: Callable[[int], None] | None = None,
) -> dict[int, dict[str, Any]]:
    """Run ``work(recipe, chunk)`` for every chunk with points missing from ``results``
    (``recipe`` may carry its built likelihood: :class:`~cevns.stats.likelihood.ShippedLikelihood`).

    Records are appended to ``results`` as chunks finish (only the missing points of a
    chunk that was partly saved). At most ``2 × workers`` chunks are in flight (one with
    a :class:`SerialExecutor`). On any exception, including KeyboardInterrupt, chunks
    that have finished are saved, the others cancelled, an executor created here is shut
    down, and the exception propagates: the file keeps every finished point.
    ``on_chunk(n)`` is called after the n-th chunk of this run is saved.
    Returns all records (earlier and new) by index.
    """
    done = results.records
    pending = list(reversed([c for c in chunks if any(i not in done for i in c.indices)]))
    total = sum(len(c.indices) for c in chunks)
    check_workers(workers)
    own = executor is None
    unsaved: set[Future] = set()
    with ExitStack() as stack:
        if own:
            stack.enter_context(single_threaded_workers())
            executor = local_executor(workers)
        assert executor is not None
        window = 1 if isinstance(executor, SerialExecutor) else 2 * workers
        bar = stack.enter_context(_progress_bar(progress))
        task = bar.add_task(description, total=total, completed=len(done))

        def save(future: Future) -> None:
            new = [r for r in future.result() if int(r["index"]) not in done]
            results.append(new)
            unsaved.discard(future)
            bar.advance(task, len(new))

        finished = 0
        try:
            while pending or unsaved:
                while pending and len(unsaved) < window:
                    unsaved.add(executor.submit(work, recipe, pending.pop()))
                completed, _ = wait(unsaved, return_when=FIRST_COMPLETED)
                for future in completed:
                    save(future)
                    finished += 1
                    if on_chunk is not None:
                        on_chunk(finished)
        except BaseException:
            for future in list(unsaved):
                if future.done() and not future.cancelled() and future.exception() is None:
                    save(future)  # finished work is kept
                else:
                    future.cancel()
            if own:
                executor.shutdown(wait=False, cancel_futures=True)
            raise
        if own:
            executor.shutdown()
    return done


def _progress_bar(enabled: bool):
    """A rich progress bar on standard error; silent unless enabled and a terminal."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not (enabled and console.is_terminal),
    )


__all__ = [
    "DEFAULT_WORKERS",
    "SerialExecutor",
    "WorkChunk",
    "check_workers",
    "local_executor",
    "run_chunks",
    "single_threaded_workers",
]
