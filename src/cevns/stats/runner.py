"""The machinery shared by scans and limits: likelihood recipes, profiled points, result
files and parallel execution.

* A :class:`LikelihoodRecipe` is a small frozen description of a likelihood
  (experiments, data directory, new-physics parameters with their defaults, fixed
  parameters). Work units carry it instead of the cost; each process builds the cost
  once and caches it (:func:`likelihood_for`).
* :func:`profile` minimises over every parameter that is not fixed (MIGRAD only, no
  HESSE: a scan needs minima, not errors), from a given start (warm starts).
* :class:`ResultFile` is a JSON Lines file: a header line describing the run (compared on
  resume), then one object per finished point, flushed and synced as chunks finish.
* :func:`run_chunks` sends work units to any :class:`concurrent.futures.Executor` (by
  default local processes; a Dask ``distributed.Client(...).get_executor()`` works the
  same way), shows progress, and appends results as they arrive, so an interrupted run
  keeps every finished point and continues with ``resume``.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import signal
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Protocol, TypeVar

from iminuit import Minuit

from cevns.errors import CevnsInputError

#: The first field of the header line of a result file, and its format version.
FILE_FORMAT = "cevns-scan-points"
FILE_VERSION = 1

#: Document → analysis: ``build_analysis(name_or_path, data_directory, model_parameters=...,
#: form_factor=...)``.
DEFAULT_BUILDER = "cevns.stats.assemble:build_analysis"

#: MIGRAD strategy of scan points (0: fewest calls; the retry of a failure uses 1).
SCAN_STRATEGY = 0

#: Local worker processes when no executor is given.
DEFAULT_WORKERS = 2


# ----------------------------------------------------------------- the likelihood


@dataclass(frozen=True)
class LikelihoodRecipe:
    """What a worker needs to build the likelihood: small, frozen, picklable, hashable.

    ``experiments`` are preset names or document paths (made absolute). ``builder`` is
    ``"module:function"`` with the signature of :func:`cevns.stats.assemble.build_analysis`,
    ``builder(name, data_directory, model_parameters=..., form_factor=...)``
    (``model_parameters`` None when there are no new-physics parameters; ``form_factor``
    is passed only when set, otherwise each document keeps its own). The cost is the
    joint cost of the experiments (:func:`cevns.stats.analysis.combine`). ``fixed``
    parameters keep their value in every fit (with those the documents fix);
    ``hold_signal_scales`` also holds each analysis's CEvNS signal scale at 1 unless
    it is in ``fixed`` (as ``cevns fit --free`` does: the new-physics model then sets the
    signal normalisation, with the flux uncertainty still profiled).
    """

    experiments: tuple[str, ...]
    data_directory: str | None = None
    model_parameters: tuple[tuple[str, float], ...] = ()
    fixed: tuple[tuple[str, float], ...] = ()
    builder: str = DEFAULT_BUILDER
    hold_signal_scales: bool = False
    form_factor: str | None = None

    @classmethod
    def create(
        cls,
        experiments: Iterable[str],
        data_directory: str | os.PathLike[str] | None = None,
        model_parameters: Mapping[str, float] | None = None,
        fixed: Mapping[str, float] | None = None,
        builder: str = DEFAULT_BUILDER,
        hold_signal_scales: bool = False,
        form_factor: str | None = None,
    ) -> LikelihoodRecipe:
        """A recipe with normalised fields (unique experiments, absolute paths)."""
        names = tuple(dict.fromkeys(_absolute_if_file(name) for name in experiments))
        if not names:
            raise CevnsInputError("a likelihood needs at least one experiment; got none")
        directory = None if data_directory is None else str(Path(data_directory).resolve())
        return cls(
            names,
            directory,
            tuple((k, float(v)) for k, v in (model_parameters or {}).items()),
            tuple((k, float(v)) for k, v in (fixed or {}).items()),
            builder,
            bool(hold_signal_scales),
            form_factor,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "experiments": list(self.experiments),
            "data_directory": self.data_directory,
            "model_parameters": dict(self.model_parameters),
            "fixed": dict(self.fixed),
            "builder": self.builder,
            "hold_signal_scales": self.hold_signal_scales,
            "form_factor": self.form_factor,
        }

    def build(self) -> Likelihood:
        """Build the analyses, combine them and collect start values and limits."""
        from cevns.stats.analysis import combine, merged_start

        module_name, _, function_name = self.builder.partition(":")
        builder = getattr(importlib.import_module(module_name), function_name)
        model_parameters = dict(self.model_parameters)
        options = {} if self.form_factor is None else {"form_factor": self.form_factor}
        analyses = [
            builder(
                name, self.data_directory, model_parameters=model_parameters or None, **options
            )
            for name in self.experiments
        ]
        cost = combine(*analyses)
        names = tuple(cost._parameters)
        limits = {name: _bounds(limits) for name, limits in cost._parameters.items()}
        fixed = {name: value for a in analyses for name, value in a.fixed.items()}
        fixed.update(self.fixed)
        if self.hold_signal_scales:
            for analysis in analyses:
                fixed.setdefault(analysis.signal_scale, 1.0)
        unknown = sorted(set(fixed) - set(names))
        if unknown:
            raise CevnsInputError(
                f"cannot fix {', '.join(unknown)}: not a parameter of the likelihood "
                f"{_close_match_hint(unknown[0], names)}"
            )
        for name, value in fixed.items():
            low, high = limits[name]
            if not low <= value <= high:
                raise CevnsInputError(
                    f"cannot fix {name} at {value:g}: outside its allowed range "
                    f"[{low:g}, {high:g}]"
                )
        start = {**merged_start(*analyses), **model_parameters, **fixed}
        missing = [name for name in names if name not in start]
        if missing:
            raise CevnsInputError(f"no start value for parameters {', '.join(missing)}")
        start = {n: float(start[n]) for n in names}
        return Likelihood(cost, start, names, limits, fixed, analyses)


def _absolute_if_file(name: str) -> str:
    """A document path made absolute (workers may run elsewhere); preset names unchanged."""
    path = Path(name)
    return str(path.resolve()) if path.suffix == ".toml" or path.is_file() else name


def _close_match_hint(name: str, names: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, names, n=3)
    if close:
        return f"(did you mean {', '.join(close)}?)"
    return f"(its parameters: {', '.join(names)})"


def _bounds(limits: tuple[float | None, float | None] | None) -> tuple[float, float]:
    """A cost's limits of one parameter as two floats (±inf where open)."""
    low, high = limits if limits is not None else (None, None)
    return (-math.inf if low is None else float(low), math.inf if high is None else float(high))


@dataclass
class Likelihood:
    """A built cost with its parameter names, start values, limits and fixed values, and
    the analyses it combines (for reports)."""

    cost: Any
    start: dict[str, float]
    names: tuple[str, ...]
    limits: dict[str, tuple[float, float]]
    fixed: dict[str, float]
    analyses: list = field(default_factory=list)

    def free_parameters(self, scanned: Iterable[str] = ()) -> tuple[str, ...]:
        """Parameters profiled at a scan point: neither fixed nor scanned."""
        excluded = set(self.fixed) | set(scanned)
        return tuple(n for n in self.names if n not in excluded)


#: Likelihoods built in this process, by recipe (each worker builds each recipe once).
_LIKELIHOODS: dict[LikelihoodRecipe, Likelihood] = {}


def likelihood_for(recipe: LikelihoodRecipe) -> Likelihood:
    """The likelihood of ``recipe``, built on first use in this process and cached."""
    if recipe not in _LIKELIHOODS:
        _LIKELIHOODS[recipe] = recipe.build()
    return _LIKELIHOODS[recipe]


# ------------------------------------------------------------------ one point


@dataclass(frozen=True)
class ProfiledPoint:
    """The profile minimum at one point: χ², MIGRAD's validity, all parameter values."""

    chi2: float
    converged: bool
    values: dict[str, float]
    calls: int


def profile(
    likelihood: Likelihood,
    fixed_values: Mapping[str, float],
    start: Mapping[str, float],
    *,
    strategy: int = SCAN_STRATEGY,
    steps: Mapping[str, float] | None = None,
    limits: Mapping[str, tuple[float, float]] | None = None,
) -> ProfiledPoint:
    """Minimise over every parameter not in ``fixed_values`` (nor fixed by the recipe).

    MIGRAD only (no HESSE): a scan needs the minimum, not the errors. ``steps`` are
    initial step sizes (HESSE errors of the global fit); ``limits`` override the cost's
    limits of some parameters.
    """
    names = likelihood.names
    values = {**start, **likelihood.fixed, **fixed_values}
    minuit = Minuit(likelihood.cost, *[values[n] for n in names], name=names)
    minuit.strategy = strategy
    minuit.print_level = 0
    for name, bounds in (limits or {}).items():
        minuit.limits[name] = bounds
    for name, step in (steps or {}).items():
        if math.isfinite(step) and step > 0:
            minuit.errors[name] = step
    for name in (*likelihood.fixed, *fixed_values):
        minuit.fixed[name] = True
    if all(minuit.fixed):
        chi2 = float(likelihood.cost(*[values[n] for n in names]))
        return ProfiledPoint(chi2, math.isfinite(chi2), {n: values[n] for n in names}, 1)
    minuit.migrad()
    return ProfiledPoint(
        float(minuit.fval),
        bool(minuit.valid) and math.isfinite(minuit.fval),
        dict(zip(names, (float(v) for v in minuit.values), strict=True)),
        int(minuit.nfcn),
    )


def profile_with_retry(
    likelihood: Likelihood,
    fixed_values: Mapping[str, float],
    warm_start: Mapping[str, float],
    cold_start: Mapping[str, float],
    *,
    strategy: int = SCAN_STRATEGY,
    steps: Mapping[str, float] | None = None,
    limits: Mapping[str, tuple[float, float]] | None = None,
) -> ProfiledPoint:
    """:func:`profile` from ``warm_start``; if that fails, again from ``cold_start`` with
    strategy ≥ 1. The result says whether either converged (calls are summed)."""
    first = profile(
        likelihood, fixed_values, warm_start, strategy=strategy, steps=steps, limits=limits
    )
    if first.converged:
        return first
    second = profile(
        likelihood, fixed_values, cold_start, strategy=max(strategy, 1), steps=steps, limits=limits
    )
    kept = second if second.converged or not first.chi2 < second.chi2 else first
    return ProfiledPoint(kept.chi2, kept.converged, kept.values, first.calls + second.calls)


def global_fit(
    likelihood: Likelihood, fixed_values: Mapping[str, float] | None = None
) -> dict[str, Any]:
    """The fit with every parameter free except the recipe's fixed ones and
    ``fixed_values`` (MIGRAD + HESSE, strategy 1: :func:`cevns.stats.fit.fit`).

    Returns ``converged``, ``minimum``, ``values`` and ``errors``; a fit that does not
    converge gives ``converged = False``, no minimum, and the start values.
    """
    from cevns.stats.fit import FitNotConvergedError, fit

    fixed_values = dict(fixed_values or {})
    start = {**likelihood.start, **fixed_values}
    try:
        result = fit(likelihood.cost, start, fixed=[*likelihood.fixed, *fixed_values])
    except FitNotConvergedError:
        return {"converged": False, "minimum": None, "values": start, "errors": {}}
    return {
        "converged": True,
        "minimum": result.minimum,
        "values": {k: float(v) for k, v in result.values.items()},
        "errors": {k: float(v) for k, v in result.errors.items()},
    }


# ---------------------------------------------------------------- JSON values


def finite_or_none(value: float) -> float | None:
    """``value`` as a float, or None if it is NaN or infinite (JSON has no such numbers)."""
    return float(value) if math.isfinite(value) else None


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float (recursively) replaced by None."""
    if isinstance(value, Mapping):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, float):
        return finite_or_none(value)
    return value


# ------------------------------------------------------------- the result file


class ResultFile:
    """The JSON Lines file of a scan: a header line, then one object per finished point.

    Opening it for a new scan refuses an existing file unless ``resume`` is true; with
    ``resume`` an existing file must hold the same scan (same ``identity``), its points are
    read, and a last line cut short by a kill is discarded. A missing or empty file with
    ``resume`` starts a new scan.
    """

    def __init__(self, path: str | os.PathLike[str], identity: Mapping[str, Any], resume: bool):
        self.path = Path(path)
        self.identity = dict(identity)
        self.header: dict[str, Any] | None = None
        self.records: dict[int, dict[str, Any]] = {}
        valid_length = 0
        if self.path.exists() and self.path.stat().st_size > 0:
            if not resume:
                raise CevnsInputError(
                    f"output file {self.path} exists; continue it with --resume or choose "
                    "another --output"
                )
            self.header, self.records, valid_length = read_result_file(self.path)
            mismatch = self.header and _identity_mismatch(self.header, self.identity)
            if mismatch:
                raise CevnsInputError(
                    f"{self.path} holds a different scan ({mismatch}); resume it with the "
                    "same settings or choose another --output"
                )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        mode = "r+" if valid_length else "w"
        self._stream = open(self.path, mode, encoding="utf-8")  # noqa: SIM115
        self._stream.seek(valid_length)
        self._stream.truncate()

    def write_header(self, extra: Mapping[str, Any]) -> dict[str, Any]:
        """Write the header line (identity plus ``extra``, such as the global fit)."""
        self.header = {**self.identity, **extra}
        self._write_lines([self.header])
        return self.header

    def append(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Append point records (each one line), flush and sync to disk."""
        records = list(records)
        self._write_lines(records)
        for record in records:
            self.records[int(record["index"])] = dict(record)

    def _write_lines(self, objects: Sequence[Mapping[str, Any]]) -> None:
        text = "".join(json.dumps(o, allow_nan=False) + "\n" for o in objects)
        self._stream.write(text)
        self._stream.flush()
        os.fsync(self._stream.fileno())

    def close(self) -> None:
        self._stream.close()


def read_result_file(
    path: Path,
) -> tuple[dict[str, Any] | None, dict[int, dict[str, Any]], int]:
    """Header, records by index, and the length in bytes of the complete lines.

    A file holding only part of a header line (a run killed while starting) has no header
    (None) and no complete lines.
    """
    content = path.read_bytes()
    lines = content.split(b"\n")
    complete = lines[:-1]  # the text after the last newline is an unfinished line
    header_start = json.dumps({"format": FILE_FORMAT})[:-1].encode()
    if not complete and (content.startswith(header_start) or header_start.startswith(content)):
        return None, {}, 0
    try:
        header = json.loads(complete[0]) if complete else None
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FILE_FORMAT:
        raise CevnsInputError(f"{path} is not a cevns scan file (its first line is no header)")
    records: dict[int, dict[str, Any]] = {}
    for number, line in enumerate(complete[1:], start=2):
        try:
            record = json.loads(line)
            index = int(record["index"])
        except (json.JSONDecodeError, TypeError, KeyError, ValueError):
            raise CevnsInputError(f"{path} line {number} is not a point record") from None
        records.setdefault(index, record)
    return header, records, len(content) - len(lines[-1])


def _identity_mismatch(header: Mapping[str, Any], identity: Mapping[str, Any]) -> str:
    """'' if the header describes the requested scan, else which fields differ."""
    differences = [
        f"{key}: file {json.dumps(header.get(key))}, requested {json.dumps(value)}"
        for key, value in identity.items()
        if header.get(key) != value
    ]
    return "; ".join(differences)


# ------------------------------------------------------------------- execution


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


def _ignore_interrupts() -> None:
    """Worker initializer: Ctrl-C is handled by the parent, which stops the run."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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
    recipe: LikelihoodRecipe,
    work: Callable[[LikelihoodRecipe, C], list[dict[str, Any]]],
    chunks: Sequence[C],
    results: ResultFile,
    *,
    executor: Executor | None = None,
    workers: int = DEFAULT_WORKERS,
    progress: bool = True,
    description: str = "scan",
    on_chunk: Callable[[int], None] | None = None,
) -> dict[int, dict[str, Any]]:
    """Run ``work(recipe, chunk)`` for every chunk with points missing from ``results``.

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


def open_results(
    path: str | os.PathLike[str],
    identity: Mapping[str, Any],
    likelihood: Likelihood,
    resume: bool,
    fixed_values: Mapping[str, float] | None = None,
) -> tuple[ResultFile, dict[str, Any]]:
    """Open the result file; for a new run, fit (:func:`global_fit` with
    ``fixed_values``) and write the header with the fit.

    Returns the file and its header (a resumed run reuses the stored fit, so it starts
    its chunks exactly where the interrupted run did).
    """
    results = ResultFile(path, identity, resume)
    try:
        header = results.header or results.write_header(
            {"global_fit": json_safe(global_fit(likelihood, fixed_values))}
        )
    except BaseException:
        results.close()
        raise
    return results, header
