"""Names of generated forward code that surely hold a Python ``float`` (not an
``np.float64``, not an int, never ``None``): what a per-loop tape may keep as C doubles
(``array('d')``, 8 bytes a value instead of a list slot and a float object, 32) and give
back unchanged.

A name is one when every binding of it (pre-initialisations ``x = None`` included) is a
float constant, a ``float`` argument, ``float(...)``, a float-valued ``math`` function of
numbers, or ``+ - * /`` and negation of numbers at least one of them a float (``/``
always; ``**`` only by an int constant); ints are int constants, ``int`` arguments and the
targets of loops over ``range``.

>>> import gast, math
>>> code = gast.parse("h = 0.5\\nfor i in _r1:\\n    y = c * y + h * math.sin(y)\\n"
...                   "z = None\\nz = y").body
>>> resolve = lambda f: math.sin if gast.unparse(f).strip() == "math.sin" else None
>>> sorted(exact_floats(code, {"y": float, "c": float}, {"_r1"}, resolve))
['c', 'h', 'y']
"""

from __future__ import annotations

import math

import gast

from ..analysis.realness import name_definitions

_FLOAT_MATH = frozenset(
    "sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh exp expm1 log log1p "
    "log2 log10 sqrt hypot fabs erf erfc gamma lgamma pow copysign fmod radians degrees "
    "cbrt exp2".split())
_ARITH = (gast.Add, gast.Sub, gast.Mult, gast.Div)
F, I = "float", "int"  # noqa: E741


def exact_floats(stmts, arg_kinds, ranges, resolve=None) -> frozenset:
    """The names of ``stmts`` surely bound to Python floats only; ``arg_kinds``: the
    parameters' types at the call; ``ranges``: names surely bound to ``range`` objects;
    ``resolve(func)``: the object a called name or attribute denotes (None: unknown)."""
    defs = {n: [(I if isinstance(v[1], gast.Name) and v[1].id in ranges else None)
                if isinstance(v, tuple) else v for v in vs]
            for n, vs in name_definitions(stmts).items()}  # (("for", R): an int if R a range)
    names = set(defs) | set(arg_kinds)
    kind = {n: "?" for n in names}  # the optimistic start of the fixed point
    for _ in range(3 * len(names) + 3):
        new = {}
        for n in names:
            ks = {_of(v, kind, resolve) for v in defs.get(n, ())}
            if n in arg_kinds:
                ks.add(_param_kind(arg_kinds[n]))
            ks.discard("?")
            new[n] = "?" if not ks else ks.pop() if len(ks) == 1 else None
        if new == kind:
            return frozenset(n for n, k in kind.items() if k == F)
        kind = new
    return frozenset()  # (no fixed point in the bound: nothing is claimed)


def _param_kind(t):
    return F if t is float else I if t is int else None


def _of(v, kind, resolve):
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, gast.Constant):
        return F if type(v.value) is float else I if type(v.value) is int else None
    if isinstance(v, gast.Name):
        return kind.get(v.id)
    if isinstance(v, gast.UnaryOp) and isinstance(v.op, (gast.USub, gast.UAdd)):
        return _of(v.operand, kind, resolve)
    if isinstance(v, gast.BinOp):
        a, b = _of(v.left, kind, resolve), _of(v.right, kind, resolve)
        if "?" in (a, b):
            return "?"
        if a not in (F, I) or b not in (F, I):
            return None
        if isinstance(v.op, gast.Div):
            return F
        if isinstance(v.op, _ARITH):
            return F if F in (a, b) else I
        if isinstance(v.op, gast.Pow) and isinstance(v.right, gast.Constant) and \
                type(v.right.value) is int:
            return F if a == F else None
        return None
    if isinstance(v, gast.Call) and not v.keywords:
        ks = [_of(a, kind, resolve) for a in v.args]
        if "?" in ks:
            return "?"
        if not ks or any(k not in (F, I) for k in ks):
            return None
        obj = resolve(v.func) if resolve is not None else None
        if obj is float and len(ks) == 1:
            return F
        name = getattr(obj, "__name__", None)
        if name in _FLOAT_MATH and getattr(math, name, None) is obj:
            return F
    return None
