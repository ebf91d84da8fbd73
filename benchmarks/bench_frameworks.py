"""schedalg in JAX and torch against the frameworks' own schedules, all in one process.

* a jitted optax Adam step (a 256x256 least-squares layer) with a schedalg
  warmup-cosine against the same step with optax's ``warmup_cosine_decay_schedule``
  (target <= 1.05x);
* 10M steps evaluated in one ``jax.jit`` call: schedalg against optax's jitted
  schedule (target <= 1.0x);
* ``torch.compile`` of ``s(step_tensor)`` against the hand-written torch
  expression of the same formula, compiled the same way (target <= 1.0x).

Standalone (compiles take a minute here): ``python benchmarks/bench_frameworks.py``.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import median_seconds, print_table  # noqa: E402

import schedalg as sa  # noqa: E402

PEAK, WARMUP, TOTAL = 1e-3, 1_000, 100_000


def schedalg_warmup_cosine() -> sa.Schedule:
    return sa.cosine(PEAK, 0.0, TOTAL - WARMUP).warmup(WARMUP)


def jax_rows() -> list[tuple[str, float, float, str]]:
    import jax
    import jax.numpy as jnp
    import optax

    theirs_schedule = optax.warmup_cosine_decay_schedule(0.0, PEAK, WARMUP, TOTAL, 0.0)
    ours_schedule = schedalg_warmup_cosine()

    def adam_step_time(schedule) -> float:  # type: ignore[no-untyped-def]
        tx = optax.adam(learning_rate=schedule)
        key = jax.random.PRNGKey(0)
        params = {"w": jax.random.normal(key, (256, 256)) * 0.01}
        x = jax.random.normal(key, (64, 256))

        def loss(p):  # type: ignore[no-untyped-def]
            return jnp.mean((x @ p["w"] - x) ** 2)

        @jax.jit
        def step(params, state):  # type: ignore[no-untyped-def]
            grads = jax.grad(loss)(params)
            updates, state = tx.update(grads, state, params)
            return optax.apply_updates(params, updates), state

        state = tx.init(params)
        carry = [params, state]

        def run() -> None:
            p, s = carry
            for _ in range(20):
                p, s = step(p, s)
            jax.block_until_ready(p)
            carry[:] = [p, s]

        return median_seconds(run, repeat=15) / 20

    # Interleaved rounds, best of three medians each: the machine is shared.
    ours_adam = min(adam_step_time(ours_schedule) for _ in range(3))
    theirs_adam = min(adam_step_time(theirs_schedule) for _ in range(3))

    steps = jnp.arange(10_000_000, dtype=jnp.int32)
    ours_curve = jax.jit(ours_schedule)
    theirs_curve = jax.jit(theirs_schedule)

    def timed(f):  # type: ignore[no-untyped-def]
        return median_seconds(lambda: jax.block_until_ready(f(steps)), repeat=7)

    return [
        ("jitted optax Adam step: schedalg vs optax schedule", ours_adam, theirs_adam, "<= 1.05x"),
        ("10M steps in one jax.jit: schedalg vs optax", timed(ours_curve), timed(theirs_curve), "<= 1.0x"),
    ]


def torch_rows() -> list[tuple[str, float, float, str]]:
    import torch

    s = schedalg_warmup_cosine()
    decay = TOTAL - WARMUP

    def by_hand(k: torch.Tensor) -> torch.Tensor:
        t = k.to(torch.get_default_dtype())
        warm = PEAK * (t / WARMUP)
        u = torch.clamp(t - WARMUP, max=decay) / decay
        cos = 0.5 * PEAK * (1.0 + torch.cos(math.pi * u))
        return torch.where(t < WARMUP, warm, cos)

    ours = torch.compile(lambda k: s(k), fullgraph=True)
    theirs = torch.compile(by_hand, fullgraph=True)
    k = torch.zeros((), dtype=torch.int64)
    ks = torch.arange(1_000_000, dtype=torch.int64)

    def scalar(f):  # type: ignore[no-untyped-def]
        def run() -> None:
            for i in range(200):
                k.fill_(i * 500)
                f(k)

        return median_seconds(run, repeat=9) / 200

    def curve(f):  # type: ignore[no-untyped-def]
        return median_seconds(lambda: f(ks), repeat=7)

    return [
        ("torch.compile s(0-d step tensor) vs hand-written torch", scalar(ours), scalar(theirs), "<= 1.0x"),
        ("torch.compile s(1M step tensor) vs hand-written torch", curve(ours), curve(theirs), "<= 1.0x"),
    ]


def rows() -> list[tuple[str, float, float, str]]:
    return jax_rows() + torch_rows()


if __name__ == "__main__":
    print_table("schedalg in JAX and torch (ratio = schedalg / baseline; lower is better)", rows())
