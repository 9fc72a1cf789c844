"""Property: any hostile variant of a good file gives exit 0 with its meaning unchanged, or exit 1
with messages naming the file, the row and the rule — never a traceback, never a hang.

The variants are generated (hypothesis) from the small report of conftest.py, whose values were
worked by hand: the same numbers written another way (Vietnamese or English groups, spaces,
another money unit), one hostile cell, and damage to the bytes of the file (an inserted
character, a line deleted, doubled or swapped, the file cut short, another encoding). What each
cell means is known from the generator, not from the reader: an accepted file must read as it.
"""

from __future__ import annotations

import contextlib
import io
import re
import signal
from dataclasses import dataclass, field

import pandas as pd
from conftest import HEADER, good_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thads_analysis import cli
from thads_analysis.ingest.io import read_data

VALUES = HEADER[5:]
UNITS = {"đồng": 1, "nghìn đồng": 1_000, "triệu đồng": 1_000_000}
# A hostile cell: its text and what it means by the file's number writing ("bad": must be refused).
BAD = "bad"
BLANK = "blank"
HOSTILE_VALUES = [
    ("", BLANK), ("-", BLANK), ("x", BLANK), ("NULL", BLANK), ("1e30", BAD), ("inf", BAD), ("-Infinity", BAD),
    ("1e999999999", BAD), ("12345678901234567890", BAD), ("9" * 400, BAD), ("không rõ", BAD), ("-5", BAD),
    ("#DIV/0!", BAD), ("=1+1", BAD), ("0x10", BAD), ("0", 0), ("+0", 0), ("1\u00a0000", 1000),
    ("865,000", {"en": 865_000, "vi": 865}),
]
HOSTILE_KEYS = {
    "province_code": ["Atlantis", "99", "", "０"],
    "period_end": ["2017-02-30", "abc", "", "1917-04-30", "2071-04-30", "2017-04-15"],
    "measure": ["", "gạo"],
    "category": ["xyz"],
}
INSERTED = ['"', "'", ";", "\n", "\r", "\x00", "\xff", "\t", " ", "x", "#", "=", "@", "ạ", "\u00a0"]
# Messages of a whole file or header name no row.
FILE_RULES = {"missing column", "unknown column", "duplicate column", "encoding", "empty file", "no header",
              "too many columns", "number writing", "unreadable file", "ignored column", "missing rows",
              "repeated report", "cut short?", "merged header"}
LOCATED = re.compile(r"^(warning: )?(?P<file>[^:\n]+?)(:(?P<row>\d+))?: (province [^,\[]+?, )?"
                     r"(column .+? )?\[(?P<rule>[^\]]+)\] .+$")


def written(value: int, writing: str) -> str:
    if writing == "vi":
        return f"{value:,}".replace(",", ".")
    if writing == "en":
        return f"{value:,}"
    if writing == "spaces":
        return f"{value:,}".replace(",", " ")
    return str(value)


@dataclass
class Variant:
    """A generated file: its bytes and what an accepted reading must give."""

    data: bytes
    writing: str  # vi, en, plain, spaces, or mixed (one row in the other grouping)
    meaning: dict = field(default_factory=dict)  # (code, measure) → {column: value in đồng or cases}
    hostile: tuple | None = None  # (code, measure, column, reading)
    hostile_line: int | None = None
    damaged: bool = False
    cut: bool = False


@st.composite
def variants(draw) -> Variant:
    writing = draw(st.sampled_from(["plain", "vi", "en", "spaces", "mixed"]))
    unit = draw(st.sampled_from(list(UNITS)))
    rows = good_rows()
    meaning = {(r[0], r[2]): dict(zip(VALUES, r[5:])) for r in rows}
    texts = []
    mixed_row = draw(st.sampled_from([i for i, r in enumerate(rows) if r[2] == "money"]))
    for i, r in enumerate(rows):
        factor = UNITS[unit] if r[2] == "money" else 1
        row_writing = writing
        if writing == "mixed":
            row_writing = "en" if i == mixed_row else "vi"
        texts.append([*r[:4], unit if r[2] == "money" else "việc",
                      *(written(v // factor, row_writing) for v in r[5:])])
    variant = Variant(b"", writing, meaning)
    if draw(st.booleans()):  # one hostile cell
        i = draw(st.integers(0, len(rows) - 1))
        column = draw(st.sampled_from(VALUES + list(HOSTILE_KEYS)))
        if column in HOSTILE_KEYS:
            text, reading = draw(st.sampled_from(HOSTILE_KEYS[column])), BAD
        else:
            text, reading = draw(st.sampled_from(HOSTILE_VALUES))
        texts[i][HEADER.index(column)] = text
        variant.hostile = (rows[i][0], rows[i][2], column, reading)
        variant.hostile_line = i + 2
    buffer = io.StringIO()
    import csv

    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(texts)
    text = buffer.getvalue()
    damage = draw(st.sampled_from(["none"] * 5 + ["insert", "delete", "double", "swap", "cut"]))
    lines = text.splitlines(keepends=True)
    if damage == "insert":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(INSERTED)) + text[at:]
    elif damage in ("delete", "double", "swap"):
        k = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        if damage == "delete":
            del lines[k]
        elif damage == "double":
            lines.insert(k, lines[k])
        else:
            lines[k], lines[j] = lines[j], lines[k]
        text = "".join(lines)
    elif damage == "cut":
        text = text[: draw(st.integers(1, len(text) - 1))]
        variant.cut = True
    variant.damaged = damage != "none"
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16"]))
    variant.data = text.encode(encoding, errors="replace")
    return variant


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang("no answer within 30 s")


def validate(path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(30)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["validate", str(path)])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return code, out.getvalue() + err.getvalue()


def expected_reading(variant: Variant):
    code, measure, column, reading = variant.hostile
    if isinstance(reading, dict):
        return reading.get(variant.writing, BAD)
    return reading


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(variants())
def test_hostile_variants_are_read_right_or_refused_with_a_located_message(tmp_path_factory, variant):
    path = tmp_path_factory.mktemp("v") / "x.csv"
    path.write_bytes(variant.data)
    code, output = validate(path)  # an exception here (a traceback) fails the test
    assert code in (0, 1), output
    lines = [line for line in output.splitlines() if line.strip()]
    if code == 1:
        errors = [line for line in lines if not line.startswith(("warning:", "OK:")) and "problem(s) in" not in line]
        assert errors, output
        for line in errors:
            match = LOCATED.match(line)
            assert match and match["file"].endswith("x.csv"), f"not located: {line!r}"
            assert match["row"] or match["rule"] in FILE_RULES or "line " in line or "… and" in line, \
                f"no row named: {line!r}"
        if variant.hostile and not variant.damaged and variant.writing != "mixed" and expected_reading(variant) == BAD:
            assert f"x.csv:{variant.hostile_line}" in output, output
        if variant.writing == "mixed" and not variant.damaged:
            assert "[number writing]" in output
        return
    # Accepted: every row read means what the generator wrote.
    assert variant.writing != "mixed" or variant.damaged, output
    frame = read_data(path)
    last_line = int(frame["source_row"].max())
    for row in frame.itertuples(index=False):
        expected = dict(variant.meaning[(row.province_code, row.measure)])
        if variant.hostile and variant.hostile[:2] == (row.province_code, row.measure):
            reading = expected_reading(variant)
            assert reading != BAD, f"{variant.hostile} was accepted:\n{output}"
            column = variant.hostile[2]
            expected[column] = (0 if column == "terminated" else None) if reading == BLANK else \
                reading * (UNITS_OF(row, variant))
        if variant.cut and row.source_row == last_line and "[cut short?]" in output:
            continue  # the cut row is named for the reader to check
        for column, value in expected.items():
            got = getattr(row, column)
            assert (pd.isna(got) and value is None) or got == value, (column, got, value, output)


def UNITS_OF(row, variant: Variant) -> int:
    """The money unit's factor of an accepted money row (the same unit is used for the whole file)."""
    if row.measure != "money":
        return 1
    text = variant.data.decode("utf-8-sig", errors="replace")
    for unit, factor in sorted(UNITS.items(), key=lambda kv: -len(kv[0])):
        if f",{unit}," in text:
            return factor
    return 1
