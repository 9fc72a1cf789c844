"""A built wheel carries the notebooks, templates, catalogue and data, and works outside the source tree."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_installs_and_runs_from_another_directory(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, ROOT], check=True,
                   capture_output=True)
    (wheel,) = dist.glob("thads_analysis-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for bundled in ["thads_analysis/analysis/catalogue.yaml", "thads_analysis/reporting/templates/scorecard.html.j2",
                    "thads_analysis/data/provinces_2017.csv", "thads_analysis/bundled/notebooks/province_report.ipynb",
                    "thads_analysis/bundled/data/sample/thads_monthly_2017.csv",
                    "thads_analysis/bundled/data/targets/campaign_2017.csv",
                    "thads_analysis/bundled/data/targets/campaign_2017.yaml",
                    "thads_analysis/bundled/data/SOURCES.md", "thads_analysis/locale/vi/LC_MESSAGES/thads.po"]:
        assert bundled in names

    # A fresh environment with only the wheel of this package; its dependencies are borrowed from
    # the test environment (appended to sys.path after the wheel's own site-packages).
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", site, wheel],
                   check=True, capture_output=True)
    (site / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([python, "-c", "import thads_analysis.paths as p; print(p.__file__); print(p.BUNDLE_ROOT)"],
                           cwd=elsewhere, check=True, capture_output=True, text=True).stdout.split()
    assert all(Path(w).is_relative_to(site) for w in where), where  # the wheel's copy, not the source tree
    done = subprocess.run([python, "-m", "thads_analysis", "summary", "--province", "36"], cwd=elsewhere,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # Nam Định at 30/09/2017 on the bundled sample: 4.918 of 5.422 cases with conditions, 90,70%.
    assert "Cục THADS tỉnh Nam Định" in done.stdout and "90,70%" in done.stdout
    assert "Dữ liệu mẫu (mô phỏng)" in done.stdout
    # The catalogue travels with the wheel: an unknown province is refused in Vietnamese.
    unknown = subprocess.run([python, "-m", "thads_analysis", "summary", "--province", "Atlantis", "--lang", "vi"],
                             cwd=elsewhere, capture_output=True, text=True)
    assert unknown.returncode == 1 and unknown.stderr.startswith("lỗi: Không nhận ra tỉnh 'Atlantis'")
