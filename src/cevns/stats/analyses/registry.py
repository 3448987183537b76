"""The analyses ``cevns fit`` knows, by experiment name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cevns.errors import unknown_name_error
from cevns.stats.analysis import Analysis


def _csi_2021(data_directory: str | Path | None) -> Analysis:
    from cevns.stats.analyses.csi2021 import build_csi_2021

    return build_csi_2021(data_directory)


def _lar_2020(data_directory: str | Path | None) -> Analysis:
    from cevns.stats.analyses.lar2020 import build_lar_2020

    return build_lar_2020(data_directory)


ANALYSES: dict[str, Callable[[str | Path | None], Analysis]] = {
    "coherent-csi-2021": _csi_2021,
    "coherent-lar-2020": _lar_2020,
}


def build_analysis(name: str, data_directory: str | Path | None = None) -> Analysis:
    """The analysis of experiment ``name`` on the release found in ``data_directory``."""
    if name not in ANALYSES:
        raise unknown_name_error("analysis", name, ANALYSES)
    return ANALYSES[name](data_directory)
