"""Energy and time efficiencies: published forms, release files, clipping, specs, bad input."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from cevns.detectors import (
    CsI2021TimeEfficiency,
    EnergyEfficiencySpec,
    LogisticEfficiency,
    LogisticStepEfficiency,
    TabulatedEfficiency,
    ThresholdEfficiency,
    TimeEfficiencySpec,
    UnitEfficiency,
    UnitTimeEfficiency,
)
from cevns.errors import CevnsInputError
from cevns.units import keVee, ns, us

ENERGY_SPEC = TypeAdapter(EnergyEfficiencySpec)
TIME_SPEC = TypeAdapter(TimeEfficiencySpec)

# CsI[Na] 2021 nominal efficiency, effCoefficients.txt of the arXiv:2110.07730 release:
# eff(x) = a/(1 + exp(−b(x − c))) + d, x in PE.
CSI_NOMINAL = (1.32045, 0.285979, 10.8646, -0.333322)


def _logistic_by_hand(x: float, a: float, b: float, c: float, d: float) -> float:
    return min(max(a / (1.0 + math.exp(-b * (x - c))) + d, 0.0), 1.0)


# --- logistic (CsI 2021) ---------------------------------------------------------------------


def test_logistic_csi_nominal_at_5_10_20_pe():
    # The release formula evaluated by hand (math.exp), clipped to [0, 1] as the release
    # README says; at 5 PE the logistic is negative (clipped to 0), at 10 PE ≈ 0.2457, at
    # 20 PE ≈ 0.8969. Tolerance 1e-12.
    efficiency = LogisticEfficiency(*CSI_NOMINAL)
    expected = {5.0: 0.0, 10.0: 0.24567, 20.0: 0.89690}
    for pe, rounded in expected.items():
        value = float(efficiency(pe))
        assert value == pytest.approx(_logistic_by_hand(pe, *CSI_NOMINAL), abs=1e-12)
        assert value == pytest.approx(rounded, abs=5e-5)
    assert efficiency.unclipped(5.0) < 0


def test_logistic_coefficients_match_the_release_file(shared_data_dir: Path):
    # Data test: effCoefficients.txt holds the nominal row and two systematic variants.
    text = (shared_data_dir / "coherent-csi-2021" / "effCoefficients.txt").read_text()
    rows = [
        tuple(float(v) for v in line.split())
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert len(rows) == 3
    assert rows[0] == CSI_NOMINAL
    x = np.linspace(0.0, 60.0, 601)
    for row in rows:
        values = LogisticEfficiency(*row)(x)
        assert np.all((values >= 0) & (values <= 1))
        assert values == pytest.approx([_logistic_by_hand(v, *row) for v in x], abs=1e-12)


def test_logistic_clipping_and_breakpoints():
    efficiency = LogisticEfficiency(*CSI_NOMINAL)
    (zero,) = efficiency.breakpoints  # only the clip at 0: the curve saturates at a + d < 1
    assert float(efficiency.unclipped(zero)) == pytest.approx(0.0, abs=1e-12)
    assert zero == pytest.approx(7.068, abs=1e-3)
    assert float(efficiency(zero - 1e-6)) == 0.0 and float(efficiency(zero + 1e-3)) > 0
    # A curve that rises above 1 is refused rather than clipped (only the release's clip of
    # negative values is applied): 2/(1+e^{−(x−5)}) would reach 2.
    with pytest.raises(CevnsInputError, match=r"reaches 2 for large x \(a \+ d\)"):
        LogisticEfficiency(2.0, 1.0, 5.0, 0.0)


def test_logistic_step_is_zero_below_the_threshold():
    efficiency = LogisticStepEfficiency(*CSI_NOMINAL, threshold=12.0)
    plain = LogisticEfficiency(*CSI_NOMINAL)
    x = np.array([5.0, 11.99, 12.0, 30.0])
    assert efficiency(x) == pytest.approx([0.0, 0.0, float(plain(12.0)), float(plain(30.0))])
    assert 12.0 in efficiency.breakpoints


# --- tabulated (argon 2020), threshold, unit ----------------------------------------------------


def test_tabulated_argon_efficiency_is_flat_above_the_last_bin(shared_data_dir: Path):
    # Data test: CENNS10AnlAEfficiency.txt (keVee centre, keVnr centre, efficiency) of the
    # arXiv:2003.10630 release; companion section 2.6: flat above the last bin.
    table = np.loadtxt(shared_data_dir / "coherent-lar-2020" / "CENNS10AnlAEfficiency.txt")
    efficiency = TabulatedEfficiency(table[:, 0] * keVee, table[:, 2])
    last = table[-1, 2]
    assert table[-1, 0] == 39.75 and last == pytest.approx(0.96345)
    assert efficiency(np.array([39.75, 45.0, 120.0]) * keVee) == pytest.approx([last] * 3)
    assert float(efficiency(0.1 * keVee)) == 0.0  # below the first centre: 0
    assert efficiency(table[:, 0] * keVee) == pytest.approx(table[:, 2], abs=1e-15)
    middle = 0.5 * (table[10, 0] + table[11, 0]) * keVee  # linear between centres
    assert float(efficiency(middle)) == pytest.approx(0.5 * (table[10, 2] + table[11, 2]))


def test_tabulated_outside_values():
    efficiency = TabulatedEfficiency([1.0, 2.0], [0.4, 0.6], below="flat", above=0.9)
    assert efficiency([0.0, 1.5, 3.0]) == pytest.approx([0.4, 0.5, 0.9])


def test_threshold_and_unit():
    threshold = ThresholdEfficiency(4.0 * keVee)
    assert threshold(np.array([3.99, 4.0, 10.0]) * keVee).tolist() == [0.0, 1.0, 1.0]
    assert threshold.breakpoints.tolist() == [4.0 * keVee]
    assert UnitEfficiency()(np.zeros((2, 3))).tolist() == [[1.0] * 3] * 2
    assert UnitEfficiency().breakpoints.size == 0


# --- time efficiency (CsI 2021) --------------------------------------------------------------


def test_csi_time_efficiency():
    # arXiv:2110.07730 supplement: 1 for t < 0.52 µs, exp(−0.0494/µs (t − 0.52 µs)) after.
    efficiency = CsI2021TimeEfficiency()
    assert float(efficiency(0.0)) == 1.0
    assert float(efficiency(0.5199 * us)) == 1.0
    assert float(efficiency(0.52 * us)) == 1.0
    assert float(efficiency(0.52 * us + 1 * ns)) == pytest.approx(1.0, abs=1e-4)  # continuous
    assert float(efficiency(2 * us)) == pytest.approx(math.exp(-0.0494 * 1.48), rel=1e-12)
    times = np.linspace(0, 6, 61) * us
    assert np.all(np.diff(efficiency(times)) <= 0)
    assert efficiency.breakpoints == pytest.approx([0.52 * us])
    assert UnitTimeEfficiency()(times) == pytest.approx(np.ones(61))


def test_time_efficiency_refuses_a_negative_rate():
    with pytest.raises(CevnsInputError, match="decay_rate must be a non-negative"):
        CsI2021TimeEfficiency(decay_rate=-0.1 / us)


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: LogisticEfficiency(float("nan"), 0.3, 10.0, 0.0), "a must be a finite number"),
        (lambda: LogisticStepEfficiency(1, 0.3, 10, 0, float("inf")), "threshold must be a fin"),
        (lambda: TabulatedEfficiency([1.0, 1.0], [0.1, 0.2]), "x must span an interval"),
        (lambda: TabulatedEfficiency([1.0, 0.5], [0.1, 0.2]), "x must not decrease"),
        (lambda: TabulatedEfficiency([0, 1, 1, 1], [0, 0, 1, 1]), "1 appears more than twice"),
        (
            lambda: TabulatedEfficiency([0, 1, 1], [0, 0, 1], interpolation="step"),
            "x must be strictly increasing",
        ),
        (lambda: LogisticEfficiency(5.0, 0.285979, 10.8646, -0.333322), "reaches 4.667"),
        (lambda: LogisticEfficiency(-1.32, 0.285979, 10.8646, -0.333322), "never positive"),
        (lambda: LogisticEfficiency(0.5, -1.0, 2.0, 0.7), "reaches 1.14 at x = 0"),
        (lambda: TabulatedEfficiency([1.0, 2.0], [0.1, 1.2]), r"eff must lie in \[0, 1\]"),
        (lambda: TabulatedEfficiency([1.0, 2.0], [0.1]), "one value per x node"),
        (lambda: TabulatedEfficiency([1.0, 2.0], [0.1, 0.2], below="x"), 'below must be "flat"'),
        (lambda: TabulatedEfficiency([1.0, 2.0], [0.1, 0.2], above=-1), "above must lie in"),
    ],
)
def test_bad_input_gives_one_line_errors(call, message):
    with pytest.raises(CevnsInputError, match=message) as error:
        call()
    assert "\n" not in str(error.value)


# --- specs -----------------------------------------------------------------------------------


def test_energy_specs_build_every_model():
    logistic = dict(zip("abcd", CSI_NOMINAL, strict=True))
    built = ENERGY_SPEC.validate_python({"model": "logistic", **logistic}).build()
    assert float(built(20.0)) == pytest.approx(_logistic_by_hand(20.0, *CSI_NOMINAL))
    step = ENERGY_SPEC.validate_python({"model": "logistic-step", **logistic, "threshold": 9})
    assert float(step.build()(8.9)) == 0.0
    threshold = ENERGY_SPEC.validate_python({"model": "threshold", "threshold": 5, "unit": "keVee"})
    assert threshold.build().threshold == 5 * keVee
    assert isinstance(ENERGY_SPEC.validate_python({"model": "unit"}).build(), UnitEfficiency)
    inline = ENERGY_SPEC.validate_python(
        {"model": "tabulated", "x": [1, 2], "efficiency": [0.2, 0.4], "x_unit": "keVee"}
    )
    assert float(inline.build()(1.5 * keVee)) == pytest.approx(0.3)


def test_logistic_spec_in_energy_units_scales_b_and_c():
    spec = ENERGY_SPEC.validate_python(
        {"model": "logistic", "a": 1.0, "b": 0.5, "c": 3.0, "d": 0.0, "unit": "keVee"}
    )
    efficiency = spec.build()
    assert float(efficiency(3.0 * keVee)) == pytest.approx(0.5)
    assert float(efficiency(5.0 * keVee)) == pytest.approx(1 / (1 + math.exp(-1.0)))


def test_tabulated_spec_reads_the_argon_release_file(shared_data_dir: Path):
    directory = shared_data_dir / "coherent-lar-2020"
    spec = ENERGY_SPEC.validate_python(
        {
            "model": "tabulated",
            "file": "CENNS10AnlAEfficiency.txt",
            "x_column": 0,
            "efficiency_column": 2,
            "x_unit": "keVee",
        }
    )
    efficiency = spec.build(base_dir=directory)
    assert float(efficiency(80 * keVee)) == pytest.approx(0.96345)
    assert float(efficiency(2.25 * keVee)) == pytest.approx(0.29056)


def test_time_specs():
    spec = TIME_SPEC.validate_python(
        {"model": "csi-2021", "onset": "0.52 us", "decay_rate_per_us": 0.0494}
    )
    efficiency = spec.build()
    assert efficiency.onset == pytest.approx(0.52 * us)
    assert float(efficiency(2 * us)) == pytest.approx(math.exp(-0.0494 * 1.48))
    default = TIME_SPEC.validate_python({"model": "csi-2021"}).build()
    assert default.onset == pytest.approx(0.52 * us) and default.decay_rate == 0.0494 / us
    assert isinstance(TIME_SPEC.validate_python({"model": "unit"}).build(), UnitTimeEfficiency)


@pytest.mark.parametrize(
    ("adapter", "table", "field"),
    [
        (ENERGY_SPEC, {"model": "logistic", "a": 1, "b": 1, "c": 1}, "logistic.d"),
        (ENERGY_SPEC, {"model": "logistic", "a": 1, "b": 1, "c": 1, "d": 0, "e": 2}, "logistic.e"),
        (ENERGY_SPEC, {"model": "threshold", "threshold": float("nan")}, "threshold.threshold"),
        (ENERGY_SPEC, {"model": "threshold", "threshold": 1, "unit": "s"}, "threshold.unit"),
        (ENERGY_SPEC, {"model": "sigmoid"}, "does not match any of the expected tags"),
        (ENERGY_SPEC, {"model": "tabulated", "x": [1, 2]}, "give file, or both x and efficiency"),
        (TIME_SPEC, {"model": "csi-2021", "onset": "0.52 m"}, "csi-2021.onset"),
        (TIME_SPEC, {"model": "csi-2021", "onset": 0.52}, "needs a unit"),
        (TIME_SPEC, {"model": "csi-2021", "decay_rate_per_us": -1}, "decay_rate_per_us"),
        (TIME_SPEC, {"model": "unit", "onset": "1 us"}, "unit.onset"),
    ],
)
def test_specs_refuse_bad_tables(adapter, table, field):
    with pytest.raises(ValidationError, match=field):
        adapter.validate_python(table)


def test_tabulated_spec_takes_jumps_and_steps():
    jump = ENERGY_SPEC.validate_python(
        {"model": "tabulated", "x": [0, 2, 2, 4], "efficiency": [0, 0, 0.6, 0.6], "x_unit": "keVee"}
    ).build()
    assert jump(np.array([1.99, 2.0, 3.0]) * keVee) == pytest.approx([0.0, 0.6, 0.6])
    assert list(jump.breakpoints) == pytest.approx([0.0, 2.0 * keVee, 4.0 * keVee])
    step = ENERGY_SPEC.validate_python(
        {
            "model": "tabulated",
            "x": [1, 3, 5],
            "efficiency": [0.2, 0.9, 1.0],
            "interpolation": "step",
        }
    ).build()
    assert step(np.array([0.5, 1.0, 2.9, 3.0, 4.99, 5.0, 9.0])) == pytest.approx(
        [0.0, 0.2, 0.2, 0.9, 0.9, 1.0, 1.0]
    )
