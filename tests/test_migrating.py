"""docs/migrating.md: every table row names functions that exist, and its examples run.

The tables are parsed generically (every markdown table of the file, whichever library it
covers): the second column's backticked ``schedalg.`` names must resolve to objects of
schedalg; the first column's backticked library name must resolve in the installed library
when that library is installed (timm, for one, is not installed here). Every public preset of
every ``schedalg.presets`` module present must appear in some table.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import os
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "migrating.md"
NAME = re.compile(r"`([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+)")


def tables(text):
    """``(line number, header cells, [(line number, cells), ...])`` for each markdown table."""
    out = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith("|") and i + 1 < len(lines) and re.match(r"^\s*\|[\s:|-]+\|\s*$", lines[i + 1]):
            header = cells(lines[i])
            rows = []
            j = i + 2
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                rows.append((j + 1, cells(lines[j])))
                j += 1
            out.append((i + 1, header, rows))
            i = j
        else:
            i += 1
    return out


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def resolve(dotted):
    """The object a dotted name names: the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for part in parts[i:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(dotted)


TABLES = tables(DOC.read_text(encoding="utf-8"))
ROWS = [(line, row) for _, _, rows in TABLES for line, row in rows]


def test_the_file_has_tables():
    assert len(TABLES) >= 4
    for line, header, rows in TABLES:
        assert len(header) == 3, f"line {line}: a table has three columns, got {header}"
        assert header[1] == "schedalg" and header[2] == "Differences", f"line {line}: header {header}"
        assert rows, f"line {line}: an empty table"


@pytest.mark.parametrize(("line", "row"), ROWS, ids=[f"line{line}" for line, _ in ROWS])
def test_row(line, row):
    assert len(row) == 3, f"line {line}: three cells expected, got {len(row)}"
    library, ours, differences = row
    assert differences, f"line {line}: the Differences cell is empty (write 'None.')"
    names = [n for n in NAME.findall(ours) if n.startswith("schedalg.")]
    assert names, f"line {line}: no backticked schedalg name in {ours!r}"
    for name in names:
        assert callable(resolve(name)), f"line {line}: {name} is not callable"
    theirs = NAME.findall(library)
    assert theirs, f"line {line}: no backticked library name in {library!r}"
    top = theirs[0].split(".")[0]
    if top == "schedalg" or importlib.util.find_spec(top) is None:
        return  # a recipe row, or a library not installed here (timm): its name is not checked
    if top == "keras":
        os.environ.setdefault("KERAS_BACKEND", "jax")
    try:
        resolve(theirs[0])
    except AttributeError as exc:
        pytest.fail(f"line {line}: {theirs[0]} is not in the installed {top}: {exc}")


def test_every_preset_is_in_a_table():
    from schedalg import presets

    documented = {n for _, row in ROWS for n in NAME.findall(row[1])}
    modules = ["torch", "bs_scheduler", "recipes"] + [m for m in presets._LIBRARY_MODULES if hasattr(presets, m)]
    missing = []
    for module in modules:
        for name in getattr(presets, module).__all__:
            if f"schedalg.presets.{module}.{name}" not in documented:
                missing.append(f"schedalg.presets.{module}.{name}")
    assert not missing, f"not in docs/migrating.md: {missing}"


def test_examples_run():
    result = doctest.testfile(str(DOC), module_relative=False, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0
