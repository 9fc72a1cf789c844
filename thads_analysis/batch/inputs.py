"""Inputs snapshots: the validated data and targets a period's reports were made from.

Each snapshot lives in ``<folder>/inputs/<checksum>/``, named by its content and never changed
after; each notebook names the snapshot it read, so a report can be re-run on exactly the
numbers it showed, and ``prune_inputs`` removes the snapshots no report names.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from ..ingest.io import SNAPSHOT_NOTES, LoadResult, data_files, display_name
from ..provenance import SOURCES_FILE, file_sha256
from .outputs import own_folder


def _digest(folder: Path) -> str:
    """A checksum of every file under ``folder`` (names and bytes), in hex."""
    h = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(file.relative_to(folder)).encode())
        h.update(hashlib.sha256(file.read_bytes()).digest())
    return h.hexdigest()


def write_inputs(result: LoadResult, targets: Path, campaign: Path, folder: Path,
                 notes: list[str] = ()) -> tuple[Path, Path, Path]:
    """Write the inputs snapshot of a report folder: the validated frame (and standing counts) as
    parquet, ``notes`` kept in its metadata, and copies of the targets and campaign files.

    Returns the data folder and the two copies. An earlier snapshot with the same content
    serves again; a failing run cannot leave an earlier report beside inputs that no longer
    reproduce it.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    inputs = own_folder(folder / "inputs", folder)
    tmp = Path(tempfile.mkdtemp(dir=inputs, prefix=".new-"))
    try:
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; reports are meant to be shared
        (tmp / "data").mkdir()
        # Canonical money is in đồng; the unit column says so to the reader.
        frame = result.frame.assign(unit=result.frame["measure"].map({"cases": "việc", "money": "đồng"}))
        table = pa.Table.from_pandas(frame, preserve_index=False)
        metadata = {**(table.schema.metadata or {}), SNAPSHOT_NOTES: json.dumps(list(notes), ensure_ascii=False).encode()}
        pq.write_table(table.replace_schema_metadata(metadata), tmp / "data" / "report.parquet")
        if result.standing is not None:
            result.standing.to_parquet(tmp / "data" / "standing.parquet", index=False)
        if result.offices is not None:
            # Read again with the province rows, the offices are checked against the totals once more.
            offices = result.offices.assign(unit=result.offices["measure"].map({"cases": "việc", "money": "đồng"}))
            offices.to_parquet(tmp / "data" / "offices.parquet", index=False)
        # The files the snapshot was validated from, by name and checksum (never this machine's folders).
        sources = {display_name(f): file_sha256(f) for f in result.files if Path(f).is_file()}
        (tmp / "data" / SOURCES_FILE).write_text(json.dumps(sources, ensure_ascii=False, indent=1, sort_keys=True),
                                                 encoding="utf-8")
        shutil.copyfile(targets, tmp / Path(targets).name)
        (tmp / "campaign").mkdir()  # its own folder: a campaign file may share the targets file's name
        shutil.copyfile(campaign, tmp / "campaign" / Path(campaign).name)
        final = inputs / _digest(tmp)[:16]
        if final.is_dir() and not final.is_symlink():
            shutil.rmtree(tmp)  # the same inputs as an earlier run: its snapshot serves
        else:
            if final.is_symlink() or final.exists():
                final.unlink()
            tmp.rename(final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final / "data", final / Path(targets).name, final / "campaign" / Path(campaign).name


def read_back(result: LoadResult, data_dir: Path) -> tuple[LoadResult, dict] | None:
    """What ``load_usable`` gives for the snapshot that ``write_inputs`` made of ``result`` in
    ``data_dir``, without reading and checking the same rows again: the same frames, the
    snapshot's files, no problem and no note (nothing was set aside). None when ``result`` has
    any problem, as not all of them come back from the snapshot: then read the snapshot itself."""
    if result.frame is None or result.problems:
        return None
    return LoadResult(result.frame, [], data_files([data_dir]), result.standing, offices=result.offices), {}


def _referenced_inputs(folder: Path) -> set[str]:
    """The entries of ``folder/inputs`` that the notebooks in ``folder`` were made from.

    Read from the parameters papermill records in each notebook's metadata, found by a pattern
    rather than by parsing every notebook (a month's 64 notebooks hold ~40 MB of figures).
    """
    pattern = re.compile(r'"(?:data_path|targets_path|campaign_path)": "inputs/([^/"\\]+)')
    names = set()
    for notebook in folder.glob("*.ipynb"):
        if notebook.is_symlink() or not notebook.is_file():  # a pipe named x.ipynb would block the read
            continue
        try:
            names.update(pattern.findall(notebook.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
    return names


def prune_inputs(folder: Path) -> None:
    """Remove the snapshots no report of ``folder`` names (an interrupted or failed run's, older
    ones replaced by newer reports). Links are removed, never followed."""
    inputs = folder / "inputs"
    if not inputs.is_dir() or inputs.is_symlink():
        return
    keep = _referenced_inputs(folder)
    for entry in inputs.iterdir():
        if entry.name in keep:
            continue
        if entry.is_symlink() or not entry.is_dir():
            entry.unlink(missing_ok=True)
        else:
            shutil.rmtree(entry, ignore_errors=True)
