"""Single-use temporaries substituted back into the expression that reads them, and the
gradients put in the order of the returned tuple, so that a gradient reads like the
hand derivation.

Before::

    by = 1.0
    b_t1 = y
    by = by + _t1
    bx = b_t1 * 2 * x
    return (bx, by)

After::

    bx = y * 2 * x
    by = 1.0 + _t1
    return (bx, by)

A substitution stays within one block of one user line (both statements carry the same
``lineno``), moves a side-effect-free expression past simple statements that write none of
the names it reads (no calls with effects, no subscript writes, no in-place ``+=`` unless
every value is a Python float), and never makes a new alias (a bare name is substituted
only inside a larger expression).  ``inline_forward`` moves a forward temporary of the
joint code (``_t1 = x ** 2``) into its one use in the adjoint of the same line.
"""

from __future__ import annotations

import re

import gast

from ...ir import anno
from ...ir import nodes as N
from ...ir.walk import blocks_of, name_nodes, nodes, nodes_of
from . import common
from .algebra import _num, fold_constants
from .common import counts
from .dead import _pure

_TEMP = re.compile(r"_t\d+$")
_MAX = 12  # the most operations a substituted expression may have (readability)


def _size(e):
    return sum(1 for n in nodes(e) if isinstance(n, (gast.BinOp, gast.UnaryOp,
                                                         gast.Call, gast.Subscript)))


def _reads(e):
    return {n.id for n in name_nodes(e)}


def _loads(e, name):
    return sum(1 for n in name_nodes(e) if n.id == name
               and isinstance(n.ctx, gast.Load))


def _uses(s, t):
    """How often statement ``s`` reads ``t`` (``t += v`` reads it: the kill of ``t``)."""
    n = _loads(s, t)
    if isinstance(s, gast.AugAssign) and isinstance(s.target, gast.Name) and s.target.id == t:
        n = n or 1
    return n


def _stores_into(s, t):
    """``t[i] = v`` or ``t[i] += v``: ``t`` is written in place, not read as a value."""
    targets = s.targets if isinstance(s, gast.Assign) else [s.target]
    return any(isinstance(n, gast.Name) and n.id == t for x in targets
               if not isinstance(x, gast.Name) for n in nodes(x))


def _target(s):
    if isinstance(s, gast.Assign) and len(s.targets) == 1 and \
            isinstance(s.targets[0], gast.Name):
        return s.targets[0].id
    return None


def _stored(s):
    """Names a simple statement writes, or None where it is not simple."""
    if isinstance(s, gast.Assign) and len(s.targets) == 1:
        t = s.targets[0]
        elts = t.elts if isinstance(t, gast.Tuple) else [t]
        if all(isinstance(x, gast.Name) for x in elts):
            return {x.id for x in elts}
    return None


class _Ctx:
    def __init__(self, opts, pure):
        self.opts, self.pure = opts, pure
        self.done = None  # the temporary the last substitution removed
        self.start = 0  # where the next walk of the top-level block begins

    def effect_free(self, e):
        if not _pure(e):
            return False
        for n in nodes_of(e, gast.Call):
            if not (self.pure and self.pure(n)):
                return False
        return True

    def movable(self, e):
        return self.effect_free(e) and not (_reads(e) & set(self.opts.in_place))

    def passes(self, s, reads):
        """Whether an expression reading ``reads`` may move past statement ``s``."""
        st = _stored(s)
        if st is not None and _is_pop(s.value):  # `x = _pop()` touches only the stack
            return not (st & reads)
        if st is None:
            if isinstance(s, gast.AugAssign) and self.opts.immutable and \
                    isinstance(s.target, gast.Name):
                st = {s.target.id}
                return not (st & reads) and self.effect_free(s.value)
            return False
        return not (st & reads) and self.effect_free(s.value)


def _is_pop(v):
    return isinstance(v, gast.Call) and isinstance(v.func, gast.Name) and \
        v.func.id.startswith("_pop") and not v.args and not v.keywords


def _candidate(name, opts):
    return (name in opts.names or _TEMP.match(name)) and name not in opts.keep


def inline_temporaries(stmts, opts):
    """Substitute single-use temporaries into their uses (see the module docstring), as
    many as one walk of the counts allows: a substitution of ``t`` removes one write and
    one read of ``t`` and moves (never copies) what its expression reads."""
    loads, stores = counts(stmts)
    ctx = _Ctx(opts, opts.extra.get("pure") if opts.extra else None)
    out, ctx.start = None, 0
    for _ in range(4 * len(stmts) + 8):
        # (each walk resumes where the last substitution was made; the driver's next
        # call starts from the top again, for what a later substitution enabled earlier)
        new = _inline_block(stmts if out is None else out, opts, loads, stores, ctx)
        if new is None:
            break
        out, t = new, ctx.done
        loads[t], stores[t] = loads.get(t, 0) - 1, stores.get(t, 0) - 1
        common.check_counts(out, loads, stores)
    return common.remember(out, loads, stores)


def _inline_block(block, opts, loads, stores, ctx, top=True):
    first = ctx.start if top else 0
    for i in range(first, len(block)):
        s = block[i]
        t = _target(s)
        if t is not None and _candidate(t, opts) and ctx.movable(s.value):
            out = _try(block, i, t, opts, loads, stores, ctx)
            if out is not None:
                ctx.done = t
                if top:
                    ctx.start = i
                return out
        for field, sub in blocks_of(s):
            new = _inline_block(sub, opts, loads, stores, ctx, top=False)
            if new is not None:
                setattr(s, field, new)
                if top:
                    ctx.start = i
                return block
    return None


def _try(block, i, t, opts, loads, stores, ctx):
    d = block[i]
    e = d.value
    reads = _reads(e) | {t}
    line = getattr(d, "lineno", None)
    for j in range(i + 1, len(block)):
        s = block[j]
        if blocks_of(s) or anno.has(s, anno.TryProgress):
            return None  # (neither moved past nor substituted into a compound statement,
            # nor moved past a try block's progress record)
        n = _uses(s, t)
        if n:
            if n != 1 or getattr(s, "lineno", None) != line or \
                    not isinstance(s, (gast.Assign, gast.AugAssign)) or _stores_into(s, t):
                return None
            kill = _target(s) == t
            onto = isinstance(s, gast.AugAssign) and isinstance(s.target, gast.Name) and \
                s.target.id == t  # (`X += t` with another target: t's value goes in)
            if onto and not opts.immutable:
                return None  # (an array's `+=` keeps its dtype, `e + v` may not)
            if onto:
                # `t = e; t += v` -> `t = e + v` (Python floats)
                if _loads(s.value, t):
                    return None
                if _size(s.value) + _size(e) > _MAX:
                    return None
                new = gast.Assign(targets=[s.target], value=gast.BinOp(
                    left=e, op=s.op, right=s.value), type_comment=None)
                gast.copy_location(new, s)
                return block[:i] + [new] + block[j + 1:] if i + 1 == j else \
                    block[:i] + block[i + 1:j] + [new] + block[j + 1:]
            if not kill and (stores.get(t, 0) != 1 or loads.get(t, 0) != 1):
                return None
            if isinstance(s.value, gast.Name) and s.value.id == t and \
                    not isinstance(e, (gast.Constant, gast.BinOp, gast.UnaryOp, gast.Call)):
                return None  # `a = t` with t = a name: a new alias (copy propagation's job)
            if _size(s.value) + _size(e) > _MAX:
                return None
            s.value = N.replace_loads(s.value, t, e)
            nxt = block[i + 1]
            if getattr(nxt, "lineno", None) is None and line is not None:
                nxt.lineno = line  # (the comment naming the line stays in place)
            return block[:i] + block[i + 1:]
        if any(True for _ in blocks_of(s)) or _stores_name(s, t) or not ctx.passes(s, reads):
            return None
    return None


def self_copies(stmts, opts):
    """``a = b ... b = a`` with neither written in between: the second is dropped."""
    return _self_copies(stmts)


def _self_copies(block):
    for i, s in enumerate(block):
        a = _target(s)
        if a is not None and isinstance(s.value, gast.Name) and s.value.id != a:
            b = s.value.id
            for j in range(i + 1, len(block)):
                x = block[j]
                if _target(x) == b and isinstance(x.value, gast.Name) and x.value.id == a:
                    return block[:j] + block[j + 1:]
                if any(True for _ in blocks_of(x)) or _stored(x) is None or \
                        _stored(x) & {a, b} or not (_pure(x.value) or _is_pop(x.value)):
                    break
        for field, sub in blocks_of(s):
            new = _self_copies(sub)
            if new is not None:
                setattr(s, field, new)
                return block
    return None


def _stores_name(s, t):
    return any(isinstance(n, gast.Name) and n.id == t and not isinstance(n.ctx, gast.Load)
               for n in nodes(s))


def order_gradients(stmts, opts):
    """Adjacent independent gradient assignments put in the order of the returned tuple
    (``by = ...; bx = ...; return (bx, by)`` -> ``bx = ...`` first)."""
    ret = stmts[-1] if stmts and isinstance(stmts[-1], gast.Return) else None
    if ret is None or not isinstance(ret.value, gast.Tuple):
        return None
    rank = {}
    for k, x in enumerate(ret.value.elts):
        for n in nodes(x):
            if isinstance(n, gast.Name):
                rank.setdefault(n.id, k)
    for i in range(len(stmts) - 2):
        a, b = stmts[i], stmts[i + 1]
        ta, tb = _target(a), _target(b)
        if ta is None or tb is None or ta not in rank or tb not in rank or \
                rank[tb] >= rank[ta]:
            continue
        if getattr(a, "lineno", None) != getattr(b, "lineno", None):
            continue
        if not (_pure(a.value) and _pure(b.value)) or ta in _reads(b.value) or \
                tb in _reads(a.value) or ta == tb:
            continue
        return stmts[:i] + [b, a] + stmts[i + 2:]
    return None


def inline_forward(fwd, tail, opts):
    """Joint code: a forward temporary ``_tK = e`` read once, by the adjoint of the same
    user line, moves into that use when nothing in between writes what ``e`` reads."""
    pure = opts.extra.get("pure") if opts.extra else None
    if pure is None:
        return fwd, tail
    fwd = fold_constants(fwd) or fwd
    changed = True
    while changed:
        changed = False
        loads, stores = counts(list(fwd) + list(tail))
        writes = None  # (per forward statement, computed when first needed)
        for i, d in enumerate(fwd):
            t = _target(d)
            if t is not None and _TEMP.match(t) and stores.get(t) == 1 and \
                    t not in opts.keep and _num(d.value) is not None and \
                    not _loads(gast.Module(body=fwd[:i], type_ignores=[]), t):
                # a constant temporary (`_t3 = 2`): its value wherever it is read
                rest = [N.replace_loads(x, t, d.value) for x in fwd[i + 1:]]
                fwd, tail = fwd[:i] + rest, [N.replace_loads(x, t, d.value) for x in tail]
                changed = True
                break
            t = _target(d)
            if t is None or not _TEMP.match(t) or stores.get(t) != 1 or \
                    loads.get(t) != 1 or t in opts.keep:
                continue
            e = d.value
            if not _pure(e) or not pure(e) or any(
                    isinstance(n, gast.Call) and not pure(n) for n in nodes(e)):
                continue
            reads = _reads(e)
            if reads & set(opts.in_place):
                continue
            if writes is None:
                writes = [_writes_of(s) for s in fwd]
            if any(anything or (names & reads) for anything, names in writes[i + 1:]):
                continue
            new = _into_tail(tail, t, e, reads, getattr(d, "lineno", None), opts)
            if new is None:
                continue
            fwd, tail, changed = fwd[:i] + fwd[i + 1:], new, True
            break
    return fwd, tail


def _writes(s, names):
    anything, stored = _writes_of(s)
    return anything or bool(stored & set(names))


def _writes_of(s):
    """``(True, ...)`` when ``s`` may write anything (a subscript or attribute store,
    ``+=``, a mutating method call), else ``(False, the names it stores)``."""
    stored = set()
    for n in nodes(s):
        if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load):
            stored.add(n.id)
        elif isinstance(n, (gast.Subscript, gast.Attribute)) and \
                not isinstance(n.ctx, gast.Load):
            return True, stored
        elif isinstance(n, gast.AugAssign):
            return True, stored
        elif isinstance(n, gast.Call) and not isinstance(n.func, gast.Name):
            f = n.func
            if isinstance(f, gast.Attribute) and f.attr in ("append", "pop", "extend",
                                                            "insert", "fill", "sort"):
                return True, stored
    return False, stored


def _into_tail(tail, t, e, reads, line, opts):
    for j, s in enumerate(tail):
        n = _uses(s, t)
        if n:
            if n != 1 or getattr(s, "lineno", None) != line or \
                    not isinstance(s, gast.Assign) or \
                    (isinstance(s.value, gast.Name) and s.value.id == t) or \
                    _size(s.value) + _size(e) > _MAX:
                return None
            s.value = N.replace_loads(s.value, t, e)
            return tail
        if _writes(s, reads) or any(True for _ in blocks_of(s)):
            return None
        if isinstance(s, gast.Assign) and not _pure(s.value):
            return None
    return None
