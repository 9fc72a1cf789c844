"""What a batch will make: one ``Plan`` per period, its folder and its jobs (one notebook each)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..analysis.pipeline import provenance_of
from ..i18n import _
from ..ingest import schema
from ..ingest.io import LoadResult
from ..paths import NOTEBOOKS_DIR
from ..provinces import provinces
from .outputs import check_folder

PROVINCE_TEMPLATE = NOTEBOOKS_DIR / "province_report.ipynb"
NATIONAL_TEMPLATE = NOTEBOOKS_DIR / "national_overview.ipynb"
NATIONAL_NAME = "00-toan-quoc"


@dataclass
class Job:
    """One notebook to run: its template, parameters and output files (without suffix)."""

    name: str  # "36-nam-dinh" or "00-toan-quoc"
    label: str  # "36 Nam Định" or "Toàn quốc"
    template: Path
    parameters: dict
    stem: Path
    provenance: dict = field(default_factory=dict)  # version, commit, input checksums (Plan.point_at)

    @property
    def key(self) -> str:
        """Unique across periods: "2017-09-30/36-nam-dinh"."""
        return f"{self.stem.parent.name}/{self.name}"


Words = str | Callable[[], str]  # text, or a function writing it in the language current when it is read


class Failure:
    """A report that could not be produced, and why.

    ``label`` and ``reason`` may each be given as a function of no argument: they are then written
    in the language current when they are read, the command line's on the terminal and Vietnamese
    on index.html (``outputs.write_index`` renders the page in Vietnamese)."""

    def __init__(self, label: Words, reason: Words):
        self._label, self._reason = label, reason

    @property
    def label(self) -> str:
        return self._label() if callable(self._label) else self._label

    @property
    def reason(self) -> str:
        return self._reason() if callable(self._reason) else self._reason

    @classmethod
    def of(cls, label: str, exc: BaseException) -> Failure:
        """The failure of ``label`` by ``exc``: the failing cell of a notebook, else the error."""
        from papermill.exceptions import PapermillExecutionError

        if isinstance(exc, PapermillExecutionError):
            return cls(label, lambda: _("cell {index}: {name}: {value}").format(
                index=exc.cell_index, name=exc.ename, value=exc.evalue))
        return cls(label, f"{type(exc).__name__}: {exc}")

    def __str__(self) -> str:
        return f"{self.label}: {self.reason}"

    def __repr__(self) -> str:
        return f"Failure({self.label!r}, {self.reason!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Failure) and (self.label, self.reason) == (other.label, other.reason)

    __hash__ = None


@dataclass
class Plan:
    """One period's folder, its jobs and the provinces whose report is absent from the data."""

    folder: Path
    period: pd.Timestamp
    names: dict[str, str]  # province code → file name without suffix
    jobs: list[Job]
    absent: list[Failure] = field(default_factory=list)
    data_dir: Path | None = None  # the inputs snapshot, once written
    targets: Path | None = None
    campaign: Path | None = None

    def point_at(self, data_dir: Path, targets: Path, campaign: Path) -> None:
        """Give every job the inputs snapshot, relative to the folder the kernel runs in."""
        self.data_dir, self.targets, self.campaign = data_dir, targets, campaign
        provenance = provenance_of(data_dir, targets, campaign)  # once per snapshot, not once per report
        for job in self.jobs:
            job.provenance = provenance
            job.parameters.update(data_path=os.path.relpath(data_dir, self.folder),
                                  targets_path=os.path.relpath(targets, self.folder),
                                  campaign_path=os.path.relpath(campaign, self.folder))


def declared_parameters(template: Path) -> list[str]:
    """The names the template's cell tagged ``parameters`` assigns, in order: what
    ``papermill.inspect_notebook`` lists, read with json and ast because importing papermill (its
    jsonschema format checkers) takes seconds that a run with nothing to make should not spend."""
    import ast
    import json

    notebook = json.loads(Path(template).read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            names = []
            for node in ast.parse(source).body:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
                    if isinstance(node, ast.AnnAssign) else []
                names += [t.id for t in targets if isinstance(t, ast.Name) and t.id not in names]
            return names
    return []


def check_parameters(template: Path, parameters: dict) -> None:
    """Fail on parameters the template does not declare (papermill only warns)."""
    declared = set(declared_parameters(template))
    unknown = sorted(set(parameters) - declared)
    if unknown:
        raise ValueError(_("{template} has no parameter(s) {unknown}; it declares {declared}").format(
            template=template.name, unknown=", ".join(unknown), declared=", ".join(sorted(declared))))


def job_count(jobs: int | None) -> int:
    """Notebooks run at once: ``jobs``, at most the cores (each job keeps a kernel of a few hundred MB)."""
    cores = os.cpu_count() or 1
    if jobs is None:
        return cores
    if jobs < 1:
        raise ValueError(_("--jobs {jobs}: give a number of notebooks to run at once, 1 or more").format(jobs=jobs))
    return min(jobs, cores)


def plan_period(result: LoadResult, year: int, period: pd.Timestamp, wanted: list | None, all_provinces: bool,
                out: Path, dated_labels: bool, signoff: dict | None = None) -> Plan:
    """The folder and jobs of one period; ValueError when they cannot be made. Nothing is written
    (the snapshot is written once every plan passed its checks). ``wanted``: the provinces asked
    for (None: all); of several, those without a report at the period are listed as absent.
    ``signoff``: the parameters of the review block and the document heading given (``run_batch``)."""
    folder = out / period.date().isoformat()
    check_folder(folder, out)
    check_folder(folder / "inputs", folder)
    present = set(result.frame.loc[result.frame["period_end"] == period, "province_code"])
    missing = [p for p in wanted or [] if p.code not in present]
    if wanted and len(missing) == len(wanted):
        raise ValueError(_("no data for {provinces} at {day}").format(
            provinces=", ".join(f"{p.name} ({p.code})" for p in missing), day=period.strftime("%d/%m/%Y")))
    common = dict(year=int(year), period_end=period.date().isoformat(), data_path="", targets_path="",
                  campaign_path="", **{k: v for k, v in (signoff or {}).items() if v})
    check_parameters(PROVINCE_TEMPLATE, {"province": "", **common})
    reference = provinces().set_index("code")
    codes = [p.code for p in wanted if p.code in present] if wanted is not None else sorted(present)
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
                raise ValueError(_("{target} is a folder where a report goes; move it away or choose another "
                                   "--out").format(target=target))
    year_rows = schema.statistical_year(result.frame["period_end"]) == schema.statistical_year(period)
    in_year = set(result.frame.loc[year_rows, "province_code"])
    absent = sorted(in_year - present) if all_provinces else [p.code for p in missing]
    return Plan(folder, period, names, jobs,
                [Failure(f"{prefix}{c} {reference.at[c, 'short_name']}", _absence(period, year, c in in_year))
                 for c in absent])


def _absence(period: pd.Timestamp, year: int, in_year: bool) -> Callable[[], str]:
    """Why a province has no report at ``period`` (``in_year``: the data hold other months of its
    year), in the language current when it is read."""
    day = period.strftime("%d/%m/%Y")
    if in_year:
        return lambda: _("no report at {day}, although the data hold its other months of the year; region and "
                         "national totals that need it are withheld").format(day=day)
    return lambda: _("no report at {day}: the data hold nothing of it in statistical year {year}").format(
        day=day, year=year)
