"""A schedalg schedule as a braintools learning-rate scheduler (extra ``braintools``).

:class:`LRScheduler` subclasses ``braintools.optim.LRScheduler``, so any
braintools optimizer takes it as its ``lr``. Like every braintools scheduler it
holds a step counter (``last_epoch``) that its :meth:`~LRScheduler.step` advances;
the learning rate after ``k`` calls of ``step()`` is ``s(k)``, computed by the
schedule's array path (DESIGN principle 10) from a 0-d ``int32`` JAX counter. The
counter and the learning rate are JAX arrays from the start, so a training step
traced by ``brainstate.transform.jit`` is traced once and follows the schedule
at every later step.

>>> import schedalg as sa
>>> from schedalg.braintools import LRScheduler
>>> sched = LRScheduler(sa.cosine(0.1, 0.0, 10).warmup(2))
>>> float(sched.get_last_lr()[0])
0.0
>>> sched.step(); sched.step()
>>> round(float(sched.get_last_lr()[0]), 6)
0.1
"""

from __future__ import annotations

from typing import Any, Sequence

try:
    import braintools.optim as _optim
    import jax.numpy as jnp
except ImportError as exc:  # pragma: no cover - exercised without the extra
    msg = f'schedalg.braintools needs braintools and jax: pip install "schedalg[braintools]" ({exc})'
    raise ImportError(msg) from exc

from ._node import Schedule

__all__ = ["LRScheduler"]


class LRScheduler(_optim.LRScheduler):
    """``braintools.optim.LRScheduler`` driven by schedalg schedules.

    The learning rate of parameter group ``i`` after ``k`` calls of
    :meth:`step` is ``schedules[i](k)`` (``step(epoch)`` jumps to ``k = epoch``,
    as in braintools).

    Args:
        schedules: one schedule for every parameter group, or a list with one
            per group.
        last_epoch: the starting step ``k`` (to resume).
    """

    __module__ = "schedalg.braintools"

    def __init__(self, schedules: Schedule | Sequence[Schedule], last_epoch: int = 0) -> None:
        many = isinstance(schedules, (list, tuple))
        items = list(schedules) if many else [schedules]
        for i, s in enumerate(items):
            if not isinstance(s, Schedule):
                name = f"schedules[{i}]" if many else "schedules"
                msg = f"{name} must be a Schedule, got {name}={s!r} ({type(s).__name__})"
                raise TypeError(msg)
        if not items:
            msg = "schedules must hold at least one schedule, got schedules=[]"
            raise ValueError(msg)
        if isinstance(last_epoch, bool) or not isinstance(last_epoch, int) or last_epoch < 0:
            msg = f"last_epoch must be an integer >= 0, got last_epoch={last_epoch!r}"
            raise ValueError(msg)
        self.schedules = items
        super().__init__(base_lr=[float(s(0)) for s in items], last_epoch=last_epoch)
        # A JAX counter from the start: the traced step sees the same types at every call.
        self.last_epoch.value = jnp.asarray(last_epoch, dtype=jnp.int32)
        self._refresh_current_lrs()

    def get_lr(self) -> list[Any]:
        """The learning rate of every group at the current step: ``s(last_epoch)``."""
        k = jnp.asarray(self.last_epoch.value)
        lrs = [s(k) for s in self.schedules]
        n = len(self.base_lrs)
        # Groups added by the optimizer beyond the schedules given follow the last one.
        return lrs + [lrs[-1]] * (n - len(lrs))
