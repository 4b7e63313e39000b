"""What the rule stage needs in both modes: the error for a missing rule, which helpers
carry shape-only arguments, and how two contributions of one statement combine."""

from __future__ import annotations

import types

import gast
import numpy as np

from ...errors import NoRuleError
from ...ir import nodes as N


def drop_shape_helper(expr, helper_ref, facts, a, b):
    """``helper(e, like)`` (``unbroadcast``, ``broadcast_like``) is ``e`` when the names
    ``a`` and ``b`` provably share a shape class."""
    c = facts.shape(a)
    if not c.known or c != facts.shape(b):
        return expr
    if isinstance(expr, gast.Call) and gast.dump(expr.func) == gast.dump(helper_ref) and \
            len(expr.args) == 2:
        return expr.args[0]
    return expr


def _own_helper(fn):
    """ast_ad's own helpers register rules for their value arguments only; the trailing
    arguments (``like``, ``axis``...) carry shapes, never derivatives."""
    return getattr(fn, "__module__", "").startswith(("ast_ad.rules.helpers", "ast_ad.runtime"))


def _canon(e):
    """A text key of an expression, with the operands of * sorted (x*g == g*x)."""
    if isinstance(e, gast.BinOp) and isinstance(e.op, gast.Mult):
        parts = sorted([_canon(e.left), _canon(e.right)])
        return "(" + "*".join(parts) + ")"
    return gast.dump(e)


def _combine(a, b):
    """Two contributions of one statement to one variable: a + b, or 2.0 * a if equal."""
    if _canon(a) == _canon(b):
        return gast.BinOp(left=N.const(2.0), op=gast.Mult(), right=a)
    return gast.BinOp(left=a, op=gast.Add(), right=b)


def no_rule_error(parsed, s, fn, func_node, arg=None):
    filename, line = parsed.where(s)
    if func_node is not None:
        try:
            label = gast.unparse(func_node).strip()
        except Exception:
            label = getattr(fn, "__name__", repr(fn))
    else:
        label = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
    what = f"argument {arg} of " if arg is not None else ""
    raise NoRuleError(
        f"no derivative rule for {what}`{label}` on a differentiated value{_library(fn)}; "
        f"register one with ast_ad.defvjp{_nondiff_hint(fn)}, or wrap the value in "
        "ast_ad.stop_gradient", filename=filename, lineno=line)


#: modules whose functions are mostly smooth: never told to declare them constant
_SMOOTH_MODULES = ("numpy", "scipy", "math", "cmath", "statistics", "jax", "torch")


def _library(fn):
    from ..analysis.calls import is_user_code
    if isinstance(fn, types.FunctionType) and not is_user_code(fn):
        return (" (it is library code, which ast_ad does not differentiate by parsing its "
                "source)")
    return ""


def _nondiff_hint(fn):
    mod = (getattr(fn, "__module__", None) or "").split(".")[0]
    if mod in _SMOOTH_MODULES or isinstance(fn, np.ufunc):
        return ""
    return (", or, only if its result does not vary with the value (an integer, a flag, "
            "an index), declare it with ast_ad.nondifferentiable")
