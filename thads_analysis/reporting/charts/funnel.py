"""The funnel plot: provinces' rates against their size with the control limits."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import LogLocator, MaxNLocator, NullLocator

from ...analysis.funnel import Funnel
from ...numbers import (
    format_percent,
)
from .layout import Room, _chart, _figure
from .style import (
    FLAG_COLORS,
    FLAG_LABELS,
    LIMIT_TEXT,
    MAIN,
    TARGET,
    _short_name,
    _to_float,
    vn_number_formatter,
    vn_percent_formatter,
)

# One panel with its own title and axis labels, the legend below.
FUNNEL = Room(top=0.337, bottom=0.639, left=0.444)

# ---------------------------------------------------------------------------------------------
# 5. Funnel plot


def _log_axis(axis):
    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(vn_number_formatter())
    # No minor ticks: the style draws no tick marks and grid lines only at major ticks, and each
    # minor tick (8 a decade) was an object matplotlib made and laid out for nothing.
    axis.set_minor_locator(NullLocator())


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

    fig, axes = _figure(6.0, FUNNEL)
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
        ax.scatter(t["n"], t["pct"], s=55, facecolor=[FLAG_COLORS[f] for f in t["flag"]], edgecolor="white",
                   linewidth=0.7, zorder=4)
    point_handles = [Line2D([], [], marker="o", linestyle="none", markersize=8, markerfacecolor=FLAG_COLORS[f],
                            markeredgecolor="white", label=FLAG_LABELS[f]) for f in flags]

    # Names point toward the middle of the plot: a point in its right half is named on its left.
    span = np.log(n.max()) - np.log(n.min())

    def on_right(x: float) -> bool:
        return span > 0 and (np.log(x) - np.log(n.min())) / span > 0.5

    if label_flagged is None:
        label_flagged = highlight is None and int(t["flag"].isin(["above", "below"]).sum()) <= 12
    if label_flagged:
        for r in t[t["flag"].isin(["above", "below"])].itertuples():
            if highlight is not None and r.province_code == highlight:
                continue
            right = on_right(r.n)
            ax.annotate(_short_name(r.province_name), xy=(r.n, r.pct), xytext=(-6 if right else 6, 0),
                        textcoords="offset points", ha="right" if right else "left", va="center", fontsize=10,
                        color=FLAG_COLORS[r.flag])
    if highlight is not None:
        row = t[t["province_code"] == highlight]
        if len(row):
            r = row.iloc[0]
            color = FLAG_COLORS.get(r["flag"], MAIN)
            ax.scatter([r["n"]], [r["pct"]], s=230, facecolor=color, edgecolor="black", linewidth=2.0, zorder=6,
                       gid="highlight")
            low, right = r["pct"] < float(p0) * 100, on_right(r["n"])
            ax.annotate(_short_name(r["province_name"]) + f"\n{format_percent(r['pct'])}", xy=(r["n"], r["pct"]),
                        xytext=(-14 if right else 14, -22 if low else 22), textcoords="offset points",
                        ha="right" if right else "left",
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
