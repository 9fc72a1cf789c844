"""The canonical THADS frame: its columns, Vietnamese labels, identities and validation.

One row per ``province_code`` × ``period_end`` × ``measure`` × ``category``.
Counts are non-negative integers; money is in đồng. Validation collects every problem
(``Problem`` records) instead of stopping at the first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from ..i18n import N_, _, day, language
from ..vocabulary import CATEGORIES, CATEGORY_LABELS, MEASURE_LABELS, MEASURES, statistical_year, year_end, year_start  # noqa: F401 (used as schema.X)

KEYS = ["province_code", "period_end", "measure", "category"]

# The table of one report ([TT01-2013]), in form order.
VALUE_COLUMNS = [
    "carried_over",
    "new_accepted",
    "total_accepted",
    "entrusted_out",
    "to_execute",
    "with_conditions",
    "without_conditions",
    "completed",
    "terminated",
    "in_progress",
    "postponed",
    "suspended",
    "other",
    "reduced",
]
REQUIRED_VALUES = [
    "carried_over",
    "new_accepted",
    "total_accepted",
    "entrusted_out",
    "to_execute",
    "with_conditions",
    "without_conditions",
    "completed",
]
# A source with a single "xong" column that already includes đình chỉ maps it to
# `completed` with `terminated` = 0 ([TT01-2013]); the only optional column defaulting to 0.
ZERO_IF_ABSENT = ["terminated"]
# Breakdown of with_conditions: absent means "not reported" (NA), never 0.
WITH_CONDITIONS_PARTS = ["completed", "terminated", "in_progress", "postponed", "suspended", "other", "reduced"]
# Values that accumulate from 01/10 and so never fall between two monthly reports of one year.
FLOW_COLUMNS = ["new_accepted", "total_accepted", "entrusted_out", "completed", "terminated", "reduced"]
DERIVED_COLUMNS = ["resolved", "carry_forward", "carry_forward_with_conditions"]

# Standing targets (decisions on time, verification, publication, complaints, discipline) come
# in their own table: one row per province × period, no measure or category.
STANDING_COLUMNS = [
    "decisions_issued",
    "decisions_on_time",
    "verification_due",
    "verified",
    "debtors_without_conditions",
    "debtors_published",
    "complaints_due",
    "complaints_resolved",
    "disciplined_staff",
]
STANDING_PARTS = {  # part → the total it belongs to
    "decisions_on_time": "decisions_issued",
    "verified": "verification_due",
    "debtors_published": "debtors_without_conditions",
    "complaints_resolved": "complaints_due",
}

ORIGIN_COLUMN = "origin"
SAMPLE_ORIGIN = "sample"
SAMPLE_MARK = "Dữ liệu mẫu (mô phỏng)"

LABELS = {
    "province_code": "Mã tỉnh",
    "province": "Tỉnh/Thành phố",
    "office_code": "Mã đơn vị THADS",
    "office": "Đơn vị THADS (Cục / Chi cục)",
    "period_end": "Ngày cuối kỳ",
    "year": "Năm thống kê",
    "measure": "Tính bằng",
    "category": "Nhóm án",
    "unit": "Đơn vị tiền",
    "origin": "Nguồn dữ liệu",
    "carried_over": "Số cũ chuyển sang",
    "new_accepted": "Số thụ lý mới",
    "total_accepted": "Tổng số thụ lý",
    "entrusted_out": "Ủy thác đi",
    "to_execute": "Tổng số phải thi hành",
    "with_conditions": "Số có điều kiện thi hành",
    "without_conditions": "Số chưa có điều kiện thi hành",
    "completed": "Thi hành xong",
    "terminated": "Đình chỉ thi hành án",
    "in_progress": "Đang thi hành",
    "postponed": "Hoãn thi hành án",
    "suspended": "Tạm đình chỉ thi hành án",
    "other": "Trường hợp khác",
    "reduced": "Giảm, miễn thi hành án",
    "decisions_issued": "Số quyết định thi hành án đã ra",
    "decisions_on_time": "Số quyết định ra đúng thời hạn",
    "verification_due": "Số việc phải xác minh",
    "verified": "Số việc đã xác minh, phân loại",
    "debtors_without_conditions": "Số người phải thi hành án chưa có điều kiện",
    "debtors_published": "Số người đã đăng tải công khai",
    "complaints_due": "Số đơn khiếu nại, tố cáo thuộc thẩm quyền",
    "complaints_resolved": "Số đơn đã giải quyết",
    "disciplined_staff": "Số công chức bị xử lý kỷ luật",
    "resolved": "Số thi hành xong (gồm đình chỉ)",
    "carry_forward": "Số chuyển kỳ sau",
    "carry_forward_with_conditions": "Số có điều kiện chuyển kỳ sau",
}

# Further spellings met in real forms; matching ignores case, spacing, punctuation and diacritics.
HEADER_ALIASES = {
    "province_code": ["Mã", "Mã tỉnh/thành phố", "Mã đơn vị", "code", "province code"],
    "province": ["Tỉnh", "Tên tỉnh", "Tỉnh, thành phố", "Đơn vị", "Cục THADS", "Tên đơn vị", "province name"],
    "office_code": ["Mã Chi cục", "office code"],
    "office": ["Chi cục", "Đơn vị thi hành án", "Cơ quan thi hành án", "office name"],
    "period_end": ["Kỳ báo cáo", "Đến ngày", "Ngày báo cáo", "Cuối kỳ", "period"],
    "year": ["Năm", "year"],
    "measure": ["Đơn vị tính", "Loại số liệu", "Việc/Tiền"],
    "category": ["Loại án", "Loại việc", "Nhóm"],
    "unit": ["Đơn vị tính tiền", "money unit"],
    "origin": ["Nguồn", "source of data"],
    "carried_over": ["Năm trước chuyển sang", "Số năm trước chuyển sang", "Cũ chuyển sang"],
    "new_accepted": ["Thụ lý mới", "Số mới thụ lý", "Mới thụ lý"],
    "total_accepted": ["Tổng thụ lý"],
    "entrusted_out": ["Ủy thác thi hành án đi", "Ủy thác", "Số ủy thác đi"],
    "to_execute": ["Phải thi hành", "Tổng phải thi hành"],
    "with_conditions": ["Có điều kiện thi hành", "Có điều kiện"],
    "without_conditions": ["Chưa có điều kiện thi hành", "Chưa có điều kiện"],
    "completed": ["Xong", "Số thi hành xong", "Đã thi hành xong"],
    "terminated": ["Đình chỉ", "Đình chỉ thi hành"],
    "in_progress": ["Đang thi hành án"],
    "postponed": ["Hoãn", "Hoãn thi hành"],
    "suspended": ["Tạm đình chỉ", "Tạm đình chỉ thi hành"],
    "other": ["Khác"],
    "reduced": ["Giảm, miễn", "Miễn, giảm", "Giảm/miễn thi hành án", "Miễn giảm thi hành án", "Giảm miễn"],
    "decisions_issued": ["Số quyết định đã ra", "Quyết định thi hành án"],
    "decisions_on_time": ["Quyết định đúng thời hạn", "Ra quyết định đúng hạn"],
    "verified": ["Đã xác minh", "Số việc đã xác minh"],
    "debtors_published": ["Đã đăng tải", "Số đã đăng tải"],
    "complaints_due": ["Khiếu nại, tố cáo thuộc thẩm quyền", "Số đơn thuộc thẩm quyền"],
    "complaints_resolved": ["Đã giải quyết khiếu nại, tố cáo", "Số đơn đã giải quyết xong"],
    "disciplined_staff": ["Công chức bị kỷ luật", "Số công chức vi phạm"],
}

MEASURE_ALIASES = {"cases": ["việc", "tính bằng việc", "viec", "case"], "money": ["tiền", "tính bằng tiền", "đồng"]}
CATEGORY_ALIASES = {
    "all": ["chung", "tổng", "tổng số", "toàn bộ"],
    "credit": ["tín dụng ngân hàng", "tín dụng", "ngân hàng"],
    "corruption": ["tham nhũng kinh tế", "tham nhũng", "kinh tế"],
    "state_budget": ["ngân sách nhà nước", "thu ngân sách", "ngân sách"],
    "criminal_civil": ["phần dân sự trong bản án hình sự", "dân sự trong hình sự", "án hình sự"],
}

# Money units a file may state, with their factor to đồng.
MONEY_UNITS = {"đồng": 1, "nghìn đồng": 1_000, "triệu đồng": 1_000_000, "tỷ đồng": 1_000_000_000}
MONEY_UNIT_ALIASES = {
    "đồng": ["dong", "vnd", "vnđ", "đ"],
    "nghìn đồng": ["ngàn đồng", "nghìn", "ngàn", "1.000 đồng", "1000 đồng", "nghìn vnd"],
    "triệu đồng": ["triệu", "trđ", "tr.đ", "1.000.000 đồng"],
    "tỷ đồng": ["tỷ", "tỉ", "tỉ đồng"],
}


def with_derived(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of a canonical frame with resolved, carry_forward and carry_forward_with_conditions."""
    out = frame.copy()
    out["resolved"] = out["completed"] + out["terminated"]
    out["carry_forward"] = out["to_execute"] - out["resolved"]
    out["carry_forward_with_conditions"] = out["with_conditions"] - out["resolved"]
    return out


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and which rule it breaks."""

    file: str
    rule: str
    message: str
    row: int | None = None  # line or sheet row as the user sees it (header = 1)
    province: str | None = None
    column: str | None = None
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = self.file + (f":{self.row}" if self.row is not None else "")
        about = ", ".join(x for x in [_("province {province}").format(province=self.province) if self.province else "",
                                      _("column {column}").format(column=column_text(self.column))
                                      if self.column else ""] if x)
        prefix = _("warning: ") if self.severity == "warning" else ""
        return f"{prefix}{where}: {about + ' ' if about else ''}[{rule_text(self.rule)}] {self.message}"


_NAME = re.compile(r"\b[a-z][a-z_]*[a-z]\b")


def column_text(names: str) -> str:
    """Canonical column names as the current language shows them: Vietnamese labels ("Số có
    điều kiện thi hành"), or the names themselves in English; other text is kept as it is."""
    if language() == "en":
        return names
    return _NAME.sub(lambda m: LABELS.get(m.group(0), m.group(0)), names)


def rule_text(rule: str) -> str:
    """A rule's name in the current language: translated from the catalogue, column names as labels."""
    return column_text(_(rule))


def _short(labels: dict[str, str], code) -> str:
    label = labels.get(code) if language() == "vi" and isinstance(code, str) else None
    return f"{code}" if label is None else label[:1].lower() + label[1:]


def measure_text(measure) -> str:
    """A measure as the current language writes it in a message: "việc", "tiền"; the code in English."""
    return _short(MEASURE_LABELS, measure)


def category_text(category) -> str:
    """A category as the current language writes it in a message: "tất cả", "tín dụng - ngân hàng";
    the code in English."""
    return _short(CATEGORY_LABELS, category)


def kind_text(measure, category) -> str:
    """"cases/all" in English, "việc/tất cả" in Vietnamese."""
    return f"{measure_text(measure)}/{category_text(category)}"


class ProblemLog:
    """Collects problems, keeping the first ``limit`` of each file, rule and column and counting the
    rest, so that a file broken on every row gives a readable list in bounded memory."""

    def __init__(self, limit: int = 20):
        self.limit = limit
        self.kept: list[Problem] = []
        self.counts: dict[tuple, int] = {}

    @staticmethod
    def _key(problem: Problem) -> tuple:
        return (problem.file, problem.rule, problem.column, problem.severity)

    def add(self, problem: Problem) -> None:
        key = self._key(problem)
        self.counts[key] = self.counts.get(key, 0) + 1
        if self.counts[key] <= self.limit:
            self.kept.append(problem)

    def extend(self, problems) -> None:
        for problem in problems:
            self.add(problem)

    def problems(self) -> list[Problem]:
        """The problems kept, then one line per kind that had more."""
        more = [Problem(file, rule, _("… and {count} more of the same in this file").format(count=n - self.limit),
                        column=column,
                        severity=severity)
                for (file, rule, column, severity), n in self.counts.items() if n > self.limit]
        return self.kept + more


class DataError(Exception):
    """Input that cannot be used; carries every ``Problem`` found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def is_month_end(day: dt.date | pd.Timestamp) -> bool:
    """True when ``day`` is the last day of its month."""
    ts = pd.Timestamp(day)
    return ts.is_month_end


# ---------------------------------------------------------------- validation

# name → (left side, terms added, terms subtracted); the rule text is built from them.
IDENTITIES = {
    "total_accepted = carried_over + new_accepted": ("total_accepted", ["carried_over", "new_accepted"], []),
    "to_execute = total_accepted − entrusted_out": ("to_execute", ["total_accepted"], ["entrusted_out"]),
    "to_execute = with_conditions + without_conditions": ("to_execute", ["with_conditions", "without_conditions"], []),
}
PARTS_RULE = N_("parts of with_conditions ≤ with_conditions")
RESOLVED_RULE = N_("completed + terminated ≤ with_conditions")
DERIVED_FORMULAS = {
    "resolved": (["completed", "terminated"], []),
    "carry_forward": (["to_execute"], ["completed", "terminated"]),
    "carry_forward_with_conditions": (["with_conditions"], ["completed", "terminated"]),
}
# Money per case further than this factor from the national median flags a unit slip (1000×).
UNIT_SLIP_FACTOR = 100
UNIT_CHECK_MIN_PROVINCES = 5  # fewer provinces in a period cannot tell a unit slip from a large province
DECREASE_RULE = N_("cumulative flow decreases")
# The largest value a cell may hold: 10^17 đồng is a hundred million tỷ, thousands of times any
# province's caseload; the bound keeps every sum exact in int64 (see _combine).
MAX_VALUE = 10**17
# Statistical years the toolkit accepts: the THADS reporting regime's time, to the present.
FIRST_YEAR = 2000


def _fmt(value) -> str:
    from ..numbers import format_int

    return "NA" if pd.isna(value) else format_int(value)


# Integer arithmetic is exact (Int64), never float: beyond 2^53 a float sum would show identity
# errors that are not there. Values are bounded by MAX_VALUE, so no sum of a row's few terms, nor
# of 63 provinces, comes near the int64 limit (9,2 × 10^18).
def _combine(frame: pd.DataFrame, plus: list[str], minus: list[str]) -> pd.Series:
    total = sum(frame[c].astype("Int64") for c in plus)
    for c in minus:
        total = total - frame[c].astype("Int64")
    return total


def _identity_check(left: str, plus: list[str], minus: list[str]):
    def check(frame: pd.DataFrame) -> pd.Series:
        return (frame[left].astype("Int64") == _combine(frame, plus, minus)).fillna(True).astype(bool)

    return check


def _parts_check(frame: pd.DataFrame) -> pd.Series:
    parts = frame[[c for c in WITH_CONDITIONS_PARTS if c in frame]].astype("Int64").sum(axis=1, skipna=True)
    return (parts <= frame["with_conditions"].astype("Int64")).fillna(True).astype(bool)


def _resolved_check(frame: pd.DataFrame) -> pd.Series:
    resolved = frame["completed"].astype("Int64") + frame["terminated"].astype("Int64").fillna(0)
    return (resolved <= frame["with_conditions"].astype("Int64")).fillna(True).astype(bool)


def row_schema():
    """The pandera schema of one canonical row: allowed keys, non-negative values, identities."""
    import pandera.pandas as pa

    columns = {
        "measure": pa.Column("string", pa.Check.isin(MEASURES)),
        "category": pa.Column("string", pa.Check.isin(CATEGORIES)),
        **{c: pa.Column("Int64", pa.Check.ge(0), nullable=True, required=c in REQUIRED_VALUES)
           for c in VALUE_COLUMNS + DERIVED_COLUMNS},
    }
    checks = [pa.Check(_identity_check(*spec), name=name) for name, spec in IDENTITIES.items()]
    checks += [pa.Check(_parts_check, name=PARTS_RULE), pa.Check(_resolved_check, name=RESOLVED_RULE)]
    for name, (plus, minus) in DERIVED_FORMULAS.items():
        checks.append(pa.Check(lambda f, n=name, p=plus, m=minus: _identity_check(n, p, m)(f) if n in f else True,
                               name=f"{name} = " + " + ".join(plus) + "".join(f" − {c}" for c in minus)))
    return pa.DataFrameSchema(columns, checks=checks, strict=False, coerce=False)


SWAP_RULE = N_("columns swapped")


def _rows_ok(frame: pd.DataFrame) -> pd.Series:
    """True where a row keeps every rule of one row: values ≥ 0, the identities, the parts within."""
    present = [c for c in VALUE_COLUMNS + DERIVED_COLUMNS if c in frame]
    ok = (frame[present].astype("Int64") >= 0).fillna(True).all(axis=1)
    for spec in IDENTITIES.values():
        ok &= _identity_check(*spec)(frame)
    ok &= _parts_check(frame) & _resolved_check(frame)
    for name, (plus, minus) in DERIVED_FORMULAS.items():
        if name in frame:
            ok &= _identity_check(name, plus, minus)(frame)
    return ok


def _swap_problems(frame: pd.DataFrame, rows_ok: pd.Series) -> list[Problem]:
    """Two value columns written in each other's place: in a file (or sheet) where every row is
    broken, the one pair whose exchange makes every row keep the rules is named."""
    problems = []
    for source, rows in frame.groupby("source_file", sort=False) if "source_file" in frame else []:
        if len(rows) < 2 or rows_ok.loc[rows.index].any():
            continue
        columns = [c for c in VALUE_COLUMNS if c in rows and rows[c].notna().any()]
        pairs = [(a, b) for i, a in enumerate(columns) for b in columns[i + 1:]
                 if _rows_ok(rows.assign(**{a: rows[b], b: rows[a]})).all()]
        if len(pairs) == 1:
            a, b = pairs[0]
            problems.append(Problem(file=str(source), rule=SWAP_RULE, column=f"{a}, {b}", message=_(
                "every one of the {count} rows breaks the rules above, and every one keeps them once the "
                "values of these two columns are exchanged: they look swapped; check their headers").format(
                    count=len(rows))))
    return problems


def _where(frame: pd.DataFrame, idx) -> dict:
    row = frame.loc[idx]
    return dict(file=str(row.get("source_file", "<data>")), row=None if pd.isna(row.get("source_row")) else int(row["source_row"]),
                province=province_label(row["province_code"]))


def province_label(code) -> str | None:
    """"36 Nam Định" for a code, the code itself when unknown."""
    from ..provinces import UnknownProvinceError, lookup

    if code is None or pd.isna(code):
        return None
    try:
        return f"{code} {lookup(code).short_name}"
    except (UnknownProvinceError, ValueError):
        return str(code)


def _context(period, measure, category) -> str:
    """"2017-06-30 cases/all" in English, "30/06/2017 việc/tất cả" in Vietnamese."""
    return f"{day(pd.Timestamp(period))} {kind_text(measure, category)}"


def _row_context(row) -> str:
    return _context(row["period_end"], row["measure"], row["category"])


def _row_problems(frame: pd.DataFrame) -> list[Problem]:
    import pandera.pandas as pa

    try:
        row_schema().validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    problems = []
    identity_specs = {**IDENTITIES, **{f"{n} = " + " + ".join(p) + "".join(f" − {c}" for c in m): (n, p, m)
                                       for n, (p, m) in DERIVED_FORMULAS.items()}}
    seen = set()
    for case in cases.itertuples(index=False):
        idx = case.index
        # A frame-wide check lists one failure case per column of the failing row: report the row once.
        key = (str(case.check), idx, case.column if case.schema_context == "Column" else None)
        if key in seen:
            continue
        seen.add(key)
        if idx is None or pd.isna(idx):
            problems.append(Problem("<data>", str(case.check), f"{column_text(str(case.column))}: {case.failure_case}"))
            continue
        row = frame.loc[idx]
        where = _where(frame, idx)
        context = _row_context(row)
        check = str(case.check)
        if check in identity_specs:
            left, plus, minus = identity_specs[check]
            right = _combine(frame.loc[[idx]], plus, minus).iloc[0]
            shown = " + ".join(_fmt(row[c]) for c in plus) + "".join(f" − {_fmt(row[c])}" for c in minus)
            problems.append(Problem(**where, column=left, rule=check,
                                    message=_("{context}: {column} is {value} but {terms} = {total} (difference "
                                              "{difference})").format(
                                        context=context, column=column_text(left), value=_fmt(row[left]), terms=shown,
                                        total=_fmt(right), difference=_fmt(row[left] - right))))
        elif check == PARTS_RULE:
            present = [c for c in WITH_CONDITIONS_PARTS if c in frame and not pd.isna(row[c])]
            total = sum(int(row[c]) for c in present)
            problems.append(Problem(**where, column="with_conditions", rule=check,
                                    message=_("{context}: {parts} = {total} exceeds {column} {limit} by "
                                              "{difference}").format(
                                        context=context, parts=column_text(" + ".join(present)), total=_fmt(total),
                                        column=column_text("with_conditions"), limit=_fmt(row["with_conditions"]),
                                        difference=_fmt(total - row["with_conditions"]))))
        elif check == RESOLVED_RULE:
            resolved = int(row["completed"]) + (0 if pd.isna(row["terminated"]) else int(row["terminated"]))
            problems.append(Problem(**where, column="completed", rule=check,
                                    message=_("{context}: {resolved} {value} exceeds {column} {limit} by "
                                              "{difference}").format(
                                        context=context, resolved=column_text("resolved"), value=_fmt(resolved),
                                        column=column_text("with_conditions"), limit=_fmt(row["with_conditions"]),
                                        difference=_fmt(resolved - row["with_conditions"]))))
        elif check.startswith("greater_than_or_equal_to"):
            problems.append(Problem(**where, column=str(case.column), rule=N_("negative value"),
                                    message=_("{context}: {column} is {value}; counts and money cannot be "
                                              "negative").format(context=context, column=column_text(str(case.column)),
                                                                 value=_fmt(case.failure_case))))
        else:
            problems.append(Problem(**where, column=str(case.column), rule=check,
                                    message=_("{context}: value {value!r} breaks {rule}").format(
                                        context=context, value=case.failure_case, rule=rule_text(check))))
    return problems


def _duplicate_problems(frame: pd.DataFrame) -> list[Problem]:
    dup = frame[frame.duplicated(KEYS, keep=False)]
    problems = []
    for _key, group in dup.groupby(KEYS, sort=False):
        first = group.index[0]
        first_at = f"{group.at[first, 'source_file']}:{group.at[first, 'source_row']}"
        for idx in group.index[1:]:
            problems.append(Problem(**_where(frame, idx), column="province_code", rule=N_("duplicate row"),
                                    message=_("{context} appears again (first at {first}); keep one row per province, "
                                              "period, measure and category").format(
                                        context=_row_context(frame.loc[idx]), first=first_at)))
    return problems


def _time_problems(frame: pd.DataFrame) -> list[Problem]:
    """Within a statistical year: carried_over constant, flows never falling between months."""
    problems = []
    data = frame.drop_duplicates(KEYS).assign(stat_year=statistical_year(frame["period_end"]).astype(int))
    data = data.sort_values(["province_code", "measure", "category", "stat_year", "period_end"])
    groups = data.groupby(["province_code", "measure", "category", "stat_year"], sort=False)
    previous_period = groups["period_end"].shift(1)
    for column in ["carried_over", *FLOW_COLUMNS]:
        before = groups[column].shift(1)
        after = data[column]
        if column == "carried_over":
            broken = (after != before).fillna(False)
        else:
            broken = (after < before).fillna(False)
        for idx in data.index[broken.to_numpy(dtype=bool)]:
            if column == "carried_over":
                text = _("{context}: {column} changes within the year: {value} against {previous} at {day} "
                         "(difference {difference})")
            else:
                text = _("{context}: {column} falls (cumulative values never decrease): {value} against {previous} "
                         "at {day} (difference {difference})")
            # A falling cumulative flow is a downward revision between two monthly reports: real
            # corrections happen, so it is a warning here, named again in the report's data-quality
            # notes, and any window result that would span it is withheld (campaign.py).
            rule = N_("carried_over constant in year") if column == "carried_over" else DECREASE_RULE
            problems.append(Problem(**_where(frame, idx), column=column,
                                    severity="error" if column == "carried_over" else "warning", rule=rule,
                                    message=text.format(context=_row_context(data.loc[idx]), column=column_text(column),
                                                        value=_fmt(after[idx]), previous=_fmt(before[idx]),
                                                        day=day(pd.Timestamp(previous_period[idx])),
                                                        difference=_fmt(after[idx] - before[idx]))))
    return problems


def _chain_problems(frame: pd.DataFrame) -> list[Problem]:
    """carried_over of year Y equals carry_forward of year Y−1 where both are present."""
    problems = []
    data = frame.drop_duplicates(KEYS)
    ends = data[data["period_end"].dt.month.eq(9) & data["period_end"].dt.day.eq(30)]
    previous = ends.assign(stat_year=(ends["period_end"].dt.year + 1).astype(int))
    previous = previous.assign(prev_carry=previous["to_execute"] - previous["completed"] - previous["terminated"].fillna(0))
    current = data.assign(stat_year=statistical_year(data["period_end"]).astype(int))
    merged = current.reset_index().merge(previous[["province_code", "measure", "category", "stat_year", "prev_carry", "period_end"]],
                                         on=["province_code", "measure", "category", "stat_year"], suffixes=("", "_prev"))
    now, before = merged["carried_over"], merged["prev_carry"]
    differ = (now.notna() & before.notna() & (now != before)).fillna(False).to_numpy(dtype=bool)  # NA: unchecked
    for row in merged[differ].itertuples(index=False):
        problems.append(Problem(**_where(frame, row.index), column="carried_over",
                                rule=N_("carried_over = previous carry_forward"),
                                message=_("{context}: {carried_over} {value} but {carry_forward} at {day} is "
                                          "{previous} (difference {difference})").format(
                                    context=_context(row.period_end, row.measure, row.category),
                                    carried_over=column_text("carried_over"), value=_fmt(row.carried_over),
                                    carry_forward=column_text("carry_forward"),
                                    day=day(pd.Timestamp(row.period_end_prev)),
                                    previous=_fmt(row.prev_carry), difference=_fmt(row.carried_over - row.prev_carry))))
    return problems


def _unit_problems(frame: pd.DataFrame) -> list[Problem]:
    """Money per case ~1000× off the other provinces of the same period points at a unit slip."""
    data = frame.drop_duplicates(KEYS)
    data = data[data["category"] == "all"]
    cases = data[data["measure"] == "cases"].set_index(["province_code", "period_end"])["to_execute"]
    money = data[data["measure"] == "money"].set_index(["province_code", "period_end"])
    joined = money.join(cases.rename("_cases"), how="inner")
    joined = joined[(joined["_cases"] > 0) & (joined["to_execute"] > 0)]
    problems = []
    for period, group in joined.groupby(level="period_end"):
        if len(group) < UNIT_CHECK_MIN_PROVINCES:
            continue  # too few provinces to tell a slip from a large province (unchecked() names them)
        per_case = group["to_execute"].astype(float) / group["_cases"].astype(float)
        median = per_case.median()
        for (code, _period), value in per_case.items():
            ratio = value / median
            if ratio > UNIT_SLIP_FACTOR or ratio < 1 / UNIT_SLIP_FACTOR:
                original = frame[(frame["province_code"] == code) & (frame["period_end"] == period)
                                 & (frame["measure"] == "money") & (frame["category"] == "all")].index[0]
                problems.append(Problem(**_where(frame, original), column="unit", rule=N_("money unit slip"),
                                        message=_("{context}: {value} đồng per case is {ratio} the median {median} "
                                                  "of {count} provinces; the money is probably in the wrong unit "
                                                  "(nghìn đồng read as đồng or the reverse)").format(
                                            context=_context(period, "money", "all"), value=_fmt(value),
                                            ratio=_fmt(ratio) + "×" if ratio > 1 else "1/" + _fmt(1 / ratio),
                                            median=_fmt(median), count=len(group))))
    return problems


def _bound_problems(frame: pd.DataFrame) -> tuple[list[Problem], pd.Series]:
    """Values beyond MAX_VALUE and periods outside FIRST_YEAR..today; returns them and the rows at fault."""
    problems = []
    bad = pd.Series(False, index=frame.index)
    for column in [c for c in VALUE_COLUMNS + DERIVED_COLUMNS if c in frame]:
        too_big = (frame[column].abs() > MAX_VALUE).fillna(False).to_numpy(dtype=bool)
        for idx in frame.index[too_big]:
            problems.append(Problem(**_where(frame, idx), column=column, rule=N_("value too large"),
                                    message=_("{context}: {column} is {value}, above the largest value accepted "
                                              "({limit}); check the money unit and the cell").format(
                                        context=_row_context(frame.loc[idx]), column=column_text(column),
                                        value=_fmt(frame.at[idx, column]), limit=_fmt(MAX_VALUE))))
        bad |= too_big
    today = pd.Timestamp(dt.date.today())
    early = frame["period_end"] < year_start(FIRST_YEAR)
    late = frame["period_end"] > today + pd.offsets.MonthEnd(0)
    for idx in frame.index[(early | late).fillna(False).to_numpy(dtype=bool)]:
        when = pd.Timestamp(frame.at[idx, "period_end"])
        if when < today:
            text = _("period end {day} is before statistical year {year}; check the year")
        else:
            text = _("period end {day} is in the future; check the year")
        problems.append(Problem(**_where(frame, idx), column="period_end", rule=N_("implausible period"),
                                message=text.format(day=when.strftime("%d/%m/%Y"), year=str(FIRST_YEAR))))
    return problems, bad | (early | late).fillna(False)


def _category_problems(frame: pd.DataFrame) -> list[Problem]:
    """A key category is part of ``all``: none of its values may exceed the ``all`` value."""
    keys = ["province_code", "period_end", "measure"]
    data = frame.drop_duplicates(KEYS)
    whole = data[data["category"] == "all"].set_index(keys)
    parts = data[data["category"] != "all"]
    if whole.empty or parts.empty:
        return []
    columns = [c for c in VALUE_COLUMNS if c in frame]
    joined = parts.join(whole[columns].add_suffix("_all"), on=keys)
    problems = []
    for column in columns:
        over = (joined[column] > joined[f"{column}_all"]).fillna(False).to_numpy(dtype=bool)
        for idx in joined.index[over]:
            row = joined.loc[idx]
            problems.append(Problem(**_where(frame, idx), column=column, rule=N_("category ≤ all"),
                                    message=_("{context}: {column} {value} exceeds the {whole} value {total} by "
                                              "{difference}; a category is part of the whole").format(
                                        context=_row_context(row), column=column_text(column), value=_fmt(row[column]),
                                        whole=kind_text(row["measure"], "all"), total=_fmt(row[column + "_all"]),
                                        difference=_fmt(row[column] - row[column + "_all"]))))
    return problems


def _coverage_problems(frame: pd.DataFrame) -> list[Problem]:
    """Warnings for a province that lacks, at a period of a statistical year it reports in, the
    whole report or a measure or category that others give.

    Its own indicators there are "no data", and the region and national totals that would need
    it are withheld (indicators.totals), so nothing is summed without it unawares.
    """
    data = frame.drop_duplicates(KEYS)[KEYS]
    year = statistical_year(data["period_end"])
    kinds = data[["period_end", "measure", "category"]].drop_duplicates()
    provinces_of_year = data[["province_code"]].assign(year=year).drop_duplicates()
    periods_of_year = data[["period_end"]].assign(year=year).drop_duplicates()
    expected = (provinces_of_year.merge(periods_of_year, on="year").drop(columns="year")
                .merge(kinds, on="period_end"))
    absent = expected.merge(data, on=KEYS, how="left", indicator=True)
    absent = absent[absent["_merge"] == "left_only"]
    all_kinds = kinds.groupby("period_end").size()
    missing: dict[tuple, list] = {}
    pairs: dict[str, list[tuple]] = {}  # what → the (measure, category) it names
    for (code, period), rows in absent.groupby(["province_code", "period_end"], observed=True):
        what = ("report" if len(rows) == all_kinds[period]
                else ", ".join(f"{m}/{c}" for m, c in zip(rows["measure"], rows["category"])))
        pairs[what] = list(zip(rows["measure"], rows["category"]))
        missing.setdefault((code, what), []).append(pd.Timestamp(period))
    # One warning per province and set of periods, naming what it lacks there.
    problems = []
    for (code, what), periods in sorted(missing.items()):
        periods = sorted(periods)
        # The file holding the province's other reports of that year is where the one missing belongs.
        same_year = (frame["province_code"] == code) & (
            statistical_year(frame["period_end"]) == statistical_year(periods[0]))
        first = frame.index[same_year][0] if same_year.any() else frame.index[frame["province_code"] == code][0]
        shown = ", ".join(p.strftime("%d/%m/%Y") for p in periods[:3])
        if len(periods) > 3:
            shown = _("{periods} and {count} more period(s)").format(periods=shown, count=len(periods) - 3)
        if what == "report":
            lacks = _("no report at {periods}, although it reports at other periods of the statistical year: those "
                      "indicators are 'no data' and the region and national totals that need them are "
                      "withheld").format(periods=shown)
        else:
            lacks = _("no {kinds} row(s) at {periods}, although other provinces give them: those indicators are "
                      "'no data' and the region and national totals that need them are withheld").format(
                kinds=", ".join(kind_text(m, c) for m, c in pairs[what]), periods=shown)
        problems.append(Problem(str(frame.at[first, "source_file"]) if "source_file" in frame else "<data>",
                                N_("missing rows"), lacks, province=province_label(code),
                                column="period_end" if what == "report" else "measure", severity="warning"))
    return problems


def unchecked(frame: pd.DataFrame, code: str) -> dict[str, list]:
    """What the checks that need other reports could not cover for province ``code``:
    "chain": statistical years without the previous 30/09 report (carried_over unchecked);
    "cumulative": statistical years with a single report (no month to compare with);
    "unit": periods with fewer than UNIT_CHECK_MIN_PROVINCES provinces (money unit unchecked).
    """
    data = frame.drop_duplicates(KEYS)
    own = data[data["province_code"] == code]
    years = statistical_year(own["period_end"]).astype(int)
    year_ends = {int(d.year) for d in own["period_end"] if d.month == 9 and d.day == 30}
    periods_per_year = own.groupby(years)["period_end"].nunique()
    provinces_per_period = data.groupby("period_end")["province_code"].nunique()
    own_periods = sorted(set(own["period_end"]))
    return {"chain": sorted(y for y in set(years) if y - 1 not in year_ends),
            "cumulative": sorted(int(y) for y, n in periods_per_year.items() if n < 2),
            "unit": [p for p in own_periods if provinces_per_period.get(p, 0) < UNIT_CHECK_MIN_PROVINCES]}


def validate(frame: pd.DataFrame, rows_only: bool = False) -> list[Problem]:
    """Every problem of a canonical frame: bounds, row rules, categories within ``all``, duplicates,
    time consistency, unit slips, and (warnings) rows missing for some provinces. ``rows_only``:
    the rules of each row alone (for the rows of single offices)."""
    if frame.empty:
        return []
    problems, out_of_bounds = _bound_problems(frame)
    # Rows with values out of bounds are named once; the other rules run on the rest.
    frame = frame[~out_of_bounds.to_numpy(dtype=bool)]
    if frame.empty:
        return problems
    row_problems = _row_problems(frame)
    problems += row_problems
    if row_problems:
        problems += _swap_problems(frame, _rows_ok(frame))
    if rows_only:
        return problems
    problems += _category_problems(frame)
    problems += _duplicate_problems(frame)
    problems += _time_problems(frame)
    problems += _chain_problems(frame)
    problems += _unit_problems(frame)
    problems += _coverage_problems(frame)
    return problems


def validate_standing(standing: pd.DataFrame) -> list[Problem]:
    """Problems of a standing-target table: negative counts, a part above its total, duplicates."""
    problems = []
    for column in STANDING_COLUMNS:
        for idx in standing.index[(standing[column] < 0).fillna(False).to_numpy(dtype=bool)]:
            problems.append(Problem(**_where(standing, idx), column=column, rule=N_("negative value"),
                                    message=_("{day}: {column} is {value}; counts cannot be negative").format(
                                        day=day(pd.Timestamp(standing.at[idx, "period_end"])),
                                        column=column_text(column), value=_fmt(standing.at[idx, column]))))
    for part, total in STANDING_PARTS.items():
        for idx in standing.index[(standing[part] > standing[total]).fillna(False).to_numpy(dtype=bool)]:
            row = standing.loc[idx]
            problems.append(Problem(**_where(standing, idx), column=part, rule=f"{part} ≤ {total}",
                                    message=_("{day}: {part} {value} exceeds {whole} {total} by {difference}").format(
                                        day=day(pd.Timestamp(row["period_end"])), part=column_text(part),
                                        value=_fmt(row[part]), whole=column_text(total), total=_fmt(row[total]),
                                        difference=_fmt(row[part] - row[total]))))
    for idx in standing.index[standing.duplicated(["province_code", "period_end"], keep="first")]:
        problems.append(Problem(**_where(standing, idx), column="province_code", rule=N_("duplicate row"),
                                message=_("{day} appears twice").format(
                                    day=day(pd.Timestamp(standing.at[idx, "period_end"])))))
    return problems
