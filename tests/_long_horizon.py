"""Shared by the preset test files: mpmath references over 10**6 steps, within 4 ulp of the peak."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

N = 10**6
mpmath.mp.prec = 113


def mp_cos_mix(lo, hi, num, den):
    """``lo + (hi - lo) * (1 + cos(pi * num / den)) / 2`` exactly (rational phase)."""
    x = mpmath.mpf(num) / mpmath.mpf(den)
    return float(mpmath.mpf(lo) + (mpmath.mpf(hi) - mpmath.mpf(lo)) * (1 + mpmath.cos(mpmath.pi * x)) / 2)


def sample_steps(boundaries, rng):
    picks = set(rng.integers(0, N, 2500).tolist()) | set(range(N - 60, N)) | set(range(60))
    for b in boundaries:
        picks.update(x for x in range(b - 2, b + 3) if 0 <= x < N)
    return np.array(sorted(picks))


def assert_within_4ulp(values, steps, exact_fn, peak):
    tol = 4 * np.spacing(peak)
    for t in steps.tolist():
        exact = exact_fn(t)
        assert abs(values[t] - exact) <= tol, (t, values[t], exact)


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(20261122)
