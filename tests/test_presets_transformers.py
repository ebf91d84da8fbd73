"""Oracle tests: every ``schedalg.presets.transformers`` preset against transformers 5.24 itself.

Each configuration builds HF's scheduler (``transformers.optimization.get_*``)
on a real optimizer and compares ``base_lr * lr_lambda(t)`` — what HF's
``LambdaLR`` sets after ``t`` steps (one test also steps the real scheduler) —
with the preset evaluated vectorized, at every step of a run past
``num_training_steps``. Configurations are hypothesis-drawn, derandomized,
bounded. Tolerance: ``|ours - hf| <= 1e-12 |hf| + 8 ulp(peak)`` (HF and
schedalg order the same formulas differently; the cosine waves of
``num_cycles != 0.5`` take their phase modulo a fractional period).
Past ``num_training_steps`` the cosine presets hold where HF extrapolates:
pinned by the ``test_difference_*`` tests.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("transformers")
from transformers import optimization as hf

import schedalg as sa
from schedalg.presets import transformers as T

EPS = float(np.finfo(np.float64).eps)
RTOL = 1e-12
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True)

#: per preset: max |ours - hf| / |hf| beyond 8 ulp of peak, and max |ours - hf| / peak (report)
MAX_REL: dict[str, float] = {}
MAX_OF_PEAK: dict[str, float] = {}

lrs_ = st.sampled_from([1.0, 3e-4, 0.1, 2.5])
cycles_ = st.sampled_from([0.5, 0.5, 0.0, 0.25, 1.0, 1.5, 2.7, 3.0])


def optimizer(lr):
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def hf_values(sched, lr, n):
    fn = sched.lr_lambdas[0]
    return np.array([lr * fn(t) for t in range(n)], dtype=np.float64)


def assert_hf(name, schedule, expected, *, upto=None, skip=()):
    """``schedule(t)`` against HF's lr at ``t < upto`` (default: every step given)."""
    n = expected.size if upto is None else upto
    expected = expected[:n]
    got = schedule(np.arange(n))
    assert got.dtype == np.float64
    peak = float(np.max(np.abs(expected))) if n else 0.0
    err = np.abs(got - expected)
    mask = np.ones(n, dtype=bool)
    mask[[i for i in skip if i < n]] = False
    tol = RTOL * np.abs(expected) + 8 * EPS * peak
    bad = np.flatnonzero(~(err <= tol) & mask)
    if bad.size:
        i = int(bad[0])
        pytest.fail(f"{name}: step {i}: schedalg {got[i]!r} != transformers {expected[i]!r}")
    beyond = np.maximum(err - 8 * EPS * peak, 0.0)[mask]
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(expected[mask] != 0, beyond / np.abs(expected[mask]), 0.0)
    MAX_REL[name] = max(MAX_REL.get(name, 0.0), float(rel.max(initial=0.0)))
    if peak:
        MAX_OF_PEAK[name] = max(MAX_OF_PEAK.get(name, 0.0), float(err[mask].max(initial=0.0)) / peak)
    for i in {0, n // 2, n - 1}:
        assert schedule(int(i)) == got[i]


def assert_holds(schedule, n, extra=200):
    """Past ``n`` the value at ``n`` holds."""
    tail = schedule(np.arange(n, n + extra))
    assert np.all(tail == tail[0])


def test_step_convention_is_lambda_lr_steps():
    # a real HF scheduler stepped as a training loop does: lr after t steps == preset(t)
    lr = 0.3
    opt = optimizer(lr)
    sched = hf.get_cosine_schedule_with_warmup(opt, 5, 40)
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for _ in range(40):
            seen.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
    np.testing.assert_allclose(T.cosine_schedule_with_warmup(lr, 5, 40)(np.arange(40)), seen, rtol=1e-13, atol=0)


@SETTINGS
@given(lr=lrs_, w=st.integers(0, 200))
def test_constant_schedules(lr, w):
    n = w + 300
    assert_hf("constant_schedule", T.constant_schedule(lr), hf_values(hf.get_constant_schedule(optimizer(lr)), lr, n))
    expected = hf_values(hf.get_constant_schedule_with_warmup(optimizer(lr), w), lr, n)
    assert_hf("constant_schedule_with_warmup", T.constant_schedule_with_warmup(lr, w), expected)


@SETTINGS
@given(lr=lrs_, w=st.integers(0, 200), n=st.integers(1, 800))
def test_linear_schedule_with_warmup(lr, w, n):
    expected = hf_values(hf.get_linear_schedule_with_warmup(optimizer(lr), w, n), lr, max(n, w) + 100)
    assert_hf("linear_schedule_with_warmup", T.linear_schedule_with_warmup(lr, w, n), expected)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(lr=lrs_, w=st.integers(0, 200), extra=st.integers(1, 800), cycles=cycles_)
def test_cosine_schedule_with_warmup(lr, w, extra, cycles):
    n = w + extra
    expected = hf_values(hf.get_cosine_schedule_with_warmup(optimizer(lr), w, n, cycles), lr, n + 1)
    s = T.cosine_schedule_with_warmup(lr, w, n, cycles)
    assert_hf("cosine_schedule_with_warmup", s, expected)
    assert_holds(s, n)


@SETTINGS
@given(lr=lrs_, w=st.integers(0, 100), extra=st.integers(1, 1500), cycles=st.integers(1, 40))
def test_cosine_with_hard_restarts_schedule_with_warmup(lr, w, extra, cycles):
    n = w + extra
    expected = hf_values(hf.get_cosine_with_hard_restarts_schedule_with_warmup(optimizer(lr), w, n, cycles), lr, n + 50)
    s = T.cosine_with_hard_restarts_schedule_with_warmup(lr, w, n, cycles)
    # HF's (num_cycles * progress) % 1 can land an ulp short of a restart (documented):
    # restart steps are checked to restart exactly instead
    restarts = [t for t in range(w, n) if ((t - w) * cycles) % (n - w) == 0]
    assert_hf("cosine_with_hard_restarts_schedule_with_warmup", s, expected, skip=restarts)
    assert all(s(t) == lr for t in restarts)


@SETTINGS
@given(
    lr=lrs_,
    w=st.integers(0, 200),
    extra=st.integers(1, 800),
    end_frac=st.sampled_from([0.0, 1e-7, 0.1, 0.5, -0.2]),
    power=st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.3]),
)
def test_polynomial_decay_schedule_with_warmup(lr, w, extra, end_frac, power):
    n = w + extra
    lr_end = lr * end_frac
    sched = hf.get_polynomial_decay_schedule_with_warmup(optimizer(lr), w, n, lr_end=lr_end, power=power)
    expected = hf_values(sched, lr, n + 100)
    assert_hf(
        "polynomial_decay_schedule_with_warmup",
        T.polynomial_decay_schedule_with_warmup(lr, w, n, lr_end=lr_end, power=power),
        expected,
    )


@SETTINGS
@given(lr=lrs_, w=st.integers(0, 500), timescale=st.one_of(st.none(), st.integers(1, 5000)))
def test_inverse_sqrt_schedule(lr, w, timescale):
    expected = hf_values(hf.get_inverse_sqrt_schedule(optimizer(lr), w, timescale), lr, w + 3000)
    assert_hf("inverse_sqrt_schedule", T.inverse_sqrt_schedule(lr, w, timescale), expected)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    lr=lrs_,
    w=st.integers(0, 200),
    extra=st.integers(1, 800),
    cycles=cycles_,
    rate=st.sampled_from([0.0, 0.1, 0.5]),
    as_lr=st.booleans(),
)
def test_cosine_with_min_lr_schedule_with_warmup(lr, w, extra, cycles, rate, as_lr):
    n = w + extra
    kw = {"min_lr": lr * rate} if as_lr else {"min_lr_rate": rate}
    expected = hf_values(hf.get_cosine_with_min_lr_schedule_with_warmup(optimizer(lr), w, n, cycles, **kw), lr, n + 1)
    s = T.cosine_with_min_lr_schedule_with_warmup(lr, w, n, cycles, **kw)
    assert_hf("cosine_with_min_lr_schedule_with_warmup", s, expected)
    assert_holds(s, n)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    lr=lrs_,
    w=st.integers(0, 100),
    extra=st.integers(1, 500),
    cycles=cycles_,
    rate=st.sampled_from([0.0, 0.1]),
    warmup_rate=st.sampled_from([None, 0.0, 0.1, 0.5]),
)
def test_cosine_with_min_lr_schedule_with_warmup_lr_rate(lr, w, extra, cycles, rate, warmup_rate):
    if warmup_rate is not None and w == 1:
        w = 2
    n = w + extra
    sched = hf.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(
        optimizer(lr), w, n, cycles, min_lr_rate=rate, warmup_lr_rate=warmup_rate
    )
    expected = hf_values(sched, lr, n)  # p reaches 1 at t = n - 1
    s = T.cosine_with_min_lr_schedule_with_warmup_lr_rate(lr, w, n, cycles, min_lr_rate=rate, warmup_lr_rate=warmup_rate)
    assert_hf("cosine_with_min_lr_schedule_with_warmup_lr_rate", s, expected)
    assert_holds(s, n - 1)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    lr=lrs_,
    w=st.integers(0, 100),
    s=st.integers(0, 300),
    d=st.integers(1, 300),
    warmup_type=st.sampled_from(["linear", "cosine", "1-sqrt"]),
    decay_type=st.sampled_from(["linear", "cosine", "1-sqrt"]),
    r=st.sampled_from([0.0, 0.1, 0.3]),
    cycles=cycles_,
    by_total=st.booleans(),
)
def test_wsd_schedule(lr, w, s, d, warmup_type, decay_type, r, cycles, by_total):
    kw = {"num_training_steps": w + s + d} if by_total else {"num_stable_steps": s}
    common = dict(warmup_type=warmup_type, decay_type=decay_type, min_lr_ratio=r, num_cycles=cycles)
    expected = hf_values(hf.get_wsd_schedule(optimizer(lr), w, d, **kw, **common), lr, w + s + d + 100)
    assert_hf("wsd_schedule", T.wsd_schedule(lr, w, d, **kw, **common), expected)


def test_wsd_stable_steps_win_over_training_steps():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        sched = hf.get_wsd_schedule(optimizer(1.0), 10, 20, num_training_steps=500, num_stable_steps=30)
    expected = hf_values(sched, 1.0, 200)
    assert_hf("wsd_schedule", T.wsd_schedule(1.0, 10, 20, num_training_steps=500, num_stable_steps=30), expected)


# ---------------------------------------------------------------------------
# reduce_on_plateau_schedule: HF's torch ReduceLROnPlateau
# ---------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    lr=lrs_,
    kwargs=st.fixed_dictionaries(
        {},
        optional={
            "mode": st.sampled_from(["min", "max"]),
            "factor": st.sampled_from([0.1, 0.5, 0.9]),
            "patience": st.integers(0, 4),
            "threshold": st.sampled_from([0.0, 1e-4, 0.1]),
            "threshold_mode": st.sampled_from(["rel", "abs"]),
            "cooldown": st.integers(0, 3),
            "min_lr": st.sampled_from([0.0, 1e-3]),
            "eps": st.sampled_from([0.0, 1e-8]),
        },
    ),
    metrics=st.lists(st.sampled_from([0.0, 0.5, 0.9, 1.0, 1.0001, 2.0, -1.0]), min_size=1, max_size=60),
)
def test_reduce_on_plateau_schedule(lr, kwargs, metrics):
    opt = optimizer(lr)
    sched = hf.get_reduce_on_plateau_schedule(opt, **kwargs)
    rule = T.reduce_on_plateau_schedule(lr, **kwargs)
    state = rule.init()
    for m in metrics:
        sched.step(m)
        state = rule.update(state, m)
        assert lr * state.scale == pytest.approx(opt.param_groups[0]["lr"], rel=1e-12, abs=0.0)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    lr=st.sampled_from([1.0, 0.1, 0.5]),
    kwargs=st.fixed_dictionaries(
        {
            "factor": st.sampled_from([0.5, 0.9, 0.3]),
            "patience": st.integers(0, 3),
            "min_lr": st.sampled_from([0.0, 1e-3, 0.02]),
        },
        optional={
            "mode": st.sampled_from(["min", "max"]),
            "threshold": st.sampled_from([0.0, 1e-6, 0.1]),
            "threshold_mode": st.sampled_from(["rel", "abs"]),
            "cooldown": st.integers(0, 3),
            "warmup": st.integers(0, 3),
            "max_lr": st.sampled_from([1.0, 2.0, 0.6]),
            "eps": st.sampled_from([0.0, 1e-8, 1e-3]),
            "smooth": st.booleans(),
            "window_size": st.integers(1, 6),
            "reset_start": st.integers(0, 4),
        },
    ),
    metrics=st.lists(
        st.sampled_from([0.0, 0.5, 0.9, 1.0, 1.0001, 2.0, -1.0, 3.0, 0.1, math.nan]), min_size=1, max_size=80
    ),
)
def test_greedy_schedule(lr, kwargs, metrics):
    # HF's two-way GreedyLR against the greedy Plateau option, metric by metric
    opt = optimizer(lr)
    sched = hf.get_greedy_schedule(opt, **kwargs)
    rule = T.greedy_schedule(lr, **kwargs)
    state = rule.init()
    for k, m in enumerate(metrics):
        sched.step(m)
        state = rule.update(state, m)
        expected = opt.param_groups[0]["lr"]
        assert lr * state.scale == pytest.approx(expected, rel=1e-12, abs=0.0), (k, m)
        rel = abs(lr * state.scale - expected) / expected if expected else 0.0
        MAX_REL["greedy_schedule"] = max(MAX_REL.get("greedy_schedule", 0.0), rel)
        MAX_OF_PEAK["greedy_schedule"] = max(MAX_OF_PEAK.get("greedy_schedule", 0.0), abs(lr * state.scale - expected) / lr)
    assert rule == sa.parse(repr(rule)) == sa.from_dict(sa.to_dict(rule))
    data = json.loads(json.dumps(state.to_dict(), allow_nan=False))
    assert sa.PlateauState.from_dict(data).to_dict() == state.to_dict()  # (NaN != NaN: compared as data)


def test_greedy_schedule_raises_and_resets():
    # improvements raise the lr; a long plateau walks it down to min_lr, and
    # reset_start falls at the floor restart from base_lr (HF's GreedyLR)
    kwargs = {"factor": 0.5, "patience": 0, "min_lr": 0.25, "reset_start": 2}
    opt = optimizer(1.0)
    sched = hf.get_greedy_schedule(opt, **kwargs)
    rule = T.greedy_schedule(1.0, **kwargs)
    state, theirs, ours = rule.init(), [], []
    for m in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5]:
        sched.step(m)
        state = rule.update(state, m)
        theirs.append(opt.param_groups[0]["lr"])
        ours.append(state.scale)
    assert ours == theirs == [1.0, 0.5, 0.25, 1.0, 1.0, 0.5, 1.0]  # the 2nd floor hit resets


# ---------------------------------------------------------------------------
# documented differences, pinned
# ---------------------------------------------------------------------------


def test_difference_cosine_holds_where_hf_turns_back_up():
    lr, w, n = 1.0, 10, 110
    hf_lrs = hf_values(hf.get_cosine_schedule_with_warmup(optimizer(lr), w, n), lr, 2 * n)
    s = T.cosine_schedule_with_warmup(lr, w, n)
    assert hf_lrs[n] == pytest.approx(0.0, abs=1e-15) and hf_lrs[n + 50] == pytest.approx(0.5)
    assert s(n) == 0.0 and s(n + 50) == 0.0
    hf_min = hf_values(hf.get_cosine_with_min_lr_schedule_with_warmup(optimizer(lr), w, n, min_lr_rate=0.1), lr, 2 * n)
    m = T.cosine_with_min_lr_schedule_with_warmup(lr, w, n, min_lr_rate=0.1)
    assert hf_min[n + 100] == pytest.approx(1.0) and m(n + 100) == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: T.cosine_schedule_with_warmup(1.0, 10, 10), ValueError, "num_training_steps must be > num_warmup_steps=10"),
        (lambda: T.cosine_schedule_with_warmup(1.0, 0, 10, num_cycles=-0.5), ValueError, "num_cycles must be a number >= 0"),
        (lambda: T.cosine_with_hard_restarts_schedule_with_warmup(1.0, 0, 10, 1.5), TypeError, "num_cycles must be an integer"),
        (lambda: T.cosine_with_hard_restarts_schedule_with_warmup(1.0, 0, 10, 0), ValueError, "num_cycles must be an integer >= 1"),
        (lambda: T.polynomial_decay_schedule_with_warmup(1.0, 0, 10, lr_end=1.0), ValueError, "lr_end must be smaller than base_lr"),
        (lambda: T.polynomial_decay_schedule_with_warmup(1.0, 5, 5), ValueError, "num_training_steps must be >"),
        (lambda: T.polynomial_decay_schedule_with_warmup(1.0, 0, 5, power=-1.0), ValueError, "power must be a number >= 0"),
        (lambda: T.inverse_sqrt_schedule(1.0, 10, timescale=0), ValueError, "timescale must be an integer >= 1"),
        (lambda: T.cosine_with_min_lr_schedule_with_warmup(1.0, 0, 10), ValueError, "give one of min_lr and min_lr_rate"),
        (
            lambda: T.cosine_with_min_lr_schedule_with_warmup(1.0, 0, 10, min_lr=0.1, min_lr_rate=0.1),
            ValueError,
            "give only one of min_lr and min_lr_rate",
        ),
        (lambda: T.cosine_with_min_lr_schedule_with_warmup(1.0, 0, 10, min_lr_rate=-0.1), ValueError, "min_lr_rate must be"),
        (lambda: T.cosine_with_min_lr_schedule_with_warmup_lr_rate(1.0, 1, 10, min_lr_rate=0.0, warmup_lr_rate=0.1), ValueError, "num_warmup_steps >= 2"),
        (lambda: T.wsd_schedule(1.0, 10, 10), ValueError, "give num_training_steps or num_stable_steps"),
        (lambda: T.wsd_schedule(1.0, 10, 10, num_training_steps=15), ValueError, "num_training_steps must be >= num_warmup_steps"),
        (lambda: T.wsd_schedule(1.0, 10, 10, 100, decay_type="exp"), ValueError, "decay_type must be one of"),
        (lambda: T.wsd_schedule(1.0, 10, 0, 100), ValueError, "num_decay_steps must be an integer >= 1"),
        (lambda: T.wsd_schedule(1.0, 10, 10, 100, min_lr_ratio=-0.1), ValueError, "min_lr_ratio must be a number >= 0"),
        (lambda: T.reduce_on_plateau_schedule(1.0, factor=2.0), ValueError, "factor must be in"),
        (lambda: T.constant_schedule("1"), TypeError, "base_lr must be a real number"),
    ],
)
def test_validation(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_hf_rejects_what_the_presets_reject():
    # the raising configurations are HF's errors or crashes, not schedalg's taste
    with pytest.raises(ValueError, match="lr_end"):
        hf.get_polynomial_decay_schedule_with_warmup(optimizer(1.0), 0, 10, lr_end=1.0)
    with pytest.raises(ZeroDivisionError):
        hf.get_polynomial_decay_schedule_with_warmup(optimizer(1.0), 5, 5).lr_lambdas[0](5)
    with pytest.raises(ValueError, match="min_lr"):
        hf.get_cosine_with_min_lr_schedule_with_warmup(optimizer(1.0), 0, 10)
    with pytest.raises(ValueError, match="num_training_steps or num_stable_steps"):
        hf.get_wsd_schedule(optimizer(1.0), 10, 10)


def test_presets_are_ordinary_serializable_schedules():
    for s in [
        T.constant_schedule_with_warmup(0.1, 10),
        T.linear_schedule_with_warmup(0.1, 10, 100),
        T.cosine_schedule_with_warmup(0.1, 10, 100, num_cycles=1.5),
        T.cosine_with_hard_restarts_schedule_with_warmup(0.1, 10, 100, 3),
        T.polynomial_decay_schedule_with_warmup(0.1, 10, 100, power=2.0),
        T.inverse_sqrt_schedule(0.1, 10),
        T.cosine_with_min_lr_schedule_with_warmup(0.1, 10, 100, min_lr=1e-3),
        T.cosine_with_min_lr_schedule_with_warmup_lr_rate(0.1, 10, 100, min_lr_rate=0.1),
        T.wsd_schedule(0.1, 10, 20, 100, num_cycles=1.0),
    ]:
        assert isinstance(s, sa.Schedule)
        assert sa.parse(repr(s)) == s
        assert sa.from_dict(sa.to_dict(s)) == s


def test_import_does_not_import_transformers():
    code = "import sys, schedalg.presets.transformers; print('transformers' in sys.modules, 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_every_function_is_documented_with_an_example():
    for name in T.__all__:
        fn = getattr(T, name)
        assert fn.__doc__ and ">>>" in fn.__doc__, name
        assert hasattr(hf, f"get_{name}"), name


def test_report_table_is_filled():
    # runs last in this module (file order)
    assert MAX_REL, "no comparison ran"
    print("\nmax difference to transformers: relative (beyond 8 ulp of peak) | relative to peak")
    for name, value in sorted(MAX_REL.items()):
        print(f"  {name:50s} {value:.2e} | {MAX_OF_PEAK.get(name, 0.0):.2e}")
    for name, value in MAX_REL.items():
        assert value <= RTOL, (name, value)
