"""What each report section hands its chart, worked out here from the sample's raw rows.

nbval compares charts only as "<Figure size …>", so the numbers a chart draws are tested at the
seam: the chart functions are replaced by recorders, the report sections are called as the
notebooks call them, and the data handed over is compared with sums of the bundled CSV rows
(resolved = completed + terminated; rates pooled over the provinces of a scope), computed here
with plain pandas and never by the package.
"""

from __future__ import annotations

import pandas as pd
import pytest

from thads_analysis.paths import DEFAULT_TARGETS, SAMPLE_DIR
from thads_analysis.reporting import report


def raw() -> pd.DataFrame:
    """The sample's monthly rows of 2016 and 2017, as the files hold them, with resolved added."""
    frame = pd.concat([pd.read_csv(SAMPLE_DIR / f"thads_monthly_{y}.csv", dtype={"province_code": str})
                       for y in (2016, 2017)], ignore_index=True)
    return frame.assign(resolved=frame["completed"] + frame["terminated"])


RAW = raw()


def rate(rows: pd.DataFrame) -> float:
    """Pooled completion rate of ``rows``: Σ resolved / Σ with conditions × 100."""
    return rows["resolved"].sum() / rows["with_conditions"].sum() * 100


def rows_of(codes, period: str, measure: str = "cases", category: str = "all") -> pd.DataFrame:
    return RAW[RAW["province_code"].isin(codes) & (RAW["period_end"] == period) & (RAW["measure"] == measure)
               & (RAW["category"] == category)]


def target(indicator: str) -> float:
    targets = pd.read_csv(DEFAULT_TARGETS, dtype=str)
    return float(targets[(targets["scope"] == "national") & (targets["indicator"] == indicator)
                         & (targets["year"] == "2017")]["target"].iloc[0])


@pytest.fixture
def handed(monkeypatch):
    """Chart function name → (args, kwargs) of its last call by a report section."""
    calls = {}
    for name in ["rates_vs_target", "monthly_path", "carry_over_years", "key_categories", "region_bars",
                 "ranked_bars"]:
        monkeypatch.setattr(report.charts, name, lambda *a, _name=name, **k: calls.__setitem__(_name, (a, k)))
    return calls


def test_the_rates_chart_gets_the_province_region_and_nation_pooled(handed):
    from thads_analysis.provinces import provinces

    region = provinces().set_index("code")
    delta = region.index[region["region"] == region.at["36", "region"]].tolist()
    report.ProvinceReport("36").rates_chart()
    rates, targets = handed["rates_vs_target"][0]
    got = rates.set_index(["scope_label", "measure"])["rate"]
    assert len(got) == 6
    for measure in ("cases", "money"):
        expected = [rate(rows_of(["36"], "2017-09-30", measure)), rate(rows_of(delta, "2017-09-30", measure)),
                    rate(rows_of(region.index, "2017-09-30", measure))]
        assert got.xs(measure, level="measure").tolist() == pytest.approx(expected, abs=1e-9)
    # Nam Định's published-style figure, worked by hand: 4.918 resolved of 5.422 with conditions.
    assert got.xs("cases", level="measure").iloc[0] == pytest.approx(4918 / 5422 * 100)
    assert targets == {"cases": target("completion_rate_cases"), "money": target("completion_rate_money")}


def test_the_monthly_chart_gets_every_month_of_the_province_and_the_nation(handed):
    report.ProvinceReport("36").monthly_chart()
    (path,), options = handed["monthly_path"]
    months = [d.date().isoformat() for d in pd.date_range("2016-10-31", "2017-09-30", freq="ME")]
    assert [d.date().isoformat() for d in path["period_end"]] == months
    assert path["rate"].tolist() == pytest.approx([rate(rows_of(["36"], m)) for m in months])
    national = options["national"]
    assert national["rate"].tolist() == pytest.approx([rate(rows_of(RAW["province_code"].unique(), m))
                                                       for m in months])
    assert options["target"] == target("completion_rate_cases") and options["projection"] is None


def test_the_carry_over_chart_gets_the_year_end_carry_over_with_conditions(handed):
    report.ProvinceReport("36").carry_over_chart()
    values = handed["carry_over_years"][0][0].set_index(["year", "measure"])["value"]
    for year in (2016, 2017):
        row = rows_of(["36"], f"{year}-09-30")
        assert values[(year, "cases")] == (row["with_conditions"] - row["resolved"]).sum()
    assert values[(2017, "cases")] == 5422 - 4918  # worked by hand


def test_the_key_categories_chart_gets_each_category_rate(handed):
    report.ProvinceReport("36").key_categories_chart()
    rates = handed["key_categories"][0][0]
    labels = {"credit": "Tín dụng - ngân hàng", "corruption": "Tham nhũng - kinh tế",
              "state_budget": "Thu cho ngân sách nhà nước", "criminal_civil": "Dân sự trong bản án hình sự"}
    got = rates.set_index(["category_label", "measure"])["rate"]
    for category, label in labels.items():
        for measure in ("cases", "money"):
            assert got[(label, measure)] == pytest.approx(rate(rows_of(["36"], "2017-09-30", measure, category)))


def test_the_national_charts_get_pooled_regions_and_every_province(handed):
    from thads_analysis.provinces import provinces

    reference = provinces().set_index("code")
    overview = report.NationalReport()
    overview.regions_chart()
    table = handed["region_bars"][0][0].set_index(["region", "measure"])["rate"]
    assert len(table) == 12
    for region in reference["region"].unique():
        codes = reference.index[reference["region"] == region]
        for measure in ("cases", "money"):
            assert table[(region, measure)] == pytest.approx(rate(rows_of(codes, "2017-09-30", measure)))
    overview.ranked_chart()
    ranked = handed["ranked_bars"][0][0]
    assert len(ranked) == 63
    by_name = ranked.set_index("name")["rate"]
    for code in ("01", "36", "79"):
        assert by_name[reference.at[code, "short_name"]] == pytest.approx(rate(rows_of([code], "2017-09-30")))
