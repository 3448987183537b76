"""Quenching models: formulas, published values, the CsI 2021 release file, specs, bad input."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from cevns.detectors import (
    ConstantQuenching,
    LindhardQuenching,
    LinearQuenching,
    PolynomialQuenching,
    QuenchingSpec,
    TabulatedQuenching,
)
from cevns.errors import CevnsInputError
from cevns.units import MeV, keV, keVee, keVnr

QUENCHING_SPEC = TypeAdapter(QuenchingSpec)

# CsI[Na] 2021 nominal scintillation response, data release of arXiv:2110.07730
# (scintRespCoefficients.txt): E_ee[MeVee] = a x + b x² + c x³ + d x⁴, x = T in MeVnr.
CSI_NOMINAL = (0.0554628, 4.30681, -111.707, 840.384)


def _coefficient_sets(path: Path) -> list[tuple[str, list[float]]]:
    """(label, coefficients) for each data row of a COHERENT coefficient file.

    The label is the last ``#`` comment line before the row ("Nominal …", "Syst model …").
    """
    sets, label = [], ""
    for line in path.read_text().splitlines():
        text = line.strip()
        if text.startswith("#"):
            label = text.lstrip("# ")
        elif text:
            sets.append((label, [float(v) for v in text.split()]))
    return sets


def _csi_polynomial_by_hand(recoil_kevnr: float, a: float, b: float, c: float, d: float) -> float:
    x = recoil_kevnr / 1000.0  # MeVnr
    return (a * x + b * x**2 + c * x**3 + d * x**4) * 1000.0  # keVee


# --- polynomial (CsI 2021) ------------------------------------------------------------------


def test_polynomial_with_the_csi_release_coefficients(shared_data_dir: Path):
    # Data test: the nominal row of scintRespCoefficients.txt (arXiv:2110.07730 release),
    # evaluated against the release's formula written out by hand; tolerance 1e-12 relative.
    sets = _coefficient_sets(shared_data_dir / "coherent-csi-2021" / "scintRespCoefficients.txt")
    assert len(sets) == 5  # nominal and four ±1σ variants
    label, nominal = sets[0]
    assert label.startswith("Nominal")
    assert tuple(nominal) == CSI_NOMINAL
    for _, coefficients in sets:
        model = PolynomialQuenching([0.0, *coefficients], MeV)
        for recoil in (1.0, 5.0, 20.0, 45.0, 100.0):
            expected = _csi_polynomial_by_hand(recoil, *coefficients)
            got = float(model.electron_equivalent(recoil * keVnr) / keVee)
            assert got == pytest.approx(expected, rel=1e-12)
        recoils = np.linspace(0.0, 100.0, 2001) * keVnr
        assert np.all(np.diff(model.electron_equivalent(recoils)) > 0)


def test_polynomial_nominal_values_and_quenching_factor():
    model = PolynomialQuenching([0.0, *CSI_NOMINAL], MeV)
    # E_ee(20 keVnr) from the release formula: 0.0554628·0.02 + 4.30681·0.02² − 111.707·0.02³
    # + 840.384·0.02⁴ = 0.00207278544 MeVee, so QF = 0.103639272; tolerance 1e-12.
    assert float(model.electron_equivalent(20 * keVnr) / keVee) == pytest.approx(
        _csi_polynomial_by_hand(20.0, *CSI_NOMINAL), rel=1e-12
    )
    assert float(model.quenching_factor(20 * keVnr)) == pytest.approx(0.103639272, rel=1e-12)
    assert model.electron_equivalent(0.0) == 0.0
    assert math.isinf(model.monotonic_limit)


def test_polynomial_unit_is_respected():
    # The same polynomial written in keV: E[keV] = Σ c_k (x_keV)^k is a different curve;
    # written consistently (c_k scaled by 1000^(1-k)) it must agree.
    scaled = [0.0] + [c * 1000.0 ** (1 - k) for k, c in enumerate(CSI_NOMINAL, start=1)]
    in_mev = PolynomialQuenching([0.0, *CSI_NOMINAL], MeV)
    in_kev = PolynomialQuenching(scaled, keV)
    recoils = np.array([2.0, 10.0, 40.0]) * keVnr
    assert in_kev.electron_equivalent(recoils) == pytest.approx(
        in_mev.electron_equivalent(recoils), rel=1e-12
    )


def test_polynomial_refuses_recoils_beyond_its_monotonic_range():
    model = PolynomialQuenching([0.0, 1.0, -1.0], MeV)  # E = x − x², stops rising at x = 0.5
    assert model.monotonic_limit == pytest.approx(0.5 * MeV)
    assert float(model.electron_equivalent(0.25 * MeV) / MeV) == pytest.approx(0.1875)
    with pytest.raises(CevnsInputError, match=r"recoil_energy 0\.6 .* exceeds 0\.5"):
        model.electron_equivalent(0.6 * MeV)


@pytest.mark.parametrize(
    ("coefficients", "message"),
    [
        ([0.0, float("nan")], "coefficients must be a finite number; got nan"),
        ([0.1, 1.0], r"coefficients\[0\] \(the constant term\) must be 0"),
        ([0.0, -1.0, 2.0], "must describe an E_ee that increases from T = 0"),
        ([0.0], "at least 2 entries"),
    ],
)
def test_polynomial_bad_coefficients(coefficients, message):
    with pytest.raises(CevnsInputError, match=message) as error:
        PolynomialQuenching(coefficients, MeV)
    assert "\n" not in str(error.value)


# --- linear (argon 2020) --------------------------------------------------------------------


def test_linear_argon_quenching_at_20_kevnr():
    # LArParametersAnlA.yaml (arXiv:2003.10630 release): QF = 0.246 + 0.00078·T[keVnr];
    # at 20 keVnr QF = 0.246 + 0.0156 = 0.2616 and E_ee = 5.232 keVee; tolerance 1e-12.
    model = LinearQuenching(0.246, 0.00078)
    assert float(model.quenching_factor(20 * keVnr)) == pytest.approx(0.2616, rel=1e-12)
    assert float(model.electron_equivalent(20 * keVnr) / keVee) == pytest.approx(5.232, rel=1e-12)


def test_linear_argon_parameters_match_the_release_file(shared_data_dir: Path):
    # Data test: the QF parameters in the release's YAML file.
    text = (shared_data_dir / "coherent-lar-2020" / "LArParametersAnlA.yaml").read_text()
    block = text[text.index("larQF:") :]
    values = [float(line.split(":")[1]) for line in block.splitlines() if "value:" in line][:2]
    assert values == [0.246, 0.00078]


def test_linear_with_negative_slope_refuses_the_falling_part():
    model = LinearQuenching(0.3, -0.001)  # E_ee = (0.3 − 0.001 T) T rises up to 150 keVnr
    assert float(model.electron_equivalent(100 * keVnr) / keVee) == pytest.approx(20.0)
    with pytest.raises(CevnsInputError, match="recoil_energy 160 keVnr is outside"):
        model.electron_equivalent(np.array([10.0, 160.0]) * keVnr)


# --- Lindhard --------------------------------------------------------------------------------


def _lindhard_by_hand(k: float, Z: int, recoil_kev: float) -> float:
    epsilon = 11.5 * recoil_kev * Z ** (-7.0 / 3.0)
    g = 3 * epsilon**0.15 + 0.7 * epsilon**0.6 + epsilon
    return k * g / (1 + k * g)


def test_lindhard_germanium_published_value():
    # B. J. Scholz et al., PRD 94, 122003 (2016), arXiv:1608.03588, abstract: Lindhard with
    # k = 0.179 gives a germanium quenching factor of 25.3 % at 8.5 keVnr (rounded to 0.1 %).
    model = LindhardQuenching(0.179, 32)
    assert float(model.quenching_factor(8.5 * keVnr)) == pytest.approx(0.253, abs=0.0005)


def test_lindhard_default_germanium_k_at_10_kevnr():
    # k = 0.133 Z^(2/3) A^(−1/2) = 0.157 for Ge (Lewin & Smith, Astropart. Phys. 6, 87 (1996));
    # at 10 keVnr the Lindhard QF is ≈ 0.23 (formula evaluated independently; 1e-12).
    assert 0.133 * 32 ** (2 / 3) / math.sqrt(72.63) == pytest.approx(0.157, abs=5e-4)
    model = LindhardQuenching(0.157, 32)
    qf = float(model.quenching_factor(10 * keVnr))
    assert qf == pytest.approx(_lindhard_by_hand(0.157, 32, 10.0), rel=1e-12)
    assert qf == pytest.approx(0.234, abs=0.001)


def test_lindhard_limits_and_monotonicity():
    model = LindhardQuenching(0.157, 32)
    recoils = np.geomspace(1e-3, 1e3, 200) * keVnr
    energies = model.electron_equivalent(recoils)
    factors = model.quenching_factor(recoils)
    assert np.all(np.diff(energies) > 0)
    assert np.all(np.diff(factors) > 0)  # QF rises with energy
    assert np.all((factors > 0) & (factors < 1))
    assert model.electron_equivalent(0.0) == 0.0


@pytest.mark.parametrize("Z", [0, 32.5, True, "Ge"])
def test_lindhard_refuses_a_bad_atomic_number(Z):
    with pytest.raises(CevnsInputError, match="Z must be a positive integer"):
        LindhardQuenching(0.157, Z)


# --- constant and tabulated ------------------------------------------------------------------


def test_constant_quenching():
    model = ConstantQuenching(0.08)
    assert model.electron_equivalent(np.array([0.0, 10.0]) * keVnr) == pytest.approx(
        [0.0, 0.8 * keVee]
    )
    for bad in (0.0, -0.1, 1.5, float("nan")):
        with pytest.raises(CevnsInputError, match="factor"):
            ConstantQuenching(bad)


def test_tabulated_reproduces_nodes_and_is_monotone():
    recoils = np.array([0.0, 5.0, 10.0, 20.0, 40.0]) * keVnr
    factors = np.array([0.2, 0.22, 0.25, 0.26, 0.27])
    model = TabulatedQuenching(recoils, factors)
    assert model.electron_equivalent(recoils) == pytest.approx(factors * recoils, rel=1e-14)
    fine = np.linspace(0.0, 40.0, 4001) * keVnr
    assert np.all(np.diff(model.electron_equivalent(fine)) > 0)


def test_tabulated_refuses_energies_outside_the_table():
    model = TabulatedQuenching(np.array([2.0, 10.0, 50.0]) * keVnr, [0.2, 0.25, 0.27])
    with pytest.raises(CevnsInputError, match=r"recoil_energy 1 keVnr is outside .*\[2, 50\]"):
        model.electron_equivalent(1.0 * keVnr)
    with pytest.raises(CevnsInputError, match=r"recoil_energy 60 keVnr is outside"):
        model.electron_equivalent(np.array([10.0, 60.0]) * keVnr)


def test_tabulated_refuses_a_decreasing_light_output():
    with pytest.raises(CevnsInputError, match="QF·T must be strictly increasing; entry 2"):
        TabulatedQuenching(np.array([1.0, 2.0, 2.1]) * keVnr, [0.3, 0.3, 0.2])


def test_negative_recoil_energy_is_refused():
    with pytest.raises(CevnsInputError, match="recoil_energy must be a non-negative"):
        ConstantQuenching(0.1).electron_equivalent(-1 * keVnr)


# --- specs -----------------------------------------------------------------------------------


def test_specs_build_every_model():
    cases = {
        "constant": ({"model": "constant", "factor": 0.08}, ConstantQuenching),
        "lindhard": ({"model": "lindhard", "k": 0.157, "Z": 32}, LindhardQuenching),
        "linear": ({"model": "linear", "a": 0.246, "b_per_kevnr": 0.00078}, LinearQuenching),
        "polynomial": (
            {"model": "polynomial", "coefficients": [0.0, *CSI_NOMINAL], "unit": "MeV"},
            PolynomialQuenching,
        ),
        "tabulated": (
            {"model": "tabulated", "recoil_energies": [0, 10, 20], "quenching_factors": [0.2] * 3},
            TabulatedQuenching,
        ),
    }
    for table, kind in cases.values():
        assert isinstance(QUENCHING_SPEC.validate_python(table).build(), kind)
    linear = QUENCHING_SPEC.validate_python({"model": "linear", "a": 0.246, "b": 0.00078}).build()
    assert float(linear.quenching_factor(20 * keVnr)) == pytest.approx(0.2616)
    tabulated = QUENCHING_SPEC.validate_python(cases["tabulated"][0]).build()
    assert float(tabulated.electron_equivalent(15 * keVnr) / keVee) == pytest.approx(3.0)


def test_tabulated_spec_reads_a_file(tmp_path):
    (tmp_path / "qf.txt").write_text("# T_keVnr QF\n0 0.1\n10, 0.12\n\n30 0.14  # last\n")
    spec = QUENCHING_SPEC.validate_python({"model": "tabulated", "file": "qf.txt"})
    model = spec.build(base_dir=tmp_path)
    assert float(model.electron_equivalent(30 * keVnr) / keVee) == pytest.approx(4.2)
    with pytest.raises(CevnsInputError, match="cannot read table"):
        spec.build(base_dir=tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ({"model": "lindhard", "k": 0.157}, "lindhard.Z"),
        ({"model": "linear", "a": 0.246, "b": 0.1, "c": 1}, "linear.c"),
        ({"model": "polynomial", "coefficients": [0, float("nan")], "unit": "MeV"}, "coefficients"),
        ({"model": "polynomial", "coefficients": [0, 1], "unit": "m"}, "polynomial.unit"),
        ({"model": "quadratic", "a": 1}, "does not match any of the expected tags"),
        ({"model": "tabulated", "recoil_energies": [1, 2]}, "give file, or both"),
    ],
)
def test_specs_refuse_bad_tables(table, field):
    with pytest.raises(ValidationError, match=field):
        QUENCHING_SPEC.validate_python(table)


# --- germanium: Lindhard with the adiabatic correction, coverage of tables -----------------


def test_adiabatic_lindhard_reproduces_the_published_germanium_values():
    # B. J. Scholz et al., PRD 94, 122003 (2016), arXiv:1608.03588, abstract: Lindhard with
    # k = 0.1789 and the adiabatic correction (ξ = 0.16 keVnr) gives 13.7 % at 0.3 keVnr and
    # 25.3 % at 8.5 keVnr (to 0.1 %: the abstract rounds, and k = 0.179 ± 0.001 there).
    # Independent check: the formula written out by hand, times 1 − exp(−T/ξ).
    model = LindhardQuenching(0.1789, 32, adiabatic_xi=0.16 * keVnr)
    for recoil, published in ((0.3, 0.137), (8.5, 0.253)):
        qf = float(model.quenching_factor(recoil * keVnr))
        by_hand = _lindhard_by_hand(0.1789, 32, recoil) * (1 - math.exp(-recoil / 0.16))
        assert qf == pytest.approx(by_hand, rel=1e-12)
        assert qf == pytest.approx(published, abs=0.001)
    # Without the correction the sub-keV value is 16.3 %, well above the measurement.
    assert float(LindhardQuenching(0.1789, 32).quenching_factor(0.3 * keVnr)) > 0.16


def test_adiabatic_correction_limits():
    plain = LindhardQuenching(0.162, 32)  # k of A. Bonhomme et al., arXiv:2202.03754
    corrected = LindhardQuenching(0.162, 32, adiabatic_xi=0.16 * keVnr)
    recoils = np.geomspace(1e-4, 1e2, 300) * keVnr
    ratio = corrected.electron_equivalent(recoils) / plain.electron_equivalent(recoils)
    assert np.all(np.diff(corrected.electron_equivalent(recoils)) > 0)  # still increasing
    assert ratio[-1] == pytest.approx(1.0, abs=1e-12)  # T ≫ ξ: plain Lindhard
    assert ratio[0] == pytest.approx(1e-4 / 0.16, rel=1e-3)  # T ≪ ξ: ×T/ξ
    at_xi = float(corrected.quenching_factor(0.16 * keVnr) / plain.quenching_factor(0.16 * keVnr))
    assert at_xi == pytest.approx(1 - math.exp(-1), rel=1e-12)
    with pytest.raises(CevnsInputError, match="adiabatic_xi must be a positive"):
        LindhardQuenching(0.162, 32, adiabatic_xi=-1.0)
    spec = QUENCHING_SPEC.validate_python(
        {"model": "lindhard", "k": 0.1789, "Z": 32, "xi_kevnr": 0.16}
    )
    assert spec.build().adiabatic_xi == pytest.approx(0.16 * keVnr)


def test_valid_ranges_tell_the_engine_what_a_model_covers():
    assert LindhardQuenching(0.157, 32).valid_range == (0.0, math.inf)
    table = TabulatedQuenching(np.array([0.0, 1.0, 6.0]) * keVnr, [0.15, 0.18, 0.22])
    assert table.valid_range == pytest.approx((0.0, 6.0 * keVnr))
    falling = LinearQuenching(0.3, -0.001)
    assert falling.valid_range[1] == pytest.approx(150.0 * keVnr)  # a + 2bT = 0
    polynomial = PolynomialQuenching([0.0, 1.0, -0.5], MeV)  # E' = 1 − x: stops at 1 MeV
    assert polynomial.valid_range == pytest.approx((0.0, 1.0 * MeV))


def test_a_quenching_table_lists_recoil_energies():
    with pytest.raises(ValidationError, match="'keVee' is electron-equivalent"):
        QUENCHING_SPEC.validate_python(
            {
                "model": "tabulated",
                "recoil_energies": [0, 1],
                "quenching_factors": [0.2, 0.2],
                "unit": "keVee",
            }
        )
