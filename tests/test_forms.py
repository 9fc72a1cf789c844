"""The official forms read directly: a form workbook built by tests/forms.py reads to the rows its
builder was given, the province total is the sum of its offices, and every broken form is refused
with a message naming sheet, row, column letter, unit and rule."""

from __future__ import annotations

import pandas as pd
import pytest
from forms import NAM_DINH_CASES, NAM_DINH_MONEY, Form, nam_dinh, write_workbook

from thads_analysis import cli
from thads_analysis.ingest.io import load, read_dataset

JUNE = pd.Timestamp("2017-06-30")


def office_row(frame, office, measure="cases"):
    rows = frame[(frame["office_code"] == office) & (frame["measure"] == measure)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_a_form_workbook_reads_to_the_rows_it_was_built_from(tmp_path):
    result = load(nam_dinh(tmp_path))
    assert not result.errors, result.errors
    offices = result.offices
    # 11 offices (the Cục and 10 Chi cục of 2017) × 2 measures.
    assert len(offices) == 22 and set(offices["period_end"]) == {JUNE}
    cuc = office_row(offices, "cuc")
    # The Cục's row as written: 120 + 80 = 200 accepted, 5 entrusted out, 195 to execute,
    # 60 + 4 + 30 + 6 + 1 + 2 = 103 with conditions, 92 without.
    assert (cuc["carried_over"], cuc["new_accepted"], cuc["total_accepted"], cuc["entrusted_out"]) == (120, 80, 200, 5)
    assert (cuc["to_execute"], cuc["with_conditions"], cuc["without_conditions"]) == (195, 103, 92)
    hai_hau = office_row(offices, "366")
    assert (hai_hau["completed"], hai_hau["terminated"], hai_hau["in_progress"]) == (140, 6, 45)
    # Money in thousand đồng stated only in the title: 140 × 1000 thousand = 140.000.000 đồng.
    assert office_row(offices, "366", "money")["completed"] == 140_000_000
    assert office_row(offices, "366", "money")["reduced"] == 500_000
    my_loc = office_row(offices, "356-my-loc")  # Mỹ Lộc: its own Chi cục in 2017
    assert my_loc["completed"] == 70


def test_the_province_total_is_the_sum_of_its_offices(tmp_path):
    frame = read_dataset(nam_dinh(tmp_path)).frame
    province = frame[(frame["province_code"] == "36") & (frame["measure"] == "cases")].iloc[0]
    # Σ completed over the 11 offices, added by hand: 60 + 420 + 70 + 95 + 130 + 120 + 105 + 100 + 90 + 110 + 140.
    assert province["completed"] == 1440
    # Σ with_conditions by hand: 103 + 610 + 101 + 134 + 182 + 169 + 148 + 139 + 123 + 157 + 199 = 2065.
    assert province["with_conditions"] == 2065
    assert sum(r["completed"] for r in NAM_DINH_CASES.values()) == 1440  # the builder's rows agree


@pytest.mark.parametrize("changes", [
    dict(first_column=3),  # the table shifted two columns right
    dict(blank_after=("entrusted_out", "with_conditions")),  # empty columns between groups
    dict(header_rows=2),  # no "Chia ra" row
    dict(number_row=False),
    dict(period="Tháng 6 năm 2017"),
    dict(period="từ 01/10/2016 đến 30/6/2017"),
    dict(total_first=False),
    dict(total_row=None),  # no total row: the province is summed from its offices
])
def test_layout_variants_read_the_same(tmp_path, changes):
    frame = read_dataset(nam_dinh(tmp_path, **changes)).frame
    cases = frame[frame["measure"] == "cases"].iloc[0]
    money = frame[frame["measure"] == "money"].iloc[0]
    assert frame["period_end"].unique().tolist() == [JUNE]
    assert (cases["completed"], cases["with_conditions"]) == (1440, 2065)
    # Money: 1440 × 1000 thousand đồng completed.
    assert money["completed"] == 1_440_000_000


def test_the_command_line_validates_a_form(tmp_path, capsys):
    assert cli.main(["validate", str(nam_dinh(tmp_path))]) == 0
    assert "OK" in capsys.readouterr().out


def errors_of(path) -> list[str]:
    return [str(p) for p in load(path).errors]


def test_the_da_nang_trap_is_refused(tmp_path):
    """Only the Cục's own row left (the Chi cục rows deleted): it is one office, not the province."""
    cuc = {"Cục THADS thành phố Đà Nẵng": NAM_DINH_CASES["Cục THADS tỉnh Nam Định"]}
    path = write_workbook(tmp_path / "da_nang.xlsx", [Form("cases", cuc, issuer="CỤC THI HÀNH ÁN DÂN SỰ THÀNH PHỐ "
                                                           "ĐÀ NẴNG", total_row=None)])
    errors = errors_of(path)
    assert any("one office is not the province" in e and "48 Đà Nẵng" in e for e in errors), errors
    assert load(path).frame is None


def test_a_total_that_differs_from_its_offices(tmp_path):
    errors = errors_of(nam_dinh(tmp_path, total_override={"completed": 1450}))
    # 1450 written, 1440 summed: difference 10, named with the row of the total (row 11, total first).
    assert any("[total ≠ sum of offices]" in e and "1.450" in e and "1.440" in e and "difference 10" in e
               and ":11:" in e for e in errors), errors


def test_an_office_of_another_province_and_an_unknown_office(tmp_path):
    units = dict(NAM_DINH_CASES)
    units["Chi cục THADS quận Hải Châu"] = units.pop("Chi cục THADS huyện Hải Hậu")  # Hải Châu is in Đà Nẵng
    units["Chi cục THADS huyện Giao Thủ"] = units.pop("Chi cục THADS huyện Giao Thủy")  # a typo
    errors = errors_of(write_workbook(tmp_path / "x.xlsx", [Form("cases", units)]))
    assert any("[unknown office]" in e and "Đà Nẵng" in e and "column B" in e for e in errors), errors
    assert any("[unknown office]" in e and "Giao Thủy" in e for e in errors), errors  # the close match


def test_the_same_office_twice(tmp_path):
    units = dict(NAM_DINH_CASES)
    units["Hải Hậu"] = units.pop("Chi cục THADS huyện Giao Thủy")  # Hải Hậu again, spelt short
    errors = errors_of(write_workbook(tmp_path / "x.xlsx", [Form("cases", units, total_row=None)]))
    assert any("[office twice]" in e and "Hải Hậu" in e for e in errors), errors


def test_sheets_of_different_periods(tmp_path):
    path = write_workbook(tmp_path / "x.xlsx", [Form("cases", NAM_DINH_CASES),
                                                Form("money", NAM_DINH_MONEY, period="Tháng 5 năm 2017")])
    errors = errors_of(path)
    assert any("[form period]" in e and "30/06/2017" in e and "31/05/2017" in e for e in errors), errors


def test_a_period_not_cumulative_from_october(tmp_path):
    errors = errors_of(nam_dinh(tmp_path, period="(Từ ngày 01/01/2017 đến ngày 30/6/2017)"))
    assert any("[form period]" in e and "01/10/2016" in e for e in errors), errors


def test_numbers_in_the_signature_block(tmp_path):
    errors = errors_of(nam_dinh(tmp_path, signature_numbers=True))
    assert any("[signature block]" in e for e in errors), errors


def test_a_hidden_form_sheet_is_not_read(tmp_path):
    path = write_workbook(tmp_path / "x.xlsx", [Form("cases", NAM_DINH_CASES),
                                                Form("money", NAM_DINH_MONEY, hidden=True)])
    result = load(path)
    assert not result.errors
    assert set(result.frame["measure"]) == {"cases"}
    assert any(p.rule == "hidden sheet" for p in result.warnings)


def test_a_form_of_an_unsupported_regime(tmp_path):
    errors = errors_of(nam_dinh(tmp_path, regime_line="Ban hành kèm theo Thông tư số 06/2019/TT-BTP"))
    assert any("[form regime]" in e and "06/2019/TT-BTP" in e for e in errors), errors


def test_a_column_missing_names_what_was_found_and_expected(tmp_path):
    errors = errors_of(nam_dinh(tmp_path, drop=("completed",)))
    assert any("[form header]" in e and "'Thi hành xong'" in e and "Header cells found" in e for e in errors), errors


def test_two_columns_swapped_break_the_identities(tmp_path):
    """Thi hành xong and Chưa có điều kiện written in each other's column: every office's row
    breaks to_execute = with_conditions + without_conditions, named by column letter."""
    errors = errors_of(nam_dinh(tmp_path, swap=("completed", "without_conditions")))
    assert errors and all("36 Nam Định" in e for e in errors[:3]), errors
    # The builder's layout: A STT, B unit, C–I Tổng số thụ lý … Thi hành xong, J–N the other parts
    # (the việc sheet has no Giảm, miễn column), O Chưa có điều kiện thi hành.
    swapped = [e for e in errors if "[columns swapped]" in e and "[Việc]" in e]
    assert len(swapped) == 1 and "column O (without_conditions), I (completed)" in swapped[0]
    assert "every one of the 11 rows" in swapped[0]


def test_rows_broken_one_by_one_name_no_swap(tmp_path):
    """A single wrong row is not a swap of columns: no pair is named."""
    rows = {name: dict(row) for name, row in NAM_DINH_CASES.items()}
    rows["Chi cục THADS huyện Hải Hậu"]["without_conditions"] += 7
    path = write_workbook(tmp_path / "one.xlsx", [Form("cases", rows), Form("money", NAM_DINH_MONEY)])
    errors = errors_of(path)
    assert errors and not any("columns swapped" in e for e in errors)


def test_the_offices_are_ranked_against_the_province_targets(tmp_path, capsys):
    """From the form's rows, by hand: Trực Ninh resolves 100 + 4 = 104 of 139 with conditions
    (74,82%), the best case rate; Hải Hậu 140 + 6 = 146 of 199 (73,37%) meets the bundled 73% target
    [CT-TINH]; Nam Trực 105 + 3 = 108 of 148 (72,97%) misses it; the Cục 60 + 4 = 64 of 103 (62,14%)
    is last of the 11 offices."""
    from thads_analysis.analysis.pipeline import prepare

    analysis = prepare(nam_dinh(tmp_path))
    table = analysis.office_table("36").set_index("office")
    assert len(table) == 11
    top = table[table["rank"] == 1]
    assert list(top.index) == ["Chi cục THADS huyện Trực Ninh"]
    assert (top["resolved_cases"].iloc[0], top["with_conditions_cases"].iloc[0]) == (104, 139)
    assert table.at["Chi cục THADS huyện Hải Hậu", "status_cases"] == "met"
    assert table.at["Chi cục THADS huyện Nam Trực", "status_cases"] == "missed"
    assert table.at["Cục THADS tỉnh Nam Định", "rank"] == 11
    assert round(table.at["Cục THADS tỉnh Nam Định", "rate_cases"], 2) == 62.14
    assert cli.main(["summary", "--province", "36", "--office", "H. Hải Hậu", "--data", str(tmp_path / "nam_dinh_2017_06.xlsx"),
                     "--format", "json"]) == 0
    import json

    records = {r["indicator"]: r for r in json.loads(capsys.readouterr().out)}
    assert round(records["completion_rate_cases"]["actual"], 2) == 73.37
    assert records["completion_rate_cases"]["status"] == "met"


def test_an_office_target_overrides_the_province_target(tmp_path):
    """A targets row whose scope is an office ("Nam Định/Hải Hậu", 75%) holds that office alone:
    Hải Hậu's 73,37% then misses, while Giao Thủy's 110 + 5 = 115 of 157 (73,25%) still meets 73%."""
    from thads_analysis.analysis.pipeline import prepare
    from thads_analysis.paths import DEFAULT_TARGETS

    targets = tmp_path / "targets.csv"
    targets.write_text(DEFAULT_TARGETS.read_text(encoding="utf-8").rstrip("\n")
                       + "\nNam Định/Hải Hậu,2017,completion_rate_cases,>=,75,own target\n", encoding="utf-8")
    table = prepare(nam_dinh(tmp_path), targets).office_table("36").set_index("office")
    assert table.at["Chi cục THADS huyện Hải Hậu", "status_cases"] == "missed"
    assert table.at["Chi cục THADS huyện Giao Thủy", "status_cases"] == "met"


def test_the_offices_funnel_is_centred_on_the_province_rate(tmp_path):
    """The province resolves Σ completed 1440 + Σ terminated (4 + 20 + 3 + 5 + 6 + 4 + 3 + 4 + 2 + 5 + 6 = 62)
    = 1502 of 2065 with conditions: p0 = 72,736%. The Cục's 64 of 103 is z = (0,62136 − 0,72736) /
    √(0,72736 × 0,27264 / 103) = −2,42: below the 95% limit, inside the 99,8% one (Spiegelhalter 2005)."""
    from thads_analysis.analysis.pipeline import prepare

    funnel, why = prepare(nam_dinh(tmp_path)).office_funnel("36")
    assert why == "" and funnel.n_units == 11
    assert funnel.p0 == pytest.approx(1502 / 2065)
    cuc = funnel.table.set_index("province_code").loc["36/cuc"]
    assert cuc["z"] == pytest.approx(-2.416, abs=1e-3)
    assert (cuc["flag95"], cuc["flag"]) == ("below", "within")
    assert funnel.table.set_index("province_code").at["36/366", "province_name"] == "H. Hải Hậu"


def test_no_office_funnel_without_office_rows_and_why(tmp_path):
    from thads_analysis.analysis.pipeline import prepare
    from thads_analysis.paths import SAMPLE_DIR

    months = pd.read_csv(SAMPLE_DIR / "thads_monthly_2017.csv", dtype=str, keep_default_na=False)
    months[months["province_code"] == "36"].to_csv(tmp_path / "nam_dinh.csv", index=False)
    funnel, why = prepare(tmp_path / "nam_dinh.csv").office_funnel("36")
    assert funnel is None and why == "số liệu ngày 30/09/2017 không có dòng của từng đơn vị trong tỉnh"


def test_a_title_period_that_disagrees_with_the_file_name(tmp_path):
    """The titles say 30/06/2017 (Tháng 6), the file name says May 2017: which is right is not for the
    reader to guess."""
    errors = errors_of(nam_dinh(tmp_path, name="nam_dinh_thang_05_2017.xlsx"))
    assert len(errors) == 1, errors
    assert "nam_dinh_thang_05_2017.xlsx" in errors[0] and "30/06/2017" in errors[0] and "05/2017" in errors[0]


@pytest.mark.parametrize("name, month", [("nam_dinh_2017_06.xlsx", (2017, 6)), ("bc-201706.xlsx", (2017, 6)),
                                         ("T6-2017.xlsx", (2017, 6)), ("thang 12 2016.xlsx", (2016, 12)),
                                         ("30-06-2017.xlsx", (2017, 6)), ("bao_cao_2017.xlsx", None),
                                         ("2017_05_sua_2017_06.xlsx", None)])
def test_the_month_a_file_name_states(name, month):
    from thads_analysis.ingest.forms import file_month

    assert file_month(name) == month


def test_a_period_end_the_form_does_not_give_names_the_form(tmp_path, capsys):
    """--period-end 31/05/2017 on a form whose titles say 30/06/2017: refused, naming the sheets."""
    path = nam_dinh(tmp_path)
    assert cli.main(["summary", "--province", "36", "--data", str(path), "--period-end", "2017-05-31"]) == 1
    err = capsys.readouterr().err
    assert "31/05/2017 is not in the data" in err
    assert "30/06/2017 (from nam_dinh_2017_06.xlsx[Việc], nam_dinh_2017_06.xlsx[Tiền])" in err


def test_the_national_overview_counts_the_offices_reported(tmp_path):
    from thads_analysis.paths import SAMPLE_DIR
    from thads_analysis.reporting.report import NationalReport

    header = NationalReport(data_path=str(nam_dinh(tmp_path))).header().data
    assert "Số liệu theo đơn vị (Cục THADS và các Chi cục): 11 đơn vị của 1 tỉnh" in header
    months = pd.read_csv(SAMPLE_DIR / "thads_monthly_2017.csv", dtype=str, keep_default_na=False)
    months[months["province_code"] == "36"].to_csv(tmp_path / "nam_dinh.csv", index=False)
    assert "Số liệu theo đơn vị" not in NationalReport(data_path=str(tmp_path / "nam_dinh.csv")).header().data
