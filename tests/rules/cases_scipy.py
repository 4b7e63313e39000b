"""Rule cases for the scipy rules (appended to cases.CASES)."""

from .cases import add, u  # noqa: F401
