"""Recipes: against Hugging Face ``transformers``' scheduler lambdas, restated here from
``transformers.optimization`` (the presets in ``schedalg.presets.transformers`` are checked
against the installed library itself in ``test_presets_transformers.py``), and long-horizon
accuracy against mpmath over 10**6 steps.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from _long_horizon import N, assert_within_4ulp, mp_cos_mix, rng, sample_steps  # noqa: F401
from hypothesis import given, settings
from hypothesis import strategies as st

import schedalg as sa
from schedalg import presets as P

EPS = float(np.finfo(np.float64).eps)


# ==========================================================================================
# Hugging Face recipes (lambdas restated from transformers.optimization)
# ==========================================================================================


def hf_warmup(t, w):
    return float(t) / float(max(1, w))


def hf_linear(t, w, n):
    if t < w:
        return hf_warmup(t, w)
    return max(0.0, float(n - t) / float(max(1, n - w)))


def hf_cosine(t, w, n, min_lr_rate=0.0):
    if t < w:
        return hf_warmup(t, w)
    progress = float(t - w) / float(max(1, n - w))
    factor = 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * progress))
    return max(0.0, factor * (1 - min_lr_rate) + min_lr_rate)


def hf_hard_restarts(t, w, n, cycles):
    if t < w:
        return hf_warmup(t, w)
    progress = float(t - w) / float(max(1, n - w))
    if progress >= 1.0:
        return 0.0
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(cycles) * progress) % 1.0))))


def hf_inverse_sqrt(t, w, timescale=None):
    if timescale is None:
        timescale = w or 10_000
    if t < w:
        return hf_warmup(t, w)
    shift = timescale - w
    return 1.0 / math.sqrt((t + shift) / timescale)


def hf_wsd(t, w, s, d, warmup_type, decay_type, r):
    if t < w:
        progress = float(t) / float(max(1, w))
        factor = {
            "linear": progress,
            "cosine": 0.5 * (1.0 - math.cos(math.pi * progress)),
            "1-sqrt": 1.0 - math.sqrt(1.0 - progress),
        }[warmup_type]
        return max(0.0, factor * (1.0 - r) + r)
    if t < w + s:
        return 1.0
    if t < w + s + d:
        progress = float(t - w - s) / float(max(1, d))
        factor = {
            "linear": 1.0 - progress,
            "cosine": 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * progress)),
            "1-sqrt": 1.0 - math.sqrt(progress),
        }[decay_type]
        return max(0.0, factor * (1.0 - r) + r)
    return r


def assert_recipe(schedule, lr, reference, n, *, skip=(), ulps=4.0):
    steps = np.arange(n)
    got = schedule(steps)
    expected = np.array([lr * reference(int(t)) for t in steps])
    mask = np.ones(n, dtype=bool)
    mask[list(skip)] = False
    err = np.abs(got - expected)[mask]
    assert np.all(err <= 1e-13 * np.abs(expected[mask]) + ulps * EPS * lr), int(np.argmax(err))


recipe_lrs = st.sampled_from([1.0, 3e-4, 0.1])


@settings(max_examples=60, deadline=None, derandomize=True)
@given(lr=recipe_lrs, w=st.integers(0, 200), extra=st.integers(1, 2000), min_rate=st.sampled_from([0.0, 0.1]))
def test_warmup_cosine_matches_hf(lr, w, extra, min_rate):
    n = w + extra
    s = P.warmup_cosine(lr, w, n, end=lr * min_rate)
    assert_recipe(s, lr, lambda t: hf_cosine(t, w, n, min_rate), n + 1)
    assert s(n + 5) == pytest.approx(lr * min_rate, abs=1e-18)  # held; HF's cosine turns back up


@settings(max_examples=60, deadline=None, derandomize=True)
@given(lr=recipe_lrs, w=st.integers(0, 200), extra=st.integers(1, 2000))
def test_warmup_linear_matches_hf(lr, w, extra):
    n = w + extra
    assert_recipe(P.warmup_linear(lr, w, n), lr, lambda t: hf_linear(t, w, n), n + 50)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    lr=recipe_lrs,
    w=st.integers(0, 100),
    s=st.integers(0, 500),
    d=st.integers(1, 500),
    warmup_type=st.sampled_from(["linear", "cosine", "1-sqrt"]),
    decay_type=st.sampled_from(["linear", "cosine", "1-sqrt"]),
    r=st.sampled_from([0.0, 0.1]),
)
def test_warmup_stable_decay_matches_hf(lr, w, s, d, warmup_type, decay_type, r):
    schedule = P.warmup_stable_decay(
        lr, w, s, d, start=lr * r, end=lr * r, warmup_shape=warmup_type, decay_shape=decay_type
    )
    assert_recipe(schedule, lr, lambda t: hf_wsd(t, w, s, d, warmup_type, decay_type, r), w + s + d + 20)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(lr=recipe_lrs, w=st.integers(0, 100), extra=st.integers(1, 3000), cycles=st.integers(1, 60))
def test_cosine_with_restarts_matches_hf(lr, w, extra, cycles):
    n = w + extra
    schedule = P.cosine_with_restarts(lr, w, n, num_cycles=cycles)
    # HF's float phase can land one ulp short of a restart: only restart steps may
    # differ by more than HF's own rounding, (num_cycles * progress) % 1 with an
    # error of up to ulp(num_cycles) (schedalg is within an ulp or two of exact:
    # see the long-horizon tests)
    restarts = [t for t in range(w, n) if ((t - w) * cycles) % (n - w) == 0]
    hf_ulps = 4 + math.pi / 2 * np.spacing(float(cycles)) / EPS
    assert_recipe(schedule, lr, lambda t: hf_hard_restarts(t, w, n, cycles), n + 20, skip=restarts, ulps=hf_ulps)
    for t in restarts:
        assert schedule(t) == lr


def test_difference_cosine_with_restarts_exact_restart():
    # 49 * (1/49) < 1 in floats: HF answers ~0 at the restart step, schedalg restarts
    w, n, cycles = 0, 49 * 20, 49
    t = 20
    assert hf_hard_restarts(t, w, n, cycles) < 1e-10
    assert P.cosine_with_restarts(1.0, w, n, num_cycles=cycles)(t) == 1.0


@settings(max_examples=60, deadline=None, derandomize=True)
@given(lr=recipe_lrs, w=st.integers(0, 500), timescale=st.one_of(st.none(), st.integers(1, 5000)))
def test_inverse_sqrt_matches_hf(lr, w, timescale):
    schedule = P.warmup_inverse_sqrt(lr, w, timescale)
    assert_recipe(schedule, lr, lambda t: hf_inverse_sqrt(t, w, timescale), w + 3000)


def test_linear_scaling():
    bs = P.step_bs(256, 10, max_batch_size=2048)
    lr = sa.cosine(0.1, 0.0, 100)
    linear = P.linear_scaling(lr, bs, 256)
    root = P.linear_scaling(lr, bs, 256, rule="sqrt")
    steps = np.arange(120)
    ratio = bs(steps) / 256
    np.testing.assert_allclose(linear(steps), lr(steps) * ratio, rtol=1e-15, atol=0)
    np.testing.assert_allclose(root(steps), lr(steps) * np.sqrt(ratio), rtol=1e-15, atol=0)
    assert P.linear_scaling(0.1, 512, 256) == sa.constant(0.2)
    assert P.linear_scaling(0.1, 1024, 256, rule="sqrt")(3) == 0.2
    assert P.linear_scaling(sa.constant(0.4), 128, 256)(0) == 0.2


def test_long_horizon_warmup_cosine(rng):
    w = 10_000
    values = P.warmup_cosine(0.1, w, N, end=1e-4)(np.arange(N))
    steps = sample_steps([w], rng)

    def exact(t):
        if t < w:
            return float(mpmath.mpf(0.1) * t / w)
        return mp_cos_mix(1e-4, 0.1, t - w, N - w)

    assert_within_4ulp(values, steps, exact, 0.1)


def test_long_horizon_cosine_with_restarts(rng):
    w, cycles = 1000, 7  # the cycle length 999000 / 7 is fractional
    values = P.cosine_with_restarts(1.0, w, N, num_cycles=cycles)(np.arange(N))
    span = N - w
    bounds = [w + -(-k * span // cycles) for k in range(cycles + 1)]

    def exact(t):
        if t < w:
            return float(mpmath.mpf(t) / w)
        num = ((t - w) * cycles) % span  # phase within the cycle, as a fraction of span
        return mp_cos_mix(0.0, 1.0, num, span)

    assert_within_4ulp(values, sample_steps(bounds, rng), exact, 1.0)



def test_linear_scaling_with_a_fixed_batch_size_is_a_plain_scale():
    lr = sa.cosine(1.0, 0.1, 100)
    sqrt_rule = P.linear_scaling(lr, 1024, 256, rule="sqrt")
    linear_rule = P.linear_scaling(lr, 1024, 256)
    assert sqrt_rule == sa.scale(lr, 2.0) and linear_rule == sa.scale(lr, 4.0)
    assert sa.from_dict(sa.to_dict(sqrt_rule)) == sqrt_rule
    t = np.arange(0, 120)
    np.testing.assert_array_equal(sqrt_rule(t), lr(t) * math.sqrt(1024 / 256))
    # a batch-size schedule under the sqrt rule is built from power (it was from_fn before
    # power existed): an ordinary, serializable schedule
    bs = P.step_bs(256, step_size=10)
    root = P.linear_scaling(lr, bs, 256, rule="sqrt")
    assert root == lr * sa.power(bs / 256, 0.5)
    assert sa.parse(repr(root)) == root and sa.from_dict(sa.to_dict(root)) == root
    np.testing.assert_allclose(root(t), lr(t) * np.sqrt(bs(t) / 256), rtol=1e-15, atol=0)


def test_cosine_with_one_restart_cycle_is_warmup_cosine():
    assert P.cosine_with_restarts(1.0, 10, 110, num_cycles=1) == P.warmup_cosine(1.0, 10, 110)
