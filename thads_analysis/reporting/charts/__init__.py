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
fonts of at least 10 pt) and laid out before the context ends, so a notebook's or a test's global
rcParams do not change the result; no backend is set here (notebooks use the inline backend, tests
``MPLBACKEND=Agg``). Sizes: ``WIDTH`` = 9,5 in, ``DPI`` = 100. Output is deterministic: no random
jitter or bootstrap, stable orderings, and :func:`to_png` writes no software metadata.

Bars, lines and points are drawn with matplotlib's own calls; seaborn gives the style and the
heatmap. Its barplot, lineplot and scatterplot drew the same pixels (checked byte for byte on every
chart of five province pages and the national page) at a fifth of a page's time more, spent on
grouping and aggregating what is here one value per bar or point.

Colours are Okabe–Ito (colour-blind safe): :data:`STATUS_COLORS` for the four statuses of
``assess``; funnel flags use its blue / vermillion. A target is drawn as a black dashed line
labelled "Chỉ tiêu 73%"; its ``gid`` is ``"target"`` so tests (and readers) can find it.
"""

from .funnel import funnel_plot
from .layout import to_png
from .over_time import carry_over_years, month_label, monthly_path, window_paths
from .rates import key_categories, ranked_bars, rates_vs_target, region_bars
from .status import status_heatmap, status_map
from .style import (
    DPI,
    FLAG_COLORS,
    NO_TARGET_LABEL,
    RC,
    STATUS_COLORS,
    WIDTH,
    target_label,
    vn_number_formatter,
    vn_percent_formatter,
)

CHARTS = ("rates_vs_target", "monthly_path", "carry_over_years", "key_categories", "funnel_plot", "ranked_bars",
          "status_heatmap", "status_map", "region_bars")
__all__ = [
    "STATUS_COLORS", "FLAG_COLORS", "NO_TARGET_LABEL", "RC", "WIDTH", "DPI", "CHARTS", "vn_percent_formatter",
    "vn_number_formatter", "target_label", "month_label", "to_png", "window_paths", "rates_vs_target",
    "monthly_path", "carry_over_years", "key_categories", "funnel_plot", "ranked_bars", "status_heatmap",
    "status_map", "region_bars",
]
