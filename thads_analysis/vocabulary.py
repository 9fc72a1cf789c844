"""The words every module shares: measures, categories, scopes, the statistical year, statuses.

Code speaks the English codes (``"cases"``, ``"credit"``, ``"met"``); pages show the Vietnamese
labels defined beside them here, and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

MEASURES = ["cases", "money"]
MEASURE_LABELS = {"cases": "Việc", "money": "Tiền"}
MEASURE_WORDS = {"cases": "về việc", "money": "về tiền"}  # "Tỷ lệ thi hành xong về việc"
MEASURE_UNITS = {"cases": "việc", "money": "đồng"}  # canonical frames hold money in đồng

CATEGORIES = ["all", "credit", "corruption", "state_budget", "criminal_civil"]
CATEGORY_LABELS = {
    "all": "Tất cả",
    "credit": "Tín dụng - ngân hàng",
    "corruption": "Tham nhũng - kinh tế",
    "state_budget": "Thu cho ngân sách nhà nước",
    "criminal_civil": "Dân sự trong bản án hình sự",
}
# The campaign's key categories (Plan 690, group 2): every category but "all".
KEY_CATEGORIES = CATEGORIES[1:]

NATIONAL = "national"
NATIONAL_LABEL = "Toàn quốc"


@dataclass(frozen=True)
class Status:
    """How an indicator stands against its target: a stable code, its Vietnamese label, its colours.

    Colours are Okabe–Ito (colour-blind safe); ``text_colour`` is legible on ``colour``.
    """

    code: str
    label: str
    colour: str
    text_colour: str


MET = Status("met", "Đạt", "#0072B2", "#fff")
MISSED = Status("missed", "Chưa đạt", "#D55E00", "#fff")
AT_RISK = Status("at_risk", "Có nguy cơ không đạt", "#E69F00", "#000")
NO_DATA = Status("no_data", "Không có số liệu", "#BBBBBB", "#000")
STATUSES = (MET, MISSED, AT_RISK, NO_DATA)
_BY_CODE = {s.code: s for s in STATUSES}


def status(code: str) -> Status:
    """The ``Status`` of a code ("met", "missed", "at_risk", "no_data"); ValueError for any other."""
    try:
        return _BY_CODE[code]
    except (KeyError, TypeError):
        raise ValueError(f"unknown status {code!r}; expected one of {', '.join(_BY_CODE)}") from None


def status_label(code) -> str:
    """The Vietnamese label of a status code; "" for a missing one (an indicator without target)."""
    return "" if code is None or (not isinstance(code, str) and pd.isna(code)) else status(code).label


# ---------------------------------------------------------------- the statistical year
# A statistical year Y runs from 01/10/(Y−1) to 30/09/Y; monthly reports are cumulative from 01/10.


def year_end(year: int) -> pd.Timestamp:
    """The last day of statistical year ``year``: 30/09/year."""
    return pd.Timestamp(year=int(year), month=9, day=30)


def year_start(year: int) -> pd.Timestamp:
    """The first day of statistical year ``year``: 01/10/(year−1)."""
    return pd.Timestamp(year=int(year) - 1, month=10, day=1)


def _date_parts(dates):
    """The .year/.month/.day holder of a Series or Index of dates, or None for one date."""
    if isinstance(dates, pd.Series):
        return pd.to_datetime(dates).dt  # a no-op for a date column; dates as text or an empty column too
    if isinstance(dates, pd.Index):
        return pd.DatetimeIndex(dates)
    return None


# The three below take one date, or a whole Series/Index of dates at once (a column-wise answer of the
# same shape): mapping the scalar form over a date column converts every value to a Timestamp first.


def statistical_year(period_end):
    """The statistical year a period end falls in (01/10/(Y−1) .. 30/09/Y)."""
    parts = _date_parts(period_end)
    if parts is not None:
        return parts.year + (parts.month >= 10)
    ts = pd.Timestamp(period_end)
    return ts.year + 1 if ts.month >= 10 else ts.year


def is_year_end(period_end):
    """Whether ``period_end`` closes its statistical year (30/09)."""
    parts = _date_parts(period_end)
    if parts is not None:
        return (parts.month == 9) & (parts.day == 30)
    ts = pd.Timestamp(period_end)
    return ts.month == 9 and ts.day == 30


def months_elapsed(period_end):
    """Months from 01/10 to ``period_end`` inclusive: October → 1, September → 12."""
    parts = _date_parts(period_end)
    return ((parts.month if parts is not None else pd.Timestamp(period_end).month) - 10) % 12 + 1
