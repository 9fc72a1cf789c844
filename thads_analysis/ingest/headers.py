"""Header rows → canonical column names: which column holds which field, and its stated unit."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from . import schema
from .labels import label_index, normalize_label, strip_header_unit
from .readers import RawTable
from .schema import Problem

KNOWN_IGNORED = {"stt", "tt", "so tt", "ghi chu", "note", "notes"}
# A snapshot written by the batch keeps the file and row each value came from.
PROVENANCE = {"source file": "source_file", "source row": "source_row"}


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
            problems.append(Problem(raw.file, "duplicate column", f"{header!r} and {raw.headers[columns[name]]!r} "
                                    f"both mean {name!r}; keep one of them", row=1, column=str(header)))
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
            problems.append(Problem(raw.file, "unknown column", f"{header!r} is not a known column; did you mean "
                                    f"{schema.LABELS.get(name, name)!r} ({name})?", row=1, column=header))
        else:
            problems.append(Problem(raw.file, "ignored column", f"{header!r} is not a known column and was ignored",
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
        alternatives = {"province_code": " or 'province'", "period_end": " or 'year'",
                        "measure": " ('cases' or 'money')"}.get(name, "")
        problems.append(Problem(raw.file, "missing column", f"required column {name!r}{alternatives} "
                                f"(Vietnamese {schema.LABELS.get(name, name)!r}) is absent", row=1, column=name))
    return HeaderMap(columns, units), problems


def table_kind(columns) -> str:
    """"standing" for a table of standing-target counts only, else "report" (the form table)."""
    has_report = any(c in columns for c in schema.REQUIRED_VALUES)
    has_standing = any(c in columns for c in schema.STANDING_COLUMNS)
    return "standing" if has_standing and not has_report else "report"
