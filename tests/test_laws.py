"""Algebraic laws over random schedule trees, in the style of ``returns``' ``check_all_laws``.

Every law is checked on trees from :mod:`strategies` (every shape, combinator and
operator). The runs are derandomized and bounded, so the suite is deterministic.
"""

from __future__ import annotations

import copy
import json
import math
import pickle

import mpmath

import numpy as np
import pytest
import strategies as S
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import schedalg as sa
from schedalg.combinators import Scale, Sequence_

LAWS = settings(
    derandomize=True, deadline=None, database=None, max_examples=S.examples(100)
)
FEW = settings(
    derandomize=True, deadline=None, database=None, max_examples=S.examples(50)
)

#: The constructor namespace ``repr`` is written in (no builtins).
NAMESPACE = {name: getattr(sa, name) for name in sa.__all__ if name not in ("presets",)}


def probe_steps(s: sa.Schedule) -> list:
    """A fixed spread of steps plus the steps near the tree's own numbers."""
    return [
        *range(64),
        100,
        999,
        1000,
        10**4,
        10**5 + 0.5,
        10**6,
        2 * 10**6,
        *S.interesting_steps(s, 100),
    ]


def values_at(s: sa.Schedule, ts: list) -> list:
    return [S.outcome(s, t) for t in ts]


# -- vectorized == scalar ----------------------------------------------------------------------------
@LAWS
@given(S.schedules(), st.integers(1, 300))
def test_arange_equals_scalar_calls(s, n):
    got = S.outcome(s, np.arange(n))
    expected = [S.outcome(s, i) for i in range(n)]
    if any(isinstance(e, type) for e in expected):
        assert isinstance(got, type)
        return
    assert isinstance(got, np.ndarray) and got.shape == (n,)
    S.assert_same(got, expected)


@LAWS
@given(S.schedules())
def test_vectorized_equals_scalar_at_interesting_steps(s):
    ts = S.interesting_steps(s)
    S.assert_vectorized_matches_scalar(s, np.array(ts, dtype=np.float64))
    ints = [t for t in ts if float(t).is_integer()]
    S.assert_vectorized_matches_scalar(s, np.array(ints, dtype=np.int64))


@LAWS
@given(S.schedules())
def test_one_element_arrays_equal_scalar_calls(s):
    """Every step alone in its array: a run of one step in every piece of every node."""
    for t in [0, 1, 2, 3, 6, 10, *S.interesting_steps(s, 80)]:
        scalar = S.outcome(s, t)
        one = S.outcome(s, np.array([t], dtype=np.float64))
        got = one if isinstance(one, type) else one.tolist()[0]
        assert S.same_outcome(got, scalar), f"{s!r}: s([{t!r}]) = {got!r} but s({t!r}) = {scalar!r}"


@LAWS
@given(S.schedules(), S.step_arrays())
def test_vectorized_equals_scalar_on_random_arrays(s, ts):
    S.assert_vectorized_matches_scalar(s, ts)


@FEW
@given(S.schedules(), st.randoms(use_true_random=False))
def test_shuffled_array_is_the_permuted_sorted_result(s, rnd):
    ts = np.array(sorted({float(t) for t in probe_steps(s)}))
    perm = list(range(ts.size))
    rnd.shuffle(perm)
    sorted_out = S.outcome(s, ts)
    shuffled_out = S.outcome(s, ts[perm])
    if isinstance(sorted_out, type) or isinstance(shuffled_out, type):
        assert sorted_out == shuffled_out
        return
    S.assert_same(shuffled_out, sorted_out[perm])


@FEW
@given(S.schedules())
def test_two_dimensional_arrays_keep_their_shape(s):
    ts = np.array(probe_steps(s)[:60], dtype=np.float64).reshape(6, 10)
    S.assert_vectorized_matches_scalar(s, ts)
    S.assert_vectorized_matches_scalar(s, ts.T)  # non-contiguous
    S.assert_vectorized_matches_scalar(s, ts.reshape(3, 4, 5))


@LAWS
@given(S.schedules(), S.steps())
def test_scalar_type_and_array_dtype_agree(s, t0):
    """A Python ``float`` at every step (``int`` at every step for integer schedules)."""
    kinds = set()
    for t in [t0, *probe_steps(s)]:
        value = S.outcome(s, t)
        if isinstance(value, type):
            continue
        assert type(value) in (int, float), (
            f"{s!r}({t!r}) returned {type(value).__name__}: {value!r}"
        )
        kinds.add(type(value))
        arr = s(np.array([t, t]))
        assert arr.dtype == (np.int64 if type(value) is int else np.float64), (
            t,
            value,
            arr.dtype,
        )
        S.assert_same(arr, [value, value])
    assert len(kinds) <= 1, f"{s!r} answers both int and float: {kinds}"


@LAWS
@given(S.schedules())
def test_calls_are_pure_and_do_not_touch_the_steps(s):
    ts = np.array(probe_steps(s), dtype=np.float64)
    before = ts.copy()
    first = S.outcome(s, ts)
    assert np.array_equal(ts, before), "evaluation modified the caller's step array"
    second = S.outcome(s, ts)
    if isinstance(first, type):
        assert first == second
    else:
        S.assert_same(first, second)
    scalars_forward = values_at(s, ts.tolist())
    scalars_backward = values_at(s, ts[::-1].tolist())[::-1]
    S.assert_same_outcomes(scalars_backward, scalars_forward)


# -- text, data, pickle, hash ------------------------------------------------------------------------
@LAWS
@given(S.serializable_schedules())
def test_repr_is_construction_code(s):
    rebuilt = eval(repr(s), {"__builtins__": {}}, dict(NAMESPACE))
    assert rebuilt == s, f"{s!r} rebuilds as {rebuilt!r}"
    assert hash(rebuilt) == hash(s)


@LAWS
@given(S.serializable_schedules())
def test_parse_repr_round_trip(s):
    back = sa.parse(repr(s))
    assert back == s
    assert hash(back) == hash(s)
    ts = probe_steps(s)[:80]
    S.assert_same_outcomes(values_at(back, ts), values_at(s, ts))


@LAWS
@given(S.serializable_schedules())
def test_to_dict_json_round_trip(s):
    data = json.loads(json.dumps(sa.to_dict(s), allow_nan=False))
    back = sa.from_dict(data)
    assert back == s
    assert hash(back) == hash(s)
    assert s.to_dict() == sa.to_dict(s)
    ts = probe_steps(s)[:40]
    S.assert_same_outcomes(values_at(back, ts), values_at(s, ts))


def test_from_fn_is_not_serializable():
    s = S.FROM_FNS[0]
    with pytest.raises((ValueError, TypeError), match="from_fn"):
        sa.to_dict(s)
    with pytest.raises((ValueError, TypeError)):
        sa.parse(repr(s))


@LAWS
@given(S.schedules())
def test_pickle_round_trip(s):
    back = pickle.loads(pickle.dumps(s))
    assert back == s
    assert hash(back) == hash(s)
    assert type(back) is type(s)
    ts = probe_steps(s)[:80]
    S.assert_same_outcomes(values_at(back, ts), values_at(s, ts))
    S.assert_vectorized_matches_scalar(back, np.array(ts, dtype=np.float64))


@LAWS
@given(S.schedules())
def test_equal_nodes_have_equal_hashes(s):
    twin = copy.deepcopy(s)
    assert twin == s and hash(twin) == hash(s)
    assert hash(s) == hash(s)
    assert len({s, twin, pickle.loads(pickle.dumps(s))}) == 1


@FEW
@given(S.schedules(), S.schedules())
def test_hash_is_consistent_with_equality(a, b):
    if a == b:
        assert hash(a) == hash(b)
    assert (a == b) == (b == a)


# -- scale -------------------------------------------------------------------------------------------------
@LAWS
@given(S.schedules(), S.factors(), S.factors())
def test_scale_composition_values(s, a, b):
    composed = sa.scale(sa.scale(s, a), b)
    for t in probe_steps(s)[:70]:
        v = S.outcome(s, t)
        if isinstance(v, type):
            continue
        expected = v * a * b
        got = composed(t)
        assert got == expected or (math.isnan(got) and math.isnan(expected)), (
            t,
            got,
            expected,
        )


@LAWS
@given(
    S.schedules().filter(lambda s: not isinstance(s, (Scale, type(sa.constant(1.0))))),
    S.powers_of_two(),
    S.factors(),
)
def test_scale_folds_when_a_factor_is_a_power_of_two(s, p, k):
    assert sa.scale(sa.scale(s, p), k) == sa.scale(s, p * k)
    assert sa.scale(sa.scale(s, k), p) == sa.scale(s, k * p)
    assert s * p * k == sa.scale(s, p * k)


@LAWS
@given(S.schedules())
def test_scale_by_one_is_identity(s):
    assert sa.scale(s, 1) == s
    assert s * 1.0 == s
    assert 1 * s == s
    assert s / 1 == s


# -- invert ------------------------------------------------------------------------------------------------
@LAWS
@given(S.schedules(), S.values().filter(lambda x: x != 0.0))
def test_invert_is_an_involution(s, n):
    assert sa.invert(sa.invert(s, n), n) == s
    assert sa.invert(sa.invert(s)) == s


@LAWS
@given(S.positive_schedules(), S.values())
def test_invert_values(s, n):
    inv = sa.invert(s, n)
    for t in probe_steps(s)[:60]:
        v = S.outcome(s, t)
        if isinstance(v, type):
            continue
        got = inv(t)
        assert got == n / v or (math.isnan(got) and math.isnan(n / v))


# -- quantize ------------------------------------------------------------------------------------------------
def _quantize_args():
    bound = st.integers(-2000, 2000)
    return st.tuples(
        st.integers(1, 16),
        st.sampled_from(S.ROUNDINGS),
        st.one_of(st.none(), bound),
        st.one_of(st.none(), bound),
    ).map(
        lambda a: (
            a
            if a[2] is None or a[3] is None or a[2] <= a[3]
            else (a[0], a[1], a[3], a[2])
        )
    )


@LAWS
@given(S.schedules(), _quantize_args())
def test_quantize_is_idempotent(s, args):
    m, r, lo, hi = args
    q = sa.quantize(s, m, rounding=r, low=lo, high=hi)
    assert sa.quantize(q, m, rounding=r, low=lo, high=hi) == q
    assert q.quantize(m, rounding=r, low=lo, high=hi) == q
    # Re-rounding a multiple of m with any rounding changes nothing.
    if lo is None and hi is None:
        for other in S.ROUNDINGS:
            again = sa.quantize(q, m, rounding=other)
            ts = probe_steps(s)[:60]
            assert values_at(again, ts) == values_at(q, ts)


@LAWS
@given(S.schedules(), _quantize_args())
def test_quantize_values_are_integer_multiples(s, args):
    m, r, lo, hi = args
    q = sa.quantize(s, m, rounding=r, low=lo, high=hi)
    ts = probe_steps(s)[:80]
    for t in ts:
        v = S.outcome(s, t)
        got = S.outcome(q, t)
        if isinstance(v, type) or not math.isfinite(v) or abs(v) > 1e15:
            continue
        assert type(got) is int, (t, got)
        assert got % m == 0 or got in (lo, hi), (t, v, got)
        if lo is not None:
            assert got >= lo
        if hi is not None:
            assert got <= hi
        # The rounding moves a value by less than one multiple (before clamping).
        unclamped = (lo is None or got > lo) and (hi is None or got < hi)
        if unclamped:
            assert abs(got - v) <= m
    arr = S.outcome(q, np.array(ts, dtype=np.float64))
    if not isinstance(arr, type):
        assert arr.dtype == np.int64


# -- sequence -------------------------------------------------------------------------------------------------
def _integer_offsets(s: sa.Schedule) -> bool:
    """Not a sequence with non-integral switch steps (those stay nested off 0, by design)."""
    return not isinstance(s, Sequence_) or all(isinstance(b, int) for b in s.boundaries)


PIECES = S.schedules(max_leaves=3).filter(_integer_offsets)


@LAWS
@given(PIECES, PIECES, PIECES, S.int_durations(10**5), S.int_durations(10**5))
def test_sequence_is_associative(a, b, c, n, k):
    flat = sa.sequence([a, b, c], [n, n + k])
    left = sa.sequence([sa.sequence([a, b], [n]), c], [n + k])
    right = sa.sequence([a, sa.sequence([b, c], [k])], [n])
    assert left == flat
    assert right == flat
    ts = [
        *range(40),
        n - 1,
        n,
        n + 1,
        n + 0.5,
        n + k - 1,
        n + k,
        n + k + 0.25,
        n + k + 1,
        2 * (n + k),
        10**6,
    ]
    expected = values_at(flat, ts)
    S.assert_same_outcomes(values_at(left, ts), expected)
    S.assert_same_outcomes(values_at(right, ts), expected)


@FEW
@given(
    S.schedules(max_leaves=3),
    S.schedules(max_leaves=3),
    S.schedules(max_leaves=3),
    S.durations(),
    S.durations(),
)
def test_nested_sequences_have_the_values_of_the_flat_one(a, b, c, n, k):
    """Whether or not the nesting flattens, values equal the flat sequence's (t < 2**53)."""
    flat = sa.sequence([a, b, c], [n, n + k])
    left = sa.sequence([sa.sequence([a, b], [n]), c], [n + k])
    ts = [0, 1, n / 2, n, n + 0.5, n + 1, n + k, n + k + 0.25, 2 * (n + k), 10**6 + 0.5]
    S.assert_same_outcomes(values_at(left, ts), values_at(flat, ts))
    # The right-nested form sees ((t - n) - k) where the flat one sees t - (n + k): equal for
    # integer n, k.
    if isinstance(n, int) and isinstance(k, int):
        right = sa.sequence([a, sa.sequence([b, c], [k])], [n])
        S.assert_same_outcomes(values_at(right, ts), values_at(flat, ts))


@FEW
@given(S.schedules(max_leaves=3), S.schedules(max_leaves=3), S.durations())
def test_sequence_pieces_see_local_time(a, b, n):
    s = sa.sequence([a, b], [n])
    for k in (0, 1, 2.5, 10, 1000):
        assert S.same_outcome(S.outcome(s, n + k), S.outcome(b, (n + k) - n))
    for t in (0, n / 2, math.nextafter(n, 0)):
        assert S.same_outcome(S.outcome(s, t), S.outcome(a, t))
    assert sa.sequence([a], []) == a


# -- shift, delay ---------------------------------------------------------------------------------------------
@FEW
@given(S.schedules(), st.integers(0, 10**6), st.integers(0, 10**6))
def test_integer_shifts_compose(s, a, b):
    """``shift(shift(s, a), b)(t) == shift(s, a + b)(t)`` at integer steps (the nodes may stay nested)."""
    composed = sa.shift(sa.shift(s, a), b)
    once = sa.shift(s, a + b)
    for t in [*range(30), 999, 10**6, 10**9]:
        assert S.same_outcome(S.outcome(composed, t), S.outcome(once, t))
        assert S.same_outcome(S.outcome(composed, t), S.outcome(s, t + a + b))


@FEW
@given(S.schedules(), S.offsets())
def test_shift_and_delay_values(s, n):
    shifted = sa.shift(s, n)
    delayed = sa.delay(s, n)
    for k in (0, 1, 7, 100.5):
        # delay sees local time (n + k) - n, shift sees k + n: exactly as written.
        assert S.same_outcome(S.outcome(delayed, n + k), S.outcome(s, (n + k) - n))
        assert S.same_outcome(S.outcome(shifted, k), S.outcome(s, k + n))
    v0 = S.outcome(s, 0)
    for t in (0, n / 2, math.nextafter(n, 0)) if n else (0,):
        assert S.same_outcome(S.outcome(delayed, t), v0)


# -- warmup -----------------------------------------------------------------------------------------------------
@FEW
@given(S.schedules(), S.durations(), S.values(), st.sampled_from(["linear", "cosine"]))
def test_warmup_is_continuous_at_its_end(s, n, start, shape):
    v = S.outcome(s, 0)
    assume(not isinstance(v, type))
    w = sa.warmup(s, n, start=start, shape=shape)
    assert w(n) == v
    assert w(0) == start
    for k in (1, 2.5, 100):
        assert S.same_outcome(S.outcome(w, n + k), S.outcome(s, (n + k) - n))


@LAWS
@given(S.schedules(), S.durations(), S.values(), st.sampled_from(["linear", "cosine"]))
def test_warmup_ramp_is_monotone_between_start_and_s0(s, n, start, shape):
    v = S.outcome(s, 0)
    assume(not isinstance(v, type))
    w = sa.warmup(s, n, start=start, shape=shape)
    ts = np.linspace(0.0, float(n), 257)
    ramp = w(ts)
    lo, hi = min(start, v), max(start, v)
    assert ramp[0] == start and ramp[-1] == v
    assert np.all((ramp >= lo) & (ramp <= hi)), (lo, hi, ramp.min(), ramp.max())
    diffs = np.diff(ramp)
    if v >= start:
        assert np.all(diffs >= 0)
    else:
        assert np.all(diffs <= 0)


@FEW
@given(S.positive_schedules(), S.durations(), S.positive_values())
def test_exponential_warmup_is_geometric(s, n, start):
    v = s(0)
    w = sa.warmup(s, n, start=start, shape="exponential")
    assert w(0) == start and w(n) == v
    mid = w(n / 2)
    assert math.isclose(mid, math.sqrt(start * v), rel_tol=1e-12)


# -- operators ------------------------------------------------------------------------------------------------------
NONZERO = S.values().filter(lambda x: x != 0.0)


@LAWS
@given(S.schedules(), S.values())
def test_operators_with_numbers_compute_the_obvious_value(s, k):
    ts = probe_steps(s)[:50]
    cases = [
        (s + k, lambda v: v + k),
        (k + s, lambda v: k + v),
        (s - k, lambda v: v - k),
        (k - s, lambda v: k - v),
        (s * k, lambda v: v * k),
        (k * s, lambda v: k * v),
        (-s, lambda v: -v),
        (+s, lambda v: v),
    ]
    if k != 0.0:
        cases.append((s / k, lambda v: v / k))
    for built, f in cases:
        for t in ts:
            v = S.outcome(s, t)
            if isinstance(v, type):
                continue
            got = built(t)
            want = f(v)
            assert got == want or (math.isnan(got) and math.isnan(want)), (
                built,
                t,
                got,
                want,
            )


@FEW
@given(S.schedules(), S.values())
def test_multiplication_is_scale(s, k):
    assert s * k == sa.scale(s, k)
    assert k * s == sa.scale(s, k)
    assert -s == sa.scale(s, -1.0)


@LAWS
@given(S.positive_schedules(), S.values())
def test_number_over_schedule_is_invert(s, k):
    assert k / s == sa.invert(s, k)


@FEW
@given(S.schedules(), S.positive_schedules())
def test_operators_between_schedules(a, b):
    ts = probe_steps(a)[:40]
    for built, f in (
        (a + b, float.__add__),
        (a - b, float.__sub__),
        (a * b, float.__mul__),
        (a / b, float.__truediv__),
    ):
        for t in ts:
            x, y = S.outcome(a, t), S.outcome(b, t)
            if isinstance(x, type) or isinstance(y, type):
                continue
            got = built(t)
            want = f(float(x), float(y))
            assert got == want or (math.isnan(got) and math.isnan(want)), (
                built,
                t,
                got,
                want,
            )


class _Foreign:
    pass


@pytest.mark.parametrize(
    "other", ["1", [1.0], (1.0,), None, object(), _Foreign(), 1j, True, {"a": 1}]
)
@pytest.mark.parametrize(
    "op",
    [
        lambda s, o: s + o,
        lambda s, o: o + s,
        lambda s, o: s - o,
        lambda s, o: o - s,
        lambda s, o: s * o,
        lambda s, o: o * s,
        lambda s, o: s / o,
        lambda s, o: o / s,
    ],
    ids=["s+o", "o+s", "s-o", "o-s", "s*o", "o*s", "s/o", "o/s"],
)
def test_foreign_operands_raise_type_error(op, other):
    s = sa.linear(0.0, 1.0, 10)
    with pytest.raises(TypeError):
        op(s, other)


@pytest.mark.parametrize(
    "method",
    [
        "__add__",
        "__radd__",
        "__sub__",
        "__rsub__",
        "__mul__",
        "__rmul__",
        "__truediv__",
        "__rtruediv__",
    ],
)
def test_foreign_operands_return_not_implemented(method):
    s = sa.linear(0.0, 1.0, 10)
    for other in ("1", None, [1], object(), True):
        assert getattr(s, method)(other) is NotImplemented


def test_numpy_array_operand_raises_type_error():
    """DESIGN §3: a foreign operand type makes Python raise TypeError.

    ``s * ndarray`` currently returns an object array of schedules, because
    numpy takes over once ``Schedule.__rmul__`` returns NotImplemented.
    """
    s = sa.linear(0.0, 1.0, 10)
    with pytest.raises(TypeError):
        s * np.array([1.0, 2.0])
    with pytest.raises(TypeError):
        np.array([1.0, 2.0]) + s


@pytest.mark.parametrize(
    "k", [np.float64(2.0), np.float32(0.5), np.int64(3), np.int32(-2)]
)
def test_numpy_scalar_operands_build_schedules(k):
    s = sa.linear(0.0, 1.0, 10)
    for built, want in (
        (s * k, sa.scale(s, float(k))),
        (k * s, sa.scale(s, float(k))),
        (s + k, s + float(k)),
        (k - s, float(k) - s),
    ):
        assert isinstance(built, sa.Schedule), type(built)
        assert built == want


# -- the block-wise array path --------------------------------------------------------------------------------
BLOCK = sa._node.BLOCK


@settings(derandomize=True, deadline=None, database=None, max_examples=S.examples(25))
@given(S.schedules(), st.sampled_from([0.0, 0.5, 997.25]), st.sampled_from([1.0, 3.0, 0.25]))
def test_block_evaluation_equals_whole_and_scalar_evaluation(s, origin, spacing):
    """An array longer than a block gives what its pieces give, and what the scalar path gives.

    ``s(t)`` for 2.5 blocks of steps equals the concatenation of ``s`` over
    chunks that straddle the block edges, and the scalar values at steps
    around every block edge and at random positions.
    """
    n = BLOCK * 5 // 2
    t = origin + spacing * np.arange(n)
    whole = S.outcome(s, t)
    if isinstance(whole, type):  # an error: each chunk must raise it too, or one of them
        return
    chunks = [t[i : i + 7919] for i in range(0, n, 7919)]
    parts = [S.outcome(s, c) for c in chunks]
    if any(isinstance(p, type) for p in parts):
        raise AssertionError("a chunk raised where the whole array did not")
    S.assert_same(whole, np.concatenate(parts))
    probes = [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK - 1, 2 * BLOCK, n - 1]
    probes += np.random.default_rng(7).integers(0, n, 40).tolist()
    for i in probes:
        assert S.same_outcome(S.outcome(s, float(t[i])), whole[i].item())


@FEW
@given(S.schedules())
def test_shuffled_and_grouped_steps_agree_with_sorted_steps(s):
    """The runs of ``cut``/``piecewise`` are verified, so any order gives the same values.

    Sorted steps take the sliced path, shuffled ones the masked path, and
    steps sorted descending or in interleaved runs exercise the verification.
    """
    t = np.linspace(0.0, 3000.0, 4001)
    base = S.outcome(s, t)
    if isinstance(base, type):
        return
    rng = np.random.default_rng(11)
    for order in (rng.permutation(t.size), np.arange(t.size)[::-1], np.argsort(np.arange(t.size) % 7, kind="stable")):
        S.assert_same(S.outcome(s, t[order]), base[order])


# -- clock, functions of values, compose (issue 9) ---------------------------------------------------------------
# Random trees of every law above include these nodes (see strategies.functions_of);
# the laws below also take them unguarded, where values may leave a function's domain.
FUNCTIONS = S.function_schedules()
#: The laws of the new nodes run fewer examples: they evaluate deep trees at many steps.
NODES = settings(derandomize=True, deadline=None, database=None, max_examples=S.examples(30))


@NODES
@given(FUNCTIONS, st.integers(1, 200))
def test_functions_arange_equals_scalar_calls(s, n):
    got = S.outcome(s, np.arange(n))
    expected = [S.outcome(s, i) for i in range(n)]
    if any(isinstance(e, type) for e in expected):
        assert isinstance(got, type)
        return
    S.assert_same(got, expected)


@NODES
@given(FUNCTIONS, S.step_arrays())
def test_functions_vectorized_equals_scalar(s, ts):
    S.assert_vectorized_matches_scalar(s, np.array(S.interesting_steps(s), dtype=np.float64))
    S.assert_vectorized_matches_scalar(s, ts)


@NODES
@given(S.function_schedules(serializable=True))
def test_functions_round_trip(s):
    assert sa.parse(repr(s)) == s
    assert sa.from_dict(json.loads(json.dumps(sa.to_dict(s), allow_nan=False))) == s
    back = pickle.loads(pickle.dumps(s))
    assert back == s and hash(back) == hash(s)


def _within_ulps(got: float, want: float, n: float) -> bool:
    if got == want or (math.isnan(got) and math.isnan(want)):
        return True
    return math.isfinite(want) and abs(got - want) <= n * math.ulp(want)


@NODES
@given(S.schedules(), S.exponents())
def test_power_values_and_identities(s, p):
    assert sa.power(s, 1) == s and s**1 == s
    built = sa.power(s, p)
    assert s**p == built
    for t in probe_steps(s)[:60]:
        v = S.outcome(s, t)
        if isinstance(v, type):
            continue
        got = S.outcome(built, t)
        if (v < 0.0 and not p.is_integer()) or (v == 0.0 and p < 0.0):
            assert got is ValueError, (t, v, p, got)
            continue
        try:
            want = float(v) ** p
        except OverflowError:
            want = math.inf
        if isinstance(want, complex):  # pragma: no cover - excluded above
            raise AssertionError(want)
        assert _within_ulps(abs(got), abs(want), 2) and (got == 0 or (got < 0) == (want < 0)), (t, v, p, got, want)


@NODES
@given(S.schedules())
def test_exp_log_tanh_values(s):
    e, lg, th = sa.exp(s), sa.log(s), sa.tanh(s)
    for t in probe_steps(s)[:60]:
        v = S.outcome(s, t)
        if isinstance(v, type):
            continue
        v = float(v)
        # Within an ulp of the correctly rounded value (numpy's and the C
        # library's may be two floats apart).
        with mpmath.workdps(30):
            x = mpmath.mpf(v)
            assert _within_ulps(e(t), float(mpmath.exp(x)) if v == v else v, 1), (t, v)
            assert _within_ulps(th(t), float(mpmath.tanh(x)) if v == v else v, 1), (t, v)
            if v > 0.0 or math.isnan(v):
                assert _within_ulps(lg(t), float(mpmath.log(x)) if v == v else v, 1), (t, v)
            else:
                assert S.outcome(lg, t) is ValueError


@NODES
@given(S.schedules())
def test_tanh_is_odd(s):
    ts = np.array(probe_steps(s), dtype=np.float64)
    v = S.outcome(s, ts)
    assume(not isinstance(v, type))
    S.assert_same(sa.tanh(-s)(ts), -sa.tanh(s)(ts))


@NODES
@given(S.schedules(), S.clocks(), S.clocks())
def test_compose_identity_and_associativity(s, a, b):
    assert sa.compose(s, sa.clock()) == s
    ts = probe_steps(s)[:50]
    left = values_at(sa.compose(sa.compose(s, a), b), ts)
    right = values_at(sa.compose(s, sa.compose(a, b)), ts)
    S.assert_same_outcomes(left, right)
    S.assert_same_outcomes(left, [S.outcome(s, a(b(t))) for t in ts])


@NODES
@given(S.schedules(), S.offsets(), st.sampled_from([0.5, 2.0, 3.0, 10.0]))
def test_compose_writes_shift_and_stretch(s, k, f):
    ts = probe_steps(s)[:60]
    S.assert_same_outcomes(values_at(sa.compose(s, sa.clock() + k), ts), values_at(sa.shift(s, k), ts))
    S.assert_same_outcomes(values_at(sa.compose(s, sa.clock() / f), ts), values_at(sa.stretch(s, f), ts))


@NODES
@given(S.schedules(), S.noise_args())
def test_noise_multiplies_by_one_draw_per_step(s, kw):
    assert sa.noise(s, 0.0, **{k: v for k, v in kw.items() if k != "std"}) == s
    noisy, factor = sa.noise(s, **kw), sa.noise(sa.constant(1.0), **kw)
    ts = probe_steps(s)[:60]
    for t in ts:
        v = S.outcome(s, t)
        if isinstance(v, type):
            assert S.outcome(noisy, t) is v
            continue
        f = factor(t)
        assert S.same_outcome(noisy(t), v * f), (t, v, f)
        assert factor(math.floor(t) + 0.5) == f  # one draw per integer step
        if kw["limit"] is not None and kw["std"] > 0:
            assert abs(f - 1.0) <= kw["limit"]
    S.assert_vectorized_matches_scalar(noisy, np.array(ts, dtype=np.float64))
