"""What produced a report: the package version and commit, and the checksum of every input file.

Reports carry this record (in the page footer and the executed notebook's metadata) so that a
reviewer can tell which data, targets and code made a page, and whether two pages were made
from the same inputs.
"""

from __future__ import annotations

import functools
import hashlib
import json
import subprocess
from importlib import metadata
from pathlib import Path

from .paths import PACKAGE_DIR

# Written into an inputs snapshot beside the validated data: the original files and their checksums.
SOURCES_FILE = "sources.json"


def package_version() -> str:
    """The installed version of thads-analysis ("0.1.0"), or "không rõ" when it is not installed."""
    try:
        return metadata.version("thads-analysis")
    except metadata.PackageNotFoundError:
        return "không rõ"


@functools.cache  # the code a process runs does not change under it; git is asked once per process
def source_commit() -> str | None:
    """The git commit of the source tree the package runs from ("8e04446abcd1", with "+" when
    tracked files differ from it); None outside a git checkout, e.g. from an installed wheel."""
    root = PACKAGE_DIR.parent
    if not (root / ".git").exists():
        return None
    try:
        def git(*args: str) -> str:
            return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10,
                                  check=True).stdout.strip()

        head = git("rev-parse", "--short=12", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+" if changed else "")


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks (data files can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checksums(files: list[Path]) -> dict[str, str]:
    """File name → SHA-256 for the files read, plus the original files an inputs snapshot names in
    its ``sources.json`` (keyed "gốc: name"), so a report made from a snapshot still names its data."""
    found: dict[str, str] = {}
    for path in files:
        path = Path(path)
        if path.is_file():
            found[path.name] = file_sha256(path)
        sources = path.parent / SOURCES_FILE
        if sources.is_file():
            for name, digest in json.loads(sources.read_text(encoding="utf-8")).items():
                found[f"gốc: {name}"] = digest
    return found


def record(files: list[Path]) -> dict:
    """The provenance of a report made from ``files``: version, commit and input checksums."""
    return {"package": "thads-analysis", "version": package_version(), "commit": source_commit(),
            "inputs": checksums(files)}
