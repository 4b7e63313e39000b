"""``python -m ast_ad show FILE.py:FUNC ...`` (see ``ast_ad.cli``)."""

import sys

from .cli import main

sys.exit(main())
