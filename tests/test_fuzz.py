"""Fuzzers for the core, derandomized and bounded: random extreme trees.

The audit of issue 11 attacked the core with random schedules built from
extreme but valid arguments (subnormal and huge numbers, growths that
overflow, steps up to the largest float) and found OverflowErrors, NaN
tables and scalar/array disagreements. These laws run on such trees:

* construction raises ``ValueError``, ``TypeError`` or ``ZeroDivisionError``,
  nothing else;
* evaluation raises ``ValueError`` or ``ZeroDivisionError``, nothing else,
  and the scalar path, a one-element array and a longer array agree exactly
  (values or the error);
* ``repr``, ``to_dict`` and pickle round-trip, ``hash`` agrees with ``==``.

The parse and from_dict fuzzers are in ``test_text.py``.
"""

from __future__ import annotations

import io
import json
import math
import pickle
import tokenize
from typing import Any

import numpy as np
import strategies as S
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedalg as sa

FUZZ = settings(
    derandomize=True,
    deadline=None,
    database=None,
    max_examples=S.examples(250),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

HUGE = 1.7976931348623157e308
TINY = 5e-324

#: Extreme but finite numbers: subnormals, the largest floats, signed zeros.
EXTREMES = [0.0, -0.0, TINY, -TINY, 2.2250738585072014e-308, 1e-300, 1e-10, 0.5, 1.0, 1.5, 2.0, 3.0,
            1e10, 1e300, HUGE, -1e300, -HUGE, 1.0 + 2**-52, 1.0 - 2**-53, 2.0**53, 2.0**63]

#: Steps: the scalar path's special cases and the edges of the floats.
STEPS = [0, 1, 2, 3, 0.5, TINY, 1e-300, 6, 10, 2**53 - 1, 2.0**53, 2**53 + 2, 10**12, 1e15, 1e300, HUGE,
         math.nextafter(1.0, 0.0)]


def numbers() -> st.SearchStrategy[float]:
    """Mostly the moderate values of the law tests, often an extreme one."""
    return st.one_of(
        S.values(),
        st.sampled_from(EXTREMES),
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(-(2**63) + 1, 2**63 - 1),
    )


def positives() -> st.SearchStrategy[float]:
    return st.one_of(
        S.durations(),
        st.sampled_from([x for x in EXTREMES if x > 0]),
        st.floats(min_value=TINY, allow_infinity=False),
    )


def gammas() -> st.SearchStrategy[float]:
    return st.one_of(
        st.sampled_from([0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.99, 1.01, 1.5, 2.0, 10.0, 1e10, 1e300, HUGE, TINY]),
        st.floats(0.01, 2.0),
        positives(),
    )


def _try(fn: Any, *args: Any, **kwargs: Any) -> sa.Schedule | None:
    """The schedule, or None where the constructor refuses the arguments."""
    try:
        return fn(*args, **kwargs)
    except (ValueError, TypeError, ZeroDivisionError):
        return None


def leaves() -> st.SearchStrategy[sa.Schedule | None]:
    return st.one_of(
        st.builds(_try, st.just(sa.constant), numbers()),
        st.builds(_try, st.sampled_from([sa.linear, sa.cosine]), numbers(), numbers(), positives()),
        st.builds(_try, st.just(sa.polynomial), numbers(), numbers(), positives(), positives()),
        st.builds(
            _try, st.just(sa.exponential), numbers(), gammas(), positives(), st.booleans()
        ),
        st.builds(_try, st.just(sa.inverse_sqrt), numbers(), positives()),
        st.builds(_try, st.just(sa.triangular), numbers(), numbers(), positives(), st.floats(0.0, 1.0)),
        st.builds(
            lambda b, v: _try(sa.piecewise_constant, sorted(set(b)), v[: len(set(b)) + 1] + [1.0] * (len(set(b)) + 1 - len(v))),
            st.lists(st.one_of(st.sampled_from([1, 2, 3, 6, 2**53]), positives()), max_size=4),
            st.lists(numbers(), max_size=5),
        ),
        st.builds(
            lambda k, v: _try(sa.piecewise_linear, [0, *sorted(set(k))], v[: len(set(k)) + 1] + [1.0] * (len(set(k)) + 1 - len(v))),
            st.lists(st.one_of(st.sampled_from([1, 2, 3, 6, 2**53]), positives()), max_size=3),
            st.lists(numbers(), max_size=4),
        ),
    )


def combine(children: st.SearchStrategy[sa.Schedule | None]) -> st.SearchStrategy[sa.Schedule | None]:
    kids = children.filter(lambda s: s is not None)
    return st.one_of(
        st.builds(lambda s, n, a: _try(sa.warmup, s, n, start=a), kids, positives(), numbers()),
        st.builds(lambda s, at, n, e: _try(sa.cooldown, s, at, n, end=e), kids, positives(), positives(), numbers()),
        st.builds(lambda a, b, n: _try(sa.sequence, [a, b], [n]), kids, kids, positives()),
        st.builds(
            lambda s, p, m, d: _try(sa.cyclical, s, p, period_mult=m, decay=d),
            kids,
            positives(),
            st.one_of(st.just(1.0), st.sampled_from([1.0 + 2**-52, 1.007, 2.0, 1e10, 1e300]), st.floats(1.0, 1e6)),
            positives(),
        ),
        st.builds(lambda s, k: _try(sa.scale, s, k), kids, numbers()),
        st.builds(lambda s, k: _try(sa.invert, s, k), kids, numbers()),
        st.builds(lambda s, m: _try(sa.quantize, s, m, low=-(2**62), high=2**62), kids, st.integers(1, 2**62)),
        st.builds(lambda s, n: _try(sa.shift, s, n), kids, positives()),
        st.builds(lambda s, n: _try(sa.delay, s, n), kids, positives()),
        st.builds(lambda s, f: _try(sa.stretch, s, f), kids, positives()),
        st.builds(lambda s, n: _try(sa.per_epoch, s, n), kids, positives()),
        st.builds(lambda s, lo: _try(sa.clip, s, low=lo), kids, numbers()),
        st.builds(lambda a, b: _try(sa.minimum, a, b), kids, st.one_of(kids, numbers())),
        st.builds(lambda a, b: _try(sa.maximum, a, b), st.one_of(kids, numbers()), kids),
        st.builds(
            lambda op, a, b: _try(sa.combinators.arith, op, a, b),
            st.sampled_from("+-*/"),
            st.one_of(kids, numbers()),
            kids,
        ),
        st.builds(lambda op, a, b: _try(sa.combinators.arith, op, a, b), st.sampled_from("+-*/"), kids, numbers()),
    )


def extreme_trees() -> st.SearchStrategy[sa.Schedule]:
    return st.recursive(leaves(), combine, max_leaves=5).filter(lambda s: s is not None)


def outcome(s: sa.Schedule, t: Any) -> Any:
    """``s(t)``, or the class of the ``ValueError``/``ZeroDivisionError`` it raised (others propagate)."""
    try:
        return s(t)
    except (ValueError, ZeroDivisionError) as exc:
        return type(exc)


def same(a: Any, b: Any) -> bool:
    if isinstance(a, type) or isinstance(b, type):
        return a == b
    return a == b or (a != a and b != b)


@FUZZ
@given(extreme_trees())
def test_extreme_trees_evaluate_alike_on_every_path(s):
    # The fixed steps and those near the tree's own numbers (t = 2 * every
    # makes an exponent 2.0, where numpy once took a squaring path).
    steps = sorted({*STEPS, *S.interesting_steps(s, 120)}, key=float)
    scalars = [outcome(s, t) for t in steps]
    for t, expected in zip(steps, scalars):
        one = outcome(s, np.array([t], dtype=np.float64))
        got = one if isinstance(one, type) else one.tolist()[0]
        assert same(got, expected), f"{s!r}: s([{t!r}]) = {got!r} but s({t!r}) = {expected!r}"
    errors = [x for x in scalars if isinstance(x, type)]
    whole = outcome(s, np.array(steps, dtype=np.float64))
    if errors:
        assert isinstance(whole, type), f"{s!r}: scalar calls raised {errors[0].__name__}, the array answered"
    else:
        assert not isinstance(whole, type), f"{s!r}: the array raised {whole.__name__}, no scalar call did"
        for t, got, expected in zip(steps, whole.tolist(), scalars):
            assert same(got, expected), f"{s!r}: s(array) at {t!r} = {got!r} but s({t!r}) = {expected!r}"


@FUZZ
@given(extreme_trees())
def test_extreme_trees_are_values(s):
    # Chains grown one operand at a time are measured incrementally: the
    # same measure as measuring the node afresh.
    assert s._measure() == (s._depth, s._items) and s._integer == s._is_integer()
    text = repr(s)
    tokens = sum(1 for _ in tokenize.generate_tokens(io.StringIO(text).readline))
    # The text limits follow from MAX_ITEMS, which construction enforces.
    assert len(text) <= 26 * s._items and tokens <= 4 * s._items
    assert sa.parse(text) == s
    data = json.loads(json.dumps(sa.to_dict(s), allow_nan=False))
    assert sa.from_dict(data) == s
    back = pickle.loads(pickle.dumps(s))
    assert back == s and hash(back) == hash(s) and type(back) is type(s)


def _numbers_in(d: Any, path: tuple = ()) -> list[tuple]:
    """Paths to the numbers inside a to_dict form."""
    if isinstance(d, dict):
        return [p for k, v in d.items() if k != "type" for p in _numbers_in(v, (*path, k))]
    if isinstance(d, list):
        return [p for i, v in enumerate(d) for p in _numbers_in(v, (*path, i))]
    if isinstance(d, (int, float)) and not isinstance(d, bool):
        return [path]
    return []


@FUZZ
@given(
    extreme_trees(),
    st.integers(0, 10**6),
    st.one_of(
        st.sampled_from([10**400, -(10**400), 2**63, -(2**63), 2**53 + 1, -0.0, TINY, HUGE, 0, 1]),
        numbers(),
    ),
)
def test_whatever_from_dict_builds_writes_and_reads_back(s, where, new):
    # The readers' limits and the constructors' must agree: data that reads
    # is a schedule whose repr and to_dict read back to it (issue 11 found
    # quantize(high=-10**400) and 60,000 knots written but not read).
    data = sa.to_dict(s)
    paths = _numbers_in(data)
    if paths:
        target: Any = data
        *head, last = paths[where % len(paths)]
        for key in head:
            target = target[key]
        target[last] = new
    try:
        built = sa.from_dict(data)
    except ValueError:
        return
    assert sa.from_dict(json.loads(json.dumps(sa.to_dict(built), allow_nan=False))) == built
    assert sa.parse(repr(built)) == built
    assert pickle.loads(pickle.dumps(built)) == built
