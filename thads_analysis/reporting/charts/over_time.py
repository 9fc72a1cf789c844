"""Charts over time: the cumulative rate month by month, carry-over at each year end, and the
campaign window by region."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, MaxNLocator

from ...numbers import (
    format_int,
    format_number,
    format_percent,
    short_percent,
    signed_percent,
)
from ...vocabulary import MEASURES, NATIONAL_LABEL, NO_DATA, statistical_year, status
from .layout import Room, _chart, _figure
from .style import (
    _LABEL_BOX,
    MAIN,
    MEASURE_TITLES,
    NATIONAL_GREY,
    NOTE_GREY,
    OTHER,
    PACE,
    STATUS_COLORS,
    TARGET,
    _missing,
    _target_hline,
    _to_float,
    _unique,
    _wrap,
    vn_number_formatter,
    vn_percent_formatter,
)

# One panel with its own title and axis labels, the legend below.
MONTHLY = Room(top=0.333, bottom=0.639, left=0.444)
# Two panels, each with its y axis, under a figure title; the legend below.
YEARS = Room(top=0.625, bottom=0.426, left=0.444, between=0.439, own_ticks=True)
# Rows of three panels sharing their axes, a figure title and y label; the legend below.
WINDOW = Room(top=0.819, bottom=0.426, left=0.495, between=0.083, between_rows=0.306)

# ---------------------------------------------------------------------------------------------
# 2. The cumulative rate month by month


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
                 title: str | None = None, label: str = "Tỉnh", national_label: str = NATIONAL_LABEL,
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
        year = statistical_year(source["period_end"].iloc[0])
    start, end = pd.Timestamp(year - 1, 10, 1), pd.Timestamp(year, 9, 30)
    months = pd.date_range(start, end, freq="ME")
    fig, axes = _figure(5.4, MONTHLY)
    ax = axes[0, 0]

    nation = None if national is None else national.dropna(subset=["rate"])
    if nation is not None and len(nation):
        ax.plot(nation["period_end"], nation["rate"], color=NATIONAL_GREY, linewidth=1.4, marker="o", markersize=4,
                markeredgewidth=0, label=national_label, zorder=3)
    valid = path.dropna(subset=["rate"])
    if len(valid):
        ax.plot(valid["period_end"], valid["rate"], color=MAIN, linewidth=2.6, marker="o", markersize=7,
                markeredgewidth=0, label=label, zorder=4)
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
    fig, axes = _figure(4.6, YEARS, ncols=2)
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
        for key in [k for k in palette if k in set(plot["key"])]:
            bars = plot[plot["key"] == key]  # index = the bar's place on the axis
            ax.bar(bars.index - 0.3, bars["value"], width=0.6, align="edge", color=palette[key])
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
    fig, axes = _figure(2.6 * nrows + 0.8, WINDOW, nrows, ncols, sharex=True, sharey=True)
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
