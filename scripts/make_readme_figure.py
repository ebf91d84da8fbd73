"""Draws docs/schedules.png, the picture in README.md (needs the plot extra).

    python scripts/make_readme_figure.py [OUT.png]
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import schedalg as sa  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "docs" / "schedules.png"


def schedules() -> tuple[dict[str, sa.Schedule], dict[str, sa.Schedule]]:
    """The learning-rate and batch-size schedules drawn, by label."""
    total = 10_000
    warmup_cosine = sa.cosine(1.0, 0.05, total - 1_000).warmup(1_000)
    wsd = sa.cooldown(sa.constant(1.0).warmup(500), at=8_000, steps=2_000, shape="sqrt")
    sgdr = sa.cyclical(sa.cosine(1.0, 0.0, 1_000), period=1_000, period_mult=2, decay=0.7)
    one_cycle = sa.sequence([sa.cosine(0.04, 1.0, 3_000), sa.cosine(1.0, 0.0, 7_000)], [3_000])
    lrs = {
        "warmup(cosine(...), 1000)": warmup_cosine,
        "cooldown(..., shape='sqrt')  (WSD)": wsd,
        "cyclical(cosine, period_mult=2, decay=0.7)": sgdr,
        "sequence([cosine up, cosine down])  (1-cycle)": one_cycle,
    }
    ramp = sa.quantize(sa.linear(64, 1024, 6_000), multiple=64)
    mirrored = sa.quantize(sa.invert(sa.cosine(1.0, 0.0625, total)) * 64, multiple=64)
    steps = sa.quantize(sa.exponential(64, 2, every=2_500, staircase=True), high=1024)
    batch_sizes = {
        "quantize(linear(64, 1024, 6000), 64)": ramp,
        "quantize(64 / cosine(...), 64)": mirrored,
        "quantize(exponential(64, 2, every=2500, staircase=True), high=1024)": steps,
    }
    return lrs, batch_sizes


def main(out: Path = OUT) -> Path:
    lrs, batch_sizes = schedules()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4), layout="constrained")
    sa.plot(*lrs.values(), steps=10_000, ax=left, labels=list(lrs))
    left.set_title("learning rate (relative)", fontsize="medium")
    sa.plot(*batch_sizes.values(), steps=10_000, ax=right, labels=list(batch_sizes))
    right.set_title("batch size (integer schedules)", fontsize="medium")
    for ax in (left, right):
        ax.legend(fontsize="x-small", loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1, frameon=False)
        ax.grid(alpha=0.3)
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
