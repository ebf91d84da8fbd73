"""The accuracy contract of the array-library path (DESIGN principle 10), as test helpers.

* float64: within 4 ulp of the peak of the numpy path;
* float32: within ``max(8 ulp32(v), 4 eps32 * peak)`` of the exact value ``v``
  (the numpy path at the float32 steps, read exactly as float64), for steps
  below 2**24.

``peak`` is the largest magnitude among the values at the steps evaluated and the
value parameters of the tree (``start``, ``end``, ``values``, bounds, factors):
the size of the terms a node's formula adds, which is what its rounding errors
scale with (a cosine from 500 to 0 evaluated only near its end has small values
but computes ``0 + 500 * w``). Integer-valued schedules must agree exactly.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

import schedalg as sa

N = 256  # every check pads its steps to this length: compiled kernels are reused
EPS32 = 2.0**-23
VALUE_FIELDS = {"start", "end", "value", "values", "low", "high", "k", "numerator", "a", "b"}


def magnitude(s: sa.Schedule) -> float:
    """The largest magnitude among the value parameters of the tree ``s``."""
    out = 0.0
    for f in dataclasses.fields(s):  # type: ignore[arg-type]
        if not f.init:
            continue
        v = getattr(s, f.name)
        items = v if isinstance(v, tuple) else (v,)
        for x in items:
            if isinstance(x, sa.Schedule):
                out = max(out, magnitude(x))
            elif f.name in VALUE_FIELDS and isinstance(x, (int, float)) and not isinstance(x, bool):
                out = max(out, abs(float(x)))
    return out


MAGNIFYING = {"Exp", "Power", "Log", "Compose"}
ILL_CONDITIONED = {"Quantize", *MAGNIFYING}
#: Fields that hold values; every other number in a tree is a position or length in steps.
STEP_FIELDS = {"steps", "at", "period", "boundaries", "knots", "every", "steps_per_epoch", "timescale"}


def _require(condition: bool) -> None:
    assert condition, "a fixed tree must have an evaluator for every node"


def contains(s: sa.Schedule, names: set[str]) -> bool:
    """Whether a node of ``s`` is of a class named in ``names``."""
    if type(s).__name__ in names:
        return True
    for f in dataclasses.fields(s):  # type: ignore[arg-type]
        if f.init:
            v = getattr(s, f.name)
            for x in v if isinstance(v, tuple) else (v,):
                if isinstance(x, sa.Schedule) and contains(x, names):
                    return True
    return False


def covered(s: sa.Schedule) -> bool:
    """Whether every node of ``s`` has an array-library evaluator."""
    from schedalg import _xp

    if type(s) not in _xp.EVALUATORS:
        return False
    for f in dataclasses.fields(s):  # type: ignore[arg-type]
        if f.init:
            v = getattr(s, f.name)
            for x in v if isinstance(v, tuple) else (v,):
                if isinstance(x, sa.Schedule) and not covered(x):
                    return False
    return True


def float32_exact_offsets(s: sa.Schedule) -> bool:
    """Whether every position and length in ``s`` is an integer, with no ill-conditioned node.

    The float32 bound is stated for integer steps; a piece that starts at a
    fractional step has a local time float32 cannot hold (``t - 710490.17`` has
    an ulp of 2**-8 near 42000). And it is a bound on each node's own rounding:
    a node that magnifies the error of its input beyond it is excluded —
    ``quantize`` (a value may cross a rounding tie), ``exp`` and ``power`` (an
    absolute error ``d`` of the input is a relative one of ``|p| d / v`` or
    ``d`` of the output), ``log`` and ``compose`` (through the slope of ``s``).
    """
    if type(s).__name__ in ILL_CONDITIONED:
        return False
    for f in dataclasses.fields(s):  # type: ignore[arg-type]
        if not f.init:
            continue
        v = getattr(s, f.name)
        for x in v if isinstance(v, tuple) else (v,):
            if isinstance(x, sa.Schedule):
                if not float32_exact_offsets(x):
                    return False
            elif f.name in STEP_FIELDS and isinstance(x, float) and not x.is_integer():
                return False
    return True


def padded(steps: list[float]) -> np.ndarray:
    steps = [x for x in steps if x < 2**24][:N]
    return np.asarray(steps + [0.0] * (N - len(steps)), dtype=np.float64)


def reference(s: sa.Schedule, steps: np.ndarray) -> np.ndarray | None:
    """The numpy path at ``steps`` (float64), or None when it raises there."""
    try:
        return np.asarray(s(steps), dtype=np.float64)
    except (ValueError, OverflowError):
        return None


def violations(s: sa.Schedule, ref: np.ndarray, got: np.ndarray, *, float32: bool) -> list[tuple[int, float, float]]:
    """``(index, expected, got)`` wherever ``got`` breaks the contract."""
    got = np.asarray(got, dtype=np.float64)
    ok = np.isfinite(ref) & (np.abs(ref) < (3.4e38 if float32 else math.inf))
    if not ok.any():
        return []
    if s._integer:
        tol = np.zeros_like(ref)
    else:
        peak = max(float(np.max(np.abs(ref[ok]))), magnitude(s))
        if float32:
            ulp32 = np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
            tol = np.maximum(8 * ulp32, 4 * EPS32 * peak)
        else:
            tol = np.full_like(ref, 4 * np.spacing(peak))
    bad = ok & ~(np.abs(got - ref) <= tol)
    return [(int(i), float(ref[i]), float(got[i])) for i in np.flatnonzero(bad)[:5]]


def check(s: sa.Schedule, steps: np.ndarray, evaluate: Any, *, float32: bool, drawn: bool = True) -> None:
    """Assert that ``evaluate(s, steps)`` (a float64 numpy array back) meets the contract.

    Trees with a node the path does not cover are skipped (``hypothesis.assume``):
    ``test_xp`` checks that they raise ``TypeError`` naming the node.
    """
    from hypothesis import assume

    if drawn:
        assume(covered(s))
        # A function of computed values turns the few-ulp differences between
        # libraries' kernels (a numpy and a torch sine) into larger ones where its
        # input is small against the tree's scale: 1 / v, exp(v), log(v), s(c(t)).
        # Fixed trees (drawn=False) with such nodes are chosen well conditioned.
        assume(not contains(s, MAGNIFYING))
    else:
        _require(covered(s))
    if float32:
        steps = steps.astype(np.float32).astype(np.float64)
    ref = reference(s, steps)
    if ref is None:
        return
    got = evaluate(s, steps)
    assert got.shape == ref.shape
    bad = violations(s, ref, got, float32=float32)
    assert not bad, f"{s!r}: (index, expected, got) {bad} at steps {[steps[i] for i, _, _ in bad]}"
