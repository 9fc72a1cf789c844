"""The ``thads`` command: ``validate`` data files, ``summary`` of one province, ``report`` notebooks."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
import warnings
from pathlib import Path

import pandas as pd

from . import __version__, i18n
from .i18n import N_, _
from .ingest.io import load
from .ingest.schema import SAMPLE_MARK, DataError
from .numbers import date_text, value_text

# Origins of rows as ``io.origin_of`` names them; others are the files' own words.
ORIGINS = {"sample": N_("sample"), "reported": N_("reported")}


def _validate(args: argparse.Namespace) -> int:
    """Print every problem of the given files; 0 when there is no error."""
    result = load(args.paths, money_unit=args.money_unit)
    for problem in result.problems:
        print(problem, file=sys.stderr if problem.severity == "error" else sys.stdout)
    errors = result.errors
    if errors:
        print(_("{errors} problem(s) in {files} file(s); nothing was loaded. Fix the rows named above and run "
                "`thads validate` again.").format(errors=len(errors), files=len(result.files)), file=sys.stderr)
        return 1
    frame = result.frame
    periods = sorted(frame["period_end"].dt.date.unique())
    offices = result.offices
    count = 0 if offices is None else len(offices[["province_code", "office_code"]].drop_duplicates())
    units = "" if offices is None else _(" of province totals (and {rows} rows of {offices} offices, each total "
                                         "checked against its offices)").format(rows=i18n.number(len(offices)),
                                                                               offices=i18n.number(count))
    print(_("OK: {files} file(s), {rows} rows{units}, {provinces} provinces, {periods} period(s) from {first} to "
            "{last}; origin: {origin}").format(
        files=len(result.files), rows=i18n.number(len(frame)), units=units, provinces=frame["province_code"].nunique(),
        periods=len(periods), first=i18n.day(periods[0]), last=i18n.day(periods[-1]),
        origin=", ".join(_(ORIGINS.get(o, o)) for o in result.origin.split(", "))))
    return 0


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--year", type=int,
                        help=_("statistical year (default: that of --period-end, else the latest in the data)"))
    parser.add_argument("--period-end", type=_date,
                        help=_("period end, e.g. 30/06/2017 or 2017-06-30 (default: latest of the year)"))
    parser.add_argument("--data", type=Path, nargs="+", help=_("data files or folders (default: the bundled sample)"))
    parser.add_argument("--targets", type=Path, help=_("targets CSV (default: data/targets/campaign_2017.csv)"))
    parser.add_argument("--money-unit", help=_("unit of money values when the files do not state it"))
    parser.add_argument("--campaign", type=Path, help=_("campaign definition YAML: window, milestones (default: "
                                                        "data/targets/campaign_2017.yaml)"))


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{text!r} is not a whole number").format(text=text)) from None
    if value < 1:
        raise argparse.ArgumentTypeError(_("{value}: give 1 or more").format(value=value))
    return value


def _date(text: str) -> pd.Timestamp:
    for dayfirst in (False, True):
        try:
            return pd.Timestamp(pd.to_datetime(text, dayfirst=dayfirst, format="%d/%m/%Y" if dayfirst else "%Y-%m-%d"))
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(_("{text!r} is not a date; write 30/06/2017 or 2017-06-30").format(text=text))


def _summary(args: argparse.Namespace) -> int:
    """Print the indicator table of one province as a table, CSV or JSON."""
    from .analysis.pipeline import prepare, scorecard
    from .provinces import lookup

    province = lookup(args.province)  # an unknown name fails here, before any data is read
    office = None
    if args.office:
        from .offices import lookup_office

        office = lookup_office(args.office, province.code)  # likewise for an unknown office
    analysis = prepare(args.data, args.targets, args.year, args.period_end, args.money_unit, args.campaign)
    card = (scorecard(analysis, province.code) if office is None
            else analysis.office_scorecard(province.code, office.code))
    for warning in analysis.warnings:
        print(warning, file=sys.stderr)
    if args.format == "json":
        records = json.loads(card.assign(period_end=card["period_end"].dt.strftime("%Y-%m-%d"))
                             .to_json(orient="records", force_ascii=False))
        print(json.dumps(records, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        from .ingest.spreadsheet import inert_cells

        inert_cells(card.assign(period_end=card["period_end"].dt.strftime("%Y-%m-%d"))).to_csv(sys.stdout, index=False)
    else:
        print(_summary_table(card, province, analysis, office))
    return 0


def _summary_table(card: pd.DataFrame, province, analysis, office=None) -> str:
    origin = SAMPLE_MARK if analysis.is_sample else f"Nguồn: {analysis.origin}"
    from .provinces import office_name

    subject = office_name(province) if office is None else f"{office.name} ({province.name})"
    lines = [f"{subject} — số liệu đến ngày {analysis.period_end.strftime('%d/%m/%Y')} "
             f"(năm thống kê {analysis.year}) — {origin}", ""]
    rows = [("Chỉ tiêu", "Thực hiện", "Chỉ tiêu giao", "Chênh lệch", "Đánh giá")]
    for r in card.itertuples():
        rows.append((r.label, value_text(r.actual, r.unit), r.target_text, r.gap_text or "",
                     r.status_label))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for i, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[j]) if j == 0 else cell.rjust(widths[j]) if j < 4 else cell
                               for j, cell in enumerate(row)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    # Why a number is missing (e.g. which month's report), for the rows without one.
    notes = [f"- {r.label}: {r.note}" for r in card.itertuples()
             if (r.actual is None or pd.isna(r.actual)) and isinstance(r.note, str) and r.note]
    if notes:
        lines += ["", "Ghi chú:", *notes]
    return "\n".join(lines)


# The pages' sign-off parameters (notebook parameters of the same names): the review block, then
# the document's heading and signature block (reporting.document).
SIGNOFF_OPTIONS = {
    "prepared_by": N_("người lập: the name printed in each page's review block"),
    "checked_by": N_("người kiểm tra: the name printed in the review block"),
    "review_date": N_("the review block's date, e.g. 05/10/2017 or 2017-10-05"),
    "review_note": N_("ghi chú: a note printed in the review block"),
    "issuer": N_("cơ quan ban hành of the heading, the superior first, lines split by '|' (default: Tổng cục Thi "
                 "hành án dân sự | Cục Thi hành án dân sự of the province)"),
    "document_number": N_("số văn bản, e.g. 125/BC-CTHADS (default: a dotted line)"),
    "place": N_("địa danh of the date line (default: the province's name)"),
    "issue_date": N_("ngày ban hành, e.g. 05/10/2017 (default: dotted lines)"),
    "signer": N_("người ký, under the signer's title (default: a dotted line)"),
    "signer_title": N_("chức vụ người ký (default: Cục trưởng; Tổng Cục trưởng on the national overview)"),
}


def _signoff(args: argparse.Namespace) -> dict:
    """The sign-off options given, checked before any kernel starts: dates written dd/mm/yyyy, text
    without control characters and of a printable length (ValueError naming the option)."""
    from .reporting.document import field_text

    given = {}
    for name in SIGNOFF_OPTIONS:
        option = "--" + name.replace("_", "-")
        value = getattr(args, name)
        given[name] = date_text(value, option) if name.endswith("_date") else field_text(value, option)
    return given


def _report(args: argparse.Namespace) -> int:
    """Executed notebooks and HTML for one province or all; exit 1 when any report failed."""
    from .batch.run import job_count, run_batch

    if (args.first or args.last) and (args.period_end or args.all_periods):
        raise ValueError(_("--from/--to choose the periods: leave out --period-end and --all-periods"))
    if args.shared_folder and not args.scheduler:
        raise ValueError(_("--shared-folder goes with --scheduler (it says the Dask workers see --out); leave it out "
                           "for a run on this machine"))
    if args.jobs is not None and not args.scheduler and job_count(args.jobs) < args.jobs:
        print(_("--jobs {jobs} capped at {cores}, the cores of this machine (each job keeps a kernel of a few "
                "hundred MB)").format(jobs=args.jobs, cores=job_count(args.jobs)), file=sys.stderr)
    result = run_batch(args.province, args.all, args.jobs, args.year, args.period_end, args.data, args.targets,
                       args.out, args.money_unit, progress=not args.quiet, reuse_kernels=not args.fresh_kernels,
                       all_periods=args.all_periods, scheduler=args.scheduler, campaign=args.campaign,
                       region=args.region,
                       period_range=(args.first, args.last) if args.first or args.last else None,
                       shared_folder=args.shared_folder, force=args.force,
                       signoff=_signoff(args),
                       xlsx=args.xlsx, csv_dialect=args.csv_dialect, pdf=args.pdf, docx=args.docx)
    for line in result.set_aside:
        print(_("warning: set aside: {line}").format(line=line), file=sys.stderr)
    for folder in result.folders:
        kept = result.kept.get(folder, 0)
        print(_("{folder}: {made} report(s) made").format(folder=folder, made=result.made.get(folder, 0))
              + (_(", {kept} kept unchanged (--force makes them again)").format(kept=kept) if kept else "")
              + (_(", index {index}").format(index=folder / "index.html") if args.all else ""))
    if not args.quiet and any(result.made.values()):
        print(_("ran on {engine}").format(engine=result.engine))
    if result.failures:
        print(_("{count} report(s) failed:").format(count=len(result.failures)), file=sys.stderr)
        for failure in result.failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    return 0


def _export(args: argparse.Namespace) -> int:
    """Write the Excel workbook of the provinces asked for (or of all, with the national scope)."""
    from .analysis.pipeline import prepare
    from .provinces import lookup
    from .reporting.workbook import write_workbook

    codes = None if args.all else [lookup(p).code for p in args.province]  # unknown names fail first
    if args.out.suffix.lower() != ".xlsx":
        raise ValueError(_("--out {out}: name an Excel file ending in .xlsx").format(out=args.out))
    if not args.out.parent.is_dir():
        raise ValueError(_("--out {out}: the folder {folder} does not exist").format(out=args.out,
                                                                                    folder=args.out.parent))
    analysis = prepare(args.data, args.targets, args.year, args.period_end, args.money_unit, args.campaign)
    for warning in analysis.warnings:
        print(warning, file=sys.stderr)
    write_workbook(analysis, args.out, codes)
    print(_("Excel: {path}").format(path=args.out))
    return 0


def _diff(args: argparse.Namespace) -> int:
    """Print what changed from one report folder to another; exit 0 (changes are not an error)."""
    from .batch.diff import compare, read_folder, text_report

    if args.html and not args.html.parent.is_dir():
        raise ValueError(_("--html {html}: the folder {folder} does not exist").format(html=args.html,
                                                                                      folder=args.html.parent))
    changes = compare(read_folder(args.old), read_folder(args.new))
    print("\n".join(text_report(changes, args.old, args.new)))
    if args.html:
        from .batch.diff import html_report
        from .batch.outputs import write_atomic

        write_atomic(args.html, html_report(changes, args.old, args.new))
        print(_("HTML: {path}").format(path=args.html))
    return 0


def _review(args: argparse.Namespace) -> int:
    """List the review state of every report of a period folder; with --approve record the reviewer."""
    from .batch.outputs import output_lock
    from .batch.review import approve, states

    folder = args.folder
    if not folder.is_dir():
        raise ValueError(_("{folder} is not a folder of reports: name a period folder, e.g. reports/2017-09-30")
                         .format(folder=folder))
    if args.approve is not None:
        with output_lock(folder.parent):  # not while a `thads report` writes into the folder
            approved = approve(folder, args.approve, args.by or "", args.note)
        print(_("{count} report(s) recorded as checked by {name} in {path}").format(
            count=len(approved), name=args.by.strip(), path=folder / "reviews.json"))
    found = states(folder)
    if not found:
        print(_("{folder}: no reports").format(folder=folder))
    width = max((len(name) for name in found), default=0)
    for name, review in found.items():
        print(f"{name.ljust(width)}  {review.text}")
    return 0


def _language_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=i18n.LANGUAGES,
                        help=_("language of messages and help: vi (default) or en; also THADS_LANG or LANG"))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``thads``, its help in the current language."""
    parser = argparse.ArgumentParser(prog="thads", description=_("THADS statistics: validate, summarise, report."))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _language_option(parser)
    commands = parser.add_subparsers(dest="command", required=True, title=_("commands"))

    def command(name: str, text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=text, description=text)
        _language_option(sub)
        return sub

    validate = command("validate", _("check data files; exit 1 listing every problem"))
    validate.add_argument("paths", nargs="+", type=Path, help=_("data files (.csv, .xlsx, .parquet) or folders"))
    validate.add_argument("--money-unit", help=_("unit of money values when the file does not state it "
                                                 "(đồng, nghìn đồng, triệu đồng, tỷ đồng)"))
    validate.set_defaults(handler=_validate)
    summary = command("summary", _("indicator table of one province against its targets"))
    summary.add_argument("--province", required=True, help=_("province code or name, e.g. 36 or 'Nam Định'"))
    _add_data_options(summary)
    summary.add_argument("--office", help=_("one office of the province: 'Cục', a Chi cục's district ('Hải Hậu') "
                                            "or its code (366); held to the province's targets unless the targets "
                                            "file has its own"))
    summary.add_argument("--format", choices=["table", "csv", "json"], default="table",
                         help=_("table (default), csv or json"))
    summary.set_defaults(handler=_summary)
    report = command("report", _("executed notebooks and HTML reports (papermill)"))
    which = report.add_mutually_exclusive_group(required=True)
    which.add_argument("--province", nargs="+", action="extend",
                       help=_("provinces, codes or names: --province 36 01 'TP HCM' (may be repeated)"))
    which.add_argument("--region", help=_("every province of a region, e.g. 'Đồng bằng sông Hồng'"))
    which.add_argument("--all", action="store_true",
                       help=_("all provinces, the national overview, index.html, summary.csv"))
    report.add_argument("--jobs", type=_positive, help=_("notebooks run in parallel (default and most: the cores)"))
    _add_data_options(report)
    report.add_argument("--out", type=Path, default=Path("reports"), help=_("output folder (default: reports)"))
    report.add_argument("--quiet", action="store_true", help=_("no progress bar"))
    report.add_argument("--all-periods", action="store_true",
                        help=_("every period of the year in the data (e.g. the 12 monthly reports), one folder each"))
    report.add_argument("--from", dest="first", type=_date,
                        help=_("first period of a range, e.g. 31/01/2017 or 2017-01-31"))
    report.add_argument("--to", dest="last", type=_date, help=_("last period of a range, e.g. 30/09/2017"))
    report.add_argument("--scheduler", help=_("run the notebooks on a Dask distributed scheduler, e.g. "
                                              "tcp://host:8786; inputs and reports travel through the scheduler, "
                                              "the workers need no folder of this machine"))
    report.add_argument("--shared-folder", action="store_true",
                        help=_("with --scheduler: the workers see --out at the same path and read and write there"))
    for name, text in SIGNOFF_OPTIONS.items():
        report.add_argument("--" + name.replace("_", "-"), default="", help=_(text))
    report.add_argument("--force", action="store_true",
                        help=_("make every report again (by default a report whose own data, targets, campaign, "
                               "parameters and code are unchanged is kept)"))
    report.add_argument("--xlsx", action="store_true", help=_("also the Excel workbook: tong-hop.xlsx with --all, "
                                                              "else one beside each province's page"))
    report.add_argument("--pdf", action="store_true", help=_("also each page printed on A4 paper as <name>.pdf "
                                                             "(by headless Chromium, which must be installed)"))
    report.add_argument("--docx", action="store_true", help=_("also each report as a Word document <name>.docx "
                                                              "(the page's sections, tables and charts, A4, to edit "
                                                              "and sign)"))
    report.add_argument("--csv-dialect", choices=["plain", "excel-vi"], default="plain",
                        help=_("summary.csv (with --all): plain (UTF-8, commas, column names, full precision; for "
                               "programs) or excel-vi (opens as it is in Excel on a Vietnamese Windows: byte order "
                               "mark, semicolons, Vietnamese headers, numbers rounded as shown with a decimal "
                               "comma)"))
    report.add_argument("--fresh-kernels", action="store_true",
                        help=_("a new kernel for every notebook (slower; the default reuses one warm kernel per "
                               "job)"))
    report.set_defaults(handler=_report)
    export = command("export", _("the Excel workbook of a report set: scorecards, ranking, campaign window, "
                                 "offices, data checks"))
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument("--province", nargs="+", action="extend", help=_("provinces, codes or names"))
    which.add_argument("--all", action="store_true", help=_("the national scope and every province"))
    _add_data_options(export)
    export.add_argument("--out", type=Path, required=True, help=_("the workbook to write, e.g. bao-cao.xlsx"))
    export.set_defaults(handler=_export)
    diff = command("diff", _("what changed between two report folders (rows, values, statuses, ranks)"))
    diff.add_argument("old", type=Path, help=_("the earlier report folder, e.g. reports/2017-05-31"))
    diff.add_argument("new", type=Path, help=_("the later report folder, e.g. reports/2017-06-30"))
    diff.add_argument("--html", type=Path, help=_("also write the changes as a Vietnamese HTML page to this file"))
    diff.set_defaults(handler=_diff)
    review = command("review", _("which reports of a folder were checked, and which changed since; --approve "
                                 "records the reviewer"))
    review.add_argument("folder", type=Path, help=_("a period folder of reports, e.g. reports/2017-09-30"))
    review.add_argument("--approve", nargs="*", metavar=_("REPORT"),
                        help=_("record the reviewer, the time and the checksums of the reports checked, e.g. "
                               "36-nam-dinh (none named: every report of the folder) in reviews.json"))
    review.add_argument("--by", help=_("with --approve: the reviewer's name (người kiểm tra)"))
    review.add_argument("--note", default="", help=_("with --approve: a note kept with the review"))
    review.set_defaults(handler=_review)
    return parser


def _chosen_language(argv: list[str] | None) -> str:
    """``--lang`` wherever it stands in ``argv``, else the environment's language."""
    first = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    first.add_argument("--lang")
    try:
        lang = first.parse_known_args(argv)[0].lang
    except argparse.ArgumentError:  # "--lang" without a value
        lang = None
    # A wrong or missing --lang: the full parser says so, once, in the environment's language.
    return lang if lang in i18n.LANGUAGES else i18n.from_environment()


def command() -> None:
    """The ``thads`` command (and ``python -m thads_analysis``): ``main``, then exit with its code.
    Python's last collection at exit would walk every object the run made, only to free memory the
    operating system takes back anyway (0,4 s of a one-province correction); ``gc.freeze`` leaves
    them out of it."""
    code = main()
    gc.freeze()
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    """Run the command line in the language asked for; returns the exit code."""
    # argparse's own words (usage, errors) come from the same catalogue, for this run only.
    own = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = i18n._, i18n.ngettext
    try:
        with i18n.speaking(_chosen_language(argv)), warnings.catch_warnings():
            # requests silences urllib3's note that PySocks is missing with a filter of its own, added
            # while the notebook tools load in a background thread; a catch_warnings block ending in
            # another thread meanwhile drops it (catch_warnings is not thread-safe), and the note once
            # reached an interrupted batch's stderr. Set here, before any thread, every such block
            # keeps it. The command line never uses a SOCKS proxy.
            warnings.filterwarnings("ignore", message="SOCKS support in urllib3 requires")
            with _without_iri_grammar():
                return _run(argv)
    finally:
        argparse._, argparse.ngettext = own


@contextlib.contextmanager
def _without_iri_grammar():
    """For the run, ``rfc3987_syntax`` cannot be imported. jsonschema, which nbformat loads to check
    notebooks, registers its "iri" format check when that package is there (JupyterLab's
    jupyter-events brings it), and importing it compiles a grammar: 1,55 s of the 1,7 s that
    importing papermill takes, in every run that makes a report, for a check no notebook schema
    uses. jsonschema leaves the check out when the import fails. An import done before stays."""
    if "rfc3987_syntax" in sys.modules:
        yield
        return
    sys.modules["rfc3987_syntax"] = None  # the import system's way to say "not importable"
    try:
        yield
    finally:
        if sys.modules.get("rfc3987_syntax", 0) is None:
            del sys.modules["rfc3987_syntax"]


def _run(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except DataError as exc:
        print(exc, file=sys.stderr)
        print(_("{count} problem(s); nothing was produced.").format(count=len(exc.problems)), file=sys.stderr)
        return 1
    except ValueError as exc:  # unknown province, period not in the data, unknown money unit
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_("interrupted: the reports already made and every earlier report are in place; nothing "
                "half-written"), file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of the output (`| head`) stopped reading: not an error of ours
        # The Python documentation's recipe: no second error when the interpreter flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # the disk is full, a folder vanished: say which file, without a traceback
        where = f" {exc.filename}" if exc.filename else ""
        print(_("error:{where}: {reason}").format(where=where, reason=exc.strerror or exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
