"""Loading: input files → the validated canonical frame (schema.py), and the provinces set aside.

Each file is read in chunks (readers.py), its headers matched (headers.py: canonical names or
the Vietnamese form labels) and its cells turned into canonical rows (canonical.py: numbers
written the Vietnamese or the English way, money converted to đồng from the unit the file
states, two statements that disagree an error naming both); then the rules of schema.py run
on all files together. Every problem is a ``Problem`` naming file, row, province and column;
``read_data`` raises ``DataError`` with all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..i18n import N_, _
from ..paths import BUNDLE_ROOT
from . import schema
from .canonical import DEFAULT_ORIGIN, SOURCE_COLUMNS, lettered, to_canonical, typed_frame, typed_standing
from .headers import table_kind
from .readers import DATA_SUFFIXES, read_raw
from .schema import DataError, Problem
from .units import split_offices

__all__ = ["LoadResult", "load", "load_usable", "read_data", "read_dataset", "data_files", "display_name",
           "origin_of", "is_sample"]


@dataclass
class LoadResult:
    """The canonical frame of some files (None when any error), standing-target counts, every problem."""

    frame: pd.DataFrame | None
    problems: list[Problem]
    files: list[Path] = field(default_factory=list)
    standing: pd.DataFrame | None = None  # standing-target counts, when a file holds them
    unchecked: pd.DataFrame | None = None  # every readable row, before the rules ran
    unchecked_standing: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)  # what a batch snapshot says of its data (for the page)
    offices: pd.DataFrame | None = None  # rows of single offices (office_code), when files give them
    unchecked_offices: pd.DataFrame | None = None
    # file or sheet → canonical column → the column letter Excel shows (CSV files and sheets)
    column_letters: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        """Where the rows come from ("sample", or the origins found); "" without a frame."""
        return "" if self.frame is None else origin_of(self.frame)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


# ---------------------------------------------------------------- public API


def _canonical_parquet(path: Path) -> tuple[str, pd.DataFrame, list[str]] | None:
    """A parquet file already in canonical form (as the batch writes its inputs), read as is:
    (kind, frame, the notes the snapshot carries for the page), or None.

    Only typed columns are taken this way (codes of the 63 provinces, dates without a time
    zone, signed integer values, known measures and categories, a ``unit`` column saying đồng
    on every money row and việc on every cases row, the file and row each value came from);
    anything else goes through the cell-by-cell reader, where a money unit must be stated. The
    rules of ``schema.validate`` still run on it.
    """
    if Path(path).suffix.lower() not in {".parquet", ".pq"} or not Path(path).is_file():
        return None
    try:
        frame = pd.read_parquet(path)
    except Exception:  # not readable here: let read_raw report it
        return None
    from ..provinces import provinces

    kind = table_kind(set(frame.columns))
    keys = ["province_code", "period_end"] + (["measure", "category", "unit"] if kind == "report" else [])
    values = schema.REQUIRED_VALUES if kind == "report" else []
    needed = keys + values + SOURCE_COLUMNS + [schema.ORIGIN_COLUMN]
    if any(c not in frame.columns for c in needed):
        return None
    dates = frame["period_end"].dtype
    if not pd.api.types.is_datetime64_dtype(dates) or getattr(dates, "tz", None) is not None:
        return None
    numbers = [c for c in frame.columns if c in schema.VALUE_COLUMNS + schema.STANDING_COLUMNS]
    if not all(pd.api.types.is_signed_integer_dtype(frame[c]) for c in numbers):
        return None
    if frame[keys + values].isna().any().any():
        return None  # an empty required cell: the cell-by-cell reader names it
    if not frame["province_code"].astype(str).isin(set(provinces()["code"])).all():
        return None
    if kind == "report":
        canonical_unit = frame["measure"].map({"cases": "việc", "money": "đồng"})
        if not (frame["measure"].isin(schema.MEASURES).all() and frame["category"].isin(schema.CATEGORIES).all()
                and (frame["unit"] == canonical_unit).all()):
            return None
        frame = frame.drop(columns="unit")
    typed = typed_frame(frame) if kind == "report" else typed_standing(frame)
    return kind, typed, _snapshot_notes(path)


SNAPSHOT_NOTES = b"thads:notes"  # parquet metadata key of the notes a batch keeps with its inputs snapshot


def _snapshot_notes(path: Path) -> list[str]:
    """The notes a batch wrote into a snapshot's metadata (provinces set aside, say)."""
    import json

    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    try:
        notes = json.loads(metadata.get(SNAPSHOT_NOTES, b"[]").decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return []
    return [str(n) for n in notes] if isinstance(notes, list) else []


def data_files(paths) -> list[Path]:
    """Expand files and folders into the data files they hold (sorted; Office lock files, hidden
    files and folders whose name ends like a data file skipped). A path given by name is kept
    as it is, so that reading it says what is wrong with it."""
    found: list[Path] = []
    for item in [paths] if isinstance(paths, (str, Path)) else paths:
        path = Path(item)
        if path.is_dir():
            found += sorted(p for p in path.iterdir()
                            if p.suffix.lower() in DATA_SUFFIXES and not p.name.startswith(("~$", "."))
                            and p.is_file())
        else:
            found.append(path)
    return found


def _read_file(path: Path, money_unit: str | None, reports: list, standings: list,
               letters: dict[str, dict[str, str]]) -> list[Problem]:
    """Add the canonical rows of one file to ``reports`` / ``standings`` and the column letters of
    its form sheets to ``letters``; returns its problems."""
    snapshot = _canonical_parquet(path)
    if snapshot is not None:
        kind, frame, notes = snapshot
        (standings if kind == "standing" else reports).append(frame.assign(_unreadable=False))
        return [Problem(display_name(path), N_("note"), note, severity="note") for note in notes]
    display = display_name(path)
    problems: list[Problem] = []
    try:
        for raw in read_raw(path, display):
            kind, frame, found = to_canonical(raw, money_unit)
            if raw.column_letters:
                letters[raw.file] = raw.column_letters
            problems += found
            if len(frame):
                (standings if kind == "standing" else reports).append(frame)
    except DataError as exc:
        problems += exc.problems
    except PermissionError:
        problems.append(Problem(display, N_("unreadable file"), _("permission denied; check the file's permissions")))
    except OSError as exc:  # the file changed or vanished while it was read
        problems.append(Problem(display, N_("unreadable file"), _("cannot read the file: {error}").format(
            error=exc.strerror or exc)))
    return problems


def load(paths, money_unit: str | None = None) -> LoadResult:
    """Read files and folders together and validate them as one frame; never raises on bad data."""
    files = data_files(paths)
    problems: list[Problem] = []
    reports, standings, letters = [], [], {}
    if not files:
        shown = ", ".join(str(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths))
        return LoadResult(None, [Problem(shown, N_("no data files"), _("no .csv, .xlsx or .parquet file found"))],
                          files)
    for path in files:
        problems += _read_file(path, money_unit, reports, standings, letters)
    notes = list(dict.fromkeys(p.message for p in problems if p.severity == "note"))
    problems = [p for p in problems if p.severity != "note"]
    if not reports:
        if not any(p.severity == "error" for p in problems):
            problems.append(Problem(", ".join(map(str, files)), N_("empty file"),
                                    _("no data rows found under the header")))
        return LoadResult(None, lettered(problems, letters), files, column_letters=letters)
    frame = _readable(pd.concat(reports, ignore_index=True))
    frame, offices, found = split_offices(frame)
    problems += found
    frame, repeated = _drop_repeated_reports(frame)
    problems += repeated
    problems += schema.validate(frame)
    if offices is not None:
        problems += [p for p in schema.validate(offices, rows_only=True) if p.severity == "error"]
    if any(p.severity == "error" for p in problems):
        # Rows set aside for their errors would be reported again as missing: say it once.
        problems = [p for p in problems if p.rule != "missing rows"]
    standing = None
    if standings:
        standing = _readable(pd.concat(standings, ignore_index=True))
        problems += schema.validate_standing(standing)
    problems = lettered(problems, letters)
    ok = not any(p.severity == "error" for p in problems)
    return LoadResult(frame if ok else None, problems, files, standing if ok else None, frame, standing, notes,
                      offices if ok else None, offices, letters)


# ---------------------------------------------------------------- setting provinces aside


UNATTRIBUTED = "?"  # rows whose province is not known


def _problem_code(problem: Problem) -> str | None:
    """The province a problem sets aside: its code, UNATTRIBUTED for a row of no known province,
    None for a problem of a whole file (which stops everything)."""
    if problem.province:
        return problem.province.split(" ")[0]
    return UNATTRIBUTED if problem.row is not None else None


def load_usable(data, money_unit: str | None = None) -> tuple[LoadResult, dict[str, list[Problem]]]:
    """Load the data, setting aside provinces whose rows break a rule (and rows of no known province).

    Returns the result for the clean provinces (``frame`` set) and the problems of each
    province left out (key UNATTRIBUTED for rows whose province is unknown). A row that is set
    aside never gives a wrong number: the province lacks it, so what needs it is "no data".
    Problems that name no row (a missing column, an unreadable file) are fatal: the result
    then has no frame and every problem.
    """
    result = load(data, money_unit)
    if not result.errors:
        return result, {}
    if any(_problem_code(p) is None for p in result.errors) or result.unchecked is None:
        return result, {}
    bad: dict[str, list[Problem]] = {}
    for problem in result.errors:
        bad.setdefault(_problem_code(problem), []).append(problem)
    for _attempt in range(3):  # leaving provinces out can change cross-province checks (unit slips)
        frame = result.unchecked[~result.unchecked["province_code"].isin(list(bad))].reset_index(drop=True)
        problems = lettered(schema.validate(frame), result.column_letters)
        errors = [p for p in problems if p.severity == "error"]
        if not errors:
            break
        if any(_problem_code(p) in (None, UNATTRIBUTED) for p in errors):
            return LoadResult(None, result.problems + errors, result.files, column_letters=result.column_letters), {}
        for problem in errors:
            bad.setdefault(_problem_code(problem), []).append(problem)
    else:
        return LoadResult(None, result.problems, result.files, column_letters=result.column_letters), {}
    if frame.empty:
        return LoadResult(None, result.problems, result.files, column_letters=result.column_letters), {}
    standing = result.unchecked_standing
    if standing is not None:
        standing = standing[~standing["province_code"].isin(list(bad))].reset_index(drop=True)
    offices = result.unchecked_offices
    if offices is not None:
        offices = offices[~offices["province_code"].isin(list(bad))].reset_index(drop=True)
    warnings = [p for p in result.problems if p.severity == "warning"] + [
        p for p in problems if p.severity == "warning"]
    return LoadResult(frame, warnings, result.files, standing, notes=result.notes,
                      offices=offices if offices is not None and len(offices) else None,
                      column_letters=result.column_letters), bad


def set_aside_label(code: str) -> str:
    """"79 Hồ Chí Minh", or the words for rows of no known province."""
    if code == UNATTRIBUTED:
        return _("rows of no known province")
    from ..provinces import provinces

    reference = provinces().set_index("code")
    return f"{code} {reference.at[code, 'short_name']}" if code in reference.index else str(code)


def set_aside_lines(bad: dict[str, list[Problem]]) -> list[str]:
    """One line per province set aside, with its first problems (for the command line)."""
    lines = []
    for code, problems in sorted(bad.items()):
        first = "; ".join(str(p) for p in problems[:3])
        if len(problems) > 3:
            lines.append(_("{province}: rows break the rules: {problems} (+{count} more)").format(
                province=set_aside_label(code), problems=first, count=len(problems) - 3))
        else:
            lines.append(_("{province}: rows break the rules: {problems}").format(
                province=set_aside_label(code), problems=first))
    return lines


def set_aside_notes(bad: dict[str, list[Problem]]) -> list[str]:
    """What a reader of the reports must know about rows left out (Vietnamese, for the page)."""
    if not bad:
        return []
    from ..provinces import provinces

    reference = provinces().set_index("code")
    names = [reference.at[c, "short_name"] for c in sorted(bad) if c in reference.index]
    notes = []
    if names:
        notes.append(f"Số liệu của {', '.join(names)} vi phạm ràng buộc kiểm tra nên không được dùng: tỉnh đó "
                     "không có báo cáo, số liệu vùng và toàn quốc là tổng của các tỉnh còn lại.")
    if UNATTRIBUTED in bad:
        rows = {(p.file, p.row) for p in bad[UNATTRIBUTED]}
        notes.append(f"{len(rows)} dòng số liệu không xác định được tỉnh nên không được dùng.")
    return notes


def display_name(path: Path) -> str:
    """How a file is named in messages and reports: relative to the bundled files' root or the
    working directory when inside them, else by its name alone, so that no machine's folders are
    written into a report."""
    path = Path(path)
    for base in (BUNDLE_ROOT, Path.cwd()):
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return path.name


def _drop_repeated_reports(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Keep one copy of a report given identically by two files (a year-end file and the
    September monthly file, say); one warning per pair of files. Differing copies stay and
    are reported as duplicates by validation."""
    values = schema.KEYS + schema.VALUE_COLUMNS
    repeated = frame.duplicated(values, keep="first")
    if not repeated.any():
        return frame, []
    first = frame.groupby(values, sort=False, dropna=False, observed=True)["source_file"].transform("first")
    pairs = pd.DataFrame({"again": frame.loc[repeated, "source_file"], "first": first[repeated]})
    problems = [Problem(str(again), N_("repeated report"), _(
        "{count} rows repeat identical rows of {first}; each is used once").format(count=n, first=first),
                        severity="warning")
                for (again, first), n in pairs.value_counts(["again", "first"], sort=False).items()]
    return frame[~repeated].reset_index(drop=True), problems


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows without unreadable cells: those were reported already; the rules run on the others."""
    unreadable = frame.pop("_unreadable").fillna(False).astype(bool)
    return frame[~unreadable].reset_index(drop=True)


def read_data(paths, money_unit: str | None = None) -> pd.DataFrame:
    """The validated canonical frame of files and folders; raises DataError listing every problem.

    ``read_dataset`` gives the warnings too (e.g. a non-UTF-8 file).
    """
    return read_dataset(paths, money_unit).frame


def read_dataset(paths, money_unit: str | None = None) -> LoadResult:
    """Like ``read_data`` but returns the LoadResult: report frame, standing-target frame, warnings."""
    result = load(paths, money_unit)
    if result.errors:
        raise DataError(result.problems)
    return result


def origin_of(frame: pd.DataFrame) -> str:
    """'sample' when every row is sample data, else the origins found, joined."""
    values = sorted(frame[schema.ORIGIN_COLUMN].dropna().astype(str).unique())
    return ", ".join(values) if values else DEFAULT_ORIGIN


def is_sample(frame: pd.DataFrame) -> bool:
    """True when any row of the frame is synthetic sample data."""
    return bool((frame[schema.ORIGIN_COLUMN] == schema.SAMPLE_ORIGIN).any())
