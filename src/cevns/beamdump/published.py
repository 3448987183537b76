"""Published accelerator dark-matter results next to this package's, with their sources.

The numbers live once, in ``data/published.toml`` (a handful of points per curve, each table
with its reference and where the points were read):

* COHERENT's 90 % CL event limits in the CsI data at m_χ = 1, 10, 100 MeV
  (arXiv:2110.11453, as shown in seeds/003);
* COHERENT's Y limit for the vector portal and the scalar relic line of the same figure
  (arXiv:2110.11453, Fig. 3: scalar χ, α_D = 0.5, m_V = 3 m_χ);
* COHERENT's α_B limit for the leptophobic portal (arXiv:2205.12414, scalar χ, α_χ = 0.5;
  m_V = 3 m_χ assumed, see the data file).

A curve is evaluated between its points by linear interpolation in (log m, log value) —
exact for a power law, such as the relic line's Y ∝ m_χ² — and not outside them.
:func:`comparisons` puts a ``cevns darkmatter`` report next to them; a curve is compared only
when the report's settings are the figure's (portal, spin, mass ratio, dark coupling).
"""

from __future__ import annotations

import math
import re
import tomllib
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

#: Curves and the report key they are compared with.
CURVES: dict[str, tuple[str, str, str]] = {
    "y_limit": ("coherent-csi-2021", "y_limit", "m_chi_mev"),
    "alpha_b_limit": ("coherent-csi-2021-leptophobic", "alpha_b_limit", "m_v_mev"),
}


@cache
def published() -> dict[str, Any]:
    """The tables of ``data/published.toml``."""
    text = resources.files("cevns.beamdump").joinpath("data/published.toml").read_text("utf-8")
    return tomllib.loads(text)


def curve_value(
    table: dict[str, Any], mass_mev: float, mass_key: str = "m_chi_mev"
) -> float | None:
    """The curve of ``table`` at ``mass_mev`` (log-log interpolation between its points);
    None outside the points' range."""
    masses = np.asarray(table[mass_key], dtype=float)
    values = np.asarray(table["values"], dtype=float)
    if not masses[0] <= mass_mev <= masses[-1]:
        return None
    return float(np.exp(np.interp(math.log(mass_mev), np.log(masses), np.log(values))))


def event_limit(mass_mev: float) -> float | None:
    """COHERENT's event limit at ``mass_mev`` (only at the three published masses)."""
    table = published()["coherent-csi-2021"]["event_limits"]
    for mass, events in zip(table["mass_mev"], table["events"], strict=True):
        if math.isclose(mass, mass_mev):
            return float(events)
    return None


def _settings_match(table: dict[str, Any], report: dict[str, Any]) -> str | None:
    """None if the report was made with the figure's settings, else what differs."""
    wanted = {
        "portal": table["portal"],
        "spin": table["spin"],
        "ratio_m_v_over_m_chi": table["ratio_m_v_over_m_chi"],
        "dark_coupling": table["dark_coupling"],
        "off_shell": False,
    }
    differ = [
        f"{key} {report[key]!r} (figure: {value!r})"
        for key, value in wanted.items()
        if (
            report[key] != value
            if isinstance(value, str | bool)
            else not math.isclose(report[key], value)
        )
    ]
    return "; ".join(differ) or None


def _has_data_limits(report: dict[str, Any]) -> bool:
    """Whether ``report`` holds limits from the CsI data (not a projection, limits run)."""
    return not report.get("projection") and "event_limit_feldman_cousins" in report["masses"][0]


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    if ours is None or theirs is None or not math.isfinite(ours) or theirs <= 0:
        return None
    return ours / theirs


def comparisons(report: dict[str, Any]) -> dict[str, Any]:
    """The published values next to ``report`` (a :func:`~cevns.beamdump.report.
    darkmatter_report` with limits), each block with its reference and where its numbers
    were read: event limits, and the coupling curve of the report's portal with, for the
    vector portal, both relic lines (the ratio limit/relic locates where each limit is
    closest to the relic density)."""
    tables = published()
    out: dict[str, Any] = {}
    rows = report["masses"]
    if not _has_data_limits(report):
        return out
    events = tables["coherent-csi-2021"]["event_limits"]
    out["event_limits"] = {
        "reference": events["reference"],
        "quantity": "90 % CL upper limit on the number of dark-matter events in CsI 2021",
        "comparisons": [
            {
                "m_chi_mev": r["m_chi_mev"],
                "published": event_limit(r["m_chi_mev"]),
                "ours": r["event_limit_feldman_cousins"],
                "ratio": _ratio(r["event_limit_feldman_cousins"], event_limit(r["m_chi_mev"])),
            }
            for r in rows
            if event_limit(r["m_chi_mev"]) is not None
        ],
    }
    key = "y_limit" if report["portal"] == "vector" else "alpha_b_limit"
    document, name, mass_key = CURVES[key]
    table = tables[document][name]
    block: dict[str, Any] = {k: table[k] for k in ("reference", "data", "quantity")}
    differ = _settings_match(table, report)
    if differ is not None:
        block["note"] = f"not compared: this run's settings differ from the figure's: {differ}"
        block["comparisons"] = []
        out[key] = block
        return out
    relic = tables["coherent-csi-2021"]["relic_scalar"] if key == "y_limit" else None
    if relic is not None:
        block["relic_reference"] = relic["reference"]
    compared = []
    for r in rows:
        mass = r["m_chi_mev"] if mass_key == "m_chi_mev" else r["m_v_mev"]
        theirs = curve_value(table, mass, mass_key)
        if theirs is None:
            continue
        ours = r[key] if r[key] is not None and math.isfinite(r[key]) else None  # inf: no limit
        entry = {mass_key: mass, "published": theirs, "ours": ours, "ratio": _ratio(ours, theirs)}
        if relic is not None:
            their_relic = curve_value(relic, mass)
            entry.update(
                {
                    "published_over_relic": _ratio(theirs, their_relic),
                    "ours_over_relic": _ratio(ours, r.get("y_relic")),
                    "published_relic": their_relic,
                    "ours_relic": r.get("y_relic"),
                }
            )
        compared.append(entry)
    block["comparisons"] = compared
    out[key] = block
    return out


def published_curves(report: dict[str, Any]) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """The published curves to draw beside ``report``'s coupling limits, as (label, m_χ in
    MeV, values) with every stored point: the limit of the report's portal and, for the
    vector portal, the figure's scalar relic line. Empty when the report's settings are not
    the figure's (:func:`comparisons` says which differ) or it has no limits; a curve read
    against m_V is put on the m_χ axis with the report's m_V/m_χ."""
    if not _has_data_limits(report):
        return []
    key = "y_limit" if report["portal"] == "vector" else "alpha_b_limit"
    document, name, mass_key = CURVES[key]
    tables = published()
    table = tables[document][name]
    if _settings_match(table, report) is not None:
        return []
    scale = 1.0 if mass_key == "m_chi_mev" else 1.0 / float(report["ratio_m_v_over_m_chi"])
    curves = [(f"COHERENT, {_arxiv(table)}", np.asarray(table[mass_key], dtype=float) * scale,
               np.asarray(table["values"], dtype=float))]  # fmt: skip
    if key == "y_limit":
        relic = tables["coherent-csi-2021"]["relic_scalar"]
        curves.append((f"relic density ({_arxiv(relic)})",
                       np.asarray(relic["m_chi_mev"], dtype=float),
                       np.asarray(relic["values"], dtype=float)))  # fmt: skip
    return curves


def _arxiv(table: dict[str, Any]) -> str:
    """The arXiv identifier in a table's reference (the reference itself if none)."""
    found = re.search(r"arXiv:\d{4}\.\d{4,5}", table["reference"])
    return found.group(0) if found else str(table["reference"])


__all__ = [
    "CURVES",
    "comparisons",
    "curve_value",
    "event_limit",
    "published",
    "published_curves",
]
