"""The pages speak Vietnamese: no English sentence, no "None"/"nan", no number written the English way.

Read from the golden notebooks' HTML outputs (the province page at 30/09 and at 30/04, the
national overview), as a reader sees them; file names are left out (they are the files' names).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest

GOLDEN = Path(__file__).parent / "golden"

# Words of English prose (and of values that leaked unformatted); none is a Vietnamese word.
ENGLISH = re.compile(r"\b(the|and|of|is|are|was|not|with|for|to|from|this|that|none|nan|null|true|false|"
                     r"missing|error|warning|target|rate|cases|money|province|total)\b", re.IGNORECASE)
# 90.70% or 17.70 điểm (a decimal point), 1,234,567 (thousands with commas): the English way.
ENGLISH_NUMBER = re.compile(r"\d\.\d{1,2} ?(%|điểm)|\d{1,3}(,\d{3}){2,}(?![\d])")
FILE_NAME = re.compile(r"\S*/\S*|\S+\.(csv|parquet|yaml|xlsx|ipynb|html)\b")


def page_text(path: Path) -> str:
    """The text of every HTML output of a notebook, tags and styles removed, file names left out."""
    parts = []
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            page = output.get("data", {}).get("text/html")
            if page:
                page = "".join(page) if isinstance(page, list) else page
                page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
                parts.append(html.unescape(re.sub(r"<[^>]+>", " ", page)))
    return FILE_NAME.sub(" ", " ".join(parts))


@pytest.mark.parametrize("name", ["province_report_nam_dinh", "province_report_nam_dinh_2017-04-30",
                                  "national_overview"])
def test_pages_are_vietnamese(name):
    text = page_text(GOLDEN / f"{name}.ipynb")
    assert len(text) > 5000  # the whole page was read
    english = [text[max(0, m.start() - 40):m.end() + 40] for m in ENGLISH.finditer(text)]
    assert not english, english[:5]
    numbers = [text[max(0, m.start() - 40):m.end() + 10] for m in ENGLISH_NUMBER.finditer(text)]
    assert not numbers, numbers[:5]


def test_the_checks_can_fail():
    assert ENGLISH.search("Tỷ lệ: None") and ENGLISH.search("the rate is not known")
    assert ENGLISH_NUMBER.search("đạt 90.70%") and ENGLISH_NUMBER.search("1,234,567 đồng")
    assert not ENGLISH.search("Toàn tỉnh, Tổng số, Tiền") and not ENGLISH_NUMBER.search("90,70% và 1.234.567 đồng")
