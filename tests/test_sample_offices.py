"""The shipped office sample: every 2017 office of every province, summing exactly to the province rows.

The invariants are those of the reports themselves (identities, cumulative flows, the 01/10 stock), checked
against the province file and the office reference, never against numbers copied from the generator.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import small_sample

from thads_analysis.ingest.io import load
from thads_analysis.ingest.schema import IDENTITIES, VALUE_COLUMNS
from thads_analysis.offices import offices as reference
from thads_analysis.sample import generate, generate_offices
from thads_analysis.sample.offices import CAPITALS

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "sample"
OFFICES = SAMPLE_DIR / "thads_offices_2017.csv"
MONTHLY = SAMPLE_DIR / "thads_monthly_2017.csv"
PROVINCE_COLUMNS = ["province_code", "province_name", "period_end", "measure", "category", "unit", "origin",
                    *VALUE_COLUMNS]
REPORT = ["province_code", "period_end", "measure"]
OFFICE = ["province_code", "office_code", "measure"]
FLOWS = ["new_accepted", "total_accepted", "entrusted_out", "completed", "terminated", "reduced"]
PARTS = ["completed", "terminated", "in_progress", "postponed", "suspended", "other", "reduced"]
MONTH_ENDS = ["2016-10-31", "2016-11-30", "2016-12-31", "2017-01-31", "2017-02-28", "2017-03-31", "2017-04-30",
              "2017-05-31", "2017-06-30", "2017-07-31", "2017-08-31", "2017-09-30"]
CITIES = {"01", "31", "48", "79", "92"}  # centrally-run: no provincial capital


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"province_code": str, "office_code": str}, keep_default_na=False)


@pytest.fixture(scope="module")
def office_rows() -> pd.DataFrame:
    frame = read(OFFICES)
    return frame.assign(resolved=frame["completed"] + frame["terminated"])


@pytest.fixture(scope="module")
def province_rows() -> pd.DataFrame:
    frame = read(MONTHLY)
    return frame[frame["category"] == "all"]


@pytest.fixture(scope="module")
def year_end(office_rows) -> pd.DataFrame:
    return office_rows[office_rows["period_end"] == "2017-09-30"]


# --- layout -----------------------------------------------------------------------------------

def test_columns_are_the_province_columns_plus_the_office(office_rows):
    assert list(office_rows.columns[:-1]) == [*PROVINCE_COLUMNS[:2], "office_code", "office_name",
                                              *PROVINCE_COLUMNS[2:]]
    assert set(office_rows["origin"]) == {"sample"}
    assert set(office_rows["category"]) == {"all"}
    assert (office_rows.loc[office_rows["measure"] == "cases", "unit"] == "việc").all()
    assert (office_rows.loc[office_rows["measure"] == "money", "unit"] == "đồng").all()
    for column in VALUE_COLUMNS:
        assert pd.api.types.is_integer_dtype(office_rows[column]), column


def test_every_office_of_the_reference_every_month_both_measures(office_rows):
    table = reference()
    assert len(table) == 774
    assert len(office_rows) == 774 * 12 * 2
    assert not office_rows.duplicated(["province_code", "office_code", "period_end", "measure"]).any()
    expected = {(row.province_code, row.code, row.name) for row in table.itertuples()}
    for (period, measure), group in office_rows.groupby(["period_end", "measure"]):
        found = set(zip(group["province_code"], group["office_code"], group["office_name"]))
        assert found == expected, (period, measure)
    assert sorted(office_rows["period_end"].unique()) == MONTH_ENDS


def test_province_names_are_those_of_the_province_file(office_rows, province_rows):
    names = province_rows.drop_duplicates("province_code").set_index("province_code")["province_name"]
    assert (office_rows["province_name"] == office_rows["province_code"].map(names)).all()


# --- sums ---------------------------------------------------------------------------------------

def test_offices_sum_exactly_to_the_province_rows(office_rows, province_rows):
    sums = office_rows.groupby(REPORT)[VALUE_COLUMNS].sum().sort_index()
    provinces = province_rows.set_index(REPORT)[VALUE_COLUMNS].sort_index()
    assert len(provinces) == 63 * 12 * 2
    pd.testing.assert_frame_equal(sums, provinces, check_dtype=False)


# --- every row ----------------------------------------------------------------------------------

def test_identities_every_row(office_rows):
    for name, (left, plus, minus) in IDENTITIES.items():
        right = sum(office_rows[c] for c in plus) - sum((office_rows[c] for c in minus), 0)
        assert (office_rows[left] == right).all(), name
    assert (office_rows["with_conditions"] == office_rows[PARTS].sum(axis=1)).all()
    assert (office_rows[VALUE_COLUMNS] >= 0).all().all()
    assert (office_rows.loc[office_rows["measure"] == "cases", "reduced"] == 0).all()


def test_money_in_whole_thousands(office_rows):
    money = office_rows[office_rows["measure"] == "money"]
    assert (money[VALUE_COLUMNS] % 1000 == 0).all().all()


def test_flows_never_fall_and_carried_over_constant(office_rows):
    ordered = office_rows.sort_values("period_end")
    groups = ordered.groupby(OFFICE)
    assert groups.ngroups == 774 * 2
    assert (groups["carried_over"].nunique() == 1).all()
    for column in FLOWS:
        assert (groups[column].diff().fillna(0) >= 0).all(), column


# --- plausibility -------------------------------------------------------------------------------

def test_the_cuc_holds_fewer_cases_but_more_money_per_case(year_end):
    cases = year_end[year_end["measure"] == "cases"].set_index(["province_code", "office_code"])["to_execute"]
    money = year_end[year_end["measure"] == "money"].set_index(["province_code", "office_code"])["to_execute"]
    for code, own in cases.groupby(level="province_code"):
        cuc, chi = own.xs("cuc", level="office_code").iloc[0], own.drop("cuc", level="office_code")
        assert 0.03 < cuc / own.sum() < 0.25, code
        per_case = money.loc[code] / own.droplevel("province_code")
        assert per_case["cuc"] > 2 * money.loc[code].drop("cuc").sum() / chi.sum(), code
        assert money.loc[(code, "cuc")] > money.loc[code].drop("cuc").median(), code


@pytest.mark.parametrize("province, capital", [
    ("36", "Chi cục THADS thành phố Nam Định"), ("38", "Chi cục THADS thành phố Thanh Hóa"),
    ("40", "Chi cục THADS thành phố Vinh"), ("66", "Chi cục THADS thành phố Buôn Ma Thuột"),
    ("46", "Chi cục THADS thành phố Huế"), ("22", "Chi cục THADS thành phố Hạ Long"),
    ("87", "Chi cục THADS thành phố Cao Lãnh"), ("77", "Chi cục THADS thành phố Bà Rịa"),
])
def test_the_capital_is_the_largest_chi_cuc(year_end, province, capital):
    for measure in ("cases", "money"):
        rows = year_end[(year_end["province_code"] == province) & (year_end["measure"] == measure)
                        & (year_end["office_code"] != "cuc")]
        assert rows.loc[rows["to_execute"].idxmax(), "office_name"] == capital, measure


def test_every_provincial_capital_is_a_city_of_its_province_and_the_largest_chi_cuc(year_end):
    table = reference().set_index(["province_code", "code"])
    assert set(CAPITALS) == set(table.index.get_level_values(0)) - CITIES
    for province, code in CAPITALS.items():
        assert table.loc[(province, code), "district_type"] in ("Thành phố", "Thị xã"), province
        for measure in ("cases", "money"):
            rows = year_end[(year_end["province_code"] == province) & (year_end["measure"] == measure)
                            & (year_end["office_code"] != "cuc")]
            assert rows.loc[rows["to_execute"].idxmax(), "office_code"] == code, (province, measure)


def test_office_rates_vary_around_the_province_rate(year_end, province_rows):
    provinces = province_rows[province_rows["period_end"] == "2017-09-30"].set_index(["province_code", "measure"])
    province_rate = (provinces["completed"] + provinces["terminated"]) / provinces["with_conditions"]
    for (code, measure), own in year_end.groupby(["province_code", "measure"]):
        rate = own["resolved"] / own["with_conditions"]
        assert rate.min() < province_rate[(code, measure)] < rate.max(), (code, measure)
        assert rate.nunique() > len(own) // 2, (code, measure)  # a ranking, not a tie
    rate = year_end["resolved"] / year_end["with_conditions"]
    assert (rate < 1).mean() > 0.95  # completing every case with conditions is the exception


# --- reading and generating ----------------------------------------------------------------------

def test_the_folder_reads_with_every_office_total_checked():
    result = load(SAMPLE_DIR)
    assert not [p for p in result.problems if p.severity == "error"]
    assert result.offices is not None and len(result.offices) == 774 * 12 * 2
    assert result.offices[["province_code", "office_code"]].drop_duplicates().shape[0] == 774
    assert not [p for p in result.problems if p.rule in ("offices absent", "total ≠ sum of offices")]


@pytest.fixture(scope="module")
def monthly_frame() -> pd.DataFrame:
    return generate()["monthly"]


def test_same_seed_same_frame_and_it_is_the_shipped_file(monthly_frame, office_rows):
    first, again = generate_offices(monthly_frame, 2017), generate_offices(monthly_frame, 2017)
    pd.testing.assert_frame_equal(first, again)
    shipped = office_rows.drop(columns="resolved")
    pd.testing.assert_frame_equal(first.assign(period_end=first["period_end"].dt.strftime("%Y-%m-%d")), shipped,
                                  check_dtype=False)


def test_another_seed_moves_the_offices_but_not_their_sums(monthly_frame):
    first, other = generate_offices(monthly_frame, 2017), generate_offices(monthly_frame, 7)
    assert not first[VALUE_COLUMNS].equals(other[VALUE_COLUMNS])
    pd.testing.assert_frame_equal(first.groupby(REPORT)[VALUE_COLUMNS].sum(),
                                  other.groupby(REPORT)[VALUE_COLUMNS].sum())


def test_a_small_sample_with_its_offices_reads_and_offices_sum_to_it(tmp_path):
    folder = small_sample(tmp_path / "small", ["36", "48"], offices=True)
    result = load(folder)
    assert not [p for p in result.problems if p.severity == "error"]
    assert sorted(result.offices["province_code"].unique()) == ["36", "48"]
    assert len(result.offices) == (11 + 8) * 12 * 2  # Nam Định: Cục + 10 Chi cục; Đà Nẵng: Cục + 7
    without = small_sample(tmp_path / "plain", ["36"])
    assert not (without / "thads_offices_2017.csv").exists() and load(without).offices is None
