"""The administrative layout of a report sent as an official document: the heading (issuing unit,
"Số: …", Quốc hiệu and tiêu ngữ, place and date) and the closing (Nơi nhận, signature block).

The fields come from the notebooks' parameters; a field left empty is printed as a dotted line to
fill in by hand, never as "None". The layout follows the usual form of a report (báo cáo) of a
state body: the issuing unit under its superior at the top left, the national heading at the top
right, recipients at the bottom left and the signer's title and name at the bottom right.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import _
from ..numbers import date_text
from ..provinces import Province, office_name

NATIONAL_HEADING = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
LONGEST = 300  # characters of one sign-off field: a name, a title, a unit, a number
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BLANK = "……"


@dataclass(frozen=True)
class Document:
    """What the heading and the signature block print (each line already upper- or mixed-case as shown)."""

    units: tuple[str, ...]  # the superior first, the issuing unit last
    number: str  # "Số: 125/BC-CTHADS" or "Số: ……/BC-CTHADS"
    place_date: str  # "Nam Định, ngày 05 tháng 10 năm 2017" or with dotted lines
    signer_title: str
    signer: str
    recipients: tuple[str, ...]


def field_text(value, name: str) -> str:
    """A sign-off field as printed: stripped text; "" for None. ValueError naming ``name`` for
    control characters (a page, a PDF or a Word file cannot hold them) or more than LONGEST characters."""
    text = str(value or "").strip()
    bad = next((c for c in text if ord(c) < 32 and c not in "\n\t" or 127 <= ord(c) < 160), None)
    if bad is not None:
        raise ValueError(_("{name}: a control character ({code}) in {text!r}; write plain text").format(
            name=name, code=f"{ord(bad):#04x}", text=text[:40]))
    if len(text) > LONGEST:
        raise ValueError(_("{name}: {count} characters, more than the {longest} a heading or signature line "
                           "holds; shorten it").format(name=name, count=len(text), longest=LONGEST))
    return text


def _lines(text: str) -> tuple[str, ...]:
    """"Tổng cục THADS | Cục THADS tỉnh Nam Định" (or on two lines) → its lines in capitals."""
    parts = [part.strip() for chunk in str(text).splitlines() for part in chunk.split("|")]
    return tuple(part.upper() for part in parts if part)


def _place_date(place: str, issue_date: str) -> str:
    day = date_text(issue_date, "issue_date")
    if not day:
        return f"{place}, ngày {BLANK} tháng {BLANK} năm {BLANK}"
    d, m, y = day.split("/")
    return f"{place}, ngày {d} tháng {m} năm {y}"


def document(province: Province | None, issuer: str = "", document_number: str = "", place: str = "",
             issue_date: str = "", signer: str = "", signer_title: str = "") -> Document:
    """The heading and signature fields of a province's report (``province``) or of the national
    overview (None), the parameters given overriding the defaults: the province's Cục under the
    General Department (the General Department under the Ministry of Justice), "BC-CTHADS"
    ("BC-TCTHADS"), the province's name (Hà Nội) as the place, Cục trưởng (Tổng Cục trưởng).
    ValueError for an issue date that is not a date."""
    if province is None:
        units = ("Bộ Tư pháp", "Tổng cục Thi hành án dân sự")
        symbol, title, where = "BC-TCTHADS", "Tổng Cục trưởng", "Hà Nội"
        recipients = ("Lãnh đạo Bộ Tư pháp (để báo cáo);", "Lưu: VT.")
    else:
        units = ("Tổng cục Thi hành án dân sự", office_name(province, full=True))
        symbol, title, where = "BC-CTHADS", "Cục trưởng", province.short_name
        recipients = ("Tổng cục Thi hành án dân sự (để báo cáo);", "Lưu: VT.")
    issuer, place, signer, signer_title = (field_text(v, n) for v, n in (
        (issuer, "issuer"), (place, "place"), (signer, "signer"), (signer_title, "signer_title")))
    number = field_text(document_number, "document_number")
    number = number.split(":", 1)[1].strip() if number.lower().startswith("số") and ":" in number else number
    return Document(units=_lines(issuer) or _lines("|".join(units)),
                    number=f"Số: {number or BLANK + '/' + symbol}",
                    place_date=_place_date(place or where, issue_date),
                    signer_title=(signer_title or title).upper(), signer=signer, recipients=recipients)
