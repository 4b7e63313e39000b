"""Lists whose entries have a known ndim and dtype, and the spec of ``a @ b`` (issue 13).

A ``plain_lists`` list ``Ls`` is bound once, to a list display, and used only as
``Ls[k]``, ``len(Ls)`` and ``Ls.append(v)``: nothing else can see it, resize it or
write an entry.  Its entries are then the display's items and the appended values, so
``t = Ls[k]`` (``k`` surely an int) holds one of them: when every one has the same
spec (``analysis.elements``), so has ``t``.  A list that escapes (handed to a call,
aliased, iterated), is written into (``Ls[k] = v``), or mixes specs gets nothing.

``a @ b`` of two float64 arrays of known ndims (both >= 1) has numpy's matmul ndim:
1-d @ 1-d a number (0), a 1-d operand drops one dimension of the other, otherwise the
larger ndim (the batch dimensions broadcast).

>>> import gast
>>> from types import SimpleNamespace
>>> from ast_ad.passes.analysis.elements import Elements
>>> t = gast.parse("def f(x, v):\\n    Ls = []\\n    for i in range(3):\\n"
...                "        a = x * 2.0\\n        Ls.append(a)\\n    m = Ls[1]\\n"
...                "    y = m @ v\\n    return y").body[0]
>>> res = SimpleNamespace(callable=lambda f: {"range": range, "len": len}.get(
...     getattr(f, "id", "")))
>>> sorted(plain_lists(t.body, res))
['Ls']
>>> e = Elements.of(t.body, ["x", "v"], {"x": (2, "<f8"), "v": (1, "<f8")}, {}, res)
>>> e.arrays["m"], e.arrays["y"]
((2, dtype('float64')), (1, dtype('float64')))
"""

from __future__ import annotations

import gast
import numpy as np

from ...ir.walk import nodes, statements

_F8 = np.dtype(np.float64)
_I8 = (0, np.dtype(np.int64))  # a Python int handed to a callee (pipeline.return_spec)


def plain_lists(body, resolver=None, array_reads=False):
    """Names bound once, to a list display (``Ls = []``), and used only as ``Ls[k]``,
    ``len(Ls)`` and ``Ls.append(v)``: lists nothing else can see or resize.  The adjoint
    of such a list can be one list of entry adjoints updated in place.  With a
    ``resolver``, ``len`` must be the builtin (a local ``len`` could do anything);
    ``array_reads``: ``np.array(Ls)``/``np.asarray(Ls)`` (a copy) is a fourth use."""
    displays = [st for st, _ in statements(body) if isinstance(st, gast.Assign)
                and isinstance(st.value, gast.List)]
    if not displays:
        return frozenset()  # (most functions: no walk of every node)
    bound, seen = {}, set()  # (with array_reads, a binding in a loop is counted once)
    for st, _ in statements(body):
        for n in nodes(st):
            if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load) and not (
                    array_reads and id(n) in seen):
                seen.add(id(n))
                bound[n.id] = bound.get(n.id, 0) + 1
    cands = {st.targets[0].id for st, _ in statements(body) if isinstance(st, gast.Assign)
             and isinstance(st.targets[0], gast.Name) and isinstance(st.value, gast.List)
             and bound.get(st.targets[0].id) == 1}
    ok = set()  # the loads of each candidate that are one of the three uses
    for st, _ in statements(body):
        for n in nodes(st):
            if isinstance(n, gast.Subscript) and isinstance(n.value, gast.Name) and \
                    isinstance(n.ctx, gast.Load) and not isinstance(n.slice, gast.Slice):
                ok.add(id(n.value))
            elif isinstance(n, gast.Call) and len(n.args) == 1 and not n.keywords:
                f = n.func
                if isinstance(f, gast.Attribute) and f.attr == "append" and \
                        isinstance(f.value, gast.Name):
                    ok.add(id(f.value))
                elif isinstance(f, gast.Name) and f.id == "len" and \
                        isinstance(n.args[0], gast.Name) and (
                            resolver is None or resolver.callable(f) is len):
                    ok.add(id(n.args[0]))
                elif array_reads and isinstance(n.args[0], gast.Name) and \
                        resolver.callable(f) in (np.array, np.asarray):
                    ok.add(id(n.args[0]))
    for st, _ in statements(body):
        for n in nodes(st):
            if isinstance(n, gast.Name) and n.id in cands and \
                    isinstance(n.ctx, gast.Load) and id(n) not in ok:
                cands.discard(n.id)
    return frozenset(cands)


def list_entries(body, resolver):
    """name -> the entries (display items and appended values, as nodes) of every
    ``plain_lists`` list."""
    lists = plain_lists(body, resolver, array_reads=True)
    if not lists:
        return {}
    out = {}
    for st, _ in statements(body):
        if isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Name) and \
                st.targets[0].id in lists and isinstance(st.value, gast.List):
            out.setdefault(st.targets[0].id, {}).update({id(e): e for e in st.value.elts})
    for st, _ in statements(body):
        for n in nodes(st):
            if isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and \
                    n.func.attr == "append" and isinstance(n.func.value, gast.Name) and \
                    n.func.value.id in lists:
                out.setdefault(n.func.value.id, {})[id(n.args[0])] = n.args[0]
    return {k: list(v.values()) for k, v in out.items()}


def entry_rule(v, entries, int_atom):
    """The spec rule of ``Ls[k]`` (``k`` an int, ``Ls`` in ``entries``): the one spec of
    all its entries (float constants are float64 numbers), else None."""
    if not (isinstance(v, gast.Subscript) and isinstance(v.value, gast.Name) and
            v.value.id in entries and int_atom(v.slice)):
        return None
    elts = entries[v.value.id]
    names = []
    for e in elts:
        if isinstance(e, gast.Name):
            names.append(e.id)
        elif not (isinstance(e, gast.Constant) and type(e.value) is float):
            return None  # an int, a string, a nested display...: no one spec
    if not elts:
        return None
    floats = len(names) < len(elts)

    def combine(a):
        specs = set(a) | ({(0, _F8)} if floats else set())
        return specs.pop() if len(specs) == 1 else None
    return names, combine


_MAKERS = ("zeros", "ones", "empty")


def maker_rule(v, resolver, ints, tuples):
    """``np.zeros(n)`` (``n`` surely an int) or ``np.zeros(t)`` (``t`` bound once to a
    tuple display of k items), likewise ``np.ones``/``np.empty``, without keywords: a
    float64 array of 1 (k) dimensions."""
    if not (isinstance(v, gast.Call) and not v.keywords and len(v.args) == 1 and
            isinstance(v.args[0], gast.Name) and
            getattr(v.func, "attr", getattr(v.func, "id", None)) in _MAKERS and
            resolver.callable(v.func) in (np.zeros, np.ones, np.empty)):
        return None
    a = v.args[0].id
    nd = 1 if a in ints else tuples.get(a)  # (np.zeros(()) is a 0-d array, no number)
    return None if not nd else ([], lambda _: (nd, _F8))


def with_int_args(rule, ints):
    """A user call's spec rule (``(names, combine, "partial")``) that hands its surely-int
    arguments to the callee as ints (``(0, int64)``: ``m * v`` there keeps v's spec)."""
    if rule is None or len(rule) < 3:
        return rule
    names, combine = rule[0], rule[1]

    def with_ints(a):
        return combine([_I8 if x is None and n in ints else x for n, x in zip(names, a)])
    return (names, with_ints, *rule[2:])


def array_rule(v, entries, resolver):
    """The spec rule of ``np.array(Ls)``/``np.asarray(Ls)`` (``Ls`` in ``entries``) of
    float64 numbers (and float constants): a 1-d float64 array."""
    if not (isinstance(v, gast.Call) and len(v.args) == 1 and not v.keywords and
            isinstance(v.args[0], gast.Name) and v.args[0].id in entries and
            resolver.callable(v.func) in (np.array, np.asarray)):
        return None
    elts = entries[v.args[0].id]
    if not all(isinstance(e, gast.Name) or (isinstance(e, gast.Constant) and
                                            type(e.value) is float) for e in elts):
        return None
    names = [e.id for e in elts if isinstance(e, gast.Name)]
    return names, lambda a: (1, _F8) if all(x == (0, _F8) for x in a) else None


def matmul_ndim(na, nb):
    """The ndim of ``a @ b`` for operands of ndims ``na``, ``nb`` (None: matmul raises)."""
    if na < 1 or nb < 1:
        return None
    if na == 1 and nb == 1:
        return 0
    if na == 1:
        return nb - 1
    if nb == 1:
        return na - 1
    return max(na, nb)


def matmul_rule(v):
    """The spec rule of ``a @ b`` (two names): float64 operands of known ndims."""
    if not (isinstance(v, gast.BinOp) and isinstance(v.op, gast.MatMult) and
            isinstance(v.left, gast.Name) and isinstance(v.right, gast.Name)):
        return None

    def combine(a):
        (na, da), (nb, db) = a
        nd = matmul_ndim(na, nb)
        return (nd, _F8) if nd is not None and da == _F8 and db == _F8 else None
    return [v.left.id, v.right.id], combine


def _read_only_lists(body, by_name, resolver):
    """name -> elements of the names bound once to a list display whose every read is
    the one argument of ``np.array``/``np.asarray`` (nothing can change them)."""
    lists = {n: vs[0].elts for n, vs in by_name.items()
             if len(vs) == 1 and isinstance(vs[0], gast.List)}
    if not lists:
        return {}
    ok_reads = {}
    for st, _ in statements(body):
        for n in nodes(st):
            if isinstance(n, gast.Call) and len(n.args) == 1 and not n.keywords and \
                    isinstance(n.args[0], gast.Name) and n.args[0].id in lists and getattr(
                        n.func, "attr", getattr(n.func, "id", None)) in ("array", "asarray") \
                    and resolver.callable(n.func) in (np.array, np.asarray):
                ok_reads[n.args[0].id] = ok_reads.get(n.args[0].id, 0) + 1
    reads = {}
    for st, _ in statements(body):
        for n in nodes(st):
            if isinstance(n, gast.Name) and n.id in lists and not isinstance(n.ctx, gast.Store):
                reads[n.id] = reads.get(n.id, 0) + 1
    return {n: e for n, e in lists.items() if reads.get(n, 0) == ok_reads.get(n, 0)}


def _strong_names(operands, ints):
    """The names among ``operands`` that decide a result's spec (int and float constants
    and ints are weak operands); None when an operand is anything else."""
    names = []
    for o in operands:
        if isinstance(o, gast.Constant) and type(o.value) in (int, float):
            continue
        if isinstance(o, gast.Name) and o.id in ints:
            continue
        if not isinstance(o, gast.Name):
            return None
        names.append(o.id)
    return names


def _from_list(elts, ints):
    """``np.array([a, b, 1.0])`` of float64 numbers (ints and constants among them): a
    1-d float64 array."""
    names = _strong_names(elts, ints)
    if not names:
        return None
    return names, lambda a: (1, _F8) if all(x == (0, _F8) for x in a) else None
