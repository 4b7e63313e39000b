"""Central finite differences for the whole test suite (float64, one element at a time).

This is the suite's only finite-difference implementation (``ast_ad.testing`` has its
own: it is under test, so it is no oracle here). Every evaluation of ``f`` gets fresh
copies of the arguments, so a function that writes into its inputs does not disturb
the next evaluation.

``fd_grad(f, args, wrt=0, eps=EPS, kwargs=None)``
    The gradient of a scalar-valued ``f`` at ``args``, with ``ast_ad.grad``'s contract
    for ``wrt``: an int or a parameter name gives one gradient, a tuple of them a tuple,
    and ``None`` a tuple over every positional argument. Python ints, floats and NumPy
    scalars are perturbed as Python floats (their gradient is a float), arrays in
    float64 entry by entry, lists, tuples and dicts of them entry by entry (the gradient
    has the argument's structure).
``fd_directional(f, args, wrt, v, eps=EPS, kwargs=None)``
    ``(f(.. x + eps v ..) - f(.. x - eps v ..)) / (2 eps)`` for any output: a float, or
    a float64 array of the output's shape. ``wrt`` is one index with ``v`` of the
    argument's structure, or a tuple of indices with a tuple of directions.
``fd_jacobian(f, x, eps=EPS)``
    ``d f / d x`` of a one-argument ``f`` at an array (or float) ``x``, with shape
    ``shape(f(x)) + shape(x)``.
``fd_derivative(f, x, eps=EPS)``
    ``f'(x)`` of a one-argument ``f`` at a float ``x`` (any output shape).

Structure helpers (``axpy``, ``flat``, ``with_arg``), shared with the rule tests, and
``as_tuple``/``assert_close`` for comparing against these references are here too.
"""

from __future__ import annotations

import inspect

import numpy as np

EPS = 1e-6

__all__ = ["EPS", "as_tuple", "assert_close", "axpy", "fd_derivative", "fd_directional",
           "fd_grad", "fd_jacobian", "flat", "with_arg"]


# -- structures ------------------------------------------------------------------------------
def _rebuild(x, items):
    """A list/tuple/namedtuple like ``x`` holding ``items``."""
    if isinstance(x, list):
        return list(items)
    if hasattr(x, "_fields"):
        return type(x)(*items)
    return type(x)(items)


def _fresh(x):
    """``x`` with every array (at any depth of lists, tuples and dicts) copied."""
    if isinstance(x, np.ndarray):
        return x.copy()
    if isinstance(x, (list, tuple)):
        return _rebuild(x, [_fresh(e) for e in x])
    if isinstance(x, dict):
        return {k: _fresh(e) for k, e in x.items()}
    return x


def with_arg(args, k, value):
    """``args`` (a tuple) with entry ``k`` replaced by ``value``."""
    args = tuple(args)
    return args[:k] + (value,) + args[k + 1:]


def axpy(x, a, v):
    """``x + a * v``, keeping the structure and the kind (a Python float stays a float).

    ``v`` has the structure of ``x``; a ``None`` entry of ``v`` leaves ``x`` there alone.
    """
    if v is None:
        return x
    if isinstance(x, (list, tuple)):
        return _rebuild(x, [axpy(xi, a, vi) for xi, vi in zip(x, v)])
    if isinstance(x, dict):
        return {k: axpy(xi, a, v.get(k)) for k, xi in x.items()}
    return x + a * v


def _real64(y):
    """``y`` as float64 of its own shape (the real part of a complex ``y``, as the float
    cast of a complex array gives)."""
    y = np.asarray(y)
    return np.asarray(y.real if np.iscomplexobj(y) else y, dtype=np.float64)


def flat(x):
    """All the numbers of ``x`` (lists, tuples, dicts of arrays and scalars) as a float array."""
    if isinstance(x, dict):
        x = list(x.values())
    if isinstance(x, (list, tuple)):
        parts = [flat(e) for e in x]
        return np.concatenate(parts) if parts else np.zeros(0)
    x = np.asarray(x)
    if np.iscomplexobj(x):  # the real part, as the float cast of a complex array gives
        x = x.real
    return np.ravel(np.asarray(x, dtype=float))


def as_tuple(g, wrt):
    """The gradient(s) for ``wrt`` as a tuple (one gradient for an int/name ``wrt``)."""
    return tuple(g) if isinstance(wrt, tuple) else (g,)


# -- finite differences ----------------------------------------------------------------------
def _indices(f, args, wrt):
    if wrt is None:
        return list(range(len(args)))
    items = wrt if isinstance(wrt, tuple) else (wrt,)
    if any(isinstance(w, str) for w in items):
        names = list(inspect.signature(f).parameters)
        return [names.index(w) if isinstance(w, str) else w for w in items]
    return list(items)


def _scalar(y):
    y = np.asarray(y, dtype=np.float64)
    if y.size != 1:
        raise ValueError(f"finite differences need a scalar output, got shape {y.shape}")
    return float(y.reshape(()))


def _central(f, args, kwargs, i, hi, lo):
    """``f`` at ``args`` with ``args[i]`` set to ``hi``, then to ``lo`` (fresh copies)."""
    y_hi = f(*_fresh(with_arg(args, i, hi)), **_fresh(kwargs))
    y_lo = f(*_fresh(with_arg(args, i, lo)), **_fresh(kwargs))
    return y_hi, y_lo


def _grad_one(f, args, kwargs, i, eps):
    """The gradient of scalar ``f`` with respect to ``args[i]`` (any supported structure)."""
    x = args[i]
    if isinstance(x, (list, tuple, dict)):
        keys = list(x) if isinstance(x, dict) else range(len(x))
        out = {}
        for key in keys:
            def fk(v, key=key):
                if isinstance(x, dict):
                    part = dict(x)
                    part[key] = v
                else:
                    seq = list(x)
                    seq[key] = v
                    part = _rebuild(x, seq)
                return f(*_fresh(with_arg(args, i, part)), **_fresh(kwargs))
            out[key] = _grad_one(fk, (x[key],), {}, 0, eps)
        return out if isinstance(x, dict) else _rebuild(x, [out[k] for k in keys])
    if isinstance(x, np.ndarray):
        base = x.astype(np.float64)
        out = np.zeros_like(base)
        for k in np.ndindex(base.shape):
            hi, lo = base.copy(), base.copy()
            hi[k] += eps
            lo[k] -= eps
            y_hi, y_lo = _central(f, args, kwargs, i, hi, lo)
            out[k] = (_scalar(y_hi) - _scalar(y_lo)) / (2 * eps)
        return out
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.number)):
        raise TypeError(f"cannot perturb argument {i} of type {type(x).__name__}")
    y_hi, y_lo = _central(f, args, kwargs, i, float(x) + eps, float(x) - eps)
    return (_scalar(y_hi) - _scalar(y_lo)) / (2 * eps)


def fd_grad(f, args, wrt=0, eps=EPS, kwargs=None):
    """Central-difference gradient(s) of the scalar function ``f`` at ``args``."""
    args = tuple(args)
    kwargs = dict(kwargs or {})
    grads = tuple(_grad_one(f, args, kwargs, i, eps) for i in _indices(f, args, wrt))
    return grads if wrt is None or isinstance(wrt, tuple) else grads[0]


def _difference(y_hi, y_lo, eps):
    if isinstance(y_hi, (list, tuple, dict)):
        return (flat(y_hi) - flat(y_lo)) / (2 * eps)
    d = (_real64(y_hi) - _real64(y_lo)) / (2 * eps)
    return float(d) if d.ndim == 0 else d


def fd_directional(f, args, wrt, v, eps=EPS, kwargs=None):
    """Central difference of ``f``'s output along ``v`` in argument(s) ``wrt``.

    The output may have any shape (a list/tuple/dict output is flattened, as by ``flat``).
    """
    args = tuple(args)
    kwargs = dict(kwargs or {})
    idx = wrt if isinstance(wrt, tuple) else (wrt,)
    vs = v if isinstance(wrt, tuple) else (v,)
    hi, lo = args, args
    for i, vi in zip(idx, vs):
        hi = with_arg(hi, i, axpy(args[i], eps, vi))
        lo = with_arg(lo, i, axpy(args[i], -eps, vi))
    y_hi = f(*_fresh(hi), **_fresh(kwargs))
    y_lo = f(*_fresh(lo), **_fresh(kwargs))
    return _difference(y_hi, y_lo, eps)


def fd_derivative(f, x, eps=EPS):
    """``f'(x)`` for a one-argument ``f`` at a float ``x`` (any output shape)."""
    return fd_directional(f, (float(x),), 0, 1.0, eps)


def fd_jacobian(f, x, eps=EPS):
    """``d f / d x`` of a one-argument ``f``: shape ``shape(f(x)) + shape(x)``."""
    if not isinstance(x, np.ndarray):
        return np.asarray(fd_derivative(f, x, eps), dtype=np.float64)
    base = x.astype(np.float64)
    cols = {}
    for k in np.ndindex(base.shape):
        e = np.zeros_like(base)
        e[k] = 1.0
        cols[k] = np.asarray(fd_directional(f, (base,), 0, e, eps), dtype=np.float64)
    out_shape = next(iter(cols.values())).shape if cols else ()
    J = np.zeros(out_shape + base.shape)
    for k, col in cols.items():
        J[(...,) + k] = col
    return J


# -- comparing -------------------------------------------------------------------------------
def assert_close(got, ref, rtol, atol_scale, what=""):
    """``got`` matches ``ref`` with ``rtol`` and ``atol = atol_scale * max(1, max|ref|)``."""
    got_a = np.asarray(got, dtype=np.float64)
    ref_a = np.asarray(ref, dtype=np.float64)
    assert got_a.shape == ref_a.shape, f"{what}: shape {got_a.shape} != {ref_a.shape}"
    scale = max(1.0, float(np.max(np.abs(ref_a)))) if ref_a.size else 1.0
    np.testing.assert_allclose(got_a, ref_a, rtol=rtol, atol=atol_scale * scale, err_msg=what)
