"""Builds workbooks in the shape of the official THADS results forms, for the tests.

A province's form: a title block (the General Department over the issuing Cục on the left, the
Quốc hiệu and tiêu ngữ on the right, the title "KẾT QUẢ THI HÀNH ÁN DÂN SỰ TÍNH BẰNG VIỆC / TIỀN",
the period line, "Đơn vị tính"), three header rows with merged group cells, a row of column
numbers, one row per unit (the Cục, each Chi cục, the total), and the signature block. Every
number written is given by the caller; the builder only adds the sums a form shows (the total row,
Tổng số thụ lý, Tổng số phải thi hành, Có điều kiện thi hành: Tổng số).

Run as a script to write examples: ``python tests/forms.py OUT_FOLDER``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

# The fields of one unit's row a caller gives; the others are sums of these.
GIVEN = ["carried_over", "new_accepted", "entrusted_out", "completed", "terminated", "in_progress", "postponed",
         "suspended", "other", "reduced", "without_conditions"]
PARTS = ["completed", "terminated", "in_progress", "postponed", "suspended", "other", "reduced"]

# Column layout: (field, label path from the top header row). Groups are merged over their columns.
LAYOUT = [
    ("total_accepted", ("Tổng số thụ lý", "Tổng số")),
    ("carried_over", ("Tổng số thụ lý", "Chia ra", "Năm trước chuyển sang")),
    ("new_accepted", ("Tổng số thụ lý", "Chia ra", "Thụ lý mới")),
    ("entrusted_out", ("Ủy thác đi",)),
    ("to_execute", ("Tổng số phải thi hành",)),
    ("with_conditions", ("Có điều kiện thi hành", "Tổng số")),
    ("completed", ("Có điều kiện thi hành", "Chia ra", "Thi hành xong")),
    ("terminated", ("Có điều kiện thi hành", "Chia ra", "Đình chỉ thi hành án")),
    ("in_progress", ("Có điều kiện thi hành", "Chia ra", "Đang thi hành")),
    ("postponed", ("Có điều kiện thi hành", "Chia ra", "Hoãn thi hành án")),
    ("suspended", ("Có điều kiện thi hành", "Chia ra", "Tạm đình chỉ thi hành án")),
    ("other", ("Có điều kiện thi hành", "Chia ra", "Trường hợp khác")),
    ("reduced", ("Có điều kiện thi hành", "Chia ra", "Giảm, miễn thi hành án")),
    ("without_conditions", ("Chưa có điều kiện thi hành",)),
    ("rate", ("Tỷ lệ thi hành xong (%)",)),
]


def full_row(given: dict) -> dict:
    """A unit's row with the sums a form shows, from the given fields."""
    row = {k: given.get(k, 0) for k in GIVEN}
    row["total_accepted"] = row["carried_over"] + row["new_accepted"]
    row["to_execute"] = row["total_accepted"] - row["entrusted_out"]
    row["with_conditions"] = sum(row[k] for k in PARTS)
    return row


@dataclass
class Form:
    """One form sheet: its measure, the units' rows (name → given fields) and how it is laid out."""

    measure: str = "cases"  # "cases" or "money"
    units: dict[str, dict] = field(default_factory=dict)
    issuer: str = "CỤC THI HÀNH ÁN DÂN SỰ TỈNH NAM ĐỊNH"
    period: str = "(Từ ngày 01/10/2016 đến ngày 30/6/2017)"
    unit_line: str | None = None  # default: "Đơn vị tính: việc" / "Đơn vị tính: nghìn đồng"
    regime_line: str = "Ban hành kèm theo Thông tư số 08/2015/TT-BTP"
    first_column: int = 1  # 1 = column A; 3 shifts the whole table two columns right
    blank_after: tuple[str, ...] = ()  # an empty column after these fields
    header_rows: int = 3  # 3, or 2 (no "Chia ra" row)
    number_row: bool = True
    total_row: str | None = "Tổng số"  # None: no total row
    total_first: bool = True
    total_override: dict = field(default_factory=dict)  # field → value written in the total row instead of the sum
    signature_numbers: bool = False  # a stray number inside the signature block
    swap: tuple[str, str] | None = None  # two fields whose columns are written swapped
    drop: tuple[str, ...] = ()  # fields whose column is left out
    sheet: str | None = None
    hidden: bool = False

    def fields(self) -> list[tuple[str, tuple]]:
        layout = [(f, p) for f, p in LAYOUT if f not in self.drop and not (self.measure == "cases" and f == "reduced")]
        if self.header_rows == 2:
            layout = [(f, tuple(x for x in p if x != "Chia ra")) for f, p in layout]
        if self.swap:
            a, b = self.swap
            labels = {f: p for f, p in layout}
            layout = [(b if f == a else a if f == b else f, labels[f]) for f, _ in layout]
        return layout


def write_sheet(sheet, form: Form) -> None:
    """Write ``form`` onto an empty worksheet."""
    layout = form.fields()
    columns: list[tuple[str | None, tuple]] = [("stt", ("STT",)), ("unit", ("Đơn vị",))]
    for f, path in layout:
        columns.append((f, path))
        if f in form.blank_after:
            columns.append((None, ()))
    c0 = form.first_column
    width = len(columns)
    last = get_column_letter(c0 + width - 1)

    def put(row: int, col: int, value, merge_to: tuple[int, int] | None = None):
        sheet.cell(row, col, value)
        if merge_to and (merge_to[0] > row or merge_to[1] > col):
            sheet.merge_cells(start_row=row, start_column=col, end_row=merge_to[0], end_column=merge_to[1])

    left = get_column_letter(c0 + 3)
    put(1, c0, "TỔNG CỤC THI HÀNH ÁN DÂN SỰ", (1, c0 + 3))
    put(2, c0, form.issuer, (2, c0 + 3))
    put(1, c0 + width - 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", (1, c0 + width - 1))
    put(2, c0 + width - 6, "Độc lập - Tự do - Hạnh phúc", (2, c0 + width - 1))
    put(3, c0, form.regime_line, (3, c0 + 3))
    title = "KẾT QUẢ THI HÀNH ÁN DÂN SỰ TÍNH BẰNG " + ("VIỆC" if form.measure == "cases" else "TIỀN")
    put(4, c0, title, (4, c0 + width - 1))
    put(5, c0, form.period, (5, c0 + width - 1))
    unit_line = form.unit_line or ("Đơn vị tính: việc" if form.measure == "cases" else "Đơn vị tính: nghìn đồng")
    put(6, c0 + width - 4, unit_line, (6, c0 + width - 1))
    assert left  # the left block spans four columns

    top = 7
    depth = form.header_rows
    # Header: each column's path, a label merged across neighbours with the same label at that
    # level and down to the bottom where the path ends.
    for level in range(depth):
        c = 0
        while c < width:
            name, path = columns[c]
            if level >= len(path):
                c += 1
                continue
            label = path[level]
            span = 1
            while (c + span < width and level < len(columns[c + span][1]) and columns[c + span][1][level] == label
                   and columns[c + span][1][:level] == path[:level]):
                span += 1
            bottom = top + depth - 1 if level == len(path) - 1 else top + level
            put(top + level, c0 + c, label, (bottom, c0 + c + span - 1))
            c += span
    row = top + depth
    if form.number_row:
        number = 1
        for c, (name, _) in enumerate(columns):
            if name == "stt":
                sheet.cell(row, c0 + c, "A")
            elif name == "unit":
                sheet.cell(row, c0 + c, "B")
            elif name is not None:
                sheet.cell(row, c0 + c, f"({number})")
                number += 1
        row += 1
    rows = {name: full_row(given) for name, given in form.units.items()}
    total = {k: sum(r[k] for r in rows.values()) for k in next(iter(rows.values()))} if rows else {}
    total.update(form.total_override)
    ordered = list(rows.items())
    if form.total_row:
        ordered = ([(form.total_row, total)] + ordered) if form.total_first else (ordered + [(form.total_row, total)])
    for i, (name, values) in enumerate(ordered, start=1):
        for c, (f, _) in enumerate(columns):
            if f == "stt":
                sheet.cell(row, c0 + c, "" if name == form.total_row else i - (1 if form.total_first and form.total_row else 0))
            elif f == "unit":
                sheet.cell(row, c0 + c, name)
            elif f == "rate":
                wc = values["with_conditions"]
                sheet.cell(row, c0 + c, round(100 * (values["completed"] + values["terminated"]) / wc, 2) if wc else None)
            elif f is not None:
                sheet.cell(row, c0 + c, values[f])
        row += 1
    row += 1
    sheet.cell(row, c0 + 1, "NGƯỜI LẬP BIỂU")
    sheet.cell(row, c0 + width - 4, "Nam Định, ngày 05 tháng 7 năm 2017")
    sheet.cell(row + 1, c0 + width - 4, "CỤC TRƯỞNG")
    if form.signature_numbers:
        sheet.cell(row + 2, c0 + 2 + 5, 1234)
    sheet.cell(row + 4, c0 + width - 4, "Trần Văn A")
    assert last


def write_workbook(path: Path, forms: list[Form]) -> Path:
    """A workbook with one sheet per form (the sheet named Việc / Tiền unless given)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for form in forms:
        sheet = book.create_sheet(form.sheet or ("Việc" if form.measure == "cases" else "Tiền"))
        write_sheet(sheet, form)
        if form.hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


# Nam Định at 30/06/2017, invented numbers (the sample is synthetic; so are these). Cases.
NAM_DINH_CASES = {
    "Cục THADS tỉnh Nam Định": dict(carried_over=120, new_accepted=80, entrusted_out=5, completed=60, terminated=4,
                                    in_progress=30, postponed=6, suspended=1, other=2, without_conditions=92),
    "Chi cục THADS thành phố Nam Định": dict(carried_over=300, new_accepted=500, entrusted_out=10, completed=420,
                                             terminated=20, in_progress=150, postponed=12, suspended=3, other=5,
                                             without_conditions=180),
    "Chi cục THADS huyện Mỹ Lộc": dict(carried_over=40, new_accepted=90, entrusted_out=2, completed=70, terminated=3,
                                       in_progress=25, postponed=2, suspended=0, other=1, without_conditions=27),
    "Chi cục THADS huyện Vụ Bản": dict(carried_over=60, new_accepted=110, entrusted_out=3, completed=95,
                                       terminated=5, in_progress=30, postponed=3, suspended=1, other=0,
                                       without_conditions=33),
    "Chi cục THADS huyện Ý Yên": dict(carried_over=90, new_accepted=150, entrusted_out=4, completed=130, terminated=6,
                                      in_progress=40, postponed=4, suspended=1, other=1, without_conditions=54),
    "Chi cục THADS huyện Nghĩa Hưng": dict(carried_over=80, new_accepted=140, entrusted_out=2, completed=120,
                                           terminated=4, in_progress=38, postponed=5, suspended=0, other=2,
                                           without_conditions=49),
    "Chi cục THADS huyện Nam Trực": dict(carried_over=70, new_accepted=120, entrusted_out=1, completed=105,
                                         terminated=3, in_progress=35, postponed=3, suspended=1, other=1,
                                         without_conditions=41),
    "Chi cục THADS huyện Trực Ninh": dict(carried_over=65, new_accepted=115, entrusted_out=2, completed=100,
                                          terminated=4, in_progress=30, postponed=4, suspended=0, other=1,
                                          without_conditions=39),
    "Chi cục THADS huyện Xuân Trường": dict(carried_over=55, new_accepted=100, entrusted_out=1, completed=90,
                                            terminated=2, in_progress=28, postponed=2, suspended=1, other=0,
                                            without_conditions=31),
    "Chi cục THADS huyện Giao Thủy": dict(carried_over=75, new_accepted=130, entrusted_out=3, completed=110,
                                          terminated=5, in_progress=36, postponed=4, suspended=1, other=1,
                                          without_conditions=45),
    "Chi cục THADS huyện Hải Hậu": dict(carried_over=95, new_accepted=160, entrusted_out=2, completed=140,
                                        terminated=6, in_progress=45, postponed=5, suspended=1, other=2,
                                        without_conditions=54),
}
# Money in thousand đồng, for the same offices: each office's cases row scaled, then reduced added.
NAM_DINH_MONEY = {name: {**{k: v * 1000 for k, v in row.items()}, "reduced": 500}
                  for name, row in NAM_DINH_CASES.items()}
for _row in NAM_DINH_MONEY.values():
    # reduced is part of with_conditions: it comes out of what is still in progress.
    _row["in_progress"] -= 500


def nam_dinh(folder: Path, name: str = "nam_dinh_2017_06.xlsx", **changes) -> Path:
    """The Nam Định form workbook at 30/06/2017 (việc and tiền sheets); ``changes`` apply to both."""
    return write_workbook(Path(folder) / name, [Form("cases", NAM_DINH_CASES, **changes),
                                                Form("money", NAM_DINH_MONEY, **changes)])


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    print(nam_dinh(out))
