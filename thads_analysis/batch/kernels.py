"""Kernels for the batch and one notebook run in them.

``run_job`` executes one notebook (in a fresh kernel, or in a running one) and writes its
.ipynb and .html atomically. ``Kernels`` holds the state of one batch run — the flag that
stops it, every kernel manager it made, the warm kernel and HTML exporter of each worker
thread — and belongs to the executor that runs the batch: nothing here is module-global.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
import threading
import uuid
import weakref
from pathlib import Path

from ..i18n import _
from ..ingest.io import display_name
from ..reporting.paged import with_print_style
from .kernel import ANALYSIS_PARAMETERS
from .outputs import write_atomic
from .plan import Job

# One BLAS thread per kernel: the reports are small and the cores go to parallel notebooks.
KERNEL_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
WARM_ENGINE = "thads-warm-kernel"
_NEVER = threading.Event()  # the stop flag of a notebook run outside any batch: never set


class Interrupted(Exception):
    """A report not made because the batch was interrupted."""


def html_exporter():
    """An nbconvert exporter of a report page: no code, no prompts, no notebook-only cells."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from nbconvert.preprocessors import TagRemovePreprocessor

    class PageExporter(HTMLExporter):
        """HTMLExporter without its last step, a BeautifulSoup parse of the whole page that only adds
        alt texts and tabindex attributes: it was a third of the export, which runs in the batch's
        own process for every report. The same attributes are added by ``_accessible``."""

        def from_notebook_node(self, nb, resources=None, **kw):
            # HTMLExporter.from_notebook_node (nbconvert 7) up to its BeautifulSoup pass.
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _accessible(html), resources

    # exclude_input hides the code; papermill's report mode only sets source_hidden, which
    # nbconvert ignores.
    exporter = PageExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            language_code="vi")  # <html lang="vi">: read, hyphenated and searched as Vietnamese
    # The templates' opening note is for people running the notebook, not for readers.
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={"notebook-only"}), enabled=True)
    # The notebook checked against its schema once, after all the preprocessors, not after each
    # of the thirteen: that was two fifths of an export.
    exporter.optimistic_validation = True
    return exporter


_FOCUSABLE = re.compile(r'<div class="([^"]*\b(?:jp-OutputArea-output|jp-Cell-inputWrapper)\b[^"]*)"')


def _accessible(html: str) -> str:
    """What nbconvert's soup pass adds to a page without code: each chart's text for readers who
    cannot see it (in Vietnamese), and each text and output reachable with the keyboard."""
    html = html.replace('<img src="data:image/', '<img alt="Biểu đồ" src="data:image/')
    return _FOCUSABLE.sub(r'<div class="\1" tabindex="0"', html)


def import_tools() -> None:
    """Import what running and exporting a notebook needs (papermill, nbformat, nbconvert): about
    1,5 s, most of it jsonschema's format checkers. Called in a thread while kernels start, it
    takes that time off a run that makes only a few reports."""
    import nbconvert  # noqa: F401
    import nbformat  # noqa: F401
    import papermill  # noqa: F401


def ipc_manager_class(base, started: weakref.WeakSet | None = None):
    """``base`` (a jupyter_client kernel manager class) with kernels talking over local IPC sockets
    beside their connection files (nothing listens on TCP, and ipykernel has no reason to warn
    about unencrypted TCP on every start), started with ``KERNEL_ENV`` and without MPLBACKEND:
    the batch's own process environment is left as it is. Each manager made joins ``started``."""
    from traitlets import default

    class IpcKernelManager(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if started is not None:
                started.add(self)

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


def kernel_manager_class(started: weakref.WeakSet | None = None):
    """The kernel manager papermill starts a fresh kernel with (asynchronous, on IPC)."""
    from jupyter_client import AsyncKernelManager

    return ipc_manager_class(AsyncKernelManager, started)


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


def run_job(job: Job, km=None, kc=None, stop: threading.Event = _NEVER, exporter=None,
            started: weakref.WeakSet | None = None, source: tuple | None = None,
            write: bool = True) -> tuple[str, str]:
    """Execute one notebook; returns its .ipynb and .html texts, which it writes atomically beside
    ``job.stem`` unless ``write`` is False. Raises on failure.

    With ``km`` and ``kc`` (a running kernel and its connected client) the notebook runs in
    that kernel; otherwise in a fresh kernel started in the report's folder, whose manager joins
    ``started``. ``source``: the template as (display name, notebook node) when it is not read
    from ``job.template`` (a Dask worker need not see the client's files). Once ``stop`` is set
    the run ends as ``Interrupted``.
    """
    import nbformat  # here, not at the top: its schema validator takes seconds to import, and a run
    import papermill  # that keeps every report unchanged never needs it
    from papermill.exceptions import PapermillExecutionError

    stem = job.stem
    if stop.is_set():
        raise Interrupted(_("interrupted before it started"))
    try:
        for attempt in (1, 2):
            try:
                # The kernel runs in the report's folder (nbclient's resources path, per kernel; papermill's
                # cwd= would chdir the whole process), so the notebook names its inputs "inputs/...".
                if km is not None:
                    _register_warm_engine()
                    kernel = {"km": km, "kc": kc, "engine_name": WARM_ENGINE}
                else:
                    kernel = {"kernel_manager_class": kernel_manager_class(started),
                              "resources": {"metadata": {"path": str(stem.parent.resolve())}}}
                # No output path: papermill writes nothing; the files appear only complete (below).
                nb = papermill.execute_notebook(
                    str(job.template) if source is None else source[1], None, parameters=job.parameters, kernel_name="python3",
                    progress_bar=False, log_output=False, request_save_on_cell_execute=False, **kernel)
                break
            except PapermillExecutionError:
                raise
            except RuntimeError as exc:  # "Kernel didn't respond in 60 seconds": try once more
                # A pooled kernel is retried by the pool, which resets it first: not here.
                if attempt == 2 or km is not None or "didn't respond" not in str(exc) or stop.is_set():
                    raise
        # Record where the notebook came from and went without this machine's folders.
        nb.metadata["papermill"]["input_path"] = display_name(job.template) if source is None else source[0]
        nb.metadata["papermill"]["output_path"] = stem.with_suffix(".ipynb").name
        settle(nb, job.provenance)
        nb.metadata["title"] = f"Báo cáo thi hành án dân sự — {job.label}"  # the page's title, not "Notebook"
        body, _resources = (exporter or html_exporter()).from_notebook_node(nb)
        body = with_print_style(body)
        notebook = nbformat.writes(nb)
        if write:
            write_reports(stem, notebook, body)
        return notebook, body
    except Exception:
        if stop.is_set():
            raise Interrupted(_("interrupted while running")) from None
        raise


def write_reports(stem: Path, notebook: str, html: str) -> None:
    """Write a report's HTML and its notebook beside ``stem``, each atomically."""
    write_atomic(stem.with_suffix(".html"), html)
    write_atomic(stem.with_suffix(".ipynb"), notebook)


def settle(nb, provenance: dict) -> None:
    """Record the provenance in the notebook's metadata ("thads") and drop what changes from run to
    run on the same input (execution times and durations, the injected cell's random id), so that
    two runs differ only in the generation time the page shows."""
    for key in ("start_time", "end_time", "duration"):
        nb.metadata.get("papermill", {}).pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for key in ("start_time", "end_time", "duration"):
            cell.metadata.get("papermill", {}).pop(key, None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"
    nb.metadata["thads"] = provenance


class Kernels:
    """The kernels of one batch run.

    With ``reuse`` each worker thread keeps one warm kernel for all its notebooks (imports done,
    reset between notebooks by ``kernel.reset``); otherwise every notebook gets a fresh kernel.
    ``interrupt`` stops the run from the main thread; ``close`` shuts every kernel down.
    """

    def __init__(self, reuse: bool = True):
        self.reuse = reuse
        self.analysis_file = None  # set by the executor: job → the pickled analysis its kernel starts with, or ""
        self.stop = threading.Event()
        self.started: weakref.WeakSet = weakref.WeakSet()  # every kernel manager made, pooled or fresh
        self._warm: list = []  # (manager, client) of every warm kernel; threads cannot see each other's
        self._lock = threading.Lock()
        self._thread = threading.local()  # this worker thread's kernel and exporter

    def run(self, job: Job, source: tuple | None = None, write: bool = True) -> tuple[str, str]:
        """Run ``job`` in this thread's warm kernel or a fresh one; returns the notebook and HTML
        texts (``run_job`` says what ``source`` and ``write`` do); raises on failure."""
        if not self.reuse:
            return run_job(job, stop=self.stop, exporter=self._exporter(), started=self.started, source=source,
                           write=write)
        for attempt in (1, 2):
            if self.stop.is_set():
                raise Interrupted(_("interrupted before it started"))
            try:
                km = getattr(self._thread, "km", None)
                if km is None or not km.is_alive():
                    self._stop_thread_kernel()
                    self._start(job.stem.parent)
                self._set_up(f"import thads_analysis.batch.kernel as _k\n_k.reset({str(job.stem.parent.resolve())!r})")
                if not self._thread.primed:
                    self._prime(job)  # after the reset: the job's paths are relative to its folder
                return run_job(job, km=self._thread.km, kc=self._thread.kc, stop=self.stop,
                               exporter=self._exporter(), source=source, write=write)
            except Exception as exc:
                from papermill.exceptions import PapermillExecutionError

                if isinstance(exc, (PapermillExecutionError, Interrupted)) or attempt == 2 or self.stop.is_set():
                    raise
                self._stop_thread_kernel()  # a dead or stuck kernel: start a new one and try once more

    def quiet_when_stopped(self, record) -> bool:
        """A logging filter: once the batch is interrupted, the clients' "Kernel died" errors are
        expected and the command says it was interrupted in one line."""
        return not self.stop.is_set()

    def interrupt(self) -> None:
        """No new notebook starts; the running ones lose their kernels and end at once."""
        self.stop.set()
        for manager in list(self.started):
            process = getattr(getattr(manager, "provisioner", None), "process", None)
            if process is not None and process.poll() is None:
                process.kill()

    def close(self) -> None:
        """Shut down every warm kernel (of every thread)."""
        with self._lock:
            warm, self._warm = self._warm, []
        for km, kc in warm:
            _shutdown(km, kc)

    def _exporter(self):
        if not hasattr(self._thread, "exporter"):  # exporters are not shared across threads
            self._thread.exporter = html_exporter()
        return self._thread.exporter

    def start_ahead(self, folder: Path) -> None:
        """Start this thread's warm kernel now, in ``folder``, before its first job is known (while
        the batch's process reads the input); warm kernels only (``reuse``). A kernel that fails to
        start is started again by ``run``; nothing is raised here."""
        if getattr(self._thread, "km", None) is not None:
            return
        try:
            self._start(folder)
        except Exception:  # noqa: S110  run() starts the kernel again, and a failure there is the report's
            pass

    def _start(self, folder: Path) -> None:
        """Start this thread's warm kernel in ``folder``, its imports done (``kernel.warm_up``)."""
        from jupyter_client import KernelManager
        from jupyter_client.asynchronous import AsyncKernelClient
        from jupyter_core.utils import run_sync

        if self.stop.is_set():
            raise Interrupted(_("interrupted before it started"))
        km = ipc_manager_class(KernelManager, self.started)(kernel_name="python3")
        # No input history: a batch kernel's cells are the templates', and two kernels writing the
        # user's IPython history database only wait on each other's locks.
        km.start_kernel(cwd=str(folder), extra_arguments=["--HistoryManager.enabled=False"])
        # An asynchronous client, as nbclient makes for itself: it watches the kernel while
        # waiting for output, so a kernel that dies mid-notebook fails that notebook instead
        # of hanging the batch. One event loop per worker thread (jupyter_core's run_sync).
        kc = AsyncKernelClient(**km.get_connection_info(session=True), parent=km)
        kc.allow_stdin = False
        kc.start_channels()
        self._thread.km, self._thread.kc, self._thread.primed = km, kc, False
        with self._lock:
            self._warm.append((km, kc))
        run_sync(kc.wait_for_ready)(timeout=120)
        self._set_up("import thads_analysis.batch.kernel as _k\n_k.warm_up()")

    def _prime(self, job: Job) -> None:
        """Have the analysis the first report of this thread's kernel shows ready in it: read from
        ``analysis_file(job)`` (waited for), else worked out there (``kernel.first_analysis``)."""
        shared = self.analysis_file(job) if self.analysis_file else ""
        chosen = {k: v for k, v in job.parameters.items() if k in ANALYSIS_PARAMETERS}  # texts, numbers: repr is code
        self._set_up(f"import thads_analysis.batch.kernel as _k\n_k.first_analysis({chosen!r}, {shared!r})\ndel _k")
        self._thread.primed = True

    def _set_up(self, code: str) -> None:
        """Run set-up code in this thread's kernel; fails at once if it dies or the batch is interrupted."""
        import asyncio

        from jupyter_core.utils import run_sync

        km, kc = self._thread.km, self._thread.kc

        async def watched():
            task = asyncio.ensure_future(kc.execute_interactive(code, silent=True, timeout=120))
            while not task.done():
                await asyncio.wait([task], timeout=0.5)
                if not task.done() and (self.stop.is_set() or not km.is_alive()):
                    task.cancel()
                    raise Interrupted(_("interrupted")) if self.stop.is_set() else RuntimeError(_("the kernel died"))
            return task.result()

        reply = run_sync(watched)()
        if reply["content"]["status"] != "ok":
            raise RuntimeError(_("kernel set-up failed: {name}: {value}").format(
                name=reply["content"].get("ename"), value=reply["content"].get("evalue")))

    def _stop_thread_kernel(self) -> None:
        km, kc = getattr(self._thread, "km", None), getattr(self._thread, "kc", None)
        if km is None:
            return
        self._thread.km = self._thread.kc = None
        with self._lock:
            if (km, kc) in self._warm:
                self._warm.remove((km, kc))
        _shutdown(km, kc)


def _shutdown(km, kc) -> None:
    kc.stop_channels()
    if km.has_kernel:
        km.shutdown_kernel(now=True)
