"""schedalg against PyTorch's schedulers, all in one process.

* scalar: one schedalg call against ``scheduler.step()`` + ``get_last_lr()``,
  the cost torch pays per training step; and (one-cycle) against a
  hand-written ``math`` function of the same formula (bench_core.py has the
  warmup(cosine) one);
* curve: a 100k-step curve in one vectorized call against stepping
  ``SequentialLR(LinearLR, CosineAnnealingLR)`` and reading ``get_last_lr()``.

    python benchmarks/bench_torch.py
"""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import median_seconds, print_table, seconds_per_call  # noqa: E402

import schedalg as sa  # noqa: E402
from schedalg import presets  # noqa: E402

BASE_LR = 0.1
TOTAL = 10_000
WARMUP = 500


def _torch_optimizer():  # type: ignore[no-untyped-def]
    import torch

    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=BASE_LR, momentum=0.9)


def torch_seconds_per_step(make_scheduler, n: int) -> float:  # type: ignore[no-untyped-def]
    """Median seconds of one ``step()`` + ``get_last_lr()`` over ``n`` steps."""

    def run() -> None:
        sched = make_scheduler(_torch_optimizer())
        for _ in range(n):
            sched.step()
            sched.get_last_lr()

    return median_seconds(run, repeat=5) / n


# -- the formulas, written by hand ------------------------------------------------------------
def hand_warmup_cosine(t: float) -> float:
    if t < WARMUP:
        return BASE_LR * t / WARMUP
    u = (t - WARMUP) / (TOTAL - WARMUP)
    if u >= 1.0:
        return 0.0
    return BASE_LR * 0.5 * (1.0 + math.cos(math.pi * u))


_OC_UP = 0.3 * TOTAL - 1
_OC_INITIAL = BASE_LR / 25.0
_OC_MIN = _OC_INITIAL / 1e4


def hand_one_cycle(t: float) -> float:
    if t <= _OC_UP:
        u = t / _OC_UP
        return _OC_INITIAL + (BASE_LR - _OC_INITIAL) * 0.5 * (1.0 - math.cos(math.pi * u))
    u = min((t - _OC_UP) / (TOTAL - 1 - _OC_UP), 1.0)
    return _OC_MIN + (BASE_LR - _OC_MIN) * 0.5 * (1.0 + math.cos(math.pi * u))


def rows() -> list[tuple[str, float, float, str]]:
    import torch.optim.lr_scheduler as tl

    warnings.filterwarnings("ignore", category=UserWarning)
    n = TOTAL
    warmup_cosine = sa.cosine(BASE_LR, 0.0, TOTAL - WARMUP).warmup(WARMUP)
    one_cycle = presets.one_cycle_lr(max_lr=BASE_LR, total_steps=TOTAL)
    for s, fn in ((warmup_cosine, hand_warmup_cosine), (one_cycle, hand_one_cycle)):
        got = s(np.arange(n))
        want = np.array([fn(t) for t in range(n)])
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)

    steps = range(n)
    ours_wc = seconds_per_call(warmup_cosine, steps)
    ours_oc = seconds_per_call(one_cycle, steps)
    hand_oc = seconds_per_call(hand_one_cycle, steps)
    torch_wc = torch_seconds_per_step(
        lambda opt: tl.SequentialLR(
            opt,
            [tl.LinearLR(opt, start_factor=1e-8, total_iters=WARMUP), tl.CosineAnnealingLR(opt, T_max=TOTAL - WARMUP)],
            milestones=[WARMUP],
        ),
        n,
    )
    # cycle_momentum=False: torch then computes the learning rate only, as we do.
    torch_oc = torch_seconds_per_step(
        lambda opt: tl.OneCycleLR(opt, max_lr=BASE_LR, total_steps=TOTAL, cycle_momentum=False), n
    )

    curve_steps = 100_000
    curve = sa.cosine(BASE_LR, 0.0, curve_steps - WARMUP).warmup(WARMUP, start=BASE_LR * 1e-8)
    t = np.arange(curve_steps)
    ours_curve = median_seconds(lambda: curve(t), repeat=25)
    torch_curve = torch_seconds_per_step(
        lambda opt: tl.SequentialLR(
            opt,
            [tl.LinearLR(opt, start_factor=1e-8, total_iters=WARMUP), tl.CosineAnnealingLR(opt, T_max=curve_steps - WARMUP)],
            milestones=[WARMUP],
        ),
        curve_steps,
    ) * curve_steps
    return [
        ("scalar one_cycle_lr vs hand-written math", ours_oc, hand_oc, "<= 3x"),
        ("scalar warmup(cosine) vs torch step()+get_last_lr()", ours_wc, torch_wc, "<= 0.2x (5x faster)"),
        ("scalar one_cycle_lr vs torch OneCycleLR step()+get_last_lr()", ours_oc, torch_oc, "<= 0.2x (5x faster)"),
        ("100k-step curve vs stepping torch SequentialLR", ours_curve, torch_curve, "<= 0.005x (200x faster)"),
    ]


def main() -> None:
    print_table("torch: schedalg vs PyTorch and hand-written (ratio = schedalg / baseline)", rows())


if __name__ == "__main__":
    main()
