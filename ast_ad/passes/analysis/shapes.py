"""Shape classes: names proven to have the same shape share a class, so ``unbroadcast``
is dropped between them (``x``, ``np.sin(x)``, ``x * 0.9`` all have the class of ``x``).

>>> import gast
>>> from types import SimpleNamespace
>>> t = gast.parse("def f(x, a):\\n    y = x * 0.9\\n    z = y * a\\n    return z").body[0]
>>> r = SimpleNamespace(is_elementwise=lambda f: False, scalar_call=lambda v: False)
>>> c = shape_classes(t.body, ["x", "a"], {"a"}, r)
>>> c["y"], c["z"]
(Shape.param('x'), Shape.param('x'))
"""

from __future__ import annotations

import gast

from ...ir import nodes as N
from ...ir.lattice import Shape
from ...ir.walk import statements
from .activity import assigned_name

ELEMENTWISE_OPS = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow, gast.Mod, gast.FloorDiv)


def shape_classes(body, params, scalar_params, resolver, elements=None,
                  floats=frozenset()) -> dict:
    """name -> Shape; names in one class have equal shapes (Shape.UNKNOWN: unknown).
    ``elements`` (``analysis.elements.Elements``): one element of an array is a scalar;
    ``floats``: names surely holding a float (``kinds.surely_floats``) are scalars."""
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
            return Shape.broadcast(of(v.left), of(v.right))
        if isinstance(v, gast.UnaryOp) and isinstance(v.op, (gast.USub, gast.UAdd)):
            return of(v.operand)
        if isinstance(v, gast.Call) and not v.keywords and resolver.is_elementwise(v.func) \
                and 1 <= len(v.args) <= 2:
            c = of(v.args[0])
            for a in v.args[1:]:
                c = Shape.broadcast(c, of(a))
            return c
        if isinstance(v, gast.Call) and resolver.scalar_call(v):
            return Shape.SCALAR  # a full reduction, len(), ...: one number
        if elements is not None and isinstance(v, gast.Subscript) and elements.scalar(v):
            return Shape.SCALAR  # x[i] of a 1-d array seen at the call
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
    return {k: (v if v is not None else Shape.UNKNOWN) for k, v in cls.items()}
