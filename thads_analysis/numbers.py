"""Numbers as Vietnamese reports write them: "1.234.567", "35.242,6", "79,25%".

Parsing and formatting go through Babel's ``vi`` locale ("." groups thousands, "," is the
decimal mark); plain machine numbers ("1234567", "1234.5") are accepted too.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from babel.numbers import NumberFormatError, format_decimal, parse_decimal

LOCALE = "vi"
_PLAIN = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")
# "1.234" or "1.234.567": dots grouping thousands, the Vietnamese way.
_VI_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_EMPTY = {"", "-", "–", "—", "x", "nan", "none", "null"}


class NumberParseError(ValueError):
    """A cell that is not a number in any accepted writing."""


def is_blank(value) -> bool:
    """True for an empty cell: None, NaN, "" or a dash."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and value.strip().lower() in _EMPTY:
        return True
    try:
        import pandas as pd

        return value is pd.NA or value is pd.NaT
    except ImportError:  # pragma: no cover - pandas is a dependency
        return False


def parse_number(value) -> Decimal | None:
    """Read one cell as a Decimal; blank cells give None.

    Accepts ints and floats, "1.234.567" and "35.242,6" (Vietnamese), "1234567" and "1234.5"
    (plain), "1,234,567" (English grouping). Raises NumberParseError otherwise.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise NumberParseError(f"{value!r} is a true/false value, not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if math.isinf(value):
            raise NumberParseError("infinite value")
        return Decimal(repr(value))
    if hasattr(value, "item"):  # numpy scalars from parquet
        return parse_number(value.item())
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if _PLAIN.match(text) and not _VI_GROUPED.match(text):
        return Decimal(text)
    for locale in (LOCALE, "en"):
        try:
            return parse_decimal(text, locale=locale, strict=True)
        except NumberFormatError:
            continue
    raise NumberParseError(f"{value!r} is not a number (write 1.234.567 or 1234567; decimals 35.242,6)")


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


def format_money(dong, unit: str = "tỷ đồng", decimals: int = 1) -> str:
    """Money in đồng written in a larger unit: 35242612983000 → "35.242,6 tỷ đồng"."""
    factor = {"đồng": 1, "nghìn đồng": 1e3, "triệu đồng": 1e6, "tỷ đồng": 1e9}[unit]
    return f"{format_number(dong / factor, decimals)} {unit}"
