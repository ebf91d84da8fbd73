"""Smart construction: every simplification rule of the algebra, in one place.

The public constructors validate their arguments and call the function of the
same name here, which returns either a simpler equivalent schedule or the node
itself. The rules build and recognise nodes by name, through the registry of
:mod:`schedalg._node` (``NODES``), so this module imports nothing that imports
it back. A rule never changes a value, within the domain where floats are
exact:

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
* a constant operand of an operator is its number: ``constant(2.0) * s`` is
  ``scale(s, 2.0)``, as ``s * 2`` is (multiplication commutes exactly), and
  ``s + constant(1.0)`` is ``s + 1.0``;
* ``scale(scale(s, a), b) -> scale(s, a * b)`` when ``a`` or ``b`` is a power of
  two (so ``s(t) * a * b`` has one rounding either way); ``s / k -> scale(s,
  1 / k)`` for powers of two; ``s * k -> scale(s, k)``; ``k / s -> invert(s, k)``;
* associative operators flatten into n-ary nodes that evaluate in the same
  order, so no value changes and a long chain is one node, not a deep tree:
  a left operand that is a chain of the same family (``+ -`` or ``* /``, a
  ``scale`` being the product ``s * k``) grows by one operand: ``(a + b) - c``
  is ``arith('+-', a, b, c)``, ``scale(scale(s, 0.9), 0.9)`` is ``s * 0.9 *
  0.9``; a right operand stays whole (``a + (b + c)`` rounds differently);
  a trailing factor folds into a trailing number when one of the two is a
  power of two;
* ``minimum`` and ``maximum`` are exactly associative (ties keep the first
  operand, NaN propagates), so nested ones flatten on both sides; an operand
  equal to an earlier one is dropped, neighbouring constants fold, and
  ``minimum(a, a)`` is ``a``;
* ``invert(invert(s, n), n) -> s`` for ``n != 0``; ``invert(constant(c))`` does *not* fold (that
  would break the involution: ``1 / (1 / c) != c``);
* ``shift(shift(s, a), b)`` stays nested: at fractional steps ``(t + b) + a``
  and ``t + (a + b)`` round differently (the law holds in value at integer steps);
* nested sequences flatten (at integer offsets, where local times are exact
  below 2**53), pieces that can never run are dropped, and neighbouring equal
  constants merge;
* ``quantize(quantize(s, *args), *args)`` is the inner node (idempotence).
"""

from __future__ import annotations

import math
from typing import Any

from ._node import NODES, Schedule

_EXACT = 2**53
#: The family of each operator: chains hold operators of one family only.
_FAMILY = {"+": "+", "-": "+", "*": "*", "/": "*"}


def _power_of_two(x: float) -> bool:
    return x != 0.0 and math.isfinite(x) and abs(math.frexp(x)[0]) == 0.5


def _normal(x: float) -> bool:
    return x == 0.0 or (math.isfinite(x) and abs(x) >= 2.2250738585072014e-308)


def _same(a: float, b: float) -> bool:
    """Equal floats with the same sign (0.0 and -0.0 are different values)."""
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def _kind(s: Any) -> str | None:
    """The node name of a schedule, None for a number."""
    return type(s)._name if isinstance(s, Schedule) else None


def _const(s: Any) -> float | None:
    return s.value if _kind(s) == "constant" else None


def _number(x: Any) -> float | None:
    """A number operand, or the value of a constant schedule; None otherwise."""
    return x if not isinstance(x, Schedule) else _const(x)


def constant(value: float) -> Schedule:
    return NODES["constant"](value)


# -- shapes -------------------------------------------------------------------------------------------
def interpolating(kind: str, start: float, end: float, steps: float, *extra: Any) -> Schedule:
    if _same(start, end):
        return constant(start)
    return NODES[kind](start, end, steps, *extra)


def exponential(start: float, gamma: float, every: float, staircase: bool) -> Schedule:
    if gamma == 1.0 or start == 0.0:
        return constant(start)
    return NODES["exponential"](start, gamma, every, staircase)


def piecewise_constant(boundaries: tuple, values: tuple) -> Schedule:
    if all(_same(v, values[0]) for v in values):
        return constant(values[0])
    return NODES["piecewise_constant"](boundaries, values)


def piecewise_linear(knots: tuple, values: tuple) -> Schedule:
    if all(_same(v, values[0]) for v in values):
        return constant(values[0])
    return NODES["piecewise_linear"](knots, values)


# -- chains of + - and * / -----------------------------------------------------------------------------------
def _chain_of(s: Any, family: str) -> tuple[str, list[Any]] | None:
    """``(ops, operands)`` of ``s`` if it is a chain of ``family``, else None."""
    kind = _kind(s)
    if kind == "arith" and _FAMILY[s.op[0]] == family:
        return s.op, [s.a, s.b, *s.more]
    if kind == "scale" and family == "*":
        return "*", [s.s, s.k]
    return None


def _is_chain(s: Any, family: str) -> bool:
    kind = _kind(s)
    return (kind == "arith" and _FAMILY[s.op[0]] == family) or (kind == "scale" and family == "*")


def _make_chain(ops: str, operands: list[Any]) -> Schedule:
    """The canonical node of a chain: ``scale`` for ``s * k``, else ``arith``."""
    if ops == "*" and not isinstance(operands[1], Schedule):
        return NODES["scale"](operands[0], operands[1])
    return NODES["arith"](ops, operands[0], operands[1], tuple(operands[2:]))


def _operand_measure(x: Any) -> tuple[int, int, bool]:
    """``(depth, items, integer)`` that an operand adds to a chain."""
    if isinstance(x, Schedule):
        return x._depth, x._items, x._integer
    return 0, 1, float(x).is_integer()


def _extend(chain: Schedule, op: str, x: Any) -> Schedule:
    """``chain op x`` for a chain of ``op``'s family: one more operand."""
    if not isinstance(chain, NODES["arith"]):  # a scale: rebuilt as a chain
        ops, operands = _chain_of(chain, _FAMILY[op])  # type: ignore[misc]
        return _make_chain(ops + op, [*operands, x])
    return _grow(chain, op, [x])


def _grow(chain: Schedule, ops: str, xs: list[Any]) -> Schedule:
    """An ``arith`` chain with the operators ``ops`` and operands ``xs`` appended.

    The node is measured from the chain's measure, so that building a sum of
    ``n`` schedules one ``+`` at a time costs a tuple copy per step (C), not a
    Python loop over all the operands.
    """
    depth, items, integer = chain._depth, chain._items, chain._integer and "/" not in ops
    items += len(ops) + (0 if chain.more else 2)  # the op characters, the "more" key and list
    for x in xs:
        d, n, i = _operand_measure(x)
        depth = max(depth, d + 1)
        items += n
        integer = integer and i
    values = {"op": chain.op + ops, "a": chain.a, "b": chain.b, "more": chain.more + tuple(xs)}
    return chain._derived(values, depth, items, integer)


def arith(op: str, a: Any, b: Any) -> Schedule:
    """``a op b``; ``a`` and ``b`` are schedules or finite floats, one at least a schedule."""
    ca, cb = _number(a), _number(b)
    if op == "/":
        if cb == 0.0:
            msg = f"division by zero: {a!r} / {b!r}"
            raise ZeroDivisionError(msg)
        if not isinstance(a, Schedule):
            # k / s is invert(s, k) for every s, constants included: folding
            # k / constant(c) would break invert's involution.
            return invert(b, a)
    if ca is not None and cb is not None:
        folded = {"+": ca + cb, "-": ca - cb, "*": ca * cb, "/": ca / cb if op == "/" else 0.0}[op]
        if math.isfinite(folded):
            return constant(folded)
        return NODES["arith"](op, a, b)
    if op == "*":
        if cb is not None:
            return scale(a, cb)
        if ca is not None:
            return scale(b, ca)
    elif op == "/":
        if ca is not None:  # constant(k) / s, s not a constant: k / s
            return invert(b, ca)
        if cb is not None:
            if cb == 1.0:
                return a
            if _power_of_two(cb) and _normal(1.0 / cb):
                return scale(a, 1.0 / cb)
    elif op == "+":
        if cb == 0.0:
            return a
        if ca == 0.0:
            return b
    elif op == "-" and cb == 0.0:
        return a
    if ca is not None:
        a = ca
    if cb is not None:
        b = cb
    if _is_chain(a, _FAMILY[op]):
        return _extend(a, op, b)
    return NODES["arith"](op, a, b)


def _plain(x: Any) -> bool:
    """An operand that a chain of its family always appends: a schedule, not a constant."""
    return isinstance(x, Schedule) and _kind(x) != "constant"


def arith_chain(ops: str, operands: list[Any]) -> Schedule:
    """``operands[0] ops[0] operands[1] ops[1] ...``, folded from the left.

    The same node as the binary rules applied one operator at a time, but a
    run of operands that only append is added in one step, so a chain of
    ``n`` operands costs O(n), not O(n**2).
    """
    result = arith(ops[0], operands[0], operands[1])
    i, n = 1, len(ops)
    while i < n:
        family = _FAMILY[ops[i]]
        if _kind(result) == "arith" and _FAMILY[result.op[0]] == family and _plain(operands[i + 1]):  # type: ignore[attr-defined]
            j = i
            while j < n and _FAMILY[ops[j]] == family and _plain(operands[j + 1]):
                j += 1
            result = _grow(result, ops[i:j], operands[i + 1 : j + 1])
            i = j
        else:
            result = arith(ops[i], result, operands[i + 1])
            i += 1
    return result


# -- scale, invert -------------------------------------------------------------------------------------------
def scale(s: Schedule, k: float) -> Schedule:
    if k == 1.0:
        return s
    c = _const(s)
    if c is not None and math.isfinite(c * k):
        return constant(c * k)
    kind = _kind(s)
    if kind == "scale":
        a = s.k  # type: ignore[attr-defined]
        product = a * k
        if (_power_of_two(a) or _power_of_two(k)) and _normal(product):
            return scale(s.s, product)  # type: ignore[attr-defined]
        return _make_chain("**", [s.s, a, k])  # type: ignore[attr-defined]
    if kind == "arith" and _FAMILY[s.op[0]] == "*":  # type: ignore[attr-defined]
        last = s.more[-1] if s.more else s.b  # type: ignore[attr-defined]
        if s.op[-1] == "*" and not isinstance(last, Schedule):  # type: ignore[attr-defined]
            product = last * k
            if (_power_of_two(last) or _power_of_two(k)) and _normal(product):
                ops, operands = _chain_of(s, "*")  # type: ignore[misc]
                if product == 1.0:
                    return _make_chain(ops[:-1], operands[:-1]) if len(operands) > 2 else operands[0]
                return _make_chain(ops, [*operands[:-1], product])
        return _extend(s, "*", k)
    return NODES["scale"](s, k)


def invert(s: Schedule, numerator: float) -> Schedule:
    # With numerator 0 the nested node is 0 / (0 / s(t)), a division by zero.
    if _kind(s) == "invert" and s.numerator == numerator != 0.0:  # type: ignore[attr-defined]
        return s.s  # type: ignore[attr-defined]
    return NODES["invert"](s, numerator)


# -- quantize, clip, extrema -------------------------------------------------------------------------------
def quantize(s: Schedule, multiple: int, rounding: str, low: int | None, high: int | None) -> Schedule:
    node = NODES["quantize"](s, multiple, rounding, low, high)
    if _kind(s) == "quantize" and s == NODES["quantize"](s.s, multiple, rounding, low, high):  # type: ignore[attr-defined]
        return s
    return node


def clip(s: Schedule, low: float | None, high: float | None) -> Schedule:
    if low is None and high is None:
        return s
    c = _const(s)
    if c is not None:
        if low is not None and c < low:
            c = float(low)
        if high is not None and c > high:
            c = float(high)
        return constant(c)
    if _kind(s) == "clip" and s.low == low and s.high == high:  # type: ignore[attr-defined]
        return s
    return NODES["clip"](s, low, high)


def _pick(kind: str, a: float, b: float) -> float:
    # The evaluation's own rule: ties keep the first operand, NaN propagates.
    if kind == "minimum":
        return a if a <= b else b if b < a else a + b
    return a if a >= b else b if b > a else a + b


def extremum(kind: str, operands: list[Schedule]) -> Schedule:
    """``minimum``/``maximum`` of ``operands``, in order: flattened, deduplicated, folded."""
    flat: list[Schedule] = []
    for x in operands:
        if _kind(x) == kind:
            flat.extend((x.a, x.b, *x.more))  # type: ignore[attr-defined]
        else:
            flat.append(x)
    while True:
        unique = list(dict.fromkeys(flat))  # the first of equal operands stays
        folded: list[Schedule] = []
        for x in unique:
            c = _const(x)
            prev = _const(folded[-1]) if folded else None
            if c is not None and prev is not None:
                folded[-1] = constant(_pick(kind, prev, c))
            else:
                folded.append(x)
        if len(folded) == len(flat):
            break
        flat = folded
    if len(folded) == 1:
        return folded[0]
    return NODES[kind](folded[0], folded[1], tuple(folded[2:]))


# -- clock changes ------------------------------------------------------------------------------------------
def shift(s: Schedule, steps: float) -> Schedule:
    # shift(shift(s, a), b) does not fold: s((t + b) + a) rounds twice at
    # fractional steps where s(t + (a + b)) rounds once.
    if steps == 0 or _const(s) is not None:
        return s
    return NODES["shift"](s, steps)


def delay(s: Schedule, steps: float) -> Schedule:
    if steps == 0 or _const(s) is not None:
        return s
    return NODES["delay"](s, steps)


def stretch(s: Schedule, factor: float) -> Schedule:
    if factor == 1.0 or _const(s) is not None:
        return s
    return NODES["stretch"](s, factor)


def cyclical(s: Schedule, period: float, period_mult: float, decay: float) -> Schedule:
    if decay == 1.0 and _const(s) is not None:
        return s
    return NODES["cyclical"](s, period, period_mult, decay)


# -- sequence ---------------------------------------------------------------------------------------------------
def sequence(schedules: tuple, boundaries: tuple) -> Schedule:
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
        nested = _kind(s) == "sequence"
        inner_bounds = s.boundaries if nested else ()
        exact = offset == 0 or all(isinstance(b, int) for b in (offset, *inner_bounds))
        if not nested or not exact:
            pieces.append(s)
            starts.append(offset)
            continue
        for inner, b in zip(s.schedules, (0, *inner_bounds)):
            if offset + b >= stop:
                break
            pieces.append(inner)
            starts.append(offset + b)
    merged_pieces: list[Schedule] = []
    merged_starts: list[float] = []
    for s, at in zip(pieces, starts):
        c = _const(s)
        prev = _const(merged_pieces[-1]) if merged_pieces else None
        if c is not None and prev is not None and _same(prev, c):
            continue
        merged_pieces.append(s)
        merged_starts.append(at)
    if len(merged_pieces) == 1:
        return merged_pieces[0]
    return NODES["sequence"](tuple(merged_pieces), tuple(merged_starts[1:]))


# -- functions of values, compose, noise -----------------------------------------------------------------------
def of_values(kind: str, s: Schedule, *args: Any) -> Schedule:
    """``exp``, ``log``, ``tanh``, ``power`` of a constant fold to its finite value.

    The folded value is the node's own evaluation (one rounding, the same in
    both paths); a value outside the domain keeps the node, which raises at
    evaluation as any other would.
    """
    built = NODES[kind](s, *args)
    if _const(s) is not None:
        try:
            v = built._at(0.0)
        except ValueError:
            return built
        if math.isfinite(v):
            return constant(v)
    return built


def power(s: Schedule, p: float) -> Schedule:
    # power(power(s, a), b) stays nested: (v**a)**b rounds twice, v**(a*b) once.
    if p == 1.0:
        return s
    return of_values("power", s, p)


def compose(s: Schedule, clock: Schedule) -> Schedule:
    # compose(clock(), c) is not c: compose checks that c's values are
    # finite and >= 0, which c alone does not.
    if _kind(clock) == "clock":
        return s
    return NODES["compose"](s, clock)


def noise(s: Schedule, std: float, limit: float | None, seed: int, kind: str) -> Schedule:
    # With std 0 every draw is 0 (accepted by any limit) and s(t) * (1 + 0) is s(t).
    if std == 0.0:
        return s
    return NODES["noise"](s, std, limit, seed, kind)
