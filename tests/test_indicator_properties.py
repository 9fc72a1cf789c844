"""Properties of the indicators computed through the package's public path (file → ``prepare``).

Inputs are generated (hypothesis): 2–8 real provinces, one period, cases and money of category
"all", random non-negative integers that keep every identity of a report ([TT01-2013]):
total_accepted = carried_over + new_accepted; to_execute = total_accepted − entrusted_out
= with_conditions + without_conditions; completed + terminated ≤ with_conditions. Money is in
đồng, and money per case stays within a factor 50 across provinces so that the unit-slip check
(schema.UNIT_SLIP_FACTOR) never sets a province aside.

The expected values are plain Python sums of the generated integers, never package output:
1. a region and the nation are the sums of their provinces, rates pooled (Σ resolved / Σ
   with_conditions), not the mean of the provinces' rates;
2. every completion and share-with-conditions rate lies in [0, 100], and is "no data" exactly
   when its denominator is 0;
3. the order of the rows (and so of the provinces) in the file changes nothing.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
from conftest import HEADER, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import thads_analysis
from thads_analysis.analysis.indicators import all_totals, indicators
from thads_analysis.analysis.pipeline import prepare
from thads_analysis.ingest.io import read_data

# Read from the reference file itself, not through thads_analysis.provinces.
with open(Path(thads_analysis.__file__).parent / "data" / "provinces_2017.csv", encoding="utf-8") as _handle:
    REGION_OF = {row["code"]: row["region"] for row in csv.DictReader(_handle)}
CODES = sorted(REGION_OF)
PERIODS = ["2017-04-30", "2017-09-30", "2016-10-31"]
MEASURES = ["cases", "money"]
UNIT = {"cases": "việc", "money": "đồng"}
REPORTED = HEADER[5:]  # carried_over … terminated, in file order
DERIVED = ["resolved", "carry_forward", "carry_forward_with_conditions"]
COUNTS = REPORTED + DERIVED
NOT_REPORTED = ["in_progress", "postponed", "suspended", "other", "reduced"]  # no column in the file
# rate indicator → (numerator, denominator)
RATES = {"completion_rate": ("resolved", "with_conditions"), "share_with_conditions": ("with_conditions", "to_execute")}
# Money per case to execute: 10 million to 500 million đồng (a factor 50 < UNIT_SLIP_FACTOR 100).
PRICE = (10_000_000, 500_000_000)
MAX_CASES = 200_000
SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def figures(draw, to_execute: int, max_entrusted: int) -> dict[str, int]:
    """One report's values around ``to_execute``, every identity holding."""
    with_conditions = draw(st.integers(0, to_execute))
    entrusted_out = draw(st.integers(0, max_entrusted))
    total_accepted = to_execute + entrusted_out
    carried_over = draw(st.integers(0, total_accepted))
    completed = draw(st.integers(0, with_conditions))
    terminated = draw(st.integers(0, with_conditions - completed))
    values = dict(carried_over=carried_over, new_accepted=total_accepted - carried_over, total_accepted=total_accepted,
                  entrusted_out=entrusted_out, to_execute=to_execute, with_conditions=with_conditions,
                  without_conditions=to_execute - with_conditions, completed=completed, terminated=terminated)
    values["resolved"] = completed + terminated
    values["carry_forward"] = to_execute - values["resolved"]
    values["carry_forward_with_conditions"] = with_conditions - values["resolved"]
    return values


@st.composite
def reports(draw) -> tuple[str, dict[str, dict[str, dict[str, int]]]]:
    """A period and, for 2–8 distinct provinces (in random order), the cases and money reports."""
    period = draw(st.sampled_from(PERIODS))
    codes = draw(st.lists(st.sampled_from(CODES), min_size=2, max_size=8, unique=True))
    data = {}
    for code in codes:
        # Small values often, so that zero denominators and rates of exactly 0 or 100 come up.
        cases_to_execute = draw(st.one_of(st.integers(0, 3), st.integers(0, MAX_CASES)))
        cases = figures(draw, cases_to_execute, 2_000)
        if cases_to_execute:
            money_to_execute = draw(st.one_of(st.just(0), st.integers(cases_to_execute * PRICE[0],
                                                                      cases_to_execute * PRICE[1])))
        else:
            money_to_execute = draw(st.integers(0, 10**12))
        money = figures(draw, money_to_execute, 10**12)
        data[code] = {"cases": cases, "money": money}
    return period, data


def rows_of(period: str, data: dict) -> list[list]:
    return [[code, period, measure, "all", UNIT[measure], *(values[c] for c in REPORTED)]
            for code, by_measure in data.items() for measure, values in by_measure.items()]


def expected_scopes(data: dict) -> dict[tuple[str, str], list[str]]:
    """(level, scope) → the codes of its provinces, by the reference file's regions."""
    scopes: dict[tuple[str, str], list[str]] = {("national", "national"): list(data)}
    for code in data:
        scopes[("province", code)] = [code]
        scopes.setdefault(("region", REGION_OF[code]), []).append(code)
    return scopes


def summed(data: dict, codes: list[str], measure: str) -> dict[str, int]:
    return {c: sum(data[code][measure][c] for code in codes) for c in COUNTS}


def written(tmp_path_factory, rows: list[list]) -> Path:
    return write_csv(tmp_path_factory.mktemp("props") / "report.csv", rows)


def analysed(tmp_path_factory, period: str, rows: list[list]):
    """``prepare`` of the rows written to a file: the whole pipeline, as the command line runs it."""
    analysis = prepare(written(tmp_path_factory, rows), period_end=period)
    # A row breaking a rule would set its province aside silently: the generator writes none.
    assert analysis.set_aside == {} and analysis.period_end == pd.Timestamp(period)
    return analysis


def indicator(tables: dict[str, pd.DataFrame], level: str, scope: str, name: str) -> pd.Series:
    """The one row of indicator ``name`` of ``scope`` in the indicator table of ``level``."""
    table = tables[level]
    row = table[(table["scope"] == scope) & (table["indicator"] == name)]
    assert len(row) == 1, (level, scope, name, len(row))
    return row.iloc[0]


def missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


@settings(SETTINGS, max_examples=25)
@given(reports())
def test_regions_and_nation_are_the_sums_of_their_provinces_with_pooled_rates(tmp_path_factory, generated):
    """Every count of a region or of the nation (reported and derived) is the sum of its provinces',
    a column no province reports stays "no data" (never 0), and the completion and share rates are
    Σ numerator / Σ denominator × 100 over the provinces (pooled), not the mean of their rates."""
    period, data = generated
    analysis = analysed(tmp_path_factory, period, rows_of(period, data))
    scopes = expected_scopes(data)
    for level in ("province", "region", "national"):
        tot = analysis.totals[level]
        assert set(tot["scope"]) == {scope for lvl, scope in scopes if lvl == level}
        assert set(analysis.indicators[level]["scope"]) == set(tot["scope"])
    for (level, scope), codes in scopes.items():
        tot = analysis.totals[level]
        for measure in MEASURES:
            row = tot[(tot["scope"] == scope) & (tot["measure"] == measure) & (tot["category"] == "all")]
            assert len(row) == 1, (level, scope, measure)
            row = row.iloc[0]
            want = summed(data, codes, measure)
            got = {c: row[c] for c in COUNTS}
            assert got == want, (level, scope, measure)
            assert row["n_provinces"] == len(codes)
            assert all(missing(row[c]) for c in NOT_REPORTED), (level, scope, measure)
            for rate, (num, den) in RATES.items():
                ind = indicator(analysis.indicators, level, scope, f"{rate}_{measure}")
                assert (ind["numerator"], ind["denominator"]) == (want[num], want[den])
                if want[den] == 0:
                    assert missing(ind["value"]), (level, scope, rate, measure, ind["value"])
                else:
                    pooled = want[num] / want[den] * 100
                    assert math.isclose(float(ind["value"]), pooled, rel_tol=1e-12, abs_tol=1e-12), \
                        (level, scope, rate, measure, float(ind["value"]), pooled)
            for count in ("carry_forward", "carry_forward_with_conditions"):
                assert indicator(analysis.indicators, level, scope, f"{count}_{measure}")["value"] == want[count]


@SETTINGS
@given(reports())
def test_completion_and_share_rates_lie_between_0_and_100_or_are_no_data_when_the_denominator_is_0(
        tmp_path_factory, generated):
    """For every province, region and the nation, completion_rate_* and share_with_conditions_*
    (and the projected completion rate) lie in [0, 100]; a rate is "no data" (NA, never 0%)
    exactly when its denominator, summed from the generated integers, is 0. Read with ``read_data``
    (which raises on any broken rule) and computed by ``all_totals`` and ``indicators``."""
    period, data = generated
    frame = read_data(written(tmp_path_factory, rows_of(period, data)))  # raises on any rule broken
    tot = all_totals(frame)
    tables = {level: indicators(frame, period, level, tot[tot["level"] == level])
              for level in ("province", "region", "national")}
    for (level, scope), codes in expected_scopes(data).items():
        for measure in MEASURES:
            want = summed(data, codes, measure)
            for rate, (_, den) in RATES.items():
                value = indicator(tables, level, scope, f"{rate}_{measure}")["value"]
                if want[den] == 0:
                    assert missing(value), (level, scope, rate, measure, value)
                else:
                    assert not missing(value) and 0 <= float(value) <= 100, (level, scope, rate, measure, value)
            projected = indicator(tables, level, scope, f"projected_completion_rate_{measure}")["value"]
            assert missing(projected) or 0 <= float(projected) <= 100, (level, scope, measure, projected)


@settings(SETTINGS, max_examples=20)
@given(reports(), st.randoms(use_true_random=False))
def test_the_order_of_the_rows_changes_no_total_and_no_indicator(tmp_path_factory, generated, random):
    """The same reports written in another row order (provinces and measures shuffled) give the
    same totals and the same indicators (value, numerator, denominator, formula, note) for every
    province, region and the nation."""
    period, data = generated
    rows = rows_of(period, data)
    shuffled = list(rows)
    random.shuffle(shuffled)
    first = analysed(tmp_path_factory, period, rows)
    second = analysed(tmp_path_factory, period, shuffled)
    for level in ("province", "region", "national"):
        for table, keys in [("totals", ["scope", "period_end", "measure", "category"]),
                            ("indicators", ["scope", "indicator", "measure", "category"])]:
            a = getattr(first, table)[level].sort_values(keys, na_position="first").reset_index(drop=True)
            b = getattr(second, table)[level].sort_values(keys, na_position="first").reset_index(drop=True)
            pd.testing.assert_frame_equal(a, b, check_exact=True, obj=f"{table} of level {level}")
