"""The shapes ``view_writes`` reads: which bindings may be views, and of what.

``binding(s)`` is a ``View`` when ``s`` is ``v = y[...]``, ``v = y`` (an alias),
``v = np.reshape(y, ...)`` and the other layout changes of ``LAYOUT``, or
``v = as_sequence(y)`` (a loop over ``y``); its ``Step`` says how to read it again from
its base and how to write through it.

>>> import gast, numpy as np
>>> from types import SimpleNamespace
>>> res = SimpleNamespace(callable=lambda f: np.reshape)
>>> s = gast.parse("b = np.reshape(x, (2, 2))").body[0]
>>> v = binding(s, res)
>>> v.name, v.base, v.step.kind
('b', 'x', 'reshape')
"""

from __future__ import annotations

from dataclasses import dataclass

import gast
import numpy as np

from ... import runtime as R
from ...ir import anno
from ...ir.walk import blocks_of, name_nodes, nodes, statements
from ...rules.helpers import shapes as _shapes

#: steps whose result is the base object itself (``x.view()``: the same array)
SAME = ("alias", "same_object", "view_method")

#: layout changes whose result is a view (or a copy: checked) -> how to write back
LAYOUT = {
    np.reshape: "reshape", np.ravel: "reshape", np.squeeze: "reshape",
    np.expand_dims: "reshape", np.atleast_1d: "reshape", np.atleast_2d: "reshape",
    np.atleast_3d: "reshape", _shapes.method_reshape: "reshape",
    np.transpose: "transpose", np.swapaxes: "self", np.flip: "self", np.fliplr: "self",
    np.flipud: "self", np.moveaxis: "moveaxis", np.asarray: "same", np.asanyarray: "same",
    np.ascontiguousarray: "same", np.asfortranarray: "same",
}


@dataclass
class Step:
    kind: str  # "alias", "sub" (basic subscript), or a LAYOUT kind
    node: object  # the binding's value (its base is replaced when read again)


@dataclass
class View:
    name: str
    stmt: object
    base: str
    step: Step
    root: str = ""
    steps: tuple = ()


def step_of(v, resolver):
    """(base name, step) when ``v`` may be a view of a name; else None."""
    if isinstance(v, gast.Name):
        return v.id, Step("alias", v)
    if isinstance(v, gast.Call) and not v.args and not v.keywords and \
            isinstance(v.func, gast.Attribute) and v.func.attr == "view" and \
            isinstance(v.func.value, gast.Name):
        return v.func.value.id, Step("view_method", v)  # x.view(): the same data and shape
    if isinstance(v, gast.Call) and len(v.args) == 1 and not v.keywords and \
            isinstance(v.args[0], gast.Name) and resolver.callable(v.func) is R.as_sequence:
        return v.args[0].id, Step("same_object", v)  # a loop over it: itself, checked
    if isinstance(v, gast.Subscript) and isinstance(v.value, gast.Name):
        return v.value.id, Step("sub", v)
    if isinstance(v, gast.Call) and v.args and isinstance(v.args[0], gast.Name) and \
            not any(k.arg is None for k in v.keywords) and \
            not any(isinstance(a, gast.Starred) for a in v.args):
        try:
            kind = LAYOUT.get(resolver.callable(v.func))
        except TypeError:
            kind = None
        if kind == "transpose" and (len(v.args) > 1 or v.keywords):
            kind = None  # axes: not inverted here
        if kind == "moveaxis" and (len(v.args) != 3 or v.keywords):
            kind = None
        if kind == "same" and (len(v.args) > 1 or any(k.arg != "dtype" for k in v.keywords)):
            kind = None  # a dtype/order may copy; keep it simple
        if kind is not None:
            return v.args[0].id, Step(kind, v)
    return None


def binding(s, resolver):
    if isinstance(s, gast.Assign) and len(s.targets) == 1 and \
            isinstance(s.targets[0], gast.Name) and not anno.has(s, anno.AugAssign):
        found = step_of(s.value, resolver)
        if found is not None and found[0] != s.targets[0].id:
            return View(s.targets[0].id, s, found[0], found[1])
    return None


def all_blocks(stmts):
    """Every statement list of the function: the body and the blocks inside it."""
    out = [stmts]
    for s in stmts:
        for _, b in blocks_of(s):
            out.extend(all_blocks(b))
    return out


def header(s):
    """The expressions a statement evaluates itself (a compound one: only its header)."""
    if not blocks_of(s):
        return [s]
    return [getattr(s, f) for f in ("test", "iter", "items", "subject")
            if getattr(s, f, None) is not None]


def names(roots, ctx):
    return [n for n in name_nodes(roots) if isinstance(n.ctx, ctx)]


def count_stores(body):
    """Bindings (not counting ``v op= e``) and loads of each name."""
    plain, loads = {}, {}
    for s in flatten(body):
        aug = aug_target(s)
        for n in nodes(header_and_targets(s)):
            if isinstance(n, gast.Name) and n is not aug:
                d = loads if isinstance(n.ctx, gast.Load) else plain
                d[n.id] = d.get(n.id, 0) + 1
    return plain, loads


def aug_target(s):
    if isinstance(s, gast.Assign) and anno.has(s, anno.AugAssign) and \
            isinstance(s.targets[0], gast.Name):
        return s.targets[0]
    return None


def flatten(stmts):
    """Every statement of ``stmts`` and of the blocks inside them, in program order."""
    return [st for st, _ in statements(stmts)]


def is_aug_of(s, name):
    return isinstance(s, gast.Assign) and anno.has(s, anno.AugAssign) and \
        isinstance(s.targets[0], gast.Name) and s.targets[0].id == name


def subscript_store(s, name):
    return isinstance(s, gast.Assign) and len(s.targets) == 1 and \
        isinstance(s.targets[0], gast.Subscript) and \
        isinstance(s.targets[0].value, gast.Name) and s.targets[0].value.id == name


def slicing(p, names):
    """Does the index part ``p`` surely keep an axis (a slice, ``...``, ``None``)?"""
    if isinstance(p, gast.Name):
        return p.id in names
    return isinstance(p, gast.Slice) or (isinstance(p, gast.Constant) and (
        p.value is Ellipsis or p.value is None)) or (
        isinstance(p, gast.Attribute) and p.attr == "newaxis")


def slicing_names(body, plain):
    """Names bound once to ``np.newaxis``, ``...`` or ``slice(...)`` (ANF's index temps)."""
    out = set()
    for s in flatten(body):
        if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and \
                plain.get(s.targets[0].id) == 1 and (slicing(s.value, ()) or (
                    isinstance(s.value, gast.Call) and isinstance(s.value.func, gast.Name)
                    and s.value.func.id == "slice")):
            out.add(s.targets[0].id)
    return out


def int_parts(step, slicing):
    """The index parts of a subscript step when they are all ints (constants or names,
    names checked at run time), else None."""
    idx = step.node.slice
    parts = idx.elts if isinstance(idx, gast.Tuple) else [idx]
    for p in parts:
        if isinstance(p, gast.Constant) and type(p.value) is int:
            continue
        if isinstance(p, gast.Name) and p.id not in slicing:
            continue
        return None
    return parts

def header_and_targets(s):
    if isinstance(s, gast.For):
        return [s.target, s.iter]
    return header(s)


def locate(stmts, target):
    for block in all_blocks(stmts):
        for k, s in enumerate(block):
            if s is target:
                return block, k
    raise LookupError("statement not found")
