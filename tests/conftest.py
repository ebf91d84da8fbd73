"""Shared pytest setup for the core test files.

* ``tests/`` is put on ``sys.path`` so ``import strategies`` works under any
  ``--import-mode``.
* Hypothesis-based core tests are derandomized with bounded example counts
  (see ``strategies.examples``); set ``SCHEDALG_EXAMPLES_SCALE=10`` for a
  ten times more thorough (still deterministic) run.
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
