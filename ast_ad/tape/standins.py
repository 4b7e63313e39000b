"""Tracing stand-ins for ``numpy``, ``math`` and the builtins.

NumPy's dispatch protocols alone lose gradients silently (``math.sin(t)``, ``float(t)``,
``np.zeros(3)[0] = t``, ``np.array([t, t])``), so the tape runs the user's function with
the names that refer to NumPy, ``math`` and a few builtins bound to stand-ins:

- a module stand-in (``np``, ``np.linalg``, ``math``) hands out, per attribute, a
  recording wrapper of the real function (calls with no traced argument go straight to
  the real function), the tape's array creators, or the real object (classes, constants);
- the array creators (``np.zeros``, ``np.array``, ``np.zeros_like``...; :mod:`.arrays`)
  return traced arrays, so element and slice writes into them are recorded;
- ``abs``, ``min``, ``max``, ``sum``, ``pow``, ``round``, ``divmod`` use the registry's rule
  when there is one, else the tracer's operators; ``float``/``complex`` need a rule;
  ``int``/``bool`` are non-differentiable; ``isinstance`` sees through tracers; ``__import__``
  hands out the stand-ins to ``import`` statements inside the function.

Rebinding itself lives in :mod:`.patch`.
"""

from __future__ import annotations

import builtins
import types

import numpy as np

from .arrays import OVERRIDES as _OVERRIDES
from .arrays import SEQUENCE as _SEQUENCE
from .arrays import astype, dispatch_numpy, make_array
from .core import (
    NONDIFF,
    _top_trace,
    has_tracer,
    no_rule,
    primal,
    record,
    record_on,
    unbox_all,
)
from .tracer import Tracer

__all__ = [
    "ModuleStandin",
    "astype",
    "builtin_standins",
    "dispatch_numpy",
    "make_array",
    "numpy_scalar_type",
]


class NumpyFunction:
    """Stand-in for a NumPy (or other registered) function: records calls on traced values."""

    __slots__ = ("_override", "_seq", "fn")

    def __init__(self, fn):
        self.fn = fn
        try:
            self._override = _OVERRIDES.get(fn)
            self._seq = fn in _SEQUENCE
        except TypeError:
            self._override, self._seq = None, False

    def __call__(self, *args, **kwargs):
        if self._override is not None:
            return self._override(*args, **kwargs)
        for a in args:
            if type(a) is list or type(a) is tuple:
                return dispatch_numpy(self.fn, args, kwargs)
        return record(self.fn, args, kwargs)

    def __getattr__(self, name):
        return getattr(self.fn, name)

    def __repr__(self):
        return f"<tape stand-in for {self.fn!r}>"


class UfuncStandin(NumpyFunction):
    """Stand-in for a ufunc; ``.reduce``/``.accumulate``/``.outer`` record too."""

    __slots__ = ()

    def __getattr__(self, name):
        if name in ("reduce", "accumulate", "outer", "reduceat"):
            return NumpyFunction(getattr(self.fn, name))
        if name == "at":
            return _UfuncAt(self.fn)
        return getattr(self.fn, name)


class _UfuncAt:
    def __init__(self, ufunc):
        self.ufunc = ufunc

    def __call__(self, a, *args):
        if has_tracer((a,) + args):
            raise no_rule(self.ufunc.at, " (in-place; write `y[idx] = y[idx] + v` instead)")
        return self.ufunc.at(a, *args)


class ModuleStandin(types.ModuleType):
    """A module whose attributes are translated (once each) by ``translate``."""

    def __init__(self, real, translate):
        super().__init__(real.__name__, getattr(real, "__doc__", None))
        self.__dict__["_ast_ad_real"] = real
        self.__dict__["_ast_ad_translate"] = translate

    def __getattr__(self, name):
        value = getattr(self.__dict__["_ast_ad_real"], name)
        value = self.__dict__["_ast_ad_translate"](value)
        self.__dict__[name] = value
        return value

    def __setattr__(self, name, value):
        setattr(self.__dict__["_ast_ad_real"], name, value)
        self.__dict__.pop(name, None)

    def __dir__(self):
        return dir(self.__dict__["_ast_ad_real"])

    def __repr__(self):
        return f"<tape stand-in for module {self.__name__!r}>"


# -- builtins -------------------------------------------------------------------------
class BuiltinStandin:
    """``abs``/``min``/``max``/``sum``/``pow``/``round``/``divmod``/``float``/``int``... on tracers.

    A registered rule (or non-differentiable declaration) wins; otherwise ``mode`` says
    what to do: "dunder" calls the builtin, which uses the tracer's operators; "nondiff"
    calls it on primal values; "rule" requires a rule.
    """

    __slots__ = ("fn", "mode")

    def __init__(self, fn, mode):
        self.fn = fn
        self.mode = mode

    def __call__(self, *args, **kwargs):
        trace = _top_trace(args, kwargs)
        if trace is None:
            return self.fn(*args, **kwargs)
        kind = trace.kind(self.fn)[0]
        if kind is not None and not (self.mode == "dunder" and self._natural(args, kwargs)):
            return record_on(trace, self.fn, args, kwargs)
        if self.mode == "dunder":
            return self.fn(*args, **kwargs)
        if self.mode == "nondiff" or kind is NONDIFF:
            return self.fn(*unbox_all(args), **kwargs)
        raise no_rule(self.fn)

    def _natural(self, args, kwargs):
        """Calls whose rule does not fit (``max(xs)``, ``sum(array)``): use the operators."""
        if kwargs:
            return True
        name = self.fn.__name__
        if name in ("min", "max"):
            return len(args) != 2
        if name == "sum":
            return type(args[0]) not in (list, tuple)
        return False

    def __repr__(self):
        return f"<tape stand-in for {self.fn.__name__}>"


def _isinstance(obj, cls):
    return isinstance(obj, cls) or (isinstance(obj, Tracer) and isinstance(primal(obj), cls))


class _ConversionType(type):
    """Metaclass of the stand-ins for ``float``/``int``/``complex``.

    They stay types, so ``isinstance(x, float)``, ``dtype=float`` and ``float.fromhex`` keep
    working (a traced float is an instance), while calling one goes through the tape.
    """

    def __call__(cls, *args, **kwargs):
        if "_ast_ad_call" not in vars(cls):  # a user subclass of the stand-in
            return super().__call__(*args, **kwargs)
        return cls._ast_ad_call(*args, **kwargs)

    def __instancecheck__(cls, obj):
        return isinstance(primal(obj), cls._ast_ad_real)

    def __subclasscheck__(cls, sub):
        return issubclass(sub, cls._ast_ad_real)

    def __eq__(cls, other):
        return other is cls or other is cls._ast_ad_real

    def __hash__(cls):
        return hash(cls._ast_ad_real)

    def __repr__(cls):
        return repr(cls._ast_ad_real)


def _conversion_type(real, mode):
    return _ConversionType(real.__name__, (real,), {
        "_ast_ad_real": real,
        "_ast_ad_call": staticmethod(BuiltinStandin(real, mode)),
        "dtype": np.dtype(real),  # np.dtype(stand-in) is np.dtype(real)
        "__module__": "builtins",
        "__slots__": (),
    })


NUMPY_INEXACT = frozenset([np.float16, np.float32, np.float64, np.longdouble, np.complex64,
                           np.complex128, np.clongdouble])


def numpy_scalar_type(real):
    """Stand-in for ``np.float32`` & co.: ``np.float32(t)`` records a cast (``x.astype``);
    ``isinstance``, ``dtype=np.float32`` and ``x.dtype == np.float32`` keep working."""

    def call(*args, **kwargs):
        if len(args) == 1 and not kwargs and isinstance(args[0], Tracer):
            return astype(args[0], real)
        if has_tracer(args):
            raise no_rule(real)
        return real(*args, **kwargs)

    return _ConversionType(real.__name__, (real,), {
        "_ast_ad_real": real,
        "_ast_ad_call": staticmethod(call),
        "__module__": "numpy",
    })


_BUILTIN_MODES = {
    "abs": "dunder",
    "min": "dunder",
    "max": "dunder",
    "sum": "dunder",
    "pow": "dunder",
    "round": "dunder",
    "divmod": "dunder",
}
_CONVERSIONS = {"float": "rule", "complex": "rule", "int": "nondiff"}


def builtin_standins():
    """{name: stand-in} for the builtins the tape rebinds (except ``__import__``)."""
    out = {n: BuiltinStandin(getattr(builtins, n), m) for n, m in _BUILTIN_MODES.items()}
    out.update({n: _conversion_type(getattr(builtins, n), m) for n, m in _CONVERSIONS.items()})
    out["isinstance"] = _isinstance
    return out


BUILTIN_BY_OBJECT = {getattr(builtins, n): n for n in _BUILTIN_MODES}
