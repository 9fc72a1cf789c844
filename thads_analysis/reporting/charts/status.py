"""Statuses across provinces: the provinces × targets heatmap and the dot map."""

from __future__ import annotations

import math

import matplotlib as mpl
import matplotlib.transforms as mtransforms
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter

from ...numbers import (
    format_int,
    format_number,
)
from ...vocabulary import NO_DATA, status
from .layout import Room, _chart, _figure
from .style import NO_TARGET_LABEL, NOTE_GREY, STATUS_COLORS, _missing, _short_name, _to_float

# One panel, its column names above it, a figure title; the legend below.
HEATMAP = Room(top=0.427, bottom=0.156, left=0.149, right=0.488, ticks_on_top=True)
# One panel with its own title, the two legends and the note at its right.
MAP = Room(top=0.327, bottom=0.583, left=0.444, right=2.578)

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
    fig, axes = _figure(1.6 + header + 0.2 * rows, HEATMAP)
    ax = axes[0, 0]
    cmap = mpl.colors.ListedColormap([STATUS_COLORS[s] for s in statuses])
    # The mesh as seaborn's heatmap draws it, without the whole draw it makes to see whether tick
    # labels overlap (a third of this chart's time): the labels are placed below.
    ax.pcolormesh(np.ma.masked_invalid(codes), cmap=cmap, vmin=-0.5, vmax=len(statuses) - 0.5, linewidths=0.6,
                  edgecolor="white")
    ax.set(xlim=(0, cols), ylim=(0, rows))
    ax.invert_yaxis()
    for spine in ax.spines.values():
        spine.set_visible(False)
    # Cells without a target: white with a light outline, distinct from "không có số liệu" grey.
    for i, j in zip(*np.nonzero(np.isnan(codes))):
        ax.add_patch(mpl.patches.Rectangle((j + 0.04, i + 0.08), 0.92, 0.84, facecolor="white", edgecolor="#CFCFCF",
                                           linewidth=0.6, gid="no-target"))
    ax.xaxis.tick_top()
    ax.set_xticks(np.arange(cols) + 0.5, [str(c) for c in matrix.columns], rotation=40 if cols <= 10 else 55,
                  ha="left", rotation_mode="anchor")
    ax.set_yticks(np.arange(rows) + 0.5, [str(i) for i in matrix.index], rotation=0, va="center")
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
    fig, axes = _figure(10.5, MAP)
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
    fig.get_layout_engine().execute(fig)
    ax.apply_aspect()
    _place_labels(ax, [(r.longitude, r.latitude, _short_name(r.name), math.sqrt(r.area) / 2)
                       for r in p.head(n_labels).itertuples()])
    return fig
