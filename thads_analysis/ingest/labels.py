"""Matching the words of input files to canonical names: headers, measures, categories, money units.

Matching ignores case, spacing, punctuation and diacritics (the folding of ``provinces``), form
numbering ("(1) Số cũ chuyển sang") and lead words ("Trong đó: Thi hành xong").
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from ..provinces import normalize_name
from . import schema


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    # Cached on the text, not on the cell: 1 and 1.0 are equal keys but different texts.
    return normalize_name(text)


def normalize_label(text) -> str:
    """Fold a header or value for matching: no diacritics, lower case, single spaces."""
    return _fold(str(text))


def strip_numbering(text: str) -> str:
    """Drop form numbering and lead words: "(1) Số cũ chuyển sang", "Trong đó: Thi hành xong"."""
    text = re.sub(r"^\s*(\(?\s*[0-9ivx]+\s*[\.\):]\s*)+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^\s*(trong\s*đó|trong\s*do|gồm|gom)\s*[:\-]?\s*", "", text, flags=re.IGNORECASE)
    return text.strip()


@cache
def label_index() -> dict[str, str]:
    """Folded label → canonical column name."""
    index: dict[str, str] = {}
    for name in [*schema.LABELS, *schema.HEADER_ALIASES]:
        spellings = [name, name.replace("_", " "), schema.LABELS.get(name, ""), *schema.HEADER_ALIASES.get(name, [])]
        for spelling in spellings:
            key = normalize_label(spelling)
            if key:
                index.setdefault(key, name)
    return index


@cache
def _value_index(kind: str) -> dict[str, str]:
    """Folded cell value → canonical measure / category / money unit."""
    labels, aliases = {
        "measure": (schema.MEASURE_LABELS, schema.MEASURE_ALIASES),
        "category": (schema.CATEGORY_LABELS, schema.CATEGORY_ALIASES),
        "unit": ({u: u for u in schema.MONEY_UNITS}, schema.MONEY_UNIT_ALIASES),
    }[kind]
    index = {}
    for name, label in labels.items():
        for spelling in [name, label, *aliases.get(name, [])]:
            index.setdefault(normalize_label(spelling), name)
    return index


def match_value(kind: str, value) -> str | None:
    """The canonical measure, category or money unit a cell names ("Tiền" → "money"), or None."""
    return _value_index(kind).get(normalize_label(value))


CASE_UNITS = {"viec", "so viec"}


def strip_header_unit(text: str) -> tuple[str, str | None]:
    """Split "Thi hành xong (nghìn đồng)" into the label and the money unit it states."""
    text = strip_numbering(text)
    match = re.search(r"[\(\[]([^\)\]]*)[\)\]]\s*$", text)
    if match:
        unit = match_value("unit", match.group(1))
        if unit or normalize_label(match.group(1)) in CASE_UNITS:
            return text[: match.start()].strip(), unit
    return text, None


def header_score(cells) -> int:
    """How many cells of a row are known column labels (a header row has several)."""
    index = label_index()
    return sum(1 for c in cells if c is not None and normalize_label(strip_header_unit(str(c))[0]) in index)
