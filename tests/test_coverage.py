"""Partial coverage: a file of a few provinces is named for what it is, never "Toàn quốc"."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import small_sample
from IPython.display import HTML
from matplotlib.figure import Figure

from thads_analysis.analysis.coverage import MIN_FUNNEL_UNITS, Coverage
from thads_analysis.analysis.pipeline import prepare
from thads_analysis.ingest import schema
from thads_analysis.provinces import region_codes
from thads_analysis.reporting.report import NationalReport, ProvinceReport, check_rows

RED_RIVER = "Đồng bằng sông Hồng"  # 11 provinces in the GSO yearbook's regions (data/SOURCES.md)


def test_labels_say_what_the_sum_covers():
    two = Coverage(frozenset({"36", "48"}))
    assert two.label() == "Tổng 2 tỉnh có số liệu"
    assert two.label(RED_RIVER) == "Đồng bằng sông Hồng (1/11 tỉnh có số liệu)"
    assert two.among() == "trong 2 tỉnh có số liệu"
    assert two.partial() == "Tổng 2 tỉnh có số liệu"
    red_river = Coverage(frozenset(region_codes(RED_RIVER)))
    assert red_river.label(RED_RIVER) == RED_RIVER and red_river.label() == "Tổng 11 tỉnh có số liệu"
    whole = Coverage(frozenset(f"{c}" for c in prepare().coverage.codes))
    assert whole.count == 63 and whole.label() == "Toàn quốc" and whole.among() == "toàn quốc"
    assert whole.partial() is None


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    return str(small_sample(tmp_path_factory.mktemp("two"), ["36", "48"]))


def texts_of(shown) -> str:
    """Every text a section shows: the HTML, or a figure's titles, labels, ticks, legends and notes."""
    if isinstance(shown, HTML):
        return shown.data
    assert isinstance(shown, Figure)
    found = [t.get_text() for t in shown.findobj(lambda a: hasattr(a, "get_text"))]
    return " ".join(found).replace("\n", " ")


def sections(report) -> dict[str, str]:
    names = [n for n in dir(report) if not n.startswith("_") and callable(getattr(report, n))
             and n not in ("origin", "milestones")]
    return {n: texts_of(getattr(report, n)()) for n in names}


def test_a_two_province_file_has_no_national_figure(two):
    pages = {**{f"province.{k}": v for k, v in sections(ProvinceReport("36", data_path=two)).items()},
             **{f"national.{k}": v for k, v in sections(NationalReport(data_path=two)).items()}}
    for name, text in pages.items():
        assert "Toàn quốc" not in text and "/63" not in text, name
        assert "tổng toàn quốc khớp" not in text, name
    assert "Tổng 2 tỉnh có số liệu" in pages["province.rates_chart"]
    assert "Đồng bằng sông Hồng (1/11 tỉnh có số liệu)" in pages["province.rates_chart"]
    assert "Tổng 2 tỉnh có số liệu" in pages["province.monthly_chart"]
    assert "Phạm vi số liệu:</b> Tổng 2 tỉnh có số liệu" in pages["province.header"]
    # Ranks are out of the two: Nam Định's case rate 4.918 / 5.422 = 90,70% (data/README.md) against
    # Đà Nẵng's, worked out here from the raw rows of the sample file.
    rows = pd.read_csv(f"{two}/thads_monthly_2017.csv", dtype=str)
    end = rows[(rows.province_code == "48") & (rows.period_end == "2017-09-30") & (rows.measure == "cases")
               & (rows.category == "all")].iloc[0]
    da_nang = (int(end.completed) + int(end.terminated)) / int(end.with_conditions) * 100
    assert "Xếp hạng trong 2 tỉnh có số liệu" in pages["province.position"]
    assert (">1/2<" if 90.70 > da_nang else ">2/2<") in pages["province.position"]
    why = f"chỉ 2 tỉnh có tỷ lệ thi hành xong về việc, cần ít nhất {MIN_FUNNEL_UNITS} tỉnh"
    assert why in pages["province.funnel_chart"] and why in pages["national.funnel_chart"]
    assert "Trên biểu đồ phễu" not in pages["province.position"]
    assert "bỏ 2 tỉnh thì không còn tỉnh nào" in pages["national.funnel_notes"]
    assert "tổng 2 tỉnh có số liệu" in pages["national.header"]


def test_the_funnel_needs_enough_provinces(tmp_path):
    nine = prepare(small_sample(tmp_path / "nine", ["01", "02", "04", "06", "08", "10", "11", "12", "14"]))
    funnel, why = nine.funnel()
    assert funnel is None and why.startswith("chỉ 9 tỉnh")
    funnel, why = prepare().funnel()
    assert funnel is not None and why == "" and funnel.n_units == 63


def test_skipped_checks_are_named(two):
    sample = prepare()
    gaps = schema.unchecked(sample.frame, "36")
    # The sample starts with the annual report of 2015 (data/README.md): no 30/09/2014 before it,
    # and one report in that year; 2016 and 2017 are monthly.
    assert gaps == {"chain": [2015], "cumulative": [2015], "unit": []}
    small = prepare(two)
    gaps = schema.unchecked(small.frame, "36")
    assert len(gaps["unit"]) == small.frame["period_end"].nunique() == 25  # 1 annual + 24 monthly periods
    rows = {r["rule"]: r["skipped"] for r in check_rows(small.frame, "36", [])}
    assert "dưới 5 tỉnh" in rows["Tiền không lệch đơn vị (1.000 lần) so với các tỉnh khác cùng kỳ"]
    assert "năm 2015" in rows["Số cũ chuyển sang = Số chuyển kỳ sau của năm trước; không đổi trong năm"]
    assert rows["Thi hành xong + Đình chỉ ≤ Số có điều kiện thi hành"] == ""


def test_a_chart_without_data_is_a_sentence(tmp_path):
    folder = small_sample(tmp_path / "all_only", ["36", "48"])
    for path in folder.glob("thads_*20*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "category" in frame:
            frame[frame["category"] == "all"].to_csv(path, index=False)
    shown = ProvinceReport("36", data_path=str(folder)).key_categories_chart()
    assert isinstance(shown, HTML) and "Không vẽ biểu đồ: không có số liệu theo nhóm án trọng điểm" in shown.data
