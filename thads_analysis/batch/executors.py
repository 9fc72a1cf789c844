"""The local executor: run a list of jobs in worker threads, each keeping a warm kernel.

It shows one progress bar, lets one failing report leave the others alone, and returns the
keys of the reports made and the failures (as ``cluster.run_on_dask`` does on Dask). Its
kernels can start before the jobs are known (``start_ahead``), while the batch reads its input.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from .kernels import Kernels, import_tools
from .plan import Failure, Job

_KERNEL_LOGGERS = ("traitlets", "papermill")  # nbclient's and papermill's kernel messages


class LocalExecutor:
    """``workers`` threads, each keeping one warm kernel for all its notebooks (see
    ``kernel.reset``), or with ``reuse_kernels`` False a fresh kernel per notebook.
    A context manager: leaving it shuts every kernel down; at once (killed) when leaving on an
    error or without having run a job."""

    def __init__(self, workers: int, reuse_kernels: bool = True):
        self.workers = max(1, workers)
        self.kernels = Kernels(reuse_kernels)
        self.pool = ThreadPoolExecutor(max_workers=self.workers)
        self._ahead_folder: str | None = None
        self._ran = False  # whether any job was given to the kernels

    def __enter__(self) -> LocalExecutor:
        for name in _KERNEL_LOGGERS:
            logging.getLogger(name).addFilter(self.kernels.quiet_when_stopped)
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is not None or not self._ran:
            self.kernels.interrupt()  # kernels still starting end now, not after their imports
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.kernels.close()
        if self._ahead_folder:
            shutil.rmtree(self._ahead_folder, ignore_errors=True)
        for name in _KERNEL_LOGGERS:
            logging.getLogger(name).removeFilter(self.kernels.quiet_when_stopped)

    def start_ahead(self) -> None:
        """Start every worker's warm kernel now, in an empty folder of their own (each report then
        works in its own folder). Meant for while this process reads and checks the input: a run
        that then has nothing to make shuts them down."""
        if not self.kernels.reuse:
            return
        self._ahead_folder = tempfile.mkdtemp(prefix="thads-kernels-")
        # One task per thread: a pool makes a new thread for each task submitted while none is idle.
        for _ in range(self.workers):
            self.pool.submit(self.kernels.start_ahead, Path(self._ahead_folder))

    def run(self, jobs: list[Job], progress: bool = True, analysis_file=None) -> tuple[list[str], list[Failure]]:
        """Run ``jobs`` with a progress bar; returns the keys produced and the failures.
        ``analysis_file(job)``: the file a warm kernel reads the analysis of its first job from,
        "" for none (``Kernels``)."""
        from tqdm.auto import tqdm

        produced, failures = [], []
        # The notebook tools load in this process while the kernels start in theirs.
        threading.Thread(target=import_tools, name="import-tools", daemon=True).start()
        self.kernels.analysis_file = analysis_file
        self._ran = True
        try:
            with tqdm(total=len(jobs), desc="Báo cáo", unit="bc", disable=not progress) as bar:
                futures = {self.pool.submit(self.kernels.run, job): job for job in jobs}
                for future in as_completed(futures):
                    job = futures[future]
                    try:
                        future.result()
                        produced.append(job.key)
                    except Exception as exc:  # one failing report must not stop the others
                        failures.append(Failure.of(job.label, exc))
                        if os.environ.get("THADS_DEBUG"):
                            traceback.print_exception(exc)
                    bar.set_postfix_str(job.label)
                    bar.update()
        except KeyboardInterrupt:
            self.kernels.interrupt()
            raise
        return produced, failures


def run_jobs(jobs: list[Job], workers: int, progress: bool = True, reuse_kernels: bool = True,
             analysis_file=None) -> tuple[list[str], list[Failure]]:
    """Run jobs in ``workers`` threads with a progress bar (``LocalExecutor``); returns keys
    produced and failures."""
    with LocalExecutor(workers, reuse_kernels) as executor:
        return executor.run(jobs, progress, analysis_file)
