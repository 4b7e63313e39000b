"""The numba backend's bottom layer: availability, the error type, and numba
implementations of the runtime helpers generated gradients call."""

from __future__ import annotations

import numpy as np

from ..errors import UnsupportedConstructError
from .numba_impls import _entry, more_impls


def available() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def unwrap_njit(fn):
    """The Python function of a ``@numba.njit`` dispatcher (``fn`` itself otherwise)."""
    py = getattr(fn, "py_func", None)
    if py is not None and type(fn).__module__.startswith("numba"):
        return py
    return fn


class NumbaBackendError(UnsupportedConstructError):
    """The generated gradient cannot be compiled by numba (the message names why)."""


# -- the numba forms of the runtime helpers ----------------------------------------------
_IMPLS = None


def _impls():
    """{helper name: numba implementation}, built once (numba imported lazily)."""
    global _IMPLS
    if _IMPLS is not None:
        return _IMPLS
    import numba
    from numba import types
    from numba.extending import overload

    def nb_seed(y):
        pass

    @overload(nb_seed)
    def _seed(y):
        if isinstance(y, types.Number):
            return lambda y: 1.0
        if isinstance(y, types.Array) and y.ndim == 0:
            return lambda y: 1.0
        raise numba.errors.TypingError("grad needs a scalar output")

    def nb_unbroadcast(g, x):
        pass

    @overload(nb_unbroadcast)
    def _unbroadcast(g, x):
        if isinstance(x, (types.Number, types.Boolean)):
            if isinstance(g, types.Array):
                return lambda g, x: np.sum(g)
            return lambda g, x: g
        if isinstance(x, types.Array):
            if isinstance(g, types.Array):
                if g.ndim != x.ndim:
                    raise numba.errors.TypingError(
                        "unbroadcast over a broadcast dimension (numba backend)")

                def same(g, x):
                    if g.shape != x.shape:
                        raise ValueError("numba backend: an adjoint broadcast over a "
                                         "dimension of size 1 is not supported")
                    return g
                return same
            return lambda g, x: np.full(x.shape, g)

    def nb_accum_index(b, x, idx, g):
        pass

    @overload(nb_accum_index)
    def _accum(b, x, idx, g):
        if not isinstance(x, types.Array):
            raise numba.errors.TypingError("accum_index into a non-array (containers are "
                                           "refused by the numba backend)")
        if isinstance(b, types.Array) and b.ndim == x.ndim:
            def inplace(b, x, idx, g):
                if b.shape != x.shape:  # not the buffer this code owns: a new one
                    out = np.zeros(x.shape) + b
                    out[idx] += g
                    return out
                b[idx] += g
                return b
            return inplace

        def fresh(b, x, idx, g):
            out = np.zeros(x.shape) + b
            out[idx] += g
            return out
        return fresh

    def nb_accum_index_copy(b, x, idx, g):
        pass

    @overload(nb_accum_index_copy)
    def _accum_copy(b, x, idx, g):
        def copying(b, x, idx, g):
            out = np.zeros(x.shape) + b
            out[idx] += g
            return out
        return copying

    def nb_fix_array(g, x):
        pass

    @overload(nb_fix_array)
    def _fix(g, x):
        if isinstance(x, types.Array):
            dt = x.dtype if isinstance(x.dtype, types.Float) else types.float64
            if isinstance(g, types.Array):
                return lambda g, x: np.reshape(g, x.shape).astype(dt)
            return lambda g, x: np.full(x.shape, g, dt)
        if isinstance(x, (types.Number, types.Boolean)):
            if isinstance(g, types.Array):
                return lambda g, x: float(np.sum(g))
            return lambda g, x: float(g)

    def nb_count_reduced(a, axis):
        pass

    @overload(nb_count_reduced)
    def _count(a, axis):
        if isinstance(axis, (types.NoneType, types.Omitted)):
            if isinstance(a, types.Array):
                return lambda a, axis: a.size
            return lambda a, axis: 1
        return lambda a, axis: a.shape[axis]

    def nb_unreduce(g, like, axis, keepdims):
        pass

    @overload(nb_unreduce)
    def _unreduce(g, like, axis, keepdims):
        if isinstance(axis, (types.NoneType, types.Omitted)) and \
                isinstance(g, (types.Number, types.Boolean)):
            if isinstance(like, types.Array):
                return lambda g, like, axis, keepdims: np.full(like.shape, g)
            return lambda g, like, axis, keepdims: g
        raise numba.errors.TypingError("unreduce over an axis (numba backend)")

    def nb_zeros_grad(x):
        pass

    @overload(nb_zeros_grad)
    def _zeros(x):
        if isinstance(x, types.Array):
            return lambda x: np.zeros(x.shape)
        if isinstance(x, (types.Number, types.Boolean)):
            return lambda x: 0.0

    def nb_take_grad(b, idx):
        pass

    @overload(nb_take_grad)
    def _take(b, idx):
        if isinstance(b, types.Array):
            if _entry(b, idx):
                return lambda b, idx: b[idx]
            return lambda b, idx: b[idx].copy()  # a sub-array: its own copy, as in Python
        if isinstance(b, types.Number):
            def scalar(b, idx):
                if b != 0.0:
                    raise ValueError("numba backend: an entry of a scalar adjoint")
                return 0.0
            return scalar

    def nb_take_written(b, idx):
        pass

    @overload(nb_take_written)
    def _take_written(b, idx):
        # an integer or a slice (a tuple of them) never selects an element twice; an
        # integer-array index might (the last write wins): not compiled, never guessed
        basic = (types.Integer, types.SliceType, types.EllipsisType, types.NoneType)
        items = idx.types if isinstance(idx, types.BaseTuple) else (idx,)
        if not all(isinstance(t, basic) for t in items):
            return None
        if isinstance(b, types.Array):
            return lambda b, idx: b[idx]
        if isinstance(b, types.Number):
            return lambda b, idx: 0.0

    def nb_broadcast_like(g, like):
        pass

    @overload(nb_broadcast_like)
    def _bl(g, like):
        if isinstance(like, types.Array):
            if isinstance(g, types.Array):
                return lambda g, like: g
            return lambda g, like: np.full(like.shape, g)
        return lambda g, like: g

    def nb_float_sign(x):
        if x > 0:
            return 1.0
        if x < 0:
            return -1.0
        return 0.0 if x == 0 else x

    def nb_stop_gradient(x):
        return x

    def nb_as_float(b):
        return float(b)

    def nb_fdiv(a, b):  # NumPy's inf/nan at b == 0 (error_model="numpy")
        return a / b

    def nb_fpow(a, b):
        return a ** b

    _IMPLS = more_impls()
    _IMPLS.update({
        "seed": nb_seed, "check_output": nb_seed, "unbroadcast": nb_unbroadcast,
        "accum_index": nb_accum_index, "accum_index_copy": nb_accum_index_copy,
        "accum_index_into": nb_accum_index,  # in place: the numba form's own behaviour
        "fix_array": nb_fix_array, "match": nb_fix_array, "count_reduced": nb_count_reduced,
        "unreduce": nb_unreduce, "zeros_grad": nb_zeros_grad, "take_grad": nb_take_grad,
        "broadcast_like": nb_broadcast_like, "float_sign": numba.njit(nb_float_sign),
        "stop_gradient": numba.njit(nb_stop_gradient), "take_written": nb_take_written,
        "as_float": numba.njit(nb_as_float), "fdiv": numba.njit(nb_fdiv, error_model="numpy"),
        "fpow": numba.njit(nb_fpow, error_model="numpy"),
    })
    return _IMPLS


#: helpers whose numba form is the identity, removed from the text
