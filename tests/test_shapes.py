"""Table tests for every primitive shape of DESIGN §3, against hand-computed values.

Parameters are chosen so that most expected values are exact binary fractions
(compared with ``==``); transcendental values are compared to 1e-15 relative.
Every table is checked on both evaluation paths (scalar calls and one array
call), endpoints and boundaries included: a boundary belongs to the piece on
its right.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import schedalg as sa


def approx(x: float) -> object:
    return pytest.approx(x, rel=1e-15, abs=1e-300)


def check(
    s: sa.Schedule, table: list[tuple[float, float]], *, exact: bool = True
) -> None:
    steps = [t for t, _ in table]
    expected = [v for _, v in table]
    scalars = [s(t) for t in steps]
    vector = s(np.array(steps, dtype=np.float64)).tolist()
    for t, got_s, got_v, want in zip(steps, scalars, vector, expected):
        assert type(got_s) is float, (t, got_s)
        if exact:
            assert got_s == want, f"{s!r}({t!r}) = {got_s!r}, expected {want!r}"
        else:
            assert got_s == approx(want), f"{s!r}({t!r}) = {got_s!r}, expected {want!r}"
        assert got_v == got_s, (
            f"{s!r}: array path {got_v!r} != scalar path {got_s!r} at {t!r}"
        )


# -- constant -------------------------------------------------------------------------------------------
def test_constant():
    check(sa.constant(0.1), [(0, 0.1), (1, 0.1), (0.5, 0.1), (10**12, 0.1)])
    check(sa.constant(-3.0), [(0, -3.0), (7, -3.0)])
    assert sa.constant(2)(0) == 2.0 and type(sa.constant(2)(0)) is float


# -- linear ---------------------------------------------------------------------------------------------
def test_linear_decreasing():
    s = sa.linear(2.0, -2.0, 8)
    check(
        s,
        [
            (0, 2.0),
            (1, 1.5),
            (3.5, 0.25),
            (4, 0.0),
            (5, -0.5),
            (6, -1.0),
            (7.5, -1.75),
            (8, -2.0),
            (9, -2.0),
            (10**12, -2.0),
        ],
    )


def test_linear_increasing_and_docstring_values():
    check(sa.linear(1.0, 0.0, 10), [(0, 1.0), (5, 0.5), (10, 0.0), (99, 0.0)])
    check(
        sa.linear(0.0, 1.0, 4),
        [(0, 0.0), (1, 0.25), (2, 0.5), (3, 0.75), (4, 1.0), (5, 1.0)],
    )


def test_linear_with_fractional_steps():
    s = sa.linear(0.0, 1.0, 2.5)
    check(s, [(0, 0.0), (1.25, 0.5), (2.5, 1.0), (3, 1.0)])
    check(s, [(1, 0.4), (2, 0.8)], exact=False)


def test_linear_endpoints_are_exact_for_awkward_values():
    s = sa.linear(0.1, 0.7, 3)
    assert s(0) == 0.1 and s(3) == 0.7 and s(3.0000001) == 0.7
    assert abs(s(math.nextafter(3, 0)) - 0.7) < 1e-15


# -- cosine --------------------------------------------------------------------------------------------
def test_cosine():
    s = sa.cosine(1.0, 0.0, 100)
    check(s, [(0, 1.0), (50, 0.5), (100, 0.0), (1000, 0.0)])
    check(
        s,
        [
            (25, (1 + math.cos(math.pi / 4)) / 2),
            (75, (1 + math.cos(3 * math.pi / 4)) / 2),
            (10, (1 + math.cos(math.pi / 10)) / 2),
            (
                99,
                math.sin(math.pi / 2 * 0.01) ** 2,
            ),  # (1 + cos(0.99 pi)) / 2 without cancellation
        ],
        exact=False,
    )


def test_cosine_increasing_with_offset():
    s = sa.cosine(2.0, 6.0, 6)  # 6 + (2 - 6)(1 + cos(pi t / 6)) / 2
    check(s, [(0, 2.0), (3, 4.0), (6, 6.0), (7, 6.0)])
    check(s, [(2, 6.0 - 4.0 * 0.75), (4, 6.0 - 4.0 * 0.25)], exact=False)


def test_cosine_near_the_end_keeps_relative_accuracy():
    s = sa.cosine(1.0, 0.0, 10**6)
    t = 10**6 - 1
    want = math.sin(math.pi / 2 / 10**6) ** 2  # (1 + cos(pi (1 - 1e-6))) / 2
    assert s(t) == pytest.approx(want, rel=1e-14)


# -- exponential -------------------------------------------------------------------------------------------
def test_exponential_decay():
    s = sa.exponential(1.0, 0.5)
    check(s, [(0, 1.0), (1, 0.5), (3, 0.125), (10, 2.0**-10)])
    check(s, [(0.5, math.sqrt(0.5)), (2.5, 0.25 * math.sqrt(0.5))], exact=False)


def test_exponential_every():
    s = sa.exponential(8.0, 0.5, every=2)
    check(s, [(0, 8.0), (2, 4.0), (4, 2.0), (6, 1.0)])
    check(s, [(1, 8.0 * math.sqrt(0.5)), (3, 4.0 * math.sqrt(0.5))], exact=False)


def test_exponential_staircase():
    s = sa.exponential(8.0, 0.5, every=2, staircase=True)
    check(
        s,
        [
            (0, 8.0),
            (1, 8.0),
            (1.999, 8.0),
            (2, 4.0),
            (3, 4.0),
            (3.9, 4.0),
            (4, 2.0),
            (7, 1.0),
        ],
    )
    docstring = sa.exponential(1.0, 0.5, every=10, staircase=True)
    check(docstring, [(0, 1.0), (9, 1.0), (10, 0.5), (25, 0.25)])


def test_exponential_growth_and_negative_start():
    check(sa.exponential(1.0, 2.0, every=10), [(0, 1.0), (10, 2.0), (30, 8.0)])
    check(sa.exponential(-3.0, 2.0), [(0, -3.0), (2, -12.0)])
    check(sa.exponential(1.0, 2.0, every=10, staircase=True), [(19, 2.0), (20, 4.0)])


def test_exponential_overflow_is_signed_infinity():
    assert sa.exponential(1.0, 2.0)(2000) == math.inf
    assert sa.exponential(-1.0, 2.0)(2000) == -math.inf
    assert sa.exponential(1.0, 2.0)([0, 2000]).tolist() == [1.0, math.inf]
    assert sa.exponential(1.0, 0.5)(5000) == 0.0


# -- polynomial ------------------------------------------------------------------------------------------------
def test_polynomial_power_two():
    s = sa.polynomial(1.0, 0.0, 8, power=2.0)
    check(s, [(0, 1.0), (2, 0.5625), (4, 0.25), (6, 0.0625), (8, 0.0), (9, 0.0)])
    check(sa.polynomial(1.0, 0.0, 10, power=2.0), [(0, 1.0), (5, 0.25), (10, 0.0)])


def test_polynomial_other_powers():
    check(
        sa.polynomial(0.0, 8.0, 8, power=3.0),
        [(0, 0.0), (4, 7.0), (6, 8.0 - 8.0 / 64), (8, 8.0)],
    )
    check(sa.polynomial(1.0, 0.0, 8, power=0.5), [(6, 0.5), (8, 0.0), (0, 1.0)])
    check(
        sa.polynomial(1.0, 0.0, 8, power=0.5),
        [(4, math.sqrt(0.5)), (2, math.sqrt(0.75))],
        exact=False,
    )
    check(
        sa.polynomial(3.0, 1.0, 4, power=1.5),
        [(1, 1.0 + 2.0 * 0.75**1.5), (3, 1.0 + 2.0 * 0.25**1.5)],
        exact=False,
    )


def test_polynomial_power_one_is_linear():
    p = sa.polynomial(2.0, -2.0, 8)
    lin = sa.linear(2.0, -2.0, 8)
    ts = np.linspace(0, 10, 101)
    assert p(ts).tolist() == lin(ts).tolist()


# -- piecewise_constant ---------------------------------------------------------------------------------------
def test_piecewise_constant():
    s = sa.piecewise_constant([10, 20], [1.0, 0.1, 0.01])
    check(
        s,
        [
            (0, 1.0),
            (9, 1.0),
            (9.999, 1.0),
            (10, 0.1),
            (19, 0.1),
            (20, 0.01),
            (10**12, 0.01),
        ],
    )


def test_piecewise_constant_with_a_boundary_at_zero_and_fractions():
    s = sa.piecewise_constant([0, 2.5], [9.0, 1.0, 2.0])
    check(s, [(0, 1.0), (2.4, 1.0), (2.5, 2.0), (3, 2.0)])


def test_piecewise_constant_with_many_boundaries():
    n = 20_000
    boundaries = [10 * (i + 1) for i in range(n)]
    values = [float(i) for i in range(n + 1)]
    s = sa.piecewise_constant(boundaries, values)
    check(
        s,
        [
            (0, 0.0),
            (9, 0.0),
            (10, 1.0),
            (15_005, 1500.0),
            (199_999.5, 19_999.0),
            (200_000, 20_000.0),
            (10**12, 20_000.0),
        ],
    )
    ts = np.arange(0, 250_000, 7)
    assert s(ts).tolist() == [float(min(t // 10, n)) for t in ts.tolist()]


# -- piecewise_linear -------------------------------------------------------------------------------------------
def test_piecewise_linear():
    s = sa.piecewise_linear([0, 10, 30], [0.0, 1.0, 0.0])
    check(
        s, [(0, 0.0), (5, 0.5), (10, 1.0), (20, 0.5), (25, 0.25), (30, 0.0), (100, 0.0)]
    )


def test_piecewise_linear_holds_the_ends_outside_the_knots():
    s = sa.piecewise_linear([4, 8], [2.0, 4.0])
    check(
        s,
        [
            (0, 2.0),
            (3.9, 2.0),
            (4, 2.0),
            (6, 3.0),
            (7, 3.5),
            (8, 4.0),
            (9, 4.0),
            (10**12, 4.0),
        ],
    )
    single = sa.piecewise_linear([5], [3.0])
    check(single, [(0, 3.0), (5, 3.0), (6, 3.0)])


def test_piecewise_linear_with_a_jump_free_plateau():
    s = sa.piecewise_linear([0, 2, 4, 8], [0.0, 1.0, 1.0, -1.0])
    check(s, [(1, 0.5), (2, 1.0), (3, 1.0), (4, 1.0), (6, 0.0), (8, -1.0)])


# -- triangular --------------------------------------------------------------------------------------------------
def test_triangular_symmetric():
    s = sa.triangular(0.0, 1.0, 10)
    check(s, [(0, 0.0), (2.5, 0.5), (5, 1.0), (7.5, 0.5), (10, 0.0), (11, 0.0)])


def test_triangular_peak_quarter():
    s = sa.triangular(0.0, 1.0, 8, peak=0.25)  # up over [0, 2), down over [2, 8)
    check(s, [(0, 0.0), (1, 0.5), (2, 1.0), (5, 0.5), (8, 0.0), (100, 0.0)])
    check(s, [(7, 1.0 / 6.0), (3, 5.0 / 6.0)], exact=False)


def test_triangular_peak_at_the_ends():
    up_first = sa.triangular(1.0, 3.0, 8, peak=0.0)  # starts at the top
    check(up_first, [(0, 3.0), (4, 2.0), (8, 1.0), (9, 1.0)])
    down_last = sa.triangular(
        1.0, 3.0, 8, peak=1.0
    )  # rises the whole time, then drops to low
    check(down_last, [(0, 1.0), (4, 2.0), (7, 2.75), (8, 1.0)])


def test_triangular_with_high_below_low():
    s = sa.triangular(1.0, -1.0, 4)
    check(s, [(0, 1.0), (1, 0.0), (2, -1.0), (3, 0.0), (4, 1.0)])


# -- inverse_sqrt --------------------------------------------------------------------------------------------------
def test_inverse_sqrt():
    s = sa.inverse_sqrt(1.0, 100)
    check(s, [(0, 1.0), (50, 1.0), (99.5, 1.0), (100, 1.0), (400, 0.5), (1600, 0.25)])
    check(s, [(10_000, 0.1)], exact=False)
    check(sa.inverse_sqrt(2.0, 4), [(0, 2.0), (4, 2.0), (16, 1.0), (64, 0.5)])
    check(s, [(10**12, 1e-5), (200, math.sqrt(0.5))], exact=False)


# -- from_fn --------------------------------------------------------------------------------------------------------
def test_from_fn_receives_int_for_integral_steps():
    seen = []

    def f(step):
        seen.append(step)
        return 0.5

    s = sa.from_fn(f)
    assert s(3) == 0.5 and s(3.0) == 0.5 and s(2.5) == 0.5 and s(np.int64(4)) == 0.5
    assert [type(x) for x in seen] == [int, int, float, int]
    assert seen == [3, 3, 2.5, 4]
    seen.clear()
    out = s(np.array([0.0, 1.5, 2.0]))
    assert out.tolist() == [0.5, 0.5, 0.5]
    assert seen == [0, 1.5, 2] and [type(x) for x in seen] == [int, float, int]


def test_from_fn_values_and_arrays():
    s = sa.from_fn(lambda step: 0.95**step)
    assert s(0) == 1.0 and s(2) == 0.9025
    assert s([0, 1, 2]).tolist() == [1.0, 0.95, 0.9025]
    assert s(np.arange(6).reshape(2, 3)).shape == (2, 3)
    assert type(sa.from_fn(lambda step: 3)(1)) is float  # an int result becomes a float
    assert sa.from_fn(lambda step: np.float32(0.5))(1) == 0.5


def test_from_fn_equality_is_identity():
    def f(step):
        return 1.0

    def g(step):
        return 1.0

    assert sa.from_fn(f) == sa.from_fn(f)
    assert hash(sa.from_fn(f)) == hash(sa.from_fn(f))
    assert sa.from_fn(f) != sa.from_fn(g)
    assert sa.from_fn(f) != sa.from_fn(lambda step: f(step))
    assert sa.from_fn(f) != sa.constant(1.0)


@pytest.mark.parametrize("bad", ["x", None, [1.0], 1j, True])
def test_from_fn_must_return_a_real_number(bad):
    s = sa.from_fn(lambda step: bad)
    with pytest.raises(TypeError, match="real number"):
        s(0)
    with pytest.raises(TypeError):
        s([0, 1])


def test_from_fn_in_combinators():
    s = sa.warmup(sa.from_fn(lambda step: 1.0 / (1 + step)), 4)
    assert s([0, 2, 4, 5]).tolist() == [0.0, 0.5, 1.0, 0.5]


def test_cosine_evaluation_pieces():
    """cosine's own evaluation: exact start at 0, exact midpoint, exact end, and
    the first and second halves within an ulp of the 50-digit value."""
    import mpmath

    s = sa.cosine(3.0, -1.0, 1000)
    assert s(0) == 3.0 and s(500) == 1.0 and s(1000) == -1.0 and s(1e9) == -1.0
    t = np.array([0.0, 1e-300, 0.5, 1.0, 499.0, 500.0, 501.0, 999.0, 999.5, 1000.0])
    got = s(t)
    assert got.tolist() == [s(float(x)) for x in t]
    with mpmath.workdps(50):
        for x, y in zip(t.tolist(), got.tolist()):
            ref = -1 + 4 * (1 + mpmath.cos(mpmath.pi * mpmath.mpf(x) / 1000)) / 2
            assert abs(y - float(ref)) <= math.ulp(3.0), (x, y, ref)
