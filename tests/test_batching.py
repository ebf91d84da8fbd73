"""batch_plan: exact plans against a step-by-step simulation, hand-computed cases, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

import schedalg as sa
from schedalg.batching import BatchPlan, batch_plan


def simulate(size_at, dataset_size, drop_last, world_size, epochs):
    """The plan by brute force: hand out batches one step at a time."""
    n = dataset_size // world_size
    plans = []
    step = 0
    for _ in range(epochs):
        left = n
        sizes = []
        first = step
        while left > 0:
            b = size_at(step) // world_size
            if b > left:
                if drop_last:
                    break
                b = left
            sizes.append(b * world_size)
            left -= b
            step += 1
        plans.append((range(first, step), sizes))
    return plans


bs_schedules = st.one_of(
    st.integers(1, 40),
    st.builds(
        lambda a, b, steps, m: sa.quantize(sa.linear(a, b, steps), multiple=m, low=m),
        st.integers(1, 50),
        st.integers(1, 50),
        st.integers(1, 30),
        st.sampled_from([1, 2, 4]),
    ),
    st.builds(
        lambda period, lo, hi: sa.quantize(sa.cyclical(sa.linear(lo, hi, period), period)),
        st.integers(1, 7),
        st.integers(1, 9),
        st.integers(1, 30),
    ),
)


@settings(max_examples=examples(150), deadline=None, derandomize=True)
@given(
    bs=bs_schedules,
    dataset_size=st.integers(1, 120),
    drop_last=st.booleans(),
    world_size=st.sampled_from([1, 2, 4]),
)
def test_plan_equals_step_by_step_simulation(bs, dataset_size, drop_last, world_size):
    dataset_size *= world_size
    if isinstance(bs, int):
        bs *= world_size
        size_at = lambda k: bs
    else:
        bs = size_at = sa.quantize(bs * world_size)
    # with drop_last an epoch can be empty: the plan refuses it, the simulation stops there
    want = simulate(size_at, dataset_size, drop_last, world_size, epochs=5)
    plan = BatchPlan(bs, dataset_size, drop_last, world_size)
    empty = [e for e, (span, _) in enumerate(want) if len(span) == 0]
    epochs = empty[0] if empty else len(want)
    # asked in reverse order: answers do not depend on the order of questions
    for e in reversed(range(epochs)):
        span, sizes = want[e]
        assert plan.steps(e) == span
        assert plan.sizes(e).tolist() == sizes
        assert plan.replica_sizes(e).tolist() == [s // world_size for s in sizes]
        assert plan.num_batches(e) == len(sizes)
        for offset, k in enumerate(span):
            assert plan.locate(k) == (e, offset)
            assert plan.size(k) == sizes[offset]
    if empty:
        with pytest.raises(ValueError, match=f"epoch {epochs} is empty"):
            plan.steps(epochs)


def test_hand_computed_plan():
    bs = sa.quantize(sa.linear(64, 256, steps=10), multiple=64)
    plan = batch_plan(bs, 1_000, world_size=4)
    assert plan.sizes(0).tolist() == [64, 64, 128, 128, 128, 128, 192, 168]
    assert plan.sizes(1).tolist() == [192, 256, 256, 256, 40]
    assert plan.steps(2) == range(13, 17)
    assert plan.sizes(2).tolist() == [256, 256, 256, 232]
    assert plan.locate(12) == (1, 4)
    assert plan.locate(13) == (2, 0)
    assert sum(plan.sizes(3)) == 1_000


def test_drop_last_reuses_the_dropped_step():
    bs = sa.quantize(sa.piecewise_constant([1, 2], [3, 5, 2]))
    plan = batch_plan(bs, 7, drop_last=True)
    # steps 0, 1: 3 + 5 > 7, so step 1 is dropped and starts epoch 1
    assert plan.steps(0) == range(1)
    assert plan.sizes(1).tolist() == [5, 2]
    assert plan.steps(2) == range(3, 6)
    assert plan.sizes(2).tolist() == [2, 2, 2]


def test_long_epochs_and_far_steps_are_exact():
    # one epoch spans more than one evaluation chunk (2**16 steps)
    bs = sa.quantize(sa.linear(1, 3, 100_000))
    plan = batch_plan(bs, 300_000)
    k = np.arange(0, 200_000)
    values = bs(k)
    total = np.cumsum(values)
    end = int(np.searchsorted(total, 300_000))
    assert plan.steps(0) == range(end + 1)
    assert plan.size(end) == 300_000 - int(total[end - 1])
    assert plan.locate(end + 1) == (1, 0)


def test_integral_float_schedules_are_accepted():
    assert batch_plan(sa.constant(4.0), 10).sizes(0).tolist() == [4, 4, 2]
    assert batch_plan(sa.linear(4.0, 8.0, 4), 12).sizes(0).tolist() == [4, 5, 3]


def test_cached_and_pure():
    bs = sa.quantize(sa.linear(2, 10, 20))
    assert batch_plan(bs, 50) is batch_plan(bs, 50)
    assert batch_plan(bs, 50) is not batch_plan(bs, 50, drop_last=True)
    fresh = BatchPlan(bs, 50)
    assert [fresh.locate(k) for k in range(60)] == [batch_plan(bs, 50).locate(k) for k in range(60)]


def test_sizes_returns_a_copy():
    plan = batch_plan(4, 10)
    plan.sizes(0)[0] = 99
    assert plan.sizes(0).tolist() == [4, 4, 2]


def test_repr():
    assert repr(batch_plan(4, 10, drop_last=True, world_size=2)) == "batch_plan(4, 10, drop_last=True, world_size=2)"


@pytest.mark.parametrize(
    ("bs", "kwargs", "error", "message"),
    [
        (sa.quantize(sa.linear(4, -4, 4)), {}, ValueError, "batch_size must be positive, got 0 at step 2"),
        (sa.quantize(sa.linear(2, 5, 3)), {"world_size": 2}, ValueError, "divisible by world_size=2, got 3 at step 1"),
        (sa.linear(2.0, 3.0, 2), {}, ValueError, r"whole numbers \(use sa.quantize\), got 2.5 at step 1"),
        (sa.constant(1e300) * 1e10, {}, ValueError, "whole numbers .* got inf at step 0"),
        (0, {}, ValueError, "batch_size must be a positive integer, got batch_size=0"),
        (2.0, {}, TypeError, "batch_size must be an integer schedule or an int, got batch_size=2.0"),
        (True, {}, TypeError, "batch_size must be an integer schedule or an int, got batch_size=True"),
        (4, {"dataset_size": 0}, ValueError, "dataset_size must be a positive integer, got dataset_size=0"),
        (4, {"dataset_size": 2.5}, TypeError, "dataset_size must be a positive integer, got dataset_size=2.5"),
        (4, {"world_size": 0}, ValueError, "world_size must be a positive integer, got world_size=0"),
        (4, {"world_size": 3}, ValueError, "dataset_size must be divisible by world_size .* dataset_size=10"),
        (4, {"drop_last": 1}, TypeError, "drop_last must be a bool, got drop_last=1"),
        (16, {"drop_last": True}, ValueError, "epoch 0 is empty: batch_size 16 at step 0 exceeds dataset_size=10"),
    ],
)
def test_errors(bs, kwargs, error, message):
    kwargs = {"dataset_size": 10, **kwargs}
    with pytest.raises(error, match=message):
        batch_plan(bs, **kwargs).sizes(0)


@pytest.mark.parametrize(("method", "arg"), [("steps", -1), ("sizes", 1.0), ("locate", -2), ("size", True)])
def test_bad_questions(method, arg):
    plan = batch_plan(4, 10)
    with pytest.raises((TypeError, ValueError), match=r"must be an integer >= 0"):
        getattr(plan, method)(arg)


def test_exported_lazily():
    assert sa.batch_plan is batch_plan
    assert "batch_plan" in sa.__all__


def test_batch_plan_needs_no_framework():
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, schedalg\n"
        "schedalg.batch_plan(schedalg.quantize(schedalg.linear(2, 8, 4)), 20).sizes(1)\n"
        "print(sorted(m for m in ('torch', 'jax', 'keras', 'matplotlib') if m in sys.modules))\n"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
