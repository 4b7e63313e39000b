"""Record a run of the user's function, then sweep the tape backwards.

::

    trace, boxed, out = forward(f, args, kwargs, spec, registry)
        # boxes the wrt arguments as leaves, runs the patched f, returns its output
    grads = backward(trace, [(out_node, 1.0)])
        # one reversed loop over the recorded nodes (no recursion), calling each
        # node's registry rules: rule(g, ans, *args, **kwargs) per traced argument
    gradient = collect(boxed, original, grads)   # shaped like the argument (signature.match)
"""

from __future__ import annotations

import contextlib
import gc
import types

import numpy as np

from .. import signature
from ..errors import NonScalarOutputError
from ..runtime.user_rules import check_cotangent, is_user_rule, rule_label
from .core import Node, Select, Trace, new_tracer, pop_trace, primal, push_trace
from .patch import Patcher
from .tracer import Tracer

__all__ = ["backward", "collect", "forward", "scalar_output", "seed_like"]


@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic garbage collector: recording creates no cycles, but millions of
    small objects make its generational passes cost as much as the recording itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# -- forward ----------------------------------------------------------------------------
def _box(x, trace):
    """Wrap a wrt argument (or the float leaves of a tuple/list/dict) as leaves."""
    t = type(x)
    if isinstance(x, Tracer):
        trace.nested = True
        return new_tracer(x, Node(None, None, (), None, x, ()), trace)
    if t is bool or x is None or t is str:
        return x
    if t is int or isinstance(x, np.integer):
        x = float(x)
    elif t is np.ndarray:
        if not np.issubdtype(x.dtype, np.inexact):
            x = x.astype(float)
    elif t is list or t is tuple:
        return t(_box(e, trace) for e in x)
    elif t is dict:
        return {k: _box(v, trace) for k, v in x.items()}
    elif not isinstance(x, (float, complex, np.floating, np.complexfloating)):
        return x
    return new_tracer(x, Node(None, None, (), None, x, ()), trace)


def _leaves(b, trace):
    """The boxed argument's leaf nodes, kept apart from the tracers ``f`` sees: a write into
    an argument (``x[0] = ...``) gives ``x`` a new node, but the gradient is that of the
    leaf."""
    if isinstance(b, Tracer):
        return Tracer(b._value, b._node, b._trace)
    if type(b) in (list, tuple):
        return type(b)(_leaves(e, trace) for e in b)
    if type(b) is dict:
        return {k: _leaves(v, trace) for k, v in b.items()}
    return b


def forward(f, args, kwargs, spec, registry):
    """Run the patched ``f`` with the wrt arguments boxed: (trace, boxed, originals, out)."""
    bound = signature.bind(f, args, kwargs)
    trace = Trace(registry)
    originals, boxed = [], []
    for name in spec.names:
        x = bound.arguments[name]
        b = _box(x, trace)
        bound.arguments[name] = b
        originals.append(x)
        boxed.append(_leaves(b, trace))
    run = Patcher(registry).entry(f)
    token = push_trace(trace)
    try:
        with gc_paused():
            out = run(*bound.args, **bound.kwargs)
    finally:
        pop_trace(token)
    return trace, boxed, originals, out


# -- backward ---------------------------------------------------------------------------
class _Slots(list):
    """Cotangents of the elements of a tuple output, gathered by Select nodes."""


def _fill(slots, ans):
    out = []
    for g, a in zip(slots, ans):
        if g is None:
            a = primal(a)
            g = np.zeros_like(a) if isinstance(a, np.ndarray) else 0.0 * a
        out.append(g)
    return type(ans)(out) if type(ans) in (tuple, list) else tuple(out)


def backward(trace, seeds):
    """Sweep ``trace`` backwards from ``[(node, cotangent), ...]``; {node: gradient}."""
    with gc_paused():
        return _backward(trace, seeds)


def _backward(trace, seeds):
    grads: dict = {}
    for node, g in seeds:
        prev = grads.get(node)
        grads[node] = g if prev is None else prev + g
    pop = grads.pop
    get = grads.get
    patched = _rule_patcher(trace) if trace.nested else None
    for node in reversed(trace.nodes):
        g = pop(node, None)
        if g is None:
            continue
        fn = node.fn
        if fn is Select:
            k = node.args[0]
            parent = node.parents[0][1]
            slots = get(parent)
            if slots is None:
                slots = grads[parent] = _Slots([None] * len(parent.ans))
            slots[k] = g if slots[k] is None else slots[k] + g
            continue
        if type(g) is _Slots:
            g = _fill(g, node.ans)
        rules, ans, args, kw = node.rules, node.ans, node.args, node.kwargs
        for i, p in node.parents:
            rule = rules[i] if patched is None else patched(rules[i])
            c = rule(g, ans, *args, **kw)
            if is_user_rule(rule) and type(p) is not list:  # a user's rule: checked
                c = check_cotangent(c, args[i], rule_label(rule, fn, i))
            if type(p) is list:
                for j, q in p:
                    cj = c[j]
                    if cj is not None:
                        prev = get(q)
                        grads[q] = cj if prev is None else prev + cj
            elif c is not None:
                prev = get(p)
                grads[p] = c if prev is None else prev + c
    return grads


def _rule_patcher(trace):
    """Rules run with the tape's stand-ins, so an outer trace records what they compute
    (``math.cos`` of an outer tracer, say); the helpers they call are traced through."""
    patcher = Patcher(trace.registry, through_rules=True)
    cache: dict = {}

    def patched(rule):
        r = cache.get(rule)
        if r is None:
            r = patcher.patch_function(rule) if isinstance(rule, types.FunctionType) else rule
            cache[rule] = r
        return r

    return patched


# -- results ----------------------------------------------------------------------------
def collect(boxed, original, grads):
    """The gradient of one wrt argument, with the structure and type of ``original``.

    A gradient that is itself traced (an inner tape differentiating an outer tape's
    values) is returned as it is, so the outer tape can differentiate it again.
    """
    t = type(original)
    if t is list or t is tuple:
        return t(collect(b, o, grads) for b, o in zip(boxed, original))
    if t is dict:
        return {k: collect(boxed[k], o, grads) for k, o in original.items()}
    g = grads.get(boxed._node) if isinstance(boxed, Tracer) else None
    if isinstance(g, Tracer):
        return g
    return signature.match(g, primal(original))


def seed_like(value):
    """The cotangent 1 of a scalar output, in the output's type."""
    p = primal(value)
    if isinstance(p, np.ndarray):
        return np.ones_like(p)
    if isinstance(p, np.generic):
        return p.dtype.type(1)
    if isinstance(p, complex):
        return 1.0 + 0j
    return 1.0


def scalar_output(out, trace, f):
    """Check that ``out`` is a scalar; its (node or None, primal value at this level)."""
    if isinstance(out, Tracer) and out._trace is trace:
        node, value = out._node, out._value
    else:
        node, value = None, out
    p = primal(value)
    ok = isinstance(p, (int, float, complex, np.generic)) or (
        isinstance(p, np.ndarray) and p.ndim == 0
    )
    if not ok:
        shape = getattr(p, "shape", None)
        what = f"an array of shape {shape}" if shape is not None else f"a {type(p).__name__}"
        fname = getattr(f, "__qualname__", None) or repr(f)
        code = getattr(getattr(f, "__func__", f), "__code__", None)
        raise NonScalarOutputError(
            f"tape.grad needs `{fname}` to return a scalar, but it returned {what}; "
            "use ast_ad.tape.vjp(f, *args) for non-scalar outputs, or reduce the output "
            "(np.sum)",
            filename=code.co_filename if code else None,
            lineno=code.co_firstlineno if code else None,
        )
    return node, value
