"""thads diff: what changed between two report folders, down to the input row."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import small_sample

from thads_analysis import cli
from thads_analysis.batch.diff import compare, read_folder


@pytest.fixture(scope="module")
def two_folders(tmp_path_factory):
    """Nam Định's report at 30/06/2017 from the sample, and again after a correction of one row:
    5 cases moved from in progress to completed."""
    root = tmp_path_factory.mktemp("diff")
    before = small_sample(root / "before", ["01", "36"])
    after = small_sample(root / "after", ["01", "36"])
    monthly = after / "thads_monthly_2017.csv"
    frame = pd.read_csv(monthly, dtype=str, keep_default_na=False)
    row = frame.index[(frame.province_code == "36") & (frame.period_end == "2017-06-30") & (frame.measure == "cases")
                      & (frame.category == "all")][0]
    raw = frame.loc[row].copy()
    frame.loc[row, "completed"] = str(int(raw.completed) + 5)
    frame.loc[row, "in_progress"] = str(int(raw.in_progress) - 5)
    frame.to_csv(monthly, index=False)
    for name, data in (("old", before), ("new", after)):
        assert cli.main(["report", "--province", "36", "--period-end", "2017-06-30", "--data", str(data),
                         "--out", str(root / name), "--quiet"]) == 0
    return root / "old" / "2017-06-30", root / "new" / "2017-06-30", raw


def test_a_corrected_row_shows_up_as_that_row_province_and_indicators(two_folders):
    old, new, raw = two_folders
    changes = compare(read_folder(old), read_folder(new))
    rows = changes.rows.assign(period_end=changes.rows["period_end"].dt.strftime("%d/%m/%Y"))
    assert rows.to_dict("records") == [
        dict(province_code="36", period_end="30/06/2017", measure="cases", category="all", column="completed",
             old=int(raw.completed), new=int(raw.completed) + 5),
        dict(province_code="36", period_end="30/06/2017", measure="cases", category="all", column="in_progress",
             old=int(raw.in_progress), new=int(raw.in_progress) - 5)]
    assert set(changes.values["scope"]) == {"36", "national"}  # Hà Nội (01) untouched
    rate = changes.values.set_index(["scope", "indicator"]).loc[("36", "completion_rate_cases")]
    # 5 more resolved over the same with_conditions: +5 / with_conditions × 100 points.
    assert rate["difference"] == pytest.approx(5 / int(raw.with_conditions) * 100)


def test_the_command_line_prints_the_changes(two_folders, capsys):
    old, new, raw = two_folders
    assert cli.main(["diff", str(old), str(new)]) == 0
    printed = capsys.readouterr().out
    assert (f"36 Nam Định 30/06/2017 cases/all completed: {int(raw.completed):,} → {int(raw.completed) + 5:,}"
            in printed)
    assert "Input rows: 2 value(s) changed" in printed
    assert cli.main(["diff", str(old), str(old)]) == 0
    assert "No change between" in capsys.readouterr().out



def test_the_html_page_speaks_vietnamese(two_folders, tmp_path, capsys):
    old, new, raw = two_folders
    page = tmp_path / "thay_doi.html"
    assert cli.main(["diff", str(old), str(new), "--html", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    points = f"{5 / int(raw.with_conditions) * 100:.2f}".replace(".", ",")
    assert "Tỉnh Nam Định" in text and "Thi hành xong" in text and "Đang thi hành" in text
    assert f"+{points} điểm %" in text  # the case completion rate, worked out from the raw row
    assert f"{int(raw.completed):,}".replace(",", ".") in text and "completed" not in text


def test_a_folder_without_reports_is_named(tmp_path, capsys):
    assert cli.main(["diff", str(tmp_path), str(tmp_path)]) == 1
    assert "holds no report notebook" in capsys.readouterr().err


@pytest.mark.parametrize("content", [b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
                                     b"\xff\xfe not a notebook"])
def test_a_notebook_not_made_by_the_batch_is_named(tmp_path, capsys, content):
    (tmp_path / "x.ipynb").write_bytes(content)
    assert cli.main(["diff", str(tmp_path), str(tmp_path)]) == 1
    assert "x.ipynb is not a notebook made by thads report" in capsys.readouterr().err
