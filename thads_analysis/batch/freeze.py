"""Incremental re-runs: a report is made again only when what it is made from changed.

A report's fingerprint is the checksum of the code that makes it (every file of the package and
the report's template), its parameters other than paths, and its own inputs: for a province
report the rows of that province (every period and category, the standing counts, the file and
row each came from), the targets and campaign files and the notes on provinces set aside; for
the national overview the whole inputs snapshot. The executed notebook records it in its
metadata ("thads" → "fingerprint"); a later run that finds the same fingerprint, and both files
of the report in place, keeps the report. The index and summary of a folder are kept the same
way (their fingerprint sits in a ``<meta>`` of index.html).

A province page also shows other provinces (national and regional rates, its ranks, the funnel);
a kept page shows them as they were in the inputs snapshot it names, and the index says which
pages those are (``earlier_snapshot``). ``thads report --force`` makes every page again.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..ingest.io import data_files, display_name
from ..paths import PACKAGE_DIR
from ..provenance import SOURCES_FILE, file_sha256
from .plan import NATIONAL_NAME, Job

_FINGERPRINT = re.compile(r'"fingerprint": "([0-9a-f]{64})"')
_SNAPSHOT = re.compile(r'"data_path": "inputs/([^/"\\]+)/')
_PATH_PARAMETERS = {"data_path", "targets_path", "campaign_path"}
_INDEX = re.compile(r'<meta name="thads-fingerprint" content="([0-9a-f]{64})">')


def code_digest() -> str:
    """The checksum of every file of the package (code, templates, bundled tables), read once per run."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _row_hashes(table: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row (of its values only: the same whichever rows are hashed with it)."""
    return pd.util.hash_pandas_object(table.reset_index(drop=True), index=False).to_numpy()


def _digest(columns, hashes: np.ndarray) -> str:
    return hashlib.sha256(" ".join(map(str, columns)).encode() + hashes.tobytes()).hexdigest()


def province_digests(frame: pd.DataFrame, standing: pd.DataFrame | None,
                     offices: pd.DataFrame | None = None) -> dict[str, str]:
    """Province code → checksum of its rows in the validated frame, in the standing counts and
    among the rows of single offices."""
    keys = [c for c in ("province_code", "period_end", "measure", "category") if c in frame.columns]
    frame = frame.sort_values(keys, kind="stable")
    # Each table hashed whole once and split by province (not 63 hashings of 63 filters).
    tables = [_by_province(frame)]
    if standing is not None and "province_code" in standing.columns:
        tables.append(_by_province(standing))
    if offices is not None:
        tables.append(_by_province(offices.sort_values(keys + ["office_code"], kind="stable")))
    digests = {}
    for code in tables[0][1]:
        own = [_digest(columns, hashes[positions.get(code, [])]) for columns, positions, hashes in tables]
        digests[str(code)] = hashlib.sha256("/".join(own).encode()).hexdigest()
    return digests


def _by_province(table: pd.DataFrame) -> tuple:
    """(the table's columns, province code → its rows' positions in order, every row's hash)."""
    positions = table.groupby("province_code", observed=True, sort=True).indices
    return table.columns, positions, _row_hashes(table)


def fingerprint(job: Job, code: str, own: str) -> str:
    """The fingerprint of ``job`` from the code digest, the job's template and parameters (paths
    left out: they name the snapshot, which ``own`` stands for) and its own inputs' checksum."""
    template = hashlib.sha256(Path(job.template).read_bytes()).hexdigest()
    parameters = {k: v for k, v in job.parameters.items() if k not in _PATH_PARAMETERS}
    text = json.dumps([code, template, parameters, own], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def own_inputs(job: Job, snapshot: str, provinces: dict[str, str], files: str, notes: list[str]) -> str:
    """The checksum of what ``job`` reads of its own: the whole snapshot for the national overview,
    otherwise its province's rows, the targets and campaign files (``files``) and the notes."""
    if job.name == NATIONAL_NAME or job.parameters.get("province") not in provinces:
        return snapshot
    return hashlib.sha256(json.dumps([provinces[job.parameters["province"]], files, list(notes)],
                                     ensure_ascii=False).encode()).hexdigest()


def recorded(stem: Path) -> tuple[str | None, str | None]:
    """The fingerprint and the inputs snapshot recorded in the report at ``stem`` (None, None when
    its notebook or page is missing or unreadable). Read by pattern, not by parsing the notebook."""
    notebook, page = stem.with_suffix(".ipynb"), stem.with_suffix(".html")
    if not (notebook.is_file() and page.is_file()) or notebook.is_symlink() or page.is_symlink():
        return None, None
    try:
        text = notebook.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None, None
    found, snapshot = _FINGERPRINT.search(text), _SNAPSHOT.search(text)
    return (found.group(1) if found else None), (snapshot.group(1) if snapshot else None)


def likely_unchanged(out: Path, data_paths: list[Path], targets: Path, campaign: Path) -> bool:
    """True when the newest report of some period's folder under ``out`` was made from exactly these
    data files (names and checksums, as its inputs snapshot records them), targets and campaign: a
    run again on the same files, which most likely keeps every report. Only a guess, made before
    the input is read, to decide whether kernels start meanwhile; nothing else depends on it.
    The input files are read for their checksums only when some report is there to compare with."""
    snapshots = []  # the inputs snapshot of the newest report of each folder
    try:
        folders = [f for f in Path(out).iterdir() if f.is_dir() and not f.is_symlink()] if Path(out).is_dir() else []
        for folder in folders:
            notebooks = [p for p in folder.glob("*.ipynb") if p.is_file() and not p.is_symlink()]
            if notebooks:
                _mark, snapshot = recorded(max(notebooks, key=lambda p: p.stat().st_mtime_ns).with_suffix(""))
                if snapshot is not None:
                    snapshots.append(folder / "inputs" / snapshot)
        if not snapshots:
            return False
        sources = {display_name(f): file_sha256(f) for f in data_files(data_paths) if Path(f).is_file()}
        wanted = (file_sha256(targets), file_sha256(campaign))
    except OSError:
        return False
    for inputs in snapshots:
        # Regular files only: a pipe planted in the output folder would block the read.
        listed = inputs / "data" / SOURCES_FILE
        copies = (inputs / Path(targets).name, inputs / "campaign" / Path(campaign).name)
        try:
            if not all(f.is_file() and not f.is_symlink() for f in (listed, *copies)):
                continue
            if json.loads(listed.read_text(encoding="utf-8")) == sources and wanted == tuple(map(file_sha256, copies)):
                return True
        except (OSError, ValueError):
            continue
    return False


def index_fingerprint(code: str, snapshot: str, contents: list) -> str:
    """The fingerprint of a folder's index and summary: the code, the whole snapshot and what else
    they show (``contents``: the reports there, those kept from an earlier snapshot, the failures)."""
    return hashlib.sha256(json.dumps([code, snapshot, contents], ensure_ascii=False).encode()).hexdigest()


def recorded_index(folder: Path) -> str | None:
    """The fingerprint in ``folder``'s index.html, when it and summary.csv are in place."""
    index, summary = folder / "index.html", folder / "summary.csv"
    if not (index.is_file() and summary.is_file()) or index.is_symlink() or summary.is_symlink():
        return None
    try:
        found = _INDEX.search(index.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    return found.group(1) if found else None
