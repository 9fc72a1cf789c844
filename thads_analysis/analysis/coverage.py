"""Which provinces the data covers, and how partial scopes are named.

A file of two provinces is normal (a provincial analyst's own data, a region's), never an
error, and never "Toàn quốc": the sum of the provinces present is named for what it is
("Tổng 2 tỉnh có số liệu"), a region with some of its provinces says how many, and
statistics that need many provinces (the funnel's over-dispersion) say why they are absent.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..numbers import format_int
from ..provinces import REGIONS, scope_codes
from ..vocabulary import NATIONAL, NATIONAL_LABEL

# Fewest provinces with a rate for a funnel plot. A choice of this toolkit, not a published rule:
# φ is the mean of the winsorised z² (funnel.py), and with fewer units it rests on a handful of
# provinces, so one large province decides whether the limits widen.
MIN_FUNNEL_UNITS = 10


@dataclass(frozen=True)
class Coverage:
    """The province codes with data at the analysis period."""

    codes: frozenset[str]

    @property
    def count(self) -> int:
        return len(self.codes)

    def of(self, scope: str) -> tuple[int, int]:
        """(provinces with data, provinces in the scope) for "national" or a region name."""
        members = set(scope_codes(scope))
        return len(members & self.codes), len(members)

    def is_complete(self, scope: str = NATIONAL) -> bool:
        """Whether every province of the scope has data."""
        present, total = self.of(scope)
        return present == total

    def label(self, scope: str = NATIONAL) -> str:
        """"Toàn quốc" / the region's name when complete; else what the sum really covers:
        "Tổng 2 tỉnh có số liệu", "Đồng bằng sông Hồng (1/11 tỉnh có số liệu)"."""
        present, total = self.of(scope)
        if scope == NATIONAL:
            return NATIONAL_LABEL if present == total else f"Tổng {format_int(present)} tỉnh có số liệu"
        return scope if present == total else f"{scope} ({present}/{total} tỉnh có số liệu)"

    def partial(self) -> str | None:
        """None for the whole country; else what the data covers ("Tổng 2 tỉnh có số liệu")."""
        return None if self.is_complete() else self.label()

    def among(self) -> str:
        """Where a national rank is taken: "toàn quốc", or "trong 2 tỉnh có số liệu"."""
        return "toàn quốc" if self.is_complete() else f"trong {format_int(self.count)} tỉnh có số liệu"

    def regions(self) -> list[str]:
        """The regions with at least one province in the data, in the yearbook's order."""
        return [r for r in REGIONS if self.of(r)[0]]


def coverage_of(frame: pd.DataFrame, period_end) -> Coverage:
    """The coverage of a canonical frame at ``period_end`` (provinces with any row then)."""
    at_period = frame.loc[frame["period_end"] == pd.Timestamp(period_end), "province_code"]
    return Coverage(frozenset(at_period.astype(str)) & frozenset(scope_codes(NATIONAL)))
