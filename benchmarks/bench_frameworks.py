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


def best_of_interleaved(ours, theirs, calls: int, rounds: int = 5) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Seconds per call of each side: the best of ``rounds`` medians, the sides alternating.

    Both sides are called once first (compiles, caches), and each round swaps
    which side goes first, so that neither always runs after the other.
    """
    sides = (ours, theirs)
    for fn in sides:
        fn()
    best = [math.inf, math.inf]
    for r in range(rounds):
        for i in (0, 1) if r % 2 == 0 else (1, 0):
            best[i] = min(best[i], median_seconds(sides[i], repeat=5) / calls)
    return best[0], best[1]


def schedalg_warmup_cosine() -> sa.Schedule:
    return sa.cosine(PEAK, 0.0, TOTAL - WARMUP).warmup(WARMUP)


def jax_rows() -> list[tuple[str, float, float, str]]:
    import jax
    import jax.numpy as jnp
    import optax

    theirs_schedule = optax.warmup_cosine_decay_schedule(0.0, PEAK, WARMUP, TOTAL, 0.0)
    ours_schedule = schedalg_warmup_cosine()

    def adam_stepper(schedule):  # type: ignore[no-untyped-def]
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

        carry = [params, tx.init(params)]

        def run() -> None:
            p, s = carry
            for _ in range(20):
                p, s = step(p, s)
            jax.block_until_ready(p)
            carry[:] = [p, s]

        return run

    # Interleaved rounds, the best median of each side: the machine is shared.
    ours_run, theirs_run = adam_stepper(ours_schedule), adam_stepper(theirs_schedule)
    ours_adam, theirs_adam = best_of_interleaved(ours_run, theirs_run, 20)

    steps = jnp.arange(10_000_000, dtype=jnp.int32)
    ours_curve = jax.jit(ours_schedule)
    theirs_curve = jax.jit(theirs_schedule)

    ours_10m, theirs_10m = best_of_interleaved(
        lambda: jax.block_until_ready(ours_curve(steps)), lambda: jax.block_until_ready(theirs_curve(steps)), 1
    )
    return [
        ("jitted optax Adam step: schedalg vs optax schedule", ours_adam, theirs_adam, "<= 1.05x"),
        ("10M steps in one jax.jit: schedalg vs optax", ours_10m, theirs_10m, "<= 1.0x"),
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

        return run

    # A few ms a round: more rounds than the JAX rows, against a shared machine's noise.
    ours_scalar, theirs_scalar = best_of_interleaved(scalar(ours), scalar(theirs), 200, rounds=15)
    ours_curve, theirs_curve = best_of_interleaved(lambda: ours(ks), lambda: theirs(ks), 1, rounds=15)
    return [
        ("torch.compile s(0-d step tensor) vs hand-written torch", ours_scalar, theirs_scalar, "<= 1.0x"),
        ("torch.compile s(1M step tensor) vs hand-written torch", ours_curve, theirs_curve, "<= 1.0x"),
    ]


def rows() -> list[tuple[str, float, float, str]]:
    return jax_rows() + torch_rows()


if __name__ == "__main__":
    print_table("schedalg in JAX and torch (ratio = schedalg / baseline; lower is better)", rows())
