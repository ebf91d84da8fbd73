"""Accuracy against 50-digit mpmath references over 10**6-step schedules.

Every value must lie within 4 ulp of the schedule's peak magnitude (issue 2,
item 7), on ~2000 steps spread over the horizon, both ends and the midpoint
included; the endpoints must be exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import mpmath
import numpy as np
import pytest

import schedalg as sa

N = 10**6
DPS = 50


def horizon(n: int = N) -> np.ndarray:
    """~2000 integer steps over ``[0, n]``, both ends, around the midpoint and past the end."""
    half = n // 2
    special = [
        0,
        1,
        2,
        3,
        half - 2,
        half - 1,
        half,
        half + 1,
        half + 2,
        n - 3,
        n - 2,
        n - 1,
        n,
        n + 1,
        2 * n,
    ]
    return np.unique(
        np.concatenate([np.linspace(0, n, 1985).round().astype(np.int64), special])
    )


def check_within_4_ulp(
    s: sa.Schedule,
    reference: Callable[[mpmath.mpf], mpmath.mpf],
    ts: np.ndarray | None = None,
) -> None:
    ts = horizon() if ts is None else ts
    got = s(ts)
    scalar = [s(int(t)) for t in ts[:: max(1, ts.size // 100)]]
    assert scalar == got[:: max(1, ts.size // 100)].tolist()
    with mpmath.workdps(DPS):
        refs = [reference(mpmath.mpf(int(t))) for t in ts.tolist()]
        peak = max(abs(float(r)) for r in refs)
        tol = 4 * math.ulp(peak)
        worst, where = 0.0, None
        for t, g, r in zip(ts.tolist(), got.tolist(), refs):
            err = float(abs(mpmath.mpf(g) - r))
            if err > worst:
                worst, where = err, t
    assert worst <= tol, (
        f"{s!r}: error {worst / math.ulp(peak):.2f} ulp of the peak at step {where}"
    )


def interpolation(
    start: float, end: float, steps: int, share: Callable[[mpmath.mpf], mpmath.mpf]
):
    """``end + (start - end) * share(u)`` with ``u = t / steps``, then ``end``."""

    def ref(t: mpmath.mpf) -> mpmath.mpf:
        if t >= steps:
            return mpmath.mpf(end)
        u = t / steps
        return mpmath.mpf(end) + (mpmath.mpf(start) - mpmath.mpf(end)) * share(u)

    return ref


def cosine_share(u: mpmath.mpf) -> mpmath.mpf:
    return (1 + mpmath.cos(mpmath.pi * u)) / 2


ENDS = [(1.0, 0.0), (3e-4, 3e-5), (0.1, 0.7), (-2.0, 5.0), (1e-3, 0.0), (5.0, 4.999)]


@pytest.mark.parametrize(("start", "end"), ENDS)
def test_cosine(start, end):
    s = sa.cosine(start, end, N)
    check_within_4_ulp(s, interpolation(start, end, N, cosine_share))
    assert s(0) == start and s(N) == end and s(10 * N) == end


@pytest.mark.parametrize(("start", "end"), ENDS[:4])
@pytest.mark.parametrize("power", [0.5, 1.0, 2.0, 3.0, 7.0])
def test_polynomial(start, end, power):
    s = sa.polynomial(start, end, N, power=power)
    check_within_4_ulp(
        s, interpolation(start, end, N, lambda u: (1 - u) ** mpmath.mpf(power))
    )
    assert s(0) == start and s(N) == end


@pytest.mark.parametrize(("start", "end"), ENDS[:3])
def test_linear(start, end):
    s = sa.linear(start, end, N)
    check_within_4_ulp(s, interpolation(start, end, N, lambda u: 1 - u))
    assert s(0) == start and s(N) == end


@pytest.mark.parametrize(
    ("start", "gamma", "every", "staircase"),
    [
        (1.0, 0.99999, 1, False),  # decay to e**-10
        (0.1, 1.000002, 1, False),  # growth to e**2
        (1.0, 1.00001, 1, False),  # growth to e**10: the peak is at the end
        (1.0, 0.9, 7, False),
        (0.5, 0.999, 1000, False),
        (1.0, 1.00002, 7, False),
        (1.0, 0.5, 100_000, True),
        (2.0, 1.5, 100_000, True),
        (3.0, 0.97, 1000, True),
    ],
)
def test_exponential(start, gamma, every, staircase):
    s = sa.exponential(start, gamma, every=every, staircase=staircase)

    def ref(t: mpmath.mpf) -> mpmath.mpf:
        e = mpmath.floor(t / every) if staircase else t / every
        return mpmath.mpf(start) * mpmath.mpf(gamma) ** e

    check_within_4_ulp(s, ref, horizon())
    assert s(0) == start


def test_exponential_staircase_steps_are_exact_powers():
    s = sa.exponential(1.0, 0.5, every=1000, staircase=True)
    ts = np.arange(0, N + 1, 250)
    assert s(ts).tolist() == [0.5 ** (t // 1000) for t in ts.tolist()]


@pytest.mark.parametrize(("peak", "floor"), [(1e-3, 1e-5), (3e-4, 0.0), (1.0, 0.1)])
def test_warmup_cosine(peak, floor):
    w = 10_000
    s = sa.warmup(sa.cosine(peak, floor, N - w), w)
    body = interpolation(peak, floor, N - w, cosine_share)

    def ref(t: mpmath.mpf) -> mpmath.mpf:
        if t < w:
            return mpmath.mpf(peak) * t / w
        return body(t - w)

    ts = np.unique(
        np.concatenate([horizon(), [w - 1, w, w + 1, w // 2, w + (N - w) // 2]])
    )
    check_within_4_ulp(s, ref, ts)
    assert s(0) == 0.0 and s(w) == peak and s(N) == floor


def test_cosine_decays_monotonically_to_its_end():
    s = sa.cosine(1.0, 0.0, N)
    values = s(np.arange(N + 1))
    assert values[0] == 1.0 and values[-1] == 0.0
    assert np.all(np.diff(values) <= 0)
    assert np.all(values[1:-1] > 0)
