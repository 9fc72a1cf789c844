"""The 63 provinces of 2017 ([QD124-2004]) and lookup of a province from any usual spelling.

The reference table is ``thads_analysis/data/provinces_2017.csv``. Where every column comes from:

- ``code``: GSO code (Quyết định 124/2004/QĐ-TTg) as 2-digit text, copied by hand from [QD124-2004]
  into ``_PROVINCES_2017`` below.
- ``short_name``: the name in [QD124-2004] (new tone-mark placement: "Hòa Bình", "Thanh Hóa").
- ``name``: "Thành phố " + short_name for the five cities marked (TP) in [QD124-2004], "Tỉnh " + short_name
  for the rest. Not taken from vietnamadminunits, whose legacy data already carries today's name for
  some units (code 46 is "Thành phố Huế" there; in 2017 it was "Tỉnh Thừa Thiên Huế").
- ``slug``: short_name without diacritics, đ → d, lower case, runs of other characters → "-".
- ``region``: the GSO yearbook region listing the code in [NGTK] (``_REGIONS_2017``).
- ``latitude``, ``longitude``: vietnamadminunits' legacy data, ``parse_address(name, mode="LEGACY",
  level=1)`` (a representative point of the province, not a centroid).
- ``successor_code_2025``, ``successor_name_2025``: vietnamadminunits' converter,
  ``convert_address(name)`` (data/converter_2025.json): the 2025 province that absorbed it, with its
  2025 code and official 2025 name. The new province keeps the code of *one* of the old ones, not
  always the one whose name it keeps (Lào Cai 10 + Yên Bái 15 → Tỉnh Lào Cai, code 15).

Regenerate the CSV with ``python -m thads_analysis.provinces`` (calls ``build_reference``). At run time
nothing touches the network; vietnamadminunits is imported only when building the table or when a
spelling is not in our own index.
"""

from __future__ import annotations

import functools
import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .i18n import _
from .paths import PACKAGE_DATA
from .vocabulary import NATIONAL

REFERENCE_CSV = PACKAGE_DATA / "provinces_2017.csv"
COLUMNS = [
    "code",
    "name",
    "short_name",
    "slug",
    "region",
    "latitude",
    "longitude",
    "successor_code_2025",
    "successor_name_2025",
]

# [QD124-2004], in code order: (code, short name, is a centrally-run city).
_PROVINCES_2017 = [
    ("01", "Hà Nội", True), ("02", "Hà Giang", False), ("04", "Cao Bằng", False),
    ("06", "Bắc Kạn", False), ("08", "Tuyên Quang", False), ("10", "Lào Cai", False),
    ("11", "Điện Biên", False), ("12", "Lai Châu", False), ("14", "Sơn La", False),
    ("15", "Yên Bái", False), ("17", "Hòa Bình", False), ("19", "Thái Nguyên", False),
    ("20", "Lạng Sơn", False), ("22", "Quảng Ninh", False), ("24", "Bắc Giang", False),
    ("25", "Phú Thọ", False), ("26", "Vĩnh Phúc", False), ("27", "Bắc Ninh", False),
    ("30", "Hải Dương", False), ("31", "Hải Phòng", True), ("33", "Hưng Yên", False),
    ("34", "Thái Bình", False), ("35", "Hà Nam", False), ("36", "Nam Định", False),
    ("37", "Ninh Bình", False), ("38", "Thanh Hóa", False), ("40", "Nghệ An", False),
    ("42", "Hà Tĩnh", False), ("44", "Quảng Bình", False), ("45", "Quảng Trị", False),
    ("46", "Thừa Thiên Huế", False), ("48", "Đà Nẵng", True), ("49", "Quảng Nam", False),
    ("51", "Quảng Ngãi", False), ("52", "Bình Định", False), ("54", "Phú Yên", False),
    ("56", "Khánh Hòa", False), ("58", "Ninh Thuận", False), ("60", "Bình Thuận", False),
    ("62", "Kon Tum", False), ("64", "Gia Lai", False), ("66", "Đắk Lắk", False),
    ("67", "Đắk Nông", False), ("68", "Lâm Đồng", False), ("70", "Bình Phước", False),
    ("72", "Tây Ninh", False), ("74", "Bình Dương", False), ("75", "Đồng Nai", False),
    ("77", "Bà Rịa - Vũng Tàu", False), ("79", "Hồ Chí Minh", True), ("80", "Long An", False),
    ("82", "Tiền Giang", False), ("83", "Bến Tre", False), ("84", "Trà Vinh", False),
    ("86", "Vĩnh Long", False), ("87", "Đồng Tháp", False), ("89", "An Giang", False),
    ("91", "Kiên Giang", False), ("92", "Cần Thơ", True), ("93", "Hậu Giang", False),
    ("94", "Sóc Trăng", False), ("95", "Bạc Liêu", False), ("96", "Cà Mau", False),
]

# [NGTK]: the six socio-economic regions of the GSO statistical yearbook, in the yearbook order.
_REGIONS_2017 = {
    "Trung du và miền núi phía Bắc": "02 04 06 08 10 11 12 14 15 17 19 20 24 25",
    "Đồng bằng sông Hồng": "01 22 26 27 30 31 33 34 35 36 37",
    "Bắc Trung Bộ và Duyên hải miền Trung": "38 40 42 44 45 46 48 49 51 52 54 56 58 60",
    "Tây Nguyên": "62 64 66 67 68",
    "Đông Nam Bộ": "70 72 74 75 77 79",
    "Đồng bằng sông Cửu Long": "80 82 83 84 86 87 89 91 92 93 94 95 96",
}
REGIONS = list(_REGIONS_2017)

# Spellings found in real files that neither our names nor vietnamadminunits' keywords cover
# (checked against vietnamadminunits 1.0.4); compared after normalisation, like every other spelling.
_ALIASES = {
    "Sài Gòn": "79",  # the city's former name, still common in text
    "BR-VT": "77",  # the usual abbreviation of Bà Rịa - Vũng Tàu
    "Đắc Lắc": "66",  # older spelling with c for k
    "Đắc Nông": "67",  # same older spelling
}

# "Thành phố", "TP", "Tỉnh" written before the name; checked longest first.
_PREFIXES = ("thanhpho", "tinh", "tp")
# Report headers name the office, not the province: "Cục THADS tỉnh Nam Định".
_OFFICE_PREFIXES = ("cucthihanhandansu", "cucthads")
_MAX_SUGGESTIONS = 5
_MIN_SUGGESTION_SCORE = 50  # rapidfuzz WRatio; below it a "closest" name is noise ("xyz" → "Yên Bái")


@dataclass(frozen=True)
class Province:
    """One province of 2017: a row of provinces_2017.csv."""

    code: str
    name: str
    short_name: str
    slug: str
    region: str
    latitude: float
    longitude: float
    successor_code_2025: str
    successor_name_2025: str


def office_name(province: "Province", full: bool = False) -> str:
    """The provincial department as reports name it: "Cục THADS tỉnh Nam Định", "Cục THADS thành phố Hà Nội";
    ``full``: as a document's heading writes it, "Cục Thi hành án dân sự tỉnh Nam Định"."""
    return ("Cục Thi hành án dân sự " if full else "Cục THADS ") + province.name[0].lower() + province.name[1:]


class UnknownProvinceError(ValueError):
    """A value that names none of the 63 provinces of 2017.

    ``value`` is the value as given; ``suggestions`` the closest provinces (list of Province, best first).
    """

    def __init__(self, value, suggestions=(), reason: str | None = None):
        self.value = value
        self.suggestions = list(suggestions)
        message = reason or _("Unknown province {value!r}.").format(value=value)
        if self.suggestions:
            closest = ", ".join(f"{p.short_name} ({p.code})" for p in self.suggestions)
            message += _(" Closest: {closest}.").format(closest=closest)
        super().__init__(message)


# ---------------------------------------------------------------------------------------------------
# Normalisation


def strip_diacritics(text: str) -> str:
    """Vietnamese text → ASCII letters: diacritics dropped, đ/Đ → d/D. Works on NFC and NFD input."""
    decomposed = unicodedata.normalize("NFD", text)
    # đ has no decomposition; Ð (U+00D0, Icelandic eth) is a frequent stand-in for Đ in old files.
    decomposed = decomposed.replace("đ", "d").replace("Đ", "D").replace("Ð", "D")
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def normalize_name(text: str) -> str:
    """Text → lower-case ASCII words separated by single spaces ("TP. Hồ Chí Minh" → "tp ho chi minh")."""
    ascii_text = strip_diacritics(text).lower()
    return " ".join(re.findall(r"[a-z0-9]+", ascii_text))


def slugify(text: str) -> str:
    """Name → ASCII slug ("Bà Rịa - Vũng Tàu" → "ba-ria-vung-tau")."""
    return normalize_name(text).replace(" ", "-")


def _strip_prefix_words(words: str) -> str:
    """Normalised words without a leading "thanh pho" / "tp" / "tinh" ("tinh nam dinh" → "nam dinh")."""
    return re.sub(r"^(thanh pho|tp|tinh) (?=\S)", "", words)


def _compact_key(text: str) -> str:
    """Text → normalised words glued together, so "Kon Tum" and "Kontum" meet ("kontum")."""
    return normalize_name(text).replace(" ", "")


def _without_prefix(key: str) -> str:
    """Compact key with one leading "thanhpho" / "tinh" / "tp" removed (no province name starts so)."""
    for prefix in _OFFICE_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix):]
            break
    for prefix in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix):]
    return key


# ---------------------------------------------------------------------------------------------------
# Reference table


@functools.cache
def _table() -> pd.DataFrame:
    """The CSV, read once: code and successor code as text, rows in code order."""
    frame = pd.read_csv(
        REFERENCE_CSV,
        dtype={"code": str, "successor_code_2025": str},
        encoding="utf-8",
    )
    return frame.sort_values("code", ignore_index=True)[COLUMNS]


def provinces() -> pd.DataFrame:
    """All 63 provinces of 2017 as a DataFrame (columns COLUMNS, code as "01".."96", in code order).

    Returns a copy, so callers may modify it freely.
    """
    return _table().copy()


@functools.cache
def _by_code() -> dict[str, Province]:
    """Code → Province, for every row of the table."""
    return {row["code"]: Province(**row) for row in _table().to_dict("records")}


def region_codes(region: str) -> list[str]:
    """Region name (as in REGIONS; case and diacritics are ignored) → codes of its provinces, in order."""
    wanted = normalize_name(str(region))
    for name in REGIONS:
        if normalize_name(name) == wanted:
            return [p.code for p in _by_code().values() if p.region == name]
    raise ValueError(_("Unknown region {region!r}. Regions: {regions}.").format(region=region,
                                                                                 regions=", ".join(REGIONS)))


def scope_codes(scope: str) -> list[str]:
    """Province codes of a scope: "national", a region name, or a province code/name."""
    if scope == NATIONAL:
        return list(_by_code())
    if normalize_name(str(scope)) in {normalize_name(r) for r in REGIONS}:
        return region_codes(scope)
    return [lookup(scope).code]


# ---------------------------------------------------------------------------------------------------
# Lookup


@functools.cache
def _name_index() -> dict[str, str]:
    """Compact key → code for short names, official names, slugs and _ALIASES."""
    index: dict[str, str] = {}
    for province in _by_code().values():
        for spelling in (province.short_name, province.name, province.slug):
            index[_compact_key(spelling)] = province.code
    for alias, code in _ALIASES.items():
        key = _compact_key(alias)
        if index.setdefault(key, code) != code:
            raise AssertionError(f"alias {key!r} clashes with a name of {index[key]}")
    return index


def _library_code(text: str, keys: tuple[str, ...]) -> str | None:
    """Code that vietnamadminunits' legacy parser finds in ``text``, if the whole text is its keyword.

    parse_address looks for a province keyword *anywhere* in the text and then for district names, so on
    its own it answers "Nam Dihn" → Hà Nội (keyword "hn") and "Phú Quốc" → Kiên Giang (a district).
    We accept its answer only when one of ``keys`` (the compact input) is a keyword of that province;
    what this adds over our index is its aliases: "HN", "HCM", "Huế", "Thành phố Huế", "Bà Rịa",
    "Vũng Tàu".
    """
    from vietnamadminunits import parse_address
    from vietnamadminunits.parser.parser_legacy import DICT_PROVINCE

    unit = parse_address(text, mode="LEGACY", level=1)
    if unit.province_key is None:
        return None
    keywords = DICT_PROVINCE[unit.province_key]["provinceKeywords"]
    return unit.province_code if any(key in keywords for key in keys) else None


@functools.lru_cache(maxsize=65536)
def _code_for_text(text: str) -> str | None:
    """A name in any usual spelling → its code, or None. Cached: data files repeat the same spellings."""
    number = _code_number(text)
    if number is not None:
        return _code_from_number(number)
    key = _compact_key(text)
    if not key:
        return None
    index = _name_index()
    keys = (key, _without_prefix(key))
    for candidate in keys:
        if candidate in index:
            return index[candidate]
    return _library_code(unicodedata.normalize("NFC", text), keys)


def _code_number(text: str) -> int | None:
    """Text that is a number ("36", " 1 ", and "36.0" as spreadsheets export it) → int, else None."""
    match = re.fullmatch(r"\s*(\d{1,3})(?:\.0+)?\s*", text)
    return int(match.group(1)) if match else None


def _code_from_number(number: int) -> str | None:
    """Integer → 2-digit code if it is one of the 63, else None."""
    code = f"{number:02d}" if 0 <= number < 100 else None
    return code if code in _by_code() else None


def _code_suggestions(number: int) -> list[Province]:
    """The provinces whose codes are numerically nearest to ``number``."""
    ranked = sorted(_by_code().values(), key=lambda p: (abs(int(p.code) - number), p.code))
    return ranked[:_MAX_SUGGESTIONS]


@functools.cache
def _suggestion_choices() -> list[tuple[str, str]]:
    """(normalised spelling, code) pairs that suggestions are ranked against: short names and aliases."""
    pairs = [(normalize_name(p.short_name), p.code) for p in _by_code().values()]
    return pairs + [(normalize_name(alias), code) for alias, code in _ALIASES.items()]


def _name_suggestions(text: str) -> list[Province]:
    """The provinces whose names are closest to ``text``, best first (at most _MAX_SUGGESTIONS).

    Ranked by rapidfuzz WRatio (tolerates extra words: "Cục THADS tỉnh Nam Dinh"), ties broken by plain
    ratio (so "Hà" ranks "Hà Nội", "Hà Nam" before "Lai Châu"); weak matches are left out.
    """
    from rapidfuzz import fuzz

    query = _strip_prefix_words(normalize_name(text))
    if not query:
        return []
    scored = sorted(
        (
            (fuzz.WRatio(query, spelling), fuzz.ratio(query, spelling), code)
            for spelling, code in _suggestion_choices()
        ),
        reverse=True,
    )
    by_code = _by_code()
    found: dict[str, Province] = {}
    for weighted, _plain, code in scored:
        if weighted < _MIN_SUGGESTION_SCORE or len(found) == _MAX_SUGGESTIONS:
            break
        found.setdefault(code, by_code[code])
    return list(found.values())


def _is_missing(value) -> bool:
    """True for None, NaN, pandas NA / NaT."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # unhashable or array-like: not a missing scalar
        return False


def _unknown_text(value: str) -> UnknownProvinceError:
    """The error for a string that resolved to nothing, with close codes or names."""
    number = _code_number(value)
    if number is not None:
        return UnknownProvinceError(value, _code_suggestions(number), _unknown_code(value))
    if not value.strip():
        return UnknownProvinceError(value, reason=_missing_reason(value))
    return UnknownProvinceError(value, _name_suggestions(value))


def _lookup_number(value, shown) -> Province:
    """Integer-valued number → Province, or UnknownProvinceError naming ``shown``."""
    number = int(value)
    code = _code_from_number(number)
    if code is None:
        raise UnknownProvinceError(shown, _code_suggestions(number), _unknown_code(shown))
    return _by_code()[code]


def _unknown_code(value) -> str:
    return _("Unknown province code {value!r} (not one of the 63 of 2017).").format(value=value)


def _missing_reason(value) -> str:
    return _("Missing province ({value!r}): give a code or a name.").format(value=value)


def lookup(value) -> Province:
    """A province code or name → Province.

    Accepts a code as int or text (36, "36", 1, "01", " 1 ") or any usual spelling of the name: with or
    without diacritics, any case, NFC or NFD, with "Thành phố"/"TP."/"Tỉnh" prefixes, abbreviations
    ("TP HCM", "BR-VT") and old spellings ("Đắc Lắc", "Kontum"), or the slug.
    Raises UnknownProvinceError (a ValueError) for anything else, including bool, None and NaN.
    """
    if isinstance(value, Province):
        return value
    if isinstance(value, str):
        code = _code_for_text(value)
        if code is None:
            raise _unknown_text(value)
        return _by_code()[code]
    if _is_missing(value):
        raise UnknownProvinceError(value, reason=_missing_reason(value))
    if isinstance(value, (bool, np.bool_)):
        raise UnknownProvinceError(value, reason=_("Not a province: {value!r} is a boolean, not a code or name.")
                                   .format(value=value))
    if isinstance(value, numbers.Integral):
        return _lookup_number(value, value)
    if isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        return _lookup_number(int(value), value)  # codes read as float when a column has blanks
    raise UnknownProvinceError(value, reason=_("Not a province: {value!r} is neither a code nor a name.")
                               .format(value=value))


def code_of(value) -> str:
    """A province code or name (as for lookup) → its 2-digit code."""
    return lookup(value).code


# ---------------------------------------------------------------------------------------------------
# Building the CSV


def _domain_rows() -> list[dict]:
    """The columns that come from [QD124-2004]: code, name, short_name, slug, region."""
    region_of = {code: region for region, codes in _REGIONS_2017.items() for code in codes.split()}
    return [
        {
            "code": code,
            "name": ("Thành phố " if is_city else "Tỉnh ") + short_name,
            "short_name": short_name,
            "slug": slugify(short_name),
            "region": region_of[code],
        }
        for code, short_name, is_city in _PROVINCES_2017
    ]


def _library_columns(row: dict) -> dict:
    """One row of the 2017 list → latitude, longitude and 2025 successor from vietnamadminunits (offline data)."""
    from vietnamadminunits import convert_address, parse_address

    legacy = parse_address(row["name"], mode="LEGACY", level=1)
    if legacy.province_code != row["code"]:
        raise ValueError(f"vietnamadminunits reads {row['name']!r} as {legacy.province_code}, not {row['code']}")
    # Province-only input: the converter needs no geocoding (it geocodes only when a street is given).
    successor = convert_address(row["name"])
    return {
        "latitude": legacy.latitude,
        "longitude": legacy.longitude,
        "successor_code_2025": successor.province_code,
        "successor_name_2025": successor.province,
    }


def build_reference(path: Path | str | None = REFERENCE_CSV) -> pd.DataFrame:
    """[QD124-2004] + vietnamadminunits → the reference table; written to ``path`` unless it is None."""
    rows = [{**row, **_library_columns(row)} for row in _domain_rows()]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    if path is not None:
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        for cached in (_table, _by_code, _name_index, _suggestion_choices, _code_for_text):
            cached.cache_clear()
    return frame


if __name__ == "__main__":
    table = build_reference()
    print(f"wrote {len(table)} provinces to {REFERENCE_CSV}")
