"""Callees: user functions called on differentiated values, generated in split or
forward form.  The pipeline owns one ``Callees`` (built with its own ``transform``) and
hands it to the passes, so no pass imports the pipeline.

``split_for(h, ...)`` returns a ``Split`` with ``fwd(*args) -> (value, record)`` and
``bwd(g, record) -> adjoints of the differentiated parameters``; ``jvp_for`` a ``Jvp``
with ``call(*args, **tangents) -> (value, tangent)``.  One exists per (function,
differentiated parameters, argument kinds, registry version, static arguments); it is
registered before its body is generated, so recursive functions refer to themselves.

>>> from ast_ad.pipeline import CALLEES
>>> from ast_ad.rules.registry import default_registry
>>> def h(a):
...     return a * a
>>> s, wrt = CALLEES.split_for(h, (True,), (), ("num",), default_registry)
>>> value, rec = s.fwd(3.0)
>>> value, s.bwd(1.0, rec), wrt
(9.0, (6.0,), ['a'])
"""

from __future__ import annotations

import types
import weakref

import numpy as np

from .errors import AstAdError
from .signature import param_names, spec_key


class _WeakFn:
    """``fn`` held weakly: the caches are keyed weakly on the function, and a value that
    held its key strongly would keep every dropped function (and what its closure holds)
    alive for ever."""

    @property
    def fn(self):
        return self._fn() if isinstance(self._fn, weakref.ref) else self._fn

    @fn.setter
    def fn(self, fn):
        try:
            self._fn = weakref.ref(fn)
        except TypeError:
            self._fn = fn


class Split(_WeakFn):
    def __init__(self, fn, param_names_, wrt):
        self.fn = fn
        self.param_names = param_names_
        self.wrt = wrt
        self.fwd = None
        self.bwd = None
        self.source = None
        self.guards = ()  # what its code assumes (the caller's gradient checks them too)
        self.__name__ = getattr(fn, "__name__", "f") + "_vjp"

    def __repr__(self):
        return f"<ast_ad split gradient of {self.__name__[:-4]} wrt {self.wrt}>"


class Jvp(_WeakFn):
    """A forward-mode callee: ``fn(*args, **{tangent_name: tangent})`` -> (value, tangent)."""

    def __init__(self, fn, wrt):
        self.fn = fn
        self.wrt = wrt
        self.call = None
        self.tangent_names = {}
        self.source = None
        self.guards = ()
        self.__name__ = getattr(fn, "__name__", "f") + "_jvp"


class Callees:
    def __init__(self, transform, tangent_names, analyze_return=None, dependencies=None):
        """``transform(fn, wrt, registry, kinds, mode=..., static_args=...)`` generates
        code; ``tangent_names(fn, wrt)`` predicts forward mode's tangent parameter names;
        ``analyze_return(fn, specs, registry, long, lengths)`` the (ndim, dtype), fixed
        shape and long ndim of what ``fn`` returns for arguments of those specs (None:
        not known; ``long``, ``lengths``: see ``return_long``); ``dependencies(fn)``:
        guards on the user functions ``fn``'s code reaches (``ast_ad.dependencies``)."""
        self._dependencies = dependencies
        self._transform = transform
        self._tangent_names = tangent_names
        self._analyze_return = analyze_return
        self._splits = weakref.WeakKeyDictionary()
        self._jvps = weakref.WeakKeyDictionary()
        self._returns = weakref.WeakKeyDictionary()
        self._deps = weakref.WeakKeyDictionary()

    def return_spec(self, fn, specs, registry):
        """(ndim, np.dtype) of ``fn(...)``'s value for arguments of the ``specs``
        (parameter -> (ndim, np.dtype)), or None; once per (function, specs, registry
        version).  A call met again while its own analysis runs (recursion) is None."""
        return self._returned(fn, specs, registry)[0]

    def return_shape(self, fn, specs, registry):
        """The ``Shape.fixed`` class of ``fn(...)``'s value (``np.array([a, b])`` of two
        numbers: ``(2,)``) for arguments of the ``specs``, or None."""
        return self._returned(fn, specs, registry)[1]

    def return_long(self, fn, specs, long, lengths, registry):
        """The ndim of ``fn(...)``'s value when it is surely a long array (no dimension
        of length 1, ``analysis.long_dims``; 0: a number) for arguments of the ``specs``
        of which the parameters ``long`` are long arrays and ``lengths`` ints that are
        never 1; else None."""
        return self._returned(fn, specs, registry, frozenset(long), frozenset(lengths))[2]

    def _returned(self, fn, specs, registry, long=frozenset(), lengths=frozenset()):
        if self._analyze_return is None:
            return None, None, None
        key = (tuple(sorted((p, nd, dt.str) for p, (nd, dt) in specs.items())),
               registry.version, tuple(sorted(long)), tuple(sorted(lengths)))
        try:
            per = self._returns.setdefault(fn, {})
        except TypeError:
            return None, None, None
        got = per.get(key)
        if got is not None and all(d.get(k) is o for d, k, o in got[1]):
            return got[0]  # (else a function it reaches was rebound: analysed again)
        per[key] = ((None, None, None), ())  # in progress: a recursive call knows nothing
        deps = self.return_guards(fn)
        try:
            per[key] = (self._analyze_return(fn, specs, registry, long, lengths), deps)
        except Exception:  # noqa: BLE001 - an optimisation only: a helper the stages
            per[key] = ((None, None, None), deps)  # cannot read (or refuse): not known
        return per[key][0]

    def return_guards(self, fn):
        """Guards on the user functions ``fn``'s code reaches (what its analysed value
        depends on): a caller whose code uses that value holds them too."""
        if self._dependencies is None:
            return ()
        try:
            got = self._deps.get(fn)
        except TypeError:
            return tuple(self._dependencies(fn))
        if got is None or not all(d.get(k) is o for d, k, o in got):
            got = tuple(self._dependencies(fn))  # (once per function while they hold)
            self._deps[fn] = got
        return got

    def _generate(self, table, target, key, make, mode, wrt, kinds, registry, static,
                  arrays=None):
        try:
            per = table.setdefault(target, {})
        except TypeError:
            per = {}
        made = per.get(key)
        if made is not None and all(d.get(n) is o for d, n, o in made.guards):
            return made, None
        made = make()
        per[key] = made  # visible to a recursive call while its body is generated
        try:
            gen = self._transform(target, list(wrt), registry, kinds, mode=mode,
                                  static_args=static or {}, arrays=arrays or None)
        except AstAdError:
            per.pop(key, None)
            raise
        return made, gen

    def split_for(self, fn, active_args, active_kws, kinds, registry, static=None,
                  arrays=()):
        """``arrays``: (position, ndim, dtype string) of the arguments the caller's code
        surely passes as NumPy arrays of that ndim and dtype (its element facts): the
        callee is specialised on them, as ``grad`` is on its arguments."""
        target = fn.__func__ if isinstance(fn, types.MethodType) else fn
        params = param_names(target)
        visible = params[1:] if isinstance(fn, types.MethodType) else params
        wrt = [visible[k] for k, a in enumerate(active_args) if a and k < len(visible)]
        wrt += [k for k in active_kws if k not in wrt]
        wrt = sorted(wrt, key=params.index)
        arg_kinds = {visible[k]: ("num" if kd == "num" else None)
                     for k, kd in enumerate(kinds) if k < len(visible)}
        specs = {visible[k]: (nd, dt) for k, nd, dt in arrays if k < len(visible)}
        for p, (nd, _) in list(specs.items()):
            if nd == 0:  # a float64 number (a Python float or an np.float64)
                arg_kinds[p] = np.float64
                del specs[p]
        static = kept_static(target, _with_receiver(fn, params, static))
        key = spec_key(wrt, arg_kinds, registry.version, static, tuple(sorted(specs.items())))
        split, gen = self._generate(self._splits, target, key,
                                    lambda: Split(target, visible, wrt), "split", wrt,
                                    arg_kinds, registry, static, specs)
        if gen is not None:
            split.fwd, split.bwd = gen.compiled
            split.fwd = _checked(split.fwd, static, params, target)
            split.source = gen.source
            split.guards = tuple(gen.guards) + _default_guards(target, static)
        return split, wrt

    def jvp_for(self, fn, wrt, kinds, registry, static=None):
        """The forward-mode version of ``fn`` for tangents of the parameters ``wrt``."""
        target = fn.__func__ if isinstance(fn, types.MethodType) else fn
        static = kept_static(target, _with_receiver(fn, param_names(target), static))
        key = spec_key(wrt, kinds, registry.version, static)

        def make():
            j = Jvp(target, tuple(wrt))
            j.tangent_names = self._tangent_names(target, wrt)  # a recursive call needs them
            return j

        j, gen = self._generate(self._jvps, target, key, make, "forward", wrt, dict(kinds),
                                registry, static)
        if gen is not None:
            j.call = _checked(gen.compiled[0], static, param_names(target), target)
            j.guards = tuple(gen.guards) + _default_guards(target, static)
            j.tangent_names = gen.tangent_names
            j.source = gen.source
        return j


_REBOUND: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def rebound_params(fn) -> frozenset:
    """The parameters ``fn``'s body assigns (``fn = np.sin``): never known statically, a
    function passed or left to its default there may be replaced while it runs."""
    target = getattr(fn, "__func__", fn)
    code = getattr(target, "__code__", None)
    if code is None:
        return frozenset()
    hit = _REBOUND.get(target)
    if hit is not None and hit[0] is code:
        return hit[1]
    from .frontend.parse import parse_function
    from .ir.nodes import stored_names

    params = frozenset(param_names(target))
    try:
        out = frozenset(stored_names(parse_function(target).tree.body)) & params
    except Exception:  # noqa: BLE001 - no source: nothing is taken as known
        out = params
    _REBOUND[target] = (code, out)
    return out


def kept_static(target, static):
    """``static`` without the parameters ``target`` rebinds (``rebound_params``)."""
    if not static:
        return static
    gone = rebound_params(target)
    return {p: v for p, v in static.items() if p not in gone} if gone else static


def defaults_left(fn, call) -> dict:
    """The static arguments (``objects.default_static``) of the parameters of ``fn`` that
    the call ``call`` (a gast.Call) leaves to their defaults: an object (``net=NET``) or a
    function (``act=np.tanh``) known now; {} when the call stars its arguments."""
    from .objects import default_static

    target = fn.__func__ if isinstance(fn, types.MethodType) else fn
    params = param_names(target)
    vis = params[1:] if isinstance(fn, types.MethodType) else params
    if any(type(a).__name__ == "Starred" for a in call.args) or \
            any(k.arg is None for k in call.keywords):
        return {}
    passed = set(vis[:len(call.args)]) | {k.arg for k in call.keywords}
    out = {}
    for p in vis:
        st = None if p in passed else default_static(target, p)
        if st is not None:
            out[p] = st
    return out


def _default_guards(target, static):
    """Guards of the static arguments that are ``target``'s current defaults: code made
    for them is made again when its ``__defaults__`` are rebound."""
    from .objects import ABSENT, Bound, DefaultsView, default_of

    out = []
    for p, v in (static or {}).items():
        d = default_of(target, p)
        if d is not ABSENT and d is not None and (v is d or isinstance(v, Bound) and v.obj is d):
            out.append((DefaultsView(target), p, d))
    return tuple(out)


def _with_receiver(fn, params, static):
    """A bound method's ``self`` is known: ``self.helper(x)`` inside it resolves to the
    bound method (as for ``grad`` of a method); for a method resolved on a class
    (``objects.Typed``: a list of layers, a parameter's type) ``self`` is some instance
    of it, checked when the generated code runs (``_checked``)."""
    from .objects import Bound, Typed

    if isinstance(fn, types.MethodType) and params and params[0] not in (static or {}):
        recv = fn.__self__
        return {**(static or {}), params[0]: recv if isinstance(recv, Typed) else Bound(recv)}
    return static


def _checked(run, static, params, target):
    """The generated code of a method made for any instance of a class checks, on each
    call, that its receiver is one (exact class, no method overridden by the instance)."""
    from .objects import Typed, check_instance

    typed = (static or {}).get(params[0]) if params else None
    if not isinstance(typed, Typed):
        return run
    cls = typed.cls
    names = frozenset(n for k in cls.__mro__[:-1] for n, v in vars(k).items()
                      if isinstance(v, (types.FunctionType, staticmethod, property)))
    label = getattr(target, "__qualname__", "a method")

    def checked(obj, *args, **kwargs):
        d = getattr(obj, "__dict__", ())
        if type(obj) is not cls or not names.isdisjoint(d):
            check_instance(obj, cls, names, label)
        return run(obj, *args, **kwargs)

    checked.__wrapped_generated__ = run
    return checked
