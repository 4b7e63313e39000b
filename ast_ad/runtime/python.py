"""Run-time helpers for desugared Python statements (auxiliary outputs, starred
assignment, ``del``)."""

from __future__ import annotations

from ..errors import AstAdError

__all__ = ["best_index", "flat_position", "check_aux", "check_star_unpack",
           "check_with_completed", "sort_order",
           "reraise_internal", "check_try_complete",
           "check_mapping", "tuple_grad", "sequence_tangent"]


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


def reraise_internal(exc):
    """An ``except`` clause of the user's ``try`` caught an error raised by ast_ad itself (a
    run-time check of the generated code): it propagates instead of taking the handler."""
    if isinstance(exc, AstAdError):
        raise exc


def check_try_complete(stop, reached, done, where):
    """An exception raised part-way through a loop (or ``with``, or inner ``try``) inside a
    ``try`` block, caught by its handler: the adjoint cannot tell how far it got."""
    if reached <= stop < done:
        raise AstAdError(
            f"an exception was raised part-way through the loop, 'with' or 'try' at {where} "
            "and caught by the enclosing 'try'; ast_ad cannot differentiate a loop that "
            "stopped part-way (compute it outside the try, or use fallback='tape')")


def sort_order(seq, key=None, reverse=False):
    """The positions of ``seq`` in ``sorted(seq, key=key, reverse=reverse)`` order (the
    sort itself then reads ``seq`` by position, so values keep their derivatives)."""
    items = list(seq)
    k = (lambda i: items[i]) if key is None else (lambda i: key(items[i]))
    return sorted(range(len(items)), key=k, reverse=reverse)


def flat_position(i, y):
    """The index of ``y`` that ``y.flat[i]`` names (``y.flat[i] = v`` is written as
    ``y[flat_position(i, y)] = v``, a write the reverse pass models): ``np.unravel_index``
    of ``i`` (an int or an int array; negative counts from the end) in ``y``'s shape."""
    import numpy as np

    n = int(np.size(y))
    k = np.asarray(i)
    if k.dtype.kind not in "iu":
        raise IndexError("only integers (and integer arrays) index y.flat here "
                         f"(got {type(i).__name__})")
    k = np.where(k < 0, k + n, k)
    if np.any((k < 0) | (k >= n)):
        raise IndexError(f"index {i} is out of bounds for y.flat of size {n}")
    return np.unravel_index(k, np.shape(y))


def best_index(seq, key, which):
    """The position ``max(seq, key=key)`` / ``min(...)`` picks (the first of ties;
    ``key=None``: the items themselves)."""
    items = list(seq)
    if not items:
        raise ValueError(f"{which}() arg is an empty sequence")
    pick = max if which == "max" else min
    if key is None:
        return pick(range(len(items)), key=items.__getitem__)
    return pick(range(len(items)), key=lambda i: key(items[i]))


def _tuple_vjp(g, ans, iterable):
    return tuple_grad(g, iterable)


def tuple_grad(g, iterable):
    """The adjoint of ``tuple(iterable)``: the entries' adjoints, shaped like
    ``iterable`` (an array for an array)."""
    import numpy as np

    if g is None or not isinstance(g, (list, tuple)):
        return g
    if isinstance(iterable, np.ndarray):
        from ..signature import match

        return match(list(g), iterable)
    return list(g) if isinstance(iterable, list) else g


def check_mapping(d):
    """``d.get(k, default)`` is read as ``d[k] if k in d else default`` for dicts only."""
    if not isinstance(d, dict):
        raise AstAdError(
            f".get() of a {type(d).__name__} inside a differentiated function: only dict.get "
            "is supported")


def _tuple_jvp(t, ans, iterable):
    return sequence_tangent(t, ans)


def sequence_tangent(t, ans):
    """The tangent of ``list(x)``/``tuple(x)``: a list/tuple like ``ans`` of the rows."""
    import numpy as np

    if isinstance(t, np.ndarray) and t.ndim:
        return type(ans)(t)
    return t


def _declare():
    from ..rules.registry import default_registry

    for f in (check_aux, check_star_unpack, check_with_completed, sort_order, best_index,
              check_mapping, flat_position):
        default_registry.nondifferentiable(f)
    for f in (tuple, list):  # the entries' adjoints, an array for an array argument
        default_registry.defvjp(f, _tuple_vjp)
        default_registry.defjvp(f, _tuple_jvp)


_declare()
