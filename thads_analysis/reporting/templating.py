"""The one jinja environment of every page (the reports' sections, the batch index, the diff page,
the print stylesheet), autoescaped, with the filters that write numbers the Vietnamese way.

Kept apart from ``report`` so that the batch renders its own pages without loading the charts
(matplotlib and seaborn: 0,6 s in the main process, on the way to the first page written).
"""

from __future__ import annotations

import jinja2
import pandas as pd

from ..analysis.funnel import OUTER_LEVEL
from ..numbers import format_int, format_money, format_number, format_percent
from ..vocabulary import AT_RISK, MISSED, STATUSES, status_label
from .document import MOTTO, NATIONAL_HEADING

ENV = jinja2.Environment(loader=jinja2.PackageLoader("thads_analysis.reporting", "templates"),
                         autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
ENV.filters.update(percent=lambda v: "—" if v is None or pd.isna(v) else format_percent(v),
                   number=lambda v, d=2: "—" if v is None or pd.isna(v) else format_number(v, d),
                   int=lambda v: "—" if v is None or pd.isna(v) else format_int(v),
                   money=lambda v: "—" if v is None or pd.isna(v) else format_money(v),
                   status_label=status_label)
ENV.globals.update(statuses=STATUSES, AT_RISK=AT_RISK, MISSED=MISSED, national_heading=NATIONAL_HEADING, motto=MOTTO,
                   funnel_limit=format_percent(OUTER_LEVEL, 1))  # "99,8%"
