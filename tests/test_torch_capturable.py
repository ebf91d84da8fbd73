"""ParamScheduler(capturable=True): f(step) computed on the device from a 0-d int64 step tensor.

The values follow DESIGN principle 10 (float32 within max(8 ulp32(v), 4 eps32 * peak) of the
exact value, float64 within 4 ulp of the peak of the numpy path); compiled, ``sched.step`` is one
graph for every step. The CUDA-graph check at the bottom skips without a GPU.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import schedalg as sa
from schedalg.torch import ParamScheduler

LR = sa.cosine(0.1, 0.001, 90).warmup(10)
B1 = 0.95 - sa.triangular(0.0, 0.1, 100)
EPS32 = 2.0**-23
EPS64 = 2.0**-52


def close32(value: float, exact: float, peak: float) -> bool:
    ulp = float(np.spacing(np.float32(abs(exact))))
    return abs(value - exact) <= max(8 * ulp, 4 * EPS32 * peak)


def close64(value: float, exact: float, peak: float) -> bool:
    return abs(value - exact) <= 4 * EPS64 * peak


def adam(device: str = "cpu") -> torch.optim.Adam:
    """Adam with a float32 tensor lr and tensor betas: the first float64, the second float32."""
    p = torch.nn.Parameter(torch.zeros(3, device=device))
    betas = (torch.tensor(0.9, dtype=torch.float64, device=device), torch.tensor(0.999, device=device))
    return torch.optim.Adam([p], lr=torch.tensor(0.5, device=device), betas=betas)


def check_values(opt: torch.optim.Optimizer, k: int, scale: float = 1.0) -> None:
    group = opt.param_groups[0]
    assert close32(group["lr"].item(), LR(k) * scale, 0.1 * scale), (k, group["lr"].item(), LR(k) * scale)
    assert close64(group["betas"][0].item(), B1(k), 0.95), (k, group["betas"][0].item(), B1(k))
    assert group["betas"][1].item() == pytest.approx(0.999)


def test_eager_steps_write_the_schedule_in_each_tensors_dtype():
    opt = adam()
    group = opt.param_groups[0]
    lr, betas = group["lr"], group["betas"]
    sched = ParamScheduler(opt, lr=LR, betas=(B1, None), capturable=True)
    check_values(opt, 0)
    for k in range(1, 31):
        sched.step()
        check_values(opt, k)
    # The tensors are written in place: same objects, dtypes and the tuple itself.
    assert group["lr"] is lr and group["betas"] is betas
    assert (lr.dtype, betas[0].dtype) == (torch.float32, torch.float64)
    assert sched.last_epoch == 30
    assert sched.state_dict() == {"step": 30, "plateau": None}
    assert sched.get_last_lr() == [LR(30)] == sched.get_lr()
    assert set(group) == {*torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))]).param_groups[0], "initial_lr"}


def test_resume_writes_at_once_and_continues_identically():
    opt, other = adam(), adam()
    sched = ParamScheduler(opt, lr=LR, betas=(B1, None), capturable=True)
    for _ in range(17):
        sched.step()
    saved = sched.state_dict()
    resumed = ParamScheduler(other, lr=LR, betas=(B1, None), capturable=True)
    resumed.load_state_dict(saved)
    check_values(other, 17)
    for _ in range(5):
        sched.step()
        resumed.step()
        a, b = opt.param_groups[0], other.param_groups[0]
        assert a["lr"].item() == b["lr"].item() and a["betas"][0].item() == b["betas"][0].item()
    assert resumed.state_dict() == {"step": 22, "plateau": None}


def test_the_plateau_scale_multiplies_the_lr_on_the_device():
    opt = adam()
    sched = ParamScheduler(opt, lr=LR, betas=(B1, None), plateau=sa.Plateau(factor=0.5, patience=0), capturable=True)
    for k, metric in enumerate([1.0, 2.0, 3.0, 3.0], start=1):
        sched.step(metric)
        # the first metric sets the best; each worse one halves the scale
        check_values(opt, k, scale=0.5 ** (k - 1))
    assert sched.state_dict()["plateau"]["scale"] == 0.125


def test_compiled_step_is_one_graph_for_every_step():
    import torch._dynamo
    from torch._dynamo.testing import CompileCounter

    torch._dynamo.reset()
    opt = adam()
    sched = ParamScheduler(opt, lr=LR, betas=(B1, None), capturable=True)
    counter = CompileCounter()
    step = torch.compile(sched.step, backend=counter, fullgraph=True)
    for k in range(1, 13):
        step()
        check_values(opt, k)
    assert counter.frame_count == 1


def test_inductor_writes_float32_and_float64_tensors():
    # torch 2.13's Inductor drops in-place writes to 0-d float64 CPU tensors in a compiled
    # graph; the scheduler writes through a one-element view, which it keeps.
    import torch._dynamo
    from torch._dynamo.utils import counters

    torch._dynamo.reset()
    counters.clear()
    opt = adam()
    sched = ParamScheduler(opt, lr=LR, betas=(B1, None), capturable=True)
    step = torch.compile(sched.step, fullgraph=True)
    for k in range(1, 9):
        step()
        check_values(opt, k)
    assert counters["stats"]["unique_graphs"] == 1


def test_scheduling_adds_one_graph_to_a_compiled_training_step_like_a_hand_written_update():
    import torch._dynamo
    from torch._dynamo.utils import counters

    def run(capturable: bool) -> list[int]:
        torch._dynamo.reset()
        counters.clear()
        torch.manual_seed(0)
        model = torch.nn.Linear(3, 1)
        opt = torch.optim.Adam(model.parameters(), lr=torch.tensor(0.01), betas=(torch.tensor(0.9), torch.tensor(0.999)))
        x = torch.randn(8, 3)
        y = x.sum(1, keepdim=True)
        if capturable:
            update = ParamScheduler(opt, lr=LR, betas=(B1, None), capturable=True).step
        else:
            step = torch.zeros((), dtype=torch.int64)
            lr, b1 = opt.param_groups[0]["lr"], opt.param_groups[0]["betas"][0]

            def update():  # the same two values, written by hand in torch
                step.add_(1)
                t = step.to(torch.float32)
                warm = 0.1 * t / 10
                u = torch.clamp(t - 10, 0, 90) / 90
                lr.copy_(torch.where(t < 10, warm, 0.001 + (0.1 - 0.001) * (1 + torch.cos(math.pi * u)) / 2))
                b1.copy_(0.95 - torch.where(t < 50, 0.1 * t / 50, 0.1 * torch.clamp(100 - t, min=0) / 50))

        compiled_update = torch.compile(update, backend="eager", fullgraph=True)

        @torch.compile(backend="eager")
        def train_step():
            opt.zero_grad()
            torch.nn.functional.mse_loss(model(x), y).backward()
            opt.step()

        graphs = []
        for _ in range(12):
            train_step()
            compiled_update()
            graphs.append(counters["stats"]["unique_graphs"])
        return graphs

    ours, hand = run(True), run(False)
    assert ours[-1] == ours[1] > 0  # no graph is added after the first steps
    assert ours == hand


def test_capturable_needs_floating_tensors_on_one_device():
    p = torch.nn.Parameter(torch.zeros(3))
    with pytest.raises(TypeError, match=r"capturable=True writes into tensors: lr of param group 0 must be a floating"):
        ParamScheduler(torch.optim.SGD([p], lr=0.1), lr=LR, capturable=True)
    opt = torch.optim.Adam([p], lr=torch.tensor(0.1))
    opt.param_groups[0]["betas"] = (torch.tensor(0.9, device="meta"), 0.999)
    with pytest.raises(TypeError, match=r"every scheduled tensor on one device: betas\[0\] of param group 0 is on meta"):
        ParamScheduler(opt, lr=LR, betas=(B1, None), capturable=True)
    opt = torch.optim.Adam([p], lr=torch.tensor(0.1))
    with pytest.raises(TypeError, match=r"betas\[1\] of param group 0 must be a floating tensor"):
        ParamScheduler(opt, betas=(None, B1), capturable=True)


# -- CUDA (skipped without a GPU) -------------------------------------------------------------
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_graph_of_a_capturable_step_and_the_scheduler_replays_without_sync():
    torch.manual_seed(0)
    x = torch.randn(16, 3, device="cuda")
    y = x.sum(1, keepdim=True)

    def build():
        torch.manual_seed(1)
        model = torch.nn.Linear(3, 1).cuda()
        opt = torch.optim.Adam(model.parameters(), lr=torch.tensor(0.0, device="cuda"), capturable=True)
        return model, opt, ParamScheduler(opt, lr=LR, capturable=True)

    def train_step(model, opt, sched):
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        sched.step()

    model, opt, sched = build()
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):  # warm-up, outside the graph
            opt.zero_grad(set_to_none=True)
            train_step(model, opt, sched)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    opt.zero_grad(set_to_none=True)
    with torch.cuda.graph(graph):
        train_step(model, opt, sched)
    for _ in range(100):
        graph.replay()
    torch.cuda.synchronize()
    # 3 warm-up steps and 100 replays (capturing records the kernels without running them)
    assert sched.last_epoch == 103
    assert close32(opt.param_groups[0]["lr"].item(), LR(103), 0.1)

    ref, ref_opt, ref_sched = build()
    for _ in range(103):
        ref_opt.zero_grad(set_to_none=True)
        train_step(ref, ref_opt, ref_sched)
    for a, b in zip(model.parameters(), ref.parameters()):
        torch.testing.assert_close(a, b)
