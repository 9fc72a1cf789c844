"""The bundled sample read by the package: national indicators equal the published figures."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thads_analysis.analysis.assess import completion_funnel, emulation_table
from thads_analysis.analysis.pipeline import prepare, scorecard
from thads_analysis.ingest.io import load, read_data
from thads_analysis.paths import SAMPLE_DIR


@pytest.fixture(scope="module")
def analysis():
    return prepare()


def national(analysis, period, indicator):
    from thads_analysis.analysis.indicators import indicators

    ind = indicators(analysis.frame, period, "national", analysis.totals["national"])
    return float(ind.loc[ind["indicator"] == indicator, "value"].iloc[0])


@pytest.mark.parametrize("period, indicator, published", [
    ("2017-09-30", "completion_rate_cases", 79.25),   # 549.415 resolved
    ("2017-09-30", "completion_rate_money", 38.31),   # 35.242.612.983.000 đồng resolved
    ("2017-04-30", "completion_rate_cases", 55.41),
    ("2017-06-30", "completion_rate_cases", 63.75),
    ("2017-04-30", "carry_forward_with_conditions_change_cases", 48.43),
    ("2017-06-30", "carry_forward_with_conditions_change_cases", 45.00),
    ("2017-05-31", "share_with_conditions_cases", 78.52),
    ("2017-05-31", "share_with_conditions_money", 68.90),
])
def test_national_rates_of_the_sample_round_to_the_published_rates(analysis, period, indicator, published):
    assert round(national(analysis, period, indicator), 2) == published


def test_national_counts_of_the_sample_equal_the_published_counts(analysis):
    nat = analysis.totals["national"].set_index(["period_end", "measure", "category"])
    year = nat.loc[(pd.Timestamp("2017-09-30"), "cases", "all")]
    assert (year["carried_over"], year["resolved"]) == (290_524, 549_415)
    money = nat.loc[(pd.Timestamp("2017-09-30"), "money", "all")]
    assert (money["carried_over"], money["resolved"]) == (104_473_399_784_000, 35_242_612_983_000)
    seven = nat.loc[(pd.Timestamp("2017-04-30"), "cases", "all")]
    assert (seven["carry_forward"], seven["carry_forward_with_conditions"]) == (358_260, 215_010)
    assert nat.loc[(pd.Timestamp("2016-09-30"), "cases", "all"), "resolved"] == 530_428


def test_default_period_is_the_latest_of_2017(analysis):
    assert analysis.period_end == pd.Timestamp("2017-09-30") and analysis.is_sample


def test_nam_dinh_scorecard(analysis):
    card = scorecard(analysis, "Nam Định").set_index("indicator")
    # Synthetic example of the report texts: 4.918 of 5.422 with conditions = 90,70%, target 73%.
    assert card.at["completion_rate_cases", "numerator"] == 4_918
    assert round(card.at["completion_rate_cases", "actual"], 2) == 90.70
    assert card.at["completion_rate_cases", "gap_text"] == "vượt 17,70 điểm %"
    assert card.at["completion_rate_cases", "status"] == "met"


def test_emulation_table_ranks_every_province_once(analysis):
    table = emulation_table(analysis.indicators["province"], analysis.targets)
    assert len(table) == 63 and table["province_code"].is_unique
    assert table["rank_national"].min() == 1
    # Better on the first key never ranks lower.
    ordered = table.sort_values("rank_national")
    assert ordered["targets_met"].is_monotonic_decreasing


def test_funnel_flags_and_sums(analysis):
    table = completion_funnel(analysis.totals["province"], analysis.period_end, 0.7925).table
    assert len(table) == 63
    assert table["resolved"].sum() == 549_415
    assert set(table["flag"]) <= {"above", "within", "below"}


# ---------------------------------------------------------------- random corruptions

SAMPLE_ROWS = pd.read_csv(SAMPLE_DIR / "thads_annual_2015.csv", dtype=str, keep_default_na=False)
VALUE_COLUMNS = list(SAMPLE_ROWS.columns[7:])


@st.composite
def corruption(draw):
    kind = draw(st.sampled_from(["number", "text", "blank", "negative", "province", "period", "drop_column",
                                 "swap_measure", "unchanged_format"]))
    row = draw(st.integers(0, 125))
    column = draw(st.sampled_from(VALUE_COLUMNS))
    delta = draw(st.integers(-1000, 1000).filter(lambda d: d != 0))
    return kind, row, column, delta


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(corruption())
def test_random_corruptions_are_named_never_a_traceback(tmp_path_factory, change):
    kind, row, column, delta = change
    frame = SAMPLE_ROWS.iloc[:126].copy()  # the first provinces of 2015: cases and money, every category
    if kind == "number":
        frame.loc[row, column] = str(int(frame.loc[row, column]) + delta)
    elif kind == "text":
        frame.loc[row, column] = "không rõ"
    elif kind == "blank":
        frame.loc[row, column] = ""
    elif kind == "negative":
        frame.loc[row, column] = "-1"
    elif kind == "province":
        frame.loc[row, "province_code"] = "03"
    elif kind == "period":
        frame.loc[row, "period_end"] = "2015-09-29"
    elif kind == "drop_column":
        frame = frame.drop(columns=[column])
    elif kind == "swap_measure":
        frame.loc[row, "measure"] = "tiền mặt"
    elif kind == "unchanged_format":
        # Same meaning written the Vietnamese way: 1.234.567 instead of 1234567.
        frame.loc[row, column] = f"{int(frame.loc[row, column]):,}".replace(",", ".")
    path = tmp_path_factory.mktemp("c") / "corrupt.csv"
    frame.to_csv(path, index=False)
    result = load(path)
    if kind == "unchanged_format":
        assert result.errors == []
        original = tmp_path_factory.mktemp("o") / "original.csv"
        SAMPLE_ROWS.iloc[:126].to_csv(original, index=False)
        pd.testing.assert_frame_equal(read_data(path).drop(columns="source_file"),
                                      read_data(original).drop(columns="source_file"))
        return
    if not result.errors:
        # Only changes that keep every rule may pass: an optional part of with_conditions
        # (in_progress …) blanked or dropped, or a part lowered (the parts may sum to less than
        # with_conditions, and this one year has no next year to chain to).
        optional = {"in_progress", "postponed", "suspended", "other", "reduced", "terminated"}
        assert (kind in {"blank", "drop_column"} and column in optional) or (
            kind == "number" and delta < 0 and column in optional | {"completed"})
        return
    for problem in result.errors:
        assert problem.rule and problem.message and problem.file.endswith("corrupt.csv")
