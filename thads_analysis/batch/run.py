"""Batch reports: executed notebooks and HTML for provinces and the nation, via papermill.

Everything that can fail on the input is checked in this process before any kernel starts.
The validated data are written once to ``<out>/<period>/inputs/`` (parquet, keeping the
original file and row of every value) and each notebook reads that snapshot, so a report can
be re-run on exactly the numbers it showed. Notebooks run in parallel threads (each has its
own kernel process); outputs are written to temporary files and renamed, so a failed report
leaves the previous good one in place. One failing report does not stop the others.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..analysis.campaign import DEFAULT_CAMPAIGN, read_campaign
from ..analysis.pipeline import prepare
from ..analysis.targets import read_targets
from ..ingest import schema
from ..ingest.io import LoadResult, load_usable, set_aside_lines, set_aside_notes
from ..ingest.schema import DataError
from ..paths import DEFAULT_TARGETS, SAMPLE_DIR
from ..provinces import lookup, region_codes
from .executors import run_jobs
from .inputs import prune_inputs, write_inputs
from .outputs import check_output, csv_text, output_lock, own_folder, summary_table, write_atomic, write_index
from .plan import NATIONAL_NAME, Failure, Plan, job_count, plan_period


@dataclass
class BatchResult:
    out_dir: Path  # the period's folder (the output root when several periods were made)
    produced: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)
    made: dict = field(default_factory=dict)  # folder → reports made there by this run
    set_aside: list[str] = field(default_factory=list)  # provinces left out of another province's report
    engine: str = ""  # how the notebooks ran: local kernels, or Dask and how the files travelled


def run_batch(province=None, all_provinces: bool = False, jobs: int | None = None, year: int | None = None,
              period_end=None, data=None, targets=None, out: Path = Path("reports"), money_unit: str | None = None,
              progress: bool = True, reuse_kernels: bool = True, all_periods: bool = False,
              scheduler: str | None = None, campaign=None, region: str | None = None,
              period_range: tuple | None = None, shared_folder: bool = False) -> BatchResult:
    """Produce reports for one province or all (plus the national overview, index and summary).

    ``all_periods`` makes the reports of every period of the year in the data, one folder
    each, in one run of the kernels; ``period_range`` (first, last; either may be None) those of
    every period between them, across statistical years. ``scheduler`` sends the notebooks to a Dask distributed
    scheduler instead of local kernels; inputs and reports then travel through the scheduler, or with
    ``shared_folder`` the workers use the output folder itself. Raises DataError / ValueError for input that stops
    everything (before any kernel starts). A province whose rows break a rule is set aside:
    with ``all_provinces`` it is a failure; for another province's report a warning
    (``BatchResult.set_aside``), said on the report's page too.
    """
    data_paths = [Path(p) for p in ([data] if isinstance(data, (str, Path)) else (data or [SAMPLE_DIR]))]
    targets_path = Path(targets) if targets else DEFAULT_TARGETS
    campaign_path = Path(campaign) if campaign else DEFAULT_CAMPAIGN
    wanted = None if all_provinces else wanted_provinces(province, region)  # unknown names fail here
    read_targets(targets_path)  # a bad targets file fails here
    read_campaign(campaign_path)  # and a bad campaign file
    out = check_output(Path(out))
    return _run_batch(data_paths, targets_path, campaign_path, wanted, all_provinces, jobs, year, period_end, out,
                      money_unit, progress, reuse_kernels, all_periods, scheduler, period_range, shared_folder)


def _run_batch(data_paths, targets_path, campaign_path, wanted, all_provinces, jobs, year, period_end, out, money_unit,
               progress, reuse_kernels, all_periods, scheduler, period_range, shared_folder) -> BatchResult:
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
    plans = [plan_period(result, schema.statistical_year(period), period, usable, all_provinces, out, len(chosen) > 1)
             for period in chosen]
    with output_lock(out):  # every check passed: now the folders and snapshots, which the notebooks name
        try:
            produced, failures = _make_reports(plans, result, targets_path, campaign_path, set_aside_notes(bad), jobs,
                                               progress, reuse_kernels, scheduler, shared_folder)
            # A province asked for and set aside is a failure; any other set aside is a warning.
            codes = None if all_provinces else {p.code for p in wanted}
            lines = dict(zip(sorted(bad), set_aside_lines(bad)))
            failures += [Failure(*line.split(": ", 1)) for code, line in lines.items() if codes is None or code in codes]
            set_aside = [line for code, line in lines.items() if codes is not None and code not in codes]
            failures += [failure for plan in plans for failure in plan.absent]
            if all_provinces:
                for plan in plans:
                    year_of_plan = schema.statistical_year(plan.period)
                    failures += _write_index_and_summary(plan, produced, failures, year_of_plan)
        finally:  # also when interrupted: no snapshot stays that no report names
            for plan in plans:
                prune_inputs(plan.folder)
    names = sorted(key.split("/", 1)[1] for key in produced)
    made = {plan.folder: sum(1 for j in plan.jobs if j.key in produced) for plan in plans}
    workers = min(job_count(jobs), sum(len(plan.jobs) for plan in plans))
    engine = (f"Dask {scheduler}, " + ("the workers sharing the output folder" if shared_folder else
                                       "inputs and reports through the scheduler") if scheduler else
              f"{workers} {'fresh' if not reuse_kernels else 'warm'} kernel(s) on this machine")
    return BatchResult(plans[0].folder if len(plans) == 1 else out, names, failures,
                       [plan.folder for plan in plans], made, set_aside, engine)


def periods_between(frame, year: int | None, first=None, last=None) -> list:
    """The periods of the data from ``first`` to ``last`` (dates, either None for open), only those of
    statistical ``year`` when given; ValueError naming the periods available when there is none."""
    from ..analysis.indicators import periods as data_periods

    first, last = (None if d is None else pd.Timestamp(d) for d in (first, last))
    if first is not None and last is not None and last < first:
        raise ValueError(f"--to {last.strftime('%d/%m/%Y')} is before --from {first.strftime('%d/%m/%Y')}")
    available = data_periods(frame, year)
    chosen = [p for p in available if (first is None or p >= first) and (last is None or p <= last)]
    if not chosen:
        shown = ", ".join(p.strftime("%d/%m/%Y") for p in available) or "none"
        raise ValueError(f"no period from {'the start' if first is None else first.strftime('%d/%m/%Y')} to "
                         f"{'the end' if last is None else last.strftime('%d/%m/%Y')} in the data; periods "
                         f"available: {shown}")
    return chosen


def wanted_provinces(province=None, region: str | None = None) -> list:
    """The provinces asked for: codes or names (one or several) and/or every province of a region,
    in the order given, each once. ValueError/UnknownProvinceError for an unknown name."""
    names = [province] if isinstance(province, (str, int)) else list(province or [])
    found = [lookup(p) for p in names] + ([lookup(c) for c in region_codes(region)] if region else [])
    if not found:
        raise ValueError("name a province (--province) or a region (--region), or ask for --all")
    return list({p.code: p for p in found}.values())


def _make_reports(plans: list[Plan], result: LoadResult, targets_path: Path, campaign_path: Path, notes: list[str],
                  jobs, progress: bool, reuse_kernels: bool, scheduler: str | None,
                  shared_folder: bool) -> tuple[list[str], list[Failure]]:
    """Folders and inputs snapshots of the plans, then their notebooks; returns reports made and failures."""
    for plan in plans:
        own_folder(plan.folder, plan.folder.parent)
        plan.point_at(*write_inputs(result, targets_path, campaign_path, plan.folder, notes))
    job_list = [job for plan in plans for job in plan.jobs]
    if scheduler:
        try:
            from .cluster import run_on_dask
        except ImportError as exc:  # an optional engine
            raise ValueError("--scheduler needs the 'distributed' package: pip install -e \".[cluster]\" "
                             "in the project folder") from exc
        return run_on_dask(job_list, scheduler, progress, shared_folder)
    return run_jobs(job_list, min(job_count(jobs), len(job_list)), progress, reuse_kernels)


def _write_index_and_summary(plan: Plan, produced: list[str], failures: list[Failure], year: int) -> list[Failure]:
    """summary.csv and index.html of one period's folder; a failure to write them is listed, never raised."""
    folder = plan.folder
    try:
        done = {job.name.split("-")[0] for job in plan.jobs if job.key in produced}
        analysis = prepare(plan.data_dir, plan.targets, year, plan.period, campaign=plan.campaign)
        summary = summary_table(analysis, {c: n for c, n in plan.names.items() if c in done})
        write_atomic(folder / "summary.csv", csv_text(summary))
        national = any(j.key in produced and j.name == NATIONAL_NAME for j in plan.jobs)
        write_index(folder, summary, analysis, failures, NATIONAL_NAME if national else None)
        return []
    except Exception as exc:  # the reports are made: say what is missing rather than stop
        if os.environ.get("THADS_DEBUG"):
            traceback.print_exception(exc)
        return [Failure.of(f"{folder.name}: index.html, summary.csv", exc)]
