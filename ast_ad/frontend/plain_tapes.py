"""Per-loop tapes taken back to the plain stack (the inverse of
``passes/reverse/loop_tapes.py``), in a generated function's tree (``ast`` or ``gast``):
code differentiated again and the numba backend see pushes and pops of one stack only.

>>> import ast
>>> src = '''def g(y):
...     _stack = []
...     _push = _stack.append
...     _tape = []
...     _tapa = _tape.append
...     for i in _r1:
...         _tapa(y)
...         y = y * y
...     _push((_tape,))
...     _pop = _stack.pop
...     (_tape,) = loop_tape(_pop(), _r1)
...     for _tapv in reversed(_tape):
...         y = _tapv
...     return y'''
>>> t = ast.parse(src).body[0]
>>> plain_tapes(t, ast)
>>> print(ast.unparse(t))
def g(y):
    _stack = []
    _push = _stack.append
    for i in _r1:
        _push(y)
        y = y * y
    _pop = _stack.pop
    for _tapi in _r1[::-1]:
        y = _pop()
    return y
"""

from __future__ import annotations

#: the run-time marker of a reversed loop on tapes (runtime.fastpaths.loop_tape)
LOOP_TAPE = "loop_tape"
#: the names of the values such a loop iterates (passes/reverse/loop_tapes.py)
TAPE_VALUE = "_tapv"


def plain_tapes(fdef, mod) -> None:
    """Rewrite ``fdef`` (a FunctionDef of ``mod``, ``ast`` or ``gast``) in place."""
    tapes, adders, pushes = {}, {}, {}
    every = list(_statements(fdef.body))
    for st in every:
        v = getattr(st, "value", None)
        if isinstance(st, mod.Assign) and len(st.targets) == 1 and \
                isinstance(st.targets[0], mod.Tuple) and _calls(mod, v, LOOP_TAPE) and \
                len(v.args) == 2 and isinstance(v.args[0], mod.Call) and \
                isinstance(v.args[0].func, mod.Name) and isinstance(v.args[1], mod.Name):
            for e in st.targets[0].elts:
                tapes[e.id] = (v.args[0].func.id, v.args[1].id)
    if not tapes:
        return
    for st in every:
        v = getattr(st, "value", None)
        if isinstance(st, mod.Assign) and isinstance(v, mod.Attribute) and \
                v.attr == "append" and isinstance(v.value, mod.Name) and v.value.id in tapes:
            adders[st.targets[0].id] = v.value.id
        elif isinstance(st, mod.Expr) and isinstance(v, mod.Call) and \
                isinstance(v.func, mod.Name) and len(v.args) == 1 and \
                isinstance(v.args[0], mod.Tuple) and v.args[0].elts and all(
                    isinstance(e, mod.Name) and e.id in tapes for e in v.args[0].elts):
            for e in v.args[0].elts:
                pushes[e.id] = v.func.id
    fdef.body = _block(fdef.body, mod, tapes, adders, pushes, [0])


def _statements(stmts):
    for st in stmts:
        yield st
        for f in ("body", "orelse", "finalbody"):
            inner = getattr(st, f, None)
            if isinstance(inner, list) and not hasattr(st, "args"):
                yield from _statements(inner)
        for h in getattr(st, "handlers", None) or []:
            yield from _statements(h.body)


def _calls(mod, v, prefix):
    return isinstance(v, mod.Call) and isinstance(v.func, mod.Name) and \
        v.func.id.startswith(prefix)


def _name(mod, id_, ctx):
    n = mod.Name(id=id_, ctx=ctx)
    if hasattr(mod, "gast"):  # gast's Name has two more fields
        n.annotation = n.type_comment = None
    return n


def _drop(st, mod, tapes, adders, pushes):
    v = getattr(st, "value", None)
    if isinstance(st, mod.Assign) and len(st.targets) == 1:
        t = st.targets[0]
        if isinstance(t, mod.Name) and (t.id in adders or (t.id in tapes and (
                (isinstance(v, mod.List) and not v.elts) or _calls(mod, v, "float_tape")))):
            return True
        if isinstance(t, mod.Tuple) and _calls(mod, v, LOOP_TAPE):
            return True
    return isinstance(st, mod.Expr) and isinstance(v, mod.Call) and len(v.args) == 1 and \
        isinstance(v.args[0], mod.Tuple) and v.args[0].elts and all(
            isinstance(e, mod.Name) and e.id in pushes for e in v.args[0].elts)


def _block(stmts, mod, tapes, adders, pushes, count):
    out = []
    for st in stmts:
        if not hasattr(st, "args"):  # (not a nested def)
            for f in ("body", "orelse", "finalbody"):
                inner = getattr(st, f, None)
                if isinstance(inner, list):
                    setattr(st, f, _block(inner, mod, tapes, adders, pushes, count))
            for h in getattr(st, "handlers", None) or []:
                h.body = _block(h.body, mod, tapes, adders, pushes, count)
        if _drop(st, mod, tapes, adders, pushes):
            continue
        v = getattr(st, "value", None)
        if isinstance(st, mod.Expr) and isinstance(v, mod.Call) and \
                isinstance(v.func, mod.Name) and v.func.id in adders:
            v.func = _name(mod, pushes[adders[v.func.id]], mod.Load())
        if isinstance(st, mod.For):
            _plain_loop(st, mod, tapes, count)
        out.append(st)
    return out


def _plain_loop(loop, mod, tapes, count):
    """``for v in reversed(L)`` / ``for i, v.. in zip(R[::-1], reversed(L)..)`` ->
    ``for i in R[::-1]`` with ``x = v`` -> ``x = pop()``; a target that is not a
    ``_tapv`` value (``for y in reversed(L)``: the body's opening restore, taken into the
    loop) is popped first, the last list's first."""
    it = loop.iter
    items = it.args if _calls(mod, it, "zip") else [it]
    elts = loop.target.elts if isinstance(loop.target, mod.Tuple) else [loop.target]
    values, direct = {}, []
    index, rng = None, None
    for item, tgt in zip(items, elts):
        if _calls(mod, item, "reversed") and len(item.args) == 1 and \
                isinstance(item.args[0], mod.Name) and item.args[0].id in tapes:
            pop, rng = tapes[item.args[0].id]
            values[tgt.id] = pop
            if not tgt.id.startswith(TAPE_VALUE):
                direct.insert(0, tgt.id)
        else:
            index = (item, tgt)
    if not values or len(items) != len(elts):
        return
    if index is not None:
        loop.iter, loop.target = index
    else:
        count[0] += 1
        loop.target = _name(mod, f"_tapi{count[0] if count[0] > 1 else ''}", mod.Store())
        step = mod.Constant(value=-1)
        if hasattr(mod, "gast"):
            step.kind = None
        loop.iter = mod.Subscript(value=_name(mod, rng, mod.Load()), slice=mod.Slice(
            lower=None, upper=None, step=step), ctx=mod.Load())
    opening = [mod.Assign(targets=[_name(mod, x, mod.Store())], value=mod.Call(
        func=_name(mod, values.pop(x), mod.Load()), args=[], keywords=[])) for x in direct]
    for st in opening:
        st.lineno = loop.lineno
        if hasattr(mod, "gast"):
            st.type_comment = None
    for st in loop.body:
        v = getattr(st, "value", None)
        if isinstance(st, mod.Assign) and isinstance(v, mod.Name) and v.id in values:
            st.value = mod.Call(func=_name(mod, values[v.id], mod.Load()), args=[],
                                keywords=[])
    loop.body[:0] = opening
