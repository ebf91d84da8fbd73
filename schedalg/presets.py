"""Presets: PyTorch schedulers, bs-scheduler batch-size schedules and common recipes.

Every preset returns an ordinary schedule composed from the public algebra
(shapes and combinators), never a special class: it prints as construction
code, compares structurally, and evaluates in closed form, O(1) in the step
(bisection over a table at most), with one documented exception:
:func:`multiplicative_lr`.

* **PyTorch** (:mod:`torch.optim.lr_scheduler`, :class:`torch.optim.swa_utils.SWALR`):
  argument names and defaults as torch, the optimizer replaced by ``base_lr``
  (the optimizer's lr when the scheduler is created). ``preset(...)(t)`` is the
  lr torch sets after ``t`` calls of ``scheduler.step()``, to a relative
  ``1e-10`` (torch updates recursively and drifts in the last bits; schedalg
  evaluates the closed form, within a few ulp of exact). Past the end
  of a finite schedule (OneCycle after ``total_steps - 1``) the last value
  holds, where torch raises or extrapolates. Configurations that torch accepts
  and then crashes on (a division by zero at some step) raise ``ValueError``
  here, at construction.
* **bs-scheduler** (package ``bs_scheduler``): the dataloader is replaced by a
  positional-only first argument ``batch_size``, the loader's batch size.
  Values are integers (:func:`~schedalg.quantize`, rounding half to even as
  Python's ``round``, clamped to ``[min_batch_size, max_batch_size]``).
  ``max_batch_size=None`` means no upper bound: bs-scheduler defaults it to
  ``len(dataset) + 1``, one more than the dataset holds, which schedalg cannot
  see. bs-scheduler updates recursively and rounds at every epoch; where that
  drifts from its own formula, schedalg follows the formula, and each
  docstring lists the differences. bs-scheduler also stops for good once a
  value is clamped by a bound; schedalg clamps each step independently (the
  same values for monotone schedules). A loader batch size outside
  ``[min_batch_size, max_batch_size]`` raises ``ValueError`` (bs-scheduler
  clamps it at the first step and carries on from there).
* **Recipes**: :func:`warmup_cosine`, :func:`warmup_linear`,
  :func:`warmup_stable_decay`, :func:`cosine_with_restarts` and
  :func:`inverse_sqrt` (Hugging Face ``transformers`` semantics) and
  :func:`linear_scaling` (Goyal et al.'s linear rule, or the square-root rule).
"""

from __future__ import annotations

import array
import collections
import math
import threading
from collections.abc import Callable, Iterable
from typing import Any

from . import _check
from ._node import Schedule, is_number
from .combinators import clip, cooldown, cyclical, per_epoch, quantize, sequence, shift, warmup
from .shapes import (
    constant,
    cosine,
    exponential,
    from_fn,
    linear,
    piecewise_constant,
    polynomial,
    triangular,
)
from .shapes import inverse_sqrt as _inverse_sqrt_shape

__all__ = [
    # PyTorch
    "step_lr",
    "multistep_lr",
    "constant_lr",
    "linear_lr",
    "exponential_lr",
    "polynomial_lr",
    "cosine_annealing_lr",
    "cosine_annealing_warm_restarts",
    "cyclic_lr",
    "cyclic_momentum",
    "one_cycle_lr",
    "one_cycle_momentum",
    "lambda_lr",
    "multiplicative_lr",
    "swa_lr",
    # bs-scheduler
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
    # recipes
    "warmup_cosine",
    "warmup_linear",
    "warmup_stable_decay",
    "cosine_with_restarts",
    "inverse_sqrt",
    "linear_scaling",
]

#: Every step a float can represent exactly lies below this; cycle tables stop here.
_EXACT_STEPS = float(2**53)


# ==========================================================================================
# validation helpers
# ==========================================================================================
def _count(name: str, value: Any, minimum: int = 1) -> int:
    """An integer step count, at least ``minimum`` (torch's ``int`` arguments)."""
    return _check.integer(name, value, minimum=minimum)


def _gamma(value: Any) -> float:
    return _check.positive("gamma", value)


def _callable(name: str, fn: Any) -> Callable[[Any], Any]:
    if not callable(fn):
        msg = f"{name} must be callable, got {name}={fn!r}"
        raise TypeError(msg)
    return fn


def _fraction(name: str, value: Any, lo: float, hi: float, *, lo_open: bool = False) -> float:
    x = _check.real(name, value)
    if x > hi or x < lo or (lo_open and x == lo):
        bracket = "(" if lo_open else "["
        msg = f"{name} must be in {bracket}{lo:g}, {hi:g}], got {name}={value!r}"
        raise ValueError(msg)
    return x


# ==========================================================================================
# PyTorch
# ==========================================================================================
def step_lr(base_lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    """Decay by ``gamma`` every ``step_size`` steps (torch ``StepLR``).

    ``f(t) = base_lr * gamma ** floor(t / step_size)``.

    Equivalent to ``torch.optim.lr_scheduler.StepLR(opt, step_size, gamma)`` with
    ``opt``'s lr ``base_lr``. ``gamma`` must be positive (torch accepts ``0``).

    Args:
        base_lr: the optimizer's learning rate.
        step_size: steps between decays (integer >= 1).
        gamma: the decay factor.

    >>> from schedalg.presets import step_lr
    >>> s = step_lr(0.1, step_size=30, gamma=0.5)
    >>> s(0), s(29), s(30), s(95)
    (0.1, 0.1, 0.05, 0.0125)
    """
    base = _check.real("base_lr", base_lr)
    return exponential(base, _gamma(gamma), every=_count("step_size", step_size), staircase=True)


def multistep_lr(base_lr: float, milestones: Iterable[int], gamma: float = 0.1) -> Schedule:
    """Decay by ``gamma`` at each milestone (torch ``MultiStepLR``).

    ``f(t) = base_lr * gamma ** (number of milestones <= t)``. As torch, the
    milestones need not be sorted, and a milestone listed ``n`` times decays by
    ``gamma ** n`` (a milestone ``0`` applies from the start).

    Equivalent to ``torch.optim.lr_scheduler.MultiStepLR(opt, milestones, gamma)``.

    Args:
        base_lr: the optimizer's learning rate.
        milestones: steps (integers >= 0) where the lr is multiplied by ``gamma``.
        gamma: the decay factor (positive).

    >>> from schedalg.presets import multistep_lr
    >>> s = multistep_lr(1.0, milestones=[30, 10, 30], gamma=0.5)
    >>> s(9), s(10), s(29), s(30)
    (1.0, 0.5, 0.5, 0.125)
    """
    base = _check.real("base_lr", base_lr)
    g = _gamma(gamma)
    if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Iterable):
        msg = f"milestones must be a sequence of integers, got milestones={milestones!r}"
        raise TypeError(msg)
    counts = collections.Counter(_count(f"milestones[{i}]", m, minimum=0) for i, m in enumerate(milestones))
    n = counts.pop(0, 0)
    boundaries = sorted(counts)
    values = [base * g**n]
    for b in boundaries:
        n += counts[b]
        values.append(base * g**n)
    return piecewise_constant(boundaries, values)


def constant_lr(base_lr: float, factor: float = 1.0 / 3, total_iters: int = 5) -> Schedule:
    """``base_lr * factor`` for ``total_iters`` steps, then ``base_lr`` (torch ``ConstantLR``).

    ``f(t) = base_lr * factor`` for ``t < total_iters``, else ``base_lr``.

    Equivalent to ``torch.optim.lr_scheduler.ConstantLR(opt, factor, total_iters)``.
    ``factor=0`` raises ``ValueError`` (torch accepts it, then divides by zero at
    ``total_iters``), and so does ``total_iters=0`` (torch's stepping then keeps
    ``base_lr * factor`` for ever, contradicting its own closed form).

    Args:
        base_lr: the optimizer's learning rate.
        factor: the multiplier, in ``(0, 1]``.
        total_iters: steps at the reduced lr (integer >= 1).

    >>> from schedalg.presets import constant_lr
    >>> s = constant_lr(0.5, factor=0.5, total_iters=4)
    >>> s(0), s(3), s(4)
    (0.25, 0.25, 0.5)
    """
    base = _check.real("base_lr", base_lr)
    f = _fraction("factor", factor, 0.0, 1.0, lo_open=True)
    n = _count("total_iters", total_iters)
    return piecewise_constant([n], [base * f, base])


def linear_lr(base_lr: float, start_factor: float = 1.0 / 3, end_factor: float = 1.0, total_iters: int = 5) -> Schedule:
    """Linear change of the multiplier from ``start_factor`` to ``end_factor`` (torch ``LinearLR``).

    ``f(t) = base_lr * (start_factor + (end_factor - start_factor) * min(t, total_iters) / total_iters)``.

    Equivalent to ``torch.optim.lr_scheduler.LinearLR(opt, start_factor,
    end_factor, total_iters)``, with torch's ranges ``0 < start_factor <= 1`` and
    ``0 <= end_factor <= 1``; ``total_iters=0`` raises ``ValueError`` (torch then
    keeps ``start_factor`` for ever, contradicting its closed form).

    Args:
        base_lr: the optimizer's learning rate.
        start_factor: the multiplier at step 0.
        end_factor: the multiplier from ``total_iters`` on.
        total_iters: length of the ramp (integer >= 1).

    >>> from schedalg.presets import linear_lr
    >>> s = linear_lr(1.0, start_factor=0.25, total_iters=3)
    >>> s(0), s(1), s(3), s(100)
    (0.25, 0.5, 1.0, 1.0)
    """
    base = _check.real("base_lr", base_lr)
    start = _fraction("start_factor", start_factor, 0.0, 1.0, lo_open=True)
    end = _fraction("end_factor", end_factor, 0.0, 1.0)
    n = _count("total_iters", total_iters)
    return linear(base * start, base * end, n)


def exponential_lr(base_lr: float, gamma: float) -> Schedule:
    """Decay by ``gamma`` every step (torch ``ExponentialLR``).

    ``f(t) = base_lr * gamma ** t``.

    Equivalent to ``torch.optim.lr_scheduler.ExponentialLR(opt, gamma)``;
    ``gamma`` must be positive.

    Args:
        base_lr: the optimizer's learning rate.
        gamma: the decay factor per step.

    >>> from schedalg.presets import exponential_lr
    >>> s = exponential_lr(1.0, gamma=0.5)
    >>> s(0), s(3)
    (1.0, 0.125)
    """
    return exponential(_check.real("base_lr", base_lr), _gamma(gamma))


def polynomial_lr(base_lr: float, total_iters: int = 5, power: float = 1.0) -> Schedule:
    """Polynomial decay to 0 over ``total_iters`` steps (torch ``PolynomialLR``).

    ``f(t) = base_lr * (1 - min(t, total_iters) / total_iters) ** power``: 0 from
    ``total_iters`` on (``power=0`` is the constant ``base_lr``, as torch).

    Equivalent to ``torch.optim.lr_scheduler.PolynomialLR(opt, total_iters,
    power)``. A negative ``power`` raises ``ValueError`` (torch divides by zero
    at ``total_iters``), as does ``total_iters=0``.

    Args:
        base_lr: the optimizer's learning rate.
        total_iters: steps until 0 (integer >= 1).
        power: the exponent (>= 0).

    >>> from schedalg.presets import polynomial_lr
    >>> s = polynomial_lr(1.0, total_iters=4, power=2.0)
    >>> s(0), s(2), s(4), s(10)
    (1.0, 0.25, 0.0, 0.0)
    """
    base = _check.real("base_lr", base_lr)
    n = _count("total_iters", total_iters)
    p = _check.nonnegative("power", power)
    if p == 0.0:
        return constant(base)
    return polynomial(base, 0.0, n, power=p)


def cosine_annealing_lr(base_lr: float, T_max: int, eta_min: float = 0.0) -> Schedule:
    """Cosine annealing between ``base_lr`` and ``eta_min``, periodic (torch ``CosineAnnealingLR``).

    ``f(t) = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2`` for
    every ``t``: down to ``eta_min`` at ``T_max``, back up to ``base_lr`` at
    ``2 * T_max``, and so on, as torch's closed form and its recursive steps.
    For a single decay that then holds, use :func:`schedalg.cosine`.

    Equivalent to ``torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max, eta_min)``.
    torch's recursive updates drift from this closed form by about ``1e-10`` of
    ``base_lr`` per 2 * 10**5 steps (5.6e-10 measured over 10**6 steps);
    schedalg stays within an ulp or two of the exact value.

    Args:
        base_lr: the optimizer's learning rate.
        T_max: half the period (integer >= 1).
        eta_min: the minimum learning rate.

    >>> from schedalg.presets import cosine_annealing_lr
    >>> s = cosine_annealing_lr(1.0, T_max=10)
    >>> s(0), s(5), s(10), s(15), s(20)
    (1.0, 0.5, 0.0, 0.5, 1.0)
    """
    base = _check.real("base_lr", base_lr)
    n = _count("T_max", T_max)
    low = _check.real("eta_min", eta_min)
    wave = sequence([cosine(base, low, n), cosine(low, base, n)], [n])
    return cyclical(wave, 2 * n)


def cosine_annealing_warm_restarts(
    base_lr: float,
    T_0: int,
    T_mult: int = 1,
    eta_min: float = 0.0,
) -> Schedule:
    """SGDR: cosine decays restarting at ``base_lr`` (torch ``CosineAnnealingWarmRestarts``).

    Cycle ``i`` lasts ``T_i = T_0 * T_mult**i`` steps; within it, with ``T_cur``
    the steps since the restart,
    ``f(t) = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``.
    The cycle index is found in closed form (no loop over past cycles).

    Equivalent to ``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt,
    T_0, T_mult, eta_min)`` stepped once per step.

    Args:
        base_lr: the optimizer's learning rate (each restart's value).
        T_0: length of the first cycle (integer >= 1).
        T_mult: growth of the cycle length (integer >= 1).
        eta_min: the minimum learning rate.

    >>> from schedalg.presets import cosine_annealing_warm_restarts
    >>> s = cosine_annealing_warm_restarts(1.0, T_0=10, T_mult=2)
    >>> s(5), s(10), s(20), s(30), s(70)
    (0.5, 1.0, 0.5, 1.0, 1.0)
    """
    base = _check.real("base_lr", base_lr)
    n = _count("T_0", T_0)
    mult = _count("T_mult", T_mult)
    low = _check.real("eta_min", eta_min)
    return cyclical(cosine(base, low, n), n, period_mult=mult)


_CYCLIC_MODES = ("triangular", "triangular2", "exp_range")


def _cyclic(
    start: float,
    peak: float,
    up: Any,
    down: Any,
    mode: str,
    gamma: Any,
    scale_fn: Callable[[Any], float] | None,
    scale_mode: str,
    names: tuple[str, str],
) -> Schedule:
    """``start + (peak - start) * wave(t) * scale``: torch's CyclicLR formula."""
    up_ = _check.duration(names[0], up)
    down_ = up_ if down is None else _check.duration(names[1], down)
    gamma_ = _gamma(gamma)  # checked in every mode, as bs-scheduler does
    _check.choice("scale_mode", scale_mode, ("cycle", "iterations"))
    if scale_fn is None:
        _check.choice("mode", mode, _CYCLIC_MODES)
    else:
        _callable("scale_fn", scale_fn)
    total = up_ + down_
    ratio = up_ / total
    if scale_fn is None and mode == "triangular":
        return cyclical(triangular(start, peak, total, peak=ratio), total)
    wave = triangular(0.0, peak - start, total, peak=ratio)
    if scale_fn is None and mode == "triangular2":  # 1 / 2**(cycle - 1): a decay of 1/2 per cycle
        return cyclical(wave, total, decay=0.5) + start
    amplitude = cyclical(wave, total)
    if scale_fn is None:  # exp_range: gamma ** t on the global step
        return amplitude * exponential(1.0, gamma_) + start
    if scale_mode == "cycle":  # scale_fn(cycle), cycle = 1 + floor(t / total)
        factor = per_epoch(shift(from_fn(scale_fn), 1), total)
    else:
        factor = from_fn(scale_fn)
    return amplitude * factor + start


def cyclic_lr(
    base_lr: float,
    max_lr: float,
    step_size_up: int = 2000,
    step_size_down: int | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
    scale_fn: Callable[[Any], float] | None = None,
    scale_mode: str = "cycle",
) -> Schedule:
    """Cyclical learning rate between ``base_lr`` and ``max_lr`` (torch ``CyclicLR``).

    With ``T = step_size_up + step_size_down`` and ``w(t)`` the triangle wave of
    period ``T`` (0 at the start of each cycle, 1 after ``step_size_up``):
    ``f(t) = base_lr + (max_lr - base_lr) * w(t) * scale(t)``, where ``scale``
    is 1 (``triangular``), ``1 / 2**(cycle - 1)`` (``triangular2``),
    ``gamma**t`` on the *global* step (``exp_range``), or ``scale_fn(cycle)`` /
    ``scale_fn(t)`` for a custom ``scale_fn`` with ``scale_mode`` ``"cycle"`` /
    ``"iterations"`` (``cycle = 1 + floor(t / T)``; ``mode`` is then ignored, as
    in torch). A custom ``scale_fn`` is wrapped with :func:`schedalg.from_fn`
    (not serializable).

    Equivalent to ``torch.optim.lr_scheduler.CyclicLR(opt, base_lr, max_lr,
    step_size_up, step_size_down, mode, gamma, scale_fn, scale_mode)``; the
    momentum it cycles is :func:`cyclic_momentum`.

    Args:
        base_lr: the lower bound of the cycle (torch's ``base_lr``, which
            overrides the optimizer's lr).
        max_lr: the upper bound; reached only when ``scale == 1``.
        step_size_up: steps from ``base_lr`` up to ``max_lr``.
        step_size_down: steps back down (default ``step_size_up``).
        mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
        gamma: the base of ``exp_range``'s ``gamma ** t`` (positive).
        scale_fn: a custom amplitude scale, replacing ``mode``.
        scale_mode: ``"cycle"`` or ``"iterations"``: what ``scale_fn`` is
            called with.

    >>> from schedalg.presets import cyclic_lr
    >>> s = cyclic_lr(0.1, 1.0, step_size_up=4, step_size_down=2, mode="triangular2")
    >>> [round(s(t), 4) for t in (0, 2, 4, 5, 6, 10)]
    [0.1, 0.55, 1.0, 0.55, 0.1, 0.55]
    """
    base = _check.real("base_lr", base_lr)
    top = _check.real("max_lr", max_lr)
    return _cyclic(
        base, top, step_size_up, step_size_down, mode, gamma, scale_fn, scale_mode, ("step_size_up", "step_size_down")
    )


def cyclic_momentum(
    *,
    base_momentum: float = 0.8,
    max_momentum: float = 0.9,
    step_size_up: int = 2000,
    step_size_down: int | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
    scale_fn: Callable[[Any], float] | None = None,
    scale_mode: str = "cycle",
) -> Schedule:
    """The momentum torch ``CyclicLR`` cycles, inversely to the lr.

    ``f(t) = max_momentum - (max_momentum - base_momentum) * w(t) * scale(t)``
    with the wave and scale of :func:`cyclic_lr` (same arguments).

    Equivalent to the ``momentum`` (or ``betas[0]``) that
    ``CyclicLR(opt, ..., cycle_momentum=True, base_momentum, max_momentum)``
    writes into the param groups. Keyword-only.

    Args:
        base_momentum: the momentum at the lr's peak.
        max_momentum: the momentum at the start of each cycle.
        step_size_up, step_size_down, mode, gamma, scale_fn, scale_mode: as
            :func:`cyclic_lr`.

    >>> from schedalg.presets import cyclic_momentum
    >>> s = cyclic_momentum(step_size_up=5)
    >>> round(s(0), 4), round(s(5), 4), round(s(10), 4)
    (0.9, 0.8, 0.9)
    """
    low = _check.real("base_momentum", base_momentum)
    high = _check.real("max_momentum", max_momentum)
    return _cyclic(
        high, low, step_size_up, step_size_down, mode, gamma, scale_fn, scale_mode, ("step_size_up", "step_size_down")
    )


def _total_steps(total_steps: Any, epochs: Any, steps_per_epoch: Any) -> int:
    if total_steps is not None:
        return _count("total_steps", total_steps)
    if epochs is not None and steps_per_epoch is not None:
        return _count("epochs", epochs) * _count("steps_per_epoch", steps_per_epoch)
    given = "epochs" if epochs is not None else "steps_per_epoch" if steps_per_epoch is not None else None
    missing = "neither was given" if given is None else f"only {given} was given"
    msg = f"give either total_steps or both epochs and steps_per_epoch; {missing}"
    raise ValueError(msg)


def _anneal(strategy: str, start: float, end: float, length: float) -> Schedule:
    return cosine(start, end, length) if strategy == "cos" else linear(start, end, length)


def _one_cycle(total: int, pct_start: Any, strategy: str, three_phase: Any, values: dict[str, float]) -> Schedule:
    """torch's OneCycleLR phases (lr or momentum), held after ``total - 1``."""
    pct = _fraction("pct_start", pct_start, 0.0, 1.0)
    _check.choice("anneal_strategy", strategy, ("cos", "linear"))
    if not isinstance(three_phase, bool):
        msg = f"three_phase must be a bool, got three_phase={three_phase!r}"
        raise TypeError(msg)
    first_end = float(pct * total) - 1
    if not first_end > 0.0:
        msg = (
            f"pct_start * total_steps must be > 1 (torch divides by pct_start * total_steps - 1 "
            f"at the first steps), got pct_start={pct_start!r} and total_steps={total}"
        )
        raise ValueError(msg)
    if three_phase:
        phases = [
            (first_end, "initial", "max"),
            (float(2 * pct * total) - 2, "max", "initial"),
            (total - 1, "initial", "min"),
        ]
    else:
        phases = [(first_end, "initial", "max"), (total - 1, "max", "min")]
    last = total - 1
    pieces: list[Schedule] = []
    bounds: list[float] = []
    prev = 0.0
    for i, (end_step, a, b) in enumerate(phases):
        piece = _anneal(strategy, values[a], values[b], end_step - prev)
        if i:
            bounds.append(prev)
        pieces.append(piece)
        if end_step >= last:
            if end_step > last:
                # torch never finishes this phase (three_phase with pct_start > ~0.5):
                # hold the value it reaches at the last step.
                pieces.append(constant(piece(last - prev)))
                bounds.append(last)
            break
        prev = end_step
    return sequence(pieces, bounds)


def one_cycle_lr(
    max_lr: float,
    total_steps: int | None = None,
    epochs: int | None = None,
    steps_per_epoch: int | None = None,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
) -> Schedule:
    """The 1cycle policy (torch ``OneCycleLR``), held after the last step.

    With ``initial = max_lr / div_factor``, ``min = initial / final_div_factor``,
    ``N = total_steps`` (or ``epochs * steps_per_epoch``) and torch's phase ends
    ``e1 = pct_start * N - 1`` (and ``e2 = 2 * pct_start * N - 2``):

    * two phases: ``initial -> max_lr`` on ``[0, e1]``, ``max_lr -> min`` on
      ``[e1, N - 1]``;
    * ``three_phase=True``: ``initial -> max_lr`` on ``[0, e1]``, ``max_lr ->
      initial`` on ``[e1, e2]``, ``initial -> min`` on ``[e2, N - 1]``;

    each phase a half cosine (``anneal_strategy="cos"``) or a straight line
    (``"linear"``) over its (possibly fractional) length. From ``N - 1`` on the
    value holds: torch raises after step ``N`` and extrapolates at ``N`` (its
    linear schedule goes below ``min``, negative for small ``final_div_factor``).
    ``pct_start * total_steps <= 1`` raises ``ValueError`` (torch divides by zero
    or starts mid-phase). Use :func:`one_cycle_momentum` for the momentum.

    Equivalent to ``torch.optim.lr_scheduler.OneCycleLR(opt, max_lr, total_steps,
    epochs, steps_per_epoch, pct_start, anneal_strategy, div_factor=div_factor,
    final_div_factor=final_div_factor, three_phase=three_phase)``.

    Args:
        max_lr: the peak learning rate.
        total_steps: the number of steps of the cycle (or give both of):
        epochs: the number of epochs, times
        steps_per_epoch: the steps per epoch.
        pct_start: the fraction of the cycle spent rising.
        anneal_strategy: ``"cos"`` or ``"linear"``.
        div_factor: ``initial = max_lr / div_factor`` (positive).
        final_div_factor: ``min = initial / final_div_factor`` (positive).
        three_phase: the paper's three phases instead of fastai's two.

    >>> from schedalg.presets import one_cycle_lr
    >>> s = one_cycle_lr(1.0, total_steps=11, pct_start=0.5, anneal_strategy="linear",
    ...                  div_factor=10.0, final_div_factor=1e3)
    >>> [round(s(t), 5) for t in (0, 2, 4.5, 10, 11, 99)]
    [0.1, 0.5, 1.0, 0.0001, 0.0001, 0.0001]
    """
    total = _total_steps(total_steps, epochs, steps_per_epoch)
    top = _check.real("max_lr", max_lr)
    initial = top / _check.positive("div_factor", div_factor)
    low = initial / _check.positive("final_div_factor", final_div_factor)
    return _one_cycle(total, pct_start, anneal_strategy, three_phase, {"initial": initial, "max": top, "min": low})


def one_cycle_momentum(
    *,
    total_steps: int | None = None,
    epochs: int | None = None,
    steps_per_epoch: int | None = None,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    base_momentum: float = 0.85,
    max_momentum: float = 0.95,
    three_phase: bool = False,
) -> Schedule:
    """The momentum torch ``OneCycleLR`` cycles, inversely to the lr.

    Same phases as :func:`one_cycle_lr`: ``max_momentum -> base_momentum``,
    then ``base_momentum -> max_momentum`` (two phases), or with
    ``three_phase=True`` ``max -> base``, ``base -> max``, then ``max`` held.
    Holds the last value from ``total_steps - 1`` on. Keyword-only.

    Equivalent to the ``momentum`` (or ``betas[0]``) that ``OneCycleLR(opt, ...,
    cycle_momentum=True, base_momentum, max_momentum)`` writes.

    Args:
        total_steps, epochs, steps_per_epoch, pct_start, anneal_strategy,
            three_phase: as :func:`one_cycle_lr`.
        base_momentum: the momentum at the lr's peak.
        max_momentum: the momentum at the start (and end).

    >>> from schedalg.presets import one_cycle_momentum
    >>> s = one_cycle_momentum(total_steps=11, pct_start=0.5, anneal_strategy="linear")
    >>> [round(s(t), 4) for t in (0, 4.5, 10, 50)]
    [0.95, 0.85, 0.95, 0.95]
    """
    total = _total_steps(total_steps, epochs, steps_per_epoch)
    low = _check.real("base_momentum", base_momentum)
    high = _check.real("max_momentum", max_momentum)
    return _one_cycle(total, pct_start, anneal_strategy, three_phase, {"initial": high, "max": low, "min": high})


def lambda_lr(base_lr: float, lr_lambda: Callable[[int], float]) -> Schedule:
    """``base_lr`` times a function of the step (torch ``LambdaLR``).

    ``f(t) = base_lr * lr_lambda(t)``, with ``lr_lambda`` called with an ``int``
    for integral steps. Built with :func:`schedalg.from_fn`: equal only to a
    schedule wrapping the same callable, and not serializable.

    Equivalent to ``torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)``.

    Args:
        base_lr: the optimizer's learning rate.
        lr_lambda: the multiplier as a function of the step.

    >>> from schedalg.presets import lambda_lr
    >>> s = lambda_lr(0.5, lambda epoch: 0.9 ** epoch)
    >>> s(0), s(2)
    (0.5, 0.405)
    """
    base = _check.real("base_lr", base_lr)
    return from_fn(_callable("lr_lambda", lr_lambda)) * base


class _RunningProduct:
    """``base_lr * lr_lambda(1) * ... * lr_lambda(floor(t))``, computed as torch does and cached.

    Values are multiplied left to right from ``base_lr`` (the very roundings of
    torch's ``group["lr"] * lr_lambda(epoch)``) and kept in a growing table, so
    each step is computed once; the table is guarded by a lock, so concurrent
    calls are safe. Pickling keeps the arguments and drops the table.
    """

    __slots__ = ("_lock", "_values", "base_lr", "lr_lambda")

    def __init__(self, base_lr: float, lr_lambda: Callable[[int], float]) -> None:
        self.base_lr = base_lr
        self.lr_lambda = lr_lambda
        self._values = array.array("d", [base_lr])
        self._lock = threading.Lock()

    def __getstate__(self) -> tuple[float, Callable[[int], float]]:
        return (self.base_lr, self.lr_lambda)

    def __setstate__(self, state: tuple[float, Callable[[int], float]]) -> None:
        self.__init__(*state)  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"multiplicative_lr({self.base_lr!r}, {self.lr_lambda!r})"

    def __call__(self, step: float) -> float:
        k = int(step)  # floor: steps are >= 0
        values = self._values
        if k < len(values):
            return values[k]
        with self._lock:
            fn = self.lr_lambda
            v = values[-1]
            for j in range(len(values), k + 1):
                factor = fn(j)
                if isinstance(factor, bool) or not is_number(factor):
                    msg = f"lr_lambda must return a real number, got {factor!r} at step {j}"
                    raise TypeError(msg)
                v = v * float(factor)
                values.append(v)
            return values[k]


def multiplicative_lr(base_lr: float, lr_lambda: Callable[[int], float]) -> Schedule:
    """Multiply by ``lr_lambda(t)`` at every step (torch ``MultiplicativeLR``).

    ``f(t) = base_lr * lr_lambda(1) * lr_lambda(2) * ... * lr_lambda(floor(t))``.

    The one documented exception to O(1) evaluation: an arbitrary factor per
    step has no closed form, so the running product is computed left to right
    (bit for bit torch's values) and cached: the first call at step ``t`` costs
    ``O(t)`` calls of ``lr_lambda`` and ``8 t`` bytes, later calls up to ``t``
    are a table lookup. For a constant factor use :func:`exponential_lr`, which
    is O(1). Built with :func:`schedalg.from_fn` (equal only to itself, not
    serializable); ``lr_lambda`` must be pure.

    Equivalent to ``torch.optim.lr_scheduler.MultiplicativeLR(opt, lr_lambda)``.

    Args:
        base_lr: the optimizer's learning rate.
        lr_lambda: the factor applied at step ``t >= 1`` (pure, deterministic).

    >>> from schedalg.presets import multiplicative_lr
    >>> s = multiplicative_lr(1.0, lambda epoch: 0.5 if epoch % 2 else 1.0)
    >>> [s(t) for t in range(5)]
    [1.0, 0.5, 0.5, 0.25, 0.25]
    """
    base = _check.real("base_lr", base_lr)
    return from_fn(_RunningProduct(base, _callable("lr_lambda", lr_lambda)))


def swa_lr(base_lr: float, swa_lr: float, anneal_epochs: int = 10, anneal_strategy: str = "cos") -> Schedule:
    """Anneal from ``base_lr`` to ``swa_lr``, then hold it (torch ``SWALR``).

    With ``u = min(t / anneal_epochs, 1)``:
    ``f(t) = base_lr + (swa_lr - base_lr) * a(u)``, ``a(u) = (1 - cos(pi * u)) / 2``
    (``"cos"``) or ``u`` (``"linear"``); ``anneal_epochs=0`` is ``swa_lr`` from
    the start.

    Equivalent to ``torch.optim.swa_utils.SWALR(opt, swa_lr, anneal_epochs,
    anneal_strategy)`` created when ``opt``'s lr is ``base_lr``; step 0 is the
    scheduler's creation. To switch to SWA late in training, put it in a
    :func:`schedalg.sequence` after the main schedule.

    Args:
        base_lr: the optimizer's learning rate when SWALR is created.
        swa_lr: the learning rate to anneal to and hold.
        anneal_epochs: steps of annealing (integer >= 0).
        anneal_strategy: ``"cos"`` or ``"linear"``.

    >>> from schedalg.presets import swa_lr
    >>> s = swa_lr(1.0, 0.1, anneal_epochs=4, anneal_strategy="linear")
    >>> [round(s(t), 3) for t in range(6)]
    [1.0, 0.775, 0.55, 0.325, 0.1, 0.1]
    """
    base = _check.real("base_lr", base_lr)
    target = _check.real("swa_lr", swa_lr)
    n = _count("anneal_epochs", anneal_epochs, minimum=0)
    strategy = _check.choice("anneal_strategy", anneal_strategy, ("cos", "linear"))
    if n == 0:
        return constant(target)
    return _anneal(strategy, base, target, n)


# ==========================================================================================
# bs-scheduler
# ==========================================================================================
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


# ==========================================================================================
# recipes
# ==========================================================================================
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


def inverse_sqrt(value: float, warmup_steps: int, timescale: int | None = None, start: float = 0.0) -> Schedule:
    """Linear warmup, then inverse square-root decay with a timescale (Hugging Face semantics).

    ``f(t) = start + (value - start) * t / warmup_steps`` for ``t <
    warmup_steps``, then ``value / sqrt((t - warmup_steps + timescale) /
    timescale)``: ``value`` at the end of the warmup, halved ``3 * timescale``
    steps later. ``timescale`` defaults to ``warmup_steps``, or 10_000 without a
    warmup, as HF. (For the plain shape, ``value`` until ``timescale`` then
    ``value * sqrt(timescale / t)``, see :func:`schedalg.inverse_sqrt`.)

    Equivalent (times ``value``) to Hugging Face's
    ``get_inverse_sqrt_schedule(opt, warmup_steps, timescale)``.

    Args:
        value: the value at the end of the warmup.
        warmup_steps: steps of linear warmup (integer >= 0).
        timescale: steps for the decay (integer >= 1; default as HF).
        start: the value at step 0.

    >>> from schedalg.presets import inverse_sqrt
    >>> s = inverse_sqrt(1.0, warmup_steps=100)
    >>> s(50), s(100), s(400), s(1600)
    (0.5, 1.0, 0.5, 0.25)
    """
    top = _check.real("value", value)
    w = _count("warmup_steps", warmup_steps, minimum=0)
    ts = (w or 10_000) if timescale is None else _count("timescale", timescale)
    body = shift(_inverse_sqrt_shape(top, ts), ts)
    return warmup(body, w, start=_check.real("start", start))


class _SqrtRule:
    """``lr(t) * sqrt(batch_size(t) / base_batch_size)``, for :func:`linear_scaling`."""

    __slots__ = ("base_batch_size", "batch_size", "lr")

    def __init__(self, lr: Schedule, batch_size: Schedule, base_batch_size: float) -> None:
        self.lr = lr
        self.batch_size = batch_size
        self.base_batch_size = base_batch_size

    def __repr__(self) -> str:
        return f"linear_scaling({self.lr!r}, {self.batch_size!r}, {self.base_batch_size!r}, rule='sqrt')"

    def __call__(self, step: float) -> float:
        return self.lr(step) * math.sqrt(self.batch_size(step) / self.base_batch_size)


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
    result is ``lr`` scaled by a constant. The ``sqrt`` rule of a batch-size
    *schedule* is wrapped with :func:`schedalg.from_fn` (the algebra has no
    square root of a schedule's values): equal only to itself and not
    serializable.

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
    """
    the_rule = _check.choice("rule", rule, ("linear", "sqrt"))
    base = _check.positive("base_batch_size", base_batch_size)
    lr_s = lr if isinstance(lr, Schedule) else constant(_check.real("lr", lr))
    if not isinstance(batch_size, Schedule):
        ratio = _check.positive("batch_size", batch_size) / base
        return lr_s * (ratio if the_rule == "linear" else math.sqrt(ratio))
    if the_rule == "linear":
        ratio_s = batch_size / base
        return ratio_s * lr_s(0) if not isinstance(lr, Schedule) else lr_s * ratio_s
    return from_fn(_SqrtRule(lr_s, batch_size, base))
