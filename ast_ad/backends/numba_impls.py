"""numba forms of the runtime helpers of element loops (subscript writes, element
adjoints, zero tests) and of the typed stacks: what ``numba_helpers._impls`` adds to
its table.  numba is imported lazily, when the table is first built."""

from __future__ import annotations

import inspect

import numpy as np


def _entry(a, idx):
    """Whether ``a[idx]`` (numba types) is one entry, not a sub-array."""
    from numba import types

    if isinstance(idx, types.Integer):
        return a.ndim == 1
    if isinstance(idx, types.BaseTuple):
        return len(idx) == a.ndim and all(isinstance(t, types.Integer) for t in idx)
    return False


def more_impls():
    """{helper name: numba implementation} for the helpers named in the module docstring."""
    import numba
    from numba import types
    from numba.extending import overload

    def refuse(what):
        raise numba.errors.TypingError(f"{what} (numba backend)")

    def _copy(x):
        if isinstance(x, types.Array):
            return lambda x: x.copy()
        if isinstance(x, (types.Number, types.Boolean)):
            return lambda x: x
        refuse("copy of a container")

    def _save(x, idx):
        if not isinstance(x, types.Array):
            refuse("a subscript write into a container")
        if _entry(x, idx):
            return lambda x, idx: x[idx]
        return lambda x, idx: x[idx].copy()

    @numba.njit
    def nb_restore_item(x, idx, old):
        x[idx] = old

    def _clear(b, x, idx):
        if isinstance(b, types.Array) and isinstance(x, types.Array) and b.ndim == x.ndim:
            def copying(b, x, idx):
                if b.shape != x.shape:
                    raise ValueError("numba backend: an adjoint of another shape")
                out = b.copy()
                out[idx] = 0.0
                return out
            return copying
        refuse("clearing an entry of a scalar adjoint")

    def _clear_inplace(b, x, idx):
        if isinstance(b, types.Array) and isinstance(x, types.Array) and b.ndim == x.ndim:
            def inplace(b, x, idx):
                if b.shape != x.shape:
                    raise ValueError("numba backend: an adjoint of another shape")
                b[idx] = 0.0
                return b
            return inplace
        refuse("clearing an entry of a scalar adjoint")

    def _own(x):
        if isinstance(x, types.Array):
            return lambda x: x.copy()
        return lambda x: x

    def _is_zero(g):
        if isinstance(g, types.Array):
            # the only array "zero" is the empty placeholder the variant gives an array
            # adjoint for the Python code's 0.0 (see numba_codegen)
            return lambda g: g.size == 0
        if isinstance(g, (types.Number, types.Boolean)):
            return lambda g: g == 0.0
        if isinstance(g, (types.NoneType, types.Omitted)):
            return lambda g: True
        refuse("a zero test of a container")

    def _array_parts(g, obj):
        if isinstance(obj, (types.Number, types.Boolean, types.Array)):
            return lambda g, obj: g
        refuse("np.array of a list (containers are refused)")

    def _check_real(y):
        if isinstance(y, types.Complex) or (isinstance(y, types.Array) and
                                            isinstance(y.dtype, types.Complex)):
            refuse("grad needs a real scalar output, got a complex one")
        return lambda y: None

    @numba.njit
    def nb_grow(a):
        out = np.empty(2 * a.shape[0] + 16, a.dtype)
        out[:a.shape[0]] = a
        return out

    def overloaded(typer):
        # a stub with the typer's parameters, whose numba form the typer chooses
        names = ", ".join(inspect.signature(typer).parameters)
        space = {}
        exec(f"def stub({names}):\n    pass", space)
        overload(space["stub"])(typer)
        return space["stub"]

    table = {"copy": _copy, "save_item": _save, "clear_grad": _clear,
             "clear_grad_inplace": _clear_inplace, "own": _own, "is_zero": _is_zero,
             "array_parts": _array_parts, "check_real": _check_real}
    table = {name: overloaded(typer) for name, typer in table.items()}
    table.update(restore_item=nb_restore_item, grow_stack=nb_grow)
    return table
