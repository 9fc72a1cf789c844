"""Ingest: input files in, one validated canonical frame out.

``readers`` (CSV, XLSX, parquet as raw tables, in chunks) → ``headers`` (columns matched with
the words of ``labels``) → ``canonical`` (cells to canonical rows, money in đồng) → ``io``
(``load``: every file, the rules of ``schema`` run, provinces with bad rows set aside).
``spreadsheet`` and ``template`` serve files people edit.
"""
