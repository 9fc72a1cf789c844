"""The official statistical forms: a form sheet → a raw table in canonical columns.

A province's form (one sheet per measure) has a title block (the issuing Cục, the title
"KẾT QUẢ THI HÀNH ÁN DÂN SỰ TÍNH BẰNG VIỆC / TIỀN", the period, "Đơn vị tính: nghìn đồng"), two
or three header rows with merged cells, often a row of column numbers, one row per unit (the
Cục's own caseload, each Chi cục, the province total) and a signature block. How to read one is
declared per regime in ``data/form_profiles.yaml``: which labels name which field, which rows
are totals, where the signature starts. Columns are found by their labels, never by position.

``form_table`` turns such a sheet into a ``RawTable`` whose columns are canonical
(``province_code``, ``office``, ``period_end``, ``measure``, ``unit`` and the value columns), so
that numbers, units and offices are read, and every problem named, like any other table's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import yaml

from ..i18n import N_, _
from ..numbers import is_blank
from ..provinces import UnknownProvinceError, lookup, normalize_name, strip_diacritics
from . import schema
from .labels import match_value, strip_numbering
from .readers import Chunk, RawTable
from .schema import DataError, Problem

TITLE_ROWS = 30  # rows searched for the title block and the header
HEADER_DEPTH = 4  # header rows above the last one that may belong to a column's label path


@dataclass(frozen=True)
class FormProfile:
    """How to read the forms of one regime (a profile of ``form_profiles.yaml``)."""

    id: str
    name: str
    confirmed: str
    not_confirmed: str
    titles: dict[str, list[str]]  # measure → title words (folded)
    regimes: list[str]
    unit_column: list[str]
    ignored_columns: list[str]
    columns: dict[str, list[tuple[str, ...]]]  # canonical field → label paths (folded)
    fillers: list[str]
    total_rows: list[str]
    subtotal_rows: list[str]
    signature_words: list[str]


def _fold(text) -> str:
    return normalize_name(strip_numbering(str(text)))


def _profile(raw: dict, where: str) -> FormProfile:
    """One profile checked: every field canonical, no empty list; a ValueError names what is wrong."""
    keys = ["id", "name", "confirmed", "not_confirmed", "titles", "regimes", "unit_column", "ignored_columns",
            "columns", "fillers", "total_rows", "subtotal_rows", "signature_words"]
    missing = [k for k in keys if not raw.get(k)]
    if missing:
        raise ValueError(f"{where}: profile {raw.get('id', '?')!r} lacks {', '.join(missing)}")
    unknown = [f for f in raw["columns"] if f not in schema.VALUE_COLUMNS + schema.DERIVED_COLUMNS]
    if unknown or set(raw["titles"]) - set(schema.MEASURES):
        raise ValueError(f"{where}: profile {raw['id']!r} names unknown fields {unknown or list(raw['titles'])}")
    columns = {f: [tuple(_fold(label) for label in path) for path in paths] for f, paths in raw["columns"].items()}
    return FormProfile(
        id=str(raw["id"]), name=str(raw["name"]), confirmed=str(raw["confirmed"]), not_confirmed=str(raw["not_confirmed"]),
        titles={m: [normalize_name(t) for t in words] for m, words in raw["titles"].items()},
        regimes=[str(r) for r in raw["regimes"]], unit_column=[_fold(x) for x in raw["unit_column"]],
        ignored_columns=[_fold(x) for x in raw["ignored_columns"]], columns=columns,
        fillers=[_fold(x) for x in raw["fillers"]], total_rows=[_fold(x) for x in raw["total_rows"]],
        subtotal_rows=[_fold(x) for x in raw["subtotal_rows"]],
        signature_words=[normalize_name(x) for x in raw["signature_words"]])


@cache
def profiles() -> tuple[FormProfile, ...]:
    """The form profiles of the bundled ``form_profiles.yaml``, checked once."""
    where = "thads_analysis/data/form_profiles.yaml"
    raw = yaml.safe_load(files("thads_analysis.data").joinpath("form_profiles.yaml").read_text(encoding="utf-8"))
    return tuple(_profile(p, where) for p in raw["profiles"])


# ---------------------------------------------------------------- the title block


@dataclass
class Title:
    """What the title block of a form sheet says."""

    profile: FormProfile
    measure: str
    province_code: str | None
    period_end: object  # pd.Timestamp or None
    money_unit: str | None
    period_text: str


_REGIME = re.compile(r"\b(\d{1,2}/\d{4}/TT-BTP)\b", re.IGNORECASE)


def _row_texts(values, rows: range) -> list[str]:
    return [" ".join(str(c) for c in values[r] if not is_blank(c) and isinstance(c, str)) for r in rows
            if r < len(values)]


def _detect(texts: list[str]) -> tuple[FormProfile, str] | None:
    """The profile and measure whose title words appear in the top rows, or None."""
    folded = " | ".join(normalize_name(t) for t in texts)
    for profile in profiles():
        for measure, words in profile.titles.items():
            if any(w in folded for w in words):
                return profile, measure
    return None


def looks_like_form(values) -> bool:
    """True when the first rows hold the title of a results form of any regime (for messages)."""
    folded = " ".join(normalize_name(t) for t in _row_texts(values, range(TITLE_ROWS)))
    return "ket qua thi hanh an dan su" in folded and "tinh bang" in folded


def _date(day: str, month: str, year: str):
    import pandas as pd

    try:
        return pd.Timestamp(int(year), int(month), int(day))
    except ValueError:
        return None


def _period(texts: list[str], name: str) -> tuple[object, str, list[Problem]]:
    """(period end, the words it was read from, problems) from the title block's period line."""
    import pandas as pd

    found: list[tuple[object, str]] = []
    problems: list[Problem] = []
    for text in texts:
        plain = strip_diacritics(text).lower()
        span = re.search(r"tu\s*(?:ngay)?\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\s*,?\s*den\s*(?:het)?\s*(?:ngay)?"
                         r"\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})", plain)
        if span:
            start, end = _date(*span.group(1, 2, 3)), _date(*span.group(4, 5, 6))
            if start is None or end is None:
                problems.append(Problem(name, N_("form period"), _("the period line {line!r} holds a date that does "
                                                                   "not exist").format(line=text.strip())))
                continue
            year = schema.statistical_year(end)
            if start != pd.Timestamp(year - 1, 10, 1):
                problems.append(Problem(name, N_("form period"), _(
                    "the period line {line!r} starts on {day}, but reports are cumulative from 01/10/{year} (the "
                    "start of the statistical year); give the cumulative report").format(
                    line=text.strip(), day=f"{start:%d/%m/%Y}", year=year - 1)))
                continue
            found.append((end, text.strip()))
            continue
        month = re.search(r"(?<![0-9] )(?<!ngay )\bthang\s*(\d{1,2})\s*(?:nam|/)\s*(\d{4})", plain)
        if month:
            end = _date("1", month.group(1), month.group(2))
            if end is not None:
                found.append((end + pd.offsets.MonthEnd(0), text.strip()))
            continue
        months = re.search(r"\b(\d{1,2})\s*thang\s*(?:dau\s*)?(?:nam|/)\s*(\d{4})", plain)
        if months and not re.search(r"ngay\s*" + months.group(1) + r"\s*thang", plain) and 1 <= int(months.group(1)) <= 12:
            start = pd.Timestamp(int(months.group(2)) - 1, 10, 1)
            found.append((start + pd.DateOffset(months=int(months.group(1))) - pd.Timedelta(days=1), text.strip()))
    ends = {end for end, _words in found}
    if len(ends) > 1:
        shown = "; ".join(f"{words!r} = {end:%d/%m/%Y}" for end, words in found)
        problems.append(Problem(name, N_("form period"), _("the title block gives two periods ({periods}); keep "
                                                           "one").format(periods=shown)))
        return None, "", problems
    if not found:
        return None, "", problems
    return found[0][0], found[0][1], problems


def _money_unit(texts: list[str]) -> str | None:
    """The money unit of "Đơn vị tính: nghìn đồng" / "ĐVT: 1.000 đồng" in the title block, or None."""
    for text in texts:
        match = re.search(r"(?:đơn vị tính|don vi tinh|đvt|dvt)\s*[:\-]?\s*(.+)$", text.strip(), re.IGNORECASE)
        if match:
            unit = match_value("unit", match.group(1).strip().rstrip(".)"))
            if unit:
                return unit
    return None


def _province(texts: list[str]) -> str | None:
    """The province of the issuing Cục ("CỤC THI HÀNH ÁN DÂN SỰ TỈNH NAM ĐỊNH"), or None."""
    for text in texts:
        for part in re.split(r"\s{2,}|\|", text):
            folded = normalize_name(part)
            if re.match(r"^(cuc thi hanh an dan su|cuc thads) ", folded):
                try:
                    return lookup(part.strip()).code
                except (UnknownProvinceError, ValueError):
                    continue
    return None


# ---------------------------------------------------------------- the header


def _grid(sheet, values, rows: range) -> list[list[str]]:
    """The header cells of ``rows`` as text, a merged range's label copied into each of its cells."""
    width = max((len(values[r]) for r in rows), default=0)
    grid = [["" if is_blank(c) else str(c).strip() for c in values[r]] + [""] * (width - len(values[r])) for r in rows]
    first = rows.start
    for rng in sheet.merged_cells.ranges:
        if rng.max_row - 1 < rows.start or rng.min_row - 1 >= rows.stop:
            continue
        label = values[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(values) else None
        text = "" if is_blank(label) else str(label).strip()
        for r in range(max(rng.min_row - 1, rows.start), min(rng.max_row, rows.stop)):
            for c in range(rng.min_col - 1, min(rng.max_col, width)):
                grid[r - first][c] = text
    return grid


def _paths(grid: list[list[str]], profile: FormProfile) -> list[tuple[str, ...]]:
    """Each column's label path from the top header row down: folded, fillers and repeats dropped."""
    paths = []
    for c in range(len(grid[0]) if grid else 0):
        path: list[str] = []
        for row in grid:
            label = _fold(row[c]) if c < len(row) else ""
            if label and label not in profile.fillers and (not path or path[-1] != label):
                path.append(label)
        paths.append(tuple(path))
    return paths


def _match(path: tuple[str, ...], profile: FormProfile) -> tuple[str | None, int]:
    """(field, length of the spelling) of the longest spelling that ends the path; (None, 0) if none."""
    best: tuple[str | None, int] = (None, 0)
    for field, spellings in profile.columns.items():
        for spelling in spellings:
            if len(spelling) > best[1] and len(path) >= len(spelling) and path[-len(spelling):] == spelling:
                best = (field, len(spelling))
    return best


@dataclass
class _Header:
    last_row: int  # index of the header's last row
    fields: dict[str, int]  # canonical field → column index
    unit_column: int | None
    shown: list[str]  # "C: Tổng số thụ lý > Năm trước chuyển sang" for every labelled column
    problems: list[Problem]


def _header_ending_at(sheet, values, end: int, profile: FormProfile, name: str) -> _Header:
    grid = _grid(sheet, values, range(max(0, end - HEADER_DEPTH + 1), end + 1))
    fields: dict[str, int] = {}
    lengths: dict[str, int] = {}
    unit_column, shown, problems = None, [], []
    from openpyxl.utils import get_column_letter

    for c, path in enumerate(_paths(grid, profile)):
        if not path:
            continue
        raw_labels = [row[c] for row in grid if c < len(row) and row[c]]
        shown.append(f"{get_column_letter(c + 1)}: {' > '.join(dict.fromkeys(raw_labels))}")
        if path[-1] in profile.unit_column and unit_column is None:
            unit_column = c
            continue
        if path[-1] in profile.ignored_columns:
            continue
        field, length = _match(path, profile)
        if field is None:
            continue
        if field in fields and lengths[field] >= length:
            if lengths[field] == length:
                problems.append(Problem(name, N_("duplicate column"), _(
                    "columns {first} and {second} are both {label!r}; keep one").format(
                    first=get_column_letter(fields[field] + 1), second=get_column_letter(c + 1),
                    label=schema.LABELS[field]), row=end + 1, column=get_column_letter(c + 1)))
            continue
        fields[field], lengths[field] = c, length
    return _Header(end, fields, unit_column, shown, problems)


def _find_header(sheet, values, profile: FormProfile, name: str) -> _Header:
    """The header whose label paths name the most fields (the first such row when several tie)."""
    best = None
    for end in range(min(TITLE_ROWS, len(values))):
        header = _header_ending_at(sheet, values, end, profile, name)
        score = len(header.fields) + (header.unit_column is not None)
        if best is None or score > best[0]:
            best = (score, header)
    header = best[1]
    expected = [f for f in schema.REQUIRED_VALUES if f not in header.fields]
    if header.unit_column is None or expected:
        wanted = ([] if header.unit_column is not None else [_("the unit column ({label!r})").format(
            label=profile.unit_column[0])]) + [f"{schema.LABELS[f]!r}" for f in expected]
        raise DataError([Problem(name, N_("form header"), _(
            "this looks like a form of {form}, but its header lacks {missing}. Header cells found: {cells}. Write the "
            "missing column's label as the form does (see data/README.md, 'Official forms')").format(
            form=profile.name, missing=", ".join(wanted), cells="; ".join(header.shown) or _("none")),
            row=header.last_row + 1)])
    return header


_NUMBER_CELL = re.compile(r"^\(?\s*([0-9]{1,2}|[A-Za-z])\s*\)?$")


def _is_number_row(row) -> bool:
    """A row of column numbers "(1) (2) …" (or "A", "B" for the text columns), numbers rising by one."""
    cells = [str(c).strip() for c in row if not is_blank(c)]
    if len(cells) < 3 or not all(_NUMBER_CELL.match(c) for c in cells):
        return False
    numbers = [int(m.group(1)) for c in cells if (m := _NUMBER_CELL.match(c)) and m.group(1).isdigit()]
    return len(numbers) >= 2 and all(b == a + 1 for a, b in zip(numbers, numbers[1:]))


# ---------------------------------------------------------------- the sheet


def form_table(sheet, values, name: str) -> RawTable | None:
    """The sheet as a raw table in canonical columns if it is a form a profile reads; None if it is
    no form; a DataError for a form that cannot be read (unsupported regime, header not recognised,
    no period)."""
    texts = _row_texts(values, range(min(TITLE_ROWS, len(values))))
    detected = _detect(texts)
    if detected is None:
        if looks_like_form(values):
            raise DataError([Problem(name, N_("form"), _("this sheet has the title of a results form but no profile "
                                                         "recognises it; supported: {forms}").format(
                forms="; ".join(p.name for p in profiles())))])
        return None
    profile, measure = detected
    regimes = {m.group(1).upper() for t in texts for m in _REGIME.finditer(t)}
    foreign = sorted(r for r in regimes if r not in {x.upper() for x in profile.regimes})
    if foreign:
        raise DataError([Problem(name, N_("form regime"), _("the form names {regimes}, a regime this toolkit does "
                                                            "not read yet; supported: {form}").format(
            regimes=", ".join(foreign), form=profile.name))])
    header = _find_header(sheet, values, profile, name)
    title_texts = texts[: header.last_row + 1]
    period, period_text, problems = _period(title_texts, name)
    if period is None and not problems:
        problems.append(Problem(name, N_("form period"), _("the title block gives no period (\"Tháng 6 năm 2017\" "
                                                           "or \"Từ ngày 01/10/2016 đến ngày 30/6/2017\"); add the "
                                                           "period line")))
    province = _province(title_texts)
    unit = _money_unit(title_texts) if measure == "money" else None
    problems += header.problems
    if any(p.severity == "error" for p in problems):
        raise DataError(problems)
    return _table(values, name, profile, header, measure, province, period, unit, problems)


def _table(values, name, profile, header, measure, province, period, unit, problems) -> RawTable:
    from openpyxl.utils import get_column_letter

    value_fields = list(header.fields)
    headers = ["province_code", "office", "period_end", "measure", "unit"] + value_fields
    rows, lines = [], []
    start = header.last_row + 1
    if start < len(values) and _is_number_row(values[start]):
        start += 1
    signed = False
    for r in range(start, len(values)):
        row = values[r]
        cells = [row[c] if c < len(row) else None for c in header.fields.values()]
        text = row[header.unit_column] if header.unit_column < len(row) else None
        words = normalize_name(" ".join(str(c) for c in row if isinstance(c, str)))
        if not signed and any(w in words for w in profile.signature_words):
            signed = True
        if signed:
            numbers = [get_column_letter(c + 1) for c in header.fields.values()
                       if c < len(row) and isinstance(row[c], (int, float)) and not isinstance(row[c], bool)]
            if numbers:
                problems.append(Problem(name, N_("signature block"), _(
                    "row {row} lies in the signature block but holds numbers in column(s) {columns}; data rows "
                    "belong above \"NGƯỜI LẬP BIỂU\"").format(row=r + 1, columns=", ".join(numbers)),
                    row=r + 1, column=numbers[0]))
            continue
        if all(is_blank(c) for c in cells):
            continue  # a blank or heading row
        label = _fold(text) if not is_blank(text) else ""
        if not label:
            problems.append(Problem(name, N_("unit name"), _(
                "row {row} holds numbers but names no unit in column {column}; write the office (\"Chi cục THADS "
                "huyện …\") or \"Tổng số\"").format(row=r + 1, column=get_column_letter(header.unit_column + 1)),
                row=r + 1, column=get_column_letter(header.unit_column + 1)))
            continue
        if label in profile.subtotal_rows:
            problems.append(Problem(name, N_("subtotal row"), _(
                "subtotal row {label!r} skipped; the province total is checked against its offices").format(
                label=str(text).strip()), row=r + 1, severity="warning"))
            continue
        rows.append([province, text, period, measure, unit] + cells)
        lines.append(r + 1)
    if province is None:
        province = next((code for row in rows if (code := _province([str(row[1])]))), None)
        if province is None:
            problems.append(Problem(name, N_("form province"), _(
                "neither the title block nor a row names the Cục THADS of a province; add the issuing unit (\"CỤC THI "
                "HÀNH ÁN DÂN SỰ TỈNH …\") above the title"), row=1))
        rows = [[province, *row[1:]] for row in rows]
    if any(p.severity == "error" for p in problems):
        raise DataError(problems)
    letters = {f: get_column_letter(c + 1) for f, c in header.fields.items()}
    letters["office"] = get_column_letter(header.unit_column + 1)
    return RawTable(name, headers, lambda: iter([Chunk(rows, lines)]), problems=problems, column_letters=letters,
                    form={"profile": profile.id, "measure": measure, "period_end": period})


# A month written in a file name: "2017_06", "2017-6", "201706", "06-2017", "T6_2017", "thang 6 2017".
_FILE_MONTH = [re.compile(r"(?<!\d)(?P<year>20\d\d)[-_. ]?(?P<month>0[1-9]|1[0-2])(?!\d)"),
               re.compile(r"(?<!\d)(?P<year>20\d\d)[-_. ](?P<month>[1-9])(?!\d)"),
               re.compile(r"(?<!\d)(?P<month>0?[1-9]|1[0-2])[-_. ](?P<year>20\d\d)(?!\d)")]


def file_month(file_name: str) -> tuple[int, int] | None:
    """(year, month) a file name states, when it states exactly one; else None."""
    stem = strip_diacritics(Path(file_name).stem).lower()
    found = {(int(m["year"]), int(m["month"])) for pattern in _FILE_MONTH for m in pattern.finditer(stem)}
    return found.pop() if len(found) == 1 else None


def period_problems(tables: list[RawTable]) -> list[Problem]:
    """The form sheets of one workbook must report one period: a việc sheet at 30/06 beside a tiền
    sheet at 31/05 is two reports half given, never one; and the period of the titles must be the
    month the file name states, if it states one ("..._2017_06.xlsx")."""
    periods = {t.file: t.form["period_end"] for t in tables if t.form.get("period_end") is not None}
    if len(set(periods.values())) == 1:
        end = next(iter(periods.values()))
        workbook = next(iter(periods)).split("[")[0]
        named = file_month(workbook)
        if named is not None and named != (end.year, end.month):
            return [Problem(workbook, N_("form period"), _(
                "the titles give the period ending {day}, but the file name says {month}: correct the title, or "
                "rename the file if its name is wrong").format(day=f"{end:%d/%m/%Y}",
                                                                month=f"{named[1]:02d}/{named[0]}"))]
    if len(set(periods.values())) <= 1:
        return []
    shown = "; ".join(f"{file}: {end:%d/%m/%Y}" for file, end in periods.items())
    return [Problem(tables[0].file.split("[")[0], N_("form period"), _(
        "the form sheets of this workbook give different periods ({periods}); a workbook holds the report of one "
        "period, so correct the title of the wrong sheet or put each period in its own file").format(periods=shown))]
