"""schedalg.torch: ParamScheduler, ScheduledBatchSampler, scheduled_dataloader and
lr_range_test on real torch (CPU), plus schedules used as torch's callables.

The value in force at the k-th optimizer.step() is read by an optimizer step
pre-hook, so every check is about what the optimizer actually used.
"""

from __future__ import annotations

import io
import math
import warnings

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as L
from torch.utils.data import (
    DataLoader,
    DistributedSampler,
    RandomSampler,
    SequentialSampler,
)

import schedalg as sa
from schedalg.torch import (
    LRRangeResult,
    ParamScheduler,
    ScheduledBatchSampler,
    lr_range_test,
    scheduled_dataloader,
)


def tiny_model(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))


def data(n=32, seed=1):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=g)
    return x, x.sum(1, keepdim=True) ** 2


def record(opt, *keys):
    """A list that receives, at every optimizer.step(), the values of ``keys`` per group."""
    seen = []

    def hook(optimizer, args, kwargs):
        seen.append([tuple(_plain(g[k]) for k in keys) for g in optimizer.param_groups])

    opt.register_step_pre_hook(hook)
    return seen


def _plain(v):
    if isinstance(v, torch.Tensor):
        return v.item()
    if isinstance(v, (tuple, list)):
        return tuple(_plain(x) for x in v)
    return v


def train(model, opt, sched, steps, x, y, metric=None):
    for k in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        if metric is None:
            sched.step()
        else:
            sched.step(metric(k))


LR = sa.cosine(0.05, 0.001, 20).warmup(5)
MOMENTUM = sa.cosine(0.95, 0.85, 25)


# -- ParamScheduler: values used by real optimizers ----------------------------------------
def test_sgd_lr_and_momentum_used_at_each_step_equal_the_schedule():
    model = tiny_model()
    opt = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.5)
    seen = record(opt, "lr", "momentum")
    sched = ParamScheduler(opt, lr=LR, momentum=MOMENTUM)
    x, y = data()
    train(model, opt, sched, 30, x, y)
    assert seen == [[(LR(k), MOMENTUM(k))] for k in range(30)]
    assert sched.get_last_lr() == [LR(30)]
    assert sched.last_epoch == 30


def test_training_equals_a_hand_written_loop():
    x, y = data()
    ours = tiny_model()
    opt = torch.optim.SGD(ours.parameters(), lr=1.0, momentum=0.5, nesterov=True)
    sched = ParamScheduler(opt, lr=LR, momentum=MOMENTUM)
    train(ours, opt, sched, 25, x, y)

    hand = tiny_model()
    opt2 = torch.optim.SGD(hand.parameters(), lr=1.0, momentum=0.5, nesterov=True)
    for k in range(25):
        opt2.param_groups[0]["lr"] = LR(k)
        opt2.param_groups[0]["momentum"] = MOMENTUM(k)
        opt2.zero_grad()
        torch.nn.functional.mse_loss(hand(x), y).backward()
        opt2.step()
    for a, b in zip(ours.parameters(), hand.parameters()):
        assert torch.equal(a, b)


def test_adam_betas_tuple_rebuilt_keeping_the_other_element():
    model = tiny_model()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.995), weight_decay=0.1)
    seen = record(opt, "lr", "betas", "weight_decay")
    b1 = sa.linear(0.95, 0.85, 10)
    wd = sa.constant(0.01).warmup(4)
    sched = ParamScheduler(opt, betas=(b1, None), weight_decay=wd)
    x, y = data()
    train(model, opt, sched, 12, x, y)
    assert seen == [[(1e-3, (b1(k), 0.995), wd(k))] for k in range(12)]
    assert type(opt.param_groups[0]["betas"]) is tuple
    assert sched.get_last_lr() == [1e-3]  # lr is not scheduled: the group's lr


def test_per_group_schedules_and_unscheduled_groups():
    model = tiny_model()
    opt = torch.optim.SGD(
        [
            {"params": model[0].parameters(), "lr": 1.0, "momentum": 0.9},
            {"params": model[2].parameters(), "lr": 0.5, "momentum": 0.8},
        ],
        lr=0.1,
    )
    seen = record(opt, "lr", "momentum")
    head = sa.exponential(0.2, 0.9)
    sched = ParamScheduler(opt, lr=[LR, head], momentum=[None, MOMENTUM])
    x, y = data()
    train(model, opt, sched, 15, x, y)
    assert seen == [[(LR(k), 0.9), (head(k), MOMENTUM(k))] for k in range(15)]
    assert sched.get_last_lr() == [LR(15), head(15)]
    assert sched.get_lr() == [LR(15), head(15)]


def test_tensor_lr_and_betas_keep_identity_dtype_and_get_filled():
    model = tiny_model()
    lr = torch.tensor(0.01, dtype=torch.float64)
    beta1, beta2 = torch.tensor(0.9), torch.tensor(0.999)
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(beta1, beta2))
    betas = opt.param_groups[0]["betas"]
    keys_before = set(opt.param_groups[0])
    seen = record(opt, "lr", "betas")
    b1 = sa.linear(0.8, 0.9, 6)
    b2 = sa.constant(0.99)
    sched = ParamScheduler(opt, lr=LR, betas=(b1, b2))
    x, y = data()
    train(model, opt, sched, 8, x, y)
    group = opt.param_groups[0]
    assert group["lr"] is lr and lr.dtype == torch.float64
    assert group["betas"] is betas and group["betas"][0] is beta1 and group["betas"][1] is beta2
    want = [[(LR(k), (float(torch.tensor(b1(k))), float(torch.tensor(0.99))))] for k in range(8)]
    assert seen == want
    assert lr.item() == LR(8)
    assert set(group) == keys_before | {"initial_lr"}
    assert isinstance(sched.get_last_lr()[0], float)


def test_containers_and_value_types_are_kept():
    from collections import namedtuple

    Betas = namedtuple("Betas", "b1 b2")
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(3)]
    opt = torch.optim.Adam(
        [
            {"params": [params[0]], "betas": [0.9, 0.999]},
            {"params": [params[1]], "betas": Betas(0.9, 0.999)},
            {"params": [params[2]], "lr": torch.tensor(0.5)},
        ],
        lr=0.1,
    )
    integer = sa.quantize(sa.linear(1, 3, 2))  # answers ints: written as floats
    sched = ParamScheduler(opt, lr=[integer, integer, None], betas=[(None, sa.constant(0.99)), (sa.constant(0.8), None), None])
    g0, g1, g2 = opt.param_groups
    assert g0["betas"] == [0.9, 0.99] and type(g0["betas"]) is list
    assert g1["betas"] == Betas(0.8, 0.999) and type(g1["betas"]) is Betas
    assert type(g0["lr"]) is float and g0["lr"] == 1.0
    last = sched.get_last_lr()
    assert last[:2] == [1.0, 1.0] and torch.equal(last[2], torch.tensor(0.5)) and last[2] is not g2["lr"]
    opt.step()
    sched.step()
    assert sched.get_lr()[:2] == [2.0, 2.0]


def test_no_keys_added_to_param_groups():
    model = tiny_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    before = set(opt.param_groups[0])
    sched = ParamScheduler(opt, lr=LR, momentum=MOMENTUM, weight_decay=sa.constant(0.0))
    opt.step()
    sched.step()
    sched.load_state_dict(sched.state_dict())
    assert set(opt.param_groups[0]) == before | {"initial_lr"}
    # torch's own scheduler attributes are there (last_epoch is a property: with
    # capturable=True it reads the device step)
    assert set(vars(sched)) >= {"optimizer", "base_lrs"} and sched.last_epoch == 1


def test_get_lr_is_the_closed_form_inside_sequential_lr():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0, momentum=0.9)
    seen = record(opt, "lr", "momentum")
    a = sa.linear(0.1, 0.2, 10)
    b = sa.cosine(0.3, 0.0, 10)
    first = ParamScheduler(opt, lr=a, momentum=sa.constant(0.5))
    second = ParamScheduler(opt, lr=b, momentum=sa.constant(0.7))
    seq = L.SequentialLR(opt, [first, second], milestones=[4])
    for _ in range(12):
        opt.step()
        seq.step()
    want = [[(a(k), 0.5)] for k in range(4)] + [[(b(k - 4), 0.7)] for k in range(4, 12)]
    assert seen == want
    assert seq.get_last_lr() == [b(8)]


def test_plateau_matches_torch_reduce_lr_on_plateau():
    metrics = [1.0, 0.9, 0.9, 0.95, 0.91, 0.92, 0.93, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1)
    torch_sched = L.ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=1)
    want = []
    for m in metrics:
        opt.step()
        torch_sched.step(m)
        want.append(opt.param_groups[0]["lr"])

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    rule = sa.Plateau(factor=0.5, patience=1, cooldown=1, eps=1e-8 / 0.1)
    sched = ParamScheduler(opt, lr=sa.constant(0.1), plateau=rule)
    got = []
    for m in metrics:
        opt.step()
        sched.step(torch.tensor(m))  # Lightning passes a 0-d tensor
        got.append(opt.param_groups[0]["lr"])
    np.testing.assert_allclose(got, want, rtol=1e-15)
    assert sched.plateau_state.scale == want[-1] / 0.1


def test_plateau_scales_the_lr_schedule_only():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0, momentum=0.9)
    sched = ParamScheduler(opt, lr=LR, momentum=MOMENTUM, plateau=sa.Plateau(factor=0.5, patience=0))
    opt.step()
    sched.step(1.0)
    opt.step()
    sched.step(2.0)  # worse: patience 0, the scale halves
    assert opt.param_groups[0]["lr"] == LR(2) * 0.5
    assert opt.param_groups[0]["momentum"] == MOMENTUM(2)


def test_observe_feeds_the_rule_without_advancing():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = ParamScheduler(opt, lr=LR, plateau=sa.Plateau(factor=0.5, patience=0))
    for _ in range(6):
        opt.step()
        sched.step()
    sched.observe(1.0)
    sched.observe(2.0)
    assert sched.last_epoch == 6 and opt.param_groups[0]["lr"] == LR(6) * 0.5
    assert sched.get_last_lr() == [LR(6) * 0.5]
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] == LR(7) * 0.5
    with pytest.raises(ValueError, match="has none"):
        ParamScheduler(opt, lr=LR).observe(1.0)


# -- ParamScheduler: checkpoints ---------------------------------------------------------------
def _run_with_checkpoint(split, total, plateau):
    """Train ``total`` steps, optionally saving and reloading everything at ``split``."""
    x, y = data()
    metric = (lambda k: 1.0 / (1 + k % 7)) if plateau else None

    def build():
        model = tiny_model()
        opt = torch.optim.Adam(model.parameters(), lr=torch.tensor(1e-3), betas=(0.9, 0.99))
        rule = sa.Plateau(factor=0.5, patience=2) if plateau else None
        sched = ParamScheduler(opt, lr=LR, betas=(sa.linear(0.95, 0.9, 10), None), plateau=rule)
        return model, opt, sched, record(opt, "lr", "betas")

    model, opt, sched, seen = build()
    if split is None:
        train(model, opt, sched, total, x, y, metric)
        return seen, model, sched
    train(model, opt, sched, split, x, y, metric)
    buffer = io.BytesIO()
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict()}, buffer)
    buffer.seek(0)
    ckpt = torch.load(buffer, weights_only=True)
    first = list(seen)
    model, opt, sched, seen = build()
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["opt"])
    sched.load_state_dict(ckpt["sched"])
    for k in range(split, total):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        sched.step(None if metric is None else metric(k))
    return first + seen, model, sched


@pytest.mark.parametrize("plateau", [False, True])
def test_resume_equals_uninterrupted(plateau):
    want, model_a, sched_a = _run_with_checkpoint(None, 20, plateau)
    got, model_b, sched_b = _run_with_checkpoint(9, 20, plateau)
    assert got == want
    for a, b in zip(model_a.parameters(), model_b.parameters()):
        assert torch.equal(a, b)
    assert sched_a.state_dict() == sched_b.state_dict()


def test_state_dict_is_builtins_only_and_load_rewrites_at_once():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0, momentum=0.9)
    sched = ParamScheduler(opt, lr=LR, momentum=MOMENTUM, plateau=sa.Plateau())
    state = sched.state_dict()
    assert state == {"step": 0, "plateau": sa.Plateau().init().to_dict()}
    assert state["plateau"]["best"] == "inf"
    sched.load_state_dict({"step": 17, "plateau": state["plateau"]})
    assert (opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]) == (LR(17), MOMENTUM(17))
    assert sched.get_last_lr() == [LR(17)] and sched.last_epoch == 17


def test_construction_writes_f0_even_when_resuming_after_optimizer_load():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    ParamScheduler(opt, lr=LR)
    assert opt.param_groups[0]["lr"] == LR(0) and opt.param_groups[0]["initial_lr"] == 1.0


def test_step_before_optimizer_step_warns():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = ParamScheduler(opt, lr=LR)
    with pytest.warns(UserWarning, match=r"before optimizer.step\(\).*f\(0\) is skipped"):
        sched.step()
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = ParamScheduler(opt, lr=LR)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()


# -- ParamScheduler: errors --------------------------------------------------------------------
def _sgd(groups=1):
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))]} for _ in range(groups)]
    return torch.optim.SGD(params, lr=0.1, momentum=0.9)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: ParamScheduler(_sgd(2), lr=[LR]), ValueError, r"lr must be one schedule or a list of one per param group \(2\), got a list of 1"),
        (lambda: ParamScheduler(_sgd(), betas=(LR, None)), KeyError, "param group 0 of SGD has no key 'betas'"),
        (lambda: ParamScheduler(_sgd(), nonsense=LR), KeyError, "has no key 'nonsense'"),
        (lambda: ParamScheduler(_sgd()), ValueError, "needs at least one schedule"),
        (lambda: ParamScheduler(_sgd(), lr=0.1), TypeError, "lr must be a schedule, a tuple of schedules or None, .* got 0.1"),
        (lambda: ParamScheduler(_sgd(), lr=(LR,)), TypeError, r"lr of param group 0 is not a tuple \(0.1\)"),
        (lambda: ParamScheduler(torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))]), betas=LR), TypeError, "betas of param group 0 is a tuple"),
        (lambda: ParamScheduler(torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))]), betas=(LR,)), ValueError, "betas of param group 0 has 2 elements, got a tuple of 1"),
        (lambda: ParamScheduler(torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))]), betas=(0.9, None)), TypeError, r"betas\[0\] must be a schedule or None, got 0.9"),
        (lambda: ParamScheduler(_sgd(), momentum=MOMENTUM, plateau=sa.Plateau()), ValueError, "plateau scales the lr schedule: pass lr"),
        (lambda: ParamScheduler(_sgd(), lr=LR, plateau="min"), TypeError, "plateau must be a schedalg.Plateau, got plateau='min'"),
        (lambda: ParamScheduler("opt", lr=LR), TypeError, "optimizer must be a torch.optim.Optimizer, got optimizer='opt'"),
    ],
)
def test_construction_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_bad_values_raise_naming_the_step_and_write_nothing():
    opt = _sgd()
    sched = ParamScheduler(opt, lr=sa.linear(0.1, -0.1, 10), momentum=MOMENTUM)
    for _ in range(5):
        opt.step()
        sched.step()
    lr, momentum = opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]
    with pytest.raises(ValueError, match=r"lr of param group 0 gives -0.0199+ at step 6; a hyperparameter must be finite and >= 0"):
        sched.step()
    assert (opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]) == (lr, momentum)

    opt = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])
    nan = sa.from_fn(lambda t: math.nan if t >= 2 else 0.9)
    sched = ParamScheduler(opt, betas=(None, nan))
    opt.step()
    sched.step()
    opt.step()
    with pytest.raises(ValueError, match=r"betas\[1\] of param group 0 gives nan at step 2"):
        sched.step()
    with pytest.raises(ValueError, match="gives inf at step 0"):
        ParamScheduler(_sgd(), lr=sa.constant(1e300) * 1e10)


def test_step_metric_and_state_errors():
    opt = _sgd()
    sched = ParamScheduler(opt, lr=LR)
    with pytest.raises(ValueError, match=r"step\(metric\) feeds a plateau rule, .* has none \(plateau=None\); got metric=0.5"):
        sched.step(0.5)
    with pytest.raises(ValueError, match="this ParamScheduler has no plateau rule, got a state dict with plateau="):
        sched.load_state_dict({"step": 3, "plateau": sa.Plateau().init().to_dict()})
    with pytest.raises(ValueError, match="step must be an integer >= 0, got step=-1"):
        sched.load_state_dict({"step": -1, "plateau": None})
    with pytest.raises(ValueError, match="a ParamScheduler state dict has the keys 'step' and 'plateau'"):
        sched.load_state_dict({"last_epoch": 3})
    with_rule = ParamScheduler(_sgd(), lr=LR, plateau=sa.Plateau())
    with pytest.raises(ValueError, match="this ParamScheduler has plateau rule, got a state dict with plateau=None"):
        with_rule.load_state_dict({"step": 3, "plateau": None})
    with pytest.raises(ValueError, match="metric is NaN"):
        with_rule.step(float("nan"))


# -- a schedule where torch expects a callable ----------------------------------------------------
@pytest.mark.parametrize("cls", [L.LambdaLR, L.MultiplicativeLR])
def test_schedule_as_torch_callable_saves_and_resumes_like_a_lambda(cls):
    s = sa.exponential(1.0, 0.9) if cls is L.LambdaLR else sa.constant(0.95)

    def build():
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        return opt, cls(opt, s), record(opt, "lr")

    opt, sched, want = build()
    for _ in range(10):
        opt.step()
        sched.step()

    opt, sched, got = build()
    for _ in range(4):
        opt.step()
        sched.step()
    buffer = io.BytesIO()
    torch.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, buffer)
    buffer.seek(0)
    ckpt = torch.load(buffer, weights_only=True)
    first = list(got)
    opt, sched, got = build()
    opt.load_state_dict(ckpt["opt"])
    sched.load_state_dict(ckpt["sched"])
    for _ in range(6):
        opt.step()
        sched.step()
    assert first + got == want
    if cls is L.LambdaLR:
        assert [v[0][0] for v in want] == [0.1 * s(k) for k in range(10)]
    else:
        np.testing.assert_allclose([v[0][0] for v in want], [0.1 * 0.95**k for k in range(10)], rtol=1e-14)


# -- ScheduledBatchSampler ----------------------------------------------------------------------
BS = sa.quantize(sa.linear(2, 8, 12), multiple=2)


def test_batches_follow_the_plan_across_epochs():
    sampler = ScheduledBatchSampler(SequentialSampler(range(20)), BS)
    plan = sa.batch_plan(BS, 20)
    sizes = []
    for epoch in range(4):
        assert len(sampler) == plan.num_batches(epoch) and sampler.epoch == epoch
        batches = list(sampler)
        assert [i for b in batches for i in b] == list(range(20))
        sizes.append([len(b) for b in batches])
        assert sizes[-1] == plan.sizes(epoch).tolist()
    assert sizes[0] == [2, 2, 4, 4, 4, 4]
    assert sampler.state_dict() == {"epoch": 4, "step": plan.steps(4).start}
    # every batch but each epoch's last holds batch_size(k)
    k = 0
    for epoch in sizes:
        for j, b in enumerate(epoch):
            if j < len(epoch) - 1:
                assert b == BS(k)
            k += 1


def test_mid_epoch_resume_yields_the_rest_of_the_epoch():
    def sampler():
        return ScheduledBatchSampler(DistributedSampler(range(30), num_replicas=1, rank=0, seed=3), BS)

    full = sampler()
    want = list(full) + list(full)
    for k in (0, 1, 5, len(want) // 2, len(want) - 1):
        resumed = sampler()
        resumed.load_state_dict({"step": k})
        got = []
        while len(got) < len(want) - k:
            got += list(resumed)
        assert got == want[k:]


def test_set_epoch_moves_to_the_epoch_and_reaches_the_inner_sampler():
    inner = DistributedSampler(range(20), num_replicas=1, rank=0, seed=0)
    sampler = ScheduledBatchSampler(inner, BS)
    sampler.set_epoch(2)
    assert inner.epoch == 2 and sampler.step == sa.batch_plan(BS, 20).steps(2).start
    sampler.load_state_dict({"step": sampler.step + 2})
    sampler.set_epoch(2)  # already in epoch 2: the position stays
    assert sampler.step == sa.batch_plan(BS, 20).steps(2).start + 2
    list(sampler)
    assert inner.epoch == 2 and sampler.epoch == 3


def test_ddp_ranks_get_equal_counts_and_disjoint_shards():
    bs = sa.quantize(sa.linear(4, 12, 10), multiple=4)
    ranks = [
        ScheduledBatchSampler(DistributedSampler(range(50), num_replicas=4, rank=r, seed=0), bs, world_size=4)
        for r in range(4)
    ]
    for _ in range(3):
        epochs = [list(s) for s in ranks]
        assert len({len(e) for e in epochs}) == 1
        for batches in zip(*epochs):
            assert len({len(b) for b in batches}) == 1
        # DistributedSampler pads 50 to 52: every index appears, padding repeats two
        seen = [i for e in epochs for b in e for i in b]
        assert len(seen) == 52 and set(seen) == set(range(50))
    assert ranks[0].plan.sizes(0).tolist()[:3] == [4, 4, 4]


@pytest.mark.parametrize("num_workers", [0, 2])
def test_sizes_never_depend_on_workers(num_workers):
    dataset = list(range(40))
    kwargs = {"num_workers": num_workers}
    if num_workers:
        kwargs.update(prefetch_factor=4, persistent_workers=True)
    loader = scheduled_dataloader(dataset, BS, seed=5, **kwargs)
    got = [[b.tolist() for b in loader] for _ in range(3)]
    reference = scheduled_dataloader(dataset, BS, seed=5)
    want = [[b.tolist() for b in reference] for _ in range(3)]
    assert got == want
    plan = sa.batch_plan(BS, 40)
    assert [[len(b) for b in e] for e in got] == [plan.sizes(e).tolist() for e in range(3)]
    assert got[0] != got[1]  # DistributedSampler reshuffles per epoch through set_epoch


def test_lightning_style_reinstantiation_keeps_the_schedule():
    sampler = ScheduledBatchSampler(SequentialSampler(range(10)), BS, drop_last=True)
    again = type(sampler)(RandomSampler(range(10)), batch_size=sampler.batch_size, drop_last=sampler.drop_last)
    assert [len(b) for b in again] == [2, 2, 4]


def test_drop_last_and_the_loader_helper():
    loader = scheduled_dataloader(list(range(11)), sa.quantize(sa.constant(4)), shuffle=False, drop_last=True)
    assert [b.tolist() for b in loader] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert isinstance(loader.batch_sampler, ScheduledBatchSampler) and len(loader) == 2


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: list(ScheduledBatchSampler(range(10), sa.quantize(sa.linear(2, -2, 2)))), ValueError, "batch_size must be positive, got 0 at step 1"),
        (lambda: list(ScheduledBatchSampler(range(10), sa.quantize(sa.linear(2, 5, 3)), world_size=2)), ValueError, "divisible by world_size=2, got 3 at step 1"),
        (lambda: ScheduledBatchSampler(iter(range(10)), 4), TypeError, "sampler must have a length"),
        (lambda: ScheduledBatchSampler([], 4), ValueError, r"at least one index per epoch, got len\(sampler\)=0"),
        (lambda: ScheduledBatchSampler(range(10), 4, world_size=0), ValueError, "world_size must be a positive integer, got world_size=0"),
        (lambda: ScheduledBatchSampler(range(10), 2.5), TypeError, "batch_size must be an integer schedule or an int, got batch_size=2.5"),
        (lambda: ScheduledBatchSampler(range(10), 4).load_state_dict({"epoch": 1}), ValueError, "state_dict must hold 'step', an integer >= 0"),
        (lambda: ScheduledBatchSampler(range(10), 4).load_state_dict({"step": -3}), ValueError, "state_dict must hold 'step', an integer >= 0"),
    ],
)
def test_sampler_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_short_sampler_raises():
    class Liar(torch.utils.data.Sampler):
        def __len__(self):
            return 10

        def __iter__(self):
            return iter(range(7))

    with pytest.raises(RuntimeError, match="fewer indices than its length 10 in epoch 0"):
        list(ScheduledBatchSampler(Liar(), 4))


# -- checkpoint and resume of a whole training loop ------------------------------------------
class Indexed(torch.utils.data.Dataset):
    def __init__(self, n=24):
        g = torch.Generator().manual_seed(7)
        self.x = torch.randn(n, 3, generator=g)
        self.y = self.x.sum(1, keepdim=True)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return i, self.x[i], self.y[i]


def _loop(num_workers, total, stop=None, ckpt=None):
    """Train ``total`` steps over a few epochs; return (record, checkpoint bytes if stopped)."""
    dataset = Indexed()
    gen = torch.Generator()
    bs = sa.quantize(sa.linear(2, 10, 15), multiple=2)
    batches = ScheduledBatchSampler(RandomSampler(dataset, generator=gen), bs)
    loader = DataLoader(dataset, batch_sampler=batches, num_workers=num_workers)
    model = tiny_model()
    opt = torch.optim.SGD(model.parameters(), lr=1.0, momentum=0.9)
    sched = ParamScheduler(opt, lr=LR, momentum=MOMENTUM)
    seen = record(opt, "lr", "momentum")
    step = 0
    if ckpt is not None:
        state = torch.load(io.BytesIO(ckpt), weights_only=True)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        step = state["step"]
        batches.load_state_dict({"step": step})
    contents = []
    while step < total:
        gen.manual_seed(1000 + batches.epoch)  # each epoch's order: a function of the epoch
        for index, x, y in loader:
            contents.append(index.tolist())
            opt.zero_grad()
            torch.nn.functional.mse_loss(model(x), y).backward()
            opt.step()
            sched.step()
            step += 1
            if step in (stop, total):
                break
        if step == stop:
            buffer = io.BytesIO()
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "step": step}, buffer)
            return (seen, contents, model), buffer.getvalue()
    return (seen, contents, model), None


@pytest.mark.parametrize("num_workers", [0, 2])
def test_checkpoint_resume_gives_identical_lrs_sizes_and_batches(num_workers):
    total = 14  # 24 samples, batches of 2 growing to 10: about four epochs
    (want_lrs, want_batches, want_model), _ = _loop(num_workers, total)
    (lrs_a, batches_a, _), ckpt = _loop(num_workers, total, stop=8)
    (lrs_b, batches_b, model), _ = _loop(num_workers, total, ckpt=ckpt)
    assert batches_a + batches_b == want_batches
    assert lrs_a + lrs_b == want_lrs
    plan = sa.batch_plan(sa.quantize(sa.linear(2, 10, 15), multiple=2), 24)
    assert [len(b) for b in want_batches] == np.concatenate([plan.sizes(e) for e in range(4)]).tolist()[:total]
    assert plan.locate(8)[1] > 0  # the checkpoint is mid-epoch
    for a, b in zip(want_model.parameters(), model.parameters()):
        assert torch.equal(a, b)


# -- lr_range_test ----------------------------------------------------------------------------
def _range_setup(tensor_lr=False):
    model = tiny_model()
    lr = torch.tensor(0.05) if tensor_lr else 0.05
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    x, y = data(64)
    return model, opt, [(x[:32], y[:32]), (x[32:], y[32:])]


def test_lr_range_test_lrs_losses_and_restored_state():
    model, opt, batches = _range_setup(tensor_lr=True)
    lr_tensor = opt.param_groups[0]["lr"]
    opt.zero_grad()
    torch.nn.functional.mse_loss(model(batches[0][0]), batches[0][1]).backward()
    opt.step()  # some optimizer state to restore
    params = [p.detach().clone() for p in model.parameters()]
    momentum = [opt.state[p]["momentum_buffer"].clone() for p in model.parameters()]
    keys = set(opt.param_groups[0])
    model.eval()

    result = lr_range_test(model, opt, torch.nn.functional.mse_loss, batches, start=1e-5, end=100.0, steps=40)
    assert isinstance(result, LRRangeResult)
    n = len(result.lrs)
    assert 5 < n < 40 and len(result.losses) == n  # diverged before the end
    want = [1e-5 * (100.0 / 1e-5) ** (k / 39) for k in range(n)]
    np.testing.assert_allclose(result.lrs, want, rtol=1e-13)
    assert result.suggestion in result.lrs.tolist()
    # restored: weights, buffers, train mode, optimizer state, tensor lr identity and value
    for p, q in zip(model.parameters(), params):
        assert torch.equal(p, q)
    for p, m in zip(model.parameters(), momentum):
        assert torch.equal(opt.state[p]["momentum_buffer"], m)
    assert not model.training
    assert opt.param_groups[0]["lr"] is lr_tensor and lr_tensor.item() == pytest.approx(0.05)
    assert set(opt.param_groups[0]) == keys
    assert "step" not in vars(opt)


def test_lr_range_test_losses_are_those_of_training_at_those_lrs():
    model, opt, batches = _range_setup()
    result = lr_range_test(model, opt, torch.nn.functional.mse_loss, batches, start=1e-3, end=1e-1, steps=6)
    assert len(result.lrs) == 6  # no divergence over this gentle range
    hand = tiny_model()
    opt2 = torch.optim.SGD(hand.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for k in range(6):
        x, y = batches[k % 2]
        opt2.param_groups[0]["lr"] = result.lrs[k]
        opt2.zero_grad()
        loss = torch.nn.functional.mse_loss(hand(x), y)
        loss.backward()
        opt2.step()
        losses.append(loss.item())
    assert result.losses.tolist() == losses
    smoothed, avg = [], 0.0
    for k, v in enumerate(losses):
        avg = 0.98 * avg + 0.02 * v
        smoothed.append(avg / (1 - 0.98 ** (k + 1)))
    assert result.suggestion == result.lrs[int(np.argmin(np.gradient(smoothed, np.log(result.lrs))))]


def test_lr_range_test_cycles_a_one_shot_iterator_and_stops_on_nan():
    model, opt, batches = _range_setup()
    result = lr_range_test(model, opt, torch.nn.functional.mse_loss, iter(batches), 1e-3, 1e-2, steps=5)
    assert len(result.lrs) == 5

    def nan_loss(out, target):
        return (out - target).pow(2).mean() * (math.nan if opt.param_groups[0]["lr"] > 1e-1 else 1.0)

    result = lr_range_test(model, opt, nan_loss, batches, 1e-3, 1.0, steps=10)
    assert math.isnan(result.losses[-1]) and len(result.losses) < 10


def test_lr_range_test_plot():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    model, opt, batches = _range_setup()
    result = lr_range_test(model, opt, torch.nn.functional.mse_loss, batches, 1e-4, 10.0, steps=20)
    ax = result.plot()
    assert ax.get_xscale() == "log"
    assert np.allclose(ax.lines[0].get_xdata(), result.lrs)
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": 1}, "steps must be an integer >= 2, got steps=1"),
        ({"start": 0.0}, "start must be a finite number > 0, got start=0.0"),
        ({"end": math.inf}, "end must be a finite number > 0, got end=inf"),
        ({"start": 1.0, "end": 0.5}, "end must be greater than start, got start=1.0 and end=0.5"),
        ({"smooth": 1.0}, r"smooth must be a number in \[0, 1\), got smooth=1.0"),
        ({"diverge": 1.0}, "diverge must be a finite number > 1, got diverge=1.0"),
    ],
)
def test_lr_range_test_errors(kwargs, message):
    model, opt, batches = _range_setup()
    with pytest.raises(ValueError, match=message):
        lr_range_test(model, opt, torch.nn.functional.mse_loss, batches, **kwargs)
    with pytest.raises(ValueError, match="batches yielded nothing"):
        lr_range_test(model, opt, torch.nn.functional.mse_loss, [])
