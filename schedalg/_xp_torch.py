"""Torch's own operations, as the array namespace the evaluators of :mod:`schedalg._xp` use.

Imported only when a schedule is first called with a torch tensor. Each function
is the torch operation of the array-API function of the same name, for the
arguments the evaluators pass (arrays of one dtype, Python numbers, ``None``
bounds); three helpers do the table work of :class:`schedalg._xp.Ctx`
(:func:`table`, :func:`search_right`, :func:`take1d`). :data:`FUNCTIONS` are those
a recorded program may call (:func:`schedalg._xp.evaluate_torch`).

Plain torch calls, not ``array_api_compat.torch``: under ``torch.compile`` every
module-level name a traced function reads is a guard checked on each call, and
the compatibility layer's promotion tables and dtype sets come to hundreds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from ._xp import _MAX_TABLES, _TORCH_TABLES

__all__ = ["FUNCTIONS"]

finfo = torch.finfo
iinfo = torch.iinfo
#: Constants a recorded program may hold besides numbers, strings and None.
HOST_TYPES = (torch.dtype, torch.device)
float32 = torch.float32

_INTEGRAL = frozenset(
    {torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8, torch.uint16, torch.uint32, torch.uint64}
)


def isdtype(dtype: Any, kind: Any) -> bool:
    """``dtype`` is of ``kind``: ``"bool"``, ``"integral"``, ``"real floating"`` or a tuple of them."""
    if isinstance(kind, tuple):
        return any(isdtype(dtype, k) for k in kind)
    if kind == "bool":
        return dtype == torch.bool
    if kind == "integral":
        return dtype in _INTEGRAL
    if kind == "real floating":
        return dtype.is_floating_point
    return kind == "complex floating" and dtype.is_complex


def default_dtypes() -> tuple[Any, Any]:
    """The default float and integer dtypes: ``torch.get_default_dtype()`` and ``int64``."""
    return torch.get_default_dtype(), torch.int64


# -- elementwise -----------------------------------------------------------------------------------
def where(condition: Any, x1: Any, x2: Any) -> Any:
    return torch.where(condition, x1, x2)


def clip(x: Any, min: float | None = None, max: float | None = None) -> Any:
    """``clamp`` with ``None`` for a missing bound; a NaN bound gives NaN (``clamp`` would ignore it)."""
    if min is None and max is None:
        return x
    if (min is not None and math.isnan(min)) or (max is not None and math.isnan(max)):
        return torch.full_like(x, math.nan)
    return torch.clamp(x, min, max)


def astype(x: Any, dtype: Any) -> Any:
    return x.to(dtype)


def full_like(x: Any, value: float) -> Any:
    return torch.full_like(x, value)


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    return torch.broadcast_to(x, shape)


def floor(x: Any) -> Any:
    return torch.floor(x)


def ceil(x: Any) -> Any:
    return torch.ceil(x)


def round(x: Any) -> Any:
    return torch.round(x)


def abs(x: Any) -> Any:
    return torch.abs(x)


def sin(x: Any) -> Any:
    return torch.sin(x)


def cos(x: Any) -> Any:
    return torch.cos(x)


def tanh(x: Any) -> Any:
    return torch.tanh(x)


def exp(x: Any) -> Any:
    return torch.exp(x)


def expm1(x: Any) -> Any:
    return torch.expm1(x)


def log(x: Any) -> Any:
    return torch.log(x)


def log1p(x: Any) -> Any:
    return torch.log1p(x)


def sqrt(x: Any) -> Any:
    return torch.sqrt(x)


def pow(x1: Any, x2: Any) -> Any:
    return torch.pow(x1, x2)


def remainder(x1: Any, x2: Any) -> Any:
    return torch.remainder(x1, x2)


def minimum(x1: Any, x2: Any) -> Any:
    return torch.minimum(x1, x2)


def maximum(x1: Any, x2: Any) -> Any:
    return torch.maximum(x1, x2)


# -- tables ----------------------------------------------------------------------------------------
def table(items: tuple[float, ...] | tuple[int, ...], dtype: Any, device: Any) -> Any:
    """A 1-D tensor of the host numbers ``items`` (floats, or ints for an integer ``dtype``) on ``device``.

    Eager calls keep the tables they made, so that a later call, e.g. one
    captured into a CUDA graph, copies nothing from the host. Under
    ``torch.compile`` they are constants of the graph.
    """
    if torch.compiler.is_compiling():
        return torch.asarray(items, dtype=dtype, device=device)
    key = (items, dtype, device)
    found = _TORCH_TABLES.get(key)
    if found is None:
        if len(_TORCH_TABLES) >= _MAX_TABLES:
            _TORCH_TABLES.clear()
        found = _TORCH_TABLES[key] = torch.asarray(items, dtype=dtype, device=device)
    return found


def search_right(table: Any, t: Any) -> Any:
    """``searchsorted(table, t, side="right")``: how many entries are ``<= t``."""
    return torch.searchsorted(table, t.contiguous(), right=True)


def take1d(table: Any, index: Any) -> Any:
    """``table[index]`` for an integer tensor ``index`` of any shape.

    A gather along a 1-D index: a 0-d index tensor would read as a
    data-dependent Python int under ``torch.compile``.
    """
    return table.index_select(0, index.reshape(-1)).reshape(index.shape)


# -- programs --------------------------------------------------------------------------------------
#: The functions a recorded program may call (other instructions are tensor methods).
FUNCTIONS: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        where,
        clip,
        astype,
        full_like,
        broadcast_to,
        floor,
        ceil,
        round,
        abs,
        sin,
        cos,
        tanh,
        exp,
        expm1,
        log,
        log1p,
        sqrt,
        pow,
        remainder,
        minimum,
        maximum,
        table,
        search_right,
        take1d,
    )
}

