"""Receivers: the objects whose methods a function calls, resolved when the gradient is
generated, with what that resolution assumes.

A method call ``r.m(a)`` (also ``r(a)`` through ``__call__``) resolves to a user
function when the receiver ``r`` is known now:

- a known object: the bound ``self`` of a method gradient (``objects.Bound``), a global or
  closure variable, an attribute of one (``self.act``, ``self.act.inner``, read from the
  instance's own entries, never through a property), an element at a constant index, a
  local assigned once from one of these (``_t = self.act`` after A-normal form), or
  ``super()`` inside a method; each step is an *assumption* returned as a guard
  ``(view, name, expected)`` (``view.get(name) is expected`` on every call, else the
  gradient is regenerated);
- an instance of a known class (``objects.Typed``): a parameter whose type the call
  specialises on, or the loop variable over a list of layers that are all exactly one
  class (``for layer in self.layers: x = layer(x)``); its methods resolve on the class,
  and the generated method checks its receiver at run time (``objects.check_instance``).

An attribute that the function itself assigns anywhere (``self.act = ...``) is never
followed: its value could change while the function runs.

>>> import gast
>>> from ast_ad.frontend.resolve import Env
>>> from ast_ad.objects import Bound
>>> class Act:
...     def fn(self, z):
...         return 2 * z
>>> class Net:
...     def __init__(self):
...         self.act = Act()
>>> net = Net()
>>> t = gast.parse("def f(self, z):\\n    _t = self.act\\n    return _t.fn(z)").body[0]
>>> rc = Receivers.of(t, Env({}, {}, {"self", "z", "_t"}), {"self": Bound(net)}, {})
>>> fn, recv, guards = rc.resolve(t.body[1].value.func)
>>> fn.__func__ is Act.fn, gast.unparse(recv).strip(), len(guards)
(True, '_t', 2)
"""

from __future__ import annotations

import types

import gast

from ...frontend.resolve import LOCAL, MISSING
from ...ir.walk import nodes
from ...objects import (
    ABSENT,
    AttrView,
    Bound,
    ElementsView,
    Typed,
    call_method,
    class_attr,
    method_of,
    plain_attr,
)
from ...signature import own_signature
from .library import is_library, user_class  # noqa: F401  (user_class: re-exported)


class SuperView:
    """Guard view: what ``super(start, obj).name`` finds now (the raw class attribute)."""

    def __init__(self, start, obj):
        self.start, self.obj = start, obj

    def get(self, name, default=None):
        return super_attr(type(self.obj), self.start, name)

    def __eq__(self, other):
        return type(other) is SuperView and other.start is self.start and \
            other.obj is self.obj

    def __hash__(self):
        return id(self.obj)


def super_attr(cls, start, name):
    mro = getattr(cls, "__mro__", ())
    if start not in mro:
        return ABSENT
    for k in mro[mro.index(start) + 1:]:
        if name in k.__dict__:
            return k.__dict__[name]
    return ABSENT


class Sampled:
    """A list or tuple read from a ``Typed`` sample: only its entries' classes count."""

    def __init__(self, seq):
        self.seq = seq


class Super:
    """``super()`` inside a method whose ``self`` is known (an object or ``Typed``)."""

    def __init__(self, start, self_value, self_name):
        self.start, self.self_value, self.self_name = start, self_value, self_name

    def method(self, name):
        cls = self.self_value.cls if isinstance(self.self_value, Typed) else \
            type(self.self_value)
        raw = super_attr(cls, self.start, name)
        if isinstance(raw, types.FunctionType):
            return types.MethodType(raw, self.self_value), raw
        return None, raw


class Receivers:
    def __init__(self, env, static_args, nested, defs, stored_attrs, arg_kinds, params,
                 wrt=()):
        self.env = env
        self.static_args = static_args
        self.nested = nested
        self.defs = defs  # local -> its one defining value
        self.stored_attrs = stored_attrs  # attribute names the function assigns
        self.arg_kinds = arg_kinds
        self.params = params
        self.wrt = frozenset(wrt)  # a differentiated object is no known receiver
        self.assigned = frozenset()  # every name the (normalized) function binds
        self.support = {}  # the namer's support objects (alias -> object)
        self.defaults = {}  # parameter -> its default value (a sample of its class)

    @classmethod
    def of(cls, tree, env, static_args, nested, arg_kinds=None, wrt=(), support=None,
           fn=None):
        a = tree.args
        params = [p.id for p in a.args + a.kwonlyargs if isinstance(p, gast.Name)]
        count, defs, stored = {}, {}, set()
        for n in nodes(tree):
            if isinstance(n, gast.Attribute) and isinstance(n.ctx, (gast.Store, gast.Del)):
                stored.add(n.attr)
            elif isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Del)):
                count[n.id] = count.get(n.id, 0) + 1
            if isinstance(n, gast.Assign) and len(n.targets) == 1 and \
                    isinstance(n.targets[0], gast.Name):
                defs[n.targets[0].id] = n.value
        defs = {k: v for k, v in defs.items() if count.get(k) == 1 and k not in params}
        made = cls(env, static_args, nested, defs, stored, dict(arg_kinds or {}), params, wrt)
        made.assigned = frozenset(count) | frozenset(params)
        made.support = support if support is not None else {}
        made.defaults = _defaults(fn)
        return made

    # -- values -----------------------------------------------------------------------
    def value(self, node, guards, depth=0):
        """The object ``node`` denotes now (or a ``Typed``/``Super`` marker), else ABSENT;
        appends the guards of the steps taken from a stable root."""
        if depth > 20:
            return ABSENT
        if isinstance(node, gast.Name):
            return self._name(node.id, guards, depth)
        if isinstance(node, gast.Attribute):
            if node.attr in self.stored_attrs:
                return ABSENT
            base = self.value(node.value, guards, depth + 1)
            if isinstance(base, Typed) and base.sample is not None:
                got = plain_attr(base.sample, node.attr)  # only its class is assumed
                if isinstance(got, (list, tuple)):
                    return Sampled(got)
                return Typed(type(got), got) if user_class(type(got)) else ABSENT
            if base is ABSENT or isinstance(base, (Typed, Super)):
                return ABSENT
            if isinstance(base, types.ModuleType):
                return getattr(base, node.attr, ABSENT)
            got = plain_attr(base, node.attr)
            if got is ABSENT:
                got = method_of(base, node.attr) or ABSENT
            if got is not ABSENT and not isinstance(base, type):
                guards.append((AttrView(base), node.attr, _raw(base, node.attr)))
            return got
        if isinstance(node, gast.Subscript):
            base = self.value(node.value, guards, depth + 1)
            if isinstance(base, Sampled):  # a sample's list: the classes of its entries
                seq, idx = base.seq, node.slice
                if isinstance(idx, gast.Constant) and isinstance(idx.value, int):
                    try:
                        seq = [seq[idx.value]]
                    except IndexError:
                        return ABSENT
                first = type(seq[0]) if seq else None
                if seq and all(type(e) is first for e in seq) and user_class(first):
                    return Typed(first, seq[0])
                return ABSENT
            if not isinstance(base, (list, tuple)) or not base:
                return ABSENT
            idx = node.slice
            if isinstance(idx, gast.Constant) and isinstance(idx.value, int):
                try:
                    e = base[idx.value]
                except IndexError:
                    return ABSENT
                if isinstance(base, tuple):
                    return e
                # a list's entries may be replaced: only the class of this one is assumed
                return Typed(type(e), e) if user_class(type(e)) else ABSENT
            first = type(base[0])
            if all(type(e) is first for e in base) and user_class(first):
                guards.append((ElementsView(base, first), "__class__",
                               class_attr(first, "__class__")))
                return Typed(first, base[0])
            return ABSENT
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                node.func.id == "super" and not node.args and not node.keywords:
            return self._super()
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and \
                len(node.args) == 1 and not node.keywords and \
                getattr(self.support.get(node.func.id), "__name__", "") == "as_sequence":
            seq = self.value(node.args[0], guards, depth + 1)  # a loop over a list
            return seq if isinstance(seq, (list, tuple, Sampled)) else ABSENT
        return ABSENT

    def _name(self, name, guards, depth):
        if name in self.wrt:
            return ABSENT
        if name in self.static_args:
            v = self.static_args[name]
            return v.obj if isinstance(v, Bound) else v
        if name in self.nested:
            return self.nested[name]
        if name in self.defs:  # (also the A-normal form's temporaries)
            return self.value(self.defs[name], guards, depth + 1)
        if name in self.params:
            kind = self.arg_kinds.get(name)
            sample = self.defaults.get(name)
            if kind is None and user_class(type(sample)):
                kind = type(sample)  # a default object (`net=NET`) of a callee: any instance
            if not user_class(kind):  # of its class (each receiver checked at run time)
                return ABSENT
            return Typed(kind, sample if type(sample) is kind else None)
        if self.env.is_local(name) or name in self.assigned:
            return ABSENT
        obj = self.env.lookup_name(name)
        return ABSENT if obj is LOCAL or obj is MISSING else obj

    def _super(self):
        cell = self.env.closure.get("__class__")
        if cell is None or not self.params:
            return ABSENT
        try:
            start = cell.cell_contents
        except ValueError:
            return ABSENT
        sv = self.static_args.get(self.params[0])
        if isinstance(sv, Bound):
            return Super(start, sv.obj, self.params[0])
        if isinstance(sv, Typed):
            return Super(start, sv, self.params[0])
        return ABSENT

    # -- calls ------------------------------------------------------------------------
    def resolve(self, func):
        """``(function, receiver expression or None, guards)`` for a call of ``func`` on a
        known receiver, or None."""
        guards = []
        if isinstance(func, gast.Attribute):
            base = self.value(func.value, guards)
            if base is ABSENT or isinstance(base, (types.ModuleType, type)):
                return None
            if func.attr in self.stored_attrs:
                return None
            if isinstance(base, Super):
                fn, raw = base.method(func.attr)
                if fn is None:
                    return None
                if not isinstance(base.self_value, Typed):
                    guards.append((SuperView(base.start, base.self_value), func.attr, raw))
                return fn, gast.Name(id=base.self_name, ctx=gast.Load(), annotation=None,
                                     type_comment=None), guards
            fn = method_of(base, func.attr)
            if fn is None:
                return None
            if not isinstance(base, Typed):
                guards.append((AttrView(base), func.attr, _raw(base, func.attr)))
            recv = _clone(func.value) if isinstance(fn, types.MethodType) else None
            return fn, recv, guards
        if isinstance(func, gast.Name):
            obj = self.value(func, guards)
            if obj is ABSENT:
                return None
            if isinstance(obj, types.MethodType) and isinstance(obj.__func__,
                                                                 types.FunctionType):
                # m = NET.forward; m(u): the receiver is the bound method's object
                return obj, gast.Attribute(value=_clone(func), attr="__self__",
                                           ctx=gast.Load()), guards
            if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
                return obj, None, guards
            fn = call_method(obj)
            if fn is None or not (isinstance(obj, Typed) or user_class(type(obj))):
                return None
            if not isinstance(obj, Typed):
                guards.append((AttrView(obj), "__call__", _raw(obj, "__call__")))
            return fn, _clone(func), guards
        return None


def _defaults(fn):
    import inspect

    try:  # (a plain function's own signature is what inspect.signature(fn) reads)
        ps = (own_signature(fn) if type(fn) is types.FunctionType and
              "__wrapped__" not in fn.__dict__ else inspect.signature(fn)).parameters.values()
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in ps if p.default is not p.empty}


def _raw(obj, name):
    from ...objects import raw_attr

    return raw_attr(obj, name)


def _clone(node):
    import copy

    return copy.deepcopy(node)
