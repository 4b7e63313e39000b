"""Shape classes: names proven to have the same shape share a class, so ``unbroadcast``
is dropped between them (``x``, ``np.sin(x)``, ``x * 0.9`` all have the class of ``x``).

>>> import gast
>>> from types import SimpleNamespace
>>> t = gast.parse("def f(x, a):\\n    y = x * 0.9\\n    z = y * a\\n    return z").body[0]
>>> r = SimpleNamespace(is_elementwise=lambda f: False, scalar_call=lambda v: False)
>>> c = shape_classes(t.body, ["x", "a"], {"a"}, r)
>>> c["y"], c["z"]
(Shape.param('x'), Shape.param('x'))

A list display of numbers that only ``np.array`` reads makes a fixed shape, and a
vector of a fixed length k >= 2 broadcast with a 1-d (or 0-d) array keeps it:

>>> import numpy as np
>>> from ast_ad.passes.analysis.elements import Elements
>>> t = gast.parse("def f(a, b, v):\\n    l = [a, b]\\n    y = np.array(l)\\n"
...                "    z = y * v\\n    return z").body[0]
>>> r = SimpleNamespace(is_elementwise=lambda f: False, scalar_call=lambda v: False,
...                     callable=lambda f: np.array if getattr(f, "attr", "") == "array"
...                     else None)
>>> el = Elements.of(t.body, ["a", "b", "v"], {"v": (1, "<f8")}, {"a": float, "b": float}, r)
>>> c = shape_classes(t.body, ["a", "b", "v"], {"a", "b"}, r, el)
>>> c["y"], c["z"]
(Shape.fixed((2,)), Shape.fixed((2,)))
"""

from __future__ import annotations

import gast

from ...ir import nodes as N
from ...ir.lattice import Shape
from ...ir.walk import nodes, statements
from .activity import assigned_name
from .elements import _KEEPS, _int_atom

ELEMENTWISE_OPS = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow, gast.Mod, gast.FloorDiv)


def shape_classes(body, params, scalar_params, resolver, elements=None,
                  floats=frozenset(), callee_shape=None, at=None) -> dict:
    """name -> Shape; names in one class have equal shapes (Shape.UNKNOWN: unknown).
    ``elements`` (``analysis.elements.Elements``): one element of an array is a scalar;
    ``floats``: names surely holding a float (``kinds.surely_floats``) are scalars;
    ``callee_shape(call)``: the fixed shape a user function's call returns, or None;
    ``at`` (a dict): filled with statement -> the class of the value it assigns, where
    known (``y = y + d`` of a fixed-shape ``d`` has d's shape although ``y``, bound to
    a parameter before the loop, has no class of its own)."""
    if elements is not None:  # float64 numbers made by float64 arithmetic
        floats = floats | {n for n, (nd, _) in elements.arrays.items()
                           if nd == 0 and n not in params}
    cls = {p: (Shape.SCALAR if p in scalar_params or p in floats else Shape.param(p))
           for p in params}
    defs = [(s.targets[0].id, s.value) for s, _ in statements(body)
            if assigned_name(s) is not None]
    shape_tuples = {name for name, v in defs if isinstance(v, gast.Attribute)
                    and v.attr == "shape"}
    for s, _ in statements(body):
        if isinstance(s, gast.For):
            cls[s.target.id] = Shape.UNKNOWN
    assigned = {d[0] for d in defs}
    lists = _array_lists(body, resolver) if elements is not None else {}

    def ndim(a):
        if isinstance(a, gast.Constant):
            return 0
        spec = elements.arrays.get(a.id) if isinstance(a, gast.Name) else None
        return spec[0] if spec is not None else None

    def broadcast(x, y):
        cx, cy = of(x), of(y)
        c = Shape.broadcast(cx, cy)
        if c == Shape.UNKNOWN and elements is not None:
            # (k,) with k >= 2 broadcast with a 0-d or 1-d array: (k,) or an error
            for f, other in ((cx, y), (cy, x)):
                if f.tag == "fixed" and len(f.dims) == 1 and f.dims[0] >= 2 and \
                        ndim(other) is not None and ndim(other) <= 1:
                    return f
        return c

    def of(a):
        if isinstance(a, gast.Constant) and a.value is None:
            return None  # a pre-initialisation (generated code): no shape information
        if isinstance(a, gast.Constant):
            return Shape.SCALAR if isinstance(a.value, (int, float)) and \
                not isinstance(a.value, bool) else Shape.UNKNOWN
        if isinstance(a, gast.Name):
            return cls.get(a.id, Shape.UNKNOWN if a.id not in assigned else None)
        return Shape.UNKNOWN

    def value_class(v):
        if N.is_atom(v):
            return of(v)
        if isinstance(v, gast.BinOp) and isinstance(v.op, ELEMENTWISE_OPS):
            return broadcast(v.left, v.right)
        if isinstance(v, gast.UnaryOp) and isinstance(v.op, (gast.USub, gast.UAdd)):
            return of(v.operand)
        if isinstance(v, gast.Call) and not v.keywords and resolver.is_elementwise(v.func) \
                and 1 <= len(v.args) <= 2:
            return of(v.args[0]) if len(v.args) == 1 else broadcast(*v.args)
        if isinstance(v, gast.Call) and resolver.scalar_call(v):
            return Shape.SCALAR  # a full reduction, len(), ...: one number
        if isinstance(v, gast.Call) and len(v.args) == 1 and not v.keywords and \
                isinstance(v.args[0], gast.Name) and v.args[0].id in lists:
            cs = [of(e) for e in lists[v.args[0].id]]  # np.array([a, b]) of numbers
            if any(c is None for c in cs):
                return None
            return Shape.fixed((len(cs),)) if all(c == Shape.SCALAR for c in cs) \
                else Shape.UNKNOWN
        if isinstance(v, gast.Call) and callee_shape is not None:
            c = callee_shape(v)
            if c is not None:
                return c
        if elements is not None and isinstance(v, gast.Subscript) and elements.scalar(v):
            return Shape.SCALAR  # x[i] of a 1-d array seen at the call
        if elements is not None and isinstance(v, gast.Subscript):
            c = _sliced(v, of, elements)
            if c is not False:
                return c
        if elements is not None and isinstance(v, gast.Call) and len(v.args) == 1 and \
                not v.keywords and isinstance(v.args[0], gast.Name) and \
                v.args[0].id in elements.arrays and _keeps_shape(resolver, v.func):
            return of(v.args[0])  # x.copy(), np.zeros_like(x) of an array seen at the call
        if isinstance(v, gast.Attribute) and v.attr in ("ndim", "size"):
            return Shape.SCALAR
        if isinstance(v, gast.Subscript) and isinstance(v.value, gast.Name) and \
                v.value.id in shape_tuples and not isinstance(v.slice, gast.Slice):
            return Shape.SCALAR  # x.shape[0]
        return Shape.UNKNOWN

    # a name defined once, outside every loop, is its own class when nothing better is
    # known (Shape.value), so `d * d` is known to have d's shape
    depth = {}
    for st, dep in statements(body):
        name = assigned_name(st)
        if name is not None:
            depth.setdefault(name, []).append(dep)
    single = {t for t, ds in depth.items() if len(ds) == 1 and ds[0] == 0}
    values_of = {}
    for name, v in defs:
        values_of.setdefault(name, []).append(v)
    for _ in range(50):
        new = dict(cls)
        for t in assigned:
            if t in floats:
                new[t] = Shape.SCALAR
                continue
            c = cls.get(t) if t in params else None
            for v in values_of.get(t, ()):
                c = Shape.join(c, value_class(v))
            if c == Shape.UNKNOWN and t in single and t not in params:
                c = Shape.value(t)
            new[t] = c
        if new == cls:
            break
        cls = new
    if at is not None:
        for st, _ in statements(body):
            if assigned_name(st) is not None:
                c = value_class(st.value)
                if c is not None and c.known:
                    at[st] = c
    return {k: (v if v is not None else Shape.UNKNOWN) for k, v in cls.items()}


def _sliced(v, of, elements):
    """The class of ``b[parts]`` for an array ``b`` seen at the call and basic parts whose
    result shape depends on b's shape alone: int indices and slices with a constant start
    >= 0 (or none), a constant stop < 0 (or none) and no step (``Shape.sliced``); False
    where this does not apply."""
    spec, parts = elements._parts(v)
    if spec is None or spec[0] < 1 or len(parts) > spec[0]:
        return False
    key = []
    for p in parts:
        if isinstance(p, gast.Slice):
            lo = 0 if p.lower is None else _int_const(p.lower)
            up = 0 if p.upper is None else _int_const(p.upper)
            if p.step is not None or lo is None or up is None or lo < 0 or \
                    (p.upper is not None and up >= 0):
                return False
            key.append(lo - up)  # (entries dropped: lo at the start, -up at the end)
        elif isinstance(p, (gast.Constant, gast.Name)) and _int_atom(p, elements.ints):
            key.append("i")
        else:
            return False
    base = of(v.value)
    if base is None or not base.known or base == Shape.SCALAR:
        return base if base is None else Shape.UNKNOWN
    while key and key[-1] == 0:
        key.pop()
    if not key:
        return base  # b[:], b[0:]: b's shape
    if base.tag == "fixed":
        if len(key) > len(base.dims):
            return Shape.UNKNOWN
        dims = [max(0, d - k) for d, k in zip(base.dims, key) if k != "i"]
        return Shape.fixed(dims + list(base.dims[len(key):]))
    return Shape.sliced(base, key)


def subscript_class(sub, facts):
    """The class of ``b[parts]`` (``_sliced``) by the classes of ``facts``; UNKNOWN where
    not known."""
    c = _sliced(sub, lambda a: facts.shape(a.id) if isinstance(a, gast.Name)
                else Shape.UNKNOWN, facts.elements)
    return c if isinstance(c, Shape) else Shape.UNKNOWN


def _keeps_shape(resolver, func):
    """``func(x)`` of a NumPy array has x's shape: ``x.copy()`` and the calls the element
    facts carry a spec through (``analysis.elements._KEEPS``: copies, ``*_like``)."""
    from ...rules.helpers import copy as h_copy  # (imported late, as elements does)

    fn = getattr(resolver, "callable", lambda f: None)(func)
    return fn is not None and (fn is h_copy or any(fn is k for k in _KEEPS))


def _int_const(e):
    """The value of an int constant (``-2`` included), else None."""
    if isinstance(e, gast.UnaryOp) and isinstance(e.op, gast.USub):
        v = _int_const(e.operand)
        return None if v is None else -v
    return e.value if isinstance(e, gast.Constant) and type(e.value) is int else None


def _array_lists(body, resolver):
    """name -> elements of the names bound once to a list display that only
    ``np.array``/``np.asarray`` reads (nothing can change them in between)."""
    from .elements import _by_name, _read_only_lists

    if getattr(resolver, "callable", None) is None:
        return {}
    lists = _read_only_lists(body, _by_name(body), resolver)
    out = {}
    for name, elts in lists.items():
        if not any(isinstance(e, gast.Starred) for e in elts):
            out[name] = elts
    return out


def elementwise_of(body, facts) -> dict:
    """``{a: o}``: ``a`` is bound once in ``body``, to an elementwise function of the
    number-or-array ``o`` and numbers only (``a = o * o``, ``a = 2.0 * o``, ``a = -o``,
    ``a = np.exp(o)``): at that statement ``a`` has ``o``'s shape (a name, not a class:
    ``o`` may have another shape on the next trip of a loop).

    >>> from types import SimpleNamespace
    >>> from ...ir.lattice import Kind
    >>> t = gast.parse("for i in r:\\n    lx = f(i)\\n    q = lx * lx\\n    w = 2.0 * lx")
    >>> facts = SimpleNamespace(kind=lambda n: Kind.NUM, shape=lambda n: Shape.UNKNOWN,
    ...                         resolver=SimpleNamespace(is_elementwise=lambda f: False))
    >>> sorted(elementwise_of(t.body, facts).items())
    [('q', 'lx'), ('w', 'lx')]
    """
    from ...ir.lattice import Kind

    stores = {}
    for st, _ in statements(body):
        for n in (st.targets if isinstance(st, gast.Assign) else
                  [getattr(st, "target", None)]):
            for x in nodes(n) if n is not None else ():
                if isinstance(x, gast.Name) and not isinstance(x.ctx, gast.Load):
                    stores[x.id] = stores.get(x.id, 0) + 1

    def number(e):
        if isinstance(e, gast.Constant):
            return type(e.value) in (int, float)
        return isinstance(e, gast.Name) and facts.shape(e.id) == Shape.SCALAR

    out = {}
    for st, _ in statements(body):
        name = assigned_name(st)
        if name is None or stores.get(name) != 1:
            continue
        v = st.value
        if isinstance(v, gast.BinOp) and isinstance(v.op, ELEMENTWISE_OPS):
            ops = [v.left, v.right]
        elif isinstance(v, gast.UnaryOp) and isinstance(v.op, (gast.USub, gast.UAdd)):
            ops = [v.operand]
        elif isinstance(v, gast.Call) and not v.keywords and \
                facts.resolver.is_elementwise(v.func):
            ops = list(v.args)
        else:
            continue
        names = {o.id for o in ops if isinstance(o, gast.Name) and not number(o)}
        if len(names) == 1 and all(number(o) or isinstance(o, gast.Name) for o in ops):
            o = names.pop()
            if o != name and facts.kind(o) is Kind.NUM:
                out[name] = o
    return out
