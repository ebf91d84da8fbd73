"""braintools' schedulers (:mod:`braintools.optim`, as in braintools 0.3.0).

Same function names (the class name in snake_case, ``MultiStepLR`` as
:func:`~schedalg.presets.torch.multistep_lr`), argument names and defaults
as braintools, ``base_lr`` included (braintools' own argument, the lr of every
parameter group; one float here). ``preset(...)(t)`` is the lr
``scheduler.get_last_lr()[0]`` reads after ``t`` calls of
``scheduler.step()`` from a new scheduler (``last_epoch=0``): braintools
evaluates a closed form of ``last_epoch``, which schedalg evaluates in float64
(braintools runs in JAX's float type: float32 unless ``jax_enable_x64``).

Where braintools' formula is torch's (``StepLR``, ``MultiStepLR``,
``ExponentialLR``, ``PolynomialLR``, ``CosineAnnealingWarmRestarts``, and
``CyclicLR`` with ``step_size_down`` equal to ``step_size_up``), the preset is
the :mod:`schedalg.presets.torch` one, with braintools' defaults. Where it is
not, the preset follows braintools: :func:`cyclic_lr` with another
``step_size_down`` drifts as braintools' wave does, :func:`cosine_annealing_lr` holds
``eta_min`` after ``T_max`` (torch's turns back up), :func:`one_cycle_lr`
warms up linearly and ends at ``max_lr / final_div_factor``, and
:func:`warmup_scheduler`, :func:`warmup_cosine_schedule`,
:func:`exponential_decay_lr` and :func:`piecewise_constant_schedule` have no
torch peer. Differences from braintools, each pinned by a test: arguments are
validated at construction (braintools accepts values that give NaN, infinite
or meaningless lrs, noted per function), a list of lrs (one per parameter
group) is not taken (build one schedule per group), and ``last_epoch`` is not
an argument (use :func:`schedalg.shift` to start part-way).
``ReduceLROnPlateau``, ``ChainedScheduler`` and ``SequentialLR`` have no
preset here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .. import _check
from .._node import Schedule
from ..combinators import maximum, per_epoch, sequence, shift
from ..shapes import clock, constant, cosine, exponential, from_fn, linear, piecewise_constant
from . import torch as _torch
from ._common import _callable, _count
from .optax import _exponential_decay

__all__ = [
    "step_lr",
    "multistep_lr",
    "exponential_lr",
    "exponential_decay_lr",
    "cosine_annealing_lr",
    "polynomial_lr",
    "warmup_scheduler",
    "cyclic_lr",
    "one_cycle_lr",
    "linear_lr",
    "constant_lr",
    "cosine_annealing_warm_restarts",
    "warmup_cosine_schedule",
    "piecewise_constant_schedule",
]


# -- torch's formulas, braintools' defaults -----------------------------------------------------------------
def step_lr(base_lr: float = 1e-3, step_size: int = 30, gamma: float = 0.1) -> Schedule:
    """Decay by ``gamma`` every ``step_size`` steps (braintools ``StepLR``).

    ``f(t) = base_lr * gamma ** floor(t / step_size)``: torch's formula,
    :func:`schedalg.presets.torch.step_lr` with braintools' defaults.
    Difference: ``gamma`` must be positive (braintools takes any number).

    >>> from schedalg.presets import braintools as B
    >>> s = B.step_lr(0.1, step_size=10, gamma=0.5)
    >>> s(9), s(10), s(25)
    (0.1, 0.05, 0.025)
    """
    return _torch.step_lr(base_lr, step_size, gamma)


def multistep_lr(base_lr: float = 1e-3, milestones: Iterable[int] = (30, 60, 90), gamma: float = 0.1) -> Schedule:
    """Decay by ``gamma`` at each milestone (braintools ``MultiStepLR``).

    ``f(t) = base_lr * gamma ** (number of milestones <= t)``, repeated
    milestones counted each time: torch's formula,
    :func:`schedalg.presets.torch.multistep_lr` with braintools' defaults.
    Difference: ``gamma`` must be positive.

    >>> from schedalg.presets import braintools as B
    >>> s = B.multistep_lr(1.0, milestones=[10, 20], gamma=0.5)
    >>> s(9), s(10), s(20)
    (1.0, 0.5, 0.25)
    """
    return _torch.multistep_lr(base_lr, milestones, gamma)


def exponential_lr(base_lr: float = 1e-3, gamma: float = 0.95) -> Schedule:
    """Decay by ``gamma`` every step (braintools ``ExponentialLR``).

    ``f(t) = base_lr * gamma ** t``: :func:`schedalg.presets.torch.exponential_lr`
    with braintools' default ``gamma``. Difference: ``gamma`` must be positive.

    >>> from schedalg.presets import braintools as B
    >>> B.exponential_lr(1.0, gamma=0.5)(3)
    0.125
    """
    return _torch.exponential_lr(base_lr, gamma)


def polynomial_lr(base_lr: float = 1e-3, total_iters: int = 5, power: float = 1.0) -> Schedule:
    """Polynomial decay to 0 over ``total_iters`` steps (braintools ``PolynomialLR``).

    ``f(t) = base_lr * (1 - min(t, total_iters) / total_iters) ** power``:
    :func:`schedalg.presets.torch.polynomial_lr`. Difference: a negative
    ``power`` (infinite from ``total_iters`` on in braintools) raises
    ``ValueError``.

    >>> from schedalg.presets import braintools as B
    >>> s = B.polynomial_lr(1.0, total_iters=4, power=2.0)
    >>> s(2), s(4), s(9)
    (0.25, 0.0, 0.0)
    """
    return _torch.polynomial_lr(base_lr, total_iters, power)


def cosine_annealing_warm_restarts(
    base_lr: float = 1e-3, T_0: int = 10, T_mult: int = 1, eta_min: float = 0.0
) -> Schedule:
    """SGDR, cosine decays restarting at ``base_lr`` (braintools ``CosineAnnealingWarmRestarts``).

    Cycle ``i`` lasts ``T_0 * T_mult**i`` steps; within it
    ``f(t) = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``:
    :func:`schedalg.presets.torch.cosine_annealing_warm_restarts` with
    braintools' defaults (braintools' ``step()`` counts ``T_cur`` as torch's).

    >>> from schedalg.presets import braintools as B
    >>> s = B.cosine_annealing_warm_restarts(1.0, T_0=10, T_mult=2)
    >>> s(5), s(10), s(30)
    (0.5, 1.0, 1.0)
    """
    return _torch.cosine_annealing_warm_restarts(base_lr, T_0, T_mult, eta_min)


def cyclic_lr(
    base_lr: float = 1e-3,
    max_lr: float = 1e-2,
    step_size_up: int = 2000,
    step_size_down: int | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
    scale_fn: Callable[[Any], float] | None = None,
    scale_mode: str = "cycle",
) -> Schedule:
    """Cyclical lr between ``base_lr`` and ``max_lr`` (braintools ``CyclicLR``).

    braintools' formula: with ``L = step_size_up + step_size_down``,
    ``cycle = floor(1 + t / L)`` and ``x = |t / step_size_up - 2 * cycle + 1|``,
    ``f(t) = base_lr + (max_lr - base_lr) * scale * max(0, 1 - x)``, where
    ``scale`` is 1 (``triangular``), ``1 / 2**(cycle - 1)`` (``triangular2``),
    ``gamma**t`` (``exp_range``), or ``scale_fn(cycle)`` / ``scale_fn(t)``
    (``scale_mode`` ``"cycle"`` / ``"iterations"``; wrapped with
    :func:`schedalg.from_fn`, not serializable).

    With ``step_size_down`` equal to ``step_size_up`` (or ``None``) this is
    torch's triangle wave, and the preset is
    :func:`schedalg.presets.torch.cyclic_lr` with braintools' defaults. With
    a different ``step_size_down`` braintools' ``x`` still uses
    ``step_size_up`` alone, so the peak drifts by ``step_size_up -
    step_size_down`` steps per cycle (and the wave can leave its cycle): the
    preset follows braintools' formula there too, built from
    :func:`schedalg.clock` (not torch's asymmetric triangle, which is
    :func:`schedalg.presets.torch.cyclic_lr`).

    >>> from schedalg.presets import braintools as B
    >>> s = B.cyclic_lr(0.1, 1.0, step_size_up=4)
    >>> [round(s(t), 4) for t in (0, 2, 4, 6, 8)]
    [0.1, 0.55, 1.0, 0.55, 0.1]
    >>> s = B.cyclic_lr(0.0, 1.0, step_size_up=4, step_size_down=3)
    >>> [s(t) for t in range(0, 16, 2)]
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.5, 1.0, 0.0]
    """
    up = _count("step_size_up", step_size_up)
    down = up if step_size_down is None else _count("step_size_down", step_size_down)
    if down == up:
        return _torch.cyclic_lr(base_lr, max_lr, up, None, mode, gamma, scale_fn, scale_mode)
    base = _check.real("base_lr", base_lr)
    top = _check.real("max_lr", max_lr)
    rate = _check.positive("gamma", gamma)
    _check.choice("mode", mode, ("triangular", "triangular2", "exp_range"))
    _check.choice("scale_mode", scale_mode, ("cycle", "iterations"))
    length = up + down
    cycle = per_epoch(clock(), length) + 1.0  # floor(1 + t / L)
    y = clock() / up - 2.0 * cycle + 1.0
    wave = maximum(1.0 - maximum(y, -y), constant(0.0))  # max(0, 1 - |y|)
    if scale_fn is not None:
        fn = from_fn(_callable("scale_fn", scale_fn))
        scale = per_epoch(shift(fn, 1), length) if scale_mode == "cycle" else fn
    elif mode == "triangular":
        scale = None
    elif mode == "triangular2":
        scale = per_epoch(exponential(1.0, 0.5), length)
    else:
        scale = exponential(1.0, rate)
    height = top - base
    amplitude = wave * height if scale is None else scale * height * wave
    return base + amplitude


def linear_lr(
    base_lr: float = 1e-3, start_factor: float = 1.0 / 3, end_factor: float = 1.0, total_iters: int = 5
) -> Schedule:
    """Linear change of the multiplier from ``start_factor`` to ``end_factor`` (braintools ``LinearLR``).

    ``f(t) = base_lr * (start_factor + (end_factor - start_factor) * min(t / total_iters, 1))``,
    and ``base_lr * end_factor`` throughout when ``total_iters == 0`` (as
    braintools; torch's :func:`~schedalg.presets.torch.linear_lr` takes neither
    that nor factors outside ``(0, 1]``, braintools and this preset take any).

    >>> from schedalg.presets import braintools as B
    >>> s = B.linear_lr(1.0, start_factor=0.25, total_iters=3)
    >>> s(0), s(3), s(9)
    (0.25, 1.0, 1.0)
    """
    base = _check.real("base_lr", base_lr)
    start = _check.real("start_factor", start_factor)
    end = _check.real("end_factor", end_factor)
    n = _count("total_iters", total_iters, minimum=0)
    if n == 0:
        return constant(base * end)
    return linear(base * start, base * end, n)


def constant_lr(base_lr: float = 1e-3, factor: float = 1.0 / 3, total_iters: int = 5) -> Schedule:
    """``base_lr * factor`` for ``total_iters`` steps, then ``base_lr`` (braintools ``ConstantLR``).

    As torch's formula; braintools (and this preset) also take
    ``total_iters == 0`` (``base_lr`` throughout) and any ``factor``.

    >>> from schedalg.presets import braintools as B
    >>> s = B.constant_lr(1.0, factor=0.5, total_iters=4)
    >>> s(3), s(4)
    (0.5, 1.0)
    """
    base = _check.real("base_lr", base_lr)
    f = _check.real("factor", factor)
    n = _count("total_iters", total_iters, minimum=0)
    if n == 0:
        return constant(base)
    return piecewise_constant([n], [base * f, base])


# -- braintools' own formulas ----------------------------------------------------------------------------------
def cosine_annealing_lr(base_lr: float = 1e-3, T_max: int = 50, eta_min: float = 0.0) -> Schedule:
    """Cosine annealing to ``eta_min``, held after ``T_max`` (braintools ``CosineAnnealingLR``).

    ``f(t) = eta_min + (base_lr - eta_min) * (1 + cos(pi * min(t, T_max) / T_max)) / 2``:
    braintools clamps the step at ``T_max``, so the lr holds ``eta_min``
    (torch's :func:`~schedalg.presets.torch.cosine_annealing_lr` turns back up).

    >>> from schedalg.presets import braintools as B
    >>> s = B.cosine_annealing_lr(1.0, T_max=10)
    >>> s(5), s(10), s(20)
    (0.5, 0.0, 0.0)
    """
    base = _check.real("base_lr", base_lr)
    n = _count("T_max", T_max)
    return cosine(base, _check.real("eta_min", eta_min), n)


def one_cycle_lr(
    max_lr: float = 1e-2,
    total_steps: int | None = None,
    epochs: int | None = None,
    steps_per_epoch: int | None = None,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
) -> Schedule:
    """The 1cycle policy as braintools computes it (braintools ``OneCycleLR``).

    With ``N = total_steps`` (or ``epochs * steps_per_epoch``),
    ``W = pct_start * N``, ``initial = max_lr / div_factor`` and
    ``final = max_lr / final_div_factor``: linear from ``initial`` to
    ``max_lr`` on ``[0, W]``, then from ``max_lr`` to ``final`` over
    ``(1 - pct_start) * N`` steps along a half cosine (``"cos"``) or a line
    (``"linear"``), and ``final`` afterwards. Unlike torch's
    :func:`~schedalg.presets.torch.one_cycle_lr`, the warmup is linear, the
    phases end at ``W`` and ``N`` (not ``W - 1`` and ``N - 1``) and the floor
    is ``max_lr / final_div_factor`` (torch: ``initial / final_div_factor``).
    ``pct_start`` must be in ``(0, 1)``, as braintools.

    >>> from schedalg.presets import braintools as B
    >>> s = B.one_cycle_lr(1.0, total_steps=10, pct_start=0.5, anneal_strategy="linear",
    ...                    div_factor=10.0, final_div_factor=100.0)
    >>> [round(s(t), 4) for t in (0, 5, 10, 20)]
    [0.1, 1.0, 0.01, 0.01]
    """
    total = _torch._total_steps(total_steps, epochs, steps_per_epoch)
    top = _check.real("max_lr", max_lr)
    pct = _check.real("pct_start", pct_start)
    if not 0.0 < pct < 1.0:
        msg = f"pct_start must be in the open interval (0, 1), got pct_start={pct_start!r}"
        raise ValueError(msg)
    strategy = _check.choice("anneal_strategy", anneal_strategy, ("cos", "linear"))
    initial = top / _check.positive("div_factor", div_factor)
    final = top / _check.positive("final_div_factor", final_div_factor)
    rise = pct * total
    fall = (1.0 - pct) * total
    anneal = cosine(top, final, fall) if strategy == "cos" else linear(top, final, fall)
    return sequence([linear(initial, top, rise), anneal], [rise])


def warmup_scheduler(base_lr: float = 1e-3, warmup_epochs: int = 5, warmup_start_lr: float = 0.0) -> Schedule:
    """Linear warmup to ``base_lr``, then hold it (braintools ``WarmupScheduler``).

    ``f(t) = warmup_start_lr + (base_lr - warmup_start_lr) * min(t / warmup_epochs, 1)``;
    ``base_lr`` throughout when ``warmup_epochs == 0``.

    >>> from schedalg.presets import braintools as B
    >>> s = B.warmup_scheduler(1.0, warmup_epochs=4)
    >>> s(0), s(2), s(4), s(10)
    (0.0, 0.5, 1.0, 1.0)
    """
    base = _check.real("base_lr", base_lr)
    n = _count("warmup_epochs", warmup_epochs, minimum=0)
    start = _check.real("warmup_start_lr", warmup_start_lr)
    if n == 0:
        return constant(base)
    return linear(start, base, n)


def warmup_cosine_schedule(
    base_lr: float = 1e-3,
    warmup_steps: int = 1000,
    total_steps: int = 10000,
    warmup_start_lr: float = 0.0,
    eta_min: float = 0.0,
) -> Schedule:
    """Linear warmup, then cosine annealing to ``eta_min`` (braintools ``WarmupCosineSchedule``).

    With ``W = warmup_steps`` and ``D = max(total_steps - W, 1)``:
    ``warmup_start_lr -> base_lr`` linearly on ``[0, W)``, then
    ``eta_min + (base_lr - eta_min) * (1 + cos(pi * min(t - W, D) / D)) / 2``,
    holding ``eta_min`` from ``W + D`` on. Difference: ``warmup_steps`` and
    ``total_steps`` are integers ``>= 0`` (braintools shifts the cosine for a
    negative ``warmup_steps``).

    >>> from schedalg.presets import braintools as B
    >>> s = B.warmup_cosine_schedule(1.0, warmup_steps=10, total_steps=110)
    >>> s(5), s(10), round(s(60), 6), s(110)
    (0.5, 1.0, 0.5, 0.0)
    """
    base = _check.real("base_lr", base_lr)
    w = _count("warmup_steps", warmup_steps, minimum=0)
    n = _count("total_steps", total_steps, minimum=0)
    start = _check.real("warmup_start_lr", warmup_start_lr)
    low = _check.real("eta_min", eta_min)
    decay = cosine(base, low, max(n - w, 1))
    if w == 0:
        return decay
    return sequence([linear(start, base, w), decay], [w])


def exponential_decay_lr(
    base_lr: float = 1e-3,
    decay_steps: int = 1000,
    decay_rate: float = 0.96,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: float | None = None,
) -> Schedule:
    """Exponential decay after ``transition_begin`` (braintools ``ExponentialDecayLR``).

    ``f(t) = base_lr * decay_rate ** (max(t - transition_begin, 0) / decay_steps)``
    (the exponent floored when ``staircase``), bounded below by ``end_value``
    when ``decay_rate < 1`` and above otherwise. ``decay_steps > 0``,
    ``decay_rate != 0`` and ``transition_begin >= 0``, as braintools.
    Difference: a negative ``decay_rate`` (NaN lrs) raises ``ValueError``.

    >>> from schedalg.presets import braintools as B
    >>> s = B.exponential_decay_lr(1.0, decay_steps=10, decay_rate=0.5, transition_begin=5)
    >>> s(5), s(15), s(25)
    (1.0, 0.5, 0.25)
    """
    base = _check.real("base_lr", base_lr)
    steps = _check.duration("decay_steps", decay_steps)
    rate = _check.positive("decay_rate", decay_rate)
    begin = _check.duration("transition_begin", transition_begin, allow_zero=True)
    end = _check.optional_real("end_value", end_value)
    return _exponential_decay(base, steps, rate, begin, staircase, end)


def piecewise_constant_schedule(
    base_lr: float = 1e-3,
    boundaries: Iterable[int] | None = None,
    values: Iterable[float] | None = None,
) -> Schedule:
    """``values[i]`` on ``[boundaries[i-1], boundaries[i])`` (braintools ``PiecewiseConstantSchedule``).

    The lrs are ``values`` themselves: braintools ignores ``base_lr``, and so
    does this preset (it is kept so that calls port unchanged). Defaults
    ``boundaries=[1000, 2000]``, ``values=[1.0, 0.1, 0.01]``, as braintools.
    A boundary belongs to the piece on its right. Difference: the boundaries
    must be strictly increasing (braintools' ``searchsorted`` assumes it).

    >>> from schedalg.presets import braintools as B
    >>> s = B.piecewise_constant_schedule(boundaries=[10, 20], values=[1.0, 0.5, 0.1])
    >>> s(9), s(10), s(20)
    (1.0, 0.5, 0.1)
    """
    _check.real("base_lr", base_lr)
    bounds = [1000, 2000] if boundaries is None else boundaries
    vals = [1.0, 0.1, 0.01] if values is None else values
    return piecewise_constant(bounds, vals)
