"""Presets: other libraries' schedulers rebuilt from the algebra, and common recipes.

Every preset returns an ordinary schedule composed from the public algebra
(shapes and combinators), never a special class: it prints as construction
code, compares structurally, and evaluates in closed form, O(1) in the step
(bisection over a table at most), with one documented exception: the
running products of :func:`~schedalg.presets.torch.multiplicative_lr` and
:func:`~schedalg.presets.bs_scheduler.multiplicative_bs` (cached). The
metric-driven schedulers (``reduce_lr_on_plateau``, ``increase_bs_on_plateau``,
``reduce_on_plateau_schedule``, ``greedy_schedule``) return a
:class:`~schedalg.Plateau` rule instead of a schedule.

One module per library, so a call is ported by renaming it: the function is
the library's class or function name in snake_case, with the library's
argument names and defaults, and the optimizer replaced by ``base_lr`` (a
dataloader by ``batch_size``):

* :mod:`schedalg.presets.torch`: ``torch.optim.lr_scheduler``;
* :mod:`schedalg.presets.bs_scheduler`: the ``bs-scheduler`` package;
* :mod:`schedalg.presets.recipes`: common recipes;
* :mod:`schedalg.presets.transformers`, ``timm``, ``optax``, ``keras``,
  ``braintools``: the other libraries, loaded on first access
  (``schedalg.presets.transformers``). They are pure schedalg: none imports
  its library.

The names of the first three modules are also available flat, as
``schedalg.presets.step_lr``, ``schedalg.presets.step_bs``,
``schedalg.presets.warmup_cosine``.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from . import bs_scheduler, recipes, torch
from .bs_scheduler import *  # noqa: F403
from .recipes import *  # noqa: F403
from .torch import *  # noqa: F403

__all__ = [*torch.__all__, *bs_scheduler.__all__, *recipes.__all__]

#: Per-library preset modules loaded on first attribute access.
_LIBRARY_MODULES = ("transformers", "timm", "optax", "keras", "braintools")


def __getattr__(name: str) -> Any:
    if name in _LIBRARY_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            msg = f"module {__name__!r} has no attribute {name!r} (its preset module is not installed)"
            raise AttributeError(msg) from None
        globals()[name] = module
        return module
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    present = {n for n in _LIBRARY_MODULES if importlib.util.find_spec(f"{__name__}.{n}") is not None}
    return sorted(set(globals()) | set(__all__) | present)
