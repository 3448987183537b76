"""Vector non-standard neutrino-quark interactions (NSI).

With the effective Lagrangian −2√2 G_F Σ ε^{qV}_{αβ} (ν̄_α γ^μ P_L ν_β)(q̄ γ_μ q) (seeds/002),
a neutrino of flavour α scattering coherently sees the weak charge (J. Barranco, O. G.
Miranda and T. I. Rashba, JHEP 12 (2005) 021; C. Giunti, Phys. Rev. D 101, 035039 (2020);
the formula of seeds/002):

    G_V,α² = [(g_V^p + 2ε^u_αα + ε^d_αα) Z F_p + (g_V^n + ε^u_αα + 2ε^d_αα) N F_n]²
             + Σ_{β≠α} [(2ε^u_αβ + ε^d_αβ) Z F_p + (ε^u_αβ + 2ε^d_αβ) N F_n]²

The flavour-changing terms add incoherently (the outgoing neutrino has another flavour).
The couplings are real and symmetric, ε_αβ = ε_βα; antineutrinos see the same vector
couplings. Parameter names: ``eps_<αβ>_<q>`` with αβ in ee, mumu, tautau, emu, etau,
mutau and q in u, d.
"""

from __future__ import annotations

from collections.abc import Mapping

from cevns.interactions.models.parameters import ModelParameter

LEPTONS = ("e", "mu", "tau")
PAIRS = ("ee", "mumu", "tautau", "emu", "etau", "mutau")

#: Flavour labels of the pairs in figure text (mathtext).
_PAIR_SYMBOLS = {"e": "e", "mu": r"\mu", "tau": r"\tau"}


def _pair_symbol(pair: str) -> str:
    """``"emu"`` → ``e\\mu`` (the two flavours of a pair name, as mathtext)."""
    for first in LEPTONS:
        if pair.startswith(first) and pair[len(first) :] in LEPTONS:
            return _PAIR_SYMBOLS[first] + _PAIR_SYMBOLS[pair[len(first) :]]
    raise ValueError(f"not a flavour pair: {pair!r}")


PARAMETERS = {
    f"eps_{pair}_{quark}": ModelParameter(
        f"eps_{pair}_{quark}",
        0.0,
        "",
        f"vector NSI coupling ε^{{{quark}V}}_{{{pair}}}",
        symbol=rf"$\varepsilon_{{{_pair_symbol(pair)}}}^{{{quark}V}}$",
    )
    for pair in PAIRS
    for quark in ("u", "d")
}


def pair_name(first: str, second: str) -> str:
    """The parameter-name label of the flavour pair (order-independent)."""
    if first == second:
        return first + first
    ordered = sorted((first, second), key=LEPTONS.index)
    return ordered[0] + ordered[1]


#: Parameter name of ε^q_αβ by (α, β, q), both orders: read at every evaluation of the
#: charges, so built once.
_NAMES = {
    (first, second, quark): f"eps_{pair_name(first, second)}_{quark}"
    for first in LEPTONS
    for second in LEPTONS
    for quark in ("u", "d")
}


def _eps(values: Mapping[str, float], first: str, second: str, quark: str) -> float:
    return values.get(_NAMES[first, second, quark], 0.0)


def diagonal_shifts(values: Mapping[str, float], lepton: str) -> tuple[float, float]:
    """(Δg_V^p, Δg_V^n) = (2ε^u_αα + ε^d_αα, ε^u_αα + 2ε^d_αα) for flavour α."""
    up, down = _eps(values, lepton, lepton, "u"), _eps(values, lepton, lepton, "d")
    return 2.0 * up + down, up + 2.0 * down


def off_diagonal_couplings(values: Mapping[str, float], lepton: str) -> list[tuple[float, float]]:
    """[(2ε^u_αβ + ε^d_αβ, ε^u_αβ + 2ε^d_αβ) for β ≠ α]: the incoherent flavour-changing terms."""
    pairs = []
    for other in LEPTONS:
        if other == lepton:
            continue
        up, down = _eps(values, lepton, other, "u"), _eps(values, lepton, other, "d")
        if up or down:
            pairs.append((2.0 * up + down, up + 2.0 * down))
    return pairs
