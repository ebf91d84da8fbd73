"""The third evaluation path: steps that are arrays of another array library.

Called with a JAX array (or tracer), a torch tensor, or any object with
``__array_namespace__`` other than a numpy array (array-api-strict, CuPy, ...),
a schedule is evaluated here, with that library's own operations (DESIGN
principle 10):

* **Branch-free.** Every node is one formula of the step array: piecewise nodes
  evaluate each piece on the whole array and select with ``where``; tables
  (``piecewise_constant``, ``piecewise_linear``, growing ``cyclical``) are looked
  up with ``searchsorted``. No Python ``if`` looks at a value and nothing is
  copied to the host, so the evaluation traces under ``jax.jit``, ``jax.vmap``
  and ``torch.compile(fullgraph=True)``: one graph for every step.
* **Same shape, same device.** Tables are built on the step's device.
* **Dtypes.** A floating step keeps its dtype; an integer step computes in the
  library's default float (``float32`` in JAX without x64,
  ``torch.get_default_dtype()``); integer-valued schedules (``quantize``)
  answer in the library's default integer dtype.
* **Accuracy.** In float64 the formulas are those of the numpy path. In float32
  the parameters are rounded once on the host from their float64 values
  (differences such as ``end - start``, ``log(gamma) / every`` and table
  widths are computed in float64 first), the boundaries are rounded *up* so
  that ``t >= b`` decides as it would in exact arithmetic, and exponentials are
  ``exp`` of an exponent split into parts that are exact in float32 (see
  :func:`_exp_product`): ``gamma ** e`` in float32 would lose
  ``e * eps`` of relative accuracy.
* **Invalid steps cannot raise** under tracing, where values are unknown.
  A negative, NaN or infinite step gives NaN (float schedules) or the smallest
  value of the integer dtype (integer schedules); likewise an integer schedule
  whose value is not finite, and a division by zero gives ``inf``/NaN as IEEE
  arithmetic does. Type errors (bool or complex steps, a node that cannot be
  traced) raise ``TypeError`` eagerly, also under tracing.

Each node class has an evaluator in :data:`EVALUATORS`; a node without one
(a class added elsewhere) raises ``TypeError`` naming it, never a wrong answer.
``from_fn`` calls its function with the step array and requires an array of the
same library back; a function that cannot take an array (a Python branch on the
step, ``int(step)``, the running product of ``multiplicative_lr``) raises
``TypeError`` naming ``from_fn``.

This module imports no array library: it reaches each one through the array it
is given (``__array_namespace__``), torch through :mod:`schedalg._xp_torch`,
imported with the first torch tensor.

**Torch programs.** Under ``torch.compile`` every value the traced code reads
from a Python object becomes a guard, checked on every call; walking the tree
read hundreds (~15 us a call on a CPU, as long as the kernel). A torch tensor
therefore runs a *program*: the evaluators are run once per ``(schedule,
dtype, device, default dtype)`` on a recording namespace (:class:`_Recorder`),
which notes each operation as ``(name, method, args)`` with plain constants;
:func:`evaluate_torch` performs them on the tensor, the operators
and most functions as tensor methods. The recording
(:func:`torch_program`) is marked as a constant for ``torch.compile`` (the
attribute ``torch._dynamo.assume_constant_result`` sets): it is called once
while tracing, with the schedule guarded by identity (it is immutable) and
the dtype and device by the tensor's own guard, and the replay unrolls into
the graph with nothing else to guard. The same formulas run, so the values
are those of evaluating the tree on the tensor. ``from_fn`` (its function is
called with the tensor) and nodes without an evaluator are not recorded: they
take the evaluators on the tensor itself.
"""

from __future__ import annotations

import math
import weakref
from typing import Any, Callable

import numpy as np

from . import _node, _noise
from . import combinators as _c
from . import functions as _f
from . import shapes as _s
from ._node import Schedule

__all__ = ["EVALUATORS", "evaluate", "evaluator"]

#: Node class -> ``f(node, ctx, t) -> array``: the node's values at the float
#: step array ``t`` (dtype ``ctx.dtype``), in ``t``'s library.
EVALUATORS: dict[type, Callable[[Any, Ctx, Any], Any]] = {}


def evaluator(*classes: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn`` as the array-library evaluator of ``classes``."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        for cls in classes:
            EVALUATORS[cls] = fn
        return fn

    return deco


# -- namespaces ----------------------------------------------------------------------------------
def _is_torch(kind: type) -> bool:
    return any(c.__name__ == "Tensor" and c.__module__.split(".")[0] == "torch" for c in kind.__mro__)


#: The functions of :mod:`schedalg._xp_torch` a torch program may call, by name (filled on first use).
_TORCH_FUNCTIONS: dict[str, Callable[..., Any]] = {}


def _torch_namespace() -> Any:
    """Torch's own operations as a namespace (:mod:`schedalg._xp_torch`)."""
    from . import _xp_torch

    if not _TORCH_FUNCTIONS:
        _TORCH_FUNCTIONS.update(_xp_torch.FUNCTIONS)
    return _xp_torch


def _owns(xp: Any, value: Any) -> bool:
    """Whether ``value`` is an array of the namespace ``xp``."""
    if isinstance(value, (np.ndarray, np.generic)) and xp.__name__ != "numpy":
        return False
    kind = type(value)
    if _is_torch(kind):
        return xp.__name__ == "schedalg._xp_torch"
    try:
        return hasattr(kind, "__array_namespace__") and value.__array_namespace__() is xp
    except Exception:  # noqa: BLE001 - a foreign object's namespace lookup failed
        return False


# -- the evaluation context -------------------------------------------------------------------------
def _up32(b: float) -> float:
    """The smallest float32 ``>= b`` (for ``b > 0`` in float32's normal range).

    Plain ``math`` (no numpy scalars), so that ``torch.compile`` folds it as a constant.
    """
    if b > 3.4028234663852886e38:
        return math.inf
    if b < 1.1754943508222875e-38:  # subnormal: multiples of 2**-149
        return math.ldexp(math.ceil(math.ldexp(b, 149)), -149)
    m, e = math.frexp(b)
    return math.ldexp(math.ceil(m * 16777216.0), e - 24)


def _near32(b: float) -> float:
    """``b`` rounded to the nearest float32 (ties to even), in plain ``math``."""
    if not math.isfinite(b) or b == 0.0 or abs(b) > 3.4028234663852886e38:
        return b
    if abs(b) < 1.1754943508222875e-38:
        return math.ldexp(round(math.ldexp(b, 149)), -149)
    m, e = math.frexp(b)
    return math.ldexp(round(m * 16777216.0), e - 24)


#: Tables made for eager torch calls (see :func:`schedalg._xp_torch.table`), and how many are kept.
_TORCH_TABLES: dict[tuple[Any, ...], Any] = {}
_MAX_TABLES = 1024


class Ctx:
    """The library, dtype and device of one evaluation, and the helpers nodes share.

    ``native``: ``xp`` is :mod:`schedalg._xp_torch` (or a :class:`_Recorder` of
    it), whose ``table``, ``search_right`` and ``take1d`` do the table work.
    """

    __slots__ = ("xp", "dtype", "device", "exact", "native", "_tiny", "_huge")

    def __init__(self, xp: Any, dtype: Any, device: Any, native: bool = False) -> None:
        self.xp = xp
        self.dtype = dtype
        self.device = device
        self.native = native
        info = xp.finfo(dtype)
        #: float64 (or wider): the numpy formulas apply as they are. Anything
        #: narrower is treated as float32 (rounded-up boundaries, split exponents).
        self.exact = info.eps <= 2.0**-52
        self._tiny = float(info.smallest_normal)
        self._huge = float(info.max)

    def fits(self, c: float) -> bool:
        """Whether the host number ``c`` is zero or a normal number of the dtype (half an ulp off at most)."""
        return c == 0.0 or self._tiny <= abs(c) <= self._huge

    # constants
    def edge(self, b: float) -> float:
        """The smallest value of the dtype ``>= b``: ``t >= edge(b)`` iff ``t >= b``."""
        if self.exact or b == 0.0 or not math.isfinite(b):
            return b
        return _up32(b)

    def minus(self, t: Any, b: float) -> Any:
        """The local time ``t - b`` of a piece starting at the host number ``b``.

        In float32, ``b = hi + lo`` with ``hi`` its nearest float32: ``t - hi`` is
        exact where ``t`` is near ``b`` (Sterbenz), and only the small ``lo`` is
        rounded, so the local time keeps the accuracy float64 would give it.
        """
        if self.exact:
            return t - b
        hi = _near32(b)
        lo = b - hi
        return t - hi if lo == 0.0 else (t - hi) - lo

    def plus(self, t: Any, b: float) -> Any:
        """``t + b`` for a host number ``b``, split as in :meth:`minus`."""
        if self.exact:
            return t + b
        hi = _near32(b)
        lo = b - hi
        return t + hi if lo == 0.0 else (t + hi) + lo

    def table(self, values: Any) -> Any:
        """A 1-D array of host numbers on the step's device.

        Eager torch keeps the tables it made (keyed by content, dtype and
        device), so that a later call, e.g. one captured into a CUDA graph,
        copies nothing from the host. Under ``torch.compile`` and in JAX they
        are constants of the traced graph.
        """
        items = tuple([float(v) for v in values])
        if self.native:
            return self.xp.table(items, self.dtype, self.device)
        return self.xp.asarray(items, dtype=self.dtype, device=self.device)

    def full(self, t: Any, value: float) -> Any:
        return self.xp.full_like(t, value)

    # lookups
    def search(self, table: Any, t: Any) -> Any:
        """``searchsorted(table, t, side="right")``: how many entries are ``<= t``."""
        if self.native:
            return self.xp.search_right(table, t)
        return self.xp.searchsorted(table, t, side="right")

    def take(self, table: Any, index: Any) -> Any:
        if self.native:
            return self.xp.take1d(table, index)
        xp = self.xp
        return xp.reshape(xp.take(table, xp.reshape(index, (-1,)), axis=0), index.shape)

    # arithmetic
    def pow_const(self, base: float, e: Any) -> Any:
        """``base ** e`` for a positive host number ``base`` and an array ``e``."""
        if self.exact:
            return self.xp.pow(self.full(e, base), e)
        return _exp_product(self, e, math.log(base))

    def remainder(self, t: Any, period: float) -> Any:
        return self.xp.remainder(t, period)


def _split(c: float) -> tuple[float, float]:
    """``c = hi + lo`` with ``hi`` of 12 significant bits (exact products with 12-bit numbers)."""
    if c == 0.0 or not math.isfinite(c):
        return c, 0.0
    m, e = math.frexp(c)
    hi = math.ldexp(round(m * 4096.0), e - 12)
    return hi, c - hi


def _exp_product(ctx: Ctx, u: Any, c: float) -> Any:
    """``exp(u * c)`` for steps ``u >= 0`` in float32 and a float64 host number ``c``.

    A float32 exponent ``u * c`` is off by up to ``|u c| eps``, an error ``exp``
    turns into a relative one. Instead ``u = uh + ul`` (``uh`` a multiple of
    4096, 12 significant bits below 2**24; ``ul < 4096``, exact) and ``c = ch +
    cl`` (``ch`` of 12 bits, ``cl`` the float64 rest): ``uh * ch`` and, for an
    integral ``u``, ``ul * ch`` are exact in float32, and the remaining
    ``u * cl`` is 4096 times smaller than ``u * c``. The value is
    ``exp(uh ch) * exp(ul ch) * exp(u cl)``: a few ulp, for any ``u``
    below 2**24.
    """
    xp = ctx.xp
    ch, cl = _split(c)
    uh = xp.floor(u * (1.0 / 4096.0)) * 4096.0
    ul = u - uh
    return xp.exp(uh * ch) * xp.exp(ul * ch) * xp.exp(u * cl)


# -- entry point ----------------------------------------------------------------------------------
def _default_dtypes(xp: Any, device: Any) -> tuple[Any, Any]:
    if xp.__name__ == "schedalg._xp_torch":
        return xp.default_dtypes()  # type: ignore[no-any-return]
    info = getattr(xp, "__array_namespace_info__", None)
    if info is not None:
        try:
            d = info().default_dtypes(device=device)
            return d["real floating"], d["integral"]
        except Exception:  # noqa: BLE001 - fall back to asking the library itself
            pass
    return xp.asarray(0.0).dtype, xp.asarray(0).dtype


def _device(t: Any) -> Any:
    try:
        return t.device
    except Exception:  # noqa: BLE001 - a tracer has no committed device
        return None


def _dtype_error(xp: Any, dtype: Any) -> str | None:
    """Why steps of ``dtype`` cannot be evaluated (bool, complex), or None."""
    if xp.isdtype(dtype, "bool"):
        return f"steps must be numbers, not bools, got an array of dtype {dtype}"
    if not xp.isdtype(dtype, ("integral", "real floating")):
        return f"steps must be real numbers, got an array of dtype {dtype}"
    return None


def evaluate_torch(s: Schedule, t: Any) -> Any:
    """``s`` at the steps ``t``, a torch tensor: the program recorded for it, replayed.

    The program (:func:`torch_program`) is a tuple of instructions ``(name,
    method, args)``. Value 0 is ``t``; instruction ``i`` computes value ``i + 1``:
    ``args[0].name(*args[1:])`` for a tensor ``method`` (operators are dunder
    methods), else the function ``name`` of :mod:`schedalg._xp_torch`; an
    argument ``(True, j)`` stands for value ``j``, ``(False, c)`` for the
    constant ``c``. Under ``torch.compile`` the program is a constant, so the
    loop unrolls into the graph of the operations alone: nothing of the
    schedule is left to guard, and a method reads no global either. A tree
    that cannot be recorded runs :func:`evaluate`.
    """
    msg, program = torch_program(s, t.dtype, t.device)
    if msg is not None:
        raise TypeError(msg)
    if program is None:
        return evaluate(s, t)
    values = [t]
    for name, method, args in program:
        a = [values[x] if ref else x for ref, x in args]
        values.append(getattr(a[0], name)(*a[1:]) if method else _TORCH_FUNCTIONS[name](*a))
    return values[-1]


def evaluate(s: Schedule, t: Any) -> Any:
    """``s`` at the steps ``t``, an array of a library other than numpy (principle 10).

    The evaluators run on the array itself (torch tensors mostly take
    :func:`evaluate_torch`).
    """
    if _is_torch_kind(type(t)):
        xp = _torch_namespace()
        device = t.device
    else:
        xp = t.__array_namespace__()
        # jax places constants next to their (possibly traced) operands
        device = None if xp.__name__.startswith("jax") else _device(t)
    dtype = t.dtype
    msg = _dtype_error(xp, dtype)
    if msg is not None:
        raise TypeError(msg)
    default_float, default_int = _default_dtypes(xp, device)
    integer_steps = xp.isdtype(dtype, "integral")
    ctx = Ctx(xp, default_float if integer_steps else dtype, device, native=xp.__name__ == "schedalg._xp_torch")
    return _steps_to_values(s, ctx, t, integer_steps, default_int)


def _steps_to_values(s: Schedule, ctx: Ctx, t: Any, integer_steps: bool, int_dtype: Any) -> Any:
    """``s`` at the steps ``t`` (of a valid dtype): NaN, or the least integer, where ``t`` is invalid.

    Integer steps are converted to ``ctx.dtype`` first; a step is invalid where
    it is negative (checked on the converted steps, which keep the sign), NaN
    or infinite.
    """
    xp = ctx.xp
    if integer_steps:
        steps = xp.astype(t, ctx.dtype)
        valid = steps >= 0.0
    else:
        steps = t
        valid = (t >= 0.0) & (t < math.inf)
    values = run(s, ctx, steps)
    if not s._integer:
        return xp.where(valid, values, math.nan)
    limit = float(2 ** (xp.iinfo(int_dtype).bits - 1))
    ok = valid & (values >= -limit) & (values < limit)
    values = xp.where(ok, values, 0.0)
    return xp.where(ok, xp.astype(values, int_dtype), xp.iinfo(int_dtype).min)


def run(s: Schedule, ctx: Ctx, t: Any) -> Any:
    """The values of node ``s`` at the float steps ``t`` (no validation)."""
    fn = EVALUATORS.get(type(s))
    if fn is None:
        msg = (
            f"{s._name}: this schedule node ({type(s).__name__}) has no array-library evaluation, "
            f"so it cannot be called with a {type(t).__module__}.{type(t).__name__} step"
        )
        raise TypeError(msg)
    return fn(s, ctx, t)


# -- torch programs (see the module docstring) -----------------------------------------------------
def _mark_constant(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Tell ``torch.compile`` that ``fn`` is a pure function of its (constant) arguments."""
    fn._dynamo_marked_constant = True  # type: ignore[attr-defined]
    return fn


_TORCH_KINDS: dict[type, bool] = {}


@_mark_constant
def _is_torch_kind(kind: type) -> bool:
    """Whether ``kind`` is a torch tensor class (cached)."""
    found = _TORCH_KINDS.get(kind)
    if found is None:
        found = _TORCH_KINDS[kind] = _is_torch(kind)
    return found


class _NotRecordable(Exception):
    """A tree whose evaluation cannot be recorded: it runs on the tensor itself."""


class _Var:
    """An array being recorded: value ``i`` of the program of ``rec``.

    Its operators record the tensor's own dunder methods (``c - t`` is
    ``t.__rsub__(c)``), whose replay reads no global, so compiles to no guard.
    """

    __slots__ = ("_i", "_rec")
    __array_ufunc__ = None  # numpy defers to the operators below
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, rec: _Recorder, i: int) -> None:
        self._rec = rec
        self._i = i

    def __bool__(self) -> bool:
        raise _NotRecordable  # a branch on a value: not branch-free


def _dunder(name: str) -> Callable[..., _Var]:
    def method(self: _Var, *args: Any) -> _Var:
        return self._rec.emit(name, True, self, *args)

    method.__name__ = name
    return method


for _name in ("add", "sub", "mul", "truediv", "pow", "and", "or", "xor", "lshift", "rshift"):
    setattr(_Var, f"__{_name}__", _dunder(f"__{_name}__"))
    setattr(_Var, f"__r{_name}__", _dunder(f"__r{_name}__"))
for _name in ("neg", "invert", "lt", "le", "gt", "ge", "eq", "ne"):
    setattr(_Var, f"__{_name}__", _dunder(f"__{_name}__"))
del _name

#: Functions of :mod:`schedalg._xp_torch` recorded as the tensor method of the same name.
_UNARY = frozenset({"sin", "cos", "tanh", "exp", "expm1", "log", "log1p", "sqrt", "abs", "floor", "ceil", "round"})


def _exact32_sum(b: Any, a: Any) -> float | int | None:
    """``a + b`` if the host numbers ``a``, ``b`` and their sum are float32 numbers (exactly), else None.

    Two ints give their sum as an int (integer tensors stay integer).
    """
    if type(a) not in (int, float) or type(b) not in (int, float):
        return None
    if type(a) is int and type(b) is int:
        return a + b if abs(a + b) < 2**63 else None
    a, b = float(a), float(b)
    total = a + b
    big, small = (a, b) if abs(a) >= abs(b) else (b, a)
    if not math.isfinite(total) or total - big != small:  # the float64 sum itself rounded
        return None
    return total if all(_near32(x) == x for x in (a, b, total)) else None


def _key(c: Any) -> Any:
    """A constant as a dictionary key that tells apart what ``==`` does not (``1``, ``1.0``, ``-0.0``, NaN)."""
    if isinstance(c, tuple):
        return tuple(_key(x) for x in c)
    if type(c) is float:
        return (float, "nan" if math.isnan(c) else c, math.copysign(1.0, c))
    return (type(c), c)


class _Recorder:
    """The namespace ``xp`` (:mod:`schedalg._xp_torch`), recording the operations called on it.

    Array functions and the operators of :class:`_Var` append an instruction
    ``(name, method, args)`` (see :func:`evaluate_torch`), a tensor
    method where the first argument is a tensor (``xp.where(c, a, b)`` is
    ``a.where(c, b)``); ``finfo``, ``iinfo`` and ``isdtype`` answer on the host.
    """

    def __init__(self, xp: Any, float32: bool = False) -> None:
        #: The values are float32 (integer steps, or float32 ones): offsets may be folded (see :meth:`emit`).
        self._float32 = float32
        self.__name__ = xp.__name__
        self.finfo = xp.finfo
        self.iinfo = xp.iinfo
        self.isdtype = xp.isdtype
        self._functions = xp.FUNCTIONS
        self._host = xp.HOST_TYPES
        self._code: list[tuple[str, bool, tuple[tuple[bool, Any], ...]]] = []
        self._seen: dict[tuple[Any, ...], int] = {}

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_") or name not in self._functions:
            raise _NotRecordable(name)
        return lambda *args: self._call(name, *args)

    def _call(self, name: str, *args: Any) -> Any:
        mine = [type(a) is _Var and a._rec is self for a in args]
        if name in _UNARY and mine[0]:
            return self.emit(name, True, *args)
        if name in ("pow", "remainder") and mine[0]:
            return self.emit(name, True, *args)
        if name == "where" and mine[1]:
            condition, x1, x2 = args
            return self.emit(name, True, x1, condition, x2)
        if name in ("minimum", "maximum") and all(mine):
            return self.emit(name, True, *args)
        if name == "astype" and mine[0]:
            return self.emit("to", True, *args)
        if name == "clip" and mine[0]:
            x, low, high = (*args, None, None)[:3]
            if low is None and high is None:
                return x
            if not any(b is not None and math.isnan(b) for b in (low, high)):
                return self.emit("clamp", True, x, low, high)
        return self.emit(name, False, *args)

    def _constant(self, a: Any) -> Any:
        if a is None or type(a) in (bool, int, float, str) or isinstance(a, self._host):
            return a
        if isinstance(a, tuple):
            return tuple(self._constant(x) for x in a)
        if isinstance(a, (np.integer, np.floating, np.bool_)):
            return a.item()
        raise _NotRecordable(type(a).__name__)

    def emit(self, name: str, method: bool, *args: Any) -> _Var:
        """Record ``name(*args)`` (``args[0].name(*args[1:])`` for a ``method``): a value.

        Rewrites that leave every value bit for bit as it was: an instruction
        already recorded with the same arguments gives its value again, and
        ``where(c, where(c, a, b), d)`` is ``where(c, a, d)`` (and ``where(c, d,
        where(c, a, b))`` is ``where(c, d, b)``), as when a warmup selects its
        ramp with the condition the ramp selects its end with. And one that is
        never less accurate: in float32, ``b - (x - a)`` for host numbers ``a``,
        ``b`` and ``a + b`` that float32 holds exactly is ``(a + b) - x``, the
        real value rounded once instead of twice (a piece's ``steps - t`` of a
        local time ``t - start``, one subtraction per element fewer).
        """
        code = tuple((True, a._i) if type(a) is _Var and a._rec is self else (False, self._constant(a)) for a in args)
        if method and not code[0][0]:
            raise _NotRecordable(name)
        if name == "__rsub__" and self._float32 and not code[1][0]:
            inner = self._code[code[0][1] - 1] if code[0][1] else None
            if inner is not None and inner[0] == "__sub__" and not inner[2][1][0]:
                offset = _exact32_sum(code[1][1], inner[2][1][1])
                if offset is not None:
                    code = (inner[2][0], (False, offset))
        if name == "where" and method:
            (_, x1), condition, x2 = code
            inner = self._code[x1 - 1] if x1 else None
            if inner is not None and inner[0] == "where" and inner[1] and inner[2][1] == condition:
                code = (inner[2][0], condition, x2)
            if x2[0] and x2[1]:
                inner = self._code[x2[1] - 1]
                if inner[0] == "where" and inner[1] and inner[2][1] == condition:
                    code = (code[0], condition, inner[2][2])
        key = (name, method, tuple((ref, x if ref else _key(x)) for ref, x in code))
        found = self._seen.get(key)
        if found is None:
            self._code.append((name, method, code))
            found = self._seen[key] = len(self._code)
        return _Var(self, found)

    def program(self, out: Any) -> tuple[Any, ...]:
        """The instructions that ``out`` depends on, renumbered, ending with ``out``."""
        if type(out) is not _Var or out._rec is not self or out._i == 0:
            raise _NotRecordable("no array out")
        code = self._code
        used = {out._i}
        for i in range(out._i, 0, -1):
            if i in used:
                used.update(x for ref, x in code[i - 1][2] if ref)
        number = {0: 0}
        program = []
        for i in range(1, out._i + 1):
            if i in used:
                name, method, args = code[i - 1]
                program.append((name, method, tuple((ref, number[x]) if ref else (ref, x) for ref, x in args)))
                number[i] = len(program)
        return tuple(program)


#: Per schedule (weakly held), its torch programs by (dtype, device, default dtype).
_PROGRAMS: weakref.WeakKeyDictionary[Schedule, dict[tuple[Any, ...], Any]] = weakref.WeakKeyDictionary()


@_mark_constant
def torch_program(s: Schedule, dtype: Any, device: Any) -> tuple[str | None, tuple[Any, ...] | None]:
    """``(message, program)``: ``s`` at torch steps of ``dtype`` on ``device``, recorded.

    The program is that of :func:`evaluate_torch`, recorded once per
    ``(s, dtype, device, torch.get_default_dtype())``; None for a tree that
    cannot be recorded (``from_fn`` calls its function with the tensor). The
    message says why steps of ``dtype`` cannot be evaluated (else None).
    """
    xp = _torch_namespace()
    msg = _dtype_error(xp, dtype)
    if msg is not None:
        return msg, None
    default_float, default_int = xp.default_dtypes()
    key = (dtype, device, default_float)
    try:
        mine = _PROGRAMS.get(s)
    except TypeError:  # an unhashable tree (from_fn of an unhashable callable)
        return None, None
    if mine is None:
        mine = _PROGRAMS[s] = {}
    elif key in mine:
        return None, mine[key]
    integer_steps = xp.isdtype(dtype, "integral")
    rec = _Recorder(xp, float32=(default_float if integer_steps else dtype) == xp.float32)
    ctx = Ctx(rec, default_float if integer_steps else dtype, device, native=True)
    try:
        program: tuple[Any, ...] | None = rec.program(
            _steps_to_values(s, ctx, _Var(rec, 0), integer_steps, default_int)
        )
    except Exception:  # noqa: BLE001 - evaluated on the tensor itself, which raises what it raises
        program = None
    mine[key] = program
    return None, program


class _Math:
    """An ``xm`` namespace over an array library: the ``_Interpolating`` formulas run on it."""

    __slots__ = ("cos", "sin", "exp", "log", "sqrt", "pow")

    def __init__(self, xp: Any) -> None:
        self.cos = xp.cos
        self.sin = xp.sin
        self.exp = xp.exp
        self.log = xp.log
        self.sqrt = xp.sqrt
        self.pow = xp.pow


# -- shapes --------------------------------------------------------------------------------------
@evaluator(_s.Constant)
def _constant(s: _s.Constant, ctx: Ctx, t: Any) -> Any:
    return ctx.full(t, s.value)


@evaluator(_s.Linear, _s.Polynomial, _c._SqrtDecay)
def _interpolating(s: Any, ctx: Ctx, t: Any) -> Any:
    xp, xm = ctx.xp, _Math(ctx.xp)
    start, end, steps = s.start, s.end, s.steps
    if not ctx.exact and type(s) is _s.Linear:
        # float32: start + t * ((end - start) / steps), the slope rounded once on
        # the host: within 3 eps32 * peak (two roundings of a product below
        # |end - start| <= 2 peak, one of the sum), where the numpy path's two
        # forms keep both endpoints exact in float64; t >= steps is end.
        slope = (end - start) / steps
        line = t * slope if ctx.fits(slope) else (t / steps) * (end - start)
        return xp.where(t < ctx.edge(steps), line if start == 0.0 else start + line, end)
    # Both forms are evaluated where the step is inside [0, steps]; NaN from
    # the unused form (e.g. a fractional power of a negative) is discarded.
    inside = xp.clip(t, 0.0, float(steps))
    if not ctx.exact and type(s) is _s.Polynomial and s.power != 1.0:
        # 1 - r**p cancels near t = 0: in float32, -expm1(p * log1p(-t / steps)).
        travelled = -xp.expm1(s.power * xp.log1p(-(inside / steps)))
    else:
        travelled = s._travelled(xm, inside)
    near = start + (end - start) * travelled
    far = end + (start - end) * s._remaining(xm, inside)
    value = xp.where(t + t <= steps, near, far)
    return xp.where(t < ctx.edge(steps), value, end)


@evaluator(_s.Cosine)
def _cosine(s: _s.Cosine, ctx: Ctx, t: Any) -> Any:
    # The two forms of the numpy path with one sine between them:
    #   t <= steps/2: end + (1 + cos(pi u)) * half, cos(pi u) = sin(pi (1/2 - u))
    #                 (1/2 - u is exact for u in [1/4, 1/2]; the midpoint is exact)
    #   t >  steps/2: end + diff * sin(pi/2 * (steps - t) / steps)**2
    # (in float64; float32 takes sin**2 forms, see _cosine32).
    if not ctx.exact:
        return _cosine32(s, ctx, t)
    xp = ctx.xp
    steps = s.steps
    near = t + t <= steps
    inside = xp.clip(t, 0.0, float(steps))
    x = xp.where(near, 0.5 - inside / steps, ((steps - inside) / steps) * 0.5)
    w = xp.sin(x * math.pi)
    value = xp.where(near, s.end + (1.0 + w) * s._half, s.end + s._diff * (w * w))
    value = xp.where(t == 0.0, s.start, value)
    return xp.where(t < ctx.edge(steps), value, s.end)


def _cosine32(s: _s.Cosine, ctx: Ctx, t: Any) -> Any:
    """The cosine in float32, cancellation-free where its values are small.

    With ``w(r) = sin(pi/2 * r / steps)**2`` (``r / steps`` a product with the
    host's ``pi / (2 steps)``, rounded once):

    * ends of one sign, ``|end| <= |start|``: ``end + (start - end) * w(max(steps - t, 0))``
      on the whole range (``end`` exactly from ``t = steps`` on); ``|end| > |start|``:
      ``start + (end - start) * w(t)`` below ``steps``, then ``end``. Measured from
      the end of smaller magnitude, the value keeps its relative accuracy where
      it is small. Where ``w`` is near 1 its roundings (an ulp of 1 for the sine,
      half ulps for the products) are a few ``eps32 * |start - end|``, and
      ``|start - end| <= peak`` for ends of one sign: within the bound (under half
      of it at every step of 10**6-step cosines, ``tests/test_xp.py``), at one
      sine and no select per step;
    * ends of opposite signs (``|start - end|`` up to twice the peak): each half
      from its nearer end, ``start - (start - end) * w(t)`` up to ``steps / 2``,
      ``end + (start - end) * w(steps - t)`` after.
    """
    xp = ctx.xp
    start, end, steps = s.start, s.end, s.steps
    scale = 0.5 * math.pi / steps
    if not ctx.fits(scale):  # pragma: no cover - steps beyond 1e38 or below 1e-38

        def w(r: Any) -> Any:
            v = xp.sin((r / steps) * (0.5 * math.pi))
            return v * v

    else:

        def w(r: Any) -> Any:
            v = xp.sin(r * scale)
            return v * v

    one_sign = start == 0.0 or end == 0.0 or (start > 0.0) == (end > 0.0)
    if one_sign and abs(end) <= abs(start):
        dw = s._diff * w(xp.clip(steps - t, 0.0, None))
        return dw if end == 0.0 else end + dw
    if one_sign:
        dw = (end - start) * w(t)
        return xp.where(t < ctx.edge(steps), dw if start == 0.0 else start + dw, end)
    near = t + t <= steps
    w2 = w(xp.where(near, t, steps - t))
    value = xp.where(near, start - s._diff * w2, end + s._diff * w2)
    return xp.where(t < ctx.edge(steps), value, end)


@evaluator(_s.Exponential)
def _exponential(s: _s.Exponential, ctx: Ctx, t: Any) -> Any:
    xp = ctx.xp
    if s.staircase:
        e = xp.floor(t / s.every)
        return s.start * ctx.pow_const(s.gamma, e)
    if ctx.exact:
        return s.start * ctx.pow_const(s.gamma, t / s.every)
    return s.start * _exp_product(ctx, t, math.log(s.gamma) / s.every)


@evaluator(_s.PiecewiseConstant)
def _piecewise_constant(s: _s.PiecewiseConstant, ctx: Ctx, t: Any) -> Any:
    if not s.boundaries:
        return ctx.full(t, s.values[0])
    edges = ctx.table([ctx.edge(b) for b in s.boundaries])
    return ctx.take(ctx.table(s.values), ctx.search(edges, t))


@evaluator(_s.PiecewiseLinear)
def _piecewise_linear(s: _s.PiecewiseLinear, ctx: Ctx, t: Any) -> Any:
    xp = ctx.xp
    knots, values = s.knots, s.values
    n = len(knots)
    if n == 1:
        return ctx.full(t, values[0])
    i = ctx.search(ctx.table([ctx.edge(k) for k in knots]), t)
    j = xp.clip(i, 1, n - 1) - 1  # segment j runs from knot j to knot j + 1
    v0 = ctx.take(ctx.table(values[:-1]), j)
    width = ctx.take(ctx.table([b - a for a, b in zip(knots, knots[1:])]), j)
    rise = ctx.take(ctx.table([b - a for a, b in zip(values, values[1:])]), j)
    value = v0 + rise * (_local(ctx, t, knots[:-1], j) / width)
    value = xp.where(i == 0, values[0], value)
    return xp.where(i == n, values[-1], value)


def _local(ctx: Ctx, t: Any, starts: Any, k: Any) -> Any:
    """``t - starts[k]`` with a table lookup, split into float32 parts as :meth:`Ctx.minus`."""
    if ctx.exact:
        return t - ctx.take(ctx.table(starts), k)
    his = [_near32(b) for b in starts]
    los = [b - h for b, h in zip(starts, his)]
    local = t - ctx.take(ctx.table(his), k)
    if any(los):
        local = local - ctx.take(ctx.table(los), k)
    return local


@evaluator(_s.Triangular)
def _triangular(s: _s.Triangular, ctx: Ctx, t: Any) -> Any:
    xp = ctx.xp
    low, high, steps = s.low, s.high, s.steps
    top = s.peak * steps
    rising = t < ctx.edge(top)
    # Only steps in [0, top) use the rising side: the others divide 0 by a
    # positive number (top may round to 0 in float32).
    up = low + (high - low) * (xp.where(rising, t, 0.0) / max(top, float(xp.finfo(ctx.dtype).smallest_normal)))
    down = high + (low - high) * (ctx.minus(t, top) / (steps - top)) if steps > top else ctx.full(t, low)
    value = xp.where(rising, up, down)
    return xp.where(t < ctx.edge(steps), value, low)


@evaluator(_s.InverseSqrt)
def _inverse_sqrt(s: _s.InverseSqrt, ctx: Ctx, t: Any) -> Any:
    xp = ctx.xp
    # clip, not maximum with a number: the array API's maximum (array-api-compat's torch) would
    # copy the number to the device (no host copies: CUDA-graph capture).
    return xp.sqrt(s.timescale / xp.clip(t, float(s.timescale), None)) * s.value


@evaluator(_s.FromFn)
def _from_fn(s: _s.FromFn, ctx: Ctx, t: Any) -> Any:
    xp = ctx.xp
    if isinstance(xp, _Recorder):
        raise _NotRecordable  # the function is called with the tensor itself
    try:
        value = s.fn(t)
    except Exception as exc:  # noqa: BLE001 - any failure means "not traceable"
        msg = (
            f"from_fn: the function {s.fn!r} cannot be called with a {type(t).__module__}.{type(t).__name__} "
            f"step ({type(exc).__name__}: {exc}); a function with a Python branch on the step "
            "(or multiplicative_lr) only evaluates Python numbers and numpy arrays"
        )
        raise TypeError(msg) from exc
    if not _owns(xp, value):
        msg = (
            f"from_fn: the function {s.fn!r} must return an array of the step's library when called "
            f"with one, got {type(value).__name__}: {value!r}"
        )
        raise TypeError(msg)
    if not xp.isdtype(value.dtype, ("integral", "real floating")):
        msg = f"from_fn: the function {s.fn!r} must return real numbers, got an array of dtype {value.dtype}"
        raise TypeError(msg)
    return xp.broadcast_to(xp.astype(value, ctx.dtype), tuple(t.shape))


# -- combinators ------------------------------------------------------------------------------------
@evaluator(_c.Warmup)
def _warmup(s: _c.Warmup, ctx: Ctx, t: Any) -> Any:
    xp = ctx.xp
    return xp.where(t < ctx.edge(s.steps), run(s._ramp, ctx, t), run(s.s, ctx, ctx.minus(t, s.steps)))


@evaluator(_c.Cooldown)
def _cooldown(s: _c.Cooldown, ctx: Ctx, t: Any) -> Any:
    xp = ctx.xp
    ramp = xp.where(t < ctx.edge(s._stop), run(s._ramp, ctx, ctx.minus(t, s.at)), s.end)
    return xp.where(t < ctx.edge(s.at), run(s.s, ctx, t), ramp)


@evaluator(_c.Sequence_)
def _sequence(s: _c.Sequence_, ctx: Ctx, t: Any) -> Any:
    xp = ctx.xp
    value = run(s.schedules[0], ctx, t)
    for piece, b in zip(s.schedules[1:], s.boundaries):
        value = xp.where(t >= ctx.edge(b), run(piece, ctx, ctx.minus(t, b)), value)
    return value


@evaluator(_c.Cyclical)
def _cyclical(s: _c.Cyclical, ctx: Ctx, t: Any) -> Any:
    xp = ctx.xp
    if s.period_mult == 1.0:
        tau = ctx.remainder(t, float(s.period))
        value = run(s.s, ctx, tau)
        if s.decay == 1.0:
            return value
        k = xp.round((t - tau) / s.period)
        return value * ctx.pow_const(s.decay, k)
    starts = s._starts
    # Within the table: cycle k owns [starts[k], starts[k+1]).
    k = ctx.search(ctx.table([ctx.edge(x) for x in starts]), t) - 1
    k = xp.clip(k, 0, len(starts) - 1)
    tau = _local(ctx, t, starts, k) / ctx.take(ctx.table(s._mults), k)
    factor = ctx.take(ctx.table(s._decays), k)
    if starts[-1] < math.inf and (not ctx.exact or starts[-1] < 2.0**53):
        # Beyond the table: the closed form of _far_cycle, settled against S_k.
        m, period = s.period_mult, float(s.period)
        far = t >= ctx.edge(starts[-1])
        tf = xp.where(far, t, starts[-1])
        kf = xp.floor(xp.log1p(tf * ((m - 1.0) / period)) / math.log(m))
        kf = kf - xp.astype(_starts_at(ctx, s, kf) > tf, ctx.dtype)
        kf = kf + xp.astype(_starts_at(ctx, s, kf + 1.0) <= tf, ctx.dtype)
        tau_far = (tf - _starts_at(ctx, s, kf)) / ctx.pow_const(m, kf)
        tau = xp.where(far, tau_far, tau)
        factor = xp.where(far, ctx.pow_const(s.decay, kf), factor)
    value = run(s.s, ctx, tau)
    return value if s.decay == 1.0 else value * factor


def _starts_at(ctx: Ctx, s: _c.Cyclical, k: Any) -> Any:
    """First step of cycle ``k``: ``period * (m**k - 1) / (m - 1)``."""
    m = s.period_mult
    return (ctx.pow_const(m, k) - 1.0) * (float(s.period) / (m - 1.0))


@evaluator(_c.Scale)
def _scale(s: _c.Scale, ctx: Ctx, t: Any) -> Any:
    return run(s.s, ctx, t) * s.k


@evaluator(_c.Invert)
def _invert(s: _c.Invert, ctx: Ctx, t: Any) -> Any:
    return s.numerator / run(s.s, ctx, t)


@evaluator(_c.Quantize)
def _quantize(s: _c.Quantize, ctx: Ctx, t: Any) -> Any:
    xp = ctx.xp
    v = run(s.s, ctx, t)
    m = s.multiple
    if m != 1:
        v = v / m
    if s.rounding == "half_even":
        q = xp.round(v)
    elif s.rounding == "floor":
        q = xp.floor(v)
    elif s.rounding == "ceil":
        q = xp.ceil(v)
    else:
        f = xp.floor(v)
        q = xp.where(v - f >= 0.5, f + 1.0, f)
    if m != 1:
        q = q * m
    if s.low is not None or s.high is not None:
        q = xp.clip(q, None if s.low is None else float(s.low), None if s.high is None else float(s.high))
    return q


@evaluator(_c.Shift)
def _shift(s: _c.Shift, ctx: Ctx, t: Any) -> Any:
    return run(s.s, ctx, ctx.plus(t, s.steps))


@evaluator(_c.Delay)
def _delay(s: _c.Delay, ctx: Ctx, t: Any) -> Any:
    return ctx.xp.where(t < ctx.edge(s.steps), s._v, run(s.s, ctx, ctx.minus(t, s.steps)))


@evaluator(_c.Stretch)
def _stretch(s: _c.Stretch, ctx: Ctx, t: Any) -> Any:
    return run(s.s, ctx, t / s.factor)


@evaluator(_c.PerEpoch)
def _per_epoch(s: _c.PerEpoch, ctx: Ctx, t: Any) -> Any:
    return run(s.s, ctx, ctx.xp.floor(t / s.steps_per_epoch))


@evaluator(_c.Clip)
def _clip(s: _c.Clip, ctx: Ctx, t: Any) -> Any:
    return ctx.xp.clip(run(s.s, ctx, t), s.low if s.low is None else float(s.low), s.high if s.high is None else float(s.high))


@evaluator(_c.Minimum, _c.Maximum)
def _extremum(s: Any, ctx: Ctx, t: Any) -> Any:
    # Folded from the left, NaN propagating, as the numpy path.
    pick = ctx.xp.minimum if s._name == "minimum" else ctx.xp.maximum
    value = run(s.a, ctx, t)
    for x in (s.b, *getattr(s, "more", ())):
        value = pick(value, run(x, ctx, t))
    return value


@evaluator(_c.Compose)
def _compose(s: _c.Compose, ctx: Ctx, t: Any) -> Any:
    xp = ctx.xp
    c = run(s.clock, ctx, t)
    ok = (c >= 0.0) & (c < math.inf)  # else NaN, as for an invalid step
    return xp.where(ok, run(s.s, ctx, xp.where(ok, c, 0.0)), math.nan)


# -- functions of values ------------------------------------------------------------------------------
@evaluator(_s.Clock)
def _clock(s: _s.Clock, ctx: Ctx, t: Any) -> Any:
    return t


@evaluator(_f.Power)
def _power(s: _f.Power, ctx: Ctx, t: Any) -> Any:
    xp = ctx.xp
    v = run(s.s, ctx, t)
    p = s.p
    # pow of |v|, as the numpy path: an odd integer power of a negative value
    # is negated after, a non-integer one is NaN (not a real number).
    r = xp.pow(xp.abs(v), p)
    if p.is_integer():
        return xp.where(v < 0.0, -r, r) if abs(p) < 2.0**53 and int(p) % 2 else r
    return xp.where(v < 0.0, math.nan, r)


@evaluator(_f.Exp)
def _exp(s: _f.Exp, ctx: Ctx, t: Any) -> Any:
    return ctx.xp.exp(run(s.s, ctx, t))


@evaluator(_f.Log)
def _log(s: _f.Log, ctx: Ctx, t: Any) -> Any:
    v = run(s.s, ctx, t)
    return ctx.xp.where(v > 0.0, ctx.xp.log(ctx.xp.where(v > 0.0, v, 1.0)), math.nan)


@evaluator(_f.Tanh)
def _tanh(s: _f.Tanh, ctx: Ctx, t: Any) -> Any:
    return ctx.xp.tanh(run(s.s, ctx, t))


_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


@evaluator(_c.Arith)
def _arith(s: _c.Arith, ctx: Ctx, t: Any) -> Any:
    # ``a op[0] b op[1] more[0] ...`` from the left, as the numpy path.
    value = run(s.a, ctx, t) if isinstance(s.a, Schedule) else s.a
    for op, x in zip(s.op, (s.b, *getattr(s, "more", ()))):
        value = _ARITH[op](value, run(x, ctx, t) if isinstance(x, Schedule) else x)
    return value


# -- noise ------------------------------------------------------------------------------------------------
class _Ints:
    """The integer operations of :mod:`schedalg._noise`'s recipe in an array namespace.

    Words (values below ``2**32``) are ``int64`` where the namespace has it
    (torch, JAX with x64, array-api-strict): every product the recipe takes is
    below ``2**63``. Otherwise (JAX without x64) they are ``uint32``, whose
    products wrap: ``mulhi`` is assembled from 16-bit halves.
    """

    __slots__ = ("HALF", "MASK", "ctx", "dtype", "wide")

    def __init__(self, ctx: Ctx) -> None:
        xp = ctx.xp
        self.ctx = ctx
        if ctx.native:  # torch: int64 words
            import torch

            self.wide, self.dtype = True, torch.int64
        else:
            try:
                names = xp.__array_namespace_info__().dtypes(device=ctx.device, kind="integral")
            except Exception:  # noqa: BLE001 - no inspection API: the standard's int64
                names = {"int64": None}
            self.wide = "int64" in names
            self.dtype = xp.int64 if self.wide else xp.uint32
        self.HALF, self.MASK = self.c(1 << 31), self.c(_noise._MASK)

    def c(self, v: int) -> Any:
        """A constant word: a Python int beside int64 words; a uint32 array beside
        uint32 words (JAX reads a Python int as an int32 and refuses ``2**31``)."""
        return v if self.wide else self.ctx.xp.asarray(v, dtype=self.dtype)

    def mulhi(self, a: Any, b: Any) -> Any:
        if self.wide:
            return (a * b) >> 32
        a1, a0, b1, b0 = a >> 16, a & 0xFFFF, b >> 16, b & 0xFFFF
        p01, p10 = a0 * b1, a1 * b0
        mid = ((a0 * b0) >> 16) + (p01 & 0xFFFF) + (p10 & 0xFFFF)
        return a1 * b1 + (p01 >> 16) + (p10 >> 16) + (mid >> 16)

    def mullo(self, a: Any, c: int) -> Any:
        if self.wide:
            return (a * c) & self.MASK
        return a * self.c(c)

    def where(self, cond: Any, a: Any, b: Any) -> Any:
        return self.ctx.xp.where(cond, a, b)

    def minimum(self, a: Any, b: int) -> Any:
        return self.ctx.xp.clip(a, None, b)

    def flag(self, cond: Any) -> Any:
        return self.ctx.xp.astype(cond, self.dtype)

    def take(self, name: str, i: Any) -> Any:
        return self.ctx.take(self._table(_noise.TABLE[name]), i)

    def _table(self, values: tuple[int, ...]) -> Any:
        """The words ``values`` on the step's device (kept for eager torch, as :meth:`Ctx.table`)."""
        ctx = self.ctx
        if ctx.native:
            return ctx.xp.table(values, self.dtype, ctx.device)
        return ctx.xp.asarray(values, dtype=self.dtype, device=ctx.device)

    def words(self, x: Any) -> Any:
        """Float integers in ``[0, 2**32)`` as words."""
        return self.ctx.xp.astype(x, self.dtype)


@evaluator(_noise.Noise)
def _noise_node(s: _noise.Noise, ctx: Ctx, t: Any) -> Any:
    # The draw's integer M and its sign are the numpy path's, exactly; the
    # value is s(t) * (1 + (+-M) * c) in the step's dtype.
    xp, ints = ctx.xp, _Ints(ctx)
    finite = t < math.inf  # an infinite local time draws nothing (NaN steps are marked by evaluate)
    k = xp.floor(xp.remainder(xp.where(finite, t, 0.0), _noise._TWO64))  # local times are >= 0
    hi = xp.floor(k * _noise._INV_TWO32)
    lo = k - hi * _noise._TWO32
    m, neg = s.draw(ints, _noise.word(ints, s._keys, ints.words(hi), ints.words(lo)))
    n = xp.astype(m, ctx.dtype) * s._c
    n = xp.where(finite, xp.where(neg == 1, -n, n), 0.0)
    return run(s.s, ctx, t) * (n + 1.0)


_node.foreign_evaluator = evaluate
_node.torch_evaluator = evaluate_torch
