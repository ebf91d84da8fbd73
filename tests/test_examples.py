"""The examples: the extra-free tour, and the end-to-end demo in its quick mode."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

TOUR = Path(__file__).resolve().parent.parent / "examples" / "tour.py"


def test_tour_runs_and_prints_its_tables(capsys):
    runpy.run_path(str(TOUR), run_name="__main__")
    out = capsys.readouterr().out
    assert "whole curve in one call: 10000 values, peak 0.0003 at step 500" in out
    assert "lr at steps 0, 2999, 9999: [0.004, 0.1, 4e-07]" in out
    assert "epoch 5: loss 1.23 -> lr scale 0.5" in out
    # The batch-size column is integer-valued and ends at 1024.
    assert "  9999        3e-05   1024" in out


def test_demo_quick_mode_trains_resumes_exactly_and_writes_its_figure(tmp_path, capsys):
    pytest.importorskip("torch")
    pytest.importorskip("tqdm")
    pytest.importorskip("matplotlib")
    from schedalg._demo import run

    figure = run(quick=True, out=str(tmp_path))
    out = capsys.readouterr().out
    assert figure == str(tmp_path / "schedalg-demo.png")
    assert (tmp_path / "schedalg-demo.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "checkpoint.pt").is_file()
    # The demo raises if the resumed run differs; it says so when it does not.
    assert "Resumed at step 100 from" in out and "the same 100 losses, batch sizes and final weights" in out
    assert f"Figure (lr, momentum, batch size, loss against the step): {figure}" in out
    first, last = (float(x) for x in re.search(r"Loss ([\d.]+) -> ([\d.]+)", out).groups())
    assert last < first / 2


def test_demo_schedules_drive_the_optimizer_and_the_batches():
    from schedalg._demo import schedules

    plan = schedules(3000)
    assert plan["batch_size"]._integer
    assert plan["batch_size"](0) == 32 and plan["batch_size"](1800) == 256
    assert max(plan["lr"](range(3000))) == 0.2
    assert plan["momentum"](300) == 0.85 and plan["momentum"](2999) > 0.949
