"""``schedalg.presets.keras`` against Keras 3 itself (JAX backend).

Each preset and the Keras schedule of the same name get the same random
configuration (hypothesis, derandomized) and are evaluated at every step and
half step of a run past the schedule's end (Keras' schedule vectorized with
``jax.vmap``). Keras computes in float32 (its default float type, from the
Python-float ``initial_learning_rate``); schedalg computes in float64, so the
comparison is within float32 rounding: ``|ours - keras| <= ULPS * eps32 *
peak``, ``peak`` the largest magnitude of the run. Each documented difference
is pinned by a test of its own.
"""

from __future__ import annotations

import math
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest
from preset_diffs import record
from hypothesis import given, settings
from hypothesis import strategies as st

import schedalg as sa
from schedalg.presets import keras as K

keras = pytest.importorskip("keras")
jax = pytest.importorskip("jax")
if keras.backend.backend() != "jax":  # pragma: no cover - another backend was chosen first
    pytest.skip("the Keras oracle runs on the JAX backend", allow_module_level=True)

schedules = keras.optimizers.schedules
SETTINGS = settings(max_examples=10, deadline=None, derandomize=True)
EPS32 = float(np.finfo(np.float32).eps)
ULPS = 64
#: One run length for every configuration (jax compiles each operation once).
N = 300
STEPS = np.arange(2 * N, dtype=np.float32) / 2


def theirs(schedule) -> np.ndarray:
    out = np.asarray(jax.vmap(schedule)(STEPS))
    assert out.dtype == np.float32
    return out.astype(np.float64)


def errors(ours: sa.Schedule, schedule) -> tuple[np.ndarray, float]:
    want = theirs(schedule)
    got = ours(STEPS.astype(np.float64))
    record(__name__, got, want)
    peak = max(float(np.max(np.abs(want))), np.finfo(np.float64).tiny)
    return np.abs(got - want) / peak / EPS32, peak


def check(ours: sa.Schedule, schedule, end: float) -> float:
    assert end <= N
    err, _ = errors(ours, schedule)
    worst = float(np.max(err))
    assert worst <= ULPS, (worst, ours, STEPS[np.argmax(err)])
    return worst


lrs = st.floats(1e-3, 2.0).map(lambda x: round(x, 6))
small = st.floats(0.0, 0.5).map(lambda x: round(x, 6))


@SETTINGS
@given(lrs, st.integers(1, 60), st.floats(0.1, 1.2), st.booleans())
def test_exponential_decay(init, steps, rate, staircase):
    ours = K.exponential_decay(init, steps, rate, staircase)
    check(ours, schedules.ExponentialDecay(init, steps, rate, staircase), 0)


@SETTINGS
@given(st.lists(st.integers(0, 250), min_size=1, max_size=5, unique=True), st.data())
def test_piecewise_constant_decay(bounds, data):
    bounds = sorted(bounds)
    values = data.draw(st.lists(lrs, min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    ours = K.piecewise_constant_decay(bounds, values)
    check(ours, schedules.PiecewiseConstantDecay(bounds, values), 0)


@SETTINGS
@given(lrs, st.integers(1, 80), small, st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.0]), st.floats(0.05, 4.0)), st.booleans())
def test_polynomial_decay(init, steps, end, power, cycle):
    ours = K.polynomial_decay(init, steps, end, power, cycle)
    check(ours, schedules.PolynomialDecay(init, steps, end, power, cycle), 0)


@SETTINGS
@given(lrs, st.integers(1, 60), st.floats(0.0, 3.0), st.booleans())
def test_inverse_time_decay(init, steps, rate, staircase):
    ours = K.inverse_time_decay(init, steps, rate, staircase)
    check(ours, schedules.InverseTimeDecay(init, steps, rate, staircase), 0)


@SETTINGS
@given(lrs, st.integers(1, 200), st.floats(-0.5, 1.0), st.one_of(st.none(), lrs), st.integers(0, 90))
def test_cosine_decay(init, steps, alpha, target, warmup):
    ours = K.cosine_decay(init, steps, alpha, warmup_target=target, warmup_steps=warmup)
    check(ours, schedules.CosineDecay(init, steps, alpha, warmup_target=target, warmup_steps=warmup), steps + warmup)


@SETTINGS
@given(lrs, st.integers(1, 40), st.sampled_from([1.0, 1.5, 2.0, 3.0]), st.floats(0.3, 1.0), small)
def test_cosine_decay_restarts(init, first, t_mul, m_mul, alpha):
    ours = K.cosine_decay_restarts(init, first, t_mul, m_mul, alpha)
    check(ours, schedules.CosineDecayRestarts(init, first, t_mul, m_mul, alpha), 0)


# -- documented differences ----------------------------------------------------------------------------
def test_rates_that_break_keras_raise():
    assert math.isnan(float(schedules.ExponentialDecay(1.0, 10, -0.5)(5)))
    with pytest.raises(ValueError, match="decay_rate"):
        K.exponential_decay(1.0, 10, -0.5)
    with pytest.raises(ValueError, match="decay_rate"):
        K.exponential_decay(1.0, 10, 0.0)
    assert math.isinf(float(schedules.InverseTimeDecay(1.0, 10, -0.5)(20)))
    with pytest.raises(ValueError, match="decay_rate"):
        K.inverse_time_decay(1.0, 10, -0.5)
    assert math.isinf(float(schedules.PolynomialDecay(1.0, 10, 0.0, power=-1.0)(10)))
    with pytest.raises(ValueError, match="power"):
        K.polynomial_decay(1.0, 10, power=-1.0)
    with pytest.raises(ValueError, match="t_mul"):
        K.cosine_decay_restarts(1.0, 10, t_mul=0.5)
    with pytest.raises(ValueError, match="m_mul"):
        K.cosine_decay_restarts(1.0, 10, m_mul=0.0)


def test_piecewise_boundaries_belong_to_the_left():
    ours = K.piecewise_constant_decay([10, 20], [1.0, 0.5, 0.1])
    keras_fn = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    for t in (10.0, 10.5, 11.0, 20.0, 20.25):
        assert ours(t) == pytest.approx(float(keras_fn(np.float32(t))))
    with pytest.raises(ValueError, match="boundaries"):
        K.piecewise_constant_decay([20, 10], [1.0, 0.5, 0.1])
    with pytest.raises(ValueError, match="boundaries"):
        K.piecewise_constant_decay([], [1.0])


def test_name_is_accepted_and_ignored():
    assert K.exponential_decay(1.0, 10, 0.5, name="x") == K.exponential_decay(1.0, 10, 0.5)
    with pytest.raises(TypeError, match="name"):
        K.cosine_decay(1.0, 10, name=3)


def test_presets_are_ordinary_serializable_schedules():
    for s in (
        K.cosine_decay(0.0, 100, 0.1, warmup_target=1.0, warmup_steps=10),
        K.cosine_decay_restarts(1.0, 10, m_mul=0.5, alpha=0.1),
        K.inverse_time_decay(1.0, 10, 0.5, staircase=True),
        K.polynomial_decay(1.0, 10, power=2.0, cycle=True),
    ):
        assert sa.parse(repr(s)) == s
        assert sa.from_dict(sa.to_dict(s)) == s


@pytest.mark.parametrize("name", K.__all__)
def test_signature_is_keras(name):
    """The library's argument names and defaults (``__init__``'s, in its order)."""
    import inspect

    cls = getattr(schedules, "".join(w.capitalize() for w in name.split("_")))
    theirs = dict(inspect.signature(cls.__init__).parameters)
    theirs.pop("self")
    ours = inspect.signature(getattr(K, name)).parameters
    assert list(ours) == list(theirs)
    for arg, p in theirs.items():
        assert ours[arg].default == p.default, arg
