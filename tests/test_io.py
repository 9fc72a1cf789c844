"""Readers: formats, headers, number writing, units; each kind of bad input named clearly."""

from __future__ import annotations

import datetime as dt
import unicodedata

import openpyxl
import pandas as pd
import pytest
from conftest import CODES, HEADER, good_rows, write_csv

from thads_analysis import cli, i18n
from thads_analysis.ingest.io import load, read_data
from thads_analysis.ingest.labels import normalize_label
from thads_analysis.ingest.readers import column_letter
from thads_analysis.ingest.schema import LABELS, DataError
from thads_analysis.numbers import NumberParseError, format_money, format_percent, parse_number
from thads_analysis.paths import TEMPLATES_DIR


def run_validate(*paths, capsys=None):
    code = cli.main(["validate", *map(str, paths)])
    out = capsys.readouterr() if capsys else None
    return code, (out.out + out.err) if out else ""


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize("text, expected", [
    ("1.234.567", 1234567), ("35.242,6", 35242.6), ("79,25", 79.25), ("1234567", 1234567),
    ("1234.5", 1234.5), ("1,234,567", 1234567), (" 2.346 ", 2346), (58928449000, 58928449000), ("1.000", 1000),
])
def test_parse_number_reads_vietnamese_and_plain_writing(text, expected):
    assert float(parse_number(text)) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "-", None, float("nan")])
def test_blank_cells_are_none(text):
    assert parse_number(text) is None


@pytest.mark.parametrize("text", ["abc", "12a", "1..2"])
def test_non_numbers_raise(text):
    with pytest.raises(NumberParseError):
        parse_number(text)


def test_vietnamese_formatting():
    assert format_percent(79.25) == "79,25%"
    assert format_money(35_242_612_983_000) == "35.242,6 tỷ đồng"


# ---------------------------------------------------------------- reading good files


def test_canonical_csv_loads(good_csv):
    frame = read_data(good_csv)
    assert len(frame) == 12
    assert sorted(frame["province_code"].unique()) == CODES
    nam_dinh = frame[(frame.province_code == "36") & (frame.measure == "cases")].iloc[0]
    assert nam_dinh["to_execute"] == 2990 and nam_dinh["completed"] == 1800
    assert frame["period_end"].iloc[0] == pd.Timestamp("2017-04-30")
    assert nam_dinh["source_row"] == 6  # header is line 1; Nam Định cases is the 5th data line


def test_vietnamese_headers_numbers_and_units(tmp_path):
    header = ["Tên tỉnh", "Năm", "Tính bằng", "Đơn vị tiền", "(1) Số cũ chuyển sang", "Số thụ lý mới",
              "TỔNG SỐ THỤ LÝ", "Uỷ thác đi", "Tổng số phải thi hành", "Có điều kiện thi hành",
              "Chưa có điều kiện thi hành", "Thi hành xong", "Đình chỉ thi hành án"]
    # NFD text and the old tone mark ("Uỷ", "Hoà") must not matter.
    header = [unicodedata.normalize("NFD", h) for h in header]
    rows = [["Hoà Bình", "2017", "Việc", "", "1.000", "2.000", "3.000", "10", "2.990", "2.500", "490", "1.800", "50"],
            ["TP. Hồ Chí Minh", "2017", "Tiền", "nghìn đồng", "1.000.000", "2.000.000,5", "3.000.000,5", "0",
             "3.000.000,5", "2.000.000", "1.000.000,5", "500.000", ""]]
    frame = read_data(write_csv(tmp_path / "vn.csv", rows, header))
    cases = frame[frame.measure == "cases"].iloc[0]
    money = frame[frame.measure == "money"].iloc[0]
    assert cases["province_code"] == "17" and money["province_code"] == "79"
    assert cases["period_end"] == pd.Timestamp("2017-09-30")  # year → 30/09 of that year
    assert money["new_accepted"] == 2_000_000_500  # 2.000.000,5 nghìn đồng
    assert money["terminated"] == 0  # an empty Đình chỉ cell counts as 0


def test_unit_in_header(tmp_path):
    header = [h if h not in ("completed", "carried_over") else h for h in HEADER if h != "unit"]
    header = [f"{h} (triệu đồng)" if h in HEADER[5:] else h for h in header]
    rows = [r[:4] + r[5:] for r in good_rows() if r[2] == "money"]
    rows = [r[:4] + [v // 1_000_000 for v in r[4:]] for r in rows]
    frame = read_data(write_csv(tmp_path / "m.csv", rows, header))
    assert set(frame["completed"]) == {500_000_000}


def test_parquet_and_xlsx_give_the_same_frame(good_csv, tmp_path):
    expected = read_data(good_csv).drop(columns=["source_file", "source_row"])
    raw = pd.read_csv(good_csv, dtype={"province_code": str})
    raw.to_parquet(tmp_path / "good.parquet")
    raw.to_excel(tmp_path / "good.xlsx", index=False)
    for name in ["good.parquet", "good.xlsx"]:
        got = read_data(tmp_path / name).drop(columns=["source_file", "source_row"])
        pd.testing.assert_frame_equal(got, expected)


def test_filled_template_loads(tmp_path):
    book = openpyxl.load_workbook(TEMPLATES_DIR / "thads_template.xlsx")
    sheet = book["Số liệu"]
    sheet.cell(2, 1, "36")
    values = ["Nam Định", dt.datetime(2017, 4, 30), "Việc", "Tất cả", None, 1000, 2000, 3000, 10, 2990, 2500, 490, 1800, 50]
    for col, value in enumerate(values, start=2):
        sheet.cell(2, col, value)
    values = ["Hà Nội", dt.datetime(2017, 4, 30), "Tiền", "Tín dụng - ngân hàng", "tỷ đồng", 1, 2, 3, 0, 3, 2, 1, 0.5, None]
    for col, value in enumerate(values, start=2):
        sheet.cell(3, col, value)
    book.save(tmp_path / "filled.xlsx")
    frame = read_data(tmp_path / "filled.xlsx")
    assert list(frame["province_code"]) == ["36", "01"]
    assert list(frame["category"]) == ["all", "credit"]
    assert frame.iloc[1]["completed"] == 500_000_000
    assert frame.iloc[0]["source_row"] == 2


def test_folder_is_read_together(good_csv, tmp_path):
    write_csv(tmp_path / "later.csv", good_rows("2017-05-31"))
    frame = read_data(tmp_path)
    assert sorted(frame["period_end"].dt.month.unique()) == [4, 5]


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258_form(text: str) -> str:
    """Windows-1258 keeps â, ê, ơ ... whole but writes the five tone marks as combining characters."""
    out = []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        marks = decomposed[1:]
        base = unicodedata.normalize("NFC", decomposed[0] + "".join(m for m in marks if m not in TONE_MARKS))
        out.append(base + "".join(m for m in marks if m in TONE_MARKS))
    return "".join(out)


def test_non_utf8_csv_is_read_and_says_which_encoding(tmp_path, capsys):
    header = ["Tên tỉnh"] + HEADER[1:]
    rows = [["Thừa Thiên Huế"] + r[1:] for r in good_rows() if r[0] == "46"]
    cells = [[to_cp1258_form(str(c)) for c in r] for r in [header, *rows]]
    path = write_csv(tmp_path / "cp.csv", cells[1:], cells[0], encoding="cp1258")
    code, out = run_validate(path, capsys=capsys)
    assert code == 0
    assert "cp1258" in out
    assert set(read_data(path)["province_code"]) == {"46"}


def test_normalize_label_folds_case_diacritics_and_spacing():
    assert normalize_label("  Số  CÓ điều kiện—thi hành ") == "so co dieu kien thi hanh"


# ---------------------------------------------------------------- bad input: each a clear message, exit 1


def corrupt(rows, code, measure, column, value):
    out = [list(r) for r in rows]
    for r in out:
        if r[0] == code and r[2] == measure:
            r[HEADER.index(column)] = value
    return out


def check_bad(path, capsys, *fragments):
    code, out = run_validate(path, capsys=capsys)
    assert code == 1, out
    for fragment in fragments:
        assert fragment in out, f"{fragment!r} not in:\n{out}"
    return out


def test_missing_column(tmp_path, capsys):
    header = [h for h in HEADER if h != "completed"]
    rows = [r[:HEADER.index("completed")] + r[HEADER.index("completed") + 1:] for r in good_rows()]
    check_bad(write_csv(tmp_path / "x.csv", rows, header), capsys, "missing column", "'completed'", "Thi hành xong")


def test_misspelt_column_suggests_the_right_name(tmp_path, capsys):
    header = [("Thi hanh xog" if h == "completed" else h) for h in HEADER]
    check_bad(write_csv(tmp_path / "x.csv", good_rows(), header), capsys, "'Thi hanh xog'", "did you mean 'Thi hành xong'")


def test_wrong_type(tmp_path, capsys):
    rows = corrupt(good_rows(), "36", "cases", "new_accepted", "hai nghìn")
    check_bad(write_csv(tmp_path / "x.csv", rows), capsys, "x.csv:6", "province 36 Nam Định", "column G (new_accepted)",
              "[wrong type]", "'hai nghìn'")


def test_fractional_case_count(tmp_path, capsys):
    rows = corrupt(good_rows(), "36", "cases", "entrusted_out", "10,5")
    check_bad(write_csv(tmp_path / "x.csv", rows), capsys, "column I (entrusted_out)", "not a whole number")


def test_negative_count(tmp_path, capsys):
    rows = corrupt(good_rows(), "24", "cases", "terminated", "-5")
    check_bad(write_csv(tmp_path / "x.csv", rows), capsys, "province 24 Bắc Giang", "[negative value]", "-5")


def test_broken_identity_shows_both_sides_and_difference(tmp_path, capsys):
    rows = corrupt(good_rows(), "36", "cases", "total_accepted", 3001)
    rows = corrupt(rows, "36", "cases", "to_execute", 2991)
    rows = corrupt(rows, "36", "cases", "without_conditions", 491)
    out = check_bad(write_csv(tmp_path / "x.csv", rows), capsys, "x.csv:6", "province 36 Nam Định",
                    "[total_accepted = carried_over + new_accepted]", "3.001 but 1.000 + 2.000 = 3.000 (difference 1)")
    assert out.count("x.csv:") == 1  # the one broken identity, nothing else


def test_a_broken_identity_names_the_column_letter_excel_shows_for_the_csv(tmp_path):
    # Nam Định's cases say 3.001 accepted in all but 1.000 + 2.000 = 3.000 (the two columns after it
    # keep their own identities). Thirteen note columns come first and total_accepted is moved to the
    # end of the header: it is cell 13 + 14 = 27 of the header, which Excel shows as column AA (Z is 26).
    rows = corrupt(good_rows(), "36", "cases", "total_accepted", 3001)
    rows = corrupt(rows, "36", "cases", "to_execute", 2991)
    rows = corrupt(rows, "36", "cases", "without_conditions", 491)
    moved = [h for h in HEADER if h != "total_accepted"] + ["total_accepted"]
    rows = [[""] * 13 + [r[HEADER.index(h)] for h in moved] for r in rows]
    path = write_csv(tmp_path / "x.csv", rows, ["Ghi chú"] * 13 + moved)
    (problem,) = load(path).errors
    assert problem.column == "AA (total_accepted)" and problem.row == 6
    assert str(problem).startswith("x.csv:6: province 36 Nam Định, column AA (total_accepted) [total_accepted =")
    with i18n.using("vi"):
        (problem,) = load(path).errors
    assert problem.column == f"AA ({LABELS['total_accepted']})" == "AA (Tổng số thụ lý)"


@pytest.mark.parametrize("number, letters", [(1, "A"), (26, "Z"), (27, "AA"), (52, "AZ"), (53, "BA"),
                                             (702, "ZZ"), (703, "AAA"), (16384, "XFD")])
def test_column_letters_count_as_excel_does(number, letters):
    # Excel: A..Z, then AA..AZ (27..52), BA..., ZZ is 26 + 26 × 26 = 702, and its last column,
    # number 16.384, is XFD.
    assert column_letter(number) == letters


def test_resolved_above_with_conditions(tmp_path, capsys):
    rows = corrupt(good_rows(), "01", "cases", "completed", 2460)
    check_bad(write_csv(tmp_path / "x.csv", rows), capsys, "province 01 Hà Nội",
              "resolved 2.510 exceeds with_conditions 2.500 by 10")


def test_every_problem_is_reported_not_just_the_first(tmp_path, capsys):
    rows = corrupt(good_rows(), "01", "cases", "new_accepted", "không rõ")
    rows = corrupt(rows, "92", "money", "completed", "-1")
    rows = corrupt(rows, "24", "cases", "to_execute", 2989)
    check_bad(write_csv(tmp_path / "x.csv", rows), capsys, "province 01 Hà Nội, column G (new_accepted) [wrong type]",
              "province 92 Cần Thơ, column M (completed) [negative value]",
              "province 24 Bắc Giang, column J (to_execute) [to_execute = total_accepted − entrusted_out]",
              "4 problem(s)")


def test_unknown_province_lists_close_matches(tmp_path, capsys):
    header = ["province"] + HEADER[1:]
    rows = [["Nam Dihn"] + r[1:] for r in good_rows()[:1]]
    check_bad(write_csv(tmp_path / "x.csv", rows, header), capsys, "[unknown province]", "Nam Dihn", "Nam Định")


def test_code_and_name_disagree(tmp_path, capsys):
    header = HEADER[:1] + ["province"] + HEADER[1:]
    rows = [r[:1] + ["Hà Nam"] + r[1:] for r in good_rows() if r[0] == "36"]
    check_bad(write_csv(tmp_path / "x.csv", rows, header), capsys, "[province mismatch]", "Nam Định", "Hà Nam")


def test_duplicate_rows_that_differ(tmp_path, capsys):
    again = corrupt([good_rows()[4]], "36", "cases", "completed", 1700)
    rows = good_rows() + again
    check_bad(write_csv(tmp_path / "x.csv", rows), capsys, "x.csv:14", "[duplicate row]", "first at", "x.csv:6")


def test_identical_report_in_two_files_is_used_once(tmp_path, capsys):
    write_csv(tmp_path / "a.csv", good_rows())
    write_csv(tmp_path / "b.csv", good_rows()[:4])
    code, out = run_validate(tmp_path, capsys=capsys)
    assert code == 0 and "[repeated report] 4 rows repeat identical rows of" in out
    assert len(read_data(tmp_path)) == 12


def test_period_not_a_month_end(tmp_path, capsys):
    rows = corrupt(good_rows(), "79", "money", "period_end", "29/04/2017")
    check_bad(write_csv(tmp_path / "x.csv", rows), capsys, "province 79 Hồ Chí Minh", "[not a month end]",
              "2017-04-29", "2017-04-30")


def test_money_in_wrong_unit_is_flagged(tmp_path, capsys):
    # Hà Nội typed its money in nghìn đồng while the unit column says đồng: 1000× too small.
    rows = [r if not (r[0] == "01" and r[2] == "money") else r[:5] + [v // 1000 for v in r[5:]] for r in good_rows()]
    check_bad(write_csv(tmp_path / "x.csv", rows), capsys, "province 01 Hà Nội", "[money unit slip]", "1/1.000")


def test_money_unit_not_stated(tmp_path, capsys):
    header = [h for h in HEADER if h != "unit"]
    rows = [r[:4] + r[5:] for r in good_rows()]
    check_bad(write_csv(tmp_path / "x.csv", rows, header), capsys, "[money unit]", "--money-unit")
    assert cli.main(["validate", "--money-unit", "đồng", str(tmp_path / "x.csv")]) == 0


def test_empty_file(tmp_path, capsys):
    (tmp_path / "e.csv").write_bytes(b"")
    check_bad(tmp_path / "e.csv", capsys, "e.csv", "[empty file]")


def test_header_only_file(tmp_path, capsys):
    check_bad(write_csv(tmp_path / "h.csv", []), capsys, "h.csv", "no data rows")


def test_cumulative_flow_that_falls(tmp_path, capsys):
    later = corrupt(good_rows("2017-05-31"), "36", "cases", "completed", 1700)
    later = corrupt(later, "36", "cases", "without_conditions", 490)
    write_csv(tmp_path / "apr.csv", good_rows())
    write_csv(tmp_path / "may.csv", later)
    # A downward revision is reported but does not stop the data being used (a warning, exit 0).
    code, out = run_validate(tmp_path, capsys=capsys)
    assert code == 0
    for fragment in ["warning: ", "may.csv:6", "[cumulative flow decreases]", "1.700 against 1.800 at 2017-04-30",
                     "difference -100"]:
        assert fragment in out


def test_carry_over_chain_across_years(tmp_path, capsys):
    # 2016 year end: carry_forward = 2990 − 1850 = 1140; 2017 says it carried over 1000.
    write_csv(tmp_path / "y2016.csv", good_rows("2016-09-30"))
    write_csv(tmp_path / "y2017.csv", good_rows("2017-04-30"))
    check_bad(tmp_path, capsys, "[carried_over = previous carry_forward]", "carried_over 1.000 but carry_forward at "
              "2016-09-30 is 1.140 (difference -140)")


def test_merged_header_cells(tmp_path, capsys):
    book = openpyxl.Workbook()
    sheet = book.active
    labels = ["Mã tỉnh", "Ngày cuối kỳ", "Tính bằng", "Đơn vị tiền", "Số cũ chuyển sang", "Số thụ lý mới",
              "Tổng số thụ lý", "Ủy thác đi", "Tổng số phải thi hành", "Số có điều kiện thi hành",
              "Số chưa có điều kiện thi hành", "Trong đó", None]
    sheet.append(labels)
    sheet.merge_cells("L1:M1")  # "Trong đó" over what should be Thi hành xong and Đình chỉ
    sheet.append(["36", "30/04/2017", "Việc", None, *CASES_ROW])
    book.save(tmp_path / "merged.xlsx")
    check_bad(tmp_path / "merged.xlsx", capsys, "merged.xlsx[Sheet]", "[merged header]", "L1:M1", "unmerge")


CASES_ROW = [1000, 2000, 3000, 10, 2990, 2500, 490, 1800, 50]


def test_two_row_header_with_vertical_merges_is_read(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã tỉnh", "Ngày cuối kỳ", "Tính bằng", "Số cũ chuyển sang", "Số thụ lý mới", "Tổng số thụ lý",
                  "Ủy thác đi", "Tổng số phải thi hành", "Số có điều kiện thi hành", "Số chưa có điều kiện thi hành",
                  "Thi hành xong", "Đình chỉ thi hành án"])
    sheet.append(["36", "30/04/2017", "Việc", *CASES_ROW])
    sheet.insert_rows(1)
    sheet["A1"] = "BÁO CÁO KẾT QUẢ THI HÀNH ÁN DÂN SỰ TÍNH BẰNG VIỆC"
    sheet.merge_cells("A1:L1")  # a title above the header is not a header
    book.save(tmp_path / "title.xlsx")
    frame = read_data(tmp_path / "title.xlsx")
    assert frame.iloc[0]["completed"] == 1800 and frame.iloc[0]["source_row"] == 3


def test_unreadable_and_unknown_file_types(tmp_path, capsys):
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    check_bad(tmp_path / "bad.xlsx", capsys, "[unreadable file]")
    (tmp_path / "x.txt").write_text("a")
    check_bad(tmp_path / "x.txt", capsys, "[file type]")
    check_bad(tmp_path / "nope.csv", capsys, "[missing file]")


def test_read_data_raises_with_every_problem(tmp_path):
    rows = corrupt(good_rows(), "36", "cases", "new_accepted", "không rõ")
    with pytest.raises(DataError) as info:
        read_data(write_csv(tmp_path / "x.csv", rows))
    assert len(info.value.problems) == 1
    assert "new_accepted" in str(info.value)


def test_nothing_is_loaded_when_any_row_is_bad(tmp_path):
    rows = corrupt(good_rows(), "36", "cases", "new_accepted", "không rõ")
    assert load(write_csv(tmp_path / "x.csv", rows)).frame is None


def test_a_row_named_for_an_office_is_not_a_province(tmp_path, capsys):
    # The trap of the official forms: with its Chi cục rows deleted, the row "Cục THADS thành phố Đà
    # Nẵng" is the Cục's own caseload, not the city; read as the city it gives a wrong rate silently.
    header = ["province" if h == "province_code" else h for h in HEADER]
    rows = [["Cục THADS thành phố Đà Nẵng", *r[1:]] for r in good_rows()[:2]]
    rows += [["Chi cục THADS quận Hải Châu", *r[1:]] for r in good_rows()[:2]]
    rows += [["Đà Nẵng", *r[1:]] for r in good_rows()[2:4]]  # the city by its name is read
    out = check_bad(write_csv(tmp_path / "forms.csv", rows, header), capsys,
                    "forms.csv:2: column A (province) [office row] 'Cục THADS thành phố Đà Nẵng' names the Cục THADS",
                    "write the province's name ('Đà Nẵng')",
                    "forms.csv:4: column A (province) [office row] 'Chi cục THADS quận Hải Châu' is a district office")
    assert "forms.csv:6" not in out and "forms.csv:7" not in out
