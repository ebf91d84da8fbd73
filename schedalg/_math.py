"""Scalar math that agrees bit for bit with numpy's vectorized kernels.

A schedule has two evaluation paths: plain Python floats for one step, numpy
for arrays. DESIGN §1.4 requires ``s(np.arange(n)) == [s(i) for i in range(n)]``
exactly, but numpy may dispatch SIMD kernels that round differently from the C
library behind :mod:`math` (on AVX-512 machines ``exp``, ``log`` and ``power``
differ in the last bit for a few percent of inputs). numpy applied to a Python
scalar runs the same kernel as on an array, so it is always consistent; it is
also 4-20x slower than :mod:`math`. Each function below is therefore the
:mod:`math` one where a probe at import shows it agrees with numpy on this
machine, and numpy's otherwise.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

__all__ = ["cos", "sin", "exp", "log", "tanh", "pow", "sqrt", "array_math"]


def _probe_inputs() -> np.ndarray:
    # Deterministic inputs from the ranges schedules feed these functions:
    # angles in [0, pi] and exponents of decays and growths. Where numpy's
    # kernels differ from the C library they do so on a few percent of inputs,
    # so a thousand probes settle the question.
    angles = np.linspace(0.0, math.pi, 1025)
    exponents = np.linspace(-40.0, 40.0, 1031) * 0.9973
    return np.concatenate([angles, exponents])


def _agrees(np_f: Callable[..., np.ndarray], math_f: Callable[[float], float], x: np.ndarray) -> bool:
    with np.errstate(all="ignore"):
        vectorized = np_f(x).tolist()
    for v, expected in zip(x.tolist(), vectorized):
        try:
            got = math_f(v)
        except (ValueError, OverflowError):
            return False
        if got != expected and not (got != got and expected != expected):
            return False
    return True


def _unary(np_f: np.ufunc, math_f: Callable[[float], float], x: np.ndarray) -> Callable[[float], float]:
    if _agrees(np_f, math_f, x):
        return math_f

    def via_numpy(v: float) -> float:
        return float(np_f(v))

    via_numpy.__name__ = math_f.__name__
    return via_numpy


_x = _probe_inputs()
cos = _unary(np.cos, math.cos, _x[:1025])
sin = _unary(np.sin, math.sin, _x[:1025])
exp = _unary(np.exp, math.exp, _x)
#: Defined for positive arguments only: callers check the domain first
#: (:func:`schedalg.log` raises on values <= 0).
#: Where the two libraries differ, they do so mostly for arguments near 1 (on
#: about 0.4% of them), so the probes concentrate there.
log = _unary(np.log, math.log, np.concatenate([np.linspace(0.25, 4.0, 2053), np.geomspace(1e-300, 1e300, 1031)]))
tanh = _unary(np.tanh, math.tanh, np.linspace(-20.0, 20.0, 2053) * 0.9973)



def _math_pow(base: float, exponent: float) -> float:
    try:
        return math.pow(base, exponent)
    except OverflowError:  # numpy answers inf where math raises
        return math.inf


def _numpy_pow(base: float, exponent: float) -> float:
    # Both operands as 1-element arrays: numpy answers a scalar operand (a
    # Python float, a 0-d array) through other kernels (libm, squaring for
    # 2.0) than the general one its loops over two arrays use, whatever their
    # length. A certain overflow is answered up front, as the array path's
    # inf, so that numpy need not be silenced (np.errstate costs more than
    # the power itself); near the edge, where log2 may round either way,
    # numpy decides.
    if base > 0.0:
        log2_result = exponent * math.log2(base)
        if log2_result >= 1025.0:
            return math.inf
        if log2_result > 1000.0:
            with np.errstate(over="ignore"):
                return float(np.power(np.array([base]), np.array([exponent]))[0])
    return float(np.power(np.array([base]), np.array([exponent]))[0])


def _pow_agrees(x: np.ndarray) -> bool:
    bases = x[:1025] / 3.0 + 0.05
    exponents = x[1025:2050]
    with np.errstate(all="ignore"):
        powers = np.power(bases, exponents).tolist()
    return all(_math_pow(b, e) == p for b, e, p in zip(bases.tolist(), exponents.tolist(), powers))


pow = _math_pow if _pow_agrees(_x) else _numpy_pow  # noqa: A001 - mirrors math.pow
_math_pow.__name__ = _numpy_pow.__name__ = "pow"

del _x


class array_math:  # noqa: N801 - used like a module
    """numpy's versions of the functions above, under the same names.

    Formulas written once as ``f(xm, x)`` run on Python floats with
    ``xm=schedalg._math`` and on arrays with ``xm=array_math``.
    """

    cos = np.cos
    sin = np.sin
    exp = np.exp
    log = np.log
    tanh = np.tanh
    sqrt = np.sqrt

    @staticmethod
    def pow(base: Any, exponent: Any, out: np.ndarray | None = None) -> np.ndarray:  # noqa: A003
        """``np.power`` through its general kernel, as the scalar ``pow`` uses.

        A scalar operand, base or exponent, would select other kernels (libm,
        squaring for 2.0, on a one-element array too), which round
        differently: both operands go in as arrays of the same shape, the
        form whose results do not depend on the length of the arrays. A
        one-element result written in place over an operand takes such a
        kernel too, so it is computed apart and copied.
        """
        if type(exponent) is not np.ndarray or exponent.ndim == 0:
            exponent = np.full(np.shape(base), exponent)
        elif type(base) is not np.ndarray or base.ndim == 0:
            base = np.full(exponent.shape, base)
        if out is not None and out.size == 1:
            out[...] = np.power(base, exponent)
            return out
        return np.power(base, exponent, out=out)


sqrt = math.sqrt  # exact (IEEE-754 correctly rounded) in both libraries
