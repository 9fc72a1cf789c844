"""Numbers and dates as Vietnamese reports write them: "1.234.567", "35.242,6", "79,25%", "05/10/2017".

Parsing and formatting go through Babel's ``vi`` locale ("." groups thousands, "," is the
decimal mark); plain machine numbers ("1234567", "1234.5") are accepted too.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

import pandas as pd
from babel.numbers import NumberFormatError, format_decimal, parse_decimal

from .i18n import _

LOCALE = "vi"
_PLAIN = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")
# "1.234" or "1.234.567": dots grouping thousands, the Vietnamese way.
_VI_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
# What a cell holds when it means "nothing": empty, a dash, "x" as forms print, text of a missing value.
BLANK_TEXTS = frozenset({"", "-", "–", "—", "x", "nan", "none", "null"})
# One group of three digits after a single separator reads two ways: "865,000" is 865 the
# Vietnamese way (decimal comma) and 865.000 the English way; "1.234" is 1234 the Vietnamese way
# and 1,234 as a plain decimal. The writing of the other cells of a file decides (see ``style_of``).
AMBIGUOUS_COMMA = re.compile(r"^[+-]?\d{1,3},\d{3}$")
AMBIGUOUS_DOT = re.compile(r"^[+-]?\d{1,3}\.\d{3}$")
# Cells that can only be one writing: several groups, groups with decimals, or decimals that
# are not three digits long.
STYLE_EVIDENCE = {
    "vi": re.compile(r"^[+-]?(\d{1,3}(\.\d{3}){2,}(,\d+)?|\d{1,3}(\.\d{3})+,\d+|\d+,(\d{1,2}|\d{4,}))$"),
    "en": re.compile(r"^[+-]?(\d{1,3}(,\d{3}){2,}(\.\d+)?|\d{1,3}(,\d{3})+\.\d+|\d+\.(\d{1,2}|\d{4,}))$"),
}
STYLE_NAMES = {"vi": "Vietnamese (1.234.567,5)", "en": "English (1,234,567.5)"}
# Beyond this many digits a cell cannot be a count or an amount; refusing it early also keeps
# int() from building a number with millions of digits ("1e999999999").
MAX_DIGITS = 20


class NumberParseError(ValueError):
    """A cell that is not a number in any accepted writing."""


class AmbiguousNumberError(NumberParseError):
    """A cell such as "865,000" that reads as two different numbers."""


def is_blank(value) -> bool:
    """True for an empty cell: None, NaN, "" or a dash."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and value.strip().lower() in BLANK_TEXTS:
        return True
    return value is pd.NA or value is pd.NaT


def clean_text(value) -> str:
    """A cell as text without spaces (thousands may be grouped by spaces or non-breaking spaces)."""
    return str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")


def style_of(texts) -> tuple[str | None, dict[str, str]]:
    """The number writing of a file's cells: ("vi" | "en" | None, an example cell of each style seen).

    Raises nothing: two styles seen at once are for the caller to report (both examples returned).
    """
    examples: dict[str, str] = {}
    for text in texts:
        for style, pattern in STYLE_EVIDENCE.items():
            if style not in examples and pattern.match(text):
                examples[style] = text
        if len(examples) == 2:
            break
    return (next(iter(examples)) if len(examples) == 1 else None), examples


def _checked(number: Decimal, value) -> Decimal:
    if not number.is_finite():
        raise NumberParseError(_("{value!r} is not a finite number").format(value=value))
    if number != 0 and number.adjusted() >= MAX_DIGITS:
        raise NumberParseError(_("{value!r} has more than {digits} digits; it cannot be a count or an amount").format(
            value=value, digits=MAX_DIGITS))
    return number


def parse_number(value, style: str | None = None) -> Decimal | None:
    """Read one cell as a Decimal; blank cells give None.

    Accepts ints and floats, "1.234.567" and "35.242,6" (Vietnamese), "1234567" and "1234.5"
    (plain), "1,234,567" (English grouping). ``style`` ("vi" or "en", from ``style_of`` over
    the file) decides the cells that read two ways; without it "1.234" is read the Vietnamese
    way (1234) and "865,000" raises AmbiguousNumberError. Raises NumberParseError for anything
    else, for infinite values and for numbers of more than MAX_DIGITS digits.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise NumberParseError(_("{value!r} is a true/false value, not a number").format(value=value))
    if isinstance(value, int):
        return _checked(Decimal(value), value)
    if isinstance(value, float):
        if math.isinf(value):
            raise NumberParseError(_("infinite value"))
        return _checked(Decimal(repr(value)), value)
    if isinstance(value, Decimal):
        return None if value.is_nan() else _checked(value, value)
    if hasattr(value, "item"):  # numpy scalars from parquet
        return parse_number(value.item(), style)
    text = clean_text(value)
    if AMBIGUOUS_COMMA.match(text):
        if style is None:
            whole, decimals = text.split(",")
            raise AmbiguousNumberError(_(
                "{value!r} is ambiguous: {whole} with a decimal comma (Vietnamese writing) or {thousands} with a "
                "thousands comma (English writing); write {whole} or {whole}.{decimals} (Vietnamese) or "
                "{whole}{decimals}").format(value=value, whole=whole, thousands=int(whole + decimals),
                                            decimals=decimals))
        return _checked(Decimal(text.replace(",", "") if style == "en" else text.replace(",", ".")), value)
    if AMBIGUOUS_DOT.match(text):
        return _checked(Decimal(text if style == "en" else text.replace(".", "")), value)
    if _PLAIN.match(text) and not _VI_GROUPED.match(text):
        return _checked(Decimal(text), value)
    locales = {"vi": (LOCALE,), "en": ("en",)}.get(style, (LOCALE, "en"))
    for locale in locales:
        try:
            return _checked(parse_decimal(text, locale=locale, strict=True), value)
        except NumberFormatError:
            continue
    hint = {"vi": _("the file writes numbers the Vietnamese way: 1.234.567 and 35.242,6"),
            "en": _("the file writes numbers the English way: 1,234,567 and 35242.6")}.get(
        style) or _("write 1.234.567 or 1234567; decimals 35.242,6")
    raise NumberParseError(_("{value!r} is not a number ({hint})").format(value=value, hint=hint))


def format_int(value) -> str:
    """12345 → "12.345"."""
    return format_decimal(int(round(value)), locale=LOCALE, format="#,##0")


def format_number(value, decimals: int = 2) -> str:
    """35242.6 → "35.242,60" (``decimals`` digits after the comma)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, locale=LOCALE, format=pattern)


def format_percent(value, decimals: int = 2) -> str:
    """A rate already in percent: 79.25 → "79,25%"."""
    return format_number(value, decimals) + "%"


MINUS = "\u2212"  # the typographic minus sign of printed figures


def no_negative_zero(value: float, decimals: int) -> float:
    """-0,0 → 0 so that a figure never reads "-0%" once rounded to ``decimals``."""
    return 0.0 if abs(value) < 0.5 * 10 ** (-decimals) else value


def with_minus_sign(text: str) -> str:
    """A leading ASCII hyphen-minus (as Babel writes it) → the typographic minus sign."""
    return text.replace("-", MINUS, 1) if text.startswith("-") else text


def short_percent(value: float) -> str:
    """A target as written in the text: 73 → "73%", 73.5 → "73,5%", 79.25 → "79,25%"."""
    text = format_number(round(float(value), 2), 2)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return with_minus_sign(text) + "%"


def signed_percent(value: float, decimals: int = 2) -> str:
    """A change in percent with its sign: −2,55% / +1,20% / 0,00%."""
    value = no_negative_zero(float(value), decimals)
    text = format_percent(abs(value), decimals)
    return (MINUS if value < 0 else "+" if value > 0 else "") + text


def signed_points(value: float, decimals: int = 2) -> str:
    """A difference of two percentages in percentage points: +2,52 điểm % / −0,40 điểm %."""
    return signed_percent(value, decimals)[:-1] + " điểm %"


def format_money(dong, unit: str = "tỷ đồng", decimals: int = 1) -> str:
    """Money in đồng written in a larger unit: 35242612983000 → "35.242,6 tỷ đồng"."""
    factor = {"đồng": 1, "nghìn đồng": 1e3, "triệu đồng": 1e6, "tỷ đồng": 1e9}[unit]
    return f"{format_number(dong / factor, decimals)} {unit}"


def value_text(value, unit: str) -> str:
    """An indicator value as the reports write it: "79,25%", "1.296 việc", "264,1 tỷ đồng", "12 ngày"."""
    if value is None or pd.isna(value):
        return "không có số liệu"
    if unit == "%":
        return format_percent(value)
    if unit == "đồng":
        return format_money(value)
    if unit == "ngày":
        return f"{format_number(value, 0)} ngày"
    if unit == "điểm %":
        return f"{format_number(value)} điểm %"
    return f"{format_int(value)} {unit}"


def date_text(value, name: str = "date") -> str:
    """A date given as "2017-10-05" or "05/10/2017", written "05/10/2017"; empty stays "".
    ValueError naming ``name`` (the parameter or option) for anything else."""
    value = str(value or "").strip()
    if not value:
        return ""
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, form).strftime("%d/%m/%Y")
        except ValueError:
            continue
    raise ValueError(_("{name} {value!r} is not a date: write it 2017-10-05 or 05/10/2017").format(
        name=name, value=value))
