"""A schedalg schedule as a Keras 3 learning-rate schedule (extra ``keras``).

:class:`LearningRateSchedule` subclasses
``keras.optimizers.schedules.LearningRateSchedule``: any Keras optimizer takes it
as its ``learning_rate``. Keras calls it with the optimizer's iteration count
``k`` (the number of updates applied so far) and the update uses ``s(k)``,
computed with the backend's own arrays (DESIGN principle 10: JAX arrays and
tracers, torch tensors; the numpy backend takes the numpy path). ``get_config``
and ``from_config`` go through :func:`schedalg.to_dict` and
:func:`schedalg.from_dict`, and the class is registered with Keras' serializer, so
a saved model's optimizer reloads with its schedule.

>>> import schedalg as sa
>>> from schedalg.keras import LearningRateSchedule
>>> lr = LearningRateSchedule(sa.cosine(0.1, 0.0, 100))
>>> round(float(lr(50)), 6)
0.05
>>> LearningRateSchedule.from_config(lr.get_config()).schedule == lr.schedule
True
"""

from __future__ import annotations

from typing import Any

try:
    import keras
except ImportError as exc:  # pragma: no cover - exercised without the extra
    msg = f'schedalg.keras needs Keras 3: pip install "schedalg[keras]" ({exc})'
    raise ImportError(msg) from exc

from ._node import Schedule

__all__ = ["LearningRateSchedule"]


@keras.saving.register_keras_serializable(package="schedalg")
class LearningRateSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """``keras.optimizers.schedules.LearningRateSchedule`` that evaluates a schedule.

    The learning rate of the update after ``k`` applied updates is ``s(k)``.

    Args:
        schedule: the schedule (serializable for ``get_config``; a ``from_fn``
            schedule works but cannot be saved).
    """

    def __init__(self, schedule: Schedule) -> None:
        if not isinstance(schedule, Schedule):
            msg = f"schedule must be a Schedule, got schedule={schedule!r} ({type(schedule).__name__})"
            raise TypeError(msg)
        self.schedule = schedule

    def __call__(self, step: Any) -> Any:
        """``s(step)`` as a backend tensor (a Keras variable is read first)."""
        if not isinstance(step, (int, float)):
            step = keras.ops.convert_to_tensor(step)
        return self.schedule(step)

    def get_config(self) -> dict[str, Any]:
        """``{"schedule": to_dict(schedule)}``: JSON-safe data."""
        from .text import to_dict

        return {"schedule": to_dict(self.schedule)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """The schedule of ``config["schedule"]``, read by :func:`schedalg.from_dict`."""
        from .text import from_dict

        return cls(from_dict(config["schedule"]))

    def __repr__(self) -> str:
        return f"LearningRateSchedule({self.schedule!r})"
