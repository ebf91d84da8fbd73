"""JAX and optax: a schedule evaluates JAX arrays and tracers (DESIGN principle 10, §3).

The root ``conftest.py`` restores ``jax_enable_x64`` after every test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

import schedalg as sa
import strategies as S
import xp_contract as C

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")
optax = pytest.importorskip("optax")

SETTINGS = dict(derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def x64():
    jax.config.update("jax_enable_x64", True)


def _jax_eval(dtype):
    def evaluate(s, steps):
        return np.asarray(s(jnp.asarray(steps, dtype=dtype))).astype(np.float64)

    return evaluate


# -- cross-path laws (eager JAX: a few trees, each op compiled once per shape) -------------------------
@settings(max_examples=S.examples(8), **SETTINGS)
@given(S.serializable_schedules(max_leaves=4))
def test_jax_x64_within_4_ulp_of_the_peak(s):
    jax.config.update("jax_enable_x64", True)
    C.check(s, C.padded(S.interesting_steps(s)), _jax_eval(jnp.float64), float32=False)


@settings(max_examples=S.examples(8), **SETTINGS)
@given(S.serializable_schedules(max_leaves=4))
def test_jax_float32_within_the_float32_bound(s):
    assume(C.float32_exact_offsets(s))
    steps = C.padded(sorted({float(math.floor(x)) for x in S.interesting_steps(s)}))
    C.check(s, steps, _jax_eval(jnp.float32), float32=True)


@pytest.mark.parametrize(("start", "end"), [(1e-3, 0.0), (0.1, 1.0), (1.0, -1.0)])
def test_float32_cosine_and_linear_meet_the_bound_at_every_step_with_xlas_sine(start, end):
    # The forms test_xp.py checks with torch's sine, with XLA's.
    for n in (3, 999, 99_000):
        k = np.arange(n + 2)
        for s in (sa.cosine(start, end, n), sa.linear(start, end, n)):
            got = np.asarray(s(jnp.asarray(k, dtype=jnp.int32))).astype(np.float64)
            assert not C.violations(s, s(k), got, float32=True), (s, n)


def test_float32_cosine_keeps_relative_accuracy_near_its_end_where_optax_does_not():
    # optax's cosine decay computes 1 + cos near -1 in float32 (principle 10):
    # within the contract's 4 eps * peak, but 100% off relative to the value.
    n = 10_000
    k = np.arange(n - 256, n, dtype=np.float64)
    exact = sa.cosine(1.0, 0.0, n)(k)
    ours = np.asarray(sa.cosine(1.0, 0.0, n)(jnp.asarray(k, dtype=jnp.int32))).astype(np.float64)
    theirs = np.asarray(jax.vmap(optax.cosine_decay_schedule(1.0, n))(jnp.asarray(k, dtype=jnp.int32)))
    ulp = np.spacing(exact.astype(np.float32)).astype(np.float64)
    assert np.max(np.abs(ours - exact) / ulp) <= 8
    assert np.max(np.abs(theirs - exact) / exact) > 0.1


# -- dtypes and shapes -----------------------------------------------------------------------------------
def test_an_int32_count_gives_a_float32_scalar_without_x64():
    s = sa.cosine(1.0, 0.0, 100).warmup(10)
    v = s(jnp.asarray(60, dtype=jnp.int32))
    assert v.shape == () and v.dtype == jnp.float32
    assert float(v) == pytest.approx(s(60), rel=1e-6)
    assert s(jnp.arange(4.0, dtype=jnp.bfloat16)).dtype == jnp.bfloat16
    q = sa.quantize(sa.linear(32.0, 100.0, 10), multiple=8)
    assert q(jnp.arange(12)).dtype == jnp.int32
    assert q(jnp.arange(12)).tolist() == q(np.arange(12)).tolist()


def test_x64_gives_float64_and_int64(x64):
    s = sa.cosine(1.0, 0.0, 100)
    assert s(jnp.arange(3)).dtype == jnp.float64
    assert sa.quantize(s * 10)(jnp.arange(3)).dtype == jnp.int64
    assert s(jnp.arange(3.0, dtype=jnp.float32)).dtype == jnp.float32


def test_shapes_and_invalid_steps():
    s = sa.piecewise_linear([0, 10, 30], [0.0, 1.0, 0.0])
    t = jnp.arange(12.0).reshape(3, 4)
    assert s(t).shape == (3, 4)
    np.testing.assert_allclose(np.asarray(s(t)), s(np.arange(12.0).reshape(3, 4)), rtol=1e-6)
    bad = s(jnp.asarray([-1.0, jnp.nan, jnp.inf, 5.0]))
    assert np.isnan(np.asarray(bad[:3])).all() and float(bad[3]) == 0.5


def test_untraceable_nodes_raise_type_error_under_jit():
    def branchy(step):
        return 1.0 if step < 10 else 0.1

    s = sa.from_fn(branchy)
    with pytest.raises(TypeError, match="from_fn"):
        jax.jit(s)(jnp.asarray(3))
    from schedalg.presets import multiplicative_lr

    with pytest.raises(TypeError, match="multiplicative_lr"):
        jax.jit(multiplicative_lr(1.0, lambda e: 0.9))(jnp.asarray(3))
    traced = sa.from_fn(lambda step: jnp.exp(-step / 10.0))
    assert float(jax.jit(traced)(jnp.asarray(10))) == pytest.approx(math.exp(-1.0), rel=1e-6)


# -- jit, vmap, grad -------------------------------------------------------------------------------------
def test_jit_traces_once_for_every_step():
    s = sa.cyclical(sa.cosine(1.0, 0.1, 100), 100, period_mult=2.0).warmup(10) * sa.piecewise_constant(
        [500], [1.0, 0.5]
    )
    traces = []

    @jax.jit
    def f(k):
        traces.append(1)
        return s(k)

    for k in (0, 5, 10, 150, 499, 500, 3_000, 10**6):
        got = f(jnp.asarray(k, dtype=jnp.int32))
        assert float(got) == pytest.approx(s(k), rel=2e-6, abs=1e-7)
    assert len(traces) == 1
    assert len([1 for _ in range(3) if jax.jit(s)(jnp.asarray(7)) is not None]) == 3


def test_vmap_and_grad():
    s = sa.linear(0.0, 2.0, 10)
    ks = jnp.arange(12)
    np.testing.assert_allclose(np.asarray(jax.vmap(s)(ks)), s(np.arange(12)), rtol=1e-6)
    assert float(jax.grad(s)(jnp.asarray(3.0))) == pytest.approx(0.2)


# -- optax ------------------------------------------------------------------------------------------------
def _quadratic_run(tx, n=30):
    params = {"w": jnp.asarray([1.0, -2.0, 3.0])}

    def loss(p):
        return jnp.sum(p["w"] ** 2)

    state = tx.init(params)

    @jax.jit
    def step(params, state):
        grads = jax.grad(loss)(params)
        updates, state = tx.update(grads, state, params)
        return optax.apply_updates(params, updates), state

    lrs = []
    for _ in range(n):
        params, state = step(params, state)
        hp = getattr(state, "hyperparams", None)
        if hp is not None:
            lrs.append(float(hp["learning_rate"]))
    return params, lrs


def test_optax_adamw_follows_the_schedule_as_optax_own():
    n = 30
    ours, _ = _quadratic_run(optax.adamw(learning_rate=sa.cosine(0.1, 0.0, n)), n)
    theirs, _ = _quadratic_run(optax.adamw(learning_rate=optax.cosine_decay_schedule(0.1, n)), n)
    np.testing.assert_allclose(np.asarray(ours["w"]), np.asarray(theirs["w"]), rtol=1e-5, atol=1e-6)


def test_optax_inject_hyperparams_uses_s_of_k_at_update_k():
    s = sa.warmup(sa.exponential(0.1, 0.9), 5)
    tx = optax.inject_hyperparams(optax.sgd)(learning_rate=s)
    _, lrs = _quadratic_run(tx, 12)
    # inject_hyperparams stores the lr of the update just made: s(k) at update k.
    np.testing.assert_allclose(lrs, [s(k) for k in range(12)], rtol=2e-6, atol=1e-9)


def test_a_schedule_is_a_jax_static_argument_and_a_pytree_leaf_free_callable():
    s = sa.cosine(1.0, 0.0, 10)
    f = jax.jit(lambda sched, k: sched(k), static_argnums=0)
    assert float(f(s, jnp.asarray(5))) == pytest.approx(0.5)
    assert float(f(sa.cosine(1.0, 0.0, 10), jnp.asarray(5))) == pytest.approx(0.5)  # equal: cached


@pytest.mark.skipif(not any(d.platform == "gpu" for d in jax.devices()) if jax else True, reason="needs a GPU")
def test_on_the_gpu():  # pragma: no cover - outside CI
    gpu = next(d for d in jax.devices() if d.platform == "gpu")
    s = sa.cosine(1.0, 0.0, 100).warmup(10) * sa.piecewise_constant([50], [1.0, 0.5])
    t = jax.device_put(jnp.arange(200), gpu)
    got = s(t)
    assert got.devices() == {gpu}
    np.testing.assert_allclose(np.asarray(got), s(np.arange(200)), rtol=1e-5, atol=1e-7)
