"""The ``thads`` command: validate data files (and, as the toolkit grows, summaries and reports)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .io import load


def _validate(args: argparse.Namespace) -> int:
    """Print every problem of the given files; 0 when there is no error."""
    result = load(args.paths, money_unit=args.money_unit)
    for problem in result.problems:
        print(problem, file=sys.stderr if problem.severity == "error" else sys.stdout)
    errors = result.errors
    if errors:
        print(f"{len(errors)} problem(s) in {len(result.files)} file(s); nothing was loaded. "
              "Fix the rows named above and run `thads validate` again.", file=sys.stderr)
        return 1
    frame = result.frame
    periods = sorted(frame["period_end"].dt.date.unique())
    print(f"OK: {len(result.files)} file(s), {len(frame)} rows, {frame['province_code'].nunique()} provinces, "
          f"{len(periods)} period(s) from {periods[0]} to {periods[-1]}; origin: {frame.attrs['origin']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``thads``."""
    parser = argparse.ArgumentParser(prog="thads", description="THADS statistics: validate, summarise, report.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check data files; exit 1 listing every problem")
    validate.add_argument("paths", nargs="+", type=Path, help="data files (.csv, .xlsx, .parquet) or folders")
    validate.add_argument("--money-unit", help="unit of money values when the file does not state it "
                          "(đồng, nghìn đồng, triệu đồng, tỷ đồng)")
    validate.set_defaults(handler=_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ValueError as exc:  # bad arguments such as an unknown money unit
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
