"""The administrative layout of a report sent as an official document: the heading (issuing unit,
"Số: …", Quốc hiệu and tiêu ngữ, place and date) and the closing (Nơi nhận, signature block).

The fields come from the notebooks' parameters; a field left empty is printed as a dotted line to
fill in by hand, never as "None". The layout follows the usual form of a report (báo cáo) of a
state body: the issuing unit under its superior at the top left, the national heading at the top
right, recipients at the bottom left and the signer's title and name at the bottom right.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..numbers import date_text
from ..provinces import Province

NATIONAL_HEADING = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
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
        units = ("Tổng cục Thi hành án dân sự",
                 "Cục Thi hành án dân sự " + province.name[0].lower() + province.name[1:])
        symbol, title, where = "BC-CTHADS", "Cục trưởng", province.short_name
        recipients = ("Tổng cục Thi hành án dân sự (để báo cáo);", "Lưu: VT.")
    number = str(document_number or "").strip()
    number = number.split(":", 1)[1].strip() if number.lower().startswith("số") and ":" in number else number
    return Document(units=_lines(issuer) or _lines("|".join(units)),
                    number=f"Số: {number or BLANK + '/' + symbol}",
                    place_date=_place_date(str(place or "").strip() or where, issue_date),
                    signer_title=(str(signer_title or "").strip() or title).upper(),
                    signer=str(signer or "").strip(), recipients=recipients)
