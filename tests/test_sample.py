"""The shipped synthetic sample: identities, time consistency, and the published national figures.

The published numbers below are typed in from [KH690], [TCTHADS-7T2017], [TCTHADS-9T2017], [BPL-2017] in data/SOURCES.md, not copied from the generator.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest

from thads_analysis import sample
from thads_analysis.ingest.schema import VALUE_COLUMNS

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"
ANNUAL = SAMPLE_DIR / "thads_annual_2015.csv"
MONTHLY_2016 = SAMPLE_DIR / "thads_monthly_2016.csv"
MONTHLY = SAMPLE_DIR / "thads_monthly_2017.csv"
STANDING = SAMPLE_DIR / "thads_standing_2016_2017.csv"
OFFICES = SAMPLE_DIR / "thads_offices_2017.csv"  # its own tests: test_sample_offices.py
COLUMNS = ["province_code", "province_name", "period_end", "measure", "category", "unit", "origin", *VALUE_COLUMNS]
KEYS = ["province_code", "period_end", "measure", "category"]
CATEGORIES = ["all", "credit", "corruption", "state_budget", "criminal_civil"]
FLOWS = ["new_accepted", "total_accepted", "entrusted_out", "completed", "terminated", "reduced"]
PARTS = ["completed", "terminated", "in_progress", "postponed", "suspended", "other", "reduced"]
# [QD124-2004]: the 63 GSO codes of 2017.
CODES = ("01 02 04 06 08 10 11 12 14 15 17 19 20 22 24 25 26 27 30 31 33 34 35 36 37 38 40 42 44 45 46 48 49 51 "
         "52 54 56 58 60 62 64 66 67 68 70 72 74 75 77 79 80 82 83 84 86 87 89 91 92 93 94 95 96").split()
MONTH_ENDS = ["2016-10-31", "2016-11-30", "2016-12-31", "2017-01-31", "2017-02-28", "2017-03-31", "2017-04-30",
              "2017-05-31", "2017-06-30", "2017-07-31", "2017-08-31", "2017-09-30"]
MONTH_ENDS_2016 = ["2015-10-31", "2015-11-30", "2015-12-31", "2016-01-31", "2016-02-29", "2016-03-31", "2016-04-30",
                   "2016-05-31", "2016-06-30", "2016-07-31", "2016-08-31", "2016-09-30"]


def read(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"province_code": str})
    frame["resolved"] = frame["completed"] + frame["terminated"]
    frame["carry_forward"] = frame["to_execute"] - frame["resolved"]
    frame["carry_forward_with_conditions"] = frame["with_conditions"] - frame["resolved"]
    return frame


@pytest.fixture(scope="module")
def monthly() -> pd.DataFrame:
    return read(MONTHLY)


@pytest.fixture(scope="module")
def monthly_2016() -> pd.DataFrame:
    return read(MONTHLY_2016)


@pytest.fixture(scope="module")
def annual(monthly_2016, monthly) -> pd.DataFrame:
    """Full years 2015–2017: the annual file plus the 30/09 reports of the two monthly files."""
    return pd.concat([read(ANNUAL), monthly_2016[monthly_2016["period_end"] == "2016-09-30"],
                      monthly[monthly["period_end"] == "2017-09-30"]], ignore_index=True)


@pytest.fixture(scope="module", params=["annual", "monthly_2016", "monthly"])
def frame(request, annual, monthly_2016, monthly) -> pd.DataFrame:
    return {"annual": annual, "monthly_2016": monthly_2016, "monthly": monthly}[request.param]


@pytest.fixture(scope="module", params=["monthly_2016", "monthly"])
def months(request, monthly_2016, monthly) -> pd.DataFrame:
    """The months of one statistical year (2016 or 2017)."""
    return {"monthly_2016": monthly_2016, "monthly": monthly}[request.param]


def pct(numerator, denominator) -> Decimal:
    """A percentage rounded half up to 2 decimals, as reports print it."""
    return (Decimal(int(numerator)) * 100 / Decimal(int(denominator))).quantize(Decimal("0.01"), ROUND_HALF_UP)


def national(frame: pd.DataFrame, period_end: str, measure: str, category: str = "all") -> pd.Series:
    rows = frame[(frame["period_end"] == period_end) & (frame["measure"] == measure) & (frame["category"] == category)]
    assert len(rows) == 63
    return rows.drop(columns=["province_code", "province_name", "period_end", "measure", "category", "unit",
                              "origin"]).sum()


# --- layout -----------------------------------------------------------------------------------

def test_columns_and_labels(frame):
    assert list(frame.columns[: len(COLUMNS)]) == COLUMNS
    assert set(frame["origin"]) == {"sample"}
    assert (frame.loc[frame["measure"] == "cases", "unit"] == "việc").all()
    assert (frame.loc[frame["measure"] == "money", "unit"] == "đồng").all()
    assert frame["province_code"].str.fullmatch(r"\d\d").all()
    assert frame["period_end"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    for column in VALUE_COLUMNS:
        assert pd.api.types.is_integer_dtype(frame[column]), column


def test_leading_zero_kept_in_file():
    with open(ANNUAL, encoding="utf-8") as handle:
        handle.readline()
        assert handle.readline().startswith("01,Hà Nội,2015-09-30,cases,all,")


def test_folder_holds_exactly_the_five_files():
    assert sorted(p.name for p in SAMPLE_DIR.iterdir()) == sorted(
        p.name for p in (ANNUAL, MONTHLY_2016, MONTHLY, STANDING, OFFICES))


@pytest.mark.parametrize("path, periods", [(ANNUAL, ["2015-09-30"]), (MONTHLY_2016, MONTH_ENDS_2016),
                                           (MONTHLY, MONTH_ENDS)])
def test_complete_grid_without_duplicates(path, periods):
    frame = read(path)
    assert not frame.duplicated(KEYS).any()
    assert len(frame) == 63 * len(periods) * 2 * 5
    assert sorted(frame["province_code"].unique()) == CODES
    assert sorted(frame["period_end"].unique()) == periods
    assert set(frame["measure"]) == {"cases", "money"}
    assert set(frame["category"]) == set(CATEGORIES)
    assert frame.groupby("province_code")["province_name"].nunique().eq(1).all()


def test_each_report_in_exactly_one_file():
    """Reading the whole folder sees every report once: no period in two files."""
    periods = [set(read(path)["period_end"]) for path in (ANNUAL, MONTHLY_2016, MONTHLY)]
    assert sum(len(p) for p in periods) == len(set().union(*periods)) == 1 + 12 + 12
    both = pd.concat([read(path) for path in (ANNUAL, MONTHLY_2016, MONTHLY)], ignore_index=True)
    assert not both.duplicated(KEYS).any()
    standing = pd.read_csv(STANDING, dtype={"province_code": str})
    assert not standing.duplicated(["province_code", "period_end"]).any()


# --- identities on every row ------------------------------------------------------------------

def test_identities_every_row(frame):
    assert (frame["total_accepted"] == frame["carried_over"] + frame["new_accepted"]).all()
    assert (frame["to_execute"] == frame["total_accepted"] - frame["entrusted_out"]).all()
    assert (frame["to_execute"] == frame["with_conditions"] + frame["without_conditions"]).all()
    assert (frame["with_conditions"] == frame[PARTS].sum(axis=1)).all()
    assert (frame[VALUE_COLUMNS] >= 0).all().all()
    assert (frame.loc[frame["measure"] == "cases", "reduced"] == 0).all()


def test_money_in_whole_thousands(frame):
    money = frame[frame["measure"] == "money"]
    assert (money[VALUE_COLUMNS] % 1000 == 0).all().all()


def test_categories_are_subsets_of_all(frame):
    merged = frame[frame["category"] != "all"].merge(
        frame[frame["category"] == "all"], on=["province_code", "period_end", "measure"], suffixes=("", "_all"))
    assert len(merged) == 4 * len(frame) // 5
    for column in VALUE_COLUMNS:
        assert (merged[column] <= merged[f"{column}_all"]).all(), column


# --- across time ------------------------------------------------------------------------------

def test_monthly_flows_never_fall_and_carried_over_constant(months):
    for _, group in months.sort_values("period_end").groupby(["province_code", "measure", "category"]):
        assert group["carried_over"].nunique() == 1
        for column in FLOWS:
            assert group[column].is_monotonic_increasing, column


def test_months_of_2016_carry_over_the_2015_carry_forward(annual, monthly_2016):
    before = annual[annual["period_end"] == "2015-09-30"].set_index(["province_code", "measure", "category"])
    for _, month in monthly_2016.groupby("period_end"):
        after = month.set_index(["province_code", "measure", "category"])["carried_over"]
        pd.testing.assert_series_equal(before["carry_forward"].sort_index(), after.sort_index(), check_names=False)


@pytest.fixture(scope="module")
def generated() -> dict:
    return sample.generate()


@pytest.mark.parametrize("key, year_end", [("monthly", "2017-09-30"), ("monthly_2016", "2016-09-30")])
def test_last_month_is_the_full_year(generated, key, year_end):
    annual = generated["annual"]
    year = annual[annual["period_end"] == year_end].sort_values(KEYS).reset_index(drop=True)
    monthly = generated[key]
    last = monthly[monthly["period_end"] == year_end].sort_values(KEYS).reset_index(drop=True)
    pd.testing.assert_frame_equal(year, last)


def test_generate_matches_the_shipped_files(generated, annual, monthly_2016):
    """The frames of ``generate`` are what the files hold (2015 and 2016 full years included)."""
    def as_files(frame):
        return frame.assign(period_end=frame["period_end"].dt.strftime("%Y-%m-%d")).sort_values(KEYS)

    gen_annual = as_files(generated["annual"]).reset_index(drop=True)
    shipped = annual[COLUMNS].sort_values(KEYS).reset_index(drop=True)
    pd.testing.assert_frame_equal(gen_annual, shipped, check_dtype=False)
    gen_2016 = as_files(generated["monthly_2016"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(gen_2016, monthly_2016[COLUMNS].sort_values(KEYS).reset_index(drop=True),
                                  check_dtype=False)


def test_carried_over_is_last_years_carry_forward(annual):
    ends = annual.set_index(["province_code", "measure", "category", "period_end"])
    for previous, year in (("2015-09-30", "2016-09-30"), ("2016-09-30", "2017-09-30")):
        before = ends.xs(previous, level="period_end")["carry_forward"]
        after = ends.xs(year, level="period_end")["carried_over"]
        pd.testing.assert_series_equal(before, after, check_names=False)


# --- the published national figures ([KH690], [BPL-2017]) ------------------------------------------

def test_2017_full_year(annual):
    cases = national(annual, "2017-09-30", "cases")
    assert cases["carried_over"] == 290_524
    assert cases["resolved"] == 549_415
    assert pct(cases["resolved"], cases["with_conditions"]) == Decimal("79.25")
    money = national(annual, "2017-09-30", "money")
    assert money["carried_over"] == 104_473_399_784_000
    assert money["resolved"] == 35_242_612_983_000
    assert pct(money["resolved"], money["with_conditions"]) == Decimal("38.31")


def test_7_months(monthly):
    cases = national(monthly, "2017-04-30", "cases")
    assert cases["total_accepted"] == 631_587
    assert cases["carried_over"] == 290_524
    assert cases["new_accepted"] == 341_063
    assert cases["to_execute"] == 625_425
    assert cases["with_conditions"] == 482_175
    assert cases["without_conditions"] == 143_250
    assert cases["resolved"] == 267_165
    assert cases["carry_forward"] == 358_260
    assert cases["carry_forward_with_conditions"] == 215_010
    assert pct(cases["resolved"], cases["with_conditions"]) == Decimal("55.41")
    assert pct(cases["carry_forward_with_conditions"] - 144_857, 144_857) == Decimal("48.43")
    money = national(monthly, "2017-04-30", "money")
    assert money["total_accepted"] == 144_833_439_017_000
    assert money["carried_over"] == 104_473_399_784_000


def test_8_months_share_with_conditions(monthly):
    cases = national(monthly, "2017-05-31", "cases")
    money = national(monthly, "2017-05-31", "money")
    assert pct(cases["with_conditions"], cases["to_execute"]) == Decimal("78.52")
    assert pct(money["with_conditions"], money["to_execute"]) == Decimal("68.90")


def test_9_months(monthly):
    cases = national(monthly, "2017-06-30", "cases")
    assert cases["total_accepted"] == 736_747
    assert cases["carried_over"] == 290_524
    assert cases["new_accepted"] == 446_223
    assert cases["to_execute"] == 728_227
    assert cases["with_conditions"] == 579_413
    assert cases["without_conditions"] == 148_814
    assert cases["resolved"] == 369_372
    assert cases["carry_forward"] == 358_855
    assert cases["carry_forward_with_conditions"] == 210_041
    assert pct(cases["resolved"], cases["with_conditions"]) == Decimal("63.75")
    assert pct(cases["carry_forward_with_conditions"] - 144_857, 144_857) == Decimal("45.00")


def test_2016_full_year(annual):
    cases = national(annual, "2016-09-30", "cases")
    assert cases["resolved"] == 530_428
    assert cases["carry_forward_with_conditions"] == 144_857
    assert cases["with_conditions"] == 675_285
    assert cases["carry_forward"] == 290_524
    # The counts give 78,55 %; the published 78,53 % disagrees with them (data/README.md).
    assert pct(cases["resolved"], cases["with_conditions"]) == Decimal("78.55")
    money = national(annual, "2016-09-30", "money")
    assert money["carry_forward"] == 104_473_399_784_000
    tỷ = (Decimal(int(money["resolved"])) / 10**9).quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert tỷ == Decimal("29097.9")


def test_year_on_year_changes(annual):
    for measure, new_change, carry_change in (("cases", "5.57", "-14.66"), ("money", "19.67", "-19.05")):
        y15, y16, y17 = (national(annual, f"{y}-09-30", measure) for y in (2015, 2016, 2017))
        assert pct(y17["new_accepted"] - y16["new_accepted"], y16["new_accepted"]) == Decimal(new_change)
        assert pct(y16["carry_forward"] - y15["carry_forward"], y15["carry_forward"]) == Decimal(carry_change)


def test_credit_resolved_2017(annual):
    assert national(annual, "2017-09-30", "cases", "credit")["resolved"] == 4_440
    assert national(annual, "2017-09-30", "money", "credit")["resolved"] == 27_701_223_513_000


# --- provinces ----------------------------------------------------------------------------------

def test_nam_dinh_example(annual):
    row = annual[(annual["province_code"] == "36") & (annual["period_end"] == "2017-09-30")
                 & (annual["measure"] == "cases") & (annual["category"] == "all")].iloc[0]
    assert row["province_name"] == "Nam Định"
    assert row["resolved"] == 4_918
    assert pct(row["resolved"], row["with_conditions"]) == Decimal("90.70")


def test_big_cities_carry_most_of_the_money(annual):
    for year in (2015, 2016, 2017):
        money = annual[(annual["period_end"] == f"{year}-09-30") & (annual["measure"] == "money")
                       & (annual["category"] == "all")].set_index("province_code")
        for column in ("total_accepted", "to_execute", "resolved"):
            assert money.loc[["79", "01"], column].sum() > 0.5 * money[column].sum(), (year, column)


def test_province_sizes_and_rates_are_plausible(annual):
    year = annual[(annual["period_end"] == "2017-09-30") & (annual["category"] == "all")]
    cases = year[year["measure"] == "cases"].set_index("province_code")
    largest = cases["to_execute"].nlargest(2).index
    assert set(largest) == {"79", "01"}
    assert {"06", "12"} <= set(cases["to_execute"].nsmallest(6).index)  # Bắc Kạn, Lai Châu
    rate = cases["resolved"] / cases["with_conditions"]
    assert rate.between(0.55, 0.97).all() and rate.std() > 0.04
    money = year[year["measure"] == "money"].set_index("province_code")
    rate = money["resolved"] / money["with_conditions"]
    assert rate.between(0.10, 0.80).all() and rate.std() > 0.05


@pytest.mark.parametrize("which, ends", [("monthly_2016", MONTH_ENDS_2016), ("monthly", MONTH_ENDS)])
def test_resolved_accelerates_towards_september(request, which, ends):
    frame = request.getfixturevalue(which)
    for measure in ("cases", "money"):
        path = [national(frame, end, measure)["resolved"] for end in ends]
        steps = [b - a for a, b in zip([0, *path], path)]
        assert steps[-1] == max(steps)
        assert sum(steps[9:]) / 3 > sum(steps[:7]) / 7
        assert steps[4] < min(steps[3], steps[5])  # the Tết dip in February


def test_campaign_window_compares_with_the_previous_year(monthly_2016, monthly):
    """01/03–30/09 of each year: the 30/09 report minus the 28(29)/02 report, every province."""
    for frame, start, end in ((monthly_2016, "2016-02-29", "2016-09-30"), (monthly, "2017-02-28", "2017-09-30")):
        rows = frame[frame["category"] == "all"].set_index(["province_code", "measure", "period_end"])
        window = rows.xs(end, level="period_end")["resolved"] - rows.xs(start, level="period_end")["resolved"]
        assert (window > 0).all()


# --- generator ----------------------------------------------------------------------------------

def test_default_seed_reproduces_shipped_files(tmp_path):
    written = sample.write_sample(tmp_path)
    assert [p.name for p in written] == [ANNUAL.name, MONTHLY_2016.name, MONTHLY.name, STANDING.name, OFFICES.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written)
    for path in written:
        assert path.read_bytes() == (SAMPLE_DIR / path.name).read_bytes(), path.name


def test_generate_is_deterministic_and_other_seeds_still_match_the_totals(generated):
    first, again, other = generated, sample.generate(), sample.generate(seed=7)
    pd.testing.assert_frame_equal(first["monthly"], again["monthly"])
    pd.testing.assert_frame_equal(first["monthly_2016"], again["monthly_2016"])
    assert not first["annual"].equals(other["annual"])
    assert not first["monthly_2016"].equals(other["monthly_2016"])
    for frames in (first, other):
        monthly = frames["monthly"].assign(period_end=frames["monthly"]["period_end"].dt.strftime("%Y-%m-%d"))
        cases = national(monthly, "2017-04-30", "cases")
        assert cases["with_conditions"] == 482_175
        assert cases["completed"] + cases["terminated"] == 267_165
        annual = frames["annual"].assign(period_end=frames["annual"]["period_end"].dt.strftime("%Y-%m-%d"))
        assert national(annual, "2017-09-30", "money")["carried_over"] == 104_473_399_784_000
        assert national(annual, "2016-09-30", "cases")["with_conditions"] == 675_285
        monthly_2016 = frames["monthly_2016"].assign(
            period_end=frames["monthly_2016"]["period_end"].dt.strftime("%Y-%m-%d"))
        last = national(monthly_2016, "2016-09-30", "cases")
        assert last["completed"] + last["terminated"] == 530_428 and last["carried_over"] == 340_431


def test_apportion_is_exact_and_respects_bounds():
    shares = sample.apportion(10, [1, 1, 1])
    assert shares.sum() == 10 and sorted(shares) == [3, 3, 4]
    shares = sample.apportion(100, [5, 1, 1], caps=[50, 100, 100])
    assert shares.tolist() == [50, 25, 25]
    shares = sample.apportion(7, [0, 1], floors=[3, 0])
    assert shares.tolist() == [3, 4]
    with pytest.raises(ValueError):
        sample.apportion(10, [1, 1], caps=[4, 5])
