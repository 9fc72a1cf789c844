"""Small hand-made data files for reader and validation tests."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

HEADER = ["province_code", "period_end", "measure", "category", "unit", "carried_over", "new_accepted",
          "total_accepted", "entrusted_out", "to_execute", "with_conditions", "without_conditions",
          "completed", "terminated"]
# One consistent report, worked by hand: 1000 + 2000 = 3000; 3000 − 10 = 2990 = 2500 + 490; 1800 + 50 ≤ 2500.
CASES = [1000, 2000, 3000, 10, 2990, 2500, 490, 1800, 50]
# Money in đồng: 1 tỷ + 2 tỷ = 3 tỷ; 3 tỷ − 0 = 3 tỷ = 2 tỷ + 1 tỷ; 0,5 tỷ ≤ 2 tỷ.
MONEY = [1_000_000_000, 2_000_000_000, 3_000_000_000, 0, 3_000_000_000, 2_000_000_000, 1_000_000_000, 500_000_000, 0]
CODES = ["01", "24", "36", "46", "79", "92"]


def good_rows(period: str = "2017-04-30") -> list[list]:
    """Six provinces × cases and money, every identity holding."""
    rows = []
    for code in CODES:
        rows.append([code, period, "cases", "all", "việc", *CASES])
        rows.append([code, period, "money", "all", "đồng", *MONEY])
    return rows


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    """Tests read the English messages (the catalogue's message ids) unless they choose Vietnamese
    with ``i18n.using("vi")`` or ``--lang vi``; the command line run in-process reads THADS_LANG.
    Report pages stay Vietnamese: kernels do not read the variable."""
    from thads_analysis import i18n

    monkeypatch.setenv("THADS_LANG", "en")
    with i18n.speaking("en"):
        yield


def write_csv(path: Path, rows: list[list], header: list[str] = HEADER, encoding: str = "utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def good_csv(tmp_path) -> Path:
    return write_csv(tmp_path / "good.csv", good_rows())


def small_sample(folder: Path, codes: list[str], offices: bool = False) -> Path:
    """The bundled sample restricted to a few provinces (same files, fewer rows).

    The office file is copied only with ``offices=True``: the tests edit, drop or move province
    rows by hand, and beside the offices each such edit would be read differently (a total that no
    longer matches its offices, or a dropped total made again from its offices).
    """
    import pandas as pd

    from thads_analysis.paths import SAMPLE_DIR
    from thads_analysis.sample.offices import OFFICE_FILE

    folder.mkdir(parents=True, exist_ok=True)
    for path in SAMPLE_DIR.glob("*.csv"):
        if path.name == OFFICE_FILE and not offices:
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame[frame["province_code"].isin(codes)].to_csv(folder / path.name, index=False)
    return folder


def dying_and_good_jobs(folder: Path, code: str, label: str) -> list:
    """Two report jobs into ``folder``: a one-cell notebook running ``code`` (which kills something),
    labelled ``label``, then Nam Định's report."""
    import nbformat

    from thads_analysis.batch.plan import Job
    from thads_analysis.paths import NOTEBOOKS_DIR

    dying = folder.parent / "dying.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, dying)
    folder.mkdir()
    return [Job("dies", label, dying, {}, folder / "dies"),
            Job("36-nam-dinh", "36 Nam Định", NOTEBOOKS_DIR / "province_report.ipynb", {"province": "36"},
                folder / "36-nam-dinh")]


def break_year_end_row(folder: Path, code: str, origin: str | None = None) -> None:
    """Make the 30/09/2017 cases row of province ``code`` break a rule (7 more completed than its
    with_conditions' parts allow), optionally with ``origin`` text, in the sample copy ``folder``."""
    import pandas as pd

    monthly = folder / "thads_monthly_2017.csv"
    frame = pd.read_csv(monthly, dtype=str, keep_default_na=False)
    row = frame.index[(frame.province_code == code) & (frame.period_end == "2017-09-30")
                      & (frame.measure == "cases") & (frame.category == "all")][0]
    frame.loc[row, "completed"] = str(int(frame.loc[row, "completed"]) + 7)
    if origin is not None:
        frame.loc[row, "origin"] = origin
    frame.to_csv(monthly, index=False)
