"""The offices of one province (the Cục's own caseload and each Chi cục) against the province's
targets: their indicators, scorecards and the in-province emulation ranking.

Offices are computed by the same functions as provinces (``indicators``, ``assess``), each office a scope "<province>/<office>", so every formula is the one the
province's page uses. An office is held to the province's targets unless the targets file has a
row for the office itself (scope "36/366"): office rows override province rows, which override
national rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..offices import office as office_record
from ..vocabulary import AT_RISK, MET, NO_DATA
from .assess import assess
from .funnel import Funnel, funnel
from .indicators import indicators, totals

SEPARATOR = "/"  # scope of an office: province code, separator, office code


def office_scope(province_code: str, office_code: str) -> str:
    return f"{province_code}{SEPARATOR}{office_code}"


def _scoped(offices: pd.DataFrame, code: str) -> pd.DataFrame:
    """The province's office rows with each office as its own scope (in ``province_code``)."""
    rows = offices[offices["province_code"] == code]
    return rows.assign(province_code=(rows["province_code"] + SEPARATOR + rows["office_code"]).astype("string"))


def office_totals(offices: pd.DataFrame | None, code: str) -> pd.DataFrame:
    """The offices' rows of one province summed by scope (as ``indicators.totals`` does for provinces)."""
    if offices is None or not (offices["province_code"] == code).any():
        return pd.DataFrame()
    return totals(_scoped(offices, code), "province")


def office_indicators(offices: pd.DataFrame | None, code: str, period_end) -> pd.DataFrame:
    """Every indicator of every office of province ``code`` at ``period_end`` (empty without offices)."""
    tot = office_totals(offices, code)
    if tot.empty or not (tot["period_end"] == pd.Timestamp(period_end)).any():
        return pd.DataFrame()
    return indicators(_scoped(offices, code), period_end, "province", tot).assign(level="office")


def office_name(scope: str) -> str:
    """"Chi cục THADS huyện Hải Hậu" for "36/366"."""
    province, office = scope.split(SEPARATOR, 1)
    return office_record(province, office).name


_TYPE_ABBREVIATIONS = {"Thành phố": "TP ", "Thị xã": "TX ", "Huyện": "H. ", "Quận": "Q. "}


def office_label(scope: str) -> str:
    """A short label for charts: "Cục THADS", "TP Nam Định", "H. Hải Hậu", "Quận 1" for "36/cuc" …"""
    province, office = scope.split(SEPARATOR, 1)
    found = office_record(province, office)
    if found.short_name == "Cục THADS" or found.short_name.startswith(found.district_type + " "):
        return found.short_name  # the Cục, and numbered quận ("Quận 1")
    return _TYPE_ABBREVIATIONS.get(found.district_type, "") + found.short_name


def office_funnel(offices: pd.DataFrame | None, code: str, period_end, p0: float) -> Funnel:
    """The funnel of the offices' case completion rates around ``p0`` (the province's rate, a proportion).

    Its table has one row per office: province_code holds the office scope ("36/366"), province_name
    its chart label. Limits widen by the between-office variance (additive) when the offices are
    over-dispersed, as the provinces' funnel does.
    """
    tot = office_totals(offices, code)
    rows = tot[(tot["period_end"] == pd.Timestamp(period_end)) & (tot["measure"] == "cases")
               & (tot["category"] == "all")].rename(columns={"scope": "province_code"}).reset_index(drop=True)
    rows["province_name"] = [office_label(scope) for scope in rows["province_code"]]
    return funnel(rows, p0, adjust="additive")


def office_table(ind: pd.DataFrame, targets: pd.DataFrame, code: str, period_end) -> pd.DataFrame:
    """One row per office of the province, ranked for the in-province emulation.

    Columns: scope, office, completion rates (cases, money) with numerators and denominators,
    their statuses against the office's targets, carry_forward_with_conditions_cases, targets met
    and with data, and rank (the national rule: targets met, then the case rate, then the money
    rate; equal rows share a rank).
    """
    if ind.empty:
        return pd.DataFrame()
    records = []
    for scope in sorted(ind["scope"].unique()):
        card = assess(ind, targets, scope, period_end, province=code).set_index("indicator")
        scored = card[card["status"].notna()]

        def get(indicator, column):
            return card.at[indicator, column] if indicator in card.index else None

        records.append(dict(
            scope=scope, office=office_name(scope), is_cuc=scope.endswith(SEPARATOR + "cuc"),
            rate_cases=get("completion_rate_cases", "actual"), resolved_cases=get("completion_rate_cases", "numerator"),
            with_conditions_cases=get("completion_rate_cases", "denominator"),
            status_cases=get("completion_rate_cases", "status") or NO_DATA.code,
            rate_money=get("completion_rate_money", "actual"), resolved_money=get("completion_rate_money", "numerator"),
            with_conditions_money=get("completion_rate_money", "denominator"),
            status_money=get("completion_rate_money", "status") or NO_DATA.code,
            carry_forward_with_conditions_cases=get("carry_forward_with_conditions_cases", "actual"),
            targets_met=int((scored["status"] == MET.code).sum()),
            targets_at_risk=int((scored["status"] == AT_RISK.code).sum()),
            targets_with_data=int((scored["status"] != NO_DATA.code).sum())))
    table = pd.DataFrame.from_records(records)
    keys = ["targets_met", "rate_cases", "rate_money"]
    sortable = table[keys].astype(float).fillna(-np.inf)
    order = sortable.sort_values(keys, ascending=False, kind="stable")
    starts = order.ne(order.shift()).any(axis=1).to_numpy()
    position = np.arange(1, len(order) + 1)
    table.loc[order.index, "rank"] = pd.Series(np.where(starts, position, np.nan)).ffill().to_numpy()
    table["rank"] = table["rank"].astype(int)
    return table.sort_values(["rank", "scope"]).reset_index(drop=True)
