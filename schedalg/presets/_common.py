"""Validation helpers shared by the preset modules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


def _pieces(schedulers: Any) -> list[Any]:
    """The checked schedules (at least one) of a sequential or chained scheduler."""
    if isinstance(schedulers, (str, bytes)) or not isinstance(schedulers, Iterable):
        msg = f"schedulers must be a sequence of schedules, got schedulers={schedulers!r}"
        raise TypeError(msg)
    pieces = [_check.schedule(f"schedulers[{i}]", s) for i, s in enumerate(schedulers)]
    if not pieces:
        msg = "schedulers must hold at least one schedule, got schedulers=[]"
        raise ValueError(msg)
    return pieces


def _pieces_and_milestones(schedulers: Any, milestones: Any, minimum: int) -> tuple[list[Any], list[int]]:
    """The checked pieces and sorted milestones (each ``>= minimum``) of a sequential scheduler."""
    pieces = _pieces(schedulers)
    if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Iterable):
        msg = f"milestones must be a sequence of integers, got milestones={milestones!r}"
        raise TypeError(msg)
    marks = [_count(f"milestones[{i}]", m, minimum=minimum) for i, m in enumerate(milestones)]
    if len(marks) != len(pieces) - 1:
        msg = (
            f"milestones must hold len(schedulers) - 1 = {len(pieces) - 1} steps, "
            f"got {len(marks)}: milestones={list(milestones)!r}"
        )
        raise ValueError(msg)
    for i in range(1, len(marks)):
        if marks[i] < marks[i - 1]:
            msg = f"milestones must be sorted, got milestones[{i - 1}]={marks[i - 1]!r} and milestones[{i}]={marks[i]!r}"
            raise ValueError(msg)
    return pieces, marks
