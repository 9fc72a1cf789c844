"""The enforcement offices of 2017, province by province, and lookup of an office from any usual spelling.

In 2017 each province had one provincial department (Cục THADS; its own caseload has the code ``CUC``)
and one district office (Chi cục THADS) per district-level unit. The reference table is
``thads_analysis/data/offices_2017.csv``; ``python -m thads_analysis.offices`` regenerates it
(``build_reference``) from vietnamadminunits 1.0.4's offline ``dataset.db``, table
``admin_units_legacy`` (696 districts as they were just before the 2025 reform), and the hand tables
below. Nothing touches the network.

The package's districts are not those of 2017. What was done:

- All 34 districts carrying a ``districtAlias`` were decided one by one (tables ``_TYPE_CHANGED``,
  ``_RENAMED``, ``_MERGED_IN``); ``build_reference`` fails if an aliased district is left undecided or
  a table names an alias key the package does not have.
- A type change (Thị xã Phúc Yên → Thành phố) is the same office with the same code; the row carries
  the 2017 type and both spellings are accepted.
- A 2017 unit later merged into another one is restored as an office of its own. The package gives
  its old name only as a key without diacritics and no 2017 GSO code, so its code is
  ``<successor code>-<slug>`` ("356-my-loc") and its Vietnamese name is written by hand.
- A successor that did not exist in 2017 under its name (Thành phố Thủ Đức, Huyện Quảng Hòa, ...)
  is not a 2017 office; looking it up names the 2017 offices instead. A unit renamed outright (Thị
  xã Nghi Sơn, 2017: Huyện Tĩnh Gia) keeps its code under its 2017 name.
- Two changes have no alias in the package and were added by hand: Huyện Trà Lĩnh (merged into
  Trùng Khánh) and Thành phố Huế (split in 2025 into Quận Thuận Hóa and Quận Phú Xuân).
- Huyện Hoàng Sa (Đà Nẵng) and Huyện Trường Sa (Khánh Hòa) have no Chi cục THADS: left out.

Checked in published texts (news pages quoting the resolutions): Mỹ Lộc → Nam Định (NQ
1104/NQ-UBTVQH15, from 01/09/2024); Thành phố Huế → Thuận Hóa + Phú Xuân (NQ 1314/NQ-UBTVQH15,
01/01/2025), Nam Đông + Phú Lộc → Phú Lộc (same reform); Trà Lĩnh → Trùng Khánh (NQ
864/NQ-UBTVQH14, 2020); Thành phố Ninh Bình + Huyện Hoa Lư → Thành phố Hoa Lư (NQ 1318/NQ-UBTVQH15,
01/01/2025); Đạ Huoai + Đạ Tẻh + Cát Tiên → Đạ Huoai and Long Điền + Đất Đỏ → Long Đất (2023-2025
reform). Not confirmed here (from the package's aliases and general knowledge only): the other merges,
that every change happened after the 2017 statistical year, and the 2017 types of the 17 type changes.
Not covered: type changes and renamings the package records no alias for (its name and type are
kept, e.g. a district that was a thị xã in 2017 may read "Thành phố"); lookup accepts any type word
for a unique short name, so such rows are still found.
"""

from __future__ import annotations

import functools
import json
import numbers
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .i18n import N_, _
from .paths import PACKAGE_DATA
from .provinces import (
    Province,
    _code_for_text,
    lookup,
    normalize_name,
    office_name,
    slugify,
)

REFERENCE_CSV = PACKAGE_DATA / "offices_2017.csv"
COLUMNS = ["province_code", "code", "name", "short_name", "district_type", "successor_code_2025", "note"]
CUC = "cuc"  # office code of the Cục's own caseload
DISTRICT_TYPES = ("Huyện", "Quận", "Thị xã", "Thành phố")

# --- Hand tables: the 34 aliased districts of vietnamadminunits 1.0.4, plus two changes it has no alias for.

# Same unit, only its type changed after 2017: legacy code → (package alias key, 2017 type).
_TYPE_CHANGED = {
    "244": ("thixaphucyen", "Thị xã"),  # Phúc Yên, now Thành phố
    "259": ("huyenquevo", "Huyện"),  # Quế Võ, now Thị xã
    "262": ("huyenthuanthanh", "Huyện"),  # Thuận Thành, now Thị xã
    "328": ("huyenmyhao", "Huyện"),  # Mỹ Hào, now Thị xã
    "543": ("huyenhoainhon", "Huyện"),  # Hoài Nhơn, now Thị xã
    "660": ("thixagianghia", "Thị xã"),  # Gia Nghĩa, now Thành phố
    "689": ("thixadongxoai", "Thị xã"),  # Đồng Xoài, now Thành phố
    "697": ("huyenchonthanh", "Huyện"),  # Chơn Thành, now Thị xã
    "709": ("huyenhoathanh", "Huyện"),  # Hòa Thành, now Thị xã
    "712": ("huyentrangbang", "Huyện"),  # Trảng Bàng, now Thị xã
    "721": ("thixabencat", "Thị xã"),  # Bến Cát, now Thành phố
    "723": ("thixatanuyen", "Thị xã"),  # Tân Uyên, now Thành phố
    "724": ("thixadian", "Thị xã"),  # Dĩ An, now Thành phố
    "725": ("thixathuanan", "Thị xã"),  # Thuận An, now Thành phố
    "732": ("thixalongkhanh", "Thị xã"),  # Long Khánh, now Thành phố
    "868": ("thixahongngu", "Thị xã"),  # Hồng Ngự, now Thành phố
    "890": ("huyentinhbien", "Huyện"),  # Tịnh Biên, now Thị xã
}

# Same unit renamed outright: legacy code → (package alias key, 2017 name). Same office, same code;
# the later name is refused for 2017 and points here.
_RENAMED = {
    "407": ("huyentinhgia", "Huyện Tĩnh Gia"),  # now Thị xã Nghi Sơn
    "754": ("huyentanthanh", "Huyện Tân Thành"),  # now Thành phố Phú Mỹ
}

# 2017 units later merged into the legacy district (successor code): (package alias key or None, 2017
# name written by hand from that key, how it ended). Each was a Chi cục of its own in 2017.
_MERGED_IN = {
    "045": [("huyenthongnong", "Huyện Thông Nông", "merged into Huyện Hà Quảng")],
    # No alias in the package; NQ 864/NQ-UBTVQH14 (2020), one commune went to Quảng Hòa.
    "047": [(None, "Huyện Trà Lĩnh", "merged into Huyện Trùng Khánh")],
    "049": [
        ("huyenphuchoa", "Huyện Phục Hòa", "merged with Quảng Uyên into Huyện Quảng Hòa"),
        ("huyenquanguyen", "Huyện Quảng Uyên", "merged with Phục Hòa into Huyện Quảng Hòa"),
    ],
    "148": [("huyenkyson", "Huyện Kỳ Sơn", "merged into Thành phố Hòa Bình")],
    "193": [("huyenhoanhbo", "Huyện Hoành Bồ", "merged into Thành phố Hạ Long")],
    "213": [("huyenyendung", "Huyện Yên Dũng", "merged into Thành phố Bắc Giang")],
    "356": [("huyenmyloc", "Huyện Mỹ Lộc", "merged into Thành phố Nam Định")],
    "374": [
        ("thanhphoninhbinh", "Thành phố Ninh Bình", "merged with Hoa Lư into Thành phố Hoa Lư"),
        ("huyenhoalu", "Huyện Hoa Lư", "merged with Thành phố Ninh Bình into Thành phố Hoa Lư"),
    ],
    "380": [("huyendongson", "Huyện Đông Sơn", "merged into Thành phố Thanh Hóa")],
    "412": [("thixacualo", "Thị xã Cửa Lò", "merged into Thành phố Vinh")],
    # No alias in the package; NQ 1314/NQ-UBTVQH15 (2025). Successor code: the first of the two quận.
    "474": [(None, "Thành phố Huế", "split into Quận Thuận Hóa (474) and Quận Phú Xuân (475)")],
    "482": [("huyennamdong", "Huyện Nam Đông", "merged into Huyện Phú Lộc")],
    "509": [("huyennongson", "Huyện Nông Sơn", "merged into Huyện Quế Sơn")],
    "525": [("huyentaytra", "Huyện Tây Trà", "merged into Huyện Trà Bồng")],
    "682": [
        ("huyencattien", "Huyện Cát Tiên", "merged into Huyện Đạ Huoai"),
        ("huyendateh", "Huyện Đạ Tẻh", "merged into Huyện Đạ Huoai"),
    ],
    "753": [
        ("huyendatdo", "Huyện Đất Đỏ", "merged with Long Điền into Huyện Long Đất"),
        ("huyenlongdien", "Huyện Long Điền", "merged with Đất Đỏ into Huyện Long Đất"),
    ],
    "769": [
        ("quan2", "Quận 2", "merged into Thành phố Thủ Đức"),
        ("quan9", "Quận 9", "merged into Thành phố Thủ Đức"),
        # The package's alias list has no key for it: the successor kept its name but not its type.
        (None, "Quận Thủ Đức", "merged into Thành phố Thủ Đức"),
    ],
}

# Legacy districts that were no 2017 unit under their name → the successor code whose _MERGED_IN
# entries are its 2017 offices.
_NOT_IN_2017 = {"049": "049", "374": "374", "474": "474", "475": "474", "753": "753", "769": "769"}

# No Chi cục THADS: island districts without a court or enforcement office of their own.
_NO_OFFICE = {"498", "576"}  # Huyện Hoàng Sa (Đà Nẵng), Huyện Trường Sa (Khánh Hòa)

_TYPE_WORDS = {"huyen": "Huyện", "h": "Huyện", "quan": "Quận", "q": "Quận",
               "thi xa": "Thị xã", "tx": "Thị xã", "thanh pho": "Thành phố", "tp": "Thành phố"}
_SHORT_TYPE = {"Huyện": "H.", "Quận": "Q.", "Thị xã": "TX", "Thành phố": "TP"}
_CHI_CUC_RE = re.compile(r"^(?:chi cuc(?: thads| thi hanh an dan su)?|cc(?: thads)?)(?: (?P<rest>.*))?$")
_CUC_RE = re.compile(r"^(?:van phong )?cuc(?: thads| thi hanh an dan su)?(?: (?P<rest>.*))?$")
_TYPE_RE = re.compile(r"^(?P<type>" + "|".join(sorted(_TYPE_WORDS, key=len, reverse=True)) + r") (?P<rest>.+)$")
_MAX_SUGGESTIONS = 5
_MIN_SUGGESTION_SCORE = 60  # rapidfuzz WRatio; below it a "closest" office is noise


@dataclass(frozen=True)
class Office:
    """One office of 2017: the Cục (code CUC) or a Chi cục. A row of offices_2017.csv without its notes."""

    province_code: str
    code: str
    name: str
    short_name: str
    district_type: str


def _label(office: Office) -> str:
    return f"{office.name} ({office.code})"


def _how_to_write(office: Office) -> str:
    """A spelling that names only this office: "Cục THADS", "TP Nam Định", "H. Kỳ Anh", "Quận 1"."""
    if office.code == CUC:
        return "Cục THADS"
    if office.short_name.startswith("Quận "):  # numbered quận: the short name is already "Quận 1"
        return office.short_name
    return f"{_SHORT_TYPE[office.district_type]} {office.short_name}"


# How the offices listed after an UnknownOfficeError's reason are introduced (``listing``).
CLOSEST, IN_2017 = "Closest", "In 2017"
_LISTINGS = {CLOSEST: N_(" Closest: {offices}."), IN_2017: N_(" In 2017: {offices}.")}


class UnknownOfficeError(ValueError):
    """A value that names no 2017 office of the province.

    ``value`` as given, ``province_code``, ``suggestions`` (closest offices of the province, or the
    2017 offices a later name stands for), ``other_province`` (the Province whose office it names, if any).
    """

    def __init__(self, value, province_code: str, suggestions=(), reason: str | None = None,
                 other_province: Province | None = None, listing: str | None = CLOSEST):
        self.value = value
        self.province_code = province_code
        self.suggestions = list(suggestions)
        self.other_province = other_province
        province = lookup(province_code)
        message = reason or _("Unknown office {value!r} in {province} ({code}).").format(
            value=value, province=province.short_name, code=province_code)
        if self.suggestions and listing:
            template = _(_LISTINGS[listing]) if listing in _LISTINGS else " " + listing + ": {offices}."
            message += template.format(offices=", ".join(_label(o) for o in self.suggestions))
        super().__init__(message)


class AmbiguousOfficeError(UnknownOfficeError):
    """A value that names more than one reading (the province, or several offices); ``suggestions`` lists them."""


# ---------------------------------------------------------------------------------------------------
# Reference table


@functools.cache
def _table() -> pd.DataFrame:
    """The CSV, read once, every column as text (empty cells stay "")."""
    return pd.read_csv(REFERENCE_CSV, dtype=str, keep_default_na=False, encoding="utf-8")[COLUMNS]


def offices(province_code: str | None = None) -> pd.DataFrame:
    """The reference rows (COLUMNS), for one province (code or name) or all; Cục first, then by code. A copy."""
    frame = _table()
    if province_code is not None:
        frame = frame[frame["province_code"] == lookup(province_code).code]
    return frame.reset_index(drop=True).copy()


@functools.cache
def _by_code() -> dict[tuple[str, str], Office]:
    """(province code, office code) → Office."""
    fields = ["province_code", "code", "name", "short_name", "district_type"]
    return {(row["province_code"], row["code"]): Office(**row) for row in _table()[fields].to_dict("records")}


@functools.cache
def _by_name() -> dict[tuple[str, str], Office]:
    """(province code, reference name as written in the table) → Office: the spelling the sample and
    the package's own outputs use, found without parsing."""
    return {(o.province_code, o.name): o for o in _by_code().values()}


def office(province_code, code: str) -> Office:
    """(province code or name, office code) → Office; UnknownOfficeError if the province has no such office."""
    province = lookup(province_code).code
    found = _by_code().get((province, str(code).strip().lower()))
    if found is None:
        raise UnknownOfficeError(code, province, reason=_no_code(code, province))
    return found


def _no_code(code, province: str) -> str:
    return _("No office with code {code!r} in {where}.").format(code=code, where=_where(province))


def _where(province_code: str) -> str:
    return f"{lookup(province_code).short_name} ({province_code})"


# ---------------------------------------------------------------------------------------------------
# Lookup


def _key(words: str) -> str:
    """Normalised words → compact key; numbers lose leading zeros ("quan 01" and "Quận 1" meet)."""
    key = words.replace(" ", "")
    return str(int(key)) if key.isdigit() else key


def _bare(name: str, district_type: str) -> str:
    """Unit name without its type word: "Thành phố Nam Định" → "Nam Định", "Quận 1" → "1"."""
    return name[len(district_type) + 1:] if name.startswith(district_type + " ") else name


@functools.cache
def _index() -> tuple[dict, dict, dict]:
    """Per province: (type, key) → offices, key → offices, and the same for later (post-2017) names.

    Returns (typed, bare, later); ``later`` maps (province, type or None, key) → 2017 offices.
    """
    typed: dict[tuple, list[Office]] = {}
    bare: dict[tuple, list[Office]] = {}
    for row in _table().itertuples():
        if row.code == CUC:
            continue
        found = _by_code()[(row.province_code, row.code)]
        key = _key(normalize_name(_bare(found.short_name, "Quận")))
        types = {row.district_type}
        if row.successor_code_2025 in _TYPE_CHANGED:  # the later type names the same office
            types.add(_legacy()[row.successor_code_2025]["district_type"])
        for district_type in types:
            typed.setdefault((row.province_code, district_type, key), []).append(found)
        bare.setdefault((row.province_code, key), []).append(found)
    later: dict[tuple, list[Office]] = {}
    for code, successor in [*_NOT_IN_2017.items(), *((c, c) for c in _RENAMED)]:
        unit = _legacy()[code]
        stand_ins = [o for o in _offices_of_successor(unit["province_code"], successor)]
        key = _key(normalize_name(_bare(unit["name"], unit["district_type"])))
        later[(unit["province_code"], unit["district_type"], key)] = stand_ins
        later[(unit["province_code"], None, key)] = stand_ins
    return typed, bare, later


def _offices_of_successor(province_code: str, successor_code: str) -> list[Office]:
    table = _table()
    rows = table[(table["province_code"] == province_code) & (table["successor_code_2025"] == successor_code)]
    return [_by_code()[(province_code, code)] for code in rows["code"]]


@dataclass(frozen=True)
class _Parsed:
    """What a text says: the Cục (and maybe a province), or a district (maybe with a type word)."""

    cuc: bool
    chi_cuc: bool
    district_type: str | None
    key: str
    rest: str  # normalised words after the office and type words


def _parse(text: str) -> _Parsed:
    words = normalize_name(text)
    if words == CUC:
        return _Parsed(True, False, None, "", "")
    chi_cuc = _CHI_CUC_RE.match(words)
    if chi_cuc:
        words = chi_cuc["rest"] or ""
    else:
        cuc = _CUC_RE.match(words)
        if cuc:
            return _Parsed(True, False, None, "", cuc["rest"] or "")
    words = re.sub(r"^q(\d+)$", r"q \1", words)  # "Q1", "Q.1"
    typed = _TYPE_RE.match(words)
    if typed:
        return _Parsed(False, bool(chi_cuc), _TYPE_WORDS[typed["type"]], _key(typed["rest"]), typed["rest"])
    return _Parsed(False, bool(chi_cuc), None, _key(words), words)


def _match(parsed: _Parsed, province: str) -> tuple[list[Office], list[Office] | None]:
    """Offices of ``province`` the parsed text names, and the 2017 offices if it is a later name."""
    typed, bare, later = _index()
    if parsed.district_type:
        exact = typed.get((province, parsed.district_type, parsed.key))
        if exact:
            return exact, None
        if (province, parsed.district_type, parsed.key) in later:
            return [], later[(province, parsed.district_type, parsed.key)]
    found = bare.get((province, parsed.key), [])
    if not found and (province, None, parsed.key) in later:
        return [], later[(province, None, parsed.key)]
    return found, None


def lookup_office(text, province_code) -> Office:
    """Any usual spelling of an office of ``province_code`` (code or name) → Office.

    Accepts the report name ("Chi cục THADS huyện Hải Hậu", "Cục THADS tỉnh Nam Định"), the long form
    ("Chi cục Thi hành án dân sự ..."), abbreviations ("CC THADS H. Hải Hậu", "TP. Nam Định", "Q. 1",
    "TX ..."), the bare name, without diacritics, NFC or NFD, the office code ("366", 366, "cuc") and
    "Cục" / "Văn phòng Cục". Raises UnknownOfficeError (AmbiguousOfficeError when the text has two
    readings; ``other_province`` set when it names an office of another province).
    """
    province = lookup(province_code).code
    if isinstance(text, Office):
        if text.province_code != province:
            raise UnknownOfficeError(text.name, province, reason=_other_reason(text.name, [text.province_code], province),
                                     other_province=lookup(text.province_code))
        return text
    if isinstance(text, (bool, np.bool_)) or not isinstance(text, (str, numbers.Integral)):
        raise UnknownOfficeError(text, province, reason=_("Not an office: {text!r} is neither a code nor a name.")
                                 .format(text=text))
    text = str(text)
    if (province, text) in _by_name():
        return _by_name()[(province, text)]
    code = _code_text(text)
    if code is not None:
        return _by_code_or_raise(text, code, province)
    parsed = _parse(text)
    if parsed.cuc:
        return _cuc(text, parsed, province)
    if not parsed.key:
        raise UnknownOfficeError(text, province, reason=_("Missing office ({text!r}): give a code or a name.")
                                 .format(text=text))
    found, stand_ins = _match(parsed, province)
    # The province reading of a bare name ("Nam Định", "Huế"); "Chi cục ..." and "TP ..." exclude it.
    province_reading = None if parsed.chi_cuc or parsed.district_type and found else _code_for_text(text)
    if stand_ins is not None:
        raise UnknownOfficeError(text, province, stand_ins, listing=IN_2017, reason=_(
            "{text!r} is not a 2017 office of {where}: the unit or its name dates from after 2017.").format(
            text=text, where=_where(province)))
    if len(found) == 1 and province_reading != province:
        return found[0]
    if found:
        return _ambiguous(text, found, province, province_reading == province)
    if province_reading == province:
        raise UnknownOfficeError(text, province, reason=_(
            "{text!r} names the province {where} as a whole, not one office; write 'Cục THADS' for the Cục's own "
            "cases or name a Chi cục.").format(text=text, where=_where(province)))
    raise _not_found(text, parsed, province, province_reading)


def _code_text(text: str) -> str | None:
    """An office code written as such: "366", "36.0"-style numbers, "cuc", "356-my-loc"; else None."""
    stripped = text.strip().lower()
    number = re.fullmatch(r"(\d{1,3})(?:\.0+)?", stripped)
    if number:
        return f"{int(number[1]):03d}"
    return stripped if re.fullmatch(r"\d{3}-[a-z0-9-]+", stripped) else None


def _by_code_or_raise(text: str, code: str, province: str) -> Office:
    found = _by_code().get((province, code))
    if found is not None:
        return found
    elsewhere = sorted(p for p, c in _by_code() if c == code)
    if elsewhere:
        raise UnknownOfficeError(text, province, reason=_other_reason(text, elsewhere, province),
                                 other_province=lookup(elsewhere[0]))
    raise UnknownOfficeError(text, province, reason=_no_code(text, province))


def _cuc(text: str, parsed: _Parsed, province: str) -> Office:
    """The Cục, after checking that a province named with it is this one."""
    if parsed.rest and parsed.rest not in {"thads", "thi hanh an dan su"}:
        named = _code_for_text(parsed.rest)
        if named is None:
            raise UnknownOfficeError(text, province, reason=_(
                "Unknown office {text!r} in {where}: {rest!r} is no province.").format(
                text=text, where=_where(province), rest=parsed.rest))
        if named != province:
            raise UnknownOfficeError(text, province, reason=_other_reason(text, [named], province),
                                     other_province=lookup(named))
    return _by_code()[(province, CUC)]


def _ambiguous(text: str, found: list[Office], province: str, is_province: bool) -> Office:
    readings = [_("{office} (write '{spelling}')").format(office=_label(o), spelling=_how_to_write(o)) for o in found]
    if is_province:
        readings.insert(0, _("the province {where} as a whole (for the Cục's own cases write 'Cục THADS')").format(
            where=_where(province)))
    raise AmbiguousOfficeError(text, province, found, listing=None, reason=_(
        "{text!r} is ambiguous in {where}: {readings}.").format(text=text, where=_where(province),
                                                                readings=_(" or ").join(readings)))


def _other_reason(text: str, provinces: list[str], province: str) -> str:
    owners = ", ".join(_where(p) for p in provinces)
    return _("{text!r} is an office of {owners}, not of {where}.").format(text=text, owners=owners,
                                                                          where=_where(province))


def _not_found(text: str, parsed: _Parsed, province: str, province_reading: str | None) -> UnknownOfficeError:
    """The error for a text naming nothing in the province: another province's office, no office, or a typo."""
    typed, bare, _later = _index()
    owners = sorted({p for (p, t, k) in typed if k == parsed.key and t == parsed.district_type}
                    if parsed.district_type else {p for (p, k) in bare if k == parsed.key})
    if province_reading is not None and not parsed.chi_cuc:
        owners = sorted(set(owners) | {province_reading})
    if owners:
        return UnknownOfficeError(text, province, reason=_other_reason(text, owners, province),
                                  other_province=lookup(owners[0]))
    for code in _NO_OFFICE:
        unit = _legacy()[code]
        if _key(normalize_name(_bare(unit["name"], unit["district_type"]))) == parsed.key:
            return UnknownOfficeError(text, province, reason=_(
                "{text!r}: {unit} ({where}) has no Chi cục THADS.").format(
                text=text, unit=unit["name"], where=_where(unit["province_code"])))
    return UnknownOfficeError(text, province, _suggestions(parsed.rest, province))


def _suggestions(words: str, province: str) -> list[Office]:
    """The offices of the province whose short names are closest to ``words``, best first."""
    from rapidfuzz import fuzz

    candidates = [o for (p, _c), o in _by_code().items() if p == province]
    scored = sorted(((fuzz.WRatio(words, normalize_name(o.short_name)), fuzz.ratio(words, normalize_name(o.short_name)),
                      o.code, o) for o in candidates), key=lambda s: s[:3], reverse=True)
    return [o for weighted, _plain, _code, o in scored if weighted >= _MIN_SUGGESTION_SCORE][:_MAX_SUGGESTIONS]


# ---------------------------------------------------------------------------------------------------
# Building the CSV


@functools.cache
def _legacy() -> dict[str, dict]:
    """vietnamadminunits' legacy districts: code → province_code, name, district_type, aliases."""
    import vietnamadminunits

    database = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT DISTINCT provinceCode, districtCode, district, districtType, districtAlias "
            "FROM admin_units_legacy ORDER BY districtCode"
        ).fetchall()
    return {
        code: {"province_code": p, "name": name, "district_type": kind, "aliases": json.loads(alias or "[]")}
        for p, code, name, kind, alias in rows
    }


def _check_decisions(legacy: dict[str, dict]) -> None:
    """Every aliased district is decided, and every alias key the tables cite is in the package."""
    cited = {code: [key] for code, (key, _t) in _TYPE_CHANGED.items()}
    cited.update({code: [key] for code, (key, _n) in _RENAMED.items()})
    for code, units in _MERGED_IN.items():
        cited.setdefault(code, []).extend(key for key, _n, _w in units if key)
    for code, keys in cited.items():
        missing = set(keys) - set(legacy[code]["aliases"])
        if missing:
            raise ValueError(f"{code} {legacy[code]['name']}: no alias {sorted(missing)} in vietnamadminunits")
    undecided = {code for code, unit in legacy.items() if unit["aliases"]} - set(cited)
    if undecided:
        raise ValueError(f"aliased districts without a decision: {sorted(undecided)}")


def _cased(name: str, district_type: str) -> str:
    """The type word as the type is written: "Thành Phố Bắc Kạn" → "Thành phố Bắc Kạn"."""
    prefix = district_type + " "
    return prefix + name[len(prefix):] if name.lower().startswith(prefix.lower()) else name


def _district_row(code: str, unit: dict) -> dict:
    name, district_type, note = _cased(unit["name"], unit["district_type"]), unit["district_type"], ""
    if code in _TYPE_CHANGED:
        district_type = _TYPE_CHANGED[code][1]
        note = f"2017 type; later {name} (vietnamadminunits)"
        name = district_type + " " + _bare(name, unit["district_type"])
    elif code in _RENAMED:
        name = _RENAMED[code][1]
        district_type = next(t for t in DISTRICT_TYPES if name.startswith(t + " "))
        note = f"2017 name; later {unit['name']} (vietnamadminunits)"
    return _row(unit["province_code"], code, name, district_type, code, note)


def _row(province_code: str, code: str, name: str, district_type: str, successor: str, note: str) -> dict:
    short = _bare(name, district_type)
    short_name = name if short.isdigit() else short  # "Quận 1", not "1"
    return {"province_code": province_code, "code": code, "name": "Chi cục THADS " + name[0].lower() + name[1:],
            "short_name": short_name, "district_type": district_type, "successor_code_2025": successor, "note": note}


def build_reference(path: Path | str | None = REFERENCE_CSV) -> pd.DataFrame:
    """vietnamadminunits' legacy districts + the hand tables → the 2017 offices; written to ``path`` unless None."""
    from .provinces import provinces

    legacy = _legacy()
    _check_decisions(legacy)
    rows = [{"province_code": p.code, "code": CUC, "name": office_name(p), "short_name": "Cục THADS",
             "district_type": "", "successor_code_2025": "", "note": ""}
            for p in (lookup(c) for c in provinces()["code"])]
    for code, unit in legacy.items():
        if code not in _NO_OFFICE and code not in _NOT_IN_2017:
            rows.append(_district_row(code, unit))
    for successor, units in _MERGED_IN.items():
        province_code = legacy[successor]["province_code"]
        for key, name, what in units:
            district_type = next(t for t in DISTRICT_TYPES if name.startswith(t + " "))
            source = f"alias {key!r}" if key else "no alias in vietnamadminunits"
            row = _row(province_code, "", name, district_type, successor,
                       f"restored 2017 unit, {what}; {source}; name written by hand")
            rows.append({**row, "code": f"{successor}-{slugify(row['short_name'])}"})  # "769-quan-2"
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["_cuc_last"] = frame["code"] != CUC
    frame = frame.sort_values(["province_code", "_cuc_last", "code"], ignore_index=True)[COLUMNS]
    if path is not None:
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        for cached in (_table, _by_code, _index):
            cached.cache_clear()
    return frame


if __name__ == "__main__":
    table = build_reference()
    print(f"wrote {len(table)} offices to {REFERENCE_CSV}")
