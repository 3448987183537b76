"""Quenching: the electron-equivalent energy E_ee of a nuclear recoil of kinetic energy T.

A nuclear recoil gives less light (or ionisation) than an electron of the same energy. Each
model here has ``electron_equivalent(recoil_energy)`` returning E_ee for nuclear recoil
energies T (both in internal energy units, vectorised) and ``quenching_factor(T)`` =
E_ee / T. Every model is increasing in T on the range where it is accepted.

Models and sources:

* :class:`ConstantQuenching` — E_ee = QF · T;
* :class:`LindhardQuenching` — J. Lindhard et al., Mat. Fys. Medd. Dan. Vid. Selsk. 33, 10
  (1963), in the parametrisation of J. D. Lewin and P. F. Smith, Astropart. Phys. 6, 87
  (1996), section 6 (the form used e.g. by B. J. Scholz et al., PRD 94, 122003 (2016),
  arXiv:1608.03588, for germanium), optionally times the adiabatic correction
  1 − exp(−T/ξ) of Scholz et al. (germanium: k = 0.1789, ξ = 0.16 keVnr);
* :class:`LinearQuenching` — QF = a + b T[keVnr], the CENNS-10 argon form
  (COHERENT, PRL 126, 012002 (2021), arXiv:2003.10630; data release
  ``LArParametersAnlA.yaml``: a = 0.246 ± 0.006, b = 0.00078 ± 0.00009 keVnr⁻¹);
* :class:`PolynomialQuenching` — E_ee = Σ_k c_k x^k (k ≥ 0, c_0 = 0) with x = T in a unit, the
  CsI[Na] 2021 form (COHERENT, PRL 129, 081801 (2022), arXiv:2110.07730; data release
  ``scintRespCoefficients.txt``: E_ee[MeVee] = a x + b x² + c x³ + d x⁴, x = T in MeVnr);
* :class:`TabulatedQuenching` — measured QF(T) points, monotone (PCHIP) interpolation.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
from numpy.typing import ArrayLike
from scipy.interpolate import PchipInterpolator

from cevns.errors import CevnsInputError, require_finite, require_non_negative, require_positive
from cevns.units import keV, keVnr


class Quenching(ABC):
    """Maps a nuclear recoil energy T to the electron-equivalent energy E_ee(T)."""

    @property
    def valid_range(self) -> tuple[float, float]:
        """(T_low, T_high): the recoil energies (internal units) where the model is accepted.

        A prediction needs every recoil from 0 to the largest T_max of the source; the
        engine refuses a model whose range does not cover them.
        """
        return (0.0, float("inf"))

    @abstractmethod
    def electron_equivalent(self, recoil_energy: ArrayLike) -> np.ndarray:
        """E_ee for nuclear recoil energies T (internal energy units, any shape)."""

    def quenching_factor(self, recoil_energy: ArrayLike) -> np.ndarray:
        """QF(T) = E_ee(T) / T for T > 0."""
        energies = require_positive("recoil_energy", recoil_energy, "internal energy units")
        return self.electron_equivalent(energies) / energies


def _recoil_energies(value: ArrayLike) -> np.ndarray:
    return require_non_negative("recoil_energy", value, "internal energy units")


class ConstantQuenching(Quenching):
    """E_ee = QF · T with an energy-independent quenching factor 0 < QF ≤ 1."""

    def __init__(self, factor: float):
        value = float(require_positive("factor", factor))
        if value > 1:
            raise CevnsInputError(f"factor must lie in (0, 1]; got {value!r}")
        self.factor = value

    def electron_equivalent(self, recoil_energy: ArrayLike) -> np.ndarray:
        return self.factor * _recoil_energies(recoil_energy)

    def __repr__(self) -> str:
        return f"ConstantQuenching(factor={self.factor!r})"


class LindhardQuenching(Quenching):
    """Lindhard quenching: QF = k g(ε) / (1 + k g(ε)), optionally × (1 − exp(−T/ξ)).

    With ε = 11.5 Z^(−7/3) T[keV] and g(ε) = 3 ε^0.15 + 0.7 ε^0.6 + ε (J. Lindhard et al.,
    Mat. Fys. Medd. Dan. Vid. Selsk. 33, 10 (1963); this fit of g is the one of J. D. Lewin
    and P. F. Smith, Astropart. Phys. 6, 87 (1996), section 6, who also give the Lindhard
    value k = 0.133 Z^(2/3) A^(−1/2), e.g. 0.157 for germanium). ``Z`` is the atomic number
    of the recoiling nucleus, ``k`` the electronic-stopping constant (> 0).

    ``adiabatic_xi`` (a recoil energy ξ > 0, internal units; default None: no correction)
    multiplies QF by the adiabatic factor F_AC = 1 − exp(−T/ξ), which suppresses the
    ionisation of slow sub-keV recoils: B. J. Scholz et al., PRD 94, 122003 (2016),
    arXiv:1608.03588 (Lindhard model "with an adiabatic correction for sub-keVnr nuclear
    recoils"; germanium at 77 K: k = 0.1789 and ξ = 0.16 keVnr, which give 13.78 % at 0.3 keVnr and
    25.26 % at 8.5 keVnr, the abstract's QF = 13.7 % and 25.3 %). For germanium without the
    correction, A. Bonhomme et al. (CONUS), EPJC 82, 815 (2022), arXiv:2202.03754, measured
    QF = 0.16–0.23 between 0.4 and 6.3 keVnr, compatible with k = 0.162 ± 0.004 (abstract).
    Both factors increase with T, so E_ee does.
    """

    def __init__(self, k: float, Z: int, adiabatic_xi: float | None = None):
        self.k = float(require_positive("k", k))
        if isinstance(Z, bool) or not isinstance(Z, int | np.integer) or Z < 1:
            raise CevnsInputError(f"Z must be a positive integer atomic number; got {Z!r}")
        self.Z = int(Z)
        self.adiabatic_xi = (
            None
            if adiabatic_xi is None
            else float(require_positive("adiabatic_xi", adiabatic_xi, "internal energy units"))
        )

    def reduced_energy(self, recoil_energy: ArrayLike) -> np.ndarray:
        """ε = 11.5 Z^(−7/3) T[keV] (Lewin & Smith 1996, section 6)."""
        return 11.5 * self.Z ** (-7.0 / 3.0) * (_recoil_energies(recoil_energy) / keV)

    def adiabatic_factor(self, recoil_energy: ArrayLike) -> np.ndarray:
        """F_AC = 1 − exp(−T/ξ) (Scholz et al. 2016, arXiv:1608.03588); 1 without ξ."""
        energies = _recoil_energies(recoil_energy)
        if self.adiabatic_xi is None:
            return np.ones_like(energies, dtype=float)
        return -np.expm1(-energies / self.adiabatic_xi)

    def electron_equivalent(self, recoil_energy: ArrayLike) -> np.ndarray:
        energies = _recoil_energies(recoil_energy)
        epsilon = self.reduced_energy(energies)
        g = 3.0 * epsilon**0.15 + 0.7 * epsilon**0.6 + epsilon
        return self.k * g / (1.0 + self.k * g) * self.adiabatic_factor(energies) * energies

    def __repr__(self) -> str:
        extra = "" if self.adiabatic_xi is None else f", adiabatic_xi={self.adiabatic_xi!r}"
        return f"LindhardQuenching(k={self.k!r}, Z={self.Z!r}{extra})"


class LinearQuenching(Quenching):
    """QF(T) = a + b · T[keVnr] and E_ee = QF(T) · T.

    The CENNS-10 liquid-argon form (COHERENT, PRL 126, 012002 (2021), arXiv:2003.10630;
    data release ``LArParametersAnlA.yaml``, a linear fit to world data for 0–125 keVnr:
    a = 0.246 ± 0.006, b = 0.00078 ± 0.00009 per keVnr). ``b_per_kevnr`` is b in keVnr⁻¹.
    A negative b is allowed; recoil energies where E_ee would stop increasing
    (a + 2 b T ≤ 0) are then refused.
    """

    def __init__(self, a: float, b_per_kevnr: float):
        self.a = float(require_positive("a", a))
        self.b_per_kevnr = float(require_finite("b_per_kevnr", b_per_kevnr, "1/keVnr"))

    def electron_equivalent(self, recoil_energy: ArrayLike) -> np.ndarray:
        energies = _recoil_energies(recoil_energy)
        x = energies / keVnr
        slope = self.a + 2 * self.b_per_kevnr * x  # dE_ee/dT; E_ee = (a + b x) T
        if np.any(slope <= 0):
            offender = float(x[slope <= 0].ravel()[0])
            raise CevnsInputError(
                f"recoil_energy {offender:g} keVnr is outside the range where E_ee = "
                f"(a + b·T)·T increases (a = {self.a:g}, b = {self.b_per_kevnr:g} /keVnr)"
            )
        return (self.a + self.b_per_kevnr * x) * energies

    @property
    def valid_range(self) -> tuple[float, float]:
        """Up to T = −a/(2b) keVnr for a negative slope, where E_ee stops increasing."""
        if self.b_per_kevnr >= 0:
            return (0.0, float("inf"))
        return (0.0, -self.a / (2.0 * self.b_per_kevnr) * keVnr)

    def __repr__(self) -> str:
        return f"LinearQuenching(a={self.a!r}, b_per_kevnr={self.b_per_kevnr!r})"


class PolynomialQuenching(Quenching):
    """E_ee = Σ_{k=0..n} c_k x^k in ``unit``, with x = T / ``unit``.

    ``coefficients`` are c_0, c_1, …, c_n (numpy's order, lowest power first); the constant
    term c_0 must be 0 so that a recoil of zero energy gives no signal. ``unit`` is the
    energy unit of both x and E_ee, in internal units (e.g. ``MeV``). The CsI[Na] 2021
    response of COHERENT (PRL 129, 081801 (2022), arXiv:2110.07730, data release
    ``scintRespCoefficients.txt``) is E_ee[MeVee] = a x + b x² + c x³ + d x⁴ with x = T in
    MeVnr, i.e. ``PolynomialQuenching([0, a, b, c, d], MeV)``.

    The polynomial must increase from T = 0 (dE_ee/dT > 0 just above 0); it is accepted up
    to the first positive zero of its derivative (:attr:`monotonic_limit`, internal
    units; infinite if there is none), and larger recoil energies are refused.
    """

    def __init__(self, coefficients: ArrayLike, unit: float):
        values = np.asarray(require_finite("coefficients", coefficients), dtype=float).ravel()
        if values.size < 2:
            raise CevnsInputError(
                f"coefficients must list c_0, c_1, … (at least 2 entries); got {values.tolist()!r}"
            )
        if values[0] != 0:
            raise CevnsInputError(
                f"coefficients[0] (the constant term) must be 0 so that E_ee(0) = 0; "
                f"got {values[0]!r}"
            )
        self.coefficients = values
        self.unit = float(require_positive("unit", unit, "internal energy units"))
        self._polynomial = np.polynomial.Polynomial(values)
        derivative = self._polynomial.deriv()
        roots = derivative.roots() if values.size > 2 else np.empty(0)
        real = roots[np.abs(roots.imag) <= 1e-12 * np.maximum(1.0, np.abs(roots))].real
        positive = real[real > 0]
        limit = float(positive.min()) if positive.size else np.inf
        probe = min(limit / 2, 1e-6) if np.isfinite(limit) else 1e-6
        if not derivative(probe) > 0:
            raise CevnsInputError(
                f"coefficients must describe an E_ee that increases from T = 0; got "
                f"{values.tolist()!r}"
            )
        self.monotonic_limit = limit * self.unit

    def electron_equivalent(self, recoil_energy: ArrayLike) -> np.ndarray:
        energies = _recoil_energies(recoil_energy)
        if np.any(energies > self.monotonic_limit):
            offender = float(energies[energies > self.monotonic_limit].ravel()[0])
            raise CevnsInputError(
                f"recoil_energy {offender / self.unit:g} (in the polynomial's unit) exceeds "
                f"{self.monotonic_limit / self.unit:g}, where this polynomial stops increasing"
            )
        return self._polynomial(energies / self.unit) * self.unit

    @property
    def valid_range(self) -> tuple[float, float]:
        """[0, :attr:`monotonic_limit`]."""
        return (0.0, self.monotonic_limit)

    def __repr__(self) -> str:
        return (
            f"PolynomialQuenching(coefficients={self.coefficients.tolist()!r}, unit={self.unit!r})"
        )


class TabulatedQuenching(Quenching):
    """QF tabulated at increasing recoil energies; E_ee = QF · T interpolated monotonically.

    The products E_ee,i = QF_i · T_i must increase strictly with T_i; between nodes E_ee is
    the piecewise-cubic Hermite interpolant (PCHIP, F. N. Fritsch and R. E. Carlson, SIAM
    J. Numer. Anal. 17, 238 (1980)), which keeps it increasing. Recoil energies outside
    [T_first, T_last] are refused: nothing is assumed outside a measurement. A first node
    at T = 0 (where E_ee = 0 whatever QF) extends the table down to zero.
    """

    def __init__(self, recoil_energies: ArrayLike, quenching_factors: ArrayLike):
        energies = np.asarray(
            require_non_negative("recoil_energies", recoil_energies, "internal energy units"),
            dtype=float,
        ).ravel()
        factors = np.asarray(
            require_positive("quenching_factors", quenching_factors), dtype=float
        ).ravel()
        if energies.size < 2:
            raise CevnsInputError(
                f"recoil_energies must have at least 2 entries; got {energies.size}"
            )
        if factors.size != energies.size:
            raise CevnsInputError(
                f"quenching_factors must have one value per recoil energy ({energies.size}); "
                f"got {factors.size}"
            )
        electron_equivalent = factors * energies
        steps = np.diff(electron_equivalent)
        if np.any(np.diff(energies) <= 0) or np.any(steps <= 0):
            bad = int(np.argmax((np.diff(energies) <= 0) | (steps <= 0))) + 1
            raise CevnsInputError(
                f"recoil_energies and QF·T must be strictly increasing; entry {bad} "
                f"(T = {energies[bad] / keVnr:g} keVnr, QF = {factors[bad]:g}) does not exceed "
                f"entry {bad - 1}"
            )
        self.recoil_energies = energies
        self.quenching_factors = factors
        self._interpolant = PchipInterpolator(energies, electron_equivalent, extrapolate=False)

    def electron_equivalent(self, recoil_energy: ArrayLike) -> np.ndarray:
        energies = _recoil_energies(recoil_energy)
        low, high = self.recoil_energies[0], self.recoil_energies[-1]
        outside = (energies < low) | (energies > high)
        if np.any(outside):
            offender = float(energies[outside].ravel()[0])
            raise CevnsInputError(
                f"recoil_energy {offender / keVnr:g} keVnr is outside the quenching table "
                f"[{low / keVnr:g}, {high / keVnr:g}] keVnr"
            )
        return np.asarray(self._interpolant(energies), dtype=float)

    @property
    def valid_range(self) -> tuple[float, float]:
        """[T_first, T_last] of the table: nothing is assumed outside a measurement."""
        return (float(self.recoil_energies[0]), float(self.recoil_energies[-1]))

    def __repr__(self) -> str:
        return (
            f"TabulatedQuenching(<{self.recoil_energies.size} nodes from "
            f"{self.recoil_energies[0] / keVnr:g} to {self.recoil_energies[-1] / keVnr:g} keVnr>)"
        )


__all__ = [
    "ConstantQuenching",
    "LindhardQuenching",
    "LinearQuenching",
    "PolynomialQuenching",
    "Quenching",
    "TabulatedQuenching",
]
