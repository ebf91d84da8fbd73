"""``noise`` in the array-library path: the numpy path's draws, in every library and under tracing.

The draw is an integer (``schedalg._noise``): its integer operations are run
here on every kind of words a namespace can have (``uint32`` in JAX without
x64, ``int64`` in torch, JAX with x64 and array-api-strict) and must give the
numpy path's integers exactly. The values then agree bit for bit in float64
(eager, ``jax.jit``, ``torch.compile``) and within the float32 contract.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import schedalg as sa
import xp_contract as C
from schedalg import _noise, _xp
from schedalg._noise import NumpyInts

torch = pytest.importorskip("torch")
xps = pytest.importorskip("array_api_strict")
jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

ONE = sa.constant(1.0)
# Schedules whose array path is the numpy path's own arithmetic, so float64 values agree exactly.
EXACT = [
    sa.noise(ONE, 1.0),
    sa.noise(sa.constant(2.5), 0.1, seed=42),
    sa.noise(ONE, 1.0, limit=0.67, seed=7),  # timm's noise_pct
    sa.noise(ONE, 0.5, limit=1.0, seed=3),
    sa.noise(ONE, 1.0, limit=0.001, seed=2**63 - 1),
    sa.noise(ONE, 0.3, seed=5, kind="uniform"),
    sa.noise(ONE, 0.3, limit=0.1, seed=2**32 + 5, kind="uniform"),
    sa.noise(sa.piecewise_constant([10, 20], [1.0, 0.5, 0.25]), 0.2, limit=0.3, seed=11) * 2.0,
]
STEPS = np.concatenate([np.arange(2000.0) * 0.75, [2.0**32 - 1, 2.0**32, 2.0**32 + 5, 2.0**53, 1e15 + 0.5, 2.0**64, 1e300]])


def _words() -> np.ndarray:
    rng = np.random.default_rng(7)
    edges = [0, 1, 2, 3, 2**16 - 1, 2**16, 2**31 - 1, 2**31, 2**31 + 1, 2**32 - 2, 2**32 - 1]
    return np.concatenate([rng.integers(0, 2**32, 5000, dtype=np.uint64), np.array(edges, dtype=np.uint64)])


def _ints(kind: str) -> tuple[_xp._Ints, object]:
    """The integer operations of a namespace, and a function making its arrays from uint64 words."""
    if kind == "jax-uint32":
        jax.config.update("jax_enable_x64", False)
        ints = _xp._Ints(_xp.Ctx(jnp, jnp.float32, None))
        assert not ints.wide and ints.dtype == jnp.uint32
        return ints, lambda w: jnp.asarray(w.astype(np.uint32))
    if kind == "jax-int64":
        jax.config.update("jax_enable_x64", True)
        ints = _xp._Ints(_xp.Ctx(jnp, jnp.float64, None))
        return ints, lambda w: jnp.asarray(w.astype(np.int64))
    if kind == "torch-int64":
        ints = _xp._Ints(_xp.Ctx(_xp._torch_namespace(), torch.float64, torch.device("cpu"), native=True))
        return ints, lambda w: torch.asarray(w.astype(np.int64))
    ints = _xp._Ints(_xp.Ctx(xps, xps.float64, xps.Device("CPU_DEVICE")))
    return ints, lambda w: xps.asarray(w.astype(np.int64))


def _host(x: object) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.numpy().astype(np.uint64)
    return np.asarray(x).astype(np.uint64)


@pytest.mark.parametrize("kind", ["jax-uint32", "jax-int64", "torch-int64", "array-api-strict"])
def test_the_integer_recipe_gives_the_numpy_integers(kind):
    ints, make = _ints(kind)
    w = _words()
    x = make(w)
    assert np.array_equal(_host(_noise.mix(ints, x)), _noise.mix(NumpyInts, w))
    for s in EXACT[:7]:
        hi, lo = w >> np.uint64(16), w
        want = _noise.word(NumpyInts, s._keys, hi, lo)
        assert np.array_equal(_host(_noise.word(ints, s._keys, make(hi), make(lo))), want)
        m, neg = s.draw(ints, x)
        m_np, neg_np = s.draw(NumpyInts, w)
        assert np.array_equal(_host(m), m_np) and np.array_equal(_host(neg), neg_np), s
    v = w | np.uint64(1)
    assert np.array_equal(_host(_noise.quantile(ints, make(v))), _noise.quantile(NumpyInts, v))


def _float64_paths(s: sa.Schedule, steps: np.ndarray) -> dict[str, np.ndarray]:
    jax.config.update("jax_enable_x64", True)
    j = jnp.asarray(steps)
    return {
        "torch": s(torch.asarray(steps)).numpy(),
        "jax": np.asarray(s(j)),
        "jax.jit": np.asarray(jax.jit(s)(j)),
        "array-api-strict": np.asarray(s(xps.asarray(steps))),
    }


@pytest.mark.parametrize("s", EXACT, ids=repr)
def test_float64_values_are_the_numpy_values_bit_for_bit(s):
    want = s(STEPS)
    for name, got in _float64_paths(s, STEPS).items():
        assert np.array_equal(got, want), (name, np.flatnonzero(got != want)[:5])


@pytest.mark.parametrize("s", [*EXACT, sa.noise(sa.cosine(1.0, 0.1, 1000).warmup(100), 0.2, limit=0.5, seed=9)], ids=repr)
def test_float32_values_are_within_the_contract(s):
    steps = np.arange(C.N, dtype=np.float64) * 7.0
    ref = s(steps)
    jax.config.update("jax_enable_x64", False)
    for name, got in {
        "jax (uint32 words)": np.asarray(s(jnp.asarray(steps, dtype=jnp.int32))),
        "jax.jit": np.asarray(jax.jit(s)(jnp.asarray(steps, dtype=jnp.float32))),
        "torch": s(torch.asarray(steps, dtype=torch.float32)).numpy(),
    }.items():
        assert got.dtype == np.float32, name
        assert not C.violations(s, ref, got, float32=True), (name, C.violations(s, ref, got, float32=True))


def test_a_jitted_count_traces_once_and_vmaps():
    s = sa.noise(sa.cosine(1.0, 0.0, 500), 0.1, limit=0.2, seed=1)
    traces = []

    @jax.jit
    def lr(count):
        traces.append(count)
        return s(count)

    got = np.array([float(lr(jnp.asarray(k, dtype=jnp.int32))) for k in range(40)])
    assert len(traces) == 1
    assert not C.violations(s, s(np.arange(40.0)), got, float32=True)
    assert np.array_equal(np.asarray(jax.vmap(s)(jnp.arange(40))), np.asarray(s(jnp.arange(40))))


def test_optax_follows_a_noisy_schedule():
    optax = pytest.importorskip("optax")
    s = sa.noise(sa.constant(0.1), 0.5, limit=0.67, seed=4)
    tx = optax.inject_hyperparams(optax.sgd)(learning_rate=s)
    params = jnp.zeros(2)
    state = tx.init(params)
    step = jax.jit(lambda p, st: tx.update(jnp.ones(2), st, p))
    for k in range(5):
        _, state = step(params, state)
        # inject_hyperparams stores the lr of the update just made: s(k) at update k.
        assert float(state.hyperparams["learning_rate"]) == pytest.approx(s(k), rel=1e-6)


def test_infinite_local_times_and_invalid_steps():
    s = sa.stretch(sa.noise(sa.linear(1.0, 0.5, 10), 0.1, seed=3), 5e-324)
    want = s(np.array([0.0, 1.0, 2.0]))
    assert want.tolist() == [s(0), 0.5, 0.5]
    assert np.array_equal(s(torch.tensor([0.0, 1.0, 2.0], dtype=torch.float64)).numpy(), want)
    got = s(torch.tensor([-1.0, math.nan, math.inf], dtype=torch.float64))
    assert torch.isnan(got).all()


def test_torch_compile_is_one_graph_and_bit_exact():
    import torch._dynamo.testing

    counter = torch._dynamo.testing.CompileCounter()
    s = EXACT[2]
    f = torch.compile(lambda k: s(k), backend=counter, fullgraph=True)
    for k in (0, 5, 10**6):
        assert f(torch.tensor(k, dtype=torch.float64)).item() == s(k)
    assert counter.frame_count == 1
    # Inductor (which may fuse a multiply and an add): the same float64 bits.
    steps = torch.arange(C.N, dtype=torch.float64) * 3.0
    compiled = torch.compile(lambda k: s(k), fullgraph=True)
    assert np.array_equal(compiled(steps).numpy(), s(steps.numpy()))


def test_a_capturable_scheduler_writes_noisy_values():
    from schedalg.torch import ParamScheduler

    s = sa.noise(sa.cosine(0.1, 0.001, 50), 0.2, limit=0.3, seed=6)
    p = torch.nn.Parameter(torch.zeros(2))
    opt = torch.optim.SGD([p], lr=torch.tensor(0.5, dtype=torch.float64))
    sched = ParamScheduler(opt, lr=s, capturable=True)
    for k in range(20):
        # the cosine's array form is within 4 ulp of the peak; the draw is the same
        assert abs(opt.param_groups[0]["lr"].item() - s(k)) <= 4 * math.ulp(0.13)
        sched.step()
