"""End-to-end example: a small model trained with scheduled lr, momentum and batch size.

    python examples/demo.py [--quick] [--out DIR]

The same as ``python -m schedalg demo`` (the code is ``schedalg/_demo.py``, so it
also runs from an installed wheel). Needs the ``demo`` extra:
``pip install torch==2.13.0 && pip install "schedalg[demo]"``.
"""

from __future__ import annotations

import sys

from schedalg.__main__ import main

if __name__ == "__main__":
    sys.exit(main(["demo", *sys.argv[1:]]))
