"""Campaign targets: the targets CSV (DESIGN.md), national rows overridden by province rows.

Columns ``scope,year,indicator,comparator,target,source``; ``scope`` is ``national`` or a
province (code or name); rates are in percent (73 = 73%). Unknown indicators, provinces or
comparators are errors naming the file and line.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .indicators import INDICATORS, NATIONAL
from .numbers import NumberParseError, parse_number
from .provinces import UnknownProvinceError, lookup
from .schema import DataError, Problem

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


def read_targets(path) -> pd.DataFrame:
    """Read and check a targets CSV; returns it with ``scope`` as "national" or a province code.

    Raises DataError listing every bad line.
    """
    path = Path(path)
    display = str(path)
    if not path.exists():
        raise DataError([Problem(display, "missing file", "no such targets file; check the path")])
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError([Problem(display, "unreadable file", f"cannot read as a UTF-8 CSV: {exc}")]) from exc
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise DataError([Problem(display, "missing column", f"required column {c!r} is absent; the header must be "
                                 f"{','.join(COLUMNS)}", row=1, column=c) for c in missing])
    problems = []
    scopes, years, values = [], [], []
    for i, row in table.iterrows():
        line = i + 2
        scope = row["scope"].strip()
        if scope.lower() == NATIONAL:
            scopes.append(NATIONAL)
        else:
            try:
                scopes.append(lookup(scope).code)
            except (UnknownProvinceError, ValueError) as exc:
                problems.append(Problem(display, "unknown province", str(exc), row=line, column="scope"))
                scopes.append(None)
        try:
            years.append(int(parse_number(row["year"])))
        except (NumberParseError, TypeError, ValueError):
            problems.append(Problem(display, "wrong type", f"year {row['year']!r} is not a year", row=line, column="year"))
            years.append(None)
        if row["indicator"] not in INDICATORS:
            import difflib

            close = difflib.get_close_matches(row["indicator"], list(INDICATORS), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else "; see the indicator ids in README.md"
            problems.append(Problem(display, "unknown indicator", f"{row['indicator']!r} is not an indicator id{hint}",
                                    row=line, column="indicator"))
        if row["comparator"] not in COMPARATORS:
            problems.append(Problem(display, "bad comparator", f"{row['comparator']!r} is not one of "
                                    f"{' '.join(COMPARATORS)}", row=line, column="comparator"))
        try:
            value = parse_number(row["target"])
            if value is None:
                raise NumberParseError("empty")
            values.append(float(value))
        except NumberParseError:
            problems.append(Problem(display, "wrong type", f"target {row['target']!r} is not a number",
                                    row=line, column="target"))
            values.append(None)
    if problems:
        raise DataError(problems)
    table = table.assign(scope=scopes, year=years, target=values)
    duplicated = table.duplicated(["scope", "year", "indicator"], keep=False)
    if duplicated.any():
        raise DataError([Problem(display, "duplicate target", f"{r.indicator} for {r.scope} in {r.year} is given "
                                 "more than once; keep one row", row=i + 2, column="indicator")
                         for i, r in table[duplicated].iterrows()])
    table.attrs["path"] = display
    return table


def targets_for(table: pd.DataFrame, province_code: str | None, year: int) -> dict[str, Target]:
    """The targets that apply to a province (or the nation when None) in ``year``.

    A province row overrides the national row of the same indicator.
    """
    rows = table[table["year"] == year]
    out: dict[str, Target] = {}
    for scope in [NATIONAL, province_code]:
        if scope is None:
            continue
        for r in rows[rows["scope"] == scope].itertuples():
            out[r.indicator] = Target(r.indicator, r.comparator, float(r.target), r.source, scope)
    return out
