"""Tests of the 2017 office reference (thads_analysis/offices.py, data/offices_2017.csv).

Expected values are worked out by hand from vietnamadminunits 1.0.4's admin_units_legacy table
(districts and codes listed with sqlite3) and the merges named in the module docstring, not computed
from the module under test.
"""

import unicodedata

import pandas as pd
import pytest

from thads_analysis.offices import (
    COLUMNS,
    CUC,
    AmbiguousOfficeError,
    Office,
    UnknownOfficeError,
    build_reference,
    lookup_office,
    office,
    offices,
)


@pytest.fixture(scope="module")
def table():
    return offices()


def test_csv_reproducible_from_build_reference(table):
    rebuilt = build_reference(path=None)
    pd.testing.assert_frame_equal(rebuilt, table, check_dtype=False)


def test_total_count(table):
    # admin_units_legacy has 696 districts. Minus Hoàng Sa and Trường Sa (no Chi cục): 694.
    # Minus 6 units that were no 2017 unit under their name (Quảng Hòa 049, Hoa Lư 374, Thuận Hóa 474,
    # Phú Xuân 475, Long Đất 753, Thủ Đức 769): 688.
    # Plus 23 restored 2017 units: Thông Nông, Trà Lĩnh, Phục Hòa, Quảng Uyên, Kỳ Sơn, Hoành Bồ, Yên Dũng,
    # Mỹ Lộc, TP Ninh Bình, H. Hoa Lư, Đông Sơn, Cửa Lò, TP Huế, Nam Đông, Nông Sơn, Tây Trà, Cát Tiên,
    # Đạ Tẻh, Đất Đỏ, Long Điền, Quận 2, Quận 9, Quận Thủ Đức: 688 + 23 = 711 Chi cục.
    # Plus one Cục per province: 711 + 63 = 774.
    assert len(table) == 774
    assert (table["code"] == CUC).sum() == 63
    assert table["province_code"].nunique() == 63
    assert list(table.columns) == COLUMNS
    assert not table.duplicated(["province_code", "code"]).any()


def test_every_reference_name_reads_back_to_its_office(table):
    # The package writes a few type words capitalised ("Thành Phố Bắc Kạn", "Thị Xã Buôn Hồ"); the
    # reference writes them as the type is ("thành phố Bắc Kạn"), so that a report name reads back.
    assert table.loc[(table["province_code"] == "06") & (table["code"] == "058"), "name"].item() == (
        "Chi cục THADS thành phố Bắc Kạn")
    unread = [(row.name, row.code) for row in table.itertuples()
              if lookup_office(row.name, row.province_code).code != row.code]
    assert unread == []


def test_nam_dinh_2017(table):
    # admin_units_legacy, provinceCode 36: 356 TP Nam Định (alias huyenmyloc), 359..366; Mỹ Lộc restored.
    rows = offices("36")
    assert list(rows["code"]) == ["cuc", "356", "356-my-loc", "359", "360", "361", "362", "363", "364", "365", "366"]
    assert list(rows["short_name"]) == [
        "Cục THADS", "Nam Định", "Mỹ Lộc", "Vụ Bản", "Ý Yên", "Nghĩa Hưng", "Nam Trực", "Trực Ninh",
        "Xuân Trường", "Giao Thủy", "Hải Hậu",
    ]
    assert rows.loc[0, "name"] == "Cục THADS tỉnh Nam Định"
    assert office("36", "366") == Office("36", "366", "Chi cục THADS huyện Hải Hậu", "Hải Hậu", "Huyện")
    my_loc = rows.set_index("code").loc["356-my-loc"]
    assert (my_loc["name"], my_loc["district_type"], my_loc["successor_code_2025"]) == (
        "Chi cục THADS huyện Mỹ Lộc", "Huyện", "356")
    assert office("36", "cuc").district_type == ""


def test_thu_duc_three_offices():
    rows = offices("79")
    merged = rows[rows["successor_code_2025"] == "769"]
    assert sorted(merged["name"]) == ["Chi cục THADS quận 2", "Chi cục THADS quận 9", "Chi cục THADS quận Thủ Đức"]
    assert "Thành phố Thủ Đức" not in " ".join(rows["name"])


def test_type_change_keeps_code_with_2017_type():
    # alias "thixaphucyen" of 244 Thành phố Phúc Yên: a thị xã in 2017.
    assert office("26", "244") == Office("26", "244", "Chi cục THADS thị xã Phúc Yên", "Phúc Yên", "Thị xã")
    # alias "huyentinhgia" of 407 Thị xã Nghi Sơn: the 2017 name.
    assert office("38", "407").name == "Chi cục THADS huyện Tĩnh Gia"


def test_islands_excluded(table):
    assert not table["name"].str.contains("Hoàng Sa|Trường Sa").any()
    assert len(offices("48")) == 1 + 7  # Đà Nẵng: 8 legacy districts minus Hoàng Sa


# ----- lookup ----------------------------------------------------------------------------------------

SPELLINGS = [
    ("Chi cục THADS huyện Hải Hậu", "36", "366"),
    ("Chi cục Thi hành án dân sự huyện Hải Hậu", "36", "366"),
    ("CC THADS H. Hải Hậu", "36", "366"),
    ("Hải Hậu", "36", "366"),
    ("H. Hải Hậu", "36", "366"),
    ("huyện Hải Hậu", "36", "366"),
    ("Hai Hau", "36", "366"),
    ("366", "36", "366"),
    (366, "36", "366"),
    ("Giao Thuỷ", "36", "365"),  # old tone mark
    ("Giao Thủy", "36", "365"),
    ("TP Nam Định", "36", "356"),
    ("Thành phố Nam Định", "36", "356"),
    ("TP. Nam Định", "36", "356"),
    ("Chi cục THADS thành phố Nam Định", "36", "356"),
    ("Mỹ Lộc", "36", "356-my-loc"),
    ("Huyện Mỹ Lộc", "36", "356-my-loc"),
    ("356-my-loc", "36", "356-my-loc"),
    ("Q. 1", "79", "760"),
    ("Quận 1", "79", "760"),
    ("Q1", "79", "760"),
    ("Quận 2", "79", "769-quan-2"),
    ("Quận 9", "79", "769-quan-9"),
    ("Thủ Đức", "79", "769-thu-duc"),
    ("Quận Thủ Đức", "79", "769-thu-duc"),
    ("TX Phúc Yên", "26", "244"),
    ("Thị xã Phúc Yên", "26", "244"),
    ("TP Phúc Yên", "26", "244"),
    ("TX Kỳ Anh", "42", "449"),
    ("H. Kỳ Anh", "42", "447"),
    ("Huyện Tĩnh Gia", "38", "407"),
    ("Cục THADS tỉnh Nam Định", "36", "cuc"),
    ("Cục Thi hành án dân sự tỉnh Nam Định", "36", "cuc"),
    ("Cục THADS", "36", "cuc"),
    ("Cục", "36", "cuc"),
    ("Văn phòng Cục", "36", "cuc"),
    ("cuc", "36", "cuc"),
    ("Cục THADS TP. Hồ Chí Minh", "79", "cuc"),
]


@pytest.mark.parametrize("text, province, code", SPELLINGS)
def test_spellings(text, province, code):
    assert lookup_office(text, province).code == code


@pytest.mark.parametrize("text, province, code", [s for s in SPELLINGS if isinstance(s[0], str)])
def test_nfd_input(text, province, code):
    assert lookup_office(unicodedata.normalize("NFD", text), province).code == code


def test_province_given_by_name_or_int():
    assert lookup_office("Hải Hậu", "Nam Định") is lookup_office("Hải Hậu", 36)


def test_office_of_another_province():
    with pytest.raises(UnknownOfficeError) as caught:
        lookup_office("Chi cục THADS huyện Hải Hậu", "48")
    assert str(caught.value) == "'Chi cục THADS huyện Hải Hậu' is an office of Nam Định (36), not of Đà Nẵng (48)."
    assert caught.value.other_province.code == "36"
    assert caught.value.province_code == "48"
    with pytest.raises(UnknownOfficeError) as caught:
        lookup_office("Cục THADS tỉnh Nam Định", "48")
    assert caught.value.other_province.code == "36"
    with pytest.raises(UnknownOfficeError) as caught:
        lookup_office("366", "48")
    assert caught.value.other_province.code == "36"


def test_typo_gives_close_matches():
    with pytest.raises(UnknownOfficeError) as caught:
        lookup_office("Hai Hua", "36")
    assert caught.value.value == "Hai Hua"
    assert "366" in [o.code for o in caught.value.suggestions]
    assert "Closest: Chi cục THADS huyện Hải Hậu (366)" in str(caught.value)


def test_plain_province_name_is_ambiguous():
    with pytest.raises(AmbiguousOfficeError) as caught:
        lookup_office("Nam Định", "36")
    message = str(caught.value)
    assert "province Nam Định (36)" in message
    assert "'TP Nam Định'" in message and "'Cục THADS'" in message
    assert [o.code for o in caught.value.suggestions] == ["356"]


def test_short_name_repeated_across_types_is_ambiguous():
    # districtShortKeyDuplicated: 447 Huyện Kỳ Anh and 449 Thị xã Kỳ Anh.
    with pytest.raises(AmbiguousOfficeError) as caught:
        lookup_office("Kỳ Anh", "42")
    assert {o.code for o in caught.value.suggestions} == {"447", "449"}
    assert "'H. Kỳ Anh'" in str(caught.value) and "'TX Kỳ Anh'" in str(caught.value)


def test_whole_province_is_not_an_office():
    with pytest.raises(UnknownOfficeError, match="as a whole"):
        lookup_office("Tỉnh Nam Định", "36")


def test_hoang_sa_is_not_an_office():
    with pytest.raises(UnknownOfficeError, match="has no Chi cục THADS"):
        lookup_office("Hoàng Sa", "48")


def test_thanh_pho_thu_duc_refused_for_2017():
    with pytest.raises(UnknownOfficeError) as caught:
        lookup_office("Thành phố Thủ Đức", "79")
    assert {o.code for o in caught.value.suggestions} == {"769-quan-2", "769-quan-9", "769-thu-duc"}
    for name in ("Chi cục THADS quận 2", "Chi cục THADS quận 9", "Chi cục THADS quận Thủ Đức"):
        assert name in str(caught.value)


def test_later_names_refused():
    with pytest.raises(UnknownOfficeError, match="Chi cục THADS huyện Tĩnh Gia"):
        lookup_office("Thị xã Nghi Sơn", "38")
    with pytest.raises(UnknownOfficeError, match="Chi cục THADS huyện Phục Hòa"):
        lookup_office("Huyện Quảng Hòa", "04")


@pytest.mark.parametrize("value", [None, True, 1.5, "", "   "])
def test_bad_values(value):
    with pytest.raises(UnknownOfficeError):
        lookup_office(value, "36")
