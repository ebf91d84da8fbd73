"""bs-scheduler's batch-size schedulers (package ``bs_scheduler``).

The dataloader is replaced by a positional-only first argument ``batch_size``,
the loader's batch size. Values are integers (:func:`~schedalg.quantize`,
rounding half to even as Python's ``round``, clamped to ``[min_batch_size,
max_batch_size]``). ``max_batch_size=None`` means no upper bound: bs-scheduler
defaults it to ``len(dataset) + 1``, one more than the dataset holds, which
schedalg cannot see. bs-scheduler updates recursively and rounds at every
epoch; where that drifts from its own formula, schedalg follows the formula,
and each docstring lists the differences. bs-scheduler also stops for good
once a value is clamped by a bound; schedalg clamps each step independently
(the same values for monotone schedules). A loader batch size outside
``[min_batch_size, max_batch_size]`` raises ``ValueError`` (bs-scheduler
clamps it at the first step and carries on from there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .. import _check
from .._node import Schedule
from ..combinators import clip, cyclical, quantize, sequence, shift
from ..shapes import cosine, exponential, from_fn, linear, piecewise_constant
from ._common import _EXACT_STEPS, _callable, _count, _fraction, _gamma, _pieces_and_milestones
from .torch import _anneal, _cyclic, _RunningProduct, multistep_lr

if TYPE_CHECKING:
    from ..plateau import Plateau

__all__ = [
    "step_bs",
    "multistep_bs",
    "constant_bs",
    "linear_bs",
    "exponential_bs",
    "polynomial_bs",
    "cosine_annealing_bs",
    "cyclic_bs",
    "cosine_annealing_bs_with_warm_restarts",
    "one_cycle_bs",
    "lambda_bs",
    "multiplicative_bs",
    "sequential_bs",
    "increase_bs_on_plateau",
]


def _bs(name: str, value: Any) -> int:
    return _check.integer(name, value, minimum=1)


def _bounds(batch_size: int, min_batch_size: Any, max_batch_size: Any) -> tuple[int, int | None]:
    """Validated ``(min_batch_size, max_batch_size)``, with ``batch_size`` between them.

    bs-scheduler accepts a loader batch size out of bounds, clamps it at the
    first step and goes on from the clamped value; schedalg rejects it.
    """
    low = _bs("min_batch_size", min_batch_size)
    high = None if max_batch_size is None else _bs("max_batch_size", max_batch_size)
    if high is not None and high < low:
        msg = f"max_batch_size must be >= min_batch_size, got max_batch_size={max_batch_size!r} and min_batch_size={min_batch_size!r}"
        raise ValueError(msg)
    if batch_size < low or (high is not None and batch_size > high):
        msg = f"batch_size must be in [min_batch_size, max_batch_size] = [{low}, {high}], got batch_size={batch_size!r}"
        raise ValueError(msg)
    return low, high


def _required_max(max_batch_size: Any, base: int, what: str) -> int:
    if max_batch_size is None:
        msg = (
            f"{what} needs max_batch_size (bs-scheduler defaults it to len(dataset) + 1, "
            "which schedalg cannot see), got max_batch_size=None"
        )
        raise ValueError(msg)
    high = _bs("max_batch_size", max_batch_size)
    if high <= base:
        msg = f"max_batch_size must be > base_batch_size={base}, got max_batch_size={max_batch_size!r}"
        raise ValueError(msg)
    return high


def _base(batch_size: int, base_batch_size: Any, min_batch_size: int) -> int:
    if base_batch_size is None:
        return batch_size
    base = _bs("base_batch_size", base_batch_size)
    if base < min_batch_size:
        msg = f"base_batch_size must be >= min_batch_size={min_batch_size}, got base_batch_size={base_batch_size!r}"
        raise ValueError(msg)
    return base


def _integer_bs(s: Schedule, low: int, high: int | None) -> Schedule:
    # Clip before rounding (the same integers, as the bounds are integers): a
    # growth that overflows to inf far out becomes max_batch_size instead of an
    # error in quantize.
    return quantize(clip(s, low, high))


def step_bs(
    batch_size: int,
    /,
    step_size: int,
    gamma: float = 2.0,
    max_batch_size: int | None = None,
    min_batch_size: int = 1,
) -> Schedule:
    """Grow the batch size by ``gamma`` every ``step_size`` steps (bs-scheduler ``StepBS``).

    ``f(t) = clamp(round(batch_size * gamma ** floor(t / step_size)), min_batch_size, max_batch_size)``.

    Equivalent to ``bs_scheduler.StepBS(loader, step_size, gamma,
    max_batch_size=..., min_batch_size=...)`` with ``loader.batch_size ==
    batch_size``. Difference: bs-scheduler rounds after every growth, which
    drifts for gammas that do not keep integers: from 10 with ``gamma=1.5`` it
    gives 10, 15, 22, 33, 50 where the formula gives 10, 15, 22, 34, 51.

    Args:
        batch_size: the loader's batch size (positional only).
        step_size: steps between growths (integer >= 1).
        gamma: the growth factor (positive; < 1 shrinks).
        max_batch_size: upper clamp (``None``: no bound).
        min_batch_size: lower clamp (integer >= 1).

    >>> from schedalg.presets import step_bs
    >>> s = step_bs(32, step_size=10, max_batch_size=200)
    >>> s(0), s(10), s(25), s(100)
    (32, 64, 128, 200)
    """
    bs = _bs("batch_size", batch_size)
    low, high = _bounds(bs, min_batch_size, max_batch_size)
    s = exponential(float(bs), _gamma(gamma), every=_count("step_size", step_size), staircase=True)
    return _integer_bs(s, low, high)


def multistep_bs(
    batch_size: int,
    /,
    milestones: Iterable[int],
    gamma: float = 2.0,
    max_batch_size: int | None = None,
    min_batch_size: int = 1,
) -> Schedule:
    """Grow the batch size by ``gamma`` at each milestone (bs-scheduler ``MultiStepBS``).

    ``f(t) = clamp(round(batch_size * gamma ** (milestones <= t)), min, max)``; a
    milestone listed ``n`` times counts ``n`` times, order does not matter.

    Equivalent to ``bs_scheduler.MultiStepBS(loader, milestones, gamma, ...)``
    (milestones are positive integers there). Difference: bs-scheduler rounds
    after every growth (see :func:`step_bs`).

    Args:
        batch_size: the loader's batch size (positional only).
        milestones: steps (integers >= 1) where the batch size grows.
        gamma: the growth factor (positive).
        max_batch_size: upper clamp (``None``: no bound).
        min_batch_size: lower clamp (integer >= 1).

    >>> from schedalg.presets import multistep_bs
    >>> s = multistep_bs(16, milestones=[5, 20], gamma=3.0)
    >>> s(4), s(5), s(20)
    (16, 48, 144)
    """
    bs = _bs("batch_size", batch_size)
    low, high = _bounds(bs, min_batch_size, max_batch_size)
    if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Iterable):
        msg = f"milestones must be a sequence of integers, got milestones={milestones!r}"
        raise TypeError(msg)
    ms = list(milestones)
    for i, m in enumerate(ms):
        _count(f"milestones[{i}]", m, minimum=1)
    return _integer_bs(multistep_lr(float(bs), ms, _gamma(gamma)), low, high)


def constant_bs(
    batch_size: int,
    /,
    factor: float,
    milestone: int = 5,
    max_batch_size: int | None = None,
    min_batch_size: int = 1,
) -> Schedule:
    """``batch_size * factor`` until ``milestone``, then ``batch_size`` (bs-scheduler ``ConstantBS``).

    ``f(t) = round(batch_size * factor)`` for ``t < milestone``, else
    ``batch_size``; ``factor`` is first clipped to
    ``[min_batch_size / batch_size, max_batch_size / batch_size]``, as bs-scheduler does.

    Equivalent to ``bs_scheduler.ConstantBS(loader, factor, milestone, ...)``.
    Difference: bs-scheduler returns to ``round(round(batch_size * factor) /
    factor)``, which is ``batch_size`` for ``factor >= 1`` but not always below
    (from 10 with ``factor=0.15``: 2, then 13); schedalg returns to ``batch_size``.

    Args:
        batch_size: the loader's batch size (positional only).
        factor: the multiplier until ``milestone`` (positive).
        milestone: the step where ``batch_size`` returns (integer >= 1).
        max_batch_size: upper clamp (``None``: no bound).
        min_batch_size: lower clamp (integer >= 1).

    >>> from schedalg.presets import constant_bs
    >>> s = constant_bs(64, factor=4.0, milestone=3)
    >>> s(0), s(2), s(3)
    (256, 256, 64)
    """
    bs = _bs("batch_size", batch_size)
    low, high = _bounds(bs, min_batch_size, max_batch_size)
    f = _check.positive("factor", factor)
    n = _count("milestone", milestone)
    if high is not None and f > high / bs:
        f = high / bs
    elif f < low / bs:
        f = low / bs
    return _integer_bs(piecewise_constant([n], [bs * f, float(bs)]), low, high)


def linear_bs(
    batch_size: int,
    /,
    start_factor: float = 3.0,
    end_factor: float = 1.0,
    milestone: int = 5,
    max_batch_size: int | None = None,
    min_batch_size: int = 1,
) -> Schedule:
    """Linear change of the multiplier from ``start_factor`` to ``end_factor`` (bs-scheduler ``LinearBS``).

    ``f(t) = round(batch_size * (start_factor + (end_factor - start_factor) *
    min(t, milestone) / milestone))``, clamped.

    Equivalent to ``bs_scheduler.LinearBS(loader, start_factor, end_factor,
    milestone, ...)``. Difference: bs-scheduler multiplies the *rounded* batch
    size by a ratio at every epoch, which compounds: from 64 with
    ``start_factor=1, end_factor=10`` it ends at 639 (``milestone=5``), 644
    (``milestone=10``) or 664 (``milestone=50``) instead of 640.

    Args:
        batch_size: the loader's batch size (positional only).
        start_factor: the multiplier at step 0 (positive).
        end_factor: the multiplier from ``milestone`` on (positive).
        milestone: length of the ramp (integer >= 1).
        max_batch_size: upper clamp (``None``: no bound).
        min_batch_size: lower clamp (integer >= 1).

    >>> from schedalg.presets import linear_bs
    >>> s = linear_bs(64, start_factor=1.0, end_factor=10.0, milestone=10)
    >>> s(0), s(5), s(10), s(11)
    (64, 352, 640, 640)
    """
    bs = _bs("batch_size", batch_size)
    low, high = _bounds(bs, min_batch_size, max_batch_size)
    start = _check.positive("start_factor", start_factor)
    end = _check.positive("end_factor", end_factor)
    n = _count("milestone", milestone)
    return _integer_bs(linear(bs * start, bs * end, n), low, high)


def exponential_bs(
    batch_size: int,
    /,
    gamma: float,
    max_batch_size: int | None = None,
    min_batch_size: int = 1,
) -> Schedule:
    """Grow the batch size by ``gamma`` every step (bs-scheduler ``ExponentialBS``).

    ``f(t) = clamp(round(batch_size * gamma ** t), min_batch_size, max_batch_size)``.

    Equivalent to ``bs_scheduler.ExponentialBS(loader, gamma, ...)``, which keeps
    the unrounded product (so it follows this formula up to the last bits).

    Args:
        batch_size: the loader's batch size (positional only).
        gamma: the growth factor per step (positive).
        max_batch_size: upper clamp (``None``: no bound).
        min_batch_size: lower clamp (integer >= 1).

    >>> from schedalg.presets import exponential_bs
    >>> s = exponential_bs(10, gamma=1.1, max_batch_size=100)
    >>> [s(t) for t in range(5)], s(100)
    ([10, 11, 12, 13, 15], 100)
    """
    bs = _bs("batch_size", batch_size)
    low, high = _bounds(bs, min_batch_size, max_batch_size)
    return _integer_bs(exponential(float(bs), _gamma(gamma)), low, high)


def polynomial_bs(
    batch_size: int,
    /,
    total_iters: int,
    power: float = 1.0,
    max_batch_size: int | None = None,
    min_batch_size: int = 1,
) -> Schedule:
    """Polynomially slowing growth over ``total_iters`` steps (bs-scheduler ``PolynomialBS``).

    bs-scheduler multiplies the batch size at epoch ``j`` (``1 <= j <
    total_iters``) by ``g_j = 2 - (j / (j + 1)) ** power``. schedalg applies the
    product without the per-epoch rounding:
    ``f(t) = round(batch_size * g_1 * ... * g_min(t, total_iters - 1))``,
    clamped; for ``power=1`` that is ``round(batch_size * (1 + min(t,
    total_iters - 1) / 2))`` (a :func:`schedalg.linear`), otherwise a
    :func:`schedalg.piecewise_constant` table of the ``total_iters`` products
    (bisection lookup).

    Equivalent to ``bs_scheduler.PolynomialBS(loader, total_iters, power, ...)``.
    Difference: bs-scheduler rounds at every epoch; for ``power != 1`` that
    drifts (from 10 with ``total_iters=5, power=2``: 10, 18, 28, 40, 54 where the
    product gives 10, 18, 27, 39, 53).

    Args:
        batch_size: the loader's batch size (positional only).
        total_iters: epochs of growth (integer >= 2).
        power: the exponent of the factors.
        max_batch_size: upper clamp (``None``: no bound).
        min_batch_size: lower clamp (integer >= 1).

    >>> from schedalg.presets import polynomial_bs
    >>> s = polynomial_bs(10, total_iters=5)
    >>> [s(t) for t in range(7)]
    [10, 15, 20, 25, 30, 30, 30]
    """
    bs = _bs("batch_size", batch_size)
    low, high = _bounds(bs, min_batch_size, max_batch_size)
    n = _count("total_iters", total_iters, minimum=2)
    p = _check.real("power", power)
    if p == 1.0:
        return _integer_bs(linear(float(bs), bs * (n + 1) / 2, n - 1), low, high)
    values = [float(bs)]
    for j in range(1, n):
        # bs-scheduler's own expression for the factor, with remaining = n - j
        remaining = n - j
        g = 2.0 - ((1.0 - remaining / n) / (1.0 - (remaining - 1) / n)) ** p
        values.append(values[-1] * g)
        if high is not None and p > 0.0 and values[-1] >= high:
            break  # the products only grow (g > 1): the clip holds `high` from here
    return _integer_bs(piecewise_constant(list(range(1, len(values))), values), low, high)


def cosine_annealing_bs(
    batch_size: int,
    /,
    total_iters: int,
    base_batch_size: int | None = None,
    max_batch_size: int | None = None,
    min_batch_size: int = 1,
) -> Schedule:
    """Cosine wave from ``base_batch_size`` up to ``max_batch_size`` and back (bs-scheduler ``CosineAnnealingBS``).

    ``f(t) = round(max + (base - max) * (1 + cos(pi * t / total_iters)) / 2)``
    clamped to ``[base, max]``, with ``base = base_batch_size`` (default
    ``batch_size``) and ``max = max_batch_size`` (required): up at
    ``total_iters``, down again at ``2 * total_iters``, periodically.

    Equivalent to ``bs_scheduler.CosineAnnealingBS(loader, total_iters,
    base_batch_size, max_batch_size=...)``. Difference: when ``base_batch_size``
    differs from the loader's batch size, bs-scheduler answers the loader's
    batch size at step 0; schedalg starts at ``base_batch_size``. (bs-scheduler
    updates recursively in floats; the rounded values agree except, rarely, at
    an exact ``.5`` tie.)

    Args:
        batch_size: the loader's batch size (positional only).
        total_iters: half the period (integer >= 2).
        base_batch_size: the low end of the wave (default ``batch_size``).
        max_batch_size: the high end of the wave (required, > base).
        min_batch_size: must not exceed ``base_batch_size``.

    >>> from schedalg.presets import cosine_annealing_bs
    >>> s = cosine_annealing_bs(10, total_iters=5, max_batch_size=100)
    >>> [s(t) for t in range(11)]
    [10, 19, 41, 69, 91, 100, 91, 69, 41, 19, 10]
    """
    bs = _bs("batch_size", batch_size)
    low, _ = _bounds(bs, min_batch_size, None)
    base = _base(bs, base_batch_size, low)
    high = _required_max(max_batch_size, base, "cosine_annealing_bs")
    _bounds(bs, low, high)  # the loader's batch size must be within the bounds too
    n = _count("total_iters", total_iters, minimum=2)
    wave = cyclical(sequence([cosine(float(base), float(high), n), cosine(float(high), float(base), n)], [n]), 2 * n)
    return _integer_bs(wave, base, high)


def cyclic_bs(
    batch_size: int,
    /,
    base_batch_size: int | None = None,
    step_size_down: int = 2000,
    step_size_up: int | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
    scale_fn: Callable[[Any], float] | None = None,
    scale_mode: str = "cycle",
    max_batch_size: int | None = None,
    min_batch_size: int = 1,
) -> Schedule:
    """Cyclical batch size, down from ``base_batch_size`` to ``min_batch_size`` and back (bs-scheduler ``CyclicBS``).

    :func:`cyclic_lr`'s formula with the wave reversed:
    ``f(t) = round(base - (base - min_batch_size) * w(t) * scale(t))``, where
    ``w`` rises over ``step_size_down`` steps (the batch size falls) and falls
    over ``step_size_up`` (default ``step_size_down``), and ``scale`` is as in
    :func:`cyclic_lr` (``triangular``, ``triangular2``, ``exp_range`` with
    ``gamma ** t``, or a custom ``scale_fn``). Clamped to
    ``[min_batch_size, max_batch_size]``.

    Equivalent to ``bs_scheduler.CyclicBS(loader, base_batch_size,
    step_size_down, step_size_up, mode, gamma, scale_fn, scale_mode, ...)``.

    Args:
        batch_size: the loader's batch size (positional only).
        base_batch_size: the top of the cycle (default ``batch_size``).
        step_size_down: steps from ``base`` down to ``min_batch_size``.
        step_size_up: steps back up (default ``step_size_down``).
        mode, gamma, scale_fn, scale_mode: as :func:`cyclic_lr`.
        max_batch_size: upper clamp (``None``: no bound).
        min_batch_size: the bottom of the cycle (< base).

    >>> from schedalg.presets import cyclic_bs
    >>> s = cyclic_bs(64, step_size_down=4, min_batch_size=8)
    >>> [s(t) for t in range(9)]
    [64, 50, 36, 22, 8, 22, 36, 50, 64]
    """
    bs = _bs("batch_size", batch_size)
    low, high = _bounds(bs, min_batch_size, max_batch_size)
    base = _base(bs, base_batch_size, low)
    if base <= low:
        msg = f"base_batch_size must be > min_batch_size={low}, got base_batch_size={base}"
        raise ValueError(msg)
    s = _cyclic(
        float(base), float(low), step_size_down, step_size_up, mode, gamma, scale_fn, scale_mode,
        ("step_size_down", "step_size_up"),
    )  # fmt: skip
    return _integer_bs(s, low, high)


def cosine_annealing_bs_with_warm_restarts(
    batch_size: int,
    /,
    t_0: int,
    base_batch_size: int | None = None,
    factor: int = 1,
    max_batch_size: int | None = None,
    min_batch_size: int = 1,
) -> Schedule:
    """Cosine rises from ``base`` to ``max_batch_size``, restarting (bs-scheduler ``CosineAnnealingBSWithWarmRestarts``).

    Cycle ``i`` has ``t_i = t_0 * factor**i`` and lasts ``t_i + 1`` steps (both
    ends included, as bs-scheduler); within it, with ``c`` the steps since the
    restart, ``f(t) = round(base + (max - base) * (1 - cos(pi * c / t_i)) / 2)``
    clamped to ``[base, max]``. ``factor=1`` is a :func:`schedalg.cyclical` of
    period ``t_0 + 1``; for ``factor > 1`` the cycle lengths are not geometric,
    so it is a :func:`schedalg.sequence` of the cycles that start below 2**53
    (at most 54; bisection lookup).

    Equivalent to ``bs_scheduler.CosineAnnealingBSWithWarmRestarts(loader, t_0,
    base_batch_size, factor, max_batch_size=...)``. Difference: bs-scheduler
    answers the loader's batch size at step 0 when ``base_batch_size`` differs
    from it; schedalg starts at ``base``.

    Args:
        batch_size: the loader's batch size (positional only).
        t_0: steps of the first rise (integer >= 1).
        base_batch_size: the value at each restart (default ``batch_size``).
        factor: growth of ``t_i`` after each restart (integer >= 1).
        max_batch_size: the top of each rise (required, > base).
        min_batch_size: must not exceed ``base_batch_size``.

    >>> from schedalg.presets import cosine_annealing_bs_with_warm_restarts as f
    >>> s = f(10, t_0=5, max_batch_size=100)
    >>> [s(t) for t in range(8)]
    [10, 19, 41, 69, 91, 100, 10, 19]
    """
    bs = _bs("batch_size", batch_size)
    low, _ = _bounds(bs, min_batch_size, None)
    base = _base(bs, base_batch_size, low)
    high = _required_max(max_batch_size, base, "cosine_annealing_bs_with_warm_restarts")
    _bounds(bs, low, high)  # the loader's batch size must be within the bounds too
    n = _count("t_0", t_0)
    mult = _count("factor", factor)
    lo, hi = float(base), float(high)
    if mult == 1:
        return _integer_bs(cyclical(cosine(lo, hi, n), n + 1), base, high)
    pieces = [cosine(lo, hi, n)]
    bounds: list[int] = []
    length, start = n, 0
    while True:
        start += length + 1
        length *= mult
        if start >= _EXACT_STEPS:
            break
        bounds.append(start)
        pieces.append(cosine(lo, hi, length))
    return _integer_bs(sequence(pieces, bounds), base, high)


def one_cycle_bs(
    batch_size: int,
    /,
    total_steps: int,
    decay_percentage: float = 0.3,
    base_batch_size: int | None = None,
    strategy: str = "cos",
    max_batch_size: int | None = None,
    min_batch_size: int = 1,
) -> Schedule:
    """Down to ``min_batch_size``, then up to ``max_batch_size`` (bs-scheduler ``OneCycleBS``).

    With ``e1 = round(total_steps * decay_percentage)`` and ``e2 = total_steps -
    e1``: ``base -> min_batch_size`` over ``[0, e1]``, then ``min_batch_size ->
    max_batch_size`` over ``[e1, total_steps]``, each a half cosine
    (``strategy="cos"``) or a line (``"linear"``), rounded and clamped; from
    ``total_steps`` on ``max_batch_size`` holds.

    Equivalent to ``bs_scheduler.OneCycleBS(loader, total_steps,
    decay_percentage, base_batch_size, strategy, max_batch_size=...,
    min_batch_size=...)``. Difference: bs-scheduler answers the loader's batch
    size at step 0 when ``base_batch_size`` differs from it.

    Args:
        batch_size: the loader's batch size (positional only).
        total_steps: the length of the cycle (integer >= 2).
        decay_percentage: the fraction spent decreasing, in ``(0, 1]``.
        base_batch_size: the value at step 0 (default ``batch_size``).
        strategy: ``"cos"`` or ``"linear"``.
        max_batch_size: the final value (required, > base).
        min_batch_size: the bottom of the cycle (< base).

    >>> from schedalg.presets import one_cycle_bs
    >>> s = one_cycle_bs(64, total_steps=20, max_batch_size=256, min_batch_size=8)
    >>> s(0), s(6), s(13), s(20), s(50)
    (64, 8, 132, 256, 256)
    """
    bs = _bs("batch_size", batch_size)
    low, _ = _bounds(bs, min_batch_size, None)
    base = _base(bs, base_batch_size, low)
    if base <= low:
        msg = f"base_batch_size must be > min_batch_size={low}, got base_batch_size={base}"
        raise ValueError(msg)
    high = _required_max(max_batch_size, base, "one_cycle_bs")
    _bounds(bs, low, high)  # the loader's batch size must be within the bounds too
    total = _count("total_steps", total_steps, minimum=2)
    pct = _fraction("decay_percentage", decay_percentage, 0.0, 1.0, lo_open=True)
    kind = _check.choice("strategy", strategy, ("cos", "linear"))
    first = round(total * pct)
    second = total - first
    if first <= 0 or second <= 0:
        msg = (
            f"round(total_steps * decay_percentage) must be in [1, total_steps - 1], got "
            f"{first} for total_steps={total} and decay_percentage={decay_percentage!r}"
        )
        raise ValueError(msg)
    s = sequence(
        [_anneal(kind, float(base), float(low), first), _anneal(kind, float(low), float(high), second)], [first]
    )
    return _integer_bs(s, low, high)


def lambda_bs(
    batch_size: int,
    /,
    bs_lambda: Callable[[int], float],
    max_batch_size: int | None = None,
    min_batch_size: int = 1,
) -> Schedule:
    """``batch_size`` times a function of the step (bs-scheduler ``LambdaBS``).

    ``f(t) = clamp(round(batch_size * bs_lambda(t)), min_batch_size, max_batch_size)``;
    built with :func:`schedalg.from_fn` (not serializable).

    Equivalent to ``bs_scheduler.LambdaBS(loader, bs_lambda, ...)``. Difference:
    once a value is out of bounds bs-scheduler clamps it and stops for good
    (later values of ``bs_lambda`` are ignored); schedalg clamps each step
    independently.

    Args:
        batch_size: the loader's batch size (positional only).
        bs_lambda: the multiplier as a function of the step.
        max_batch_size: upper clamp (``None``: no bound).
        min_batch_size: lower clamp (integer >= 1).

    >>> from schedalg.presets import lambda_bs
    >>> s = lambda_bs(16, lambda epoch: 1 + epoch // 2, max_batch_size=40)
    >>> [s(t) for t in range(6)]
    [16, 16, 32, 32, 40, 40]
    """
    bs = _bs("batch_size", batch_size)
    low, high = _bounds(bs, min_batch_size, max_batch_size)
    return _integer_bs(from_fn(_callable("bs_lambda", bs_lambda)) * float(bs), low, high)


def multiplicative_bs(
    batch_size: int,
    /,
    bs_lambda: Callable[[int], float],
    max_batch_size: int | None = None,
    min_batch_size: int = 1,
) -> Schedule:
    """Multiply the batch size by ``bs_lambda(t)`` at every step, rounding each time (bs-scheduler ``MultiplicativeBS``).

    ``f(-1) = batch_size`` and ``f(t) = round(f(t - 1) * bs_lambda(t))``
    (half to even, as bs-scheduler's ``rint``) for ``t >= 0``: the factor of
    step 0 applies at once, as bs-scheduler's initial step does. Once a value
    leaves ``[min_batch_size, max_batch_size]`` it is clamped and held for good
    (``bs_lambda`` is no longer called), as bs-scheduler stops.

    The rounding at every step *is* bs-scheduler's formula here (there is no
    closed form to follow), so the values are bs-scheduler's exactly. Like
    :func:`~schedalg.presets.torch.multiplicative_lr`, the one documented
    exception to O(1) evaluation: the values are computed step by step and
    cached (the first call at step ``t`` costs ``t + 1`` calls of
    ``bs_lambda``; later calls up to ``t`` are a table lookup). Built with
    :func:`schedalg.from_fn` (equal only to itself, not serializable);
    ``bs_lambda`` must be pure.

    Equivalent to ``bs_scheduler.MultiplicativeBS(loader, bs_lambda,
    max_batch_size=..., min_batch_size=...)`` with ``loader.batch_size ==
    batch_size``.

    Args:
        batch_size: the loader's batch size (positional only).
        bs_lambda: the factor applied at step ``t >= 0`` (pure, deterministic).
        max_batch_size: upper bound (``None``: no bound).
        min_batch_size: lower bound (integer >= 1).

    >>> from schedalg.presets import multiplicative_bs
    >>> s = multiplicative_bs(10, lambda epoch: 1.5 if epoch % 2 == 0 else 0.9, max_batch_size=200)
    >>> [s(t) for t in range(8)], s(30)
    ([15, 14, 21, 19, 28, 25, 38, 34], 200)
    """
    bs = _bs("batch_size", batch_size)
    low, high = _bounds(bs, min_batch_size, max_batch_size)
    fn = _callable("bs_lambda", bs_lambda)
    table = _RunningProduct(float(bs), fn, "multiplicative_bs", (float(low), float("inf") if high is None else float(high)))
    return quantize(from_fn(table))


def sequential_bs(schedulers: Sequence[Schedule], milestones: Sequence[int]) -> Schedule:
    """Run batch-size schedules one after another, each continuing from the last batch size (bs-scheduler ``SequentialBS``).

    Before ``milestones[0]`` it is ``schedulers[0]``. At milestone ``m_i``
    bs-scheduler steps scheduler ``i`` (its epoch 1, not 0) from the batch size
    ``c_i`` the previous one left at ``m_i - 1``: for bs-scheduler's
    multiplicative schedulers that is ``c_i`` times the schedule's own growth
    since its step 0, so for ``m_i <= t < m_{i+1}``
    ``F(t) = clamp(c_i * g_i(t - m_i + 1) / g_i(0))`` and ``f(t) =
    round(F(t))``, with ``c_i = F(m_i - 1)`` and ``g_i`` the piece's formula
    before its rounding and clamping (the piece itself for a schedule that is
    not a batch-size preset), clamped to the piece's bounds: a
    :func:`schedalg.sequence` of rescaled, shifted pieces, rounded once (the
    ``c_i`` are computed at construction).

    Equivalent to ``bs_scheduler.SequentialBS(schedulers, milestones)`` with the
    bs-scheduler schedulers replaced by this module's presets, all built with
    the loader's batch size. As bs-scheduler, milestones are sorted integers
    >= 1 and may repeat (a scheduler whose interval is empty is never used).
    Differences: bs-scheduler rounds at every step from the current batch
    size and drifts from its formula; schedalg rounds the formula once (within
    1/2 of bs-scheduler's own formula, its code run unrounded, for
    ``StepBS``, ``MultiStepBS``, ``ConstantBS``, ``LinearBS``,
    ``ExponentialBS`` and ``PolynomialBS`` pieces: pinned by the tests). bs-scheduler's
    ``LambdaBS``, ``CosineAnnealingBS``, ``CyclicBS``, ``OneCycleBS`` and
    ``CosineAnnealingBSWithWarmRestarts`` compute from their base batch size
    rather than the current one, and their continuation differs; a
    :func:`multiplicative_bs` piece is continued from its rounded values.
    bs-scheduler stops a piece for good once clamped, schedalg clamps each
    step (the same for monotone pieces).

    Args:
        schedulers: the batch-size schedules (at least one).
        milestones: ``len(schedulers) - 1`` steps (integers >= 1, sorted).

    >>> from schedalg.presets import constant_bs, exponential_bs, sequential_bs
    >>> s = sequential_bs([constant_bs(10, factor=10, milestone=4), exponential_bs(10, gamma=1.1)], [5])
    >>> [s(t) for t in range(8)]
    [100, 100, 100, 100, 10, 11, 12, 13]
    """
    pieces, marks = _pieces_and_milestones(schedulers, milestones, minimum=1)
    ends = [*marks, None]
    kept = [(m, p) for m, end, p in zip(marks, ends[1:], pieces[1:]) if end is None or end > m]
    if not kept:
        return pieces[0]
    formula = _bounded(*_unrounded(pieces[0]))
    for m, piece in kept:
        c = formula(m - 1)
        g, low, high = _unrounded(piece)
        start = g(0)
        if start <= 0:
            msg = f"a continued schedule must start above 0, got {start!r} at its step 0"
            raise ValueError(msg)
        formula = sequence([formula, _bounded(shift(g, 1) * (c / start), low, high)], [m])
    return quantize(formula)


def _bounded(s: Schedule, low: int | None, high: int | None) -> Schedule:
    return s if low is None and high is None else clip(s, low, high)


def _unrounded(s: Schedule) -> tuple[Schedule, int | None, int | None]:
    """The formula under a batch-size preset's rounding and clamping, and its bounds.

    The presets of this module are ``quantize(clip(formula, low, high))``;
    continuing the formula (not its rounded values) is what keeps
    :func:`sequential_bs` within rounding of bs-scheduler's own formula. Any
    other schedule is taken as it is.
    """
    low = high = None
    if type(s).__name__ == "Quantize" and isinstance(getattr(s, "s", None), Schedule):
        s = s.s  # type: ignore[attr-defined]
        if type(s).__name__ == "Clip" and isinstance(getattr(s, "s", None), Schedule):
            low, high = s.low, s.high  # type: ignore[attr-defined]
            s = s.s  # type: ignore[attr-defined]
    return s, low, high


def increase_bs_on_plateau(
    batch_size: int,
    /,
    mode: str = "min",
    factor: float = 2.0,
    patience: int = 10,
    threshold: float = 1e-4,
    threshold_mode: str = "rel",
    cooldown: int = 0,
    max_batch_size: int | None = None,
    min_batch_size: int = 1,
) -> Plateau:
    """The metric-driven rule of bs-scheduler's ``IncreaseBSOnPlateau``, as a :class:`~schedalg.Plateau`.

    Returns ``Plateau(mode, factor, patience, threshold, threshold_mode,
    cooldown, min_scale=min_batch_size / batch_size, max_scale=max_batch_size
    / batch_size, eps=0.0)``; the batch size after each ``rule.update(state,
    metric)`` is ``clamp(round(batch_size * state.scale), min_batch_size,
    max_batch_size)``.

    Equivalent to ``bs_scheduler.IncreaseBSOnPlateau(loader, mode, factor,
    patience, threshold, threshold_mode, cooldown, max_batch_size=...,
    min_batch_size=...)`` with ``loader.batch_size == batch_size``, fed the same
    metrics (``scheduler.step(metrics=m)``). Difference: bs-scheduler rounds
    after every change, ``round(round(b * factor) * factor)``, where schedalg
    rounds ``b * factor ** k`` once; for factors that keep integers (2, 3, 4,
    ...) the values are equal, otherwise they can drift by rounding (from 10
    with ``factor=1.5``: 10, 15, 22, 33 against 10, 15, 22, 34). ``max_batch_size=None``
    means no bound (bs-scheduler's default is ``len(dataset) + 1``).

    Args:
        batch_size: the loader's batch size (positional only).
        mode: ``"min"`` or ``"max"``.
        factor: the multiplier on a plateau (positive, not 1; < 1 shrinks).
        patience: bad epochs tolerated before a change.
        threshold: the margin that counts as an improvement (> 0).
        threshold_mode: ``"rel"`` or ``"abs"``.
        cooldown: epochs to ignore after a change.
        max_batch_size: upper bound (``None``: no bound).
        min_batch_size: lower bound (integer >= 1).

    >>> from schedalg.presets import increase_bs_on_plateau
    >>> rule = increase_bs_on_plateau(32, patience=0, max_batch_size=100)
    >>> state = rule.init()
    >>> sizes = []
    >>> for loss in [1.0, 1.0, 1.0, 1.0]:
    ...     state = rule.update(state, loss)
    ...     sizes.append(min(round(32 * state.scale), 100))
    >>> sizes
    [32, 64, 100, 100]
    """
    from ..plateau import Plateau

    bs = _bs("batch_size", batch_size)
    low, high = _bounds(bs, min_batch_size, max_batch_size)
    thr = _check.positive("threshold", threshold)
    return Plateau(
        mode=mode,  # type: ignore[arg-type]
        factor=factor,
        patience=patience,
        threshold=thr,
        threshold_mode=threshold_mode,  # type: ignore[arg-type]
        cooldown=cooldown,
        min_scale=low / bs,
        max_scale=float("inf") if high is None else high / bs,
        eps=0.0,
    )
