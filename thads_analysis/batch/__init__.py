"""Batch: many reports at once, through papermill, into one output folder.

``run`` is the entry point (``run_batch``). ``kernel`` is imported inside the notebooks' kernels.
"""
