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

__all__ = ["Schedule", "node", "register", "CONSTRUCTORS", "NODES", "MAX_DEPTH", "MAX_ITEMS", "to_dict"]

#: Steps evaluated per block by the array path (512 KiB of float64): small
#: enough that a block and its few temporaries stay in cache, large enough
#: that the per-block Python dispatch (~30 us for a two-level tree) is a few
#: percent of the work. Nodes write into the caller's output and conversion
#: goes through one reused buffer, so blocks allocate little.
BLOCK = 1 << 16

#: Public constructor name -> constructor, filled by :func:`register`. The text
#: and dict readers accept exactly these names, and the methods and operators
#: of :class:`Schedule` reach the combinators through it (the core imports in
#: one direction: ``_node`` never imports the modules that build on it).
CONSTRUCTORS: dict[str, Callable[..., Any]] = {}
#: Node name -> node class, filled by :func:`node`: how the simplification
#: rules build and recognise nodes without importing the modules defining them.
NODES: dict[str, type] = {}

#: Deepest nesting of schedules, counted as nodes on the longest root-to-leaf
#: path. Construction refuses deeper trees, so evaluation, ``==``, ``hash``,
#: pickling, ``repr`` and :func:`to_dict` never recurse further, and the text
#: and data readers accept every tree that can be built.
MAX_DEPTH = 64
#: Largest data form of a schedule: the values, keys and string characters of
#: its :func:`to_dict` (see :func:`data_cost`). Construction refuses larger
#: trees, and :func:`schedalg.from_dict` reads up to this many.
MAX_ITEMS = 250_000

#: Constructors whose nodes have no data or text form, with the reason.
NOT_SERIALIZABLE = {
    "from_fn": "from_fn schedules wrap a Python callable and cannot be serialized",
}

Steps = Union[int, float, "npt.ArrayLike"]


def foreign_evaluator(s: Any, t: Any) -> Any:  # pragma: no cover - replaced on import
    """The evaluation of steps that are arrays of another array library (DESIGN principle 10).

    A slot, as :func:`torch_evaluator` (for torch tensors): :mod:`schedalg._xp`
    assigns its evaluators here when imported, so that this module never
    imports it.
    """
    raise NotImplementedError


def torch_evaluator(s: Any, t: Any) -> Any:  # pragma: no cover - replaced on import
    """The evaluation of steps that are torch tensors (see :func:`foreign_evaluator`)."""
    raise NotImplementedError


#: Step types known to take the scalar or numpy paths. Seeded with the usual ones.
_PLAIN_KINDS: set[type] = {
    np.ndarray,
    list,
    tuple,
    range,
    bool,
    *{t for t in np.sctypeDict.values() if isinstance(t, type)},
}


def _foreign(kind: type) -> int:
    """Whether steps of type ``kind`` belong to another array library (numpy excluded).

    0: no (a number or an array-like for numpy); 1: a torch tensor; 2: another
    library's array.
    """
    if kind in _PLAIN_KINDS:
        return 0
    if any(c.__name__ == "Tensor" and c.__module__.split(".")[0] == "torch" for c in kind.__mro__):
        return 1
    if issubclass(kind, (np.ndarray, np.generic)) or not hasattr(kind, "__array_namespace__"):
        _PLAIN_KINDS.add(kind)
        return 0
    return 2


# What torch._dynamo.assume_constant_result sets: torch.compile calls _foreign once
# while tracing and keeps the answer (a function of the step's type, which the
# compiled function guards anyway), instead of tracing the set lookup above, a
# guard on every member of the set, checked on each call.
_foreign._dynamo_marked_constant = True  # type: ignore[attr-defined]


def cached_field() -> Any:
    """A dataclass field for a value derived from the arguments at construction.

    Not an argument (``init=False``), not compared, not in ``repr``; set in
    ``__post_init__`` and recomputed on unpickling (nodes pickle by arguments).
    """
    return dataclasses.field(init=False, repr=False, compare=False)


def register(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Record ``fn`` as the public constructor called ``name``.

    A constructor's ``*args`` parameter (``minimum(a, b, *more)``) is a field
    of the node holding a tuple, written positionally by ``repr`` and as a
    list under its name by :func:`to_dict` (left out when empty).
    """

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
        cls._cost = 2 + len(name)  # type: ignore[attr-defined]  # the dict, its "type" key and name
        NODES[name] = cls
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

    Values follow IEEE arithmetic: a value that overflows is ``inf`` (or
    ``-inf``), and ``0 * inf`` is NaN, in both paths alike; only
    integer-valued schedules, which cannot answer an infinity, raise
    ``ValueError`` (as do a division by zero and steps that are not valid).

    Schedules compare and hash structurally, pickle (through their public
    constructor, so a pickle is validated again), and ``repr`` as the code
    that builds them (:func:`schedalg.parse` reads it back). Construction
    refuses trees nested deeper than ``MAX_DEPTH`` (64) or larger than
    ``MAX_ITEMS`` (250,000 items of data), so every schedule writes and
    reads back; chains of ``+ -``, of ``* /`` and of ``minimum``/``maximum``
    are one node, however long.

    >>> import schedalg as sa
    >>> s = sa.cosine(1.0, 0.0, 100).warmup(10)
    >>> s(10), s(60), s(1000)
    (1.0, 0.5, 0.0)
    >>> s([0, 5, 10])
    array([0. , 0.5, 1. ])
    """

    #: ``_integer``: whether the values are integers (answered as ``int`` and
    #: ``int64``), fixed at construction by :meth:`_is_integer`. ``_depth`` and
    #: ``_items``: the nesting depth and the size of the data form, measured
    #: at construction (:data:`MAX_DEPTH`, :data:`MAX_ITEMS`). ``_hash``: the
    #: hash, computed on first use. ``__dict__``
    #: stays empty (``__setattr__`` refuses every name) but exists, because
    #: torch's ``LambdaLR.state_dict`` copies ``fn.__dict__`` of its callables;
    #: ``__weakref__`` because ``jax.jit`` weak-references the function it traces.
    __slots__ = ("_integer", "_depth", "_items", "_hash", "__dict__", "__weakref__")
    _integer: bool
    _depth: int
    _items: int
    #: numpy defers to the operators below (``array + s`` raises TypeError
    #: instead of building an object array of schedules).
    __array_ufunc__ = None
    _name: ClassVar[str]
    _args: ClassVar[tuple[str, ...]]
    _defaults: ClassVar[dict[str, Any]]
    _cost: ClassVar[int]
    #: The field holding a constructor's ``*args`` (a tuple), if any.
    _varargs: ClassVar[str | None] = None

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
        depth, items = self._measure()
        self._finish(depth, items, None)

    def _measure(self) -> tuple[int, int]:
        """``(depth, items)`` of this node: see :data:`MAX_DEPTH` and :func:`data_cost`."""
        depth = 0
        items = self._cost
        varargs = self._varargs
        for name in self._args:
            value = getattr(self, name)
            if isinstance(value, Schedule):
                items += 1 + value._items
                if value._depth > depth:
                    depth = value._depth
            elif type(value) is tuple:
                if name == varargs and not value:
                    continue  # to_dict leaves an empty *args out
                items += 2
                for x in value:
                    if isinstance(x, Schedule):
                        items += x._items
                        if x._depth > depth:
                            depth = x._depth
                    else:
                        items += _value_cost(x)
            else:
                items += 1 + _value_cost(value)
        return depth + 1, items

    def _finish(self, depth: int, items: int, integer: bool | None) -> None:
        """Check the limits, then compute derived values (all fields are set)."""
        if depth > MAX_DEPTH:
            msg = (
                f"{self._name}: schedules may be nested at most {MAX_DEPTH} levels deep (so that "
                f"repr, to_dict, pickle and evaluation never recurse further), got {depth} levels"
            )
            raise ValueError(msg)
        if items > MAX_ITEMS:
            msg = (
                f"{self._name}: a schedule may hold at most {MAX_ITEMS} items (the numbers, keys "
                f"and characters of its to_dict, which from_dict reads back), got {items}"
            )
            raise ValueError(msg)
        setattr_ = object.__setattr__
        setattr_(self, "_depth", depth)
        setattr_(self, "_items", items)
        setattr_(self, "_hash", None)
        self.__post_init__()
        setattr_(self, "_integer", self._is_integer() if integer is None else integer)

    def _derived(self, values: dict[str, Any], depth: int, items: int, integer: bool | None = None) -> Self:
        """A node of this type with the fields ``values`` and a known measure.

        For n-ary nodes that grow by one operand: measuring the new node
        field by field would cost as much as the whole tuple each time.
        """
        new = object.__new__(type(self))
        setattr_ = object.__setattr__
        for name in self._args:
            setattr_(new, name, values[name])
        new._finish(depth, items, integer)
        return new

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
        mine = self._values()
        theirs = other._values()  # type: ignore[attr-defined]
        # 0.0 == -0.0, but constant(0.0) and constant(-0.0) are different schedules.
        return mine == theirs and _zero_signs(mine) == _zero_signs(theirs)

    def __hash__(self) -> int:
        # Cached: a tree that shares subtrees hashes each of them once.
        h = self._hash
        if h is None:
            h = hash(self._values())
            object.__setattr__(self, "_hash", h)
        return h

    def __setattr__(self, name: str, value: Any) -> None:
        msg = f"schedules are immutable: cannot assign to field {name!r}"
        raise dataclasses.FrozenInstanceError(msg)

    def __delattr__(self, name: str) -> None:
        msg = f"schedules are immutable: cannot delete field {name!r}"
        raise dataclasses.FrozenInstanceError(msg)

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt through the public constructor, by name: the arguments are
        # validated again (a pickle never yields a node that the constructor
        # would refuse) and cached derived values are recomputed, not pickled.
        return (_rebuild, (self._name, self._positional()))

    def _positional(self) -> tuple[Any, ...]:
        """The constructor's positional arguments: the fields, ``*args`` unpacked."""
        values = self._values()
        if self._varargs is None:
            return values
        return (*values[:-1], *values[-1])

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
            route = _foreign(kind)
            if route:
                return torch_evaluator(self, t) if route == 1 else foreign_evaluator(self, t)
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
        """``self + other``: the pointwise sum; a number acts as a constant schedule."""
        return _arith("+", self, other)

    def __radd__(self, other: object) -> Schedule:
        """``other + self``: the pointwise sum."""
        return _arith("+", other, self)

    def __sub__(self, other: object) -> Schedule:
        """``self - other``: the pointwise difference."""
        return _arith("-", self, other)

    def __rsub__(self, other: object) -> Schedule:
        """``other - self``: the pointwise difference."""
        return _arith("-", other, self)

    def __mul__(self, other: object) -> Schedule:
        """``self * other``: the pointwise product (``scale`` for a number)."""
        return _arith("*", self, other)

    def __rmul__(self, other: object) -> Schedule:
        """``other * self``: the pointwise product."""
        return _arith("*", other, self)

    def __truediv__(self, other: object) -> Schedule:
        """``self / other``: the pointwise quotient (``ZeroDivisionError`` for ``/ 0``)."""
        return _arith("/", self, other)

    def __rtruediv__(self, other: object) -> Schedule:
        """``other / self``: the pointwise quotient (``invert`` for a number)."""
        return _arith("/", other, self)

    def __pow__(self, other: object, modulo: object = None) -> Schedule:
        """``self ** p`` for a number ``p``: :func:`schedalg.power`."""
        # A number exponent only: the constructor is looked up in the registry
        # (the core imports one way; functions.py imports this module).
        if modulo is not None or not is_number(other):
            return NotImplemented
        return CONSTRUCTORS["power"](self, other)

    def __rpow__(self, other: object) -> Schedule:
        """A schedule is never an exponent: ``NotImplemented``."""
        return NotImplemented  # a schedule is never an exponent

    def __neg__(self) -> Schedule:
        """``-self``: ``scale(self, -1)``."""
        return CONSTRUCTORS["scale"](self, -1.0)

    def __pos__(self) -> Self:
        """``+self``: ``self``."""
        return self

    # -- combinators as methods ---------------------------------------------------

    def warmup(self, steps: float, start: float = 0.0, shape: str = "linear") -> Schedule:
        """``warmup(self, steps, start, shape)``; see :func:`schedalg.warmup`."""
        return CONSTRUCTORS["warmup"](self, steps, start=start, shape=shape)

    def cooldown(self, at: float, steps: float, end: float = 0.0, shape: str = "linear") -> Schedule:
        """``cooldown(self, at, steps, end, shape)``; see :func:`schedalg.cooldown`."""
        return CONSTRUCTORS["cooldown"](self, at, steps, end=end, shape=shape)

    def cyclical(self, period: float, period_mult: float = 1.0, decay: float = 1.0) -> Schedule:
        """``cyclical(self, ...)``; see :func:`schedalg.cyclical`."""
        return CONSTRUCTORS["cyclical"](self, period, period_mult=period_mult, decay=decay)

    def scale(self, k: float) -> Schedule:
        """``scale(self, k)``; see :func:`schedalg.scale`."""
        return CONSTRUCTORS["scale"](self, k)

    def invert(self, numerator: float = 1.0) -> Schedule:
        """``invert(self, numerator)``; see :func:`schedalg.invert`."""
        return CONSTRUCTORS["invert"](self, numerator)

    def quantize(
        self,
        multiple: int = 1,
        rounding: str = "half_even",
        low: int | None = None,
        high: int | None = None,
    ) -> Schedule:
        """``quantize(self, ...)``; see :func:`schedalg.quantize`."""
        return CONSTRUCTORS["quantize"](self, multiple, rounding=rounding, low=low, high=high)

    def shift(self, steps: float) -> Schedule:
        """``shift(self, steps)``; see :func:`schedalg.shift`."""
        return CONSTRUCTORS["shift"](self, steps)

    def delay(self, steps: float) -> Schedule:
        """``delay(self, steps)``; see :func:`schedalg.delay`."""
        return CONSTRUCTORS["delay"](self, steps)

    def stretch(self, factor: float) -> Schedule:
        """``stretch(self, factor)``; see :func:`schedalg.stretch`."""
        return CONSTRUCTORS["stretch"](self, factor)

    def per_epoch(self, steps_per_epoch: int) -> Schedule:
        """``per_epoch(self, steps_per_epoch)``; see :func:`schedalg.per_epoch`."""
        return CONSTRUCTORS["per_epoch"](self, steps_per_epoch)

    def clip(self, low: float | None = None, high: float | None = None) -> Schedule:
        """``clip(self, low, high)``; see :func:`schedalg.clip`."""
        return CONSTRUCTORS["clip"](self, low, high)

    # -- text -----------------------------------------------------------------------

    def __repr__(self) -> str:
        parts = []
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if not f.init:  # cached derived values are not arguments
                continue
            value = getattr(self, f.name)
            if f.name == self._varargs:
                parts.extend(_format_value(x) for x in value)
            elif f.default is dataclasses.MISSING:
                parts.append(_format_value(value))
            elif type(value) is not type(f.default) or _format_value(value) != _format_value(f.default):
                # Compared as text so that -0.0 is not taken for the default 0.0.
                parts.append(f"{f.name}={_format_value(value)}")
        return f"{self._name}({', '.join(parts)})"

    def to_dict(self) -> dict[str, Any]:
        """This schedule as JSON-safe data; see :func:`schedalg.to_dict`."""
        return to_dict(self)


def _value_cost(value: Any) -> int:
    """Items of a non-schedule value in the data form: 1, plus a string's characters."""
    return 1 + len(value) if type(value) is str else 1


def _zero_signs(values: tuple[Any, ...]) -> tuple[bool, ...]:
    """The sign bits of the float zeros among ``values`` (and inside their tuples)."""
    signs = []
    for v in values:
        if type(v) is float:
            if v == 0.0:
                signs.append(math.copysign(1.0, v) < 0.0)
        elif type(v) is tuple:
            signs.extend(math.copysign(1.0, x) < 0.0 for x in v if type(x) is float and x == 0.0)
    return tuple(signs)


# -- data form --------------------------------------------------------------------------
def to_dict(s: Schedule) -> dict[str, Any]:
    """A schedule as JSON-safe data: ``{"type": name, **arguments}``.

    ``name`` is the public constructor and the arguments are all of its
    parameters, defaults included (a constructor's ``*args``, such as the
    operands of ``minimum(a, b, *more)``, is a list under its name, left out
    when empty). Schedules nest as dicts, tuples become lists, and numbers,
    strings, bools and ``None`` stay as they are (ints stay ints), so
    ``json.dumps(to_dict(s), allow_nan=False)`` always works and
    :func:`~schedalg.from_dict` reads it back: ``from_dict(to_dict(s)) == s``.
    Every schedule that can be built is within the readers' limits
    (:data:`MAX_DEPTH`, :data:`MAX_ITEMS`): construction refuses larger ones.

    Args:
        s: the schedule.

    Returns:
        A new dict of plain dicts, lists, strings, ints, floats, bools and ``None``.

    Raises:
        TypeError: ``s`` is not a schedule.
        ValueError: ``s`` contains a ``from_fn`` node (a Python callable has
            no data form).

    >>> import schedalg as sa
    >>> sa.to_dict(sa.warmup(sa.cosine(1.0, 0.0, 90), 10))  # doctest: +NORMALIZE_WHITESPACE
    {'type': 'warmup', 's': {'type': 'cosine', 'start': 1.0, 'end': 0.0, 'steps': 90},
     'steps': 10, 'start': 0.0, 'shape': 'linear'}
    >>> sa.to_dict(sa.linear(0.0, 1.0, 10) + 1)  # doctest: +NORMALIZE_WHITESPACE
    {'type': 'arith', 'op': '+',
     'a': {'type': 'linear', 'start': 0.0, 'end': 1.0, 'steps': 10}, 'b': 1.0}
    >>> sa.to_dict(sa.from_fn(abs))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: from_fn schedules wrap a Python callable and cannot be serialized (at $); ...
    """
    if not isinstance(s, Schedule):
        msg = f"to_dict expects a Schedule, got {type(s).__name__}"
        raise TypeError(msg)
    return _node_to_dict(s, "$")


def _node_to_dict(s: Schedule, path: str) -> dict[str, Any]:
    name = s._name
    if name in NOT_SERIALIZABLE:
        msg = f"{NOT_SERIALIZABLE[name]} (at {path}); build the schedule from the other constructors to save it"
        raise ValueError(msg)
    if name not in CONSTRUCTORS:
        msg = f"cannot serialize {type(s).__name__} (at {path}): it is not a registered schedalg node"
        raise ValueError(msg)
    out: dict[str, Any] = {"type": name}
    for field, value in zip(s._args, s._values()):
        if field == s._varargs and not value:
            continue
        out[field] = _value_to_data(value, f"{path}.{field}")
    return out


def _value_to_data(v: Any, path: str) -> Any:
    # Constructors normalize their arguments to builtins; only schedules,
    # tuples and builtin scalars occur.
    if isinstance(v, Schedule):
        return _node_to_dict(v, path)
    if type(v) is tuple:
        return [_value_to_data(x, f"{path}[{i}]") for i, x in enumerate(v)]
    if v is None or type(v) in (bool, str, int, float):
        return v
    msg = f"cannot serialize a value of type {type(v).__name__} (at {path})"
    raise ValueError(msg)


# -- scalar steps ---------------------------------------------------------------------
_INT64_LIMIT = 2.0**63


def _not_int64(value: float, step: float) -> None:
    msg = f"this integer schedule's value {value!r} at step {step!r} is not an int64"
    raise ValueError(msg)


def _int_step(t: int) -> float:
    try:
        return float(t)
    except OverflowError:
        msg = f"step must be a number >= 0 that a float can hold, got step={short_repr(t)} (too large for a float)"
        raise ValueError(msg) from None


def short_repr(value: Any, limit: int = 80) -> str:
    """``repr(value)``, but an int of thousands of digits as its size, and long text cut."""
    if isinstance(value, int) and value.bit_length() > 128:
        return f"an integer of {value.bit_length()} bits"
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _bad_scalar(t: Any) -> None:
    msg = f"step must be a finite number >= 0, got step={short_repr(t)}"
    raise ValueError(msg)


#: numpy's time types are integer subclasses, but a duration is not a step count.
_TIME_TYPES = (np.timedelta64, np.datetime64)


def _is_boolish(v: Any) -> bool:
    """A bool, or a 0-d array (numpy, torch, ...) of booleans."""
    if isinstance(v, (bool, np.bool_)):
        return True
    return str(getattr(v, "dtype", "")) in ("bool", "torch.bool")


def _coerce_scalar(t: Any) -> float | None:
    """Validate a scalar step that is not a plain int or float.

    Returns the step as a float, or ``None`` for array-likes.
    """
    if isinstance(t, bool) or isinstance(t, np.bool_):
        msg = f"step must be a number, not a bool, got step={t!r}"
        raise TypeError(msg)
    if isinstance(t, _TIME_TYPES):
        msg = f"step must be a number, not a {type(t).__name__}, got step={t!r}"
        raise TypeError(msg)
    if isinstance(t, (np.integer, np.floating)) or (
        isinstance(t, numbers.Real) and not isinstance(t, (np.ndarray, np.generic))
    ):
        if isinstance(t, (np.integer, numbers.Integral)):
            if t < 0:
                _bad_scalar(t)
            return _int_step(int(t))
        try:
            value = float(t)
        except OverflowError:  # a Fraction or Decimal beyond the floats
            value = math.inf if t > 0 else -math.inf
        if not 0.0 <= value < math.inf:
            if value == math.inf and t == t and t < math.inf:  # finite, but not as a float
                msg = f"step must be a number >= 0 that a float can hold, got step={short_repr(t)} (too large for a float)"
                raise ValueError(msg)
            _bad_scalar(t)
        return value
    if isinstance(t, (np.ndarray, list, tuple, range)) or hasattr(t, "__array__"):
        return None
    msg = f"step must be a number or an array-like of numbers, got {type(t).__name__}: {short_repr(t)}"
    raise TypeError(msg)


# -- array steps ----------------------------------------------------------------------
def _as_step_array(t: Any) -> np.ndarray:
    mask = getattr(t, "mask", None) if isinstance(t, np.ndarray) else None
    if mask is not None and np.any(mask):
        idx = np.unravel_index(int(np.argmax(np.broadcast_to(mask, t.shape))), t.shape)
        msg = f"steps must all have a value, got a masked array with steps[{_index(idx)}] masked"
        raise ValueError(msg)
    try:
        arr = np.asarray(t)
    except (ValueError, TypeError, RuntimeError) as exc:
        # RuntimeError: torch refuses .numpy() on a tensor that requires grad.
        msg = f"steps must be an array-like of numbers, got {type(t).__name__}: {exc}"
        raise TypeError(msg) from None
    kind = arr.dtype.kind
    if kind in "iuf" and isinstance(t, (list, tuple)):
        # numpy turns True (and 0-d bool arrays) into 1 in a list of numbers:
        # look for bools first.
        objects = np.asarray(t, dtype=object)
        for idx, v in np.ndenumerate(objects):
            if _is_boolish(v):
                msg = f"steps must be numbers, not bools, got steps[{_index(idx)}]={v!r}"
                raise TypeError(msg)
    if kind == "b":
        msg = "steps must be numbers, not bools, got an array of dtype bool"
        raise TypeError(msg)
    if kind == "O":
        for idx, v in np.ndenumerate(arr):
            if _is_boolish(v) or isinstance(v, _TIME_TYPES) or not isinstance(v, numbers.Real):
                msg = f"steps must be numbers, got steps[{_index(idx)}]={short_repr(v)}"
                raise TypeError(msg)
            try:
                float(v)
            except OverflowError:
                msg = f"steps must be finite numbers >= 0, got steps[{_index(idx)}]={short_repr(v)} (too large for a float)"
                raise ValueError(msg) from None
        arr = arr.astype(np.float64)
        kind = "f"
    if kind not in "iuf":
        msg = f"steps must be real numbers, got an array of dtype {arr.dtype}"
        raise TypeError(msg)
    if kind == "f" and arr.dtype.itemsize > 8:
        # long double: converted here, so a value beyond the floats is caught
        # (the scalar path refuses it too) rather than evaluated at inf.
        wide = arr
        with np.errstate(over="ignore"):
            arr = wide.astype(np.float64)
        lost = np.isinf(arr) & np.isfinite(wide)
        if lost.any():
            idx = np.unravel_index(int(np.argmax(lost)), arr.shape)
            msg = f"steps must be finite numbers >= 0, got steps[{_index(idx)}]={wide[idx]!r} (too large for a float)"
            raise ValueError(msg)
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
    return CONSTRUCTORS["arith"](op, a, b)


def _rebuild(name: str, args: tuple[Any, ...]) -> Schedule:
    """Unpickle a node: its public constructor called on its arguments."""
    fn = CONSTRUCTORS.get(name)
    if fn is None:
        msg = f"cannot unpickle a schedule of unknown type {name!r}"
        raise ValueError(msg)
    return fn(*args)
