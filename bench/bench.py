"""Benchmark of the batch reports: the plain papermill loop in parallel vs `thads report --all` vs no notebooks.

    python bench/bench.py [--provinces K] [--repeats R] [--baseline-repeats B] [--scheduler local]
    python bench/bench.py --all-periods [--provinces K]

Every variant makes the same reports (the bundled sample, or its first K provinces, plus the
national overview) from the same input: the sample validated once into the parquet snapshot
that `thads report` itself writes, so no variant pays for reading CSV and the others do not.

- baseline: what a user would script: for each report `papermill` then
            `jupyter nbconvert --to html --no-input`, as many reports at once as thads runs
            (a thread pool, as `xargs -P` would);
- thads:    `thads report --all` with its defaults;
- floor:    the same report sections (numbers, charts as PNG, HTML) called from plain Python
            worker processes, as many as thads uses, with no kernel and no notebook;
- incremental: the month made once with `thads report --all` on the CSV, then timed R times: a run
            again on the same files, and a run after one row of one province was corrected;
- dask:     with `--scheduler local`: `thads report --all --scheduler` on a `dask scheduler` and
            `dask worker --nworkers <cores> --nthreads 1` started here (separate processes, each in
            a working and temporary folder of its own; inputs and reports through the scheduler).

Each run's reports are counted (a variant that made fewer stops the benchmark). Repeated runs go
in rounds (baseline, thads, floor; then again), so that a slow spell of a shared machine falls on
the variants of a round alike. Prints medians of the repeated runs, seconds per report, the peak
memory of the whole process tree, and the ratios baseline/thads, thads/floor and dask/thads, of
the medians and, with several rounds, round by round.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
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


def validated(csv_folder: Path, folder: Path) -> Path:
    """The data of ``csv_folder`` validated into an inputs snapshot (parquet) under ``folder``, as
    `thads report` writes it; returns the snapshot's data folder, which every variant reads."""
    from thads_analysis.analysis.campaign import DEFAULT_CAMPAIGN
    from thads_analysis.batch.inputs import write_inputs
    from thads_analysis.ingest.io import load_usable
    from thads_analysis.paths import DEFAULT_TARGETS

    result, bad = load_usable([csv_folder], None)
    assert result.frame is not None and not bad, "the sample does not validate"
    return write_inputs(result, DEFAULT_TARGETS, DEFAULT_CAMPAIGN, folder)[0]


def run(cmd: list[str], cwd: Path) -> None:
    env = {**os.environ, "MPLBACKEND": ""}
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def baseline(data: Path, codes: list[str], out: Path, workers: int) -> None:
    out.mkdir(parents=True)
    jobs = [("national_overview.ipynb", "00-toan-quoc", [])] + [
        ("province_report.ipynb", code, ["-r", "province", code]) for code in codes]

    def one(job) -> None:
        template, name, params = job
        target = out / f"{name}.ipynb"
        run([str(BIN / "papermill"), str(ROOT / "notebooks" / template), str(target), "-r", "data_path", str(data),
             *params, "--no-progress-bar"], ROOT)
        run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(target)], ROOT)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, jobs))


def thads(data: Path, out: Path, scheduler: str | None = None, shared: bool = False) -> None:
    run([str(BIN / "thads"), "report", "--all", "--data", str(data), "--out", str(out), "--quiet",
         *(["--scheduler", scheduler] if scheduler else []), *(["--shared-folder"] if shared else [])], ROOT)


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


def count_reports(out: Path) -> int:
    """The report pages a run made (HTML files other than the index), wherever they lie under ``out``."""
    return sum(1 for p in out.rglob("*.html") if p.name != "index.html")


def measure(name: str, func, repeats: int, reports: int) -> dict:
    """``repeats`` runs of one variant (``rounds`` with one variant)."""
    return rounds({name: (func, repeats)}, reports)[name]


def rounds(variants: dict, reports: int) -> dict:
    """Run the variants (name → (function of an output folder, repeats)) in rounds: round i runs,
    in order, every variant with more than i repeats, so that a slow spell of a shared machine
    falls alike on the variants of a round rather than on all the runs of one variant. Returns,
    per variant, the median time, the runs (by round) and the peak memory."""
    times = {name: [] for name in variants}
    peaks = {name: [] for name in variants}
    for i in range(max((repeats for _, repeats in variants.values()), default=0)):
        for name, (func, repeats) in variants.items():
            if i >= repeats:
                continue
            out = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
            shutil.rmtree(out)
            with PeakMemory() as memory:
                start = time.perf_counter()
                func(out)
                times[name].append(time.perf_counter() - start)
            peaks[name].append(memory.peak)
            made = count_reports(out)
            shutil.rmtree(out, ignore_errors=True)
            if made != reports:
                raise SystemExit(f"{name} run {i + 1} made {made} reports, not {reports}: its time would not compare")
            print(f"  {name} run {i + 1}/{repeats}: {times[name][-1]:.1f} s, {made} reports", flush=True)
    return {name: {"median_s": statistics.median(times[name]), "runs": times[name],
                   "peak_mb": max(peaks[name]) / 2**20} for name in variants}


def paired(top: list[float], bottom: list[float]) -> list[float]:
    """The ratio of two variants' times in each round both ran (``rounds``)."""
    return [a / b for a, b in zip(top, bottom)]


def _move_one_case(folder: Path, code: str, step: int) -> None:
    """Correct province ``code``'s latest cases row in ``folder`` as an analyst would: ``step`` cases
    (1 or -1) moved from in progress to completed, in the Cục's own office row too (the province's
    offices must still add up to it)."""
    for name, office in (("thads_monthly_2017.csv", None), ("thads_offices_2017.csv", "cuc")):
        path = folder / name
        if office is not None and not path.exists():
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        chosen = ((frame.province_code == code) & (frame.period_end == frame.period_end.max())
                  & (frame.measure == "cases"))
        chosen &= (frame.category == "all") if office is None else (frame.office_code == office)
        row = frame.index[chosen][0]
        frame.loc[row, "completed"] = str(int(frame.loc[row, "completed"]) + step)
        frame.loc[row, "in_progress"] = str(int(frame.loc[row, "in_progress"]) - step)
        frame.to_csv(path, index=False)


def incremental(csv: Path, code: str = "36", repeats: int = 1) -> dict:
    """The month made once (not timed), then ``repeats`` times, timed: a run again on the same files,
    and a run after one row of province ``code`` was corrected in the CSV (``_move_one_case``, one
    case forth, then back, ...). Each run's made and kept reports are checked; medians returned."""
    data = Path(tempfile.mkdtemp(prefix="bench-incremental-"))
    shutil.copytree(csv, data / "csv")
    out = data / "out"

    def timed(expect: str) -> float:
        start = time.perf_counter()
        done = subprocess.run([str(BIN / "thads"), "report", "--all", "--data", str(data / "csv"), "--out", str(out),
                               "--quiet"], cwd=ROOT, check=True, capture_output=True, text=True,
                              env={**os.environ, "MPLBACKEND": "", "THADS_LANG": "en"})  # its messages, read below
        elapsed = time.perf_counter() - start
        if expect not in done.stdout:
            raise SystemExit(f"incremental run: expected '{expect}', got: {done.stdout.strip()}")
        return elapsed

    unchanged, corrected = [], []
    try:
        timed("report(s) made")
        for i in range(repeats):
            unchanged.append(timed("0 report(s) made"))
            _move_one_case(data / "csv", code, 1 if i % 2 == 0 else -1)
            corrected.append(timed("2 report(s) made"))
    finally:
        shutil.rmtree(data, ignore_errors=True)
    print(f"  incremental: no change {', '.join(f'{t:.1f}' for t in unchanged)} s; one province corrected "
          f"{', '.join(f'{t:.1f}' for t in corrected)} s", flush=True)
    return {"unchanged_s": statistics.median(unchanged), "corrected_s": statistics.median(corrected)}


@contextlib.contextmanager
def local_cluster(workers: int):
    """A `dask scheduler` and `dask worker --nworkers <workers> --nthreads 1`, separate processes in
    folders of their own; yields the scheduler's address."""
    from distributed import Client

    home = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "MPLBACKEND": "", "TMPDIR": str(home)}
    (home / "scheduler").mkdir()
    (home / "workers").mkdir()
    procs = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--dashboard-address", ":0"], cwd=home / "scheduler", env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    procs.append(subprocess.Popen([str(BIN / "dask"), "worker", address, "--nworkers", str(workers), "--nthreads",
                                   "1", "--local-directory", str(home / "workers"), "--no-dashboard"],
                                  cwd=home / "workers", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        with Client(address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        for proc in reversed(procs):
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(home, ignore_errors=True)


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
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of thads, floor and dask, and of each incremental run (default 3)")
    parser.add_argument("--baseline-repeats", type=int, default=3, help="runs of the baseline loop (default 3)")
    parser.add_argument("--variants", default="baseline,thads,floor,incremental",
                        help="which variants to run, comma-separated (default baseline,thads,floor,incremental)")
    parser.add_argument("--scheduler", choices=["local"],
                        help="also run thads on a Dask scheduler and workers started here (variant dask)")
    parser.add_argument("--all-periods", action="store_true",
                        help="instead: time `thads report --all --all-periods` once and follow its memory")
    args = parser.parse_args()
    if min(args.provinces, args.repeats, args.baseline_repeats) < 1:
        parser.error("--provinces, --repeats and --baseline-repeats take a number of 1 or more")
    workers = os.cpu_count() or 1
    variants = [v for v in args.variants.split(",") if v] + (["dask"] if args.scheduler else [])
    with tempfile.TemporaryDirectory(prefix="bench-data-") as tmp:
        csv = Path(tmp) / "csv"
        codes = subset(csv, args.provinces)
        if args.all_periods:
            print(f"cores: {workers}; {len(codes)} provinces + national overview, every month", flush=True)
            return all_periods(csv)
        data = validated(csv, Path(tmp) / "validated")
        reports = len(codes) + 1
        print(f"cores: {workers}; reports per run: {reports} ({len(codes)} provinces + national overview); "
              "input: the validated parquet snapshot", flush=True)
        runs = {
            "baseline": (lambda out: baseline(data, codes, out, workers), args.baseline_repeats),
            "thads": (lambda out: thads(data, out), args.repeats),
            "floor": (lambda out: floor(data, codes, out, workers), args.repeats),
        }
        results = rounds({name: runs[name] for name in variants if name in runs}, reports)
        again = (incremental(csv, "36" if "36" in codes else codes[0], args.repeats) if "incremental" in variants
                 else None)
        if "dask" in variants:
            with local_cluster(workers) as address:
                results["dask"] = measure("dask", lambda out: thads(data, out, address), args.repeats, reports)
                results["dask-shared"] = measure("dask-shared", lambda out: thads(data, out, address, shared=True),
                                                 args.repeats, reports)
    print()
    print(f"{'variant':<10}{'median s':>10}{'s/report':>10}{'peak MB':>10}  runs (s)")
    for name, r in results.items():
        runs_text = ", ".join(f"{t:.1f}" for t in r["runs"])
        print(f"{name:<10}{r['median_s']:>10.1f}{r['median_s'] / reports:>10.2f}{r['peak_mb']:>10.0f}  {runs_text}")
    print()
    ratios = [("baseline", "thads", "≥ 6"), ("thads", "floor", "≤ 1,2"), ("dask", "thads", "≤ 1,2"),
              ("dask-shared", "thads", "")]
    for top, bottom, goal in ratios:
        if top in results and bottom in results:
            ratio = results[top]["median_s"] / results[bottom]["median_s"]
            print(f"{top + ' / ' + bottom:<20}= {ratio:.2f}" + (f" (goal {goal})" if goal else ""), end="")
            by_round = paired(results[top]["runs"], results[bottom]["runs"])
            if len(by_round) > 1:
                print(f"; by round {', '.join(f'{r:.2f}' for r in by_round)}, median {statistics.median(by_round):.2f}",
                      end="")
            print()
    if again is not None:
        print(f"no-change re-run of the month (median): {again['unchanged_s']:.1f} s (goal ≤ 5); one province "
              f"corrected (median): {again['corrected_s']:.1f} s (goal ≤ 10)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
