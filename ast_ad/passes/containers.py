"""Containers: joins and repeats of lists and tuples get their own rules (tree -> tree).

``+`` and ``*`` on lists and tuples concatenate and repeat; their elementwise rules
(``operator.add``...) do not describe that, so where the analysis knows both operands of
``+`` are sequences (literals, ``list(...)``/``tuple(...)``, list parameters, joins of
those) the operation becomes ``seq_concat``, and a sequence times an int (a constant, or
a name checked at run time) becomes ``seq_repeat`` (``runtime.sequences``).  A ``+=`` on a
list keeps its in-place mark, so an alias of the old list is checked by the views pass.
Only operations a differentiated value reaches are rewritten; the others run as written.
A join with an operand of unknown kind stays refused (``reverse.calls``).

Before::

    t = _t1 + _t2          # _t1 = [s], _t2 = list(x): both lists
    u = t * 2

After::

    t = seq_concat(_t1, _t2)
    u = seq_repeat(t, 2)
"""

from __future__ import annotations

import gast

from ..ir import nodes as N
from ..ir.walk import statements
from ..runtime import sequences as S


def model_sequences(tree, unit, facts) -> bool:
    """Rewrite joins and repeats of differentiated sequences; True if anything changed."""
    changed = False
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
