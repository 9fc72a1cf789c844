"""Batch reports end to end: files written, HTML read in headless Chromium, failures isolated."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import break_year_end_row, dying_and_good_jobs, small_sample

from thads_analysis import cli
from thads_analysis.batch.kernels import run_job
from thads_analysis.batch.plan import Job, check_parameters, declared_parameters
from thads_analysis.reporting.report import render

PROJECT_ROOT = Path(__file__).resolve().parents[1]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def page_text(html: Path) -> str:
    """The text a reader sees, as headless Chromium renders it."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing; .ci/run installs it")
        pytest.skip("chromium not installed (apt-get install chromium)")
    dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                          "--disable-component-update", "--no-first-run", "--disable-sync",
                          f"--user-data-dir={html.parent / '.chromium'}", "--dump-dom", html.resolve().as_uri()],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert "<body" in dom
    text = re.sub(r"<style.*?</style>|<script.*?</script>", " ", dom, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


@pytest.fixture(scope="module")
def nam_dinh(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    code = cli.main(["report", "--province", "Nam Định", "--out", str(out), "--quiet"])
    assert code == 0
    return out / "2017-09-30"


def test_province_report_files(nam_dinh):
    assert (nam_dinh / "36-nam-dinh.ipynb").exists() and (nam_dinh / "36-nam-dinh.html").exists()
    nb = nbformat.read(nam_dinh / "36-nam-dinh.ipynb", as_version=4)
    # The notebook names the snapshot it was made from, the only one in the folder.
    data_path = Path(nb.metadata.papermill.parameters["data_path"])
    assert data_path.parts[0] == "inputs" and (nam_dinh / data_path / "report.parquet").exists()
    assert [p.name for p in (nam_dinh / "inputs").iterdir()] == [data_path.parts[1]]
    assert not list(nam_dinh.glob(".*")) and not list((nam_dinh / "inputs").glob(".*"))
    assert all(not o.get("output_type") == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    raw = (nam_dinh / "36-nam-dinh.ipynb").read_text(encoding="utf-8")
    assert str(PROJECT_ROOT) not in raw and str(nam_dinh) not in raw  # no absolute machine path


def test_html_report_reads_right_in_chromium(nam_dinh):
    text = page_text(nam_dinh / "36-nam-dinh.html")
    assert "Cục THADS tỉnh Nam Định" in text
    assert "Bảng chỉ tiêu thi đua" in text and "Tỷ lệ thi hành xong về việc" in text
    # 4.918 of 5.422 with conditions, target 73%: the synthetic example of published-figure-calibrated data.
    assert "đã thi hành xong 4.918 việc" in text and "90,70%" in text and "vượt 17,70 điểm %" in text
    assert "Dữ liệu mẫu (mô phỏng)" in text
    for leak in ["import ", "display(", "Traceback", "ProvinceReport", str(PROJECT_ROOT), str(nam_dinh)]:
        assert leak not in text, leak
    html = (nam_dinh / "36-nam-dinh.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64") >= 5  # figures embedded: the file opens offline


def test_failed_report_keeps_the_previous_one(tmp_path):
    template = tmp_path / "boom.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("raise ValueError('số liệu hỏng')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, template)
    stem = tmp_path / "36-nam-dinh"
    stem.with_suffix(".html").write_text("previous good report", encoding="utf-8")
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError, match="số liệu hỏng"):
        run_job(Job("36-nam-dinh", "36 Nam Định", template, {"x": 2}, stem))
    assert stem.with_suffix(".html").read_text(encoding="utf-8") == "previous good report"
    assert not stem.with_suffix(".ipynb").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["36-nam-dinh.html", "boom.ipynb"]


@pytest.mark.parametrize("template", ["province_report.ipynb", "national_overview.ipynb"])
def test_declared_parameters_are_papermills(template):
    import papermill

    path = PROJECT_ROOT / "notebooks" / template
    assert declared_parameters(path) == list(papermill.inspect_notebook(str(path)))


def test_unknown_parameters_are_errors():
    with pytest.raises(ValueError, match="no parameter.*provinec"):
        check_parameters(PROJECT_ROOT / "notebooks" / "province_report.ipynb", {"provinec": "36"})


def test_all_with_one_broken_province(tmp_path, capsys):
    data = small_sample(tmp_path / "data", ["01", "36", "79"])
    break_year_end_row(data, "79", origin="<script>alert(1)</script>")
    out = tmp_path / "out"
    code = cli.main(["report", "--all", "--data", str(data), "--out", str(out), "--quiet", "--jobs", "2"])
    err = capsys.readouterr().err
    assert code == 1
    assert "79 Hồ Chí Minh" in err and "rows break the rules" in err
    folder = out / "2017-09-30"
    produced = sorted(p.name for p in folder.glob("*.html"))
    assert produced == ["00-toan-quoc.html", "01-ha-noi.html", "36-nam-dinh.html", "index.html"]
    summary = pd.read_csv(folder / "summary.csv", dtype={"province_code": str})
    assert list(summary["province_code"]) == sorted(summary["province_code"], key=lambda c: summary.set_index(
        "province_code").at[c, "rank_national"]) and set(summary["province_code"]) == {"01", "36"}
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "Không lập được 1 báo cáo" in index and "36-nam-dinh.html" in index
    assert "<script>alert(1)</script>" not in index
    # As a reader sees it in a browser: the two provinces made, the failure named.
    text = page_text(folder / "index.html")
    assert "Không lập được 1 báo cáo" in text and "Hồ Chí Minh" in text
    assert "Nam Định" in text and "Hà Nội" in text
    # Again for Excel on a Vietnamese Windows: the reports are kept, summary.csv is written anew.
    code = cli.main(["report", "--all", "--data", str(data), "--out", str(out), "--quiet", "--jobs", "2",
                     "--csv-dialect", "excel-vi"])
    assert code == 1
    raw = (folder / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte order mark Excel needs to read UTF-8
    lines = raw.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    assert header[:4] == ["Mã tỉnh", "Số liệu đến ngày", "Tỉnh", "Vùng"]
    nam_dinh = dict(zip(header, next(line for line in lines if line.startswith("36;")).split(";")))
    # 4.918 / 5.422 = 90,70% (data/README.md) against the target of 73%: 17,70 points above.
    assert nam_dinh["Số liệu đến ngày"] == "30/09/2017"
    assert nam_dinh["Tỷ lệ thi hành xong về việc (%)"] == "90,70"
    assert nam_dinh["Tỷ lệ thi hành xong về việc: chênh lệch so với chỉ tiêu (điểm %)"] == "17,70"
    assert nam_dinh["Đánh giá về việc"] == "Đạt" and "status_cases" not in header


@pytest.mark.parametrize("args, message", [
    (["--province", "Nam Dihn"], "Nam Định"),
    (["--province", "36", "--period-end", "2017-05-15"], "periods available"),
    (["--province", "36", "--year", "2019"], "no period of statistical year 2019"),
])
def test_bad_arguments_fail_before_any_kernel(tmp_path, capsys, args, message):
    code = cli.main(["report", *args, "--out", str(tmp_path / "out"), "--quiet"])
    assert code == 1 and message in capsys.readouterr().err
    assert not list((tmp_path / "out").glob("**/*.ipynb"))


def test_bad_targets_and_bad_data_fail_before_any_kernel(tmp_path, capsys):
    targets = tmp_path / "t.csv"
    targets.write_text("scope,year,indicator,comparator,target,source\nnational,2017,completion_rate,>=,73,x\n",
                       encoding="utf-8")
    assert cli.main(["report", "--province", "36", "--targets", str(targets), "--out", str(tmp_path / "o")]) == 1
    assert "unknown indicator" in capsys.readouterr().err
    data = small_sample(tmp_path / "data", ["36"])
    monthly = data / "thads_monthly_2017.csv"
    frame = pd.read_csv(monthly, dtype=str, keep_default_na=False)
    frame.loc[0, "new_accepted"] = "nhiều"
    frame.to_csv(monthly, index=False)
    assert cli.main(["report", "--province", "36", "--data", str(data), "--out", str(tmp_path / "o")]) == 1
    assert "[wrong type]" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_plain_papermill_cli_accepts_an_integer_province(tmp_path):
    out = tmp_path / "ha-noi.ipynb"
    subprocess.run([str(Path(os.sys.executable).parent / "papermill"), "notebooks/province_report.ipynb", str(out),
                    "-p", "province", "01", "--no-progress-bar"], cwd=PROJECT_ROOT, check=True, capture_output=True,
                   env={**os.environ, "MPLBACKEND": ""})
    nb = nbformat.read(out, as_version=4)
    assert "province = 1" in nb.cells[2].source  # papermill turned "01" into the integer 1 ...
    header = nb.cells[3].outputs[0]["data"]["text/html"]
    assert "Cục THADS thành phố Hà Nội" in header  # ... and the report still knows it is Hà Nội


def test_text_from_inputs_is_escaped():
    html = render("header.html.j2", title="t", subtitle="s", period="p", region=None, sentences=["<b>x</b>"],
                  generated="g", is_sample=False, mark="m", origin="<script>bad()</script>", files=["a&b.csv"],
                  targets="t.csv").data
    assert "<script>bad()" not in html and "&lt;script&gt;" in html and "a&amp;b.csv" in html


def test_summary_json_has_the_contract_fields(capsys):
    assert cli.main(["summary", "--province", "36", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    first = records[0]
    assert {"indicator", "actual", "target", "gap", "status", "status_label", "formula", "formula_vi"} <= set(first)
    assert first["indicator"] == "completion_rate_cases"
    assert round(first["actual"], 2) == 90.70 and first["target"] == 73 and round(first["gap"], 2) == 17.70
    assert (first["status"], first["status_label"]) == ("met", "Đạt")
    assert first["formula"] == "(completed + terminated) / with_conditions × 100"
    assert first["formula_vi"] == "(Thi hành xong + Đình chỉ) / Số có điều kiện thi hành × 100"
    reference = [r for r in records if r["target"] is None]
    assert reference and all(r["status"] is None and r["status_label"] == "" for r in reference)


def comparable(path: Path) -> list:
    """Each code cell's source, execution count and outputs, report times blanked."""
    nb = nbformat.read(path, as_version=4)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = json.dumps([{k: v for k, v in o.items() if k != "metadata"} for o in cell.outputs], sort_keys=True)
        cells.append((cell.source, cell.execution_count, re.sub(r"\d\d/\d\d/\d{4} \d\d:\d\d", "TIME", outputs)))
    return cells


def test_report_from_a_reused_kernel_equals_one_from_a_fresh_kernel(tmp_path):
    from thads_analysis.batch.run import run_batch

    data = small_sample(tmp_path / "data", ["01", "36", "35", "24", "79"])
    # One worker: the national overview, then 01, 24, 35, 36, 79 run one after another in the same kernel.
    reused = run_batch(all_provinces=True, jobs=1, data=data, out=tmp_path / "reused", progress=False)
    fresh = run_batch(province="36", data=data, out=tmp_path / "fresh", progress=False, reuse_kernels=False)
    assert not reused.failures and not fresh.failures
    a = comparable(reused.out_dir / "36-nam-dinh.ipynb")
    b = comparable(fresh.out_dir / "36-nam-dinh.ipynb")
    assert [c[1] for c in a] == list(range(1, len(a) + 1))  # counts restart at 1 in the reused kernel
    assert len(a) == len(b)
    for i, (x, y) in enumerate(zip(a, b)):
        assert x == y, f"cell {i} differs"


def test_every_kernel_shows_the_analysis_the_batch_hands_it(tmp_path, monkeypatch):
    """The batch works the period's analysis out once and its kernels report from it rather than
    from their own: a note added to the handed analysis appears on every page (two kernels, each
    making several). A kernel that could not read it would work the analysis out itself, without
    the note."""
    from thads_analysis.batch import run

    index_analysis = run._index_analysis

    def marked(plan, loaded=None):
        analysis = index_analysis(plan, loaded)
        analysis.notes.append("Dấu của phân tích trao cho kernel")
        return analysis

    monkeypatch.setattr(run, "_index_analysis", marked)
    data = small_sample(tmp_path / "data", ["01", "36", "79"])
    result = run.run_batch(all_provinces=True, jobs=2, data=data, out=tmp_path / "out", progress=False)
    assert not result.failures
    pages = sorted(result.out_dir.glob("*.html"))
    assert [p.name for p in pages] == ["00-toan-quoc.html", "01-ha-noi.html", "36-nam-dinh.html",
                                       "79-ho-chi-minh.html", "index.html"]
    for page in pages[:-1]:
        assert "Dấu của phân tích trao cho kernel" in page.read_text(encoding="utf-8"), page.name


def test_the_rows_just_checked_give_the_analysis_of_reading_their_snapshot(tmp_path):
    """The batch works the index's analysis out from the rows it has just read and checked
    (``inputs.read_back``), not by reading and checking its snapshot again: every indicator, total,
    note, checksum and summary row is the one reading the snapshot gives, and the rows read are
    left as they were. Offices included, as the sample has them."""
    from thads_analysis.analysis.campaign import DEFAULT_CAMPAIGN
    from thads_analysis.analysis.pipeline import prepare
    from thads_analysis.batch.inputs import read_back, write_inputs
    from thads_analysis.batch.outputs import summary_table
    from thads_analysis.ingest.io import load_usable
    from thads_analysis.paths import DEFAULT_TARGETS

    result, bad = load_usable([small_sample(tmp_path / "data", ["01", "36", "79"], offices=True)])
    assert not bad and result.offices is not None
    rows = result.frame.copy()
    data_dir, targets, campaign = write_inputs(result, DEFAULT_TARGETS, DEFAULT_CAMPAIGN, tmp_path / "out")
    again = prepare(data_dir, targets, 2017, "2017-06-30", campaign=campaign)
    held = prepare(data_dir, targets, 2017, "2017-06-30", campaign=campaign, loaded=read_back(result, data_dir))
    for name in ("period_end", "year", "data_path", "warnings", "notes", "set_aside", "coverage", "provenance",
                 "targets_note"):
        assert getattr(held, name) == getattr(again, name), name
    for name in ("frame", "standing", "targets"):
        pd.testing.assert_frame_equal(getattr(held, name), getattr(again, name))
    # The office rows come back from the snapshot with office_code beside the other keys: the same
    # rows and values; the office tables made of them are compared exactly below.
    pd.testing.assert_frame_equal(held.offices, again.offices, check_like=True)
    for code in ("01", "36", "79"):
        pd.testing.assert_frame_equal(held.office_table(code), again.office_table(code))
        pd.testing.assert_frame_equal(held.office_indicators(code), again.office_indicators(code))
    assert list(held.indicators) == list(again.indicators) == list(held.totals)
    for level in again.indicators:
        pd.testing.assert_frame_equal(held.indicators[level], again.indicators[level])
        pd.testing.assert_frame_equal(held.totals[level], again.totals[level])
    pd.testing.assert_frame_equal(summary_table(held), summary_table(again))
    pd.testing.assert_frame_equal(result.frame, rows)


def test_rows_with_a_problem_are_read_again_from_their_snapshot(tmp_path):
    """Rows read with a problem (a warning, as a unit slip gives) are not handed over: not every
    problem comes back from the snapshot, so the snapshot is read as a kernel reads it."""
    from thads_analysis.batch.inputs import read_back
    from thads_analysis.ingest.io import LoadResult
    from thads_analysis.ingest.schema import Problem

    result = LoadResult(pd.DataFrame({"province_code": ["36"]}), [Problem("a.csv", "note", "x", severity="warning")])
    assert read_back(result, tmp_path) is None
    assert read_back(LoadResult(None, []), tmp_path) is None


def test_every_monthly_period_in_one_call(tmp_path):
    from thads_analysis.batch.run import run_batch

    data = small_sample(tmp_path / "data", ["36"])
    result = run_batch(province="36", all_periods=True, jobs=2, data=data, out=tmp_path / "out", progress=False)
    assert not result.failures
    months = sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir())
    # Statistical year 2017: the 12 month ends 31/10/2016 … 30/09/2017, one folder each
    # (beside them only the hidden lock file of the run).
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if not p.is_dir()) == [".thads-report.lock"]
    assert months == [d.date().isoformat() for d in pd.date_range("2016-10-31", "2017-09-30", freq="ME")]
    for month in months:
        nb = nbformat.read(tmp_path / "out" / month / "36-nam-dinh.ipynb", as_version=4)
        assert f'period_end = "{month}"' in nb.cells[2].source


def test_a_kernel_that_dies_fails_its_report_and_the_batch_goes_on(tmp_path):
    """A kernel killed mid-notebook (memory, a crash) fails that report; the pool starts a new
    kernel and the next report is produced. Nothing hangs."""
    from thads_analysis.batch.executors import run_jobs

    out = tmp_path / "out"
    jobs = dying_and_good_jobs(out, "import os\nos._exit(1)", "Kernel chết")
    produced, failures = run_jobs(jobs, workers=1, progress=False)
    assert [f.label for f in failures] == ["Kernel chết"]
    assert "DeadKernelError" in failures[0].reason or "died" in failures[0].reason.lower()
    assert produced == ["out/36-nam-dinh"]
    assert not (out / "dies.ipynb").exists() and (out / "36-nam-dinh.html").exists()


def test_campaign_section_of_a_province_without_a_window_number(tmp_path):
    """Nam Định without its June report: no window number, no rank, the month named; the
    region's window is withheld too, and nothing fails."""
    from thads_analysis.reporting.report import NationalReport, ProvinceReport

    data = small_sample(tmp_path / "data", ["01", "36", "79"])
    monthly = data / "thads_monthly_2017.csv"
    frame = pd.read_csv(monthly, dtype=str, keep_default_na=False)
    frame[~((frame.province_code == "36") & (frame.period_end == "2017-06-30"))].to_csv(monthly, index=False)
    section = ProvinceReport("36", 2017, "", str(data), "").campaign().data
    assert "Chưa xếp hạng thi đua trong đợt" in section and "06/2017" in section
    ranking = NationalReport(2017, "", str(data), "").campaign_ranking().data
    assert "Hà Nội" in ranking and "Chưa xếp hạng (—): Nam Định (thiếu báo cáo tháng 06/2017)" in ranking


def test_the_carry_over_chart_shows_the_targets_file_and_the_scorecard_status(tmp_path):
    from matplotlib.colors import to_hex

    from thads_analysis.paths import DEFAULT_TARGETS
    from thads_analysis.reporting.report import ProvinceReport

    text = DEFAULT_TARGETS.read_text(encoding="utf-8").replace(
        "national,2017,carry_forward_with_conditions_change_money,<,0,",
        "national,2017,carry_forward_with_conditions_change_money,<=,-3,")
    targets = tmp_path / "targets.csv"
    targets.write_text(text, encoding="utf-8")
    report = ProvinceReport("36", targets_path=str(targets))
    card = report.card.set_index("indicator")
    # Nam Định's money with conditions carried forward: 198.259.088.000 đồng at 30/09/2016,
    # 193.205.369.000 at 30/09/2017: −2,55%, not the 3% cut the file asks for.
    assert card.at["carry_forward_with_conditions_change_money", "status"] == "missed"
    fig = report.carry_over_chart()
    money = fig.axes[1]
    (line,) = [artist for artist in money.lines if artist.get_gid() == "target"]
    assert line.get_ydata()[0] == pytest.approx(198.259088 * 0.97)  # tỷ đồng
    assert line.get_label() == "Chỉ tiêu: giảm ít nhất 3%"
    last = max(money.patches, key=lambda p: p.get_x())
    assert to_hex(last.get_facecolor()).upper() == "#D55E00"  # the scorecard's "missed"


def test_a_batch_leaves_the_process_environment_alone(tmp_path, monkeypatch):
    from thads_analysis.batch.run import run_batch

    monkeypatch.setenv("MPLBACKEND", "Agg")  # as a test run or a headless shell may have it
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    data = small_sample(tmp_path / "data", ["36"])
    result = run_batch(province="36", jobs=1, data=data, out=tmp_path / "out", progress=False)
    assert not result.failures
    # The kernels got their thread limits and lost MPLBACKEND; this process kept its own.
    assert os.environ["MPLBACKEND"] == "Agg"
    assert not {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"} & set(os.environ)
    # The kernel did not inherit Agg: its figures are in the notebook.
    nb = nbformat.read(tmp_path / "out" / "2017-09-30" / "36-nam-dinh.ipynb", as_version=4)
    assert any("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


def test_an_analysis_cache_belongs_to_its_owner(tmp_path):
    from thads_analysis.analysis.pipeline import AnalysisCache, prepare

    data = small_sample(tmp_path / "data", ["36"])
    cache = AnalysisCache(size=1)
    first = cache.prepare(data)
    assert cache.prepare(data) is first  # the same inputs: computed once
    assert prepare(data) is not first  # no hidden cache behind prepare
    assert AnalysisCache().prepare(data) is not first  # each owner its own
    changed = sorted(data.glob("*.csv"))[0]
    stat = changed.stat()
    os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # an edited file is new input
    assert cache.prepare(data) is not first


def test_sections_carry_their_styles_inline_for_untrusted_jupyterlab():
    """JupyterLab strips <style> from an untrusted notebook's outputs but keeps inline styles: the
    status colours, the sample banner and the table alignment must be on the elements themselves."""
    from thads_analysis.reporting.report import ProvinceReport
    from thads_analysis.vocabulary import MET, MISSED

    report = ProvinceReport("36")
    page = report.scorecard().data
    # Nam Định meets the case rate (4.918 / 5.422 = 90,70% ≥ 73%, data/README.md) and misses others.
    met = re.search(r'<td class="status met" style="([^"]*)">', page).group(1)
    missed = re.search(r'<td class="status missed" style="([^"]*)">', page).group(1)
    assert f"background-color: {MET.colour}" in met and f"background-color: {MISSED.colour}" in missed
    assert re.search(r'<td class="num" style="[^"]*text-align: right', page)
    assert "<style" not in page and "!important" not in page
    header = report.header().data
    assert re.search(r'<div class="sample-banner" style="[^"]*background-color: #FFF3CD', header)


def test_a_run_does_not_compile_the_iri_grammar_and_leaves_it_importable_after():
    """jsonschema (loaded by nbformat) registers an "iri" format check only when rfc3987_syntax
    imports, and importing that compiles a grammar; ``thads`` keeps it out for the run. In a fresh
    interpreter, as on the command line: inside the block nbformat still validates a notebook and
    jsonschema has no "iri" check; after it the package imports again."""
    pytest.importorskip("rfc3987_syntax")
    script = textwrap.dedent("""
        from thads_analysis.cli import _without_iri_grammar
        with _without_iri_grammar():
            import jsonschema, nbformat
            nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]))
            print("iri" in jsonschema.FormatChecker().checkers)
        import rfc3987_syntax
        print(rfc3987_syntax.__name__)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "rfc3987_syntax"]


def test_the_batch_renders_its_own_pages_without_loading_the_charts():
    """The main process of a batch writes each page's print style, the index and the diff page
    with the templating environment alone: loading the charts (matplotlib, seaborn) there cost
    0,6 s on the way to the first page written. Checked in a fresh interpreter."""
    script = textwrap.dedent("""
        import sys
        from thads_analysis.batch import diff, outputs, run
        from thads_analysis.reporting.paged import with_print_style
        from thads_analysis.reporting.templating import ENV
        page = with_print_style('<html><head></head><body><div class="sample-fixed"></div></body></html>')
        ENV.get_template("index.html.j2")
        print("@page" in page, "matplotlib" in sys.modules, "seaborn" in sys.modules)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False", "False"]


def test_kernels_started_ahead_and_given_no_job_end_with_the_run(tmp_path):
    """Kernels started before the jobs are known (while the input is read) and then not needed are
    stopped when the run ends, even mid-start: no kernel process, socket file or folder is left."""
    import time

    import psutil

    from thads_analysis.batch.executors import LocalExecutor

    with LocalExecutor(2) as executor:
        executor.start_ahead()
        folder = Path(executor._ahead_folder)
        assert folder.is_dir() and not any(folder.iterdir())
        for _ in range(600):  # both kernel processes under way (at most a minute)
            kernels = [p for p in psutil.Process().children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
            if len(kernels) == 2:
                break
            time.sleep(0.1)
        assert len(kernels) == 2
        sockets = [manager.ip for manager in executor.kernels.started]
    assert not folder.exists()
    assert all(not p.is_running() or p.status() == psutil.STATUS_ZOMBIE for p in kernels)
    assert sockets and not [s for s in sockets for _ in Path(s).parent.glob(Path(s).name + "-*")]


def test_the_batch_leaves_the_garbage_collector_as_it_found_it():
    """The batch makes full collections rarer and freezes its imports' objects for the run only;
    objects a caller froze itself (a warm kernel running a batch) stay frozen."""
    import gc

    from thads_analysis.batch.run import _fewer_collections

    thresholds = gc.get_threshold()
    gc.freeze()
    frozen = gc.get_freeze_count()
    try:
        with _fewer_collections():
            assert gc.get_threshold()[0] == 50_000
        assert gc.get_freeze_count() == frozen and gc.get_threshold() == thresholds
    finally:
        gc.unfreeze()
    with _fewer_collections():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == thresholds
