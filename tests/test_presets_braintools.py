"""``schedalg.presets.braintools`` against braintools 0.3.0 itself.

Each braintools scheduler is created as its docs say (``base_lr``,
``last_epoch=0``) and stepped with ``step()``; after ``t`` steps its
``get_last_lr()[0]`` is compared with the preset at ``t``, for random
configurations (hypothesis, derandomized) over a run longer than one cycle.
JAX runs with ``jax_enable_x64`` (a module fixture restores the previous
value), so braintools' ``jnp`` formulas compute in float64 and agree to a
few ulp of the peak (a value braintools returns in float32 would be compared
within float32 rounding; none does under x64). The presets that reuse
:mod:`schedalg.presets.torch` are checked to be exactly the torch preset.
"""

from __future__ import annotations

import numpy as np
import pytest
from preset_diffs import record
from hypothesis import given, settings
from hypothesis import strategies as st

import schedalg as sa
from schedalg.presets import braintools as B
from schedalg.presets import torch as T

jax = pytest.importorskip("jax")
optim = pytest.importorskip("braintools.optim")

SETTINGS = settings(max_examples=10, deadline=None, derandomize=True)
EPS64 = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)


@pytest.fixture(scope="module", autouse=True)
def x64():
    previous = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    yield
    jax.config.update("jax_enable_x64", previous)


def stepped(scheduler, n: int) -> tuple[np.ndarray, bool]:
    """The lr after 0, 1, ..., n - 1 ``step()`` calls, and whether it was float32."""
    out = []
    single = False
    for i in range(n):
        if i:
            scheduler.step()
        v = scheduler.get_last_lr()[0]
        single |= np.asarray(v).dtype == np.float32
        out.append(float(v))
    return np.array(out), single


def check(ours: sa.Schedule, scheduler, n: int, ulps: float = 16) -> float:
    want, single = stepped(scheduler, n)
    got = ours(np.arange(n))
    record(__name__, got, want)
    peak = max(float(np.max(np.abs(want))), np.finfo(np.float64).tiny)
    eps = EPS32 if single else EPS64
    err = float(np.max(np.abs(got - want))) / peak / eps
    assert err <= ulps, (err, ours, int(np.argmax(np.abs(got - want))))
    return err


lrs = st.floats(1e-3, 2.0).map(lambda x: round(x, 6))
small = st.floats(0.0, 0.5).map(lambda x: round(x, 6))
gammas = st.floats(0.05, 1.5).map(lambda x: round(x, 4))


@SETTINGS
@given(lrs, st.integers(1, 30), gammas)
def test_step_lr(base, step_size, gamma):
    ours = B.step_lr(base, step_size, gamma)
    assert ours == T.step_lr(base, step_size, gamma)
    check(ours, optim.StepLR(base_lr=base, step_size=step_size, gamma=gamma), 3 * step_size + 5)


@SETTINGS
@given(lrs, st.lists(st.integers(0, 60), max_size=4), gammas)
def test_multistep_lr(base, milestones, gamma):
    ours = B.multistep_lr(base, milestones, gamma)
    assert ours == T.multistep_lr(base, milestones, gamma)
    check(ours, optim.MultiStepLR(base_lr=base, milestones=milestones, gamma=gamma), 70)


@SETTINGS
@given(lrs, st.floats(0.8, 1.05))
def test_exponential_lr(base, gamma):
    ours = B.exponential_lr(base, gamma)
    assert ours == T.exponential_lr(base, gamma)
    check(ours, optim.ExponentialLR(base_lr=base, gamma=gamma), 60)


@SETTINGS
@given(lrs, st.integers(1, 40), st.floats(0.0, 3.0))
def test_polynomial_lr(base, total, power):
    ours = B.polynomial_lr(base, total, power)
    assert ours == T.polynomial_lr(base, total, power)
    check(ours, optim.PolynomialLR(base_lr=base, total_iters=total, power=power), total + 10)


@settings(max_examples=4, deadline=None, derandomize=True)
@given(lrs, st.integers(1, 12), st.integers(1, 3), small)
def test_cosine_annealing_warm_restarts(base, t0, mult, low):
    ours = B.cosine_annealing_warm_restarts(base, t0, mult, low)
    assert ours == T.cosine_annealing_warm_restarts(base, t0, mult, low)
    scheduler = optim.CosineAnnealingWarmRestarts(base_lr=base, T_0=t0, T_mult=mult, eta_min=low)
    check(ours, scheduler, t0 * (1 + mult + mult**2) + 3)


@SETTINGS
@given(small, lrs, st.integers(1, 20), st.sampled_from(["triangular", "triangular2", "exp_range"]), st.floats(0.9, 1.0))
def test_cyclic_lr(base, top, up, mode, gamma):
    ours = B.cyclic_lr(base, top, up, None, mode, gamma)
    assert ours == T.cyclic_lr(base, top, up, None, mode, gamma)
    scheduler = optim.CyclicLR(base_lr=base, max_lr=top, step_size_up=up, mode=mode, gamma=gamma)
    check(ours, scheduler, 6 * up + 3)


@SETTINGS
@given(lrs, st.floats(-1.0, 2.0), st.floats(-1.0, 2.0), st.integers(0, 30))
def test_linear_lr(base, start, end, total):
    ours = B.linear_lr(base, start, end, total)
    check(ours, optim.LinearLR(base_lr=base, start_factor=start, end_factor=end, total_iters=total), total + 10)


@SETTINGS
@given(lrs, st.floats(-1.0, 2.0), st.integers(0, 30))
def test_constant_lr(base, factor, total):
    ours = B.constant_lr(base, factor, total)
    check(ours, optim.ConstantLR(base_lr=base, factor=factor, total_iters=total), total + 10)


@SETTINGS
@given(lrs, st.integers(1, 40), small)
def test_cosine_annealing_lr(base, t_max, low):
    ours = B.cosine_annealing_lr(base, t_max, low)
    check(ours, optim.CosineAnnealingLR(base_lr=base, T_max=t_max, eta_min=low), 2 * t_max + 10)


@SETTINGS
@given(
    lrs,
    st.integers(2, 80),
    st.floats(0.05, 0.95),
    st.sampled_from(["cos", "linear"]),
    st.floats(1.0, 50.0),
    st.floats(1.0, 1e4),
)
def test_one_cycle_lr(top, total, pct, strategy, div, final_div):
    ours = B.one_cycle_lr(top, total, pct_start=pct, anneal_strategy=strategy, div_factor=div, final_div_factor=final_div)
    scheduler = optim.OneCycleLR(
        max_lr=top, total_steps=total, pct_start=pct, anneal_strategy=strategy, div_factor=div, final_div_factor=final_div
    )
    check(ours, scheduler, total + 10)


def test_one_cycle_lr_epochs():
    ours = B.one_cycle_lr(1.0, epochs=3, steps_per_epoch=7)
    check(ours, optim.OneCycleLR(max_lr=1.0, epochs=3, steps_per_epoch=7), 30)


@SETTINGS
@given(lrs, st.integers(0, 30), small)
def test_warmup_scheduler(base, warmup, start):
    ours = B.warmup_scheduler(base, warmup, start)
    check(ours, optim.WarmupScheduler(base_lr=base, warmup_epochs=warmup, warmup_start_lr=start), warmup + 10)


@SETTINGS
@given(lrs, st.integers(0, 30), st.integers(0, 60), small, small)
def test_warmup_cosine_schedule(base, warmup, total, start, low):
    ours = B.warmup_cosine_schedule(base, warmup, total, start, low)
    scheduler = optim.WarmupCosineSchedule(
        base_lr=base, warmup_steps=warmup, total_steps=total, warmup_start_lr=start, eta_min=low
    )
    check(ours, scheduler, max(warmup, total) + 10)


@SETTINGS
@given(lrs, st.integers(1, 20), st.floats(0.3, 1.5), st.integers(0, 20), st.booleans(), st.one_of(st.none(), small))
def test_exponential_decay_lr(base, steps, rate, begin, staircase, end):
    ours = B.exponential_decay_lr(base, steps, rate, begin, staircase, end)
    scheduler = optim.ExponentialDecayLR(
        base_lr=base, decay_steps=steps, decay_rate=rate, transition_begin=begin, staircase=staircase, end_value=end
    )
    check(ours, scheduler, begin + 3 * steps + 10)


@SETTINGS
@given(lrs, st.lists(st.integers(1, 60), max_size=4, unique=True), st.data())
def test_piecewise_constant_schedule(base, bounds, data):
    bounds = sorted(bounds)
    values = data.draw(st.lists(lrs, min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    ours = B.piecewise_constant_schedule(base, bounds, values)
    check(ours, optim.PiecewiseConstantSchedule(base_lr=base, boundaries=bounds, values=values), 70)


def test_defaults_are_braintools():
    for name, cls in [
        ("step_lr", optim.StepLR),
        ("exponential_lr", optim.ExponentialLR),
        ("cosine_annealing_lr", optim.CosineAnnealingLR),
        ("polynomial_lr", optim.PolynomialLR),
        ("warmup_scheduler", optim.WarmupScheduler),
        ("linear_lr", optim.LinearLR),
        ("constant_lr", optim.ConstantLR),
        ("cosine_annealing_warm_restarts", optim.CosineAnnealingWarmRestarts),
        ("warmup_cosine_schedule", optim.WarmupCosineSchedule),
        ("piecewise_constant_schedule", optim.PiecewiseConstantSchedule),
        ("exponential_decay_lr", optim.ExponentialDecayLR),
    ]:
        n = 40 if name != "piecewise_constant_schedule" else 2100
        check(getattr(B, name)(), cls(), n)
    check(B.multistep_lr(), optim.MultiStepLR(), 100)
    check(B.one_cycle_lr(total_steps=50), optim.OneCycleLR(total_steps=50), 60)


# -- documented differences --------------------------------------------------------------------------------
def test_cosine_annealing_lr_holds_where_torch_turns_back():
    s = B.cosine_annealing_lr(1.0, T_max=10, eta_min=0.1)
    assert s(20) == 0.1
    assert T.cosine_annealing_lr(1.0, T_max=10, eta_min=0.1)(20) == 1.0
    want, _ = stepped(optim.CosineAnnealingLR(base_lr=1.0, T_max=10, eta_min=0.1), 21)
    assert abs(want[20] - 0.1) < 1e-15


def test_one_cycle_lr_differs_from_torch():
    ours = B.one_cycle_lr(1.0, total_steps=100)
    assert ours(100) == 1.0 / 1e4  # max_lr / final_div_factor (torch: max_lr / 25 / 1e4)
    assert abs(T.one_cycle_lr(1.0, total_steps=100)(99) - 1.0 / 25 / 1e4) < 1e-18
    assert ours(15) == pytest.approx(0.04 + 0.5 * 0.96)  # linear warmup (torch: cosine)


@SETTINGS
@given(
    small,
    lrs,
    st.integers(1, 12),
    st.integers(1, 12),
    st.sampled_from(["triangular", "triangular2", "exp_range"]),
    st.floats(0.9, 1.0),
)
def test_cyclic_lr_asymmetric(base, top, up, down, mode, gamma):
    # braintools' wave ignores step_size_down inside the cycle: the preset follows it
    ours = B.cyclic_lr(base, top, up, down, mode, gamma)
    scheduler = optim.CyclicLR(base_lr=base, max_lr=top, step_size_up=up, step_size_down=down, mode=mode, gamma=gamma)
    check(ours, scheduler, 4 * (up + down) + 3)


def test_cyclic_lr_scale_fn():
    def halve(x):
        return 0.5 ** (x - 1)

    for mode in ("cycle", "iterations"):
        for down in (None, 3):
            ours = B.cyclic_lr(0.0, 1.0, 4, down, scale_fn=halve, scale_mode=mode)
            check(ours, optim.CyclicLR(base_lr=0.0, max_lr=1.0, step_size_up=4, step_size_down=down, scale_fn=halve, scale_mode=mode), 30)


def test_cyclic_lr_drifts_as_braintools():
    want, _ = stepped(optim.CyclicLR(base_lr=0.0, max_lr=1.0, step_size_up=4, step_size_down=3), 16)
    assert int(np.argmax(want[:7])) == 4 and int(np.argmax(want[7:14])) + 7 == 12  # not torch's 11
    ours = B.cyclic_lr(0.0, 1.0, step_size_up=4, step_size_down=3)
    assert ours(12) == 1.0 and ours(11) == 0.75
    assert T.cyclic_lr(0.0, 1.0, step_size_up=4, step_size_down=3)(11) == 1.0
    assert B.cyclic_lr(0.0, 1.0, step_size_up=4, step_size_down=4) == B.cyclic_lr(0.0, 1.0, step_size_up=4)


def test_positive_gamma_required():
    for fn in (B.step_lr, B.multistep_lr, B.exponential_lr):
        with pytest.raises(ValueError, match="gamma"):
            fn(1.0, gamma=0.0)
    with pytest.raises(ValueError, match="decay_rate"):
        B.exponential_decay_lr(1.0, decay_rate=-0.5)
    with pytest.raises(ValueError, match="power"):
        B.polynomial_lr(1.0, power=-1.0)


def test_piecewise_constant_schedule_ignores_base_lr():
    assert B.piecewise_constant_schedule(0.5, [10], [1.0, 0.1]) == B.piecewise_constant_schedule(3.0, [10], [1.0, 0.1])
    with pytest.raises(ValueError, match="boundaries"):
        B.piecewise_constant_schedule(1.0, [20, 10], [1.0, 0.5, 0.1])


def test_warmup_cosine_schedule_rejects_negative_warmup():
    with pytest.raises(ValueError, match="warmup_steps"):
        B.warmup_cosine_schedule(1.0, warmup_steps=-2)


CLASSES = {
    "step_lr": "StepLR",
    "multistep_lr": "MultiStepLR",
    "exponential_lr": "ExponentialLR",
    "exponential_decay_lr": "ExponentialDecayLR",
    "cosine_annealing_lr": "CosineAnnealingLR",
    "polynomial_lr": "PolynomialLR",
    "warmup_scheduler": "WarmupScheduler",
    "cyclic_lr": "CyclicLR",
    "one_cycle_lr": "OneCycleLR",
    "linear_lr": "LinearLR",
    "constant_lr": "ConstantLR",
    "cosine_annealing_warm_restarts": "CosineAnnealingWarmRestarts",
    "warmup_cosine_schedule": "WarmupCosineSchedule",
    "piecewise_constant_schedule": "PiecewiseConstantSchedule",
}


@pytest.mark.parametrize("name", B.__all__)
def test_signature_is_braintools(name):
    """braintools' argument names and defaults, in its order, ``last_epoch`` dropped."""
    import inspect

    theirs = dict(inspect.signature(getattr(optim, CLASSES[name]).__init__).parameters)
    theirs.pop("self")
    theirs.pop("last_epoch")
    ours = inspect.signature(getattr(B, name)).parameters
    assert list(ours) == list(theirs)
    for arg, p in theirs.items():
        assert ours[arg].default == p.default, arg
