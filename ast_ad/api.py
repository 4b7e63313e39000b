"""``grad`` / ``value_and_grad``: lazy transformation, specialisation, dispatch, cache.

Cache key of a generated function (documented in docs/design.md):

    the function object (weakly: a redefined function is a new object, and a collected
    function frees its entries)  x  wrt  x  value-or-not  x  the rule-registry version
    x  the types of the arguments (float / int / ndarray / other)  x  the ndim and
    dtype of NumPy array arguments x whether each is long (no dimension of length 1)

The per-call fast path is: the dispatcher's type (and ndim/dtype/long) checks, the
generated function.
"""

from __future__ import annotations

import types
import warnings
import weakref
from typing import Any, Callable

import numpy as np

from . import pipeline as _pipeline
from .callees import kept_static
from .errors import AstAdError
from .objects import Bound, GradientObject, default_objects
from .rules import registry as _registry_mod
from .rules.registry import default_registry
from .signature import bind, param_names, resolve_wrt, signature_of, spec_key

_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_STATE = _registry_mod.state
_MISSING = object()  # "argument not given" in generated dispatchers


class GradientFunction(GradientObject):
    """The gradient of ``fn`` (callable with ``fn``'s signature), made by ``ast_ad.grad``.

    It transforms ``fn`` on the first call for each kind of arguments and caches the
    compiled code; ``.source(*args)`` shows it.

    >>> import ast_ad
    >>> def f(x):
    ...     return x ** 3
    >>> g = ast_ad.grad(f)
    >>> isinstance(g, ast_ad.GradientFunction), g(2.0)
    (True, 12.0)
    """

    def __init__(self, fn, wrt=0, with_value=False, registry=None, fallback=None,
                 has_aux=False):
        if fallback not in (None, "tape"):
            raise AstAdError(f"fallback must be None or 'tape', not {fallback!r}")
        if has_aux and fallback is not None:
            raise AstAdError("has_aux=True is not supported with fallback='tape'")
        self.fn = fn  # the original function (deliberately not __wrapped__)
        self.wrt = wrt
        self.with_value = with_value
        self.has_aux = bool(has_aux)
        self.registry = registry or default_registry
        self.fallback = fallback
        self._spec = resolve_wrt(fn, wrt)
        self._target, self._self = _unwrap(fn)
        self._table = {}
        self._gen = None
        self._idx = self._spec.indices[0] if len(self._spec.indices) == 1 else None
        self._nparams = None
        self._tape = None
        self._guards = ()
        # each gradient gets its own class, so that its __call__ can be replaced by a
        # dispatcher generated for its signature (the per-call fast path)
        self.__class__ = type(type(self).__name__, (type(self),), {})
        try:

            self.__signature__ = signature_of(fn)
        except (TypeError, ValueError):
            pass
        self.__name__ = getattr(fn, "__name__", "grad")
        self.__qualname__ = getattr(fn, "__qualname__", self.__name__)
        self.__doc__ = getattr(fn, "__doc__", None)
        self.__module__ = getattr(fn, "__module__", None)

    def __get__(self, obj, objtype=None):
        """``@grad`` on a method: ``obj.method(x)`` differentiates the bound method (wrt
        counts the parameters after ``self``)."""
        if obj is None or isinstance(self.fn, types.MethodType):
            return self
        bound = self.__dict__.setdefault("_bound", weakref.WeakKeyDictionary())
        try:
            g = bound.get(obj)
        except TypeError:
            g = None
        if g is None:
            g = GradientFunction(types.MethodType(self.fn, obj), self.wrt, self.with_value,
                                 self.registry, self.fallback, self.has_aux)
            try:
                bound[obj] = g
            except TypeError:
                pass
        return g

    def __repr__(self):
        kind = "value_and_grad" if self.with_value else "grad"
        return f"<ast_ad {kind} of {self.__qualname__} wrt={self.wrt!r}>"

    # -- notebooks (ux14: introspect.py) --------------------------------------------------
    def _repr_html_(self):
        from . import introspect

        return introspect.repr_html(self)

    def _repr_markdown_(self):
        from . import introspect

        return introspect.repr_markdown(self)

    def __reduce__(self):
        from . import introspect

        return introspect.reduce_gradient(self)

    # -- calling ------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """The gradient(s) of the function at these arguments (see :func:`ast_ad.grad`)."""
        try:  # ux14: errors of generated code name the user's line (errnotes.py), and
            return self._slow_call(args, kwargs)  # the outermost frame of ours is here
        except Exception as e:
            _note(e, self.__qualname__)
            raise

    def _dispatch_slow(self, values, names):
        kwargs = {n: v for n, v in zip(names, values) if v is not _MISSING}
        return self._slow_call((), kwargs)

    def _slow_call(self, args, kwargs):
        if self._tape is not None:
            return self._tape(*args, **kwargs)
        b = bind(self.fn, args, kwargs)
        full = tuple(b.arguments[p] for p in b.signature.parameters)
        if self._gen is not _STATE[0] or not self._guards_ok():
            self._table.clear()
            self._gen = _STATE[0]
        known = tuple(default_objects(self._target, _signature_names(self._target)[
            1 if self._self is not None else 0:], full, self._spec.names))
        key = _key(full) + (known,)  # (code made for a default object is for it alone)
        fn = self._table.get(key)
        if fn is None:
            try:
                fn = self._compile(full)
            except AstAdError as e:
                if self.fallback != "tape":
                    raise
                return self._use_tape(e, args, kwargs)
            self._table[key] = fn
            self._nparams = len(full)
            if not known:
                self._install_dispatcher(key[:3], fn)
        if self._self is not None:
            return fn(self._self, *full)
        return fn(*full)

    def _install_dispatcher(self, key, fn):
        """Replace __call__ by a dispatcher for the argument types just seen."""

        if self._tape is not None:
            type(self).__call__ = GradientFunction.__call__
            return
        try:
            params = list(signature_of(self.fn).parameters.values())
        except (TypeError, ValueError):
            return
        if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY) for p in params):
            return
        names = [p.name for p in params]
        local = [f"__ad_a{k}" for k in range(len(names))]
        sig = []
        for p, ln in zip(params, local):
            if p.kind is p.KEYWORD_ONLY and "*" not in sig:
                sig.append("*")
            sig.append(f"{p.name}=__ad_M" if p.default is not p.empty else p.name)
        types_, fns, arrays = key
        checks = [f"type({n}) is __ad_T{j}" for j, n in enumerate(names) if j < len(types_)]
        checks += [f"{names[i]} is __ad_F{i}" for i, _ in fns if i < len(names)]
        checks += [f"{names[i]}.ndim == {nd} and {names[i]}.dtype is __ad_D{i} and "
                   f"(1 {'not in' if lg else 'in'} {names[i]}.shape)"
                   for i, nd, _, lg in arrays if i < len(names)]
        checks += [f"{n} is not __ad_M" for p, n in zip(params, names)
                   if p.default is not p.empty]
        checks.append("__ad_S[0] is __ad_G")
        # differentiated global helpers must still be the functions the code was made for
        checks += [f"__ad_GD{k}.get({name!r}) is __ad_GO{k}"
                   for k, (_, name, _) in enumerate(self._guards)]
        call_args = ", ".join((["__ad_O"] if self._self is not None else []) + names)
        src = (f"def __call__(__ad_self, {', '.join(sig)}):\n"
               f"    try:\n"
               f"        if {' and '.join(checks)}:\n"
               f"            return __ad_F({call_args})\n"
               f"        return __ad_self._dispatch_slow(({', '.join(names)},), __ad_N)\n"
               f"    except Exception as __ad_e:\n"
               f"        __ad_note(__ad_e, __ad_Q)\n"
               f"        raise\n")
        ns = {"__ad_F": fn, "__ad_S": _STATE, "__ad_G": self._gen, "__ad_M": _MISSING,
              "__ad_O": self._self, "__ad_N": tuple(names), "__ad_note": _note,
              "__ad_Q": self.__qualname__}
        ns.update({f"__ad_T{j}": t for j, t in enumerate(types_)})
        for k, (d, _, o) in enumerate(self._guards):
            ns[f"__ad_GD{k}"], ns[f"__ad_GO{k}"] = d, o
        ns.update({f"__ad_F{i}": f for i, f in fns})
        ns.update({f"__ad_D{i}": dt for i, _, dt, _ in arrays})
        exec(compile(src, f"<ast_ad dispatch {self.__qualname__}>", "exec"), ns)
        type(self).__call__ = ns["__call__"]

    def _guards_ok(self):
        return all(d.get(n) is o for d, n, o in self._guards)

    def _use_tape(self, err, args, kwargs):
        from . import tape

        warnings.warn(f"ast_ad: falling back to the tape for {self.__qualname__}: {err}",
                      stacklevel=3)
        f = tape.value_and_grad if self.with_value else tape.grad
        self._tape = f(self.fn, wrt=self.wrt)
        return self._tape(*args, **kwargs)

    def _compile(self, full):
        if isinstance(self._target, GradientFunction):
            return self._higher_order(full)
        gen = self.generated(full)
        return gen.compiled[0]

    def _higher_order(self, full):
        """grad of an ast_ad gradient: forward mode over its generated code."""
        if self.has_aux or self._target.has_aux:
            raise AstAdError("grad of an ast_ad gradient made with has_aux=True is not "
                             "supported")
        inner = self._target.compiled_for(full)
        for i in self._spec.indices:
            if not isinstance(full[i], (float, int, np.floating, np.integer)) or \
                    isinstance(full[i], bool):
                raise AstAdError(
                    f"grad of the ast_ad gradient {self._target!r} w.r.t. the array argument "
                    f"{self._spec.names[self._spec.indices.index(i)]!r}: its output is not a "
                    "scalar; use ast_ad.hessian, ast_ad.hvp or ast_ad.jacobian")
        params = param_names(inner)
        kinds = {params[k]: type(v) for k, v in enumerate(full) if k < len(params)}
        key = spec_key(self._spec.indices, kinds, self.registry.version, None, "higher",
                       self.with_value, _array_specs(full))  # (as inner's code differs)
        per_fn = self._target.__dict__.setdefault("_derived", {})
        fns = per_fn.get(key)
        if fns is None:
            gens = [_pipeline.transform(inner, [params[i]], self.registry, kinds, mode="derivative",
                              with_value=self.with_value) for i in self._spec.indices]
            fns = per_fn[key] = ([g.compiled[0] for g in gens], "\n".join(
                g.source for g in gens))
        self._hsource = fns[1]
        if self._spec.single:
            return fns[0][0]
        parts = fns[0]
        with_value = self.with_value

        def higher(*args):
            outs = [p(*args) for p in parts]
            if with_value:
                return outs[0][0], tuple(o[1] for o in outs)
            return tuple(outs)

        return higher

    def generated(self, full: tuple) -> Any:
        """The Generated object for arguments like ``full`` (transforming if needed)."""
        target = self._target
        names = self._spec.names
        arg_kinds = {}
        params = _signature_names(target)
        offset = 1 if self._self is not None else 0
        for k, p in enumerate(params[offset:]):
            if k < len(full):
                arg_kinds[p] = type(full[k])
        specs = [(params[offset + k], nd, dt, lg) for k, nd, dt, lg in _array_specs(full)
                 if offset + k < len(params)]
        arrays = {p: (nd, dt.str) for p, nd, dt, _ in specs}
        long = frozenset(p for p, _, _, lg in specs if lg)
        static = {params[offset + k]: v for k, v in _function_args(full)
                  if offset + k < len(params)}
        if self._self is not None and params:
            static[params[0]] = Bound(self._self)  # self.helper(x) resolves to the method
        for p, v in default_objects(target, params[offset:], full, names).items():
            static.setdefault(p, v)  # a default object (net=NET): resolved as a global's
        for k, v in enumerate(full):
            if isinstance(v, GradientFunction) and offset + k < len(params):
                static[params[offset + k]] = v
        static = kept_static(target, static)  # (never a parameter the body rebinds)
        ckey = spec_key(names, arg_kinds, self.registry.version, static, self._spec.single,
                        (self.with_value, "aux") if self.has_aux else self.with_value,
                        tuple(sorted(arrays.items())), tuple(sorted(long)))
        try:
            per_fn = _CACHE.setdefault(target, {})
        except TypeError:  # not weak-referenceable (a builtin): _pipeline.transform() will explain
            per_fn = {}
        gen = per_fn.get(ckey)
        if gen is not None and not all(d.get(n) is o for d, n, o in gen.guards):
            gen = None
        if gen is None:
            gen = _pipeline.transform(target, names, self.registry, arg_kinds, mode="joint",
                                      with_value=self.with_value, single=self._spec.single,
                                      static_args=static, has_aux=self.has_aux,
                                      arrays=arrays, long=long)
            per_fn[ckey] = gen
        self._guards = tuple(gen.guards)
        self._last = _light(full)  # what source(g) shows: the kinds that ran last
        return gen

    def compiled_for(self, full: tuple) -> Callable:
        """The generated Python function for arguments like ``full`` (has source)."""
        if isinstance(self._target, GradientFunction):
            return self._higher_order(full)
        gen = self.generated(full)
        return gen.compiled[0]

    def source(self, *args: Any, **kwargs: Any) -> str:
        """The generated source (for ``args`` if given, else for the kinds of arguments
        generated last, or floats before any call; a header comment names them)."""
        if args or kwargs:
            b = bind(self.fn, args, kwargs)
            full = tuple(b.arguments[p] for p in b.signature.parameters)
        else:  # the specialisation generated last (a call), or float arguments
            full = getattr(self, "_last", None) or _example_args(self.fn, self._spec.indices)
        if isinstance(self._target, GradientFunction):
            self._higher_order(full)
            return self._hsource
        # -- ux14: the header naming the specialisation, the callees' code (introspect.py)
        from . import introspect

        gen = self.generated(full)
        src = introspect.with_callees(gen.source, gen.compiled)
        if not (args or kwargs):
            src = introspect.with_header(src, param_names(self.fn), full)
        return src


def _note(e, name):
    """The exception with a note naming the user's line (ast_ad/errnotes.py)."""
    from . import errnotes

    return errnotes.annotate(e, name)


def _unwrap(fn):
    if isinstance(fn, types.MethodType):
        return fn.__func__, fn.__self__
    if isinstance(fn, GradientFunction):
        return fn, None
    return fn, None


def _key(full):
    """The per-call dispatch key: every argument's type, the function arguments, and the
    (ndim, dtype, long) of every NumPy array argument (another shape like it reuses it)."""
    return tuple(type(v) for v in full), _function_args(full), _array_specs(full)


def _array_specs(full):
    """(index, ndim, dtype, long) of the arguments that are exactly NumPy arrays; long:
    no dimension has length 1 (``passes/analysis/long_dims.py``)."""
    return tuple((k, v.ndim, v.dtype, 1 not in v.shape) for k, v in enumerate(full)
                 if type(v) is np.ndarray)


def _function_args(full):
    """(index, function) of the arguments that are functions: the code is specialised on
    their identity (a function passed in is resolved when the gradient is generated)."""
    return tuple((k, v) for k, v in enumerate(full)
                 if isinstance(v, _FUNCTION_TYPES) and not isinstance(v, type))


_FUNCTION_TYPES = (types.FunctionType, types.MethodType, types.BuiltinFunctionType, np.ufunc)


def _light(full):
    """``full`` with each array replaced by a small array of its ndim, dtype and long flag
    (the same specialisation, without keeping the caller's data alive)."""
    return tuple(np.zeros((2 if 1 not in v.shape else 1,) * v.ndim, v.dtype)
                 if isinstance(v, np.ndarray) else v for v in full)


def _example_args(fn, indices):
    import inspect

    out = []
    for k, p in enumerate(signature_of(fn).parameters.values()):
        out.append(1.0 if p.default is inspect.Parameter.empty else p.default)
    return tuple(out)


def _signature_names(fn):
    """Parameter names in signature order (``*args`` and ``**kwargs`` included, where
    ``bind`` puts their values)."""

    try:
        return [p.name for p in signature_of(fn).parameters.values()]
    except (TypeError, ValueError):
        return param_names(fn)
