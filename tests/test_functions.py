"""clock, the functions of values (power, exp, log, tanh) and compose.

Values are checked against hand-computed numbers, the C library and 50-digit
mpmath references; both evaluation paths must agree bit for bit over many
steps (numpy's kernels round differently from the C library on some CPUs, and
the scalar path must follow them).
"""

from __future__ import annotations

import json
import math
import pickle

import mpmath
import numpy as np
import pytest
from test_accuracy import N, check_within_4_ulp, horizon

import schedalg as sa
from schedalg.combinators import Compose
from schedalg.functions import Exp, Log, Power, Tanh
from schedalg.shapes import Clock

LIN = sa.linear(0.0, 1.0, 10)


def ulps(got: float, want: float) -> float:
    return abs(got - want) / math.ulp(want) if want else abs(got) / 5e-324


def scalar_values(s: sa.Schedule, ts: np.ndarray) -> np.ndarray:
    return np.array([s(t) for t in ts.tolist()])


def assert_paths_agree(s: sa.Schedule, ts: np.ndarray) -> np.ndarray:
    """``s(ts)`` equals the scalar calls bit for bit (NaN equal to NaN); returns the values."""
    got = s(ts)
    want = scalar_values(s, ts)
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    if not same.all():
        i = int(np.argmin(same))
        raise AssertionError(f"{s!r}: s(array) = {got[i]!r} but s({ts[i]!r}) = {want[i]!r}")
    # Signs of zeros too.
    assert np.array_equal(np.signbit(got), np.signbit(want))
    return got


def round_trips(s: sa.Schedule) -> None:
    assert sa.parse(repr(s)) == s
    assert sa.from_dict(json.loads(json.dumps(sa.to_dict(s)))) == s
    assert pickle.loads(pickle.dumps(s)) == s
    assert hash(sa.parse(repr(s))) == hash(s)


# -- clock -------------------------------------------------------------------------------------------------
def test_clock_is_the_step():
    c = sa.clock()
    assert type(c) is Clock
    assert c(0) == 0.0 and type(c(0)) is float
    assert c(7) == 7.0 and c(2.5) == 2.5 and c(10**12) == 1e12
    ts = np.array([0, 3, 10**15, 2**53 + 2], dtype=np.int64)
    assert c(ts).dtype == np.float64
    assert c(ts).tolist() == [0.0, 3.0, 1e15, float(2**53 + 2)]
    assert c(np.array([[0.5, 1.5]])).tolist() == [[0.5, 1.5]]
    assert c == sa.clock() and hash(c) == hash(sa.clock())
    assert repr(c) == "clock()"
    assert sa.to_dict(c) == {"type": "clock"}
    round_trips(c)


def test_clock_writes_keras_inverse_time_decay():
    lr, rate, decay_steps = 0.1, 0.5, 10
    s = lr / (1 + rate * sa.clock() / decay_steps)
    ts = np.arange(0, 1000, 7)
    # keras: initial_learning_rate / (1 + decay_rate * step / decay_steps)
    want = [lr / (1 + rate * t / decay_steps) for t in ts.tolist()]
    assert s(ts).tolist() == want
    round_trips(s)


# -- power -------------------------------------------------------------------------------------------------
def test_power_values_by_hand():
    cube = sa.power(sa.linear(-8.0, 8.0, 16), 3)
    assert cube(np.arange(17)).tolist() == [float(v**3) for v in range(-8, 9)]
    assert [cube(t) for t in range(17)] == [float(v**3) for v in range(-8, 9)]
    square = sa.linear(-3.0, 3.0, 6) ** 2
    assert square(np.arange(7)).tolist() == [9.0, 4.0, 1.0, 0.0, 1.0, 4.0, 9.0]
    root = sa.power(sa.linear(0.0, 16.0, 16), 0.5)
    assert [root(t) for t in (0, 1, 4, 9, 16)] == [0.0, 1.0, 2.0, 3.0, 4.0]
    inv = sa.power(sa.linear(1.0, 4.0, 3), -2)
    assert inv([0, 1, 3]).tolist() == [1.0, 0.25, 0.0625]
    assert sa.power(LIN, 0)(np.arange(3)).tolist() == [1.0, 1.0, 1.0]  # 0 ** 0 == 1


def test_power_sign_of_negative_bases_and_zeros():
    s = sa.linear(-2.0, 2.0, 4)  # -2, -1, 0, 1, 2
    assert s(2) == 0.0
    assert sa.power(s, 3)([0, 1, 2]).tolist() == [-8.0, -1.0, 0.0]
    assert sa.power(s, -1)([0, 1]).tolist() == [-0.5, -1.0]
    assert sa.power(s, 4)([0, 1]).tolist() == [16.0, 1.0]
    assert sa.power(s, -3.0)(0) == -0.125
    neg_zero = sa.scale(sa.linear(1.0, 0.0, 1), -1.0)  # -0.0 from step 1 on
    assert math.copysign(1.0, neg_zero(1)) == -1.0
    for p in (2, 3, 0.5):
        assert_paths_agree(sa.power(neg_zero, p), np.array([1.0, 2.0, 1.5, 7.0]))


@pytest.mark.parametrize("p", [0.5, 1 / 3, 2.5, -1.7, 3.0, 7.0, -2.0, 0.01, 40.0])
def test_power_paths_agree_bit_for_bit(p):
    s = sa.power(sa.linear(1e-3, 3.0, 20_000), p)
    ts = np.arange(20_001, dtype=np.float64) * 1.000173
    got = assert_paths_agree(s, ts)
    base = sa.linear(1e-3, 3.0, 20_000)(ts[::397])
    for v, g in zip(base.tolist(), got[::397].tolist()):
        assert ulps(g, float(mpmath.power(mpmath.mpf(v), mpmath.mpf(p)))) <= 1.0


def test_power_of_one_element_arrays_and_runs():
    """numpy computes an in-place power of one element with the C library's pow: never used."""
    s = sa.power(sa.linear(1e-3, 3.0, 5000), 0.5)
    for t in range(0, 5000, 7):
        assert s(np.array([t])).tolist() == [s(t)]
    c = sa.cyclical(sa.scale(sa.power(sa.clock() / 10.0, 0.5), 10.0), 1, period_mult=3.0)
    ts = np.array([0.0, 1, 4, 13, 40, 43, 121, 130, 1000, 4000, 10**6])
    rng = np.random.default_rng(0)
    want = assert_paths_agree(c, ts)
    for _ in range(20):  # one-element runs of the cyclical's sorted path, in any order
        perm = rng.permutation(ts.size)
        assert c(ts[perm]).tolist() == want[perm].tolist()


def test_power_of_signed_values_paths_agree():
    ts = np.arange(0, 4001, dtype=np.float64) / 2
    for p in (2, 3, -1, -3, 5, 0):
        assert_paths_agree(sa.power(sa.cosine(-7.5, 7.0, 2000), p), ts)


def test_power_overflow_is_inf():
    s = sa.power(sa.linear(1e200, -1e200, 10), 3)
    assert s(0) == math.inf and s(10) == -math.inf
    assert s([0, 10]).tolist() == [math.inf, -math.inf]
    assert sa.power(sa.linear(1e-200, 1.0, 10), -2)(0) == math.inf
    assert_paths_agree(s, np.arange(11.0))


def test_power_outside_the_reals_raises_naming_the_step():
    s = sa.power(sa.linear(1.0, -1.0, 10), 0.5)
    assert s(2) == math.sqrt(0.6) or ulps(s(2), math.sqrt(0.6)) <= 1
    with pytest.raises(ValueError, match=r"power: -0\.19999999999999996 \*\* 0\.5 is not a real number \(at step 6\.0\)"):
        s(6)
    with pytest.raises(ValueError, match=r"not a real number \(at step 7\.0\)"):
        s(np.array([0, 1, 7, 6, 9]))
    zero = sa.power(sa.linear(1.0, 0.0, 10), -1)
    with pytest.raises(ValueError, match=r"0\.0 \*\* -1\.0 is a division by zero \(at step 10\.0\)"):
        zero(10)
    with pytest.raises(ValueError, match=r"division by zero \(at step 12\.0\)"):
        zero(np.array([3, 12, 11]))


def test_power_operator_and_its_foreign_operands():
    assert LIN**2 == sa.power(LIN, 2.0)
    assert LIN**0.5 == sa.power(LIN, 0.5)
    assert LIN ** np.float32(0.5) == sa.power(LIN, 0.5)
    assert LIN ** np.int64(3) == sa.power(LIN, 3)
    for other in (LIN, "2", None, [2], True, np.bool_(True), 1j, np.array([2.0])):
        assert LIN.__pow__(other) is NotImplemented
        with pytest.raises(TypeError):
            LIN**other
    for base in (2, 2.0, np.float64(2.0), "2", None):
        assert LIN.__rpow__(base) is NotImplemented
        with pytest.raises(TypeError):
            base**LIN
    with pytest.raises(TypeError):
        pow(LIN, 2, 3)


def test_power_validates_its_arguments():
    with pytest.raises(TypeError, match="s must be a Schedule"):
        sa.power(2.0, 2)
    with pytest.raises(TypeError, match="p must be a real number"):
        sa.power(LIN, "2")
    with pytest.raises(TypeError, match="p must be a real number"):
        sa.power(LIN, True)
    with pytest.raises(TypeError, match="p must be a real number"):
        sa.power(LIN, LIN)
    with pytest.raises(ValueError, match="p must be a finite number, got p=inf"):
        sa.power(LIN, math.inf)


def test_power_simplifies_without_changing_values():
    assert sa.power(LIN, 1) is LIN
    assert LIN**1.0 is LIN
    q = sa.quantize(LIN * 100)
    assert q**1 is q and q(5) == 50 and type((q**1)(5)) is int
    assert type((q**2)(5)) is float
    nested = sa.power(sa.power(LIN, 2), 3)
    assert type(nested) is Power and type(nested.s) is Power  # (v**2)**3 rounds twice
    assert sa.power(sa.constant(2.0), 0.5) == sa.constant(float(np.power([2.0], [0.5])[0]))
    assert sa.power(sa.constant(-8.0), 3) == sa.constant(-512.0)
    # Values outside the domain keep the node, which raises at evaluation.
    for kept in (sa.power(sa.constant(-1.0), 0.5), sa.power(sa.constant(0.0), -1)):
        assert type(kept) is Power
        with pytest.raises(ValueError, match=r"at step 3"):
            kept(3)
    assert type(sa.power(sa.constant(1e300), 2)) is Power  # inf is no constant
    assert sa.power(sa.constant(1e300), 2)(0) == math.inf


# -- exp, log, tanh --------------------------------------------------------------------------------------------
def test_exp_log_tanh_values():
    e = sa.exp(sa.linear(0.0, -2.0, 2))
    assert [e(0), e(1), e(2)] == [1.0, math.exp(-1.0), math.exp(-2.0)]
    lg = sa.log(sa.exponential(1.0, 2.0))
    for t in range(0, 60):
        assert lg(t) == t * math.log(2.0) or ulps(lg(t), t * math.log(2.0)) <= 1
    assert lg(0) == 0.0
    th = sa.tanh(sa.linear(-30.0, 30.0, 60))
    assert th(0) == -1.0 and th(30) == 0.0 and th(60) == 1.0
    assert th(29) == -th(31)


@pytest.mark.parametrize(
    ("build", "reference", "lo", "hi"),
    [
        (sa.exp, mpmath.exp, -745.0, 709.0),
        (sa.exp, mpmath.exp, -3.0, 3.0),
        (sa.log, mpmath.log, 1e-3, 3.0),
        (sa.log, mpmath.log, 0.5, 1e300),
        (sa.tanh, mpmath.tanh, -20.0, 20.0),
        (sa.tanh, mpmath.tanh, -0.5, 0.5),
    ],
)
def test_functions_paths_agree_bit_for_bit_and_within_an_ulp(build, reference, lo, hi):
    inner = sa.linear(lo, hi, 20_000)
    s = build(inner)
    got = assert_paths_agree(s, np.arange(20_001, dtype=np.float64) * 0.99991)
    ts = np.arange(0, 20_001, 211)
    with mpmath.workdps(40):
        for v, g in zip(inner(ts).tolist(), s(ts).tolist()):
            want = float(reference(mpmath.mpf(v)))
            assert g == want or ulps(g, want) <= 1.0, (v, g, want)
    assert got.dtype == np.float64


def test_exp_overflows_to_inf_and_underflows_to_zero():
    s = sa.exp(sa.linear(-800.0, 800.0, 1600))
    assert s(0) == 0.0 and s(1600) == math.inf
    assert s(np.array([0.0, 1600.0])).tolist() == [0.0, math.inf]
    ts = np.concatenate([np.arange(0.0, 1601.0), np.linspace(1509.0, 1510.0, 4001), np.linspace(54.0, 56.0, 4001)])
    assert_paths_agree(s, ts)


def test_log_of_values_not_positive_raises_naming_the_step():
    s = sa.log(sa.linear(1.0, -1.0, 10))
    assert s(0) == 0.0
    with pytest.raises(ValueError, match=r"log: the value 0\.0 is not positive \(at step 5\.0\)"):
        s(5)
    with pytest.raises(ValueError, match=r"log: the value -0\.6 is not positive \(at step 8\.0\)"):
        s(np.array([0, 1, 8, 9]))
    assert type(sa.log(sa.constant(-1.0))) is Log
    with pytest.raises(ValueError, match="at step 2"):
        sa.log(sa.constant(-1.0))(2)


def test_functions_of_values_validate_and_fold_constants():
    for f in (sa.exp, sa.log, sa.tanh):
        with pytest.raises(TypeError, match="s must be a Schedule"):
            f(1.0)
    assert sa.exp(sa.constant(1.0)) == sa.constant(sa.exp(LIN)(10))
    assert sa.log(sa.constant(math.e)) == sa.constant(sa.log(sa.exp(LIN))(10))
    assert sa.tanh(sa.constant(0.5)) == sa.constant(sa.tanh(sa.linear(0.0, 0.5, 1))(1))
    assert type(sa.exp(sa.constant(1000.0))) is Exp  # inf is no constant
    for cls, s in ((Exp, sa.exp(sa.log(LIN + 1))), (Log, sa.log(sa.exp(LIN))), (Tanh, sa.tanh(sa.tanh(LIN)))):
        assert type(s) is cls  # never folded: each function rounds
        round_trips(s)


def test_functions_of_integer_schedules_are_floats():
    q = sa.quantize(sa.linear(1.0, 100.0, 10))
    for s in (sa.exp(q), sa.log(q), sa.tanh(q), q**2, sa.power(q, 0.5)):
        assert type(s(3)) is float
        assert s(np.arange(4)).dtype == np.float64


# -- compose -------------------------------------------------------------------------------------------------
def test_compose_is_timm_k_decay():
    lr_max, lr_min, T = 0.1, 1e-5, 1000
    for k in (0.5, 1.0, 2.0, 3.0):
        s = sa.compose(sa.cosine(lr_max, lr_min, T), T * sa.power(sa.clock() / T, k))
        ts = np.arange(T + 1)
        # timm.scheduler.cosine_lr: lr_min + 0.5 * (lr_max - lr_min) * (1 + cos(pi * t**k / t_i**k))
        want = [lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * t**k / T**k)) for t in ts.tolist()]
        np.testing.assert_allclose(s(ts), want, rtol=0, atol=4 * math.ulp(lr_max))
        assert s(0) == lr_max and s(T) == lr_min
        assert_paths_agree(s, np.arange(T + 1, dtype=np.float64) * 1.5)
        round_trips(s)


def test_compose_values_and_clock_changes():
    s = sa.cosine(1.0, 0.0, 100)
    assert sa.compose(s, sa.clock()) is s
    ts = np.concatenate([np.arange(300.0), np.arange(300.0) + 0.25, [1e6, 1e12]])
    for k in (1, 7, 0.5):
        assert sa.compose(s, sa.clock() + k)(ts).tolist() == sa.shift(s, k)(ts).tolist()
    for f in (2.0, 3.0, 0.1):
        assert sa.compose(s, sa.clock() / f)(ts).tolist() == sa.stretch(s, f)(ts).tolist()
    assert sa.compose(s, sa.per_epoch(sa.clock(), 7))(ts).tolist() == sa.per_epoch(s, 7)(ts).tolist()
    tri = sa.triangular(0.0, 50.0, 20)
    c = sa.compose(s, tri)
    assert [c(t) for t in range(21)] == [s(tri(t)) for t in range(21)]
    assert_paths_agree(c, ts)


def test_compose_is_associative_in_value():
    s, a, b = sa.cosine(1.0, 0.0, 100), sa.linear(0.0, 50.0, 30), sa.triangular(0.0, 30.0, 200, peak=0.3)
    left, right = sa.compose(sa.compose(s, a), b), sa.compose(s, sa.compose(a, b))
    ts = np.arange(0, 400, 0.5)
    assert left(ts).tolist() == right(ts).tolist() == [s(a(b(t))) for t in ts.tolist()]


def test_compose_clock_values_must_be_finite_and_not_negative():
    s = sa.compose(LIN, sa.clock() - 5)
    assert s(5) == 0.0 and s(6) == 0.1
    with pytest.raises(ValueError, match=r"compose: the clock's value -1\.0 at step 4\.0 is not a finite number >= 0"):
        s(4)
    with pytest.raises(ValueError, match=r"clock's value -2\.0 at step 3\.0"):
        s(np.array([5, 6, 3, 2]))
    over = sa.compose(LIN, sa.exp(sa.clock()))
    with pytest.raises(ValueError, match=r"clock's value inf at step 710\.0"):
        over(710)
    with pytest.raises(ValueError, match=r"clock's value inf at step 800\.0"):
        over(np.array([1.0, 800.0]))
    with pytest.raises(TypeError, match="clock must be a Schedule"):
        sa.compose(LIN, 3.0)
    with pytest.raises(TypeError, match="s must be a Schedule"):
        sa.compose(3.0, sa.clock())


def test_compose_keeps_integer_values():
    q = sa.quantize(sa.linear(0.0, 100.0, 100))
    c = sa.compose(q, sa.clock() * 2)
    assert type(c) is Compose
    assert c(10) == 20 and type(c(10)) is int
    assert c(np.arange(3)).dtype == np.int64
    f = sa.compose(LIN, sa.quantize(sa.clock() / 3))
    assert f(np.arange(7)).tolist() == [LIN(round(t / 3)) for t in range(7)]
    round_trips(c)
    round_trips(f)


# -- accuracy against mpmath over 10**6 steps (4 ulp of the peak, as the shapes) -------------------------------
def _interp(start: float, end: float, t: mpmath.mpf) -> mpmath.mpf:
    if t >= N:
        return mpmath.mpf(end)
    return mpmath.mpf(start) + (mpmath.mpf(end) - mpmath.mpf(start)) * t / N


@pytest.mark.parametrize(
    ("start", "end", "p"),
    [(1.0, 0.0, 2.5), (1.0, 0.0, 0.5), (0.0, 3.0, 3.0), (2.0, 10.0, -1.5), (1e-3, 1.0, -0.5), (1.0, 0.01, 7.0)],
)
def test_power_of_a_line_is_within_4_ulp(start, end, p):
    s = sa.power(sa.linear(start, end, N), p)
    check_within_4_ulp(s, lambda t: _interp(start, end, t) ** mpmath.mpf(p))


@pytest.mark.parametrize("k", [0.5, 2.0, 3.0, 1.7])
def test_power_of_the_clock_is_within_4_ulp(k):
    s = N * sa.power(sa.clock() / N, k)
    check_within_4_ulp(s, lambda t: N * (t / N) ** mpmath.mpf(k), horizon()[:-1])


@pytest.mark.parametrize(("start", "end"), [(0.0, -10.0), (0.0, -700.0), (1.0, 0.0), (0.0, 1.0), (-5.0, 0.5)])
def test_exp_of_a_line_is_within_4_ulp(start, end):
    s = sa.exp(sa.linear(start, end, N))
    check_within_4_ulp(s, lambda t: mpmath.exp(_interp(start, end, t)))


@pytest.mark.parametrize("rate", [-1e-5, -7e-4, 1e-6, 2e-6])
def test_exp_of_the_clock_is_within_4_ulp(rate):
    s = sa.exp(rate * sa.clock())
    check_within_4_ulp(s, lambda t: mpmath.exp(mpmath.mpf(rate) * t), horizon()[:-1])
