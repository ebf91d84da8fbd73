"""Combinators: schedules built from other schedules.

Each combinator is a frozen node plus a public constructor that validates its
arguments and hands them to :mod:`schedalg._simplify`, the one place where
simplification rules live. Every docstring states the formula, the step
convention and the laws the combinator satisfies.
"""

from __future__ import annotations

import bisect
import contextlib
import math
import operator
from typing import Any, Callable, Sequence

import numpy as np

from . import _check, _math, _simplify
from . import shapes as _shapes
from ._math import array_math
from ._node import Schedule, cached_field, cut, is_number, node, piecewise, register

__all__ = [
    "warmup",
    "cooldown",
    "sequence",
    "cyclical",
    "scale",
    "invert",
    "quantize",
    "shift",
    "delay",
    "stretch",
    "per_epoch",
    "clip",
    "minimum",
    "maximum",
    "arith",
    "compose",
]

WARMUP_SHAPES = ("linear", "cosine", "exponential")
COOLDOWN_SHAPES = ("linear", "cosine", "sqrt")
ROUNDINGS = ("half_even", "half_up", "floor", "ceil")



def _integral(x: float | None) -> bool:
    return x is None or float(x).is_integer()


# -- warmup -----------------------------------------------------------------------------------------
def _make_ramp(shape: str, start: float, end: float, steps: float) -> Schedule:
    """The shape that goes from ``start`` to ``end`` over ``steps``."""
    if shape == "linear":
        return _shapes.linear(start, end, steps)
    if shape == "cosine":
        return _shapes.cosine(start, end, steps)
    if shape == "exponential":
        return _shapes.exponential(start, end / start, every=steps)
    return _SqrtDecay(start, end, steps) if start != end else _shapes.constant(start)


@node("sqrt_decay")
class _SqrtDecay(_shapes._Interpolating):
    """``start + (end - start) * sqrt(t / steps)``: the ramp of a ``sqrt`` cooldown."""

    start: float
    end: float
    steps: float

    def _travelled(self, xm: Any, t: Any) -> Any:
        return xm.sqrt(t / self.steps)

    def _remaining(self, xm: Any, t: Any) -> Any:
        return 1.0 - xm.sqrt(t / self.steps)


@node("warmup")
class Warmup(Schedule):
    s: Schedule
    steps: float
    start: float = 0.0
    shape: str = "linear"
    _ramp: Schedule = cached_field()  # start -> s(0) over [0, steps)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ramp", _make_ramp(self.shape, self.start, self.s._at(0.0), self.steps))

    def _at(self, t: float) -> float:
        if t < self.steps:
            return self._ramp._at(t)
        return self.s._at(t - self.steps)

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        steps = self.steps

        def fill(i: int, ts: np.ndarray, dest: np.ndarray) -> None:
            if i == 0:
                self._ramp._fill(ts, dest)
            else:
                self.s._fill(ts - steps, dest)

        piecewise(t, out, (steps,), fill)


@register("warmup")
def warmup(s: Schedule, steps: float, start: float = 0.0, shape: str = "linear") -> Schedule:
    """Ramp from ``start`` up to ``v = s(0)`` over ``steps``, then run ``s``.

    For ``t < steps``, with ``u = t / steps``:

    * ``linear``: ``start + (v - start) * u``
    * ``cosine``: ``start + (v - start) * (1 - cos(pi * u)) / 2``
    * ``exponential``: ``start * (v / start) ** u`` (needs ``start > 0``, ``v > 0``)

    and ``s(t - steps)`` from ``t = steps`` on: ``s`` starts after the ramp.
    The ramps are :func:`linear`, :func:`cosine` and :func:`exponential`, with
    their accuracy.

    Laws: ``warmup(s, n)(n) == s(0)``; the ramp is continuous at ``steps``;
    ``warmup(s, 0) == s``.

    >>> import schedalg as sa
    >>> s = sa.warmup(sa.constant(1.0), 4)
    >>> [s(t) for t in range(6)]
    [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """
    s_ = _check.schedule("s", s)
    steps_ = _check.duration("steps", steps, allow_zero=True)
    start_ = _check.real("start", start)
    shape_ = _check.choice("shape", shape, WARMUP_SHAPES)
    if steps_ == 0:
        return s_
    v = s_._at(0.0)
    if not math.isfinite(v):
        msg = f"warmup needs a finite s(0) to ramp to, got s(0)={v!r}"
        raise ValueError(msg)
    if shape_ == "exponential" and (start_ <= 0.0 or v <= 0.0 or not math.isfinite(v / start_)):
        msg = (
            "an exponential warmup needs start > 0, s(0) > 0 and a finite ratio s(0) / start, "
            f"got start={start!r} and s(0)={v!r}"
        )
        raise ValueError(msg)
    return Warmup(s_, steps_, start_, shape_)


# -- cooldown -----------------------------------------------------------------------------------------
@node("cooldown")
class Cooldown(Schedule):
    s: Schedule
    at: float
    steps: float
    end: float = 0.0
    shape: str = "linear"
    _ramp: Schedule = cached_field()  # s(at) -> end over [0, steps), in local time
    _stop: float = cached_field()  # at + steps

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ramp", _make_ramp(self.shape, self.s._at(float(self.at)), self.end, self.steps))
        object.__setattr__(self, "_stop", self.at + self.steps)

    def _at(self, t: float) -> float:
        if t < self.at:
            return self.s._at(t)
        if not t < self._stop:  # NaN holds the end too, as in the array path
            return self.end
        return self._ramp._at(t - self.at)

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        at, end = self.at, self.end

        def fill(i: int, ts: np.ndarray, dest: np.ndarray) -> None:
            if i == 0:
                self.s._fill(ts, dest)
            elif i == 1:
                self._ramp._fill(ts - at, dest)
            else:
                dest.fill(end)

        piecewise(t, out, (at, self._stop), fill)


@register("cooldown")
def cooldown(s: Schedule, at: float, steps: float, end: float = 0.0, shape: str = "linear") -> Schedule:
    """Run ``s`` until ``at``, then decay from ``v = s(at)`` to ``end`` over ``steps``.

    For ``at <= t < at + steps``, with ``u = (t - at) / steps``:

    * ``linear``: ``v + (end - v) * u``
    * ``cosine``: ``end + (v - end) * (1 + cos(pi * u)) / 2``
    * ``sqrt``: ``end + (v - end) * (1 - sqrt(u))`` (the decay of warmup-stable-decay)

    ``s(t)`` before ``at`` (``s`` keeps its own clock) and ``end`` from ``at + steps`` on.

    Laws: ``cooldown(s, a, n)(a) == s(a)``; the value at ``a + n`` is ``end``.

    >>> import schedalg as sa
    >>> s = sa.cooldown(sa.constant(1.0), at=10, steps=4)
    >>> [s(t) for t in (9, 10, 11, 12, 14)]
    [1.0, 1.0, 0.75, 0.5, 0.0]
    """
    s_ = _check.schedule("s", s)
    at_ = _check.duration("at", at, allow_zero=True)
    steps_ = _check.duration("steps", steps)
    end_ = _check.real("end", end)
    shape_ = _check.choice("shape", shape, COOLDOWN_SHAPES)
    v = s_._at(float(at_))
    if not math.isfinite(v):
        msg = f"cooldown needs a finite s(at) to decay from, got s({at_!r})={v!r}"
        raise ValueError(msg)
    return Cooldown(s_, at_, steps_, end_, shape_)


# -- sequence -----------------------------------------------------------------------------------------
@node("sequence")
class Sequence_(Schedule):
    schedules: tuple[Schedule, ...]
    boundaries: tuple[float, ...]

    def _is_integer(self) -> bool:
        return all(s._integer for s in self.schedules)

    def _at(self, t: float) -> float:
        i = bisect.bisect_right(self.boundaries, t)
        if i == 0:
            return self.schedules[0]._at(t)
        return self.schedules[i]._at(t - self.boundaries[i - 1])

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        schedules, boundaries = self.schedules, self.boundaries

        def fill(i: int, ts: np.ndarray, dest: np.ndarray) -> None:
            schedules[i]._fill(ts if i == 0 else ts - boundaries[i - 1], dest)

        piecewise(t, out, boundaries, fill)


@register("sequence")
def sequence(schedules: Sequence[Schedule], boundaries: Sequence[float]) -> Schedule:
    """Run ``schedules`` one after another, switching at ``boundaries``.

    ``boundaries`` holds the ``len(schedules) - 1`` switch steps, strictly
    increasing and positive. With ``b_0 = 0``, piece ``i`` owns
    ``[b_i, b_{i+1})`` and sees local time ``t - b_i``; a boundary belongs to the
    piece on its right.

    Laws: associativity (nested sequences flatten to the same node);
    ``sequence([s], []) == s``; ``sequence([a, b], [n])(n + k) == b(k)``.

    >>> import schedalg as sa
    >>> s = sa.sequence([sa.linear(0.0, 1.0, 10), sa.constant(0.5)], [10])
    >>> s(5), s(10), s(100)
    (0.5, 0.5, 0.5)
    """
    if isinstance(schedules, Schedule) or not isinstance(schedules, (list, tuple)):
        msg = f"schedules must be a list of schedules, got schedules={schedules!r}"
        raise TypeError(msg)
    pieces = tuple(_check.schedule(f"schedules[{i}]", s) for i, s in enumerate(schedules))
    if not pieces:
        msg = "schedules must hold at least one schedule, got schedules=[]"
        raise ValueError(msg)
    bounds = _check.increasing("boundaries", boundaries)
    if len(bounds) != len(pieces) - 1:
        msg = (
            f"boundaries must hold len(schedules) - 1 = {len(pieces) - 1} switch steps, "
            f"got {len(bounds)}: boundaries={list(boundaries)!r}"
        )
        raise ValueError(msg)
    if bounds and bounds[0] <= 0:
        msg = f"boundaries must be positive, got boundaries[0]={bounds[0]!r}"
        raise ValueError(msg)
    return _simplify.sequence(pieces, bounds)


# -- cyclical -----------------------------------------------------------------------------------------
#: Above this many cycles in one sorted block, evaluate all cycles at once
#: instead of one contiguous run per cycle.
_MAX_RUNS = 64


#: Cycles tabulated by a growing ``cyclical`` (start, length factor, decay of
#: each), computed at construction in one vectorized pass: lookups by
#: bisection for the first 64 cycles (every step below 2**53 for
#: ``period_mult >= 1.8``), the closed form beyond. Small, so that building a
#: ``cyclical`` costs a few microseconds whatever its arguments (a text of
#: thousands of them parses in a fraction of a second).
_MAX_TABLE = 64


@node("cyclical")
class Cyclical(Schedule):
    s: Schedule
    period: float
    period_mult: float = 1.0
    decay: float = 1.0
    # Growing cycles: cycle k starts at _starts[k] and is _mults[k] times the
    # first one; _decays[k] = decay**k. Both evaluation paths read these same
    # numbers, so they agree bit for bit.
    _starts: tuple[float, ...] = cached_field()
    _mults: tuple[float, ...] = cached_field()
    _decays: tuple[float, ...] = cached_field()
    _arrays: tuple[np.ndarray, np.ndarray, np.ndarray] = cached_field()

    def __post_init__(self) -> None:
        # The table holds the same numbers as _start and _math.pow give one
        # cycle at a time (array_math.pow is the scalar pow's kernel), up to
        # the first cycle that starts at or beyond 2**53, a sentinel.
        m, period = self.period_mult, self.period
        size = 0
        if m != 1.0:
            reach = _check.EXACT_INT * (m - 1.0) / period + 1.0
            size = _MAX_TABLE if not reach < math.inf else min(_MAX_TABLE, int(math.log(reach) / math.log(m)) + 3)
        k = np.arange(size, dtype=np.float64)
        # Overflow is possible only for huge multipliers, decays or tiny periods.
        quiet = size * max(math.log2(m), abs(math.log2(self.decay))) + abs(math.log2(period)) < 900.0
        if size:
            quiet = quiet and abs(math.log2(m - 1.0)) < 100.0
        with contextlib.nullcontext() if quiet else np.errstate(all="ignore"):
            mults = array_math.pow(m, k)
            starts = self._starts_from(mults) if size else k
            decays = array_math.pow(self.decay, k)
        beyond = np.flatnonzero(~(starts < _check.EXACT_INT))
        n = int(beyond[0]) + 1 if beyond.size else size
        if n > 1 and starts[n - 1] != starts[n - 1]:  # a NaN cannot be a sentinel
            n -= 1
        starts, mults, decays = starts[:n], mults[:n], decays[:n]
        object.__setattr__(self, "_starts", tuple(starts.tolist()))
        object.__setattr__(self, "_mults", tuple(mults.tolist()))
        object.__setattr__(self, "_decays", tuple(decays.tolist()))
        object.__setattr__(self, "_arrays", (starts, mults, decays))

    def _is_integer(self) -> bool:
        return self.s._integer and self.decay == 1.0

    def _start(self, k: float) -> float:
        """First step of cycle ``k``: ``period * (m**k - 1) / (m - 1)``.

        Multiplied first, so that integer periods and multipliers give exact
        integer starts; divided first only where the product would overflow.
        """
        m = self.period_mult
        grown = _math.pow(m, k) - 1.0
        start = self.period * grown
        return start / (m - 1.0) if start < math.inf else grown * (self.period / (m - 1.0))

    def _starts_array(self, k: np.ndarray) -> np.ndarray:
        """:meth:`_start` of every cycle index in ``k``."""
        return self._starts_from(array_math.pow(self.period_mult, k))

    def _starts_from(self, powers: np.ndarray) -> np.ndarray:
        """:meth:`_start` of the cycles ``k`` given ``period_mult ** k``."""
        m = self.period_mult
        grown = powers - 1.0
        start = self.period * grown
        over = start == math.inf
        start /= m - 1.0
        start[over] = grown[over] * (self.period / (m - 1.0))
        return start

    def _far_cycle(self, t: float) -> float:
        """Cycle index beyond the table: a logarithm, settled exactly against ``S_k``.

        ``log1p`` keeps the estimate accurate for ``period_mult`` near 1; two
        rounds of comparisons with the exact starts settle it (the array path
        runs the same rounds). An infinite step is in cycle ``inf``.
        """
        m = self.period_mult
        x = t * (m - 1.0) / self.period
        # Near the largest floats, t * (m - 1) overflows: take logs apart.
        log_x = math.log1p(x) if x < math.inf else math.log(t) + math.log(m - 1.0) - math.log(self.period)
        q = log_x / math.log1p(m - 1.0)
        k = float(math.floor(q)) if q < math.inf else q
        for _ in range(2):
            if self._start(k) > t:
                k -= 1.0
            if self._start(k + 1.0) <= t:
                k += 1.0
        return k

    def _at(self, t: float) -> float:
        if self.period_mult == 1.0:
            k, tau = divmod(t, self.period)
            value = self.s._at(tau)
            return value if self.decay == 1.0 else value * _math.pow(self.decay, k)
        starts = self._starts
        if t < starts[-1]:
            i = bisect.bisect_right(starts, t) - 1
            return self.s._at((t - starts[i]) / self._mults[i]) * self._decays[i]
        k = self._far_cycle(t)
        value = self.s._at((t - self._start(k)) / _math.pow(self.period_mult, k))
        return value * _math.pow(self.decay, k)

    def _cycles(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Cycle index, local time and decay factor (None if 1) of every step."""
        if self.period_mult == 1.0:
            k, tau = np.divmod(t, self.period)
            return k, tau, None if self.decay == 1.0 else array_math.pow(self.decay, k)
        starts, mults, decays = self._arrays
        k = np.searchsorted(starts, t, side="right") - 1
        tau = t - starts[k]
        tau /= mults[k]
        factor = decays[k]
        far = t >= starts[-1]
        if far.any():
            # The vectorized _far_cycle, with the same pow as the scalar path.
            period, m = self.period, self.period_mult
            tf = t[far]
            x = tf * (m - 1.0) / period
            huge = x == math.inf
            log_x = np.log1p(x)
            log_x[huge] = np.log(tf[huge]) + math.log(m - 1.0) - math.log(period)
            kf = np.floor(log_x / math.log1p(m - 1.0))
            for _ in range(2):
                kf -= self._starts_array(kf) > tf
                kf += self._starts_array(kf + 1.0) <= tf
            k[far] = kf
            tau[far] = (tf - self._starts_array(kf)) / array_math.pow(m, kf)
            factor[far] = array_math.pow(self.decay, kf)
        return k, tau, factor

    def _fill_tabulated_sorted(self, t: np.ndarray, out: np.ndarray) -> bool:
        """Sorted steps within the table: cut at the cycle starts, no per-step search.

        Cycle ``k`` owns ``[starts[k], starts[k+1])`` exactly as the scalar
        path's bisection decides, and each run sees ``(t - starts[k]) /
        mults[k]``, the scalar formula. Returns False when not applicable.
        """
        starts = self._starts
        if t.size == 0 or not t[-1] < starts[-1]:
            return False
        first = bisect.bisect_right(starts, float(t[0])) - 1
        last = bisect.bisect_right(starts, float(t[-1])) - 1
        if last < first or last - first >= _MAX_RUNS:
            return False
        edges = starts[first : last + 2]  # cycle first owns [edges[0], edges[1]) ...
        ends = cut(t, edges)
        # Runs 0 and len(edges) (steps outside the cycles first..last) must be empty.
        if ends is None or ends[0] != 0 or ends[-2] != t.size:
            return False
        lo = 0
        for k, hi in zip(range(first, last + 1), ends[1:-1]):
            if hi > lo:
                tau = t[lo:hi] - starts[k]
                tau /= self._mults[k]
                dest = out[lo:hi]
                self.s._fill(tau, dest)
                if self.decay != 1.0:
                    dest *= self._decays[k]
            lo = hi
        return True

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        if self.period_mult != 1.0 and self._fill_tabulated_sorted(t, out):
            return
        k, tau, factor = self._cycles(t)
        runs = np.flatnonzero(k[1:] != k[:-1]) + 1
        if runs.size < _MAX_RUNS:
            # Each cycle is a contiguous run (sorted steps): evaluate ``s``
            # once per cycle, on views, so its pieces are sliced too.
            lo = 0
            for hi in [*runs.tolist(), t.size]:
                self.s._fill(tau[lo:hi], out[lo:hi])
                lo = hi
        else:
            self.s._fill(tau, out)
        if factor is not None and self.decay != 1.0:
            out *= factor


@register("cyclical")
def cyclical(s: Schedule, period: float, period_mult: float = 1.0, decay: float = 1.0) -> Schedule:
    """Repeat ``s`` over ``[0, period)`` in cycles that may grow and decay.

    Cycle ``k`` (from 0) lasts ``period * period_mult**k`` steps and starts at
    ``S_k = period * (period_mult**k - 1) / (period_mult - 1)`` (``k * period``
    when ``period_mult == 1``). Within it, ``f(t) = decay**k * s((t - S_k) /
    period_mult**k)``: ``s`` replayed over ``[0, period)`` and stretched to the
    cycle's length. The cycle index is found in closed form (a logarithm,
    settled exactly against ``S_k``), so step 10**12 costs what step 10 does.

    Laws: ``cyclical(s, p)(t + p) == cyclical(s, p)(t)``; on the first cycle it
    equals ``s``.

    >>> import schedalg as sa
    >>> s = sa.cyclical(sa.linear(1.0, 0.0, 10), period=10, period_mult=2)
    >>> s(0), s(5), s(10), s(20), s(30)
    (1.0, 0.5, 1.0, 0.5, 1.0)
    """
    s_ = _check.schedule("s", s)
    period_ = _check.duration("period", period)
    mult = _check.real("period_mult", period_mult)
    if mult < 1.0:
        msg = f"period_mult must be >= 1 (cycles that shrink never end), got period_mult={period_mult!r}"
        raise ValueError(msg)
    decay_ = _check.positive("decay", decay)
    return _simplify.cyclical(s_, period_, mult, decay_)
# -- scale and invert --------------------------------------------------------------------------------
@node("scale")
class Scale(Schedule):
    s: Schedule
    k: float

    def _is_integer(self) -> bool:
        return self.s._integer and float(self.k).is_integer()

    def _at(self, t: float) -> float:
        return self.s._at(t) * self.k

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        self.s._fill(t, out)
        out *= self.k


@register("scale")
def scale(s: Schedule, k: float) -> Schedule:
    """Multiply by a constant: ``f(t) = s(t) * k`` (also ``s * k`` and ``k * s``).

    Laws: ``scale(s, 1) == s``; ``scale(scale(s, a), b)`` folds to
    ``scale(s, a * b)`` whenever that gives the same floats, i.e. when ``a`` or
    ``b`` is a power of two (otherwise ``s(t) * a * b`` rounds twice and the
    nodes stay nested); ``scale(constant(c), k) == constant(c * k)``.

    >>> import schedalg as sa
    >>> sa.scale(sa.linear(0.0, 1.0, 10), 4.0)(5)
    2.0
    >>> sa.scale(sa.scale(sa.linear(0.0, 1.0, 10), 2.0), 3.0)
    scale(linear(0.0, 1.0, 10), 6.0)
    """
    return _simplify.scale(_check.schedule("s", s), _check.real("k", k))


def _zero_division(where: str, step: Any) -> None:
    msg = f"{where}: division by zero, the denominator schedule is 0 at step {step!r}"
    raise ValueError(msg)


def _first_zero(t: np.ndarray, den: np.ndarray) -> float:
    return float(t[int(np.argmax(den == 0.0))])


@node("invert")
class Invert(Schedule):
    s: Schedule
    numerator: float = 1.0

    def _at(self, t: float) -> float:
        den = self.s._at(t)
        if den == 0.0:
            _zero_division("invert", t)
        return self.numerator / den

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        self.s._fill(t, out)
        if not out.all():
            _zero_division("invert", _first_zero(t, out))
        np.divide(self.numerator, out, out=out)


@register("invert")
def invert(s: Schedule, numerator: float = 1.0) -> Schedule:
    """Reciprocal: ``f(t) = numerator / s(t)`` (also ``numerator / s``).

    Turns a learning-rate shape into a batch-size shape and back. A step where
    ``s(t) == 0`` raises ``ValueError`` when evaluated.

    Laws: ``invert(invert(s, n), n) == s`` (structurally, by cancellation).
    ``invert(constant(c))`` stays an ``invert`` node: folding it to
    ``constant(1 / c)`` would break the involution, as ``1 / (1 / c) != c`` for
    many floats.

    >>> import schedalg as sa
    >>> s = sa.invert(sa.constant(4.0), 2.0)
    >>> s(0)
    0.5
    >>> sa.invert(s, 2.0)
    constant(4.0)
    """
    return _simplify.invert(_check.schedule("s", s), _check.real("numerator", numerator))


# -- quantize ------------------------------------------------------------------------------------------
_INT64_LIMIT = 2.0**63


def _round_scalar(x: float, rounding: str) -> float:
    if rounding == "half_even":
        return float(round(x))
    f = math.floor(x)
    if rounding == "floor":
        return float(f)
    if rounding == "ceil":
        return float(math.ceil(x))
    return float(f + 1) if x - f >= 0.5 else float(f)


def _round_array(x: np.ndarray, rounding: str) -> np.ndarray:
    if rounding == "half_even":
        return np.rint(x, out=x)
    if rounding == "floor":
        return np.floor(x, out=x)
    if rounding == "ceil":
        return np.ceil(x, out=x)
    f = np.floor(x)
    x -= f
    f += x >= 0.5
    return f


@node("quantize")
class Quantize(Schedule):
    s: Schedule
    multiple: int = 1
    rounding: str = "half_even"
    low: int | None = None
    high: int | None = None

    def _is_integer(self) -> bool:
        return True

    def _at(self, t: float) -> float:
        v = self.s._at(t)
        if not math.isfinite(v):
            # An infinity is clamped by the bound on its side, if there is one.
            bound = None if v != v else self.high if v > 0.0 else self.low
            if bound is None:
                _not_quantizable(v, t)
            return float(bound)
        m = self.multiple
        q = _round_scalar(v / m if m != 1 else v, self.rounding)
        if m != 1:
            q *= m
        if self.low is not None and q < self.low:
            q = float(self.low)
        if self.high is not None and q > self.high:
            q = float(self.high)
        if abs(q) >= _INT64_LIMIT:
            _not_quantizable(q, t)
        return q

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        self.s._fill(t, out)
        v = out
        finite = np.isfinite(v)
        if not finite.all():
            bad = ~finite
            if self.high is not None:
                bad &= v != math.inf
            if self.low is not None:
                bad &= v != -math.inf
            if bad.any():
                i = int(np.argmax(bad))
                _not_quantizable(float(v[i]), float(t[i]))
        m = self.multiple
        if m != 1:
            v /= m
        q = _round_array(v, self.rounding)
        if m != 1:
            q *= m
        if self.low is not None or self.high is not None:
            np.clip(q, self.low, self.high, out=q)
        too_big = np.abs(q) >= _INT64_LIMIT
        if too_big.any():
            i = int(np.argmax(too_big))
            _not_quantizable(float(q[i]), float(t[i]))
        if q is not out:
            out[...] = q


def _not_quantizable(value: float, step: float) -> None:
    msg = f"quantize: cannot make an integer of {value!r} (at step {step!r})"
    raise ValueError(msg)


@register("quantize")
def quantize(
    s: Schedule,
    multiple: int = 1,
    rounding: str = "half_even",
    low: int | None = None,
    high: int | None = None,
) -> Schedule:
    """Integer values: ``s(t)`` rounded to a multiple of ``multiple``, then clamped.

    ``f(t) = clamp(round(s(t) / multiple) * multiple, low, high)`` with
    ``rounding`` one of ``half_even`` (banker's, Python's ``round``),
    ``half_up`` (ties toward +inf), ``floor`` or ``ceil``. Answers ``int`` for a
    scalar step and ``int64`` arrays: the natural form of a batch-size schedule.
    A value that is not finite, or beyond int64, raises ``ValueError``.

    Laws: idempotent (``quantize(quantize(s, ...), ...)`` with the same
    arguments is the inner node); every value is an integer multiple of
    ``multiple`` (unless a bound that is not a multiple clamps it).

    >>> import schedalg as sa
    >>> s = sa.quantize(sa.linear(32.0, 100.0, 10), multiple=8, high=96)
    >>> s(0), s(5), s(10)
    (32, 64, 96)
    """
    s_ = _check.schedule("s", s)
    multiple_ = _check.integer("multiple", multiple, minimum=1)
    rounding_ = _check.choice("rounding", rounding, ROUNDINGS)
    low_ = None if low is None else _check.integer("low", low)
    high_ = None if high is None else _check.integer("high", high)
    if low_ is not None and high_ is not None and low_ > high_:
        msg = f"low must be <= high, got low={low!r} and high={high!r}"
        raise ValueError(msg)
    return _simplify.quantize(s_, multiple_, rounding_, low_, high_)


# -- clock changes ---------------------------------------------------------------------------------------
class _Clock(Schedule):
    """A node that only changes the clock of ``s``: integer iff ``s`` is."""

    __slots__ = ()
    s: Schedule

    def _is_integer(self) -> bool:
        return self.s._integer


@node("shift")
class Shift(_Clock):
    s: Schedule
    steps: float

    def _at(self, t: float) -> float:
        return self.s._at(t + self.steps)

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        self.s._fill(t + self.steps, out)


@register("shift")
def shift(s: Schedule, steps: float) -> Schedule:
    """Start part-way through: ``f(t) = s(t + steps)``.

    Useful to resume a schedule, or to skip its warmup. Laws: ``shift(s, 0) ==
    s``; ``shift(shift(s, a), b)(t) == shift(s, a + b)(t)`` at integer steps
    (the nodes stay nested: at fractional steps the two round differently).

    >>> import schedalg as sa
    >>> sa.shift(sa.linear(0.0, 1.0, 10), 5)(0)
    0.5
    """
    return _simplify.shift(_check.schedule("s", s), _check.duration("steps", steps, allow_zero=True))


@node("delay")
class Delay(_Clock):
    s: Schedule
    steps: float
    _v: float = cached_field()  # s(0), held during the delay

    def __post_init__(self) -> None:
        object.__setattr__(self, "_v", self.s._at(0.0))

    def _at(self, t: float) -> float:
        if t < self.steps:
            return self._v
        return self.s._at(t - self.steps)

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        steps, v = self.steps, self._v

        def fill(i: int, ts: np.ndarray, dest: np.ndarray) -> None:
            if i == 0:
                dest.fill(v)
            else:
                self.s._fill(ts - steps, dest)

        piecewise(t, out, (steps,), fill)


@register("delay")
def delay(s: Schedule, steps: float) -> Schedule:
    """Hold ``s(0)`` for ``steps``, then run ``s``: ``f(t) = s(max(t - steps, 0))``.

    Laws: ``delay(s, 0) == s``; ``delay(s, n)(n + k) == s(k)``.

    >>> import schedalg as sa
    >>> s = sa.delay(sa.linear(1.0, 0.0, 10), 5)
    >>> s(0), s(5), s(10)
    (1.0, 1.0, 0.5)
    """
    return _simplify.delay(_check.schedule("s", s), _check.duration("steps", steps, allow_zero=True))


@node("stretch")
class Stretch(_Clock):
    s: Schedule
    factor: float

    def _at(self, t: float) -> float:
        return self.s._at(t / self.factor)

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        self.s._fill(t / self.factor, out)


@register("stretch")
def stretch(s: Schedule, factor: float) -> Schedule:
    """Slow the clock down by ``factor``: ``f(t) = s(t / factor)``.

    A schedule written in epochs becomes one in steps with ``factor =
    steps_per_epoch`` (smoothly; see :func:`per_epoch` for a staircase).
    Laws: ``stretch(s, 1) == s``.

    >>> import schedalg as sa
    >>> sa.stretch(sa.linear(0.0, 1.0, 10), 10)(50)
    0.5
    """
    return _simplify.stretch(_check.schedule("s", s), _check.positive("factor", factor))


@node("per_epoch")
class PerEpoch(_Clock):
    s: Schedule
    steps_per_epoch: float

    def _at(self, t: float) -> float:
        # inf // n is NaN; the epoch of an infinite step is infinite.
        return self.s._at(t // self.steps_per_epoch if t < math.inf else t)

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        epochs = np.floor_divide(t, self.steps_per_epoch)
        epochs[t == math.inf] = math.inf
        self.s._fill(epochs, out)


@register("per_epoch")
def per_epoch(s: Schedule, steps_per_epoch: float) -> Schedule:
    """Count in epochs: ``f(t) = s(floor(t / steps_per_epoch))``.

    ``s`` sees the epoch number, so its value changes once per epoch (as a
    torch scheduler stepped once per epoch does).

    >>> import schedalg as sa
    >>> s = sa.per_epoch(sa.linear(0.0, 1.0, 10), 100)
    >>> s(0), s(99), s(100), s(250)
    (0.0, 0.0, 0.1, 0.2)
    """
    return PerEpoch(_check.schedule("s", s), _check.duration("steps_per_epoch", steps_per_epoch))


# -- value bounds ---------------------------------------------------------------------------------------------
@node("clip")
class Clip(Schedule):
    s: Schedule
    low: float | None = None
    high: float | None = None

    _lo: float = cached_field()  # the bounds as floats, -inf/+inf when absent
    _hi: float = cached_field()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_lo", -math.inf if self.low is None else float(self.low))
        object.__setattr__(self, "_hi", math.inf if self.high is None else float(self.high))

    def _is_integer(self) -> bool:
        return self.s._integer and _integral(self.low) and _integral(self.high)

    def _at(self, t: float) -> float:
        v = self.s._at(t)
        if v < self._lo:
            return self._lo
        if v > self._hi:
            return self._hi
        return v

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        self.s._fill(t, out)
        np.clip(out, self._lo, self._hi, out=out)


@register("clip")
def clip(s: Schedule, low: float | None = None, high: float | None = None) -> Schedule:
    """Bound the values: ``f(t) = min(max(s(t), low), high)``; ``None`` is no bound.

    Laws: ``clip(s) == s``; idempotent; ``clip(constant(c), lo, hi)`` folds.

    >>> import schedalg as sa
    >>> s = sa.clip(sa.linear(0.0, 1.0, 10), low=0.2, high=0.8)
    >>> s(0), s(5), s(10)
    (0.2, 0.5, 0.8)
    """
    s_ = _check.schedule("s", s)
    low_ = _check.optional_real("low", low)
    high_ = _check.optional_real("high", high)
    if low_ is not None and high_ is not None and low_ > high_:
        msg = f"low must be <= high, got low={low!r} and high={high!r}"
        raise ValueError(msg)
    return _simplify.clip(s_, _keep_int(low, low_), _keep_int(high, high_))


def _keep_int(raw: Any, value: float | None) -> int | float | None:
    """Keep integer bounds as ints, so integer schedules stay integer in repr."""
    if value is not None and isinstance(raw, (int, np.integer)) and abs(value) < _check.EXACT_INT:
        return int(raw)
    return value


def _min(a: float, b: float) -> float:
    # Ties keep the first operand and NaN propagates, as with numpy.minimum.
    return a if a <= b else b if b < a else a + b


def _max(a: float, b: float) -> float:
    return a if a >= b else b if b > a else a + b


class _Extremum(Schedule):
    """``minimum``/``maximum`` of two or more schedules, folded from the left."""

    __slots__ = ()
    _varargs = "more"
    a: Schedule
    b: Schedule
    more: tuple[Schedule, ...]

    def _is_integer(self) -> bool:
        return all(x._integer for x in (self.a, self.b, *self.more))

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        ufunc = np.minimum if self._name == "minimum" else np.maximum
        self.a._fill(t, out)
        scratch = np.empty(t.shape)
        for x in (self.b, *self.more):
            x._fill(t, scratch)
            ufunc(out, scratch, out=out)


@node("minimum")
class Minimum(_Extremum):
    a: Schedule
    b: Schedule
    more: tuple[Schedule, ...] = ()

    def _at(self, t: float) -> float:
        value = _min(self.a._at(t), self.b._at(t))
        for x in self.more:
            value = _min(value, x._at(t))
        return value


@node("maximum")
class Maximum(_Extremum):
    a: Schedule
    b: Schedule
    more: tuple[Schedule, ...] = ()

    def _at(self, t: float) -> float:
        value = _max(self.a._at(t), self.b._at(t))
        for x in self.more:
            value = _max(value, x._at(t))
        return value


def _operand(name: str, x: Any) -> Schedule:
    """A schedule, or a number as a constant schedule."""
    if isinstance(x, Schedule):
        return x
    if is_number(x):
        return _shapes.constant(_check.real(name, x))
    msg = f"{name} must be a Schedule or a number, got {name}={x!r}"
    raise TypeError(msg)


def _extremum_operands(a: Any, b: Any, more: tuple[Any, ...]) -> list[Schedule]:
    return [_operand("a", a), _operand("b", b), *(_operand(f"more[{i}]", x) for i, x in enumerate(more))]


@register("minimum")
def minimum(a: Schedule | float, b: Schedule | float, *more: Schedule | float) -> Schedule:
    """Pointwise minimum: ``f(t) = min(a(t), b(t), *more)`` (NaN propagates).

    Numbers are constants, on either side (as with the operators). Laws:
    commutative in value; associative (nested minima flatten into one node);
    ``minimum(a, a) == a``; constants fold.

    >>> import schedalg as sa
    >>> s = sa.minimum(sa.linear(0.0, 1.0, 10), 0.3)
    >>> s(1), s(9)
    (0.1, 0.3)
    >>> sa.minimum(sa.minimum(sa.linear(0.0, 1.0, 10), sa.cosine(1.0, 0.0, 10)), 0.3)
    minimum(linear(0.0, 1.0, 10), cosine(1.0, 0.0, 10), constant(0.3))
    """
    return _simplify.extremum("minimum", _extremum_operands(a, b, more))


@register("maximum")
def maximum(a: Schedule | float, b: Schedule | float, *more: Schedule | float) -> Schedule:
    """Pointwise maximum: ``f(t) = max(a(t), b(t), *more)`` (NaN propagates).

    Numbers are constants, on either side. Laws: commutative in value;
    associative (nested maxima flatten into one node); ``maximum(a, a) == a``;
    constants fold.

    >>> import schedalg as sa
    >>> s = sa.maximum(0.3, sa.linear(0.0, 1.0, 10))
    >>> s(1), s(9)
    (0.3, 0.9)
    """
    return _simplify.extremum("maximum", _extremum_operands(a, b, more))


# -- arithmetic ----------------------------------------------------------------------------------------------
_UFUNCS: dict[str, np.ufunc] = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}
_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}
#: Chains up to this many operands ``repr`` infix, ``(a + b - c)``; longer
#: ones as the call ``arith('+-...', a, b, c, ...)``, so that the text's
#: expression nesting stays bounded (see :data:`schedalg.text.MAX_TEXT_NESTING`).
INFIX_OPERANDS = 4


@node("arith")
class Arith(Schedule):
    """``a op[0] b op[1] more[0] ...``, evaluated from the left; ``repr`` writes it infix.

    One node holds a whole chain of operators of one family (``+ -`` or
    ``* /``): ``op`` has one character per operator, ``more`` the operands
    after the first two.
    """

    _varargs = "more"
    op: str
    a: Schedule | float
    b: Schedule | float
    more: tuple[Schedule | float, ...] = ()

    def _is_integer(self) -> bool:
        if "/" in self.op:
            return False
        return all(x._integer if isinstance(x, Schedule) else float(x).is_integer() for x in (self.a, self.b, *self.more))

    def __repr__(self) -> str:
        operands = (self.a, self.b, *self.more)
        if len(operands) <= INFIX_OPERANDS:
            parts = [repr(self.a)]
            for op, x in zip(self.op, operands[1:]):
                parts.append(f"{op} {x!r}")
            return f"({' '.join(parts)})"
        return f"arith({self.op!r}, {', '.join(repr(x) for x in operands)})"

    def _at(self, t: float) -> float:
        a = self.a._at(t) if isinstance(self.a, Schedule) else self.a
        b = self.b._at(t) if isinstance(self.b, Schedule) else self.b
        op = self.op
        if not self.more:
            if op == "/" and b == 0.0:
                _zero_division("division", t)
            return _OPS[op](a, b)
        value = a
        for o, x in zip(op, (b, *self.more)):
            if isinstance(x, Schedule):
                x = x._at(t)
            if o == "/" and x == 0.0:
                _zero_division("division", t)
            value = _OPS[o](value, x)
        return value

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        a = self.a
        # The left operand goes into ``out``; a schedule operand on the right
        # needs its own buffer.
        if isinstance(a, Schedule):
            a._fill(t, out)
            a = out
        scratch = None
        for o, x in zip(self.op, (self.b, *self.more)):
            if isinstance(x, Schedule):
                if scratch is None:
                    scratch = np.empty(t.shape)
                x._fill(t, scratch)
                right: Any = scratch
            else:
                right = x
            if o == "/":
                if isinstance(right, np.ndarray):
                    if not right.all():
                        _zero_division("division", _first_zero(t, right))
                elif right == 0.0 and t.size:
                    _zero_division("division", float(t[0]))
            _UFUNCS[o](a, right, out=out)
            a = out


@register("arith")
def arith(op: str, a: Schedule | float, b: Schedule | float, *more: Schedule | float) -> Schedule:
    """``a op b`` with ``op`` in ``+ - * /``, for schedules and numbers.

    This is what the operators build: ``s + 1``, ``2 * s``, ``a / b``, ``-s``.
    ``s * k`` and ``k * s`` are :func:`scale`, ``k / s`` is :func:`invert`;
    ``s / k`` divides (it is not ``s * (1 / k)``, which rounds differently,
    unless ``k`` is a power of two). Adding 0, multiplying or dividing by 1
    vanish; constants fold. With more operands, ``op`` has one operator per
    operand after the first and the chain is folded from the left:
    ``arith('+-', a, b, c)`` is ``(a + b) - c``, one node (this is how long
    chains ``repr``).

    >>> import schedalg as sa
    >>> s = sa.linear(0.0, 1.0, 10) + 1
    >>> s
    (linear(0.0, 1.0, 10) + 1.0)
    >>> s(5)
    1.5
    >>> s - 0.5 + 2
    (linear(0.0, 1.0, 10) + 1.0 - 0.5 + 2.0)
    """
    if not isinstance(op, str) or not op or any(o not in _OPS for o in op):
        allowed = ", ".join(repr(o) for o in _OPS)
        msg = f"op must be one of {allowed} (one per operand after the first), got op={op!r}"
        raise ValueError(msg)
    op_ = str.__str__(op)
    if len(op_) != 1 + len(more):
        msg = f"op must hold one operator per operand after the first, got op={op!r} for {2 + len(more)} operands"
        raise ValueError(msg)
    operands: list[Any] = []
    for name, x in (("a", a), ("b", b), *((f"more[{i}]", x) for i, x in enumerate(more))):
        if isinstance(x, Schedule):
            operands.append(x)
        elif is_number(x):
            operands.append(_check.real(name, x))
        else:
            msg = f"{name} must be a Schedule or a number, got {name}={x!r}"
            raise TypeError(msg)
    if not any(isinstance(x, Schedule) for x in operands[:2]):
        msg = f"arith needs a Schedule among its first two operands, got a={a!r} and b={b!r}"
        raise TypeError(msg)
    if more:
        return _simplify.arith_chain(op_, operands)
    return _simplify.arith(op_, operands[0], operands[1])


# -- compose ------------------------------------------------------------------------------------------------
def _bad_clock(value: float, step: float) -> None:
    msg = f"compose: the clock's value {value!r} at step {step!r} is not a finite number >= 0"
    raise ValueError(msg)


@node("compose")
class Compose(Schedule):
    s: Schedule
    clock: Schedule

    def _is_integer(self) -> bool:
        return self.s._integer

    def _at(self, t: float) -> float:
        c = self.clock._at(t)
        if not 0.0 <= c < math.inf:
            _bad_clock(c, t)
        return self.s._at(c)

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        # The clock's values need their own buffer: ``s`` reads them while it
        # writes ``out``.
        c = self.clock._eval(t)
        ok = (c >= 0.0) & (c < math.inf)
        if not ok.all():
            i = int(np.argmin(ok))
            _bad_clock(float(c[i]), float(t[i]))
        self.s._fill(c, out)


@register("compose")
def compose(s: Schedule, clock: Schedule) -> Schedule:
    """Run ``s`` on another clock: ``f(t) = s(clock(t))``.

    ``clock`` is a schedule whose values are the steps ``s`` sees; each must
    be a finite number ``>= 0`` (else ``ValueError`` naming the step, at
    evaluation). It generalizes the clock changes: ``shift(s, k)`` is
    ``compose(s, clock() + k)`` and ``stretch(s, f)`` is ``compose(s,
    clock() / f)``, in value. timm's ``k_decay`` cosine is ``compose(cosine(a,
    b, T), T * power(clock() / T, k))``.

    Laws: ``compose(s, clock()) == s``; associative in value,
    ``compose(compose(s, a), b)(t) == compose(s, compose(a, b))(t)``;
    integer-valued iff ``s`` is.

    >>> import schedalg as sa
    >>> T, k = 100, 2.0
    >>> s = sa.compose(sa.cosine(1.0, 0.0, T), T * sa.power(sa.clock() / T, k))
    >>> s(0), s(50), s(100)
    (1.0, 0.8535533905932737, 0.0)
    >>> sa.compose(sa.linear(0.0, 1.0, 10), sa.clock() - 5)(0)
    Traceback (most recent call last):
    ...
    ValueError: compose: the clock's value -5.0 at step 0.0 is not a finite number >= 0
    """
    return _simplify.compose(_check.schedule("s", s), _check.schedule("clock", clock))
