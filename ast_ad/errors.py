"""The exception hierarchy of ast_ad.

Every error a user can meet derives from :class:`AstAdError`.  Errors raised while
transforming a function carry the user's file and line (``where``) and say what to do.
"""

from __future__ import annotations

__all__ = [
    "AstAdError",
    "UnsupportedConstructError",
    "NoRuleError",
    "SourceUnavailableError",
    "NonScalarOutputError",
    "GradientCheckError",
    "UndefinedDerivativeError",
]


class AstAdError(Exception):
    """Base class of every ast_ad error."""

    def __init__(self, message: str, *, filename: str | None = None, lineno: int | None = None):
        self.filename = filename
        self.lineno = lineno
        self.bare_message = message
        if filename is not None:
            where = f"{filename}:{lineno}" if lineno is not None else filename
            message = f"{message} ({where})"
        super().__init__(message)


class UnsupportedConstructError(AstAdError):
    """The function uses a Python construct the transformer does not handle."""


def refuse_at(where, node, message: str):
    """Raise ``UnsupportedConstructError(message)`` at the user's line of ``node``
    (``where``: a ``Parsed.where`` or ``Unit.where``)."""
    filename, line = where(node)
    raise UnsupportedConstructError(message, filename=filename, lineno=line)


class NoRuleError(AstAdError):
    """A call on a differentiated value has no derivative rule."""


class SourceUnavailableError(AstAdError):
    """The source of the function cannot be retrieved (exec, builtins, C functions)."""


class NonScalarOutputError(AstAdError, ValueError):
    """``grad`` was asked for the gradient of a non-scalar output."""


class GradientCheckError(AstAdError, AssertionError):
    """``check_grad`` found a gradient that disagrees with its oracles."""


class UndefinedDerivativeError(AstAdError, NotImplementedError):
    """The derivative is undefined, or not supported, at the values of this call (repeated
    eigenvalues, a rank-deficient fit, complex data...): found while the gradient runs, so
    its note (and ``filename``/``lineno``) name the user's line."""
