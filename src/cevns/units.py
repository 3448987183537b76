"""The one internal unit system of cevns.

Every dimensional quantity inside cevns is a plain float (or numpy array) expressed in
the internal units defined here. Multiply by a unit to bring a number in, divide by it to
take a number out::

    from cevns.units import MeV, cm2
    energy = 30 * MeV
    sigma_in_cm2 = sigma / cm2

Base units are the MeV (energy, and mass and momentum with c = 1), the centimetre
(length) and the second (time). The numerical value of each base unit is 1 by default,
but it can be changed through the environment variable ``CEVNS_UNIT_SCALE``
(for example ``CEVNS_UNIT_SCALE="MeV=3.7,cm=0.02,s=1e4"``), read once at import.
A result that moves when the scale changes exposes a unit slip; the test suite runs the
package under a different scale to check that none exists (the habit of ``wimprates``
and ``numericalunits``).
"""

from __future__ import annotations

import os

from cevns.unit_scale import read_scale

_SCALE = read_scale(os.environ.get("CEVNS_UNIT_SCALE"))

# --- base units -----------------------------------------------------------------------
MeV: float = _SCALE["MeV"]
cm: float = _SCALE["cm"]
s: float = _SCALE["s"]

# --- energy ---------------------------------------------------------------------------
eV: float = 1e-6 * MeV
keV: float = 1e-3 * MeV
GeV: float = 1e3 * MeV
TeV: float = 1e6 * MeV
# Electron-equivalent and nuclear-recoil energies are energies; the suffixes only label
# which scale a number refers to.
keVee: float = keV
keVnr: float = keV
MeVee: float = MeV
MeVnr: float = MeV

# --- length and area ------------------------------------------------------------------
m: float = 100 * cm
km: float = 1e3 * m
mm: float = 1e-3 * m
fm: float = 1e-15 * m
cm2: float = cm * cm
m2: float = m * m
fm2: float = fm * fm
#: The astronomical unit, 149597870700 m exactly (IAU 2012 Resolution B2).
au: float = 149597870700.0 * m
#: The parsec, 648000/π au (IAU 2015 Resolution B2).
parsec: float = 648000.0 / 3.141592653589793 * au
kpc: float = 1e3 * parsec

# --- time and rate --------------------------------------------------------------------
ms: float = 1e-3 * s
us: float = 1e-6 * s
ns: float = 1e-9 * s
hour: float = 3600 * s
day: float = 86400 * s
year: float = 365.25 * day
Hz: float = 1 / s

# --- power and energy -----------------------------------------------------------------
# 1 J = 1 / (1.602176634e-19) eV exactly (SI 2019 definition of the elementary charge).
joule: float = eV / 1.602176634e-19
W: float = joule / s
kW: float = 1e3 * W
MW: float = 1e6 * W
GW: float = 1e9 * W
GWh: float = GW * hour
MWh: float = MW * hour

# --- mass (as energy, c = 1) ------------------------------------------------------------
# 1 kg = c^2 / (1 J) in energy units: c = 299792458 m/s exactly (SI).
kg: float = joule * 299792458.0**2
gram: float = 1e-3 * kg
tonne: float = 1e3 * kg

__all__ = [
    "GW",
    "MW",
    "GWh",
    "GeV",
    "Hz",
    "MWh",
    "MeV",
    "MeVee",
    "MeVnr",
    "TeV",
    "W",
    "au",
    "cm",
    "cm2",
    "day",
    "eV",
    "fm",
    "fm2",
    "gram",
    "hour",
    "joule",
    "kW",
    "keV",
    "keVee",
    "keVnr",
    "kg",
    "km",
    "kpc",
    "m",
    "m2",
    "mm",
    "ms",
    "ns",
    "parsec",
    "s",
    "tonne",
    "us",
    "year",
]
