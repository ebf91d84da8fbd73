"""Common recipes: warmup then cosine or linear decay, warmup-stable-decay,
cosine with restarts, warmup then inverse square root (Hugging Face
``transformers`` semantics) and batch-size scaling rules (Goyal et al.'s linear
rule, or the square-root rule).
"""

from __future__ import annotations

import math
from typing import Any

from .. import _check
from .._node import Schedule
from ..combinators import cooldown, cyclical, sequence, shift, warmup
from ..functions import power
from ..shapes import constant, cosine, linear, polynomial
from ..shapes import inverse_sqrt as _inverse_sqrt_shape
from ._common import _count

__all__ = [
    "warmup_cosine",
    "warmup_linear",
    "warmup_stable_decay",
    "cosine_with_restarts",
    "warmup_inverse_sqrt",
    "linear_scaling",
]


def _recipe_steps(warmup_steps: Any, total_steps: Any) -> tuple[int, int]:
    w = _count("warmup_steps", warmup_steps, minimum=0)
    n = _count("total_steps", total_steps)
    if n <= w:
        msg = f"total_steps must be > warmup_steps={w}, got total_steps={total_steps!r}"
        raise ValueError(msg)
    return w, n


def warmup_cosine(value: float, warmup_steps: int, total_steps: int, start: float = 0.0, end: float = 0.0) -> Schedule:
    """Linear warmup to ``value``, then a half cosine down to ``end`` at ``total_steps``.

    ``f(t) = start + (value - start) * t / warmup_steps`` for ``t <
    warmup_steps``; then, with ``p = (t - warmup_steps) / (total_steps -
    warmup_steps)``, ``end + (value - end) * (1 + cos(pi * p)) / 2``; ``end``
    from ``total_steps`` on.

    Equivalent (times the optimizer's lr ``value``) to Hugging Face's
    ``get_cosine_schedule_with_warmup(opt, warmup_steps, total_steps)`` (with
    ``end = value * min_lr_rate``: ``get_cosine_with_min_lr_schedule_with_warmup``)
    up to ``total_steps``; past it HF's cosine turns back up, schedalg holds ``end``.

    Args:
        value: the peak (the optimizer's lr in HF's terms).
        warmup_steps: steps of linear warmup (integer >= 0).
        total_steps: the step where ``end`` is reached (> ``warmup_steps``).
        start: the value at step 0.
        end: the final value.

    >>> from schedalg.presets import warmup_cosine
    >>> s = warmup_cosine(1.0, warmup_steps=10, total_steps=110)
    >>> s(5), s(10), s(60), s(110), s(500)
    (0.5, 1.0, 0.5, 0.0, 0.0)
    """
    top = _check.real("value", value)
    w, n = _recipe_steps(warmup_steps, total_steps)
    body = cosine(top, _check.real("end", end), n - w)
    return warmup(body, w, start=_check.real("start", start))


def warmup_linear(value: float, warmup_steps: int, total_steps: int, start: float = 0.0, end: float = 0.0) -> Schedule:
    """Linear warmup to ``value``, then a straight line down to ``end`` at ``total_steps``.

    ``f(t) = start + (value - start) * t / warmup_steps`` for ``t <
    warmup_steps``, then ``value + (end - value) * (t - warmup_steps) /
    (total_steps - warmup_steps)``, ``end`` from ``total_steps`` on.

    Equivalent (times ``value``) to Hugging Face's
    ``get_linear_schedule_with_warmup(opt, warmup_steps, total_steps)``.

    Args:
        value: the peak (the optimizer's lr in HF's terms).
        warmup_steps: steps of linear warmup (integer >= 0).
        total_steps: the step where ``end`` is reached (> ``warmup_steps``).
        start: the value at step 0.
        end: the final value.

    >>> from schedalg.presets import warmup_linear
    >>> s = warmup_linear(1.0, warmup_steps=10, total_steps=30)
    >>> s(5), s(10), s(20), s(30), s(99)
    (0.5, 1.0, 0.5, 0.0, 0.0)
    """
    top = _check.real("value", value)
    w, n = _recipe_steps(warmup_steps, total_steps)
    body = linear(top, _check.real("end", end), n - w)
    return warmup(body, w, start=_check.real("start", start))


_DECAYS = {"linear": "linear", "cosine": "cosine", "1-sqrt": "sqrt", "sqrt": "sqrt"}


def warmup_stable_decay(
    value: float,
    warmup_steps: int,
    stable_steps: int,
    decay_steps: int,
    start: float = 0.0,
    end: float = 0.0,
    warmup_shape: str = "linear",
    decay_shape: str = "cosine",
) -> Schedule:
    """Warmup-stable-decay (WSD): ramp up, hold ``value``, decay to ``end``.

    With ``w, s, d`` the three lengths, ``u = t / w`` and ``p = (t - w - s) / d``:

    * warmup, ``t < w``: ``start + (value - start) * a(u)`` with ``a(u) = u``
      (``"linear"``), ``(1 - cos(pi * u)) / 2`` (``"cosine"``) or
      ``1 - sqrt(1 - u)`` (``"1-sqrt"``);
    * stable, ``w <= t < w + s``: ``value``;
    * decay, ``w + s <= t < w + s + d``: ``end + (value - end) * b(p)`` with
      ``b(p) = 1 - p`` (``"linear"``), ``(1 + cos(pi * p)) / 2`` (``"cosine"``)
      or ``1 - sqrt(p)`` (``"1-sqrt"``, alias ``"sqrt"``);
    * ``end`` afterwards.

    Equivalent (times ``value``) to Hugging Face's ``get_wsd_schedule(opt,
    num_warmup_steps=w, num_decay_steps=d, num_stable_steps=s, warmup_type,
    decay_type, min_lr_ratio=r)`` with ``start = end = value * r`` (HF's default
    ``num_cycles=0.5``).

    Args:
        value: the plateau.
        warmup_steps: ``w`` (integer >= 0).
        stable_steps: ``s`` (integer >= 0).
        decay_steps: ``d`` (integer >= 1).
        start: the value at step 0.
        end: the final value.
        warmup_shape: ``"linear"``, ``"cosine"`` or ``"1-sqrt"``.
        decay_shape: ``"linear"``, ``"cosine"`` or ``"1-sqrt"`` (HF's default is
            ``"cosine"``).

    >>> from schedalg.presets import warmup_stable_decay
    >>> s = warmup_stable_decay(1.0, 10, 80, 10, decay_shape="1-sqrt")
    >>> s(5), s(10), s(89), s(90), s(92.5), s(100)
    (0.5, 1.0, 1.0, 1.0, 0.5, 0.0)
    """
    top = _check.real("value", value)
    w = _count("warmup_steps", warmup_steps, minimum=0)
    s = _count("stable_steps", stable_steps, minimum=0)
    d = _count("decay_steps", decay_steps)
    lo = _check.real("start", start)
    low_end = _check.real("end", end)
    wshape = _check.choice("warmup_shape", warmup_shape, ("linear", "cosine", "1-sqrt"))
    dshape = _DECAYS[_check.choice("decay_shape", decay_shape, tuple(_DECAYS))]
    body: Schedule = constant(top)
    if w and wshape == "1-sqrt":
        # start + (value - start) * (1 - sqrt(1 - u)) is polynomial(start, value, w, 0.5)
        body = sequence([polynomial(lo, top, w, power=0.5), body], [w])
    elif w:
        body = warmup(body, w, start=lo, shape=wshape)
    return cooldown(body, at=w + s, steps=d, end=low_end, shape=dshape)


def cosine_with_restarts(
    value: float,
    warmup_steps: int,
    total_steps: int,
    num_cycles: int = 1,
    start: float = 0.0,
    end: float = 0.0,
) -> Schedule:
    """Linear warmup, then ``num_cycles`` equal cosine decays with hard restarts.

    After a linear warmup from ``start`` (as :func:`warmup_cosine`), the
    ``total_steps - warmup_steps`` remaining steps are cut into ``num_cycles``
    cycles of equal (possibly fractional) length ``L``; each decays from
    ``value`` to ``end`` as ``end + (value - end) * (1 + cos(pi * c / L)) / 2``
    (``c`` the steps since the restart). ``end`` from ``total_steps`` on.

    Equivalent (times ``value``) to Hugging Face's
    ``get_cosine_with_hard_restarts_schedule_with_warmup(opt, warmup_steps,
    total_steps, num_cycles)``. Difference: HF computes the phase as
    ``(num_cycles * progress) % 1`` in floats, which can land one ulp short of a
    restart (e.g. ``num_cycles=49``: ``49 * (1 / 49) < 1``) and answer ``end``
    instead of ``value`` at that single step; schedalg restarts exactly.

    Args:
        value: the peak (the optimizer's lr in HF's terms).
        warmup_steps: steps of linear warmup (integer >= 0).
        total_steps: the step where ``end`` is reached (> ``warmup_steps``).
        num_cycles: the number of equal cycles (integer >= 1).
        start: the value at step 0.
        end: the value each cycle decays to, and the final value.

    >>> from schedalg.presets import cosine_with_restarts
    >>> s = cosine_with_restarts(1.0, warmup_steps=0, total_steps=40, num_cycles=2)
    >>> s(0), s(10), s(20), s(30), s(40)
    (1.0, 0.5, 1.0, 0.5, 0.0)
    """
    top = _check.real("value", value)
    w, n = _recipe_steps(warmup_steps, total_steps)
    cycles = _count("num_cycles", num_cycles)
    low = _check.real("end", end)
    span = n - w
    if cycles == 1:  # the cosine holds `end` by itself: warmup_cosine's schedule
        return warmup(cosine(top, low, span), w, start=_check.real("start", start))
    if span % cycles == 0:
        length = span // cycles
        body = cyclical(cosine(top, low, length), length)
        return warmup(sequence([body, constant(low)], [span]), w, start=_check.real("start", start))
    import fractions  # only here: it costs more to import than the rest of presets
    # Fractional cycle length L = span / num_cycles: the k-th restart, at k * L,
    # is usually not a float. Each cycle is its own piece, starting at the
    # smallest float b_k >= k * L and shifted by the exact remainder
    # b_k - k * L, so the phase is accurate to an ulp in every cycle (a single
    # cyclical node of period L would accumulate k roundings of L).
    cycle = cosine(top, low, span / cycles)
    pieces: list[Schedule] = [cycle]
    bounds: list[float] = []
    for k in range(1, cycles):
        exact = fractions.Fraction(k * span, cycles)
        b = float(exact)
        if fractions.Fraction(b) < exact:
            b = math.nextafter(b, math.inf)
        pieces.append(shift(cycle, float(fractions.Fraction(b) - exact)))
        bounds.append(b)
    pieces.append(constant(low))
    bounds.append(span)
    return warmup(sequence(pieces, bounds), w, start=_check.real("start", start))


def warmup_inverse_sqrt(value: float, warmup_steps: int, timescale: int | None = None, start: float = 0.0) -> Schedule:
    """Linear warmup, then inverse square-root decay with a timescale (Hugging Face semantics).

    ``f(t) = start + (value - start) * t / warmup_steps`` for ``t <
    warmup_steps``, then ``value / sqrt((t - warmup_steps + timescale) /
    timescale)``: ``value`` at the end of the warmup, halved ``3 * timescale``
    steps later. ``timescale`` defaults to ``warmup_steps``, or 10_000 without a
    warmup, as HF. (For the plain shape, ``value`` until ``timescale`` then
    ``value * sqrt(timescale / t)``, see :func:`schedalg.inverse_sqrt`.)

    Equivalent (times ``value``) to Hugging Face's
    ``get_inverse_sqrt_schedule(opt, warmup_steps, timescale)``
    (:func:`schedalg.presets.transformers.inverse_sqrt_schedule`). Named
    ``inverse_sqrt`` before 0.2; renamed as it clashed with the shape
    :func:`schedalg.inverse_sqrt`.

    Args:
        value: the value at the end of the warmup.
        warmup_steps: steps of linear warmup (integer >= 0).
        timescale: steps for the decay (integer >= 1; default as HF).
        start: the value at step 0.

    >>> from schedalg.presets import warmup_inverse_sqrt
    >>> s = warmup_inverse_sqrt(1.0, warmup_steps=100)
    >>> s(50), s(100), s(400), s(1600)
    (0.5, 1.0, 0.5, 0.25)
    """
    top = _check.real("value", value)
    w = _count("warmup_steps", warmup_steps, minimum=0)
    ts = (w or 10_000) if timescale is None else _count("timescale", timescale)
    body = shift(_inverse_sqrt_shape(top, ts), ts)
    return warmup(body, w, start=_check.real("start", start))


def linear_scaling(
    lr: float | Schedule,
    batch_size: int | Schedule,
    base_batch_size: int,
    rule: str = "linear",
) -> Schedule:
    """The learning rate that follows a batch size: ``lr`` tuned at ``base_batch_size``.

    * ``rule="linear"`` (Goyal et al., 2017, for SGD): ``f(t) = lr(t) *
      batch_size(t) / base_batch_size``;
    * ``rule="sqrt"`` (for adaptive optimizers such as Adam): ``f(t) = lr(t) *
      sqrt(batch_size(t) / base_batch_size)``.

    ``lr`` and ``batch_size`` are each a number or a schedule (e.g. a
    batch-size preset such as :func:`step_bs`). With a fixed batch size the
    result is ``lr`` scaled by a constant; the ``sqrt`` rule of a batch-size
    *schedule* is ``lr * power(batch_size / base_batch_size, 0.5)``: an
    ordinary schedule, serializable.

    Args:
        lr: the learning rate (number or schedule) tuned at ``base_batch_size``.
        batch_size: the batch size (number or schedule).
        base_batch_size: the batch size ``lr`` was tuned for (positive).
        rule: ``"linear"`` or ``"sqrt"``.

    >>> from schedalg.presets import linear_scaling, step_bs
    >>> bs = step_bs(256, step_size=10)
    >>> lr = linear_scaling(0.1, bs, base_batch_size=256)
    >>> lr(0), lr(10), lr(25)
    (0.1, 0.2, 0.4)
    >>> linear_scaling(0.1, 1024, 256, rule="sqrt")(0)
    0.2
    >>> linear_scaling(0.1, bs, 256, rule="sqrt")(25)
    0.2
    """
    the_rule = _check.choice("rule", rule, ("linear", "sqrt"))
    base = _check.positive("base_batch_size", base_batch_size)
    lr_s = lr if isinstance(lr, Schedule) else constant(_check.real("lr", lr))
    if not isinstance(batch_size, Schedule):
        ratio = _check.positive("batch_size", batch_size) / base
        return lr_s * (ratio if the_rule == "linear" else math.sqrt(ratio))
    ratio_s = batch_size / base
    if the_rule == "sqrt":
        ratio_s = power(ratio_s, 0.5)
    return ratio_s * lr_s(0) if not isinstance(lr, Schedule) else lr_s * ratio_s
