"""Where the bundled files live, so paths work from any working directory and from an installed wheel.

Run from the source tree (or an editable install), ``data/`` and ``notebooks/`` sit beside the
package; an installed wheel carries them in ``thads_analysis/bundled/`` (pyproject.toml maps
them there). ``BUNDLE_ROOT`` is the folder that holds both.
"""

import os
import tempfile
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_SOURCE_TREE = PACKAGE_DIR.parent
_IN_SOURCE_TREE = (_SOURCE_TREE / "pyproject.toml").is_file() and (_SOURCE_TREE / "notebooks").is_dir()
BUNDLE_ROOT = _SOURCE_TREE if _IN_SOURCE_TREE else PACKAGE_DIR / "bundled"
DATA_DIR = BUNDLE_ROOT / "data"
NOTEBOOKS_DIR = BUNDLE_ROOT / "notebooks"
SAMPLE_DIR = DATA_DIR / "sample"
TARGETS_DIR = DATA_DIR / "targets"
TEMPLATES_DIR = DATA_DIR / "templates"
DEFAULT_TARGETS = TARGETS_DIR / "campaign_2017.csv"
PACKAGE_DATA = PACKAGE_DIR / "data"


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write ``content`` (text as UTF-8, or bytes) to ``path`` through a new temporary file beside it,
    then rename: a reader never sees half a file, an earlier file stays until the new one is
    complete, and a link planted at the temporary name is never followed (mkstemp creates a file
    that did not exist)."""
    path = Path(path)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content.encode("utf-8") if isinstance(content, str) else content)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; reports are meant to be shared
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
