"""Hostile input to the readers and the rules: a located message and exit 1, or the right number.

Each test is one class of bad input: the values it checks were worked out by hand from the
small report of conftest.py (1 tỷ carried over, 2 tỷ new, 0,5 tỷ completed, ...).
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from conftest import CASES, HEADER, MONEY, good_rows, write_csv

from thads_analysis import cli
from thads_analysis.ingest.io import load, read_data
from thads_analysis.ingest.schema import MAX_VALUE
from thads_analysis.numbers import AmbiguousNumberError, NumberParseError, parse_number


def validate(capsys, *paths, extra=()) -> tuple[int, str]:
    code = cli.main(["validate", *map(str, paths), *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


def money_rows(rows):
    return [r for r in rows if r[2] == "money"]


def with_cell(rows, column: str, value, measure: str | None = None, first_only: bool = False) -> list[list]:
    out = [list(r) for r in rows]
    done = False
    for r in out:
        if (measure is None or r[2] == measure) and not (first_only and done):
            r[HEADER.index(column)] = value
            done = True
    return out


# ---------------------------------------------------------------- money 1000× wrong


def test_a_header_unit_that_contradicts_the_unit_column_is_an_error_naming_both(tmp_path, capsys):
    header = [h if h != "completed" else "completed (đồng)" for h in HEADER]
    rows = with_cell(good_rows(), "unit", "nghìn đồng", "money")
    code, out = validate(capsys, write_csv(tmp_path / "x.csv", rows, header))
    assert code == 1
    assert "x.csv:3" in out and "column E (unit) [money unit]" in out
    assert "'nghìn đồng'" in out and "'completed (đồng)' says 'đồng'" in out


def test_money_unit_option_that_contradicts_the_file_is_an_error(tmp_path, capsys):
    path = write_csv(tmp_path / "x.csv", good_rows())  # the unit column says đồng
    code, out = validate(capsys, path, extra=["--money-unit", "nghìn đồng"])
    assert code == 1 and "--money-unit says 'nghìn đồng'" in out and "x.csv:3" in out


def test_a_canonical_parquet_without_its_unit_column_is_not_taken_as_dong(tmp_path, capsys):
    frame = read_data(write_csv(tmp_path / "x.csv", good_rows()))
    frame.to_parquet(tmp_path / "nounit.parquet")  # no `unit` column: money in what?
    code, out = validate(capsys, tmp_path / "nounit.parquet")
    assert code == 1 and "[money unit] the money unit is not stated" in out and "nounit.parquet:3" in out
    # With the unit said, the same file reads: 1 tỷ carried over, in đồng.
    frame.assign(unit=frame["measure"].map({"cases": "việc", "money": "đồng"})).to_parquet(tmp_path / "unit.parquet")
    money = read_data(tmp_path / "unit.parquet").query("measure == 'money'")
    assert (money["carried_over"] == 1_000_000_000).all()


@pytest.mark.parametrize("text, style, expected", [
    ("865,000", "en", 865_000),  # English: a thousands comma
    ("865,000", "vi", 865),  # Vietnamese: a decimal comma
    ("1.234", None, 1234),  # Vietnamese by default
    ("1.234", "en", 1.234),
    ("1,234,567", None, 1_234_567),  # only one reading
    ("1.234.567,5", "vi", 1_234_567.5),
])
def test_numbers_that_read_two_ways_follow_the_file(text, style, expected):
    assert float(parse_number(text, style)) == pytest.approx(expected)


def test_a_lone_english_thousands_group_is_ambiguous():
    with pytest.raises(AmbiguousNumberError, match="865 with a decimal comma.*865000 with a thousands comma"):
        parse_number("865,000")


def test_the_other_cells_of_the_file_decide_an_ambiguous_number(tmp_path, capsys):
    # 865,000 alone: an error naming the cell.
    rows = with_cell(good_rows(), "terminated", "865,000", "money")
    code, out = validate(capsys, write_csv(tmp_path / "alone.csv", rows))
    assert code == 1 and "alone.csv:3" in out and "column N (terminated)" in out and "ambiguous" in out
    # With 1,000,000,000 (English groups) elsewhere in the file it is 865.000 đồng, not 865.
    rows = with_cell(rows, "carried_over", "1,000,000,000", "money")
    frame = read_data(write_csv(tmp_path / "english.csv", rows))
    assert (frame.query("measure == 'money'")["terminated"] == 865_000).all()
    # The writing is known from a later row too: the file is read again.
    late = with_cell(good_rows(), "terminated", "865,000", "money")
    late[-1][HEADER.index("carried_over")] = "1,000,000,000"
    frame = read_data(write_csv(tmp_path / "late.csv", late))
    assert (frame.query("measure == 'money'")["terminated"] == 865_000).all()


def test_two_number_writings_in_one_file_are_an_error_naming_both_cells(tmp_path, capsys):
    rows = with_cell(good_rows(), "carried_over", "1.000.000.000", "money", first_only=True)
    rows[3][HEADER.index("carried_over")] = "1,000,000,000"
    code, out = validate(capsys, write_csv(tmp_path / "x.csv", rows))
    assert code == 1 and "[number writing]" in out
    assert "'1.000.000.000' (line 3, column F (carried_over))" in out and "'1,000,000,000' (line 5" in out


def test_an_unquoted_thousands_comma_that_splits_a_cell_is_an_error(tmp_path, capsys):
    path = tmp_path / "x.csv"
    lines = [",".join(HEADER)] + [",".join(map(str, r)) for r in good_rows()]
    lines[1] = lines[1].replace(",1000,2000,", ",1,000,2000,", 1)  # 1,000 not quoted: one cell more
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = validate(capsys, path)
    assert code == 1 and "x.csv:2" in out and "[too many cells]" in out and "header has 14" in out


# ---------------------------------------------------------------- huge, infinite and overflowing values


@pytest.mark.parametrize("value, rule", [
    ("1e30", "more than 20 digits"), ("inf", "not a finite number"), ("-Infinity", "not a finite number"),
    ("1e999999999", "more than 20 digits"),  # int() of it would build a billion digits
    ("123456789012345678901", "more than 20 digits"),
    ("12345678901234567890", "value too large"),  # 20 digits: above 10^17
])
def test_huge_and_infinite_cells_are_located_errors(tmp_path, capsys, value, rule):
    rows = with_cell(good_rows(), "new_accepted", value, "cases", first_only=True)
    code, out = validate(capsys, write_csv(tmp_path / "x.csv", rows))
    assert code == 1 and "x.csv:2" in out and "province 01 Hà Nội" in out and "column G (new_accepted)" in out
    assert rule in out


def test_money_in_dong_under_a_million_dong_header_overflows_into_a_message(tmp_path, capsys):
    header = [h if h != "carried_over" else "carried_over (triệu đồng)" for h in HEADER if h != "unit"]
    rows = [[*r[:4], *r[5:]] for r in good_rows()]
    # 1 tỷ đồng written in đồng under a "triệu đồng" header: 10^9 × 10^6 = 10^15 đồng, still
    # below the bound, so no overflow but a unit slip only the reader of the form can see...
    assert 10**9 * 10**6 < MAX_VALUE
    # ... while 10^12 (a thousand tỷ written in đồng) gives 10^18 đồng, above the bound.
    rows = [r if r[2] == "cases" else [*r[:4], 10**12, *r[5:]] for r in rows]
    code, out = validate(capsys, write_csv(tmp_path / "x.csv", rows, header), extra=["--money-unit", "triệu đồng"])
    assert code == 1 and "x.csv:3" in out and "[value too large]" in out and "'1000000000000' triệu đồng" in out


def test_values_beyond_two_to_the_53_keep_exact_identities(tmp_path):
    # 2^53 + 1 is not a float: a float sum would report 9.007.199.254.740.993 + 2 ≠ 9.007.199.254.740.995.
    big = 2**53 + 1
    rows = [["01", "2017-04-30", "money", "all", "đồng", big, 2, big + 2, 0, big + 2, big + 1, 1, big, 1]]
    frame = read_data(write_csv(tmp_path / "x.csv", rows))
    assert int(frame.at[0, "total_accepted"]) == 9_007_199_254_740_995


# ---------------------------------------------------------------- broken files


def test_a_stray_quote_names_its_lines_instead_of_swallowing_rows(tmp_path, capsys):
    path = tmp_path / "x.csv"
    lines = [",".join(HEADER)] + [",".join(map(str, r)) for r in good_rows()]
    lines[3] = lines[3].replace(",all,", ',"all,', 1)  # the quote runs to the next quote or the end
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = validate(capsys, path)
    assert code == 1 and "x.csv:4" in out and "[stray quote]" in out and "lines 4–13" in out


def test_a_quote_that_never_closes_in_a_large_file_is_a_located_error(tmp_path, capsys):
    path = tmp_path / "x.csv"
    body = [",".join(HEADER), '36,"2017-04-30,cases'] + ["x" * 100] * 2000  # 200 kB inside one cell
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    code, out = validate(capsys, path)
    assert code == 1 and "x.csv:2" in out and "[unreadable row]" in out and "stray quote" in out


def test_a_folder_named_like_a_data_file_is_skipped_and_a_file_name_that_is_a_folder_is_named(tmp_path, capsys):
    write_csv(tmp_path / "good.csv", good_rows())
    (tmp_path / "old.csv").mkdir()
    code, out = validate(capsys, tmp_path)
    assert code == 0 and "12 rows" in out
    from thads_analysis.ingest.readers import read_raw

    with pytest.raises(Exception, match="this is a folder"):
        read_raw(tmp_path / "old.csv", "old.csv")


def test_an_unreadable_file_is_a_located_error(tmp_path, capsys, monkeypatch):
    path = write_csv(tmp_path / "x.csv", good_rows())

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("thads_analysis.ingest.readers._utf8_error", denied)  # as when the file is chmod 000
    code, out = validate(capsys, path)
    assert code == 1 and "x.csv: [unreadable file] permission denied" in out


def test_uint64_and_timezone_parquet_are_read_exactly(tmp_path):
    frame = read_data(write_csv(tmp_path / "x.csv", good_rows()))
    frame = frame.assign(unit=frame["measure"].map({"cases": "việc", "money": "đồng"}))
    odd = frame.assign(carried_over=frame["carried_over"].astype("uint64"),
                       period_end=frame["period_end"].dt.tz_localize("Asia/Ho_Chi_Minh"))
    odd.to_parquet(tmp_path / "odd.parquet")
    back = read_data(tmp_path / "odd.parquet")
    assert (back["period_end"] == pd.Timestamp("2017-04-30")).all()
    assert sorted(back["carried_over"].unique()) == [CASES[0], MONEY[0]]


def test_a_hidden_sheet_adds_no_data(tmp_path, capsys):
    book = openpyxl.Workbook()
    visible = book.active
    visible.append(HEADER)
    for r in good_rows():
        visible.append(r)
    hidden = book.create_sheet("cũ")
    hidden.append(HEADER)
    hidden.append(["79", "2017-05-31", "cases", "all", "việc", *CASES])
    hidden.sheet_state = "veryHidden"
    book.save(tmp_path / "x.xlsx")
    code, out = validate(capsys, tmp_path / "x.xlsx")
    assert code == 0 and "12 rows" in out and "1 period(s)" in out
    assert "x.xlsx[cũ]: [hidden sheet] the sheet is veryHidden and was not read" in out


@pytest.mark.parametrize("year, words", [("1917", "before statistical year 2000"), ("2071", "in the future")])
def test_implausible_years_are_refused(tmp_path, capsys, year, words):
    rows = with_cell(good_rows(), "period_end", f"{year}-04-30")
    code, out = validate(capsys, write_csv(tmp_path / "x.csv", rows))
    assert code == 1 and "x.csv:2" in out and "[implausible period]" in out and words in out


def test_a_year_column_outside_the_plausible_years_is_refused(tmp_path, capsys):
    header = ["year" if h == "period_end" else h for h in HEADER]
    rows = with_cell(good_rows(), "period_end", "2071")
    code, out = validate(capsys, write_csv(tmp_path / "x.csv", rows, header))
    assert code == 1 and "column B (year)" in out and "not a plausible statistical year" in out


def test_a_file_broken_on_every_row_lists_twenty_and_counts_the_rest(tmp_path, capsys):
    rows = with_cell(good_rows() * 10, "new_accepted", "nhiều")  # 120 rows, 60 provinces-periods duplicated
    code, out = validate(capsys, write_csv(tmp_path / "x.csv", rows))
    assert code == 1
    assert out.count("[wrong type]") == 21 and "… and 100 more of the same in this file" in out


# ---------------------------------------------------------------- rules that were silently passed


def test_a_category_larger_than_all_is_an_error(tmp_path, capsys):
    rows = good_rows()
    credit = [[*r[:3], "credit", *r[4:]] for r in rows]
    credit[0][HEADER.index("completed")] = CASES[7] + 1
    credit[0][HEADER.index("terminated")] = CASES[8] - 1  # resolved unchanged: only the category rule breaks
    code, out = validate(capsys, write_csv(tmp_path / "x.csv", rows + credit))
    assert code == 1 and "x.csv:14" in out and "[category ≤ all]" in out
    assert "completed 1.801 exceeds the cases/all value 1.800 by 1" in out


def test_a_province_without_money_rows_is_named(tmp_path, capsys):
    rows = [r for r in good_rows() if not (r[0] == "79" and r[2] == "money")]
    code, out = validate(capsys, write_csv(tmp_path / "x.csv", rows))
    assert code == 0 and "province 79 Hồ Chí Minh" in out and "[missing rows] no money/all row(s) at 30/04/2017" in out


def test_today_is_a_plausible_period(tmp_path):
    end = pd.Timestamp(dt.date.today()) + pd.offsets.MonthEnd(0)
    rows = with_cell(good_rows(), "period_end", end.date().isoformat())
    assert len(load(write_csv(tmp_path / "x.csv", rows)).errors) == 0


def test_blank_number_variants_are_blank_and_junk_is_not_a_number():
    assert parse_number("\u00a0") is None
    with pytest.raises(NumberParseError):
        parse_number("0x10")


# ---------------------------------------------------------------- targets


TARGETS_HEADER = "scope,year,indicator,comparator,target,source\n"


@pytest.mark.parametrize("line, message", [
    ("national,2017,completion_rate_cases,>=,\"0,73\",x", "0,73 looks like a fraction"),
    ("national,2017,completion_rate_cases,>=,150,x", "150% is not a possible rate"),
    ("national,2017,completion_rate_money,>=,-5,x", "-5% is not a possible rate"),
    ("national,2017,carry_forward_with_conditions_change_cases,<=,-150,x", "-150% is not a possible change"),
    ("national,2017,completion_rate_cases,>=,1e30,x", "more than 20 digits"),
    ("national,2017,completion_rate_cases,>=,inf,x", "not a finite number"),
    ("national,2017,completion_rate_cases,>=,73,x,extra", "the line has 7 cells but the header has 6"),
    ("national,1917,completion_rate_cases,>=,73,x", "not a statistical year"),
])
def test_impossible_targets_are_refused_with_their_line(tmp_path, capsys, line, message):
    path = tmp_path / "t.csv"
    path.write_text(TARGETS_HEADER + "national,2017,completion_rate_money,>=,32,x\n" + line + "\n", encoding="utf-8")
    code = cli.main(["summary", "--province", "36", "--targets", str(path)])
    err = capsys.readouterr().err
    assert code == 1 and "t.csv:3" in err and message in err


def test_a_targets_file_without_the_year_is_a_warning_on_the_command_line_and_the_page(tmp_path, capsys):
    from thads_analysis.reporting.report import ProvinceReport

    path = tmp_path / "t.csv"
    path.write_text(TARGETS_HEADER + "national,2024,completion_rate_cases,>=,73,x\n", encoding="utf-8")
    assert cli.main(["summary", "--province", "36", "--targets", str(path)]) == 0
    err = capsys.readouterr().err
    assert "t.csv: no targets for statistical year 2017 (the file has targets for: 2024)" in err
    page = ProvinceReport("36", 2017, "", "", str(path)).scorecard().data
    assert "không có chỉ tiêu nào cho năm thống kê 2017 (chỉ có năm 2024)" in page


# ---------------------------------------------------------------- workbooks, encodings and odd files


def workbook(path, rows, edit=None):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for r in rows:
        sheet.append(r)
    if edit:
        edit(sheet)
    book.save(path)
    return path


def test_a_formula_without_a_saved_value_is_an_error_naming_the_cell(tmp_path, capsys):
    # openpyxl, like many export tools, writes formulas without computing them: the cell has no value.
    def formula(sheet):
        sheet["N2"] = "=50+0"  # terminated of the first row

    code, out = validate(capsys, workbook(tmp_path / "x.xlsx", good_rows(), formula))
    assert code == 1 and "x.xlsx[Sheet]:2" in out and "column N [formula without a value]" in out
    assert "=50+0" in out


def test_merged_data_cells_are_an_error(tmp_path, capsys):
    def merge(sheet):
        sheet.merge_cells("M2:N2")  # completed and terminated of the first row

    code, out = validate(capsys, workbook(tmp_path / "x.xlsx", good_rows(), merge))
    assert code == 1 and "x.xlsx[Sheet]:2" in out and "[merged cells] cells M2:N2 are merged" in out


def test_a_far_away_blank_cell_does_not_blow_up_a_workbook(tmp_path, capsys):
    def far(sheet):
        sheet["XFD200000"] = " "  # a space: blank, but it makes the sheet 200.000 × 16.384 cells

    code, out = validate(capsys, workbook(tmp_path / "x.xlsx", good_rows(), far))
    assert code == 0 and "12 rows" in out

    def wide(sheet):
        sheet["ZZ1"] = "ghi chú thêm"

    code, out = validate(capsys, workbook(tmp_path / "wide.xlsx", good_rows(), wide))
    assert code == 1 and "[too many columns]" in out and "column ZZ" in out


def test_digits_of_other_scripts_are_read_as_numbers(tmp_path):
    rows = with_cell(good_rows(), "carried_over", "１０００", "cases", first_only=True)  # fullwidth 1000
    frame = read_data(write_csv(tmp_path / "x.csv", rows))
    assert int(frame.query("province_code == '01' and measure == 'cases'")["carried_over"].iloc[0]) == 1000


def test_utf16_text_is_read_with_its_mark_and_named_without_it(tmp_path, capsys):
    text = (tmp_path / "x.csv")
    write_csv(text, good_rows())
    content = text.read_text(encoding="utf-8")
    (tmp_path / "bom.csv").write_text(content, encoding="utf-16")  # Python writes the byte-order mark
    code, out = validate(capsys, tmp_path / "bom.csv")
    assert code == 0 and "12 rows" in out and "cut short" not in out
    (tmp_path / "nobom.csv").write_bytes(content.encode("utf-16-le"))
    code, out = validate(capsys, tmp_path / "nobom.csv")
    assert code == 1 and "nobom.csv: [encoding]" in out and "UTF-16 or UTF-32" in out


def test_a_workbook_named_csv_and_a_csv_with_title_lines(tmp_path, capsys):
    workbook(tmp_path / "book.xlsx", good_rows()).rename(tmp_path / "book.csv")
    code, out = validate(capsys, tmp_path / "book.csv")
    assert code == 1 and "book.csv: [file type] this is a zip file" in out
    path = write_csv(tmp_path / "titled.csv", good_rows())
    path.write_text("BÁO CÁO KẾT QUẢ THI HÀNH ÁN DÂN SỰ\nĐơn vị tính: việc\n" + path.read_text(encoding="utf-8"),
                    encoding="utf-8")
    frame = read_data(path)
    assert len(frame) == 12 and int(frame["source_row"].min()) == 4  # title, unit line, header, first row


def test_a_canonical_parquet_with_an_empty_required_cell_is_refused(tmp_path, capsys):
    frame = read_data(write_csv(tmp_path / "x.csv", good_rows()))
    frame = frame.assign(unit=frame["measure"].map({"cases": "việc", "money": "đồng"}))
    frame.loc[2, "completed"] = pd.NA
    frame.to_parquet(tmp_path / "x.parquet")
    code, out = validate(capsys, tmp_path / "x.parquet")
    assert code == 1 and "column completed [missing value]" in out


def test_a_province_missing_at_one_period_withholds_the_national_total(tmp_path, capsys):
    from thads_analysis.analysis.pipeline import prepare

    may = with_cell(good_rows(), "period_end", "2017-05-31")
    april = [r for r in good_rows() if r[0] != "79"]  # 79 reports in May, not in April
    path = write_csv(tmp_path / "x.csv", april + may)
    code, out = validate(capsys, path)
    assert code == 0 and "province 79 Hồ Chí Minh" in out and "no report at 30/04/2017" in out
    analysis = prepare(path, period_end="2017-04-30")
    national = analysis.indicators["national"].set_index("indicator")
    assert pd.isna(national.at["completion_rate_cases", "value"])
    assert national.at["completion_rate_cases", "note"] == "thiếu dòng số liệu của Hồ Chí Minh"
    # Nam Định's own rate is untouched: 1.850 resolved of 2.500 with conditions (conftest).
    nam_dinh = analysis.indicators["province"].query("scope == '36'").set_index("indicator")
    assert nam_dinh.at["completion_rate_cases", "value"] == pytest.approx(1850 / 2500 * 100)


def test_targets_that_are_a_pipe_are_named(tmp_path, capsys):
    import os

    os.mkfifo(tmp_path / "t.csv")
    code = cli.main(["summary", "--province", "36", "--targets", str(tmp_path / "t.csv")])
    assert code == 1 and "not a regular file" in capsys.readouterr().err
