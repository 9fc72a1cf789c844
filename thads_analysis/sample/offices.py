"""Synthetic office rows of the sample: each province's 2017 months split over its offices.

What comes in: the ``monthly`` frame of ``generate`` (the 12 cumulative reports of statistical year
2017, province rows) and the seed. What comes out (``generate_offices``): one row per office of the
2017 reference (``offices.offices``: the Cục's own caseload ``cuc`` and every Chi cục) × the 12
period ends × both measures, category ``all`` only, with ``office_code`` and ``office_name`` beside
the columns of the province rows, every row marked ``origin = "sample"``. Nothing here is published:
every office value is invented; only the province rows they add up to are the sample's.

Method
------
For each province and measure the offices' values are built month by month, forwards from
31/10/2016, by largest-remainder apportionment with bounds (``generate.apportion``), so that every
value column of the offices sums exactly to the province row and every row keeps the identities:

- ``carried_over`` is split once (it is the stock at 01/10, the same in every report of the year);
- each month's increment of a flow (new, entrusted-out, resolved, reduced) is split over the offices,
  so office flows never fall; entrusted-out, resolved and reduced are capped by what the office still
  has to execute, and terminated is a share of the office's own increment of resolved;
- with_conditions (a stock) is split afresh every month between the office's resolved + reduced and
  its to_execute, and postponed, suspended and other are split within what stays with conditions;
  in_progress takes the rest.

Office sizes (invented): the Cục holds about 6–12 % of a province's cases but 4–8 times the money per case
of a Chi cục; a Chi cục's size follows its type (quận and thành phố above thị xã above huyện) with
noise, and the provincial capital's Chi cục is made the largest Chi cục by cases and by money
(the five centrally-run cities have no capital Chi cục). Each office has a persistent share of cases
with conditions and a completion propensity around its province's, so office rates vary and ranking
them means something. Money is split in thousand đồng and written in đồng (whole thousands).

The noise comes from a generator of its own per province, ``numpy.random.default_rng([seed, 36,
province code])``, used for nothing else: adding the offices moved no value of the other frames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..ingest.schema import ORIGIN_COLUMN, VALUE_COLUMNS
from ..offices import CUC
from ..offices import offices as reference
from .generate import CODES, MONTH_ENDS, OUTPUT_COLUMNS, STOCK_PARTS, _expit, _logit, apportion

OFFICE_FILE = "thads_offices_2017.csv"
OFFICE_COLUMNS = [*OUTPUT_COLUMNS[:2], "office_code", "office_name", *OUTPUT_COLUMNS[2:]]
_STREAM = 36  # tag of the office generators: [seed, _STREAM, province]; the 2016 months use [seed, 2016]
FLOWS = ["new_accepted", "entrusted_out", "resolved", "terminated", "reduced"]

# The provincial capital's Chi cục in 2017 (office code of the reference), for the 58 provinces; the
# five centrally-run cities (01, 31, 48, 79, 92) have none.
CAPITALS = {
    "02": "024", "04": "040", "06": "058", "08": "070", "10": "080", "11": "094", "12": "105", "14": "116",
    "15": "132", "17": "148", "19": "164", "20": "178", "22": "193", "24": "213", "25": "227", "26": "243",
    "27": "256", "30": "288", "33": "323", "34": "336", "35": "347", "36": "356", "37": "374-ninh-binh",
    "38": "380", "40": "412", "42": "436", "44": "450", "45": "461", "46": "474-hue", "49": "502", "51": "522",
    "52": "540", "54": "555", "56": "568", "58": "582", "60": "593", "62": "608", "64": "622", "66": "643",
    "67": "660", "68": "672", "70": "689", "72": "703", "74": "718", "75": "731", "77": "748", "80": "794",
    "82": "815", "83": "829", "84": "842", "86": "855", "87": "866", "89": "883", "91": "899", "93": "930",
    "94": "941", "95": "954", "96": "964",
}
CITIES = {"01", "31", "48", "79", "92"}
# Chi cục caseload (cases) and money per case by district type, relative to a huyện (invented).
_TYPE_SIZE = {"Quận": 1.6, "Thành phố": 1.6, "Thị xã": 1.15, "Huyện": 1.0}
_TYPE_MONEY = {"Quận": 1.4, "Thành phố": 1.3, "Thị xã": 1.1, "Huyện": 1.0}
_CAPITAL_SIZE, _CAPITAL_MONEY = 2.8, 1.5
_CAPITAL_MARGIN = 1.25  # the capital's weight is at least this much above the next Chi cục's


def _apportion(total: int, weights, floors=None, caps=None) -> np.ndarray:
    """``apportion`` with a fast path: when the plain proportional shares already lie within the bounds
    they are rounded by largest remainder directly, skipping its bisection (which made the ~14.000
    small splits of the offices take seconds). Same contract: int64 shares summing to ``total``."""
    total = int(total)
    w = np.maximum(np.asarray(weights, dtype=float), 0.0)
    w = w + 1e-9 * max(float(w.max()), 1.0)
    lo = np.zeros(len(w), dtype=np.int64) if floors is None else np.asarray(floors, dtype=np.int64)
    hi = None if caps is None else np.asarray(caps, dtype=np.int64)
    x = total * w / w.sum()
    if (x >= lo).all() and (hi is None or (x <= hi).all()):
        share = np.floor(x).astype(np.int64)
        left = total - int(share.sum())
        if 0 <= left <= len(w):
            share[np.lexsort((np.arange(len(w)), share - x))[:left]] += 1  # largest remainders, ties in order
            if (share >= lo).all() and (hi is None or (share <= hi).all()):
                return share
    return apportion(total, weights, floors=floors, caps=caps)


def _sizes(table: pd.DataFrame, capital: str | None, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Relative caseload of each office (Cục first, as in ``table``) for cases and for money."""
    chi = table["code"].to_numpy() != CUC
    types = table["district_type"].to_numpy()
    cases = np.array([_TYPE_SIZE.get(t, 1.0) for t in types]) * np.exp(rng.normal(0.0, 0.35, len(table)))
    per_case = np.array([_TYPE_MONEY.get(t, 1.0) for t in types]) * np.exp(rng.normal(0.0, 0.3, len(table)))
    if capital is not None:
        i = int(np.flatnonzero(table["code"].to_numpy() == capital)[0])
        others = chi.copy()
        others[i] = False
        cases[i] = max(_CAPITAL_SIZE * np.exp(rng.normal(0.0, 0.15)), _CAPITAL_MARGIN * cases[others].max())
        per_case[i] *= _CAPITAL_MONEY
        money_others = (cases * per_case)[others].max()
        per_case[i] = max(per_case[i], _CAPITAL_MARGIN * money_others / cases[i])
    # The Cục takes the province's larger cases: a modest share of cases, much more money per case.
    cuc_share = rng.uniform(0.06, 0.12)
    cases[~chi] = cuc_share / (1.0 - cuc_share) * cases[chi].sum()
    per_case[~chi] = rng.uniform(4.0, 8.0) * np.average(per_case[chi], weights=cases[chi])
    return {"cases": cases, "money": cases * per_case}


def _split_province(rows: pd.DataFrame, size: np.ndarray, is_cuc: np.ndarray, rng: np.random.Generator,
                    factor: int) -> list[dict]:
    """Office values of one province and measure: a list of 12 dicts (one per month) of int64 arrays.

    ``rows`` holds the province's 12 monthly ``all`` rows in period order; values are divided by
    ``factor`` (1000 for money, so the split is in thousand đồng) and multiplied back on output.
    """
    n = len(size)
    prov = {c: (rows[c].to_numpy(dtype=np.int64) // factor) for c in VALUE_COLUMNS}
    prov["resolved"] = prov["completed"] + prov["terminated"]
    # Persistent office habits: share with conditions (logit shift) and completion propensity; the
    # Cục's large cases are less often payable and slower to finish.
    share = _expit(_logit(np.clip(prov["with_conditions"][-1] / max(prov["to_execute"][-1], 1), 0.02, 0.98))
                   + rng.normal(0.0, 0.35, n) - 0.3 * is_cuc)
    rate_shift = rng.normal(0.0, 0.45, n) - 0.25 * is_cuc
    term_share = np.exp(rng.normal(0.0, 0.3, n))
    stock_habit = np.exp(rng.normal(0.0, 0.3, (len(STOCK_PARTS), n)))
    zero = np.zeros(n, dtype=np.int64)

    carried = _apportion(prov["carried_over"][0], size * np.exp(rng.normal(0.0, 0.15, n)))
    prev = {name: zero for name in FLOWS}
    months = []
    for m in range(12):
        def step(name: str, weights, caps=None) -> np.ndarray:
            """Last month's value plus this month's province increment, apportioned."""
            before = prov[name][m - 1] if m else 0
            return prev[name] + _apportion(int(prov[name][m] - before), weights, caps=caps)

        noise = np.exp(rng.normal(0.0, 0.15, n))
        new = step("new_accepted", size * noise)
        total = carried + new
        # Entrusted-out leaves to_execute at least the resolved and reduced already reached.
        entrusted = step("entrusted_out", total * np.exp(rng.normal(0.0, 0.3, n)),
                         caps=total - prev["entrusted_out"] - prev["resolved"] - prev["reduced"])
        to_execute = total - entrusted
        # Each office heads for its own rate (the province's rate so far, shifted by its habit) of its
        # expected cases with conditions; the month's resolved goes where the gap to it is largest.
        rate = _expit(_logit(np.clip(prov["resolved"][m] / max(prov["with_conditions"][m], 1), 0.01, 0.99))
                      + rate_shift)
        gap = np.maximum(rate * to_execute * share - prev["resolved"], 0.0)
        resolved = step("resolved", gap * noise, caps=to_execute - prev["resolved"] - prev["reduced"])
        gained = resolved - prev["resolved"]
        terminated = step("terminated", gained * term_share, caps=gained)
        # Reductions (miễn, giảm) go where much money stays with conditions and unpaid.
        reduced = step("reduced", np.maximum(to_execute * share - resolved, 0.0),
                       caps=to_execute - resolved - prev["reduced"])
        with_conditions = _apportion(prov["with_conditions"][m], to_execute * share * np.exp(rng.normal(0.0, 0.03, n)),
                                    floors=resolved + reduced, caps=to_execute)
        rest = with_conditions - resolved - reduced
        parts = {}
        for name, habit in zip(STOCK_PARTS, stock_habit):
            parts[name] = _apportion(prov[name][m], rest * habit, caps=rest)
            rest = rest - parts[name]
        months.append({
            "carried_over": carried, "new_accepted": new, "total_accepted": total, "entrusted_out": entrusted,
            "to_execute": to_execute, "with_conditions": with_conditions,
            "without_conditions": to_execute - with_conditions, "completed": resolved - terminated,
            "terminated": terminated, "in_progress": rest, **parts, "reduced": reduced,
        })
        prev = {"new_accepted": new, "entrusted_out": entrusted, "resolved": resolved, "terminated": terminated,
                "reduced": reduced}
    for m, block in enumerate(months):
        for column in VALUE_COLUMNS:
            if int(block[column].sum()) != int(prov[column][m]) or (block[column] < 0).any():
                raise AssertionError(f"office split of {rows['province_code'].iat[0]} {column} at {MONTH_ENDS[m]}")
    return months


def generate_offices(monthly: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Office rows (``OFFICE_COLUMNS``) whose sums are the ``all`` rows of ``monthly`` (``generate``'s
    12 reports of 2017, ``period_end`` datetime); sorted by province, period, measure, then office as in
    the reference (Cục first). Values are int64, money in đồng."""
    rows = monthly[monthly["category"] == "all"].sort_values(["province_code", "measure", "period_end"])
    # Columns gathered as arrays, one DataFrame at the end: 1.500 small frames took seconds.
    columns: dict[str, list] = {c: [] for c in OFFICE_COLUMNS}
    for code in CODES:
        rng = np.random.default_rng([seed, _STREAM, int(code)])
        table = reference(code)
        n = len(table)
        sizes = _sizes(table, CAPITALS.get(code), rng)
        is_cuc = (table["code"] == CUC).to_numpy()
        own = rows[rows["province_code"] == code]
        for measure, factor in (("cases", 1), ("money", 1000)):
            mine = own[own["measure"] == measure]
            if list(mine["period_end"].dt.strftime("%Y-%m-%d")) != MONTH_ENDS:
                raise ValueError(f"province {code} {measure}: the 12 reports of 2017 are needed, one each")
            months = _split_province(mine, sizes[measure], is_cuc, rng, factor)
            first = mine.iloc[0]
            for m, block in enumerate(months):
                fixed = {"province_code": code, "province_name": first["province_name"],
                         "period_end": mine["period_end"].iat[m], "measure": measure, "category": "all",
                         "unit": first["unit"], ORIGIN_COLUMN: first[ORIGIN_COLUMN]}
                for column, value in fixed.items():
                    columns[column].append(np.repeat(np.array([value], dtype=object), n))
                columns["office_code"].append(table["code"].to_numpy(dtype=object))
                columns["office_name"].append(table["name"].to_numpy(dtype=object))
                for column in VALUE_COLUMNS:
                    columns[column].append(block[column].astype(np.int64) * factor)
    frame = pd.DataFrame({c: np.concatenate(v) for c, v in columns.items()})
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    # Province, period, measure, then the offices in reference order (Cục first), as a report lists them.
    frame["_order"] = frame.groupby(["province_code", "period_end", "measure"]).cumcount()
    frame = frame.sort_values(["province_code", "period_end", "measure", "_order"], kind="mergesort")
    return frame.drop(columns="_order").reset_index(drop=True)
