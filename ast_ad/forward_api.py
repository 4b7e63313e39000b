"""Forward mode and higher order: ``jvp``, ``derivative``, ``vjp``, ``hvp``, ``hessian``,
``jacobian`` (JAX's calling conventions).

``jvp`` runs generated forward-mode code (cached like ``grad``).  Higher order works by
transforming generated code again: ``hvp``/``hessian`` run forward mode over the
generated reverse-mode gradient (forward-over-reverse), and ``grad`` of an ast_ad
gradient with a scalar argument does the same.
"""

from __future__ import annotations

import types
from typing import Any, Callable

import numpy as np

from .entry import grad
from .errors import AstAdError
from .objects import Bound, GradientObject
from .pipeline import CALLEES
from .rules.registry import _DERIVE, Registry, default_registry
from .signature import bind, match, param_names, resolve_wrt


def _primal_function(f, full):
    """A plain Python function (with source) computing ``f`` for arguments like ``full``."""
    if isinstance(f, GradientObject):
        return f.compiled_for(full)
    return f


def _kinds(names, values):
    return {n: type(v) for n, v in zip(names, values)}


def jvp(f: Callable, primals: tuple, tangents: tuple, registry: Registry | None = None, *,
        backend: str | None = None, fallback: str | None = None) -> tuple:
    """``(f(*primals), J·tangents)`` by generated forward-mode code.

    ``primals`` is a tuple of all positional arguments; ``tangents`` a matching tuple
    (``None`` or ``0.0`` for arguments that do not vary).  ``backend="numba"`` compiles
    the forward-mode code with numba (``fallback="python"``: the Python code if not).

    >>> import ast_ad
    >>> def f(x, y):
    ...     return x**2*y + y + 2
    >>> ast_ad.jvp(f, (3.0, 4.0), (1.0, 0.0))
    (42.0, 24.0)
    """
    if backend == "numba":  # eng15: engines
        from .backends.numba import jvp as numba_jvp

        return numba_jvp(f, primals, tangents, fallback=fallback, python_jvp=jvp)
    registry = registry or default_registry
    for what, v in (("primals", primals), ("tangents", tangents)):
        if not isinstance(v, (tuple, list)):
            raise AstAdError(f"jvp takes the {what} as a tuple, one entry per argument: "
                             f"jvp(f, (x,), (v,)), not a bare {type(v).__name__}")
    primals, tangents = tuple(primals), tuple(tangents)
    if getattr(f, "_ast_ad_derivative_of", None) is not None:  # jvp(derivative(h))
        f = grad(f._ast_ad_derivative_of, registry=registry)
    rs = None if isinstance(f, GradientObject) else registry.jvp(f)
    if rs is not None:  # a function with forward rules (custom_jvp, np.sin): use them
        return _jvp_by_rules(f, rs, primals, tangents)
    for k, (p, t) in enumerate(zip(primals, tangents)):
        if t is not None and np.ndim(t) and np.shape(t) != np.shape(p):
            raise AstAdError(f"jvp: the tangent of argument {k} has shape {np.shape(t)}, its "
                             f"primal {np.shape(p)}; they must match")
    if len(primals) != len(tangents):
        raise AstAdError(f"jvp needs one tangent per primal ({len(primals)} primals, "
                         f"{len(tangents)} tangents)")
    fn = _primal_function(f, primals)
    bound = getattr(f, "_self", None) if hasattr(f, "compiled_for") else None
    if isinstance(fn, types.MethodType):
        bound, fn = fn.__self__, fn.__func__
    if bound is not None:  # a method: self goes first, with no tangent
        primals, tangents = (bound,) + primals, (None,) + tangents
    params = param_names(fn)
    if any(t is not None for t in tangents[len(params):]):
        raise AstAdError(f"jvp: tangents for arguments beyond the named parameters of "
                         f"{getattr(fn, '__name__', 'f')} (its *args) are not supported")
    wrt = [params[k] for k, t in enumerate(tangents) if t is not None and k < len(params)]
    if not wrt:
        return fn(*primals), 0.0
    kinds = {params[k]: type(primals[k]) for k in range(len(primals)) if k < len(params)}
    static = {params[0]: Bound(bound)} if bound is not None and params else {}
    j = CALLEES.jvp_for(fn, wrt, kinds, registry, static)
    kw = {j.tangent_names[p]: tangents[params.index(p)] for p in j.wrt}
    value, tan = j.call(*primals, **kw)
    return value, _tangent_like(tan, value)


def _jvp_by_rules(f, rs, primals, tangents):
    value = f(*primals)
    out = None
    for k, t in enumerate(tangents):
        if t is None:
            continue
        rule = rs.rules[k] if k < len(rs.rules) else None
        if rule is None:
            raise AstAdError(f"jvp: {getattr(f, '__name__', f)!r} has no forward rule for "
                             f"argument {k}")
        c = rule(t, value, *primals)
        out = c if out is None else out + c
    return value, _tangent_like(0.0 if out is None else out, value)


def _tangent_like(t, value):
    if isinstance(value, np.ndarray):
        return match(t, value)
    if isinstance(value, (float, int)) and not isinstance(value, bool):
        if np.ndim(t) == 0:
            return float(t)
    return t


def derivative(f: Callable, registry: Registry | None = None) -> Callable:
    """The derivative function of a scalar -> scalar ``f`` (forward mode).

    >>> import ast_ad
    >>> def cube(x):
    ...     return x ** 3
    >>> ast_ad.derivative(cube)(2.0)
    12.0
    >>> ast_ad.derivative(ast_ad.derivative(cube))(2.0)
    12.0
    """
    inner = getattr(f, "_ast_ad_derivative_of", None)
    if inner is not None:  # derivative(derivative(h)): forward over the gradient of h
        f = grad(inner, registry=registry)

    def df(x):
        return jvp(f, (x,), (1.0,), registry)[1]
    df.__name__ = "derivative_of_" + getattr(f, "__name__", "f")
    df._ast_ad_derivative_of = f
    return df


def vjp(f: Callable, *primals: Any, wrt: Any = 0,
        registry: Registry | None = None) -> tuple:
    """``(f(*primals), vjp_fn)``; ``vjp_fn(cotangent)`` gives the gradient(s) for ``wrt``.

    >>> import numpy as np, ast_ad
    >>> def sq(x):
    ...     return x * x
    >>> y, back = ast_ad.vjp(sq, np.array([1.0, 2.0]))
    >>> back(np.array([1.0, 1.0]))
    array([2., 4.])
    """
    registry = registry or default_registry
    fn = _primal_function(f, primals)
    spec = resolve_wrt(f, wrt)
    params = param_names(fn)
    active = tuple(k in spec.indices for k in range(len(primals)))
    kinds = tuple("num" if isinstance(p, (float, int, np.ndarray, np.generic)) else "any"
                  for p in primals)
    static = {}
    if isinstance(fn, types.MethodType):
        static = {param_names(fn.__func__)[0]: Bound(fn.__self__)}
    split, names = CALLEES.split_for(fn, active, (), kinds, registry, static)
    lead = (fn.__self__,) if isinstance(fn, types.MethodType) else ()
    value, record = split.fwd(*lead, *primals)

    def vjp_fn(cotangent):
        grads = split.bwd(cotangent, record)
        full = lead + tuple(primals)
        out = {n: match(g, full[params.index(n)]) for n, g in zip(names, grads)}
        res = tuple(out[n] for n in spec.names)
        return res[0] if spec.single else res

    return value, vjp_fn


def hvp(f: Callable, primals: tuple, v: Any, wrt: Any = 0,
        registry: Registry | None = None) -> Any:
    """Hessian-vector product H·v (forward over the generated reverse-mode gradient).

    >>> import numpy as np, ast_ad
    >>> def f(x):
    ...     return np.sum(x ** 3)
    >>> ast_ad.hvp(f, (np.array([1.0, 2.0]),), np.array([1.0, 0.0]))
    array([6., 0.])
    """
    _tuples("hvp", primals)
    primals = tuple(primals)
    spec = resolve_wrt(f, wrt)
    if not spec.single:
        raise AstAdError("hvp takes a single wrt argument")
    g = grad(f, wrt=wrt, registry=registry)
    tangents = tuple(v if k == spec.indices[0] else None for k in range(len(primals)))
    return jvp(g, primals, tangents, registry)[1]


def _tuples(what, *seqs):
    """``jvp(f, x, v)`` with bare arrays: say what is meant (tuples of all arguments)."""
    for s in seqs:
        if not isinstance(s, (tuple, list)):
            second = "(v,)" if what == "jvp" else "v"
            raise AstAdError(
                f"ast_ad.{what} takes a tuple of all positional arguments, not a bare "
                f"{type(s).__name__}: write ast_ad.{what}(f, (x,), {second}) for one argument")


def _bound(f, wrt, args, kwargs):
    """(all arguments, index of the wrt argument, that argument)."""
    full = tuple(bind(f, args, kwargs).arguments.values())
    spec = resolve_wrt(f, wrt)
    if not spec.single:
        raise AstAdError("hessian / jacobian take a single wrt argument (a tuple wrt would "
                         "need the nested blocks, not supported yet); call them once per "
                         "argument")
    i = spec.indices[0]
    return full, i, full[i]


def hessian(f: Callable, wrt: Any = 0, registry: Registry | None = None) -> Callable:
    """A function of f's arguments returning the Hessian (shape in.shape + in.shape).

    >>> import numpy as np, ast_ad
    >>> def f(x):
    ...     return x[0] ** 2 * x[1]
    >>> ast_ad.hessian(f)(np.array([3.0, 4.0]))
    array([[8., 6.],
           [6., 0.]])
    """
    def h(*args, **kwargs):
        full, i, x = _bound(f, wrt, args, kwargs)
        if np.ndim(x) == 0:
            return float(hvp(f, full, 1.0, wrt=i, registry=registry))
        x = np.asarray(x)
        cols = []
        for k in range(x.size):
            e = np.zeros(x.size, dtype=x.dtype if x.dtype.kind == "f" else float)
            e[k] = 1.0
            cols.append(np.asarray(hvp(f, full, e.reshape(x.shape), wrt=i, registry=registry)))
        return np.stack(cols, axis=-1).reshape(x.shape + x.shape)
    return h


def jacobian(f: Callable, wrt: Any = 0, mode: str = "forward",
             registry: Registry | None = None) -> Callable:
    """A function of f's arguments returning dout/din (shape out.shape + in.shape).

    >>> import numpy as np, ast_ad
    >>> def f(x):
    ...     return x * x
    >>> ast_ad.jacobian(f)(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """
    if mode not in ("forward", "reverse"):
        raise AstAdError(f"jacobian mode must be 'forward' or 'reverse', not {mode!r}")

    def jac(*args, **kwargs):
        full, i, x = _bound(f, wrt, args, kwargs)
        xs = np.shape(x)
        if np.size(x) == 0:  # nothing to differentiate: an empty Jacobian
            return np.zeros(np.shape(f(*full)) + xs)
        if mode == "forward":
            cols = []
            for k in range(int(np.prod(xs, dtype=int))):
                e = np.zeros(xs or (1,), dtype=float).ravel()
                e[k] = 1.0
                t = e.reshape(xs) if xs else 1.0
                tangents = tuple(t if j == i else None for j in range(len(full)))
                cols.append(np.asarray(jvp(f, full, tangents, registry)[1]))
            out = np.stack(cols, axis=-1) if cols else np.zeros(0)
            return out.reshape(np.shape(cols[0]) + xs)
        value, fn = vjp(f, *full, wrt=i, registry=registry)
        ys = np.shape(value)
        rows = []
        for k in range(int(np.prod(ys, dtype=int))):
            e = np.zeros(ys or (1,), dtype=float).ravel()
            e[k] = 1.0
            rows.append(np.asarray(fn(e.reshape(ys) if ys else 1.0)))
        return np.stack(rows).reshape(ys + xs)
    return jac


def _user_vjp(f: Callable, *primals: Any, wrt: Any) -> tuple:
    """The hook through which a rule differentiates a user function handed to a library
    call (``scipy.integrate.odeint``'s ``func``) at run time; installed in the registry's
    hook table so that the rule modules stay below the API they call back into."""
    return vjp(f, *primals, wrt=wrt)


_DERIVE["user_vjp"] = _user_vjp
