"""Central finite differences for the end-to-end corpus (float64, one element at a time).

``fd_grad(f, args, wrt)`` mirrors ``ast_ad.grad``'s contract: ``wrt`` is an int, a
parameter name or a tuple of them; an int/name gives one gradient, a tuple a tuple.
Python ints and floats are perturbed as floats; arrays are perturbed in float64;
lists, tuples and dicts of them entry by entry (the gradient has the same structure).
"""

from __future__ import annotations

import inspect

import numpy as np

EPS = 1e-6


def _indices(f, wrt):
    names = list(inspect.signature(f).parameters)
    items = wrt if isinstance(wrt, tuple) else (wrt,)
    return [names.index(w) if isinstance(w, str) else w for w in items]


def _scalar(y):
    y = np.asarray(y, dtype=np.float64)
    if y.size != 1:
        raise ValueError(f"finite differences need a scalar output, got shape {y.shape}")
    return float(y.reshape(()))


def _fd_one(f, args, i, eps):
    x = args[i]
    if isinstance(x, (list, tuple)):
        out = []
        for k in range(len(x)):
            def fk(v, k=k):
                seq = list(x)
                seq[k] = v
                return f(*args[:i], type(x)(seq), *args[i + 1:])
            out.append(_fd_one(fk, (x[k],), 0, eps))
        return type(x)(out)
    if isinstance(x, dict):
        out = {}
        for key in x:
            def fk(v, key=key):
                d = dict(x)
                d[key] = v
                return f(*args[:i], d, *args[i + 1:])
            out[key] = _fd_one(fk, (x[key],), 0, eps)
        return out
    if isinstance(x, np.ndarray):
        base = x.astype(np.float64)
        out = np.zeros_like(base)
        for k in np.ndindex(base.shape):
            hi, lo = base.copy(), base.copy()
            hi[k] += eps
            lo[k] -= eps
            a_hi = list(args)
            a_lo = list(args)
            a_hi[i], a_lo[i] = hi, lo
            out[k] = (_scalar(f(*a_hi)) - _scalar(f(*a_lo))) / (2 * eps)
        return out
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.floating)):
        raise TypeError(f"cannot perturb argument {i} of type {type(x).__name__}")
    a_hi = list(args)
    a_lo = list(args)
    a_hi[i] = float(x) + eps
    a_lo[i] = float(x) - eps
    return (_scalar(f(*a_hi)) - _scalar(f(*a_lo))) / (2 * eps)


def fd_grad(f, args, wrt=0, eps=EPS):
    """Central-difference gradient(s) of the scalar function ``f`` at ``args``."""
    grads = tuple(_fd_one(f, tuple(args), i, eps) for i in _indices(f, wrt))
    return grads if isinstance(wrt, tuple) else grads[0]


def as_tuple(g, wrt):
    return tuple(g) if isinstance(wrt, tuple) else (g,)


def assert_close(got, ref, rtol, atol_scale, what=""):
    """``got`` matches ``ref`` with ``rtol`` and ``atol = atol_scale * max|ref|``."""
    got_a = np.asarray(got, dtype=np.float64)
    ref_a = np.asarray(ref, dtype=np.float64)
    assert got_a.shape == ref_a.shape, f"{what}: shape {got_a.shape} != {ref_a.shape}"
    scale = max(1.0, float(np.max(np.abs(ref_a)))) if ref_a.size else 1.0
    np.testing.assert_allclose(got_a, ref_a, rtol=rtol, atol=atol_scale * scale, err_msg=what)
