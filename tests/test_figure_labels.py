"""Figures carry physics labels: each registered parameter's symbol and unit (mathtext),
"68 % CL" legends, the Standard-Model point; a steady source's prediction has no empty
time panel (issue 15, item 4)."""

from __future__ import annotations

import pytest
from matplotlib.mathtext import MathTextParser

from cevns.interactions.models import PARAMETERS
from cevns.plotting.labels import confidence_label, parameter_label, standard_model_value
from cevns.plotting.scans import STANDARD_MODEL_LABEL, plot_limit, plot_scan
from cevns.stats.grid import ScanAxis
from cevns.stats.limit_table import LimitTable
from cevns.stats.scan_table import ScanTable


def test_every_registered_parameter_has_a_symbol_that_mathtext_renders():
    parser = MathTextParser("path")
    for name, parameter in PARAMETERS.items():
        label = parameter.axis_label
        assert parameter.symbol.startswith("$") and parameter.symbol.endswith("$"), name
        assert label != name, name
        if parameter.unit:
            assert label.endswith("]") and "[" in label, name
        else:
            assert "[" not in label, name
        parser.parse(label)  # raises ValueError on a malformed expression


def test_labels_read_as_physics():
    assert PARAMETERS["sin2_theta_w"].axis_label == r"$\sin^2\theta_W$"
    assert PARAMETERS["eps_ee_u"].axis_label == r"$\varepsilon_{ee}^{uV}$"
    assert PARAMETERS["eps_mutau_d"].axis_label == r"$\varepsilon_{\mu\tau}^{dV}$"
    assert PARAMETERS["zprime_mass"].axis_label == r"$m_{Z'}$ [MeV]"
    assert PARAMETERS["mu_nu_e"].axis_label == r"$\mu_{\nu_{e}}$ [$10^{-10}\,\mu_B$]"
    assert PARAMETERS["neutron_radius_Cs133"].axis_label == r"$R_n(^{133}\mathrm{Cs})$ [fm]"
    # Parameters of analysis documents are not registered: they keep their names.
    assert parameter_label("flux_norm") == "flux_norm"
    assert standard_model_value("flux_norm") is None
    assert standard_model_value("sin2_theta_w") == PARAMETERS["sin2_theta_w"].default


@pytest.mark.parametrize(
    ("level", "text"),
    [(0.6827, "68 % CL"), (0.9, "90 % CL"), (0.95, "95 % CL"), (0.9545, "95.4 % CL"),
     (0.99, "99 % CL"), (0.999, "99.9 % CL")],
)  # fmt: skip
def test_confidence_levels_are_named_in_percent(level, text):
    assert confidence_label(level) == text


def _table(axes, surface) -> ScanTable:
    records = [
        {"index": i, "chi2": float(value), "converged": True, "profiled": {}}
        for i, value in enumerate(surface)
    ]
    return ScanTable.from_records(axes, records, {"converged": False})


def _legend(figure) -> list[str]:
    return [text.get_text() for text in figure.axes[0].get_legend().get_texts()]


def test_a_1d_scan_figure_has_the_symbol_the_levels_and_the_standard_model():
    axis = ScanAxis("sin2_theta_w", 0.15, 0.35, 5)
    figure = plot_scan(_table([axis], [(x - 0.23) ** 2 * 400 for x in axis.values]))
    ax = figure.axes[0]
    assert ax.get_xlabel() == PARAMETERS["sin2_theta_w"].axis_label
    assert _legend(figure) == ["68 % CL", "90 % CL", "95 % CL", STANDARD_MODEL_LABEL]
    [marker] = [line for line in ax.lines if line.get_label() == STANDARD_MODEL_LABEL]
    assert list(marker.get_xdata()) == [PARAMETERS["sin2_theta_w"].default] * 2


def test_the_standard_model_is_marked_only_inside_the_plotted_range():
    outside = ScanAxis("sin2_theta_w", 0.30, 0.40, 5)
    figure = plot_scan(_table([outside], [(x - 0.35) ** 2 * 400 for x in outside.values]))
    assert STANDARD_MODEL_LABEL not in _legend(figure)
    unregistered = ScanAxis("flux_norm", 0.5, 1.5, 5)
    figure = plot_scan(_table([unregistered], [(x - 1) ** 2 * 10 for x in unregistered.values]))
    assert figure.axes[0].get_xlabel() == "flux_norm"
    assert STANDARD_MODEL_LABEL not in _legend(figure)


def test_a_2d_scan_figure_has_both_symbols_and_the_standard_model_point():
    first, second = ScanAxis("eps_ee_u", -0.5, 0.5, 5), ScanAxis("eps_ee_d", -0.5, 0.5, 5)
    surface = [(u - 0.1) ** 2 * 40 + (d + 0.1) ** 2 * 40
               for u in first.values for d in second.values]  # fmt: skip
    figure = plot_scan(_table([first, second], surface))
    ax = figure.axes[0]
    assert ax.get_xlabel() == r"$\varepsilon_{ee}^{uV}$"
    assert ax.get_ylabel() == r"$\varepsilon_{ee}^{dV}$"
    assert _legend(figure) == ["best fit", STANDARD_MODEL_LABEL, "68 % CL", "90 % CL", "95 % CL"]
    [marker] = [line for line in ax.lines if line.get_label() == STANDARD_MODEL_LABEL]
    assert (list(marker.get_xdata()), list(marker.get_ydata())) == ([0.0], [0.0])


def test_a_limit_figure_has_the_mass_and_coupling_symbols_and_its_level():
    mass = ScanAxis("zprime_mass", 10.0, 1000.0, 3, log=True)
    records = [
        {"index": i, "limit": 1e-4 * (i + 1), "best_coupling": 0.0, "delta_chi2_null": 0.0,
         "converged": True, "bracketed": True, "allowed_intervals": [[0.0, 1e-4 * (i + 1)]]}
        for i in range(3)
    ]  # fmt: skip
    figure = plot_limit(LimitTable.from_records(mass, "zprime_bl_g", 0.9, records))
    ax = figure.axes[0]
    assert ax.get_xlabel() == r"$m_{Z'}$ [MeV]"
    assert ax.get_ylabel() == r"$g_{Z'}^{B-L}$"
    assert _legend(figure) == ["90 % CL upper limit", "excluded"]


@pytest.mark.parametrize(("preset", "panels"), [("conus-brokdorf", 2), ("coherent-ge-mini", 3)])
def test_a_prediction_has_a_time_panel_only_with_time_bins(preset, panels):
    from cevns.experiments.prediction import predict
    from cevns.plotting.predictions import plot_prediction

    figure = plot_prediction(predict(preset))
    assert len(figure.axes) == panels
    assert figure.get_size_inches()[0] == pytest.approx(5 * panels)
    assert all(ax.has_data() for ax in figure.axes)


def test_cevns_models_json_gives_each_label():
    import json

    from typer.testing import CliRunner

    from cevns.cli.app import app

    result = CliRunner().invoke(app, ["models", "--json"])
    rows = json.loads(result.stdout)["parameters"]
    assert {r["name"]: r["label"] for r in rows} == {
        name: p.axis_label for name, p in PARAMETERS.items()
    }
