"""Checks on what a user's derivative rule returns (``ast_ad.defvjp``/``defjvp``,
``custom_vjp``/``custom_jvp``): a cotangent shaped like its argument, a tangent shaped
like the result, real for a real value, numeric (``None``: no contribution).  A wrong shape
would otherwise be broadcast silently into a wrong gradient, or fail deep inside NumPy.

The transformer wraps the contribution of every rule that is not ast_ad's own in
``check_cotangent``/``check_tangent`` (an identity for a right result: a few attribute
reads per call); the tape checks the same at each rule call.

>>> import numpy as np
>>> check_cotangent(np.ones(3), np.zeros(3), "my_vjp")
array([1., 1., 1.])
>>> try:
...     check_cotangent(np.ones(3), 2.0, "my_vjp")
... except AstAdError as e:
...     print(str(e).split(";")[0])
the derivative rule my_vjp returned a cotangent of shape (3,) for an argument of shape ()
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import AstAdError

__all__ = ["check_cotangent", "check_tangent", "is_user_rule", "rule_label"]


def is_user_rule(rule: Any) -> bool:
    """True for a rule written by the user (not one of ast_ad's built-in rule modules)."""
    if rule is None:
        return False
    if getattr(rule, "_ast_ad_user_rule", False):
        return True
    mod = getattr(rule, "__module__", None) or ""
    return not (mod == "ast_ad" or mod.startswith("ast_ad."))


def rule_label(rule, fn, k) -> str:
    """``rule`` named for messages: ``f_vjp (argument 1 of f)``."""
    if getattr(rule, "_ast_ad_label", None):
        return rule._ast_ad_label
    name = getattr(rule, "__qualname__", None) or getattr(rule, "__name__", None) or repr(rule)
    of = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
    return f"{name} (argument {k} of {of})"


def _kind_error(c, label, what):
    dt = getattr(c, "dtype", None)
    if c is None or isinstance(c, (bool, np.bool_)) or isinstance(c, (str, bytes)) or (
            dt is not None and dt.kind not in "biufc"):
        return (f"the derivative rule {label} returned {type(c).__name__}"
                f"{f' of dtype {dt}' if dt is not None else ''} as a {what}; a rule must "
                "return numbers (an array or a float)")
    return None


def _real_error(c, like, label, what):
    if np.iscomplexobj(c) and not np.iscomplexobj(like):
        return (f"the derivative rule {label} returned a complex {what} for a real value; "
                "return its real part (or make the value complex)")
    return None


def check_cotangent(c, x, label):
    """``c``, the cotangent a user's reverse rule returned for its argument ``x``; an
    ``AstAdError`` naming the rule when it is not shaped like ``x`` (a list/tuple argument:
    a list/tuple of entries shaped like its items)."""
    if type(c) is type(x) is float or (type(c) is np.ndarray and type(x) is np.ndarray and
                                       c.shape == x.shape and c.dtype.kind == "f"):
        return c  # the common case
    if c is None:
        return 0.0  # no contribution
    if isinstance(x, (list, tuple)) and not isinstance(c, np.ndarray):
        if not isinstance(c, (list, tuple)) or len(c) != len(x):
            raise AstAdError(
                f"the derivative rule {label} returned {type(c).__name__} for a "
                f"{type(x).__name__} of {len(x)} entries; return a list with one cotangent "
                "per entry (None for none)")
        for ck, xk in zip(c, x):
            if ck is not None:
                check_cotangent(ck, xk, label)
        return c
    why = _kind_error(c, label, "cotangent") or _real_error(c, x, label, "cotangent")
    if why is None and np.shape(c) != np.shape(x):
        why = (f"the derivative rule {label} returned a cotangent of shape {np.shape(c)} "
               f"for an argument of shape {np.shape(x)}; a reverse rule must return one "
               "value shaped like its argument")
    if why is not None:
        raise AstAdError(why)
    return c


def check_tangent(t, ans, label):
    """``t``, the tangent a user's forward rule returned for the result ``ans``: shaped
    like ``ans`` (a broadcast would hide a wrong shape)."""
    if type(t) is type(ans) is float or (type(t) is np.ndarray and type(ans) is np.ndarray
                                         and t.shape == ans.shape and t.dtype.kind == "f"):
        return t
    if isinstance(ans, (list, tuple)):
        return t  # a structured result: its entries are checked where they are used
    if t is None:
        return 0.0
    why = _kind_error(t, label, "tangent") or _real_error(t, ans, label, "tangent")
    if why is None and np.shape(t) != np.shape(ans):
        why = (f"the derivative rule {label} returned a tangent of shape {np.shape(t)} "
               f"for a result of shape {np.shape(ans)}; a forward rule must return the "
               "result's tangent, shaped like the result (np.broadcast_to(t, ans.shape) "
               "for a scalar argument's)")
    if why is not None:
        raise AstAdError(why)
    return t
