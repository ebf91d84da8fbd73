"""Run every benchmark in one process and print one table.

    python benchmarks/run_all.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_adapters  # noqa: E402
import bench_core  # noqa: E402
import bench_noise  # noqa: E402
import bench_scaling  # noqa: E402
import bench_torch  # noqa: E402
from _timing import print_table  # noqa: E402


def main() -> None:
    rows = bench_core.rows() + bench_noise.rows() + bench_torch.rows() + bench_adapters.rows() + bench_scaling.rows()
    print_table("schedalg benchmarks (ratio = schedalg / baseline; lower is better)", rows)


if __name__ == "__main__":
    main()
