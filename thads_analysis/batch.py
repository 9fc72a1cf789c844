"""Batch reports: executed notebooks and HTML for provinces and the nation, via papermill.

Everything that can fail on the input is checked in this process before any kernel starts.
The validated data are written once to ``<out>/<period>/inputs/`` (parquet, keeping the
original file and row of every value) and each notebook reads that snapshot, so a report can
be re-run on exactly the numbers it showed. Notebooks run in parallel threads (each has its
own kernel process); outputs are written to temporary files and renamed, so a failed report
leaves the previous good one in place. One failing report does not stop the others.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import traceback
import uuid
import weakref
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pandas as pd

from . import schema
from .io import LoadResult, display_name, load_usable, set_aside_lines, set_aside_notes
from .paths import DEFAULT_TARGETS, NOTEBOOKS_DIR, SAMPLE_DIR
from .pipeline import DEFAULT_YEAR, prepare, scorecard
from .provinces import lookup, provinces
from .schema import DataError
from .targets import read_targets
from .vocabulary import status_label

PROVINCE_TEMPLATE = NOTEBOOKS_DIR / "province_report.ipynb"
NATIONAL_TEMPLATE = NOTEBOOKS_DIR / "national_overview.ipynb"
NATIONAL_NAME = "00-toan-quoc"
# One BLAS thread per kernel: the reports are small and the cores go to parallel notebooks.
KERNEL_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass
class Job:
    """One notebook to run: its template, parameters and output files (without suffix)."""

    name: str  # "36-nam-dinh" or "00-toan-quoc"
    label: str  # "36 Nam Định" or "Toàn quốc"
    template: Path
    parameters: dict
    stem: Path

    @property
    def key(self) -> str:
        """Unique across periods: "2017-09-30/36-nam-dinh"."""
        return f"{self.stem.parent.name}/{self.name}"


@dataclass
class Failure:
    """A report that could not be produced, and why."""

    label: str
    reason: str

    def __str__(self) -> str:
        return f"{self.label}: {self.reason}"


@dataclass
class BatchResult:
    out_dir: Path  # the period's folder (the output root when several periods were made)
    produced: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)
    made: dict = field(default_factory=dict)  # folder → reports made there by this run
    set_aside: list[str] = field(default_factory=list)  # provinces left out of another province's report


# ---------------------------------------------------------------- output folder and inputs snapshots


def check_output(out: Path) -> Path:
    """``out`` when reports can be written there (an existing writable folder, or one that can be
    created in a writable folder); ValueError saying why not. Nothing is created yet."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file, not a folder; choose a folder for the reports")
    existing = out
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise ValueError(f"--out {out}: {existing} is a file, so the folder cannot be created; choose another --out")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"--out {out}: the folder {existing} is not writable; choose another --out")
    return out


def _inside(path: Path, root: Path) -> bool:
    """True when ``path``, links resolved, lies in ``root`` (links resolved too)."""
    return os.path.realpath(path) == os.path.realpath(root) or \
        os.path.realpath(path).startswith(os.path.realpath(root) + os.sep)


def _check_folder(path: Path, root: Path) -> None:
    """ValueError when ``path`` (a folder inside ``root``) is a link leading out of ``root`` or is not
    a folder: reports are never written, nor anything deleted, outside --out."""
    if path.is_symlink() and not _inside(path, root):
        raise ValueError(f"{path} is a link to {os.path.realpath(path)}, outside the output folder {root}; "
                         "remove the link or choose another --out")
    if path.exists() and not path.is_dir():
        raise ValueError(f"{path} is a file where the reports need a folder; move it away or choose another --out")


def _own_folder(path: Path, root: Path) -> Path:
    """``path``, created if missing, after ``_check_folder``."""
    _check_folder(path, root)
    path.mkdir(parents=True, exist_ok=True)
    return path


SNAPSHOT_NOTES = b"thads:notes"


def _digest(folder: Path) -> str:
    """A checksum of every file under ``folder`` (names and bytes), in hex."""
    h = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(file.relative_to(folder)).encode())
        h.update(hashlib.sha256(file.read_bytes()).digest())
    return h.hexdigest()


def write_inputs(result: LoadResult, targets: Path, folder: Path, notes: list[str] = ()) -> tuple[Path, Path]:
    """Write the inputs snapshot of a report folder: the validated frame (and standing counts) as
    parquet, ``notes`` kept in its metadata, and a copy of the targets file.

    The snapshot goes to ``inputs/<checksum>/``, named by its content and never changed after: a
    report's notebook names the snapshot it was made from, so a failing run cannot leave an
    earlier report beside inputs that no longer reproduce it (see ``prune_inputs``).
    Returns the data folder and the targets copy.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    inputs = _own_folder(folder / "inputs", folder)
    tmp = Path(tempfile.mkdtemp(dir=inputs, prefix=".new-"))
    try:
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; reports are meant to be shared
        (tmp / "data").mkdir()
        # Canonical money is in đồng; the unit column says so to the reader.
        frame = result.frame.assign(unit=result.frame["measure"].map({"cases": "việc", "money": "đồng"}))
        table = pa.Table.from_pandas(frame, preserve_index=False)
        metadata = {**(table.schema.metadata or {}), SNAPSHOT_NOTES: json.dumps(list(notes), ensure_ascii=False).encode()}
        pq.write_table(table.replace_schema_metadata(metadata), tmp / "data" / "report.parquet")
        if result.standing is not None:
            result.standing.to_parquet(tmp / "data" / "standing.parquet", index=False)
        shutil.copyfile(targets, tmp / Path(targets).name)
        final = inputs / _digest(tmp)[:16]
        if final.is_dir() and not final.is_symlink():
            shutil.rmtree(tmp)  # the same inputs as an earlier run: its snapshot serves
        else:
            if final.is_symlink() or final.exists():
                final.unlink()
            tmp.rename(final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final / "data", final / Path(targets).name


def _referenced_inputs(folder: Path) -> set[str]:
    """The entries of ``folder/inputs`` that the notebooks in ``folder`` were made from.

    Read from the parameters papermill records in each notebook's metadata, found by a pattern
    rather than by parsing every notebook (a month's 64 notebooks hold ~40 MB of figures).
    """
    pattern = re.compile(r'"(?:data_path|targets_path)": "inputs/([^/"\\]+)')
    names = set()
    for notebook in folder.glob("*.ipynb"):
        if notebook.is_symlink() or not notebook.is_file():  # a pipe named x.ipynb would block the read
            continue
        try:
            names.update(pattern.findall(notebook.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
    return names


def prune_inputs(folder: Path) -> None:
    """Remove the snapshots no report of ``folder`` names (an interrupted or failed run's, older
    ones replaced by newer reports). Links are removed, never followed."""
    inputs = folder / "inputs"
    if not inputs.is_dir() or inputs.is_symlink():
        return
    keep = _referenced_inputs(folder)
    for entry in inputs.iterdir():
        if entry.name in keep:
            continue
        if entry.is_symlink() or not entry.is_dir():
            entry.unlink(missing_ok=True)
        else:
            shutil.rmtree(entry, ignore_errors=True)


class _Exporters(threading.local):
    """One nbconvert HTML exporter per thread (exporters are not shared across threads)."""

    def get(self):
        if not hasattr(self, "exporter"):
            from nbconvert import HTMLExporter

            # exclude_input hides the code; papermill's report mode only sets source_hidden, which
            # nbconvert ignores.
            from nbconvert.preprocessors import TagRemovePreprocessor

            self.exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
            # The templates' opening note is for people running the notebook, not for readers.
            self.exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={"notebook-only"}), enabled=True)
        return self.exporter


_EXPORTERS = _Exporters()


def check_parameters(template: Path, parameters: dict) -> None:
    """Fail on parameters the template does not declare (papermill only warns)."""
    import papermill

    declared = set(papermill.inspect_notebook(str(template)))
    unknown = sorted(set(parameters) - declared)
    if unknown:
        raise ValueError(f"{template.name} has no parameter(s) {', '.join(unknown)}; it declares {', '.join(sorted(declared))}")


def _ipc(manager_class):
    """``manager_class`` with kernels talking over local IPC sockets beside their connection files
    (nothing listens on TCP, and ipykernel has no reason to warn about unencrypted TCP on every
    start), started with ``KERNEL_ENV`` and without MPLBACKEND: the batch's own process
    environment is left as it is."""
    from traitlets import default

    class IpcKernelManager(manager_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            _MANAGERS.add(self)  # so that an interruption can stop every kernel, pooled or not

        async def _async_pre_start_kernel(self, **kw):
            # ipykernel keeps an inherited MPLBACKEND (e.g. Agg from a test run) instead of its
            # inline backend, and the notebooks would lose their figures.
            env = {k: v for k, v in kw.pop("env", os.environ).items() if k != "MPLBACKEND"}
            return await super()._async_pre_start_kernel(env={**env, **KERNEL_ENV}, **kw)

        @default("transport")
        def _default_transport(self):
            return "ipc"

        @default("ip")
        def _default_ip(self):
            # An absolute, unique socket path: the kernel runs in the report's folder, where the
            # default relative "kernel-ipc" would not be found.
            return os.path.join(tempfile.gettempdir(), f"thads-kernel-{uuid.uuid4().hex}")

    return IpcKernelManager


def _kernel_manager_class():
    """The kernel manager papermill starts a fresh kernel with (asynchronous, on IPC)."""
    from jupyter_client import AsyncKernelManager

    return _ipc(AsyncKernelManager)


WARM_ENGINE = "thads-warm-kernel"
SCHEDULER_TIMEOUT = 10  # seconds to reach a Dask scheduler


@functools.cache
def _register_warm_engine() -> None:
    """A papermill engine that runs a notebook through an already connected kernel client.

    papermill's nbclient engine opens a new client for every notebook and waits 0,2 s for the
    kernel's IOPub to go quiet; a pooled kernel keeps one client for all its notebooks.
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class WarmKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, km=None, kc=None,
                                     input_path=None, **kwargs):
            client = PapermillNotebookClient(nb_man, km=km, kernel_name=kernel_name, startup_timeout=start_timeout,
                                             timeout=execution_timeout, log_output=log_output,
                                             stdout_file=stdout_file, stderr_file=stderr_file, **kwargs)
            client.kc = kc  # nbclient keeps a client it did not open (it does not own the kernel)
            return client.execute()

    papermill_engines.register(WARM_ENGINE, WarmKernelEngine)


def run_job(job: Job, km=None, kc=None) -> None:
    """Execute one notebook and write its .ipynb and .html atomically; raises on failure.

    With ``km`` and ``kc`` (a running kernel and its connected client) the notebook runs in
    that kernel; otherwise in a fresh kernel started in the report's folder.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    stem = job.stem
    if _STOP.is_set():
        raise Interrupted("interrupted before it started")
    try:
        for attempt in (1, 2):
            try:
                # The kernel runs in the report's folder (nbclient's resources path, per kernel; papermill's
                # cwd= would chdir the whole process), so the notebook names its inputs "inputs/...".
                if km is not None:
                    _register_warm_engine()
                    kernel = {"km": km, "kc": kc, "engine_name": WARM_ENGINE}
                else:
                    kernel = {"kernel_manager_class": _kernel_manager_class(),
                              "resources": {"metadata": {"path": str(stem.parent.resolve())}}}
                # No output path: papermill writes nothing; the files appear only complete (below).
                nb = papermill.execute_notebook(
                    str(job.template), None, parameters=job.parameters, kernel_name="python3",
                    progress_bar=False, log_output=False, request_save_on_cell_execute=False, **kernel)
                break
            except PapermillExecutionError:
                raise
            except RuntimeError as exc:  # "Kernel didn't respond in 60 seconds": try once more
                # A pooled kernel is retried by the pool, which resets it first: not here.
                if attempt == 2 or km is not None or "didn't respond" not in str(exc) or _STOP.is_set():
                    raise
        # Record where the notebook came from and went without this machine's folders.
        nb.metadata["papermill"]["input_path"] = display_name(job.template)
        nb.metadata["papermill"]["output_path"] = stem.with_suffix(".ipynb").name
        body, _ = _EXPORTERS.get().from_notebook_node(nb)
        write_atomic(stem.with_suffix(".html"), body)
        write_atomic(stem.with_suffix(".ipynb"), nbformat.writes(nb))
    except Exception:
        if _STOP.is_set():
            raise Interrupted("interrupted while running") from None
        raise


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a new temporary file beside it, then rename: a reader never
    sees half a file, an earlier file stays until the new one is complete, and a link planted
    at the temporary name is never followed (mkstemp creates a file that did not exist)."""
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; reports are meant to be shared
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class _KernelPool(threading.local):
    """One warm kernel per worker thread, reused for every notebook that thread runs."""

    def __init__(self):
        self.km = None
        self.kc = None

    def start(self, folder: Path) -> None:
        from jupyter_client import KernelManager
        from jupyter_client.asynchronous import AsyncKernelClient
        from jupyter_core.utils import run_sync

        self.km = _ipc(KernelManager)(kernel_name="python3")
        self.km.start_kernel(cwd=str(folder))
        # An asynchronous client, as nbclient makes for itself: it watches the kernel while
        # waiting for output, so a kernel that dies mid-notebook fails that notebook instead
        # of hanging the batch. One event loop per worker thread (jupyter_core's run_sync).
        self.kc = AsyncKernelClient(**self.km.get_connection_info(session=True), parent=self.km)
        self.kc.allow_stdin = False
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=120)
        _LIVE_KERNELS.append((self.km, self.kc))
        self._run("import thads_analysis.kernel as _k\n_k.warm_up()")

    def _run(self, code: str) -> None:
        """Run set-up code in the kernel; fails at once if the kernel dies or the batch is interrupted."""
        import asyncio

        from jupyter_core.utils import run_sync

        async def watched():
            task = asyncio.ensure_future(self.kc.execute_interactive(code, silent=True, timeout=120))
            while not task.done():
                await asyncio.wait([task], timeout=0.5)
                if not task.done() and (_STOP.is_set() or not self.km.is_alive()):
                    task.cancel()
                    raise Interrupted("interrupted") if _STOP.is_set() else RuntimeError("the kernel died")
            return task.result()

        reply = run_sync(watched)()
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"kernel set-up failed: {reply['content'].get('ename')}: {reply['content'].get('evalue')}")

    def stop(self) -> None:
        if self.km is not None:
            _shutdown(self.km, self.kc)
            self.km = self.kc = None

    def run(self, job: Job) -> None:
        """Run ``job`` in this thread's warm kernel (started on first use; restarted once if it died)."""
        for attempt in (1, 2):
            if _STOP.is_set():
                raise Interrupted("interrupted before it started")
            try:
                if self.km is None or not self.km.is_alive():
                    self.stop()
                    self.start(job.stem.parent)
                self._run(f"import thads_analysis.kernel as _k\n_k.reset({str(job.stem.parent.resolve())!r})")
                run_job(job, km=self.km, kc=self.kc)
                return
            except Exception as exc:
                from papermill.exceptions import PapermillExecutionError

                if isinstance(exc, (PapermillExecutionError, Interrupted)) or attempt == 2 or _STOP.is_set():
                    raise
                self.stop()  # a dead or stuck kernel: start a new one and try once more


# Every kernel a pool started (the pool object is thread-local: the main thread cannot see the
# workers' kernels through it), so that all are shut down when the batch ends.
_LIVE_KERNELS: list = []
_POOL = _KernelPool()
# Every kernel manager made (pooled or fresh), and the flag that stops the workers, for Ctrl-C.
_MANAGERS: weakref.WeakSet = weakref.WeakSet()
_STOP = threading.Event()


class Interrupted(Exception):
    """A report not made because the batch was interrupted."""


def _quiet_when_stopped(record) -> bool:
    """A logging filter: once the batch is interrupted, the clients' "Kernel died" errors are
    expected and the command says it was interrupted in one line."""
    return not _STOP.is_set()


def _kill(km) -> None:
    """Kill a kernel's process at once (from any thread); its client then fails its notebook."""
    process = getattr(getattr(km, "provisioner", None), "process", None)
    if process is not None and process.poll() is None:
        process.kill()


def _shutdown(km, kc) -> None:
    if (km, kc) in _LIVE_KERNELS:
        _LIVE_KERNELS.remove((km, kc))
    kc.stop_channels()
    if km.has_kernel:
        km.shutdown_kernel(now=True)


def _run_in_pool(job: Job) -> None:
    _POOL.run(job)


def _describe(exc: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return f"cell {exc.cell_index}: {exc.ename}: {exc.evalue}"
    return f"{type(exc).__name__}: {exc}"


def run_jobs(jobs: list[Job], workers: int, progress: bool = True,
             reuse_kernels: bool = True) -> tuple[list[str], list[Failure]]:
    """Run jobs in ``workers`` threads with a progress bar; returns names produced and failures.

    With ``reuse_kernels`` each thread keeps one warm kernel for all its notebooks (see
    ``kernel.reset``); otherwise every notebook gets a fresh kernel.
    """
    from tqdm.auto import tqdm

    produced, failures = [], []
    _STOP.clear()
    for name in ("traitlets", "papermill"):  # nbclient's and papermill's kernel messages
        logger = logging.getLogger(name)
        if _quiet_when_stopped not in logger.filters:
            logger.addFilter(_quiet_when_stopped)
    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        with tqdm(total=len(jobs), desc="Báo cáo", unit="bc", disable=not progress) as bar:
            runner = _run_in_pool if reuse_kernels else run_job
            futures = {pool.submit(runner, job): job for job in jobs}
            for future in as_completed(futures):
                job = futures[future]
                try:
                    future.result()
                    produced.append(job.key)
                except Exception as exc:  # one failing report must not stop the others
                    failures.append(Failure(job.label, _describe(exc)))
                    if os.environ.get("THADS_DEBUG"):
                        traceback.print_exception(exc)
                bar.set_postfix_str(job.label)
                bar.update()
    except KeyboardInterrupt:
        # Ctrl-C: no new notebook starts, the running ones lose their kernels and end at once.
        _STOP.set()
        for manager in list(_MANAGERS):
            _kill(manager)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for km, kc in list(_LIVE_KERNELS):
            _shutdown(km, kc)
    return produced, failures


def summary_table(analysis, names: dict[str, str]) -> pd.DataFrame:
    """One row per province: rates, targets, gaps, statuses, ranks; computed by the package."""
    table = analysis.emulation()
    extra = []
    for code in table["province_code"]:
        card = scorecard(analysis, code).set_index("indicator")
        row = {"province_code": code}
        for indicator in ["completion_rate_cases", "completion_rate_money",
                          "carry_forward_with_conditions_change_cases", "carry_forward_with_conditions_change_money"]:
            row[f"{indicator}_target"] = card.at[indicator, "target"]
            row[f"{indicator}_gap"] = card.at[indicator, "gap"]
            row[f"{indicator}_status"] = card.at[indicator, "status"]
            row[f"{indicator}_status_label"] = card.at[indicator, "status_label"]
        extra.append(row)
    table = table.merge(pd.DataFrame(extra), on="province_code")
    for measure in ("cases", "money"):
        table.insert(table.columns.get_loc(f"status_{measure}") + 1, f"status_{measure}_label",
                     table[f"status_{measure}"].map(status_label))
    table.insert(1, "period_end", analysis.period_end.date().isoformat())
    table["report"] = table["province_code"].map(lambda c: f"{names[c]}.html" if c in names else "")
    return table


def write_index(folder: Path, summary: pd.DataFrame, analysis, failures: list[Failure], national: bool) -> Path:
    """index.html: a sortable table of all provinces with status and links (jinja2, autoescaped)."""
    from .report import ENV

    html = ENV.get_template("index.html.j2").render(
        rows=summary.to_dict("records"), period=analysis.period_end.strftime("%d/%m/%Y"), year=analysis.year,
        is_sample=analysis.is_sample, mark=schema.SAMPLE_MARK, failures=failures, national=national,
        national_name=NATIONAL_NAME)
    path = folder / "index.html"
    write_atomic(path, html)
    return path


def csv_text(frame: pd.DataFrame) -> str:
    """A table as CSV text, with any text cell that a spreadsheet would run as a formula made inert."""
    from .spreadsheet import inert_cells

    return inert_cells(frame).to_csv(index=False)


def run_batch(province=None, all_provinces: bool = False, jobs: int | None = None, year: int | None = None,
              period_end=None, data=None, targets=None, out: Path = Path("reports"), money_unit: str | None = None,
              progress: bool = True, reuse_kernels: bool = True, all_periods: bool = False,
              scheduler: str | None = None) -> BatchResult:
    """Produce reports for one province or all (plus the national overview, index and summary).

    ``all_periods`` makes the reports of every period of the year in the data, one folder
    each, in one run of the kernels. ``scheduler`` sends the notebooks to a Dask distributed
    scheduler instead of local kernels. Raises DataError / ValueError for input that stops
    everything (before any kernel starts). A province whose rows break a rule is set aside:
    with ``all_provinces`` it is a failure; for another province's report a warning
    (``BatchResult.set_aside``), said on the report's page too.
    """
    data_paths = [Path(p) for p in ([data] if isinstance(data, (str, Path)) else (data or [SAMPLE_DIR]))]
    targets_path = Path(targets) if targets else DEFAULT_TARGETS
    wanted = None if all_provinces else lookup(province)  # unknown names fail here
    read_targets(targets_path)  # a bad targets file fails here
    out = check_output(Path(out))
    return _run_batch(data_paths, targets_path, wanted, all_provinces, jobs, year, period_end, out, money_unit,
                      progress, reuse_kernels, all_periods, scheduler)


@contextlib.contextmanager
def _output_lock(out: Path):
    """Hold the output folder for one run: two runs at once would each remove the other's new
    snapshot (prune_inputs) and could interleave their index and summary."""
    import filelock

    out.mkdir(parents=True, exist_ok=True)
    try:
        with filelock.FileLock(out / ".thads-report.lock", timeout=0):
            yield
    except filelock.Timeout:
        raise ValueError(f"another `thads report` is writing into {out}; wait until it ends or choose another "
                         "--out") from None


def _run_batch(data_paths, targets_path, wanted, all_provinces, jobs, year, period_end, out, money_unit, progress,
               reuse_kernels, all_periods, scheduler) -> BatchResult:
    from .indicators import periods as data_periods
    from .indicators import resolve_period

    result, bad = load_usable(data_paths, money_unit)
    if result.frame is None or (wanted is not None and wanted.code in bad):
        problems = result.errors or (bad.get(wanted.code, []) if wanted else [])
        raise DataError(problems)
    if year is None:
        year = schema.statistical_year(period_end) if period_end is not None else DEFAULT_YEAR
    chosen = [resolve_period(result.frame, year, period_end)]
    if all_periods:
        chosen = data_periods(result.frame, year)
    plans = [_plan(result, targets_path, year, period, wanted, all_provinces, out, len(chosen) > 1)
             for period in chosen]
    with _output_lock(out):  # every check passed: now the folders and snapshots, which the notebooks name
        try:
            produced, failures = _make_reports(plans, result, targets_path, set_aside_notes(bad), jobs, progress,
                                               reuse_kernels, scheduler)
            set_aside = set_aside_lines(bad)
            if all_provinces:
                failures += [Failure(*line.split(": ", 1)) for line in set_aside]
                failures += [failure for plan in plans for failure in plan["absent"]]
                for plan in plans:
                    failures += _write_index_and_summary(plan, produced, failures, year)
        finally:  # also when interrupted: no snapshot stays that no report names
            for plan in plans:
                prune_inputs(plan["folder"])
    names = sorted(key.split("/", 1)[1] for key in produced)
    made = {plan["folder"]: sum(1 for j in plan["jobs"] if j.key in produced) for plan in plans}
    return BatchResult(plans[0]["folder"] if len(plans) == 1 else out, names, failures,
                       [plan["folder"] for plan in plans], made, [] if all_provinces else set_aside)


def _make_reports(plans: list[dict], result: LoadResult, targets_path: Path, notes: list[str], jobs, progress: bool,
                  reuse_kernels: bool, scheduler: str | None) -> tuple[list[str], list[Failure]]:
    """Folders and inputs snapshots of the plans, then their notebooks; returns reports made and failures."""
    for plan in plans:
        _own_folder(plan["folder"], plan["folder"].parent)
        plan["data_dir"], plan["targets"] = write_inputs(result, targets_path, plan["folder"], notes)
        for job in plan["jobs"]:
            job.parameters.update(data_path=os.path.relpath(plan["data_dir"], plan["folder"]),
                                  targets_path=os.path.relpath(plan["targets"], plan["folder"]))
    job_list = [job for plan in plans for job in plan["jobs"]]
    if scheduler:
        return run_on_dask(job_list, scheduler, progress)
    return run_jobs(job_list, min(job_count(jobs), len(job_list)), progress, reuse_kernels)


def job_count(jobs: int | None) -> int:
    """Notebooks run at once: ``jobs``, at most the cores (each job keeps a kernel of a few hundred MB)."""
    cores = os.cpu_count() or 1
    if jobs is None:
        return cores
    if jobs < 1:
        raise ValueError(f"--jobs {jobs}: give a number of notebooks to run at once, 1 or more")
    return min(jobs, cores)


def _write_index_and_summary(plan: dict, produced: list[str], failures: list[Failure], year: int) -> list[Failure]:
    """summary.csv and index.html of one period's folder; a failure to write them is listed, never raised."""
    folder = plan["folder"]
    try:
        done = {job.name.split("-")[0] for job in plan["jobs"] if job.key in produced}
        analysis = prepare(plan["data_dir"], plan["targets"], year, plan["period"])
        summary = summary_table(analysis, {c: n for c, n in plan["names"].items() if c in done})
        write_atomic(folder / "summary.csv", csv_text(summary))
        write_index(folder, summary, analysis, failures, any(j.key in produced and j.name == NATIONAL_NAME
                                                            for j in plan["jobs"]))
        return []
    except Exception as exc:  # the reports are made: say what is missing rather than stop
        if os.environ.get("THADS_DEBUG"):
            traceback.print_exception(exc)
        return [Failure(f"{folder.name}: index.html, summary.csv", _describe(exc))]


def _plan(result: LoadResult, targets_path: Path, year: int, period: pd.Timestamp, wanted, all_provinces: bool,
          out: Path, dated_labels: bool) -> dict:
    """The folder and jobs of one period (the snapshot is written once every plan passed its checks)."""
    folder = out / period.date().isoformat()
    _check_folder(folder, out)
    _check_folder(folder / "inputs", folder)
    present = set(result.frame.loc[result.frame["period_end"] == period, "province_code"])
    if wanted is not None and wanted.code not in present:
        raise ValueError(f"no data for {wanted.name} ({wanted.code}) at {period.strftime('%d/%m/%Y')}")
    common = dict(year=int(year), period_end=period.date().isoformat(), data_path="", targets_path="")
    check_parameters(PROVINCE_TEMPLATE, {"province": "", **common})
    reference = provinces().set_index("code")
    codes = [wanted.code] if wanted else sorted(present)
    names = {c: f"{c}-{reference.at[c, 'slug']}" for c in codes}
    prefix = period.strftime("%d/%m/%Y ") if dated_labels else ""
    jobs = [Job(names[c], f"{prefix}{c} {reference.at[c, 'short_name']}", PROVINCE_TEMPLATE,
                {"province": c, **common}, folder / names[c]) for c in codes]
    if all_provinces:
        check_parameters(NATIONAL_TEMPLATE, common)
        jobs.insert(0, Job(NATIONAL_NAME, f"{prefix}Toàn quốc", NATIONAL_TEMPLATE, dict(common),
                           folder / NATIONAL_NAME))
    for job in jobs:
        for suffix in (".ipynb", ".html"):
            target = job.stem.with_suffix(suffix)
            if target.is_dir() and not target.is_symlink():
                raise ValueError(f"{target} is a folder where a report goes; move it away or choose another --out")
    year_rows = result.frame["period_end"].map(schema.statistical_year) == schema.statistical_year(period)
    absent = sorted(set(result.frame.loc[year_rows, "province_code"]) - present) if all_provinces else []
    return dict(folder=folder, period=period, names=names, jobs=jobs,
                absent=[Failure(f"{prefix}{c} {reference.at[c, 'short_name']}", f"no report at "
                                f"{period.strftime('%d/%m/%Y')}, although the data hold its other months of the "
                                "year; region and national totals that need it are withheld") for c in absent])


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
        from distributed import Client, as_completed as dask_completed
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
                    failures.append(Failure(job.label, _describe(exc)))
                bar.set_postfix_str(job.label)
                bar.update()
        except KeyboardInterrupt:
            client.cancel(list(futures), force=True)
            raise
    return produced, failures
