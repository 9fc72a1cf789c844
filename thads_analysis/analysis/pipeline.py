"""One call from files to assessed indicators, shared by the command line and the notebooks.

``prepare`` reads and validates the data and targets, picks the period, and computes the
totals and indicators of provinces, regions and the nation once; ``scorecard`` then gives
any scope's assessment. The same numbers come out of ``thads summary`` and the notebooks.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ..i18n import _
from ..ingest import schema
from ..ingest.io import data_files, is_sample, load_usable, origin_of, set_aside_lines, set_aside_notes
from ..ingest.schema import DataError
from ..paths import DEFAULT_TARGETS, SAMPLE_DIR
from ..provenance import record
from ..provinces import REGIONS, lookup, scope_codes
from .assess import assess, completion_funnel, emulation_table
from .campaign import DEFAULT_CAMPAIGN, read_campaign, window_indicators
from .catalogue import INDICATORS, describe
from .coverage import MIN_FUNNEL_UNITS, Coverage, coverage_of
from .funnel import Funnel
from .indicators import NATIONAL, indicators, periods, resolve_period, totals
from .office_results import office_funnel, office_indicators, office_scope, office_table
from .targets import read_targets, year_warning

LEVELS = ("province", "region", NATIONAL)


class Assessments:
    """The tables assessed from one analysis (scorecards by scope, the emulation table), each
    computed on first use and kept: the reports of a warm kernel share one analysis, so the 63
    scorecards behind the emulation table are computed once. Every caller gets its own copy.
    """

    def __init__(self):
        self._tables: dict[tuple, pd.DataFrame] = {}

    def get(self, key: tuple, compute) -> pd.DataFrame:
        """A copy of the table under ``key``, computed by ``compute()`` the first time."""
        if key not in self._tables:
            self._tables[key] = compute()
        return self._tables[key].copy()


@dataclass
class Analysis:
    """Validated data, targets and the indicators of one period at every level."""

    frame: pd.DataFrame
    standing: pd.DataFrame | None
    targets: pd.DataFrame
    period_end: pd.Timestamp
    year: int
    data_path: list[Path]
    targets_path: Path
    warnings: list[str] = field(default_factory=list)
    totals: dict[str, pd.DataFrame] = field(default_factory=dict)
    indicators: dict[str, pd.DataFrame] = field(default_factory=dict)
    assessments: Assessments = field(default_factory=Assessments, repr=False)
    campaign: object = None  # campaign.Campaign
    campaign_path: Path = DEFAULT_CAMPAIGN
    provenance: dict = field(default_factory=dict)  # provenance.record: version, commit, input checksums
    window: object = None  # the campaign as far as the period reaches; None before the window opens
    targets_note: str = ""  # why no indicator has a target, when the targets file lacks the year
    notes: list[str] = field(default_factory=list)  # what the page must say of the data (provinces set aside)
    set_aside: dict = field(default_factory=dict)  # province code → the problems that set its rows aside
    coverage: Coverage = field(default_factory=lambda: Coverage(frozenset()))  # provinces with data at the period
    offices: pd.DataFrame | None = None  # rows of single offices (office_code), when the data gives them

    @property
    def is_sample(self) -> bool:
        """True when the data is the synthetic sample (reports must say so)."""
        return is_sample(self.frame)

    @property
    def origin(self) -> str:
        return origin_of(self.frame)

    def emulation(self) -> pd.DataFrame:
        """The emulation table of all provinces (computed once; the caller gets its own copy)."""
        return self.assessments.get(("emulation",), lambda: emulation_table(
            self.indicators["province"], self.targets, lambda code: scorecard(self, code)))

    def value(self, indicator: str, level: str = NATIONAL, scope: str = NATIONAL) -> tuple[float | None, str]:
        """The value of an indicator for one scope, or None and the reason it has none."""
        table = self.indicators[level]
        row = table[(table["scope"] == scope) & (table["indicator"] == indicator)]
        if row.empty:
            return None, "không có số liệu"
        value, note = row["value"].iloc[0], row["note"].iloc[0]
        if pd.isna(value):
            return None, note if isinstance(note, str) and note else "không có số liệu"
        return float(value), ""

    def funnel(self) -> tuple[Funnel | None, str]:
        """The provinces' case completion rates on a funnel around the rate of all of them, and "";
        or None and why there is none (no rate, or fewer than MIN_FUNNEL_UNITS provinces)."""
        rate, why = self.value("completion_rate_cases")
        if rate is None:
            return None, f"tỷ lệ thi hành xong về việc {self.coverage.label().lower()} không có số liệu ({why})"
        result = completion_funnel(self.totals["province"], self.period_end, rate / 100)
        if result.n_units < MIN_FUNNEL_UNITS:
            return None, (f"chỉ {result.n_units} tỉnh có tỷ lệ thi hành xong về việc, cần ít nhất {MIN_FUNNEL_UNITS} "
                          "tỉnh để ước lượng độ phân tán giữa các tỉnh")
        return result, ""

    def office_funnel(self, code: str) -> tuple[Funnel | None, str]:
        """The offices of province ``code`` on a funnel around the province's case completion rate, and "";
        or None and why there is none (no office rows, no rate, or fewer than MIN_FUNNEL_UNITS offices)."""
        if self.office_indicators(code).empty:
            return None, f"số liệu ngày {self.period_end:%d/%m/%Y} không có dòng của từng đơn vị trong tỉnh"
        rate, why = self.value("completion_rate_cases", "province", code)
        if rate is None:
            return None, f"tỷ lệ thi hành xong về việc của tỉnh không có số liệu ({why})"
        result = office_funnel(self.offices, code, self.period_end, rate / 100)
        if result.n_units < MIN_FUNNEL_UNITS:
            return None, (f"chỉ {result.n_units} đơn vị có tỷ lệ thi hành xong về việc, cần ít nhất {MIN_FUNNEL_UNITS} "
                          "đơn vị để ước lượng độ phân tán giữa các đơn vị")
        return result, ""

    def office_indicators(self, code: str) -> pd.DataFrame:
        """Every indicator of every office of province ``code`` (empty without office rows); computed once."""
        return self.assessments.get(("office indicators", code),
                                    lambda: office_indicators(self.offices, code, self.period_end))

    def office_table(self, code: str) -> pd.DataFrame:
        """The offices of province ``code`` ranked for the in-province emulation (office_results.office_table)."""
        return self.assessments.get(("office table", code), lambda: office_table(
            self.office_indicators(code), self.targets, code, self.period_end))

    def office_scorecard(self, code: str, office_code: str) -> pd.DataFrame:
        """The assessment of one office against its targets (the province's unless its own are given)."""
        ind = self.office_indicators(code)
        scope = office_scope(code, office_code)
        if ind.empty or scope not in set(ind["scope"]):
            raise ValueError(_("no data for {office!r} of {province} at {period}: the data has no row for that "
                               "office").format(office=office_code, province=lookup(code).name,
                                                period=f"{self.period_end:%d/%m/%Y}"))
        return self.assessments.get(("office scorecard", scope), lambda: assess(
            ind, self.targets, scope, self.period_end, province=code))

    def all_indicators(self) -> pd.DataFrame:
        """Indicators of provinces, regions and the nation in one table."""
        return pd.concat([self.indicators[level] for level in LEVELS], ignore_index=True)

    def scope_of(self, value) -> tuple[str, str]:
        """("province" | "region" | "national", scope id) for a province, region name or "national"."""
        if value is None or str(value).lower() in (NATIONAL, "toàn quốc", "toan quoc"):
            return NATIONAL, NATIONAL
        if str(value) in REGIONS:
            return "region", str(value)
        return "province", lookup(value).code


def _inputs(data, targets, campaign) -> tuple[list[Path], Path, Path]:
    """The data paths, targets file and campaign file, defaults filled in."""
    data_paths = [Path(p) for p in ([data] if isinstance(data, (str, Path)) else (data or [SAMPLE_DIR]))]
    return data_paths, Path(targets) if targets else DEFAULT_TARGETS, Path(campaign) if campaign else DEFAULT_CAMPAIGN


def prepare(data=None, targets=None, year: int | None = None, period_end=None,
            money_unit: str | None = None, campaign=None, loaded: tuple | None = None) -> Analysis:
    """Read data (files/folders; default the bundled sample) and targets; compute all indicators.

    ``year`` defaults to the statistical year of ``period_end``, else the latest in the data;
    ``period_end`` to the latest period of that year in the data. Raises DataError for bad files,
    ValueError for a period not in the data.
    Computed anew on every call; ``AnalysisCache.prepare`` keeps recent ones. ``loaded``: what
    ``load_usable(data, money_unit)`` gives, when the caller holds it already; read otherwise.
    """
    data_paths, targets_path, campaign_path = _inputs(data, targets, campaign)
    return _prepare(data_paths, targets_path, year, period_end, money_unit, campaign_path, loaded)


def provenance_of(data=None, targets=None, campaign=None) -> dict:
    """Version, commit and the checksum of every input file of a report (defaults filled in)."""
    data_paths, targets_path, campaign_path = _inputs(data, targets, campaign)
    return record([*data_files(data_paths), targets_path, campaign_path])


def _fingerprint(paths: list[Path]) -> tuple:
    files = data_files(paths)
    return tuple((str(f.resolve()), f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.exists())


class AnalysisCache:
    """The last ``size`` analyses, keyed by the inputs' names, sizes and modification times and the
    options: a kernel that runs many reports computes each period once, and memory stays flat.

    Its owner decides its life (the warm report kernel keeps one, see ``kernel.analyses``). An
    Analysis from it is shared between reports: treat it as read-only.
    """

    def __init__(self, size: int = 2):
        self.size = size
        self._analyses: OrderedDict = OrderedDict()

    def prepare(self, data=None, targets=None, year: int | None = None, period_end=None,
                money_unit: str | None = None, campaign=None) -> Analysis:
        """``prepare(...)``, computed once for the same inputs (unchanged files) and options."""
        data_paths, targets_path, campaign_path = _inputs(data, targets, campaign)
        key = self._key(data_paths, targets_path, campaign_path, year, period_end, money_unit)
        if key in self._analyses:
            self._analyses.move_to_end(key)
            return self._analyses[key]
        analysis = _prepare(data_paths, targets_path, year, period_end, money_unit, campaign_path)
        self._keep(key, analysis)
        return analysis

    def put(self, analysis: Analysis, data=None, targets=None, year: int | None = None, period_end=None,
            money_unit: str | None = None, campaign=None) -> None:
        """Keep ``analysis``, worked out elsewhere by ``prepare`` on the same files and options (the
        batch process's, handed to its kernels), as this cache's answer to ``prepare`` with these
        arguments; it names its input files as given here, as ``prepare`` would."""
        data_paths, targets_path, campaign_path = _inputs(data, targets, campaign)
        analysis = replace(analysis, data_path=data_paths, targets_path=targets_path, campaign_path=campaign_path)
        self._keep(self._key(data_paths, targets_path, campaign_path, year, period_end, money_unit), analysis)

    @staticmethod
    def _key(data_paths, targets_path, campaign_path, year, period_end, money_unit) -> tuple:
        return (_fingerprint(data_paths), _fingerprint([targets_path]), _fingerprint([campaign_path]), year,
                None if period_end is None else str(pd.Timestamp(period_end).date()), money_unit)

    def _keep(self, key: tuple, analysis: Analysis) -> None:
        self._analyses[key] = analysis
        while len(self._analyses) > self.size:
            self._analyses.popitem(last=False)


def _prepare(data_paths, targets_path, year, period_end, money_unit, campaign_path, loaded=None) -> Analysis:
    loaded, set_aside = loaded or load_usable(data_paths, money_unit)
    if loaded.frame is None:
        raise DataError(loaded.problems)
    target_table = read_targets(targets_path)
    frame = loaded.frame
    period = resolve_period(frame, year, period_end)
    year = schema.statistical_year(period) if year is None else int(year)
    analysis = Analysis(frame, loaded.standing, target_table, period, int(year), data_paths, targets_path,
                        [str(p) for p in loaded.warnings] + [_("warning: set aside: {line}").format(line=line)
                                                             for line in set_aside_lines(set_aside)],
                        notes=loaded.notes + set_aside_notes(set_aside), set_aside=set_aside,
                        coverage=coverage_of(frame, period), campaign_path=campaign_path,
                        provenance=provenance_of(data_paths, targets_path, campaign_path), offices=loaded.offices)
    missing_year = year_warning(target_table, int(year), targets_path.name)
    if missing_year:
        analysis.warnings.append(missing_year)
        years = ", ".join(str(y) for y in sorted(target_table["year"].unique()))
        analysis.targets_note = (f"Tệp chỉ tiêu {targets_path.name} không có chỉ tiêu nào cho năm thống kê {year}"
                                 f"{f' (chỉ có năm {years})' if years else ''}: các chỉ số dưới đây không có chỉ "
                                 "tiêu giao nên không được đánh giá.")
    campaign = read_campaign(campaign_path)
    window = campaign_window(campaign, period, int(year))
    analysis.campaign, analysis.window = campaign, window
    if window is not None:
        analysis.targets = pd.concat([target_table, window_targets(campaign)], ignore_index=True)
    known_windows: dict = {}  # the province-level campaign windows, shared by the three levels
    for level in LEVELS:
        analysis.totals[level] = totals(frame, level)
        table = indicators(frame, period, level, analysis.totals[level], loaded.standing)
        if window is not None:
            extra = window_indicators(analysis.totals[level], window, analysis.totals["province"], known_windows)
            extra = describe(extra.assign(level=level, period_end=period))
            table = pd.concat([table, extra[table.columns.tolist()]], ignore_index=True)
        analysis.indicators[level] = table
    return analysis


def campaign_window(campaign, period_end: pd.Timestamp, year: int):
    """The campaign's window as far as ``period_end`` reaches; None before it opens or in another year."""
    if campaign.year != year or period_end < campaign.start:
        return None
    if period_end >= campaign.end:
        return campaign
    return replace(campaign, end=period_end)


def window_targets(campaign) -> pd.DataFrame:
    """The campaign file's optional window targets in the shape of the targets table."""
    rows = []
    for t in campaign.window_targets:
        scope = str(t.get("scope", NATIONAL))
        rows.append(dict(scope=NATIONAL if scope.lower() == NATIONAL else lookup(scope).code, year=campaign.year,
                         indicator=str(t["indicator"]), comparator=str(t["comparator"]), target=float(t["target"]),
                         source=str(t.get("source", "campaign file"))))
    unknown = [r["indicator"] for r in rows if r["indicator"] not in INDICATORS]
    if unknown:
        raise ValueError(_("campaign window targets name unknown indicator(s): {indicators}").format(
            indicators=", ".join(unknown)))
    return pd.DataFrame(rows, columns=["scope", "year", "indicator", "comparator", "target", "source"])


def scorecard(analysis: Analysis, scope) -> pd.DataFrame:
    """The assessment of a province (code or name), a region or "national" at the analysis period.

    Computed once per scope and analysis; the caller gets its own copy.
    """
    level, scope_id = analysis.scope_of(scope)
    if level == "province" and scope_id in analysis.set_aside:
        raise DataError(analysis.set_aside[scope_id])
    if level == "province" and scope_id not in set(analysis.frame["province_code"].unique()):
        raise ValueError(_("no data for {province} ({code}) in {paths}").format(
            province=lookup(scope_id).name, code=scope_id, paths=", ".join(map(str, analysis.data_path))))
    return analysis.assessments.get(("scorecard", level, scope_id), lambda: assess(
        analysis.indicators[level], analysis.targets, scope_id, analysis.period_end))


# The indicators a reviewer compares from one month to the next.
HEADLINE = ("completion_rate_cases", "completion_rate_money", "carry_forward_with_conditions_change_cases",
            "carry_forward_with_conditions_change_money")


def previous_period(analysis: Analysis) -> pd.Timestamp | None:
    """The report before the analysis period in the same statistical year, when the data hold it."""
    earlier = [p for p in periods(analysis.frame, analysis.year) if p < analysis.period_end]
    return earlier[-1] if earlier else None


def since_previous(analysis: Analysis, code: str) -> tuple[pd.Timestamp | None, pd.DataFrame]:
    """(previous period, table) for province ``code``: each HEADLINE indicator's value and status at
    the previous report and now, and its national rank then and now. (None, empty) at the first
    report of the year."""
    before = previous_period(analysis)
    if before is None:
        return None, pd.DataFrame()
    ind = analysis.assessments.get(("previous indicators",), lambda: indicators(
        analysis.frame, before, "province", analysis.totals["province"], analysis.standing))
    then = assess(ind, analysis.targets, code, before).set_index("indicator") if code in set(ind["scope"]) else None
    now = scorecard(analysis, code).set_index("indicator")
    rows = []
    for indicator in HEADLINE:
        old = None if then is None or indicator not in then.index else then.loc[indicator]
        new = now.loc[indicator]
        rank_then = _rank(ind, indicator, code) if indicator.startswith("completion_rate") else (None, None)
        rank_now = (_rank(analysis.indicators["province"], indicator, code) if indicator.startswith("completion_rate")
                    else (None, None))
        rows.append(dict(indicator=indicator, label=new["label"], unit=new["unit"],
                         old=None if old is None else old["actual"], new=new["actual"],
                         old_status=None if old is None else old["status"], new_status=new["status"],
                         old_rank=rank_then[0], old_ranked=rank_then[1], new_rank=rank_now[0], new_ranked=rank_now[1]))
    table = pd.DataFrame(rows)
    table["change"] = table["new"].astype(float) - table["old"].astype(float)
    return before, table


def _rank(ind: pd.DataFrame, indicator: str, code: str) -> tuple[int | None, int]:
    """(national rank of ``code`` on ``indicator``, provinces ranked); rank None without a value."""
    from .assess import ranks

    table = ranks(ind, indicator).set_index("province_code")
    rank = table["rank_national"].get(code)
    return (None if rank is None or pd.isna(rank) else int(rank)), int(table["rank_national"].notna().sum())


def province_codes(analysis: Analysis) -> list[str]:
    """Codes of the provinces present in the data at the analysis period, in code order."""
    at_period = analysis.frame[analysis.frame["period_end"] == analysis.period_end]
    return sorted(set(at_period["province_code"]) & set(scope_codes(NATIONAL)))
