"""``schedalg.presets.timm`` against timm's formulas, restated here in float64.

timm cannot be installed here (it needs torchvision, which has no CPU build
for these machines), so the oracle is an independent float64 restatement of
the formulas of timm 1.0.31's sources, one function per scheduler below:

* ``timm/scheduler/cosine_lr.py``, ``CosineLRScheduler._get_lr``;
* ``timm/scheduler/tanh_lr.py``, ``TanhLRScheduler.__init__`` (the warmup
  target) and ``_get_lr``;
* ``timm/scheduler/poly_lr.py``, ``PolyLRScheduler._get_lr``;
* ``timm/scheduler/step_lr.py``, ``StepLRScheduler._get_lr``;
* ``timm/scheduler/multistep_lr.py``, ``MultiStepLRScheduler._get_lr`` and
  ``get_curr_decay_steps`` (``bisect_right(decay_t, t + 1)``);
* ``timm/scheduler/plateau_lr.py``, ``PlateauLRScheduler.step``, driving
  torch's own ``ReduceLROnPlateau`` as timm does;
* ``timm/scheduler/scheduler.py``, ``Scheduler._is_apply_noise`` and
  ``_calculate_noise`` (reproduced with ``torch.Generator`` for the noise
  distribution test).

Every preset is compared with its reference at every integer step of random
configurations (hypothesis, derandomized) running past warmup, several cycles
and the ``cycle_limit``, within a few ulp of the peak lr.
"""

from __future__ import annotations

import bisect
import math

import numpy as np
import pytest
from preset_diffs import record
from hypothesis import given, settings
from hypothesis import strategies as st

import schedalg as sa
from schedalg.presets import timm as P

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)
EPS = float(np.finfo(np.float64).eps)
ULPS = 64


# -- the reference: timm's formulas, in float64 --------------------------------------------------------------
def _cycle(t, t_initial, cycle_mul):
    """(index, length, steps into it) of the cycle holding ``t``, by timm's formula."""
    if cycle_mul == 1:
        i = t // t_initial
        return i, t_initial, t - t_initial * i
    i = math.floor(math.log(1 - t / t_initial * (1 - cycle_mul), cycle_mul))
    done = (1 - cycle_mul**i) / (1 - cycle_mul) * t_initial
    return i, cycle_mul**i * t_initial, t - done


def _cyclic_lr(t, c, base, shape):
    """The cycles of cosine/tanh/poly: ``shape(lr_max, t_curr, t_i)`` while ``i < cycle_limit``.

    ``c["force"] = (i, t_curr_fraction)`` overrides the cycle (see ``compare``).
    """
    if c["warmup_prefix"]:
        t = t - c["warmup_t"]
    i, t_i, t_curr = _cycle(t, c["t_initial"], c["cycle_mul"])
    if "force" in c:
        i, frac = c["force"]
        t_i = c["cycle_mul"] ** i * c["t_initial"]
        t_curr = frac * t_i
    if i >= c["cycle_limit"]:
        return c["lr_min"]
    return shape(base * c["cycle_decay"] ** i, t_curr, t_i)


def ref_cosine(t, c, base):
    k, low = c["k_decay"], c["lr_min"]

    def shape(top, t_curr, t_i):
        return low + 0.5 * (top - low) * (1 + math.cos(math.pi * t_curr**k / t_i**k))

    return _warmed(t, c, base, base, lambda u: _cyclic_lr(u, c, base, shape))


def ref_poly(t, c, base):
    k, low, p = c["k_decay"], c["lr_min"], c["power"]

    def shape(top, t_curr, t_i):
        return low + (top - low) * (1 - t_curr**k / t_i**k) ** p

    return _warmed(t, c, base, base, lambda u: _cyclic_lr(u, c, base, shape))


def ref_tanh(t, c, base):
    low, lb, ub = c["lr_min"], c["lb"], c["ub"]

    def shape(top, t_curr, t_i):
        tr = t_curr / t_i
        return low + 0.5 * (top - low) * (1 - math.tanh(lb * (1.0 - tr) + ub * tr))

    def main(u):
        return _cyclic_lr(u, c, base, shape)

    # tanh_lr.py __init__: without the prefix, the warmup rises to _get_lr(warmup_t)
    target = base if c["warmup_prefix"] or not c["warmup_t"] else main(c["warmup_t"])
    return _warmed(t, c, base, target, main)


def _warmed(t, c, base, target, main):
    w = c["warmup_t"]
    if t < w:
        slope = (target - c["warmup_lr_init"]) / w
        return c["warmup_lr_init"] + t * slope
    return main(t)


def ref_step(t, c, base):
    def main(u):
        if c["warmup_prefix"]:
            u = u - c["warmup_t"]
        return base * (c["decay_rate"] ** (u // c["decay_t"]))

    return _warmed(t, c, base, base, main)


def ref_multistep(t, c, base):
    def main(u):
        if c["warmup_prefix"]:
            u = u - c["warmup_t"]
        return base * (c["decay_rate"] ** bisect.bisect_right(c["decay_t"], u + 1))

    return _warmed(t, c, base, base, main)


def compare(ours: sa.Schedule, ref, c: dict, base: float, n: int) -> float:
    """Worst difference over the peak, in eps, at the steps ``0 .. n-1``.

    At a step where cycle ``k >= 1`` starts, timm's float logarithm and
    schedalg's float cycle starts may each round the step into the previous
    cycle, at its end: there the preset must be the restart value of cycle
    ``k`` or the end value of cycle ``k - 1`` (and the restart value when
    ``cycle_mul`` is an integer, where schedalg's cycle starts are exact).
    """
    steps = np.arange(n)
    want = np.array([ref(int(t), c, base) for t in steps], dtype=np.float64)
    got = ours(steps)
    peak = max(float(np.max(np.abs(want))), np.finfo(np.float64).tiny)
    err = np.abs(got - want) / peak / EPS
    expected = want.copy()
    offset = c["warmup_t"] if c.get("warmup_prefix") else 0
    for k, start in cycle_starts(c, n):
        t = start + offset
        if t >= n or t < c.get("warmup_t", 0):
            continue
        restart = ref(t, {**c, "force": (k, 0.0)}, base)
        end = ref(t, {**c, "force": (k - 1, 1.0)}, base)
        assert want[t] in (restart, end), (t, c)
        if c["cycle_mul"] == int(c["cycle_mul"]) or abs(got[t] - restart) <= abs(got[t] - end):
            expected[t] = restart
        else:
            expected[t] = end
        err[t] = abs(got[t] - expected[t]) / peak / EPS
    record(__name__, got, expected)
    worst = float(np.max(err))
    assert worst <= ULPS, (worst, c, int(np.argmax(err)), ours)
    return worst


def cycle_starts(c: dict, n: int) -> list[tuple[int, int]]:
    """``(k, step)`` for the cycle starts ``k >= 1`` within a float rounding of an integer step."""
    if "cycle_mul" not in c or c["cycle_mul"] == 1.0:
        return []
    out, k = [], 1
    while True:
        start = (1 - c["cycle_mul"] ** k) / (1 - c["cycle_mul"]) * c["t_initial"]
        if start >= n:
            return out
        if abs(start - round(start)) <= 1e-9 * start:
            out.append((k, round(start)))
        k += 1


# -- configurations ------------------------------------------------------------------------------------------
lrs = st.floats(1e-3, 2.0).map(lambda x: round(x, 6))
small = st.floats(0.0, 0.5).map(lambda x: round(x, 6))


def cyclic_configs(**extra):
    return st.fixed_dictionaries(
        {
            "t_initial": st.integers(1, 40),
            "lr_min": st.one_of(st.just(0.0), small),
            "cycle_mul": st.sampled_from([1.0, 1.0, 1.5, 2.0, 3.0]),
            "cycle_decay": st.sampled_from([1.0, 0.5, 0.8]),
            "cycle_limit": st.integers(0, 4),
            "warmup_t": st.integers(0, 12),
            "warmup_lr_init": small,
            "warmup_prefix": st.booleans(),
            **extra,
        }
    )


def run_length(c: dict) -> int:
    cycles = min(c["cycle_limit"], 4) + 1
    total = sum(c["t_initial"] * c["cycle_mul"] ** i for i in range(cycles))
    return int(total) + c["warmup_t"] + 20


k_decays = st.sampled_from([1.0, 1.0, 0.5, 2.0, 1.3])


@SETTINGS
@given(lrs, cyclic_configs(k_decay=k_decays))
def test_cosine_lr_scheduler(base, c):
    compare(P.cosine_lr_scheduler(base, **c), ref_cosine, c, base, run_length(c))


@SETTINGS
@given(lrs, cyclic_configs(k_decay=k_decays, power=st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.3])))
def test_poly_lr_scheduler(base, c):
    compare(P.poly_lr_scheduler(base, **c), ref_poly, c, base, run_length(c))


bounds = st.tuples(st.floats(-9.0, 2.0), st.floats(0.5, 6.0)).map(lambda p: (round(p[0], 3), round(p[0] + p[1], 3)))


@SETTINGS
@given(lrs, cyclic_configs(), bounds)
def test_tanh_lr_scheduler(base, c, lb_ub):
    c = {**c, "lb": lb_ub[0], "ub": lb_ub[1]}
    compare(P.tanh_lr_scheduler(base, **c), ref_tanh, c, base, run_length(c))


step_configs = st.fixed_dictionaries(
    {
        "decay_t": st.one_of(st.integers(1, 30), st.floats(0.5, 30.0).map(lambda x: round(x, 2))),
        "decay_rate": st.sampled_from([1.0, 0.5, 0.1, 0.0, 0.93]),
        "warmup_t": st.integers(0, 12),
        "warmup_lr_init": small,
        "warmup_prefix": st.booleans(),
    }
)


@SETTINGS
@given(lrs, step_configs)
def test_step_lr_scheduler(base, c):
    compare(P.step_lr_scheduler(base, **c), ref_step, c, base, 120)


multistep_configs = st.fixed_dictionaries(
    {
        "decay_t": st.lists(st.integers(0, 80), max_size=5).map(sorted),
        "decay_rate": st.sampled_from([1.0, 0.5, 0.1, 0.0, 0.93]),
        "warmup_t": st.integers(0, 12),
        "warmup_lr_init": small,
        "warmup_prefix": st.booleans(),
    }
)


@SETTINGS
@given(lrs, multistep_configs)
def test_multi_step_lr_scheduler(base, c):
    compare(P.multi_step_lr_scheduler(base, **c), ref_multistep, c, base, 120)


def test_defaults():
    for fn, ref, c in [
        (P.cosine_lr_scheduler, ref_cosine, {"t_initial": 50}),
        (P.poly_lr_scheduler, ref_poly, {"t_initial": 50}),
        (P.tanh_lr_scheduler, ref_tanh, {"t_initial": 50}),
    ]:
        full = {
            "lr_min": 0.0,
            "cycle_mul": 1.0,
            "cycle_decay": 1.0,
            "cycle_limit": 1,
            "warmup_t": 0,
            "warmup_lr_init": 0.0,
            "warmup_prefix": False,
            "k_decay": 1.0,
            "power": 0.5,
            "lb": -7.0,
            "ub": 3.0,
            **c,
        }
        compare(fn(0.1, **c), ref, full, 0.1, 80)
    full = {"decay_t": 7, "decay_rate": 1.0, "warmup_t": 0, "warmup_lr_init": 0.0, "warmup_prefix": True}
    compare(P.step_lr_scheduler(0.1, 7), ref_step, full, 0.1, 30)
    compare(P.multi_step_lr_scheduler(0.1, [7]), ref_multistep, {**full, "decay_t": [7]}, 0.1, 30)


def test_multistep_milestone_applies_one_step_early():
    s = P.multi_step_lr_scheduler(1.0, [10, 10, 30], decay_rate=0.5)
    assert [s(t) for t in (8, 9, 28, 29)] == [1.0, 0.25, 0.25, 0.125]


# -- plateau: timm's step() driving torch's ReduceLROnPlateau -------------------------------------------------
torch = pytest.importorskip("torch")


def timm_plateau_lrs(base, metrics, c):
    """The lr after ``step(epoch, metric)`` for epochs 1, 2, ... (plateau_lr.py)."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base)
    inner = torch.optim.lr_scheduler.ReduceLROnPlateau(
        opt,
        patience=c["patience_t"],
        factor=c["decay_rate"],
        threshold=c["threshold"],
        cooldown=c["cooldown_t"],
        mode=c["mode"],
        min_lr=c["lr_min"],
    )
    w = c["warmup_t"]
    if w:
        slope = (base - c["warmup_lr_init"]) / w
        opt.param_groups[0]["lr"] = c["warmup_lr_init"]
    lrs = [opt.param_groups[0]["lr"]]
    for epoch, metric in enumerate(metrics, start=1):
        if epoch <= w:
            opt.param_groups[0]["lr"] = c["warmup_lr_init"] + epoch * slope
        else:
            inner.step(metric)
        lrs.append(opt.param_groups[0]["lr"])
    return lrs


plateau_configs = st.fixed_dictionaries(
    {
        "decay_rate": st.sampled_from([0.1, 0.5, 0.9]),
        "patience_t": st.integers(0, 4),
        "threshold": st.sampled_from([1e-4, 0.0, 0.05]),
        "cooldown_t": st.integers(0, 3),
        "warmup_t": st.integers(0, 6),
        "warmup_lr_init": small,
        "lr_min": st.sampled_from([0.0, 1e-3]),
        "mode": st.sampled_from(["min", "max"]),
    }
)


@SETTINGS
@given(lrs, plateau_configs, st.lists(st.sampled_from([0.1, 0.2, 0.3, 0.5, 0.9]), min_size=1, max_size=40))
def test_plateau_lr_scheduler(base, c, metrics):
    schedule, rule = P.plateau_lr_scheduler(base, **c)
    want = timm_plateau_lrs(base, metrics, c)
    state = rule.init()
    got = [schedule(0) * state.scale]
    for epoch, metric in enumerate(metrics, start=1):
        if epoch > c["warmup_t"]:
            state = rule.update(state, metric)
        got.append(schedule(epoch) * state.scale)
    record(__name__, np.array(got), np.array(want))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_plateau_step_zero_difference():
    # warmup_t=0: the lr of timm's constructor is base_lr; step(0) would set warmup_lr_init
    schedule, _ = P.plateau_lr_scheduler(0.5, warmup_lr_init=0.1)
    assert schedule(0) == 0.5
    with pytest.raises(ValueError, match="base_lr"):
        P.plateau_lr_scheduler(0.0)


# -- noise -------------------------------------------------------------------------------------------------
def timm_noise(seed: int, t: int, pct: float, kind: str = "normal") -> float:
    """scheduler.py, ``_calculate_noise``: torch's generator reseeded with ``seed + t``."""
    g = torch.Generator()
    g.manual_seed(seed + t)
    if kind == "normal":
        while True:
            n = torch.randn(1, generator=g).item()
            if abs(n) < pct:
                return n
    return 2 * (torch.rand(1, generator=g).item() - 0.5) * pct


def multiplier(s: sa.Schedule, plain: sa.Schedule, n: int) -> np.ndarray:
    steps = np.arange(n)
    return s(steps) / plain(steps) - 1.0


@pytest.mark.parametrize("noise_range_t", [5, (5, 30), [0, 12]])
def test_noise_range_and_bound(noise_range_t):
    kw = dict(t_initial=40, lr_min=0.01, warmup_t=3, warmup_lr_init=0.01)
    plain = P.cosine_lr_scheduler(1.0, **kw)
    noisy = P.cosine_lr_scheduler(1.0, **kw, noise_range_t=noise_range_t, noise_pct=0.3, noise_seed=7)
    n = multiplier(noisy, plain, 60)
    lo, hi = (noise_range_t, math.inf) if isinstance(noise_range_t, int) else noise_range_t
    inside = (np.arange(60) >= lo) & (np.arange(60) < hi)
    assert np.all(n[~inside] == 0.0)
    assert np.all(np.abs(n[inside]) < 0.3 + 1e-12)
    assert np.count_nonzero(n[inside]) == np.count_nonzero(inside)
    # the draw depends on the step and the seed alone: same steps, same draws, in any scheduler
    other = P.step_lr_scheduler(1.0, 10, noise_range_t=noise_range_t, noise_pct=0.3, noise_seed=7)
    m = multiplier(other, P.step_lr_scheduler(1.0, 10), 60)
    np.testing.assert_allclose(m[inside], n[inside], rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", ["normal", "uniform"])
def test_noise_distribution_is_timms(kind):
    from scipy import stats

    pct = 0.67
    # plateau_lr_scheduler takes noise_type; the others draw normal noise
    schedule, _ = P.plateau_lr_scheduler(1.0, noise_range_t=0, noise_type=kind, noise_pct=pct, noise_seed=3)
    ours = schedule(np.arange(1, 20001)) - 1.0
    theirs = np.array([timm_noise(42, t, pct, kind) for t in range(1, 2001)])
    assert np.all(np.abs(ours) < pct) and np.all(np.abs(theirs) < pct)
    assert stats.ks_2samp(ours, theirs).pvalue > 1e-3
    if kind == "normal":
        exact = stats.truncnorm(-pct, pct)  # N(0, 1) redrawn until |n| < pct
    else:
        exact = stats.uniform(-pct, 2 * pct)
    assert stats.kstest(ours, exact.cdf).pvalue > 1e-3
    # noise_std has no effect, in timm (it draws torch.randn) as here
    again, _ = P.plateau_lr_scheduler(1.0, noise_range_t=0, noise_type=kind, noise_pct=pct, noise_std=0.1, noise_seed=3)
    assert again == schedule


def test_plateau_noise_only_after_warmup():
    schedule, _ = P.plateau_lr_scheduler(1.0, warmup_t=4, warmup_lr_init=0.1, noise_range_t=0, noise_pct=0.5)
    plain, _ = P.plateau_lr_scheduler(1.0, warmup_t=4, warmup_lr_init=0.1)
    n = multiplier(schedule, plain, 20)
    assert np.all(n[:5] == 0.0) and np.all(n[5:] != 0.0)


# -- documented differences -----------------------------------------------------------------------------------
def test_timm_logarithm_misplaces_a_cycle_start():
    # cycle 5 of t_initial=14, cycle_mul=3 starts at 14 * (3**5 - 1) / 2 = 1694;
    # timm's float log(243, 3) rounds below 5 and returns the end of cycle 4
    c = {
        "t_initial": 14,
        "lr_min": 0.0,
        "cycle_mul": 3.0,
        "cycle_decay": 1.0,
        "cycle_limit": 6,
        "warmup_t": 0,
        "warmup_lr_init": 0.0,
        "warmup_prefix": False,
        "k_decay": 1.0,
    }
    assert ref_cosine(1694, c, 1.0) == 0.0
    assert P.cosine_lr_scheduler(1.0, 14, cycle_mul=3.0, cycle_limit=6)(1694) == 1.0


def test_rejected_configurations():
    with pytest.raises(ValueError, match="cycle_mul"):
        P.cosine_lr_scheduler(1.0, 10, cycle_mul=0.5)
    with pytest.raises(ValueError, match="k_decay"):
        P.cosine_lr_scheduler(1.0, 10, k_decay=0.0)
    with pytest.raises(ValueError, match="power"):
        P.poly_lr_scheduler(1.0, 10, power=-1.0)
    with pytest.raises(ValueError, match="decay_rate"):
        P.step_lr_scheduler(1.0, 10, decay_rate=-0.5)
    with pytest.raises(ValueError, match="decay_t"):
        P.multi_step_lr_scheduler(1.0, [20, 10])
    with pytest.raises(ValueError, match="lb"):
        P.tanh_lr_scheduler(1.0, 10, lb=3.0, ub=-7.0)
    with pytest.raises(ValueError, match="t_initial"):
        P.cosine_lr_scheduler(1.0, 0)


def test_presets_are_ordinary_serializable_schedules():
    for s in (
        P.cosine_lr_scheduler(1.0, 10, lr_min=0.1, cycle_mul=2.0, cycle_decay=0.5, cycle_limit=3, warmup_t=2, k_decay=2.0),
        P.tanh_lr_scheduler(1.0, 10, cycle_limit=2, warmup_t=3),
        P.poly_lr_scheduler(1.0, 10, power=2.0, noise_range_t=5),
        P.multi_step_lr_scheduler(1.0, [5, 9], 0.5, warmup_t=2),
    ):
        assert isinstance(s, sa.Schedule)
        assert sa.parse(repr(s)) == s
        assert sa.from_dict(sa.to_dict(s)) == s
