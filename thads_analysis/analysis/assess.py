"""Assessment against the campaign targets: gap, attainment, status, ranks, emulation table.

Input is the long indicator table of ``indicators.indicators`` and a targets table of
``targets.read_targets``. Gaps are in percentage points for rates and signed so that a
positive gap is better than the target ("vượt"), a negative one short of it ("còn thiếu"); a
target of 0 on a change is a direction ("chỉ tiêu: giảm"), and the change itself is said.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..ingest import schema
from ..numbers import format_number, value_text
from ..provinces import provinces
from ..vocabulary import AT_RISK, MET, MISSED, NATIONAL, NATIONAL_LABEL, NO_DATA, is_year_end, status_label
from .catalogue import GROUPS, INDICATORS, Indicator
from .funnel import Funnel, funnel
from .targets import COMPARATOR_WORDS, Target, targets_for

EMULATION_RULE = ("Xếp hạng theo số chỉ tiêu đạt (nhiều hơn xếp trên); bằng nhau thì theo tỷ lệ thi hành xong về "
                  "việc, rồi về tiền (cao hơn xếp trên; tỷ lệ không có số liệu xếp sau cùng); các tỉnh bằng nhau "
                  "ở cả ba tiêu chí cùng hạng.")


def gap_of(actual: float, target: Target) -> float:
    """Signed margin to the target: positive is better than the target (points for rates)."""
    if target.comparator in (">=", ">"):
        return actual - target.value
    return target.value - actual


def gap_text(gap: float | None, unit: str = "%", met: bool = True, target: Target | None = None,
             actual: float | None = None) -> str:
    """Vietnamese wording of a gap: 17.7 → "vượt 17,70 điểm %", −3.2 → "còn thiếu 3,20 điểm %"
    (a rate's gap is a difference of two percentages); "vượt 1 người" for a count.

    A gap of 0 is "đạt đúng chỉ tiêu" for ≥/≤ targets, "bằng mức chỉ tiêu" when the target is
    strict. A target of 0 on a change ("< 0": it must fall) is a direction, not a level, so the
    change itself is said: "tăng 22,33% (chỉ tiêu: giảm)", "giảm 2,55% (chỉ tiêu: giảm)".
    """
    if gap is None or pd.isna(gap):
        return ""
    if target is not None and target.value == 0 and actual is not None:
        return f"{_change_words(actual, unit)} (chỉ tiêu: {_DIRECTION_WORDS[target.comparator]})"
    amount = format_number(abs(gap), 2 if unit == "%" else 0) + (" điểm %" if unit == "%" else f" {unit}")
    if gap > 0:
        return f"vượt {amount}"
    if gap < 0:
        return f"còn thiếu {amount}"
    return "đạt đúng chỉ tiêu" if met else "bằng mức chỉ tiêu"


_DIRECTION_WORDS = {"<": "giảm", "<=": "không tăng", ">": "tăng", ">=": "không giảm"}


def target_text(target: Target, unit: str) -> str:
    """A target as the reports write it: "≥ 73,00%", "≤ 2 người"; a target of 0 (on a change) is
    the direction asked for: "giảm" rather than "< 0,00%"."""
    if target.value == 0:
        return _DIRECTION_WORDS[target.comparator]
    return f"{COMPARATOR_WORDS[target.comparator]} {value_text(target.value, unit)}"


def _change_words(change: float, unit: str) -> str:
    """+22.33 → "tăng 22,33%", −1 (người) → "giảm 1 người", 0 → "không đổi"."""
    if change == 0:
        return "không đổi"
    amount = format_number(abs(change), 2 if unit == "%" else 0) + ("%" if unit == "%" else f" {unit}")
    return f"{'tăng' if change > 0 else 'giảm'} {amount}"


def required_remaining_rate(resolved, with_conditions, target_percent: float) -> float | None:
    """Share (%) of the with-conditions stock still open that must be resolved to reach the target.

    (T·W − R) / (W − R) × 100, taking the with-conditions stock W as it stands now; 0 when
    the target is already reached, None when nothing is left open.
    """
    if pd.isna(resolved) or pd.isna(with_conditions):
        return None
    remaining = float(with_conditions) - float(resolved)
    needed = target_percent / 100 * float(with_conditions) - float(resolved)
    if needed <= 0:
        return 0.0
    if remaining <= 0:
        return None
    return needed / remaining * 100


def _met(indicator: Indicator, target: Target, actual: float, level) -> bool:
    """Whether ``actual`` meets ``target``; a reduction target is met at a level of 0 where the
    catalogue says so (``zero_is_met``: no one disciplined this year, nothing to reduce)."""
    if target.met(actual):
        return True
    return indicator.zero_is_met and target.comparator in ("<", "<=") and pd.notna(level) and level == 0


def _status(met: bool | None, target: Target, projection, year_end: bool) -> str:
    """The status code of an indicator against its target (``met`` None: no actual)."""
    if met is None:
        return NO_DATA.code
    if met:
        return MET.code
    if year_end:
        return MISSED.code
    if projection is not None and not pd.isna(projection) and not target.met(projection):
        return AT_RISK.code
    return MISSED.code


_READ = ["indicator", "value", "numerator", "denominator", "formula", "formula_vi", "note"]  # by assess
_GROUP_ORDER = {g: i for i, g in enumerate(GROUPS)}


def assess(ind: pd.DataFrame, targets: pd.DataFrame, scope: str, period_end=None,
           province: str | None = None) -> pd.DataFrame:
    """Scorecard of one scope: every indicator with its actual, and target, gap and status where set.

    ``ind`` is the indicator table (any level) holding ``scope``; ``targets`` the targets table;
    ``province`` the province of an office scope ("36/366"), whose targets it is held to.
    Rows with a target come first, in campaign group order.
    """
    rows = ind[ind["scope"] == scope]
    if rows.empty:
        raise ValueError(f"no data for {scope!r} in this period")
    period_end = pd.Timestamp(rows["period_end"].iloc[0] if period_end is None else period_end)
    year = schema.statistical_year(period_end)
    year_end = is_year_end(period_end)
    office_scope = str(scope) if province is not None else None
    if province is None:
        province = None if scope == NATIONAL or not str(scope).isdigit() else str(scope)
    applicable = targets_for(targets, province, year, office_scope)
    # Rows as dicts of the columns read here: each is read ~60 times.
    values = {r["indicator"]: r for r in rows[[c for c in _READ if c in rows.columns]].to_dict("records")}
    records = []
    for indicator, record in INDICATORS.items():
        label, group, unit = record.label, record.group, record.unit
        target = applicable.get(indicator)
        if indicator not in values and target is None:
            continue
        row = values.get(indicator)
        actual = None if row is None or pd.isna(row["value"]) else float(row["value"])
        rec = dict(indicator=indicator, label=label, group=group, unit=unit, actual=actual,
                   numerator=None if row is None else row["numerator"],
                   denominator=None if row is None else row["denominator"],
                   formula=None if row is None else row["formula"],
                   formula_vi=None if row is None else row["formula_vi"],
                   note=None if row is None or pd.isna(row.get("note")) else row["note"],
                   target=None, comparator=None, target_text="", gap=None, gap_text="", attainment=None, status=None,
                   status_label="", projection=None, required_rate=None, source=None)
        if target is not None:
            projection = None
            if indicator in ("completion_rate_cases", "completion_rate_money"):
                key = "projected_" + indicator
                if key in values and not pd.isna(values[key]["value"]):
                    projection = float(values[key]["value"])
                if not year_end and row is not None:
                    rec["required_rate"] = required_remaining_rate(row["numerator"], row["denominator"], target.value)
            gap = None if actual is None else gap_of(actual, target)
            met = None if actual is None else _met(record, target, actual, rec["numerator"])
            status = _status(met, target, projection, year_end)
            rec.update(target=target.value, comparator=COMPARATOR_WORDS[target.comparator],
                       target_text=target_text(target, unit), gap=gap,
                       gap_text=gap_text(gap, unit, bool(met), target, actual),
                       projection=projection, status=status, status_label=status_label(status),
                       source=target.source)
            if actual is not None and target.comparator in (">=", ">") and target.value > 0:
                rec["attainment"] = actual / target.value * 100
        records.append(rec)
    # Rows with a target first, then by campaign group, else in catalogue order (a stable sort).
    records.sort(key=lambda r: (pd.isna(r["target"]), _GROUP_ORDER.get(r["group"], len(_GROUP_ORDER))))
    # Built column by column: from_records over dicts was a third of a scorecard's time (63 per analysis).
    columns = {"scope": scope, "period_end": period_end}
    columns.update({key: [r[key] for r in records] for key in (records[0] if records else ())})
    return pd.DataFrame(columns, index=pd.RangeIndex(len(records)))


def ranks(ind: pd.DataFrame, indicator: str, higher_is_better: bool = True) -> pd.DataFrame:
    """National and regional rank of each province on one indicator (ties share the best rank).

    ``ind`` is a province-level indicator table. Provinces without a value get no rank.
    """
    rows = ind[ind["indicator"] == indicator][["scope", "value"]].rename(columns={"scope": "province_code"})
    region = provinces().set_index("code")["region"]
    rows = rows.assign(region=rows["province_code"].map(region))
    values = rows["value"].astype(float)
    rows["rank_national"] = values.rank(ascending=not higher_is_better, method="min").astype("Int64")
    rows["rank_region"] = (values.groupby(rows["region"]).rank(ascending=not higher_is_better, method="min")
                           .astype("Int64"))
    rows["n_national"] = int(values.notna().sum())
    rows["n_region"] = rows["region"].map(values.notna().groupby(rows["region"]).sum()).astype(int)
    return rows.sort_values(["rank_national", "province_code"]).reset_index(drop=True)


def emulation_table(ind: pd.DataFrame, targets: pd.DataFrame, scorecard=None) -> pd.DataFrame:
    """All provinces ranked for the campaign (rule in EMULATION_RULE).

    One row per province: targets met, targets with data, completion rates, statuses of
    the two completion rates, national and regional rank. ``scorecard(code)``, when given,
    returns the province's ``assess`` table (e.g. from a cache).
    """
    reference = provinces().set_index("code")
    records = []
    for code in sorted(ind.loc[ind["level"] == "province", "scope"].unique()):
        card = assess(ind, targets, code) if scorecard is None else scorecard(code)
        # As lists: pandas filters and lookups on 63 small tables took longer than the scorecards.
        rows = dict(zip(card["indicator"].tolist(), zip(card["actual"].tolist(), card["status"].tolist())))
        scored = [status for _actual, status in rows.values() if isinstance(status, str)]
        cases, money = (rows.get(f"completion_rate_{m}", (np.nan, None)) for m in ("cases", "money"))
        records.append(dict(
            province_code=code, province=reference.at[code, "name"], region=reference.at[code, "region"],
            targets_met=scored.count(MET.code),
            targets_with_data=len(scored) - scored.count(NO_DATA.code),
            targets_at_risk=scored.count(AT_RISK.code),
            completion_rate_cases=cases[0], completion_rate_money=money[0],
            # A province without a money row has no status for it: "no data", like a zero denominator.
            status_cases=cases[1] if isinstance(cases[1], str) else NO_DATA.code,
            status_money=money[1] if isinstance(money[1], str) else NO_DATA.code,
        ))
    table = pd.DataFrame.from_records(records)
    keys = ["targets_met", "completion_rate_cases", "completion_rate_money"]
    # A rate without data sorts after every rate (the rule's last tie-break).
    sortable = table[keys].astype(float).fillna(-np.inf)
    order = sortable.sort_values(keys, ascending=False, kind="stable")
    # "min" ranking over the three keys: a row equal to the one before it shares its rank.
    starts = order.ne(order.shift()).any(axis=1).to_numpy()
    position = np.arange(1, len(order) + 1)
    table.loc[order.index, "rank_national"] = pd.Series(np.where(starts, position, np.nan)).ffill().to_numpy()
    table["rank_national"] = table["rank_national"].astype(int)
    table["rank_region"] = table.groupby("region")["rank_national"].rank(method="min").astype(int)
    return table.sort_values(["rank_national", "province_code"]).reset_index(drop=True)


def money_rate_without_largest(tot: pd.DataFrame, period_end, k: int = 2, label: str = NATIONAL_LABEL) -> pd.DataFrame:
    """Money completion rate of all provinces in ``tot`` (named ``label``) and without the ``k`` with most money.

    ``tot`` is ``totals(frame, "province")``. Money rates are dominated by a few large cases,
    so no binomial funnel: this shows how much the largest provinces move the national rate.
    """
    rows = tot[(tot["period_end"] == pd.Timestamp(period_end)) & (tot["measure"] == "money")
               & (tot["category"] == "all")].set_index("scope")
    largest = list(rows["with_conditions"].astype(float).nlargest(k).index)
    rest = rows.drop(index=largest)
    names = provinces().set_index("code")["short_name"]

    def rate(r):
        den = float(r["with_conditions"].sum())
        return float(r["resolved"].sum()) / den * 100 if den else None

    return pd.DataFrame([
        dict(scope=label, provinces=len(rows), resolved=int(rows["resolved"].sum()),
             with_conditions=int(rows["with_conditions"].sum()), rate=rate(rows), excluded=""),
        dict(scope=f"Trừ {k} tỉnh có số tiền lớn nhất", provinces=len(rest), resolved=int(rest["resolved"].sum()),
             with_conditions=int(rest["with_conditions"].sum()), rate=rate(rest),
             excluded=", ".join(names[c] for c in largest)),
    ])


def region_counts(emulation: pd.DataFrame) -> pd.DataFrame:
    """Per region of the emulation table: provinces (how many) and met_cases (how many met the case rate)."""
    met = emulation["status_cases"] == MET.code
    return emulation.assign(met=met).groupby("region").agg(provinces=("province_code", "size"),
                                                            met_cases=("met", "sum")).astype(int)


def completion_funnel(tot: pd.DataFrame, period_end, p0: float, adjust: str | None = "additive") -> Funnel:
    """Funnel-plot table of the provinces' case completion rates around ``p0`` (a proportion).

    ``tot`` is ``totals(frame, "province")``; p0 is the national rate or the target (e.g. 0.73).
    Its table has one row per province with name, region, counts, rate, limits and flag (funnel.funnel).
    Provinces differ by more than chance (φ far above 1), so limits widen by the between-province
    variance τ² (additive random effects) rather than by √φ, which would widen them alike for
    provinces of every size.
    """
    rows = tot[(tot["period_end"] == pd.Timestamp(period_end)) & (tot["measure"] == "cases")
               & (tot["category"] == "all")].rename(columns={"scope": "province_code"})
    reference = provinces().set_index("code")
    rows = rows.assign(province_name=rows["province_code"].map(reference["short_name"]),
                       region=rows["province_code"].map(reference["region"]))
    return funnel(rows.reset_index(drop=True), p0, adjust=adjust)
