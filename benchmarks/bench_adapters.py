"""schedalg.torch adapters against torch's own schedulers, all in one process.

* ``ParamScheduler.step()`` against ``LambdaLR.step()`` driving the same
  schedule (a lambda of the step), for a float lr and for a tensor lr, one
  param group (the target: at most half the cost);
* the same with four param groups and lr + momentum scheduled, against
  ``LambdaLR`` (lr) plus a hand-written momentum write;
* ``ScheduledBatchSampler`` against ``BatchSampler`` (fixed size), per batch.

    python benchmarks/bench_adapters.py
"""

from __future__ import annotations

import statistics
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import median_seconds, print_table  # noqa: E402

import schedalg as sa  # noqa: E402

STEPS = 5_000
LR = sa.cosine(0.1, 0.0, 9_500).warmup(500)
MOMENTUM = sa.cosine(0.95, 0.85, 10_000)


def _optimizer(lr, groups=1):  # type: ignore[no-untyped-def]
    import torch

    params = [{"params": [torch.nn.Parameter(torch.zeros(1))]} for _ in range(groups)]
    return torch.optim.SGD(params, lr=lr, momentum=0.9)


def seconds_per_step(make_ours, make_theirs) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median seconds of one scheduler ``step()`` for each side (fresh schedulers each round).

    The rounds alternate between the two sides, so a change of load on a shared
    machine hits both alike.
    """

    def timer(make):  # type: ignore[no-untyped-def]
        def run() -> None:
            sched = make()
            for _ in range(STEPS):
                sched.step()

        return run

    ours, theirs = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # step() without optimizer.step()
        for _ in range(7):
            ours.append(median_seconds(timer(make_ours), repeat=1))
            theirs.append(median_seconds(timer(make_theirs), repeat=1))
    return statistics.median(ours) / STEPS, statistics.median(theirs) / STEPS


def rows() -> list[tuple[str, float, float, str]]:
    import torch
    from torch.optim.lr_scheduler import LambdaLR
    from torch.utils.data import BatchSampler, SequentialSampler

    from schedalg.torch import ParamScheduler, ScheduledBatchSampler

    def lam(k: int) -> float:
        return LR(k)

    out = []
    for kind, lr in (("float", lambda: 1.0), ("tensor", lambda: torch.tensor(1.0))):
        ours, theirs = seconds_per_step(
            lambda lr=lr: ParamScheduler(_optimizer(lr()), lr=LR), lambda lr=lr: LambdaLR(_optimizer(lr()), lam)
        )
        out.append((f"ParamScheduler.step() vs LambdaLR.step(), {kind} lr", ours, theirs, "<= 0.5x"))

    class LambdaWithMomentum:
        def __init__(self, opt) -> None:  # type: ignore[no-untyped-def]
            self.opt = opt
            self.inner = LambdaLR(opt, lam)
            self.k = 0

        def step(self) -> None:
            self.inner.step()
            self.k += 1
            for g in self.opt.param_groups:
                g["momentum"] = MOMENTUM(self.k)

    ours4, theirs4 = seconds_per_step(
        lambda: ParamScheduler(_optimizer(1.0, 4), lr=LR, momentum=MOMENTUM),
        lambda: LambdaWithMomentum(_optimizer(1.0, 4)),
    )
    out.append(("4 groups, lr + momentum vs LambdaLR + hand-written momentum", ours4, theirs4, "<= 0.5x"))

    n = 20_000
    bs = sa.quantize(sa.linear(32, 256, 1_000), multiple=32)
    ours_b = median_seconds(lambda: sum(1 for _ in ScheduledBatchSampler(SequentialSampler(range(n)), bs)), repeat=7)
    count = sum(1 for _ in ScheduledBatchSampler(SequentialSampler(range(n)), bs))
    fixed = BatchSampler(SequentialSampler(range(n)), batch_size=n // count, drop_last=False)
    theirs_b = median_seconds(lambda: sum(1 for _ in fixed), repeat=7)
    out.append(("ScheduledBatchSampler epoch vs BatchSampler (same batch count)", ours_b, theirs_b, "<= 1.5x"))
    return out


def main() -> None:
    print_table("torch adapters: schedalg vs torch (ratio = schedalg / baseline)", rows())


if __name__ == "__main__":
    main()
