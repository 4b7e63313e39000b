"""Forward mode and higher order: ``jvp``, ``derivative``, ``vjp``, ``hvp``, ``hessian``,
``jacobian`` (JAX's calling conventions).

``jvp`` runs generated forward-mode code (cached like ``grad``).  Higher order works by
transforming generated code again: ``hvp``/``hessian`` run forward mode over the
generated reverse-mode gradient (forward-over-reverse), and ``grad`` of an ast_ad
gradient with a scalar argument does the same.
"""

from __future__ import annotations

import functools
import types
from typing import Any, Callable

import numpy as np

from . import errnotes, over_reverse, varargs_grad  # noqa: F401 (rules)
from .entry import _call_method, grad
from .errors import AstAdError
from .frontend.variants import needs_spread, spread_variant
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


def _label(f):
    return getattr(f, "__qualname__", None) or getattr(f, "__name__", None) or "f"


def _guard(fn, f=None):
    """``fn`` whose errors raised by generated code name the user's line and show the
    user's frames, without this module's (errnotes.annotate, as a gradient's call does);
    ``f``: the user's function (else ``fn``'s first argument)."""
    @functools.wraps(fn)
    def guarded(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            errnotes.annotate(e, _label(f if f is not None else (args or [None])[0]))
            raise
    guarded._ast_ad_api = True  # (never parsed as user code: analysis.calls.classify)
    return guarded


@_guard
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
    if isinstance(f, varargs_grad.VarargsGradient):  # jvp(grad(f, wrt into *args))
        return varargs_grad.jvp_of_gradient(f, primals, tangents, registry, jvp)
    for k, (p, t) in enumerate(zip(primals, tangents)):
        if t is not None and _is_array_like(p) and np.ndim(t) and np.shape(t) != np.shape(p):
            raise AstAdError(f"jvp: the tangent of argument {k} has shape {np.shape(t)}, its "
                             f"primal {np.shape(p)}; they must match")
    if len(primals) != len(tangents):
        raise AstAdError(f"jvp needs one tangent per primal ({len(primals)} primals, "
                         f"{len(tangents)} tangents)")
    fn = _call_method(_primal_function(f, primals), registry)  # (a callable instance)
    bound = getattr(f, "_self", None) if hasattr(f, "compiled_for") else None
    if isinstance(fn, types.MethodType):
        bound, fn = fn.__self__, fn.__func__
    if bound is not None:  # a method: self goes first, with no tangent
        primals, tangents = (bound,) + primals, (None,) + tangents
    if needs_spread(fn) and len(primals) >= fn.__code__.co_argcount:  # a wrapper
        fn = spread_variant(fn, len(primals) - fn.__code__.co_argcount, ()) or fn
    params = param_names(fn)
    if varargs_grad.layout(fn) is not None or \
            any(t is not None for t in tangents[len(params):]):  # f(a, *rest): packed
        fn, primals, tangents = varargs_grad.packed_jvp_args(fn, primals, tangents)
        params = param_names(fn)
    wrt = [params[k] for k, t in enumerate(tangents) if t is not None and k < len(params)]
    if not wrt:
        return fn(*primals), 0.0
    kinds = {params[k]: type(primals[k]) for k in range(len(primals)) if k < len(params)}
    static = {params[0]: Bound(bound)} if bound is not None and params else {}
    j = CALLEES.jvp_for(fn, wrt, kinds, registry, static)
    kw = {j.tangent_names[p]: tangents[params.index(p)] for p in j.wrt}
    value, tan = j.call(*primals, **kw)
    return value, _tangent_like(tan, value)


def _is_array_like(p):
    return not isinstance(p, (tuple, list, dict)) and np.ndim(p) >= 0


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
    df = _guard(df, f)
    df.__name__ = "derivative_of_" + getattr(f, "__name__", "f")
    df._ast_ad_derivative_of = f
    return df


@_guard
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
    if not isinstance(f, (types.FunctionType, types.MethodType, GradientObject)) and \
            callable(f) and registry.vjp(f) is not None:  # vjp(np.transpose, A)
        from ._library_call import as_python_function

        f = as_python_function(f, len(primals)) or f
    if isinstance(f, types.FunctionType) and varargs_grad.layout(f) is not None:
        return varargs_grad.vjp_packed(f, primals, wrt, registry, vjp)
    fn = _primal_function(f, primals)
    spec = resolve_wrt(f, wrt)
    params = param_names(fn)
    active = tuple(k in spec.indices for k in range(len(primals)))
    kinds = tuple("num" if isinstance(p, (float, int, np.ndarray, np.generic)) else "any"
                  for p in primals)
    static = {}
    if isinstance(fn, types.MethodType):
        static = {param_names(fn.__func__)[0]: Bound(fn.__self__)}
    if isinstance(f, GradientObject):  # reverse over reverse (over_reverse.py)
        over_reverse.refuse_written_arrays(f, fn)
    try:
        split, names = CALLEES.split_for(fn, active, (), kinds, registry, static)
    except AstAdError as e:
        if isinstance(f, GradientObject):  # reverse over reverse: say what else works
            raise over_reverse.explain(e, f) from None
        raise
    lead = (fn.__self__,) if isinstance(fn, types.MethodType) else ()
    value, record = split.fwd(*lead, *primals)

    def vjp_fn(cotangent):
        grads = split.bwd(cotangent, record)
        full = lead + tuple(primals)
        out = {n: match(g, full[params.index(n)]) for n, g in zip(names, grads)}
        res = tuple(out[n] for n in spec.names)
        return res[0] if spec.single else res

    return value, _guard(vjp_fn, f)


@_guard
def hvp(f: Callable, primals: tuple, v: Any, wrt: Any = 0,
        registry: Registry | None = None) -> Any:
    """Hessian-vector product H·v (forward over the generated reverse-mode gradient).
    With a tuple ``wrt``, ``v`` is a tuple (one vector per argument) and so is the result:
    entry ``a`` is the sum over ``b`` of the block ``(a, b)`` times ``v[b]``.

    >>> import numpy as np, ast_ad
    >>> def f(x):
    ...     return np.sum(x ** 3)
    >>> ast_ad.hvp(f, (np.array([1.0, 2.0]),), np.array([1.0, 0.0]))
    array([6., 0.])
    """
    _tuples("hvp", primals)
    primals = tuple(primals)
    flat = varargs_grad.flat_wrt(f, wrt, len(primals))  # (f with *args)
    indices, single = flat if flat is not None else (resolve_wrt(f, wrt).indices,
                                                    resolve_wrt(f, wrt).single)
    vs = (v,) if single else v
    if not single and (not isinstance(v, (tuple, list)) or len(v) != len(indices)):
        raise AstAdError(f"hvp with wrt={wrt!r} takes v as a tuple of {len(indices)} "
                         "vectors, one per argument in wrt")
    tangents = [None] * len(primals)
    for k, vk in zip(indices, vs):
        tangents[k] = vk
    out = tuple(jvp(_grad_at(f, a, registry), primals, tuple(tangents), registry)[1]
                for a in indices)
    return out[0] if single else out


def _tuples(what, *seqs):
    """``jvp(f, x, v)`` with bare arrays: say what is meant (tuples of all arguments)."""
    for s in seqs:
        if not isinstance(s, (tuple, list)):
            second = "(v,)" if what == "jvp" else "v"
            raise AstAdError(
                f"ast_ad.{what} takes a tuple of all positional arguments, not a bare "
                f"{type(s).__name__}: write ast_ad.{what}(f, (x,), {second}) for one argument")


def _bound(f, wrt, args, kwargs):
    """(all arguments, the indices of the wrt arguments, whether wrt is a single one); for
    an ``f`` with ``*args``, its positional arguments flat (JAX ``argnums``)."""
    lay = varargs_grad.layout(f)
    b = bind(f, args, kwargs)
    if lay is None:
        spec = resolve_wrt(f, wrt)
        return tuple(b.arguments.values()), tuple(spec.indices), spec.single
    if kwargs:
        raise AstAdError(f"{_label(f)} has *args: pass its arguments by position here (its "
                         "keyword-only parameters take their defaults), or bind them with "
                         "functools.partial first")
    full = tuple(b.arguments[p] for p in lay[0]) + tuple(b.arguments[lay[1]])
    idx, single = varargs_grad.flat_wrt(f, wrt, len(full))
    return full, idx, single


def _grad_at(f, a, registry):
    """The gradient of ``f`` w.r.t. positional argument ``a`` (for ``f`` with ``*args``, a
    flat position: the gradient of its packed variant, picked)."""
    if varargs_grad.layout(f) is None:
        return grad(f, wrt=a, registry=registry)
    return varargs_grad.VarargsGradient(
        f, a, False, lambda packed, slots: grad(packed, slots, registry=registry))


def _unit_vectors(x, keep_dtype=True):
    """The unit vectors of ``x``'s entries, each shaped like ``x`` (1.0 for a scalar; of
    ``x``'s float dtype, or float64)."""
    if np.ndim(x) == 0:
        yield 1.0
        return
    x = np.asarray(x)
    for k in range(x.size):
        e = np.zeros(x.size, dtype=x.dtype if keep_dtype and x.dtype.kind == "f" else float)
        e[k] = 1.0
        yield e.reshape(x.shape)


def _hessian_block(f, full, a, b, registry):
    """d²f / dx_a dx_b, shaped x_a.shape + x_b.shape: the forward derivative along each
    entry of x_b of the reverse-mode gradient with respect to x_a."""
    g = _grad_at(f, a, registry)
    cols = []
    for e in _unit_vectors(full[b]):
        tangents = tuple(e if k == b else None for k in range(len(full)))
        cols.append(jvp(g, full, tangents, registry)[1])
    if np.ndim(full[a]) == 0 and np.ndim(full[b]) == 0:
        return float(cols[0])
    xs_a, xs_b = np.shape(full[a]), np.shape(full[b])
    return np.stack([np.asarray(c) for c in cols], axis=-1).reshape(xs_a + xs_b)


def hessian(f: Callable, wrt: Any = 0, registry: Registry | None = None) -> Callable:
    """A function of f's arguments returning the Hessian (shape in.shape + in.shape); with
    a tuple ``wrt``, the nested tuple of blocks ``H[a][b]`` (shape x_a.shape + x_b.shape),
    as JAX gives.

    >>> import numpy as np, ast_ad
    >>> def f(x):
    ...     return x[0] ** 2 * x[1]
    >>> ast_ad.hessian(f)(np.array([3.0, 4.0]))
    array([[8., 6.],
           [6., 0.]])
    >>> ast_ad.hessian(lambda a, b: a * a * b, wrt=(0, 1))(1.0, 2.0)
    ((4.0, 2.0), (2.0, 0.0))
    """
    def h(*args, **kwargs):
        full, idx, single = _bound(f, wrt, args, kwargs)
        blocks = tuple(tuple(_hessian_block(f, full, a, b, registry) for b in idx)
                       for a in idx)
        return blocks[0][0] if single else blocks
    return _guard(h, f)


def jacobian(f: Callable, wrt: Any = 0, mode: str = "forward",
             registry: Registry | None = None) -> Callable:
    """A function of f's arguments returning dout/din (shape out.shape + in.shape); with a
    tuple ``wrt``, a tuple of those, one per argument (JAX's ``jacfwd(f, argnums=...)``).

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
        full, idx, single = _bound(f, wrt, args, kwargs)
        blocks = tuple(_jacobian_block(f, full, i, mode, registry) for i in idx)
        return blocks[0] if single else blocks
    return _guard(jac, f)


def _jacobian_block(f, full, i, mode, registry):
    """d f / d x_i, shaped out.shape + x_i.shape."""
    x = full[i]
    xs = np.shape(x)
    if np.size(x) == 0:  # nothing to differentiate: an empty Jacobian
        return np.zeros(np.shape(f(*full)) + xs)
    if mode == "forward":
        cols = []
        for t in _unit_vectors(x, keep_dtype=False):
            tangents = tuple(t if j == i else None for j in range(len(full)))
            cols.append(np.asarray(jvp(f, full, tangents, registry)[1]))
        return np.stack(cols, axis=-1).reshape(np.shape(cols[0]) + xs)
    value, fn = vjp(f, *full, wrt=i, registry=registry)
    ys = np.shape(value)
    rows = []
    for k in range(int(np.prod(ys, dtype=int))):
        e = np.zeros(ys or (1,), dtype=float).ravel()
        e[k] = 1.0
        rows.append(np.asarray(fn(e.reshape(ys) if ys else 1.0)))
    return np.stack(rows).reshape(ys + xs)


def _user_vjp(f: Callable, *primals: Any, wrt: Any) -> tuple:
    """The hook through which a rule differentiates a user function handed to a library
    call (``scipy.integrate.odeint``'s ``func``) at run time; installed in the registry's
    hook table so that the rule modules stay below the API they call back into."""
    return vjp(f, *primals, wrt=wrt)


_DERIVE["user_vjp"] = _user_vjp


def _jvp_through(g, primals, tangents):
    """Forward mode through a call of an ast_ad gradient object inside differentiated
    code (``passes/forward/callees.gradient_object_call``): ``jvp`` when the code runs."""
    return jvp(g, primals, tangents)


_DERIVE["jvp_through"] = _jvp_through
