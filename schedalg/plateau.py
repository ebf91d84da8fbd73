"""Metric-driven scaling as a pure rule: :class:`Plateau` and :class:`PlateauState`.

A plateau rule is the one part of a training schedule that depends on something
other than the step: a validation metric. schedalg keeps it pure by splitting it
in two values:

* :class:`Plateau`, the frozen *rule* (its arguments), and
* :class:`PlateauState`, the frozen *state* it threads through the run.

``rule.update(state, metric)`` returns a new state and never mutates anything;
``state.scale`` multiplies whatever schedule it is applied to. The decisions are
those of :class:`torch.optim.lr_scheduler.ReduceLROnPlateau` (``factor < 1``) and of
``bs_scheduler.IncreaseBSOnPlateau`` (``factor > 1``).

This module depends on the standard library only.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from typing import Any, Literal

__all__ = ["Plateau", "PlateauState"]

_STATE_KEYS = ("scale", "best", "num_bad_epochs", "cooldown_counter", "epoch")
#: State fields of greedy rules only, written by ``to_dict`` when not at their defaults.
_GREEDY_STATE_KEYS = ("num_good_epochs", "warmup_counter", "floor_hits", "window", "window_sum")
#: The fields of a Plateau rule, in order (its constructor's parameters).
_RULE_KEYS = (
    "mode",
    "factor",
    "patience",
    "threshold",
    "threshold_mode",
    "cooldown",
    "min_scale",
    "max_scale",
    "eps",
    "nan_policy",
    "greedy",
    "warmup",
    "reset_start",
    "smooth_window",
)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_int(name: str, value: Any) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        msg = f"{name} must be an integer >= 0, got {name}={value!r}"
        raise TypeError(msg)
    if value < 0:
        msg = f"{name} must be an integer >= 0, got {name}={value!r}"
        raise ValueError(msg)
    return int(value)


def _check_real(name: str, value: Any, *, what: str, ok: Any) -> float:
    if not _is_real(value):
        msg = f"{name} must be {what}, got {name}={value!r}"
        raise TypeError(msg)
    result = _as_float(value)
    if result is None or not ok(result):
        msg = f"{name} must be {what}, got {name}={value!r}"
        raise ValueError(msg)
    return result


def _as_float(value: Any) -> float | None:
    """``float(value)``, or None for an int too large for a float."""
    try:
        return float(value)
    except OverflowError:
        return None


def _encode_float(x: float) -> float | str:
    """A float as strict JSON data: finite floats as themselves, infinities and NaN as strings."""
    if math.isfinite(x):
        return x
    if x == math.inf:
        return "inf"
    if x == -math.inf:
        return "-inf"
    return "nan"  # a smoothing window of a greedy rule may hold NaN metrics (nan_policy="bad")


def _decode_float(name: str, x: Any, *, allow_nan: bool = False) -> float:
    if x == "inf":
        return math.inf
    if x == "-inf":
        return -math.inf
    if x == "nan" and allow_nan:
        return math.nan
    value = _as_float(x) if _is_real(x) else None
    if value is None or not math.isfinite(value):
        msg = f"{name} must be a finite number, 'inf' or '-inf', got {name}={x!r}"
        raise ValueError(msg)
    return value


@dataclasses.dataclass(frozen=True, slots=True)
class PlateauState:
    """The state a :class:`Plateau` rule threads through a run (frozen).

    Attributes:
        scale: the factor to multiply the schedule by (``1.0`` at the start).
        best: the best metric seen so far; ``inf`` (mode ``"min"``) or ``-inf``
            (mode ``"max"``) before the first metric, as torch's ``mode_worse``.
        num_bad_epochs: consecutive non-improving metrics since the last
            improvement, change or cooldown.
        cooldown_counter: metrics left in the current cooldown.
        epoch: how many metrics the rule has seen (torch's ``last_epoch``).
        num_good_epochs: consecutive improving metrics (greedy rules only).
        warmup_counter: metrics left in the current warmup after a raise
            (greedy rules only).
        floor_hits: reductions that ended at ``min_scale`` since the last
            raise or reset (greedy rules only).
        window: the last metrics of a smoothing window, oldest first, and
        window_sum: their running sum, added and subtracted as they come and
            go (greedy rules with ``smooth_window`` only).

    ``to_dict()`` returns strict JSON data (``json.dumps(d, allow_nan=False)``
    works): the infinities of ``best`` (and of ``scale``, should it overflow) are
    encoded as the strings ``"inf"`` and ``"-inf"``; ``from_dict`` reads them back.
    The fields of greedy rules are written only when they are not at their
    defaults (and may be left out when read).

    >>> import json
    >>> s = PlateauState(scale=0.1, best=float("inf"))
    >>> d = s.to_dict()
    >>> json.dumps(d, allow_nan=False)
    '{"scale": 0.1, "best": "inf", "num_bad_epochs": 0, "cooldown_counter": 0, "epoch": 0}'
    >>> PlateauState.from_dict(d) == s
    True
    """

    scale: float = 1.0
    best: float = math.inf
    num_bad_epochs: int = 0
    cooldown_counter: int = 0
    epoch: int = 0
    num_good_epochs: int = 0
    warmup_counter: int = 0
    floor_hits: int = 0
    window: tuple[float, ...] = ()
    window_sum: float = 0.0

    def __post_init__(self) -> None:
        scale = _check_real("scale", self.scale, what="a number >= 0", ok=lambda x: x >= 0.0)
        best = _check_real("best", self.best, what="a number (not NaN)", ok=lambda x: not math.isnan(x))
        object.__setattr__(self, "scale", scale)
        object.__setattr__(self, "best", best)
        for name in ("num_bad_epochs", "cooldown_counter", "epoch", "num_good_epochs", "warmup_counter", "floor_hits"):
            object.__setattr__(self, name, _check_int(name, getattr(self, name)))
        if not isinstance(self.window, (tuple, list)):
            msg = f"window must be a tuple of numbers, got window={self.window!r}"
            raise TypeError(msg)
        window = tuple(_check_real(f"window[{i}]", x, what="a number", ok=lambda x: True) for i, x in enumerate(self.window))
        object.__setattr__(self, "window", window)
        object.__setattr__(self, "window_sum", _check_real("window_sum", self.window_sum, what="a number", ok=lambda x: True))

    def to_dict(self) -> dict[str, Any]:
        """The state as strict JSON data (infinities as ``"inf"``/``"-inf"``)."""
        out: dict[str, Any] = {
            "scale": _encode_float(self.scale),
            "best": _encode_float(self.best),
            "num_bad_epochs": self.num_bad_epochs,
            "cooldown_counter": self.cooldown_counter,
            "epoch": self.epoch,
        }
        for name in ("num_good_epochs", "warmup_counter", "floor_hits"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.window:
            out["window"] = [_encode_float(x) for x in self.window]
            out["window_sum"] = _encode_float(self.window_sum)
        return out

    @classmethod
    def from_dict(cls, data: Any) -> PlateauState:
        """Read back the output of :meth:`to_dict`; unknown or missing keys raise ``ValueError``."""
        if not isinstance(data, dict):
            msg = f"a PlateauState dict must be a dict, got {type(data).__name__}"
            raise TypeError(msg)
        keys = set(data)
        if not set(_STATE_KEYS) <= keys <= set(_STATE_KEYS) | set(_GREEDY_STATE_KEYS):
            missing = sorted(set(_STATE_KEYS) - keys)
            unknown = sorted(map(str, keys - set(_STATE_KEYS) - set(_GREEDY_STATE_KEYS)))
            msg = (
                f"a PlateauState dict needs exactly the keys {list(_STATE_KEYS)} (and those of greedy rules, "
                f"{list(_GREEDY_STATE_KEYS)}); missing {missing}, unknown {unknown}"
            )
            raise ValueError(msg)
        window = data.get("window", [])
        if not isinstance(window, list):
            msg = f"window must be a list of numbers, got window={window!r}"
            raise ValueError(msg)
        return cls(
            scale=_decode_float("scale", data["scale"]),
            best=_decode_float("best", data["best"]),
            num_bad_epochs=data["num_bad_epochs"],
            cooldown_counter=data["cooldown_counter"],
            epoch=data["epoch"],
            num_good_epochs=data.get("num_good_epochs", 0),
            warmup_counter=data.get("warmup_counter", 0),
            floor_hits=data.get("floor_hits", 0),
            window=tuple(_decode_float(f"window[{i}]", x, allow_nan=True) for i, x in enumerate(window)),
            window_sum=_decode_float("window_sum", data.get("window_sum", 0.0), allow_nan=True),
        )


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class Plateau:
    """Scale a schedule when a metric stops improving (a pure, frozen rule).

    ``init()`` gives the starting :class:`PlateauState` (``scale == 1.0``);
    ``update(state, metric)`` returns the next one. Multiply a schedule by
    ``state.scale``. The decisions are those of torch's ``ReduceLROnPlateau``:

    1. The metric *improves* on ``best`` when, with ``thr = threshold``,
       ``metric < best * (1 - thr)`` (``mode="min"``, ``threshold_mode="rel"``),
       ``metric < best - thr`` (min, abs), ``metric > best * (1 + thr)`` (max, rel)
       or ``metric > best + thr`` (max, abs). An improvement sets ``best`` and
       resets ``num_bad_epochs``; otherwise ``num_bad_epochs += 1``. (As in torch,
       ``rel`` mode multiplies ``best`` whatever its sign.)
    2. While ``cooldown_counter > 0`` it is decremented and ``num_bad_epochs``
       reset: bad epochs in cooldown are ignored.
    3. When ``num_bad_epochs > patience`` the scale changes to
       ``max(scale * factor, min_scale)`` (``factor < 1``) or
       ``min(scale * factor, max_scale)`` (``factor > 1``), but only if it moves
       by more than ``eps``; then ``cooldown_counter = cooldown`` and
       ``num_bad_epochs = 0``.

    With ``greedy=True`` it is Hugging Face's two-way ``GreedyLR`` rule instead
    (``factor < 1``): while ``cooldown_counter > 0`` or ``warmup_counter > 0``
    the metric is ignored (that counter is decremented, both streaks reset,
    ``best`` kept); otherwise an improvement adds to ``num_good_epochs`` and a
    non-improvement to ``num_bad_epochs``, each resetting the other. When
    ``num_good_epochs > patience`` the scale *rises* to ``min(scale / factor,
    max_scale)`` (if by more than ``eps``), ``warmup`` metrics are then
    ignored and ``floor_hits`` resets; when ``num_bad_epochs > patience`` it
    falls as above, ``cooldown`` metrics are ignored, and a fall that leaves
    the scale at ``min_scale`` counts a floor hit: after ``reset_start`` of
    them the state restarts (``scale = 1``, ``best`` forgotten, the cooldown
    running). With ``smooth_window = w`` each metric is first replaced by
    the mean of the last ``w`` metrics (a running sum, as HF's
    ``StreamingAverage``).

    So with ``patience=p`` the first change happens at the ``p + 2``-th metric
    (the first sets the baseline). ``eps`` is in *scale* units: torch's ``eps``
    is in lr units, so ``ReduceLROnPlateau(opt, eps=e)`` with base lr ``lr0`` is
    ``Plateau(eps=e / lr0)`` and ``min_lr=m`` is ``min_scale=m / lr0``.

    Args:
        mode: ``"min"`` (lower metrics are better) or ``"max"``.
        factor: the multiplier applied on a plateau: ``< 1`` shrinks (learning
            rate), ``> 1`` grows (batch size, as ``IncreaseBSOnPlateau``); any
            positive number but 1.
        patience: bad epochs tolerated before the scale changes (integer >= 0).
        threshold: the margin that counts as an improvement (>= 0).
        threshold_mode: ``"rel"`` or ``"abs"``, see above.
        cooldown: metrics to ignore after a change (integer >= 0).
        min_scale: lower bound of the scale (a shrinking rule stops there).
        max_scale: upper bound of the scale (a growing rule stops there);
            ``inf`` by default.
        eps: smallest change of the scale that is applied (>= 0).
        nan_policy: ``"raise"`` (default): a NaN metric raises ``ValueError``
            (torch silently counts it as not better); ``"bad"``: count it as a
            bad epoch, which is exactly torch's behaviour.
        greedy: the two-way rule of Hugging Face's ``GreedyLR`` (see above).
        warmup: metrics to ignore after a rise (greedy rules only).
        reset_start: floor hits before the state restarts (greedy rules
            only; ``None``: never).
        smooth_window: average the last this many metrics (greedy rules
            only; ``None``: no smoothing).

    Equivalents:
        * ``ReduceLROnPlateau(opt, mode, factor, patience, threshold,
          threshold_mode, cooldown, min_lr, eps)`` with a constant base lr
          ``lr0``: ``lr0 * state.scale`` after each ``update`` equals the group's
          lr after each ``scheduler.step(metric)``, with
          ``Plateau(mode, factor, patience, threshold, threshold_mode, cooldown,
          min_scale=min_lr / lr0, eps=eps / lr0, nan_policy="bad")``.
        * ``IncreaseBSOnPlateau(loader, mode, factor, patience, threshold,
          threshold_mode, cooldown, max_batch_size=M)`` with loader batch size
          ``b``: ``Plateau(mode, factor, ..., max_scale=M / b)``; the batch size
          is ``min(round(b * state.scale), M)``. bs-scheduler rounds after every
          growth, so for factors where ``b * factor**k`` is not an integer its
          batch sizes can drift from ``round(b * factor**k)`` by rounding.
        * ``transformers.optimization.GreedyLR(opt, mode, factor, patience,
          threshold, threshold_mode, cooldown, warmup, min_lr, max_lr, eps,
          smooth=s, window_size=w, reset_start=r)``: ``Plateau(mode, factor,
          patience, threshold, threshold_mode, cooldown, min_scale=min_lr /
          lr0, max_scale=max_lr / lr0, eps=eps / lr0, nan_policy="bad",
          greedy=True, warmup=warmup, reset_start=r, smooth_window=w if s else
          None)`` (:func:`schedalg.presets.transformers.greedy_schedule`).

    A rule is a value: ``repr`` is construction code and it serializes like a
    schedule: ``schedalg.parse(repr(rule)) == rule`` and
    ``schedalg.from_dict(schedalg.to_dict(rule)) == rule`` (see
    :meth:`to_dict`).

    Example:
        >>> rule = Plateau(factor=0.5, patience=1)
        >>> rule  # doctest: +NORMALIZE_WHITESPACE
        Plateau(mode='min', factor=0.5, patience=1, threshold=0.0001, threshold_mode='rel',
                cooldown=0, min_scale=0.0, eps=1e-08, nan_policy='raise')
        >>> state = rule.init()
        >>> scales = []
        >>> for loss in [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8]:
        ...     state = rule.update(state, loss)
        ...     scales.append(state.scale)
        >>> scales
        [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
        >>> state.best, state.epoch
        (0.8, 7)
    """

    mode: Literal["min", "max"] = "min"
    factor: float = 0.1
    patience: int = 10
    threshold: float = 1e-4
    threshold_mode: Literal["rel", "abs"] = "rel"
    cooldown: int = 0
    min_scale: float = 0.0
    max_scale: float = math.inf
    eps: float = 1e-8
    nan_policy: Literal["raise", "bad"] = "raise"
    greedy: bool = False
    warmup: int = 0
    reset_start: int | None = None
    smooth_window: int | None = None

    def __post_init__(self) -> None:
        if self.mode not in ("min", "max"):
            msg = f"mode must be 'min' or 'max', got mode={self.mode!r}"
            raise ValueError(msg)
        if self.threshold_mode not in ("rel", "abs"):
            msg = f"threshold_mode must be 'rel' or 'abs', got threshold_mode={self.threshold_mode!r}"
            raise ValueError(msg)
        if self.nan_policy not in ("raise", "bad"):
            msg = f"nan_policy must be 'raise' or 'bad', got nan_policy={self.nan_policy!r}"
            raise ValueError(msg)
        finite = math.isfinite
        factor = _check_real(
            "factor", self.factor, what="a positive number != 1", ok=lambda x: finite(x) and x > 0.0 and x != 1.0
        )
        threshold = _check_real(
            "threshold", self.threshold, what="a finite number >= 0", ok=lambda x: finite(x) and x >= 0.0
        )
        min_scale = _check_real(
            "min_scale", self.min_scale, what="a finite number >= 0", ok=lambda x: finite(x) and x >= 0.0
        )
        max_scale = _check_real(
            "max_scale", self.max_scale, what="a positive number (inf allowed)", ok=lambda x: x > 0.0
        )
        eps = _check_real("eps", self.eps, what="a finite number >= 0", ok=lambda x: finite(x) and x >= 0.0)
        if min_scale > max_scale:
            msg = f"min_scale must be <= max_scale, got min_scale={self.min_scale!r} and max_scale={self.max_scale!r}"
            raise ValueError(msg)
        patience = _check_int("patience", self.patience)
        cooldown = _check_int("cooldown", self.cooldown)
        if not isinstance(self.greedy, bool):
            msg = f"greedy must be a bool, got greedy={self.greedy!r}"
            raise TypeError(msg)
        warmup = _check_int("warmup", self.warmup)
        reset_start = None if self.reset_start is None else _check_int("reset_start", self.reset_start)
        window = None if self.smooth_window is None else _check_int("smooth_window", self.smooth_window)
        if self.greedy:
            if factor >= 1.0:
                msg = f"a greedy rule needs factor < 1 (it divides by factor to raise), got factor={self.factor!r}"
                raise ValueError(msg)
            if window == 0:
                msg = f"smooth_window must be an integer >= 1, got smooth_window={self.smooth_window!r}"
                raise ValueError(msg)
        else:
            for name, value, default in (("warmup", warmup, 0), ("reset_start", reset_start, None), ("smooth_window", window, None)):
                if value != default:
                    msg = f"{name} applies to greedy rules only (greedy=True), got {name}={value!r}"
                    raise ValueError(msg)
        object.__setattr__(self, "warmup", warmup)
        object.__setattr__(self, "reset_start", reset_start)
        object.__setattr__(self, "smooth_window", window)
        for name, value in (
            ("factor", factor),
            ("threshold", threshold),
            ("min_scale", min_scale),
            ("max_scale", max_scale),
            ("eps", eps),
            ("patience", patience),
            ("cooldown", cooldown),
        ):
            object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        """Construction code: every field by keyword, but ``max_scale`` and the greedy fields at their defaults."""
        defaults = {"max_scale": math.inf, "greedy": False, "warmup": 0, "reset_start": None, "smooth_window": None}
        args = [
            f"{name}={getattr(self, name)!r}"
            for name in _RULE_KEYS
            if name not in defaults or getattr(self, name) != defaults[name]
        ]
        return f"Plateau({', '.join(args)})"

    def to_dict(self) -> dict[str, Any]:
        """The rule as strict JSON data: ``{"type": "Plateau", **fields}``.

        Every field is written, defaults included; an infinite ``max_scale``
        is the string ``"inf"`` (as :meth:`PlateauState.to_dict` writes
        infinities). :func:`schedalg.to_dict` gives the same dict.

        >>> Plateau(factor=0.5).to_dict()["max_scale"]
        'inf'
        >>> Plateau.from_dict(Plateau(factor=0.5).to_dict()) == Plateau(factor=0.5)
        True
        """
        out: dict[str, Any] = {"type": "Plateau"}
        for name in _RULE_KEYS:
            value = getattr(self, name)
            out[name] = _encode_float(value) if isinstance(value, float) else value
        return out

    @classmethod
    def from_dict(cls, data: Any) -> Plateau:
        """Read back :meth:`to_dict`'s output; fields left out take their defaults.

        Raises:
            ValueError: not a dict, a ``type`` other than ``"Plateau"``, an
                unknown key, a non-finite number other than ``"inf"`` for
                ``max_scale``, or a field the constructor rejects (its
                ``TypeError`` included).
        """
        if not isinstance(data, dict):
            msg = f"a Plateau dict must be a dict, got {type(data).__name__}"
            raise ValueError(msg)
        if data.get("type", "Plateau") != "Plateau":
            msg = f"a Plateau dict has type 'Plateau', got type={data.get('type')!r}"
            raise ValueError(msg)
        unknown = sorted(map(str, set(data) - {"type", *_RULE_KEYS}))
        if unknown:
            msg = f"unknown keys {unknown} for Plateau; its fields are {list(_RULE_KEYS)}"
            raise ValueError(msg)
        kwargs = {k: v for k, v in data.items() if k != "type"}
        if kwargs.get("max_scale") == "inf":
            kwargs["max_scale"] = math.inf
        try:
            return cls(**kwargs)
        except TypeError as exc:
            raise ValueError(str(exc)) from None

    def init(self) -> PlateauState:
        """The state before any metric: ``scale == 1.0`` and the worst possible ``best``."""
        return PlateauState(best=math.inf if self.mode == "min" else -math.inf)

    def is_better(self, metric: float, best: float) -> bool:
        """Whether ``metric`` improves on ``best`` under this rule's mode and threshold."""
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return metric < best * (1.0 - self.threshold)
            return metric < best - self.threshold
        if self.threshold_mode == "rel":
            return metric > best * (self.threshold + 1.0)
        return metric > best + self.threshold

    def update(self, state: PlateauState, metric: Any) -> PlateauState:
        """The state after observing ``metric`` (a real number or a 0-d tensor/array).

        Pure: ``state`` is not modified and the same inputs give the same output.

        Raises:
            ValueError: ``metric`` is NaN and ``nan_policy == "raise"``.
            TypeError: ``metric`` is not a number (``bool`` included).
        """
        if not isinstance(state, PlateauState):
            msg = f"state must be a PlateauState, got {type(state).__name__}"
            raise TypeError(msg)
        if isinstance(metric, (bool, str, bytes)):
            msg = f"metric must be a real number, got metric={metric!r}"
            raise TypeError(msg)
        try:
            current = float(metric)
        except OverflowError:
            msg = f"metric must be a number within the float range, got metric={metric!r}"
            raise ValueError(msg) from None
        except (TypeError, ValueError) as exc:
            msg = f"metric must be a real number, got metric={metric!r}"
            raise TypeError(msg) from exc
        if math.isnan(current) and self.nan_policy == "raise":
            msg = f"metric is NaN at epoch {state.epoch + 1}; pass nan_policy='bad' to count NaN as a bad epoch"
            raise ValueError(msg)

        if self.greedy:
            return self._update_greedy(state, current)
        best = state.best
        num_bad = state.num_bad_epochs
        cooldown_counter = state.cooldown_counter
        scale = state.scale
        if self.is_better(current, best):
            best = current
            num_bad = 0
        else:
            num_bad += 1
        if cooldown_counter > 0:
            cooldown_counter -= 1
            num_bad = 0
        if num_bad > self.patience:
            if self.factor < 1.0:
                new = max(scale * self.factor, self.min_scale)
                if scale - new > self.eps:
                    scale = new
            else:
                new = min(scale * self.factor, self.max_scale)
                if new - scale > self.eps:
                    scale = new
            cooldown_counter = self.cooldown
            num_bad = 0
        return PlateauState(
            scale=scale,
            best=best,
            num_bad_epochs=num_bad,
            cooldown_counter=cooldown_counter,
            epoch=state.epoch + 1,
        )

    def _update_greedy(self, state: PlateauState, current: float) -> PlateauState:
        """Hugging Face's ``GreedyLR`` step, in scale units (see the class docstring)."""
        window, window_sum = state.window, state.window_sum
        if self.smooth_window is not None:
            window = (*window, current)
            window_sum += current
            if len(window) > self.smooth_window:
                window_sum -= window[0]
                window = window[1:]
            current = window_sum / len(window)
        best, scale = state.best, state.scale
        bad, good = state.num_bad_epochs, state.num_good_epochs
        cooldown_counter, warmup_counter, floor_hits = state.cooldown_counter, state.warmup_counter, state.floor_hits
        epoch = state.epoch + 1
        if cooldown_counter > 0:
            cooldown_counter -= 1
            bad = good = 0
        elif warmup_counter > 0:
            warmup_counter -= 1
            bad = good = 0
        else:
            if self.is_better(current, best):
                best, bad, good = current, 0, good + 1
            else:
                bad, good = bad + 1, 0
            if good > self.patience:
                new = min(scale / self.factor, self.max_scale)
                if new - scale > self.eps:
                    scale = new
                floor_hits = 0
                warmup_counter, good = self.warmup, 0
            elif bad > self.patience:
                new = max(scale * self.factor, self.min_scale)
                if scale - new > self.eps:
                    scale = new
                cooldown_counter, bad = self.cooldown, 0
                if not scale > self.min_scale:
                    floor_hits += 1
                    if self.reset_start is not None and floor_hits >= self.reset_start:
                        # back to the start, but the cooldown begins (HF sets it after its reset)
                        return PlateauState(best=self.init().best, epoch=epoch, cooldown_counter=self.cooldown)
        return PlateauState(
            scale=scale,
            best=best,
            num_bad_epochs=bad,
            cooldown_counter=cooldown_counter,
            epoch=epoch,
            num_good_epochs=good,
            warmup_counter=warmup_counter,
            floor_hits=floor_hits,
            window=window,
            window_sum=window_sum,
        )
