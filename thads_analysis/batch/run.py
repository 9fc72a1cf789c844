"""Batch reports: executed notebooks and HTML for provinces and the nation, via papermill.

Everything that can fail on the input is checked in this process before any notebook runs (the
kernels start meanwhile, and are stopped when the input stops the run).
The validated data are written once to ``<out>/<period>/inputs/`` (parquet, keeping the
original file and row of every value) and each notebook reads that snapshot, so a report can
be re-run on exactly the numbers it showed. Notebooks run in parallel threads (each has its
own kernel process); outputs are written to temporary files and renamed, so a failed report
leaves the previous good one in place. One failing report does not stop the others.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import tempfile
import threading
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..analysis.campaign import DEFAULT_CAMPAIGN, read_campaign
from ..analysis.pipeline import prepare
from ..analysis.targets import read_targets
from ..i18n import _, using
from ..ingest import schema
from ..ingest.io import LoadResult, load_usable, set_aside_label, set_aside_lines, set_aside_notes
from ..ingest.schema import DataError
from ..paths import DEFAULT_TARGETS, SAMPLE_DIR
from ..provenance import file_sha256
from ..provinces import lookup, region_codes
from . import freeze
from .executors import LocalExecutor
from .inputs import prune_inputs, read_back, write_inputs
from .outputs import (
    CSV_DIALECTS,
    check_output,
    csv_text,
    link_reports,
    output_lock,
    own_folder,
    summary_table,
    write_atomic,
    write_index,
)
from .plan import NATIONAL_NAME, Failure, Job, Plan, job_count, plan_period


@dataclass
class BatchResult:
    out_dir: Path  # the period's folder (the output root when several periods were made)
    produced: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)
    made: dict = field(default_factory=dict)  # folder → reports made there by this run
    set_aside: list[str] = field(default_factory=list)  # provinces left out of another province's report
    engine: str = ""  # how the notebooks ran: local kernels, or Dask and how the files travelled
    kept: dict = field(default_factory=dict)  # folder → reports kept unchanged from an earlier run (freeze)


def run_batch(province=None, all_provinces: bool = False, jobs: int | None = None, year: int | None = None,
              period_end=None, data=None, targets=None, out: Path = Path("reports"), money_unit: str | None = None,
              progress: bool = True, reuse_kernels: bool = True, all_periods: bool = False,
              scheduler: str | None = None, campaign=None, region: str | None = None,
              period_range: tuple | None = None, shared_folder: bool = False, force: bool = False,
              signoff: dict | None = None, xlsx: bool = False, csv_dialect: str = "plain",
              pdf: bool = False, docx: bool = False) -> BatchResult:
    """Produce reports for one province or all (plus the national overview, index and summary).

    ``all_periods`` makes the reports of every period of the year in the data, one folder
    each, in one run of the kernels; ``period_range`` (first, last; either may be None) those of
    every period between them, across statistical years. ``scheduler`` sends the notebooks to a Dask distributed
    scheduler instead of local kernels; inputs and reports then travel through the scheduler, or with
    ``shared_folder`` the workers use the output folder itself. A report whose own inputs, parameters
    and code are those of the report already in place is kept (``freeze``), unless ``force``.
    ``signoff``: the pages' parameters of the review block (prepared_by, checked_by, review_date,
    review_note) and of the document's heading and signature (issuer, document_number, place,
    issue_date, signer, signer_title; ``reporting.document``). ``xlsx``: also the Excel workbook
    of each period's set (``WORKBOOK_NAME`` with ``all_provinces``, else one beside each
    province's page). ``csv_dialect``: that of summary.csv (``outputs.csv_text``). ``pdf``: also
    each page printed on A4 (``<name>.pdf``, ``reporting.paged``); ``docx``: each report as a Word
    document (``<name>.docx``, ``reporting.word``). Raises DataError / ValueError for input that
    stops everything (before any notebook runs). A province whose rows break a rule is set aside:
    with ``all_provinces`` it is a failure; for another province's report a warning
    (``BatchResult.set_aside``), said on the report's page too.
    """
    data_paths = [Path(p) for p in ([data] if isinstance(data, (str, Path)) else (data or [SAMPLE_DIR]))]
    targets_path = Path(targets) if targets else DEFAULT_TARGETS
    campaign_path = Path(campaign) if campaign else DEFAULT_CAMPAIGN
    wanted = None if all_provinces else wanted_provinces(province, region)  # unknown names fail here
    read_targets(targets_path)  # a bad targets file fails here
    read_campaign(campaign_path)  # and a bad campaign file
    if csv_dialect not in CSV_DIALECTS:
        raise ValueError(_("--csv-dialect {dialect}: choose one of {dialects}").format(
            dialect=csv_dialect, dialects=", ".join(CSV_DIALECTS)))
    out = check_output(Path(out))
    if scheduler:
        return _run_batch(data_paths, targets_path, campaign_path, wanted, all_provinces, jobs, year, period_end, out,
                          money_unit, progress, reuse_kernels, all_periods, scheduler, period_range, shared_folder,
                          force, signoff, xlsx, csv_dialect, pdf, docx)
    most = len(wanted) if wanted and not (all_periods or period_range) else job_count(jobs)  # reports to make
    with _fewer_collections(), LocalExecutor(min(job_count(jobs), most), reuse_kernels) as executor:
        # The kernels start while the input is read and checked (seconds each way), unless the
        # newest reports here were made from these very files: then most likely all are kept.
        if force or not freeze.likely_unchanged(out, data_paths, targets_path, campaign_path):
            executor.start_ahead()
        return _run_batch(data_paths, targets_path, campaign_path, wanted, all_provinces, jobs, year, period_end, out,
                          money_unit, progress, reuse_kernels, all_periods, scheduler, period_range, shared_folder,
                          force, signoff, xlsx, csv_dialect, pdf, docx, executor)


@contextlib.contextmanager
def _fewer_collections():
    """The garbage collector's full scans made rarer for the run: reading and analysing the input
    allocate some 10⁶ objects that live as long as the run, and the default thresholds had them
    scanned again and again (about a tenth of that time). Restored afterwards; objects a caller
    froze itself (a warm kernel running a batch) stay frozen, and then nothing is frozen here."""
    thresholds, ours = gc.get_threshold(), gc.get_freeze_count() == 0
    if ours:
        gc.freeze()  # the imports' objects: never garbage
    gc.set_threshold(50_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if ours:
            gc.unfreeze()


def _run_batch(data_paths, targets_path, campaign_path, wanted, all_provinces, jobs, year, period_end, out, money_unit,
               progress, reuse_kernels, all_periods, scheduler, period_range, shared_folder, force,
               signoff, xlsx=False, csv_dialect="plain", pdf=False, docx=False,
               executor: LocalExecutor | None = None) -> BatchResult:
    from ..analysis.indicators import periods as data_periods
    from ..analysis.indicators import resolve_period

    result, bad = load_usable(data_paths, money_unit)
    if result.frame is None or (wanted and all(p.code in bad for p in wanted)):
        raise DataError(result.errors or [problem for p in wanted or [] for problem in bad.get(p.code, [])])
    if period_range:
        chosen = periods_between(result.frame, year, *period_range)
    else:
        chosen = [resolve_period(result.frame, year, period_end)]
        if all_periods:
            chosen = data_periods(result.frame, schema.statistical_year(chosen[0]) if year is None else int(year))
    usable = None if wanted is None else [p for p in wanted if p.code not in bad]  # the others fail below
    plans = [plan_period(result, schema.statistical_year(period), period, usable, all_provinces, out, len(chosen) > 1,
                         signoff) for period in chosen]
    with output_lock(out):  # every check passed: now the folders and snapshots, which the notebooks name
        try:
            digest = freeze.code_digest()
            notes = set_aside_notes(bad)
            for plan in plans:
                own_folder(plan.folder, plan.folder.parent)
                plan.point_at(*write_inputs(result, targets_path, campaign_path, plan.folder, notes))
            to_make, kept = _to_make(plans, result, targets_path, campaign_path, notes, digest, force)
            with ThreadPoolExecutor(1) as background, tempfile.TemporaryDirectory(prefix="thads-") as scratch:
                # The indexes' numbers are worked out while the kernels start (they need only the snapshot);
                # the kernels are handed that analysis rather than each working it out again.
                # The snapshot's rows are those just read and checked here: not read and checked again.
                # Each period's summary table right after its analysis: the kernels start from both.
                pending = {}
                for plan in plans if all_provinces and (to_make or xlsx) else []:
                    analysis = background.submit(_index_analysis, plan, read_back(result, plan.data_dir))
                    summary = background.submit(lambda done=analysis: _summary_of(done.result()))
                    pending[plan.folder] = (analysis, summary)
                produced, failures = _make_reports(to_make, executor, progress, scheduler, shared_folder,
                                                   _analysis_files(pending, Path(scratch)))
                # A province asked for and set aside is a failure; any other set aside is a warning.
                codes = None if all_provinces else {p.code for p in wanted}
                lines = dict(zip(sorted(bad), set_aside_lines(bad)))
                failures += [_set_aside_failure(c, bad[c]) for c in lines if codes is None or c in codes]
                set_aside = [line for c, line in lines.items() if codes is not None and c not in codes]
                failures += [failure for plan in plans for failure in plan.absent]
                if all_provinces:
                    for plan in plans:
                        failures += _write_index_and_summary(plan, produced, kept, failures, digest, force,
                                                             pending.get(plan.folder), csv_dialect)
                if xlsx:
                    for plan in plans:
                        failures += _write_workbooks(plan, all_provinces, pending.get(plan.folder))
                done = [job for plan in plans for job in plan.jobs if job.key in produced or job.key in kept]
                if pdf:
                    failures += _write_pdfs(done, jobs)
                if docx:
                    failures += _write_docx(done)
        finally:  # also when interrupted: no snapshot stays that no report names
            for plan in plans:
                prune_inputs(plan.folder)
    names = sorted(key.split("/", 1)[1] for key in produced)
    made = {plan.folder: sum(1 for j in plan.jobs if j.key in produced) for plan in plans}
    kept_in = {plan.folder: sum(1 for j in plan.jobs if j.key in kept) for plan in plans}
    workers = min(job_count(jobs), len(to_make))  # the kernels that made reports
    if scheduler:
        engine = (_("Dask {scheduler}, the workers sharing the output folder") if shared_folder else
                  _("Dask {scheduler}, inputs and reports through the scheduler")).format(scheduler=scheduler)
    else:
        engine = (_("{workers} warm kernel(s) on this machine") if reuse_kernels else
                  _("{workers} fresh kernel(s) on this machine")).format(workers=workers)
    return BatchResult(plans[0].folder if len(plans) == 1 else out, names, failures,
                       [plan.folder for plan in plans], made, set_aside, engine, kept_in)


def _set_aside_failure(code: str, problems: list) -> Failure:
    """The failure of a province set aside (``set_aside_lines``' line), in the language current when
    it is read: the command line's on the terminal, Vietnamese on index.html."""
    def reason() -> str:
        line, label = set_aside_lines({code: problems})[0], set_aside_label(code)
        return line[len(label) + 2:] if line.startswith(label + ": ") else line

    return Failure(lambda: set_aside_label(code), reason)


def periods_between(frame, year: int | None, first=None, last=None) -> list:
    """The periods of the data from ``first`` to ``last`` (dates, either None for open), only those of
    statistical ``year`` when given; ValueError naming the periods available when there is none."""
    from ..analysis.indicators import periods as data_periods

    first, last = (None if d is None else pd.Timestamp(d) for d in (first, last))
    if first is not None and last is not None and last < first:
        raise ValueError(_("--to {last} is before --from {first}").format(
            last=last.strftime("%d/%m/%Y"), first=first.strftime("%d/%m/%Y")))
    available = data_periods(frame, year)
    chosen = [p for p in available if (first is None or p >= first) and (last is None or p <= last)]
    if not chosen:
        shown = ", ".join(p.strftime("%d/%m/%Y") for p in available) or _("none")
        raise ValueError(_("no period from {first} to {last} in the data; periods available: {shown}").format(
            first=_("the start") if first is None else first.strftime("%d/%m/%Y"),
            last=_("the end") if last is None else last.strftime("%d/%m/%Y"), shown=shown))
    return chosen


def wanted_provinces(province=None, region: str | None = None) -> list:
    """The provinces asked for: codes or names (one or several) and/or every province of a region,
    in the order given, each once. ValueError/UnknownProvinceError for an unknown name."""
    names = [province] if isinstance(province, (str, int)) else list(province or [])
    found = [lookup(p) for p in names] + ([lookup(c) for c in region_codes(region)] if region else [])
    if not found:
        raise ValueError(_("name a province (--province) or a region (--region), or ask for --all"))
    return list({p.code: p for p in found}.values())


def _to_make(plans: list[Plan], result: LoadResult, targets_path: Path, campaign_path: Path, notes: list[str],
             digest: str, force: bool) -> tuple[list[Job], dict[str, str]]:
    """The jobs whose fingerprint (``digest``: the package's) differs from their report's in place,
    all with ``force``, each given its fingerprint; and the reports kept (key → the snapshot their
    page names)."""
    provinces = freeze.province_digests(result.frame, result.standing, result.offices)
    files = "/".join(file_sha256(p) for p in (targets_path, campaign_path))
    kept, to_make = {}, []
    for plan in plans:
        snapshot = plan.data_dir.parent.name
        for job in plan.jobs:
            mark = freeze.fingerprint(job, digest, freeze.own_inputs(job, snapshot, provinces, files, notes))
            job.provenance = {**job.provenance, "fingerprint": mark}
            before, made_from = freeze.recorded(job.stem)
            if before == mark and not force:
                kept[job.key] = made_from
            else:
                to_make.append(job)
    return to_make, kept


def _make_reports(jobs: list[Job], executor: LocalExecutor | None, progress: bool, scheduler: str | None,
                  shared_folder: bool, analysis_file=None) -> tuple[list[str], list[Failure]]:
    """Run the notebooks of ``jobs`` on ``executor`` (local kernels) or on Dask; returns the reports
    made and the failures. ``analysis_file``: see ``_analysis_files`` (local warm kernels only)."""
    if not jobs:
        return [], []
    if scheduler:
        try:
            from .cluster import run_on_dask
        except ImportError as exc:  # an optional engine
            raise ValueError(_("--scheduler needs the 'distributed' package: pip install -e \".[cluster]\" "
                               "in the project folder")) from exc
        return run_on_dask(jobs, scheduler, progress, shared_folder)
    return executor.run(jobs, progress, analysis_file)


def _index_numbers(plan: Plan):
    """The analysis of a period's snapshot and its summary table (every province, no links yet)."""
    analysis = _index_analysis(plan)
    return analysis, _summary_of(analysis)


def _index_analysis(plan: Plan, loaded: tuple | None = None):
    """The analysis of a period's snapshot, worked out in Vietnamese as in a report's kernel (the
    pages show its notes). ``loaded``: the snapshot as read (``inputs.read_back``), when in hand."""
    with using("vi"):
        return prepare(plan.data_dir, plan.targets, schema.statistical_year(plan.period), plan.period,
                       campaign=plan.campaign, loaded=loaded)


def _summary_of(analysis):
    """The summary table of every province of ``analysis`` (no links yet), in Vietnamese."""
    with using("vi"):
        return summary_table(analysis)


def _analysis_files(pending: dict, scratch: Path):
    """A function of a job giving the file its kernel reads its analysis from ("" for none): the
    analysis of the job's period worked out here for the index, with the tables its summary table
    assessed (``pending``: folder → the futures of the analysis and of the summary table), pickled
    once into ``scratch``, a folder of this process's own that lives as long as the run.
    Not when its messages name files (warnings, provinces set aside): those are named relative to
    the working directory, which is not the kernel's."""
    lock, files = threading.Lock(), {}

    def analysis_file(job: Job) -> str:
        folder = job.stem.parent
        with lock:
            if folder not in files:
                files[folder] = ""
                try:
                    analysis = pending[folder][0].result() if folder in pending else None
                    if analysis is not None:
                        # After the summary table, which works out the emulation table and the 63
                        # scorecards behind it: the kernels receive them with the analysis instead of
                        # each working them out, and the analysis is not pickled while being added to.
                        pending[folder][1].result()
                except Exception:  # the kernels work it out themselves and meet the error on their pages
                    analysis = None
                if analysis is not None and not analysis.warnings and not analysis.set_aside:
                    path = scratch / f"analysis-{len(files)}.pickle"
                    path.write_bytes(pickle.dumps(analysis, protocol=pickle.HIGHEST_PROTOCOL))
                    files[folder] = str(path)
            return files[folder]

    return analysis_file


def _stale(source: Path, target: Path) -> bool:
    """True when ``target`` is to be made from ``source``: the source is there and the target is
    missing or older (a report made again, or one kept from before the option was given)."""
    return source.exists() and not (target.exists() and target.stat().st_mtime >= source.stat().st_mtime)


def _write_pdfs(done: list[Job], jobs: int | None) -> list[Failure]:
    """The page of each report in ``done`` (made or kept) printed to ``<name>.pdf`` beside it, unless
    a PDF newer than the page is there; browsers run ``jobs`` at once. Each page that could not be
    printed is listed; without a browser, once, saying how to install one."""
    from ..reporting.paged import INSTALL_HINT, browser, print_pdf

    pages = [job.stem.with_suffix(".html") for job in done if _stale(job.stem.with_suffix(".html"),
                                                                      job.stem.with_suffix(".pdf"))]
    if not pages:
        return []
    if browser() is None:
        return [Failure("PDF", lambda: _("Chromium was not found, so no PDF was printed; {hint}. The HTML pages "
                                         "are written.").format(hint=_(INSTALL_HINT)))]

    def one(page: Path) -> Failure | None:
        try:
            print_pdf(page, page.with_suffix(".pdf"))
            return None
        except Exception as exc:  # the pages are made: say which PDF is missing rather than stop
            return Failure(f"{page.parent.name}/{page.stem}.pdf", str(exc))

    with ThreadPoolExecutor(job_count(jobs)) as pool:
        return [failure for failure in pool.map(one, pages) if failure is not None]


def _write_docx(done: list[Job]) -> list[Failure]:
    """The notebook of each report in ``done`` (made or kept) as ``<name>.docx`` beside it, unless a
    Word document newer than the notebook is there. Each one that could not be written is listed."""
    from ..reporting.word import write_docx

    failures = []
    for job in done:
        notebook, target = job.stem.with_suffix(".ipynb"), job.stem.with_suffix(".docx")
        if not _stale(notebook, target):
            continue
        try:
            write_docx(notebook, target)
        except Exception as exc:  # the reports are made: say which document is missing rather than stop
            if os.environ.get("THADS_DEBUG"):
                traceback.print_exception(exc)
            failures.append(Failure(f"{notebook.parent.name}/{target.name}", f"{type(exc).__name__}: {exc}"))
    return failures


WORKBOOK_NAME = "tong-hop.xlsx"  # the workbook of a whole period's set (--all)


def _write_workbooks(plan: Plan, all_provinces: bool, pending: tuple[Future, Future] | None) -> list[Failure]:
    """The Excel workbook of a period's set: ``WORKBOOK_NAME`` for all provinces, else one per province
    beside its page (``<name>.xlsx``), from the same inputs snapshot as the pages. A failure is listed."""
    from ..reporting.workbook import write_workbook

    try:
        analysis = (pending[0].result() if pending is not None else _index_analysis(plan)) if all_provinces else \
            prepare(plan.data_dir, plan.targets, schema.statistical_year(plan.period), plan.period,
                    campaign=plan.campaign)
        if all_provinces:
            write_workbook(analysis, plan.folder / WORKBOOK_NAME)
            return []
        for job in plan.jobs:
            if "province" in job.parameters:
                write_workbook(analysis, job.stem.with_suffix(".xlsx"), [job.parameters["province"]])
        return []
    except Exception as exc:  # the reports are made: say what is missing rather than stop
        if os.environ.get("THADS_DEBUG"):
            traceback.print_exception(exc)
        return [Failure.of(f"{plan.folder.name}: Excel", exc)]


def _write_index_and_summary(plan: Plan, produced: list[str], kept: dict[str, str], failures: list[Failure],
                             digest: str, force: bool, pending: tuple[Future, Future] | None = None,
                             csv_dialect: str = "plain") -> list[Failure]:
    """summary.csv and index.html of one period's folder, kept when nothing they show changed
    (unless ``force``); ``pending``: the futures of their analysis and summary table when already
    under way.
    A failure to write them is listed, never raised. The index names the pages kept from a run
    on an earlier inputs snapshot."""
    folder = plan.folder
    try:
        there = [job for job in plan.jobs if job.key in produced or job.key in kept]
        done = {job.parameters["province"] for job in there if "province" in job.parameters}
        snapshot = plan.data_dir.parent.name
        earlier = {job.parameters["province"] for job in there if "province" in job.parameters
                   and job.key in kept and kept[job.key] != snapshot}
        national = any(job.name == NATIONAL_NAME for job in there)
        with using("vi"):  # the failures as the page shows them, whatever the command line's language
            shown = [str(f) for f in failures]
        mark = freeze.index_fingerprint(digest, snapshot, [sorted(done), sorted(earlier), national, shown,
                                                           csv_dialect])
        made_here = any(job.key in produced for job in plan.jobs)  # their review state may have changed
        if not force and not made_here and freeze.recorded_index(folder) == mark:
            return []
        analysis, summary = tuple(f.result() for f in pending) if pending is not None else _index_numbers(plan)
        summary = link_reports(summary, {c: n for c, n in plan.names.items() if c in done})
        write_atomic(folder / "summary.csv", csv_text(summary, csv_dialect))
        write_index(folder, summary, analysis, failures, NATIONAL_NAME if national else None, earlier, mark)
        return []
    except Exception as exc:  # the reports are made: say what is missing rather than stop
        if os.environ.get("THADS_DEBUG"):
            traceback.print_exception(exc)
        return [Failure.of(f"{folder.name}: index.html, summary.csv", exc)]
