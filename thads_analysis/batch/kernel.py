"""Code that runs inside a reused report kernel: warm-up before the first notebook, reset between.

A batch keeps a few kernels alive and runs many notebooks in each (imports of pandas,
seaborn and the package happen once). ``reset`` gives each notebook what a fresh kernel
would: an empty namespace, execution counts from 1, no open figures, the default
matplotlib settings, and the report's folder as working directory. The kernel's cache of
analyses (``analyses()``, which the notebooks hand to their report) stays: it is keyed by the
input files and returns the same numbers.
"""

from __future__ import annotations

import gc
import os

_RC_DEFAULTS: dict | None = None
_ANALYSES = None  # the warm kernel's pipeline.AnalysisCache, made by warm_up


def analyses():
    """This kernel's cache of analyses when it is a warm batch kernel, else None (a report then
    computes its own analysis, as in a fresh kernel)."""
    return _ANALYSES


# The notebook parameters that choose a report's analysis (reporting.report.analysis_for).
ANALYSIS_PARAMETERS = ("data_path", "targets_path", "year", "period_end", "campaign_path", "money_unit")


def warm_up() -> None:
    """Import what every report imports, remember matplotlib's settings as they are now, and make
    the cache of analyses that this kernel's reports share."""
    global _RC_DEFAULTS, _ANALYSES
    import matplotlib
    import matplotlib.pyplot  # noqa: F401  (loads the inline backend)

    import thads_analysis.reporting.report  # noqa: F401  (pandas, seaborn, charts, pipeline)
    from thads_analysis.analysis.pipeline import AnalysisCache

    _RC_DEFAULTS = dict(matplotlib.rcParams)
    _ANALYSES = AnalysisCache()
    # The ~200.000 objects of the imports live as long as the kernel: set aside from the garbage
    # collector, the full collection of each reset (and any during a report) skips them
    # (0,12 → 0,05 s a report).
    gc.collect()
    gc.freeze()


def first_analysis(parameters: dict, shared: str = "") -> None:
    """Have the analysis and emulation table of the report ``parameters`` (ANALYSIS_PARAMETERS)
    name ready in the cache before the report runs: the batch process's own (``shared``: the file
    it pickled it to, in a folder of its own), else worked out here while that process is still
    loading its notebook tools."""
    from thads_analysis.reporting.report import analysis_for, keep_analysis

    try:
        if shared:
            import pickle

            with open(shared, "rb") as handle:
                keep_analysis(_ANALYSES, pickle.load(handle), **parameters)
        analysis_for(_ANALYSES, **parameters).emulation()
    except Exception:  # noqa: S110  the report works it out again, meets the same error and shows it on its page
        pass


def reset(folder: str) -> None:
    """Make the kernel look fresh for the next notebook, working in ``folder``."""
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt
    from IPython import get_ipython

    shell = get_ipython()
    # Namespace cleared, execution count back to 1, new history session, and a gc.collect().
    shell.reset(new_session=True)
    plt.close("all")
    if _RC_DEFAULTS is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # restoring deprecated keys as they were is not a new use
            matplotlib.rcParams.update(_RC_DEFAULTS)
    os.chdir(folder)
