"""Analysis: the canonical frame in, indicators and their assessment out (pure functions).

``catalogue`` (what each indicator is) → ``indicators`` (totals, rates, changes) → ``targets``
and ``assess`` (statuses, gaps, ranks) with ``funnel`` and ``campaign`` (the campaign window);
``pipeline`` prepares all of it for one period and keeps it in an explicit cache.
"""
