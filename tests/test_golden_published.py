"""The golden pages show the published national figures, found in their text without the package.

Each figure is written here from its publication (data/SOURCES.md): the page's HTML outputs are
read as text and searched for the sentence that carries the figure. Nothing here calls the
package, so a wrong number in the code cannot make its own expectation.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest

GOLDEN = Path(__file__).parent / "golden"


def page_text(name: str) -> str:
    """The text a reader sees in the HTML outputs of a golden notebook, spaces collapsed."""
    parts = []
    for cell in nbformat.read(GOLDEN / f"{name}.ipynb", as_version=4).cells:
        for output in cell.get("outputs", []):
            markup = output.get("data", {}).get("text/html", "")
            parts.append(html.unescape(re.sub(r"<[^>]+>", " ", "".join(markup) if isinstance(markup, list) else markup)))
    return re.sub(r"\s+", " ", " ".join(parts))


@pytest.mark.parametrize("name, sentence", [
    # [BPL-2017]: in 2017, 549.415 cases resolved (79,25%) and 35.242 tỷ 612 triệu 983 nghìn đồng (38,31%).
    # (The denominators are not published; any number written the Vietnamese way is accepted there.)
    ("national_overview", r"đã thi hành xong 549\.415 việc trên [\d.]+ việc có điều kiện thi hành, đạt tỷ lệ 79,25%"),
    ("national_overview", r"đã thi hành xong 35\.242,6 tỷ đồng trên [\d.,]+ tỷ đồng có điều kiện thi hành, "
                          r"đạt tỷ lệ 38,31%"),
    # The province page at 30/09/2017 places the province around the same national rate.
    ("province_report_nam_dinh", r"quanh tỷ lệ toàn quốc 79,25%"),
    # [TCTHADS-7T2017]: at 30/04/2017, 267.165 of 482.175 cases with conditions resolved (55,41%).
    ("province_report_nam_dinh_2017-04-30", r"quanh tỷ lệ toàn quốc 55,41%"),
])
def test_a_golden_page_carries_a_published_figure(name, sentence):
    assert re.search(sentence, page_text(name)), sentence


def test_the_mid_year_golden_page_projects_and_warns():
    """At 30/04/2017 (7 of 12 months) the page projects the year and names targets at risk,
    which the 30/09 pages never do."""
    text = page_text("province_report_nam_dinh_2017-04-30")
    assert "Có nguy cơ không đạt" in text and "dự báo" in text
    assert "từ 01/10/2016 đến 30/04/2017 (7 tháng, năm thống kê 2017)" in text
