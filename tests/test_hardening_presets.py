"""Issue 11's preset reproductions, fixed in the core.

``presets.step_lr`` is ``exponential(..., staircase=True)``: its one-element
arrays took another numpy power kernel than its scalar calls (fixed in
``schedalg._math.array_math.pow``; the core test is in ``test_hardening.py``).
``presets.exponential_lr`` follows the core's overflow rule: a value that
overflows is ``inf`` in both paths.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from schedalg import presets


def test_step_lr_one_element_arrays_equal_scalar_calls():
    s = presets.step_lr(0.1, step_size=3, gamma=0.1)
    assert s(6) == 0.001
    assert s([6])[0] == s(6)
    assert s(np.array([6]))[0] == s(6)


@pytest.mark.parametrize("gamma", [float(g) for g in np.linspace(0.05, 0.95, 19)])
def test_step_lr_agrees_for_every_gamma(gamma):
    s = presets.step_lr(0.1, step_size=3, gamma=gamma)
    steps = list(range(0, 40))
    scalars = [s(t) for t in steps]
    assert [s([t])[0] for t in steps] == scalars
    assert s(np.array(steps)).tolist() == scalars


def test_exponential_lr_overflow_is_inf_in_both_paths():
    s = presets.exponential_lr(0.1, gamma=1.01)
    assert s(10**6) == math.inf
    assert s([10**6])[0] == math.inf
