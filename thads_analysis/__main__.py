"""``python -m thads_analysis`` runs the ``thads`` command."""

from .cli import command

command()
