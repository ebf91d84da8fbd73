"""Keras' learning-rate schedules (:mod:`keras.optimizers.schedules`, as in Keras 3.15).

Same function names (the class name in snake_case), argument names and
defaults as Keras; ``name`` is accepted and ignored (it names Keras' ops).
``preset(...)(step)`` is the value ``Schedule(...)(step)`` returns for the
optimizer's iteration count ``step`` (the updates already applied, from 0).

Keras computes in the float type of ``initial_learning_rate`` (float32 by
default); schedalg computes in float64, so the two agree within float32
rounding, which is what the tests check. Differences, each pinned by a test:

* arguments are Python numbers, validated at construction: rates for which
  Keras' values are NaN, infinite or zero from the first step
  (a ``decay_rate`` ``<= 0`` in :func:`exponential_decay`, a negative one in
  :func:`inverse_time_decay`, ``t_mul < 1`` or ``m_mul <= 0`` in
  :func:`cosine_decay_restarts`, a negative ``power``) raise ``ValueError``;
* :func:`piecewise_constant_decay` compares the step with the boundaries as
  real numbers (Keras casts the boundaries to the step's dtype, so an integer
  step truncates a fractional boundary).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .. import _check
from .._node import Schedule
from ..combinators import cyclical, per_epoch, quantize, sequence
from ..functions import power as _power
from ..shapes import clock, constant, cosine, exponential, linear, piecewise_constant, polynomial

__all__ = [
    "exponential_decay",
    "piecewise_constant_decay",
    "polynomial_decay",
    "inverse_time_decay",
    "cosine_decay",
    "cosine_decay_restarts",
]


def _name(name: Any) -> None:
    if not isinstance(name, str):
        msg = f"name must be a string, got name={name!r}"
        raise TypeError(msg)


def _staircase(value: Any) -> bool:
    if not isinstance(value, bool):
        msg = f"staircase must be a bool, got staircase={value!r}"
        raise TypeError(msg)
    return value


def exponential_decay(
    initial_learning_rate: float,
    decay_steps: int,
    decay_rate: float,
    staircase: bool = False,
    name: str = "ExponentialDecay",
) -> Schedule:
    """Exponential decay (Keras ``ExponentialDecay``).

    ``f(t) = initial_learning_rate * decay_rate ** (t / decay_steps)``, the
    exponent floored when ``staircase``. Unbounded in time, as Keras.
    Difference: ``decay_rate`` must be positive (Keras: NaN for a negative one,
    0 from the first step for 0).

    >>> from schedalg.presets import keras as K
    >>> s = K.exponential_decay(1.0, decay_steps=10, decay_rate=0.5, staircase=True)
    >>> s(9), s(10), s(25)
    (1.0, 0.5, 0.25)
    """
    _name(name)
    init = _check.real("initial_learning_rate", initial_learning_rate)
    steps = _check.duration("decay_steps", decay_steps)
    rate = _check.positive("decay_rate", decay_rate)
    return exponential(init, rate, every=steps, staircase=_staircase(staircase))


def piecewise_constant_decay(
    boundaries: Sequence[float],
    values: Sequence[float],
    name: str = "PiecewiseConstant",
) -> Schedule:
    """A step function whose boundaries belong to the piece on their left (Keras ``PiecewiseConstantDecay``).

    ``f(t) = values[0]`` for ``t <= boundaries[0]``, ``values[i]`` for
    ``boundaries[i-1] < t <= boundaries[i]``, and ``values[-1]`` for
    ``t > boundaries[-1]``: unlike :func:`schedalg.piecewise_constant`, the
    value changes on the step *after* each boundary. Built as
    :func:`schedalg.piecewise_constant` on the next float above each
    boundary, so the left-closed pieces hold at fractional steps too.

    Differences: the boundaries must be strictly increasing and ``>= 0``, and
    at least one (Keras sums overlapping pieces of unsorted boundaries and
    fails on an empty list); steps and boundaries are compared as reals.

    >>> from schedalg.presets import keras as K
    >>> s = K.piecewise_constant_decay([10, 20], [1.0, 0.5, 0.1])
    >>> s(10), s(11), s(20), s(21)
    (1.0, 0.5, 0.5, 0.1)
    """
    _name(name)
    bounds = _check.increasing("boundaries", boundaries)
    vals = _check.reals("values", values)
    if not bounds or len(vals) != len(bounds) + 1:
        msg = (
            f"boundaries must be non-empty and values one longer, got {len(bounds)} boundaries "
            f"and {len(vals)} values"
        )
        raise ValueError(msg)
    return piecewise_constant([math.nextafter(float(b), math.inf) for b in bounds], vals)


def polynomial_decay(
    initial_learning_rate: float,
    decay_steps: int,
    end_learning_rate: float = 0.0001,
    power: float = 1.0,
    cycle: bool = False,
    name: str = "PolynomialDecay",
) -> Schedule:
    """Polynomial decay, optionally restarted (Keras ``PolynomialDecay``).

    With ``D = decay_steps``, ``a = initial_learning_rate``,
    ``b = end_learning_rate``: ``f(t) = (a - b) * (1 - min(t, D) / D) ** power + b``,
    holding ``b`` from ``D`` on. With ``cycle=True`` the horizon grows instead:
    ``f(t) = (a - b) * (1 - t / (D * m)) ** power + b`` with
    ``m = max(ceil(t / D), 1)``, so every multiple of ``D`` ends a decay at
    ``b`` and the next step restarts from a lower value.
    ``power == 0`` is the constant ``a`` (``0 ** 0 == 1``, as Keras).
    Difference: a negative ``power`` (infinite at ``D`` in Keras) raises
    ``ValueError``.

    >>> from schedalg.presets import keras as K
    >>> s = K.polynomial_decay(1.0, 10, end_learning_rate=0.0, power=2.0, cycle=True)
    >>> s(0), s(5), s(10), s(15), round(s(20), 12)
    (1.0, 0.25, 0.0, 0.0625, 0.0)
    """
    _name(name)
    init = _check.real("initial_learning_rate", initial_learning_rate)
    steps = _check.duration("decay_steps", decay_steps)
    end = _check.real("end_learning_rate", end_learning_rate)
    p = _check.nonnegative("power", power)
    if not isinstance(cycle, bool):
        msg = f"cycle must be a bool, got cycle={cycle!r}"
        raise TypeError(msg)
    if p == 0.0 or init == end:
        return constant(init)
    if not cycle:
        return polynomial(init, end, steps, power=p)
    horizon = quantize(clock() / steps, rounding="ceil", low=1) * steps
    frac = 1.0 - clock() / horizon
    return _power(frac, p) * (init - end) + end if p != 1.0 else frac * (init - end) + end


def inverse_time_decay(
    initial_learning_rate: float,
    decay_steps: int,
    decay_rate: float,
    staircase: bool = False,
    name: str = "InverseTimeDecay",
) -> Schedule:
    """Inverse-time decay (Keras ``InverseTimeDecay``).

    ``f(t) = initial_learning_rate / (1 + decay_rate * t / decay_steps)``, with
    ``t / decay_steps`` floored when ``staircase``. Unbounded in time, as Keras.
    Difference: a negative ``decay_rate`` (a division by zero at some step in
    Keras) raises ``ValueError``.

    >>> from schedalg.presets import keras as K
    >>> s = K.inverse_time_decay(1.0, decay_steps=10, decay_rate=1.0)
    >>> s(0), s(10), s(30)
    (1.0, 0.5, 0.25)
    """
    _name(name)
    init = _check.real("initial_learning_rate", initial_learning_rate)
    steps = _check.duration("decay_steps", decay_steps)
    rate = _check.nonnegative("decay_rate", decay_rate)
    _staircase(staircase)
    if rate == 0.0:
        return constant(init)
    p = per_epoch(clock(), steps) if staircase else clock() / steps
    return init / (1.0 + rate * p)


def cosine_decay(
    initial_learning_rate: float,
    decay_steps: int,
    alpha: float = 0.0,
    name: str = "CosineDecay",
    warmup_target: float | None = None,
    warmup_steps: int = 0,
) -> Schedule:
    """Cosine decay, with an optional linear warmup (Keras ``CosineDecay``).

    Without ``warmup_target``: ``f(t) = a * ((1 - alpha) * c(t) + alpha)``
    with ``a = initial_learning_rate`` and
    ``c(t) = (1 + cos(pi * min(t, D) / D)) / 2``, ``D = decay_steps``. With
    ``warmup_target``, ``W = warmup_steps``: linear from ``a`` to
    ``warmup_target`` on ``[0, W)``, then the same decay from ``warmup_target``
    at ``t - W``; the value holds ``alpha * warmup_target`` from ``W + D`` on.

    >>> from schedalg.presets import keras as K
    >>> s = K.cosine_decay(0.0, decay_steps=100, warmup_target=1.0, warmup_steps=10)
    >>> s(5), s(10), round(s(60), 6), s(110)
    (0.5, 1.0, 0.5, 0.0)
    """
    _name(name)
    init = _check.real("initial_learning_rate", initial_learning_rate)
    steps = _check.duration("decay_steps", decay_steps)
    a = _check.real("alpha", alpha)
    w = _check.duration("warmup_steps", warmup_steps, allow_zero=True)
    if warmup_target is None:
        return cosine(init, init * a, steps)
    target = _check.real("warmup_target", warmup_target)
    decay = cosine(target, target * a, steps)
    if w == 0:
        return decay
    return sequence([linear(init, target, w), decay], [w])


def cosine_decay_restarts(
    initial_learning_rate: float,
    first_decay_steps: int,
    t_mul: float = 2.0,
    m_mul: float = 1.0,
    alpha: float = 0.0,
    name: str = "SGDRDecay",
) -> Schedule:
    """SGDR: cosine decays with warm restarts (Keras ``CosineDecayRestarts``).

    Cycle ``i`` lasts ``first_decay_steps * t_mul**i`` steps; with ``u`` the
    fraction of it done, ``f(t) = a * ((1 - alpha) * m_mul**i * (1 + cos(pi * u)) / 2 + alpha)``,
    ``a = initial_learning_rate``: the decayed part shrinks by ``m_mul`` per
    cycle, the floor ``alpha * a`` does not. Built from
    :func:`schedalg.cyclical`, which finds the cycle exactly.

    Differences: ``t_mul >= 1`` and ``m_mul > 0`` (Keras' values turn NaN
    once shrinking cycles run out, and ``m_mul == 0`` is ``alpha * a`` after
    the first cycle). Keras finds the cycle with a float logarithm,
    schedalg exactly (they agreed at every step tested).

    >>> from schedalg.presets import keras as K
    >>> s = K.cosine_decay_restarts(1.0, 10, t_mul=2.0, m_mul=0.5)
    >>> s(5), s(10), s(20), s(30)
    (0.5, 0.5, 0.25, 0.25)
    """
    _name(name)
    init = _check.real("initial_learning_rate", initial_learning_rate)
    steps = _check.duration("first_decay_steps", first_decay_steps)
    mul = _check.real("t_mul", t_mul)
    if mul < 1.0:
        msg = f"t_mul must be >= 1 (shrinking cycles run out), got t_mul={t_mul!r}"
        raise ValueError(msg)
    decay = _check.positive("m_mul", m_mul)
    a = _check.real("alpha", alpha)
    wave = cyclical(cosine(init * (1.0 - a), 0.0, steps), steps, period_mult=mul, decay=decay)
    return wave + init * a if a != 0.0 else wave
