"""PyTorch adapters: :class:`ParamScheduler`, :class:`ScheduledBatchSampler`, :func:`lr_range_test`.

Requires the ``torch`` extra (``pip install torch`` first, then
``pip install "schedalg[torch]"``).

Step convention, for every adapter here: the global step ``k`` counts
``optimizer.step()`` calls (and batches) from 0. The value in force at the
``k``-th ``optimizer.step()`` is ``f(k)``: constructing a :class:`ParamScheduler`
writes ``f(0)``, and its ``k``-th ``step()`` (called after the ``k``-th
``optimizer.step()``, as torch asks) writes ``f(k)``; batch ``k`` of a
:class:`ScheduledBatchSampler` holds ``batch_size(k)`` samples over all replicas.

A schedule is also a plain callable, so it works wherever torch expects one:
``torch.optim.lr_scheduler.LambdaLR(opt, s)`` steps, saves and resumes as it
does with a lambda (the base lr multiplies ``s``).
"""

from __future__ import annotations

import copy
import itertools
import math
import numbers
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

try:
    import torch
    from torch.optim import Optimizer
    from torch.optim.lr_scheduler import LRScheduler
    from torch.utils.data import (
        BatchSampler,
        DataLoader,
        Dataset,
        DistributedSampler,
        Sampler,
    )
except ImportError as exc:  # pragma: no cover - exercised only without torch
    msg = 'schedalg.torch needs PyTorch: pip install torch, then pip install "schedalg[torch]"'
    raise ImportError(msg) from exc

import numpy as np

from ._node import Schedule
from .batching import BatchPlan, batch_plan
from .plateau import Plateau, PlateauState

__all__ = ["LRRangeResult", "ParamScheduler", "ScheduledBatchSampler", "lr_range_test", "scheduled_dataloader"]

_Tensor = torch.Tensor
#: The largest finite float: ``0.0 <= v <= _MAX`` is false for NaN, infinities and negatives.
_MAX = 1.7976931348623157e308


class _Target:
    """One scheduled slot: ``group[key]`` or element ``index`` of the tuple ``group[key]``.

    It holds the group's index, not the group: ``optimizer.load_state_dict``
    replaces the param-group dicts.
    """

    __slots__ = ("group_index", "index", "key", "scaled", "schedule")

    def __init__(self, group_index: int, key: str, index: int | None, schedule: Schedule, scaled: bool) -> None:
        self.group_index = group_index
        self.key = key
        self.index = index
        self.schedule = schedule
        self.scaled = scaled

    def name(self) -> str:
        where = self.key if self.index is None else f"{self.key}[{self.index}]"
        return f"{where} of param group {self.group_index}"


def _rebuild(old: Any, replace: dict[int, float]) -> Any:
    """``old`` (a tuple or list) with the elements at ``replace``'s indices replaced.

    Tensor elements are filled in place and kept; the container keeps its type.
    Returns ``old`` itself when nothing but tensors changed.
    """
    items = list(old)
    rebuilt = False
    for i, value in replace.items():
        item = items[i]
        if isinstance(item, _Tensor):
            item.fill_(value)
        else:
            items[i] = value
            rebuilt = True
    if not rebuilt:
        return old
    kind = type(old)
    if kind is tuple or kind is list:
        return kind(items)
    return kind(*items)  # a named tuple


class ParamScheduler(LRScheduler):
    """Drive any optimizer hyperparameter by a schedule of the step.

    ``ParamScheduler(opt, lr=s)`` writes ``s(0)`` into every param group's
    ``"lr"`` on construction and ``s(k)`` at its ``k``-th :meth:`step`, so the
    value in force at the ``k``-th ``optimizer.step()`` (0-based) is ``s(k)``.
    Call ``step()`` after ``optimizer.step()``, as with any torch scheduler.
    The values are absolute (not factors of the initial lr) and computed in
    closed form from the step alone, so a resumed run sees exactly the values of
    an uninterrupted one.

    Every keyword names a param-group key (``momentum``, ``betas``,
    ``weight_decay``, or any other key the optimizer has) and takes:

    * one schedule, for every param group;
    * a tuple, for a tuple-valued key such as Adam's ``betas``: one schedule or
      ``None`` (left alone) per element, e.g. ``betas=(b1, None)``;
    * a list with one entry per param group, each a schedule, such a tuple, or
      ``None`` (the group is left alone).

    Values are written in place: a tensor hyperparameter (tensor lr, tensor
    betas) is ``fill_``-ed, so its identity, dtype and device are kept (a
    compiled or CUDA-graph-captured optimizer step sees the new value); tuples
    are rebuilt keeping their type and unscheduled elements; no key is added to
    the param groups besides torch's own ``"initial_lr"``.

    With ``plateau``, ``step(metric)`` first feeds ``metric`` to the rule (and
    :meth:`observe` feeds it without advancing); the rule's ``scale``
    multiplies the ``lr`` schedule (and only it).

    It is a :class:`torch.optim.lr_scheduler.LRScheduler`: Lightning accepts it
    (``{"scheduler": sched, "interval": "step"}``), Hugging Face's ``Trainer``
    takes it in ``optimizers=(opt, sched)``, ``get_last_lr()`` gives the lrs
    last written (floats) and ``get_lr()`` the closed form at ``last_epoch``,
    so it also works inside torch's ``SequentialLR`` (it restarts at 0 at its
    milestone).

    Args:
        optimizer: the optimizer whose param groups are written.
        lr: the learning rate schedule (or a list, one per group).
        momentum: the momentum schedule (SGD, RMSprop).
        betas: per element of Adam's ``betas``, a schedule or ``None``.
        weight_decay: the weight decay schedule.
        plateau: a :class:`~schedalg.Plateau` rule fed by ``step(metric)`` or
            :meth:`observe`; needs ``lr``.
        capturable: compute the values on the device, with no host sync.
            The step is then a 0-d int64 tensor on the device of the
            hyperparameters, every scheduled value must be a floating tensor
            on that device, and each :meth:`step` adds one to the step and
            writes ``f(step)``, computed by the schedule with that library's
            own operations in the dtype of the tensor it is written into (see
            :doc:`frameworks`): ``torch.compile(sched.step, fullgraph=True)``
            is one graph for every step, and a CUDA-graph capture of a
            capturable optimizer's ``step()`` followed by ``sched.step()``
            replays with the schedule moving on. Values are not checked
            (checking would sync): a schedule that gives NaN or a negative
            value writes it. ``get_last_lr()``, ``get_lr()``, ``last_epoch``
            and ``state_dict()`` read the step back to the host when called.
        **schedules: any other param-group key.

    Raises:
        KeyError: a key the param groups do not have, naming it.
        ValueError: a list whose length is not the number of param groups, a
            tuple whose length is not that of the group's value, no schedule at
            all; at a step, a value that is not finite or is negative (nothing
            is written then).
        TypeError: an entry that is not a schedule; with ``capturable``, a
            scheduled value that is not a floating tensor, or tensors on
            different devices.

    Example:
        >>> import torch
        >>> import schedalg as sa
        >>> from schedalg.torch import ParamScheduler
        >>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=1.0, momentum=0.9)
        >>> sched = ParamScheduler(opt, lr=sa.linear(0.1, 0.0, steps=10), momentum=sa.constant(0.8))
        >>> opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]
        (0.1, 0.8)
        >>> for _ in range(5):
        ...     opt.step()
        ...     sched.step()
        >>> sched.get_last_lr(), sched.state_dict()
        ([0.05], {'step': 5, 'plateau': None})
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr: Any = None,
        *,
        momentum: Any = None,
        betas: Any = None,
        weight_decay: Any = None,
        plateau: Plateau | None = None,
        capturable: bool = False,
        **schedules: Any,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            msg = f"optimizer must be a torch.optim.Optimizer, got optimizer={optimizer!r}"
            raise TypeError(msg)
        specs = {"lr": lr, "momentum": momentum, "betas": betas, "weight_decay": weight_decay, **schedules}
        specs = {key: spec for key, spec in specs.items() if spec is not None}
        if not specs:
            msg = "ParamScheduler needs at least one schedule (lr=..., momentum=..., betas=..., ...)"
            raise ValueError(msg)
        if plateau is not None and not isinstance(plateau, Plateau):
            msg = f"plateau must be a schedalg.Plateau, got plateau={plateau!r}"
            raise TypeError(msg)
        if plateau is not None and "lr" not in specs:
            msg = "plateau scales the lr schedule: pass lr=... with plateau"
            raise ValueError(msg)
        groups = optimizer.param_groups
        targets: list[_Target] = []
        for key, spec in specs.items():
            per_group = spec if isinstance(spec, list) else [spec] * len(groups)
            if len(per_group) != len(groups):
                msg = (
                    f"{key} must be one schedule or a list of one per param group ({len(groups)}), "
                    f"got a list of {len(per_group)}"
                )
                raise ValueError(msg)
            for i, (group, entry) in enumerate(zip(groups, per_group)):
                if key not in group:
                    keys = sorted(k for k in group if k != "params")
                    msg = f"param group {i} of {type(optimizer).__name__} has no key {key!r} (its keys: {keys})"
                    raise KeyError(msg)
                targets.extend(self._targets_for(group, i, key, entry, scaled=key == "lr"))
        self._plateau = plateau
        self._plateau_state: PlateauState | None = plateau.init() if plateau is not None else None
        self._scale = 1.0
        self._targets = targets
        #: Per param group, the position of its lr target in targets (or None).
        self._lr_positions: list[int | None] = [None] * len(groups)
        for j, t in enumerate(targets):
            if t.key == "lr":
                self._lr_positions[t.group_index] = j
        self._all_lr = None not in self._lr_positions
        # lr first, one per group (the common case): the last lrs are a slice of the values.
        self._lr_prefix = len(groups) if self._lr_positions == list(range(len(groups))) else 0
        self._compile()
        self._capturable = bool(capturable)
        if self._capturable:
            self._compile_device(groups)
        super().__init__(optimizer)

    @staticmethod
    def _targets_for(group: dict[str, Any], i: int, key: str, entry: Any, *, scaled: bool) -> list[_Target]:
        if entry is None:
            return []
        if isinstance(entry, Schedule):
            if isinstance(group[key], (tuple, list)):
                msg = (
                    f"{key} of param group {i} is a tuple: pass one schedule or None per element, "
                    f"e.g. {key}=(s, None)"
                )
                raise TypeError(msg)
            return [_Target(i, key, None, entry, scaled)]
        if isinstance(entry, tuple):
            value = group[key]
            if not isinstance(value, (tuple, list)):
                msg = f"{key} of param group {i} is not a tuple ({value!r}): pass one schedule, not a tuple"
                raise TypeError(msg)
            if len(entry) != len(value):
                msg = f"{key} of param group {i} has {len(value)} elements, got a tuple of {len(entry)} schedules"
                raise ValueError(msg)
            found = []
            for j, element in enumerate(entry):
                if element is None:
                    continue
                if not isinstance(element, Schedule):
                    msg = f"{key}[{j}] must be a schedule or None, got {element!r}"
                    raise TypeError(msg)
                found.append(_Target(i, key, j, element, scaled))
            return found
        msg = (
            f"{key} must be a schedule, a tuple of schedules or None, or a list of those per param group, "
            f"got {entry!r}"
        )
        raise TypeError(msg)

    # -- the values --------------------------------------------------------------------
    def _compile(self) -> None:
        """Lay the targets out for :meth:`_write`, the per-step hot path."""
        targets = self._targets
        # A schedule shared by several targets (one for all groups) is evaluated once per step.
        unique: dict[int, int] = {}
        for t in targets:
            unique.setdefault(id(t.schedule), len(unique))
        schedules = list({id(t.schedule): t.schedule for t in targets}.values())
        # Bound __call__ methods: calling them skips the type-slot lookup of calling an instance.
        self._calls = [s.__call__ for s in schedules]
        self._single = self._calls[0] if len(self._calls) == 1 else None
        self._shared = len(unique) < len(targets)
        # Integer schedules answer ints; every other schedule answers a float for an int step.
        self._integers = any(t.schedule._integer for t in targets)
        self._which = [unique[id(t.schedule)] for t in targets]
        self._scaled = [j for j, t in enumerate(targets) if t.scaled]
        self._scalar_slots = [(j, t.group_index, t.key) for j, t in enumerate(targets) if t.index is None]
        tuple_slots: dict[tuple[int, str], list[tuple[int, int]]] = {}
        for j, t in enumerate(targets):
            if t.index is not None:
                tuple_slots.setdefault((t.group_index, t.key), []).append((j, t.index))
        self._tuple_slots = [(i, key, slots) for (i, key), slots in tuple_slots.items()]

    def _compile_device(self, groups: list[dict[str, Any]]) -> None:
        """Check the targets of ``capturable=True`` and make the step and scale tensors."""
        device = None
        for t in self._targets:
            value = groups[t.group_index][t.key]
            if t.index is not None:
                value = value[t.index]
            if not isinstance(value, _Tensor) or not value.is_floating_point() or value.numel() != 1:
                msg = (
                    f"capturable=True writes into tensors: {t.name()} must be a floating tensor of one "
                    f"element, got {value!r} (create the optimizer with e.g. lr=torch.tensor(0.01))"
                )
                raise TypeError(msg)
            if device is None:
                device = value.device
            elif value.device != device:
                msg = f"capturable=True needs every scheduled tensor on one device: {t.name()} is on {value.device}, not {device}"
                raise TypeError(msg)
        self._step_tensor = torch.zeros((), dtype=torch.int64, device=device)
        self._scale_tensor = torch.ones((), dtype=torch.float64, device=device)
        self._schedules = list({id(t.schedule): t.schedule for t in self._targets}.values())

    def _write_device(self) -> None:
        """Write ``f(step)`` computed on the device from ``self._step_tensor`` (no host sync).

        Each schedule is evaluated once per dtype it is written in: the step is
        cast to that dtype, and a floating step keeps its dtype (DESIGN
        principle 10). Writes go through a one-element view: torch 2.13's
        Inductor drops in-place writes to 0-d float64 CPU tensors inside a
        compiled graph, and a view of shape ``(1,)`` is written correctly.
        """
        groups = self.optimizer.param_groups
        step = self._step_tensor
        computed: dict[tuple[int, torch.dtype], _Tensor] = {}
        for t, which in zip(self._targets, self._which):
            dest = groups[t.group_index][t.key]
            if t.index is not None:
                dest = dest[t.index]
            key = (which, dest.dtype)
            value = computed.get(key)
            if value is None:
                value = computed[key] = self._schedules[which](step.to(dest.dtype))
            if t.scaled:
                value = value * self._scale_tensor.to(dest.dtype)
            dest.view(1).copy_(value.reshape(1))

    def _values(self, step: int) -> list[float]:
        """``f(step)`` of every target as floats, the plateau scale applied, all checked."""
        if self._single is not None:
            values = [self._single(step)]
        else:
            values = [call(step) for call in self._calls]
        if self._shared:
            values = [values[i] for i in self._which]
        scale = self._scale
        if scale != 1.0:
            for j in self._scaled:
                values[j] *= scale
        if self._integers:
            values = [float(v) for v in values]
        for value in values:
            if not 0.0 <= value <= _MAX:
                self._refuse(values, step)
        return values

    def _refuse(self, values: list[float], step: int) -> None:
        for j, value in enumerate(values):
            if not 0.0 <= value <= _MAX:
                msg = (
                    f"the schedule for {self._targets[j].name()} gives {value!r} at step {step}; "
                    f"a hyperparameter must be finite and >= 0 (nothing was written)"
                )
                raise ValueError(msg)

    def _write(self, step: int) -> None:
        """Write ``f(step)`` into every target (all values are computed and checked first).

        Tensors are filled in place with a Python float (no host sync); a
        capturable variant would compute the values on the device instead.
        """
        if self._capturable:
            self._step_tensor.fill_(step)
            self._write_device()
            return
        values = self._values(step)
        groups = self.optimizer.param_groups
        for j, i, key in self._scalar_slots:
            group = groups[i]
            if group[key].__class__ is float:
                group[key] = values[j]
            elif isinstance(group[key], _Tensor):
                group[key].fill_(values[j])
            else:
                group[key] = values[j]
        for i, key, slots in self._tuple_slots:
            group = groups[i]
            group[key] = _rebuild(group[key], {index: values[j] for j, index in slots})
        if self._lr_prefix:
            self._last_lr = values[: self._lr_prefix]
        elif self._all_lr:
            self._last_lr = [values[j] for j in self._lr_positions]  # type: ignore[index]
        else:
            self._last_lr = [
                values[j] if j is not None else _plain(g["lr"]) for j, g in zip(self._lr_positions, groups)
            ]

    # -- the LRScheduler protocol ------------------------------------------------------
    def step(self, metric: Any = None) -> None:  # type: ignore[override]
        """Advance one step: write ``f(k)`` for the new step ``k`` into the param groups.

        Args:
            metric: fed to the plateau rule before the values are written
                (``ValueError`` without a plateau rule).
        """
        if metric is not None:
            self._feed(metric)
        if self._capturable:
            # No Python counter changes here: a compiled step would guard on it
            # and recompile at every step. The step lives on the device.
            self._step_tensor.add_(1)
            self._write_device()
            return
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            # torch's own check: the first value f(0) was never used
            warnings.warn(
                "ParamScheduler.step() was called before optimizer.step(): the value in force at the "
                "k-th optimizer.step() is f(k), so the first value f(0) is skipped",
                UserWarning,
                stacklevel=2,
            )
        self._step_count += 1
        self.last_epoch += 1
        self._write(self.last_epoch)

    def _initial_step(self) -> None:
        self._step_count = 0
        self.last_epoch += 1
        self._write(self.last_epoch)
        self._step_count = 1

    def _update_lr(self, epoch: int | None = None) -> None:
        # Called by torch's SequentialLR with epoch=0 at this scheduler's milestone.
        self.last_epoch = self.last_epoch + 1 if epoch is None else int(epoch)
        self._write(self.last_epoch)

    def _feed(self, metric: Any) -> None:
        if self._plateau is None:
            msg = (
                f"step(metric) feeds a plateau rule, and this ParamScheduler has none (plateau=None); "
                f"got metric={metric!r}"
            )
            raise ValueError(msg)
        assert self._plateau_state is not None
        self._plateau_state = self._plateau.update(self._plateau_state, metric)
        self._set_scale(self._plateau_state.scale)

    def _set_scale(self, scale: float) -> None:
        self._scale = scale
        if self._capturable:
            self._scale_tensor.fill_(scale)

    def observe(self, metric: Any) -> None:
        """Feed ``metric`` to the plateau rule without advancing the step, and rewrite ``f(k)``.

        ``step(metric)`` is ``observe(metric)`` followed by ``step()``. Use it where
        the metric comes at another rhythm than the optimizer steps, e.g. once per
        validation in Lightning (``self.lr_schedulers().observe(val_loss)`` in
        ``on_validation_epoch_end``) while the schedule steps every batch.
        """
        self._feed(metric)
        self._write(self.last_epoch)

    def get_lr(self) -> list[Any]:
        """The lr of every param group at ``last_epoch``, in closed form (unscheduled groups: their lr)."""
        values = self._values(max(self.last_epoch, 0))
        return [
            values[j] if j is not None else _plain(g["lr"])
            for j, g in zip(self._lr_positions, self.optimizer.param_groups)
        ]

    def get_last_lr(self) -> list[Any]:
        """The lrs last written, one float per param group (an unscheduled group: its current lr)."""
        if self._capturable:
            return self.get_lr()
        return list(self._last_lr)

    @property
    def last_epoch(self) -> int:
        """The step: how many times :meth:`step` has been called (read from the device when capturable)."""
        if self._capturable:
            return int(self._step_tensor)
        return self._last_epoch

    @last_epoch.setter
    def last_epoch(self, value: int) -> None:
        self._last_epoch = value
        if self._capturable:
            self._step_tensor.fill_(value)

    @property
    def plateau_state(self) -> PlateauState | None:
        """The plateau rule's current state (``None`` without a rule)."""
        return self._plateau_state

    def state_dict(self) -> dict[str, Any]:
        """``{"step": k, "plateau": state or None}``: builtins only, safe for ``torch.load(weights_only=True)``."""
        state = self._plateau_state
        return {"step": self.last_epoch, "plateau": None if state is None else state.to_dict()}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the step (and plateau state), and write ``f(step)`` at once."""
        if not isinstance(state_dict, dict) or "step" not in state_dict:
            msg = f"a ParamScheduler state dict has the keys 'step' and 'plateau', got {state_dict!r}"
            raise ValueError(msg)
        step = state_dict["step"]
        if not isinstance(step, numbers.Integral) or isinstance(step, bool) or step < 0:
            msg = f"step must be an integer >= 0, got step={step!r}"
            raise ValueError(msg)
        saved = state_dict.get("plateau")
        if (saved is None) != (self._plateau is None):
            has = "has" if self._plateau is not None else "has no"
            msg = f"this ParamScheduler {has} plateau rule, got a state dict with plateau={saved!r}"
            raise ValueError(msg)
        if saved is not None:
            self._plateau_state = PlateauState.from_dict(saved)
            self._set_scale(self._plateau_state.scale)
        self.last_epoch = int(step)
        self._write(self.last_epoch)


# -- batches -----------------------------------------------------------------------------
class ScheduledBatchSampler(BatchSampler):
    """Batches whose size follows a schedule of the global step.

    Batch ``k`` of the run (global step ``k``, counted across epochs) holds
    ``batch_size(k) // world_size`` indices drawn from ``sampler``, except the
    last batch of an epoch, which holds the indices that remain (or is dropped,
    with ``drop_last``). The epoch plan comes from
    :func:`schedalg.batching.batch_plan` with ``dataset_size = len(sampler) *
    world_size``: it is a pure function of the schedule, the sampler's length
    and ``drop_last``, so sizes never depend on ``num_workers``, prefetching or
    persistent workers, and every DDP rank (whose ``DistributedSampler`` has the
    same length) yields the same number of batches of the same sizes.

    Its position is the global step ``k``: iterating yields the rest of the
    epoch that holds ``k`` (from the batch at ``k``, mid-epoch included) and
    advances ``k`` by one per batch handed out; an epoch that was finished
    leaves ``k`` at the first step of the next. ``len()`` is the number of
    batches of the epoch that holds ``k``. At the start of each epoch the inner
    sampler's ``set_epoch`` (``DistributedSampler``'s) is called with it.

    Resume: ``load_state_dict({"step": k})`` alone puts it back at global step
    ``k``. A ``DataLoader`` with workers draws batches ahead of the training
    loop, so save the loop's own step counter (the number of optimizer steps
    taken), not this sampler's ``state_dict()``.

    Args:
        sampler: the index sampler (``RandomSampler``, ``DistributedSampler``,
            any sampler with a length).
        batch_size: the global batch size: an integer schedule (or an ``int``).
        drop_last: drop the partial last batch of every epoch.
        world_size: replicas that split every batch; each rank's sampler yields
            its share (``len(sampler)`` indices per epoch).

    Example:
        >>> import schedalg as sa
        >>> from torch.utils.data import SequentialSampler
        >>> bs = sa.quantize(sa.piecewise_constant([2], [4, 2]))
        >>> sampler = ScheduledBatchSampler(SequentialSampler(range(10)), bs)
        >>> list(sampler)
        [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
        >>> sampler.state_dict(), len(sampler)
        ({'epoch': 1, 'step': 3}, 5)
        >>> list(sampler)[:2]
        [[0, 1], [2, 3]]
    """

    def __init__(
        self, sampler: Sampler[int] | Iterable[int], batch_size: Any, drop_last: bool = False, world_size: int = 1
    ) -> None:
        # BatchSampler.__init__ would insist on an int batch size; the plan validates instead.
        if not hasattr(sampler, "__len__"):
            msg = f"sampler must have a length (an epoch is one pass over it), got sampler={sampler!r}"
            raise TypeError(msg)
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.world_size = world_size
        self._step = 0
        self._plan = self._make_plan()

    def _make_plan(self) -> BatchPlan:
        n = len(self.sampler)  # type: ignore[arg-type]
        if n <= 0:
            msg = f"sampler must yield at least one index per epoch, got len(sampler)={n}"
            raise ValueError(msg)
        return batch_plan(self.batch_size, n * _world(self.world_size), self.drop_last, self.world_size)

    @property
    def plan(self) -> BatchPlan:
        """The epoch plan (rebuilt if the sampler's length changed)."""
        plan = self._plan
        if plan.dataset_size != len(self.sampler) * plan.world_size:  # type: ignore[arg-type]
            plan = self._plan = self._make_plan()
        return plan

    @property
    def step(self) -> int:
        """The global step of the next batch."""
        return self._step

    @property
    def epoch(self) -> int:
        """The epoch that holds the next batch."""
        return self.plan.locate(self._step)[0]

    def __len__(self) -> int:
        plan = self.plan
        return plan.num_batches(plan.locate(self._step)[0])

    def __iter__(self) -> Iterator[list[int]]:
        plan = self.plan
        epoch, offset = plan.locate(self._step)
        sizes = plan.replica_sizes(epoch).tolist()
        set_epoch = getattr(self.sampler, "set_epoch", None)
        if callable(set_epoch):
            set_epoch(epoch)
        indices = iter(self.sampler)
        skip = sum(sizes[:offset])
        if skip:
            next(itertools.islice(indices, skip - 1, None), None)
        for size in sizes[offset:]:
            batch = list(itertools.islice(indices, size))
            if len(batch) < size:
                n = len(self.sampler)  # type: ignore[arg-type]
                msg = f"the sampler yielded fewer indices than its length {n} in epoch {epoch}"
                raise RuntimeError(msg)
            self._step += 1
            yield batch

    def set_epoch(self, epoch: int) -> None:
        """Move to the first step of ``epoch`` unless the position is already in it; pass it to the inner sampler."""
        plan = self.plan
        if plan.locate(self._step)[0] != epoch:
            self._step = plan.steps(epoch).start
        set_epoch = getattr(self.sampler, "set_epoch", None)
        if callable(set_epoch):
            set_epoch(epoch)

    def state_dict(self) -> dict[str, int]:
        """``{"epoch": e, "step": k}``: the position, JSON-safe."""
        return {"epoch": self.epoch, "step": self._step}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Resume at global step ``state_dict["step"]`` (the epoch follows from the plan)."""
        step = state_dict.get("step") if isinstance(state_dict, dict) else None
        if not isinstance(step, numbers.Integral) or isinstance(step, bool) or step < 0:
            msg = f"state_dict must hold 'step', an integer >= 0, got {state_dict!r}"
            raise ValueError(msg)
        self._step = int(step)


def _world(world_size: Any) -> int:
    if not isinstance(world_size, numbers.Integral) or isinstance(world_size, bool) or world_size <= 0:
        msg = f"world_size must be a positive integer, got world_size={world_size!r}"
        raise ValueError(msg)
    return int(world_size)


def scheduled_dataloader(
    dataset: Dataset[Any],
    batch_size: Any,
    *,
    shuffle: bool = True,
    seed: int = 0,
    drop_last: bool = False,
    world_size: int = 1,
    rank: int = 0,
    sampler: Sampler[int] | None = None,
    **loader_kwargs: Any,
) -> DataLoader[Any]:
    """A ``DataLoader`` whose batch size follows ``batch_size``, in one call.

    The index sampler is a ``DistributedSampler(dataset, world_size, rank,
    shuffle, seed)`` (so each epoch's order is a function of ``seed`` and the
    epoch: a resumed run draws the same batches), unless ``sampler`` is given;
    the batch sampler a :class:`ScheduledBatchSampler`, reachable as
    ``loader.batch_sampler``. Other keywords (``num_workers``, ``collate_fn``,
    ``pin_memory``, ...) go to ``DataLoader``.

    Example:
        >>> import schedalg as sa
        >>> loader = scheduled_dataloader(list(range(10)), sa.quantize(sa.linear(2, 6, 4)), shuffle=False)
        >>> [batch.tolist() for batch in loader]
        [[0, 1], [2, 3, 4], [5, 6, 7, 8], [9]]
    """
    if sampler is None:
        sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=shuffle, seed=seed)
    batches = ScheduledBatchSampler(sampler, batch_size, drop_last=drop_last, world_size=world_size)
    return DataLoader(dataset, batch_sampler=batches, **loader_kwargs)


# -- the LR range test -------------------------------------------------------------------
class LRRangeResult(NamedTuple):
    """The outcome of :func:`lr_range_test`.

    Attributes:
        lrs: the lr of every step taken (float64 array).
        losses: the raw loss of every step taken.
        suggestion: the lr at the steepest descent of the smoothed loss
            (``None`` with fewer than two finite losses).
    """

    lrs: np.ndarray
    losses: np.ndarray
    suggestion: float | None

    def plot(self, ax: Any = None) -> Any:
        """Plot loss against lr (log scale) with the suggestion marked; returns the matplotlib Axes."""
        try:
            import matplotlib.pyplot as plt
        except ImportError as exc:  # pragma: no cover - exercised only without matplotlib
            msg = 'LRRangeResult.plot needs matplotlib: pip install "schedalg[plot]"'
            raise ImportError(msg) from exc
        if ax is None:
            _, ax = plt.subplots()
        ax.plot(self.lrs, self.losses, label="loss")
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("loss")
        if self.suggestion is not None:
            ax.axvline(self.suggestion, color="tab:red", linestyle="--", label=f"suggestion {self.suggestion:.3g}")
        ax.legend()
        return ax


def _plain(value: Any) -> Any:
    return value.clone() if isinstance(value, _Tensor) else value


def _snapshot(value: Any) -> Any:
    if isinstance(value, _Tensor):
        return value.detach().clone()
    if isinstance(value, (tuple, list)):
        items = [_snapshot(v) for v in value]
        return type(value)(items) if type(value) in (tuple, list) else type(value)(*items)
    return copy.deepcopy(value)


def _restore(original: Any, snapshot: Any) -> Any:
    """``original`` with ``snapshot``'s values: tensors copied in place (identity kept)."""
    if isinstance(original, _Tensor):
        with torch.no_grad():
            original.copy_(snapshot)
        return original
    if isinstance(original, (tuple, list)) and any(isinstance(v, _Tensor) for v in original):
        for o, s in zip(original, snapshot):
            _restore(o, s)
        return original
    return snapshot


def lr_range_test(
    model: torch.nn.Module,
    optimizer: Optimizer,
    loss_fn: Callable[[Any, Any], torch.Tensor],
    batches: Iterable[tuple[Any, Any]],
    start: float = 1e-7,
    end: float = 10.0,
    steps: int = 100,
    smooth: float = 0.98,
    diverge: float = 4.0,
) -> LRRangeResult:
    """The LR range test (fastai's and Lightning's ``lr_find``): train with an
    exponentially growing lr and watch the loss.

    Step ``k`` trains one batch at ``lrs[k] = start * (end / start) ** (k /
    (steps - 1))``, written by a :class:`ParamScheduler` driving
    ``sa.exponential(start, end / start, every=steps - 1)``. The loss is
    ``loss_fn(model(inputs), targets)`` for ``(inputs, targets)`` from
    ``batches`` (iterated again, or cycled if it is a one-shot iterator, when
    shorter than ``steps``). The smoothed loss is the bias-corrected moving
    average ``avg_k = smooth * avg_{k-1} + (1 - smooth) * loss_k``,
    ``smoothed_k = avg_k / (1 - smooth ** (k + 1))``; the test stops after the
    step whose smoothed loss exceeds ``diverge`` times the smallest so far (or
    whose loss is not finite). The model's parameters and buffers, its train
    mode, the optimizer's state and its param groups' values are restored
    afterwards (tensor hyperparameters in place).

    Returns:
        :class:`LRRangeResult` ``(lrs, losses, suggestion)``: the lrs and raw
        losses of the steps taken, and the lr where the smoothed loss falls
        fastest (its smallest derivative against ``log(lr)``).

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> model = torch.nn.Linear(4, 1)
        >>> opt = torch.optim.SGD(model.parameters(), lr=0.1)
        >>> x = torch.randn(64, 4)
        >>> y = x @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]])
        >>> result = lr_range_test(model, opt, torch.nn.functional.mse_loss, [(x, y)], 1e-4, 10.0, steps=50)
        >>> len(result.lrs) < 50, 1e-3 < result.suggestion < 1.0, opt.param_groups[0]["lr"]
        (True, True, 0.1)
    """
    if not isinstance(steps, numbers.Integral) or isinstance(steps, bool) or steps < 2:
        msg = f"steps must be an integer >= 2, got steps={steps!r}"
        raise ValueError(msg)
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, numbers.Real) or not 0.0 < value < math.inf:
            msg = f"{name} must be a finite number > 0, got {name}={value!r}"
            raise ValueError(msg)
    if not end > start:
        msg = f"end must be greater than start, got start={start!r} and end={end!r}"
        raise ValueError(msg)
    if not isinstance(smooth, numbers.Real) or not 0.0 <= smooth < 1.0:
        msg = f"smooth must be a number in [0, 1), got smooth={smooth!r}"
        raise ValueError(msg)
    if not isinstance(diverge, numbers.Real) or not 1.0 < diverge < math.inf:
        msg = f"diverge must be a finite number > 1, got diverge={diverge!r}"
        raise ValueError(msg)
    from .shapes import exponential

    model_state = copy.deepcopy(model.state_dict())
    was_training = model.training
    opt_state = {param: copy.deepcopy(state) for param, state in optimizer.state.items()}
    group_values = [{k: v for k, v in g.items() if k != "params"} for g in optimizer.param_groups]
    group_snapshots = [{k: _snapshot(v) for k, v in values.items()} for values in group_values]
    patched = "step" in vars(optimizer)

    lrs: list[float] = []
    losses: list[float] = []
    smoothed: list[float] = []
    try:
        sched = ParamScheduler(optimizer, lr=exponential(float(start), float(end) / float(start), every=steps - 1))
        model.train()
        stream = _cycle(batches)
        avg = 0.0
        best = math.inf
        for k in range(steps):
            inputs, targets = next(stream)
            lr = sched.get_last_lr()[0]
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            optimizer.step()
            value = float(loss.detach())
            lrs.append(lr)
            losses.append(value)
            if not math.isfinite(value):
                break
            avg = smooth * avg + (1.0 - smooth) * value
            current = avg / (1.0 - smooth ** (k + 1))
            smoothed.append(current)
            if k > 0 and current > diverge * best:
                break
            best = min(best, current)
            sched.step()
    finally:
        model.load_state_dict(model_state)
        model.train(was_training)
        optimizer.state.clear()
        optimizer.state.update(opt_state)
        for group, values, snaps in zip(optimizer.param_groups, group_values, group_snapshots):
            for key in [k for k in group if k != "params" and k not in values]:
                del group[key]  # initial_lr, added by the scheduler
            for key, value in values.items():
                group[key] = _restore(value, snaps[key])
        if not patched:
            vars(optimizer).pop("step", None)
        vars(optimizer).pop("_opt_called", None)

    suggestion = None
    if len(smoothed) >= 2:
        slope = np.gradient(np.asarray(smoothed), np.log(np.asarray(lrs[: len(smoothed)])))
        suggestion = float(lrs[int(np.argmin(slope))])
    return LRRangeResult(np.asarray(lrs, dtype=np.float64), np.asarray(losses, dtype=np.float64), suggestion)


def _cycle(batches: Iterable[Any]) -> Iterator[Any]:
    if iter(batches) is batches:  # a one-shot iterator: remember what it yields
        seen = []
        for item in batches:
            seen.append(item)
            yield item
        if not seen:
            msg = "batches yielded nothing"
            raise ValueError(msg)
        yield from itertools.cycle(seen)
        return
    while True:
        empty = True
        for item in batches:
            empty = False
            yield item
        if empty:
            msg = "batches yielded nothing"
            raise ValueError(msg)
