"""Campaign targets: the targets CSV, national rows overridden by province rows.

Columns ``scope,year,indicator,comparator,target,source``; ``scope`` is ``national`` or a
province (code or name); rates are in percent (73 = 73%). Unknown indicators, provinces or
comparators are errors naming the file and line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import operator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..ingest.schema import FIRST_YEAR, DataError, Problem
from ..numbers import NumberParseError, parse_number
from ..provinces import UnknownProvinceError, lookup
from ..vocabulary import NATIONAL
from .catalogue import INDICATORS

COLUMNS = ["scope", "year", "indicator", "comparator", "target", "source"]
COMPARATORS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
COMPARATOR_WORDS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}


@dataclass(frozen=True)
class Target:
    """One target: the indicator must be ``comparator`` ``value`` (percent for rates)."""

    indicator: str
    comparator: str
    value: float
    source: str
    scope: str  # "national" or the province code it came from

    def met(self, actual: float) -> bool:
        """True when ``actual`` satisfies the target."""
        return bool(COMPARATORS[self.comparator](actual, self.value))


# Targets an indicator can sensibly have, by what it measures (percent for rates; a change in
# percent; other units as counted). A rate target of 0,73 is a fraction where percent is meant.
RATE_RANGE = (0.0, 100.0)
CHANGE_RANGE = (-100.0, 100.0)


def _range_problem(indicator: str, value: float, text: str) -> str | None:
    """Why ``value`` cannot be a target of ``indicator``, or None."""
    from ..ingest.schema import MAX_VALUE

    unit = INDICATORS[indicator].unit
    is_change = "change" in indicator
    if unit == "%" and not is_change:
        low, high = RATE_RANGE
        if 0 < value <= 1:
            return (f"{text} looks like a fraction; rates are written in percent (73 for 73%), "
                    f"so {text} means {text}%")
        if not low <= value <= high:
            return f"{text}% is not a possible rate; a rate lies between 0 and 100"
    elif unit in ("%", "điểm %"):
        low, high = CHANGE_RANGE
        if not low <= value <= high:
            return f"{text}% is not a possible change; write it between {low:g} and {high:g}"
    elif abs(value) > MAX_VALUE:
        return f"{text} is larger than any count or amount"
    return None


def _rows(path: Path, display: str) -> list[tuple[int, list[str]]]:
    """(line, cells) of every non-blank line of a CSV file; DataError when it cannot be read."""
    import csv

    if not path.exists():
        raise DataError([Problem(display, "missing file", "no such targets file; check the path")])
    if path.is_dir():
        raise DataError([Problem(display, "not a file", "the targets must be one CSV file, not a folder")])
    if not path.is_file():
        raise DataError([Problem(display, "not a file", "not a regular file (a device, pipe or socket); give the "
                                 "targets as a CSV file")])
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            rows = []
            for cells in reader:
                if any(c.strip() for c in cells):
                    rows.append((reader.line_num, [c.strip() for c in cells]))
                if len(rows) > 100_000:
                    raise DataError([Problem(display, "too many rows", "more than 100.000 targets; is this the "
                                             "targets file?")])
    except UnicodeDecodeError as exc:
        raise DataError([Problem(display, "encoding", f"not UTF-8 (bad byte at offset {exc.start}); save the file "
                                 "as 'CSV UTF-8'")]) from None
    except csv.Error as exc:
        raise DataError([Problem(display, "unreadable row", f"{exc}; a stray quote (\")?",
                                 row=reader.line_num)]) from None
    except PermissionError:
        raise DataError([Problem(display, "unreadable file", "permission denied; check the file's permissions")]) \
            from None
    except OSError as exc:
        raise DataError([Problem(display, "unreadable file", f"cannot read the file: {exc.strerror or exc}")]) \
            from None
    if not rows:
        raise DataError([Problem(display, "empty file", f"the file is empty; the header must be {','.join(COLUMNS)}")])
    return rows


def read_targets(path) -> pd.DataFrame:
    """Read and check a targets CSV; returns it with ``scope`` as "national" or a province code.

    Raises DataError listing every bad line: a wrong number of cells, an unknown province,
    indicator or comparator, a year or target that is not a number, a target no indicator of
    its kind can have (a rate as a fraction, above 100% or negative), a duplicate.
    """
    path = Path(path)
    display = str(path)
    rows = _rows(path, display)
    (_, header), body = rows[0], rows[1:]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise DataError([Problem(display, "missing column", f"required column {c!r} is absent; the header must be "
                                 f"{','.join(COLUMNS)}", row=1, column=c) for c in missing])
    problems = []
    records = []
    for line, cells in body:
        if len(cells) != len(header):
            problems.append(Problem(display, "wrong number of cells", f"the line has {len(cells)} cells but the header "
                                    f"has {len(header)}; a comma inside a value must be quoted", row=line))
            continue
        row = dict(zip(header, cells))
        scope = row["scope"]
        if scope.lower() == NATIONAL:
            scope = NATIONAL
        else:
            try:
                scope = _scope(scope)
            except (UnknownProvinceError, ValueError) as exc:
                problems.append(Problem(display, "unknown province", str(exc), row=line, column="scope"))
        year = None
        try:
            year = int(parse_number(row["year"]))
            if not FIRST_YEAR <= year <= dt.date.today().year + 1:
                raise ValueError
        except (NumberParseError, TypeError, ValueError):
            problems.append(Problem(display, "wrong type", f"year {row['year']!r} is not a statistical year "
                                    f"({FIRST_YEAR} to now)", row=line, column="year"))
        if row["indicator"] not in INDICATORS:
            close = difflib.get_close_matches(row["indicator"], list(INDICATORS), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else "; see the indicator ids in README.md"
            problems.append(Problem(display, "unknown indicator", f"{row['indicator']!r} is not an indicator id{hint}",
                                    row=line, column="indicator"))
        if row["comparator"] not in COMPARATORS:
            problems.append(Problem(display, "bad comparator", f"{row['comparator']!r} is not one of "
                                    f"{' '.join(COMPARATORS)}", row=line, column="comparator"))
        value = None
        try:
            number = parse_number(row["target"])
            if number is None:
                raise NumberParseError("empty")
            value = float(number)
        except NumberParseError as exc:
            why = "it is empty" if str(exc) == "empty" else str(exc)
            problems.append(Problem(display, "wrong type", f"target {row['target']!r} is not a number: {why}",
                                    row=line, column="target"))
        if value is not None and row["indicator"] in INDICATORS:
            why = _range_problem(row["indicator"], value, row["target"])
            if why:
                problems.append(Problem(display, "impossible target", f"{row['indicator']}: {why}", row=line,
                                        column="target"))
        records.append(dict(scope=scope, year=year, indicator=row["indicator"], comparator=row["comparator"],
                            target=value, source=row["source"], line=line))
    if problems:
        raise DataError(problems)
    table = pd.DataFrame(records, columns=[*COLUMNS, "line"])
    duplicated = table.duplicated(["scope", "year", "indicator"], keep=False)
    if duplicated.any():
        raise DataError([Problem(display, "duplicate target", f"{r.indicator} for {r.scope} in {r.year} is given "
                                 "more than once; keep one row", row=r.line, column="indicator")
                         for r in table[duplicated].itertuples()])
    table = table.drop(columns="line")
    return table


def _scope(text: str) -> str:
    """A province ("36", "Nam Định") → its code; an office ("36/366", "Nam Định/Hải Hậu") → "36/366"."""
    if "/" not in text:
        return lookup(text).code
    from ..offices import lookup_office

    province, office = (part.strip() for part in text.split("/", 1))
    code = lookup(province).code
    return f"{code}/{lookup_office(office, code).code}"


def year_warning(table: pd.DataFrame, year: int, name: str) -> str | None:
    """A warning when the targets table holds nothing for ``year`` (so no status can be given)."""
    if (table["year"] == year).any():
        return None
    years = ", ".join(str(y) for y in sorted(table["year"].unique())) or "none"
    return (f"warning: {name}: no targets for statistical year {year} (the file has targets for: {years}); "
            "every indicator is shown without a target or status")


def targets_for(table: pd.DataFrame, province_code: str | None, year: int,
                office_scope: str | None = None) -> dict[str, Target]:
    """The targets that apply to a province (or the nation when None) in ``year``, or to one of its
    offices ("36/366").

    An office row overrides the province row, which overrides the national row, of the same indicator.
    """
    rows = table[table["year"] == year]
    out: dict[str, Target] = {}
    for scope in [NATIONAL, province_code, office_scope]:
        if scope is None:
            continue
        for r in rows[rows["scope"] == scope].itertuples():
            out[r.indicator] = Target(r.indicator, r.comparator, float(r.target), r.source, scope)
    return out
