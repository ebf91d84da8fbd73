"""The command line: ``python -m schedalg values|plot|demo``.

A few runs go through a real subprocess (exit status, one-line errors, no
traceback); the rest call ``main`` in this process, which is what the console
script runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import schedalg as sa
from schedalg.__main__ import main, parse_steps

EXPR = "warmup(cosine(0.1, 0.0, 900), 100)"


#: The schedalg under test, whatever the subprocess's working directory.
ROOT = str(Path(sa.__file__).resolve().parent.parent)


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "schedalg", *args], capture_output=True, text=True, timeout=120, cwd=cwd, env=env
    )


def test_values_table_through_python_m():
    proc = run("values", EXPR, "--steps", "0:1000:250")
    assert proc.returncode == 0, proc.stderr
    header, *rows = proc.stdout.splitlines()
    assert header.split() == ["step", "value"]
    table = [(int(a), float(b)) for a, b in (row.split() for row in rows)]
    s = sa.parse(EXPR)
    assert table == [(t, s(t)) for t in (0, 250, 500, 750)]


def test_hostile_expression_is_one_line_and_status_2(tmp_path):
    proc = run("values", "__import__('os').system('touch pwned')", "--steps", "0", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    assert not (tmp_path / "pwned").exists()
    assert len(proc.stderr.splitlines()) == 1
    assert proc.stderr.startswith("schedalg values: error: ") and "not allowed" in proc.stderr


def test_plot_writes_a_png_through_python_m(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "lr.png"
    proc = run("plot", EXPR, "quantize(linear(32, 256, 1000), 32)", "--steps", "1000", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert proc.stdout.strip() == f"wrote {out}"


def test_values_json_csv_and_file_input(tmp_path, capsys):
    s = sa.quantize(sa.linear(32, 512, 100), multiple=32)
    path = tmp_path / "bs.json"
    path.write_text(json.dumps(sa.to_dict(s)))
    assert main(["values", str(path), "--steps", "0,50,99.5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {"schedule": repr(s), "steps": [0, 50, 99.5], "values": [32, 256, 512]}
    assert main(["values", repr(s), "--steps", "0:100:50", "--csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["step,value", "0,32", "50,256"]


def test_steps_spec():
    assert parse_steps("0,10,100") == [0, 10, 100]
    assert parse_steps(" 5 ") == [5]
    assert parse_steps("0:1000:100") == list(range(0, 1000, 100))
    assert parse_steps("10:13") == [10, 11, 12]
    assert parse_steps("0:1:0.25") == [0, 0.25, 0.5, 0.75]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["values", "no_such_shape(1)", "--steps", "0"], "unknown function 'no_such_shape'"),
        (["values", "linear(1.0, 0.0, 0)", "--steps", "0"], "steps=0"),
        (["values", "linear(1.0, 0.0, 10)", "--steps", "0,-1"], "bad --steps '0,-1'"),
        (["values", "linear(1.0, 0.0, 10)", "--steps", "0:nan"], "bad --steps"),
        (["values", "linear(1.0, 0.0, 10)", "--steps", "1:2:0"], "step must be > 0"),
        (["values", "linear(1.0, 0.0, 10)", "--steps", "5:1"], "the range is empty"),
        (["values", "linear(1.0, 0.0, 10)", "--steps", "0:1e12"], "at most 1000000"),
        (["values", "linear(1.0, 0.0, 10)", "--steps", "1:2:3:4"], "start:stop"),
        (["values", "quantize(linear(1.0, 1e300, 10))", "--steps", "5"], "cannot evaluate"),
        (["values", "missing.json", "--steps", "0"], "cannot read 'missing.json'"),
        (["plot", "linear(1.0, 0.0, 10)", "--steps", "0", "-o", "x.png"], "bad --steps 0"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_status_2(args, message, capsys):
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1 and message in captured.err


def test_bad_json_file(tmp_path, capsys):
    path = tmp_path / "s.json"
    path.write_text('{"type": "no_such_node"}')
    assert main(["values", str(path), "--steps", "0"]) == 2
    assert "is not a schedule written by to_dict" in capsys.readouterr().err


def test_argparse_errors_are_one_line_and_status_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["values", EXPR])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "--steps" in err


def test_missing_plot_extra(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["plot", EXPR, "--steps", "10", "-o", str(tmp_path / "x.png")]) == 2
    assert 'the "plot" extra' in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_missing_demo_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch", None)
    assert main(["demo", "--quick"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and 'schedalg[demo]' in err and "torch==2.13.0" in err


def test_console_script_is_declared():
    import tomllib

    scripts = tomllib.loads((Path(ROOT) / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, name = scripts["schedalg"].partition(":")
    assert (module, name) == ("schedalg.__main__", "main")
