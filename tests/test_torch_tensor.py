"""Torch tensors as steps: same device, dtype rules, and one compiled graph for every step.

torch.compile is slow on this machine: one Inductor compile and a few
eager-backend traces (counted) in all.
"""

from __future__ import annotations

import numpy as np
import pytest

import schedalg as sa

torch = pytest.importorskip("torch")
from torch._dynamo.testing import CompileCounter  # noqa: E402

SCHEDULE = sa.sequence(
    [sa.cosine(1.0, 0.1, 100).warmup(10), sa.cyclical(sa.linear(0.5, 0.05, 50), 50, period_mult=2.0, decay=0.8)],
    [110],
) * sa.piecewise_constant([400], [1.0, 0.5])
STEPS = (0, 5, 10, 60, 109, 110, 111, 200, 399, 400, 10_000, 2**24 - 1)


def test_a_tensor_in_a_tensor_out_on_the_same_device():
    t = torch.arange(6)
    got = SCHEDULE(t)
    assert isinstance(got, torch.Tensor) and got.device == t.device and got.shape == t.shape
    assert SCHEDULE(torch.tensor(5)).shape == ()
    got64 = SCHEDULE(torch.asarray(np.asarray(STEPS), dtype=torch.float64))
    np.testing.assert_allclose(got64.numpy(), SCHEDULE(np.asarray(STEPS)), rtol=4 * 2**-52, atol=4 * 2**-52)


def test_an_int64_step_tensor_is_exact_to_float32():
    # What ParamScheduler(capturable=True) computes from its int64 step counter.
    got = SCHEDULE(torch.tensor(STEPS, dtype=torch.int64))
    assert got.dtype == torch.float32
    np.testing.assert_allclose(got.double().numpy(), SCHEDULE(np.asarray(STEPS)), rtol=8 * 2**-23, atol=4 * 2**-23)


def test_a_compiled_function_of_the_step_is_one_graph():
    counter = CompileCounter()
    f = torch.compile(lambda k: SCHEDULE(k) * 2.0, backend=counter, fullgraph=True)
    for k in STEPS:
        got = f(torch.tensor(k, dtype=torch.int64))
        assert got.item() == pytest.approx(2.0 * SCHEDULE(k), rel=1e-6, abs=1e-7)
    assert counter.frame_count == 1


def test_inductor_compiles_the_step_to_one_graph_without_recompiles():
    torch._dynamo.reset()
    counter = CompileCounter()

    def lr_of(k):
        return SCHEDULE(k)

    backend_calls = []

    def backend(gm, example_inputs):
        backend_calls.append(1)
        from torch._inductor.compile_fx import compile_fx

        return compile_fx(gm, example_inputs)

    f = torch.compile(lr_of, backend=backend, fullgraph=True)
    k = torch.zeros((), dtype=torch.int64)
    for step in STEPS:
        k.fill_(step)
        assert f(k).item() == pytest.approx(SCHEDULE(step), rel=1e-6, abs=1e-7)
    assert len(backend_calls) == 1
    del counter


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_on_cuda():  # pragma: no cover - outside CI
    t = torch.arange(1_000, device="cuda")
    got = SCHEDULE(t)
    assert got.device == t.device
    np.testing.assert_allclose(got.double().cpu().numpy(), SCHEDULE(np.arange(1_000)), rtol=1e-6, atol=1e-7)
    f = torch.compile(lambda k: SCHEDULE(k), fullgraph=True)
    k = torch.zeros((), dtype=torch.int64, device="cuda")
    for step in STEPS:
        k.fill_(step)
        assert f(k).item() == pytest.approx(SCHEDULE(step), rel=1e-6, abs=1e-7)


def test_eager_calls_reuse_their_device_tables():
    # A CUDA graph capture of s(step) must not copy from the host: tables made
    # by an earlier (warm-up) call are reused, not rebuilt.
    from schedalg import _xp

    s = sa.piecewise_linear([0, 10, 30], [0.0, 1.0, 0.5]) + sa.piecewise_constant([7], [1.0, 2.0])
    s(torch.tensor(3))
    tables = {id(v) for v in _xp._TORCH_TABLES.values()}
    s(torch.tensor(5))
    assert {id(v) for v in _xp._TORCH_TABLES.values()} == tables
    assert s(torch.tensor(20)).item() == pytest.approx(s(20))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_a_cuda_graph_capture_of_s_of_an_int64_counter_replays():  # pragma: no cover - outside CI
    k = torch.zeros((), dtype=torch.int64, device="cuda")
    out = torch.zeros((), device="cuda")

    def body():
        out.copy_(SCHEDULE(k))
        k.add_(1)

    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):  # warm-up: builds the device tables
            body()
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        body()
    k.zero_()
    values = []
    for _ in range(100):
        graph.replay()
        values.append(out.clone())
    torch.cuda.synchronize()
    np.testing.assert_allclose([v.item() for v in values], [SCHEDULE(i) for i in range(100)], rtol=1e-6, atol=1e-7)


def test_a_compiled_call_guards_the_schedule_by_identity_not_its_parameters():
    # Every parameter the traced code read would be a guard checked on each call
    # (hundreds for SCHEDULE); the recorded program leaves one, on the schedule itself.
    out = torch._dynamo.explain(lambda k: SCHEDULE(k))(torch.tensor(3))
    assert out.graph_count == 1 and out.graph_break_count == 0
    names = {(g.name, g.create_fn_name()) for g in out.out_guards}
    assert ("G['SCHEDULE']", "ID_MATCH") in names
    assert not [name for name, _ in names if name.startswith("G['SCHEDULE'].")]


def test_a_compiled_from_fn_tree_evaluates_on_the_tensor_itself():
    # from_fn calls its function with the step tensor: not recorded, still one graph.
    s = sa.from_fn(lambda t: 0.5 * t) * sa.cosine(1.0, 0.0, 10)
    counter = CompileCounter()
    f = torch.compile(lambda k: s(k), backend=counter, fullgraph=True)
    for k in (0, 3, 7):
        assert f(torch.tensor(k)).item() == pytest.approx(s(k), rel=1e-6)
    assert counter.frame_count == 1


def test_a_float32_warmup_cosine_records_one_sine_two_selects_and_no_division():
    # The kernel of the benchmark's schedule (bench_frameworks.py): the warmup's
    # ramp end and the cosine's end need no select of their own, its local time
    # t - 1000 folds into 99000 - (t - 1000) = 100000 - t, slopes are host constants.
    from schedalg import _xp

    s = sa.cosine(1e-3, 0.0, 99_000).warmup(1_000)
    msg, program = _xp.torch_program(s, torch.int64, torch.device("cpu"))
    assert msg is None
    names = [name for name, _, _ in program]
    assert names.count("sin") == 1 and names.count("where") == 2
    assert not {"__truediv__", "__sub__"} & set(names)
    k = torch.tensor([0, 999, 1_000, 50_500, 99_999, 100_000, 10**6])
    np.testing.assert_allclose(s(k).double().numpy(), s(k.numpy()), rtol=8 * 2**-23, atol=4 * 2**-23 * 1e-3)
