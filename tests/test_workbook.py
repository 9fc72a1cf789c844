"""The Excel workbook of a report set (thads export, thads report --xlsx): values are the published and
hand-known figures, rates are formulas over the counts beside them, statuses coloured, input text inert.

Figures: [BPL-2017] in data/SOURCES.md (2017: 549.415 cases resolved, 79,25%; 35.242 tỷ 612 triệu 983
nghìn đồng, 38,31%); Nam Định's 2017 cases in the sample, pinned by data/README.md (4.918 resolved, 90,70%).
"""

from __future__ import annotations

import openpyxl
import pytest

from thads_analysis import cli
from thads_analysis.analysis.pipeline import prepare
from thads_analysis.reporting.workbook import HEADER_ROW, write_workbook


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "tong-hop.xlsx"
    write_workbook(prepare(), path)
    return openpyxl.load_workbook(path)


def rows_of(sheet) -> list[dict]:
    header = [c.value for c in sheet[HEADER_ROW]]
    return [dict(zip(header, row)) for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


def evaluate(sheet, formula: str):
    """The value of =IF(OR(D="",D=0),"",N/D) from the cells it names (openpyxl stores no results)."""
    numerator, denominator = formula.rsplit(",", 1)[1].rstrip(")").split("/")
    return sheet[numerator].value / sheet[denominator].value


def test_the_national_scorecard_holds_the_published_2017_figures(book):
    rows = [r for r in rows_of(book["Chỉ tiêu"]) if r["Phạm vi"] == "Toàn quốc"]
    cases = next(r for r in rows if r["Chỉ tiêu"] == "Tỷ lệ thi hành xong về việc")
    assert cases["Tử số"] == 549_415 and round(cases["Thực hiện"] * 100, 2) == 79.25
    money = next(r for r in rows if r["Chỉ tiêu"] == "Tỷ lệ thi hành xong về tiền")
    assert money["Tử số"] == 35_242_612_983_000 and round(money["Thực hiện"] * 100, 2) == 38.31


def test_the_ranking_rates_are_formulas_over_the_counts(book):
    sheet = book["Xếp hạng thi đua"]
    header = [c.value for c in sheet[HEADER_ROW]]
    row = next(r for r in range(HEADER_ROW + 1, sheet.max_row + 1) if sheet.cell(r, 2).value == "36")
    rate = sheet.cell(row, header.index("Tỷ lệ về việc") + 1)
    assert rate.value.startswith("=IF(") and rate.number_format == "0.00%"
    assert round(evaluate(sheet, rate.value) * 100, 2) == 90.70
    assert sheet.cell(row, header.index("Xong (việc)") + 1).value == 4918
    assert len(rows_of(sheet)) == 63
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}" and sheet.auto_filter.ref.startswith(f"A{HEADER_ROW}:")


def test_status_cells_are_coloured_and_the_sample_is_marked(book):
    sheet = book["Chỉ tiêu"]
    status = next(c for c in sheet["K"] if c.value == "Đạt")
    assert status.fill.fgColor.rgb.endswith("0072B2")  # the pages' colour of "Đạt"
    assert "Dữ liệu mẫu (mô phỏng)" in sheet["A2"].value
    assert set(book.sheetnames) >= {"Chỉ tiêu", "Xếp hạng thi đua", "Đợt thi đua", "Chất lượng số liệu"}


def test_formula_like_text_from_a_targets_file_stays_text(tmp_path):
    from thads_analysis.paths import DEFAULT_TARGETS

    targets = tmp_path / "targets.csv"
    targets.write_text(DEFAULT_TARGETS.read_text(encoding="utf-8").rstrip("\n")
                       + '\n36,2017,completion_rate_cases,>=,73,"=HYPERLINK(""http://x"",""y"")"\n', encoding="utf-8")
    out = tmp_path / "36.xlsx"
    assert cli.main(["export", "--province", "36", "--targets", str(targets), "--out", str(out)]) == 0
    sources = [c for c in openpyxl.load_workbook(out)["Chỉ tiêu"]["N"] if c.value and "HYPERLINK" in str(c.value)]
    assert sources and all(c.data_type == "s" and c.value.startswith("'=") for c in sources)


def test_export_refuses_a_file_that_is_not_xlsx_and_writes_nothing(tmp_path, capsys):
    assert cli.main(["export", "--province", "36", "--out", str(tmp_path / "x.csv")]) == 1
    assert "ending in .xlsx" in capsys.readouterr().err and not list(tmp_path.iterdir())


def test_report_with_xlsx_writes_the_workbook_beside_the_page(tmp_path):
    assert cli.main(["report", "--province", "36", "--xlsx", "--out", str(tmp_path), "--quiet"]) == 0
    folder = tmp_path / "2017-09-30"
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == [
        "36-nam-dinh.html", "36-nam-dinh.ipynb", "36-nam-dinh.xlsx"]
    sheet = openpyxl.load_workbook(folder / "36-nam-dinh.xlsx")["Chỉ tiêu"]
    cases = next(r for r in rows_of(sheet) if r["Chỉ tiêu"] == "Tỷ lệ thi hành xong về việc")
    assert (cases["Mã"], cases["Tử số"], cases["Mẫu số"]) == ("36", 4918, 5422)  # 4.918 / 5.422 = 90,70%
