"""Indicators, targets and assessment, checked against published national figures ([TCTHADS-7T2017], [TCTHADS-9T2017])
and small hand-worked cases."""

from __future__ import annotations

import pandas as pd
import pytest

from thads_analysis.analysis.assess import (
    assess,
    gap_text,
    ranks,
    required_remaining_rate,
    target_text,
)
from thads_analysis.analysis.indicators import indicators, months_elapsed, projected_rate, resolve_period, totals
from thads_analysis.analysis.targets import Target, read_targets, targets_for
from thads_analysis.ingest import schema
from thads_analysis.ingest.schema import DataError

COLUMNS = ["carried_over", "new_accepted", "total_accepted", "entrusted_out", "to_execute", "with_conditions",
           "without_conditions", "completed", "terminated"]
# National figures, cases, statistical year 2017 (thads.moj.gov.vn directives of 12/05 and 17/07/2017).
# entrusted_out = total_accepted − to_execute: 631.587 − 625.425 = 6.162 and 736.747 − 728.227 = 8.520.
SEVEN_MONTHS = [290_524, 341_063, 631_587, 6_162, 625_425, 482_175, 143_250, 267_165, 0]
NINE_MONTHS = [290_524, 446_223, 736_747, 8_520, 728_227, 579_413, 148_814, 369_372, 0]
# 2016 year end: 530.428 resolved and 144.857 with conditions carried into 2017, so with_conditions
# = 675.285; carry_forward = 290.524 (2017's carried_over), so to_execute = 820.952. The split of
# total_accepted between carried_over and new_accepted is not published: 300.000 + 520.952 chosen.
YEAR_2016 = [300_000, 520_952, 820_952, 0, 820_952, 675_285, 145_667, 530_428, 0]


def national_frame(rows: dict[str, list[int]], code: str = "01") -> pd.DataFrame:
    """The published national rows as if one province reported them."""
    records = [dict(province_code=code, period_end=pd.Timestamp(p), measure="cases", category="all",
                    **dict(zip(COLUMNS, values))) for p, values in rows.items()]
    frame = pd.DataFrame(records)
    for c in schema.VALUE_COLUMNS:
        frame[c] = pd.array(frame[c] if c in frame else [pd.NA] * len(frame), dtype="Int64")
    frame["province_code"] = frame["province_code"].astype("string")
    return frame


@pytest.fixture
def published():
    return national_frame({"2016-09-30": YEAR_2016, "2017-04-30": SEVEN_MONTHS, "2017-06-30": NINE_MONTHS})


def value(ind, indicator, scope="national"):
    row = ind[(ind["indicator"] == indicator) & (ind["scope"] == scope)]
    assert len(row) == 1, indicator
    v = row["value"].iloc[0]
    return None if pd.isna(v) else float(v)


def test_published_frame_is_valid(published):
    assert schema.validate(published) == []


@pytest.mark.parametrize("period, rate, carry, carry_wc, change", [
    ("2017-04-30", 55.41, 358_260, 215_010, 48.43),
    ("2017-06-30", 63.75, 358_855, 210_041, 45.00),
])
def test_published_rates_and_carry_over(published, period, rate, carry, carry_wc, change):
    ind = indicators(published, period, "national")
    assert round(value(ind, "completion_rate_cases"), 2) == rate
    assert value(ind, "carry_forward_cases") == carry
    assert value(ind, "carry_forward_with_conditions_cases") == carry_wc
    assert round(value(ind, "carry_forward_with_conditions_change_cases"), 2) == change


def test_share_clearance_and_disposition_time_at_seven_months(published):
    ind = indicators(published, "2017-04-30", "national")
    assert value(ind, "share_with_conditions_cases") == pytest.approx(482_175 / 625_425 * 100)  # 77,10%
    assert round(value(ind, "share_with_conditions_cases"), 2) == 77.10
    assert round(value(ind, "clearance_rate_cases"), 2) == 78.33  # 267.165 / 341.063
    # 7 of 12 months elapsed: 365 × 7/12 = 212,92 days × 358.260 / 267.165 = 285,51 days
    assert round(value(ind, "disposition_time_cases"), 2) == 285.51


def test_money_without_rows_is_no_data_not_zero(published):
    ind = indicators(published, "2017-04-30", "national")
    money_rows = ind[ind["measure"] == "money"]
    assert len(money_rows) and money_rows["value"].isna().all()
    assert money_rows.set_index("indicator").at["completion_rate_money", "note"] == \
        "không có dòng số liệu (tiền, tất cả) ngày 30/04/2017"
    targets = pd.DataFrame([dict(scope="national", year=2017, indicator="completion_rate_money", comparator=">=",
                                 target=32.0, source="test")])
    card = assess(ind, targets, "national")
    money = card[card["indicator"] == "completion_rate_money"].iloc[0]
    assert money["status"] == "no_data" and pd.isna(money["actual"]) and pd.isna(money["gap"])


def test_zero_denominator_gives_no_data(published):
    frame = published.copy()
    row = frame["period_end"] == pd.Timestamp("2017-04-30")
    # No case with conditions: everything without conditions, nothing resolved.
    frame.loc[row, ["with_conditions", "completed"]] = 0
    frame.loc[row, "without_conditions"] = 625_425
    ind = indicators(frame, "2017-04-30", "national")
    assert value(ind, "completion_rate_cases") is None


def test_change_without_previous_year_is_no_data():
    frame = national_frame({"2017-04-30": SEVEN_MONTHS})
    ind = indicators(frame, "2017-04-30", "national")
    assert value(ind, "carry_forward_with_conditions_change_cases") is None


def test_months_elapsed():
    assert [months_elapsed(p) for p in ["2016-10-31", "2017-04-30", "2017-09-30"]] == [1, 7, 12]


def test_date_helpers_take_a_whole_column():
    """31/10/2016 opens statistical year 2017 (month 1); 30/09/2017 closes it (month 12)."""
    from thads_analysis.vocabulary import is_year_end, statistical_year

    for column in (pd.Series(pd.to_datetime(["2016-10-31", "2017-04-30", "2017-09-30"])),
                   pd.Series(["2016-10-31", "2017-04-30", "2017-09-30"], dtype=object)):
        assert list(statistical_year(column)) == [2017, 2017, 2017]
        assert list(months_elapsed(column)) == [1, 7, 12]
        assert list(is_year_end(column)) == [False, False, True]
    assert list(statistical_year(pd.Series([], dtype=object))) == []


def test_projection_extends_the_last_three_months():
    path = pd.DataFrame({"period_end": pd.to_datetime(["2017-01-31", "2017-02-28", "2017-03-31"]),
                         "resolved": [500, 525, 550], "with_conditions": [1000, 1000, 1000]})
    # Rates 50; 52,5; 55 at months 4, 5, 6: +2,5 a month, six months to go → 55 + 15 = 70.
    assert projected_rate(path, "2017-03-31") == pytest.approx(70.0)
    assert projected_rate(path.iloc[:1], "2017-01-31") is None
    year_end = pd.DataFrame({"period_end": [pd.Timestamp("2017-09-30")], "resolved": [790], "with_conditions": [1000]})
    assert projected_rate(year_end, "2017-09-30") == pytest.approx(79.0)


def test_required_remaining_rate_at_seven_months():
    # Target 73%: 0,73 × 482.175 = 351.987,75 needed; 84.822,75 still to do of 215.010 open → 39,45%.
    assert round(required_remaining_rate(267_165, 482_175, 73), 2) == 39.45
    assert required_remaining_rate(400_000, 482_175, 73) == 0.0


def test_gap_wording():
    assert gap_text(17.7) == "vượt 17,70 điểm %"  # 90,70% against 73%: points, not percent
    assert gap_text(-3.2) == "còn thiếu 3,20 điểm %"
    assert gap_text(2, "người") == "vượt 2 người"
    assert gap_text(None) == ""
    # A "< 0" target on a change is a direction: the change itself is said (Nam Định's +22,33%).
    fall = Target("carry_forward_with_conditions_change_cases", "<", 0.0, "test", "national")
    assert gap_text(-22.33, "%", False, fall, 22.33) == "tăng 22,33% (chỉ tiêu: giảm)"
    assert gap_text(2.55, "%", True, fall, -2.55) == "giảm 2,55% (chỉ tiêu: giảm)"
    assert target_text(fall, "%") == "giảm"  # not "< 0,00%"
    assert target_text(Target("completion_rate_cases", ">=", 73.0, "test", "national"), "%") == "≥ 73,00%"


# ---------------------------------------------------------------- aggregation


def two_provinces(published):
    a = published.copy()
    b = published.copy()
    b["province_code"] = pd.array(["36"] * len(b), dtype="string")
    for c in COLUMNS:  # a second province at half the size, every identity still holding
        b[c] = b[c] // 2
    b["without_conditions"] = b["to_execute"] - b["with_conditions"]
    b["total_accepted"] = b["carried_over"] + b["new_accepted"]
    b["to_execute"] = b["total_accepted"] - b["entrusted_out"]
    b["without_conditions"] = b["to_execute"] - b["with_conditions"]
    return pd.concat([a, b], ignore_index=True)


def test_regions_and_nation_sum_counts_never_average_rates(published):
    # Hà Nội 900 of 1.000 (90%) and Nam Định 10 of 100 (10%), both in Đồng bằng sông Hồng: pooled
    # 910 / 1.100 = 82,7273%; the average of the two rates would be 50%.
    big = national_frame({"2017-04-30": [500, 600, 1_100, 0, 1_100, 1_000, 100, 900, 0]}, "01")
    small = national_frame({"2017-04-30": [100, 50, 150, 0, 150, 100, 50, 10, 0]}, "36")
    pair = pd.concat([big, small], ignore_index=True)
    assert schema.validate(pair) == []
    assert value(indicators(pair, "2017-04-30", "national"), "completion_rate_cases") == pytest.approx(82.727273)
    region = indicators(pair, "2017-04-30", "region")
    assert value(region, "completion_rate_cases", "Đồng bằng sông Hồng") == pytest.approx(82.727273)
    frame = two_provinces(published)
    assert schema.validate(frame) == []
    nat = totals(frame, "national")
    prov = totals(frame, "province")
    for c in COLUMNS:
        assert nat[c].sum() == prov[c].sum()


def test_province_indicators_do_not_depend_on_other_provinces(published):
    both = indicators(two_provinces(published), "2017-04-30", "province")
    alone = indicators(published, "2017-04-30", "province")
    pd.testing.assert_series_equal(both[both.scope == "01"]["value"].reset_index(drop=True),
                                   alone["value"].reset_index(drop=True))


def test_period_outside_the_data_names_the_periods(published):
    with pytest.raises(ValueError, match="30/04/2017, 30/06/2017"):
        resolve_period(published, 2017, "2017-05-31")
    assert resolve_period(published, 2017) == pd.Timestamp("2017-06-30")
    with pytest.raises(ValueError, match="no period of statistical year 2018"):
        resolve_period(published, 2018)


# ---------------------------------------------------------------- targets and status


def write_targets(tmp_path, rows: str):
    path = tmp_path / "t.csv"
    path.write_text("scope,year,indicator,comparator,target,source\n" + rows, encoding="utf-8")
    return path


def test_province_row_overrides_national(tmp_path):
    table = read_targets(write_targets(tmp_path, "national,2017,completion_rate_cases,>=,73,a\n"
                                                 "Nam Định,2017,completion_rate_cases,>=,75,b\n"))
    assert targets_for(table, "36", 2017)["completion_rate_cases"].value == 75
    assert targets_for(table, "01", 2017)["completion_rate_cases"].value == 73
    assert targets_for(table, "01", 2018) == {}


@pytest.mark.parametrize("row, fragment", [
    ("national,2017,completion_rate_casse,>=,73,a\n", "did you mean completion_rate_cases"),
    ("Nam Dihn,2017,completion_rate_cases,>=,73,a\n", "Nam Định"),
    ("national,2017,completion_rate_cases,=>,73,a\n", "not one of"),
    ("national,2017,completion_rate_cases,>=,bảy mươi,a\n", "not a number"),
])
def test_bad_targets_are_errors(tmp_path, row, fragment):
    with pytest.raises(DataError, match=fragment) as info:
        read_targets(write_targets(tmp_path, row))
    assert info.value.problems[0].row == 2


def test_status_at_year_end_and_before(tmp_path, published):
    table = read_targets(write_targets(tmp_path, "national,2017,completion_rate_cases,>=,73,a\n"))
    # 9 months: 63,75%, projection from two months (7 → 9: +4,17 points a month) = 76,25%: on track.
    card = assess(indicators(published, "2017-06-30", "national"), table, "national")
    row = card.set_index("indicator").loc["completion_rate_cases"]
    assert row["status"] == "missed" and row["projection"] == pytest.approx(63.7500 + 3 * (63.7500 - 55.4086) / 2, abs=0.01)
    assert row["gap_text"] == "còn thiếu 9,25 điểm %"
    # A target above the projection puts the nation at risk.
    table = read_targets(write_targets(tmp_path, "national,2017,completion_rate_cases,>=,80,a\n"))
    card = assess(indicators(published, "2017-06-30", "national"), table, "national")
    assert card.set_index("indicator").at["completion_rate_cases", "status"] == "at_risk"
    # The same 63,75% at a year end is simply missed; 55% reached 50% is met.
    year_end = national_frame({"2017-09-30": NINE_MONTHS})
    card = assess(indicators(year_end, "2017-09-30", "national"), table, "national")
    assert card.set_index("indicator").at["completion_rate_cases", "status"] == "missed"
    table = read_targets(write_targets(tmp_path, "national,2017,completion_rate_cases,>=,50,a\n"))
    card = assess(indicators(year_end, "2017-09-30", "national"), table, "national")
    row = card.set_index("indicator").loc["completion_rate_cases"]
    assert row["status"] == "met" and round(row["attainment"], 1) == 127.5  # 63,75 / 50


def test_reduction_target_gap_is_positive_when_reduced(tmp_path):
    table = read_targets(write_targets(tmp_path, "national,2017,carry_forward_with_conditions_change_cases,<,0,a\n"))
    # 2017 year end with 140.000 with conditions carried forward against 144.857: −3,35%.
    year_end = [290_524, 500_000, 790_524, 0, 790_524, 689_415, 101_109, 549_415, 0]
    frame = national_frame({"2016-09-30": YEAR_2016, "2017-09-30": year_end})
    card = assess(indicators(frame, "2017-09-30", "national"), table, "national").set_index("indicator")
    assert round(card.at["carry_forward_with_conditions_change_cases", "actual"], 2) == -3.35
    assert card.at["carry_forward_with_conditions_change_cases", "status"] == "met"
    assert card.at["carry_forward_with_conditions_change_cases", "gap_text"] == "giảm 3,35% (chỉ tiêu: giảm)"


def test_ranks_share_ties():
    ind = pd.DataFrame({"scope": ["01", "36", "35", "79"], "indicator": "completion_rate_cases",
                        "value": pd.array([80.0, 90.0, 80.0, None], dtype="Float64")})
    table = ranks(ind, "completion_rate_cases").set_index("province_code")
    assert table.at["36", "rank_national"] == 1
    assert table.at["01", "rank_national"] == 2 and table.at["35", "rank_national"] == 2
    assert pd.isna(table.at["79", "rank_national"])
    # Region Đồng bằng sông Hồng holds 01, 35, 36: Nam Định 1st, Hà Nội and Hà Nam 2nd.
    assert table.at["35", "rank_region"] == 2 and table.at["35", "n_region"] == 3


def test_vectorised_projection_matches_the_single_scope_one():
    from thads_analysis.analysis.indicators import projected_rates

    path = pd.DataFrame({"period_end": pd.to_datetime(["2016-12-31", "2017-01-31", "2017-02-28", "2017-03-31"]),
                         "resolved": [400, 500, 530, 550], "with_conditions": [1000, 1000, 1000, 1000]})
    both = pd.concat([path.assign(scope="a"), path.iloc[:1].assign(scope="b")])
    got = projected_rates(both, "2017-03-31")
    # Last three months 50; 53; 55 at months 4, 5, 6: slope 2,5, mean 52,67 at month 5 → 52,67 + 7 × 2,5 = 70,17.
    assert got["a"] == pytest.approx(projected_rate(path, "2017-03-31")) == pytest.approx(52.6667 + 7 * 2.5, abs=1e-3)
    assert "b" not in got  # one month is not a trend


def test_required_remaining_rate_when_nothing_is_left_open():
    # Everything with conditions resolved: nothing more is needed, whatever the target (0, not a division by 0).
    assert required_remaining_rate(100, 100, 73) == 0.0
    assert required_remaining_rate(100, 100, 100) == 0.0
    # 80 of 100 resolved, target 100%: all of the 20 still open, 100%; target 73% with 50 resolved:
    # (73 − 50) / (100 − 50) = 46%.
    assert required_remaining_rate(80, 100, 100) == pytest.approx(100.0)
    assert required_remaining_rate(50, 100, 73) == pytest.approx(46.0)


def test_year_on_year_carry_over_change_across_a_29_february():
    # With conditions carried forward = with_conditions − resolved: 120 − 20 = 100 at 29/02/2016,
    # 150 − 30 = 120 at 28/02/2017, the same point of the year before: +20%.
    frame = national_frame({"2016-02-29": [100, 50, 150, 0, 150, 120, 30, 20, 0],
                            "2017-02-28": [100, 80, 180, 0, 180, 150, 30, 30, 0]})
    ind = indicators(frame, "2017-02-28", "national")
    assert value(ind, "carry_forward_with_conditions_change_yoy_cases") == pytest.approx(20.0)
    # And back from 29/02/2016 to 28/02/2015, absent here: no number, and the note names that report.
    row = indicators(frame, "2016-02-29", "national").set_index("indicator").loc[
        "carry_forward_with_conditions_change_yoy_cases"]
    assert pd.isna(row["value"]) and "28/02/2015" in row["note"]


def test_money_rate_without_the_largest_provinces():
    from thads_analysis.analysis.assess import money_rate_without_largest

    # Money with conditions (resolved): Hà Nội 1.000 (100), TP HCM 500 (250), Nam Định 100 (90).
    # All: 440 / 1.600 = 27,5%; without the two largest (Hà Nội, TP HCM): 90 / 100 = 90%.
    tot = pd.DataFrame({"scope": ["01", "79", "36"], "period_end": pd.Timestamp("2017-09-30"), "measure": "money",
                        "category": "all", "with_conditions": [1_000, 500, 100], "resolved": [100, 250, 90]})
    rows = money_rate_without_largest(tot, "2017-09-30").set_index("scope")
    assert rows.iloc[0]["rate"] == pytest.approx(27.5) and rows.iloc[0]["provinces"] == 3
    assert rows.iloc[1]["rate"] == pytest.approx(90.0) and rows.iloc[1]["provinces"] == 1
    assert rows.iloc[1]["excluded"] == "Hà Nội, Hồ Chí Minh"
