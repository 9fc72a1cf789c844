"""The review block of a page and the sign-off of reports (thads review)."""

from __future__ import annotations

import hashlib
import json

import pytest
from conftest import small_sample

from thads_analysis import cli


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def review_cell(index: str, name: str) -> str:
    start = index.index(f'data-review="{name}"')
    return index[start:index.index("</", start)]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A month of two provinces, the pages' review block filled from the command line."""
    root = tmp_path_factory.mktemp("review")
    data = small_sample(root / "data", ["01", "36"])
    code = cli.main(["report", "--all", "--data", str(data), "--out", str(root / "out"), "--quiet",
                     "--prepared-by", "Nguyễn Văn A", "--checked-by", "Trần Thị B", "--review-date", "2017-10-05",
                     "--review-note", "Số liệu <tháng 9> đã đối chiếu"])
    assert code == 0
    return data, root / "out", root / "out" / "2017-09-30"


def test_the_review_block_prints_the_names_date_and_note_given(made):
    _, _, folder = made
    page = (folder / "36-nam-dinh.html").read_text(encoding="utf-8")
    assert "Người lập" in page and "Nguyễn Văn A" in page and "Trần Thị B" in page
    assert "Ngày kiểm tra: 05/10/2017" in page
    assert "Số liệu &lt;tháng 9&gt; đã đối chiếu" in page  # text from a parameter is escaped
    notebook = json.loads((folder / "36-nam-dinh.ipynb").read_text(encoding="utf-8"))
    assert notebook["metadata"]["papermill"]["parameters"]["checked_by"] == "Trần Thị B"


def test_an_empty_review_block_leaves_lines_to_sign_on(tmp_path):
    from thads_analysis.reporting.report import ProvinceReport

    footer = ProvinceReport("36").footer().data
    assert "Người kiểm tra" in footer and "………………" in footer and "Ngày kiểm tra: ……/……/…………" in footer


def test_a_review_date_that_is_not_a_date_is_refused(capsys):
    assert cli.main(["report", "--province", "36", "--review-date", "5 tháng 10", "--out", "unused"]) == 1
    assert "--review-date '5 tháng 10' is not a date: write it 2017-10-05 or 05/10/2017" in capsys.readouterr().err


def test_approve_records_the_checksums_and_the_index_shows_what_changed_since(made, capsys):
    data, out, folder = made
    assert cli.main(["review", str(folder)]) == 0
    listed = capsys.readouterr().out
    assert listed.count("Not checked") == 3  # the national overview and the two provinces (English: THADS_LANG=en)

    assert cli.main(["review", str(folder), "--approve", "36-nam-dinh", "--by", "Lê Văn C", "--note", "đạt"]) == 0
    capsys.readouterr()
    record = json.loads((folder / "reviews.json").read_text(encoding="utf-8"))["36-nam-dinh"]
    assert record["by"] == "Lê Văn C" and record["note"] == "đạt"
    assert record["sha256"] == sha256(folder / "36-nam-dinh.html")
    assert record["notebook_sha256"] == sha256(folder / "36-nam-dinh.ipynb")
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "Đã kiểm tra: Lê Văn C" in review_cell(index, "36-nam-dinh")
    assert "Chưa kiểm tra" in review_cell(index, "01-ha-noi")

    # The reports made again with another note: the pages differ from those checked.
    assert cli.main(["report", "--all", "--data", str(data), "--out", str(out), "--quiet", "--review-note",
                     "lần 2"]) == 0
    capsys.readouterr()
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "Đã thay đổi sau khi kiểm tra: Lê Văn C" in review_cell(index, "36-nam-dinh")
    assert cli.main(["review", str(folder)]) == 0
    assert "Changed since it was checked: Lê Văn C" in capsys.readouterr().out  # the index stays Vietnamese


def test_review_refuses_unknown_reports_a_missing_name_and_a_broken_record(made, capsys, tmp_path):
    _, _, folder = made
    assert cli.main(["review", str(folder), "--approve", "99-khong-co", "--by", "X"]) == 1
    err = capsys.readouterr().err
    assert "no report 99-khong-co" in err and "36-nam-dinh" in err
    assert cli.main(["review", str(folder), "--approve"]) == 1
    assert "--approve needs the reviewer's name" in capsys.readouterr().err
    assert cli.main(["review", str(tmp_path / "nowhere")]) == 1
    assert "is not a folder of reports" in capsys.readouterr().err
    broken = tmp_path / "2017-09-30"
    broken.mkdir()
    (broken / "reviews.json").write_text("{not json", encoding="utf-8")
    (broken / "a.html").write_text("x", encoding="utf-8")
    (broken / "a.ipynb").write_text("{}", encoding="utf-8")
    assert cli.main(["review", str(broken)]) == 1
    assert "reviews.json: cannot be read" in capsys.readouterr().err
