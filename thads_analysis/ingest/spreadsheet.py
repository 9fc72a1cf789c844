"""Text bound for spreadsheets: cells from input files never run as formulas.

Excel and LibreOffice run a CSV cell that starts with "=", "+", "-" or "@" (or a tab or
carriage return before one) as a formula, so a target source such as "=HYPERLINK(...)" in
an input file could run on the reader's machine (OWASP, "CSV injection"). Such text cells
get a leading apostrophe, which spreadsheets show as text. Numbers are left as numbers.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value):
    """``value`` itself, or with a leading apostrophe when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are all ``inert``."""
    out = frame.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_datetime64_any_dtype(out[column])):
            out[column] = out[column].map(inert)
    return out
