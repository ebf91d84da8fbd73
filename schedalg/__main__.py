"""Command line: ``python -m schedalg`` (or the ``schedalg`` console script).

Subcommands::

    schedalg values EXPR|FILE --steps SPEC [--json | --csv]
    schedalg plot EXPR|FILE [EXPR|FILE ...] --steps N -o out.png [--log]
    schedalg demo [--quick] [--out DIR]

``EXPR`` is a schedule in the language of its ``repr`` (read by
:func:`schedalg.parse`, which never evaluates code), ``FILE`` a JSON file written
from :func:`schedalg.to_dict`. ``SPEC`` lists steps, ``0,10,100``, or gives a
range ``start:stop[:step]`` (``stop`` excluded, as Python's ``range``).

Bad input (an expression that is not a schedule, an unknown name, bad steps,
a missing extra) prints one line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn, Sequence

if TYPE_CHECKING:
    from ._node import Schedule

__all__ = ["main"]

#: Most steps ``values`` prints (a range like ``0:10**12`` is refused, not allocated).
MAX_STEPS = 1_000_000
#: Largest JSON file read (``from_dict`` bounds its own cost by the input's size).
MAX_FILE_BYTES = 16 * 1024 * 1024


class UsageError(Exception):
    """Bad input from the command line: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    # argparse prints the usage and then the error; one line is easier to read
    # in a log and to parse in a script (``--help`` still shows the usage).
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _load(source: str) -> Schedule:
    """A schedule from an expression or from a JSON file of ``to_dict``."""
    import schedalg as sa

    if os.path.isfile(source) or source.endswith(".json"):
        try:
            with open(source, "rb") as f:
                data = f.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            msg = f"cannot read {source!r}: {exc.strerror or exc}"
            raise UsageError(msg) from None
        if len(data) > MAX_FILE_BYTES:
            msg = f"{source!r} is larger than {MAX_FILE_BYTES} bytes"
            raise UsageError(msg)
        try:
            return sa.from_dict(json.loads(data))
        except (ValueError, TypeError, RecursionError) as exc:
            msg = f"{source!r} is not a schedule written by to_dict: {exc}"
            raise UsageError(msg) from None
    try:
        return sa.parse(source)
    except (ValueError, TypeError, RecursionError) as exc:
        msg = f"{source!r} is not a schedule expression: {exc}" if len(source) <= 80 else f"not a schedule expression: {exc}"
        raise UsageError(msg) from None


def _number(text: str, spec: str) -> float:
    try:
        value = float(text)
    except ValueError:
        msg = f"bad --steps {spec!r}: {text.strip()!r} is not a number"
        raise UsageError(msg) from None
    if not math.isfinite(value) or value < 0:
        msg = f"bad --steps {spec!r}: steps are finite and >= 0, got {text.strip()}"
        raise UsageError(msg)
    return value


def parse_steps(spec: str) -> list[int | float]:
    """The steps of ``--steps``: ``0,10,100`` or ``start:stop[:step]`` (stop excluded).

    >>> parse_steps("0,10,2.5")
    [0, 10, 2.5]
    >>> parse_steps("0:1000:250")
    [0, 250, 500, 750]
    """
    spec = spec.strip()
    if not spec:
        msg = "bad --steps '': give steps like 0,10,100 or a range like 0:1000:100"
        raise UsageError(msg)
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            msg = f"bad --steps {spec!r}: a range is start:stop or start:stop:step"
            raise UsageError(msg)
        start, stop = (_number(p, spec) for p in parts[:2])
        step = _number(parts[2], spec) if len(parts) == 3 else 1.0
        if step <= 0:
            msg = f"bad --steps {spec!r}: the range's step must be > 0"
            raise UsageError(msg)
        count = max(0, math.ceil((stop - start) / step))
        if count > MAX_STEPS:
            msg = f"bad --steps {spec!r}: {count} steps, at most {MAX_STEPS}"
            raise UsageError(msg)
        values = [start + k * step for k in range(count)]
    else:
        values = [_number(p, spec) for p in spec.split(",")]
        if len(values) > MAX_STEPS:
            msg = f"bad --steps: {len(values)} steps, at most {MAX_STEPS}"
            raise UsageError(msg)
    if not values:
        msg = f"bad --steps {spec!r}: the range is empty"
        raise UsageError(msg)
    return [int(v) if v.is_integer() else v for v in values]


def _evaluate(s: Schedule, steps: list[int | float]) -> list[Any]:
    import numpy as np

    try:
        return s(np.array(steps, dtype=np.float64)).tolist()
    except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
        msg = f"cannot evaluate the schedule: {exc}"
        raise UsageError(msg) from None


def _cmd_values(args: argparse.Namespace) -> None:
    s = _load(args.schedule)
    steps = parse_steps(args.steps)
    values = _evaluate(s, steps)
    out = sys.stdout
    if args.json:
        json.dump({"schedule": repr(s), "steps": steps, "values": values}, out)
        out.write("\n")
    elif args.csv:
        out.write("step,value\n")
        out.writelines(f"{t!r},{v!r}\n" for t, v in zip(steps, values))
    else:
        cells = [(repr(t), repr(v)) for t, v in zip(steps, values)]
        w_step = max(4, *(len(a) for a, _ in cells))
        w_value = max(5, *(len(b) for _, b in cells))
        out.write(f"{'step':>{w_step}}  {'value':>{w_value}}\n")
        out.writelines(f"{a:>{w_step}}  {b:>{w_value}}\n" for a, b in cells)


def _cmd_plot(args: argparse.Namespace) -> None:
    schedules = [_load(source) for source in args.schedule]
    if args.steps < 1:
        msg = f"bad --steps {args.steps}: give the number of steps to draw, >= 1"
        raise UsageError(msg)
    try:
        import matplotlib
    except ImportError:
        msg = 'plotting needs matplotlib, the "plot" extra: pip install "schedalg[plot]"'
        raise UsageError(msg) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plot import plot

    try:
        ax = plot(*schedules, steps=args.steps, log=args.log)
    except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
        msg = f"cannot plot the schedule: {exc}"
        raise UsageError(msg) from None
    try:
        ax.figure.savefig(args.output, dpi=args.dpi)
    except (OSError, ValueError) as exc:
        msg = f"cannot write {args.output!r}: {exc}"
        raise UsageError(msg) from None
    finally:
        plt.close(ax.figure)
    print(f"wrote {args.output}")


def _cmd_demo(args: argparse.Namespace) -> None:
    from ._demo import MissingExtra, run

    try:
        run(quick=args.quick, out=args.out)
    except MissingExtra as exc:
        raise UsageError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    import schedalg

    parser = _Parser(
        prog="schedalg",
        description="Evaluate, plot and demo training schedules (schedalg).",
        epilog="EXPR is a schedule as its repr writes it, e.g. \"warmup(cosine(0.1, 0.0, 900), 100)\"; "
        "FILE a JSON file of schedalg.to_dict.",
    )
    parser.add_argument("--version", action="version", version=f"schedalg {schedalg.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{values,plot,demo}", parser_class=_Parser)
    sub.required = True

    values = sub.add_parser("values", help="print the values of a schedule at some steps")
    values.add_argument("schedule", metavar="EXPR|FILE")
    values.add_argument("--steps", required=True, metavar="SPEC", help="0,10,100 or start:stop[:step] (stop excluded)")
    fmt = values.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON: {schedule, steps, values}")
    fmt.add_argument("--csv", action="store_true", help="print CSV: step,value")
    values.set_defaults(run=_cmd_values)

    plot = sub.add_parser("plot", help="draw one or more schedules into a PNG (needs the plot extra)")
    plot.add_argument("schedule", metavar="EXPR|FILE", nargs="+")
    plot.add_argument("--steps", required=True, type=int, metavar="N", help="draw steps 0 .. N-1")
    plot.add_argument("-o", "--output", required=True, metavar="OUT.png")
    plot.add_argument("--log", action="store_true", help="logarithmic value axis")
    plot.add_argument("--dpi", type=int, default=120)
    plot.set_defaults(run=_cmd_plot)

    demo = sub.add_parser("demo", help="train a small model with scheduled lr, momentum and batch size (needs torch)")
    demo.add_argument("--quick", action="store_true", help="a few seconds instead of about half a minute")
    demo.add_argument("--out", default=None, metavar="DIR", help="where to write the figure (default: a temporary folder)")
    demo.set_defaults(run=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (``sys.argv[1:]`` by default); the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except UsageError as exc:
        print(f"schedalg {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `schedalg values ... | head`: the reader left, stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
