"""Where the bundled files live, so paths work from any working directory."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "data"
SAMPLE_DIR = DATA_DIR / "sample"
TARGETS_DIR = DATA_DIR / "targets"
TEMPLATES_DIR = DATA_DIR / "templates"
DEFAULT_TARGETS = TARGETS_DIR / "campaign_2017.csv"
PACKAGE_DATA = Path(__file__).resolve().parent / "data"
