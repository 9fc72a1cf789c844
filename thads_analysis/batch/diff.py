"""What changed between two report folders: input rows, indicator values, statuses and ranks.

Each folder is read back from the inputs snapshot its notebooks name (the validated data,
targets and campaign file they were made from), so the comparison is of exactly what the two
sets of pages showed, revisions of earlier months included.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..analysis.pipeline import Analysis, prepare, scorecard
from ..i18n import _, language
from ..ingest.schema import KEYS, VALUE_COLUMNS, column_text, kind_text
from ..provinces import lookup
from ..vocabulary import NATIONAL

TOLERANCE = 1e-9  # values closer than this are the same number written twice


@dataclass
class Changes:
    """The changes from an old report folder to a new one, each a table (empty when none)."""

    rows: pd.DataFrame  # province_code, period_end, measure, category, column, old, new (input rows)
    values: pd.DataFrame  # scope, indicator, old, new, difference (the new folder's period)
    statuses: pd.DataFrame  # scope, indicator, old, new (status codes)
    ranks: pd.DataFrame  # province_code, old, new (emulation rank)
    national_label: str = "Toàn quốc"  # what the national scope covers in the new folder

    @property
    def empty(self) -> bool:
        return all(t.empty for t in (self.rows, self.values, self.statuses, self.ranks))


def read_folder(folder: Path) -> Analysis:
    """The analysis a report folder was made from, read from the snapshot its notebooks name."""
    folder = Path(folder)
    notebooks = sorted(p for p in folder.glob("*.ipynb") if p.is_file() and not p.is_symlink())
    if not notebooks:
        raise ValueError(_("{folder} holds no report notebook (*.ipynb); give a folder made by thads report").format(
            folder=folder))
    try:
        parameters = json.loads(notebooks[0].read_text(encoding="utf-8"))["metadata"]["papermill"]["parameters"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(_("{notebook} is not a notebook made by thads report ({error}); give a folder made by "
                           "thads report").format(notebook=notebooks[0],
                                                  error=f"{type(exc).__name__}: {exc}")) from None
    named = {k: folder / parameters[k] for k in ("data_path", "targets_path", "campaign_path") if parameters.get(k)}
    missing = [str(p) for p in named.values() if not p.exists()]
    if "data_path" not in named or missing:
        raise ValueError(_("{notebook} does not name an inputs snapshot that is still there ({missing}); re-make "
                           "the reports with thads report").format(
            notebook=notebooks[0], missing=", ".join(missing) or _("no data_path")))
    return prepare(named["data_path"], named.get("targets_path"), parameters.get("year") or None,
                   parameters.get("period_end") or None, campaign=named.get("campaign_path"))


def row_changes(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Every input value that differs, appeared or disappeared, one line per row and column."""
    columns = [c for c in VALUE_COLUMNS if c in old and c in new]
    merged = old[KEYS + columns].merge(new[KEYS + columns], on=KEYS, how="outer", suffixes=("_old", "_new"),
                                       indicator=True)
    lines = []
    for row in merged.itertuples(index=False):
        record = row._asdict()
        for column in columns:
            before, after = record[f"{column}_old"], record[f"{column}_new"]
            if pd.isna(before) and pd.isna(after):
                continue
            if pd.isna(before) or pd.isna(after) or before != after:
                lines.append({**{k: record[k] for k in KEYS}, "column": column,
                              "old": None if pd.isna(before) else int(before),
                              "new": None if pd.isna(after) else int(after)})
    return pd.DataFrame(lines, columns=[*KEYS, "column", "old", "new"])


def _scorecards(analysis: Analysis) -> pd.DataFrame:
    codes = sorted(set(analysis.indicators["province"]["scope"]))
    cards = [scorecard(analysis, code).assign(scope=code) for code in codes if code not in analysis.set_aside]
    cards.append(scorecard(analysis, NATIONAL).assign(scope=NATIONAL))
    return pd.concat(cards, ignore_index=True)[["scope", "indicator", "actual", "status"]]


def compare(old: Analysis, new: Analysis) -> Changes:
    """The changes from ``old`` to ``new`` (two analyses, usually two report folders)."""
    rows = row_changes(old.frame, new.frame)
    before, after = _scorecards(old), _scorecards(new)
    both = before.merge(after, on=["scope", "indicator"], how="outer", suffixes=("_old", "_new"))
    a, b = both["actual_old"].astype(float), both["actual_new"].astype(float)
    moved = ((a - b).abs() > TOLERANCE) | (a.isna() != b.isna())
    values = both.loc[moved, ["scope", "indicator"]].assign(old=a[moved], new=b[moved], difference=(b - a)[moved])
    status_moved = both["status_old"].fillna("") != both["status_new"].fillna("")
    statuses = both.loc[status_moved, ["scope", "indicator", "status_old", "status_new"]].rename(
        columns={"status_old": "old", "status_new": "new"})
    ranks = old.emulation()[["province_code", "rank_national"]].merge(
        new.emulation()[["province_code", "rank_national"]], on="province_code", how="outer", suffixes=("_old", "_new"))
    ranks = ranks[ranks["rank_national_old"].fillna(-1) != ranks["rank_national_new"].fillna(-1)].rename(
        columns={"rank_national_old": "old", "rank_national_new": "new"})
    return Changes(rows.reset_index(drop=True), values.reset_index(drop=True), statuses.reset_index(drop=True),
                   ranks.reset_index(drop=True), new.coverage.label())


def _scope_name(scope: str) -> str:
    return _("national") if scope == NATIONAL else f"{scope} {lookup(scope).short_name}"


def _indicator_name(indicator: str) -> str:
    """An indicator as the terminal names it: its id in English, its Vietnamese label in Vietnamese."""
    from ..analysis.catalogue import INDICATORS

    return INDICATORS[indicator].label if language() == "vi" and indicator in INDICATORS else indicator


def _status_name(status) -> str:
    """A status as the terminal names it: its code in English, its label in Vietnamese; "—" for none."""
    from ..vocabulary import status_label

    if language() != "vi":
        return status or "—"
    return "—" if status is None or pd.isna(status) or not status else status_label(status) or str(status)


def _number(value, decimals: int = 2) -> str:
    if value is None or pd.isna(value):
        return "—"
    text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:,.0f}"
    text = "0" if text in ("-0", "") else text
    # Vietnamese writes 5.422 for five thousand and 81,25 for a rate: the separators swapped.
    return text.translate(str.maketrans(",.", ".,")) if language() == "vi" else text


def html_report(changes: Changes, old: Path, new: Path) -> str:
    """The changes as a Vietnamese HTML page (jinja2, autoescaped)."""
    from ..analysis.catalogue import INDICATORS
    from ..ingest.schema import CATEGORY_LABELS, LABELS, MEASURE_LABELS
    from ..numbers import signed_points, value_text, with_minus_sign
    from ..reporting.templating import ENV

    def scope(code: str) -> str:
        return changes.national_label if code == NATIONAL else lookup(code).name

    def change(value: float, unit: str) -> str:
        if unit == "%":  # a change too small for two decimals still shows
            return signed_points(value, 2 if abs(value) >= 0.005 else 4)
        return ("+" if value > 0 else "") + with_minus_sign(value_text(value, unit))

    rows = [dict(scope=scope(r.province_code), period=pd.Timestamp(r.period_end).strftime("%d/%m/%Y"),
                 what=f"{MEASURE_LABELS[r.measure]}, {CATEGORY_LABELS[r.category]}", column=LABELS.get(r.column, r.column),
                 old=r.old, new=r.new) for r in changes.rows.itertuples()]
    label = {k: v.label for k, v in INDICATORS.items()}
    unit = {k: v.unit for k, v in INDICATORS.items()}
    values = [dict(scope=scope(r.scope), label=label.get(r.indicator, r.indicator),
                   old=with_minus_sign(value_text(r.old, unit.get(r.indicator, ""))),
                   new=with_minus_sign(value_text(r.new, unit.get(r.indicator, ""))),
                   difference="—" if pd.isna(r.difference) else change(r.difference, unit.get(r.indicator, "")))
              for r in changes.values.itertuples()]
    statuses = [dict(scope=scope(r.scope), label=label.get(r.indicator, r.indicator), old=r.old, new=r.new)
                for r in changes.statuses.itertuples()]
    ranks = [dict(scope=scope(r.province_code), old=r.old, new=r.new) for r in changes.ranks.itertuples()]
    return ENV.get_template("diff.html.j2").render(old=Path(old).name, new=Path(new).name, rows=rows, values=values,
                                                   statuses=statuses, ranks=ranks)


def text_report(changes: Changes, old: Path, new: Path) -> list[str]:
    """The changes as lines for the terminal."""
    if changes.empty:
        return [_("No change between {old} and {new}.").format(old=old, new=new)]
    lines = [_("Changes from {old} to {new}:").format(old=old, new=new)]
    if not changes.rows.empty:
        lines.append(_("Input rows: {count} value(s) changed").format(count=len(changes.rows)))
        for r in changes.rows.itertuples():
            lines.append(f"  {_scope_name(r.province_code)} {pd.Timestamp(r.period_end).strftime('%d/%m/%Y')} "
                         f"{kind_text(r.measure, r.category)} {column_text(r.column)}: {_number(r.old)} → "
                         f"{_number(r.new)}")
    if not changes.values.empty:
        lines.append(_("Indicators: {count} value(s) changed").format(count=len(changes.values)))
        for r in changes.values.itertuples():
            lines.append(f"  {_scope_name(r.scope)} {_indicator_name(r.indicator)}: {_number(r.old)} → "
                         f"{_number(r.new)} ({'+' if r.difference > 0 else ''}{_number(r.difference, 4)})")
    if not changes.statuses.empty:
        lines.append(_("Statuses: {count} changed").format(count=len(changes.statuses)))
        for r in changes.statuses.itertuples():
            lines.append(f"  {_scope_name(r.scope)} {_indicator_name(r.indicator)}: {_status_name(r.old)} → "
                         f"{_status_name(r.new)}")
    if not changes.ranks.empty:
        lines.append(_("Emulation ranks: {count} changed").format(count=len(changes.ranks)))
        for r in changes.ranks.itertuples():
            lines.append(f"  {_scope_name(r.province_code)}: {_number(r.old)} → {_number(r.new)}")
    return lines
