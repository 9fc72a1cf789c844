"""The Excel template an analyst fills by hand (data/templates/thads_template.xlsx).

One header row of Vietnamese form labels that the readers recognise, drop-down lists for the
coded columns, and an instruction sheet. ``python -m thads_analysis.ingest.template [PATH]`` rewrites it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from ..paths import TEMPLATES_DIR
from ..provinces import provinces
from . import schema

TEMPLATE_PATH = TEMPLATES_DIR / "thads_template.xlsx"
DATA_SHEET = "Số liệu"
COLUMNS = ["province_code", "province", "period_end", "measure", "category", "unit", *schema.VALUE_COLUMNS]
ROWS_PREPARED = 1000

INSTRUCTIONS = [
    "Mẫu nhập số liệu thống kê thi hành án dân sự (thads-analysis)",
    "",
    "Mỗi dòng của trang 'Số liệu' là một báo cáo: một Cục THADS, một kỳ, tính bằng việc hoặc bằng tiền, một nhóm án.",
    "Mã tỉnh: mã đơn vị hành chính của Tổng cục Thống kê (01 Hà Nội ... 96 Cà Mau); có thể chỉ ghi tên tỉnh.",
    "Ngày cuối kỳ: ngày cuối tháng của kỳ báo cáo, ví dụ 30/04/2017 (số liệu cộng dồn từ 01/10 năm trước).",
    "Tính bằng: 'Việc' hoặc 'Tiền'. Nhóm án: 'Tất cả' hoặc một nhóm trọng điểm.",
    "Đơn vị tiền: đồng, nghìn đồng, triệu đồng hoặc tỷ đồng (chỉ cho dòng tính bằng tiền).",
    "Số viết kiểu Việt Nam (1.234.567 hoặc 35.242,6) hay số thường đều được.",
    "Các cột từ 'Đang thi hành' trở đi có thể để trống nếu không có số liệu; "
    "'Đình chỉ thi hành án' để trống được hiểu là 0.",
    "Ràng buộc: Tổng số thụ lý = Số cũ chuyển sang + Số thụ lý mới; "
    "Tổng số phải thi hành = Tổng số thụ lý − Ủy thác đi",
    "= Số có điều kiện thi hành + Số chưa có điều kiện thi hành; Thi hành xong + Đình chỉ ≤ Số có điều kiện thi hành.",
    "Kiểm tra tệp: thads validate <tệp>.xlsx",
]


def build_template(path: Path = TEMPLATE_PATH) -> Path:
    """Write the empty template workbook to ``path`` and return it."""
    book = Workbook()
    guide = book.active
    guide.title = "Hướng dẫn"
    for i, line in enumerate(INSTRUCTIONS, start=1):
        guide.cell(i, 1, line).font = Font(bold=i == 1, size=13 if i == 1 else 11)
    guide.column_dimensions["A"].width = 120

    sheet = book.create_sheet(DATA_SHEET)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for col, name in enumerate(COLUMNS, start=1):
        cell = sheet.cell(1, col, schema.LABELS[name])
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[cell.column_letter].width = 16
    sheet.row_dimensions[1].height = 45
    sheet.freeze_panes = "C2"

    lists = book.create_sheet("Danh mục")
    lists.sheet_state = "hidden"
    for i, row in enumerate(provinces().itertuples(), start=1):
        lists.cell(i, 1, row.code)
        lists.cell(i, 2, row.short_name)
    last = ROWS_PREPARED + 1

    def dropdown(column: str, formula: str, prompt: str) -> None:
        letter = sheet.cell(1, COLUMNS.index(column) + 1).column_letter
        rule = DataValidation(type="list", formula1=formula, allow_blank=True, promptTitle=schema.LABELS[column],
                              prompt=prompt, showErrorMessage=True)
        rule.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(rule)

    n = len(provinces())
    dropdown("province", f"='Danh mục'!$B$1:$B${n}", "Chọn tỉnh/thành phố")
    dropdown("measure", '"' + ",".join(schema.MEASURE_LABELS.values()) + '"', "Việc hoặc Tiền")
    dropdown("category", '"' + ",".join(schema.CATEGORY_LABELS.values()) + '"', "Nhóm án")
    dropdown("unit", '"' + ",".join(schema.MONEY_UNITS) + '"', "Đơn vị của các số tiền trên dòng")
    date_col = sheet.cell(1, COLUMNS.index("period_end") + 1).column_letter
    for row in range(2, last + 1):
        sheet[f"{date_col}{row}"].number_format = "DD/MM/YYYY"
        sheet.cell(row, 1).number_format = "@"  # keep the leading zero of "01"
    book.active = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    book.save(tmp)
    tmp.replace(path)
    return path


if __name__ == "__main__":
    print(build_template(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE_PATH))
