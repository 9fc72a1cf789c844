"""Tests of the province reference (thads_analysis/provinces.py, data/provinces_2017.csv).

Expected values are written by hand from [QD124-2004], not computed from the module under test.
"""

import math
import unicodedata

import numpy as np
import pandas as pd
import pytest

from thads_analysis.provinces import (
    COLUMNS,
    REGIONS,
    Province,
    UnknownProvinceError,
    build_reference,
    code_of,
    lookup,
    provinces,
    region_codes,
)

# [QD124-2004], copied by hand.
CODES_2017 = (
    "01 02 04 06 08 10 11 12 14 15 17 19 20 22 24 25 26 27 30 31 33 34 35 36 37 38 40 42 44 45 46 48 49 "
    "51 52 54 56 58 60 62 64 66 67 68 70 72 74 75 77 79 80 82 83 84 86 87 89 91 92 93 94 95 96"
).split()
REGIONS_2017 = {
    "Trung du và miền núi phía Bắc": "02 04 06 08 10 11 12 14 15 17 19 20 24 25",
    "Đồng bằng sông Hồng": "01 22 26 27 30 31 33 34 35 36 37",
    "Bắc Trung Bộ và Duyên hải miền Trung": "38 40 42 44 45 46 48 49 51 52 54 56 58 60",
    "Tây Nguyên": "62 64 66 67 68",
    "Đông Nam Bộ": "70 72 74 75 77 79",
    "Đồng bằng sông Cửu Long": "80 82 83 84 86 87 89 91 92 93 94 95 96",
}
CITIES = {"01", "31", "48", "79", "92"}


@pytest.fixture(scope="module")
def table():
    return provinces()


# ----- the table -------------------------------------------------------------------------------------


def test_exactly_63_provinces_with_domain_codes_in_order(table):
    assert len(table) == 63
    assert list(table["code"]) == CODES_2017
    assert list(table.columns) == COLUMNS


def test_codes_are_two_digit_text(table):
    assert all(isinstance(code, str) and len(code) == 2 for code in table["code"])
    assert all(isinstance(code, str) and len(code) == 2 for code in table["successor_code_2025"])


def test_regions_in_domain_order():
    assert REGIONS == list(REGIONS_2017)


@pytest.mark.parametrize("region, codes", REGIONS_2017.items())
def test_region_codes_match_domain(region, codes):
    assert region_codes(region) == codes.split()


def test_region_codes_ignores_case_and_diacritics():
    assert region_codes("tay nguyen") == ["62", "64", "66", "67", "68"]
    with pytest.raises(ValueError, match="Tây Nguyên"):
        region_codes("Nam Bộ")


def test_every_province_in_exactly_one_domain_region(table):
    assert set(table["region"]) == set(REGIONS_2017)
    for row in table.itertuples():
        assert row.code in REGIONS_2017[row.region].split()


@pytest.mark.parametrize(
    "code, name, short_name, slug",
    [
        ("01", "Thành phố Hà Nội", "Hà Nội", "ha-noi"),
        ("17", "Tỉnh Hòa Bình", "Hòa Bình", "hoa-binh"),
        ("36", "Tỉnh Nam Định", "Nam Định", "nam-dinh"),
        ("38", "Tỉnh Thanh Hóa", "Thanh Hóa", "thanh-hoa"),
        ("46", "Tỉnh Thừa Thiên Huế", "Thừa Thiên Huế", "thua-thien-hue"),
        ("66", "Tỉnh Đắk Lắk", "Đắk Lắk", "dak-lak"),
        ("77", "Tỉnh Bà Rịa - Vũng Tàu", "Bà Rịa - Vũng Tàu", "ba-ria-vung-tau"),
        ("79", "Thành phố Hồ Chí Minh", "Hồ Chí Minh", "ho-chi-minh"),
        ("92", "Thành phố Cần Thơ", "Cần Thơ", "can-tho"),
    ],
)
def test_names_are_the_2017_ones(code, name, short_name, slug):
    province = lookup(code)
    assert (province.name, province.short_name, province.slug) == (name, short_name, slug)


def test_five_cities_the_rest_provinces(table):
    for row in table.itertuples():
        prefix = "Thành phố " if row.code in CITIES else "Tỉnh "
        assert row.name == prefix + row.short_name


def test_text_is_nfc_and_uses_new_tone_marks(table):
    for column in ["name", "short_name", "region", "successor_name_2025"]:
        assert all(unicodedata.is_normalized("NFC", text) for text in table[column])
    assert not table["short_name"].str.contains("oà|oá|oả|uỷ").any()


def test_slugs_ascii_lowercase_unique(table):
    assert table["slug"].is_unique
    assert table["slug"].str.fullmatch(r"[a-z]+(-[a-z]+)*").all()


def test_coordinates_inside_vietnam(table):
    assert table["latitude"].between(8, 24).all()
    assert table["longitude"].between(102, 110).all()
    # Spot checks: the far north, the far south, and north of south.
    assert lookup("02").latitude > lookup("01").latitude > lookup("79").latitude > lookup("96").latitude


def test_provinces_returns_a_copy():
    first = provinces()
    first.loc[0, "name"] = "changed"
    assert provinces().loc[0, "name"] == "Thành phố Hà Nội"


def test_province_is_frozen():
    with pytest.raises(AttributeError):
        lookup("01").code = "02"


def test_csv_reproducible_from_build_reference(table):
    rebuilt = build_reference(path=None)
    pd.testing.assert_frame_equal(rebuilt, table, check_dtype=False)


# ----- successors in 2025 (vietnamadminunits' converter; checked by hand against its converter_2025.json)


@pytest.mark.parametrize(
    "code, successor_code, successor_name",
    [
        ("36", "37", "Tỉnh Ninh Bình"),  # vietnamadminunits (2025 units): Nam Định + Hà Nam → Ninh Bình 37
        ("35", "37", "Tỉnh Ninh Bình"),
        ("37", "37", "Tỉnh Ninh Bình"),
        ("79", "79", "Thành phố Hồ Chí Minh"),
        ("74", "79", "Thành phố Hồ Chí Minh"),
        ("77", "79", "Thành phố Hồ Chí Minh"),
        ("01", "01", "Thành phố Hà Nội"),  # not merged
        ("46", "46", "Thành phố Huế"),  # not merged; renamed
        ("10", "15", "Tỉnh Lào Cai"),  # keeps its name but takes Yên Bái's code
        ("15", "15", "Tỉnh Lào Cai"),
    ],
)
def test_successor_2025(code, successor_code, successor_name):
    province = lookup(code)
    assert (province.successor_code_2025, province.successor_name_2025) == (successor_code, successor_name)


def test_successors_form_34_provinces_each_keeping_an_old_code(table):
    successors = table.groupby("successor_code_2025")["code"].apply(list)
    assert len(successors) == 34
    # vietnamadminunits (2025 units): each new province keeps the code of one old one, which then maps to itself.
    for successor_code, members in successors.items():
        assert successor_code in members
    assert table.groupby("successor_code_2025")["successor_name_2025"].nunique().eq(1).all()


# ----- lookup ----------------------------------------------------------------------------------------

SPELLINGS = [
    ("36", "36"),
    (36, "36"),
    ("01", "01"),
    (1, "01"),
    (" 1 ", "01"),
    ("36.0", "36"),
    (36.0, "36"),
    (np.int64(79), "79"),
    ("Hà Nội", "01"),
    ("Ha Noi", "01"),
    ("HA NOI", "01"),
    ("hà nội", "01"),
    ("Thành phố Hà Nội", "01"),
    ("TP. Hà Nội", "01"),
    ("HN", "01"),
    ("TP. Hồ Chí Minh", "79"),
    ("TP Hồ Chí Minh", "79"),
    ("Thành phố Hồ Chí Minh", "79"),
    ("Ho Chi Minh", "79"),
    ("TP HCM", "79"),
    ("TP.HCM", "79"),
    ("TPHCM", "79"),
    ("HCM", "79"),
    ("Sài Gòn", "79"),
    ("Cục THADS tỉnh Nam Định", "36"),
    ("Cục Thi hành án dân sự TP. Hồ Chí Minh", "79"),
    ("Sai Gon", "79"),
    ("ho-chi-minh", "79"),
    ("Tỉnh Nam Định", "36"),
    ("tinh nam dinh", "36"),
    ("Nam Dinh", "36"),
    ("nam-dinh", "36"),
    ("Hà Nam", "35"),
    ("Hoà Bình", "17"),
    ("Hòa Bình", "17"),
    ("Tỉnh Hoà Bình", "17"),
    ("Thanh Hoá", "38"),
    ("Thanh Hóa", "38"),
    ("Khánh Hoà", "56"),
    ("Thừa Thiên Huế", "46"),
    ("Thừa Thiên - Huế", "46"),
    ("Tỉnh Thừa Thiên Huế", "46"),
    ("Huế", "46"),
    ("Thành phố Huế", "46"),
    ("thua-thien-hue", "46"),
    ("Bà Rịa - Vũng Tàu", "77"),
    ("Bà Rịa Vũng Tàu", "77"),
    ("Tỉnh Bà Rịa - Vũng Tàu", "77"),
    ("BR-VT", "77"),
    ("brvt", "77"),
    ("ba-ria-vung-tau", "77"),
    ("Đắk Lắk", "66"),
    ("Đắc Lắc", "66"),
    ("Dak Lak", "66"),
    ("Đăk Lăk", "66"),
    ("Ðắk Lắk", "66"),  # U+00D0 (eth) for Đ, as in some old files
    ("Đắk Nông", "67"),
    ("Đắc Nông", "67"),
    ("Dak Nong", "67"),
    ("Kon Tum", "62"),
    ("Kontum", "62"),
    ("Đà Nẵng", "48"),
    ("TP. Đà Nẵng", "48"),
    ("Cần Thơ", "92"),
    ("Cà Mau", "96"),
    ("Bắc Kạn", "06"),
]


@pytest.mark.parametrize("value, code", SPELLINGS)
def test_lookup_spellings(value, code):
    assert code_of(value) == code
    assert lookup(value).code == code


@pytest.mark.parametrize("value, code", [(v, c) for v, c in SPELLINGS if isinstance(v, str)])
def test_lookup_nfd_input(value, code):
    decomposed = unicodedata.normalize("NFD", value)
    assert code_of(decomposed) == code


def test_lookup_returns_province_and_accepts_one():
    province = lookup("Nam Định")
    assert isinstance(province, Province)
    assert province.name == "Tỉnh Nam Định"
    assert lookup(province) is province


def test_repeated_lookup_same_object():
    assert lookup("Nam Định") is lookup("nam dinh") is lookup(36)


@pytest.mark.parametrize(
    "value, intended",
    [
        ("Nam Dihn", "36"),
        ("Ha Noii", "01"),
        ("Kien Giag", "91"),
        ("Thua Thien", "46"),
        ("Dak Lac", "66"),
        ("Nam", "36"),
        ("Hà", "01"),
    ],
)
def test_unknown_name_suggests_intended(value, intended):
    with pytest.raises(UnknownProvinceError) as caught:
        lookup(value)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.value == value
    assert 0 < len(error.suggestions) <= 5
    assert intended in [p.code for p in error.suggestions]
    assert repr(value) in str(error)
    assert f"({intended})" in str(error)


def test_unknown_message_format():
    expected = r"^Unknown province 'Nam Dihn'\. Closest: Nam Định \(36\), "
    with pytest.raises(UnknownProvinceError, match=expected):
        lookup("Nam Dihn")


@pytest.mark.parametrize(
    "value", ["xyz", "Nam", "Hà", "Hà Tây", "Phú Quốc", "Quận 1", "Thạch Hà", "Nam Dihn"]
)
def test_no_false_positives(value):
    # vietnamadminunits alone reads "Nam Dihn" as Hà Nội, "Phú Quốc" as Kiên Giang, "Quận 1" as HCM.
    with pytest.raises(UnknownProvinceError):
        lookup(value)


@pytest.mark.parametrize(
    "value, near",
    [("03", {"02", "04"}), (99, {"96"}), ("97", {"96"}), (0, {"01"}), ("100", {"96"}), (3, {"02", "04"})],
)
def test_bad_codes_are_unknown_with_close_codes(value, near):
    with pytest.raises(UnknownProvinceError) as caught:
        lookup(value)
    assert caught.value.value == value
    assert near <= {p.code for p in caught.value.suggestions}
    assert "code" in str(caught.value)


@pytest.mark.parametrize(
    "value", [None, float("nan"), np.nan, pd.NA, True, False, np.bool_(True), "", "   ", 1.5, [1]]
)
def test_bad_types_raise_clear_error(value):
    with pytest.raises(UnknownProvinceError) as caught:
        lookup(value)
    assert caught.value.suggestions == []
    message = str(caught.value)
    assert "province" in message.lower()
    assert not (isinstance(value, float) and math.isnan(value)) or "Missing" in message
