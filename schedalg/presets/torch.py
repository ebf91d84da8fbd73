"""PyTorch's schedulers (:mod:`torch.optim.lr_scheduler`, :class:`torch.optim.swa_utils.SWALR`).

Argument names and defaults as torch, the optimizer replaced by ``base_lr``
(the optimizer's lr when the scheduler is created). ``preset(...)(t)`` is the
lr torch sets after ``t`` calls of ``scheduler.step()``, to a relative
``1e-10`` (torch updates recursively and drifts in the last bits; schedalg
evaluates the closed form, within a few ulp of exact). Past the end
of a finite schedule (OneCycle after ``total_steps - 1``) the last value
holds, where torch raises or extrapolates. Configurations that torch accepts
and then crashes on (a division by zero at some step) raise ``ValueError``
here, at construction. Every preset returns an ordinary composed schedule,
O(1) in the step, with one documented exception: :func:`multiplicative_lr`.
"""

from __future__ import annotations

import collections
import numbers
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _check
from .._node import Schedule
from ..combinators import cyclical, per_epoch, sequence, shift
from ..shapes import (
    constant,
    cosine,
    exponential,
    from_fn,
    linear,
    piecewise_constant,
    polynomial,
    triangular,
)
from ._common import _callable, _count, _fraction, _gamma, _pieces, _pieces_and_milestones

if TYPE_CHECKING:
    from ..plateau import Plateau

__all__ = [
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
    "sequential_lr",
    "chained_scheduler",
    "reduce_lr_on_plateau",
]


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


#: Factors fetched per block by :class:`_RunningProduct` (bounds the temporary list).
_BLOCK = 1 << 16
_PLAIN_REALS = frozenset({float, int})


class _RunningProduct:
    """``base * fn(1) * ... * fn(floor(t))``, multiplied left to right as torch does, and cached.

    The factors are fetched one call of ``fn`` per step, in blocks, and the
    running product of a block is one ``np.multiply.accumulate`` from the last
    value: the same roundings, in the same order, as torch's ``group["lr"] *
    lr_lambda(epoch)``. The table grows under a lock, so concurrent calls are
    safe and each step's factor is fetched once. Pickling keeps the arguments
    and drops the table.

    With ``bounds=(low, high)`` it is bs-scheduler's ``MultiplicativeBS``
    instead: ``v_t = round(v_{t-1} * fn(t))`` from ``v_{-1} = base``, rounded
    half to even at every step, and once a value leaves ``[low, high]`` it is
    clamped and held for good (``fn`` is no longer called).
    """

    __slots__ = ("_lock", "_n", "_stop", "_values", "base", "bounds", "fn", "name")

    def __init__(
        self,
        base: float,
        fn: Callable[[int], float],
        name: str = "multiplicative_lr",
        bounds: tuple[float, float] | None = None,
    ) -> None:
        self.base = base
        self.fn = fn
        self.name = name
        self.bounds = bounds
        self._values = np.empty(16, dtype=np.float64)
        self._values[0] = base
        self._n = 1 if bounds is None else 0
        self._stop: int | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> tuple[float, Callable[[int], float], str, tuple[float, float] | None]:
        return (self.base, self.fn, self.name, self.bounds)

    def __setstate__(self, state: tuple[float, Callable[[int], float], str, tuple[float, float] | None]) -> None:
        self.__init__(*state)  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"{self.name}({self.base!r}, {self.fn!r})"

    def _bad(self, value: Any, step: int) -> TypeError:
        arg = "lr_lambda" if self.bounds is None else "bs_lambda"
        return TypeError(f"{arg} must return a real number, got {value!r} at step {step}")

    def _factors(self, lo: int, hi: int) -> np.ndarray:
        values = list(map(self.fn, range(lo, hi)))
        if not set(map(type, values)) <= _PLAIN_REALS:
            for j, v in zip(range(lo, hi), values):
                if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.integer, np.floating)):
                    raise self._bad(v, j)
            values = [float(v) for v in values]
        return np.array(values, dtype=np.float64)

    def _extend(self, k: int) -> None:
        """Fill the table up to step ``k`` (called with the lock held)."""
        if k >= self._values.size:
            grown = np.empty(max(k + 1, 2 * self._values.size), dtype=np.float64)
            grown[: self._n] = self._values[: self._n]
            self._values = grown
        if self.bounds is not None:
            self._extend_rounded(k)
            return
        while self._n <= k:
            lo = self._n
            hi = min(k + 1, lo + _BLOCK)
            factors = self._factors(lo, hi)
            factors[0] *= self._values[lo - 1]
            np.multiply.accumulate(factors, out=self._values[lo:hi])
            self._n = hi

    def _extend_rounded(self, k: int) -> None:
        low, high = self.bounds  # type: ignore[misc]
        values = self._values
        lo = self._n
        v = self.base if lo == 0 else float(values[lo - 1])
        stopped = lo > 0 and self._stopped_at(lo - 1)
        fn = self.fn
        for j in range(lo, k + 1):
            if stopped:
                values[j : k + 1] = v
                break
            f = fn(j)
            if isinstance(f, (bool, np.bool_)) or not isinstance(f, (numbers.Real, np.integer, np.floating)):
                raise self._bad(f, j)
            v = float(round(v * float(f)))
            if not low <= v <= high:
                v = min(max(v, low), high)
                stopped = True
                self._stop = j
            values[j] = v
        self._n = k + 1

    def _stopped_at(self, j: int) -> bool:
        return self._stop is not None and self._stop <= j

    def __call__(self, step: Any) -> float:
        if isinstance(step, (bool, np.bool_)) or not isinstance(step, (numbers.Real, np.integer, np.floating)):
            msg = (
                f"{self.name} cannot be evaluated on {type(step).__name__} steps: its running product "
                "is a host-side table (evaluate it on Python or numpy steps)"
            )
            raise TypeError(msg)
        k = int(step)  # floor: steps are >= 0
        if k >= self._n:
            with self._lock:
                self._extend(k)
        return float(self._values[k])


def multiplicative_lr(base_lr: float, lr_lambda: Callable[[int], float]) -> Schedule:
    """Multiply by ``lr_lambda(t)`` at every step (torch ``MultiplicativeLR``).

    ``f(t) = base_lr * lr_lambda(1) * lr_lambda(2) * ... * lr_lambda(floor(t))``.

    The one documented exception to O(1) evaluation: an arbitrary factor per
    step has no closed form, so the running product is computed left to right
    (bit for bit torch's values) and cached: the first call at step ``t`` costs
    ``t`` calls of ``lr_lambda`` (fetched in blocks; the products are one
    ``np.multiply.accumulate`` per block) and ``8 t`` to ``16 t`` bytes, later
    calls up to ``t`` are a table lookup. Only Python and numpy steps: an array
    of another library raises ``TypeError``. For a constant factor use :func:`exponential_lr`, which
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


def sequential_lr(schedulers: Sequence[Schedule], milestones: Sequence[int]) -> Schedule:
    """Run schedules one after another, switching at ``milestones`` (torch ``SequentialLR``).

    ``f(t) = schedulers[i](t - milestones[i - 1])`` for ``milestones[i - 1] <= t
    < milestones[i]``: each schedule restarts from its own step 0 at its
    milestone, as torch's ``SequentialLR`` does (it steps the next scheduler
    with epoch 0, its closed form). This is :func:`schedalg.sequence`; the
    optimizer argument is dropped (torch takes the lr from the schedulers, each
    built here with the optimizer's lr as ``base_lr``).

    Equivalent to ``torch.optim.lr_scheduler.SequentialLR(opt, schedulers,
    milestones)`` with the torch schedulers replaced by the presets of this
    module. As torch, a milestone may be 0 and milestones may repeat: a
    schedule whose interval is empty is never used. Differences: milestones
    out of order raise ``ValueError`` (torch accepts them and then switches by
    a ``bisect`` on the unsorted list); a :func:`multiplicative_lr` after the
    first milestone starts from its ``base_lr`` here, where torch's continues
    from the lr the previous scheduler left, times ``lr_lambda(0)``
    (``MultiplicativeLR`` has no closed form to restart from).

    Args:
        schedulers: the schedules (at least one).
        milestones: ``len(schedulers) - 1`` steps (integers >= 0, sorted).

    >>> from schedalg.presets import constant_lr, exponential_lr, sequential_lr
    >>> s = sequential_lr([constant_lr(0.05, factor=0.1, total_iters=20), exponential_lr(0.05, 0.9)], [20])
    >>> round(s(19), 6), s(20), round(s(22), 6)
    (0.005, 0.05, 0.0405)
    """
    pieces, marks = _pieces_and_milestones(schedulers, milestones, minimum=0)
    # Piece i runs on [marks[i - 1], marks[i]); drop the empty ones, as torch never steps them.
    starts = [0, *marks]
    ends = [*marks, None]
    kept = [(a, p) for a, b, p in zip(starts, ends, pieces) if b is None or b > a]
    return sequence([p for _, p in kept], [a for a, _ in kept[1:]])


def chained_scheduler(schedulers: Sequence[Schedule], base_lr: float) -> Schedule:
    """The product of schedules' factors (torch ``ChainedScheduler``).

    ``f(t) = base_lr * prod_i(schedulers[i](t) / base_lr)``, every schedule
    built with the same ``base_lr`` (the optimizer's lr): torch steps each
    scheduler in turn and each multiplies the current lr by its own ratio.

    Equivalent to ``torch.optim.lr_scheduler.ChainedScheduler(schedulers)`` for
    the schedulers whose step multiplies the lr by a factor: ``StepLR``,
    ``MultiStepLR``, ``ConstantLR``, ``LinearLR``, ``ExponentialLR``,
    ``PolynomialLR`` and ``MultiplicativeLR`` (the presets of the same names).
    Difference: torch's result with ``CosineAnnealingLR`` (a ratio only while
    ``eta_min == 0`` and before ``T_max``), ``LambdaLR``,
    ``CyclicLR``, ``OneCycleLR``, ``CosineAnnealingWarmRestarts`` or ``SWALR``
    in the chain is not a product (their steps add to or overwrite the lr) and
    depends on the order; schedalg gives the product for any schedules.
    ``base_lr`` must be positive.

    Args:
        schedulers: the schedules (at least one), each built with ``base_lr``.
        base_lr: the optimizer's learning rate.

    >>> from schedalg.presets import chained_scheduler, constant_lr, exponential_lr
    >>> s = chained_scheduler([constant_lr(1.0, factor=0.1, total_iters=2), exponential_lr(1.0, 0.9)], 1.0)
    >>> [round(s(t), 4) for t in range(4)]
    [0.1, 0.09, 0.81, 0.729]
    """
    base = _check.positive("base_lr", base_lr)
    pieces = _pieces(schedulers)
    result = pieces[0]
    for piece in pieces[1:]:
        result = result * (piece / base)
    return result


def reduce_lr_on_plateau(
    base_lr: float,
    mode: str = "min",
    factor: float = 0.1,
    patience: int = 10,
    threshold: float = 1e-4,
    threshold_mode: str = "rel",
    cooldown: int = 0,
    min_lr: float = 0.0,
    eps: float = 1e-8,
) -> Plateau:
    """The metric-driven rule of torch's ``ReduceLROnPlateau``, as a :class:`~schedalg.Plateau`.

    Returns ``Plateau(mode, factor, patience, threshold, threshold_mode,
    cooldown, min_scale=min_lr / base_lr, eps=eps / base_lr,
    nan_policy="bad")``: ``base_lr * state.scale`` after each
    ``rule.update(state, metric)`` is the lr after each
    ``scheduler.step(metric)``. Multiply any schedule by ``state.scale`` (or
    pass the rule to :class:`schedalg.torch.ParamScheduler`'s ``plateau``).
    torch's ``min_lr`` and ``eps`` are in lr units, hence the division;
    ``nan_policy="bad"`` counts a NaN metric as a bad epoch, as torch does.

    Equivalent to ``torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode,
    factor, patience, threshold, threshold_mode, cooldown, min_lr, eps)`` with
    one param group of lr ``base_lr``. Differences: ``min_lr`` is one number
    (torch also takes one per param group); torch multiplies the lr
    recursively, schedalg keeps ``factor ** k`` in the scale (the same values
    to a few ulp).

    Args:
        base_lr: the optimizer's learning rate (positive).
        mode: ``"min"`` or ``"max"``.
        factor: the multiplier on a plateau, in ``(0, 1)``.
        patience: bad epochs tolerated before a reduction.
        threshold: the margin that counts as an improvement.
        threshold_mode: ``"rel"`` or ``"abs"``.
        cooldown: epochs to ignore after a reduction.
        min_lr: the lower bound of the lr (>= 0).
        eps: the smallest change of the lr that is applied (>= 0).

    >>> from schedalg.presets import reduce_lr_on_plateau
    >>> rule = reduce_lr_on_plateau(0.1, factor=0.5, patience=0)
    >>> state = rule.init()
    >>> for loss in [1.0, 1.0, 1.0]:
    ...     state = rule.update(state, loss)
    >>> 0.1 * state.scale
    0.025
    """
    from ..plateau import Plateau

    base = _check.positive("base_lr", base_lr)
    f = _check.real("factor", factor)
    if not 0.0 < f < 1.0:
        msg = f"factor must be in (0, 1), got factor={factor!r}"
        raise ValueError(msg)
    low = _check.nonnegative("min_lr", min_lr)
    e = _check.nonnegative("eps", eps)
    return Plateau(
        mode=mode,  # type: ignore[arg-type]
        factor=f,
        patience=patience,
        threshold=threshold,
        threshold_mode=threshold_mode,  # type: ignore[arg-type]
        cooldown=cooldown,
        min_scale=low / base,
        eps=e / base,
        nan_policy="bad",
    )
