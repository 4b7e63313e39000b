"""Rule cases for the linalg_more rules (appended to cases.CASES)."""

from .cases import add, u  # noqa: F401
