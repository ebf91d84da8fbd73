"""Timing helpers shared by the benchmark scripts (medians, all sides in one process)."""

from __future__ import annotations

import statistics
import time
from typing import Callable, Sequence


def median_seconds(fn: Callable[[], object], *, repeat: int = 7, number: int = 1) -> float:
    """Median wall time of one call of ``fn`` over ``repeat`` rounds of ``number`` calls."""
    fn()  # warm up caches and lazy imports
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - start) / number)
    return statistics.median(rounds)


def seconds_per_call(fn: Callable[[int], object], steps: Sequence[int]) -> float:
    """Median seconds of one scalar call of ``fn`` (a schedule or a function), over ``steps``."""

    def run() -> None:
        for t in steps:
            fn(t)

    return median_seconds(run, repeat=9) / len(steps)


def fmt_seconds(seconds: float) -> str:
    if seconds < 1e-6:
        return f"{seconds * 1e9:8.1f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.2f} us"
    return f"{seconds * 1e3:8.2f} ms"


def print_table(title: str, rows: list[tuple[str, float, float, str]]) -> None:
    """Rows of (figure, ours, theirs, target); prints times and ours/theirs."""
    print(f"\n{title}")
    print(f"{'figure':<58} {'schedalg':>11} {'baseline':>11} {'ratio':>8}  target")
    for name, ours, theirs, target in rows:
        print(f"{name:<58} {fmt_seconds(ours):>11} {fmt_seconds(theirs):>11} {ours / theirs:7.2f}x  {target}")
