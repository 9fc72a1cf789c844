"""What the report notebooks display: one object per report, one method per section.

A notebook cell is ``display(report.section())``: the numbers come from ``pipeline`` and
``assess``, the figures from ``charts``, the sentences from ``text``; this module only
selects and lays them out. HTML is rendered by jinja2 with autoescape, so province names and
any text from input files are escaped.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from functools import cached_property

import css_inline
import pandas as pd
from IPython.display import HTML

from ..analysis.assess import EMULATION_RULE, money_rate_without_largest, ranks, region_counts
from ..analysis.campaign import WINDOW_RULE, window_paths, window_ranking
from ..analysis.catalogue import INDICATORS
from ..analysis.indicators import completion_path, missing_months, year_end_carry_over
from ..analysis.office_results import office_label
from ..analysis.pipeline import Analysis, AnalysisCache, prepare, scorecard, since_previous
from ..ingest import schema
from ..numbers import date_text, format_int, format_number, format_percent, signed_points, value_text
from ..provinces import REGIONS, lookup, office_name, provinces
from ..vocabulary import (
    AT_RISK,
    KEY_CATEGORIES,
    MISSED,
    NATIONAL,
    is_year_end,
    months_elapsed,
)
from . import charts
from .document import Document, document, field_text
from .narrative import summary_sentences
from .templating import ENV

# JupyterLab drops <style> blocks from the outputs of a notebook it does not trust (every notebook a
# reviewer opens), but keeps safe inline styles: the page's rules are written into each element.
STYLESHEET = re.sub(r"</?style>", "", ENV.get_template("_style.html.j2").render())


def render(template: str, **context) -> HTML:
    """Render a template of ``thads_analysis/reporting/templates`` as an HTML display object whose
    styles are inline, so that it looks the same in the HTML page and in untrusted JupyterLab."""
    return HTML(css_inline.inline_fragment(ENV.get_template(template).render(**context), STYLESHEET))


def refuse_unknown_parameters(namespace: dict, report_class) -> None:
    """Raise ValueError when papermill injected a parameter ``report_class`` does not take.

    papermill only logs a warning for an unknown name (``-p provinec 01``) and the report would
    be made for the default province. The injected cell is the input history's last cell that
    starts with papermill's "# Parameters" comment; without one (a run by hand) nothing is checked.
    """
    import ast
    import difflib
    import inspect

    injected = [cell for cell in namespace.get("In", []) if str(cell).startswith("# Parameters")]
    if not injected:
        return
    names = {target.id for node in ast.walk(ast.parse(injected[-1])) if isinstance(node, ast.Assign)
             for target in node.targets if isinstance(target, ast.Name)}
    # ``analyses`` is the kernel's cache, handed over in code, never a notebook parameter.
    declared = [n for n in inspect.signature(report_class.__init__).parameters if n not in ("self", "analyses")]
    unknown = sorted(names - set(declared))
    if unknown:
        hints = [f"{u} (did you mean {close[0]}?)" if (close := difflib.get_close_matches(u, declared, n=1)) else u
                 for u in unknown]
        raise ValueError(f"unknown notebook parameter(s): {', '.join(hints)}; this notebook takes "
                         f"{', '.join(declared)}")


def analysis_for(analyses: AnalysisCache | None, data_path: str = "", targets_path: str = "", year: int = 0,
                 period_end: str = "", campaign_path: str = "", money_unit: str = "") -> Analysis:
    """The analysis a report shows: from ``analyses`` (a warm kernel's cache) or computed for it.
    Empty texts and year 0 mean the defaults (bundled files, the latest year and period in the data)."""
    compute = prepare if analyses is None else analyses.prepare
    return compute(*_prepare_arguments(data_path, targets_path, year, period_end, campaign_path, money_unit))


def keep_analysis(analyses: AnalysisCache, analysis: Analysis, data_path: str = "", targets_path: str = "",
                  year: int = 0, period_end: str = "", campaign_path: str = "", money_unit: str = "") -> None:
    """Keep in ``analyses`` an analysis of the report parameters given, worked out elsewhere on the
    same files: ``analysis_for`` with them then returns it."""
    analyses.put(analysis, *_prepare_arguments(data_path, targets_path, year, period_end, campaign_path, money_unit))


def _prepare_arguments(data_path, targets_path, year, period_end, campaign_path, money_unit) -> tuple:
    """Report parameters as the arguments of ``prepare``, in its order."""
    return (data_path or None, targets_path or None, year or None, period_end or None, money_unit or None,
            campaign_path or None)


def _generated_at() -> str:
    return dt.datetime.now().strftime("%d/%m/%Y %H:%M")


class _Report:
    """What both reports share: the analysis, the origin banner, the review block, the footer."""

    def __init__(self, analysis: Analysis, prepared_by: str = "", checked_by: str = "", review_date: str = "",
                 review_note: str = "", document: Document | None = None):
        self.analysis = analysis
        self.document = document
        self.review = dict(prepared_by=field_text(prepared_by, "prepared_by"),
                           checked_by=field_text(checked_by, "checked_by"),
                           review_date=date_text(review_date, "review_date"),
                           review_note=field_text(review_note, "review_note"))

    @property
    def period_text(self) -> str:
        a = self.analysis
        start = schema.year_start(a.year).strftime("%d/%m/%Y")
        return f"từ {start} đến {a.period_end.strftime('%d/%m/%Y')} ({months_elapsed(a.period_end)} tháng, năm thống kê {a.year})"

    def origin(self) -> dict:
        a = self.analysis
        files = set(a.frame["source_file"].astype(str).unique())
        for rows in (a.standing, a.offices):  # every file read; the offices' rows feed the Chi cục section
            if rows is not None and "source_file" in rows:
                files |= set(rows["source_file"].astype(str).unique())
        files = sorted(files)
        return dict(is_sample=a.is_sample, mark=schema.SAMPLE_MARK, origin=a.origin, files=files,
                    targets=a.targets_path.name, notes=a.notes, partial=a.coverage.partial(),
                    targets_note=a.targets_note, provenance=a.provenance)

    def milestones(self) -> list:
        """The campaign's milestones in the analysis year as (date, "19/07: label") for the charts."""
        campaign = self.analysis.campaign
        return [(d, f"{d.strftime('%d/%m')}: {label}") for d, label in (campaign.milestones if campaign else [])
                if schema.statistical_year(d) == self.analysis.year]

    def footer(self) -> HTML:
        """The signature block (Nơi nhận, the signer), the review block (người lập, người kiểm tra,
        ngày, ghi chú: from the parameters, lines to sign on where empty), sources of the data, the
        targets and the method notes."""
        return render("footer.html.j2", review=self.review, document=self.document, **self.origin())

    def _targets(self, scope_code: str | None) -> dict:
        """indicator id → Target that applies to the scope (a province code, or None for national)."""
        from ..analysis.targets import targets_for

        return targets_for(self.analysis.targets, scope_code, self.analysis.year)

    def _year_end_targets(self, scope_code: str | None) -> dict[str, float]:
        found = self._targets(scope_code)
        return {m: found[f"completion_rate_{m}"].value for m in schema.MEASURES if f"completion_rate_{m}" in found}

    def _path(self, level: str, scope: str, measure: str = "cases") -> pd.DataFrame:
        return completion_path(self.analysis.totals[level], scope, measure, self.analysis.year,
                               self.analysis.period_end)

    def _no_chart(self, why: str, chart: str = "biểu đồ") -> HTML:
        """A sentence in place of a chart that has nothing to draw."""
        return HTML(f'<div class="thads"><p>Không vẽ {chart}: {html.escape(why)}.</p></div>')

    def _funnel_label(self, funnel) -> str:
        return f"{self.analysis.coverage.label()} {format_percent(funnel.p0 * 100)}"


class ProvinceReport(_Report):
    """The report of one province: build it with the notebook's parameters."""

    def __init__(self, province, year: int = 0, period_end: str = "", data_path: str = "", targets_path: str = "",
                 campaign_path: str = "", money_unit: str = "", prepared_by: str = "", checked_by: str = "",
                 review_date: str = "", review_note: str = "", issuer: str = "", document_number: str = "",
                 place: str = "", issue_date: str = "", signer: str = "", signer_title: str = "",
                 analyses: AnalysisCache | None = None):
        self.province = lookup(province)  # unknown names fail before any data is read
        heading = document(self.province, issuer, document_number, place, issue_date, signer, signer_title)
        super().__init__(analysis_for(analyses, data_path, targets_path, year, period_end, campaign_path, money_unit),
                         prepared_by, checked_by, review_date, review_note, heading)
        self.card = scorecard(self.analysis, self.province.code)
        self.code = self.province.code

    @cached_property
    def office(self) -> str:
        return office_name(self.province)

    def header(self) -> HTML:
        """Title, period, data origin (the sample mark when synthetic), generation time, summary."""
        sentences = summary_sentences(self.card, self.office, self.analysis.period_end, self.analysis.year - 1)
        return render("header.html.j2", title=f"Báo cáo kết quả thi hành án dân sự — {self.office}",
                      subtitle="Theo chỉ tiêu phong trào thi đua cao điểm năm 2017 (Kế hoạch 690/KH-TCTHADS)",
                      period=self.period_text, region=self.province.region, sentences=sentences,
                      generated=_generated_at(), document=self.document, **self.origin())

    def scorecard(self) -> HTML:
        """Every campaign target with actual, target, gap and status, coloured by status."""
        return scorecard_html(self.card, self.analysis.period_end, self.analysis.targets_note)

    def rates_chart(self):
        """Completion rates of the province, its region and the nation against the targets."""
        coverage = self.analysis.coverage
        scopes = [(self.province.short_name, "province", self.code),
                  (coverage.label(self.province.region), "region", self.province.region),
                  (coverage.label(), NATIONAL, NATIONAL)]
        rates = [dict(scope_label=label, measure=m, rate=self.analysis.value(f"completion_rate_{m}", level, scope)[0])
                 for label, level, scope in scopes for m in schema.MEASURES]
        if _nothing(r["rate"] for r in rates):
            return self._no_chart("không có tỷ lệ thi hành xong nào ở kỳ báo cáo")
        return charts.rates_vs_target(pd.DataFrame(rates), self._year_end_targets(self.code))

    def monthly_chart(self):
        """The cumulative case completion rate month by month against the target pace."""
        row = self.card.set_index("indicator").loc["completion_rate_cases"]
        target = self._year_end_targets(self.code).get("cases")
        projection = None if is_year_end(self.analysis.period_end) or pd.isna(row["projection"]) else row["projection"]
        path = self._path("province", self.code)
        if _nothing(path["rate"]):
            return self._no_chart(f"không có tỷ lệ thi hành xong về việc của tháng nào trong năm thống kê "
                                  f"{self.analysis.year}")
        return charts.monthly_path(path, target=target, projection=projection,
                                   national=self._path(NATIONAL, NATIONAL), milestones=self.milestones(),
                                   national_label=self.analysis.coverage.label(),
                                   title=f"Tỷ lệ thi hành xong về việc lũy kế từ 01/10 — {self.province.short_name}")

    def pace(self) -> HTML:
        """Months in the data, the projection and the rate still needed, for cases and money."""
        missing = [d.strftime("%m/%Y") for d in missing_months(self._path("province", self.code), self.analysis.year,
                                                                self.analysis.period_end)]
        card = self.card.set_index("indicator")
        rows = [dict(label=card.at[f"completion_rate_{m}", "label"], actual=card.at[f"completion_rate_{m}", "actual"],
                     projection=card.at[f"completion_rate_{m}", "projection"],
                     required=card.at[f"completion_rate_{m}", "required_rate"],
                     target=card.at[f"completion_rate_{m}", "target"]) for m in schema.MEASURES]
        return render("pace.html.j2", rows=rows, missing=missing, year_end=is_year_end(self.analysis.period_end))

    def carry_over_chart(self):
        """Carry-over with conditions at the end of each year in the data, with its change."""
        values = year_end_carry_over(self.analysis.totals["province"], self.code, self.analysis.period_end)
        # The last bar is this year's only at the year end: then the scorecard's target and status apply.
        targets, statuses = {}, {}
        if is_year_end(self.analysis.period_end):
            found = self._targets(self.code)
            card = self.card.set_index("indicator")
            for m in schema.MEASURES:
                indicator = f"carry_forward_with_conditions_change_{m}"
                if indicator in found:
                    targets[m] = (found[indicator].value, found[indicator].comparator)
                    statuses[m] = card.at[indicator, "status"]
        if _nothing(values["value"]):
            return self._no_chart("không có báo cáo cuối năm thống kê (ngày 30/09) nào đến kỳ báo cáo")
        return charts.carry_over_years(values, targets, statuses)

    def key_categories_chart(self):
        """Completion rates of the campaign's key categories against their targets."""
        card = self.card.set_index("indicator")
        rows = []
        for m in schema.MEASURES:
            for c in KEY_CATEGORIES:
                key = f"completion_rate_{m}_{c}"
                rows.append(dict(category_label=schema.CATEGORY_LABELS[c], measure=m,
                                 rate=card.at[key, "actual"] if key in card.index else None))
        targets = {m: card.at[f"completion_rate_{m}_credit", "target"] for m in schema.MEASURES
                   if f"completion_rate_{m}_credit" in card.index and not pd.isna(card.at[f"completion_rate_{m}_credit", "target"])}
        if _nothing(r["rate"] for r in rows):
            return self._no_chart("không có số liệu theo nhóm án trọng điểm ("
                                  + ", ".join(schema.CATEGORY_LABELS[c].lower() for c in KEY_CATEGORIES) + ")")
        return charts.key_categories(pd.DataFrame(rows), targets)

    def funnel_chart(self):
        """The provinces on the funnel plot around the rate of them all, this province highlighted."""
        funnel, why = self.analysis.funnel()
        if funnel is None:
            return self._no_chart(why, "biểu đồ phễu")
        return charts.funnel_plot(funnel, self._funnel_label(funnel), highlight=self.code,
                                  title="Tỷ lệ thi hành xong về việc so với quy mô (biểu đồ phễu)")

    def offices(self) -> HTML:
        """"Kết quả của các Chi cục": each office's rates and statuses against the targets, ranked in
        the province; a sentence when the data has no office rows."""
        a = self.analysis
        table = a.office_table(self.code)
        day = a.period_end.strftime("%d/%m/%Y")
        if table.empty:
            why = (f"Số liệu ngày {day} không có dòng của từng đơn vị (Cục THADS và các Chi cục) của tỉnh, chỉ có "
                   "số liệu toàn tỉnh, nên không có kết quả theo đơn vị. Đọc biểu mẫu thống kê của Cục (một dòng cho "
                   "mỗi đơn vị) để có phần này.")
            return render("offices.html.j2", rows=[], why=why)
        card = self.card.set_index("indicator")
        cases = card.loc["completion_rate_cases"] if "completion_rate_cases" in card.index else None
        province = dict(rate_cases=a.value("completion_rate_cases", "province", self.code)[0],
                        rate_money=a.value("completion_rate_money", "province", self.code)[0],
                        resolved=None if cases is None else cases["numerator"],
                        with_conditions=None if cases is None else cases["denominator"],
                        carry_forward=a.value("carry_forward_with_conditions_cases", "province", self.code)[0])
        own = a.targets["scope"].astype(str).str.startswith(f"{self.code}/").any()
        return render("offices.html.j2", rows=table.to_dict("records"), day=day, province=province, own_targets=own)

    def offices_chart(self):
        """The offices' case completion rates, highest first, coloured by status, with the target line."""
        table = self.analysis.office_table(self.code)
        if table.empty or _nothing(table["rate_cases"]):
            return self._no_chart("không có tỷ lệ thi hành xong về việc của đơn vị nào trong tỉnh")
        target = self._year_end_targets(self.code).get("cases")
        frame = pd.DataFrame({"name": [office_label(scope) for scope in table["scope"]], "rate": table["rate_cases"], "status": table["status_cases"]})
        return charts.ranked_bars(frame, target, "Tỷ lệ thi hành xong về việc (%)",
                                  title="Tỷ lệ thi hành xong về việc của các đơn vị trong tỉnh")

    def offices_funnel_chart(self):
        """The offices on a funnel around the province's case completion rate, this province's offices named."""
        funnel, why = self.analysis.office_funnel(self.code)
        if funnel is None:
            return self._no_chart(why, "biểu đồ phễu của các đơn vị")
        return charts.funnel_plot(funnel, f"Toàn tỉnh {format_percent(funnel.p0 * 100)}", label_flagged=True,
                                  title=f"{funnel.n_units} đơn vị trong tỉnh: tỷ lệ thi hành xong về việc so với quy mô "
                                        "(biểu đồ phễu)")

    def position(self) -> HTML:
        """National and regional rank on the completion rates, the funnel flag, the emulation rank."""
        ind = self.analysis.indicators["province"]
        rows = []
        for indicator in ["completion_rate_cases", "completion_rate_money"]:
            ranked = ranks(ind, indicator).set_index("province_code")
            # A province without this rate (no row, or a zero denominator) has no rank on it.
            r = ranked.loc[self.code] if self.code in ranked.index else {}
            national = r.get("rank_national")
            rows.append(dict(label=INDICATORS[indicator].label, national=None if pd.isna(national) else int(national),
                             n_national=ranked["rank_national"].notna().sum(), region=r.get("rank_region"),
                             n_region=r.get("n_region")))
        funnel, _ = self.analysis.funnel()
        flag, p0, method = None, None, ""
        if funnel is not None:
            flag = funnel.table.set_index("province_code")["flag"].get(self.code)
            p0, method = funnel.p0 * 100, funnel.method
        emulation = self.analysis.emulation()
        return render("position.html.j2", rows=rows, flag=flag, p0=p0,
                      method=method, emulation=emulation.set_index("province_code").loc[self.code],
                      n_emulation=len(emulation), rule=EMULATION_RULE, region=self.province.region,
                      among=self.analysis.coverage.among(), p0_label=self.analysis.coverage.label().lower())

    def campaign(self) -> HTML:
        """Results inside the campaign window against the same window of last year, and the window rank."""
        a = self.analysis
        if a.window is None:
            return render("campaign.html.j2", campaign=a.campaign, campaign_file=a.campaign_path.name, window=None,
                          rows=[], rank=None, rule=WINDOW_RULE,
                          year=a.year)
        card = self.card.set_index("indicator")
        rows = []
        for m in schema.MEASURES:
            for key in ["resolved", "new_accepted", "rate_gain", "resolved_share",
                        "carry_forward_with_conditions_change", "resolved_change"]:
                indicator = f"window_{key}_{m}"
                if indicator in card.index:
                    r = card.loc[indicator]
                    rows.append(dict(label=r["label"], value=value_text(r["actual"], r["unit"]),
                                     note=_text(r.get("note")), formula=_text(r["formula"]),
                                     formula_vi=_text(r["formula_vi"])))
        ranking = window_ranking(a.indicators["province"]).set_index("province_code")
        ranked = self.code in ranking.index and not pd.isna(ranking.at[self.code, "rank_national"])
        # Last year's window result is the denominator of the comparison with it.
        prev = card["denominator"].get("window_resolved_change_cases")

        def note_of(indicator):
            return _text(card.at[indicator, "note"]) if indicator in card.index else ""

        return render("campaign.html.j2", campaign=a.campaign, campaign_file=a.campaign_path.name, window=a.window,
                      rows=rows,
                      rank=ranking.loc[self.code] if ranked else None, unranked=note_of("window_resolved_share_cases"),
                      n=int(ranking["rank_national"].notna().sum()), region=self.province.region, rule=WINDOW_RULE,
                      last_year=None if prev is None or pd.isna(prev) else format_int(prev),
                      last_year_note=note_of("window_resolved_change_cases"), previous=a.window.shifted(-1).label,
                      year=a.year, among=a.coverage.among())

    def changes(self) -> HTML:
        """This report against the previous one of the year: headline values, statuses and ranks."""
        before, table = since_previous(self.analysis, self.code)
        rows = [dict(label=r.label, old=value_text(r.old, r.unit), new=value_text(r.new, r.unit),
                     change="—" if pd.isna(r.change) else signed_points(r.change), old_status=r.old_status,
                     new_status=r.new_status, old_rank=r.old_rank, old_ranked=r.old_ranked, new_rank=r.new_rank,
                     new_ranked=r.new_ranked, ranked=r.indicator.startswith("completion_rate"))
                for r in table.itertuples()]
        return render("changes.html.j2", before=None if before is None else before.strftime("%d/%m/%Y"),
                      now=self.analysis.period_end.strftime("%d/%m/%Y"), rows=rows)

    def quality(self) -> HTML:
        """Validation result and provenance of this province's rows."""
        frame = self.analysis.frame
        own = frame[frame["province_code"] == self.code]
        at_period = own[own["period_end"] == self.analysis.period_end].sort_values(["measure", "category"])
        sources = [dict(measure=schema.MEASURE_LABELS[r.measure], category=schema.CATEGORY_LABELS[r.category],
                        file=r.source_file, row=r.source_row) for r in at_period.itertuples()]
        warnings = [w for w in self.analysis.warnings if self.province.short_name in w or f" {self.code} " in w]
        return render("quality.html.j2", rows=len(own), periods=own["period_end"].nunique(), sources=sources,
                      warnings=warnings, checks=check_rows(frame, self.code, warnings))


class NationalReport(_Report):
    """The national overview: every province against the targets."""

    def __init__(self, year: int = 0, period_end: str = "", data_path: str = "", targets_path: str = "",
                 campaign_path: str = "", money_unit: str = "", prepared_by: str = "", checked_by: str = "",
                 review_date: str = "", review_note: str = "", issuer: str = "", document_number: str = "",
                 place: str = "", issue_date: str = "", signer: str = "", signer_title: str = "",
                 analyses: AnalysisCache | None = None):
        heading = document(None, issuer, document_number, place, issue_date, signer, signer_title)
        super().__init__(analysis_for(analyses, data_path, targets_path, year, period_end, campaign_path, money_unit),
                         prepared_by, checked_by, review_date, review_note, heading)
        self.card = scorecard(self.analysis, NATIONAL)

    @cached_property
    def emulation(self) -> pd.DataFrame:
        return self.analysis.emulation()

    @cached_property
    def cards(self) -> dict[str, pd.DataFrame]:
        return {code: scorecard(self.analysis, code) for code in self.emulation["province_code"]}

    def header(self) -> HTML:
        coverage = self.analysis.coverage
        subject = "toàn hệ thống THADS" if coverage.is_complete() else f"{coverage.count} tỉnh có số liệu"
        sentences = summary_sentences(self.card, subject, self.analysis.period_end, self.analysis.year - 1)
        scope = "toàn quốc" if coverage.is_complete() else f"— {coverage.label().lower()}"
        return render("header.html.j2", title=f"Báo cáo tổng quan kết quả thi hành án dân sự {scope}",
                      subtitle="Theo chỉ tiêu phong trào thi đua cao điểm năm 2017 (Kế hoạch 690/KH-TCTHADS)",
                      period=self.period_text, region=None, sentences=sentences, generated=_generated_at(),
                      offices=self._offices_reported(), document=self.document, **self.origin())

    def _offices_reported(self) -> str:
        """"774 đơn vị của 63 tỉnh" when the data gives single offices at the period, else ""."""
        offices = self.analysis.offices
        if offices is None:
            return ""
        at = offices[offices["period_end"] == self.analysis.period_end]
        units = at[["province_code", "office_code"]].drop_duplicates()
        if units.empty:
            return ""
        return f"{format_int(len(units))} đơn vị của {units['province_code'].nunique()} tỉnh"

    def scorecard(self) -> HTML:
        """The national scorecard: every target, actual, gap, status."""
        return scorecard_html(self.card, self.analysis.period_end, self.analysis.targets_note)

    def funnel_chart(self):
        funnel, why = self.analysis.funnel()
        if funnel is None:
            return self._no_chart(why, "biểu đồ phễu")
        return charts.funnel_plot(funnel, self._funnel_label(funnel),
                                  title=f"{len(funnel.table)} tỉnh: tỷ lệ thi hành xong về việc so với quy mô (biểu đồ phễu)")

    def funnel_notes(self) -> HTML:
        funnel, _ = self.analysis.funnel()
        names = provinces().set_index("code")["short_name"]
        above = below = None
        if funnel is not None:
            table = funnel.table
            outside = table[table["flag"].isin(["above", "below"])]
            above = [names[c] for c in outside.loc[outside["flag"] == "above", "province_code"]]
            below = [names[c] for c in outside.loc[outside["flag"] == "below", "province_code"]]
        # The money rate without the largest provinces is only shown beside a money rate of all,
        # and only when some province is left once the largest are taken out.
        scope, largest = self.analysis.coverage.label().lower(), 2
        money_rate, why = self.analysis.value("completion_rate_money")
        money, no_money = [], ""
        if money_rate is None:
            no_money = f"tỷ lệ thi hành xong về tiền {scope} không có số liệu ({why})"
        elif self.analysis.coverage.count <= largest:
            no_money = f"chỉ có {self.analysis.coverage.count} tỉnh có số liệu, bỏ {largest} tỉnh thì không còn tỉnh nào"
        else:
            money = money_rate_without_largest(self.analysis.totals["province"], self.analysis.period_end, largest,
                                               label=self.analysis.coverage.label()).to_dict("records")
        return render("funnel_notes.html.j2", method="" if funnel is None else funnel.method,
                      funnel=funnel is not None, above=above, below=below, money=money,
                      no_money=no_money, scope=scope)

    def ranking(self) -> HTML:
        """The emulation table: every province ranked by the rule stated on the page."""
        return render("emulation.html.j2", rows=self.emulation.to_dict("records"), rule=EMULATION_RULE)

    def ranked_chart(self):
        table = self.emulation.rename(columns={"completion_rate_cases": "rate", "status_cases": "status"})
        table = table.assign(name=table["province_code"].map(provinces().set_index("code")["short_name"]))
        if _nothing(table["rate"]):
            return self._no_chart("không tỉnh nào có tỷ lệ thi hành xong về việc")
        return charts.ranked_bars(table[["name", "rate", "status"]], self._year_end_targets(None).get("cases"),
                                  "Tỷ lệ thi hành xong về việc (%)")

    def heatmap(self):
        """Provinces × targets coloured by status."""
        names = provinces().set_index("code")["short_name"]
        matrix = {}
        for code, card in self.cards.items():
            scored = card[card["status"].notna()].set_index("indicator")["status"]
            matrix[names[code]] = {INDICATORS[i].short_label: s for i, s in scored.items()}
        frame = pd.DataFrame.from_dict(matrix, orient="index")
        if frame.empty:
            return self._no_chart("không chỉ tiêu nào được đánh giá (không có chỉ tiêu giao hoặc không có số liệu)")
        return charts.status_heatmap(frame)

    def map_chart(self):
        """Provinces as dots at their coordinates, sized by caseload, coloured by case-rate status."""
        reference = provinces().set_index("code")
        tot = self.analysis.totals["province"]
        size = tot[(tot["period_end"] == self.analysis.period_end) & (tot["measure"] == "cases")
                   & (tot["category"] == "all")].set_index("scope")["with_conditions"]
        status = self.emulation.set_index("province_code")["status_cases"]
        points = pd.DataFrame({"code": status.index, "name": reference.loc[status.index, "short_name"].to_numpy(),
                               "latitude": reference.loc[status.index, "latitude"].to_numpy(),
                               "longitude": reference.loc[status.index, "longitude"].to_numpy(),
                               "size": size.reindex(status.index).astype(float).to_numpy(),
                               "status": status.to_numpy()})
        return charts.status_map(points)

    def regions_chart(self):
        ind = _in_region_order(self.analysis.indicators["region"])
        rows = ind[ind["indicator"].isin(["completion_rate_cases", "completion_rate_money"])]
        table = pd.DataFrame({"region": rows["scope"].map(self.analysis.coverage.label), "measure": rows["measure"],
                              "rate": rows["value"].astype(float)})
        if _nothing(table["rate"]):
            return self._no_chart("không vùng nào có tỷ lệ thi hành xong")
        return charts.region_bars(table, self._year_end_targets(None))

    def regions(self) -> HTML:
        ind = self.analysis.indicators["region"]
        wide = ind[ind["indicator"].isin(["completion_rate_cases", "completion_rate_money",
                                          "carry_forward_with_conditions_change_cases"])]
        table = wide.pivot(index="scope", columns="indicator", values="value")
        counts = region_counts(self.emulation)
        rows = [dict(region=r, **table.loc[r].to_dict(), **counts.loc[r].to_dict()) for r in REGIONS if r in table.index]
        return render("regions.html.j2", rows=rows)

    def campaign_ranking(self) -> HTML:
        """The emulation table of the campaign window (rule stated on the page)."""
        a = self.analysis
        rows = [] if a.window is None else window_ranking(a.indicators["province"]).to_dict("records")
        ind = a.indicators["province"]
        unranked = ind[(ind["indicator"] == "window_resolved_share_cases") & ind["value"].isna()]
        names = provinces().set_index("code")["short_name"]
        notes = [(names[r.scope], _text(r.note)) for r in unranked.itertuples()]
        return render("campaign_ranking.html.j2", campaign=a.campaign, window=a.window, rows=rows, rule=WINDOW_RULE,
                      year=a.year, unranked=notes)

    def campaign_chart(self):
        """Small multiples of the window path per region, this year against the same window last year."""
        a = self.analysis
        if a.window is None:
            return HTML('<div class="thads"><p class="small">Không có biểu đồ trong đợt cho kỳ báo cáo này.</p></div>')
        paths = window_paths(a.totals["region"], a.window, province_tot=a.totals["province"])
        order = {r: i for i, r in enumerate(REGIONS)}
        paths = paths.sort_values("region", key=lambda s: s.map(order), kind="stable")
        months = list(pd.date_range(a.window.start, a.window.end, freq="ME"))
        # Month k of the axis is the k-th month end of the window, so a day inside month k sits
        # between k − 1 and k.
        marks = [(i + d.day / d.days_in_month, f"{d.strftime('%d/%m')}: {label}") for d, label in a.window.milestones
                 for i, m in enumerate(months) if (m.month, m.year) == (d.month, d.year)]
        return charts.window_paths(paths, milestones=marks, month_labels=[f"T{m.month}" for m in months],
                                   title=f"Kết quả lũy kế trong đợt thi đua {a.window.label} theo vùng (về việc)")

    def at_risk(self) -> HTML:
        """Provinces whose projection falls short of a target before the year end (or missed at it)."""
        names = provinces().set_index("code")
        rows = []
        for code, card in self.cards.items():
            wanted = MISSED if is_year_end(self.analysis.period_end) else AT_RISK
            for r in card[(card["status"] == wanted.code)
                          & card["indicator"].isin(["completion_rate_cases", "completion_rate_money"])].itertuples():
                rows.append(dict(name=names.at[code, "name"], label=r.label, actual=r.actual, projection=r.projection,
                                 target=r.target, required=r.required_rate, status=r.status))
        return render("at_risk.html.j2", rows=rows, year_end=is_year_end(self.analysis.period_end))


def _in_region_order(ind: pd.DataFrame) -> pd.DataFrame:
    """Region rows in the GSO yearbook order (north to south)."""
    order = {r: i for i, r in enumerate(REGIONS)}
    return ind.sort_values("scope", key=lambda s: s.map(order), kind="stable")


def _nothing(values) -> bool:
    """Whether a chart's values hold no number at all (then a sentence replaces the chart)."""
    return all(v is None or pd.isna(v) for v in values)


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def scorecard_html(card: pd.DataFrame, period_end, note: str = "") -> HTML:
    """The scorecard as two tables: campaign targets, then reference indicators without a target.

    At a year end the change "against the same point of last year" equals the change against
    last year's end and is left out.
    """
    year_end = is_year_end(period_end)
    rows = []
    for r in card.itertuples():
        if year_end and r.indicator.startswith("carry_forward_with_conditions_change_yoy"):
            continue
        if year_end and r.indicator.startswith("projected_"):
            continue
        rows.append(dict(label=r.label, actual=value_text(r.actual, r.unit),
                         why="" if not pd.isna(r.actual) else _text(r.note),
                         target=r.target_text,
                         gap=_text(r.gap_text), status=_text(r.status),
                         attainment=None if pd.isna(r.attainment) else r.attainment,
                         numerator=_plain(r.numerator, r.unit), denominator=_plain(r.denominator, r.unit),
                         formula=_text(r.formula), formula_vi=_text(r.formula_vi), source=_text(r.source), has_target=not pd.isna(r.target)))
    return render("scorecard.html.j2", targeted=[r for r in rows if r["has_target"]],
                  reference=[r for r in rows if not r["has_target"]], note=note)


# The checks of schema.validate as the quality section names them; keys of the checks that need other
# reports (schema.unchecked) are "cumulative", "chain" and "unit".
CHECKS_VI = [
    ("accepted", "Tổng số thụ lý = Số cũ chuyển sang + Số thụ lý mới"),
    ("to_execute", "Tổng số phải thi hành = Tổng số thụ lý − Ủy thác đi"),
    ("conditions", "Tổng số phải thi hành = Số có điều kiện thi hành + Số chưa có điều kiện thi hành"),
    ("parts", "Các phần của số có điều kiện thi hành (xong, đình chỉ, đang thi hành, hoãn, tạm đình chỉ, khác, "
              "giảm/miễn) không vượt quá số có điều kiện"),
    ("resolved", "Thi hành xong + Đình chỉ ≤ Số có điều kiện thi hành"),
    ("cumulative", "Số liệu lũy kế (thụ lý, ủy thác, xong, đình chỉ, giảm/miễn) không giảm giữa các tháng trong năm"),
    ("chain", "Số cũ chuyển sang = Số chuyển kỳ sau của năm trước; không đổi trong năm"),
    ("rows", "Không trùng dòng; ngày cuối kỳ là ngày cuối tháng"),
    ("unit", "Tiền không lệch đơn vị (1.000 lần) so với các tỉnh khác cùng kỳ"),
]


def check_rows(frame: pd.DataFrame, code: str, warnings: list[str]) -> list[dict]:
    """The quality section's checks for one province: rule and what was found, skipped checks named."""
    gaps = schema.unchecked(frame, code)

    def years(values: list[int]) -> str:
        return ", ".join(str(y) for y in values)

    found = {
        "cumulative": (f"không so sánh được giữa các tháng của năm {years(gaps['cumulative'])} (chỉ có một kỳ "
                       "báo cáo trong năm)" if gaps["cumulative"] else ""),
        "chain": (f"không kiểm tra được cho năm {years(gaps['chain'])} (thiếu báo cáo ngày 30/09 của năm trước "
                  "trong số liệu)" if gaps["chain"] else ""),
        "unit": (f"không kiểm tra được ở {len(gaps['unit'])} kỳ báo cáo có dưới {schema.UNIT_CHECK_MIN_PROVINCES} "
                 f"tỉnh có số liệu ({', '.join(d.strftime('%d/%m/%Y') for d in gaps['unit'][:3])}"
                 f"{', …' if len(gaps['unit']) > 3 else ''})" if gaps["unit"] else ""),
    }
    if any(f"[{schema.rule_text(schema.DECREASE_RULE)}]" in w for w in warnings):  # as the warnings were written
        found["cumulative"] = "; ".join(x for x in ["có số lũy kế giảm (xem lưu ý dưới đây)", found["cumulative"]] if x)
    return [dict(rule=rule, skipped=found.get(key, "")) for key, rule in CHECKS_VI]


def _plain(value, unit: str) -> str:
    if value is None or pd.isna(value):
        return ""
    if unit == "%" or unit == "ngày":
        return format_int(value) if float(value).is_integer() else format_number(value)
    return format_int(value)
