"""The public entry points: ``grad``, ``value_and_grad``, ``source`` (and their options:
``wrt``/``argnums``, ``has_aux``, ``fallback``, ``backend``), building the gradient
objects of :mod:`ast_ad.api`."""

from __future__ import annotations

import functools
import types
import weakref
from typing import Any, Callable, Union

from . import pipeline as _pipeline
from . import varargs_grad
from .api import GradientFunction, _example_args
from .errors import AstAdError
from .frontend.variants import needs_spread
from .objects import GradientObject
from .rules.registry import Registry, default_registry
from .signature import bind, param_names, resolve_wrt

#: what ``wrt`` takes: a position, a parameter name, a tuple of them, or None (all)
Wrt = Union[int, str, tuple, None]

_NOT_GIVEN = object()


def _wrt_of(wrt, argnums):
    if argnums is _NOT_GIVEN:
        return 0 if wrt is _NOT_GIVEN else wrt
    if wrt is not _NOT_GIVEN:
        raise AstAdError("give either wrt= or argnums= (its alias), not both")
    return argnums


def grad(fn: Callable | None = None, wrt: Wrt = _NOT_GIVEN, *, argnums: Wrt = _NOT_GIVEN,
         has_aux: bool = False, fallback: str | None = None, registry: Registry | None = None,
         backend: str | None = None) -> Any:
    """The gradient of ``fn`` w.r.t. ``wrt`` (int, parameter name, or a tuple of them;
    ``argnums`` is an alias, as in JAX).

    Usable as ``grad(f)``, ``@grad`` and ``@grad(wrt=...)``.  ``has_aux=True``: ``fn``
    returns ``(loss, aux)`` and the gradient function returns ``(g, aux)``.
    ``backend="numba"`` compiles the gradient with numba (ast_ad.backends.numba;
    ``fallback="python"``).

    >>> import ast_ad
    >>> def f(x, y):
    ...     return x**2*y + y + 2
    >>> ast_ad.grad(f, wrt=(0, 1))(3.0, 4.0)
    (24.0, 10.0)
    """
    wrt = _wrt_of(wrt, argnums)
    if fn is None:
        return lambda f: grad(f, wrt, has_aux=has_aux, fallback=fallback, registry=registry,
                              backend=backend)
    return _make("grad", fn, wrt, False, has_aux, fallback, registry, backend)


def value_and_grad(fn: Callable | None = None, wrt: Wrt = _NOT_GIVEN, *,
                   argnums: Wrt = _NOT_GIVEN, has_aux: bool = False,
                   fallback: str | None = None, registry: Registry | None = None,
                   backend: str | None = None) -> Any:
    """Like ``grad`` but returns ``(value, gradient(s))``; with ``has_aux=True``
    ``((value, aux), gradient(s))``.

    >>> import ast_ad
    >>> def f(x):
    ...     return x * x
    >>> ast_ad.value_and_grad(f)(3.0)
    (9.0, 6.0)
    """
    wrt = _wrt_of(wrt, argnums)
    if fn is None:
        return lambda f: value_and_grad(f, wrt, has_aux=has_aux, fallback=fallback,
                                        registry=registry, backend=backend)
    return _make("value_and_grad", fn, wrt, True, has_aux, fallback, registry, backend)


def _make(what, fn, wrt, with_value, has_aux, fallback, registry, backend):
    _callable(what, fn)
    inner = getattr(fn, "_ast_ad_derivative_of", None)
    if inner is not None:  # grad(derivative(h)): h' is the gradient of h (scalar -> scalar)
        fn = grad(inner, registry=registry)
    if backend not in (None, "python"):  # eng15: engines
        if has_aux:
            raise AstAdError("has_aux=True is not supported with a backend")
        return _backend_object(fn, wrt, with_value, registry, fallback, backend)
    fn = _py_func(fn)
    fn = _call_method(fn, registry)
    if isinstance(fn, functools._lru_cache_wrapper):
        from .passes.reverse.rules import cached_refusal

        raise AstAdError(cached_refusal(getattr(fn, "__qualname__", "f")))
    if fallback is None and needs_spread(fn):  # a wrapper calling fn(*args, **kwargs)
        return varargs_grad.SpreadGradient(
            fn, wrt, with_value, has_aux, lambda variant, slots: _gradient_object(
                variant, slots, with_value, registry, None, has_aux))
    if not has_aux and fallback is None and varargs_grad.reaches_varargs(fn, wrt):
        return varargs_grad.VarargsGradient(
            fn, wrt, with_value,
            lambda packed, slots: _gradient_object(packed, slots, with_value, registry, None))
    return _gradient_object(fn, wrt, with_value, registry, fallback, has_aux)


def _call_method(fn, registry):
    """A callable instance of a user class (a class-based decorator, a model): its bound
    ``__call__``, differentiated as a method."""
    from .objects import class_attr
    from .passes.analysis.receivers import user_class

    if isinstance(fn, (types.FunctionType, types.MethodType, GradientObject, type)) or \
            (registry or default_registry).vjp(fn) is not None or not user_class(type(fn)):
        return fn
    return fn.__call__ if isinstance(class_attr(type(fn), "__call__"), types.FunctionType) \
        else fn


# -- eng15: engines (ast_ad/backends) ------------------------------------------------------
def _backend_object(fn, wrt, with_value, registry, fallback, backend):
    if backend != "numba":
        raise AstAdError(f"backend must be None, 'python' or 'numba', not {backend!r}")
    from .backends.numba import NumbaGradient

    return NumbaGradient(fn, wrt, with_value, fallback, registry, GradientFunction)


def _py_func(fn):
    """A ``@numba.njit`` function is differentiated through its ``.py_func``."""
    if type(fn).__module__.startswith("numba") and hasattr(fn, "py_func"):
        return fn.py_func
    return fn
# -- end eng15 -------------------------------------------------------------------------------


# -- ux14: grad(42) is a clear error ------------------------------------------------------
class NotCallableError(AstAdError, TypeError):
    """``grad(42)``: what is differentiated must be a function."""


def _callable(what, fn):
    if not callable(fn):
        raise NotCallableError(f"ast_ad.{what} differentiates a function, not "
                               f"{type(fn).__name__} {fn!r}: write ast_ad.{what}(f) with "
                               f"f a Python function, then call it: ast_ad.{what}(f)(x)")


_OBJECTS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_LIBRARY_FUNCTIONS: dict = {}  # id(callable) -> (callable, its Python stand-in)


def _gradient_object(fn, wrt, with_value, registry, fallback, has_aux=False):
    """``grad(f, wrt)`` twice gives the same object (held weakly: nothing is kept alive)."""
    import functools

    if isinstance(fn, functools.partial):
        return _partial_gradient(fn, wrt, with_value, registry, fallback, has_aux)
    if not isinstance(fn, (types.FunctionType, types.MethodType, GradientObject)) and \
            callable(fn) and not isinstance(fn, type) and \
            (registry or default_registry).vjp(fn) is not None:  # grad(np.sin)
        hit = _LIBRARY_FUNCTIONS.get(id(fn))
        if hit is None or hit[0] is not fn:
            from ._library_call import as_python_function

            stand_in = as_python_function(fn)
            if stand_in is not None:
                hit = _LIBRARY_FUNCTIONS[id(fn)] = (fn, stand_in)
        if hit is not None:
            fn = hit[1]
    key = (tuple(wrt) if isinstance(wrt, list) else wrt, with_value, fallback, id(registry),
           bool(has_aux))
    try:
        per = _OBJECTS.setdefault(fn, {})
        ref = per.get(key)
    except TypeError:  # bound methods are new objects each time; builtins are not weak
        return GradientFunction(fn, wrt, with_value, registry, fallback, has_aux)
    g = ref() if ref is not None else None
    if g is None:
        g = GradientFunction(fn, wrt, with_value, registry, fallback, has_aux)
        per[key] = weakref.ref(g)
    return g


def source(g: Any, *args: Any, mode: str | None = None, wrt: Wrt = 0, **kwargs: Any) -> str:
    """The generated source of an ast_ad gradient (deterministic text).

    ``source(grad(f), *args)`` shows the reverse-mode code generated for arguments like
    ``args``; ``source(f, *args, mode="forward", wrt=0)`` shows the forward-mode (jvp)
    code of a plain function ``f`` for tangents of the ``wrt`` parameter(s).

    >>> import ast_ad
    >>> def f(x):
    ...     return x * x
    >>> print(ast_ad.source(ast_ad.grad(f), 3.0).splitlines()[-2].strip())
    bx = 2.0 * x
    """
    if isinstance(g, GradientFunction) and mode is None:
        return g.source(*args, **kwargs)
    if mode in ("forward", "jvp") and callable(g) and not isinstance(g, GradientFunction):
        spec = resolve_wrt(g, wrt)
        b = bind(g, args, kwargs) if (args or kwargs) else None
        full = tuple(b.arguments.values()) if b is not None else _example_args(g, ())
        params = param_names(g)
        kinds = {p: type(v) for p, v in zip(params, full)}
        return _pipeline.CALLEES.jvp_for(g, list(spec.names), kinds, default_registry).source
    raise AstAdError(f"ast_ad.source expects a function made by ast_ad.grad (or a plain "
                     f"function with mode='forward'), not {g!r}")


def _partial_gradient(p, wrt, with_value, registry, fallback, has_aux):
    """``grad(functools.partial(f, *a, **k), wrt)``: the gradient of ``f`` with the bound
    arguments passed (positional indices in ``wrt`` count the partial's own parameters)."""
    import functools

    shift = len(p.args)

    def moved(w):
        return w + shift if isinstance(w, int) else w

    inner_wrt = tuple(moved(w) for w in wrt) if isinstance(wrt, (tuple, list)) else moved(wrt)
    g = _gradient_object(p.func, inner_wrt, with_value, registry, fallback, has_aux)

    @functools.wraps(p)
    def gradient_of_partial(*args, **kwargs):
        return g(*p.args, *args, **{**p.keywords, **kwargs})

    return gradient_of_partial
