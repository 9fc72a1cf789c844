"""Hostile runs of `thads report`: one province's data, failed runs, links, folders, Ctrl-C, injection.

A run of the batch never ends in a traceback, never writes or deletes outside --out, never
leaves a report beside inputs that do not reproduce it, and always finishes its index and
summary. Figures checked here are those of data/README.md ("Matched exactly": Nam Định 2017,
4.918 of 5.422 cases resolved) or worked from the test's own input file.
"""

from __future__ import annotations

import glob
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import break_year_end_row, small_sample

from thads_analysis import cli
from thads_analysis.batch import inputs, kernels, outputs, plan
from thads_analysis.ingest.spreadsheet import inert_cells
from thads_analysis.paths import NOTEBOOKS_DIR

THADS = str(Path(sys.executable).parent / "thads")


def run(capsys, *args) -> tuple[int, str, str]:
    code = cli.main(["report", *map(str, args), "--quiet"])
    out = capsys.readouterr()
    return code, out.out, out.err


def notebook_parameters(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["metadata"]["papermill"]["parameters"]


# ---------------------------------------------------------------- one province's data, every report


def zero_money_with_conditions(data: Path, code: str, period: str) -> None:
    """Province ``code`` has no money with conditions at ``period`` (all of it without): valid data."""
    monthly = data / "thads_monthly_2017.csv"
    frame = pd.read_csv(monthly, dtype=str, keep_default_na=False)
    rows = (frame.province_code == code) & (frame.period_end == period) & (frame.measure == "money")
    for i in frame.index[rows]:
        moved = int(frame.at[i, "with_conditions"])
        frame.at[i, "without_conditions"] = str(int(frame.at[i, "without_conditions"]) + moved)
        for column in ["with_conditions", "completed", "terminated", "in_progress", "postponed", "suspended",
                       "other", "reduced"]:
            frame.at[i, column] = "0"
    frame.to_csv(monthly, index=False)


def test_a_province_with_zero_or_missing_data_breaks_no_other_report(tmp_path, capsys):
    data = small_sample(tmp_path / "data", ["01", "36", "79"])
    zero_money_with_conditions(data, "36", "2017-09-30")
    for path in data.glob("*.csv"):  # 79 reports no money at all
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "measure" in frame:
            frame[~((frame.province_code == "79") & (frame.measure == "money"))].to_csv(path, index=False)
    code, out, err = run(capsys, "--all", "--data", data, "--out", tmp_path / "out", "--jobs", "2")
    assert code == 0, err
    folder = tmp_path / "out" / "2017-09-30"
    assert "2017-09-30: 4 report(s) made" in out
    assert sorted(p.name for p in folder.glob("*.html")) == [
        "00-toan-quoc.html", "01-ha-noi.html", "36-nam-dinh.html", "79-ho-chi-minh.html", "index.html"]
    summary = pd.read_csv(folder / "summary.csv", dtype={"province_code": str}).set_index("province_code")
    assert pd.isna(summary.at["36", "completion_rate_money"]) and pd.isna(summary.at["79", "completion_rate_money"])
    assert (summary.at["36", "status_money"], summary.at["36", "status_money_label"]) == ("no_data", "Không có số liệu")
    # Hà Nội's own case rate is untouched: resolved / with conditions of its 30/09/2017 row.
    row = pd.read_csv(data / "thads_monthly_2017.csv", dtype={"province_code": str}).query(
        "province_code == '01' and period_end == '2017-09-30' and measure == 'cases' and category == 'all'").iloc[0]
    expected = (row.completed + row.terminated) / row.with_conditions * 100
    assert summary.at["01", "completion_rate_cases"] == pytest.approx(expected)
    # The national money total would need 79: it is withheld, and the page says whose rows are missing.
    national = (folder / "00-toan-quoc.html").read_text(encoding="utf-8")
    assert "thiếu dòng số liệu của Hồ Chí Minh" in national
    assert "Số có điều kiện thi hành bằng 0" in (folder / "36-nam-dinh.html").read_text(encoding="utf-8")


def test_another_provinces_bad_rows_do_not_fail_a_province_report(tmp_path, capsys):
    data = small_sample(tmp_path / "data", ["01", "36", "79"])
    monthly = data / "thads_monthly_2017.csv"
    frame = pd.read_csv(monthly, dtype=str, keep_default_na=False)
    frame.loc[frame.index[frame.province_code == "79"][3], "new_accepted"] = "nhiều"
    extra = frame.iloc[[0]].assign(province_code="99", province_name="Atlantis")  # a row of no known province
    pd.concat([frame, extra]).to_csv(monthly, index=False)
    code, out, err = run(capsys, "--province", "01", "--data", data, "--out", tmp_path / "out")
    assert code == 0, err
    assert "2017-09-30: 1 report(s) made" in out
    assert "warning: set aside: 79 Hồ Chí Minh: rows break the rules" in err and "'nhiều'" in err
    assert "warning: set aside: rows of no known province" in err and "'99'" in err
    page = (tmp_path / "out" / "2017-09-30" / "01-ha-noi.html").read_text(encoding="utf-8")
    assert "Số liệu của Hồ Chí Minh vi phạm ràng buộc kiểm tra nên không được dùng" in page
    assert "1 dòng số liệu không xác định được tỉnh nên không được dùng" in page


def test_summary_of_a_province_beside_another_provinces_bad_rows(tmp_path, capsys):
    data = small_sample(tmp_path / "data", ["36", "79"])
    monthly = data / "thads_monthly_2017.csv"
    frame = pd.read_csv(monthly, dtype=str, keep_default_na=False)
    frame.loc[frame.index[frame.province_code == "79"][3], "new_accepted"] = "nhiều"
    frame.to_csv(monthly, index=False)
    assert cli.main(["summary", "--province", "36", "--data", str(data), "--format", "json"]) == 0
    out = capsys.readouterr()
    assert "warning: set aside: 79 Hồ Chí Minh" in out.err
    first = json.loads(out.out)[0]
    assert first["numerator"] == 4_918 and first["denominator"] == 5_422  # data/README.md
    # The province whose rows are set aside gets its problems, not a report.
    assert cli.main(["summary", "--province", "79", "--data", str(data)]) == 1
    assert "'nhiều' is not a number" in capsys.readouterr().err


# ---------------------------------------------------------------- a failed run keeps the good report's inputs


def failing_template(tmp_path: Path) -> Path:
    """A notebook with the report's parameters that fails after reading them."""
    template = tmp_path / "boom.ipynb"
    nb = nbformat.v4.new_notebook()
    parameters = 'province = "36"\nyear = 2017\nperiod_end = ""\ndata_path = ""\ntargets_path = ""\ncampaign_path = ""'
    nb.cells = [nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("raise ValueError('hỏng')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, template)
    return template


def test_a_failed_run_leaves_the_good_report_beside_its_own_inputs(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    data = small_sample(tmp_path / "data", ["01", "36"])
    assert run(capsys, "--province", "36", "--data", data, "--out", out)[0] == 0
    folder = out / "2017-09-30"
    good_html = (folder / "36-nam-dinh.html").read_bytes()
    snapshot = notebook_parameters(folder / "36-nam-dinh.ipynb")["data_path"]
    # Then new data, and a run whose notebook fails.
    monthly = data / "thads_monthly_2017.csv"
    frame = pd.read_csv(monthly, dtype=str, keep_default_na=False)
    frame[frame.province_code == "36"].to_csv(monthly, index=False)
    monkeypatch.setattr(plan, "PROVINCE_TEMPLATE", failing_template(tmp_path))
    code, printed, err = run(capsys, "--province", "36", "--data", data, "--out", out)
    assert code == 1 and "2017-09-30: 0 report(s) made" in printed and "hỏng" in err
    assert (folder / "36-nam-dinh.html").read_bytes() == good_html
    # The snapshot the good report names is still there, alone, and still holds its numbers.
    assert [p.name for p in (folder / "inputs").iterdir()] == [Path(snapshot).parts[1]]
    kept = pd.read_parquet(folder / snapshot / "report.parquet")
    nam_dinh = kept.query("province_code == '36' and measure == 'cases' and category == 'all'").sort_values("period_end")
    last = nam_dinh.iloc[-1]
    assert last.completed + last.terminated == 4_918 and last.with_conditions == 5_422  # data/README.md
    assert set(kept["province_code"]) == {"01", "36"}  # the first run's data, not the second's
    assert not [p for p in folder.rglob(".*")]


# ---------------------------------------------------------------- links and folders


def test_a_link_out_of_the_output_folder_is_refused_and_its_target_kept(tmp_path, capsys):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me", encoding="utf-8")
    folder = tmp_path / "out" / "2017-09-30"
    folder.mkdir(parents=True)
    (folder / "inputs").symlink_to(outside, target_is_directory=True)
    code, _, err = run(capsys, "--province", "36", "--out", tmp_path / "out")
    assert code == 1 and "inputs is a link to" in err and "outside the output folder" in err
    assert (outside / "precious.txt").read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in outside.iterdir()) == ["precious.txt"]
    # The period's folder itself as a link out: refused too.
    (folder / "inputs").unlink()
    folder.rmdir()
    folder.symlink_to(outside, target_is_directory=True)
    code, _, err = run(capsys, "--province", "36", "--out", tmp_path / "out")
    assert code == 1 and "2017-09-30 is a link to" in err
    assert sorted(p.name for p in outside.iterdir()) == ["precious.txt"]


def test_pruning_removes_links_in_the_snapshots_folder_never_their_targets(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me", encoding="utf-8")
    folder = tmp_path / "2017-09-30"
    (folder / "inputs").mkdir(parents=True)
    (folder / "inputs" / "planted").symlink_to(outside, target_is_directory=True)
    (folder / "inputs" / "stale").mkdir()
    inputs.prune_inputs(folder)
    assert list((folder / "inputs").iterdir()) == []
    assert (outside / "precious.txt").read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("setup, message", [
    ("file", "is a file, not a folder"),
    ("under-file", "is a file, so the folder cannot be created"),
])
def test_an_output_folder_that_cannot_hold_reports_is_refused(tmp_path, capsys, setup, message):
    (tmp_path / "x").write_text("", encoding="utf-8")
    out = tmp_path / "x" if setup == "file" else tmp_path / "x" / "reports"
    code, _, err = run(capsys, "--province", "36", "--out", out)
    assert code == 1 and message in err


def test_an_output_folder_without_write_permission_is_refused(tmp_path, capsys, monkeypatch):
    # Tests may run as root, for whom every folder is writable: the permission check is asked directly.
    monkeypatch.setattr(outputs.os, "access", lambda path, mode: False)
    code, _, err = run(capsys, "--province", "36", "--out", tmp_path / "ro")
    assert code == 1 and "is not writable" in err and not (tmp_path / "ro").exists()


def test_targets_that_are_a_folder_are_refused(tmp_path, capsys):
    code, _, err = run(capsys, "--province", "36", "--targets", tmp_path, "--out", tmp_path / "out")
    assert code == 1 and "[not a file] the targets must be one CSV file, not a folder" in err


@pytest.mark.parametrize("jobs", ["0", "-1", "many"])
def test_jobs_below_one_are_refused(capsys, jobs):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["report", "--province", "36", "--jobs", jobs])
    assert exit_.value.code == 2 and "--jobs" in capsys.readouterr().err


def test_jobs_above_the_cores_are_capped(capsys):
    cores = os.cpu_count()
    assert plan.job_count(1000) == cores and plan.job_count(None) == cores and plan.job_count(1) == 1
    code, _, err = run(capsys, "--province", "Atlantis", "--jobs", "1000")
    assert code == 1 and f"--jobs 1000 capped at {cores}" in err


def test_an_unreachable_scheduler_is_a_message_and_leaves_no_snapshot(tmp_path, capsys):
    out = tmp_path / "out"
    code, _, err = run(capsys, "--province", "36", "--scheduler", "tcp://127.0.0.1:9", "--out", out)
    assert code == 1 and "cannot reach the Dask scheduler tcp://127.0.0.1:9" in err
    assert list((out / "2017-09-30" / "inputs").iterdir()) == []


# ---------------------------------------------------------------- notebook parameters


def test_a_misspelt_notebook_parameter_is_refused_by_the_notebook(tmp_path):
    import papermill
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError, match=r"provinec \(did you mean province\?\)"):
        papermill.execute_notebook(str(NOTEBOOKS_DIR / "province_report.ipynb"), None,
                                   parameters={"provinec": "01"}, progress_bar=False, kernel_name="python3",
                                   kernel_manager_class=kernels.kernel_manager_class())


# ---------------------------------------------------------------- injection


def test_formula_text_from_inputs_is_inert_in_csv_output(tmp_path, capsys):
    targets = tmp_path / "t.csv"
    targets.write_text('scope,year,indicator,comparator,target,source\n'
                       'national,2017,completion_rate_cases,>=,73,"=HYPERLINK(""http://x"",""bấm"")"\n',
                       encoding="utf-8")
    assert cli.main(["summary", "--province", "36", "--targets", str(targets), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "'=HYPERLINK(" in out and ',=HYPERLINK(' not in out and ',"=HYPERLINK(' not in out
    cells = inert_cells(pd.DataFrame({"text": ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "Hà Nội"],
                                      "number": [-5, 1, 2, 3, 4, 5]}))
    assert cells["text"].tolist() == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\t=1", "Hà Nội"]
    assert cells["number"].tolist() == [-5, 1, 2, 3, 4, 5]


# ---------------------------------------------------------------- Ctrl-C


def test_ctrl_c_stops_within_seconds_and_leaves_nothing_behind(tmp_path):
    out = tmp_path / "out"
    folder = out / "2017-09-30"
    folder.mkdir(parents=True)
    (folder / "99-earlier.html").write_text("an earlier report", encoding="utf-8")
    sockets = set(glob.glob(os.path.join(tempfile.gettempdir(), "thads-kernel-*")))
    runtime = Path(subprocess.run([str(Path(sys.executable).parent / "jupyter"), "--runtime-dir"],
                                  capture_output=True, text=True).stdout.strip())
    connections = set(runtime.glob("kernel-*.json")) if runtime.is_dir() else set()
    process = subprocess.Popen([THADS, "report", "--all", "--out", str(out), "--quiet"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "MPLBACKEND": ""})
    deadline = time.time() + 120
    while not list(folder.glob("[0-9][0-9]-*.ipynb")) and time.time() < deadline:  # kernels are busy now
        time.sleep(0.2)
    assert process.poll() is None, "the batch ended before it could be interrupted"
    start = time.time()
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    elapsed = time.time() - start
    assert process.returncode == 130 and elapsed < 10, (elapsed, stderr)
    assert stderr.strip().splitlines() == ["interrupted: the reports already made and every earlier report are in "
                                           "place; nothing half-written"]
    assert (folder / "99-earlier.html").read_text(encoding="utf-8") == "an earlier report"
    assert not list(folder.rglob(".*")), "temporary files left"
    made = {notebook_parameters(nb)["data_path"].split("/")[1] for nb in folder.glob("*.ipynb")}
    assert {p.name for p in (folder / "inputs").iterdir()} == made
    time.sleep(1)
    assert set(glob.glob(os.path.join(tempfile.gettempdir(), "thads-kernel-*"))) == sockets
    assert (set(runtime.glob("kernel-*.json")) if runtime.is_dir() else set()) == connections
    left = subprocess.run(["pgrep", "-f", f"ipykernel_launcher.*{runtime}"], capture_output=True, text=True)
    assert left.stdout == ""


def test_a_second_run_into_the_same_folder_waits_its_turn(tmp_path, capsys):
    import filelock

    out = tmp_path / "out"
    out.mkdir()
    with filelock.FileLock(out / ".thads-report.lock", timeout=0):  # a run in progress
        code, _, err = run(capsys, "--province", "36", "--out", out)
    assert code == 1 and "another `thads report` is writing into" in err
    assert [p.name for p in out.iterdir()] == [".thads-report.lock"]


def test_a_pipe_in_the_output_folder_is_not_read(tmp_path):
    folder = tmp_path / "2017-09-30"
    (folder / "inputs" / "old").mkdir(parents=True)
    os.mkfifo(folder / "notes.ipynb")  # reading it would wait for a writer forever
    inputs.prune_inputs(folder)
    assert list((folder / "inputs").iterdir()) == []


# ---------------------------------------------------------------- several provinces per call


def test_several_provinces_in_one_call_each_once_in_the_order_given():
    from thads_analysis.batch.run import wanted_provinces

    assert [p.code for p in wanted_provinces(["36", "Hà Nội", "36"])] == ["36", "01"]
    # Tây Nguyên: Kon Tum 62, Gia Lai 64, Đắk Lắk 66, Đắk Nông 67, Lâm Đồng 68 (GSO regions, data/SOURCES.md)
    assert [p.code for p in wanted_provinces(region="tay nguyen")] == ["62", "64", "66", "67", "68"]
    with pytest.raises(ValueError, match="Unknown region"):
        wanted_provinces(region="Tây Bắc Bộ nhầm")


def test_repeated_province_options_make_every_report_and_name_the_absent_one(tmp_path, capsys):
    data = small_sample(tmp_path / "data", ["01", "36"])
    monthly = data / "thads_monthly_2017.csv"
    frame = pd.read_csv(monthly, dtype=str, keep_default_na=False)
    frame[~((frame.province_code == "01") & (frame.period_end == "2017-09-30"))].to_csv(monthly, index=False)
    out = tmp_path / "out"
    code, printed, err = run(capsys, "--province", "36", "--province", "Hà Nội", "92", "--data", data, "--out", out)
    # Nam Định made; Hà Nội lacks 30/09/2017 in this copy; Cần Thơ (92) is not in the file at all.
    assert code == 1 and "2017-09-30: 1 report(s) made" in printed
    assert sorted(p.name for p in (out / "2017-09-30").glob("*.html")) == ["36-nam-dinh.html"]
    assert "01 Hà Nội: no report at 30/09/2017, although the data hold its other months" in err
    assert "92 Cần Thơ: no report at 30/09/2017: the data hold nothing of it in statistical year 2017" in err


def test_of_several_provinces_one_set_aside_fails_alone(tmp_path, capsys):
    data = small_sample(tmp_path / "data", ["01", "36", "79"])
    break_year_end_row(data, "79")
    out = tmp_path / "out"
    code, printed, err = run(capsys, "--province", "36", "79", "--data", data, "--out", out)
    assert code == 1 and "2017-09-30: 1 report(s) made" in printed
    assert "1 report(s) failed" in err and "79 Hồ Chí Minh: rows break the rules" in err
    assert "no report at" not in err  # named once, for what it is
    # Hà Nội (01) was not asked for: nothing is said of it, and Nam Định's page is made.
    assert "01 Hà Nội" not in err and (out / "2017-09-30" / "36-nam-dinh.html").exists()


def test_a_range_of_periods_across_statistical_years(tmp_path, capsys):
    from thads_analysis.analysis.pipeline import prepare
    from thads_analysis.batch.run import periods_between

    frame = prepare().frame
    # The sample's periods: 30/09/2015, then every month end from 31/10/2015 to 30/09/2017 (data/README.md).
    chosen = periods_between(frame, None, "2016-08-31", "2016-11-30")
    assert [p.strftime("%d/%m/%Y") for p in chosen] == ["31/08/2016", "30/09/2016", "31/10/2016", "30/11/2016"]
    assert len(periods_between(frame, 2017, None, "2016-11-30")) == 2  # only statistical year 2017's
    with pytest.raises(ValueError, match="is before --from"):
        periods_between(frame, None, "2017-03-31", "2017-01-31")
    with pytest.raises(ValueError, match="no period from 01/01/2019 to the end in the data"):
        periods_between(frame, None, "2019-01-01", None)
    data = small_sample(tmp_path / "data", ["36"])
    out = tmp_path / "out"
    code, printed, _ = run(capsys, "--province", "36", "--from", "2016-09-30", "--to", "31/10/2016", "--data", data,
                           "--out", out)
    assert code == 0 and "2016-09-30: 1 report(s) made" in printed and "2016-10-31: 1 report(s) made" in printed
    year_end = notebook_parameters(out / "2016-09-30" / "36-nam-dinh.ipynb")
    assert (year_end["year"], year_end["period_end"]) == (2016, "2016-09-30")
    assert notebook_parameters(out / "2016-10-31" / "36-nam-dinh.ipynb")["year"] == 2017
    assert run(capsys, "--province", "36", "--from", "2016-09-30", "--period-end", "2016-09-30", "--out", out)[0] == 1
