"""The indicator catalogue and the vocabulary: one definition of each indicator and status."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from thads_analysis import vocabulary
from thads_analysis.analysis.assess import assess
from thads_analysis.analysis.catalogue import GROUPS, INDICATORS, describe, formulas, load
from thads_analysis.analysis.indicators import standing_indicators
from thads_analysis.analysis.pipeline import prepare

PACKAGE = Path(__file__).resolve().parents[1] / "thads_analysis"


def test_the_computed_indicators_are_exactly_the_catalogue():
    # 30/06/2017 lies inside the campaign window (01/03–30/09), so window indicators are computed too.
    analysis = prepare(period_end="2017-06-30")
    computed = set().union(*(set(table["indicator"]) for table in analysis.indicators.values()))
    assert computed == set(INDICATORS)
    # 2 measures × 13 of the year (4 of them key categories), 2 × 10 of the campaign window (4 key
    # categories), the disposition time and the 5 standing-target indicators.
    assert len(INDICATORS) == 2 * 13 + 2 * 10 + 1 + 5


def test_every_record_is_complete_and_labels_are_distinct():
    for ind in INDICATORS.values():
        assert ind.label and ind.short_label and ind.formula and ind.formula_vi, ind.id
        assert ind.group in GROUPS and ind.direction in ("higher", "lower", "neutral")
        # The Vietnamese formula is in words, not canonical column names ({placeholders} aside).
        assert not re.search(r"(?<!{)\b[a-z]+_[a-z_]+\b(?!})", ind.formula_vi), ind.id
    assert len({i.label for i in INDICATORS.values()}) == len(INDICATORS)
    assert len({i.short_label for i in INDICATORS.values()}) == len(INDICATORS)


def test_formulas_fill_dates_each_way():
    canonical, vietnamese = formulas("carry_forward_with_conditions_change_money", base=pd.Timestamp("2016-09-30"))
    assert canonical == ("(carry_forward_with_conditions − carry_forward_with_conditions at 2016-09-30) / "
                         "carry_forward_with_conditions at 2016-09-30 × 100")
    assert vietnamese == "(Số có điều kiện chuyển kỳ sau − số đó ngày 30/09/2016) / số đó ngày 30/09/2016 × 100"


def test_a_catalogue_with_a_repeated_id_or_unknown_group_is_refused():
    twice = ("groups: {thads: a}\nindicators:\n"
             "  - {id: x, label: a, short_label: a, group: thads, unit: '%', direction: higher, formula: f, formula_vi: g}\n"
             "  - {id: x, label: b, short_label: b, group: thads, unit: '%', direction: higher, formula: f, formula_vi: g}\n")
    with pytest.raises(ValueError, match="x is defined twice"):
        load(twice)
    with pytest.raises(ValueError, match="unknown group 'nope'"):
        load(twice.replace("group: thads, unit: '%', direction: higher, formula: f, formula_vi: g}\n  -", "group: nope, "
                           "unit: '%', direction: higher, formula: f, formula_vi: g}\n  -", 1))


def _discipline_card(before: int, now: int) -> pd.Series:
    standing = pd.DataFrame({"province_code": ["36", "36"], "period_end": pd.to_datetime(["2016-09-30", "2017-09-30"]),
                             "disciplined_staff": [before, now]})
    rows = pd.DataFrame(standing_indicators(standing, "2017-09-30"))
    ind = describe(rows.assign(level="province", period_end=pd.Timestamp("2017-09-30"),
                               value=pd.to_numeric(rows["value"]).astype("Float64")))
    # Plan 690, group 3: fewer civil servants disciplined than the year before ("< 0").
    targets = pd.DataFrame([dict(scope="national", year=2017, indicator="disciplined_staff_change", comparator="<",
                                 target=0.0, source="test")])
    return assess(ind, targets, "36").set_index("indicator").loc["disciplined_staff_change"]


@pytest.mark.parametrize("before, now, status, gap_text", [
    (0, 0, "met", "không đổi (chỉ tiêu: giảm)"),  # nobody disciplined in either year: nothing to reduce, met
    (3, 2, "met", "giảm 1 người (chỉ tiêu: giảm)"),
    (2, 2, "missed", "không đổi (chỉ tiêu: giảm)"),  # the same two people's worth of violations: not fewer
    (0, 1, "missed", "tăng 1 người (chỉ tiêu: giảm)"),
])
def test_a_reduction_of_disciplined_staff_is_met_at_zero(before, now, status, gap_text):
    row = _discipline_card(before, now)
    assert row["actual"] == now - before
    assert (row["status"], row["gap_text"]) == (status, gap_text)
    assert row["status_label"] == vocabulary.status(status).label
    assert INDICATORS["disciplined_staff_change"].zero_is_met and INDICATORS["disciplined_staff_change"].reading


def test_status_words_live_only_in_the_vocabulary():
    words = ["Đạt", "Chưa đạt", "Có nguy cơ không đạt", "Không có số liệu"]
    found = []
    for path in [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.j2")]:
        if path.name == "vocabulary.py":
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {w}" for w in words if w in text]
    assert found == []


def test_status_codes_and_labels():
    assert [s.code for s in vocabulary.STATUSES] == ["met", "missed", "at_risk", "no_data"]
    assert vocabulary.status("at_risk").label == "Có nguy cơ không đạt"
    assert vocabulary.status_label(None) == "" and vocabulary.status_label(pd.NA) == ""
    with pytest.raises(ValueError, match="unknown status 'Đạt'"):
        vocabulary.status("Đạt")
