"""Plateau: hand-computed decision tables, state round trips, and oracles.

The oracles are torch's ``ReduceLROnPlateau`` (``factor < 1``) and bs-scheduler's
``IncreaseBSOnPlateau`` (``factor > 1``), fed the same hypothesis-drawn metric
sequences as the pure rule.
"""

from __future__ import annotations

import dataclasses
import json
import math
import pickle
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedalg.plateau import Plateau, PlateauState

INF = math.inf


def run(rule: Plateau, metrics, state: PlateauState | None = None) -> list[PlateauState]:
    state = rule.init() if state is None else state
    out = []
    for m in metrics:
        state = rule.update(state, m)
        out.append(state)
    return out


def scales(rule: Plateau, metrics) -> list[float]:
    return [s.scale for s in run(rule, metrics)]


# ---------------------------------------------------------------------------
# Hand-computed decision tables
# ---------------------------------------------------------------------------


def test_init_state():
    assert Plateau().init() == PlateauState(scale=1.0, best=INF, num_bad_epochs=0, cooldown_counter=0, epoch=0)
    assert Plateau(mode="max").init().best == -INF


def test_patience_zero_table():
    # torch's docstring example: the first metric sets the baseline, every later
    # non-improving metric reduces at once.
    rule = Plateau(factor=0.5, patience=0, threshold=0.0)
    table = [
        # metric, scale, best, bad
        (1.0, 1.0, 1.0, 0),
        (2.0, 0.5, 1.0, 0),
        (1.0, 0.25, 1.0, 0),  # equal is not better
        (0.5, 0.25, 0.5, 0),
        (0.6, 0.125, 0.5, 0),
    ]
    states = run(rule, [row[0] for row in table])
    for (metric, scale, best, bad), s in zip(table, states):
        assert (s.scale, s.best, s.num_bad_epochs) == (scale, best, bad), metric
    assert [s.epoch for s in states] == [1, 2, 3, 4, 5]


def test_patience_counts_like_torch():
    # patience=2: the change comes with the 3rd bad epoch after the baseline,
    # i.e. at the (patience + 2)-th metric of a flat run.
    rule = Plateau(factor=0.1, patience=2)
    states = run(rule, [5.0] * 8)
    assert [s.num_bad_epochs for s in states] == [0, 1, 2, 0, 1, 2, 0, 1]
    assert [s.scale for s in states] == pytest.approx([1, 1, 1, 0.1, 0.1, 0.1, 0.01, 0.01], rel=1e-15)


def test_improvement_resets_bad_epochs():
    rule = Plateau(factor=0.5, patience=1, threshold=0.0)
    states = run(rule, [3.0, 3.0, 2.0, 2.0, 2.0, 1.0, 1.0])
    assert [s.num_bad_epochs for s in states] == [0, 1, 0, 1, 0, 0, 1]
    assert [s.scale for s in states] == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5]


def test_cooldown_table():
    # cooldown=2: after a change, two metrics are ignored (counter 2 -> 1 -> 0).
    rule = Plateau(factor=0.5, patience=0, cooldown=2, threshold=0.0)
    states = run(rule, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    assert [s.scale for s in states] == [1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]
    assert [s.cooldown_counter for s in states] == [0, 2, 1, 0, 2, 1, 0]
    assert [s.num_bad_epochs for s in states] == [0, 0, 0, 0, 0, 0, 0]


def test_improvement_during_cooldown_still_updates_best():
    rule = Plateau(factor=0.5, patience=0, cooldown=2, threshold=0.0)
    states = run(rule, [1.0, 1.0, 0.5, 0.7])
    assert [s.best for s in states] == [1.0, 1.0, 0.5, 0.5]
    assert [s.scale for s in states] == [1.0, 0.5, 0.5, 0.5]


def test_rel_threshold_min():
    # best * (1 - 0.1) = 0.9: 0.95 and 0.9 are not improvements, 0.89 is.
    rule = Plateau(threshold=0.1, patience=5)
    states = run(rule, [1.0, 0.95, 0.9, 0.89])
    assert [s.best for s in states] == [1.0, 1.0, 1.0, 0.89]
    assert [s.num_bad_epochs for s in states] == [0, 1, 2, 0]


def test_rel_threshold_negative_best_follows_torch():
    # torch multiplies best by (1 - threshold) whatever its sign: with best=-1
    # the bar is -0.9, so -0.95 counts as an improvement although it is worse.
    rule = Plateau(threshold=0.1, patience=5)
    states = run(rule, [-1.0, -0.95])
    assert [s.best for s in states] == [-1.0, -0.95]


def test_abs_threshold_min_and_max():
    rule = Plateau(threshold=0.5, threshold_mode="abs", patience=5)
    assert [s.best for s in run(rule, [10.0, 9.6, 9.5, 9.4])] == [10.0, 10.0, 10.0, 9.4]
    rule = Plateau(mode="max", threshold=0.5, threshold_mode="abs", patience=5)
    assert [s.best for s in run(rule, [10.0, 10.4, 10.5, 10.6])] == [10.0, 10.0, 10.0, 10.6]


def test_rel_threshold_max():
    rule = Plateau(mode="max", threshold=0.1, patience=5)
    # bar 1.1 * 10 = 11.000000000000002 (float), so 11.0 is not better
    assert [s.best for s in run(rule, [10.0, 11.0, 11.2])] == [10.0, 10.0, 11.2]


def test_max_mode_reduces_on_stall():
    rule = Plateau(mode="max", factor=0.5, patience=1, threshold=0.0)
    assert scales(rule, [0.1, 0.2, 0.2, 0.2, 0.3]) == [1.0, 1.0, 1.0, 0.5, 0.5]


def test_min_scale_floor():
    rule = Plateau(factor=0.1, patience=0, min_scale=0.05, threshold=0.0)
    assert scales(rule, [1.0] * 5) == pytest.approx([1.0, 0.1, 0.05, 0.05, 0.05], rel=1e-15)


def test_min_scale_above_start_never_raises_the_scale():
    # torch: new = max(lr * factor, min_lr) > lr, old - new < eps: nothing happens.
    rule = Plateau(factor=0.5, patience=0, min_scale=1.5)
    assert scales(rule, [1.0] * 4) == [1.0] * 4
    # and a floor between the current and the reduced scale is reached at once
    rule = Plateau(factor=0.5, patience=0, min_scale=0.8)
    assert scales(rule, [1.0] * 3) == [1.0, 0.8, 0.8]


def test_eps_blocks_small_changes():
    # 1 -> 0.5 -> 0.25 -> 0.125 -> 0.0625: the change 0.125 -> 0.0625 is 0.0625 <= eps.
    rule = Plateau(factor=0.5, patience=0, eps=0.0625, threshold=0.0)
    assert scales(rule, [1.0] * 6) == [1.0, 0.5, 0.25, 0.125, 0.125, 0.125]


def test_eps_blocked_change_still_starts_cooldown():
    rule = Plateau(factor=0.5, patience=0, eps=10.0, cooldown=1, threshold=0.0)
    states = run(rule, [1.0, 1.0, 1.0, 1.0])
    assert [s.scale for s in states] == [1.0] * 4
    assert [s.cooldown_counter for s in states] == [0, 1, 0, 1]


def test_growth_with_max_scale():
    rule = Plateau(factor=2.0, patience=1, max_scale=5.0, threshold=0.0)
    assert scales(rule, [1.0] * 9) == [1.0, 1.0, 2.0, 2.0, 4.0, 4.0, 5.0, 5.0, 5.0]


def test_growth_eps():
    rule = Plateau(factor=2.0, patience=0, max_scale=4.5, eps=0.5, threshold=0.0)
    # 1 -> 2 -> 4 -> (4.5 - 4 = 0.5 <= eps: blocked)
    assert scales(rule, [1.0] * 5) == [1.0, 2.0, 4.0, 4.0, 4.0]


def test_infinite_metrics():
    rule = Plateau(patience=0, factor=0.5)
    states = run(rule, [INF, INF, 1.0, -INF])
    # inf < inf * (1 - 1e-4) is False: the very first metric is already bad
    assert [s.scale for s in states] == [0.5, 0.25, 0.25, 0.25]
    assert states[-1].best == -INF
    rule = Plateau(mode="max", patience=3)
    assert run(rule, [INF])[0].best == INF


def test_nan_raises_by_default():
    rule = Plateau()
    state = rule.update(rule.init(), 1.0)
    with pytest.raises(ValueError, match="NaN at epoch 2"):
        rule.update(state, float("nan"))


def test_nan_policy_bad_counts_a_bad_epoch():
    rule = Plateau(factor=0.5, patience=1, nan_policy="bad")
    states = run(rule, [1.0, math.nan, math.nan, 0.5])
    assert [s.num_bad_epochs for s in states] == [0, 1, 0, 0]
    assert [s.scale for s in states] == [1.0, 1.0, 0.5, 0.5]
    assert [s.best for s in states] == [1.0, 1.0, 1.0, 0.5]


def test_metric_types():
    import numpy as np
    import torch

    rule = Plateau()
    s = rule.init()
    assert rule.update(s, 3).best == 3.0
    assert rule.update(s, np.float32(2.5)).best == 2.5
    assert rule.update(s, np.array(1.5)).best == 1.5
    assert rule.update(s, torch.tensor(0.5)).best == 0.5
    for bad in (True, "1.0", None, [1.0]):
        with pytest.raises(TypeError, match="metric must be a real number"):
            rule.update(s, bad)
    with pytest.raises(TypeError, match="state must be a PlateauState"):
        rule.update({"scale": 1.0}, 1.0)


def test_update_is_pure():
    rule = Plateau(factor=0.5, patience=0)
    s0 = rule.init()
    s1 = rule.update(s0, 1.0)
    s2a = rule.update(s1, 2.0)
    s2b = rule.update(s1, 2.0)
    assert s0 == rule.init() and s2a == s2b and s2a is not s1
    with pytest.raises(dataclasses.FrozenInstanceError):
        s1.scale = 3.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.factor = 0.3  # type: ignore[misc]


def test_rule_and_state_are_values():
    a = Plateau(factor=0.5, patience=3)
    b = Plateau(factor=0.5, patience=3)
    assert a == b and hash(a) == hash(b) and a != Plateau(factor=0.5, patience=4)
    assert pickle.loads(pickle.dumps(a)) == a
    assert Plateau(factor=2) == Plateau(factor=2.0)
    s = run(a, [1.0, 2.0])[-1]
    assert pickle.loads(pickle.dumps(s)) == s and hash(s) == hash(PlateauState(**dataclasses.asdict(s)))
    assert not hasattr(a, "__dict__") and not hasattr(s, "__dict__")
    assert repr(a).startswith("Plateau(mode='min', factor=0.5, patience=3,")


# ---------------------------------------------------------------------------
# State serialization
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state",
    [
        PlateauState(),
        PlateauState(scale=0.001, best=-INF, num_bad_epochs=3, cooldown_counter=2, epoch=17),
        PlateauState(scale=INF, best=INF),
        PlateauState(scale=0.0, best=-1e300),
    ],
)
def test_state_to_dict_is_strict_json(state):
    d = state.to_dict()
    text = json.dumps(d, allow_nan=False)
    back = PlateauState.from_dict(json.loads(text))
    assert back == state
    assert set(d) == {"scale", "best", "num_bad_epochs", "cooldown_counter", "epoch"}


def test_state_to_dict_encodes_infinities_as_strings():
    assert PlateauState().to_dict()["best"] == "inf"
    assert Plateau(mode="max").init().to_dict()["best"] == "-inf"


def test_state_round_trip_resumes_exactly():
    rule = Plateau(factor=0.5, patience=1, cooldown=1)
    metrics = [3.0, 2.0, 2.0, 2.0, 2.5, 1.0, 1.0, 1.0, 1.0, 1.0]
    straight = run(rule, metrics)
    mid = json.loads(json.dumps(straight[4].to_dict(), allow_nan=False))
    resumed = run(rule, metrics[5:], PlateauState.from_dict(mid))
    assert resumed == straight[5:]


@pytest.mark.parametrize(
    ("data", "error", "match"),
    [
        ({"scale": 1.0}, ValueError, "needs exactly the keys"),
        ({**PlateauState().to_dict(), "extra": 1}, ValueError, r"unknown \['extra'\]"),
        ({**PlateauState().to_dict(), "best": "nan"}, ValueError, "best must be a finite number, 'inf' or '-inf'"),
        ({**PlateauState().to_dict(), "best": float("nan")}, ValueError, "best must be"),
        ({**PlateauState().to_dict(), "scale": -1.0}, ValueError, "scale must be a number >= 0"),
        ({**PlateauState().to_dict(), "epoch": -1}, ValueError, "epoch must be an integer >= 0"),
        ({**PlateauState().to_dict(), "epoch": 1.5}, TypeError, "epoch must be an integer"),
        ({**PlateauState().to_dict(), "num_bad_epochs": True}, TypeError, "num_bad_epochs must be an integer"),
        ([1, 2], TypeError, "must be a dict"),
    ],
)
def test_state_from_dict_rejects(data, error, match):
    with pytest.raises(error, match=match):
        PlateauState.from_dict(data)


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"factor": 0}, ValueError, "factor must be a positive number != 1, got factor=0"),
        ({"factor": 1.0}, ValueError, "factor must be a positive number != 1, got factor=1.0"),
        ({"factor": -0.5}, ValueError, "factor must be a positive number != 1, got factor=-0.5"),
        ({"factor": math.inf}, ValueError, "factor must be a positive number != 1, got factor=inf"),
        ({"factor": "0.1"}, TypeError, "factor must be a positive number != 1, got factor='0.1'"),
        ({"mode": "minimum"}, ValueError, "mode must be 'min' or 'max', got mode='minimum'"),
        ({"threshold_mode": "relative"}, ValueError, "threshold_mode must be 'rel' or 'abs'"),
        ({"patience": -1}, ValueError, "patience must be an integer >= 0, got patience=-1"),
        ({"patience": 2.0}, TypeError, "patience must be an integer >= 0, got patience=2.0"),
        ({"cooldown": -2}, ValueError, "cooldown must be an integer >= 0, got cooldown=-2"),
        ({"threshold": -1e-4}, ValueError, "threshold must be a finite number >= 0, got threshold=-0.0001"),
        ({"threshold": math.nan}, ValueError, "threshold must be a finite number >= 0"),
        ({"min_scale": -0.1}, ValueError, "min_scale must be a finite number >= 0, got min_scale=-0.1"),
        ({"max_scale": 0.0}, ValueError, "max_scale must be a positive number (inf allowed), got max_scale=0.0"),
        ({"min_scale": 2.0, "max_scale": 1.0}, ValueError, "min_scale must be <= max_scale"),
        ({"eps": -1.0}, ValueError, "eps must be a finite number >= 0, got eps=-1.0"),
        ({"nan_policy": "ignore"}, ValueError, "nan_policy must be 'raise' or 'bad', got nan_policy='ignore'"),
    ],
)
def test_validation(kwargs, error, message):
    with pytest.raises(error) as info:
        Plateau(**kwargs)
    assert str(info.value) == message or message in str(info.value)


def test_no_heavy_imports():
    import subprocess
    import sys

    code = (
        "import sys, importlib.util\n"
        "spec = importlib.util.spec_from_file_location('p', 'schedalg/plateau.py')\n"
        "m = importlib.util.module_from_spec(spec); sys.modules['p'] = m; spec.loader.exec_module(m)\n"
        "print('torch' in sys.modules, 'numpy' in sys.modules)\n"
    )
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# ---------------------------------------------------------------------------
# Oracles: torch ReduceLROnPlateau and bs-scheduler IncreaseBSOnPlateau
# ---------------------------------------------------------------------------

# Metrics from a small alphabet so that plateaus, ties and improvements all occur.
metric_values = st.sampled_from([0.0, 0.5, 0.9, 0.9999, 1.0, 1.0001, 1.5, 2.0, 3.0, -1.0, -0.5, 1e-9])
metric_lists = st.lists(metric_values, min_size=1, max_size=60)


@st.composite
def reduce_configs(draw):
    mode = draw(st.sampled_from(["min", "max"]))
    threshold_mode = draw(st.sampled_from(["rel", "abs"]))
    if threshold_mode == "rel":
        threshold = draw(st.sampled_from([0.0, 1e-4, 0.05, 0.5]))
    else:
        threshold = draw(st.sampled_from([0.0, 1e-4, 0.3, 1.0]))
    return {
        "mode": mode,
        "factor": draw(st.sampled_from([0.1, 0.5, 0.3, 0.9, 0.75])),
        "patience": draw(st.integers(0, 4)),
        "threshold": threshold,
        "threshold_mode": threshold_mode,
        "cooldown": draw(st.integers(0, 3)),
        "lr": draw(st.sampled_from([1.0, 0.1, 3e-4, 2.5])),
        "min_lr_frac": draw(st.sampled_from([0.0, 0.01, 0.2, 0.6])),
        "eps_frac": draw(st.sampled_from([0.0, 1e-8, 1e-3, 0.05, 0.4])),
    }


def torch_plateau_lrs(config, metrics):
    import torch

    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=config["lr"])
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
        opt,
        mode=config["mode"],
        factor=config["factor"],
        patience=config["patience"],
        threshold=config["threshold"],
        threshold_mode=config["threshold_mode"],
        cooldown=config["cooldown"],
        min_lr=config["min_lr_frac"] * config["lr"],
        eps=config["eps_frac"] * config["lr"],
    )
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for m in metrics:
            opt.step()
            sched.step(m)
            out.append(opt.param_groups[0]["lr"])
    return out


@settings(max_examples=300, deadline=None, derandomize=True)
@given(config=reduce_configs(), metrics=metric_lists)
def test_oracle_torch_reduce_lr_on_plateau(config, metrics):
    lr = config["lr"]
    rule = Plateau(
        mode=config["mode"],
        factor=config["factor"],
        patience=config["patience"],
        threshold=config["threshold"],
        threshold_mode=config["threshold_mode"],
        cooldown=config["cooldown"],
        min_scale=config["min_lr_frac"],
        eps=config["eps_frac"],
        nan_policy="bad",
    )
    expected = torch_plateau_lrs(config, metrics)
    got = [lr * s for s in scales(rule, metrics)]
    assert got == pytest.approx(expected, rel=1e-12, abs=0.0)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(config=reduce_configs(), metrics=st.lists(st.one_of(metric_values, st.just(math.nan)), min_size=1, max_size=40))
def test_oracle_torch_nan_metrics_with_nan_policy_bad(config, metrics):
    rule = Plateau(
        mode=config["mode"],
        factor=config["factor"],
        patience=config["patience"],
        threshold=config["threshold"],
        threshold_mode=config["threshold_mode"],
        cooldown=config["cooldown"],
        min_scale=config["min_lr_frac"],
        eps=config["eps_frac"],
        nan_policy="bad",
    )
    expected = torch_plateau_lrs(config, metrics)
    got = [config["lr"] * s for s in scales(rule, metrics)]
    assert got == pytest.approx(expected, rel=1e-12, abs=0.0)


def test_oracle_torch_long_flat_run_hits_min_lr():
    config = {
        "mode": "min",
        "factor": 0.5,
        "patience": 2,
        "threshold": 1e-4,
        "threshold_mode": "rel",
        "cooldown": 1,
        "lr": 0.1,
        "min_lr_frac": 1e-3,
        "eps_frac": 1e-7,
    }
    metrics = [1.0 / (1 + i) if i < 20 else 0.05 for i in range(300)]
    rule = Plateau(factor=0.5, patience=2, cooldown=1, min_scale=1e-3, eps=1e-7)
    expected = torch_plateau_lrs(config, metrics)
    got = [0.1 * s for s in scales(rule, metrics)]
    assert got == pytest.approx(expected, rel=1e-12, abs=0.0)
    assert got[-1] == pytest.approx(1e-4, rel=1e-12)


def bs_plateau_sizes(batch_size, kwargs, metrics):
    import torch
    from bs_scheduler import IncreaseBSOnPlateau

    loader = torch.utils.data.DataLoader(list(range(10_000)), batch_size=batch_size)
    sched = IncreaseBSOnPlateau(loader, **kwargs)
    out = []
    for m in metrics:
        sched.step(metrics=m)
        out.append(loader.batch_sampler.batch_size)
    return out


@st.composite
def increase_configs(draw):
    threshold_mode = draw(st.sampled_from(["rel", "abs"]))
    return {
        "mode": draw(st.sampled_from(["min", "max"])),
        "factor": draw(st.sampled_from([2.0, 3.0, 4.0, 1.5])),
        "patience": draw(st.integers(0, 4)),
        "threshold": draw(st.sampled_from([1e-4, 0.05, 0.5] if threshold_mode == "rel" else [1e-4, 0.3, 1.0])),
        "threshold_mode": threshold_mode,
        "cooldown": draw(st.integers(0, 3)),
        "max_batch_size": draw(st.sampled_from([64, 100, 1000, 4096])),
    }


@settings(max_examples=200, deadline=None, derandomize=True)
@given(config=increase_configs(), batch_size=st.sampled_from([8, 16, 32]), metrics=metric_lists)
def test_oracle_bs_scheduler_increase_bs_on_plateau(config, batch_size, metrics):
    factor = config["factor"]
    if factor == 1.5:
        batch_size = 8  # 8 * 1.5**k is an integer up to k = 3: no rounding drift yet
    rule = Plateau(
        mode=config["mode"],
        factor=factor,
        patience=config["patience"],
        threshold=config["threshold"],
        threshold_mode=config["threshold_mode"],
        cooldown=config["cooldown"],
        max_scale=config["max_batch_size"] / batch_size,
    )
    expected = bs_plateau_sizes(batch_size, config, metrics)
    got = [min(round(batch_size * s), config["max_batch_size"]) for s in scales(rule, metrics)]
    if factor == 1.5:  # compare up to the third growth only (see the drift test below)
        n = next((i for i, s in enumerate(scales(rule, metrics)) if s > 1.5**3 + 1e-9), len(metrics))
        got, expected = got[:n], expected[:n]
    assert got == expected


def test_bs_scheduler_rounding_drift_is_documented():
    # bs-scheduler rounds after every growth: 10 -> 15 -> 22 (22.5 rounds half
    # to even) -> 33, where 10 * 1.5**3 = 33.75 rounds to 34. The pure rule
    # keeps the exact scale; round(b * scale) follows the formula.
    metrics = [1.0] * 4
    kwargs = {"factor": 1.5, "patience": 0, "max_batch_size": 1000}
    assert bs_plateau_sizes(10, kwargs, metrics) == [10, 15, 22, 33]
    rule = Plateau(factor=1.5, patience=0, max_scale=100.0)
    assert [round(10 * s) for s in scales(rule, metrics)] == [10, 15, 22, 34]


@pytest.mark.parametrize(
    "call",
    [
        lambda: Plateau(factor=10**400),
        lambda: Plateau(threshold=10**400),
        lambda: PlateauState(scale=10**400),
        lambda: Plateau().update(Plateau().init(), 10**400),
        lambda: PlateauState.from_dict(
            {"scale": 1.0, "best": 10**400, "num_bad_epochs": 0, "cooldown_counter": 0, "epoch": 0}
        ),
    ],
)
def test_ints_beyond_the_float_range_raise_value_error(call):
    """float(10**400) raises OverflowError: it must surface as a ValueError naming the value."""
    with pytest.raises(ValueError, match="1000000000"):
        call()


# ---------------------------------------------------------------------------
# Rule serialization: repr/parse and to_dict/from_dict, like schedules
# ---------------------------------------------------------------------------


@st.composite
def rules(draw):
    factor = draw(st.sampled_from([0.1, 0.5, 0.9, 2.0, 1.5, 3]))
    low = draw(st.sampled_from([0.0, 1e-3, 0.25]))
    return Plateau(
        mode=draw(st.sampled_from(["min", "max"])),
        factor=factor,
        patience=draw(st.integers(0, 20)),
        threshold=draw(st.sampled_from([0.0, 1e-4, 0.3])),
        threshold_mode=draw(st.sampled_from(["rel", "abs"])),
        cooldown=draw(st.integers(0, 5)),
        min_scale=low,
        max_scale=draw(st.sampled_from([INF, 1.0, 64.0, 1e300])),
        eps=draw(st.sampled_from([0.0, 1e-8, 1e-3])),
        nan_policy=draw(st.sampled_from(["raise", "bad"])),
    )


@settings(max_examples=100, deadline=None, derandomize=True)
@given(rule=rules())
def test_rule_round_trips(rule):
    import schedalg as sa

    assert sa.parse(repr(rule)) == rule
    data = json.loads(json.dumps(sa.to_dict(rule), allow_nan=False))
    assert sa.from_dict(data) == rule
    assert Plateau.from_dict(rule.to_dict()) == rule
    assert sa.to_dict(rule) == rule.to_dict()


def test_rule_dict_format():
    import schedalg as sa

    assert sa.to_dict(Plateau(factor=2.0, max_scale=8.0)) == {
        "type": "Plateau",
        "mode": "min",
        "factor": 2.0,
        "patience": 10,
        "threshold": 1e-4,
        "threshold_mode": "rel",
        "cooldown": 0,
        "min_scale": 0.0,
        "max_scale": 8.0,
        "eps": 1e-8,
        "nan_policy": "raise",
        "greedy": False,
        "warmup": 0,
        "reset_start": None,
        "smooth_window": None,
    }
    assert sa.to_dict(Plateau())["max_scale"] == "inf"
    assert sa.from_dict({"type": "Plateau", "patience": 2}) == Plateau(patience=2)  # defaults may be left out
    assert sa.parse("Plateau()") == Plateau()
    assert repr(Plateau(max_scale=4.0)).count("max_scale=4.0") == 1 and "inf" not in repr(Plateau())


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"type": "Plateau", "factor": 1.0}, "factor must be a positive number != 1"),
        ({"type": "Plateau", "factor": "x"}, "factor must be a positive number"),
        ({"type": "Plateau", "bogus": 1}, r"unknown keys \['bogus'\] for Plateau"),
        ({"type": "Plateau", "max_scale": "-inf"}, "max_scale must be a positive number"),
        ({"type": "Plateau", "patience": 1.5}, "patience must be an integer >= 0"),
    ],
)
def test_rule_from_dict_rejects(data, match):
    import schedalg as sa

    with pytest.raises(ValueError, match=match):
        sa.from_dict(data)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("Plateau(factor=1.0)", "Plateau: factor must be a positive number != 1"),
        ("Plateau(max_scale=1e999)", "non-finite number"),
        ("warmup(Plateau(), 3)", "warmup: s must be a Schedule"),
        ("Plateau(mode='min', mode='max')", "repeated"),
    ],
)
def test_rule_parse_rejects(text, match):
    import schedalg as sa

    with pytest.raises(ValueError, match=match):
        sa.parse(text)
