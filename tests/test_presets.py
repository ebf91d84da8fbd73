"""Presets, the package contract: names, exports, types, serialization, validation, lazy library modules.

Per-library oracles live in ``test_presets_torch.py``, ``test_presets_bs_scheduler.py``,
``test_presets_recipes.py`` and ``test_presets_transformers.py``.
"""

from __future__ import annotations

import math
import pickle
import threading

import numpy as np
import pytest

import schedalg as sa
from schedalg import presets as P

# ==========================================================================================
# the contract: names, types, values
# ==========================================================================================

TORCH_NAMES = [
    "step_lr",
    "multistep_lr",
    "constant_lr",
    "linear_lr",
    "exponential_lr",
    "polynomial_lr",
    "cosine_annealing_lr",
    "cosine_annealing_warm_restarts",
    "cyclic_lr",
    "cyclic_momentum",
    "one_cycle_lr",
    "one_cycle_momentum",
    "lambda_lr",
    "multiplicative_lr",
    "swa_lr",
    "sequential_lr",
    "chained_scheduler",
    "reduce_lr_on_plateau",
]
BS_NAMES = [
    "step_bs",
    "multistep_bs",
    "constant_bs",
    "linear_bs",
    "exponential_bs",
    "polynomial_bs",
    "cosine_annealing_bs",
    "cyclic_bs",
    "cosine_annealing_bs_with_warm_restarts",
    "one_cycle_bs",
    "lambda_bs",
    "multiplicative_bs",
    "sequential_bs",
    "increase_bs_on_plateau",
]
RECIPE_NAMES = [
    "warmup_cosine",
    "warmup_linear",
    "warmup_stable_decay",
    "cosine_with_restarts",
    "warmup_inverse_sqrt",
    "linear_scaling",
]


def test_every_preset_is_exported():
    assert sorted(P.__all__) == sorted(TORCH_NAMES + BS_NAMES + RECIPE_NAMES)
    for name in P.__all__:
        assert callable(getattr(P, name)), name
        assert getattr(P, name).__doc__ and ">>>" in getattr(P, name).__doc__, name
    assert sa.presets is P


def _grow(epoch):
    return 1.01


def examples():
    """One serializable instance of (almost) every preset, and the callable-based ones."""
    plain = {
        "step_lr": P.step_lr(0.1, 30),
        "multistep_lr": P.multistep_lr(0.1, [30, 80]),
        "constant_lr": P.constant_lr(0.1),
        "linear_lr": P.linear_lr(0.1),
        "exponential_lr": P.exponential_lr(0.1, 0.99),
        "polynomial_lr": P.polynomial_lr(0.1, 100, 2.0),
        "cosine_annealing_lr": P.cosine_annealing_lr(0.1, 100, 1e-4),
        "cosine_annealing_warm_restarts": P.cosine_annealing_warm_restarts(0.1, 10, 2),
        "cyclic_lr": P.cyclic_lr(0.01, 0.1, 50, mode="exp_range", gamma=0.999),
        "cyclic_momentum": P.cyclic_momentum(step_size_up=50, mode="triangular2"),
        "one_cycle_lr": P.one_cycle_lr(0.1, 1000, three_phase=True),
        "one_cycle_momentum": P.one_cycle_momentum(total_steps=1000),
        "swa_lr": P.swa_lr(0.1, 0.05),
        "sequential_lr": P.sequential_lr([P.linear_lr(0.1), P.cosine_annealing_lr(0.1, 100)], [5]),
        "chained_scheduler": P.chained_scheduler([P.step_lr(0.1, 30), P.exponential_lr(0.1, 0.99)], 0.1),
        "sequential_bs": P.sequential_bs([P.constant_bs(32, 2.0), P.step_bs(32, 10, max_batch_size=1024)], [5]),
        "step_bs": P.step_bs(32, 10, max_batch_size=1024),
        "multistep_bs": P.multistep_bs(32, [10, 20]),
        "constant_bs": P.constant_bs(32, 2.0),
        "linear_bs": P.linear_bs(32),
        "exponential_bs": P.exponential_bs(32, 1.01, max_batch_size=4096),
        "polynomial_bs": P.polynomial_bs(32, 10, 2.0),
        "cosine_annealing_bs": P.cosine_annealing_bs(32, 10, max_batch_size=256),
        "cyclic_bs": P.cyclic_bs(64, step_size_down=10, min_batch_size=8),
        "cosine_annealing_bs_with_warm_restarts": P.cosine_annealing_bs_with_warm_restarts(
            32, 10, factor=2, max_batch_size=256
        ),
        "one_cycle_bs": P.one_cycle_bs(64, 100, max_batch_size=512, min_batch_size=8),
        "warmup_cosine": P.warmup_cosine(0.1, 100, 1000),
        "warmup_linear": P.warmup_linear(0.1, 100, 1000),
        "warmup_stable_decay": P.warmup_stable_decay(0.1, 100, 800, 100, warmup_shape="1-sqrt", decay_shape="1-sqrt"),
        "cosine_with_restarts": P.cosine_with_restarts(0.1, 100, 1000, num_cycles=3),
        "warmup_inverse_sqrt": P.warmup_inverse_sqrt(0.1, 100),
        "linear_scaling": P.linear_scaling(0.1, P.step_bs(256, 10, max_batch_size=4096), 256),
        "linear_scaling_sqrt": P.linear_scaling(0.1, P.step_bs(256, 10, max_batch_size=4096), 256, rule="sqrt"),
    }
    with_fn = {
        "lambda_lr": P.lambda_lr(0.1, math.sqrt),
        "multiplicative_lr": P.multiplicative_lr(0.1, abs),
        "lambda_bs": P.lambda_bs(32, abs),
        "multiplicative_bs": P.multiplicative_bs(32, _grow, max_batch_size=4096),
    }
    return plain, with_fn


def test_presets_are_ordinary_composed_schedules():
    plain, with_fn = examples()
    core = {"schedalg.shapes", "schedalg.combinators"}
    for name, s in {**plain, **with_fn}.items():
        assert isinstance(s, sa.Schedule), name
        assert type(s).__module__ in core, (name, type(s))
        # frozen values: equal to a fresh construction, hashable
        hash(s)
    for name, s in plain.items():
        assert s == examples()[0][name], name


def test_batch_size_presets_are_integer_valued():
    plain, with_fn = examples()
    for name in BS_NAMES:
        if name == "increase_bs_on_plateau":  # a Plateau rule, not a schedule
            continue
        s = plain.get(name) or with_fn[name]
        assert type(s(7)) is int, name
        assert s(np.arange(50)).dtype == np.int64, name
        assert min(s(np.arange(500)).tolist()) >= 1, name


def test_closed_form_costs_no_more_far_out():
    # O(1) in the step: step 10**12 is as cheap as step 10 (no loop over past steps)
    import time

    plain, _ = examples()
    for name, s in plain.items():
        t0 = time.perf_counter()
        for _ in range(20):
            s(10**12)
        far = time.perf_counter() - t0
        assert far < 0.05, (name, far)


ALL_EXAMPLES = sorted({**examples()[0], **examples()[1]})
@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_vectorized_equals_scalar_for_every_preset(name):
    plain, with_fn = examples()
    s = {**plain, **with_fn}[name]
    steps = np.arange(0, 1200, 7)
    got = s(steps)
    assert got.tolist() == [s(int(t)) for t in steps], name


def test_pickle_round_trip():
    plain, _ = examples()
    for name, s in plain.items():
        assert pickle.loads(pickle.dumps(s)) == s, name
    m = P.multiplicative_lr(0.5, abs)
    m2 = pickle.loads(pickle.dumps(m))
    assert m2(np.arange(30)).tolist() == m(np.arange(30)).tolist()


def test_repr_parses_back():
    plain, _ = examples()
    try:
        sa.parse("constant(1.0)")
    except NotImplementedError:
        pytest.skip("schedalg.parse is not implemented yet")
    for name, s in plain.items():
        assert sa.parse(repr(s)) == s, name
        assert sa.from_dict(sa.to_dict(s)) == s, name


def test_past_the_end_holds_the_last_value():
    s = P.one_cycle_lr(0.1, total_steps=100)
    assert s(99) == s(100) == s(10**9)
    m = P.one_cycle_momentum(total_steps=100, three_phase=True)
    assert m(99) == m(1000)
    b = P.one_cycle_bs(64, 100, max_batch_size=512, min_batch_size=8)
    assert b(100) == b(10**9) == 512
    assert P.polynomial_bs(10, 5)(10**6) == 30
    assert P.linear_lr(1.0, 0.5, 1.0, 10)(10**9) == 1.0
    assert P.swa_lr(1.0, 0.1, 10)(10**9) == 0.1


def test_multiplicative_lr_is_cached_and_thread_safe():
    calls = []

    def factor(epoch):
        calls.append(epoch)
        return 1.0 - 1.0 / (epoch + 100)

    s = P.multiplicative_lr(1.0, factor)
    assert s(1000) == pytest.approx(math.prod(1 - 1 / (e + 100) for e in range(1, 1001)), rel=1e-13)
    n = len(calls)
    assert n == 1000
    s(500), s(999.5), s(np.arange(1001))
    assert len(calls) == n  # served from the table
    assert s(999.5) == s(999)  # real-valued steps use floor(t)

    fresh = P.multiplicative_lr(1.0, lambda e: 1.0 - 1.0 / (e + 100))
    results = []

    def worker(offset):
        results.append(fresh(np.arange(offset, 3000, 3)).tolist())

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    merged = sorted(v for r in results for v in r)
    assert merged == sorted(s(np.arange(3000)).tolist())

    with pytest.raises(TypeError, match="lr_lambda must return a real number"):
        P.multiplicative_lr(1.0, lambda e: "x")(3)


def test_lambda_presets_receive_int_steps():
    seen = []

    def fn(epoch):
        seen.append(type(epoch))
        return 1.0

    P.lambda_lr(1.0, fn)(np.arange(3))
    P.lambda_bs(8, fn)(5)
    assert set(seen) == {int}


# ==========================================================================================
# validation
# ==========================================================================================


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: P.step_lr(0.1, 0), ValueError, r"step_size must be an integer >= 1, got step_size=0"),
        (lambda: P.step_lr(0.1, 10, gamma=0.0), ValueError, "gamma must be a positive number"),
        (lambda: P.step_lr("0.1", 10), TypeError, "base_lr must be a real number"),
        (lambda: P.multistep_lr(0.1, [10, -1]), ValueError, r"milestones\[1\] must be an integer >= 0"),
        (lambda: P.multistep_lr(0.1, 10), TypeError, "milestones must be a sequence"),
        (lambda: P.constant_lr(0.1, factor=0.0), ValueError, r"factor must be in \(0, 1\], got factor=0.0"),
        (lambda: P.constant_lr(0.1, factor=1.5), ValueError, "factor must be in"),
        (lambda: P.constant_lr(0.1, total_iters=0), ValueError, "total_iters must be an integer >= 1"),
        (lambda: P.linear_lr(0.1, start_factor=0.0), ValueError, "start_factor must be in"),
        (lambda: P.linear_lr(0.1, end_factor=1.5), ValueError, "end_factor must be in"),
        (lambda: P.polynomial_lr(0.1, power=-1.0), ValueError, "power must be a number >= 0"),
        (lambda: P.polynomial_lr(0.1, total_iters=0), ValueError, "total_iters must be an integer >= 1"),
        (lambda: P.cosine_annealing_lr(0.1, 0), ValueError, "T_max must be an integer >= 1"),
        (lambda: P.cosine_annealing_warm_restarts(0.1, 10, T_mult=0), ValueError, "T_mult must be an integer >= 1"),
        (lambda: P.cosine_annealing_warm_restarts(0.1, 10, T_mult=1.5), TypeError, "T_mult must be an integer"),
        (lambda: P.cyclic_lr(0.1, 1.0, mode="sine"), ValueError, "mode must be one of"),
        (lambda: P.cyclic_lr(0.1, 1.0, step_size_up=0), ValueError, "step_size_up must be a positive number"),
        (lambda: P.cyclic_lr(0.1, 1.0, scale_mode="epoch"), ValueError, "scale_mode must be one of"),
        (lambda: P.cyclic_lr(0.1, 1.0, scale_fn=3), TypeError, "scale_fn must be callable"),
        (lambda: P.cyclic_lr(0.1, 1.0, mode="exp_range", gamma=0.0), ValueError, "gamma must be a positive"),
        (lambda: P.one_cycle_lr(0.1), ValueError, "give either total_steps or both epochs and steps_per_epoch"),
        (lambda: P.one_cycle_lr(0.1, 100, pct_start=0.01), ValueError, r"pct_start \* total_steps must be > 1"),
        (lambda: P.one_cycle_lr(0.1, 100, pct_start=1.5), ValueError, r"pct_start must be in \[0, 1\]"),
        (lambda: P.one_cycle_lr(0.1, 100, anneal_strategy="cosine"), ValueError, "anneal_strategy must be one of"),
        (lambda: P.one_cycle_lr(0.1, 100, div_factor=0.0), ValueError, "div_factor must be a positive number"),
        (lambda: P.one_cycle_lr(0.1, 100, three_phase=1), TypeError, "three_phase must be a bool"),
        (lambda: P.one_cycle_momentum(total_steps=0), ValueError, "total_steps must be an integer >= 1"),
        (lambda: P.lambda_lr(0.1, 3), TypeError, "lr_lambda must be callable"),
        (lambda: P.multiplicative_lr(0.1, None), TypeError, "lr_lambda must be callable"),
        (lambda: P.swa_lr(0.1, 0.05, anneal_epochs=-1), ValueError, "anneal_epochs must be an integer >= 0"),
        (lambda: P.swa_lr(0.1, 0.05, anneal_strategy="exp"), ValueError, "anneal_strategy must be one of"),
        (lambda: P.step_bs(0, 10), ValueError, "batch_size must be an integer >= 1"),
        (lambda: P.step_bs(32.5, 10), TypeError, "batch_size must be an integer"),
        (
            lambda: P.step_bs(32, 10, max_batch_size=16),
            ValueError,
            r"batch_size must be in \[min_batch_size, max_batch_size\]",
        ),
        (lambda: P.step_bs(4, 10, min_batch_size=8), ValueError, "batch_size must be in"),
        (
            lambda: P.step_bs(32, 10, max_batch_size=4, min_batch_size=8),
            ValueError,
            "max_batch_size must be >= min_batch_size",
        ),
        (lambda: P.multistep_bs(32, [0, 10]), ValueError, r"milestones\[0\] must be an integer >= 1"),
        (lambda: P.constant_bs(32, 0.0), ValueError, "factor must be a positive number"),
        (lambda: P.linear_bs(32, milestone=0), ValueError, "milestone must be an integer >= 1"),
        (lambda: P.polynomial_bs(32, 1), ValueError, "total_iters must be an integer >= 2"),
        (lambda: P.cosine_annealing_bs(32, 10), ValueError, "needs max_batch_size"),
        (
            lambda: P.cosine_annealing_bs(32, 10, max_batch_size=32),
            ValueError,
            "max_batch_size must be > base_batch_size=32",
        ),
        (
            lambda: P.cosine_annealing_bs(32, 10, base_batch_size=2, min_batch_size=4, max_batch_size=64),
            ValueError,
            "base_batch_size must be >= min_batch_size",
        ),
        (lambda: P.cyclic_bs(8, min_batch_size=8), ValueError, "base_batch_size must be > min_batch_size"),
        (
            lambda: P.cosine_annealing_bs_with_warm_restarts(32, 0, max_batch_size=64),
            ValueError,
            "t_0 must be an integer >= 1",
        ),
        (
            lambda: P.one_cycle_bs(64, 10, decay_percentage=0.01, max_batch_size=128),
            ValueError,
            r"round\(total_steps \* decay_percentage\)",
        ),
        (lambda: P.one_cycle_bs(64, 10, strategy="cosine", max_batch_size=128), ValueError, "strategy must be one of"),
        (lambda: P.lambda_bs(32, None), TypeError, "bs_lambda must be callable"),
        (lambda: P.warmup_cosine(1.0, 100, 100), ValueError, "total_steps must be > warmup_steps=100"),
        (lambda: P.warmup_linear(1.0, -1, 100), ValueError, "warmup_steps must be an integer >= 0"),
        (lambda: P.warmup_stable_decay(1.0, 10, 10, 0), ValueError, "decay_steps must be an integer >= 1"),
        (lambda: P.warmup_stable_decay(1.0, 10, 10, 10, decay_shape="exp"), ValueError, "decay_shape must be one of"),
        (lambda: P.warmup_stable_decay(1.0, 10, 10, 10, warmup_shape="exp"), ValueError, "warmup_shape must be one of"),
        (lambda: P.cosine_with_restarts(1.0, 10, 100, num_cycles=0), ValueError, "num_cycles must be an integer >= 1"),
        (lambda: P.warmup_inverse_sqrt(1.0, 10, timescale=0), ValueError, "timescale must be an integer >= 1"),
        (lambda: P.linear_scaling(0.1, 64, 0), ValueError, "base_batch_size must be a positive number"),
        (lambda: P.linear_scaling(0.1, 64, 256, rule="log"), ValueError, "rule must be one of"),
        (lambda: P.linear_scaling("0.1", 64, 256), TypeError, "lr must be a real number"),
    ],
)
def test_validation(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ==========================================================================================
# the per-library modules: lazy, pure schedalg
# ==========================================================================================


def test_library_modules_load_lazily():
    import subprocess
    import sys

    code = (
        "import sys, schedalg.presets as P\n"
        "print('schedalg.presets.transformers' in sys.modules)\n"
        "m = P.transformers\n"
        "print('schedalg.presets.transformers' in sys.modules, 'transformers' in sys.modules)\n"
        "print(hasattr(P, 'no_such_library'), 'transformers' in dir(P))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "False", "False", "True"]


def test_library_module_names():
    import importlib.util

    assert P._LIBRARY_MODULES == ("transformers", "timm", "optax", "keras", "braintools")
    for name in P._LIBRARY_MODULES:
        present = importlib.util.find_spec(f"schedalg.presets.{name}") is not None
        assert hasattr(P, name) is present, name  # never raises
        if present:
            assert getattr(P, name).__name__ == f"schedalg.presets.{name}"
    from schedalg.presets import transformers

    assert transformers is P.transformers
    with pytest.raises(AttributeError, match="has no attribute 'tensorflow'"):
        P.tensorflow  # noqa: B018
