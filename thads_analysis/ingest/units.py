"""Province totals and their offices: rows of single offices set apart, checked against the
province total, and the total computed from them when only offices are given.

In the official forms a province is the total of the Cục's own caseload and every Chi cục; the
Cục's row alone is one office, not the province. So a province total is taken from a total row,
or summed from the offices when they include the Cục and at least one Chi cục; one office row
alone is refused, and a total that differs from the sum of its offices names both.
"""

from __future__ import annotations

import pandas as pd

from ..i18n import N_, _
from ..numbers import format_int
from . import schema
from .canonical import OFFICE_COLUMN, PROVINCE_TOTAL
from .schema import Problem

OFFICE_KEYS = schema.KEYS + [OFFICE_COLUMN]
OFFICE_NAME = "office"  # problems of an office name the column its name is written in (a form's unit column)


def _label(province: str, office: str) -> str:
    from ..offices import office as office_record

    try:
        return office_record(province, office).name
    except (KeyError, ValueError):
        return office


def _where(row) -> dict:
    return dict(file=str(row["source_file"]), row=None if pd.isna(row["source_row"]) else int(row["source_row"]))


def _period(row) -> str:
    return (f"{pd.Timestamp(row['period_end']):%d/%m/%Y}, {schema.measure_text(row['measure'])}, "
            f"{schema.category_text(row['category'])}")


def _twice(offices: pd.DataFrame) -> list[Problem]:
    """The same office twice in one report."""
    again = offices[offices.duplicated(OFFICE_KEYS, keep=False)]
    problems = []
    for _key, group in again.groupby(OFFICE_KEYS, sort=True, observed=True):
        first = group.iloc[0]
        one_file = group["source_file"].nunique() == 1
        rows = ", ".join(str(r.source_row) if one_file else f"{r.source_file}:{r.source_row}"
                         for r in group.itertuples())
        problems.append(Problem(**_where(group.iloc[1]), rule=N_("office twice"), province=schema.province_label(
            first["province_code"]), column=OFFICE_NAME, message=_(
                "{office} appears {count} times in the report of {report} (rows {rows}); keep one row per "
                "office").format(office=_label(first["province_code"], first[OFFICE_COLUMN]), count=len(group),
                                 report=_period(first), rows=rows)))
    return problems


def _sums(offices: pd.DataFrame) -> pd.DataFrame:
    """Sum of the offices of every report (NA where an office lacks the value), with n_offices."""
    values = [c for c in schema.VALUE_COLUMNS if c in offices]
    grouped = offices.groupby(schema.KEYS, sort=True, observed=True)
    sums = grouped[values].sum(min_count=1).mask(offices[values].isna().groupby(
        [offices[k] for k in schema.KEYS], observed=True).any())
    sums["n_offices"] = grouped[OFFICE_COLUMN].size()
    sums["has_cuc"] = (offices[OFFICE_COLUMN] == "cuc").groupby([offices[k] for k in schema.KEYS], observed=True).any()
    return sums


def _mismatches(totals: pd.DataFrame, sums: pd.DataFrame) -> list[Problem]:
    """A total row that differs from the sum of its offices, column by column."""
    problems = []
    indexed = totals.set_index(schema.KEYS)
    indexed = indexed[~indexed.index.duplicated()]  # a total row given twice is named by the duplicate check
    common = indexed.index.intersection(sums.index)
    columns = [c for c in schema.VALUE_COLUMNS if c in sums]
    # Compared all at once: only the reports that differ are walked through.
    differ = (indexed.loc[common, columns].astype("Int64") != sums.loc[common, columns].astype("Int64")).fillna(False)
    for key in common[differ.any(axis=1).to_numpy(dtype=bool)]:
        total, summed = indexed.loc[key], sums.loc[key]
        for column in [c for c in columns if differ.at[key, c]]:
            diff = int(total[column]) - int(summed[column])
            unit = " đồng" if key[2] == "money" else ""
            problems.append(Problem(
                **_where(total), rule=N_("total ≠ sum of offices"), province=schema.province_label(key[0]),
                column=column, message=_(
                    "the total row gives {column} = {total}{unit} but its {count} offices sum to {summed}{unit} "
                    "(difference {difference}{unit}) in the report of {day}, {measure}, {category}; correct the "
                    "total or the office that is wrong").format(
                    column=schema.LABELS[column], total=format_int(int(total[column])), unit=unit,
                    count=int(summed["n_offices"]), summed=format_int(int(summed[column])),
                    difference=format_int(diff), day=f"{pd.Timestamp(key[1]):%d/%m/%Y}",
                    measure=schema.measure_text(key[2]), category=schema.category_text(key[3]))))
    return problems


def _from_offices(offices: pd.DataFrame, sums: pd.DataFrame, totals: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Province totals summed from offices where no total row is given; one office alone, or
    offices without the Cục's own row, cannot make a province."""
    have = pd.MultiIndex.from_frame(totals[schema.KEYS]) if len(totals) else pd.MultiIndex.from_tuples([], names=schema.KEYS)
    wanted = sums[~sums.index.isin(have)]
    problems = []
    first = offices.drop_duplicates(schema.KEYS).set_index(schema.KEYS)
    refused = []
    for key, summed in wanted.iterrows():
        row = first.loc[key]
        if summed["n_offices"] == 1:
            name = _label(key[0], row[OFFICE_COLUMN])
            problems.append(Problem(**_where(row), rule=N_("one office is not the province"),
                                    province=schema.province_label(key[0]), column=OFFICE_NAME,
                                    message=_("{name!r} is one office, not the province: the province is the total "
                                              "of the Cục's own caseload and all its Chi cục. Give every office's row "
                                              "(the total is computed from them) or the province's total "
                                              "row").format(name=name)))
            refused.append(key)
        elif not summed["has_cuc"]:
            problems.append(Problem(**_where(row), rule=N_("Cục row missing"), province=schema.province_label(key[0]),
                                    column=OFFICE_NAME, message=_(
                                        "the report of {day} ({measure}, {category}) has {count} Chi cục but not the "
                                        "Cục's own row, so the province total would lack the Cục's cases; add the row "
                                        "\"Cục THADS …\" or the province's total row").format(
                                        day=f"{pd.Timestamp(key[1]):%d/%m/%Y}", measure=schema.measure_text(key[2]),
                                        category=schema.category_text(key[3]), count=int(summed["n_offices"]))))
            refused.append(key)
    made = wanted.drop(index=refused).drop(columns=["n_offices", "has_cuc"]).reset_index()
    if made.empty:
        return made, problems
    where = first.loc[pd.MultiIndex.from_frame(made[schema.KEYS]), ["source_file", "source_row", schema.ORIGIN_COLUMN]]
    made = made.assign(**{c: where[c].to_numpy() for c in where.columns})
    return made, problems


def _absent(offices: pd.DataFrame) -> list[Problem]:
    """A warning per province whose reports lack offices the 2017 list has (their cases would be
    missing from a total summed from offices)."""
    from ..offices import offices as reference

    problems = []
    # The reference split by province once (not one filter of the 700 offices per province).
    listed = dict(tuple(reference().groupby("province_code", sort=False)))
    for code, group in offices.groupby("province_code", sort=True, observed=True):
        known = listed[str(code)] if str(code) in listed else reference(str(code))
        missing = known[~known["code"].isin(set(group[OFFICE_COLUMN]))]
        if len(missing):
            names = ", ".join(missing["name"].head(5)) + (f" (+{len(missing) - 5})" if len(missing) > 5 else "")
            problems.append(Problem(str(group["source_file"].iloc[0]), N_("offices absent"), _(
                "{count} of the {total} offices of 2017 have no row: {names}; if they reported, add their "
                "rows").format(count=len(missing), total=len(known), names=names),
                province=schema.province_label(code), severity="warning"))
    return problems


def split_offices(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None, list[Problem]]:
    """(province rows, office rows or None, problems) of a canonical frame that may hold offices.

    Province rows are the total rows given and the totals summed from offices where no total row
    is given; office rows keep ``office_code``.
    """
    if OFFICE_COLUMN not in frame:
        return frame, None, []
    office = frame[OFFICE_COLUMN].fillna(PROVINCE_TOTAL)
    totals = frame[office == PROVINCE_TOTAL].drop(columns=OFFICE_COLUMN)
    offices = frame[office != PROVINCE_TOTAL].reset_index(drop=True)
    if offices.empty:
        return totals.reset_index(drop=True), None, []
    problems = _twice(offices)
    unique = offices.drop_duplicates(OFFICE_KEYS)
    sums = _sums(unique)
    problems += _mismatches(totals, sums)
    made, refused = _from_offices(unique, sums, totals)
    problems += refused + _absent(unique)
    provinces = pd.concat([totals, made[[c for c in totals.columns if c in made]]], ignore_index=True)
    return provinces, offices, problems
