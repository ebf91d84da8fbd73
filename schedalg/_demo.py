"""The end-to-end demo behind ``python -m schedalg demo`` (the ``demo`` extra).

It trains a small MLP on data it makes itself (no download) with:

* a learning rate that warms up linearly and decays on a cosine, and a
  momentum that dips while the learning rate is high, both written into the
  optimizer by :class:`schedalg.torch.ParamScheduler`;
* a batch size that ramps from 32 to 256 in multiples of 32, drawn by
  :class:`schedalg.torch.ScheduledBatchSampler`;
* a checkpoint halfway through, and a second run that resumes from it in fresh
  objects and is checked to continue *exactly* (same losses, same weights);
* a figure of learning rate, momentum, batch size and loss against the step.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from typing import Any

import schedalg as sa

__all__ = ["MissingExtra", "run", "schedules"]

_INSTALL = 'pip install torch==2.13.0 && pip install "schedalg[demo]"'


class MissingExtra(ImportError):
    """A library of the ``demo`` extra is not installed."""


def schedules(total: int) -> dict[str, sa.Schedule]:
    """The demo's schedules for a run of ``total`` optimizer steps.

    >>> s = schedules(1000)
    >>> s["lr"](0), s["lr"](100), s["lr"](999) < 1e-3
    (0.0, 0.2, True)
    >>> s["momentum"](0), s["momentum"](100), s["batch_size"](0), s["batch_size"](999)
    (0.95, 0.85, 32, 256)
    """
    warm = max(1, total // 10)
    lr = sa.cosine(0.2, 0.0, total - warm).warmup(warm)
    # Momentum mirrors the learning rate (1-cycle style): 0.85 while lr peaks at 0.2.
    momentum = 0.95 - lr / 2
    # The batch size grows over the first 60% of the run, then holds.
    batch_size = sa.quantize(sa.linear(32, 256, int(total * 0.6)), multiple=32)
    return {"lr": lr, "momentum": momentum, "batch_size": batch_size}


def _imports() -> tuple[Any, Any, Any]:
    try:
        import torch
        from tqdm.auto import tqdm

        import matplotlib

        from . import torch as adapters  # noqa: F401  (needs torch)
    except ImportError as exc:
        msg = f"the demo needs the \"demo\" extra (torch, tqdm, matplotlib), missing {exc.name or exc}: {_INSTALL}"
        raise MissingExtra(msg) from None
    matplotlib.use("Agg")
    return torch, tqdm, adapters


def _data(torch: Any, n: int) -> Any:
    """A classification task from a random teacher network: 32 features, 10 classes."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 32, generator=g)
    w1 = torch.randn(32, 64, generator=g) / math.sqrt(32)
    w2 = torch.randn(64, 10, generator=g) / math.sqrt(64)
    y = (torch.tanh(x @ w1) @ w2).argmax(dim=1)
    return torch.utils.data.TensorDataset(x, y)


class _Run:
    """Model, optimizer, schedulers and loader, built the same way for a fresh start and a resume."""

    def __init__(self, torch: Any, adapters: Any, dataset: Any, plan: dict[str, sa.Schedule]) -> None:
        torch.manual_seed(1)
        self.model = torch.nn.Sequential(
            torch.nn.Linear(32, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10)
        )
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.0, momentum=0.0, nesterov=False)
        self.scheduler = adapters.ParamScheduler(self.optimizer, lr=plan["lr"], momentum=plan["momentum"])
        # Shuffled by epoch and seed alone, so the order of any epoch can be rebuilt on resume.
        sampler = torch.utils.data.DistributedSampler(dataset, num_replicas=1, rank=0, shuffle=True, seed=0)
        self.batches = adapters.ScheduledBatchSampler(sampler, plan["batch_size"], drop_last=True)
        self.loader = torch.utils.data.DataLoader(dataset, batch_sampler=self.batches)
        self.loss_fn = torch.nn.CrossEntropyLoss()
        self.step = 0

    def state_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.step = state["step"]
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        # The loop's own step counter is the position in the data (DESIGN: the
        # sampler's is ahead when a DataLoader prefetches).
        self.batches.load_state_dict({"step": self.step})

    def train(self, until: int, log: dict[str, list[float]], bar: Any) -> None:
        """Train up to global step ``until``, appending each step's values to ``log``."""
        while self.step < until:
            for x, y in self.loader:
                group = self.optimizer.param_groups[0]
                log["lr"].append(group["lr"])
                log["momentum"].append(group["momentum"])
                log["batch_size"].append(len(y))
                self.optimizer.zero_grad()
                loss = self.loss_fn(self.model(x), y)
                loss.backward()
                self.optimizer.step()
                self.scheduler.step()
                self.step += 1
                log["loss"].append(loss.item())
                bar.update(1)
                bar.set_postfix(loss=f"{loss.item():.3f}", bs=len(y), lr=f"{group['lr']:.3g}", refresh=False)
                if self.step >= until:
                    return


def _figure(log: dict[str, list[float]], plan: dict[str, sa.Schedule], resumed_at: int, path: str) -> None:
    import matplotlib.pyplot as plt
    import numpy as np

    steps = np.arange(len(log["loss"]))
    fig, axes = plt.subplots(3, 1, figsize=(7, 6.5), sharex=True, layout="constrained")
    sa.plot(plan["lr"], steps=steps, ax=axes[0], labels=["lr (schedule)"])
    axes[0].plot(steps, log["lr"], ".", markersize=1.5, label="lr (optimizer)")
    twin = axes[0].twinx()
    twin.plot(steps, log["momentum"], color="tab:green", label="momentum (right axis)")
    twin.set_ylabel("momentum")
    twin.legend(loc="center right", fontsize="small")
    axes[0].set_ylabel("learning rate")
    axes[0].legend(loc="upper right", fontsize="small")
    axes[0].set_xlabel("")
    sa.plot(plan["batch_size"], steps=steps, ax=axes[1], labels=["batch size"])
    axes[1].set_ylabel("batch size")
    axes[1].set_xlabel("")
    axes[2].plot(steps, log["loss"], linewidth=0.6, label="training loss")
    axes[2].set_yscale("log")
    axes[2].set_ylabel("loss")
    axes[2].set_xlabel("step")
    for ax in axes:
        ax.axvline(resumed_at, color="grey", linestyle=":", linewidth=1)
    axes[2].annotate("checkpoint: resumed here", (resumed_at, 1), xycoords=("data", "axes fraction"),
                     xytext=(4, -12), textcoords="offset points", fontsize="small", color="grey")
    axes[2].legend(fontsize="small")
    fig.suptitle("schedalg demo: warmup + cosine lr, mirrored momentum, batch-size ramp")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(quick: bool = False, out: str | None = None) -> str:
    """Train, checkpoint, resume, check, plot; returns the figure's path.

    Args:
        quick: a short run (a few seconds) for tests and CI.
        out: the folder for the checkpoint and the figure (a new temporary
            folder when ``None``).
    """
    torch, tqdm, adapters = _imports()
    # A model this small trains fastest on one thread (no synchronisation between
    # threads), and so leaves the other cores free.
    torch.set_num_threads(1)
    total = 200 if quick else 3000
    plan = schedules(total)
    dataset = _data(torch, 4096 if quick else 16384)
    out = out or tempfile.mkdtemp(prefix="schedalg-demo-")
    os.makedirs(out, exist_ok=True)
    checkpoint = os.path.join(out, "checkpoint.pt")
    half = total // 2
    started = time.perf_counter()
    print(f"Training a small MLP for {total} steps; lr, momentum and batch size follow:")
    for name, s in plan.items():
        print(f"  {name:<10} = {s!r}")

    # One run from the start: a checkpoint at the halfway step, then on to the end.
    log: dict[str, list[float]] = {"lr": [], "momentum": [], "batch_size": [], "loss": []}
    first = _Run(torch, adapters, dataset, plan)
    with tqdm(total=total, desc="train", unit="step", mininterval=0.5) as bar:
        first.train(half, log, bar)
        torch.save(first.state_dict(), checkpoint)
        first.train(total, log, bar)

    # A fresh run (new model, optimizer, schedulers, loader) resumed from the checkpoint.
    resumed_log: dict[str, list[float]] = {"lr": [], "momentum": [], "batch_size": [], "loss": []}
    second = _Run(torch, adapters, dataset, plan)
    second.load_state_dict(torch.load(checkpoint, weights_only=True))
    with tqdm(total=total, initial=half, desc="resume", unit="step", mininterval=0.5) as bar:
        second.train(total, resumed_log, bar)
    for key, values in resumed_log.items():
        if values != log[key][half:]:
            msg = f"the resumed run differs from the first one in {key}"
            raise AssertionError(msg)
    for (name, a), b in zip(first.model.state_dict().items(), second.model.state_dict().values()):
        if not torch.equal(a, b):
            msg = f"the resumed run ends with different weights in {name}"
            raise AssertionError(msg)
    print(f"Resumed at step {half} from {checkpoint}: the same {total - half} losses, batch sizes and final weights.")

    if log["lr"] != [plan["lr"](t) for t in range(total)] or log["batch_size"] != [plan["batch_size"](t) for t in range(total)]:
        msg = "the optimizer's lr or the batch sizes differ from the schedules"
        raise AssertionError(msg)
    figure = os.path.join(out, "schedalg-demo.png")
    _figure(log, plan, half, figure)
    first_loss = sum(log["loss"][:20]) / 20
    last_loss = sum(log["loss"][-20:]) / 20
    print(f"Loss {first_loss:.3f} -> {last_loss:.3f} in {time.perf_counter() - started:.1f} s.")
    print(f"Figure (lr, momentum, batch size, loss against the step): {figure}")
    return figure
