"""The fit figure's projections: densities for axes with a unit, counts per bin without.

A release's unitless axis (XENONnT's cS2 bins, hundreds wide) drawn as a density under an
"events per bin" label showed ~0.05 where the other panels showed ~13; each panel's
heights must match its label.
"""

from types import SimpleNamespace

import numpy as np
from matplotlib.figure import Figure

from cevns.plotting.fits import plot_fit


class _Model:
    def __init__(self, counts):
        self.counts = counts

    def expected_by_component(self, values):
        return {"signal": self.counts * values["mu"]}


def _analysis(axes, counts, observed):
    data = SimpleNamespace(_parameters=["mu"], model=_Model(counts), observed=observed)
    return SimpleNamespace(name="toy", axes=axes, data=data)


def test_unitless_axis_shows_counts_per_bin_and_a_unit_axis_densities():
    counts = np.array([[4.0, 8.0], [12.0, 16.0]])
    observed = np.array([[5.0, 7.0], [11.0, 17.0]])
    axes = [("energy [keV]", [0.0, 2.0, 6.0]), ("cS2", [0.0, 500.0, 2000.0])]
    result = SimpleNamespace(values={"mu": 1.0})
    fig = plot_fit([_analysis(axes, counts, observed)], result, fig=Figure())
    energy_top, cs2_top = fig.axes[0], fig.axes[1]
    assert energy_top.get_ylabel() == "events per keV"
    assert cs2_top.get_ylabel() == "events per bin"
    # Data points: per keV on the energy axis (sums 12, 28 over widths 2, 4) ...
    energy_points = energy_top.containers[0].lines[0].get_ydata()
    np.testing.assert_allclose(energy_points, [12.0 / 2.0, 28.0 / 4.0])
    # ... and plain counts on the unitless cS2 axis (sums 16, 24), not divided by 500, 1500.
    cs2_points = cs2_top.containers[0].lines[0].get_ydata()
    np.testing.assert_allclose(cs2_points, [16.0, 24.0])
