"""Neutrino flavour names shared by every source, flux and cross-section module.

A flavour is one of six strings: ``nu_e``, ``nu_mu``, ``nu_tau`` and their antiparticles
``nu_e_bar``, ``nu_mu_bar``, ``nu_tau_bar``.
"""

from __future__ import annotations

from cevns.errors import require_choice

#: The six neutrino flavours, neutrinos first.
FLAVORS: tuple[str, ...] = ("nu_e", "nu_mu", "nu_tau", "nu_e_bar", "nu_mu_bar", "nu_tau_bar")

#: Human-readable labels (for tables and plots).
FLAVOR_LABELS: dict[str, str] = {
    "nu_e": "ν_e",
    "nu_mu": "ν_μ",
    "nu_tau": "ν_τ",
    "nu_e_bar": "ν̄_e",
    "nu_mu_bar": "ν̄_μ",
    "nu_tau_bar": "ν̄_τ",
}

#: LaTeX labels for matplotlib.
FLAVOR_LATEX: dict[str, str] = {
    "nu_e": r"$\nu_e$",
    "nu_mu": r"$\nu_\mu$",
    "nu_tau": r"$\nu_\tau$",
    "nu_e_bar": r"$\bar\nu_e$",
    "nu_mu_bar": r"$\bar\nu_\mu$",
    "nu_tau_bar": r"$\bar\nu_\tau$",
}


def check_flavor(flavor: object, name: str = "flavor") -> str:
    """Return ``flavor`` if it is one of :data:`FLAVORS`, else raise a one-line error."""
    return require_choice(name, flavor, FLAVORS)


def is_antineutrino(flavor: str) -> bool:
    """True for ``nu_e_bar``, ``nu_mu_bar`` and ``nu_tau_bar``."""
    return check_flavor(flavor).endswith("_bar")


def lepton_flavor(flavor: str) -> str:
    """The charged-lepton flavour of a neutrino flavour: ``"e"``, ``"mu"`` or ``"tau"``."""
    return check_flavor(flavor).removeprefix("nu_").removesuffix("_bar")


__all__ = [
    "FLAVORS",
    "FLAVOR_LABELS",
    "FLAVOR_LATEX",
    "check_flavor",
    "is_antineutrino",
    "lepton_flavor",
]
