"""Readers: CSV, XLSX and parquet files → the canonical frame (schema.py).

Headers may be canonical names or the Vietnamese form labels (case, spacing, numbering and
diacritics ignored); numbers may be written Vietnamese-style; money is converted to đồng from
the unit the file states (a ``unit`` column, a unit in the header such as "(nghìn đồng)", or
the ``money_unit`` argument). Every problem found is collected as a ``Problem`` naming file,
row, province and column; ``read_data`` raises ``DataError`` with all of them.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io as _io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd

from . import schema
from .numbers import NumberParseError, is_blank, parse_number
from .paths import PROJECT_ROOT
from .provinces import UnknownProvinceError, lookup
from .schema import DataError, Problem

DATA_SUFFIXES = {".csv", ".xlsx", ".xlsm", ".parquet", ".pq"}
KNOWN_IGNORED = {"stt", "tt", "so tt", "ghi chu", "note", "notes"}
# A snapshot written by the batch keeps the file and row each value came from.
PROVENANCE = {"source file": "source_file", "source row": "source_row"}
TOTAL_ROW_WORDS = {"tong cong", "toan quoc", "tong so", "cong", "ca nuoc", "total", "tong"}
ENCODINGS = ["utf-8-sig", "cp1258", "cp1252"]
SOURCE_COLUMNS = ["source_file", "source_row"]
DEFAULT_ORIGIN = "reported"


@lru_cache(maxsize=65536)
def _normalize_text(text: str) -> str:
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return " ".join(text.split())


def normalize_label(text) -> str:
    """Fold a header or value for matching: no diacritics, lower case, single spaces."""
    return _normalize_text(str(text))


def _strip_numbering(text: str) -> str:
    """Drop form numbering and lead words: "(1) Số cũ chuyển sang", "Trong đó: Thi hành xong"."""
    text = re.sub(r"^\s*(\(?\s*[0-9ivx]+\s*[\.\):]\s*)+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^\s*(trong\s*đó|trong\s*do|gồm|gom)\s*[:\-]?\s*", "", text, flags=re.IGNORECASE)
    return text.strip()


@cache
def _label_index() -> dict[str, str]:
    """Normalised label → canonical column name."""
    index: dict[str, str] = {}
    for name in [*schema.LABELS, *schema.HEADER_ALIASES]:
        spellings = [name, name.replace("_", " "), schema.LABELS.get(name, ""), *schema.HEADER_ALIASES.get(name, [])]
        for spelling in spellings:
            key = normalize_label(spelling)
            if key:
                index.setdefault(key, name)
    return index


@cache
def _value_index(kind: str) -> dict[str, str]:
    """Normalised cell value → canonical measure / category / money unit."""
    labels, aliases = {
        "measure": (schema.MEASURE_LABELS, schema.MEASURE_ALIASES),
        "category": (schema.CATEGORY_LABELS, schema.CATEGORY_ALIASES),
        "unit": ({u: u for u in schema.MONEY_UNITS}, schema.MONEY_UNIT_ALIASES),
    }[kind]
    index = {}
    for name, label in labels.items():
        for spelling in [name, label, *aliases.get(name, [])]:
            index.setdefault(normalize_label(spelling), name)
    return index


def _match_value(kind: str, value) -> str | None:
    return _value_index(kind).get(normalize_label(value))


@dataclass
class RawTable:
    """Cells of one sheet or CSV as read, before any interpretation."""

    file: str
    headers: list[str]
    rows: list[list]
    row_numbers: list[int]
    measure_hint: str | None = None
    problems: list[Problem] = field(default_factory=list)


@dataclass
class LoadResult:
    """The canonical frame of some files (None when any error), standing-target counts, every problem."""

    frame: pd.DataFrame | None
    problems: list[Problem]
    files: list[Path] = field(default_factory=list)
    standing: pd.DataFrame | None = None  # standing-target counts, when a file holds them
    unchecked: pd.DataFrame | None = None  # every readable row, before the rules ran
    unchecked_standing: pd.DataFrame | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


# ---------------------------------------------------------------- raw readers


def _decode(path: Path, display: str) -> tuple[str, list[Problem]]:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    # Vietnamese Windows files are usually cp1258; fall back to cp1252 when the headers
    # only make sense that way.
    best = None
    for encoding in ENCODINGS[1:]:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        text = unicodedata.normalize("NFC", text)
        header = text.splitlines()[0] if text else ""
        score = sum(normalize_label(h) in _label_index() for h in re.split(r"[,;\t]", header))
        if best is None or score > best[0]:
            best = (score, encoding, text)
    if best is None:
        raise DataError([Problem(display, "encoding", f"not UTF-8 (first bad byte at offset {first_bad}) and "
                                 "not cp1258 / windows-1252 either; save the file as UTF-8 CSV")])
    note = Problem(display, "encoding", f"file is not UTF-8 (bad byte at offset {first_bad}); read as {best[1]}. "
                   "Save it as 'CSV UTF-8' to silence this.", severity="warning")
    return best[2], [note]


def _read_csv(path: Path, display: str) -> list[RawTable]:
    text, notes = _decode(path, display)
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise DataError([Problem(display, "empty file", "the file is empty; expected a header row and data rows")])
    first = text.splitlines()[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    reader = csv.reader(_io.StringIO(text), delimiter=delimiter)
    lines = []
    for cells in reader:
        lines.append((reader.line_num, cells))
    lines = [(n, c) for n, c in lines if any(cell.strip() for cell in c)]
    header_line, headers = lines[0]
    rows = [c for _, c in lines[1:]]
    numbers = [n for n, _ in lines[1:]]
    return [RawTable(display, headers, rows, numbers, problems=notes)]


def _canonical_parquet(path: Path) -> tuple[str, pd.DataFrame] | None:
    """A parquet file already in canonical form (as the batch writes its inputs), read as is.

    Only typed columns are taken this way (codes of the 63 provinces, dates, integer values,
    known measures and categories, the file and row each value came from); anything else goes
    through the cell-by-cell reader. The rules of ``schema.validate`` still run on it.
    """
    if Path(path).suffix.lower() not in {".parquet", ".pq"} or not Path(path).exists():
        return None
    try:
        frame = pd.read_parquet(path)
    except Exception:  # not readable here: let read_raw report it
        return None
    from .provinces import provinces

    kind = table_kind(set(frame.columns))
    keys = ["province_code", "period_end"] + (["measure", "category"] if kind == "report" else [])
    values = schema.REQUIRED_VALUES if kind == "report" else []
    needed = keys + values + SOURCE_COLUMNS + [schema.ORIGIN_COLUMN]
    if any(c not in frame.columns for c in needed) or not pd.api.types.is_datetime64_any_dtype(frame["period_end"]):
        return None
    numbers = [c for c in frame.columns if c in schema.VALUE_COLUMNS + schema.STANDING_COLUMNS]
    if not all(pd.api.types.is_integer_dtype(frame[c]) for c in numbers):
        return None
    if not frame["province_code"].astype(str).isin(set(provinces()["code"])).all():
        return None
    if kind == "report" and not (frame["measure"].isin(schema.MEASURES).all()
                                 and frame["category"].isin(schema.CATEGORIES).all()):
        return None
    frame = frame.drop(columns=[c for c in ["unit"] if c in frame.columns])
    return kind, (_typed(frame) if kind == "report" else _typed_standing(frame))


def _read_parquet(path: Path, display: str) -> list[RawTable]:
    frame = pd.read_parquet(path)
    rows = frame.astype(object).where(frame.notna(), None).values.tolist()
    # Parquet has no sheet rows; number data rows as if the header were row 1.
    return [RawTable(display, [str(c) for c in frame.columns], rows, list(range(2, len(rows) + 2)))]


def _header_score(cells) -> int:
    index = _label_index()
    return sum(1 for c in cells if c is not None and normalize_label(_strip_header_unit(str(c))[0]) in index)


def _strip_header_unit(text: str) -> tuple[str, str | None]:
    """Split "Thi hành xong (nghìn đồng)" into the label and the money unit it states."""
    text = _strip_numbering(text)
    match = re.search(r"[\(\[]([^\)\]]*)[\)\]]\s*$", text)
    if match:
        unit = _match_value("unit", match.group(1))
        if unit or normalize_label(match.group(1)) in {"viec", "so viec"}:
            return text[: match.start()].strip(), unit
    return text, None


def _read_xlsx(path: Path, display: str) -> list[RawTable]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken zip or XML
        raise DataError([Problem(display, "unreadable file", f"cannot open as an Excel workbook: {exc}")]) from exc
    tables = []
    for sheet in book.worksheets:
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
        if not values:
            continue
        top = values[:20]
        scores = [_header_score(r) for r in top]
        best = max(range(len(top)), key=lambda i: scores[i])
        if scores[best] < 3:
            continue  # an instruction or notes sheet
        name = f"{display}[{sheet.title}]"
        headers, problems = _xlsx_headers(sheet, values, best, name)
        data = values[best + 1 :]
        numbers = list(range(best + 2, best + 2 + len(data)))
        kept = [(n, r) for n, r in zip(numbers, data) if any(not is_blank(c) for c in r)]
        tables.append(RawTable(name, headers, [r for _, r in kept], [n for n, _ in kept],
                               measure_hint=_match_value("measure", sheet.title), problems=problems))
    if not tables:
        raise DataError([Problem(display, "no header", "no sheet has a header row with known column names "
                                 f"(e.g. {schema.LABELS['carried_over']!r}, {schema.LABELS['completed']!r}); "
                                 "use the template in data/templates/")])
    return tables


def _xlsx_headers(sheet, values, header_idx: int, name: str) -> tuple[list[str], list[Problem]]:
    """Header labels of the header row, reading labels merged over several rows or columns.

    A label merged vertically belongs to its one column; a label merged across several
    columns of the header row cannot name each of them, so it is reported.
    """
    header_row = header_idx + 1
    headers = ["" if v is None else str(v) for v in values[header_idx]]
    problems = []
    for rng in sheet.merged_cells.ranges:
        if not (rng.min_row <= header_row <= rng.max_row):
            continue
        label = sheet.cell(rng.min_row, rng.min_col).value
        for col in range(rng.min_col, rng.max_col + 1):
            if col - 1 < len(headers) and not headers[col - 1]:
                headers[col - 1] = "" if label is None else str(label)
        if rng.max_col > rng.min_col:
            cols = [c for c in range(rng.min_col, rng.max_col + 1)]
            below = values[header_idx + 1] if header_idx + 1 < len(values) else []
            problems.append(Problem(
                name, "merged header", f"header cell {rng.coord} ({label!r}) is merged across {len(cols)} columns, "
                "so those columns have no header of their own; unmerge the cells and give each column its own "
                f"label (e.g. {schema.LABELS['completed']!r}, {schema.LABELS['terminated']!r})",
                row=header_row, column=str(label)))
            if below and _header_score(below[rng.min_col - 1 : rng.max_col]) > 0:
                problems[-1] = Problem(
                    name, "merged header", f"the header spans two rows: {rng.coord} ({label!r}) is merged over "
                    "the labels below it; delete the upper header row so that one row names every column",
                    row=header_row, column=str(label))
    return headers, problems


def read_raw(path: Path, display: str | None = None) -> list[RawTable]:
    """Cells of a data file: one table per CSV/parquet file, one per data sheet of a workbook."""
    path = Path(path)
    display = display or str(path)
    if not path.exists():
        raise DataError([Problem(display, "missing file", "no such file; check the path")])
    if path.stat().st_size == 0:
        raise DataError([Problem(display, "empty file", "the file is empty (0 bytes); expected a header row and data rows")])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, display)
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(path, display)
    if suffix in {".parquet", ".pq"}:
        return _read_parquet(path, display)
    raise DataError([Problem(display, "file type", f"cannot read {suffix or 'files without a suffix'}; "
                             "give a .csv, .xlsx or .parquet file")])


# ---------------------------------------------------------------- headers


@dataclass
class HeaderMap:
    columns: dict[str, int]  # canonical name → column position
    units: dict[str, str]  # canonical name → money unit stated in its header


def map_headers(raw: RawTable) -> tuple[HeaderMap, list[Problem]]:
    """Match the table's headers to canonical names; unknown or misspelt ones are reported."""
    index = _label_index()
    columns: dict[str, int] = {}
    units: dict[str, str] = {}
    problems: list[Problem] = []
    unknown: list[tuple[int, str]] = []
    suggested: set[str] = set()
    for pos, header in enumerate(raw.headers):
        if header is None or not str(header).strip():
            continue
        label, unit = _strip_header_unit(str(header))
        key = normalize_label(label)
        if key in KNOWN_IGNORED:
            continue
        name = index.get(key) or PROVENANCE.get(key)
        if name is None:
            unknown.append((pos, str(header)))
            continue
        if name in columns:
            problems.append(Problem(raw.file, "duplicate column", f"{header!r} and {raw.headers[columns[name]]!r} "
                                    f"both mean {name!r}; keep one of them", row=1, column=str(header)))
            continue
        columns[name] = pos
        if unit:
            units[name] = unit
    for pos, header in unknown:
        candidates = [k for k, v in index.items() if v not in columns]
        close = difflib.get_close_matches(normalize_label(_strip_header_unit(header)[0]), candidates, n=1, cutoff=0.75)
        if close:
            name = index[close[0]]
            suggested.add(name)
            problems.append(Problem(raw.file, "unknown column", f"{header!r} is not a known column; did you mean "
                                    f"{schema.LABELS.get(name, name)!r} ({name})?", row=1, column=header))
        else:
            problems.append(Problem(raw.file, "ignored column", f"{header!r} is not a known column and was ignored",
                                    row=1, column=header, severity="warning"))
    kind = table_kind(columns)
    missing = []
    if "province_code" not in columns and "province" not in columns:
        missing.append("province_code")
    if "period_end" not in columns and "year" not in columns:
        missing.append("period_end")
    if kind == "report":
        if "measure" not in columns and raw.measure_hint is None:
            missing.append("measure")
        missing += [c for c in schema.REQUIRED_VALUES if c not in columns]
    for name in missing:
        if name in suggested:
            continue  # already reported with its suggested spelling
        alternatives = {"province_code": " or 'province'", "period_end": " or 'year'",
                        "measure": " ('cases' or 'money')"}.get(name, "")
        problems.append(Problem(raw.file, "missing column", f"required column {name!r}{alternatives} "
                                f"(Vietnamese {schema.LABELS.get(name, name)!r}) is absent", row=1, column=name))
    return HeaderMap(columns, units), problems


def table_kind(columns) -> str:
    """"standing" for a table of standing-target counts only, else "report" (the form table)."""
    has_report = any(c in columns for c in schema.REQUIRED_VALUES)
    has_standing = any(c in columns for c in schema.STANDING_COLUMNS)
    return "standing" if has_standing and not has_report else "report"


# ---------------------------------------------------------------- rows


def _parse_period(value) -> pd.Timestamp:
    """A cell holding the period end: a date, "2017-04-30", "30/04/2017" or "04/2017" (month end)."""
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        return pd.Timestamp(value).normalize()
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
    raise ValueError(f"{value!r} is not a date (write 2017-04-30 or 30/04/2017)")


def _province_label(code: str | None) -> str | None:
    if code is None:
        return None
    try:
        return f"{code} {lookup(code).short_name}"
    except UnknownProvinceError:
        return code


def to_canonical(raw: RawTable, money_unit: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Interpret one raw table: canonical rows (nullable Int64 values) and the problems found."""
    headers, problems = map_headers(raw)
    problems = raw.problems + problems
    if any(p.severity == "error" for p in problems):
        return table_kind(headers.columns), _empty_frame(), problems
    cols = headers.columns
    kind = table_kind(cols)
    default_unit = None
    if money_unit is not None:
        default_unit = _match_value("unit", money_unit)
        if default_unit is None:
            raise ValueError(f"unknown money unit {money_unit!r}; use one of {', '.join(schema.MONEY_UNITS)}")

    def cell(row, name):
        pos = cols.get(name)
        return row[pos] if pos is not None and pos < len(row) else None

    records = []
    for row, line in zip(raw.rows, raw.row_numbers):
        where = dict(file=raw.file, row=line)
        province_text = cell(row, "province")
        code_text = cell(row, "province_code")
        if normalize_label(province_text or "") in TOTAL_ROW_WORDS or normalize_label(code_text or "") in TOTAL_ROW_WORDS:
            problems.append(Problem(**where, rule="total row", severity="warning",
                                    message=f"total row {province_text or code_text!r} skipped; totals are recomputed"))
            continue
        rec: dict = {"source_file": raw.file, "source_row": line}
        if "source_file" in cols and not is_blank(cell(row, "source_file")):
            rec["source_file"] = str(cell(row, "source_file"))
            rec["source_row"] = None if is_blank(cell(row, "source_row")) else int(parse_number(cell(row, "source_row")))
        row_problems: list[Problem] = []
        # Province: a code, a name, or both (then they must agree).
        code = None
        for name, text in (("province_code", code_text), ("province", province_text)):
            if is_blank(text):
                continue
            try:
                found = lookup(text).code
            except (UnknownProvinceError, ValueError) as exc:
                row_problems.append(Problem(**where, column=name, rule="unknown province", message=str(exc)))
                continue
            if code is not None and found != code:
                row_problems.append(Problem(**where, column=name, province=_province_label(code), rule="province mismatch",
                                            message=f"code {code} is {lookup(code).short_name} but the name says "
                                            f"{province_text!r} ({found}); correct one of them"))
            code = code or found
        if code is None and not any(p.rule == "unknown province" for p in row_problems):
            row_problems.append(Problem(**where, column="province_code", rule="missing value",
                                        message="no province code or name on this row"))
        rec["province_code"] = code
        where["province"] = _province_label(code)
        # Period: period_end, or year for a full statistical year.
        period = None
        if not is_blank(cell(row, "period_end")):
            try:
                period = _parse_period(cell(row, "period_end"))
            except ValueError as exc:
                row_problems.append(Problem(**where, column="period_end", rule="wrong type", message=str(exc)))
        if not is_blank(cell(row, "year")):
            try:
                year = int(parse_number(cell(row, "year")))
                if not 1990 <= year <= 2100:
                    raise NumberParseError(f"{year} is not a plausible year")
                if period is None:
                    period = schema.year_end(year)
                elif schema.statistical_year(period) != year:
                    row_problems.append(Problem(**where, column="year", rule="period mismatch",
                                                message=f"period end {period.date()} lies in statistical year "
                                                f"{schema.statistical_year(period)}, not {year}"))
            except (NumberParseError, TypeError, ValueError) as exc:
                row_problems.append(Problem(**where, column="year", rule="wrong type", message=str(exc)))
        if period is None and not any(p.column in ("period_end", "year") for p in row_problems):
            row_problems.append(Problem(**where, column="period_end", rule="missing value",
                                        message="no period end (or year) on this row"))
        elif period is not None and not period.is_month_end:
            row_problems.append(Problem(**where, column="period_end", rule="not a month end",
                                        message=f"{period.date()} is not the last day of a month; reports are "
                                        f"cumulative to a month end (did you mean {(period + pd.offsets.MonthEnd(0)).date()}?)"))
        rec["period_end"] = period
        origin = cell(row, "origin")
        rec[schema.ORIGIN_COLUMN] = DEFAULT_ORIGIN if is_blank(origin) else str(origin).strip()
        if kind == "standing":
            value_problems = _standing_values(row, cols, rec, where, cell)
            problems += row_problems + value_problems
            rec["_unreadable"] = bool(row_problems or value_problems)
            records.append(rec)
            continue
        # Measure and category.
        measure_text = cell(row, "measure") if "measure" in cols else raw.measure_hint
        measure = _match_value("measure", measure_text) if not is_blank(measure_text) else None
        if measure is None:
            row_problems.append(Problem(**where, column="measure", rule="bad value",
                                        message=f"measure {measure_text!r} is not 'cases' (Việc) or 'money' (Tiền)"))
        rec["measure"] = measure
        category_text = cell(row, "category")
        category = "all" if is_blank(category_text) else _match_value("category", category_text)
        if category is None:
            row_problems.append(Problem(**where, column="category", rule="bad value",
                                        message=f"category {category_text!r} is not one of "
                                        f"{', '.join(f'{k} ({v})' for k, v in schema.CATEGORY_LABELS.items())}"))
        rec["category"] = category
        # Values, with money converted to đồng.
        unit = None
        if measure == "money":
            unit_text = cell(row, "unit")
            if not is_blank(unit_text):
                unit = _match_value("unit", unit_text)
                if unit is None:
                    row_problems.append(Problem(**where, column="unit", rule="bad value",
                                                message=f"money unit {unit_text!r} is not one of {', '.join(schema.MONEY_UNITS)}"))
            unit = unit or default_unit
        for name in schema.VALUE_COLUMNS + schema.DERIVED_COLUMNS:
            if name not in cols:
                continue
            text = cell(row, name)
            try:
                number = parse_number(text)
            except NumberParseError as exc:
                row_problems.append(Problem(**where, column=name, rule="wrong type", message=str(exc)))
                continue
            if number is None:
                rec[name] = 0 if name in schema.ZERO_IF_ABSENT else None
                if name in schema.REQUIRED_VALUES:
                    row_problems.append(Problem(**where, column=name, rule="missing value",
                                                message=f"{name} ({schema.LABELS[name]}) is empty"))
                continue
            if measure == "money":
                column_unit = headers.units.get(name, unit)
                if column_unit is None:
                    row_problems.append(Problem(**where, column=name, rule="money unit",
                                                message="the money unit is not stated; add a 'unit' column "
                                                "(đồng, nghìn đồng, triệu đồng, tỷ đồng), put it in the header "
                                                "such as 'Thi hành xong (nghìn đồng)', or pass --money-unit"))
                    break
                number = (number * schema.MONEY_UNITS[column_unit]).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            elif number != number.to_integral_value():
                row_problems.append(Problem(**where, column=name, rule="wrong type",
                                            message=f"{text!r} is not a whole number of cases"))
                continue
            rec[name] = int(number)
        problems += row_problems
        rec["_unreadable"] = bool(row_problems)
        records.append(rec)
    if kind == "standing":
        return kind, _typed_standing(pd.DataFrame.from_records(records) if records else _empty_standing()), problems
    frame = pd.DataFrame.from_records(records) if records else _empty_frame()
    return kind, _typed(frame), problems


def _standing_values(row, cols, rec, where, cell) -> list[Problem]:
    """Parse the standing-target counts of one row into ``rec``; return the problems."""
    problems = []
    for name in schema.STANDING_COLUMNS:
        if name not in cols:
            continue
        text = cell(row, name)
        try:
            number = parse_number(text)
        except NumberParseError as exc:
            problems.append(Problem(**where, column=name, rule="wrong type", message=str(exc)))
            continue
        if number is not None and number != number.to_integral_value():
            problems.append(Problem(**where, column=name, rule="wrong type", message=f"{text!r} is not a whole number"))
            continue
        rec[name] = None if number is None else int(number)
    return problems


def _empty_standing() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in ["province_code", "period_end"] + SOURCE_COLUMNS + [schema.ORIGIN_COLUMN]})


def _typed_standing(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for name in schema.STANDING_COLUMNS:
        if name not in out:
            out[name] = pd.NA
        out[name] = pd.array(pd.to_numeric(out[name].astype(object).where(out[name].notna(), None)), dtype="Int64")
    out["period_end"] = pd.to_datetime(out["period_end"])
    out["source_row"] = pd.array(out["source_row"], dtype="Int64")
    for name in ["province_code", "source_file", schema.ORIGIN_COLUMN]:
        out[name] = out[name].astype("string")
    extra = ["_unreadable"] if "_unreadable" in out else []
    return out[["province_code", "period_end", *schema.STANDING_COLUMNS, schema.ORIGIN_COLUMN, *SOURCE_COLUMNS, *extra]]


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in schema.KEYS + SOURCE_COLUMNS + [schema.ORIGIN_COLUMN]})


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Give a frame the canonical dtypes; absent optional value columns become NA (or 0)."""
    out = frame.copy()
    for name in schema.VALUE_COLUMNS:
        if name not in out:
            out[name] = 0 if name in schema.ZERO_IF_ABSENT else pd.NA
        out[name] = pd.array(pd.to_numeric(out[name].astype(object).where(out[name].notna(), None)), dtype="Int64")
    for name in schema.DERIVED_COLUMNS:
        if name in out:
            out[name] = pd.array(pd.to_numeric(out[name].astype(object).where(out[name].notna(), None)), dtype="Int64")
    out["period_end"] = pd.to_datetime(out["period_end"]) if len(out) else pd.Series([], dtype="datetime64[ns]")
    out["source_row"] = pd.array(out["source_row"], dtype="Int64")
    for name in ["province_code", "measure", "category", "source_file", schema.ORIGIN_COLUMN]:
        out[name] = out[name].astype("string")
    ordered = schema.KEYS + schema.VALUE_COLUMNS + [c for c in schema.DERIVED_COLUMNS if c in out]
    extra = ["_unreadable"] if "_unreadable" in out else []
    return out[ordered + [schema.ORIGIN_COLUMN] + SOURCE_COLUMNS + extra].reset_index(drop=True)


# ---------------------------------------------------------------- public API


def data_files(paths) -> list[Path]:
    """Expand files and folders into the data files they hold (sorted; Office lock files skipped)."""
    found: list[Path] = []
    for item in [paths] if isinstance(paths, (str, Path)) else paths:
        path = Path(item)
        if path.is_dir():
            found += sorted(p for p in path.iterdir()
                            if p.suffix.lower() in DATA_SUFFIXES and not p.name.startswith(("~$", ".")))
        else:
            found.append(path)
    return found


def load(paths, money_unit: str | None = None) -> LoadResult:
    """Read files and folders together and validate them as one frame; never raises on bad data."""
    files = data_files(paths)
    problems: list[Problem] = []
    reports, standings = [], []
    if not files:
        shown = ", ".join(str(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths))
        return LoadResult(None, [Problem(shown, "no data files", "no .csv, .xlsx or .parquet file found")], files)
    for path in files:
        snapshot = _canonical_parquet(path)
        if snapshot is not None:
            kind, frame = snapshot
            (standings if kind == "standing" else reports).append(frame.assign(_unreadable=False))
            continue
        try:
            for raw in read_raw(path, display_name(path)):
                kind, frame, found = to_canonical(raw, money_unit)
                problems += found
                if len(frame):
                    (standings if kind == "standing" else reports).append(frame)
        except DataError as exc:
            problems += exc.problems
    if not reports:
        if not any(p.severity == "error" for p in problems):
            problems.append(Problem(", ".join(map(str, files)), "empty file", "no data rows found under the header"))
        return LoadResult(None, problems, files)
    frame = _readable(pd.concat(reports, ignore_index=True))
    frame, repeated = _drop_repeated_reports(frame)
    problems += repeated
    problems += schema.validate(frame)
    if any(p.severity == "error" for p in problems):
        # Rows set aside for their errors would be reported again as missing: say it once.
        problems = [p for p in problems if p.rule != "missing rows"]
    standing = None
    if standings:
        standing = _readable(pd.concat(standings, ignore_index=True))
        problems += schema.validate_standing(standing)
    ok = not any(p.severity == "error" for p in problems)
    if ok:
        frame.attrs["origin"] = origin_of(frame)
        frame.attrs["files"] = [display_name(f) for f in files]
    return LoadResult(frame if ok else None, problems, files, standing if ok else None, frame, standing)


def display_name(path: Path) -> str:
    """How a file is named in messages and reports: relative to the project or the working
    directory when inside them, so that no machine's absolute path is written out."""
    path = Path(path)
    for base in (PROJECT_ROOT, Path.cwd()):
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)


def _drop_repeated_reports(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Keep one copy of a report given identically by two files (a year-end file and the
    September monthly file, say); one warning per pair of files. Differing copies stay and
    are reported as duplicates by validation."""
    values = schema.KEYS + schema.VALUE_COLUMNS
    repeated = frame.duplicated(values, keep="first")
    if not repeated.any():
        return frame, []
    firsts = frame[~repeated].set_index(values)["source_file"]
    pairs = pd.DataFrame({"again": frame.loc[repeated, "source_file"],
                          "first": [firsts.get(tuple(r)) for r in frame.loc[repeated, values].itertuples(index=False)]})
    problems = [Problem(str(again), "repeated report", f"{n} rows repeat identical rows of {first}; each is used once",
                        severity="warning")
                for (again, first), n in pairs.value_counts(["again", "first"], sort=False).items()]
    return frame[~repeated].reset_index(drop=True), problems


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows without unreadable cells: those were reported already; the rules run on the others."""
    unreadable = frame.pop("_unreadable").fillna(False).astype(bool)
    return frame[~unreadable].reset_index(drop=True)


def read_data(paths, money_unit: str | None = None) -> pd.DataFrame:
    """The validated canonical frame of files and folders; raises DataError listing every problem.

    Warnings (e.g. a non-UTF-8 file) are kept in ``frame.attrs["warnings"]``.
    """
    return read_dataset(paths, money_unit).frame


def read_dataset(paths, money_unit: str | None = None) -> LoadResult:
    """Like ``read_data`` but returns the LoadResult: report frame, standing-target frame, warnings."""
    result = load(paths, money_unit)
    if result.errors:
        raise DataError(result.problems)
    result.frame.attrs["warnings"] = [str(p) for p in result.warnings]
    return result


def origin_of(frame: pd.DataFrame) -> str:
    """'sample' when every row is sample data, else the origins found, joined."""
    values = sorted(set(frame[schema.ORIGIN_COLUMN].dropna().astype(str)))
    return ", ".join(values) if values else DEFAULT_ORIGIN


def is_sample(frame: pd.DataFrame) -> bool:
    """True when any row of the frame is synthetic sample data."""
    return bool((frame[schema.ORIGIN_COLUMN] == schema.SAMPLE_ORIGIN).any())
