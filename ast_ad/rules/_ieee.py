"""Declared rules divide and raise to powers with NumPy's semantics where Python numbers can
reach them: ``a / b`` -> ``fdiv(a, b)``, ``a ** b`` -> ``fpow(a, b)``
(:mod:`ast_ad.rules.helpers.elementwise`), so that ``math.sqrt``'s derivative at 0 is ``inf``
as ``np.sqrt``'s is, never a ``ZeroDivisionError``.  Used by :mod:`ast_ad.rules.declare`."""

from __future__ import annotations

import ast

import numpy as np


def _call(fn, *args):
    return ast.Call(ast.Name(fn, ast.Load()), list(args), [])


def _nonzero_constant(e, env):
    """A nonzero number written in the text, or a named constant (``LN2``, ``DEG``)."""
    if isinstance(e, ast.Constant):
        return type(e.value) in (int, float) and e.value != 0
    return isinstance(e, ast.Name) and isinstance(env.get(e.id), float) and env[e.id] != 0


def spelling_kind(fn, scalar):
    """How Python numbers reach a rule of ``fn`` (see :class:`Ieee`)."""
    mod = getattr(fn, "__module__", None) or ""
    if scalar:
        return "scalar"
    if mod == "_operator":
        return "operator"
    if isinstance(fn, np.ufunc) or mod.split(".")[0] in ("numpy", "scipy"):
        return "np"  # its result ``ans`` is a NumPy scalar or array
    return "python"


class Ieee(ast.NodeTransformer):
    """``a / b`` -> ``fdiv(a, b)`` and ``a ** b`` -> ``fpow(a, b)`` (``pow(a, b)`` too)
    where Python numbers can reach the operator, so that a derivative infinite or undefined
    at a point the function is defined at is ``inf``/``nan`` as NumPy gives, never a
    ``ZeroDivisionError`` (:mod:`ast_ad.rules.helpers.elementwise`).  Kept as written: a
    divisor that is a nonzero constant, an exponent that is an int constant >= 0, an
    operand computed by NumPy (it calls ``np.*``, or is the result ``ans`` of a NumPy
    function: a NumPy scalar), and, in the ``operator`` functions behind Python syntax, a
    divisor that is the function's own argument (``a / y`` raised already on Python numbers
    if ``y`` was 0).  ``kind``: ``"scalar"`` (math, ``max``/``min``), ``"operator"``,
    ``"np"`` (NumPy and SciPy functions) or ``"python"`` (any other)."""

    def __init__(self, kind, own, env):
        self.kind, self.own, self.env = kind, set(own), env

    def _numpy_valued(self, e):
        if self.kind == "scalar":
            return False
        for n in ast.walk(e):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                    isinstance(n.func.value, ast.Name) and n.func.value.id == "np":
                return True
            if self.kind == "np" and isinstance(n, ast.Name) and n.id == "ans":
                return True
        return False

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Div):
            r = node.right
            if _nonzero_constant(r, self.env) or self._numpy_valued(r) or (
                    self.kind == "operator" and isinstance(r, ast.Name) and r.id in self.own):
                return node
            return _call("fdiv", node.left, node.right)
        if isinstance(node.op, ast.Pow):
            r = node.right
            if (isinstance(r, ast.Constant) and type(r.value) is int and r.value >= 0) or \
                    self._numpy_valued(node.left):
                return node
            return _call("fpow", node.left, node.right)
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if len(node.args) == 2 and not node.keywords and (
                (isinstance(f, ast.Name) and f.id == "pow") or (
                isinstance(f, ast.Attribute) and f.attr == "pow" and
                isinstance(f.value, ast.Name) and f.value.id == "math")):
            return _call("fpow", *node.args)
        return node
