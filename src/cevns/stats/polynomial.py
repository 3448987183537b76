"""Signals that are polynomials in their parameters, precomputed per monomial.

The expected histogram is linear in the charges C_b(T; θ) (design guide, "Speed by
construction"), and for most models the charges are polynomials in θ: G_V² is quadratic in
sin²θ_W, in the NSI couplings and in a charge-radius shift; the magnetic term is quadratic
in μ_ν; a flavoured scale multiplies a quadratic. The histogram is then

    H(θ) = Σ_m c_m u^m,        u_i = (θ_i − a_i) / s_i,

a sum over monomials u^m = Π_i u_i^{m_i} with m_i ≤ d_i, whose coefficient histograms c_m are
computed once. A new point costs the monomial vector and one (M × bins) product; P points
at once one (P × M) · (M × bins) product.

Set-up, for parameters with centres a_i and spreads s_i:

1. the degree d_i of each parameter is the smallest d ≤ :data:`MAX_DEGREE` for which the
   interpolating polynomial through d + 1 Chebyshev points along that parameter reproduces
   the direct evaluation at two other points to :data:`TOLERANCE` (relative to the largest
   bin);
2. the coefficients come from interpolation on the tensor grid of those Chebyshev points
   (Π_i (d_i + 1) direct evaluations), solved dimension by dimension with the Vandermonde
   matrices (exact for a polynomial of these degrees; W. H. Press et al., *Numerical
   Recipes*, 3rd ed., Sec. 3.5 and 3.6);
3. the result is checked against the direct evaluation at random points of the parameter
   box; a model that is not a polynomial of these degrees (a mediator mass, a neutron
   radius, an oscillation) fails this check and keeps the direct path.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from cevns.errors import CevnsInputError

#: The largest degree tried per parameter.
MAX_DEGREE = 4
#: Largest |polynomial − direct| allowed, relative to the largest bin of the direct value.
TOLERANCE = 1e-10
#: Random points at which the finished polynomial is checked.
CHECK_POINTS = 4


def _powers_0(u: float) -> tuple[float, ...]:
    return (1.0,)


def _powers_1(u: float) -> tuple[float, ...]:
    return (1.0, u)


def _powers_2(u: float) -> tuple[float, ...]:
    return (1.0, u, u * u)


def _powers_3(u: float) -> tuple[float, ...]:
    square = u * u
    return (1.0, u, square, square * u)


def _powers_4(u: float) -> tuple[float, ...]:
    square = u * u
    return (1.0, u, square, square * u, square * square)


#: (1, u, …, u^d) for each degree d ≤ :data:`MAX_DEGREE`.
_POWERS = (_powers_0, _powers_1, _powers_2, _powers_3, _powers_4)


def _plane_2_2(u: float, w: float) -> list[float]:
    """The monomials u^i w^j, i, j ≤ 2, in C order: a plane of two couplings that enter
    the charges linearly (NSI, sin²θ_W with a radius shift), written out because the
    generic outer product of power tuples costs twice as much here."""
    uu, ww = u * u, w * w
    return [1.0, w, ww, u, u * w, u * ww, uu, uu * w, uu * ww]


#: Written-out monomial vectors of two parameters, by their degrees.
_PLANE_MONOMIALS: dict[tuple[int, ...], Callable[[float, float], list[float]]] = {
    (2, 2): _plane_2_2
}


def chebyshev_points(count: int) -> np.ndarray:
    """Chebyshev points of the second kind on [−1, 1] (well-conditioned interpolation)."""
    if count == 1:
        return np.zeros(1)
    return np.cos(np.pi * np.arange(count)[::-1] / (count - 1))


@dataclass(frozen=True)
class PolynomialSignal:
    """H(θ) = Σ_m c_m u^m for ``names`` with centres, spreads and per-parameter degrees;
    ``coefficients`` has shape (M, *histogram shape), monomials in C order of the powers."""

    names: tuple[str, ...]
    centres: np.ndarray
    spreads: np.ndarray
    degrees: tuple[int, ...]
    coefficients: np.ndarray
    _flat: np.ndarray = field(init=False, repr=False, compare=False)
    #: The transpose of ``_flat``, contiguous: (bins × M) times the monomial list.
    _flat_t: np.ndarray = field(init=False, repr=False, compare=False)
    _plane: Callable[[float, float], list[float]] | None = field(
        init=False, repr=False, compare=False
    )
    _terms: tuple[tuple[str, float, float, Callable[[float], tuple[float, ...]]], ...] = field(
        init=False, repr=False, compare=False
    )
    _shape: tuple[int, ...] = field(init=False, repr=False, compare=False)

    @property
    def histogram_shape(self) -> tuple[int, ...]:
        return self.coefficients.shape[1:]

    def monomials(self, points: np.ndarray) -> np.ndarray:
        """u^m for each row of ``points`` (P × parameters): shape (P, M)."""
        u = (np.atleast_2d(points) - self.centres) / self.spreads
        result = np.ones((u.shape[0], 1))
        for i, degree in enumerate(self.degrees):
            powers = u[:, i : i + 1] ** np.arange(degree + 1)
            result = (result[:, :, None] * powers[:, None, :]).reshape(u.shape[0], -1)
        return result

    def __post_init__(self) -> None:
        flat = self.coefficients.reshape(self.coefficients.shape[0], -1)
        object.__setattr__(self, "_flat", flat)
        object.__setattr__(self, "_flat_t", np.ascontiguousarray(flat.T))
        object.__setattr__(self, "_plane", _PLANE_MONOMIALS.get(tuple(self.degrees)))
        terms = tuple(
            zip(self.names, self.centres.tolist(), self.spreads.tolist(),
                [_POWERS[d] for d in self.degrees], strict=True)
        )  # fmt: skip
        object.__setattr__(self, "_terms", terms)
        object.__setattr__(self, "_shape", self.coefficients.shape[1:])

    def __call__(self, values: Mapping[str, float]) -> np.ndarray:
        """The histogram at one point (parameters by name): the monomial vector, built in
        Python floats by outer products of each parameter's powers (first parameter
        slowest; a handful of numbers, where numpy's per-call cost would dominate), times
        the coefficient matrix. Two parameters (a plane of a scan) take an unrolled path,
        written out for degrees (2, 2)."""
        terms = self._terms
        if len(terms) == 2:
            (first, c0, s0, p0), (second, c1, s1, p1) = terms
            u, w = (values[first] - c0) / s0, (values[second] - c1) / s1
            if self._plane is not None:
                vector = self._plane(u, w)
            else:
                inner = p1(w)
                vector = [a * b for a in p0(u) for b in inner]
        else:
            vector = [1.0]
            for name, centre, spread, powers in terms:
                vector = [a * b for a in vector for b in powers((values[name] - centre) / spread)]
        return self._flat_t.dot(vector).reshape(self._shape)

    def many(self, points: np.ndarray) -> np.ndarray:
        """Histograms at many points (P × parameters, columns in ``names`` order):
        shape (P, *histogram shape)."""
        flat = self.coefficients.reshape(self.coefficients.shape[0], -1)
        return (self.monomials(np.asarray(points, dtype=float)) @ flat).reshape(
            (-1, *self.histogram_shape)
        )

    def gradient(self, values: Mapping[str, float]) -> dict[str, np.ndarray]:
        """∂H/∂θ_i at one point, by parameter name."""
        point = np.array([values[n] for n in self.names], dtype=float)
        u = (point - self.centres) / self.spreads
        flat = self.coefficients.reshape(self.coefficients.shape[0], -1)
        rows = []
        for i in range(len(self.names)):
            factors = []
            for k, degree in enumerate(self.degrees):
                powers = np.arange(degree + 1)
                if k == i:
                    safe = np.where(powers > 0, powers - 1, 0)
                    factors.append(
                        np.where(powers > 0, powers * u[k] ** safe, 0.0) / self.spreads[k]
                    )
                else:
                    factors.append(u[k] ** powers)
            vector = factors[0]
            for factor in factors[1:]:
                vector = np.outer(vector, factor).ravel()
            rows.append((vector @ flat).reshape(self.histogram_shape))
        return dict(zip(self.names, rows, strict=True))


def _scale(values: np.ndarray) -> float:
    return float(np.max(np.abs(values))) or 1.0


def _degree_along(
    function: Callable[[np.ndarray], np.ndarray],
    index: int,
    dimension: int,
) -> int | None:
    """The polynomial degree of ``function`` (of u, the scaled parameters) along axis
    ``index`` with the others at 0, or None above :data:`MAX_DEGREE`."""
    probes = np.array([-0.71, 0.37])
    for degree in range(MAX_DEGREE + 1):
        nodes = chebyshev_points(degree + 1)
        rows = []
        for t in np.concatenate((nodes, probes)):
            u = np.zeros(dimension)
            u[index] = t
            rows.append(np.ravel(function(u)))
        samples = np.array(rows)
        vandermonde = np.vander(nodes, degree + 1, increasing=True)
        coefficients = np.linalg.solve(vandermonde, samples[: degree + 1])
        predicted = np.vander(probes, degree + 1, increasing=True) @ coefficients
        if np.max(np.abs(predicted - samples[degree + 1 :])) <= TOLERANCE * _scale(samples):
            return degree
    return None


def parameter_box(
    function: Callable[[Mapping[str, float]], np.ndarray],
    start: Mapping[str, float],
    name: str,
    limits: tuple[float | None, float | None],
) -> tuple[float, float] | None:
    """A centre and spread for ``name`` inside ``limits``: the spread is a power of 10
    over which the total of ``function`` changes by 10 % to 10× (so that the polynomial's
    coefficients are all of use at the scale where the parameter matters), the centre the
    start value moved inward when the box would cross a limit. None if the parameter moves
    nothing measurable within the limits or cannot be evaluated."""
    low, high = (
        (-math.inf if limits[0] is None else limits[0]),
        (math.inf if limits[1] is None else limits[1]),
    )
    base = float(np.sum(function(start)))
    spread = 1.0
    for _ in range(40):
        width = min(spread, (high - low) / 2)
        centre = min(max(start[name], low + width), high - width)
        moved = float(np.sum(function({**start, name: centre + width})))
        change = abs(moved - base) / (abs(base) or 1.0)
        if change > 10.0 and width > 1e-30:
            spread = width / 10.0
        elif change < 0.1 and width == spread and spread < 1e30:
            spread = spread * 10.0
        else:
            return centre, width
    return None


def parameter_boxes(
    function: Callable[[Mapping[str, float]], np.ndarray],
    start: Mapping[str, float],
    names: Sequence[str],
    limits: Mapping[str, tuple[float | None, float | None]],
) -> tuple[dict[str, float], dict[str, float]]:
    """Centres (``start`` where a parameter has no box) and spreads (only for parameters
    that have one) from :func:`parameter_box` for each of ``names``."""
    centres, spreads = dict(start), {}
    for name in names:
        box = parameter_box(function, start, name, limits[name])
        if box is not None:
            centres[name], spreads[name] = box
    return centres, spreads


def build_polynomial(
    function: Callable[[Mapping[str, float]], np.ndarray],
    names: Sequence[str],
    centres: Mapping[str, float],
    spreads: Mapping[str, float],
    seed: int = 20261129,
) -> PolynomialSignal | None:
    """The polynomial form of ``function`` in ``names`` (module docstring), or None when
    ``function`` is not a polynomial of degree ≤ :data:`MAX_DEGREE` in each parameter
    around ``centres`` (spreads ``spreads``), or the product form does not reproduce it, or
    ``function`` refuses a point of the box (a :class:`~cevns.errors.CevnsInputError`)."""
    try:
        return _build(function, tuple(names), centres, spreads, seed)
    except CevnsInputError:
        return None


def _build(function, names, centres, spreads, seed) -> PolynomialSignal | None:
    centre = np.array([centres[n] for n in names], dtype=float)
    spread = np.array([spreads[n] for n in names], dtype=float)
    if not np.all(np.isfinite(spread)) or np.any(spread <= 0):
        return None
    fixed = {k: v for k, v in centres.items() if k not in names}

    def at(u: np.ndarray) -> np.ndarray:
        theta = centre + spread * u
        return np.asarray(function({**fixed, **dict(zip(names, theta, strict=True))}), float)

    dimension = len(names)
    degrees = []
    for index in range(dimension):
        degree = _degree_along(at, index, dimension)
        if degree is None:
            return None
        degrees.append(degree)
    grids = [chebyshev_points(d + 1) for d in degrees]
    samples = np.array([at(np.array(point)) for point in itertools.product(*grids)])
    shape = samples.shape[1:]
    tensor = samples.reshape([d + 1 for d in degrees] + [-1])
    for axis, grid in enumerate(grids):
        inverse = np.linalg.inv(np.vander(grid, grid.size, increasing=True))
        tensor = np.moveaxis(np.tensordot(inverse, tensor, axes=([1], [axis])), 0, axis)
    coefficients = tensor.reshape((math.prod(d + 1 for d in degrees), *shape))
    polynomial = PolynomialSignal(names, centre, spread, tuple(degrees), coefficients)
    random = np.random.default_rng(seed)
    for _ in range(CHECK_POINTS):
        u = random.uniform(-1.0, 1.0, dimension)
        direct = at(u)
        theta = dict(zip(names, centre + spread * u, strict=True))
        if np.max(np.abs(polynomial(theta) - direct)) > TOLERANCE * _scale(direct):
            return None
    return polynomial


#: A slice of a :class:`SlicedPolynomial` is precomputed once it has been asked for at
#: this many different values of its polynomial parameters (a fit with the slow parameter
#: free never reaches it; a profile along a coupling at one mass does at its third point).
SLICE_AFTER = 3
#: Slices kept (the most recently used); slices still counting are forgotten beyond
#: this many as well.
MAX_SLICES = 64


class SlicedPolynomial:
    """A signal that is a polynomial in some of its parameters (``fast``: a mediator's
    coupling) at fixed values of the others (``slow``: its mass), precomputed slice by
    slice.

    H(m, g) is evaluated directly until the slice m = m₀ has been asked for at
    :data:`SLICE_AFTER` different g; then H(m₀, ·) is built as a :class:`PolynomialSignal`
    in g (:func:`build_polynomial`, checked against the direct evaluation; its box from
    :func:`parameter_box` at (m₀, the start's g)) and used for every later point of that
    slice. A slice that is not a polynomial stays direct. ``gradient`` gives the
    analytic derivatives along the fast parameters of a built slice (the others, and
    unbuilt slices, are left to the caller).

    A limit search profiles about 50 couplings at each mass, a coupling scan at a fixed
    mass one per point: each slice's set-up (about 20 direct evaluations) replaces the
    direct evaluation at every later point and the two extra ones per fast parameter of
    every numerical derivative.
    """

    def __init__(
        self,
        function: Callable[[Mapping[str, float]], np.ndarray],
        start: Mapping[str, float],
        fast: Sequence[str],
        limits: Mapping[str, tuple[float | None, float | None]],
    ) -> None:
        self.function = function
        self.start = dict(start)
        self.fast = tuple(fast)
        self.slow = tuple(n for n in start if n not in self.fast)
        self.limits = dict(limits)
        self._slices: dict[tuple[float, ...], PolynomialSignal | None] = {}
        self._seen: dict[tuple[float, ...], set[tuple[float, ...]]] = {}

    def polynomial_at(self, values: Mapping[str, float]) -> PolynomialSignal | None:
        """The built polynomial of the slice through ``values`` (built now if this is its
        :data:`SLICE_AFTER`-th different point), or None."""
        key = tuple(float(values[n]) for n in self.slow)
        if key in self._slices:
            return self._slices[key]
        seen = self._seen.setdefault(key, set())
        seen.add(tuple(float(values[n]) for n in self.fast))
        if len(seen) < SLICE_AFTER:
            if len(self._seen) > MAX_SLICES:
                self._seen = {key: seen}
            return None
        del self._seen[key]
        if len(self._slices) >= MAX_SLICES:
            self._slices.pop(next(iter(self._slices)))
        self._slices[key] = self._build_slice(dict(zip(self.slow, key, strict=True)))
        return self._slices[key]

    def _build_slice(self, held: dict[str, float]) -> PolynomialSignal | None:
        def along(values: Mapping[str, float]) -> np.ndarray:
            return self.function({**values, **held})

        start = {**self.start, **held}
        centres, spreads = parameter_boxes(along, start, self.fast, self.limits)
        if len(spreads) < len(self.fast):
            return None
        return build_polynomial(along, self.fast, centres, spreads)

    def __call__(self, values: Mapping[str, float]) -> np.ndarray:
        polynomial = self.polynomial_at(values)
        return self.function(values) if polynomial is None else polynomial(values)

    def gradient(self, values: Mapping[str, float]) -> dict[str, np.ndarray]:
        """∂H/∂g along the fast parameters where the slice is built; else nothing."""
        key = tuple(float(values[n]) for n in self.slow)
        polynomial = self._slices.get(key)
        return {} if polynomial is None else polynomial.gradient(values)


__all__ = [
    "MAX_DEGREE",
    "MAX_SLICES",
    "SLICE_AFTER",
    "TOLERANCE",
    "PolynomialSignal",
    "SlicedPolynomial",
    "build_polynomial",
    "chebyshev_points",
    "parameter_box",
    "parameter_boxes",
]
