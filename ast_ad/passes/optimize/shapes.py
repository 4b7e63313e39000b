"""Shape-driven rewrites: shape-only arguments read the earliest name of their shape
class, and a full reduction's cotangent stays a scalar where it feeds elementwise ops.
"""

from __future__ import annotations

import gast

from ...ir import nodes as N
from ...ir.lattice import Shape
from ...ir.walk import Transformer, nodes
from .common import counts


def shape_representatives(stmts, opts):
    """Arguments used only for their shape read the earliest name of the same shape.

    ``unbroadcast(g, _t4)`` with ``_t4 = np.log1p(_t3)``, ``_t3 = np.exp(-m)``: all have
    m's shape, so ``unbroadcast(g, m)``: ``_t4`` need not be kept (nor computed, when
    nothing else reads it).  ``shape_args`` maps a function reference (``N.key``) to the
    positions of its shape-only arguments.
    """
    if opts.shape_args is None:
        return None
    changed, shape_args, rep_of = False, opts.shape_args, opts.rep_of
    for node in nodes(stmts):
        if type(node) is not gast.Call or type(node.func) not in (gast.Name, gast.Attribute):
            continue
        for k in shape_args.get(N.key(node.func), ()):
            if k < len(node.args) and isinstance(node.args[k], gast.Name):
                rep = rep_of(node.args[k].id)
                if rep and rep != node.args[k].id:
                    node.args[k] = N.name(rep)
                    changed = True
    return list(stmts) if changed else None


def scalar_cotangents(stmts, opts):
    if opts.unreduce is None:
        return None
    ieee = (opts.extra or {}).get("ieee", {})
    divs = frozenset(k for k, op in ieee.items() if op == "div")
    return scalar_broadcasts(stmts, opts.unreduce, opts.shape_of, divs)


def scalar_broadcasts(stmts, unreduce_ref, shape_of, divs=frozenset()):
    """``b = unreduce(s, a)`` of a full reduction feeds elementwise products: use ``s``.

    Before::

        b_t5 = unreduce(b_t6, _t5, None, False)
        b_t1 = b_t5 * _t4

    After (``_t4`` has the shape of ``_t5``, so broadcasting the scalar does the same)::

        b_t1 = b_t6 * _t4

    ``divs``: the keys of ``fdiv`` (``a / b`` with IEEE results for Python numbers), whose
    numerator is replaced like ``/``'s.
    """
    ref = N.key(unreduce_ref)
    loads, stores = counts(stmts)
    for i, st in enumerate(stmts):
        if not (isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Name)):
            continue
        b = st.targets[0].id
        scalar, like = _full_unreduce(st.value, ref)
        if scalar is None or stores.get(b, 0) != 1:
            continue
        cls = shape_of(like)
        if not cls.known:
            continue
        rest = stmts[i + 1:]
        uses = [n for x in rest for n in nodes(x)
                if isinstance(n, gast.Name) and n.id == b and isinstance(n.ctx, gast.Load)]
        if len(uses) != loads.get(b, 0) or not uses:
            continue
        if _scalar_uses(rest, b, cls, shape_of, divs) != len(uses):
            continue  # (counted before copying: most candidates fail here)
        sub = _ScalarUse(b, scalar, cls, shape_of, divs)
        new_rest = [sub.visit(N.clone(x)) for x in rest]  # (all uses, or none)
        if sub.replaced == len(uses):
            return stmts[:i] + new_rest
    return None


def _full_unreduce(v, ref):
    """(scalar expression, like name) for unreduce(s, like, None, False) [/ n]."""
    div = None
    if isinstance(v, gast.BinOp) and isinstance(v.op, gast.Div):
        v, div = v.left, v.right
    if isinstance(v, gast.Call) and N.key(v.func) == ref and len(v.args) >= 2 and \
            isinstance(v.args[1], gast.Name) and all(
                isinstance(a, gast.Constant) and a.value in (None, False) for a in v.args[2:]):
        s = v.args[0]
        if div is not None:
            s = gast.BinOp(left=s, op=gast.Div(), right=div)
        return s, v.args[1].id
    return None, None


def _operand_pairs(node, divs):
    """``(operand, the other operand, how to set it)`` where a scalar may stand for a
    broadcast operand: either side of ``*``, the numerator of ``/`` and of ``fdiv``."""
    if type(node) is gast.BinOp:
        if isinstance(node.op, gast.Mult):
            return ((node.left, node.right, "left"), (node.right, node.left, "right"))
        if isinstance(node.op, gast.Div):
            return ((node.left, node.right, "left"),)
    elif type(node) is gast.Call and len(node.args) == 2 and not node.keywords and \
            divs and N.key(node.func) in divs:
        return ((node.args[0], node.args[1], 0),)
    return ()


def _scalar_uses(stmts, name, cls, shape_of, divs):
    """How many loads of ``name`` in ``stmts`` ``_ScalarUse`` would replace."""
    k = 0
    for node in nodes(stmts):
        for mine, other, _ in _operand_pairs(node, divs):
            if isinstance(mine, gast.Name) and mine.id == name and \
                    _expr_class(other, shape_of) == cls:
                k += 1
                break
    return k


class _ScalarUse(Transformer):
    def __init__(self, name, scalar, cls, shape_of, divs):
        self.name, self.scalar, self.cls, self.shape_of = name, scalar, cls, shape_of
        self.divs = divs
        self.replaced = 0

    def visit_BinOp(self, node):
        self.generic_visit(node)
        return self._replace(node)

    def visit_Call(self, node):
        self.generic_visit(node)
        return self._replace(node)

    def _replace(self, node):
        for mine, other, side in _operand_pairs(node, self.divs):
            if isinstance(mine, gast.Name) and mine.id == self.name and \
                    _expr_class(other, self.shape_of) == self.cls:
                if side == 0:
                    node.args[0] = self.scalar
                else:
                    setattr(node, side, self.scalar)
                self.replaced += 1
                break
        return node


def _expr_class(e, shape_of):
    if isinstance(e, gast.Name):
        return shape_of(e.id)
    if isinstance(e, gast.Constant):
        return Shape.SCALAR
    if isinstance(e, gast.BinOp):
        return Shape.broadcast(_expr_class(e.left, shape_of), _expr_class(e.right, shape_of))
    if isinstance(e, gast.UnaryOp):
        return _expr_class(e.operand, shape_of)
    return Shape.UNKNOWN
