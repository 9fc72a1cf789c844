"""Reports on a Dask distributed cluster, with warm kernels and without a shared file system.

Each worker keeps warm kernels reset between notebooks, as the local runner does: a worker
plugin (``WarmKernels``, the way the distributed documentation keeps state on a worker) holds
them from one task to the next and shuts them down with the worker.

By default the workers need no folder of the client's: the client sends each inputs snapshot
and each template once through the scheduler; a worker writes the snapshot into its own local
directory, runs the notebook there and hands the executed notebook and HTML back; the client
writes them atomically into the output folder. With ``shared=True`` the workers read the
snapshot from the output folder and write the reports there themselves (every worker must see
that folder at the same path).
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import threading
import uuid
from pathlib import Path

import nbformat
from distributed import Client, get_worker
from distributed import as_completed as dask_completed
from distributed.diagnostics.plugin import WorkerPlugin
from tqdm.auto import tqdm

from ..i18n import _
from ..ingest.io import display_name
from .kernels import Kernels, write_reports
from .plan import Failure, Job

SCHEDULER_TIMEOUT = 10  # seconds to reach a Dask scheduler
PLUGIN_NAME = "thads-warm-kernels"


class WarmKernels(WorkerPlugin):
    """The warm kernels of one worker, and the folder where its copies of the inputs live."""

    name = PLUGIN_NAME

    def setup(self, worker) -> None:
        self.kernels = Kernels(reuse=True)
        self.folder = Path(worker.local_directory) / "thads-reports"
        self._lock = threading.Lock()  # threads of one worker may unpack the same snapshot at once

    def teardown(self, worker) -> None:
        self.kernels.interrupt()
        self.kernels.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def unpack(self, period: str, snapshot: dict) -> Path:
        """This worker's folder for ``period``, holding ``snapshot`` (unpacked once per worker)."""
        folder = self.folder / period
        target = folder / "inputs" / snapshot["name"]
        with self._lock:
            if not target.is_dir():
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".new-"))
                for relative, content in snapshot["files"].items():
                    (tmp / relative).parent.mkdir(parents=True, exist_ok=True)
                    (tmp / relative).write_bytes(content)
                tmp.rename(target)
        return folder


def _report_task(job: Job, period: str, template: tuple, snapshot: dict | None) -> tuple[str, str] | None:
    """Task body on a worker: one notebook in this worker's warm kernel. With a ``snapshot`` the
    report is made in the worker's own folder for ``period`` and its notebook and HTML texts come
    back; without, ``job`` names the shared output folder and the report is written there."""
    plugin = get_worker().plugins[PLUGIN_NAME]
    if snapshot is None:
        plugin.kernels.run(job, source=template)
        return None
    here = dataclasses.replace(job, stem=plugin.unpack(period, snapshot) / job.name)
    return plugin.kernels.run(here, source=template, write=False)


def _interrupt_worker(dask_worker) -> None:
    """On a worker (``Client.run`` hands it in): stop the running notebooks at once; the plugin
    is replaced at the next batch."""
    plugin = dask_worker.plugins.get(PLUGIN_NAME)
    if plugin is not None:
        plugin.kernels.interrupt()


def snapshot_of(job: Job) -> dict:
    """The inputs snapshot ``job`` reads, as data for a worker: the snapshot's name and its files
    (path relative to the snapshot → bytes)."""
    root = (job.stem.parent / job.parameters["data_path"]).parent  # <period>/inputs/<name>/data → …/<name>
    return {"name": root.name,
            "files": {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}}


def _given(value):
    """Task body that hands ``value`` on: data the cluster can make again if a worker loses it."""
    return value


def _once(client, value):
    """A future of ``value``, sent to the cluster once for every task that needs it."""
    return client.submit(_given, value, key=f"thads-input-{uuid.uuid4().hex}", pure=False)


def _portable(job: Job) -> Job:
    """``job`` without any path of the client's: its stem and template by name only."""
    return dataclasses.replace(job, stem=Path(job.name), template=Path(job.template.name))


def run_on_dask(jobs: list[Job], scheduler: str, progress: bool = True,
                shared: bool = False) -> tuple[list[str], list[Failure]]:
    """Run the notebooks as tasks of the Dask distributed scheduler at ``scheduler`` (e.g.
    tcp://host:8786), each worker keeping warm kernels; ``shared``: the workers see the output
    folder at the same path (otherwise inputs and reports travel through the scheduler). The
    workers need this package installed. Returns the keys made and the failures, like the local
    runner; Ctrl-C cancels the tasks and stops the workers' notebooks. """
    produced, failures = [], []
    try:
        client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ValueError(_("cannot reach the Dask scheduler {scheduler} within {seconds} s ({error}); check the "
                           "address and that the scheduler runs").format(
            scheduler=scheduler, seconds=SCHEDULER_TIMEOUT, error=exc)) from None
    with client, tqdm(total=len(jobs), desc="Báo cáo", unit="bc", disable=not progress) as bar:
        client.register_plugin(WarmKernels())  # replaces the kernels of an earlier batch
        # Each template and each snapshot (by content) goes to the cluster once, as a task of its
        # own rather than scattered: a worker that dies with the only copy loses a scattered value,
        # whereas the scheduler makes a task's result again.
        templates = {path: _once(client, (display_name(path), nbformat.read(path, as_version=4)))
                     for path in {job.template for job in jobs}}
        snapshots = {}
        futures = {}
        for job in jobs:
            if shared:
                task, snapshot = dataclasses.replace(job, stem=job.stem.resolve()), None
            else:
                name = Path(job.parameters["data_path"]).parent.name
                if name not in snapshots:
                    snapshots[name] = _once(client, snapshot_of(job))
                task, snapshot = _portable(job), snapshots[name]
            futures[client.submit(_report_task, task, job.stem.parent.name, templates[job.template], snapshot,
                                  key=f"thads-{uuid.uuid4().hex}", pure=False)] = job
        try:
            for future in dask_completed(futures):
                job = futures[future]
                try:
                    texts = future.result()
                    if texts is not None:
                        write_reports(job.stem, *texts)
                    produced.append(job.key)
                except Exception as exc:  # one failing report must not stop the others
                    failures.append(Failure.of(job.label, exc))
                bar.set_postfix_str(job.label)
                bar.update()
        except KeyboardInterrupt:
            client.cancel(list(futures), force=True)
            try:
                client.run(_interrupt_worker)
            except Exception:  # a worker gone already: nothing of it to stop
                pass
            raise
    return produced, failures
