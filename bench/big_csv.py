"""How much time and memory `thads validate` takes on a large CSV file.

    python bench/big_csv.py [--mb 200] [--keep FILE]

The file is built from the bundled sample (all of its rows: the 2015 year, the months of
2016 and 2017) moved to six blocks of years four years apart (2003–2005, 2007–2009, …,
2023–2025), so every block chains within itself and no block follows another one's year
end; the block set is then written again and again until the file reaches the size asked
for. The repeated copies are identical reports, which `thads validate` reads, recognises
as repeats (one warning) and validates once: the bench measures reading and validating
every row of a file of that size. Prints the file's size and rows, the wall time, the
peak resident memory of the `thads validate` process and its exit code.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
BLOCK_SHIFTS = [-12, -8, -4, 0, 4, 8]  # years added to 2015–2017


def _shift(period: str, years: int) -> str:
    year, month, day = period.split("-")
    year = int(year) + years
    if month == "02" and day == "29" and year % 4:
        day = "28"
    if month == "02" and day == "28" and year % 4 == 0:
        day = "29"  # a month end stays a month end
    return f"{year}-{month}-{day}"


def block_rows() -> tuple[list[str], list[list[str]]]:
    """The header and the rows of every sample file, for every block of years."""
    header, rows = None, []
    for path in sorted(SAMPLE.glob("thads_*_20*.csv")):
        if "standing" in path.name:
            continue
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            at = header.index("period_end")
            base = list(reader)
        for shift in BLOCK_SHIFTS:
            rows += [r[:at] + [_shift(r[at], shift)] + r[at + 1:] for r in base]
    return header, rows


def write_big(path: Path, megabytes: float) -> int:
    """Write the file; returns its number of data rows."""
    header, rows = block_rows()
    target = megabytes * 1_000_000
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        while handle.tell() < target:
            writer.writerows(rows)
            written += len(rows)
    return written


def peak_of(command: list[str]) -> tuple[float, int, int]:
    """Run ``command``; returns (seconds, peak resident bytes of it and its children, exit code)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watched = psutil.Process(process.pid)
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            try:
                total = watched.memory_info().rss + sum(c.memory_info().rss for c in watched.children(recursive=True))
                peak = max(peak, total)
            except psutil.Error:
                pass
            time.sleep(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    code = process.wait()
    done.set()
    thread.join()
    return time.perf_counter() - start, peak, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200, help="size of the file in megabytes (default 200)")
    parser.add_argument("--keep", type=Path, help="write the file here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "big.csv"
        rows = write_big(path, args.mb)
        size = path.stat().st_size
        seconds, peak, code = peak_of([str(Path(sys.executable).parent / "thads"), "validate", str(path)])
    print(f"file: {size / 1e6:.1f} MB, {rows:,} data rows".replace(",", "."))
    print(f"thads validate: {seconds:.1f} s, peak memory {peak / 2**20:.0f} MB, exit {code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
