"""Views: writes through a possible view are checked or refused (tree -> tree).

``guard_views`` inserts a run-time check after ``v = y[...]`` (or a reshape/transpose of
``y``) when ``y`` is written in place later and ``v`` is read after that write: ``v``
would see the write.  ``check_views`` refuses a name that may be a view of another array
(or an alias of an argument) and is itself written in place.

Before::

    v = x[0:2]
    x[0] = 0.0
    y = v * 2.0

After::

    v = x[0:2]
    check_no_view(v, x, 'v', 'x', '<file>', 2)
    x[0] = 0.0
    y = v * 2.0
"""

from __future__ import annotations

import gast

from .. import runtime as R
from ..errors import UnsupportedConstructError
from ..ir import nodes as N
from ..ir.walk import blocks_of, statements

_VIEW_MAKERS = ("reshape", "transpose", "ravel", "squeeze", "expand_dims", "swapaxes",
                "method_reshape", "method_transpose", "broadcast_to")


def _loads(u, name):
    """Does statement ``u`` itself (not its nested blocks, only a header's test) read it?"""
    if blocks_of(u):
        nodes = gast.walk(u.test) if hasattr(u, "test") else ()
    else:
        nodes = gast.walk(u)
    return any(isinstance(n, gast.Name) and n.id == name and isinstance(n.ctx, gast.Load)
               for n in nodes)


def guard_views(tree, unit, resolver):
    order = []

    def walk(stmts):
        for k, st in enumerate(stmts):
            order.append((st, stmts))
            for _, block in blocks_of(st):
                walk(block)

    walk(tree.body)
    pos = {st: i for i, (st, _) in enumerate(order)}
    writes = {}
    for st, _ in order:
        if isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Subscript):
            writes.setdefault(st.targets[0].value.id, []).append(pos[st])
    inserts = []
    for st, parent in order:
        if not (isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Name)):
            continue
        v = st.value
        base = None
        if isinstance(v, gast.Subscript) and isinstance(v.value, gast.Name):
            base = v.value.id
        elif isinstance(v, gast.Call) and v.args and isinstance(v.args[0], gast.Name) and \
                getattr(resolver.callable(v.func), "__name__", "") in _VIEW_MAKERS:
            base = v.args[0].id
        if base is None or base not in writes:
            continue
        name = st.targets[0].id
        d = pos[st]
        uses = [i for i, (u, _) in enumerate(order) if i > d and _loads(u, name)]
        if any(d < w < u for w in writes[base] for u in uses):
            filename, line = unit.where(st)
            call = N.call(unit.ref(R.check_no_view), [
                N.name(name), N.name(base), N.const(name), N.const(base), N.const(filename),
                N.const(line)])
            inserts.append((parent, st, N.expr_stmt(call)))
    for parent, st, guard in inserts:
        parent.insert(parent.index(st) + 1, guard)
    return tree


def check_views(body, written, unit, facts):
    """Writing into a view of another array would change that array behind our back."""
    for s, _ in statements(body):
        if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)):
            continue
        name = s.targets[0].id
        if name not in written:
            continue
        v = s.value
        view = isinstance(v, gast.Subscript) or (
            isinstance(v, gast.Attribute) and v.attr == "T")
        if isinstance(v, gast.Call):
            view = getattr(facts.callable(v.func), "__name__", "") in _VIEW_MAKERS
        if isinstance(v, gast.Name) and v.id in facts.params:
            view = True
        if view and name in facts.varied | set(facts.params):
            filename, line = unit.where(s)
            raise UnsupportedConstructError(
                f"`{name}` may be a view of another array (or an alias of an argument) and "
                "is written in place later; writing through a view is not supported: "
                f"make a copy first ({name} = ....copy())", filename=filename, lineno=line)
