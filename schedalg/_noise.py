"""``noise``: multiplicative noise drawn from the step by a counter-based hash.

The draw at step ``t`` is a pure function of ``(seed, floor(t))``: no generator
state, so any step can be evaluated alone, in any order, on any machine. The
draw is an integer computed with exact integer arithmetic on words below
``2**32`` (xor, shifts, ``+ -``, ``min`` and ``mulhi(a, b) = floor(a * b /
2**32)``), so the Python, numpy and array-library paths (JAX with or without
x64, torch, array-api-strict; eager, ``jit`` or compiled) give the same
integer; only its conversion to a float, one product, is rounded in the path's
dtype. The recipe:

1. **Counter.** ``k = floor(t) mod 2**64``, split into 32-bit words ``hi``
   and ``lo``. The seed (``0 <= seed < 2**63``) is split likewise.
2. **Hash.** ``mix`` is the two-round hash of Chris Wellons' hash-prospector
   (the finalizer of splitmix32), a bijection of 32-bit words: ``x ^= x >>
   16; x *= 0x21f0aaad; x ^= x >> 15; x *= 0x735a2d97; x ^= x >> 15``
   (products mod 2**32). With the seed's keys ``k0 = mix(mix(0x243f6a88 ^
   seed_lo) ^ seed_hi)`` and ``k1 = mix(k0 ^ 0x9e3779b9)``, the step's word
   is ``w = mix(mix(lo ^ k0) ^ hi ^ k1)``.
3. **Normal** (by the inverse of the normal distribution function; no
   rejection): the sign is that of ``w - 2**31`` and ``U`` = the low 31 bits
   of ``w``, moved into ``[U0, 2**31)`` as ``U0 + mulhi(2 U, 2**31 - U0)``;
   ``q = (2U + 1) / 2**33`` is uniform on ``(q0, 1/2)`` and the draw is ``z =
   +-Z / 2**27`` with ``Z = G(q) * 2**27``, ``G(q) = -Phi^-1(q)`` (within
   ``4e-8`` of it: :func:`quantile`), ``n = std * z``. Without ``limit``,
   ``U0 = 0``: ``z`` is standard normal (``|z| <= 6.34``, ``G(2**-33)``). With
   ``limit``, ``U0`` is the smallest ``U`` whose ``Z`` is below ``A =
   ceil(limit / std * 2**27)`` and ``Z`` is capped at ``A - 1``: the normal
   truncated to ``|n| < limit``, what redrawing until ``|n| < limit`` gives.
4. **Uniform kind**: ``n = std * (w - 2**31) / 2**31``, on ``[-std, std)``;
   with ``limit <= std``, ``n = limit * (2w + 1 - 2**32) / 2**32``, on
   ``(-limit, limit)``: what redrawing until ``|n| < limit`` gives.

The value is ``s(t) * (1 + n)`` with ``n = (+-M) * c``: ``M`` the draw's
integer and ``c`` (``std / 2**27``, ``std / 2**31`` or ``limit / 2**32``) a
number of the node: one rounded product in the path's float dtype.
"""

from __future__ import annotations

import decimal
import functools
import math
from typing import Any

import numpy as np

from . import _check, _simplify
from ._node import Schedule, cached_field, node, register

__all__ = ["noise"]

KINDS = ("normal", "uniform")
_MASK = 0xFFFFFFFF
#: The multipliers of :func:`mix`, both below ``2**31``: a product with a word fits an int64.
_M1, _M2 = 0x21F0AAAD, 0x735A2D97
_SEED_TAG, _HI_TAG = 0x243F6A88, 0x9E3779B9
_TWO32 = 4294967296.0
_INV_TWO32 = 2.0**-32
_TWO64 = 2.0**64
_HALF = 1 << 31
#: Fixed-point scale of a normal draw ``Z`` (bits below the point).
Z_BITS = 27
#: Segments of each octave ``[2**(k-33), 2**(k-32))`` of ``q`` in the quantile table.
SEGMENTS = 64


def _mix_int(x: int) -> int:
    """:func:`mix` of one Python int."""
    x ^= x >> 16
    x = (x * _M1) & _MASK
    x ^= x >> 15
    x = (x * _M2) & _MASK
    return x ^ (x >> 15)


# -- the quantile table ----------------------------------------------------------------------------------
# Wichura's AS 241 (Applied Statistics 37(3), 1988), the two branches that
# cover q >= 2**-33: Phi^-1 within about 1e-16 relative, from + - * / and sqrt.
_AS241_CENTRAL = (
    (3.3871328727963666080, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
     45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727),
    (1.0, 42.313330701600911252, 687.18700749205790830, 5394.1960214247511077,
     21213.794301586595867, 39307.895800092710610, 28729.085735721942674, 5226.4952788528545610),
)  # fmt: skip
_AS241_TAIL = (
    (1.42343711074968357734, 4.63033784615654529590, 5.76949722146069140550, 3.64784832476320460504,
     1.27045825245236838258, 0.241780725177450611770, 0.0227238449892691845833, 7.74545014278341407640e-4),
    (1.0, 2.05319162663775882187, 1.67638483018380384940, 0.689767334985100004550,
     0.148103976427480074590, 0.0151986665636164571966, 5.47593808499534494600e-4, 1.05075007164441684324e-9),
)  # fmt: skip


def _horner(coefficients: tuple[float, ...], r: np.ndarray) -> np.ndarray:
    p = np.full(r.shape, coefficients[-1])
    for c in coefficients[-2::-1]:
        p = p * r + c
    return p


def _g(k: np.ndarray, j: np.ndarray, logs: np.ndarray, ln2: float) -> np.ndarray:
    """``G(q) = -Phi^-1(q)`` at ``q = 2**(k - 33) * (1 + j / (2 * SEGMENTS))``, ``q <= 1/2``.

    AS 241 in float64 with ``+ - * /`` and ``sqrt`` only (each correctly
    rounded, one numpy call per operation: no fused multiply-add), and ``ln q
    = (k - 33) ln 2 + ln(1 + j / 128)`` from ``logs[j]`` and ``ln2``, logarithms
    rounded once from :class:`decimal.Decimal` (correctly rounded), not from the
    machine's ``log``: the same bits on every machine.
    """
    q = np.ldexp(1.0 + j / (2.0 * SEGMENTS), k - 33)
    c = q - 0.5
    r = 0.180625 - c * c
    central = c * _horner(_AS241_CENTRAL[0], r) / _horner(_AS241_CENTRAL[1], r)
    r = np.sqrt(-((k - 33) * ln2 + logs[j])) - 1.6
    tail = _horner(_AS241_TAIL[0], r) / _horner(_AS241_TAIL[1], r)
    return np.where(c >= -0.425, -central, tail)


#: The quantile table (:func:`make_table`), made when the first noise node is.
TABLE: dict[str, tuple[int, ...]] = {}


def make_table() -> dict[str, tuple[int, ...]]:
    """``G`` on each segment of each octave as ``g0 - t (b - t c)``, ``t`` in ``[0, 1]``.

    Entry ``64 k + i`` covers ``q = 2**(k - 33) (1 + (i + t) / 64)``; the
    quadratic meets ``G`` at ``t = 0, 1/2, 1``: ``c = 2 (G0 - 2 G1/2 + G1) >=
    0`` (``G`` is convex) and ``b = G0 - G1 + c > 2 c``. ``g0`` is in
    ``2**-27``, rounded up (so that no ``Z`` is below 0), ``b`` and ``c`` in
    ``2**-32``, rounded to nearest.
    """
    k, i = np.divmod(np.arange(32 * SEGMENTS), SEGMENTS)
    ctx = decimal.Context(prec=40)
    logs = np.array([float(ctx.ln(1 + decimal.Decimal(j) / (2 * SEGMENTS))) for j in range(2 * SEGMENTS + 1)])
    ln2 = float(ctx.ln(decimal.Decimal(2)))
    g0, gm, g1 = (_g(k, 2 * i + h, logs, ln2) for h in (0, 1, 2))
    c = 2.0 * (g0 - 2.0 * gm + g1)
    b = g0 - g1 + c
    if not (np.all(c >= 0.0) and np.all(b > 2.0 * c)):  # pragma: no cover - G is decreasing and convex
        msg = "noise: the quantile table is not decreasing and convex"
        raise RuntimeError(msg)
    return {
        "g0": tuple(np.ceil(np.ldexp(g0, Z_BITS)).astype(np.int64).tolist()),
        "b": tuple(np.rint(np.ldexp(b, 32)).astype(np.int64).tolist()),
        "c": tuple(np.rint(np.ldexp(c, 32)).astype(np.int64).tolist()),
    }


# -- integer arithmetic, once for every path ---------------------------------------------------------------
class PyInts:
    """The recipe's integer operations on Python ints (one step).

    ``HALF`` and ``MASK`` are ``2**31`` and ``2**32 - 1`` as the words' type
    takes them, and ``c(v)`` any other constant of ``2**31`` or more.
    """

    HALF, MASK = 1 << 31, 0xFFFFFFFF

    @staticmethod
    def c(v: int) -> Any:
        return v

    @staticmethod
    def mulhi(a: Any, b: Any) -> Any:
        return (a * b) >> 32

    @staticmethod
    def mullo(a: Any, c: int) -> Any:
        return (a * c) & _MASK

    @staticmethod
    def where(cond: Any, a: Any, b: Any) -> Any:
        return a if cond else b

    @staticmethod
    def minimum(a: Any, b: int) -> Any:
        return min(a, b)

    @staticmethod
    def flag(cond: Any) -> Any:
        return 1 if cond else 0

    @staticmethod
    def take(name: str, i: Any) -> Any:
        return TABLE[name][i]


class NumpyInts(PyInts):
    """The same on ``uint64`` numpy arrays of values below ``2**32``."""

    where = staticmethod(np.where)

    @staticmethod
    def minimum(a: Any, b: int) -> Any:
        return np.minimum(a, np.uint64(b))

    @staticmethod
    def flag(cond: Any) -> Any:
        return cond.astype(np.uint64)

    @staticmethod
    def take(name: str, i: Any) -> Any:
        return _numpy_table(name)[i]


@functools.cache
def _numpy_table(name: str) -> np.ndarray:
    table = np.array(TABLE[name], dtype=np.uint64)
    table.setflags(write=False)
    return table


def _mix_np(x: np.ndarray) -> None:
    """:func:`mix` of a ``uint32`` array, in place (uint32 products wrap: ``mullo``)."""
    x ^= x >> np.uint32(16)
    x *= np.uint32(_M1)
    x ^= x >> np.uint32(15)
    x *= np.uint32(_M2)
    x ^= x >> np.uint32(15)


def _word_np(keys: tuple[int, int], hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """:func:`word` of ``uint32`` arrays, in place on ``lo``."""
    x = lo
    x ^= np.uint32(keys[0])
    _mix_np(x)
    x ^= hi
    x ^= np.uint32(keys[1])
    _mix_np(x)
    return x


def _quantile_int(v: int) -> int:
    """:func:`quantile` of one Python int, the shift from ``bit_length``."""
    e = v.bit_length()
    f = (v << (32 - e)) - _HALF
    i = (e - 1) * SEGMENTS + (f >> 25)
    t = (f & 0x1FFFFFF) << 7
    return TABLE["g0"][i] - ((t * (TABLE["b"][i] - ((t * TABLE["c"][i]) >> 32))) >> 37)


def _quantile_np(v: np.ndarray) -> np.ndarray:
    """:func:`quantile` of a ``uint32`` array (``uint64`` out), the shift from ``frexp`` (exact below 2**53)."""
    e = np.frexp(v.astype(np.float64))[1]  # v in [2**(e-1), 2**e)
    f = v << (32 - e).astype(np.uint32)
    f -= np.uint32(_HALF)
    index = (e - 1) * SEGMENTS
    index += f >> np.uint32(25)
    t = (f & np.uint32(0x1FFFFFF)).astype(np.uint64) << np.uint64(7)
    inner = _numpy_table("b")[index] - ((t * _numpy_table("c")[index]) >> np.uint64(32))
    inner *= t
    inner >>= np.uint64(37)
    return _numpy_table("g0")[index] - inner


def mix(I: Any, x: Any) -> Any:
    """A bijection of 32-bit words with a strong avalanche, of every word.

    ``x ^= x >> 16; x *= 0x21f0aaad; x ^= x >> 15; x *= 0x735a2d97; x ^= x >> 15``
    (products mod ``2**32``): Chris Wellons' hash-prospector two-round hash,
    the finalizer of splitmix32.
    """
    x = x ^ (x >> 16)
    x = I.mullo(x, _M1)
    x = x ^ (x >> 15)
    x = I.mullo(x, _M2)
    return x ^ (x >> 15)


def word(I: Any, keys: tuple[int, int], hi: Any, lo: Any) -> Any:
    """The step's word ``mix(mix(lo ^ keys[0]) ^ hi ^ keys[1])``."""
    return mix(I, mix(I, lo ^ I.c(keys[0])) ^ (hi ^ I.c(keys[1])))


def quantile(I: Any, v: Any) -> Any:
    """``Z = G(q) * 2**27`` for ``q = v / 2**33``, ``v`` odd in ``[1, 2**32)``.

    ``v << s`` lies in ``[2**31, 2**32)`` (octave ``k = 31 - s``); its bits
    below the leading one are the segment ``i`` (6 bits) and ``t`` (25 bits,
    as ``T = t * 2**32``): ``Z = g0 - (mulhi(T, b - mulhi(T, c)) >> 5)`` at
    entry ``64 k + i``.
    """
    # The shift by counting thresholds rather than a binary search: each value is
    # read by the next step once, and a compiler that inlines does not double it.
    s = I.flag(v < (1 << 16)) * 16
    v = v << s
    low = I.flag(v < (1 << 17))
    for m in range(18, 32):
        low = low + I.flag(v < I.c(1 << m))
    v = v << low
    s = s + low
    f = v - I.HALF
    index = (31 - s) * SEGMENTS + (f >> 25)
    t = (f & 0x1FFFFFF) << 7
    return I.take("g0", index) - (I.mulhi(t, I.take("b", index) - I.mulhi(t, I.take("c", index))) >> 5)


def normal_draw(I: Any, s: Noise, w: Any) -> tuple[Any, Any]:
    """The normal kind's ``(Z, negative)`` from the word ``w``."""
    u = w & 0x7FFFFFFF
    if s._u0:
        u = s._u0 + I.mulhi(u << 1, _HALF - s._u0)
    z = quantile(I, (u << 1) + 1)
    if s._z_cap is not None:
        z = I.minimum(z, s._z_cap)
    return z, I.flag(w < I.HALF)


def uniform_draw(I: Any, s: Noise, w: Any) -> tuple[Any, Any]:
    """The uniform kind's ``(M, negative)`` from the word ``w``."""
    neg = w < I.HALF
    if s._scale == "limit":  # |2w + 1 - 2**32|
        return I.where(neg, I.MASK - (w << 1), ((w - I.HALF) << 1) + 1), I.flag(neg)
    return I.where(neg, I.HALF - w, w - I.HALF), I.flag(neg)  # |w - 2**31|


def _truncation(a: float) -> tuple[int, int | None]:
    """``(U0, A - 1)`` for ``|z| < a``: the first ``U`` with ``Z < A = ceil(a 2**27)``, by bisection."""
    if not a * 2.0**Z_BITS <= TABLE["g0"][0]:  # beyond the largest draw: no truncation
        return 0, None
    cap = math.ceil(a * 2.0**Z_BITS) - 1
    lo, hi = 0, _HALF - 1  # Z(2 * (2**31 - 1) + 1) = 0 <= cap
    while lo < hi:
        mid = (lo + hi) // 2
        if quantile(PyInts, 2 * mid + 1) <= cap:
            hi = mid
        else:
            lo = mid + 1
    return lo, cap


# -- the node ----------------------------------------------------------------------------------------------
@node("noise")
class Noise(Schedule):
    s: Schedule
    std: float
    limit: float | None = None
    seed: int = 0
    kind: str = "normal"
    _keys: tuple[int, int] = cached_field()  # the seed's words, hashed
    _u0: int = cached_field()  # the smallest U of a normal draw
    _z_cap: int | None = cached_field()  # the largest Z of a normal draw (None: no truncation)
    _scale: str = cached_field()  # the uniform kind's reading of w: "limit" or "std"
    _c: float = cached_field()  # n = (+-M) * _c

    def __post_init__(self) -> None:
        seed, std, limit = self.seed, self.std, self.limit
        if not TABLE:
            TABLE.update(make_table())
        set_ = object.__setattr__
        key = _mix_int(_mix_int(_SEED_TAG ^ (seed & _MASK)) ^ (seed >> 32))
        set_(self, "_keys", (key, _mix_int(key ^ _HI_TAG)))
        u0, cap = _truncation(limit / std) if limit is not None and self.kind == "normal" else (0, None)
        set_(self, "_u0", u0)
        set_(self, "_z_cap", cap)
        set_(self, "_scale", "limit" if limit is not None and limit <= std else "std")
        if self.kind == "normal":
            c = math.ldexp(std, -Z_BITS)
        else:
            c = math.ldexp(limit, -32) if self._scale == "limit" else math.ldexp(std, -31)  # type: ignore[arg-type]
        set_(self, "_c", c)

    def draw(self, I: Any, w: Any) -> tuple[Any, Any]:
        """``(M, negative)`` of the draw from the word ``w``, with the integer operations ``I``."""
        return normal_draw(I, self, w) if self.kind == "normal" else uniform_draw(I, self, w)

    # -- one step ------------------------------------------------------------------------------------
    def _draw(self, t: float) -> float:
        if not t < math.inf:  # an infinite local time (from stretch, say): no draw
            return 0.0
        k = int(math.fmod(t, _TWO64))
        key_lo, key_hi = self._keys
        w = _mix_int(_mix_int((k & _MASK) ^ key_lo) ^ (k >> 32) ^ key_hi)
        if self.kind == "uniform":
            m, neg = uniform_draw(PyInts, self, w)
        else:
            neg = w < _HALF
            u = w & 0x7FFFFFFF
            if self._u0:
                u = self._u0 + (((u << 1) * (_HALF - self._u0)) >> 32)
            m = _quantile_int(2 * u + 1)
            if self._z_cap is not None and m > self._z_cap:
                m = self._z_cap
        n = m * self._c
        return -n if neg else n

    def _at(self, t: float) -> float:
        return self.s._at(t) * (1.0 + self._draw(t))

    # -- arrays --------------------------------------------------------------------------------------
    def _draws(self, t: np.ndarray) -> np.ndarray:
        infinite = ~(t < math.inf)
        if infinite.any():
            n = self._draws(np.where(infinite, 0.0, t))
            n[infinite] = 0.0
            return n
        k = np.floor(np.fmod(t, _TWO64))
        hi = np.floor(k * _INV_TWO32)
        lo = k - hi * _TWO32  # exact: both words are integers below 2**32
        w = _word_np(self._keys, hi.astype(np.uint32), lo.astype(np.uint32))
        neg = w < np.uint32(_HALF)
        if self.kind == "uniform":
            m = uniform_draw(NumpyInts, self, w.astype(np.uint64))[0]
        else:
            u = w & np.uint32(0x7FFFFFFF)
            if self._u0:
                u = np.uint32(self._u0) + ((u.astype(np.uint64) << 1) * (_HALF - self._u0) >> 32).astype(np.uint32)
            u <<= 1
            u |= 1
            m = _quantile_np(u)
            if self._z_cap is not None:
                np.minimum(m, np.uint64(self._z_cap), out=m)
        n = m.astype(np.float64)
        n *= self._c
        np.negative(n, out=n, where=neg)
        return n

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:
        self.s._fill(t, out)
        n = self._draws(t)
        n += 1.0
        out *= n


@register("noise")
def noise(
    s: Schedule,
    std: float,
    limit: float | None = None,
    seed: int = 0,
    kind: str = "normal",
) -> Schedule:
    """Multiplicative noise: ``f(t) = s(t) * (1 + n(t))``, ``n`` drawn from the step.

    ``n(t)`` depends on ``(seed, floor(t))`` alone, through a counter-based
    hash and integer arithmetic (the recipe is in :mod:`schedalg._noise`):
    the same step gives the same draw in any order, on any machine, in every
    path (Python numbers, numpy, and JAX, torch or other arrays, also under
    ``jit`` or ``torch.compile``), bit for bit in float64; all steps of ``[k,
    k + 1)`` share one draw. The counter is ``floor(t) mod 2**64`` (a step
    that is infinite, which only a clock change such as
    :func:`~schedalg.stretch` can pass on, draws ``n = 0``).

    * ``kind="normal"``: ``n`` is normal with mean 0 and standard deviation
      ``std`` (the inverse normal distribution function of a 32-bit uniform,
      within ``4e-8 std``; ``|n| <= 6.34 std``); with ``limit``, the normal
      truncated to ``(-limit, limit)`` (timm's ``noise_pct``): the
      distribution redrawing until ``|n| < limit`` gives, without redraws.
    * ``kind="uniform"``: ``n`` is uniform on ``[-std, std)``; with ``limit
      <= std``, on ``(-limit, limit)`` (what redrawing until ``|n| < limit``
      gives; a larger ``limit`` changes nothing).

    Laws: ``noise(s, 0) == s``; ``noise(s, ...)(t) == s(t) * (1 + n)`` with
    ``n`` the same for every ``s`` and every ``t`` of one integer step.

    >>> import schedalg as sa
    >>> s = sa.noise(sa.constant(1.0), 0.1, limit=0.2, seed=42)
    >>> s(0), s(0.5), s(1)
    (0.9018930576741695, 0.9018930576741695, 1.001555222272873)
    >>> s([0, 1]).tolist()
    [0.9018930576741695, 1.001555222272873]
    >>> bool(all(0.8 < v < 1.2 for v in s(range(1000))))
    True
    """
    s_ = _check.schedule("s", s)
    std_ = _check.nonnegative("std", std)
    limit_ = None if limit is None else _check.positive("limit", limit)
    kind_ = _check.choice("kind", kind, KINDS)
    seed_ = _check.integer("seed", seed, minimum=0)  # and below 2**63, as every integer argument
    return _simplify.noise(s_, std_, limit_, seed_, kind_)
