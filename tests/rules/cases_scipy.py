"""Rule cases for the SciPy rules (appended to cases.CASES): those of _scipy_cases, when
SciPy is installed (it is optional; the test extra has it)."""

import importlib.util

if importlib.util.find_spec("scipy") is not None:
    from . import _scipy_cases  # noqa: F401
