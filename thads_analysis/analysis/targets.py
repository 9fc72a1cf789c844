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

from ..i18n import N_, _
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
            return _("{text} looks like a fraction; rates are written in percent (73 for 73%), "
                     "so {text} means {text}%").format(text=text)
        if not low <= value <= high:
            return _("{rate} is not a possible rate; a rate lies between 0 and 100").format(rate=text + "%")
    elif unit in ("%", "điểm %"):
        low, high = CHANGE_RANGE
        if not low <= value <= high:
            return _("{change} is not a possible change; write it between {low} and {high}").format(
                change=text + "%", low=f"{low:g}", high=f"{high:g}")
    elif abs(value) > MAX_VALUE:
        return _("{text} is larger than any count or amount").format(text=text)
    return None


def _rows(path: Path, display: str) -> list[tuple[int, list[str]]]:
    """(line, cells) of every non-blank line of a CSV file; DataError when it cannot be read."""
    import csv

    if not path.exists():
        raise DataError([Problem(display, N_("missing file"), _("no such targets file; check the path"))])
    if path.is_dir():
        raise DataError([Problem(display, N_("not a file"), _("the targets must be one CSV file, not a folder"))])
    if not path.is_file():
        raise DataError([Problem(display, N_("not a file"), _("not a regular file (a device, pipe or socket); give "
                                                              "the targets as a CSV file"))])
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            rows = []
            for cells in reader:
                if any(c.strip() for c in cells):
                    rows.append((reader.line_num, [c.strip() for c in cells]))
                if len(rows) > 100_000:
                    raise DataError([Problem(display, N_("too many rows"), _("more than 100.000 targets; is this "
                                                                             "the targets file?"))])
    except UnicodeDecodeError as exc:
        raise DataError([Problem(display, N_("encoding"), _("not UTF-8 (bad byte at offset {offset}); save the file "
                                                            "as 'CSV UTF-8'").format(offset=exc.start))]) from None
    except csv.Error as exc:
        raise DataError([Problem(display, N_("unreadable row"), _("{error}; a stray quote (\")?").format(error=exc),
                                 row=reader.line_num)]) from None
    except PermissionError:
        raise DataError([Problem(display, N_("unreadable file"),
                                 _("permission denied; check the file's permissions"))]) from None
    except OSError as exc:
        raise DataError([Problem(display, N_("unreadable file"),
                                 _("cannot read the file: {error}").format(error=exc.strerror or exc))]) from None
    if not rows:
        raise DataError([Problem(display, N_("empty file"), _("the file is empty; the header must be {header}").format(
            header=",".join(COLUMNS)))])
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
    (_line, header), body = rows[0], rows[1:]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise DataError([Problem(display, N_("missing column"), _("required column {column!r} is absent; the header "
                                                                  "must be {header}").format(
            column=c, header=",".join(COLUMNS)), row=1, column=c) for c in missing])
    problems = []
    records = []
    for line, cells in body:
        if len(cells) != len(header):
            problems.append(Problem(display, N_("wrong number of cells"), _(
                "the line has {cells} cells but the header has {header}; a comma inside a value must be "
                "quoted").format(cells=len(cells), header=len(header)), row=line))
            continue
        row = dict(zip(header, cells))
        scope = row["scope"]
        if scope.lower() == NATIONAL:
            scope = NATIONAL
        else:
            try:
                scope = _scope(scope)
            except (UnknownProvinceError, ValueError) as exc:
                problems.append(Problem(display, N_("unknown province"), str(exc), row=line, column="scope"))
        year = None
        try:
            year = int(parse_number(row["year"]))
            if not FIRST_YEAR <= year <= dt.date.today().year + 1:
                raise ValueError
        except (NumberParseError, TypeError, ValueError):
            problems.append(Problem(display, N_("wrong type"), _("year {value!r} is not a statistical year "
                                                                 "({first} to now)").format(
                value=row["year"], first=FIRST_YEAR), row=line, column="year"))
        if row["indicator"] not in INDICATORS:
            close = difflib.get_close_matches(row["indicator"], list(INDICATORS), n=3)
            message = (_("{indicator!r} is not an indicator id; did you mean {close}?") if close
                       else _("{indicator!r} is not an indicator id; see the indicator ids in README.md"))
            problems.append(Problem(display, N_("unknown indicator"),
                                    message.format(indicator=row["indicator"], close=", ".join(close)),
                                    row=line, column="indicator"))
        if row["comparator"] not in COMPARATORS:
            problems.append(Problem(display, N_("bad comparator"), _("{value!r} is not one of {comparators}").format(
                value=row["comparator"], comparators=" ".join(COMPARATORS)), row=line, column="comparator"))
        value = None
        try:
            number = parse_number(row["target"])
            if number is None:
                raise NumberParseError("empty")
            value = float(number)
        except NumberParseError as exc:
            why = _("it is empty") if str(exc) == "empty" else str(exc)
            problems.append(Problem(display, N_("wrong type"), _("target {value!r} is not a number: {why}").format(
                value=row["target"], why=why), row=line, column="target"))
        if value is not None and row["indicator"] in INDICATORS:
            why = _range_problem(row["indicator"], value, row["target"])
            if why:
                problems.append(Problem(display, N_("impossible target"), f"{row['indicator']}: {why}", row=line,
                                        column="target"))
        records.append(dict(scope=scope, year=year, indicator=row["indicator"], comparator=row["comparator"],
                            target=value, source=row["source"], line=line))
    if problems:
        raise DataError(problems)
    table = pd.DataFrame(records, columns=[*COLUMNS, "line"])
    duplicated = table.duplicated(["scope", "year", "indicator"], keep=False)
    if duplicated.any():
        raise DataError([Problem(display, N_("duplicate target"), _(
            "{indicator} for {scope} in {year} is given more than once; keep one row").format(
            indicator=r.indicator, scope=r.scope, year=r.year), row=r.line, column="indicator")
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
    years = ", ".join(str(y) for y in sorted(table["year"].unique()))
    if not years:
        return _("warning: {name}: no targets for statistical year {year} (the file has targets for: none); "
                 "every indicator is shown without a target or status").format(name=name, year=year)
    return _("warning: {name}: no targets for statistical year {year} (the file has targets for: {years}); "
             "every indicator is shown without a target or status").format(name=name, year=year, years=years)


def targets_for(table: pd.DataFrame, province_code: str | None, year: int,
                office_scope: str | None = None) -> dict[str, Target]:
    """The targets that apply to a province (or the nation when None) in ``year``, or to one of its
    offices ("36/366").

    An office row overrides the province row, which overrides the national row, of the same indicator.
    """
    scopes = [scope for scope in (NATIONAL, province_code, office_scope) if scope is not None]
    rows = table[(table["year"] == year) & table["scope"].isin(scopes)]
    rank = {scope: i for i, scope in enumerate(scopes)}
    out: dict[str, Target] = {}
    for r in sorted(rows.itertuples(), key=lambda r: rank[r.scope]):  # stable: a narrower scope overrides
        out[r.indicator] = Target(r.indicator, r.comparator, float(r.target), r.source, r.scope)
    return out
