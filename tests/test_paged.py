"""Reports on paper: the administrative heading and signature block, the A4 print and `--pdf`."""

from __future__ import annotations

import os
import shutil

import docx
import pandas as pd
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from thads_analysis import cli, vocabulary
from thads_analysis.paths import SAMPLE_DIR
from thads_analysis.provinces import lookup
from thads_analysis.reporting.document import document
from thads_analysis.reporting.report import render

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
A4 = (595.3, 841.9)  # points: 210 × 297 mm


def test_heading_defaults_name_the_province_and_leave_lines_to_fill():
    heading = document(lookup("36"))
    assert heading.units == ("TỔNG CỤC THI HÀNH ÁN DÂN SỰ", "CỤC THI HÀNH ÁN DÂN SỰ TỈNH NAM ĐỊNH")
    assert heading.number == "Số: ……/BC-CTHADS"
    assert heading.place_date == "Nam Định, ngày …… tháng …… năm ……"
    assert (heading.signer_title, heading.signer) == ("CỤC TRƯỞNG", "")
    national = document(None)
    assert national.units == ("BỘ TƯ PHÁP", "TỔNG CỤC THI HÀNH ÁN DÂN SỰ")
    assert national.number == "Số: ……/BC-TCTHADS" and national.place_date.startswith("Hà Nội, ngày")
    assert national.signer_title == "TỔNG CỤC TRƯỞNG"


def test_heading_takes_the_parameters():
    heading = document(lookup("79"), issuer="Cục THADS TP. Hồ Chí Minh | Chi cục THADS quận 1",
                       document_number="Số: 12/BC-CCTHA", place="TP. Hồ Chí Minh", issue_date="05/10/2017",
                       signer="Trần Thị B", signer_title="Chi cục trưởng")
    assert heading.units == ("CỤC THADS TP. HỒ CHÍ MINH", "CHI CỤC THADS QUẬN 1")
    assert heading.number == "Số: 12/BC-CCTHA"  # "Số:" given or not, written once
    assert heading.place_date == "TP. Hồ Chí Minh, ngày 05 tháng 10 năm 2017"
    assert (heading.signer_title, heading.signer) == ("CHI CỤC TRƯỞNG", "Trần Thị B")
    with pytest.raises(ValueError, match="issue_date '5 tháng 10' is not a date"):
        document(lookup("36"), issue_date="5 tháng 10")


def test_heading_text_is_escaped():
    heading = document(lookup("36"), issuer="<script>x</script>", signer="=HYPERLINK(\"http://x\")<b>")
    page = str(render("heading.html.j2", document=heading).data) + \
        str(render("signature.html.j2", document=heading).data)
    assert "<script>" not in page and "&lt;SCRIPT&gt;X&lt;/SCRIPT&gt;" in page
    assert "&lt;b&gt;" in page and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page


def test_pdf_is_a4_with_the_heading_on_page_one(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    args = ["report", "--province", "36", "--out", str(out), "--quiet", "--pdf", "--document-number", "125/BC-CTHADS",
            "--issue-date", "2017-10-05", "--signer", "Nguyễn Văn A"]
    # Without a browser: the page is made, the PDF is a failure saying how to get one.
    monkeypatch.setenv("THADS_CHROMIUM", str(tmp_path / "no-such-browser"))
    assert cli.main(args) == 1
    assert "Chromium was not found" in capsys.readouterr().err
    page = out / "2017-09-30" / "36-nam-dinh.html"
    assert page.exists() and not page.with_suffix(".pdf").exists()
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing; .ci/run installs it")
        pytest.skip("chromium not installed (apt-get install chromium)")
    monkeypatch.delenv("THADS_CHROMIUM")
    assert cli.main(args) == 0  # the page is kept, only the PDF is printed
    reader = PdfReader(page.with_suffix(".pdf"))
    pages = [p.extract_text() for p in reader.pages]
    assert all(abs(float(p.mediabox.width) - A4[0]) < 1 and abs(float(p.mediabox.height) - A4[1]) < 1
               for p in reader.pages)
    first = pages[0]
    for line in ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 125/BC-CTHADS",
                 "Nam Định, ngày 05 tháng 10 năm 2017", "CỤC THI HÀNH ÁN DÂN SỰ TỈNH NAM"]:
        assert line in first, line
    assert all(f"Trang {i}/{len(pages)}" in text for i, text in enumerate(pages, 1))
    # The sample says so on every sheet (pypdf may space out the margin box's glyphs: compare without spaces).
    assert all("Dữliệumẫu(môphỏng)" in "".join(text.split()) for text in pages)
    assert "CỤC TRƯỞNG" in pages[-1] and "Nguyễn Văn A" in pages[-1] and "Nơi nhận" in pages[-1]
    # A row is never cut: Nam Định's money row stands whole on one sheet, its two amounts (read here
    # from the sample's CSV, in đồng, written with dots) together.
    sample = pd.read_csv(SAMPLE_DIR / "thads_monthly_2017.csv", dtype={"province_code": str})
    money = sample[(sample.province_code == "36") & (sample.period_end == "2017-09-30") & (sample.measure == "money")
                   & (sample.category == "all")].iloc[0]
    resolved, base = (f"{int(v):,}".replace(",", ".") for v in (money.completed + money.terminated,
                                                                  money.with_conditions))
    sheets = [text for text in pages if resolved in text]
    assert sheets and base in sheets[0]


def test_docx_holds_the_pages_tables_and_charts(tmp_path):
    out = tmp_path / "out"
    assert cli.main(["report", "--province", "36", "--out", str(out), "--quiet", "--docx",
                     "--document-number", "125/BC-CTHADS"]) == 0
    folder = out / "2017-09-30"
    word = docx.Document(folder / "36-nam-dinh.docx")
    page = (folder / "36-nam-dinh.html").read_text(encoding="utf-8")
    body = page[page.index("<body"):]
    # Every table of the page (bar the formula rows shown only on paper), every chart.
    assert len(word.tables) == body.count("<table")
    assert len(word.inline_shapes) == body.count("data:image/png;base64")
    heading = word.tables[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in heading.cell(0, 1).text
    assert heading.cell(1, 0).text == "Số: 125/BC-CTHADS"
    # Nam Định's case row: 4.918 of 5.422 with conditions, 90,70% against 73% (data/README.md).
    scorecard = next(t for t in word.tables if t.cell(0, 0).text == "Chỉ tiêu")
    row = next(r for r in scorecard.rows if r.cells[0].text == "Tỷ lệ thi hành xong về việc")
    texts = [c.text for c in row.cells]
    assert texts[1] == "90,70%" and "4.918" in texts and "5.422" in texts and "vượt 17,70 điểm %" in texts[3]
    status = row.cells[4]._tc.tcPr.find(qn("w:shd"))
    assert status is not None and status.get(qn("w:fill")).lower() == vocabulary.MET.colour.lstrip("#").lower()
    assert word.sections[0].header.paragraphs[0].text == "Dữ liệu mẫu (mô phỏng)"
    assert round(word.sections[0].page_width.mm) == 210 and round(word.sections[0].page_height.mm) == 297


@pytest.mark.parametrize("option, value, message", [
    ("--signer", "Nguyễn\x00Văn A", "--signer: a control character (0x00)"),
    ("--document-number", "9" * 5000, "--document-number: 5000 characters, more than the 300"),
    ("--prepared-by", "A\x1bB", "--prepared-by: a control character (0x1b)"),
])
def test_signoff_text_a_page_cannot_hold_is_refused_before_any_kernel(tmp_path, capsys, option, value, message):
    out = tmp_path / "out"
    assert cli.main(["report", "--province", "36", "--out", str(out), "--quiet", option, value]) == 1
    assert message in capsys.readouterr().err
    assert not list(out.glob("**/*.ipynb"))
    with pytest.raises(ValueError, match="signer: a control character"):
        document(lookup("36"), signer="A\x07B")  # the notebooks' own parameters, likewise
