"""thads-analysis: THADS (civil judgment enforcement) statistics against the 2017 campaign targets.

Modules, lowest first: ``numbers`` (Vietnamese number writing), ``provinces`` (the 63 units of
2017), ``schema`` (canonical frame and validation), ``io`` (readers), ``sample`` (synthetic data);
``cli`` sits on top.
"""

__version__ = "0.1.0"
