"""Table tests for every combinator and operator of DESIGN §3, against hand-computed values.

Boundaries are checked on both sides (the boundary belongs to the piece on its
right), on both evaluation paths.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_shapes import check

import schedalg as sa

LIN10 = sa.linear(1.0, 0.0, 10)  # 1 - t/10 on [0, 10]
LIN8 = sa.linear(1.0, 0.0, 8)  # 1 - t/8 on [0, 8]


# -- warmup -----------------------------------------------------------------------------------------------
def test_warmup_linear():
    check(
        sa.warmup(sa.constant(1.0), 4),
        [(0, 0.0), (1, 0.25), (2, 0.5), (3, 0.75), (4, 1.0), (5, 1.0)],
    )
    check(sa.warmup(sa.constant(1.0), 4, start=0.5), [(0, 0.5), (2, 0.75), (4, 1.0)])
    s = sa.warmup(
        sa.linear(2.0, 0.0, 8), 4
    )  # ramp 0 -> 2 over [0, 4), then the line on its own clock
    check(
        s,
        [
            (0, 0.0),
            (1, 0.5),
            (2, 1.0),
            (3.5, 1.75),
            (4, 2.0),
            (5, 1.75),
            (8, 1.0),
            (12, 0.0),
            (100, 0.0),
        ],
    )


def test_warmup_ramps_down_to_a_lower_s0():
    check(
        sa.warmup(sa.constant(1.0), 4, start=3.0),
        [(0, 3.0), (1, 2.5), (2, 2.0), (4, 1.0)],
    )


def test_warmup_cosine():
    s = sa.warmup(sa.constant(2.0), 4, shape="cosine")  # 2 (1 - cos(pi t / 4)) / 2
    check(s, [(0, 0.0), (2, 1.0), (4, 2.0), (9, 2.0)])
    check(
        s,
        [(1, 1.0 - math.cos(math.pi / 4)), (3, 1.0 - math.cos(3 * math.pi / 4))],
        exact=False,
    )


def test_warmup_exponential():
    s = sa.warmup(
        sa.constant(1.0), 4, start=1.0 / 16, shape="exponential"
    )  # (1/16) 16**(t/4)
    check(
        s,
        [(0, 1.0 / 16), (1, 0.125), (2, 0.25), (3, 0.5), (4, 1.0), (5, 1.0)],
        exact=False,
    )
    assert s(0) == 1.0 / 16 and s(4) == 1.0


def test_warmup_of_zero_steps_is_the_schedule():
    assert sa.warmup(LIN10, 0) is LIN10
    assert sa.warmup(LIN10, 0.0) is LIN10


def test_warmup_with_fractional_steps():
    check(sa.warmup(sa.constant(1.0), 2.5), [(0, 0.0), (1.25, 0.5), (2.5, 1.0)])


def test_warmup_docstring_example():
    lr = sa.warmup(sa.cosine(3e-4, 3e-5, 9_000), 1_000)
    assert (lr(0), lr(1_000), lr(10_000)) == (0.0, 3e-4, 3e-5)
    assert lr(500) == 1.5e-4


# -- cooldown ----------------------------------------------------------------------------------------------
def test_cooldown_linear():
    check(
        sa.cooldown(sa.constant(1.0), at=10, steps=4),
        [
            (0, 1.0),
            (9, 1.0),
            (10, 1.0),
            (11, 0.75),
            (12, 0.5),
            (13.5, 0.125),
            (14, 0.0),
            (100, 0.0),
        ],
    )
    s = sa.cooldown(sa.linear(0.0, 8.0, 8), at=4, steps=4, end=0.0)  # v = s(4) = 4
    check(s, [(0, 0.0), (3, 3.0), (4, 4.0), (5, 3.0), (6, 2.0), (8, 0.0), (9, 0.0)])


def test_cooldown_to_a_nonzero_end_and_at_zero():
    check(
        sa.cooldown(sa.constant(3.0), at=0, steps=8, end=1.0),
        [(0, 3.0), (2, 2.5), (4, 2.0), (8, 1.0), (20, 1.0)],
    )


def test_cooldown_cosine():
    s = sa.cooldown(sa.constant(1.0), 8, 4, shape="cosine")  # (1 + cos(pi u)) / 2
    check(s, [(7, 1.0), (8, 1.0), (10, 0.5), (12, 0.0), (13, 0.0)])
    check(
        s,
        [(9, (1 + math.cos(math.pi / 4)) / 2), (11, math.sin(math.pi / 8) ** 2)],
        exact=False,
    )


def test_cooldown_sqrt():
    s = sa.cooldown(sa.constant(1.0), 0, 16, shape="sqrt")  # 1 - sqrt(u)
    check(s, [(0, 1.0), (1, 0.75), (4, 0.5), (9, 0.25), (16, 0.0), (17, 0.0)])
    check(s, [(12, 1 - math.sqrt(0.75)), (15, 1 - math.sqrt(15 / 16))], exact=False)
    wsd = sa.cooldown(
        sa.constant(2.0), 10, 16, end=1.0, shape="sqrt"
    )  # 1 + (2 - 1)(1 - sqrt(u))
    check(wsd, [(10, 2.0), (14, 1.5), (19, 1.25), (26, 1.0)])


def test_cooldown_s_keeps_its_own_clock():
    s = sa.cooldown(LIN8, at=4, steps=2, end=0.0)
    # before ``at``, LIN8 at the absolute step (not shifted)
    check(s, [(0, 1.0), (2, 0.75), (4, 0.5), (5, 0.25), (6, 0.0)])


# -- sequence -------------------------------------------------------------------------------------------------
def test_sequence_boundary_belongs_to_the_right_piece():
    s = sa.sequence([sa.constant(1.0), sa.linear(0.0, 8.0, 8)], [4])
    check(
        s, [(0, 1.0), (3, 1.0), (3.999, 1.0), (4, 0.0), (6, 2.0), (12, 8.0), (100, 8.0)]
    )


def test_sequence_docstring_and_three_pieces():
    s = sa.sequence([sa.linear(0.0, 1.0, 10), sa.constant(0.5)], [10])
    check(s, [(5, 0.5), (9, 0.9), (10, 0.5), (100, 0.5)])
    three = sa.sequence(
        [sa.constant(1.0), sa.constant(2.0), sa.linear(0.0, 4.0, 4)], [2, 5]
    )
    check(
        three,
        [(0, 1.0), (1.5, 1.0), (2, 2.0), (4.9, 2.0), (5, 0.0), (7, 2.0), (9, 4.0)],
    )


def test_sequence_with_fractional_boundaries():
    s = sa.sequence([sa.constant(1.0), sa.linear(0.0, 1.0, 1)], [2.5])
    check(s, [(2.25, 1.0), (2.5, 0.0), (2.75, 0.25), (3.5, 1.0)])


# -- cyclical ----------------------------------------------------------------------------------------------------
def test_cyclical_repeats():
    s = sa.cyclical(LIN10, 10)
    check(
        s,
        [
            (0, 1.0),
            (5, 0.5),
            (9, 0.1),
            (10, 1.0),
            (15, 0.5),
            (99, 0.1),
            (100, 1.0),
            (10**12 + 5, 0.5),
        ],
    )


def test_cyclical_decay():
    s = sa.cyclical(LIN10, 10, decay=0.5)
    check(
        s,
        [
            (0, 1.0),
            (5, 0.5),
            (10, 0.5),
            (15, 0.25),
            (25, 0.125),
            (35, 0.0625),
            (40, 0.0625),
        ],
    )


def test_cyclical_period_mult_two():
    s = sa.cyclical(LIN10, 10, period_mult=2)  # cycles start at 0, 10, 30, 70, 150
    check(
        s,
        [
            (0, 1.0),
            (5, 0.5),
            (10, 1.0),
            (20, 0.5),
            (30, 1.0),
            (50, 0.5),
            (70, 1.0),
            (110, 0.5),
            (150, 1.0),
        ],
    )
    check(s, [(29, 0.05), (69, 0.025)], exact=False)
    decayed = sa.cyclical(LIN10, 10, period_mult=2, decay=0.5)
    check(
        decayed,
        [
            (0, 1.0),
            (10, 0.5),
            (20, 0.25),
            (30, 0.25),
            (50, 0.125),
            (70, 0.125),
            (150, 0.0625),
        ],
    )


def test_cyclical_period_mult_one_and_a_half():
    s = sa.cyclical(
        LIN8, 8, period_mult=1.5
    )  # lengths 8, 12, 18, 27, 40.5; starts 0, 8, 20, 38, 65, 105.5
    check(
        s,
        [
            (0, 1.0),
            (4, 0.5),
            (8, 1.0),
            (14, 0.5),
            (20, 1.0),
            (29, 0.5),
            (38, 1.0),
            (51.5, 0.5),
            (65, 1.0),
            (85.25, 0.5),
            (105.5, 1.0),
        ],
    )
    check(s, [(19.5, 1 - (11.5 / 1.5) / 8), (37, 1 - (17 / 2.25) / 8)], exact=False)
    decayed = sa.cyclical(LIN8, 8, period_mult=1.5, decay=0.5)
    check(
        decayed,
        [(7, 0.125), (8, 0.5), (20, 0.25), (38, 0.125), (65, 0.0625), (85.25, 0.03125)],
    )


def test_cyclical_finds_far_cycles_in_closed_form():
    s = sa.cyclical(LIN10, 10, period_mult=2, decay=0.5)
    start40 = 10 * (2**40 - 1)
    assert s(start40) == 0.5**40
    assert s(start40 + 5 * 2**40) == 0.5**41
    assert s(start40 - 1) == pytest.approx(
        0.5**39 * (2.0**-39 / 10), rel=1e-9
    )  # local time 10 - 2**-39
    ts = np.array([start40 - 1, start40, start40 + 5 * 2**40], dtype=np.float64)
    assert s(ts).tolist() == [s(float(t)) for t in ts]


def _cycle_reference(t: float, period: float, mult: float) -> tuple[int, float]:
    """Cycle index and local time by walking the cycles (what the node must avoid doing)."""
    k, start, length = 0, 0.0, float(period)
    while start + length <= t:
        start += length
        length *= mult
        k += 1
    return k, (t - start) / mult**k


@pytest.mark.parametrize("mult", [1.0, 1.1, 1.5, 2.0, 3.0])
def test_cyclical_matches_a_cycle_walk(mult):
    base = sa.linear(0.0, 1.0, 7)
    s = sa.cyclical(base, 7, period_mult=mult, decay=0.75)
    rng = np.random.default_rng(7)
    ts = np.concatenate(
        [rng.uniform(0, 1e4, 300), rng.integers(0, 10**6, 100).astype(float)]
    )
    got = s(ts)
    for t, g in zip(ts.tolist(), got.tolist()):
        k, tau = divmod(t, 7) if mult == 1.0 else _cycle_reference(t, 7, mult)
        assert g == pytest.approx(0.75**k * (tau / 7), rel=1e-9, abs=1e-12), (t, k, tau)


def test_cyclical_of_a_constant_without_decay_is_the_constant():
    assert sa.cyclical(sa.constant(2.0), 10, period_mult=2) == sa.constant(2.0)
    check(
        sa.cyclical(sa.constant(2.0), 10, decay=0.5),
        [(0, 2.0), (9, 2.0), (10, 1.0), (20, 0.5)],
    )


# -- scale, invert --------------------------------------------------------------------------------------------------
def test_scale():
    check(sa.scale(sa.linear(0.0, 1.0, 10), 4.0), [(0, 0.0), (5, 2.0), (10, 4.0)])
    check(sa.scale(LIN8, -2.0), [(0, -2.0), (4, -1.0), (8, -0.0)])
    check(
        sa.scale(LIN10, 3.0), [(1, 0.9 * 3.0), (3, 0.7 * 3.0)]
    )  # one rounding of s(t) * k


def test_invert():
    check(sa.invert(sa.constant(4.0), 2.0), [(0, 0.5), (100, 0.5)])
    check(sa.invert(sa.linear(1.0, 4.0, 3)), [(0, 1.0), (1, 0.5), (3, 0.25)])
    check(sa.invert(sa.linear(1.0, 3.0, 2), 3.0), [(1, 1.5), (2, 1.0)])
    check(sa.invert(LIN10), [(5, 2.0), (9, 10.0)])


def test_invert_at_a_zero_raises_naming_the_step():
    s = sa.invert(sa.linear(0.0, 1.0, 10))
    assert s(1) == 10.0
    with pytest.raises(ValueError, match=r"zero.*0(\.0)?\b"):
        s(0)
    with pytest.raises(ValueError, match=r"step 30(\.0)?\b"):
        sa.invert(sa.linear(1.0, 0.0, 30))([1, 30, 40])


def test_division_by_a_schedule_that_reaches_zero_raises():
    s = sa.linear(0.0, 1.0, 4) / sa.linear(1.0, 0.0, 4)
    assert s(2) == 1.0
    with pytest.raises(ValueError, match="zero"):
        s(4)
    with pytest.raises(ValueError, match="zero"):
        s([0, 4])


# -- quantize ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "rounding", "expected"),
    [
        (2.5, "half_even", 2),
        (3.5, "half_even", 4),
        (-2.5, "half_even", -2),
        (2.5, "half_up", 3),
        (-2.5, "half_up", -2),
        (2.4999999, "half_up", 2),
        (2.7, "floor", 2),
        (-2.2, "floor", -3),
        (2.2, "ceil", 3),
        (-2.7, "ceil", -2),
        (7.0, "floor", 7),
        (7.0, "ceil", 7),
    ],
)
def test_quantize_roundings(value, rounding, expected):
    s = sa.quantize(sa.constant(value), rounding=rounding)
    assert s(0) == expected and type(s(0)) is int
    arr = s([0, 1])
    assert arr.dtype == np.int64 and arr.tolist() == [expected, expected]


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [("half_even", 8), ("half_up", 12), ("floor", 8), ("ceil", 12)],
)
def test_quantize_to_a_multiple(rounding, expected):
    s = sa.quantize(sa.constant(10.0), multiple=4, rounding=rounding)  # 10 / 4 = 2.5
    assert s(3) == expected
    assert s([3]).tolist() == [expected]


def test_quantize_docstring_and_bounds():
    s = sa.quantize(sa.linear(32.0, 100.0, 10), multiple=8, high=96)
    assert [s(t) for t in (0, 5, 10)] == [32, 64, 96]
    assert s([0, 5, 10]).tolist() == [32, 64, 96]
    low = sa.quantize(
        sa.constant(1.0), multiple=8, low=5
    )  # rounds to 0, clamped to 5 (not a multiple)
    assert low(0) == 5 and low([0]).tolist() == [5]
    both = sa.quantize(sa.linear(0.0, 100.0, 100), multiple=10, low=15, high=55)
    assert [both(t) for t in (0, 14, 16, 30, 54, 56, 100)] == [
        15,
        15,
        20,
        30,
        50,
        55,
        55,
    ]
    assert both([0, 14, 16, 30, 54, 56, 100]).tolist() == [15, 15, 20, 30, 50, 55, 55]


def test_quantize_refuses_values_that_are_not_integers():
    with pytest.raises(ValueError, match="inf"):
        sa.quantize(sa.exponential(1.0, 2.0))(2000)
    with pytest.raises(ValueError, match="inf"):
        sa.quantize(sa.exponential(1.0, 2.0))([0, 2000])
    with pytest.raises(ValueError, match="integer"):
        sa.quantize(sa.constant(1e19))(0)
    with pytest.raises(ValueError, match="integer"):
        sa.quantize(sa.constant(1e19))([0])
    assert sa.quantize(sa.constant(-(2.0**62)))(0) == -(2**62)


# -- shift, delay, stretch, per_epoch ----------------------------------------------------------------------------------------
def test_shift():
    check(
        sa.shift(sa.linear(0.0, 1.0, 10), 5),
        [(0, 0.5), (2.5, 0.75), (5, 1.0), (50, 1.0)],
    )
    check(sa.shift(LIN8, 2), [(0, 0.75), (6, 0.0)])


def test_delay():
    s = sa.delay(LIN10, 5)
    check(s, [(0, 1.0), (4.9, 1.0), (5, 1.0), (10, 0.5), (15, 0.0), (20, 0.0)])


def test_delay_versus_shift():
    assert sa.delay(LIN10, 5)(7) == LIN10(2)
    assert sa.shift(LIN10, 5)(7) == LIN10(12) == 0.0
    assert sa.delay(LIN10, 5)(0) == 1.0 and sa.shift(LIN10, 5)(0) == 0.5


def test_stretch():
    check(
        sa.stretch(sa.linear(0.0, 1.0, 10), 10),
        [(0, 0.0), (50, 0.5), (100, 1.0), (200, 1.0)],
    )
    check(sa.stretch(LIN8, 0.5), [(1, 0.75), (2, 0.5), (4, 0.0)])
    check(sa.stretch(LIN8, 4), [(3, 1 - 0.75 / 8), (16, 0.5)])


def test_per_epoch():
    s = sa.per_epoch(sa.linear(0.0, 1.0, 10), 100)
    check(
        s,
        [
            (0, 0.0),
            (99, 0.0),
            (99.9, 0.0),
            (100, 0.1),
            (250, 0.2),
            (1000, 1.0),
            (5000, 1.0),
        ],
    )
    fractional = sa.per_epoch(sa.linear(0.0, 1.0, 10), 2.5)
    check(fractional, [(4.99, 0.1), (5, 0.2), (7.4, 0.2), (7.5, 0.3)])


def test_per_epoch_is_a_staircase_and_stretch_is_smooth():
    smooth = sa.stretch(sa.linear(0.0, 1.0, 10), 100)
    stairs = sa.per_epoch(sa.linear(0.0, 1.0, 10), 100)
    assert smooth(150) == 0.15 and stairs(150) == 0.1


# -- clip, minimum, maximum -----------------------------------------------------------------------------------------------------
def test_clip():
    s = sa.clip(sa.linear(0.0, 1.0, 10), low=0.2, high=0.8)
    check(s, [(0, 0.2), (2, 0.2), (5, 0.5), (8, 0.8), (10, 0.8)])


def test_clip_one_sided():
    check(sa.clip(sa.linear(0.0, 1.0, 10), low=0.25), [(0, 0.25), (5, 0.5), (10, 1.0)])
    check(sa.clip(sa.linear(0.0, 1.0, 10), high=0.75), [(0, 0.0), (5, 0.5), (10, 0.75)])
    assert sa.clip(LIN10) is LIN10


def test_clip_with_integer_bounds_answers_floats():
    """DESIGN §1.4: a float schedule answers a Python float, whatever type the bound was given in."""
    s = sa.clip(sa.linear(0.0, 10.0, 10), low=2, high=5)
    check(s, [(0, 2.0), (3, 3.0), (8, 5.0)])


def test_minimum_and_maximum():
    lo = sa.minimum(sa.linear(0.0, 1.0, 10), sa.constant(0.3))
    hi = sa.maximum(sa.linear(0.0, 1.0, 10), sa.constant(0.3))
    check(lo, [(1, 0.1), (3, 0.3), (9, 0.3)])
    check(hi, [(1, 0.3), (3, 0.3), (9, 0.9)])
    crossing = sa.minimum(sa.linear(0.0, 8.0, 8), sa.linear(8.0, 0.0, 8))
    check(crossing, [(0, 0.0), (2, 2.0), (4, 4.0), (6, 2.0), (8, 0.0)])
    assert sa.minimum(LIN10, LIN10) == LIN10 and sa.maximum(LIN10, LIN10) == LIN10


def test_minimum_and_maximum_propagate_nan():
    nan = sa.exponential(1.0, 2.0) - sa.exponential(1.0, 2.0)  # inf - inf at step 2000
    assert math.isnan(nan(2000))
    one = sa.constant(1.0)
    for s, at_zero in (
        (sa.minimum(nan, one), 0.0),
        (sa.maximum(nan, one), 1.0),
        (sa.minimum(one, nan), 0.0),
        (sa.maximum(one, nan), 1.0),
    ):
        assert math.isnan(s(2000))
        assert np.isnan(s([0, 2000])[1:]).all()
        assert s(0) == at_zero and s([0, 2000])[0] == at_zero


# -- operators --------------------------------------------------------------------------------------------------------------------
def test_operators_with_numbers():
    s = sa.linear(0.0, 1.0, 10)
    check(s + 1, [(5, 1.5), (10, 2.0)])
    check(1 + s, [(5, 1.5)])
    check(s - 1, [(5, -0.5)])
    check(2 - s, [(5, 1.5), (0, 2.0)])
    check(s * 3, [(5, 1.5)])
    check(-s, [(5, -0.5)])
    check(s / 3, [(1, 0.1 / 3), (5, 0.5 / 3)])
    check(s / 4, [(5, 0.125)])
    check(1 / sa.linear(1.0, 4.0, 3), [(1, 0.5)])


def test_operators_between_schedules():
    a = sa.linear(0.0, 8.0, 8)
    b = sa.constant(2.0) + sa.linear(0.0, 2.0, 2)  # 2, 3, then 4
    check(a + b, [(0, 2.0), (2, 6.0), (4, 8.0)])
    check(a - b, [(0, -2.0), (2, -2.0), (4, 0.0)])
    check(a * b, [(1, 3.0), (2, 8.0), (4, 16.0)])
    check(a / b, [(1, 1.0 / 3.0), (2, 0.5), (4, 1.0)])


def test_operator_identities():
    s = sa.cosine(1.0, 0.0, 10)
    assert s * 3 == sa.scale(s, 3.0) == 3 * s
    assert 2 / s == sa.invert(s, 2.0)
    assert s + 0 == s and 0 + s == s and s - 0 == s and s * 1 == s and s / 1 == s
    negated = -s
    assert -negated == s
    assert +s is s


def test_number_over_constant_stays_an_invert_node():
    """``k / s`` is ``invert(s, k)``, and ``invert(constant(c))`` must not fold (DESIGN §1.7).

    ``1 / sa.constant(49.0)`` currently folds to ``constant(1/49)``, so the
    involution breaks: ``1 / (1 / constant(49.0))`` is ``constant(49.00000000000001)``.
    """
    c = sa.constant(49.0)
    assert 1 / c == sa.invert(c, 1.0)
    assert 1 / (1 / c) == c
    assert (1 / (1 / c))(0) == 49.0


def test_operators_on_integer_schedules_stay_integer_where_exact():
    q = sa.quantize(sa.linear(0.0, 80.0, 8), multiple=4)
    for s, want in ((q + 1, 21), (q * 2, 40), (q - q, 0), (-q, -20), (q * q, 400)):
        assert s(2) == want and type(s(2)) is int
        assert s([2]).dtype == np.int64
    for s in (q / 2, q + 0.5, q * 1.5, q / q):
        assert type(s(2)) is float


def test_operator_results_are_schedules_with_arithmetic_repr():
    s = sa.linear(0.0, 1.0, 10) + 1
    assert isinstance(s, sa.Schedule)
    assert s(5) == 1.5
    assert s(np.array([0, 5, 10])).tolist() == [1.0, 1.5, 2.0]


def test_exponential_warmup_with_an_extreme_ratio_names_the_warmup_arguments():
    """``v / start`` overflows to inf: the message names ``gamma``, which warmup does not have."""
    with pytest.raises(ValueError, match=r"start|s\(0\)"):
        sa.warmup(sa.constant(1e300), 10, start=1e-300, shape="exponential")


def test_cyclical_with_growing_cycles_at_the_largest_steps():
    """Any finite step is valid (DESIGN §1.5); ``t * (period_mult - 1)`` overflowing must not matter.

    At ``t = 1.7e308`` the scalar path raises OverflowError (``math.floor(inf)``)
    and the array path answers 0.0 (cycle index inf); cycle 644 is the right one.
    """
    import mpmath

    t = 1.7e308
    with mpmath.workdps(60):
        T, p, m = mpmath.mpf(t), mpmath.mpf(10), mpmath.mpf(3)
        k = int(mpmath.floor(mpmath.log(1 + T * (m - 1) / p) / mpmath.log(m)))
        tau = (T - p * (m**k - 1) / (m - 1)) / m**k
        local = float(1 - tau / 10)
        decayed = float(mpmath.mpf(0.5) ** k * (1 - tau / 10))
    assert k == 644
    for s, want in (
        (sa.cyclical(sa.linear(1.0, 0.0, 10), 10, period_mult=3.0), local),
        (sa.cyclical(sa.linear(1.0, 0.0, 10), 10, period_mult=3.0, decay=0.5), decayed),
    ):
        assert s([t])[0] == pytest.approx(want, rel=1e-6, abs=0.0)
        assert s(t) == pytest.approx(want, rel=1e-6, abs=0.0)


def test_clock_changes_that_overflow_to_infinity_agree_on_both_paths():
    """``stretch(s, 0.5)`` turns step 1.7e308 into inf, and ``per_epoch`` turns inf into NaN
    (``inf // 10``): the scalar path answers nan, the array path 0.0. ``s`` at any step past
    its end is its end value, 0.0.
    """
    s = sa.stretch(sa.per_epoch(sa.linear(1.0, 0.0, 10), 10), 0.5)
    assert s([1.7e308]).tolist() == [0.0]
    assert s(1.7e308) == 0.0


# -- cyclical's tabulated cycles ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cyc",
    [
        sa.cyclical(sa.cosine(1.0, 0.1, 1000), 1000, period_mult=2.0, decay=0.7),
        sa.cyclical(sa.linear(1.0, 0.0, 7), 7, period_mult=1.5),
        # slow growth: the table ends after 4096 cycles, at about step 16_700
        sa.cyclical(sa.cosine(1.0, 0.1, 3), 3.3, period_mult=1.0001, decay=0.999),
    ],
)
def test_cyclical_table_paths_agree(cyc):
    """Sorted steps cut at the table's cycle starts; unsorted ones bisect per step;
    steps past the table use the logarithm. All three equal the scalar path."""
    far = cyc._starts[-1]
    t = np.concatenate([np.arange(0.0, 20_000.0, 0.5), far + np.arange(-50.0, 50.0, 0.5), [far * 7.5, 1e12]])
    values = cyc(t)
    assert [cyc(float(x)) for x in t] == values.tolist()
    order = np.random.default_rng(3).permutation(t.size)
    np.testing.assert_array_equal(cyc(t[order]), values[order])
    # cycle starts belong to the cycle on their right
    for k in range(5):
        assert cyc(cyc._starts[k]) == cyc.s(0.0) * cyc._decays[k]
        assert cyc._decays[k] == pytest.approx(cyc.decay**k, rel=2**-52)


def test_cyclical_starts_are_exact_integers_for_integer_arguments():
    """torch's warm restarts put cycle k at T_0 * (T_mult**k - 1) / (T_mult - 1): exact integers."""
    cyc = sa.cyclical(sa.cosine(1.0, 0.0, 10), 10, period_mult=4.0)
    assert cyc._starts[:6] == (0.0, 10.0, 50.0, 210.0, 850.0, 3410.0)
    assert cyc(50) == 1.0 and cyc(49) == cyc.s(39 / 4)
