"""The report style shared by every chart: colours, rcParams, axis formatters and the small
drawing helpers (bars, target lines, labels); the figure itself is layout.py's."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping

import matplotlib.transforms as mtransforms
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FuncFormatter

from ...analysis.funnel import OUTER_LEVEL
from ...numbers import (
    format_number,
    format_percent,
    no_negative_zero,
    short_percent,
    with_minus_sign,
)
from ...vocabulary import STATUSES

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
    "axes.titley": 1.0,
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


def _remembered(text_of) -> FuncFormatter:
    """A formatter giving ``text_of(value)``, each value's text worked out once: matplotlib formats
    every tick again at each layout pass and each draw (four times a chart), and Babel's writing of a
    number took a twentieth of a chart's time."""
    texts = {}

    def text(x, pos=None) -> str:
        if x not in texts:
            texts[x] = text_of(x)
        return texts[x]

    return FuncFormatter(text)


def vn_percent_formatter(decimals: int = 0) -> FuncFormatter:
    """Axis formatter for values already in percent: 80 → "80%", 79.25 → "79,25%" (decimals=2)."""
    return _remembered(lambda x: with_minus_sign(format_percent(no_negative_zero(x, decimals), decimals)))


def vn_number_formatter(decimals: int = 0, scale: float = 1.0) -> FuncFormatter:
    """Axis formatter with Vietnamese grouping: 12345 → "12.345"; ``scale`` divides first (1e9: đồng → tỷ)."""
    return _remembered(lambda x: with_minus_sign(format_number(no_negative_zero(x / scale, decimals), decimals)))


def target_label(value: float) -> str:
    """"Chỉ tiêu 73%"."""
    return f"Chỉ tiêu {short_percent(value)}"


# ---------------------------------------------------------------------------------------------
# Small helpers


def _short_name(name: str) -> str:
    """"Tỉnh Nam Định" → "Nam Định" for labels inside a chart."""
    for prefix in ("Thành phố ", "Tỉnh "):
        if str(name).startswith(prefix):
            return str(name)[len(prefix):]
    return str(name)


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
    # matplotlib's own bars, one call per colour: seaborn's barplot drew the same pixels (the same
    # barh calls) at 30–40 ms more a call, spent on aggregating one value per bar.
    for key in [h for h in palette if h in set(present["hue"])]:
        bars = present[present["hue"] == key]  # index = the bar's place on the axis
        ax.barh(bars.index - 0.35, bars["value"], height=0.7, align="edge", color=palette[key])
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
