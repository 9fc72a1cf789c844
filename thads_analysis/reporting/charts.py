"""Report charts: one function per chart, each returning a ``matplotlib.figure.Figure``.

Inputs are plain DataFrames and numbers (the funnel plot takes an ``analysis.funnel.Funnel``), so
every chart can be drawn from a hand-made table. Text is Vietnamese; numbers are written the Vietnamese way through
:mod:`thads_analysis.numbers` ("79,25%", "12.345", "1.234,5" tỷ đồng).

Figures and pyplot
------------------
A notebook shows a chart with ``display(fig)`` (or as a cell's last value). A figure built with
``matplotlib.figure.Figure()`` alone does *not* render there unless pyplot has already loaded the
inline backend (checked in a kernel: ``display(Figure())`` gave only ``text/plain``), while a pyplot
figure that is left open is drawn *twice* (once by ``display``, once by the inline backend at the end
of the cell). So every chart is created through ``plt.figure`` (which loads the backend and its
display hooks) and closed with ``plt.close`` before it is returned: nothing accumulates in pyplot's
state, ``display(fig)`` shows it exactly once, and callers never need to close anything.

Every chart is built inside ``matplotlib.rc_context(RC)`` (seaborn's "whitegrid" style, DejaVu Sans,
fonts of at least 10 pt) and drawn once before the context ends, so a notebook's or a test's global
rcParams do not change the result; no backend is set here (notebooks use the inline backend, tests
``MPLBACKEND=Agg``). Sizes: ``WIDTH`` = 9,5 in, ``DPI`` = 100. Output is deterministic: no random
jitter or bootstrap (``errorbar=None``), stable orderings, and :func:`to_png` writes no software
metadata.

Colours are Okabe–Ito (colour-blind safe): :data:`STATUS_COLORS` for the four statuses of
``assess``; funnel flags use its blue / vermillion. A target is drawn as a black dashed line
labelled "Chỉ tiêu 73%"; its ``gid`` is ``"target"`` so tests (and readers) can find it.
"""

from __future__ import annotations

import functools
import io
import math
import textwrap
from collections.abc import Iterable, Mapping

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.transforms as mtransforms
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from ..analysis.funnel import OUTER_LEVEL, Funnel
from ..numbers import (
    format_int,
    format_number,
    format_percent,
    no_negative_zero,
    short_percent,
    signed_percent,
    with_minus_sign,
)
from ..vocabulary import MEASURES, NO_DATA, STATUSES, status

CHARTS = ("rates_vs_target", "monthly_path", "carry_over_years", "key_categories", "funnel_plot", "ranked_bars",
          "status_heatmap", "status_map", "region_bars")
__all__ = [
    "STATUS_COLORS", "FLAG_COLORS", "NO_TARGET_LABEL", "RC", "WIDTH", "DPI", "CHARTS", "vn_percent_formatter",
    "vn_number_formatter", "target_label", "month_label", "to_png", *CHARTS,
]

STATUS_COLORS = {s.code: s.colour for s in STATUSES}  # status code → colour (vocabulary.Status)
NO_TARGET_LABEL = "Không áp dụng chỉ tiêu"
# funnel.FLAG_* → colour and legend text.
FLAG_COLORS = {"above": "#0072B2", "within": "#9A9A9A", "below": "#D55E00"}
LIMIT_TEXT = format_percent(OUTER_LEVEL, 1)  # "99,8%"
FLAG_LABELS = {"above": f"Cao hơn giới hạn {LIMIT_TEXT}", "within": "Trong giới hạn",
               "below": f"Thấp hơn giới hạn {LIMIT_TEXT}"}

MEASURE_TITLES = {"cases": "Về việc", "money": "Về tiền"}

WIDTH = 9.5  # inches
DPI = 100
MAIN = "#2C4A6E"  # the province / the series in focus
OTHER = "#AEBBC8"  # comparisons
NATIONAL_GREY = "#8C8C8C"
TARGET = "#000000"
PACE = "#009E73"
NOTE_GREY = "#555555"

RC = {
    **sns.axes_style("whitegrid"),
    **sns.plotting_context("notebook"),
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.title_fontsize": 10,
    "figure.titlesize": 13,
    "figure.titleweight": "bold",
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.unicode_minus": True,
    "svg.hashsalt": "thads-analysis",
}

# ---------------------------------------------------------------------------------------------
# Axis formatters (the number writing itself is numbers.py's)


def vn_percent_formatter(decimals: int = 0) -> FuncFormatter:
    """Axis formatter for values already in percent: 80 → "80%", 79.25 → "79,25%" (decimals=2)."""
    return FuncFormatter(lambda x, pos=None: with_minus_sign(format_percent(no_negative_zero(x, decimals), decimals)))


def vn_number_formatter(decimals: int = 0, scale: float = 1.0) -> FuncFormatter:
    """Axis formatter with Vietnamese grouping: 12345 → "12.345"; ``scale`` divides first (1e9: đồng → tỷ)."""
    return FuncFormatter(lambda x, pos=None: with_minus_sign(format_number(no_negative_zero(x / scale, decimals),
                                                                           decimals)))


def target_label(value: float) -> str:
    """"Chỉ tiêu 73%"."""
    return f"Chỉ tiêu {short_percent(value)}"


# ---------------------------------------------------------------------------------------------
# Figure plumbing


def _chart(func):
    """Build the figure inside the report style, lay it out and close it in pyplot (module docstring)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs) -> Figure:
        fig = None
        try:
            with mpl.rc_context(RC):
                fig = func(*args, **kwargs)
                # Resolve ticks, text and layout now, while the style is active.
                fig.draw_without_rendering()
        finally:
            if fig is not None:
                plt.close(fig)
        return fig

    return wrapper


def _figure(height: float, nrows: int = 1, ncols: int = 1, **subplot_kw):
    """A pyplot figure of the report width with constrained layout; returns (fig, axes)."""
    fig = plt.figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    return fig, axes


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes, as a notebook shows it (dpi 100, tight bounding box, no metadata)."""
    buffer = io.BytesIO()
    with mpl.rc_context(RC):
        fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", facecolor="white",
                    metadata={"Software": None})
    return buffer.getvalue()


def _wrap(label: str, width: int) -> str:
    return textwrap.fill(str(label), width=width, break_long_words=False)


def _unique(values: Iterable) -> list:
    """Distinct values in order of first appearance (stable, deterministic)."""
    return list(dict.fromkeys(v for v in values if not _missing(v)))


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _to_float(values) -> np.ndarray:
    return pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _target_vline(ax, value: float, label: str | None = None):
    """Vertical target line (horizontal bars) with its label above the plot area."""
    label = label or target_label(value)
    line = ax.axvline(value, color=TARGET, linestyle="--", linewidth=1.6, zorder=5, label=label, gid="target")
    ax.text(value, 1.0, label, transform=mtransforms.blended_transform_factory(ax.transData, ax.transAxes),
            ha="center", va="bottom", fontsize=10, color=TARGET, fontweight="bold", clip_on=False)
    return line


def _target_hline(ax, value: float, label: str | None = None, x: float = 0.01, ha: str = "left"):
    """Horizontal target line with its label just above it, at axes-x ``x``."""
    label = label or target_label(value)
    line = ax.axhline(value, color=TARGET, linestyle="--", linewidth=1.6, zorder=5, label=label, gid="target")
    ax.annotate(label, xy=(x, value), xycoords=("axes fraction", "data"), xytext=(0, 3),
                textcoords="offset points", ha=ha, va="bottom", fontsize=10, color=TARGET, fontweight="bold",
                bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none", alpha=0.8), zorder=6)
    return line


# Labels sit above target lines (zorder 5) on a white box, so a line through them never hides digits.
_LABEL_BOX = dict(boxstyle="square,pad=0.12", facecolor="white", edgecolor="none")


def _no_data_text(ax, y: float, x: float = 1.0):
    ax.text(x, y, "không có số liệu", va="center", ha="left", fontsize=10, color=NOTE_GREY, fontstyle="italic",
            gid="no-data", bbox=_LABEL_BOX, zorder=6)


def _hbars(ax, labels: list[str], values, hue: list[str], palette: Mapping[str, str], value_text=format_percent,
           xmax: float = 100.0, wrap: int | None = None, label_pad: float | None = None):
    """Horizontal bars in the order of ``labels`` (top to bottom), coloured by ``hue``, NA as a grey note.

    Value labels sit right of each bar; the x axis runs 0..xmax percent with room for the labels.
    """
    frame = pd.DataFrame({"label": labels, "value": _to_float(values), "hue": hue})
    present = frame.dropna(subset=["value"])
    if len(present):
        sns.barplot(data=present, x="value", y="label", hue="hue", palette=dict(palette), order=labels,
                    hue_order=[h for h in palette if h in set(present["hue"])], orient="h", dodge=False,
                    legend=False, errorbar=None, saturation=1.0, width=0.7, ax=ax)
    top = max(xmax, float(np.nanmax(frame["value"])) if len(present) else xmax)
    pad = label_pad if label_pad is not None else top * 0.02
    for i, v in enumerate(frame["value"]):
        if np.isnan(v):
            _no_data_text(ax, i, x=pad)
        else:
            ax.text(v + pad, i, value_text(v), va="center", ha="left", fontsize=10, color="#222222",
                    bbox=_LABEL_BOX, zorder=6)
    ax.set_yticks(range(len(labels)), [_wrap(l, wrap) if wrap else l for l in labels])
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(0, top * 1.17)
    ax.set_ylabel("")
    ax.grid(axis="y", visible=False)
    return frame


# ---------------------------------------------------------------------------------------------
# 1. Rates of the province, its region and the nation against the targets


def _panel_bars(ax, sub: pd.DataFrame, labels: list[str], colors: Mapping[str, str], target, xlabel: str,
                wrap: int):
    values = sub.set_index("label")["rate"].reindex(labels)
    _hbars(ax, labels, values.to_numpy(), hue=labels, palette={l: colors[l] for l in labels}, wrap=wrap)
    ax.xaxis.set_major_locator(FixedLocator([0, 20, 40, 60, 80, 100]))
    ax.xaxis.set_major_formatter(vn_percent_formatter())
    ax.set_xlabel(xlabel)
    if target is not None and not _missing(target):
        _target_vline(ax, float(target))


def _rate_panels(frame: pd.DataFrame, label_col: str, targets: Mapping[str, float] | None, colors, title: str,
                 wrap: int, height: float | None = None):
    frame = pd.DataFrame(frame)
    labels = _unique(frame[label_col])
    frame = frame.rename(columns={label_col: "label"})
    targets = dict(targets or {})
    fig, axes = _figure(height or (1.9 + 0.55 * len(labels)), ncols=2, sharey=True)
    for ax, measure in zip(axes[0], MEASURES):
        sub = frame[frame["measure"] == measure]
        _panel_bars(ax, sub, labels, colors, targets.get(measure), "Tỷ lệ thi hành xong (%)", wrap)
        ax.set_title(MEASURE_TITLES[measure], pad=20)
    axes[0, 1].tick_params(axis="y", labelleft=False)
    fig.suptitle(title)
    return fig


@_chart
def rates_vs_target(rates: pd.DataFrame, targets: Mapping[str, float] | None = None, title: str | None = None
                    ) -> Figure:
    """Completion rates of a few scopes (province first, then region, nation) against the targets.

    ``rates``: columns scope_label, measure ("cases"/"money"), rate (percent; NA allowed).
    ``targets``: {"cases": 73.0, "money": 32.0}; a missing measure draws no target line.
    Two panels (Về việc / Về tiền), one horizontal bar per scope in input order, the first scope
    highlighted, value labels "90,70%", a dashed target line per panel.
    """
    frame = pd.DataFrame(rates)
    labels = _unique(frame["scope_label"])
    colors = {l: (MAIN if i == 0 else OTHER) for i, l in enumerate(labels)}
    return _rate_panels(frame, "scope_label", targets, colors,
                        title or "Tỷ lệ thi hành xong so với chỉ tiêu", wrap=20)


# ---------------------------------------------------------------------------------------------
# 2. The cumulative rate month by month


def _statistical_year(ts: pd.Timestamp) -> int:
    return ts.year + 1 if ts.month >= 10 else ts.year


def _clean_path(path) -> pd.DataFrame:
    if path is None:
        return pd.DataFrame({"period_end": pd.to_datetime([]), "rate": np.array([], dtype=float)})
    frame = pd.DataFrame(path)
    out = pd.DataFrame({"period_end": pd.to_datetime(frame["period_end"]), "rate": _to_float(frame["rate"])})
    return out.sort_values("period_end", kind="mergesort").reset_index(drop=True)


def month_label(ts: pd.Timestamp) -> str:
    """Timestamp("2016-10-31") → "T10/2016"."""
    return f"T{ts.month}/{ts.year}"


@_chart
def monthly_path(path: pd.DataFrame, target: float | None = None, projection: float | None = None,
                 national: pd.DataFrame | None = None, milestones: Iterable[tuple] | None = None,
                 title: str | None = None, label: str = "Tỉnh", national_label: str = "Toàn quốc",
                 year: int | None = None) -> Figure:
    """The cumulative completion rate month by month through one statistical year (01/10 → 30/09).

    ``path`` / ``national``: columns period_end (month ends), rate (percent). ``target``: year-end
    target (percent): a dashed target line and the "Lộ trình đạt chỉ tiêu" (straight line from the first
    month's rate to the target at 30/09). ``projection``: projected year-end rate, a dashed segment from
    the last point to 30/09 labelled "Dự báo cuối năm 77,3%". ``milestones``: (date, label) pairs drawn
    as dotted vertical lines. The x axis always shows T10/(year−1) … T9/year; ``year`` defaults to the
    statistical year of the first period_end.
    """
    path, national = _clean_path(path), (None if national is None else _clean_path(national))
    if year is None:
        source = path if len(path) else national
        if source is None or not len(source):
            raise ValueError("monthly_path needs a non-empty path (or national path) or an explicit year")
        year = _statistical_year(source["period_end"].iloc[0])
    start, end = pd.Timestamp(year - 1, 10, 1), pd.Timestamp(year, 9, 30)
    months = pd.date_range(start, end, freq="ME")
    fig, axes = _figure(5.4)
    ax = axes[0, 0]

    if national is not None and len(national):
        sns.lineplot(data=national, x="period_end", y="rate", color=NATIONAL_GREY, linewidth=1.4, marker="o",
                     markersize=4, markeredgewidth=0, estimator=None, errorbar=None, sort=True,
                     label=national_label, ax=ax, zorder=3)
    valid = path.dropna(subset=["rate"])
    if len(valid):
        sns.lineplot(data=valid, x="period_end", y="rate", color=MAIN, linewidth=2.6, marker="o", markersize=7,
                     markeredgewidth=0, estimator=None, errorbar=None, sort=True, label=label, ax=ax, zorder=4)
        last = valid.iloc[-1]
        # Above-left of the last point, or below-right when the target line runs just above it.
        below = target is not None and not _missing(target) and 0 <= float(target) - last["rate"] <= 9
        ax.annotate(format_percent(last["rate"]), xy=(last["period_end"], last["rate"]),
                    xytext=(6, -9) if below else (-6, 8), textcoords="offset points", ha="left" if below else "right",
                    va="top" if below else "bottom", fontsize=10, color=MAIN, fontweight="bold", zorder=7,
                    bbox=_LABEL_BOX)
    if target is not None and not _missing(target):
        _target_hline(ax, float(target))
        if len(valid):
            first = valid.iloc[0]
            ax.plot([first["period_end"], end], [first["rate"], float(target)], color=PACE, linestyle="-.",
                    linewidth=1.6, zorder=3, label="Lộ trình đạt chỉ tiêu", gid="pace")
    if projection is not None and not _missing(projection) and len(valid):
        last = valid.iloc[-1]
        text = f"Dự báo cuối năm {format_percent(float(projection), 1)}"
        ax.plot([last["period_end"], end], [last["rate"], float(projection)], color=MAIN, linestyle=(0, (4, 3)),
                linewidth=1.8, zorder=4, label=text, gid="projection")
        ax.plot([end], [float(projection)], marker="o", markersize=7, markerfacecolor="white", markeredgecolor=MAIN,
                markeredgewidth=1.8, linestyle="none", zorder=5)
        ax.annotate(format_percent(float(projection), 1), xy=(end, float(projection)), xytext=(8, 0),
                    textcoords="offset points", ha="left", va="center", fontsize=10, color=MAIN,
                    fontweight="bold", zorder=7)
    for date, text in milestones or []:
        date = pd.Timestamp(date)
        ax.axvline(date, color=NOTE_GREY, linestyle=":", linewidth=1.4, zorder=2, gid="milestone")
        right_half = date > start + (end - start) / 2
        ax.annotate(_wrap(text, 44), xy=(date, 0.98), xycoords=("data", "axes fraction"),
                    xytext=(-5 if right_half else 5, 0), textcoords="offset points",
                    ha="right" if right_half else "left", va="top", fontsize=10, color=NOTE_GREY)

    ax.set_xlim(start + pd.Timedelta(days=10), end + pd.Timedelta(days=40))
    # "T10/2016", "T11", …, "T1/2017", …, "T9/2017": the year where it changes and at both ends.
    ax.set_xticks(mdates.date2num(months.to_pydatetime()),
                  [month_label(d) if d.month in (10, 1) or d == months[-1] else f"T{d.month}" for d in months])
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_locator(FixedLocator([0, 20, 40, 60, 80, 100]))
    ax.yaxis.set_major_formatter(vn_percent_formatter())
    ax.set_xlabel("Tháng (số liệu lũy kế đến cuối tháng)")
    ax.set_ylabel("Tỷ lệ thi hành xong (%)")
    ax.grid(axis="x", visible=False)
    handles, labels = ax.get_legend_handles_labels()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    # Legend order: the province, the nation, then target, pace and projection.
    rank = {label: 0, national_label: 1}
    pairs = sorted(zip(handles, labels), key=lambda hl: (rank.get(hl[1], 2), 0))
    if pairs:
        fig.legend([h for h, _ in pairs], [l for _, l in pairs], loc="outside lower center",
                   ncol=min(len(pairs), 3), frameon=False)
    ax.set_title(title or f"Tỷ lệ thi hành xong lũy kế từ 01/10/{year - 1}")
    return fig


# ---------------------------------------------------------------------------------------------
# 3. Carry-over with conditions at each year end


def _change_target_label(target_change: float, comparator: str) -> str:
    if target_change == 0 and comparator == "<":
        return "Chỉ tiêu: giảm so với năm trước"
    if target_change < 0 and comparator in ("<", "<="):
        return f"Chỉ tiêu: giảm ít nhất {short_percent(-target_change)}"
    return f"Chỉ tiêu: thay đổi {comparator} {signed_percent(target_change, 1)}"


@_chart
def carry_over_years(values: pd.DataFrame, targets: Mapping | None = None, statuses: Mapping | None = None,
                     title: str | None = None) -> Figure:
    """Carry-forward with conditions at each year end (30/09), one panel per measure.

    ``values``: columns year (int), measure ("cases"/"money"), value (cases count; money in đồng, shown in
    tỷ đồng). Each bar after the first is annotated with its % change on the previous year ("−2,55%").
    ``targets`` ({measure: (change in percent, comparator)}; (0, "<") means "must fall") draws the level
    the last year had to beat as a dashed line over the last bar; ``statuses`` ({measure: status code},
    as the scorecard judged the last year) colours the last bar.
    """
    targets, statuses = dict(targets or {}), dict(statuses or {})
    frame = pd.DataFrame(values).copy()
    frame["value"] = _to_float(frame["value"])
    frame["year"] = frame["year"].astype(int)
    fig, axes = _figure(4.6, ncols=2)
    status_seen: list[str] = []
    target_handle = None
    for ax, measure in zip(axes[0], MEASURES):
        sub = frame[frame["measure"] == measure].sort_values("year", kind="mergesort").reset_index(drop=True)
        scale = 1e9 if measure == "money" else 1.0
        decimals = 1 if measure == "money" else 0
        text_of = (lambda v: format_number(v, 1)) if measure == "money" else format_int
        shown = sub["value"] / scale
        labels = [f"30/09/{y}" for y in sub["year"]]
        keys = ["past"] * len(sub)
        palette = {"past": OTHER}
        target_change, comparator = targets.get(measure, (None, None))
        if measure in statuses and len(sub):
            last_status = status(NO_DATA.code if _missing(statuses[measure]) else statuses[measure]).code
            keys[-1] = last_status
            palette[last_status] = STATUS_COLORS[last_status]
            status_seen.append(last_status)
        elif len(sub):
            keys[-1] = "last"
            palette["last"] = MAIN
        plot = pd.DataFrame({"label": labels, "value": shown.to_numpy(), "key": keys}).dropna(subset=["value"])
        if len(plot):
            sns.barplot(data=plot, x="label", y="value", hue="key", palette=palette, order=labels,
                        hue_order=[k for k in palette if k in set(plot["key"])], dodge=False, legend=False,
                        errorbar=None, saturation=1.0, width=0.6, ax=ax)
        top = float(np.nanmax(shown)) if shown.notna().any() else 1.0
        # The level the last year had to stay under (or reach): the previous year's times (1 + change).
        level = np.nan
        if target_change is not None and len(sub) >= 2 and not np.isnan(shown.iloc[-2]):
            level = shown.iloc[-2] * (1 + float(target_change) / 100)
            top = max(top, level)
        for i, v in enumerate(shown):
            if np.isnan(v):
                ax.text(i, top * 0.05, "không có\nsố liệu", ha="center", va="bottom", fontsize=10, color=NOTE_GREY,
                        fontstyle="italic", gid="no-data")
                continue
            text = text_of(v)
            prev = shown.iloc[i - 1] if i else np.nan
            if i and not np.isnan(prev) and prev != 0:
                text += f"\n({signed_percent((v - prev) / prev * 100)})"
            # Above the bar, or above the target mark when that sits just over the bar (it would cross the text).
            near = i == len(shown) - 1 and not np.isnan(level) and 0 <= level - v <= 0.2 * top
            base = level if near else v
            ax.text(i, base + top * 0.025, text, ha="center", va="bottom", fontsize=10, color="#222222",
                    linespacing=1.3)
        if not np.isnan(level):
            x = len(sub) - 1
            (target_handle,) = ax.plot([x - 0.42, x + 0.42], [level, level], color=TARGET, linestyle="--",
                                       linewidth=1.8, zorder=5, gid="target",
                                       label=_change_target_label(float(target_change), comparator))
        ax.set_xticks(range(len(labels)), labels)
        ax.set_xlim(-0.6, max(len(labels), 1) - 0.4)
        ax.set_ylim(0, top * 1.3)
        ax.yaxis.set_major_formatter(vn_number_formatter(decimals if top < 10 else 0))
        ax.set_ylabel("Tỷ đồng" if measure == "money" else "Số việc")
        ax.set_xlabel("")
        ax.set_title(MEASURE_TITLES[measure] + (" (tỷ đồng)" if measure == "money" else ""))
        ax.grid(axis="x", visible=False)
    handles = [Patch(facecolor=OTHER, label="Các năm trước")]
    if len(status_seen) < len(MEASURES):
        handles.append(Patch(facecolor=MAIN, label="Năm gần nhất"))
    for code in _unique(status_seen):
        handles.append(Patch(facecolor=STATUS_COLORS[code], label=f"Năm gần nhất: {status(code).label.lower()}"))
    if target_handle is not None:
        handles.append(Line2D([], [], color=TARGET, linestyle="--", linewidth=1.8, label=target_handle.get_label()))
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False)
    fig.suptitle(title or "Số chuyển kỳ sau có điều kiện thi hành tại cuối năm thống kê")
    return fig


# ---------------------------------------------------------------------------------------------
# 4. Key categories


@_chart
def key_categories(rates: pd.DataFrame, targets: Mapping | None = None, title: str | None = None) -> Figure:
    """Completion rates of the campaign's key categories, one panel per measure.

    ``rates``: columns category_label, measure, rate (percent or NA). A missing rate shows the grey note
    "không có số liệu" instead of a bar. ``targets``: {measure: percent} for one line per panel, or
    {measure: {category_label: percent}} for a short target mark on each category's row.
    """
    frame = pd.DataFrame(rates)
    labels = _unique(frame["category_label"])
    targets = dict(targets or {})
    fig, axes = _figure(1.9 + 0.6 * len(labels), ncols=2, sharey=True)
    for ax, measure in zip(axes[0], MEASURES):
        sub = frame[frame["measure"] == measure].rename(columns={"category_label": "label"})
        target = targets.get(measure)
        per_category = isinstance(target, Mapping)
        if per_category and len({float(v) for v in target.values() if not _missing(v)}) == 1 \
                and set(target) >= set(labels):
            target, per_category = next(float(v) for v in target.values() if not _missing(v)), False
        _panel_bars(ax, sub, labels, {l: MAIN for l in labels}, None if per_category else target,
                    "Tỷ lệ thi hành xong (%)", wrap=28)
        if per_category:
            for i, l in enumerate(labels):
                v = target.get(l)
                if v is None or _missing(v):
                    continue
                ax.plot([float(v), float(v)], [i - 0.42, i + 0.42], color=TARGET, linestyle="--", linewidth=1.8,
                        zorder=5, gid="target", label=target_label(float(v)))
            ax.legend(handles=[Line2D([], [], color=TARGET, linestyle="--", label="Chỉ tiêu từng nhóm")],
                      loc="lower right", frameon=True)
        ax.set_title(MEASURE_TITLES[measure], pad=20)
    axes[0, 1].tick_params(axis="y", labelleft=False)
    fig.suptitle(title or "Tỷ lệ thi hành xong các nhóm việc trọng tâm")
    return fig


# ---------------------------------------------------------------------------------------------
# 5. Funnel plot


def _log_axis(axis):
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(vn_number_formatter())
    axis.set_minor_locator(LogLocator(base=10, subs=tuple(np.arange(2, 10) / 1.0)))
    axis.set_minor_formatter(NullFormatter())


def _short_name(name: str) -> str:
    for prefix in ("Thành phố ", "Tỉnh "):
        if str(name).startswith(prefix):
            return str(name)[len(prefix):]
    return str(name)


@_chart
def funnel_plot(funnel: Funnel, p0_label: str, highlight: str | None = None, title: str | None = None,
                label_flagged: bool | None = None) -> Figure:
    """Provinces' rates against their size with the funnel's control limits.

    ``funnel``: an ``analysis.funnel.Funnel`` whose table holds province_code, province_name, the
    denominator, rate (a proportion) and flag; the lines drawn are the limits its flags were judged
    on (adjusted when it was adjusted). ``p0_label`` labels the centre line (e.g. "Toàn quốc 79,25%").
    ``highlight``: a province code drawn larger and named. ``label_flagged`` names the provinces
    outside the 99,8% limits (default: when nothing is highlighted and at most 12 are outside).
    """
    t = pd.DataFrame(funnel.table).copy()
    t["n"] = _to_float(t[funnel.denominator])
    t["pct"] = _to_float(t["rate"]) * 100
    t = t[(t["n"] > 0) & t["pct"].notna()].copy()
    t["flag"] = t["flag"].astype(str)
    t = t.sort_values(["n", "province_code"], kind="mergesort").reset_index(drop=True)
    c = funnel.curve()
    p0, adjusted = funnel.p0, funnel.adjusted

    fig, axes = _figure(6.0)
    ax = axes[0, 0]
    n = c["n"].to_numpy(dtype=float)
    ax.fill_between(n, c["lower998"] * 100, c["upper998"] * 100, color="#F0F0F0", zorder=0, linewidth=0)
    suffix = " (đã điều chỉnh phân tán)" if adjusted else ""
    ax.plot(n, c["lower95"] * 100, color="#7F7F7F", linestyle="--", linewidth=1.1, label=f"Giới hạn 95%{suffix}",
            gid="limit95")
    ax.plot(n, c["upper95"] * 100, color="#7F7F7F", linestyle="--", linewidth=1.1, gid="limit95")
    ax.plot(n, c["lower998"] * 100, color="#404040", linestyle="-", linewidth=1.3,
            label=f"Giới hạn {LIMIT_TEXT}{suffix}", gid="limit998")
    ax.plot(n, c["upper998"] * 100, color="#404040", linestyle="-", linewidth=1.3, gid="limit998")
    ax.axhline(float(p0) * 100, color=TARGET, linewidth=1.4, zorder=2, label=p0_label, gid="target")

    flags = [f for f in FLAG_COLORS if f in set(t["flag"])]
    if len(t):
        sns.scatterplot(data=t, x="n", y="pct", hue="flag", hue_order=flags, palette=FLAG_COLORS, s=55,
                        edgecolor="white", linewidth=0.7, legend=False, ax=ax, zorder=4)
    point_handles = [Line2D([], [], marker="o", linestyle="none", markersize=8, markerfacecolor=FLAG_COLORS[f],
                            markeredgecolor="white", label=FLAG_LABELS[f]) for f in flags]

    if label_flagged is None:
        label_flagged = highlight is None and int(t["flag"].isin(["above", "below"]).sum()) <= 12
    if label_flagged:
        for r in t[t["flag"].isin(["above", "below"])].itertuples():
            if highlight is not None and r.province_code == highlight:
                continue
            ax.annotate(_short_name(r.province_name), xy=(r.n, r.pct), xytext=(6, 0), textcoords="offset points",
                        ha="left", va="center", fontsize=10, color=FLAG_COLORS[r.flag])
    if highlight is not None:
        row = t[t["province_code"] == highlight]
        if len(row):
            r = row.iloc[0]
            color = FLAG_COLORS.get(r["flag"], MAIN)
            ax.scatter([r["n"]], [r["pct"]], s=230, facecolor=color, edgecolor="black", linewidth=2.0, zorder=6,
                       gid="highlight")
            low = r["pct"] < float(p0) * 100
            ax.annotate(_short_name(r["province_name"]) + f"\n{format_percent(r['pct'])}", xy=(r["n"], r["pct"]),
                        xytext=(14, -22 if low else 22), textcoords="offset points", ha="left",
                        va="top" if low else "bottom", fontsize=11, fontweight="bold", zorder=7,
                        bbox=dict(boxstyle="round,pad=0.25", facecolor="white", edgecolor="#444444", alpha=0.9),
                        arrowprops=dict(arrowstyle="-", color="#222222", linewidth=1.2))

    ax.set_xscale("log")
    ax.set_xlim(n.min(), n.max())
    _log_axis(ax.xaxis)
    # Show every point, p0 and the 99,8% limits (clipped to 0..100%).
    values = np.concatenate([t["pct"].to_numpy(), [float(p0) * 100], c["lower998"].to_numpy(dtype=float) * 100,
                             c["upper998"].to_numpy(dtype=float) * 100])
    lo, hi = np.nanmin(values), np.nanmax(values)
    span = max(hi - lo, 10.0)
    ax.set_ylim(max(0.0, lo - 0.06 * span), min(100.0, hi + 0.06 * span))
    ax.yaxis.set_major_locator(MaxNLocator(steps=[1, 2, 5, 10], integer=True))  # whole percents only
    ax.yaxis.set_major_formatter(vn_percent_formatter())
    ax.set_xlabel("Số việc có điều kiện thi hành (thang logarit)")
    ax.set_ylabel("Tỷ lệ thi hành xong (%)")
    handles = [*ax.get_legend_handles_labels()[0][:3], *point_handles]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False)
    ax.set_title(title or "Tỷ lệ thi hành xong về việc so với số việc có điều kiện (biểu đồ phễu)")
    return fig


# ---------------------------------------------------------------------------------------------
# 6. Provinces ranked


@_chart
def ranked_bars(table: pd.DataFrame, target: float | None, value_label: str, title: str | None = None) -> Figure:
    """One horizontal bar per province, highest first, coloured by status, with the target line.

    ``table``: columns name, rate (percent; NA last with "không có số liệu"), status (a status code;
    NA → "no_data"). Height grows with the number of rows (0,18 in per bar).
    """
    frame = pd.DataFrame(table)[["name", "rate", "status"]].copy()
    frame["rate"] = _to_float(frame["rate"])
    frame["status"] = [s if not _missing(s) else NO_DATA.code for s in frame["status"]]
    unknown = sorted(set(frame["status"]) - set(STATUS_COLORS))
    if unknown:
        raise ValueError(f"unknown status {unknown}; expected one of {list(STATUS_COLORS)}")
    frame["_key"] = frame["rate"].fillna(-np.inf)
    frame = frame.sort_values(["_key", "name"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
    fig, axes = _figure(1.9 + 0.18 * len(frame))
    ax = axes[0, 0]
    _hbars(ax, [str(n) for n in frame["name"]], frame["rate"].to_numpy(), hue=list(frame["status"]),
           palette=STATUS_COLORS)
    ax.set_ylim(len(frame) - 0.4, -0.6)
    ax.xaxis.set_major_locator(FixedLocator([0, 20, 40, 60, 80, 100]))
    ax.xaxis.set_major_formatter(vn_percent_formatter())
    ax.set_xlabel(value_label)
    if target is not None and not _missing(target):
        _target_vline(ax, float(target))
    present = [s for s in STATUS_COLORS if s in set(frame["status"])]
    handles = [Patch(facecolor=STATUS_COLORS[s], label=status(s).label) for s in present]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False)
    base = value_label.removesuffix(" (%)")
    fig.suptitle(title or f"{base}: các tỉnh xếp từ cao xuống thấp")
    return fig


# ---------------------------------------------------------------------------------------------
# 7. Status heatmap


@_chart
def status_heatmap(matrix: pd.DataFrame, title: str | None = None) -> Figure:
    """Provinces (rows) × targets (columns) coloured by status; empty (None/NA) means no target.

    ``matrix``: index = province names, columns = short indicator labels, values = a status code
    or None/NA. Rows and columns are kept in the given order.
    """
    matrix = pd.DataFrame(matrix)
    statuses = list(STATUS_COLORS)
    unknown = sorted({str(v) for v in matrix.to_numpy().ravel() if not _missing(v)} - set(statuses))
    if unknown:
        raise ValueError(f"unknown status {unknown}; expected one of {statuses} or empty")
    codes = np.array([[np.nan if _missing(v) else float(statuses.index(v)) for v in row]
                      for row in matrix.to_numpy()], dtype=float).reshape(matrix.shape)
    rows, cols = matrix.shape
    longest = max((len(str(c)) for c in matrix.columns), default=10)
    header = 0.5 + (0.065 if cols <= 10 else 0.08) * min(longest, 30)
    fig, axes = _figure(1.6 + header + 0.2 * rows)
    ax = axes[0, 0]
    cmap = mpl.colors.ListedColormap([STATUS_COLORS[s] for s in statuses])
    sns.heatmap(pd.DataFrame(codes, index=[str(i) for i in matrix.index], columns=[str(c) for c in matrix.columns]),
                cmap=cmap, vmin=-0.5, vmax=len(statuses) - 0.5, cbar=False, linewidths=0.6, linecolor="white",
                square=False, ax=ax, xticklabels=True, yticklabels=True)
    # Cells without a target: white with a light outline, distinct from "không có số liệu" grey.
    for i, j in zip(*np.nonzero(np.isnan(codes))):
        ax.add_patch(mpl.patches.Rectangle((j + 0.04, i + 0.08), 0.92, 0.84, facecolor="white", edgecolor="#CFCFCF",
                                           linewidth=0.6, gid="no-target"))
    ax.xaxis.tick_top()
    ax.set_xticks(np.arange(cols) + 0.5, [str(c) for c in matrix.columns], rotation=40 if cols <= 10 else 55,
                  ha="left", rotation_mode="anchor")
    ax.set_yticks(np.arange(rows) + 0.5, [str(i) for i in matrix.index], rotation=0)
    ax.tick_params(axis="both", length=0)
    ax.set_xlabel("")
    ax.set_ylabel("")
    handles = [Patch(facecolor=STATUS_COLORS[s], label=status(s).label) for s in statuses]
    handles.append(Patch(facecolor="white", edgecolor="#9A9A9A", label=NO_TARGET_LABEL))
    fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False)
    fig.suptitle(title or "Tình trạng đạt chỉ tiêu của các tỉnh")
    return fig


# ---------------------------------------------------------------------------------------------
# 8. Status "map" (dots at the provinces' coordinates, no basemap)


def _nice_sizes(maximum: float) -> list[float]:
    """Two or three round reference sizes (1-2-5 steps) for a size legend."""
    if not maximum or np.isnan(maximum) or maximum <= 0:
        return []
    out = []
    for fraction in (1.0, 0.3, 0.06):
        value = maximum * fraction
        exponent = 10 ** math.floor(math.log10(value))
        nice = max(m for m in (1, 2, 5, 10) if m * exponent <= value) * exponent
        if nice not in out and nice >= 1:
            out.append(float(nice))
    return out


def _place_labels(ax, items: list[tuple[float, float, str, float]]):
    """Name points without overlaps: for each (x, y, text, radius in points) try right, left, above, below.

    Greedy and deterministic: the first position that stays inside the axes and clear of the labels
    already placed and of the labelled points' markers wins; if none is clear, the label goes right.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    to_px = fig.dpi / 72.0
    centres = [ax.transData.transform((x, y)) for x, y, _, _ in items]
    markers = [mtransforms.Bbox.from_extents(cx - r * to_px, cy - r * to_px, cx + r * to_px, cy + r * to_px)
               for (cx, cy), (_, _, _, r) in zip(centres, items)]
    placed: list = []
    area = ax.get_window_extent(renderer)
    for k, (x, y, text, radius) in enumerate(items):
        gap = radius + 3
        candidates = [((gap, 0), "left", "center"), ((-gap, 0), "right", "center"),
                      ((0, gap), "center", "bottom"), ((0, -gap), "center", "top")]
        chosen = None
        for offset, ha, va in candidates:
            label = ax.annotate(text, xy=(x, y), xytext=offset, textcoords="offset points", ha=ha, va=va,
                                fontsize=10, fontweight="bold", color="#222222", zorder=5, gid="label",
                                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.8))
            box = label.get_window_extent(renderer)
            others = placed + [m for j, m in enumerate(markers) if j != k]
            inside = area.contains(box.x0, box.y0) and area.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(o) for o in others):
                chosen = (label, box)
                break
            label.remove()
        if chosen is None:
            label = ax.annotate(text, xy=(x, y), xytext=(gap, 0), textcoords="offset points", ha="left",
                                va="center", fontsize=10, fontweight="bold", color="#222222", zorder=5, gid="label",
                                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.8))
            chosen = (label, label.get_window_extent(renderer))
        placed.append(chosen[1])


def _lat_label(y, pos=None) -> str:
    return f"{format_number(y, 0)}°B"


def _lon_label(x, pos=None) -> str:
    return f"{format_number(x, 0)}°Đ"


@_chart
def status_map(points: pd.DataFrame, title: str | None = None, size_label: str = "Số việc có điều kiện thi hành",
               status_label: str = "Tỷ lệ thi hành xong về việc", n_labels: int = 6) -> Figure:
    """Provinces as dots at their coordinates, sized by ``size`` and coloured by ``status``.

    ``points``: columns code, name, latitude, longitude, size, status. Equal-distance aspect (1/cos of
    the mid latitude), lat/lon gridlines, no basemap; the ``n_labels`` largest are named.
    """
    p = pd.DataFrame(points).copy()
    p["size"] = _to_float(p["size"])
    p["latitude"], p["longitude"] = _to_float(p["latitude"]), _to_float(p["longitude"])
    p["status"] = [s if not _missing(s) else NO_DATA.code for s in p["status"]]
    unknown = sorted(set(p["status"]) - set(STATUS_COLORS))
    if unknown:
        raise ValueError(f"unknown status {unknown}; expected one of {list(STATUS_COLORS)}")
    p = p.dropna(subset=["latitude", "longitude"])
    # Largest first so that small provinces stay visible on top; ties by code.
    p = p.sort_values(["size", "code"], ascending=[False, True], kind="mergesort", na_position="last")
    p = p.reset_index(drop=True)
    maximum = float(np.nanmax(p["size"])) if p["size"].notna().any() else 1.0
    smin, smax = 18.0, 700.0

    def area(v):
        v = np.asarray(v, dtype=float)
        return np.where(np.isnan(v), smin, smin + (smax - smin) * np.clip(v, 0, None) / maximum)

    p["area"] = area(p["size"])
    fig, axes = _figure(10.5)
    ax = axes[0, 0]
    present = [s for s in STATUS_COLORS if s in set(p["status"])]
    ax.scatter(p["longitude"], p["latitude"], s=p["area"], c=[STATUS_COLORS[s] for s in p["status"]],
               edgecolors="white", linewidths=0.8, alpha=0.9, zorder=3, gid="provinces")
    mid = math.radians(16.0)
    ax.set_aspect(1 / math.cos(mid))
    ax.set_xlim(101.8, 110.2)
    ax.set_ylim(8.2, 23.8)
    ax.xaxis.set_major_locator(FixedLocator(np.arange(102, 111, 2)))
    ax.yaxis.set_major_locator(FixedLocator(np.arange(9, 24, 2)))
    ax.xaxis.set_major_formatter(FuncFormatter(_lon_label))
    ax.yaxis.set_major_formatter(FuncFormatter(_lat_label))
    ax.grid(True, color="#E3E3E3", linewidth=0.8)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel("Kinh độ")
    ax.set_ylabel("Vĩ độ")
    status_handles = [Line2D([], [], marker="o", linestyle="none", markersize=10, markerfacecolor=STATUS_COLORS[s],
                             markeredgecolor="white", label=status(s).label) for s in present]
    size_handles = [Line2D([], [], marker="o", linestyle="none", markersize=math.sqrt(float(area(v))),
                           markerfacecolor="#D9D9D9", markeredgecolor="#7F7F7F", label=format_int(v))
                    for v in _nice_sizes(maximum)]
    first = ax.legend(handles=status_handles, title=status_label, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                      frameon=False, alignment="left")
    ax.add_artist(first)
    ax.legend(handles=size_handles, title=size_label, loc="upper left", bbox_to_anchor=(1.02, 0.68), frameon=False,
              labelspacing=1.6, borderpad=1.0, alignment="left")
    ax.text(1.04, 0.0, "Vị trí tương đối theo toạ độ tỉnh\n(không phải bản đồ).", transform=ax.transAxes,
            ha="left", va="bottom", fontsize=10, color=NOTE_GREY, fontstyle="italic", gid="note")
    ax.set_title(title or "Tình trạng chỉ tiêu thi hành xong về việc theo vị trí tỉnh")
    # Name the largest provinces once the layout is fixed, so that labels can dodge each other.
    fig.draw_without_rendering()
    _place_labels(ax, [(r.longitude, r.latitude, _short_name(r.name), math.sqrt(r.area) / 2)
                       for r in p.head(n_labels).itertuples()])
    return fig


# ---------------------------------------------------------------------------------------------
# 9. Regions


@_chart
def region_bars(table: pd.DataFrame, targets: Mapping[str, float] | None = None, title: str | None = None) -> Figure:
    """Completion rates of the regions against the targets: two panels (Về việc / Về tiền).

    ``table``: columns region, measure, rate (percent). Regions in input order; a "Toàn quốc" row, if
    present, is drawn in the highlight colour.
    """
    frame = pd.DataFrame(table)
    labels = _unique(frame["region"])
    colors = {l: (MAIN if l == "Toàn quốc" else OTHER) for l in labels}
    if "Toàn quốc" not in labels:
        colors = {l: MAIN for l in labels}
    return _rate_panels(frame, "region", targets, colors, title or "Tỷ lệ thi hành xong theo vùng so với chỉ tiêu",
                        wrap=24)


# ---------------------------------------------------------------------------------------------
# 10. The campaign window by region


@_chart
def window_paths(paths: pd.DataFrame, milestones=None, title: str | None = None,
                 month_labels: list[str] | None = None) -> Figure:
    """Small multiples, one panel per region: cases resolved since the window opened, month by month.

    ``paths``: columns region, month (1 = first month of the window), share (resolved since the
    start / cases with conditions to resolve in the window so far, percent), year ("2017", "2016").
    ``month_labels`` name the months on the x axis ("T3" …).
    The current year is drawn in the highlight colour, the previous year in grey.
    """
    frame = pd.DataFrame(paths)
    regions = _unique(frame["region"])
    years = sorted(_unique(frame["year"]), reverse=True)
    ncols = 3
    nrows = max(1, math.ceil(len(regions) / ncols))
    fig, axes = _figure(2.6 * nrows + 0.8, nrows, ncols, sharex=True, sharey=True)
    colors = {y: (MAIN if i == 0 else OTHER) for i, y in enumerate(years)}
    for i, ax in enumerate(axes.flat):
        if i >= len(regions):
            ax.set_visible(False)
            continue
        sub = frame[frame["region"] == regions[i]]
        for year in years:
            line = sub[sub["year"] == year].sort_values("month")
            ax.plot(line["month"], line["share"].astype(float), marker="o", markersize=3.5, color=colors[year],
                    linewidth=2.2 if year == years[0] else 1.4, label=f"Năm {year}")
        for month, label in milestones or []:
            ax.axvline(month, color=NOTE_GREY, linestyle=":", linewidth=1)
        ax.set_title(_wrap(regions[i], 28), fontsize=10.5)
        ax.yaxis.set_major_formatter(vn_percent_formatter())
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, color="#E3E3E3")
    if month_labels:
        for ax in axes.flat:
            ax.set_xticks(range(1, len(month_labels) + 1), month_labels)
    fig.supylabel("Tỷ lệ thi hành xong trong đợt (về việc)")
    handles = [Line2D([], [], color=colors[y], marker="o", linewidth=2, label=f"Năm {y}") for y in years]
    if milestones:
        handles.append(Line2D([], [], color=NOTE_GREY, linestyle=":", label=milestones[0][1]))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False)
    fig.suptitle(title or "Kết quả lũy kế trong đợt thi đua theo vùng (về việc)", fontweight="bold")
    return fig
