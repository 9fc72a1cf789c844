"""Sign-off of reports: who checked which page, and whether the page changed since.

``thads review FOLDER --approve --by NAME`` records in ``FOLDER/reviews.json``, for each report
approved, the reviewer, the time and the SHA-256 of the page and the notebook that were checked;
``thads review FOLDER`` lists every report as checked, changed since it was checked, or not
checked. The index shows the same in its column "Kiểm tra" (always in Vietnamese): written by the
batch, and brought up to date by ``thads review --approve`` in place.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..i18n import N_, _, using
from ..provenance import file_sha256
from .outputs import write_atomic

REVIEWS_FILE = "reviews.json"

# The states of a report's review: code → label (a message id: Vietnamese on the index, "Đã kiểm tra",
# and in the command line's language in ``thads review``).
REVIEWED, CHANGED, UNREVIEWED = "reviewed", "changed", "unreviewed"
LABELS = {REVIEWED: N_("Checked"), CHANGED: N_("Changed since it was checked"), UNREVIEWED: N_("Not checked")}


@dataclass(frozen=True)
class Review:
    """The review state of one report: its code, who checked it and when (dd/mm/yyyy), the note."""

    state: str
    by: str = ""
    day: str = ""
    note: str = ""

    @property
    def text(self) -> str:
        """"Checked: Trần Thị B, 05/10/2017" and the like, in the current language ("Đã kiểm tra: …")."""
        if self.state == UNREVIEWED:
            return _(LABELS[UNREVIEWED])
        return f"{_(LABELS[self.state])}: {self.by}, {self.day}" + (f" ({self.note})" if self.note else "")


def reports_in(folder: Path) -> list[str]:
    """The reports of a period folder: names of the pages that have both their .html and .ipynb."""
    return sorted(p.stem for p in folder.glob("*.html")
                  if p.name != "index.html" and not p.is_symlink() and p.with_suffix(".ipynb").is_file())


def read_reviews(folder: Path) -> dict:
    """The records of ``folder/reviews.json`` (report → by, at, note, sha256, notebook_sha256); {}
    when there is none. ValueError naming the file when it cannot be read."""
    path = folder / REVIEWS_FILE
    if not path.exists():
        return {}
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(_("{path}: cannot be read ({error}); move it away to start the reviews again").format(
            path=path, error=exc)) from None
    if not isinstance(records, dict) or not all(isinstance(r, dict) for r in records.values()):
        raise ValueError(_("{path}: not a record of reviews (report name → reviewer, date, checksums); move it "
                           "away to start the reviews again").format(path=path))
    return records


def states(folder: Path, records: dict | None = None) -> dict[str, Review]:
    """Report name → its review state, comparing the recorded checksums with the files now."""
    records = read_reviews(folder) if records is None else records
    found = {}
    for name in reports_in(folder):
        record = records.get(name)
        if record is None:
            found[name] = Review(UNREVIEWED)
            continue
        same = (record.get("sha256") == file_sha256(folder / f"{name}.html")
                and record.get("notebook_sha256") == file_sha256(folder / f"{name}.ipynb"))
        day = dt.datetime.fromisoformat(record["at"]).strftime("%d/%m/%Y") if record.get("at") else ""
        found[name] = Review(REVIEWED if same else CHANGED, str(record.get("by", "")), day, str(record.get("note", "")))
    return found


def approve(folder: Path, names: list[str], by: str, note: str = "") -> list[str]:
    """Record ``by`` as the reviewer of the reports ``names`` (all reports of ``folder`` when empty),
    with the checksums of their page and notebook now; returns the names approved. ValueError
    for an unknown report or an empty name."""
    by = by.strip()
    if not by:
        raise ValueError(_("--approve needs the reviewer's name: --by \"Họ và tên\""))
    present = reports_in(folder)
    unknown = [n for n in names if n not in present]
    if unknown:
        raise ValueError(_("no report {unknown} in {folder}; its reports are: {present}").format(
            unknown=", ".join(unknown), folder=folder, present=", ".join(present) or _("none")))
    chosen = names or present
    records = read_reviews(folder)
    at = dt.datetime.now().replace(microsecond=0).isoformat()
    for name in chosen:
        records[name] = {"by": by, "at": at, "note": note.strip(),
                         "sha256": file_sha256(folder / f"{name}.html"),
                         "notebook_sha256": file_sha256(folder / f"{name}.ipynb")}
    write_atomic(folder / REVIEWS_FILE, json.dumps(records, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    refresh_index(folder, states(folder, records))
    return chosen


def cell(name: str, review: Review, tag: str = "td") -> str:
    """The index element of a report's review state: a table cell (a span for the national overview),
    in Vietnamese whatever the command line's language."""
    with using("vi"):
        text = review.text
    return f'<{tag} data-review="{html.escape(name)}" class="review-{review.state}">{html.escape(text)}</{tag}>'


def refresh_index(folder: Path, found: dict[str, Review]) -> None:
    """Bring the review cells of ``folder/index.html`` up to date, leaving the rest as it is."""
    index = folder / "index.html"
    if not index.is_file() or index.is_symlink():
        return
    text = index.read_text(encoding="utf-8")
    for name, review in found.items():
        text = re.sub(rf'<(td|span) data-review="{re.escape(html.escape(name))}"[^>]*>.*?</\1>',
                      lambda found: cell(name, review, found.group(1)), text, flags=re.S)
    write_atomic(index, text)
