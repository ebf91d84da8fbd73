"""docs/torch.md runs as a doctest (its examples are the documentation's claims)."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

pytest.importorskip("torch")

DOC = Path(__file__).resolve().parent.parent / "docs" / "torch.md"


def test_docs_torch_md_examples():
    result = doctest.testfile(
        str(DOC),
        module_relative=False,
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
        verbose=False,
    )
    assert result.attempted > 20
    assert result.failed == 0
