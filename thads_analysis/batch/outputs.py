"""The output folder: its checks, atomic writes, the lock of a run, index.html and summary.csv."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pandas as pd

from ..i18n import _, using
from ..paths import write_atomic
from ..vocabulary import status_label


def check_output(out: Path) -> Path:
    """``out`` when reports can be written there (an existing writable folder, or one that can be
    created in a writable folder); ValueError saying why not. Nothing is created yet."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(_("--out {out} is a file, not a folder; choose a folder for the reports").format(out=out))
    existing = out
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise ValueError(_("--out {out}: {existing} is a file, so the folder cannot be created; choose another "
                           "--out").format(out=out, existing=existing))
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(_("--out {out}: the folder {existing} is not writable; choose another --out").format(
            out=out, existing=existing))
    return out


def _inside(path: Path, root: Path) -> bool:
    """True when ``path``, links resolved, lies in ``root`` (links resolved too)."""
    return os.path.realpath(path) == os.path.realpath(root) or \
        os.path.realpath(path).startswith(os.path.realpath(root) + os.sep)


def check_folder(path: Path, root: Path) -> None:
    """ValueError when ``path`` (a folder inside ``root``) is a link leading out of ``root`` or is not
    a folder: reports are never written, nor anything deleted, outside --out."""
    if path.is_symlink() and not _inside(path, root):
        raise ValueError(_("{path} is a link to {target}, outside the output folder {root}; remove the link or "
                           "choose another --out").format(path=path, target=os.path.realpath(path), root=root))
    if path.exists() and not path.is_dir():
        raise ValueError(_("{path} is a file where the reports need a folder; move it away or choose another "
                           "--out").format(path=path))


def own_folder(path: Path, root: Path) -> Path:
    """``path``, created if missing, after ``check_folder``."""
    check_folder(path, root)
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def output_lock(out: Path):
    """Hold the output folder for one run: two runs at once would each remove the other's new
    snapshot (inputs.prune_inputs) and could interleave their index and summary."""
    import filelock

    out.mkdir(parents=True, exist_ok=True)
    try:
        with filelock.FileLock(out / ".thads-report.lock", timeout=0):
            yield
    except filelock.Timeout:
        raise ValueError(_("another `thads report` is writing into {out}; wait until it ends or choose another "
                           "--out").format(out=out)) from None


def summary_table(analysis) -> pd.DataFrame:
    """One row per province: rates, targets, gaps, statuses, ranks; computed by the package. Its
    "report" column is empty until ``link_reports``."""
    from ..analysis.pipeline import scorecard

    table = analysis.emulation()
    extra = []
    for code in table["province_code"]:
        card = scorecard(analysis, code).set_index("indicator")
        row = {"province_code": code}
        for indicator in ["completion_rate_cases", "completion_rate_money",
                          "carry_forward_with_conditions_change_cases", "carry_forward_with_conditions_change_money"]:
            row[f"{indicator}_target"] = card.at[indicator, "target"]
            row[f"{indicator}_gap"] = card.at[indicator, "gap"]
            row[f"{indicator}_status"] = card.at[indicator, "status"]
            row[f"{indicator}_status_label"] = card.at[indicator, "status_label"]
        extra.append(row)
    table = table.merge(pd.DataFrame(extra), on="province_code")
    for measure in ("cases", "money"):
        table.insert(table.columns.get_loc(f"status_{measure}") + 1, f"status_{measure}_label",
                     table[f"status_{measure}"].map(status_label))
    table.insert(1, "period_end", analysis.period_end.date().isoformat())
    table["report"] = ""
    return table


def link_reports(summary: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """``summary`` with its "report" column naming the page of each province in ``names`` (code →
    file name without suffix), empty for the others."""
    return summary.assign(report=summary["province_code"].map(lambda c: f"{names[c]}.html" if c in names else ""))


CSV_DIALECTS = ("plain", "excel-vi")

# Vietnamese headers of summary.csv's own columns; the indicators' come from the catalogue.
_SUMMARY_HEADERS = {
    "province_code": "Mã tỉnh", "period_end": "Số liệu đến ngày", "province": "Tỉnh", "region": "Vùng",
    "targets_met": "Số chỉ tiêu đạt", "targets_with_data": "Số chỉ tiêu có số liệu",
    "targets_at_risk": "Số chỉ tiêu có nguy cơ không đạt", "status_cases_label": "Đánh giá về việc",
    "status_money_label": "Đánh giá về tiền", "rank_national": "Xếp hạng thi đua toàn quốc",
    "rank_region": "Xếp hạng thi đua trong vùng", "report": "Báo cáo"}
_INDICATOR_PARTS = {"": "", "_target": ": chỉ tiêu", "_gap": ": chênh lệch so với chỉ tiêu",
                    "_status_label": ": đánh giá"}


def csv_text(frame: pd.DataFrame, dialect: str = "plain") -> str:
    """A table as CSV text, with any text cell that a spreadsheet would run as a formula made inert.

    ``plain``: UTF-8, commas, the column names and full-precision numbers, for programs.
    ``excel-vi``: what Excel on a Vietnamese Windows opens as it is (``excel_vi``): a UTF-8 byte
    order mark, semicolons, Vietnamese headers, numbers rounded as the reports show them with a
    decimal comma, dates dd/mm/yyyy.
    """
    from ..ingest.spreadsheet import inert_cells

    if dialect == "excel-vi":
        # Inert first: a negative number written "-9,04" is a number to Excel, not a formula.
        return "\ufeff" + excel_vi(inert_cells(frame)).to_csv(index=False, sep=";")
    if dialect != "plain":
        raise ValueError(_("CSV dialect {dialect!r}: choose one of {dialects}").format(
            dialect=dialect, dialects=", ".join(CSV_DIALECTS)))
    return inert_cells(frame).to_csv(index=False)


def excel_vi(summary: pd.DataFrame) -> pd.DataFrame:
    """``summary_table`` as the Vietnamese table of summary.csv's excel-vi dialect: status codes
    left out (their labels stay), rates and gaps rounded to 2 decimals as text with a decimal
    comma ("82,23"), the date written 30/09/2017."""
    from ..analysis.catalogue import INDICATORS
    from ..numbers import format_number

    headers = dict(_SUMMARY_HEADERS)
    for column in summary.columns:
        for suffix, words in _INDICATOR_PARTS.items():
            indicator = column[: len(column) - len(suffix)] if suffix else column
            if column.endswith(suffix) and indicator in INDICATORS:
                unit = INDICATORS[indicator].unit
                unit = "" if suffix == "_status_label" else " (điểm %)" if suffix == "_gap" and unit == "%" else f" ({unit})"
                headers[column] = f"{INDICATORS[indicator].label}{words}{unit}"
    table = summary[[c for c in summary.columns if c in headers]].copy()
    for column in table.columns:
        if pd.api.types.is_float_dtype(table[column]):
            table[column] = table[column].map(lambda v: "" if pd.isna(v) else format_number(v, 2))
    table["period_end"] = pd.to_datetime(table["period_end"]).dt.strftime("%d/%m/%Y")
    return table.rename(columns=headers)


def write_index(folder: Path, summary: pd.DataFrame, analysis, failures: list, national_name: str | None,
                earlier: set[str] = frozenset(), fingerprint: str = "") -> Path:
    """index.html: a sortable table of all provinces with status and links (jinja2, autoescaped);
    ``national_name`` is the national overview's file name when it was made; ``earlier`` the
    provinces whose page was kept from a run on an earlier inputs snapshot; ``fingerprint`` what
    it was made from (batch.freeze). Each report's review state (batch.review) is shown beside it.
    The page is Vietnamese whatever the command line's language: it is rendered in Vietnamese, and
    so are the failures it lists (``plan.Failure``) and the review states."""
    from markupsafe import Markup

    from ..ingest.schema import SAMPLE_MARK
    from ..reporting.templating import ENV
    from .review import cell, states

    found = states(folder)  # a broken reviews.json is said in the command line's language
    with using("vi"):
        html = ENV.get_template("index.html.j2").render(
            rows=summary.to_dict("records"), period=analysis.period_end.strftime("%d/%m/%Y"), year=analysis.year,
            is_sample=analysis.is_sample, mark=SAMPLE_MARK, failures=failures, national_name=national_name,
            partial=analysis.coverage.partial(), earlier=earlier, fingerprint=fingerprint,
            reviews={name: Markup(cell(name, review, "span" if name == national_name else "td"))
                     for name, review in found.items()})
    path = folder / "index.html"
    write_atomic(path, html)
    return path
