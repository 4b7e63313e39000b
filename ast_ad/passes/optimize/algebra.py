"""Constant folding and algebraic identities that keep every type, shape and dtype.

Before::

    bx = b_t1 * 2 * x ** (2 - 1)
    by = 1.0 + _t1 + 0.0

After (``x``, ``_t1`` surely Python floats)::

    bx = 2 * b_t1 * x
    by = _t1 + 1.0

What is rewritten, and why it is exact:

- ``c1 op c2`` of int/float constants is folded (CPython's compiler folds the same
  expressions, with the same result); a negative result is written ``-c`` so that
  ``(-2) ** 2`` keeps its parentheses;
- ``e ** 1`` -> ``e`` where ``e`` is surely a float, or where the power is an operand of a
  product or quotient with a cotangent (a float array or float: ``x ** 1`` and ``x`` then
  give the same product, for an int or bool ``x`` too);
- ``e * 1``, ``1 * e``, ``e * 1.0``, ``e / 1``, ``e + 0.0``, ``0.0 + e``, ``e - 0.0`` -> ``e``
  only where ``e`` is surely a Python float (``x + 0.0`` makes an int a float, an array a
  copy);
- ``X += -e`` -> ``X -= e`` and ``X -= -e`` -> ``X += e`` (IEEE defines ``a - b`` as
  ``a + (-b)``: the same value, in place, without the negated copy); so is
  ``X += a * -e`` -> ``X -= a * e`` (rounding is symmetric in sign: ``a * -e`` is
  ``-(a * e)`` bit for bit);
- under all-float code (``immutable``): constants move to the front of a product and to
  the end of a sum (``y * 2`` -> ``2 * y``, ``1.0 + t`` -> ``t + 1.0``): float ``*`` and ``+``
  are commutative, so the value is bit for bit the same; ``unbroadcast(g, v)`` is ``g``.
  ``x * 0.0`` is never ``0.0``;
- under all-float code, a sum of two products with a common cotangent factor is one
  product: ``0.001 * by * math.cos(y) + c * by`` -> ``by * (0.001 * math.cos(y) + c)``
  (a use of ``y`` in two places, summed once and scaled once, as a hand-written adjoint
  does).  The one rewrite that is not bit for bit: distributivity rounds differently (by
  an ulp or so), and where ``a * g`` and ``c * g`` would both overflow the factored form
  is finite.
"""

from __future__ import annotations

import operator

import gast

from ...ir import nodes as N
from ...ir.walk import Transformer, nodes
from .fold import _surely_float

_OPS = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
        gast.Div: operator.truediv, gast.FloorDiv: operator.floordiv,
        gast.Mod: operator.mod, gast.Pow: operator.pow}


def _num(e):
    """The value of a numeric constant (``-c`` included), else None."""
    if isinstance(e, gast.Constant) and type(e.value) in (int, float):
        return e.value
    if isinstance(e, gast.UnaryOp) and isinstance(e.op, gast.USub):
        v = _num(e.operand)
        return None if v is None else -v
    return None


def _const(v):
    if v < 0 or (type(v) is float and str(v).startswith("-")):
        return gast.UnaryOp(op=gast.USub(), operand=N.const(-v))
    return N.const(v)


def _fold(op, a, b):
    fn = _OPS.get(type(op))
    if fn is None:
        return None
    if isinstance(op, gast.Pow) and (abs(b) > 64 or abs(a) > 1e6):
        return None  # keep `2 ** 1000` as written
    try:
        v = fn(a, b)
    except (ArithmeticError, ValueError, OverflowError):
        return None
    if type(v) not in (int, float) or (type(v) is int and abs(v) > 2 ** 53) or v != v \
            or v in (float("inf"), float("-inf")):
        return None
    return v


def _base_name(t):
    """The name ``t`` (``b``, ``b[i]``, ``b[i][j]``) updates, else None."""
    while isinstance(t, gast.Subscript):
        t = t.value
    return t.id if isinstance(t, gast.Name) else None


def _mentions(e, names):
    return any(isinstance(n, gast.Name) and n.id in names for n in nodes(e))


class _Algebra(Transformer):
    def __init__(self, opts):
        self.changed = False
        self.adj = opts.names
        self.immutable = opts.immutable
        self.floats = set(opts.floats) | (set(opts.names) if opts.immutable else set())
        self.helpers = set(opts.shape_args or ())  # keys of the shape helpers' references
        self.ieee = opts.extra.get("ieee", {})  # keys of fpow/fdiv's references

    def visit_Call(self, node):
        """``unbroadcast(g, v)`` is ``g`` itself when no value is an array (its shapes
        are both ``()``: the helper's first test returns ``g``)."""
        self.generic_visit(node)
        f = node.func
        if self.immutable and isinstance(f, gast.Name) and \
                (f.id == "unbroadcast" or f.id.startswith("unbroadcast_")) and \
                N.key(f) in self.helpers and len(node.args) == 2 and not node.keywords:
            self.changed = True
            return node.args[0]
        op = self.ieee.get(N.key(f)) if len(node.args) == 2 and not node.keywords else None
        c = _num(node.args[1]) if op else None
        # fpow(a, k) -> a ** k for an int k >= 0 (fpow comes from the rules of a ** (k + 1),
        # whose forward value is kept and raised first where a ** k would overflow);
        # fdiv(a, c) -> a / c for a nonzero number c (no ZeroDivisionError possible)
        if op == "seeded" and c:  # unseeded_zero(r, c): a nonzero seed masks nothing
            self.changed = True
            return node.args[0]
        if (op == "pow" and type(c) is int and c >= 0) or (op == "div" and c):
            self.changed = True
            return gast.BinOp(left=node.args[0], op=gast.Pow() if op == "pow" else gast.Div(),
                              right=node.args[1])
        return node

    def visit_AugAssign(self, node):
        """``X += -e`` -> ``X -= e`` (and ``-=`` of ``-e`` -> ``+=``): IEEE defines
        ``a - b`` as ``a + (-b)``, so the value is the same, without the negated copy."""
        self.generic_visit(node)
        v = node.value
        if not isinstance(node.op, (gast.Add, gast.Sub)):
            return node
        if isinstance(v, gast.UnaryOp) and isinstance(v.op, gast.USub):
            node.value = v.operand
        elif isinstance(v, gast.BinOp) and isinstance(v.op, gast.Mult) and any(
                isinstance(o, gast.UnaryOp) and isinstance(o.op, gast.USub)
                for o in (v.left, v.right)) and _base_name(node.target) in self.adj:
            # `X += a * -e` -> `X -= a * e`: a product's rounding is symmetric in sign
            if isinstance(v.right, gast.UnaryOp) and isinstance(v.right.op, gast.USub):
                v.right = v.right.operand
            else:
                v.left = v.left.operand
        else:
            return node
        node.op = gast.Sub() if isinstance(node.op, gast.Add) else gast.Add()
        self.changed = True
        return node

    def float_(self, e):
        return _surely_float(e, self.floats)

    def visit_BinOp(self, node):
        self.generic_visit(node)
        folded = _fold_constant(node)
        if folded is not node:
            self.changed = True
            return folded
        a, b = _num(node.left), _num(node.right)
        if a is not None and b is not None:
            return node
        op = node.op
        if isinstance(op, (gast.Add, gast.Sub)) and isinstance(node.right, gast.UnaryOp) \
                and isinstance(node.right.op, gast.USub) and b is not None:
            # `a + -c` -> `a - c` (IEEE: the same value)
            node.op = gast.Sub() if isinstance(op, gast.Add) else gast.Add()
            node.right = node.right.operand
            self.changed = True
            return node
        if isinstance(op, gast.Pow) and b == 0 and type(b) is int and self.float_(node.left):
            self.changed = True  # (a float's `** 0` is 1.0, nan's too)
            return N.const(1.0)
        if isinstance(op, gast.Pow) and b == 1 and type(b) is int and self.float_(node.left):
            self.changed = True
            return node.left
        if isinstance(op, gast.Mult):
            for one, other in ((node.left, node.right), (node.right, node.left)):
                if _num(one) == 1 and self.float_(other):
                    self.changed = True
                    return other
        if isinstance(op, gast.Div) and b == 1 and self.float_(node.left):
            self.changed = True
            return node.left
        if isinstance(op, (gast.Add, gast.Sub)) and b == 0 and isinstance(node.right,
                                                                           gast.Constant) \
                and self.float_(node.left):
            self.changed = True
            return node.left
        if isinstance(op, gast.Add) and a == 0 and isinstance(node.left, gast.Constant) and \
                self.float_(node.right):
            self.changed = True
            return node.right
        if isinstance(op, (gast.Mult, gast.Div)):  # `g * x ** 1` with g a cotangent
            for side, other in (("left", node.right), ("right", node.left)):
                p = getattr(node, side)
                if isinstance(p, gast.BinOp) and isinstance(p.op, gast.Pow) and \
                        isinstance(p.right, gast.Constant) and type(p.right.value) is int \
                        and p.right.value == 1 and _mentions(other, self.adj) and \
                        (side == "left" or isinstance(op, gast.Mult)):
                    setattr(node, side, p.left)
                    self.changed = True
                    return node
        if self.immutable:
            got = self.factor(node)
            return got if got is not None else self.order(node)
        return node

    def factor(self, node):
        """``P1 + P2`` / ``P1 - P2`` of products sharing a cotangent ``g``:
        ``g * (R1 + R2)`` (all-float code; ``R`` is a product less that factor)."""
        if not isinstance(node.op, (gast.Add, gast.Sub)):
            return None
        left, right = _factors(node.left), _factors(node.right)
        if len(left) < 2 or len(right) < 2:
            return None
        for f in left:
            if isinstance(f, gast.Name) and f.id in self.adj and any(
                    isinstance(r, gast.Name) and r.id == f.id for r in right):
                rest = [_without(left, f.id), _without(right, f.id)]
                self.changed = True
                return gast.BinOp(left=N.name(f.id), op=gast.Mult(), right=gast.BinOp(
                    left=rest[0], op=node.op, right=rest[1]))
        return None

    def order(self, node):
        """Constants first in a product, last in a sum (exact: commutative float ops)."""
        if isinstance(node.op, gast.Mult) and _num(node.right) is not None and \
                _num(node.left) is None and self.float_(node.left):
            node.left, node.right = node.right, node.left
            self.changed = True
        elif isinstance(node.op, gast.Mult) and isinstance(node.left, gast.BinOp) and \
                isinstance(node.left.op, gast.Mult) and _num(node.left.right) is not None \
                and _num(node.left.left) is None and self.float_(node.left.left):
            inner = node.left  # (y * 2) * x -> (2 * y) * x
            inner.left, inner.right = inner.right, inner.left
            self.changed = True
        elif isinstance(node.op, gast.Add) and _num(node.left) is not None and \
                _num(node.right) is None and self.float_(node.right):
            node.left, node.right = node.right, node.left
            self.changed = True
        return node


def _factors(e):
    """The factors of a product ``a * b * c`` (left to right); ``[e]`` for another node."""
    if isinstance(e, gast.BinOp) and isinstance(e.op, gast.Mult):
        return _factors(e.left) + _factors(e.right)
    return [e]


def _without(factors, name):
    """The product of ``factors`` less the first one that is the name ``name``."""
    k = next(i for i, f in enumerate(factors) if isinstance(f, gast.Name) and f.id == name)
    rest = factors[:k] + factors[k + 1:]
    out = rest[0]
    for f in rest[1:]:
        out = gast.BinOp(left=out, op=gast.Mult(), right=f)
    return out


def fold_constants(stmts):
    """Only ``c1 op c2`` folding (any code: the forward sweep too)."""
    t = _Folder()
    out = [t.visit(s) for s in stmts]
    return out if t.changed else None


_COMPARE = {gast.Eq: operator.eq, gast.NotEq: operator.ne, gast.Lt: operator.lt,
            gast.LtE: operator.le, gast.Gt: operator.gt, gast.GtE: operator.ge}


def _compare_value(e):
    """``(2 == 0)`` as an operand of arithmetic: its value as an int (0 or 1), else None."""
    if isinstance(e, gast.Compare) and len(e.ops) == 1 and type(e.ops[0]) in _COMPARE:
        a, b = _num(e.left), _num(e.comparators[0])
        if a is not None and b is not None:
            return int(_COMPARE[type(e.ops[0])](a, b))
    return None


def _fold_constant(node):
    """``c1 op c2`` (comparisons of constants inside it first) as one constant; the same
    node (possibly with its comparisons folded) when it is not constant."""
    compares = _fold_compares(node)
    a, b = _num(node.left), _num(node.right)
    if a is not None and b is not None:
        v = _fold(node.op, a, b)
        if v is not None:
            return _const(v)
    if compares:
        return gast.copy_location(gast.BinOp(left=node.left, op=node.op, right=node.right),
                                  node)  # a changed node
    return node


def _fold_compares(node):
    """`y - 1 + (y == 0)` of a constant y: the comparison's value as an int operand."""
    changed = False
    for side in ("left", "right"):
        v = _compare_value(getattr(node, side))
        if v is not None:
            setattr(node, side, N.const(v))
            changed = True
    return changed


class _Folder(Transformer):
    changed = False

    def visit_BinOp(self, node):
        self.generic_visit(node)
        folded = _fold_constant(node)
        self.changed |= folded is not node
        return folded


def algebra(stmts, opts):
    """Constant folding, algebraic identities and (all-float code) operand order."""
    t = _Algebra(opts)
    out = [t.visit(s) for s in stmts]
    return out if t.changed else None
