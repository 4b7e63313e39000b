"""Run-time helpers for desugared Python statements (auxiliary outputs, starred
assignment, ``del``)."""

from __future__ import annotations

from ..errors import AstAdError

__all__ = ["check_aux", "check_star_unpack", "check_with_completed"]


def check_aux(out):
    """``has_aux=True``: the function must return a pair ``(loss, aux)``."""
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise AstAdError(
            "has_aux=True needs the function to return a pair (output, auxiliary data), "
            f"got {type(out).__name__}")


def check_star_unpack(seq, n):
    """Raise the error Python would for ``a, *b = seq`` with fewer than ``n`` items."""
    try:
        m = len(seq)
    except TypeError:
        return
    if m < n:
        raise ValueError(f"not enough values to unpack (expected at least {n}, got {m})")


def check_with_completed(completed, where):
    """A ``with`` whose context manager swallowed an exception raised part-way through
    its body: the adjoint cannot replay that path."""
    if not completed:
        raise AstAdError(
            f"the context manager of the 'with' statement at {where} suppressed an exception "
            "raised inside its body; ast_ad cannot differentiate a block that stopped "
            "part-way")


def _declare():
    from ..rules.registry import default_registry

    for f in (check_aux, check_star_unpack, check_with_completed):
        default_registry.nondifferentiable(f)


_declare()
