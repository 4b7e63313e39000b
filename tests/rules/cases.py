"""The table of rule test cases: every registered function, over the shapes it accepts.

A ``Case`` is a call ``fn(*args, **kwargs)`` in a domain where ``fn`` is smooth (no ties,
no kinks, away from poles).  Tests check each argument that has a rule and holds floats
(Python floats, float arrays, or lists of them) against central finite differences.
"""

from __future__ import annotations

import builtins
import math
import operator
from dataclasses import dataclass, field

import numpy as np

from ast_ad.rules import helpers as H


@dataclass
class Case:
    fn: object
    args: tuple
    kwargs: dict = field(default_factory=dict)
    name: str = ""
    wrt: tuple | None = None  # argument indices to check (None: every float argument)

    def __post_init__(self):
        if not self.name:
            fname = getattr(self.fn, "__qualname__", None) or getattr(self.fn, "__name__", "?")
            mod = getattr(self.fn, "__module__", None) or ""
            if self.fn in vars(np).values() or self.fn is np.linalg.norm:
                mod = "np"
            self.name = f"{mod.split('.')[-1]}.{fname}"

    @property
    def id(self):
        def d(a):
            if isinstance(a, (list, tuple)) and not isinstance(a, str):
                return "[" + ",".join(d(e) for e in a) + "]"
            if isinstance(a, np.ndarray):
                return "x".join(map(str, a.shape)) or "0d"
            if isinstance(a, float) and type(a) is not float:
                return "npf"
            return repr(a)[:12]
        kw = ",".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return f"{self.name}({','.join(d(a) for a in self.args)}{';' + kw if kw else ''})"


CASES: list[Case] = []
_rng = np.random.default_rng(20240611)


def add(fn, *args, _wrt=None, **kwargs):
    CASES.append(Case(fn, args, kwargs, wrt=_wrt))


# -- input makers -----------------------------------------------------------------------
def u(*shape, lo=-1.0, hi=1.0):
    """Uniform float64 array (or a Python float for shape ``()``... see ``kinds``)."""
    return _rng.uniform(lo, hi, size=shape)


def away(*shape, lo=0.3, hi=1.0):
    """Values with |x| in [lo, hi] and random sign (away from kinks at 0)."""
    return u(*shape, lo=lo, hi=hi) * _rng.choice([-1.0, 1.0], size=shape)


def kinds(make):
    """The same domain as a Python float, NumPy scalar, 0-d, vector and matrix."""
    return [float(make()), np.float64(make()), np.array(make()), make(4), make(2, 3)]


def pos(*shape):
    return u(*shape, lo=0.5, hi=2.0)


def unit(*shape):
    return u(*shape, lo=-0.8, hi=0.8)


BROADCAST_PAIRS = [((), ()), ((2, 3), (2, 3)), ((3, 4), (4,)), ((3, 1), (1, 4)),
                   ((), (2, 3)), ((2, 3), ()), ((4,), (3, 4)), ("py", (3,)), ((3,), "py")]


def pair(shapes, mx=u, my=u):
    sx, sy = shapes
    x = float(mx()) if sx == "py" else mx(*sx)
    y = float(my()) if sy == "py" else my(*sy)
    return x, y


# -- NumPy elementwise ----------------------------------------------------------------------
UNARY_DOMAINS = {
    np.sin: u, np.cos: u, np.tan: unit, np.exp: u, np.exp2: u, np.expm1: u, np.log: pos,
    np.log2: pos, np.log10: pos, np.log1p: lambda *s: u(*s, lo=-0.5, hi=1.0), np.sqrt: pos,
    np.cbrt: away, np.square: u, np.reciprocal: away, np.tanh: u, np.sinh: u, np.cosh: u,
    np.arcsin: unit, np.arccos: unit, np.arctan: u, np.arcsinh: u,
    np.arccosh: lambda *s: u(*s, lo=1.2, hi=3.0), np.arctanh: unit, np.abs: away,
    np.fabs: away, np.negative: u, np.positive: u, np.deg2rad: u, np.radians: u,
    np.rad2deg: u, np.degrees: u,
}
for _f, _mk in UNARY_DOMAINS.items():
    for _x in kinds(_mk):
        add(_f, _x)

for _shapes in BROADCAST_PAIRS:
    for _f in (np.add, np.subtract, np.multiply, np.logaddexp, np.logaddexp2, np.maximum,
               np.minimum, np.fmax, np.fmin, np.hypot, operator.add, operator.sub,
               operator.mul):
        add(_f, *pair(_shapes))
    for _f in (np.divide, operator.truediv):
        add(_f, *pair(_shapes, u, away))
    for _f in (np.power, operator.pow):
        add(_f, *pair(_shapes, pos, u))
    add(np.arctan2, *pair(_shapes, u, pos))
    add(np.copysign, *pair(_shapes, away, away))
    add(H.xlogy, *pair(_shapes, u, pos))

# x ** y with an integer exponent, a negative base, and a zero base with active exponent
add(np.power, u(3, 4), 3)
add(operator.pow, -1.5, 3)
add(operator.pow, pos(3), 2.0)
add(operator.pow, 0.0, 2.5, _wrt=(1,))
add(np.power, np.array([0.0, 1.5, 2.0]), 2.5, _wrt=(1,))
add(H.xlogy, np.array([0.0, 1.5, -2.0]), pos(3))
# fdiv/fpow: / and ** with NumPy's inf/nan for Python numbers (the declared rules' own)
add(H.fdiv, *pair(((3,), (3,)), u, away))
add(H.fdiv, 0.7, -1.3)
add(H.fpow, *pair(((3,), ()), pos, u))
add(H.fpow, 1.7, 0.5)
add(H.fpow, 1.7, 3)
# a zero cotangent stays zero through sqrt/cbrt (linear in r; s selects, no derivative)
add(H.unseeded_zero, np.array([0.3, -0.8, 1.1, 0.25]), np.array([0.0, 1.5, -2.0, 0.7]),
    _wrt=(0,))  # (fixed values: the shared generator's draws stay where they were)
add(H.unseeded_zero, 0.8, 1.3, _wrt=(0,))


def _mod_pair(sx, sy):
    y = pos(*sy)
    frac = u(*np.broadcast_shapes(sx, sy), lo=0.2, hi=0.8)
    k = _rng.integers(-3, 3, size=frac.shape)
    return (k + frac) * y, y


for _sx, _sy in [((), ()), ((3, 4), (4,)), ((2, 3), (2, 3)), ((3, 1), (1, 4))]:
    add(np.mod, *_mod_pair(_sx, _sy))
    add(operator.mod, *_mod_pair(_sx, _sy))
add(operator.mod, 5.3, 2.0)

_c = u(3, 4) > 0
add(np.where, _c, u(3, 4), u(3, 4))
add(np.where, _c, u(4), u(3, 1))
add(np.where, _c[0], 0.5, u(2, 4))
add(np.where, np.array(True), u(3), 2.0)

_a = np.array([[-0.9, -0.62, -0.3, 0.1], [0.35, 0.7, 0.95, -0.1], [0.58, -0.45, 0.2, 0.0]])
add(np.clip, _a, -0.5, 0.5)
add(np.clip, _a, _a * 0 - 0.5 + u(3, 4) * 0.02, np.full((3, 1), 0.55))
add(np.clip, _a, np.full(4, -0.4), None)
add(np.clip, _a, None, 0.4)
add(np.clip, 0.3, -0.5, 0.5)
add(np.clip, 0.8, -0.5, 0.5)

# -- operators and builtins -------------------------------------------------------------------
for _x in [0.7, np.float64(-0.4), u(3), u(2, 3)]:
    add(operator.neg, _x)
    add(operator.pos, _x)
for _x in [0.7, -0.4, away(3), away(2, 3)]:
    add(operator.abs, _x)
    add(builtins.abs, _x)
for _f in (builtins.max, builtins.min):
    add(_f, 0.3, -0.6)
    add(_f, -0.2, 0.9)
    add(_f, 0.4, 0.0)
    add(_f, np.float64(-0.4), np.array(0.2))
add(builtins.float, 0.3)
add(builtins.float, np.array(-1.2))
add(builtins.float, np.float32(0.5).astype(np.float64))
add(builtins.sum, [0.3, -1.2, 2.0])
add(builtins.sum, [u(3), u(3), 0.5])
add(builtins.sum, (u(2, 3), u(3)), u(2, 1))
add(builtins.sum, [u(4), 1.5], 0.25)
add(builtins.pow, 1.3, 2.2)
add(builtins.pow, u(3), 2)
add(builtins.pow, pos(2, 3), u(3))

# -- math --------------------------------------------------------------------------------------
MATH_DOMAINS = {
    math.sin: 0.7, math.cos: -0.4, math.tan: 0.5, math.exp: 0.3, math.expm1: -0.6,
    math.log: 1.7, math.log2: 0.8, math.log10: 2.5, math.log1p: -0.3, math.sqrt: 1.4,
    math.tanh: 0.6, math.sinh: -0.9, math.cosh: 0.8, math.atan: 1.5, math.asin: 0.4,
    math.acos: -0.55, math.asinh: -1.1, math.acosh: 1.6, math.atanh: 0.35, math.fabs: -0.7,
    math.radians: 30.0, math.degrees: 0.4, math.erf: 0.45, math.erfc: -0.3,
}
for _f, _x in MATH_DOMAINS.items():
    add(_f, _x)
    add(_f, np.float64(_x))
add(math.fabs, 0.9)
add(math.log, 2.5, 3.0)
add(math.log, 0.6, 10.0)
add(math.atan2, 0.3, -0.8)
add(math.atan2, -1.2, 0.5)
add(math.hypot, 0.3, -0.8)
add(math.pow, 1.7, 2.3)
add(math.pow, 0.0, 2.5, _wrt=(1,))
add(math.pow, -1.5, 3.0, _wrt=(0,))
add(math.copysign, 0.7, -2.0)
add(builtins.divmod, 1.7, 0.6)
add(builtins.complex, 0.7, -0.3)
add(builtins.complex, 0.7)
add(np.float64, 0.7)
add(np.float64, np.float64(-0.4))
add(math.fsum, [0.5, -1.2, 0.25])
add(reversed, [0.5, u(2), -0.3])
add(builtins.divmod, u(3, 4) * 3.0, pos(4))
add(np.divmod, u(3, 4) * 3.0, pos(3, 1))
add(np.divmod, -2.3, 0.9)
add(math.copysign, -0.7, 3.0)

# -- reductions --------------------------------------------------------------------------------
AXES = [((5,), None), ((5,), 0), ((5,), -1), ((3, 4), None), ((3, 4), 0), ((3, 4), 1),
        ((3, 4), -1), ((2, 3, 4), (0, 2)), ((2, 3, 4), (-1, 0)), ((2, 3, 4), 1)]
for _shape, _axis in AXES:
    for _kd in (False, True):
        for _f in (np.sum, np.mean, np.max, np.amax, np.min, np.amin, np.prod, np.var, np.std):
            add(_f, u(*_shape), axis=_axis, keepdims=_kd)
for _f in (np.sum, np.mean, np.max, np.min, np.prod, np.var, np.std):
    if _f is not np.std:  # the std of one value is 0, where std is not differentiable
        add(_f, 0.7)
    add(_f, u(3, 4))
# initial= (a constant entry) and where= (entries left out): every reduction that takes them
_W34 = np.array([[True, False, True, True], [False, False, True, False],
                 [True, True, False, True]])
_W4 = np.array([True, False, True, True])  # broadcast over the rows
for _f in (np.max, np.amax, np.min, np.amin, np.nanmax, np.nanmin):
    _i = -9.0 if _f in (np.max, np.amax, np.nanmax) else 9.0
    add(_f, u(3, 4), initial=_i)
    add(_f, u(3, 4), initial=-_i)  # the initial value wins: all derivatives 0
    add(_f, u(3, 4), axis=1, where=_W34, initial=_i)
    add(_f, u(3, 4), axis=0, keepdims=True, where=_W4, initial=_i)
for _f in (np.sum, np.prod, np.nansum, np.nanprod):
    add(_f, u(3, 4), initial=1.5)
    add(_f, away(3, 4), where=_W34)
    add(_f, away(3, 4), axis=1, where=_W4, initial=-0.5)
    add(_f, away(3, 4), axis=0, keepdims=True, where=_W34)
add(H.masked, u(3, 4), _W34)
add(H.masked, u(3, 4), _W4)
add(H.masked, u(3, 4))
add(H.where_or_one, u(3, 4), _W34)
add(H.where_or_one, u(3, 4), _W4)
add(H.where_or_one, u(3, 4))
add(H.scaled, u(3, 4), -1.5)
add(H.scaled, u(3, 4))
add(np.var, u(3, 4), axis=1, ddof=1)
add(np.std, u(3, 4), axis=0, ddof=1, keepdims=True)
add(np.std, u(6), ddof=1)
_z = u(3, 4)
_z[1, 2] = 0.0
add(np.prod, _z)
add(np.prod, _z, axis=1)
_z2 = _z.copy()
_z2[1, 0] = 0.0
add(np.prod, _z2, axis=1, keepdims=True)
add(np.prod, _z2, axis=0)
for _axis in (None, 0, 1, -1):
    add(np.cumsum, u(3, 4), axis=_axis)
add(np.cumsum, u(5))

# -- linear algebra ----------------------------------------------------------------------------
MATMUL_SHAPES = [((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)), ((4,), (4,)),
                 ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)), ((2, 3, 4), (2, 4, 5)),
                 ((2, 1, 3, 4), (5, 4, 2)), ((2, 3, 4), (4,)), ((4,), (2, 4, 5))]
for _sa, _sb in MATMUL_SHAPES:
    add(np.matmul, u(*_sa), u(*_sb))
    _sg = np.matmul(np.zeros(_sa), np.zeros(_sb)).shape
    add(H.matmul_adjoint_a, u(*_sg), u(*_sa), u(*_sb))
    add(H.matmul_adjoint_b, u(*_sg), u(*_sa), u(*_sb))
add(operator.matmul, u(3, 4), u(4, 2))
add(operator.matmul, u(4), u(2, 4, 3))
DOT_SHAPES = [("py", (3,)), ((2, 3), "py"), ((), (3,)), ((3,), (3,)), ((2, 3), (3,)),
              ((3,), (3, 2)), ((2, 3), (3, 4)), ((2, 3, 4), (4,)), ((2, 3, 4), (4, 5)),
              ((3,), (2, 3, 4)), ((2, 3), (4, 3, 5))]
for _shapes in DOT_SHAPES:
    _x, _y = pair(_shapes)
    add(np.dot, _x, _y)
    _g = u(*np.shape(np.dot(_x, _y)))
    add(H.dot_adjoint_a, _g, _x, _y)
    add(H.dot_adjoint_b, _g, _x, _y)
for _a in [u(3, 3) + 3 * np.eye(3), u(2, 3, 3) + 3 * np.eye(3), u(2, 2)]:
    add(np.linalg.inv, _a)
    add(np.linalg.det, _a)
add(np.outer, u(3), u(4))
add(np.outer, u(2, 2), u(3))
for _shape, _kw in [((3, 3), {}), ((3, 4), {"offset": 1}), ((4, 3), {"offset": -1}),
                    ((3, 4), {"offset": -2}), ((2, 3, 3), {"axis1": 1, "axis2": 2}),
                    ((3, 2, 4), {"axis1": 0, "axis2": -1, "offset": 1})]:
    add(np.trace, u(*_shape), **_kw)
    _g = u(*np.shape(np.trace(np.zeros(_shape), **_kw)))
    add(H.untrace, _g, u(*_shape), _kw.get("offset", 0), _kw.get("axis1", 0),
        _kw.get("axis2", 1))
for _shape, _kw in [((5,), {}), ((5,), {"ord": 2}), ((5,), {"ord": 1}),
                    ((5,), {"ord": np.inf}), ((5,), {"ord": -np.inf}), ((3, 4), {}),
                    ((3, 4), {"ord": "fro"}), ((3, 4), {"axis": 1}),
                    ((3, 4), {"axis": 0, "ord": 1}), ((3, 4), {"axis": -1, "ord": np.inf}),
                    ((2, 3, 4), {"axis": (1, 2)}), ((3, 4), {"axis": 1, "keepdims": True}),
                    ((3, 4), {"keepdims": True})]:  # ord=0 is refused
    add(np.linalg.norm, away(*_shape), **_kw)
for _shape, _ord, _axis, _kd in [((5,), None, None, False), ((3, 4), None, 1, False),
                                 ((3, 4), 2, 0, True), ((5,), 1, None, False),
                                 ((3, 4), np.inf, 1, False), ((3, 4), "fro", None, False)]:
    _x = away(*_shape)
    add(H.norm_dir, _x, np.linalg.norm(_x, _ord, _axis, _kd) * 1.3, _ord, _axis, _kd)

# -- shapes ------------------------------------------------------------------------------------
add(np.reshape, u(3, 4), (4, 3))
add(np.reshape, u(3, 4), (2, -1))
add(np.reshape, u(3, 4), -1)
add(np.reshape, u(3, 4), (6, 2), order="F")
add(np.reshape, 0.5, (1, 1))
add(H.method_reshape, u(3, 4), 2, 6)
add(H.method_reshape, u(3, 4), (12,))
add(H.method_reshape, u(3, 4), -1, 2)
add(np.ravel, u(3, 4))
add(np.ravel, u(2, 3, 2), order="F")
add(np.squeeze, u(3, 1, 4))
add(np.squeeze, u(3, 1, 1), axis=1)
add(np.squeeze, u(1, 3, 1), axis=(0, 2))
add(np.expand_dims, u(3, 4), 0)
add(np.expand_dims, u(3, 4), -1)
add(np.expand_dims, u(3), (0, 2))
add(np.transpose, u(3, 4))
add(np.transpose, u(2, 3, 4), (1, 0, 2))
add(np.transpose, u(2, 3, 4), (-1, 0, 1))
add(H.method_transpose, u(3, 4))
add(H.method_transpose, u(2, 3, 4), 1, 2, 0)
add(H.method_transpose, u(2, 3, 4), (2, 0, 1))
add(np.swapaxes, u(2, 3, 4), 0, 2)
add(np.swapaxes, u(3, 4), -1, 0)
add(np.moveaxis, u(2, 3, 4), 0, -1)
add(np.moveaxis, u(2, 3, 4), (0, 1), (2, 0))
add(np.flip, u(3, 4))
add(np.flip, u(3, 4), 1)
add(np.roll, u(5), 2)
add(np.roll, u(3, 4), 1, 0)
add(np.roll, u(3, 4), (1, -2), (0, 1))
add(np.concatenate, [u(2, 3), u(4, 3)])
add(np.concatenate, (u(3, 2), u(3, 1), u(3, 4)), axis=1)
add(np.concatenate, [u(2, 3), u(2, 2)], axis=-1)
add(np.concatenate, [u(2, 3), u(4)], axis=None)
add(np.stack, [u(3), u(3), u(3)])
add(np.stack, (u(2, 3), u(2, 3)), axis=1)
add(np.stack, [u(2, 3), u(2, 3)], axis=-1)
add(np.stack, [0.5, np.float64(0.2)])
add(np.vstack, [u(3), u(2, 3)])
add(np.vstack, (u(2, 2), u(1, 2)))
add(np.hstack, [u(3), u(2)])
add(np.hstack, [u(2, 3), u(2, 1)])
add(np.broadcast_to, u(4), (3, 4))
add(np.broadcast_to, u(3, 1), (2, 3, 4))
add(np.broadcast_to, 0.5, (2, 2))
add(np.full_like, u(3, 4), 0.5)
add(np.full_like, u(3, 4), u(4))
add(np.full, (2, 3), 0.25)
add(np.full, (2, 3), u(3))
add(np.conj, u(3))
add(np.conj, 0.5)
add(np.copy, u(3, 4))
add(H.copy, u(3, 4))
add(H.copy, [0.5, u(2)])
add(H.copy, 0.3)
add(H.astype, u(3, 4), np.float64)
add(H.astype, 0.4, np.float64)
add(H.cast_like, u(3), u(3))
add(H.as_sequence, [0.5, -0.2])
add(H.as_sequence, u(3, 2))

# -- indexing ----------------------------------------------------------------------------------
for _idx in [2, -1, slice(1, 4), slice(None, None, -2), [0, 2, 2], np.array([4, 0, 4, 4]),
             np.array([True, False, True, True, False]), None, Ellipsis, (slice(1, 3), None)]:
    add(operator.getitem, u(5), _idx)
for _idx in [1, (1, 2), (slice(None), 1), (Ellipsis, None, -1), (np.array([0, 2, 0]), 1),
             (np.array([0, 2]), np.array([1, 1])), u(3, 4) > 0, (slice(None, None, 2), [3, 0])]:
    add(operator.getitem, u(3, 4), _idx)
add(operator.getitem, [0.5, -0.2, 1.3], 1)
add(operator.getitem, (u(2), 0.7, u(3)), -1)
add(operator.getitem, [0.5, u(2), 1.3, -0.4], slice(1, 3))
add(operator.getitem, (0.5, -0.2, 1.3), slice(None, None, -1))
add(H.unindex, u(3), u(5), [0, 2, 2])
add(H.unindex, u(3, 2), u(3, 4), (slice(None), slice(1, 3)))
add(H.unindex, u(2), u(3, 4), (np.array([0, 2]), np.array([1, 1])))
add(H.unindex, 0.5, [0.1, 0.2, 0.3], 1)
add(H.unindex, [0.5, u(2)], [0.1, u(2), 0.3], slice(0, 2))

# -- broadcasting/reduction helpers ------------------------------------------------------------
for _gs, _ls in [((3, 4), (4,)), ((3, 4), (3, 1)), ((2, 3, 4), (3, 1)), ((3,), "py"),
                 ((3, 4), (3, 4)), ((2, 3), ())]:
    add(H.unbroadcast, u(*_gs), 0.3 if _ls == "py" else u(*_ls))
for _gs, _ls in [((4,), (3, 4)), ((), (2, 3)), ((3, 1), (3, 4)), ((2,), (2,))]:
    add(H.broadcast_like, u(*_gs), u(*_ls))
add(H.broadcast_like, 0.5, u(2, 3))
add(H.unbroadcast_each, u(3, 4), [u(4), u(3, 4), 2.0])
add(H.unbroadcast_each, 0.5, (0.1, np.float64(0.2)))
for _shape, _axis in AXES:
    for _kd in (False, True):
        _gshape = np.sum(np.zeros(_shape), axis=_axis, keepdims=_kd).shape
        add(H.unreduce, u(*_gshape), u(*_shape), _axis, _kd)
add(H.unreduce, 0.5, 0.2)
for _shape, _axis in [((5,), None), ((3, 4), 1), ((3, 4), None), ((2, 3, 4), (0, 2))]:
    add(H.prod_except, away(*_shape), _axis)
add(H.uncumsum, u(12), u(3, 4), None)
add(H.uncumsum, u(3, 4), u(3, 4), 0)
add(H.uncumsum, u(3, 4), u(3, 4), -1)
add(H.split_like, u(6, 3), [u(2, 3), u(4, 3)], 0)
add(H.split_like, u(3, 5), (u(3, 1), u(3, 4)), -1)
add(H.split_like, u(10), [u(2, 3), u(4)], None)
add(H.split_like, u(3, 3), [u(3), u(2, 3)], 0)
add(H.concat_like, [u(2, 3), u(4, 3)], [u(2, 3), u(4, 3)], u(6, 3), 0)
add(H.concat_like, (u(3, 1), u(3, 4)), (u(3, 1), u(3, 4)), u(3, 5), 1)
add(H.concat_like, [u(2, 3), u(4)], [u(2, 3), u(4)], u(10), None)
add(H.concat_like, [u(3), u(2, 3)], [u(3), u(2, 3)], u(3, 3), 0)
add(H.stack_like, [u(3), u(3)], u(2, 3), 0)
add(H.stack_like, (u(2, 3), u(2, 3), u(2, 3)), u(2, 3, 3), -1)
add(H.sum_like, [u(3), u(2, 3), 0.5], u(2, 3))
add(H.sum_like, (0.5, np.float64(0.25)), 0.1)
add(H.unstack, u(3, 4))
add(H.unstack, u(2, 3, 4), 1)
add(H.unstack, u(2, 3), -1)


# -- the runtime helpers generated code calls (rules in ast_ad.runtime) ------------------------
def _runtime(name):
    try:
        import ast_ad.runtime as rt
    except ImportError:
        return None
    return getattr(rt, name, None)


def add_runtime(name, *args, _wrt=None, **kwargs):
    fn = _runtime(name)
    if fn is not None:
        add(fn, *args, _wrt=_wrt, **kwargs)


add_runtime("as_sequence", [0.5, -0.2])
add_runtime("as_sequence", u(3, 2))
add_runtime("add_grads", u(3), u(3))
add_runtime("add_grads", 0.5, -1.5)
add_runtime("add_grads", [0.5, u(2)], [0.1, u(2)])
add_runtime("part", [0.5, u(2)], 1)
add_runtime("part", u(3, 4), 1)
add_runtime("save_item", u(5), 2)
add_runtime("save_item", u(3, 4), (slice(None), 1))
add_runtime("save_item", [0.1, 0.2], 0)
add_runtime("take_grad", u(5), [0, 2, 2])
add_runtime("take_grad", [0.5, u(2)], 1)
add_runtime("take_written", u(5), [0, 2, 2])
add_runtime("take_written", u(3, 4), ([0, 0, 1], [2, 2, 3]))
add_runtime("take_written", u(5), 1)
add_runtime("as_float", 0.7)
add_runtime("diagonal_filled", u(3, 3), 0.5)
add_runtime("diagonal_filled", u(5, 2), u(3), True)
add_runtime("diagonal_cotangent", u(3, 3), u(2), _wrt=(0,))
add_runtime("diagonal_cotangent", u(4, 3), 0.3, _wrt=(0,))
add_runtime("check_cotangent", u(3), u(3), "a_rule", _wrt=(0,))
add_runtime("check_cotangent", 0.4, 0.2, "a_rule", _wrt=(0,))
add_runtime("check_tangent", u(2, 3), u(2, 3), "a_rule", _wrt=(0,))
add_runtime("accum_index", u(5), u(5), [0, 2, 2], u(3))
add_runtime("accum_index", u(3, 4), u(3, 4), (slice(None), 1), u(3))
add_runtime("accum_index_into", u(5), u(5), [0, 2, 2], u(3))
add_runtime("accum_index_into", u(3, 4), u(3, 4), (slice(None), 1), u(3))
add_runtime("own_grad", u(3, 4), u(3, 4), _wrt=(0,))
add_runtime("own_grad", u(4), u(3, 4), _wrt=(0,))  # b broadcasts to x
add_runtime("clear_grad", u(5), u(5), 1)
add_runtime("clear_grad", u(3, 4), u(3, 4), (slice(None), 2))
add_runtime("fix_array", u(3), u(3))
from ast_ad.signature import match as _match  # noqa: E402 (a tuple parameter's gradient)

add(_match, (0.5, u(2)), (0.1, u(2)))
add(_match, [u(3), -0.4], [u(3), 0.2])

import ast_ad as _ad  # noqa: E402 (gradient objects called inside: ast_ad/grad_calls.py)
from ast_ad import grad_calls as _gc  # noqa: E402


def _energy1(x):
    return np.sum(np.sin(x) * x ** 2)


def _energy2(a, b):
    return np.sum(np.cos(a) * b ** 3)


add(_gc.grad_call1, _ad.grad(_energy1), u(3), _wrt=(1,))
add(_gc.grad_call2, _ad.grad(_energy2, 1), u(3), u(3), _wrt=(1, 2))
add(_gc.grad_call3, _ad.grad(lambda a, b, c: np.sum(a * b * np.exp(c)), 2), u(2), u(2),
    u(2), _wrt=(1, 2, 3))
add_runtime("as_float_tangent", 0.7)
add_runtime("as_float_tangent", u(3))
add(np.array, [0.3, -0.5, 0.7])
add(np.array, [u(2), u(2)])
add(np.asarray, [[0.3, -0.5], [0.1, 0.2]])
add_runtime("array_parts", u(3), [0.1, 0.2, 0.3])
add_runtime("array_tangent", [0.1, u()], u(2))
add_runtime("tangent_setitem", u(4), u(4), 1, 0.3)
add_runtime("tangent_setitem", u(3, 2), u(3, 2), 0, u(2))
add_runtime("tangent_restore", u(4), u(4), 2, 0.3)
add(list, [0.3, -0.5, 0.7])
add(list, u(3))
add(tuple, [0.3, -0.5, 0.7])
add(tuple, u(3))

# -- pure forms of in-place updates (ufunc.at) --------------------------------------------
from ast_ad.runtime import mutation as _mutation  # noqa: E402

for _f in (_mutation.add_at, _mutation.subtract_at):
    add(_f, u(5), [0, 2, 2], u(3), _wrt=(0, 2))
    add(_f, u(3, 4), (slice(None), 1), u(3), _wrt=(0, 2))
    add(_f, u(4), [1, 1], 0.7, _wrt=(0, 2))

# -- real / imag of real arrays (x.real, x.imag) and the cotangent helper ----------------------
from ast_ad.rules import methods as _methods  # noqa: E402

for _x in kinds(u):
    add(np.real, _x)
    add(np.imag, _x)
add(_methods.match_complex, u(3), u(3), _wrt=(0,))
add(_methods.match_complex, 0.7, 0.2, _wrt=(0,))

# lists joined, repeated and edited; writes into chosen entries (runtime/sequences.py,
# runtime/mutation_slots.py)
add_runtime("put_into", u(5), [0, 2, 2], u(2))
add_runtime("put_into", u(2, 3), 4, 0.3)
add_runtime("place_into", u(4), np.array([True, False, True, True]), u(2))
add_runtime("putmask_into", u(4), np.array([True, False, True, True]), u(3))
add_runtime("multiply_at", u(4), [0, 0, 2], u(3))
add_runtime("multiply_at", u(3, 2), (slice(None), 1), 0.7)
add_runtime("seq_concat", [0.5, -1.2], [0.9, -0.3, 0.4])  # (tangent fills are 0.0)
add_runtime("seq_repeat", [0.5, u(2)], 3)
add_runtime("seq_without", [0.5, u(2), 0.1], 1)
add_runtime("seq_insert", [0.5, -0.4], 1, 0.7)
add_runtime("seq_extend", [0.5, -0.4], [0.9, 0.2])
add_runtime("fit_entry", u(3), 0.4)
add_runtime("seq_take", [0.5, u(2), 0.3], 3, 1, 3)
add_runtime("seq_place", [0.5, u(2)], 4, 1, 3, 0.0)
add_runtime("seq_fold", [0.5, 0.2, 0.1, 0.9], 2, 2)
add_runtime("seq_tile", [0.5, u(2)], 2, 3)
add_runtime("seq_drop", [0.5, u(2), 0.3], 3, 1)
add_runtime("seq_sorted", [0.5, -1.2, 0.9, 0.1])
add_runtime("seq_sorted", [0.5, -1.2, 0.9, 0.1], None, True)
add_runtime("seq_sorted", [0.5, -1.2, 0.9, 0.1], abs)
add_runtime("seq_reversed", [0.5, u(2), -0.3])
add_runtime("seq_removed", [0.5, True, -1.2, 0.9], True, _wrt=(0,))  # (a flag: not varied)
add_runtime("dict_updated", {"a": 0.5, "b": u(2)}, {"b": u(2), "c": -0.4})
add_runtime("seq_permute", [0.5, u(2), 0.3], 3, [2, 0, 1])
add_runtime("seq_unpermute", [0.5, u(2), 0.3], 3, [2, 0, 1])
add_runtime("dict_keep", {"a": 0.5, "b": u(2), "c": 0.2}, frozenset({"b"}))
add_runtime("dict_keep", {"a": 0.5, "b": u(2), "c": 0.2}, frozenset({"b"}), False)
add_runtime("seq_put", [0.5, u(2)], 2, 1, 0.0)
add_runtime("seq_onehot", 0.6, 3, 1, 0.0)
add_runtime("in_place_result", np.array([0.5, -0.2]), np.array([0.3, 0.9]))  # fixed values:
add_runtime("in_place_result", 0.4, 0.7)  # (the shared RNG's later draws stay the same)
for _f in (np.asanyarray, np.ascontiguousarray, np.asfortranarray):
    add(_f, np.array([[0.5, -0.2], [0.3, 0.9]]))
add(np.array, np.array([0.5, -0.2, 0.8]), copy=True, order="C")
add(np.asarray, np.array([0.5, -0.2]), order="C")


# -- the breadth issue's rules, one case file per area -------------------------------------
from . import (  # noqa: E402, F401
    cases_breadth,
    cases_linalg_more,
    cases_numpy_extra,
    cases_numpy_more,
    cases_scipy,
)
