"""Plotting functions leave the user's matplotlib session alone and draw on given axes.

Every function of :mod:`cevns.plotting` returns its figure, draws on an ``ax`` (or ``fig``)
when one is passed, and never calls ``matplotlib.use``, imports pyplot or changes
``rcParams``; files are written through a bare ``Figure`` (no backend needed).
"""

import json
import subprocess
import sys

import numpy as np
from matplotlib.figure import Figure

# Small inputs for each figure, shaped as the commands' reports and tables.
INPUTS = """
import math
from cevns.sources import PionDecayAtRest
from cevns.stats.grid import ScanAxis
from cevns.stats.limit_table import LimitTable
from cevns.stats.scan_table import ScanTable

source = PionDecayAtRest(1.0)
axis = ScanAxis("mu", 0.0, 2.0, 5)
scan_table = ScanTable.from_records(
    [axis],
    [{"index": i, "chi2": (0.5 * i - 1.0) ** 2, "converged": True, "profiled": {}}
     for i in range(5)],
    {"values": {"mu": 1.0}, "converged": True, "chi2": 0.0},
)
mass = ScanAxis("m", 1.0, 100.0, 3, log=True)
limit_table = LimitTable.from_records(
    mass, "g", 0.9,
    [{"index": i, "limit": 1e-4 * (i + 1), "best_coupling": 0.0, "delta_chi2_null": 0.0,
      "converged": True, "bracketed": True, "allowed_intervals": [[0.0, 1e-4 * (i + 1)]]}
     for i in range(3)],
)
fog_report = {
    "target": "Xe", "threshold_kev": 1.0, "inputs": "B16",
    "masses": [
        {"wimp_mass_gev": m, "discovery_limits": [{"exposure_tonne_year": 1.0,
         "cross_section_cm2": 1e-47 / m}], "n2_boundary": {"cross_section_cm2": 1e-48 / m}}
        for m in (10.0, 100.0)
    ],
    "published": {},
}
darkmatter_report = {
    "portal": "vector",
    "masses": [{"m_chi_mev": m, "events_reference": 10.0 / m} for m in (1.0, 10.0)],
}
"""


def test_plotting_keeps_the_backend_and_style_and_never_loads_pyplot(tmp_path):
    code = (
        INPUTS
        + f"""
import json, sys
import matplotlib
matplotlib.use("pdf")
before = dict(matplotlib.rcParams)
from cevns.experiments.prediction import predict
from cevns.plotting import beamdump, fog, predictions, scans, sources
folder = {str(tmp_path)!r}
figures = [
    sources.plot_energy_spectra(source),
    sources.plot_time_densities(source),
    sources.plot_source_overview(source, folder + "/overview.png", title="SNS"),
    predictions.plot_prediction(predict("coherent-ge-mini"), folder + "/prediction.png"),
    scans.plot_scan(scan_table, folder + "/scan.png"),
    scans.plot_limit(limit_table, folder + "/limit.png"),
    fog.plot_fog(fog_report, folder + "/fog.svg"),
    beamdump.plot_darkmatter(darkmatter_report, folder + "/darkmatter.pdf"),
]
print(json.dumps({{
    "backend": matplotlib.get_backend(),
    "pyplot": "matplotlib.pyplot" in sys.modules,
    "rc_changed": sorted(k for k, v in before.items()
                         if str(matplotlib.rcParams[k]) != str(v)),
    "figures": [type(f).__name__ for f in figures],
}}))
"""
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["backend"] == "pdf"
    assert report["pyplot"] is False
    assert report["rc_changed"] == []
    assert report["figures"] == ["Figure"] * 8
    for name in ("overview.png", "prediction.png", "scan.png", "limit.png", "fog.svg",
                 "darkmatter.pdf"):  # fmt: skip
        assert (tmp_path / name).stat().st_size > 5_000, name


def test_a_given_axes_is_drawn_on_and_its_figure_returned():
    namespace: dict = {}
    exec(INPUTS, namespace)
    from cevns.plotting import fog, scans, sources

    for draw, data in (
        (sources.plot_energy_spectra, namespace["source"]),
        (sources.plot_time_densities, namespace["source"]),
        (scans.plot_scan, namespace["scan_table"]),
        (scans.plot_limit, namespace["limit_table"]),
        (fog.plot_fog, namespace["fog_report"]),
    ):
        figure = Figure()
        ax = figure.subplots()
        assert draw(data, ax=ax) is figure, draw.__name__
        assert ax.lines, draw.__name__
        assert len(figure.axes) == 1, draw.__name__


def test_a_given_figure_holds_the_panels():
    namespace: dict = {}
    exec(INPUTS, namespace)
    from cevns.plotting import beamdump, sources

    figure = Figure()
    left, right = figure.subfigures(1, 2)
    assert sources.plot_source_overview(namespace["source"], fig=left) is left
    assert beamdump.plot_darkmatter(namespace["darkmatter_report"], fig=right) is right
    assert len(left.axes) == 2 and len(right.axes) == 2
    assert all(ax.lines for ax in left.axes)
    assert np.isfinite(right.axes[0].lines[0].get_ydata()).all()
