"""Record the differences between a preset and its oracle, for the closing notes.

With ``SCHEDALG_DIFF_REPORT=path`` set, every comparison of the preset oracle
tests appends one JSON line ``[module, test, max relative difference, max
absolute difference over the peak]`` to ``path``; without it nothing is
recorded. ``python tests/preset_diffs.py path`` prints the table per test.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np


def record(module: str, got: np.ndarray, want: np.ndarray) -> None:
    path = os.environ.get("SCHEDALG_DIFF_REPORT")
    if not path:
        return
    test = os.environ.get("PYTEST_CURRENT_TEST", "?").split("::")[-1].split(" ")[0].split("[")[0]
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    diff = np.abs(got - want)
    nonzero = want != 0
    rel = float(np.max(diff[nonzero] / np.abs(want[nonzero]), initial=0.0))
    peak = float(np.max(np.abs(want), initial=0.0))
    over_peak = float(np.max(diff, initial=0.0)) / peak if peak else 0.0
    with open(path, "a") as f:
        f.write(json.dumps([module.rsplit(".", 1)[-1], test, rel, over_peak]) + "\n")


def main(path: str) -> None:
    worst: dict[tuple[str, str], list[float]] = {}
    with open(path) as f:
        for line in f:
            module, test, rel, over_peak = json.loads(line)
            w = worst.setdefault((module, test), [0.0, 0.0, 0])
            w[0], w[1], w[2] = max(w[0], rel), max(w[1], over_peak), w[2] + 1
    print("| module | test | runs | max relative | max abs / peak |")
    print("| --- | --- | --- | --- | --- |")
    for (module, test), (rel, over_peak, n) in sorted(worst.items()):
        print(f"| {module} | {test} | {n} | {rel:.2e} | {over_peak:.2e} |")


if __name__ == "__main__":
    main(sys.argv[1])
