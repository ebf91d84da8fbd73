"""A tour without any extra: compose schedules, evaluate them, and round-trip them as text and JSON.

    python examples/tour.py
"""

from __future__ import annotations

import json

import numpy as np

import schedalg as sa
from schedalg import presets


def main() -> None:
    total = 10_000
    # Learning rate: linear warmup, cosine decay to 10% of the peak.
    lr = sa.cosine(3e-4, 3e-5, steps=total - 500).warmup(500)
    # Batch size: grows from 64 to 1024 in multiples of 64 (integer-valued).
    batch_size = sa.quantize(sa.linear(64, 1024, steps=total), multiple=64)
    # Linear scaling rule: keep lr / batch size constant relative to 64.
    scaled_lr = lr * (batch_size / 64)
    # Momentum: down while the learning rate is high, 0.95 -> 0.85 -> 0.95.
    momentum = 0.95 - sa.triangular(0.0, 0.1, total)

    steps = [0, 250, 500, 2_500, 5_000, 7_500, 9_999]
    print(f"{'step':>6} {'lr':>12} {'batch':>6} {'scaled lr':>12} {'momentum':>9}")
    for t in steps:
        print(f"{t:>6} {lr(t):>12.6g} {batch_size(t):>6} {scaled_lr(t):>12.6g} {momentum(t):>9.4f}")

    curve = lr(np.arange(total))
    print(f"\nwhole curve in one call: {curve.shape[0]} values, peak {curve.max():.3g} at step {int(curve.argmax())}")

    print("\nAs construction code (sa.parse reads it back):")
    print(f"  {scaled_lr!r}")
    assert sa.parse(repr(scaled_lr)) == scaled_lr
    text = json.dumps(sa.to_dict(batch_size))
    print(f"As JSON: {text}")
    assert sa.from_dict(json.loads(text)) == batch_size

    # A PyTorch scheduler, rebuilt as a pure function: no optimizer, no stepping order.
    one_cycle = presets.one_cycle_lr(max_lr=0.1, total_steps=total)
    print(f"\nOneCycleLR as a schedule: {one_cycle!r}")
    print("  lr at steps 0, 2999, 9999:", [one_cycle(t) for t in (0, 2999, 9999)])

    # A metric-driven rule as a pure state transition: halve on a plateau of 2 epochs.
    rule = sa.Plateau(mode="min", factor=0.5, patience=2)
    state = rule.init()
    for epoch, loss in enumerate([2.0, 1.5, 1.2, 1.21, 1.22, 1.23, 1.1, 1.12]):
        state = rule.update(state, loss)
        print(f"  epoch {epoch}: loss {loss:.2f} -> lr scale {state.scale}")
    print(f"Plateau state as JSON: {json.dumps(state.to_dict())}")


if __name__ == "__main__":
    main()
