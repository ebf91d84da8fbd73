"""Smart construction: every simplification rule of the algebra, in one place.

The public constructors validate their arguments and call the function of the
same name here, which returns either a simpler equivalent schedule or the node
itself. A rule never changes a value, within the domain where floats are exact:

* the value at every step below 2**53 (where every integer step is a float),
* values whose intermediate products are normal floats (magnitudes between
  about 2.2e-308 and 1.8e308; schedules live far inside).

Outside that domain a folded node is the more accurate of the two (it rounds
once where the nested one rounds twice, or overflows to a spurious inf). One
exception is deliberate and documented by DESIGN: ``invert(invert(s, n), n)``
cancels to ``s``, whose exact value the nested node only approximates.

Rules:

* identities vanish: ``scale(s, 1)``, ``shift(s, 0)``, ``delay(s, 0)``,
  ``stretch(s, 1)``, ``clip(s)``, ``s + 0``, ``s - 0``, ``s * 1``, ``s / 1``,
  ``sequence([s], [])``, ``cyclical(constant)``, ``exponential(c, 1)``,
  interpolations with ``start == end``;
* constants fold where the result is exact and finite (a constant is always
  finite, so ``constant(1e308) * 10`` stays a node whose value overflows):
  ``scale``, ``clip``, ``minimum``,
  ``maximum``, ``shift``, ``delay``, ``stretch`` and ``+ - *`` of constants
  (each computes the same single rounding the node would); ``k / constant(c)``
  does not fold, as ``k / s`` is always ``invert(s, k)``;
* ``scale(scale(s, a), b) -> scale(s, a * b)`` when ``a`` or ``b`` is a power of
  two (so ``s(t) * a * b`` has one rounding either way); ``s / k -> scale(s,
  1 / k)`` for powers of two; ``s * k -> scale(s, k)``; ``k / s -> invert(s, k)``;
* ``invert(invert(s, n), n) -> s`` for ``n != 0``; ``invert(constant(c))`` does *not* fold (that
  would break the involution: ``1 / (1 / c) != c``);
* ``shift(shift(s, a), b)`` stays nested: at fractional steps ``(t + b) + a``
  and ``t + (a + b)`` round differently (the law holds in value at integer steps);
* nested sequences flatten (at integer offsets, where local times are exact
  below 2**53), pieces that can never run are dropped, and neighbouring equal
  constants merge;
* ``quantize(quantize(s, *args), *args)`` is the inner node (idempotence);
  ``minimum(a, a)`` and ``maximum(a, a)`` are ``a``.
"""

from __future__ import annotations

import math
from typing import Any

from ._node import Schedule
from . import shapes as _shapes

_EXACT = 2**53


def _power_of_two(x: float) -> bool:
    return x != 0.0 and math.isfinite(x) and abs(math.frexp(x)[0]) == 0.5


def _normal(x: float) -> bool:
    return x == 0.0 or (math.isfinite(x) and abs(x) >= 2.2250738585072014e-308)


def _const(s: Any) -> float | None:
    return s.value if type(s) is _shapes.Constant else None


def constant(value: float) -> Schedule:
    return _shapes.Constant(value)


# -- shapes -------------------------------------------------------------------------------------------
def interpolating(cls: type, start: float, end: float, steps: float, *extra: Any) -> Schedule:
    if start == end:
        return constant(start)
    return cls(start, end, steps, *extra)


def exponential(cls: type, start: float, gamma: float, every: float, staircase: bool) -> Schedule:
    if gamma == 1.0 or start == 0.0:
        return constant(start)
    return cls(start, gamma, every, staircase)


def piecewise_constant(cls: type, boundaries: tuple, values: tuple) -> Schedule:
    if all(v == values[0] for v in values):
        return constant(values[0])
    return cls(boundaries, values)


def piecewise_linear(cls: type, knots: tuple, values: tuple) -> Schedule:
    if all(v == values[0] for v in values):
        return constant(values[0])
    return cls(knots, values)


# -- scale, invert, arithmetic ----------------------------------------------------------------------------
def scale(cls: type, s: Schedule, k: float) -> Schedule:
    if k == 1.0:
        return s
    c = _const(s)
    if c is not None and math.isfinite(c * k):
        return constant(c * k)
    if type(s) is cls:
        inner, a = s.s, s.k  # type: ignore[attr-defined]
        product = a * k
        if (_power_of_two(a) or _power_of_two(k)) and _normal(product):
            return scale(cls, inner, product)
    return cls(s, k)


def invert(cls: type, s: Schedule, numerator: float) -> Schedule:
    # With numerator 0 the nested node is 0 / (0 / s(t)), a division by zero.
    if type(s) is cls and s.numerator == numerator != 0.0:  # type: ignore[attr-defined]
        return s.s  # type: ignore[attr-defined]
    return cls(s, numerator)


def arith(cls: type, op: str, a: Any, b: Any) -> Schedule:
    from . import combinators

    ca = a if not isinstance(a, Schedule) else _const(a)
    cb = b if not isinstance(b, Schedule) else _const(b)
    if op == "/" and not isinstance(a, Schedule):
        # k / s is invert(s, k) for every s, constants included: folding
        # k / constant(c) would break invert's involution.
        return combinators.invert(b, a)
    if ca is not None and cb is not None:
        if op == "/" and cb == 0.0:
            msg = f"division by zero: {a!r} / {b!r}"
            raise ValueError(msg)
        folded = {"+": ca + cb, "-": ca - cb, "*": ca * cb, "/": ca / cb if op == "/" else 0.0}[op]
        if math.isfinite(folded):
            return constant(folded)
    if op == "*":
        if not isinstance(b, Schedule):
            return combinators.scale(a, b)
        if not isinstance(a, Schedule):
            return combinators.scale(b, a)
    elif op == "/":
        if not isinstance(b, Schedule):
            if b == 0.0:
                msg = f"division by zero: {a!r} / 0"
                raise ValueError(msg)
            if b == 1.0:
                return a
            if _power_of_two(b) and _normal(1.0 / b):
                return combinators.scale(a, 1.0 / b)
    elif op == "+":
        if not isinstance(b, Schedule) and b == 0.0:
            return a
        if not isinstance(a, Schedule) and a == 0.0:
            return b
    elif op == "-" and not isinstance(b, Schedule) and b == 0.0:
        return a
    return cls(op, a, b)


# -- quantize, clip, extrema -------------------------------------------------------------------------------
def quantize(cls: type, s: Schedule, multiple: int, rounding: str, low: int | None, high: int | None) -> Schedule:
    node = cls(s, multiple, rounding, low, high)
    if type(s) is cls and s == cls(s.s, multiple, rounding, low, high):  # type: ignore[attr-defined]
        return s
    return node


def clip(cls: type, s: Schedule, low: float | None, high: float | None) -> Schedule:
    if low is None and high is None:
        return s
    c = _const(s)
    if c is not None:
        if low is not None and c < low:
            c = float(low)
        if high is not None and c > high:
            c = float(high)
        return constant(c)
    if type(s) is cls and s.low == low and s.high == high:  # type: ignore[attr-defined]
        return s
    return cls(s, low, high)


def extremum(cls: type, a: Schedule, b: Schedule) -> Schedule:
    if a == b:
        return a
    ca, cb = _const(a), _const(b)
    if ca is not None and cb is not None:
        return constant(cls(a, b)._at(0.0))
    return cls(a, b)


# -- clock changes ------------------------------------------------------------------------------------------
def shift(cls: type, s: Schedule, steps: float) -> Schedule:
    # shift(shift(s, a), b) does not fold: s((t + b) + a) rounds twice at
    # fractional steps where s(t + (a + b)) rounds once.
    if steps == 0 or _const(s) is not None:
        return s
    return cls(s, steps)


def delay(cls: type, s: Schedule, steps: float) -> Schedule:
    if steps == 0 or _const(s) is not None:
        return s
    return cls(s, steps)


def stretch(cls: type, s: Schedule, factor: float) -> Schedule:
    if factor == 1.0 or _const(s) is not None:
        return s
    return cls(s, factor)


def cyclical(cls: type, s: Schedule, period: float, period_mult: float, decay: float) -> Schedule:
    if decay == 1.0 and _const(s) is not None:
        return s
    return cls(s, period, period_mult, decay)


# -- sequence ---------------------------------------------------------------------------------------------------
def sequence(cls: type, schedules: tuple, boundaries: tuple) -> Schedule:
    """Flatten nested sequences, drop unreachable pieces, merge equal constants.

    A nested sequence at offset ``o`` sees ``(t - o) - b`` where the flat one
    sees ``t - (o + b)``. Both are exact, hence equal, when ``o`` and ``b`` are
    integers (``t - n`` is exact for an integer ``n <= t < 2**53``) or ``o`` is
    0; otherwise the nested node is kept whole.
    """
    pieces: list[Schedule] = []
    starts: list[float] = []  # absolute start of each piece (0 for the first)
    for i, s in enumerate(schedules):
        offset = 0 if i == 0 else boundaries[i - 1]
        stop = boundaries[i] if i < len(boundaries) else math.inf
        inner_bounds = s.boundaries if type(s) is cls else ()  # type: ignore[attr-defined]
        exact = offset == 0 or all(isinstance(b, int) for b in (offset, *inner_bounds))
        if type(s) is not cls or not exact:
            pieces.append(s)
            starts.append(offset)
            continue
        for inner, b in zip(s.schedules, (0, *inner_bounds)):  # type: ignore[attr-defined]
            if offset + b >= stop:
                break
            pieces.append(inner)
            starts.append(offset + b)
    merged_pieces: list[Schedule] = []
    merged_starts: list[float] = []
    for s, at in zip(pieces, starts):
        c = _const(s)
        if merged_pieces and c is not None and _const(merged_pieces[-1]) == c:
            continue
        merged_pieces.append(s)
        merged_starts.append(at)
    if len(merged_pieces) == 1:
        return merged_pieces[0]
    return cls(tuple(merged_pieces), tuple(merged_starts[1:]))


# -- functions of values, compose, noise -----------------------------------------------------------------------
def of_values(cls: type, s: Schedule, *args: Any) -> Schedule:
    """``exp``, ``log``, ``tanh``, ``power`` of a constant fold to its finite value.

    The folded value is the node's own evaluation (one rounding, the same in
    both paths); a value outside the domain keeps the node, which raises at
    evaluation as any other would.
    """
    built = cls(s, *args)
    if _const(s) is not None:
        try:
            v = built._at(0.0)
        except ValueError:
            return built
        if math.isfinite(v):
            return constant(v)
    return built


def power(cls: type, s: Schedule, p: float) -> Schedule:
    # power(power(s, a), b) stays nested: (v**a)**b rounds twice, v**(a*b) once.
    if p == 1.0:
        return s
    return of_values(cls, s, p)


def compose(cls: type, s: Schedule, clock: Schedule) -> Schedule:
    # compose(clock(), c) is not c: compose checks that c's values are
    # finite and >= 0, which c alone does not.
    if type(clock) is _shapes.Clock:
        return s
    return cls(s, clock)

