"""Reports on a Dask cluster: warm kernels on the workers, no folder of the client's given to them,
the same reports as a local run, and Ctrl-C that stops the workers' notebooks."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import distributed  # a test dependency: a missing install fails here rather than skipping
import pytest
from conftest import dying_and_good_jobs, small_sample

from thads_analysis.batch.run import run_batch

TIME = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")
BIN = Path(sys.executable).parent


def pages(folder: Path) -> dict[str, str]:
    """Every report file of a period folder, the generation time blanked."""
    return {p.name: TIME.sub("DD/MM/YYYY HH:MM", p.read_text(encoding="utf-8"))
            for p in sorted(folder.glob("[0-9]*.*")) if p.suffix in (".ipynb", ".html")}


def test_workers_given_no_folder_of_the_client_make_the_reports_of_a_local_run(tmp_path, monkeypatch):
    data = small_sample(tmp_path / "data", ["01", "36", "35"])
    local = run_batch(all_provinces=True, data=data, out=tmp_path / "local", progress=False)
    assert not local.failures

    # Everything the client hands the cluster, pickled as it travels.
    import cloudpickle

    sent = []
    submit, scatter = distributed.Client.submit, distributed.Client.scatter
    monkeypatch.setattr(distributed.Client, "submit", lambda self, func, *args, **kw: (
        sent.append(cloudpickle.dumps((func, args))), submit(self, func, *args, **kw))[1])
    monkeypatch.setattr(distributed.Client, "scatter", lambda self, data, **kw: (
        sent.append(cloudpickle.dumps(data)), scatter(self, data, **kw))[1])  # not used today: kept watched
    workers = tmp_path.parent / f"{tmp_path.name}-workers"  # outside every folder of the run
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  local_directory=str(workers)) as cluster:
        remote = run_batch(all_provinces=True, data=data, out=tmp_path / "dask", progress=False,
                           scheduler=cluster.scheduler_address)
    assert not remote.failures and remote.produced == local.produced == ["00-toan-quoc", "01-ha-noi", "35-ha-nam",
                                                                         "36-nam-dinh"]
    assert "through the scheduler" in remote.engine
    assert len(sent) == 4 + 2 + 1  # one task per report, each template once, the snapshot once
    for blob in sent:
        # A path is pickled as its parts: the run's own folder name is in every path of it.
        assert tmp_path.name.encode() not in blob
    expected, made = pages(tmp_path / "local" / "2017-09-30"), pages(tmp_path / "dask" / "2017-09-30")
    assert sorted(made) == sorted(expected) and len(made) == 8
    for name in expected:
        assert made[name] == expected[name], name


def test_a_shared_folder_run_writes_on_the_workers(tmp_path):
    data = small_sample(tmp_path / "data", ["01", "36"])
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = run_batch(province="36", data=data, out=tmp_path / "out", progress=False,
                           scheduler=cluster.scheduler_address, shared_folder=True)
    assert not result.failures and result.produced == ["36-nam-dinh"]
    assert "sharing the output folder" in result.engine
    assert (result.out_dir / "36-nam-dinh.html").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a process group")
def test_ctrl_c_cancels_the_tasks_and_stops_the_workers_kernels(tmp_path):
    """A real scheduler and workers (separate processes, as an office network would run them)."""
    folder = tmp_path / "cluster"
    folder.mkdir()
    env = {**os.environ, "MPLBACKEND": ""}
    address = "tcp://127.0.0.1:" + str(_free_port())
    scheduler = subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port",
                                  address.rsplit(":", 1)[1], "--dashboard-address", ":0"], cwd=folder, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([str(BIN / "dask"), "worker", address, "--nworkers", "2", "--nthreads", "1",
                               "--local-directory", str(folder), "--no-dashboard"], cwd=folder, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        out = tmp_path / "out" / "2017-09-30"
        process = subprocess.Popen([str(BIN / "thads"), "report", "--all", "--scheduler", address, "--out",
                                    str(tmp_path / "out"), "--quiet"], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.time() + 180
        while not list(out.glob("[0-9][0-9]-*.ipynb")) and time.time() < deadline:  # workers are busy now
            time.sleep(0.2)
        assert process.poll() is None, "the batch ended before it could be interrupted"
        start = time.time()
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 130 and time.time() - start < 10, stderr
        made = len(list(out.glob("[0-9][0-9]-*.ipynb")))
        time.sleep(3)
        assert len(list(out.glob("[0-9][0-9]-*.ipynb"))) == made, "reports kept coming after Ctrl-C"
        assert not list(out.rglob(".*")), "temporary files left"
        # The workers' kernels were stopped, not left running the cancelled notebooks.
        assert not [p for p in _descendants(worker.pid) if "ipykernel" in " ".join(p.cmdline())]
    finally:
        for proc in (worker, scheduler):
            proc.send_signal(signal.SIGINT)
        for proc in (worker, scheduler):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(pid: int) -> list:
    """The processes below ``pid`` (the worker processes and their kernels)."""
    import psutil

    found = []
    for process in psutil.Process(pid).children(recursive=True):
        try:
            process.cmdline()
            found.append(process)
        except psutil.Error:  # ended meanwhile
            pass
    return found


def test_a_worker_that_dies_fails_its_report_and_the_batch_goes_on(tmp_path):
    """The notebook kills the worker process running it (as an out-of-memory kill would). Dask
    retries the task on a restarted worker a few times, then gives it up: that report fails, the
    other one is made."""
    from thads_analysis.batch.cluster import run_on_dask

    out = tmp_path / "out"
    jobs = dying_and_good_jobs(out, "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)", "Worker chết")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        produced, failures = run_on_dask(jobs, cluster.scheduler_address, progress=False, shared=True)
    assert [f.label for f in failures] == ["Worker chết"] and "KilledWorker" in failures[0].reason
    assert produced == ["out/36-nam-dinh"] and (out / "36-nam-dinh.html").exists()
    assert not (out / "dies.ipynb").exists()
