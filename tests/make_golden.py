"""Rewrite the executed golden notebooks that nbval checks (run from the project root: make golden).

The templates run with their defaults (the bundled sample, the bundled targets, the latest
period in the data, 30/09/2017, Nam Định for the province report), and Nam Định once more at
30/04/2017. Review the diff before committing it.
"""

from pathlib import Path

import nbformat
import papermill

from thads_analysis.batch.kernels import kernel_manager_class, settle

GOLDEN = Path("tests/golden")
# Golden notebook → (template, parameters). The 30/04/2017 page is a mid-year one: projections,
# required rates and "có nguy cơ không đạt", and the published 7-month national figures.
RUNS = {
    "province_report_nam_dinh.ipynb": (Path("notebooks/province_report.ipynb"), {}),
    "province_report_nam_dinh_2017-04-30.ipynb": (Path("notebooks/province_report.ipynb"),
                                                  {"period_end": "2017-04-30"}),
    "national_overview.ipynb": (Path("notebooks/national_overview.ipynb"), {}),
}

if __name__ == "__main__":
    for name, (template, parameters) in RUNS.items():
        # The batch's kernel manager (local IPC sockets), so the kernel has nothing to warn about.
        nb = papermill.execute_notebook(str(template), None, parameters=parameters, progress_bar=False,
                                        kernel_name="python3", kernel_manager_class=kernel_manager_class())
        # Run times and cell ids left out as the batch does, so a golden diff shows only what changed.
        settle(nb, {})
        del nb.metadata["thads"]
        nb.metadata["papermill"].update(input_path=str(template), output_path=str(GOLDEN / name))
        nbformat.write(nb, GOLDEN / name)
        print(GOLDEN / name)
