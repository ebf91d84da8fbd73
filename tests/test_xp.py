"""The array-library evaluation path (DESIGN principle 10) on torch tensors and array-api-strict.

Cross-path laws on random trees against the numpy path within the contract
(``xp_contract``), and the rules every library shares: dtypes, shapes, invalid
steps, untraceable nodes. JAX has its own file (``test_jax.py``), as do the
torch-specific rules (``test_torch_tensor.py``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import schedalg as sa
import strategies as S
import xp_contract as C
from schedalg import _xp
from schedalg._node import Schedule, node

torch = pytest.importorskip("torch")
xps = pytest.importorskip("array_api_strict")

SETTINGS = dict(derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))


def _torch_eval(dtype):
    def evaluate(s, steps):
        return s(torch.asarray(steps, dtype=dtype)).to(torch.float64).numpy()

    return evaluate


def _strict_eval(dtype):
    def evaluate(s, steps):
        out = s(xps.asarray(steps, dtype=dtype))
        assert out.dtype == (xps.int64 if s._integer else dtype)
        return np.asarray(xps.astype(out, xps.float64))

    return evaluate


def _steps(s):
    return C.padded(S.interesting_steps(s))


def _int_steps(s):
    return C.padded(sorted({float(math.floor(x)) for x in S.interesting_steps(s)}))


# -- cross-path laws -----------------------------------------------------------------------------
@settings(max_examples=S.examples(150), **SETTINGS)
@given(S.serializable_schedules())
def test_torch_float64_within_4_ulp_of_the_peak(s):
    C.check(s, _steps(s), _torch_eval(torch.float64), float32=False)


@settings(max_examples=S.examples(150), **SETTINGS)
@given(S.serializable_schedules())
def test_torch_float32_within_the_float32_bound(s):
    assume(C.float32_exact_offsets(s))
    C.check(s, _int_steps(s), _torch_eval(torch.float32), float32=True)


@settings(max_examples=S.examples(60), **SETTINGS)
@given(S.serializable_schedules())
def test_torch_programs_equal_the_standard_torch_namespace(s):
    """schedalg's own torch namespace, recorded and replayed, against array-api-compat's (an oracle), in float64."""
    compat = pytest.importorskip("array_api_compat.torch")
    assume(C.covered(s))
    t = torch.asarray(_steps(s), dtype=torch.float64)
    want = _xp._steps_to_values(s, _xp.Ctx(compat, torch.float64, t.device), t, False, torch.int64)
    torch.testing.assert_close(s(t), want, rtol=0.0, atol=0.0, equal_nan=True)


@settings(max_examples=S.examples(40), **SETTINGS)
@given(S.serializable_schedules())
def test_array_api_strict_float64_and_float32(s):
    C.check(s, _steps(s), _strict_eval(xps.float64), float32=False)
    if C.float32_exact_offsets(s):
        C.check(s, _int_steps(s), _strict_eval(xps.float32), float32=True)


@settings(max_examples=S.examples(40), **SETTINGS)
@given(S.serializable_schedules(), st.integers(0, 2**24 - 1))
def test_integer_steps_equal_their_float_steps(s, k):
    # An int64 step computes in the default float (torch: float32 here).
    assume(C.covered(s))
    ks = torch.arange(k, k + 8)
    a = s(ks)
    b = s(ks.to(torch.get_default_dtype()))
    assert a.dtype == b.dtype
    assert torch.equal(torch.nan_to_num(a.double(), nan=7.5), torch.nan_to_num(b.double(), nan=7.5))


def test_every_node_kind_on_a_fixed_tree():
    s = sa.sequence(
        [
            sa.cosine(1.0, 0.1, 100).warmup(10, shape="cosine"),
            sa.cyclical(sa.linear(1.0, 0.0, 10), 10, period_mult=2, decay=0.5),
            sa.piecewise_linear([0, 10, 30], [0.0, 1.0, 0.5]) * sa.piecewise_constant([5], [1.0, 2.0]),
            sa.maximum(sa.exponential(1.0, 0.9, every=3, staircase=True), sa.inverse_sqrt(0.5, 4)),
            sa.minimum(sa.triangular(0.0, 1.0, 20, peak=0.3), sa.polynomial(1.0, 0.0, 20, power=2.0)),
            sa.clip(sa.per_epoch(sa.stretch(sa.linear(0.0, 2.0, 10), 2.0), 3), 0.1, 0.9),
            sa.invert(sa.shift(sa.delay(sa.constant(2.0).cooldown(5, 5, end=1.0, shape="sqrt"), 3), 1), 4.0),
            (sa.linear(0.0, 1.0, 10) - 2.0) / sa.cyclical(sa.linear(2.0, 1.0, 5), 5, decay=0.9),
        ],
        [110, 200, 260, 300, 330, 370, 420],
    )
    steps = np.arange(0.0, 500.0, 0.5)
    C.check(s, C.padded(list(steps[:256])), _torch_eval(torch.float64), float32=False)
    for lo in range(0, 1000, 256):
        chunk = np.resize(steps[lo : lo + 256], 256)
        C.check(s, chunk, _torch_eval(torch.float64), float32=False)
        C.check(s, chunk, _torch_eval(torch.float32), float32=True)
        C.check(s, chunk, _strict_eval(xps.float64), float32=False)


def test_quantize_answers_the_default_integer_dtype():
    s = sa.quantize(sa.linear(32.0, 100.0, 10), multiple=8, high=96)
    got = s(torch.arange(12))
    assert got.dtype == torch.int64
    assert got.tolist() == s(np.arange(12)).tolist()
    got = s(xps.arange(12))
    assert got.dtype == xps.int64
    for rounding in S.ROUNDINGS:
        q = sa.quantize(sa.linear(0.0, 10.0, 20), rounding=rounding)
        assert q(torch.arange(25.0, dtype=torch.float64)).tolist() == q(np.arange(25.0)).tolist()


def test_exponential_float32_meets_the_bound_where_a_float32_power_misses_it():
    s = sa.exponential(1.0, 1.0 + 1e-5)  # grows to e**20 over 2e6 steps
    k = np.arange(2_000_000 - 256, 2_000_000, dtype=np.float64)
    C.check(s, k, _torch_eval(torch.float32), float32=True)
    naive = (torch.tensor(1.0 + 1e-5, dtype=torch.float32) ** torch.asarray(k, dtype=torch.float32)).double().numpy()
    assert C.violations(s, s(k), naive, float32=True)


ENDS = [(1.0, 0.0), (1e-3, 0.0), (0.1, 1e-3), (1.0, 0.999), (0.0, 1.0), (0.1, 1.0), (1.0, -1.0), (-0.5, 1.0)]


def _worst_share_of_the_bound(s, n):
    """max |got - exact| / bound over the steps 0..n + 1, got from an int64 tensor (float32)."""
    k = np.arange(n + 2)
    exact = s(k)
    got = s(torch.asarray(k)).double().numpy()
    assert got.dtype == np.float64 and not C.violations(s, exact, got, float32=True)
    peak = max(float(np.max(np.abs(exact))), C.magnitude(s))
    ulp = np.spacing(np.abs(exact).astype(np.float32)).astype(np.float64)
    return float(np.max(np.abs(got - exact) / np.maximum(8 * ulp, 4 * C.EPS32 * peak)))


@pytest.mark.parametrize(("start", "end"), ENDS)
def test_float32_cosine_and_linear_meet_the_bound_at_every_step(start, end):
    # float32 cosine: with ends of one sign, one form from the end of smaller
    # magnitude over the whole range (sin**2 near 1 rounds to within the bound
    # as |start - end| <= peak); with opposite signs, each half from its nearer
    # end. float32 linear: start + t * slope, the slope rounded once. Every
    # step, with room to spare (about half the bound is used).
    for n in (1, 2, 3, 10, 999, 99_000, 1_000_000):
        for s in (sa.cosine(start, end, n), sa.linear(start, end, n)):
            assert _worst_share_of_the_bound(s, n) < 0.75, (s, n)


# -- dtype, shape and device rules -------------------------------------------------------------------
def test_dtypes_follow_the_step():
    s = sa.cosine(1.0, 0.0, 10)
    assert s(torch.arange(3)).dtype == torch.get_default_dtype()
    assert s(torch.arange(3, dtype=torch.int32)).dtype == torch.get_default_dtype()
    assert s(torch.arange(3.0, dtype=torch.float64)).dtype == torch.float64
    assert s(torch.arange(3.0, dtype=torch.float16)).dtype == torch.float16
    before = torch.get_default_dtype()
    try:
        torch.set_default_dtype(torch.float64)
        assert s(torch.arange(3)).dtype == torch.float64
    finally:
        torch.set_default_dtype(before)
    assert s(xps.arange(3)).dtype == xps.float64  # array-api-strict's default float
    assert s(xps.asarray([1.0], dtype=xps.float32)).dtype == xps.float32


@pytest.mark.parametrize("shape", [(), (1,), (3, 4), (2, 0, 3)])
def test_shape_is_kept(shape):
    s = sa.warmup(sa.piecewise_constant([5, 9], [1.0, 0.5, 0.1]), 3)
    t = torch.arange(math.prod(shape), dtype=torch.float64).reshape(shape) * 1.5
    got = s(t)
    assert got.shape == t.shape
    np.testing.assert_array_equal(got.numpy(), s(t.numpy()))
    a = xps.reshape(xps.arange(math.prod(shape), dtype=xps.float64) * 1.5, shape)
    assert s(a).shape == shape


def test_numpy_and_python_steps_keep_their_paths():
    s = sa.linear(0.0, 1.0, 10)
    assert type(s(5)) is float and type(s(np.float32(5.0))) is float
    assert type(s(np.arange(3))) is np.ndarray and s(np.arange(3)).dtype == np.float64
    assert type(s([1, 2])) is np.ndarray


# -- invalid steps and untraceable nodes ---------------------------------------------------------------
def test_invalid_steps_give_nan_or_the_smallest_integer():
    # Validation cannot raise where values are unknown (under tracing): bad
    # steps are marked in the values instead, eagerly as under jit.
    s = sa.linear(0.0, 1.0, 10)
    got = s(torch.tensor([-1.0, math.nan, math.inf, 5.0], dtype=torch.float64))
    assert torch.isnan(got[:3]).all() and got[3].item() == 0.5
    assert torch.isnan(s(torch.tensor([-3]))).all()
    q = sa.quantize(s * 10)
    got = q(torch.tensor([-1.0, math.nan, 5.0], dtype=torch.float64))
    assert got.tolist() == [torch.iinfo(torch.int64).min] * 2 + [5]
    assert q(xps.asarray([-1])).tolist() if hasattr(q(xps.asarray([-1])), "tolist") else True
    assert int(q(xps.asarray([-1]))[0]) == xps.iinfo(xps.int64).min


def test_non_finite_values_of_an_integer_schedule_give_the_smallest_integer():
    q = sa.quantize(sa.exponential(1.0, 10.0))  # 10**t overflows int64 past t = 18
    got = q(torch.tensor([2.0, 30.0, 400.0], dtype=torch.float64))
    assert got.tolist() == [100, torch.iinfo(torch.int64).min, torch.iinfo(torch.int64).min]


def test_division_by_zero_follows_ieee():
    s = sa.invert(sa.linear(1.0, -1.0, 10))
    assert s(torch.tensor([5.0], dtype=torch.float64)).item() == math.inf


@pytest.mark.parametrize("dtype", ["bool", "complex128"])
def test_steps_of_the_wrong_kind_raise_type_error(dtype):
    t = torch.zeros(2, dtype=getattr(torch, dtype))
    with pytest.raises(TypeError, match="steps must be"):
        sa.constant(1.0)(t)


def test_from_fn_calls_its_function_with_the_array():
    s = sa.from_fn(lambda step: 0.5**step) * 2.0
    got = s(torch.arange(4.0, dtype=torch.float64))
    assert got.tolist() == [2.0, 1.0, 0.5, 0.25]


def test_from_fn_that_cannot_take_an_array_raises_type_error_naming_it():
    def branchy(step):
        return 1.0 if step < 10 else 0.1

    with pytest.raises(TypeError, match="from_fn"):
        sa.from_fn(branchy)(torch.arange(3))
    with pytest.raises(TypeError, match="from_fn"):  # a Python number back is no array
        S.FROM_FNS[2](torch.arange(3))
    with pytest.raises(TypeError, match="from_fn"):
        sa.from_fn(branchy).warmup(5)(xps.arange(3))


def test_multiplicative_lr_always_raises_type_error():
    from schedalg.presets import multiplicative_lr

    s = multiplicative_lr(1.0, lambda epoch: 0.9)
    for t in (torch.tensor(3), torch.arange(3), xps.asarray(2)):
        with pytest.raises(TypeError, match="from_fn.*multiplicative_lr"):
            s(t)
    assert s(3) == pytest.approx(0.729)


@node("mystery_node")
class _Mystery(Schedule):
    """A node class this path has no evaluator for."""

    value: float

    def _at(self, t):
        return self.value

    def _fill(self, t, out):
        out.fill(self.value)


def test_a_node_without_an_evaluator_raises_type_error_naming_it():
    s = _Mystery(1.0).warmup(3)
    assert s(5) == 1.0
    with pytest.raises(TypeError, match="mystery_node"):
        s(torch.arange(5))


def test_the_frameworks_guide_runs():
    import doctest
    import os

    pytest.importorskip("jax")
    pytest.importorskip("keras")
    pytest.importorskip("braintools")
    path = os.path.join(os.path.dirname(__file__), os.pardir, "docs", "frameworks.md")
    result = doctest.testfile(
        path, module_relative=False, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.failed == 0 and result.attempted > 10


def test_functions_of_values_on_a_fixed_tree():
    # Well-conditioned inputs (the law tests leave these nodes out: see xp_contract).
    s = sa.tanh(sa.linear(-2.0, 2.0, 100)) + sa.exp(sa.linear(0.0, -1.0, 100)) * sa.log(sa.linear(1.0, 3.0, 100))
    s = s + sa.power(sa.linear(1.0, 2.0, 100), 3.0) + sa.compose(sa.cosine(1.0, 0.0, 100), 10 * sa.power(sa.clock(), 0.5))
    steps = np.arange(0.0, 128.0, 0.5)
    C.check(s, steps, _torch_eval(torch.float64), float32=False, drawn=False)
    C.check(s, steps[::2].copy().repeat(2), _torch_eval(torch.float32), float32=True, drawn=False)
    assert torch.isnan(sa.log(sa.linear(1.0, -1.0, 10))(torch.tensor([8.0], dtype=torch.float64))).all()
    assert torch.isnan(sa.power(sa.linear(1.0, -1.0, 10), 0.5)(torch.tensor([8.0], dtype=torch.float64))).all()
    assert sa.power(sa.linear(1.0, -1.0, 10), 3.0)(torch.tensor([10.0], dtype=torch.float64)).item() == -1.0
