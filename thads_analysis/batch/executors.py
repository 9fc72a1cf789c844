"""The local executor: run a list of jobs in worker threads, each keeping a warm kernel.

It shows one progress bar, lets one failing report leave the others alone, and returns the
keys of the reports made and the failures (as ``cluster.run_on_dask`` does on Dask).
"""

from __future__ import annotations

import logging
import os
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed

from .kernels import Kernels, import_tools
from .plan import Failure, Job

_KERNEL_LOGGERS = ("traitlets", "papermill")  # nbclient's and papermill's kernel messages


def run_jobs(jobs: list[Job], workers: int, progress: bool = True, reuse_kernels: bool = True,
             analysis_file=None) -> tuple[list[str], list[Failure]]:
    """Run jobs in ``workers`` threads with a progress bar; returns keys produced and failures.

    With ``reuse_kernels`` each thread keeps one warm kernel for all its notebooks (see
    ``kernel.reset``); otherwise every notebook gets a fresh kernel. ``analysis_file(job)``: the
    file a warm kernel reads the analysis of its first job from, "" for none (``Kernels``).
    """
    from tqdm.auto import tqdm

    produced, failures = [], []
    # The notebook tools load in this process while the kernels start in theirs.
    threading.Thread(target=import_tools, name="import-tools", daemon=True).start()
    kernels = Kernels(reuse_kernels, analysis_file)
    for name in _KERNEL_LOGGERS:
        logging.getLogger(name).addFilter(kernels.quiet_when_stopped)
    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        with tqdm(total=len(jobs), desc="Báo cáo", unit="bc", disable=not progress) as bar:
            futures = {pool.submit(kernels.run, job): job for job in jobs}
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
        kernels.interrupt()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        kernels.close()
        for name in _KERNEL_LOGGERS:
            logging.getLogger(name).removeFilter(kernels.quiet_when_stopped)
    return produced, failures
