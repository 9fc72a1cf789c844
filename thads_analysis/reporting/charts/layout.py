"""How a chart becomes a picture: its figure, its layout and its PNG.

Each chart kind states the room its titles, tick labels, axis labels and legends take around the
plot area (a :class:`Room`, in inches, as matplotlib's constrained layout left it on the report's
charts). Laying a chart out is then one short step: that room, widened for the widest y tick label
and for the legends below the panels. Its PNG is cut to the pixels drawn, with :data:`PAD` of white
around them, as matplotlib's "tight" bounding box cuts a figure. Constrained layout and the tight
box each go over every artist of the figure once or twice more; without them the charts of four
province pages took a quarter less time (README, Performance).

If anything drawn comes within a few pixels of the figure's edge — a title or a name wider than
its room, or a tick label at an axis' very end — the chart is laid out again by constrained layout
and cut to matplotlib's tight box, as every chart was before: nothing is cut off.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine, LayoutEngine

from .style import DPI, RC, WIDTH

PAD = 0.1  # inches of white around what a chart draws (matplotlib's savefig.pad_inches)
MIN_PANEL = 0.5  # inches: a panel narrower or lower than this is laid out by constrained layout
# Pixels along each edge that must stay blank: a text cut at the edge can leave its very last
# column blank (a gap between letters, a space: 4,4 px at 10 pt); the report's charts keep 9 px
# or more but for a tick label at an axis' very end.
EDGE = 5

# zlib level 3 instead of Pillow's default 6: the report's PNGs (flat colours) came out the same size
# (0,15% smaller over 50 charts) in 40% less time (15 ms a chart); the pixels are the same.
PNG_OPTIONS = {"compress_level": 3}


@dataclass(frozen=True)
class Room:
    """Inches around a chart's panels: ``top`` (down to the panels, from ``PAD`` above the title),
    ``bottom`` (below the panels, besides the legends under them), ``left`` and ``between`` (panels
    side by side) besides the widest y tick label — of the first column of panels, and of the
    others too when they have their ``own_ticks`` — ``right``, and ``between_rows``. With
    ``ticks_on_top`` the tallest x tick label (drawn above the panel) is added to ``top``."""

    top: float
    bottom: float
    left: float
    right: float = PAD
    between: float = 0.0
    between_rows: float = 0.0
    own_ticks: bool = False
    ticks_on_top: bool = False


def _largest_tick(axes, which: str, size: str, renderer) -> float:
    """Inches of the widest or tallest (``size``) tick label drawn on the x or y axis (``which``) of
    any of ``axes``; 0 without labels."""
    largest = 0.0
    for ax in axes:
        if not ax.get_visible():
            continue
        axis = getattr(ax, f"{which}axis")
        low, high = sorted(axis.get_view_interval())
        slack = (high - low) * 1e-9
        # The labels of ticks outside the limits exist but are not drawn.
        for loc, label in zip(axis.get_majorticklocs(), axis.get_ticklabels()):
            if label.get_text() and low - slack <= loc <= high + slack:
                largest = max(largest, getattr(label.get_window_extent(renderer), size) / ax.figure.dpi)
    return largest


class RoomLayout(LayoutEngine):
    """Places a figure's grid of panels in its chart kind's :class:`Room`."""

    _adjust_compatible = True
    _colorbar_gridspec = False

    def __init__(self, room: Room):
        super().__init__()
        self.room = room

    def execute(self, fig: Figure) -> None:
        room = self.room
        width, height = fig.get_size_inches()
        renderer = fig.canvas.get_renderer()
        panels = [ax for ax in fig.axes if ax.get_subplotspec() is not None]
        nrows, ncols = panels[0].get_subplotspec().get_gridspec().get_geometry()
        first = [ax for ax in panels if ax.get_subplotspec().colspan.start == 0]
        others = [ax for ax in panels if ax.get_subplotspec().colspan.start > 0]
        left = room.left + _largest_tick(first, "y", "width", renderer)
        between = room.between + (_largest_tick(others, "y", "width", renderer) if room.own_ticks else 0.0)
        top = room.top + (_largest_tick(panels, "x", "height", renderer) if room.ticks_on_top else 0.0)
        bottom = room.bottom + sum(legend.get_window_extent(renderer).height for legend in fig.legends) / fig.dpi
        panel_width = (width - left - room.right - (ncols - 1) * between) / ncols
        panel_height = (height - top - bottom - (nrows - 1) * room.between_rows) / nrows
        if panel_width < MIN_PANEL or panel_height < MIN_PANEL:
            # Labels too long for the figure (a long name): constrained layout shares out what room
            # there is, and the PNG, its drawing reaching the edge, is cut to matplotlib's tight box.
            ConstrainedLayoutEngine().execute(fig)
            return
        fig.subplots_adjust(left=left / width, right=1 - room.right / width, bottom=bottom / height,
                            top=1 - top / height, wspace=between / panel_width,
                            hspace=room.between_rows / panel_height)
        # The figure's title and y label PAD from the edge (matplotlib puts them 2% of the figure in).
        # The private attributes are the ones constrained layout itself moves.
        if getattr(fig, "_suptitle", None) is not None:
            fig._suptitle.set_y(1 - PAD / height)
        if getattr(fig, "_supylabel", None) is not None:
            fig._supylabel.set_x(PAD / width)


def _figure(height: float, room: Room, nrows: int = 1, ncols: int = 1, **subplot_kw):
    """A pyplot figure of the report width laid out in ``room``; returns (fig, axes)."""
    fig = plt.figure(figsize=(WIDTH, height), dpi=DPI, layout=RoomLayout(room))
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    return fig, axes


def _constrained(fig: Figure):
    """Lay ``fig`` out by constrained layout, once, inside the report style; its tight box in inches."""
    with mpl.rc_context(RC):
        fig.set_layout_engine("constrained")
        fig.get_layout_engine().execute(fig)
        # Then keep that layout: it is not solved again at each later draw (no engine at all: with
        # "none"'s placeholder engine every save would still draw the figure once unseen).
        fig.set_layout_engine(None)
        return fig.get_tightbbox().frozen()


def _drawn_box(pixels: np.ndarray, background) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) pixel bounds of what differs from ``background``; None if nothing."""
    # One comparison per pixel: its four bytes as one 32-bit number.
    drawn = pixels.view(np.uint32)[..., 0] != np.asarray(background, dtype=np.uint8).view(np.uint32)[0]
    rows, cols = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    if not len(rows):
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _cut(pixels: np.ndarray, box: tuple[int, int, int, int], margin: int, background) -> np.ndarray:
    """``pixels`` inside ``box`` (top, bottom, left, right) and ``margin`` pixels around it, which are
    ``background`` where they fall outside the figure (a spine's half-width can be closer to the edge)."""
    top, bottom, left, right = box
    height, width = pixels.shape[:2]
    if top >= margin and left >= margin and bottom + margin <= height and right + margin <= width:
        return pixels[top - margin:bottom + margin, left - margin:right + margin]
    out = np.empty((bottom - top + 2 * margin, right - left + 2 * margin, pixels.shape[2]), dtype=pixels.dtype)
    out[...] = np.asarray(background, dtype=pixels.dtype)
    out[margin:-margin, margin:-margin] = pixels[top:bottom, left:right]
    return out


class _LaidOutCanvas(FigureCanvasAgg):
    """The canvas of a chart laid out once by ``_chart``. Asked for a "tight" bounding box at the
    layout's dpi, as a notebook's inline display and ``to_png`` ask, it cuts the PNG to the pixels
    drawn (a chart in its :class:`Room`; ``tight`` None) or to the box found at layout (``tight``, in
    inches: a chart laid out by constrained layout), instead of drawing the whole figure once more to
    find a box. A PNG is compressed with ``PNG_OPTIONS`` unless asked otherwise."""

    def __init__(self, figure: Figure, tight, dpi: float):
        super().__init__(figure)
        self.tight, self.dpi = tight, dpi

    def print_figure(self, filename, dpi=None, *args, bbox_inches=None, pad_inches=None, **kwargs):
        laid_out = (mpl.rcParams["savefig.dpi"] if dpi is None else dpi) in (self.dpi, "figure")
        tight = (isinstance(bbox_inches, str) and bbox_inches == "tight" and laid_out
                 and kwargs.get("bbox_extra_artists") is None)
        pad = mpl.rcParams["savefig.pad_inches"] if pad_inches in (None, "layout") else pad_inches
        png = str(kwargs.get("format") or getattr(filename, "name", filename)).lower().endswith("png")
        if png:
            kwargs.setdefault("pil_kwargs", PNG_OPTIONS)
        if tight and self.tight is None:
            cut = self._cut_png(filename, pad, kwargs) if png and not args else None
            if cut:
                return None
            if cut is None:  # another format or option: matplotlib finds the tight box itself
                return super().print_figure(filename, dpi, *args, bbox_inches=bbox_inches, pad_inches=pad_inches,
                                            **kwargs)
            self.tight = _constrained(self.figure)  # something reached the edge: lay it out again
        if tight:
            bbox_inches = self.tight.padded(pad)
        return super().print_figure(filename, dpi, *args, bbox_inches=bbox_inches, pad_inches=pad_inches, **kwargs)

    def _cut_png(self, filename, pad: float, kwargs: dict) -> bool | None:
        """Draw once and write the PNG cut to the pixels drawn plus ``pad`` (True); False (nothing
        written) when something drawn comes within ``EDGE`` pixels of the figure's edge; None
        (nothing drawn) when asked for what this cannot do."""
        fig = self.figure
        background = np.round(np.asarray(mpl.colors.to_rgba(fig.get_facecolor())) * 255)
        facecolor = kwargs.get("facecolor")
        if set(kwargs) - {"format", "facecolor", "edgecolor", "metadata", "pil_kwargs"} or (
                facecolor is not None and not np.array_equal(
                    np.round(np.asarray(mpl.colors.to_rgba(facecolor)) * 255), background)):
            return None
        FigureCanvasAgg.draw(self)
        pixels = np.asarray(self.buffer_rgba())
        box = _drawn_box(pixels, background)
        height, width = pixels.shape[:2]
        if box is not None:
            top, bottom, left, right = box
            if min(top, left, height - bottom, width - right) < EDGE:
                return False
            pixels = _cut(pixels, (top, bottom, left, right), round(pad * fig.dpi), background)
        mpl.image.imsave(filename, pixels, format="png", origin="upper", dpi=fig.dpi,
                         metadata=kwargs.get("metadata"), pil_kwargs=dict(kwargs["pil_kwargs"]))
        return True


def _chart(func):
    """Build the figure inside the report style, lay it out and close it in pyplot (package docstring)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs) -> Figure:
        fig = None
        try:
            with mpl.rc_context(RC):
                fig = func(*args, **kwargs)
                # Lay it out now, while the style is active, and keep that layout: with no engine
                # left it is not done again at each later draw (the notebook's PNG, a test's).
                fig.get_layout_engine().execute(fig)
                fig.set_layout_engine(None)
        finally:
            if fig is not None:
                plt.close(fig)  # which gives the figure a plain canvas: the laid-out one comes after
        _LaidOutCanvas(fig, None, fig.dpi)
        return fig

    return wrapper


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes, as a notebook shows it (dpi 100, tight bounding box, no metadata)."""
    buffer = io.BytesIO()
    with mpl.rc_context(RC):
        fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", facecolor="white",
                    metadata={"Software": None}, pil_kwargs=PNG_OPTIONS)
    return buffer.getvalue()
