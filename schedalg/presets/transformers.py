"""Hugging Face's schedulers (``transformers.optimization``, as in transformers 5.24).

Each ``get_<name>(optimizer, ...)`` of transformers is ``<name>(base_lr, ...)``
here: ``get_`` dropped, the optimizer replaced by ``base_lr`` (its lr), HF's
argument names and defaults otherwise. ``preset(...)(t)`` is the lr that HF's
``LambdaLR`` sets after ``t`` calls of ``scheduler.step()``: ``base_lr`` times
HF's lambda at ``t``, to a relative ``1e-12`` (schedalg evaluates the same
formulas in a different but accurate order). HF's ``last_epoch`` argument is
not taken: a schedule is a pure function of the step, so resuming is
evaluating it at the resumed step.

Past ``num_training_steps`` HF's cosine lambdas keep evaluating the cosine,
which turns back up: that is extrapolation, and the presets hold the value
at ``num_training_steps`` instead (documented per function, pinned by the
tests). Configurations that HF accepts but that make no schedule (a warmup
at least as long as the whole run for the cosine and polynomial schedules, a
negative ``num_cycles``, ``min_lr_rate`` or stable phase) raise ``ValueError``
here; each function lists them.

Importing this module does not import ``transformers``: the presets are
ordinary schedalg schedules. The metric-driven
:func:`reduce_on_plateau_schedule` returns a :class:`~schedalg.Plateau`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .. import _check
from .._node import Schedule
from ..combinators import cyclical, sequence, shift, warmup
from ..shapes import constant, cosine, linear, piecewise_constant, polynomial
from ._common import _count
from .recipes import cosine_with_restarts, warmup_cosine, warmup_inverse_sqrt, warmup_stable_decay

if TYPE_CHECKING:
    from ..plateau import Plateau

__all__ = [
    "constant_schedule",
    "constant_schedule_with_warmup",
    "linear_schedule_with_warmup",
    "cosine_schedule_with_warmup",
    "cosine_with_hard_restarts_schedule_with_warmup",
    "polynomial_decay_schedule_with_warmup",
    "inverse_sqrt_schedule",
    "cosine_with_min_lr_schedule_with_warmup",
    "cosine_with_min_lr_schedule_with_warmup_lr_rate",
    "wsd_schedule",
    "reduce_on_plateau_schedule",
    "greedy_schedule",
]


def _steps(num_warmup_steps: Any, num_training_steps: Any) -> tuple[int, int]:
    w = _count("num_warmup_steps", num_warmup_steps, minimum=0)
    n = _count("num_training_steps", num_training_steps)
    if n <= w:
        msg = (
            f"num_training_steps must be > num_warmup_steps={w} (HF then evaluates its decay outside "
            f"[0, 1]), got num_training_steps={num_training_steps!r}"
        )
        raise ValueError(msg)
    return w, n


def _cycles(num_cycles: Any) -> float:
    return _check.nonnegative("num_cycles", num_cycles)


def _cosine_wave(top: float, low: float, length: int, num_cycles: float) -> Schedule:
    """``low + (top - low) * (1 + cos(2 pi num_cycles t / length)) / 2`` on ``[0, length]``, then held.

    HF's ``0.5 * (1 + cos(pi * num_cycles * 2 * progress))`` over a decay of
    ``length`` steps: ``num_cycles = 0.5`` is one half cosine down to ``low``;
    other values are a cosine wave of period ``length / num_cycles``, cut at
    ``length``, where its value then holds (HF's extrapolation past the end).
    """
    if num_cycles == 0.0:
        return constant(top)
    if num_cycles == 0.5:
        return cosine(top, low, length)
    half = length / (2.0 * num_cycles)
    wave = cyclical(sequence([cosine(top, low, half), cosine(low, top, half)], [half]), 2.0 * half)
    end = low + (top - low) * (0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0)))
    return sequence([wave, constant(end)], [length])


def constant_schedule(base_lr: float) -> Schedule:
    """The optimizer's lr, constant (HF ``get_constant_schedule``).

    ``f(t) = base_lr``.

    Equivalent to ``transformers.get_constant_schedule(opt)``.

    Args:
        base_lr: the optimizer's learning rate.

    >>> from schedalg.presets.transformers import constant_schedule
    >>> constant_schedule(3e-4)(10**6)
    0.0003
    """
    return constant(_check.real("base_lr", base_lr))


def constant_schedule_with_warmup(base_lr: float, num_warmup_steps: int) -> Schedule:
    """Linear warmup from 0, then constant (HF ``get_constant_schedule_with_warmup``).

    ``f(t) = base_lr * t / num_warmup_steps`` for ``t < num_warmup_steps``,
    then ``base_lr``.

    Equivalent to ``transformers.get_constant_schedule_with_warmup(opt,
    num_warmup_steps)``.

    Args:
        base_lr: the optimizer's learning rate.
        num_warmup_steps: steps of warmup (integer >= 0).

    >>> from schedalg.presets.transformers import constant_schedule_with_warmup
    >>> s = constant_schedule_with_warmup(1.0, 4)
    >>> [s(t) for t in range(6)]
    [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """
    top = _check.real("base_lr", base_lr)
    w = _count("num_warmup_steps", num_warmup_steps, minimum=0)
    return warmup(constant(top), w)


def linear_schedule_with_warmup(base_lr: float, num_warmup_steps: int, num_training_steps: int) -> Schedule:
    """Linear warmup from 0, then linear decay to 0 at ``num_training_steps`` (HF ``get_linear_schedule_with_warmup``).

    ``f(t) = base_lr * t / w`` for ``t < w = num_warmup_steps``, then
    ``base_lr * max(0, (n - t) / (n - w))`` with ``n = num_training_steps``: 0
    from ``n`` on (HF clamps at 0 too). With ``n <= w`` HF decays to 0 at once
    after the warmup; so does the preset.

    Equivalent to ``transformers.get_linear_schedule_with_warmup(opt,
    num_warmup_steps, num_training_steps)``.

    Args:
        base_lr: the optimizer's learning rate.
        num_warmup_steps: steps of warmup (integer >= 0).
        num_training_steps: the step where the lr reaches 0 (integer >= 1).

    >>> from schedalg.presets.transformers import linear_schedule_with_warmup
    >>> s = linear_schedule_with_warmup(1.0, 2, 6)
    >>> [s(t) for t in range(8)]
    [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """
    top = _check.real("base_lr", base_lr)
    w = _count("num_warmup_steps", num_warmup_steps, minimum=0)
    n = _count("num_training_steps", num_training_steps)
    if n <= w:
        if w == 0:  # pragma: no cover - n >= 1 > w
            return constant(0.0)
        return sequence([linear(0.0, top, w), constant(0.0)], [w])
    return warmup(linear(top, 0.0, n - w), w)


def cosine_schedule_with_warmup(
    base_lr: float, num_warmup_steps: int, num_training_steps: int, num_cycles: float = 0.5
) -> Schedule:
    """Linear warmup from 0, then a cosine down to 0 (HF ``get_cosine_schedule_with_warmup``).

    ``f(t) = base_lr * t / w`` for ``t < w``; then, with ``p = (t - w) / (n -
    w)``, ``base_lr * (1 + cos(2 pi num_cycles p)) / 2`` until ``n =
    num_training_steps``, and that value at ``n`` afterwards. With the default
    ``num_cycles=0.5`` it is a half cosine to 0, held.

    Equivalent to ``transformers.get_cosine_schedule_with_warmup(opt,
    num_warmup_steps, num_training_steps, num_cycles)``. Differences: past
    ``num_training_steps`` HF keeps evaluating the cosine, which turns back up
    (extrapolation), where the preset holds; ``num_training_steps <=
    num_warmup_steps`` and a negative ``num_cycles`` raise ``ValueError``.

    Args:
        base_lr: the optimizer's learning rate.
        num_warmup_steps: steps of warmup (integer >= 0).
        num_training_steps: the end of the cosine (integer > ``num_warmup_steps``).
        num_cycles: waves of the cosine over the decay (>= 0; 0.5: one half
            cosine).

    >>> from schedalg.presets.transformers import cosine_schedule_with_warmup
    >>> s = cosine_schedule_with_warmup(1.0, 10, 110)
    >>> s(5), s(10), s(60), s(110), s(160)
    (0.5, 1.0, 0.5, 0.0, 0.0)
    """
    top = _check.real("base_lr", base_lr)
    w, n = _steps(num_warmup_steps, num_training_steps)
    c = _cycles(num_cycles)
    if c == 0.5:
        return warmup_cosine(top, w, n)
    return warmup(_cosine_wave(top, 0.0, n - w, c), w)


def cosine_with_hard_restarts_schedule_with_warmup(
    base_lr: float, num_warmup_steps: int, num_training_steps: int, num_cycles: int = 1
) -> Schedule:
    """Linear warmup from 0, then ``num_cycles`` cosine decays with hard restarts (HF ``get_cosine_with_hard_restarts_schedule_with_warmup``).

    ``f(t) = base_lr * t / w`` for ``t < w``; then, with ``p = (t - w) / (n -
    w)``, ``base_lr * (1 + cos(pi * ((num_cycles * p) % 1))) / 2`` for ``p <
    1`` and 0 from ``n = num_training_steps`` on (as HF). This is
    :func:`schedalg.presets.recipes.cosine_with_restarts`.

    Equivalent to
    ``transformers.get_cosine_with_hard_restarts_schedule_with_warmup(opt,
    num_warmup_steps, num_training_steps, num_cycles)``. Differences: HF's
    ``(num_cycles * p) % 1`` can land one ulp short of a restart and answer 0
    there for one step, where the preset restarts exactly; ``num_cycles`` must
    be an integer >= 1 (HF's lambda also takes fractions and 0) and
    ``num_training_steps <= num_warmup_steps`` raises ``ValueError``.

    Args:
        base_lr: the optimizer's learning rate.
        num_warmup_steps: steps of warmup (integer >= 0).
        num_training_steps: the end of the last cycle (integer > ``num_warmup_steps``).
        num_cycles: the number of cosine decays (integer >= 1).

    >>> from schedalg.presets.transformers import cosine_with_hard_restarts_schedule_with_warmup as f
    >>> s = f(1.0, 0, 40, num_cycles=2)
    >>> s(0), s(10), s(20), s(30), s(40)
    (1.0, 0.5, 1.0, 0.5, 0.0)
    """
    top = _check.real("base_lr", base_lr)
    w, n = _steps(num_warmup_steps, num_training_steps)
    return cosine_with_restarts(top, w, n, num_cycles=_count("num_cycles", num_cycles))


def polynomial_decay_schedule_with_warmup(
    base_lr: float,
    num_warmup_steps: int,
    num_training_steps: int,
    lr_end: float = 1e-7,
    power: float = 1.0,
) -> Schedule:
    """Linear warmup from 0, then polynomial decay to ``lr_end`` (HF ``get_polynomial_decay_schedule_with_warmup``).

    ``f(t) = base_lr * t / w`` for ``t < w``; then ``lr_end + (base_lr -
    lr_end) * (1 - (t - w) / (n - w)) ** power`` up to ``n =
    num_training_steps``; ``lr_end`` afterwards (``power=0``: ``base_lr``
    up to ``n`` included, as HF's ``0 ** 0 = 1``).

    Equivalent to ``transformers.get_polynomial_decay_schedule_with_warmup(opt,
    num_warmup_steps, num_training_steps, lr_end, power)``; as HF,
    ``lr_end`` must be below ``base_lr``. Differences: ``num_training_steps
    <= num_warmup_steps`` raises ``ValueError`` (HF divides by zero at
    ``num_training_steps == num_warmup_steps``), as does a negative ``power``
    (HF divides by zero at ``num_training_steps``).

    Args:
        base_lr: the optimizer's learning rate (HF's ``lr_init``).
        num_warmup_steps: steps of warmup (integer >= 0).
        num_training_steps: the step where ``lr_end`` is reached.
        lr_end: the final learning rate (< ``base_lr``).
        power: the exponent of the decay (>= 0).

    >>> from schedalg.presets.transformers import polynomial_decay_schedule_with_warmup as f
    >>> s = f(1.0, 0, 4, lr_end=0.0, power=2.0)
    >>> [s(t) for t in range(6)]
    [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    """
    top = _check.real("base_lr", base_lr)
    w, n = _steps(num_warmup_steps, num_training_steps)
    end = _check.real("lr_end", lr_end)
    if not top > end:
        msg = f"lr_end must be smaller than base_lr={top!r}, got lr_end={lr_end!r}"
        raise ValueError(msg)
    p = _check.nonnegative("power", power)
    if p == 0.0:
        body = piecewise_constant([n - w + 1], [top, end])
    elif p == 1.0:
        body = linear(top, end, n - w)
    else:
        body = polynomial(top, end, n - w, power=p)
    return warmup(body, w)


def inverse_sqrt_schedule(base_lr: float, num_warmup_steps: int, timescale: int | None = None) -> Schedule:
    """Linear warmup from 0, then inverse square-root decay (HF ``get_inverse_sqrt_schedule``).

    ``f(t) = base_lr * t / w`` for ``t < w``, then ``base_lr / sqrt((t - w +
    timescale) / timescale)``; ``timescale`` defaults to ``num_warmup_steps``,
    or 10_000 without a warmup, as HF. This is
    :func:`schedalg.presets.recipes.warmup_inverse_sqrt`.

    Equivalent to ``transformers.get_inverse_sqrt_schedule(opt,
    num_warmup_steps, timescale)``. ``timescale=0`` raises ``ValueError`` (HF
    divides by zero).

    Args:
        base_lr: the optimizer's learning rate.
        num_warmup_steps: steps of warmup (integer >= 0).
        timescale: steps for the decay (integer >= 1; default as HF).

    >>> from schedalg.presets.transformers import inverse_sqrt_schedule
    >>> s = inverse_sqrt_schedule(1.0, 100)
    >>> s(50), s(100), s(400)
    (0.5, 1.0, 0.5)
    """
    return warmup_inverse_sqrt(
        _check.real("base_lr", base_lr), _count("num_warmup_steps", num_warmup_steps, minimum=0), timescale
    )


def _min_lr_rate(base: float, min_lr: Any, min_lr_rate: Any) -> float:
    if min_lr is not None and min_lr_rate is not None:
        msg = f"give only one of min_lr and min_lr_rate, got min_lr={min_lr!r} and min_lr_rate={min_lr_rate!r}"
        raise ValueError(msg)
    if min_lr is not None:
        if base == 0.0:
            msg = f"min_lr needs a nonzero base_lr (HF divides by it), got base_lr={base!r}"
            raise ValueError(msg)
        rate = _check.nonnegative("min_lr", min_lr) / base
    elif min_lr_rate is not None:
        rate = _check.nonnegative("min_lr_rate", min_lr_rate)
    else:
        msg = "give one of min_lr and min_lr_rate, got neither"
        raise ValueError(msg)
    return rate


def cosine_with_min_lr_schedule_with_warmup(
    base_lr: float,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float = 0.5,
    min_lr: float | None = None,
    min_lr_rate: float | None = None,
) -> Schedule:
    """Linear warmup from 0, then a cosine down to a floor (HF ``get_cosine_with_min_lr_schedule_with_warmup``).

    With ``r = min_lr_rate`` (or ``min_lr / base_lr``): ``f(t) = base_lr * t /
    w`` for ``t < w``; then, with ``p = (t - w) / (n - w)``, ``base_lr * (r +
    (1 - r) * (1 + cos(2 pi num_cycles p)) / 2)`` until ``n =
    num_training_steps``, and that value at ``n`` afterwards (``base_lr * r``
    with the default ``num_cycles=0.5``).

    Equivalent to
    ``transformers.get_cosine_with_min_lr_schedule_with_warmup(opt,
    num_warmup_steps, num_training_steps, num_cycles, min_lr=..., min_lr_rate=...)``;
    exactly one of ``min_lr`` and ``min_lr_rate`` is given, as HF requires.
    Differences: past ``num_training_steps`` HF's cosine turns back up, the
    preset holds; ``num_training_steps <= num_warmup_steps`` and negative
    ``num_cycles``, ``min_lr`` or ``min_lr_rate`` raise ``ValueError``.

    Args:
        base_lr: the optimizer's learning rate.
        num_warmup_steps: steps of warmup (integer >= 0).
        num_training_steps: the end of the cosine (integer > ``num_warmup_steps``).
        num_cycles: waves of the cosine over the decay (>= 0).
        min_lr: the floor, in lr units.
        min_lr_rate: the floor as a fraction of ``base_lr``.

    >>> from schedalg.presets.transformers import cosine_with_min_lr_schedule_with_warmup as f
    >>> s = f(1.0, 10, 110, min_lr_rate=0.1)
    >>> s(5), s(10), s(60), s(110), s(500)
    (0.5, 1.0, 0.55, 0.1, 0.1)
    """
    top = _check.real("base_lr", base_lr)
    w, n = _steps(num_warmup_steps, num_training_steps)
    c = _cycles(num_cycles)
    r = _min_lr_rate(top, min_lr, min_lr_rate)
    if c == 0.5:
        return warmup_cosine(top, w, n, end=top * r)
    return warmup(_cosine_wave(top, top * r, n - w, c), w)


def cosine_with_min_lr_schedule_with_warmup_lr_rate(
    base_lr: float,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float = 0.5,
    min_lr: float | None = None,
    min_lr_rate: float | None = None,
    warmup_lr_rate: float | None = None,
) -> Schedule:
    """The ``cosine_warmup_with_min_lr`` variant: its warmup and decay run one step ahead (HF ``get_cosine_with_min_lr_schedule_with_warmup_lr_rate``).

    With ``r`` as in :func:`cosine_with_min_lr_schedule_with_warmup`: for ``t <
    w``, ``base_lr * (t + 1) / w`` (or, with ``warmup_lr_rate = a``,
    ``base_lr * (a + (1 - a) * t / (w - 1))``); then, with ``p = (t - w + 1) /
    (n - w)``, ``base_lr * (r + (1 - r) * (1 + cos(2 pi num_cycles p)) / 2)``
    until ``p = 1`` (``t = n - 1``), held afterwards.

    Equivalent to
    ``transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(opt,
    num_warmup_steps, num_training_steps, num_cycles, min_lr=...,
    min_lr_rate=..., warmup_lr_rate=...)``. Differences: as
    :func:`cosine_with_min_lr_schedule_with_warmup` (held past the end,
    degenerate lengths and negative rates raise); ``warmup_lr_rate`` with
    ``num_warmup_steps=1`` raises (HF's ramp then never reaches ``base_lr``).

    Args:
        base_lr: the optimizer's learning rate.
        num_warmup_steps: steps of warmup (integer >= 0).
        num_training_steps: one more than the last step of the cosine.
        num_cycles: waves of the cosine over the decay (>= 0).
        min_lr: the floor, in lr units.
        min_lr_rate: the floor as a fraction of ``base_lr``.
        warmup_lr_rate: the warmup's start as a fraction of ``base_lr``
            (default ``1 / num_warmup_steps``, one step ahead).

    >>> from schedalg.presets.transformers import cosine_with_min_lr_schedule_with_warmup_lr_rate as f
    >>> s = f(1.0, 4, 14, min_lr_rate=0.0)
    >>> s(0), s(3), s(4), s(8), s(13), s(20)
    (0.25, 1.0, 0.9755282581475768, 0.5, 0.0, 0.0)
    """
    top = _check.real("base_lr", base_lr)
    w, n = _steps(num_warmup_steps, num_training_steps)
    c = _cycles(num_cycles)
    r = _min_lr_rate(top, min_lr, min_lr_rate)
    decay = shift(_cosine_wave(top, top * r, n - w, c), 1)
    if w == 0:
        return decay
    if warmup_lr_rate is None:
        ramp: Schedule = shift(linear(0.0, top, w), 1)
    else:
        a = _check.real("warmup_lr_rate", warmup_lr_rate)
        if w == 1:
            msg = "warmup_lr_rate needs num_warmup_steps >= 2 (HF's ramp never reaches base_lr), got num_warmup_steps=1"
            raise ValueError(msg)
        ramp = linear(top * a, top, w - 1)
    return sequence([ramp, decay], [w])


_WSD_SHAPES = ("linear", "cosine", "1-sqrt")


def wsd_schedule(
    base_lr: float,
    num_warmup_steps: int,
    num_decay_steps: int,
    num_training_steps: int | None = None,
    num_stable_steps: int | None = None,
    warmup_type: str = "linear",
    decay_type: str = "cosine",
    min_lr_ratio: float = 0,
    num_cycles: float = 0.5,
) -> Schedule:
    """Warmup, stable, decay (HF ``get_wsd_schedule``).

    With ``r = min_lr_ratio``, ``w``, ``s``, ``d`` the three lengths (``s =
    num_stable_steps``, or ``num_training_steps - w - d``) and ``f(t) =
    base_lr * (r + (1 - r) * a)``:

    * warmup, ``t < w``, ``u = t / w``: ``a = u`` (``"linear"``), ``(1 - cos(pi
      u)) / 2`` (``"cosine"``) or ``1 - sqrt(1 - u)`` (``"1-sqrt"``);
    * stable, ``w <= t < w + s``: ``base_lr``;
    * decay, ``w + s <= t < w + s + d``, ``p = (t - w - s) / d``: ``a = 1 -
      p`` (``"linear"``), ``(1 + cos(2 pi num_cycles p)) / 2`` (``"cosine"``)
      or ``1 - sqrt(p)`` (``"1-sqrt"``);
    * ``base_lr * r`` afterwards.

    This is :func:`schedalg.presets.recipes.warmup_stable_decay` with
    ``start = end = base_lr * r`` (for the cosine decay with ``num_cycles !=
    0.5``, the wave is cut at ``d`` and jumps to ``base_lr * r``, as HF's).

    Equivalent to ``transformers.get_wsd_schedule(opt, num_warmup_steps,
    num_decay_steps, num_training_steps, num_stable_steps, warmup_type,
    decay_type, min_lr_ratio, num_cycles)``: as HF, one of
    ``num_training_steps`` and ``num_stable_steps`` is needed, and
    ``num_stable_steps`` wins when both are given (HF warns; the preset does
    not). Differences: a negative stable phase (``num_training_steps <
    num_warmup_steps + num_decay_steps``), ``num_decay_steps=0`` and negative
    ``min_lr_ratio`` or ``num_cycles`` raise ``ValueError``.

    Args:
        base_lr: the optimizer's learning rate (the stable value).
        num_warmup_steps: ``w`` (integer >= 0).
        num_decay_steps: ``d`` (integer >= 1).
        num_training_steps: ``w + s + d``, when ``num_stable_steps`` is not given.
        num_stable_steps: ``s`` (integer >= 0).
        warmup_type: ``"linear"``, ``"cosine"`` or ``"1-sqrt"``.
        decay_type: ``"linear"``, ``"cosine"`` or ``"1-sqrt"``.
        min_lr_ratio: ``r``, the start and end as a fraction of ``base_lr`` (>= 0).
        num_cycles: waves of the cosine decay (>= 0; 0.5: one half cosine).

    >>> from schedalg.presets.transformers import wsd_schedule
    >>> s = wsd_schedule(1.0, 10, 10, num_training_steps=100, decay_type="linear")
    >>> s(5), s(10), s(89), s(90), s(95), s(100)
    (0.5, 1.0, 1.0, 1.0, 0.5, 0.0)
    """
    top = _check.real("base_lr", base_lr)
    w = _count("num_warmup_steps", num_warmup_steps, minimum=0)
    d = _count("num_decay_steps", num_decay_steps)
    if num_stable_steps is not None:
        s = _count("num_stable_steps", num_stable_steps, minimum=0)
    elif num_training_steps is not None:
        n = _count("num_training_steps", num_training_steps)
        s = n - w - d
        if s < 0:
            msg = (
                f"num_training_steps must be >= num_warmup_steps + num_decay_steps = {w + d}, "
                f"got num_training_steps={num_training_steps!r}"
            )
            raise ValueError(msg)
    else:
        msg = "give num_training_steps or num_stable_steps, got neither"
        raise ValueError(msg)
    wtype = _check.choice("warmup_type", warmup_type, _WSD_SHAPES)
    dtype = _check.choice("decay_type", decay_type, _WSD_SHAPES)
    r = _check.nonnegative("min_lr_ratio", min_lr_ratio)
    c = _cycles(num_cycles)
    low = top * r
    if dtype != "cosine" or c == 0.5:
        return warmup_stable_decay(top, w, s, d, start=low, end=low, warmup_shape=wtype, decay_shape=dtype)
    wave = sequence([_cosine_wave(top, low, d, c), constant(low)], [d])
    if w + s == 0:
        return wave
    head = warmup_stable_decay(top, w, s + d, 1, start=low, end=low, warmup_shape=wtype)
    return sequence([head, wave], [w + s])


def reduce_on_plateau_schedule(base_lr: float, **kwargs: Any) -> Plateau:
    """torch's ``ReduceLROnPlateau`` rule, as HF builds it (HF ``get_reduce_on_plateau_schedule``).

    HF passes its keyword arguments to ``torch.optim.lr_scheduler.ReduceLROnPlateau``;
    so this is :func:`schedalg.presets.torch.reduce_lr_on_plateau` with the
    same keywords (``mode``, ``factor``, ``patience``, ``threshold``,
    ``threshold_mode``, ``cooldown``, ``min_lr``, ``eps``), returning a
    :class:`~schedalg.Plateau`: ``base_lr * state.scale`` after each
    ``rule.update(state, metric)`` is the lr after each ``scheduler.step(metric)``.

    Equivalent to ``transformers.get_reduce_on_plateau_schedule(opt, **kwargs)``.

    Args:
        base_lr: the optimizer's learning rate.
        **kwargs: torch's ``ReduceLROnPlateau`` keywords.

    >>> from schedalg.presets.transformers import reduce_on_plateau_schedule
    >>> rule = reduce_on_plateau_schedule(0.1, patience=0, factor=0.5)
    >>> state = rule.init()
    >>> for loss in [1.0, 1.0]:
    ...     state = rule.update(state, loss)
    >>> state.scale
    0.5
    """
    from .torch import reduce_lr_on_plateau

    return reduce_lr_on_plateau(base_lr, **kwargs)


def greedy_schedule(
    base_lr: float,
    mode: str = "min",
    factor: float = 0.95,
    patience: int = 10,
    threshold: float = 1e-6,
    threshold_mode: str = "abs",
    cooldown: int = 0,
    warmup: int = 0,
    min_lr: float = 1e-3,
    max_lr: float = 1.0,
    eps: float = 1e-8,
    verbose: bool = False,
    smooth: bool = False,
    window_size: int = 50,
    reset_start: int = 500,
) -> Plateau:
    """Hugging Face's two-way ``GreedyLR`` rule, as a greedy :class:`~schedalg.Plateau` (HF ``get_greedy_schedule``).

    The lr falls by ``factor`` after ``patience + 1`` metrics without
    improvement and *rises* by ``1 / factor`` after ``patience + 1``
    improvements, within ``[min_lr, max_lr]``; ``cooldown`` metrics are ignored
    after a fall and ``warmup`` after a rise; after ``reset_start`` falls that
    end at ``min_lr`` the rule restarts from ``base_lr``; ``smooth`` averages
    the last ``window_size`` metrics first. Returns ``Plateau(mode, factor,
    patience, threshold, threshold_mode, cooldown, min_scale=min_lr / base_lr,
    max_scale=max_lr / base_lr, eps=eps / base_lr, nan_policy="bad",
    greedy=True, warmup, reset_start, smooth_window=window_size if smooth else
    None)``: ``base_lr * state.scale`` after each ``rule.update(state,
    metric)`` is the lr after each ``scheduler.step(metric)``.

    Equivalent to ``transformers.optimization.get_greedy_schedule(opt,
    **kwargs)`` (``GreedyLR``) with one param group of lr ``base_lr``.
    Differences: ``verbose`` is accepted and ignored; ``min_lr`` and
    ``max_lr`` are numbers (HF also takes one per param group); the lr moves
    by ``factor ** k`` on the scale, not recursively (the same values to a
    few ulp).

    Args:
        base_lr: the optimizer's learning rate (positive).
        mode: ``"min"`` or ``"max"``.
        factor: the multiplier of a fall, in ``(0, 1)``; a rise divides by it.
        patience: bad (or good) metrics tolerated before a change.
        threshold: the margin that counts as an improvement.
        threshold_mode: ``"rel"`` or ``"abs"``.
        cooldown: metrics ignored after a fall.
        warmup: metrics ignored after a rise.
        min_lr: the lower bound of the lr.
        max_lr: the upper bound of the lr.
        eps: the smallest change of the lr that is applied.
        verbose: ignored (HF prints each change).
        smooth: average the metrics over a window first.
        window_size: the window of ``smooth``.
        reset_start: falls at ``min_lr`` before the rule restarts.

    >>> from schedalg.presets.transformers import greedy_schedule
    >>> rule = greedy_schedule(0.1, factor=0.5, patience=1, min_lr=0.0)
    >>> state = rule.init()
    >>> lrs = []
    >>> for loss in [3.0, 2.0, 1.0, 1.0, 1.0]:
    ...     state = rule.update(state, loss)
    ...     lrs.append(0.1 * state.scale)
    >>> lrs
    [0.1, 0.2, 0.2, 0.2, 0.1]
    """
    from ..plateau import Plateau

    base = _check.positive("base_lr", base_lr)
    f = _check.real("factor", factor)
    if not 0.0 < f < 1.0:
        msg = f"factor must be in (0, 1), got factor={factor!r}"
        raise ValueError(msg)
    low = _check.nonnegative("min_lr", min_lr)
    high = _check.positive("max_lr", max_lr)
    e = _check.nonnegative("eps", eps)
    if not isinstance(smooth, bool):
        msg = f"smooth must be a bool, got smooth={smooth!r}"
        raise TypeError(msg)
    return Plateau(
        mode=mode,  # type: ignore[arg-type]
        factor=f,
        patience=patience,
        threshold=threshold,
        threshold_mode=threshold_mode,  # type: ignore[arg-type]
        cooldown=cooldown,
        min_scale=low / base,
        max_scale=high / base,
        eps=e / base,
        nan_policy="bad",
        greedy=True,
        warmup=warmup,
        reset_start=reset_start,
        smooth_window=_count("window_size", window_size) if smooth else None,
    )
