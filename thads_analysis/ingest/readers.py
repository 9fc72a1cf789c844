"""Raw readers: the cells of a CSV, XLSX or parquet file, before any interpretation.

Each data file gives one ``RawTable`` per table (a CSV or parquet file, a visible data sheet
of a workbook): its header cells and its data rows, handed out in chunks so that a large CSV
or parquet file is never held in memory whole. Anything that stops a file from being read
(missing, unreadable, not UTF-8 nor cp1258, a quote that never closes) is a ``DataError``
naming the file and, where there is one, the line.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import N_, _
from ..numbers import is_blank
from . import schema
from .labels import header_score
from .schema import DataError, Problem

DATA_SUFFIXES = {".csv", ".xlsx", ".xlsm", ".parquet", ".pq"}
FALLBACK_ENCODINGS = ["cp1258", "cp1252"]
CHUNK_ROWS = 50_000
# A header longer than this many cells is not a THADS table (and would make every row huge).
MAX_COLUMNS = 500
HEADER_SEARCH = 20  # lines (or sheet rows) searched for the header


@dataclass
class Chunk:
    """Some data rows of a table: the cells as read, the line or sheet row of each (header = 1)."""

    rows: list[list]
    lines: list[int]
    problems: list[Problem] = field(default_factory=list)


@dataclass
class RawTable:
    """One table of a file: header cells and a way to read its rows chunk by chunk (more than once)."""

    file: str
    headers: list[str]
    chunks: Callable[[], Iterator[Chunk]]
    measure_hint: str | None = None  # a sheet's name, which may say "Việc" or "Tiền"
    problems: list[Problem] = field(default_factory=list)
    column_letters: dict[str, str] = field(default_factory=dict)  # canonical name → sheet column letter
    form: dict | None = None  # for an official form: its profile, measure and period


def unreadable(display: str, what: str) -> DataError:
    return DataError([Problem(display, N_("unreadable file"), what)])


# ---------------------------------------------------------------- CSV


def _utf8_error(path: Path) -> int | None:
    """The offset of the first byte that is not UTF-8, or None; reads the file in blocks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            offset += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset
    return None


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as handle:
        try:
            while block := handle.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _encoding(path: Path, display: str) -> tuple[str, list[Problem]]:
    """UTF-8 when the whole file is; UTF-16 when it starts with its byte-order mark (Excel's
    "Unicode text"); else the Windows code page whose header makes most sense."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    start = head[:2]
    if head.startswith(b"PK\x03\x04"):
        raise DataError([Problem(display, N_("file type"), _("this is a zip file (an Excel workbook?) named .csv; "
                                 "give it the .xlsx suffix, or save it from Excel as 'CSV UTF-8'"))])
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) or (
            start not in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) and head.count(b"\x00") > len(head) // 10):
        raise DataError([Problem(display, N_("encoding"), _("the file is full of zero bytes, as UTF-16 or UTF-32 "
                                 "text without a byte-order mark is; save it from Excel as 'CSV UTF-8'"))])
    if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if not _decodes(path, "utf-16"):
            raise DataError([Problem(display, N_("encoding"), _("the file starts as UTF-16 but is not UTF-16 "
                                     "throughout; save it again as 'CSV UTF-8'"))])
        return "utf-16", []
    first_bad = _utf8_error(path)
    if first_bad is None:
        return "utf-8-sig", []
    head = path.open("rb").read(1 << 16)
    best = None
    for encoding in FALLBACK_ENCODINGS:
        if not _decodes(path, encoding):
            continue
        text = unicodedata.normalize("NFC", head.decode(encoding, errors="replace"))
        first = text.splitlines()[0] if text else ""
        score = header_score(re.split(r"[,;\t]", first))
        if best is None or score > best[0]:
            best = (score, encoding)
    if best is None:
        raise DataError([Problem(display, N_("encoding"), _(
            "not UTF-8 (first bad byte at offset {offset}) and not cp1258 / windows-1252 either; save the file as "
            "UTF-8 CSV").format(offset=first_bad))])
    note = Problem(display, N_("encoding"), _("file is not UTF-8 (bad byte at offset {offset}); read as {encoding}. "
                                              "Save it as 'CSV UTF-8' to silence this.").format(
        offset=first_bad, encoding=best[1]), severity="warning")
    return best[1], [note]


def _records(handle, delimiter: str, display: str) -> Iterator[tuple[int, int, list[str]]]:
    """(first line, last line, cells) of every non-blank record; a broken quote is a DataError."""
    reader = csv.reader(handle, delimiter=delimiter)
    while True:
        first = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError([Problem(display, N_("unreadable row"), _(
                "{error}; a cell that opens a quote (\") and never closes it? Remove the stray quote or close "
                "it").format(error=exc), row=first)]) from None
        if any(cell.strip() for cell in cells):
            yield first, reader.line_num, cells


def _read_csv(path: Path, display: str) -> list[RawTable]:
    encoding, notes = _encoding(path, display)
    with open(path, encoding=encoding, newline="") as handle:
        first = handle.readline()
    delimiter = max([",", ";", "\t"], key=first.count)
    with open(path, encoding=encoding, newline="") as handle:
        top = list(itertools.islice(_records(handle, delimiter, display), HEADER_SEARCH))
    if not top:
        raise DataError([Problem(display, N_("empty file"), _("the file is empty; expected a header row and data "
                                                              "rows"))])
    # The header is the first of the top lines that names known columns (title lines may come first).
    scores = [header_score([unicodedata.normalize("NFC", c) for c in cells]) for _first, _last, cells in top]
    header = top[next((i for i, score in enumerate(scores) if score >= 3), 0)]
    header_line = header[1]
    headers = [unicodedata.normalize("NFC", h) for h in header[2]]
    if len(headers) > MAX_COLUMNS:
        raise DataError([Problem(display, N_("too many columns"), _(
            "the header has {count} cells; a THADS table has a few dozen at most. Is the delimiter {delimiter!r} "
            "right?").format(count=len(headers), delimiter=delimiter), row=header_line)])

    def chunks() -> Iterator[Chunk]:
        with open(path, encoding=encoding, newline="") as handle:
            records = _records(handle, delimiter, display)
            for _start, end, _cells in records:
                if end == header_line:
                    break  # title lines and the header
            rows, lines, problems = [], [], []
            for start, end, cells in records:
                if end > start:
                    # A quote opened and not closed on its line swallows the lines after it into
                    # one cell: those rows would silently vanish.
                    problems.append(Problem(display, N_("stray quote"), _(
                        "lines {start}–{end} were read as one row: a quote (\") opens a cell on line {start} that "
                        "only closes on line {end}; remove the stray quote").format(start=start, end=end), row=start))
                    continue
                rows.append(cells)
                lines.append(start)
                if len(rows) == CHUNK_ROWS:
                    yield Chunk(rows, lines, problems)
                    rows, lines, problems = [], [], []
            if rows or problems:
                yield Chunk(rows, lines, problems)

    return [_with_letters(RawTable(display, headers, chunks, problems=notes + _cut_short(path, display, encoding)))]


def _cut_short(path: Path, display: str, encoding: str) -> list[Problem]:
    """A warning when the file does not end with a line break: a copy or download cut short
    ends in the middle of a row, whose last cell then reads as a different number."""
    with open(path, encoding=encoding, newline="") as handle:
        last, lines = "", 0
        while block := handle.read(1 << 20):
            last = block[-1]
            lines += block.count("\n")
    if last in ("\n", "\r"):
        return []
    return [Problem(display, N_("cut short?"), _("the file does not end with a line break, as a file cut short "
                                                 "does: check that its last row is complete"),
                    row=lines + 1, severity="warning")]


# ---------------------------------------------------------------- parquet


def _read_parquet(path: Path, display: str) -> list[RawTable]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        names = parquet.schema_arrow.names
    except (pa.ArrowException, OSError) as exc:
        raise unreadable(display, _("cannot open as a parquet file: {error}").format(error=exc)) from None

    def chunks() -> Iterator[Chunk]:
        start = 2  # parquet has no sheet rows; data rows are numbered as if the header were row 1
        try:
            for batch in parquet.iter_batches(batch_size=CHUNK_ROWS):
                frame = batch.to_pandas(integer_object_nulls=True, date_as_object=True)
                rows = frame.astype(object).where(frame.notna(), None).values.tolist()
                yield Chunk(rows, list(range(start, start + len(rows))))
                start += len(rows)
        except (pa.ArrowException, OSError) as exc:
            raise unreadable(display, _("cannot read the parquet data: {error}").format(error=exc)) from None

    return [RawTable(display, [str(c) for c in names], chunks)]


# ---------------------------------------------------------------- Excel


def _used_extent(sheet) -> tuple[int, int]:
    """The last row and column that hold a value. A sheet's own dimension also counts cells that
    are only formatted, and one styled cell at XFD1048576 would make it 17 billion cells."""
    # openpyxl keeps the cells a file defines in ``_cells`` ((row, column) → cell); there is no
    # public way to list them without walking the whole dimension.
    used = [key for key, cell in sheet._cells.items() if not is_blank(cell.value)]
    if not used:
        return 0, 0
    return max(r for r, _c in used), max(c for _r, c in used)


def _formula_cells(path: Path, sheet_title: str, rows: range, columns: int) -> dict[tuple[int, int], str]:
    """(row, column) → formula, for the formulas of a region of one sheet."""
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=False)
    sheet = book[sheet_title]
    found = {}
    for r, row in enumerate(sheet.iter_rows(min_row=rows.start, max_row=rows.stop - 1, max_col=columns,
                                            values_only=True), start=rows.start):
        for c, value in enumerate(row, start=1):
            if isinstance(value, str) and value.startswith("="):
                found[(r, c)] = value
    return found


def _read_xlsx(path: Path, display: str) -> list[RawTable]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken zip or XML
        raise unreadable(display, _("cannot open as an Excel workbook: {error}").format(error=exc)) from None
    from . import forms

    tables, notes, form_errors = [], [], []
    for sheet in book.worksheets:
        last_row, last_column = _used_extent(sheet)
        if not last_row:
            continue
        name = f"{display}[{sheet.title}]"
        if last_column > MAX_COLUMNS:
            raise DataError([Problem(name, N_("too many columns"), _(
                "the sheet has values up to column {column}; a THADS table has a few dozen columns. Delete the "
                "cells beyond the table").format(column=column_letter(last_column)), row=1)])
        values = [list(r) for r in sheet.iter_rows(max_row=last_row, max_col=last_column, values_only=True)]
        if forms.looks_like_form(values) and not _canonical_header(values[:HEADER_SEARCH]):
            if sheet.sheet_state != "visible":
                notes.append(Problem(name, N_("hidden sheet"), _(
                    "the form sheet is {state} and was not read; unhide it in Excel if it belongs to the "
                    "data").format(state=sheet.sheet_state), severity="warning"))
                continue
            try:
                tables.append(forms.form_table(sheet, values, name))
            except DataError as exc:
                form_errors += exc.problems
            continue
        top = values[:HEADER_SEARCH]
        scores = [header_score(r) for r in top]
        best = max(range(len(top)), key=lambda i: scores[i])
        if scores[best] < 3:
            continue  # an instruction or notes sheet
        if sheet.sheet_state != "visible":
            # A hidden sheet is not what the person checking the workbook sees: never add its rows.
            notes.append(Problem(name, N_("hidden sheet"), _(
                "the sheet is {state} and was not read; unhide it in Excel if its rows belong to the data").format(
                state=sheet.sheet_state), severity="warning"))
            continue
        headers, problems = _xlsx_headers(sheet, values, best, name)
        data = values[best + 1:]
        numbers = list(range(best + 2, best + 2 + len(data)))
        kept = [(n, r) for n, r in zip(numbers, data) if any(not is_blank(c) for c in r)]
        problems += _data_merges(sheet, best + 2, name)
        problems += _unsaved_formulas(path, sheet.title, kept, len(headers), name)
        rows, lines = [r for _n, r in kept], [n for n, _r in kept]
        # The header cells are read from column A, so a header's position is its sheet column.
        tables.append(_with_letters(RawTable(name, headers, lambda rows=rows, lines=lines: iter([Chunk(rows, lines)]),
                                             measure_hint=sheet.title, problems=problems)))
    form_errors += forms.period_problems([t for t in tables if t.form])
    if form_errors:
        raise DataError(notes + form_errors)
    if tables:
        tables[0].problems = notes + tables[0].problems
        return tables
    raise DataError(notes + [Problem(display, N_("no header"), _(
        "no visible sheet has a header row with known column names (e.g. {first!r}, {second!r}); use the template "
        "in data/templates/").format(first=schema.LABELS['carried_over'], second=schema.LABELS['completed']))])


def column_letter(number: int) -> str:
    """The letters Excel shows for column ``number`` (1 → A, 26 → Z, 27 → AA). Not openpyxl's own:
    importing openpyxl takes 0,3 s, and a CSV file needs only the letters."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _with_letters(table: RawTable) -> RawTable:
    """``table`` with the column letter Excel shows for each canonical column it holds: the
    position of the header cell that names it (A for the first cell, ..., Z, AA, AB, ...)."""
    from .headers import map_headers  # headers.py imports this module

    columns = map_headers(table)[0].columns
    table.column_letters = {name: column_letter(position + 1) for name, position in columns.items()}
    return table


def _canonical_header(top) -> bool:
    """True when a row names a period column (Ngày cuối kỳ, Năm thống kê) among known labels: a table
    in canonical shape, even under a form's title. The official forms carry the period in the title."""
    from .labels import label_index, normalize_label, strip_header_unit

    index = label_index()
    for row in top:
        names = {index.get(normalize_label(strip_header_unit(str(c))[0])) for c in row if not is_blank(c)}
        if header_score(row) >= 3 and names & {"period_end", "year"}:
            return True
    return False


def _data_merges(sheet, first_data_row: int, name: str) -> list[Problem]:
    """Merged cells below the header: only the first cell of a merge holds the value, so the
    others would read as empty (an empty Đình chỉ reads as 0)."""
    return [Problem(name, N_("merged cells"), _(
        "cells {cells} are merged: only {first} holds a value and the others would read as empty; unmerge them and "
        "give every cell its value").format(cells=rng.coord, first=rng.start_cell.coordinate),
                    row=rng.min_row) for rng in sheet.merged_cells.ranges if rng.max_row >= first_data_row]


def _unsaved_formulas(path: Path, title: str, kept: list, width: int, name: str) -> list[Problem]:
    """Formulas whose result the file does not hold (a file written by a program that does not
    compute, and never opened and saved in Excel): they would read as empty cells."""
    empty = [(line, c) for line, row in kept for c, value in enumerate(row[:width], start=1) if value is None]
    if not empty:
        return []
    formulas = _formula_cells(path, title, range(kept[0][0], kept[-1][0] + 1), width)
    return [Problem(name, N_("formula without a value"), _(
        "cell {cell} holds the formula {formula} but no computed value; open the file in Excel (or LibreOffice) and "
        "save it, so that the result is stored").format(cell=f"{column_letter(c)}{line}",
                                                        formula=formulas[(line, c)]),
                    row=line, column=column_letter(c))
            for line, c in empty if (line, c) in formulas]


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
                name, N_("merged header"), _(
                    "header cell {cell} ({label!r}) is merged across {count} columns, so those columns have no header "
                    "of their own; unmerge the cells and give each column its own label (e.g. {first!r}, "
                    "{second!r})").format(cell=rng.coord, label=label, count=len(cols),
                                          first=schema.LABELS['completed'], second=schema.LABELS['terminated']),
                row=header_row, column=str(label)))
            if below and header_score(below[rng.min_col - 1 : rng.max_col]) > 0:
                problems[-1] = Problem(
                    name, N_("merged header"), _(
                        "the header spans two rows: {cell} ({label!r}) is merged over the labels below it; delete the "
                        "upper header row so that one row names every column").format(cell=rng.coord, label=label),
                    row=header_row, column=str(label))
    return headers, problems


# ---------------------------------------------------------------- any file


def read_raw(path: Path, display: str) -> list[RawTable]:
    """The tables of a data file; raises DataError when the file cannot be read at all."""
    path = Path(path)
    if not path.exists():
        raise DataError([Problem(display, N_("missing file"), _("no such file; check the path"))])
    if path.is_dir():
        raise DataError([Problem(display, N_("not a file"), _("this is a folder; give the folder itself to read every "
                                                              "data file in it, or a file inside it"))])
    if not path.is_file():
        raise DataError([Problem(display, N_("not a file"), _("not a regular file (a device, pipe or socket); copy "
                                                              "the data into a .csv, .xlsx or .parquet file"))])
    suffix = path.suffix.lower()
    if suffix not in DATA_SUFFIXES:
        what = (_("cannot read {suffix}; give a .csv, .xlsx or .parquet file").format(suffix=suffix) if suffix
                else _("cannot read files without a suffix; give a .csv, .xlsx or .parquet file"))
        raise DataError([Problem(display, N_("file type"), what)])
    try:
        if path.stat().st_size == 0:
            raise DataError([Problem(display, N_("empty file"), _("the file is empty (0 bytes); expected a header "
                                                                  "row and data rows"))])
        if suffix == ".csv":
            return _read_csv(path, display)
        if suffix in {".xlsx", ".xlsm"}:
            return _read_xlsx(path, display)
        return _read_parquet(path, display)
    except PermissionError:
        raise unreadable(display, _("permission denied; check the file's permissions")) from None
    except OSError as exc:
        raise unreadable(display, _("cannot read the file: {error}").format(error=exc.strerror or exc)) from None
