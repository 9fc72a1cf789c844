"""The province report's comparison with the previous report of the year."""

from __future__ import annotations

import pandas as pd
import pytest

from thads_analysis.analysis.pipeline import prepare, previous_period, since_previous
from thads_analysis.paths import SAMPLE_DIR
from thads_analysis.reporting.report import ProvinceReport


def raw_case_rates(period: str) -> pd.Series:
    """Case completion rate of every province at ``period``, worked out here from the sample's raw rows."""
    rows = pd.read_csv(SAMPLE_DIR / "thads_monthly_2017.csv", dtype={"province_code": str})
    rows = rows[(rows.period_end == period) & (rows.measure == "cases") & (rows.category == "all")]
    rows = rows.set_index("province_code")
    return (rows.completed + rows.terminated.fillna(0)) / rows.with_conditions * 100


def test_the_previous_report_values_statuses_and_ranks():
    analysis = prepare(period_end="2017-06-30")
    before, table = since_previous(analysis, "36")
    assert before == pd.Timestamp("2017-05-31") == previous_period(analysis)
    row = table.set_index("indicator").loc["completion_rate_cases"]
    may, june = raw_case_rates("2017-05-31"), raw_case_rates("2017-06-30")
    assert row["old"] == pytest.approx(may["36"]) and row["new"] == pytest.approx(june["36"])
    assert row["change"] == pytest.approx(june["36"] - may["36"])
    # Rank: one more than the provinces with a strictly higher rate (ties share the best rank).
    assert row["old_rank"] == 1 + int((may > may["36"]).sum()) and row["old_ranked"] == 63
    assert row["new_rank"] == 1 + int((june > june["36"]).sum())


def test_the_first_report_of_the_year_has_nothing_before_it():
    page = ProvinceReport("36", period_end="2016-10-31").changes().data
    assert "là kỳ đầu tiên của năm thống kê" in page
    before, table = since_previous(prepare(period_end="2016-10-31"), "36")
    assert before is None and table.empty


def test_the_section_writes_points_and_ranks_the_vietnamese_way():
    page = ProvinceReport("36", period_end="2017-06-30").changes().data
    may, june = raw_case_rates("2017-05-31"), raw_case_rates("2017-06-30")
    points = f"{june['36'] - may['36']:.2f}".replace(".", ",")
    assert f"+{points} điểm %" in page and "Kỳ trước (31/05/2017)" in page
    assert f">{1 + int((june > june['36']).sum())}/63<" in page
