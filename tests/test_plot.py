"""schedalg.plot: one line per schedule, labels, integer schedules as steps, the lazy extra."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import schedalg as sa

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_one_line_per_schedule_with_repr_labels_and_values():
    lr = sa.cosine(1.0, 0.0, 100).warmup(10)
    bs = sa.quantize(sa.linear(8, 64, 100), multiple=8)
    ax = sa.plot(lr, bs, steps=110)
    lines = ax.get_lines()
    assert len(lines) == 2
    assert [line.get_label() for line in lines] == [repr(lr), repr(bs)]
    x, y = lines[0].get_data()
    np.testing.assert_array_equal(x, np.arange(110))
    np.testing.assert_array_equal(y, lr(np.arange(110)))
    # The integer-valued schedule is drawn as steps, the float one as a line.
    assert lines[0].get_drawstyle() == "default"
    assert lines[1].get_drawstyle() == "steps-post"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [repr(lr), repr(bs)]


def test_given_axes_labels_log_and_step_array():
    fig, ax = plt.subplots()
    s = sa.exponential(1.0, 0.5)
    out = sa.plot(s, s * 2, steps=[0, 1, 2, 10], ax=ax, labels=["a", "b"], log=True)
    assert out is ax
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    assert ax.get_yscale() == "log"
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), [2.0, 1.0, 0.5, 2.0**-9])


def test_long_horizons_are_sampled_but_integer_changes_are_not_missed():
    lr = sa.linear(1.0, 0.0, 10**7)
    ax = sa.plot(lr, steps=10**7)
    x = ax.get_lines()[0].get_xdata()
    assert len(x) <= 4096 and x[0] == 0 and x[-1] == 10**7 - 1
    bs = sa.quantize(sa.linear(1, 50_000, 100_000))
    y = sa.plot(bs, steps=100_000).get_lines()[0].get_ydata()
    assert len(y) == 100_000 and len(np.unique(y)) == 50_000


def test_long_reprs_are_shortened():
    s = sa.sequence([sa.linear(0.0, 1.0, 10), sa.cosine(1.0, 0.0, 90), sa.constant(0.0)], [10, 100])
    (label,) = [line.get_label() for line in sa.plot(s, steps=200).get_lines()]
    assert label.endswith("...") and len(label) <= 48 and repr(s).startswith(label[:-3])


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((), {"steps": 10}, TypeError, "at least one schedule"),
        ((lambda t: t,), {"steps": 10}, TypeError, "got function as schedule 0"),
        ((sa.constant(1.0),), {"steps": 0}, ValueError, "steps=0"),
        ((sa.constant(1.0),), {"steps": [[1, 2]]}, ValueError, "1-D"),
        ((sa.constant(1.0),), {"steps": 10, "labels": ["a", "b"]}, ValueError, "one label per schedule"),
    ],
)
def test_bad_arguments(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        sa.plot(*args, **kwargs)


def test_the_submodule_is_callable_too_and_lists_only_plot():
    import schedalg.plot

    # `import schedalg.plot` may bind the package's attribute to the module;
    # the module is callable, so `sa.plot(...)` works either way.
    module = sys.modules["schedalg.plot"]
    assert len(module(sa.constant(1.0), steps=3).get_lines()) == 1
    assert dir(module) == ["plot"]


def test_without_matplotlib_the_error_names_the_extra(monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r'"plot" extra: pip install "schedalg\[plot\]"'):
        sa.plot(sa.constant(1.0), steps=3)


def test_import_schedalg_imports_no_optional_library():
    code = (
        "import sys, schedalg as sa\n"
        "assert hasattr(sa, 'plot') and not hasattr(sa, 'no_such_name')\n"
        "sa.plot; sa.presets\n"
        "bad = [m for m in ('torch', 'jax', 'keras', 'braintools', 'matplotlib') if m in sys.modules]\n"
        "assert not bad, bad\n"
        "assert all(not n.startswith('_') or n == '__version__' for n in dir(sa)), dir(sa)\n"
        "assert {'plot', 'presets', 'cosine', 'Schedule'} <= set(dir(sa))\n"
    )
    root = str(Path(sa.__file__).resolve().parent.parent)
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


def test_hasattr_never_raises_for_a_missing_extra(monkeypatch):
    # Through the module's __dict__: monkeypatch.delattr would itself trigger the lazy import.
    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.delitem(sys.modules, "schedalg.torch", raising=False)
    monkeypatch.delitem(vars(sa), "torch", raising=False)
    assert hasattr(sa, "torch") is False
    with pytest.raises(AttributeError, match=r"has no attribute .torch. \(.*schedalg\[torch\]"):
        sa.torch  # noqa: B018
