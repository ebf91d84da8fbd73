"""optax's schedules (:mod:`optax.schedules`, as in optax 0.2.8).

Same function names, argument names and defaults as optax; ``preset(...)(t)``
is the value optax's schedule returns for the count ``t`` (optax counts the
updates already applied, from 0). Where optax computes in the float type of
its inputs, schedalg computes in float64: with ``jax_enable_x64`` the two
agree to a few ulp (the tests compare every step of random configurations).

Every function returns an ordinary composed schedule (printable, comparable,
serializable), not a closure. Differences from optax, each pinned by a test:

* arguments are Python numbers, not arrays, and are validated at
  construction: configurations for which optax's values are NaN or infinite
  (a negative ``power`` or ``exponent``, a negative ``decay_rate``) raise
  ``ValueError`` instead;
* optax's silent fallbacks are kept: ``transition_steps <= 0`` gives the
  constant ``init_value``, ``decay_rate == 0`` too, and a negative
  ``transition_begin`` counts as 0;
* boundaries of :func:`join_schedules` must be sorted (optax lets a later
  boundary override an earlier one); :func:`piecewise_interpolate_schedule`
  takes integer boundaries ``>= 0`` (its ``dict[int, float]``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import _check
from .._node import Schedule
from ..combinators import clip, delay, sequence
from ..functions import power as _power
from ..shapes import constant, cosine, exponential, linear, piecewise_constant, piecewise_linear, polynomial
from ._common import _count

__all__ = [
    "constant_schedule",
    "linear_schedule",
    "polynomial_schedule",
    "cosine_decay_schedule",
    "exponential_decay",
    "piecewise_constant_schedule",
    "piecewise_interpolate_schedule",
    "warmup_constant_schedule",
    "warmup_cosine_decay_schedule",
    "warmup_exponential_decay_schedule",
    "linear_onecycle_schedule",
    "cosine_onecycle_schedule",
    "sgdr_schedule",
    "join_schedules",
]


def _steps(name: str, value: Any) -> int | float:
    """A step count as optax takes it: a finite number (<= 0 has a meaning)."""
    x = _check.real(name, value)
    return int(x) if x.is_integer() and abs(x) < _check.EXACT_INT else x


def _begin(value: Any) -> int | float:
    """``transition_begin``: negative counts as 0, as optax does."""
    return max(_steps("transition_begin", value), 0)


def constant_schedule(value: float) -> Schedule:
    """The same value at every count (optax ``constant_schedule``).

    ``f(t) = value``.

    >>> from schedalg.presets import optax as P
    >>> P.constant_schedule(5.0)(100)
    5.0
    """
    return constant(_check.real("value", value))


def polynomial_schedule(
    init_value: float,
    end_value: float,
    power: float,
    transition_steps: int,
    transition_begin: int = 0,
) -> Schedule:
    """Polynomial transition from ``init_value`` to ``end_value`` (optax ``polynomial_schedule``).

    With ``B = transition_begin`` and ``T = transition_steps``:
    ``f(t) = init_value`` for ``t < B``,
    ``(init_value - end_value) * (1 - (t - B) / T) ** power + end_value`` on
    ``[B, B + T)``, and ``end_value`` from ``B + T`` on.

    As optax, ``transition_steps <= 0`` is the constant ``init_value``, a
    negative ``transition_begin`` counts as 0, and ``power == 0`` is the
    constant ``init_value`` (``0 ** 0 == 1``). Difference: a negative
    ``power`` (infinite at the end in optax) raises ``ValueError``.

    >>> from schedalg.presets import optax as P
    >>> s = P.polynomial_schedule(1.0, 0.01, power=2, transition_steps=100, transition_begin=5)
    >>> round(s(0), 4), round(s(6), 4), round(s(104), 4), s(110)
    (1.0, 0.9803, 0.0101, 0.01)
    """
    init = _check.real("init_value", init_value)
    end = _check.real("end_value", end_value)
    p = _check.nonnegative("power", power)
    steps = _steps("transition_steps", transition_steps)
    begin = _begin(transition_begin)
    if steps <= 0 or p == 0.0:
        return constant(init)
    return delay(polynomial(init, end, steps, power=p), begin)


def linear_schedule(
    init_value: float,
    end_value: float,
    transition_steps: int,
    transition_begin: int = 0,
) -> Schedule:
    """Linear transition from ``init_value`` to ``end_value`` (optax ``linear_schedule``).

    ``f(t) = init_value + (end_value - init_value) * clip(t - B, 0, T) / T``
    with ``B = transition_begin``, ``T = transition_steps``; the constant
    ``init_value`` when ``T <= 0``, as optax.

    >>> from schedalg.presets import optax as P
    >>> s = P.linear_schedule(1.0, 0.0, transition_steps=10, transition_begin=5)
    >>> s(0), s(5), s(10), s(20)
    (1.0, 1.0, 0.5, 0.0)
    """
    init = _check.real("init_value", init_value)
    end = _check.real("end_value", end_value)
    steps = _steps("transition_steps", transition_steps)
    begin = _begin(transition_begin)
    if steps <= 0:
        return constant(init)
    return delay(linear(init, end, steps), begin)


def _cosine_decay(init: float, steps: int | float, alpha: float, exponent: float) -> Schedule:
    """``init * ((1 - alpha) * c(t) ** exponent + alpha)``, ``c`` the half cosine 1 -> 0."""
    if exponent == 1.0:
        return cosine(init, init * alpha, steps)
    if exponent == 0.0:
        return constant(init)
    return _power(cosine(1.0, 0.0, steps), exponent) * (init * (1.0 - alpha)) + init * alpha


def cosine_decay_schedule(
    init_value: float,
    decay_steps: int,
    alpha: float = 0.0,
    exponent: float = 1.0,
) -> Schedule:
    """Cosine decay from ``init_value`` to ``alpha * init_value`` (optax ``cosine_decay_schedule``).

    With ``T = decay_steps`` and ``c(t) = (1 + cos(pi * min(t, T) / T)) / 2``:
    ``f(t) = init_value * ((1 - alpha) * c(t) ** exponent + alpha)``, which
    holds ``alpha * init_value`` from ``T`` on.

    ``decay_steps`` must be positive (as optax). Difference: a negative
    ``exponent`` (infinite at the end in optax) raises ``ValueError``.

    >>> from schedalg.presets import optax as P
    >>> s = P.cosine_decay_schedule(1.0, decay_steps=100, alpha=0.1)
    >>> s(0), round(s(50), 6), round(s(100), 6), round(s(200), 6)
    (1.0, 0.55, 0.1, 0.1)
    """
    init = _check.real("init_value", init_value)
    steps = _check.duration("decay_steps", decay_steps)
    a = _check.real("alpha", alpha)
    e = _check.nonnegative("exponent", exponent)
    return _cosine_decay(init, steps, a, e)


def _exponential_decay(
    init: float, steps: int | float, rate: float, begin: int | float, staircase: Any, end: float | None
) -> Schedule:
    if not isinstance(staircase, bool):
        msg = f"staircase must be a bool, got staircase={staircase!r}"
        raise TypeError(msg)
    s = delay(exponential(init, rate, every=steps, staircase=staircase), begin)
    if end is None:
        return s
    return clip(s, low=end) if rate < 1.0 else clip(s, high=end)


def exponential_decay(
    init_value: float,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: float | None = None,
) -> Schedule:
    """Exponential decay (or growth) after ``transition_begin`` (optax ``exponential_decay``).

    With ``B = transition_begin``, ``T = transition_steps``:
    ``f(t) = init_value`` for ``t <= B``, else
    ``init_value * decay_rate ** ((t - B) / T)`` (the exponent floored when
    ``staircase``), bounded below by ``end_value`` when ``decay_rate < 1``
    and above when ``decay_rate > 1`` (the bound applies to every step,
    before ``B`` too, as optax).

    As optax, ``transition_steps <= 0`` and ``decay_rate == 0`` give the
    constant ``init_value`` and a negative ``transition_begin`` counts as 0.
    Difference: a negative ``decay_rate`` (NaN in optax) raises ``ValueError``.

    >>> from schedalg.presets import optax as P
    >>> s = P.exponential_decay(1.0, transition_steps=10, decay_rate=0.5, transition_begin=5,
    ...                         staircase=True, end_value=0.2)
    >>> s(0), s(14), s(15), s(25), s(100)
    (1.0, 1.0, 0.5, 0.25, 0.2)
    """
    init = _check.real("init_value", init_value)
    steps = _steps("transition_steps", transition_steps)
    rate = _check.nonnegative("decay_rate", decay_rate)
    begin = _begin(transition_begin)
    end = _check.optional_real("end_value", end_value)
    if not isinstance(staircase, bool):
        msg = f"staircase must be a bool, got staircase={staircase!r}"
        raise TypeError(msg)
    if steps <= 0 or rate == 0.0:
        return constant(init)
    return _exponential_decay(init, steps, rate, begin, staircase, end)


def _boundaries_and_scales(value: Any, *, integer: bool) -> list[tuple[int | float, float]]:
    """``{step: scale}`` sorted by step; scales >= 0 (optax raises otherwise)."""
    if value is None:
        return []
    if not isinstance(value, Mapping):
        msg = f"boundaries_and_scales must be a dict {{step: scale}}, got boundaries_and_scales={value!r}"
        raise TypeError(msg)
    items = []
    for b, sc in value.items():
        name = f"boundaries_and_scales[{b!r}]"
        step = _count(f"boundary {b!r}", b, minimum=0) if integer else _check.real(f"boundary {b!r}", b)
        items.append((step, _check.nonnegative(name, sc)))
    return sorted(items)


def piecewise_constant_schedule(init_value: float, boundaries_and_scales: dict[int, float] | None = None) -> Schedule:
    """Scale by ``scale`` from each boundary ``step`` on (optax ``piecewise_constant_schedule``).

    ``f(t) = init_value * prod(scale for step, scale in boundaries_and_scales.items() if t >= step)``,
    the products taken in boundary order as optax does. A boundary belongs
    to the piece on its right; boundaries ``<= 0`` apply from the start.
    Scales must be ``>= 0`` (as optax).

    >>> from schedalg.presets import optax as P
    >>> s = P.piecewise_constant_schedule(1.0, {100: 0.5, 200: 0.5})
    >>> s(99), s(100), s(250)
    (1.0, 0.5, 0.25)
    """
    init = _check.real("init_value", init_value)
    v = init
    bounds: list[float] = []
    values: list[float] = []
    for step, sc in _boundaries_and_scales(boundaries_and_scales, integer=False):
        v = sc * v
        if step <= 0:
            init = v
            continue
        bounds.append(step)
        values.append(v)
    if not bounds:
        return constant(init)
    return piecewise_constant(bounds, [init, *values])


def piecewise_interpolate_schedule(
    interpolate_type: str,
    init_value: float,
    boundaries_and_scales: dict[int, float] | None = None,
) -> Schedule:
    """Interpolate between scaled values at boundaries (optax ``piecewise_interpolate_schedule``).

    With ``b_0 = 0 < b_1 < ... < b_n`` the boundaries and
    ``v_i = init_value * s_1 * ... * s_i`` (``v_0 = init_value``): on
    ``[b_i, b_{i+1})`` the value goes from ``v_i`` to ``v_{i+1}``, linearly
    (``"linear"``) or along a half cosine (``"cosine"``), and holds ``v_n``
    from ``b_n`` on. A boundary at 0 makes the first piece empty, as in optax.

    Differences: boundaries are integers ``>= 0`` (optax's ``dict[int,
    float]``; a negative one raises ``ValueError``).

    >>> from schedalg.presets import optax as P
    >>> s = P.piecewise_interpolate_schedule("linear", 1.0, {4: 0.1, 8: 0.01})
    >>> [round(s(t), 6) for t in (0, 2, 4, 6, 8, 10)]
    [1.0, 0.55, 0.1, 0.0505, 0.001, 0.001]
    """
    kind = _check.choice("interpolate_type", interpolate_type, ("linear", "cosine"))
    init = _check.real("init_value", init_value)
    knots: list[int | float] = [0]
    values = [init]
    for step, sc in _boundaries_and_scales(boundaries_and_scales, integer=True):
        v = values[-1] * sc
        if step == 0:  # the piece [0, 0) is empty: start from the scaled value
            values[-1] = v
            continue
        knots.append(step)
        values.append(v)
    if len(knots) == 1:
        return constant(values[0])
    if kind == "linear":
        return piecewise_linear(knots, values)
    pieces = [cosine(values[i], values[i + 1], knots[i + 1] - knots[i]) for i in range(len(knots) - 1)]
    return sequence([*pieces, constant(values[-1])], knots[1:])


def warmup_constant_schedule(init_value: float, peak_value: float, warmup_steps: int) -> Schedule:
    """Linear warmup from ``init_value`` to ``peak_value``, then hold it (optax ``warmup_constant_schedule``).

    :func:`linear_schedule` ``(init_value, peak_value, warmup_steps)``.

    >>> from schedalg.presets import optax as P
    >>> s = P.warmup_constant_schedule(0.0, 1.0, 4)
    >>> s(0), s(2), s(4), s(100)
    (0.0, 0.5, 1.0, 1.0)
    """
    return linear_schedule(init_value, peak_value, warmup_steps)


def _warmup_then(init: float, peak: float, steps: int | float, after: Schedule) -> Schedule:
    """optax's ``join_schedules([linear_schedule(init, peak, steps), after], [steps])``."""
    if steps <= 0:
        return after
    return sequence([linear(init, peak, steps), after], [steps])


def warmup_cosine_decay_schedule(
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    decay_steps: int,
    end_value: float = 0.0,
    exponent: float = 1.0,
) -> Schedule:
    """Linear warmup, then cosine decay (optax ``warmup_cosine_decay_schedule``).

    With ``W = warmup_steps``, ``D = decay_steps`` (the total length, warmup
    included) and ``alpha = end_value / peak_value`` (0 if ``peak_value`` is
    0): ``init_value -> peak_value`` linearly on ``[0, W)``, then
    :func:`cosine_decay_schedule` ``(peak_value, D - W, alpha, exponent)`` at
    ``t - W``; it holds ``peak_value * alpha`` (``end_value``, to an ulp) from
    ``D`` on. ``D - W`` must be positive, as optax. Difference: a negative
    ``warmup_steps`` raises ``ValueError``.

    >>> from schedalg.presets import optax as P
    >>> s = P.warmup_cosine_decay_schedule(0.0, 1.0, warmup_steps=10, decay_steps=110)
    >>> s(0), s(5), s(10), round(s(60), 6), s(110)
    (0.0, 0.5, 1.0, 0.5, 0.0)
    """
    init = _check.real("init_value", init_value)
    peak = _check.real("peak_value", peak_value)
    w = _check.duration("warmup_steps", warmup_steps, allow_zero=True)
    d = _steps("decay_steps", decay_steps)
    end = _check.real("end_value", end_value)
    e = _check.nonnegative("exponent", exponent)
    if not d - w > 0:
        msg = (
            f"decay_steps must exceed warmup_steps (it includes the warmup), "
            f"got decay_steps={decay_steps!r} and warmup_steps={warmup_steps!r}"
        )
        raise ValueError(msg)
    alpha = 0.0 if peak == 0.0 else end / peak
    return _warmup_then(init, peak, w, _cosine_decay(peak, d - w, alpha, e))


def warmup_exponential_decay_schedule(
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: float | None = None,
) -> Schedule:
    """Linear warmup, then exponential decay (optax ``warmup_exponential_decay_schedule``).

    ``init_value -> peak_value`` linearly on ``[0, warmup_steps)``, then
    :func:`exponential_decay` ``(peak_value, transition_steps, decay_rate,
    transition_begin, staircase, end_value)`` at ``t - warmup_steps``.
    Differences: those of :func:`exponential_decay`, and a negative
    ``warmup_steps`` raises ``ValueError``.

    >>> from schedalg.presets import optax as P
    >>> s = P.warmup_exponential_decay_schedule(0.0, 1.0, 4, transition_steps=2, decay_rate=0.5)
    >>> s(0), s(2), s(4), s(6), s(8)
    (0.0, 0.5, 1.0, 0.5, 0.25)
    """
    init = _check.real("init_value", init_value)
    peak = _check.real("peak_value", peak_value)
    w = _check.duration("warmup_steps", warmup_steps, allow_zero=True)
    after = exponential_decay(peak, transition_steps, decay_rate, transition_begin, staircase, end_value)
    return _warmup_then(init, peak, w, after)


def _onecycle_steps(transition_steps: Any) -> int:
    steps = _check.integer("transition_steps", transition_steps)
    if steps <= 0:
        msg = f"transition_steps must be a positive integer, got transition_steps={transition_steps!r}"
        raise ValueError(msg)
    return steps


def linear_onecycle_schedule(
    transition_steps: int,
    peak_value: float,
    pct_start: float = 0.3,
    pct_final: float = 0.85,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
) -> Schedule:
    """Three linear phases of the 1cycle policy (optax ``linear_onecycle_schedule``).

    With ``T = transition_steps`` and ``init = peak_value / div_factor``:
    :func:`piecewise_interpolate_schedule` ``("linear", init,
    {int(pct_start * T): div_factor, int(pct_final * T): 1 / div_factor,
    T: 1 / final_div_factor})``, the same dict as optax (coinciding keys
    overwrite each other, as there): up to ``peak_value``, back down to
    ``init``, then to ``init / final_div_factor`` at ``T``, held afterwards.

    >>> from schedalg.presets import optax as P
    >>> s = P.linear_onecycle_schedule(100, 1.0, div_factor=10.0, final_div_factor=100.0)
    >>> [round(s(t), 6) for t in (0, 30, 85, 100, 200)]
    [0.1, 1.0, 0.1, 0.001, 0.001]
    """
    steps = _onecycle_steps(transition_steps)
    peak = _check.real("peak_value", peak_value)
    start = _check.real("pct_start", pct_start)
    final = _check.real("pct_final", pct_final)
    div = _check.positive("div_factor", div_factor)
    final_div = _check.positive("final_div_factor", final_div_factor)
    table = {int(start * steps): div, int(final * steps): 1.0 / div, steps: 1.0 / final_div}
    return piecewise_interpolate_schedule("linear", peak / div, table)


def cosine_onecycle_schedule(
    transition_steps: int,
    peak_value: float,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
) -> Schedule:
    """The 1cycle policy with cosine phases (optax ``cosine_onecycle_schedule``).

    With ``T = transition_steps`` and ``init = peak_value / div_factor``:
    :func:`piecewise_interpolate_schedule` ``("cosine", init,
    {int(pct_start * T): div_factor, T: 1 / (div_factor * final_div_factor)})``:
    up to ``peak_value`` at ``int(pct_start * T)``, then down to
    ``peak_value / (div_factor * final_div_factor)`` at ``T``, held afterwards.

    >>> from schedalg.presets import optax as P
    >>> s = P.cosine_onecycle_schedule(100, 1.0, pct_start=0.5, div_factor=10.0, final_div_factor=10.0)
    >>> [round(s(t), 6) for t in (0, 25, 50, 100, 200)]
    [0.1, 0.55, 1.0, 0.01, 0.01]
    """
    steps = _onecycle_steps(transition_steps)
    peak = _check.real("peak_value", peak_value)
    start = _check.real("pct_start", pct_start)
    div = _check.positive("div_factor", div_factor)
    final_div = _check.positive("final_div_factor", final_div_factor)
    table = {int(start * steps): div, steps: 1.0 / (div * final_div)}
    return piecewise_interpolate_schedule("cosine", peak / div, table)


def sgdr_schedule(cosine_kwargs: Iterable[Mapping[str, Any]]) -> Schedule:
    """Warm restarts: warmup-cosine cycles one after another (optax ``sgdr_schedule``).

    Each dict of ``cosine_kwargs`` holds the arguments of one
    :func:`warmup_cosine_decay_schedule`; cycle ``i`` starts when the
    ``decay_steps`` of the earlier ones have passed and the last one holds
    its end value. Difference: an empty ``cosine_kwargs`` raises
    ``ValueError`` (optax fails when the schedule is called).

    >>> from schedalg.presets import optax as P
    >>> cycle = dict(init_value=0.0, peak_value=1.0, warmup_steps=2, decay_steps=10)
    >>> s = P.sgdr_schedule([cycle, cycle])
    >>> s(2), s(10), s(12), s(30)
    (1.0, 0.0, 1.0, 0.0)
    """
    if isinstance(cosine_kwargs, Mapping) or not isinstance(cosine_kwargs, Iterable):
        msg = f"cosine_kwargs must be a list of dicts, got cosine_kwargs={cosine_kwargs!r}"
        raise TypeError(msg)
    pieces: list[Schedule] = []
    bounds: list[int | float] = []
    step: int | float = 0
    for i, kwargs in enumerate(cosine_kwargs):
        if not isinstance(kwargs, Mapping):
            msg = f"cosine_kwargs[{i}] must be a dict of warmup_cosine_decay_schedule arguments, got {kwargs!r}"
            raise TypeError(msg)
        pieces.append(warmup_cosine_decay_schedule(**kwargs))
        step = step + _steps(f"cosine_kwargs[{i}]['decay_steps']", kwargs["decay_steps"])
        bounds.append(step)
    if not pieces:
        msg = "cosine_kwargs must hold at least one cycle, got an empty list"
        raise ValueError(msg)
    return sequence(pieces, bounds[:-1])


def join_schedules(schedules: Sequence[Schedule], boundaries: Sequence[int]) -> Schedule:
    """Run ``schedules`` one after another (optax ``join_schedules``).

    Schedule ``i`` runs on ``[boundaries[i-1], boundaries[i])`` and sees the
    steps since ``boundaries[i-1]``: :func:`schedalg.sequence`. A boundary
    belongs to the piece on its right; boundaries at 0 (or equal ones) skip
    the schedules before them, as optax's ``where(step < boundary, ...)`` does.
    Difference: boundaries must be sorted and ``>= 0`` (optax lets a later,
    smaller boundary override an earlier one).

    >>> import schedalg as sa
    >>> from schedalg.presets import optax as P
    >>> s = P.join_schedules([sa.constant(1.0), sa.linear(1.0, 0.0, 10)], [5])
    >>> s(4), s(5), s(10)
    (1.0, 1.0, 0.5)
    """
    if isinstance(schedules, Schedule) or not isinstance(schedules, (list, tuple)):
        msg = f"schedules must be a list of schedules, got schedules={schedules!r}"
        raise TypeError(msg)
    pieces = [_check.schedule(f"schedules[{i}]", s) for i, s in enumerate(schedules)]
    bounds = list(_check.increasing("boundaries", boundaries, strict=False))
    if not pieces or len(bounds) != len(pieces) - 1:
        msg = (
            f"boundaries must hold one entry less than schedules, got {len(pieces)} schedules "
            f"and boundaries={list(boundaries)!r}"
        )
        raise ValueError(msg)
    # A piece whose interval [b_{i-1}, b_i) is empty never runs: drop it. The
    # first piece kept starts at 0, since every piece before it is empty.
    starts = [0, *bounds]
    ends = [*bounds, math.inf]
    kept = [(starts[i], p) for i, p in enumerate(pieces) if ends[i] > starts[i]]
    return sequence([p for _, p in kept], [b for b, _ in kept[1:]])
