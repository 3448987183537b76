"""Transitional re-exports of :mod:`cevns.stats.likelihood`, :mod:`cevns.stats.results` and
:mod:`cevns.stats.executors` (the former contents of this module)."""

from cevns.stats.executors import (
    DEFAULT_WORKERS,
    SerialExecutor,
    WorkChunk,
    check_workers,
    local_executor,
    run_chunks,
    single_threaded_workers,
)
from cevns.stats.likelihood import (
    DEFAULT_BUILDER,
    SCAN_STRATEGY,
    Likelihood,
    LikelihoodRecipe,
    ProfiledPoint,
    global_fit,
    likelihood_for,
    profile,
    profile_with_retry,
)
from cevns.stats.results import (
    FILE_FORMAT,
    FILE_VERSION,
    ResultFile,
    finite_or_none,
    json_safe,
    open_results,
    read_result_file,
)

__all__ = [
    "DEFAULT_BUILDER",
    "DEFAULT_WORKERS",
    "FILE_FORMAT",
    "FILE_VERSION",
    "SCAN_STRATEGY",
    "Likelihood",
    "LikelihoodRecipe",
    "ProfiledPoint",
    "ResultFile",
    "SerialExecutor",
    "WorkChunk",
    "check_workers",
    "finite_or_none",
    "global_fit",
    "json_safe",
    "likelihood_for",
    "local_executor",
    "open_results",
    "profile",
    "profile_with_retry",
    "read_result_file",
    "run_chunks",
    "single_threaded_workers",
]
