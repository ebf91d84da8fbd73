"""Plot schedules with matplotlib (the ``plot`` extra: ``pip install "schedalg[plot]"``).

matplotlib is imported when :func:`plot` is first called, not when this module
is, so ``schedalg.plot`` is always there to ask for; without matplotlib the call
raises :class:`ImportError` naming the extra.

The module itself is callable, ``schedalg.plot(...)`` is :func:`plot` whether
``schedalg.plot`` was reached as an attribute or imported as a submodule.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ._node import Schedule

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot"]

#: Longest default label; longer reprs are cut with an ellipsis.
_LABEL_CHARS = 48
#: Most points drawn per line: a longer range of steps is sampled evenly
#: (integer-valued schedules are drawn exactly at every change, see below).
_MAX_POINTS = 4096
#: Up to this many steps, an integer-valued schedule is evaluated at every step.
_MAX_EVERY = 1 << 17


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        msg = 'schedalg.plot needs matplotlib, the "plot" extra: pip install "schedalg[plot]"'
        raise ImportError(msg) from exc
    return plt


def _short_repr(s: Schedule) -> str:
    text = repr(s)
    if len(text) <= _LABEL_CHARS:
        return text
    return text[: _LABEL_CHARS - 3] + "..."


def _steps_array(steps: Any) -> np.ndarray:
    if isinstance(steps, bool):
        msg = f"steps must be a positive integer or an array of steps, got steps={steps!r}"
        raise TypeError(msg)
    if isinstance(steps, (int, np.integer)):
        if steps < 1:
            msg = f"steps must be a positive integer or an array of steps, got steps={steps!r}"
            raise ValueError(msg)
        n = int(steps)
        if n <= _MAX_POINTS:
            return np.arange(n, dtype=np.float64)
        # Evenly spaced integer steps, both ends included.
        return np.unique(np.linspace(0, n - 1, _MAX_POINTS).round())
    t = np.asarray(steps, dtype=np.float64)
    if t.ndim != 1 or t.size == 0:
        msg = f"steps must be a positive integer or a non-empty 1-D array of steps, got shape {t.shape}"
        raise ValueError(msg)
    return t


def plot(
    *schedules: Schedule,
    steps: int | Sequence[float] | np.ndarray,
    ax: Axes | None = None,
    labels: Sequence[str] | None = None,
    log: bool = False,
) -> Axes:
    """Draw schedules against the step, one line each, and return the Axes.

    Args:
        *schedules: the schedules to draw (at least one).
        steps: a number of steps ``n`` (drawn over ``0 .. n-1``; at most 4096
            evenly spaced points for a continuous schedule) or the 1-D array of
            steps to evaluate.
        ax: the matplotlib Axes to draw into; a new figure's when ``None``.
        labels: one legend label per schedule; by default each schedule's
            ``repr``, shortened.
        log: a logarithmic value axis.

    Returns:
        The ``matplotlib.axes.Axes`` drawn into.

    Integer-valued schedules (batch sizes, :func:`~schedalg.quantize`) are drawn
    as steps (``drawstyle="steps-post"``): a value holds until the next step.
    With an integer ``steps`` up to 131072, such a schedule is evaluated at
    every step, so no change of value is missed.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import schedalg as sa
    >>> ax = sa.plot(sa.cosine(1.0, 0.0, 100), sa.quantize(sa.linear(8, 64, 100), 8), steps=100)
    >>> len(ax.get_lines()), ax.get_lines()[1].get_drawstyle()
    (2, 'steps-post')
    """
    if not schedules:
        msg = "plot needs at least one schedule"
        raise TypeError(msg)
    for i, s in enumerate(schedules):
        if not isinstance(s, Schedule):
            msg = f"plot takes schedules, got {type(s).__name__} as schedule {i}"
            raise TypeError(msg)
    if labels is None:
        labels = [_short_repr(s) for s in schedules]
    else:
        labels = list(labels)
        if len(labels) != len(schedules):
            msg = f"labels must give one label per schedule ({len(schedules)}), got {len(labels)}"
            raise ValueError(msg)
    t = _steps_array(steps)
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
    for s, label in zip(schedules, labels):
        if s._integer:
            every = isinstance(steps, (int, np.integer)) and len(t) < steps <= _MAX_EVERY
            x = np.arange(int(steps), dtype=np.float64) if every else t
            ax.plot(x, s(x), label=label, drawstyle="steps-post")
        else:
            ax.plot(t, s(t), label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.legend(fontsize="small")
    return ax


def __dir__() -> list[str]:
    return list(__all__)


class _CallableModule(types.ModuleType):
    """This module's type: calling the module calls :func:`plot`."""

    def __call__(self, *schedules: Schedule, **kwargs: Any) -> Axes:
        return plot(*schedules, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
