"""Where the bundled files live, so paths work from any working directory and from an installed wheel.

Run from the source tree (or an editable install), ``data/`` and ``notebooks/`` sit beside the
package; an installed wheel carries them in ``thads_analysis/bundled/`` (pyproject.toml maps
them there). ``BUNDLE_ROOT`` is the folder that holds both.
"""

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
