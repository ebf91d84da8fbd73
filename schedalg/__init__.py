"""schedalg: training schedules as immutable, pure, vectorized functions of the step.

>>> import schedalg as sa
>>> lr = sa.warmup(sa.cosine(3e-4, 3e-5, 9_000), 1_000)
>>> lr(0), lr(1_000), lr(10_000)
(0.0, 0.0003, 3e-05)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._node import Schedule
from .combinators import (
    clip,
    compose,
    cooldown,
    cyclical,
    delay,
    invert,
    maximum,
    minimum,
    per_epoch,
    quantize,
    scale,
    sequence,
    shift,
    stretch,
    warmup,
)
from ._noise import noise
from .functions import exp, log, power, tanh
from .shapes import (
    clock,
    constant,
    cosine,
    exponential,
    from_fn,
    inverse_sqrt,
    linear,
    piecewise_constant,
    piecewise_linear,
    polynomial,
    triangular,
)

from . import _xp  # noqa: E402, F401 - installs the array-library evaluation path (principle 10)

if TYPE_CHECKING:
    from . import presets
    from .batching import batch_plan
    from .plateau import Plateau, PlateauState
    from .text import from_dict, parse, to_dict

__version__ = "0.1.0"

__all__ = [
    "Schedule",
    # shapes
    "constant",
    "linear",
    "cosine",
    "exponential",
    "polynomial",
    "piecewise_constant",
    "piecewise_linear",
    "triangular",
    "inverse_sqrt",
    "from_fn",
    "clock",
    # functions of values
    "power",
    "exp",
    "log",
    "tanh",
    # combinators
    "warmup",
    "cooldown",
    "sequence",
    "cyclical",
    "scale",
    "invert",
    "quantize",
    "shift",
    "delay",
    "stretch",
    "per_epoch",
    "clip",
    "minimum",
    "maximum",
    "compose",
    "noise",
    # plateau
    "Plateau",
    "PlateauState",
    # text and data
    "parse",
    "to_dict",
    "from_dict",
    "batch_plan",
    # plotting (matplotlib, extra ``plot``, imported on first call)
    "plot",
    # optional submodules, imported on first use
    "presets",
]

_LAZY_SUBMODULES = ("presets", "torch", "braintools", "keras")
#: Names whose modules load on first use: text (ast, json) and the plateau rule
#: are not needed to build and evaluate schedules; ``plot`` is the function of
#: the submodule of the same name (which imports matplotlib only when called).
_LAZY_NAMES = {
    "parse": "text",
    "to_dict": "text",
    "from_dict": "text",
    "Plateau": "plateau",
    "PlateauState": "plateau",
    "batch_plan": "batching",
    "plot": "plot",
}


def __getattr__(name: str) -> Any:
    # Submodules with optional or heavier dependencies load on first access,
    # so ``import schedalg`` stays fast and never imports torch or matplotlib.
    # A submodule whose extra is missing answers AttributeError (naming the
    # extra), so ``hasattr(schedalg, name)`` is False instead of raising.
    import importlib

    if name in _LAZY_SUBMODULES:
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ImportError as exc:
            # hasattr() never raises (principle 9), and pickle's whichmodule,
            # which probes every module for a name, expects AttributeError;
            # ``import schedalg.<name>`` still raises the ImportError itself.
            msg = f"module {__name__!r} has no attribute {name!r} ({exc})"
            raise AttributeError(msg) from exc
    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY_NAMES[name]}"), name)
        globals()[name] = value
        return value
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    # Only the public names: not the private modules, not the typing imports.
    import importlib.util

    names = set(__all__) | {"__version__"}
    for name in _LAZY_SUBMODULES:
        # An optional submodule is listed when it and its extra are installed.
        if name not in names and importlib.util.find_spec(f"{__name__}.{name}") and importlib.util.find_spec(name):
            names.add(name)
    return sorted(names)
