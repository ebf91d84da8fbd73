"""The epoch plan of a batch-size schedule: :func:`batch_plan` (framework-free).

When the batch size follows a schedule, how many batches an epoch holds, and so
which global steps it spans, depends on every size before it. :class:`BatchPlan`
answers those questions as a pure function of the schedule, the dataset size,
``drop_last`` and the number of replicas; ``ScheduledBatchSampler``
(:mod:`schedalg.torch`) draws its batches from it, and a JAX or numpy loop that
slices its own arrays can use it directly.

Conventions:

* The global step ``k`` counts batches handed out since the start of the run,
  across epochs (one optimizer update per batch): batch ``k`` holds
  ``batch_size(k)`` samples in all, ``batch_size(k) // world_size`` on each
  replica.
* An epoch is one pass over ``dataset_size`` samples (``dataset_size //
  world_size`` per replica). It ends with the batch that reaches the end of the
  data; that last batch holds only the samples that remain (fewer than
  ``batch_size(k)`` when the sizes do not add up exactly), or, with
  ``drop_last``, is dropped and its step starts the next epoch instead.

Cost: epochs are laid out on first need, each with a few vectorized schedule
evaluations over its steps, and cached (O(epochs) once); locating a step is then
a bisection over the epoch starts (O(log epochs)).

This module depends on numpy only.
"""

from __future__ import annotations

import bisect
import functools
import numbers
from typing import Any

import numpy as np

__all__ = ["BatchPlan", "batch_plan"]

#: The largest number of steps evaluated at once while laying out an epoch.
_CHUNK = 1 << 16


def _positive_int(name: str, value: Any) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        msg = f"{name} must be a positive integer, got {name}={value!r}"
        raise TypeError(msg)
    if value <= 0:
        msg = f"{name} must be a positive integer, got {name}={value!r}"
        raise ValueError(msg)
    return int(value)


class BatchPlan:
    """How a batch-size schedule splits every epoch of a dataset into batches.

    Build it with :func:`batch_plan`. Every answer is a pure function of the
    arguments: asking in any order gives the same numbers.

    Attributes:
        batch_size: the global batch size, an integer schedule (or an ``int``).
        dataset_size: samples in one epoch, over all replicas.
        drop_last: whether a partial last batch is dropped.
        world_size: the number of replicas that split every batch.

    Example:
        Eleven samples, batches of 4 until step 2, then of 2:

        >>> import schedalg as sa
        >>> bs = sa.quantize(sa.piecewise_constant([2], [4, 2]))
        >>> plan = batch_plan(bs, 11)
        >>> plan.sizes(0), plan.sizes(1)
        (array([4, 4, 2, 1]), array([2, 2, 2, 2, 2, 1]))
        >>> plan.steps(0), plan.steps(1)
        (range(0, 4), range(4, 10))
        >>> plan.locate(5), plan.size(9)
        ((1, 1), 1)

        With ``drop_last`` the partial batch is dropped and its step starts
        the next epoch:

        >>> plan = batch_plan(bs, 11, drop_last=True)
        >>> plan.sizes(0), plan.steps(1)
        (array([4, 4, 2]), range(3, 8))
    """

    __slots__ = ("_last", "_per_replica", "_sizes", "_starts", "batch_size", "dataset_size", "drop_last", "world_size")

    def __init__(self, batch_size: Any, dataset_size: int, drop_last: bool = False, world_size: int = 1) -> None:
        from ._node import Schedule

        if not isinstance(batch_size, Schedule):
            batch_size = _positive_int("batch_size", batch_size)
        self.batch_size = batch_size
        self.dataset_size = _positive_int("dataset_size", dataset_size)
        if not isinstance(drop_last, bool):
            msg = f"drop_last must be a bool, got drop_last={drop_last!r}"
            raise TypeError(msg)
        self.drop_last = drop_last
        self.world_size = _positive_int("world_size", world_size)
        if self.dataset_size % self.world_size:
            msg = (
                f"dataset_size must be divisible by world_size (every replica sees as many samples), "
                f"got dataset_size={dataset_size!r} and world_size={world_size!r}"
            )
            raise ValueError(msg)
        self._per_replica = self.dataset_size // self.world_size
        #: ``_starts[e]`` is the first global step of epoch ``e``; one more entry than laid-out epochs.
        self._starts = [0]
        #: Per laid-out epoch, the global size of its last batch (partial or not).
        self._last: list[int] = []
        #: The sizes of the epoch asked last: (epoch, array).
        self._sizes: tuple[int, np.ndarray] | None = None

    def __repr__(self) -> str:
        return (
            f"batch_plan({self.batch_size!r}, {self.dataset_size!r}, drop_last={self.drop_last!r}, "
            f"world_size={self.world_size!r})"
        )

    # -- the schedule, validated --------------------------------------------------------
    def _values(self, start: int, stop: int) -> np.ndarray:
        """Global batch sizes at steps ``start .. stop - 1`` as int64, validated in step order."""
        if isinstance(self.batch_size, int):
            values = np.full(stop - start, self.batch_size, dtype=np.int64)
        else:
            raw = np.asarray(self.batch_size(np.arange(start, stop, dtype=np.int64)))
            values = raw.astype(np.int64) if raw.dtype.kind in "iu" else None
            if values is None:
                whole = np.isfinite(raw) & (np.floor(raw) == raw) & (np.abs(raw) < 2.0**62)
                if not whole.all():
                    i = int(np.argmin(whole))
                    msg = (
                        f"batch_size must give whole numbers (use sa.quantize), got {float(raw[i])!r} at step {start + i}"
                    )
                    raise ValueError(msg)
                values = raw.astype(np.int64)
        bad = (values <= 0) | (values % self.world_size != 0)
        if bad.any():
            i = int(np.argmax(bad))
            if values[i] <= 0:
                msg = f"batch_size must be positive, got {int(values[i])} at step {start + i}"
            else:
                msg = (
                    f"batch_size must be divisible by world_size={self.world_size}, "
                    f"got {int(values[i])} at step {start + i}"
                )
            raise ValueError(msg)
        return values

    def _extend(self) -> None:
        """Lay out the next epoch."""
        start = self._starts[-1]
        n = self._per_replica
        w = self.world_size
        done = 0  # per-replica samples covered by earlier chunks of this epoch
        step = start
        chunk = min(_CHUNK, max(2, n * w // max(1, self._values(start, start + 1)[0]) + 2))
        while True:
            per = self._values(step, step + chunk) // w
            cum = np.cumsum(per) + done
            i = int(np.searchsorted(cum, n, side="left"))
            if i < chunk:
                before = int(cum[i - 1]) if i else done
                last = n - before  # per replica, 1 <= last <= per[i]
                if self.drop_last and last < per[i]:
                    if step + i == start:
                        msg = (
                            f"with drop_last=True epoch {len(self._last)} is empty: batch_size "
                            f"{int(per[i]) * w} at step {start} exceeds dataset_size={self.dataset_size}"
                        )
                        raise ValueError(msg)
                    self._starts.append(step + i)
                    self._last.append(int(per[i - 1]) * w if i else self._values(step - 1, step)[0])
                else:
                    self._starts.append(step + i + 1)
                    self._last.append(last * w)
                return
            done = int(cum[-1])
            step += chunk
            chunk = min(_CHUNK, chunk * 2)

    def _ensure_epoch(self, epoch: int) -> None:
        while len(self._last) <= epoch:
            self._extend()

    # -- questions -------------------------------------------------------------------
    def steps(self, epoch: int) -> range:
        """The global steps that epoch ``epoch`` spans (one batch per step)."""
        epoch = _index("epoch", epoch)
        self._ensure_epoch(epoch)
        return range(self._starts[epoch], self._starts[epoch + 1])

    def num_batches(self, epoch: int) -> int:
        """The number of batches of epoch ``epoch``."""
        return len(self.steps(epoch))

    def sizes(self, epoch: int) -> np.ndarray:
        """The global size of every batch of epoch ``epoch`` (int64; they add up to the
        epoch's samples, or less with ``drop_last``)."""
        epoch = _index("epoch", epoch)
        cached = self._sizes
        if cached is None or cached[0] != epoch:
            span = self.steps(epoch)
            sizes = self._values(span.start, span.stop)
            sizes[-1] = self._last[epoch]
            sizes.flags.writeable = False
            self._sizes = cached = (epoch, sizes)
        return cached[1].copy()

    def replica_sizes(self, epoch: int) -> np.ndarray:
        """The size of every batch of epoch ``epoch`` on one replica (``sizes // world_size``)."""
        return self.sizes(epoch) // self.world_size

    def locate(self, step: int) -> tuple[int, int]:
        """``(epoch, offset)`` of global step ``step``: it is batch ``offset`` of epoch ``epoch``."""
        step = _index("step", step)
        starts = self._starts
        while starts[-1] <= step:
            self._extend()
        epoch = bisect.bisect_right(starts, step) - 1
        return epoch, step - starts[epoch]

    def size(self, step: int) -> int:
        """The global size of the batch at global step ``step`` (the partial size at an epoch's end)."""
        epoch, _ = self.locate(step)
        if step + 1 == self._starts[epoch + 1]:
            return self._last[epoch]
        return int(self._values(step, step + 1)[0])


def _index(name: str, value: Any) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        msg = f"{name} must be an integer >= 0, got {name}={value!r}"
        raise TypeError(msg)
    if value < 0:
        msg = f"{name} must be an integer >= 0, got {name}={value!r}"
        raise ValueError(msg)
    return int(value)


@functools.lru_cache(maxsize=32)
def _cached_plan(batch_size: Any, dataset_size: int, drop_last: bool, world_size: int) -> BatchPlan:
    return BatchPlan(batch_size, dataset_size, drop_last, world_size)


def batch_plan(batch_size: Any, dataset_size: int, drop_last: bool = False, world_size: int = 1) -> BatchPlan:
    """The epoch plan of an integer batch-size schedule over a dataset.

    Batch ``k`` of the run (global step ``k``, counted across epochs) holds
    ``batch_size(k)`` samples, ``batch_size(k) // world_size`` on each replica,
    except the last batch of an epoch, which holds what remains of the
    ``dataset_size`` samples (or is dropped, with ``drop_last``, its step then
    starting the next epoch).

    Args:
        batch_size: the global batch size: an integer schedule (``sa.quantize``
            makes one), a schedule whose values are whole numbers, or an ``int``.
        dataset_size: samples per epoch over all replicas (a positive integer
            divisible by ``world_size``).
        drop_last: drop the partial last batch of every epoch.
        world_size: replicas that split every batch evenly.

    Returns:
        A :class:`BatchPlan`, shared between calls with the same arguments (the
        epochs it has laid out are cached).

    Raises:
        ValueError: a size that is not positive, not a whole number or not
            divisible by ``world_size``, naming the step (raised when that step
            is first laid out); an empty epoch with ``drop_last``.

    Example:
        >>> import schedalg as sa
        >>> bs = sa.quantize(sa.linear(64, 256, steps=10), multiple=64)
        >>> plan = batch_plan(bs, 1_000, world_size=4)
        >>> plan.sizes(0)
        array([ 64,  64, 128, 128, 128, 128, 192, 168])
        >>> plan.replica_sizes(0)
        array([16, 16, 32, 32, 32, 32, 48, 42])
        >>> plan.steps(1), plan.locate(9)
        (range(8, 13), (1, 1))
    """
    from ._node import Schedule

    if not isinstance(batch_size, Schedule):
        if not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool):
            msg = f"batch_size must be an integer schedule or an int, got batch_size={batch_size!r}"
            raise TypeError(msg)
        batch_size = _positive_int("batch_size", batch_size)
    # Validated before the cache, whose keys would take True for 1.
    dataset_size = _positive_int("dataset_size", dataset_size)
    world_size = _positive_int("world_size", world_size)
    if not isinstance(drop_last, bool):
        msg = f"drop_last must be a bool, got drop_last={drop_last!r}"
        raise TypeError(msg)
    return _cached_plan(batch_size, dataset_size, drop_last, world_size)
