"""``schedalg.presets.optax`` against optax itself (0.2.8), in float64.

Each preset and the optax schedule of the same name get the same random
configuration (hypothesis, derandomized) and are evaluated at every step and
half step of a run past the schedule's end; optax runs with
``jax_enable_x64`` (set by a module fixture that restores the previous value),
so both sides compute in float64 and agree to a few ulp of the peak value.
Each documented difference is pinned by a test of its own.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from preset_diffs import record
from hypothesis import given, settings
from hypothesis import strategies as st

import schedalg as sa
from schedalg.presets import optax as P

jax = pytest.importorskip("jax")
optax = pytest.importorskip("optax")
jnp = jax.numpy

SETTINGS = settings(max_examples=20, deadline=None, derandomize=True)
#: Fewer examples where optax's schedule must be vmapped (a trace per configuration).
VMAP_SETTINGS = settings(max_examples=10, deadline=None, derandomize=True)
EPS = float(np.finfo(np.float64).eps)
#: Allowed difference, in units of eps times the peak |value| of the run.
ULPS = 16


@pytest.fixture(scope="module", autouse=True)
def x64():
    previous = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", previous)


#: Every configuration ends before this step; one length for every run, so
#: jax compiles each operation once.
N = 300


def grid(n: int) -> np.ndarray:
    """Every step and half step of ``[0, N)`` (``n``, the end of the run, is below ``N``)."""
    assert n <= N
    return np.arange(2 * N) / 2.0


def theirs(fn, steps: np.ndarray, vmap: bool = False) -> np.ndarray:
    t = jnp.asarray(steps)
    out = jax.vmap(fn)(t) if vmap else fn(t)
    out = np.asarray(jnp.broadcast_to(jnp.asarray(out), t.shape))
    assert out.dtype == np.float64
    return out


def check(ours: sa.Schedule, their_fn, n: int, vmap: bool = False) -> float:
    """Compare on ``grid(n)``; return the difference over the peak, in eps."""
    steps = grid(n)
    want = theirs(their_fn, steps, vmap)
    got = ours(steps)
    record(__name__, got, want)
    peak = max(float(np.max(np.abs(want))), np.finfo(np.float64).tiny)
    err = float(np.max(np.abs(got - want))) / peak / EPS
    assert err <= ULPS, (err, ours, steps[np.argmax(np.abs(got - want))])
    # the scalar path agrees with the array path
    for t in steps[:: max(1, len(steps) // 7)]:
        assert ours(float(t)) == got[int(2 * t)]
    return err


values = st.floats(-2.0, 2.0, allow_nan=False).map(lambda x: round(x, 6))
positive = st.floats(1e-3, 2.0).map(lambda x: round(x, 6))
fraction = st.floats(0.0, 1.0).map(lambda x: round(x, 4))
powers = st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.0]), st.floats(0.0, 4.0))


@SETTINGS
@given(values, values, st.integers(-3, 80), st.integers(-5, 40))
def test_linear_schedule(init, end, steps, begin):
    ours = P.linear_schedule(init, end, steps, begin)
    check(ours, optax.linear_schedule(init, end, steps, begin), max(steps, 0) + max(begin, 0) + 20)


@SETTINGS
@given(values, values, powers, st.integers(-3, 80), st.integers(-5, 40))
def test_polynomial_schedule(init, end, power, steps, begin):
    ours = P.polynomial_schedule(init, end, power, steps, begin)
    fn = optax.polynomial_schedule(init, end, power, steps, begin)
    check(ours, fn, max(steps, 0) + max(begin, 0) + 20)


@SETTINGS
@given(values, st.integers(1, 150), st.floats(-0.5, 1.5), powers)
def test_cosine_decay_schedule(init, steps, alpha, exponent):
    ours = P.cosine_decay_schedule(init, steps, alpha, exponent)
    check(ours, optax.cosine_decay_schedule(init, steps, alpha, exponent), steps + 20)


end_values = st.one_of(st.none(), positive)


@SETTINGS
@given(
    positive,
    st.integers(-2, 40),
    st.one_of(st.just(0.0), st.floats(0.05, 2.0)),
    st.integers(-5, 40),
    st.booleans(),
    end_values,
)
def test_exponential_decay(init, steps, rate, begin, staircase, end):
    ours = P.exponential_decay(init, steps, rate, begin, staircase, end)
    fn = optax.exponential_decay(init, steps, rate, begin, staircase, end)
    check(ours, fn, max(begin, 0) + 120)


#: Scales of 0 or at least 1e-3: XLA flushes subnormal products to 0.
scales = st.one_of(st.just(0.0), st.floats(1e-3, 2.0))
tables = st.dictionaries(st.integers(-5, 120), scales, max_size=5)


@SETTINGS
@given(values, tables)
def test_piecewise_constant_schedule(init, table):
    ours = P.piecewise_constant_schedule(init, table)
    check(ours, optax.piecewise_constant_schedule(init, table), 140)


@VMAP_SETTINGS
@given(st.sampled_from(["linear", "cosine"]), values, st.dictionaries(st.integers(0, 120), scales, max_size=5))
def test_piecewise_interpolate_schedule(kind, init, table):
    ours = P.piecewise_interpolate_schedule(kind, init, table)
    check(ours, optax.piecewise_interpolate_schedule(kind, init, table), 140, vmap=True)


@SETTINGS
@given(values, values, st.integers(0, 40))
def test_warmup_constant_schedule(init, peak, warmup):
    ours = P.warmup_constant_schedule(init, peak, warmup)
    check(ours, optax.warmup_constant_schedule(init, peak, warmup), warmup + 20)


@SETTINGS
@given(values, values, st.integers(0, 40), st.integers(1, 100), values, powers)
def test_warmup_cosine_decay_schedule(init, peak, warmup, length, end, exponent):
    ours = P.warmup_cosine_decay_schedule(init, peak, warmup, warmup + length, end, exponent)
    fn = optax.warmup_cosine_decay_schedule(init, peak, warmup, warmup + length, end, exponent)
    check(ours, fn, warmup + length + 20)


@SETTINGS
@given(
    values,
    positive,
    st.integers(0, 40),
    st.integers(-2, 30),
    st.floats(0.05, 2.0),
    st.integers(-5, 30),
    st.booleans(),
    end_values,
)
def test_warmup_exponential_decay_schedule(init, peak, warmup, steps, rate, begin, staircase, end):
    ours = P.warmup_exponential_decay_schedule(init, peak, warmup, steps, rate, begin, staircase, end)
    fn = optax.warmup_exponential_decay_schedule(init, peak, warmup, steps, rate, begin, staircase, end)
    check(ours, fn, warmup + max(begin, 0) + 100)


@VMAP_SETTINGS
@given(st.integers(1, 200), positive, fraction, fraction, st.floats(1.0, 50.0), st.floats(1.0, 1e4))
def test_linear_onecycle_schedule(steps, peak, pct_start, pct_final, div, final_div):
    ours = P.linear_onecycle_schedule(steps, peak, pct_start, pct_final, div, final_div)
    fn = optax.linear_onecycle_schedule(steps, peak, pct_start, pct_final, div, final_div)
    check(ours, fn, steps + 20, vmap=True)


@VMAP_SETTINGS
@given(st.integers(1, 200), positive, fraction, st.floats(1.0, 50.0), st.floats(1.0, 1e4))
def test_cosine_onecycle_schedule(steps, peak, pct_start, div, final_div):
    ours = P.cosine_onecycle_schedule(steps, peak, pct_start, div, final_div)
    fn = optax.cosine_onecycle_schedule(steps, peak, pct_start, div, final_div)
    check(ours, fn, steps + 20, vmap=True)


cycles = st.builds(
    lambda init, peak, warmup, length, end, exponent: {
        "init_value": init,
        "peak_value": peak,
        "warmup_steps": warmup,
        "decay_steps": warmup + length,
        "end_value": end,
        "exponent": exponent,
    },
    values,
    positive,
    st.integers(0, 20),
    st.integers(1, 40),
    values,
    powers,
)


@SETTINGS
@given(st.lists(cycles, min_size=1, max_size=3))
def test_sgdr_schedule(kwargs):
    ours = P.sgdr_schedule(kwargs)
    check(ours, optax.sgdr_schedule(kwargs), sum(k["decay_steps"] for k in kwargs) + 20)


@SETTINGS
@given(st.lists(st.integers(0, 50), min_size=2, max_size=2), values, values, st.integers(1, 40))
def test_join_schedules(bounds, a, b, steps):
    bounds = sorted(bounds)
    ours = P.join_schedules(
        [P.constant_schedule(a), P.linear_schedule(a, b, steps), P.cosine_decay_schedule(b, steps)], bounds
    )
    fn = optax.join_schedules(
        [optax.constant_schedule(a), optax.linear_schedule(a, b, steps), optax.cosine_decay_schedule(b, steps)],
        bounds,
    )
    check(ours, fn, bounds[-1] + steps + 20)


def test_constant_schedule():
    s = P.constant_schedule(0.25)
    assert s == sa.constant(0.25)
    assert s(np.arange(5)).tolist() == [0.25] * 5


# -- documented differences, each against optax ---------------------------------------------------------------
def test_negative_power_raises_where_optax_is_infinite():
    assert math.isinf(float(optax.polynomial_schedule(1.0, 0.0, -1.0, 10)(10)))
    with pytest.raises(ValueError, match="power"):
        P.polynomial_schedule(1.0, 0.0, -1.0, 10)


def test_negative_exponent_raises_where_optax_is_infinite():
    assert math.isinf(float(optax.cosine_decay_schedule(1.0, 10, exponent=-1.0)(10)))
    with pytest.raises(ValueError, match="exponent"):
        P.cosine_decay_schedule(1.0, 10, exponent=-1.0)
    with pytest.raises(ValueError, match="exponent"):
        P.warmup_cosine_decay_schedule(0.0, 1.0, 2, 10, exponent=-1.0)


def test_negative_decay_rate_raises_where_optax_is_nan():
    assert math.isnan(float(optax.exponential_decay(1.0, 10, -0.5)(5)))
    with pytest.raises(ValueError, match="decay_rate"):
        P.exponential_decay(1.0, 10, -0.5)


def test_unsorted_join_boundaries_raise():
    a, b, c = (optax.constant_schedule(v) for v in (1.0, 2.0, 3.0))
    # optax: the later, smaller boundary overrides the earlier one
    assert float(optax.join_schedules([a, b, c], [10, 5])(7)) == 3.0
    with pytest.raises(ValueError, match="boundaries"):
        P.join_schedules([sa.constant(1.0), sa.constant(2.0), sa.constant(3.0)], [10, 5])


def test_negative_interpolate_boundary_raises():
    with pytest.raises(ValueError, match="boundary -5"):
        P.piecewise_interpolate_schedule("linear", 1.0, {-5: 0.5})


def test_empty_sgdr_raises_where_optax_fails_late():
    fn = optax.sgdr_schedule([])
    with pytest.raises(IndexError):
        fn(0)
    with pytest.raises(ValueError, match="cosine_kwargs"):
        P.sgdr_schedule([])


def test_warmup_longer_than_decay_raises_as_optax():
    with pytest.raises(ValueError):
        optax.warmup_cosine_decay_schedule(0.0, 1.0, 10, 10)
    with pytest.raises(ValueError, match="decay_steps"):
        P.warmup_cosine_decay_schedule(0.0, 1.0, 10, 10)


def test_optax_fallbacks_kept():
    assert P.linear_schedule(1.0, 0.0, 0) == sa.constant(1.0)
    assert P.exponential_decay(1.0, 10, 0.0) == sa.constant(1.0)
    assert P.exponential_decay(1.0, -1, 0.5) == sa.constant(1.0)
    assert P.polynomial_schedule(1.0, 0.0, 2.0, 10, transition_begin=-4) == P.polynomial_schedule(1.0, 0.0, 2.0, 10)


def test_validation_names_the_argument():
    with pytest.raises(ValueError, match="decay_steps"):
        P.cosine_decay_schedule(1.0, 0)
    with pytest.raises(ValueError, match="transition_steps"):
        P.linear_onecycle_schedule(0, 1.0)
    with pytest.raises(ValueError, match="boundaries_and_scales"):
        P.piecewise_constant_schedule(1.0, {10: -0.5})
    with pytest.raises(ValueError, match="interpolate_type"):
        P.piecewise_interpolate_schedule("cubic", 1.0)
    with pytest.raises(TypeError, match="staircase"):
        P.exponential_decay(1.0, 10, 0.5, staircase=1)


def test_presets_are_ordinary_serializable_schedules():
    s = P.warmup_cosine_decay_schedule(0.0, 1.0, 10, 100, end_value=0.1)
    assert isinstance(s, sa.Schedule)
    assert sa.parse(repr(s)) == s
    assert sa.from_dict(sa.to_dict(s)) == s


@pytest.mark.parametrize("name", P.__all__)
def test_signature_is_optax(name):
    """The library's argument names and defaults, in its order."""
    import inspect

    theirs = inspect.signature(getattr(optax, name)).parameters
    ours = inspect.signature(getattr(P, name)).parameters
    assert list(ours) == list(theirs)
    for arg, p in theirs.items():
        assert ours[arg].default == p.default, arg
