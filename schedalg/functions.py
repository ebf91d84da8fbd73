"""Functions of values: schedules that apply a real function to the values of another.

``power(s, p)`` (also ``s ** p``), ``exp(s)``, ``log(s)`` and ``tanh(s)`` map
``s(t)`` through the function at every step; the step itself is untouched (see
:func:`~schedalg.compose` to change the clock instead). Values outside a
function's real domain raise ``ValueError`` naming the step, at evaluation: a
schedule's values are only known then.

Both evaluation paths compute the same bits: the scalar path goes through
:mod:`schedalg._math`, which falls back to numpy's kernels on machines where
the C library rounds differently from them.
"""

from __future__ import annotations

import math

import numpy as np

from . import _check, _math, _simplify
from ._math import array_math
from ._node import Schedule, node, register

__all__ = ["power", "exp", "log", "tanh"]

_EXACT_INT = 2.0**53
#: Beyond these arguments exp's result is subnormal or overflows, where C
#: libraries and numpy's kernels may disagree: the scalar path takes numpy's.
_EXP_LOW, _EXP_HIGH = -700.0, 700.0


def _first(bad: np.ndarray) -> int:
    """Index of the first True of a mask (the offending step of an array)."""
    return int(np.argmax(bad))


# -- power ------------------------------------------------------------------------------------------
def _not_real(v: float, p: float, step: float) -> None:
    msg = f"power: {v!r} ** {p!r} is not a real number (at step {step!r})"
    raise ValueError(msg)


def _zero_to_negative(v: float, p: float, step: float) -> None:
    msg = f"power: {v!r} ** {p!r} is a division by zero (at step {step!r})"
    raise ValueError(msg)


@node("power")
class Power(Schedule):
    s: Schedule
    p: float

    def _at(self, t: float) -> float:
        v = self.s._at(t)
        p = self.p
        if v < 0.0:
            if not p.is_integer():
                _not_real(v, p, t)
            # pow only ever sees a base >= 0 (so both paths use the same
            # kernel): an odd power of a negative base is negated after.
            r = _math.pow(-v, p)
            return -r if abs(p) < _EXACT_INT and int(p) % 2 else r
        if v == 0.0 and p < 0.0:
            _zero_to_negative(v, p, t)
        return _math.pow(abs(v), p)  # abs: -0.0 is a zero like +0.0, as in the array path

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        self.s._fill(t, out)
        p = self.p
        integral = p.is_integer()
        negative = out < 0.0
        bad = None if integral else negative
        if p < 0.0:
            zero = out == 0.0
            bad = zero if bad is None else bad | zero
        if bad is not None and bad.any():
            i = _first(bad)
            v = float(out[i])
            (_zero_to_negative if v == 0.0 else _not_real)(v, p, float(t[i]))
        flip = integral and abs(p) < _EXACT_INT and int(p) % 2 == 1 and negative.any()
        # numpy's general kernel, as the scalar path's pow uses (see
        # array_math.pow); the base is a new array, never the output.
        array_math.pow(np.abs(out), p, out=out)
        if flip:
            np.negative(out, out=out, where=negative)


@register("power")
def power(s: Schedule, p: float) -> Schedule:
    """The values of ``s`` to the power ``p``: ``f(t) = s(t) ** p`` (also ``s ** p``).

    ``p`` is a number. A negative value with a non-integer ``p`` (not a real
    number) and 0 with a negative ``p`` (a division by zero) raise
    ``ValueError`` naming the step; a result too large for a float is
    ``inf``. The values are floats, for integer-valued ``s`` too.

    Laws: ``power(s, 1) == s``; ``power(s, p)(t) == s(t) ** p`` (within an ulp
    of the correctly rounded power); ``power(power(s, a), b)`` stays nested
    (``(v ** a) ** b`` rounds twice, ``v ** (a * b)`` once); constants fold.

    >>> import schedalg as sa
    >>> s = sa.linear(0.0, 4.0, 4) ** 0.5
    >>> s
    power(linear(0.0, 4.0, 4), 0.5)
    >>> s(1), s(4)
    (1.0, 2.0)
    >>> sa.power(sa.linear(-1.0, 1.0, 10), 0.5)(0)
    Traceback (most recent call last):
    ...
    ValueError: power: -1.0 ** 0.5 is not a real number (at step 0.0)
    """
    s_ = _check.schedule("s", s)
    p_ = _check.real("p", p)
    return _simplify.power(s_, p_)


# -- exp, log, tanh ------------------------------------------------------------------------------------
def _exp(v: float) -> float:
    if _EXP_LOW <= v <= _EXP_HIGH:
        return _math.exp(v)
    if v != v or v == math.inf or v == -math.inf:
        return 0.0 if v == -math.inf else v
    with np.errstate(over="ignore", under="ignore"):
        return float(np.exp(v))


@node("exp")
class Exp(Schedule):
    s: Schedule

    def _at(self, t: float) -> float:
        return _exp(self.s._at(t))

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        self.s._fill(t, out)
        np.exp(out, out=out)


@register("exp")
def exp(s: Schedule) -> Schedule:
    """The exponential of the values of ``s``: ``f(t) = e ** s(t)``.

    A value above about 709.78 gives ``inf``, as a growing
    :func:`~schedalg.exponential` does.

    Laws: ``exp(s)(t) == math.exp(s(t))`` within an ulp; ``exp(log(s))`` and
    ``log(exp(s))`` stay nested (each function rounds); constants fold.

    >>> import schedalg as sa
    >>> s = sa.exp(sa.linear(0.0, -2.0, 2))
    >>> s(0), s(1)
    (1.0, 0.36787944117144233)
    """
    return _simplify.of_values("exp", _check.schedule("s", s))


def _not_positive(v: float, step: float) -> None:
    msg = f"log: the value {v!r} is not positive (at step {step!r})"
    raise ValueError(msg)


@node("log")
class Log(Schedule):
    s: Schedule

    def _at(self, t: float) -> float:
        v = self.s._at(t)
        if not v > 0.0:
            if v != v:  # NaN propagates, as in the array path
                return v
            _not_positive(v, t)
        return _math.log(v)

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        self.s._fill(t, out)
        bad = out <= 0.0
        if bad.any():
            i = _first(bad)
            _not_positive(float(out[i]), float(t[i]))
        np.log(out, out=out)


@register("log")
def log(s: Schedule) -> Schedule:
    """The natural logarithm of the values of ``s``: ``f(t) = ln s(t)``.

    A value ``<= 0`` raises ``ValueError`` naming the step, at evaluation.

    Laws: ``log(s)(t) == math.log(s(t))`` within an ulp; constants fold.

    >>> import schedalg as sa
    >>> s = sa.log(sa.exponential(1.0, 0.5))
    >>> s(0), s(2)
    (0.0, -1.3862943611198906)
    >>> sa.log(sa.linear(1.0, -1.0, 2))(1)
    Traceback (most recent call last):
    ...
    ValueError: log: the value 0.0 is not positive (at step 1.0)
    """
    return _simplify.of_values("log", _check.schedule("s", s))


@node("tanh")
class Tanh(Schedule):
    s: Schedule

    def _at(self, t: float) -> float:
        return _math.tanh(self.s._at(t))

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        self.s._fill(t, out)
        np.tanh(out, out=out)


@register("tanh")
def tanh(s: Schedule) -> Schedule:
    """The hyperbolic tangent of the values of ``s``: ``f(t) = tanh(s(t))``.

    timm's tanh schedule, ``lr_min + (lr_max - lr_min) / 2 * (1 - tanh(lb +
    (ub - lb) * t / T))``, is written with it.

    Laws: ``tanh(s)(t) == math.tanh(s(t))`` within an ulp; odd in value
    (``tanh(-s) == -tanh(s)`` where the values are exact); constants fold.

    >>> import schedalg as sa
    >>> s = sa.tanh(sa.linear(0.0, 1.0, 10))
    >>> s(0), s(10)
    (0.0, 0.7615941559557649)
    """
    return _simplify.of_values("tanh", _check.schedule("s", s))
