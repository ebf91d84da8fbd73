"""Primitive shapes: schedules that are formulas of the step alone.

Interpolating shapes (:func:`linear`, :func:`cosine`, :func:`polynomial`) run
from ``start`` at step 0 to ``end`` at step ``steps`` and hold ``end``
afterwards. They are evaluated from whichever end is nearer, so that both
endpoints are exact and values near ``end`` keep their relative accuracy:
with ``r = (steps - t) / steps`` the fraction of the way still to go and
``g(r)`` the shape's share of ``start - end`` left at ``r``,

* ``t <  steps/2``: ``start + (end - start) * (1 - g(r))``
* ``t >= steps/2``: ``end + (start - end) * g(r)``.
"""

from __future__ import annotations

import bisect
import math
from typing import Any, Callable

import numpy as np

from . import _check, _math, _simplify
from ._math import array_math
from ._node import Schedule, cached_field, node, piecewise, register

__all__ = [
    "constant",
    "linear",
    "cosine",
    "exponential",
    "polynomial",
    "piecewise_constant",
    "piecewise_linear",
    "triangular",
    "inverse_sqrt",
    "from_fn",
    "clock",
]

HALF_PI = 0.5 * math.pi
# Bound once: the scalar path of cosine is hot.
_cos, _sin = _math.cos, _math.sin


# -- constant ---------------------------------------------------------------------------
@node("constant")
class Constant(Schedule):
    value: float

    def _at(self, t: float) -> float:
        return self.value

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        out.fill(self.value)


@register("constant")
def constant(value: float) -> Schedule:
    """The same value at every step: ``f(t) = value``.

    Args:
        value: any finite number.

    >>> import schedalg as sa
    >>> sa.constant(0.1)(12345)
    0.1
    """
    return Constant(_check.real("value", value))


# -- interpolating shapes ---------------------------------------------------------------------
class _Interpolating(Schedule):
    """Shared evaluation of shapes from ``start`` to ``end`` over ``[0, steps]``.

    A subclass gives its shape twice, each formula written once for floats and
    arrays alike (``xm`` is :mod:`schedalg._math` or ``_math.array_math``, ``t``
    the step or steps): ``_travelled(xm, t)``, the share of the way done, used
    up to the midpoint, and ``_remaining(xm, t)``, the share still to go, used
    after it. Each is accurate where it is used (the remaining share is
    computed from ``(steps - t) / steps``, one rounding), and both endpoints
    come out exact.
    """

    __slots__ = ()
    start: float
    end: float
    steps: float

    def _travelled(self, xm: Any, t: Any) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def _remaining(self, xm: Any, t: Any) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def _at(self, t: float) -> float:
        steps = self.steps
        if not t < steps:  # NaN holds the end too, as in the array path
            return self.end
        if t + t <= steps:
            return self.start + (self.end - self.start) * self._travelled(_math, t)
        return self.end + (self.start - self.end) * self._remaining(_math, t)

    def _travelled_into(self, t: np.ndarray, out: np.ndarray) -> None:
        """``_travelled`` over an array, into ``out`` (in place where a shape can)."""
        out[...] = self._travelled(array_math, t)

    def _remaining_into(self, t: np.ndarray, out: np.ndarray) -> None:
        """``_remaining`` over an array, into ``out`` (in place where a shape can)."""
        out[...] = self._remaining(array_math, t)

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        start, end, steps = self.start, self.end, self.steps

        def fill(i: int, ts: np.ndarray, dest: np.ndarray) -> None:
            if i == 0:
                self._travelled_into(ts, dest)
                dest *= end - start
                dest += start
            elif i == 1:
                self._remaining_into(ts, dest)
                dest *= start - end
                dest += end
            else:
                dest.fill(end)

        # The midpoint belongs to the first half: t <= steps / 2.
        piecewise(t, out, (math.nextafter(steps / 2, math.inf), steps), fill)


def _interpolating_args(start: Any, end: Any, steps: Any) -> tuple[float, float, int | float]:
    return _check.real("start", start), _check.real("end", end), _check.duration("steps", steps)


@node("linear")
class Linear(_Interpolating):
    start: float
    end: float
    steps: float

    def _travelled(self, xm: Any, t: Any) -> Any:
        return t / self.steps

    def _remaining(self, xm: Any, t: Any) -> Any:
        return (self.steps - t) / self.steps

    def _travelled_into(self, t: np.ndarray, out: np.ndarray) -> None:
        np.divide(t, self.steps, out=out)

    def _remaining_into(self, t: np.ndarray, out: np.ndarray) -> None:
        np.subtract(self.steps, t, out=out)
        out /= self.steps


@register("linear")
def linear(start: float, end: float, steps: float) -> Schedule:
    """Straight line from ``start`` to ``end`` over ``steps``, then ``end``.

    ``f(t) = start + (end - start) * t / steps`` for ``t < steps``, else ``end``.

    >>> import schedalg as sa
    >>> s = sa.linear(1.0, 0.0, 10)
    >>> s(0), s(5), s(10), s(99)
    (1.0, 0.5, 0.0, 0.0)
    """
    start_, end_, steps_ = _interpolating_args(start, end, steps)
    return _simplify.interpolating("linear", start_, end_, steps_)


@node("cosine")
class Cosine(Schedule):
    start: float
    end: float
    steps: float

    # The hot path of most learning-rate schedules, so its own evaluation:
    #   t == 0:              start, exactly
    #   0 < t <= steps / 2:  end + (1 + cos(pi t / steps)) * ((start - end) / 2)
    #   steps / 2 < t:       end + (start - end) * sin(pi/2 (steps - t) / steps)**2
    # The first form is within an ulp of the peak and exact at the midpoint;
    # the second keeps relative accuracy near ``end`` (no 1 + cos
    # cancellation). Halving is exact, so ``(1 + c) * (d / 2)`` rounds like
    # ``(1 + c) / 2 * d``. The array code runs the same operations in place.
    _diff: float = cached_field()  # start - end
    _half: float = cached_field()  # (start - end) / 2, exact

    def __post_init__(self) -> None:
        object.__setattr__(self, "_diff", self.start - self.end)
        object.__setattr__(self, "_half", (self.start - self.end) / 2.0)

    def _at(self, t: float) -> float:
        steps = self.steps
        if not t < steps:
            return self.end
        if t + t <= steps:
            if t == 0.0:
                return self.start
            return self.end + (1.0 + _cos(math.pi * (t / steps))) * self._half
        w = _sin(HALF_PI * ((steps - t) / steps))
        return self.end + self._diff * (w * w)

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        start, end, steps = self.start, self.end, self.steps

        def fill(i: int, ts: np.ndarray, dest: np.ndarray) -> None:
            if i == 0:
                dest.fill(start)
            elif i == 1:
                np.divide(ts, steps, out=dest)
                dest *= math.pi
                np.cos(dest, out=dest)
                dest += 1.0
                dest *= self._half
                dest += end
            elif i == 2:
                np.subtract(steps, ts, out=dest)
                dest /= steps
                dest *= HALF_PI
                np.sin(dest, out=dest)
                dest *= dest
                dest *= self._diff
                dest += end
            else:
                dest.fill(end)

        # Pieces: {0}, (0, steps/2], (steps/2, steps), [steps, inf).
        edges = (math.nextafter(0.0, 1.0), math.nextafter(steps / 2, math.inf), steps)
        piecewise(t, out, edges, fill)


@register("cosine")
def cosine(start: float, end: float, steps: float) -> Schedule:
    """Half a cosine wave from ``start`` to ``end`` over ``steps``, then ``end``.

    ``f(t) = end + (start - end) * (1 + cos(pi * t / steps)) / 2`` for
    ``t < steps``, else ``end``. After the midpoint it is evaluated as ``end +
    (start - end) * sin(pi/2 * (steps - t) / steps)**2``, the same function
    without the cancellation of ``1 + cos`` near the end.

    >>> import schedalg as sa
    >>> s = sa.cosine(1.0, 0.0, 100)
    >>> s(0), s(50), s(100), s(1000)
    (1.0, 0.5, 0.0, 0.0)
    """
    start_, end_, steps_ = _interpolating_args(start, end, steps)
    return _simplify.interpolating("cosine", start_, end_, steps_)


@node("polynomial")
class Polynomial(_Interpolating):
    start: float
    end: float
    steps: float
    power: float = 1.0

    def _travelled(self, xm: Any, t: Any) -> Any:
        if self.power == 1.0:
            return t / self.steps
        return 1.0 - xm.pow((self.steps - t) / self.steps, self.power)

    def _remaining(self, xm: Any, t: Any) -> Any:
        r = (self.steps - t) / self.steps
        return r if self.power == 1.0 else xm.pow(r, self.power)


@register("polynomial")
def polynomial(start: float, end: float, steps: float, power: float = 1.0) -> Schedule:
    """Polynomial decay from ``start`` to ``end`` over ``steps``, then ``end``.

    ``f(t) = end + (start - end) * (1 - t / steps) ** power`` for ``t < steps``,
    else ``end``. ``power=1`` is :func:`linear`.

    >>> import schedalg as sa
    >>> s = sa.polynomial(1.0, 0.0, 10, power=2.0)
    >>> s(0), s(5), s(10)
    (1.0, 0.25, 0.0)
    """
    start_, end_, steps_ = _interpolating_args(start, end, steps)
    power_ = _check.positive("power", power)
    return _simplify.interpolating("polynomial", start_, end_, steps_, power_)


# -- exponential ----------------------------------------------------------------------------
@node("exponential")
class Exponential(Schedule):
    start: float
    gamma: float
    every: float = 1
    staircase: bool = False

    def _at(self, t: float) -> float:
        e = t // self.every if self.staircase else t / self.every
        return self.start * _math.pow(self.gamma, e)

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        if self.staircase:
            np.floor_divide(t, self.every, out=out)
        else:
            np.divide(t, self.every, out=out)
        array_math.pow(self.gamma, out, out=out)
        out *= self.start


@register("exponential")
def exponential(start: float, gamma: float, every: float = 1, staircase: bool = False) -> Schedule:
    """Exponential decay (or growth): ``f(t) = start * gamma ** (t / every)``.

    With ``staircase=True`` the exponent is floored, ``floor(t / every)``, so the
    value changes once every ``every`` steps. A growing exponential overflows to
    ``inf`` (times the sign of ``start``) instead of raising.

    >>> import schedalg as sa
    >>> s = sa.exponential(1.0, 0.5, every=10, staircase=True)
    >>> s(0), s(9), s(10), s(25)
    (1.0, 1.0, 0.5, 0.25)
    """
    start_ = _check.real("start", start)
    gamma_ = _check.positive("gamma", gamma)
    every_ = _check.duration("every", every)
    if not isinstance(staircase, (bool, np.bool_)):
        msg = f"staircase must be a bool, got staircase={staircase!r}"
        raise TypeError(msg)
    return _simplify.exponential(start_, gamma_, every_, bool(staircase))


# -- piecewise shapes -----------------------------------------------------------------------
@node("piecewise_constant")
class PiecewiseConstant(Schedule):
    boundaries: tuple[float, ...]
    values: tuple[float, ...]
    _b: np.ndarray = cached_field()
    _v: np.ndarray = cached_field()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_b", np.asarray(self.boundaries, dtype=np.float64))
        object.__setattr__(self, "_v", np.asarray(self.values, dtype=np.float64))

    def _at(self, t: float) -> float:
        return self.values[bisect.bisect_right(self.boundaries, t)]

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        np.take(self._v, np.searchsorted(self._b, t, side="right"), out=out)


@register("piecewise_constant")
def piecewise_constant(boundaries: Any, values: Any) -> Schedule:
    """A step function: ``values[i]`` on ``[boundaries[i-1], boundaries[i])``.

    ``values`` has one more entry than ``boundaries``; ``values[0]`` holds
    before ``boundaries[0]`` and ``values[-1]`` from ``boundaries[-1]`` on. A
    boundary belongs to the piece on its right. Lookup is a bisection, so
    thousands of boundaries cost what a few do.

    >>> import schedalg as sa
    >>> s = sa.piecewise_constant([10, 20], [1.0, 0.1, 0.01])
    >>> s(9), s(10), s(20)
    (1.0, 0.1, 0.01)
    """
    bounds = _check.increasing("boundaries", boundaries)
    vals = _check.reals("values", values)
    if len(vals) != len(bounds) + 1:
        msg = (
            f"values must have one more entry than boundaries, got {len(vals)} values "
            f"for {len(bounds)} boundaries"
        )
        raise ValueError(msg)
    return _simplify.piecewise_constant(bounds, vals)


@node("piecewise_linear")
class PiecewiseLinear(Schedule):
    knots: tuple[float, ...]
    values: tuple[float, ...]
    _k: np.ndarray = cached_field()
    _v: np.ndarray = cached_field()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_k", np.asarray(self.knots, dtype=np.float64))
        object.__setattr__(self, "_v", np.asarray(self.values, dtype=np.float64))

    def _at(self, t: float) -> float:
        knots, values = self.knots, self.values
        i = bisect.bisect_right(knots, t)
        if i == 0:
            return values[0]
        if i == len(knots):
            return values[-1]
        k0 = knots[i - 1]
        v0 = values[i - 1]
        return v0 + (values[i] - v0) * ((t - k0) / (knots[i] - k0))

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        k, v = self._k, self._v
        n = k.size
        i = np.searchsorted(k, t, side="right")
        j = np.clip(i, 1, n - 1)
        k0 = k[j - 1]
        v0 = v[j - 1]
        u = (t - k0) / (k[j] - k0)
        np.multiply(v[j] - v0, u, out=out)
        out += v0
        out[i == 0] = v[0]
        out[i == n] = v[-1]


@register("piecewise_linear")
def piecewise_linear(knots: Any, values: Any) -> Schedule:
    """Linear interpolation through ``(knots[i], values[i])``, flat outside.

    ``f(t) = values[i] + (values[i+1] - values[i]) * (t - knots[i]) /
    (knots[i+1] - knots[i])`` on ``[knots[i], knots[i+1])``; ``values[0]``
    before the first knot and ``values[-1]`` from the last one on.

    >>> import schedalg as sa
    >>> s = sa.piecewise_linear([0, 10, 30], [0.0, 1.0, 0.0])
    >>> s(5), s(10), s(20), s(100)
    (0.5, 1.0, 0.5, 0.0)
    """
    ks = _check.increasing("knots", knots)
    vals = _check.reals("values", values)
    if len(ks) != len(vals) or not ks:
        msg = f"knots and values must be non-empty and of equal length, got {len(ks)} knots and {len(vals)} values"
        raise ValueError(msg)
    return _simplify.piecewise_linear(ks, vals)


@node("triangular")
class Triangular(Schedule):
    low: float
    high: float
    steps: float
    peak: float = 0.5

    def _at(self, t: float) -> float:
        low, high, steps = self.low, self.high, self.steps
        top = self.peak * steps
        if t < top:
            return low + (high - low) * (t / top)
        if t < steps:
            return high + (low - high) * ((t - top) / (steps - top))
        return low

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        low, high, steps = self.low, self.high, self.steps
        top = self.peak * steps

        def fill(i: int, ts: np.ndarray, dest: np.ndarray) -> None:
            if i == 0:
                np.divide(ts, top, out=dest)
                dest *= high - low
                dest += low
            elif i == 1:
                np.subtract(ts, top, out=dest)
                dest /= steps - top
                dest *= low - high
                dest += high
            else:
                dest.fill(low)

        piecewise(t, out, (top, steps), fill)


@register("triangular")
def triangular(low: float, high: float, steps: float, peak: float = 0.5) -> Schedule:
    """One slanted triangle ``low -> high -> low`` over ``steps``, then ``low``.

    With ``p = peak * steps``: ``low + (high - low) * t / p`` on ``[0, p)``,
    ``high + (low - high) * (t - p) / (steps - p)`` on ``[p, steps)``, and
    ``low`` afterwards. ``peak`` is the fraction of ``steps`` spent rising.

    >>> import schedalg as sa
    >>> s = sa.triangular(0.0, 1.0, 10)
    >>> s(0), s(5), s(7.5), s(10)
    (0.0, 1.0, 0.5, 0.0)
    """
    low_ = _check.real("low", low)
    high_ = _check.real("high", high)
    steps_ = _check.duration("steps", steps)
    peak_ = _check.real("peak", peak)
    if not 0.0 <= peak_ <= 1.0:
        msg = f"peak must be a fraction in [0, 1], got peak={peak!r}"
        raise ValueError(msg)
    return Triangular(low_, high_, steps_, peak_)


@node("inverse_sqrt")
class InverseSqrt(Schedule):
    value: float
    timescale: float

    def _at(self, t: float) -> float:
        if t < self.timescale:
            return self.value
        return self.value * math.sqrt(self.timescale / t)

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        np.maximum(t, self.timescale, out=out)
        np.divide(self.timescale, out, out=out)
        np.sqrt(out, out=out)
        out *= self.value


@register("inverse_sqrt")
def inverse_sqrt(value: float, timescale: float) -> Schedule:
    """Inverse square-root decay: ``value`` until ``timescale``, then ``value * sqrt(timescale / t)``.

    >>> import schedalg as sa
    >>> s = sa.inverse_sqrt(1.0, 100)
    >>> s(50), s(100), s(400)
    (1.0, 1.0, 0.5)
    """
    return InverseSqrt(_check.real("value", value), _check.duration("timescale", timescale))


# -- from_fn -------------------------------------------------------------------------------------
@node("from_fn")
class FromFn(Schedule):
    """A node wrapping a user callable; equal only to a node wrapping the same object."""

    fn: Callable[[Any], float]

    def __eq__(self, other: object) -> bool:
        return type(other) is FromFn and other.fn is self.fn

    def __hash__(self) -> int:
        return hash((FromFn, id(self.fn)))

    def __repr__(self) -> str:
        return f"from_fn({self.fn!r})"

    def _at(self, t: float) -> float:
        step: int | float = int(t) if t.is_integer() else t
        value = self.fn(step)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            msg = f"from_fn: the function must return a real number, got {value!r} at step {step!r}"
            raise TypeError(msg)
        return float(value)

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        at = self._at
        out[...] = np.fromiter((at(v) for v in t.tolist()), dtype=np.float64, count=t.size)


@register("from_fn")
def from_fn(fn: Callable[[Any], float]) -> Schedule:
    """Any Python callable of one step, as a schedule: ``f(t) = fn(t)``.

    ``fn`` receives an ``int`` for integral steps (as ``torch.optim`` lambdas
    expect) and a ``float`` otherwise, and must return a real number. Arrays are
    evaluated one element at a time. Two ``from_fn`` nodes are equal only when
    they wrap the *same* callable object (identity, not behaviour), and they
    cannot be serialized by :func:`~schedalg.to_dict` or :func:`~schedalg.parse`.

    >>> import schedalg as sa
    >>> s = sa.from_fn(lambda step: 0.95 ** step)
    >>> s(0), s(2)
    (1.0, 0.9025)
    """
    if not callable(fn):
        msg = f"fn must be callable, got fn={fn!r}"
        raise TypeError(msg)
    return FromFn(fn)


# -- clock -------------------------------------------------------------------------------------
@node("clock")
class Clock(Schedule):
    def _at(self, t: float) -> float:
        return t

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        out[...] = t


@register("clock")
def clock() -> Schedule:
    """The step itself: ``f(t) = t`` (a float, unbounded).

    With the operators and the functions of values it writes formulas of the
    step that no shape covers, such as Keras' inverse-time decay ``lr / (1 +
    rate * t / decay_steps)``; as the clock of :func:`~schedalg.compose` it is
    the identity, ``compose(s, clock()) == s``.

    >>> import schedalg as sa
    >>> sa.clock()(7)
    7.0
    >>> lr = 0.1 / (1 + 0.5 * sa.clock() / 10)
    >>> lr(0), lr(20)
    (0.1, 0.05)
    """
    return Clock()
