"""Benchmark of the batch reports: plain papermill loop vs `thads report --all` vs no notebooks at all.

    python bench/bench.py [--provinces K] [--repeats R] [--baseline-repeats B]
    python bench/bench.py --all-periods [--provinces K]

All three variants make the same reports from the same inputs (the bundled sample, or its
first K provinces) and the national overview:

- baseline: what a user would script: for each report the `papermill` command, then
  `jupyter nbconvert --to html --no-input`, one after another;
- thads:    `thads report --all` with its defaults;
- floor:    the same report sections (numbers, charts as PNG, HTML) called from plain Python
            worker processes, as many as thads uses, with no kernel and no notebook.

Prints medians of the repeated runs, seconds per report, the peak memory of the whole
process tree, and the ratios baseline/thads and thads/floor.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing import get_context
from pathlib import Path

import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SAMPLE = ROOT / "data" / "sample"


class PeakMemory:
    """Samples the resident memory of this process and all its children every 0,1 s.

    ``peak`` is the largest total seen; ``samples`` holds (seconds since start, total bytes).
    """

    def __enter__(self):
        self.peak = 0
        self.samples = []
        self._start = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self.samples.append((time.perf_counter() - self._start, total))
            time.sleep(0.1)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def subset(folder: Path, k: int) -> list[str]:
    """Copy the sample restricted to its first ``k`` provinces into ``folder``; return their codes."""
    folder.mkdir(parents=True)
    codes = sorted(pd.read_csv(SAMPLE / "thads_monthly_2017.csv", dtype={"province_code": str})["province_code"].unique())[:k]
    for path in SAMPLE.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame[frame["province_code"].isin(codes)].to_csv(folder / path.name, index=False)
    return codes


def run(cmd: list[str], cwd: Path) -> None:
    env = {**os.environ, "MPLBACKEND": ""}
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def baseline(data: Path, codes: list[str], out: Path) -> None:
    out.mkdir(parents=True)
    jobs = [("national_overview.ipynb", "00-toan-quoc", [])] + [
        ("province_report.ipynb", code, ["-r", "province", code]) for code in codes]
    for template, name, params in jobs:
        target = out / f"{name}.ipynb"
        run([str(BIN / "papermill"), str(ROOT / "notebooks" / template), str(target), "-r", "data_path", str(data),
             *params, "--no-progress-bar"], ROOT)
        run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(target)], ROOT)


def thads(data: Path, codes: list[str], out: Path) -> None:
    run([str(BIN / "thads"), "report", "--all", "--data", str(data), "--out", str(out), "--quiet"], ROOT)


def sections(template: str) -> list[str]:
    """The ``report.<section>()`` calls of a notebook template, in order: the floor draws the same."""
    notebook = json.loads((ROOT / "notebooks" / template).read_text(encoding="utf-8"))
    code = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
    return re.findall(r"\breport\.(\w+)\(\)", code)


PROVINCE_SECTIONS = sections("province_report.ipynb")
NATIONAL_SECTIONS = sections("national_overview.ipynb")


_ANALYSES = None  # one cache of analyses per floor worker process, as each warm kernel keeps one


def _floor_report(args) -> None:
    """One report without a notebook: the same sections, PNGs embedded in one HTML file."""
    global _ANALYSES
    import matplotlib

    matplotlib.use("Agg")
    from thads_analysis.analysis.pipeline import AnalysisCache
    from thads_analysis.reporting import charts
    from thads_analysis.reporting.report import NationalReport, ProvinceReport

    code, data, out = args
    _ANALYSES = _ANALYSES or AnalysisCache()
    report = (NationalReport(2017, "", str(data), "", analyses=_ANALYSES) if code is None
              else ProvinceReport(code, 2017, "", str(data), "", analyses=_ANALYSES))
    parts = []
    for name in NATIONAL_SECTIONS if code is None else PROVINCE_SECTIONS:
        shown = getattr(report, name)()
        if hasattr(shown, "savefig"):
            png = base64.b64encode(charts.to_png(shown)).decode()
            parts.append(f'<img src="data:image/png;base64,{png}">')
        else:
            parts.append(shown.data)
    name = "00-toan-quoc" if code is None else code
    Path(out, f"{name}.html").write_text("<html><body>" + "\n".join(parts) + "</body></html>", encoding="utf-8")


def floor(data: Path, codes: list[str], out: Path, workers: int) -> None:
    out.mkdir(parents=True)
    with get_context("spawn").Pool(workers) as pool:
        pool.map(_floor_report, [(None, data, out)] + [(c, data, out) for c in codes], chunksize=1)


def measure(name: str, func, repeats: int) -> dict:
    times, peaks = [], []
    for i in range(repeats):
        out = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
        shutil.rmtree(out)
        with PeakMemory() as memory:
            start = time.perf_counter()
            func(out)
            times.append(time.perf_counter() - start)
        peaks.append(memory.peak)
        shutil.rmtree(out, ignore_errors=True)
        print(f"  {name} run {i + 1}/{repeats}: {times[-1]:.1f} s", flush=True)
    return {"median_s": statistics.median(times), "runs": times, "peak_mb": max(peaks) / 2**20}


def all_periods(data: Path) -> int:
    """One `thads report --all --all-periods` run (every month of the year): time and memory over the run."""
    out = Path(tempfile.mkdtemp(prefix="bench-periods-"))
    shutil.rmtree(out)
    with PeakMemory() as memory:
        start = time.perf_counter()
        run([str(BIN / "thads"), "report", "--all", "--all-periods", "--data", str(data), "--out", str(out),
             "--quiet"], ROOT)
        elapsed = time.perf_counter() - start
    reports = sum(1 for _ in out.glob("*/[0-9]*.html"))
    shutil.rmtree(out, ignore_errors=True)
    print(f"all periods: {reports} reports in {elapsed:.0f} s ({elapsed / reports:.2f} s/report), "
          f"peak {memory.peak / 2**20:.0f} MB")
    # Memory is flat when each tenth of the run peaks about as high as the one before.
    print("peak MB per tenth of the run: " + ", ".join(
        f"{max((b for t, b in memory.samples if k * elapsed / 10 <= t < (k + 1) * elapsed / 10), default=0) / 2**20:.0f}"
        for k in range(10)))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=63, help="bench the first K provinces (default 63)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of thads and floor (default 3)")
    parser.add_argument("--baseline-repeats", type=int, default=3, help="runs of the baseline loop (default 3)")
    parser.add_argument("--all-periods", action="store_true",
                        help="instead: time `thads report --all --all-periods` once and follow its memory")
    args = parser.parse_args()
    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="bench-data-") as tmp:
        data = Path(tmp) / "data"
        codes = subset(data, args.provinces)
        if args.all_periods:
            print(f"cores: {workers}; {len(codes)} provinces + national overview, every month", flush=True)
            return all_periods(data)
        reports = len(codes) + 1
        print(f"cores: {workers}; reports per run: {reports} ({len(codes)} provinces + national overview)", flush=True)
        results = {
            "baseline": measure("baseline", lambda out: baseline(data, codes, out), args.baseline_repeats),
            "thads": measure("thads", lambda out: thads(data, codes, out), args.repeats),
            "floor": measure("floor", lambda out: floor(data, codes, out, workers), args.repeats),
        }
    print()
    print(f"{'variant':<10}{'median s':>10}{'s/report':>10}{'peak MB':>10}  runs (s)")
    for name, r in results.items():
        runs = ", ".join(f"{t:.1f}" for t in r["runs"])
        print(f"{name:<10}{r['median_s']:>10.1f}{r['median_s'] / reports:>10.2f}{r['peak_mb']:>10.0f}  {runs}")
    print()
    print(f"baseline / thads = {results['baseline']['median_s'] / results['thads']['median_s']:.2f} (goal ≥ 5)")
    print(f"thads / floor    = {results['thads']['median_s'] / results['floor']['median_s']:.2f} (goal ≤ 1,5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
