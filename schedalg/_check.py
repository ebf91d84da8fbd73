"""Eager argument validation with messages that name the argument and its value."""

from __future__ import annotations

import math
import numbers
from typing import Any, Iterable

import numpy as np

from ._node import Schedule, short_repr

#: Largest magnitude at which every integer is exactly a float.
EXACT_INT = 2**53


#: Largest magnitude of an integer argument (int64, what an integer schedule answers).
INT64_MAX = 2**63 - 1
#: Types that numpy makes integers but that are not numbers of steps or values.
_NOT_NUMBERS = (bool, np.bool_, np.timedelta64, np.datetime64)


def _reject_type(name: str, value: Any, what: str) -> None:
    msg = f"{name} must be {what}, got {name}={short_repr(value)} ({type(value).__name__})"
    raise TypeError(msg)


def real(name: str, value: Any) -> float:
    """A finite real number, as a builtin float (bools and numpy times are rejected)."""
    if isinstance(value, _NOT_NUMBERS) or not isinstance(value, (numbers.Real, np.integer, np.floating)):
        _reject_type(name, value, "a real number")
    try:
        result = float(value)
    except OverflowError:
        result = math.inf
    if not math.isfinite(result):
        too_large = " (too large for a float)" if value == value and abs(value) < math.inf else ""
        msg = f"{name} must be a finite number, got {name}={short_repr(value)}{too_large}"
        raise ValueError(msg)
    return result


def positive(name: str, value: Any) -> float:
    result = real(name, value)
    if result <= 0.0:
        msg = f"{name} must be a positive number, got {name}={value!r}"
        raise ValueError(msg)
    return result


def nonnegative(name: str, value: Any) -> float:
    result = real(name, value)
    if result < 0.0:
        msg = f"{name} must be a number >= 0, got {name}={value!r}"
        raise ValueError(msg)
    return result


def duration(name: str, value: Any, *, allow_zero: bool = False) -> int | float:
    """A step count: finite, positive (or zero), kept as an int when integral.

    Integral floats become ints so that ``linear(0, 1, 100.0) == linear(0, 1, 100)``
    and both ``repr`` the same.
    """
    result = nonnegative(name, value) if allow_zero else positive(name, value)
    if result.is_integer() and abs(result) < EXACT_INT:
        return int(result)
    return result


def integer(name: str, value: Any, *, minimum: int | None = None) -> int:
    """An int64 integer (an integral float is accepted), at least ``minimum``, as a builtin int.

    Beyond int64 no integer schedule could answer it, and it would not read
    back as a number: refused.
    """
    if isinstance(value, _NOT_NUMBERS):
        _reject_type(name, value, "an integer")
    if isinstance(value, (numbers.Integral, np.integer)):
        result = int(value)
    elif isinstance(value, (numbers.Real, np.floating)) and math.isfinite(value) and float(value).is_integer():
        result = int(value)
    else:
        _reject_type(name, value, "an integer")
    if minimum is not None and result < minimum:
        msg = f"{name} must be an integer >= {minimum}, got {name}={short_repr(value)}"
        raise ValueError(msg)
    if abs(result) > INT64_MAX:
        msg = f"{name} must be an integer within int64 (|{name}| < 2**63), got {name}={short_repr(value)}"
        raise ValueError(msg)
    return result


def optional_real(name: str, value: Any) -> float | None:
    return None if value is None else real(name, value)


def choice(name: str, value: Any, options: Iterable[str]) -> str:
    """One of ``options``, as a builtin ``str`` (``np.str_`` and ``StrEnum`` values are plain text)."""
    options = tuple(options)
    if not isinstance(value, str) or value not in options:
        allowed = ", ".join(repr(o) for o in options)
        msg = f"{name} must be one of {allowed}, got {name}={short_repr(value)}"
        raise ValueError(msg)
    return str.__str__(value)


def schedule(name: str, value: Any) -> Schedule:
    if not isinstance(value, Schedule):
        _reject_type(name, value, "a Schedule")
    return value


def increasing(name: str, values: Any, *, strict: bool = True, minimum: float | None = 0.0) -> tuple[int | float, ...]:
    """A sequence of step positions, sorted, each finite (and >= ``minimum``)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        _reject_type(name, values, "a sequence of numbers")
    items = tuple(values)
    result = tuple(duration(f"{name}[{i}]", v, allow_zero=True) if minimum == 0.0 else real(f"{name}[{i}]", v) for i, v in enumerate(items))
    for i in range(1, len(result)):
        if result[i] < result[i - 1] or (strict and result[i] == result[i - 1]):
            order = "strictly increasing" if strict else "sorted"
            msg = f"{name} must be {order}, got {name}[{i - 1}]={result[i - 1]!r} and {name}[{i}]={result[i]!r}"
            raise ValueError(msg)
    return result


def reals(name: str, values: Any) -> tuple[float, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        _reject_type(name, values, "a sequence of numbers")
    return tuple(real(f"{name}[{i}]", v) for i, v in enumerate(values))
