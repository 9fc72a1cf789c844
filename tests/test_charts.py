"""Tests of the report charts (thads_analysis/reporting/charts/).

Each chart is drawn from small hand-made inputs and inspected through matplotlib's artists: titles
and labels in Vietnamese, the target line at the target, highlighted elements, no bar for a missing
value, money in tỷ đồng, byte-identical PNGs from two renders, and no warning (every test runs with
warnings turned into errors, as nbval would see them in a notebook's stderr).
"""

import os

# Agg before matplotlib is first imported (it reads MPLBACKEND once, at import) ...
_SAVED_BACKEND = os.environ.get("MPLBACKEND")
os.environ["MPLBACKEND"] = "Agg"

import io
import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from PIL import Image

from thads_analysis import numbers
from thads_analysis.analysis.funnel import funnel
from thads_analysis.provinces import provinces
from thads_analysis.reporting import charts
from thads_analysis.reporting.charts import STATUS_COLORS
from thads_analysis.reporting.charts.style import MAIN, OTHER

# ... then put the environment back: kernels started later in this pytest session (tests that run the
# report notebooks) inherit it, and ipykernel keeps an inherited MPLBACKEND=Agg, which drops every figure.
if _SAVED_BACKEND is None:
    os.environ.pop("MPLBACKEND", None)
else:
    os.environ["MPLBACKEND"] = _SAVED_BACKEND

pytestmark = pytest.mark.filterwarnings("error")

MONTHS = pd.date_range("2016-10-01", "2017-09-30", freq="ME")


# ---------------------------------------------------------------------------------------------
# Inputs


def rates_input():
    return pd.DataFrame({"scope_label": ["Nam Định", "Nam Định", "Đồng bằng sông Hồng", "Đồng bằng sông Hồng",
                                         "Toàn quốc", "Toàn quốc"],
                         "measure": ["cases", "money"] * 3,
                         "rate": [90.7, None, 80.12, 35.5, 79.25, 30.02]})


def path_input():
    # Data only to the end of May 2017: the axis must still run to T9/2017.
    return pd.DataFrame({"period_end": MONTHS[:8], "rate": [9.5, 17.8, 25.0, 31.2, 38.0, 46.1, 53.3, 60.2]})


def national_input():
    return pd.DataFrame({"period_end": MONTHS[:8], "rate": [8.1, 15.2, 22.0, 28.4, 35.9, 43.0, 50.1, 57.0]})


MILESTONE = (pd.Timestamp("2017-07-19"), "19/07: 71 năm Ngày Truyền thống THADS")


def carry_input():
    # Cases 1340 → 1296 → 1263: 1263/1296 − 1 = −33/1296 = −2,546…% → "−2,55%" (fell: met "< 0").
    # Money 264,1 → 281,0 → 283,5 tỷ: rose, so the last bar misses "< 0".
    return pd.DataFrame({"year": [2015, 2016, 2017] * 2, "measure": ["cases"] * 3 + ["money"] * 3,
                         "value": [1340, 1296, 1263, 264.1e9, 281.0e9, 283.5e9]})


def categories_input():
    labels = ["Tín dụng - ngân hàng", "Tham nhũng - kinh tế", "Thu cho ngân sách nhà nước",
              "Dân sự trong bản án hình sự"]
    return pd.DataFrame({"category_label": labels * 2, "measure": ["cases"] * 4 + ["money"] * 4,
                         "rate": [61.2, None, 88.9, 80.5, 22.4, 12.0, None, 45.3]})


def funnel_input():
    # Six provinces around p0 = 0.8; Nam Định (36) far below, Hà Nội (01) far above.
    frame = pd.DataFrame({"province_code": ["01", "24", "36", "46", "79", "92"],
                          "province_name": ["Hà Nội", "Bắc Giang", "Nam Định", "Thừa Thiên Huế", "Hồ Chí Minh",
                                            "Cần Thơ"],
                          "resolved": [9500, 1600, 3000, 800, 20000, 1190],
                          "with_conditions": [10000, 2000, 5000, 1000, 25000, 1500]})
    return funnel(frame, 0.8, adjust=None)


def ranked_input():
    return pd.DataFrame({"name": ["Hà Nội", "Bắc Giang", "Nam Định", "Lào Cai"],
                         "rate": [70.5, 80.25, 90.7, None],
                         "status": ["missed", "met", "met", None]})


def heatmap_input():
    return pd.DataFrame({"Tỷ lệ xong (việc)": ["met", "missed", "at_risk"],
                         "Tỷ lệ xong (tiền)": ["no_data", None, "met"],
                         "Kỷ luật": [None, None, "missed"]},
                        index=["Hà Nội", "Bắc Giang", "Nam Định"])


def map_input():
    p = provinces()
    sizes = (np.arange(63) * 997 % 60000 + 500).astype(float)
    statuses = np.array(list(STATUS_COLORS))[np.arange(63) % 4]
    return pd.DataFrame({"code": p["code"], "name": p["short_name"], "latitude": p["latitude"],
                         "longitude": p["longitude"], "size": sizes, "status": statuses})


def region_input():
    regions = ["Đồng bằng sông Hồng", "Tây Nguyên", "Toàn quốc"]
    return pd.DataFrame({"region": [r for r in regions for _ in range(2)], "measure": ["cases", "money"] * 3,
                         "rate": [74.47, 36.45, 82.2, 34.36, 79.25, 30.0]})


BUILDERS = {
    "rates_vs_target": lambda: charts.rates_vs_target(rates_input(), {"cases": 73.0, "money": 32.0}),
    "monthly_path": lambda: charts.monthly_path(path_input(), target=73, projection=77.34, national=national_input(),
                                                milestones=[MILESTONE]),
    # As the scorecard judged 2017: cases fell 2,55% (met "< 0"), money rose 0,89% (missed).
    "carry_over_years": lambda: charts.carry_over_years(carry_input(), {"cases": (0.0, "<"), "money": (0.0, "<")},
                                                        {"cases": "met", "money": "missed"}),
    "key_categories": lambda: charts.key_categories(categories_input(), {"cases": 73.0, "money": 32.0}),
    "funnel_plot": lambda: charts.funnel_plot(funnel_input(), "Toàn quốc 80%", highlight="36"),
    "ranked_bars": lambda: charts.ranked_bars(ranked_input(), 73.0, "Tỷ lệ thi hành xong về việc (%)"),
    "status_heatmap": lambda: charts.status_heatmap(heatmap_input()),
    "status_map": lambda: charts.status_map(map_input()),
    "region_bars": lambda: charts.region_bars(region_input(), {"cases": 73.0, "money": 32.0}),
}


def build_all() -> dict[str, Figure]:
    return {name: build() for name, build in BUILDERS.items()}


# ---------------------------------------------------------------------------------------------
# Helpers


def target_lines(ax):
    return [line for line in ax.get_lines() if line.get_gid() == "target"]


def texts(ax):
    return [t.get_text() for t in ax.texts]


def bars(ax):
    return [p for p in ax.patches if p.get_width() > 0 and p.get_height() > 0]


def color(patch):
    return to_hex(patch.get_facecolor(), keep_alpha=False).upper()


# ---------------------------------------------------------------------------------------------
# Every chart


@pytest.fixture(scope="module")
def figures():
    return build_all()


def test_every_chart_is_a_closed_figure_of_report_width(figures):
    assert tuple(figures) == charts.CHARTS
    for name, fig in figures.items():
        assert isinstance(fig, Figure), name
        assert fig.get_size_inches()[0] == pytest.approx(charts.WIDTH), name
        assert fig.dpi == charts.DPI, name
        assert not plt.get_fignums(), f"{name} left a figure open in pyplot"


def test_fonts_are_dejavu_and_at_least_10pt(figures):
    for name, fig in figures.items():
        for text in fig.findobj(mpl.text.Text):
            if not text.get_text() or not text.get_visible():
                continue
            assert text.get_fontsize() >= 10, (name, text.get_text(), text.get_fontsize())
            assert text.get_fontname() == "DejaVu Sans", (name, text.get_text())


@pytest.mark.parametrize("name", list(BUILDERS))
def test_two_renders_give_identical_png(name):
    first, second = BUILDERS[name](), BUILDERS[name]()
    png = charts.to_png(first)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png == charts.to_png(second)
    assert b"Software" not in png


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def _drawn(pixels: np.ndarray) -> tuple[slice, slice]:
    """Rows and columns of what is not white, worked out here independently of the package."""
    ink = (pixels[..., :3] != 255).any(axis=-1)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)


@pytest.mark.parametrize("name", list(BUILDERS))
def test_the_png_holds_everything_matplotlib_draws_with_a_white_border(name):
    """The PNG is the whole figure, drawn by matplotlib on a plain canvas, cut to what is drawn plus
    0,1 in (10 px) of white: nothing drawn is lost, and nothing touched the figure's edge."""
    fig = BUILDERS[name]()
    ours = _pixels(charts.to_png(fig))
    FigureCanvasAgg(fig).draw()  # a plain canvas: matplotlib draws the figure as laid out
    whole = np.asarray(fig.canvas.buffer_rgba())
    rows, cols = _drawn(whole)
    assert rows.start > 0 and cols.start > 0 and rows.stop < whole.shape[0] and cols.stop < whole.shape[1], name
    np.testing.assert_array_equal(ours[10:-10, 10:-10], whole[rows, cols])
    assert (ours[:10] == 255).all() and (ours[-10:] == 255).all(), name
    assert (ours[:, :10] == 255).all() and (ours[:, -10:] == 255).all(), name


def test_a_chart_too_wide_for_its_room_is_laid_out_again_and_shown_whole():
    """A title far wider than the figure would be cut at its edges: the chart is laid out again by
    constrained layout and saved to matplotlib's own tight box, which holds the whole title."""
    title = "Tỷ lệ thi hành xong so với chỉ tiêu " * 6
    fig = charts.rates_vs_target(rates_input(), {"cases": 73.0}, title=title)
    ours = _pixels(charts.to_png(fig))
    title_width = fig._suptitle.get_window_extent(fig.canvas.get_renderer()).width
    assert ours.shape[1] > charts.WIDTH * charts.DPI  # wider than the figure: nothing cut
    assert ours.shape[1] >= title_width
    assert (ours[:, :3] == 255).all() and (ours[:, -3:] == 255).all()
    reference = charts.rates_vs_target(rates_input(), {"cases": 73.0}, title=title)
    with mpl.rc_context(charts.RC):
        reference.set_layout_engine("constrained")
        FigureCanvasAgg(reference)
        buffer = io.BytesIO()
        reference.savefig(buffer, format="png", dpi=charts.DPI, bbox_inches="tight", facecolor="white")
    assert ours.shape == _pixels(buffer.getvalue()).shape


def test_saving_another_format_leaves_the_chart_as_laid_out():
    """An SVG (or any save the PNG cut does not handle) gets matplotlib's own tight box; the chart
    is not laid out again, so its PNG afterwards is the same as before."""
    fig = charts.rates_vs_target(rates_input(), {"cases": 73.0})
    before = charts.to_png(fig)
    with mpl.rc_context(charts.RC):
        fig.savefig(io.BytesIO(), format="svg", bbox_inches="tight")
    assert charts.to_png(fig) == before


def test_a_name_too_long_for_any_layout_is_shown_whole():
    """A 300-character name leaves the bars no room in any layout (matplotlib warns of it); the PNG
    still holds the whole name, as before the fixed rooms (cut to matplotlib's own tight box)."""
    name = ("Chi cục Thi hành án dân sự huyện " * 10)[:300]
    table = pd.DataFrame({"name": [name, "Huế"], "rate": [50.0, 60.0], "status": ["met", "missed"]})
    with pytest.warns(UserWarning, match="constrained_layout not applied"):
        fig = charts.ranked_bars(table, 73.0, "Tỷ lệ thi hành xong về việc (%)")
        ours = _pixels(charts.to_png(fig))
    label = next(t for t in fig.axes[0].get_yticklabels() if t.get_text() == name)
    assert ours.shape[1] > label.get_window_extent(fig.canvas.get_renderer()).width > charts.WIDTH * charts.DPI
    assert (ours[:, :3] == 255).all() and (ours[:, -3:] == 255).all()


def test_global_rcparams_do_not_change_the_chart():
    reference = charts.to_png(charts.rates_vs_target(rates_input(), {"cases": 73.0}))
    with mpl.rc_context({"font.size": 22, "axes.facecolor": "red", "axes.grid": False, "xtick.labelsize": 30}):
        changed = charts.rates_vs_target(rates_input(), {"cases": 73.0})
    assert charts.to_png(changed) == reference


def test_no_warning_is_emitted():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build_all()
    assert [str(w.message) for w in caught] == []


# ---------------------------------------------------------------------------------------------
# Formatting helpers


def test_formatters_write_vietnamese_numbers():
    assert charts.vn_percent_formatter()(80, 0) == "80%"
    assert charts.vn_percent_formatter(2)(79.25, 0) == "79,25%"
    assert charts.vn_percent_formatter()(-0.2, 0) == "0%"
    assert charts.vn_number_formatter()(12345, 0) == "12.345"
    assert charts.vn_number_formatter(1, scale=1e9)(35242612983000, 0) == "35.242,6"
    assert numbers.signed_percent(-33 / 1296 * 100) == "−2,55%"
    assert numbers.signed_percent(6.4) == "+6,40%"
    assert numbers.short_percent(73) == "73%"
    assert numbers.short_percent(73.5) == "73,5%"
    assert charts.target_label(79.25) == "Chỉ tiêu 79,25%"
    assert charts.month_label(pd.Timestamp("2016-10-31")) == "T10/2016"


def test_a_formatter_asked_again_gives_each_value_its_own_text():
    """Each formatter keeps the texts it wrote (a tick is formatted at every layout pass and draw):
    a value asked again gets its text again, never the last one written."""
    percent = charts.vn_percent_formatter()
    assert [percent(x, i) for i, x in enumerate([80, 20, 80, -0.2, 40, 20])] == \
        ["80%", "20%", "80%", "0%", "40%", "20%"]
    money = charts.vn_number_formatter(1, scale=1e9)
    assert [money(x, i) for i, x in enumerate([35242612983000, 1e9, 35242612983000])] == \
        ["35.242,6", "1,0", "35.242,6"]


# ---------------------------------------------------------------------------------------------
# 1. rates_vs_target


def test_rates_vs_target(figures):
    fig = figures["rates_vs_target"]
    cases, money = fig.axes
    assert fig._suptitle.get_text() == "Tỷ lệ thi hành xong so với chỉ tiêu"
    assert (cases.get_title(), money.get_title()) == ("Về việc", "Về tiền")
    assert cases.get_xlabel() == "Tỷ lệ thi hành xong (%)"
    assert [t.get_text() for t in cases.get_yticklabels()] == ["Nam Định", "Đồng bằng sông Hồng", "Toàn quốc"]
    # Target lines at 73 and 32 (vertical: the x data), labelled.
    assert [line.get_xdata()[0] for line in target_lines(cases)] == [73.0]
    assert [line.get_xdata()[0] for line in target_lines(money)] == [32.0]
    assert target_lines(cases)[0].get_label() == "Chỉ tiêu 73%"
    assert "Chỉ tiêu 32%" in texts(money)
    # The province is highlighted; the others are not.
    assert [color(b) for b in bars(cases)] == [MAIN, OTHER, OTHER]
    assert [b.get_width() for b in bars(cases)] == pytest.approx([90.7, 80.12, 79.25])
    assert {"90,70%", "80,12%", "79,25%"} <= set(texts(cases))
    # The province has no money rate: no bar in its row, a "không có số liệu" note instead.
    assert len(bars(money)) == 2
    assert all(abs(b.get_y() + b.get_height() / 2 - 0) > 0.5 for b in bars(money))
    assert "không có số liệu" in texts(money)
    assert cases.xaxis.get_major_formatter()(60, 0) == "60%"


def test_rates_vs_target_without_a_target_draws_no_line():
    fig = charts.rates_vs_target(rates_input(), {"cases": 73.0})
    assert target_lines(fig.axes[1]) == []
    assert len(target_lines(fig.axes[0])) == 1


# ---------------------------------------------------------------------------------------------
# 2. monthly_path


def test_monthly_path(figures):
    fig = figures["monthly_path"]
    ax = fig.axes[0]
    assert ax.get_title() == "Tỷ lệ thi hành xong lũy kế từ 01/10/2016"
    assert ax.get_ylabel() == "Tỷ lệ thi hành xong (%)"
    assert ax.get_xlabel() == "Tháng (số liệu lũy kế đến cuối tháng)"
    # Twelve months Oct → Sep although the data stop in May.
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert len(labels) == 12
    assert labels[0] == "T10/2016" and labels[3] == "T1/2017" and labels[-1] == "T9/2017" and labels[1] == "T11"
    # Target line at 73.
    (target,) = target_lines(ax)
    assert list(target.get_ydata()) == [73, 73]
    # Target pace: from the first month's rate to 73 at 30/09/2017.
    (pace,) = [line for line in ax.get_lines() if line.get_gid() == "pace"]
    assert pace.get_label() == "Lộ trình đạt chỉ tiêu"
    assert list(pace.get_ydata()) == [9.5, 73.0]
    assert pd.Timestamp(pace.get_xdata()[-1]) == pd.Timestamp("2017-09-30")
    # Projection from the last point (60,2 at 31/05) to 77,34 at 30/09, labelled with one decimal.
    (projection,) = [line for line in ax.get_lines() if line.get_gid() == "projection"]
    assert list(projection.get_ydata()) == [60.2, 77.34]
    assert pd.Timestamp(projection.get_xdata()[0]) == pd.Timestamp("2017-05-31")
    assert projection.get_label() == "Dự báo cuối năm 77,3%"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:2] == ["Tỉnh", "Toàn quốc"]
    assert {"Chỉ tiêu 73%", "Lộ trình đạt chỉ tiêu", "Dự báo cuối năm 77,3%"} <= set(legend)
    # Milestone: a dotted vertical line at 19/07/2017 with its label.
    (milestone,) = [line for line in ax.get_lines() if line.get_gid() == "milestone"]
    assert pd.Timestamp(milestone.get_xdata()[0]) == pd.Timestamp("2017-07-19")
    assert "19/07: 71 năm Ngày Truyền thống THADS" in texts(ax)
    assert "60,20%" in texts(ax)


def test_monthly_path_without_target_or_projection():
    fig = charts.monthly_path(path_input())
    ax = fig.axes[0]
    assert target_lines(ax) == []
    assert [line for line in ax.get_lines() if line.get_gid() in ("pace", "projection")] == []
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "T9/2017"


def test_monthly_path_needs_a_year_when_empty():
    with pytest.raises(ValueError, match="year"):
        charts.monthly_path(pd.DataFrame({"period_end": [], "rate": []}))
    fig = charts.monthly_path(pd.DataFrame({"period_end": [], "rate": []}), target=73, year=2017)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()][0] == "T10/2016"


# ---------------------------------------------------------------------------------------------
# 3. carry_over_years


def test_carry_over_years(figures):
    fig = figures["carry_over_years"]
    cases, money = fig.axes
    assert fig._suptitle.get_text() == "Số chuyển kỳ sau có điều kiện thi hành tại cuối năm thống kê"
    assert cases.get_title() == "Về việc" and money.get_title() == "Về tiền (tỷ đồng)"
    assert cases.get_ylabel() == "Số việc"
    # Money in tỷ đồng: bar heights are đồng / 10⁹, the axis says so and reads "281,0"-style labels.
    assert money.get_ylabel() == "Tỷ đồng"
    assert [b.get_height() for b in bars(money)] == pytest.approx([264.1, 281.0, 283.5])
    assert [t.get_text() for t in money.get_xticklabels()] == ["30/09/2015", "30/09/2016", "30/09/2017"]
    assert "281,0\n(+6,40%)" in texts(money)
    # Change vs the previous year on every bar after the first.
    assert texts(cases)[0] == "1.340"
    assert "1.263\n(−2,55%)" in texts(cases)
    # The last bar coloured by the status it is given; earlier bars neutral.
    assert [color(b) for b in bars(cases)] == [OTHER, OTHER, "#0072B2"]  # met: blue
    assert color(bars(money)[-1]) == "#D55E00"  # missed: vermillion
    # Target level over the last bar: the previous year's value (change < 0).
    (line,) = target_lines(cases)
    assert list(line.get_ydata()) == [1296, 1296]
    assert line.get_label() == "Chỉ tiêu: giảm so với năm trước"
    assert target_lines(money)[0].get_ydata()[0] == pytest.approx(281.0)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Các năm trước", "Năm gần nhất: đạt", "Năm gần nhất: chưa đạt", "Chỉ tiêu: giảm so với năm trước"]


def test_carry_over_years_with_a_cut_target_and_no_target():
    # −2,55% is not a 3% cut: the scorecard says missed, and the chart draws the level of a 3% cut.
    fig = charts.carry_over_years(carry_input(), {"cases": (-3.0, "<=")}, {"cases": "missed"})
    (line,) = target_lines(fig.axes[0])
    assert line.get_ydata()[0] == pytest.approx(1296 * 0.97)
    assert line.get_label() == "Chỉ tiêu: giảm ít nhất 3%"
    assert color(bars(fig.axes[0])[-1]) == "#D55E00"
    assert target_lines(fig.axes[1]) == [] and color(bars(fig.axes[1])[-1]) == MAIN
    plain = charts.carry_over_years(carry_input())
    assert target_lines(plain.axes[0]) == []
    assert color(bars(plain.axes[0])[-1]) == MAIN


# ---------------------------------------------------------------------------------------------
# 4. key_categories


def test_key_categories(figures):
    fig = figures["key_categories"]
    cases, money = fig.axes
    assert fig._suptitle.get_text() == "Tỷ lệ thi hành xong các nhóm việc trọng tâm"
    assert (cases.get_title(), money.get_title()) == ("Về việc", "Về tiền")
    # Tham nhũng (cases) and Thu ngân sách (money) have no data: three bars each, and the note.
    assert [b.get_width() for b in bars(cases)] == pytest.approx([61.2, 88.9, 80.5])
    assert sorted(round(b.get_y() + b.get_height() / 2) for b in bars(cases)) == [0, 2, 3]
    assert sorted(round(b.get_y() + b.get_height() / 2) for b in bars(money)) == [0, 1, 3]
    assert texts(cases).count("không có số liệu") == 1
    assert texts(money).count("không có số liệu") == 1
    assert [line.get_xdata()[0] for line in target_lines(cases)] == [73.0]
    assert [line.get_xdata()[0] for line in target_lines(money)] == [32.0]


def test_key_categories_per_category_targets():
    targets = {"cases": {"Tín dụng - ngân hàng": 70.0, "Dân sự trong bản án hình sự": 60.0}}
    fig = charts.key_categories(categories_input(), targets)
    marks = target_lines(fig.axes[0])
    assert [(line.get_xdata()[0], round(np.mean(line.get_ydata()))) for line in marks] == [(70.0, 0), (60.0, 3)]
    assert target_lines(fig.axes[1]) == []


# ---------------------------------------------------------------------------------------------
# 5. funnel_plot


def test_funnel_plot(figures):
    fig = figures["funnel_plot"]
    ax = fig.axes[0]
    assert ax.get_title() == "Tỷ lệ thi hành xong về việc so với số việc có điều kiện (biểu đồ phễu)"
    assert ax.get_xlabel() == "Số việc có điều kiện thi hành (thang logarit)"
    assert ax.get_ylabel() == "Tỷ lệ thi hành xong (%)"
    assert ax.get_xscale() == "log"
    assert ax.xaxis.get_major_formatter()(10000, 0) == "10.000"
    (p0,) = target_lines(ax)
    assert list(p0.get_ydata()) == [80.0, 80.0]
    assert p0.get_label() == "Toàn quốc 80%"
    assert len([line for line in ax.get_lines() if line.get_gid() == "limit998"]) == 2
    # Points coloured by flag: Nam Định 60% and Bắc Giang 80%... Hà Nội 95% above, Nam Định below.
    points = [c for c in ax.collections if c.get_gid() is None and len(c.get_offsets()) == 6]
    assert points, "province points missing"
    colours = {(round(x), round(y, 2)): to_hex(fc).upper()
               for (x, y), fc in zip(points[0].get_offsets(), points[0].get_facecolors())}
    assert colours[(10000, 95.0)] == charts.FLAG_COLORS["above"].upper()
    assert colours[(5000, 60.0)] == charts.FLAG_COLORS["below"].upper()
    assert colours[(2000, 80.0)] == charts.FLAG_COLORS["within"].upper()
    # Highlighted Nam Định: a larger marker and its name.
    (highlight,) = [c for c in ax.collections if c.get_gid() == "highlight"]
    assert list(highlight.get_offsets()[0]) == pytest.approx([5000, 60.0])
    assert highlight.get_sizes()[0] > points[0].get_sizes()[0]
    assert "Nam Định\n60,00%" in texts(ax)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert {"Giới hạn 95%", "Giới hạn 99,8%", "Toàn quốc 80%", "Cao hơn giới hạn 99,8%",
            "Thấp hơn giới hạn 99,8%", "Trong giới hạn"} == set(legend)


def test_funnel_plot_names_outliers_without_highlight():
    result = funnel_input()
    table = result.table
    fig = charts.funnel_plot(result, "Toàn quốc 80%")
    names = texts(fig.axes[0])
    flagged = table.loc[table["flag"].isin(["above", "below"]), "province_name"]
    assert set(flagged) <= set(names) and "Bắc Giang" not in names
    assert not [c for c in fig.axes[0].collections if c.get_gid() == "highlight"]


def test_funnel_plot_draws_the_limits_the_flags_used():
    # Over-dispersed set around p0 = 0,5 (tests/test_funnel.py): phi = 2,125, so the multiplicative
    # 99,8% upper limit at n = 100 is 0,5 + 0,1545116 × √2,125 = 0,7252375, not the plain 0,6545116.
    frame = pd.DataFrame({"province_code": [f"{i:02d}" for i in range(1, 11)],
                          "province_name": [f"T{i}" for i in range(1, 11)],
                          "resolved": [30, 40, 45, 45, 50, 50, 55, 55, 60, 65], "with_conditions": [100] * 10})
    ax = charts.funnel_plot(funnel(frame, 0.5, adjust="multiplicative"), "p0").axes[0]
    (upper, lower) = sorted((line for line in ax.get_lines() if line.get_gid() == "limit998"),
                            key=lambda line: -line.get_ydata()[0])
    at_100 = np.interp(np.log(100), np.log(upper.get_xdata()), upper.get_ydata())
    assert at_100 == pytest.approx(72.52375, abs=1e-3)
    assert "Giới hạn 99,8% (đã điều chỉnh phân tán)" in [t.get_text() for t in ax.figure.legends[0].get_texts()]


# ---------------------------------------------------------------------------------------------
# 6. ranked_bars


def test_ranked_bars(figures):
    fig = figures["ranked_bars"]
    ax = fig.axes[0]
    assert fig._suptitle.get_text() == "Tỷ lệ thi hành xong về việc: các tỉnh xếp từ cao xuống thấp"
    assert ax.get_xlabel() == "Tỷ lệ thi hành xong về việc (%)"
    # Highest first, no data last.
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Nam Định", "Bắc Giang", "Hà Nội", "Lào Cai"]
    ordered = sorted(bars(ax), key=lambda b: b.get_y())
    assert [b.get_width() for b in ordered] == pytest.approx([90.7, 80.25, 70.5])
    assert [color(b) for b in ordered] == [STATUS_COLORS["met"], STATUS_COLORS["met"], STATUS_COLORS["missed"]]
    assert "không có số liệu" in texts(ax)
    assert [line.get_xdata()[0] for line in target_lines(ax)] == [73.0]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["Đạt", "Chưa đạt", "Không có số liệu"]


def test_ranked_bars_63_provinces_are_tall_enough():
    names = provinces()["short_name"]
    rates = np.linspace(95, 60, 63)
    table = pd.DataFrame({"name": names, "rate": rates, "status": np.where(rates >= 73, "met", "missed")})
    fig = charts.ranked_bars(table, None, "Tỷ lệ (%)")
    assert fig.get_size_inches()[1] >= 0.18 * 63
    assert len(bars(fig.axes[0])) == 63
    assert target_lines(fig.axes[0]) == []


def test_ranked_bars_rejects_unknown_status():
    with pytest.raises(ValueError, match="unknown status"):
        charts.ranked_bars(pd.DataFrame({"name": ["A"], "rate": [1.0], "status": ["Tốt"]}), 73, "x")


# ---------------------------------------------------------------------------------------------
# 7. status_heatmap


def test_status_heatmap(figures):
    fig = figures["status_heatmap"]
    ax = fig.axes[0]
    assert fig._suptitle.get_text() == "Tình trạng đạt chỉ tiêu của các tỉnh"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Hà Nội", "Bắc Giang", "Nam Định"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Tỷ lệ xong (việc)", "Tỷ lệ xong (tiền)", "Kỷ luật"]
    mesh = ax.collections[0]
    fig.canvas.draw()  # a mesh's cell colours are worked out when it is drawn
    colours = mesh.get_facecolors()
    # Row-major cells; masked cells (no target) are not drawn by the mesh but outlined in white.
    drawn = [to_hex(c).upper() for c in colours]
    assert drawn[0] == STATUS_COLORS["met"] and STATUS_COLORS["no_data"] in drawn
    assert len([p for p in ax.patches if p.get_gid() == "no-target"]) == 3
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Đạt", "Chưa đạt", "Có nguy cơ không đạt", "Không có số liệu", charts.NO_TARGET_LABEL]


def test_status_heatmap_rejects_unknown_status():
    with pytest.raises(ValueError, match="unknown status"):
        charts.status_heatmap(pd.DataFrame({"a": ["met", "Đạt"]}, index=["X", "Y"]))


# ---------------------------------------------------------------------------------------------
# 8. status_map


def test_status_map(figures):
    fig = figures["status_map"]
    ax = fig.axes[0]
    assert ax.get_title() == "Tình trạng chỉ tiêu thi hành xong về việc theo vị trí tỉnh"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Kinh độ", "Vĩ độ")
    assert ax.get_aspect() == pytest.approx(1 / np.cos(np.radians(16)))
    (dots,) = [c for c in ax.collections if c.get_gid() == "provinces"]
    assert len(dots.get_offsets()) == 63
    # The six largest are named.
    points = map_input()
    largest = points.sort_values("size", ascending=False).head(6)["name"]
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "label"]
    assert sorted(labels) == sorted(largest)
    assert "Vị trí tương đối theo toạ độ tỉnh\n(không phải bản đồ)." in texts(ax)
    legends = [[t.get_text() for t in leg.get_texts()] for leg in ax.findobj(mpl.legend.Legend)]
    assert ["Đạt", "Chưa đạt", "Có nguy cơ không đạt", "Không có số liệu"] in legends
    sizes = [leg for leg in legends if leg and leg[0].replace(".", "").isdigit()]
    assert sizes and all("." in s for s in sizes[0][:1])  # "50.000": Vietnamese grouping
    assert ax.xaxis.get_major_formatter()(106, 0) == "106°Đ"
    assert ax.yaxis.get_major_formatter()(21, 0) == "21°B"


# ---------------------------------------------------------------------------------------------
# 9. region_bars


def test_region_bars(figures):
    fig = figures["region_bars"]
    cases, money = fig.axes
    assert fig._suptitle.get_text() == "Tỷ lệ thi hành xong theo vùng so với chỉ tiêu"
    assert [t.get_text() for t in cases.get_yticklabels()] == ["Đồng bằng sông Hồng", "Tây Nguyên", "Toàn quốc"]
    assert [color(b) for b in sorted(bars(cases), key=lambda b: b.get_y())] == [OTHER, OTHER, MAIN]
    assert [line.get_xdata()[0] for line in target_lines(cases)] == [73.0]
    assert [line.get_xdata()[0] for line in target_lines(money)] == [32.0]
    assert "74,47%" in texts(cases)


# ---------------------------------------------------------------------------------------------
# In a Jupyter kernel (inline backend): display(fig) shows one PNG, nothing on stderr.


def test_display_in_a_kernel_shows_each_chart_once():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    source = ("import pandas as pd\n"
              "from IPython.display import display\n"
              "from thads_analysis.reporting import charts\n"
              "rates = pd.DataFrame({'scope_label': ['A', 'B'], 'measure': ['cases', 'cases'], 'rate': [80.0, 70.0]})\n"
              "display(charts.rates_vs_target(rates, {'cases': 73.0}))\n"
              "import matplotlib.pyplot as plt\n"
              "print(len(plt.get_fignums()))")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    env_backend = os.environ.pop("MPLBACKEND", None)  # the kernel must pick its own (inline) backend
    try:
        nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    outputs = nb.cells[0].outputs
    images = [o for o in outputs if o.output_type == "display_data" and "image/png" in o.data]
    assert len(images) == 1
    assert images[0].data["text/plain"] == "<Figure size 950x300 with 2 Axes>"
    streams = {o.name: o.text for o in outputs if o.output_type == "stream"}
    assert streams == {"stdout": "0\n"}


def test_tests_draw_with_agg_and_leave_the_environment_alone():
    assert mpl.get_backend().lower() == "agg"
    assert os.environ.get("MPLBACKEND") == _SAVED_BACKEND
