"""The Excel workbook of a report set (openpyxl): one sheet per table an official works with.

``workbook(analysis, codes)`` → an ``openpyxl.Workbook`` with, for the provinces ``codes`` (None:
every province and the national scope):

- "Chỉ tiêu": every scorecard row (actual, numerator, denominator, target, gap, status, formula,
  source of the target);
- "Xếp hạng thi đua": the emulation ranking, its completion rates written as Excel formulas over
  the resolved and with-conditions columns beside them, so that an official can check them;
- "Đợt thi đua": the campaign window's ranking (its share as a formula), when the window is open;
- "Các đơn vị": each office of the provinces that give office rows, ranked in its province;
- "Chất lượng số liệu": the data's origin, files and checksums, warnings and what was set aside.

Every sheet opens with a title block (scope, period, origin, "Dữ liệu mẫu (mô phỏng)" for the
sample, package version); the header row is frozen and filtered. Numbers stay numbers, shown by
Excel number formats (Excel writes them the Vietnamese way on a Vietnamese system); rates are
fractions shown as percentages. Status cells carry the status colours of the pages. Text that
comes from input files is made inert (never run as a formula).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..analysis.campaign import window_ranking
from ..analysis.pipeline import Analysis, scorecard
from ..ingest import schema
from ..ingest.spreadsheet import inert
from ..paths import write_atomic
from ..provinces import lookup, provinces
from ..vocabulary import STATUSES

COUNT = "#,##0"
PERCENT = "0.00%"
POINTS = "+0.00;-0.00;0.00"
DECIMAL = "#,##0.00"
HEADER_ROW = 5  # rows 1–3: title block, row 4 empty
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # characters an xlsx cell cannot hold


def _text(value):
    """A cell value: numbers as they are, NA as empty, text inert and without control characters."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return inert(_ILLEGAL.sub("", value))
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _title_block(sheet, analysis: Analysis, title: str, columns: int) -> None:
    from openpyxl.styles import Font

    a = analysis
    origin = schema.SAMPLE_MARK if a.is_sample else a.origin
    from openpyxl.styles import Alignment

    for row in (1, 2, 3):  # the title block spans the table, wrapped, rather than run past its last column
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
        sheet.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[2].height = 30
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = (f"Kỳ báo cáo: từ {schema.year_start(a.year):%d/%m/%Y} đến {a.period_end:%d/%m/%Y} (năm thống kê "
                   f"{a.year}) · Phạm vi: {a.coverage.label()} · Nguồn dữ liệu: {origin} · Chỉ tiêu: "
                   f"{_text(a.targets_path.name)}")
    version = a.provenance.get("version", "")
    sheet["A3"] = f"Lập bằng thads-analysis {version}; mỗi số dẫn về dòng số liệu và công thức ở báo cáo HTML."
    if a.is_sample:
        sheet["A2"].font = Font(bold=True, color="9C0006")


def _table(sheet, analysis: Analysis, title: str, header: list[tuple[str, float, str | None]], rows: list[list]) -> None:
    """The title block, the header (label, width, number format) at HEADER_ROW and the rows under it;
    frozen, filtered, printed A4 landscape."""
    _title_block(sheet, analysis, title, len(header))
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fill = PatternFill("solid", fgColor="EEF3F8")
    for c, (label, width, _) in enumerate(header, start=1):
        cell = sheet.cell(HEADER_ROW, c, label)
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(c)].width = width
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        # Spreadsheets do not grow a row for wrapped text written by a program: give it the lines it needs.
        lines = max([1] + [-(-len(str(v)) // int(header[c][1] * 1.1)) for c, v in enumerate(row)
                           if isinstance(v, str) and header[c][1] >= 30])
        if lines > 1:
            sheet.row_dimensions[r].height = 15 * lines
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(r, c, value.text if isinstance(value, _Formula) else _text(value))
            number_format = header[c - 1][2]
            if number_format:
                cell.number_format = number_format
            # Long texts wrap inside their column rather than widen the page; a row reads from its top.
            cell.alignment = Alignment(wrap_text=header[c - 1][1] >= 30, vertical="top")
    last = get_column_letter(len(header))
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(len(rows), 1)}"
    # Printed: A4 landscape, as wide as the page, the header row on every page.
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


class _Formula:
    """A formula written on purpose (text from inputs never is one)."""

    def __init__(self, text: str):
        self.text = text


def _ratio(numerator: str, denominator: str, row: int) -> _Formula:
    """=IF(den=0,"",num/den) on one row: a rate an official can check."""
    num, den = f"{numerator}{row}", f"{denominator}{row}"
    return _Formula(f'=IF(OR({den}="",{den}=0),"",{num}/{den})')


def _colour_statuses(sheet, column: int, rows: int) -> None:
    """Status cells filled with the status colours of the pages."""
    from openpyxl.styles import Font, PatternFill

    by_label = {s.label: s for s in STATUSES}
    for r in range(HEADER_ROW + 1, HEADER_ROW + 1 + rows):
        cell = sheet.cell(r, column)
        status = by_label.get(cell.value)
        if status is not None:
            cell.fill = PatternFill("solid", fgColor=status.colour.lstrip("#").upper())
            cell.font = Font(color=_hex6(status.text_colour))


def _hex6(colour: str) -> str:
    value = colour.lstrip("#").upper()
    return "".join(ch * 2 for ch in value) if len(value) == 3 else value


def _scope_name(scope: str) -> str:
    return "Toàn quốc" if scope == "national" else lookup(scope).name


def _scorecards(book, analysis: Analysis, scopes: list[str]) -> None:
    sheet = book.create_sheet("Chỉ tiêu")
    title = "Bảng chỉ tiêu thi đua — thực hiện so với chỉ tiêu giao"
    header = [("Phạm vi", 16, None), ("Mã", 5, None), ("Chỉ tiêu", 34, None), ("Đơn vị tính", 8, None),
              ("Thực hiện", 18, None), ("Tử số", 18, COUNT), ("Mẫu số", 18, COUNT), ("So sánh", 7, None),
              ("Chỉ tiêu giao", 12, None), ("Chênh lệch", 18, None), ("Đánh giá", 18, None),
              ("Chênh lệch (lời)", 18, None), ("Cách tính", 40, None), ("Nguồn chỉ tiêu", 34, None),
              ("Ghi chú", 30, None)]
    rows, formats = [], []
    for scope in scopes:
        card = scorecard(analysis, scope)
        for r in card.itertuples():
            rate = r.unit == "%"
            scale = 100 if rate else 1
            value = None if pd.isna(r.actual) else float(r.actual) / scale
            target = None if pd.isna(r.target) else float(r.target) / scale
            rows.append([_scope_name(scope), "" if scope == "national" else scope, r.label, r.unit, value,
                         r.numerator, r.denominator, r.comparator if target is not None else None, target,
                         None if pd.isna(r.gap) else float(r.gap), r.status_label, r.gap_text, r.formula_vi,
                         r.source, r.note])
            formats.append(PERCENT if rate else COUNT if r.unit in ("việc", "đồng", "người") else DECIMAL)
    _table(sheet, analysis, title, header, rows)
    for i, number_format in enumerate(formats, start=HEADER_ROW + 1):
        sheet.cell(i, 5).number_format = sheet.cell(i, 9).number_format = number_format
        sheet.cell(i, 10).number_format = POINTS if number_format == PERCENT else number_format
    sheet.cell(HEADER_ROW, 10).value = "Chênh lệch (điểm % với tỷ lệ)"
    _colour_statuses(sheet, 11, len(rows))


def _counts_at(analysis: Analysis) -> pd.DataFrame:
    """Resolved and with-conditions of every province at the period, by measure (category all)."""
    tot = analysis.totals["province"]
    rows = tot[(tot["period_end"] == analysis.period_end) & (tot["category"] == "all")]
    return rows.pivot_table(index="scope", columns="measure", values=["resolved", "with_conditions"], aggfunc="first")


def _emulation(book, analysis: Analysis, codes: set[str] | None) -> None:
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet("Xếp hạng thi đua")
    title = f"Xếp hạng thi đua — {analysis.coverage.label()}"
    table = analysis.emulation()
    counts = _counts_at(analysis)
    header = [("Hạng", 6, None), ("Mã", 6, None), ("Tỉnh", 22, None), ("Vùng", 26, None), ("Chỉ tiêu đạt", 9, None),
              ("Chỉ tiêu có số liệu", 9, None), ("Có nguy cơ", 9, None), ("Xong (việc)", 12, COUNT),
              ("Có điều kiện (việc)", 12, COUNT), ("Tỷ lệ về việc", 11, PERCENT), ("Đánh giá về việc", 16, None),
              ("Xong (đồng)", 20, COUNT), ("Có điều kiện (đồng)", 20, COUNT), ("Tỷ lệ về tiền", 11, PERCENT),
              ("Đánh giá về tiền", 16, None), ("Hạng trong vùng", 9, None)]
    letter = {label: get_column_letter(i) for i, (label, _, _) in enumerate(header, start=1)}
    labels = {s.code: s.label for s in STATUSES}
    rows = []
    for r in table.itertuples():
        row = HEADER_ROW + 1 + len(rows)

        def count(column, measure, code=r.province_code):
            key = (column, measure)
            return None if code not in counts.index or key not in counts.columns else counts.at[code, key]

        rows.append([r.rank_national, r.province_code, r.province, r.region, r.targets_met, r.targets_with_data,
                     r.targets_at_risk, count("resolved", "cases"), count("with_conditions", "cases"),
                     _ratio(letter["Xong (việc)"], letter["Có điều kiện (việc)"], row), labels.get(r.status_cases),
                     count("resolved", "money"), count("with_conditions", "money"),
                     _ratio(letter["Xong (đồng)"], letter["Có điều kiện (đồng)"], row), labels.get(r.status_money),
                     r.rank_region])
    _table(sheet, analysis, title, header, rows)
    _colour_statuses(sheet, 11, len(rows))
    _colour_statuses(sheet, 15, len(rows))
    _mark_rows(sheet, 2, codes, len(rows))


def _mark_rows(sheet, column: int, codes: set[str] | None, rows: int) -> None:
    """Bold the rows of the provinces the set is about (the others are there for the ranking)."""
    from openpyxl.styles import Font

    if not codes:
        return
    for r in range(HEADER_ROW + 1, HEADER_ROW + 1 + rows):
        if sheet.cell(r, column).value in codes:
            for cell in sheet[r]:
                cell.font = Font(bold=True, color=cell.font.color)


def _window(book, analysis: Analysis, codes: set[str] | None) -> None:
    if analysis.window is None:
        return
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet("Đợt thi đua")
    c = analysis.campaign
    title = f"Xếp hạng trong đợt thi đua {c.start:%d/%m/%Y}–{c.end:%d/%m/%Y} (đến kỳ báo cáo)"
    header = [("Hạng", 6, None), ("Mã", 6, None), ("Tỉnh", 22, None), ("Vùng", 26, None),
              ("Thi hành xong trong đợt (việc)", 14, COUNT), ("Phải giải quyết trong đợt (việc)", 14, COUNT),
              ("Tỷ lệ thi hành xong trong đợt", 12, PERCENT), ("Hạng trong vùng", 9, None)]
    done, due = get_column_letter(5), get_column_letter(6)
    rows = [[r.rank_national, r.province_code, r.province, r.region, r.resolved, r.open_in_window,
             _ratio(done, due, HEADER_ROW + 1 + i), r.rank_region]
            for i, r in enumerate(window_ranking(analysis.indicators["province"]).itertuples())]
    _table(sheet, analysis, title, header, rows)
    _mark_rows(sheet, 2, codes, len(rows))


def _offices(book, analysis: Analysis, codes: list[str]) -> None:
    with_offices = [code for code in codes if not analysis.office_table(code).empty]
    if not with_offices:
        return
    sheet = book.create_sheet("Các đơn vị")
    title = "Kết quả của Cục THADS và các Chi cục, xếp hạng trong tỉnh"
    header = [("Mã tỉnh", 7, None), ("Tỉnh", 20, None), ("Hạng trong tỉnh", 8, None), ("Đơn vị", 40, None),
              ("Xong (việc)", 12, COUNT), ("Có điều kiện (việc)", 12, COUNT), ("Tỷ lệ về việc", 11, PERCENT),
              ("Đánh giá về việc", 16, None), ("Xong (đồng)", 20, COUNT), ("Có điều kiện (đồng)", 20, COUNT),
              ("Tỷ lệ về tiền", 11, PERCENT), ("Đánh giá về tiền", 16, None),
              ("Có điều kiện chuyển kỳ sau (việc)", 14, COUNT), ("Chỉ tiêu đạt", 9, None)]
    labels = {s.code: s.label for s in STATUSES}
    rows = []
    for code in with_offices:
        for r in analysis.office_table(code).itertuples():
            row = HEADER_ROW + 1 + len(rows)
            rows.append([code, lookup(code).short_name, r.rank, r.office, r.resolved_cases, r.with_conditions_cases,
                         _ratio("E", "F", row), labels.get(r.status_cases), r.resolved_money, r.with_conditions_money,
                         _ratio("I", "J", row), labels.get(r.status_money), r.carry_forward_with_conditions_cases,
                         f"{r.targets_met}/{r.targets_with_data}"])
    _table(sheet, analysis, title, header, rows)
    _colour_statuses(sheet, 8, len(rows))
    _colour_statuses(sheet, 12, len(rows))


def _quality(book, analysis: Analysis) -> None:
    sheet = book.create_sheet("Chất lượng số liệu")
    title = "Số liệu: nguồn, tệp, kiểm tra"
    a = analysis
    lines = [("Phạm vi", a.coverage.label())]
    if a.coverage.partial():
        lines.append(("Phạm vi", f"{a.coverage.partial()}: tổng và thứ hạng chỉ tính trên các tỉnh này"))
    for name, digest in a.provenance.get("inputs", {}).items():
        lines.append(("Tệp đầu vào", f"{name} (SHA-256 {digest})"))
    lines += [("Lưu ý", note) for note in a.notes]
    lines += [("Cảnh báo", warning) for warning in a.warnings]
    if a.targets_note:
        lines.append(("Chỉ tiêu", a.targets_note))
    for code, problems in a.set_aside.items():
        lines += [("Tỉnh bị loại ra", f"{code}: {p}") for p in problems]
    if not a.notes and not a.warnings and not a.set_aside:
        lines.append(("Kiểm tra", "Số liệu qua mọi ràng buộc; không có cảnh báo."))
    _table(sheet, analysis, title, [("Mục", 18, None), ("Nội dung", 120, None)], [list(line) for line in lines])


def workbook(analysis: Analysis, codes: list[str] | None = None):
    """The workbook of the provinces ``codes`` (None: the national scope and every province)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    everyone = codes is None
    codes = list(provinces()["code"]) if everyone else [lookup(c).code for c in codes]
    present = set(analysis.indicators["province"]["scope"])
    scopes = (["national"] if everyone else []) + [c for c in codes if c in present]
    _scorecards(book, analysis, scopes)
    _emulation(book, analysis, None if everyone else set(codes))
    _window(book, analysis, None if everyone else set(codes))
    _offices(book, analysis, codes)
    _quality(book, analysis)
    book.properties.title = "Báo cáo kết quả thi hành án dân sự"
    book.properties.creator = "thads-analysis"
    return book


def write_workbook(analysis: Analysis, path: Path, codes: list[str] | None = None) -> Path:
    """``workbook(analysis, codes)`` saved to ``path`` through a temporary file (never half-written)."""
    import io

    buffer = io.BytesIO()
    workbook(analysis, codes).save(buffer)
    write_atomic(Path(path), buffer.getvalue())
    return Path(path)
