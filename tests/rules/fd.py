"""Finite-difference machinery shared by the rule tests (the differences are tests/fd.py's)."""

from __future__ import annotations

import numpy as np

from ast_ad import default_registry

from ..fd import (  # noqa: F401
    EPS,
    _rebuild,  # noqa: F401
    axpy,
    fd_directional,
    flat,
    with_arg,
)

RTOL = 1e-6
ATOL = 1e-7


def is_float_value(x):
    """Values a test can perturb: Python floats, float arrays/scalars, lists of them."""
    if isinstance(x, dict):  # a dict of floats (d.update's rules)
        return bool(x) and all(is_float_value(e) for e in x.values())
    if isinstance(x, (list, tuple)):  # flags beside arrays (cho_factor's (c, lower)) stay
        return any(is_float_value(e) for e in x) and all(
            is_float_value(e) or isinstance(e, bool) for e in x)
    if isinstance(x, bool):
        return False
    if isinstance(x, float):
        return True
    return isinstance(x, (np.ndarray, np.floating)) and x.dtype.kind == "f"


def rand_like(x, rng):
    if isinstance(x, bool):
        return 0.0  # a flag beside arrays: not perturbed (x + eps * 0.0 is x, as a float)
    if isinstance(x, dict):
        return {k: rand_like(e, rng) for k, e in x.items()}
    if isinstance(x, (list, tuple)):
        return _rebuild(x, [rand_like(e, rng) for e in x])  # namedtuples too
    if isinstance(x, np.ndarray):
        return rng.standard_normal(x.shape).astype(x.dtype if x.dtype.kind == "f" else float)
    if isinstance(x, np.floating):
        return type(x)(rng.standard_normal())
    return float(rng.standard_normal())


def is_zero(x):
    """The symbolic zeros of the runtime's adjoint convention: None, or the float 0.0."""
    return x is None or (type(x) is float and x == 0.0)


def inner(a, b):
    """<a, b> for values of one structure (None or 0.0 in ``a`` is a zero of any shape)."""
    if is_zero(a) or b is None:
        return 0.0
    if isinstance(b, dict):  # a key missing from either side is a zero there
        return sum(inner(a.get(k), v) for k, v in b.items())
    if isinstance(b, (list, tuple)):
        return sum(inner(x, y) for x, y in zip(a, b))
    return float(np.dot(flat(a), flat(b)))


def same_structure(got, ref):
    """``got`` has the structure and shapes of ``ref`` (a list for a list/tuple ``ref``)."""
    if isinstance(ref, (list, tuple, dict)) and got is None:
        return True
    if isinstance(ref, dict):  # entries that received nothing may be absent
        return isinstance(got, dict) and set(got) <= set(ref) and all(
            g is None or same_structure(g, ref[k]) for k, g in got.items())
    if isinstance(ref, (list, tuple)):
        return isinstance(got, (list, tuple)) and len(got) == len(ref) and all(
            g is None or same_structure(g, r) for g, r in zip(got, ref))
    return np.shape(got) == np.shape(ref)


def skip_iterator(ans):
    """An iterator result (``reversed(lst)``) has no finite differences of its own: its
    rules are checked through ``list(...)`` of it (tests/e2e/test_container_edits.py)."""
    if hasattr(ans, "__next__"):
        import pytest

        pytest.skip("an iterator result: checked end to end")


def dense_like(got, ref):
    """A dict derivative ``got`` with its absent entries as zeros shaped like ``ref``'s (so
    it flattens like ``ref``); anything else as it is."""
    if isinstance(ref, dict) and isinstance(got, dict):
        return {k: got[k] if got.get(k) is not None else np.zeros_like(np.asarray(r, float))
                for k, r in ref.items()}
    return got


def directional(case, k, v, eps=EPS):
    """Central difference of the case's output along ``v`` in argument ``k``."""
    return flat(fd_directional(case.fn, case.args, k, v, eps, case.kwargs))


def close(a, b, scale=1.0):
    return abs(a - b) <= RTOL * (abs(a) + abs(b)) + ATOL * scale


def checked_args(case, rules):
    """Argument indices with a rule that does not refuse (``rule.refuses``: it raises, as
    odeint's forward rules do) and float values (the ones tests differentiate)."""
    return [k for k, r in enumerate(rules)
            if r is not None and not getattr(r, "refuses", False) and k < len(case.args)
            and is_float_value(case.args[k])
            and (case.wrt is None or k in case.wrt)]


def vjp_rules(fn):
    rs = default_registry.vjp(fn)
    return rs.rules if rs is not None else ()


def jvp_rules(fn):
    rs = default_registry.jvp(fn)
    return rs.rules if rs is not None else ()
