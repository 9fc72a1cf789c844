"""Bar charts of completion rates against targets: province, region and nation; key categories;
provinces ranked; regions."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator

from ...vocabulary import MEASURES, NATIONAL_LABEL, NO_DATA, status
from .layout import Room, _chart, _figure
from .style import (
    MAIN,
    MEASURE_TITLES,
    OTHER,
    STATUS_COLORS,
    TARGET,
    _hbars,
    _missing,
    _target_vline,
    _to_float,
    _unique,
    target_label,
    vn_percent_formatter,
)

# Two panels side by side (Về việc / Về tiền) under a figure title, bars labelled on the left.
PANELS = Room(top=0.796, bottom=0.583, left=0.232, between=0.205)
# One panel of bars under a figure title, the status legend below.
RANKED = Room(top=0.538, bottom=0.639, left=0.232)

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
    fig, axes = _figure(height or (1.9 + 0.55 * len(labels)), PANELS, ncols=2, sharey=True)
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
    fig, axes = _figure(1.9 + 0.6 * len(labels), PANELS, ncols=2, sharey=True)
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
    fig, axes = _figure(1.9 + 0.18 * len(frame), RANKED)
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
# 9. Regions


@_chart
def region_bars(table: pd.DataFrame, targets: Mapping[str, float] | None = None, title: str | None = None) -> Figure:
    """Completion rates of the regions against the targets: two panels (Về việc / Về tiền).

    ``table``: columns region, measure, rate (percent). Regions in input order; a "Toàn quốc" row, if
    present, is drawn in the highlight colour.
    """
    frame = pd.DataFrame(table)
    labels = _unique(frame["region"])
    colors = {l: (MAIN if l == NATIONAL_LABEL else OTHER) for l in labels}
    if NATIONAL_LABEL not in labels:
        colors = {l: MAIN for l in labels}
    return _rate_panels(frame, "region", targets, colors, title or "Tỷ lệ thi hành xong theo vùng so với chỉ tiêu",
                        wrap=24)
