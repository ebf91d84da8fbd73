"""The examples: the extra-free tour, and the end-to-end demo in its quick mode."""

from __future__ import annotations

import runpy
from pathlib import Path

TOUR = Path(__file__).resolve().parent.parent / "examples" / "tour.py"


def test_tour_runs_and_prints_its_tables(capsys):
    runpy.run_path(str(TOUR), run_name="__main__")
    out = capsys.readouterr().out
    assert "whole curve in one call: 10000 values, peak 0.0003 at step 500" in out
    assert "lr at steps 0, 2999, 9999: [0.004, 0.1, 4e-07]" in out
    assert "epoch 5: loss 1.23 -> lr scale 0.5" in out
    # The batch-size column is integer-valued and ends at 1024.
    assert "  9999        3e-05   1024" in out
