"""The few marker types that the passes must recognise, defined below every pass.

- ``GradientObject``: the base of ``api.GradientFunction``.  A pass that meets one (a
  ``grad(f)`` called inside a differentiated function) needs only ``.fn``, never the API
  layer itself.
- ``Bound``: the object a method gradient is bound to; ``self.helper(x)`` in its body
  resolves statically to the bound method.

>>> class Model:
...     def helper(self, x):
...         return 2 * x
>>> b = Bound(Model())
>>> b == Bound(b.obj), b.method("helper").__name__
(True, 'helper')
"""

from __future__ import annotations

import types

import numpy as np


class GradientObject:
    """Marker base of ast_ad's gradient objects (``fn`` is the differentiated function)."""

    fn = None


def plain_gradient(G) -> bool:
    """Whether calls of ``G`` can become ``grad_call`` calls: a gradient made by
    ``ast_ad.grad`` of a Python function, one position in ``wrt``, no value or aux
    (their rules: ``ast_ad.grad_calls``)."""
    return isinstance(G, GradientObject) and isinstance(
        getattr(G, "_target", None), types.FunctionType) and G._self is None and \
        G._spec.single and not G.with_value and not G.has_aux and G.fallback is None and \
        G._target.__code__.co_flags & 0x0C == 0


def grad_call1(G, a):
    return G(a)


def grad_call2(G, a, b):
    return G(a, b)


def grad_call3(G, a, b, c):
    return G(a, b, c)


#: a plain gradient object called with 1-3 positional arguments, as generated code calls it
CALLS = {1: grad_call1, 2: grad_call2, 3: grad_call3}


class _Receiver:
    """What ``Bound`` and ``Typed`` share: equal when they denote the same object (or
    class), hashable, and never ordered (they sit in sorted keys beside names)."""

    def _denotes(self):
        raise NotImplementedError

    def __eq__(self, other):
        return type(other) is type(self) and other._denotes() is self._denotes()

    def __hash__(self):
        return id(self._denotes())

    def __lt__(self, other):
        return False


class Bound(_Receiver):
    """The object a method gradient is bound to (its methods resolve statically)."""

    def __init__(self, obj):
        self.obj = obj

    def method(self, name):
        return getattr(self.obj, name, None)

    def value(self, name):
        """``obj.name`` when reading it runs no user code (else None)."""
        v = plain_attr(self.obj, name)
        return None if v is ABSENT else v

    def _denotes(self):
        return self.obj


class Typed(_Receiver):
    """Some instance of exactly ``cls`` (a parameter's type, the elements of a list of
    layers): its methods resolve on the class; the instance is known only at run time."""

    def __init__(self, cls, sample=None):
        self.cls = cls
        self.sample = sample  # an instance seen now (a default argument, an attribute of
        # another sample): it tells the classes of attributes; each is checked again
        # where it becomes a receiver, so the code never depends on this one object

    def value(self, name):
        return None

    def method(self, name):
        raw = class_attr(self.cls, name)
        if isinstance(raw, staticmethod):
            return raw.__func__
        if isinstance(raw, types.FunctionType):
            return types.MethodType(raw, self)
        return None

    def _denotes(self):
        return self.cls

    def __repr__(self):
        return f"<an instance of {self.cls.__qualname__}>"


ABSENT = object()


def class_attr(cls, name):
    """The raw attribute ``name`` of a class through its MRO (no descriptor is run)."""
    for k in getattr(cls, "__mro__", (cls,)):
        d = getattr(k, "__dict__", {})
        if name in d:
            return d[name]
    return ABSENT


def raw_attr(obj, name):
    """What ``obj.name`` is made of, without running a descriptor: the instance's own
    entry, else the class attribute (a function, a property, a value)."""
    d = getattr(obj, "__dict__", None)
    if isinstance(d, dict) and name in d:
        return d[name]
    return class_attr(type(obj), name)


def plain_attr(obj, name):
    """``obj.name`` when reading it runs no user code (an instance entry, or a class value
    that is no descriptor: not a property, not a method); else ABSENT."""
    d = getattr(obj, "__dict__", None)
    if isinstance(d, dict) and name in d:
        return d[name]
    raw = class_attr(type(obj), name)
    return ABSENT if hasattr(type(raw), "__get__") else raw


def method_of(obj, name):
    """The Python function a call ``obj.name(...)`` runs, bound as Python binds it (a bound
    method, or a plain function for a static method or an instance entry); None when it
    is not plain user-visible Python (a builtin, a property, a classmethod...)."""
    if isinstance(obj, Typed):
        return obj.method(name)
    raw = raw_attr(obj, name)
    d = getattr(obj, "__dict__", None)
    if isinstance(d, dict) and name in d:
        return raw if isinstance(raw, types.FunctionType) else None
    if isinstance(raw, staticmethod) and isinstance(raw.__func__, types.FunctionType):
        return raw.__func__
    if isinstance(raw, types.FunctionType):
        return types.MethodType(raw, obj)
    return None


def call_method(obj):
    """The bound ``__call__`` of an instance of a user class (``NET(x)``, ``self(x)``)."""
    if isinstance(obj, (type, types.FunctionType, types.MethodType)) or obj is None:
        return None
    raw = class_attr(type(obj), "__call__") if not isinstance(obj, Typed) else \
        class_attr(obj.cls, "__call__")
    if isinstance(raw, types.FunctionType):
        return types.MethodType(raw, obj)
    return None


class AttrView:
    """Guard view (``view.get(name) is expected``): what ``obj.name`` is made of now."""

    def __init__(self, obj):
        self.obj = obj

    def get(self, name, default=None):
        return raw_attr(self.obj, name)

    def __eq__(self, other):
        return type(other) is type(self) and other.obj is self.obj

    def __hash__(self):
        return id(self.obj)


def default_of(fn, name):
    """The current default of ``fn``'s parameter ``name`` (ABSENT when it has none)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return ABSENT
    kw = getattr(fn, "__kwdefaults__", None) or {}
    if name in kw:
        return kw[name]
    pos = list(code.co_varnames[:code.co_argcount])
    ds = getattr(fn, "__defaults__", None) or ()
    k = pos.index(name) - (len(pos) - len(ds)) if name in pos else -1
    return ds[k] if 0 <= k < len(ds) else ABSENT


def default_static(fn, name):
    """A static argument for ``fn``'s parameter ``name`` left to its default by a call:
    ``Bound(obj)`` for an instance of a user class (``net=NET``: its methods resolve as a
    global object's), the function itself for a function (``act=np.tanh``); None for
    anything else (numbers, arrays: ordinary values of the generated code)."""
    from .passes.analysis.library import user_class

    d = default_of(fn, name)
    if d is ABSENT or d is None or isinstance(d, type):
        return None
    if isinstance(d, (types.FunctionType, types.BuiltinFunctionType, np.ufunc)):
        return d
    return Bound(d) if user_class(type(d)) else None


def default_objects(fn, params, values, skip=()) -> dict:
    """``{param: Bound(obj)}`` for the ``values`` (of ``params``) that are ``fn``'s own
    default objects (``objects.default_static``), ``skip`` (differentiated) left out."""
    if not (getattr(fn, "__defaults__", None) or getattr(fn, "__kwdefaults__", None)):
        return {}
    return {p: Bound(v) for p, v in zip(params, values) if p not in skip and
            isinstance(default_static(fn, p), Bound) and default_of(fn, p) is v}


class DefaultsView(AttrView):
    """Guard view: ``get(name)`` is ``fn``'s current default of ``name``, so that code made
    for a default object is made again when ``fn.__defaults__`` is rebound (``obj``: the
    function; equal views denote the same function)."""

    def get(self, name, default=None):
        return default_of(self.obj, name)


class ElementsView:
    """Guard view over a sequence of objects of one class: ``get(name)`` is the class's raw
    ``name`` while every element is exactly an instance of ``cls`` and none of them has
    its own ``name``; else ABSENT."""

    def __init__(self, seq, cls):
        self.seq, self.cls = seq, cls

    def get(self, name, default=None):
        try:
            ok = all(type(e) is self.cls and name not in getattr(e, "__dict__", ())
                     for e in self.seq)
        except TypeError:
            ok = False
        return class_attr(self.cls, name) if ok else ABSENT

    def __eq__(self, other):
        return type(other) is type(self) and other.seq is self.seq and other.cls is self.cls

    def __hash__(self):
        return id(self.seq)


def check_instance(obj, cls, names, label):
    """The run-time check before a method generated for any instance of ``cls`` runs:
    ``obj`` must be exactly such an instance, with none of ``names`` of its own."""
    d = getattr(obj, "__dict__", ())
    if type(obj) is not cls or any(n in d for n in names):
        from .errors import AstAdError

        raise AstAdError(
            f"{label} was differentiated for instances of {cls.__qualname__}, but is called "
            f"on {type(obj).__qualname__} object (or one that overrides a method it uses); "
            "call the gradient again after changing objects' classes, or keep one class per "
            "list of layers")
