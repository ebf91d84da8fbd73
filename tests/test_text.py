"""parse / to_dict / from_dict: round trips, the language's whitelist, hostile input.

The round-trip table covers every public constructor with every argument set to
a non-default value (checked below, so a new argument or constructor without a
table entry fails). Hostile inputs must raise ``ValueError`` -- never another
exception, never a side effect -- and do so quickly.
"""

from __future__ import annotations

import builtins
import dataclasses
import inspect
import json
import math
import pickle
import time
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedalg as sa
from schedalg import from_dict, parse, to_dict
from schedalg._node import CONSTRUCTORS, Schedule
from schedalg.combinators import arith
from schedalg.text import MAX_DEPTH, MAX_ITEMS, MAX_TEXT_LENGTH, MAX_TEXT_NESTING

SERIALIZABLE = sorted(set(CONSTRUCTORS) - {"from_fn"})
LIN = sa.linear(0.0, 1.0, 10)
COS = sa.cosine(1.0, 0.1, 1000)

# -- the table -----------------------------------------------------------------------------------------
TABLE: list[Schedule] = [
    # shapes
    sa.constant(0.5),
    sa.constant(-1.5),
    sa.constant(-0.0),
    sa.constant(5e-324),
    sa.constant(1.7976931348623157e308),
    sa.constant(0.1 + 0.2),
    sa.constant(-1e-300),
    LIN,
    sa.linear(-1.0, 2.5, 10.5),
    sa.linear(1e16, -3.0, 2**60),
    COS,
    sa.exponential(1.0, 0.5),
    sa.exponential(2.0, 0.9, every=10, staircase=True),
    sa.exponential(-1.0, 1.1, every=2.5),
    sa.polynomial(1.0, 0.0, 100),
    sa.polynomial(1.0, -0.5, 100, power=2.5),
    sa.piecewise_constant([10, 20], [1.0, 0.1, 0.01]),
    sa.piecewise_constant((1.5,), (1.0, -2.0)),
    sa.piecewise_linear([0, 10, 30], [0.0, 1.0, 0.0]),
    sa.piecewise_linear([2.5], [-3.0]),
    sa.triangular(0.0, 1.0, 10),
    sa.triangular(0.1, -1.0, 100.5, peak=0.3),
    sa.inverse_sqrt(1.0, 100),
    sa.inverse_sqrt(-0.5, 12.5),
    # combinators
    sa.warmup(COS, 10),
    sa.warmup(COS, 10.5, start=0.1, shape="cosine"),
    sa.warmup(COS, 7, start=0.01, shape="exponential"),
    sa.cooldown(sa.constant(1.0), at=10, steps=5),
    sa.cooldown(LIN, at=2.5, steps=5, end=0.1, shape="sqrt"),
    sa.cooldown(COS, at=0, steps=50, end=-1.0, shape="cosine"),
    sa.sequence([LIN, sa.constant(0.5), COS], [10, 20]),
    sa.sequence([LIN, sa.sequence([COS, LIN], [2.5])], [3.5]),  # kept nested: inexact offsets
    sa.sequence([sa.sequence([LIN, COS], [5]), sa.constant(2.0)], [10]),  # flattened
    sa.cyclical(LIN, 10),
    sa.cyclical(COS, 100, period_mult=2.0, decay=0.5),
    sa.scale(LIN, 3.0),
    sa.scale(sa.scale(LIN, 3.0), -7.0),
    sa.invert(LIN + 1),
    sa.invert(COS, 2.0),
    sa.invert(sa.constant(3.0)),
    sa.quantize(sa.linear(32.0, 100.0, 10)),
    sa.quantize(sa.linear(32.0, 100.0, 10), multiple=8, rounding="floor", low=-16, high=96),
    sa.quantize(sa.linear(32.0, 100.0, 10), rounding="half_up", high=50),
    sa.shift(LIN, 5),
    sa.shift(LIN, 2.5),
    sa.delay(LIN, 7),
    sa.delay(COS, 0.5),
    sa.stretch(LIN, 2.5),
    sa.per_epoch(LIN, 100),
    sa.per_epoch(LIN, 12.5),
    sa.clip(LIN, low=0.1, high=0.9),
    sa.clip(sa.quantize(COS * 100), low=1, high=5),
    sa.clip(LIN, high=-0.5),
    sa.clip(LIN, low=-2),
    sa.minimum(LIN, COS),
    sa.maximum(LIN, sa.constant(0.3)),
    sa.minimum(LIN, 0.5, COS),
    sa.maximum(-1.0, COS, LIN, sa.linear(0.5, 0.0, 7)),
    # operators
    LIN + 1,
    LIN + -1.0,
    1.0 - COS,
    -2.5 - COS,
    LIN - COS,
    LIN * COS,
    LIN / COS,
    LIN / 3.0,
    3.0 / COS,
    -COS,
    -(LIN + COS),
    (LIN + 1) * 3 - COS / 7,
    arith("+", LIN, arith("-", COS, -0.25)),
    # chains: one node each, infix up to 4 operands, a call beyond
    LIN + COS - 1.0,
    LIN * 0.9 * 0.9,
    LIN * 0.9 / 3.0 * COS,
    LIN / 3.0 * 0.9 * 0.9 * 0.9,
    1.0 + LIN + COS + LIN - 2.0 - COS,
    arith("+-+", 2.5, LIN, COS, 1.0),
    # deeper mixes
    sa.quantize(sa.invert(sa.warmup(COS, 100), 256.0), multiple=8, low=8),
    sa.cooldown(sa.cyclical(sa.triangular(0.1, 1.0, 50, peak=0.25), 50, decay=0.9).warmup(10), at=400, steps=100),
    sa.stretch(sa.per_epoch(sa.piecewise_constant([3, 6], [1.0, 0.1, 0.01]), 5), 2.0).shift(3).delay(4),
    # clock, functions of values, compose
    sa.clock(),
    0.1 / (1 + 0.5 * sa.clock() / 10),
    sa.power(COS, 2.5),
    LIN**-1,
    sa.power(sa.power(LIN, 2), 3),
    sa.exp(-LIN),
    sa.log(COS),
    sa.tanh(LIN * 6 - 3),
    sa.compose(COS, 1000 * sa.power(sa.clock() / 1000, 2.0)),
    sa.compose(sa.quantize(COS * 100), sa.triangular(0.0, 500.0, 100)),
    sa.noise(COS, 0.1),
    sa.noise(COS, 1.0, limit=0.67, seed=42),
    sa.noise(LIN, 0.3, limit=0.1, seed=2**63 - 1, kind="uniform"),
]


def node_classes() -> dict[str, type]:
    """Every registered node class, found through the Schedule class tree."""
    found: dict[str, type] = {}
    todo = [Schedule]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        name = cls.__dict__.get("_name")
        if isinstance(name, str) and name in CONSTRUCTORS:
            found[name] = cls
    return found


def walk(s: Schedule):
    """Every node of a schedule tree."""
    todo = [s]
    while todo:
        n = todo.pop()
        yield n
        for f in dataclasses.fields(n):
            if not f.init:
                continue
            v = getattr(n, f.name)
            items = v if isinstance(v, tuple) else (v,)
            todo.extend(x for x in items if isinstance(x, Schedule))


def via_json(s: Schedule) -> Schedule:
    return from_dict(json.loads(json.dumps(to_dict(s), allow_nan=False)))


# -- the table covers the language --------------------------------------------------------------------
def test_node_fields_are_constructor_parameters():
    classes = node_classes()
    assert set(classes) == set(CONSTRUCTORS)
    for name, cls in classes.items():
        fields = [f.name for f in dataclasses.fields(cls) if f.init]
        params = list(inspect.signature(CONSTRUCTORS[name]).parameters)
        assert fields == params, name
        assert "type" not in fields, name


def test_table_covers_every_constructor_with_every_argument_non_default():
    seen_all_non_default: set[str] = set()
    seen: set[str] = set()
    for s in TABLE:
        for n in walk(s):
            seen.add(n._name)
            optional = [f for f in dataclasses.fields(n) if f.init and f.default is not dataclasses.MISSING]
            if all(getattr(n, f.name) != f.default for f in optional):
                seen_all_non_default.add(n._name)
    assert seen == set(SERIALIZABLE)
    assert seen_all_non_default == set(SERIALIZABLE)


# -- round trips ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("s", TABLE, ids=[repr(s)[:60] for s in TABLE])
def test_repr_round_trip(s):
    back = parse(repr(s))
    assert back == s
    assert repr(back) == repr(s)
    assert type(back) is type(s)


@pytest.mark.parametrize("s", TABLE, ids=[repr(s)[:60] for s in TABLE])
def test_dict_round_trip(s):
    d = to_dict(s)
    text = json.dumps(d, allow_nan=False)
    back = from_dict(json.loads(text))
    assert back == s
    assert repr(back) == repr(s)
    # ints stay ints and floats stay bit-exact: the data itself round-trips
    assert json.dumps(to_dict(back), allow_nan=False) == text
    assert s.to_dict() == d


def test_round_trip_keeps_values_bit_exact():
    s = sa.sequence([sa.linear(0.1, 0.7, 3.3), sa.constant(1 / 3)], [3.3]).scale(0.1 + 0.2)
    for back in (parse(repr(s)), via_json(s)):
        assert [back(t) for t in (0, 1, 2.5, 3.3, 100)] == [s(t) for t in (0, 1, 2.5, 3.3, 100)]


def test_to_dict_format():
    s = sa.quantize(sa.warmup(sa.constant(0.5), 10) + 1, multiple=8)
    assert to_dict(s) == {
        "type": "quantize",
        "s": {
            "type": "arith",
            "op": "+",
            "a": {
                "type": "warmup",
                "s": {"type": "constant", "value": 0.5},
                "steps": 10,
                "start": 0.0,
                "shape": "linear",
            },
            "b": 1.0,
        },
        "multiple": 8,
        "rounding": "half_even",
        "low": None,
        "high": None,
    }
    seq = to_dict(sa.sequence([LIN, COS], [10]))
    assert isinstance(seq["schedules"], list) and isinstance(seq["boundaries"], list)
    assert type(seq["boundaries"][0]) is int


def test_to_dict_returns_fresh_plain_data():
    d = to_dict(TABLE[-1])
    todo = [d]
    while todo:
        v = todo.pop()
        assert type(v) in (dict, list, str, int, float, bool, type(None))
        if type(v) is dict:
            assert all(type(k) is str for k in v)
            todo.extend(v.values())
        elif type(v) is list:
            todo.extend(v)
    d["type"] = "mutated"
    assert to_dict(TABLE[-1])["type"] != "mutated"


def test_from_dict_fills_defaults():
    assert from_dict({"type": "exponential", "start": 1.0, "gamma": 0.5}) == sa.exponential(1.0, 0.5)
    assert from_dict({"type": "warmup", "s": {"type": "constant", "value": 1.0}, "steps": 4}) == sa.warmup(
        sa.constant(1.0), 4
    )


def test_readers_apply_simplification():
    assert parse("scale(scale(linear(0.0, 1.0, 10), 2.0), 3.0)") == sa.scale(LIN, 6.0)
    assert parse("invert(invert(linear(0.0, 1.0, 10)))") == LIN
    assert parse("linear(0.0, 1.0, 10) * 1") == LIN
    assert parse("2 * linear(0.0, 1.0, 10)") == sa.scale(LIN, 2.0)
    assert parse("--linear(0.0, 1.0, 10)") == LIN
    assert parse("+linear(0.0, 1.0, 10)") == LIN
    assert from_dict({"type": "scale", "s": to_dict(LIN), "k": 1.0}) == LIN


def test_parse_reads_the_whole_language():
    assert parse("  linear(\n    0.0,\n    1.0,  # start, end\n    10,\n)  ") == LIN
    assert parse("linear(start=0.0, end=1.0, steps=10)") == LIN
    assert parse("linear(0, 1, 10.0)") == LIN
    assert parse("linear(0, 0.5 + 0.5, 2 * 5)") == LIN
    assert parse("sequence([linear(0.0, 1.0, 10), constant(0.5)], [10])") == sa.sequence([LIN, sa.constant(0.5)], [10])
    assert parse("exponential(1.0, 0.5, staircase=True, every=2)") == sa.exponential(1.0, 0.5, 2, True)
    assert parse('warmup(constant(1.0), 5, shape="cosine")') == sa.warmup(sa.constant(1.0), 5, shape="cosine")
    assert parse("clip(linear(0.0, 1.0, 10), None, 0.5)") == sa.clip(LIN, high=0.5)
    assert parse("quantize(linear(0.0, 9.0, 9), low=-5)").low == -5
    assert type(parse("quantize(linear(0.0, 9.0, 9), low=-5)").low) is int
    assert parse("constant(-(-(2)))") == sa.constant(2.0)
    assert parse("constant(1 / 4 - 3)") == sa.constant(-2.75)
    assert parse("linear(0.0, 1.0, 10) - -1.0") == LIN - -1.0
    assert parse("arith('/', 1.0, linear(0.0, 1.0, 10) + 1)") == 1.0 / (LIN + 1)
    assert parse("constant(0x10)") == sa.constant(16.0)
    assert parse("constant(1_000.5)") == sa.constant(1000.5)
    assert parse("constant(1) \\\n + 1") == sa.constant(2.0)
    assert parse("warmup(constant(1.0), 5, shape='\\x63osine')") == sa.warmup(sa.constant(1.0), 5, shape="cosine")
    assert parse("warmup(constant(1.0), 5, shape=r'cosine')") == sa.warmup(sa.constant(1.0), 5, shape="cosine")


# -- limits at the edge: what must still be accepted -------------------------------------------------------
def _chain(n: int, step) -> Schedule:
    s = sa.linear(-1.0, -2.0, 10.5)
    for i in range(n - 1):
        s = step(s, i)
    return s


#: Steps that each add a level (a right operand nests; chains along the left
#: operand, scale chains and nested minima flatten into one node instead).
DEEP_STEPS = {
    "arith": lambda s, i: arith("-", -1.5, s) if i % 2 else arith("+", -2.5, s),
    "sequence": lambda s, i: sa.sequence([sa.constant(-1.0 - i), s], [0.5]),
    "shift": lambda s, i: sa.shift(s, 1.5),
    # the deepest text per level: an infix chain of 4 operands, signed
    # numbers, the nested schedule last
    "chain": lambda s, i: arith("-+-", -1.5, LIN, -2.5, s),
    "mixed": lambda s, i: (
        sa.sequence([sa.constant(-1.0 - i), s], [0.5]),
        -1.5 - s,
        sa.minimum(sa.constant(-3.0), s),
        sa.clip(s, -7, -1),
    )[i % 4],
}


@pytest.mark.parametrize("kind", sorted(DEEP_STEPS))
def test_depth_limit_is_exactly_max_depth(kind):
    deepest = _chain(MAX_DEPTH, DEEP_STEPS[kind])
    assert deepest._depth == MAX_DEPTH
    assert parse(repr(deepest)) == deepest
    assert via_json(deepest) == deepest
    assert pickle.loads(pickle.dumps(deepest)) == deepest
    # One level more is refused where it is built, so no reader ever meets it.
    with pytest.raises(ValueError, match="nested at most 64 levels deep.*got 65"):
        DEEP_STEPS[kind](deepest, MAX_DEPTH)
    with pytest.raises(ValueError, match="64 levels"):
        parse(f"shift({deepest!r}, 3.0)")
    with pytest.raises(ValueError, match="64 levels"):
        from_dict({"type": "shift", "s": to_dict(deepest), "steps": 3.0})


def test_long_but_shallow_input_is_accepted():
    n = 9_000
    text = f"piecewise_constant({list(range(1, n))}, {[0.5] * (n - 1) + [1.0]})"
    assert len(text) < MAX_TEXT_LENGTH
    s = parse(text)
    assert s(0) == 0.5 and s(n) == 1.0
    assert from_dict(to_dict(s)) == s


def test_redundant_brackets_within_the_nesting_bound_are_fine():
    assert parse("constant(" + "(" * 150 + "1.0" + ")" * 150 + ")") == sa.constant(1.0)
    assert parse("constant(" + "-" * 200 + "1.0)") == sa.constant(1.0)


# -- hostile text -------------------------------------------------------------------------------------------
HOSTILE_TEXT = [
    "().__class__.__bases__[0].__subclasses__()",
    "constant.__globals__",
    "linear(0, 1, 10).__class__",
    "linear(0, 1, 10)._at",
    "constant(1).s",
    "eval('1')",
    "exec('1')",
    "open('x')",
    "__import__('os')",
    "getattr(constant, '__globals__')",
    "constant(__builtins__)",
    "lambda: 1",
    "constant((lambda: 1)())",
    "[x for x in (1,)]",
    "constant([x for x in (1,)][0])",
    "{1: 2}",
    "{1}",
    "constant(sum(x for x in (1,)))",
    "f'{1}'",
    "constant(f'{1}')",
    "constant(b'1')",
    "constant(1j)",
    "constant(...)",
    "constant(x := 1)",
    "constant(1 if True else 2)",
    "constant(1 < 2)",
    "constant(not 1)",
    "constant(1 and 2)",
    "constant(~1)",
    "constant(1)[0]",
    "constant(1)(2)",
    "linear(*[0, 1, 10])",
    "linear(**{'start': 0})",
    "constant(1e999)",
    "constant(-1e999)",
    "constant(1e308 * 10)",
    "constant(1 / 0)",
    "constant(float('nan'))",
    "constant(float('inf'))",
    "constant(nan)",
    "constant(inf)",
    "constant(math.inf)",
    "constant(10**10000)",
    "constant(2**1000000)",
    "constant(9**9**9**9)",
    "constant(" + "9" * 400 + ")",
    "constant(" + "9" * 5000 + ")",
    "constant(1 // 2)",
    "constant(7 % 2)",
    "linear(0.0, 1.0, 10) @ linear(0.0, 1.0, 10)",
    "linear(0.0, 1.0, 10) ** 2",
    "linear(0.0, 1.0, 10) | linear(0.0, 1.0, 10)",
    "linear(0.0, 1.0, 10) << 1",
    "from_fn(abs)",
    "from_fn(lambda t: 1)",
    "sqrt_decay(1.0, 0.0, 10)",
    "Constant(1.0)",
    "Schedule()",
    "linear",
    "constant(linear)",
    "constant(1); constant(2)",
    "import os",
    "constant(1)\nconstant(2)",
    "constant(1) $",
    "constant('abc)",
    "constant(1",
    "constant(1))",
    "",
    "   \n  ",
    "1.0",
    "(1, 2)",
    "'constant(1)'",
    "None",
    "constant(1, 2)",
    "constant(value=1, value=2)",
    "linear(0, 1, 10, steps=3)",
    "constant(x=1)",
    "constant(True)",
    "constant('1')",
    "constant([1])",
    "linear(0.0, 1.0, 0)",
    "piecewise_constant([[1]], [1, 2])",
    "sequence([linear(0.0, 1.0, 10)], [10])",
    "linear(0.0, 1.0, 10) + 'a'",
    "linear(0.0, 1.0, 10) + None",
    "linear(0.0, 1.0, 10) + True",
    "-'a'",
    "constant(1)\x00",
    "constant(1if 1 else 2)",
    "constant(0x1for)",
    "warmup(constant(1.0), 5, shape='\\d')",
    "warmup(constant(1.0), 5, shape='\\N{BULLET}')",
    "\ufeffconstant(1)",
    "constant('\ud800')",
    "constant(1)\ud800",
    "constant(\u00b9)",
]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_hostile_text_raises_value_error(text):
    with pytest.raises(ValueError) as info:
        parse(text)
    assert str(info.value)
    assert parse_quietly(text) is None  # and without a warning


def test_code_injection_has_no_side_effect(tmp_path):
    target = tmp_path / "pwned"
    attempts = [
        f"__import__('os').system('touch {target}')",
        f"constant(__import__('os').system('touch {target}'))",
        f"open('{target}', 'w')",
        f"constant(open('{target}', 'w').write('x'))",
        f"warmup(constant(1.0), 10, shape=__import__('os').system('touch {target}'))",
        f"constant(1) + eval(\"__import__('os').system('touch {target}')\")",
    ]
    for text in attempts:
        with pytest.raises(ValueError):
            parse(text)
        with pytest.raises(ValueError):
            from_dict({"type": text})
    assert not target.exists()


def test_parse_never_evaluates(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("parse must not call eval/exec")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    for s in TABLE[:10]:
        assert parse(repr(s)) == s


def test_error_messages_name_the_problem_and_its_position():
    cases = {
        "linear(0.0, 1.0, 10).__class__": ("attribute", "line 1, column 21"),
        "constant(nan)": ("'nan'", "line 1, column 10"),
        "constant(1e999)": ("non-finite", "line 1, column 10"),
        "eval('1')": ("unknown function 'eval'", "line 1, column 1"),
        "linear(0.0, 1.0,\n  open('x'))": ("unknown function 'open'", "line 2, column 3"),
        "\n  linear(0.0, 1.0, 10)[0]": ("subscripts", "line 2, column 3"),
        "linear(0.0, 1.0, 0)": ("steps must be a positive number, got steps=0", "line 1, column 1"),
        "warmup(constant(1.0), 5, shape='cubic')": ("shape must be one of", "line 1, column 1"),
        "constant(1.0) ** 2": ("'**'", "line 1, column 15"),
        "constant(2) + lambda: 1": ("'lambda'", "line 1, column 15"),
        "constant(1.0, 2.0)": ("takes 1 positional argument", "line 1, column 1"),
        "constant(1,": ("never closed", "line 1, column 9"),
        "constant(1))": ("unmatched ')'", "line 1, column 12"),
        "constant(1) constant(2)": ("invalid syntax", "line 1"),
        "constant('\u00e9\u00e9', nan)": ("'nan'", "line 1, column 16"),  # columns count characters
        "from_fn(abs)": ("from_fn schedules wrap a Python callable", "line 1, column 1"),
    }
    for text, fragments in cases.items():
        with pytest.raises(ValueError) as info:
            parse(text)
        for fragment in fragments:
            assert fragment in str(info.value), (text, str(info.value))


def assert_fast_value_error(fn, arg, seconds: float = 2.0) -> ValueError:
    # CPU time of this process, so that other processes on the machine do not
    # count; a generous bound: the point is that the cost is bounded at all.
    start = time.process_time()
    with pytest.raises(ValueError) as info:
        fn(arg)
    assert time.process_time() - start < seconds
    return info.value


HUGE_TEXT = {
    "open parens": "(" * 100_000,
    "open brackets": "[" * 10**5,
    "nested calls": "constant(" * 5000,
    "balanced calls": "constant(" * 5000 + "1" + ")" * 5000,
    "balanced parens": "(" * 300 + "constant(1)" + ")" * 300,
    "unary minus": "-" * 50_000 + "1",
    "unary minus in call": "constant(" + "-" * 50_000 + "1)",
    "additions": "constant(" + "+".join(["1"] * 30_000) + ")",
    "schedule sums": " + ".join(["linear(0.0, 1.0, 10)"] * 4000),
    "call chain": "constant(1)" + "(1)" * 20_000,
    "subscript chain": "constant(1)" + "[0]" * 20_000,
    "attribute chain": "constant" + ".a" * 40_000,
    "too long": "constant(1.0)" + " " * MAX_TEXT_LENGTH,
    "too long number": "constant(" + "1" * (MAX_TEXT_LENGTH + 1) + ")",
    "long number": "constant(" + "1" * 90_000 + ")",
    "long float": "constant(" + "1" * 90_000 + ".5)",
    "deep schedules": "shift(" * 80 + "linear(0.0, 1.0, 10)" + ", 3.0)" * 80,
    "deep lists": "sequence(" + "[" * 1000,
    "deep dict": "{'a': " * 1000,
}


@pytest.mark.parametrize("name", sorted(HUGE_TEXT))
def test_huge_or_deep_text_fails_fast(name):
    error = assert_fast_value_error(parse, HUGE_TEXT[name])
    assert len(str(error)) < 2000


def test_nesting_bound_is_checked_before_ast_parse(monkeypatch):
    import ast

    calls = []
    real_parse = ast.parse

    def spy(*args, **kwargs):
        calls.append(args)
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(ast, "parse", spy)
    for text in ("(" * 100_000, "-" * 50_000 + "1", "constant(1)" + "(1)" * 20_000, "1+" * 30_000 + "1"):
        with pytest.raises(ValueError, match="nested too deeply"):
            parse(text)
    assert calls == []
    assert MAX_TEXT_NESTING >= 2 * MAX_DEPTH + 2


def test_parse_rejects_non_strings():
    # A TypeError: the argument is not text at all (a ValueError is for bad text).
    for bad in (b"constant(1)", None, 1.0, LIN, ["constant(1)"]):
        with pytest.raises(TypeError, match="expects a str"):
            parse(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="decode"):
        parse(b"constant(1)")  # type: ignore[arg-type]


# -- hostile data ---------------------------------------------------------------------------------------
def _dict_of(text: str) -> dict:
    return to_dict(parse(text))


HOSTILE_DATA = [
    {"type": "__class__"},
    {"type": "eval", "source": "__import__('os')"},
    {"type": "__import__", "name": "os"},
    {"type": "from_fn", "fn": "abs"},
    {"type": "sqrt_decay", "start": 1.0, "end": 0.0, "steps": 10},
    {"type": "Constant", "value": 1.0},
    {"type": 3, "value": 1.0},
    {"type": None},
    {"type": ["constant"], "value": 1.0},
    {"value": 1.0},
    {},
    {"type": "constant"},
    {"type": "constant", "value": 1.0, "extra": 2},
    {"type": "constant", "value": 1.0, "__class__": 2},
    {"type": "constant", "value": 1.0, 3: 4},
    {"type": "constant", "value": math.nan},
    {"type": "constant", "value": math.inf},
    {"type": "constant", "value": -math.inf},
    {"type": "constant", "value": 10**400},
    {"type": "constant", "value": 2**1_000_000},
    {"type": "constant", "value": True},
    {"type": "constant", "value": "1.0"},
    {"type": "constant", "value": None},
    {"type": "constant", "value": [1.0]},
    {"type": "constant", "value": b"1"},
    {"type": "constant", "value": 1j},
    {"type": "constant", "value": {"type": "constant", "value": 1.0}},
    {"type": "constant", "value": object()},
    {"type": "linear", "start": 0.0, "end": 1.0},
    {"type": "linear", "start": 0.0, "end": 1.0, "steps": True},
    {"type": "linear", "start": 0.0, "end": 1.0, "steps": 0},
    {"type": "linear", "start": 0.0, "end": 1.0, "steps": [[10]]},
    {"type": "exponential", "start": 1.0, "gamma": 0.5, "staircase": 1},
    {"type": "warmup", "s": {"type": "eval"}, "steps": 10},
    {"type": "warmup", "s": "constant(1.0)", "steps": 10},
    {"type": "warmup", "s": {"type": "constant", "value": 1.0}, "steps": 10, "shape": "cubic"},
    {"type": "sequence", "schedules": [{"type": "constant", "value": 1.0}], "boundaries": [[1]]},
    {"type": "sequence", "schedules": [1.0, 2.0], "boundaries": [1]},
    {"type": "sequence", "schedules": {"type": "constant", "value": 1.0}, "boundaries": []},
    {"type": "arith", "op": "**", "a": {"type": "constant", "value": 1.0}, "b": 2.0},
    {"type": "arith", "op": "+", "a": 1.0, "b": 2.0},
    {"type": "arith", "op": "/", "a": {"type": "linear", "start": 0.0, "end": 1.0, "steps": 10}, "b": 0.0},
    {"type": "piecewise_constant", "boundaries": list(range(1, MAX_ITEMS + 10)), "values": [1.0] * (MAX_ITEMS + 10)},
    {"type": "warmup", "s": {"type": "constant", "value": 1.0}, "steps": 10, "shape": "x" * (MAX_ITEMS + 1)},
]


@pytest.mark.parametrize("d", HOSTILE_DATA, ids=[f"{i}-{d.get('type')!s:.20}" for i, d in enumerate(HOSTILE_DATA)])
def test_hostile_data_raises_value_error(d):
    with pytest.raises(ValueError) as info:
        from_dict(d)
    assert str(info.value)


def test_from_dict_messages_name_keys_and_paths():
    cases = [
        ({"type": "constant", "value": 1.0, "extra": 2, "more": 3}, ["'extra'", "'more'", "constant"]),
        ({"type": "linear", "start": 0.0}, ["missing keys 'end', 'steps'"]),
        ({"type": "__class__"}, ["unknown schedule type '__class__'", "constant"]),
        ({"type": "warmup", "s": {"type": "constant", "value": math.nan}, "steps": 1}, ["non-finite", "$.s.value"]),
        (
            {"type": "sequence", "schedules": [_dict_of("constant(1.0)"), {"type": "nope"}], "boundaries": [5]},
            ["'nope'", "$.schedules[1]"],
        ),
        ({"type": "linear", "start": 0.0, "end": 1.0, "steps": 0}, ["linear at $", "steps=0"]),
        ({"type": "from_fn", "fn": None}, ["from_fn schedules wrap a Python callable"]),
    ]
    for d, fragments in cases:
        with pytest.raises(ValueError) as info:
            from_dict(d)
        for fragment in fragments:
            assert fragment in str(info.value), (d, str(info.value))


def test_from_dict_wants_a_dict():
    for bad in ('{"type": "constant", "value": 1.0}', b"{}", None, [], 1.0, LIN):
        with pytest.raises(TypeError, match="expects a dict"):
            from_dict(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="json.loads"):
        from_dict('{"type": "constant", "value": 1.0}')  # type: ignore[arg-type]


def test_deep_data_built_iteratively_fails_fast():
    d: dict = {"type": "constant", "value": 1.0}
    for _ in range(10_000):
        d = {"type": "scale", "s": d, "k": 3.0}
    assert "nested more than 64" in str(assert_fast_value_error(from_dict, d))
    # the same through a list
    d = {"type": "constant", "value": 1.0}
    for _ in range(10_000):
        d = {"type": "sequence", "schedules": [{"type": "constant", "value": 0.0}, d], "boundaries": [1.5]}
    assert "nested more than 64" in str(assert_fast_value_error(from_dict, d))


def test_cyclic_data_fails_fast():
    d: dict = {"type": "scale", "k": 3.0}
    d["s"] = d
    assert_fast_value_error(from_dict, d)
    items: list = [{"type": "constant", "value": 1.0}]
    items.append({"type": "sequence", "schedules": items, "boundaries": [1]})
    assert_fast_value_error(from_dict, {"type": "sequence", "schedules": items, "boundaries": [1]})


def test_shared_references_cannot_blow_up():
    # 2**40 paths through 40 shared levels: the size budget stops the walk.
    d: dict = _dict_of("linear(0.0, 1.0, 10)")
    for _ in range(40):
        d = {"type": "maximum", "a": d, "b": {"type": "scale", "s": d, "k": 3.0}}
    error = str(assert_fast_value_error(from_dict, d))
    assert "too large" in error or f"at most {MAX_ITEMS} items" in error


def test_to_dict_refuses_what_cannot_be_read_back():
    with pytest.raises(ValueError, match="from_fn schedules wrap a Python callable and cannot be serialized"):
        to_dict(sa.from_fn(lambda t: 1.0))
    with pytest.raises(ValueError, match=r"from_fn .* \$\.s\.s\.a"):
        to_dict(sa.warmup(sa.from_fn(abs) + 1, 10).clip(0.1))
    with pytest.raises(ValueError, match="from_fn"):
        parse(repr(sa.from_fn(abs)))
    long_chain = LIN
    for _ in range(2000):  # one n-ary node, not 2000 levels: it writes and reads back
        long_chain = sa.scale(long_chain, 3.0)
    assert from_dict(to_dict(long_chain)) == long_chain
    assert parse(repr(long_chain)) == long_chain
    with pytest.raises(TypeError, match="expects a Schedule"):
        to_dict({"type": "constant", "value": 1.0})  # type: ignore[arg-type]


# -- fuzzing: only a Schedule or a ValueError may come out --------------------------------------------------
FUZZ = settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TOKENS = [
    *SERIALIZABLE,
    "from_fn", "eval", "__import__", "__class__", "lambda", "not", "if", "for", "x", "nan", "inf",
    "start", "end", "steps", "shape", "s", "k", "low", "high", "multiple", "value",
    "0", "1", "10", "-1", "0.5", "1e999", "1e-320", "2.5", "100", "0x10", "1j", "True", "False", "None",
    "'linear'", "'cosine'", "'sqrt'", "'floor'", "'+'", "'", '"', "b'x'", "f'{x}'",
    "(", ")", "(", ")", "[", "]", ",", ",", "=", "+", "-", "*", "/", "**", "//", "%", "@", ".", ":", ";",
    "{", "}", "#", "\\", "\n", " ", "...", ":=", "<", "~", "\x00",
]


def parse_quietly(text: str) -> Schedule | None:
    """``parse(text)``, or ``None`` for a ValueError; any other exception or a warning fails."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = parse(text)
        except ValueError as exc:
            assert str(exc)
            result = None
    assert not caught, [str(w.message) for w in caught]
    assert result is None or isinstance(result, Schedule)
    return result


@FUZZ
@given(st.text(max_size=200))
def test_fuzz_random_text(text):
    parse_quietly(text)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=60), st.sampled_from(["", " "]))
def test_fuzz_token_soup(tokens, sep):
    result = parse_quietly(sep.join(tokens))
    if result is not None:
        assert parse(repr(result)) == result


@FUZZ
@given(
    st.sampled_from([repr(s) for s in TABLE]),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 3), st.sampled_from(TOKENS)), min_size=1, max_size=4),
)
def test_fuzz_mutated_reprs(text, edits):
    for pos, how, token in edits:
        i = pos % (len(text) + 1)
        if how == 0:
            text = text[:i] + text[i + 1 :]  # delete a character
        elif how == 1:
            text = text[:i] + token + text[i:]  # insert a token
        elif how == 2:
            text = text[:i] + token + text[i + 1 :]  # replace a character
        else:
            text = text[:i]  # truncate
    result = parse_quietly(text)
    if result is not None:
        assert parse(repr(result)) == result
        assert via_json(result) == result


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["linear", "cosine", "+", "half_up", "constant", "sqrt", "type"])
    | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["type", "s", "value", "start", "end", "steps", "a", "b", "op", "k"]), children),
    max_leaves=20,
)


def _replace_somewhere(d, path: list[int], new):
    """Replace one value inside ``d`` (a copy), chosen by ``path``."""
    d = json.loads(json.dumps(d))
    node = d
    for step in path:
        children = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        if not children:
            break
        key, child = children[step % len(children)]
        if not isinstance(child, (dict, list)) or not child:
            node[key] = new
            return d
        node = child
    if isinstance(node, dict) and node:
        node[next(iter(node))] = new
    return d


@FUZZ
@given(JSON_VALUES)
def test_fuzz_random_data(d):
    try:
        result = from_dict(d)
    except TypeError:
        assert not isinstance(d, dict)
        return
    except ValueError:
        return
    assert isinstance(result, Schedule)


@FUZZ
@given(st.sampled_from(TABLE), st.lists(st.integers(0, 50), max_size=8), JSON_VALUES)
def test_fuzz_mutated_data(s, path, new):
    d = _replace_somewhere(to_dict(s), path, new)
    try:
        result = from_dict(d)
    except ValueError:
        return
    assert isinstance(result, Schedule)
    assert via_json(result) == result
    assert parse(repr(result)) == result
