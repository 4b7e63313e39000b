"""Containers: joins and repeats of lists and tuples get their own rules (tree -> tree).

``+`` and ``*`` on lists and tuples concatenate and repeat; their elementwise rules
(``operator.add``...) do not describe that, so where the analysis knows both operands of
``+`` are sequences (literals, ``list(...)``/``tuple(...)``, list parameters, joins of
those) the operation becomes ``seq_concat``, and a sequence times an int (a constant, or
a name checked at run time) becomes ``seq_repeat`` (``runtime.sequences``).  A ``+=`` on a
list keeps its in-place mark, so an alias of the old list is checked by the views pass.
Only operations a differentiated value reaches are rewritten; the others run as written.
A join with an operand of unknown kind stays refused (``reverse.calls``).

The list methods that reorder or drop entries in place and ``d.update(...)``, on a
differentiated value (arrays were modelled by the mutation pass before), become rebindings
to a new container with rules of their own, marked as updates in place like
``lst.pop(i)`` (an alias of the old one was checked by the views pass):
``lst.sort(key=k, reverse=r)`` -> ``lst = seq_sorted(lst, k, r)`` (a permutation: the
adjoint permutes back), ``lst.reverse()`` -> ``lst = seq_reversed(lst)``,
``lst.remove(v)`` -> ``lst = seq_removed(lst, v)``, ``d.update(o)`` -> ``d =
dict_updated(d, o)`` and ``d.update(k=v)`` -> the same from ``{"k": v}``.  The helpers
refuse any other receiver at run time (a user object's own ``sort``: its derivative is
unknown), and ``d.update`` from pairs.

Before::

    t = _t1 + _t2          # _t1 = [s], _t2 = list(x): both lists
    u = t * 2
    t.sort(reverse=True)

After::

    t = seq_concat(_t1, _t2)
    u = seq_repeat(t, 2)
    t = seq_sorted(t, None, True)
"""

from __future__ import annotations

import gast

from ..ir import anno
from ..ir import nodes as N
from ..ir.walk import rebuild, statements
from ..runtime import sequences as S

#: in-place list methods -> (helper, positional arguments, keywords in order with defaults)
_LIST_EDITS = {"sort": (S.seq_sorted, 0, {"key": None, "reverse": False}),
               "reverse": (S.seq_reversed, 0, {}), "remove": (S.seq_removed, 1, {})}


def model_sequences(tree, unit, facts) -> bool:
    """Rewrite joins and repeats of differentiated sequences, and the in-place list and
    dict edits above; True if anything changed."""
    changed = _model_edits(tree, unit, facts)
    seqs, active = facts.sequences, facts.active
    for s, _ in statements(tree.body):
        if not (isinstance(s, gast.Assign) and isinstance(s.value, gast.BinOp)):
            continue
        v = s.value
        names = [getattr(e, "id", None) for e in (v.left, v.right)]
        if not any(n in active for n in names):
            continue
        if isinstance(v.op, gast.Add) and all(n in seqs for n in names):
            s.value = N.copy_loc(N.call(unit.ref(S.seq_concat), [v.left, v.right]), v)
            changed = True
        elif isinstance(v.op, gast.Mult) and sum(n in seqs for n in names) == 1:
            seq, n = (v.left, v.right) if names[0] in seqs else (v.right, v.left)
            if seq.id not in active or not _may_be_count(n, facts):
                continue
            s.value = N.copy_loc(N.call(unit.ref(S.seq_repeat), [seq, n]), v)
            changed = True
    return changed


def _may_be_count(n, facts):
    """An int constant, or a name that is no differentiated value (``seq_repeat`` checks
    at run time that it is an int)."""
    if isinstance(n, gast.Constant):
        return isinstance(n.value, int) and not isinstance(n.value, bool)
    return isinstance(n, gast.Name) and n.id not in facts.active


def _model_edits(tree, unit, facts):
    changed = False

    def edit(s):
        nonlocal changed
        new = _edit(s, unit, facts)
        if new is None:
            return s
        changed = True
        return new

    tree.body = rebuild(tree.body, edit)
    return changed


def _edit(s, unit, facts):
    """``lst = seq_sorted(lst, ...)`` (and the others) for the statement ``s``, or None."""
    if not (isinstance(s, gast.Expr) and isinstance(s.value, gast.Call)):
        return None
    call, f = s.value, s.value.func
    if not (isinstance(f, gast.Attribute) and isinstance(f.value, gast.Name)) or \
            f.value.id not in facts.varied:
        return None
    name = f.value.id
    if f.attr in _LIST_EDITS:  # (an object that is no list is refused at run time)
        helper, nargs, kws = _LIST_EDITS[f.attr]
        given = {k.arg: k.value for k in call.keywords}
        if len(call.args) != nargs or not set(given) <= set(kws):
            return None  # a form Python itself rejects: it runs (and fails) as written
        args = list(call.args) + [given.get(k, N.const(d)) for k, d in kws.items()]
    elif f.attr == "update" and len(call.args) + bool(call.keywords) == 1 and \
            all(k.arg is not None for k in call.keywords):
        helper, args = S.dict_updated, list(call.args)
    else:
        return None
    pre = []
    if helper is S.dict_updated and call.keywords:  # d.update(b=v): from the dict {"b": v}
        tmp = unit.namer.fresh("_t")
        pre.append(N.assign(tmp, gast.Dict(keys=[N.const(k.arg) for k in call.keywords],
                                           values=[k.value for k in call.keywords]), loc=s))
        args = [N.name(tmp)]
    st = N.assign(name, N.call(unit.ref(helper), [N.name(name)] + args), loc=s)
    anno.set_(st, anno.AUG_ASSIGN)
    return pre + [st]
