"""Detection efficiencies: of the reconstructed observable, and of the time since the beam.

Energy efficiencies are functions of the *reconstructed observable* x: a photoelectron
count (dimensionless) for a scintillator read out in PE, or an electron-equivalent energy
in internal energy units (multiply by ``keVee``) for a detector binned in energy. Every
parameter that has the dimension of x (a threshold, the logistic midpoint c, table nodes)
is in the same units as x, and the logistic slope b is per unit of x.

Time efficiencies are functions of the reconstructed time t since the nominal beam time,
in internal time units (multiply by ``us``).

Every efficiency is a callable returning values in [0, 1] and exposes ``breakpoints``: the
points where it or its derivative jumps (thresholds, clipping points, table nodes), so that
integrations over bins (:mod:`cevns.detectors.smearing`) can split there and stay exact.

Models and sources:

* :class:`LogisticEfficiency` — CsI[Na] 2021 energy efficiency, ``effCoefficients.txt`` of
  the data release of D. Akimov et al. (COHERENT), PRL 129, 081801 (2022),
  arXiv:2110.07730;
* :class:`LogisticStepEfficiency` — the same times a hard threshold;
* :class:`TabulatedEfficiency` — e.g. the CENNS-10 argon Analysis A acceptance,
  ``CENNS10AnlAEfficiency.txt`` (COHERENT, PRL 126, 012002 (2021), arXiv:2003.10630, data
  release companion section 2.6: flat above the last bin);
* :class:`ThresholdEfficiency`, :class:`UnitEfficiency` — a hard threshold and no loss;
* :class:`CsI2021TimeEfficiency` — CsI[Na] 2021 time efficiency (arXiv:2110.07730 and its
  supplemental material), :class:`UnitTimeEfficiency`.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit

from cevns.errors import CevnsInputError, require_finite, require_increasing, require_non_negative
from cevns.units import us

_EMPTY = np.empty(0)


class EnergyEfficiency(ABC):
    """An acceptance ε(x) ∈ [0, 1] as a function of the reconstructed observable x."""

    @abstractmethod
    def __call__(self, observable: ArrayLike) -> np.ndarray:
        """Return ε at each observable value (same shape as the input)."""

    @property
    def breakpoints(self) -> np.ndarray:
        """Observable values where ε or its derivative is discontinuous (sorted)."""
        return _EMPTY


class UnitEfficiency(EnergyEfficiency):
    """ε(x) = 1: every event is kept."""

    def __call__(self, observable: ArrayLike) -> np.ndarray:
        return np.ones_like(np.asarray(observable, dtype=float))

    def __repr__(self) -> str:
        return "UnitEfficiency()"


class ThresholdEfficiency(EnergyEfficiency):
    """ε(x) = Θ(x − threshold): 1 for x ≥ threshold, 0 below (a hard analysis threshold)."""

    def __init__(self, threshold: float):
        self.threshold = float(require_finite("threshold", threshold))

    def __call__(self, observable: ArrayLike) -> np.ndarray:
        x = np.asarray(observable, dtype=float)
        return np.where(x >= self.threshold, 1.0, 0.0)

    @property
    def breakpoints(self) -> np.ndarray:
        return np.array([self.threshold])

    def __repr__(self) -> str:
        return f"ThresholdEfficiency(threshold={self.threshold!r})"


class LogisticEfficiency(EnergyEfficiency):
    """ε(x) = a / (1 + exp(−b (x − c))) + d, negative values clipped to 0.

    The CsI[Na] 2021 form of COHERENT (D. Akimov et al., PRL 129, 081801 (2022),
    arXiv:2110.07730; data release file ``effCoefficients.txt``, x in PE, nominal
    a = 1.32045, b = 0.285979 /PE, c = 10.8646 PE, d = −0.333322, and two ±1σ variants).
    The release says to clip negative values to 0, which this model does (the clip point
    is its :attr:`breakpoints`). Nothing else is clipped: the curve is monotone in x, so
    its values on the observable's domain x ≥ 0 lie between ε(0) and its limit for
    x → ∞ (a + d for b > 0, d for b < 0), and a curve that rises above 1 there (an
    efficiency of 4.7 for a = 5) or is never positive is refused.
    """

    def __init__(self, a: float, b: float, c: float, d: float):
        self.a = float(require_finite("a", a))
        self.b = float(require_finite("b", b))
        self.c = float(require_finite("c", c))
        self.d = float(require_finite("d", d))
        at_zero = float(self.unclipped(0.0))
        limit = self.a * (1.0 if self.b > 0 else 0.0 if self.b < 0 else 0.5) + self.d
        highest = max(at_zero, limit)
        if highest > 1.0 + 1e-12:
            where = "at x = 0" if at_zero >= limit else "for large x (a + d)"
            raise CevnsInputError(
                f"logistic efficiency (a={self.a:g}, b={self.b:g}, c={self.c:g}, d={self.d:g}) "
                f"reaches {highest:.4g} {where}; an efficiency must lie in [0, 1]"
            )
        if not highest > 0.0:
            raise CevnsInputError(
                f"logistic efficiency (a={self.a:g}, b={self.b:g}, c={self.c:g}, d={self.d:g}) "
                f"is never positive for x >= 0 (at most {highest:.4g}); an efficiency must "
                "lie in [0, 1] and keep some events"
            )

    def unclipped(self, observable: ArrayLike) -> np.ndarray:
        """The logistic a / (1 + exp(−b (x − c))) + d before clipping."""
        x = np.asarray(observable, dtype=float)
        return self.a * expit(self.b * (x - self.c)) + self.d

    def __call__(self, observable: ArrayLike) -> np.ndarray:
        # Values above 1 cannot occur on x >= 0 (refused above); min() only guards rounding.
        return np.clip(self.unclipped(observable), 0.0, 1.0)

    @property
    def breakpoints(self) -> np.ndarray:
        # Solve a s + d = 0 for the logistic s = 1/(1 + e^{−b(x−c)}) ∈ (0, 1): the clip at 0.
        points = []
        if self.a != 0.0 and self.b != 0.0:
            s = -self.d / self.a
            if 0.0 < s < 1.0:
                points.append(self.c + math.log(s / (1.0 - s)) / self.b)
        return np.array(points)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(a={self.a!r}, b={self.b!r}, c={self.c!r}, d={self.d!r})"


class LogisticStepEfficiency(LogisticEfficiency):
    """ε(x) = max(a / (1 + exp(−b (x − c))) + d, 0) · Θ(x − threshold).

    The CsI[Na] logistic of :class:`LogisticEfficiency` (arXiv:2110.07730) combined with a
    hard analysis threshold (events with x < threshold are rejected).
    """

    def __init__(self, a: float, b: float, c: float, d: float, threshold: float):
        super().__init__(a, b, c, d)
        self.threshold = float(require_finite("threshold", threshold))

    def __call__(self, observable: ArrayLike) -> np.ndarray:
        x = np.asarray(observable, dtype=float)
        return np.where(x >= self.threshold, super().__call__(x), 0.0)

    @property
    def breakpoints(self) -> np.ndarray:
        return np.unique(np.append(super().breakpoints, self.threshold))

    def __repr__(self) -> str:
        return (
            f"LogisticStepEfficiency(a={self.a!r}, b={self.b!r}, c={self.c!r}, d={self.d!r}, "
            f"threshold={self.threshold!r})"
        )


class TabulatedEfficiency(EnergyEfficiency):
    """ε tabulated at observable values x_i, linear in between or as steps.

    ``interpolation="linear"`` (default): ε is linear between nodes. A value may appear
    twice in ``x`` to make a jump (a half step, a threshold inside a table): left of the
    repeated node ε follows the segment before it, from the node on the segment after it
    (x ≥ node passes, as for a threshold), e.g. ``x = [0, 5, 5, 10]``, ``eff = [0, 0, 0.5,
    0.5]`` is 0 below 5 and 0.5 from 5. ``interpolation="step"``: ε = eff_i for
    x_i ≤ x < x_(i+1) (a histogram of efficiencies per bin, x strictly increasing).

    Below the first node ε = ``below`` (default 0: nothing is detected under the table);
    above the last node ε = ``above``, where ``"flat"`` keeps the last tabulated value
    (the prescription of the CENNS-10 argon release, companion section 2.6,
    arXiv:2003.10630) and a number sets a constant. ``below`` may also be ``"flat"``
    (keep the first value). Every value must lie in [0, 1]; the nodes are the
    :attr:`breakpoints`.
    """

    def __init__(
        self,
        x: ArrayLike,
        eff: ArrayLike,
        below: float | Literal["flat"] = 0.0,
        above: float | Literal["flat"] = "flat",
        interpolation: Literal["linear", "step"] = "linear",
    ):
        nodes = np.asarray(require_finite("x", x), dtype=float).ravel()
        values = np.asarray(require_finite("eff", eff), dtype=float).ravel()
        if interpolation not in ("linear", "step"):
            raise CevnsInputError(
                f'interpolation must be "linear" or "step"; got {interpolation!r}'
            )
        if nodes.size < 2:
            raise CevnsInputError(f"x must have at least 2 entries; got {nodes.size}")
        if values.size != nodes.size:
            raise CevnsInputError(
                f"eff must have one value per x node ({nodes.size}); got {values.size}"
            )
        if interpolation == "step":
            require_increasing("x", nodes)
        else:
            _require_jumps_only("x", nodes)
        _require_probability("eff", values)
        self.x = nodes
        self.eff = values
        self.interpolation = interpolation
        self.below = self._outside_value("below", below, values[0])
        self.above = self._outside_value("above", above, values[-1])

    @staticmethod
    def _outside_value(name: str, value: object, flat_value: float) -> float:
        if isinstance(value, str):
            if value != "flat":
                raise CevnsInputError(f'{name} must be "flat" or a number in [0, 1]; got {value!r}')
            return float(flat_value)
        return float(_require_probability(name, value))

    def __call__(self, observable: ArrayLike) -> np.ndarray:
        x = np.asarray(observable, dtype=float)
        # Index of the last node ≤ x (the second of a repeated node: x ≥ node passes).
        index = np.searchsorted(self.x, x, side="right") - 1
        inside = np.clip(index, 0, self.x.size - 1)
        if self.interpolation == "step":
            values = self.eff[inside]
        else:
            following = np.minimum(inside + 1, self.x.size - 1)
            width = self.x[following] - self.x[inside]
            safe = np.where(width > 0, width, 1.0)
            fraction = np.where(width > 0, (x - self.x[inside]) / safe, 0.0)
            values = self.eff[inside] + fraction * (self.eff[following] - self.eff[inside])
        values = np.where(index < 0, self.below, values)
        return np.where(x > self.x[-1], self.above, values)

    @property
    def breakpoints(self) -> np.ndarray:
        return np.unique(self.x)

    def __repr__(self) -> str:
        return (
            f"TabulatedEfficiency(<{self.x.size} nodes from {self.x[0]:g} to {self.x[-1]:g}>, "
            f"below={self.below!r}, above={self.above!r}, "
            f"interpolation={self.interpolation!r})"
        )


class TimeEfficiency(ABC):
    """An acceptance ε(t) ∈ [0, 1] as a function of the time t since the nominal beam time."""

    @abstractmethod
    def __call__(self, time: ArrayLike) -> np.ndarray:
        """Return ε at each time (internal time units; same shape as the input)."""

    @property
    def breakpoints(self) -> np.ndarray:
        """Times where ε or its derivative is discontinuous (sorted)."""
        return _EMPTY


class UnitTimeEfficiency(TimeEfficiency):
    """ε(t) = 1 at all times."""

    def __call__(self, time: ArrayLike) -> np.ndarray:
        return np.ones_like(np.asarray(time, dtype=float))

    def __repr__(self) -> str:
        return "UnitTimeEfficiency()"


class CsI2021TimeEfficiency(TimeEfficiency):
    """ε(t) = 1 for t < onset and exp(−rate · (t − onset)) for t ≥ onset.

    The CsI[Na] 2021 time-dependent efficiency of COHERENT (D. Akimov et al., PRL 129,
    081801 (2022), arXiv:2110.07730, supplemental material): onset 0.52 µs and decay rate
    0.0494 µs⁻¹ (the defaults). ε is continuous, with a kink at the onset (the
    :attr:`breakpoints`). ``onset`` is a time and ``decay_rate`` an inverse time, both in
    internal units (``0.52 * us``, ``0.0494 / us``).
    """

    def __init__(self, onset: float = 0.52 * us, decay_rate: float = 0.0494 / us):
        self.onset = float(require_finite("onset", onset, "internal time units"))
        self.decay_rate = float(
            require_non_negative("decay_rate", decay_rate, "internal inverse time units")
        )

    def __call__(self, time: ArrayLike) -> np.ndarray:
        t = np.asarray(time, dtype=float)
        return np.exp(-self.decay_rate * np.maximum(t - self.onset, 0.0))

    @property
    def breakpoints(self) -> np.ndarray:
        return np.array([self.onset])

    def __repr__(self) -> str:
        return (
            f"CsI2021TimeEfficiency(onset={self.onset / us:g} us, "
            f"decay_rate={self.decay_rate * us:g} /us)"
        )


def _require_jumps_only(name: str, nodes: np.ndarray) -> None:
    """Nodes must not decrease, and a value may repeat once (a jump), not more."""
    steps = np.diff(nodes)
    if np.any(steps < 0):
        bad = int(np.argmax(steps < 0)) + 1
        raise CevnsInputError(
            f"{name} must not decrease; entry {bad} ({nodes[bad]:g}) is below entry {bad - 1} "
            f"({nodes[bad - 1]:g})"
        )
    repeated = (steps[:-1] == 0) & (steps[1:] == 0)
    if np.any(repeated):
        bad = int(np.argmax(repeated)) + 1
        raise CevnsInputError(
            f"{name} may repeat a value once (a jump); {nodes[bad]:g} appears more than twice"
        )
    if np.unique(nodes).size < 2:
        raise CevnsInputError(f"{name} must span an interval; got only {nodes[0]:g}")


def _require_probability(name: str, value: object) -> np.ndarray:
    array = require_finite(name, value)
    outside = (array < 0) | (array > 1)
    if np.any(outside):
        offender = float(array[outside].ravel()[0])
        raise CevnsInputError(f"{name} must lie in [0, 1]; got {offender!r}")
    return array


__all__ = [
    "CsI2021TimeEfficiency",
    "EnergyEfficiency",
    "LogisticEfficiency",
    "LogisticStepEfficiency",
    "TabulatedEfficiency",
    "ThresholdEfficiency",
    "TimeEfficiency",
    "UnitEfficiency",
    "UnitTimeEfficiency",
]
