"""Hypothesis strategies for schedalg: steps, step arrays, leaf shapes and random trees.

Parameters are drawn from a moderate range (magnitudes 0 or in ``[1e-3, 1e3]``,
step counts ``1..10**6``) so that the algebraic laws hold exactly and nothing
overflows on the horizons the laws evaluate. Denominators of ``invert`` and
``/`` are kept strictly positive by clipping them to ``>= 0.25``.

Helpers at the bottom (:func:`outcome`, :func:`assert_same`,
:func:`interesting_steps`) are shared by the law tests.

>>> import schedalg as sa
>>> steps = interesting_steps(sa.linear(0.0, 1.0, 10))
>>> [t in steps for t in (0, 5.0, 9.0, 10, 11.0, 20)]
[True, True, True, True, True, True]
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st

import schedalg as sa

MAX_STEPS = 10**6

#: Multiplies every bounded ``max_examples`` of the core tests (env ``SCHEDALG_EXAMPLES_SCALE``).
EXAMPLES_SCALE = float(os.environ.get("SCHEDALG_EXAMPLES_SCALE", "1"))


def examples(n: int) -> int:
    """``n`` hypothesis examples, scaled by ``SCHEDALG_EXAMPLES_SCALE``."""
    return max(1, int(n * EXAMPLES_SCALE))


WARMUP_SHAPES = ("linear", "cosine", "exponential")
COOLDOWN_SHAPES = ("linear", "cosine", "sqrt")
ROUNDINGS = ("half_even", "half_up", "floor", "ceil")


# -- numbers ------------------------------------------------------------------------------------
def values() -> st.SearchStrategy[float]:
    """Finite floats, 0 or with magnitude in ``[1e-3, 1e3]``, plus round numbers."""
    magnitude = st.floats(1e-3, 1e3, allow_nan=False, allow_infinity=False)
    return st.one_of(
        st.sampled_from([0.0, 1.0, -1.0, 0.5, 2.0, 0.1, 1e-3, 1e3, -1e3]),
        st.integers(-1000, 1000).map(float),
        magnitude,
        magnitude.map(lambda x: -x),
    )


def positive_values() -> st.SearchStrategy[float]:
    return st.one_of(
        st.sampled_from([1.0, 0.5, 2.0, 0.1, 1e-3, 1e3]),
        st.floats(1e-3, 1e3, allow_nan=False, allow_infinity=False),
    )


def powers_of_two() -> st.SearchStrategy[float]:
    return st.integers(-10, 10).flatmap(lambda e: st.sampled_from([2.0**e, -(2.0**e)]))


def factors() -> st.SearchStrategy[float]:
    """Scale factors: powers of two (folding), general values, negatives, zero."""
    return st.one_of(powers_of_two(), values())


def durations() -> st.SearchStrategy[int | float]:
    """Step counts: ints ``1..10**6`` and some non-integral floats."""
    return st.one_of(
        st.sampled_from([1, 2, 3, 4, 8, 10, 100, 1000, MAX_STEPS]),
        st.integers(1, MAX_STEPS),
        st.floats(0.5, float(MAX_STEPS), allow_nan=False, allow_infinity=False),
    )


def int_durations(max_value: int = MAX_STEPS) -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from([1, 2, 3, 10, 100]), st.integers(1, max_value))


def offsets() -> st.SearchStrategy[int | float]:
    """Durations that may be zero (shift, delay, cooldown ``at``)."""
    return st.one_of(st.just(0), durations())


def increasing(
    n: int, *, integers: bool = False, minimum: float = 0.0
) -> st.SearchStrategy[list]:
    """``n`` strictly increasing step positions ``> minimum`` (for boundaries)."""
    element: st.SearchStrategy[Any] = st.integers(1, 2 * MAX_STEPS)
    if not integers:
        element = st.one_of(element, st.floats(0.5, 2.0 * MAX_STEPS, allow_nan=False))
    return (
        st.lists(element, min_size=n, max_size=n, unique=True)
        .map(sorted)
        .filter(lambda xs: all(x > minimum for x in xs))
    )


# -- steps --------------------------------------------------------------------------------------
BOUNDARY_STEPS = [
    0,
    0.0,
    1,
    0.5,
    5e-324,
    math.nextafter(1.0, 0.0),
    10,
    100,
    1000,
    MAX_STEPS,
    MAX_STEPS + 1,
    10**9,
    10**12,
]


def steps() -> st.SearchStrategy[int | float]:
    """Valid steps: ints and floats ``>= 0``, boundaries included."""
    return st.one_of(
        st.sampled_from(BOUNDARY_STEPS),
        st.integers(0, 2 * MAX_STEPS),
        st.floats(0.0, 2.0 * MAX_STEPS, allow_nan=False, allow_infinity=False),
    )


def step_arrays(max_size: int = 40) -> st.SearchStrategy[np.ndarray]:
    """1-D arrays of valid steps: int64, float64 (possibly unsorted) or mixed."""
    ints = st.lists(
        st.one_of(st.integers(0, 2 * MAX_STEPS), st.sampled_from([0, 1, 10**12])),
        max_size=max_size,
    )
    floats = st.lists(steps(), max_size=max_size)
    return st.one_of(
        ints.map(lambda xs: np.array(xs, dtype=np.int64)),
        floats.map(lambda xs: np.array([float(x) for x in xs], dtype=np.float64)),
        steps().map(lambda x: np.array([x], dtype=np.float64)),  # one element: numpy's kernels differ
    )


# -- from_fn callables (module level, so they pickle) -------------------------------------------------
def fn_reciprocal(step: float) -> float:
    """``1 / (1 + step)``: positive, decreasing."""
    return 1.0 / (1.0 + step)


def fn_mod(step: float) -> int | float:
    """An int for integral steps (``step % 7``), a float otherwise."""
    return step % 7


def fn_half(step: float) -> float:
    return 0.5


FROM_FNS = (sa.from_fn(fn_reciprocal), sa.from_fn(fn_mod), sa.from_fn(fn_half))


# -- leaves -------------------------------------------------------------------------------------------
def _gammas() -> st.SearchStrategy[float]:
    # Decays, and growths gentle enough not to overflow within 2 * 10**6 steps.
    # 0.1 to 0.3: gammas whose squares numpy's special power kernels round
    # differently (issue 11).
    return st.one_of(
        st.sampled_from([0.1, 0.2, 0.3, 0.5, 0.9, 0.99, 0.999, 1.0 + 1e-6]),
        st.floats(0.5, 1.0, exclude_max=True),
        st.floats(1.0, 1.0 + 1e-5, exclude_min=True),
    )


def constants() -> st.SearchStrategy[sa.Schedule]:
    return st.builds(sa.constant, values())


def interpolations() -> st.SearchStrategy[sa.Schedule]:
    return st.one_of(
        st.builds(sa.linear, values(), values(), durations()),
        st.builds(sa.cosine, values(), values(), durations()),
        st.builds(
            sa.polynomial,
            values(),
            values(),
            durations(),
            power=st.one_of(st.sampled_from([0.5, 1.0, 2.0, 3.0]), st.floats(0.1, 5.0)),
        ),
    )


def exponentials() -> st.SearchStrategy[sa.Schedule]:
    return st.builds(
        sa.exponential,
        values(),
        _gammas(),
        every=st.one_of(st.just(1), int_durations(1000), st.floats(0.5, 1000.0)),
        staircase=st.booleans(),
    )


def piecewise_constants() -> st.SearchStrategy[sa.Schedule]:
    return st.integers(0, 5).flatmap(
        lambda n: st.builds(
            sa.piecewise_constant,
            increasing(n),
            st.lists(values(), min_size=n + 1, max_size=n + 1),
        )
    )


def piecewise_linears() -> st.SearchStrategy[sa.Schedule]:
    def build(n: int) -> st.SearchStrategy[sa.Schedule]:
        knots = st.one_of(increasing(n), increasing(n - 1).map(lambda ks: [0, *ks]))
        return st.builds(
            sa.piecewise_linear, knots, st.lists(values(), min_size=n, max_size=n)
        )

    return st.integers(1, 5).flatmap(build)


def triangulars() -> st.SearchStrategy[sa.Schedule]:
    return st.builds(
        sa.triangular,
        values(),
        values(),
        durations(),
        peak=st.one_of(st.sampled_from([0.0, 0.25, 0.5, 1.0]), st.floats(0.0, 1.0)),
    )


def inverse_sqrts() -> st.SearchStrategy[sa.Schedule]:
    return st.builds(sa.inverse_sqrt, values(), durations())


def leaves(*, serializable: bool = True) -> st.SearchStrategy[sa.Schedule]:
    """Every primitive shape (``from_fn`` only when not ``serializable``)."""
    options = [
        constants(),
        interpolations(),
        exponentials(),
        piecewise_constants(),
        piecewise_linears(),
        triangulars(),
        inverse_sqrts(),
    ]
    if not serializable:
        options.append(st.sampled_from(FROM_FNS))
    return st.one_of(options)


def positive_leaves() -> st.SearchStrategy[sa.Schedule]:
    """Strictly positive primitive shapes (safe denominators)."""
    pos = positive_values()
    return st.one_of(
        st.builds(sa.constant, pos),
        st.builds(sa.linear, pos, pos, durations()),
        st.builds(sa.cosine, pos, pos, durations()),
        st.builds(sa.exponential, pos, _gammas(), every=int_durations(1000)),
        st.builds(sa.inverse_sqrt, pos, durations()),
        st.builds(sa.triangular, pos, pos, durations()),
    )


# -- combinators ----------------------------------------------------------------------------------------
def positive(s: sa.Schedule) -> sa.Schedule:
    """``s`` bounded below by 0.25: a denominator that is never 0."""
    return sa.clip(s, low=0.25)


def _warmup(s: sa.Schedule, steps: Any, start: float, shape: str) -> sa.Schedule:
    if shape == "exponential":
        start = max(abs(start), 1e-3)
        if not s(0) > 0.0:
            s = positive(s)
    return sa.warmup(s, steps, start=start, shape=shape)


def _sequence(pieces: list, boundaries: list) -> sa.Schedule:
    return sa.sequence(pieces, boundaries)


def _quantize(
    s: sa.Schedule, multiple: int, rounding: str, bounds: tuple
) -> sa.Schedule:
    low, high = bounds
    return sa.quantize(s, multiple, rounding=rounding, low=low, high=high)


def _clip(s: sa.Schedule, bounds: tuple) -> sa.Schedule:
    low, high = bounds
    return sa.clip(s, low, high)


def _bounds(element: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple]:
    """``(low, high)`` with either side possibly ``None`` and ``low <= high``."""
    optional = st.one_of(st.none(), element)
    return st.tuples(optional, optional).map(
        lambda b: tuple(sorted(b)) if b[0] is not None and b[1] is not None else b
    )


_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "s+k": lambda s, k: s + k,
    "k+s": lambda s, k: k + s,
    "s-k": lambda s, k: s - k,
    "k-s": lambda s, k: k - s,
    "s*k": lambda s, k: s * k,
    "k*s": lambda s, k: k * s,
    "s/k": lambda s, k: s / k if k != 0.0 else s / 3.0,
    "k/s": lambda s, k: k / positive(s),
    "-s": lambda s, k: -s,
}

_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "a+b": lambda a, b: a + b,
    "a-b": lambda a, b: a - b,
    "a*b": lambda a, b: a * b,
    "a/b": lambda a, b: a / positive(b),
}


def _cyclical_args() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {
            "period": durations(),
            "period_mult": st.one_of(
                st.just(1.0), st.sampled_from([1.5, 2.0, 3.0]), st.floats(1.0, 3.0)
            ),
            "decay": st.one_of(
                st.just(1.0), st.sampled_from([0.5, 0.9]), st.floats(0.5, 1.0)
            ),
        }
    )


def combinators(
    children: st.SearchStrategy[sa.Schedule],
) -> st.SearchStrategy[sa.Schedule]:
    """One combinator (or operator) applied to schedules drawn from ``children``."""
    int_bound = st.integers(-2000, 2000)
    real_bound = st.one_of(values(), int_bound)
    return st.one_of(
        st.builds(
            _warmup, children, durations(), values(), st.sampled_from(WARMUP_SHAPES)
        ),
        st.builds(
            lambda s, at, n, end, shape: sa.cooldown(s, at, n, end=end, shape=shape),
            children,
            offsets(),
            durations(),
            values(),
            st.sampled_from(COOLDOWN_SHAPES),
        ),
        st.integers(2, 4).flatmap(
            lambda n: st.builds(
                _sequence,
                st.lists(children, min_size=n, max_size=n),
                st.one_of(increasing(n - 1, integers=True), increasing(n - 1)),
            )
        ),
        st.builds(lambda s, kw: sa.cyclical(s, **kw), children, _cyclical_args()),
        st.builds(sa.scale, children, factors()),
        st.builds(
            lambda s, n: sa.invert(positive(s), n),
            children,
            st.one_of(st.just(1.0), values()),
        ),
        st.builds(
            _quantize,
            children,
            st.one_of(st.just(1), st.integers(1, 16)),
            st.sampled_from(ROUNDINGS),
            _bounds(int_bound),
        ),
        st.builds(sa.shift, children, offsets()),
        st.builds(sa.delay, children, offsets()),
        st.builds(
            sa.stretch,
            children,
            st.one_of(st.sampled_from([0.5, 2.0, 10.0]), st.floats(0.1, 100.0)),
        ),
        st.builds(
            sa.per_epoch,
            children,
            st.one_of(int_durations(1000), st.floats(0.5, 1000.0)),
        ),
        st.builds(_clip, children, _bounds(real_bound)),
        st.builds(sa.minimum, children, children),
        st.builds(sa.maximum, children, children),
        st.builds(
            lambda op, s, k: _OPS[op](s, k),
            st.sampled_from(sorted(_OPS)),
            children,
            values(),
        ),
        st.builds(
            lambda op, a, b: _BINARY[op](a, b),
            st.sampled_from(sorted(_BINARY)),
            children,
            children,
        ),
    )


def schedules(
    *, serializable: bool = False, max_leaves: int = 6
) -> st.SearchStrategy[sa.Schedule]:
    """Random schedule trees over every shape, combinator and operator.

    Half of the trees have a combinator at the root (``st.recursive`` alone
    draws mostly small trees, often a bare leaf).
    """
    trees = st.recursive(
        leaves(serializable=serializable), combinators, max_leaves=max_leaves
    )
    return st.one_of(trees, combinators(trees))


def serializable_schedules(max_leaves: int = 6) -> st.SearchStrategy[sa.Schedule]:
    """Random trees without ``from_fn`` (they round-trip through ``parse``/``to_dict``)."""
    return schedules(serializable=True, max_leaves=max_leaves)


def positive_schedules() -> st.SearchStrategy[sa.Schedule]:
    """Trees whose values are never 0 (safe for ``invert``)."""
    return st.one_of(positive_leaves(), schedules().map(positive))


# -- helpers shared by the law tests ----------------------------------------------------------------
def outcome(s: sa.Schedule, t: Any) -> Any:
    """``s(t)``, or the exception class it raised (``ValueError`` for a zero or non-finite value)."""
    try:
        return s(t)
    except (ValueError, ArithmeticError) as exc:
        return type(exc)


def assert_same(got: Any, expected: Any) -> None:
    """Equal values, NaN equal to NaN, for scalars, sequences and arrays."""
    got_a = np.asarray(got)
    exp_a = np.asarray(expected)
    assert got_a.shape == exp_a.shape, (got_a.shape, exp_a.shape)
    np.testing.assert_array_equal(got_a, exp_a, strict=False)


def same_outcome(a: Any, b: Any) -> bool:
    """Two results of :func:`outcome` agree: equal values (NaN == NaN) or the same error."""
    if isinstance(a, type) or isinstance(b, type):
        return a == b
    if a == b:
        return True
    return (
        isinstance(a, float)
        and isinstance(b, float)
        and math.isnan(a)
        and math.isnan(b)
    )


def assert_same_outcomes(got: list, expected: list) -> None:
    assert len(got) == len(expected)
    for i, (g, e) in enumerate(zip(got, expected)):
        assert same_outcome(g, e), f"item {i}: got {g!r}, expected {e!r}"


def assert_vectorized_matches_scalar(s: sa.Schedule, ts: Any) -> None:
    """``s(array)`` equals ``[s(t) for t in array]`` exactly (errors included)."""
    arr = np.asarray(ts)
    scalars = [outcome(s, t) for t in arr.reshape(-1).tolist()]
    errors = [o for o in scalars if isinstance(o, type)]
    if errors:
        vec = outcome(s, arr)
        assert isinstance(vec, type) and issubclass(
            vec, (ValueError, ArithmeticError)
        ), (
            f"scalar calls raised {errors[0].__name__} but the array call returned {vec!r}"
        )
        return
    vec = s(arr)
    assert isinstance(vec, np.ndarray)
    assert vec.shape == arr.shape
    expected = (
        np.array(scalars, dtype=vec.dtype).reshape(arr.shape)
        if scalars
        else np.empty(arr.shape, vec.dtype)
    )
    if vec.dtype.kind == "f":
        mismatch = ~((vec == expected) | (np.isnan(vec) & np.isnan(expected)))
    else:
        mismatch = vec != expected
    if mismatch.any():
        i = int(np.flatnonzero(mismatch.reshape(-1))[0])
        t = arr.reshape(-1)[i]
        raise AssertionError(
            f"{s!r}: s(array)[{i}] = {vec.reshape(-1)[i]!r} but s({t!r}) = {scalars[i]!r}"
        )


def _numbers(x: Any) -> list[float]:
    if isinstance(x, sa.Schedule):
        out: list[float] = []
        for f in dataclasses.fields(x):  # type: ignore[arg-type]
            if f.init:
                out.extend(_numbers(getattr(x, f.name)))
        return out
    if isinstance(x, tuple):
        return [v for item in x for v in _numbers(item)]
    if (
        isinstance(x, (int, float))
        and not isinstance(x, bool)
        and math.isfinite(x)
        and x >= 0
    ):
        return [x]
    return []


def interesting_steps(s: sa.Schedule, limit: int = 200) -> list[int | float]:
    """Steps near every non-negative number in the tree (boundaries, durations, ...)."""
    found: set[float] = {0, 1, 2}
    nums = sorted(set(_numbers(s)))[:40]
    for n in nums:
        for v in (
            n,
            n - 1,
            n + 1,
            n / 2,
            2 * n,
            math.nextafter(n, 0.0),
            math.nextafter(n, math.inf),
        ):
            if 0 <= v < math.inf:
                found.add(v)
    for a in nums[:8]:
        for b in nums[:8]:
            found.add(a + b)
    return sorted(found)[:limit]


# -- the nodes of issue 9: clock, functions of values, compose ------------------------------------------
# Random trees include them: ``leaves`` and ``combinators`` are extended here,
# and :func:`schedules` looks both up when it is called.
_CORE_LEAVES = leaves
_CORE_COMBINATORS = combinators


def clocks() -> st.SearchStrategy[sa.Schedule]:
    """The step, and formulas of it that are finite and ``>= 0`` (clocks for ``compose``)."""
    return st.one_of(
        st.just(sa.clock()),
        st.builds(lambda k: sa.clock() + k, st.sampled_from([1, 10, 0.5, 1000])),
        st.builds(lambda f: sa.clock() / f, st.sampled_from([2.0, 3.0, 10.0, 0.5])),
        st.builds(
            lambda n, k: n * sa.power(sa.clock() / n, k),
            st.sampled_from([10, 1000, MAX_STEPS]),
            st.sampled_from([0.5, 2.0, 1.5]),
        ),
    )


def exponents() -> st.SearchStrategy[float]:
    return st.one_of(
        st.sampled_from([0.5, 2.0, 3.0, -1.0, 1.5, 0.25, -0.5, 0.0]),
        st.floats(-3.0, 3.0),
    )


def leaves(*, serializable: bool = True) -> st.SearchStrategy[sa.Schedule]:  # noqa: F811
    """Every primitive shape (``from_fn`` only when not ``serializable``), ``clock`` included."""
    return st.one_of(_CORE_LEAVES(serializable=serializable), clocks())


def functions_of(children: st.SearchStrategy[sa.Schedule]) -> st.SearchStrategy[sa.Schedule]:
    """``power``, ``exp``, ``log``, ``tanh`` and ``compose`` of schedules drawn from ``children``.

    The arguments are clipped into the functions' domains and to moderate
    magnitudes, so that values stay finite however deep the tree (combinators
    such as ``warmup`` evaluate their child at construction and refuse an
    infinite value). :func:`raw_functions_of` gives the unguarded forms.
    """
    return st.one_of(
        st.builds(lambda s, p: sa.power(sa.clip(s, 0.25, 100.0), p), children, exponents()),
        st.builds(lambda s, k: sa.clip(s, -100.0, 100.0) ** k, children, st.sampled_from([2, 3])),
        st.builds(lambda s: sa.exp(sa.clip(s, -10.0, 10.0)), children),
        st.builds(lambda s: sa.log(positive(s)), children),
        st.builds(sa.tanh, children),
        st.builds(sa.compose, children, clocks()),
        st.builds(lambda a, b: sa.compose(a, sa.clip(b, 0.0, 1e7)), children, children),
        st.builds(lambda s, kw: sa.noise(s, **kw), children, noise_args()),
    )


def noise_args() -> st.SearchStrategy[dict]:
    """Arguments of ``noise`` after ``s``: normal (truncated or not) and uniform draws."""
    std = st.one_of(st.sampled_from([0.0, 0.1, 1.0]), st.floats(0.0, 1.0))
    # Seeds below 2**48: interesting_steps treats every number of a tree as a step
    # (tests/test_noise.py covers seeds up to 2**64 - 1).
    seed = st.one_of(st.sampled_from([0, 42, 2**32 + 5]), st.integers(0, 2**48))
    limit = st.one_of(st.none(), st.sampled_from([0.67, 0.05, 2.0]), st.floats(1e-3, 3.0))
    return st.fixed_dictionaries(
        {"std": std, "limit": limit, "seed": seed, "kind": st.sampled_from(["normal", "normal", "uniform"])}
    )


def raw_functions_of(children: st.SearchStrategy[sa.Schedule]) -> st.SearchStrategy[sa.Schedule]:
    """The functions of values and ``compose`` with no guard: they may raise at evaluation."""
    return st.one_of(
        st.builds(sa.power, children, exponents()),
        st.builds(lambda s, p: s**p, children, st.sampled_from([2, 3, -1, -2, 0.5])),
        st.builds(sa.exp, children),
        st.builds(sa.log, children),
        st.builds(sa.compose, children, children),
    )


def function_schedules(*, serializable: bool = False) -> st.SearchStrategy[sa.Schedule]:
    """Trees with a function of values or ``compose`` at the root, guarded or not."""
    trees = schedules(serializable=serializable, max_leaves=4)
    return st.one_of(functions_of(trees), raw_functions_of(trees))


def combinators(  # noqa: F811
    children: st.SearchStrategy[sa.Schedule],
) -> st.SearchStrategy[sa.Schedule]:
    """One combinator, operator or function of values applied to schedules from ``children``."""
    return st.one_of(_CORE_COMBINATORS(children), functions_of(children))
