"""Rule cases for the numpy_more rules (appended to cases.CASES)."""

from .cases import add, u  # noqa: F401
