"""Schedules as text and as JSON-safe data: :func:`parse`, :func:`to_dict`, :func:`from_dict`.

Both formats describe a schedule as the calls of its public constructors, so
reading one back goes through those constructors: every argument is validated
and every simplification applies, exactly as in code. For every serializable
schedule ``s`` (anything but :func:`~schedalg.from_fn`, within the limits below)::

    parse(repr(s)) == s
    from_dict(json.loads(json.dumps(to_dict(s)))) == s

Floats round-trip bit for bit (``repr`` and :mod:`json` both write the shortest
exact form) and integer arguments stay integers.

The text language
-----------------
``repr(s)`` is construction code, and :func:`parse` reads exactly that language
with :mod:`ast` and a whitelist. Nothing is ever evaluated, imported or looked
up: the only callables are the schedalg constructors, called by name::

    expression := sum
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := ("-" | "+") unary | atom
    atom       := call | NUMBER | STRING | "True" | "False" | "None"
                | "(" expression ")" | tuple | list
    call       := CONSTRUCTOR "(" [argument ("," argument)* [","]] ")"
    argument   := expression | IDENTIFIER "=" expression
    tuple      := "(" [item ("," item)* [","]] ")"
    list       := "[" [item ("," item)* [","]] "]"
    item       := an expression that is a number, string, bool, None or schedule

``CONSTRUCTOR`` is any public constructor name except ``from_fn``:
``constant``, ``linear``, ``cosine``, ``exponential``, ``polynomial``,
``piecewise_constant``, ``piecewise_linear``, ``triangular``, ``inverse_sqrt``,
``warmup``, ``cooldown``, ``sequence``, ``cyclical``, ``scale``, ``invert``,
``quantize``, ``shift``, ``delay``, ``stretch``, ``per_epoch``, ``clip``,
``minimum``, ``maximum``, ``arith``, ``clock``, ``power``, ``exp``, ``log``,
``tanh``, ``compose`` and ``noise`` (``s ** p`` is written ``power(s, p)``).
``NUMBER`` is a finite int or float literal (no complex numbers). Operators
follow Python's precedence:

* on two numbers, ``+ - * /`` compute in floats (the result must be finite);
  unary ``-``/``+`` keep ints as ints;
* with a schedule operand, ``a op b`` is ``arith(op, a, b)`` (what the
  operators build in code: ``s * k`` is ``scale(s, k)``, ``k / s`` is
  ``invert(s, k)``), ``-s`` is ``scale(s, -1.0)`` and ``+s`` is ``s``.

Everything else is rejected: attribute access, subscripts, names outside a
call (so ``inf`` and ``nan`` too), ``**``, ``//``, ``%``, ``@``, comparisons,
lambdas, comprehensions, f-strings, bytes, dicts, sets, ``*args`` and
``**kwargs``.

The dict format
---------------
:func:`to_dict` gives ``{"type": name, **arguments}``: ``name`` is the
constructor and the arguments are all of its parameters, by name, defaults
included. A schedule argument is a nested dict, a tuple is a list, and
numbers, strings, bools and ``None`` are themselves::

    {"type": "warmup",
     "s": {"type": "cosine", "start": 1.0, "end": 0.0, "steps": 90},
     "steps": 10, "start": 0.0, "shape": "linear"}

``arith`` nodes (the operators) are ``{"type": "arith", "op": "+", "a": ...,
"b": ...}`` with ``a`` and ``b`` schedules or numbers; a longer chain adds the
list ``"more"`` (``op`` then has one operator per operand after the first).
A constructor's ``*args`` (``minimum(a, b, *more)``) is a list under its name.
:func:`from_dict` accepts exactly this shape; arguments that have a default
may be left out.

Limits
------
The limits are symmetric (DESIGN principle 11): construction refuses every
schedule deeper than :data:`MAX_DEPTH` (64) nodes or larger than
:data:`MAX_ITEMS` (250,000) items of data, so whatever can be built is
written by ``repr`` and :func:`to_dict` and read back by both readers. The
readers' own limits bound their cost by the size of their input. Both raise
:class:`ValueError` for any text or data they do not accept (a ``TypeError``
when not given a ``str`` or a ``dict`` at all), with a message naming the
problem and where it is (line and column, or a path such as
``$.s.schedules[1]``). In particular:

* schedules nested more than :data:`MAX_DEPTH` deep (schedule nodes on the
  longest root-to-leaf path; an operator chain such as ``a + b - c`` is one
  node, as is a dict in data);
* text longer than :data:`MAX_TEXT_LENGTH` characters (at least 26 per item
  of :data:`MAX_ITEMS`: the longest float, its sign and a separator), with
  more than :data:`MAX_TEXT_TOKENS` tokens, or whose expression nesting
  (brackets and operators) exceeds :data:`MAX_TEXT_NESTING`; tokens and
  nesting are bounded by a linear scan *before* :func:`ast.parse` sees the
  text, so no input can make the parser recurse deeply or allocate much;
* data with more than :data:`MAX_ITEMS` values, keys and string characters in
  all (a schedule's own count, the same, is measured at construction);
* non-finite numbers (``1e999``, ``NaN``) and unknown constructor names.

:func:`to_dict` refuses only ``from_fn`` nodes (a Python callable has no
data form).
"""

from __future__ import annotations

import ast
import inspect
import io
import keyword
import math
import re
import tokenize
from typing import Any, Callable


from ._node import CONSTRUCTORS, MAX_DEPTH, MAX_ITEMS, NOT_SERIALIZABLE, Schedule, to_dict

__all__ = [
    "parse",
    "to_dict",
    "from_dict",
    "MAX_DEPTH",
    "MAX_TEXT_LENGTH",
    "MAX_TEXT_TOKENS",
    "MAX_TEXT_NESTING",
    "MAX_ITEMS",
]

#: Longest text :func:`parse` reads, in characters: room for the ``repr`` of
#: any schedule that can be built, at 26 characters per item at most.
MAX_TEXT_LENGTH = 26 * MAX_ITEMS
#: Most tokens (numbers, names, strings and punctuation) :func:`parse` reads:
#: a ``repr`` writes at most 4 per item (a sign, a number, a separator, and
#: a keyword's ``=``).
MAX_TEXT_TOKENS = 4 * MAX_ITEMS
#: Bound on the expression nesting of a text (brackets and operators). The
#: repr of any schedule at most :data:`MAX_DEPTH` deep stays under it: a
#: schedule level costs at most a bracket, the operators of an infix chain of
#: ``INFIX_OPERANDS`` (4) operands, and a sign for each of its numbers.
MAX_TEXT_NESTING = 8 * MAX_DEPTH

_NOT_SERIALIZABLE = NOT_SERIALIZABLE


def _constructor(name: str) -> Callable[..., Any] | None:
    if name in _NOT_SERIALIZABLE:
        return None
    return CONSTRUCTORS.get(name)


def _known() -> str:
    return ", ".join(sorted(n for n in CONSTRUCTORS if n not in _NOT_SERIALIZABLE))


def _short(value: Any, limit: int = 80) -> str:
    if type(value) is int and value.bit_length() > 1024:
        return f"an integer of {value.bit_length()} bits"
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _finite_number(value: int | float) -> bool:
    """Whether an int or float is finite as a float (ints beyond ~1.8e308 are not)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


# ====================================================================================
# Text
# ====================================================================================
class _TextError(ValueError):
    pass


class _Source:
    """The text being parsed, to turn token and ast positions into line/column."""

    def __init__(self, text: str, line_shift: int, col_shift: int) -> None:
        self.text = text
        self.line_shift = line_shift  # lines stripped before the text
        self.col_shift = col_shift  # columns stripped before its first line
        self._lines: list[str] | None = None

    def where(self, line: int, col: int) -> str:
        """``line L, column C`` (1-based) for a 1-based line and 0-based character column."""
        if line == 1:
            col += self.col_shift
        return f"line {line + self.line_shift}, column {col + 1}"

    def where_node(self, node: ast.AST) -> str:
        line = getattr(node, "lineno", None)
        col = getattr(node, "col_offset", None)
        if line is None or col is None:
            return "unknown position"
        if self._lines is None:
            self._lines = re.split(r"\r\n|\r|\n", self.text)
        # ast columns count UTF-8 bytes; report characters.
        text_line = self._lines[line - 1] if 0 < line <= len(self._lines) else ""
        chars = len(text_line.encode("utf-8")[:col].decode("utf-8", errors="ignore"))
        return self.where(line, chars)

    def fail(self, what: str, node: ast.AST) -> _TextError:
        return _TextError(f"{what} ({self.where_node(node)})")


_OPERATOR_TOKENS = frozenset("+-*/=")
_OPEN = frozenset("([")
_CLOSE = frozenset(")]")
_LAYOUT_TOKENS = frozenset(
    {tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
)
_TOKEN_HINTS = {
    ".": "attribute access ('.') is not allowed",
    "...": "'...' (Ellipsis) is not allowed",
    "**": "the '**' operator is not allowed (only + - * /)",
    "//": "the '//' operator is not allowed (only + - * /)",
    "%": "the '%' operator is not allowed (only + - * /)",
    "@": "the '@' operator is not allowed (only + - * /)",
    ":=": "assignment expressions (':=') are not allowed",
    "{": "dicts, sets and braces are not allowed",
    "}": "dicts, sets and braces are not allowed",
    ":": "':' is not allowed (no slices, lambdas or annotations)",
}


def _scan(source: _Source) -> None:
    """Whitelist the tokens and bound the expression nesting, before ``ast.parse``.

    The bound: within one comma-separated segment of a bracket level, every
    AST node built at that level comes from a distinct operator, ``=`` or
    opening bracket of the segment, so the depth of the tree is at most the sum,
    along the path of open brackets, of those counts (plus two: the root and a
    bare top-level tuple). The scan runs in one pass
    over the tokens (iterative, no recursion) and stops as soon as the bound
    exceeds :data:`MAX_TEXT_NESTING`, so ``"(" * 100_000`` costs a few hundred
    tokens.
    """
    # One entry per open bracket level: [tokens counted in the current segment,
    # deepest bracket opened in it, deepest finished segment of the level,
    # line and column of the bracket].
    levels: list[list[int]] = [[0, 0, 0, 1, 0]]
    path = 0  # sum of the current segment counts along the open levels
    after = None  # where the last token ended, if it was a number

    def too_deep(line: int, col: int) -> _TextError:
        return _TextError(
            f"the expression is nested too deeply (more than {MAX_TEXT_NESTING} levels of brackets "
            f"and operators) at {source.where(line, col)}"
        )

    tokens = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source.text).readline):
            kind = tok.type
            line, col = tok.start
            tokens += 1
            if tokens > MAX_TEXT_TOKENS:
                msg = f"the text has too many tokens: more than {MAX_TEXT_TOKENS} ({source.where(line, col)})"
                raise _TextError(msg)
            after_number, after = after, None
            if kind in _LAYOUT_TOKENS:
                continue
            if kind == tokenize.NUMBER:
                after = tok.end
                continue
            if kind == tokenize.NAME:
                if after_number == tok.start:  # "1if", "0x1for": Python only warns
                    msg = f"invalid number literal: a name follows a number directly ({source.where(line, col)})"
                    raise _TextError(msg)
                if tok.string in _NOT_SERIALIZABLE:
                    msg = f"{_NOT_SERIALIZABLE[tok.string]} or parsed ({source.where(line, col)})"
                    raise _TextError(msg)
                if keyword.iskeyword(tok.string) and tok.string not in ("True", "False", "None"):
                    msg = f"the keyword {tok.string!r} is not allowed ({source.where(line, col)})"
                    raise _TextError(msg)
                continue
            if kind == tokenize.STRING:
                _check_string(tok.string, source.where(line, col))
                continue
            text = tok.string
            if kind == tokenize.ERRORTOKEN:
                if text.isspace():
                    continue
                what = "an unterminated string" if text in ("'", '"') else f"unexpected character {text!r}"
                msg = f"invalid syntax: {what} ({source.where(line, col)})"
                raise _TextError(msg)
            if kind != tokenize.OP:
                msg = f"unexpected token {text!r} ({source.where(line, col)})"
                raise _TextError(msg)
            top = levels[-1]
            if text in _OPEN:
                top[0] += 1
                path += 1
                if path + top[1] > MAX_TEXT_NESTING:
                    raise too_deep(line, col)
                levels.append([0, 0, 0, line, col])
            elif text in _CLOSE:
                if len(levels) == 1:
                    msg = f"invalid syntax: unmatched {text!r} ({source.where(line, col)})"
                    raise _TextError(msg)
                count, inner, done, _, _ = levels.pop()
                path -= count
                parent = levels[-1]
                parent[1] = max(parent[1], done, count + inner)
                if path + parent[1] > MAX_TEXT_NESTING:
                    raise too_deep(line, col)
            elif text == ",":
                top[2] = max(top[2], top[0] + top[1])
                path -= top[0]
                top[0] = top[1] = 0
            elif text in _OPERATOR_TOKENS:
                top[0] += 1
                path += 1
                if path + top[1] > MAX_TEXT_NESTING:
                    raise too_deep(line, col)
            else:
                hint = _TOKEN_HINTS.get(text, f"{text!r} is not allowed (operators are + - * / only)")
                msg = f"{hint} ({source.where(line, col)})"
                raise _TextError(msg)
    except tokenize.TokenError as exc:
        # The text ends inside brackets or a triple-quoted string.
        if len(levels) > 1:
            _, _, _, line, col = levels[-1]
            msg = f"invalid syntax: this bracket is never closed ({source.where(line, col)})"
        else:
            detail = exc.args[0] if exc.args else str(exc)
            msg = f"invalid syntax: {detail}"
        raise _TextError(msg) from None
    except (SyntaxError, ValueError) as exc:  # a tokenizer complaint that is not ours
        if isinstance(exc, _TextError):
            raise
        msg = f"invalid syntax: {exc}"
        raise _TextError(msg) from None


_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_VALID_ESCAPES = frozenset("\n\\'\"abfnrtv01234567xNuU")


def _check_string(token: str, where: str) -> None:
    """Reject f-strings and bytes, and escapes that ``ast.parse`` would only warn about."""
    prefix = token[: len(token) - len(token.lstrip("rRuUbBfF"))].lower()
    if "f" in prefix:
        msg = f"f-strings are not allowed ({where})"
        raise _TextError(msg)
    if "b" in prefix:
        msg = f"bytes literals are not allowed ({where})"
        raise _TextError(msg)
    if "r" not in prefix:
        for m in _ESCAPE.finditer(token, len(prefix)):
            if m.group(1) not in _VALID_ESCAPES:
                msg = f"invalid escape sequence '\\{m.group(1)}' in a string ({where})"
                raise _TextError(msg)


_AST_NAMES = {
    "Attribute": "attribute access",
    "Subscript": "subscripts",
    "Lambda": "lambdas",
    "ListComp": "comprehensions",
    "SetComp": "comprehensions",
    "DictComp": "comprehensions",
    "GeneratorExp": "generator expressions",
    "JoinedStr": "f-strings",
    "FormattedValue": "f-strings",
    "NamedExpr": "assignment expressions",
    "Starred": "starred arguments (*args)",
    "Dict": "dicts",
    "Set": "sets",
    "Compare": "comparisons",
    "BoolOp": "'and'/'or' expressions",
    "IfExp": "conditional expressions",
    "Await": "await expressions",
    "Yield": "yield expressions",
    "YieldFrom": "yield expressions",
    "Slice": "slices",
}

_BIN_OPS: dict[type, str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


def _is_number(x: Any) -> bool:
    return type(x) is int or type(x) is float


class _Reader:
    """Evaluates a whitelisted ast into values.

    Depth is not counted here: every schedule goes through its constructor,
    which refuses trees deeper than :data:`MAX_DEPTH`. The walk's own
    recursion is bounded by :func:`_scan`; chains of binary operators (along
    the left operand) and of unary signs are walked iteratively.
    """

    def __init__(self, source: _Source) -> None:
        self.source = source

    def value(self, node: ast.AST, level: int) -> Any:
        """The value of an expression node."""
        if level > MAX_TEXT_NESTING + 8:  # unreachable after _scan; a guard all the same
            raise self.source.fail(f"the expression is nested more than {MAX_TEXT_NESTING} levels deep", node)
        kind = type(node)
        if kind is ast.Constant:
            return self.constant(node)  # type: ignore[arg-type]
        if kind is ast.Call:
            return self.call(node, level)  # type: ignore[arg-type]
        if kind is ast.UnaryOp:
            return self.unary(node, level)  # type: ignore[arg-type]
        if kind is ast.BinOp:
            return self.binary(node, level)  # type: ignore[arg-type]
        if kind is ast.Tuple or kind is ast.List:
            return self.sequence(node, level)  # type: ignore[arg-type]
        if kind is ast.Name:
            name = node.id  # type: ignore[attr-defined]
            if name in CONSTRUCTORS:
                what = f"{name!r} must be called, as in {name}(...)"
            else:
                what = f"name {name!r} is not allowed (only schedalg constructors, called by name)"
            raise self.source.fail(what, node)
        what = _AST_NAMES.get(kind.__name__, f"{kind.__name__} expressions")
        raise self.source.fail(f"{what} are not allowed", node)

    def constant(self, node: ast.Constant) -> Any:
        v = node.value
        if v is None or type(v) in (bool, str):
            return v
        if type(v) is int or type(v) is float:
            if not _finite_number(v):
                raise self.source.fail(f"non-finite number {_short(v)} is not allowed", node)
            return v
        raise self.source.fail(f"{type(v).__name__} literals are not allowed", node)

    def call(self, node: ast.Call, level: int) -> Any:
        func = node.func
        if type(func) is not ast.Name:
            raise self.source.fail("only schedalg constructors may be called, by name", node)
        name = func.id
        fn = _constructor(name)
        if fn is None:
            if name in _NOT_SERIALIZABLE:
                raise self.source.fail(f"{_NOT_SERIALIZABLE[name]} or parsed", node)
            raise self.source.fail(f"unknown function {name!r}; known constructors: {_known()}", func)
        args: list[Any] = []
        for arg in node.args:
            if type(arg) is ast.Starred:
                raise self.source.fail("starred arguments (*args) are not allowed", arg)
            args.append(self.value(arg, level + 1))
        kwargs: dict[str, Any] = {}
        for kw in node.keywords:
            if kw.arg is None:
                raise self.source.fail("keyword unpacking (**kwargs) is not allowed", kw.value)
            if kw.arg in kwargs:
                raise self.source.fail(f"keyword argument {kw.arg!r} repeated", kw)
            kwargs[kw.arg] = self.value(kw.value, level + 1)
        return self.construct(name, fn, args, kwargs, node)

    def construct(self, name: str, fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        try:
            return fn(*args, **kwargs)
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise self.source.fail(f"{name}: {exc}", node) from None

    def unary(self, node: ast.UnaryOp, level: int) -> Any:
        signs = []
        inner: ast.AST = node
        while type(inner) is ast.UnaryOp:
            op = type(inner.op)  # type: ignore[attr-defined]
            if op is not ast.USub and op is not ast.UAdd:
                sign = {ast.Not: "not", ast.Invert: "~"}.get(op, op.__name__)
                raise self.source.fail(f"the unary operator {sign!r} is not allowed (only - and +)", inner)
            signs.append(inner)
            inner = inner.operand  # type: ignore[attr-defined]
        value = self.value(inner, level + 1)
        for sign_node in reversed(signs):
            minus = type(sign_node.op) is ast.USub  # type: ignore[attr-defined]
            if _is_number(value):
                value = -value if minus else value
            elif isinstance(value, Schedule):
                if minus:
                    value = self.construct("scale", CONSTRUCTORS["scale"], [value, -1.0], {}, sign_node)
            else:
                sign = "-" if minus else "+"
                raise self.source.fail(f"unary {sign} needs a number or a schedule, got {_short(value)}", sign_node)
        return value

    def binary(self, node: ast.BinOp, level: int) -> Any:
        # a + b - c is BinOp(BinOp(a, +, b), -, c): walk down the left operands.
        spine = []
        left: ast.AST = node
        while type(left) is ast.BinOp:
            spine.append(left)
            left = left.left  # type: ignore[attr-defined]
        a = self.value(left, level + 1)
        for binop in reversed(spine):
            op = _BIN_OPS.get(type(binop.op))  # type: ignore[attr-defined]
            if op is None:
                raise self.source.fail(
                    f"the operator {type(binop.op).__name__} is not allowed (only + - * /)", binop  # type: ignore[attr-defined]
                )
            b = self.value(binop.right, level + 1)  # type: ignore[attr-defined]
            for operand, side in ((a, binop.left), (b, binop.right)):  # type: ignore[attr-defined]
                if not (_is_number(operand) or isinstance(operand, Schedule)):
                    raise self.source.fail(
                        f"the operands of {op!r} must be numbers or schedules, got {_short(operand)}", side
                    )
            if _is_number(a) and _is_number(b):
                x, y = float(a), float(b)
                if op == "/" and y == 0.0:
                    raise self.source.fail(f"division by zero: {a!r} / {b!r}", binop)
                result = x + y if op == "+" else x - y if op == "-" else x * y if op == "*" else x / y
                if not math.isfinite(result):
                    raise self.source.fail(f"{a!r} {op} {b!r} is not a finite number", binop)
                a = result
            else:
                a = self.construct("arith", CONSTRUCTORS["arith"], [op, a, b], {}, binop)
        return a

    def sequence(self, node: ast.Tuple | ast.List, level: int) -> Any:
        items = []
        for elt in node.elts:
            if type(elt) is ast.Starred:
                raise self.source.fail("starred items (*x) are not allowed", elt)
            if type(elt) is ast.Tuple or type(elt) is ast.List:
                raise self.source.fail("nested tuples and lists are not allowed", elt)
            items.append(self.value(elt, level + 1))
        return tuple(items) if type(node) is ast.Tuple else items


def parse(text: str) -> Schedule:
    """Read a schedule from its text: the inverse of ``repr``.

    The text is the construction code that ``repr`` prints: calls of schedalg
    constructors by name (any but ``from_fn``) with literal arguments (numbers,
    strings, bools, ``None``, tuples and lists), nested schedules, and the
    operators ``+ - * /`` and unary ``-``. The module docstring gives the
    grammar. Nothing is evaluated, imported or looked up: the text is parsed by
    :func:`ast.parse` and walked against a whitelist, and each call goes
    through its public constructor, so arguments are validated and the result
    is simplified as in code. ``parse(repr(s)) == s`` for every serializable
    schedule.

    Args:
        text: the expression, e.g. ``"warmup(cosine(1.0, 0.0, 90), 10)"``.
            Surrounding whitespace and line breaks inside brackets are fine.

    Returns:
        The schedule.

    Raises:
        TypeError: ``text`` is not a ``str``.
        ValueError: for any other text, with what was wrong and where (line
            and column): a syntax error, a name that is not a constructor, a
            forbidden construct (attributes, subscripts, ``**``, lambdas, ...),
            a non-finite number, a constructor's rejection of its arguments
            (schedules nested deeper than ``MAX_DEPTH`` or larger than
            ``MAX_ITEMS`` included), a text longer than ``MAX_TEXT_LENGTH``
            characters or ``MAX_TEXT_TOKENS`` tokens, or more than
            ``MAX_TEXT_NESTING`` levels of brackets and operators.

    >>> import schedalg as sa
    >>> s = sa.parse("warmup(cosine(1.0, 0.0, 90), 10, shape='cosine')")
    >>> s
    warmup(cosine(1.0, 0.0, 90), 10, shape='cosine')
    >>> s(10)
    1.0
    >>> sa.parse("(linear(0.0, 1.0, 10) + 1.0)")(5)
    1.5
    >>> sa.parse(repr(s)) == s
    True
    >>> sa.parse("constant(1e999)")
    Traceback (most recent call last):
    ...
    ValueError: non-finite number inf is not allowed (line 1, column 10)
    >>> sa.parse("linear(0.0, 1.0, 10).__class__")
    Traceback (most recent call last):
    ...
    ValueError: attribute access ('.') is not allowed (line 1, column 21)
    """
    if not isinstance(text, str):
        hint = "; decode bytes first" if isinstance(text, (bytes, bytearray)) else ""
        msg = f"parse expects a str, got {type(text).__name__}{hint}"
        raise TypeError(msg)
    if len(text) > MAX_TEXT_LENGTH:
        msg = f"the text is too long: {len(text)} characters, at most {MAX_TEXT_LENGTH} are accepted"
        raise ValueError(msg)
    body = text.lstrip()
    lead = text[: len(text) - len(body)]
    line_shift = lead.count("\n") + lead.count("\r") - lead.count("\r\n")
    last_break = max(lead.rfind("\n"), lead.rfind("\r"))
    source = _Source(body, line_shift, len(lead) - last_break - 1)
    try:
        if not body:
            msg = "the text is empty: expected a schedule expression such as 'constant(1.0)'"
            raise _TextError(msg)
        _scan(source)
        try:
            tree = ast.parse(body, mode="eval")
        except SyntaxError as exc:
            where = source.where(exc.lineno, (exc.offset or 1) - 1) if exc.lineno else "unknown position"
            msg = f"invalid syntax: {exc.msg} ({where})"
            raise _TextError(msg) from None
        except (ValueError, OverflowError, MemoryError, RecursionError) as exc:
            msg = f"invalid syntax: {exc}"
            raise _TextError(msg) from None
        value = _Reader(source).value(tree.body, 1)
    except RecursionError:  # only if called with the stack already nearly full
        msg = "the expression is nested too deeply to parse"
        raise ValueError(msg) from None
    except _TextError as exc:
        raise ValueError(str(exc)) from None
    if not isinstance(value, Schedule):
        msg = f"the text must describe a schedule, got {_short(value)}; write constant(...) for a constant"
        raise ValueError(msg)
    return value


# ====================================================================================
# Data
# ====================================================================================
class _DataError(ValueError):
    pass


_Signature = tuple[tuple[str, ...], frozenset[str], "str | None"]


def _parameters(fn: Callable[..., Any]) -> _Signature:
    """``(parameter names in order, required names, *args name)`` of a constructor."""
    params = list(inspect.signature(fn).parameters.values())
    named = [p for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    varargs = next((p.name for p in params if p.kind is p.VAR_POSITIONAL), None)
    names = tuple(p.name for p in named) + ((varargs,) if varargs else ())
    required = frozenset(p.name for p in named if p.default is inspect.Parameter.empty)
    return names, required, varargs


_SIGNATURES: dict[str, _Signature] = {}


def _signature(name: str, fn: Callable[..., Any]) -> _Signature:
    sig = _SIGNATURES.get(name)
    if sig is None:
        sig = _SIGNATURES[name] = _parameters(fn)
    return sig


class _Path:
    """Where a value is in the data, as ``$.s.schedules[1]``: formatted only for an error message."""

    __slots__ = ("parent", "key")

    def __init__(self, parent: _Path | None, key: str | int) -> None:
        self.parent = parent
        self.key = key

    def __str__(self) -> str:
        parts = []
        node: _Path | None = self
        while node is not None:
            key = node.key
            parts.append(f"[{key}]" if type(key) is int else key if node.parent is None else f".{key}")
            node = node.parent
        return "".join(reversed(parts))


class _Builder:
    """Builds schedules from data, with a budget on the total size."""

    def __init__(self) -> None:
        self.items = 0

    def spend(self, cost: int, path: _Path) -> None:
        self.items += cost
        if self.items > MAX_ITEMS:
            msg = f"the data is too large: more than {MAX_ITEMS} values, keys and string characters (at {path})"
            raise _DataError(msg)

    def schedule(self, d: Any, path: _Path, depth: int) -> Schedule:
        if depth > MAX_DEPTH:
            msg = f"schedules are nested more than {MAX_DEPTH} levels deep (at {path})"
            raise _DataError(msg)
        if not isinstance(d, dict):
            msg = f"expected a schedule dict at {path}, got {type(d).__name__}"
            raise _DataError(msg)
        self.spend(1 + len(d), path)
        if "type" not in d:
            msg = f"missing key 'type' at {path}: a schedule dict is {{'type': name, **arguments}}"
            raise _DataError(msg)
        name = d["type"]
        if not isinstance(name, str):
            msg = f"'type' must be a string at {path}, got {type(name).__name__}"
            raise _DataError(msg)
        self.spend(len(name), path)
        fn = _constructor(name)
        if fn is None:
            if name in _NOT_SERIALIZABLE:
                msg = f"{_NOT_SERIALIZABLE[name]} or read from data (at {path})"
            else:
                msg = f"unknown schedule type {_short(name)} at {path}; known types: {_known()}"
            raise _DataError(msg)
        names, required, varargs = _signature(name, fn)
        for key in d:
            if not isinstance(key, str):
                msg = f"keys must be strings at {path}, got {_short(key)}"
                raise _DataError(msg)
        unknown = [k for k in d if k != "type" and k not in names]
        if unknown:
            listed = ", ".join(_short(k, 40) for k in unknown[:10])
            plural = "s" if len(unknown) > 1 else ""
            msg = f"unknown key{plural} {listed} for {name} at {path}; its arguments are {', '.join(names)}"
            raise _DataError(msg)
        missing = [k for k in names if k in required and k not in d]
        if missing:
            msg = f"missing key{'s' if len(missing) > 1 else ''} {', '.join(repr(k) for k in missing)} for {name} at {path}"
            raise _DataError(msg)
        kwargs = {k: self.value(d[k], _Path(path, k), depth) for k in names if k in d}
        args: tuple[Any, ...] = ()
        if varargs is not None and varargs in kwargs:
            # *args: the named parameters before it go positionally too.
            rest = kwargs.pop(varargs)
            if not isinstance(rest, tuple):
                msg = f"{name} at {path}.{varargs}: expected a list, got {_short(rest)}"
                raise _DataError(msg)
            args = (*(kwargs.pop(k) for k in names[: names.index(varargs)]), *rest)
        try:
            return fn(*args, **kwargs)
        except (ValueError, TypeError, ArithmeticError) as exc:
            msg = f"{name} at {path}: {exc}"
            raise _DataError(msg) from None

    def value(self, v: Any, path: _Path, depth: int, *, in_list: bool = False) -> Any:
        if isinstance(v, dict):
            return self.schedule(v, path, depth + 1)
        self.spend(1, path)
        if v is None or type(v) is bool:
            return v
        if type(v) is str:
            self.spend(len(v), path)
            return v
        if type(v) is int or type(v) is float:
            if not _finite_number(v):
                msg = f"non-finite number {_short(v)} at {path}"
                raise _DataError(msg)
            return v
        if type(v) is list or type(v) is tuple:
            if in_list:
                msg = f"nested lists are not allowed (at {path})"
                raise _DataError(msg)
            return tuple(self.value(x, _Path(path, i), depth, in_list=True) for i, x in enumerate(v))
        msg = (
            f"unsupported value of type {type(v).__name__} at {path}: "
            "expected a number, string, bool, None, list or schedule dict"
        )
        raise _DataError(msg)


def from_dict(d: dict[str, Any]) -> Schedule:
    """Build a schedule from data written by :func:`to_dict`.

    Each ``{"type": name, **arguments}`` dict goes through the public
    constructor ``name`` (any but ``from_fn``), so arguments are validated and
    the result is simplified as in code. Arguments that have a default may be
    left out. ``from_dict(json.loads(json.dumps(to_dict(s)))) == s``.

    Args:
        d: a dict (for JSON text, pass ``json.loads(text)``).

    Returns:
        The schedule.

    Raises:
        ValueError: for anything else, naming the problem and its path (such
            as ``$.s.schedules[1]``): not a dict, a missing or unknown
            ``type``, unknown or missing keys, values of the wrong type,
            non-finite numbers, a constructor's rejection of its arguments,
            nesting deeper than ``MAX_DEPTH``, or more than ``MAX_ITEMS``
            values in all.

    >>> import json
    >>> import schedalg as sa
    >>> s = sa.warmup(sa.cosine(1.0, 0.0, 90), 10)
    >>> sa.from_dict(json.loads(json.dumps(sa.to_dict(s)))) == s
    True
    >>> sa.from_dict({"type": "exponential", "start": 1.0, "gamma": 0.5})
    exponential(1.0, 0.5)
    >>> sa.from_dict({"type": "linear", "start": 1.0, "end": 0.0})
    Traceback (most recent call last):
    ...
    ValueError: missing key 'steps' for linear at $
    >>> sa.from_dict({"type": "eval", "source": "1"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown schedule type 'eval' at $; known types: arith, clip, clock, compose, constant, ...
    """
    if not isinstance(d, dict):
        hint = "; for JSON text use from_dict(json.loads(text))" if isinstance(d, (str, bytes)) else ""
        msg = f"from_dict expects a dict, got {type(d).__name__}{hint}"
        raise TypeError(msg)
    try:
        return _Builder().schedule(d, _Path(None, "$"), 1)
    except _DataError as exc:
        raise ValueError(str(exc)) from None
    except RecursionError:  # only if called with the stack already nearly full
        msg = "the data is nested too deeply to read"
        raise ValueError(msg) from None
