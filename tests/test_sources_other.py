"""Monochromatic, tabulated and supernova sources; oscillations; unit-scale invariance."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest
from scipy.integrate import quad

from cevns.errors import CevnsInputError
from cevns.sources import (
    FLAVORS,
    Disappearance,
    FlavorEmission,
    Flux,
    MonochromaticSource,
    PionDecayAtRest,
    SterileActiveSurvival,
    SupernovaBurst,
    TabulatedSource,
    eV2,
    is_antineutrino,
    kpc,
    lepton_flavor,
    oscillation_phase,
)
from cevns.sources.supernova import erg
from cevns.units import MeV, cm2, m, s


def test_flavor_helpers():
    assert FLAVORS == ("nu_e", "nu_mu", "nu_tau", "nu_e_bar", "nu_mu_bar", "nu_tau_bar")
    assert [is_antineutrino(f) for f in FLAVORS] == [False] * 3 + [True] * 3
    assert [lepton_flavor(f) for f in FLAVORS] == ["e", "mu", "tau"] * 2
    with pytest.raises(CevnsInputError, match="flavor must be one of"):
        lepton_flavor("nu_x")


# --- monochromatic ---------------------------------------------------------------------
def test_monochromatic_source_and_flux():
    source = MonochromaticSource(0.75 * MeV, "nu_e", neutrinos_per_unit=0.9)
    q = source.energy_quadrature("nu_e", 64)
    assert q.energies.tolist() == [0.75 * MeV] and q.weights.tolist() == [0.9]
    assert source.mean_energy("nu_e") == 0.75 * MeV
    flux = Flux(source, 1e6, 10 * m)
    assert flux.fluence("nu_e") == pytest.approx(0.9e6 / (4 * math.pi * (10 * m) ** 2))
    with pytest.raises(CevnsInputError, match="monochromatic line"):
        source.spectral_density("nu_e", 0.75 * MeV)
    with pytest.raises(CevnsInputError, match="energy must be a positive"):
        MonochromaticSource(-1 * MeV)


# --- tabulated -------------------------------------------------------------------------
def test_tabulated_source_from_arrays_integrates_its_linear_table_exactly():
    energies = np.array([0.0, 1.0, 3.0, 6.0]) * MeV
    table = TabulatedSource(energies, {"nu_e_bar": np.array([0.0, 2.0, 1.0, 0.0]) / MeV})
    assert table.neutrinos_per_unit("nu_e_bar") == pytest.approx(1.0 + 3.0 + 1.5)
    q = table.energy_quadrature("nu_e_bar", 16)
    assert q.total == pytest.approx(5.5, rel=1e-14)
    mean, _ = quad(lambda e: e * np.interp(e, [0, 1, 3, 6], [0, 2, 1, 0]), 0, 6, points=[1, 3])
    assert q.mean_energy / MeV == pytest.approx(mean / 5.5, rel=1e-13)
    assert table.spectral_density("nu_e_bar", 2 * MeV) == pytest.approx(1.5 / MeV)
    with pytest.raises(CevnsInputError, match="outside the tabulated spectrum"):
        table.spectral_density("nu_e_bar", [1 * MeV, 7 * MeV])


def test_tabulated_source_from_file(tmp_path):
    path = tmp_path / "spectrum.txt"
    path.write_text(
        "# a test spectrum\n# columns: energy_MeV nu_e nu_mu_bar\n# source_unit: burst\n"
        "1, 0.0, 1.0\n2, 1.0, 1.0\n4, 0.0, 1.0\n"
    )
    table = TabulatedSource.from_file(path)
    assert table.flavors == ("nu_e", "nu_mu_bar")
    assert table.source_unit == "burst"
    assert table.neutrinos_per_unit("nu_e") == pytest.approx(1.5)
    assert table.neutrinos_per_unit("nu_mu_bar") == pytest.approx(3.0)
    assert table.energy_range("nu_e") == (1 * MeV, 4 * MeV)
    two = tmp_path / "two.txt"
    two.write_text("0 1\n10 1\n")
    assert TabulatedSource.from_file(two, flavors=("nu_e",)).neutrinos_per_unit("nu_e") == 10


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("1 2\n2 x\n", r"bad\.txt:3: expected numbers"),
        ("1 2\n", "at least 2 data lines"),
        ("2 1\n1 1\n", "strictly increasing"),
        ("1 1\n1 1\n", "strictly increasing"),
        ("1 1\n2 -1\n", "density must be ≥ 0"),
        ("1 1 1\n2 1\n", r"bad\.txt:3: 2 columns where earlier lines have 3"),
        ("1 nan\n2 1\n", "non-finite"),
        ("1\n2\n", "expected an energy and at least one density"),
        ("# columns: energy nu_q\n1 1\n2 1\n", "column must be one of"),
        ("# columns: energy nu_e nu_mu\n1 1\n2 1\n", r"2 flavour name\(s\) for 1 density"),
        ("1 1\n2 1\n", "name the flavour of the density column"),
        ("1 0\n2 0\n", "zero everywhere"),
        ("-1 1\n2 1\n", "energies must be ≥ 0"),
    ],
)
def test_malformed_flux_files(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    if "columns" not in content and "name the flavour" not in message:
        content = "# columns: energy_MeV nu_e\n" + content
    path.write_text(content)
    with pytest.raises(CevnsInputError, match=message):
        TabulatedSource.from_file(path)


def test_missing_flux_file(tmp_path):
    with pytest.raises(CevnsInputError, match="cannot read flux file"):
        TabulatedSource.from_file(tmp_path / "absent.txt")


# --- supernova -------------------------------------------------------------------------
def test_supernova_pinched_spectrum():
    burst = SupernovaBurst()
    assert burst.flavors == FLAVORS
    nu_e = burst.emission["nu_e"]
    assert nu_e.number == pytest.approx(5e52 * erg / (12 * MeV))
    for flavor in burst.flavors:
        q = burst.energy_quadrature(flavor)
        assert q.total == pytest.approx(burst.neutrinos_per_unit(flavor), rel=1e-11)
        assert q.mean_energy == pytest.approx(burst.mean_energy(flavor), rel=1e-10)
    # ⟨E²⟩/⟨E⟩² = (α + 2)/(α + 1) for the alpha fit (Keil, Raffelt & Janka 2003, Sec. 2)
    q = burst.energy_quadrature("nu_e_bar")
    second = q.integrate(lambda e: e**2) / q.total
    assert second / (15 * MeV) ** 2 == pytest.approx(4.3 / 3.3, rel=1e-10)
    fluence = Flux(burst, 1.0, 10 * kpc).fluence("nu_e") / (1 / cm2)
    assert fluence == pytest.approx(2.17e11, rel=5e-3)
    assert kpc / m == pytest.approx(3.0857e19, rel=1e-4)


def test_supernova_inputs():
    emission = FlavorEmission.from_luminosity(5e52 * erg / s, 1 * s, 12 * MeV, 3.0)
    burst = SupernovaBurst({"nu_e": emission})
    assert burst.neutrinos_per_unit("nu_e") == pytest.approx(5e52 * erg / (12 * MeV))
    with pytest.raises(CevnsInputError, match="alpha"):
        FlavorEmission(1e52 * erg, 12 * MeV, -1.5)
    with pytest.raises(CevnsInputError, match="mean energy must be a positive"):
        FlavorEmission(1e52 * erg, -12 * MeV, 2.3)
    with pytest.raises(CevnsInputError, match="not emitted"):
        burst.mean_energy("nu_mu")


# --- oscillations ----------------------------------------------------------------------
def test_phase_is_1267():
    phase = oscillation_phase(1 * eV2, 1 * MeV, 1 * m)
    assert phase == pytest.approx(1.267, abs=5e-4)


def _mixing_matrix(t14, t24, t34):
    def rotation(i, j, angle):
        r = np.eye(4)
        r[i, i] = r[j, j] = math.cos(angle)
        r[i, j], r[j, i] = math.sin(angle), -math.sin(angle)
        return r

    # U = R34 R24 R14 on (e, μ, τ, s) × (1, 2, 3, 4), arXiv:1303.3011
    return rotation(2, 3, t34) @ rotation(1, 3, t24) @ rotation(0, 3, t14)


def test_sterile_active_survival_matches_the_mixing_matrix():
    angles = (0.15, 0.1, 0.3)
    model = SterileActiveSurvival(1.3 * eV2, *angles)
    u = _mixing_matrix(*angles)
    energies = np.array([10.0, 29.8, 45.0]) * MeV
    sin2 = np.sin(oscillation_phase(1.3 * eV2, energies, 20 * m)) ** 2
    for row, lepton in enumerate(("e", "mu", "tau")):
        to_sterile = 4 * u[row, 3] ** 2 * u[3, 3] ** 2 * sin2
        for flavor in (f"nu_{lepton}", f"nu_{lepton}_bar"):
            assert model.survival_probability(flavor, energies, 20 * m) == pytest.approx(
                1 - to_sterile, rel=1e-13
            )
    # seeds/001 forms
    t14, t24, t34 = angles
    assert model.sterile_amplitude("nu_e") == pytest.approx(
        math.sin(2 * t14) ** 2 * math.cos(t24) ** 2 * math.cos(t34) ** 2
    )
    assert model.sterile_amplitude("nu_mu") == pytest.approx(
        math.cos(t14) ** 4 * math.sin(2 * t24) ** 2 * math.cos(t34) ** 2
    )


def test_disappearance_and_flux_reweighting():
    blind = Disappearance.flavor_blind(1 * eV2, 0.1)
    source = PionDecayAtRest(0.08)
    plain, oscillated = Flux(source, 1.0, 20 * m), Flux(source, 1.0, 20 * m, blind)
    line = nu_line = source.energy_quadrature("nu_mu").energies[0]
    expected = 1 - 0.1 * math.sin(oscillation_phase(1 * eV2, line, 20 * m)) ** 2
    assert oscillated.fluence("nu_mu") == pytest.approx(plain.fluence("nu_mu") * expected)
    assert oscillated.energy_quadrature("nu_mu").energies[0] == nu_line
    # a continuous spectrum: P(E) oscillates fast at low E (Δ ∝ 1/E), so the quadrature
    # converges more slowly than for smooth g: 256 nodes give 1e-4; raise n_points for more.
    model = Disappearance.flavor_blind(10 * eV2, 0.1)
    fast = Flux(source, 1.0, 20 * m, model)
    dense = fast.energy_quadrature("nu_e", 2048).total
    assert fast.energy_quadrature("nu_e").total == pytest.approx(dense, rel=1e-4)
    assert fast.energy_quadrature("nu_e", 1024).total == pytest.approx(dense, rel=3e-6)
    reference = dense / plain.fluence("nu_e")
    assert 0.9 < reference < 0.96
    only_e = Disappearance(1 * eV2, {"e": 0.2})
    assert only_e.survival_probability("nu_mu", 30 * MeV, 20 * m) == 1.0
    assert only_e.survival_probability("nu_e_bar", 30 * MeV, 20 * m) < 1.0
    assert oscillated.spectral_fluence("nu_e", 30 * MeV) < plain.spectral_fluence("nu_e", 30 * MeV)


def test_oscillation_input_errors():
    with pytest.raises(CevnsInputError, match=r"theta_14 must lie in \[0, π/2\]"):
        SterileActiveSurvival(1 * eV2, theta_14=2.0)
    with pytest.raises(CevnsInputError, match="delta_m2 must be a non-negative"):
        SterileActiveSurvival(-1 * eV2)
    with pytest.raises(CevnsInputError, match=r"amplitude \(sin²2θ\) for e must lie in \[0, 1\]"):
        Disappearance(1 * eV2, {"e": 1.5})
    with pytest.raises(CevnsInputError, match="distance must be a positive"):
        Disappearance.flavor_blind(1 * eV2, 0.1).survival_probability("nu_e", 30 * MeV, -1 * m)


# --- hygiene ---------------------------------------------------------------------------
_PROBE = textwrap.dedent(
    """
    import json, sys
    from cevns.sources import get_facility, Reactor, SupernovaBurst, Flux, kpc
    from cevns.units import GW, MeV, cm2, m, s, us
    fts = get_facility("sns-fts")
    flux = fts.flux(20 * m)
    reactor = Flux(Reactor(3 * GW), 1 / s, 20 * m)
    sn = Flux(SupernovaBurst(), 1.0, 10 * kpc)
    print(json.dumps({
        "sns": flux.fluence("nu_e") / (1 / cm2 / s),
        "sns_mean": flux.energy_quadrature("nu_mu_bar").mean_energy / MeV,
        "delayed_1us": float(fts.source().time_cdf("nu_e", 1 * us)),
        "reactor": reactor.fluence("nu_e_bar") / (1 / cm2 / s),
        "reactor_mean": reactor.energy_quadrature("nu_e_bar").mean_energy / MeV,
        "sn": sn.fluence("nu_e") / (1 / cm2),
        "matplotlib": "matplotlib" in sys.modules,
    }))
    """
)


def test_results_do_not_move_with_the_unit_scale_and_core_has_no_matplotlib(run_probe):
    base = run_probe(_PROBE)
    scaled = run_probe(_PROBE, "MeV=3.7,cm=0.02,s=1e4")
    assert base.pop("matplotlib") is False
    scaled.pop("matplotlib")
    for key, value in base.items():
        assert scaled[key] == pytest.approx(value, rel=1e-10), key
