"""Header rows → canonical column names: which column holds which field, and its stated unit."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from ..i18n import N_, _
from . import schema
from .labels import label_index, normalize_label, strip_header_unit
from .readers import RawTable
from .schema import Problem

KNOWN_IGNORED = {"stt", "tt", "so tt", "ghi chu", "note", "notes"}
# A snapshot written by the batch keeps the file and row each value came from.
PROVENANCE = {"source file": "source_file", "source row": "source_row"}
# A required column that is absent, with the columns that may stand for it. The names are the
# spellings a header may use, so they stay as they are in every language, beside their labels.
MISSING = {
    "province_code": N_("required column {name!r} or 'province' (Vietnamese {label!r}) is absent"),
    "period_end": N_("required column {name!r} or 'year' (Vietnamese {label!r}) is absent"),
    "measure": N_("required column {name!r} ('cases' or 'money') (Vietnamese {label!r}) is absent"),
}
MISSING_ANY = N_("required column {name!r} (Vietnamese {label!r}) is absent")


@dataclass
class HeaderMap:
    columns: dict[str, int]  # canonical name → column position
    units: dict[str, str]  # canonical name → money unit stated in its header


def map_headers(raw: RawTable) -> tuple[HeaderMap, list[Problem]]:
    """Match the table's headers to canonical names; unknown or misspelt ones are reported."""
    index = label_index()
    columns: dict[str, int] = {}
    units: dict[str, str] = {}
    problems: list[Problem] = []
    unknown: list[tuple[int, str]] = []
    suggested: set[str] = set()
    for pos, header in enumerate(raw.headers):
        if header is None or not str(header).strip():
            continue
        label, unit = strip_header_unit(str(header))
        key = normalize_label(label)
        if key in KNOWN_IGNORED:
            continue
        name = index.get(key) or PROVENANCE.get(key)
        if name is None:
            unknown.append((pos, str(header)))
            continue
        if name in columns:
            problems.append(Problem(raw.file, N_("duplicate column"), _(
                "{header!r} and {other!r} both mean {name!r}; keep one of them").format(
                header=header, other=raw.headers[columns[name]], name=schema.column_text(name)), row=1,
                column=str(header)))
            continue
        columns[name] = pos
        if unit:
            units[name] = unit
    for pos, header in unknown:
        candidates = [k for k, v in index.items() if v not in columns]
        close = difflib.get_close_matches(normalize_label(strip_header_unit(header)[0]), candidates, n=1, cutoff=0.75)
        if close:
            name = index[close[0]]
            suggested.add(name)
            problems.append(Problem(raw.file, N_("unknown column"), _(
                "{header!r} is not a known column; did you mean {label!r} ({name})?").format(
                header=header, label=schema.LABELS.get(name, name), name=name), row=1, column=header))
        else:
            problems.append(Problem(raw.file, N_("ignored column"), _(
                "{header!r} is not a known column and was ignored").format(header=header),
                row=1, column=header, severity="warning"))
    kind = table_kind(columns)
    missing = []
    if "province_code" not in columns and "province" not in columns:
        missing.append("province_code")
    if "period_end" not in columns and "year" not in columns:
        missing.append("period_end")
    if kind == "report":
        if "measure" not in columns and raw.measure_hint is None:
            missing.append("measure")
        missing += [c for c in schema.REQUIRED_VALUES if c not in columns]
    for name in missing:
        if name in suggested:
            continue  # already reported with its suggested spelling
        problems.append(Problem(raw.file, N_("missing column"), _(MISSING.get(name, MISSING_ANY)).format(
            name=name, label=schema.LABELS.get(name, name)), row=1, column=name))
    return HeaderMap(columns, units), problems


def table_kind(columns) -> str:
    """"standing" for a table of standing-target counts only, else "report" (the form table)."""
    has_report = any(c in columns for c in schema.REQUIRED_VALUES)
    has_standing = any(c in columns for c in schema.STANDING_COLUMNS)
    return "standing" if has_standing and not has_report else "report"
