"""The golden pages show the same numbers as before the indicator catalogue and status codes came in.

``golden/numbers_before_catalogue.json`` holds every number cell (``<td class="num">`` with a
digit) of the two golden notebooks as they were before that change. Since then only texts
changed (status labels, Vietnamese formulas and sources), and one rule: a province with no one
disciplined in either year now meets "fewer than last year", so it counts one more target met.
"""

from __future__ import annotations

import collections
import json
import re
from pathlib import Path

import nbformat
import pytest

GOLDEN = Path(__file__).parent / "golden"
BEFORE = json.loads((GOLDEN / "numbers_before_catalogue.json").read_text(encoding="utf-8"))


# Sections added after the snapshot of numbers was taken: they have numbers of their own.
SECTIONS_ADDED_SINCE = {"display(report.changes())", "display(report.offices())"}


def earlier_wording(cell: str) -> str:
    """A gap cell in the wording of the snapshot: rate gaps were written "vượt 17,70%" before they
    said their unit ("vượt 17,70 điểm %"), and a "< 0" target's gap "còn thiếu 22,33%" before the
    change itself was said ("tăng 22,33% (chỉ tiêu: giảm)"). The numbers are the same."""
    cell = re.sub(r"^(vượt|còn thiếu) ([\d.,]+) điểm %", r"\1 \2%", cell)
    cell = re.sub(r"^tăng ([^(]+) \(chỉ tiêu: giảm\)", r"còn thiếu \1", cell)
    return re.sub(r"^giảm ([^(]+) \(chỉ tiêu: giảm\)", r"vượt \1", cell)


def number_cells(path: Path) -> list[str]:
    """The text of every number cell with a digit in the HTML outputs of a notebook, in page order."""
    cells = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.source in SECTIONS_ADDED_SINCE:
            continue
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            # Styles are written inline since; what a cell says is compared without them.
            found = re.findall(r'<td class="num"[^>]*>(.*?)</td>', html, flags=re.S)
            cells += [earlier_wording(re.sub(r' style="[^"]*"', "", c)) for c in found if re.search(r"\d", c)]
    return cells


# What the discipline rule changes, read off the sample's standing data (disciplined_staff 0 at
# 30/09/2016 and 30/09/2017): Nam Định (36), Thanh Hóa (38) and Long An (80). Nam Định meets 10 of
# 17 targets instead of 9 and moves from 6th to 4th place; in the national table Nam Định and Thanh
# Hóa go 9 → 10 and Long An 8 → 9, so the counts change by {9/17, 9/17, 8/17} → {10/17, 10/17, 9/17}.
EXPECTED_CHANGES = {
    "province_report_nam_dinh": ({"6/63": 1}, {"4/63": 1}),
    "national_overview": ({"9/17": 1, "8/17": 1}, {"10/17": 2}),
}


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_golden_numbers_are_unchanged_but_for_the_discipline_rule(name):
    now = number_cells(GOLDEN / f"{name}.ipynb")
    # A target "< 0,00%" or "< 0 người" (fewer than last year) is now written as its direction,
    # "giảm": no number.
    before = [cell for cell in BEFORE[name] if cell not in ("&lt; 0,00%", "&lt; 0 người")]
    assert len(now) == len(before)
    gone = collections.Counter(before) - collections.Counter(now)
    came = collections.Counter(now) - collections.Counter(before)
    assert (dict(gone), dict(came)) == EXPECTED_CHANGES[name]
