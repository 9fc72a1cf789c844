"""Raw cells → canonical rows, column by column: periods, provinces, measures, units and numbers
interpreted, money converted to đồng, every problem named by file, row and column."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from ..i18n import N_, _, day
from ..numbers import BLANK_TEXTS, STYLE_EVIDENCE, NumberParseError, format_int, is_blank, parse_number
from ..provinces import UnknownProvinceError, lookup, normalize_name
from . import schema
from .headers import map_headers, table_kind
from .labels import CASE_UNITS, match_value, normalize_label
from .readers import Chunk, RawTable
from .schema import Problem, ProblemLog

TOTAL_ROW_WORDS = {"tong cong", "toan quoc", "tong so", "cong", "ca nuoc", "total", "tong"}
SOURCE_COLUMNS = ["source_file", "source_row"]
DEFAULT_ORIGIN = "reported"


def _parse_period(value) -> pd.Timestamp:
    """A cell holding the period end: a date, "2017-04-30", "30/04/2017" or "04/2017" (month end).

    A date with a time zone is taken as the calendar date it shows in its own zone.
    """
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        stamp = pd.Timestamp(value)
        return (stamp.tz_localize(None) if stamp.tzinfo is not None else stamp).normalize()
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return pd.Timestamp(dt.datetime.strptime(text, pattern))
        except ValueError:
            continue
    for pattern in ("%m/%Y", "%Y-%m"):
        try:
            return pd.Timestamp(dt.datetime.strptime(text, pattern)) + pd.offsets.MonthEnd(0)
        except ValueError:
            continue
    raise ValueError(_("{value!r} is not a date (write 2017-04-30 or 30/04/2017)").format(value=value))


def _province_label(code: str | None) -> str | None:
    if code is None:
        return None
    try:
        return f"{code} {lookup(code).short_name}"
    except (UnknownProvinceError, ValueError):
        return code


def _arrow_text(cells: pd.Series):
    """The column as an Arrow string array when every cell is text or empty (a CSV column), else None."""
    import pyarrow as pa

    try:
        return pa.array(cells.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def _squeezed(text):
    """Text without spaces: numbers may group thousands with spaces or non-breaking spaces."""
    import pyarrow.compute as pc

    return pc.replace_substring_regex(text, pattern=r"[\s\x{00a0}\x{202f}]", replacement="")


def _matches(text, pattern: str) -> np.ndarray:
    """Which cells of an Arrow string array match ``pattern`` whole (RE2 syntax); empty ones do not."""
    import pyarrow.compute as pc

    return pc.match_substring_regex(text, f"^(?:{pattern})$").fill_null(False).to_numpy(zero_copy_only=False)


def _blank_text(text, squeezed) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    blank = pc.or_kleene(pc.is_null(text), pc.is_in(pc.utf8_lower(squeezed), value_set=pa.array(sorted(BLANK_TEXTS))))
    return blank.fill_null(True).to_numpy(zero_copy_only=False)


def _blank(cells: pd.Series) -> np.ndarray:
    """Which cells are empty: None, NaN, "" or a dash."""
    text = _arrow_text(cells)
    if text is None:
        return np.fromiter((is_blank(v) for v in cells.to_numpy()), dtype=bool, count=len(cells))
    return _blank_text(text, _squeezed(text))


def _cached(cache: dict, value, compute):
    """``compute(value)`` remembered per distinct cell value (file columns repeat a few values)."""
    try:
        return cache[value]
    except KeyError:
        cache[value] = compute(value)
        return cache[value]
    except TypeError:  # an unhashable cell (a list from parquet, say)
        return compute(value)


@dataclass
class Numbers:
    """A column's numbers by position: exact integers where the cell is a plain or grouped
    integer (``ints`` where ``fast``), Decimals for the other cells (``other``), messages for
    cells that are not numbers, and the empty cells."""

    ints: np.ndarray  # int64, meaningful where ``fast``
    fast: np.ndarray
    other: dict  # position → Decimal
    errors: dict  # position → message
    blank: np.ndarray
    ambiguous: bool = False  # a "1.234" read the Vietnamese way without the file saying so


# ASCII digits only ([0-9], not \d): other scripts' digits go through parse_number one by one.
PLAIN_INTEGER = r"[+-]?[0-9]{1,18}"
GROUPED_INTEGER = {"en": r"[+-]?[0-9]{1,3}(,[0-9]{3}){1,5}", "vi": r"[+-]?[0-9]{1,3}(\.[0-9]{3}){1,5}"}
ONE_DOT_GROUP = r"[+-]?[0-9]{1,3}\.[0-9]{3}"


def _plain_digits(text) -> np.ndarray:
    """Which cells of an Arrow string array are ASCII digits only, at most 18 (nearly every cell of
    a CSV file): they need no regular expression."""
    import pyarrow.compute as pc

    plain = pc.and_(pc.ascii_is_decimal(text), pc.less_equal(pc.utf8_length(text), 18))
    return plain.fill_null(False).to_numpy(zero_copy_only=False)


def parse_column(cells: pd.Series, style: str | None) -> Numbers:
    """Read a column of cells as numbers in the file's ``style`` (see numbers.parse_number).

    Text cells that are integers written plainly or with thousands groups are converted in one
    vectorised step (Arrow); only the other cells go through ``parse_number`` one by one.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    values = cells.to_numpy(dtype=object)
    ints = np.zeros(len(values), dtype=np.int64)
    fast = np.zeros(len(values), dtype=bool)
    ambiguous = False
    text = _arrow_text(cells)
    if text is None:  # numbers and text mixed (a workbook, a parquet file): cell by cell
        blank = np.fromiter((is_blank(v) for v in values), dtype=bool, count=len(values))
    else:
        fast = _plain_digits(text)
        if fast.any():
            ints[fast] = pc.cast(pc.filter(text, pa.array(fast)), pa.int64()).to_numpy(zero_copy_only=False)
        blank = np.zeros(len(values), dtype=bool)
        rest = np.flatnonzero(~fast)  # signs, groups, spaces, decimals, blanks, words
        if len(rest):
            text = pc.take(text, pa.array(rest))
            squeezed = _squeezed(text)
            blank[rest] = _blank_text(text, squeezed)
            grouped = GROUPED_INTEGER["en" if style == "en" else "vi"]
            whole = (_matches(squeezed, PLAIN_INTEGER) | _matches(squeezed, grouped)) & ~blank[rest]
            if whole.any():
                digits = pc.replace_substring_regex(pc.filter(squeezed, pa.array(whole)), pattern=r"[.,+]",
                                                    replacement="")
                ints[rest[whole]] = pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False)
                fast[rest[whole]] = True
            ambiguous = bool(style is None and (whole & _matches(squeezed, ONE_DOT_GROUP)).any())
    other, errors = {}, {}
    for i in np.flatnonzero(~blank & ~fast):
        try:
            other[i] = parse_number(values[i], style)
        except NumberParseError as exc:
            errors[i] = str(exc)
    return Numbers(ints, fast, other, errors, blank, ambiguous)


def style_evidence(cells: pd.Series) -> dict[str, tuple]:
    """Cells of a column that can only be read one way: {"vi" | "en": (position, text)}."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = _arrow_text(cells)
    if text is None:
        positions = [i for i, v in enumerate(cells.to_numpy(dtype=object)) if isinstance(v, str)]
        text = _arrow_text(cells.iloc[positions])
    else:
        positions = np.flatnonzero(~_plain_digits(text))  # plain digits read the same either way
        text = pc.take(text, pa.array(positions))
    squeezed = _squeezed(text)
    found = {}
    for style, pattern in STYLE_EVIDENCE.items():
        hits = np.flatnonzero(_matches(squeezed, pattern.pattern.strip("^$")))
        if len(hits):
            found[style] = (positions[hits[0]], cells.iat[positions[hits[0]]])
    return found


# ---------------------------------------------------------------- tables → canonical rows


@dataclass
class _Table:
    """What the chunks of one table share while they are converted."""

    raw: RawTable
    kind: str
    cols: dict[str, int]
    header_units: dict[str, str]
    default_unit: str | None
    log: ProblemLog
    caches: dict = field(default_factory=dict)

    def cache(self, name: str) -> dict:
        return self.caches.setdefault(name, {})


class _Rows:
    """The rows of one chunk being converted: their lines, codes and the problems found on them."""

    def __init__(self, table: _Table, lines: np.ndarray):
        self.table = table
        self.lines = lines
        self.bad = np.zeros(len(lines), dtype=bool)
        self.provinces = np.full(len(lines), None, dtype=object)
        self.unit_named = np.zeros(len(lines), dtype=bool)  # "money unit not stated" said once per row

    def problem(self, i: int, column: str | None, rule: str, message: str, severity: str = "error",
                province: str | None = None) -> None:
        self.table.log.add(Problem(self.table.raw.file, rule, message, row=int(self.lines[i]),
                                   province=province or self.provinces[i], column=column, severity=severity))
        if severity == "error":
            self.bad[i] = True


def _distinct(cells: pd.Series, table: _Table, kind: str, compute) -> tuple[list, np.ndarray]:
    """``compute`` of every cell, worked out once per distinct value (a column repeats a few values).

    Returns the results of the distinct values and, per row, the position of its value among
    them (−1 for an empty cell).
    """
    values = cells.to_numpy(dtype=object)
    try:
        positions, distinct = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells (a list from parquet, say): compare them as text
        positions, distinct = pd.factorize(np.array([None if v is None else str(v) for v in values], dtype=object))
    cache = table.cache(kind)
    results = [None if is_blank(v) else _cached(cache, v, compute) for v in distinct]
    blank = [r is None for r in results]
    positions = np.where(positions >= 0, positions, -1)
    positions[np.isin(positions, np.flatnonzero(blank))] = -1
    return results, positions


# A data row named for an office is not a province total: in the official forms the row "Cục
# THADS thành phố Đà Nẵng" is the Cục's own caseload beside its Chi cục, so reading it as the province
# would give a wrong rate without a word.
_OFFICE_ROW = re.compile(r"^(chi cuc|cuc) (thads|thi hanh an dan su)\b")


def _lookup_code(text) -> tuple[str | None, str | None, str | None]:
    """(province code, None, None) for a province cell, or (None, rule, message) saying why not."""
    office = _OFFICE_ROW.match(normalize_name(str(text)))
    if office and office.group(1) == "chi cuc":
        return None, N_("office row"), _(
            "{text!r} is a district office (Chi cục THADS), not a province; rows of single offices are not read: "
            "give the province's total row under the province's name").format(text=text)
    try:
        code = lookup(text).code
    except (UnknownProvinceError, ValueError) as exc:
        return None, N_("unknown province"), str(exc)
    if office:
        name = lookup(code).short_name
        return None, N_("office row"), _(
            "{text!r} names the Cục THADS, an office: in the official forms its row is the Cục's own caseload "
            "without its Chi cục, not the province; if the row is the whole province's total, write the province's "
            "name ({name!r})").format(text=text, name=name)
    return code, None, None


def _provinces(table: _Table, cells: pd.DataFrame, rows: _Rows) -> np.ndarray:
    """The province code of every row, from its code, its name or both (which must agree)."""
    codes = np.full(len(cells), None, dtype=object)
    for name in ("province_code", "province"):
        if name not in cells:
            continue
        results, positions = _distinct(cells[name], table, "province", _lookup_code)
        found = np.array([None] + [r[0] if r else None for r in results], dtype=object)[positions + 1]
        for k, result in enumerate(results):
            if result is not None and result[1] is not None:
                for i in np.flatnonzero(positions == k):
                    rows.problem(i, name, result[1], result[2])
        both = np.flatnonzero(np.not_equal(codes, None) & np.not_equal(found, None) & (codes != found))
        for i in both:
            rows.problem(i, name, N_("province mismatch"), _(
                "code {code} is {province} but the name says {text!r} ({found}); correct one of them").format(
                code=codes[i], province=lookup(codes[i]).short_name, text=cells[name].iat[i], found=found[i]),
                province=_province_label(codes[i]))
        codes = np.where(np.equal(codes, None), found, codes)
    labels = {c: _province_label(c) for c in set(codes) if c is not None}
    rows.provinces = np.array([labels.get(c) for c in codes], dtype=object)
    for i in np.flatnonzero(np.equal(codes, None) & ~rows.bad):
        rows.problem(i, "province_code", N_("missing value"), _("no province code or name on this row"))
    return codes


OFFICE_COLUMN = "office_code"
PROVINCE_TOTAL = ""  # office_code of a province's total row
_TOTAL_OFFICE_WORDS = TOTAL_ROW_WORDS | {"toan tinh", "toan thanh pho", "tong toan tinh"}


def _office_or_error(value, province: str):
    """(office code, None) for an office cell of ``province`` ("" for the province total), or
    (None, message)."""
    from ..offices import UnknownOfficeError, lookup_office

    if normalize_label(value) in _TOTAL_OFFICE_WORDS:
        return PROVINCE_TOTAL, None
    try:
        return lookup_office(value, province).code, None
    except (UnknownOfficeError, ValueError) as exc:
        return None, str(exc)


def _offices(table: _Table, cells: pd.DataFrame, rows: _Rows, codes) -> np.ndarray:
    """The office code of every row ("" for a province total, also where the cell is empty), from
    its code, its name or both (which must agree); an office of another province is an error."""
    found = np.full(len(cells), PROVINCE_TOTAL, dtype=object)
    given = np.zeros(len(cells), dtype=bool)
    cache = table.cache("office")
    for name in ("office_code", "office"):
        if name not in cells:
            continue
        values = cells[name].to_numpy(dtype=object)
        for i in np.flatnonzero(~_blank(cells[name])):
            if codes[i] is None:
                continue  # the row's province is already an error
            value = values[i]
            code, error = _cached(cache, (str(value), codes[i]), lambda key: _office_or_error(*key))
            if error:
                rows.problem(i, name, N_("unknown office"), error)
            elif given[i] and code != found[i]:
                total = _("province total")
                rows.problem(i, name, N_("office mismatch"), _(
                    "the office code says {said!r} but {column} says {value!r} ({found}); correct one of them").format(
                    said=found[i] or total, column=schema.column_text(name), value=value, found=code or total))
            else:
                found[i], given[i] = code, True
    return found


def _period_or_error(value):
    try:
        return _parse_period(value), None
    except ValueError as exc:
        return None, str(exc)


def _year_or_error(value):
    try:
        year = int(parse_number(value))
    except (NumberParseError, TypeError, ValueError) as exc:
        return None, str(exc)
    if not schema.FIRST_YEAR <= year <= dt.date.today().year + 1:
        return None, _("{year} is not a plausible statistical year ({first} to now)").format(
            year=year, first=schema.FIRST_YEAR)
    return year, None


def _periods(table: _Table, cells: pd.DataFrame, rows: _Rows) -> list:
    """The period end of every row, from ``period_end`` or, for a full year, ``year``."""
    periods = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[us]")
    if "period_end" in cells:
        results, positions = _distinct(cells["period_end"], table, "period", _period_or_error)
        for k, result in enumerate(results):
            if result is None:
                continue
            at = np.flatnonzero(positions == k)
            if result[1]:
                for i in at:
                    rows.problem(i, "period_end", N_("wrong type"), result[1])
            else:
                periods.iloc[at] = result[0]
    if "year" in cells:
        results, positions = _distinct(cells["year"], table, "year", _year_or_error)
        for k, result in enumerate(results):
            if result is None:
                continue
            year, error = result
            for i in np.flatnonzero(positions == k):
                if error:
                    rows.problem(i, "year", N_("wrong type"), error)
                elif pd.isna(periods.iat[i]):
                    periods.iat[i] = schema.year_end(year)
                elif schema.statistical_year(periods.iat[i]) != year:
                    rows.problem(i, "year", N_("period mismatch"), _(
                        "period end {period} lies in statistical year {found}, not {year}").format(
                        period=day(periods.iat[i]), found=schema.statistical_year(periods.iat[i]), year=year))
    for i in np.flatnonzero(periods.isna().to_numpy() & ~rows.bad):
        rows.problem(i, "period_end", N_("missing value"), _("no period end (or year) on this row"))
    for i in np.flatnonzero((periods.notna() & ~periods.dt.is_month_end).to_numpy()):
        period = periods.iat[i]
        rows.problem(i, "period_end", N_("not a month end"), _(
            "{period} is not the last day of a month; reports are cumulative to a month end (did you mean "
            "{month_end}?)").format(period=day(period), month_end=day(period + pd.offsets.MonthEnd(0))))
    typed = periods.astype(object).to_numpy(copy=True)  # Timestamps, made in one step
    typed[periods.isna().to_numpy()] = None
    return list(typed)  # typed once for the whole table (_typed)


def _words(table: _Table, cells: pd.DataFrame, rows: _Rows, kind: str, column: str, default, hint=None) -> list:
    """Measure, category or money unit of every row (``default`` for a blank cell)."""
    column_cells = cells[column] if column in cells else pd.Series(hint, index=cells.index, dtype=object)
    results, positions = _distinct(column_cells, table, kind, lambda v: (match_value(kind, v), v))
    found = np.array([default] + [r[0] if r else None for r in results], dtype=object)[positions + 1]
    if column in cells:
        message = {"measure": N_("measure {value!r} is not one of 'cases' (Việc) or 'money' (Tiền)"),
                   "category": N_("category {value!r} is not one of {allowed}"),
                   "unit": N_("unit {value!r} is not one of {allowed}")}[kind]
        allowed = {"measure": "",
                   "category": ", ".join(f"{k} ({v})" for k, v in schema.CATEGORY_LABELS.items()),
                   "unit": ", ".join(schema.MONEY_UNITS)}[kind]
        for k, result in enumerate(results):
            if result is None or result[0] is not None:
                continue
            if kind == "unit" and normalize_label(result[1]) in CASE_UNITS:
                continue  # "việc": the unit of a cases row
            for i in np.flatnonzero(positions == k):
                rows.problem(i, column, N_("bad value"), _(message).format(value=result[1], allowed=allowed))
    return list(found)


def _row_units(table: _Table, cells: pd.DataFrame, rows: _Rows, measures: list) -> list:
    """The money unit each row states (its ``unit`` cell, else --money-unit); disagreements are errors."""
    units = _words(table, cells, rows, "unit", "unit", None) if "unit" in cells else [None] * len(cells)
    stated_header = {name: unit for name, unit in table.header_units.items() if name in cells}
    for i, (measure, unit) in enumerate(zip(measures, units)):
        if unit is None:
            continue
        if measure == "cases":
            rows.problem(i, "unit", N_("money unit"), _(
                "a cases (Việc) row states the money unit {unit!r}; counts of cases have no money unit").format(
                unit=unit))
            continue
        if table.default_unit is not None and unit != table.default_unit:
            rows.problem(i, "unit", N_("money unit"), _(
                "the unit column says {unit!r} but --money-unit says {option!r}; remove one of them").format(
                unit=unit, option=table.default_unit))
        clash = [name for name, header_unit in stated_header.items() if header_unit != unit]
        if clash:
            name = clash[0]
            rows.problem(i, "unit", N_("money unit"), _(
                "the unit column says {unit!r} but the header {header!r} says {header_unit!r}; the same money cannot "
                "be in both units, correct one of them").format(
                unit=unit, header=table.raw.headers[table.cols[name]], header_unit=stated_header[name]))
    return [u if u is not None else table.default_unit for u in units]


def _too_large(cell, unit: str | None) -> str:
    if unit:
        return _("{cell!r} {unit} is above the largest value accepted ({largest} đồng); check the cell and the money "
                 "unit").format(cell=cell, unit=unit, largest=format_int(schema.MAX_VALUE))
    return _("{cell!r} is above the largest value accepted ({largest} cases); check the cell").format(
        cell=cell, largest=format_int(schema.MAX_VALUE))


def _values(table: _Table, cells: pd.DataFrame, rows: _Rows, name: str, measures: list, units: list,
            style: str | None) -> tuple[pd.arrays.IntegerArray, bool]:
    """One value column in canonical units (đồng for money) as Int64, and whether an ambiguous
    "1.234" was read the Vietnamese way without the file's writing being known."""
    numbers = parse_column(cells[name], style)
    money = np.array([m == "money" for m in measures], dtype=bool)
    header_unit = table.header_units.get(name)
    unit_of = [header_unit or u for u in units]
    # The factor to đồng (1 for counts); 0 where a money row states no unit.
    factor = np.array([(schema.MONEY_UNITS[u] if u else 0) if is_money else 1
                       for is_money, u in zip(money, unit_of)], dtype=np.int64)
    out = np.zeros(len(factor), dtype=np.int64)
    valid = np.zeros(len(factor), dtype=bool)
    for i in np.flatnonzero((factor == 0) & ~numbers.blank & ~rows.unit_named):
        rows.unit_named[i] = True
        rows.problem(i, name, N_("money unit"), _(
            "the money unit is not stated; add a 'unit' column (đồng, nghìn đồng, triệu đồng, tỷ đồng), put it in "
            "the header such as 'Thi hành xong (nghìn đồng)', or pass --money-unit"))
    known = numbers.fast & (factor > 0)
    too_big = known & (np.abs(numbers.ints) > schema.MAX_VALUE // np.maximum(factor, 1))
    ok = known & ~too_big
    out[ok] = numbers.ints[ok] * factor[ok]
    valid |= ok
    for i in np.flatnonzero(too_big):
        rows.problem(i, name, N_("value too large"),
                     _too_large(cells[name].iat[i], unit_of[i] if money[i] else None))
    for i, number in numbers.other.items():
        if factor[i] == 0:
            continue
        if not money[i] and number != number.to_integral_value():
            rows.problem(i, name, N_("wrong type"), _("{value!r} is not a whole number of cases").format(
                value=cells[name].iat[i]))
            continue
        amount = number * int(factor[i])
        if abs(amount) > schema.MAX_VALUE:
            rows.problem(i, name, N_("value too large"),
                         _too_large(cells[name].iat[i], unit_of[i] if money[i] else None))
            continue
        out[i], valid[i] = int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)), True
    for i, message in numbers.errors.items():
        rows.problem(i, name, N_("wrong type"), message)
    if name in schema.ZERO_IF_ABSENT:
        valid |= numbers.blank  # out is 0 there
    elif name in schema.REQUIRED_VALUES:
        for i in np.flatnonzero(numbers.blank):
            # The name as a file may write it in its header, beside its label.
            rows.problem(i, name, N_("missing value"), _("{name} ({label}) is empty").format(
                name=name, label=schema.LABELS[name]))
    return pd.arrays.IntegerArray(out, ~valid), numbers.ambiguous


def _counts(cells: pd.DataFrame, rows: _Rows, name: str, style: str | None) -> pd.arrays.IntegerArray:
    """A standing-target count column as Int64 (whole numbers only)."""
    numbers = parse_column(cells[name], style)
    out, valid = numbers.ints.copy(), numbers.fast.copy()
    too_big = valid & (np.abs(out) > schema.MAX_VALUE)
    for i in np.flatnonzero(too_big):
        rows.problem(i, name, N_("value too large"), _too_large(cells[name].iat[i], None))
    valid &= ~too_big
    for i, number in numbers.other.items():
        if abs(number) > schema.MAX_VALUE:
            rows.problem(i, name, N_("value too large"), _too_large(cells[name].iat[i], None))
        elif number != number.to_integral_value():
            rows.problem(i, name, N_("wrong type"), _("{value!r} is not a whole number").format(
                value=cells[name].iat[i]))
        else:
            out[i], valid[i] = int(number), True
    for i, message in numbers.errors.items():
        rows.problem(i, name, N_("wrong type"), message)
    return pd.arrays.IntegerArray(out, ~valid)


def _cells(table: _Table, chunk: Chunk) -> tuple[pd.DataFrame, np.ndarray]:
    """The chunk as a frame of the mapped columns (raw cells), and each row's line."""
    width = len(table.raw.headers)
    longest = max((len(r) for r in chunk.rows), default=0)
    padded = [r if len(r) == longest else [*r, *([None] * (longest - len(r)))] for r in chunk.rows]
    grid = pd.DataFrame(padded, dtype=object) if padded else pd.DataFrame()
    cells = pd.DataFrame({name: grid[pos] if pos in grid.columns else pd.Series(None, index=grid.index, dtype=object)
                          for name, pos in table.cols.items()})
    lines = np.asarray(chunk.lines, dtype=np.int64)
    beyond = [c for c in grid.columns if c >= width]
    if beyond:
        # More cells than headers: an unquoted "1,234" in a comma-separated file splits one number
        # in two and moves every cell after it one column to the right.
        extra = ~np.column_stack([_blank(grid[c]) for c in beyond]).all(axis=1)
        for i in np.flatnonzero(extra):
            table.log.add(Problem(table.raw.file, N_("too many cells"), _(
                "the row has {count} cells but the header has {width}: a comma inside an unquoted number such as "
                "1,234? Quote the cell or remove the comma").format(count=int(grid.iloc[i].notna().sum()), width=width),
                row=int(lines[i])))
        keep = ~extra
        cells, lines = cells[keep].reset_index(drop=True), lines[keep]
    return cells, lines


def _is_total(value) -> bool:
    return not is_blank(value) and normalize_label(value) in TOTAL_ROW_WORDS


def _convert_chunk(table: _Table, cells: pd.DataFrame, lines: np.ndarray,
                   style: str | None) -> tuple[pd.DataFrame, bool]:
    """Canonical rows of one chunk (``_unreadable`` marks rows with an error), and whether an
    ambiguous number was read without knowing the file's writing."""
    totals = np.zeros(len(cells), dtype=bool)
    for name in ("province", "province_code"):
        if name in cells:
            results, positions = _distinct(cells[name], table, "total", _is_total)
            totals |= np.array([False] + [bool(r) for r in results])[positions + 1]
    for i in np.flatnonzero(totals):
        text = next(v for v in (cells.get("province", pd.Series()).get(i),
                                cells.get("province_code", pd.Series()).get(i)) if not is_blank(v))
        table.log.add(Problem(table.raw.file, N_("total row"), _(
            "total row {text!r} skipped; totals are recomputed").format(text=text), row=int(lines[i]),
            severity="warning"))
    cells, lines = cells[~totals].reset_index(drop=True), lines[~totals]
    rows = _Rows(table, lines)
    out = {"province_code": _provinces(table, cells, rows), "period_end": _periods(table, cells, rows)}
    if "office" in cells or "office_code" in cells:
        out[OFFICE_COLUMN] = _offices(table, cells, rows, out["province_code"])
    origin = cells[schema.ORIGIN_COLUMN] if schema.ORIGIN_COLUMN in cells else pd.Series(None, index=cells.index)
    results, positions = _distinct(origin, table, "origin", lambda v: str(v).strip())
    out[schema.ORIGIN_COLUMN] = np.array([DEFAULT_ORIGIN] + results, dtype=object)[positions + 1]
    out["source_file"] = [table.raw.file] * len(cells)
    out["source_row"] = lines
    if "source_file" in cells:  # a batch snapshot read cell by cell: keep where each value came from
        given = ~_blank(cells["source_file"])
        out["source_file"] = np.where(given, cells["source_file"].astype(str), table.raw.file)
        if "source_row" in cells:
            out["source_row"] = np.where(given, pd.to_numeric(cells["source_row"], errors="coerce"), lines)
    ambiguous = False
    if table.kind == "standing":
        for name in schema.STANDING_COLUMNS:
            if name in cells:
                out[name] = _counts(cells, rows, name, style)
    else:
        measures = _words(table, cells, rows, "measure", "measure", None, hint=table.raw.measure_hint)
        if "measure" not in cells:
            for i in np.flatnonzero([m is None for m in measures]):
                rows.problem(i, "measure", N_("bad value"), _(
                    "measure {value!r} is not 'cases' (Việc) or 'money' (Tiền)").format(value=table.raw.measure_hint))
        out["measure"] = measures
        out["category"] = _words(table, cells, rows, "category", "category", "all")
        units = _row_units(table, cells, rows, measures)
        for name in schema.VALUE_COLUMNS + schema.DERIVED_COLUMNS:
            if name in cells:
                out[name], unsure = _values(table, cells, rows, name, measures, units, style)
                ambiguous |= unsure
    frame = pd.DataFrame(out)
    frame["_unreadable"] = rows.bad
    return frame, ambiguous


def _convert(table: _Table, style: str | None, fixed: bool) -> tuple[list[pd.DataFrame], dict, bool]:
    """Every chunk of the table converted; the number writing seen (style → (line, column, cell));
    whether an ambiguous number was read before the writing was known. Stops at a second writing."""
    frames, evidence, unsure = [], {}, False
    numeric = [n for n in table.cols if n in schema.VALUE_COLUMNS + schema.DERIVED_COLUMNS + schema.STANDING_COLUMNS]
    for chunk in table.raw.chunks():
        table.log.extend(chunk.problems)
        cells, lines = _cells(table, chunk)
        if not fixed:
            for name in numeric:
                for seen, (idx, text) in style_evidence(cells[name]).items():
                    evidence.setdefault(seen, (int(lines[idx]), name, text))
            if len(evidence) > 1:
                return frames, evidence, unsure
            style = next(iter(evidence), None)
        frame, ambiguous = _convert_chunk(table, cells, lines, style)
        unsure |= ambiguous and style is None
        frames.append(frame)
    return frames, evidence, unsure


def _capped(problems: list[Problem]) -> list[Problem]:
    log = ProblemLog()
    log.extend(problems)
    return log.problems()


def to_canonical(raw: RawTable, money_unit: str | None = None) -> tuple[str, pd.DataFrame, list[Problem]]:
    """Interpret one raw table: its kind ("report" or "standing"), canonical rows (nullable Int64
    values, ``_unreadable`` marking rows with an error) and the problems found."""
    headers, problems = map_headers(raw)
    problems = raw.problems + problems
    kind = table_kind(headers.columns)
    empty = empty_standing() if kind == "standing" else empty_frame()
    if any(p.severity == "error" for p in problems):
        return kind, empty, _lettered(_capped(problems), raw)
    default_unit = None
    if money_unit is not None:
        default_unit = match_value("unit", money_unit)
        if default_unit is None:
            raise ValueError(_("unknown money unit {unit!r}; use one of {units}").format(
                unit=money_unit, units=", ".join(schema.MONEY_UNITS)))
        clash = [(name, unit) for name, unit in headers.units.items() if unit != default_unit]
        if clash:
            name, unit = clash[0]
            return kind, empty, _lettered(_capped(problems + [Problem(
                raw.file, N_("money unit"), _("--money-unit says {option!r} but the header {header!r} says "
                                              "{unit!r}; remove one of them").format(
                    option=default_unit, header=raw.headers[headers.columns[name]], unit=unit), row=1, column=name)]),
                raw)
    table = _Table(raw, kind, headers.columns, headers.units, default_unit, ProblemLog())
    table.log.extend(problems)
    frames, evidence, unsure = _convert(table, None, fixed=False)
    if len(evidence) > 1:
        (line_a, column_a, text_a), (line_b, column_b, text_b) = evidence["vi"], evidence["en"]
        return kind, empty, _lettered(_capped(problems), raw) + [Problem(
            raw.file, N_("number writing"), _(
                "numbers are written two ways: {text_a!r} (line {line_a}, column {column_a}) is Vietnamese "
                "(1.234.567,5) and {text_b!r} (line {line_b}, column {column_b}) is English (1,234,567.5); a cell "
                "such as 1.234 or 865,000 would mean different numbers. Write every number one way").format(
                text_a=text_a, line_a=line_a, column_a=_column_words(raw, column_a),
                text_b=text_b, line_b=line_b, column_b=_column_words(raw, column_b)))]
    style = next(iter(evidence), None)
    if unsure and style is not None:
        # Some "1.234" or "865,000" came before the cell that shows the file's writing: read again.
        table.log = ProblemLog()
        table.log.extend(problems)
        frames, _evidence, _unsure = _convert(table, style, fixed=True)
    elif unsure:
        table.log.add(Problem(raw.file, N_("number writing"), _(
            "numbers such as 1.234 were read the Vietnamese way (1.234 = one thousand two hundred and thirty-four): "
            "no cell of the file shows for sure whether a point groups thousands or marks decimals"),
            severity="warning"))
    frame = pd.concat(frames, ignore_index=True) if frames else empty.assign(_unreadable=pd.Series(dtype=bool))
    typed = typed_standing(frame) if kind == "standing" else typed_frame(frame)
    return kind, typed, _lettered(table.log.problems(), raw)


def _lettered(problems: list[Problem], raw: RawTable) -> list[Problem]:
    return lettered(problems, {raw.file: raw.column_letters}) if raw.column_letters else problems


def _column_name(letters: dict[str, str], name: str) -> str:
    """A canonical column as Excel and the current language show it: "K (with_conditions)" in English,
    "K (Số có điều kiện thi hành)" in Vietnamese; the name alone when the table gives it no letter."""
    return f"{letters[name]} ({schema.column_text(name)})" if name in letters else name


def _column_words(raw: RawTable, name: str) -> str:
    """A canonical column named in a message's text: with its letter where the table gives one."""
    return _column_name(raw.column_letters, name) if name in raw.column_letters else schema.column_text(name)


def lettered(problems: list[Problem], letters: dict[str, dict[str, str]]) -> list[Problem]:
    """Problems of a CSV file or a sheet name the column letter Excel shows beside the column's name
    (its label in Vietnamese): ``letters`` maps a file or sheet (as problems name it) to its canonical
    column → letter. A column already lettered, or one the table does not hold, is kept as it is."""
    from dataclasses import replace

    def column(sheet: dict[str, str], names: str) -> str:
        return ", ".join(_column_name(sheet, n) for n in names.split(", "))

    return [replace(p, column=column(letters[p.file], p.column)) if p.column and p.file in letters else p
            for p in problems]


def empty_standing() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in ["province_code", "period_end"] + SOURCE_COLUMNS + [schema.ORIGIN_COLUMN]})


def _int64(values) -> pd.arrays.IntegerArray:
    """Values as a nullable Int64 array (already Int64: as they are)."""
    if getattr(values, "dtype", None) == "Int64":
        return values.array if isinstance(values, pd.Series) else values
    values = pd.Series(values)
    return pd.array(pd.to_numeric(values.astype(object).where(values.notna(), None)), dtype="Int64")


def typed_standing(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for name in schema.STANDING_COLUMNS:
        out[name] = _int64(out[name] if name in out else pd.Series(pd.NA, index=out.index))
    out["period_end"] = pd.to_datetime(out["period_end"])
    out["source_row"] = _int64(out["source_row"])
    for name in ["province_code", "source_file", schema.ORIGIN_COLUMN]:
        out[name] = out[name].astype("string")
    extra = ["_unreadable"] if "_unreadable" in out else []
    return out[["province_code", "period_end", *schema.STANDING_COLUMNS, schema.ORIGIN_COLUMN, *SOURCE_COLUMNS, *extra]]


def empty_frame() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in schema.KEYS + SOURCE_COLUMNS + [schema.ORIGIN_COLUMN]})


def typed_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Give a frame the canonical dtypes; absent optional value columns become NA (or 0)."""
    out = frame.copy()
    for name in schema.VALUE_COLUMNS:
        if name not in out:
            out[name] = 0 if name in schema.ZERO_IF_ABSENT else pd.NA
        out[name] = _int64(out[name])
    for name in schema.DERIVED_COLUMNS:
        if name in out:
            out[name] = _int64(out[name])
    out["period_end"] = pd.to_datetime(out["period_end"]) if len(out) else pd.Series([], dtype="datetime64[ns]")
    out["source_row"] = _int64(out["source_row"])
    for name in ["province_code", "measure", "category", "source_file", schema.ORIGIN_COLUMN]:
        out[name] = out[name].astype("string")
    if OFFICE_COLUMN in out:
        out[OFFICE_COLUMN] = out[OFFICE_COLUMN].fillna(PROVINCE_TOTAL).astype("string")
    ordered = (schema.KEYS + ([OFFICE_COLUMN] if OFFICE_COLUMN in out else []) + schema.VALUE_COLUMNS
               + [c for c in schema.DERIVED_COLUMNS if c in out])
    extra = ["_unreadable"] if "_unreadable" in out else []
    return out[ordered + [schema.ORIGIN_COLUMN] + SOURCE_COLUMNS + extra].reset_index(drop=True)
