"""Ingest: input files in, one validated canonical frame out.

``readers`` (CSV, XLSX, parquet as raw tables) → ``labels`` (header and value words) →
``io`` (canonical rows, money in đồng, the data of each province checked) → ``schema`` (the
canonical frame and its rules). ``spreadsheet`` and ``template`` serve files people edit.
"""
