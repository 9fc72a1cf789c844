"""The synthetic sample (*dữ liệu mẫu*): 63 provinces whose national sums are the published figures,
and their offices (Cục and Chi cục) whose sums are the provinces.

``python -m thads_analysis.sample`` rewrites ``data/sample/``; see ``generate`` and ``offices`` for the method.
"""

from .generate import DEFAULT_SEED, apportion, generate, generate_standing, national_series, write_sample
from .offices import generate_offices

__all__ = ["DEFAULT_SEED", "apportion", "generate", "generate_offices", "generate_standing", "national_series",
           "write_sample"]
