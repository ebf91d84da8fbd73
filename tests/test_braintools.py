"""schedalg.braintools.LRScheduler: a braintools optimizer follows s(k) after k scheduler steps."""

from __future__ import annotations

import numpy as np
import pytest

import schedalg as sa

braintools = pytest.importorskip("braintools")
brainstate = pytest.importorskip("brainstate")
jnp = pytest.importorskip("jax.numpy")

from schedalg.braintools import LRScheduler  # noqa: E402

SCHEDULE = sa.cosine(0.1, 0.01, 8).warmup(3)


def _sgd_on_a_linear_loss(jit: bool, n: int = 14):
    """SGD on ``loss = sum(w)``: every update subtracts exactly the lr in force."""
    w = brainstate.ParamState(jnp.zeros(2))
    sched = LRScheduler(SCHEDULE)
    opt = braintools.optim.SGD(lr=sched)
    opt.register_trainable_weights({"w": w})
    traces = []

    def train_step():
        traces.append(1)
        opt.step({"w": jnp.ones(2)})
        sched.step()

    step = brainstate.transform.jit(train_step) if jit else train_step
    seen = []
    for _ in range(n):
        seen.append(float(opt.current_lr))
        step()
    return np.asarray(w.value), seen, len(traces)


@pytest.mark.parametrize("jit", [False, True])
def test_the_lr_after_k_steps_is_s_of_k(jit):
    n = 14
    w, seen, traces = _sgd_on_a_linear_loss(jit, n)
    expected = [SCHEDULE(k) for k in range(n)]
    np.testing.assert_allclose(seen, expected, rtol=2e-6, atol=1e-9)
    # w_n = -sum of the lrs applied: the update of step k used s(k).
    np.testing.assert_allclose(w, -np.sum(np.float32(expected)), rtol=1e-5)
    assert traces == (1 if jit else n)


def test_it_is_a_braintools_scheduler_with_its_api():
    sched = LRScheduler([SCHEDULE, SCHEDULE * 0.5], last_epoch=4)
    assert isinstance(sched, braintools.optim.LRScheduler)
    np.testing.assert_allclose([float(v) for v in sched.get_last_lr()], [SCHEDULE(4), SCHEDULE(4) * 0.5], rtol=1e-6)
    sched.step(epoch=10)
    assert float(sched.get_last_lr()[0]) == pytest.approx(SCHEDULE(10), rel=1e-6)
    adam = braintools.optim.Adam(lr=LRScheduler(SCHEDULE))
    assert adam.lr_scheduler.schedules == [SCHEDULE]


@pytest.mark.parametrize(
    ("args", "error"),
    [(("not a schedule",), TypeError), (([],), ValueError), ((SCHEDULE, -1), ValueError)],
)
def test_bad_arguments(args, error):
    with pytest.raises(error, match="schedules|last_epoch"):
        LRScheduler(*args)
