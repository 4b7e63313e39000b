"""The one table of ndarray methods and attributes: what ``x.name(...)`` / ``x.name`` is as
a function call, for the transformer and the tape alike.

The transformer (:mod:`ast_ad.passes.anf`) rewrites ``x.sum(axis=0)`` into
``np.sum(x, axis=0)`` before differentiating; the tape (:mod:`ast_ad.tape.tracer`) records
the same function when a traced array's method is called.  Each entry says what NumPy
really does::

    x.sum(0)            np.sum(x, 0)
    x.reshape(3, 4)     np.reshape(x, (3, 4))        ("xs": several ints or one tuple)
    x.flatten()         flatten(x)                   (a copy, never a view)
    x.item(5)           item(x, 5)                   (flat index 5, as NumPy's item)
    x.T, x.real         np.transpose(x), real(x)

The helpers below have no rules of their own: they are written with functions that have
rules, so both the transformer (which differentiates their source like a user function)
and the tape (which records what they call) differentiate them.
"""

from __future__ import annotations

import numpy as np

from ..runtime import stop_gradient
from . import helpers as H
from .registry import defjvp, defvjp

__all__ = ["ARRAY_ATTRS", "ARRAY_METHODS", "NONDIFF_ATTRS", "flatten", "imag", "item",
           "method_args", "real", "tolist"]


def _flat_index(shape, index):
    """The flat position ``x.item(index)`` reads in an array of ``shape``."""
    size = int(np.prod(shape, dtype=np.int64))
    if index is None:
        if size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        return 0
    if isinstance(index, (tuple, list)) and len(index) == 1:
        index = index[0]
    if isinstance(index, (tuple, list)):
        if len(index) != len(shape):
            raise ValueError("incorrect number of indices for array")
        for i, n in zip(index, shape):
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for size {n}")
        return int(np.ravel_multi_index(tuple(int(i) % n for i, n in zip(index, shape)), shape))
    k = int(index)
    if not -size <= k < size:
        raise IndexError(f"index {k} is out of bounds for size {size}")
    return k % size


def item(x, index=None):
    """``x.item()``, ``x.item(k)`` (flat index ``k``) or ``x.item(i, j)`` (a multi-index):
    that element (a NumPy scalar where NumPy's ``item`` gives a Python one)."""
    return np.reshape(x, -1)[_flat_index(np.shape(x), index)]


def flatten(x, order="C"):
    """``x.flatten(order)``: a flattened copy (``np.ravel`` may return a view)."""
    return H.copy(np.ravel(x, order))


def tolist(x):
    """``x.tolist()``: nested lists of the elements (a NumPy scalar for a 0-d array)."""
    if np.ndim(x) == 0:
        return item(x)
    return [tolist(x[i]) for i in range(len(x))]


# numbers and arrays; the tape's traced values count too (they have __array_ufunc__)
_NUMBERS = (np.ndarray, np.generic, float, int, complex)


def match_complex(g, like):
    """A cotangent for ``like``: its real part when ``like`` is real (autograd's rule)."""
    if np.iscomplexobj(like):
        return g
    return np.real(g)


def real_vjp(g, ans, x):
    return match_complex(g + 0j * g, x)


def imag_vjp(g, ans, x):
    return match_complex(-1j * g, x)


def real_jvp(t, ans, x):
    return np.real(t)


def imag_jvp(t, ans, x):
    return np.imag(t)


def match_complex_vjp(g, ans, gg, like):
    return match_complex(g, gg)


def match_complex_jvp(t, ans, gg, like):
    return match_complex(t, like)


defvjp(np.real, real_vjp)
defjvp(np.real, real_jvp)
defvjp(np.imag, imag_vjp)
defjvp(np.imag, imag_jvp)
defvjp(match_complex, match_complex_vjp, None)
defjvp(match_complex, match_complex_jvp, None)


def real(x):
    """``x.real``: ``x`` itself for real numbers and arrays (NumPy's is a view of them); of
    complex ones ``np.real(x)`` (its rule, or a clear NoRuleError); of any other object its
    own attribute, without a gradient (as before this table)."""
    if not (isinstance(x, _NUMBERS) or hasattr(x, "__array_ufunc__")):
        return getattr(stop_gradient(x), "real")
    if np.result_type(x).kind == "c":
        return np.real(x)
    return x


def imag(x):
    """``x.imag``: zeros like ``x`` for real numbers and arrays (no gradient flows through
    them); of complex ones ``np.imag(x)`` (its rule, or a clear NoRuleError); of any other
    object its own attribute, without a gradient."""
    if not (isinstance(x, _NUMBERS) or hasattr(x, "__array_ufunc__")):
        return getattr(stop_gradient(x), "imag")
    if np.result_type(x).kind == "c":
        return np.imag(x)
    return np.zeros_like(x)[()]


# method name -> (function, how the receiver and arguments map onto it)
#   "x":  x.name(*args, **kw) == function(x, *args, **kw)
#   "xs": x.name(*args, **kw) == function(x, args, **kw)   (args: several ints, or one
#         tuple/int/None passed as it is; no args: function(x, **kw))
ARRAY_METHODS = {
    "sum": (np.sum, "x"), "mean": (np.mean, "x"), "max": (np.max, "x"), "min": (np.min, "x"),
    "prod": (np.prod, "x"), "var": (np.var, "x"), "std": (np.std, "x"), "dot": (np.dot, "x"),
    "cumsum": (np.cumsum, "x"), "cumprod": (np.cumprod, "x"), "clip": (np.clip, "x"),
    "round": (np.round, "x"), "conj": (np.conj, "x"), "conjugate": (np.conjugate, "x"),
    "trace": (np.trace, "x"), "diagonal": (np.diagonal, "x"), "take": (np.take, "x"),
    "repeat": (np.repeat, "x"), "squeeze": (np.squeeze, "x"), "swapaxes": (np.swapaxes, "x"),
    "ravel": (np.ravel, "x"), "flatten": (flatten, "x"),
    "reshape": (np.reshape, "xs"), "transpose": (np.transpose, "xs"),
    "argmax": (np.argmax, "x"), "argmin": (np.argmin, "x"), "argsort": (np.argsort, "x"),
    "nonzero": (np.nonzero, "x"), "any": (np.any, "x"), "all": (np.all, "x"),
    "item": (item, "xs"), "tolist": (tolist, "x"),
    "copy": (H.copy, "x"), "astype": (H.astype, "x"),
}
if hasattr(np.ndarray, "ptp"):  # NumPy < 2 only
    ARRAY_METHODS["ptp"] = (np.ptp, "x")

#: attribute name -> function of the receiver
ARRAY_ATTRS = {"T": np.transpose, "real": real, "imag": imag, "flat": np.ravel}  # x.flat[i] reads
#: attributes that are never differentiable (shapes and types)
NONDIFF_ATTRS = frozenset({"shape", "ndim", "size", "dtype", "itemsize"})


def method_args(mode, args):
    """The arguments after the receiver, for a table entry's ``mode``."""
    if mode == "xs" and len(args) > 1:
        return (tuple(args),)
    return tuple(args)
