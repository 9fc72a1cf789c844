"""A report as a Word document (.docx), to be edited and signed: made from the executed notebook,
so it holds what the page holds, section by section.

Each output is carried over as it is: the HTML of a section (headings, paragraphs, lists,
tables with their status colours and merged cells; ``bs4``, which nbconvert already uses) as
Word paragraphs and tables, each chart as its PNG, each section title of the notebook as a
heading. The layout is the printed page's (``_print.html.j2``): cells for notebook readers only
(tag ``notebook-only``) and what the screen hides are left out, but the lines shown only on paper
(each scorecard formula under its row) are in. A4 portrait, the margins of an administrative
document, page numbers in the footer.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

from ..paths import write_atomic

FONT = "Times New Roman"
_HIDDEN = re.compile(r"display:\s*none")
_BACKGROUND = re.compile(r"background-color:\s*#([0-9a-fA-F]{6})")
_COLOUR = re.compile(r"(?<![-\w])color:\s*#([0-9a-fA-F]{6})")


def _inline(paragraph, node, bold: bool = False, italic: bool = False) -> None:
    """The text of ``node`` appended to ``paragraph`` as runs (b/strong bold, i/em italic, br a line break)."""
    from bs4 import NavigableString, Tag

    for child in node.children:
        if isinstance(child, NavigableString):
            text = re.sub(r"\s+", " ", str(child))
            if text.strip() or (text and paragraph.runs):
                run = paragraph.add_run(text)
                run.bold, run.italic = bold or None, italic or None
        elif isinstance(child, Tag):
            if child.name == "br":
                paragraph.add_run().add_break()
            elif child.name not in ("style", "script") and not _HIDDEN.search(child.get("style", "")):
                _inline(paragraph, child, bold or child.name in ("b", "strong", "th"),
                        italic or child.name in ("i", "em"))


def _shade(cell, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _cells(tr) -> list:
    """The cells of a row as on paper: a scorecard's formula column is a line under its row instead."""
    return [c for c in tr.find_all(["td", "th"], recursive=False) if "formula" not in c.get("class", [])]


def _widths(need: list[int], text_width: int) -> list[int]:
    """Column widths (EMU) for ``need`` characters each at 9 pt: short columns keep theirs, the long
    ones (whose text wraps) share what is left of ``text_width``; all widen to fill it."""
    from docx.shared import Mm

    widths = [Mm(1.5) * n + Mm(3) for n in need]
    excess = sum(widths) - text_width
    if excess > 0:
        long = [i for i, n in enumerate(need) if n > 20] or list(range(len(need)))
        room = sum(widths[i] for i in long)
        for i in long:
            widths[i] = max(Mm(14), widths[i] - excess * widths[i] / room)
    return [int(w * text_width / sum(widths)) for w in widths]


def _table(document, node, text_width) -> None:
    """An HTML table as a Word table laid out as the page prints it (``_print.html.j2``): colspans
    merged, header cells bold, numbers right-aligned, each cell's background and text colour kept,
    columns as wide as their text needs; the layout tables (heading, signature) without borders."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    rows = [tr for tr in node.find_all("tr") if tr.find_parent("table") is node and (
        not _HIDDEN.search(tr.get("style", "")) or "print-only" in tr.get("class", []))]
    if not rows:
        return
    width = max(sum(int(c.get("colspan", 1)) for c in _cells(tr)) for tr in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.autofit = False
    need = [8] * width  # characters a column needs, from its unmerged cells: short texts whole, long ones wrap
    for tr in rows:
        cells = _cells(tr)
        if all(int(c.get("colspan", 1)) == 1 for c in cells):
            for i, c in enumerate(cells):
                text = c.get_text(" ", strip=True)
                longest = max((len(word) for word in text.split()), default=0)
                if c.name == "th":  # a heading wraps to its longest word
                    need[i] = max(need[i], longest + 2)
                else:
                    need[i] = max(need[i], len(text) + 2 if len(text) <= 16 else max(min(len(text), 30), longest + 2))
    for column, width in zip(table.columns, _widths(need, text_width)):
        column.width = width  # the grid (LibreOffice), then each cell (Word)
        for cell in column.cells:
            cell.width = width
    layout = bool({"heading", "signature"} & set(node.get("class", [])))
    if not layout:
        table.style = "Table Grid"
    for r, tr in enumerate(rows):
        c = 0
        for html_cell in _cells(tr):
            span = int(html_cell.get("colspan", 1))
            cell = table.cell(r, c)
            if span > 1:
                cell = cell.merge(table.cell(r, c + span - 1))
            paragraph = cell.paragraphs[0]
            _inline(paragraph, html_cell, bold=html_cell.name == "th")
            style = html_cell.get("style", "")
            classes = html_cell.get("class", [])
            if "num" in classes:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            elif layout:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if "unit" in classes and "signature" in \
                    node.get("class", []) else WD_ALIGN_PARAGRAPH.CENTER
            if (fill := _BACKGROUND.search(style)) and fill.group(1).lower() not in ("ffffff",):
                _shade(cell, fill.group(1))
            if colour := _COLOUR.search(style):
                for run in paragraph.runs:
                    run.font.color.rgb = RGBColor.from_string(colour.group(1).upper())
            for run in paragraph.runs:
                run.font.size = Pt(9 if not layout else 11)
            c += span


def _blocks(document, node, text_width) -> None:
    """The block elements of an HTML fragment, in order, as Word paragraphs, headings and tables."""
    from bs4 import NavigableString, Tag

    for child in node.children:
        if isinstance(child, NavigableString):
            if str(child).strip():
                document.add_paragraph(re.sub(r"\s+", " ", str(child)).strip())
            continue
        if not isinstance(child, Tag) or child.name in ("style", "script") or _HIDDEN.search(child.get("style", "")):
            continue
        if "sample-fixed" in child.get("class", []):
            continue  # the banner below says it, and every page's header does (``notebook_docx``)
        if child.name in ("h1", "h2", "h3", "h4"):
            heading = document.add_heading(level={"h1": 1, "h2": 2, "h3": 3, "h4": 4}[child.name])
            _inline(heading, child)
        elif child.name == "table":
            _table(document, child, text_width)
            document.add_paragraph()
        elif child.name in ("ul", "ol"):
            for item in child.find_all("li", recursive=False):
                _inline(document.add_paragraph(style="List Bullet"), item)
        elif child.name in ("p", "li"):
            _inline(document.add_paragraph(), child)
        else:
            _blocks(document, child, text_width)


def _page_number(paragraph) -> None:
    """"Trang N" with N a PAGE field."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph.add_run("Trang ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _pages(nb) -> list[str]:
    return ["".join(o["data"]["text/html"]) if isinstance(o["data"]["text/html"], list) else o["data"]["text/html"]
            for cell in nb.cells for o in cell.get("outputs", []) if "text/html" in o.get("data", {})]


def notebook_docx(nb) -> bytes:
    """The .docx bytes of an executed report notebook (nbformat node); a report of the sample has
    the sample's mark in every page's header."""
    from bs4 import BeautifulSoup
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    from ..ingest.schema import SAMPLE_MARK

    sample_mark = SAMPLE_MARK if any('class="sample-fixed"' in page for page in _pages(nb)) else ""

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = Mm(20), Mm(20), Mm(30), Mm(15)
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(12)
    if sample_mark:
        header = section.header.paragraphs[0]
        header.text, header.alignment = sample_mark, WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer)
    text_width = section.page_width - section.left_margin - section.right_margin
    for cell in nb.cells:
        if "notebook-only" in cell.metadata.get("tags", []):
            continue
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if match := re.match(r"(#{1,4})\s+(.*)", line):
                    document.add_heading(match.group(2).strip(), level=len(match.group(1)))
                elif line.strip():
                    document.add_paragraph(line.strip())
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                picture = base64.b64decode("".join(data["image/png"]) if isinstance(data["image/png"], list)
                                           else data["image/png"])
                document.add_picture(io.BytesIO(picture), width=text_width)
            elif "text/html" in data:
                page = "".join(data["text/html"]) if isinstance(data["text/html"], list) else data["text/html"]
                _blocks(document, BeautifulSoup(page, "html.parser"), text_width)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_docx(notebook: Path, path: Path) -> Path:
    """The executed notebook ``notebook`` as the Word document ``path``, written whole or not at all."""
    import nbformat

    write_atomic(path, notebook_docx(nbformat.read(notebook, as_version=4)))
    return path
