"""How schedalg's cost scales: many pieces, peak memory, huge steps, import time.

* a 10M-step ``cosine_annealing_warm_restarts(T_0=1000, T_mult=2)`` (14 cycles)
  against the one-piece ``np.where`` warmup+cosine expression;
* peak extra memory of a 10M-step call (tracemalloc) against its 80 MB output;
* the value at step 10**12 against step 10, for every node kind;
* ``import schedalg`` in a fresh interpreter, next to ``import numpy`` alone.

    python benchmarks/bench_scaling.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import median_seconds, print_table  # noqa: E402
from bench_core import hand_array  # noqa: E402

import schedalg as sa  # noqa: E402
from schedalg import presets  # noqa: E402

N = 10_000_000
ROOT = Path(__file__).resolve().parent.parent


def every_node_kind() -> dict[str, sa.Schedule]:
    base = sa.cosine(1.0, 0.1, 1_000)
    return {
        "constant": sa.constant(0.5),
        "linear": sa.linear(1.0, 0.0, 1_000),
        "cosine": base,
        "exponential": sa.exponential(1.0, 0.999),
        "exponential staircase": sa.exponential(1.0, 0.5, every=100, staircase=True),
        "polynomial": sa.polynomial(1.0, 0.0, 1_000, power=2.0),
        "piecewise_constant (20k)": sa.piecewise_constant(range(1, 20_001), [0.999**i for i in range(20_001)]),
        "piecewise_linear": sa.piecewise_linear([0, 10, 100, 1_000], [0.0, 1.0, 0.5, 0.1]),
        "triangular": sa.triangular(0.1, 1.0, 1_000),
        "inverse_sqrt": sa.inverse_sqrt(1.0, 100),
        "warmup": base.warmup(100),
        "cooldown": base.cooldown(500, 100),
        "sequence": sa.sequence([base, sa.linear(0.1, 0.0, 10), base], [1_000, 1_010]),
        "cyclical(period_mult=1)": sa.cyclical(base, 1_000, decay=0.9),
        "cyclical(period_mult=1.5)": sa.cyclical(base, 1_000, period_mult=1.5, decay=0.9),
        "scale": base * 3.0,
        "invert": sa.invert(base),
        "quantize": sa.quantize(base * 1_000, multiple=8),
        "shift": base.shift(10),
        "delay": base.delay(10),
        "stretch": base.stretch(3.0),
        "per_epoch": base.per_epoch(100),
        "clip": base.clip(0.2, 0.8),
        "minimum": sa.minimum(base, sa.constant(0.5)),
        "maximum": sa.maximum(base, sa.constant(0.5)),
        "arith (+)": base + sa.linear(0.0, 1.0, 100),
        "multistep_lr (20k milestones)": presets.multistep_lr(0.1, milestones=list(range(1, 20_001)), gamma=0.9999),
    }


def big_step_rows() -> list[tuple[str, float, float, str]]:
    rows = []
    for name, s in every_node_kind().items():
        far = median_seconds(lambda s=s: s(10**12), repeat=7, number=2_000)
        near = median_seconds(lambda s=s: s(10), repeat=7, number=2_000)
        rows.append((f"s(10**12) vs s(10): {name}", far, near, "<= 2x"))
    return rows


def extra_peak_bytes(s: sa.Schedule, t: np.ndarray) -> tuple[int, int]:
    tracemalloc.start()
    tracemalloc.reset_peak()
    before, _ = tracemalloc.get_traced_memory()
    out = s(t)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - before, out.nbytes


def import_seconds() -> tuple[float, float]:
    """Medians of ``import numpy`` and of ``import schedalg`` after it, in fresh interpreters.

    Both are timed in the same interpreter, so schedalg's own share is exact
    whatever numpy's import costs that time (it varies by tens of ms here).
    Users' imports read cached bytecode; an environment with
    PYTHONDONTWRITEBYTECODE (this sandbox sets it) would recompile schedalg on
    every start, so it is unset, and one import writes the cache first.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = (
        "import time; t0 = time.perf_counter(); import numpy; t1 = time.perf_counter(); "
        "import schedalg; t2 = time.perf_counter(); print(t1 - t0, t2 - t1)"
    )
    numpy_runs, own_runs = [], []
    for i in range(16):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env)
        if i >= 1:  # the first run writes the bytecode cache
            numpy_s, own_s = map(float, done.stdout.split())
            numpy_runs.append(numpy_s)
            own_runs.append(own_s)
    return statistics.median(numpy_runs), statistics.median(own_runs)


def rows() -> list[tuple[str, float, float, str]]:
    t = np.arange(N)
    restarts = presets.cosine_annealing_warm_restarts(1.0, T_0=1_000, T_mult=2)
    warmup_cosine = sa.cosine(3e-4, 3e-5, N).warmup(1_000)
    out: list[tuple[str, float, float, str]] = [
        (
            "10M warm restarts (14 cycles) vs one-piece np.where",
            median_seconds(lambda: restarts(t), repeat=5),
            median_seconds(lambda: hand_array(t), repeat=5),
            "<= 1.0x",
        )
    ]
    extra, output = extra_peak_bytes(warmup_cosine, t)
    # Bytes reported as "seconds" columns would mislead: print them apart.
    print(f"\npeak extra memory of a 10M-step call: {extra / 1e6:.1f} MB for an {output / 1e6:.0f} MB output "
          f"= {extra / output:.2f}x (target <= 1.5x)")
    out += big_step_rows()
    numpy_import, own_import = import_seconds()
    print(f"\nimport schedalg: {(numpy_import + own_import) * 1e3:.1f} ms in all = numpy {numpy_import * 1e3:.1f} ms "
          f"+ schedalg's own modules {own_import * 1e3:.1f} ms (target: <= 60 ms in all)")
    out.append(("import schedalg in all vs import numpy alone", numpy_import + own_import, numpy_import, "<= 60 ms total"))
    return out


def main() -> None:
    print_table("scaling (ratio = schedalg / baseline)", rows())


if __name__ == "__main__":
    main()
