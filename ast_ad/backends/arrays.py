"""Array-likes of other libraries: NumPy arrays, and types that implement NumPy's
dispatch protocol (``__array_function__``) with a ``shape`` and a ``dtype`` — CuPy and
Dask arrays, the test suite's ``Device`` stand-in.  NumPy scalars are not arrays here.

>>> import numpy as np
>>> is_array(np.ones(2)), is_array(1.0), is_array(np.float64(1.0)), is_array([1.0])
(True, False, False, False)
"""

from __future__ import annotations

import numpy as np

_ndarray = np.ndarray
_KNOWN: dict = {np.ndarray: True}


def is_array_type(t) -> bool:
    """Whether instances of ``t`` are arrays (of NumPy or of a library dispatching like it)."""
    r = _KNOWN.get(t)
    if r is None:
        r = isinstance(t, type) and (issubclass(t, _ndarray) or (
            not issubclass(t, (np.generic, list, tuple, dict, str, bytes)) and
            hasattr(t, "__array_function__") and hasattr(t, "shape") and hasattr(t, "dtype")))
        _KNOWN[t] = r
    return r


def is_array(x) -> bool:
    """Whether ``x`` is an array (see the module docstring)."""
    t = type(x)
    return t is _ndarray or is_array_type(t)


def is_foreign_array(x) -> bool:
    """An array that is not a NumPy array (its data may live on a device or a cluster)."""
    return not isinstance(x, _ndarray) and is_array_type(type(x))


def dtype_of(x):
    """``x``'s dtype without converting it (``np.result_type`` for Python numbers)."""
    d = getattr(x, "dtype", None)
    return d if d is not None else np.result_type(x)


def is_foreign_array_type(t) -> bool:
    """Whether instances of ``t`` are arrays of another library than NumPy."""
    return isinstance(t, type) and not issubclass(t, _ndarray) and is_array_type(t)


def no_foreign_arrays(arg_kinds) -> bool:
    """Whether none of the argument types seen at a call is another library's array (the
    generated code may then update NumPy buffers in place and take NumPy fast paths)."""
    return not any(is_foreign_array_type(t) for t in arg_kinds.values())
