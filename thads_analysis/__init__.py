"""thads-analysis: THADS (civil judgment enforcement) statistics against the 2017 campaign targets.

Layers, lowest first, each importing only those below it: ``vocabulary``, ``numbers``,
``provinces`` and ``paths`` (shared by all) → ``ingest`` (files to a validated canonical frame)
→ ``analysis`` (indicators, targets, assessment) → ``reporting`` (pages and charts) → ``batch``
(many notebooks through papermill); ``cli`` sits on top. ``sample`` writes the synthetic data.
"""

__version__ = "0.1.0"
