"""Reporting: a prepared analysis in, Vietnamese pages out.

``report`` (the sections of the province and national reports, one jinja environment over
``templates/``), ``charts`` (figures drawn from statuses and targets given to them) and
``narrative`` (the summary sentences). Nothing here computes an indicator or judges a target.
"""
