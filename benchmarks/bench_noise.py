"""``noise`` against a stateful generator drawing the same distribution.

timm's noise (a normal redrawn until ``|n| < noise_pct``) over a cosine, from
one process: schedalg's counter-based draws against numpy's ``Generator``
(``standard_normal``, the out-of-range draws redrawn) for 10M steps, and
against Python's ``random.gauss`` per scalar step, and (with JAX installed)
in one ``jax.jit`` call against ``jax.random.truncated_normal``. A generator's draws depend
on how many came before; schedalg's depend on the step alone, which is what a
resumable, order-free schedule needs. Ratios are schedalg / generator.

    python benchmarks/bench_noise.py
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import median_seconds, print_table, seconds_per_call  # noqa: E402

import schedalg as sa  # noqa: E402

N_ARRAY = 10_000_000
PEAK, END, PCT = 3e-4, 3e-5, 0.67


def hand_cosine(t: np.ndarray) -> np.ndarray:
    return END + (PEAK - END) * 0.5 * (1.0 + np.cos(np.pi * np.minimum(t / N_ARRAY, 1.0)))


def hand_array(t: np.ndarray, seed: int = 42) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = rng.standard_normal(t.shape)
    bad = np.flatnonzero(np.abs(n) >= PCT)
    while bad.size:
        n[bad] = rng.standard_normal(bad.size)
        bad = bad[np.abs(n[bad]) >= PCT]
    return hand_cosine(t) * (1.0 + n)


def rows() -> list[tuple[str, float, float, str]]:
    lr = sa.noise(sa.cosine(PEAK, END, N_ARRAY), 1.0, limit=PCT, seed=42)
    t = np.arange(N_ARRAY)
    ours = lr(t[:100_000]) / sa.cosine(PEAK, END, N_ARRAY)(t[:100_000]) - 1.0
    assert np.abs(ours).max() < PCT and abs(ours.std() - 0.3755) < 0.01  # the truncated normal's
    array_ours = median_seconds(lambda: lr(t), repeat=5)
    array_hand = median_seconds(lambda: hand_array(t), repeat=5)

    gen = random.Random(42)

    def hand_scalar(k: int) -> float:
        n = gen.gauss(0.0, 1.0)
        while abs(n) >= PCT:
            n = gen.gauss(0.0, 1.0)
        return (END + (PEAK - END) * 0.5 * (1.0 + math.cos(math.pi * min(k / N_ARRAY, 1.0)))) * (1.0 + n)

    steps = [int(x) for x in np.linspace(0, N_ARRAY, 1000)]
    scalar_ours = seconds_per_call(lr, steps)
    scalar_hand = seconds_per_call(hand_scalar, steps)
    return [
        ("10M steps, noise(cosine) vs numpy Generator + redraws", array_ours, array_hand, "<= 1.5x"),
        ("scalar call, noise(cosine) vs random.gauss + redraws", scalar_ours, scalar_hand, "<= 2.5x"),
    ]


def jax_rows() -> list[tuple[str, float, float, str]]:
    """10M steps in one ``jax.jit`` call against ``jax.random.truncated_normal`` (float32, no x64)."""
    import jax
    import jax.numpy as jnp

    lr = sa.noise(sa.cosine(PEAK, END, N_ARRAY), 1.0, limit=PCT, seed=42)
    key = jax.random.PRNGKey(42)

    def theirs(k):  # type: ignore[no-untyped-def]
        u = jnp.minimum(k / N_ARRAY, 1.0)
        n = jax.random.truncated_normal(key, -PCT, PCT, k.shape)
        return (END + (PEAK - END) * 0.5 * (1.0 + jnp.cos(jnp.pi * u))) * (1.0 + n)

    steps = jnp.arange(N_ARRAY, dtype=jnp.int32)
    ours_jit, theirs_jit = jax.jit(lr), jax.jit(theirs)
    ours = median_seconds(lambda: jax.block_until_ready(ours_jit(steps)), repeat=5)
    hand = median_seconds(lambda: jax.block_until_ready(theirs_jit(steps)), repeat=5)
    return [("10M steps in one jax.jit, noise(cosine) vs jax.random", ours, hand, "<= 1.0x")]


def main() -> None:
    table = rows()
    try:
        table += jax_rows()
    except ImportError:  # JAX is an extra
        pass
    print_table("noise: counter-based draws vs a stateful generator (ratio = schedalg / generator)", table)


if __name__ == "__main__":
    main()
