"""``noise``: counter-based draws, both paths bit for bit, and their distribution.

The distribution checks use fixed seeds over 10**5 steps, so they are
deterministic; their bounds are five standard errors (or a Kolmogorov-Smirnov
distance at the 0.1% level), which a correct generator passes with room and a
biased one does not.
"""

from __future__ import annotations

import json
import math
import pickle
from statistics import NormalDist

import numpy as np
import pytest

import schedalg as sa
from schedalg import _noise
from schedalg._noise import Noise

N = 10**5
ONE = sa.constant(1.0)


def draws(s: sa.Schedule, n: int = N) -> np.ndarray:
    """``n(t)`` at steps ``0..n-1`` of a noise over ``constant(1.0)``."""
    return s(np.arange(n)) - 1.0


def assert_paths_agree(s: sa.Schedule, ts: np.ndarray) -> np.ndarray:
    got = s(ts)
    want = np.array([s(t) for t in ts.tolist()])
    assert np.array_equal(got, want, equal_nan=True), np.flatnonzero(got != want)[:5]
    return got


def phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def ks_distance(sample: np.ndarray, cdf) -> float:
    x = np.sort(sample)
    f = np.array([cdf(v) for v in x.tolist()])
    i = np.arange(1, x.size + 1)
    return float(max(np.max(i / x.size - f), np.max(f - (i - 1) / x.size)))


KS_001 = 1.95 / math.sqrt(N)  # Kolmogorov-Smirnov critical distance at the 0.1% level


# -- the recipe, written again from the module docstring ------------------------------------------------
def _mix(x: int) -> int:
    x ^= x >> 16
    x = (x * 0x21F0AAAD) % 2**32
    x ^= x >> 15
    x = (x * 0x735A2D97) % 2**32
    return x ^ (x >> 15)


NORMAL = NormalDist()


def reference_draw(t: float, std: float, limit: float | None, seed: int, kind: str) -> float:
    """The docstring's recipe with Python ints and ``statistics.NormalDist``: equal within 5e-8 std."""
    k = math.floor(t) % 2**64
    key = _mix(_mix(0x243F6A88 ^ (seed % 2**32)) ^ (seed // 2**32))
    w = _mix(_mix((k % 2**32) ^ key) ^ (k // 2**32) ^ _mix(key ^ 0x9E3779B9))
    if kind == "uniform":
        if limit is not None and limit <= std:
            return limit * (2 * w + 1 - 2**32) / 2**32
        return std * (w - 2**31) / 2**31
    sign = 1.0 if w >= 2**31 else -1.0
    u = w % 2**31
    if limit is not None:
        q0 = NORMAL.cdf(-limit / std)  # the truncated range of q
        return sign * std * -NORMAL.inv_cdf(q0 + (0.5 - q0) * (u + 0.5) / 2**31)
    return sign * std * -NORMAL.inv_cdf((2 * u + 1) / 2**33)


@pytest.mark.parametrize(
    ("std", "limit", "seed", "kind"),
    [
        (1.0, None, 0, "normal"),
        (0.1, None, 42, "normal"),
        (1.0, 0.67, 7, "normal"),
        (0.5, 1.0, 3, "normal"),
        (0.3, None, 2**63 - 1, "uniform"),
        (0.3, 0.1, 5, "uniform"),
        (0.3, 0.5, 5, "uniform"),
    ],
)
def test_draws_follow_the_documented_recipe(std, limit, seed, kind):
    s = sa.noise(ONE, std, limit=limit, seed=seed, kind=kind)
    ts = [*range(300), 2**32 - 1, 2**32, 2**32 + 5, 2**53, 10**17, 2**64 - 2048, 1e300]
    for t in ts:
        got = s._draw(float(t))
        want = reference_draw(t, std, limit, seed, kind)
        if kind == "uniform":
            assert got == want, (t, got, want)  # exact products
        else:
            assert abs(got - want) <= 5e-8 * std, (t, got, want)
        assert s(t) == 1.0 + got


def test_pinned_values_are_the_same_on_every_machine():
    """Integer arithmetic and one correctly rounded product: these bits are portable."""
    s = sa.noise(ONE, 1.0, seed=0)
    assert s([0, 1, 2, 3]).tolist() == PINNED_NORMAL
    u = sa.noise(ONE, 0.5, seed=123, kind="uniform")
    assert u([0, 1, 2]).tolist() == PINNED_UNIFORM
    t = sa.noise(ONE, 1.0, limit=0.67, seed=42)
    assert t([0, 1, 2]).tolist() == PINNED_TRUNCATED


PINNED_NORMAL = [0.3206311911344528, 1.5142709165811539, 0.4261925294995308, 0.7961539551615715]
PINNED_UNIFORM = [0.9403725841548294, 1.2995255861897022, 0.7184440731070936]
PINNED_TRUNCATED = [0.5451877638697624, 1.008100003004074, 1.1723267138004303]


# -- the quantile table ----------------------------------------------------------------------------------------
def test_the_quantile_is_within_4e_8_of_the_normal_quantile():
    mpmath = pytest.importorskip("mpmath")
    rng = np.random.default_rng(0)
    u = np.concatenate(
        [rng.integers(0, 2**31, 20_000, dtype=np.uint64), np.arange(64, dtype=np.uint64), 2**31 - 1 - np.arange(64, dtype=np.uint64)]
    )
    for k in range(32):  # a few steps in every octave of q
        u = np.concatenate([u, np.array([2**k - 1, 2**k, (3 << k) // 2], dtype=np.uint64) // 2])
    v = 2 * u + 1
    z = _noise.quantile(_noise.NumpyInts, v).astype(np.float64) / 2**27
    mpmath.mp.dps = 30
    ref = np.array([float(-mpmath.sqrt(2) * mpmath.erfinv(2 * mpmath.mpf(int(x)) / 2**33 - 1)) for x in v.tolist()])
    assert np.max(np.abs(z - ref)) < 4e-8
    assert z.min() >= 0.0 and z.max() == _noise.TABLE["g0"][0] / 2**27  # G(2**-33) = 6.34
    assert np.all(np.diff(_noise.quantile(_noise.NumpyInts, 2 * np.arange(0, 2**31, 4099, dtype=np.uint64) + 1).astype(np.int64)) <= 0)


def test_the_fast_paths_compute_the_generic_recipe():
    """The scalar and numpy paths have their own forms of ``word`` and ``quantile``; the array path runs the generic ones."""
    rng = np.random.default_rng(5)
    w = np.concatenate([rng.integers(0, 2**32, 50_000, dtype=np.uint64), np.array([0, 1, 2**31 - 1, 2**31, 2**32 - 1], np.uint64)])
    v = w | np.uint64(1)
    want = _noise.quantile(_noise.NumpyInts, v)
    assert np.array_equal(_noise._quantile_np(v.astype(np.uint32)), want)
    assert [_noise._quantile_int(x) for x in v[:2000].tolist()] == want[:2000].tolist()
    assert [_noise.quantile(_noise.PyInts, x) for x in v[:2000].tolist()] == want[:2000].tolist()
    keys, hi = (0x12345678, 0xFEDCBA98), rng.integers(0, 2**32, w.size, dtype=np.uint64)
    assert np.array_equal(_noise._word_np(keys, hi.astype(np.uint32), w.astype(np.uint32)), _noise.word(_noise.NumpyInts, keys, hi, w))


def test_the_table_is_made_from_correctly_rounded_operations_only():
    """Made again, the table is the same; its first entries are pinned (they would change with the machine's log)."""
    assert _noise.make_table() == _noise.TABLE
    assert _noise.TABLE["g0"][:3] == PINNED_G0
    assert sum(_noise.TABLE["g0"]) == PINNED_G0_SUM
    assert sum(_noise.TABLE["b"]) == PINNED_B_SUM and sum(_noise.TABLE["c"]) == PINNED_C_SUM


PINNED_G0 = (850666290, 850345532, 850029557)
PINNED_G0_SUM, PINNED_B_SUM, PINNED_C_SUM = 1108709910811, 27348198515, 126877240


def test_the_truncation_is_the_first_u_below_the_cap():
    for a in (0.001, 0.05, 0.67, 1.0, 2.5, 6.0):
        u0, cap = _noise._truncation(a)
        assert cap == math.ceil(a * 2**27) - 1
        z = lambda u: _noise.quantile(_noise.PyInts, 2 * u + 1)  # noqa: E731
        assert z(u0) <= cap and (u0 == 0 or z(u0 - 1) > cap)
        assert abs((2 * u0 + 1) / 2**33 - NORMAL.cdf(-a)) < 1e-8
    assert _noise._truncation(6.34) == (0, None)  # beyond every draw


# -- both paths, any order ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "s",
    [
        sa.noise(sa.cosine(1.0, 0.1, 10_000), 0.2, seed=5),
        sa.noise(sa.linear(0.0, 2.0, 7_000), 1.0, limit=0.67, seed=42),
        sa.noise(ONE, 1.0, limit=0.05),
        sa.noise(ONE, 0.3, limit=0.5, seed=9),
        sa.noise(sa.exponential(1.0, 0.999), 0.2, seed=1, kind="uniform"),
    ],
    ids=repr,
)
def test_paths_agree_bit_for_bit_in_any_order(s):
    ts = np.arange(20_000, dtype=np.float64) * 0.75
    got = assert_paths_agree(s, ts)
    rng = np.random.default_rng(3)
    perm = rng.permutation(ts.size)
    assert np.array_equal(s(ts[perm]), got[perm])
    assert np.array_equal(s(ts[::-1]), got[::-1])
    big = np.arange(3 * 2**16 + 17, dtype=np.int64)  # several blocks of the array path
    whole = s(big)
    assert np.array_equal(whole[:20_000:7], s(big[:20_000:7]))
    assert_paths_agree(s, np.array([2.0**53, 1e15 + 0.5, 2.0**64, 1e300, 5e-324]))


def test_one_draw_per_integer_step():
    s = sa.noise(sa.linear(1.0, 2.0, 10), 0.1, seed=11)
    base = sa.linear(1.0, 2.0, 10)
    for k in range(10):
        n = s(k) / base(k) - 1.0
        for frac in (0.25, 0.5, 0.999):
            assert s(k + frac) == base(k + frac) * (1.0 + n) or math.isclose(
                s(k + frac) / base(k + frac) - 1.0, n, rel_tol=1e-12
            )
    # The draw of a step does not depend on the schedule it multiplies.
    other = sa.noise(sa.constant(3.0), 0.1, seed=11)
    assert [other(k) / 3.0 - 1.0 for k in range(5)] == pytest.approx([s(k) / base(k) - 1.0 for k in range(5)], rel=1e-12)
    # The counter is floor(t) mod 2**64.
    one = sa.noise(ONE, 0.1, seed=11)
    assert one(2.0**64) == one(0) and one(2.0**64 + 2**12) == one(2**12)


def test_an_infinite_local_time_draws_nothing():
    s = sa.stretch(sa.noise(sa.linear(1.0, 0.5, 10), 0.1, seed=3), 5e-324)
    assert s(0) != 1.0 and s(1) == 0.5  # 1 / 5e-324 is inf: linear holds its end, no draw
    assert s(np.array([0.0, 1.0, 2.0])).tolist() == [s(0), 0.5, 0.5]


def test_seeds_give_independent_draws():
    a, b = draws(sa.noise(ONE, 1.0, seed=0)), draws(sa.noise(ONE, 1.0, seed=1))
    assert abs(np.corrcoef(a, b)[0, 1]) < 5 / math.sqrt(N)
    assert abs(np.corrcoef(a[:-1], a[1:])[0, 1]) < 5 / math.sqrt(N)  # lag-1 autocorrelation
    assert abs(np.corrcoef(a[:-7], a[7:])[0, 1]) < 5 / math.sqrt(N)
    hi = draws(sa.noise(ONE, 1.0, seed=2**40))
    assert abs(np.corrcoef(a, hi)[0, 1]) < 5 / math.sqrt(N)


# -- distribution --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("std", "seed"), [(1.0, 0), (0.1, 42), (0.02, 7)])
def test_normal_moments_and_shape(std, seed):
    n = draws(sa.noise(ONE, std, seed=seed)) / std
    se = 1 / math.sqrt(N)
    assert abs(n.mean()) < 5 * se
    assert abs(n.std() - 1.0) < 5 * se / math.sqrt(2)
    assert abs(np.mean(n**3)) < 5 * math.sqrt(15 / N)  # skewness
    assert abs(np.mean(n**4) - 3.0) < 5 * math.sqrt(96 / N)  # kurtosis
    assert abs(np.mean(np.abs(n) > 2) - 0.0455) < 5 * math.sqrt(0.0455 * 0.9545 / N)
    assert ks_distance(n, phi) < KS_001


@pytest.mark.parametrize(("std", "limit"), [(1.0, 0.67), (1.0, 0.1), (0.5, 0.75), (0.5, 0.85), (1.0, 2.5), (0.1, 0.001)])
def test_truncated_normal(std, limit):
    n = draws(sa.noise(ONE, std, limit=limit, seed=13))
    assert np.abs(n).max() < limit
    c = limit / std
    mass = 2 * phi(c) - 1
    density = math.exp(-c * c / 2) / math.sqrt(2 * math.pi)
    var = std**2 * (1 - 2 * c * density / mass)
    assert abs(n.mean()) < 5 * math.sqrt(var / N)
    # The variance of a sample variance: (mu4 - var**2) / N, with mu4 <= limit**2 * var.
    assert abs(n.var() - var) < 5 * math.sqrt((limit**2 * var - var**2) / N)
    assert ks_distance(n, lambda x: (phi(x / std) - phi(-c)) / mass) < KS_001
    assert not np.any(n == 0.0)  # no draw gave up


@pytest.mark.parametrize(("std", "seed"), [(1.0, 0), (0.3, 99)])
def test_uniform(std, seed):
    n = draws(sa.noise(ONE, std, seed=seed, kind="uniform"))
    assert n.min() >= -std and n.max() < std
    assert abs(n.mean()) < 5 * std / math.sqrt(3 * N)
    assert abs(n.var() - std**2 / 3) < 5 * std**2 * math.sqrt(4 / 45 / N)
    assert ks_distance(n, lambda x: (x + std) / (2 * std)) < KS_001
    assert sa.noise(ONE, 2.0, kind="uniform")(np.arange(1000)).min() < 0  # std > 1 may flip the sign


def test_uniform_with_a_limit():
    n = draws(sa.noise(ONE, 1.0, limit=0.25, seed=4, kind="uniform"))
    assert np.abs(n).max() < 0.25
    assert abs(n.var() - 0.25**2 / 3) < 5 * 0.25**2 * math.sqrt(4 / 45 / N)
    assert ks_distance(n, lambda x: (x + 0.25) / 0.5) < KS_001
    wide = sa.noise(ONE, 0.3, limit=0.5, seed=4, kind="uniform")
    assert wide(np.arange(100)).tolist() == sa.noise(ONE, 0.3, seed=4, kind="uniform")(np.arange(100)).tolist()
    assert_paths_agree(sa.noise(ONE, 1.0, limit=0.25, seed=4, kind="uniform"), np.arange(5000.0))


# -- construction -------------------------------------------------------------------------------------------------
def test_validation():
    with pytest.raises(TypeError, match="s must be a Schedule"):
        sa.noise(1.0, 0.1)
    with pytest.raises(ValueError, match=r"std must be a number >= 0, got std=-0.1"):
        sa.noise(ONE, -0.1)
    with pytest.raises(ValueError, match=r"std must be a finite number, got std=inf"):
        sa.noise(ONE, math.inf)
    with pytest.raises(ValueError, match=r"limit must be a positive number, got limit=0"):
        sa.noise(ONE, 0.1, limit=0)
    with pytest.raises(ValueError, match=r"kind must be one of 'normal', 'uniform', got kind='gaussian'"):
        sa.noise(ONE, 0.1, kind="gaussian")
    with pytest.raises(ValueError, match=r"seed must be an integer >= 0, got seed=-1"):
        sa.noise(ONE, 0.1, seed=-1)
    with pytest.raises(ValueError, match=r"seed must be an integer within int64 \(\|seed\| < 2\*\*63\), got seed=9223372036854775808"):
        sa.noise(ONE, 0.1, seed=2**63)
    for bad in (True, 1.5, "1", None):
        with pytest.raises(TypeError, match="seed must be an integer"):
            sa.noise(ONE, 0.1, seed=bad)


def test_simplification_and_round_trips():
    assert sa.noise(ONE, 0) is ONE
    assert sa.noise(sa.linear(0.0, 1.0, 10), 0.0, limit=0.5, seed=3) == sa.linear(0.0, 1.0, 10)
    assert sa.noise(ONE, 0.1, seed=3.0) == sa.noise(ONE, 0.1, seed=3)
    for s in (
        sa.noise(sa.cosine(1.0, 0.0, 100), 0.1),
        sa.noise(ONE, 1.0, limit=0.67, seed=2**63 - 1),
        sa.noise(ONE, 0.5, seed=7, kind="uniform"),
        sa.noise(ONE, 0.5, limit=0.1, seed=7, kind="uniform"),
    ):
        assert type(s) is Noise
        assert sa.parse(repr(s)) == s
        assert sa.from_dict(json.loads(json.dumps(sa.to_dict(s)))) == s
        back = pickle.loads(pickle.dumps(s))
        assert back == s and hash(back) == hash(s)
        assert back(np.arange(50)).tolist() == s(np.arange(50)).tolist()
    assert repr(sa.noise(ONE, 1.0, limit=0.67, seed=42)) == "noise(constant(1.0), 1.0, limit=0.67, seed=42)"
    assert sa.noise(ONE, 0.1) != sa.noise(ONE, 0.1, seed=1)
    q = sa.quantize(sa.linear(1.0, 100.0, 10))
    assert type(sa.noise(q, 0.1)(3)) is float
