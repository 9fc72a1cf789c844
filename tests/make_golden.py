"""Rewrite the executed golden notebooks that nbval checks (run from the project root: make golden).

Both templates run with their defaults: the bundled sample, the bundled targets, the latest
period in the data (30/09/2017), Nam Định for the province report. Review the diff before committing it.
"""

from pathlib import Path

import papermill

from thads_analysis.batch.kernels import kernel_manager_class

GOLDEN = Path("tests/golden")
RUNS = {
    "province_report_nam_dinh.ipynb": Path("notebooks/province_report.ipynb"),
    "national_overview.ipynb": Path("notebooks/national_overview.ipynb"),
}

if __name__ == "__main__":
    for name, template in RUNS.items():
        # The batch's kernel manager (local IPC sockets), so the kernel has nothing to warn about.
        papermill.execute_notebook(str(template), str(GOLDEN / name), parameters={}, progress_bar=False,
                                   kernel_name="python3", kernel_manager_class=kernel_manager_class())
        print(GOLDEN / name)
