"""Vietnamese sentences generated from the numbers of a scorecard.

Every figure in a sentence comes from the scorecard row it names, so a reviewer can trace it
to the table (numerator, denominator, formula) and from there to the input rows.
"""

from __future__ import annotations

import pandas as pd

from ..numbers import format_int, format_money, format_percent
from ..vocabulary import AT_RISK, MET, MISSED, NO_DATA


def _row(card: pd.DataFrame, indicator: str) -> pd.Series | None:
    rows = card[card["indicator"] == indicator]
    return None if rows.empty else rows.iloc[0]


def _against_target(row: pd.Series) -> str:
    """", vượt 17,70 điểm % so với chỉ tiêu được giao (73,00%)" or "" when there is no target."""
    if row is None or pd.isna(row.get("target")) or not row.get("gap_text"):
        return ""
    return f", {row['gap_text']} so với chỉ tiêu được giao ({format_percent(row['target'])})"


def _outlook(row: pd.Series) -> str:
    """Before the year end: the projection and what it means for the target."""
    if row is None or pd.isna(row.get("projection")) or row.get("status") == MET.code:
        return ""
    projected = format_percent(row["projection"])
    if row.get("status") == AT_RISK.code:
        return f"; theo đà hiện tại, dự báo cuối năm đạt {projected}, có nguy cơ không đạt chỉ tiêu"
    if row.get("status") == MISSED.code and row.get("required_rate") is not None and not pd.isna(row["required_rate"]):
        return (f"; dự báo cuối năm đạt {projected}; để đạt chỉ tiêu cần giải quyết thêm "
                f"{format_percent(row['required_rate'])} số còn lại có điều kiện thi hành")
    return ""


def summary_sentences(card: pd.DataFrame, office: str, period_end, previous_year: int) -> list[str]:
    """Three sentences on cases, money and carry-over with conditions for one scope.

    ``card`` is ``assess.assess`` output; ``office`` the subject ("Cục THADS tỉnh Nam Định").
    """
    day = pd.Timestamp(period_end).strftime("%d/%m/%Y")
    sentences = []
    cases = _row(card, "completion_rate_cases")
    if cases is None or pd.isna(cases["actual"]):
        sentences.append(f"Tính đến ngày {day}, {office} chưa có số liệu về tỷ lệ thi hành xong về việc.")
    else:
        sentences.append(
            f"Tính đến ngày {day}, {office} đã thi hành xong {format_int(cases['numerator'])} việc "
            f"trên {format_int(cases['denominator'])} việc có điều kiện thi hành, đạt tỷ lệ "
            f"{format_percent(cases['actual'])}{_against_target(cases)}{_outlook(cases)}.")
    money = _row(card, "completion_rate_money")
    if money is None or pd.isna(money["actual"]):
        sentences.append("Về tiền, chưa có số liệu.")
    else:
        sentences.append(
            f"Về tiền, đã thi hành xong {format_money(money['numerator'])} trên "
            f"{format_money(money['denominator'])} có điều kiện thi hành, đạt tỷ lệ "
            f"{format_percent(money['actual'])}{_against_target(money)}{_outlook(money)}.")
    carry = _row(card, "carry_forward_with_conditions_change_cases")
    level = _row(card, "carry_forward_with_conditions_cases")
    scored = card[card["status"].notna()]
    with_data = scored[scored["status"] != NO_DATA.code]
    met = int((with_data["status"] == MET.code).sum())
    tally = f"{met}/{len(with_data)} chỉ tiêu có số liệu đã đạt"
    if carry is None or pd.isna(carry["actual"]) or level is None:
        sentences.append(f"Tổng hợp: {tally}.")
    else:
        direction = "giảm" if carry["actual"] < 0 else "tăng"
        sentences.append(
            f"Số việc có điều kiện chuyển kỳ sau là {format_int(level['actual'])} việc, {direction} "
            f"{format_percent(abs(carry['actual']))} so với cuối năm {previous_year}; tổng hợp: {tally}.")
    return sentences
