"""timm's schedulers (:mod:`timm.scheduler`, as released in timm 1.0.31).

Same function names (the class name in snake_case), argument names and
defaults as timm, the optimizer replaced by ``base_lr`` (the param group's
initial lr). ``preset(...)(t)`` is the lr timm sets with ``step(t)`` (or
``step_update(t)``: ``t_in_epochs`` only chooses which of the two updates, so
it is accepted and ignored, as ``initialize`` is). timm's ``t`` is the
epoch (or update) count the training loop passes in; schedalg evaluates the
same formula at any real ``t >= 0``.

timm cannot be installed here (it needs torchvision), so these presets are
tested against an independent float64 restatement of the formulas of timm's
sources (``timm/scheduler/cosine_lr.py``, ``tanh_lr.py``, ``step_lr.py``,
``multistep_lr.py``, ``poly_lr.py``, ``plateau_lr.py`` and ``scheduler.py``),
written in the test module, at every step of random configurations.

Common structure (cosine, tanh, poly): with ``W = warmup_t``, the lr rises
linearly from ``warmup_lr_init`` on ``[0, W)``; afterwards the main schedule
runs at ``t - W`` (``warmup_prefix=True``) or at ``t`` itself. Cycle ``i``
lasts ``t_initial * cycle_mul**i`` steps, peaks at ``base_lr *
cycle_decay**i`` and decays to ``lr_min``; after ``cycle_limit`` cycles the lr
holds ``lr_min``. ``k_decay`` warps the time inside a cycle: the shape sees
``T * (t_curr / T) ** k``.

Noise (``noise_range_t`` given): in the range (``t >= noise_range_t``, or
``lo <= t < hi`` for a pair) the lr is multiplied by ``1 + n(t)``, ``n`` a
normal draw with standard deviation 1 redrawn until ``|n| < noise_pct`` —
timm's distribution (timm stores ``noise_std`` but draws ``torch.randn``, so
``noise_std`` has no effect there and none here) — through
:func:`schedalg.noise` with seed ``noise_seed``: the same distribution, not
torch's draws (timm reseeds ``torch.Generator`` with ``noise_seed + t``;
schedalg hashes ``(noise_seed, floor(t))``).

Differences from timm, each pinned by a test: ``cycle_mul < 1`` raises
``ValueError`` (timm's logarithm fails once the shrinking cycles run out);
``k_decay <= 0``, a negative ``power`` and a negative ``decay_rate`` raise
``ValueError`` (timm's values are constant, infinite or alternate in sign).
timm finds the cycle of a step with a float logarithm, which can round a
cycle start into the previous cycle (``t_initial=14, cycle_mul=3``: step
1694 gets the end of cycle 4, ``lr_min``, instead of the restart of cycle
5); schedalg's :func:`~schedalg.cyclical` places integer-multiplier cycle
starts exactly. With a fractional ``cycle_mul`` both compute the starts in
floats, and at a step where a cycle starts either may give the end of the
previous cycle instead of the restart (e.g. ``t_initial=30,
cycle_mul=1.7``, step 30: timm restarts, schedalg, whose float start is
``30.000000000000004``, gives ``lr_min``).
"""

from __future__ import annotations

import collections
import math
from collections.abc import Iterable
from typing import Any

from .. import _check, _math
from .._node import Schedule
from ..combinators import compose, cyclical, sequence, shift
from ..functions import power as _power, tanh
from ..shapes import clock, constant, cosine, exponential, linear, piecewise_constant, polynomial
from ._common import _EXACT_STEPS

__all__ = [
    "cosine_lr_scheduler",
    "tanh_lr_scheduler",
    "step_lr_scheduler",
    "multi_step_lr_scheduler",
    "poly_lr_scheduler",
    "plateau_lr_scheduler",
]


# -- shared pieces -------------------------------------------------------------------------------------------
def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        msg = f"{name} must be a bool, got {name}={value!r}"
        raise TypeError(msg)
    return value


def _noise_range(value: Any) -> tuple[float, float] | None:
    """``noise_range_t`` as ``[lo, hi)`` (``hi`` infinite for a single number)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            msg = f"noise_range_t must be a number or a pair (lo, hi), got noise_range_t={value!r}"
            raise ValueError(msg)
        lo = _check.real("noise_range_t[0]", value[0])
        hi = _check.real("noise_range_t[1]", value[1])
        return lo, hi
    return _check.real("noise_range_t", value), math.inf


def _with_noise(
    s: Schedule,
    noise_range_t: Any,
    noise_pct: Any,
    noise_std: Any,
    noise_seed: Any,
    noise_type: str = "normal",
    after: float = 0.0,
) -> Schedule:
    """timm's ``_add_noise``: ``s * (1 + n(t))`` for ``t`` in the range (and ``t >= after``)."""
    pct = _check.positive("noise_pct", noise_pct)
    _check.real("noise_std", noise_std)  # stored by timm, never used by its draws
    seed = _check.integer("noise_seed", noise_seed, minimum=0)
    kind = _check.choice("noise_type", noise_type, ("normal", "uniform"))
    span = _noise_range(noise_range_t)
    if span is None:
        return s
    lo, hi = max(span[0], after, 0.0), span[1]
    if not hi > lo:
        return s
    from .. import noise

    if kind == "normal":
        noisy = noise(s, 1.0, limit=pct, seed=seed)
    else:  # 2 * (rand - 0.5) * noise_pct: uniform on [-noise_pct, noise_pct)
        noisy = noise(s, pct, seed=seed, kind="uniform")
    pieces: list[Schedule] = []
    bounds: list[float] = []
    if lo > 0:
        pieces.append(s)
        bounds.append(lo)
    pieces.append(shift(noisy, lo))  # shifted back to the absolute step: n(t) draws from t
    if hi < math.inf:
        pieces.append(shift(s, hi))
        bounds.append(hi)
    return sequence(pieces, bounds)


def _warmup(main: Schedule, warmup_t: Any, warmup_lr_init: Any, warmup_prefix: bool, target: float | None) -> Schedule:
    """timm's warmup: ``warmup_lr_init + t * (target - warmup_lr_init) / W`` on ``[0, W)``."""
    w = _check.duration("warmup_t", warmup_t, allow_zero=True)
    init = _check.real("warmup_lr_init", warmup_lr_init)
    if w == 0:
        return main
    after = main if warmup_prefix else shift(main, w)
    top = after._at(0.0) if target is None else target
    return sequence([linear(init, top, w), after], [w])


def _cycles(
    shape: Any,
    base: float,
    t_initial: Any,
    lr_min: Any,
    cycle_mul: Any,
    cycle_decay: Any,
    cycle_limit: Any,
) -> Schedule:
    """Cycles of ``shape(a, b)`` (a cycle from ``a`` down to ``b`` over ``[0, T)``), then ``lr_min``.

    Cycle ``i`` runs ``lr_min + (base * decay**i - lr_min) * g(u)``: the
    decayed part and the floor are two cyclical schedules when both are
    present, since only the peak decays.
    """
    period = _check.duration("t_initial", t_initial)
    low = _check.nonnegative("lr_min", lr_min)
    mul = _check.real("cycle_mul", cycle_mul)
    if mul < 1.0:
        msg = f"cycle_mul must be >= 1 (timm fails once shrinking cycles run out), got cycle_mul={cycle_mul!r}"
        raise ValueError(msg)
    decay = _check.positive("cycle_decay", cycle_decay)
    limit = _check.integer("cycle_limit", cycle_limit, minimum=0)
    if limit == 0:
        return constant(low)
    if decay == 1.0 or low == 0.0:
        wave = cyclical(shape(base, low), period, period_mult=mul, decay=decay)
    else:
        wave = cyclical(shape(base, 0.0), period, period_mult=mul, decay=decay) + cyclical(
            shape(0.0, low), period, period_mult=mul
        )
    # The start of cycle ``limit``, computed as :func:`schedalg.cyclical` computes it.
    end = period * limit if mul == 1.0 else period * (_math.pow(mul, float(limit)) - 1.0) / (mul - 1.0)
    if not end < _EXACT_STEPS:
        return wave
    return sequence([wave, constant(low)], [end])


def _k_warp(shape: Schedule, period: float, k: float) -> Schedule:
    """``shape`` on the k-decay clock ``T * (t / T) ** k``."""
    if k == 1.0:
        return shape
    return compose(shape, period * _power(clock() / period, k))


def _k(value: Any) -> float:
    return _check.positive("k_decay", value)


# -- the schedulers -------------------------------------------------------------------------------------------
def cosine_lr_scheduler(
    base_lr: float,
    t_initial: int,
    lr_min: float = 0.0,
    cycle_mul: float = 1.0,
    cycle_decay: float = 1.0,
    cycle_limit: int = 1,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = False,
    t_in_epochs: bool = True,
    noise_range_t: Any = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
    k_decay: float = 1.0,
    initialize: bool = True,
) -> Schedule:
    """Cosine decay with restarts, warmup, k-decay and noise (timm ``CosineLRScheduler``).

    In cycle ``i`` (length ``T_i = t_initial * cycle_mul**i``, ``t_curr``
    steps into it): ``lr_min + (base_lr * cycle_decay**i - lr_min) *
    (1 + cos(pi * t_curr**k / T_i**k)) / 2`` for ``i < cycle_limit``, then
    ``lr_min``; the warmup rises to ``base_lr``. See the module docstring for
    warmup, noise and the differences from timm.

    >>> from schedalg.presets import timm as P
    >>> s = P.cosine_lr_scheduler(1.0, t_initial=10, cycle_limit=2, warmup_t=2, warmup_prefix=True)
    >>> s(0), s(1), s(2), s(7), s(12), s(22)
    (0.0, 0.5, 1.0, 0.5, 1.0, 0.0)
    """
    base = _check.real("base_lr", base_lr)
    _bool("warmup_prefix", warmup_prefix)
    _bool("t_in_epochs", t_in_epochs)
    k = _k(k_decay)
    period = _check.duration("t_initial", t_initial)

    def shape(a: float, b: float) -> Schedule:
        return _k_warp(cosine(a, b, period), period, k)

    main = _cycles(shape, base, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit)
    s = _warmup(main, warmup_t, warmup_lr_init, warmup_prefix, base)
    return _with_noise(s, noise_range_t, noise_pct, noise_std, noise_seed)


def tanh_lr_scheduler(
    base_lr: float,
    t_initial: int,
    lb: float = -7.0,
    ub: float = 3.0,
    lr_min: float = 0.0,
    cycle_mul: float = 1.0,
    cycle_decay: float = 1.0,
    cycle_limit: int = 1,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = False,
    t_in_epochs: bool = True,
    noise_range_t: Any = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
    initialize: bool = True,
) -> Schedule:
    """Hyperbolic-tangent decay with restarts, warmup and noise (timm ``TanhLRScheduler``).

    In cycle ``i`` with ``u = t_curr / T_i``: ``lr_min + (base_lr *
    cycle_decay**i - lr_min) * (1 - tanh(lb * (1 - u) + ub * u)) / 2``, then
    ``lr_min`` after ``cycle_limit`` cycles. Unlike the other timm schedules,
    without ``warmup_prefix`` the warmup rises to the main schedule's value
    at ``warmup_t`` (not to ``base_lr``), as timm. ``lb < ub``, as timm.

    >>> from schedalg.presets import timm as P
    >>> s = P.tanh_lr_scheduler(1.0, t_initial=100, lb=-1.0, ub=1.0)
    >>> round(s(0), 6), round(s(50), 6), round(s(99), 4), s(100)
    (0.880797, 0.5, 0.1235, 0.0)
    """
    base = _check.real("base_lr", base_lr)
    low_x = _check.real("lb", lb)
    high_x = _check.real("ub", ub)
    if not low_x < high_x:
        msg = f"lb must be < ub, got lb={lb!r} and ub={ub!r}"
        raise ValueError(msg)
    _check.nonnegative("warmup_lr_init", warmup_lr_init)
    prefix = _bool("warmup_prefix", warmup_prefix)
    _bool("t_in_epochs", t_in_epochs)
    period = _check.duration("t_initial", t_initial)
    g = (1.0 - tanh(linear(low_x, high_x, period))) * 0.5

    def shape(a: float, b: float) -> Schedule:
        return g * (a - b) + b

    main = _cycles(shape, base, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit)
    s = _warmup(main, warmup_t, warmup_lr_init, prefix, base if prefix else None)
    return _with_noise(s, noise_range_t, noise_pct, noise_std, noise_seed)


def poly_lr_scheduler(
    base_lr: float,
    t_initial: int,
    power: float = 0.5,
    lr_min: float = 0.0,
    cycle_mul: float = 1.0,
    cycle_decay: float = 1.0,
    cycle_limit: int = 1,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = False,
    t_in_epochs: bool = True,
    noise_range_t: Any = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
    k_decay: float = 1.0,
    initialize: bool = True,
) -> Schedule:
    """Polynomial decay with restarts, warmup, k-decay and noise (timm ``PolyLRScheduler``).

    In cycle ``i``: ``lr_min + (base_lr * cycle_decay**i - lr_min) *
    (1 - t_curr**k / T_i**k) ** power``, then ``lr_min`` after
    ``cycle_limit`` cycles; ``power == 0`` holds each cycle's peak. The warmup
    rises to ``base_lr``. A negative ``power`` raises ``ValueError``.

    >>> from schedalg.presets import timm as P
    >>> s = P.poly_lr_scheduler(1.0, t_initial=100, power=2.0)
    >>> s(0), s(50), s(100)
    (1.0, 0.25, 0.0)
    """
    base = _check.real("base_lr", base_lr)
    p = _check.nonnegative("power", power)
    _bool("warmup_prefix", warmup_prefix)
    _bool("t_in_epochs", t_in_epochs)
    k = _k(k_decay)
    period = _check.duration("t_initial", t_initial)

    def shape(a: float, b: float) -> Schedule:
        if p == 0.0:
            return constant(a)
        return _k_warp(polynomial(a, b, period, power=p), period, k)

    main = _cycles(shape, base, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit)
    s = _warmup(main, warmup_t, warmup_lr_init, warmup_prefix, base)
    return _with_noise(s, noise_range_t, noise_pct, noise_std, noise_seed)


def step_lr_scheduler(
    base_lr: float,
    decay_t: float,
    decay_rate: float = 1.0,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = True,
    t_in_epochs: bool = True,
    noise_range_t: Any = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
    initialize: bool = True,
) -> Schedule:
    """Decay by ``decay_rate`` every ``decay_t`` steps (timm ``StepLRScheduler``).

    ``f(t) = base_lr * decay_rate ** floor(t / decay_t)`` after the warmup
    (at ``t - warmup_t`` by default: ``warmup_prefix=True`` here, as timm).
    A negative ``decay_rate`` raises ``ValueError``.

    >>> from schedalg.presets import timm as P
    >>> s = P.step_lr_scheduler(1.0, decay_t=10, decay_rate=0.5, warmup_t=2)
    >>> s(0), s(1), s(2), s(12), s(22)
    (0.0, 0.5, 1.0, 0.5, 0.25)
    """
    base = _check.real("base_lr", base_lr)
    every = _check.duration("decay_t", decay_t)
    rate = _check.nonnegative("decay_rate", decay_rate)
    _bool("warmup_prefix", warmup_prefix)
    _bool("t_in_epochs", t_in_epochs)
    if rate == 0.0:
        main = piecewise_constant([every], [base, 0.0])
    else:
        main = exponential(base, rate, every=every, staircase=True)
    s = _warmup(main, warmup_t, warmup_lr_init, warmup_prefix, base)
    return _with_noise(s, noise_range_t, noise_pct, noise_std, noise_seed)


def multi_step_lr_scheduler(
    base_lr: float,
    decay_t: Iterable[int],
    decay_rate: float = 1.0,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = True,
    t_in_epochs: bool = True,
    noise_range_t: Any = None,
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int = 42,
    initialize: bool = True,
) -> Schedule:
    """Decay by ``decay_rate`` at each milestone, one step early (timm ``MultiStepLRScheduler``).

    ``f(t) = base_lr * decay_rate ** (number of milestones m <= t + 1)``:
    timm counts with ``bisect_right(decay_t, t + 1)``, so milestone ``m``
    applies from ``t = m - 1`` on (unlike torch's ``MultiStepLR``, from
    ``m``). A repeated milestone counts each time. After the warmup (at
    ``t - warmup_t`` by default, ``warmup_prefix=True`` as timm).
    Differences: ``decay_t`` must be sorted (timm's bisection assumes it) and
    a negative ``decay_rate`` raises ``ValueError``.

    >>> from schedalg.presets import timm as P
    >>> s = P.multi_step_lr_scheduler(1.0, decay_t=[10, 20], decay_rate=0.5)
    >>> s(8), s(9), s(19), s(100)
    (1.0, 0.5, 0.25, 0.25)
    """
    base = _check.real("base_lr", base_lr)
    milestones = _check.increasing("decay_t", decay_t, strict=False, minimum=None)
    rate = _check.nonnegative("decay_rate", decay_rate)
    _bool("warmup_prefix", warmup_prefix)
    _bool("t_in_epochs", t_in_epochs)
    counts = collections.Counter(m - 1 for m in milestones)
    n = sum(c for b, c in counts.items() if b <= 0)
    bounds = sorted(b for b in counts if b > 0)
    values = [base * rate**n]
    for b in bounds:
        n += counts[b]
        values.append(base * rate**n)
    main = piecewise_constant(bounds, values) if bounds else constant(values[0])
    s = _warmup(main, warmup_t, warmup_lr_init, warmup_prefix, base)
    return _with_noise(s, noise_range_t, noise_pct, noise_std, noise_seed)


def plateau_lr_scheduler(
    base_lr: float,
    decay_rate: float = 0.1,
    patience_t: int = 10,
    threshold: float = 1e-4,
    cooldown_t: int = 0,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    lr_min: float = 0.0,
    mode: str = "max",
    noise_range_t: Any = None,
    noise_type: str = "normal",
    noise_pct: float = 0.67,
    noise_std: float = 1.0,
    noise_seed: int | None = None,
    initialize: bool = True,
) -> tuple[Schedule, Any]:
    """Reduce the lr when a metric plateaus, after a warmup (timm ``PlateauLRScheduler``).

    Returns ``(schedule, plateau)``: the lr at epoch ``t`` is
    ``schedule(t) * state.scale``, with ``state`` the :class:`schedalg.Plateau`
    state after the metrics of the epochs after the warmup
    (``state = plateau.update(state, metric)`` once per epoch ``t >
    warmup_t``: timm feeds no metric during the warmup). ``schedule`` rises
    linearly from ``warmup_lr_init`` to ``base_lr`` over ``warmup_t`` epochs
    and holds ``base_lr``; with noise, epochs ``t > warmup_t`` in
    ``noise_range_t`` are multiplied by ``1 + n(t)`` (``noise_type`` normal,
    truncated at ``noise_pct``, or uniform on ``[-noise_pct, noise_pct)``).
    ``plateau`` is torch's ``ReduceLROnPlateau`` as timm configures it:
    ``Plateau(mode, factor=decay_rate, patience=patience_t, threshold,
    "rel", cooldown=cooldown_t, min_scale=lr_min / base_lr,
    eps=1e-8 / base_lr, nan_policy="bad")``.

    Differences: ``schedule(0)`` is ``base_lr`` when ``warmup_t == 0`` (the lr
    timm's constructor sets; timm's ``step(0)`` would set ``warmup_lr_init``,
    a call its training loop never makes); ``base_lr`` must be positive.

    >>> from schedalg.presets import timm as P
    >>> s, rule = P.plateau_lr_scheduler(1.0, decay_rate=0.5, patience_t=0, warmup_t=2)
    >>> s(0), s(1), s(2)
    (0.0, 0.5, 1.0)
    >>> state = rule.init()
    >>> for metric in (0.5, 0.4):  # epochs 3 and 4: mode="max", worse
    ...     state = rule.update(state, metric)
    >>> s(4) * state.scale
    0.5
    """
    from ..plateau import Plateau

    base = _check.positive("base_lr", base_lr)
    low = _check.nonnegative("lr_min", lr_min)
    rule = Plateau(
        mode=mode,
        factor=decay_rate,
        patience=patience_t,
        threshold=threshold,
        threshold_mode="rel",
        cooldown=cooldown_t,
        min_scale=low / base,
        eps=1e-8 / base,
        nan_policy="bad",
    )
    w = _check.duration("warmup_t", warmup_t, allow_zero=True)
    s = _warmup(constant(base), w, warmup_lr_init, True, base)
    seed = 42 if noise_seed is None else noise_seed
    # timm perturbs the lr only in the epochs after the warmup (t > warmup_t).
    s = _with_noise(s, noise_range_t, noise_pct, noise_std, seed, noise_type, after=w + 1 if w else 0.0)
    return s, rule
