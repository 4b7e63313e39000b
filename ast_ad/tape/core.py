"""The recording core of the tape: nodes, traces and :func:`record`.

A :class:`Tracer` wraps a primal value (a Python number, a NumPy scalar or array, or a
tracer of an outer trace) together with the :class:`Node` that produced it on one
:class:`Trace`.  Every operation on tracers goes through :func:`record`, which calls the
real function on the primal values and, when the registry has reverse rules for it,
appends a node holding the function, its rules, its (primal) arguments and its output::

    y = x * 3.0          # record(operator.mul, (x, 3.0))
                         #   -> Node(fn=operator.mul, args=(2.0, 3.0), ans=6.0, parents=[(0, x)])

Nested traces (a tape gradient inside another) are told apart by their ``level``: an
operation is recorded on the innermost trace among its arguments, and a tracer of an outer
trace passes through as a primal value, so the rules run on it record on the outer trace.

Arrays the tape creates (``np.zeros``, ``np.array``, ``x.copy()``...) are tracers too, so
element and slice writes (``y[i] = t``) are recorded as functional updates.  A tracer's
buffer is written in place only while it is ``_owned`` (no node holds it); otherwise it
is copied first (copy on write), so values recorded earlier never change.
"""

from __future__ import annotations

import contextvars
import inspect
import itertools
import os
import sys

import numpy as np

from ..errors import NoRuleError
from .views import check_fresh, mark_views

_levels = itertools.count(1)
_active: contextvars.ContextVar = contextvars.ContextVar("ast_ad_tape_active", default=())
_EMPTY: dict = {}

RULE, NONDIFF = "rule", "nondiff"
_QUERIES = frozenset(
    [np.shape, np.ndim, np.size, np.result_type, np.iscomplexobj, np.isrealobj, np.isscalar]
)


class Node:
    """One recorded operation (or a leaf: ``fn is None`` and no parents)."""

    __slots__ = ("ans", "args", "fn", "kwargs", "parents", "rules")

    def __init__(self, fn, rules, args, kwargs, ans, parents):
        self.fn, self.rules, self.args, self.kwargs, self.ans = fn, rules, args, kwargs, ans
        # [(i, parent_node)] or [(i, [(j, parent_node), ...])] for a list argument
        self.parents = parents


class Select:
    """Marker ``fn`` of the node that picks element ``args[0]`` of a tuple output."""


class Trace:
    """The recorded operations of one differentiation (one call of grad/vjp)."""

    __slots__ = ("_kinds", "level", "nested", "nodes", "registry")

    def __init__(self, registry):
        self.level = next(_levels)
        self.registry = registry
        self.nodes: list = []
        self._kinds: dict = {}
        # True once a recorded value is itself traced by an outer trace: the backward
        # sweep then runs the rules with stand-ins too, so the outer trace records them
        self.nested = False

    def kind(self, fn):
        """``(RULE, rules)``, ``(NONDIFF, None)`` or ``(None, None)`` for ``fn``."""
        try:
            return self._kinds[fn]
        except KeyError:
            pass
        except TypeError:
            return self._lookup(fn)
        k = self._kinds[fn] = self._lookup(fn)
        return k

    def _lookup(self, fn):
        reg = self.registry
        rs = reg.vjp(fn)
        if rs is not None:
            return RULE, rs.rules
        if reg.is_nondifferentiable(fn) or _is_query(fn):
            return NONDIFF, None
        return None, None


def _is_query(fn):
    try:
        return fn in _QUERIES
    except TypeError:
        return False


def current_trace():
    """The innermost active trace, or None."""
    stack = _active.get()
    return stack[-1] if stack else None


def push_trace(trace):
    return _active.set(_active.get() + (trace,))


def pop_trace(token):
    _active.reset(token)


# -- errors --------------------------------------------------------------------------
_SKIP = (os.path.dirname(os.path.dirname(os.path.abspath(__file__))), os.path.dirname(np.__file__))


def user_location():
    """(filename, lineno) of the innermost frame outside ast_ad and NumPy."""
    f = sys._getframe(1)
    while f is not None:
        fn = f.f_code.co_filename
        if not fn.startswith(_SKIP) and not fn.startswith("<frozen"):
            return fn, f.f_lineno
        f = f.f_back
    return None, None


def describe(fn) -> str:
    if isinstance(fn, np.ufunc):
        return f"numpy.{fn.__name__}"
    self = getattr(fn, "__self__", None)
    if isinstance(self, np.ufunc):
        return f"numpy.{self.__name__}.{fn.__name__}"
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
    mod = getattr(fn, "__module__", None)
    if mod in (None, "builtins"):
        return name
    if mod.startswith("numpy"):
        mod = "numpy"
    if mod == "_operator":
        mod = "operator"
    return f"{mod}.{name}"


def no_rule(fn, detail=""):
    file, line = user_location()
    name = describe(fn)
    return NoRuleError(
        f"no derivative rule for `{name}`, called on a differentiated value{detail}; "
        f"register one with `ast_ad.defvjp({name}, ...)` or declare it with "
        f"`ast_ad.nondifferentiable`",
        filename=file,
        lineno=line,
    )


def lost_gradient(what):
    file, line = user_location()
    return NoRuleError(
        f"a differentiated value was converted to {what} outside the tape's stand-ins, "
        "which would silently lose its gradient (e.g. `math.sin` or `float` reached "
        "through a name the tape could not rebind, or a store into a NumPy array the tape "
        "did not create); call numpy/math through module-level names, and create arrays "
        "you write into with np.zeros/np.array/.copy() inside the differentiated code",
        filename=file,
        lineno=line,
    )


# -- recording -----------------------------------------------------------------------
def _top_trace(args, kwargs):
    trace = None
    for a in args:
        ta = type(a)
        if ta is Tracer or ta is ArrayTracer:
            t = a._trace
            if trace is None or t.level > trace.level:
                trace = t
        elif ta is list or ta is tuple:
            for e in a:
                if isinstance(e, Tracer):
                    t = e._trace
                    if trace is None or t.level > trace.level:
                        trace = t
    for v in kwargs.values():
        if isinstance(v, Tracer):
            t = v._trace
            if trace is None or t.level > trace.level:
                trace = t
    return trace


def record(fn, args, kwargs=None):
    """Call ``fn(*args, **kwargs)``; record it when an argument is traced."""
    if not kwargs:
        kwargs = _EMPTY
    trace = _top_trace(args, kwargs)
    if trace is None:
        return fn(*args, **kwargs)
    return record_on(trace, fn, args, kwargs)


def record_on(trace, fn, args, kwargs):
    """Record ``fn(*args, **kwargs)`` on ``trace`` (the innermost trace among the args)."""
    if kwargs.get("out") is not None:
        raise no_rule(fn, " (writing into `out=` is not recorded; use the returned value)")
    for k, v in kwargs.items():
        if isinstance(v, Tracer) and v._trace is trace:
            args, kwargs = _keywords_to_positional(fn, args, kwargs, k)
            break
    uargs = []
    parents = []
    lower = False
    for i, a in enumerate(args):
        ta = type(a)
        if ta is Tracer or ta is ArrayTracer:
            if a._trace is trace:
                if a._stale:
                    check_fresh(a)
                uargs.append(a._value)
                a._owned = False
                if a._node is not None:
                    parents.append((i, a._node))
            else:
                uargs.append(a)
                lower = True
        elif ta is list or ta is tuple:
            elems = sub = None
            for j, e in enumerate(a):
                if isinstance(e, Tracer):
                    if e._trace is trace:
                        if elems is None:
                            elems = list(a)
                        elems[j] = e._value
                        e._owned = False
                        if e._node is not None:
                            if sub is None:
                                sub = []
                            sub.append((j, e._node))
                    else:
                        lower = True
            uargs.append(a if elems is None else ta(elems))
            if sub:
                parents.append((i, sub))
        else:
            uargs.append(a)
    if not lower:
        for v in kwargs.values():
            if isinstance(v, Tracer):
                lower = True
    out = _finish(trace, fn, uargs, kwargs, parents, lower)
    if type(out) is ArrayTracer:
        mark_views(out, args)  # NumPy made a view of an argument (.T, reshape, x[1:])
    return out


def binary(fn, a, b):
    """``record(fn, (a, b))`` for operators: one of ``a``, ``b`` is a Tracer."""
    ta = type(a)
    ta = ta is Tracer or ta is ArrayTracer
    tb = type(b)
    tb = tb is Tracer or tb is ArrayTracer
    if ta:
        trace = a._trace
        if (tb and b._trace is not trace) or type(b) is list or type(b) is tuple:
            return record(fn, (a, b))
    else:
        trace = b._trace
        if type(a) is list or type(a) is tuple:
            return record(fn, (a, b))
    parents = []
    av = _operand(a, 0, parents) if ta else a
    bv = _operand(b, 1, parents) if tb else b
    return _finish(trace, fn, [av, bv], _EMPTY, parents, False)


def _operand(x, i, parents):
    """The value of traced operand ``i`` of an operator (its node joins ``parents``)."""
    x._owned = False
    if x._stale:
        check_fresh(x)
    if x._node is not None:
        parents.append((i, x._node))
    return x._value


def _finish(trace, fn, uargs, kwargs, parents, lower):
    kind, rules = trace.kind(fn)
    if parents:
        if kind is None:
            raise no_rule(fn)
        if kind is RULE:
            n = len(rules)
            for p in parents:
                if p[0] >= n or rules[p[0]] is None:
                    parents = _keep(fn, rules, parents)
                    break
    if lower or trace.nested:
        trace.nested = True
        ans = record(fn, uargs, kwargs)
    else:
        ans = fn(*uargs, **kwargs)
    if kind is NONDIFF:
        return ans
    if not parents:
        return wrap_constant(ans, trace)
    node = Node(fn, rules, uargs, kwargs, ans, parents)
    trace.nodes.append(node)
    ta = type(ans)
    if ta is float or ta is np.float64:
        return Tracer(ans, node, trace)
    if ta is np.ndarray:
        return ArrayTracer(ans, node, trace)
    return wrap(ans, node, trace)


def _keep(fn, rules, parents):
    keep = []
    for p in parents:
        if p[0] >= len(rules):
            raise no_rule(fn, f" (no rule for its argument {p[0]})")
        if rules[p[0]] is not None:
            keep.append(p)
    return keep


def _keywords_to_positional(fn, args, kwargs, key):
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except (TypeError, ValueError):
        raise no_rule(fn, f" (differentiated keyword argument `{key}`)") from None
    pos = list(bound.args)
    kw = dict(bound.kwargs)
    for v in kw.values():
        if isinstance(v, Tracer):
            raise no_rule(fn, f" (differentiated keyword argument `{key}`)")
    return pos, kw


_NUMERIC = (float, int, complex, np.ndarray, np.generic)


def wrap(ans, node, trace):
    """Box the output of a recorded node (tuple outputs get one Select node each)."""
    ta = type(ans)
    if ta is tuple or ta is list:
        out = []
        for k, a in enumerate(ans):
            if isinstance(a, (_NUMERIC, Tracer)):
                sel = Node(Select, None, (k,), _EMPTY, a, [(0, node)])
                trace.nodes.append(sel)
                out.append(new_tracer(a, sel, trace))
            else:
                out.append(a)
        return ta(out)
    if isinstance(ans, (_NUMERIC, Tracer)):
        return new_tracer(ans, node, trace)
    return ans


def wrap_constant(ans, trace, owned=True):
    """Arrays computed from constants stay traced (so later writes into them record)."""
    if type(ans) is np.ndarray:
        return ArrayTracer(ans, None, trace, owned)
    return ans


def primal(x):
    """The innermost primal value of ``x`` (through every level of tracing)."""
    while isinstance(x, Tracer):
        if x._stale:
            check_fresh(x)
        x = x._value
    return x


def unbox_all(x):
    """``primal`` through lists/tuples/dicts."""
    t = type(x)
    if isinstance(x, Tracer):
        return primal(x)
    if t is list or t is tuple:
        return t(unbox_all(e) for e in x)
    if t is dict:
        return {k: unbox_all(v) for k, v in x.items()}
    return x


def has_tracer(x):
    t = type(x)
    if isinstance(x, Tracer):
        return True
    if t is list or t is tuple:
        return any(has_tracer(e) for e in x)
    return False


def new_tracer(value, node, trace, owned=False):
    """A Tracer, or an ArrayTracer (indexable, iterable) for an array value."""
    if type(value) is np.ndarray or isinstance(value, ArrayTracer):
        return ArrayTracer(value, node, trace, owned)
    return Tracer(value, node, trace, owned)


# The traced value classes; ``tracer.py`` installs them here when it is imported (no tracer
# can exist before that, so the ``isinstance(a, Tracer)`` tests above are safe meanwhile).
Tracer = ArrayTracer = None
