"""Rules for SciPy (``scipy.special``, ``scipy.stats``, ``scipy.linalg``, ``scipy.signal``).

SciPy is optional: ``import ast_ad`` does not import it.  These modules register their rules
the first time a SciPy function is looked up in a registry (``ast_ad.rules.registry``'s lazy
hook), or when imported directly.
"""

from . import integrate, linalg, optimize, signal, special, stats  # noqa: F401  (each registers its rules)
from ._helpers import mark_refused as _mark  # noqa: E402

_mark()
