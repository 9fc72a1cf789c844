"""Synthetic sample data (*dữ liệu mẫu, mô phỏng*) whose national sums are the published figures.

What comes out: three canonical frames for the 63 provinces of 2017, every row marked
``origin = "sample"``:

- ``annual``: the full statistical years 2015, 2016 and 2017 (period ends 30/09);
- ``monthly``: the 12 cumulative reports of statistical year 2017 (31/10/2016 … 30/09/2017,
  each counted from 01/10/2016); its 30/09/2017 rows are the 2017 rows of ``annual``;
- ``monthly_2016``: the 12 cumulative reports of statistical year 2016 (31/10/2015 … 30/09/2016,
  each counted from 01/10/2015); its 30/09/2016 rows are the 2016 rows of ``annual``. With it a
  window of 2017 (the campaign, 01/03–30/09) can be set against the same window of 2016.

``write_sample`` writes them as four files, each report in exactly one of them: the 2015 full
year (``thads_annual_2015.csv``), the months of 2016 and of 2017 (``thads_monthly_2016.csv``,
``thads_monthly_2017.csv``; their 30/09 rows are the 2016 and 2017 full years) and the standing
targets (``thads_standing_2016_2017.csv``, ``generate_standing``); and a fifth, the offices of every
province for the months of 2017 (``thads_offices_2017.csv``, ``offices.generate_offices``), whose sums
are the province rows of ``thads_monthly_2017.csv``.

Each row is one ``province_code`` × ``period_end`` × ``measure`` (cases | money) × ``category``
(all, credit, corruption, state_budget, criminal_civil), with the 14 value columns of
``schema.VALUE_COLUMNS``. Money is in đồng, a whole number of thousands (reports give money to the
thousand đồng, [TT01-2013]).

Method
------
1. **National series** (``national_series``). The ``all`` totals of every period are fixed first.
   Published figures ([KH690], [BPL-2017]) are used to the unit: carried-over, 7- and 9-month cases,
   2017 resolved cases and money, 2016 resolved cases and cases with conditions carried forward,
   2016 carry-forward (= 2017 carried-over), money carried over into 2017 and total accepted at 7
   months. Rates and year-on-year changes (2017 completion rates, 8-month shares with conditions,
   new cases +5,57 %, new money +19,67 %, carry-forward −14,66 % / −19,05 % against 2015) are met to
   their published rounding by choosing the unpublished totals they involve. Everything else
   (2015, entrusted-out, month-by-month paths, parts of ``with_conditions``) is invented and
   plausible; data/README.md lists which is which. **No monthly figure of 2016 is published**: the
   national path of its 12 months (``_months_2016``) is invented, shaped like 2017's (a Tết dip in
   February, resolved speeding up towards September, September the largest month of resolved),
   and ends exactly on the 2016 full year, which is the published / derived figure above.
2. **Provinces, full years** (``_allocate_year``). Each national total is split over the 63
   provinces by largest-remainder apportionment (``apportion``) with bounds, so the rounded
   province values sum exactly to the national value and every identity holds per province:
   new cases by a hand-made size table (population and economy; money much more concentrated in
   Hồ Chí Minh and Hà Nội); entrusted-out in proportion to the total accepted; cases with
   conditions by a province share; resolved by a province completion rate. Province effects are
   drawn once from ``numpy.random.default_rng(seed)`` and persist across years, so a province
   that performs well keeps doing so. Years run 2015 → 2017 and each year's ``carried_over`` is
   the province's ``carry_forward`` of the year before. Nam Định's 2017 cases are pinned to the
   example used in report texts (resolved 4.918, rate 90,70 %).
3. **Months of 2017 and 2016** (``_months_backward``). Starting from the full year and going
   back, each month's national increment of a flow is apportioned over the provinces (in
   proportion to their size, with noise, capped by their current value), which makes every flow
   non-decreasing month to month while the national sums stay exact. Cases or money with
   conditions (a stock) are apportioned afresh each month between resolved and to_execute.
   The months of 2016 run the same way from the 2016 full year, with noise from a generator of
   their own, ``numpy.random.default_rng([seed, 2016])``, used after everything else: adding them
   moved no value of the other frames.
4. **Parts of with_conditions.** Terminated is a province share of resolved (kept monotone),
   reduced (money only) a small, monotone share of what stays with conditions, and the stock
   carried with conditions splits into in progress, postponed, suspended and other.
5. **Categories** (``_category_block``). Each category is a subset of ``all``: its values are a
   province fraction of the ``all`` values, each node of the tree
   to_execute → (without | with → (resolved → completed, terminated | rest → reduced, postponed,
   suspended, other, in progress)) clipped between the bounds that keep it ≤ ``all``, keep its
   flows monotone and keep the identities. Categories follow the same year-to-year chain.
   The credit category's 2017 resolved totals are the published 4.440 cases and
   27.701.223.513.000 đồng: its resolved propensity is calibrated (bisection) so that the path
   ends near them, then the last month is apportioned to hit them exactly.
   The 2016 full year of a category is computed with the other full years; its months
   (``_category_months_2016``) then run forward from 01/10/2015 with last month's flows as floors
   and the category's 2016 year-end flows as ceilings, so they rise into the fixed year end.

Deterministic: the same seed gives byte-identical files. Run ``python -m thads_analysis.sample``
to rewrite ``data/sample/``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..ingest.schema import CATEGORIES, MEASURES, ORIGIN_COLUMN, SAMPLE_ORIGIN, STANDING_COLUMNS, VALUE_COLUMNS
from ..paths import SAMPLE_DIR
from ..provinces import lookup, provinces

DEFAULT_SEED = 2017
# The 2016 and 2017 full years are the 30/09 reports of the monthly files: each is written once, in
# its monthly file, so that reading the folder sees each report once.
ANNUAL_FILE = "thads_annual_2015.csv"
MONTHLY_2016_FILE = "thads_monthly_2016.csv"
MONTHLY_FILE = "thads_monthly_2017.csv"
STANDING_FILE = "thads_standing_2016_2017.csv"
YEARS = [2015, 2016, 2017]
MONTH_ENDS = [d.strftime("%Y-%m-%d") for d in pd.date_range("2016-10-31", "2017-09-30", freq="ME")]
MONTH_ENDS_2016 = [d.strftime("%Y-%m-%d") for d in pd.date_range("2015-10-31", "2016-09-30", freq="ME")]
UNITS = {"cases": "việc", "money": "đồng"}
OUTPUT_COLUMNS = ["province_code", "province_name", "period_end", "measure", "category", "unit", ORIGIN_COLUMN,
                  *VALUE_COLUMNS]

# Province code → (caseload size, money per case relative to the typical province), in code order.
# Sizes are a hand-made index of the yearly caseload (population × economic activity); they are not
# published figures. Codes and names come from the province reference (provinces.py).
SIZES = {
    "01": (85.0, 4.5), "02": (4.5, 0.35), "04": (4.0, 0.35), "06": (2.2, 0.35), "08": (5.0, 0.4), "10": (5.5, 0.5),
    "11": (3.2, 0.35), "12": (2.8, 0.35), "14": (6.5, 0.4), "15": (5.0, 0.4), "17": (6.0, 0.45), "19": (11.0, 0.6),
    "20": (5.5, 0.45), "22": (15.0, 1.3), "24": (12.0, 0.6), "25": (10.0, 0.55), "26": (11.0, 0.9), "27": (15.0, 1.4),
    "30": (14.0, 0.7), "31": (30.0, 1.6), "33": (10.0, 0.7), "34": (11.0, 0.5), "35": (7.0, 0.55), "36": (9.0, 0.5),
    "37": (8.0, 0.6), "38": (29.0, 0.6), "40": (27.0, 0.6), "42": (8.0, 0.6), "44": (7.0, 0.5), "45": (5.5, 0.5),
    "46": (11.0, 0.8), "48": (16.0, 2.5), "49": (13.0, 0.7), "51": (11.0, 0.7), "52": (14.0, 0.7), "54": (8.0, 0.55),
    "56": (16.0, 1.3), "58": (6.0, 0.5), "60": (14.0, 0.7), "62": (3.5, 0.4), "64": (16.0, 0.6), "66": (21.0, 0.7),
    "67": (7.0, 0.5), "68": (15.0, 0.8), "70": (13.0, 0.7), "72": (18.0, 0.7), "74": (38.0, 2.0), "75": (42.0, 1.6),
    "77": (18.0, 1.5), "79": (100.0, 6.5), "80": (23.0, 0.9), "82": (20.0, 0.6), "83": (16.0, 0.5), "84": (12.0, 0.5),
    "86": (13.0, 0.55), "87": (18.0, 0.55), "89": (23.0, 0.6), "91": (22.0, 0.8), "92": (24.0, 1.2), "93": (10.0, 0.5),
    "94": (15.0, 0.5), "95": (11.0, 0.5), "96": (16.0, 0.55),
}
CODES = list(SIZES)
NAMES = {p.code: p.short_name for p in map(lookup, CODES)}
if CODES != list(provinces()["code"]):
    raise RuntimeError("the sample's SIZES must list the 63 province codes of the reference, in code order")

# Nam Định's 2017 full-year cases: the worked example of the report texts (synthetic).
EXAMPLE_PROVINCE = "36"
EXAMPLE_WITH_CONDITIONS = 5_422  # 4.918 / 5.422 = 90,70 %
EXAMPLE_RESOLVED = 4_918


@dataclass(frozen=True)
class YearTotals:
    """National ``all`` totals of one full year (money in thousand đồng)."""

    carried_over: int
    new_accepted: int
    entrusted_out: int
    with_conditions: int
    resolved: int

    @property
    def to_execute(self) -> int:
        return self.carried_over + self.new_accepted - self.entrusted_out

    @property
    def carry_forward(self) -> int:
        return self.to_execute - self.resolved


# ---------------------------------------------------------------------------------------------
# National figures. Money in THOUSAND đồng here (the unit reports use); multiplied by 1000 on output.
# P = published, to the unit; R = chosen so that a published rate or change rounds right; I = invented.
# ---------------------------------------------------------------------------------------------
_CASES_CF_2015 = 340_431          # R: 290.524 / 340.431 − 1 = −14,66 %
_CASES_CF_2016 = 290_524          # P: carried over into 2017
_MONEY_CF_2015 = 129_059_172_063  # R: 104.473.399.784 / 129.059.172.063 − 1 = −19,05 %
_MONEY_CF_2016 = 104_473_399_784  # P: 104.473 tỷ 399 triệu 784 nghìn carried over into 2017
_MONEY_RESOLVED_2016 = 29_097_918_406  # R: ≈ 29.097,9 tỷ
_MONEY_RESOLVED_2015 = 24_386_207_541  # I
_MONEY_NEW_2016 = 43_452_318_650  # I, but 2017's new money must be 19,67 % more

CASES_YEARS = {
    # I: 2015 is invented apart from its carry-forward 340.431.
    2015: YearTotals(371_905, _CASES_CF_2015 + 507_236 + 13_920 - 371_905, 13_920, 664_095, 507_236),
    # P: resolved 530.428, with conditions 530.428 + 144.857, carry-forward 290.524; the chain fixes
    # carried-over = 340.431, so new − entrusted = 480.521; entrusted-out 18.700 is invented.
    2016: YearTotals(_CASES_CF_2015, 499_221, 18_700, 675_285, 530_428),
    # P: carried-over 290.524, resolved 549.415; R: with conditions 693.268 (79,25 %), new 527.028
    # (+5,57 % on 499.221); I: entrusted-out 11.395.
    2017: YearTotals(_CASES_CF_2016, 527_028, 11_395, 693_268, 549_415),
}
MONEY_YEARS = {
    # I: 2015 is invented apart from its carry-forward (rate 31,20 %).
    2015: YearTotals(118_620_455_310,
                     _MONEY_CF_2015 + _MONEY_RESOLVED_2015 + 9_874_310_226 - 118_620_455_310,
                     9_874_310_226, 78_161_562_631, _MONEY_RESOLVED_2015),
    # The chain (carried-over = 2015 carry-forward), the 2016 carry-forward and resolved money leave
    # new − entrusted = 4.512 tỷ only, far below any year's new money: entrusted-out has to absorb
    # the difference (see data/README.md). With conditions: rate 33,74 % (I: a 30 % target + 3,74).
    2016: YearTotals(_MONEY_CF_2015, _MONEY_NEW_2016,
                     _MONEY_NEW_2016 - (_MONEY_CF_2016 + _MONEY_RESOLVED_2016 - _MONEY_CF_2015),
                     86_241_607_605, _MONEY_RESOLVED_2016),
    # P: carried-over, resolved 35.242.612.983; R: with conditions (38,31 %), new (+19,67 %);
    # I: entrusted-out.
    2017: YearTotals(_MONEY_CF_2016, 51_999_389_728, 9_870_455_120, 91_993_247_150, 35_242_612_983),
}

# Month-by-month increments of 2017 (Oct 2016 … Sep 2017); cumulative sums are the reports.
# Cases: the 7- and 9-month sums are published; the rest is invented (Tết dip in February,
# resolved accelerating towards September, the campaign from March).
_CASES_NEW_STEPS = [44_000, 48_500, 51_000, 47_500, 38_000, 55_000, 57_063, 53_000, 52_160, 31_500, 26_800, 22_505]
_CASES_ENTRUSTED_STEPS = [800, 850, 900, 850, 700, 1_000, 1_062, 1_200, 1_158, 1_000, 950, 925]
_CASES_RESOLVED_STEPS = [22_000, 30_000, 38_500, 41_000, 29_500, 50_000, 56_165, 49_500, 52_707, 56_000, 60_500,
                         63_543]
# Cases with conditions not yet resolved (a stock); months 7 and 9 published, 8 set by the 78,52 % share.
_CASES_CFWC = [170_000, 185_000, 196_000, 205_000, 212_000, 214_000, 215_010, None, 210_041, 198_000, 175_000, None]
_MONEY_NEW_STEPS = [4_912_340_115, 5_603_118_240, 6_790_455_312, 6_204_870_655, 4_118_306_420, 6_472_119_860, None,
                    3_611_502_118, 2_904_771_390, 2_215_380_004, 1_806_229_512, None]
_MONEY_TOTAL_ACCEPTED_7 = 144_833_439_017  # P: 144.833 tỷ 439 triệu 017 nghìn at 7 months
_MONEY_ENTRUSTED_STEPS = [612_004_310, 705_118_420, 801_330_115, 744_201_906, 532_660_210, 918_407_118,
                          1_002_553_870, 1_095_220_614, 980_114_307, 860_442_019, 790_118_650, None]
_MONEY_RESOLVED_STEPS = [1_204_115_620, 1_655_307_118, 2_406_880_214, 2_290_412_005, 1_480_226_930, 2_911_540_377,
                         3_305_118_406, 3_420_660_918, 3_618_204_551, 3_905_330_216, 4_310_447_802, None]
# Money: share with conditions of to_execute; month 8 published (68,90 %), month 12 set by the rate.
_MONEY_SHARE = [0.600, 0.620, 0.635, 0.650, 0.660, 0.670, 0.680, None, 0.688, 0.675, 0.655, None]
_SHARE_8 = {"cases": 0.7852, "money": 0.6890}  # P: 8 months, with_conditions / to_execute

# Month-by-month increments of 2016 (Oct 2015 … Sep 2016). No monthly 2016 figure is published: the
# whole path is invented (I), shaped like 2017's (Tết dip in February, resolved accelerating towards
# September, September the largest month) and ending exactly on the 2016 full year (the last month
# is what is left of the year's total).
_CASES_NEW_STEPS_2016 = [40_500, 44_000, 46_500, 43_000, 30_500, 45_500, 44_000, 43_500, 42_000, 41_000, 40_500,
                         None]
_CASES_ENTRUSTED_STEPS_2016 = [1_350, 1_500, 1_650, 1_600, 1_150, 1_750, 1_700, 1_650, 1_600, 1_550, 1_500, None]
_CASES_RESOLVED_STEPS_2016 = [21_500, 29_000, 37_000, 40_000, 27_500, 47_000, 51_000, 49_000, 52_000, 54_500, 58_500,
                              None]
# Cases with conditions not yet resolved (a stock); the year end is the published 144.857.
_CASES_CFWC_2016 = [168_000, 181_000, 192_000, 200_000, 207_000, 209_500, 210_000, 206_000, 199_000, 186_000,
                    168_000, None]
_MONEY_NEW_STEPS_2016 = [3_702_118_305, 4_105_660_218, 4_580_330_117, 4_210_775_402, 2_905_114_630, 4_402_871_209,
                         4_018_226_514, 3_701_559_380, 3_480_205_117, 3_120_448_906, 2_811_330_245, None]
# Entrusted-out money has to absorb 38.940 tỷ in 2016 (data/README.md, inconsistency 2): spread over
# the year roughly like new money, so to_execute stays near the carried-over amount.
_MONEY_ENTRUSTED_STEPS_2016 = [3_105_220_410, 3_610_405_118, 4_002_118_306, 3_720_660_215, 2_590_337_104,
                               3_880_442_019, 3_560_118_650, 3_250_774_301, 3_090_553_208, 2_780_991_417,
                               2_505_220_116, None]
_MONEY_RESOLVED_STEPS_2016 = [1_010_225_318, 1_402_660_117, 2_005_118_430, 1_910_334_205, 1_205_770_118,
                              2_410_552_306, 2_705_118_240, 2_810_334_517, 3_002_118_605, 3_220_556_108,
                              3_560_441_227, None]
# Money: share with conditions of to_execute; the year end follows from the 2016 full year.
_MONEY_SHARE_2016 = [0.590, 0.605, 0.620, 0.632, 0.640, 0.648, 0.655, 0.660, 0.662, 0.658, 0.652, None]

# Credit category, 2017 full year (P, [BPL-2017]): resolved cases and money.
CREDIT_RESOLVED_2017 = {"cases": 4_440, "money": 27_701_223_513}

# Category fractions of the ``all`` row (I): c, n, e = shares of carried-over (2015 only; later
# years follow the chain), new and entrusted-out; w = propensity with/without conditions and
# r = propensity resolved/still with conditions, both relative to ``all``. The credit ``r`` is only
# a starting point: it is calibrated so that the 2017 path ends near the published resolved totals.
CATEGORY_PARAMS = {
    "credit": {"cases": dict(c=0.050, n=0.0090, e=0.010, w=1.0, r=0.052),
               "money": dict(c=0.68, n=0.62, e=0.45, w=1.0, r=1.12)},
    "corruption": {"cases": dict(c=0.008, n=0.006, e=0.005, w=0.8, r=0.35),
                   "money": dict(c=0.14, n=0.10, e=0.10, w=0.8, r=0.35)},
    "state_budget": {"cases": dict(c=0.40, n=0.42, e=0.30, w=1.0, r=1.15),
                     "money": dict(c=0.06, n=0.08, e=0.03, w=1.1, r=1.40)},
    "criminal_civil": {"cases": dict(c=0.36, n=0.30, e=0.25, w=0.6, r=0.70),
                       "money": dict(c=0.16, n=0.14, e=0.08, w=0.6, r=0.60)},
}
STOCK_PARTS = ["postponed", "suspended", "other"]  # in_progress takes what is left
# Full-year province ranges (I): share with conditions of to_execute, completion rate.
RANGES = {"cases": {"share": (0.60, 0.97), "rate": (0.58, 0.95)},
          "money": {"share": (0.30, 0.90), "rate": (0.15, 0.70)}}


class InfeasibleError(ValueError):
    """The bounds of an apportionment cannot hold its total."""

    def __init__(self, total: int, floor_sum: int, cap_sum: int):
        self.total, self.floor_sum, self.cap_sum = total, floor_sum, cap_sum
        super().__init__(f"cannot apportion {total} between floors summing to {floor_sum} "
                         f"and caps summing to {cap_sum}")


def apportion(total: int, weights, floors=None, caps=None) -> np.ndarray:
    """Split the integer ``total`` in proportion to ``weights`` with ``floors`` ≤ share ≤ ``caps``.

    Largest-remainder (Hamilton) apportionment: shares are ``λ·weight`` clipped to the bounds
    (λ found by bisection), then rounded down, and the units left over go to the largest
    fractional parts. Returns int64 shares summing exactly to ``total``; raises ``ValueError``
    when the bounds cannot hold ``total``.
    """
    w = np.asarray(weights, dtype=float)
    n = len(w)
    total = int(total)
    lo = np.zeros(n, dtype=np.int64) if floors is None else np.asarray(floors, dtype=np.int64)
    hi = np.full(n, max(total, 0), dtype=np.int64) if caps is None else np.asarray(caps, dtype=np.int64)
    if (lo > hi).any() or int(lo.sum()) > total or int(hi.sum()) < total:
        raise InfeasibleError(total, int(lo.sum()), int(hi.sum()))
    # A zero weight would leave its room unusable; a tiny weight keeps the problem feasible.
    w = np.maximum(w, 0.0) + 1e-9 * max(float(w.max()), 1.0)
    lo_f, hi_f = lo.astype(float), hi.astype(float)

    def filled(lam: float) -> float:
        return float(np.clip(lam * w, lo_f, hi_f).sum())

    lam_lo, lam_hi = 0.0, total / w.sum() if total > 0 else 1.0
    while filled(lam_hi) < total:
        lam_hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lam_lo + lam_hi)
        if filled(mid) < total:
            lam_lo = mid
        else:
            lam_hi = mid
    x = np.clip(lam_hi * w, lo_f, hi_f)
    share = np.clip(np.floor(x).astype(np.int64), lo, hi)
    frac = x - np.floor(x)
    left = total - int(share.sum())
    # Ties break on the province order, so the result never depends on sort stability.
    while left > 0:
        for i in np.lexsort((np.arange(n), -frac)):
            if left == 0:
                break
            if share[i] < hi[i]:
                share[i] += 1
                left -= 1
    while left < 0:
        for i in np.lexsort((np.arange(n), frac)):
            if left == 0:
                break
            if share[i] > lo[i]:
                share[i] -= 1
                left += 1
    return share


def _round(x) -> np.ndarray:
    """Round half up to int64 (numpy's default rounds half to even)."""
    return np.floor(np.asarray(x, dtype=float) + 0.5).astype(np.int64)


def _logit(p):
    return np.log(p / (1.0 - p))


def _expit(z):
    return 1.0 / (1.0 + np.exp(-z))


def _with_for_share(to_execute: int, share: float) -> int:
    """with_conditions whose share of ``to_execute`` rounds (2 decimals, percent) to ``share``."""
    value = round(to_execute * share)
    if round(value / to_execute, 4) != round(share, 4):
        raise AssertionError(f"no integer with_conditions gives {share:.2%} of {to_execute}")
    return value


def _check_months(measure: str, year: YearTotals, months: dict) -> None:
    """The national monthly path ``months`` ends on ``year``, its flows never fall, and with_conditions
    stays between resolved and to_execute."""
    for name, path in months.items():
        if name != "with_conditions" and (np.diff(path) < 0).any():
            raise AssertionError(f"{measure} {name}: national path falls")
    ends = {"new_accepted": year.new_accepted, "entrusted_out": year.entrusted_out,
            "with_conditions": year.with_conditions, "resolved": year.resolved}
    if any(int(months[name][-1]) != value for name, value in ends.items()):
        raise AssertionError(f"{measure}: monthly path does not end on the full year")
    to_execute = year.carried_over + months["new_accepted"] - months["entrusted_out"]
    if ((months["with_conditions"] < months["resolved"]) | (months["with_conditions"] > to_execute)).any():
        raise AssertionError(f"{measure}: with_conditions outside resolved … to_execute")


def _months_2016(measure: str, year: YearTotals) -> dict:
    """The invented national cumulative path of the 12 months of 2016, ending on the full year ``year``."""
    def cumulative(steps: list, total: int) -> np.ndarray:
        return np.cumsum([*steps[:11], total - sum(steps[:11])]).astype(np.int64)

    if measure == "cases":
        new = cumulative(_CASES_NEW_STEPS_2016, year.new_accepted)
        entrusted = cumulative(_CASES_ENTRUSTED_STEPS_2016, year.entrusted_out)
        resolved = cumulative(_CASES_RESOLVED_STEPS_2016, year.resolved)
        with_conditions = np.array([*(np.array(_CASES_CFWC_2016[:11]) + resolved[:11]), year.with_conditions])
    else:
        new = cumulative(_MONEY_NEW_STEPS_2016, year.new_accepted)
        entrusted = cumulative(_MONEY_ENTRUSTED_STEPS_2016, year.entrusted_out)
        resolved = cumulative(_MONEY_RESOLVED_STEPS_2016, year.resolved)
        to_execute = year.carried_over + new - entrusted
        with_conditions = np.array([*(round(share * int(t)) for share, t in zip(_MONEY_SHARE_2016[:11], to_execute)),
                                    year.with_conditions])
    months = {"new_accepted": new, "entrusted_out": entrusted, "with_conditions": with_conditions.astype(np.int64),
              "resolved": resolved}
    _check_months(measure, year, months)
    return months


def national_series() -> dict[str, dict]:
    """The national ``all`` totals: ``{measure: {"years": {year: YearTotals}, "months": {...},
    "months_2016": {...}}}``.

    ``months`` holds cumulative arrays over the 12 months of 2017 for ``new_accepted``,
    ``entrusted_out``, ``with_conditions`` and ``resolved`` (money in thousand đồng); ``months_2016``
    the same over the 12 months of 2016 (invented, ending on the 2016 full year).
    """
    out = {}
    for measure, years in (("cases", CASES_YEARS), ("money", MONEY_YEARS)):
        year = years[2017]
        if measure == "cases":
            new = np.cumsum(_CASES_NEW_STEPS)
            entrusted = np.cumsum(_CASES_ENTRUSTED_STEPS)
            resolved = np.cumsum(_CASES_RESOLVED_STEPS)
        else:
            steps = list(_MONEY_NEW_STEPS)
            steps[6] = _MONEY_TOTAL_ACCEPTED_7 - year.carried_over - sum(steps[:6])
            steps[11] = year.new_accepted - sum(steps[:11])
            new = np.cumsum(steps)
            entrusted = np.cumsum(_MONEY_ENTRUSTED_STEPS[:11] + [year.entrusted_out - sum(_MONEY_ENTRUSTED_STEPS[:11])])
            resolved = np.cumsum(_MONEY_RESOLVED_STEPS[:11] + [year.resolved - sum(_MONEY_RESOLVED_STEPS[:11])])
        to_execute = year.carried_over + new - entrusted
        with_conditions = np.zeros(12, dtype=np.int64)
        for m in range(12):
            if m == 11:
                with_conditions[m] = year.with_conditions
            elif m == 7:
                with_conditions[m] = _with_for_share(int(to_execute[m]), _SHARE_8[measure])
            elif measure == "cases":
                with_conditions[m] = _CASES_CFWC[m] + resolved[m]
            else:
                with_conditions[m] = round(_MONEY_SHARE[m] * to_execute[m])
        if new[-1] != year.new_accepted or entrusted[-1] != year.entrusted_out or resolved[-1] != year.resolved:
            raise AssertionError(f"{measure}: monthly steps do not add up to the 2017 totals")
        months = {"new_accepted": new.astype(np.int64), "entrusted_out": entrusted.astype(np.int64),
                  "with_conditions": with_conditions, "resolved": resolved.astype(np.int64)}
        for name, path in months.items():
            if name != "with_conditions" and (np.diff(path) < 0).any():
                raise AssertionError(f"{measure} {name}: national path falls")
        if ((with_conditions < resolved) | (with_conditions > to_execute)).any():
            raise AssertionError(f"{measure}: with_conditions outside resolved … to_execute")
        out[measure] = {"years": years, "months": months, "months_2016": _months_2016(measure, years[2016])}
    for prev, year in ((2015, 2016), (2016, 2017)):
        for measure, years in (("cases", CASES_YEARS), ("money", MONEY_YEARS)):
            if years[prev].carry_forward != years[year].carried_over:
                raise AssertionError(f"{measure}: {prev} carry_forward ≠ {year} carried_over")
    return out


@dataclass
class _Effects:
    """Province effects of one measure, drawn once per seed and kept across years."""

    size: np.ndarray  # relative new caseload (cases) or new money
    share: np.ndarray  # logit shift of the share with conditions
    rate: np.ndarray  # logit shift of the completion rate
    terminated: np.ndarray  # share of resolved that is đình chỉ
    reduced: np.ndarray  # share of what stays with conditions that is reduced (money only)
    stock: np.ndarray  # (3, 63) shares of postponed, suspended, other in the remaining stock


def _draw_effects(rng: np.random.Generator) -> dict[str, _Effects]:
    """Province effects for cases and money."""
    cases_size = np.array([SIZES[c][0] for c in CODES])
    money_size = cases_size * np.array([SIZES[c][1] for c in CODES]) * np.exp(rng.normal(0.0, 0.1, 63))
    effects = {}
    for measure, size, sd_share, sd_rate, term, red, stock in (
        ("cases", cases_size, 0.35, 0.45, (0.03, 0.09), (0.0, 0.0), ((0.04, 0.10), (0.005, 0.02), (0.02, 0.08))),
        ("money", money_size, 0.45, 0.50, (0.10, 0.30), (0.005, 0.03), ((0.08, 0.20), (0.01, 0.05), (0.03, 0.10))),
    ):
        rate = rng.normal(0.0, sd_rate, 63)
        effects[measure] = _Effects(
            size=size,
            share=rng.normal(0.0, sd_share, 63),
            rate=rate,
            terminated=rng.uniform(*term, 63),
            reduced=rng.uniform(*red, 63),
            stock=np.vstack([rng.uniform(a, b, 63) for a, b in stock]),
        )
    # Nam Định is a strong performer every year, so its pinned 90,70 % in 2017 is in character.
    i = CODES.index(EXAMPLE_PROVINCE)
    effects["cases"].rate[i] = _logit(0.905) - _logit(0.79)
    return effects


def _block(carried_over, new, entrusted, with_conditions, resolved, terminated, reduced, stock_shares) -> dict:
    """The 14 value columns of ``all`` rows from their free parts (all int64 arrays)."""
    carried_over = np.asarray(carried_over, dtype=np.int64)
    total = carried_over + new
    to_execute = total - entrusted
    rest = with_conditions - resolved - reduced  # the stock still with conditions, not reduced
    parts = {name: np.floor(share * rest).astype(np.int64) for name, share in zip(STOCK_PARTS, stock_shares)}
    block = {
        "carried_over": carried_over, "new_accepted": new, "total_accepted": total, "entrusted_out": entrusted,
        "to_execute": to_execute, "with_conditions": with_conditions,
        "without_conditions": to_execute - with_conditions, "completed": resolved - terminated, "terminated": terminated,
        "in_progress": rest - sum(parts.values()), **parts, "reduced": reduced,
    }
    return {k: np.asarray(v, dtype=np.int64) for k, v in block.items()}


def _allocate_year(measure: str, year: int, totals: YearTotals, carried_over: np.ndarray, eff: _Effects,
                   rng: np.random.Generator) -> dict:
    """Province ``all`` values of one full year that sum to ``totals``."""
    n = len(CODES)
    i_ex = CODES.index(EXAMPLE_PROVINCE)
    pinned = measure == "cases" and year == 2017
    new_floor = np.zeros(n, dtype=np.int64)
    min_execute = np.zeros(n, dtype=np.int64)
    if pinned:
        # Room for Nam Định's pinned 5.422 cases with conditions at a usual share of to_execute.
        min_execute[i_ex] = int(np.ceil(EXAMPLE_WITH_CONDITIONS / 0.95))
        new_floor[i_ex] = max(0, int(min_execute[i_ex] * 1.03) - int(carried_over[i_ex]))
    new = apportion(totals.new_accepted, eff.size * np.exp(rng.normal(0.0, 0.05, n)), floors=new_floor)
    total = carried_over + new
    entrusted = apportion(totals.entrusted_out, total * np.exp(rng.normal(0.0, 0.3, n)), caps=total - min_execute)
    to_execute = total - entrusted
    # Province shares and rates are kept inside plausible ranges (RANGES) by the apportionment bounds,
    # so a big province drawing an extreme value cannot push the small ones out of range.
    (share_lo, share_hi), (rate_lo, rate_hi) = RANGES[measure]["share"], RANGES[measure]["rate"]
    share = _expit(_logit(totals.with_conditions / totals.to_execute) + eff.share + rng.normal(0.0, 0.08, n))
    floors = np.ceil(share_lo * to_execute).astype(np.int64)
    caps = np.floor(share_hi * to_execute).astype(np.int64)
    if pinned:
        floors[i_ex] = caps[i_ex] = EXAMPLE_WITH_CONDITIONS
    with_conditions = apportion(totals.with_conditions, to_execute * share, floors=floors, caps=caps)
    rate = _expit(_logit(totals.resolved / totals.with_conditions) + eff.rate + rng.normal(0.0, 0.12, n))
    floors = np.ceil(rate_lo * with_conditions).astype(np.int64)
    caps = np.floor(rate_hi * with_conditions).astype(np.int64)
    if pinned:
        floors[i_ex] = caps[i_ex] = EXAMPLE_RESOLVED
    resolved = apportion(totals.resolved, with_conditions * rate, floors=floors, caps=caps)
    terminated = np.minimum(_round(eff.terminated * resolved), resolved)
    reduced = _round(eff.reduced * (with_conditions - resolved))
    return _block(carried_over, new, entrusted, with_conditions, resolved, terminated, reduced, eff.stock)


def _months_backward(measure: str, year_block: dict, months: dict, eff: _Effects, rng: np.random.Generator) -> list:
    """The 12 cumulative ``all`` blocks of one statistical year, from the full year back to October.

    Going back one month, the national fall of each flow (that month's new cases, resolved, …) is
    apportioned over the provinces with each province's current value as the cap, so every
    province's flows are non-decreasing and the national sums stay those of ``months``. Splitting
    the monthly increments rather than the cumulative values gives every province a steady,
    noisy monthly pace instead of months with nothing at all.
    """
    n = len(CODES)
    blocks = [None] * 12
    blocks[11] = year_block
    carried_over = year_block["carried_over"]
    # The province's own share with conditions at year end steers its earlier months.
    share = year_block["with_conditions"] / np.maximum(year_block["to_execute"], 1)
    growth = (np.arange(1, 13) / 12.0) ** 1.2  # reductions (miễn, giảm) pile up a little late
    timing = rng.normal(0.0, 1.0, n)  # some provinces finish the year faster than others

    def step_back(path: str, current: np.ndarray, m: int, floors=None) -> np.ndarray:
        """Values at month m from those at m+1: subtract the apportioned monthly increment."""
        increment = int(months[path][m + 1] - months[path][m])
        weights = current * np.exp(rng.normal(0.0, 0.08, n) + 0.03 * timing)
        return current - apportion(increment, weights, floors=floors, caps=current)

    for m in range(10, -1, -1):
        nxt = blocks[m + 1]
        nxt_resolved = nxt["completed"] + nxt["terminated"]
        new = step_back("new_accepted", nxt["new_accepted"], m)
        total = carried_over + new
        entrusted = step_back("entrusted_out", nxt["entrusted_out"], m,
                              floors=np.maximum(0, nxt["entrusted_out"] - total))
        to_execute = total - entrusted
        resolved = step_back("resolved", nxt_resolved, m, floors=np.maximum(0, nxt_resolved - to_execute))
        with_conditions = apportion(months["with_conditions"][m], to_execute * share * np.exp(rng.normal(0.0, 0.02, n)),
                                    floors=resolved, caps=to_execute)
        # Terminated stays a share of resolved, within the bounds that keep both it and completed monotone.
        low = np.maximum(0, nxt["terminated"] - (nxt_resolved - resolved))
        high = np.minimum(nxt["terminated"], resolved)
        terminated = np.clip(_round(eff.terminated * resolved), low, high)
        reduced = np.minimum.reduce([nxt["reduced"], np.floor(year_block["reduced"] * growth[m]).astype(np.int64),
                                     with_conditions - resolved])
        blocks[m] = _block(carried_over, new, entrusted, with_conditions, resolved, terminated, reduced, eff.stock)
    return blocks


def _split(total, part_all, other_all, part_floor, other_floor, propensity=1.0, natural=None, part_cap=None,
           other_cap=None):
    """Split a category ``total`` into (part, other) within the bounds, near its natural share.

    Bounds: part ≤ part_all and other ≤ other_all (the category is a subset of ``all``), each at
    least its floor (flows already reached last month) and, when given, at most its cap (flows
    still to reach at the year end). Returns (natural, low, high) when ``natural`` is "bounds",
    else the clipped part.
    """
    weight = propensity * part_all
    denom = weight + other_all
    nat = np.where(denom > 0, total * weight / np.where(denom > 0, denom, 1), 0.0)
    low = np.maximum(part_floor, total - other_all)
    high = np.minimum(part_all, total - other_floor)
    if part_cap is not None:
        high = np.minimum(high, part_cap)
    if other_cap is not None:
        low = np.maximum(low, total - other_cap)
    if (low > high).any():
        raise AssertionError("category split has no room")
    if natural == "bounds":
        return nat, low, high
    return np.clip(_round(nat), low, high)


def _category_block(all_b: dict, carried_over: np.ndarray, frac: dict, prm: dict, prev: dict | None,
                    resolved_target: int | None = None, ceiling: dict | None = None) -> dict:
    """One category's province values for one period, a subset of the ``all`` block ``all_b``.

    ``carried_over`` comes from the chain, ``frac`` holds the province fractions of new and
    entrusted, ``prev`` is the same category's block of the previous month of the year (None at
    a year's first report). ``resolved_target``, when given, is the national resolved total.
    ``ceiling``, when given, is the same category's block of the year end, already fixed: every
    flow stays at most its year-end value, so the months lead up to that block without a fall.
    """
    zero = np.zeros(len(CODES), dtype=np.int64)
    fl = {k: (prev[k] if prev is not None else zero) for k in ("completed", "terminated", "reduced", "entrusted_out")}
    flows_floor = fl["completed"] + fl["terminated"] + fl["reduced"]
    new = np.floor(frac["n"] * all_b["new_accepted"]).astype(np.int64)
    if prev is not None:
        new = np.maximum(new, prev["new_accepted"])
    new = np.minimum(new, all_b["new_accepted"])
    if ceiling is not None:
        new = np.minimum(new, ceiling["new_accepted"])
    total = carried_over + new
    # Entrusted-out keeps to_execute ≤ all's and leaves room for the flows already resolved.
    e_low = np.maximum(fl["entrusted_out"], total - all_b["to_execute"])
    e_high = np.minimum(all_b["entrusted_out"], total - flows_floor)
    if ceiling is not None:
        e_high = np.minimum(e_high, ceiling["entrusted_out"])
    if (e_low > e_high).any():
        raise AssertionError("category entrusted_out has no room")
    entrusted = np.clip(np.floor(frac["e"] * all_b["entrusted_out"]).astype(np.int64), e_low, e_high)
    to_execute = total - entrusted
    a = all_b
    a_resolved = a["completed"] + a["terminated"]
    a_rest = a["with_conditions"] - a_resolved  # all's stock with conditions, reduced included
    stock_all = a["in_progress"] + a["postponed"] + a["suspended"] + a["other"]
    caps = {"with": None, "resolved": None, "rest": None}
    if ceiling is not None:
        # Each flow at most min(all now, the category's year end); the stock at most all's stock.
        cap = {k: np.minimum(a[k], ceiling[k]) for k in ("completed", "terminated", "reduced")}
        caps = {"resolved": cap["completed"] + cap["terminated"], "rest": stock_all + cap["reduced"]}
        caps["with"] = caps["resolved"] + caps["rest"]
    with_conditions = _split(to_execute, a["with_conditions"], a["without_conditions"], flows_floor, 0, prm["w"],
                             part_cap=caps["with"])
    if resolved_target is None:
        resolved = _split(with_conditions, a_resolved, a_rest, fl["completed"] + fl["terminated"], fl["reduced"],
                          prm["r"], part_cap=caps["resolved"], other_cap=caps["rest"])
    else:
        nat, low, high = _split(with_conditions, a_resolved, a_rest, fl["completed"] + fl["terminated"],
                                fl["reduced"], prm["r"], natural="bounds")
        resolved = apportion(resolved_target, nat, floors=low, caps=high)
    terminated = _split(resolved, a["terminated"], a["completed"], fl["terminated"], fl["completed"],
                        part_cap=None if ceiling is None else ceiling["terminated"],
                        other_cap=None if ceiling is None else ceiling["completed"])
    rest = with_conditions - resolved
    reduced = _split(rest, a["reduced"], stock_all, fl["reduced"], 0,
                     part_cap=None if ceiling is None else ceiling["reduced"])
    left = rest - reduced
    parts = {}
    remaining_all = stock_all.copy()
    for name in STOCK_PARTS:
        remaining_all = remaining_all - a[name]
        parts[name] = _split(left, a[name], remaining_all, 0, 0)
        left = left - parts[name]
    block = {
        "carried_over": carried_over, "new_accepted": new, "total_accepted": total, "entrusted_out": entrusted,
        "to_execute": to_execute, "with_conditions": with_conditions,
        "without_conditions": to_execute - with_conditions, "completed": resolved - terminated,
        "terminated": terminated, "in_progress": left, **parts, "reduced": reduced,
    }
    block = {k: np.asarray(v, dtype=np.int64) for k, v in block.items()}
    for k, v in block.items():
        if (v < 0).any() or (v > all_b[k]).any():
            raise AssertionError(f"category value {k} outside 0 … all")
    return block


def _category_series(all_years: dict, all_months: list, frac: dict, prm: dict,
                     resolved_target: int | None = None) -> tuple[dict, list]:
    """One category through 2015, 2016 and the months of 2017: ({year: block}, [12 month blocks]).

    ``resolved_target`` (national, 2017 full year) is met exactly when given.
    """
    years = {}
    carried = np.floor(frac["c"] * all_years[2015]["carried_over"]).astype(np.int64)
    for year in (2015, 2016):
        years[year] = _category_block(all_years[year], carried, frac, prm, None)
        carried = _carry_forward(years[year])
    months, prev = [], None
    for m in range(12):
        target = resolved_target if m == 11 else None
        prev = _category_block(all_months[m], carried, frac, prm, prev, resolved_target=target)
        months.append(prev)
    years[2017] = months[11]
    return years, months


def _category_months_2016(all_months: list, year_block: dict, frac: dict, prm: dict) -> list:
    """One category through the 12 months of 2016, ending on its (already fixed) 2016 full year.

    Months run forward from the 2015 carry-forward with last month's flows as floors and the
    year-end flows as ceilings; the 30/09/2016 report is ``year_block`` itself.
    """
    months, prev = [], None
    for m in range(11):
        prev = _category_block(all_months[m], year_block["carried_over"], frac, prm, prev, ceiling=year_block)
        months.append(prev)
    months.append(year_block)
    return months


def _calibrate_propensity(all_years: dict, all_months: list, frac: dict, prm: dict, target: int) -> float:
    """The resolved propensity ``r`` whose unconstrained 2017 national resolved total is ``target``.

    Bisection in log scale; with it the exact target at 30/09 is only a small last adjustment,
    never a jump in the monthly path.
    """
    def resolved_at_year_end(r: float) -> int:
        _, months = _category_series(all_years, all_months, frac, {**prm, "r": r})
        return int((months[11]["completed"] + months[11]["terminated"]).sum())

    low, high = np.log(prm["r"]) - 4.0, np.log(prm["r"]) + 4.0
    for _ in range(30):
        mid = 0.5 * (low + high)
        if resolved_at_year_end(float(np.exp(mid))) < target:
            low = mid
        else:
            high = mid
    return float(np.exp(low))


def _carry_forward(block: dict) -> np.ndarray:
    return block["to_execute"] - block["completed"] - block["terminated"]


def _frame(blocks: dict, measure: str) -> pd.DataFrame:
    """Rows of one measure from ``{(period_end, category): block}``; money to đồng."""
    factor = 1000 if measure == "money" else 1
    pieces = []
    for (period_end, category), block in blocks.items():
        piece = pd.DataFrame({"province_code": CODES, "province_name": [NAMES[c] for c in CODES],
                              "period_end": period_end, "measure": measure, "category": category,
                              "unit": UNITS[measure], ORIGIN_COLUMN: SAMPLE_ORIGIN})
        for column in VALUE_COLUMNS:
            piece[column] = block[column].astype(np.int64) * factor
        pieces.append(piece)
    return pd.concat(pieces, ignore_index=True)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in the order province, period, measure, category (schema order)."""
    order = frame.assign(_m=frame["measure"].map(MEASURES.index), _c=frame["category"].map(CATEGORIES.index))
    order = order.sort_values(["province_code", "period_end", "_m", "_c"], kind="mergesort")
    frame = order.drop(columns=["_m", "_c"]).reset_index(drop=True)
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    return frame[OUTPUT_COLUMNS]


def generate(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """Synthetic sample frames for ``seed``: ``{"annual": …, "monthly": …, "monthly_2016": …}``.

    ``annual`` has the full years 2015–2017, ``monthly`` the 12 cumulative reports of 2017
    (its 2017-09-30 rows equal the 2017 rows of ``annual``), ``monthly_2016`` those of 2016 (its
    2016-09-30 rows equal the 2016 rows of ``annual``). Columns: ``OUTPUT_COLUMNS``;
    ``period_end`` is a datetime, values are int64 (money in đồng).
    """
    rng = np.random.default_rng(seed)
    national = national_series()
    effects = _draw_effects(rng)
    annual_rows, monthly_rows = [], []
    fixed = {}  # per measure: the 2016 full-year blocks and category parameters the 2016 months end on
    for measure in MEASURES:
        eff = effects[measure]
        years = national[measure]["years"]
        all_years = {}
        carried_over = None
        for year in YEARS:
            if carried_over is None:
                carried_over = apportion(years[year].carried_over, eff.size * np.exp(rng.normal(0.0, 0.08, len(CODES))))
            all_years[year] = _allocate_year(measure, year, years[year], carried_over, eff, rng)
            carried_over = _carry_forward(all_years[year])
        all_months = _months_backward(measure, all_years[2017], national[measure]["months"], eff, rng)

        annual = {(f"{y}-09-30", "all"): all_years[y] for y in YEARS}
        monthly = {(MONTH_ENDS[m], "all"): all_months[m] for m in range(12)}
        fixed[measure] = {"all": all_years[2016]}
        for category in CATEGORIES[1:]:
            prm = dict(CATEGORY_PARAMS[category][measure])
            # Fractions vary by province but stay put across years, so a category's chain stays smooth.
            mult = np.exp(rng.normal(0.0, 0.3, len(CODES)))
            frac = {k: np.minimum(prm[k] * mult, 0.95) for k in ("c", "n", "e")}
            target = CREDIT_RESOLVED_2017[measure] if category == "credit" else None
            for _ in range(20):
                try:
                    if target is not None:
                        prm["r"] = _calibrate_propensity(all_years, all_months, frac, prm, target)
                    cat_years, cat_months = _category_series(all_years, all_months, frac, prm, target)
                    break
                except InfeasibleError as err:
                    # The draw cannot reach the published total: too small a category (widen it) or
                    # so much with conditions that too much must count as resolved (narrow it).
                    if err.cap_sum < err.total:
                        frac = {k: np.minimum(v * 1.1, 0.95) for k, v in frac.items()}
                        prm["w"] *= 1.2
                    else:
                        prm["w"] /= 1.25
            else:
                raise ValueError(f"seed {seed}: {category} {measure} cannot reach its published total")
            annual.update({(f"{y}-09-30", category): b for y, b in cat_years.items()})
            monthly.update({(MONTH_ENDS[m], category): b for m, b in enumerate(cat_months)})
            fixed[measure][category] = (cat_years[2016], frac, prm)
        annual_rows.append(_frame(annual, measure))
        monthly_rows.append(_frame(monthly, measure))
    # The months of 2016 come last and from their own generator, so adding them moved nothing above.
    rng_2016 = np.random.default_rng([seed, 2016])
    monthly_2016_rows = []
    for measure in MEASURES:
        all_months = _months_backward(measure, fixed[measure]["all"], national[measure]["months_2016"],
                                      effects[measure], rng_2016)
        monthly = {(MONTH_ENDS_2016[m], "all"): all_months[m] for m in range(12)}
        for category in CATEGORIES[1:]:
            year_block, frac, prm = fixed[measure][category]
            cat_months = _category_months_2016(all_months, year_block, frac, prm)
            monthly.update({(MONTH_ENDS_2016[m], category): b for m, b in enumerate(cat_months)})
        monthly_2016_rows.append(_frame(monthly, measure))
    return {"annual": _sorted(pd.concat(annual_rows, ignore_index=True)),
            "monthly": _sorted(pd.concat(monthly_rows, ignore_index=True)),
            "monthly_2016": _sorted(pd.concat(monthly_2016_rows, ignore_index=True))}


def generate_standing(frames: dict[str, pd.DataFrame], seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Synthetic standing-target counts for 30/09/2016 and the 12 months of 2017.

    Sized from the cases rows of ``frames`` (``generate``'s output) and cumulative from 01/10
    like the reports: decisions issued ≈ new cases, 97–100 % of them on time; cases to verify ≈
    without-conditions stock, 90–100 % verified; debtors without conditions ≈ 80 % of that
    stock, 85–100 % published; complaints ≈ 1 % of new cases, 85–100 % resolved; a few
    disciplined civil servants a year. None of this is published; all of it is invented.
    """
    rng = np.random.default_rng(seed + 1)
    cases = pd.concat([frames["annual"], frames["monthly"]], ignore_index=True)
    cases = cases[(cases["measure"] == "cases") & (cases["category"] == "all")].drop_duplicates(["province_code", "period_end"])
    periods = [pd.Timestamp("2016-09-30"), *pd.to_datetime(MONTH_ENDS)]
    cases = cases[cases["period_end"].isin(periods)].sort_values(["province_code", "period_end"])
    n = len(CODES)
    # Province habits persist through the year, so cumulative shares stay steady month to month.
    habit = {name: rng.uniform(low, 1.0, n) for name, low in
             [("on_time", 0.97), ("verified", 0.90), ("published", 0.85), ("complaints", 0.85)]}
    staff = {2016: rng.poisson(2.0, n), 2017: rng.poisson(1.6, n)}
    rows = []
    for i, code in enumerate(CODES):
        own = cases[cases["province_code"] == code]
        for row in own.itertuples():
            year = row.period_end.year + (row.period_end.month >= 10)
            progress = ((row.period_end.month - 10) % 12 + 1) / 12
            issued = int(row.new_accepted)
            due = int(row.without_conditions)
            debtors = int(round(0.8 * due))
            complaints = int(round(0.01 * issued))
            rows.append(dict(
                province_code=code, period_end=row.period_end, origin=SAMPLE_ORIGIN,
                decisions_issued=issued, decisions_on_time=int(issued * habit["on_time"][i]),
                verification_due=due, verified=int(due * habit["verified"][i]),
                debtors_without_conditions=debtors, debtors_published=int(debtors * habit["published"][i]),
                complaints_due=complaints, complaints_resolved=int(complaints * habit["complaints"][i]),
                disciplined_staff=int(np.floor(staff[year][i] * progress)),
            ))
    return pd.DataFrame(rows)[["province_code", "period_end", "origin", *STANDING_COLUMNS]]


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` through a temporary file, so a failure leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n", date_format="%Y-%m-%d")
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; a data file is meant to be read by all
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_sample(out_dir: Path = SAMPLE_DIR, seed: int = DEFAULT_SEED) -> list[Path]:
    """Generate the sample for ``seed`` and write its five CSVs into ``out_dir``.

    Returns the paths written, in the order: annual 2015, monthly 2016, monthly 2017, standing,
    offices 2017. The 2016 and 2017 full years are the 30/09 reports of the monthly files, so each
    report is in exactly one file; the office rows are the parts of the monthly 2017 province rows.
    """
    # Imported here: the offices module builds on this one's helpers.
    from .offices import OFFICE_FILE, generate_offices

    frames = generate(seed)
    out_dir = Path(out_dir)
    paths = [out_dir / ANNUAL_FILE, out_dir / MONTHLY_2016_FILE, out_dir / MONTHLY_FILE, out_dir / STANDING_FILE,
             out_dir / OFFICE_FILE]
    annual = frames["annual"][frames["annual"]["period_end"] < frames["monthly_2016"]["period_end"].min()]
    written = (annual, frames["monthly_2016"], frames["monthly"], generate_standing(frames, seed),
               generate_offices(frames["monthly"], seed))
    for frame, path in zip(written, paths):
        _write_csv(frame, path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """``python -m thads_analysis.sample [--out DIR] [--seed N]``: write the sample CSVs."""
    parser = argparse.ArgumentParser(prog="python -m thads_analysis.sample",
                                     description="Write the synthetic THADS sample (annual 2015, monthly 2016 and "
                                                 "2017, standing targets, offices 2017).")
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR, help=f"output folder (default: {SAMPLE_DIR})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    for path in write_sample(args.out, args.seed):
        print(path)
    return 0

