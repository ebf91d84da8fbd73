"""docs/migrating.md: every table row names functions that exist, and its examples run.

The tables are parsed generically (every markdown table of the file, whichever library it
covers): the second column's backticked ``schedalg.`` (or ``presets.``, ``sa.``) names must
resolve to callables of schedalg; the first column's backticked library name must resolve in
the installed library when that library is installed (timm, for one, is not installed here).
A dotted library name resolves as it is; a bare one (``CosineLRScheduler(...)``) in one of the
modules that the section's text names in backticks (``keras.optimizers.schedules``). Every
public preset of every ``schedalg.presets`` module present must appear in some table.
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
#: The first identifier of a backticked cell, dotted or not (a library call).
CALL = re.compile(r"`([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)")
PREFIXES = {"schedalg.": "schedalg.", "presets.": "schedalg.presets.", "sa.": "schedalg."}


def tables(text):
    """``(line, header cells, [(line, cells), ...], section text)`` for each markdown table.

    The section text runs from the last ``#`` heading before the table to the table.
    """
    out = []
    lines = text.splitlines()
    section_start = 0
    i = 0
    while i < len(lines):
        if lines[i].startswith("#"):
            section_start = i
        if lines[i].lstrip().startswith("|") and i + 1 < len(lines) and re.match(r"^\s*\|[\s:|-]+\|\s*$", lines[i + 1]):
            header = cells(lines[i])
            rows = []
            j = i + 2
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                rows.append((j + 1, cells(lines[j])))
                j += 1
            out.append((i + 1, header, rows, "\n".join(lines[section_start:i])))
            i = j
        else:
            i += 1
    return out


def schedalg_names(cell):
    """The backticked schedalg names of a cell, spelled in full (``presets.x`` is ``schedalg.presets.x``)."""
    out = []
    for name in NAME.findall(cell):
        for prefix, full in PREFIXES.items():
            if name.startswith(prefix):
                out.append(full + name[len(prefix) :])
                break
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
ROWS = [(line, row, section) for _, _, rows, section in TABLES for line, row in rows]


def test_the_file_has_tables():
    assert len(TABLES) >= 4
    for line, header, rows, _ in TABLES:
        assert len(header) == 3, f"line {line}: a table has three columns, got {header}"
        assert header[1].lower() == "schedalg" and header[2].lower() == "differences", f"line {line}: header {header}"
        assert rows, f"line {line}: an empty table"


def installed(top):
    if importlib.util.find_spec(top) is None:
        return False
    if top == "keras":
        os.environ.setdefault("KERAS_BACKEND", "jax")
    return True


def library_object(name, section):
    """The installed library's object a cell names, or None when its library is not installed."""
    if "." in name:
        top = name.split(".")[0]
        return resolve(name) if installed(top) else None
    # a bare name: look it up in the modules the section names (`keras.optimizers.schedules`)
    candidates = [m for m in NAME.findall(section) if not m.startswith(("schedalg.", "presets.", "sa."))]
    candidates += [m.split(".")[0] for m in candidates]
    found_library = False
    for module in dict.fromkeys(candidates):
        if not installed(module.split(".")[0]):
            continue
        try:
            obj = resolve(module)
        except (ImportError, AttributeError):
            continue
        found_library = True
        if hasattr(obj, name):
            return getattr(obj, name)
    if found_library:
        raise AttributeError(f"{name} is in none of the installed modules {candidates}")
    return None


@pytest.mark.parametrize(("line", "row", "section"), ROWS, ids=[f"line{line}" for line, _, _ in ROWS])
def test_row(line, row, section):
    assert len(row) == 3, f"line {line}: three cells expected, got {len(row)}"
    library, ours, differences = row
    assert differences, f"line {line}: the Differences cell is empty (write 'None.')"
    names = schedalg_names(ours)
    if not names and "no preset" in ours.lower():
        return  # a scheduler the table says is not ported: nothing to resolve
    assert names, f"line {line}: no backticked schedalg name in {ours!r} (nor 'no preset')"
    for name in names:
        assert callable(resolve(name)), f"line {line}: {name} is not callable"
    theirs = CALL.findall(library)
    assert theirs, f"line {line}: no backticked library name in {library!r}"
    if theirs[0].startswith("schedalg."):
        return
    try:
        library_object(theirs[0], section)
    except AttributeError as exc:
        pytest.fail(f"line {line}: {theirs[0]} is not in the installed library: {exc}")


def test_every_preset_is_in_a_table():
    from schedalg import presets

    documented = {n for _, row, _ in ROWS for n in schedalg_names(row[1])}
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
