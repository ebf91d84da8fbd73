"""Validation helpers shared by the preset modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import _check

#: Every step a float can represent exactly lies below this; cycle tables stop here.
_EXACT_STEPS = float(2**53)


def _count(name: str, value: Any, minimum: int = 1) -> int:
    """An integer step count, at least ``minimum`` (torch's ``int`` arguments)."""
    return _check.integer(name, value, minimum=minimum)


def _gamma(value: Any) -> float:
    return _check.positive("gamma", value)


def _callable(name: str, fn: Any) -> Callable[[Any], Any]:
    if not callable(fn):
        msg = f"{name} must be callable, got {name}={fn!r}"
        raise TypeError(msg)
    return fn


def _fraction(name: str, value: Any, lo: float, hi: float, *, lo_open: bool = False) -> float:
    x = _check.real(name, value)
    if x > hi or x < lo or (lo_open and x == lo):
        bracket = "(" if lo_open else "["
        msg = f"{name} must be in {bracket}{lo:g}, {hi:g}], got {name}={value!r}"
        raise ValueError(msg)
    return x
