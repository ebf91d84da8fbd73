"""The ``Schedule`` base class: call contract, step validation, operators, repr.

Every schedule is an immutable, slotted dataclass whose fields are exactly the
arguments of its public constructor (``warmup``, ``cosine``, ...). That one
convention gives structural ``==``/``hash``, pickling, ``repr`` as construction
code and the ``to_dict`` encoding, all generically.

A node implements two evaluation paths, both over *validated* steps:

* ``_at(t: float) -> float`` for one step, with plain Python floats and
  :mod:`schedalg._math` (never numpy arrays: a numpy call on one scalar costs
  microseconds);
* ``_fill(t: ndarray, out: ndarray) -> None`` for a 1-D float64 block: it
  writes the values at ``t`` into ``out`` (same length, often a view of the
  caller's output) and must not modify ``t``. Writing into the caller's
  buffer, rather than returning new arrays, spares a copy per level of the
  tree; ``_eval(t)`` is the allocating form for the few places that need one.

``Schedule.__call__`` validates the step, splits arrays into cache-sized blocks
and converts integer-valued schedules to ``int``/``int64``.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Sequence, Union, overload

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt
    from typing_extensions import Self

__all__ = ["Schedule", "node", "register", "CONSTRUCTORS"]

#: Steps evaluated per block by the array path (512 KiB of float64): small
#: enough that a block and its few temporaries stay in cache, large enough
#: that the per-block Python dispatch (~30 us for a two-level tree) is a few
#: percent of the work. Nodes write into the caller's output and conversion
#: goes through one reused buffer, so blocks allocate little.
BLOCK = 1 << 16

#: Public constructor name -> constructor, filled by :func:`register`. The text
#: and dict readers accept exactly these names.
CONSTRUCTORS: dict[str, Callable[..., Any]] = {}

Steps = Union[int, float, "npt.ArrayLike"]

#: The evaluator of steps that are arrays of another array library (DESIGN
#: principle 10), installed by :mod:`schedalg._xp` (a registry slot, so that
#: this module never imports it).
FOREIGN_EVALUATOR: list[Callable[[Any, Any], Any]] = []
#: Step types known to take the scalar or numpy paths. Seeded with the usual
#: ones so that it rarely changes: a compiled torch function guards on it.
_PLAIN_KINDS: set[type] = {list, tuple, range, bool, *{t for t in np.sctypeDict.values() if isinstance(t, type)}}


def _foreign(kind: type) -> bool:
    """Whether steps of type ``kind`` belong to another array library (numpy excluded)."""
    if issubclass(kind, (np.ndarray, np.generic)) or not (
        hasattr(kind, "__array_namespace__")
        or any(c.__name__ == "Tensor" and c.__module__.split(".")[0] == "torch" for c in kind.__mro__)
    ):
        _PLAIN_KINDS.add(kind)
        return False
    return True


def cached_field() -> Any:
    """A dataclass field for a value derived from the arguments at construction.

    Not an argument (``init=False``), not compared, not in ``repr``; set in
    ``__post_init__`` and recomputed on unpickling (nodes pickle by arguments).
    """
    return dataclasses.field(init=False, repr=False, compare=False)


def register(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Record ``fn`` as the public constructor called ``name``."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        CONSTRUCTORS[name] = fn
        return fn

    return deco


def node(name: str) -> Callable[[type], type]:
    """Class decorator for schedule nodes: a slotted dataclass named ``name``.

    ``name`` is the public constructor that builds the node; ``repr`` and
    ``to_dict`` use it. The dataclass machinery records the fields (so
    :func:`dataclasses.fields` works) and makes the slots; ``__init__``, ``==``,
    ``hash``, immutability and pickling are the generic ones of
    :class:`Schedule`, which spares generating code for each of the node
    classes when schedalg is imported.
    """

    def deco(cls: type) -> type:
        cls = dataclasses.dataclass(slots=True, init=False, repr=False, eq=False)(cls)
        args = [f for f in dataclasses.fields(cls) if f.init]
        cls._name = name  # type: ignore[attr-defined]
        cls._args = tuple(f.name for f in args)  # type: ignore[attr-defined]
        cls._defaults = {  # type: ignore[attr-defined]
            f.name: f.default for f in args if f.default is not dataclasses.MISSING
        }
        return cls

    return deco


def _format_value(v: Any) -> str:
    if isinstance(v, tuple):
        inner = ", ".join(_format_value(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    return repr(v)


class Schedule:
    """A training schedule: an immutable, pure function ``step -> value``.

    Call it with an ``int``, a ``float`` or an array-like of steps (``t >= 0``,
    finite). A Python scalar answers with a Python ``float`` (``int`` for
    integer-valued schedules such as :func:`~schedalg.quantize`); an array-like
    answers with a ``numpy.ndarray`` of the same shape, ``float64`` (``int64``).
    ``s(np.arange(n))`` equals ``[s(i) for i in range(n)]`` exactly.

    Schedules compare and hash structurally, pickle, and ``repr`` as the code
    that builds them (:func:`schedalg.parse` reads it back).

    >>> import schedalg as sa
    >>> s = sa.cosine(1.0, 0.0, 100).warmup(10)
    >>> s(10), s(60), s(1000)
    (1.0, 0.5, 0.0)
    >>> s([0, 5, 10])
    array([0. , 0.5, 1. ])
    """

    #: ``_integer``: whether the values are integers (answered as ``int`` and
    #: ``int64``), fixed at construction by :meth:`_is_integer`. ``__dict__``
    #: stays empty (``__setattr__`` refuses every name) but exists, because
    #: torch's ``LambdaLR.state_dict`` copies ``fn.__dict__`` of its callables;
    #: ``__weakref__`` because ``jax.jit`` weak-references the function it traces.
    __slots__ = ("_integer", "__dict__", "__weakref__")
    _integer: bool
    #: numpy defers to the operators below (``array + s`` raises TypeError
    #: instead of building an object array of schedules).
    __array_ufunc__ = None
    _name: ClassVar[str]
    _args: ClassVar[tuple[str, ...]]
    _defaults: ClassVar[dict[str, Any]]

    # -- value semantics (generic over the dataclass fields) ---------------------
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = self._args
        if len(args) > len(names):
            msg = f"{type(self).__name__}() takes {len(names)} arguments, got {len(args)}"
            raise TypeError(msg)
        setattr_ = object.__setattr__
        for name, value in zip(names, args):
            setattr_(self, name, value)
        for name in names[len(args) :]:
            if name in kwargs:
                value = kwargs.pop(name)
            elif name in self._defaults:
                value = self._defaults[name]
            else:
                msg = f"{type(self).__name__}() is missing the argument {name!r}"
                raise TypeError(msg)
            setattr_(self, name, value)
        if kwargs:
            msg = f"{type(self).__name__}() got unexpected or repeated arguments {sorted(kwargs)!r}"
            raise TypeError(msg)
        self.__post_init__()
        setattr_(self, "_integer", self._is_integer())

    def __post_init__(self) -> None:
        """Compute cached derived values (``init=False`` fields); none by default."""

    def _is_integer(self) -> bool:
        return False

    def _values(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self._args])

    def __eq__(self, other: object) -> bool:
        if other is self:
            return True
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __setattr__(self, name: str, value: Any) -> None:
        msg = f"schedules are immutable: cannot assign to field {name!r}"
        raise dataclasses.FrozenInstanceError(msg)

    def __delattr__(self, name: str) -> None:
        msg = f"schedules are immutable: cannot delete field {name!r}"
        raise dataclasses.FrozenInstanceError(msg)

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt through __init__, so cached derived values are recomputed
        # rather than pickled.
        return (type(self), self._values())

    # -- evaluation ---------------------------------------------------------------
    def _at(self, t: float) -> float:  # pragma: no cover - every node overrides
        raise NotImplementedError

    def _fill(self, t: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
        raise NotImplementedError

    def _eval(self, t: np.ndarray) -> np.ndarray:
        """The values at the steps ``t``, as a new array."""
        out = np.empty(t.shape)
        self._fill(t, out)
        return out

    @overload
    def __call__(self, t: int | float) -> float: ...
    @overload
    def __call__(self, t: npt.ArrayLike) -> np.ndarray: ...

    def __call__(self, t: Steps) -> Any:
        """Evaluate at step ``t`` (a number) or at every step of an array-like."""
        kind = type(t)
        if kind is int:
            if t < 0:  # type: ignore[operator]
                _bad_scalar(t)
            try:
                t = float(t)  # type: ignore[arg-type]
            except OverflowError:
                _int_step(t)  # type: ignore[arg-type]
        elif kind is float:
            if not 0.0 <= t < math.inf:  # type: ignore[operator]
                _bad_scalar(t)
        else:
            if kind is not np.ndarray and kind not in _PLAIN_KINDS and _foreign(kind):
                return FOREIGN_EVALUATOR[0](self, t)
            scalar = _coerce_scalar(t)
            if scalar is None:
                return self._call_array(t)
            t = scalar
        value = self._at(t)  # type: ignore[arg-type]
        if self._integer:
            if not -_INT64_LIMIT <= value < _INT64_LIMIT:
                _not_int64(value, t)
            return int(value)
        return value

    def _call_array(self, t: Any) -> np.ndarray:
        steps = _as_step_array(t)
        integer = self._integer
        out = np.empty(steps.shape, dtype=np.int64 if integer else np.float64)
        flat = steps.reshape(-1)
        out_flat = out.reshape(-1)
        n = flat.size
        # Integer schedules compute in a float buffer, checked, then cast.
        values = np.empty(min(n, BLOCK)) if integer else None
        # Steps that are not float64 are converted block by block into one
        # reused buffer.
        steps_f64 = np.empty(min(n, BLOCK)) if flat.dtype != np.float64 else None
        with np.errstate(all="ignore"):
            for i in range(0, n, BLOCK):
                block = flat[i : i + BLOCK]
                if steps_f64 is not None:
                    converted = steps_f64[: block.size]
                    converted[...] = block
                    block = converted
                if values is None:
                    self._fill(block, out_flat[i : i + BLOCK])
                    continue
                part = values[: block.size]
                self._fill(block, part)
                ok = (part >= -_INT64_LIMIT) & (part < _INT64_LIMIT)
                if not ok.all():
                    j = int(np.argmin(ok))
                    _not_int64(float(part[j]), float(block[j]))
                out_flat[i : i + BLOCK] = part
        return out

    # -- operators (DESIGN §3: sugar over named constructors) ---------------------
    def __add__(self, other: object) -> Schedule:
        return _arith("+", self, other)

    def __radd__(self, other: object) -> Schedule:
        return _arith("+", other, self)

    def __sub__(self, other: object) -> Schedule:
        return _arith("-", self, other)

    def __rsub__(self, other: object) -> Schedule:
        return _arith("-", other, self)

    def __mul__(self, other: object) -> Schedule:
        return _arith("*", self, other)

    def __rmul__(self, other: object) -> Schedule:
        return _arith("*", other, self)

    def __truediv__(self, other: object) -> Schedule:
        return _arith("/", self, other)

    def __rtruediv__(self, other: object) -> Schedule:
        return _arith("/", other, self)

    def __pow__(self, other: object, modulo: object = None) -> Schedule:
        # A number exponent only: the constructor is looked up in the registry
        # (the core imports one way; functions.py imports this module).
        if modulo is not None or not is_number(other):
            return NotImplemented
        return CONSTRUCTORS["power"](self, other)

    def __rpow__(self, other: object) -> Schedule:
        return NotImplemented  # a schedule is never an exponent

    def __neg__(self) -> Schedule:
        from . import combinators

        return combinators.scale(self, -1.0)

    def __pos__(self) -> Self:
        return self

    # -- combinators as methods ---------------------------------------------------
    def warmup(self, steps: float, start: float = 0.0, shape: str = "linear") -> Schedule:
        """``warmup(self, steps, start, shape)``; see :func:`schedalg.warmup`."""
        from . import combinators

        return combinators.warmup(self, steps, start=start, shape=shape)

    def cooldown(self, at: float, steps: float, end: float = 0.0, shape: str = "linear") -> Schedule:
        """``cooldown(self, at, steps, end, shape)``; see :func:`schedalg.cooldown`."""
        from . import combinators

        return combinators.cooldown(self, at, steps, end=end, shape=shape)

    def cyclical(self, period: float, period_mult: float = 1.0, decay: float = 1.0) -> Schedule:
        """``cyclical(self, ...)``; see :func:`schedalg.cyclical`."""
        from . import combinators

        return combinators.cyclical(self, period, period_mult=period_mult, decay=decay)

    def scale(self, k: float) -> Schedule:
        """``scale(self, k)``; see :func:`schedalg.scale`."""
        from . import combinators

        return combinators.scale(self, k)

    def invert(self, numerator: float = 1.0) -> Schedule:
        """``invert(self, numerator)``; see :func:`schedalg.invert`."""
        from . import combinators

        return combinators.invert(self, numerator)

    def quantize(
        self,
        multiple: int = 1,
        rounding: str = "half_even",
        low: int | None = None,
        high: int | None = None,
    ) -> Schedule:
        """``quantize(self, ...)``; see :func:`schedalg.quantize`."""
        from . import combinators

        return combinators.quantize(self, multiple, rounding=rounding, low=low, high=high)

    def shift(self, steps: float) -> Schedule:
        """``shift(self, steps)``; see :func:`schedalg.shift`."""
        from . import combinators

        return combinators.shift(self, steps)

    def delay(self, steps: float) -> Schedule:
        """``delay(self, steps)``; see :func:`schedalg.delay`."""
        from . import combinators

        return combinators.delay(self, steps)

    def stretch(self, factor: float) -> Schedule:
        """``stretch(self, factor)``; see :func:`schedalg.stretch`."""
        from . import combinators

        return combinators.stretch(self, factor)

    def per_epoch(self, steps_per_epoch: int) -> Schedule:
        """``per_epoch(self, steps_per_epoch)``; see :func:`schedalg.per_epoch`."""
        from . import combinators

        return combinators.per_epoch(self, steps_per_epoch)

    def clip(self, low: float | None = None, high: float | None = None) -> Schedule:
        """``clip(self, low, high)``; see :func:`schedalg.clip`."""
        from . import combinators

        return combinators.clip(self, low, high)

    # -- text -----------------------------------------------------------------------
    def __repr__(self) -> str:
        parts = []
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if not f.init:  # cached derived values are not arguments
                continue
            value = getattr(self, f.name)
            if f.default is dataclasses.MISSING:
                parts.append(_format_value(value))
            elif type(value) is not type(f.default) or _format_value(value) != _format_value(f.default):
                # Compared as text so that -0.0 is not taken for the default 0.0.
                parts.append(f"{f.name}={_format_value(value)}")
        return f"{self._name}({', '.join(parts)})"

    def to_dict(self) -> dict[str, Any]:
        """This schedule as JSON-safe data; see :func:`schedalg.to_dict`."""
        from .text import to_dict

        return to_dict(self)


# -- scalar steps ---------------------------------------------------------------------
_INT64_LIMIT = 2.0**63


def _not_int64(value: float, step: float) -> None:
    msg = f"this integer schedule's value {value!r} at step {step!r} is not an int64"
    raise ValueError(msg)


def _int_step(t: int) -> float:
    try:
        return float(t)
    except OverflowError:
        msg = f"step must be a finite number >= 0, got step={t} (too large for a float)"
        raise ValueError(msg) from None


def _bad_scalar(t: Any) -> None:
    msg = f"step must be a finite number >= 0, got step={t!r}"
    raise ValueError(msg)


def _coerce_scalar(t: Any) -> float | None:
    """Validate a scalar step that is not a plain int or float.

    Returns the step as a float, or ``None`` for array-likes.
    """
    if isinstance(t, bool) or isinstance(t, np.bool_):
        msg = f"step must be a number, not a bool, got step={t!r}"
        raise TypeError(msg)
    if isinstance(t, (np.integer, np.floating)) or (
        isinstance(t, numbers.Real) and not isinstance(t, (np.ndarray, np.generic))
    ):
        if isinstance(t, (np.integer, numbers.Integral)):
            if t < 0:
                _bad_scalar(t)
            return _int_step(int(t))
        value = float(t)
        if not 0.0 <= value < math.inf:
            _bad_scalar(t)
        return value
    if isinstance(t, (np.ndarray, list, tuple, range)) or hasattr(t, "__array__"):
        return None
    msg = f"step must be a number or an array-like of numbers, got {type(t).__name__}: {t!r}"
    raise TypeError(msg)


# -- array steps ----------------------------------------------------------------------
def _as_step_array(t: Any) -> np.ndarray:
    try:
        arr = np.asarray(t)
    except (ValueError, TypeError) as exc:
        msg = f"steps must be an array-like of numbers, got {type(t).__name__}: {exc}"
        raise TypeError(msg) from None
    kind = arr.dtype.kind
    if kind in "iuf" and isinstance(t, (list, tuple)):
        # numpy turns True into 1 in a list of numbers: look for bools first.
        objects = np.asarray(t, dtype=object)
        for idx, v in np.ndenumerate(objects):
            if isinstance(v, (bool, np.bool_)):
                msg = f"steps must be numbers, not bools, got steps[{_index(idx)}]={v!r}"
                raise TypeError(msg)
    if kind == "b":
        msg = "steps must be numbers, not bools, got an array of dtype bool"
        raise TypeError(msg)
    if kind == "O":
        for idx, v in np.ndenumerate(arr):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
                msg = f"steps must be numbers, got steps[{_index(idx)}]={v!r}"
                raise TypeError(msg)
            try:
                float(v)
            except OverflowError:
                msg = f"steps must be finite numbers >= 0, got steps[{_index(idx)}]={v!r} (too large for a float)"
                raise ValueError(msg) from None
        arr = arr.astype(np.float64)
        kind = "f"
    if kind not in "iuf":
        msg = f"steps must be real numbers, got an array of dtype {arr.dtype}"
        raise TypeError(msg)
    if arr.size == 0 or kind == "u":
        return arr
    if kind == "i":
        if arr.min() >= 0:
            return arr
        bad = arr < 0
    else:
        if arr.min() >= 0.0 and arr.max() < math.inf:
            return arr
        bad = ~((arr >= 0.0) & (arr < math.inf))
    idx = np.unravel_index(int(np.argmax(bad)), arr.shape)
    msg = f"steps must be finite numbers >= 0, got steps[{_index(idx)}]={arr[idx].item()!r}"
    raise ValueError(msg)


def _index(idx: tuple[int, ...]) -> str:
    return ", ".join(str(int(i)) for i in idx)


# -- piecewise evaluation ---------------------------------------------------------------
def cut(t: np.ndarray, edges: Sequence[float]) -> list[int] | None:
    """Where to cut ``t`` into contiguous runs, one per piece, or None.

    Piece ``i`` owns ``[edges[i-1], edges[i])`` (a boundary belongs to the
    piece on its right). The cuts are those of a sorted ``t``; they are then
    verified, with a min/max reduction per non-empty run against its piece's
    edges, so the answer is right for any ``t``: None when some run is not
    inside its piece (unsorted steps that cross an edge, or NaN). The list
    holds ``len(edges) + 1`` run ends, the last being ``t.size``.
    """
    n = t.size
    ends = [*np.searchsorted(t, edges, side="left").tolist(), n]
    lo = 0
    last = len(ends) - 1
    for i, hi in enumerate(ends):
        if hi > lo:
            run = t[lo:hi]
            if i > 0 and not run.min() >= edges[i - 1]:
                return None
            if i < last and not run.max() < edges[i]:
                return None
        lo = hi
    return ends


def piecewise(
    t: np.ndarray,
    out: np.ndarray,
    edges: Sequence[float],
    fill: Callable[[int, np.ndarray, np.ndarray], None],
) -> None:
    """Fill ``out`` with a piecewise function, each piece only on the steps it owns.

    Piece ``i`` owns ``[edges[i-1], edges[i])`` (with ``edges[-1] = -inf`` and
    ``edges[len(edges)] = +inf``): a boundary belongs to the piece on its
    right. ``fill(i, ts, dest)`` writes piece ``i``'s values at the steps
    ``ts`` (absolute steps; the piece applies its own offset) into ``dest``.
    Steps that fall in contiguous runs (sorted blocks, the usual case) are
    cut into views of ``t`` and ``out``, with no masks and no copies; others
    are gathered by mask.
    """
    if t.size == 0:
        return
    ends = cut(t, edges)
    if ends is not None:
        lo = 0
        for i, hi in enumerate(ends):
            if hi > lo:
                fill(i, t[lo:hi], out[lo:hi])
                lo = hi
        return
    which = np.searchsorted(np.asarray(edges, dtype=np.float64), t, side="right")
    for i in np.unique(which).tolist():
        mask = which == i
        part = np.empty(int(np.count_nonzero(mask)))
        fill(i, t[mask], part)
        out[mask] = part


# -- operators ------------------------------------------------------------------------
def is_number(x: object) -> bool:
    """A real number operand: int, float or numpy scalar, but not a bool."""
    return isinstance(x, (numbers.Real, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def _arith(op: str, a: object, b: object) -> Any:
    if not ((isinstance(a, Schedule) or is_number(a)) and (isinstance(b, Schedule) or is_number(b))):
        return NotImplemented
    from . import combinators

    return combinators.arith(op, a, b)
