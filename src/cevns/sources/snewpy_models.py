"""Supernova models of snewpy (the SNEWS 2.0 supernova-neutrino package) as cevns bursts.

snewpy (A. L. Baxter et al., ApJ 925, 107 (2022), arXiv:2109.08188) reads the published
simulation outputs (Garching, Nakazato, Fornax, Bollig, …) and returns, for any model,
the emitted spectra d²N/dE dt per flavour at given times (``get_initial_spectra``). cevns
turns a loaded model into the same per-flavour history it uses for its own tables
(:class:`~cevns.sources.supernova.FlavorHistory`): at each of the model's times,

    Ṅ(t) = ∫ (d²N/dE dt) dE,   ⟨E⟩ = ∫ E (d²N/dE dt) dE / Ṅ,   ⟨E²⟩ likewise,
    α = (2⟨E⟩² − ⟨E²⟩) / (⟨E²⟩ − ⟨E⟩²)

(the pinching of the "alpha fit", Keil, Raffelt & Janka, ApJ 590, 971 (2003), eq. 3 ff.),
by Gauss–Legendre quadrature on [0, 100 MeV] in pieces. snewpy's ν_x and ν̄_x stand for
each of ν_μ, ν_τ and ν̄_μ, ν̄_τ. The burst is then a
:class:`~cevns.sources.supernova.SupernovaModel`: the time-integrated spectrum and the
emission times of every flavour, for ``cevns predict`` and the documents
(``[source] kind = "supernova"``, ``snewpy = { loader = "Nakazato_2013", file = ... }``).

snewpy is optional (``pip install cevns[supernova]``); the model files are the user's
(snewpy downloads them on request, which needs the internet).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from cevns.errors import CevnsInputError
from cevns.sources.base import composite_gauss_legendre
from cevns.sources.supernova import FlavorHistory
from cevns.units import MeV, s

#: Breakpoints of the energy quadrature (MeV): supernova spectra peak at 5–20 MeV and
#: carry < 1e-6 of their neutrinos above 100 MeV.
_ENERGY_BREAKS = np.array([0.0, 2.0, 5.0, 10.0, 20.0, 30.0, 45.0, 65.0, 100.0])
#: cevns flavours of each snewpy flavour name.
_FLAVOURS = {
    "NU_E": ("nu_e",),
    "NU_E_BAR": ("nu_e_bar",),
    "NU_X": ("nu_mu", "nu_tau"),
    "NU_X_BAR": ("nu_mu_bar", "nu_tau_bar"),
}


def _require_snewpy():
    try:
        import snewpy  # noqa: F401
        import snewpy.models.ccsn_loaders as loaders
    except ImportError:
        raise CevnsInputError(
            "snewpy models need the snewpy package: pip install 'cevns[supernova]' "
            "(or pip install snewpy)"
        ) from None
    return loaders


def snewpy_histories(model: Any, energy_points: int = 160) -> dict[str, FlavorHistory]:
    """Per-flavour histories (times, Ṅ, ⟨E⟩, α) of a loaded snewpy model (module
    docstring); ``energy_points`` Gauss–Legendre nodes on [0, 100] MeV."""
    import astropy.units as u
    from snewpy.neutrino import Flavor

    times = np.asarray(model.time.to_value("s"), dtype=float)
    if times.size < 2:
        raise CevnsInputError(f"the snewpy model has {times.size} time steps; need at least 2")
    nodes, weights = composite_gauss_legendre(_ENERGY_BREAKS, energy_points)
    spectra = model.get_initial_spectra(times * u.s, nodes * u.MeV)
    histories: dict[str, FlavorHistory] = {}
    for flavor in Flavor:
        if flavor.name not in _FLAVOURS:
            continue
        # snewpy gives dN/dE dt in 1/(erg s): per MeV it is × (MeV in erg).
        rate = np.asarray(spectra[flavor].to_value("1/(erg s)"), dtype=float)
        rate = rate * (1.0 * u.MeV).to_value("erg")
        if rate.shape != (times.size, nodes.size) or not np.all(np.isfinite(rate)):
            raise CevnsInputError(f"the snewpy model's {flavor.name} spectra are not finite")
        number = rate @ weights  # per second
        moment1 = rate @ (weights * nodes)
        moment2 = rate @ (weights * nodes**2)
        positive = number > 0
        mean = np.where(positive, moment1 / np.where(positive, number, 1.0), 1.0)
        mean2 = np.where(positive, moment2 / np.where(positive, number, 1.0), 2.0)
        spread = np.maximum(mean2 - mean**2, 1e-12)
        alpha = np.clip((2.0 * mean**2 - mean2) / spread, -0.9, None)
        history = FlavorHistory(times * s, number / s, mean * MeV, alpha)
        for name in _FLAVOURS[flavor.name]:
            histories[name] = history
    missing = sorted({n for names in _FLAVOURS.values() for n in names} - set(histories))
    if missing:
        raise CevnsInputError(f"the snewpy model has no spectra for {', '.join(missing)}")
    return histories


def load_snewpy_model(
    loader: str, file: str | os.PathLike[str], options: Mapping[str, Any] | None = None
) -> Any:
    """A snewpy model from its file: ``loader`` names a class of
    ``snewpy.models.ccsn_loaders`` (``Nakazato_2013``, ``Bollig_2016``, …), ``file`` the
    model file (or, for the Garching loaders, the file stem), ``options`` further keyword
    arguments of the loader (e.g. ``eos``)."""
    loaders = _require_snewpy()
    names = sorted(n for n in dir(loaders) if n[0].isupper() and n not in ("Flavor", "Table"))
    if loader not in names:
        raise CevnsInputError(
            f"snewpy.loader {loader!r} is not a snewpy model loader; allowed: {', '.join(names)}"
        )
    path = Path(file)
    try:
        return getattr(loaders, loader)(str(path), **dict(options or {}))
    except (OSError, ValueError, KeyError, TypeError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CevnsInputError(
            f"snewpy.file {str(path)!r}: snewpy's {loader} could not read it: {reason}"
        ) from None


__all__ = ["load_snewpy_model", "snewpy_histories"]
