"""Response matrices: probabilities, exact placement, monotone shifts, full chains, bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import integrate, stats

from cevns.detectors import (
    AnalysisWindow,
    ConstantQuenching,
    GammaSmearing,
    GaussianSmearing,
    LinearQuenching,
    LogisticEfficiency,
    NoSmearing,
    PoissonSmearing,
    PolynomialQuenching,
    TabulatedEfficiency,
    UnitEfficiency,
    build_response_matrix,
    mean_photoelectrons,
    observable_kind,
)
from cevns.errors import CevnsInputError
from cevns.units import MeV, keVee, keVnr, us

# CsI[Na] 2021 (arXiv:2110.07730 and its data release): response polynomial, 13.35 PE/keVee,
# Gamma smearing a = 0.0749/E_ee, b = 9.56 E_ee, nominal logistic efficiency, PE bins.
CSI_QUENCHING = PolynomialQuenching([0.0, 0.0554628, 4.30681, -111.707, 840.384], MeV)
CSI_LIGHT_YIELD = 13.35 / keVee
CSI_SMEARING = GammaSmearing(0.0749, 9.56)
CSI_EFFICIENCY = LogisticEfficiency(1.32045, 0.285979, 10.8646, -0.333322)
CSI_PE_EDGES = np.array([0, 8, 12, 16, 20, 24, 32, 40, 50, 60.0])
# CENNS-10 argon (arXiv:2003.10630 release): QF = 0.246 + 0.00078 T[keVnr], σ/E = 0.58/√E.
ARGON_QUENCHING = LinearQuenching(0.246, 0.00078)
ARGON_SMEARING = GaussianSmearing(0.58, keVee)
ARGON_EDGES = np.arange(0.0, 121.0, 10.0) * keVee

RECOILS = np.concatenate(([0.0], np.geomspace(0.1, 150.0, 80))) * keVnr


def test_csi_chain_columns_are_probabilities():
    response = build_response_matrix(
        RECOILS, CSI_QUENCHING, CSI_LIGHT_YIELD, CSI_SMEARING, CSI_PE_EDGES, CSI_EFFICIENCY
    )
    assert response.shape == (CSI_PE_EDGES.size - 1, RECOILS.size)
    assert np.all((response >= 0) & (response <= 1))
    assert np.all(response.sum(axis=0) <= 1 + 1e-12)
    assert response[:, 0].sum() == 0.0  # T = 0: no light, and ε(0) = 0


def test_csi_chain_against_adaptive_quadrature():
    # Slow independent reference: E_ee from the release polynomial, the Gamma of the
    # supplement with a = 0.0749/E_ee and b = 9.56 E_ee and mean 13.35 E_ee, the clipped
    # logistic; adaptive quadrature per bin. Tolerance 1e-7 absolute (the 8e-5 relative
    # difference between 13.35 and 1/0.0749 is put into the reference on purpose: the
    # fast path passes μ = 13.35·E_ee, so the reference uses the same mean).
    response = build_response_matrix(
        RECOILS, CSI_QUENCHING, CSI_LIGHT_YIELD, CSI_SMEARING, CSI_PE_EDGES, CSI_EFFICIENCY
    )
    for j in (10, 30, 50, 70):
        x = RECOILS[j] / MeV
        energy = 1000 * (0.0554628 * x + 4.30681 * x**2 - 111.707 * x**3 + 840.384 * x**4)
        mean = 13.35 * energy
        shape = 1 + 9.56 * 0.0749 * mean
        density = stats.gamma(shape, scale=mean / shape).pdf

        def efficiency(pe):
            return max(1.32045 / (1 + np.exp(-0.285979 * (pe - 10.8646))) - 0.333322, 0.0)

        for k in range(CSI_PE_EDGES.size - 1):
            low, high = CSI_PE_EDGES[k], CSI_PE_EDGES[k + 1]
            points = [p for p in (7.06819982, mean) if low < p < high] or None
            value, _ = integrate.quad(
                lambda pe, d=density, e=efficiency: d(pe) * e(pe),
                low,
                high,
                points=points,
                epsabs=1e-13,
                limit=400,
            )
            assert response[k, j] == pytest.approx(value, abs=1e-7)


def test_argon_chain_in_electron_equivalent_energy():
    nodes = np.arange(0.25, 40.0, 0.5)
    efficiency = TabulatedEfficiency(nodes * keVee, 0.95 * (1 - np.exp(-nodes / 4.0)))
    response = build_response_matrix(
        RECOILS, ARGON_QUENCHING, None, ARGON_SMEARING, ARGON_EDGES, efficiency
    )
    plain = build_response_matrix(RECOILS, ARGON_QUENCHING, None, ARGON_SMEARING, ARGON_EDGES)
    assert np.all(response <= plain + 1e-12)
    assert np.all(plain.sum(axis=0) <= 1 + 1e-12)
    # a 100 keVnr recoil gives E_ee = (0.246 + 0.078)·100 = 32.4 keVee, σ = 0.58·√32.4 keVee
    j = int(np.argmin(np.abs(RECOILS - 100 * keVnr)))
    energy = float(ARGON_QUENCHING.electron_equivalent(RECOILS[j]))
    reference = stats.norm(energy, 0.58 * np.sqrt(energy * keVee))
    expected = np.diff(reference.cdf(ARGON_EDGES)) / reference.sf(0.0)
    assert plain[:, j] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("light_yield", [None, 13.35 / keVee])
def test_no_smearing_puts_each_recoil_in_the_bin_holding_qf_times_t(light_yield):
    quenching = ConstantQuenching(0.08)
    recoils = np.array([0.0, 10.0, 49.9, 50.0, 77.0, 300.0]) * keVnr
    if light_yield is None:
        edges = np.array([0.0, 1.0, 4.0, 6.0, 10.0]) * keVee
        observable = 0.08 * recoils
    else:
        edges = np.array([0.0, 8.0, 20.0, 60.0, 100.0])
        observable = mean_photoelectrons(0.08 * recoils, light_yield)
    response = build_response_matrix(
        recoils, quenching, light_yield, NoSmearing(), edges, UnitEfficiency()
    )
    for j, value in enumerate(observable):
        inside = np.nonzero((edges[:-1] <= value) & (value < edges[1:]))[0]
        expected = np.zeros(edges.size - 1)
        expected[inside] = 1.0
        assert response[:, j].tolist() == expected.tolist()
    assert response[:, -1].sum() == 0.0  # 300 keVnr lands above the last edge


@pytest.mark.parametrize("smearing", [NoSmearing(), PoissonSmearing(), CSI_SMEARING])
def test_more_quenching_light_shifts_the_distribution_up(smearing):
    # First-order stochastic dominance: a larger QF moves probability to higher bins, so
    # every cumulative sum over bins decreases (or stays) as QF grows.
    recoils = np.array([5.0, 20.0, 60.0]) * keVnr
    edges = np.arange(0.0, 401.0, 4.0)
    cumulative = [
        np.cumsum(
            build_response_matrix(recoils, ConstantQuenching(qf), 13.35 / keVee, smearing, edges),
            axis=0,
        )
        for qf in (0.05, 0.08, 0.12)
    ]
    for lower, higher in itertools.pairwise(cumulative):
        assert np.all(higher <= lower + 1e-12)
        assert np.any(higher < lower - 1e-3)


def test_observable_kind():
    assert observable_kind(None) == "electron_equivalent_energy"
    assert observable_kind(13.35 / keVee) == "photoelectrons"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"light_yield": -13.35 / keVee}, "light_yield must be a positive finite number"),
        ({"light_yield": float("nan")}, "light_yield must be a finite number"),
        ({"observable_edges": [0, 8, 8, 12]}, "observable_edges must be strictly increasing"),
        ({"observable_edges": [0, 8, np.inf]}, "observable_edges must be a finite number"),
        ({"recoil_nodes": [1.0, np.nan]}, "recoil_nodes must be a finite number"),
        ({"recoil_nodes": [-1.0]}, "recoil_nodes must be a non-negative"),
        ({"recoil_nodes": np.ones((2, 2))}, "recoil_nodes must be a 1-D array"),
        ({"light_yield": None}, "describes a photoelectron count; give a light_yield"),
        ({"smearing": "gamma"}, "smearing must be a cevns.detectors Smearing"),
    ],
)
def test_bad_input_gives_one_line_errors(arguments, message):
    call = {
        "recoil_nodes": RECOILS,
        "quenching": CSI_QUENCHING,
        "light_yield": CSI_LIGHT_YIELD,
        "smearing": CSI_SMEARING,
        "observable_edges": CSI_PE_EDGES,
        **arguments,
    }
    with pytest.raises(CevnsInputError, match=message) as error:
        build_response_matrix(**call)
    assert "\n" not in str(error.value)


def test_analysis_window():
    # CsI[Na] 2021 analysis bins (arXiv:2110.07730): 9 PE bins × 11 time bins = 99.
    times = np.array([0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1, 2, 4, 6]) * us
    window = AnalysisWindow(CSI_PE_EDGES, times)
    assert window.shape == (9, 11)
    with pytest.raises(ValueError, match="read-only"):
        window.observable_edges[0] = 1.0
    assert AnalysisWindow([0.0, 1.0]).shape == (1, 1)
    with pytest.raises(CevnsInputError, match="time_edges must be strictly increasing"):
        AnalysisWindow(CSI_PE_EDGES, [0.0, 2 * us, 1 * us])
    with pytest.raises(CevnsInputError, match="observable_edges must be a 1-D sequence"):
        AnalysisWindow([5.0])


_PROBE = r"""
import json
import numpy as np
from cevns.detectors import (GaussianSmearing, LindhardQuenching, LinearQuenching,
    TabulatedEfficiency, build_response_matrix, GammaSmearing, PolynomialQuenching,
    LogisticEfficiency, CsI2021TimeEfficiency)
from cevns.units import keVee, keVnr, MeV, us
recoils = np.array([3.0, 15.0, 60.0]) * keVnr
argon = build_response_matrix(
    recoils, LinearQuenching(0.246, 0.00078), None, GaussianSmearing(0.58, keVee),
    np.arange(0.0, 41.0, 5.0) * keVee,
    TabulatedEfficiency(np.array([1.0, 5.0, 20.0]) * keVee, [0.1, 0.6, 0.9]))
csi = build_response_matrix(
    recoils, PolynomialQuenching([0, 0.0554628, 4.30681, -111.707, 840.384], MeV),
    13.35 / keVee, GammaSmearing(0.0749, 9.56), np.array([0, 8, 12, 20, 60.0]),
    LogisticEfficiency(1.32045, 0.285979, 10.8646, -0.333322))
out = {
    "argon": argon.tolist(),
    "csi": csi.tolist(),
    "lindhard": (LindhardQuenching(0.157, 32).electron_equivalent(10 * keVnr) / keVee).item(),
    "time": CsI2021TimeEfficiency()(2 * us).item(),
}
print(json.dumps(out))
"""


def test_response_does_not_depend_on_the_unit_scale(run_probe):
    default = run_probe(_PROBE)
    scaled = run_probe(_PROBE, "MeV=3.7e-3,cm=4.1e12,s=2.9e-7")
    for key in ("argon", "csi"):
        assert np.array(scaled[key]) == pytest.approx(np.array(default[key]), abs=1e-12)
    for key in ("lindhard", "time"):
        assert scaled[key] == pytest.approx(default[key], rel=1e-12)
