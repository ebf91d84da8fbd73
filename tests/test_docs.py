"""Every code block of README.md and docs/*.md runs.

``>>>`` blocks are doctests, collected by pytest itself (``--doctest-glob=*.md``
in pyproject.toml). This file runs the rest:

* ``python`` blocks without ``>>>`` are executed in order, sharing one namespace
  per file, as a reader would paste them;
* ``bash`` blocks: ``schedalg ...`` lines run through the command line's
  ``main`` (a ``text`` block right after is the first command's exact output),
  ``bash scripts/...`` lines name scripts that exist and parse, and
  ``pip install`` lines name extras that pyproject.toml defines;
* relative links and pictures point at files of the repository.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import runpy
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.S | re.M)


def blocks(path: Path) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(path.read_text())]


def _ids(paths):
    return [p.relative_to(ROOT).as_posix() for p in paths]


def _missing_modules(code: str) -> list[str]:
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    if "transformers" in names:
        names.add("accelerate")  # transformers.Trainer needs it, without importing it by name
    return sorted(n for n in names if importlib.util.find_spec(n) is None)


@pytest.mark.parametrize("path", DOCS, ids=_ids(DOCS))
def test_python_blocks_run(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": f"doc_{path.stem}"}
    ran = 0
    for i, (lang, code) in enumerate(blocks(path)):
        if lang != "python" or ">>>" in code:
            continue
        missing = _missing_modules(code)
        if missing:
            # Only Hugging Face's Trainer needs a package (accelerate) that the
            # test extra installs but a hand-made environment may lack.
            pytest.skip(f"{path.name} block {i} needs {', '.join(missing)}")
        exec(compile(code, f"{path.name}[block {i}]", "exec"), namespace)
        ran += 1
    if path.name == "README.md":
        assert ran >= 3  # the PyTorch loop, Lightning and Hugging Face


def test_every_block_is_runnable_or_known():
    for path in DOCS:
        for lang, code in blocks(path):
            assert lang in {"python", "bash", "text"}, f"{path.name}: a ```{lang} block is not run by any test"
            if lang == "python" and ">>>" in code:
                # A doctest block ends with a blank line (README convention),
                # so the last expected output never runs into the fence.
                assert code.endswith("\n\n"), f"{path.name}: doctest block without a closing blank line:\n{code}"


@pytest.mark.parametrize("path", DOCS, ids=_ids(DOCS))
def test_shell_blocks(path, tmp_path, monkeypatch, capsys):
    from schedalg.__main__ import main

    monkeypatch.chdir(tmp_path)
    pyproject = (ROOT / "pyproject.toml").read_text()
    found = blocks(path)
    for i, (lang, code) in enumerate(found):
        if lang != "bash":
            continue
        outputs = []
        for line in code.splitlines():
            words = shlex.split(line, comments=True)
            if not words:
                continue
            if words[0] == "schedalg":
                if words[1] == "demo":  # run in its quick mode by tests/test_examples.py
                    assert set(words[2:]) <= {"--quick"}
                    continue
                capsys.readouterr()
                assert main(words[1:]) == 0, line
                outputs.append(capsys.readouterr().out)
            elif words[0] == "bash":
                script = ROOT / words[1]
                assert script.is_file(), line
                subprocess.run(["bash", "-n", str(script)], check=True)
            elif words[:2] == ["pip", "install"]:
                for spec in words[2:]:
                    for extras in re.findall(r"\[([\w,]+)\]", spec):
                        for extra in extras.split(","):
                            assert re.search(rf"^{extra} = \[", pyproject, re.M), f"no extra {extra!r}: {line}"
            else:
                pytest.fail(f"{path.name}: a shell line no test runs: {line}")
        if i + 1 < len(found) and found[i + 1][0] == "text":
            assert outputs and outputs[0] == found[i + 1][1], f"{path.name}: the output shown is not the output"


@pytest.mark.parametrize("path", DOCS, ids=_ids(DOCS))
def test_relative_links_exist(path):
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text()):
        if "://" in target:
            continue
        assert (path.parent / target).exists(), f"{path.name} links to missing {target}"


def test_readme_sections():
    text = (ROOT / "README.md").read_text()
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert "Two commands for a fresh machine" in headings
    two = text.split("## Two commands for a fresh machine", 1)[1]
    assert "bash scripts/demo.sh" in two and "bash scripts/test.sh" in two
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
    # The performance table keeps its figures.
    assert "| figure | schedalg | baseline | ratio | target |" in text


def test_readme_figure_script(tmp_path):
    pytest.importorskip("matplotlib")
    committed = ROOT / "docs" / "schedules.png"
    assert committed.stat().st_size < 200_000
    out = tmp_path / "schedules.png"
    module = runpy.run_path(str(ROOT / "scripts" / "make_readme_figure.py"))
    assert module["main"](out) == out
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    lrs, batch_sizes = module["schedules"]()
    assert all(s._integer for s in batch_sizes.values())
    assert not any(s._integer for s in lrs.values())


def test_help_reads_well():
    """Every public callable of schedalg has a docstring of its own."""
    import pydoc

    import schedalg as sa

    for name in sa.__all__:
        obj = getattr(sa, name)
        if callable(obj):
            assert (obj.__doc__ or "").strip(), f"schedalg.{name} has no docstring"
    text = pydoc.render_doc(sa.plot, renderer=pydoc.plaintext)
    assert "Integer-valued schedules" in text
