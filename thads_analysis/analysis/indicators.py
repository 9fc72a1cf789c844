"""Indicators of the 2017 campaign for provinces, regions and the nation, at any period.

Everything starts from ``totals``: counts summed over the provinces of a scope (never averaged
rates), with the derived columns of the report table ([GSO-DT2019]). ``indicators`` turns the totals of one period
into a long table, one row per scope × indicator, keeping numerator and denominator so that
every number can be proved. A zero or missing denominator gives "no data" (NA), never 0%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..i18n import _
from ..ingest import schema
from ..provinces import REGIONS, lookup, provinces
from ..vocabulary import KEY_CATEGORIES, NATIONAL, NATIONAL_LABEL, is_year_end, months_elapsed
from .catalogue import describe, formulas

TOTAL_KEYS = ["scope", "period_end", "measure", "category"]


# ---------------------------------------------------------------- scopes and totals


def scope_name(scope: str) -> str:
    """Display name of a scope in Vietnamese (2017 names for provinces)."""
    if scope == NATIONAL:
        return NATIONAL_LABEL
    if scope in REGIONS:
        return scope
    return lookup(scope).name


def totals(frame: pd.DataFrame, level: str = "province") -> pd.DataFrame:
    """Sum a canonical frame by scope: ``level`` is "province", "region" or "national".

    Returns one row per scope × period_end × measure × category with the value columns
    (NA where any province of the scope lacks the value), the derived columns and
    ``n_provinces``.
    """
    data = frame.copy()
    if level == "province":
        data["scope"] = data["province_code"].astype(str)
    elif level == "region":
        region_of = provinces().set_index("code")["region"]
        data["scope"] = data["province_code"].astype(str).map(region_of)
    elif level == NATIONAL:
        data["scope"] = NATIONAL
    else:
        raise ValueError(f"unknown level {level!r}; use province, region or national")
    values = [c for c in schema.VALUE_COLUMNS if c in data]
    grouped = data.groupby(TOTAL_KEYS, sort=True, observed=True)
    summed = grouped[values].sum(min_count=1)
    missing = data[values].isna().groupby([data[k] for k in TOTAL_KEYS], observed=True).any()
    summed = summed.mask(missing.reindex(summed.index))
    summed["n_provinces"] = grouped["province_code"].nunique()
    summed["missing_provinces"] = ""
    if level != "province":
        # A province that reports in the statistical year but lacks this period's report, or this
        # measure's or category's row, would silently drop out of the sum: the scope's total is
        # then "no data", naming it.
        year = schema.statistical_year(data["period_end"]).rename("year")
        present = data.groupby(["scope", year], observed=True)["province_code"].agg(frozenset)
        members = grouped["province_code"].agg(frozenset)
        keys = summed.index.droplevel(["measure", "category"])
        wanted = pd.MultiIndex.from_arrays([keys.get_level_values("scope"),
                                            schema.statistical_year(keys.get_level_values("period_end"))])
        expected = present.reindex(wanted).to_numpy()
        short = provinces().set_index("code")["short_name"]
        for i, (have, want) in enumerate(zip(members.to_numpy(), expected)):
            if have != want:
                summed.iloc[i, summed.columns.get_indexer(values)] = pd.NA
                summed.iloc[i, summed.columns.get_loc("missing_provinces")] = ", ".join(
                    short.get(c, c) for c in sorted(want - have))
    out = schema.with_derived(summed.reset_index())
    out.insert(0, "level", level)
    return out


def all_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Totals for provinces, regions and the nation together (``level`` tells which)."""
    return pd.concat([totals(frame, lvl) for lvl in ("province", "region", NATIONAL)], ignore_index=True)


def periods(frame: pd.DataFrame, year: int | None = None) -> list[pd.Timestamp]:
    """Period ends in the data, sorted; only those of statistical ``year`` when given."""
    ends = sorted(pd.to_datetime(frame["period_end"]).unique())
    return [pd.Timestamp(p) for p in ends if year is None or schema.statistical_year(p) == year]


def resolve_period(frame: pd.DataFrame, year: int | None = None, period_end=None) -> pd.Timestamp:
    """The period to report: ``period_end`` if given and present, else the latest of ``year``.

    Raises ValueError naming the periods available.
    """
    available = periods(frame)
    shown = ", ".join(p.strftime("%d/%m/%Y") for p in available) or _("none")
    if period_end is not None:
        wanted = pd.Timestamp(period_end)
        if wanted not in available:
            raise ValueError(_("period {period} is not in the data; periods available: {available}").format(
                period=wanted.strftime("%d/%m/%Y"), available=_with_sources(frame, available) or shown))
        if year is not None and schema.statistical_year(wanted) != year:
            raise ValueError(_("period {period} is not in statistical year {year} "
                               "(01/10/{previous}–30/09/{year})").format(
                period=wanted.strftime("%d/%m/%Y"), year=year, previous=year - 1))
        return wanted
    candidates = periods(frame, year)
    if not candidates:
        raise ValueError(_("no period of statistical year {year} in the data; periods available: {available}")
                         .format(year=year, available=shown))
    return candidates[-1]


def _with_sources(frame: pd.DataFrame, available: list) -> str:
    """"30/06/2017 (from nam_dinh.xlsx[Việc], nam_dinh.xlsx[Tiền])" when the data has a few periods, so
    that a user who asked for another sees which file (a form: its title) gives the period; else ""."""
    if "source_file" not in frame or not 0 < len(available) <= 3:
        return ""
    texts = []
    for period in available:
        sources = list(dict.fromkeys(frame.loc[frame["period_end"] == period, "source_file"].astype(str)))
        more = _(" and {count} more").format(count=len(sources) - 2) if len(sources) > 2 else ""
        texts.append(_("{period} (from {sources}{more})").format(
            period=f"{period:%d/%m/%Y}", sources=", ".join(sources[:2]), more=more))
    return ", ".join(texts)


# ---------------------------------------------------------------- indicators


def ratio(num, den, factor: float = 100.0):
    """num / den × factor element-wise (nullable floats); NA where either is missing or den is 0."""
    num, den = pd.to_numeric(num, errors="coerce"), pd.to_numeric(den, errors="coerce")
    if not num.index.equals(den.index):
        num, den = num.align(den)
    # On the float arrays, NaN standing for NA: nullable arithmetic took ~1 ms a call, 150 calls an analysis.
    n, d = (s.to_numpy(dtype=float, na_value=np.nan) for s in (num, den))
    with np.errstate(divide="ignore", invalid="ignore"):
        values = n / np.where(d != 0, d, np.nan) * factor
    name = num.name if num.name == den.name else None
    return pd.Series(pd.array(values, dtype="Float64"), index=num.index, name=name)


COLUMNS = ["scope", "indicator", "measure", "category", "value", "numerator", "denominator", "formula", "formula_vi",
           "note"]


def completion_rates(rows: pd.DataFrame) -> pd.Series:
    """The completion rate (%) of each row: resolved / with_conditions × 100, NaN where it has none."""
    return ratio(rows["resolved"], rows["with_conditions"]).astype(float)


def completion_path(tot: pd.DataFrame, scope: str, measure: str, year: int, until) -> pd.DataFrame:
    """Month by month completion rate of one scope in statistical ``year`` up to ``until``.

    ``tot`` is ``totals`` output; returns columns period_end and rate (NaN where there is none).
    """
    rows = tot[(tot["scope"] == scope) & (tot["measure"] == measure) & (tot["category"] == "all")
               & (schema.statistical_year(tot["period_end"]) == year)
               & (tot["period_end"] <= pd.Timestamp(until))].sort_values("period_end")
    return pd.DataFrame({"period_end": rows["period_end"].to_numpy(), "rate": completion_rates(rows).to_numpy()})


def missing_months(path: pd.DataFrame, year: int, until) -> list[pd.Timestamp]:
    """Month ends of statistical ``year`` up to ``until`` that ``completion_path`` has no row for."""
    present = set(path["period_end"])
    return [d for d in pd.date_range(schema.year_start(year), pd.Timestamp(until), freq="ME") if d not in present]


def year_end_carry_over(tot: pd.DataFrame, scope: str, until) -> pd.DataFrame:
    """Carry-over with conditions at each 30/09 up to ``until`` of one scope: year, measure, value."""
    ends = tot[(tot["scope"] == scope) & (tot["category"] == "all") & is_year_end(tot["period_end"])
               & (tot["period_end"] <= pd.Timestamp(until))]
    return pd.DataFrame({"year": ends["period_end"].dt.year, "measure": ends["measure"],
                         "value": ends["carry_forward_with_conditions"].astype(float)})


def indicator_row(scope, indicator, measure, category, value, num, den, note="", **formula_values) -> dict:
    """One row of the long table; the formulas come from the catalogue, filled with ``formula_values``."""
    formula, formula_vi = formulas(indicator, **formula_values)
    return dict(scope=scope, indicator=indicator, measure=measure, category=category, value=value,
                numerator=num, denominator=den, formula=formula, formula_vi=formula_vi, note=note)


def _missing_note(cur: pd.DataFrame, scope, columns: list[str], measure, category, period_end) -> str:
    """Why a value of ``cur`` (rows by scope, from ``_pick``) cannot be computed; "" when it can."""
    row = cur.loc[scope]
    if row.isna().all():
        what = f"{schema.MEASURE_LABELS[measure].lower()}, {schema.CATEGORY_LABELS[category].lower()}"
        return f"không có dòng số liệu ({what}) ngày {pd.Timestamp(period_end).strftime('%d/%m/%Y')}"
    if isinstance(row.get("missing_provinces"), str) and row["missing_provinces"]:
        return f"thiếu dòng số liệu của {row['missing_provinces']}"
    for col in columns:
        if pd.isna(row[col]):
            return f"thiếu số liệu {schema.LABELS.get(col, col)}"
    if columns and row[columns[-1]] == 0:
        return f"{schema.LABELS.get(columns[-1], columns[-1])} bằng 0"
    return ""


def _pick(tot: pd.DataFrame, period, measure, category, scopes=None) -> pd.DataFrame:
    """Rows of one period, measure and category by scope; ``scopes`` adds empty rows for those absent."""
    rows = tot[(tot["period_end"] == period) & (tot["measure"] == measure) & (tot["category"] == category)]
    rows = rows.set_index("scope")
    return rows if scopes is None else rows.reindex(scopes)


def _rate_rows(cur, indicator, measure, category, num_col, den_col, period_end=None) -> list[dict]:
    values = ratio(cur[num_col], cur[den_col])
    return [indicator_row(s, indicator, measure, category, values[s], cur.at[s, num_col], cur.at[s, den_col],
                 "" if pd.notna(values[s]) else _missing_note(cur, s, [num_col, den_col], measure, category, period_end))
            for s in cur.index]


def projected_rate(path: pd.DataFrame, period_end) -> float | None:
    """Year-end completion rate projected from the monthly cumulative path up to ``period_end``.

    ``path`` has period_end, resolved, with_conditions for one scope and measure. The projection
    extends the least-squares line through the last three monthly rates (fewer if fewer
    exist, at least two) to September, kept within [0, 100]. At 30/09 it is the actual rate.
    THADS results accelerate before 30/09, so the line tends to understate the year end.
    """
    period_end = pd.Timestamp(period_end)
    year = schema.statistical_year(period_end)
    path = path[(path["period_end"] <= period_end)
                & (schema.statistical_year(path["period_end"]) == year)].sort_values("period_end")
    rates = completion_rates(path)
    months = months_elapsed(path["period_end"]).astype(float)
    ok = rates.notna()
    rates, months = rates[ok].to_numpy(), months[ok].to_numpy()
    if len(rates) == 0:
        return None
    if months[-1] == 12:
        return float(rates[-1])
    if len(rates) < 2:
        return None
    rates, months = rates[-3:], months[-3:]
    slope, intercept = np.polyfit(months, rates, 1)
    return float(min(100.0, max(0.0, intercept + slope * 12)))


def projected_rates(paths: pd.DataFrame, period_end) -> dict:
    """``projected_rate`` for every scope of ``paths`` (scope, period_end, resolved, with_conditions) at once."""
    period_end = pd.Timestamp(period_end)
    year = schema.statistical_year(period_end)
    if paths.empty:
        return {}
    data = paths[(paths["period_end"] <= period_end)
                 & (schema.statistical_year(paths["period_end"]) == year)].sort_values(["scope", "period_end"])
    if data.empty:
        return {}
    data = data.assign(rate=completion_rates(data),
                       month=months_elapsed(data["period_end"]).astype(float)).dropna(subset=["rate"])
    out: dict = {}
    if data.empty:
        return out
    last = data.groupby("scope").tail(3)
    grouped = last.groupby("scope")
    n = grouped["rate"].size()
    final = grouped[["month", "rate"]].last()
    mx, my = grouped["month"].mean(), grouped["rate"].mean()
    dx = last["month"] - last["scope"].map(mx)
    dy = last["rate"] - last["scope"].map(my)
    slope = (dx * dy).groupby(last["scope"]).sum() / (dx * dx).groupby(last["scope"]).sum()
    for scope in n.index:
        if final.at[scope, "month"] == 12:
            out[scope] = float(final.at[scope, "rate"])
        elif n[scope] >= 2:
            value = my[scope] + slope[scope] * (12 - mx[scope])
            out[scope] = float(min(100.0, max(0.0, value)))
    return out


def indicators(frame: pd.DataFrame, period_end, level: str = "province", tot: pd.DataFrame | None = None,
               standing: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every indicator for every scope of ``level`` at ``period_end``: a long table.

    Columns: scope, indicator, measure, category, value, numerator, denominator, formula
    (canonical names), formula_vi (Vietnamese words), note (why a value is missing), label,
    group, unit. ``tot`` may pass precomputed ``totals(frame, level)``.
    """
    period_end = pd.Timestamp(period_end)
    tot = totals(frame, level) if tot is None else tot
    year = schema.statistical_year(period_end)
    prev_end = schema.year_end(year - 1)
    same_point_last_year = period_end - pd.DateOffset(years=1) + pd.offsets.MonthEnd(0)
    rows: list[dict] = []
    # Every scope reporting at the period gets every indicator: a missing measure or category
    # row is "no data" with its reason, never an indicator that silently is not there.
    scopes = sorted(tot.loc[tot["period_end"] == period_end, "scope"].unique())
    for m in schema.MEASURES:
        cur = _pick(tot, period_end, m, "all", scopes)
        if cur.empty:
            continue
        rows += _rate_rows(cur, f"completion_rate_{m}", m, "all", "resolved", "with_conditions", period_end)
        rows += _rate_rows(cur, f"share_with_conditions_{m}", m, "all", "with_conditions", "to_execute", period_end)
        rows += _rate_rows(cur, f"clearance_rate_{m}", m, "all", "resolved", "new_accepted", period_end)
        for col in ["carry_forward", "carry_forward_with_conditions"]:
            rows += [indicator_row(s, f"{col}_{m}", m, "all", cur.at[s, col], cur.at[s, col], pd.NA,
                          _missing_note(cur, s, [col], m, "all", period_end) if pd.isna(cur.at[s, col]) else "")
                     for s in cur.index]
        for col, name, base, when in [
            ("carry_forward_with_conditions", f"carry_forward_with_conditions_change_{m}", prev_end, "30/09 năm trước"),
            ("carry_forward", f"carry_forward_change_{m}", prev_end, "30/09 năm trước"),
            ("carry_forward_with_conditions", f"carry_forward_with_conditions_change_yoy_{m}", same_point_last_year,
             "cùng kỳ năm trước"),
        ]:
            before = _pick(tot, base, m, "all")[col].reindex(cur.index)
            change = ratio(cur[col] - before, before)
            rows += [indicator_row(s, name, m, "all", change[s], cur.at[s, col] - before[s] if pd.notna(before[s]) else pd.NA,
                          before[s], "" if pd.notna(change[s]) else _missing_note(cur, s, [col], m, "all", period_end)
                          or (f"thiếu báo cáo ngày {base.strftime('%d/%m/%Y')}" if pd.isna(before[s])
                              else f"{schema.LABELS[col]} ngày {base.strftime('%d/%m/%Y')} bằng 0"), base=base)
                     for s in cur.index]
        projected = projected_rates(tot[(tot["measure"] == m) & (tot["category"] == "all")], period_end)
        for s in cur.index:
            value = projected.get(s)
            rows.append(indicator_row(s, f"projected_completion_rate_{m}", m, "all", pd.NA if value is None else value,
                             pd.NA, pd.NA, "" if value is not None else _missing_note(cur, s, ["resolved", "with_conditions"], m, "all",
                                                                        period_end)
                             or "cần tỷ lệ của ít nhất 2 tháng trong năm"))
        for c in KEY_CATEGORIES:
            key = _pick(tot, period_end, m, c)
            if key.empty:
                continue  # the data has no rows of this category at all
            rows += _rate_rows(key.reindex(scopes), f"completion_rate_{m}_{c}", m, c, "resolved", "with_conditions",
                               period_end)
    cases = _pick(tot, period_end, "cases", "all", scopes)
    if not cases.empty:
        days = 365 * months_elapsed(period_end) / 12
        value = ratio(cases["carry_forward"], cases["resolved"], factor=days)
        rows += [indicator_row(s, "disposition_time_cases", "cases", "all", value[s], cases.at[s, "carry_forward"],
                      cases.at[s, "resolved"],
                      "" if pd.notna(value[s]) else _missing_note(cases, s, ["carry_forward", "resolved"], "cases",
                                                                  "all", period_end), days=f"{days:g}")
                 for s in cases.index]
    rows += standing_indicators(standing, period_end, level, scopes)
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["value"] = pd.to_numeric(out["value"].astype(object).where(out["value"].notna(), None),
                                 errors="coerce").astype("Float64")
    out.insert(1, "level", level)
    out.insert(2, "period_end", period_end)
    return describe(out)


# ---------------------------------------------------------------- standing targets

STANDING_RATES = {
    "decisions_on_time_rate": ("decisions_on_time", "decisions_issued"),
    "verification_rate": ("verified", "verification_due"),
    "debtors_published_rate": ("debtors_published", "debtors_without_conditions"),
    "complaints_resolved_rate": ("complaints_resolved", "complaints_due"),
}


def standing_indicators(standing: pd.DataFrame | None, period_end, level: str = "province",
                        scopes: list[str] | None = None) -> list[dict]:
    """Rows for the standing targets from a standing-data frame (schema.STANDING_COLUMNS).

    Rates use the row at ``period_end``; the change in disciplined staff compares the row of
    the statistical year with the previous year's 30/09 row. Every scope of ``scopes`` gets
    every row: without its standing data the value is missing and the note names the data.
    """
    period_end = pd.Timestamp(period_end)
    columns = ["province_code", "period_end", *schema.STANDING_COLUMNS]
    data = (pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "period_end" else "Float64") for c in columns})
            if standing is None else standing.reindex(columns=[*standing.columns,
                                                              *(c for c in columns if c not in standing)]))
    data["scope"] = {"province": data["province_code"].astype(str),
                     "region": data["province_code"].astype(str).map(provinces().set_index("code")["region"]),
                     NATIONAL: pd.Series(NATIONAL, index=data.index, dtype=object)}[level]
    value_cols = list(schema.STANDING_COLUMNS)
    summed = data.groupby(["scope", "period_end"])[value_cols].sum(min_count=1)
    missing = data[value_cols].isna().groupby([data["scope"], data["period_end"]]).any()
    summed = summed.mask(missing).reset_index()
    cur = summed[summed["period_end"] == period_end].set_index("scope")
    cur = cur.reindex(sorted(set(cur.index) | set(scopes or [])))
    rows = []
    for name, (num, den) in STANDING_RATES.items():
        values = ratio(cur[num], cur[den])
        rows += [indicator_row(s, name, pd.NA, pd.NA, values[s], cur.at[s, num], cur.at[s, den],
                               "" if pd.notna(values[s]) else _standing_note(cur, s, [num, den], period_end))
                 for s in cur.index]
    base = schema.year_end(schema.statistical_year(period_end) - 1)
    before = summed[summed["period_end"] == base].set_index("scope")["disciplined_staff"].reindex(cur.index)
    for s in cur.index:
        now = cur.at[s, "disciplined_staff"]
        diff = now - before[s] if pd.notna(before[s]) and pd.notna(now) else pd.NA
        note = (_standing_note(cur, s, ["disciplined_staff"], period_end) if pd.isna(now) else
                "" if pd.notna(before[s]) else
                f"thiếu số liệu chỉ tiêu thường xuyên ngày {base.strftime('%d/%m/%Y')}: {schema.LABELS['disciplined_staff']}")
        rows.append(indicator_row(s, "disciplined_staff_change", pd.NA, pd.NA, diff, now, before[s], note, base=base))
    return rows


def _standing_note(cur: pd.DataFrame, scope, columns: list[str], period_end) -> str:
    """Why a standing-target value of ``scope`` cannot be computed, naming the data it needs."""
    day = pd.Timestamp(period_end).strftime("%d/%m/%Y")
    absent = [schema.LABELS.get(c, c) for c in columns if pd.isna(cur.at[scope, c])]
    if cur.loc[scope].isna().all():
        return f"không có số liệu chỉ tiêu thường xuyên ngày {day} ({', '.join(schema.LABELS.get(c, c) for c in columns)})"
    if absent:
        return f"thiếu số liệu chỉ tiêu thường xuyên ngày {day}: {', '.join(absent)}"
    return f"{schema.LABELS.get(columns[-1], columns[-1])} bằng 0"
