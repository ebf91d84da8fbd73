"""Core evaluation paths against the hand-written limit.

Prints, from one process, the time of schedalg's ``warmup(cosine(...))`` and of
the same formula written by hand: per scalar call against a ``math`` function,
and for a 10M-step array against a ``np.where`` expression. Ratios are
schedalg / hand-written (lower is better).

    python benchmarks/bench_core.py
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import median_seconds, print_table, seconds_per_call  # noqa: E402

import schedalg as sa  # noqa: E402

N_ARRAY = 10_000_000
# The cosine spans the whole 10M-step horizon: every step is in a formula
# piece, none in the constant tail (which would flatter the array path).
PEAK, END, WARMUP, DECAY = 3e-4, 3e-5, 1_000, N_ARRAY - 1_000


def hand_scalar(t: float) -> float:
    if t < WARMUP:
        return PEAK * t / WARMUP
    u = (t - WARMUP) / DECAY
    if u >= 1.0:
        return END
    return END + (PEAK - END) * 0.5 * (1.0 + math.cos(math.pi * u))


def hand_array(t: np.ndarray) -> np.ndarray:
    u = np.clip((t - WARMUP) / DECAY, 0.0, 1.0)
    return np.where(t < WARMUP, PEAK * t / WARMUP, END + (PEAK - END) * 0.5 * (1.0 + np.cos(np.pi * u)))


def rows() -> list[tuple[str, float, float, str]]:
    lr = sa.warmup(sa.cosine(PEAK, END, DECAY), WARMUP)
    # Scalar: the same 1000 steps (warmup, decay and hold phases) for both.
    steps = [int(x) for x in np.linspace(0, 1.2 * N_ARRAY, 1000)]
    assert all(math.isclose(lr(t), hand_scalar(t), rel_tol=1e-12, abs_tol=1e-18) for t in steps)
    scalar_ours = seconds_per_call(lr, steps)
    scalar_hand = seconds_per_call(hand_scalar, steps)

    t = np.arange(N_ARRAY)
    np.testing.assert_allclose(lr(t[:200_000]), hand_array(t[:200_000]), rtol=1e-12, atol=1e-18)
    array_ours = median_seconds(lambda: lr(t), repeat=5)
    array_hand = median_seconds(lambda: hand_array(t), repeat=5)
    return [
        ("scalar call, warmup(cosine) vs math function", scalar_ours, scalar_hand, "<= 3x"),
        ("10M-step array, warmup(cosine) vs np.where", array_ours, array_hand, "<= 0.6x"),
    ]


def main() -> None:
    print_table("core: schedalg vs hand-written (ratio = schedalg / hand-written)", rows())


if __name__ == "__main__":
    main()
