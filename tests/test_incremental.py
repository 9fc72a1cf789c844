"""Incremental re-runs: a month run again makes only the reports whose own inputs, parameters or
code changed; --force makes them all; the index names the pages kept from an earlier snapshot."""

from __future__ import annotations

import pandas as pd
from conftest import small_sample

from thads_analysis import cli

CODES = ["01", "35", "36"]
PAGES = ["00-toan-quoc", "01-ha-noi", "35-ha-nam", "36-nam-dinh"]


def stamps(folder) -> dict[str, int]:
    """Report page → the modification time of its notebook (ns): a report made again gets a new one."""
    return {name: (folder / f"{name}.ipynb").stat().st_mtime_ns for name in PAGES}


def report(capsys, data, out, *extra) -> str:
    code = cli.main(["report", "--all", "--data", str(data), "--out", str(out), "--quiet", *extra])
    printed = capsys.readouterr().out
    assert code == 0, printed
    return printed


def test_a_month_run_again_makes_only_what_changed(tmp_path, capsys):
    data = small_sample(tmp_path / "data", CODES)
    out = tmp_path / "out"
    folder = out / "2017-09-30"
    assert "4 report(s) made" in report(capsys, data, out)
    first = stamps(folder)

    # Nothing changed: nothing is made again, the index and summary are written again.
    printed = report(capsys, data, out)
    assert "0 report(s) made, 4 kept unchanged" in printed
    assert stamps(folder) == first

    # One row of Nam Định corrected: its report and the national overview are made again.
    monthly = data / "thads_monthly_2017.csv"
    frame = pd.read_csv(monthly, dtype=str, keep_default_na=False)
    row = frame.index[(frame.province_code == "36") & (frame.period_end == "2017-09-30") & (frame.measure == "cases")
                      & (frame.category == "all")][0]
    frame.loc[row, "completed"] = str(int(frame.loc[row, "completed"]) + 1)
    frame.loc[row, "in_progress"] = str(int(frame.loc[row, "in_progress"]) - 1)  # one case finished
    frame.to_csv(monthly, index=False)
    printed = report(capsys, data, out)
    assert "2 report(s) made, 2 kept unchanged" in printed
    second = stamps(folder)
    assert [name for name in PAGES if second[name] != first[name]] == ["00-toan-quoc", "36-nam-dinh"]
    # The kept pages still name the snapshot they were made from, which stays; the index says so.
    snapshots = {p.name for p in (folder / "inputs").iterdir()}
    assert len(snapshots) == 2
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert index.count("giữ từ lần chạy trước") == 2 + 1  # the two rows and the legend
    summary = pd.read_csv(folder / "summary.csv", dtype=str)
    assert sorted(summary["report"]) == [f"{name}.html" for name in PAGES[1:]]  # kept pages are linked too

    # --force makes every report again, all from the one current snapshot.
    assert "4 report(s) made" in report(capsys, data, out, "--force")
    assert all(stamps(folder)[name] != second[name] for name in PAGES)
    assert len(list((folder / "inputs").iterdir())) == 1
    assert "giữ từ lần chạy trước" not in (folder / "index.html").read_text(encoding="utf-8")

    # A page deleted by hand is made again, alone.
    (folder / "35-ha-nam.html").unlink()
    third = stamps(folder)
    assert "1 report(s) made, 3 kept unchanged" in report(capsys, data, out)
    assert (folder / "35-ha-nam.html").is_file()
    assert [name for name in PAGES if stamps(folder)[name] != third[name]] == ["35-ha-nam"]


def test_a_changed_targets_file_or_code_makes_every_report_again(tmp_path, capsys, monkeypatch):
    from thads_analysis.batch import freeze
    from thads_analysis.paths import DEFAULT_TARGETS

    data = small_sample(tmp_path / "data", ["36"])
    out = tmp_path / "out"
    targets = tmp_path / "targets.csv"
    targets.write_bytes(DEFAULT_TARGETS.read_bytes())
    cli.main(["report", "--province", "36", "--data", str(data), "--targets", str(targets), "--out", str(out),
              "--quiet"])
    assert "1 report(s) made" in capsys.readouterr().out

    targets.write_text(targets.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # a byte more
    cli.main(["report", "--province", "36", "--data", str(data), "--targets", str(targets), "--out", str(out),
              "--quiet"])
    assert "1 report(s) made" in capsys.readouterr().out

    monkeypatch.setattr(freeze, "code_digest", lambda: "another version of the package")
    cli.main(["report", "--province", "36", "--data", str(data), "--targets", str(targets), "--out", str(out),
              "--quiet"])
    assert "1 report(s) made" in capsys.readouterr().out


def test_kernels_start_while_the_input_is_read_unless_the_newest_reports_were_made_from_these_files(
        tmp_path, capsys, monkeypatch):
    """A run on files other than those the newest reports in the output were made from starts its
    kernels before reading them; a run again on those very files (most likely keeping every
    report) starts none ahead, unless --force. A correction taken back is new again: the newest
    reports were made from the corrected files, though the first snapshot is still there."""
    from thads_analysis.analysis.campaign import DEFAULT_CAMPAIGN
    from thads_analysis.batch.executors import LocalExecutor
    from thads_analysis.batch.freeze import likely_unchanged
    from thads_analysis.paths import DEFAULT_TARGETS

    starts = []
    start_ahead = LocalExecutor.start_ahead
    monkeypatch.setattr(LocalExecutor, "start_ahead", lambda self: starts.append(self.workers) or start_ahead(self))
    data = small_sample(tmp_path / "data", ["01", "36"])
    out = tmp_path / "out"
    assert not likely_unchanged(out, [data], DEFAULT_TARGETS, DEFAULT_CAMPAIGN)
    assert "3 report(s) made" in report(capsys, data, out, "--jobs", "2")
    assert starts == [2]
    assert likely_unchanged(out, [data], DEFAULT_TARGETS, DEFAULT_CAMPAIGN)
    assert not likely_unchanged(tmp_path / "elsewhere", [data], DEFAULT_TARGETS, DEFAULT_CAMPAIGN)
    targets = tmp_path / "targets.csv"
    targets.write_bytes(DEFAULT_TARGETS.read_bytes() + b"\n")
    assert not likely_unchanged(out, [data], targets, DEFAULT_CAMPAIGN)

    assert "0 report(s) made, 3 kept unchanged" in report(capsys, data, out, "--jobs", "2")
    assert starts == [2]  # none started
    monthly = data / "thads_monthly_2017.csv"
    original = monthly.read_bytes()
    frame = pd.read_csv(monthly, dtype=str, keep_default_na=False)
    row = frame.index[(frame.province_code == "36") & (frame.period_end == "2017-09-30") & (frame.measure == "cases")
                      & (frame.category == "all")][0]
    frame.loc[row, "completed"] = str(int(frame.loc[row, "completed"]) + 1)
    frame.loc[row, "in_progress"] = str(int(frame.loc[row, "in_progress"]) - 1)
    frame.to_csv(monthly, index=False)
    assert "2 report(s) made, 1 kept unchanged" in report(capsys, data, out, "--jobs", "2")
    assert starts == [2, 2]
    monthly.write_bytes(original)  # the correction taken back
    assert not likely_unchanged(out, [data], DEFAULT_TARGETS, DEFAULT_CAMPAIGN)
    assert "2 report(s) made, 1 kept unchanged" in report(capsys, data, out, "--jobs", "2")
    assert starts == [2, 2, 2]
    assert "0 report(s) made" in report(capsys, data, out, "--jobs", "2")
    assert starts == [2, 2, 2]
    assert "3 report(s) made" in report(capsys, data, out, "--jobs", "2", "--force")
    assert starts == [2, 2, 2, 2]
    # One province asked for: one kernel, however many jobs are allowed.
    assert cli.main(["report", "--province", "36", "--data", str(data), "--out", str(tmp_path / "one"), "--quiet",
                     "--jobs", "2"]) == 0
    assert "1 report(s) made" in capsys.readouterr().out
    assert starts == [2, 2, 2, 2, 1]
