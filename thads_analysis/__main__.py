"""``python -m thads_analysis`` runs the ``thads`` command."""

import sys

from .cli import main

sys.exit(main())
