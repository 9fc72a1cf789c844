"""Every report records what made it, and two runs on the same input give the same notebook."""

from __future__ import annotations

import hashlib
import json
import re

from conftest import small_sample

from thads_analysis import cli
from thads_analysis.provenance import package_version
from thads_analysis.reporting.report import ProvinceReport

TIME = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_runs_on_the_same_input_differ_only_in_the_generation_time(tmp_path):
    data = small_sample(tmp_path / "data", ["01", "36"])
    pages = []
    for run in ("first", "second"):
        assert cli.main(["report", "--province", "36", "--data", str(data), "--out", str(tmp_path / run),
                         "--quiet"]) == 0
        folder = tmp_path / run / "2017-09-30"
        pages.append({suffix: (folder / f"36-nam-dinh.{suffix}").read_text(encoding="utf-8")
                      for suffix in ("ipynb", "html")})
    for suffix in ("ipynb", "html"):
        first, second = (TIME.sub("DD/MM/YYYY HH:MM", page[suffix]) for page in pages)
        assert first == second, suffix
        assert len(TIME.findall(pages[0][suffix])) == 1, suffix  # the one generation-time field


def test_the_notebook_and_the_page_name_every_input_and_the_code(tmp_path):
    data = small_sample(tmp_path / "data", ["01", "36"])
    out = tmp_path / "out"
    assert cli.main(["report", "--province", "36", "--data", str(data), "--out", str(out), "--quiet"]) == 0
    folder = out / "2017-09-30"
    notebook = json.loads((folder / "36-nam-dinh.ipynb").read_text(encoding="utf-8"))
    record = notebook["metadata"]["thads"]
    assert record["version"] == package_version()
    # The original files, by checksum worked out here from their bytes, and the snapshot the kernel read.
    for path in sorted(data.glob("*.csv")):
        assert record["inputs"][f"gốc: {path.name}"] == sha256(path)
    snapshot = folder / notebook["metadata"]["papermill"]["parameters"]["data_path"]
    assert record["inputs"]["report.parquet"] == sha256(snapshot / "report.parquet")
    for volatile in ("start_time", "end_time", "duration"):
        assert volatile not in notebook["metadata"]["papermill"]
        assert all(volatile not in cell["metadata"].get("papermill", {}) for cell in notebook["cells"])
    page = (folder / "36-nam-dinh.html").read_text(encoding="utf-8")
    assert f"Lập bằng thads-analysis {package_version()}" in page
    assert f"thads_monthly_2017.csv {sha256(data / 'thads_monthly_2017.csv')[:12]}" in page
    assert str(tmp_path) not in page and str(tmp_path) not in json.dumps(notebook, ensure_ascii=False)


def test_nbdime_shows_two_runs_on_the_same_input_differ_only_in_the_header(tmp_path):
    """The executed notebooks are diffable with nbdime: run times and cell ids are settled, so two
    runs on the same input differ in one cell's output, the header with the generation time."""
    import nbdime
    import nbformat

    data = small_sample(tmp_path / "data", ["01", "36"])
    notebooks = []
    for run in ("first", "second"):
        assert cli.main(["report", "--province", "36", "--data", str(data), "--out", str(tmp_path / run),
                         "--quiet"]) == 0
        notebooks.append(nbformat.read(tmp_path / run / "2017-09-30" / "36-nam-dinh.ipynb", as_version=4))
    first, second = notebooks
    # The header's generation time is the one field allowed to differ: make it differ (the runs may
    # fall in the same minute).
    header = next(i for i, cell in enumerate(first.cells)
                  if "Thời điểm lập báo cáo" in json.dumps(cell.get("outputs", []), ensure_ascii=False))
    second.cells[header].outputs[0]["data"]["text/html"] = TIME.sub(
        "31/12/2099 23:59", second.cells[header].outputs[0]["data"]["text/html"])
    diff = nbdime.diff_notebooks(first, second)
    assert [entry["key"] for entry in diff] == ["cells"]
    changed_cells = [entry["key"] for entry in diff[0]["diff"]]
    assert changed_cells == [header]


def test_the_page_names_every_file_read_the_offices_file_too():
    """The bundled sample is five files (data/sample); Nam Định's Chi cục section comes from the
    offices file, which the page's origin line and footer must name beside the province files."""
    report = ProvinceReport("36")
    shown = {"header": report.header().data, "footer": report.footer().data}
    for name in ("thads_annual_2015.csv", "thads_monthly_2016.csv", "thads_monthly_2017.csv",
                 "thads_offices_2017.csv", "thads_standing_2016_2017.csv"):
        for part, html in shown.items():
            assert f"data/sample/{name}" in html, (part, name)
