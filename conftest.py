"""Root pytest setup: shared by the tests, the doctests of ``schedalg/`` and README.md.

* ``KERAS_BACKEND=jax`` (unless set): Keras reads it once, when first imported,
  and ``--doctest-modules`` imports ``schedalg/keras.py``; TensorFlow is not a
  dependency.
* ``jax_enable_x64`` is restored after every test, so a test that turns it on
  (to check the float64 path) cannot change the dtypes another one sees.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")


@pytest.fixture(autouse=True)
def _restore_jax_x64() -> Iterator[None]:
    if "jax" not in sys.modules:
        yield
        if "jax" in sys.modules:  # imported by this test: back to the default
            import jax

            jax.config.update("jax_enable_x64", False)
        return
    import jax

    before = jax.config.jax_enable_x64
    yield
    jax.config.update("jax_enable_x64", before)
