"""Executors: run a list of jobs, locally in worker threads or on a Dask scheduler.

Both show one progress bar, let one failing report leave the others alone, and return the
keys of the reports made and the failures.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed

from .kernels import Kernels, run_job
from .plan import Failure, Job

SCHEDULER_TIMEOUT = 10  # seconds to reach a Dask scheduler
_KERNEL_LOGGERS = ("traitlets", "papermill")  # nbclient's and papermill's kernel messages


def run_jobs(jobs: list[Job], workers: int, progress: bool = True,
             reuse_kernels: bool = True) -> tuple[list[str], list[Failure]]:
    """Run jobs in ``workers`` threads with a progress bar; returns keys produced and failures.

    With ``reuse_kernels`` each thread keeps one warm kernel for all its notebooks (see
    ``kernel.reset``); otherwise every notebook gets a fresh kernel.
    """
    from tqdm.auto import tqdm

    produced, failures = [], []
    kernels = Kernels(reuse_kernels)
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


def _run_dask_job(job: Job) -> str:
    """Task body on a Dask worker: one notebook in a fresh kernel (workers are separate processes)."""
    run_job(job)
    return job.key


def run_on_dask(jobs: list[Job], scheduler: str, progress: bool = True) -> tuple[list[str], list[Failure]]:
    """Run the notebooks as tasks of a Dask distributed scheduler at ``scheduler`` (e.g. tcp://host:8786).

    Workers must see the same file system (the report folders and the inputs snapshot) and
    have this package installed. Failures are collected like the local runner's.
    """
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError as exc:  # an optional engine
        raise ValueError("--scheduler needs the 'distributed' package: pip install -e \".[cluster]\" "
                         "in the project folder") from exc
    from tqdm.auto import tqdm

    produced, failures = [], []
    try:
        client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ValueError(f"cannot reach the Dask scheduler {scheduler} within {SCHEDULER_TIMEOUT} s ({exc}); "
                         "check the address and that the scheduler runs") from None
    with client, tqdm(total=len(jobs), desc="Báo cáo", unit="bc", disable=not progress) as bar:
        # Workers have working directories of their own: give them absolute paths.
        futures = {client.submit(_run_dask_job, dataclasses.replace(job, stem=job.stem.resolve()),
                                 key=f"thads-{uuid.uuid4().hex}", pure=False): job for job in jobs}
        try:
            for future in dask_completed(futures):
                job = futures[future]
                try:
                    produced.append(future.result())
                except Exception as exc:  # one failing report must not stop the others
                    failures.append(Failure.of(job.label, exc))
                bar.set_postfix_str(job.label)
                bar.update()
        except KeyboardInterrupt:
            client.cancel(list(futures), force=True)
            raise
    return produced, failures
