"""``noise``: multiplicative noise drawn from the step by a counter-based hash.

The draw at step ``t`` is a pure function of ``(seed, floor(t))``: no generator
state, so any step can be evaluated alone, in any order, on any machine, and
the scalar and array paths give the same bits. The recipe uses only 32-bit
integer operations (xor, shifts, wrapping multiplication), IEEE-754 float
operations that are correctly rounded everywhere (``+ - * /``, ``sqrt``) and
``frexp``, so it can be written again with any array namespace:

1. **Counter.** ``k = floor(t) mod 2**64``, split into 32-bit words ``hi``
   and ``lo``. The seed (``0 <= seed < 2**63``) is split likewise.
2. **Hash.** ``mix`` is Chris Wellons' ``lowbias32``, a bijection of 32-bit
   words: ``x ^= x >> 16; x *= 0x7feb352d; x ^= x >> 15; x *= 0x846ca68b;
   x ^= x >> 16`` (products mod 2**32). The step's state is
   ``x = mix(mix(key ^ hi) ^ lo)`` with ``key = mix(mix(0x243f6a88 ^
   seed_lo) ^ seed_hi)``, and its ``i``-th random word is ``w_i = mix(x ^
   K_i)`` with ``K_i = mix(i + 0x9e3779b9)``.
3. **Uniforms.** A word ``w`` gives ``(2w + 1 - 2**32) / 2**32``, uniform
   on the odd multiples of ``2**-32`` in ``(-1, 1)`` (never 0), or ``(w + 1)
   / 2**32`` in ``(0, 1]``, or ``(w - 2**31) / 2**31`` in ``[-1, 1)``; each
   is exact in float64.
4. **Normal** (Marsaglia's polar method): round ``j`` takes ``u, v`` from
   ``w_{2j}, w_{2j+1}`` (the first form), ``q = u*u + v*v`` and, if ``q <
   1``, ``z = u * sqrt(-2 ln(q) / q)``, a standard normal draw; ``n = std *
   z``. With ``limit``, a draw is also rejected unless ``|n| < limit``: the
   normal truncated to ``(-limit, limit)``. When ``limit < 1.6 std`` the
   proposal is instead ``n = limit * u``, accepted if ``n*n <= -2 std**2
   ln(w)`` with ``w`` from ``w_{2j+1}`` (the second form): the same
   truncated normal (rejection from a uniform), drawn with an acceptance of
   at least 70% per round where the normal proposal's would fall towards 0.
   A rejected draw moves to round ``j + 1``; after :data:`ROUNDS` rejected
   rounds (probability below ``0.3**32 < 2e-17`` per step) ``n = 0``.
5. **Uniform kind**: ``n = std * (w_0 - 2**31) / 2**31``, on ``[-std, std)``;
   with ``limit <= std``, ``n = limit * u`` with ``u`` from ``w_0`` (the
   first form), on ``(-limit, limit)``: what redrawing until ``|n| < limit``
   gives.

``ln`` is :func:`_ln`, a fixed polynomial in ``+ - * /`` after ``frexp``
(within a few ulp of the natural logarithm), rather than a library ``log``
whose last bit differs between machines.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _check, _simplify
from ._node import Schedule, cached_field, node, register

__all__ = ["noise", "ROUNDS"]

KINDS = ("normal", "uniform")
#: Rounds of rejection sampling before a draw gives up (and is 0).
ROUNDS = 32
#: Below ``limit / std`` of this, the truncated normal is drawn from uniform proposals.
UNIFORM_PROPOSALS_BELOW = 1.6

_MASK = 0xFFFFFFFF
_M1, _M2 = 0x7FEB352D, 0x846CA68B
_SEED_TAG, _WORD_TAG = 0x243F6A88, 0x9E3779B9
_TWO32 = 4294967296.0
_TWO31 = 2147483648.0
_INV_TWO32 = 2.0**-32
_INV_TWO31 = 2.0**-31
_TWO64 = 2.0**64
_SQRT_HALF = math.sqrt(0.5)
_LN2 = 0.6931471805599453
#: ``1 / (2k + 1)``: ln(m) = 2 f (1 + f**2/3 + f**4/5 + ...) with f = (m-1)/(m+1).
_LN_SERIES = tuple(1.0 / (2 * k + 1) for k in range(12))


def _mix(x: int) -> int:
    """``lowbias32``: a bijection of 32-bit words with a strong avalanche."""
    x ^= x >> 16
    x = (x * _M1) & _MASK
    x ^= x >> 15
    x = (x * _M2) & _MASK
    return x ^ (x >> 16)


def _mix_array(x: np.ndarray) -> np.ndarray:
    """:func:`_mix` of every word of a ``uint32`` array, in place."""
    x ^= x >> np.uint32(16)
    x *= np.uint32(_M1)
    x ^= x >> np.uint32(15)
    x *= np.uint32(_M2)
    x ^= x >> np.uint32(16)
    return x


_WORD_KEYS = tuple(_mix((i + _WORD_TAG) & _MASK) for i in range(2 * ROUNDS))


def _ln(x: float) -> float:
    """Natural logarithm of a positive normal float, from ``+ - * /`` and ``frexp``."""
    m, e = math.frexp(x)
    if m < _SQRT_HALF:
        m *= 2.0
        e -= 1
    f = (m - 1.0) / (m + 1.0)
    f2 = f * f
    p = _LN_SERIES[-1]
    for c in _LN_SERIES[-2::-1]:
        p = p * f2 + c
    return e * _LN2 + 2.0 * f * p


def _ln_array(x: np.ndarray) -> np.ndarray:
    """:func:`_ln` of every element, with the same operations in the same order."""
    m, e = np.frexp(x)
    small = m < _SQRT_HALF
    m *= 1.0 + small  # doubles the small mantissas (exact), without a masked write
    e -= small
    f = m - 1.0
    m += 1.0
    f /= m
    f2 = f * f
    p = np.full(f.shape, _LN_SERIES[-1])
    for c in _LN_SERIES[-2::-1]:
        p *= f2
        p += c
    out = e.astype(np.float64)
    out *= _LN2
    f *= 2.0
    f *= p
    out += f
    return out


def _signed(w: Any) -> Any:
    """Word -> odd multiple of ``2**-32`` in ``(-1, 1)`` (a float or an array).

    ``(2w + 1 - 2**32) / 2**32``; every operation is exact.
    """
    return w * _INV_TWO31 - (1.0 - _INV_TWO32)


def _positive(w: Any) -> Any:
    """Word -> multiple of ``2**-32`` in ``(0, 1]``: ``(w + 1) / 2**32``, exact."""
    return w * _INV_TWO32 + _INV_TWO32


@node("noise")
class Noise(Schedule):
    s: Schedule
    std: float
    limit: float | None = None
    seed: int = 0
    kind: str = "normal"
    _key: int = cached_field()  # the seed's words, hashed
    _var: float = cached_field()  # std ** 2
    _uniform_proposals: bool = cached_field()

    def __post_init__(self) -> None:
        seed = self.seed
        set_ = object.__setattr__
        set_(self, "_key", _mix(_mix(_SEED_TAG ^ (seed & _MASK)) ^ (seed >> 32)))
        set_(self, "_var", self.std * self.std)
        set_(self, "_uniform_proposals", self.limit is not None and self.limit < UNIFORM_PROPOSALS_BELOW * self.std)

    # -- one step ------------------------------------------------------------------------------------
    def _draw(self, t: float) -> float:
        if not t < math.inf:  # an infinite local time (from stretch, say): no draw
            return 0.0
        k = int(math.fmod(t, _TWO64))
        x = _mix(_mix(self._key ^ (k >> 32)) ^ (k & _MASK))
        std, limit = self.std, self.limit
        if self.kind == "uniform":
            w = _mix(x ^ _WORD_KEYS[0])
            if limit is not None and limit <= std:
                return limit * _signed(float(w))
            return std * ((w - _TWO31) * _INV_TWO31)
        for j in range(ROUNDS):
            a = float(_mix(x ^ _WORD_KEYS[2 * j]))
            b = float(_mix(x ^ _WORD_KEYS[2 * j + 1]))
            if self._uniform_proposals:
                n = limit * _signed(a)  # type: ignore[operator]
                if n * n <= (-2.0 * self._var) * _ln(_positive(b)):
                    return n
                continue
            u, v = _signed(a), _signed(b)
            q = u * u + v * v
            if q < 1.0:
                n = std * (u * math.sqrt((-2.0 * _ln(q)) / q))
                if limit is None or abs(n) < limit:
                    return n
        return 0.0

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
        x = hi.astype(np.uint32)
        x ^= np.uint32(self._key)
        _mix_array(x)
        x ^= lo.astype(np.uint32)
        _mix_array(x)
        std, limit = self.std, self.limit
        if self.kind == "uniform":
            w = _mix_array(x ^ np.uint32(_WORD_KEYS[0])).astype(np.float64)
            if limit is not None and limit <= std:
                return limit * _signed(w)
            w -= _TWO31
            w *= _INV_TWO31
            w *= std
            return w
        n = np.zeros(t.shape)
        pending = None  # the lanes still to draw, after the first round (all lanes)
        for j in range(ROUNDS):
            a = _mix_array(x ^ np.uint32(_WORD_KEYS[2 * j])).astype(np.float64)
            b = _mix_array(x ^ np.uint32(_WORD_KEYS[2 * j + 1])).astype(np.float64)
            if self._uniform_proposals:
                cand = limit * _signed(a)  # type: ignore[operator]
                ok = cand * cand <= (-2.0 * self._var) * _ln_array(_positive(b))
            else:
                u, v = _signed(a), _signed(b)
                q = u * u
                q += v * v
                ok = q < 1.0
                # -2 ln(q) / q >= 0 where q < 1; the abs only keeps the rejected
                # lanes (1 <= q < 2, dropped below) from a NaN.
                r = _ln_array(q)
                r *= -2.0
                r /= q
                cand = std * (u * np.sqrt(np.abs(r, out=r), out=r))
                if limit is not None:
                    ok &= np.abs(cand) < limit
            rejected = np.flatnonzero(~ok)
            if pending is None:
                np.copyto(n, cand, where=ok)
                pending = rejected
            else:
                n[pending[ok]] = cand[ok]
                pending = pending[rejected]
            if not pending.size:
                break
            x = x[rejected]
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
    hash (the recipe is in :mod:`schedalg._noise`): the same step gives the
    same value, bit for bit, in any order, on any machine, in both paths;
    all steps of ``[k, k + 1)`` share one draw. The counter is ``floor(t) mod
    2**64`` (a step that is infinite, which only a clock change such as
    :func:`~schedalg.stretch` can pass on, draws ``n = 0``).

    * ``kind="normal"``: ``n`` is normal with mean 0 and standard deviation
      ``std``; with ``limit``, redrawn until ``|n| < limit`` (timm's
      ``noise_pct``), i.e. the normal truncated to ``(-limit, limit)``. After
      32 rejected rounds (probability below ``2e-17``) ``n = 0``.
    * ``kind="uniform"``: ``n`` is uniform on ``[-std, std)``; with ``limit
      <= std``, on ``(-limit, limit)`` (what redrawing until ``|n| < limit``
      gives; a larger ``limit`` changes nothing).

    Laws: ``noise(s, 0) == s``; ``noise(s, ...)(t) == s(t) * (1 + n)`` with
    ``n`` the same for every ``s`` and every ``t`` of one integer step.

    >>> import schedalg as sa
    >>> s = sa.noise(sa.constant(1.0), 0.1, limit=0.2, seed=42)
    >>> s(0), s(0.5), s(1)
    (0.888359003848299, 0.888359003848299, 0.9850618664869324)
    >>> s([0, 1]).tolist()
    [0.888359003848299, 0.9850618664869324]
    >>> bool(all(0.8 < v < 1.2 for v in s(range(1000))))
    True
    """
    s_ = _check.schedule("s", s)
    std_ = _check.nonnegative("std", std)
    limit_ = None if limit is None else _check.positive("limit", limit)
    kind_ = _check.choice("kind", kind, KINDS)
    seed_ = _check.integer("seed", seed, minimum=0)  # and below 2**63, as every integer argument
    return _simplify.noise(s_, std_, limit_, seed_, kind_)
