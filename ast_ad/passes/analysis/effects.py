"""Effects: may a call write into its arguments?  Default-deny: only what is known pure
runs as-is when a differentiated value reaches a call whose result is not used.

``effect(call, obj)`` is one of ``"pure"`` (registered rules and declarations, NumPy and
``math`` functions that are not in-place, ``print``/``logging``/``warnings``...),
``"writes"`` (``out=``, ``ufunc.at``, ``np.copyto``/``put``/``place``..., in-place methods
such as ``sort``/``fill``/``append``/``reverse``) or ``"unknown"``.

>>> import numpy as np, gast
>>> call = gast.parse("np.copyto(y, x)").body[0].value
>>> effect(call, np.copyto, None), effect(gast.parse("print(x)").body[0].value, print, None)
('writes', 'pure')
"""

from __future__ import annotations

import builtins
import types

import numpy as np

#: methods that write into their receiver (ndarray, list, dict, set)
INPLACE_METHODS = frozenset({
    "fill", "sort", "partition", "put", "resize", "itemset", "setfield", "setflags",
    "byteswap", "append", "extend", "insert", "pop", "remove", "reverse", "clear",
    "update", "setdefault", "popitem", "add", "discard", "__setitem__", "__delitem__",
    "__iadd__", "__isub__", "__imul__", "__itruediv__",
})
#: NumPy functions that write into an argument (besides every ``out=``)
MUTATING_FUNCTIONS = frozenset({
    np.copyto, np.put, np.place, np.putmask, np.fill_diagonal, np.put_along_axis,
    np.random.shuffle,
})
_PURE_MODULES = ("numpy", "math", "cmath", "logging", "warnings", "time", "scipy.special")
_PURE_BUILTINS = frozenset({
    print, len, repr, str, format, isinstance, issubclass, id, hash, type, abs, min, max,
    sum, round, float, int, bool, complex, sorted, list, tuple, dict, set, frozenset, range,
    enumerate, zip, all, any, callable, divmod, pow, hex, oct, bin, ord, chr, iter, reversed,
})


def effect(call, obj, registry) -> str:
    if any(k.arg == "out" for k in call.keywords):
        return "writes"
    f = call.func
    owner = getattr(obj, "__self__", None)
    if getattr(f, "attr", None) in INPLACE_METHODS and (
            obj is None or (owner is not None and not isinstance(owner, types.ModuleType))):
        return "writes"  # y.sort(), lst.append(v) (not np.sort: a module's function)
    if obj in MUTATING_FUNCTIONS:
        return "writes"
    if isinstance(obj, types.BuiltinMethodType) and isinstance(
            getattr(obj, "__self__", None), np.ufunc):
        return "writes"  # ufunc.at / reduceat with out...: in place
    if obj is None:
        return "unknown"
    if registry is not None and (registry.vjp(obj) is not None or
                                 registry.is_nondifferentiable(obj)):
        return "pure"
    try:
        if obj in _PURE_BUILTINS:
            return "pure"
    except TypeError:
        pass
    if isinstance(obj, np.ufunc):
        return "pure"
    mod = getattr(obj, "__module__", None) or ""
    if isinstance(obj, (types.MethodType, types.BuiltinMethodType)) and owner is not None \
            and not isinstance(owner, types.ModuleType):
        mod = type(owner).__module__ or mod  # a bound method: its object's module
    if mod.startswith(_PURE_MODULES) or mod == builtins.__name__ and obj in _PURE_BUILTINS:
        return "pure"
    return "unknown"


def mutates_first_argument(obj) -> bool:
    """Is ``obj`` a NumPy function writing into its first argument: ``np.copyto``/
    ``put``/``place``/... (``MUTATING_FUNCTIONS``) or a ``ufunc.at``?"""
    try:
        if obj in MUTATING_FUNCTIONS:
            return True
    except TypeError:  # an unhashable object
        return False
    return getattr(obj, "__name__", None) == "at" and \
        isinstance(getattr(obj, "__self__", None), np.ufunc)
