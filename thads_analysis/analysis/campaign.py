"""The campaign window: what each scope achieved between two dates, from monthly cumulative reports.

Reports are cumulative from 01/10, so a flow inside a window [start, end] is the value at the
end minus the value at the month end before the start (0 when the window opens on 01/10).
Every month end from the one before the start to the end must be in the data; otherwise the
indicator is "no data" and the missing months are named. A cumulative value that falls
inside the window (a downward revision) also gives "no data" with a note, never a silently
negative result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..i18n import N_, _, day
from ..ingest import schema
from ..ingest.schema import DataError, Problem
from ..paths import TARGETS_DIR
from ..provinces import provinces
from ..vocabulary import KEY_CATEGORIES, NATIONAL
from .indicators import COLUMNS, completion_rates, indicator_row

DEFAULT_CAMPAIGN = TARGETS_DIR / "campaign_2017.yaml"
WINDOW_RULE = ("Xếp hạng thi đua trong đợt: tỷ lệ thi hành xong trong đợt về việc = số việc thi hành xong trong đợt "
               "/ số việc có điều kiện phải giải quyết trong đợt (số có điều kiện cuối đợt − số đã xong trước đợt); "
               "cao hơn xếp trên, bằng nhau thì cùng hạng.")


@dataclass(frozen=True)
class Campaign:
    """A campaign: its window, milestones and optional window targets."""

    name: str
    document: str
    document_date: pd.Timestamp
    year: int
    start: pd.Timestamp
    end: pd.Timestamp
    window_source: str
    milestones: list = field(default_factory=list)  # [(Timestamp, label)]
    window_targets: list = field(default_factory=list)  # dicts in the targets-CSV shape
    motto: str = ""
    window_confirmed: bool = True  # False: the window's dates are a default, not read in the plan

    @property
    def before_start(self) -> pd.Timestamp | None:
        """The month end whose cumulative values are subtracted; None when the window opens on 01/10."""
        if self.start == schema.year_start(schema.statistical_year(self.start)):
            return None
        return self.start - pd.Timedelta(days=1)

    def shifted(self, years: int) -> "Campaign":
        """The same window ``years`` later (−1: the previous statistical year)."""
        def move(d):
            # Month ends stay month ends (29/02/2016 → 28/02/2017); other dates keep their day.
            moved = d + pd.DateOffset(years=years)
            return moved + pd.offsets.MonthEnd(0) if d.is_month_end else moved

        return Campaign(self.name, self.document, self.document_date, self.year + years, move(self.start),
                        move(self.end), self.window_source, [(move(d), l) for d, l in self.milestones], [], self.motto,
                        self.window_confirmed)

    @property
    def label(self) -> str:
        return f"{self.start.strftime('%d/%m/%Y')}–{self.end.strftime('%d/%m/%Y')}"


def _date(value, display: str, key: str) -> pd.Timestamp:
    if isinstance(value, (dt.date, dt.datetime)):
        return pd.Timestamp(value)
    try:
        return pd.Timestamp(dt.datetime.strptime(str(value).strip(), "%d/%m/%Y"))
    except ValueError:
        raise DataError([Problem(display, N_("wrong type"), _("{key} {value!r} is not a date written dd/mm/yyyy")
                                 .format(key=key, value=value), column=key)]) from None


def read_campaign(path=DEFAULT_CAMPAIGN) -> Campaign:
    """Read and check a campaign definition (YAML); raises DataError naming what is wrong."""
    path = Path(path)
    display = str(path.name)
    if not path.exists():
        raise DataError([Problem(display, N_("missing file"), _("no such campaign file; check the path"))])
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, ValueError, UnicodeDecodeError) as exc:  # PyYAML raises ValueError for a date such as 2017-13-01
        raise DataError([Problem(display, N_("unreadable file"),
                                 _("not valid YAML: {error}").format(error=exc))]) from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("window", {}), (dict, type(None))):
        raise DataError([Problem(display, N_("unreadable file"), _(
            "expected keys name, document, document_date, year and window (with start and end); see "
            "data/targets/campaign_2017.yaml"))])
    missing = [k for k in ("name", "document", "document_date", "year", "window") if k not in raw]
    if missing:
        raise DataError([Problem(display, N_("missing column"), _("{key!r} is required").format(key=k), column=k)
                         for k in missing])
    window = raw["window"] or {}
    start = _date(window.get("start"), display, "window.start")
    end = _date(window.get("end"), display, "window.end")
    try:
        year = int(raw["year"])
    except (TypeError, ValueError):
        raise DataError([Problem(display, N_("wrong type"), _("year {value!r} is not a year such as 2017").format(
            value=raw["year"]), column="year")]) from None
    problems = []
    if start.day != 1:
        problems.append(Problem(display, N_("window"), _("window start {start} must be the first day of a month "
                                                         "(reports are monthly)").format(start=day(start)),
                                column="window.start"))
    if not end.is_month_end:
        problems.append(Problem(display, N_("window"), _("window end {end} must be the last day of a month").format(
            end=day(end)), column="window.end"))
    if end < start:
        problems.append(Problem(display, N_("window"), _("window end {end} is before its start {start}").format(
            end=day(end), start=day(start)), column="window.end"))
    if schema.statistical_year(start) != year or schema.statistical_year(end) != year:
        problems.append(Problem(display, N_("window"), _("the window must lie in statistical year {year} "
                                                         "(01/10/{previous}–30/09/{year})").format(
            year=year, previous=year - 1), column="window"))
    if problems:
        raise DataError(problems)
    milestones = [(_date(m["date"], display, "milestones.date"), str(m["label"])) for m in raw.get("milestones") or []]
    return Campaign(str(raw["name"]), str(raw["document"]), _date(raw["document_date"], display, "document_date"),
                    year, start, end, str(window.get("source", "")), milestones, list(raw.get("window_targets") or []),
                    str(raw.get("motto", "")), bool(window.get("confirmed", True)))


# ---------------------------------------------------------------- window indicators

def _window_values(tot: pd.DataFrame, campaign: Campaign, measure: str, category: str,
                   province_tot: pd.DataFrame | None = None, known: dict | None = None) -> tuple[pd.DataFrame, dict]:
    """Per scope: the window's flows and stocks, and a note for each scope without a number.

    A month counts only when its report is there with every value the window uses and, for a
    sum of provinces, with as many provinces as the scope's fullest month. A region or the
    nation is also withheld when one of its provinces is (``province_tot``, the province-level
    totals, tells which). Rates are NaN where their denominator is missing or zero. ``known``: the
    province-level answers already worked out for these province totals (``window_indicators``).
    """
    if known is None or not (tot["level"] == "province").all():
        return _compute_window_values(tot, campaign, measure, category, province_tot, known)
    key = (campaign.start, campaign.end, campaign.before_start, measure, category)
    if key not in known:
        known[key] = _compute_window_values(tot, campaign, measure, category, province_tot, known)
    return known[key]


_WINDOW_COLUMNS = ["resolved", "new_accepted", "with_conditions", "carry_forward_with_conditions", "carried_over"]


def _compute_window_values(tot, campaign, measure, category, province_tot, known):
    """``_window_values`` worked out on a scopes × months grid of the window's reports (pandas
    filters and reshapes per scope were most of the campaign window's time)."""
    rows = tot[(tot["measure"] == measure) & (tot["category"] == category)]
    needed = list(pd.date_range(campaign.start, campaign.end, freq="ME"))
    if campaign.before_start is not None:
        needed = [campaign.before_start, *needed]
    scopes = sorted(rows["scope"].unique())
    keyed = rows.set_index(["scope", "period_end"])
    # One row per scope and month of the window, in that order; NA where the report is not there.
    grid = keyed[_WINDOW_COLUMNS].reindex(pd.MultiIndex.from_product([scopes, needed]))
    shape = (len(scopes), len(needed))
    present = grid.index.isin(keyed.index).reshape(shape)
    values = {c: grid[c].to_numpy(dtype=float, na_value=np.nan).reshape(shape) for c in _WINDOW_COLUMNS}
    usable = present & ~np.any([np.isnan(v) for v in values.values()], axis=0)
    if "n_provinces" in keyed:
        # A month summed over fewer provinces than the scope's fullest month is not comparable.
        counts = keyed["n_provinces"].reindex(grid.index).to_numpy(dtype=float, na_value=np.nan).reshape(shape)
        fullest = np.nanmax(np.where(present, counts, -np.inf), axis=1, initial=-np.inf)
        usable &= counts == fullest[:, None]
    notes, complete = {}, []
    for i, scope in enumerate(scopes):
        absent = [d for d, there in zip(needed, present[i]) if not there]
        partial = [d for d, there, whole in zip(needed, present[i], usable[i]) if there and not whole]
        reasons = ([f"thiếu báo cáo tháng {_months(absent)}"] if absent else []) + (
            [f"chưa đủ số liệu tháng {_months(partial)}"] if partial else [])
        if reasons:
            notes[scope] = "; ".join(reasons)
        else:
            complete.append(i)
    if province_tot is not None and complete and (rows["level"] != "province").all():
        _values, withheld = _window_values(province_tot, campaign, measure, category, known=known)
        region_of = provinces().set_index("code")
        for i in complete:
            members = [code for code in withheld if scopes[i] == NATIONAL or region_of.at[code, "region"] == scopes[i]]
            if members:
                names = ", ".join(region_of.at[code, "short_name"] for code in members)
                notes[scopes[i]] = f"không tính vì số liệu trong đợt của {names} không dùng được"
    kept = []
    for i in complete:
        if scopes[i] in notes:
            continue
        # Cumulative values below the month before: a correction the window cannot be read across.
        fell = [f"{c} giảm ở {d.strftime('%m/%Y')}" for c in ("resolved", "new_accepted")
                for d, down in zip(needed[1:], np.diff(values[c][i]) < 0) if down]
        if fell:
            notes[scopes[i]] = "số liệu lũy kế bị điều chỉnh giảm (" + "; ".join(fell) + ")"
        else:
            kept.append(i)
    if not kept:
        return pd.DataFrame(columns=["resolved", "new_accepted", "rate_end", "rate_start", "cfwc_end", "cfwc_start",
                                     "open_in_window"]), notes
    names = [scopes[i] for i in kept]
    # The rows at the window's last (and first) month, as the totals hold them (their own types).
    last = grid.iloc[[i * len(needed) + len(needed) - 1 for i in kept]].set_axis(names)
    if campaign.before_start is not None:
        first = grid.iloc[[i * len(needed) for i in kept]].set_axis(names)
        resolved_before, new_before = first["resolved"], first["new_accepted"]
        rate_start, cfwc_start = completion_rates(first), first["carry_forward_with_conditions"]
    else:
        # A window from 01/10 starts from nothing resolved and last year's carry-forward with
        # conditions (NA when last year's report is not in the data).
        resolved_before = new_before = 0
        year_before = rows[rows["period_end"] == schema.year_end(campaign.year - 1)].set_index("scope")
        rate_start = pd.Series(0.0, index=last.index)
        cfwc_start = year_before["carry_forward_with_conditions"].reindex(last.index)
    out = pd.DataFrame({
        "resolved": last["resolved"] - resolved_before,
        "new_accepted": last["new_accepted"] - new_before,
        "rate_end": completion_rates(last), "rate_start": rate_start,
        "cfwc_end": last["carry_forward_with_conditions"], "cfwc_start": cfwc_start,
        # Cases with conditions open at some point in the window: all of them at the end, less
        # those already resolved before it opened.
        "open_in_window": last["with_conditions"] - resolved_before,
    })
    out.columns.name = None
    return out, notes


def _months(dates: list) -> str:
    return ", ".join(d.strftime("%m/%Y") for d in dates)


def window_indicators(tot: pd.DataFrame, campaign: Campaign, province_tot: pd.DataFrame | None = None,
                      known: dict | None = None) -> pd.DataFrame:
    """Window indicators of every scope in ``tot`` (indicators.totals output): a long table.

    ``province_tot`` (province-level totals) withholds a region or the nation when one of its
    provinces has no window number. ``known``: a dict the caller keeps across the levels of one
    analysis (the same province totals), so each province-level window is worked out once.
    Columns: scope, indicator, measure, category, value, numerator, denominator, formula,
    formula_vi, note.
    """
    previous = campaign.shifted(-1)
    span = campaign.label
    rows = []

    start = campaign.before_start if campaign.before_start is not None else "01/10"
    dates = dict(start=start, end=campaign.end, window=span, previous_window=previous.label)

    def add(scope, indicator, measure, category, value, num=pd.NA, den=pd.NA, note=""):
        rows.append(indicator_row(scope, indicator, measure, category, pd.NA if value is None else value, num, den, note,
                         **dates))

    for m in schema.MEASURES:
        now, notes = _window_values(tot, campaign, m, "all", province_tot, known)
        before, notes_before = _window_values(tot, previous, m, "all", province_tot, known)
        scopes = sorted(tot.loc[tot["measure"] == m, "scope"].unique())
        for s in scopes:
            prev = before.at[s, "resolved"] if s in before.index else pd.NA  # last year's, also without this year's
            if s not in now.index:
                for key in ["resolved", "new_accepted", "rate_gain", "carry_forward_with_conditions_change",
                            "resolved_share", "resolved_change"]:
                    add(s, f"window_{key}_{m}", m, "all", None, den=prev if key == "resolved_change" else pd.NA,
                        note=notes.get(s, "không có số liệu"))
                continue
            r = now.loc[s]
            add(s, f"window_resolved_{m}", m, "all", float(r["resolved"]), r["resolved"], pd.NA)
            add(s, f"window_new_accepted_{m}", m, "all", float(r["new_accepted"]), r["new_accepted"], pd.NA)
            gain = None if pd.isna(r["rate_end"]) or pd.isna(r["rate_start"]) else r["rate_end"] - r["rate_start"]
            add(s, f"window_rate_gain_{m}", m, "all", gain)
            change = (None if pd.isna(r["cfwc_start"]) or r["cfwc_start"] == 0
                      else (float(r["cfwc_end"]) - float(r["cfwc_start"])) / float(r["cfwc_start"]) * 100)
            start_note = ("" if not pd.isna(r["cfwc_start"]) else
                          f"thiếu báo cáo 30/09/{campaign.year - 1} (số có điều kiện chuyển sang đầu đợt)")
            add(s, f"window_carry_forward_with_conditions_change_{m}", m, "all", change,
                r["cfwc_end"] - r["cfwc_start"], r["cfwc_start"], start_note)
            share = (None if pd.isna(r["open_in_window"]) or r["open_in_window"] <= 0
                     else float(r["resolved"]) / float(r["open_in_window"]) * 100)
            add(s, f"window_resolved_share_{m}", m, "all", share, r["resolved"], r["open_in_window"])
            if not pd.isna(prev) and prev != 0:
                add(s, f"window_resolved_change_{m}", m, "all", (float(r["resolved"]) - float(prev)) / float(prev) * 100,
                    r["resolved"], prev)
            else:
                why = "không thi hành xong việc nào" if not pd.isna(prev) else notes_before.get(s, "không có số liệu")
                add(s, f"window_resolved_change_{m}", m, "all", None, r["resolved"], prev,
                    note=f"cùng đợt năm trước ({previous.label}): {why}")
        for c in KEY_CATEGORIES:
            cat, cat_notes = _window_values(tot, campaign, m, c, province_tot, known)
            for s in sorted(tot.loc[(tot["measure"] == m) & (tot["category"] == c), "scope"].unique()):
                if s in cat.index:
                    add(s, f"window_resolved_{m}_{c}", m, c, float(cat.at[s, "resolved"]), cat.at[s, "resolved"])
                else:
                    add(s, f"window_resolved_{m}_{c}", m, c, None, note=cat_notes.get(s, "không có số liệu"))
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["value"] = pd.to_numeric(out["value"].astype(object).where(out["value"].notna(), None),
                                 errors="coerce").astype("Float64")
    return out


def window_ranking(window: pd.DataFrame) -> pd.DataFrame:
    """Provinces ranked on their completion rate inside the window (WINDOW_RULE).

    ``window`` is the province-level window_indicators table. Ties share the best rank.
    """
    rows = window[window["indicator"] == "window_resolved_share_cases"][["scope", "value", "numerator",
                                                                        "denominator"]]
    rows = rows.rename(columns={"scope": "province_code", "value": "score", "numerator": "resolved",
                                "denominator": "open_in_window"})
    reference = provinces().set_index("code")
    rows = rows.assign(province=rows["province_code"].map(reference["name"]),
                       region=rows["province_code"].map(reference["region"]))
    score = rows["score"].astype(float)
    rows["rank_national"] = score.rank(ascending=False, method="min").astype("Int64")
    rows["rank_region"] = score.groupby(rows["region"]).rank(ascending=False, method="min").astype("Int64")
    return rows.sort_values(["rank_national", "province_code"], na_position="last").reset_index(drop=True)


def window_paths(tot: pd.DataFrame, campaign: Campaign, measure: str = "cases",
                 province_tot: pd.DataFrame | None = None) -> pd.DataFrame:
    """Month by month inside the window, per scope: resolved since it opened, as a share (%) of the
    cases with conditions to resolve in it so far; this year and the same window last year.

    Columns: region (the scope), month (1 = first month of the window), share, year. Scopes
    without a window number are left out (window_indicators says why).
    """
    rows = []
    data = tot[(tot["measure"] == measure) & (tot["category"] == "all")]
    for window in (campaign, campaign.shifted(-1)):
        months = list(pd.date_range(window.start, window.end, freq="ME"))
        values, _notes = _window_values(tot, window, measure, "all", province_tot)
        for scope, own in data[data["scope"].isin(values.index)].groupby("scope"):
            own = own.set_index("period_end")
            before = own.loc[window.before_start, "resolved"] if window.before_start is not None else 0
            for i, month in enumerate(months, start=1):
                done = float(own.at[month, "resolved"] - before)
                open_ = float(own.at[month, "with_conditions"] - before)
                rows.append(dict(region=scope, month=i, share=done / open_ * 100 if open_ > 0 else None,
                                 year=str(window.year)))
    return pd.DataFrame(rows, columns=["region", "month", "share", "year"])
