"""Checkpointed loops in the generated code (see ``passes/checkpoint.py`` for the scheme).

Runs on the optimized sweeps, just before their functions are built: the forward sweep's
checkpointed loop becomes a loop over segments that saves each segment's starting state
and drops the segment's pushes; the matching reversed loop of the adjoint sweep becomes
a loop over the segments, last first, that restores the state, runs the segment's
forward sweep again and then its reversed loop.  In split form (callees) the segments
and the saved states travel in the record.
"""

from __future__ import annotations

from dataclasses import replace

import gast

from ...errors import UnsupportedConstructError
from ...ir import anno
from ...ir import nodes as N
from ...ir.walk import nodes
from ..checkpoint import Checkpoint, checkpoint_segments, loops, nested, restored, snapshot


def rewrite(sw, unit):
    """``sw`` (optimized ``Sweeps``) with its checkpointed loops rewritten."""
    if sw.kind not in ("joint", "split"):
        return sw
    if not any(isinstance(n, gast.For) and anno.has(n, Checkpoint) for n in nodes(sw.fwd)):
        return sw  # no checkpointed loop
    deep = nested(sw.fwd)
    if deep is not None:
        filename, line = deep.where
        raise UnsupportedConstructError(
            "a checkpointed loop must be a statement of the function's body itself (not "
            "inside an if/with/try); move it out, or drop ast_ad.checkpointed",
            filename=filename, lineno=line)
    found = loops(sw.fwd)
    if not found:
        return sw
    stacks = [(st.targets[0].id, st.value.value.id) for st in sw.head + (sw.bwd_head or [])
              if isinstance(st, gast.Assign) and isinstance(st.targets[0], gast.Name)
              and isinstance(st.value, gast.Attribute) and st.value.attr == "append"
              and isinstance(st.value.value, gast.Name)]
    params = {a.id for a in sw.tree.args.args + sw.tree.args.kwonlyargs +
              sw.tree.args.posonlyargs} | {a.id for a in (sw.tree.args.vararg,
                                                          sw.tree.args.kwarg) if a}
    local = params | N.stored_names(sw.head + sw.fwd)
    skip = {n for pair in stacks for n in pair}
    fwd, tail, head = list(sw.fwd), list(sw.tail), list(sw.head)
    extra = []  # (segments, states) names for the record
    for k, loop, ck in reversed(found):
        names = sorted(({n.id for n in gast.walk(gast.Module(body=loop.body, type_ignores=[]))
                         if isinstance(n, gast.Name) and n.id in local} | {loop.target.id})
                       - skip)
        pushes = {push for push, _ in stacks}
        written = {v for v in written_in_place(loop.body)
                   if v in names and not bound_first(loop.body, v, pushes)}
        segs, states = unit.namer.fresh("_cks"), unit.namer.fresh("_ckv")
        adj = _adjoint_loop(tail, loop, ck)
        fwd[k:k + 1] = _forward(unit, loop, ck, names, segs, states, stacks, written)
        head = [N.assign(v, N.const(None)) for v in names if v not in params] + head
        if adj is not None:
            j, a = adj
            tail[j:j + 1] = _adjoint(unit, loop, a, names, segs, states, stacks,
                                     sw.kind == "split", written)
            extra += [segs, states]
    if sw.kind == "joint" or not extra:
        return replace(sw, fwd=fwd, tail=tail, head=head)
    ret = fwd[-1]
    ret.value.elts[1].elts += [N.name(v) for v in extra]
    unpack = sw.bwd_head[0]
    unpack.targets[0].elts += [N.store(v) for v in extra]
    return replace(sw, fwd=fwd, tail=tail, head=head)


def _adjoint_loop(tail, loop, ck):
    """(index, reversed loop) in ``tail`` made for ``loop`` (None: no gradient flows)."""
    for j, s in enumerate(tail):
        site = anno.get(s, anno.Site) if isinstance(s, gast.For) else None
        if site is not None and anno.get(site.stmt, Checkpoint) is ck:
            it = s.iter
            if not (isinstance(it, gast.Subscript) and isinstance(it.slice, gast.Slice)
                    and N.key(it.value) == N.key(loop.iter)):
                filename, line = ck.where
                raise UnsupportedConstructError(
                    "this loop cannot be checkpointed (its reversed loop is not a plain "
                    "reversed range); drop ast_ad.checkpointed", filename=filename, lineno=line)
            return j, s
    for s in tail:
        for n in gast.walk(s):
            site = anno.get(n, anno.Site) if isinstance(n, gast.For) else None
            if site is not None and anno.get(site.stmt, Checkpoint) is ck:
                filename, line = ck.where
                raise UnsupportedConstructError(
                    "this loop cannot be checkpointed (its adjoint is not at the top of "
                    "the gradient); drop ast_ad.checkpointed", filename=filename, lineno=line)
    return None


def written_in_place(body):
    """The names whose entries ``body`` writes (``x[i] = v``: roots of stored subscripts)."""
    out = []
    for n in gast.walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(n, gast.Subscript) and isinstance(n.ctx, gast.Store):
            root = n.value
            while isinstance(root, gast.Subscript):
                root = root.value
            if isinstance(root, gast.Name) and root.id not in out:
                out.append(root.id)
    return out


def bound_first(body, v, pushes):
    """Whether each trip of ``body`` binds ``v`` anew before anything reads it (pushing
    its old value aside is no read of its entries): its entries at a segment's start are
    never read, so its saved state needs no copy of them."""
    for st in body:
        if isinstance(st, gast.Expr) and isinstance(st.value, gast.Call) and \
                isinstance(st.value.func, gast.Name) and st.value.func.id in pushes and \
                _sets_aside(st.value.args, v):
            continue  # _push(v) / _push(shape_token(v)): the reference set aside
        if isinstance(st, gast.Assign) and len(st.targets) == 1 and \
                isinstance(st.targets[0], gast.Name) and st.targets[0].id == v:
            return v not in _names(st.value)
        if v in _names(st):
            return False
    return False


def _sets_aside(args, v):
    """A push of ``v`` itself, of its shape, or of something not involving ``v`` (not
    ``save_item(v, i)``, which reads its entries)."""
    if len(args) != 1:
        return False
    a = args[0]
    if isinstance(a, gast.Call) and isinstance(a.func, gast.Name) and \
            a.func.id.startswith("shape_token") and len(a.args) == 1:
        a = a.args[0]
    return (isinstance(a, gast.Name) and a.id == v) or v not in _names(a)


def _names(node):
    return {n.id for n in gast.walk(node) if isinstance(n, gast.Name)}


def _state(names, ctx, unit=None, written=()):
    """The saved state: the names' values; an array written in place is saved as
    ``(array, copy)`` (``snapshot``) and put back into the same array (``restored``)."""
    def one(v):
        if ctx is gast.Load and v in written:
            return N.call(unit.ref(snapshot), [N.name(v)])
        return N.name(v, ctx())
    return gast.Tuple(elts=[one(v) for v in names], ctx=ctx())


def _forward(unit, loop, ck, names, segs, states, stacks, written):
    seg = unit.namer.fresh("_seg")
    seg_count = ck.segments if ck.segments is not None else N.const(None)
    body = [N.expr_stmt(N.call(gast.Attribute(value=N.name(states), attr="append",
                                              ctx=gast.Load()),
                               [_state(names, gast.Load, unit, written)]))]
    marks = [(unit.namer.fresh("_ckm"), stack) for _, stack in stacks]
    body += [N.assign(m, N.call(unit.ref(len, "len"), [N.name(stack)])) for m, stack in marks]
    inner = gast.For(target=N.store(loop.target.id), iter=N.name(seg), body=loop.body,
                     orelse=[], type_comment=None)
    body.append(N.copy_loc(inner, loop))
    body += [gast.Delete(targets=[gast.Subscript(
        value=N.name(stack), slice=gast.Slice(lower=N.name(m), upper=None, step=None),
        ctx=gast.Del())]) for m, stack in marks]
    out = [N.assign(segs, N.call(unit.ref(checkpoint_segments), [N.clone(loop.iter),
                                                                 seg_count]), loc=loop),
           N.assign(states, gast.List(elts=[], ctx=gast.Load()), loc=loop),
           N.copy_loc(gast.For(target=N.store(seg), iter=N.name(segs), body=body, orelse=[],
                               type_comment=None), loop)]
    return out


def _adjoint(unit, loop, adj, names, segs, states, stacks, split, written):
    k = unit.namer.fresh("_ckk")
    seg = gast.Subscript(value=N.name(segs), slice=N.name(k), ctx=gast.Load())
    body = [N.assign(_state(names, gast.Store), gast.Subscript(
        value=N.name(states), slice=N.name(k), ctx=gast.Load()), loc=loop)]
    body += [N.assign(v, N.call(unit.ref(restored), [N.name(v)]), loc=loop)
             for v in names if v in written]
    if split:  # bwd has the stack (from the record) but not the forward's push alias
        body += [N.assign(push, gast.Attribute(value=N.name(stack), attr="append",
                                               ctx=gast.Load())) for push, stack in stacks]
    body.append(N.copy_loc(gast.For(target=N.store(loop.target.id), iter=N.clone(seg),
                                    body=N.clone(loop.body), orelse=[], type_comment=None),
                           loop))
    rev_it = gast.Subscript(value=N.clone(seg), slice=N.clone(adj.iter.slice), ctx=gast.Load())
    body.append(N.copy_loc(gast.For(target=adj.target, iter=rev_it, body=adj.body, orelse=[],
                                    type_comment=None), adj))
    last = gast.BinOp(left=N.call(unit.ref(len, "len"), [N.name(segs)]), op=gast.Sub(),
                      right=N.const(1))
    rng = N.call(unit.ref(range, "range"), [last, N.const(-1), N.const(-1)])
    return [N.copy_loc(gast.For(target=N.store(k), iter=rng, body=body, orelse=[],
                                type_comment=None), adj)]
