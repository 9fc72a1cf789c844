"""The synthetic sample (*dữ liệu mẫu*): 63 provinces whose national sums are the published figures.

``python -m thads_analysis.sample`` rewrites ``data/sample/``; see ``generate`` for the method.
"""

from .generate import DEFAULT_SEED, apportion, generate, generate_standing, national_series, write_sample

__all__ = ["DEFAULT_SEED", "apportion", "generate", "generate_standing", "national_series", "write_sample"]
