"""Analyze: a normalized function -> one immutable ``Facts`` record.

The later stages read these facts and nothing else of the analyses: activity
(``varied``, ``useful``, ``active``), the statements that may ``overwrite`` a value,
value ``kinds``, ``shapes``, the names that are surely floats, the names surely holding
arrays without a dimension of length 1 (``long``, ``result_shaped``), and the call
resolver with its one classification per callee (``decision``).

>>> import gast
>>> from types import SimpleNamespace
>>> from ast_ad.frontend.resolve import Env
>>> from ast_ad.ir.unit import Request
>>> from ast_ad.rules.registry import default_registry
>>> t = gast.parse("def f(x):\\n    y = x * x\\n    return y").body[0]
>>> unit = SimpleNamespace(tree=t, params=["x"], fn=None, nested={},
...                        env=Env({}, {}, {"x", "y"}), namer=SimpleNamespace(support={}))
>>> facts = analyze(unit, Request(wrt=("x",), arg_kinds={"x": float},
...                                registry=default_registry))
>>> sorted(facts.active), facts.all_pyfloat
(['x', 'y'], True)
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import gast
import numpy as np

from ...ir.lattice import Kind, Shape
from ...signature import param_names
from .activity import overwrites, return_name, useful, varied
from .calls import Decision, Resolver, classify
from .elements import _TOP as TOP
from .elements import Elements
from .entries import _I8 as INT_SPEC
from .kinds import sequence_names, surely_floats, value_kinds
from .long_dims import long_names, result_shaped
from .realness import surely_real
from .shapes import shape_classes


@dataclass(frozen=True)
class Facts:
    params: tuple
    wrt: tuple
    varied: frozenset
    useful: frozenset
    active: frozenset
    overwrites: frozenset  # statements whose target may already hold a value
    kinds: Any  # name -> Kind (read-only mapping)
    shapes: Any  # name -> Shape (read-only mapping)
    pyfloat: frozenset  # names surely holding a Python float / np.float64
    all_pyfloat: bool  # every active value is such a float
    sequences: frozenset  # names surely holding a list or tuple
    elements: Any  # element reads of the arrays seen at the call (analysis.elements)
    real: frozenset  # names surely never complex (analysis.realness)
    resolver: Resolver
    registry: Any
    self_fn: Any
    value_shapes: Any = field(default_factory=lambda: MappingProxyType({}))  # stmt -> Shape
    long: Any = field(default_factory=lambda: MappingProxyType({}))  # name -> ndim (long_dims)

    def kind(self, name) -> Kind:
        return self.kinds.get(name, Kind.ANY)

    def shape(self, name) -> Shape:
        return self.shapes.get(name, Shape.UNKNOWN)

    def shape_at(self, stmt, name) -> Shape:
        """The class of ``name`` just after ``stmt`` assigned it (sharper than
        ``shape(name)`` for a name bound more than once)."""
        c = self.value_shapes.get(stmt)
        return c if c is not None else self.shape(name)

    def result_shaped(self, fn, args, keywords, target, signed=False) -> bool:
        """``fn(*args)`` elementwise surely has the shape of its operand ``target``, a
        long array, as have the contributions to it (``long_dims.result_shaped``)."""
        return result_shaped(self, fn, args, keywords, target, signed)

    def callable(self, func):
        return self.resolver.callable(func)

    def decision(self, func) -> Decision:
        """The classification of a call's callee (see ``analysis.calls``)."""
        return classify(self.resolver.callable(func), self.registry, self.self_fn)

    def has_active_args(self, call) -> bool:
        active = self.active
        return any(getattr(a, "id", None) in active for a in call.args) or any(
            getattr(k.value, "id", None) in active for k in call.keywords)


def analyze(unit, request, resolver=None, elements=None) -> Facts:
    """The facts of ``unit.tree``; ``resolver``, ``elements``: those of this very tree
    computed already (by the passes before, which then changed nothing), reused."""
    tree, params, registry = unit.tree, tuple(unit.params), request.registry
    if resolver is None:
        resolver = Resolver.of(unit, request)
    v = varied(tree.body, set(request.wrt), lambda value: resolver.nondiff_value(value,
                                                                                  registry))
    u = useful(tree.body, return_name(tree))
    kinds = request.arg_kinds
    scalar = {p for p, t in kinds.items() if t in (float, int, np.float64, bool)}
    callee = _callee_rule(unit, resolver, registry)
    if elements is None:
        elements = Elements.of(tree.body, params, request.arrays, kinds, resolver,
                               callee and callee[0])
    pyfloat = surely_floats(tree.body, params, kinds, resolver, elements)
    active = v & u
    at = {}  # statement -> the shape class of the value it assigns (filled by shapes)
    shapes = shape_classes(tree.body, params, scalar, resolver, elements, pyfloat,
                           callee and callee[1](elements), at)
    return Facts(
        params=params, wrt=tuple(request.wrt), varied=v, useful=u, active=active,
        overwrites=overwrites(tree.body, params),
        kinds=MappingProxyType(value_kinds(tree.body, params, kinds, resolver, registry,
                                           frozenset(elements.arrays))),
        shapes=MappingProxyType(shapes),
        value_shapes=MappingProxyType(at),
        long=MappingProxyType(long_names(
            tree.body, params, getattr(request, "long", ()), elements, resolver, pyfloat,
            shapes, getattr(request, "lengths", ()),
            _callee_long(unit, resolver, registry, elements))),
        pyfloat=pyfloat, all_pyfloat=active <= pyfloat,
        sequences=sequence_names(tree.body, params, kinds, resolver, active),
        elements=elements,
        real=surely_real(tree.body, params, kinds, request.arrays, resolver, frozenset(
            n for n, (_, dt) in elements.arrays.items() if dt.kind in "fiub")),
        resolver=resolver, registry=registry,
        self_fn=unit.fn)


def _callee_rule(unit, resolver, registry):
    """The spec rule of ``h(a, b)``, a user function's call: its return's ndim and dtype
    for the specs of its arguments (``Callees.return_spec``), and a function of the
    caller's ``Elements`` giving the call's fixed return shape (``Callees.return_shape``);
    None when there are no callees."""
    callees = getattr(unit, "callees", None)
    if callees is None or not hasattr(callees, "return_spec"):
        return None
    target = _user_call(unit, resolver, registry)

    def rule(v):
        t = target(v)
        if t is None:
            return None
        fn, params = t
        names = [a.id for a in v.args]
        _hold(unit, callees, fn)

        def combine(specs):  # (an argument of no known spec is left to the callee)
            return callees.return_spec(fn, {p: x for p, x in zip(params, specs)
                                            if x is not None}, registry)
        return names, combine, "partial"

    def shape_rule(elements):
        def shape(v):
            t = target(v)
            if t is None:
                return None
            specs = [elements.arrays.get(a.id) for a in v.args]
            if any(x is None for x in specs):
                return None
            _hold(unit, callees, t[0])
            return callees.return_shape(t[0], dict(zip(t[1], specs)), registry)
        return shape

    return rule, shape_rule


def _user_call(unit, resolver, registry):
    """``target(call)``: ``(fn, its parameter names)`` of a call of a user function with
    plain-name positional arguments (not the function itself), else None."""
    def target(v):
        if v.keywords or not all(isinstance(a, gast.Name) for a in v.args):
            return None
        fn = resolver.callable(v.func)
        if not isinstance(fn, types.FunctionType) or fn is unit.fn or \
                classify(fn, registry, unit.fn).what != "user":
            return None
        params = param_names(fn)
        return (fn, params) if len(v.args) <= len(params) else None
    return target


def _callee_long(unit, resolver, registry, elements):
    """``long_dims``' rule of a user function's call: the long ndim of its value for the
    specs of its arguments, those of them that are long arrays and the ints among them
    that are never 1 (``Callees.return_long``); None when there are no callees."""
    callees = getattr(unit, "callees", None)
    if callees is None or not hasattr(callees, "return_long"):
        return None
    target = _user_call(unit, resolver, registry)

    def rule(v, long, lengths):
        t = target(v)
        if t is None:
            return None
        specs, longs, lens = {}, set(), set()
        for p, a in zip(t[1], v.args):
            k = long(a)
            if k is TOP:
                return TOP
            spec = INT_SPEC if a.id in elements.ints else elements.arrays.get(a.id)
            if spec is not None:
                specs[p] = spec
                if k == spec[0] and k >= 1:
                    longs.add(p)
            if a.id in lengths:
                lens.add(p)
        _hold(unit, callees, t[0])
        return callees.return_long(t[0], specs, longs, lens, registry)
    return rule


def _hold(unit, callees, fn):
    """The caller's code will rest on what the analysis of ``fn`` finds: it holds the
    guards on what ``fn`` reaches (rebinding one of them regenerates it)."""
    guards = getattr(unit.namer, "guards", None)
    if guards is None or not hasattr(callees, "return_guards"):
        return
    for g in callees.return_guards(fn):
        if g not in guards:
            guards.append(g)


def callee_rule(unit, resolver, registry):
    """The spec rule of user functions' calls (``Elements.of``'s ``callee``), or None."""
    rules = _callee_rule(unit, resolver, registry)
    return rules and rules[0]
