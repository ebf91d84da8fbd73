"""Every rule in ``schedalg._simplify``'s docstring, and that no rule changes a value.

For each rule the smart constructor is compared against the node built
directly from its class (no simplification): values must agree exactly
(``==``, NaN equal to NaN) wherever the rule claims exactness.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import strategies as S
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import schedalg as sa
from schedalg.combinators import (
    Arith,
    Clip,
    Cyclical,
    Delay,
    Invert,
    Maximum,
    Minimum,
    Quantize,
    Scale,
    Sequence_,
    Shift,
    Stretch,
)
from schedalg.shapes import (
    Constant,
    Cosine,
    Exponential,
    Linear,
    PiecewiseConstant,
    PiecewiseLinear,
    Polynomial,
)

RULES = settings(
    derandomize=True, deadline=None, database=None, max_examples=S.examples(100)
)

#: Integer steps and fractional steps below 2**53 (where t - n is exact for integer n).
STEPS = [
    0,
    1,
    2,
    3,
    5,
    7.5,
    10,
    99,
    100,
    100.25,
    1000,
    4096.5,
    10**5,
    10**6,
    10**6 + 0.5,
    3 * 10**6,
]


def assert_same_values(raw: sa.Schedule, simplified: sa.Schedule, steps=None) -> None:
    steps = list(STEPS if steps is None else steps)
    S.assert_same_outcomes(
        [S.outcome(simplified, t) for t in steps], [S.outcome(raw, t) for t in steps]
    )
    arr = np.array(steps, dtype=np.float64)
    a, b = S.outcome(simplified, arr), S.outcome(raw, arr)
    if isinstance(a, type) or isinstance(b, type):
        assert a == b
    else:
        S.assert_same(a, b)


C = sa.constant
X = sa.cosine(1.0, 0.1, 100)


# -- identities vanish ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (lambda: sa.scale(X, 1), X),
        (lambda: sa.scale(X, 1.0), X),
        (lambda: sa.shift(X, 0), X),
        (lambda: sa.delay(X, 0), X),
        (lambda: sa.stretch(X, 1), X),
        (lambda: sa.clip(X), X),
        (lambda: X + 0, X),
        (lambda: 0 + X, X),
        (lambda: X - 0, X),
        (lambda: X * 1, X),
        (lambda: 1 * X, X),
        (lambda: X / 1, X),
        (lambda: sa.sequence([X], []), X),
        (lambda: sa.cyclical(C(2.0), 10), C(2.0)),
        (lambda: sa.cyclical(C(2.0), 10, period_mult=3.0), C(2.0)),
        (lambda: sa.exponential(3.0, 1.0), C(3.0)),
        (lambda: sa.exponential(3.0, 1.0, every=7, staircase=True), C(3.0)),
        (lambda: sa.exponential(0.0, 0.5), C(0.0)),
        (lambda: sa.linear(2.0, 2.0, 10), C(2.0)),
        (lambda: sa.cosine(2.0, 2.0, 10), C(2.0)),
        (lambda: sa.polynomial(2.0, 2.0, 10, power=3.0), C(2.0)),
        (lambda: sa.piecewise_constant([1, 2], [4.0, 4.0, 4.0]), C(4.0)),
        (lambda: sa.piecewise_constant([], [4.0]), C(4.0)),
        (lambda: sa.piecewise_linear([1, 2], [4.0, 4.0]), C(4.0)),
        (lambda: sa.warmup(X, 0), X),
    ],
)
def test_identities_vanish(built, expected):
    got = built()
    assert got == expected
    assert type(got) is type(expected)


def test_identity_that_is_not_one_stays():
    assert type(sa.cyclical(C(2.0), 10, decay=0.5)) is Cyclical
    assert type(sa.scale(X, -1.0)) is Scale
    assert type(sa.per_epoch(X, 1)) is not type(X)  # floor(t) != t for fractional steps


# -- constants fold ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (lambda: sa.scale(C(3.0), 0.1), C(3.0 * 0.1)),
        (lambda: sa.clip(C(3.0), 0.0, 1.0), C(1.0)),
        (lambda: sa.clip(C(-3.0), low=-1), C(-1.0)),
        (lambda: sa.clip(C(0.5), 0.0, 1.0), C(0.5)),
        (lambda: sa.minimum(C(1.0), C(2.0)), C(1.0)),
        (lambda: sa.maximum(C(1.0), C(2.0)), C(2.0)),
        (lambda: sa.shift(C(1.0), 5), C(1.0)),
        (lambda: sa.delay(C(1.0), 5), C(1.0)),
        (lambda: sa.stretch(C(1.0), 5.0), C(1.0)),
        (lambda: C(0.1) + 0.2, C(0.1 + 0.2)),
        (lambda: 0.2 + C(0.1), C(0.2 + 0.1)),
        (lambda: C(0.1) - 0.3, C(0.1 - 0.3)),
        (lambda: 0.3 - C(0.1), C(0.3 - 0.1)),
        (lambda: C(0.1) * C(3.0), C(0.1 * 3.0)),
        (lambda: C(0.1) / 3.0, C(0.1 / 3.0)),
        (lambda: C(0.1) / C(3.0), C(0.1 / 3.0)),
        (lambda: C(0.1) + C(0.2), C(0.1 + 0.2)),
    ],
)
def test_constants_fold(built, expected):
    got = built()
    assert got == expected and type(got) is Constant
    assert type(got(0)) is float


def test_constant_division_by_zero_raises_at_construction():
    # ZeroDivisionError, as Python users expect of ``x / 0``.
    for build in (lambda: C(1.0) / C(0.0), lambda: X / 0, lambda: X / 0.0, lambda: X / C(0.0), lambda: 2 / C(0.0)):
        with pytest.raises(ZeroDivisionError, match="division by zero"):
            build()


@RULES
@given(S.values(), S.values(), st.sampled_from(["+", "-", "*", "/"]))
def test_constant_folding_is_the_single_rounding_the_node_computes(a, b, op):
    ops = {
        "+": lambda x, y: x + y,
        "-": lambda x, y: x - y,
        "*": lambda x, y: x * y,
        "/": lambda x, y: x / y,
    }
    if not (op == "/" and b == 0.0):
        folded = ops[op](C(a), b)
        assert type(folded) is Constant
        assert_same_values(Arith(op, Constant(a), b), folded)
    if op != "/":  # number / constant is invert, tested separately
        folded = ops[op](a, C(b))
        assert type(folded) is Constant
        assert_same_values(Arith(op, a, Constant(b)), folded)


@RULES
@given(S.values(), S.factors())
def test_scale_of_a_constant_folds_exactly(c, k):
    assert_same_values(Scale(Constant(c), k), sa.scale(C(c), k))


@RULES
@given(S.values(), st.one_of(st.none(), S.values()), st.one_of(st.none(), S.values()))
def test_clip_of_a_constant_folds_exactly(c, lo, hi):
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    assert_same_values(Clip(Constant(c), lo, hi), sa.clip(C(c), lo, hi))


@RULES
@given(S.values(), S.values())
def test_extrema_of_constants_fold_exactly(a, b):
    assert_same_values(Minimum(Constant(a), Constant(b)), sa.minimum(C(a), C(b)))
    assert_same_values(Maximum(Constant(a), Constant(b)), sa.maximum(C(a), C(b)))


# -- scale and operators ---------------------------------------------------------------------------------------------
def test_scale_of_scale_folds_for_powers_of_two():
    assert sa.scale(sa.scale(X, 2.0), 3.0) == sa.scale(X, 6.0)
    assert sa.scale(sa.scale(X, 3.0), 0.25) == sa.scale(X, 0.75)
    assert sa.scale(sa.scale(X, -0.5), -2.0) == X
    nested = sa.scale(sa.scale(X, 3.0), 5.0)  # s * 3 * 5 rounds twice: a chain, in order
    assert nested == Arith("**", X, 3.0, (5.0,))
    assert repr(nested) == "(cosine(1.0, 0.1, 100) * 3.0 * 5.0)"
    assert_same_values(Scale(Scale(X, 3.0), 5.0), nested)


@RULES
@given(S.schedules(), S.factors(), S.factors())
def test_scale_folding_never_changes_a_value(s, a, b):
    raw = Scale(Scale(s, a), b)
    assert_same_values(raw, sa.scale(sa.scale(s, a), b))


def test_scale_folding_is_exact_where_the_nested_node_overflows():
    """The documented domain (``_simplify`` docstring): a fold keeps every value
    whose intermediate products are normal floats. Beyond it, the folded node is
    the exact one and the nested node the one that is off.

    ``scale(scale(s, 2**100), 2**-100)`` is ``s``: at ``s(0) = 1e300`` the nested
    node overflows to inf, the folded one answers 1e300.
    """
    s = sa.linear(1e300, 1.0, 10)
    raw = Scale(Scale(s, 2.0**100), 2.0**-100)
    folded = sa.scale(sa.scale(s, 2.0**100), 2.0**-100)
    assert folded == s
    assert raw(0) == math.inf and folded(0) == 1e300
    assert_same_values(raw, folded, steps=[10, 11, 1e6])  # values of 1.0: inside the domain, unchanged


def test_scale_folding_is_exact_where_the_nested_node_underflows():
    """At ``s(0) = 1e-300``, ``s(0) * 2**-60`` is subnormal and loses bits; the fold does not."""
    s = sa.linear(1e-300, 1.0, 10)
    raw = Scale(Scale(s, 2.0**-60), 2.0**60)
    folded = sa.scale(sa.scale(s, 2.0**-60), 2.0**60)
    assert folded == s
    assert folded(0) == 1e-300 and raw(0) != 1e-300
    assert_same_values(raw, folded, steps=[1, 5, 10])  # inside the domain: unchanged


@RULES
@given(S.schedules(), S.powers_of_two())
def test_division_by_a_power_of_two_is_a_scale_with_the_same_values(s, p):
    simplified = s / p
    assert simplified == sa.scale(s, 1.0 / p)
    assert_same_values(Arith("/", s, p), simplified)


@RULES
@given(S.schedules(), S.values())
def test_division_by_other_numbers_stays_a_division(s, k):
    assume(k != 0.0 and not (math.frexp(k)[0] in (0.5, -0.5)))
    simplified = s / k
    assert_same_values(Arith("/", s, k), simplified)
    if not isinstance(s, Constant):
        assert type(simplified) is Arith


@RULES
@given(S.schedules(), S.values())
def test_times_number_is_scale_with_the_same_values(s, k):
    assert s * k == sa.scale(s, k) == k * s
    assert_same_values(Arith("*", s, k), s * k)
    assert_same_values(Arith("*", k, s), k * s)


@RULES
@given(S.positive_schedules(), S.values())
def test_number_over_schedule_is_invert_with_the_same_values(s, k):
    assume(not isinstance(s, Invert))
    assert_same_values(Arith("/", k, s), k / s)
    assert_same_values(Invert(s, k), sa.invert(s, k))


@RULES
@given(S.schedules(), S.schedules())
def test_operators_between_schedules_never_change_values(a, b):
    assert_same_values(Arith("+", a, b), a + b)
    assert_same_values(Arith("-", a, b), a - b)
    assert_same_values(Arith("*", a, b), a * b)


@RULES
@given(S.schedules(), S.values())
def test_adding_numbers_never_changes_values(s, k):
    assert_same_values(Arith("+", s, k), s + k)
    assert_same_values(Arith("+", k, s), k + s)
    assert_same_values(Arith("-", s, k), s - k)
    assert_same_values(Arith("-", k, s), k - s)


# -- invert ----------------------------------------------------------------------------------------------------------
def test_invert_of_invert_cancels():
    assert sa.invert(sa.invert(X)) is X
    assert sa.invert(sa.invert(X, 3.0), 3.0) is X
    assert type(sa.invert(sa.invert(X, 3.0), 2.0)) is Invert
    assert 1 / (1 / X) is X


@pytest.mark.parametrize("c", [49.0, 3.0, 0.1, 7.0])
def test_invert_of_a_constant_does_not_fold(c):
    inv = sa.invert(C(c))
    assert type(inv) is Invert
    assert sa.invert(inv) == C(c)
    assert sa.invert(inv)(0) == c


def test_number_over_a_constant_does_not_fold_either():
    """``k / constant(c)`` must build ``invert(constant(c), k)`` like every ``k / s``.

    Folding it to ``constant(k / c)`` breaks the involution the rule protects:
    ``1 / (1 / constant(49.0))`` is ``constant(49.00000000000001)``.
    """
    assert type(1.0 / C(49.0)) is Invert
    assert 1.0 / (1.0 / C(49.0)) == C(49.0)


# -- shift ------------------------------------------------------------------------------------------------------------
def test_shift_of_shift_stays_nested():
    """``(t + a) + b`` and ``t + (a + b)`` round differently at fractional steps: no fold."""
    assert sa.shift(sa.shift(X, 3), 4) == Shift(Shift(X, 3), 4)
    assert sa.shift(sa.shift(X, 3.5), 4) == Shift(Shift(X, 3.5), 4)
    assert sa.shift(sa.shift(X, 3), 0) == Shift(X, 3)


@RULES
@given(S.schedules(), st.integers(0, 10**6), st.integers(0, 10**6))
def test_shift_folding_keeps_values_at_integer_steps(s, a, b):
    assert_same_values(
        Shift(Shift(s, a), b),
        sa.shift(sa.shift(s, a), b),
        steps=[t for t in STEPS if float(t).is_integer()],
    )


def test_shift_folding_keeps_values_at_fractional_steps():
    """Steps are real-valued (DESIGN §2), and the fold must not change a value.

    The nested node computes ``(t + 1) + 1`` (two roundings), the folded one
    ``t + 2``; at ``t = 2**-52 + 2**-54`` they differ (``2.0`` vs ``2.0000000000000004``),
    and so do the values of any non-flat ``s``.
    """
    s = sa.linear(0.0, 1.0, 1000)
    t = 2.0**-52 + 2.0**-54
    assert_same_values(Shift(Shift(s, 1), 1), sa.shift(sa.shift(s, 1), 1), steps=[t])


# -- sequences ---------------------------------------------------------------------------------------------------------
A, B, D = sa.linear(0.0, 1.0, 10), sa.cosine(1.0, 0.0, 10), sa.exponential(1.0, 0.5)


def test_nested_sequences_flatten():
    flat = Sequence_((A, B, D), (10, 25))
    assert sa.sequence([sa.sequence([A, B], [10]), D], [25]) == flat
    assert sa.sequence([A, sa.sequence([B, D], [15])], [10]) == flat
    # float switch steps off offset 0 keep the nesting (t - o - b vs t - (o + b) could differ)
    kept = sa.sequence([A, sa.sequence([B, D], [15.5])], [10])
    assert len(kept.schedules) == 2 and type(kept.schedules[1]) is Sequence_
    # at offset 0 any switch steps flatten
    assert sa.sequence([sa.sequence([A, B], [10.5]), D], [25]) == Sequence_(
        (A, B, D), (10.5, 25)
    )


def test_unreachable_pieces_are_dropped():
    assert sa.sequence([sa.sequence([A, B], [10]), D], [5]) == Sequence_((A, D), (5,))
    assert sa.sequence([sa.sequence([A, B, C(1.0)], [10, 20]), D], [20]) == Sequence_(
        (A, B, D), (10, 20)
    )


def test_neighbouring_equal_constants_merge():
    assert sa.sequence([C(1.0), C(1.0), A], [5, 10]) == Sequence_((C(1.0), A), (10,))
    assert sa.sequence([A, C(2.0), C(2.0)], [5, 10]) == Sequence_((A, C(2.0)), (5,))
    assert sa.sequence([C(2.0), C(2.0)], [5]) == C(2.0)
    assert type(sa.sequence([C(1.0), C(2.0)], [5])) is Sequence_
    assert type(sa.sequence([C(1.0), A, C(1.0)], [5, 10])) is Sequence_


@RULES
@given(st.lists(S.schedules(max_leaves=3), min_size=3, max_size=5), st.data())
def test_sequence_simplification_never_changes_a_value(pieces, data):
    """Nest both ways, once with the smart constructor (flattening) and once raw (node classes)."""
    n = len(pieces)
    integers = data.draw(st.booleans())
    bounds = data.draw(S.increasing(n - 1, integers=integers))
    steps = sorted(
        {
            0,
            1,
            *bounds,
            *(b + 0.5 for b in bounds),
            *(b - 1 for b in bounds if b >= 1),
            *(2 * b for b in bounds),
            10**6 + 0.25,
        }
    )

    # right-nested: pieces[:j] then the rest as one sequence starting at bounds[j - 1]
    j = data.draw(st.integers(1, n - 2))
    offset = bounds[j - 1]
    rel = [b - offset for b in bounds[j:]]
    raw = Sequence_(
        (*pieces[:j], Sequence_(tuple(pieces[j:]), tuple(rel))), tuple(bounds[:j])
    )
    smart = sa.sequence([*pieces[:j], sa.sequence(pieces[j:], rel)], bounds[:j])
    assert_same_values(raw, smart, steps=steps)
    if integers:
        assert_same_values(sa.sequence(pieces, bounds), smart, steps=steps)

    # left-nested: pieces[:j] as one sequence at offset 0, then the rest
    j = data.draw(st.integers(2, n - 1))
    raw = Sequence_(
        (Sequence_(tuple(pieces[:j]), tuple(bounds[: j - 1])), *pieces[j:]),
        tuple(bounds[j - 1 :]),
    )
    smart = sa.sequence(
        [sa.sequence(pieces[:j], bounds[: j - 1]), *pieces[j:]], bounds[j - 1 :]
    )
    assert_same_values(raw, smart, steps=steps)
    assert_same_values(sa.sequence(pieces, bounds), smart, steps=steps)


def test_sequence_flattening_is_exact_below_two_to_the_53_and_more_exact_beyond():
    """The flat node sees ``t - 2`` where the nested one sees ``(t - 1) - 1``.

    Below 2**53 both are exact (the documented domain). At ``t = 2**53 + 2`` the
    nested node's ``t - 1`` rounds to ``2**53`` and it lands one piece early;
    the flat node computes the local time ``2**53`` exactly.
    """
    pc = sa.piecewise_constant([2**53], [0.0, 1.0])
    inner = Sequence_((C(5.0), pc), (1,))
    raw = Sequence_((C(7.0), inner), (1,))
    flat = sa.sequence([C(7.0), inner], [1])
    assert flat == Sequence_((C(7.0), C(5.0), pc), (1, 2))
    assert_same_values(raw, flat, steps=[0, 1, 2, 3, 2.0**53 - 2, 2.0**53 + 1, 2.0**52 + 0.5])
    assert flat(2.0**53 + 2) == pc(2.0**53) == 1.0
    assert raw(2.0**53 + 2) == 0.0


@RULES
@given(
    st.lists(
        st.one_of(S.constants(), st.sampled_from([C(1.0), C(2.0)])),
        min_size=2,
        max_size=5,
    ),
    st.data(),
)
def test_merging_constants_never_changes_a_value(pieces, data):
    bounds = data.draw(S.increasing(len(pieces) - 1))
    steps = sorted(
        {
            0,
            *bounds,
            *(b + 0.5 for b in bounds),
            *(math.nextafter(b, 0) for b in bounds),
        }
    )
    assert_same_values(
        Sequence_(tuple(pieces), tuple(bounds)),
        sa.sequence(pieces, bounds),
        steps=steps,
    )


# -- quantize, clip, extrema --------------------------------------------------------------------------------------------
def test_quantize_is_idempotent_structurally():
    q = sa.quantize(X * 100, 8, rounding="floor", low=8, high=64)
    assert sa.quantize(q, 8, rounding="floor", low=8, high=64) is q
    assert type(sa.quantize(q, 4)) is Quantize


@RULES
@given(S.schedules(), st.integers(1, 16), st.sampled_from(S.ROUNDINGS))
def test_quantize_idempotence_keeps_values(s, m, r):
    q = sa.quantize(s, m, rounding=r)
    assert_same_values(Quantize(q, m, r, None, None), sa.quantize(q, m, rounding=r))


def test_clip_is_idempotent_structurally():
    c = sa.clip(X, 0.2, 0.8)
    assert sa.clip(c, 0.2, 0.8) is c
    assert sa.clip(c, 0.3, 0.8) != c


def test_extremum_of_a_schedule_with_itself_is_the_schedule():
    assert sa.minimum(X, X) is X
    assert sa.maximum(X, sa.cosine(1.0, 0.1, 100)) == X


@RULES
@given(S.schedules())
def test_extremum_identity_keeps_values(s):
    assert_same_values(Minimum(s, s), sa.minimum(s, s))
    assert_same_values(Maximum(s, s), sa.maximum(s, s))


@RULES
@given(
    S.schedules(), st.one_of(st.none(), S.values()), st.one_of(st.none(), S.values())
)
def test_clip_simplification_keeps_values(s, lo, hi):
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    assert_same_values(Clip(s, lo, hi), sa.clip(s, lo, hi))
    once = sa.clip(s, lo, hi)
    assert_same_values(Clip(once, lo, hi), sa.clip(once, lo, hi))


# -- shapes and clocks -----------------------------------------------------------------------------------------------------
@RULES
@given(S.values(), S.durations(), st.sampled_from(["linear", "cosine", "polynomial"]))
def test_flat_interpolations_fold_exactly(c, n, kind):
    raw = {
        "linear": Linear(c, c, n),
        "cosine": Cosine(c, c, n),
        "polynomial": Polynomial(c, c, n, 2.0),
    }[kind]
    smart = {
        "linear": sa.linear(c, c, n),
        "cosine": sa.cosine(c, c, n),
        "polynomial": sa.polynomial(c, c, n, power=2.0),
    }[kind]
    assert_same_values(raw, smart)


@RULES
@given(S.values(), S.int_durations(1000), st.booleans())
def test_flat_exponentials_fold_exactly(c, every, staircase):
    assert_same_values(
        Exponential(c, 1.0, every, staircase),
        sa.exponential(c, 1.0, every=every, staircase=staircase),
    )
    assert_same_values(
        Exponential(0.0, 0.5, every, staircase),
        sa.exponential(0.0, 0.5, every=every, staircase=staircase),
    )


@RULES
@given(S.values(), st.integers(0, 4), st.data())
def test_flat_piecewise_shapes_fold_exactly(c, n, data):
    bounds = data.draw(S.increasing(n))
    assert_same_values(
        PiecewiseConstant(tuple(bounds), (c,) * (n + 1)),
        sa.piecewise_constant(bounds, [c] * (n + 1)),
    )
    knots = data.draw(S.increasing(n + 1))
    assert_same_values(
        PiecewiseLinear(tuple(knots), (c,) * (n + 1)),
        sa.piecewise_linear(knots, [c] * (n + 1)),
    )


@RULES
@given(
    S.values(),
    S.offsets(),
    st.floats(0.1, 100.0),
    S.durations(),
    st.sampled_from([1.0, 1.5, 2.0]),
)
def test_clock_changes_of_constants_fold_exactly(c, n, factor, period, mult):
    k = C(c)
    if n:
        assert_same_values(Shift(k, n), sa.shift(k, n))
        assert_same_values(Delay(k, n), sa.delay(k, n))
    assert_same_values(Stretch(k, factor), sa.stretch(k, factor))
    assert_same_values(
        Cyclical(k, period, mult, 1.0), sa.cyclical(k, period, period_mult=mult)
    )


@RULES
@given(S.schedules(), S.offsets())
def test_delay_and_stretch_identities_keep_values(s, n):
    assert_same_values(Delay(s, 0), sa.delay(s, 0))
    assert_same_values(Stretch(s, 1.0), sa.stretch(s, 1.0))
    assert_same_values(Shift(s, 0), sa.shift(s, 0))
    assert_same_values(Scale(s, 1.0), sa.scale(s, 1.0))


def test_constants_do_not_fold_to_infinity():
    """A constant is finite (and so are repr and to_dict); a fold that overflows keeps the node."""
    big = sa.constant(1e308)
    for s in (big * 10, big + big, sa.constant(1.0) / 1e-310, sa.parse("constant(1)/1e-310")):
        assert type(s) is not Constant
        assert s(0) == math.inf
        assert sa.parse(repr(s)) == s
        assert sa.from_dict(sa.to_dict(s)) == s
    assert sa.constant(1e300) * 10 == sa.constant(1e301)
