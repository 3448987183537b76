"""The Standard Halo Model and its mean inverse speed η(v_min).

The local dark-matter velocity distribution of the Standard Halo Model (SHM) is, in the
Galactic rest frame, an isotropic Maxwellian truncated at the escape speed,

    f(u) = exp(−u²/v₀²) Θ(v_esc − |u|) / (N_esc π^{3/2} v₀³),
    N_esc = erf(z) − 2 z exp(−z²)/√π,  z = v_esc/v₀

(J. D. Lewin and P. F. Smith, Astropart. Phys. 6, 87 (1996), section 3 and appendix A).
A detector moving with velocity v_E through the halo sees v = u − v_E. The rate needs the
mean inverse speed above v_min,

    η(v_min) = ∫_{|v| > v_min} f(v + v_E) / |v| d³v,

which has a closed form (C. Savage, K. Freese and P. Gondolo, Phys. Rev. D 74, 043531
(2006), arXiv:astro-ph/0607121, appendix; the same expressions are in C. McCabe,
Phys. Rev. D 82, 023530 (2010), arXiv:1005.0579, appendix B). With x = v_min/v₀,
y = v_E/v₀ and z = v_esc/v₀, for z > y:

    x < z − y:          η = [erf(x + y) − erf(x − y) − 4y e^{−z²}/√π] / (2 N_esc v₀ y)
    z − y ≤ x < z + y:  η = [erf(z) − erf(x − y) − 2(z + y − x) e^{−z²}/√π] / (2 N_esc v₀ y)
    x ≥ z + y:          η = 0.

(For z < y, which no halo of interest reaches, η = 1/(v₀ y) for x < y − z and the second
line holds for y − z ≤ x < y + z.) ``tests/test_darkmatter_halo.py`` checks the closed form
against a direct numerical integration of the truncated Maxwellian over velocity space.

Parameters (:data:`BAXTER_2021`): ρ₀ = 0.3 GeV cm⁻³, v₀ = 238 km/s, v_esc = 544 km/s and
v_E = 250.5 km/s, the values recommended by D. Baxter et al., "Recommended conventions for
reporting results from direct dark matter searches", Eur. Phys. J. C 81, 907 (2021),
arXiv:2105.00599, section 2. v_E is close to the Sun's speed in the Galactic frame,
|v₀ ŷ + v_pec| ≈ 250.6 km/s with the solar peculiar velocity v_pec ≈ (11.1, 12.2, 7.3) km/s
(R. Schönrich, J. Binney and W. Dehnen, MNRAS 403, 1829 (2010)); the Earth's orbital
motion (±15 km/s over the year, the annual modulation) is not modelled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import erf

from cevns.errors import CevnsInputError, require_non_negative
from cevns.units import GeV, cm, km, s

#: Kilometres per second, the unit in which halo speeds are quoted.
km_per_s: float = km / s


@dataclass(frozen=True)
class StandardHaloModel:
    """The SHM: local density ρ₀, circular speed v₀, escape speed v_esc and the Earth's
    speed v_E (internal units: energy per volume, with mass as energy; speeds)."""

    local_density: float = 0.3 * GeV / cm**3
    circular_speed: float = 238.0 * km_per_s
    escape_speed: float = 544.0 * km_per_s
    earth_speed: float = 250.5 * km_per_s
    reference: str = (
        "Baxter et al., EPJC 81, 907 (2021), arXiv:2105.00599, section 2: "
        "rho0 = 0.3 GeV/cm3, v0 = 238 km/s, vesc = 544 km/s, vE = 250.5 km/s"
    )

    def __post_init__(self) -> None:
        for name, unit, label in (
            ("local_density", GeV / cm**3, "GeV/cm3"),
            ("circular_speed", km_per_s, "km/s"),
            ("escape_speed", km_per_s, "km/s"),
        ):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                shown = value / unit if isinstance(value, int | float) else value
                raise CevnsInputError(
                    f"{name} must be a positive finite number (in {label}); got {shown!r}"
                )
        speed = self.earth_speed
        if not (isinstance(speed, int | float) and math.isfinite(speed) and speed >= 0):
            shown = speed / km_per_s if isinstance(speed, int | float) else speed
            raise CevnsInputError(
                f"earth_speed must be a non-negative finite number (in km/s); got {shown!r}"
            )

    @property
    def normalisation(self) -> float:
        """N_esc = erf(z) − 2z e^{−z²}/√π with z = v_esc/v₀ (Lewin & Smith 1996, appendix A)."""
        z = self.escape_speed / self.circular_speed
        return math.erf(z) - 2.0 * z * math.exp(-z * z) / math.sqrt(math.pi)

    @property
    def maximum_speed(self) -> float:
        """The fastest WIMP in the detector frame, v_esc + v_E."""
        return self.escape_speed + self.earth_speed

    def mean_inverse_speed(self, minimum_speed: ArrayLike) -> np.ndarray:
        """η(v_min) (inverse speed), closed form of the module docstring; 0 above v_esc + v_E."""
        v_min = require_non_negative("minimum_speed", minimum_speed, "internal speed units")
        v0 = self.circular_speed
        x = v_min / v0
        z = self.escape_speed / v0
        y = self.earth_speed / v0
        tail = math.exp(-z * z) / math.sqrt(math.pi)
        if y == 0.0:
            # The limit v_E → 0: η = 2[e^{−x²} − e^{−z²}]/(√π N_esc v₀) for x < z.
            inside = 2.0 * (np.exp(-x * x) / math.sqrt(math.pi) - tail) / (self.normalisation * v0)
            return np.where(x < z, inside, 0.0)
        scale = 1.0 / (2.0 * self.normalisation * v0 * y)
        low = scale * (erf(x + y) - erf(x - y) - 4.0 * y * tail)
        high = scale * (math.erf(z) - erf(x - y) - 2.0 * (z + y - x) * tail)
        if z > y:
            return np.where(x < z - y, low, np.where(x < z + y, high, 0.0))
        return np.where(x < y - z, 1.0 / (v0 * y), np.where(x < z + y, high, 0.0))


#: The SHM with the parameters recommended by Baxter et al. (2021).
BAXTER_2021 = StandardHaloModel()

__all__ = ["BAXTER_2021", "StandardHaloModel", "km_per_s"]
