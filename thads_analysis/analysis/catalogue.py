"""The indicator catalogue (``catalogue.yaml``): what each indicator is, in one place.

``INDICATORS`` maps an indicator id to its ``Indicator`` record: Vietnamese label and short
label, campaign group, unit, direction, and its formula in canonical column names and in
Vietnamese words. Computation, assessment, reports, the command line and the targets check
read it; nothing restates it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from importlib.resources import files

import pandas as pd
import yaml

from ..vocabulary import CATEGORY_LABELS, KEY_CATEGORIES, MEASURE_UNITS, MEASURE_WORDS, MEASURES

DIRECTIONS = ("higher", "lower", "neutral")
CATEGORY_SHORT = {"credit": "Tín dụng - ngân hàng", "corruption": "Tham nhũng - kinh tế",
                  "state_budget": "Ngân sách nhà nước", "criminal_civil": "Dân sự trong hình sự"}
MEASURE_SHORT = {"cases": "việc", "money": "tiền"}


@dataclass(frozen=True)
class Indicator:
    """One record of the catalogue. ``formula``/``formula_vi`` may hold {base}, {start}, … (see ``formulas``)."""

    id: str
    label: str
    short_label: str
    group: str
    unit: str
    direction: str
    formula: str
    formula_vi: str
    measure: str | None = None
    category: str | None = None
    zero_is_met: bool = False
    reading: str = ""


class _Keep(dict):
    """Leaves a placeholder it does not know as it is (filled later, per period)."""

    def __missing__(self, key):
        return "{" + key + "}"


def _expand(record: dict) -> list[Indicator]:
    per = record.get("per", [])
    unknown = set(per) - {"measure", "category"}
    if unknown:
        raise ValueError(f"catalogue record {record['id']}: 'per' takes measure and category, not {sorted(unknown)}")
    measures = MEASURES if "measure" in per else [None]
    categories = KEY_CATEGORIES if "category" in per else [None]
    out = []
    for m, c in itertools.product(measures, categories):
        words = _Keep(measure=m, measure_word=MEASURE_WORDS.get(m, ""), measure_short=MEASURE_SHORT.get(m, ""),
                      amount=MEASURE_UNITS.get(m, ""), category=c, category_label=CATEGORY_LABELS.get(c, ""),
                      category_label_lower=CATEGORY_LABELS.get(c, "").lower(), category_short=CATEGORY_SHORT.get(c, ""))
        text = {k: str(record[k]).format_map(words) for k in
                ("id", "label", "short_label", "unit", "formula", "formula_vi")}
        out.append(Indicator(group=record["group"], direction=record["direction"], measure=m,
                             category=c if c is not None else ("all" if m is not None else None),
                             zero_is_met=bool(record.get("zero_is_met", False)),
                             reading=str(record.get("reading", "")), **text))
    return out


def load(text: str) -> tuple[dict[str, str], dict[str, Indicator]]:
    """Groups (id → Vietnamese heading, in campaign order) and indicators (id → record) of a catalogue text."""
    raw = yaml.safe_load(text)
    groups = dict(raw["groups"])
    indicators: dict[str, Indicator] = {}
    for record in raw["indicators"]:
        for ind in _expand(record):
            if ind.id in indicators:
                raise ValueError(f"catalogue: indicator {ind.id} is defined twice")
            if ind.group not in groups:
                raise ValueError(f"catalogue: indicator {ind.id} has unknown group {ind.group!r}")
            if ind.direction not in DIRECTIONS:
                raise ValueError(f"catalogue: indicator {ind.id} has direction {ind.direction!r}; use {DIRECTIONS}")
            indicators[ind.id] = ind
    return groups, indicators


GROUPS, INDICATORS = load(files("thads_analysis.analysis").joinpath("catalogue.yaml").read_text(encoding="utf-8"))


def _date_text(value, pattern: str) -> str:
    if isinstance(value, (dt.date, pd.Timestamp)):
        return pd.Timestamp(value).strftime(pattern)
    return str(value)


def formulas(indicator: str, **values) -> tuple[str, str]:
    """The canonical and Vietnamese formula of ``indicator`` with its placeholders filled.

    ``values`` gives base, start, end (dates or text), days, window, previous_window; dates are
    written 2016-09-30 in the canonical formula and 30/09/2016 in the Vietnamese one.
    """
    record = INDICATORS[indicator]
    iso = _Keep({k: _date_text(v, "%Y-%m-%d") for k, v in values.items()})
    vi = _Keep({k: _date_text(v, "%d/%m/%Y") for k, v in values.items()})
    return record.formula.format_map(iso), record.formula_vi.format_map(vi)


def describe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with label, group and unit columns added from its ``indicator`` column."""
    records = frame["indicator"].map(INDICATORS)
    return frame.assign(label=records.map(lambda r: r.label), group=records.map(lambda r: r.group),
                        unit=records.map(lambda r: r.unit))
