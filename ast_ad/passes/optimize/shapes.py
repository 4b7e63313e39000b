"""Shape-driven rewrites: shape-only arguments read the earliest name of their shape
class, and a full reduction's cotangent stays a scalar where it feeds elementwise ops.
"""

from __future__ import annotations

import gast

from ...ir import nodes as N
from ...ir.lattice import Shape
from ...ir.walk import Transformer, blocks_of, nodes, nodes_of
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
    for node in nodes_of(stmts, gast.Call):
        if type(node.func) not in (gast.Name, gast.Attribute):
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
    same = opts.same_shape
    zero = (opts.extra or {}).get("is_zero")
    out = scalar_broadcasts(stmts, opts.unreduce, opts.shape_of, divs, same, zero)
    if out is not None:
        return out
    loads, stores = counts(stmts)  # (of the whole code: a block's uses must be all)
    for st in stmts:  # the blocks of loops and branches, one at a time
        for _, inner in blocks_of(st):
            new = scalar_broadcasts(inner, opts.unreduce, opts.shape_of, divs, same, zero,
                                    (loads, stores))
            if new is not None:
                inner[:] = new
                return list(stmts)
            deeper = scalar_cotangents(inner, opts) if any(blocks_of(x) for x in inner) \
                else None
            if deeper is not None:
                inner[:] = deeper
                return list(stmts)
    return None


def scalar_broadcasts(stmts, unreduce_ref, shape_of, divs=frozenset(), same=None,
                      is_zero=None, counted=None):
    """``b = unreduce(s, a)`` of a full reduction feeds elementwise products: use ``s``.

    Before::

        b_t5 = unreduce(b_t6, _t5, None, False)
        b_t1 = b_t5 * _t4

    After (``_t4`` has the shape of ``_t5``, so broadcasting the scalar does the same)::

        b_t1 = b_t6 * _t4

    ``divs``: the keys of ``fdiv`` (``a / b`` with IEEE results for Python numbers), whose
    numerator is replaced like ``/``'s.  ``same(a, o)``: the primal ``a`` is bound once,
    to an elementwise function of ``o`` and numbers only (``_t5 = lx * lx``), so the
    adjoint of that statement, the only reader of ``a``'s cotangent, may take the scalar
    for ``o`` too although neither has a known class.
    """
    ref = N.key(unreduce_ref)
    loads, stores = counted if counted is not None else counts(stmts)
    for i, st in enumerate(stmts):
        guarded = _guarded_unreduce(st, ref, is_zero)  # if not is_zero(s): b = ... else 0.0
        if guarded is not None:
            b, scalar, like = guarded
            if stores.get(b, 0) != 2:
                continue
        elif not (isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Name)):
            continue
        else:
            b = st.targets[0].id
            scalar, like = _full_unreduce(st.value, ref)
            if scalar is None or stores.get(b, 0) != 1:
                continue
        cls = shape_of(like)

        def fits(other, cls=cls, like=like):
            if isinstance(other, gast.Name) and other.id == like:
                return True  # (the reduced array itself: b_t1 = b_t2 * _t2)
            return (cls.known and _expr_class(other, shape_of) == cls) or (
                same is not None and isinstance(other, gast.Name) and same(like, other.id))

        rest = stmts[i + 1:]
        uses = [n for x in rest for n in nodes(x)
                if isinstance(n, gast.Name) and n.id == b and isinstance(n.ctx, gast.Load)]
        if len(uses) != loads.get(b, 0) or not uses:
            continue
        if _scalar_uses(rest, b, fits, divs) != len(uses):
            continue  # (counted before copying: most candidates fail here)
        sub = _ScalarUse(b, scalar, fits, divs)
        new_rest = [sub.visit(N.clone(x)) for x in rest]  # (all uses, or none)
        if sub.replaced == len(uses):
            return stmts[:i] + new_rest
    return None


def _guarded_unreduce(st, ref, is_zero):
    """``(b, s, like)`` of ``if not is_zero(s): b = unreduce(s, like, None, False)`` /
    ``else: b = 0.0`` (``s * o`` is ``0.0 * o`` when ``s`` is the filler: the guard goes)."""
    if is_zero is None or not isinstance(st, gast.If) or len(st.body) != 1 or \
            len(st.orelse) != 1:
        return None
    t, a, z = st.test, st.body[0], st.orelse[0]
    if not (isinstance(t, gast.UnaryOp) and isinstance(t.op, gast.Not) and
            isinstance(t.operand, gast.Call) and N.key(t.operand.func) == is_zero and
            len(t.operand.args) == 1 and isinstance(t.operand.args[0], gast.Name)):
        return None
    if not (isinstance(a, gast.Assign) and isinstance(z, gast.Assign) and
            isinstance(a.targets[0], gast.Name) and isinstance(z.targets[0], gast.Name) and
            a.targets[0].id == z.targets[0].id and isinstance(z.value, gast.Constant) and
            z.value.value == 0.0):
        return None
    s, like = _full_unreduce(a.value, ref)
    if s is None or not (isinstance(s, gast.Name) and s.id == t.operand.args[0].id):
        return None
    return a.targets[0].id, s, like


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
    """``(operand, the other operand, its holder, how to set it)`` where a scalar may
    stand for a broadcast operand: either side of ``*`` (``c * b * o`` with a number
    ``c`` too: ``b`` and ``o``), the numerator of ``/`` and of ``fdiv``."""
    if type(node) is gast.BinOp:
        if isinstance(node.op, gast.Mult):
            left = node.left
            if type(left) is gast.BinOp and isinstance(left.op, gast.Mult) and \
                    _number(left.left):
                return ((left.right, node.right, left, "right"),
                        (node.right, left.right, node, "right"))
            return ((node.left, node.right, node, "left"),
                    (node.right, node.left, node, "right"))
        if isinstance(node.op, gast.Div):
            return ((node.left, node.right, node, "left"),)
    elif type(node) is gast.Call and len(node.args) == 2 and not node.keywords and \
            divs and N.key(node.func) in divs:
        return ((node.args[0], node.args[1], node, 0),)
    return ()


def _number(e):
    return isinstance(e, gast.Constant) and type(e.value) in (int, float)


def _scalar_uses(stmts, name, fits, divs):
    """How many loads of ``name`` in ``stmts`` ``_ScalarUse`` would replace."""
    k = 0
    for node in nodes(stmts):
        for mine, other, _, _ in _operand_pairs(node, divs):
            if isinstance(mine, gast.Name) and mine.id == name and fits(other):
                k += 1
                break
    return k


class _ScalarUse(Transformer):
    def __init__(self, name, scalar, fits, divs):
        self.name, self.scalar, self.fits = name, scalar, fits
        self.divs = divs
        self.replaced = 0

    def visit_BinOp(self, node):
        self.generic_visit(node)
        return self._replace(node)

    def visit_Call(self, node):
        self.generic_visit(node)
        return self._replace(node)

    def _replace(self, node):
        for mine, other, holder, side in _operand_pairs(node, self.divs):
            if isinstance(mine, gast.Name) and mine.id == self.name and self.fits(other):
                if side == 0:
                    holder.args[0] = self.scalar
                else:
                    setattr(holder, side, self.scalar)
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
