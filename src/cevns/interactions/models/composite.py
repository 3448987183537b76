"""All new-physics models together, as charges for the prediction engine.

:class:`NewPhysicsCharges` holds values for any subset of :data:`PARAMETERS` (the rest
keep their Standard-Model values) and gives, per flavour α and recoil node, the charges of
the basis terms of :mod:`cevns.interactions.basis`:

* vector: s_α [G_V,α² + Σ_{β≠α} (flavour-changing NSI)²], with
  G_V,α = (g_V^p + Δ_NSI + Δ_radius + Δ_Z′(q²)) Z F_p + (g_V^n + Δ_NSI + Δ_Z′(q²)) N F_n,
  g_V from :func:`~cevns.interactions.couplings.standard_model_couplings` at
  ``sin2_theta_w`` and F_n rebuilt for ``neutron_skin``;
* axial: s_α G_A²; interference: s_α 2h G_V,α G_A (h = ±1 for ν, ν̄);
* magnetic: (μ_ν,α/μ_B)² Z² F_p²; scalar: [g²(c_p Z F_p + c_n N F_n)]²/(q² + m_φ²)²,
  with the same F_p and F_n as the vector charge; each is left out of the result when it
  is 0 for every flavour (no magnetic moment, no scalar coupling).

s_α is ``flavor_scale_α``. Each piece is documented, with its source, in its own module.
The sterile-oscillation parameters (:mod:`.sterile`) change the flux, not the charges; the
charges ignore them and the engine applies them (:meth:`oscillated_histogram`).
With every parameter at its default the charges equal
:class:`~cevns.experiments.engine.StandardModelCharges` exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from cevns.errors import CevnsInputError, unknown_name_error
from cevns.interactions.couplings import lepton_flavor_of, standard_model_couplings
from cevns.interactions.models import (
    charge_radius,
    flavored,
    magnetic_moment,
    nsi,
    nuclear_radius,
    scalar_mediator,
    sterile,
    vector_mediator,
    weak_mixing,
)
from cevns.interactions.models.parameters import ModelParameter
from cevns.interactions.standard_model import spin_excesses

#: Every scannable new-physics parameter, by name.
PARAMETERS: dict[str, ModelParameter] = {
    **weak_mixing.PARAMETERS,
    **nsi.PARAMETERS,
    **vector_mediator.PARAMETERS,
    **scalar_mediator.PARAMETERS,
    **magnetic_moment.PARAMETERS,
    **charge_radius.PARAMETERS,
    **nuclear_radius.PARAMETERS,
    **flavored.PARAMETERS,
    **sterile.PARAMETERS,
}


def check_parameters(names) -> None:
    """Raise a one-line error for any name that is not a model parameter."""
    for name in names:
        if name not in PARAMETERS:
            raise unknown_name_error("model parameter", name, PARAMETERS)


def default_values(names) -> dict[str, float]:
    """Standard-Model values of the named parameters."""
    check_parameters(names)
    return {name: PARAMETERS[name].default for name in names}


@lru_cache(maxsize=1024)
def _couplings(flavor: str, scheme: str, sin2: float | None):
    return standard_model_couplings(flavor, scheme, sin2)


@lru_cache(maxsize=64)
def _flavor_facts(flavors: tuple[str, ...]) -> tuple[tuple[str, str, float], ...]:
    """(flavour, lepton flavour, helicity h = −1 for ν̄ and +1 for ν) of each flavour,
    validated once per tuple of flavours rather than at every evaluation."""
    return tuple(
        (flavor, lepton_flavor_of(flavor), -1.0 if flavor.endswith("_bar") else 1.0)
        for flavor in flavors
    )


@dataclass(frozen=True)
class NewPhysicsCharges:
    """Charges at the engine's recoil nodes for the given parameter ``values``."""

    values: Mapping[str, float] = field(default_factory=dict)
    scheme: str = "radiative"

    def __post_init__(self) -> None:
        check_parameters(self.values)
        for name, value in self.values.items():
            if not np.isfinite(value):
                raise CevnsInputError(f"{name} must be finite; got {value!r}")

    def charges(self, kernel, flavors: tuple[str, ...]) -> dict[str, np.ndarray]:
        values = self.values
        iso = kernel.isotope
        q2 = kernel.momentum_transfer**2
        f_p = kernel.form_factor_proton
        f_n = nuclear_radius.neutron_form_factor(kernel, values)
        z_f_p, n_f_n = iso.Z * f_p, iso.N * f_n
        zprime_p, zprime_n = vector_mediator.coupling_shifts(values, q2)
        proton_excess, neutron_excess = spin_excesses(iso)
        scalar = scalar_mediator.scalar_charge(values, z_f_p, n_f_n, q2)
        sin2 = values.get("sin2_theta_w")
        rows: dict[str, list[np.ndarray]] = {k: [] for k in ("vector", "axial", "interference")}
        moments = []
        for flavor, lepton, helicity in _flavor_facts(flavors):
            c = _couplings(flavor, self.scheme, sin2)
            nsi_p, nsi_n = nsi.diagonal_shifts(values, lepton)
            g_p = (
                c.g_v_proton
                + nsi_p
                + charge_radius.proton_coupling_shift(values, lepton)
                + zprime_p
            )
            g_n = c.g_v_neutron + nsi_n + zprime_n
            g_v = g_p * z_f_p + g_n * n_f_n
            changing = sum((a * z_f_p + b * n_f_n) ** 2
                           for a, b in nsi.off_diagonal_couplings(values, lepton))  # fmt: skip
            g_a = (
                c.g_a_proton * proton_excess + c.g_a_neutron * neutron_excess
            ) * kernel.form_factor_axial
            scale = flavored.flavor_scale(values, lepton)
            moment = magnetic_moment.moment_in_bohr_magnetons(values, lepton)
            rows["vector"].append(scale * (g_v * g_v + changing))
            rows["axial"].append(scale * g_a * g_a)
            rows["interference"].append(scale * 2.0 * helicity * g_v * g_a)
            moments.append(moment)
        # The magnetic and scalar terms are given only where they are not 0 for every
        # flavour (the engine sums the terms it is given).
        if any(moments):
            rows["magnetic"] = [np.broadcast_to(m**2 * z_f_p**2, q2.shape) for m in moments]
        if np.ndim(scalar) > 0 or scalar != 0.0:
            rows["scalar"] = [np.broadcast_to(scalar, q2.shape)] * len(moments)
        return {name: np.stack(arrays) for name, arrays in rows.items()}
